/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The branch cache: RFC 6026 Timer L (64*T1), which libosip2 lacks. An
 * INVITE retransmitted after our 2xx ended its server transaction must
 * not become a second call: its branch is remembered for 64*T1 (in a hash
 * map, expired oldest first: all entries live equally long).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_int.h"

static char *branch_key(const osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	const char *b = via ? sip_param(&via->via_params, "branch") : NULL;
	char buf[512];

	if (b && !strncmp(b, "z9hG4bK", 7) && strlen(b) > 7)
		return osip_strdup(b);
	/* RFC 2543 peers: Call-ID, From tag and CSeq number. */
	snprintf(buf, sizeof(buf), "2543/%s@%s/%s",
		 m->call_id && m->call_id->number ? m->call_id->number : "",
		 m->call_id && m->call_id->host ? m->call_id->host : "",
		 m->cseq && m->cseq->number ? m->cseq->number : "");
	return osip_strdup(buf);
}

void sip_ua_branch_add(struct sip_ua *ua, const osip_message_t *invite)
{
	struct branch_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return;
	e->key = branch_key(invite);
	if (!e->key) {
		free(e);
		return;
	}
	e->expires = loop_now_ms() + 64 * (uint64_t)ua->t1_ms;	/* Timer L */
	if (hmap_insert(&ua->branch_index, &e->node, hmap_hash_str(e->key))) {
		osip_free(e->key);
		free(e);
		return;
	}
	if (!ua->branches)
		ua->branches_tail = &ua->branches;
	*ua->branches_tail = e;
	ua->branches_tail = &e->next;
}

/* The oldest entries out while they have expired (all live 64*T1, so the
 * list is in order of expiry, give or take a change of T1). */
static void branch_expire(struct sip_ua *ua, uint64_t before)
{
	while (ua->branches && ua->branches->expires <= before) {
		struct branch_entry *e = ua->branches;

		ua->branches = e->next;
		hmap_remove(&ua->branch_index, &e->node);
		osip_free(e->key);
		free(e);
	}
}

void sip_ua_branch_free_all(struct sip_ua *ua)
{
	branch_expire(ua, UINT64_MAX);
	hmap_fini(&ua->branch_index);
}

int sip_ua_branch_seen(struct sip_ua *ua, const osip_message_t *invite)
{
	char *key = branch_key(invite);
	uint64_t now = loop_now_ms();
	struct hmap_node *n;
	int hit = 0;

	branch_expire(ua, now);
	if (!key)
		return 0;
	for (n = hmap_first(&ua->branch_index, hmap_hash_str(key)); n && !hit; n = hmap_next(n)) {
		struct branch_entry *e = HMAP_ENTRY(n, struct branch_entry, node);

		hit = e->expires > now && !strcmp(key, e->key);
	}
	osip_free(key);
	return hit;
}

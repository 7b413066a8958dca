/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A new request that no transaction took (ua.c made a server transaction
 * for it): CANCEL, BYE, re-INVITE to their call, a new INVITE to a new
 * call, OPTIONS and the rest answered here (RFC 3261 sections 8.2, 9.2,
 * 12.2.2). And the branch cache that keeps an INVITE retransmitted after
 * our 2xx from becoming a second call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "sip/sip_int.h"

/* ---- the branch cache: RFC 6026 Timer L (64*T1), which libosip2 lacks ---- */

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

/* ---- requests outside transactions we know ---- */

static int accepts_sdp(const osip_message_t *m)
{
	osip_accept_t *a;
	int i, n = osip_list_size(&m->accepts);

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++) {
		a = osip_list_get(&m->accepts, i);
		if (!a || !a->type)
			return 1;	/* empty Accept header */
		if ((!strcmp(a->type, "*") || !strcasecmp(a->type, "application")) &&
		    (!a->subtype || !strcmp(a->subtype, "*") || !strcasecmp(a->subtype, "sdp")))
			return 1;
	}
	return 0;
}

static int body_not_sdp(const osip_message_t *m)
{
	const osip_content_type_t *ct = m->content_type;

	if (osip_list_size(&m->bodies) == 0)
		return 0;
	return !ct || !ct->type || !ct->subtype || strcasecmp(ct->type, "application") ||
	       strcasecmp(ct->subtype, "sdp");
}

void sip_ua_handle_request(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *req)
{
	osip_generic_param_t *tag = NULL;
	int has_tag = osip_to_get_tag(req->to, &tag) == 0;
	osip_header_t *h = NULL;
	struct sip_call *c;
	const char *m = req->sip_method;

	if (!sip_method_known(m, strlen(m))) {
		sip_ua_reply(ua, tr, req, 501);	/* RFC 3261 section 8.2.1 */
		return;
	}
	if (MSG_IS_CANCEL(req)) {
		/* RFC 3261 section 9.2: matched by the INVITE's branch. */
		c = sip_call_find_branch(ua, req);
		if (c)
			sip_call_on_request(c, tr, req);
		else
			sip_ua_reply(ua, tr, req, 481);
		return;
	}
	if (osip_message_header_get_byname(req, "require", 0, &h) >= 0) {
		sip_ua_reply(ua, tr, req, 420);	/* section 8.2.2.3 */
		return;
	}
	c = has_tag ? sip_call_find_dialog(ua, req) : NULL;
	if (has_tag && !c) {
		sip_ua_reply(ua, tr, req, 481);	/* section 12.2.2 */
		return;
	}
	if (MSG_IS_INVITE(req)) {
		if (body_not_sdp(req))
			sip_ua_reply(ua, tr, req, 415);	/* section 8.2.3 */
		else if (!accepts_sdp(req))
			sip_ua_reply(ua, tr, req, 406);	/* RFC 4475 3.3.15 */
		else if (c)
			sip_call_on_request(c, tr, req);
		else
			sip_call_incoming(ua, tr, req);
	} else if (MSG_IS_BYE(req)) {
		if (c)
			sip_call_on_request(c, tr, req);
		else
			sip_ua_reply(ua, tr, req, 481);
	} else if (MSG_IS_OPTIONS(req)) {
		int code = 200;

		if (!c && ua->ev.options)
			code = ua->ev.options(ua->arg, ua->src.host);
		if (code < 200 || code > 699)
			code = 500;
		sip_ua_reply(ua, tr, req, code);
	} else {
		sip_ua_reply(ua, tr, req, 405);	/* section 8.2.1 */
	}
}

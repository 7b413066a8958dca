/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The UA's calls: which call a message belongs to (by Call-ID in a hash
 * map, then the dialog or the INVITE's branch: nothing walks every call),
 * a call's transactions, and its life cycle: made here, freed when it may
 * be (the reaper in ua.c looks only at calls something happened to; the
 * machine in call.c frees it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_int.h"

void sip_call_attach(struct sip_call *c, osip_transaction_t *tr)
{
	osip_transaction_set_your_instance(tr, c);
	c->ntr++;
}

int sip_call_index(struct sip_call *c)
{
	int err = hmap_insert(&c->ua->calls_by_cid, &c->cid_node, hmap_hash_str(c->call_id));

	c->indexed = !err;
	fsm_set_name(c->fsm, "sip call %u (%.72s)", c->id, c->call_id);
	return err;
}

void sip_call_unlink(struct sip_call *c)
{
	if (c->indexed)
		hmap_remove(&c->ua->calls_by_cid, &c->cid_node);
	c->indexed = 0;
	if (c->pprev) {
		*c->pprev = c->next;
		if (c->next)
			c->next->pprev = c->pprev;
		c->pprev = NULL;
	}
}

/* The calls with this Call-ID, one after the other (NULL at the end). */
static struct sip_call *by_cid(struct sip_ua *ua, const char *call_id, struct sip_call *after)
{
	struct hmap_node *n = after ? hmap_next(&after->cid_node)
				    : hmap_first(&ua->calls_by_cid, hmap_hash_str(call_id));

	for (; n; n = hmap_next(n)) {
		struct sip_call *c = HMAP_ENTRY(n, struct sip_call, cid_node);

		if (!strcmp(c->call_id, call_id))
			return c;
	}
	return NULL;
}

struct sip_call *sip_call_find_callid(struct sip_ua *ua, const char *call_id, int outgoing)
{
	struct sip_call *c;

	for (c = by_cid(ua, call_id, NULL); c; c = by_cid(ua, call_id, c))
		if (c->outgoing == outgoing)
			return c;
	return NULL;
}

struct sip_call *sip_call_find_dialog(struct sip_ua *ua, osip_message_t *req)
{
	struct sip_call *c = NULL;
	char *cid = NULL;

	if (osip_call_id_to_str(req->call_id, &cid) || !cid)
		return NULL;
	for (c = by_cid(ua, cid, NULL); c; c = by_cid(ua, cid, c))
		if (c->dialog && osip_dialog_match_as_uas(c->dialog, req) == 0)
			break;
	osip_free(cid);
	return c;
}

static const char *top_branch(const osip_message_t *m)
{
	osip_via_t *via = osip_list_get(&m->vias, 0);
	osip_generic_param_t *b = NULL;

	if (!via || osip_via_param_get_byname(via, "branch", &b) || !b)
		return NULL;
	return b->gvalue;
}

struct sip_call *sip_call_find_branch(struct sip_ua *ua, const osip_message_t *cancel)
{
	const char *b = top_branch(cancel);
	struct sip_call *c = NULL;
	char *cid = NULL;

	if (!b || osip_call_id_to_str(cancel->call_id, &cid) || !cid)
		return NULL;
	for (c = by_cid(ua, cid, NULL); c; c = by_cid(ua, cid, c)) {
		const char *ib = c->outgoing || !c->invite ? NULL : top_branch(c->invite);

		if (ib && !strcmp(ib, b))
			break;
	}
	osip_free(cid);
	return c;
}

void sip_call_touch(struct sip_call *c)
{
	if (c->touched || fsm_ended(c->fsm))
		return;
	c->touched = 1;
	c->tnext = c->ua->touched;
	c->ua->touched = c;
}

void sip_call_destroy(struct sip_call *c)
{
	if (!c)
		return;
	fsm_free(c->fsm);
	loop_timer_free(c->t_2xx);
	if (c->invite)
		osip_message_free(c->invite);
	if (c->dialog)
		osip_dialog_free(c->dialog);
	osip_free(c->ack);
	osip_free(c->resp2xx);
	free(c->call_id);
	free(c);
}

/*
 * When a call may be freed is the machine's to say: in DONE or BYE_SENT
 * (gw/ let go, nothing is awaited but transactions) with no transaction
 * left, SIP_CE_IDLE takes it to FREED and its cleanup frees it, after the
 * outermost dispatch. Only the reaper sends SIP_CE_IDLE, and it has taken
 * the call off ua->touched before: a call that ended is never on it
 * (sip_call_touch does nothing then).
 */
void sip_call_reap(struct sip_call *c)
{
	struct sip_call_ev e = { .type = SIP_CE_IDLE };

	if (c->ntr <= 0)
		sip_call_dispatch(c, &e);
}

void sip_call_tr_gone(struct sip_call *c, osip_transaction_t *tr)
{
	if (c->inv_tr == tr)
		c->inv_tr = NULL;
	c->ntr--;
	sip_call_touch(c);
}

/* Our 2xx's next retransmission is due (call.c's machine sends it). */
static void on_t_2xx(void *arg)
{
	struct sip_call *c = arg;
	struct sip_ua *ua = c->ua;

	fsm_dispatch(c->fsm, SIP_CE_TIMER_2XX, NULL);
	sip_ua_kick(ua);
}

/* ---- life cycle ---- */

struct sip_call *sip_call_new(struct sip_ua *ua, int outgoing)
{
	struct sip_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (loop_timer_new(ua->loop, on_t_2xx, c, &c->t_2xx) ||
	    fsm_new(sip_call_machine(), ua->loop, SIP_CS_NULL, c, &c->fsm)) {
		loop_timer_free(c->t_2xx);
		free(c);
		return NULL;
	}
	c->ua = ua;
	c->id = ++ua->next_call_id;
	fsm_set_name(c->fsm, "sip call %u (-)", c->id);
	c->outgoing = outgoing;
	c->hangup_q850 = -1;
	c->retry_after = -1;
	sip_ua_rand_token(c->local_tag, sizeof(c->local_tag));
	c->next = ua->calls;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &ua->calls;
	ua->calls = c;
	ua->st.calls++;
	sip_call_touch(c);
	return c;
}

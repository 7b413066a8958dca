/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The transaction table: what a message costs does not depend on how many
 * transactions are alive.
 *
 * libosip2 keeps every transaction in one list per kind (ICT, IST, NICT,
 * NIST) and walks those lists for each execute pass, each timer check, the
 * next timeout and each match of an incoming message. Transactions linger
 * up to 64*T1 (32 s) after they end, so at 500 calls/s that is tens of
 * thousands of entries walked for every datagram. Here a transaction leaves
 * osip's list as soon as it is made, and:
 *  - it is found by its top Via branch (RFC 3261 section 17.1.3 for
 *    responses, 17.2.3 for requests) in a hash map; osip's own matching
 *    (osip_transaction_find) then confirms the candidate, alone in a list;
 *  - its events run when it has some: adding one puts it on a dirty list;
 *  - its timers are a loop timer of its own, armed for osip's next timeout
 *    of that transaction alone (osip_timers_gettimeout); when it fires, the
 *    transaction is put alone into its osip list for one
 *    osip_timers_*_execute call, so osip still decides which timer (A..K)
 *    it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hmap.h"
#include "lib/log.h"
#include "sip/sip_int.h"

struct sip_txn {
	struct hmap_node node;
	osip_transaction_t *tr;
	struct sip_ua *ua;
	struct loop_timer *timer;
	struct sip_txn *dnext;	/* on ua->dirty */
	int dirty;
	int gone;		/* osip killed it: out of the table, waiting to be freed */
	char key[];
};

static struct sip_txn *txn_of(osip_transaction_t *tr)
{
	return tr ? osip_transaction_get_reserved6(tr) : NULL;
}

static int is_client(osip_fsm_type_t t)
{
	return t == ICT || t == NICT;
}

/* "c:" or "s:", then the branch (RFC 3261 magic cookie) or, for an RFC 2543
 * peer, the Call-ID: osip's matching tells the candidates apart. */
static int make_key(int client, const osip_via_t *via, const osip_call_id_t *cid, char *out,
		    size_t len)
{
	const char *b = via ? sip_param((osip_list_t *)&via->via_params, "branch") : NULL;
	int n;

	if (b && !strncmp(b, "z9hG4bK", 7))
		n = snprintf(out, len, "%c:%s", client ? 'c' : 's', b);
	else
		n = snprintf(out, len, "%c:2543:%s@%s", client ? 'c' : 's',
			     cid && cid->number ? cid->number : "", cid && cid->host ? cid->host : "");
	return n < 0 || (size_t)n >= len ? EINVAL : 0;
}

static osip_list_t *osip_list_of(osip_t *o, osip_fsm_type_t t)
{
	switch (t) {
	case ICT:
		return &o->osip_ict_transactions;
	case IST:
		return &o->osip_ist_transactions;
	case NICT:
		return &o->osip_nict_transactions;
	default:
		return &o->osip_nist_transactions;
	}
}

/* Take tr out of osip's list (it was appended last). */
static void detach(osip_transaction_t *tr)
{
	osip_list_t *l = osip_list_of(tr->config, tr->ctx_type);
	int i;

	for (i = osip_list_size(l) - 1; i >= 0; i--)
		if (osip_list_get(l, i) == tr) {
			osip_list_remove(l, i);
			return;
		}
}

/* tr alone in its osip list for the duration of fn. */
static void alone(osip_transaction_t *tr, void (*fn)(osip_t *, osip_transaction_t *, void *),
		  void *arg)
{
	osip_list_t *l = osip_list_of(tr->config, tr->ctx_type);

	if (osip_list_add(l, tr, 0) < 0)
		return;
	fn(tr->config, tr, arg);
	osip_list_remove(l, 0);
}

static void timers_fn(osip_t *o, osip_transaction_t *tr, void *arg)
{
	(void)arg;
	switch (tr->ctx_type) {
	case ICT:
		osip_timers_ict_execute(o);
		break;
	case IST:
		osip_timers_ist_execute(o);
		break;
	case NICT:
		osip_timers_nict_execute(o);
		break;
	default:
		osip_timers_nist_execute(o);
		break;
	}
}

static void timeout_fn(osip_t *o, osip_transaction_t *tr, void *arg)
{
	(void)tr;
	osip_timers_gettimeout(o, arg);
}

struct find_arg {
	osip_event_t *evt;
	int hit;
};

static void find_fn(osip_t *o, osip_transaction_t *tr, void *arg)
{
	struct find_arg *f = arg;

	f->hit = osip_transaction_find(osip_list_of(o, tr->ctx_type), f->evt) == tr;
}

static void mark_dirty(struct sip_txn *x)
{
	struct sip_ua *ua = x->ua;

	if (x->dirty || x->gone)
		return;
	x->dirty = 1;
	x->dnext = NULL;
	*ua->dirty_tail = x;
	ua->dirty_tail = &x->dnext;
}

static void on_timer(void *arg)
{
	struct sip_txn *x = arg;

	mark_dirty(x);
	sip_ua_kick(x->ua);
}

int sip_txn_adopt(struct sip_ua *ua, osip_transaction_t *tr)
{
	char key[600];
	struct sip_txn *x;
	int err;

	detach(tr);
	err = make_key(is_client(tr->ctx_type), tr->topvia, tr->callid, key, sizeof(key));
	if (err)
		return err;
	x = calloc(1, sizeof(*x) + strlen(key) + 1);
	if (!x)
		return ENOMEM;
	strcpy(x->key, key);
	x->tr = tr;
	x->ua = ua;
	err = loop_timer_new(ua->loop, on_timer, x, &x->timer);
	if (!err)
		err = hmap_insert(&ua->txns, &x->node, hmap_hash_str(key));
	if (err) {
		loop_timer_free(x->timer);
		free(x);
		return err;
	}
	osip_transaction_set_reserved6(tr, x);
	return 0;
}

int sip_txn_client(struct sip_ua *ua, osip_fsm_type_t type, osip_message_t *m, const char *host,
		   int port, osip_transaction_t **out)
{
	osip_transaction_t *tr = NULL;
	osip_event_t *ev;
	int err;

	*out = NULL;
	if (osip_transaction_init(&tr, type, ua->osip, m))
		return ENOMEM;
	err = sip_txn_adopt(ua, tr);
	if (err) {
		osip_transaction_free2(tr);
		return err;
	}
	if (type == ICT)
		osip_ict_set_destination(tr->ict_context, osip_strdup(host), port);
	else
		osip_nict_set_destination(tr->nict_context, osip_strdup(host), port);
	ev = osip_new_outgoing_sipmessage(m);
	if (!ev) {
		sip_txn_free(tr);
		return ENOMEM;
	}
	sip_txn_add_event(tr, ev);
	*out = tr;
	return 0;
}

void sip_txn_add_event(osip_transaction_t *tr, osip_event_t *ev)
{
	struct sip_txn *x = txn_of(tr);

	ev->transactionid = tr->transactionid;
	osip_transaction_add_event(tr, ev);
	if (x)
		mark_dirty(x);
}

int sip_txn_deliver(struct sip_ua *ua, osip_event_t *evt)
{
	const osip_message_t *m = evt->sip;
	int client = MSG_IS_RESPONSE(m);
	struct hmap_node *n;
	char key[600];
	uint32_t h;

	if (make_key(client, osip_list_get(&m->vias, 0), m->call_id, key, sizeof(key)))
		return ENOENT;
	h = hmap_hash_str(key);
	for (n = hmap_first(&ua->txns, h); n; n = hmap_next(n)) {
		struct sip_txn *x = HMAP_ENTRY(n, struct sip_txn, node);
		struct find_arg f = { evt, 0 };

		if (strcmp(x->key, key) || is_client(x->tr->ctx_type) != client)
			continue;
		alone(x->tr, find_fn, &f);
		if (f.hit) {
			sip_txn_add_event(x->tr, evt);
			return 0;
		}
	}
	return ENOENT;
}

/* Due timers become events, the events run, then the timer is armed for
 * what osip will want next. */
static void process(struct sip_txn *x)
{
	osip_transaction_t *tr = x->tr;
	struct timeval tv = { 0, 0 };
	osip_event_t *ev;
	uint64_t ms;

	alone(tr, timers_fn, NULL);
	while (!x->gone && (ev = osip_fifo_tryget(tr->transactionff)))
		osip_transaction_execute(tr, ev);
	if (x->gone)
		return;
	if (osip_fifo_size(tr->transactionff) > 0) {
		mark_dirty(x);
		return;
	}
	alone(tr, timeout_fn, &tv);
	if (tv.tv_sec > 24 * 3600) {
		loop_timer_stop(x->timer);
		return;
	}
	ms = (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;
	loop_timer_start(x->timer, ms < 1 ? 1 : ms);
}

int sip_txn_run(struct sip_ua *ua)
{
	struct sip_txn *x = ua->dirty;

	ua->dirty = NULL;
	ua->dirty_tail = &ua->dirty;
	while (x) {
		struct sip_txn *next = x->dnext;

		x->dirty = 0;
		if (!x->gone)
			process(x);
		x = next;
	}
	return ua->dirty != NULL;
}

void sip_txn_gone(osip_transaction_t *tr)
{
	struct sip_txn *x = txn_of(tr);

	if (!x || x->gone)
		return;
	x->gone = 1;
	hmap_remove(&x->ua->txns, &x->node);
	loop_timer_stop(x->timer);
}

void sip_txn_free(osip_transaction_t *tr)
{
	struct sip_txn *x = txn_of(tr);

	if (x) {
		sip_txn_gone(tr);
		if (x->dirty) {
			/* Still queued: the run skips it once it is gone; unlink it. */
			struct sip_txn **pp;

			for (pp = &x->ua->dirty; *pp; pp = &(*pp)->dnext)
				if (*pp == x) {
					*pp = x->dnext;
					break;
				}
			x->ua->dirty_tail = &x->ua->dirty;
			while (*x->ua->dirty_tail)
				x->ua->dirty_tail = &(*x->ua->dirty_tail)->dnext;
		}
		loop_timer_free(x->timer);
		free(x);
		osip_transaction_set_reserved6(tr, NULL);
	}
	osip_transaction_free2(tr);
}

void sip_txn_free_all(struct sip_ua *ua)
{
	struct hmap_node *n;
	size_t cursor = 0;

	while ((n = hmap_any(&ua->txns, &cursor)))
		sip_txn_free(HMAP_ENTRY(n, struct sip_txn, node)->tr);
	hmap_fini(&ua->txns);
}

size_t sip_txn_count(const struct sip_ua *ua)
{
	return ua->txns.n;
}

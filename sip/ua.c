/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user agent core: libosip2 transactions driven by the caller's loop.
 * Datagrams in, validation, transaction matching, the osip callbacks and
 * the execute passes. New requests: request.c; calls: call.c, dialog.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "lib/log.h"
#include "sip/sip_int.h"

#define MAX_PASSES 64

/* ---- osip trace into lib/log ---- */

static void trace_cb(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
	char buf[512];
	size_t n;
	int lvl = level <= OSIP_BUG ? LOG_LVL_WARN : LOG_LVL_DEBUG;

	if (lvl > log_get_level())
		return;
	vsnprintf(buf, sizeof(buf), chfr, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	log_msg(LOG_SIP, lvl, "osip: %s:%d: %s", fi ? fi : "?", li, buf);
}

/* ---- osip callbacks ---- */

static int cb_send(osip_transaction_t *tr, osip_message_t *m, char *host, int port, int sock)
{
	struct sip_ua *ua;

	(void)sock;
	if (!tr || !tr->config)
		return -1;
	ua = osip_get_application_context(tr->config);
	if (!ua || !host)
		return -1;
	if (port <= 0)
		port = 5060;
	return sip_ua_send_msg(ua, m, host, port) ? -1 : 0;
}

static void cb_msg(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_call *c = osip_transaction_get_your_instance(tr);

	if (!c) {
		sip_ping_on_msg(osip_get_application_context(tr->config), type, tr, m);
		return;
	}
	switch (type) {
	case OSIP_ICT_STATUS_1XX_RECEIVED:
	case OSIP_ICT_STATUS_2XX_RECEIVED:
	case OSIP_ICT_STATUS_2XX_RECEIVED_AGAIN:
	case OSIP_ICT_STATUS_3XX_RECEIVED:
	case OSIP_ICT_STATUS_4XX_RECEIVED:
	case OSIP_ICT_STATUS_5XX_RECEIVED:
	case OSIP_ICT_STATUS_6XX_RECEIVED:
	case OSIP_ICT_STATUS_TIMEOUT:
		if (c->inv_tr == tr)
			sip_call_on_ict(c, type, m);
		break;
	default:
		break;
	}
}

static void cb_kill(int type, osip_transaction_t *tr)
{
	(void)type;
	sip_ua_forget_tr(osip_get_application_context(tr->config), tr);
}

void sip_ua_forget_tr(struct sip_ua *ua, osip_transaction_t *tr)
{
	struct sip_call *c = osip_transaction_get_your_instance(tr);
	struct dead_tr *d;

	sip_txn_gone(tr);
	if (c) {
		osip_transaction_set_your_instance(tr, NULL);
		sip_call_tr_gone(c, tr);
	} else {
		sip_ping_on_gone(ua, tr, 0);
	}
	/* Freed after the execute pass: execute iterates over a snapshot. */
	d = calloc(1, sizeof(*d));
	if (!d) {
		log_err(LOG_SIP, "sip: out of memory, leaking a transaction");
		return;
	}
	d->tr = tr;
	d->next = ua->dead;
	ua->dead = d;
}

static void cb_tperr(int type, osip_transaction_t *tr, int error)
{
	struct sip_call *c = osip_transaction_get_your_instance(tr);

	log_debug(LOG_SIP, "sip: transport error %d on transaction %d", error, tr->transactionid);
	if (!c)
		sip_ping_on_gone(osip_get_application_context(tr->config), tr, 1);
	if (c && type == OSIP_ICT_TRANSPORT_ERROR && c->inv_tr == tr)
		sip_call_on_ict(c, -1, NULL);
}

/* ---- execute passes ---- */

static void free_dead(struct sip_ua *ua)
{
	while (ua->dead) {
		struct dead_tr *d = ua->dead;

		ua->dead = d->next;
		sip_txn_free(d->tr);
		free(d);
	}
}

static void reap_calls(struct sip_ua *ua)
{
	while (ua->touched) {
		struct sip_call *c = ua->touched;

		ua->touched = c->tnext;
		c->touched = 0;
		sip_call_reap(c);
	}
}

/* Runs the transactions that have something to do (txn.c), never all. */
void sip_ua_kick(struct sip_ua *ua)
{
	int pass, more;

	if (ua->in_run) {
		ua->again = 1;
		return;
	}
	ua->in_run = 1;
	for (pass = 0; pass < MAX_PASSES; pass++) {
		ua->again = 0;
		more = sip_txn_run(ua);
		free_dead(ua);
		if (!ua->again && !more)
			break;
	}
	ua->in_run = 0;
	reap_calls(ua);
}

/* ---- life cycle ---- */

int sip_ua_new(struct loop *loop, const struct sip_ua_params *p,
	       const struct sip_events *ev, void *arg, struct sip_ua **out)
{
	static int trace_ready;
	struct sip_ua *ua;
	int i, err = ENOMEM;

	*out = NULL;
	if (!loop || !p || !p->address || strlen(p->address) >= sizeof(ua->addr) || !ev ||
	    sip_call_def_check())
		return EINVAL;
	if (!trace_ready) {
		/* Before anything traces: otherwise osip prints to stdout. */
		osip_trace_initialize_func(OSIP_WARNING, trace_cb);
		trace_ready = 1;
	}
	ua = calloc(1, sizeof(*ua));
	if (!ua)
		return ENOMEM;
	ua->loop = loop;
	ua->tp_ops = &sip_transport_udp;
	ua->ev = *ev;
	ua->arg = arg;
	ua->port = p->port;
	ua->retry_after = p->retry_after;
	snprintf(ua->addr, sizeof(ua->addr), "%s", p->address);
	sip_ua_set_timers(ua, p->t1_ms, p->t2_ms);
	if (ua->t1_ms != DEFAULT_T1 || ua->t2_ms != DEFAULT_T2)
		log_notice(LOG_SIP, "sip: T1 %d ms, T2 %d ms for the 2xx retransmission, the ACK wait "
			   "and Timer L; libosip2's transaction timers keep T1 %d, T2 %d (built in)",
			   ua->t1_ms, ua->t2_ms, DEFAULT_T1, DEFAULT_T2);
	ua->user_agent = strdup(p->user_agent ? p->user_agent : "sipgw");
	if (!ua->user_agent)
		goto out;
	ua->dirty_tail = &ua->dirty;
	if (osip_init(&ua->osip)) {
		ua->osip = NULL;
		goto out;
	}
	osip_set_application_context(ua->osip, ua);
	osip_set_cb_send_message(ua->osip, cb_send);
	for (i = 0; i < OSIP_MESSAGE_CALLBACK_COUNT; i++)
		osip_set_message_callback(ua->osip, i, cb_msg);
	for (i = 0; i < OSIP_KILL_CALLBACK_COUNT; i++)
		osip_set_kill_transaction_callback(ua->osip, i, cb_kill);
	for (i = 0; i < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; i++)
		osip_set_transport_error_callback(ua->osip, i, cb_tperr);
	*out = ua;
	return 0;
out:
	sip_ua_free(ua);
	return err;
}

static void tp_recv(void *arg, char *buf, size_t len, const struct sip_addr *src)
{
	sip_ua_receive(arg, buf, len, src);
}

static void tp_idle(void *arg)
{
	sip_ua_kick(arg);
}

void sip_ua_use_transport(struct sip_ua *ua, const struct sip_transport_ops *ops)
{
	if (!ua->tp)
		ua->tp_ops = ops;
}

int sip_ua_start(struct sip_ua *ua)
{
	const struct sip_tp_handler h = { .recv = tp_recv, .idle = tp_idle, .arg = ua };
	int err;

	if (ua->tp)
		return EALREADY;
	err = sip_transport_new(ua->loop, ua->tp_ops, &h, &ua->tp);
	if (!err)
		err = sip_transport_start(ua->tp, ua->addr, ua->port);
	if (err) {
		log_err(LOG_SIP, "sip: cannot bind %s:%u: %s", ua->addr, ua->port, strerror(err));
		sip_transport_free(ua->tp);
		ua->tp = NULL;
		return err;
	}
	ua->port = sip_transport_port(ua->tp);
	log_info(LOG_SIP, "sip: listening on %s %s:%u", ua->tp_ops->name, ua->addr, ua->port);
	return 0;
}

void sip_ua_free(struct sip_ua *ua)
{
	if (!ua)
		return;
	while (ua->calls) {
		struct sip_call *c = ua->calls;

		sip_call_unlink(c);
		sip_call_destroy(c);
	}
	hmap_fini(&ua->calls_by_cid);
	free_dead(ua);
	if (ua->osip) {
		sip_txn_free_all(ua);
		osip_release(ua->osip);
	}
	sip_ping_free_all(ua);
	sip_ua_branch_free_all(ua);
	sip_transport_free(ua->tp);
	free(ua->user_agent);
	free(ua);
}

void sip_ua_set_policy(struct sip_ua *ua, const struct sip_policy *p)
{
	ua->policy = *p;
}

void sip_ua_stats(const struct sip_ua *ua, struct sip_ua_stats *st)
{
	*st = ua->st;
	st->transactions = sip_txn_count(ua);
}

void sip_ua_set_timers(struct sip_ua *ua, int t1_ms, int t2_ms)
{
	ua->t1_ms = t1_ms > 0 ? t1_ms : SIP_T1_MS;
	ua->t2_ms = t2_ms >= ua->t1_ms ? t2_ms : SIP_T2_MS;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Keepalive: OPTIONS outside any dialog (RFC 3261 section 11), both ways.
 *
 * Out ("qualify"): a struct sip_keepalive sends an OPTIONS to one far end
 * now and then every interval, never two at once, and reports each
 * outcome (the final status, 408 when Timer F fires, 503 on a transport
 * error) with the round trip. Each request is a NICT of its own; the
 * transaction points at its ping (osip's reserved5 slot), so a response
 * costs no search. gw/ says which far ends and how often.
 *
 * In: an OPTIONS outside a dialog is answered with the status gw/'s
 * policy gives for its source (200; 503 when no channel is free, so that a
 * load balancer routes around us; what an INVITE from there would get,
 * section 11: 403 for a stranger), with Allow and Accept (section 11.2).
 * Inside a dialog it is 200.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sip/sip_int.h"

struct sip_ping {
	struct sip_ping *next, **pprev;	/* ua->pings, for sip_ua_free */
	osip_transaction_t *tr;
	struct sip_keepalive *ka;	/* NULL once the keepalive is freed */
	int done;
};

struct sip_keepalive {
	struct sip_ua *ua;
	char *request_uri;
	char host[64];
	uint16_t port;
	int interval_s;
	sip_keepalive_cb cb;
	void *arg;
	struct loop_timer *timer;
	struct sip_ping *ping;		/* in flight, or NULL */
	uint64_t sent_ms;
};

/* ---- in ---- */

void sip_keepalive_answer(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *req,
			  const struct sip_call *c)
{
	int code = 200;

	if (!c && ua->policy.options_status)
		code = ua->policy.options_status(ua->policy.arg, ua->src.host);
	if (code < 200 || code > 699)
		code = 500;
	sip_ua_reply(ua, tr, req, code);
}

/* ---- out: one OPTIONS ---- */

static void ping_unlink(struct sip_ping *p)
{
	*p->pprev = p->next;
	if (p->next)
		p->next->pprev = p->pprev;
	free(p);
}

static void report(struct sip_ping *p, int code)
{
	struct sip_keepalive *ka = p->ka;

	if (p->done)
		return;
	p->done = 1;
	if (!ka)
		return;
	ka->ping = NULL;
	p->ka = NULL;
	if (ka->cb)
		ka->cb(ka->arg, code, (int)(loop_now_ms() - ka->sent_ms));
}

int sip_ping_on_msg(struct sip_ua *ua, int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_ping *p = osip_transaction_get_reserved5(tr);

	(void)ua;
	if (!p)
		return 0;
	switch (type) {
	case OSIP_NICT_STATUS_2XX_RECEIVED:
	case OSIP_NICT_STATUS_3XX_RECEIVED:
	case OSIP_NICT_STATUS_4XX_RECEIVED:
	case OSIP_NICT_STATUS_5XX_RECEIVED:
	case OSIP_NICT_STATUS_6XX_RECEIVED:
		report(p, m ? m->status_code : 500);
		break;
	case OSIP_NICT_STATUS_TIMEOUT:
		report(p, 408);
		break;
	default:
		break;
	}
	return 1;
}

void sip_ping_on_gone(struct sip_ua *ua, osip_transaction_t *tr, int transport_error)
{
	struct sip_ping *p = osip_transaction_get_reserved5(tr);

	(void)ua;
	if (!p)
		return;
	report(p, transport_error ? 503 : 408);
	if (!transport_error) {
		osip_transaction_set_reserved5(tr, NULL);
		ping_unlink(p);
	}
}

void sip_ping_free_all(struct sip_ua *ua)
{
	while (ua->pings) {
		struct sip_ping *p = ua->pings;

		if (p->ka)
			p->ka->ping = NULL;
		ping_unlink(p);
	}
}

static int build_options(struct sip_ua *ua, const char *request_uri, osip_message_t **out)
{
	osip_message_t *m = NULL;
	char from[160], tag[17], cid[96], tmp[17], hostfmt[72];
	int err = sip_request_new("OPTIONS", request_uri, &m);

	*out = NULL;
	if (err)
		return err;
	sip_host_fmt(ua->addr, hostfmt, sizeof(hostfmt));
	sip_ua_rand_token(tag, sizeof(tag));
	snprintf(from, sizeof(from), "<sip:sipgw@%s:%u>;tag=%s", hostfmt, ua->port, tag);
	sip_ua_rand_token(tmp, sizeof(tmp));
	snprintf(cid, sizeof(cid), "%s@%s", tmp, ua->addr);
	if (osip_message_set_from(m, from) || osip_message_set_to(m, request_uri) ||
	    osip_message_set_call_id(m, cid) || osip_message_set_cseq(m, "1 OPTIONS") ||
	    sip_ua_add_via(ua, m)) {
		osip_message_free(m);
		return ENOMEM;
	}
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, ua->user_agent);
	osip_message_set_accept(m, "application/sdp");
	*out = m;
	return 0;
}

static int send_ping(struct sip_keepalive *ka)
{
	struct sip_ua *ua = ka->ua;
	osip_message_t *m = NULL;
	osip_transaction_t *tr = NULL;
	struct sip_ping *p;
	int err = build_options(ua, ka->request_uri, &m);

	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p) {
		osip_message_free(m);
		return ENOMEM;
	}
	err = sip_txn_client(ua, NICT, m, ka->host, ka->port, &tr);
	if (err) {
		free(p);
		osip_message_free(m);
		return err;
	}
	p->tr = tr;
	p->ka = ka;
	osip_transaction_set_reserved5(tr, p);
	p->next = ua->pings;
	if (p->next)
		p->next->pprev = &p->next;
	p->pprev = &ua->pings;
	ua->pings = p;
	ka->ping = p;
	ka->sent_ms = loop_now_ms();
	log_debug(LOG_SIP, "sip: OPTIONS %s to %s:%u", ka->request_uri, ka->host, ka->port);
	sip_ua_kick(ua);
	return 0;
}

/* ---- out: the keepalive ---- */

static void on_timer(void *arg)
{
	struct sip_keepalive *ka = arg;
	int err;

	loop_timer_start(ka->timer, (uint64_t)ka->interval_s * 1000);
	if (ka->ping)
		return;
	err = send_ping(ka);
	if (err)
		log_warn(LOG_SIP, "sip: cannot send OPTIONS to %s:%u: %s", ka->host, ka->port,
			 strerror(err));
}

int sip_keepalive_new(struct sip_ua *ua, const char *request_uri, const char *host, uint16_t port,
		      int interval_s, sip_keepalive_cb cb, void *arg, struct sip_keepalive **out)
{
	struct sip_keepalive *ka;
	int err = ENOMEM;

	*out = NULL;
	if (!ua || !request_uri || !sip_is_ip_literal(host) || strlen(host) >= sizeof(ka->host) ||
	    interval_s <= 0)
		return EINVAL;
	ka = calloc(1, sizeof(*ka));
	if (!ka)
		return ENOMEM;
	ka->ua = ua;
	ka->request_uri = strdup(request_uri);
	snprintf(ka->host, sizeof(ka->host), "%s", host);
	ka->port = port;
	ka->interval_s = interval_s;
	ka->cb = cb;
	ka->arg = arg;
	if (!ka->request_uri || (err = loop_timer_new(ua->loop, on_timer, ka, &ka->timer)))
		goto out;
	*out = ka;
	return 0;
out:
	sip_keepalive_free(ka);
	return err;
}

void sip_keepalive_start(struct sip_keepalive *ka)
{
	loop_timer_start(ka->timer, 0);
}

void sip_keepalive_free(struct sip_keepalive *ka)
{
	if (!ka)
		return;
	if (ka->ping)
		ka->ping->ka = NULL;	/* its outcome goes nowhere */
	loop_timer_free(ka->timer);
	free(ka->request_uri);
	free(ka);
}

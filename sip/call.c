/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One INVITE dialog: the call API of sip.h, the dialog layer libosip2 leaves
 * to us (2xx retransmission and ACK, CANCEL matching, BYE, re-INVITE) and
 * the events to gw/. States (enum call_state, sip_int.h):
 *
 *   UAS: IN_PROCEEDING -2xx-> IN_WAIT_ACK -ACK-> CONFIRMED -BYE-> DONE
 *        IN_PROCEEDING ->=300 / CANCEL / hangup (487)-> DONE
 *   UAC: OUT_CALLING -2xx (ACK)-> CONFIRMED; ->=300/timeout-> DONE
 *        OUT_CALLING -hangup-> CANCELLING (-2xx: ACK + BYE-> BYE_SENT)
 *   both: CONFIRMED -hangup-> BYE_SENT; -BYE received-> DONE
 *
 * A call is freed once gw/ released it and no transaction or timer needs it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "sip/sip_int.h"

static const char *const state_names[CS_COUNT] = {
	[CS_IN_PROCEEDING] = "IN_PROCEEDING",
	[CS_IN_WAIT_ACK] = "IN_WAIT_ACK",
	[CS_OUT_CALLING] = "OUT_CALLING",
	[CS_CONFIRMED] = "CONFIRMED",
	[CS_CANCELLING] = "CANCELLING",
	[CS_BYE_SENT] = "BYE_SENT",
	[CS_DONE] = "DONE",
};

const char *sip_call_state_name(enum call_state st)
{
	return st < CS_COUNT ? state_names[st] : "?";
}

#define CLOG(lvl, c, fmt, ...) \
	log_msg(LOG_SIP, (lvl), "call %u (%s){%s}: " fmt, (c)->id, \
		(c)->call_id ? (c)->call_id : "-", sip_call_state_name((c)->st), ##__VA_ARGS__)

static void set_state(struct sip_call *c, enum call_state st)
{
	if (c->st != st)
		CLOG(LOG_LVL_DEBUG, c, "-> %s", sip_call_state_name(st));
	c->st = st;
}

static void release(struct sip_call *c)
{
	c->released = 1;
}

static void on_timer(void *arg);

static struct sip_call *call_new(struct sip_ua *ua, int outgoing)
{
	struct sip_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (loop_timer_new(ua->loop, on_timer, c, &c->timer)) {
		free(c);
		return NULL;
	}
	c->ua = ua;
	c->id = ++ua->next_call_id;
	c->outgoing = outgoing;
	sip_ua_rand_token(c->local_tag, sizeof(c->local_tag));
	c->next = ua->calls;
	ua->calls = c;
	ua->st.calls++;
	return c;
}

void sip_call_destroy(struct sip_call *c)
{
	if (!c)
		return;
	loop_timer_free(c->timer);
	if (c->invite)
		osip_message_free(c->invite);
	if (c->dialog)
		osip_dialog_free(c->dialog);
	osip_free(c->ack);
	osip_free(c->resp2xx);
	free(c->call_id);
	free(c);
}

int sip_call_reapable(const struct sip_call *c)
{
	return c->released && c->ntr <= 0 && !c->resp2xx && !c->bye_after_ack;
}

void sip_call_tr_gone(struct sip_call *c, osip_transaction_t *tr)
{
	if (c->inv_tr == tr)
		c->inv_tr = NULL;
	c->ntr--;
}

static void attach(struct sip_call *c, osip_transaction_t *tr)
{
	osip_transaction_set_your_instance(tr, c);
	c->ntr++;
}

/* ---- lookups ---- */

static int callid_is(const osip_call_id_t *cid, const char *s)
{
	char *str = NULL;
	int eq;

	if (!cid || !s || osip_call_id_to_str(cid, &str) || !str)
		return 0;
	eq = !strcmp(str, s);
	osip_free(str);
	return eq;
}

struct sip_call *sip_call_find_callid(struct sip_ua *ua, const char *call_id, int outgoing)
{
	struct sip_call *c;

	for (c = ua->calls; c; c = c->next)
		if (c->outgoing == outgoing && c->call_id && !strcmp(c->call_id, call_id))
			return c;
	return NULL;
}

struct sip_call *sip_call_find_dialog(struct sip_ua *ua, osip_message_t *req)
{
	struct sip_call *c;

	for (c = ua->calls; c; c = c->next)
		if (c->dialog && osip_dialog_match_as_uas(c->dialog, req) == 0)
			return c;
	return NULL;
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
	struct sip_call *c;

	if (!b)
		return NULL;
	for (c = ua->calls; c; c = c->next) {
		const char *ib = c->outgoing || !c->invite ? NULL : top_branch(c->invite);

		if (ib && !strcmp(ib, b) && callid_is(cancel->call_id, c->call_id))
			return c;
	}
	return NULL;
}

/* ---- message building ---- */

static void contact_of(struct sip_ua *ua, char *out, size_t len)
{
	char host[80];

	sip_host_fmt(ua->addr, host, sizeof(host));
	snprintf(out, len, "<sip:sipgw@%s:%u>", host, ua->port);
}

static int add_sdp(osip_message_t *m, const struct sdp_media *s)
{
	char buf[1024];
	int err = sdp_build(s, buf, sizeof(buf));

	if (err)
		return err;
	osip_message_set_content_type(m, "application/sdp");
	return osip_message_set_body(m, buf, strlen(buf)) ? ENOMEM : 0;
}

static void add_reason(osip_message_t *m, int q850)
{
	char buf[40];

	if (q850 < 0)
		return;
	snprintf(buf, sizeof(buf), "Q.850;cause=%d", q850);
	osip_message_set_header(m, "Reason", buf);
}

static int msg_sdp(const osip_message_t *m, struct sdp_media *out)
{
	osip_body_t *b = NULL;
	const osip_content_type_t *ct = m->content_type;

	if (!ct || !ct->type || !ct->subtype || strcasecmp(ct->type, "application") ||
	    strcasecmp(ct->subtype, "sdp"))
		return EINVAL;
	if (osip_message_get_body(m, 0, &b) < 0 || !b || !b->body)
		return EINVAL;
	return sdp_parse(b->body, b->length, out);
}

static int route_clone(void *a, void **b)
{
	return osip_from_clone(a, (osip_from_t **)b);
}

static int is_ip_literal(const char *h)
{
	unsigned char tmp[16];

	return h && (inet_pton(AF_INET, h, tmp) == 1 || inet_pton(AF_INET6, h, tmp) == 1);
}

/* Next hop for a request in the dialog: first Route, else the remote
 * target; hosts that are not IP literals fall back to where the call came
 * from or went to (no DNS here). */
static void next_hop(struct sip_call *c, char *host, size_t hlen, int *port)
{
	osip_uri_t *u = NULL;

	if (c->dialog && osip_list_size(&c->dialog->route_set) > 0) {
		osip_route_t *r = osip_list_get(&c->dialog->route_set, 0);

		u = r ? r->url : NULL;
	} else if (c->dialog && c->dialog->remote_contact_uri) {
		u = c->dialog->remote_contact_uri->url;
	}
	if (u && u->host && is_ip_literal(u->host)) {
		snprintf(host, hlen, "%s", u->host);
		*port = u->port && *u->port ? atoi(u->port) : 5060;
		return;
	}
	if (c->outgoing) {
		snprintf(host, hlen, "%s", c->dest_host);
		*port = c->dest_port;
	} else {
		sip_via_dest(c->invite, host, hlen, port);
	}
}

static void ensure_tag(osip_from_t *f, const char *tag)
{
	osip_generic_param_t *p = NULL;

	if (tag && osip_from_get_tag(f, &p) != 0)
		osip_from_set_tag(f, osip_strdup(tag));
}

/* A request inside the dialog (RFC 3261 section 12.2.1.1). */
static int build_in_dialog(struct sip_call *c, const char *method, osip_message_t **out)
{
	osip_dialog_t *d = c->dialog;
	osip_message_t *m = NULL;
	osip_uri_t *uri = NULL;
	const osip_uri_t *target;
	char cseq[40];

	*out = NULL;
	if (!d || osip_message_init(&m))
		return ENOMEM;
	osip_message_set_method(m, osip_strdup(method));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	target = d->remote_contact_uri && d->remote_contact_uri->url ? d->remote_contact_uri->url :
		 c->outgoing ? c->invite->req_uri : c->invite->from->url;
	if (osip_uri_clone(target, &uri))
		goto fail;
	osip_message_set_uri(m, uri);
	if (osip_from_clone(d->local_uri, &m->from) || osip_to_clone(d->remote_uri, &m->to) ||
	    osip_message_set_call_id(m, d->call_id))
		goto fail;
	ensure_tag(m->from, d->local_tag);
	ensure_tag(m->to, d->remote_tag);
	snprintf(cseq, sizeof(cseq), "%d %s", ++c->local_cseq, method);
	if (osip_message_set_cseq(m, cseq) || sip_ua_add_via(c->ua, m))
		goto fail;
	if (osip_list_clone(&d->route_set, &m->routes, route_clone))
		goto fail;
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, c->ua->user_agent);
	*out = m;
	return 0;
fail:
	osip_message_free(m);
	return ENOMEM;
}

static int send_nict(struct sip_call *c, osip_message_t *m, const char *host, int port)
{
	osip_transaction_t *tr = NULL;
	osip_event_t *ev;

	if (osip_transaction_init(&tr, NICT, c->ua->osip, m)) {
		osip_message_free(m);
		return ENOMEM;
	}
	osip_nict_set_destination(tr->nict_context, osip_strdup(host), port);
	attach(c, tr);
	ev = osip_new_outgoing_sipmessage(m);
	ev->transactionid = tr->transactionid;
	osip_transaction_add_event(tr, ev);
	return 0;
}

static void send_bye(struct sip_call *c, int q850)
{
	osip_message_t *bye;
	char host[64];
	int port;

	if (build_in_dialog(c, "BYE", &bye)) {
		CLOG(LOG_LVL_ERR, c, "cannot build BYE");
		set_state(c, CS_DONE);
		return;
	}
	add_reason(bye, q850);
	next_hop(c, host, sizeof(host), &port);
	CLOG(LOG_LVL_INFO, c, "sending BYE (cause %d)", q850);
	set_state(c, CS_BYE_SENT);
	send_nict(c, bye, host, port);
}

/* RFC 3261 section 9.1: same Request-URI, Call-ID, From, To, CSeq number
 * and top Via as the INVITE. */
static void send_cancel(struct sip_call *c)
{
	osip_message_t *m = NULL, *inv = c->invite;
	osip_uri_t *uri = NULL;
	osip_via_t *via = NULL;
	char cseq[40];

	if (osip_message_init(&m))
		return;
	osip_message_set_method(m, osip_strdup("CANCEL"));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	if (osip_uri_clone(inv->req_uri, &uri))
		goto fail;
	osip_message_set_uri(m, uri);
	if (osip_via_clone(osip_list_get(&inv->vias, 0), &via))
		goto fail;
	osip_list_add(&m->vias, via, -1);
	if (osip_from_clone(inv->from, &m->from) || osip_to_clone(inv->to, &m->to) ||
	    osip_call_id_clone(inv->call_id, &m->call_id) ||
	    osip_list_clone(&inv->routes, &m->routes, route_clone))
		goto fail;
	snprintf(cseq, sizeof(cseq), "%s CANCEL", inv->cseq->number);
	osip_message_set_cseq(m, cseq);
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, c->ua->user_agent);
	add_reason(m, c->hangup_q850);
	CLOG(LOG_LVL_INFO, c, "sending CANCEL (cause %d)", c->hangup_q850);
	send_nict(c, m, c->dest_host, c->dest_port);
	return;
fail:
	osip_message_free(m);
}

/* ---- UAS ---- */

static void start_2xx_rtx(struct sip_call *c, osip_message_t *resp, const osip_message_t *req)
{
	char *buf = NULL;
	size_t len = 0;

	osip_free(c->resp2xx);
	c->resp2xx = NULL;
	if (osip_message_to_str(resp, &buf, &len) || !buf)
		return;
	c->resp2xx = buf;
	c->resp2xx_len = len;
	sip_via_dest(req, c->resp_host, sizeof(c->resp_host), &c->resp_port);
	/* RFC 3261 section 13.3.1.4: T1, doubling to T2, for 64*T1. */
	c->rtx_ms = SIP_T1_MS;
	c->rtx_deadline = loop_now_ms() + 64 * SIP_T1_MS;
	loop_timer_start(c->timer, (uint64_t)c->rtx_ms);
}

static void stop_2xx_rtx(struct sip_call *c)
{
	osip_free(c->resp2xx);
	c->resp2xx = NULL;
	loop_timer_stop(c->timer);
}

static void on_timer(void *arg)
{
	struct sip_call *c = arg;
	struct sip_ua *ua = c->ua;

	if (!c->resp2xx)
		return;
	if (loop_now_ms() >= c->rtx_deadline) {
		CLOG(LOG_LVL_NOTICE, c, "no ACK for our 2xx");
		stop_2xx_rtx(c);
		if (!c->initial_acked) {
			/* Section 13.3.1.4: end the dialog with a BYE. */
			int was_released = c->released;

			c->initial_acked = 1;
			c->bye_after_ack = 0;
			release(c);
			if (!was_released && ua->ev.terminated)
				ua->ev.terminated(ua->arg, c, -1, 0);
			send_bye(c, c->bye_q850 >= 0 ? c->bye_q850 : 102);
		}
		sip_ua_kick(ua);
		return;
	}
	sip_ua_send_raw(ua, c->resp2xx, c->resp2xx_len, c->resp_host, c->resp_port);
	c->rtx_ms = c->rtx_ms * 2 > SIP_T2_MS ? SIP_T2_MS : c->rtx_ms * 2;
	loop_timer_start(c->timer, (uint64_t)c->rtx_ms);
}

static char *uri_str(const osip_uri_t *u)
{
	char *s = NULL;

	if (!u || osip_uri_to_str(u, &s))
		return NULL;
	return s;
}

void sip_call_incoming(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *invite)
{
	struct sip_call *c = call_new(ua, 0);
	struct sip_invite_info info;
	osip_message_t *trying = NULL;
	char *ruri = NULL, *from = NULL, *to = NULL, display[128];

	if (!c) {
		sip_ua_reply(ua, tr, invite, 500);
		return;
	}
	if (osip_message_clone(invite, &c->invite) || osip_call_id_to_str(invite->call_id, &c->call_id)) {
		release(c);
		sip_ua_reply(ua, tr, invite, 500);
		return;
	}
	/* call_id came from osip: keep our own heap copy for free(). */
	{
		char *cid = strdup(c->call_id);

		osip_free(c->call_id);
		c->call_id = cid;
	}
	c->inv_tr = tr;
	attach(c, tr);
	c->st = CS_IN_PROCEEDING;
	c->bye_q850 = -1;
	c->hangup_q850 = -1;
	/* RFC 3261 section 17.2.1: 100 Trying at once. */
	if (sip_ua_build_response(ua, invite, 100, NULL, &trying) == 0)
		sip_ua_respond_tr(ua, tr, trying);

	memset(&info, 0, sizeof(info));
	ruri = uri_str(invite->req_uri);
	from = uri_str(invite->from->url);
	to = uri_str(invite->to->url);
	info.request_uri = ruri ? ruri : "";
	info.ruri_user = invite->req_uri->username ? invite->req_uri->username : "";
	info.from_uri = from ? from : "";
	info.from_user = invite->from->url->username ? invite->from->url->username : "";
	info.from_display = NULL;
	if (invite->from->displayname) {
		const char *dn = invite->from->displayname;
		size_t n = strlen(dn);

		if (n >= 2 && dn[0] == '"' && dn[n - 1] == '"') {
			dn++;
			n -= 2;
		}
		if (n >= sizeof(display))
			n = sizeof(display) - 1;
		memcpy(display, dn, n);
		display[n] = '\0';
		info.from_display = display;
	}
	info.to_uri = to ? to : "";
	info.call_id = c->call_id;
	snprintf(info.src_addr, sizeof(info.src_addr), "%s", ua->src_addr);
	info.src_port = ua->src_port;
	info.has_sdp = msg_sdp(invite, &info.offer) == 0;
	CLOG(LOG_LVL_INFO, c, "incoming INVITE %s from %s (%s:%u)%s", info.request_uri,
	     info.from_uri, info.src_addr, info.src_port, info.has_sdp ? " with SDP" : "");
	if (ua->ev.incoming)
		ua->ev.incoming(ua->arg, c, &info);
	else
		sip_call_respond(c, 480, NULL, -1);
	/* c may be released now: do not touch it. */
	osip_free(ruri);
	osip_free(from);
	osip_free(to);
}

static int rr_clone(void *a, void **b)
{
	return osip_from_clone(a, (osip_from_t **)b);
}

int sip_call_respond(struct sip_call *c, int code, const struct sdp_media *sdp, int q850)
{
	struct sip_ua *ua;
	osip_message_t *r = NULL;
	char contact[128];

	if (!c || c->outgoing || c->released || c->st != CS_IN_PROCEEDING || !c->inv_tr ||
	    code <= 100 || code > 699)
		return EINVAL;
	ua = c->ua;
	if (sip_ua_build_response(ua, c->invite, code, c->local_tag, &r))
		return ENOMEM;
	if (code < 300) {
		contact_of(ua, contact, sizeof(contact));
		osip_message_set_contact(r, contact);
		/* Section 12.1.1: Record-Route copied into dialog-creating responses. */
		osip_list_clone(&c->invite->record_routes, &r->record_routes, rr_clone);
		osip_message_set_allow(r, SIP_ALLOW);
		if (sdp && add_sdp(r, sdp)) {
			osip_message_free(r);
			return ENOSPC;
		}
	}
	add_reason(r, q850);
	CLOG(LOG_LVL_INFO, c, "responding %d%s (cause %d)", code, sdp && code < 300 ? " with SDP" : "", q850);
	if (code >= 200 && code < 300) {
		if (sdp) {
			c->local_sdp = *sdp;
			c->have_local_sdp = 1;
		}
		if (!c->dialog && osip_dialog_init_as_uas(&c->dialog, c->invite, r)) {
			c->dialog = NULL;
			CLOG(LOG_LVL_ERR, c, "cannot create the dialog");
		}
		start_2xx_rtx(c, r, c->invite);
		sip_ua_branch_add(ua, c->invite);
		set_state(c, CS_IN_WAIT_ACK);
	} else if (code >= 300) {
		release(c);
		set_state(c, CS_DONE);
	}
	sip_ua_respond_tr(ua, c->inv_tr, r);
	sip_ua_kick(ua);
	return 0;
}

void sip_call_on_incoming_2xx_retransmit(struct sip_call *c)
{
	if (c->resp2xx)
		sip_ua_send_raw(c->ua, c->resp2xx, c->resp2xx_len, c->resp_host, c->resp_port);
}

void sip_call_on_ack(struct sip_call *c, osip_message_t *ack)
{
	struct sip_ua *ua = c->ua;

	(void)ack;
	if (c->resp2xx)
		stop_2xx_rtx(c);
	if (c->initial_acked || c->outgoing)
		return;
	c->initial_acked = 1;
	set_state(c, CS_CONFIRMED);
	if (c->bye_after_ack) {
		c->bye_after_ack = 0;
		send_bye(c, c->bye_q850);
		return;
	}
	CLOG(LOG_LVL_INFO, c, "confirmed (ACK)");
	if (!c->released && ua->ev.confirmed)
		ua->ev.confirmed(ua->arg, c);
}

void sip_call_on_bye(struct sip_call *c, osip_transaction_t *tr, osip_message_t *bye)
{
	struct sip_ua *ua = c->ua;
	int q850 = sip_reason_q850(bye);

	sip_ua_reply(ua, tr, bye, 200);
	if (c->resp2xx)
		stop_2xx_rtx(c);
	c->bye_after_ack = 0;
	CLOG(LOG_LVL_INFO, c, "BYE received (cause %d)", q850);
	if (c->st != CS_BYE_SENT)
		set_state(c, CS_DONE);
	if (!c->released) {
		release(c);
		if (ua->ev.terminated)
			ua->ev.terminated(ua->arg, c, q850, 0);
	}
}

void sip_call_on_cancel(struct sip_call *c, osip_transaction_t *tr, osip_message_t *cancel)
{
	struct sip_ua *ua = c->ua;
	osip_message_t *r = NULL;
	int q850 = sip_reason_q850(cancel);

	sip_ua_reply(ua, tr, cancel, 200);	/* RFC 3261 section 9.2 */
	if (c->st != CS_IN_PROCEEDING || !c->inv_tr)
		return;
	if (sip_ua_build_response(ua, c->invite, 487, c->local_tag, &r) == 0)
		sip_ua_respond_tr(ua, c->inv_tr, r);
	CLOG(LOG_LVL_INFO, c, "CANCEL received (cause %d): 487", q850);
	set_state(c, CS_DONE);
	if (!c->released) {
		release(c);
		if (ua->ev.terminated)
			ua->ev.terminated(ua->arg, c, q850, 1);
	}
}

void sip_call_on_reinvite(struct sip_call *c, osip_transaction_t *tr, osip_message_t *inv)
{
	struct sip_ua *ua = c->ua;
	osip_message_t *r = NULL;
	char contact[128];

	/* RFC 3261 section 14.2: 491 while our own answer is in flight. */
	if (c->st != CS_CONFIRMED || c->resp2xx) {
		sip_ua_reply(ua, tr, inv, c->st == CS_CONFIRMED ? 491 : 500);
		return;
	}
	osip_dialog_update_osip_cseq_as_uas(c->dialog, inv);
	osip_dialog_update_route_set_as_uas(c->dialog, inv);
	if (sip_ua_build_response(ua, inv, 200, c->local_tag, &r))
		return;
	contact_of(ua, contact, sizeof(contact));
	osip_message_set_contact(r, contact);
	osip_message_set_allow(r, SIP_ALLOW);
	if (c->have_local_sdp) {
		/* RFC 3264 section 8: same session, version one higher. */
		c->local_sdp.sess_version++;
		add_sdp(r, &c->local_sdp);
	}
	CLOG(LOG_LVL_INFO, c, "re-INVITE: 200 with our SDP again");
	start_2xx_rtx(c, r, inv);
	sip_ua_respond_tr(ua, tr, r);
}

/* ---- UAC ---- */

int sip_call_invite(struct sip_ua *ua, const char *request_uri, const char *from_uri,
		    const char *to_uri, const char *dest_host, uint16_t dest_port,
		    const struct sdp_media *offer, void *user, struct sip_call **out)
{
	struct sip_call *c = NULL;
	osip_message_t *m = NULL;
	osip_uri_t *uri = NULL;
	osip_transaction_t *tr = NULL;
	osip_event_t *ev;
	char cid[96], tmp[17], contact[128];
	int err = EINVAL;

	*out = NULL;
	if (!ua || !request_uri || !from_uri || !to_uri || !is_ip_literal(dest_host) ||
	    strlen(dest_host) >= sizeof(c->dest_host))
		return EINVAL;
	if (osip_message_init(&m))
		return ENOMEM;
	osip_message_set_method(m, osip_strdup("INVITE"));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	if (osip_uri_init(&uri) || osip_uri_parse(uri, request_uri)) {
		osip_uri_free(uri);
		goto out;
	}
	osip_message_set_uri(m, uri);
	if (osip_message_set_from(m, from_uri) || !m->from || osip_message_set_to(m, to_uri) || !m->to)
		goto out;
	err = ENOMEM;
	c = call_new(ua, 1);
	if (!c)
		goto out;
	osip_from_set_tag(m->from, osip_strdup(c->local_tag));
	sip_ua_rand_token(tmp, sizeof(tmp));
	snprintf(cid, sizeof(cid), "%s@%s", tmp, ua->addr);
	c->call_id = strdup(cid);
	if (!c->call_id || osip_message_set_call_id(m, cid) || osip_message_set_cseq(m, "1 INVITE") ||
	    sip_ua_add_via(ua, m))
		goto out;
	c->local_cseq = 1;
	contact_of(ua, contact, sizeof(contact));
	osip_message_set_contact(m, contact);
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, ua->user_agent);
	osip_message_set_allow(m, SIP_ALLOW);
	if (offer) {
		err = add_sdp(m, offer);
		if (err)
			goto out;
		c->local_sdp = *offer;
		c->have_local_sdp = 1;
	}
	err = ENOMEM;
	if (osip_message_clone(m, &c->invite))
		goto out;
	snprintf(c->dest_host, sizeof(c->dest_host), "%s", dest_host);
	c->dest_port = dest_port;
	c->user = user;
	c->st = CS_OUT_CALLING;
	c->bye_q850 = -1;
	c->hangup_q850 = -1;
	if (osip_transaction_init(&tr, ICT, ua->osip, m))
		goto out;
	osip_ict_set_destination(tr->ict_context, osip_strdup(dest_host), dest_port);
	c->inv_tr = tr;
	attach(c, tr);
	ev = osip_new_outgoing_sipmessage(m);
	ev->transactionid = tr->transactionid;
	osip_transaction_add_event(tr, ev);
	CLOG(LOG_LVL_INFO, c, "INVITE %s to %s:%u", request_uri, dest_host, dest_port);
	*out = c;
	sip_ua_kick(ua);
	return 0;
out:
	osip_message_free(m);
	if (c)
		release(c);
	return err;
}

static void send_ack(struct sip_call *c, osip_message_t *resp)
{
	osip_message_t *ack = NULL;
	int saved;

	if (!c->dialog && osip_dialog_init_as_uac(&c->dialog, resp)) {
		c->dialog = NULL;
		CLOG(LOG_LVL_ERR, c, "cannot create the dialog from the 2xx");
		return;
	}
	/* RFC 3261 section 13.2.2.4: CSeq number of the INVITE, new branch. */
	saved = c->local_cseq;
	c->local_cseq = atoi(c->invite->cseq->number) - 1;
	if (build_in_dialog(c, "ACK", &ack)) {
		c->local_cseq = saved;
		return;
	}
	c->local_cseq = saved;
	next_hop(c, c->ack_host, sizeof(c->ack_host), &c->ack_port);
	osip_free(c->ack);
	c->ack = NULL;
	if (osip_message_to_str(ack, &c->ack, &c->ack_len) == 0 && c->ack)
		sip_ua_send_raw(c->ua, c->ack, c->ack_len, c->ack_host, c->ack_port);
	CLOG(LOG_LVL_DEBUG, c, "ACK sent to %s:%d", c->ack_host, c->ack_port);
	osip_message_free(ack);
}

void sip_call_on_stray_2xx(struct sip_call *c, osip_message_t *resp)
{
	(void)resp;
	if (c->ack) {
		CLOG(LOG_LVL_DEBUG, c, "2xx again: ACK again");
		sip_ua_send_raw(c->ua, c->ack, c->ack_len, c->ack_host, c->ack_port);
	}
}

void sip_call_on_ict(struct sip_call *c, int type, osip_message_t *resp)
{
	struct sip_ua *ua = c->ua;
	struct sdp_media sdp;
	int code, has_sdp;

	if (type == -1 || type == OSIP_ICT_STATUS_TIMEOUT) {
		code = type == -1 ? 503 : 408;
		CLOG(LOG_LVL_INFO, c, "INVITE failed: %s", code == 408 ? "timeout" : "transport error");
		set_state(c, CS_DONE);
		if (!c->released) {
			release(c);
			if (ua->ev.failed)
				ua->ev.failed(ua->arg, c, code, -1);
		}
		return;
	}
	if (!resp)
		return;
	code = resp->status_code;
	has_sdp = msg_sdp(resp, &sdp) == 0;
	if (code < 200) {
		c->got_1xx = 1;
		if (c->st == CS_CANCELLING && c->cancel_pending) {
			c->cancel_pending = 0;
			send_cancel(c);
		}
		if (code > 100 && !c->released && ua->ev.progress) {
			CLOG(LOG_LVL_INFO, c, "progress %d%s", code, has_sdp ? " with SDP" : "");
			ua->ev.progress(ua->arg, c, code, has_sdp ? &sdp : NULL);
		}
		return;
	}
	if (code < 300) {
		send_ack(c, resp);
		if (c->released || c->st == CS_CANCELLING) {
			/* The 2xx raced our CANCEL (RFC 3261 section 9.1): BYE it. */
			c->cancel_pending = 0;
			set_state(c, CS_CONFIRMED);
			send_bye(c, c->hangup_q850);
			return;
		}
		set_state(c, CS_CONFIRMED);
		CLOG(LOG_LVL_INFO, c, "answered %d%s", code, has_sdp ? " with SDP" : "");
		if (ua->ev.answered)
			ua->ev.answered(ua->arg, c, has_sdp ? &sdp : NULL);
		return;
	}
	set_state(c, CS_DONE);
	CLOG(LOG_LVL_INFO, c, "failed %d (cause %d)", code, sip_reason_q850(resp));
	if (!c->released) {
		release(c);
		if (ua->ev.failed)
			ua->ev.failed(ua->arg, c, code, sip_reason_q850(resp));
	}
}

int sip_call_hangup(struct sip_call *c, int q850)
{
	struct sip_ua *ua;
	osip_message_t *r = NULL;

	if (!c || c->released)
		return EINVAL;
	ua = c->ua;
	release(c);
	c->hangup_q850 = q850;
	CLOG(LOG_LVL_INFO, c, "hangup (cause %d)", q850);
	switch (c->st) {
	case CS_IN_PROCEEDING:
		if (c->inv_tr && sip_ua_build_response(ua, c->invite, 487, c->local_tag, &r) == 0) {
			add_reason(r, q850);
			sip_ua_respond_tr(ua, c->inv_tr, r);
		}
		set_state(c, CS_DONE);
		break;
	case CS_IN_WAIT_ACK:
		/* Section 15: no BYE before the ACK (or its timeout). */
		c->bye_after_ack = 1;
		c->bye_q850 = q850;
		break;
	case CS_CONFIRMED:
		send_bye(c, q850);
		break;
	case CS_OUT_CALLING:
		set_state(c, CS_CANCELLING);
		/* Section 9.1: no CANCEL before a provisional response. */
		if (c->got_1xx)
			send_cancel(c);
		else
			c->cancel_pending = 1;
		break;
	default:
		break;
	}
	sip_ua_kick(ua);
	return 0;
}

void sip_call_set_user(struct sip_call *c, void *user)
{
	if (c)
		c->user = user;
}

void *sip_call_user(const struct sip_call *c)
{
	return c ? c->user : NULL;
}

const char *sip_call_id(const struct sip_call *c)
{
	return c && c->call_id ? c->call_id : "";
}

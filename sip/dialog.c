/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The messages of an INVITE dialog that libosip2 leaves to us: requests
 * inside the dialog (RFC 3261 section 12.2.1.1: remote target, route set,
 * CSeq), the ACK for a 2xx (section 13.2.2.4), CANCEL (section 9.1), and
 * which call a request belongs to. No state changes here: the machine in
 * call.c decides when each is sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "sip/sip_int.h"

#define DLOG(lvl, c, fmt, ...) \
	log_msg(LOG_SIP, (lvl), "sip call %u (%s){%s}: " fmt, (c)->id, \
		(c)->call_id ? (c)->call_id : "-", sip_call_state_name((c)->st), ##__VA_ARGS__)

void sip_call_attach(struct sip_call *c, osip_transaction_t *tr)
{
	osip_transaction_set_your_instance(tr, c);
	c->ntr++;
}

/* ---- lookups ---- */

int sip_call_index(struct sip_call *c)
{
	int err = hmap_insert(&c->ua->calls_by_cid, &c->cid_node, hmap_hash_str(c->call_id));

	c->indexed = !err;
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

/* ---- message parts ---- */

void sip_contact_of(struct sip_ua *ua, char *out, size_t len)
{
	char host[80];

	sip_host_fmt(ua->addr, host, sizeof(host));
	snprintf(out, len, "<sip:sipgw@%s:%u>", host, ua->port);
}

int sip_add_sdp(osip_message_t *m, const struct sdp_media *s)
{
	char buf[1024];
	int err = sdp_build(s, buf, sizeof(buf));

	if (err)
		return err;
	osip_message_set_content_type(m, "application/sdp");
	return osip_message_set_body(m, buf, strlen(buf)) ? ENOMEM : 0;
}

void sip_add_reason(osip_message_t *m, int q850)
{
	char buf[40];

	if (q850 < 0)
		return;
	snprintf(buf, sizeof(buf), "Q.850;cause=%d", q850);
	osip_message_set_header(m, "Reason", buf);
}

int sip_msg_sdp(const osip_message_t *m, struct sdp_media *out)
{
	osip_body_t *b = NULL;
	const osip_content_type_t *ct = m->content_type;

	if (!ct || !ct->type || !ct->subtype || strcasecmp(ct->type, "application") ||
	    strcasecmp(ct->subtype, "sdp"))
		return ENOENT;
	if (osip_message_get_body(m, 0, &b) < 0 || !b || !b->body || !b->length)
		return ENOENT;
	return sdp_parse(b->body, b->length, out);
}

static int route_clone(void *a, void **b)
{
	return osip_from_clone(a, (osip_from_t **)b);
}

int sip_is_ip_literal(const char *h)
{
	unsigned char tmp[16];

	return h && (inet_pton(AF_INET, h, tmp) == 1 || inet_pton(AF_INET6, h, tmp) == 1);
}

/* ---- requests inside the dialog ---- */

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
	if (u && u->host && sip_is_ip_literal(u->host)) {
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

/* m is consumed. */
static int send_nict(struct sip_call *c, osip_message_t *m, const char *host, int port)
{
	osip_transaction_t *tr = NULL;
	int err = sip_txn_client(c->ua, NICT, m, host, port, &tr);

	if (err) {
		osip_message_free(m);
		return err;
	}
	sip_call_attach(c, tr);
	return 0;
}

int sip_dialog_send_bye(struct sip_call *c, int q850)
{
	osip_message_t *bye;
	char host[64];
	int port;

	c->bye_tried = 1;
	if (build_in_dialog(c, "BYE", &bye)) {
		DLOG(LOG_LVL_ERR, c, "cannot build BYE");
		return ENOMEM;
	}
	sip_add_reason(bye, q850);
	next_hop(c, host, sizeof(host), &port);
	DLOG(LOG_LVL_INFO, c, "sending BYE (cause %d)", q850);
	return send_nict(c, bye, host, port);
}

/* RFC 3261 section 9.1: same Request-URI, Call-ID, From, To, CSeq number
 * and top Via as the INVITE. */
int sip_dialog_send_cancel(struct sip_call *c)
{
	osip_message_t *m = NULL, *inv = c->invite;
	osip_uri_t *uri = NULL;
	osip_via_t *via = NULL;
	char cseq[40];

	if (osip_message_init(&m))
		return ENOMEM;
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
	sip_add_reason(m, c->hangup_q850);
	DLOG(LOG_LVL_INFO, c, "sending CANCEL (cause %d)", c->hangup_q850);
	return send_nict(c, m, c->dest_host, c->dest_port);
fail:
	osip_message_free(m);
	return ENOMEM;
}

/* The dialog from our INVITE's 2xx, and its ACK: RFC 3261 section
 * 13.2.2.4, CSeq number of the INVITE, a new branch. Kept for
 * retransmitted 2xx. */
int sip_dialog_send_ack(struct sip_call *c, osip_message_t *resp)
{
	osip_message_t *ack = NULL;
	int saved;

	if (!c->dialog && osip_dialog_init_as_uac(&c->dialog, resp)) {
		c->dialog = NULL;
		DLOG(LOG_LVL_ERR, c, "cannot create the dialog from the 2xx");
		return ENOMEM;
	}
	saved = c->local_cseq;
	c->local_cseq = atoi(c->invite->cseq->number) - 1;
	if (build_in_dialog(c, "ACK", &ack)) {
		c->local_cseq = saved;
		return ENOMEM;
	}
	c->local_cseq = saved;
	next_hop(c, c->ack_host, sizeof(c->ack_host), &c->ack_port);
	osip_free(c->ack);
	c->ack = NULL;
	if (osip_message_to_str(ack, &c->ack, &c->ack_len) == 0 && c->ack)
		sip_ua_send_raw(c->ua, c->ack, c->ack_len, c->ack_host, c->ack_port);
	DLOG(LOG_LVL_DEBUG, c, "ACK sent to %s:%d", c->ack_host, c->ack_port);
	osip_message_free(ack);
	return 0;
}

void sip_dialog_resend_ack(struct sip_call *c)
{
	if (!c->ack)
		return;
	DLOG(LOG_LVL_DEBUG, c, "2xx again: ACK again");
	sip_ua_send_raw(c->ua, c->ack, c->ack_len, c->ack_host, c->ack_port);
}

/* ---- the INVITE and the responses to it ---- */

static int rr_clone(void *a, void **b)
{
	return osip_from_clone(a, (osip_from_t **)b);
}

/* A response of ours to req (the INVITE or a re-INVITE): a 1xx/2xx carries
 * Contact, Allow, the SDP when given, and copies Record-Route when it
 * creates the dialog (RFC 3261 section 12.1.1). */
int sip_dialog_build_response(struct sip_call *c, const osip_message_t *req, int code,
			      const struct sdp_media *sdp, int q850, osip_message_t **out)
{
	osip_message_t *r = NULL;
	char contact[128];

	*out = NULL;
	if (sip_ua_build_response(c->ua, req, code, c->local_tag, &r))
		return ENOMEM;
	if (code < 300) {
		sip_contact_of(c->ua, contact, sizeof(contact));
		osip_message_set_contact(r, contact);
		if (req == c->invite)
			osip_list_clone(&req->record_routes, &r->record_routes, rr_clone);
		osip_message_set_allow(r, SIP_ALLOW);
		if (sdp && sip_add_sdp(r, sdp)) {
			osip_message_free(r);
			return ENOSPC;
		}
	}
	sip_add_reason(r, q850);
	*out = r;
	return 0;
}

static char *uri_str(const osip_uri_t *u)
{
	char *s = NULL;

	if (!u || osip_uri_to_str(u, &s))
		return NULL;
	return s;
}

/* What gw/ learns of an incoming INVITE; free own[0..2] with osip_free. */
void sip_dialog_invite_info(struct sip_call *c, const osip_message_t *invite,
			    struct sip_invite_info *info, char *own[3], char *display, size_t dlen)
{
	memset(info, 0, sizeof(*info));
	own[0] = uri_str(invite->req_uri);
	own[1] = uri_str(invite->from->url);
	own[2] = uri_str(invite->to->url);
	info->request_uri = own[0] ? own[0] : "";
	info->ruri_user = invite->req_uri->username ? invite->req_uri->username : "";
	info->from_uri = own[1] ? own[1] : "";
	info->from_user = invite->from->url->username ? invite->from->url->username : "";
	info->from_display = NULL;
	if (invite->from->displayname && dlen) {
		const char *dn = invite->from->displayname;
		size_t n = strlen(dn);

		if (n >= 2 && dn[0] == '"' && dn[n - 1] == '"') {
			dn++;
			n -= 2;
		}
		if (n >= dlen)
			n = dlen - 1;
		memcpy(display, dn, n);
		display[n] = '\0';
		info->from_display = display;
	}
	info->to_uri = own[2] ? own[2] : "";
	info->call_id = c->call_id;
	snprintf(info->src_addr, sizeof(info->src_addr), "%s", c->ua->src.host);
	info->src_port = c->ua->src.port;
	info->sdp_error = sip_msg_sdp(invite, &info->offer);
	info->has_sdp = info->sdp_error == 0;
	if (info->has_sdp)
		c->remote_dir = info->offer.dir;
}

/* A From or To value: a bare URI goes in angle brackets, so that its own
 * parameters (";user=phone") stay the URI's (RFC 3261 section 20.10). */
static void name_addr(const char *uri, char *out, size_t len)
{
	if (strchr(uri, '<'))
		snprintf(out, len, "%s", uri);
	else
		snprintf(out, len, "<%s>", uri);
}

/* Our INVITE (RFC 3261 section 8.1.1): From tag, a new Call-ID (kept in
 * c->call_id), CSeq 1, Contact, the offer. */
int sip_dialog_build_invite(struct sip_call *c, const char *request_uri, const char *from_uri,
			    const char *to_uri, const struct sdp_media *offer, osip_message_t **out)
{
	struct sip_ua *ua = c->ua;
	osip_message_t *m = NULL;
	osip_uri_t *uri = NULL;
	char cid[96], tmp[17], contact[128], from[400], to[400];
	int err = EINVAL;

	*out = NULL;
	if (osip_message_init(&m))
		return ENOMEM;
	osip_message_set_method(m, osip_strdup("INVITE"));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	if (osip_uri_init(&uri) || osip_uri_parse(uri, request_uri)) {
		osip_uri_free(uri);
		goto out;
	}
	osip_message_set_uri(m, uri);
	name_addr(from_uri, from, sizeof(from));
	name_addr(to_uri, to, sizeof(to));
	if (osip_message_set_from(m, from) || !m->from || osip_message_set_to(m, to) || !m->to)
		goto out;
	err = ENOMEM;
	osip_from_set_tag(m->from, osip_strdup(c->local_tag));
	sip_ua_rand_token(tmp, sizeof(tmp));
	snprintf(cid, sizeof(cid), "%s@%s", tmp, ua->addr);
	c->call_id = strdup(cid);
	if (!c->call_id || sip_call_index(c) || osip_message_set_call_id(m, cid) || osip_message_set_cseq(m, "1 INVITE") ||
	    sip_ua_add_via(ua, m))
		goto out;
	c->local_cseq = 1;
	sip_contact_of(ua, contact, sizeof(contact));
	osip_message_set_contact(m, contact);
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, ua->user_agent);
	osip_message_set_allow(m, SIP_ALLOW);
	if (offer) {
		err = sip_add_sdp(m, offer);
		if (err)
			goto out;
	}
	*out = m;
	return 0;
out:
	osip_message_free(m);
	return err;
}

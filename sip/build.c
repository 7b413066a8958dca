/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Building our messages, outside any dialog's logic: a request line, a
 * response to a request (and queueing it on its server transaction), our
 * Via, Contact, an SDP body, a Reason header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_int.h"

/* The request line on a new message; uri is the message's from here on,
 * even on an error. */
static int request_line(const char *method, osip_uri_t *uri, osip_message_t **out)
{
	osip_message_t *m = NULL;

	if (osip_message_init(&m)) {
		osip_uri_free(uri);
		return ENOMEM;
	}
	osip_message_set_method(m, osip_strdup(method));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	osip_message_set_uri(m, uri);
	*out = m;
	return 0;
}

int sip_request_new(const char *method, const char *uri, osip_message_t **out)
{
	osip_uri_t *u = NULL;

	*out = NULL;
	if (osip_uri_init(&u))
		return ENOMEM;
	if (osip_uri_parse(u, uri)) {
		osip_uri_free(u);
		return EINVAL;
	}
	return request_line(method, u, out);
}

int sip_request_new_uri(const char *method, const osip_uri_t *uri, osip_message_t **out)
{
	osip_uri_t *u = NULL;

	*out = NULL;
	if (osip_uri_clone(uri, &u))
		return ENOMEM;
	return request_line(method, u, out);
}

int sip_ua_add_via(struct sip_ua *ua, osip_message_t *m)
{
	char host[80], br[17], via[200];

	sip_host_fmt(ua->addr, host, sizeof(host));
	sip_ua_rand_token(br, sizeof(br));
	/* RFC 3261 section 8.1.1.7 (magic cookie), RFC 3581 (rport). */
	snprintf(via, sizeof(via), "SIP/2.0/%s %s:%u;rport;branch=z9hG4bK%s",
		 ua->tp ? sip_transport_name(ua->tp) : "UDP", host, ua->port, br);
	return osip_message_set_via(m, via);
}

static int via_clone(void *a, void **b)
{
	return osip_via_clone(a, (osip_via_t **)b);
}

int sip_ua_build_response(struct sip_ua *ua, const osip_message_t *req, int code,
			  const char *to_tag, osip_message_t **out)
{
	osip_message_t *r = NULL;
	osip_generic_param_t *tag = NULL;
	const char *reason = osip_message_get_reason(code);

	*out = NULL;
	if (osip_message_init(&r))
		return ENOMEM;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, code);
	osip_message_set_reason_phrase(r, osip_strdup(reason ? reason : "Unknown"));
	if (osip_list_clone(&req->vias, &r->vias, via_clone) ||
	    osip_from_clone(req->from, &r->from) || osip_to_clone(req->to, &r->to) ||
	    osip_call_id_clone(req->call_id, &r->call_id) || osip_cseq_clone(req->cseq, &r->cseq)) {
		osip_message_free(r);
		return ENOMEM;
	}
	if (code > 100 && to_tag && osip_to_get_tag(r->to, &tag) != 0)
		osip_to_set_tag(r->to, osip_strdup(to_tag));
	if (ua->user_agent)
		osip_message_set_header(r, "Server", ua->user_agent);
	*out = r;
	return 0;
}

void sip_ua_respond_tr(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *resp)
{
	osip_event_t *ev = osip_new_outgoing_sipmessage(resp);

	if (!ev) {
		osip_message_free(resp);
		return;
	}
	ev->transactionid = tr->transactionid;
	sip_txn_add_event(tr, ev);
	/* Sent on the next execute pass (callers kick). */
	(void)ua;
}

int sip_ua_reply(struct sip_ua *ua, osip_transaction_t *tr, const osip_message_t *req, int code)
{
	osip_message_t *r;
	char tag[17];
	int err;

	sip_ua_rand_token(tag, sizeof(tag));
	err = sip_ua_build_response(ua, req, code, tag, &r);
	if (err)
		return err;
	if (code == 405 || code == 501 || (MSG_IS_OPTIONS(req) && code < 300))
		osip_message_set_allow(r, SIP_ALLOW);
	if (code == 415 || code == 406 || (MSG_IS_OPTIONS(req) && code < 300))
		osip_message_set_accept(r, "application/sdp");
	if (code == 420) {
		osip_header_t *h = NULL;
		int pos = 0;

		/* RFC 3261 section 8.2.2.3: list what we do not support. */
		while ((pos = osip_message_header_get_byname(req, "require", pos, &h)) >= 0) {
			if (h && h->hvalue)
				osip_message_set_header(r, "Unsupported", h->hvalue);
			pos++;
		}
	}
	sip_ua_respond_tr(ua, tr, r);
	return 0;
}

void sip_contact_of(struct sip_ua *ua, char *out, size_t len)
{
	char host[80];

	sip_host_fmt(ua->addr, host, sizeof(host));
	snprintf(out, len, "<sip:sipgw@%s:%u>", host, ua->port);
}

int sip_add_sdp(osip_message_t *m, const struct sip_sdp_media *s)
{
	char buf[1024];
	int err = sip_sdp_build(s, buf, sizeof(buf));

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

int sip_name_addr_clone(void *a, void **b)
{
	return osip_from_clone(a, (osip_from_t **)b);
}

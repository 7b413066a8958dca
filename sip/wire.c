/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The UA's side of the transport: messages out (serialised, logged,
 * counted, handed to the transport) and messages in, whatever transport
 * they came by: validation, transaction matching (txn.c), what matches no
 * transaction (a 2xx or an ACK for a dialog, an INVITE retransmitted after
 * our 2xx), and a new server transaction for a new request (request.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sip/sip_int.h"

static void log_msg_line(const char *dir, const osip_message_t *m, const char *host, int port)
{
	const char *cid = m->call_id && m->call_id->number ? m->call_id->number : "-";

	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	if (MSG_IS_REQUEST(m))
		log_debug(LOG_SIP, "sip %s %s:%d: %s (Call-ID %s)", dir, host, port,
			  m->sip_method ? m->sip_method : "?", cid);
	else
		log_debug(LOG_SIP, "sip %s %s:%d: SIP/2.0 %d %s %s (Call-ID %s)", dir, host, port,
			  m->status_code, m->reason_phrase ? m->reason_phrase : "",
			  m->cseq && m->cseq->method ? m->cseq->method : "", cid);
}

/* ---- out ---- */

int sip_ua_send_raw(struct sip_ua *ua, const char *buf, size_t len, const char *host, int port)
{
	int err = ua->tp ? sip_transport_send(ua->tp, buf, len, host, port) : ENOTCONN;

	if (err) {
		log_debug(LOG_SIP, "sip: send to %s:%d failed: %s", host, port, strerror(err));
		return err;
	}
	ua->st.tx_msgs++;
	return 0;
}

int sip_ua_send_msg(struct sip_ua *ua, osip_message_t *m, const char *host, int port)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (osip_message_to_str(m, &buf, &len) || !buf)
		return EINVAL;
	log_msg_line("->", m, host, port);
	err = sip_ua_send_raw(ua, buf, len, host, port);
	osip_free(buf);
	return err;
}

/* ---- in ---- */

static void reply_raw(struct sip_ua *ua, const char *buf, size_t len, int code)
{
	char out[4096], tag[17];
	size_t n = 0;

	sip_ua_rand_token(tag, sizeof(tag));
	if (sip_build_raw_error(buf, len, code, ua->user_agent, tag, out, sizeof(out), &n)) {
		log_debug(LOG_SIP, "sip <- %s:%u: malformed, dropped", ua->src.host, ua->src.port);
		return;
	}
	log_debug(LOG_SIP, "sip -> %s:%u: SIP/2.0 %d (stateless, malformed request)", ua->src.host,
		  ua->src.port, code);
	sip_ua_send_raw(ua, out, n, ua->src.host, ua->src.port);
}

static struct sip_call *call_of(struct sip_ua *ua, const osip_message_t *m, int outgoing)
{
	struct sip_call *c;
	char *cid = NULL;

	osip_call_id_to_str(m->call_id, &cid);
	c = cid ? sip_call_find_callid(ua, cid, outgoing) : NULL;
	osip_free(cid);
	return c;
}

/* What no transaction took: a response or an ACK ends here (1, evt
 * freed); a request that is not a retransmitted INVITE is new (0). */
static int stray(struct sip_ua *ua, osip_event_t *evt)
{
	osip_message_t *m = evt->sip;
	struct sip_call *c;

	if (MSG_IS_RESPONSE(m)) {
		/* A 2xx retransmitted after the ICT ended: resend our ACK. */
		if (MSG_IS_STATUS_2XX(m) && m->cseq && !strcmp(m->cseq->method, "INVITE") &&
		    (c = call_of(ua, m, 1)))
			sip_call_on_stray_2xx(c, m);
	} else if (MSG_IS_ACK(m)) {
		c = sip_call_find_dialog(ua, m);
		if (c)
			sip_call_on_request(c, NULL, m);
	} else if (MSG_IS_INVITE(m) && sip_ua_branch_seen(ua, m)) {
		/* RFC 3261 section 13.3.1.4: the INVITE again after our 2xx. */
		c = call_of(ua, m, 0);
		if (c)
			sip_call_on_incoming_2xx_retransmit(c);
	} else {
		return 0;
	}
	osip_event_free(evt);
	return 1;
}

static void new_request(struct sip_ua *ua, osip_event_t *evt, const char *buf, size_t len)
{
	osip_transaction_t *tr = osip_create_transaction(ua->osip, evt);

	if (!tr) {
		ua->st.rx_bad++;
		osip_event_free(evt);
		reply_raw(ua, buf, len, 400);
		return;
	}
	if (sip_txn_adopt(ua, tr)) {
		osip_transaction_free2(tr);
		osip_event_free(evt);
		reply_raw(ua, buf, len, 500);
		return;
	}
	sip_txn_add_event(tr, evt);
	sip_ua_handle_request(ua, tr, evt->sip);
}

void sip_ua_receive(struct sip_ua *ua, char *buf, size_t len, const struct sip_addr *src)
{
	osip_event_t *evt = NULL;
	osip_message_t *m;
	int is_req = 0, code;
	char line[120];

	ua->src = *src;
	buf[len] = '\0';
	if (len == 0) {
		ua->st.rx_bad++;
		return;
	}
	/* Keep-alive CRLFs (RFC 5626 section 4.4.1) are not messages. */
	if (strspn(buf, "\r\n") >= len)
		return;
	ua->st.rx_msgs++;
	code = sip_parse_datagram(buf, len, &evt, &is_req);
	if (code) {
		ua->st.rx_bad++;
		sip_raw_request_line(buf, len, line, sizeof(line));
		log_debug(LOG_SIP, "sip <- %s:%u: invalid (%d): %s", src->host, src->port, code, line);
		if (is_req)
			reply_raw(ua, buf, len, code);
		return;
	}
	m = evt->sip;
	if (MSG_IS_REQUEST(m))
		osip_message_fix_last_via_header(m, src->host, src->port);
	log_msg_line("<-", m, src->host, src->port);
	if (sip_txn_deliver(ua, evt) == 0 || stray(ua, evt))
		return;
	new_request(ua, evt, buf, len);
}

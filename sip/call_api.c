/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The call API of sip.h, and the events ua.c, wire.c and request.c hand
 * to a call: each becomes one event of the dialog machine (call.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sip/sip_int.h"

/* ---- events from ua.c and request.c ---- */

void sip_call_incoming(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *invite)
{
	struct sip_call *c = sip_call_new(ua, 0);
	struct sip_call_ev e = { .type = SIP_CE_INVITE, .tr = tr, .msg = invite };
	char *cid = NULL;

	if (!c) {
		sip_ua_reply(ua, tr, invite, 500);
		return;
	}
	if (osip_message_clone(invite, &c->invite) || osip_call_id_to_str(invite->call_id, &cid) ||
	    !(c->call_id = strdup(cid)) || sip_call_index(c)) {
		osip_free(cid);
		sip_ua_reply(ua, tr, invite, 500);
		sip_call_fail(c, 500, -1, "cannot keep the INVITE");
		return;
	}
	osip_free(cid);
	c->inv_tr = tr;
	sip_call_attach(c, tr);
	sip_call_dispatch(c, &e);
}

/* A request inside the dialog, or a CANCEL matched to our INVITE. tr is
 * NULL for an ACK. */
void sip_call_on_request(struct sip_call *c, osip_transaction_t *tr, osip_message_t *req)
{
	struct sip_call_ev e = { .tr = tr, .msg = req, .q850 = sip_reason_q850(req) };

	e.type = MSG_IS_ACK(req) ? SIP_CE_ACK : MSG_IS_BYE(req) ? SIP_CE_BYE :
		 MSG_IS_CANCEL(req) ? SIP_CE_CANCEL : SIP_CE_REINVITE;
	sip_call_dispatch(c, &e);
}

void sip_call_on_incoming_2xx_retransmit(struct sip_call *c)
{
	struct sip_call_ev e = { .type = SIP_CE_INVITE_AGAIN };

	sip_call_dispatch(c, &e);
}

void sip_call_on_stray_2xx(struct sip_call *c, osip_message_t *resp)
{
	struct sip_call_ev e = { .type = SIP_CE_2XX_AGAIN, .msg = resp, .code = resp->status_code };

	sip_call_dispatch(c, &e);
}

/* type: an OSIP_ICT_* message callback, or -1 for a transport error. */
void sip_call_on_ict(struct sip_call *c, int type, osip_message_t *resp)
{
	struct sip_call_ev e = { .msg = resp, .q850 = -1 };
	struct sip_sdp_media sdp;

	if (type == -1 || type == OSIP_ICT_STATUS_TIMEOUT) {
		e.type = type == -1 ? SIP_CE_TRANSPORT_ERROR : SIP_CE_TIMER_B;
		e.code = type == -1 ? 503 : 408;
	} else if (!resp) {
		return;
	} else {
		e.code = resp->status_code;
		if (type == OSIP_ICT_STATUS_2XX_RECEIVED_AGAIN)
			e.type = SIP_CE_2XX_AGAIN;
		else
			e.type = e.code < 200 ? SIP_CE_1XX : e.code < 300 ? SIP_CE_2XX : SIP_CE_FINAL;
		if (e.code < 300 && sip_msg_sdp(resp, &sdp) == 0) {
			e.sdp = &sdp;
			if (e.code >= 200)
				c->remote_dir = sdp.dir;
		}
		if (e.type == SIP_CE_FINAL) {
			int w = sip_header_number(resp, "warning");

			e.q850 = sip_reason_q850(resp);
			/* RFC 3261 20.33: delta-seconds first; 20.43: a warn-code is 3xx */
			c->retry_after = sip_header_number(resp, "retry-after");
			c->warning = w >= 300 && w <= 399 ? w : 0;
		}
	}
	sip_call_dispatch(c, &e);
}

/* ---- the API (sip.h) ---- */

int sip_call_invite(struct sip_ua *ua, const char *request_uri, const char *from_uri,
		    const char *to_uri, const char *dest_host, uint16_t dest_port,
		    const struct sip_sdp_media *offer, void *user, struct sip_call **out)
{
	struct sip_call *c = NULL;
	osip_message_t *m = NULL;
	struct sip_call_ev e = { .type = SIP_CE_CMD_INVITE };
	int err;

	*out = NULL;
	if (!ua || !request_uri || !from_uri || !to_uri || !sip_is_ip_literal(dest_host) ||
	    strlen(dest_host) >= sizeof(c->dest_host))
		return EINVAL;
	c = sip_call_new(ua, 1);
	if (!c)
		return ENOMEM;
	err = sip_dialog_build_invite(c, request_uri, from_uri, to_uri, offer, &m);
	if (err)
		goto out;
	if (offer) {
		c->local_sdp = *offer;
		c->have_local_sdp = 1;
	}
	err = ENOMEM;
	if (osip_message_clone(m, &c->invite))
		goto out;
	snprintf(c->dest_host, sizeof(c->dest_host), "%s", dest_host);
	c->dest_port = dest_port;
	c->user = user;
	e.msg = m;
	err = sip_call_dispatch(c, &e);
	if (err)
		goto out;
	SIP_CLOG(LOG_LVL_INFO, c, "INVITE %s to %s:%u", request_uri, dest_host, dest_port);
	*out = c;
	sip_ua_kick(ua);
	return 0;
out:
	osip_message_free(m);	/* the transaction's only once it was made */
	if (fsm_state(c->fsm) == SIP_CS_NULL)	/* else act_invite took the failure path */
		sip_call_fail(c, 500, -1, "INVITE not sent: %s", strerror(err));
	sip_ua_kick(ua);	/* reaps it */
	return err;
}

/* gw/'s response to the INVITE, built before the machine takes it (its
 * action only sends it: a response that cannot be built changes no
 * state). A 503 says when to try again (RFC 3261 section 21.5.4), unless
 * it goes statelessly. */
int sip_call_build_answer(struct sip_call *c, struct sip_call_ev *e)
{
	int err = sip_dialog_build_response(c, c->invite, e->code, e->sdp, e->q850, &e->msg);

	if (err) {
		SIP_CLOG(LOG_LVL_WARN, c, "%d not sent: %s", e->code, strerror(err));
		return err;
	}
	if (e->code == 503 && c->ua->retry_after > 0 && e->type != SIP_CE_CMD_REFUSE) {
		char v[16];

		snprintf(v, sizeof(v), "%d", c->ua->retry_after);
		osip_message_set_header(e->msg, "Retry-After", v);
	}
	return 0;
}

/* A response from gw/ to its incoming INVITE: with its INVITE transaction
 * alive, a status from min_code to 699, in a state that takes it. */
static int respond_cmd(struct sip_call *c, struct sip_call_ev *e, int min_code)
{
	struct sip_ua *ua = c->ua;
	int err;

	if (!c->inv_tr || e->code < min_code || e->code > 699)
		return sip_call_refused(c, e);
	err = sip_call_build_answer(c, e);
	if (err)
		return err;
	err = sip_call_dispatch(c, e);
	if (err)
		osip_message_free(e->msg);	/* refused: not sent */
	else
		sip_ua_kick(ua);
	return err;
}

int sip_call_respond(struct sip_call *c, int code, const struct sip_sdp_media *sdp, int q850)
{
	struct sip_call_ev e = { .code = code, .sdp = sdp, .q850 = q850 };

	if (!c)
		return EINVAL;
	e.type = code < 200 ? SIP_CE_CMD_1XX : code < 300 ? SIP_CE_CMD_2XX : SIP_CE_CMD_REJECT;
	return respond_cmd(c, &e, 101);
}

int sip_call_refuse(struct sip_call *c, int code, int q850)
{
	struct sip_call_ev e = { .type = SIP_CE_CMD_REFUSE, .code = code, .q850 = q850 };

	return c ? respond_cmd(c, &e, 300) : EINVAL;
}

int sip_call_hangup(struct sip_call *c, int q850)
{
	struct sip_call_ev e = { .type = SIP_CE_CMD_HANGUP, .q850 = q850 };
	struct sip_ua *ua;
	int err;

	if (!c)
		return EINVAL;
	ua = c->ua;
	SIP_CLOG(LOG_LVL_INFO, c, "hangup (cause %d)", q850);
	err = sip_call_dispatch(c, &e);
	sip_ua_kick(ua);
	return err;
}

int sip_call_remote_sends(const struct sip_call *c)
{
	return c && (c->remote_dir == SIP_SDP_SENDRECV || c->remote_dir == SIP_SDP_SENDONLY);
}

int sip_call_warning(const struct sip_call *c)
{
	return c ? c->warning : 0;
}

int sip_call_retry_after(const struct sip_call *c)
{
	return c ? c->retry_after : -1;
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

struct fsm *sip_call_fsm(struct sip_call *c)
{
	return c->fsm;
}

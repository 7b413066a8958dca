/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One INVITE dialog's state machine (RFC 3261 sections 9, 12-15, and what
 * libosip2 leaves to the core: 2xx retransmission, the ACK wait, CANCEL,
 * BYE, re-INVITE). The API of sip.h and the events from the network are
 * call_api.c; the messages are built in invite.c and dialog.c.
 *
 * The machine is one const table of (state, event) -> (action, next
 * state), below. Events are what arrives from the network (through
 * call_api.c), our own timers, and what gw/ commands. An event not in
 * the table is refused and logged; a refused command returns an errno, a
 * refused request is answered 500. One failure path, sip_call_fail().
 *
 * Timers (values from the UA: t1_ms, t2_ms):
 *   t_2xx  2xx retransmission, RFC 3261 section 13.3.1.4: T1, doubling to T2
 *   t_ack  the wait for the ACK to our 2xx, 64*T1 (section 13.3.1.4); the
 *          initial INVITE's dialog then ends with a BYE
 *   (the INVITE transaction's Timer B is libosip2's; the branch cache,
 *   Timer L of RFC 6026, is the UA's: branch.c)
 *
 * A call is freed once gw/ released it and no transaction or timer needs it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sip/sip_int.h"

static const char *const state_names[SIP_CS_COUNT] = {
	[SIP_CS_NULL] = "NULL",
	[SIP_CS_IN_PROCEEDING] = "IN_PROCEEDING",
	[SIP_CS_IN_WAIT_ACK] = "IN_WAIT_ACK",
	[SIP_CS_IN_WAIT_ACK_BYE] = "IN_WAIT_ACK_BYE",
	[SIP_CS_OUT_CALLING] = "OUT_CALLING",
	[SIP_CS_OUT_PROCEEDING] = "OUT_PROCEEDING",
	[SIP_CS_CANCEL_PENDING] = "CANCEL_PENDING",
	[SIP_CS_CANCELLING] = "CANCELLING",
	[SIP_CS_CONFIRMED] = "CONFIRMED",
	[SIP_CS_BYE_SENT] = "BYE_SENT",
	[SIP_CS_DONE] = "DONE",
};

static const char *const event_names[SIP_CE_COUNT] = {
	[SIP_CE_INVITE] = "INVITE",
	[SIP_CE_1XX] = "1xx",
	[SIP_CE_2XX] = "2xx",
	[SIP_CE_2XX_AGAIN] = "2xx again",
	[SIP_CE_FINAL] = "3xx-6xx",
	[SIP_CE_TIMER_B] = "Timer B",
	[SIP_CE_TRANSPORT_ERROR] = "transport error",
	[SIP_CE_ACK] = "ACK",
	[SIP_CE_BYE] = "BYE",
	[SIP_CE_CANCEL] = "CANCEL",
	[SIP_CE_REINVITE] = "re-INVITE",
	[SIP_CE_INVITE_AGAIN] = "INVITE again",
	[SIP_CE_TIMER_2XX] = "2xx retransmission timer",
	[SIP_CE_TIMER_ACK] = "ACK timer (64*T1)",
	[SIP_CE_CMD_INVITE] = "invite",
	[SIP_CE_CMD_1XX] = "respond 1xx",
	[SIP_CE_CMD_2XX] = "respond 2xx",
	[SIP_CE_CMD_REJECT] = "respond >=300",
	[SIP_CE_CMD_REFUSE] = "refuse (stateless)",
	[SIP_CE_CMD_HANGUP] = "hangup",
};

const char *sip_call_state_name(enum sip_call_state st)
{
	return st < SIP_CS_COUNT ? state_names[st] : "?";
}

typedef int (*sip_call_action)(struct sip_call *c, const struct sip_call_ev *e);

struct sip_call_transition {
	enum sip_call_state from;
	enum sip_call_event ev;
	enum sip_call_state to;
	sip_call_action act;
};

static void on_t_2xx(void *arg);
static void on_t_ack(void *arg);

/* ---- life cycle ---- */

void sip_call_release(struct sip_call *c)
{
	c->released = 1;
	sip_call_touch(c);
}

struct sip_call *sip_call_new(struct sip_ua *ua, int outgoing)
{
	struct sip_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (loop_timer_new(ua->loop, on_t_2xx, c, &c->t_2xx) ||
	    loop_timer_new(ua->loop, on_t_ack, c, &c->t_ack)) {
		loop_timer_free(c->t_2xx);
		free(c);
		return NULL;
	}
	c->ua = ua;
	c->id = ++ua->next_call_id;
	c->outgoing = outgoing;
	c->st = SIP_CS_NULL;
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

/* ---- our 2xx, retransmitted until the ACK (RFC 3261 section 13.3.1.4) ---- */

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
	c->rtx_ms = c->ua->t1_ms;
	loop_timer_start(c->t_2xx, (uint64_t)c->rtx_ms);
	loop_timer_start(c->t_ack, 64 * (uint64_t)c->ua->t1_ms);
}

static void stop_2xx_rtx(struct sip_call *c)
{
	osip_free(c->resp2xx);
	c->resp2xx = NULL;
	loop_timer_stop(c->t_2xx);
	loop_timer_stop(c->t_ack);
	sip_call_touch(c);
}

/* ---- the one failure path ---- */

/* What gw/'s policy makes of how the dialog ends, for our BYE's Reason. */
static int end_cause(struct sip_ua *ua, enum sip_end why)
{
	return ua->policy.end_cause ? ua->policy.end_cause(ua->policy.arg, why) : -1;
}

/*
 * The call failed: record the status, log, count, clear what is left toward
 * the peer (a BYE once a 2xx went either way, its Reason gw/'s cause or
 * the one gw/'s policy gives for why), and report it to gw/ unless gw/
 * released the call: `failed` for an outgoing call never answered,
 * `terminated` (with why) otherwise. The call ends in BYE_SENT or DONE.
 */
void sip_call_fail(struct sip_call *c, int code, int q850, enum sip_end why, const char *fmt, ...)
{
	struct sip_ua *ua = c->ua;
	int was_released = c->released;
	enum sip_call_state next = SIP_CS_DONE;
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (q850 >= 0)
		SIP_CLOG(LOG_LVL_NOTICE, c, "failed: %s (status %d, Reason cause %d)", text, code, q850);
	else
		SIP_CLOG(LOG_LVL_NOTICE, c, "failed: %s (status %d, no Reason)", text, code);
	c->fail_code = code;
	ua->calls_failed++;
	stop_2xx_rtx(c);
	sip_call_release(c);
	/* Section 13.3.1.4 / 15: an established dialog ends with a BYE. */
	if (c->established && c->dialog && !c->bye_tried &&
	    sip_dialog_send_bye(c, c->hangup_q850 >= 0 ? c->hangup_q850 : end_cause(ua, why)) == 0)
		next = SIP_CS_BYE_SENT;
	if (c->st != next) {
		SIP_CLOG(LOG_LVL_DEBUG, c, "failed -> %s", state_names[next]);
		c->st = next;
	}
	if (was_released)
		return;
	if (c->outgoing && !c->established) {
		if (ua->ev.failed)
			ua->ev.failed(ua->arg, c, code, q850);
	} else if (ua->ev.terminated) {
		ua->ev.terminated(ua->arg, c, q850, why);
	}
}

/* ---- actions: UAS ---- */

/* RFC 3261 section 17.2.1: 100 Trying at once, then the incoming event. */
static int act_incoming(struct sip_call *c, const struct sip_call_ev *e)
{
	struct sip_ua *ua = c->ua;
	osip_message_t *trying = NULL;
	struct sip_invite_info info;
	char *own[3], display[128];

	if (sip_ua_build_response(ua, e->msg, 100, NULL, &trying) == 0)
		sip_ua_respond_tr(ua, e->tr, trying);
	sip_dialog_invite_info(c, e->msg, &info, own, display, sizeof(display));
	SIP_CLOG(LOG_LVL_INFO, c, "incoming INVITE %s from %s (%s:%u)%s", info.request_uri,
	     info.from_uri, info.src_addr, info.src_port, info.has_sdp ? " with SDP" : "");
	if (ua->ev.incoming)
		ua->ev.incoming(ua->arg, c, &info);
	else
		sip_call_respond(c, 480, NULL, -1);
	for (int i = 0; i < 3; i++)
		osip_free(own[i]);
	return 0;
}

/* gw/ responds 1xx, 2xx (section 13.3.1.4) or >= 300 (section 13.3.1.3). */
static int act_respond(struct sip_call *c, const struct sip_call_ev *e)
{
	osip_message_t *r = NULL;
	int code = e->code, err;

	err = sip_dialog_build_response(c, c->invite, code, e->sdp, e->q850, &r);
	if (err)
		return err;
	if (code == 503 && c->ua->retry_after > 0) {
		char v[16];

		/* RFC 3261 section 21.5.4: when the caller may try again. */
		snprintf(v, sizeof(v), "%d", c->ua->retry_after);
		osip_message_set_header(r, "Retry-After", v);
	}
	SIP_CLOG(LOG_LVL_INFO, c, "responding %d%s (cause %d)", code, e->sdp && code < 300 ? " with SDP" : "",
	     e->q850);
	if (code >= 200 && code < 300) {
		if (e->sdp) {
			c->local_sdp = *e->sdp;
			c->have_local_sdp = 1;
		}
		if (!c->dialog && osip_dialog_init_as_uas(&c->dialog, c->invite, r)) {
			c->dialog = NULL;
			SIP_CLOG(LOG_LVL_ERR, c, "cannot create the dialog");
		}
		c->established = 1;
		start_2xx_rtx(c, r, c->invite);
		sip_ua_branch_add(c->ua, c->invite);
	} else if (code >= 300) {
		sip_call_release(c);
	}
	sip_ua_respond_tr(c->ua, c->inv_tr, r);
	return 0;
}

/*
 * A stranger's INVITE: the final response goes once, outside a transaction
 * (RFC 3261 section 8.2.6 lets a UAS answer statelessly; 17.2.1's
 * retransmission until an ACK would multiply traffic toward a source that
 * may be spoofed). The IST is dropped with its queued 100 Trying, so one
 * INVITE gets exactly one answer, and a retransmission another one.
 */
static int act_refuse(struct sip_call *c, const struct sip_call_ev *e)
{
	osip_message_t *r = NULL;
	char host[128];
	int port, err;

	err = sip_dialog_build_response(c, c->invite, e->code, NULL, e->q850, &r);
	if (err)
		return err;
	sip_via_dest(c->invite, host, sizeof(host), &port);
	SIP_CLOG(LOG_LVL_INFO, c, "refusing %d statelessly", e->code);
	sip_ua_send_msg(c->ua, r, host, port);
	osip_message_free(r);
	sip_call_release(c);
	if (c->inv_tr)
		sip_ua_forget_tr(c->ua, c->inv_tr);
	return 0;
}

/* Unanswered incoming call hung up: 487 (section 13.3.1.3). */
static int act_hangup_487(struct sip_call *c, const struct sip_call_ev *e)
{
	osip_message_t *r = NULL;

	if (c->inv_tr && sip_ua_build_response(c->ua, c->invite, 487, c->local_tag, &r) == 0) {
		sip_add_reason(r, e->q850);
		sip_ua_respond_tr(c->ua, c->inv_tr, r);
	}
	return 0;
}

static int act_confirmed(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)e;
	stop_2xx_rtx(c);
	SIP_CLOG(LOG_LVL_INFO, c, "confirmed (ACK)");
	if (!c->released && c->ua->ev.confirmed)
		c->ua->ev.confirmed(c->ua->arg, c);
	return 0;
}

/* The ACK of a re-INVITE's 2xx, or one retransmitted. */
static int act_ack_stop_2xx(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)e;
	if (c->resp2xx)
		stop_2xx_rtx(c);
	return 0;
}

static int act_resend_2xx(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)e;
	if (c->resp2xx)
		sip_ua_send_raw(c->ua, c->resp2xx, c->resp2xx_len, c->resp_host, c->resp_port);
	return 0;
}

static int act_2xx_rtx(struct sip_call *c, const struct sip_call_ev *e)
{
	int t2 = c->ua->t2_ms;

	act_resend_2xx(c, e);
	if (!c->resp2xx)
		return 0;
	c->rtx_ms = c->rtx_ms * 2 > t2 ? t2 : c->rtx_ms * 2;
	loop_timer_start(c->t_2xx, (uint64_t)c->rtx_ms);
	return 0;
}

/* The re-INVITE's 2xx was never ACKed: stop; the dialog stays. */
static int act_2xx_give_up(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)e;
	SIP_CLOG(LOG_LVL_NOTICE, c, "no ACK for our 2xx");
	stop_2xx_rtx(c);
	return 0;
}

/* The failures: a final response >= 300 to our INVITE, its Timer B or a
 * transport error (408 / 503, section 8.1.3.1), no ACK for our initial 2xx
 * in 64*T1 (section 13.3.1.4: the dialog ends with a BYE). */
static int act_fail(struct sip_call *c, const struct sip_call_ev *e)
{
	if (e->type == SIP_CE_TIMER_ACK)
		sip_call_fail(c, 408, e->q850, SIP_END_NO_ACK, "%s", event_names[e->type]);
	else
		sip_call_fail(c, e->code, e->q850, SIP_END_ERROR, "%s", event_names[e->type]);
	return 0;
}

static int act_bye_send(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)e;
	if (sip_dialog_send_bye(c, c->hangup_q850))
		sip_call_fail(c, 500, -1, SIP_END_ERROR, "cannot send BYE");
	return 0;
}

/* Section 15: gw/ hung up while we waited for the ACK; now the BYE. */
static int act_ack_then_bye(struct sip_call *c, const struct sip_call_ev *e)
{
	stop_2xx_rtx(c);
	return act_bye_send(c, e);
}

static int act_bye(struct sip_call *c, const struct sip_call_ev *e)
{
	struct sip_ua *ua = c->ua;

	sip_ua_reply(ua, e->tr, e->msg, 200);
	if (c->resp2xx)
		stop_2xx_rtx(c);
	loop_timer_stop(c->t_ack);
	SIP_CLOG(LOG_LVL_INFO, c, "BYE received (cause %d)", e->q850);
	if (!c->released) {
		sip_call_release(c);
		if (ua->ev.terminated)
			ua->ev.terminated(ua->arg, c, e->q850, SIP_END_BYE);
	}
	return 0;
}

/* Section 9.2: 200 to the CANCEL, 487 to the INVITE. */
static int act_cancelled(struct sip_call *c, const struct sip_call_ev *e)
{
	struct sip_ua *ua = c->ua;
	osip_message_t *r = NULL;

	sip_ua_reply(ua, e->tr, e->msg, 200);
	if (c->inv_tr && sip_ua_build_response(ua, c->invite, 487, c->local_tag, &r) == 0)
		sip_ua_respond_tr(ua, c->inv_tr, r);
	SIP_CLOG(LOG_LVL_INFO, c, "CANCEL received (cause %d): 487", e->q850);
	if (!c->released) {
		sip_call_release(c);
		if (ua->ev.terminated)
			ua->ev.terminated(ua->arg, c, e->q850, SIP_END_CANCEL);
	}
	return 0;
}

/* Section 9.2: a CANCEL after the final response changes nothing. */
static int act_cancel_late(struct sip_call *c, const struct sip_call_ev *e)
{
	sip_ua_reply(c->ua, e->tr, e->msg, 200);
	return 0;
}

static int act_reinvite(struct sip_call *c, const struct sip_call_ev *e)
{
	osip_message_t *r = NULL, *inv = e->msg;
	struct sip_sdp_media offer;

	/* RFC 3261 section 14.2: 491 while our own answer is in flight. */
	if (c->resp2xx) {
		sip_ua_reply(c->ua, e->tr, inv, 491);
		return 0;
	}
	/* RFC 3264 section 8.4: hold is the peer's a=sendonly or a=inactive */
	if (sip_msg_sdp(inv, &offer) == 0 && offer.dir != c->remote_dir) {
		c->remote_dir = offer.dir;
		SIP_CLOG(LOG_LVL_INFO, c, "re-INVITE: the peer %s",
		     sip_call_remote_sends(c) ? "sends media again" : "sends no media (hold)");
	}
	osip_dialog_update_osip_cseq_as_uas(c->dialog, inv);
	osip_dialog_update_route_set_as_uas(c->dialog, inv);
	/* RFC 3264 section 8: same session, version one higher. */
	if (c->have_local_sdp)
		c->local_sdp.sess_version++;
	if (sip_dialog_build_response(c, inv, 200, c->have_local_sdp ? &c->local_sdp : NULL, -1, &r))
		return 0;
	SIP_CLOG(LOG_LVL_INFO, c, "re-INVITE: 200 with our SDP again");
	start_2xx_rtx(c, r, inv);
	sip_ua_respond_tr(c->ua, e->tr, r);
	return 0;
}

/* ---- actions: UAC ---- */

static int act_invite(struct sip_call *c, const struct sip_call_ev *e)
{
	osip_transaction_t *tr = NULL;
	int err = sip_txn_client(c->ua, ICT, e->msg, c->dest_host, c->dest_port, &tr);

	if (err)
		return err;
	c->inv_tr = tr;
	sip_call_attach(c, tr);
	return 0;
}

static int act_progress(struct sip_call *c, const struct sip_call_ev *e)
{
	struct sip_ua *ua = c->ua;

	if (e->code > 100 && !c->released && ua->ev.progress) {
		SIP_CLOG(LOG_LVL_INFO, c, "progress %d%s", e->code, e->sdp ? " with SDP" : "");
		ua->ev.progress(ua->arg, c, e->code, e->sdp);
	}
	return 0;
}

/* Section 9.1: CANCEL once a provisional response came. */
static int act_cancel(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)e;
	sip_dialog_send_cancel(c);
	return 0;
}

static int act_answered(struct sip_call *c, const struct sip_call_ev *e)
{
	struct sip_ua *ua = c->ua;

	sip_dialog_send_ack(c, e->msg);
	c->established = 1;
	SIP_CLOG(LOG_LVL_INFO, c, "answered %d%s", e->code, e->sdp ? " with SDP" : "");
	if (!c->released && ua->ev.answered)
		ua->ev.answered(ua->arg, c, e->sdp);
	return 0;
}

/* The 2xx raced our CANCEL (RFC 3261 section 9.1): ACK and BYE it. */
static int act_answered_bye(struct sip_call *c, const struct sip_call_ev *e)
{
	sip_dialog_send_ack(c, e->msg);
	c->established = 1;
	SIP_CLOG(LOG_LVL_INFO, c, "answered %d after our CANCEL: BYE", e->code);
	return act_bye_send(c, e);
}

/* The INVITE ended after our CANCEL (487, normally). */
static int act_cancel_done(struct sip_call *c, const struct sip_call_ev *e)
{
	SIP_CLOG(LOG_LVL_INFO, c, "INVITE ended %d after our CANCEL", e->code);
	return 0;
}

static int act_ack_again(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)e;
	sip_dialog_resend_ack(c);
	return 0;
}

static int act_none(struct sip_call *c, const struct sip_call_ev *e)
{
	(void)c;
	(void)e;
	return 0;
}

/* ---- the machine ---- */

static const struct sip_call_transition table[] = {
	{ SIP_CS_NULL, SIP_CE_INVITE, SIP_CS_IN_PROCEEDING, act_incoming },
	{ SIP_CS_NULL, SIP_CE_CMD_INVITE, SIP_CS_OUT_CALLING, act_invite },
	/* UAS */
	{ SIP_CS_IN_PROCEEDING, SIP_CE_CMD_1XX, SIP_CS_IN_PROCEEDING, act_respond },
	{ SIP_CS_IN_PROCEEDING, SIP_CE_CMD_2XX, SIP_CS_IN_WAIT_ACK, act_respond },
	{ SIP_CS_IN_PROCEEDING, SIP_CE_CMD_REJECT, SIP_CS_DONE, act_respond },
	{ SIP_CS_IN_PROCEEDING, SIP_CE_CMD_REFUSE, SIP_CS_DONE, act_refuse },
	{ SIP_CS_IN_PROCEEDING, SIP_CE_CMD_HANGUP, SIP_CS_DONE, act_hangup_487 },
	{ SIP_CS_IN_PROCEEDING, SIP_CE_CANCEL, SIP_CS_DONE, act_cancelled },
	{ SIP_CS_IN_WAIT_ACK, SIP_CE_ACK, SIP_CS_CONFIRMED, act_confirmed },
	{ SIP_CS_IN_WAIT_ACK, SIP_CE_CMD_HANGUP, SIP_CS_IN_WAIT_ACK_BYE, act_none },
	{ SIP_CS_IN_WAIT_ACK, SIP_CE_BYE, SIP_CS_DONE, act_bye },
	{ SIP_CS_IN_WAIT_ACK, SIP_CE_CANCEL, SIP_CS_IN_WAIT_ACK, act_cancel_late },
	{ SIP_CS_IN_WAIT_ACK, SIP_CE_INVITE_AGAIN, SIP_CS_IN_WAIT_ACK, act_resend_2xx },
	{ SIP_CS_IN_WAIT_ACK, SIP_CE_TIMER_2XX, SIP_CS_IN_WAIT_ACK, act_2xx_rtx },
	{ SIP_CS_IN_WAIT_ACK, SIP_CE_TIMER_ACK, SIP_CS_BYE_SENT, act_fail },
	{ SIP_CS_IN_WAIT_ACK_BYE, SIP_CE_ACK, SIP_CS_BYE_SENT, act_ack_then_bye },
	{ SIP_CS_IN_WAIT_ACK_BYE, SIP_CE_BYE, SIP_CS_DONE, act_bye },
	{ SIP_CS_IN_WAIT_ACK_BYE, SIP_CE_CANCEL, SIP_CS_IN_WAIT_ACK_BYE, act_cancel_late },
	{ SIP_CS_IN_WAIT_ACK_BYE, SIP_CE_INVITE_AGAIN, SIP_CS_IN_WAIT_ACK_BYE, act_resend_2xx },
	{ SIP_CS_IN_WAIT_ACK_BYE, SIP_CE_TIMER_2XX, SIP_CS_IN_WAIT_ACK_BYE, act_2xx_rtx },
	{ SIP_CS_IN_WAIT_ACK_BYE, SIP_CE_TIMER_ACK, SIP_CS_BYE_SENT, act_fail },
	/* UAC */
	{ SIP_CS_OUT_CALLING, SIP_CE_1XX, SIP_CS_OUT_PROCEEDING, act_progress },
	{ SIP_CS_OUT_CALLING, SIP_CE_2XX, SIP_CS_CONFIRMED, act_answered },
	{ SIP_CS_OUT_CALLING, SIP_CE_FINAL, SIP_CS_DONE, act_fail },
	{ SIP_CS_OUT_CALLING, SIP_CE_TIMER_B, SIP_CS_DONE, act_fail },
	{ SIP_CS_OUT_CALLING, SIP_CE_TRANSPORT_ERROR, SIP_CS_DONE, act_fail },
	{ SIP_CS_OUT_CALLING, SIP_CE_CMD_HANGUP, SIP_CS_CANCEL_PENDING, act_none },
	{ SIP_CS_OUT_PROCEEDING, SIP_CE_1XX, SIP_CS_OUT_PROCEEDING, act_progress },
	{ SIP_CS_OUT_PROCEEDING, SIP_CE_2XX, SIP_CS_CONFIRMED, act_answered },
	{ SIP_CS_OUT_PROCEEDING, SIP_CE_FINAL, SIP_CS_DONE, act_fail },
	{ SIP_CS_OUT_PROCEEDING, SIP_CE_TIMER_B, SIP_CS_DONE, act_fail },
	{ SIP_CS_OUT_PROCEEDING, SIP_CE_TRANSPORT_ERROR, SIP_CS_DONE, act_fail },
	{ SIP_CS_OUT_PROCEEDING, SIP_CE_CMD_HANGUP, SIP_CS_CANCELLING, act_cancel },
	{ SIP_CS_CANCEL_PENDING, SIP_CE_1XX, SIP_CS_CANCELLING, act_cancel },
	{ SIP_CS_CANCEL_PENDING, SIP_CE_2XX, SIP_CS_BYE_SENT, act_answered_bye },
	{ SIP_CS_CANCEL_PENDING, SIP_CE_FINAL, SIP_CS_DONE, act_cancel_done },
	{ SIP_CS_CANCEL_PENDING, SIP_CE_TIMER_B, SIP_CS_DONE, act_fail },
	{ SIP_CS_CANCEL_PENDING, SIP_CE_TRANSPORT_ERROR, SIP_CS_DONE, act_fail },
	{ SIP_CS_CANCELLING, SIP_CE_1XX, SIP_CS_CANCELLING, act_none },
	{ SIP_CS_CANCELLING, SIP_CE_2XX, SIP_CS_BYE_SENT, act_answered_bye },
	{ SIP_CS_CANCELLING, SIP_CE_FINAL, SIP_CS_DONE, act_cancel_done },
	{ SIP_CS_CANCELLING, SIP_CE_TIMER_B, SIP_CS_DONE, act_fail },
	{ SIP_CS_CANCELLING, SIP_CE_TRANSPORT_ERROR, SIP_CS_DONE, act_fail },
	/* the dialog, either side */
	{ SIP_CS_CONFIRMED, SIP_CE_CMD_HANGUP, SIP_CS_BYE_SENT, act_bye_send },
	{ SIP_CS_CONFIRMED, SIP_CE_BYE, SIP_CS_DONE, act_bye },
	{ SIP_CS_CONFIRMED, SIP_CE_REINVITE, SIP_CS_CONFIRMED, act_reinvite },
	{ SIP_CS_CONFIRMED, SIP_CE_ACK, SIP_CS_CONFIRMED, act_ack_stop_2xx },
	{ SIP_CS_CONFIRMED, SIP_CE_CANCEL, SIP_CS_CONFIRMED, act_cancel_late },
	{ SIP_CS_CONFIRMED, SIP_CE_INVITE_AGAIN, SIP_CS_CONFIRMED, act_resend_2xx },
	{ SIP_CS_CONFIRMED, SIP_CE_2XX_AGAIN, SIP_CS_CONFIRMED, act_ack_again },
	{ SIP_CS_CONFIRMED, SIP_CE_TIMER_2XX, SIP_CS_CONFIRMED, act_2xx_rtx },
	{ SIP_CS_CONFIRMED, SIP_CE_TIMER_ACK, SIP_CS_CONFIRMED, act_2xx_give_up },
	{ SIP_CS_BYE_SENT, SIP_CE_BYE, SIP_CS_BYE_SENT, act_bye },
	{ SIP_CS_BYE_SENT, SIP_CE_ACK, SIP_CS_BYE_SENT, act_ack_stop_2xx },
	{ SIP_CS_BYE_SENT, SIP_CE_CANCEL, SIP_CS_BYE_SENT, act_cancel_late },
	{ SIP_CS_BYE_SENT, SIP_CE_INVITE_AGAIN, SIP_CS_BYE_SENT, act_resend_2xx },
	{ SIP_CS_BYE_SENT, SIP_CE_2XX_AGAIN, SIP_CS_BYE_SENT, act_ack_again },
	{ SIP_CS_BYE_SENT, SIP_CE_TIMER_2XX, SIP_CS_BYE_SENT, act_2xx_rtx },
	{ SIP_CS_BYE_SENT, SIP_CE_TIMER_ACK, SIP_CS_BYE_SENT, act_2xx_give_up },
	{ SIP_CS_DONE, SIP_CE_BYE, SIP_CS_DONE, act_bye },
	{ SIP_CS_DONE, SIP_CE_ACK, SIP_CS_DONE, act_ack_stop_2xx },
	{ SIP_CS_DONE, SIP_CE_CANCEL, SIP_CS_DONE, act_cancel_late },
	{ SIP_CS_DONE, SIP_CE_INVITE_AGAIN, SIP_CS_DONE, act_resend_2xx },
	{ SIP_CS_DONE, SIP_CE_2XX_AGAIN, SIP_CS_DONE, act_ack_again },
	{ SIP_CS_DONE, SIP_CE_TIMER_2XX, SIP_CS_DONE, act_2xx_rtx },
	{ SIP_CS_DONE, SIP_CE_TIMER_ACK, SIP_CS_DONE, act_2xx_give_up },
};

/* Not in the table: refused and logged; a request is still answered. */
int sip_call_refused(struct sip_call *c, const struct sip_call_ev *e)
{
	SIP_CLOG(LOG_LVL_NOTICE, c, "%s refused", event_names[e->type]);
	if (e->tr && e->msg && MSG_IS_REQUEST(e->msg))
		sip_ua_reply(c->ua, e->tr, e->msg, 500);
	return EINVAL;
}

/*
 * The state changes before the action runs, so that what the action
 * reports to gw/ (which may call back in) sees the new state; an action
 * may move on again (call_fail). An action of a command that returns an
 * errno has changed nothing: the state goes back.
 */
int sip_call_dispatch(struct sip_call *c, const struct sip_call_ev *e)
{
	const struct sip_call_transition *t = NULL;
	enum sip_call_state from = c->st;
	size_t i;
	int err;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].from == from && table[i].ev == e->type) {
			t = &table[i];
			break;
		}
	if (!t)
		return sip_call_refused(c, e);
	SIP_CLOG(LOG_LVL_DEBUG, c, "%s -> %s", event_names[e->type], state_names[t->to]);
	c->in_fsm++;
	c->st = t->to;
	err = t->act(c, e);
	if (err) {
		c->st = from;
		SIP_CLOG(LOG_LVL_WARN, c, "%s not carried out: %s", event_names[e->type], strerror(err));
	}
	c->in_fsm--;
	sip_call_touch(c);
	return err;
}

static void on_timer(struct sip_call *c, enum sip_call_event type)
{
	struct sip_call_ev e = { .type = type, .q850 = -1 };

	sip_call_dispatch(c, &e);
	sip_ua_kick(c->ua);
}

static void on_t_2xx(void *arg)
{
	on_timer(arg, SIP_CE_TIMER_2XX);
}

static void on_t_ack(void *arg)
{
	on_timer(arg, SIP_CE_TIMER_ACK);
}

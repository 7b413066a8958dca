/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One INVITE dialog's state machine (RFC 3261 sections 9, 12-15, and what
 * libosip2 leaves to the core: 2xx retransmission, the ACK wait, CANCEL,
 * BYE, re-INVITE), on the one engine, lib/fsm. The API of sip.h and the
 * events from the network are call_api.c; the messages are built in
 * invite.c and dialog.c; which call a message belongs to, and the reaper,
 * calls.c.
 *
 * The machine is one const table {from, event, to, action}, below, read
 * top to bottom. Events are what arrives from the network (through
 * call_api.c), our own timers, what gw/ commands, and the reaper's "no
 * transaction left". An event not in the table is refused and logged; a
 * refused command returns EINVAL, a refused request is answered 500. The
 * state changes before the action runs. One failure path, sip_call_fail()
 * (fsm_fail into DONE); a row whose `to` is TO_FAIL takes it.
 *
 * gw/ holds the call in NULL (outgoing: until sip_call_invite returns),
 * IN_PROCEEDING, IN_WAIT_ACK, OUT_CALLING, OUT_PROCEEDING, CONFIRMED and
 * RE_WAIT_ACK; the other states are after gw/ let go of it (sip.h), so
 * their rows report nothing to gw/. gw/'s call is the machine's parent
 * (sip_call_fsm): in those states its end ("parent ended") ends the call
 * as gw/'s hangup does, but an unanswered incoming INVITE gets the final
 * response gw/'s policy picks for the cause (end_status), not 487.
 *
 * Timers (values from the UA: t1_ms, t2_ms, from the config's sip_t1 and
 * sip_t2):
 *   "64*T1"  the state timer of IN_WAIT_ACK, IN_WAIT_ACK_BYE and
 *            RE_WAIT_ACK: the wait for the ACK to our 2xx (section
 *            13.3.1.4), counted from the 2xx's first sending; the initial
 *            INVITE's dialog then ends with a BYE
 *   t_2xx    the 2xx retransmission inside those states: T1, doubling to
 *            T2 (section 13.3.1.4); not a state change, so not a state's
 *            timer: every state that does not wait for the ACK stops it
 *   (the INVITE transaction's Timer B is libosip2's; the branch cache,
 *   Timer L of RFC 6026, is the UA's: branch.c)
 *
 * A call ends in FREED: from DONE or BYE_SENT once no transaction of it
 * is left (the reaper's SIP_CE_IDLE, calls.c); cleanup frees it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fsm.h"
#include "lib/log.h"
#include "sip/sip_int.h"

/* The row's action takes the one failure path, which moves to DONE. */
#define TO_FAIL FSM_SAME

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
	[SIP_CE_PARENT_END] = "parent ended",
	[SIP_CE_IDLE] = "no transaction left",
};

static void enter_no_ack_wait(struct fsm *f, int from);
static void enter_ending(struct fsm *f, int from);

static struct sip_call *call_of(struct fsm *f)
{
	return fsm_priv(f);
}

/* ---- our 2xx, retransmitted until the ACK (RFC 3261 section 13.3.1.4) ---- */

static void rtx_stop(struct sip_call *c)
{
	osip_free(c->resp2xx);
	c->resp2xx = NULL;
	loop_timer_stop(c->t_2xx);
}

/* In a state that waits for the ACK: its 64*T1 runs, this retransmits. */
static void rtx_start(struct sip_call *c, osip_message_t *resp, const osip_message_t *req)
{
	char *buf = NULL;
	size_t len = 0;

	rtx_stop(c);
	c->sent_2xx_ms = loop_now_ms();
	if (osip_message_to_str(resp, &buf, &len) || !buf)
		return;
	c->resp2xx = buf;
	c->resp2xx_len = len;
	sip_via_dest(req, c->resp_host, sizeof(c->resp_host), &c->resp_port);
	c->rtx_ms = c->ua->t1_ms;
	loop_timer_start(c->t_2xx, (uint64_t)c->rtx_ms);
}

/* The states that do not wait for an ACK stop the retransmission. */
static void enter_no_ack_wait(struct fsm *f, int from)
{
	(void)from;
	rtx_stop(call_of(f));
}

/* DONE, BYE_SENT: gw/ is gone; once no transaction is left, FREED. */
static void enter_ending(struct fsm *f, int from)
{
	enter_no_ack_wait(f, from);
	sip_call_touch(call_of(f));
}

/* ---- the one failure path ---- */

/* The status and the peer's Reason go into the line; the engine counts,
 * records the status as the cause and moves to DONE. What gw/ hears of
 * it is the row's action's business (act_uac_failed). */
void sip_call_fail(struct sip_call *c, int code, int q850, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (q850 >= 0)
		fsm_fail(c->fsm, code, "%s (status %d, Reason cause %d)", text, code, q850);
	else
		fsm_fail(c->fsm, code, "%s (status %d, no Reason)", text, code);
}

/* ---- actions: UAS ---- */

/* RFC 3261 section 17.2.1: 100 Trying at once, then the incoming event. */
static void act_incoming(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	struct sip_ua *ua = c->ua;
	osip_message_t *trying = NULL;
	struct sip_invite_info info;
	char *own[3], display[128];

	(void)ev;
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
}

/* gw/ responds 1xx or >= 300 (section 13.3.1.3): e->msg, built before. */
static void act_respond(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;

	(void)ev;
	SIP_CLOG(LOG_LVL_INFO, c, "responding %d%s (cause %d)", e->code,
		 e->sdp && e->code < 300 ? " with SDP" : "", e->q850);
	sip_ua_respond_tr(c->ua, c->inv_tr, e->msg);
}

/* gw/ answers (section 13.3.1.4): the dialog, and the 2xx retransmitted
 * until its ACK; its branch remembered (RFC 6026 Timer L). */
static void act_respond_2xx(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;

	if (e->sdp) {
		c->local_sdp = *e->sdp;
		c->have_local_sdp = 1;
	}
	if (!c->dialog && osip_dialog_init_as_uas(&c->dialog, c->invite, e->msg)) {
		c->dialog = NULL;
		SIP_CLOG(LOG_LVL_ERR, c, "cannot create the dialog");
	}
	rtx_start(c, e->msg, c->invite);
	sip_ua_branch_add(c->ua, c->invite);
	act_respond(f, ev, data);
}

/*
 * A stranger's INVITE: the final response (e->msg) goes once, outside a
 * transaction (RFC 3261 section 8.2.6 lets a UAS answer statelessly;
 * 17.2.1's retransmission until an ACK would multiply traffic toward a
 * source that may be spoofed). The IST is dropped with its queued 100
 * Trying, so one INVITE gets exactly one answer, and a retransmission
 * another one.
 */
static void act_refuse(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	char host[128];
	int port;

	(void)ev;
	sip_via_dest(c->invite, host, sizeof(host), &port);
	SIP_CLOG(LOG_LVL_INFO, c, "refusing %d statelessly", e->code);
	sip_ua_send_msg(c->ua, e->msg, host, port);
	osip_message_free(e->msg);
	if (c->inv_tr)
		sip_ua_forget_tr(c->ua, c->inv_tr);
}

/* Unanswered incoming call hung up: 487 (section 13.3.1.3). */
static void act_hangup_487(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	osip_message_t *r = NULL;

	(void)ev;
	if (c->inv_tr && sip_ua_build_response(c->ua, c->invite, 487, c->local_tag, &r) == 0) {
		sip_add_reason(r, e->q850);
		sip_ua_respond_tr(c->ua, c->inv_tr, r);
	}
}

static void act_confirmed(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);

	(void)ev;
	(void)data;
	SIP_CLOG(LOG_LVL_INFO, c, "confirmed (ACK)");
	if (c->ua->ev.confirmed)
		c->ua->ev.confirmed(c->ua->arg, c);
}

static void act_resend_2xx(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);

	(void)ev;
	(void)data;
	if (c->resp2xx)
		sip_ua_send_raw(c->ua, c->resp2xx, c->resp2xx_len, c->resp_host, c->resp_port);
}

static void act_2xx_rtx(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	int t2 = c->ua->t2_ms;

	act_resend_2xx(f, ev, data);
	if (!c->resp2xx)
		return;
	c->rtx_ms = c->rtx_ms * 2 > t2 ? t2 : c->rtx_ms * 2;
	loop_timer_start(c->t_2xx, (uint64_t)c->rtx_ms);
}

/* The re-INVITE's 2xx was never ACKed: stop; the dialog stays. */
static void act_2xx_give_up(struct fsm *f, int ev, void *data)
{
	(void)ev;
	(void)data;
	SIP_CLOG(LOG_LVL_NOTICE, call_of(f), "no ACK for our 2xx to the re-INVITE");
}

/* The failures of a call gw/ has let go of, or never had. */
static void act_fail(struct fsm *f, int ev, void *data)
{
	struct sip_call_ev *e = data;

	sip_call_fail(call_of(f), e->code, e->q850, "%s", event_names[ev]);
}

/* Our INVITE failed: a final response >= 300, its Timer B or a transport
 * error (408 / 503, section 8.1.3.1): the failure path, then `failed`. */
static void act_uac_failed(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	struct sip_ua *ua = c->ua;

	act_fail(f, ev, data);
	if (ua->ev.failed)
		ua->ev.failed(ua->arg, c, e->code, e->q850);
}

/* The BYE with gw/'s cause (section 15); none sent: the failure path. */
static void act_bye_send(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);

	(void)ev;
	(void)data;
	if (sip_dialog_send_bye(c, c->hangup_q850))
		sip_call_fail(c, 500, -1, "cannot send BYE");
}

/* Section 15: gw/ hung up while we waited for the ACK; that wait is over
 * now (the ACK came, or 64*T1 passed): the BYE. From a timer: the BYE's
 * transaction runs now. */
static void act_bye_after_wait(struct fsm *f, int ev, void *data)
{
	struct sip_ua *ua = call_of(f)->ua;

	if (ev == SIP_CE_TIMER_ACK)
		SIP_CLOG(LOG_LVL_NOTICE, call_of(f), "no ACK for our 2xx in 64*T1: BYE now");
	act_bye_send(f, ev, data);
	if (ev == SIP_CE_TIMER_ACK)
		sip_ua_kick(ua);
}

/* What gw/'s policy makes of how the dialog ends, for our BYE's Reason. */
static int end_cause(struct sip_ua *ua, enum sip_end why)
{
	return ua->policy.end_cause ? ua->policy.end_cause(ua->policy.arg, why) : -1;
}

/* Section 13.3.1.4: no ACK for our initial 2xx in 64*T1: the dialog ends
 * with a BYE, its Reason the policy's cause; gw/ hears `terminated`. */
static void act_no_ack(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_ua *ua = c->ua;

	(void)ev;
	(void)data;
	SIP_CLOG(LOG_LVL_NOTICE, c, "no ACK for our 2xx in 64*T1 (RFC 3261 section 13.3.1.4): BYE");
	if (sip_dialog_send_bye(c, end_cause(ua, SIP_END_NO_ACK)))
		sip_call_fail(c, 500, -1, "cannot send BYE");
	if (ua->ev.terminated)
		ua->ev.terminated(ua->arg, c, -1, SIP_END_NO_ACK);
	sip_ua_kick(ua);
}

/* A BYE after gw/ let go: answered, nothing to report. */
static void act_bye_late(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;

	(void)ev;
	sip_ua_reply(c->ua, e->tr, e->msg, 200);
	SIP_CLOG(LOG_LVL_INFO, c, "BYE received (cause %d)", e->q850);
}

/* Section 15.1.2: the peer's BYE: 200, and gw/ hears `terminated`. */
static void act_bye(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	struct sip_ua *ua = c->ua;

	act_bye_late(f, ev, data);
	if (ua->ev.terminated)
		ua->ev.terminated(ua->arg, c, e->q850, SIP_END_BYE);
}

/* Section 9.2: 200 to the CANCEL, 487 to the INVITE. */
static void act_cancelled(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	struct sip_ua *ua = c->ua;
	osip_message_t *r = NULL;

	(void)ev;
	sip_ua_reply(ua, e->tr, e->msg, 200);
	if (c->inv_tr && sip_ua_build_response(ua, c->invite, 487, c->local_tag, &r) == 0)
		sip_ua_respond_tr(ua, c->inv_tr, r);
	SIP_CLOG(LOG_LVL_INFO, c, "CANCEL received (cause %d): 487", e->q850);
	if (ua->ev.terminated)
		ua->ev.terminated(ua->arg, c, e->q850, SIP_END_CANCEL);
}

/* Section 9.2: a CANCEL after the final response changes nothing. */
static void act_cancel_late(struct fsm *f, int ev, void *data)
{
	struct sip_call_ev *e = data;

	(void)ev;
	sip_ua_reply(call_of(f)->ua, e->tr, e->msg, 200);
}

/* Section 14.2: 491 while our answer to the last re-INVITE is in flight. */
static void act_reinvite_491(struct fsm *f, int ev, void *data)
{
	struct sip_call_ev *e = data;

	(void)ev;
	sip_ua_reply(call_of(f)->ua, e->tr, e->msg, 491);
}

static void act_reinvite(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	osip_message_t *r = NULL, *inv = e->msg;
	struct sip_sdp_media offer;

	(void)ev;
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
	if (sip_dialog_build_response(c, inv, 200, c->have_local_sdp ? &c->local_sdp : NULL, -1, &r)) {
		/* No 2xx to retransmit: the 64*T1 wait alone, then CONFIRMED. */
		SIP_CLOG(LOG_LVL_ERR, c, "re-INVITE: cannot build the 200: 500");
		sip_ua_reply(c->ua, e->tr, inv, 500);
		return;
	}
	SIP_CLOG(LOG_LVL_INFO, c, "re-INVITE: 200 with our SDP again");
	rtx_start(c, r, inv);
	sip_ua_respond_tr(c->ua, e->tr, r);
}

/* ---- actions: the parent's end (data: its cause, an int *) ---- */

/* The parent's cause, logged as sip_call_hangup() logs gw/'s. */
static int parent_cause(struct fsm *f, const void *data)
{
	int q850 = *(const int *)data;

	SIP_CLOG(LOG_LVL_INFO, call_of(f), "hangup (cause %d): the call it belongs to ended", q850);
	return q850;
}

/* What gw/'s policy answers to an unanswered INVITE whose call ended. */
static int end_status(struct sip_ua *ua, int q850)
{
	int code = ua->policy.end_status ? ua->policy.end_status(ua->policy.arg, q850) : 500;

	return code >= 300 && code <= 699 ? code : 500;
}

/* Before the answer: the policy's final response with the Reason (section
 * 13.3.1.3), as gw/'s sip_call_respond() sends it. */
static void act_parent_end_reject(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	int q850 = parent_cause(f, data);
	struct sip_call_ev e = { .type = SIP_CE_CMD_REJECT, .q850 = q850 };

	e.code = end_status(c->ua, q850);
	if (c->inv_tr && sip_call_build_answer(c, &e) == 0)
		act_respond(f, ev, &e);
	sip_ua_kick(c->ua);
}

/* The CANCEL (section 9.1) or the BYE (section 15) waits for the 1xx or
 * the ACK: the cause for when it goes. */
static void act_parent_end_later(struct fsm *f, int ev, void *data)
{
	(void)ev;
	call_of(f)->hangup_q850 = parent_cause(f, data);
}

/* After a 1xx: the CANCEL now. */
static void act_parent_end_cancel(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);

	act_parent_end_later(f, ev, data);
	sip_dialog_send_cancel(c);
	sip_ua_kick(c->ua);
}

/* Confirmed: the BYE now. */
static void act_parent_end_bye(struct fsm *f, int ev, void *data)
{
	struct sip_ua *ua = call_of(f)->ua;

	act_parent_end_later(f, ev, data);
	act_bye_send(f, ev, data);
	sip_ua_kick(ua);
}

/* ---- actions: UAC ---- */

static void act_invite(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	osip_transaction_t *tr = NULL;

	(void)ev;
	e->err = sip_txn_client(c->ua, ICT, e->msg, c->dest_host, c->dest_port, &tr);
	if (e->err) {
		sip_call_fail(c, 500, -1, "INVITE not sent: %s", strerror(e->err));
		return;
	}
	c->inv_tr = tr;
	sip_call_attach(c, tr);
}

static void act_progress(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	struct sip_ua *ua = c->ua;

	(void)ev;
	if (e->code > 100 && ua->ev.progress) {
		SIP_CLOG(LOG_LVL_INFO, c, "progress %d%s", e->code, e->sdp ? " with SDP" : "");
		ua->ev.progress(ua->arg, c, e->code, e->sdp);
	}
}

/* gw/ hung up where the CANCEL (section 9.1) or the BYE (section 15)
 * waits for something: its cause for when they go. */
static void act_hangup_later(struct fsm *f, int ev, void *data)
{
	struct sip_call_ev *e = data;

	(void)ev;
	call_of(f)->hangup_q850 = e->q850;
}

/* Section 9.1: CANCEL once a provisional response came. */
static void act_cancel(struct fsm *f, int ev, void *data)
{
	(void)ev;
	(void)data;
	sip_dialog_send_cancel(call_of(f));
}

static void act_hangup_cancel(struct fsm *f, int ev, void *data)
{
	act_hangup_later(f, ev, data);
	act_cancel(f, ev, data);
}

static void act_hangup_bye(struct fsm *f, int ev, void *data)
{
	act_hangup_later(f, ev, data);
	act_bye_send(f, ev, data);
}

static void act_answered(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;
	struct sip_ua *ua = c->ua;

	(void)ev;
	sip_dialog_send_ack(c, e->msg);
	SIP_CLOG(LOG_LVL_INFO, c, "answered %d%s", e->code, e->sdp ? " with SDP" : "");
	if (ua->ev.answered)
		ua->ev.answered(ua->arg, c, e->sdp);
}

/* The 2xx raced our CANCEL (RFC 3261 section 9.1): ACK and BYE it. */
static void act_answered_bye(struct fsm *f, int ev, void *data)
{
	struct sip_call *c = call_of(f);
	struct sip_call_ev *e = data;

	sip_dialog_send_ack(c, e->msg);
	SIP_CLOG(LOG_LVL_INFO, c, "answered %d after our CANCEL: BYE", e->code);
	act_bye_send(f, ev, data);
}

/* The INVITE ended after our CANCEL (487, normally). */
static void act_cancel_done(struct fsm *f, int ev, void *data)
{
	struct sip_call_ev *e = data;

	(void)ev;
	SIP_CLOG(LOG_LVL_INFO, call_of(f), "INVITE ended %d after our CANCEL", e->code);
}

static void act_ack_again(struct fsm *f, int ev, void *data)
{
	(void)ev;
	(void)data;
	sip_dialog_resend_ack(call_of(f));
}

/* ---- the machine ---- */

static const struct fsm_state states[SIP_CS_COUNT] = {
	[SIP_CS_NULL] = { .name = "NULL" },
	[SIP_CS_IN_PROCEEDING] = { .name = "IN_PROCEEDING" },
	[SIP_CS_IN_WAIT_ACK] = { .name = "IN_WAIT_ACK", .timer = "64*T1",
				 .timer_event = SIP_CE_TIMER_ACK },
	[SIP_CS_IN_WAIT_ACK_BYE] = { .name = "IN_WAIT_ACK_BYE", .timer = "64*T1",
				     .timer_event = SIP_CE_TIMER_ACK },
	[SIP_CS_OUT_CALLING] = { .name = "OUT_CALLING" },
	[SIP_CS_OUT_PROCEEDING] = { .name = "OUT_PROCEEDING" },
	[SIP_CS_CANCEL_PENDING] = { .name = "CANCEL_PENDING" },
	[SIP_CS_CANCELLING] = { .name = "CANCELLING" },
	[SIP_CS_CONFIRMED] = { .name = "CONFIRMED", .onenter = enter_no_ack_wait },
	[SIP_CS_RE_WAIT_ACK] = { .name = "RE_WAIT_ACK", .timer = "64*T1",
				 .timer_event = SIP_CE_TIMER_ACK },
	[SIP_CS_BYE_SENT] = { .name = "BYE_SENT", .onenter = enter_ending },
	[SIP_CS_DONE] = { .name = "DONE", .onenter = enter_ending },
	[SIP_CS_FREED] = { .name = "FREED", .final = 1 },
};

#define S(x) SIP_CS_##x
#define E(x) SIP_CE_##x
static const struct fsm_trans table[] = {
	{ S(NULL), E(INVITE), S(IN_PROCEEDING), act_incoming },
	{ S(NULL), E(CMD_INVITE), S(OUT_CALLING), act_invite },
	/* UAS */
	{ S(IN_PROCEEDING), E(CMD_1XX), FSM_SAME, act_respond },
	{ S(IN_PROCEEDING), E(CMD_2XX), S(IN_WAIT_ACK), act_respond_2xx },
	{ S(IN_PROCEEDING), E(CMD_REJECT), S(DONE), act_respond },
	{ S(IN_PROCEEDING), E(CMD_REFUSE), S(DONE), act_refuse },
	{ S(IN_PROCEEDING), E(CMD_HANGUP), S(DONE), act_hangup_487 },
	{ S(IN_PROCEEDING), E(CANCEL), S(DONE), act_cancelled },
	{ S(IN_PROCEEDING), E(PARENT_END), S(DONE), act_parent_end_reject },
	{ S(IN_WAIT_ACK), E(ACK), S(CONFIRMED), act_confirmed },
	{ S(IN_WAIT_ACK), E(CMD_HANGUP), S(IN_WAIT_ACK_BYE), act_hangup_later },
	{ S(IN_WAIT_ACK), E(BYE), S(DONE), act_bye },
	{ S(IN_WAIT_ACK), E(CANCEL), FSM_SAME, act_cancel_late },
	{ S(IN_WAIT_ACK), E(INVITE_AGAIN), FSM_SAME, act_resend_2xx },
	{ S(IN_WAIT_ACK), E(TIMER_2XX), FSM_SAME, act_2xx_rtx },
	{ S(IN_WAIT_ACK), E(TIMER_ACK), S(BYE_SENT), act_no_ack },
	{ S(IN_WAIT_ACK), E(PARENT_END), S(IN_WAIT_ACK_BYE), act_parent_end_later },
	{ S(IN_WAIT_ACK_BYE), E(ACK), S(BYE_SENT), act_bye_after_wait },
	{ S(IN_WAIT_ACK_BYE), E(BYE), S(DONE), act_bye_late },
	{ S(IN_WAIT_ACK_BYE), E(CANCEL), FSM_SAME, act_cancel_late },
	{ S(IN_WAIT_ACK_BYE), E(INVITE_AGAIN), FSM_SAME, act_resend_2xx },
	{ S(IN_WAIT_ACK_BYE), E(TIMER_2XX), FSM_SAME, act_2xx_rtx },
	{ S(IN_WAIT_ACK_BYE), E(TIMER_ACK), S(BYE_SENT), act_bye_after_wait },
	/* UAC */
	{ S(OUT_CALLING), E(1XX), S(OUT_PROCEEDING), act_progress },
	{ S(OUT_CALLING), E(2XX), S(CONFIRMED), act_answered },
	{ S(OUT_CALLING), E(FINAL), TO_FAIL, act_uac_failed },
	{ S(OUT_CALLING), E(TIMER_B), TO_FAIL, act_uac_failed },
	{ S(OUT_CALLING), E(TRANSPORT_ERROR), TO_FAIL, act_uac_failed },
	{ S(OUT_CALLING), E(CMD_HANGUP), S(CANCEL_PENDING), act_hangup_later },
	{ S(OUT_CALLING), E(PARENT_END), S(CANCEL_PENDING), act_parent_end_later },
	{ S(OUT_PROCEEDING), E(1XX), FSM_SAME, act_progress },
	{ S(OUT_PROCEEDING), E(2XX), S(CONFIRMED), act_answered },
	{ S(OUT_PROCEEDING), E(FINAL), TO_FAIL, act_uac_failed },
	{ S(OUT_PROCEEDING), E(TIMER_B), TO_FAIL, act_uac_failed },
	{ S(OUT_PROCEEDING), E(TRANSPORT_ERROR), TO_FAIL, act_uac_failed },
	{ S(OUT_PROCEEDING), E(CMD_HANGUP), S(CANCELLING), act_hangup_cancel },
	{ S(OUT_PROCEEDING), E(PARENT_END), S(CANCELLING), act_parent_end_cancel },
	{ S(CANCEL_PENDING), E(1XX), S(CANCELLING), act_cancel },
	{ S(CANCEL_PENDING), E(2XX), S(BYE_SENT), act_answered_bye },
	{ S(CANCEL_PENDING), E(FINAL), S(DONE), act_cancel_done },
	{ S(CANCEL_PENDING), E(TIMER_B), TO_FAIL, act_fail },
	{ S(CANCEL_PENDING), E(TRANSPORT_ERROR), TO_FAIL, act_fail },
	{ S(CANCELLING), E(1XX), FSM_SAME, NULL },
	{ S(CANCELLING), E(2XX), S(BYE_SENT), act_answered_bye },
	{ S(CANCELLING), E(FINAL), S(DONE), act_cancel_done },
	{ S(CANCELLING), E(TIMER_B), TO_FAIL, act_fail },
	{ S(CANCELLING), E(TRANSPORT_ERROR), TO_FAIL, act_fail },
	/* the dialog, either side */
	{ S(CONFIRMED), E(CMD_HANGUP), S(BYE_SENT), act_hangup_bye },
	{ S(CONFIRMED), E(PARENT_END), S(BYE_SENT), act_parent_end_bye },
	{ S(CONFIRMED), E(BYE), S(DONE), act_bye },
	{ S(CONFIRMED), E(REINVITE), S(RE_WAIT_ACK), act_reinvite },
	{ S(CONFIRMED), E(ACK), FSM_SAME, NULL },
	{ S(CONFIRMED), E(CANCEL), FSM_SAME, act_cancel_late },
	{ S(CONFIRMED), E(INVITE_AGAIN), FSM_SAME, NULL },
	{ S(CONFIRMED), E(2XX_AGAIN), FSM_SAME, act_ack_again },
	{ S(RE_WAIT_ACK), E(ACK), S(CONFIRMED), NULL },
	{ S(RE_WAIT_ACK), E(REINVITE), FSM_SAME, act_reinvite_491 },
	{ S(RE_WAIT_ACK), E(TIMER_2XX), FSM_SAME, act_2xx_rtx },
	{ S(RE_WAIT_ACK), E(TIMER_ACK), S(CONFIRMED), act_2xx_give_up },
	{ S(RE_WAIT_ACK), E(CMD_HANGUP), S(BYE_SENT), act_hangup_bye },
	{ S(RE_WAIT_ACK), E(PARENT_END), S(BYE_SENT), act_parent_end_bye },
	{ S(RE_WAIT_ACK), E(BYE), S(DONE), act_bye },
	{ S(RE_WAIT_ACK), E(CANCEL), FSM_SAME, act_cancel_late },
	{ S(RE_WAIT_ACK), E(INVITE_AGAIN), FSM_SAME, NULL },
	{ S(RE_WAIT_ACK), E(2XX_AGAIN), FSM_SAME, act_ack_again },
	/* gw/ let go: late requests answered, the transactions finish */
	{ S(BYE_SENT), E(BYE), FSM_SAME, act_bye_late },
	{ S(BYE_SENT), E(ACK), FSM_SAME, NULL },
	{ S(BYE_SENT), E(CANCEL), FSM_SAME, act_cancel_late },
	{ S(BYE_SENT), E(INVITE_AGAIN), FSM_SAME, NULL },
	{ S(BYE_SENT), E(2XX_AGAIN), FSM_SAME, act_ack_again },
	{ S(BYE_SENT), E(IDLE), S(FREED), NULL },
	{ S(DONE), E(BYE), FSM_SAME, act_bye_late },
	{ S(DONE), E(ACK), FSM_SAME, NULL },
	{ S(DONE), E(CANCEL), FSM_SAME, act_cancel_late },
	{ S(DONE), E(INVITE_AGAIN), FSM_SAME, NULL },
	{ S(DONE), E(2XX_AGAIN), FSM_SAME, act_ack_again },
	{ S(DONE), E(IDLE), S(FREED), NULL },
	/* a call gw/ holds, or whose ACK or CANCEL is awaited, stays */
	{ FSM_ANY, E(IDLE), FSM_SAME, NULL },
	/* a call gw/ let go of already: its parent's end changes nothing */
	{ FSM_ANY, E(PARENT_END), FSM_SAME, NULL },
};
#undef S
#undef E

/* The 64*T1 ACK wait counts from the 2xx's first sending: a hangup in
 * IN_WAIT_ACK does not restart it. */
static uint64_t timer_ms(struct fsm *f, int state, const char *timer)
{
	struct sip_call *c = call_of(f);
	uint64_t full = 64 * (uint64_t)c->ua->t1_ms, now = loop_now_ms();

	(void)timer;
	if (state != SIP_CS_IN_WAIT_ACK_BYE)
		return full;	/* entered as the 2xx goes */
	return c->sent_2xx_ms + full > now ? c->sent_2xx_ms + full - now : 1;
}

/* Not in the table: the engine logged it; a request is still answered. */
static void refused(struct fsm *f, int event, void *data)
{
	struct sip_call_ev *e = data;

	(void)event;
	if (e && e->tr && e->msg && MSG_IS_REQUEST(e->msg))
		sip_ua_reply(call_of(f)->ua, e->tr, e->msg, 500);
}

/* FREED: no transaction is left and gw/ let go; the engine frees c->fsm. */
static void cleanup(struct fsm *f)
{
	struct sip_call *c = call_of(f);

	c->fsm = NULL;
	sip_call_unlink(c);
	c->ua->st.calls--;
	sip_call_destroy(c);
}

static struct fsm_counters counters;

static const struct fsm_def dialog_def = {
	.name = "sip call", .cat = LOG_SIP,
	.states = states, .nstates = SIP_CS_COUNT,
	.events = event_names, .nevents = SIP_CE_COUNT,
	.trans = table, .ntrans = sizeof(table) / sizeof(table[0]),
	.timer_ms = timer_ms, .fail_state = SIP_CS_DONE, .refused = refused,
	.parent_end_event = SIP_CE_PARENT_END, .cleanup = cleanup, .counters = &counters,
};

const struct fsm_def *sip_call_machine(void)
{
	return &dialog_def;
}

int sip_call_def_check(void)
{
	return fsm_def_check(&dialog_def);
}

int sip_call_refused(struct sip_call *c, struct sip_call_ev *e)
{
	SIP_CLOG(LOG_LVL_INFO, c, "%s refused", event_names[e->type]);
	refused(c->fsm, e->type, e);
	return EINVAL;
}

int sip_call_dispatch(struct sip_call *c, struct sip_call_ev *e)
{
	int err = fsm_dispatch(c->fsm, e->type, e);

	return err ? err : e->err;
}

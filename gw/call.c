/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A call joins one TDM leg and one SIP leg with one state machine on
 * lib/fsm: the states below with their named timers (values from the
 * config), and one table of {state, event, next state, action} to read top
 * to bottom. The state changes before the action runs; anything not in the
 * table is refused and logged by the engine. One failure path, fsm_fail():
 * it records the cause and moves to RELEASED. Entering RELEASED ends the
 * call: the engine ends each leg still linked under it with the call's
 * cause (the legs' parent_end_event: tdm/ sends DISCONNECT, sip/ a final
 * response, CANCEL or BYE), then call_cleanup frees it.
 *
 * A leg's machine is linked under the call's (call_link_legs) from when
 * the call gets or makes the leg until the room reports it gone
 * (disconnected, failed, terminated: call_tdm_gone, call_sip_gone), when
 * the leg is the room's alone and its pointer is dropped at once.
 *
 * How a call begins (call_setup.c), its media (call_media.c) and what the
 * rooms report (call_events.c) live beside this file: see call_int.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/call_int.h"
#include "gw/cause.h"
#include "gw/media.h"
#include "lib/log.h"
#include "lib/q850.h"
#include "lib/str.h"

/* The named timers, as the config calls them. */
#define T_TIMER_C "sip_timer_c"		/* RFC 3261 section 16.6 bullet 11 */
#define T_NO_ANSWER "no_answer_timeout"
#define T_RTP "rtp_timeout"

static const struct fsm_state states[CS_COUNT] = {
	[CS_NEW] = { .name = "NEW" },
	[CS_SIP_CALLING] = { "SIP-CALLING", T_TIMER_C, EV_TIMER_C, NULL, 0 },
	[CS_SIP_PROGRESS] = { "SIP-PROGRESS", T_TIMER_C, EV_TIMER_C, NULL, 0 },
	[CS_SIP_ALERTING] = { "SIP-ALERTING", T_TIMER_C, EV_TIMER_C, NULL, 0 },
	[CS_ISDN_CALLING] = { "ISDN-CALLING", T_NO_ANSWER, EV_NO_ANSWER, NULL, 0 },
	[CS_ISDN_PROGRESS] = { "ISDN-PROGRESS", T_NO_ANSWER, EV_NO_ANSWER, NULL, 0 },
	[CS_ISDN_ALERTING] = { "ISDN-ALERTING", T_NO_ANSWER, EV_NO_ANSWER, NULL, 0 },
	[CS_ACTIVE] = { "ACTIVE", T_RTP, EV_RTP_TIMEOUT, NULL, 0 },
	[CS_RELEASED] = { .name = "RELEASED", .final = 1 },
};

static const char *const events[EV_COUNT] = {
	[EV_ISDN_SETUP] = "isdn-setup", [EV_SIP_INVITE] = "sip-invite",
	[EV_TDM_PROCEEDING] = "tdm-proceeding", [EV_TDM_ALERTING] = "tdm-alerting",
	[EV_TDM_PROGRESS] = "tdm-progress", [EV_TDM_CONNECTED] = "tdm-connected",
	[EV_TDM_CONNECT_ACK] = "tdm-connect-ack", [EV_TDM_DISCONNECTED] = "tdm-disconnected",
	[EV_TDM_CHAN_REFUSED] = "tdm-channel-refused",
	[EV_SIP_RINGING] = "sip-ringing", [EV_SIP_PROGRESS] = "sip-progress",
	[EV_SIP_ANSWERED] = "sip-answered", [EV_SIP_FAILED] = "sip-failed",
	[EV_SIP_CONFIRMED] = "sip-confirmed", [EV_SIP_TERMINATED] = "sip-terminated",
	[EV_TIMER_C] = "timer-c", [EV_NO_ANSWER] = "no-answer", [EV_RTP_TIMEOUT] = "rtp-timeout",
	[EV_SHUTDOWN] = "shutdown",
};

/* ---- the call and its legs ---- */

void call_name_update(struct gw_call *c)
{
	if (c->span)
		fsm_set_name(c->fsm, "call %u (span%d/B%d)", c->id, c->span->cfg->id, c->chan);
	else
		fsm_set_name(c->fsm, "call %u (no channel)", c->id);
}

void call_log(const struct gw_call *c, int level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fsm_log(c->fsm, level, "%s", msg);
}

struct gw_call *call_new(struct gw *gw, int outgoing_sip)
{
	struct gw_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (fsm_new(&call_fsm_def, gw->loop, CS_NEW, c, &c->fsm)) {
		free(c);
		return NULL;
	}
	c->gw = gw;
	c->id = ++gw->next_call_id;
	c->outgoing_sip = outgoing_sip;
	c->start_ms = loop_now_ms();
	c->pt = -1;
	c->te_pt = -1;
	call_name_update(c);
	c->next = gw->calls;
	gw->calls = c;
	gw->ncalls++;
	gw->calls_total++;
	return c;
}

static void link_leg(struct gw_call *c, struct fsm *leg)
{
	if (fsm_parent(leg) != c->fsm)
		fsm_set_parent(leg, c->fsm);
}

void call_link_legs(struct gw_call *c)
{
	if (c->tc)
		link_leg(c, tdm_call_fsm(c->tc));
	if (c->sc)
		link_leg(c, sip_call_fsm(c->sc));
}

void call_tdm_gone(struct gw_call *c)
{
	if (c->tc)
		fsm_set_parent(tdm_call_fsm(c->tc), NULL);
	c->tc = NULL;
}

void call_sip_gone(struct gw_call *c)
{
	if (c->sc)
		fsm_set_parent(sip_call_fsm(c->sc), NULL);
	c->sc = NULL;
}

/* The one failure path's action: fsm_fail() has moved to RELEASED (the
 * legs end with the call). */
static void call_on_fail(struct fsm *f, int cause, const char *why)
{
	struct gw_call *c = fsm_priv(f);

	(void)cause;
	(void)why;
	c->gw->calls_failed++;
}

/* RELEASED was entered: the call goes, after the engine ended the legs
 * still linked under it. */
static void call_cleanup(struct fsm *f)
{
	struct gw_call *c = fsm_priv(f);
	struct gw *gw = c->gw;
	int cause = fsm_cause(f) >= 0 ? fsm_cause(f) : Q850_NORMAL_CLEARING;

	fsm_log(f, LOG_LVL_INFO, "released, cause %d (%s)", cause, gw_cause_name(cause));
	for (struct gw_call **pp = &gw->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	gw->ncalls--;
	free(c->tried);
	if (c->media_on)
		gw_media_chan_stop(gw->media, &c->stream);
	sip_rtp_free(c->rtp);
	free(c);
}

/* ACTIVE was entered: rtp_timeout counts from now. */
static void answered(struct gw_call *c)
{
	c->answer_ms = loop_now_ms();
	c->gw->calls_answered++;
	fsm_timer_restart(c->fsm);
}

/* ---- timers ---- */

/* ms without RTP from the SIP side on this call (counted from the answer). */
static uint64_t rtp_quiet_ms(const struct gw_call *c)
{
	uint64_t last = gw_media_chan_last_rx(c->gw->media, &c->stream);

	if (last < c->answer_ms)
		last = c->answer_ms;	/* none yet on this call */
	return loop_now_ms() - last;
}

/*
 * The named timers' values, from the config: Timer C its full value on
 * entering a state (and on each 1xx: fsm_timer_restart); the no-answer
 * timer what is left of it since the SETUP, whichever state it is in;
 * rtp_timeout what is left since the last RTP packet (the full value on
 * answering, while the far end holds the call, and never without media).
 */
static uint64_t call_timer_ms(struct fsm *f, int state, const char *timer)
{
	struct gw_call *c = fsm_priv(f);
	const struct cfg_general *g = &c->gw->cfg->general;
	uint64_t limit, spent;

	(void)state;
	if (!strcmp(timer, T_TIMER_C))
		return (uint64_t)g->sip_timer_c * 1000;
	if (!strcmp(timer, T_NO_ANSWER)) {
		limit = (uint64_t)g->no_answer_timeout * 1000;
		spent = loop_now_ms() - c->start_ms;
		return spent < limit ? limit - spent : 1;
	}
	limit = (uint64_t)g->rtp_timeout * 1000;
	if (!limit || !c->answer_ms)
		return limit;	/* answering: the action starts the media */
	if (!c->media_on)
		return 0;
	if (!c->sc || !sip_call_remote_sends(c->sc))
		return limit;	/* held: look again later */
	spent = rtp_quiet_ms(c);
	return spent < limit ? limit - spent : limit;
}

/* isdn->sip: only provisional responses for sip_timer_c: CANCEL. */
static void act_timer_c(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	int cause = fsm_state(f) == CS_SIP_ALERTING ? Q850_NO_ANSWER : Q850_NO_USER_RESPONDING;

	(void)event;
	(void)data;
	fsm_fail(f, cause, "Timer C (RFC 3261 section 16.6) expired after %d s with only "
		 "provisional responses", c->gw->cfg->general.sip_timer_c);
}

/* sip->isdn: no CONNECT within no_answer_timeout of the SETUP. */
static void act_no_answer(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	int cause = fsm_state(f) == CS_ISDN_ALERTING ? Q850_NO_ANSWER : Q850_NO_USER_RESPONDING;

	(void)event;
	(void)data;
	fsm_fail(f, cause, "no answer timer expired after %d s without CONNECT",
		 c->gw->cfg->general.no_answer_timeout);
}

/* Answered: ACTIVE was entered again (which re-armed rtp_timeout with what
 * is left); no RTP for rtp_timeout from a far end that sends ends the call. */
static void act_rtp_check(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	uint64_t limit = (uint64_t)c->gw->cfg->general.rtp_timeout * 1000, quiet;

	(void)event;
	(void)data;
	if (!limit || !c->media_on || !c->sc || !sip_call_remote_sends(c->sc))
		return;
	quiet = rtp_quiet_ms(c);
	if (quiet >= limit)
		fsm_fail(f, Q850_RECOVERY_ON_TIMER, "no RTP from the SIP side for %llu s (rtp_timeout)",
			 (unsigned long long)(quiet / 1000));
}

/* ---- isdn -> sip ---- */

/* A 1xx: RFC 3261 section 16.7 restarts Timer C on each (entering a new
 * state starts it afresh as well); its SDP starts early media. */
static void act_sip_1xx(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;

	(void)event;
	fsm_timer_restart(f);
	if (e->sdp)
		media_from_answer(c, e->sdp);
}

static void act_sip_ringing(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;

	act_sip_1xx(f, event, data);
	tdm_call_alert(c->tc, e->sdp != NULL);
}

static void act_sip_progress(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;

	act_sip_1xx(f, event, data);
	if (e->sdp)
		tdm_call_progress(c->tc, 1);
}

static void act_sip_answered(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;

	(void)event;
	media_from_answer(c, e->sdp);
	if (!c->media_on)
		call_log(c, LOG_LVL_WARN, "answered without usable SDP: no audio");
	tdm_call_answer(c->tc);
	answered(c);
}

static void act_sip_failed(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;
	/* RFC 3398 8.2.6.1: a 488/606 whose Warning is about the media -> 65 */
	int cause = e->cause >= 0 ? e->cause : gw_sip_to_cause_ex(e->code, sip_call_warning(c->sc));

	(void)event;
	if (e->code == 503)
		gw_trunk_backoff(c->gw, c->trunk, sip_call_retry_after(c->sc));
	call_sip_gone(c);
	fsm_set_cause(f, cause);	/* the ISDN leg ends with it */
	call_log(c, LOG_LVL_INFO, "SIP %d -> cause %d (%s)", e->code, cause, gw_cause_name(cause));
}

/* ---- sip -> isdn ---- */

/* Media toward the caller's offer (started once), and our answer. */
static const struct sip_sdp_media *media_toward_caller(struct gw_call *c)
{
	if (!c->media_on)
		media_to(c, &c->remote, c->pt, c->te_pt);
	return &c->local;
}

/*
 * ALERTING -> 180, PROGRESS -> 183. When the network says in-band
 * information is there (progress indicator 1 or 8: ringback,
 * announcements), the response carries our SDP and media starts, so the
 * caller hears it (early media).
 */
static void act_isdn_alerting(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;

	(void)event;
	sip_call_respond(c->sc, 180, e->inband ? media_toward_caller(c) : NULL, -1);
}

/* A second ALERTING or a PROGRESS: a response only for early media. */
static void act_isdn_inband(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;

	if (e->inband)
		sip_call_respond(c->sc, event == EV_TDM_ALERTING ? 180 : 183,
				 media_toward_caller(c), -1);
}

static void act_isdn_connected(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);

	(void)event;
	(void)data;
	sip_call_respond(c->sc, 200, media_toward_caller(c), -1);
	answered(c);
}

/* ---- either way ---- */

/* The ISDN side cleared: the SIP leg ends with the cause (BYE, CANCEL, or
 * a final response). */
static void act_tdm_gone(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;

	(void)event;
	call_tdm_gone(c);
	fsm_set_cause(f, e->cause);
	call_log(c, LOG_LVL_INFO, "ISDN cleared with cause %d (%s)", e->cause,
		 gw_cause_name(e->cause));
}

/* The SIP side cleared (BYE or CANCEL): the ISDN leg ends with the cause. */
static void act_sip_gone(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;
	int cause = e->cause >= 0 ? e->cause : Q850_NORMAL_CLEARING;

	(void)event;
	call_sip_gone(c);
	fsm_set_cause(f, cause);
	call_log(c, LOG_LVL_INFO, "SIP cleared%s -> cause %d (%s)",
		 e->code == 487 ? " (CANCEL)" : "", cause, gw_cause_name(cause));
}

/* Both legs end with the cause. */
static void act_shutdown(struct fsm *f, int event, void *data)
{
	const struct call_ev *e = data;

	(void)event;
	fsm_set_cause(f, e->cause);
}

static const struct fsm_trans table[] = {
	/* a call begins (call_setup.c) */
	{ CS_NEW, EV_ISDN_SETUP, CS_SIP_CALLING, call_act_isdn_setup },
	{ CS_NEW, EV_SIP_INVITE, CS_ISDN_CALLING, call_act_sip_invite },
	/* isdn -> sip: INVITE sent */
	{ CS_SIP_CALLING, EV_SIP_RINGING, CS_SIP_ALERTING, act_sip_ringing },
	{ CS_SIP_CALLING, EV_SIP_PROGRESS, CS_SIP_PROGRESS, act_sip_progress },
	{ CS_SIP_CALLING, EV_SIP_ANSWERED, CS_ACTIVE, act_sip_answered },
	{ CS_SIP_CALLING, EV_TIMER_C, FSM_SAME, act_timer_c },
	{ CS_SIP_PROGRESS, EV_SIP_RINGING, CS_SIP_ALERTING, act_sip_ringing },
	{ CS_SIP_PROGRESS, EV_SIP_PROGRESS, FSM_SAME, act_sip_progress },
	{ CS_SIP_PROGRESS, EV_SIP_ANSWERED, CS_ACTIVE, act_sip_answered },
	{ CS_SIP_PROGRESS, EV_TIMER_C, FSM_SAME, act_timer_c },
	{ CS_SIP_ALERTING, EV_SIP_RINGING, FSM_SAME, act_sip_1xx },
	{ CS_SIP_ALERTING, EV_SIP_PROGRESS, FSM_SAME, act_sip_progress },
	{ CS_SIP_ALERTING, EV_SIP_ANSWERED, CS_ACTIVE, act_sip_answered },
	{ CS_SIP_ALERTING, EV_TIMER_C, FSM_SAME, act_timer_c },
	/* sip -> isdn: SETUP sent */
	{ CS_ISDN_CALLING, EV_TDM_PROCEEDING, FSM_SAME, NULL },
	{ CS_ISDN_CALLING, EV_TDM_PROGRESS, CS_ISDN_PROGRESS, act_isdn_inband },
	{ CS_ISDN_CALLING, EV_TDM_ALERTING, CS_ISDN_ALERTING, act_isdn_alerting },
	{ CS_ISDN_CALLING, EV_TDM_CONNECTED, CS_ACTIVE, act_isdn_connected },
	{ CS_ISDN_CALLING, EV_TDM_CHAN_REFUSED, FSM_SAME, call_act_isdn_retry },
	{ CS_ISDN_CALLING, EV_NO_ANSWER, FSM_SAME, act_no_answer },
	{ CS_ISDN_PROGRESS, EV_TDM_PROCEEDING, FSM_SAME, NULL },
	{ CS_ISDN_PROGRESS, EV_TDM_PROGRESS, FSM_SAME, act_isdn_inband },
	{ CS_ISDN_PROGRESS, EV_TDM_ALERTING, CS_ISDN_ALERTING, act_isdn_alerting },
	{ CS_ISDN_PROGRESS, EV_TDM_CONNECTED, CS_ACTIVE, act_isdn_connected },
	{ CS_ISDN_PROGRESS, EV_NO_ANSWER, FSM_SAME, act_no_answer },
	{ CS_ISDN_ALERTING, EV_TDM_PROCEEDING, FSM_SAME, NULL },
	{ CS_ISDN_ALERTING, EV_TDM_PROGRESS, FSM_SAME, act_isdn_inband },
	{ CS_ISDN_ALERTING, EV_TDM_ALERTING, FSM_SAME, act_isdn_inband },
	{ CS_ISDN_ALERTING, EV_TDM_CONNECTED, CS_ACTIVE, act_isdn_connected },
	{ CS_ISDN_ALERTING, EV_NO_ANSWER, FSM_SAME, act_no_answer },
	/* answered */
	{ CS_ACTIVE, EV_TDM_CONNECT_ACK, FSM_SAME, NULL },
	{ CS_ACTIVE, EV_SIP_CONFIRMED, FSM_SAME, NULL },
	{ CS_ACTIVE, EV_SIP_RINGING, FSM_SAME, NULL },	/* late or retransmitted */
	{ CS_ACTIVE, EV_SIP_PROGRESS, FSM_SAME, NULL },
	{ CS_ACTIVE, EV_SIP_ANSWERED, FSM_SAME, NULL },
	{ CS_ACTIVE, EV_RTP_TIMEOUT, CS_ACTIVE, act_rtp_check },
	/* any state: a leg gone ends the call, and so the other (never refused) */
	{ FSM_ANY, EV_TDM_DISCONNECTED, CS_RELEASED, act_tdm_gone },
	{ FSM_ANY, EV_TDM_CHAN_REFUSED, CS_RELEASED, act_tdm_gone },
	{ FSM_ANY, EV_SIP_FAILED, CS_RELEASED, act_sip_failed },
	{ FSM_ANY, EV_SIP_TERMINATED, CS_RELEASED, act_sip_gone },
	{ FSM_ANY, EV_SHUTDOWN, CS_RELEASED, act_shutdown },
};

static struct fsm_counters call_counters;

const struct fsm_def call_fsm_def = {
	.name = "call",
	.cat = LOG_ROUTE,
	.states = states,
	.nstates = CS_COUNT,
	.events = events,
	.nevents = EV_COUNT,
	.trans = table,
	.ntrans = sizeof(table) / sizeof(table[0]),
	.timer_ms = call_timer_ms,
	.fail_state = CS_RELEASED,
	.on_fail = call_on_fail,
	.parent_end_event = FSM_NONE,
	.cleanup = call_cleanup,
	.counters = &call_counters,
};

const struct fsm_def *gw_call_machine(void)
{
	return &call_fsm_def;
}

/* ---- all calls ---- */

int call_def_check(void)
{
	return fsm_def_check(&call_fsm_def);
}

void gw_call_clear_all(struct gw *gw, int cause)
{
	struct call_ev e = { .cause = cause };
	struct gw_call *next;

	for (struct gw_call *c = gw->calls; c; c = next) {
		next = c->next;
		fsm_dispatch(c->fsm, EV_SHUTDOWN, &e);
	}
}

void gw_call_digit(struct gw *gw, struct gw_call *c, char digit, int from_card)
{
	if (c) {
		c->digits++;
		call_log(c, LOG_LVL_INFO, "DTMF %c %s", digit,
			 from_card ? "in-band from ISDN -> RFC 4733" : "RFC 4733 -> in-band to ISDN");
	}
	if (from_card)
		gw->digits_to_sip++;
	else
		gw->digits_to_card++;
}

struct gw_call *gw_call_next(struct gw *gw, struct gw_call *prev)
{
	return prev ? prev->next : gw->calls;
}

void gw_call_get_info(const struct gw_call *c, struct gw_call_info *info)
{
	uint64_t now = loop_now_ms();

	memset(info, 0, sizeof(*info));
	info->id = c->id;
	info->direction = c->outgoing_sip ? "isdn->sip" : "sip->isdn";
	info->state = fsm_state_name(c->fsm);
	info->span_id = c->span ? c->span->cfg->id : 0;
	info->chan = c->chan;
	str_copy(info->calling, c->calling, sizeof(info->calling));
	str_copy(info->called, c->called, sizeof(info->called));
	info->call_id = c->sip_call_id;
	info->age_ms = now - c->start_ms;
	info->answered_ms = c->answer_ms ? now - c->answer_ms : 0;
	info->digits = c->digits;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The ISDN call state machine: one table of (state, event) -> (action,
 * next state) for every call on a span. Events are the Q.931 messages
 * libpri reports for the call (isdn.c turns pri_events into them), the
 * span going down, a RESTART of the call's channel, and gw/'s commands
 * (tdm.h). Anything the table does not list is refused and logged; a
 * refused command returns EINVAL. Every transition is logged at debug:
 *   span1/B5: call 3{ALERTING-OUT}: CONNECT -> ACTIVE-OUT
 * The state changes before the action runs, so gw/ called back from an
 * action (and commanding from inside the callback) sees the new state.
 *
 * One failure path, fail(): it records the cause, logs, counts, reports
 * `disconnected` to gw/ (tdm.h: the pointer is gw/'s until that returns)
 * and clears toward the network. Clearing by either end is not a failure:
 * the far end's DISCONNECT/RELEASE and gw/'s hangup have their own actions.
 *
 * Timers. Q.931's timers on these states are libpri's, set per link from
 * the span's config in isdn_new(): T303 (SETUP-OUT: no answer to SETUP),
 * T310 (PROCEEDING-OUT: nothing after CALL PROCEEDING), T305/T308
 * (CLEARING: DISCONNECT/RELEASE unanswered), T313 (CONNECT unacknowledged),
 * T309 (calls kept over a layer 2 outage). The incoming states wait for
 * gw/, which is bounded by SIP's own timers (RFC 3261 Timer B/C) and by
 * the network's T310/T301; so the machine has no timer of its own.
 */
#include "tdm/span_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/q850.h"


typedef int (*isdn_action)(struct tdm_call *c, enum tdm_call_state from,
			   const struct isdn_ev *e);

struct transition {
	enum tdm_call_state to;
	isdn_action act;	/* NULL: the state does not take the event */
};

static const char *const state_names[TDM_CS_COUNT] = {
	[TDM_CS_NULL] = "NULL",
	[TDM_CS_IN_SETUP] = "SETUP-IN", [TDM_CS_IN_PROCEEDING] = "PROCEEDING-IN",
	[TDM_CS_IN_ALERTING] = "ALERTING-IN", [TDM_CS_IN_ACTIVE] = "ACTIVE-IN",
	[TDM_CS_OUT_SETUP] = "SETUP-OUT", [TDM_CS_OUT_PROCEEDING] = "PROCEEDING-OUT",
	[TDM_CS_OUT_ALERTING] = "ALERTING-OUT", [TDM_CS_OUT_ACTIVE] = "ACTIVE-OUT",
	[TDM_CS_CLEARING] = "CLEARING",
};

/* Q.931 messages received in capitals, gw/'s commands in lower case. */
static const char *const event_names[ISDN_EV_COUNT] = {
	[ISDN_EV_SETUP] = "SETUP", [ISDN_EV_PROCEEDING] = "CALL PROCEEDING",
	[ISDN_EV_SETUP_ACK] = "SETUP ACKNOWLEDGE", [ISDN_EV_ALERTING] = "ALERTING",
	[ISDN_EV_PROGRESS] = "PROGRESS", [ISDN_EV_CONNECT] = "CONNECT",
	[ISDN_EV_CONNECT_ACK] = "CONNECT ACKNOWLEDGE", [ISDN_EV_DISCONNECT] = "DISCONNECT",
	[ISDN_EV_RELEASE] = "RELEASE", [ISDN_EV_RESTART] = "RESTART",
	[ISDN_EV_SPAN_DOWN] = "span-down",
	[ISDN_CMD_PLACE] = "place", [ISDN_CMD_PROCEEDING] = "proceeding",
	[ISDN_CMD_ALERT] = "alert", [ISDN_CMD_PROGRESS] = "progress",
	[ISDN_CMD_ANSWER] = "answer", [ISDN_CMD_HANGUP] = "hangup",
};

const char *isdn_call_state_name(enum tdm_call_state st)
{
	return (unsigned)st < TDM_CS_COUNT ? state_names[st] : "?";
}

const char *isdn_event_name(enum isdn_event ev)
{
	return (unsigned)ev < ISDN_EV_COUNT ? event_names[ev] : "?";
}

static void call_log(const struct tdm_call *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void call_log(const struct tdm_call *c, int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(LOG_ISDN, level, "%s/B%d: call %u{%s}: %s", c->span->name, c->chan, c->id,
		isdn_call_state_name(c->state), msg);
}

/* ---- clearing ---- */

static void chan_free(struct tdm_call *c)
{
	struct tdm_span *s = c->span;

	if (c->chan > 0 && c->chan < TDM_SLOTS)
		s->chan[c->chan] = s->up ? TDM_CHAN_IDLE : TDM_CHAN_OOS;
}

/* Hand c's libpri call back with DISCONNECT and free its channel. */
static void release(struct tdm_call *c, int cause)
{
	if (c->q && !c->outgoing && !c->setup_answered) {
		/* libpri sends nothing for a DISCONNECT before our first
		 * answer to SETUP: answer CALL PROCEEDING first. */
		isdn_tx_proceeding(c);
		c->setup_answered = 1;
		call_log(c, LOG_LVL_DEBUG, "CALL PROCEEDING sent before clearing");
	}
	isdn_tx_clear(c, cause);
	chan_free(c);
}

/* The one failure path: record, log, count, tell gw/, clear. */
static void fail(struct tdm_call *c, int cause, const char *why)
{
	c->cause = cause;
	c->span->calls_failed++;
	call_log(c, LOG_LVL_INFO, "failed: %s, cause %d (%s)", why, cause, pri_cause2str(cause));
	span_call_disconnected(c, cause);
	release(c, cause);
}

/* ---- actions ---- */

static int act_none(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)c;
	(void)from;
	(void)e;
	return 0;
}

static int act_setup(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	c->q = e->q;
	c->span->calls_in++;
	return 0;
}

static int act_place(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	int err = isdn_tx_setup(c, e->setup); /* logs SETUP sent */

	(void)from;
	if (!err)
		c->span->calls_out++;
	return err;
}

static int act_proceeding(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	(void)e;
	isdn_tx_proceeding(c);
	c->setup_answered = 1;
	call_log(c, LOG_LVL_INFO, "CALL PROCEEDING sent");
	return 0;
}

static int act_alert(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	isdn_tx_alerting(c, e->inband);
	c->setup_answered = 1;
	call_log(c, LOG_LVL_INFO, "ALERTING sent%s", e->inband ? " (in-band information)" : "");
	return 0;
}

static int act_progress(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	if (!c->setup_answered) {
		/* PROGRESS is not a first answer to SETUP. */
		isdn_tx_proceeding(c);
		c->setup_answered = 1;
		call_log(c, LOG_LVL_INFO, "CALL PROCEEDING sent");
	}
	isdn_tx_progress(c, e->inband);
	call_log(c, LOG_LVL_INFO, "PROGRESS sent%s", e->inband ? " (in-band information)" : "");
	return 0;
}

static int act_answer(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	(void)e;
	isdn_tx_connect(c);
	c->setup_answered = 1;
	call_log(c, LOG_LVL_INFO, "CONNECT sent");
	return 0;
}

/* gw/ clears: the call is tdm/'s from now on. */
static int act_hangup(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	c->gw_holds = 0;
	c->cause = e->cause;
	call_log(c, LOG_LVL_INFO, "cleared by us in %s, cause %d (%s)",
		 isdn_call_state_name(from), e->cause, pri_cause2str(e->cause));
	release(c, e->cause);
	return 0;
}

static int act_rx_proceeding(struct tdm_call *c, enum tdm_call_state from,
			     const struct isdn_ev *e)
{
	struct tdm_span *s = c->span;

	(void)from;
	(void)e;
	call_log(c, LOG_LVL_INFO, "CALL PROCEEDING received");
	if (c->gw_holds && s->ev.proceeding)
		s->ev.proceeding(s->arg, c);
	return 0;
}

/* Overlap sending is not supported (SETUP goes en-bloc): noted only. */
static int act_rx_setup_ack(struct tdm_call *c, enum tdm_call_state from,
			    const struct isdn_ev *e)
{
	(void)from;
	(void)e;
	call_log(c, LOG_LVL_INFO, "SETUP ACKNOWLEDGE received");
	return 0;
}

static int act_rx_alerting(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	struct tdm_span *s = c->span;

	(void)from;
	call_log(c, LOG_LVL_INFO, "ALERTING%s received", e->inband ? " (in-band)" : "");
	if (c->gw_holds && s->ev.alerting)
		s->ev.alerting(s->arg, c, e->inband);
	return 0;
}

static int act_rx_progress(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	struct tdm_span *s = c->span;

	(void)from;
	call_log(c, LOG_LVL_INFO, "PROGRESS%s received", e->inband ? " (in-band)" : "");
	if (c->gw_holds && s->ev.progress)
		s->ev.progress(s->arg, c, e->inband);
	return 0;
}

/* CONNECT ACKNOWLEDGE went out already (isdn.c, libpri's manual mode). */
static int act_rx_connect(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	struct tdm_span *s = c->span;

	(void)from;
	(void)e;
	call_log(c, LOG_LVL_INFO, "CONNECT received");
	if (c->gw_holds && s->ev.connected)
		s->ev.connected(s->arg, c);
	return 0;
}

static int act_rx_connect_ack(struct tdm_call *c, enum tdm_call_state from,
			      const struct isdn_ev *e)
{
	struct tdm_span *s = c->span;

	(void)from;
	(void)e;
	call_log(c, LOG_LVL_INFO, "CONNECT ACKNOWLEDGE received");
	if (c->gw_holds && s->ev.connect_ack)
		s->ev.connect_ack(s->arg, c);
	return 0;
}

/* The far end cleared: DISCONNECT (we answer RELEASE) or RELEASE (we
 * answer RELEASE COMPLETE). */
static int act_rx_clear(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	struct tdm_span *s = c->span;
	int cause = e->cause;

	if (!s->dchan_connected || !s->l2_up)
		cause = Q850_NETWORK_OUT_OF_ORDER; /* T309 or layer 2 loss */
	c->cause = cause;
	call_log(c, LOG_LVL_INFO, "%s received in %s, cause %d (%s)", isdn_event_name(e->type),
		 isdn_call_state_name(from), cause, pri_cause2str(cause));
	span_call_disconnected(c, cause);
	isdn_tx_clear(c, e->cause);
	chan_free(c);
	return 0;
}

/* libpri acknowledges the RESTART itself: nothing to signal for the call. */
static int act_restart(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	(void)e;
	isdn_tx_forget(c);
	fail(c, Q850_TEMPORARY_FAILURE, "RESTART of its channel");
	return 0;
}

static int act_span_down(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	if (e->lost)
		isdn_tx_forget(c); /* nothing can be signalled */
	fail(c, e->cause, e->lost ? "span down, layer 1 or 2 lost" : "span down");
	return 0;
}

/* ---- the table ---- */

/* Every state with a call in it is cleared by either end, a RESTART of
 * its channel, or the span going down. */
#define CLEARED_BY_ANY \
	[ISDN_EV_DISCONNECT] = { TDM_CS_CLEARING, act_rx_clear }, \
	[ISDN_EV_RELEASE] = { TDM_CS_CLEARING, act_rx_clear }, \
	[ISDN_EV_RESTART] = { TDM_CS_CLEARING, act_restart }, \
	[ISDN_EV_SPAN_DOWN] = { TDM_CS_CLEARING, act_span_down }, \
	[ISDN_CMD_HANGUP] = { TDM_CS_CLEARING, act_hangup }

static const struct transition table[TDM_CS_COUNT][ISDN_EV_COUNT] = {
	[TDM_CS_NULL] = {
		[ISDN_EV_SETUP] = { TDM_CS_IN_SETUP, act_setup },
		[ISDN_CMD_PLACE] = { TDM_CS_OUT_SETUP, act_place },
	},
	/* incoming: gw/ answers */
	[TDM_CS_IN_SETUP] = {
		[ISDN_CMD_PROCEEDING] = { TDM_CS_IN_PROCEEDING, act_proceeding },
		[ISDN_CMD_ALERT] = { TDM_CS_IN_ALERTING, act_alert },
		[ISDN_CMD_PROGRESS] = { TDM_CS_IN_PROCEEDING, act_progress },
		[ISDN_CMD_ANSWER] = { TDM_CS_IN_ACTIVE, act_answer },
		CLEARED_BY_ANY,
	},
	[TDM_CS_IN_PROCEEDING] = {
		[ISDN_CMD_PROCEEDING] = { TDM_CS_IN_PROCEEDING, act_none }, /* sent already */
		[ISDN_CMD_ALERT] = { TDM_CS_IN_ALERTING, act_alert },
		[ISDN_CMD_PROGRESS] = { TDM_CS_IN_PROCEEDING, act_progress },
		[ISDN_CMD_ANSWER] = { TDM_CS_IN_ACTIVE, act_answer },
		CLEARED_BY_ANY,
	},
	[TDM_CS_IN_ALERTING] = {
		[ISDN_CMD_PROCEEDING] = { TDM_CS_IN_ALERTING, act_none },
		[ISDN_CMD_ALERT] = { TDM_CS_IN_ALERTING, act_none }, /* sent once */
		[ISDN_CMD_PROGRESS] = { TDM_CS_IN_ALERTING, act_progress },
		[ISDN_CMD_ANSWER] = { TDM_CS_IN_ACTIVE, act_answer },
		CLEARED_BY_ANY,
	},
	[TDM_CS_IN_ACTIVE] = {
		[ISDN_EV_CONNECT_ACK] = { TDM_CS_IN_ACTIVE, act_rx_connect_ack },
		[ISDN_CMD_PROCEEDING] = { TDM_CS_IN_ACTIVE, act_none },
		[ISDN_CMD_ANSWER] = { TDM_CS_IN_ACTIVE, act_none }, /* answered already */
		CLEARED_BY_ANY,
	},
	/* outgoing: the network answers */
	[TDM_CS_OUT_SETUP] = {
		[ISDN_EV_PROCEEDING] = { TDM_CS_OUT_PROCEEDING, act_rx_proceeding },
		[ISDN_EV_SETUP_ACK] = { TDM_CS_OUT_SETUP, act_rx_setup_ack },
		[ISDN_EV_ALERTING] = { TDM_CS_OUT_ALERTING, act_rx_alerting },
		[ISDN_EV_PROGRESS] = { TDM_CS_OUT_SETUP, act_rx_progress },
		[ISDN_EV_CONNECT] = { TDM_CS_OUT_ACTIVE, act_rx_connect },
		CLEARED_BY_ANY,
	},
	[TDM_CS_OUT_PROCEEDING] = {
		[ISDN_EV_ALERTING] = { TDM_CS_OUT_ALERTING, act_rx_alerting },
		[ISDN_EV_PROGRESS] = { TDM_CS_OUT_PROCEEDING, act_rx_progress },
		[ISDN_EV_CONNECT] = { TDM_CS_OUT_ACTIVE, act_rx_connect },
		CLEARED_BY_ANY,
	},
	[TDM_CS_OUT_ALERTING] = {
		[ISDN_EV_PROGRESS] = { TDM_CS_OUT_ALERTING, act_rx_progress },
		[ISDN_EV_CONNECT] = { TDM_CS_OUT_ACTIVE, act_rx_connect },
		CLEARED_BY_ANY,
	},
	[TDM_CS_OUT_ACTIVE] = {
		CLEARED_BY_ANY,
	},
	/* CLEARING: libpri finishes alone; nothing more is ours to do. */
};

static int dispatch(struct tdm_call *c, const struct isdn_ev *e)
{
	enum tdm_call_state from = c->state;
	const struct transition *t;
	int err;

	if ((unsigned)from >= TDM_CS_COUNT || (unsigned)e->type >= ISDN_EV_COUNT)
		return EINVAL;
	t = &table[from][e->type];
	if (!t->act) {
		call_log(c, e->type >= ISDN_CMD_PLACE ? LOG_LVL_WARN : LOG_LVL_NOTICE,
			 "%s refused (not taken in this state)", event_names[e->type]);
		return EINVAL;
	}
	call_log(c, LOG_LVL_DEBUG, "%s -> %s", event_names[e->type], state_names[t->to]);
	c->state = t->to;
	err = t->act(c, from, e);
	if (err) {
		c->state = from;
		call_log(c, LOG_LVL_DEBUG, "%s failed (%s): back to %s", event_names[e->type],
			 strerror(err), state_names[from]);
	}
	return err;
}

int isdn_call_event(struct tdm_call *c, const struct isdn_ev *e)
{
	int err;

	c->in_cb++;
	err = dispatch(c, e);
	c->in_cb--;
	span_call_maybe_free(c);
	return err;
}

/* ---- calls coming and going ---- */

void isdn_call_setup(struct tdm_span *s, q931_call *q, const struct tdm_setup *setup,
		     int want, int flexible)
{
	struct isdn_ev e = { .type = ISDN_EV_SETUP, .q = q };
	struct tdm_setup offer = *setup;
	struct tdm_call *c;
	int chan = -1;

	if (s->up) {
		if (want && span_is_bearer(s, want))
			chan = span_hunt(s, want);
		if (chan < 0 && (!want || flexible))
			chan = span_hunt(s, 0);
	}
	if (chan < 0) {
		int cause = !s->up ? Q850_NETWORK_OUT_OF_ORDER
			: want && !flexible ? Q850_CHANNEL_UNAVAILABLE : Q850_NO_CIRCUIT;

		log_notice(LOG_ISDN, "%s/B%d: SETUP rejected, cause %d (%s)", s->name, want,
			   cause, pri_cause2str(cause));
		isdn_tx_reject(s, q, want, cause);
		return;
	}
	c = span_call_new(s, chan, 0);
	if (!c) {
		isdn_tx_reject(s, q, chan, Q850_TEMPORARY_FAILURE);
		return;
	}
	offer.channel = chan;
	c->in_cb++;
	dispatch(c, &e);
	/* En-bloc: answer SETUP with CALL PROCEEDING at once. It stops the
	 * network's T303, and without it libpri neither reports a DISCONNECT
	 * from a caller who gives up nor sends our own (NOTES-libraries.md). */
	e.type = ISDN_CMD_PROCEEDING;
	dispatch(c, &e);
	if (s->ev.incoming) {
		s->ev.incoming(s->arg, c, &offer);
	} else {
		e.type = ISDN_CMD_HANGUP;
		e.cause = Q850_TEMPORARY_FAILURE;
		dispatch(c, &e);
	}
	c->in_cb--;
	span_call_maybe_free(c);
}

static int call_live(const struct tdm_call *c)
{
	return c->state != TDM_CS_NULL && c->state != TDM_CS_CLEARING;
}

/* Feed e to every live call (on chan, or all for 0): gw/ hears of each
 * while none is freed under it. */
static void event_to_calls(struct tdm_span *s, int chan, const struct isdn_ev *e)
{
	struct tdm_call *c, *next;

	for (c = s->calls; c; c = c->next)
		c->in_cb++;
	for (c = s->calls; c; c = c->next)
		if (call_live(c) && (!chan || c->chan == chan))
			dispatch(c, e);
	for (c = s->calls; c; c = next) {
		next = c->next;
		c->in_cb--;
		span_call_maybe_free(c);
	}
	isdn_kick(s);
}

void isdn_call_restart(struct tdm_span *s, int chan)
{
	struct isdn_ev e = { .type = ISDN_EV_RESTART, .cause = Q850_TEMPORARY_FAILURE };

	event_to_calls(s, chan, &e);
}

void isdn_clear_all(struct tdm_span *s, int cause, int l1_lost)
{
	struct isdn_ev e = { .type = ISDN_EV_SPAN_DOWN, .cause = cause, .lost = l1_lost };

	event_to_calls(s, 0, &e);
}

/* ---- gw/'s commands (tdm.h) ---- */

int tdm_call_place(struct tdm_span *s, int channel, const struct tdm_setup *setup,
		   void *user, struct tdm_call **out)
{
	struct isdn_ev e = { .type = ISDN_CMD_PLACE, .setup = setup };
	struct tdm_call *c;
	int chan, err;

	if (!s->up)
		return ENETDOWN;
	if (channel > 0 && !span_is_bearer(s, channel))
		return EINVAL;
	chan = span_hunt(s, channel);
	if (chan < 0)
		return EBUSY;
	c = span_call_new(s, chan, 1);
	if (!c)
		return ENOMEM;
	c->user = user;
	c->in_cb++;
	err = dispatch(c, &e);
	c->in_cb--;
	if (err)
		c->gw_holds = 0; /* never gw/'s: freed now */
	span_call_maybe_free(c);
	isdn_kick(s);
	if (!err)
		*out = c;
	return err;
}

static int command(struct tdm_call *c, enum isdn_event type, int cause, int inband)
{
	struct isdn_ev e = { .type = type, .cause = cause, .inband = !!inband };
	struct tdm_span *s;
	int err;

	if (!c)
		return EINVAL;
	s = c->span;
	err = isdn_call_event(c, &e); /* c may be gone now */
	isdn_kick(s);
	return err;
}

int tdm_call_proceeding(struct tdm_call *c)
{
	return command(c, ISDN_CMD_PROCEEDING, 0, 0);
}

int tdm_call_alert(struct tdm_call *c, int inband)
{
	return command(c, ISDN_CMD_ALERT, 0, inband);
}

int tdm_call_progress(struct tdm_call *c, int inband)
{
	return command(c, ISDN_CMD_PROGRESS, 0, inband);
}

int tdm_call_answer(struct tdm_call *c)
{
	return command(c, ISDN_CMD_ANSWER, 0, 0);
}

int tdm_call_hangup(struct tdm_call *c, int cause)
{
	if (cause <= 0 || cause > 127)
		cause = Q850_NORMAL_CLEARING;
	return command(c, ISDN_CMD_HANGUP, cause, 0);
}

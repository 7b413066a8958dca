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
#include "tdm/isdn_int.h"

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
		isdn_call_state_name(isdn_call_of(c)->state), msg);
}

/* ---- clearing ---- */

/* Hand c's libpri call back with DISCONNECT and free its channel. */
static void release(struct tdm_call *c, int cause)
{
	if (isdn_call_of(c)->q && !c->outgoing && !isdn_call_of(c)->setup_answered) {
		/* libpri sends nothing for a DISCONNECT before our first
		 * answer to SETUP: answer CALL PROCEEDING first. */
		isdn_tx_proceeding(c);
		isdn_call_of(c)->setup_answered = 1;
		call_log(c, LOG_LVL_DEBUG, "CALL PROCEEDING sent before clearing");
	}
	isdn_tx_clear(c, cause);
	span_chan_free(c->span, c->chan);
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
	isdn_call_of(c)->q = e->q;
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
	isdn_call_of(c)->setup_answered = 1;
	call_log(c, LOG_LVL_INFO, "CALL PROCEEDING sent");
	return 0;
}

static int act_alert(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	isdn_tx_alerting(c, e->inband);
	isdn_call_of(c)->setup_answered = 1;
	call_log(c, LOG_LVL_INFO, "ALERTING sent%s", e->inband ? " (in-band information)" : "");
	return 0;
}

static int act_progress(struct tdm_call *c, enum tdm_call_state from, const struct isdn_ev *e)
{
	(void)from;
	if (!isdn_call_of(c)->setup_answered) {
		/* PROGRESS is not a first answer to SETUP. */
		isdn_tx_proceeding(c);
		isdn_call_of(c)->setup_answered = 1;
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
	isdn_call_of(c)->setup_answered = 1;
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

	if (!s->sig_connected || !s->sig_up)
		cause = Q850_NETWORK_OUT_OF_ORDER; /* T309 or layer 2 loss */
	c->cause = cause;
	call_log(c, LOG_LVL_INFO, "%s received in %s, cause %d (%s)", isdn_event_name(e->type),
		 isdn_call_state_name(from), cause, pri_cause2str(cause));
	span_call_disconnected(c, cause);
	isdn_tx_clear(c, e->cause);
	span_chan_free(c->span, c->chan);
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
	enum tdm_call_state from = isdn_call_of(c)->state;
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
	isdn_call_of(c)->state = t->to;
	err = t->act(c, from, e);
	if (err) {
		isdn_call_of(c)->state = from;
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
	return isdn_call_of(c)->state != TDM_CS_NULL && isdn_call_of(c)->state != TDM_CS_CLEARING;
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

/* ---- gw/'s commands (span_call.c checked them) ---- */

static int call_place(struct tdm_call *c, const struct tdm_setup *setup)
{
	struct isdn_ev e = { .type = ISDN_CMD_PLACE, .setup = setup };
	int err = dispatch(c, &e);

	isdn_kick(c->span);
	return err;
}

static int call_command(struct tdm_call *c, enum tdm_cmd cmd, int cause, int inband)
{
	static const enum isdn_event type[] = {
		[TDM_CMD_PROCEEDING] = ISDN_CMD_PROCEEDING, [TDM_CMD_ALERT] = ISDN_CMD_ALERT,
		[TDM_CMD_PROGRESS] = ISDN_CMD_PROGRESS, [TDM_CMD_ANSWER] = ISDN_CMD_ANSWER,
		[TDM_CMD_HANGUP] = ISDN_CMD_HANGUP,
	};
	struct isdn_ev e = { .type = type[cmd], .cause = cause, .inband = inband };
	struct tdm_span *s = c->span;
	int err = isdn_call_event(c, &e); /* c may be gone now */

	isdn_kick(s);
	return err;
}

/* libpri still has the call: it is not freed under libpri's feet. */
static int call_held(const struct tdm_call *c)
{
	return isdn_call_of(c)->q != NULL;
}

/* Until it clears, a call holds its channel. */
static int call_holds_chan(const struct tdm_call *c)
{
	return isdn_call_of(c)->state != TDM_CS_CLEARING;
}

const struct tdm_sig_ops tdm_isdn_sig_ops = {
	.name = "isdn",
	.call_size = sizeof(struct isdn_call),
	.new = isdn_new,
	.free = isdn_free,
	.changed = isdn_span_changed,
	.clear_all = isdn_clear_all,
	.place = call_place,
	.command = call_command,
	.call_held = call_held,
	.holds_chan = call_holds_chan,
};

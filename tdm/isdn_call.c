/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The ISDN call state machine, on lib/fsm: one table of (state, event) ->
 * (next state, action) for every call on a span, read top to bottom.
 * Events are the Q.931 messages libpri reports for the call (isdn.c turns
 * pri_events into them), the span going down, a RESTART of the call's
 * channel, and gw/'s commands (tdm.h). Anything the table does not list
 * is refused and logged (a command at warn: gw/'s bug; a message at
 * notice: the network's); a refused command returns EINVAL. Every
 * transition is logged at debug:
 *   span1/B5: call 3{ALERTING-OUT}: CONNECT -> ACTIVE-OUT
 * The state changes before the action runs, so gw/ called back from an
 * action (and commanding from inside the callback) sees the new state. An
 * action whose Q.931 message libpri refuses (SETUP) undoes its transition.
 *
 * One failure path, fsm_fail() -> on_fail(): it records the cause, logs,
 * counts, reports `disconnected` to gw/ (tdm.h: the pointer is gw/'s until
 * that returns) and clears toward the network. Clearing by either end is
 * not a failure: the far end's DISCONNECT/RELEASE and gw/'s hangup have
 * their own actions. gw/'s call is the machine's parent (tdm_call_fsm):
 * when it ends, its "parent ended" clears the call as gw/'s hangup does.
 *
 * Timers. Q.931's timers on these states are libpri's, set per link from
 * the span's config in isdn.c: T303 (SETUP-OUT: no answer to SETUP), T310
 * (PROCEEDING-OUT: nothing after CALL PROCEEDING), T305/T308 (CLEARING:
 * DISCONNECT/RELEASE unanswered), T313 (CONNECT unacknowledged), T309
 * (calls kept over a layer 2 outage). The incoming states wait for gw/,
 * which is bounded by SIP's own timers (RFC 3261 Timer B/C) and by the
 * network's T310/T301; so the machine has no timer of its own.
 */
#include "tdm/isdn_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/q850.h"

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
	[ISDN_EV_PARENT_END] = "parent ended",
};

/* The direction is part of the state, so the table alone says which
 * commands an incoming or an outgoing call takes. */
static const struct fsm_state states[TDM_CS_COUNT] = {
	[TDM_CS_NULL] = { .name = "NULL" },
	[TDM_CS_IN_SETUP] = { .name = "SETUP-IN" },
	[TDM_CS_IN_PROCEEDING] = { .name = "PROCEEDING-IN" },
	[TDM_CS_IN_ALERTING] = { .name = "ALERTING-IN" },
	[TDM_CS_IN_ACTIVE] = { .name = "ACTIVE-IN" },
	[TDM_CS_OUT_SETUP] = { .name = "SETUP-OUT" },
	[TDM_CS_OUT_PROCEEDING] = { .name = "PROCEEDING-OUT" },
	[TDM_CS_OUT_ALERTING] = { .name = "ALERTING-OUT" },
	[TDM_CS_OUT_ACTIVE] = { .name = "ACTIVE-OUT" },
	[TDM_CS_CLEARING] = { .name = "CLEARING" },
};

static const struct fsm_def call_def;

static struct tdm_call *call_of(struct fsm *f)
{
	return fsm_priv(f);
}

static const char *from_name(const struct fsm *f)
{
	return fsm_def_state_name(&call_def, fsm_from(f));
}

static const char *cause_name(int cause)
{
	return pri_cause2str(cause);
}

/* ---- clearing ---- */

/* Hand c's libpri call back with DISCONNECT and free its channel. A call
 * cleared from SETUP-IN had no answer yet, and libpri sends nothing for a
 * DISCONNECT before one: CALL PROCEEDING goes first. */
static void release(struct fsm *f, int cause)
{
	struct tdm_call *c = call_of(f);

	if (isdn_call_of(c)->q && fsm_from(f) == TDM_CS_IN_SETUP) {
		isdn_tx_proceeding(c);
		fsm_log(f, LOG_LVL_DEBUG, "CALL PROCEEDING sent before clearing");
	}
	isdn_tx_clear(c, cause);
	span_chan_free(c->span, c->chan);
}

/* The one failure path (after fsm_fail logged and counted): record, tell
 * gw/, clear. */
static void on_fail(struct fsm *f, int cause, const char *why)
{
	struct tdm_call *c = call_of(f);

	(void)why;
	c->cause = cause;
	c->span->calls_failed++;
	span_call_disconnected(c, cause);
	release(f, cause);
}

static void log_refused(const struct fsm *f, int event)
{
	fsm_log(f, event >= ISDN_CMD_PLACE ? LOG_LVL_WARN : LOG_LVL_NOTICE,
		"%s refused (not taken in this state)", fsm_def_event_name(&call_def, event));
}

/* ---- actions: data is the struct isdn_ev ---- */

static void act_setup(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;
	struct tdm_call *c = call_of(f);

	(void)event;
	isdn_call_of(c)->q = e->q;
	c->span->calls_in++;
}

static void act_place(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;
	struct tdm_call *c = call_of(f);
	int err = isdn_tx_setup(c, e->setup); /* logs SETUP sent */

	(void)event;
	if (err)
		fsm_undo(f, err);
	else
		c->span->calls_out++;
}

static void act_proceeding(struct fsm *f, int event, void *data)
{
	(void)event;
	(void)data;
	isdn_tx_proceeding(call_of(f));
	fsm_log(f, LOG_LVL_INFO, "CALL PROCEEDING sent");
}

static void act_alert(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;

	(void)event;
	isdn_tx_alerting(call_of(f), e->inband);
	fsm_log(f, LOG_LVL_INFO, "ALERTING sent%s", e->inband ? " (in-band information)" : "");
}

static void act_progress(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;

	(void)event;
	isdn_tx_progress(call_of(f), e->inband);
	fsm_log(f, LOG_LVL_INFO, "PROGRESS sent%s", e->inband ? " (in-band information)" : "");
}

/* PROGRESS is not a first answer to SETUP: CALL PROCEEDING goes first. */
static void act_proceeding_progress(struct fsm *f, int event, void *data)
{
	act_proceeding(f, event, data);
	act_progress(f, event, data);
}

static void act_answer(struct fsm *f, int event, void *data)
{
	(void)event;
	(void)data;
	isdn_tx_connect(call_of(f));
	fsm_log(f, LOG_LVL_INFO, "CONNECT sent");
}

/* gw/ clears: the call is tdm/'s from now on. */
static void clear_by_us(struct fsm *f, int cause)
{
	struct tdm_call *c = call_of(f);

	c->cause = cause;
	fsm_log(f, LOG_LVL_INFO, "cleared by us in %s, cause %d (%s)", from_name(f), cause,
		cause_name(cause));
	release(f, cause);
}

static void act_hangup(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;

	(void)event;
	clear_by_us(f, e->cause);
}

/* gw/'s call ended (lib/fsm tells its children; data: its cause): as
 * tdm_call_hangup(). Not reached through isdn_call_event(), so the kick
 * and the free are this action's; the engine frees f after it returns. */
static void act_parent_end(struct fsm *f, int event, void *data)
{
	struct tdm_call *c = call_of(f);
	struct tdm_span *s = c->span;
	int cause = *(const int *)data;

	(void)event;
	clear_by_us(f, cause > 0 && cause <= 127 ? cause : Q850_NORMAL_CLEARING);
	isdn_kick(s);
	span_call_maybe_free(c); /* c may be gone now */
}

/* A message from the network that gw/ hears of: logged, then passed on. */
static void act_rx(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;
	struct tdm_call *c = call_of(f);
	const struct tdm_span_events *ev = &c->span->ev;
	void *arg = c->span->arg;

	fsm_log(f, LOG_LVL_INFO, "%s%s received", event_names[event],
		(event == ISDN_EV_ALERTING || event == ISDN_EV_PROGRESS) && e->inband
		? " (in-band)" : "");
	switch (event) {
	case ISDN_EV_PROCEEDING:
		if (ev->proceeding)
			ev->proceeding(arg, c);
		break;
	case ISDN_EV_ALERTING:
		if (ev->alerting)
			ev->alerting(arg, c, e->inband);
		break;
	case ISDN_EV_PROGRESS:
		if (ev->progress)
			ev->progress(arg, c, e->inband);
		break;
	case ISDN_EV_CONNECT: /* CONNECT ACKNOWLEDGE went out already (isdn.c) */
		if (ev->connected)
			ev->connected(arg, c);
		break;
	case ISDN_EV_CONNECT_ACK:
		if (ev->connect_ack)
			ev->connect_ack(arg, c);
		break;
	default: /* SETUP ACKNOWLEDGE: overlap sending is not supported, noted only */
		break;
	}
}

/* The far end cleared: DISCONNECT (we answer RELEASE) or RELEASE (we
 * answer RELEASE COMPLETE). */
static void act_rx_clear(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;
	struct tdm_call *c = call_of(f);
	struct tdm_span *s = c->span;
	int cause = e->cause;

	if (!s->sig_connected || !s->sig_up)
		cause = Q850_NETWORK_OUT_OF_ORDER; /* T309 or layer 2 loss */
	c->cause = cause;
	fsm_log(f, LOG_LVL_INFO, "%s received in %s, cause %d (%s)", event_names[event],
		from_name(f), cause, cause_name(cause));
	span_call_disconnected(c, cause);
	isdn_tx_clear(c, e->cause);
	span_chan_free(s, c->chan);
}

/* libpri acknowledges the RESTART itself: nothing to signal for the call. */
static void act_restart(struct fsm *f, int event, void *data)
{
	(void)event;
	(void)data;
	isdn_tx_forget(call_of(f));
	fsm_fail(f, Q850_TEMPORARY_FAILURE, "RESTART of its channel");
}

static void act_span_down(struct fsm *f, int event, void *data)
{
	const struct isdn_ev *e = data;

	(void)event;
	if (e->lost)
		isdn_tx_forget(call_of(f)); /* nothing can be signalled */
	fsm_fail(f, e->cause, "%s", e->lost ? "span down, layer 1 or 2 lost" : "span down");
}

/* ---- the table ---- */

#define S(x) TDM_CS_##x

/* Every state with a call in it is cleared by either end (gw/'s hangup,
 * or the end of gw/'s call, its parent), a RESTART of its channel, or the
 * span going down (release() answers CALL PROCEEDING first when that
 * state is SETUP-IN). */
#define CLEARED_BY_ANY(st) \
	{ S(st), ISDN_EV_DISCONNECT, S(CLEARING), act_rx_clear }, \
	{ S(st), ISDN_EV_RELEASE, S(CLEARING), act_rx_clear }, \
	{ S(st), ISDN_EV_RESTART, S(CLEARING), act_restart }, \
	{ S(st), ISDN_EV_SPAN_DOWN, S(CLEARING), act_span_down }, \
	{ S(st), ISDN_CMD_HANGUP, S(CLEARING), act_hangup }, \
	{ S(st), ISDN_EV_PARENT_END, S(CLEARING), act_parent_end }

static const struct fsm_trans table[] = {
	{ S(NULL), ISDN_EV_SETUP, S(IN_SETUP), act_setup },
	{ S(NULL), ISDN_CMD_PLACE, S(OUT_SETUP), act_place },	/* undone if libpri refuses */

	/* incoming: gw/ answers */
	{ S(IN_SETUP), ISDN_CMD_PROCEEDING, S(IN_PROCEEDING), act_proceeding },
	{ S(IN_SETUP), ISDN_CMD_ALERT, S(IN_ALERTING), act_alert },
	{ S(IN_SETUP), ISDN_CMD_PROGRESS, S(IN_PROCEEDING), act_proceeding_progress },
	{ S(IN_SETUP), ISDN_CMD_ANSWER, S(IN_ACTIVE), act_answer },
	CLEARED_BY_ANY(IN_SETUP),

	{ S(IN_PROCEEDING), ISDN_CMD_PROCEEDING, S(IN_PROCEEDING), NULL }, /* sent already */
	{ S(IN_PROCEEDING), ISDN_CMD_ALERT, S(IN_ALERTING), act_alert },
	{ S(IN_PROCEEDING), ISDN_CMD_PROGRESS, S(IN_PROCEEDING), act_progress },
	{ S(IN_PROCEEDING), ISDN_CMD_ANSWER, S(IN_ACTIVE), act_answer },
	CLEARED_BY_ANY(IN_PROCEEDING),

	{ S(IN_ALERTING), ISDN_CMD_PROCEEDING, S(IN_ALERTING), NULL },
	{ S(IN_ALERTING), ISDN_CMD_ALERT, S(IN_ALERTING), NULL }, /* sent once */
	{ S(IN_ALERTING), ISDN_CMD_PROGRESS, S(IN_ALERTING), act_progress },
	{ S(IN_ALERTING), ISDN_CMD_ANSWER, S(IN_ACTIVE), act_answer },
	CLEARED_BY_ANY(IN_ALERTING),

	{ S(IN_ACTIVE), ISDN_EV_CONNECT_ACK, S(IN_ACTIVE), act_rx },
	{ S(IN_ACTIVE), ISDN_CMD_PROCEEDING, S(IN_ACTIVE), NULL },
	{ S(IN_ACTIVE), ISDN_CMD_ANSWER, S(IN_ACTIVE), NULL }, /* answered already */
	CLEARED_BY_ANY(IN_ACTIVE),

	/* outgoing: the network answers */
	{ S(OUT_SETUP), ISDN_EV_PROCEEDING, S(OUT_PROCEEDING), act_rx },
	{ S(OUT_SETUP), ISDN_EV_SETUP_ACK, S(OUT_SETUP), act_rx },
	{ S(OUT_SETUP), ISDN_EV_ALERTING, S(OUT_ALERTING), act_rx },
	{ S(OUT_SETUP), ISDN_EV_PROGRESS, S(OUT_SETUP), act_rx },
	{ S(OUT_SETUP), ISDN_EV_CONNECT, S(OUT_ACTIVE), act_rx },
	CLEARED_BY_ANY(OUT_SETUP),

	{ S(OUT_PROCEEDING), ISDN_EV_ALERTING, S(OUT_ALERTING), act_rx },
	{ S(OUT_PROCEEDING), ISDN_EV_PROGRESS, S(OUT_PROCEEDING), act_rx },
	{ S(OUT_PROCEEDING), ISDN_EV_CONNECT, S(OUT_ACTIVE), act_rx },
	CLEARED_BY_ANY(OUT_PROCEEDING),

	{ S(OUT_ALERTING), ISDN_EV_PROGRESS, S(OUT_ALERTING), act_rx },
	{ S(OUT_ALERTING), ISDN_EV_CONNECT, S(OUT_ACTIVE), act_rx },
	CLEARED_BY_ANY(OUT_ALERTING),

	CLEARED_BY_ANY(OUT_ACTIVE),

	/* CLEARING: libpri finishes alone; nothing more is ours to do. A
	 * parent ending a call that is not (or no longer) placed clears
	 * nothing. */
	{ FSM_ANY, ISDN_EV_PARENT_END, FSM_SAME, NULL },
};

static struct fsm_counters call_counters;

static const struct fsm_def call_def = {
	.name = "isdn call", .cat = LOG_ISDN,
	.states = states, .nstates = TDM_CS_COUNT,
	.events = event_names, .nevents = ISDN_EV_COUNT,
	.trans = table, .ntrans = sizeof(table) / sizeof(table[0]),
	.fail_state = TDM_CS_CLEARING, .on_fail = on_fail,
	.log_refused = log_refused, .cause_name = cause_name,
	.parent_end_event = ISDN_EV_PARENT_END,
	.counters = &call_counters,
};

const struct fsm_def *tdm_call_machine(void)
{
	return &call_def;
}

const char *isdn_event_name(enum isdn_event ev)
{
	return fsm_def_event_name(&call_def, (int)ev);
}

static int dispatch(struct tdm_call *c, const struct isdn_ev *e)
{
	return fsm_dispatch(isdn_call_of(c)->fsm, e->type, (void *)e);
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
			   cause, cause_name(cause));
		isdn_tx_reject(s, q, want, cause);
		return;
	}
	c = span_call_new(s, chan);
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
	int st = fsm_state(isdn_call_of(c)->fsm);

	return st != TDM_CS_NULL && st != TDM_CS_CLEARING;
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

/* ---- the span's signalling ops (span_int.h) ---- */

static int call_new(struct tdm_call *c)
{
	static int checked;
	struct isdn_call *ic = isdn_call_of(c);
	int err;

	if (!checked) {
		if (fsm_def_check(&call_def))
			return EINVAL;
		checked = 1;
	}
	err = fsm_new(&call_def, c->span->loop, TDM_CS_NULL, c, &ic->fsm);
	if (err)
		return err;
	fsm_set_name(ic->fsm, "%s/B%d: call %u", c->span->name, c->chan, c->id);
	return 0;
}

static void call_free(struct tdm_call *c)
{
	fsm_free(isdn_call_of(c)->fsm);
}

static struct fsm *call_fsm(const struct tdm_call *c)
{
	return isdn_call_of(c)->fsm;
}

/* gw/'s commands, checked by span_call.c. */
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

/* gw/ may use c from its making (NULL, kept by span.c's in_cb until
 * its SETUP or place) until tdm/ hands it back (CLEARING; a place that
 * failed is back in NULL). */
static int call_user_holds(const struct tdm_call *c)
{
	return call_live(c);
}

/* libpri still has the call: it is not freed under libpri's feet. */
static int call_held(const struct tdm_call *c)
{
	return isdn_call_of(c)->q != NULL;
}

/* Until it clears, a call holds its channel. */
static int call_holds_chan(const struct tdm_call *c)
{
	return fsm_state(isdn_call_of(c)->fsm) != TDM_CS_CLEARING;
}

const struct tdm_sig_ops tdm_isdn_sig_ops = {
	.name = "isdn",
	.call_size = sizeof(struct isdn_call),
	.new = isdn_new,
	.free = isdn_free,
	.changed = isdn_span_changed,
	.clear_all = isdn_clear_all,
	.call_new = call_new,
	.call_free = call_free,
	.call_fsm = call_fsm,
	.place = call_place,
	.command = call_command,
	.user_holds = call_user_holds,
	.call_held = call_held,
	.holds_chan = call_holds_chan,
};

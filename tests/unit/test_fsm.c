/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lib/fsm: the engine every machine runs on (ARCHITECTURE.md "State
 * machines and spans"). A toy call with a parent and a leg: transitions
 * in table order, state before action, refusal, named timers from the
 * owner's values, one failure path, a parent ending its children,
 * recursion ending an instance inside its own action, the log prefix;
 * an action undoing its transition, a machine's own refusal line and cause
 * names (what the ISDN call needs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/fsm.h"
#include "lib/loop.h"
#include "tests/unit/tap.h"

enum { S_IDLE, S_RINGING, S_TALKING, S_GONE, S_N };
enum { E_DIAL, E_ANSWER, E_TIMEOUT, E_HANGUP, E_PARENT_END, E_LOOPBACK, E_N };

static const char *const ev_names[E_N] = {
	"dial", "answer", "timeout", "hangup", "parent-end", "loopback",
};

static char trace[512];
static int cleanups, fails, last_cause = -2, seen_state = -1;
static uint64_t ring_ms = 30;

static void note(const char *s)
{
	strncat(trace, s, sizeof(trace) - strlen(trace) - 1);
	strncat(trace, ";", sizeof(trace) - strlen(trace) - 1);
}

static void act_note(struct fsm *f, int ev, void *data)
{
	(void)data;
	seen_state = fsm_state(f);
	note(ev_names[ev]);
}

static void act_parent_end(struct fsm *f, int ev, void *data)
{
	(void)f;
	(void)ev;
	last_cause = *(int *)data;
	note("leg-ended");
}

/* Dispatches into its own instance, which reaches a final state. */
static void act_loopback(struct fsm *f, int ev, void *data)
{
	(void)ev;
	(void)data;
	fsm_dispatch(f, E_HANGUP, NULL);
	/* The instance must still be here: its end waits for this return. */
	note(fsm_ended(f) ? "ended-later" : "not-ended");
}

static void on_fail(struct fsm *f, int cause, const char *why)
{
	(void)why;
	fails++;
	last_cause = cause;
	seen_state = fsm_state(f);
}

static void cleanup(struct fsm *f)
{
	(void)f;
	cleanups++;
	note("cleanup");
}

static uint64_t timer_ms(struct fsm *f, int state, const char *timer)
{
	(void)f;
	return state == S_RINGING && !strcmp(timer, "no_answer") ? ring_ms : 0;
}

static const struct fsm_state states[S_N] = {
	[S_IDLE] = { .name = "IDLE" },
	[S_RINGING] = { .name = "RINGING", .timer = "no_answer", .timer_event = E_TIMEOUT },
	[S_TALKING] = { .name = "TALKING" },
	[S_GONE] = { .name = "GONE", .final = 1 },
};

static const struct fsm_trans trans[] = {
	{ S_IDLE, E_DIAL, S_RINGING, act_note },
	{ S_IDLE, E_LOOPBACK, S_TALKING, act_loopback },
	{ S_RINGING, E_DIAL, FSM_SAME, act_note },
	{ S_RINGING, E_ANSWER, S_TALKING, act_note },
	{ S_RINGING, E_TIMEOUT, S_GONE, act_note },
	{ S_TALKING, E_HANGUP, S_GONE, act_note },
	{ FSM_ANY, E_PARENT_END, S_GONE, act_parent_end },
};

static struct fsm_counters counters;

static const struct fsm_def def = {
	.name = "toy", .cat = LOG_ROUTE,
	.states = states, .nstates = S_N, .events = ev_names, .nevents = E_N,
	.trans = trans, .ntrans = sizeof(trans) / sizeof(trans[0]),
	.timer_ms = timer_ms, .fail_state = S_GONE, .on_fail = on_fail,
	.parent_end_event = E_PARENT_END, .cleanup = cleanup, .counters = &counters,
};

/* ---- a second toy for what a machine may add: undo, its own refusal
 * line, cause names ---- */
static int undo_err, undo_from = -1;

static void act_undo(struct fsm *f, int ev, void *data)
{
	(void)ev;
	(void)data;
	undo_from = fsm_from(f);
	if (undo_err)
		fsm_undo(f, undo_err);
}

static void log_refused(const struct fsm *f, int event)
{
	fsm_log(f, LOG_LVL_WARN, "%s refused (not taken here)", ev_names[event]);
}

static const char *cause_name(int cause)
{
	return cause == 41 ? "Temporary failure" : "?";
}

static const struct fsm_trans trans2[] = {
	{ S_IDLE, E_DIAL, S_RINGING, act_undo },
};

static const struct fsm_def def2 = {
	.name = "toy2", .cat = LOG_ROUTE,
	.states = states, .nstates = S_N, .events = ev_names, .nevents = E_N,
	.trans = trans2, .ntrans = 1, .timer_ms = timer_ms, .fail_state = S_GONE,
	.log_refused = log_refused, .cause_name = cause_name,
};

static char last_line[512], fail_line[512];
static void hook(const char *line, void *arg)
{
	(void)arg;
	snprintf(last_line, sizeof(last_line), "%s", line);
	if (strstr(line, "failed: "))
		snprintf(fail_line, sizeof(fail_line), "%s", line);
}

static void run_ms(struct loop *loop, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (loop_now_ms() < end)
		loop_run_once(loop, 5);
}

int main(void)
{
	struct loop *loop;
	struct fsm *f, *leg;

	log_open("test_fsm", 0, 0);
	log_set_level(LOG_LVL_DEBUG);
	log_set_hook(hook, NULL);
	if (loop_new(&loop))
		return 1;

	TAP_OK(fsm_def_check(&def) == 0, "the toy def is well formed");
	{
		struct fsm_state dup[S_N];
		struct fsm_def bad = def;

		memcpy(dup, states, sizeof(dup));
		dup[S_TALKING].name = "RINGING";
		bad.states = dup;
		TAP_OK(fsm_def_check(&bad) == EINVAL, "two states with one name are refused");
	}
	{
		struct fsm_trans twice[] = { { S_IDLE, E_DIAL, S_RINGING, NULL },
					     { S_IDLE, E_DIAL, S_TALKING, NULL } };
		struct fsm_def bad = def;

		bad.trans = twice;
		bad.ntrans = 2;
		TAP_OK(fsm_def_check(&bad) == EINVAL, "one (state, event) listed twice is refused");
	}

	/* transitions, state before action, the log prefix */
	fsm_new(&def, loop, S_IDLE, NULL, &f);
	fsm_set_name(f, "call 7 (span1/B5)");
	TAP_OK(fsm_dispatch(f, E_DIAL, NULL) == 0 && fsm_state(f) == S_RINGING,
	       "IDLE + dial -> RINGING");
	TAP_OK(seen_state == S_RINGING, "the action sees the new state");
	TAP_OK(!strcmp(last_line, "route DEBUG: call 7 (span1/B5){IDLE}: dial -> RINGING"),
	       "a transition is logged as NAME{FROM}: EVENT -> TO (got '%s')", last_line);
	TAP_OK(fsm_dispatch(f, E_HANGUP, NULL) == EINVAL && fsm_state(f) == S_RINGING,
	       "RINGING refuses hangup: EINVAL, state kept");
	TAP_OK(!strcmp(last_line, "route INFO: call 7 (span1/B5){RINGING}: hangup refused"),
	       "a refusal is logged with the state (got '%s')", last_line);
	TAP_OK(counters.refused == 1, "the refusal is counted");
	TAP_OK(!strcmp(fsm_timer_name(f), "no_answer") && fsm_timer_remaining(f) > 0 &&
	       fsm_timer_remaining(f) <= 30, "RINGING runs its named timer with the owner's 30 ms");

	/* the timer restarts from its full value, then expires */
	run_ms(loop, 20);
	fsm_timer_restart(f);
	TAP_OK(fsm_timer_remaining(f) > 20, "fsm_timer_restart re-arms from the full value");
	fsm_dispatch(f, E_DIAL, NULL);
	TAP_OK(fsm_state(f) == S_RINGING && fsm_timer_name(f), "a FSM_SAME row keeps the timer");
	cleanups = 0;
	trace[0] = 0;
	run_ms(loop, 60);
	TAP_OK(!strcmp(trace, "timeout;cleanup;"),
	       "the expired timer raises its event, the final state cleans up (trace %s)", trace);
	TAP_OK(counters.timeouts == 1 && counters.live == 0 && counters.ended == 1,
	       "counters: 1 timeout, 1 ended, none live");

	/* the failure path */
	fsm_new(&def, loop, S_IDLE, NULL, &f);
	fsm_dispatch(f, E_DIAL, NULL);
	fsm_dispatch(f, E_ANSWER, NULL);
	cleanups = fails = 0;
	fsm_fail(f, 41, "test");
	TAP_OK(fails == 1 && last_cause == 41 && seen_state == S_GONE && cleanups == 1,
	       "fsm_fail: on_fail with the cause in fail_state, then cleanup");
	TAP_OK(counters.failed == 1, "the failure is counted");

	/* a parent ends its children, with its cause */
	fsm_new(&def, loop, S_IDLE, NULL, &f);
	fsm_new(&def, loop, S_IDLE, NULL, &leg);
	fsm_set_parent(leg, f);
	fsm_dispatch(f, E_DIAL, NULL);
	fsm_dispatch(f, E_ANSWER, NULL);
	trace[0] = 0;
	cleanups = 0;
	last_cause = -2;
	fsm_set_cause(f, 16);
	fsm_dispatch(f, E_HANGUP, NULL);
	TAP_OK(!strcmp(trace, "hangup;leg-ended;cleanup;cleanup;") && last_cause == 16,
	       "the parent's end sends its cause 16 to the child, which ends too (trace %s)", trace);
	TAP_OK(counters.live == 0, "no instance left");

	/* an action reaching the final state of its own instance */
	fsm_new(&def, loop, S_IDLE, NULL, &f);
	trace[0] = 0;
	fsm_dispatch(f, E_LOOPBACK, NULL);
	TAP_OK(!strcmp(trace, "hangup;ended-later;cleanup;"),
	       "the end waits for the outermost dispatch (trace %s)", trace);
	TAP_OK(counters.live == 0, "and then the instance is freed");

	/* an action undoing its transition; a machine's own refusal line and
	 * cause names */
	fsm_new(&def2, loop, S_IDLE, NULL, &f);
	undo_err = EIO;
	TAP_OK(fsm_dispatch(f, E_DIAL, NULL) == EIO && fsm_state(f) == S_IDLE && undo_from == S_IDLE &&
	       !fsm_timer_name(f), "fsm_undo: back to the state it came from, dispatch returns the error");
	TAP_OK(!strcmp(last_line, "route DEBUG: toy2{IDLE}: dial failed (Input/output error): back to IDLE"),
	       "the undo is logged (%s)", last_line);
	undo_err = 0;
	TAP_OK(fsm_dispatch(f, E_DIAL, NULL) == 0 && fsm_state(f) == S_RINGING && fsm_timer_name(f),
	       "without it the transition stands, the new state's timer runs");
	TAP_OK(fsm_dispatch(f, E_ANSWER, NULL) == EINVAL &&
	       !strcmp(last_line, "route WARN: toy2{RINGING}: answer refused (not taken here)"),
	       "log_refused logs the refusal in place of the engine (%s)", last_line);
	fsm_fail(f, 41, "no line");
	TAP_OK(!strcmp(fail_line, "route INFO: toy2{RINGING}: failed: no line, cause 41 (Temporary failure)"),
	       "cause_name names the cause on the failure line (%s)", fail_line);

	/* an owner freeing its instance outside any final state */
	{
		uint64_t ended = counters.ended;

		fsm_new(&def, loop, S_IDLE, NULL, &f);
		fsm_dispatch(f, E_DIAL, NULL);
		cleanups = 0;
		fsm_free(f);
		TAP_OK(counters.ended == ended + 1 && counters.live == 0 && cleanups == 0,
		       "fsm_free counts the instance ended, without cleanup");
	}

	loop_free(loop);
	return TAP_DONE();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One state-machine engine for every machine of the daemon: the ISDN call
 * (tdm/), the SIP dialog (sip/), the call that joins them (gw/), and those
 * to come (registration, FXS/FXO lines, T.38 switch-over). Learned from
 * Osmocom's osmo_fsm and baresip's re, not copied.
 *
 * A machine is a const `struct fsm_def`: its states (a name, the named
 * timer that runs while in it, the event that timer raises, an on-enter
 * hook, whether it is final), its event names, and one table of
 * transitions {from, event, to, action}, written top to bottom by state.
 * An event a state does not list is refused: logged, counted, and handed
 * to the def's `refused` hook when it has one; fsm_dispatch() returns
 * EINVAL.
 *
 * Order of a transition: the old state's timer stops, the state changes,
 * the new state's timer starts (its value from the def's `timer_ms`, so
 * from the config), `onenter` runs, then the action. So an action, and
 * anything it calls back, sees the new state. Entering a final state ends
 * the instance once the outermost dispatch returns: its children get their
 * `parent_end_event`, `cleanup` runs, and the instance is freed. Dispatch
 * may recurse (an action commanding another room that calls back).
 *
 * One failure path: fsm_fail() counts, logs "failed: WHY, cause N" (with
 * the cause's name when the def has `cause_name`) and moves to the def's
 * `fail_state` (its action is the def's `on_fail`).
 *
 * An action that cannot do what its transition promised (the peer refused
 * the message it was to send) calls fsm_undo(): the state goes back to
 * the one the transition came from and fsm_dispatch() returns the error.
 *
 * A parent (the gw call) ends its children (its legs): when the parent
 * ends, each child still linked gets its def's parent_end_event with the
 * parent's cause (an int *) as data.
 *
 * Lines about an instance start with its name and state, at the def's log
 * category: "call 7 (span1/B5){ALERTING-OUT}: ...". Every transition is
 * logged at debug: "NAME{FROM}: EVENT -> TO".
 *
 * An instance and its def are touched by the thread that runs its loop
 * only.
 */
#ifndef SIPGW_LIB_FSM_H
#define SIPGW_LIB_FSM_H

#include <stdint.h>

#include "lib/log.h"

struct loop;
struct fsm;

#define FSM_ANY (-1)	/* from: every state that is not final */
#define FSM_SAME (-2)	/* to: stay (the state's timer keeps running) */
#define FSM_NONE (-1)	/* no event / no state */

typedef void (*fsm_action)(struct fsm *f, int event, void *data);

struct fsm_trans {
	int from;		/* a state, or FSM_ANY */
	int event;
	int to;			/* a state, or FSM_SAME */
	fsm_action act;		/* NULL: the transition alone */
};

struct fsm_state {
	const char *name;	/* unique within the def */
	const char *timer;	/* named timer while in the state, or NULL */
	int timer_event;	/* the event it raises when it expires */
	void (*onenter)(struct fsm *f, int from);
	int final;		/* entering it ends the instance */
};

/* ended: instances gone (a final state, or fsm_free by the owner). */
struct fsm_counters {
	uint64_t created, ended, transitions, refused, failed, timeouts;
	unsigned live;
};

struct fsm_def {
	const char *name;		/* the machine: "isdn call", "dialog", "call" */
	enum log_cat cat;
	const struct fsm_state *states;
	int nstates;
	const char *const *events;	/* nevents names */
	int nevents;
	const struct fsm_trans *trans;
	int ntrans;
	/* The named timer of `state` for this instance in ms (the config's
	 * value); 0: it does not run. NULL: no state has a timer. */
	uint64_t (*timer_ms)(struct fsm *f, int state, const char *timer);
	/* fsm_fail()'s state and action. */
	int fail_state;
	void (*on_fail)(struct fsm *f, int cause, const char *why);
	/* An event the current state does not take (NULL: logged only). */
	void (*refused)(struct fsm *f, int event, void *data);
	/* Logs a refusal in place of the engine's line "EVENT refused" at
	 * info (a machine whose refusals differ in weight: a command refused
	 * is a bug of the caller, a message refused the peer's). */
	void (*log_refused)(const struct fsm *f, int event);
	/* The name of a cause for fsm_fail()'s line (Q.850's), or NULL. */
	const char *(*cause_name)(int cause);
	/* Sent to a child when its parent ends (FSM_NONE: the child is
	 * detached only). */
	int parent_end_event;
	/* The instance ends (a final state was entered): free what the
	 * owner holds. The fsm itself is freed after it returns. */
	void (*cleanup)(struct fsm *f);
	struct fsm_counters *counters;	/* may be NULL */
};

/* Checks a def: names present and unique, every index in range, no
 * (state, event) listed twice, timers with an event. 0 or EINVAL, with a
 * log line saying what is wrong. */
int fsm_def_check(const struct fsm_def *def);

/* A new instance in state `initial` (no transition, no onenter; its timer
 * starts). loop may be NULL for a def without timers. */
int fsm_new(const struct fsm_def *def, struct loop *loop, int initial, void *priv,
	    struct fsm **out);
/* Ends nothing and tells nobody: frees at once (an owner tearing down).
 * NULL-safe. Inside a dispatch of f, the free waits for its end. */
void fsm_free(struct fsm *f);

void fsm_set_name(struct fsm *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fsm_name(const struct fsm *f);
void *fsm_priv(const struct fsm *f);
int fsm_state(const struct fsm *f);
const char *fsm_state_name(const struct fsm *f);
const char *fsm_def_state_name(const struct fsm_def *def, int state);
const char *fsm_def_event_name(const struct fsm_def *def, int event);
/* 1 once a final state was entered (the instance is about to go). */
int fsm_ended(const struct fsm *f);

/* 0, or EINVAL when the state refuses the event. */
int fsm_dispatch(struct fsm *f, int event, void *data);
/* Inside an action, before it dispatches anything itself: the state its
 * transition came from (for a FSM_SAME row, the current one). */
int fsm_from(const struct fsm *f);
/* Inside an action: the transition did not happen (err: why, an errno
 * value): back to fsm_from()'s state (no onenter; its timer starts again),
 * logged at debug; fsm_dispatch() returns err. */
void fsm_undo(struct fsm *f, int err);
/* The one failure path: see above. */
void fsm_fail(struct fsm *f, int cause, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The cause the instance ends with (fsm_fail's, or set here); -1: none. */
void fsm_set_cause(struct fsm *f, int cause);
int fsm_cause(const struct fsm *f);

/* Re-arm the current state's timer from its full value (RFC 3261 Timer C
 * on each provisional response). */
void fsm_timer_restart(struct fsm *f);
/* ms until the current state's timer expires; -1: none runs. */
int64_t fsm_timer_remaining(const struct fsm *f);
/* The name of the timer running now, or NULL. */
const char *fsm_timer_name(const struct fsm *f);

/* Link child under parent (unlinked from any earlier parent); NULL parent
 * unlinks. */
void fsm_set_parent(struct fsm *child, struct fsm *parent);
struct fsm *fsm_parent(const struct fsm *f);

void fsm_log(const struct fsm *f, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

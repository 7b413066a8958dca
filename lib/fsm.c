/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The state-machine engine: see fsm.h. */
#include "lib/fsm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/loop.h"

struct fsm {
	const struct fsm_def *def;
	void *priv;
	char name[96];
	int state;
	int from;		/* the state the last transition came from */
	int undo;		/* fsm_undo()'s error, for the running dispatch */
	int cause;
	int depth;		/* dispatches of this instance running */
	int ended;		/* a final state was entered */
	int free_pending;	/* fsm_free() inside a dispatch */
	struct loop_timer *timer;
	const char *timer_name;	/* running now, or NULL */
	uint64_t timer_full_ms;
	struct fsm *parent, *children, *sibling;
};

static int state_ok(const struct fsm_def *def, int st)
{
	return st >= 0 && st < def->nstates;
}

const char *fsm_def_state_name(const struct fsm_def *def, int state)
{
	return state_ok(def, state) && def->states[state].name ? def->states[state].name : "?";
}

const char *fsm_def_event_name(const struct fsm_def *def, int event)
{
	return event >= 0 && event < def->nevents && def->events[event] ? def->events[event] : "?";
}

static int check_row(const struct fsm_def *def, int i)
{
	const struct fsm_trans *t = &def->trans[i];

	if ((t->from != FSM_ANY && !state_ok(def, t->from)) || t->event < 0 ||
	    t->event >= def->nevents || (t->to != FSM_SAME && !state_ok(def, t->to))) {
		log_err(LOG_GEN, "fsm %s: row %d out of range", def->name, i);
		return EINVAL;
	}
	for (int j = 0; j < i; j++)
		if (def->trans[j].from == t->from && def->trans[j].event == t->event) {
			log_err(LOG_GEN, "fsm %s: %s in %s listed twice (rows %d and %d)", def->name,
				fsm_def_event_name(def, t->event),
				t->from == FSM_ANY ? "any state" : fsm_def_state_name(def, t->from), j, i);
			return EINVAL;
		}
	return 0;
}

int fsm_def_check(const struct fsm_def *def)
{
	if (!def || !def->name || def->nstates <= 0 || def->nevents <= 0 || !def->states ||
	    !def->events || (def->ntrans > 0 && !def->trans))
		return EINVAL;
	for (int i = 0; i < def->nstates; i++) {
		const struct fsm_state *s = &def->states[i];

		if (!s->name) {
			log_err(LOG_GEN, "fsm %s: state %d has no name", def->name, i);
			return EINVAL;
		}
		for (int j = 0; j < i; j++)
			if (!strcmp(def->states[j].name, s->name)) {
				log_err(LOG_GEN, "fsm %s: two states named %s", def->name, s->name);
				return EINVAL;
			}
		if (s->timer && (s->timer_event < 0 || s->timer_event >= def->nevents ||
				 !def->timer_ms)) {
			log_err(LOG_GEN, "fsm %s: timer %s of %s raises no event", def->name,
				s->timer, s->name);
			return EINVAL;
		}
	}
	for (int i = 0; i < def->nevents; i++)
		if (!def->events[i]) {
			log_err(LOG_GEN, "fsm %s: event %d has no name", def->name, i);
			return EINVAL;
		}
	for (int i = 0; i < def->ntrans; i++)
		if (check_row(def, i))
			return EINVAL;
	if (def->fail_state != FSM_NONE && !state_ok(def, def->fail_state))
		return EINVAL;
	return 0;
}

static void on_timer(void *arg);

static void timer_enter(struct fsm *f)
{
	const struct fsm_state *s = &f->def->states[f->state];
	uint64_t ms;

	f->timer_name = NULL;
	if (!s->timer || !f->timer)
		return;
	ms = f->def->timer_ms(f, f->state, s->timer);
	if (!ms)
		return;
	f->timer_name = s->timer;
	f->timer_full_ms = ms;
	loop_timer_start(f->timer, ms);
}

static void timer_leave(struct fsm *f)
{
	if (f->timer)
		loop_timer_stop(f->timer);
	f->timer_name = NULL;
}

int fsm_new(const struct fsm_def *def, struct loop *loop, int initial, void *priv,
	    struct fsm **out)
{
	struct fsm *f;
	int rc = 0;

	*out = NULL;
	if (!def || !state_ok(def, initial))
		return EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return ENOMEM;
	f->def = def;
	f->priv = priv;
	f->state = initial;
	f->from = initial;
	f->cause = -1;
	snprintf(f->name, sizeof(f->name), "%s", def->name);
	if (loop && def->timer_ms) {
		rc = loop_timer_new(loop, on_timer, f, &f->timer);
		if (rc)
			goto out;
	}
	if (def->counters) {
		def->counters->created++;
		def->counters->live++;
	}
	timer_enter(f);
	*out = f;
	return 0;
out:
	free(f);
	return rc;
}

static void unlink_child(struct fsm *f)
{
	if (!f->parent)
		return;
	for (struct fsm **pp = &f->parent->children; *pp; pp = &(*pp)->sibling)
		if (*pp == f) {
			*pp = f->sibling;
			break;
		}
	f->parent = NULL;
	f->sibling = NULL;
}

static void destroy(struct fsm *f)
{
	unlink_child(f);
	while (f->children)
		unlink_child(f->children);
	loop_timer_free(f->timer);
	if (f->def->counters) {
		f->def->counters->ended++;
		if (f->def->counters->live)
			f->def->counters->live--;
	}
	free(f);
}

void fsm_free(struct fsm *f)
{
	if (!f)
		return;
	if (f->depth) {
		f->free_pending = 1;
		return;
	}
	destroy(f);
}

/* The instance ended: its children first, then its owner, then itself. */
static void finish(struct fsm *f)
{
	int cause = f->cause;

	timer_leave(f);
	unlink_child(f);
	f->depth++;	/* the children's callbacks may reach back */
	while (f->children) {
		struct fsm *c = f->children;
		int ev = c->def->parent_end_event;

		unlink_child(c);
		if (ev != FSM_NONE)
			fsm_dispatch(c, ev, &cause);
	}
	if (f->def->cleanup && !f->free_pending)
		f->def->cleanup(f);
	f->depth--;
	destroy(f);
}

/* Leaves the dispatch: ends or frees the instance when it was the last. */
static void leave(struct fsm *f)
{
	if (--f->depth)
		return;
	if (f->ended)
		finish(f);
	else if (f->free_pending)
		destroy(f);
}

static const struct fsm_trans *lookup(const struct fsm_def *def, int state, int event)
{
	const struct fsm_trans *any = NULL;

	for (int i = 0; i < def->ntrans; i++) {
		const struct fsm_trans *t = &def->trans[i];

		if (t->event != event)
			continue;
		if (t->from == state)
			return t;
		if (t->from == FSM_ANY)
			any = t;
	}
	return any;
}

static void enter(struct fsm *f, int to)
{
	int from = f->state;
	const struct fsm_state *s = &f->def->states[to];

	timer_leave(f);
	f->from = from;
	f->state = to;
	if (s->final)
		f->ended = 1;
	else
		timer_enter(f);
	if (s->onenter)
		s->onenter(f, from);
}

/* After the action: undo the transition (back to from) if the action
 * said so; outer: the fsm_undo() of a dispatch this one runs inside. */
static int finish_dispatch(struct fsm *f, int event, int from, int outer)
{
	int err = f->undo;

	f->undo = outer;
	if (err) {
		timer_leave(f);
		f->ended = 0; /* the transition, into a final state too, did not happen */
		f->state = from;
		timer_enter(f);
		log_debug(f->def->cat, "%s{%s}: %s failed (%s): back to %s", f->name,
			  fsm_state_name(f), fsm_def_event_name(f->def, event), strerror(err),
			  fsm_state_name(f));
	}
	leave(f);
	return err;
}

int fsm_from(const struct fsm *f)
{
	return f->from;
}

void fsm_undo(struct fsm *f, int err)
{
	f->undo = err ? err : EINVAL;
}

int fsm_dispatch(struct fsm *f, int event, void *data)
{
	const struct fsm_def *def = f->def;
	const struct fsm_trans *t;
	int from = f->state, outer = f->undo;

	if (f->ended || f->free_pending) {
		log_debug(def->cat, "%s{%s}: %s after the end, ignored", f->name,
			  fsm_state_name(f), fsm_def_event_name(def, event));
		return EINVAL;
	}
	t = lookup(def, f->state, event);
	if (!t) {
		if (def->counters)
			def->counters->refused++;
		if (def->log_refused)
			def->log_refused(f, event);
		else
			fsm_log(f, LOG_LVL_INFO, "%s refused", fsm_def_event_name(def, event));
		if (def->refused) {
			f->depth++;
			def->refused(f, event, data);
			leave(f);
		}
		return EINVAL;
	}
	if (def->counters)
		def->counters->transitions++;
	f->depth++;
	f->undo = 0;
	if (t->to == FSM_SAME) {
		f->from = f->state;
		log_debug(def->cat, "%s{%s}: %s", f->name, fsm_state_name(f),
			  fsm_def_event_name(def, event));
	} else {
		log_debug(def->cat, "%s{%s}: %s -> %s", f->name, fsm_state_name(f),
			  fsm_def_event_name(def, event), fsm_def_state_name(def, t->to));
		enter(f, t->to);
	}
	if (t->act)
		t->act(f, event, data);
	return finish_dispatch(f, event, from, outer);
}

void fsm_fail(struct fsm *f, int cause, const char *fmt, ...)
{
	const struct fsm_def *def = f->def;
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (f->ended || f->free_pending)
		return;
	if (def->counters)
		def->counters->failed++;
	f->cause = cause;
	if (def->cause_name)
		fsm_log(f, LOG_LVL_INFO, "failed: %s, cause %d (%s)", why, cause,
			def->cause_name(cause));
	else
		fsm_log(f, LOG_LVL_INFO, "failed: %s, cause %d", why, cause);
	f->depth++;
	if (def->fail_state != FSM_NONE && def->fail_state != f->state) {
		log_debug(def->cat, "%s{%s}: failure -> %s", f->name, fsm_state_name(f),
			  fsm_def_state_name(def, def->fail_state));
		enter(f, def->fail_state);
	}
	if (def->on_fail)
		def->on_fail(f, cause, why);
	leave(f);
}

static void on_timer(void *arg)
{
	struct fsm *f = arg;
	const char *name = f->timer_name;

	if (!name)
		return;
	f->timer_name = NULL;
	if (f->def->counters)
		f->def->counters->timeouts++;
	/* debug: the action says what the expiry means (a periodic check
	 * like rtp_timeout expires without news) */
	fsm_log(f, LOG_LVL_DEBUG, "timer %s expired", name);
	fsm_dispatch(f, f->def->states[f->state].timer_event, NULL);
}

void fsm_timer_restart(struct fsm *f)
{
	if (f->timer_name)
		loop_timer_start(f->timer, f->timer_full_ms);
}

int64_t fsm_timer_remaining(const struct fsm *f)
{
	return f->timer_name ? loop_timer_remaining(f->timer) : -1;
}

const char *fsm_timer_name(const struct fsm *f)
{
	return f->timer_name;
}

void fsm_set_parent(struct fsm *child, struct fsm *parent)
{
	unlink_child(child);
	if (!parent)
		return;
	child->parent = parent;
	child->sibling = parent->children;
	parent->children = child;
}

struct fsm *fsm_parent(const struct fsm *f)
{
	return f->parent;
}

void fsm_set_name(struct fsm *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->name, sizeof(f->name), fmt, ap);
	va_end(ap);
}

const char *fsm_name(const struct fsm *f)
{
	return f->name;
}

void *fsm_priv(const struct fsm *f)
{
	return f->priv;
}

int fsm_state(const struct fsm *f)
{
	return f->state;
}

const char *fsm_state_name(const struct fsm *f)
{
	return fsm_def_state_name(f->def, f->state);
}

int fsm_ended(const struct fsm *f)
{
	return f->ended;
}

void fsm_set_cause(struct fsm *f, int cause)
{
	f->cause = cause;
}

int fsm_cause(const struct fsm *f)
{
	return f->cause;
}

void fsm_log(const struct fsm *f, int level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(f->def->cat, level, "%s{%s}: %s", f->name, fsm_state_name(f), msg);
}

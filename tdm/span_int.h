/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: the control-thread half of a span (struct tdm_span) and
 * its calls: what every span has, whatever its signalling. Not for other
 * rooms, and no libpri here: a span's signalling sits behind
 * struct tdm_sig_ops (ISDN through libpri now: isdn*.c; FXS and FXO line
 * signalling next), with its own state in s->sigp and in each call's sig[].
 *
 * The span's link state lives here once: the signalling link's two
 * inputs (set by the signalling) and the media half's alarm (written by
 * the media worker, atomically). span_update() derives up/down from them,
 * logs the change once and reports it to gw/ once (span_state).
 */
#ifndef SIPGW_TDM_SPAN_INT_H
#define SIPGW_TDM_SPAN_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "tdm/tdm.h"

#define TDM_SLOTS 32		/* timeslots 0..31; bearer channels are 1..31 */

/* gw/'s commands on a call (tdm.h), as the signalling takes them. */
enum tdm_cmd { TDM_CMD_PROCEEDING, TDM_CMD_ALERT, TDM_CMD_PROGRESS, TDM_CMD_ANSWER, TDM_CMD_HANGUP };

struct tdm_call {
	struct tdm_span *span;
	struct tdm_call *next;	/* span->calls */
	unsigned id;
	int chan;
	int cause;		/* why it failed or was cleared, -1 = not yet */
	/* Frames of tdm/ using c outside its machine's own dispatch (a
	 * callback to gw/, a walk over s->calls, a command's return): do not
	 * free. Not a state: a count of callers on the stack. */
	int in_cb;
	void *user;
	/* The signalling's part of the call: span->sig->call_size bytes. */
	union { max_align_t align; unsigned char b[1]; } sig[];
};

/*
 * A span's signalling. Each runs in the control thread and reports to gw/
 * through span->ev. new/free make and drop its state (free: every call's
 * signalling state goes too, nothing is sent); changed: span_update just
 * recomputed up/down; clear_all: every call cleared (lost: nothing can be
 * signalled any more); call_new/call_free: make and drop a call's part
 * (its machine); call_fsm: that machine (tdm_call_fsm); place/command:
 * gw/'s commands (tdm.h) on a call span.c has made; user_holds: gw/ may
 * still use c (tdm.h: from its making until tdm/ hands it back: gw/'s
 * hangup, `disconnected`, a place that failed), as the call's state says;
 * call_held: the signalling still needs c (span.c frees it only when
 * neither gw/ nor the signalling holds it); holds_chan: c holds its
 * channel.
 */
struct tdm_sig_ops {
	const char *name;	/* "isdn" */
	size_t call_size;
	int (*new)(struct tdm_span *s);
	void (*free)(struct tdm_span *s);
	void (*changed)(struct tdm_span *s);
	void (*clear_all)(struct tdm_span *s, int cause, int lost);
	int (*call_new)(struct tdm_call *c);
	void (*call_free)(struct tdm_call *c);
	struct fsm *(*call_fsm)(const struct tdm_call *c);
	int (*place)(struct tdm_call *c, const struct tdm_setup *setup);
	int (*command)(struct tdm_call *c, enum tdm_cmd cmd, int cause, int inband);
	int (*user_holds)(const struct tdm_call *c);
	int (*call_held)(const struct tdm_call *c);
	int (*holds_chan)(const struct tdm_call *c);
};

/* The signalling link's backend, control thread: an ISDN span's D-channel
 * (virt.c: a socket; dahdi.c: an HDLC channel), see tdm/dchan.h. NULL on
 * spans whose signalling rides on the media half (analog). */
struct tdm_dchan_ops;

struct tdm_span {
	struct loop *loop;
	struct cfg_span cfg;	/* after layout_apply() */
	struct tdm_span_events ev;
	void *arg;
	char name[16];		/* "span1" */

	enum tdm_chan_state chan[TDM_SLOTS];
	struct tdm_call *calls;	/* every call object we own */
	unsigned next_call_id;

	/* Link state, inputs of span_update(). The signalling sets the first
	 * two: its link's descriptor is there (ISDN: the D-channel socket
	 * connected or the HDLC channel out of alarm) and it is up (ISDN:
	 * layer 2). The media worker writes the third (span_media_report):
	 * TDM_ALARM_NONE while the line is in sync, else the alarm it sees;
	 * media_fell keeps a fall the control thread has not seen yet. */
	int sig_connected;
	int sig_up;
	_Atomic int media_alarm;
	_Atomic int media_fell;
	int media_efd;		/* eventfd: media_alarm changed; -1 before start */
	/* Derived: as last reported through span_state. */
	int up;
	enum tdm_alarm alarm;
	int reported;		/* span_state reported at least once */
	uint64_t calls_in, calls_out;
	uint64_t calls_failed;	/* calls that went through the signalling's fail path */

	const struct tdm_sig_ops *sig;
	void *sigp;		/* the signalling's state */
	const struct tdm_dchan_ops *dops;
	void *dbe;		/* the backend's state */
};

/* ---- span.c ---- */
/* Recompute up/down after any input changed; on a fall clears every call
 * with cause 38 and reports span_state. */
void span_update(struct tdm_span *s);
/* Any thread (the media worker): the media half's link is now `alarm`
 * (TDM_ALARM_NONE: in sync). Logged once per change, with why when given;
 * the control loop runs span_update() for it. */
void span_media_report(struct tdm_span *s, enum tdm_alarm alarm, const char *why);
/* The media half's link as the span has it now. */
enum tdm_alarm span_media_alarm(const struct tdm_span *s);
/* A free channel: want > 0 asks for that one (returns it or -1); want <= 0
 * hunts per the span's signalling. */
int span_hunt(struct tdm_span *s, int want);
int span_is_bearer(const struct tdm_span *s, int chan);
/* Channel chan is free again (its call cleared). */
void span_chan_free(struct tdm_span *s, int chan);
struct tdm_call *span_call_new(struct tdm_span *s, int chan);
/* Free c if neither gw/ nor the signalling holds it and no callback runs. */
void span_call_maybe_free(struct tdm_call *c);
/* Deliver `disconnected` to gw/: the signalling calls it once per call,
 * as the call leaves the states gw/ holds it in. */
void span_call_disconnected(struct tdm_call *c, int cause);

/* ---- the signallings ---- */
extern const struct tdm_sig_ops tdm_isdn_sig_ops;

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: a span's ISDN signalling, the only part of sipgw that
 * knows libpri. isdn.c runs the libpri link on the D-channel (tdm/dchan.h)
 * and turns libpri's events into the call machine's; isdn_call.c is that
 * machine, one per call, and the span's tdm_isdn_sig_ops.
 */
#ifndef SIPGW_TDM_ISDN_INT_H
#define SIPGW_TDM_ISDN_INT_H

#include <libpri.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/fsm.h"
#include "tdm/dchan.h"
#include "tdm/span_int.h"

#define ISDN_HELD_MAX 8		/* SETUPs held while the span comes up */

/* The states of the ISDN call machine (isdn_call.c). They record what we
 * have sent or received on a call; Q.931 itself (its U-states and timers)
 * is libpri's. The direction is part of the state, so the table alone says
 * which commands an incoming or an outgoing call takes. */
enum tdm_call_state {
	TDM_CS_NULL,		/* just made: no SETUP sent or taken yet */
	TDM_CS_IN_SETUP,	/* SETUP received, nothing answered yet */
	TDM_CS_IN_PROCEEDING,	/* CALL PROCEEDING sent */
	TDM_CS_IN_ALERTING,	/* ALERTING sent */
	TDM_CS_IN_ACTIVE,	/* CONNECT sent */
	TDM_CS_OUT_SETUP,	/* SETUP sent */
	TDM_CS_OUT_PROCEEDING,	/* CALL PROCEEDING received */
	TDM_CS_OUT_ALERTING,	/* ALERTING received */
	TDM_CS_OUT_ACTIVE,	/* CONNECT received (and acknowledged) */
	TDM_CS_CLEARING,	/* handed back to libpri / freed soon */
	TDM_CS_COUNT
};

/* What drives the machine: Q.931 messages libpri reports, the span, and
 * the commands of gw/ (tdm.h). */
enum isdn_event {
	ISDN_EV_SETUP,		/* PRI_EVENT_RING */
	ISDN_EV_PROCEEDING,	/* PRI_EVENT_PROCEEDING */
	ISDN_EV_SETUP_ACK,	/* PRI_EVENT_SETUP_ACK */
	ISDN_EV_ALERTING,	/* PRI_EVENT_RINGING */
	ISDN_EV_PROGRESS,	/* PRI_EVENT_PROGRESS */
	ISDN_EV_CONNECT,	/* PRI_EVENT_ANSWER */
	ISDN_EV_CONNECT_ACK,	/* PRI_EVENT_CONNECT_ACK */
	ISDN_EV_DISCONNECT,	/* PRI_EVENT_HANGUP_REQ */
	ISDN_EV_RELEASE,	/* PRI_EVENT_HANGUP */
	ISDN_EV_RESTART,	/* PRI_EVENT_RESTART of the call's channel */
	ISDN_EV_SPAN_DOWN,	/* layer 1 lost or the span fell */
	ISDN_CMD_PLACE,		/* tdm_call_place */
	ISDN_CMD_PROCEEDING,	/* tdm_call_proceeding (and our own on SETUP) */
	ISDN_CMD_ALERT,		/* tdm_call_alert */
	ISDN_CMD_PROGRESS,	/* tdm_call_progress */
	ISDN_CMD_ANSWER,	/* tdm_call_answer */
	ISDN_CMD_HANGUP,	/* tdm_call_hangup */
	ISDN_EV_PARENT_END,	/* gw/'s call, our parent (tdm_call_fsm), ended:
				 * data is its cause (an int *), not an isdn_ev */
	ISDN_EV_COUNT
};

struct isdn_ev {
	enum isdn_event type;
	int cause;		/* Q.850 cause: DISCONNECT/RELEASE, span down, hangup */
	int inband;		/* progress indicator 1 or 8 */
	int lost;		/* span down: nothing can be signalled any more */
	q931_call *q;		/* SETUP: libpri's call */
	const struct tdm_setup *setup; /* place */
};

/* A span's ISDN state (s->sigp), isdn.c's. */
struct isdn {
	struct pri *pri;	/* the libpri link (isdn.c's top says why one) */
	int dfd;		/* descriptor libpri writes to now, -1 = none */
	uint8_t rx[TDM_DFRAME_MAX];
	int rxlen;		/* frame waiting for libpri's read callback */
	struct loop_timer *pri_timer;
	char msgbuf[512];	/* libpri's message fragments, until '\n' */
	size_t msglen;
	uint64_t sabme_tx_ms;	/* loop_now_ms() of our last SABME on a line, 0 = none */
	int relinks;		/* fresh links since layer 2 was last up or the line came */
	/* SETUPs that came with layer 2 up before the span was (the media
	 * half's "in sync" not reported yet): answered once it is, or after
	 * ISDN_HOLD_MS (isdn.c). */
	struct isdn_held {
		q931_call *q;
		struct tdm_setup setup;
		int want, flexible;
	} held[ISDN_HELD_MAX];
	int nheld;
	struct loop_timer *hold_timer;
};

/* The ISDN part of a call (its tdm_call's sig[]). */
struct isdn_call {
	q931_call *q;		/* libpri's call; NULL once handed back */
	struct fsm *fsm;	/* its machine: state enum tdm_call_state */
};

static inline struct isdn_call *isdn_call_of(const struct tdm_call *c)
{
	return (struct isdn_call *)c->sig;
}

/* ---- isdn.c: the libpri link, its events, the D-channel ---- */
/* The span's ISDN state (s->sigp) and its D-channel backend (s->dops). */
int isdn_new(struct tdm_span *s);
void isdn_free(struct tdm_span *s);
/* Run libpri's due timers and rearm ours (after anything was queued). */
void isdn_kick(struct tdm_span *s);
/* Q.931 toward the network for one call, through libpri. Each does nothing
 * once the call's q is handed back (or the link is gone). */
int isdn_tx_setup(struct tdm_call *c, const struct tdm_setup *setup); /* sets q */
void isdn_tx_proceeding(struct tdm_call *c);
void isdn_tx_alerting(struct tdm_call *c, int inband);
void isdn_tx_progress(struct tdm_call *c, int inband);
void isdn_tx_connect(struct tdm_call *c);
/* DISCONNECT (or RELEASE / RELEASE COMPLETE as libpri's state requires);
 * libpri finishes the clearing alone: q = NULL. */
void isdn_tx_clear(struct tdm_call *c, int cause);
/* Forget the call locally, nothing on the wire: q = NULL. */
void isdn_tx_forget(struct tdm_call *c);
/* A SETUP we take no call for: CALL PROCEEDING, then DISCONNECT. */
void isdn_tx_reject(struct tdm_span *s, q931_call *q, int chan, int cause);

/* ---- isdn_hold.c: SETUPs that come with layer 2 up before the span ---- */
/* Hold the SETUP (libpri's call q) if layer 2 is up and the span not yet:
 * 1 when held, offered once the span is up (or after a while anyway). */
int isdn_hold(struct tdm_span *s, q931_call *q, const struct tdm_setup *setup, int want,
	      int flexible);
/* The network cleared q: 1 if it was a held SETUP (now forgotten). */
int isdn_held_forget(struct tdm_span *s, q931_call *q);
/* The hold timer's callback (arg: the span); isdn_new makes the timer. */
void isdn_hold_timer(void *arg);
/* span.c: the span's up/down state was just recomputed (held SETUPs). */
void isdn_span_changed(struct tdm_span *s);

/* ---- isdn_call.c: the call state machine ---- */
/* Feed one event to c's machine; keeps c alive meanwhile and frees it
 * afterwards if nobody holds it. Returns 0, or EINVAL when c's state does
 * not take the event (refused and logged), or the action's errno. */
int isdn_call_event(struct tdm_call *c, const struct isdn_ev *e);
/* An incoming SETUP (libpri's call q): hunt a channel (want: the one it
 * asks for, 0 = any; flexible: another will do), make the call, answer
 * CALL PROCEEDING and offer it to gw/; or reject it. */
void isdn_call_setup(struct tdm_span *s, q931_call *q, const struct tdm_setup *setup,
		     int want, int flexible);
/* RESTART of a channel (chan 0 = all): its calls are forgotten, gw/ gets
 * disconnected(41). */
void isdn_call_restart(struct tdm_span *s, int chan);
/* Clear every call: l1_lost = nothing can be signalled (forget locally),
 * else send DISCONNECT. gw/ gets disconnected(cause) for each. */
void isdn_clear_all(struct tdm_span *s, int cause, int l1_lost);
const char *isdn_event_name(enum isdn_event ev);

#endif

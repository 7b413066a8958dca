/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: the control-thread half of a span (struct tdm_span), its
 * calls, and the interfaces between span.c (channels, up/down), isdn.c
 * (libpri) and the D-channel backends (virt.c, dahdi.c). Not for other rooms.
 */
#ifndef SIPGW_TDM_SPAN_INT_H
#define SIPGW_TDM_SPAN_INT_H

#include <libpri.h>
#include <stddef.h>
#include <stdint.h>

#include "tdm/tdm.h"

#define TDM_SLOTS 32		/* timeslots 0..31; bearer channels are 1..31 */
#define TDM_DFRAME_MAX 1024	/* a Q.921 frame + FCS, generously */
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

struct tdm_call {
	struct tdm_span *span;
	struct tdm_call *next;	/* span->calls */
	q931_call *q;		/* libpri's call; NULL once handed back */
	unsigned id;
	int chan;
	int outgoing;
	enum tdm_call_state state;
	int setup_answered;	/* incoming: our first answer to SETUP went out */
	int cause;		/* why it failed or was cleared, -1 = not yet */
	int gw_holds;		/* gw/ still holds the pointer */
	int in_cb;		/* inside a callback to gw/: do not free */
	void *user;
};

/* A D-channel backend (virt or dahdi), control thread. */
struct tdm_dchan_ops {
	const char *name;	/* "virt", "dahdi" */
	int (*start)(struct tdm_span *s);
	void (*free)(struct tdm_span *s);
	/* Optional: the span's name as its driver knows it (tdm_span_status);
	 * 0, or an errno value to fall back on the generic name. */
	int (*describe)(const struct tdm_span *s, char *buf, size_t len);
};

struct tdm_span {
	struct loop *loop;
	struct cfg_span cfg;
	struct tdm_span_events ev;
	void *arg;
	char name[16];		/* "span1" */

	enum tdm_chan_state chan[TDM_SLOTS];
	struct tdm_call *calls;	/* every call object we own */
	unsigned next_call_id;

	/* Layer 1: the D-channel descriptor is there (virt: socket connected;
	 * dahdi: channel open) and the media half reports the line up. */
	int dchan_connected;
	int l2_up;		/* libpri: DCHAN_UP seen, no DCHAN_DOWN since */
	int media_up;
	enum tdm_alarm media_alarm;
	int up;			/* last state reported through span_state */
	enum tdm_alarm alarm;	/* last alarm reported */
	int reported;		/* span_state reported at least once */
	uint64_t calls_in, calls_out;
	uint64_t calls_failed;	/* calls that went through isdn_call.c's fail() */

	/* isdn.c */
	struct pri *pri;
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

	/* D-channel backend */
	const struct tdm_dchan_ops *dops;
	void *dbe;
};

/* ---- span.c ---- */
/* Recompute up/down after any input changed; on a fall clears every call
 * with cause 38 and reports span_state. */
void span_update(struct tdm_span *s);
/* A free channel: want > 0 asks for that one (returns it or -1); want <= 0
 * hunts per the span's signalling. */
int span_hunt(struct tdm_span *s, int want);
int span_is_bearer(const struct tdm_span *s, int chan);
struct tdm_call *span_call_new(struct tdm_span *s, int chan, int outgoing);
/* Free c if neither gw/ nor libpri holds it and no callback is running. */
void span_call_maybe_free(struct tdm_call *c);
/* Deliver `disconnected` to gw/ once (if gw/ still holds c). */
void span_call_disconnected(struct tdm_call *c, int cause);

/* ---- isdn.c: the libpri link, its events, the D-channel ---- */
int isdn_new(struct tdm_span *s);
void isdn_free(struct tdm_span *s);
/* The backend connected (fd >= 0) or lost (fd < 0) the D-channel. */
void isdn_attach(struct tdm_span *s, int fd);
/* One frame (Q.921 + 2 FCS bytes) arrived from the D-channel. */
void isdn_input(struct tdm_span *s, const uint8_t *frame, size_t len);
/* Run libpri's due timers and rearm ours (after anything was queued). */
void isdn_kick(struct tdm_span *s);
/* span.c: the span's up/down state was just recomputed (held SETUPs). */
void isdn_span_changed(struct tdm_span *s);
/* Q.931 toward the network for one call, through libpri. Each does nothing
 * once c->q is handed back (or the link is gone). */
int isdn_tx_setup(struct tdm_call *c, const struct tdm_setup *setup); /* sets c->q */
void isdn_tx_proceeding(struct tdm_call *c);
void isdn_tx_alerting(struct tdm_call *c, int inband);
void isdn_tx_progress(struct tdm_call *c, int inband);
void isdn_tx_connect(struct tdm_call *c);
/* DISCONNECT (or RELEASE / RELEASE COMPLETE as libpri's state requires);
 * libpri finishes the clearing alone: c->q = NULL. */
void isdn_tx_clear(struct tdm_call *c, int cause);
/* Forget the call locally, nothing on the wire: c->q = NULL. */
void isdn_tx_forget(struct tdm_call *c);
/* A SETUP we take no call for: CALL PROCEEDING, then DISCONNECT. */
void isdn_tx_reject(struct tdm_span *s, q931_call *q, int chan, int cause);

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
const char *isdn_call_state_name(enum tdm_call_state st);
const char *isdn_event_name(enum isdn_event ev);

/* ---- backends ---- */
extern const struct tdm_dchan_ops tdm_virt_dchan_ops;
extern const struct tdm_dchan_ops tdm_dahdi_dchan_ops;

#endif

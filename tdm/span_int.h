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

/* What we have sent or received on a call, for logging and for the
 * "PROCEEDING before DISCONNECT" rule. Q.931 itself is libpri's. */
enum tdm_call_state {
	TDM_CS_IN_SETUP,	/* SETUP received, nothing answered yet */
	TDM_CS_IN_PROCEEDING,	/* CALL PROCEEDING sent */
	TDM_CS_IN_ALERTING,	/* ALERTING sent */
	TDM_CS_OUT_SETUP,	/* SETUP sent */
	TDM_CS_OUT_PROCEEDING,	/* CALL PROCEEDING received */
	TDM_CS_OUT_ALERTING,	/* ALERTING received */
	TDM_CS_ACTIVE,		/* CONNECT sent or received */
	TDM_CS_CLEARING,	/* handed back to libpri / freed soon */
};

struct tdm_call {
	struct tdm_span *span;
	struct tdm_call *next;	/* span->calls */
	q931_call *q;		/* libpri's call; NULL once handed back */
	unsigned id;
	int chan;
	int outgoing;
	enum tdm_call_state state;
	int gw_holds;		/* gw/ still holds the pointer */
	int in_cb;		/* inside a callback to gw/: do not free */
	void *user;
};

/* A D-channel backend (virt or dahdi), control thread. */
struct tdm_dchan_ops {
	const char *name;	/* "virt", "dahdi" */
	int (*start)(struct tdm_span *s);
	void (*free)(struct tdm_span *s);
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

	/* isdn.c */
	struct pri *pri;
	int dfd;		/* descriptor libpri writes to now, -1 = none */
	uint8_t rx[TDM_DFRAME_MAX];
	int rxlen;		/* frame waiting for libpri's read callback */
	struct loop_timer *pri_timer;
	char msgbuf[512];	/* libpri's message fragments, until '\n' */
	size_t msglen;

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
const char *span_call_state_name(enum tdm_call_state st);

/* ---- isdn.c ---- */
int isdn_new(struct tdm_span *s);
void isdn_free(struct tdm_span *s);
/* The backend connected (fd >= 0) or lost (fd < 0) the D-channel. */
void isdn_attach(struct tdm_span *s, int fd);
/* One frame (Q.921 + 2 FCS bytes) arrived from the D-channel. */
void isdn_input(struct tdm_span *s, const uint8_t *frame, size_t len);
/* Clear every call: l1_lost = nothing can be signalled (destroy locally),
 * else send DISCONNECT. gw/ gets disconnected(cause) first. */
void isdn_clear_all(struct tdm_span *s, int cause, int l1_lost);

/* ---- backends ---- */
extern const struct tdm_dchan_ops tdm_virt_dchan_ops;
extern const struct tdm_dchan_ops tdm_dahdi_dchan_ops;

#endif

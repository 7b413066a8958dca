/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/: spans, channels, Q.931 (libpri). Knows nothing of SIP.
 *
 * A span has two halves that live in different threads:
 *  - struct tdm_span (control thread): channels, hunting, calls, the link
 *    and alarm state, status, and the span's signalling (ISDN through
 *    libpri; FXS/FXO to come). Driven by the control loop.
 *  - struct tdm_media (a media worker's thread): the bearer audio and the
 *    line events of the span's channels. Driven by the worker's loop.
 * The media half reports its link (in sync, or an alarm) to its span
 * itself, across the threads; gw/ hears of a change once, as span_state.
 *
 * Lifecycle convention for every object here: _new() -> _start() -> _free().
 * Functions return 0 or an errno value.
 */
#ifndef SIPGW_TDM_TDM_H
#define SIPGW_TDM_TDM_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/loop.h"

#define TDM_DIGITS_MAX 32

struct tdm_span;
struct tdm_call;
struct tdm_media;
struct fsm;

/* Q.931 type of number (values as in Q.931 octet 3, bits 7-5). */
enum tdm_ton {
	TDM_TON_UNKNOWN = 0,
	TDM_TON_INTERNATIONAL = 1,
	TDM_TON_NATIONAL = 2,
	TDM_TON_NETWORK_SPECIFIC = 3,
	TDM_TON_SUBSCRIBER = 4,
	TDM_TON_ABBREVIATED = 6,
};

/* Q.931 numbering plan: 1 = ISDN/E.164, 0 = unknown, 9 = private. */
enum tdm_pres { TDM_PRES_ALLOWED = 0, TDM_PRES_RESTRICTED = 1, TDM_PRES_UNAVAILABLE = 2 };

struct tdm_number {
	char digits[TDM_DIGITS_MAX + 1];
	enum tdm_ton ton;
	int npi;
	enum tdm_pres pres;
	int screening;		/* Q.931 screening indicator 0..3 */
};

/* Q.931 bearer capability, information transfer capability. */
enum tdm_bearer { TDM_BEARER_SPEECH = 0, TDM_BEARER_DIGITAL = 8, TDM_BEARER_3K1_AUDIO = 16 };

struct tdm_setup {
	struct tdm_number called;
	struct tdm_number calling;
	enum tdm_bearer bearer;
	int channel;		/* B-channel timeslot (1..31) */
};

/* Alarm values equal virt-span.md's ALARM event values. */
enum tdm_alarm { TDM_ALARM_NONE = 0, TDM_ALARM_RED = 1, TDM_ALARM_YELLOW = 2, TDM_ALARM_BLUE = 3 };

enum tdm_chan_state {
	TDM_CHAN_IDLE,		/* free for a call */
	TDM_CHAN_BUSY,		/* a call holds it */
	TDM_CHAN_OOS,		/* out of service: span down, restarting */
	TDM_CHAN_UNUSED,	/* not a bearer channel of this span */
};

/*
 * Events from a span, in the control thread. For a call, after
 * `disconnected` returns the tdm_call belongs to tdm/ alone (it finishes
 * clearing and frees it): gw/ must drop its pointer.
 */
struct tdm_span_events {
	/* An incoming SETUP. gw/ must answer with tdm_call_proceeding(),
	 * _alert(), _answer() or _hangup(). */
	void (*incoming)(void *arg, struct tdm_call *c, const struct tdm_setup *setup);
	/* Outgoing call: CALL PROCEEDING, ALERTING, PROGRESS, CONNECT received. */
	void (*proceeding)(void *arg, struct tdm_call *c);
	void (*alerting)(void *arg, struct tdm_call *c, int inband);
	void (*progress)(void *arg, struct tdm_call *c, int inband);
	void (*connected)(void *arg, struct tdm_call *c);
	/* Incoming call: CONNECT ACKNOWLEDGE received (optional). */
	void (*connect_ack)(void *arg, struct tdm_call *c);
	/* The far end cleared (DISCONNECT/RELEASE/RELEASE COMPLETE) with a
	 * Q.850 cause, or the span went down (cause 38). */
	void (*disconnected)(void *arg, struct tdm_call *c, int cause);
	/* Layer 1/2 state changed: up = calls possible. */
	void (*span_state)(void *arg, struct tdm_span *s, int up, enum tdm_alarm alarm);
};

int tdm_span_new(struct loop *loop, const struct cfg_span *cfg,
		 const struct tdm_span_events *ev, void *arg, struct tdm_span **out);
/* Open the D-channel (dahdi) or start listening (virt). */
int tdm_span_start(struct tdm_span *s);
/* Frees the span; calls still on it are dropped without signalling. */
void tdm_span_free(struct tdm_span *s);

int tdm_span_id(const struct tdm_span *s);
int tdm_span_is_up(const struct tdm_span *s);
enum tdm_chan_state tdm_span_chan_state(const struct tdm_span *s, int chan);
/* The channel tdm_call_place(s, 0, ...) would take, leaving out those whose
 * bit (1 << timeslot) is set in avoid; -1 when none is free. */
int tdm_span_hunt(const struct tdm_span *s, uint32_t avoid);

struct tdm_span_status {
	int id;
	char name[64];		/* "span1 (virt /run/sipgw/span1)", or DAHDI's span name */
	const char *driver;	/* "virt", "dahdi" */
	const char *signalling;	/* "pri_cpe", "pri_net" */
	const char *switchtype;
	int up;			/* layer 1 and D-channel (layer 2) up */
	int dchan_up;		/* layer 2 up */
	int media_up;
	enum tdm_alarm alarm;
	int nchannels, nbusy;
	uint64_t calls_in, calls_out;
};
void tdm_span_status(const struct tdm_span *s, struct tdm_span_status *st);
const char *tdm_alarm_name(enum tdm_alarm a);
struct fsm_def;
/* The ISDN call machine (lib/fsm): its name, states and counters. */
const struct fsm_def *tdm_call_machine(void);
const char *tdm_ton_name(enum tdm_ton t);

/*
 * Place a call. channel: a timeslot, or 0 to hunt for a free one (lowest
 * free first for pri_cpe, highest first for pri_net, to avoid glare).
 * EBUSY: no free channel; ENETDOWN: span down.
 */
int tdm_call_place(struct tdm_span *s, int channel, const struct tdm_setup *setup,
		   void *user, struct tdm_call **out);
int tdm_call_proceeding(struct tdm_call *c);
int tdm_call_alert(struct tdm_call *c, int inband);
int tdm_call_progress(struct tdm_call *c, int inband);
int tdm_call_answer(struct tdm_call *c);
/* Clear with a Q.850 cause. Afterwards the call belongs to tdm/: no more
 * events for it, and gw/ must drop its pointer. */
int tdm_call_hangup(struct tdm_call *c, int cause);
int tdm_call_channel(const struct tdm_call *c);
struct tdm_span *tdm_call_span(const struct tdm_call *c);
void tdm_call_set_user(struct tdm_call *c, void *user);
void *tdm_call_user(const struct tdm_call *c);
/*
 * The call's machine (lib/fsm), for gw/ to link under its own call
 * (fsm_set_parent) when it gets or places the call. When that parent ends,
 * the call is cleared with the parent's cause as tdm_call_hangup() would
 * (and the pointer is tdm/'s from then on). gw/ unlinks it when the call
 * is reported `disconnected`.
 */
struct fsm *tdm_call_fsm(struct tdm_call *c);

/* ---- the media half, in a media worker's thread ---- */

struct tdm_media_events {
	/* Card audio of one channel for one chunk (G.711 in the span's law),
	 * for every bearer channel each chunk period. */
	void (*rx)(void *arg, int chan, const uint8_t *g711, size_t n);
	/* Fill the audio toward the card for the same chunk; buf arrives
	 * holding the idle pattern. Called after rx for the same channel. */
	void (*tx)(void *arg, int chan, uint8_t *g711, size_t n);
	/* Analog line events (virt 'E' codes 1-7), for the analog roadmap. */
	void (*line)(void *arg, int chan, int code, int value);
};

/* The media half of span s, run by worker_loop. Made in the control thread
 * before the worker runs; s must outlive it. Its link state (connected and
 * frames flowing, or the alarm it sees: red on loss of link or frames, the
 * line's or the card's alarm) goes to s, which reports it (span_state). */
int tdm_media_new(struct loop *worker_loop, struct tdm_span *s,
		  const struct tdm_media_events *ev, void *arg, struct tdm_media **out);
int tdm_media_start(struct tdm_media *m);
void tdm_media_free(struct tdm_media *m);

/* Counters, safe to read from another thread. */
struct tdm_media_stats {
	uint64_t frames;	/* frames received */
	uint64_t slips;		/* missing frame numbers */
	uint64_t bad;		/* ignored messages */
	uint64_t underruns, overruns; /* dahdi buffer events */
	int connected;
};
void tdm_media_stats(const struct tdm_media *m, struct tdm_media_stats *st);

#endif

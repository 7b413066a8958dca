/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Media workers: threads that each own some spans' audio (the tdm_media
 * half) and the RTP sockets of the calls on them. Every chunk from the card
 * goes through the channel's dsp pipeline and codec stage (dsp_stream) and
 * out as RTP; every RTP payload goes through the jitter buffer and the
 * codec stage and back to the card. The workers only move bytes: codecs,
 * concealment and pass-through are dsp/'s.
 *
 * The control thread talks to the workers only through this API (bounded
 * SPSC queues plus an eventfd each way); events come back through the
 * callbacks below, in the control thread.
 */
#ifndef SIPGW_GW_MEDIA_H
#define SIPGW_GW_MEDIA_H

#include <stdint.h>

#include "config/config.h"
#include "lib/loop.h"
#include "sip/rtp.h"
#include "tdm/tdm.h"

struct gw_media;

/*
 * A stream: one start of media on a channel, until its stop. Commands name
 * the stream, not the channel: an update or stop for a stream that has
 * ended does nothing, even when the channel now carries the next call's
 * stream, and events of an ended stream that arrive late are dropped.
 */
struct gw_media_stream {
	int span_id, chan;
	uint32_t id;		/* unique per gw_media, 0 = none */
};

struct gw_media_events {
	/* A DTMF digit passed on a stream that is still running (user: its
	 * gw_media_params' user): from_card = detected in-band on the card
	 * side (sent as RFC 4733), else received as RFC 4733 (played
	 * in-band). */
	void (*digit)(void *arg, void *user, uint32_t stream, char digit, int from_card);
};

/* One tdm_media per span of cfg (spans[i]: the tdm_span of cfg->spans[i],
 * which reports its own link), spread over workers. cfg and the spans must
 * outlive it. */
int gw_media_new(struct loop *ctl_loop, const struct cfg *cfg, struct tdm_span *const *spans,
		 const struct gw_media_events *ev, void *arg, struct gw_media **out);
int gw_media_start(struct gw_media *m);	/* start the threads */
void gw_media_free(struct gw_media *m);	/* stop and join them; free all */
int gw_media_nworkers(const struct gw_media *m);

struct gw_media_params {
	int span_id, chan;
	struct sip_rtp *rtp;	/* handed over: the worker frees it */
	char remote_addr[64];
	uint16_t remote_port;
	int pt, te_pt;		/* RTP payload types: audio (0 or 8), telephone-event */
	int echo_cancel, echo_tail_ms;
	void *user;		/* start: handed back with the stream's events */
};

/* Start a stream on p's channel (ending the one there, if any); the rtp
 * belongs to the worker from now on, even when this fails. */
int gw_media_chan_start(struct gw_media *m, const struct gw_media_params *p,
			struct gw_media_stream *out);
/* New remote address or payload types (a 200 after early media); p's
 * span_id, chan and rtp are not used. */
int gw_media_chan_update(struct gw_media *m, const struct gw_media_stream *s,
			 const struct gw_media_params *p);
int gw_media_chan_stop(struct gw_media *m, const struct gw_media_stream *s);

void gw_media_span_stats(const struct gw_media *m, int span_id, struct tdm_media_stats *st);
/* loop_now_ms() when the stream's channel last had an RTP packet (compare
 * with when the stream started), 0 if none ever did or the stream ended. */
uint64_t gw_media_chan_last_rx(const struct gw_media *m, const struct gw_media_stream *s);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dsp/: pure sample processing, one pipeline per channel. No sockets, no
 * threads, no globals. A pipeline is used by one thread at a time.
 *
 * Per chunk (usually 160 samples = 20 ms), a media worker calls the codec
 * stage (dsp_stream, which wraps a dsp_chan and the RTP codec):
 *   dsp_stream_from_card(): card audio (G.711, span law) -> echo cancelled,
 *                           DTMF detected -> one RTP payload;
 *   dsp_stream_to_card():   one RTP payload from the jitter buffer (or
 *                           none: concealed) -> G.711 toward the card.
 * The pipeline alone works on linear audio:
 *   dsp_chan_from_card(): card audio -> echo cancelled, DTMF detected ->
 *                         linear audio toward the network;
 *   dsp_chan_to_card():   network linear audio (or queued in-band DTMF)
 *                         -> G.711 toward the card; also the echo reference.
 */
#ifndef SIPGW_DSP_DSP_H
#define SIPGW_DSP_DSP_H

#include <stddef.h>
#include <stdint.h>

/* Law values equal config's enum cfg_law and virt-span.md's law byte. */
enum dsp_law { DSP_LAW_ULAW = 0, DSP_LAW_ALAW = 1 };

void dsp_g711_decode(enum dsp_law law, const uint8_t *in, int16_t *out, size_t n);
void dsp_g711_encode(enum dsp_law law, const int16_t *in, uint8_t *out, size_t n);
/* Idle pattern byte: 0xFF (mu-law), 0xD5 (A-law). */
uint8_t dsp_g711_idle(enum dsp_law law);

struct dsp_chan;

struct dsp_chan_params {
	enum dsp_law law;	/* the card's law */
	int chunk;		/* samples per call, 160 */
	int echo_cancel;	/* 1 = speexdsp canceller + residual suppressor */
	int echo_tail_ms;	/* 128 */
	int dtmf_detect;	/* 1 = detect in-band digits from the card */
};

struct dsp_events {
	/* A digit detected on the card side: start (duration 0), then end
	 * with its duration. Each digit is reported start/end exactly once. */
	void (*digit)(void *arg, char digit, int end, int duration_ms);
};

int dsp_chan_new(const struct dsp_chan_params *p, const struct dsp_events *ev, void *arg,
		 struct dsp_chan **out);
void dsp_chan_free(struct dsp_chan *d);

/* Card -> network. in: n G.711 bytes; out: n linear samples. While a digit
 * is being detected the outgoing audio is muted, so the far end hears it
 * once (as an RFC 4733 event) and not twice. With dtmf_detect the audio
 * comes out 204 samples (25.5 ms) late: the look-ahead in which a digit's
 * start, heard before the detector is sure, is muted as well. */
void dsp_chan_from_card(struct dsp_chan *d, const uint8_t *in, int16_t *out, size_t n);
/* The same, with coded (n bytes, or NULL) given the card's own bytes of
 * out, delayed alike. 1 when nothing changed out (no echo canceller, no
 * digit muting): coded is then out's exact encoding, to be sent as it is
 * where the far end uses the card's law. */
int dsp_chan_from_card_coded(struct dsp_chan *d, const uint8_t *in, int16_t *out, uint8_t *coded,
			     size_t n);
/* Network -> card. in: n linear samples, or NULL for silence; out: n G.711
 * bytes. Queued digits replace the audio while they play. */
void dsp_chan_to_card(struct dsp_chan *d, const int16_t *in, uint8_t *out, size_t n);
/* The same, with coded = in already in the card's law (in is its exact
 * decoding): those bytes go to the card unchanged where no digit replaces
 * them. 1 if all n bytes went so. */
int dsp_chan_to_card_coded(struct dsp_chan *d, const int16_t *in, const uint8_t *coded,
			   uint8_t *out, size_t n);
/* Queue an in-band digit toward the card (tone duration_ms, then >= 50 ms
 * of silence). 0, EINVAL (not a DTMF digit) or ENOSPC. */
int dsp_chan_send_digit(struct dsp_chan *d, char digit, int duration_ms);
void dsp_chan_set_echo_cancel(struct dsp_chan *d, int on);
/* Added: the name log lines about this pipeline start with ("span1/B5"). */
void dsp_chan_set_name(struct dsp_chan *d, const char *name);

struct dsp_chan_stats {
	int echo_cancel;
	double erl_db, erle_db;	/* running estimates over the last second */
	uint64_t digits_rx, digits_tx;
};
void dsp_chan_stats(const struct dsp_chan *d, struct dsp_chan_stats *st);

/* ---- codecs (dsp/codec.c): RTP payload type -> encoder/decoder + PLC ---- */

struct dsp_codec;

/* The codec of a static RTP payload type (RFC 3551 table 4: 0 PCMU,
 * 8 PCMA); ENOTSUP for one not implemented. */
int dsp_codec_new(int pt, struct dsp_codec **out);
/* The payload types dsp_codec_new() takes, in the table's order: how many
 * were written to out (at most max). */
size_t dsp_codec_pts(int *out, size_t max);
void dsp_codec_free(struct dsp_codec *c);
int dsp_codec_pt(const struct dsp_codec *c);
const char *dsp_codec_name(const struct dsp_codec *c);
/* The payloads' G.711 law (enum dsp_law), or -1 for another codec. */
int dsp_codec_g711_law(const struct dsp_codec *c);
/* n samples -> one payload; its length, 0 if cap is too small. */
size_t dsp_codec_encode(struct dsp_codec *c, const int16_t *in, size_t n, uint8_t *out, size_t cap);
/* One payload -> n samples. in NULL (lost, late, not yet come): the
 * concealment hook fills them from what came before (silence at first).
 * 1 when out is exactly the payload's decoding, 0 when concealment made or
 * smoothed any of it. */
int dsp_codec_decode(struct dsp_codec *c, const uint8_t *in, size_t len, int16_t *out, size_t n);

/* ---- the codec stage (dsp/stream.c): a pipeline between card chunks and
 * RTP payloads, what a media worker uses ---- */

struct dsp_stream;

struct dsp_stream_params {
	struct dsp_chan_params chan;
	int pt;			/* RTP payload type of the audio (dsp_codec_new) */
};

int dsp_stream_new(const struct dsp_stream_params *p, const struct dsp_events *ev, void *arg,
		   struct dsp_stream **out);
void dsp_stream_free(struct dsp_stream *s);
/* Another payload type (a 200 after early media chose another); ENOTSUP
 * keeps the old one. */
int dsp_stream_set_pt(struct dsp_stream *s, int pt);
/* Its pipeline: digits, echo canceller, name, stats. */
struct dsp_chan *dsp_stream_chan(struct dsp_stream *s);
/* Card -> network: n card bytes (n <= 1024) -> one payload of at most cap
 * bytes; its length (0: nothing to send). */
size_t dsp_stream_from_card(struct dsp_stream *s, const uint8_t *card, size_t n, uint8_t *payload,
			    size_t cap);
/* Network -> card: one payload (NULL: none for this chunk, concealed) ->
 * n card bytes. */
void dsp_stream_to_card(struct dsp_stream *s, const uint8_t *payload, size_t len, uint8_t *card,
			size_t n);

struct dsp_stream_stats {
	uint64_t from_card_passed;	/* card bytes sent as they were */
	uint64_t from_card_coded;	/* encoded from the pipeline's output */
	uint64_t to_card_passed;	/* payload bytes went to the card as they were */
	uint64_t to_card_coded;		/* decoded and encoded in the card's law */
	uint64_t concealed;		/* chunks with no payload */
};
void dsp_stream_stats(const struct dsp_stream *s, struct dsp_stream_stats *st);

/* ---- jitter buffer: RTP packets in, one packet per chunk out ---- */

struct dsp_jb;

/* The largest payload a jitter buffer takes (an RTP packet in a 1500-byte
 * Ethernet frame). */
#define DSP_JB_MAX_PAYLOAD 1460

/* ptime_ms: the packets' duration (the SDP's ptime, 20); depth_ms: target
 * delay, 40-60; max_payload: the largest payload stored, in bytes (slots
 * are this big: 160 for 20 ms of G.711). Payloads are stored as they
 * came, whatever the codec. */
int dsp_jb_new(int ptime_ms, int depth_ms, size_t max_payload, struct dsp_jb **out);
void dsp_jb_free(struct dsp_jb *jb);
/* Put one payload with its RTP seq and timestamp. */
void dsp_jb_put(struct dsp_jb *jb, uint16_t seq, uint32_t ts, const uint8_t *payload, size_t n);

/* One packet out: data/cap set by the caller, the rest filled by get. */
struct dsp_jb_pkt {
	uint8_t *data;
	size_t cap;		/* a longer payload is cut to cap */
	size_t len;
	uint16_t seq;
	uint32_t ts;		/* its RTP timestamp */
};
/* Get the next packet: 1 = a real packet, 0 = nothing (out untouched:
 * conceal or play silence). */
int dsp_jb_get(struct dsp_jb *jb, struct dsp_jb_pkt *out);

/* Added: counters for RTCP and sipgwctl. */
struct dsp_jb_stats {
	uint64_t received;	/* packets stored */
	uint64_t played;	/* dsp_jb_get() returned 1 */
	uint64_t lost;		/* a gap played out (returned 0 in sequence) */
	uint64_t late;		/* arrived after its turn: dropped */
	uint64_t dup;		/* already held: dropped */
	uint64_t bad_size;	/* empty or over max_payload: dropped */
	uint64_t drift_drop;	/* frames dropped because the fill stayed high */
	uint64_t drift_add;	/* frames added (returned 0) because it stayed low */
	uint64_t resyncs;	/* big seq jumps: buffer restarted */
};
void dsp_jb_stats(const struct dsp_jb *jb, struct dsp_jb_stats *st);

#endif

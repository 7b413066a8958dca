/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The codec stage: a channel's pipeline (dsp/chan.c) between card chunks
 * and RTP payloads.
 *
 * The pipeline's look-ahead (dsp/chan.c) delays what goes toward the
 * network; the card's bytes that pass through are delayed alike.
 *
 * Card -> network: the pipeline decodes the card's G.711 for the echo
 * canceller and the DTMF detector. Where the RTP codec is the card's law
 * and the pipeline changed nothing (echo canceller off, no digit being
 * muted) the card's bytes are the payload as they are; otherwise its
 * linear output is encoded. With the canceller on the signal changes, so
 * it is always encoded.
 * Network -> card: the payload is decoded (a missing one concealed) for
 * the echo reference and the digit generator; where it is in the card's
 * law, exactly decoded, and no digit replaces it, its bytes go to the card
 * as they came, whether the canceller is on or not (it changes only the
 * other direction).
 */
#include "dsp/dsp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAMPLES 1024

struct dsp_stream {
	struct dsp_chan *chan;
	struct dsp_codec *codec;
	enum dsp_law law;	/* the card's */
	int same_law;		/* the codec is G.711 in the card's law */
	struct dsp_stream_stats st;
};

static void set_codec(struct dsp_stream *s, struct dsp_codec *c)
{
	dsp_codec_free(s->codec);
	s->codec = c;
	s->same_law = dsp_codec_g711_law(c) == (int)s->law;
}

int dsp_stream_new(const struct dsp_stream_params *p, const struct dsp_events *ev, void *arg,
		   struct dsp_stream **out)
{
	struct dsp_stream *s;
	struct dsp_codec *c = NULL;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->law = p->chan.law;
	rc = dsp_chan_new(&p->chan, ev, arg, &s->chan);
	if (!rc)
		rc = dsp_codec_new(p->pt, &c);
	if (rc)
		goto out;
	set_codec(s, c);
	*out = s;
	return 0;
out:
	dsp_stream_free(s);
	return rc;
}

void dsp_stream_free(struct dsp_stream *s)
{
	if (!s)
		return;
	dsp_chan_free(s->chan);
	dsp_codec_free(s->codec);
	free(s);
}

int dsp_stream_set_pt(struct dsp_stream *s, int pt)
{
	struct dsp_codec *c;
	int rc;

	if (dsp_codec_pt(s->codec) == pt)
		return 0;
	rc = dsp_codec_new(pt, &c);
	if (!rc)
		set_codec(s, c);
	return rc;
}

struct dsp_chan *dsp_stream_chan(struct dsp_stream *s)
{
	return s->chan;
}

size_t dsp_stream_from_card(struct dsp_stream *s, const uint8_t *card, size_t n, uint8_t *payload,
			    size_t cap)
{
	int16_t lin[MAX_SAMPLES];

	if (n > MAX_SAMPLES)
		return 0;
	if (!s->same_law || n > cap)
		dsp_chan_from_card(s->chan, card, lin, n);
	else if (dsp_chan_from_card_coded(s->chan, card, lin, payload, n)) {
		s->st.from_card_passed++;	/* the card's bytes, as they were */
		return n;
	}
	s->st.from_card_coded++;
	return dsp_codec_encode(s->codec, lin, n, payload, cap);
}

void dsp_stream_to_card(struct dsp_stream *s, const uint8_t *payload, size_t len, uint8_t *card,
			size_t n)
{
	int16_t lin[MAX_SAMPLES];
	int exact;

	if (n > MAX_SAMPLES) {
		memset(card, dsp_g711_idle(s->law), n);
		return;
	}
	exact = dsp_codec_decode(s->codec, payload, len, lin, n);
	if (!payload)
		s->st.concealed++;
	if (exact && s->same_law && len == n) {
		if (dsp_chan_to_card_coded(s->chan, lin, payload, card, n))
			s->st.to_card_passed++;
		else
			s->st.to_card_coded++;	/* a digit replaced some of it */
		return;
	}
	dsp_chan_to_card(s->chan, lin, card, n);
	s->st.to_card_coded++;
}

void dsp_stream_stats(const struct dsp_stream *s, struct dsp_stream_stats *st)
{
	*st = s->st;
}

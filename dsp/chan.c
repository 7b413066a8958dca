/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The per-channel pipeline.
 *
 * Card -> network, per block of `chunk` samples:
 *   G.711 decode -> echo cancel (reference = what went to the card one call
 *   earlier) -> DTMF detection on the cancelled signal -> residual echo
 *   suppression -> look-ahead: with DTMF detection on, the audio waits
 *   DSP_DTMF_LOOKAHEAD samples (25.5 ms) before it goes out, muted while a
 *   digit (or a likely one) is being received and for those samples before
 *   the detector first said so. The detector needs up to 188 samples to see
 *   a digit: without the wait, what came of it before (up to 31 ms) went
 *   out in-band, and a far end that detects in-band too saw it twice.
 *   The wait is on the output only: the canceller and the detector work on
 *   the card's audio as it comes, so the reference stays aligned.
 *   The card's bytes wait alike (dsp_chan_from_card_coded): where nothing
 *   changed the samples that go out (no canceller, not muted) they are
 *   those samples' encoding and may be sent as they are.
 * Network -> card: queued digits replace the audio while they play ->
 *   G.711 encode; the encoded block, decoded again (what the line really
 *   carries), is queued as the echo reference for the next card block.
 *   Audio that arrives already in the card's law (dsp_chan_to_card_coded)
 *   passes as it came unless a digit replaces it.
 * The codec stage between these and RTP payloads is dsp/stream.c.
 */
#include "dsp/dsp.h"
#include "dsp/dtmf.h"
#include "dsp/echo.h"
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dsp_chan {
	struct dsp_chan_params p;
	struct dsp_events ev;
	void *arg;
	char name[48];
	struct dsp_echo *echo;
	int ec_on;
	struct dsp_dtmf *dtmf;
	int16_t *ref;			/* reference FIFO, ref_cap samples */
	size_t ref_len, ref_cap;
	int16_t *lin, *tmp;		/* work buffers, chunk samples */
	/* toward the network: `delay` samples processed but held, then the
	 * block being processed; mute: per sample, muted when it goes out */
	int16_t *held;
	uint8_t *mute;
	/* beside held: the card's bytes, and 1 where the canceller left the
	 * sample as it came */
	uint8_t *raw, *same;
	size_t delay;			/* DSP_DTMF_LOOKAHEAD with dtmf_detect, else 0 */
	uint64_t digits_rx;
};

static void on_digit(void *arg, char digit, int end, int duration_ms)
{
	struct dsp_chan *d = arg;

	if (end) {
		d->digits_rx++;
		log_debug(LOG_DSP, "%s: DTMF '%c' end, %d ms", d->name, digit, duration_ms);
	} else {
		log_debug(LOG_DSP, "%s: DTMF '%c' start", d->name, digit);
	}
	if (d->ev.digit)
		d->ev.digit(d->arg, digit, end, duration_ms);
}

int dsp_chan_new(const struct dsp_chan_params *p, const struct dsp_events *ev, void *arg,
		 struct dsp_chan **out)
{
	struct dsp_chan *d;
	int rc;

	*out = NULL;
	if (!p || (p->law != DSP_LAW_ULAW && p->law != DSP_LAW_ALAW) || p->chunk <= 0 ||
	    p->chunk > 8000 || p->echo_tail_ms < 0 || p->echo_tail_ms > 1000)
		return EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->p = *p;
	if (d->p.echo_tail_ms == 0)
		d->p.echo_tail_ms = 128;
	if (ev)
		d->ev = *ev;
	d->arg = arg;
	snprintf(d->name, sizeof(d->name), "dsp %p", (void *)d);
	d->ref_cap = (size_t)p->chunk * 4;
	d->ref = calloc(d->ref_cap, sizeof(*d->ref));
	d->lin = calloc((size_t)p->chunk, sizeof(*d->lin));
	d->tmp = calloc((size_t)p->chunk, sizeof(*d->tmp));
	d->delay = p->dtmf_detect ? DSP_DTMF_LOOKAHEAD : 0;
	d->held = calloc(d->delay + (size_t)p->chunk, sizeof(*d->held));
	d->mute = calloc(d->delay + (size_t)p->chunk, sizeof(*d->mute));
	d->raw = calloc(d->delay + (size_t)p->chunk, 1);
	d->same = calloc(d->delay + (size_t)p->chunk, 1);	/* the start's silence: encoded */
	if (!d->ref || !d->lin || !d->tmp || !d->held || !d->mute || !d->raw || !d->same) {
		rc = ENOMEM;
		goto out;
	}
	rc = dsp_echo_new(p->chunk, d->p.echo_tail_ms, &d->echo);
	if (rc)
		goto out;
	rc = dsp_dtmf_new(on_digit, d, &d->dtmf);
	if (rc)
		goto out;
	d->ec_on = !!p->echo_cancel;
	*out = d;
	return 0;
out:
	dsp_chan_free(d);
	return rc;
}

void dsp_chan_free(struct dsp_chan *d)
{
	if (!d)
		return;
	dsp_echo_free(d->echo);
	dsp_dtmf_free(d->dtmf);
	free(d->ref);
	free(d->lin);
	free(d->tmp);
	free(d->held);
	free(d->mute);
	free(d->raw);
	free(d->same);
	free(d);
}

void dsp_chan_set_name(struct dsp_chan *d, const char *name)
{
	snprintf(d->name, sizeof(d->name), "%s", name ? name : "");
}

/* Take n reference samples (zeros where the FIFO runs short). */
static void ref_take(struct dsp_chan *d, int16_t *dst, size_t n)
{
	size_t have = d->ref_len < n ? d->ref_len : n;

	memcpy(dst, d->ref, have * sizeof(*dst));
	memset(dst + have, 0, (n - have) * sizeof(*dst));
	memmove(d->ref, d->ref + have, (d->ref_len - have) * sizeof(*d->ref));
	d->ref_len -= have;
}

/* Append n samples; if the worker did not consume them (two to_card calls
 * in a row), keep only the newest ref_cap samples. */
static void ref_put(struct dsp_chan *d, const int16_t *src, size_t n)
{
	if (n >= d->ref_cap) {
		memcpy(d->ref, src + n - d->ref_cap, d->ref_cap * sizeof(*src));
		d->ref_len = d->ref_cap;
		return;
	}
	if (d->ref_len + n > d->ref_cap) {
		size_t drop = d->ref_len + n - d->ref_cap;

		memmove(d->ref, d->ref + drop, (d->ref_len - drop) * sizeof(*d->ref));
		d->ref_len -= drop;
	}
	memcpy(d->ref + d->ref_len, src, n * sizeof(*src));
	d->ref_len += n;
}

/* Detect digits in the len samples at x (held + delay), fed up to each of
 * the detector's decisions, and mark what goes out muted: the samples
 * received while a digit or a likely one is reported, and the delay samples
 * before each moment it is (the digit's start, seen late). */
static void detect(struct dsp_chan *d, const int16_t *x, size_t len)
{
	for (size_t a = 0, b; a < len; a = b) {
		size_t step = (size_t)dsp_dtmf_rx_next(d->dtmf);
		int before = dsp_dtmf_rx_active(d->dtmf);

		b = a + (step < len - a ? step : len - a);
		dsp_dtmf_rx(d->dtmf, x + a, (int)(b - a));
		if (before)
			memset(d->mute + d->delay + a, 1, b - a);
		if (dsp_dtmf_rx_active(d->dtmf))
			memset(d->mute + b, 1, d->delay);
	}
}

int dsp_chan_from_card_coded(struct dsp_chan *d, const uint8_t *in, int16_t *out, uint8_t *coded,
			     size_t n)
{
	size_t chunk = (size_t)d->p.chunk;
	int unchanged = 1;

	for (size_t off = 0; off < n; off += chunk) {
		size_t len = n - off < chunk ? n - off : chunk;
		int16_t *x = d->held + d->delay;

		dsp_g711_decode(d->p.law, in + off, x, len);
		memset(d->mute + d->delay, 0, len);
		memcpy(d->raw + d->delay, in + off, len);
		memset(d->same + d->delay, !(d->ec_on && len == chunk), len);
		ref_take(d, d->lin, len);
		/* speexdsp works on whole blocks: a short tail block passes as is */
		if (d->ec_on && len == chunk) {
			dsp_echo_cancel(d->echo, x, d->lin, d->tmp);
			memcpy(x, d->tmp, len * sizeof(*x));
		}
		if (d->p.dtmf_detect)
			detect(d, x, len);
		if (d->ec_on && len == chunk)
			dsp_echo_suppress(d->echo, x);
		for (size_t i = 0; i < len; i++) {
			out[off + i] = d->mute[i] ? 0 : d->held[i];
			if (d->mute[i] || !d->same[i])
				unchanged = 0;
		}
		if (coded)
			memcpy(coded + off, d->raw, len);
		memmove(d->held, d->held + len, d->delay * sizeof(*d->held));
		memmove(d->mute, d->mute + len, d->delay);
		memmove(d->raw, d->raw + len, d->delay);
		memmove(d->same, d->same + len, d->delay);
	}
	return coded && unchanged;
}

void dsp_chan_from_card(struct dsp_chan *d, const uint8_t *in, int16_t *out, size_t n)
{
	dsp_chan_from_card_coded(d, in, out, NULL, n);
}

int dsp_chan_to_card_coded(struct dsp_chan *d, const int16_t *in, const uint8_t *coded,
			   uint8_t *out, size_t n)
{
	size_t chunk = (size_t)d->p.chunk;
	int passed = 1;

	for (size_t off = 0; off < n; off += chunk) {
		size_t len = n - off < chunk ? n - off : chunk;
		size_t gen = (size_t)dsp_dtmf_tx(d->dtmf, d->lin, (int)len);

		if (coded && in && !gen) {
			/* nothing replaced it: the bytes go as they came and
			 * their decoding (in) is what the line carries */
			memcpy(out + off, coded + off, len);
			ref_put(d, in + off, len);
			continue;
		}
		passed = 0;
		if (in)
			memcpy(d->lin + gen, in + off + gen, (len - gen) * sizeof(*in));
		else
			memset(d->lin + gen, 0, (len - gen) * sizeof(*d->lin));
		dsp_g711_encode(d->p.law, d->lin, out + off, len);
		dsp_g711_decode(d->p.law, out + off, d->lin, len);
		ref_put(d, d->lin, len);
	}
	return passed && coded;
}

void dsp_chan_to_card(struct dsp_chan *d, const int16_t *in, uint8_t *out, size_t n)
{
	dsp_chan_to_card_coded(d, in, NULL, out, n);
}

int dsp_chan_send_digit(struct dsp_chan *d, char digit, int duration_ms)
{
	int rc = dsp_dtmf_tx_queue(d->dtmf, digit, duration_ms);

	if (rc)
		log_debug(LOG_DSP, "%s: cannot queue DTMF digit 0x%02x: %s", d->name,
			  (unsigned char)digit, rc == ENOSPC ? "queue full" : "not a digit");
	return rc;
}

void dsp_chan_set_echo_cancel(struct dsp_chan *d, int on)
{
	on = !!on;
	if (on && !d->ec_on)
		dsp_echo_reset(d->echo);	/* adapt afresh: the path may have changed */
	if (on != d->ec_on)
		log_debug(LOG_DSP, "%s: echo canceller %s", d->name, on ? "on" : "off");
	d->ec_on = on;
}

void dsp_chan_stats(const struct dsp_chan *d, struct dsp_chan_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->echo_cancel = d->ec_on;
	if (d->ec_on)
		dsp_echo_estimates(d->echo, &st->erl_db, &st->erle_db);
	st->digits_rx = d->digits_rx;
	st->digits_tx = dsp_dtmf_tx_count(d->dtmf);
}

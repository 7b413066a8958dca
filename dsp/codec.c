/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The codec stage's codecs: RTP payload type -> encoder, decoder and a
 * concealment (PLC) hook.
 *
 * A codec is a row of `codecs`: its static payload type (RFC 3551 section
 * 6, table 4), its name, and functions. Adding one (G.722, G.726, GSM from
 * spandsp, the roadmap's list) is a row and its functions; a dynamic
 * payload type reaches it through the SDP's rtpmap, which sip/ turns into
 * the static number.
 *
 * Concealment: a codec may bring its own (a row's `conceal`); otherwise a
 * missing packet is filled by spandsp's PLC (plc.h: pitch-period repetition
 * fading out over 60 ms, G.711 appendix I's method), fed with every decoded
 * packet. Its first packet after a gap is smoothed into the fill, so that
 * one is no longer the payload's exact decoding.
 */
#include "dsp/dsp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

struct codec_row {
	int pt;
	const char *name;
	int law;		/* G.711: enum dsp_law, else -1 */
	/* n samples <-> n bytes; other codecs give their own byte counts */
	size_t (*encode)(const struct codec_row *r, const int16_t *in, size_t n, uint8_t *out,
			 size_t cap);
	size_t (*decode)(const struct codec_row *r, const uint8_t *in, size_t len, int16_t *out,
			 size_t n);
	/* NULL: spandsp's PLC */
	void (*conceal)(const struct codec_row *r, int16_t *out, size_t n);
};

static size_t g711_enc(const struct codec_row *r, const int16_t *in, size_t n, uint8_t *out,
		       size_t cap)
{
	if (n > cap)
		return 0;
	dsp_g711_encode((enum dsp_law)r->law, in, out, n);
	return n;
}

static size_t g711_dec(const struct codec_row *r, const uint8_t *in, size_t len, int16_t *out,
		       size_t n)
{
	size_t k = len < n ? len : n;

	dsp_g711_decode((enum dsp_law)r->law, in, out, k);
	return k;
}

static const struct codec_row codecs[] = {
	{ 0, "PCMU", DSP_LAW_ULAW, g711_enc, g711_dec, NULL },
	{ 8, "PCMA", DSP_LAW_ALAW, g711_enc, g711_dec, NULL },
};

size_t dsp_codec_pts(int *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]) && n < max; i++)
		out[n++] = codecs[i].pt;
	return n;
}

struct dsp_codec {
	const struct codec_row *row;
	plc_state_t *plc;
	int concealing;		/* the last decode was a fill-in */
};

int dsp_codec_new(int pt, struct dsp_codec **out)
{
	struct dsp_codec *c;

	*out = NULL;
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		if (codecs[i].pt != pt)
			continue;
		c = calloc(1, sizeof(*c));
		if (!c)
			return ENOMEM;
		c->row = &codecs[i];
		if (!c->row->conceal && !(c->plc = plc_init(NULL))) {
			free(c);
			return ENOMEM;
		}
		*out = c;
		return 0;
	}
	return ENOTSUP;
}

void dsp_codec_free(struct dsp_codec *c)
{
	if (!c)
		return;
	if (c->plc)
		plc_free(c->plc);
	free(c);
}

int dsp_codec_pt(const struct dsp_codec *c)
{
	return c->row->pt;
}

const char *dsp_codec_name(const struct dsp_codec *c)
{
	return c->row->name;
}

int dsp_codec_g711_law(const struct dsp_codec *c)
{
	return c->row->law;
}

size_t dsp_codec_encode(struct dsp_codec *c, const int16_t *in, size_t n, uint8_t *out, size_t cap)
{
	return c->row->encode(c->row, in, n, out, cap);
}

/*
 * spandsp 0.0.6's plc_fillin() starts a gap by rotating its history ring to
 * offset 0 with memcpy() between overlapping ranges whenever the ring's
 * offset (buf_ptr) is under half its length: undefined behaviour, and
 * ASan aborts on it. Rotate it first with memmove() (plc_state_t is public
 * in plc.h), so the library finds offset 0 and copies nothing.
 */
static void plc_rotate(plc_state_t *p)
{
	int16_t tmp[PLC_HISTORY_LEN];
	size_t b = (size_t)p->buf_ptr;

	if (p->missing_samples || !b || b >= PLC_HISTORY_LEN)
		return;
	memcpy(tmp, p->history, b * sizeof(*tmp));
	memmove(p->history, p->history + b, (PLC_HISTORY_LEN - b) * sizeof(*tmp));
	memcpy(p->history + PLC_HISTORY_LEN - b, tmp, b * sizeof(*tmp));
	p->buf_ptr = 0;
}

static void conceal(struct dsp_codec *c, int16_t *out, size_t n)
{
	if (c->row->conceal) {
		c->row->conceal(c->row, out, n);
	} else {
		plc_rotate(c->plc);
		plc_fillin(c->plc, out, (int)n);
	}
	c->concealing = 1;
}

int dsp_codec_decode(struct dsp_codec *c, const uint8_t *in, size_t len, int16_t *out, size_t n)
{
	size_t got;
	int exact;

	if (!in || !len) {
		conceal(c, out, n);
		return 0;
	}
	got = c->row->decode(c->row, in, len, out, n);
	exact = got == n && !c->concealing;
	if (c->plc)
		plc_rx(c->plc, out, (int)got);	/* after a fill-in: smoothed into it */
	c->concealing = 0;
	if (got < n)	/* a short packet: conceal the rest */
		conceal(c, out + got, n - got);
	return exact;
}

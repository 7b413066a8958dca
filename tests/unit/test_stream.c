/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dsp_codec and dsp_stream: the codec stage between card chunks and RTP
 * payloads (G.711, pass-through, concealment). */
#include "dsp/dsp.h"
#include "dsp/dtmf.h"	/* DSP_DTMF_LOOKAHEAD */
#include "tests/unit/tap.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define N 160

/* A 1 kHz tone at about -10 dBm0, chunk k of it. */
static void tone(int k, int16_t *out)
{
	for (int i = 0; i < N; i++)
		out[i] = (int16_t)(7000.0 * sin(2 * M_PI * 1000.0 * (k * N + i) / 8000.0));
}

static double rms(const int16_t *x, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	return sqrt(e / (double)n);
}

static struct dsp_stream *stream(enum dsp_law law, int pt, int ec)
{
	struct dsp_stream_params p = {
		.chan = { .law = law, .chunk = N, .echo_cancel = ec, .echo_tail_ms = 128,
			  .dtmf_detect = 1 },
		.pt = pt,
	};
	struct dsp_stream *s = NULL;

	dsp_stream_new(&p, NULL, NULL, &s);
	return s;
}

/* k (<= 64) chunks of the tone both ways; 1 if every chunk's bytes came out
 * as they went in (toward the network: after the DTMF look-ahead). */
static int run(struct dsp_stream *s, enum dsp_law card_law, int pt_law, int k, double *out_rms)
{
	static uint8_t all[N * 64];
	int16_t lin[N], back[N];
	uint8_t pl[N * 2], tocard[N], rtp[N];
	int same = 1;

	for (int j = 0; j < k && j < 64; j++) {
		uint8_t *card = all + j * N;

		tone(j, lin);
		dsp_g711_encode(card_law, lin, card, N);
		size_t len = dsp_stream_from_card(s, card, N, pl, sizeof(pl));

		if (j * N >= DSP_DTMF_LOOKAHEAD)
			same = same && len == N && !memcmp(pl, card - DSP_DTMF_LOOKAHEAD, N);
		dsp_g711_encode((enum dsp_law)pt_law, lin, rtp, N);
		dsp_stream_to_card(s, rtp, N, tocard, N);
		same = same && !memcmp(tocard, rtp, N);
		dsp_g711_decode((enum dsp_law)pt_law, pl, back, N);
		if (out_rms)
			*out_rms = rms(back, N);
	}
	return same;
}

int main(void)
{
	struct dsp_codec *c;
	struct dsp_stream *s;
	struct dsp_stream_stats st;
	int16_t lin[N], dec[N];
	uint8_t enc[N], card[N];
	double r = 0;
	int ok;

	/* codecs by payload type */
	TAP_OK(dsp_codec_new(8, &c) == 0 && !strcmp(dsp_codec_name(c), "PCMA") &&
	       dsp_codec_g711_law(c) == DSP_LAW_ALAW, "RFC 3551 table 4: payload type 8 is PCMA");
	ok = 1;
	for (int v = 0; v < 256; v++) {
		uint8_t b = (uint8_t)v, o;

		dsp_codec_decode(c, &b, 1, dec, 1);
		dsp_codec_encode(c, dec, 1, &o, 1);
		ok = ok && o == b;
	}
	TAP_OK(ok, "ITU-T G.711 A-law: every code decodes and encodes back to itself");
	dsp_codec_free(c);
	TAP_OK(dsp_codec_new(0, &c) == 0 && !strcmp(dsp_codec_name(c), "PCMU"),
	       "RFC 3551 table 4: payload type 0 is PCMU");
	ok = 1;
	for (int v = 0; v < 256; v++) {
		uint8_t b = (uint8_t)v, o;

		dsp_codec_decode(c, &b, 1, dec, 1);
		dsp_codec_encode(c, dec, 1, &o, 1);
		ok = ok && (o == b || (b == 0x7F && o == 0xFF));
	}
	TAP_OK(ok, "ITU-T G.711 mu-law: every code back to itself but negative zero 0x7F (-> 0xFF)");
	dsp_codec_free(c);
	TAP_OK(dsp_codec_new(18, &c) == ENOTSUP && !c, "payload type 18 (G.729) not implemented: ENOTSUP");
	{
		/* the list gw/ offers in SDP is exactly what dsp_codec_new takes */
		int pts[8], all = 1;
		size_t n = dsp_codec_pts(pts, 8);

		for (size_t i = 0; i < n; i++) {
			all = all && dsp_codec_new(pts[i], &c) == 0;
			dsp_codec_free(c);
		}
		TAP_OK(n == 2 && pts[0] == 0 && pts[1] == 8 && all,
		       "RFC 3551 table 4: dsp_codec_pts lists PCMU (0) and PCMA (8), each one dsp_codec_new takes");
	}

	/* concealment: a gap after speech is filled, then fades out */
	dsp_codec_new(8, &c);
	for (int k = 0; k < 10; k++) {
		tone(k, lin);
		dsp_g711_encode(DSP_LAW_ALAW, lin, enc, N);
		ok = dsp_codec_decode(c, enc, N, dec, N);
	}
	TAP_OK(ok == 1, "a packet's decoding is exact while nothing is missing");
	ok = dsp_codec_decode(c, NULL, 0, dec, N) == 0 && rms(dec, N) > 2000;
	for (int k = 0; k < 5; k++)
		dsp_codec_decode(c, NULL, 0, dec, N);
	TAP_OK(ok && rms(dec, N) < 1.0,
	       "G.711 appendix I PLC (spandsp plc): a lost packet is filled from the last pitch period, "
	       "silence after 100 ms (%.1f)", rms(dec, N));
	dsp_g711_encode(DSP_LAW_ALAW, lin, enc, N);
	TAP_OK(dsp_codec_decode(c, enc, N, dec, N) == 0 && dsp_codec_decode(c, enc, N, dec, N) == 1,
	       "the first packet after a fill-in is smoothed into it, the next is exact");
	dsp_codec_free(c);
	/* 2 packets = 320 samples: spandsp's 280-sample history ring sits at
	 * offset 40, where its own rotation would memcpy overlapping ranges */
	dsp_codec_new(8, &c);
	for (int k = 0; k < 2; k++) {
		tone(k, lin);
		dsp_g711_encode(DSP_LAW_ALAW, lin, enc, N);
		dsp_codec_decode(c, enc, N, dec, N);
	}
	TAP_OK(dsp_codec_decode(c, NULL, 0, dec, N) == 0 && rms(dec, N) > 2000,
	       "G.711 appendix I PLC: a gap after 40 ms is filled too (history ring at offset 40)");
	dsp_codec_free(c);

	/* same law, echo canceller off: the bytes pass both ways */
	s = stream(DSP_LAW_ALAW, 8, 0);
	ok = run(s, DSP_LAW_ALAW, DSP_LAW_ALAW, 50, &r);
	dsp_stream_stats(s, &st);
	/* the first two chunks out hold the look-ahead's initial silence */
	TAP_OK(ok && st.from_card_passed == 48 && st.to_card_passed == 50 && st.from_card_coded == 2,
	       "card A-law, RTP PCMA, no echo canceller: card bytes (25.5 ms late, like the "
	       "pipeline's audio) and payloads pass unchanged (passed %llu/%llu)", (unsigned long long)st.from_card_passed,
	       (unsigned long long)st.to_card_passed);
	dsp_stream_free(s);

	/* same law, echo canceller on: card -> network is encoded, the other way passes */
	s = stream(DSP_LAW_ALAW, 8, 1);
	run(s, DSP_LAW_ALAW, DSP_LAW_ALAW, 50, &r);
	dsp_stream_stats(s, &st);
	TAP_OK(st.from_card_coded == 50 && st.to_card_passed == 50,
	       "echo canceller on: the card's signal changes, so it is encoded; the network's passes "
	       "(coded %llu, passed %llu)", (unsigned long long)st.from_card_coded,
	       (unsigned long long)st.to_card_passed);
	dsp_stream_free(s);

	/* another law: transcoded, the tone keeps its level */
	s = stream(DSP_LAW_ALAW, 0, 0);
	ok = run(s, DSP_LAW_ALAW, DSP_LAW_ULAW, 50, &r);
	dsp_stream_stats(s, &st);
	TAP_OK(!ok && st.from_card_coded == 50 && st.to_card_coded == 50 &&
	       fabs(20 * log10(r / 4950)) < 0.5,
	       "card A-law, RTP PCMU: transcoded both ways, the 1 kHz tone keeps its level (G.711 quantisation, 0.5 dB) "
	       "(rms %.0f, sent %.0f)", r, 7000 / sqrt(2.0));
	TAP_OK(dsp_stream_set_pt(s, 8) == 0 && run(s, DSP_LAW_ALAW, DSP_LAW_ALAW, 5, NULL) &&
	       dsp_stream_set_pt(s, 99) == ENOTSUP,
	       "a new payload type (200 after early media): PCMA now passes; an unknown one refused");
	dsp_stream_free(s);

	/* a digit played toward the card replaces the payload's bytes */
	s = stream(DSP_LAW_ALAW, 8, 0);
	dsp_chan_send_digit(dsp_stream_chan(s), '5', 100);
	memset(enc, 0xD5, N);
	dsp_stream_to_card(s, enc, N, card, N);
	dsp_stream_stats(s, &st);
	TAP_OK(memcmp(card, enc, N) && st.to_card_coded == 1,
	       "RFC 4733 digit played in-band: the payload's bytes are replaced by the tone");
	dsp_stream_free(s);
	dsp_stream_free(NULL);
	return TAP_DONE();
}

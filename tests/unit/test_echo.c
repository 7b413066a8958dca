/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ITU-T G.168 style checks of the echo canceller through the pipeline
 * (dsp_chan_to_card / dsp_chan_from_card), on a simulated line: the card
 * plays each block one block after dsp_chan_to_card, the hybrid returns it
 * through a bulk delay and a G.168 Annex D echo-path model (spandsp's
 * g168models.h), the card sends echo + near-end speech back in G.711.
 * Speech-like signals: tests/unit/talker.h.
 */
#include "dsp/dsp.h"
#include "lib/log.h"
#include "tests/unit/tap.h"
#include "tests/unit/talker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>
#include <spandsp/g168models.h>

#define CHUNK 160
#define SR 8000

/* ---- the line ---- */
struct line {
	double h[256];
	int taps, delay;
	int16_t *x;		/* what the card played, by sample time */
	long len;
};

static void line_init(struct line *l, const int32_t *coeffs, int taps, float ki, double erl_db, int delay_ms,
		      long samples)
{
	double g = ki * pow(10.0, -erl_db / 20.0);

	l->taps = taps;
	for (int i = 0; i < taps; i++)
		l->h[i] = coeffs[i] * g;
	l->delay = delay_ms * 8;
	l->len = samples + 2 * CHUNK;
	l->x = calloc((size_t)l->len, sizeof(*l->x));
}

static double line_echo(const struct line *l, long t)
{
	double y = 0;

	for (int i = 0; i < l->taps; i++) {
		long u = t - l->delay - i;

		if (u >= 0 && u < l->len)
			y += l->h[i] * l->x[u];
	}
	return y;
}

/* ---- one run ---- */
struct run {
	double e_in[20], e_out[20];	/* per second: echo power in, residual out */
	double near_p, err_p;		/* double talk: near end, its damage */
	double stats_erl, stats_erle;	/* dsp_chan_stats at the end of second 2 and the end */
	double stats_erle_2s;
};

/* far: seconds of far speech; near_from/near_to: seconds with near speech */
static void run_line(struct run *r, int ec, int seconds, double far_dbm0, double near_dbm0, int near_from,
		     int near_to, enum dsp_law law)
{
	struct dsp_chan_params p = { .law = law, .chunk = CHUNK, .echo_cancel = ec, .echo_tail_ms = 128,
				     .dtmf_detect = 1 };
	struct dsp_chan *d, *ref;
	struct dsp_chan_stats st;
	struct talker far, near;
	struct line l;
	long total = (long)seconds * SR;
	int16_t fin[CHUNK], card[CHUNK], out[CHUNK], nearbuf[CHUNK], ideal[CHUNK];
	uint8_t to[CHUNK], from[CHUNK], nfrom[CHUNK], nto[CHUNK];

	memset(r, 0, sizeof(*r));
	talker_init(&far, 4321, far_dbm0, 3.7, 1400, 350, 0);
	talker_init(&near, 8765, near_dbm0, 4.3, 900, 250, 3000);
	line_init(&l, line_model_d2_coeffs, (int)(sizeof(line_model_d2_coeffs) / sizeof(line_model_d2_coeffs[0])),
		  LINE_MODEL_D2_GAIN, 10.0, 20, total);
	/* ref: the same pipeline given the near end alone and no far end: its
	 * output is what a perfect canceller would give (speexdsp's fixed DC
	 * notch and G.711 included), the yardstick for double talk */
	if (dsp_chan_new(&p, NULL, NULL, &d) || dsp_chan_new(&p, NULL, NULL, &ref))
		abort();
	for (long k = 0; k * CHUNK < total; k++) {
		long t0 = k * CHUNK;
		int sec = (int)(t0 / SR);
		int dt = sec >= near_from && sec < near_to;

		/* card -> network: echo of what the card played + near end */
		for (int i = 0; i < CHUNK; i++) {
			double e = line_echo(&l, t0 + i);
			double v;

			nearbuf[i] = dt ? talker_next(&near) : 0;
			v = e + nearbuf[i];
			card[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
		}
		dsp_g711_encode(law, card, from, CHUNK);
		dsp_chan_from_card(d, from, out, CHUNK);
		dsp_g711_encode(law, nearbuf, nfrom, CHUNK);
		dsp_chan_from_card(ref, nfrom, ideal, CHUNK);
		dsp_chan_to_card(ref, NULL, nto, CHUNK);
		dsp_g711_decode(law, from, card, CHUNK);
		for (int i = 0; i < CHUNK; i++) {
			if (dt) {
				double err = (double)out[i] - ideal[i];

				r->near_p += (double)ideal[i] * ideal[i];
				r->err_p += err * err;
			} else {
				r->e_in[sec] += (double)card[i] * card[i];
				r->e_out[sec] += (double)out[i] * out[i];
			}
		}
		/* network -> card; the card plays it during the next block */
		for (int i = 0; i < CHUNK; i++)
			fin[i] = talker_next(&far);
		dsp_chan_to_card(d, fin, to, CHUNK);
		dsp_g711_decode(law, to, l.x + t0 + CHUNK, CHUNK);
		if (t0 + CHUNK == 2L * SR) {
			dsp_chan_stats(d, &st);
			r->stats_erle_2s = st.erle_db;
		}
	}
	dsp_chan_stats(d, &st);
	r->stats_erl = st.erl_db;
	r->stats_erle = st.erle_db;
	dsp_chan_free(d);
	dsp_chan_free(ref);
	talker_free(&far);
	talker_free(&near);
	free(l.x);
}


/* ---- G.168 double talk with no echo path: the near end must pass ---- */

/* Mean-square power of a 0 dBm0 sine in G.711 (3.14 dB below full scale) */
#define DBM0_POW 2.577e8
#define BLK 800			/* 100 ms measuring blocks */

struct tone {
	double w, ph, amp;
};

static void tone_init(struct tone *g, double hz, double dbm0, double ph)
{
	g->w = 2 * M_PI * hz / SR;
	g->ph = ph;
	g->amp = sqrt(2 * DBM0_POW) * pow(10.0, dbm0 / 20.0);
}

static double tone_next(struct tone *g)
{
	double v = g->amp * sin(g->ph);

	g->ph = fmod(g->ph + g->w, 2 * M_PI);
	return v;
}

/* Level in dBm0 of the component at hz in n samples (Hann window). */
static double tone_level(const int16_t *x, int n, double hz)
{
	double re = 0, im = 0, w = 2 * M_PI * hz / SR, a;

	for (int i = 0; i < n; i++) {
		double h = 0.5 - 0.5 * cos(2 * M_PI * i / n);

		re += h * x[i] * cos(w * i);
		im -= h * x[i] * sin(w * i);
	}
	a = 4 * sqrt(re * re + im * im) / n;	/* sine amplitude */
	return 10 * log10(a * a / 2 / DBM0_POW + 1e-12);
}

enum far_src { FAR_TONE, FAR_SPEECH };

struct dtres {
	double near_db, near_min, near_max;	/* level of the near tone at the output */
	double art_db, art_ideal;		/* output at the far tone's frequency, and without a far end */
	double erle_after;			/* with an echo path: ERLE in the last second */
};

/*
 * The far end sends `fsrc` (a tone at far_hz or speech-like audio) at
 * far_dbm0 from the start; the near end sends a tone at near_hz / near_dbm0
 * from near_from_s on; with echo_erl_db > 0 the line returns the far end's
 * echo (D.2 model, 20 ms) as well, else nothing. Measured over the blocks
 * from meas_from_s to the end.
 */
static void run_dt(struct dtres *r, enum far_src fsrc, double far_hz, double far_dbm0, double near_hz,
		   double near_dbm0, double near_from_s, double echo_erl_db, int seconds, double meas_from_s,
		   enum dsp_law law)
{
	struct dsp_chan_params p = { .law = law, .chunk = CHUNK, .echo_cancel = 1, .echo_tail_ms = 128,
				     .dtmf_detect = 1 };
	struct dsp_chan *d, *ref;
	struct talker far;
	struct tone ft, nt;
	struct line l;
	long total = (long)seconds * SR, meas0 = (long)(meas_from_s * SR), near0 = (long)(near_from_s * SR);
	int16_t fin[CHUNK], card[CHUNK], nearbuf[CHUNK];
	int16_t *out = calloc((size_t)total, sizeof(*out)), *ideal = calloc((size_t)total, sizeof(*ideal));
	uint8_t to[CHUNK], from[CHUNK], nfrom[CHUNK], nto[CHUNK];
	double s_near = 0, s_art = 0, s_ideal = 0, e_in = 0, e_out = 0;
	int nb = 0;

	memset(r, 0, sizeof(*r));
	talker_init(&far, 4321, far_dbm0, 3.7, 1400, 350, 0);
	tone_init(&ft, far_hz, far_dbm0, 0.0);
	tone_init(&nt, near_hz, near_dbm0, 1.0);
	line_init(&l, line_model_d2_coeffs, (int)(sizeof(line_model_d2_coeffs) / sizeof(line_model_d2_coeffs[0])),
		  LINE_MODEL_D2_GAIN, echo_erl_db > 0 ? echo_erl_db : 10.0, 20, total);
	if (!out || !ideal || dsp_chan_new(&p, NULL, NULL, &d) || dsp_chan_new(&p, NULL, NULL, &ref))
		abort();
	for (long k = 0; k * CHUNK < total; k++) {
		long t0 = k * CHUNK;

		for (int i = 0; i < CHUNK; i++) {
			double e = echo_erl_db > 0 ? line_echo(&l, t0 + i) : 0;
			double v;

			nearbuf[i] = t0 + i >= near0 ? (int16_t)lrint(tone_next(&nt)) : 0;
			v = e + nearbuf[i];
			card[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
		}
		dsp_g711_encode(law, card, from, CHUNK);
		dsp_chan_from_card(d, from, out + t0, CHUNK);
		/* the yardstick: the near end alone through the same pipeline */
		dsp_g711_encode(law, nearbuf, nfrom, CHUNK);
		dsp_chan_from_card(ref, nfrom, ideal + t0, CHUNK);
		dsp_chan_to_card(ref, NULL, nto, CHUNK);
		if (echo_erl_db > 0 && t0 >= total - SR) {
			int16_t dec[CHUNK];

			dsp_g711_decode(law, from, dec, CHUNK);
			for (int i = 0; i < CHUNK; i++) {
				double ne = (double)dec[i] - (double)nearbuf[i];
				double no = (double)out[t0 + i] - (double)ideal[t0 + i];

				e_in += ne * ne;
				e_out += no * no;
			}
		}
		for (int i = 0; i < CHUNK; i++) {
			double v = fsrc == FAR_TONE ? tone_next(&ft) : talker_next(&far);

			fin[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
		}
		dsp_chan_to_card(d, fin, to, CHUNK);
		dsp_g711_decode(law, to, l.x + t0 + CHUNK, CHUNK);
	}
	r->near_min = 99;
	r->near_max = -99;
	for (long t = meas0; t + BLK <= total; t += BLK) {
		double lv = tone_level(out + t, BLK, near_hz);

		s_near += pow(10, lv / 10);
		if (lv < r->near_min)
			r->near_min = lv;
		if (lv > r->near_max)
			r->near_max = lv;
		if (fsrc == FAR_TONE) {
			s_art += pow(10, tone_level(out + t, BLK, far_hz) / 10);
			s_ideal += pow(10, tone_level(ideal + t, BLK, far_hz) / 10);
		}
		nb++;
	}
	r->near_db = 10 * log10(s_near / nb);
	r->art_db = fsrc == FAR_TONE ? 10 * log10(s_art / nb) : -99;
	r->art_ideal = fsrc == FAR_TONE ? 10 * log10(s_ideal / nb) : -99;
	r->erle_after = echo_erl_db > 0 ? 10 * log10((e_in + 1) / (e_out + 1)) : 0;
	dsp_chan_free(d);
	dsp_chan_free(ref);
	talker_free(&far);
	free(l.x);
	free(out);
	free(ideal);
}

static double erle_at(const struct run *r, int sec)
{
	return 10 * log10((r->e_in[sec] + 1) / (r->e_out[sec] + 1));
}

int main(void)
{
	struct run r;
	double e2, e10;

	log_open("test_echo", 1, 0);
	log_set_level(LOG_LVL_WARN);
	/*
	 * G.168 double talk with no echo path (the far end's echo is below the
	 * idle floor): the near end must pass unchanged and the canceller must
	 * not diverge onto it. The far end talks alone for 2 s (as in a
	 * conversation, and as G.168's double-talk tests converge first), then
	 * the near end sends a tone too; measured from 3 s to 10 s in 100 ms
	 * blocks. 440 Hz is the far end's own frequency (a near-end tone
	 * coherent with the reference), 2600 Hz a harmonic of the periodic
	 * A-law error of a 440 Hz tone (the reference holds a faint 2600 Hz
	 * line). The yardstick is the near end alone through the same pipeline.
	 */
	{
		static const struct { double hz, dbm0; } nt[] = { { 1004, -30 }, { 440, -30 }, { 2600, -10 } };
		struct dtres q, q0;

		for (int f = 0; f < 2; f++)
			for (unsigned i = 0; i < sizeof(nt) / sizeof(nt[0]); i++) {
				const char *fs = f ? "speech-like -10 dBm0" : "440 Hz -10 dBm0";
				int ok_lvl, ok_art = 1;

				run_dt(&q, f ? FAR_SPEECH : FAR_TONE, 440, -10, nt[i].hz, nt[i].dbm0, 2.0, 0, 10, 3.0,
				       DSP_LAW_ALAW);
				run_dt(&q0, f ? FAR_SPEECH : FAR_TONE, 440, -10, nt[i].hz, nt[i].dbm0, 0.0, 0, 10, 3.0,
				       DSP_LAW_ALAW);
				printf("# far %s, no echo path, near %g Hz %g dBm0: arrives %.2f dBm0 (100 ms blocks %.2f .. %.2f)",
				       fs, nt[i].hz, nt[i].dbm0, q.near_db, q.near_min, q.near_max);
				if (!f && nt[i].hz != 440)
					printf(", at 440 Hz %.1f dBm0 (near end alone %.1f)", q.art_db, q.art_ideal);
				printf("\n#   (not checked: both starting together %.2f, blocks %.2f .. %.2f: a steady near end"
				       " that never pauses is, to a linear canceller, an echo)\n",
				       q0.near_db, q0.near_min, q0.near_max);
				ok_lvl = fabs(q.near_db - nt[i].dbm0) <= 0.5 && fabs(q.near_min - nt[i].dbm0) <= 0.5 &&
					 fabs(q.near_max - nt[i].dbm0) <= 0.5;
				TAP_OK(ok_lvl,
				       "G.168 double talk, no echo path, far end %s: near-end %g Hz at %g dBm0 kept within 0.5 dB, every 100 ms (%.2f, %.2f .. %.2f dBm0)",
				       fs, nt[i].hz, nt[i].dbm0, q.near_db, q.near_min, q.near_max);
				if (!f && nt[i].hz != 440) {
					ok_art = q.art_db < -66.0;
					TAP_OK(ok_art,
					       "G.168 double talk, no echo path: no far-end 440 Hz added to the near end's %g Hz above the idle floor (-66 dBm0): %.1f dBm0",
					       nt[i].hz, q.art_db);
				}
			}
	}

	/* the same with the D.2 echo path (ERL 10 dB, 20 ms): converged 4 s on
	 * the far end alone, then the near end's 1004 Hz; the near end kept and
	 * the echo still cancelled during the double talk */
	{
		struct dtres q;

		run_dt(&q, FAR_SPEECH, 440, -10, 1004, -30, 4.0, 10.0, 12, 5.0, DSP_LAW_ALAW);
		printf("# far speech-like -10 dBm0, D.2 path ERL 10 dB, near 1004 Hz -30 dBm0: arrives %.2f dBm0 (blocks %.2f .. %.2f), echo removed in the last second %.1f dB\n",
		       q.near_db, q.near_min, q.near_max, q.erle_after);
		/* the 100 ms blocks spread by a few dB: speexdsp adapting in double
		 * talk on an echo 10 dB above the near end (printed, not checked) */
		TAP_OK(fabs(q.near_db + 30) <= 0.5,
		       "G.168 double talk, D.2 echo path 10 dB above the near end: near-end 1004 Hz at -30 dBm0 arrives within 0.5 dB (%.2f dBm0)",
		       q.near_db);
		TAP_OK(q.erle_after >= 20.0,
		       "G.168 double talk, D.2 echo path: the canceller does not diverge, echo still removed >= 20 dB during it (%.1f dB)",
		       q.erle_after);
	}

	/* G.168 test 2 style: convergence, far end alone, D.2, ERL 10 dB, 20 ms */
	run_line(&r, 1, 10, -15.0, -99.0, 99, 99, DSP_LAW_ALAW);
	e2 = erle_at(&r, 1);
	e10 = erle_at(&r, 9);
	printf("# G.168 D.2, ERL 10 dB, bulk delay 20 ms, far end -15 dBm0 speech-like, A-law\n");
	printf("# ERLE 2s: %.1f dB (pipeline: canceller + residual suppressor; canceller alone %.1f dB)\n", e2,
	       r.stats_erle_2s);
	printf("# ERLE 10s: %.1f dB (pipeline; canceller alone %.1f dB; ERL estimate %.1f dB)\n", e10, r.stats_erle,
	       r.stats_erl);
	for (int s = 0; s < 10; s++)
		printf("#   second %d: ERLE %.1f dB\n", s + 1, erle_at(&r, s));
	TAP_OK(e2 >= 12.0, "G.168 test 2 (convergence), model D.2, ERL 10 dB, 20 ms: pipeline ERLE >= 12 dB in the 2nd second (%.1f dB)", e2);
	TAP_OK(e10 >= 25.0, "G.168 test 2 (convergence), model D.2, ERL 10 dB, 20 ms: pipeline ERLE >= 25 dB in the 10th second (%.1f dB)", e10);
	TAP_OK(r.stats_erle_2s >= 12.0 && r.stats_erle >= 25.0,
	       "G.168 test 2, model D.2, canceller alone (dsp_chan_stats, last ~1 s): ERLE >= 12 dB at 2 s (%.1f) and >= 25 dB at 10 s (%.1f)",
	       r.stats_erle_2s, r.stats_erle);
	TAP_OK(fabs(r.stats_erl - 10.0) < 4.0, "dsp_chan_stats: running ERL estimate near the path's 10 dB (%.1f dB)",
	       r.stats_erl);

	/* the same with mu-law */
	run_line(&r, 1, 10, -15.0, -99.0, 99, 99, DSP_LAW_ULAW);
	printf("# mu-law: ERLE 2s: %.1f dB, 10s: %.1f dB\n", erle_at(&r, 1), erle_at(&r, 9));
	TAP_OK(erle_at(&r, 1) >= 12.0 && erle_at(&r, 9) >= 25.0,
	       "G.168 test 2, model D.2, mu-law: ERLE >= 12 dB at 2 s (%.1f) and >= 25 dB at 10 s (%.1f)",
	       erle_at(&r, 1), erle_at(&r, 9));

	/* canceller off: the measure must be able to fail */
	run_line(&r, 0, 3, -15.0, -99.0, 99, 99, DSP_LAW_ALAW);
	printf("# echo_cancel off: ERLE %.1f dB\n", erle_at(&r, 2));
	TAP_OK(fabs(erle_at(&r, 2)) < 1.0, "echo_cancel = 0: ERLE ~0 dB (%.1f dB): the measure can fail",
	       erle_at(&r, 2));

	/* G.168 test 3 style: converge 5 s, then 5 s of double talk, then far alone */
	run_line(&r, 1, 14, -15.0, -20.0, 5, 10, DSP_LAW_ALAW);
	{
		double snr = 10 * log10(r.near_p / (r.err_p + 1));

		printf("# double talk (near -20 dBm0, far -15 dBm0, echo ~-25 dBm0): near-end SNR %.1f dB\n", snr);
		printf("# ERLE before double talk %.1f dB, after it %.1f dB\n", erle_at(&r, 4), erle_at(&r, 12));
		TAP_OK(snr >= 15.0, "G.168 test 3 style (double talk): near-end speech kept, SNR >= 15 dB (%.1f dB)", snr);
		TAP_OK(erle_at(&r, 12) >= 20.0,
		       "G.168 test 3 style: no divergence after double talk, ERLE >= 20 dB 2 s later (%.1f dB)",
		       erle_at(&r, 12));
	}
	return TAP_DONE();
}

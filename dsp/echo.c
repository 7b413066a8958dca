/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Echo: speexdsp's canceller (the project's measured choice; spandsp's
 * echo_can does not converge and prints to stdout per sample) and a gentle
 * residual suppressor of our own.
 *
 * Talk state per block, from mean-square powers:
 *   far  = the loudest reference block over the tail (the echo of any of
 *          them may be in this block),
 *   ERL  = reference / the echo speexdsp models (rec - out), averaged over
 *          far-active blocks: the model holds still in double talk, so
 *          near-end speech does not pull the estimate (before convergence
 *          it reads high, which only makes the suppressor shy),
 *   Ex   = far / ERL: the echo expected at the card input,
 *   far active  : far above -40 dBm0,
 *   double talk : rec > Ex + 3 dB (something beyond the echo), held 200 ms,
 *   near low    : cancelled output at least 6 dB below Ex.
 * The suppressor attenuates only when far active, near low and no double
 * talk (incl. hangover); its gain moves smoothly (about 10 ms down, 2 ms
 * up) so it never clips the start of near-end speech hard.
 * ERL is averaged over ~1 s of far-active blocks, ERLE (rec / out, the
 * canceller alone) over ~1 s of far-active single-talk blocks.
 */
#include "dsp/echo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_echo.h>

/* Mean-square power of a 0 dBm0 sine (G.711: 3.14 dBov). */
#define DBM0_POW 2.577e8
#define FAR_MIN_POW (DBM0_POW * 1e-4)	/* -40 dBm0 */
#define FAR_HIST 16			/* blocks of reference history (max) */
#define DT_HANG_BLOCKS 10		/* 200 ms at 20 ms blocks */
#define AVG_BLOCKS 50.0			/* ~1 s */
#define ERL_INIT 4.0			/* 6 dB: G.168's worst case until measured */

struct dsp_echo {
	SpeexEchoState *st;
	int chunk;
	int hist_n;			/* blocks covering the tail */
	double far_hist[FAR_HIST];
	int far_pos;
	double p_ref, p_model;		/* smoothed over far-active blocks */
	double p_rec, p_out;		/* smoothed over far-alone blocks */
	double erl;			/* linear power ratio used for Ex */
	int dt_hang;
	int suppress;			/* decision of the last block */
	float gain;
};

static double mean_sq(const int16_t *x, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += (double)x[i] * x[i];
	return s / n;
}

int dsp_echo_new(int chunk, int tail_ms, struct dsp_echo **out)
{
	struct dsp_echo *e;
	int rate = 8000;

	*out = NULL;
	if (chunk <= 0 || chunk > 8000 || tail_ms <= 0 || tail_ms > 1000)
		return EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return ENOMEM;
	e->chunk = chunk;
	e->st = speex_echo_state_init(chunk, tail_ms * 8);
	if (!e->st) {
		free(e);
		return ENOMEM;
	}
	speex_echo_ctl(e->st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	/* one block of transport delay + the tail, in blocks, + 1 */
	e->hist_n = (tail_ms * 8 + chunk - 1) / chunk + 2;
	if (e->hist_n > FAR_HIST)
		e->hist_n = FAR_HIST;
	dsp_echo_reset(e);
	*out = e;
	return 0;
}

void dsp_echo_free(struct dsp_echo *e)
{
	if (!e)
		return;
	speex_echo_state_destroy(e->st);
	free(e);
}

void dsp_echo_reset(struct dsp_echo *e)
{
	speex_echo_state_reset(e->st);
	memset(e->far_hist, 0, sizeof(e->far_hist));
	e->far_pos = 0;
	e->p_ref = e->p_model = e->p_rec = e->p_out = 0;
	e->erl = ERL_INIT;
	e->dt_hang = 0;
	e->suppress = 0;
	e->gain = 1.0f;
}

void dsp_echo_cancel(struct dsp_echo *e, const int16_t *rec, const int16_t *play, int16_t *out)
{
	double pf, pr, pe, py = 0, far = 0, ex;
	int far_active, dt, near_low;
	const double a = 1.0 / AVG_BLOCKS;

	speex_echo_cancellation(e->st, rec, play, out);

	pf = mean_sq(play, e->chunk);
	pr = mean_sq(rec, e->chunk);
	pe = mean_sq(out, e->chunk);
	for (int i = 0; i < e->chunk; i++) {
		double y = (double)rec[i] - out[i];

		py += y * y;
	}
	py /= e->chunk;
	e->far_hist[e->far_pos] = pf;
	e->far_pos = (e->far_pos + 1) % e->hist_n;
	for (int i = 0; i < e->hist_n; i++)
		if (e->far_hist[i] > far)
			far = e->far_hist[i];

	far_active = far > FAR_MIN_POW;
	if (far_active) {
		e->p_ref += a * (pf - e->p_ref);
		e->p_model += a * (py - e->p_model);
		if (e->p_model > 0) {
			double erl = e->p_ref / e->p_model;

			/* keep Ex sane: between 3 and 40 dB */
			e->erl = erl < 2.0 ? 2.0 : erl > 1e4 ? 1e4 : erl;
		}
	}
	ex = far / e->erl;
	dt = far_active && pr > ex * 2.0;	/* +3 dB */
	near_low = pe < ex * 0.25;		/* -6 dB */
	if (dt || !far_active)
		e->dt_hang = dt ? DT_HANG_BLOCKS : 0;
	else if (e->dt_hang > 0)
		e->dt_hang--;

	if (far_active && !dt && e->dt_hang == 0) {
		/* the far end alone: ERLE of the canceller */
		e->p_rec += a * (pr - e->p_rec);
		e->p_out += a * (pe - e->p_out);
	}
	e->suppress = far_active && near_low && !dt && e->dt_hang == 0;
}

void dsp_echo_suppress(struct dsp_echo *e, int16_t *buf)
{
	const float target = e->suppress ? (float)pow(10.0, -DSP_ECHO_NLP_DB / 20.0) : 1.0f;
	/* per-sample smoothing: ~10 ms going down, ~2 ms coming back up */
	const float k = target < e->gain ? 1.0f / 80.0f : 1.0f / 16.0f;
	float g = e->gain;

	for (int i = 0; i < e->chunk; i++) {
		g += k * (target - g);
		buf[i] = (int16_t)lrintf((float)buf[i] * g);
	}
	e->gain = g;
}

void dsp_echo_estimates(const struct dsp_echo *e, double *erl_db, double *erle_db)
{
	*erl_db = e->p_ref > 0 && e->p_model > 0 ? 10.0 * log10(e->p_ref / e->p_model) : 0.0;
	*erle_db = e->p_rec > 0 && e->p_out > 0 ? 10.0 * log10(e->p_rec / e->p_out) : 0.0;
}

int dsp_echo_suppressing(const struct dsp_echo *e)
{
	return e->suppress;
}

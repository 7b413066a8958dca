/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Echo: speexdsp's canceller (the project's measured choice; spandsp's
 * echo_can does not converge and prints to stdout per sample) and a gentle
 * residual suppressor of our own.
 *
 * Talk state per block, from mean-square powers:
 *   far, far_min = the loudest and the quietest reference block over the
 *          tail (the echo of any of them may be in this block),
 *   path ERL = what the line has shown of its echo path: rec holds at
 *          least the echo of the quietest reference block, so far_min / rec
 *          is a lower bound of the path's ERL. The estimate starts at
 *          G.168's worst case (6 dB), rises to that bound whenever the line
 *          proves it quieter (no echo path: up to 60 dB), and falls only on
 *          evidence of echo: the canceller removing >= 6 dB of rec with a
 *          model above the expected echo, outside a near-end talkspurt,
 *   Ex   = far / path ERL: the most echo this block can hold,
 *   far active  : far above -40 dBm0,
 *   double talk : rec > Ex + 3 dB (something beyond the echo), held 200 ms,
 *   near onset  : double talk (rec > Ex + 6 dB) starting while the far end
 *          has been steady for the tail (no reference rise of 3 dB): an echo
 *          follows a rise of the far end, so this is near-end speech; it
 *          holds until rec falls back to Ex + 3 dB, and while it holds the
 *          path ERL may not fall,
 *   near low    : cancelled output at least 6 dB below Ex,
 *   near under the echo: cancelled output above -60 dBm0 and 6 dB above
 *          the residual the canceller leaves (Ex / ERLE): double talk too.
 * speexdsp cannot be frozen in double talk, and it adapts on near-end
 * signals: with no echo path it subtracts a model of tens of dB above the
 * possible echo (damaging the near end by several dB and adding the far
 * end's signal to it), and a near-end tone coherent with the reference (the
 * same frequency, or a harmonic of a reference tone's periodic G.711 error)
 * it cancels entirely. So the canceller's output is used only while its
 * model is plausible, at most Ex + 6 dB, and not in double talk on a line
 * whose echo is at least 40 dB down (masked by the near talker, so the model
 * can only hurt); otherwise rec passes, through the same notch (crossfaded over a block).
 * The model is measured as notch(rec) - out with a replica of speexdsp's
 * fixed DC notch, so the notch's effect on near-end speech is not taken
 * for a model.
 * The suppressor attenuates only when far active, near low and no double
 * talk (incl. hangover); its gain moves smoothly (about 10 ms down, 2 ms
 * up) so it never clips the start of near-end speech hard.
 * ERL (for stats) = reference / the echo speexdsp models (rec - out),
 * averaged over ~1 s of far-active blocks; ERLE (rec / out, the canceller
 * alone) over ~1 s of far-active single-talk blocks.
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
#define PATH_ERL_MAX 1e6		/* 60 dB: no echo path seen */
#define PATH_RISE 0.2			/* per block, toward a higher bound (dB domain) */
#define PATH_FALL 0.05			/* per block, toward the echo modelled */
#define PATH_NEGLIGIBLE 1e4		/* 40 dB: in double talk the echo is masked */
/* speexdsp's fixed DC notch at 8 kHz (mdf.c): r (1 - z^-1)^2 /
 * (1 - 2r z^-1 + (r^2 + 0.7 (1 - r)^2) z^-2), r = 0.9; its output is
 * notch(rec) - model, so the model is notch(rec) - out */
#define NOTCH_R 0.9

struct dsp_echo {
	SpeexEchoState *st;
	int chunk;
	int hist_n;			/* blocks covering the tail */
	double far_hist[FAR_HIST];
	int far_pos;
	double p_ref, p_model;		/* smoothed over far-active blocks */
	double p_rec, p_out;		/* smoothed over far-alone blocks */
	double erl;			/* model ERL, linear (stats) */
	double path_erl;		/* path ERL estimate, linear, for Ex */
	double far_prev;		/* far of the previous block */
	int far_steady;			/* blocks since the far end last rose 3 dB */
	int near_talk;			/* a near-end talkspurt (near onset) holds */
	int dt_hang;
	float mix;			/* share of the canceller's output */
	double nx1, nx2, ny1, ny2;	/* the notch replica's memory */
	float *notched;			/* notch(rec) of this block, chunk samples */
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
	e->notched = calloc((size_t)chunk, sizeof(*e->notched));
	e->st = speex_echo_state_init(chunk, tail_ms * 8);
	if (!e->st || !e->notched) {
		dsp_echo_free(e);
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
	if (e->st)
		speex_echo_state_destroy(e->st);
	free(e->notched);
	free(e);
}

void dsp_echo_reset(struct dsp_echo *e)
{
	speex_echo_state_reset(e->st);
	memset(e->far_hist, 0, sizeof(e->far_hist));
	e->far_pos = 0;
	e->p_ref = e->p_model = e->p_rec = e->p_out = 0;
	e->erl = ERL_INIT;
	e->path_erl = ERL_INIT;
	e->far_prev = 0;
	e->far_steady = 0;
	e->near_talk = 0;
	e->dt_hang = 0;
	e->mix = 1.0f;
	e->nx1 = e->nx2 = e->ny1 = e->ny2 = 0;
	e->suppress = 0;
	e->gain = 1.0f;
}

/* One block's powers (mean squares) and what is judged from them. */
struct blk {
	double pf, pr, pe;	/* toward the line, from it, after the canceller */
	double py;		/* the canceller's model of the echo */
	double far, far_min;	/* the loudest and quietest far-end block in the tail */
	double ex;		/* the echo expected from far over the path's ERL */
	int far_active, dt;
};

/* The received signal, notched (DC and a little low end off, as the
 * canceller's input is): the model of the echo is what it removed. */
static double model_power(struct dsp_echo *e, const int16_t *rec, const int16_t *out)
{
	const double d2 = NOTCH_R * NOTCH_R + 0.7 * (1 - NOTCH_R) * (1 - NOTCH_R);
	double py = 0;

	for (int i = 0; i < e->chunk; i++) {
		double x = rec[i], v = x - 2 * e->nx1 + e->nx2 + 2 * NOTCH_R * e->ny1 - d2 * e->ny2, y;

		e->nx2 = e->nx1;
		e->nx1 = x;
		e->ny2 = e->ny1;
		e->ny1 = v;
		e->notched[i] = (float)(NOTCH_R * v);
		y = e->notched[i] - out[i];
		py += y * y;
	}
	return py / e->chunk;
}

/* The far end over the tail: its loudest and quietest block, and for how
 * many blocks it has not risen (a steady far end). */
static void far_track(struct dsp_echo *e, struct blk *b)
{
	b->far = 0;
	b->far_min = -1;
	e->far_hist[e->far_pos] = b->pf;
	e->far_pos = (e->far_pos + 1) % e->hist_n;
	for (int i = 0; i < e->hist_n; i++) {
		if (e->far_hist[i] > b->far)
			b->far = e->far_hist[i];
		if (b->far_min < 0 || e->far_hist[i] < b->far_min)
			b->far_min = e->far_hist[i];
	}
	if (b->far > 2.0 * e->far_prev)
		e->far_steady = 0;
	else if (e->far_steady < e->hist_n)
		e->far_steady++;
	e->far_prev = b->far;
	b->far_active = b->far > FAR_MIN_POW;
}

/* The canceller's ERL, the path's ERL, the expected echo and the first
 * double-talk verdict: near end above the expected echo. */
static void erl_track(struct dsp_echo *e, struct blk *b)
{
	const double a = 1.0 / AVG_BLOCKS;

	if (b->far_active) {
		e->p_ref += a * (b->pf - e->p_ref);
		e->p_model += a * (b->py - e->p_model);
		if (e->p_model > 0) {
			double erl = e->p_ref / e->p_model;

			e->erl = erl < 2.0 ? 2.0 : erl > 1e4 ? 1e4 : erl;
		}
	}
	/* the path's ERL: up to the lower bound the line shows */
	if (b->far_min > FAR_MIN_POW) {
		double lb = b->pr > 0 ? b->far_min / b->pr : PATH_ERL_MAX;

		if (lb > PATH_ERL_MAX)
			lb = PATH_ERL_MAX;
		if (lb > e->path_erl)
			e->path_erl *= pow(lb / e->path_erl, PATH_RISE);
	}
	b->ex = b->far / e->path_erl;
	b->dt = b->far_active && b->pr > b->ex * 2.0;	/* +3 dB */
	if (!b->far_active || b->pr <= b->ex * 2.0)
		e->near_talk = 0;
	else if (b->pr > b->ex * 4.0 && e->far_steady >= e->hist_n)
		e->near_talk = 1;		/* a near-end onset */
	/* ... and down on evidence of echo outside near-end talkspurts */
	if (b->far_active && !e->near_talk && b->pe * 4.0 < b->pr && b->py > b->ex * 2.0) {
		double model_erl = b->far / b->py;

		if (model_erl < 2.0)
			model_erl = 2.0;
		e->path_erl *= pow(model_erl / e->path_erl, PATH_FALL);
		b->ex = b->far / e->path_erl;
	}
}

/* The canceller's output only while its model is a plausible echo,
 * else the (notched) line itself; cross-faded over the block. */
static void gate(struct dsp_echo *e, const struct blk *b, int16_t *out)
{
	float m0 = e->mix, m1;

	if (b->dt && e->path_erl >= PATH_NEGLIGIBLE)
		m1 = 0.0f;	/* double talk, echo >= 40 dB down: the model can only hurt */
	else
		m1 = b->py <= b->ex * 4.0 || b->py < FAR_MIN_POW * 1e-3 ? 1.0f : 0.0f; /* +6 dB; -70 dBm0 */
	if (m0 != 1.0f || m1 != 1.0f)
		for (int i = 0; i < e->chunk; i++) {
			float m = m0 + (m1 - m0) * (float)(i + 1) / (float)e->chunk;
			float v = m * out[i] + (1.0f - m) * e->notched[i];

			out[i] = (int16_t)lrintf(v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v);
		}
	e->mix = m1;
}

/* The second double-talk verdict, on the cancelled side, its hangover,
 * the canceller's ERLE, and whether the suppressor may act. */
static void dt_track(struct dsp_echo *e, struct blk *b)
{
	const double a = 1.0 / AVG_BLOCKS;
	int near_low = b->pe < b->ex * 0.25;	/* -6 dB */

	/* more than the residual the canceller leaves (Ex / its ERLE) + 6 dB,
	 * above -60 dBm0, is near-end speech under the echo's level */
	if (b->far_active && b->pe > FAR_MIN_POW * 1e-2) {
		double erle = e->p_out > 0 && e->p_rec > e->p_out ? e->p_rec / e->p_out : 1.0;

		if (b->pe > b->ex / erle * 4.0)
			b->dt = 1;
	}
	if (b->dt || !b->far_active)
		e->dt_hang = b->dt ? DT_HANG_BLOCKS : 0;
	else if (e->dt_hang > 0)
		e->dt_hang--;
	if (b->far_active && !b->dt && e->dt_hang == 0) {
		/* the far end alone: ERLE of the canceller */
		e->p_rec += a * (b->pr - e->p_rec);
		e->p_out += a * (b->pe - e->p_out);
	}
	e->suppress = b->far_active && near_low && !b->dt && e->dt_hang == 0;
}

void dsp_echo_cancel(struct dsp_echo *e, const int16_t *rec, const int16_t *play, int16_t *out)
{
	struct blk b;

	speex_echo_cancellation(e->st, rec, play, out);
	b.pf = mean_sq(play, e->chunk);
	b.pr = mean_sq(rec, e->chunk);
	b.pe = mean_sq(out, e->chunk);
	b.py = model_power(e, rec, out);
	far_track(e, &b);
	erl_track(e, &b);
	gate(e, &b, out);
	b.pe = mean_sq(out, e->chunk);
	dt_track(e, &b);
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

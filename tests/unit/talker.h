/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A speech-like source for the dsp/ unit tests (test_echo, test_dtmf):
 * spandsp AWGN, tilted (about -6 dB at 2 kHz) and high-passed at 300 Hz,
 * with a syllabic envelope (syl_hz) and talkspurts (on_ms of talk, off_ms
 * of pause), at 8000 samples a second.
 */
#ifndef SIPGW_TESTS_TALKER_H
#define SIPGW_TESTS_TALKER_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <spandsp.h>

struct talker {
	awgn_state_t *noise;
	double lp, hp_x, hp_y;	/* tilt (1-pole low-pass) and 300 Hz high-pass */
	double gain;
	double syl_hz, phase;
	int spurt_on, spurt_off;	/* samples */
	long t;
};

static void talker_init(struct talker *k, int seed, double dbm0, double syl_hz, int on_ms, int off_ms, long t0)
{
	memset(k, 0, sizeof(*k));
	k->noise = awgn_init_dbm0(NULL, seed, -10.0f);
	k->syl_hz = syl_hz;
	k->spurt_on = on_ms * 8;
	k->spurt_off = off_ms * 8;
	k->t = t0;
	/* dbm0 is the level in talkspurts to within about 1 dB (-15 gives
	 * -15.1 dBm0 there, -15.9 dBm0 over the pauses as well) */
	k->gain = pow(10.0, (dbm0 + 10.0) / 20.0);
}

static double talker_raw(struct talker *k)
{
	double x = awgn(k->noise), y, env;
	long cyc = k->spurt_on + k->spurt_off;

	k->lp += 0.45 * (x - k->lp);			/* tilt: about -6 dB at 2 kHz */
	y = 0.94 * (k->hp_y + k->lp - k->hp_x);		/* high-pass ~300 Hz */
	k->hp_x = k->lp;
	k->hp_y = y;
	env = 0.55 - 0.45 * cos(2 * M_PI * k->syl_hz * (double)k->t / 8000.0);
	if (k->t % cyc >= k->spurt_on)
		env = 0;
	k->t++;
	return y * env * 3.1;
}

static int16_t talker_next(struct talker *k)
{
	double v = talker_raw(k) * k->gain;

	return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static void talker_free(struct talker *k)
{
	awgn_free(k->noise);
}

#endif

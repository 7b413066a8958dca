/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dsp/ internal: line echo canceller (speexdsp) plus a gentle residual echo
 * suppressor that acts only while the far end alone talks.
 *
 * Per block of `chunk` samples:
 *   dsp_echo_cancel(e, rec, play, out): rec = card audio (echo + near end),
 *       play = what went to the card one block earlier (the reference);
 *       out = rec with the modelled echo removed. Updates ERL/ERLE and the
 *       talk state.
 *   dsp_echo_suppress(e, buf): attenuates buf (the cancelled block, in
 *       place) by up to DSP_ECHO_NLP_DB while the far end alone is active.
 */
#ifndef SIPGW_DSP_ECHO_H
#define SIPGW_DSP_ECHO_H

#include <stdint.h>

#define DSP_ECHO_NLP_DB 9.0	/* residual suppressor depth */

struct dsp_echo;

int dsp_echo_new(int chunk, int tail_ms, struct dsp_echo **out);
void dsp_echo_free(struct dsp_echo *e);
void dsp_echo_reset(struct dsp_echo *e);
void dsp_echo_cancel(struct dsp_echo *e, const int16_t *rec, const int16_t *play, int16_t *out);
void dsp_echo_suppress(struct dsp_echo *e, int16_t *buf);
/* Running estimates (about the last second of far-end speech), dB. */
void dsp_echo_estimates(const struct dsp_echo *e, double *erl_db, double *erle_db);
/* 1 while the suppressor attenuates (far end alone), for tests. */
int dsp_echo_suppressing(const struct dsp_echo *e);

#endif

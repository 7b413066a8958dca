/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dsp/ internal: DTMF detection (spandsp dtmf_rx, realtime callback) and
 * generation (spandsp dtmf_tx, one digit at a time with its own duration).
 */
#ifndef SIPGW_DSP_DTMF_H
#define SIPGW_DSP_DTMF_H

#include <stdint.h>

#define DSP_DTMF_QUEUE 32		/* digits waiting to be sent */
#define DSP_DTMF_MIN_MS 40
#define DSP_DTMF_MAX_MS 5000
#define DSP_DTMF_GAP_MS 55		/* silence after each sent digit */
/* spandsp's dtmf_rx decides once per block of 102 samples (12.75 ms;
 * tests/data/standards/dtmf): dsp_dtmf_rx_active() changes only there. */
#define DSP_DTMF_BLOCK 102
/* A digit is reported active (as a likely one) by the end of the second
 * block it sounds in: the block where it starts passes spandsp's
 * tone-to-total-energy test only when the tone fills most of it (about
 * 5/6), the next block, all tone, does. Measured over 5440 digits (all 16,
 * -4..-30 dBm0, onsets every 3 samples across a block, noise 20 dB down,
 * through A-law): at most 188 samples after the tone starts. The pipeline
 * holds its audio toward IP this long, so that what came of a digit before
 * the detector saw it can still be muted. */
#define DSP_DTMF_LOOKAHEAD (2 * DSP_DTMF_BLOCK)

struct dsp_dtmf;

/* digit(arg, d, 0, 0) at the start, digit(arg, d, 1, ms) at the end. */
typedef void (*dsp_dtmf_digit_fn)(void *arg, char digit, int end, int duration_ms);

int dsp_dtmf_new(dsp_dtmf_digit_fn digit, void *arg, struct dsp_dtmf **out);
void dsp_dtmf_free(struct dsp_dtmf *t);

/* Detect in n linear samples (card side, echo cancelled). While we send a
 * digit toward the card and for a tail afterwards, the detector hears
 * silence: our own digit's echo is not a digit from the line. */
void dsp_dtmf_rx(struct dsp_dtmf *t, const int16_t *x, int n);
/* 1 while a digit (or a likely one) is being received: mute toward IP. */
int dsp_dtmf_rx_active(const struct dsp_dtmf *t);
/* Samples dsp_dtmf_rx takes until the detector's next decision
 * (1..DSP_DTMF_BLOCK): fed in pieces that long, dsp_dtmf_rx_active() is
 * known to the sample where it changed. */
int dsp_dtmf_rx_next(const struct dsp_dtmf *t);

/* 0, EINVAL or ENOSPC. */
int dsp_dtmf_tx_queue(struct dsp_dtmf *t, char digit, int duration_ms);
/* Generate up to n samples of queued digits (tone + gap) into amp from its
 * start; returns how many were generated (< n: nothing more to send). */
int dsp_dtmf_tx(struct dsp_dtmf *t, int16_t *amp, int n);
/* Digits completely sent so far. */
uint64_t dsp_dtmf_tx_count(const struct dsp_dtmf *t);

#endif

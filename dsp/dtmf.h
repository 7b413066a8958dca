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

/* 0, EINVAL or ENOSPC. */
int dsp_dtmf_tx_queue(struct dsp_dtmf *t, char digit, int duration_ms);
/* Generate up to n samples of queued digits (tone + gap) into amp from its
 * start; returns how many were generated (< n: nothing more to send). */
int dsp_dtmf_tx(struct dsp_dtmf *t, int16_t *amp, int n);
/* Digits completely sent so far. */
uint64_t dsp_dtmf_tx_count(const struct dsp_dtmf *t);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pstnsim: the switch emulator of the end-to-end tests (see pstnsim.c for
 * the command and event syntax). This header joins the signalling part
 * (pstnsim.c) and the per-call audio part (pstnsim_audio.c).
 */
#ifndef SIPGW_TESTS_PSTNSIM_H
#define SIPGW_TESTS_PSTNSIM_H

#include <stdint.h>

/*
 * Levels: 0 dBm0 is the G.711 reference of ITU-T G.711 (A-law): a sine
 * whose peak is 3.14 dB below the codec's full scale, so a full-scale sine
 * (peak 32767 in 16-bit linear) is +3.14 dBm0. This is spandsp's convention
 * (DBM0_MAX_SINE_POWER in spandsp/telephony.h) and we use it for mu-law as
 * well (mu-law's own reference is 3.17 dB below full scale: 0.03 dB apart).
 */

struct sim_audio;

/* What the audio side reports; arg is the caller's. */
struct sim_audio_cbs {
	void (*measured)(void *arg, double freq, double level_dbm0, int ms);
	void (*digit)(void *arg, char digit);
	void *arg;
};

/* alaw: 1 for A-law, 0 for mu-law. chunk: samples per frame and slot. */
int sim_audio_new(int alaw, int chunk, const struct sim_audio_cbs *cbs, struct sim_audio **out);
void sim_audio_free(struct sim_audio *a);

/* One frame's worth (n samples) of G.711 to send toward the gateway. */
void sim_audio_tx(struct sim_audio *a, uint8_t *out, int n);
/* One frame's worth of G.711 the gateway sent. */
void sim_audio_rx(struct sim_audio *a, const uint8_t *in, int n);

/* Sources (replace each other): a sine, silence, a looped WAV file. */
int sim_audio_tone(struct sim_audio *a, double freq, double level_dbm0);
void sim_audio_silence(struct sim_audio *a);
/* 8 kHz mono 16-bit PCM WAV; errno value, and a message in err. */
int sim_audio_wav(struct sim_audio *a, const char *path, char *err, int errlen);
/* In-band DTMF (100 ms on, 100 ms off), played instead of the source. */
int sim_audio_dtmf(struct sim_audio *a, const char *digits);
/* Report frequency and level of the next ms milliseconds received: the
 * analysis runs in a thread at normal priority, its result goes to the
 * measured callback at the first frame received after it is done. */
int sim_audio_measure(struct sim_audio *a, int ms);
/* Wait for a running analysis and report it now (self-tests). */
void sim_audio_measure_wait(struct sim_audio *a);
/* Record what the gateway sends to a WAV file; NULL stops. */
int sim_audio_record(struct sim_audio *a, const char *path);
/* Hybrid echo: received audio added to what is sent, delay_ms later
 * (at least one frame), loss_db down. delay_ms < 0 switches it off. */
int sim_audio_echo(struct sim_audio *a, int delay_ms, double loss_db);
/* Frames sent with part of their echo missing because the gateway's answer
 * had not arrived yet: the gateway missed its chunk-period deadline. */
uint64_t sim_audio_echo_late(const struct sim_audio *a);

/* Frequency (Hz) and level (dBm0) of linear samples: the measurer. */
void sim_audio_analyse(const int16_t *s, int n, double *freq, double *level_dbm0);

/* The self-test (TAP on stdout); returns the exit status. */
int sim_audio_selftest(void);
/* Measure part of a WAV recording; prints a MEASURE line. Exit status. */
int sim_audio_analyse_file(const char *path, double from_s, double dur_s);

/* In-band DTMF in a recording: the digits spandsp's dtmf_rx finds, and the
 * loudest 20 ms (windows every 5 ms, mean removed): where a far end should
 * have received digits as RFC 4733 events only, any window above
 * SIM_SCAN_LIMIT is in-band audio that got through. */
#define SIM_SCAN_LIMIT (-50)		/* dBm0 */
struct sim_scan {
	char digits[64];		/* found in-band, in order */
	double loudest;			/* dBm0 of the loudest window (-99: silence) */
	double at_s, freq;		/* where it starts; its strongest frequency */
	int bursts;			/* runs of windows above SIM_SCAN_LIMIT */
};
/* 0 or ENOMEM. */
int sim_audio_scan(const int16_t *s, int n, struct sim_scan *r);
/* Scan part of a WAV recording; prints a SCAN line. Exit status. */
int sim_audio_scan_file(const char *path, double from_s, double dur_s);

#endif

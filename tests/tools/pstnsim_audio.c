/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pstnsim's audio on one call's B-channel: what the switch plays toward the
 * gateway (a sine, silence, a looped WAV file, in-band DTMF, plus the line's
 * echo) and what it does with what the gateway sends (DTMF detection,
 * frequency/level measurement, recording).
 *
 * spandsp does the telephony parts: G.711, the sine (dds, levels in dBm0),
 * DTMF generation and detection. The measurer is ours because spandsp has
 * no frequency estimator: level = RMS over the window relative to the dBm0
 * reference (see pstnsim.h); frequency = peak of a Hann-windowed FFT
 * (zero-padded to at least 8192 points), refined by parabolic
 * interpolation of the log magnitude around the peak bin.
 *
 * The analysis runs in a thread of its own at normal priority: pstnsim's
 * loop runs at a real-time priority, and an FFT of a few seconds of audio
 * takes tens of milliseconds under software emulation (the DAHDI VM test),
 * time the loop's own B-channels and the gateway's media worker would
 * lose. The result is reported from the loop, at the next frame received.
 */
#include "tests/tools/pstnsim.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#define RATE 8000
#define ECHO_RING 32768		/* samples: > 2 s of echo delay + a frame */
#define MAX_ECHO_MS 2000
#define MAX_MEASURE_MS 60000
#define MAX_WAV_SAMPLES (RATE * 600)

enum src { SRC_SILENCE, SRC_TONE, SRC_WAV };

struct sim_audio {
	int alaw;
	int chunk;
	struct sim_audio_cbs cbs;

	enum src src;
	uint32_t phase;
	int32_t phase_rate;
	int16_t scale;
	int16_t *wav;
	size_t wav_len, wav_pos;

	dtmf_tx_state_t *dtx;
	int dtmf_active;
	dtmf_rx_state_t *drx;

	int16_t *meas;
	int meas_len, meas_fill;
	struct analysis *an;	/* a finished recording being analysed */

	FILE *rec;
	uint32_t rec_samples;

	int echo_on;
	int echo_delay;		/* samples */
	float echo_gain;
	int16_t *ring;
	uint64_t rx_pos, tx_pos;
	uint64_t echo_late;	/* frames whose echo was missing: the gateway's
				   answer had not arrived (it answered late) */
};

/* One measurement's recording, analysed off the real-time loop. */
struct analysis {
	pthread_t thread;
	int16_t *samples;
	int n;
	double *re, *im;	/* the FFT's, allocated by the loop */
	double freq, level;
	int thread_ok;		/* else analysed in the loop */
	atomic_int done;
};

static int analyse_nfft(int n);
static void analyse(const int16_t *s, int n, double *re, double *im, double *freq,
		    double *level_dbm0);

static int16_t dec(const struct sim_audio *a, uint8_t b)
{
	return a->alaw ? alaw_to_linear(b) : ulaw_to_linear(b);
}

static uint8_t enc(const struct sim_audio *a, int v)
{
	if (v > 32767)
		v = 32767;
	else if (v < -32768)
		v = -32768;
	return a->alaw ? linear_to_alaw(v) : linear_to_ulaw(v);
}

static void dtmf_cb(void *user_data, int code, int level, int delay)
{
	struct sim_audio *a = user_data;

	/* Realtime callback: code is the digit when one starts, 0 when it ends. */
	if (code && a->cbs.digit)
		a->cbs.digit(a->cbs.arg, (char)code);
}

int sim_audio_new(int alaw, int chunk, const struct sim_audio_cbs *cbs, struct sim_audio **out)
{
	struct sim_audio *a;

	if (chunk <= 0 || chunk > 4096)
		return EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return ENOMEM;
	a->alaw = alaw;
	a->chunk = chunk;
	if (cbs)
		a->cbs = *cbs;
	a->src = SRC_SILENCE;
	a->dtx = dtmf_tx_init(NULL);
	a->drx = dtmf_rx_init(NULL, NULL, NULL);
	if (!a->dtx || !a->drx) {
		sim_audio_free(a);
		return ENOMEM;
	}
	dtmf_tx_set_timing(a->dtx, 100, 100);
	dtmf_rx_set_realtime_callback(a->drx, dtmf_cb, a);
	*out = a;
	return 0;
}

static void rec_close(struct sim_audio *a)
{
	uint8_t b[4];

	if (!a->rec)
		return;
	/* RIFF size at 4, data size at 40. */
	uint32_t data = a->rec_samples * 2;
	uint32_t riff = 36 + data;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(riff >> (8 * i));
	if (fseek(a->rec, 4, SEEK_SET) == 0)
		fwrite(b, 1, 4, a->rec);
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(data >> (8 * i));
	if (fseek(a->rec, 40, SEEK_SET) == 0)
		fwrite(b, 1, 4, a->rec);
	fclose(a->rec);
	a->rec = NULL;
}

static void *analysis_run(void *arg)
{
	struct analysis *an = arg;

	an->freq = 0;
	an->level = -99;
	if (an->re && an->im)
		analyse(an->samples, an->n, an->re, an->im, &an->freq, &an->level);
	atomic_store(&an->done, 1);
	return NULL;
}

/* Collect the analysis: at once when wait, else only if it is done. The
 * result goes to the measured callback when report. */
static void analysis_end(struct sim_audio *a, int wait, int report)
{
	struct analysis *an = a->an;
	int ms;

	if (!an || (!wait && !atomic_load(&an->done)))
		return;
	if (an->thread_ok)
		pthread_join(an->thread, NULL);
	a->an = NULL;
	ms = an->n * 1000 / RATE;
	if (report && a->cbs.measured)
		a->cbs.measured(a->cbs.arg, an->freq, an->level, ms);
	free(an->samples);
	free(an->re);
	free(an->im);
	free(an);
}

/* Hand the finished recording to a thread at normal priority (whatever
 * the loop runs at); where no thread can be made, analyse it here. */
static void analysis_start(struct sim_audio *a)
{
	struct analysis *an = calloc(1, sizeof(*an));
	struct sched_param sp = { .sched_priority = 0 };
	pthread_attr_t attr;
	int err = ENOMEM;

	analysis_end(a, 1, 1);	/* the one before, if still running */
	if (!an) {
		free(a->meas);
		a->meas = NULL;
		return;
	}
	an->samples = a->meas;
	an->n = a->meas_len;
	int nfft = analyse_nfft(an->n);
	an->re = calloc(nfft, sizeof(double));
	an->im = calloc(nfft, sizeof(double));
	a->meas = NULL;
	a->an = an;
	if (!pthread_attr_init(&attr)) {
		if (!pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED) &&
		    !pthread_attr_setschedpolicy(&attr, SCHED_OTHER) &&
		    !pthread_attr_setschedparam(&attr, &sp))
			err = pthread_create(&an->thread, &attr, analysis_run, an);
		pthread_attr_destroy(&attr);
	}
	if (err)
		analysis_run(an);
	else
		an->thread_ok = 1;
}

void sim_audio_measure_wait(struct sim_audio *a)
{
	analysis_end(a, 1, 1);
}

void sim_audio_free(struct sim_audio *a)
{
	if (!a)
		return;
	rec_close(a);
	analysis_end(a, 1, 0);
	if (a->dtx)
		dtmf_tx_free(a->dtx);
	if (a->drx)
		dtmf_rx_free(a->drx);
	free(a->wav);
	free(a->meas);
	free(a->ring);
	free(a);
}

static int16_t next_source(struct sim_audio *a)
{
	switch (a->src) {
	case SRC_TONE:
		return dds_mod(&a->phase, a->phase_rate, a->scale, 0);
	case SRC_WAV:
		if (a->wav_pos >= a->wav_len)
			a->wav_pos = 0;
		return a->wav[a->wav_pos++];
	default:
		return 0;
	}
}

void sim_audio_tx(struct sim_audio *a, uint8_t *out, int n)
{
	int16_t buf[n];
	int done = 0;

	if (a->dtmf_active) {
		done = dtmf_tx(a->dtx, buf, n);
		if (done < n)
			a->dtmf_active = 0;
	}
	for (int i = done; i < n; i++)
		buf[i] = next_source(a);
	if (a->echo_on && a->tx_pos + n > (uint64_t)a->echo_delay &&
	    a->tx_pos + n - a->echo_delay > a->rx_pos)
		a->echo_late++;
	for (int i = 0; i < n; i++) {
		int v = buf[i];
		if (a->echo_on) {
			/* The gateway's sample received echo_delay samples ago, if it
			 * has arrived (rx lags tx by up to a frame). */
			uint64_t want = a->tx_pos;
			if (want >= (uint64_t)a->echo_delay) {
				want -= a->echo_delay;
				if (want < a->rx_pos && a->rx_pos - want < ECHO_RING)
					v += (int)lrintf(a->ring[want % ECHO_RING] * a->echo_gain);
			}
		}
		a->tx_pos++;
		out[i] = enc(a, v);
	}
}

static void rec_write(struct sim_audio *a, const int16_t *s, int n)
{
	uint8_t b[2 * n];

	for (int i = 0; i < n; i++) {
		b[2 * i] = (uint8_t)(s[i] & 0xff);
		b[2 * i + 1] = (uint8_t)((uint16_t)s[i] >> 8);
	}
	if (fwrite(b, 2, n, a->rec) != (size_t)n) {
		fprintf(stderr, "pstnsim: recording: write failed, stopped\n");
		rec_close(a);
		return;
	}
	a->rec_samples += n;
}

void sim_audio_rx(struct sim_audio *a, const uint8_t *in, int n)
{
	int16_t s[n];

	analysis_end(a, 0, 1);

	for (int i = 0; i < n; i++)
		s[i] = dec(a, in[i]);
	dtmf_rx(a->drx, s, n);
	if (a->ring)
		for (int i = 0; i < n; i++)
			a->ring[(a->rx_pos + i) % ECHO_RING] = s[i];
	a->rx_pos += n;
	if (a->rec)
		rec_write(a, s, n);
	if (a->meas) {
		int k = a->meas_len - a->meas_fill;
		if (k > n)
			k = n;
		memcpy(a->meas + a->meas_fill, s, k * sizeof(*s));
		a->meas_fill += k;
		if (a->meas_fill == a->meas_len)
			analysis_start(a);

	}
}

int sim_audio_tone(struct sim_audio *a, double freq, double level_dbm0)
{
	if (!(freq > 0 && freq < RATE / 2) || !(level_dbm0 <= 3.14 && level_dbm0 > -90))
		return EINVAL;
	a->phase_rate = dds_phase_rate((float)freq);
	/* dds_scaling_dbm0: peak amplitude for a sine of that level, spandsp's
	 * reference (full-scale sine = +3.14 dBm0). */
	a->scale = dds_scaling_dbm0((float)level_dbm0);
	a->src = SRC_TONE;
	return 0;
}

void sim_audio_silence(struct sim_audio *a)
{
	a->src = SRC_SILENCE;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Read an 8 kHz mono 16-bit PCM WAV (at most MAX_WAV_SAMPLES). */
static int wav_read(const char *path, int16_t **out, size_t *nout, char *err, int errlen)
{
	uint8_t h[12], ch[8], fmt[16];
	int have_fmt = 0, ret = 0;
	int16_t *samples = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "rb");

	if (!f) {
		ret = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(ret));
		return ret;
	}
	if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4)) {
		snprintf(err, errlen, "%s: not a RIFF/WAVE file", path);
		ret = EINVAL;
		goto out;
	}
	for (;;) {
		if (fread(ch, 1, 8, f) != 8) {
			snprintf(err, errlen, "%s: no data chunk", path);
			ret = EINVAL;
			goto out;
		}
		uint32_t len = le32(ch + 4);
		if (!memcmp(ch, "fmt ", 4)) {
			if (len < 16 || fread(fmt, 1, 16, f) != 16 ||
			    fseek(f, (long)(len - 16 + (len & 1)), SEEK_CUR)) {
				snprintf(err, errlen, "%s: bad fmt chunk", path);
				ret = EINVAL;
				goto out;
			}
			if (le16(fmt) != 1 || le16(fmt + 2) != 1 || le32(fmt + 4) != RATE ||
			    le16(fmt + 14) != 16) {
				snprintf(err, errlen, "%s: need 8000 Hz mono 16-bit PCM", path);
				ret = EINVAL;
				goto out;
			}
			have_fmt = 1;
		} else if (!memcmp(ch, "data", 4)) {
			if (!have_fmt) {
				snprintf(err, errlen, "%s: data before fmt", path);
				ret = EINVAL;
				goto out;
			}
			n = len / 2;
			if (n > MAX_WAV_SAMPLES)
				n = MAX_WAV_SAMPLES;
			if (n == 0) {
				snprintf(err, errlen, "%s: no samples", path);
				ret = EINVAL;
				goto out;
			}
			uint8_t *raw = malloc(n * 2);
			samples = malloc(n * sizeof(*samples));
			if (!raw || !samples) {
				free(raw);
				ret = ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			n = fread(raw, 2, n, f);
			for (size_t i = 0; i < n; i++)
				samples[i] = (int16_t)le16(raw + 2 * i);
			free(raw);
			if (n == 0) {
				snprintf(err, errlen, "%s: truncated", path);
				ret = EINVAL;
				goto out;
			}
			break;
		} else if (fseek(f, (long)len + (len & 1), SEEK_CUR)) {
			snprintf(err, errlen, "%s: truncated", path);
			ret = EINVAL;
			goto out;
		}
	}
	*out = samples;
	*nout = n;
	samples = NULL;
out:
	free(samples);
	fclose(f);
	return ret;
}

int sim_audio_wav(struct sim_audio *a, const char *path, char *err, int errlen)
{
	int16_t *samples;
	size_t n;
	int ret = wav_read(path, &samples, &n, err, errlen);

	if (ret)
		return ret;
	free(a->wav);
	a->wav = samples;
	a->wav_len = n;
	a->wav_pos = 0;
	a->src = SRC_WAV;
	return 0;
}

/* Read a WAV file and take from_s seconds on, for dur_s (0: to the end):
 * *samples (to free), the part at *part, *len samples. 0, or 2 (the exit
 * status) with a message when it cannot be read. */
static int wav_part(const char *path, double from_s, double dur_s, int16_t **samples,
		    const int16_t **part, size_t *len)
{
	char err[256];
	size_t n, from;

	if (wav_read(path, samples, &n, err, sizeof(err))) {
		fprintf(stderr, "pstnsim: %s\n", err);
		return 2;
	}
	from = (size_t)(from_s * RATE);
	*len = (size_t)(dur_s * RATE);
	if (from > n)
		from = n;
	if (!*len || from + *len > n)
		*len = n - from;
	*part = *samples + from;
	return 0;
}

int sim_audio_analyse_file(const char *path, double from_s, double dur_s)
{
	int16_t *samples;
	const int16_t *x;
	size_t len;
	double freq, level;

	if (wav_part(path, from_s, dur_s, &samples, &x, &len))
		return 2;
	sim_audio_analyse(x, (int)len, &freq, &level);
	printf("MEASURE freq=%.1f level=%.1f ms=%d\n", freq, level, (int)(len * 1000 / RATE));
	free(samples);
	return 0;
}

int sim_audio_dtmf(struct sim_audio *a, const char *digits)
{
	for (const char *p = digits; *p; p++)
		if (!strchr("0123456789*#ABCDabcd", *p))
			return EINVAL;
	/* spandsp 0.0.6 returns the number of digits that did NOT fit. */
	if (*digits && dtmf_tx_put(a->dtx, digits, -1) != 0)
		return ENOSPC;
	a->dtmf_active = 1;
	return 0;
}

int sim_audio_measure(struct sim_audio *a, int ms)
{
	if (ms < 10 || ms > MAX_MEASURE_MS)
		return EINVAL;
	free(a->meas);
	a->meas_len = ms * (RATE / 1000);
	a->meas_fill = 0;
	a->meas = malloc(a->meas_len * sizeof(*a->meas));
	return a->meas ? 0 : ENOMEM;
}

int sim_audio_record(struct sim_audio *a, const char *path)
{
	/* Canonical 44-byte header; sizes fixed up when closed. */
	static const uint8_t hdr[44] = {
		'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0,
		0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0,
		'd', 'a', 't', 'a', 0, 0, 0, 0,
	};

	rec_close(a);
	if (!path)
		return 0;
	a->rec = fopen(path, "wb");
	if (!a->rec)
		return errno;
	a->rec_samples = 0;
	if (fwrite(hdr, 1, sizeof(hdr), a->rec) != sizeof(hdr)) {
		int err = errno ? errno : EIO;
		fclose(a->rec);
		a->rec = NULL;
		return err;
	}
	return 0;
}

uint64_t sim_audio_echo_late(const struct sim_audio *a)
{
	return a->echo_late;
}

int sim_audio_echo(struct sim_audio *a, int delay_ms, double loss_db)
{
	if (delay_ms < 0) {
		a->echo_on = 0;
		return 0;
	}
	if (delay_ms > MAX_ECHO_MS || !(loss_db >= 0 && loss_db < 100))
		return EINVAL;
	if (!a->ring) {
		a->ring = calloc(ECHO_RING, sizeof(*a->ring));
		if (!a->ring)
			return ENOMEM;
	}
	/* What arrives in answer to frame k is sent after frame k: the echo
	 * can come back no sooner than one frame later. */
	a->echo_delay = delay_ms * (RATE / 1000);
	if (a->echo_delay < a->chunk)
		a->echo_delay = a->chunk;
	a->echo_gain = powf(10.0f, (float)(-loss_db / 20.0));
	a->echo_on = 1;
	return 0;
}

/* In-place iterative radix-2 FFT; n a power of two. */
static void fft(double *re, double *im, int n)
{
	for (int i = 1, j = 0; i < n; i++) {
		int bit = n >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			double t = re[i]; re[i] = re[j]; re[j] = t;
			t = im[i]; im[i] = im[j]; im[j] = t;
		}
	}
	for (int len = 2; len <= n; len <<= 1) {
		double ang = -2 * M_PI / len;
		double wr = cos(ang), wi = sin(ang);
		for (int i = 0; i < n; i += len) {
			double cr = 1, ci = 0;
			for (int k = 0; k < len / 2; k++) {
				double *ur = &re[i + k], *ui = &im[i + k];
				double *vr = &re[i + k + len / 2], *vi = &im[i + k + len / 2];
				double xr = *vr * cr - *vi * ci, xi = *vr * ci + *vi * cr;
				*vr = *ur - xr; *vi = *ui - xi;
				*ur += xr; *ui += xi;
				double t = cr * wr - ci * wi;
				ci = cr * wi + ci * wr;
				cr = t;
			}
		}
	}
}

/* FFT length for n samples (of which at most 4 s are analysed). */
static int analyse_nfft(int n)
{
	int len = n < 4 * RATE ? n : 4 * RATE;
	int nfft = 8192;

	while (nfft < 2 * len)
		nfft <<= 1;
	return nfft;
}

/* The analysis proper, in re and im: analyse_nfft(n) zeroed doubles each.
 * It allocates nothing, so that it takes no allocator lock: under ASan
 * those are spin locks, and a real-time thread spinning on one that a
 * normal-priority thread holds starves everything below it. */
/* RMS level in dBm0 of n samples with their mean (returned) removed;
 * -99 for silence. */
static double level_of(const int16_t *s, int n, double *mean_out)
{
	double sum = 0, sq = 0, mean, ms;

	*mean_out = 0;
	if (n <= 0)
		return -99;
	for (int i = 0; i < n; i++)
		sum += s[i];
	mean = sum / n;
	*mean_out = mean;
	for (int i = 0; i < n; i++)
		sq += (s[i] - mean) * (s[i] - mean);
	ms = sq / n;
	if (ms < 1e-3)
		return -99;
	/* Power relative to full scale, to dBm0: DBM0_MAX_POWER is the level of
	 * a full-scale square wave (3.14 + 3.02 dB). */
	return 10 * log10(ms / (32768.0 * 32768.0)) + DBM0_MAX_POWER;
}

static void analyse(const int16_t *s, int n, double *re, double *im, double *freq,
		    double *level_dbm0)
{
	double mean;

	*freq = 0;
	*level_dbm0 = level_of(s, n, &mean);
	if (*level_dbm0 <= -99)
		return;

	int len = n;
	if (len > 4 * RATE)
		len = 4 * RATE;	/* 4 s is plenty for sub-Hz resolution */
	int nfft = analyse_nfft(n);
	for (int i = 0; i < len; i++)
		re[i] = (s[i] - mean) * (0.5 - 0.5 * cos(2 * M_PI * i / (len - 1 > 0 ? len - 1 : 1)));
	fft(re, im, nfft);
	int lo = (int)(20.0 * nfft / RATE), best = lo;
	double bestp = -1;
	for (int k = lo; k < nfft / 2 - 1; k++) {
		double p = re[k] * re[k] + im[k] * im[k];
		if (p > bestp) {
			bestp = p;
			best = k;
		}
	}
	double delta = 0;
	if (best > lo) {
		double a = log(re[best - 1] * re[best - 1] + im[best - 1] * im[best - 1] + 1e-30);
		double b = log(bestp + 1e-30);
		double c = log(re[best + 1] * re[best + 1] + im[best + 1] * im[best + 1] + 1e-30);
		double d = a - 2 * b + c;
		if (d < 0)
			delta = 0.5 * (a - c) / d;
		if (delta > 0.5 || delta < -0.5)
			delta = 0;
	}
	*freq = (best + delta) * RATE / nfft;
}

void sim_audio_analyse(const int16_t *s, int n, double *freq, double *level_dbm0)
{
	int nfft = analyse_nfft(n);
	double *re = calloc(nfft, sizeof(*re)), *im = calloc(nfft, sizeof(*im));

	*freq = 0;
	*level_dbm0 = -99;
	if (re && im)
		analyse(s, n, re, im, freq, level_dbm0);
	free(re);
	free(im);
}

/* ---- a recording scanned for in-band DTMF ---- */

#define SCAN_WIN (RATE / 50)		/* 20 ms windows */
#define SCAN_HOP (SCAN_WIN / 4)		/* one every 5 ms */

static void scan_digit(void *user_data, int code, int level, int delay)
{
	struct sim_scan *r = user_data;
	size_t n = strlen(r->digits);

	(void)level;
	(void)delay;
	if (code && n + 1 < sizeof(r->digits)) {
		r->digits[n] = (char)code;
		r->digits[n + 1] = 0;
	}
}

int sim_audio_scan(const int16_t *s, int n, struct sim_scan *r)
{
	dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
	double mean;
	int best = -1, above = 0;

	memset(r, 0, sizeof(*r));
	r->loudest = -99;
	if (!rx)
		return ENOMEM;
	dtmf_rx_set_realtime_callback(rx, scan_digit, r);
	dtmf_rx(rx, s, n);
	dtmf_rx_free(rx);
	for (int i = 0; i + SCAN_WIN <= n; i += SCAN_HOP) {
		double l = level_of(s + i, SCAN_WIN, &mean);

		if (l > r->loudest) {
			r->loudest = l;
			best = i;
		}
		if (l > SIM_SCAN_LIMIT && !above)
			r->bursts++;
		above = l > SIM_SCAN_LIMIT;
	}
	if (best >= 0) {
		r->at_s = (double)best / RATE;
		sim_audio_analyse(s + best, SCAN_WIN, &r->freq, &mean);
	}
	return 0;
}

int sim_audio_scan_file(const char *path, double from_s, double dur_s)
{
	int16_t *samples;
	const int16_t *x;
	size_t len;
	struct sim_scan r;
	int ret;

	if (wav_part(path, from_s, dur_s, &samples, &x, &len))
		return 2;
	ret = sim_audio_scan(x, (int)len, &r);
	free(samples);
	if (ret) {
		fprintf(stderr, "pstnsim: %s\n", strerror(ret));
		return 2;
	}
	printf("SCAN digits=%s loudest=%.1f at=%.3f freq=%.1f limit=%d bursts=%d ms=%d\n",
	       r.digits[0] ? r.digits : "-", r.loudest, from_s + r.at_s, r.freq, SIM_SCAN_LIMIT,
	       r.bursts, (int)(len * 1000 / RATE));
	return 0;
}

/* ---- self-test: generator -> G.711 -> measurer / detector ---- */

struct st {
	double freq, level;
	int measured;
	char digits[64];
	int ndigits;
};

static void st_measured(void *arg, double freq, double level, int ms)
{
	struct st *st = arg;

	st->freq = freq;
	st->level = level;
	st->measured = 1;
}

static void st_digit(void *arg, char d)
{
	struct st *st = arg;

	if (st->ndigits < (int)sizeof(st->digits) - 1)
		st->digits[st->ndigits++] = d;
}

static int tap_n, tap_fail;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		tap_fail++;
}

/* Loop a's output into its own input for ms milliseconds. */
static void st_run(struct sim_audio *a, int chunk, int ms)
{
	uint8_t buf[chunk];

	for (int t = 0; t < ms * (RATE / 1000); t += chunk) {
		sim_audio_tx(a, buf, chunk);
		sim_audio_rx(a, buf, chunk);
	}
}

static void st_tone(int alaw, double freq, double level)
{
	struct st st = { 0 };
	struct sim_audio_cbs cbs = { st_measured, st_digit, &st };
	struct sim_audio *a;

	if (sim_audio_new(alaw, 160, &cbs, &a)) {
		tap(0, "audio state");
		return;
	}
	sim_audio_tone(a, freq, level);
	st_run(a, 160, 100);		/* let the source settle */
	sim_audio_measure(a, 1000);
	st_run(a, 160, 1100);
	sim_audio_measure_wait(a);
	tap(st.measured && fabs(st.freq - freq) < 0.5 && fabs(st.level - level) < 0.3,
	    "%g Hz at %g dBm0 (G.711 %s, 0 dBm0 = 3.14 dB below full scale) measured as %.1f Hz %.2f dBm0",
	    freq, level, alaw ? "A-law" : "mu-law", st.freq, st.level);
	if (!st.ndigits)
		tap(1, "no DTMF talk-off on a %g Hz tone (%s)", freq, alaw ? "A-law" : "mu-law");
	else
		tap(0, "DTMF talk-off on a %g Hz tone: %s", freq, st.digits);
	sim_audio_free(a);
}

static void st_dtmf(int alaw, const char *digits)
{
	struct st st = { 0 };
	struct sim_audio_cbs cbs = { st_measured, st_digit, &st };
	struct sim_audio *a;

	if (sim_audio_new(alaw, 160, &cbs, &a)) {
		tap(0, "audio state");
		return;
	}
	if (sim_audio_dtmf(a, digits))
		tap(0, "dtmf_tx_put refused %s", digits);
	st_run(a, 160, (int)strlen(digits) * 200 + 400);
	tap(!strcmp(st.digits, digits),
	    "Q.23 DTMF %s through G.711 %s detected once each: %s",
	    digits, alaw ? "A-law" : "mu-law", st.digits);
	sim_audio_free(a);
}

static void st_echo(void)
{
	/* The gateway's audio (here a sine looped in) comes back delay later,
	 * loss down: measure the echo alone by silencing the source. */
	struct st st = { 0 };
	struct sim_audio_cbs cbs = { st_measured, st_digit, &st };
	struct sim_audio *a;
	uint8_t buf[160], tonebuf[160];
	struct sim_audio *gen;

	if (sim_audio_new(1, 160, &cbs, &a) || sim_audio_new(1, 160, NULL, &gen)) {
		tap(0, "audio state");
		return;
	}
	sim_audio_tone(gen, 1000, -10);
	sim_audio_echo(a, 40, 12);
	sim_audio_measure(a, 500);
	/* rx: the gateway's tone; tx: the echo only (a's source is silent);
	 * loop a's tx back into a measurer of its own. */
	struct sim_audio *m;
	struct st st2 = { 0 };
	struct sim_audio_cbs cbs2 = { st_measured, st_digit, &st2 };
	if (sim_audio_new(1, 160, &cbs2, &m)) {
		tap(0, "audio state");
		goto out;
	}
	for (int i = 0; i < 10; i++) {
		sim_audio_tx(gen, tonebuf, 160);
		sim_audio_tx(a, buf, 160);
		sim_audio_rx(a, tonebuf, 160);
	}
	sim_audio_measure(m, 500);
	for (int i = 0; i < 30; i++) {
		sim_audio_tx(gen, tonebuf, 160);
		sim_audio_tx(a, buf, 160);
		sim_audio_rx(m, buf, 160);
		sim_audio_rx(a, tonebuf, 160);
	}
	sim_audio_measure_wait(m);
	tap(st2.measured && fabs(st2.level + 22) < 0.5 && fabs(st2.freq - 1000) < 1,
	    "hybrid echo at 12 dB loss of a -10 dBm0 tone measured as %.2f dBm0 at %.1f Hz",
	    st2.level, st2.freq);
	sim_audio_free(m);
out:
	sim_audio_free(a);
	sim_audio_free(gen);
}

static void st_echo_delay(void)
{
	/* A click the gateway sends at sample 320 comes back at 320 + 40 ms. */
	struct sim_audio *a;
	uint8_t tx[160], rx[160];
	int16_t click = 16000;
	long at = -1;

	if (sim_audio_new(1, 160, NULL, &a)) {
		tap(0, "audio state");
		return;
	}
	sim_audio_echo(a, 40, 0);
	for (int f = 0; f < 10; f++) {
		sim_audio_tx(a, tx, 160);
		for (int i = 0; i < 160 && at < 0; i++)
			if (alaw_to_linear(tx[i]) > 8000)
				at = (long)f * 160 + i;
		memset(rx, linear_to_alaw(0), sizeof(rx));
		if (f == 2)
			rx[0] = linear_to_alaw(click);
		sim_audio_rx(a, rx, 160);
	}
	tap(at == 320 + 320, "hybrid echo delay 40 ms: click at sample 320 returned at %ld", at);
	sim_audio_free(a);
}

/* The scanner on what a sim_audio sends: its DTMF (100 ms on and off),
 * and the first 20 ms of a digit alone, as a gateway that mutes a digit
 * late would let through. */
static void st_scan(void)
{
	struct sim_audio *a;
	struct sim_scan r, q;
	int16_t x[RATE * 2];
	uint8_t buf[160];
	int n = 0;

	if (sim_audio_new(1, 160, NULL, &a)) {
		tap(0, "audio state");
		return;
	}
	sim_audio_dtmf(a, "159D");
	for (; n + 160 <= (int)(sizeof(x) / sizeof(x[0])); n += 160) {
		sim_audio_tx(a, buf, 160);
		for (int i = 0; i < 160; i++)
			x[n + i] = alaw_to_linear(buf[i]);
	}
	sim_audio_free(a);
	sim_audio_scan(x, n, &r);
	tap(!strcmp(r.digits, "159D") && r.bursts == 4 && fabs(r.loudest + 7.0) < 0.5,
	    "scan: DTMF 159D at -10 dBm0 per tone found in-band (%s), 4 bursts above %d dBm0 (%d), loudest %.1f dBm0 (two tones: -7)",
	    r.digits, SIM_SCAN_LIMIT, r.bursts, r.loudest);
	memset(x + 160, 0, (size_t)(n - 160) * sizeof(x[0]));
	sim_audio_scan(x, n, &q);
	sim_audio_scan(x + 320, n - 320, &r);
	tap(!q.digits[0] && q.bursts == 1 && q.loudest > -10 && !r.digits[0] && r.bursts == 0 &&
		    r.loudest <= -99,
	    "scan: 20 ms of a digit is no digit to dtmf_rx but one burst (%d, loudest %.1f dBm0 at %.0f Hz); silence none (%d, %.1f dBm0)",
	    q.bursts, q.loudest, q.freq, r.bursts, r.loudest);
}

int sim_audio_selftest(void)
{
	st_tone(1, 1004, -10);
	st_tone(0, 1004, -10);
	st_tone(1, 440, -20);
	st_tone(1, 3000, 0);
	st_dtmf(1, "1234567890*#ABCD");
	st_dtmf(0, "5551212");
	st_echo();
	st_echo_delay();
	st_scan();
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

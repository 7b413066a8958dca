/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_dsp: microseconds per 20 ms frame (160 samples) for the dsp/
 * pipeline and each stage, and spandsp's echo canceller as a baseline.
 * Not run by the tests. Build without sanitizers for real figures:
 *   make bench/bench_dsp && ./bench/bench_dsp [frames]
 */
#include "dsp/dsp.h"
#include "dsp/dtmf.h"
#include "dsp/echo.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spandsp.h>

#define N 160

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int16_t far_sig[N], card_sig[N];

static void fill(awgn_state_t *a)
{
	for (int i = 0; i < N; i++) {
		far_sig[i] = awgn(a);
		card_sig[i] = (int16_t)(far_sig[(i + 37) % N] / 4 + awgn(a) / 30);
	}
}

static void report(const char *what, double us, int frames)
{
	double per = us / frames;

	printf("%-44s %8.2f us/frame  %7.0f channels/core\n", what, per, per > 0 ? 20000.0 / per : 0);
}

static void noop_digit(void *arg, char d, int end, int ms)
{
	(void)arg; (void)d; (void)end; (void)ms;
}

int main(int argc, char **argv)
{
	int frames = argc > 1 ? atoi(argv[1]) : 5000;
	awgn_state_t *a = awgn_init_dbm0(NULL, 1, -15.0f);
	uint8_t g[N], o[N];
	int16_t lin[N], out[N];
	double t;

	if (frames <= 0)
		frames = 5000;
	printf("# %d frames of 160 samples; channels/core = 20000 us / cost (each runs once per channel per 20 ms)\n",
	       frames);
	fill(a);

	/* full pipeline, both directions, echo canceller + DTMF detection */
	for (int tail = 128; tail >= 32; tail /= 4) {
		struct dsp_chan_params p = { .law = DSP_LAW_ALAW, .chunk = N, .echo_cancel = 1,
					     .echo_tail_ms = tail, .dtmf_detect = 1 };
		struct dsp_chan *d;
		char name[64];

		dsp_chan_new(&p, NULL, NULL, &d);
		dsp_g711_encode(DSP_LAW_ALAW, card_sig, g, N);
		t = now_us();
		for (int k = 0; k < frames; k++) {
			dsp_chan_from_card(d, g, out, N);
			dsp_chan_to_card(d, far_sig, o, N);
		}
		t = now_us() - t;
		snprintf(name, sizeof(name), "pipeline (echo %d ms + DTMF), both ways", tail);
		printf("%-44s %8.2f us/frame  %7.0f channels/core\n", name, t / frames, 20000.0 / (t / frames));
		dsp_chan_free(d);
	}

	/* the codec stage (dsp_stream) both ways, DTMF detection on: card
	 * A-law with RTP PCMA (bytes pass where nothing changed them) or PCMU
	 * (transcoded), echo canceller off and on */
	for (int ec = 0; ec <= 1; ec++)
		for (int pt = 8; pt >= 0; pt -= 8) {
			struct dsp_stream_params p = {
				.chan = { .law = DSP_LAW_ALAW, .chunk = N, .echo_cancel = ec,
					  .echo_tail_ms = 128, .dtmf_detect = 1 },
				.pt = pt,
			};
			struct dsp_stream *s;
			uint8_t pl[N], rtp[N];
			char name[80];

			dsp_stream_new(&p, NULL, NULL, &s);
			dsp_g711_encode(DSP_LAW_ALAW, card_sig, g, N);
			dsp_g711_encode(pt ? DSP_LAW_ALAW : DSP_LAW_ULAW, far_sig, rtp, N);
			t = now_us();
			for (int k = 0; k < frames; k++) {
				dsp_stream_from_card(s, g, N, pl, sizeof(pl));
				dsp_stream_to_card(s, rtp, N, o, N);
			}
			t = now_us() - t;
			snprintf(name, sizeof(name), "stream A-law/%s, echo %s, both ways",
				 pt ? "PCMA" : "PCMU", ec ? "on" : "off");
			report(name, t, frames);
			dsp_stream_free(s);
		}

	/* what gw/media.c did before the codec stage: the pipeline plus a G.711
	 * encode and decode of its own, every chunk (echo canceller off) */
	{
		struct dsp_chan_params p = { .law = DSP_LAW_ALAW, .chunk = N, .echo_cancel = 0,
					     .echo_tail_ms = 128, .dtmf_detect = 1 };
		struct dsp_chan *d;
		uint8_t pl[N], rtp[N];

		dsp_chan_new(&p, NULL, NULL, &d);
		dsp_g711_encode(DSP_LAW_ALAW, card_sig, g, N);
		dsp_g711_encode(DSP_LAW_ALAW, far_sig, rtp, N);
		t = now_us();
		for (int k = 0; k < frames; k++) {
			dsp_chan_from_card(d, g, out, N);
			dsp_g711_encode(DSP_LAW_ALAW, out, pl, N);
			dsp_g711_decode(DSP_LAW_ALAW, rtp, lin, N);
			dsp_chan_to_card(d, lin, o, N);
		}
		report("before: chan + G.711 in the worker, echo off", now_us() - t, frames);
		dsp_chan_free(d);
	}

	/* stages */
	t = now_us();
	for (int k = 0; k < frames; k++) {
		dsp_g711_encode(DSP_LAW_ALAW, far_sig, g, N);
		dsp_g711_decode(DSP_LAW_ALAW, g, lin, N);
	}
	report("G.711 encode + decode", now_us() - t, frames);
	{
		struct dsp_echo *e;

		dsp_echo_new(N, 128, &e);
		t = now_us();
		for (int k = 0; k < frames; k++) {
			dsp_echo_cancel(e, card_sig, far_sig, out);
			dsp_echo_suppress(e, out);
		}
		report("speexdsp echo 1024 taps + suppressor", now_us() - t, frames);
		dsp_echo_free(e);
	}
	{
		struct dsp_dtmf *tt;

		dsp_dtmf_new(noop_digit, NULL, &tt);
		t = now_us();
		for (int k = 0; k < frames; k++)
			dsp_dtmf_rx(tt, card_sig, N);
		report("spandsp dtmf_rx", now_us() - t, frames);
		t = now_us();
		for (int k = 0; k < frames; k++) {
			if (dsp_dtmf_tx(tt, lin, N) < N)
				dsp_dtmf_tx_queue(tt, '5', 100);
		}
		report("spandsp dtmf_tx (while playing)", now_us() - t, frames);
		dsp_dtmf_free(tt);
	}
	{
		struct dsp_jb *jb;

		struct dsp_jb_pkt pk = { .data = o, .cap = N };

		dsp_jb_new(20, 40, N, &jb);
		t = now_us();
		for (int k = 0; k < frames; k++) {
			dsp_jb_put(jb, (uint16_t)k, (uint32_t)k * N, g, N);
			dsp_jb_get(jb, &pk);
		}
		report("jitter buffer put + get", now_us() - t, frames);
		dsp_jb_free(jb);
	}
	/* baseline: spandsp's echo canceller, 256 taps (it prints per sample:
	 * its stdout goes to /dev/null meanwhile) */
	{
		echo_can_state_t *ec = echo_can_init(256, ECHO_CAN_USE_ADAPTION);
		int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
		int bf = frames / 10 > 0 ? frames / 10 : 1;

		fflush(stdout);
		if (saved >= 0 && null >= 0)
			dup2(null, STDOUT_FILENO);
		t = now_us();
		for (int k = 0; k < bf; k++)
			for (int i = 0; i < N; i++)
				out[i] = echo_can_update(ec, far_sig[i], card_sig[i]);
		t = now_us() - t;
		fflush(stdout);
		if (saved >= 0) {
			dup2(saved, STDOUT_FILENO);
			close(saved);
		}
		if (null >= 0)
			close(null);
		report("baseline: spandsp echo_can 256 taps", t, bf);
		echo_can_free(ec);
	}
	awgn_free(a);
	return 0;
}

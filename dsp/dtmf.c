/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DTMF through spandsp: dtmf_rx with the realtime callback, dtmf_tx. */
#include "dsp/dtmf.h"
#include "lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#define SR 8000
#define RX_BLANK_TAIL (SR * 150 / 1000)	/* echo of our own digit: 150 ms */
#define MUTE_HANG (SR * 20 / 1000)	/* keep muting 20 ms past a digit */

struct dsp_dtmf {
	dtmf_rx_state_t *rx;
	dtmf_tx_state_t *tx;
	dsp_dtmf_digit_fn digit;
	void *arg;
	char cur;			/* digit being received, 0 = none */
	int mute_hang;			/* samples */
	int blank;			/* samples of rx blanking left */
	int rx_phase;			/* samples fed since the last block end */
	int16_t zeros[160];
	/* transmit queue */
	struct { char d; int ms; } q[DSP_DTMF_QUEUE];
	int q_head, q_len;
	int tx_playing;
	uint64_t tx_count;
};

/* spandsp's messages into our log (no context pointer: a plain prefix). */
static void span_msg(int level, const char *text)
{
	size_t len = strlen(text);
	int lvl = (level & SPAN_LOG_SEVERITY_MASK) <= SPAN_LOG_WARNING ? LOG_LVL_WARN : LOG_LVL_DEBUG;

	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	log_msg(LOG_DSP, lvl, "spandsp: %.*s", (int)len, text);
}

static void rx_report(void *user_data, int code, int level, int delay)
{
	struct dsp_dtmf *t = user_data;
	int ms = delay > 0 ? delay / (SR / 1000) : 0;

	(void)level;
	if (t->cur) {
		char d = t->cur;

		t->cur = 0;
		t->mute_hang = MUTE_HANG;
		t->digit(t->arg, d, 1, ms);
	}
	if (code > 0 && strchr("0123456789*#ABCD", code)) {
		t->cur = (char)code;
		t->digit(t->arg, t->cur, 0, 0);
	}
}

int dsp_dtmf_new(dsp_dtmf_digit_fn digit, void *arg, struct dsp_dtmf **out)
{
	struct dsp_dtmf *t;
	logging_state_t *ls;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	t->digit = digit;
	t->arg = arg;
	t->rx = dtmf_rx_init(NULL, NULL, NULL);
	t->tx = dtmf_tx_init(NULL);
	if (!t->rx || !t->tx) {
		dsp_dtmf_free(t);
		return ENOMEM;
	}
	ls = dtmf_rx_get_logging_state(t->rx);
	span_log_set_message_handler(ls, span_msg);
	span_log_set_error_handler(ls, NULL);
	span_log_set_level(ls, SPAN_LOG_WARNING);
	dtmf_rx_set_realtime_callback(t->rx, rx_report, t);
	*out = t;
	return 0;
}

void dsp_dtmf_free(struct dsp_dtmf *t)
{
	if (!t)
		return;
	if (t->rx)
		dtmf_rx_free(t->rx);
	if (t->tx)
		dtmf_tx_free(t->tx);
	free(t);
}

void dsp_dtmf_rx(struct dsp_dtmf *t, const int16_t *x, int n)
{
	/* every sample goes in, x or zeros: the blocks keep their phase */
	t->rx_phase = (t->rx_phase + n) % DSP_DTMF_BLOCK;
	if (t->mute_hang > 0)
		t->mute_hang = t->mute_hang > n ? t->mute_hang - n : 0;
	if (t->tx_playing || t->blank > 0) {
		/* feed silence: an ongoing digit ends cleanly, none starts */
		for (int off = 0; off < n; off += (int)(sizeof(t->zeros) / sizeof(t->zeros[0]))) {
			int len = n - off;

			if (len > (int)(sizeof(t->zeros) / sizeof(t->zeros[0])))
				len = (int)(sizeof(t->zeros) / sizeof(t->zeros[0]));
			dtmf_rx(t->rx, t->zeros, len);
		}
		if (!t->tx_playing)
			t->blank = t->blank > n ? t->blank - n : 0;
		return;
	}
	dtmf_rx(t->rx, x, n);
}

int dsp_dtmf_rx_active(const struct dsp_dtmf *t)
{
	return t->cur != 0 || t->mute_hang > 0 || dtmf_rx_status(t->rx) != 0;
}

int dsp_dtmf_rx_next(const struct dsp_dtmf *t)
{
	return DSP_DTMF_BLOCK - t->rx_phase;
}

int dsp_dtmf_tx_queue(struct dsp_dtmf *t, char digit, int duration_ms)
{
	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	if (!digit || !strchr("0123456789*#ABCD", digit))
		return EINVAL;
	if (t->q_len >= DSP_DTMF_QUEUE)
		return ENOSPC;
	if (duration_ms < DSP_DTMF_MIN_MS)
		duration_ms = DSP_DTMF_MIN_MS;
	if (duration_ms > DSP_DTMF_MAX_MS)
		duration_ms = DSP_DTMF_MAX_MS;
	t->q[(t->q_head + t->q_len) % DSP_DTMF_QUEUE].d = digit;
	t->q[(t->q_head + t->q_len) % DSP_DTMF_QUEUE].ms = duration_ms;
	t->q_len++;
	return 0;
}

int dsp_dtmf_tx(struct dsp_dtmf *t, int16_t *amp, int n)
{
	int pos = 0;

	while (pos < n) {
		int len;

		if (!t->tx_playing) {
			char d[2] = { 0, 0 };

			if (!t->q_len)
				break;
			d[0] = t->q[t->q_head].d;
			dtmf_tx_set_timing(t->tx, t->q[t->q_head].ms, DSP_DTMF_GAP_MS);
			t->q_head = (t->q_head + 1) % DSP_DTMF_QUEUE;
			t->q_len--;
			if (dtmf_tx_put(t->tx, d, 1) != 0)
				continue;	/* cannot happen: spandsp's queue is empty */
			t->tx_playing = 1;
		}
		len = dtmf_tx(t->tx, amp + pos, n - pos);
		pos += len;
		if (pos < n) {
			/* this digit and its gap are over */
			t->tx_playing = 0;
			t->tx_count++;
			t->blank = RX_BLANK_TAIL;
		}
	}
	return pos;
}

uint64_t dsp_dtmf_tx_count(const struct dsp_dtmf *t)
{
	return t->tx_count;
}

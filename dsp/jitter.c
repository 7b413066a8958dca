/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A small fixed-delay playout buffer keyed by RTP sequence number.
 *
 * - Frames wait in a ring of JB_SLOTS slots (index = seq mod JB_SLOTS, so
 *   the 65535 -> 0 wrap needs no special case; all comparisons are 16-bit
 *   serial arithmetic).
 * - Start (and after an underrun): wait until `target` frames are held
 *   (seq span) or the first held frame has waited `target` gets, then
 *   play one frame per dsp_jb_get().
 * - Reorder: a frame is stored wherever it falls ahead of the play point;
 *   late (behind it) and duplicate frames are dropped.
 * - Loss: a missing frame at its turn gives 0 (the caller conceals).
 * - A jump of JB_SLOTS or more frames either way (new SSRC, sender restart)
 *   restarts the buffer on the new numbering: at once if nothing is held,
 *   else on the second such packet in a row (one stray packet does not
 *   flush good audio).
 * - Clock drift: the fill (frames from the play point to the newest) is
 *   watched over windows of DRIFT_WINDOW gets; if it never fell to target+1
 *   one frame is dropped, if it never reached target one frame is added
 *   (a 0 return without advancing).
 * Codec-independent: a slot holds one packet's payload, of any size up to
 * max_payload, with its RTP timestamp (RFC 3550 section 5.1); the caller's
 * codec stage decodes it. The depth is counted in packets of ptime_ms (the
 * packetisation the SDP agreed), played one per dsp_jb_get().
 */
#include "dsp/dsp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define JB_SLOTS 64		/* power of two; 1.28 s of 20 ms frames */
#define DRIFT_WINDOW 100	/* gets: 2 s of 20 ms frames */

enum jb_state { JB_EMPTY, JB_FILL, JB_PLAY };

struct dsp_jb {
	size_t max_payload;
	int target;		/* packets */
	uint8_t *data;		/* JB_SLOTS * max_payload */
	uint16_t seq[JB_SLOTS];
	uint32_t ts[JB_SLOTS];
	uint16_t len[JB_SLOTS];
	uint8_t valid[JB_SLOTS];
	enum jb_state state;
	uint16_t next;		/* seq to play next */
	uint16_t high;		/* newest seq held */
	int count;		/* frames held */
	int jumps;		/* out-of-window packets in a row */
	int waited;		/* gets spent filling with frames held */
	int win_n, win_min, win_max;
	struct dsp_jb_stats st;
};

int dsp_jb_new(int ptime_ms, int depth_ms, size_t max_payload, struct dsp_jb **out)
{
	struct dsp_jb *jb;

	*out = NULL;
	if (ptime_ms <= 0 || ptime_ms > 1000 || depth_ms < 0 || depth_ms > 1000 ||
	    !max_payload || max_payload > DSP_JB_MAX_PAYLOAD)
		return EINVAL;
	jb = calloc(1, sizeof(*jb));
	if (!jb)
		return ENOMEM;
	jb->data = calloc(JB_SLOTS, max_payload);
	if (!jb->data) {
		free(jb);
		return ENOMEM;
	}
	jb->max_payload = max_payload;
	jb->target = (depth_ms + ptime_ms - 1) / ptime_ms;
	if (jb->target < 1)
		jb->target = 1;
	if (jb->target > JB_SLOTS / 2)
		jb->target = JB_SLOTS / 2;
	jb->state = JB_EMPTY;
	*out = jb;
	return 0;
}

void dsp_jb_free(struct dsp_jb *jb)
{
	if (!jb)
		return;
	free(jb->data);
	free(jb);
}

static void win_reset(struct dsp_jb *jb)
{
	jb->win_n = 0;
	jb->win_min = JB_SLOTS * 2;
	jb->win_max = -JB_SLOTS * 2;
}

static void restart(struct dsp_jb *jb, uint16_t seq)
{
	memset(jb->valid, 0, sizeof(jb->valid));
	jb->count = 0;
	jb->next = jb->high = seq;
	jb->state = JB_FILL;
	jb->jumps = 0;
	jb->waited = 0;
	win_reset(jb);
}

static void store(struct dsp_jb *jb, uint16_t seq, uint32_t ts, const uint8_t *payload, size_t n)
{
	unsigned i = seq & (JB_SLOTS - 1);

	if (jb->valid[i] && jb->seq[i] == seq) {
		jb->st.dup++;
		return;
	}
	if (jb->valid[i])	/* cannot happen while the window is < JB_SLOTS */
		jb->count--;
	memcpy(jb->data + (size_t)i * jb->max_payload, payload, n);
	jb->seq[i] = seq;
	jb->ts[i] = ts;
	jb->len[i] = (uint16_t)n;
	jb->valid[i] = 1;
	jb->count++;
	jb->st.received++;
	if ((int16_t)(uint16_t)(seq - jb->high) > 0)
		jb->high = seq;
}

void dsp_jb_put(struct dsp_jb *jb, uint16_t seq, uint32_t ts, const uint8_t *payload, size_t n)
{
	int delta;

	if (!n || n > jb->max_payload || !payload) {
		jb->st.bad_size++;
		return;
	}
	if (jb->state == JB_EMPTY) {
		restart(jb, seq);
		store(jb, seq, ts, payload, n);
		return;
	}
	delta = (int16_t)(uint16_t)(seq - jb->next);
	if (delta >= JB_SLOTS || delta < -JB_SLOTS) {
		if (jb->count == 0 || ++jb->jumps >= 2) {
			jb->st.resyncs++;
			restart(jb, seq);
			store(jb, seq, ts, payload, n);
		} else {
			jb->st.late++;
		}
		return;
	}
	jb->jumps = 0;
	if (jb->state == JB_FILL) {
		if (jb->count == 0) {
			/* after an underrun: play from the first frame that comes */
			jb->next = jb->high = seq;
			delta = 0;
		} else if (delta < 0 && (int16_t)(uint16_t)(jb->high - seq) < JB_SLOTS) {
			/* an earlier frame while still filling: start from it */
			jb->next = seq;
			delta = 0;
		}
	}
	if (delta < 0) {
		jb->st.late++;
		return;
	}
	store(jb, seq, ts, payload, n);
}

/* Remove the packet at the play point (if held) and advance. 1 if held. */
static int pop(struct dsp_jb *jb, struct dsp_jb_pkt *out)
{
	unsigned i = jb->next & (JB_SLOTS - 1);
	int got = 0;

	if (jb->valid[i] && jb->seq[i] == jb->next) {
		if (out) {
			size_t n = jb->len[i] < out->cap ? jb->len[i] : out->cap;

			memcpy(out->data, jb->data + (size_t)i * jb->max_payload, n);
			out->len = n;
			out->seq = jb->seq[i];
			out->ts = jb->ts[i];
		}
		jb->valid[i] = 0;
		jb->count--;
		got = 1;
	}
	jb->next++;
	return got;
}

int dsp_jb_get(struct dsp_jb *jb, struct dsp_jb_pkt *out)
{
	int fill;

	if (jb->state == JB_EMPTY)
		return 0;
	fill = (int16_t)(uint16_t)(jb->high - jb->next) + 1;
	if (jb->state == JB_FILL) {
		/* a frame waits at most `target` gets (the end of a talkspurt) */
		if (jb->count == 0 || (fill < jb->target && ++jb->waited < jb->target))
			return 0;
		jb->state = JB_PLAY;
		jb->waited = 0;
		win_reset(jb);
	}
	if (jb->count == 0) {
		/* underrun: fill again to the target before playing on */
		jb->state = JB_FILL;
		jb->waited = 0;
		return 0;
	}
	if (fill < jb->win_min)
		jb->win_min = fill;
	if (fill > jb->win_max)
		jb->win_max = fill;
	if (++jb->win_n >= DRIFT_WINDOW) {
		int lo = jb->win_min, hi = jb->win_max;

		win_reset(jb);
		if (lo >= jb->target + 2) {
			/* the far clock runs fast: drop one frame */
			jb->st.drift_drop++;
			pop(jb, NULL);
		} else if (hi < jb->target) {
			/* the far clock runs slow: play one frame more */
			jb->st.drift_add++;
			return 0;
		}
	}
	if (pop(jb, out)) {
		jb->st.played++;
		return 1;
	}
	jb->st.lost++;
	return 0;
}

void dsp_jb_stats(const struct dsp_jb *jb, struct dsp_jb_stats *st)
{
	*st = jb->st;
}

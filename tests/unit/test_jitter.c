/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dsp_jb: in order, reorder, duplicate, loss, seq wrap, resync, drift. */
#include "dsp/dsp.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <string.h>

#define F 160

static void frame_of(uint16_t seq, uint8_t *p)
{
	memset(p, 0, F);
	p[0] = (uint8_t)(seq >> 8);
	p[1] = (uint8_t)seq;
}

static int seq_of(const uint8_t *p)
{
	return (p[0] << 8) | p[1];
}

static void put(struct dsp_jb *jb, uint16_t seq)
{
	uint8_t p[F];

	frame_of(seq, p);
	dsp_jb_put(jb, seq, (uint32_t)seq * F, p, F);
}

/* One get: the seq of the frame played, or -1 for none. */
static int get(struct dsp_jb *jb)
{
	uint8_t p[F];
	struct dsp_jb_pkt pk = { .data = p, .cap = F };

	return dsp_jb_get(jb, &pk) ? seq_of(p) : -1;
}

/* Feed `order` (one put per get after the prefill), check the played seqs. */
static int run(struct dsp_jb *jb, const int *order, int n, int *played, int max)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		if (order[i] >= 0)
			put(jb, (uint16_t)order[i]);
		if (k < max)
			played[k++] = get(jb);
	}
	while (k < max)
		played[k++] = get(jb);
	return k;
}

int main(void)
{
	struct dsp_jb *jb;
	struct dsp_jb_stats st;
	int played[64], ok;

	/* target 40 ms = 2 frames */
	TAP_OK(dsp_jb_new(20, 40, F, &jb) == 0, "dsp_jb_new(160, 40 ms)");
	TAP_OK(dsp_jb_get(jb, &(struct dsp_jb_pkt){ .data = (uint8_t[F]){ 0 }, .cap = F }) == 0, "empty buffer gives 0");

	/* in order: nothing during the 2-frame prefill, then 100..109 in order */
	{
		int order[12] = { 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, -1, -1 };

		run(jb, order, 12, played, 12);
		ok = played[0] == -1;
		for (int i = 0; i < 10; i++)
			ok = ok && played[1 + i] == 100 + i;
		TAP_OK(ok, "RFC 3550 in-order stream: one prefill frame of silence, then 100..109 in order");
	}
	dsp_jb_free(jb);

	/* reorder within the depth */
	dsp_jb_new(20, 60, F, &jb);
	{
		int order[12] = { 10, 12, 11, 13, 15, 14, 16, 18, 17, 19, -1, -1 };
		/* the prefill ends when the seq span (10..12) reaches 3 frames */
		int exp[] = { -1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, -1 };

		run(jb, order, 12, played, 12);
		TAP_OK(!memcmp(played, exp, sizeof(exp)), "reordered packets play in seq order");
	}
	dsp_jb_free(jb);

	/* duplicates */
	dsp_jb_new(20, 40, F, &jb);
	{
		int order[10] = { 1, 1, 2, 3, 3, 4, 5, 5, 6, -1 };

		run(jb, order, 10, played, 12);
		int n1 = 0, seen[8] = { 0 };

		for (int i = 0; i < 12; i++)
			if (played[i] > 0 && played[i] < 8)
				seen[played[i]]++;
		for (int i = 1; i <= 6; i++)
			n1 += seen[i] == 1;
		dsp_jb_stats(jb, &st);
		/* the second 5 comes after 5 was played: late rather than dup */
		TAP_OK(n1 == 6 && st.dup + st.late == 3,
		       "duplicates dropped: each of 1..6 played once (dup=%llu late=%llu)",
		       (unsigned long long)st.dup, (unsigned long long)st.late);
	}
	dsp_jb_free(jb);

	/* loss: 5 and 6 never come -> two 0 returns in their place */
	dsp_jb_new(20, 40, F, &jb);
	{
		int order[10] = { 1, 2, 3, 4, 7, 8, 9, 10, -1, -1 };
		int exp[] = { -1, 1, 2, 3, 4, -1, -1, 7, 8, 9, 10 };

		run(jb, order, 10, played, 11);
		dsp_jb_stats(jb, &st);
		TAP_OK(!memcmp(played, exp, sizeof(exp)) && st.lost == 2,
		       "lost packets give 0 at their turn (conceal), the rest stays in time (lost=%llu)",
		       (unsigned long long)st.lost);
	}
	/* late: 5 arrives after its turn */
	put(jb, 5);
	dsp_jb_stats(jb, &st);
	TAP_OK(st.late == 1, "a packet after its turn is dropped as late");
	dsp_jb_free(jb);

	/* wrap at 65535 */
	dsp_jb_new(20, 40, F, &jb);
	{
		int order[10] = { 65532, 65533, 65535, 65534, 0, 1, 2, 3, -1, -1 };
		int exp[] = { -1, 65532, 65533, 65534, 65535, 0, 1, 2, 3 };

		run(jb, order, 10, played, 9);
		TAP_OK(!memcmp(played, exp, sizeof(exp)), "RFC 3550 seq wrap 65535 -> 0 (with reorder across it)");
	}
	dsp_jb_free(jb);

	/* resync: a big jump (sender restart) */
	dsp_jb_new(20, 40, F, &jb);
	{
		int order[8] = { 500, 501, 502, 503, 20000, 20001, 20002, 20003 };

		run(jb, order, 8, played, 8);
		for (int i = 0; i < 6; i++)
			played[8 + i] = get(jb);
		dsp_jb_stats(jb, &st);
		int got = 0;

		for (int i = 0; i < 14; i++)
			got += played[i] >= 20001 && played[i] <= 20003;
		TAP_OK(st.resyncs == 1 && got == 3,
		       "seq jump of 19497: resync on the new numbering (resyncs=%llu, new frames played=%d)",
		       (unsigned long long)st.resyncs, got);
	}
	/* a single stray packet does not flush */
	{
		int k = 0, cont = 1, last = -1;

		/* the buffer holds frames when the stray comes */
		put(jb, 20004);
		put(jb, 20005);
		played[k++] = get(jb);
		put(jb, 9);
		for (int i = 2; i < 5; i++) {
			put(jb, (uint16_t)(20004 + i));
			played[k++] = get(jb);
		}
		while (k < 12 && (played[k] = get(jb)) >= 0)
			k++;
		for (int i = 0; i < k; i++) {
			if (played[i] < 0)
				continue;
			if (last >= 0 && played[i] != last + 1)
				cont = 0;
			last = played[i];
		}
		dsp_jb_stats(jb, &st);
		TAP_OK(st.resyncs == 1 && cont && last == 20008,
		       "one stray seq (9) does not resync: 20004..20008 play on (last %d)", last);
	}
	dsp_jb_free(jb);

	/* underrun: the sender stops for a while, then goes on (with lost seqs) */
	dsp_jb_new(20, 40, F, &jb);
	{
		int k = 0, seq = 0, ok2;

		for (int i = 0; i < 10; i++) {
			put(jb, (uint16_t)seq++);
			get(jb);
		}
		for (int i = 0; i < 10; i++)
			get(jb);
		seq += 10;	/* 10 frames lost in the outage */
		for (int i = 0; i < 5; i++) {
			put(jb, (uint16_t)seq++);
			played[k++] = get(jb);
		}
		ok2 = played[0] == -1 && played[1] == 20 && played[2] == 21 && played[3] == 22;
		TAP_OK(ok2, "after an underrun play resumes at the first new frame after the prefill (got %d %d %d %d)",
		       played[0], played[1], played[2], played[3]);
	}
	dsp_jb_free(jb);

	/* clock drift: far end 0.2% fast (one extra frame every 500) */
	dsp_jb_new(20, 40, F, &jb);
	{
		int seq = 0, held;

		for (int i = 0; i < 5000; i++) {
			put(jb, (uint16_t)seq++);
			if (i % 500 == 499)
				put(jb, (uint16_t)seq++);
			get(jb);
		}
		dsp_jb_stats(jb, &st);
		held = (int)(st.received - st.played - st.drift_drop);
		TAP_OK(st.drift_drop >= 8 && held <= 3 && st.lost == 0,
		       "fast far clock (+0.2%%): frames dropped (%llu) keep the delay at the target (held %d)",
		       (unsigned long long)st.drift_drop, held);
	}
	dsp_jb_free(jb);
	/* far end 0.2% slow: a frame missing every 500 gets */
	dsp_jb_new(20, 40, F, &jb);
	{
		int seq = 0;

		for (int i = 0; i < 5000; i++) {
			if (i % 500 != 499)
				put(jb, (uint16_t)seq++);
			get(jb);
		}
		dsp_jb_stats(jb, &st);
		TAP_OK(st.drift_add >= 8 && st.lost == 0,
		       "slow far clock (-0.2%%): frames added (%llu), none reported lost (%llu)",
		       (unsigned long long)st.drift_add, (unsigned long long)st.lost);
	}
	dsp_jb_free(jb);

	/* codec-independent: payloads of any size come back whole, with their
	 * RFC 3550 timestamps (G.722 at 16 kHz samples with an 8 kHz clock,
	 * section 4.5.2 of RFC 3551: ts need not equal the byte count) */
	dsp_jb_new(20, 20, 320, &jb);
	{
		uint8_t a[80], b[320], o[320];
		struct dsp_jb_pkt pk = { .data = o, .cap = sizeof(o) };
		int ok2 = 1;

		memset(a, 0x11, sizeof(a));
		memset(b, 0x22, sizeof(b));
		dsp_jb_put(jb, 7, 1000, a, sizeof(a));
		dsp_jb_put(jb, 8, 1160, b, sizeof(b));
		ok2 = dsp_jb_get(jb, &pk) == 1 && pk.len == 80 && pk.seq == 7 && pk.ts == 1000 &&
		      o[79] == 0x11;
		ok2 = ok2 && dsp_jb_get(jb, &pk) == 1 && pk.len == 320 && pk.seq == 8 &&
		      pk.ts == 1160 && o[319] == 0x22;
		TAP_OK(ok2, "RFC 3550 5.1: payloads of 80 and 320 bytes played whole with their seq and timestamp");
	}
	dsp_jb_free(jb);

	/* robustness */
	dsp_jb_new(20, 40, F, &jb);
	dsp_jb_put(jb, 1, 0, (uint8_t[F + 10]){ 0 }, F + 10);
	dsp_jb_stats(jb, &st);
	TAP_OK(st.bad_size == 1 && dsp_jb_get(jb, &(struct dsp_jb_pkt){ .data = (uint8_t[F]){ 0 }, .cap = F }) == 0, "payload of the wrong size is dropped");
	dsp_jb_free(jb);
	dsp_jb_free(NULL);
	TAP_OK(dsp_jb_new(20, 40, 0, &jb) == EINVAL && !jb, "bad frame size refused");
	return TAP_DONE();
}

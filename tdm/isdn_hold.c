/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Held SETUPs (isdn.c takes them from libpri, isdn_call.c offers them):
 * layer 2 can be up a moment before the span is. On a virtual span the
 * line connects media, then dchan, and may send SETUP within a millisecond, before its first media frame (what makes the media half
 * report in sync); on a card the media worker's report crosses threads.
 * Rejecting such a SETUP with cause 38 would lose the first call after
 * every recovery again, so it waits (not answered: the network's T303,
 * 4 s, runs) until the span is up, at most ISDN_HOLD_MS.
 */
#include "tdm/isdn_int.h"

#include "lib/log.h"

/* How long a SETUP that came before the span was up waits for it: the
 * media half reports in sync on the first frame, which a virtual line
 * sends within a chunk (20 ms) of connecting and at most LOF_MS (1 s,
 * virt_media.c) later before it is loss of frame anyway. */
#define ISDN_HOLD_MS 1000

static void held_drop(struct tdm_span *s, int i)
{
	struct isdn *in = s->sigp;

	in->held[i] = in->held[--in->nheld];
	if (!in->nheld)
		loop_timer_stop(in->hold_timer);
}

/* The far end cleared a held call: forget it (libpri finishes it). */
int isdn_held_forget(struct tdm_span *s, q931_call *q)
{
	struct isdn *in = s->sigp;

	for (int i = 0; i < in->nheld; i++) {
		if (in->held[i].q != q)
			continue;
		log_info(LOG_ISDN, "%s/B%d: held SETUP cleared by the network", s->name,
			 in->held[i].want);
		held_drop(s, i);
		return 1;
	}
	return 0;
}

/* Offer (or reject, if the span is still down) every held SETUP. */
static void held_release(struct tdm_span *s)
{
	struct isdn *in = s->sigp;

	while (in->nheld && in->pri) {
		struct isdn_held h = in->held[0];

		held_drop(s, 0);
		if (!s->sig_connected) {
			/* layer 1 gone: nothing to send, as isdn_clear_all */
			pri_destroycall(in->pri, h.q);
			continue;
		}
		if (!s->up)
			log_notice(LOG_ISDN, "%s/B%d: held SETUP: span still down after %d ms",
				   s->name, h.want, ISDN_HOLD_MS);
		isdn_call_setup(s, h.q, &h.setup, h.want, h.flexible);
	}
	isdn_kick(s);
}

void isdn_hold_timer(void *arg)
{
	held_release(arg);
}

void isdn_span_changed(struct tdm_span *s)
{
	struct isdn *in = s->sigp;

	/* From inside span_update (maybe inside a libpri event): offer the
	 * held calls from the loop, not from here. */
	if (in->nheld && (s->up || !s->sig_connected || !s->sig_up))
		loop_timer_start(in->hold_timer, 1);
}

int isdn_hold(struct tdm_span *s, q931_call *q, const struct tdm_setup *setup, int want,
	      int flexible)
{
	struct isdn *in = s->sigp;
	struct isdn_held *h;

	if (s->up || !s->sig_connected || !s->sig_up || in->nheld >= ISDN_HELD_MAX)
		return 0;
	h = &in->held[in->nheld++];
	h->q = q;
	h->setup = *setup;
	h->want = want;
	h->flexible = flexible;
	if (!loop_timer_active(in->hold_timer))
		loop_timer_start(in->hold_timer, ISDN_HOLD_MS);
	log_info(LOG_ISDN, "%s/B%d: SETUP held: layer 2 is up, the span not yet "
		 "(layer 1 %s, alarm %s)", s->name, want,
		 span_media_alarm(s) == TDM_ALARM_NONE ? "up" : "coming up",
		 tdm_alarm_name(span_media_alarm(s)));
	return 1;
}

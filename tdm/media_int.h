/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: the media half of a span (struct tdm_media), shared by
 * media.c and the backends virt_media.c and dahdi_media.c. Everything here
 * runs in the media worker's thread, except tdm_media_new/start (which may
 * run in the control thread before the worker's loop starts: they register
 * descriptors and timers only and call no callback) and the counters, which
 * any thread may read.
 */
#ifndef SIPGW_TDM_MEDIA_INT_H
#define SIPGW_TDM_MEDIA_INT_H

#include <stdatomic.h>

#include "tdm/tdm.h"

struct tdm_media_ops {
	int (*start)(struct tdm_media *m);
	void (*free)(struct tdm_media *m);
};

struct tdm_media {
	struct loop *loop;
	/* The span's control half: the media half reports its link there
	 * (span_media_report, atomic) and touches nothing else of it. */
	struct tdm_span *span;
	struct cfg_span cfg;	/* the span's, after layout_apply() */
	struct tdm_media_events ev;
	void *arg;
	char name[16];		/* "span1" */
	int nslots;		/* 31 (E1) or 24 (T1) */
	size_t chunk;		/* bytes per slot per frame */
	uint8_t idle;		/* 0xD5 A-law, 0xFF mu-law */

	_Atomic uint64_t frames, slips, bad, underruns, overruns;
	_Atomic int connected;

	const struct tdm_media_ops *ops;
	void *be;
};

/* Is chan a bearer channel of this span? */
int media_is_bearer(const struct tdm_media *m, int chan);
/* The link is now `alarm` (TDM_ALARM_NONE: in sync); why: what happened
 * (a loss of frame, the line's ALARM), or NULL. Kept, logged and passed on
 * by the span (span_media_report) when it changed. */
void media_report(struct tdm_media *m, enum tdm_alarm alarm, const char *why);
/* The link is in sync, as last reported. */
int media_link_up(const struct tdm_media *m);

extern const struct tdm_media_ops tdm_virt_media_ops;
extern const struct tdm_media_ops tdm_dahdi_media_ops;

#endif

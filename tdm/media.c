/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The media half of a span: what the virt and dahdi backends share. */
#include "tdm/media_int.h"
#include "tdm/span_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "tdm/layout.h"

int media_is_bearer(const struct tdm_media *m, int chan)
{
	return layout_is_bearer(&m->cfg, chan);
}

void media_report(struct tdm_media *m, enum tdm_alarm alarm, const char *why)
{
	span_media_report(m->span, alarm, why);
}

int media_link_up(const struct tdm_media *m)
{
	return span_media_alarm(m->span) == TDM_ALARM_NONE;
}

int tdm_media_new(struct loop *worker_loop, struct tdm_span *span,
		  const struct tdm_media_events *ev, void *arg, struct tdm_media **out)
{
	const struct cfg_span *cfg;
	struct tdm_media *m;

	if (!worker_loop || !span || !ev || !out)
		return EINVAL;
	cfg = &span->cfg;
	if (cfg->driver != CFG_DRIVER_VIRT && cfg->driver != CFG_DRIVER_DAHDI)
		return ENOTSUP;
	m = calloc(1, sizeof(*m));
	if (!m)
		return ENOMEM;
	m->loop = worker_loop;
	m->span = span;
	m->cfg = *cfg;
	m->ev = *ev;
	m->arg = arg;
	snprintf(m->name, sizeof(m->name), "span%d", cfg->id);
	m->nslots = layout_nslots(cfg);
	m->chunk = 8u * (size_t)(cfg->chunk_ms > 0 ? cfg->chunk_ms : 20);
	if (m->chunk > 320)
		m->chunk = 320;
	m->idle = cfg->law == CFG_LAW_ALAW ? 0xD5 : 0xFF;
	m->ops = cfg->driver == CFG_DRIVER_VIRT ? &tdm_virt_media_ops : &tdm_dahdi_media_ops;
	*out = m;
	return 0;
}

int tdm_media_start(struct tdm_media *m)
{
	int err = m->ops->start(m);

	if (err)
		log_err(LOG_MEDIA, "%s: cannot start media: %s", m->name, strerror(err));
	return err;
}

void tdm_media_free(struct tdm_media *m)
{
	if (!m)
		return;
	m->ops->free(m);
	free(m);
}

void tdm_media_stats(const struct tdm_media *m, struct tdm_media_stats *st)
{
	/* C11 atomics take non-const pointers; reading changes nothing. */
	struct tdm_media *mm = (struct tdm_media *)m;

	st->frames = atomic_load_explicit(&mm->frames, memory_order_relaxed);
	st->slips = atomic_load_explicit(&mm->slips, memory_order_relaxed);
	st->bad = atomic_load_explicit(&mm->bad, memory_order_relaxed);
	st->underruns = atomic_load_explicit(&mm->underruns, memory_order_relaxed);
	st->overruns = atomic_load_explicit(&mm->overruns, memory_order_relaxed);
	st->connected = atomic_load_explicit(&mm->connected, memory_order_relaxed);
}

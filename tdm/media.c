/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The media half of a span: what the virt and dahdi backends share. */
#include "tdm/media_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

int media_is_bearer(const struct tdm_media *m, int chan)
{
	return chan >= 1 && chan <= m->nslots && chan != m->cfg.dchannel &&
	       (m->cfg.channels & (1u << chan));
}

void media_report(struct tdm_media *m, int up, enum tdm_alarm alarm)
{
	if (up)
		alarm = TDM_ALARM_NONE;
	if (m->link_reported && m->link_up == up && m->link_alarm == alarm)
		return;
	m->link_reported = 1;
	m->link_up = up;
	m->link_alarm = alarm;
	log_notice(LOG_MEDIA, "%s: media link %s (alarm %s)", m->name, up ? "up" : "down",
		   tdm_alarm_name(alarm));
	if (m->ev.link)
		m->ev.link(m->arg, up, alarm);
}

int tdm_media_new(struct loop *worker_loop, const struct cfg_span *cfg,
		  const struct tdm_media_events *ev, void *arg, struct tdm_media **out)
{
	struct tdm_media *m;

	if (!worker_loop || !cfg || !ev || !out)
		return EINVAL;
	if (cfg->driver != CFG_DRIVER_VIRT && cfg->driver != CFG_DRIVER_DAHDI)
		return ENOTSUP;
	m = calloc(1, sizeof(*m));
	if (!m)
		return ENOMEM;
	m->loop = worker_loop;
	m->cfg = *cfg;
	m->ev = *ev;
	m->arg = arg;
	snprintf(m->name, sizeof(m->name), "span%d", cfg->id);
	m->nslots = cfg->type == CFG_SPAN_T1 ? 24 : 31;
	if (!m->cfg.dchannel)
		m->cfg.dchannel = cfg->type == CFG_SPAN_T1 ? 24 : 16;
	m->chunk = 8u * (size_t)(cfg->chunk_ms > 0 ? cfg->chunk_ms : 20);
	if (m->chunk > 320)
		m->chunk = 320;
	m->idle = cfg->law == CFG_LAW_ALAW ? 0xD5 : 0xFF;
	m->link_alarm = TDM_ALARM_RED;
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

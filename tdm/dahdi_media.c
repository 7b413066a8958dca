/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DAHDI backend, media side (media worker thread): one descriptor per
 * bearer channel, G.711 in the span's law, one chunk (160 bytes = 20 ms)
 * per read. For each chunk read: rx -> tx -> write the same length back,
 * so the card's clock paces both directions.
 *
 * Events (alarm, buffer under/overrun) arrive on the channel descriptors:
 * poll reports POLLPRI and read/write fail with ELAST until DAHDI_GETEVENT
 * fetches them. An alarm is reported once per span, not once per channel.
 *
 * Needs the DAHDI kernel driver; tests/vm/ exercises it.
 */
#include "tdm/dahdi_int.h"
#include "tdm/media_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/log.h"

/*
 * Buffer policy: IMMEDIATE with 4 buffers of one chunk each. Immediate
 * playout keeps the added delay at one chunk (we write exactly one chunk
 * per chunk read, so the card never waits for a buffer to fill); 4 buffers
 * (80 ms) absorb a worker that is late by up to three chunk periods before
 * the card underruns, which DAHDI_BUFFER_EVENTS then counts.
 */
#define DM_NUMBUFS 4

struct dahdi_chan {
	struct tdm_media *m;
	int ch;
	int fd;
};

struct dahdi_media {
	struct dahdi_chan chans[32];
	int first;		/* lowest bearer channel: counts frames */
	enum tdm_alarm alarm;
	struct loop_timer *init; /* first link report, from the worker's loop */
	uint8_t rx[320], tx[320];
};

static void report(struct tdm_media *m, enum tdm_alarm alarm)
{
	struct dahdi_media *d = m->be;

	d->alarm = alarm;
	atomic_store_explicit(&m->connected, alarm == TDM_ALARM_NONE, memory_order_relaxed);
	media_report(m, alarm == TDM_ALARM_NONE, alarm);
}

static void chan_event(struct dahdi_chan *c)
{
	struct tdm_media *m = c->m;
	int ev;

	if (ioctl(c->fd, DAHDI_GETEVENT, &ev) < 0 || ev == DAHDI_EVENT_NONE)
		return;
	switch (ev) {
	case DAHDI_EVENT_ALARM: {
		enum tdm_alarm a = dahdi_span_alarm(c->fd);
		report(m, a != TDM_ALARM_NONE ? a : TDM_ALARM_RED); /* the event says alarm */
		break;
	}
	case DAHDI_EVENT_NOALARM:
		report(m, dahdi_span_alarm(c->fd));
		break;
	case DAHDI_EVENT_WRITE_UNDERRUN:
		atomic_fetch_add_explicit(&m->underruns, 1, memory_order_relaxed);
		log_debug(LOG_MEDIA, "%s/B%d: write underrun", m->name, c->ch);
		break;
	case DAHDI_EVENT_READ_OVERRUN:
		atomic_fetch_add_explicit(&m->overruns, 1, memory_order_relaxed);
		log_debug(LOG_MEDIA, "%s/B%d: read overrun", m->name, c->ch);
		break;
	default:
		log_debug(LOG_MEDIA, "%s/B%d: DAHDI event %d ignored", m->name, c->ch, ev);
		break;
	}
}

static void on_chan(int fd, uint32_t events, void *arg)
{
	struct dahdi_chan *c = arg;
	struct tdm_media *m = c->m;
	struct dahdi_media *d = m->be;
	size_t chunk = m->chunk;
	ssize_t n;

	if (events & EPOLLPRI)
		chan_event(c);
	if (!(events & EPOLLIN))
		return;
	n = read(fd, d->rx, chunk);
	if (n < 0) {
		if (errno == ELAST)
			chan_event(c);
		else if (errno != EAGAIN && errno != EINTR)
			log_warn(LOG_MEDIA, "%s/B%d: read: %s", m->name, c->ch, strerror(errno));
		return;
	}
	if (n == 0)
		return;
	if (c->ch == d->first)
		atomic_fetch_add_explicit(&m->frames, 1, memory_order_relaxed);
	if (m->ev.rx)
		m->ev.rx(m->arg, c->ch, d->rx, (size_t)n);
	memset(d->tx, m->idle, (size_t)n);
	if (m->ev.tx)
		m->ev.tx(m->arg, c->ch, d->tx, (size_t)n);
	if (write(fd, d->tx, (size_t)n) < 0) {
		if (errno == ELAST)
			chan_event(c);
		else if (errno == EAGAIN)
			atomic_fetch_add_explicit(&m->overruns, 1, memory_order_relaxed);
		else
			log_warn(LOG_MEDIA, "%s/B%d: write: %s", m->name, c->ch, strerror(errno));
	}
}

static void on_init(void *arg)
{
	struct tdm_media *m = arg;
	struct dahdi_media *d = m->be;

	report(m, dahdi_span_alarm(d->chans[d->first].fd));
}

/* Open and configure one bearer channel; returns fd or -errno. */
static int open_bearer(struct tdm_media *m, int ch)
{
	int channo = m->cfg.dahdi_base + ch - 1;
	int bs = (int)m->chunk, zero = 0, one = 1;
	int law = m->cfg.law == CFG_LAW_ALAW ? DAHDI_LAW_ALAW : DAHDI_LAW_MULAW;
	struct dahdi_bufferinfo bi = {
		.txbufpolicy = DAHDI_POLICY_IMMEDIATE, .rxbufpolicy = DAHDI_POLICY_IMMEDIATE,
		.numbufs = DM_NUMBUFS, .bufsize = (int)m->chunk,
	};
	char err[160];
	const char *what;
	int fd, e;

	fd = dahdi_open_chan(channo, err, sizeof(err));
	if (fd < 0) {
		log_err(LOG_MEDIA, "%s/B%d: %s", m->name, ch, err);
		return fd;
	}
	what = "DAHDI_SET_BLOCKSIZE";
	if (ioctl(fd, DAHDI_SET_BLOCKSIZE, &bs) < 0)
		goto fail;
	what = "DAHDI_SET_BUFINFO";
	if (ioctl(fd, DAHDI_SET_BUFINFO, &bi) < 0)
		goto fail;
	what = "DAHDI_SETLINEAR";
	if (ioctl(fd, DAHDI_SETLINEAR, &zero) < 0) /* G.711, not slinear */
		goto fail;
	what = "DAHDI_SETLAW";
	if (ioctl(fd, DAHDI_SETLAW, &law) < 0)
		goto fail;
	what = "DAHDI_BUFFER_EVENTS";
	if (ioctl(fd, DAHDI_BUFFER_EVENTS, &one) < 0)
		goto fail;
	/* dsp/ cancels echo in user space: the kernel canceller stays off.
	 * Not every build has one, so a failure here is not fatal. */
	if (ioctl(fd, DAHDI_ECHOCANCEL, &zero) < 0 && errno != EINVAL && errno != ENOTTY)
		log_debug(LOG_MEDIA, "%s/B%d: DAHDI_ECHOCANCEL off: %s", m->name, ch,
			  strerror(errno));
	return fd;
fail:
	e = errno;
	log_err(LOG_MEDIA, "%s/B%d: DAHDI channel %d: %s: %s", m->name, ch, channo, what,
		strerror(e));
	close(fd);
	return -e;
}

static void dm_free(struct tdm_media *m)
{
	struct dahdi_media *d = m->be;

	if (!d)
		return;
	for (int ch = 0; ch < 32; ch++) {
		if (d->chans[ch].fd < 0)
			continue;
		loop_fd_del(m->loop, d->chans[ch].fd);
		close(d->chans[ch].fd);
	}
	loop_timer_free(d->init);
	free(d);
	m->be = NULL;
}

static int dm_start(struct tdm_media *m)
{
	struct dahdi_media *d;
	int err = 0, n = 0;

	if (m->be)
		return EALREADY;
	if (m->cfg.dahdi_base < 1)
		return EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	m->be = d;
	for (int ch = 0; ch < 32; ch++)
		d->chans[ch].fd = -1;
	err = loop_timer_new(m->loop, on_init, m, &d->init);
	if (err)
		goto out;
	for (int ch = 1; ch <= m->nslots; ch++) {
		if (!media_is_bearer(m, ch))
			continue;
		int fd = open_bearer(m, ch);
		if (fd < 0) {
			err = -fd;
			goto out;
		}
		d->chans[ch] = (struct dahdi_chan){ .m = m, .ch = ch, .fd = fd };
		err = loop_fd_add(m->loop, fd, EPOLLIN | EPOLLPRI, on_chan, &d->chans[ch]);
		if (err)
			goto out;
		if (!n++)
			d->first = ch;
	}
	if (!n) {
		err = EINVAL;
		goto out;
	}
	/* The first link report comes from the worker's own loop. */
	loop_timer_start(d->init, 0);
	log_info(LOG_MEDIA, "%s: %d DAHDI bearer channels from %d, %zu-byte chunks", m->name,
		 n, m->cfg.dahdi_base, m->chunk);
	return 0;
out:
	dm_free(m);
	return err;
}

const struct tdm_media_ops tdm_dahdi_media_ops = {
	.start = dm_start,
	.free = dm_free,
};

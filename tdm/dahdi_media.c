/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DAHDI backend, media side (media worker thread): one descriptor per
 * bearer channel, G.711 in the span's law, one chunk (160 bytes = 20 ms)
 * per read. For each chunk the pacer (below) read, every channel sends one
 * chunk from the SIP side to the card, so the card's clock paces both
 * directions.
 *
 * One wakeup per chunk period for the whole span, not one per channel: the
 * driver fills every channel of a span in the same tick, so the first
 * bearer channel (the pacer) is the only one polled for data; when it has
 * k chunks, every channel is read k times (and a channel whose chunk was
 * not quite there yet is read once more next time) and written k times
 * (its transmit queue is drained by the same tick). The other descriptors
 * are polled for events (EPOLLPRI) only. 30 channels x 50 wakeups a second
 * would cost more than the audio itself.
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
 * Buffer policy, both directions: IMMEDIATE, DM_NUMBUFS buffers of one chunk
 * (DAHDI_SET_BLOCKSIZE = chunk), DAHDI_BUFFER_EVENTS on.
 *  - Receive: a read returns as soon as one chunk is in, so buffers cost no
 *    delay: 8 of them (160 ms) let the worker be late by seven chunk
 *    periods before the driver overruns (DAHDI_EVENT_READ_OVERRUN,
 *    counted). (The same number applies to transmit, where it is only a
 *    ceiling: the queue holds what we put in it.)
 *  - Transmit: we write one chunk per chunk read, so the card's clock paces
 *    both directions and the transmit queue keeps the depth it started
 *    with. Started empty, it would run dry whenever a write came a
 *    fraction of a millisecond after the driver wanted the next byte: the
 *    classic B-channel drop-out. The depth that counts is the one the
 *    queue has when a chunk comes in: the worker may be that late with its
 *    answer before the card underruns (DAHDI_EVENT_WRITE_UNDERRUN,
 *    counted). The queue is built so that DM_TXPRIME chunks are left in it
 *    then: the worker may be DM_TXPRIME chunk periods late (40 ms at 20 ms
 *    chunks), for that much added delay (the echo canceller's tail covers
 *    it). Priming DM_TXPRIME chunks is not enough: the next chunk comes in
 *    up to a chunk period after the priming (after DAHDI_FLUSH_READ or a
 *    receive overrun, the driver restarts the receive buffer at the next
 *    read or flush: exactly one chunk period), and the queue has drained by
 *    that much: only one chunk was left, 20 ms to be late by (measured in
 *    tests/vm: every 25 ms stop of sipgwd underran, and a rebuilt queue
 *    drained again at once). So one chunk more goes in: DM_TXPRIME + 1
 *    when the worker first reads the channel.
 *  - After an underrun the queue is rebuilt to the same depth at the end of
 *    that wakeup's reads: DM_TXPRIME chunks of idle, then the answer to the
 *    last chunk read (the next chunk is due within a chunk period). The
 *    chunks read before it to catch up are not answered: answering each
 *    would leave the queue as many chunks deeper as the worker was late,
 *    for good: more delay on every later chunk, an echo path longer than
 *    the canceller's tail, and a full queue (writes refused) after a long
 *    stall. Built this way the depth when the next chunk comes in is
 *    DM_TXPRIME chunks or up to one chunk period more.
 *    DM_TXPRIME + 2 chunks must fit in DM_NUMBUFS.
 * Buffers filled or drained before the worker's first read (the channels
 * are opened before the worker's loop runs) are flushed then, and buffer
 * events of a channel's first DM_SETTLE chunks (start-up) or while the span
 * is in alarm (nothing comes in, so nothing goes out) are not counted.
 */
#define DM_NUMBUFS 8
#define DM_TXPRIME 2
#define DM_SETTLE 5

struct dahdi_chan {
	struct tdm_media *m;
	int ch;
	int fd;
	int started;		/* flushed and primed at the first read */
	int owed;		/* chunks it was short of the pacer */
	int cycles;		/* chunks that went both ways, up to DM_SETTLE */
	int reprime;		/* underrun: rebuild the queue at the next read */
	int rebuild;		/* this wakeup's reads are not answered */
	unsigned long long reads, writes; /* chunks, for the log */
};

struct dahdi_media {
	struct dahdi_chan chans[32];
	int first;		/* lowest bearer channel: the pacer, counts frames */
	struct loop_timer *init; /* first link report, from the worker's loop */
	uint8_t rx[320], tx[320];
	uint8_t idle[320];	/* one chunk of the span's idle byte */
};

static void report(struct tdm_media *m, enum tdm_alarm alarm)
{
	atomic_store_explicit(&m->connected, alarm == TDM_ALARM_NONE, memory_order_relaxed);
	media_report(m, alarm, alarm == TDM_ALARM_NONE ? NULL : "the card's framer");
}

static void chan_event(struct dahdi_chan *c);

/* Queue one chunk toward the card while its queue is rebuilt. 0 or errno.
 * An event pending blocks the write (ELAST) until fetched; an underrun
 * fetched now is the one being mended, not a reason to rebuild again. */
static int tx_queue(struct dahdi_chan *c, const uint8_t *buf)
{
	size_t n = c->m->chunk;

	for (int tries = 0; write(c->fd, buf, n) < 0; tries++) {
		if (errno != ELAST || tries >= 4)
			return errno;
		chan_event(c);
		c->reprime = 0;
	}
	c->writes++;
	return 0;
}

/* Queue n chunks of idle toward the card. */
static void tx_prime(struct dahdi_chan *c, int n)
{
	struct dahdi_media *d = c->m->be;

	while (n-- > 0)
		if (tx_queue(c, d->idle))
			break;
}

/* The worker's first look at the channel: drop what the driver buffered
 * (and the events it raised) since the channel was opened, prime the
 * transmit queue. */
static void chan_start(struct dahdi_chan *c)
{
	int flush = DAHDI_FLUSH_READ | DAHDI_FLUSH_WRITE | DAHDI_FLUSH_EVENT;

	if (ioctl(c->fd, DAHDI_FLUSH, &flush) < 0)
		log_debug(LOG_MEDIA, "%s/B%d: DAHDI_FLUSH: %s", c->m->name, c->ch, strerror(errno));
	for (int i = 0; i < 8; i++)	/* events the flush did not take */
		if (dahdi_get_event(c->fd) == DAHDI_EVENT_NONE)
			break;
	c->started = 1;
	/* the flush restarted the receive buffer: the first chunk comes in
	 * one chunk period from now, and DM_TXPRIME chunks must be left then */
	tx_prime(c, DM_TXPRIME + 1);
	report(c->m, dahdi_span_alarm(c->fd)); /* the flush took any alarm event */
}

static void chan_event(struct dahdi_chan *c)
{
	struct tdm_media *m = c->m;
	int ev = dahdi_get_event(c->fd);

	if (ev == DAHDI_EVENT_NONE)
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
		if (!c->started)
			break;
		/* Prime the queue again when chunks come in (in alarm none do:
		 * the queue drains by design). */
		c->reprime = 1;
		if (c->cycles >= DM_SETTLE && media_link_up(m)) {
			atomic_fetch_add_explicit(&m->underruns, 1, memory_order_relaxed);
			log_info(LOG_MEDIA, "%s/B%d: write underrun (%llu chunks read, %llu written, %d owed)",
				 m->name, c->ch, c->reads, c->writes, c->owed);
		}
		break;
	case DAHDI_EVENT_READ_OVERRUN:
		if (!c->started)
			break;
		if (c->cycles >= DM_SETTLE && media_link_up(m)) {
			atomic_fetch_add_explicit(&m->overruns, 1, memory_order_relaxed);
			log_info(LOG_MEDIA, "%s/B%d: read overrun", m->name, c->ch);
		}
		break;
	default:
		log_debug(LOG_MEDIA, "%s/B%d: DAHDI event %d ignored", m->name, c->ch, ev);
		break;
	}
}

/* Read one chunk of c, to the SIP side. 1: done, 0: nothing there. */
static int chan_read(struct dahdi_chan *c)
{
	struct tdm_media *m = c->m;
	struct dahdi_media *d = m->be;
	ssize_t n;

	for (int tries = 0;; tries++) {
		n = read(c->fd, d->rx, m->chunk);
		if (n > 0)
			break;
		if (n < 0 && errno == ELAST && tries < 4) {
			chan_event(c);	/* pending events block reads until fetched */
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			log_warn(LOG_MEDIA, "%s/B%d: read: %s", m->name, c->ch, strerror(errno));
		return 0;
	}
	c->reads++;
	if (m->ev.rx)
		m->ev.rx(m->arg, c->ch, d->rx, (size_t)n);
	return 1;
}

/* One chunk from the SIP side toward the card, into d->tx and written,
 * except while the queue is to be rebuilt (an underrun: chan_done() then
 * queues the idle, then the last of these chunks). */
static void chan_write(struct dahdi_chan *c)
{
	struct tdm_media *m = c->m;
	struct dahdi_media *d = m->be;

	memset(d->tx, m->idle, m->chunk);
	if (m->ev.tx)
		m->ev.tx(m->arg, c->ch, d->tx, m->chunk);
	if (c->reprime) {
		c->reprime = 0;
		c->rebuild = 1;
	}
	if (c->rebuild)
		return;
	/* An event raised since the read blocks the write until fetched; a
	 * chunk not written would leave the queue one chunk short for good. */
	for (int tries = 0; write(c->fd, d->tx, m->chunk) < 0; tries++) {
		if (errno == ELAST && tries < 4) {
			chan_event(c);
			if (!c->reprime)
				continue;
			c->reprime = 0;	/* an underrun: chan_done() rebuilds */
			c->rebuild = 1;
			return;
		}
		if (errno == EAGAIN) {
			/* the queue is full: it never is by this policy */
			if (c->cycles >= DM_SETTLE && media_link_up(m)) {
				atomic_fetch_add_explicit(&m->overruns, 1, memory_order_relaxed);
				log_info(LOG_MEDIA, "%s/B%d: write refused, queue full", m->name, c->ch);
			}
		} else {
			log_warn(LOG_MEDIA, "%s/B%d: write: %s", m->name, c->ch, strerror(errno));
		}
		return;
	}
	c->writes++;
	if (c->cycles < DM_SETTLE)
		c->cycles++;
}

/* The end of c's wakeup: after an underrun, the transmit queue (empty) is
 * rebuilt at its designed depth: DM_TXPRIME chunks of idle, then the last
 * chunk from the SIP side (still in d->tx), so that DM_TXPRIME are left
 * when the pacer's next chunk comes in. */
static void chan_done(struct dahdi_chan *c)
{
	struct dahdi_media *d = c->m->be;

	if (!c->rebuild)
		return;
	c->rebuild = 0;
	tx_prime(c, DM_TXPRIME);
	tx_queue(c, d->tx);
}

/* c's share of a wakeup in which the pacer read k chunks: read what came
 * in (up to want chunks), and send k chunks: the card took k from every
 * channel's queue, whether or not this channel's own chunks are in yet.
 * (A channel whose receive buffer restarted later than the pacer's - a
 * flush or an overrun straddling one of the driver's ticks - is a chunk
 * behind on receive for good; were its writes tied to its reads, its
 * transmit queue would be a chunk short too, with 20 ms left to be late
 * by: seen as some 20 of the 30 channels underrunning at a 25 ms stop.)
 * Returns the chunks read. */
static int chan_wakeup(struct dahdi_chan *c, int want, int k)
{
	int got = 0;

	while (got < want && chan_read(c))
		got++;
	for (int i = 0; i < k; i++)
		chan_write(c);
	chan_done(c);
	return got;
}

/* The pacer is readable: every channel's chunks of this tick. */
static void on_pace(int fd, uint32_t events, void *arg)
{
	struct dahdi_chan *p = arg;
	struct tdm_media *m = p->m;
	struct dahdi_media *d = m->be;
	int k = 0;

	if (!p->started) {
		/* The worker's first wakeup: start every channel together. */
		for (int ch = 1; ch < 32; ch++)
			if (d->chans[ch].fd >= 0)
				chan_start(&d->chans[ch]);
		return;
	}
	if (events & EPOLLPRI)
		chan_event(p);
	if (!(events & EPOLLIN))
		return;
	while (k < DM_NUMBUFS && chan_read(p))
		k++;
	if (!k)
		return;
	for (int i = 0; i < k; i++)
		chan_write(p);
	chan_done(p);
	atomic_fetch_add_explicit(&m->frames, (uint64_t)k, memory_order_relaxed);
	for (int ch = 1; ch < 32; ch++) {
		struct dahdi_chan *c = &d->chans[ch];
		int want;

		if (c->fd < 0 || c == p)
			continue;
		want = k + c->owed;
		if (want > DM_NUMBUFS)
			want = DM_NUMBUFS;
		c->owed = want - chan_wakeup(c, want, k);
	}
}

/* Any other channel: events only (alarm, buffer events). */
static void on_chan_event(int fd, uint32_t events, void *arg)
{
	struct dahdi_chan *c = arg;

	if (events & EPOLLPRI)
		chan_event(c);
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
	/* Out of audio mode: the clear channel carries our G.711 bytes as they
	 * are (no gain tables, conferencing, tones or kernel echo canceller:
	 * leaving audio mode also frees one a previous user attached; dsp/
	 * cancels echo in user space). DAHDI_SETLINEAR and DAHDI_ECHOCANCEL
	 * only apply to audio mode (EINVAL here). */
	what = "DAHDI_AUDIOMODE";
	if (ioctl(fd, DAHDI_AUDIOMODE, &zero) < 0)
		goto fail;
	what = "DAHDI_SETLAW";
	if (ioctl(fd, DAHDI_SETLAW, &law) < 0)
		goto fail;
	what = "DAHDI_BUFFER_EVENTS";
	if (ioctl(fd, DAHDI_BUFFER_EVENTS, &one) < 0)
		goto fail;
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
	memset(d->idle, m->idle, sizeof(d->idle));
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
		if (!n++) {
			d->first = ch;
			err = loop_fd_add(m->loop, fd, EPOLLIN | EPOLLPRI, on_pace, &d->chans[ch]);
		} else {
			err = loop_fd_add(m->loop, fd, EPOLLPRI, on_chan_event, &d->chans[ch]);
		}
		if (err)
			goto out;
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

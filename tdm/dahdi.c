/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DAHDI backend, D-channel side (control thread). The span's D-channel
 * timeslot is a DAHDI HDLC channel (system.conf: hardhdlc= or dchan=):
 * one read gives one Q.921 frame + 2 FCS bytes, one write sends one, which
 * is what libpri expects (isdn.c). The descriptor stays open for the
 * span's life; a span alarm reported on it detaches libpri from it (frames
 * are dropped, as on a virtual span whose dchan socket closed) until the
 * alarm clears.
 *
 * Needs the DAHDI kernel driver; tests/vm/ exercises it.
 */
#include "tdm/dchan.h"
#include "tdm/dahdi_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/log.h"

struct dahdi_dchan {
	int fd;
	int channo;
	int in_alarm;
	uint64_t aborts, badfcs, overruns;
};

int dahdi_open_chan(int channo, char *err, size_t errlen)
{
	int fd = open(DAHDI_CHANNEL_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	int e;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "open %s: %s", DAHDI_CHANNEL_DEV, strerror(e));
		return -e;
	}
	if (ioctl(fd, DAHDI_SPECIFY, &channo) < 0) {
		e = errno;
		snprintf(err, errlen, "DAHDI_SPECIFY %d: %s", channo, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

int dahdi_get_event(int fd)
{
	int ev;

	if (ioctl(fd, DAHDI_GETEVENT, &ev) < 0)
		return DAHDI_EVENT_NONE;
	return ev;
}

/* DAHDI_SPANSTAT of the span the channel fd belongs to: 0 or errno. */
static int span_info(int fd, struct dahdi_spaninfo *si)
{
	struct dahdi_params p;

	memset(&p, 0, sizeof(p));
	memset(si, 0, sizeof(*si));
	if (ioctl(fd, DAHDI_GET_PARAMS, &p) < 0)
		return errno;
	si->spanno = p.spanno;
	if (ioctl(fd, DAHDI_SPANSTAT, si) < 0)
		return errno;
	return 0;
}

enum tdm_alarm dahdi_span_alarm(int fd)
{
	struct dahdi_spaninfo si;

	if (span_info(fd, &si))
		return TDM_ALARM_RED;
	return dahdi_alarm_from_bits(si.alarms);
}

enum tdm_alarm dahdi_alarm_from_bits(int alarms)
{
	if (alarms & (DAHDI_ALARM_RED | DAHDI_ALARM_LOS | DAHDI_ALARM_LFA |
		      DAHDI_ALARM_LMFA | DAHDI_ALARM_NOTOPEN | DAHDI_ALARM_RECOVER))
		return TDM_ALARM_RED;
	if (alarms & DAHDI_ALARM_BLUE)
		return TDM_ALARM_BLUE;
	if (alarms & DAHDI_ALARM_YELLOW)
		return TDM_ALARM_YELLOW;
	return TDM_ALARM_NONE; /* loopback alone is not an alarm */
}

static void set_alarm(struct tdm_span *s, int in_alarm)
{
	struct dahdi_dchan *d = s->dbe;

	if (d->in_alarm == in_alarm)
		return;
	d->in_alarm = in_alarm;
	isdn_attach(s, in_alarm ? -1 : d->fd);
}

static void dchan_event(struct tdm_span *s)
{
	struct dahdi_dchan *d = s->dbe;
	int ev = dahdi_get_event(d->fd);

	if (ev == DAHDI_EVENT_NONE)
		return;
	switch (ev) {
	case DAHDI_EVENT_ALARM:
		/* the media half reports the span's alarm (span_media_report) */
		log_debug(LOG_ISDN, "%s: D-channel %d: alarm (%s)", s->name, d->channo,
			  tdm_alarm_name(dahdi_span_alarm(d->fd)));
		set_alarm(s, 1);
		break;
	case DAHDI_EVENT_NOALARM:
		log_debug(LOG_ISDN, "%s: D-channel %d: alarm cleared", s->name, d->channo);
		set_alarm(s, 0);
		break;
	case DAHDI_EVENT_ABORT:
		d->aborts++;
		log_debug(LOG_ISDN, "%s: D-channel HDLC abort (%llu)", s->name,
			  (unsigned long long)d->aborts);
		break;
	case DAHDI_EVENT_BADFCS:
		d->badfcs++;
		log_debug(LOG_ISDN, "%s: D-channel bad FCS (%llu)", s->name,
			  (unsigned long long)d->badfcs);
		break;
	case DAHDI_EVENT_OVERRUN:
		d->overruns++;
		log_warn(LOG_ISDN, "%s: D-channel HDLC overrun (%llu)", s->name,
			 (unsigned long long)d->overruns);
		break;
	default:
		log_debug(LOG_ISDN, "%s: D-channel event %d ignored", s->name, ev);
		break;
	}
}

static void on_dchan(int fd, uint32_t events, void *arg)
{
	struct tdm_span *s = arg;
	uint8_t buf[TDM_DFRAME_MAX];

	if (events & EPOLLPRI)
		dchan_event(s);
	for (int i = 0; i < 32; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ELAST) {
				dchan_event(s); /* an event is pending: read fails until fetched */
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				log_warn(LOG_ISDN, "%s: D-channel read: %s", s->name, strerror(errno));
			return;
		}
		if (n == 0)
			return;
		isdn_input(s, buf, (size_t)n);
	}
}

static int dahdi_start(struct tdm_span *s)
{
	struct dahdi_dchan *d;
	struct dahdi_params p;
	/* Signalling frames are small and must not wait: start at once, with
	 * room for a burst of I-frames in both directions. */
	struct dahdi_bufferinfo bi = {
		.txbufpolicy = DAHDI_POLICY_IMMEDIATE, .rxbufpolicy = DAHDI_POLICY_IMMEDIATE,
		.numbufs = 16, .bufsize = 1024,
	};
	char err[160];
	int fd, e;

	if (s->dbe)
		return EALREADY;
	if (s->cfg.dahdi_base < 1)
		return EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->channo = s->cfg.dahdi_base + s->cfg.dchannel - 1;
	fd = dahdi_open_chan(d->channo, err, sizeof(err));
	if (fd < 0) {
		log_err(LOG_ISDN, "%s: D-channel: %s", s->name, err);
		free(d);
		return -fd;
	}
	memset(&p, 0, sizeof(p));
	if (ioctl(fd, DAHDI_GET_PARAMS, &p) < 0) {
		e = errno;
		log_err(LOG_ISDN, "%s: D-channel %d: DAHDI_GET_PARAMS: %s", s->name,
			d->channo, strerror(e));
		goto fail;
	}
	if ((p.sigtype & DAHDI_SIG_HDLCFCS) != DAHDI_SIG_HDLCFCS &&
	    (p.sigtype & DAHDI_SIG_HARDHDLC) != DAHDI_SIG_HARDHDLC) {
		e = EINVAL;
		log_err(LOG_ISDN, "%s: DAHDI channel %d is not an HDLC D-channel (sigtype 0x%x): "
			"configure it as dchan/hardhdlc in system.conf", s->name, d->channo,
			(unsigned)p.sigtype);
		goto fail;
	}
	if (ioctl(fd, DAHDI_SET_BUFINFO, &bi) < 0) {
		e = errno;
		log_err(LOG_ISDN, "%s: D-channel %d: DAHDI_SET_BUFINFO: %s", s->name,
			d->channo, strerror(e));
		goto fail;
	}
	e = loop_fd_add(s->loop, fd, EPOLLIN | EPOLLPRI, on_dchan, s);
	if (e)
		goto fail;
	d->fd = fd;
	d->in_alarm = dahdi_span_alarm(fd) != TDM_ALARM_NONE;
	s->dbe = d;
	log_info(LOG_ISDN, "%s: D-channel on DAHDI channel %d (%s)%s", s->name, d->channo,
		 p.name, d->in_alarm ? ", in alarm" : "");
	if (!d->in_alarm)
		isdn_attach(s, fd);
	return 0;
fail:
	close(fd);
	free(d);
	return e;
}

/* "TE2/0/1 (DAHDI span 1)", "DYN/loc/1:0 (DAHDI span 1)": DAHDI_SPANSTAT's
 * name, which dahdi_scan and /proc/dahdi show too. */
static int dahdi_describe(const struct tdm_span *s, char *buf, size_t len)
{
	struct dahdi_dchan *d = s->dbe;
	struct dahdi_spaninfo si;
	int err;

	if (!d)
		return ENODEV;
	err = span_info(d->fd, &si);
	if (err)
		return err;
	snprintf(buf, len, "%.40s (DAHDI span %d)", si.name, si.spanno);
	return 0;
}

static void dahdi_free(struct tdm_span *s)
{
	struct dahdi_dchan *d = s->dbe;

	if (!d)
		return;
	loop_fd_del(s->loop, d->fd);
	close(d->fd);
	free(d);
	s->dbe = NULL;
}

const struct tdm_dchan_ops tdm_dahdi_dchan_ops = {
	.name = "dahdi",
	.start = dahdi_start,
	.free = dahdi_free,
	.describe = dahdi_describe,
};

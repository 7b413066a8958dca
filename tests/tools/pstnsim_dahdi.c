/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pstnsim on a real DAHDI span (--dahdi BASE[:DCHAN]): the switch's
 * D-channel is the span's HDLC channel (system.conf dchan=/hardhdlc=), each
 * B-channel a DAHDI channel read and written 160 bytes (20 ms) at a time, so
 * the driver is the clock. Everything above the descriptors (libpri, calls,
 * the audio machinery, commands and events) is the same as on a virtual
 * span: pstnsim_isdn.c and pstnsim_audio.c do not know which one runs.
 *
 * Link state: "drop" closes every descriptor of the span (the far end's
 * spans may then be destroyed and re-created with dahdi_cfg to put the
 * gateway's span into alarm); "restore" reopens the D-channel, retrying
 * until the channel exists and is an HDLC channel again.
 */
#include "tests/tools/pstnsim_int.h"

#include <dahdi/user.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/log.h"

#define DAHDI_CHANNEL_DEV "/dev/dahdi/channel"
#define BCHUNK 160		/* 20 ms of G.711 */
#define TXPRIME 2		/* chunks queued ahead toward the driver, as sipgwd does */

struct bchan {
	int fd, ch;
	int reprime;		/* underrun: queue TXPRIME chunks again */
	uint8_t rx[BCHUNK], tx[BCHUNK];
};

static struct bchan B[32];
static int opened;		/* B[] initialised */

static const char *const alarm_names[] = { "clear", "red", "yellow", "blue" };

/* Open /dev/dahdi/channel and DAHDI_SPECIFY channo; fd or -errno. */
static int open_chan(int channo)
{
	int fd = open(DAHDI_CHANNEL_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC), e;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, DAHDI_SPECIFY, &channo) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int span_alarm(int fd)
{
	struct dahdi_params p;
	struct dahdi_spaninfo si;

	memset(&p, 0, sizeof(p));
	memset(&si, 0, sizeof(si));
	if (ioctl(fd, DAHDI_GET_PARAMS, &p) < 0)
		return 1;
	si.spanno = p.spanno;
	if (ioctl(fd, DAHDI_SPANSTAT, &si) < 0)
		return 1;
	if (si.alarms & (DAHDI_ALARM_RED | DAHDI_ALARM_LOS | DAHDI_ALARM_LFA |
			 DAHDI_ALARM_LMFA | DAHDI_ALARM_NOTOPEN | DAHDI_ALARM_RECOVER))
		return 1;
	if (si.alarms & DAHDI_ALARM_BLUE)
		return 3;
	if (si.alarms & DAHDI_ALARM_YELLOW)
		return 2;
	return 0;
}

/* Fetch one pending event of a channel (read/write fail with ELAST until
 * then). D-channel alarms become "ALARM from=line" events. */
static void chan_event(int fd, int is_dchan)
{
	int ev;

	if (ioctl(fd, DAHDI_GETEVENT, &ev) < 0 || ev == DAHDI_EVENT_NONE)
		return;
	switch (ev) {
	case DAHDI_EVENT_ALARM:
		if (is_dchan) {
			int a = span_alarm(fd);
			event("ALARM from=line state=%s", alarm_names[a ? a : 1]);
		}
		break;
	case DAHDI_EVENT_NOALARM:
		if (is_dchan)
			event("ALARM from=line state=clear");
		break;
	case DAHDI_EVENT_WRITE_UNDERRUN:
		S.slips++;
		for (struct bchan *b = B; b < B + 32; b++)
			if (b->fd == fd)
				b->reprime = 1;
		break;
	case DAHDI_EVENT_READ_OVERRUN:
		S.slips++;
		break;
	default:
		log_debug(LOG_MEDIA, "DAHDI event %d on %s", ev, is_dchan ? "D" : "B");
		break;
	}
}

/* ---- D-channel: libpri's read and write ---- */

int sim_dahdi_dread(void *buf, int buflen)
{
	for (int tries = 0; tries < 4; tries++) {
		ssize_t n = read(S.dchan_fd, buf, buflen);
		if (n >= 0)
			return (int)n;
		if (errno == ELAST) {
			chan_event(S.dchan_fd, 1);
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			log_warn(LOG_ISDN, "D-channel read: %s", strerror(errno));
		return 0;
	}
	return 0;
}

int sim_dahdi_dwrite(const void *buf, int buflen)
{
	for (int tries = 0; tries < 4; tries++) {
		if (write(S.dchan_fd, buf, buflen) == buflen)
			return 1;
		if (errno != ELAST)
			break;
		chan_event(S.dchan_fd, 1);
	}
	log_warn(LOG_ISDN, "D-channel write: %s", strerror(errno));
	return 0;
}

static void dchan_ready(int fd, uint32_t events, void *arg)
{
	if (events & EPOLLPRI)
		chan_event(fd, 1);
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		dchan_readable(fd, events, arg);
}

/* ---- B-channels ---- */

static struct call *call_on(int ch)
{
	for (struct call *c = S.calls; c; c = c->next)
		if (c->chan == ch)
			return c;
	return NULL;
}

/* One block read: hand it to the call's audio, answer with one block. */
static void bchan_ready(int fd, uint32_t events, void *arg)
{
	struct bchan *b = arg;
	struct call *c;
	ssize_t n;

	if (events & EPOLLPRI)
		chan_event(fd, 0);
	if (!(events & EPOLLIN))
		return;
	n = read(fd, b->rx, sizeof(b->rx));
	if (n < 0) {
		if (errno == ELAST)
			chan_event(fd, 0);
		else if (errno != EAGAIN && errno != EINTR)
			log_warn(LOG_MEDIA, "B%d: read: %s", b->ch, strerror(errno));
		return;
	}
	if (n == 0)
		return;
	S.frames_rx++;
	memset(b->tx, S.alaw ? 0xD5 : 0xFF, (size_t)n);
	if (b->reprime) {
		b->reprime = 0;
		for (int i = 0; i < TXPRIME; i++)
			if (write(fd, b->tx, (size_t)n) < 0)
				break;
	}
	if ((c = call_on(b->ch))) {
		sim_audio_rx(c->audio, b->rx, (int)n);
		sim_audio_tx(c->audio, b->tx, (int)n);
	}
	if (write(fd, b->tx, (size_t)n) != n) {
		if (errno == ELAST)
			chan_event(fd, 0);
		else
			S.slips++;
		return;
	}
	S.frames_tx++;
}

static int bchan_open(struct bchan *b)
{
	int channo = S.dahdi_base + b->ch - 1, bs = BCHUNK, zero = 0, one = 1;
	int law = S.alaw ? DAHDI_LAW_ALAW : DAHDI_LAW_MULAW;
	struct dahdi_bufferinfo bi = {
		.txbufpolicy = DAHDI_POLICY_IMMEDIATE, .rxbufpolicy = DAHDI_POLICY_IMMEDIATE,
		.numbufs = 8, .bufsize = BCHUNK,	/* as sipgwd: 160 ms of lateness */
	};
	int fd = open_chan(channo), err;

	if (fd < 0) {
		log_err(LOG_MEDIA, "B%d: DAHDI channel %d: %s", b->ch, channo, strerror(-fd));
		return -fd;
	}
	if (ioctl(fd, DAHDI_SET_BLOCKSIZE, &bs) < 0 || ioctl(fd, DAHDI_SET_BUFINFO, &bi) < 0 ||
	    ioctl(fd, DAHDI_AUDIOMODE, &zero) < 0 || ioctl(fd, DAHDI_SETLAW, &law) < 0 ||
	    ioctl(fd, DAHDI_BUFFER_EVENTS, &one) < 0) {
		err = errno;
		log_err(LOG_MEDIA, "B%d: DAHDI channel %d: setup: %s", b->ch, channo, strerror(err));
		close(fd);
		return err;
	}
	if ((err = loop_fd_add(S.loop, fd, EPOLLIN | EPOLLPRI, bchan_ready, b))) {
		close(fd);
		return err;
	}
	b->fd = fd;
	b->reprime = 1;	/* the transmit queue starts TXPRIME chunks deep */
	log_info(LOG_MEDIA, "B%d: DAHDI channel %d open", b->ch, channo);
	return 0;
}

static void bchan_close(struct bchan *b)
{
	if (b->fd < 0)
		return;
	loop_fd_del(S.loop, b->fd);
	close(b->fd);
	b->fd = -1;
	log_info(LOG_MEDIA, "B%d: closed", b->ch);
}

/* A B-channel is open while a call uses it: the driver clocks it from the
 * moment it is opened, and a closed channel costs nothing. */
void sim_dahdi_sync(void)
{
	if (!opened)
		return;
	for (int ch = 1; ch <= S.slots; ch++) {
		int want = S.dchan_fd >= 0 && chan_valid(ch) && call_on(ch);
		if (want && B[ch].fd < 0)
			bchan_open(&B[ch]);
		else if (!want && B[ch].fd >= 0)
			bchan_close(&B[ch]);
	}
}

/* ---- the span ---- */

void sim_dahdi_init(void)
{
	for (int ch = 0; ch < 32; ch++)
		B[ch] = (struct bchan){ .fd = -1, .ch = ch };
	opened = 1;
	S.have_config = 1;
	S.slots = 31;
	S.chunk = BCHUNK;
	S.alaw = 1;
	S.kind = 1;
}

/* Open the D-channel; 0, or an errno value (the caller retries). */
int sim_dahdi_connect(void)
{
	struct dahdi_params p;
	struct dahdi_bufferinfo bi = {
		.txbufpolicy = DAHDI_POLICY_IMMEDIATE, .rxbufpolicy = DAHDI_POLICY_IMMEDIATE,
		.numbufs = 16, .bufsize = 1024,
	};
	int channo = S.dahdi_base + S.dchan_slot - 1, fd, err;

	if (S.dchan_fd >= 0)
		return 0;
	fd = open_chan(channo);
	if (fd < 0)
		return -fd;
	memset(&p, 0, sizeof(p));
	if (ioctl(fd, DAHDI_GET_PARAMS, &p) < 0) {
		err = errno;
		goto fail;
	}
	if ((p.sigtype & DAHDI_SIG_HDLCFCS) != DAHDI_SIG_HDLCFCS &&
	    (p.sigtype & DAHDI_SIG_HARDHDLC) != DAHDI_SIG_HARDHDLC) {
		err = EAGAIN;	/* not configured (yet): dchan= in system.conf */
		goto fail;
	}
	if (ioctl(fd, DAHDI_SET_BUFINFO, &bi) < 0) {
		err = errno;
		goto fail;
	}
	if ((err = loop_fd_add(S.loop, fd, EPOLLIN | EPOLLPRI, dchan_ready, NULL)))
		goto fail;
	S.dchan_fd = fd;
	log_notice(LOG_ISDN, "D-channel on DAHDI channel %d (%s), span alarm %s", channo,
		   p.name, alarm_names[span_alarm(fd)]);
	return 0;
fail:
	close(fd);
	return err;
}

void sim_dahdi_close(void)
{
	if (!opened)
		return;
	for (int ch = 0; ch < 32; ch++)
		bchan_close(&B[ch]);
	if (S.dchan_fd >= 0) {
		loop_fd_del(S.loop, S.dchan_fd);
		close(S.dchan_fd);
		S.dchan_fd = -1;
	}
}

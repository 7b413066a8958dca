/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Virtual span, media side (media worker thread): listens on DIR/media
 * (../shared/virt-span.md, version 1), one line at a time. Sends 'C' on
 * accept; answers every 'F' from the line with exactly one 'F' of the same
 * seq, after running rx then tx for every bearer channel; passes 'E'
 * events up. Link state:
 *   not connected               -> down, red
 *   connected, no 'F' for > 1 s -> down, red (loss of frame)
 *   line's ALARM red/yellow/blue -> down, that alarm
 *   otherwise (frames flowing)  -> up
 */
#include "tdm/media_int.h"
#include "tdm/virt_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"

#define LOF_MS 1000	/* frames stopped this long: red alarm */

struct virt_media {
	struct virt_line line;
	int flowing;		/* an 'F' within the last LOF_MS */
	int have_seq;
	uint32_t last_seq;
	enum tdm_alarm line_alarm; /* the line's ALARM event */
	struct loop_timer *lof;
	uint64_t last_bad_log;
	uint8_t rx[VIRT_MSG_MAX];
	uint8_t tx[VIRT_MSG_MAX];
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put_hdr(uint8_t *p, char type, uint16_t count, uint32_t seq)
{
	p[0] = (uint8_t)type;
	p[1] = VIRT_VERSION;
	put16(p + 2, count);
	put32(p + 4, seq);
}

/* Report the link after an input changed; why: what changed. */
static void update(struct tdm_media *m, const char *why)
{
	struct virt_media *v = m->be;
	int conn = v->line.cfd >= 0;

	media_report(m, !conn || !v->flowing ? TDM_ALARM_RED : v->line_alarm, why);
}

static void bad(struct tdm_media *m, const char *why)
{
	struct virt_media *v = m->be;
	uint64_t now = loop_now_ms();

	atomic_fetch_add_explicit(&m->bad, 1, memory_order_relaxed);
	if (now - v->last_bad_log >= 1000) { /* at most one line a second */
		v->last_bad_log = now;
		log_warn(LOG_MEDIA, "%s: media message ignored: %s", m->name, why);
	}
}

static void drop(struct tdm_media *m, const char *why)
{
	struct virt_media *v = m->be;

	virt_line_drop(&v->line, why);
}

/* virt_line: the line is gone. */
static void line_gone(void *arg, const char *why)
{
	struct tdm_media *m = arg;
	struct virt_media *v = m->be;
	char what[96];

	v->flowing = 0;
	v->have_seq = 0;
	v->line_alarm = TDM_ALARM_NONE;
	loop_timer_stop(v->lof);
	atomic_store_explicit(&m->connected, 0, memory_order_relaxed);
	snprintf(what, sizeof(what), "media line gone (%s)", why);
	update(m, what);
}

static void on_lof(void *arg)
{
	struct tdm_media *m = arg;
	struct virt_media *v = m->be;

	v->flowing = 0;
	update(m, "no frame for 1 s: loss of frame");
}

static void frame(struct tdm_media *m, size_t n, uint16_t count, uint32_t seq)
{
	struct virt_media *v = m->be;
	size_t chunk = m->chunk, len = VIRT_HDR + (size_t)m->nslots * chunk;

	if (count != m->nslots || n != len) {
		bad(m, "frame size disagrees with 'C'");
		return;
	}
	atomic_fetch_add_explicit(&m->frames, 1, memory_order_relaxed);
	if (v->have_seq && seq != v->last_seq + 1) {
		uint32_t d = seq - v->last_seq;
		/* forward jump: the frames in between; anything else: one */
		uint64_t lost = d > 1 && d < 0x80000000u ? d - 1 : 1;
		atomic_fetch_add_explicit(&m->slips, lost, memory_order_relaxed);
		log_debug(LOG_MEDIA, "%s: slip: seq %u after %u", m->name, seq, v->last_seq);
	}
	v->have_seq = 1;
	v->last_seq = seq;
	loop_timer_start(v->lof, LOF_MS);
	if (!v->flowing) {
		v->flowing = 1;
		update(m, NULL);
		if (v->line.cfd < 0)
			return; /* a callback dropped us */
	}
	put_hdr(v->tx, 'F', count, seq);
	memset(v->tx + VIRT_HDR, m->idle, len - VIRT_HDR);
	for (int ch = 1; ch <= m->nslots; ch++) {
		if (!media_is_bearer(m, ch))
			continue;
		size_t off = VIRT_HDR + (size_t)(ch - 1) * chunk;
		if (m->ev.rx)
			m->ev.rx(m->arg, ch, v->rx + off, chunk);
		if (m->ev.tx)
			m->ev.tx(m->arg, ch, v->tx + off, chunk);
	}
	if (v->line.cfd >= 0 && send(v->line.cfd, v->tx, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			log_debug(LOG_MEDIA, "%s: frame %u not answered: line not reading",
				  m->name, seq);
		else
			drop(m, strerror(errno));
	}
}

static void event(struct tdm_media *m, size_t n, uint16_t count)
{
	struct virt_media *v = m->be;
	uint16_t code, value;

	if (n < VIRT_HDR + 4) {
		bad(m, "short 'E'");
		return;
	}
	code = get16(v->rx + VIRT_HDR);
	value = get16(v->rx + VIRT_HDR + 2);
	if (code == VIRT_E_ALARM) {
		if (count != 0 || value > TDM_ALARM_BLUE) {
			bad(m, "bad ALARM");
			return;
		}
		v->line_alarm = (enum tdm_alarm)value;
		update(m, "the line's ALARM");
	} else if (code >= VIRT_E_OFFHOOK && code < VIRT_E_ALARM) {
		if (count < 1 || count > m->nslots) {
			bad(m, "'E' for no such channel");
			return;
		}
		log_debug(LOG_MEDIA, "%s/B%u: line event %u value %u", m->name, count, code, value);
		if (m->ev.line)
			m->ev.line(m->arg, count, code, value);
	} else {
		bad(m, "unknown 'E' code");
	}
}

/* virt_line: one message from the line. */
static void line_msg(void *arg, size_t n)
{
	struct tdm_media *m = arg;
	struct virt_media *v = m->be;

	if (n < VIRT_HDR) {
		drop(m, "message shorter than the header");
		return;
	}
	if (n > sizeof(v->rx)) {
		bad(m, "message over 16 KiB");
		return;
	}
	if (v->rx[1] != VIRT_VERSION) {
		bad(m, "unknown version");
		return;
	}
	switch (v->rx[0]) {
	case 'F':
		frame(m, n, get16(v->rx + 2), get32(v->rx + 4));
		break;
	case 'E':
		event(m, n, get16(v->rx + 2));
		break;
	default:
		bad(m, "unknown type");
		break;
	}
}

/* virt_line: a line connected; it gets 'C' first. */
static int line_hello(void *arg, int fd)
{
	struct tdm_media *m = arg;
	uint8_t c[VIRT_HDR + 6];

	put_hdr(c, 'C', (uint16_t)m->nslots, 0);
	put16(c + VIRT_HDR, (uint16_t)m->chunk);
	c[VIRT_HDR + 2] = m->cfg.law == CFG_LAW_ALAW ? 1 : 0;
	c[VIRT_HDR + 3] = (uint8_t)m->cfg.type;
	put16(c + VIRT_HDR + 4, (uint16_t)m->cfg.dchannel);
	if (send(fd, c, sizeof(c), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(c)) {
		log_warn(LOG_MEDIA, "%s: cannot send 'C': %s", m->name, strerror(errno));
		return EIO;
	}
	return 0;
}

/* virt_line: the line is taken. */
static void line_up(void *arg)
{
	struct tdm_media *m = arg;
	struct virt_media *v = m->be;

	v->flowing = 0;
	v->have_seq = 0;
	v->line_alarm = TDM_ALARM_NONE;
	atomic_store_explicit(&m->connected, 1, memory_order_relaxed);
	loop_timer_start(v->lof, LOF_MS);
	log_notice(LOG_MEDIA, "%s: media line connected on %s ('C': %d slots x %zu, %s)",
		   m->name, v->line.path, m->nslots, m->chunk,
		   m->cfg.law == CFG_LAW_ALAW ? "A-law" : "mu-law");
}

static void vm_free(struct tdm_media *m)
{
	struct virt_media *v = m->be;

	if (!v)
		return;
	virt_line_close(&v->line);
	loop_timer_free(v->lof);
	free(v);
	m->be = NULL;
}

static int vm_start(struct tdm_media *m)
{
	struct virt_media *v;
	int err;

	if (m->be)
		return EALREADY;
	v = calloc(1, sizeof(*v));
	if (!v)
		return ENOMEM;
	v->line = (struct virt_line){
		.loop = m->loop, .span = m->name, .what = "media", .cat = LOG_MEDIA,
		.batch = 8, .buf = v->rx, .cap = sizeof(v->rx), .hello = line_hello,
		.up = line_up, .msg = line_msg, .gone = line_gone, .arg = m,
		.lfd = -1, .cfd = -1,
	};
	m->be = v;
	err = loop_timer_new(m->loop, on_lof, m, &v->lof);
	if (!err)
		err = virt_line_listen(&v->line, m->cfg.directory, "media");
	if (err)
		vm_free(m);
	return err;
}

const struct tdm_media_ops tdm_virt_media_ops = {
	.start = vm_start,
	.free = vm_free,
};

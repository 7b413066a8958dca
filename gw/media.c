/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gw/media.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dsp/dsp.h"
#include "gw/queue.h"
#include "lib/log.h"

#define QUEUE_DEPTH 1024
#define JB_DEPTH_MS 40
#define DIGIT_MS 100
/* Jitter buffer slots: any 8 kHz codec up to 16 bits a sample per chunk. */
#define JB_MAX_PAYLOAD(chunk) ((size_t)(chunk) * 2)

enum mcmd_type { MCMD_START, MCMD_UPDATE, MCMD_STOP, MCMD_QUIT };
struct mcmd {
	enum mcmd_type type;
	uint32_t stream;
	struct gw_media_params p;
};

enum mev_type { MEV_DIGIT };
struct mev {
	enum mev_type type;
	int span_id, chan;
	uint32_t stream;
	char digit;
	int from_card;
};

struct worker;
struct wspan;

/* One channel's media, owned by its worker. */
struct mchan {
	struct wspan *ws;
	int chan;
	int active;
	struct sip_rtp *rtp;
	struct dsp_stream *dsp;	/* pipeline + codec stage */
	struct dsp_jb *jb;
	int pt;
	uint32_t stream;		/* the stream running here (worker side) */
	_Atomic uint64_t last_rx_ms;	/* loop_now_ms() of the last RTP packet; read by gw */
	/* Control thread only: the stream it last started here, 0 once it
	 * asked for its stop. Events of any other stream are stale. */
	uint32_t ctl_stream;
	void *ctl_user;			/* its gw_media_params' user */
};

struct wspan {
	struct worker *w;
	const struct cfg_span *cfg;
	struct tdm_media *tm;
	enum dsp_law law;
	struct mchan ch[CFG_MAX_CHANNELS + 1]; /* by timeslot */
};

struct worker {
	struct gw_media *m;
	int idx;
	struct loop *loop;
	pthread_t th;
	int running;
	int cmd_efd, ev_efd;
	struct gw_queue *cmdq, *evq;
};

struct gw_media {
	struct loop *ctl_loop;
	const struct cfg *cfg;
	struct gw_media_events ev;
	void *arg;
	struct worker *workers;
	int nworkers;
	struct wspan *spans; /* in cfg->spans order */
	uint32_t next_stream;	/* control thread */
};

static void efd_kick(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one));
	(void)n;
}

static void efd_drain(int fd)
{
	uint64_t v;
	ssize_t n = read(fd, &v, sizeof(v));
	(void)n;
}

/* ---- worker side ---- */

static void post_event(struct worker *w, const struct mev *e)
{
	if (gw_queue_push(w->evq, e))
		log_err(LOG_MEDIA, "worker %d: event queue full, event %d lost", w->idx, e->type);
	else
		efd_kick(w->ev_efd);
}

static const char *chan_name(const struct mchan *mc, char *buf, size_t len)
{
	snprintf(buf, len, "span%d/B%d", mc->ws->cfg->id, mc->chan);
	return buf;
}

static void on_dsp_digit(void *arg, char digit, int end, int duration_ms)
{
	struct mchan *mc = arg;
	char nm[32];

	if (!mc->active)
		return;
	if (!end) {
		sip_rtp_dtmf_begin(mc->rtp, digit);
		struct mev e = { .type = MEV_DIGIT, .span_id = mc->ws->cfg->id, .chan = mc->chan,
				 .stream = mc->stream, .digit = digit, .from_card = 1 };
		post_event(mc->ws->w, &e);
	} else {
		sip_rtp_dtmf_end(mc->rtp);
		log_debug(LOG_DSP, "%s: in-band digit %c ended after %d ms",
			  chan_name(mc, nm, sizeof(nm)), digit, duration_ms);
	}
}

static const struct dsp_events dsp_ev = { .digit = on_dsp_digit };

static void on_rtp(int fd, uint32_t events, void *arg)
{
	struct mchan *mc = arg;
	struct sip_rtp_packet pkt;
	char nm[32];

	(void)fd;
	(void)events;
	while (mc->active && sip_rtp_recv(mc->rtp, &pkt) == 0) {
		atomic_store_explicit(&mc->last_rx_ms, loop_now_ms(), memory_order_relaxed);
		switch (pkt.kind) {
		case SIP_RTP_AUDIO:
			if (pkt.pt == mc->pt)
				dsp_jb_put(mc->jb, pkt.seq, pkt.ts, pkt.payload, pkt.len);
			break;
		case SIP_RTP_DIGIT:
			if (dsp_chan_send_digit(dsp_stream_chan(mc->dsp), pkt.digit, DIGIT_MS))
				log_warn(LOG_DSP, "%s: digit %c from RTP dropped (queue full)",
					 chan_name(mc, nm, sizeof(nm)), pkt.digit);
			else {
				struct mev e = { .type = MEV_DIGIT, .span_id = mc->ws->cfg->id,
						 .chan = mc->chan, .stream = mc->stream,
						 .digit = pkt.digit };
				post_event(mc->ws->w, &e);
			}
			break;
		default:
			break;
		}
	}
}

static void mchan_stop(struct mchan *mc)
{
	if (mc->rtp) {
		loop_fd_del(mc->ws->w->loop, sip_rtp_fd(mc->rtp));
		sip_rtp_free(mc->rtp);
	}
	dsp_stream_free(mc->dsp);
	dsp_jb_free(mc->jb);
	mc->rtp = NULL;
	mc->dsp = NULL;
	mc->jb = NULL;
	mc->active = 0;
	mc->stream = 0;
}

static int mchan_start(struct mchan *mc, uint32_t stream, const struct gw_media_params *p)
{
	struct wspan *ws = mc->ws;
	int chunk = ws->cfg->chunk_ms * 8;
	char nm[32];
	int err;

	if (mc->active)
		mchan_stop(mc);
	mc->rtp = p->rtp;
	struct dsp_stream_params dp = {
		.chan = { .law = ws->law, .chunk = chunk, .echo_cancel = p->echo_cancel,
			  .echo_tail_ms = p->echo_tail_ms, .dtmf_detect = 1 },
		.pt = p->pt,
	};
	err = dsp_stream_new(&dp, &dsp_ev, mc, &mc->dsp);
	if (!err) {
		/* "span1/B5" in dsp's lines */
		dsp_chan_set_name(dsp_stream_chan(mc->dsp), chan_name(mc, nm, sizeof(nm)));
		err = dsp_jb_new(ws->cfg->chunk_ms, JB_DEPTH_MS, JB_MAX_PAYLOAD(chunk), &mc->jb);
	}
	if (!err)
		err = sip_rtp_set_remote(mc->rtp, p->remote_addr, p->remote_port, p->pt, p->te_pt);
	if (!err)
		err = loop_fd_add(ws->w->loop, sip_rtp_fd(mc->rtp), EPOLLIN, on_rtp, mc);
	if (err) {
		log_err(LOG_MEDIA, "%s: media start failed: %s", chan_name(mc, nm, sizeof(nm)),
			strerror(err));
		mchan_stop(mc);
		return err;
	}
	mc->pt = p->pt;
	mc->stream = stream;
	atomic_store_explicit(&mc->last_rx_ms, 0, memory_order_relaxed);
	mc->active = 1;
	log_info(LOG_MEDIA, "%s: media started (stream %u), RTP %u -> %s:%u pt %d, echo canceller %s",
		 chan_name(mc, nm, sizeof(nm)), stream, sip_rtp_port(mc->rtp), p->remote_addr,
		 p->remote_port, p->pt, p->echo_cancel ? "on" : "off");
	return 0;
}

static void on_card_rx(void *arg, int chan, const uint8_t *g711, size_t n)
{
	struct wspan *ws = arg;
	struct mchan *mc;
	uint8_t out[DSP_JB_MAX_PAYLOAD];
	size_t len;

	if (chan < 1 || chan > CFG_MAX_CHANNELS)
		return;
	mc = &ws->ch[chan];
	if (!mc->active)
		return;
	len = dsp_stream_from_card(mc->dsp, g711, n, out, sizeof(out));
	if (len)
		sip_rtp_send_audio(mc->rtp, out, len);
}

static void on_card_tx(void *arg, int chan, uint8_t *g711, size_t n)
{
	struct wspan *ws = arg;
	struct mchan *mc;
	uint8_t frame[DSP_JB_MAX_PAYLOAD];
	struct dsp_jb_pkt pk = { .data = frame, .cap = sizeof(frame) };

	if (chan < 1 || chan > CFG_MAX_CHANNELS)
		return;
	mc = &ws->ch[chan];
	if (!mc->active)
		return;
	if (dsp_jb_get(mc->jb, &pk))
		dsp_stream_to_card(mc->dsp, frame, pk.len, g711, n);
	else
		dsp_stream_to_card(mc->dsp, NULL, 0, g711, n);
}

static void on_card_line(void *arg, int chan, int code, int value)
{
	struct wspan *ws = arg;

	log_debug(LOG_ANALOG, "span%d/%d: line event %d value %d (no analog support yet)",
		  ws->cfg->id, chan, code, value);
}

static const struct tdm_media_events card_ev = {
	.rx = on_card_rx, .tx = on_card_tx, .line = on_card_line,
};

static struct wspan *find_span(const struct gw_media *m, int span_id)
{
	for (size_t i = 0; i < m->cfg->nspans; i++)
		if (m->spans[i].cfg->id == span_id)
			return &m->spans[i];
	return NULL;
}

static struct mchan *find_chan(const struct gw_media *m, int span_id, int chan)
{
	struct wspan *ws = find_span(m, span_id);

	if (!ws || chan < 1 || chan > CFG_MAX_CHANNELS)
		return NULL;
	return &ws->ch[chan];
}

static void on_cmd(int fd, uint32_t events, void *arg)
{
	struct worker *w = arg;
	struct mcmd c;
	struct mchan *mc;

	(void)events;
	efd_drain(fd);
	while (gw_queue_pop(w->cmdq, &c) == 0) {
		mc = find_chan(w->m, c.p.span_id, c.p.chan);
		if (c.type != MCMD_START && c.type != MCMD_QUIT &&
		    (!mc || !mc->active || mc->stream != c.stream)) {
			/* that stream has ended: never touch the next one */
			log_debug(LOG_MEDIA, "span%d/B%d: command %d for ended stream %u ignored",
				  c.p.span_id, c.p.chan, c.type, c.stream);
			continue;
		}
		switch (c.type) {
		case MCMD_START:
			if (mc)
				mchan_start(mc, c.stream, &c.p);
			else
				sip_rtp_free(c.p.rtp);
			break;
		case MCMD_UPDATE:
			sip_rtp_set_remote(mc->rtp, c.p.remote_addr, c.p.remote_port, c.p.pt, c.p.te_pt);
			if (dsp_stream_set_pt(mc->dsp, c.p.pt) == 0)
				mc->pt = c.p.pt;
			break;
		case MCMD_STOP:
			mchan_stop(mc);
			break;
		case MCMD_QUIT:
			loop_break(w->loop);
			break;
		}
	}
}

/*
 * A worker must answer every chunk within its period. Real-time priority
 * keeps a busy host from delaying it; the work per chunk is small and the
 * thread sleeps in epoll between chunks, so it cannot starve the host.
 */
static void set_priority(struct worker *w, int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	int err;

	if (!prio)
		return;
	err = pthread_setschedparam(w->th, SCHED_FIFO, &sp);
	if (err)
		log_notice(LOG_MEDIA, "worker %d: no real-time priority (%s): normal scheduling",
			   w->idx, strerror(err));
	else
		log_info(LOG_MEDIA, "worker %d: real-time priority %d (SCHED_FIFO)", w->idx, prio);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int err;

	log_rt_thread(1);	/* its lines are queued, never waited for */
	err = loop_run(w->loop);

	if (err)
		log_err(LOG_MEDIA, "worker %d: loop failed: %s", w->idx, strerror(err));
	return NULL;
}

/* ---- control side ---- */

static void on_events(int fd, uint32_t events, void *arg)
{
	struct worker *w = arg;
	struct gw_media *m = w->m;
	struct mev e;

	(void)events;
	efd_drain(fd);
	while (gw_queue_pop(w->evq, &e) == 0) {
		switch (e.type) {
		case MEV_DIGIT: {
			struct mchan *mc = find_chan(m, e.span_id, e.chan);

			if (!mc || !e.stream || mc->ctl_stream != e.stream) {
				log_debug(LOG_MEDIA, "span%d/B%d: digit %c of ended stream %u dropped",
					  e.span_id, e.chan, e.digit, e.stream);
				break;
			}
			if (m->ev.digit)
				m->ev.digit(m->arg, mc->ctl_user, e.stream, e.digit, e.from_card);
			break;
		}
		}
	}
}

static int post_cmd(struct gw_media *m, int span_id, const struct mcmd *c)
{
	struct wspan *ws = find_span(m, span_id);
	int err;

	if (!ws)
		return ENOENT;
	err = gw_queue_push(ws->w->cmdq, c);
	if (err) {
		log_err(LOG_MEDIA, "worker %d: command queue full", ws->w->idx);
		return err;
	}
	efd_kick(ws->w->cmd_efd);
	return 0;
}

int gw_media_new(struct loop *ctl_loop, const struct cfg *cfg, struct tdm_span *const *spans,
		 const struct gw_media_events *ev, void *arg, struct gw_media **out)
{
	struct gw_media *m;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n, err = 0;

	m = calloc(1, sizeof(*m));
	if (!m)
		return ENOMEM;
	m->ctl_loop = ctl_loop;
	m->cfg = cfg;
	m->ev = *ev;
	m->arg = arg;
	n = cfg->general.media_workers > 0 ? cfg->general.media_workers : (int)(ncpu > 0 ? ncpu : 1);
	if ((size_t)n > cfg->nspans)
		n = cfg->nspans ? (int)cfg->nspans : 1;
	m->nworkers = n;
	m->workers = calloc(n, sizeof(*m->workers));
	m->spans = calloc(cfg->nspans ? cfg->nspans : 1, sizeof(*m->spans));
	if (!m->workers || !m->spans) {
		err = ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct worker *w = &m->workers[i];
		w->m = m;
		w->idx = i;
		w->cmd_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		w->ev_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (w->cmd_efd < 0 || w->ev_efd < 0) {
			err = errno;
			goto out;
		}
		err = loop_new(&w->loop);
		if (!err)
			err = gw_queue_new(sizeof(struct mcmd), QUEUE_DEPTH, &w->cmdq);
		if (!err)
			err = gw_queue_new(sizeof(struct mev), QUEUE_DEPTH, &w->evq);
		if (!err)
			err = loop_fd_add(w->loop, w->cmd_efd, EPOLLIN, on_cmd, w);
		if (!err)
			err = loop_fd_add(ctl_loop, w->ev_efd, EPOLLIN, on_events, w);
		if (err)
			goto out;
	}
	for (size_t i = 0; i < cfg->nspans; i++) {
		struct wspan *ws = &m->spans[i];
		ws->w = &m->workers[i % n];
		ws->cfg = &cfg->spans[i];
		ws->law = cfg->spans[i].law == CFG_LAW_ULAW ? DSP_LAW_ULAW : DSP_LAW_ALAW;
		for (int c = 0; c <= CFG_MAX_CHANNELS; c++) {
			ws->ch[c].ws = ws;
			ws->ch[c].chan = c;
		}
		err = tdm_media_new(ws->w->loop, spans[i], &card_ev, ws, &ws->tm);
		if (err) {
			log_err(LOG_MEDIA, "span%d: media: %s", ws->cfg->id, strerror(err));
			goto out;
		}
	}
	*out = m;
	return 0;
out:
	gw_media_free(m);
	return err;
}

int gw_media_start(struct gw_media *m)
{
	int err;

	for (size_t i = 0; i < m->cfg->nspans; i++) {
		err = tdm_media_start(m->spans[i].tm);
		if (err) {
			log_err(LOG_MEDIA, "span%d: media start: %s", m->spans[i].cfg->id, strerror(err));
			return err;
		}
	}
	for (int i = 0; i < m->nworkers; i++) {
		err = pthread_create(&m->workers[i].th, NULL, worker_main, &m->workers[i]);
		if (err)
			return err;
		m->workers[i].running = 1;
		set_priority(&m->workers[i], m->cfg->general.media_priority);
	}
	log_info(LOG_MEDIA, "%d media worker(s) for %zu span(s)", m->nworkers, m->cfg->nspans);
	return 0;
}

void gw_media_free(struct gw_media *m)
{
	if (!m)
		return;
	for (int i = 0; m->workers && i < m->nworkers; i++) {
		struct worker *w = &m->workers[i];
		if (w->running) {
			struct mcmd c = { .type = MCMD_QUIT };
			while (gw_queue_push(w->cmdq, &c))
				usleep(1000);
			efd_kick(w->cmd_efd);
			pthread_join(w->th, NULL);
			w->running = 0;
		}
	}
	/* workers are stopped: their objects can be freed from here */
	for (size_t i = 0; m->spans && i < m->cfg->nspans; i++) {
		struct wspan *ws = &m->spans[i];
		if (!ws->cfg)
			continue;
		for (int c = 0; c <= CFG_MAX_CHANNELS; c++)
			if (ws->ch[c].active)
				mchan_stop(&ws->ch[c]);
		tdm_media_free(ws->tm);
	}
	for (int i = 0; m->workers && i < m->nworkers; i++) {
		struct worker *w = &m->workers[i];
		struct mcmd c;
		/* commands never run: their RTP sockets are still ours */
		while (w->cmdq && gw_queue_pop(w->cmdq, &c) == 0)
			if (c.type == MCMD_START)
				sip_rtp_free(c.p.rtp);
		if (w->ev_efd > 0) {
			loop_fd_del(m->ctl_loop, w->ev_efd);
			close(w->ev_efd);
		}
		if (w->cmd_efd > 0)
			close(w->cmd_efd);
		loop_free(w->loop);
		gw_queue_free(w->cmdq);
		gw_queue_free(w->evq);
	}
	free(m->workers);
	free(m->spans);
	free(m);
}

int gw_media_nworkers(const struct gw_media *m)
{
	return m->nworkers;
}

int gw_media_chan_start(struct gw_media *m, const struct gw_media_params *p,
			struct gw_media_stream *out)
{
	struct mchan *mc = find_chan(m, p->span_id, p->chan);
	struct mcmd c = { .type = MCMD_START, .p = *p };
	int err = mc ? 0 : ENOENT;

	memset(out, 0, sizeof(*out));
	if (!++m->next_stream)
		++m->next_stream;	/* 0 is "none" */
	c.stream = m->next_stream;
	if (!err)
		err = post_cmd(m, p->span_id, &c);
	if (err) {
		sip_rtp_free(p->rtp);
		return err;
	}
	mc->ctl_stream = c.stream;
	mc->ctl_user = p->user;
	*out = (struct gw_media_stream){ .span_id = p->span_id, .chan = p->chan, .id = c.stream };
	return 0;
}

int gw_media_chan_update(struct gw_media *m, const struct gw_media_stream *s,
			 const struct gw_media_params *p)
{
	struct mcmd c = { .type = MCMD_UPDATE, .stream = s->id, .p = *p };

	c.p.rtp = NULL;
	c.p.span_id = s->span_id;
	c.p.chan = s->chan;
	return post_cmd(m, s->span_id, &c);
}

int gw_media_chan_stop(struct gw_media *m, const struct gw_media_stream *s)
{
	struct mchan *mc = find_chan(m, s->span_id, s->chan);
	struct mcmd c = { .type = MCMD_STOP, .stream = s->id };

	if (mc && mc->ctl_stream == s->id) {
		mc->ctl_stream = 0;	/* its late events are stale from now on */
		mc->ctl_user = NULL;
	}
	c.p.span_id = s->span_id;
	c.p.chan = s->chan;
	return post_cmd(m, s->span_id, &c);
}

uint64_t gw_media_chan_last_rx(const struct gw_media *m, const struct gw_media_stream *s)
{
	const struct mchan *mc = find_chan(m, s->span_id, s->chan);

	if (!mc || !s->id || mc->ctl_stream != s->id)
		return 0;
	return atomic_load_explicit(&mc->last_rx_ms, memory_order_relaxed);
}

void gw_media_span_stats(const struct gw_media *m, int span_id, struct tdm_media_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < m->cfg->nspans; i++)
		if (m->spans[i].cfg->id == span_id && m->spans[i].tm)
			tdm_media_stats(m->spans[i].tm, st);
}

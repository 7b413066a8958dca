/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gw/gw.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "gw/cause.h"
#include "gw/ctl.h"
#include "gw/media.h"
#include "gw/route.h"
#include "lib/log.h"
#include "lib/q850.h"
#include "lib/str.h"

/* How long a stopping daemon lets BYEs and DISCONNECTs reach the wire. */
#define STOP_GRACE_MS 500

static void on_media_digit(void *arg, void *user, uint32_t stream, char digit, int from_card)
{
	(void)stream;
	gw_call_digit(arg, user, digit, from_card);
}

static const struct gw_media_events media_ev = {
	.digit = on_media_digit,
};

struct gw_span *gw_span_by_id(struct gw *gw, int id)
{
	for (size_t i = 0; i < gw->nspans; i++)
		if (gw->spans[i].cfg->id == id)
			return &gw->spans[i];
	return NULL;
}

/* tdm/ logged the change and cleared the span's calls (each with its own
 * disconnected) before this; gw/ keeps no copy of the state: OPTIONS and
 * sipgwctl ask tdm_span_status(). */
int gw_options_status(struct gw *gw, const char *src_addr)
{
	/* A stranger learns nothing of our state: its INVITE gets a 403. */
	if (!gw_trunk_for_source(gw->cfg, src_addr))
		return 403;
	if (gw->stopping)
		return 503;
	for (size_t i = 0; i < gw->nspans; i++) {
		struct tdm_span_status st;
		tdm_span_status(gw->spans[i].ts, &st);
		if (st.up && st.nbusy < st.nchannels)
			return 200;
	}
	return 503;
}

static int options_status(void *arg, const char *src_addr)
{
	return gw_options_status(arg, src_addr);
}

static int end_cause(void *arg, enum sip_end why)
{
	(void)arg;
	return gw_cause_of_sip_end(why);
}

/* An unanswered INVITE whose call ended: RFC 3398 7.2.4.1. */
static int end_status(void *arg, int q850)
{
	(void)arg;
	return gw_cause_to_sip(q850);
}

static void on_log_queue(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	log_queue_drain();
}

static void on_signal(int fd, uint32_t events, void *arg)
{
	struct gw *gw = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_notice(LOG_GEN, "signal %d: stopping", (int)si.ssi_signo);
			gw_stop(gw);
			break;
		case SIGHUP: {
			struct cfg_errors errs = { 0 };
			log_notice(LOG_GEN, "SIGHUP: reloading %s", gw->cfg_path);
			gw_reload(gw, &errs);
			cfg_errors_free(&errs);
			break;
		}
		default:
			break;
		}
	}
}

static void on_stop_timer(void *arg)
{
	struct gw *gw = arg;

	loop_break(gw->loop);
}

void gw_stop(struct gw *gw)
{
	if (gw->stopping)
		return;
	gw->stopping = 1;
	if (gw->ncalls)
		log_notice(LOG_GEN, "clearing %zu call(s) with cause 16", gw->ncalls);
	gw_call_clear_all(gw, Q850_NORMAL_CLEARING);
	loop_timer_start(gw->stop_timer, STOP_GRACE_MS);
}

int gw_reload(struct gw *gw, struct cfg_errors *errs)
{
	struct cfg *cfg = NULL;
	int err;

	err = cfg_load(gw->cfg_path, &cfg, errs);
	if (err) {
		for (size_t i = 0; i < errs->n; i++)
			log_err(LOG_CONFIG, "%s", errs->msgs[i]);
		log_err(LOG_CONFIG, "reload of %s refused: the running config stays", gw->cfg_path);
		return err;
	}
	/* Spans and listening sockets are built once; say what a restart needs. */
	if (cfg->nspans != gw->span_cfg->nspans)
		log_warn(LOG_CONFIG, "span list changed: takes effect after a restart");
	for (size_t i = 0; i < cfg->nspans && i < gw->span_cfg->nspans; i++)
		if (cfg_span_needs_restart(&cfg->spans[i], &gw->span_cfg->spans[i]))
			log_warn(LOG_CONFIG, "span%d changed: takes effect after a restart",
				 cfg->spans[i].id);
	if (cfg_general_needs_restart(&cfg->general, &gw->span_cfg->general))
		log_warn(LOG_CONFIG, "[general] changed in what is set at start (SIP address, "
			 "control socket, pid file, media workers, retry_after, sip_t1, sip_t2): takes effect "
			 "after a restart");
	log_set_level(cfg->general.log_level);
	if (gw->cfg != gw->span_cfg)
		cfg_free(gw->cfg);
	gw->cfg = cfg;
	gw_trunks_sync(gw);
	log_notice(LOG_CONFIG, "reloaded %s: %zu trunk(s), %zu route(s)", gw->cfg_path,
		   cfg->ntrunks, cfg->nroutes);
	return 0;
}

/* The loop's own inputs: signals (signalfd) and the media workers' log
 * lines, which this loop writes out. 0 or errno. */
static int loop_inputs_open(struct gw *gw)
{
	sigset_t mask;
	int err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL); /* before any thread starts */
	signal(SIGPIPE, SIG_IGN);
	gw->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (gw->sigfd < 0)
		return errno;
	err = loop_fd_add(gw->loop, gw->sigfd, EPOLLIN, on_signal, gw);
	if (err)
		return err;
	err = log_queue_open();
	if (err)
		return err;
	gw->log_queue = 1;
	return loop_fd_add(gw->loop, log_queue_fd(), EPOLLIN, on_log_queue, gw);
}

int gw_new(const char *cfg_path, struct cfg *cfg, struct gw **out)
{
	struct gw *gw;
	struct tdm_span **ts;
	int err;

	gw = calloc(1, sizeof(*gw));
	if (!gw)
		return ENOMEM;
	gw->sigfd = -1;
	str_copy(gw->cfg_path, cfg_path, sizeof(gw->cfg_path));
	gw->span_cfg = cfg;
	gw->cfg = cfg;
	gw->start_ms = loop_now_ms();
	err = call_def_check();
	if (err)
		goto out;
	err = loop_new(&gw->loop);
	if (err)
		goto out;
	err = loop_timer_new(gw->loop, on_stop_timer, gw, &gw->stop_timer);
	if (err)
		goto out;

	err = loop_inputs_open(gw);
	if (err)
		goto out;

	gw->spans = calloc(cfg->nspans ? cfg->nspans : 1, sizeof(*gw->spans));
	if (!gw->spans) {
		err = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cfg->nspans; i++) {
		struct gw_span *sp = &gw->spans[i];
		sp->gw = gw;
		sp->cfg = &cfg->spans[i];
		err = tdm_span_new(gw->loop, sp->cfg, &gw_call_tdm_events, sp, &sp->ts);
		if (err) {
			log_err(LOG_ISDN, "span%d: %s", sp->cfg->id, strerror(err));
			goto out;
		}
		gw->nspans++;
	}
	ts = calloc(cfg->nspans ? cfg->nspans : 1, sizeof(*ts));
	if (!ts) {
		err = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cfg->nspans; i++)
		ts[i] = gw->spans[i].ts;
	err = gw_media_new(gw->loop, cfg, ts, &media_ev, gw, &gw->media);
	free(ts);
	if (err)
		goto out;
	struct sip_ua_params up = {
		.address = cfg->general.sip_address,
		.port = cfg->general.sip_port,
		.user_agent = cfg->general.user_agent,
		.retry_after = cfg->general.retry_after,
		.t1_ms = cfg->general.sip_t1,
		.t2_ms = cfg->general.sip_t2,
	};
	err = sip_ua_new(gw->loop, &up, &gw_call_sip_events, gw, &gw->ua);
	if (err)
		goto out;
	sip_ua_set_policy(gw->ua, &(struct sip_policy){
		.options_status = options_status, .end_cause = end_cause,
		.end_status = end_status, .arg = gw });
	err = gw_ctl_new(gw, cfg->general.control_socket, &gw->ctl);
	if (err)
		goto out;
	*out = gw;
	return 0;
out:
	gw->span_cfg = NULL; /* the caller still owns cfg */
	gw->cfg = NULL;
	gw_free(gw);
	return err;
}

int gw_start(struct gw *gw)
{
	int err;

	err = gw_ctl_start(gw->ctl);
	if (err) {
		log_err(LOG_CTL, "control socket %s: %s", gw->span_cfg->general.control_socket,
			strerror(err));
		return err;
	}
	err = sip_ua_start(gw->ua);
	if (err) {
		log_err(LOG_SIP, "SIP on %s:%d: %s", gw->span_cfg->general.sip_address,
			gw->span_cfg->general.sip_port, strerror(err));
		return err;
	}
	for (size_t i = 0; i < gw->nspans; i++) {
		err = tdm_span_start(gw->spans[i].ts);
		if (err) {
			log_err(LOG_ISDN, "span%d: start: %s", gw->spans[i].cfg->id, strerror(err));
			return err;
		}
	}
	err = gw_media_start(gw->media);
	if (err)
		return err;
	gw_trunks_sync(gw);
	return 0;
}

int gw_run(struct gw *gw)
{
	return loop_run(gw->loop);
}

void gw_free(struct gw *gw)
{
	if (!gw)
		return;
	gw_call_clear_all(gw, Q850_NORMAL_CLEARING); /* none are left after gw_stop() */
	gw_media_free(gw->media);
	if (gw->log_queue) {	/* the workers are gone: their last lines */
		loop_fd_del(gw->loop, log_queue_fd());
		log_queue_close();
	}
	gw_ctl_free(gw->ctl);
	gw_trunks_free(gw);	/* their keepalives before the UA */
	sip_ua_free(gw->ua);
	for (size_t i = 0; i < gw->nspans; i++)
		tdm_span_free(gw->spans[i].ts);
	free(gw->spans);
	if (gw->sigfd >= 0)
		close(gw->sigfd);
	loop_timer_free(gw->stop_timer);
	loop_free(gw->loop);
	if (gw->cfg != gw->span_cfg)
		cfg_free(gw->cfg);
	cfg_free(gw->span_cfg);
	free(gw);
}

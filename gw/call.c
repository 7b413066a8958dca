/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A call joins one TDM leg and one SIP leg with one state machine: a table
 * of (state, event) -> (action, next state). Anything not in the table is
 * refused and logged. One failure path, call_fail(): it records the cause,
 * clears whatever legs remain and frees the call.
 *
 * The rooms take ownership of a leg when it is cleared (tdm_call_hangup,
 * sip_call_hangup/respond >= 300) or when they report it gone
 * (disconnected, failed, terminated), so a leg pointer is dropped at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/cause.h"
#include "gw/gw.h"
#include "gw/media.h"
#include "gw/number.h"
#include "gw/route.h"
#include "lib/log.h"
#include "lib/q850.h"
#include "lib/str.h"
#include "sip/rtp.h"
#include "sip/sdp.h"

enum call_state {
	CS_ANY = -1,
	CS_TS_CALLING,	/* isdn->sip: INVITE sent */
	CS_TS_EARLY,	/* isdn->sip: 18x received, ALERTING/PROGRESS sent */
	CS_ST_CALLING,	/* sip->isdn: SETUP sent */
	CS_ST_EARLY,	/* sip->isdn: ALERTING/PROGRESS received, 18x sent */
	CS_ACTIVE,	/* answered both ways */
	CS_RELEASED,	/* both legs cleared: the call is freed */
	CS_COUNT
};

static const char *const state_names[CS_COUNT] = {
	[CS_TS_CALLING] = "CALLING", [CS_TS_EARLY] = "EARLY",
	[CS_ST_CALLING] = "CALLING", [CS_ST_EARLY] = "EARLY",
	[CS_ACTIVE] = "ACTIVE", [CS_RELEASED] = "RELEASED",
};

enum call_event {
	EV_TDM_PROCEEDING,
	EV_TDM_ALERTING,
	EV_TDM_PROGRESS,
	EV_TDM_CONNECTED,
	EV_TDM_CONNECT_ACK,
	EV_TDM_DISCONNECTED,	/* tdm leg gone */
	EV_TDM_CHAN_REFUSED,	/* tdm leg gone with cause 44: channel not available */
	EV_SIP_PROGRESS,
	EV_SIP_ANSWERED,
	EV_SIP_FAILED,		/* sip leg gone */
	EV_SIP_CONFIRMED,
	EV_SIP_TERMINATED,	/* sip leg gone */
	EV_SHUTDOWN,
	EV_COUNT
};

static const char *const event_names[EV_COUNT] = {
	[EV_TDM_PROCEEDING] = "tdm-proceeding", [EV_TDM_ALERTING] = "tdm-alerting",
	[EV_TDM_PROGRESS] = "tdm-progress", [EV_TDM_CONNECTED] = "tdm-connected",
	[EV_TDM_CONNECT_ACK] = "tdm-connect-ack", [EV_TDM_DISCONNECTED] = "tdm-disconnected",
	[EV_TDM_CHAN_REFUSED] = "tdm-channel-refused",
	[EV_SIP_PROGRESS] = "sip-progress", [EV_SIP_ANSWERED] = "sip-answered",
	[EV_SIP_FAILED] = "sip-failed", [EV_SIP_CONFIRMED] = "sip-confirmed",
	[EV_SIP_TERMINATED] = "sip-terminated", [EV_SHUTDOWN] = "shutdown",
};

struct call_ev {
	enum call_event type;
	int code;		/* SIP status */
	int cause;		/* Q.850 cause, -1 = none */
	int inband;
	const struct sip_sdp_media *sdp;
};

struct gw_call {
	struct gw_call *next;
	struct gw *gw;
	unsigned id;
	int outgoing_sip;	/* 1: isdn->sip, 0: sip->isdn */
	enum call_state state;
	struct gw_span *span;
	int chan;
	struct tdm_call *tc;
	struct sip_call *sc;
	char sip_call_id[128];
	char trunk[CFG_NAME_MAX];	/* isdn->sip: the trunk called */
	char calling[48], called[48];
	/* sip->isdn: what was placed, to place it again on another channel */
	struct tdm_setup setup;
	char group[CFG_NAME_MAX];
	uint32_t *tried;	/* per span of gw->spans: channels refused (cause 44) */
	/* media */
	struct sip_rtp *rtp;	/* ours until handed to a worker */
	int media_on;
	struct sip_sdp_media local;	/* our offer or answer */
	struct sip_sdp_media remote; /* sip->isdn: the caller's offer */
	int pt, te_pt;
	int alerted;
	/* The setup timer: sip->isdn no_answer_timeout from the SETUP,
	 * isdn->sip RFC 3261 Timer C from the INVITE and each 1xx; stopped
	 * when answered. */
	struct loop_timer *t_setup;
	/* Answered: no RTP from the SIP side for rtp_timeout ends the call. */
	struct loop_timer *t_rtp;
	uint64_t start_ms, answer_ms;
	unsigned digits;
	int cause;
};

typedef void (*call_action)(struct gw_call *c, const struct call_ev *e);

struct transition {
	enum call_state from;
	enum call_event ev;
	enum call_state to;
	call_action act;
};

/* ---- helpers ---- */

static const char *call_dir(const struct gw_call *c)
{
	return c->outgoing_sip ? "isdn->sip" : "sip->isdn";
}

static void call_log(const struct gw_call *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void call_log(const struct gw_call *c, int level, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->span)
		log_msg(LOG_ROUTE, level, "call %u (span%d/B%d){%s}: %s", c->id, c->span->cfg->id,
			c->chan, state_names[c->state], msg);
	else
		log_msg(LOG_ROUTE, level, "call %u (no channel){%s}: %s", c->id,
			state_names[c->state], msg);
}

static void on_t_setup(void *arg);
static void on_t_rtp(void *arg);

static struct gw_call *call_new(struct gw *gw, int outgoing_sip)
{
	struct gw_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (loop_timer_new(gw->loop, on_t_setup, c, &c->t_setup) ||
	    loop_timer_new(gw->loop, on_t_rtp, c, &c->t_rtp)) {
		loop_timer_free(c->t_setup);
		free(c);
		return NULL;
	}
	c->gw = gw;
	c->id = ++gw->next_call_id;
	c->outgoing_sip = outgoing_sip;
	c->state = outgoing_sip ? CS_TS_CALLING : CS_ST_CALLING;
	c->start_ms = loop_now_ms();
	c->pt = -1;
	c->te_pt = -1;
	c->cause = -1;
	c->next = gw->calls;
	gw->calls = c;
	gw->ncalls++;
	gw->calls_total++;
	return c;
}

static void call_free(struct gw_call *c)
{
	struct gw *gw = c->gw;

	for (struct gw_call **pp = &gw->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	gw->ncalls--;
	loop_timer_free(c->t_setup);
	loop_timer_free(c->t_rtp);
	free(c->tried);
	if (c->media_on)
		gw_media_chan_stop(gw->media, c->span->cfg->id, c->chan);
	sip_rtp_free(c->rtp);
	free(c);
}

/* Our SDP: the card's law first. */
static void local_sdp(struct gw_call *c, struct sip_sdp_media *m)
{
	const struct cfg_general *g = &c->gw->cfg->general;
	int alaw = !c->span || c->span->cfg->law == CFG_LAW_ALAW;

	memset(m, 0, sizeof(*m));
	str_copy(m->addr, g->rtp_address[0] ? g->rtp_address : g->sip_address, sizeof(m->addr));
	m->port = sip_rtp_port(c->rtp);
	m->pts[0] = alaw ? SIP_SDP_PT_PCMA : SIP_SDP_PT_PCMU;
	m->pts[1] = alaw ? SIP_SDP_PT_PCMU : SIP_SDP_PT_PCMA;
	m->npts = 2;
	m->te_pt = 101;
	m->ptime = 20;
	m->dir = SIP_SDP_SENDRECV;
	m->sess_id = c->id + 1000;
	m->sess_version = 1;
}

static int rtp_alloc(struct gw_call *c)
{
	const struct cfg_general *g = &c->gw->cfg->general;
	const char *addr = g->rtp_address[0] ? g->rtp_address : g->sip_address;

	return sip_rtp_new(addr, g->rtp_port_min, g->rtp_port_max, &c->rtp);
}

/* Start media (or update it) toward the remote SDP. */
static void media_to(struct gw_call *c, const struct sip_sdp_media *remote, int pt, int te_pt)
{
	struct gw_media_params p;
	const struct cfg_span *live = cfg_span_by_id(c->gw->cfg, c->span->cfg->id);

	if (!live)
		live = c->span->cfg;
	memset(&p, 0, sizeof(p));
	p.span_id = c->span->cfg->id;
	p.chan = c->chan;
	str_copy(p.remote_addr, remote->addr, sizeof(p.remote_addr));
	p.remote_port = remote->port;
	p.pt = pt;
	p.te_pt = te_pt;
	p.echo_cancel = live->echo_cancel;
	p.echo_tail_ms = live->echo_tail_ms;
	c->pt = pt;
	c->te_pt = te_pt;
	if (c->media_on) {
		gw_media_chan_update(c->gw->media, &p);
		return;
	}
	p.rtp = c->rtp;
	c->rtp = NULL; /* the worker's now */
	if (gw_media_chan_start(c->gw->media, &p) == 0)
		c->media_on = 1;
	else
		call_log(c, LOG_LVL_ERR, "media could not start");
}

/* Media from an SDP answer to our offer. */
static void media_from_answer(struct gw_call *c, const struct sip_sdp_media *sdp)
{
	int pt = -1;

	if (!sdp || !sdp->port)
		return;
	for (size_t i = 0; i < sdp->npts && pt < 0; i++)
		if (sdp->pts[i] == SIP_SDP_PT_PCMA || sdp->pts[i] == SIP_SDP_PT_PCMU)
			pt = sdp->pts[i];
	if (pt < 0) {
		call_log(c, LOG_LVL_WARN, "SDP answer has neither PCMA nor PCMU: no media");
		return;
	}
	media_to(c, sdp, pt, sdp->te_pt);
}

static void drop_tdm(struct gw_call *c, int cause)
{
	if (c->tc) {
		tdm_call_hangup(c->tc, cause);
		c->tc = NULL;
	}
}

static void drop_sip(struct gw_call *c, int cause)
{
	if (!c->sc)
		return;
	if (!c->outgoing_sip && c->state != CS_ACTIVE)
		sip_call_respond(c->sc, gw_cause_to_sip(cause), NULL, cause);
	else
		sip_call_hangup(c->sc, cause);
	c->sc = NULL;
}

/* The one failure path. */
static void call_fail(struct gw_call *c, int cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void call_fail(struct gw_call *c, int cause, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	call_log(c, LOG_LVL_NOTICE, "failed: %s (cause %d %s)", why, cause, gw_cause_name(cause));
	c->cause = cause;
	c->gw->calls_failed++;
	drop_tdm(c, cause);
	drop_sip(c, cause);
	c->state = CS_RELEASED;
	call_free(c);
}

/* ---- timers ---- */

/* (Re)start the setup timer: Timer C toward SIP, no-answer toward ISDN. */
static void setup_timer_start(struct gw_call *c)
{
	const struct cfg_general *g = &c->gw->cfg->general;
	int s = c->outgoing_sip ? g->sip_timer_c : g->no_answer_timeout;

	loop_timer_start(c->t_setup, (uint64_t)s * 1000);
}

static void on_t_setup(void *arg)
{
	struct gw_call *c = arg;
	int cause = c->alerted ? Q850_NO_ANSWER : Q850_NO_USER_RESPONDING;

	if (c->outgoing_sip)
		call_fail(c, cause, "Timer C (RFC 3261 section 16.6) expired after %d s with only "
			  "provisional responses", c->gw->cfg->general.sip_timer_c);
	else
		call_fail(c, cause, "no answer timer expired after %d s without CONNECT",
			  c->gw->cfg->general.no_answer_timeout);
}

/* Answered: watch the RTP from the SIP side (rtp_timeout; 0 = never). */
static void rtp_timer_start(struct gw_call *c, uint64_t ms)
{
	int s = c->gw->cfg->general.rtp_timeout;

	if (s > 0 && c->media_on)
		loop_timer_start(c->t_rtp, ms ? ms : (uint64_t)s * 1000);
}

static void on_t_rtp(void *arg)
{
	struct gw_call *c = arg;
	uint64_t limit = (uint64_t)c->gw->cfg->general.rtp_timeout * 1000, now = loop_now_ms();
	uint64_t last = gw_media_chan_last_rx(c->gw->media, c->span->cfg->id, c->chan);

	if (!limit || c->state != CS_ACTIVE || !c->sc)
		return;
	if (last < c->answer_ms)
		last = c->answer_ms;	/* none yet on this call */
	if (!sip_call_remote_sends(c->sc)) {
		rtp_timer_start(c, limit);	/* held: look again later */
		return;
	}
	if (now - last < limit) {
		rtp_timer_start(c, limit - (now - last));
		return;
	}
	call_fail(c, Q850_RECOVERY_ON_TIMER, "no RTP from the SIP side for %llu s (rtp_timeout)",
		  (unsigned long long)((now - last) / 1000));
}

/* ---- actions ---- */

static void act_none(struct gw_call *c, const struct call_ev *e)
{
	(void)c;
	(void)e;
}

/* isdn->sip: 1xx from SIP -> ALERTING or PROGRESS toward ISDN */
static void act_ts_progress(struct gw_call *c, const struct call_ev *e)
{
	setup_timer_start(c);	/* RFC 3261 section 16.7: reset on each 1xx */
	if (e->sdp)
		media_from_answer(c, e->sdp);
	if (e->code == 180 || e->code == 182) {
		if (!c->alerted)
			tdm_call_alert(c->tc, e->sdp != NULL);
		c->alerted = 1;
	} else if (e->sdp) {
		tdm_call_progress(c->tc, 1);
	}
}

static void act_ts_answered(struct gw_call *c, const struct call_ev *e)
{
	loop_timer_stop(c->t_setup);
	media_from_answer(c, e->sdp);
	if (!c->media_on)
		call_log(c, LOG_LVL_WARN, "answered without usable SDP: no audio");
	tdm_call_answer(c->tc);
	c->answer_ms = loop_now_ms();
	c->gw->calls_answered++;
	rtp_timer_start(c, 0);
}

static void act_ts_failed(struct gw_call *c, const struct call_ev *e)
{
	/* RFC 3398 8.2.6.1: a 488/606 whose Warning is about the media -> 65 */
	int cause = e->cause >= 0 ? e->cause : gw_sip_to_cause_ex(e->code, sip_call_warning(c->sc));

	if (e->code == 503)
		gw_trunk_backoff(c->gw, c->trunk, sip_call_retry_after(c->sc));

	c->sc = NULL; /* gone */
	c->cause = cause;
	call_log(c, LOG_LVL_INFO, "SIP %d -> cause %d (%s)", e->code, cause, gw_cause_name(cause));
	drop_tdm(c, cause);
}

/* The ISDN side cleared: BYE, CANCEL, or a final response. */
static void act_tdm_gone(struct gw_call *c, const struct call_ev *e)
{
	c->tc = NULL; /* gone */
	c->cause = e->cause;
	call_log(c, LOG_LVL_INFO, "ISDN cleared with cause %d (%s)", e->cause,
		 gw_cause_name(e->cause));
	drop_sip(c, e->cause);
}

/* The SIP side cleared (BYE or CANCEL). */
static void act_sip_gone(struct gw_call *c, const struct call_ev *e)
{
	int cause = e->cause >= 0 ? e->cause : Q850_NORMAL_CLEARING;

	c->sc = NULL; /* gone */
	c->cause = cause;
	call_log(c, LOG_LVL_INFO, "SIP cleared%s -> cause %d (%s)",
		 e->code == 487 ? " (CANCEL)" : "", cause, gw_cause_name(cause));
	drop_tdm(c, cause);
}

/*
 * sip->isdn: ALERTING -> 180, PROGRESS -> 183. When the network says
 * in-band information is there (progress indicator 1 or 8: ringback,
 * announcements), the response carries our SDP and media starts, so the
 * caller hears it (early media).
 */
static void act_st_early(struct gw_call *c, const struct call_ev *e)
{
	const struct sip_sdp_media *sdp = NULL;

	if (e->inband) {
		if (!c->media_on)
			media_to(c, &c->remote, c->pt, c->te_pt);
		sdp = &c->local;
	}
	if (e->type == EV_TDM_ALERTING) {
		if (!c->alerted || sdp)
			sip_call_respond(c->sc, 180, sdp, -1);
		c->alerted = 1;
	} else if (sdp) {
		sip_call_respond(c->sc, 183, sdp, -1);
	}
}

static void act_st_connected(struct gw_call *c, const struct call_ev *e)
{
	(void)e;
	loop_timer_stop(c->t_setup);
	if (!c->media_on)
		media_to(c, &c->remote, c->pt, c->te_pt);
	sip_call_respond(c->sc, 200, &c->local, -1);
	c->answer_ms = loop_now_ms();
	c->gw->calls_answered++;
	rtp_timer_start(c, 0);
}

static int place_in_group(struct gw_call *c);

/*
 * sip->isdn: the switch refused the channel we asked for exclusively
 * (cause 44, requested circuit/channel not available: Q.931 5.2.3.1; RFC
 * 3398 8.2.6.1 says to send the call on another circuit). The same SETUP
 * again on a free channel of the group not refused yet; when none is left
 * the caller gets the cause (503).
 */
static void act_st_retry(struct gw_call *c, const struct call_ev *e)
{
	struct gw *gw = c->gw;

	c->tc = NULL; /* gone */
	if (!c->tried)
		c->tried = calloc(gw->nspans, sizeof(*c->tried));
	if (c->tried && c->chan > 0 && c->chan < 32)
		c->tried[c->span - gw->spans] |= 1u << c->chan;
	if (c->tried && place_in_group(c) == 0) {
		call_log(c, LOG_LVL_NOTICE, "cause %d on the channel asked for: SETUP again on "
			 "span%d/B%d", e->cause, c->span->cfg->id, c->chan);
		return;
	}
	c->cause = e->cause;
	call_log(c, LOG_LVL_INFO, "cause %d (%s) and no other channel to try", e->cause,
		 gw_cause_name(e->cause));
	drop_sip(c, e->cause);
}

static void act_shutdown(struct gw_call *c, const struct call_ev *e)
{
	c->cause = e->cause;
	drop_tdm(c, e->cause);
	drop_sip(c, e->cause);
}

static const struct transition table[] = {
	/* isdn -> sip */
	{ CS_TS_CALLING, EV_SIP_PROGRESS, CS_TS_EARLY, act_ts_progress },
	{ CS_TS_EARLY, EV_SIP_PROGRESS, CS_TS_EARLY, act_ts_progress },
	{ CS_TS_CALLING, EV_SIP_ANSWERED, CS_ACTIVE, act_ts_answered },
	{ CS_TS_EARLY, EV_SIP_ANSWERED, CS_ACTIVE, act_ts_answered },
	{ CS_TS_CALLING, EV_SIP_FAILED, CS_RELEASED, act_ts_failed },
	{ CS_TS_EARLY, EV_SIP_FAILED, CS_RELEASED, act_ts_failed },
	{ CS_TS_CALLING, EV_TDM_DISCONNECTED, CS_RELEASED, act_tdm_gone },
	{ CS_TS_EARLY, EV_TDM_DISCONNECTED, CS_RELEASED, act_tdm_gone },
	{ CS_TS_CALLING, EV_TDM_CHAN_REFUSED, CS_RELEASED, act_tdm_gone },
	{ CS_TS_EARLY, EV_TDM_CHAN_REFUSED, CS_RELEASED, act_tdm_gone },
	{ CS_TS_CALLING, EV_SIP_TERMINATED, CS_RELEASED, act_sip_gone },
	{ CS_TS_EARLY, EV_SIP_TERMINATED, CS_RELEASED, act_sip_gone },
	/* sip -> isdn */
	{ CS_ST_CALLING, EV_TDM_PROCEEDING, CS_ST_CALLING, act_none },
	{ CS_ST_CALLING, EV_TDM_ALERTING, CS_ST_EARLY, act_st_early },
	{ CS_ST_CALLING, EV_TDM_PROGRESS, CS_ST_EARLY, act_st_early },
	{ CS_ST_EARLY, EV_TDM_ALERTING, CS_ST_EARLY, act_st_early },
	{ CS_ST_EARLY, EV_TDM_PROGRESS, CS_ST_EARLY, act_st_early },
	{ CS_ST_EARLY, EV_TDM_PROCEEDING, CS_ST_EARLY, act_none },
	{ CS_ST_CALLING, EV_TDM_CONNECTED, CS_ACTIVE, act_st_connected },
	{ CS_ST_EARLY, EV_TDM_CONNECTED, CS_ACTIVE, act_st_connected },
	{ CS_ST_CALLING, EV_TDM_DISCONNECTED, CS_RELEASED, act_tdm_gone },
	{ CS_ST_EARLY, EV_TDM_DISCONNECTED, CS_RELEASED, act_tdm_gone },
	{ CS_ST_CALLING, EV_TDM_CHAN_REFUSED, CS_ST_CALLING, act_st_retry },
	{ CS_ST_EARLY, EV_TDM_CHAN_REFUSED, CS_RELEASED, act_tdm_gone },
	{ CS_ST_CALLING, EV_SIP_TERMINATED, CS_RELEASED, act_sip_gone },
	{ CS_ST_EARLY, EV_SIP_TERMINATED, CS_RELEASED, act_sip_gone },
	/* answered */
	{ CS_ACTIVE, EV_TDM_DISCONNECTED, CS_RELEASED, act_tdm_gone },
	{ CS_ACTIVE, EV_TDM_CHAN_REFUSED, CS_RELEASED, act_tdm_gone },
	{ CS_ACTIVE, EV_SIP_TERMINATED, CS_RELEASED, act_sip_gone },
	{ CS_ACTIVE, EV_SIP_CONFIRMED, CS_ACTIVE, act_none },
	{ CS_ACTIVE, EV_TDM_CONNECT_ACK, CS_ACTIVE, act_none },
	{ CS_ACTIVE, EV_SIP_PROGRESS, CS_ACTIVE, act_none },
	{ CS_ACTIVE, EV_SIP_ANSWERED, CS_ACTIVE, act_none },
	/* everywhere */
	{ CS_ANY, EV_SHUTDOWN, CS_RELEASED, act_shutdown },
};

static void call_dispatch(struct gw_call *c, const struct call_ev *e)
{
	const struct transition *t = NULL;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if ((table[i].from == c->state || table[i].from == CS_ANY) && table[i].ev == e->type) {
			t = &table[i];
			break;
		}
	if (!t) {
		/* A leg that is gone cannot be refused: clear the other one. */
		if (e->type == EV_TDM_DISCONNECTED || e->type == EV_TDM_CHAN_REFUSED)
			c->tc = NULL;
		if (e->type == EV_SIP_FAILED || e->type == EV_SIP_TERMINATED)
			c->sc = NULL;
		if (!c->tc || !c->sc) {
			call_fail(c, e->cause >= 0 ? e->cause : Q850_TEMPORARY_FAILURE, "event %s in state %s",
				  event_names[e->type], state_names[c->state]);
			return;
		}
		call_log(c, LOG_LVL_WARN, "event %s refused", event_names[e->type]);
		return;
	}
	call_log(c, LOG_LVL_DEBUG, "%s -> %s", event_names[e->type], state_names[t->to]);
	t->act(c, e);
	c->state = t->to;
	if (!c->tc && !c->sc)
		c->state = CS_RELEASED;	/* no leg left */
	if (c->state == CS_RELEASED) {
		call_log(c, LOG_LVL_INFO, "released, cause %d (%s)", c->cause,
			 gw_cause_name(c->cause));
		call_free(c);
	}
}

static void tdm_event(struct tdm_call *tc, enum call_event type, int cause, int inband)
{
	struct gw_call *c = tdm_call_user(tc);
	struct call_ev e = { .type = type, .cause = cause, .inband = inband };

	if (c)
		call_dispatch(c, &e);
}

/* ---- isdn -> sip ---- */

void gw_call_tdm_incoming(struct gw *gw, struct gw_span *sp, struct tdm_call *tc,
		       const struct tdm_setup *s)
{
	const struct cfg *cfg = gw->cfg;
	char called[48] = "", calling[48] = "", ruri[320], from[320];
	const struct cfg_route *r;
	const struct cfg_trunk *t;
	struct gw_call *c;
	int err;

	c = call_new(gw, 1);
	if (!c) {
		tdm_call_hangup(tc, Q850_RESOURCE_UNAVAILABLE);
		return;
	}
	c->span = sp;
	c->chan = s->channel;
	c->tc = tc;
	tdm_call_set_user(tc, c);
	gw_number_to_e164(&cfg->numbering, s->called.digits, s->called.ton, called, sizeof(called));
	gw_number_to_e164(&cfg->numbering, s->calling.digits, s->calling.ton, calling,
			  sizeof(calling));
	str_copy(c->called, called, sizeof(c->called));
	str_copy(c->calling, calling, sizeof(c->calling));
	call_log(c, LOG_LVL_INFO, "SETUP from %s (%s) to %s (%s) -> %s to %s", s->calling.digits,
		 tdm_ton_name(s->calling.ton), s->called.digits, tdm_ton_name(s->called.ton),
		 calling[0] ? calling : "anonymous", called);

	r = gw_route_find(cfg, CFG_EP_GROUP, sp->cfg->group, called, s->called.digits);
	if (!r || r->to_kind != CFG_EP_TRUNK || !(t = cfg_trunk_by_name(cfg, r->to))) {
		call_fail(c, Q850_UNALLOCATED, "no route from group %s for %s", sp->cfg->group, called);
		return;
	}
	{
		int left = gw_trunk_backoff_left(gw, t->name);

		if (left) {
			/* the trunk's own word: switching equipment congestion */
			call_fail(c, Q850_CONGESTION, "trunk %s asked for no calls for %d s more (503 Retry-After)",
				  t->name, left);
			return;
		}
	}
	str_copy(c->trunk, t->name, sizeof(c->trunk));
	tdm_call_proceeding(tc);
	err = rtp_alloc(c);
	if (err) {
		call_fail(c, Q850_RESOURCE_UNAVAILABLE, "no RTP port: %s", strerror(err));
		return;
	}
	local_sdp(c, &c->local);
	gw_number_sip_uri(called[0] ? called : "unknown", t->host, t->port, ruri, sizeof(ruri));
	if (calling[0] && s->calling.pres == TDM_PRES_ALLOWED)
		gw_number_sip_uri(calling, t->domain[0] ? t->domain : cfg->general.sip_address, 0,
				  from, sizeof(from));
	else
		snprintf(from, sizeof(from), "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	err = sip_call_invite(gw->ua, ruri, from, ruri, t->host, t->port, &c->local, c, &c->sc);
	if (err) {
		call_fail(c, Q850_NETWORK_OUT_OF_ORDER, "INVITE to trunk %s failed: %s", t->name, strerror(err));
		return;
	}
	str_copy(c->sip_call_id, sip_call_id(c->sc), sizeof(c->sip_call_id));
	setup_timer_start(c);
	call_log(c, LOG_LVL_INFO, "INVITE %s via trunk %s (Call-ID %s)", ruri, t->name,
		 c->sip_call_id);
}

/* ---- sip -> isdn ---- */

/* c->setup on a channel of group c->group, hunted per span and leaving out
 * the channels that refused it (c->tried); 0 or the cause why not. */
static int place_in_group(struct gw_call *c)
{
	struct gw *gw = c->gw;
	int cause = Q850_NO_CIRCUIT;

	for (size_t i = 0; i < gw->nspans; i++) {
		struct gw_span *sp = &gw->spans[i];
		int ch = 0, err;

		if (strcmp(sp->cfg->group, c->group))
			continue;
		if (c->tried && c->tried[i] && (ch = tdm_span_hunt(sp->ts, c->tried[i])) < 0)
			continue;
		c->span = sp;
		err = tdm_call_place(sp->ts, ch, &c->setup, c, &c->tc);
		if (!err) {
			c->chan = tdm_call_channel(c->tc);
			return 0;
		}
		if (err == ENETDOWN && cause == Q850_NO_CIRCUIT)
			cause = Q850_NETWORK_OUT_OF_ORDER;
		else if (err == EBUSY)
			cause = Q850_NO_CIRCUIT;
		c->span = NULL;
	}
	return cause;
}

void gw_call_sip_incoming(struct gw *gw, struct sip_call *sc, const struct sip_invite_info *inv)
{
	const struct cfg *cfg = gw->cfg;
	const struct cfg_trunk *t;
	const struct cfg_route *r;
	struct tdm_setup s;
	char called_user[64] = "", calling_user[64] = "";
	struct gw_call *c;
	int err, cause;

	t = gw_trunk_for_source(cfg, inv->src_addr);
	if (!t) {
		log_notice(LOG_ROUTE, "INVITE %s from %s:%u refused: not a trunk's address (403)",
			   inv->call_id ? inv->call_id : "", inv->src_addr, inv->src_port);
		sip_call_refuse(sc, 403, -1);
		return;
	}
	c = call_new(gw, 0);
	if (!c) {
		sip_call_respond(sc, 500, NULL, 47);
		return;
	}
	c->sc = sc;
	sip_call_set_user(sc, c);
	str_copy(c->sip_call_id, inv->call_id ? inv->call_id : "", sizeof(c->sip_call_id));
	/* sip:, sips: and tel: (RFC 3966) alike: libosip2 has no user part for
	 * a tel: URI. */
	if (gw_uri_user(inv->request_uri, called_user, sizeof(called_user)) && inv->ruri_user)
		str_copy(called_user, inv->ruri_user, sizeof(called_user));
	if (gw_uri_user(inv->from_uri, calling_user, sizeof(calling_user)) && inv->from_user)
		str_copy(calling_user, inv->from_user, sizeof(calling_user));
	str_copy(c->called, called_user, sizeof(c->called));
	str_copy(c->calling, calling_user, sizeof(c->calling));
	call_log(c, LOG_LVL_INFO, "INVITE from %s to %s via trunk %s (%s:%u, Call-ID %s)",
		 calling_user, called_user, t->name, inv->src_addr, inv->src_port, c->sip_call_id);

	memset(&s, 0, sizeof(s));
	s.bearer = TDM_BEARER_SPEECH;
	if (gw_number_from_sip(&cfg->numbering, called_user, s.called.digits,
			       sizeof(s.called.digits), &s.called.ton) || !s.called.digits[0]) {
		call_fail(c, Q850_INVALID_NUMBER_FORMAT, "called number '%s' is not a number", called_user);
		return;
	}
	s.called.npi = 1;
	if (calling_user[0] && !gw_number_from_sip(&cfg->numbering, calling_user, s.calling.digits,
						   sizeof(s.calling.digits), &s.calling.ton)) {
		s.calling.npi = 1;
		s.calling.pres = TDM_PRES_ALLOWED;
	} else {
		s.calling.digits[0] = '\0';
		s.calling.pres = TDM_PRES_UNAVAILABLE;
	}

	r = gw_route_find(cfg, CFG_EP_TRUNK, t->name, called_user, s.called.digits);
	if (!r || r->to_kind != CFG_EP_GROUP) {
		call_fail(c, Q850_UNALLOCATED, "no route from trunk %s for %s", t->name, called_user);
		return;
	}
	if (!inv->has_sdp) {
		if (inv->sdp_error == ENOENT)
			call_fail(c, Q850_BEARER_NOT_IMPLEMENTED, "INVITE without SDP (late offer) is not supported yet");
		else
			call_fail(c, Q850_BEARER_NOT_IMPLEMENTED, "the INVITE's SDP offer is unusable: %s", strerror(inv->sdp_error));
		return;
	}
	err = rtp_alloc(c);
	if (err) {
		call_fail(c, Q850_RESOURCE_UNAVAILABLE, "no RTP port: %s", strerror(err));
		return;
	}
	{
		struct sip_sdp_media ours, answer;
		local_sdp(c, &ours);
		if (sip_sdp_negotiate(&inv->offer, &ours, &answer)) {
			call_fail(c, Q850_BEARER_NOT_IMPLEMENTED, "no codec in common with the offer");
			return;
		}
		c->local = answer;
		c->remote = inv->offer;
		c->pt = answer.pts[0];
		c->te_pt = answer.te_pt;
	}
	c->setup = s;
	str_copy(c->group, r->to, sizeof(c->group));
	cause = place_in_group(c);
	if (cause) {
		call_fail(c, cause, "group %s: %s", r->to,
			  cause == Q850_NETWORK_OUT_OF_ORDER ? "no span up" : "no free channel");
		return;
	}
	setup_timer_start(c);
	call_log(c, LOG_LVL_INFO, "SETUP to %s (%s) from %s on span%d/B%d", s.called.digits,
		 tdm_ton_name(s.called.ton), s.calling.digits[0] ? s.calling.digits : "-",
		 c->span->cfg->id, c->chan);
}

/* ---- events from the rooms ---- */

static void on_tdm_incoming(void *arg, struct tdm_call *tc, const struct tdm_setup *s)
{
	struct gw_span *sp = arg;

	gw_call_tdm_incoming(sp->gw, sp, tc, s);
}

static void on_tdm_proceeding(void *arg, struct tdm_call *tc)
{
	(void)arg;
	tdm_event(tc, EV_TDM_PROCEEDING, -1, 0);
}

static void on_tdm_alerting(void *arg, struct tdm_call *tc, int inband)
{
	(void)arg;
	tdm_event(tc, EV_TDM_ALERTING, -1, inband);
}

static void on_tdm_progress(void *arg, struct tdm_call *tc, int inband)
{
	(void)arg;
	tdm_event(tc, EV_TDM_PROGRESS, -1, inband);
}

static void on_tdm_connected(void *arg, struct tdm_call *tc)
{
	(void)arg;
	tdm_event(tc, EV_TDM_CONNECTED, -1, 0);
}

static void on_tdm_connect_ack(void *arg, struct tdm_call *tc)
{
	(void)arg;
	tdm_event(tc, EV_TDM_CONNECT_ACK, -1, 0);
}

static void on_tdm_disconnected(void *arg, struct tdm_call *tc, int cause)
{
	(void)arg;
	tdm_event(tc, gw_cause_retry_channel(cause) ? EV_TDM_CHAN_REFUSED : EV_TDM_DISCONNECTED,
		  cause, 0);
}

static void on_tdm_span_state(void *arg, struct tdm_span *ts, int up, enum tdm_alarm alarm)
{
	struct gw_span *sp = arg;

	(void)ts;
	gw_span_state(sp, up, alarm);
}

const struct tdm_span_events gw_call_tdm_events = {
	.incoming = on_tdm_incoming,
	.proceeding = on_tdm_proceeding,
	.alerting = on_tdm_alerting,
	.progress = on_tdm_progress,
	.connected = on_tdm_connected,
	.connect_ack = on_tdm_connect_ack,
	.disconnected = on_tdm_disconnected,
	.span_state = on_tdm_span_state,
};

static void sip_event(struct sip_call *sc, enum call_event type, int code, int cause,
		      const struct sip_sdp_media *sdp)
{
	struct gw_call *c = sip_call_user(sc);
	struct call_ev e = { .type = type, .code = code, .cause = cause, .sdp = sdp };

	if (c)
		call_dispatch(c, &e);
}

static void on_sip_incoming(void *arg, struct sip_call *sc, const struct sip_invite_info *inv)
{
	gw_call_sip_incoming(arg, sc, inv);
}

static void on_sip_progress(void *arg, struct sip_call *sc, int code, const struct sip_sdp_media *sdp)
{
	(void)arg;
	sip_event(sc, EV_SIP_PROGRESS, code, -1, sdp);
}

static void on_sip_answered(void *arg, struct sip_call *sc, const struct sip_sdp_media *sdp)
{
	(void)arg;
	sip_event(sc, EV_SIP_ANSWERED, 200, -1, sdp);
}

static void on_sip_failed(void *arg, struct sip_call *sc, int code, int q850)
{
	(void)arg;
	sip_event(sc, EV_SIP_FAILED, code, q850, NULL);
}

static void on_sip_confirmed(void *arg, struct sip_call *sc)
{
	(void)arg;
	sip_event(sc, EV_SIP_CONFIRMED, 0, -1, NULL);
}

static void on_sip_terminated(void *arg, struct sip_call *sc, int q850, enum sip_end why)
{
	(void)arg;
	sip_event(sc, EV_SIP_TERMINATED, why == SIP_END_CANCEL ? 487 : 0, q850, NULL);
}

const struct sip_events gw_call_sip_events = {
	.incoming = on_sip_incoming,
	.progress = on_sip_progress,
	.answered = on_sip_answered,
	.failed = on_sip_failed,
	.confirmed = on_sip_confirmed,
	.terminated = on_sip_terminated,
};

/* ---- all calls ---- */

void gw_call_clear_all(struct gw *gw, int cause)
{
	struct call_ev e = { .type = EV_SHUTDOWN, .cause = cause };

	while (gw->calls)
		call_dispatch(gw->calls, &e);
}

void gw_call_digit(struct gw *gw, int span_id, int chan, char digit, int from_card)
{
	for (struct gw_call *c = gw->calls; c; c = c->next) {
		if (!c->span || c->span->cfg->id != span_id || c->chan != chan)
			continue;
		c->digits++;
		call_log(c, LOG_LVL_INFO, "DTMF %c %s", digit,
			 from_card ? "in-band from ISDN -> RFC 4733" : "RFC 4733 -> in-band to ISDN");
		break;
	}
	if (from_card)
		gw->digits_to_sip++;
	else
		gw->digits_to_card++;
}

struct gw_call *gw_call_next(struct gw *gw, struct gw_call *prev)
{
	return prev ? prev->next : gw->calls;
}

void gw_call_get_info(const struct gw_call *c, struct gw_call_info *info)
{
	uint64_t now = loop_now_ms();

	memset(info, 0, sizeof(*info));
	info->id = c->id;
	info->direction = call_dir(c);
	info->state = state_names[c->state];
	info->span_id = c->span ? c->span->cfg->id : 0;
	info->chan = c->chan;
	str_copy(info->calling, c->calling, sizeof(info->calling));
	str_copy(info->called, c->called, sizeof(info->called));
	info->call_id = c->sip_call_id;
	info->age_ms = now - c->start_ms;
	info->answered_ms = c->answer_ms ? now - c->answer_ms : 0;
	info->digits = c->digits;
}

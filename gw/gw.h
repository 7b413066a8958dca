/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The gateway: one per process, owned by the control thread. It joins the
 * rooms: tdm spans, the SIP user agent, the media workers, the calls and
 * the control socket.
 */
#ifndef SIPGW_GW_GW_H
#define SIPGW_GW_GW_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/loop.h"
#include "sip/sip.h"
#include "tdm/tdm.h"

struct gw_call;
struct gw_media;
struct gw_ctl;
struct gw_trunk;

struct gw_span {
	struct gw *gw;
	const struct cfg_span *cfg;	/* from gw->span_cfg */
	struct tdm_span *ts;
};

struct gw {
	struct loop *loop;
	char cfg_path[CFG_PATH_MAX];
	/* The config the spans and media workers were built from: span
	 * changes need a restart, so it lives as long as the process. */
	struct cfg *span_cfg;
	/* The current config: routes, trunks, numbering (reload swaps it). */
	struct cfg *cfg;
	struct sip_ua *ua;
	struct gw_media *media;
	struct gw_span *spans;
	size_t nspans;
	struct gw_ctl *ctl;
	struct gw_trunk *trunks;	/* gw/trunk.c */
	int sigfd;
	int log_queue;		/* the real-time threads' log queue is open */
	int stopping;
	struct loop_timer *stop_timer;
	uint64_t start_ms;
	/* calls */
	struct gw_call *calls;
	size_t ncalls;
	unsigned next_call_id;
	uint64_t calls_total, calls_answered, calls_failed;
	uint64_t digits_to_sip, digits_to_card;
};

int gw_new(const char *cfg_path, struct cfg *cfg, struct gw **out);
int gw_start(struct gw *gw);
int gw_run(struct gw *gw);
void gw_free(struct gw *gw);
/* Parse the config again and swap it in if valid; errors go to errs. */
int gw_reload(struct gw *gw, struct cfg_errors *errs);
/* SIGTERM: clear every call (DISCONNECT cause 16, BYE), then stop. */
void gw_stop(struct gw *gw);

struct gw_span *gw_span_by_id(struct gw *gw, int id);
/* The call machine (lib/fsm): its name, states and counters. */
const struct fsm_def *gw_call_machine(void);
/* Status code for an OPTIONS from src_addr: what an INVITE from there
 * would get (RFC 3261 section 11): 403 from a source no trunk allows, 503
 * when no channel is free, else 200. */
int gw_options_status(struct gw *gw, const char *src_addr);

/* ---- trunks (gw/trunk.c): OPTIONS qualify ---- */

/* (Re)start qualifying the trunks of gw->cfg; after start and reload. */
void gw_trunks_sync(struct gw *gw);
void gw_trunks_free(struct gw *gw);
/* The trunk answered 503 with Retry-After (RFC 3261 section 21.5.4): send it
 * no INVITE for that long. */
void gw_trunk_backoff(struct gw *gw, const char *name, int seconds);
/* Seconds of such a back-off left (0: none). */
int gw_trunk_backoff_left(struct gw *gw, const char *name);

struct gw_trunk_info {
	const char *name, *host;
	int port, qualify_s;
	const char *state;	/* reachable, unreachable, unknown, not-qualified */
	int last_code, rtt_ms;
	uint64_t age_s;		/* since the last answer */
};
struct gw_trunk *gw_trunk_next(struct gw *gw, struct gw_trunk *prev);
void gw_trunk_get_info(const struct gw_trunk *t, struct gw_trunk_info *info);

/* ---- calls (gw/call.c and its siblings, gw/call_int.h) ---- */

/* The call machine's table is sound (lib/fsm's fsm_def_check): 0 or EINVAL. */
int call_def_check(void);

void gw_call_tdm_incoming(struct gw *gw, struct gw_span *sp, struct tdm_call *tc,
		       const struct tdm_setup *setup);
void gw_call_sip_incoming(struct gw *gw, struct sip_call *sc, const struct sip_invite_info *inv);
extern const struct tdm_span_events gw_call_tdm_events;
extern const struct sip_events gw_call_sip_events;
/* Clear every call with cause (shutdown). */
void gw_call_clear_all(struct gw *gw, int cause);
/* A digit passed on call c's media stream (c: the stream's user). */
void gw_call_digit(struct gw *gw, struct gw_call *c, char digit, int from_card);

/* What `sipgwctl show calls` shows of a call. */
struct gw_call_info {
	unsigned id;
	const char *direction;	/* "isdn->sip", "sip->isdn" */
	const char *state;
	int span_id, chan;
	char calling[48], called[48];
	const char *call_id;	/* SIP Call-ID or "" */
	uint64_t age_ms, answered_ms;	/* answered_ms: 0 = not answered */
	unsigned digits;
};
/* Iterate: returns the first call when prev is NULL, then the next. */
struct gw_call *gw_call_next(struct gw *gw, struct gw_call *prev);
void gw_call_get_info(const struct gw_call *c, struct gw_call_info *info);

#endif

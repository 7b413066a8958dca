/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Trunk qualify: which trunks get an OPTIONS (RFC 3261 section 11) and how
 * often (`qualify` seconds), and what their answers mean, so the operator
 * sees in sipgwctl whether the far end answers, before a call finds out.
 * Any response means it answers; 408 (nothing came back) or 503
 * (transport error) means it does not. The OPTIONS, their timer and
 * their transactions are sip/'s keepalive (sip/keepalive.c).
 *
 * Trunk objects live until the gateway is freed: a reload marks the ones
 * gone from the config instead of freeing them (and frees their
 * keepalive, whose OPTIONS in flight is then forgotten).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/gw.h"
#include "lib/log.h"
#include "lib/str.h"

struct gw_trunk {
	struct gw_trunk *next;
	struct gw *gw;
	char name[CFG_NAME_MAX];
	char host[CFG_HOST_MAX];
	int port;
	int qualify_s;
	int in_config;
	int last_code;		/* 0 = not asked yet */
	uint64_t last_ms;
	int rtt_ms;
	struct sip_keepalive *qualify;	/* while qualify_s and in the config */
	uint64_t backoff_until_ms;	/* a 503 with Retry-After: no INVITE before */
};

static int answers(int code)
{
	return code && code != 408 && code != 503;
}

static void qualify_result(void *arg, int code, int rtt_ms)
{
	struct gw_trunk *t = arg;
	int was = answers(t->last_code), first = !t->last_code;

	t->last_ms = loop_now_ms();
	t->rtt_ms = rtt_ms;
	t->last_code = code;
	if (first || was != answers(code))
		log_msg(LOG_SIP, answers(code) ? LOG_LVL_NOTICE : LOG_LVL_WARN,
			"trunk %s (%s:%d): %s (OPTIONS -> %d in %d ms)", t->name, t->host, t->port,
			answers(code) ? "answers" : "does not answer", code, t->rtt_ms);
}

/* A keepalive for what the trunk now says (none when qualify is off). */
static void qualify_restart(struct gw_trunk *t)
{
	char uri[CFG_HOST_MAX + 16];
	int err;

	sip_keepalive_free(t->qualify);
	t->qualify = NULL;
	if (!t->in_config || !t->qualify_s)
		return;
	snprintf(uri, sizeof(uri), "sip:%s:%d", t->host, t->port);
	err = sip_keepalive_new(t->gw->ua, uri, t->host, (uint16_t)t->port, t->qualify_s,
				qualify_result, t, &t->qualify);
	if (err) {
		log_warn(LOG_SIP, "trunk %s: cannot qualify: %s", t->name, strerror(err));
		return;
	}
	sip_keepalive_start(t->qualify);	/* now, then every qualify_s */
}

void gw_trunks_sync(struct gw *gw)
{
	const struct cfg *cfg = gw->cfg;

	for (struct gw_trunk *t = gw->trunks; t; t = t->next)
		t->in_config = 0;
	for (size_t i = 0; i < cfg->ntrunks; i++) {
		const struct cfg_trunk *ct = &cfg->trunks[i];
		struct gw_trunk *t;
		for (t = gw->trunks; t; t = t->next)
			if (!strcmp(t->name, ct->name))
				break;
		if (!t) {
			t = calloc(1, sizeof(*t));
			if (!t) {
				log_err(LOG_SIP, "trunk %s: out of memory", ct->name);
				continue;
			}
			t->gw = gw;
			str_copy(t->name, ct->name, sizeof(t->name));
			t->next = gw->trunks;
			gw->trunks = t;
		}
		if (strcmp(t->host, ct->host) || t->port != ct->port)
			t->last_code = 0; /* a new far end: not known yet */
		str_copy(t->host, ct->host, sizeof(t->host));
		t->port = ct->port;
		t->qualify_s = ct->qualify_s;
		t->in_config = 1;
	}
	for (struct gw_trunk *t = gw->trunks; t; t = t->next)
		qualify_restart(t);
}

void gw_trunks_free(struct gw *gw)
{
	while (gw->trunks) {
		struct gw_trunk *t = gw->trunks;
		gw->trunks = t->next;
		sip_keepalive_free(t->qualify);
		free(t);
	}
}

static struct gw_trunk *by_name(struct gw *gw, const char *name)
{
	for (struct gw_trunk *t = gw->trunks; t; t = t->next)
		if (t->in_config && !strcmp(t->name, name))
			return t;
	return NULL;
}

void gw_trunk_backoff(struct gw *gw, const char *name, int seconds)
{
	struct gw_trunk *t = by_name(gw, name);

	if (!t || seconds <= 0)
		return;
	if (seconds > 3600)
		seconds = 3600;
	t->backoff_until_ms = loop_now_ms() + (uint64_t)seconds * 1000;
	log_notice(LOG_SIP, "trunk %s (%s:%d): 503 with Retry-After %d: no calls to it for %d s",
		   t->name, t->host, t->port, seconds, seconds);
}

int gw_trunk_backoff_left(struct gw *gw, const char *name)
{
	struct gw_trunk *t = by_name(gw, name);
	uint64_t now = loop_now_ms();

	return t && t->backoff_until_ms > now ? (int)((t->backoff_until_ms - now + 999) / 1000) : 0;
}

struct gw_trunk *gw_trunk_next(struct gw *gw, struct gw_trunk *prev)
{
	struct gw_trunk *t = prev ? prev->next : gw->trunks;

	while (t && !t->in_config)
		t = t->next;
	return t;
}

void gw_trunk_get_info(const struct gw_trunk *t, struct gw_trunk_info *info)
{
	memset(info, 0, sizeof(*info));
	info->name = t->name;
	info->host = t->host;
	info->port = t->port;
	info->qualify_s = t->qualify_s;
	info->state = !t->qualify_s ? "not-qualified" : !t->last_code ? "unknown" :
		      answers(t->last_code) ? "reachable" : "unreachable";
	info->last_code = t->last_code;
	info->rtt_ms = t->rtt_ms;
	info->age_s = t->last_ms ? (loop_now_ms() - t->last_ms) / 1000 : 0;
}

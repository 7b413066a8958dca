/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How a gw call begins: a SETUP from ISDN becomes an INVITE to a trunk, an
 * INVITE from a trunk a SETUP on a channel of a span group. Each is the
 * action of one of CS_NEW's rows (call.c), so it runs in the state the call
 * enters (SIP-CALLING, ISDN-CALLING) and fails through fsm_fail().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/call_int.h"
#include "gw/cause.h"
#include "gw/number.h"
#include "gw/route.h"
#include "lib/log.h"
#include "lib/q850.h"
#include "lib/str.h"

/* ---- isdn -> sip ---- */

void gw_call_tdm_incoming(struct gw *gw, struct gw_span *sp, struct tdm_call *tc,
		       const struct tdm_setup *s)
{
	struct call_ev e = { .cause = -1, .span = sp, .tc = tc, .setup = s };
	struct gw_call *c = call_new(gw, 1);

	if (!c) {
		tdm_call_hangup(tc, Q850_RESOURCE_UNAVAILABLE);
		return;
	}
	fsm_dispatch(c->fsm, EV_ISDN_SETUP, &e);
}

/* The INVITE's request URI and From for the trunk. */
static void invite_uris(const struct gw_call *c, const struct cfg_trunk *t, const struct tdm_setup *s,
			char *ruri, size_t rlen, char *from, size_t flen)
{
	const struct cfg *cfg = c->gw->cfg;

	gw_number_sip_uri(c->called[0] ? c->called : "unknown", t->host, t->port, ruri, rlen);
	if (c->calling[0] && s->calling.pres == TDM_PRES_ALLOWED)
		gw_number_sip_uri(c->calling, t->domain[0] ? t->domain : cfg->general.sip_address, 0,
				  from, flen);
	else
		snprintf(from, flen, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
}

/* The trunk for the called number, or NULL after fsm_fail(). */
static const struct cfg_trunk *isdn_route(struct gw_call *c, const struct tdm_setup *s)
{
	const struct cfg *cfg = c->gw->cfg;
	const struct cfg_route *r;
	const struct cfg_trunk *t;
	int left;

	r = gw_route_find(cfg, CFG_EP_GROUP, c->span->cfg->group, c->called, s->called.digits);
	if (!r || r->to_kind != CFG_EP_TRUNK || !(t = cfg_trunk_by_name(cfg, r->to))) {
		fsm_fail(c->fsm, Q850_UNALLOCATED, "no route from group %s for %s",
			 c->span->cfg->group, c->called);
		return NULL;
	}
	left = gw_trunk_backoff_left(c->gw, t->name);
	if (left) {
		/* the trunk's own word: switching equipment congestion */
		fsm_fail(c->fsm, Q850_CONGESTION, "trunk %s asked for no calls for %d s more "
			 "(503 Retry-After)", t->name, left);
		return NULL;
	}
	return t;
}

void call_act_isdn_setup(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;
	const struct tdm_setup *s = e->setup;
	const struct cfg *cfg = c->gw->cfg;
	char ruri[320], from[320];
	const struct cfg_trunk *t;
	int err;

	(void)event;
	c->span = e->span;
	c->chan = s->channel;
	c->tc = e->tc;
	tdm_call_set_user(c->tc, c);
	call_link_legs(c);
	call_name_update(c);
	gw_number_to_e164(&cfg->numbering, s->called.digits, s->called.ton, c->called,
			  sizeof(c->called));
	gw_number_to_e164(&cfg->numbering, s->calling.digits, s->calling.ton, c->calling,
			  sizeof(c->calling));
	call_log(c, LOG_LVL_INFO, "SETUP from %s (%s) to %s (%s) -> %s to %s", s->calling.digits,
		 tdm_ton_name(s->calling.ton), s->called.digits, tdm_ton_name(s->called.ton),
		 c->calling[0] ? c->calling : "anonymous", c->called);
	t = isdn_route(c, s);
	if (!t)
		return;
	str_copy(c->trunk, t->name, sizeof(c->trunk));
	tdm_call_proceeding(c->tc);
	err = rtp_alloc(c);
	if (err) {
		fsm_fail(f, Q850_RESOURCE_UNAVAILABLE, "no RTP port: %s", strerror(err));
		return;
	}
	local_sdp(c, &c->local);
	invite_uris(c, t, s, ruri, sizeof(ruri), from, sizeof(from));
	/* c->sc is set before sip/ runs the INVITE's transaction: a failure it
	 * reports at once finds it (and drops it again) */
	err = sip_call_invite(c->gw->ua, ruri, from, ruri, t->host, t->port, &c->local, c, &c->sc);
	if (err) {
		fsm_fail(f, Q850_NETWORK_OUT_OF_ORDER, "INVITE to trunk %s failed: %s", t->name,
			 strerror(err));
		return;
	}
	call_link_legs(c);
	str_copy(c->sip_call_id, sip_call_id(c->sc), sizeof(c->sip_call_id));
	call_log(c, LOG_LVL_INFO, "INVITE %s via trunk %s (Call-ID %s)", ruri, t->name,
		 c->sip_call_id);
}

/* ---- sip -> isdn ---- */

void gw_call_sip_incoming(struct gw *gw, struct sip_call *sc, const struct sip_invite_info *inv)
{
	struct call_ev e = { .cause = -1, .sc = sc, .inv = inv };
	struct gw_call *c;

	/* not a call: a source that will never be served */
	e.trunk = gw_trunk_for_source(gw->cfg, inv->src_addr);
	if (!e.trunk) {
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
	fsm_dispatch(c->fsm, EV_SIP_INVITE, &e);
}

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
			call_link_legs(c);
			call_name_update(c);
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

/* The called and calling numbers of the INVITE in ISDN form; 0 or
 * EINVAL when the called one is not a number. */
static int isdn_numbers(struct gw_call *c, const struct sip_invite_info *inv, struct tdm_setup *s)
{
	const struct cfg *cfg = c->gw->cfg;

	/* sip:, sips: and tel: (RFC 3966) alike: libosip2 has no user part for
	 * a tel: URI. */
	if (gw_uri_user(inv->request_uri, c->called, sizeof(c->called)) && inv->ruri_user)
		str_copy(c->called, inv->ruri_user, sizeof(c->called));
	if (gw_uri_user(inv->from_uri, c->calling, sizeof(c->calling)) && inv->from_user)
		str_copy(c->calling, inv->from_user, sizeof(c->calling));
	memset(s, 0, sizeof(*s));
	s->bearer = TDM_BEARER_SPEECH;
	if (gw_number_from_sip(&cfg->numbering, c->called, s->called.digits,
			       sizeof(s->called.digits), &s->called.ton) || !s->called.digits[0])
		return EINVAL;
	s->called.npi = 1;
	if (c->calling[0] && !gw_number_from_sip(&cfg->numbering, c->calling, s->calling.digits,
						 sizeof(s->calling.digits), &s->calling.ton)) {
		s->calling.npi = 1;
		s->calling.pres = TDM_PRES_ALLOWED;
	} else {
		s->calling.digits[0] = '\0';
		s->calling.pres = TDM_PRES_UNAVAILABLE;
	}
	return 0;
}

/* Our SDP answer to the INVITE's offer; 0, or fsm_fail() was called. */
static int answer_offer(struct gw_call *c, const struct sip_invite_info *inv)
{
	struct sip_sdp_media ours, answer;
	int err;

	if (!inv->has_sdp) {
		if (inv->sdp_error == ENOENT)
			fsm_fail(c->fsm, Q850_BEARER_NOT_IMPLEMENTED, "INVITE without SDP (late offer) is not supported yet");
		else
			fsm_fail(c->fsm, Q850_BEARER_NOT_IMPLEMENTED, "the INVITE's SDP offer is unusable: %s", strerror(inv->sdp_error));
		return EINVAL;
	}
	err = rtp_alloc(c);
	if (err) {
		fsm_fail(c->fsm, Q850_RESOURCE_UNAVAILABLE, "no RTP port: %s", strerror(err));
		return err;
	}
	local_sdp(c, &ours);
	if (sip_sdp_negotiate(&inv->offer, &ours, &answer)) {
		fsm_fail(c->fsm, Q850_BEARER_NOT_IMPLEMENTED, "no codec in common with the offer");
		return EINVAL;
	}
	c->local = answer;
	c->remote = inv->offer;
	c->pt = answer.pts[0];
	c->te_pt = answer.te_pt;
	return 0;
}

void call_act_sip_invite(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;
	const struct sip_invite_info *inv = e->inv;
	const struct cfg_trunk *t = e->trunk;
	const struct cfg_route *r;
	struct tdm_setup s;
	int cause, err;

	(void)event;
	c->sc = e->sc;
	sip_call_set_user(c->sc, c);
	call_link_legs(c);
	str_copy(c->sip_call_id, inv->call_id ? inv->call_id : "", sizeof(c->sip_call_id));
	err = isdn_numbers(c, inv, &s);
	call_log(c, LOG_LVL_INFO, "INVITE from %s to %s via trunk %s (%s:%u, Call-ID %s)",
		 c->calling, c->called, t->name, inv->src_addr, inv->src_port, c->sip_call_id);
	if (err) {
		fsm_fail(f, Q850_INVALID_NUMBER_FORMAT, "called number '%s' is not a number", c->called);
		return;
	}
	r = gw_route_find(c->gw->cfg, CFG_EP_TRUNK, t->name, c->called, s.called.digits);
	if (!r || r->to_kind != CFG_EP_GROUP) {
		fsm_fail(f, Q850_UNALLOCATED, "no route from trunk %s for %s", t->name, c->called);
		return;
	}
	if (answer_offer(c, inv))
		return;
	c->setup = s;
	str_copy(c->group, r->to, sizeof(c->group));
	cause = place_in_group(c);
	if (cause) {
		fsm_fail(f, cause, "group %s: %s", r->to,
			 cause == Q850_NETWORK_OUT_OF_ORDER ? "no span up" : "no free channel");
		return;
	}
	call_log(c, LOG_LVL_INFO, "SETUP to %s (%s) from %s on span%d/B%d", s.called.digits,
		 tdm_ton_name(s.called.ton), s.calling.digits[0] ? s.calling.digits : "-",
		 c->span->cfg->id, c->chan);
}

/*
 * sip->isdn: the switch refused the channel we asked for exclusively
 * (cause 44, requested circuit/channel not available: Q.931 5.2.3.1; RFC
 * 3398 8.2.6.1 says to send the call on another circuit). The same SETUP
 * again on a free channel of the group not refused yet; when none is left
 * the call fails with the cause (503 to the caller).
 */
void call_act_isdn_retry(struct fsm *f, int event, void *data)
{
	struct gw_call *c = fsm_priv(f);
	const struct call_ev *e = data;
	struct gw *gw = c->gw;

	(void)event;
	call_tdm_gone(c);
	if (!c->tried)
		c->tried = calloc(gw->nspans, sizeof(*c->tried));
	if (c->tried && c->chan > 0 && c->chan < 32)
		c->tried[c->span - gw->spans] |= 1u << c->chan;
	if (c->tried && place_in_group(c) == 0) {
		call_log(c, LOG_LVL_NOTICE, "cause %d on the channel asked for: SETUP again on "
			 "span%d/B%d", e->cause, c->span->cfg->id, c->chan);
		return;
	}
	fsm_fail(f, e->cause, "cause %d (%s) and no other channel to try", e->cause,
		 gw_cause_name(e->cause));
}

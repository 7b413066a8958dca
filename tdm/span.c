/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control-thread half of a span: lifecycle, channel states, hunting,
 * status, and the span's up/down state (layer 1 from the D-channel
 * descriptor and the media half, layer 2 from libpri).
 *
 * Span state table (inputs: dchan_connected, l2_up, media_up):
 *   all three       -> up:   channels IDLE/BUSY, calls may be placed
 *   any one missing -> down: channels OOS; on the fall from up, and on any
 *                     layer 1 loss, every call gets disconnected(38) and is
 *                     cleared (see isdn_clear_all), then span_state(0).
 * A layer 2 loss alone (DCHAN_DOWN with layer 1 fine) leaves calls to
 * libpri's T309 policy: it clears them itself and we report cause 38.
 */
#include "tdm/span_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

static const char *const switch_names[] = {
	[CFG_SWITCH_EUROISDN_E1] = "euroisdn_e1", [CFG_SWITCH_EUROISDN_T1] = "euroisdn_t1",
	[CFG_SWITCH_NI2] = "ni2", [CFG_SWITCH_DMS100] = "dms100",
	[CFG_SWITCH_LUCENT5E] = "lucent5e", [CFG_SWITCH_ATT4ESS] = "att4ess",
	[CFG_SWITCH_QSIG] = "qsig", [CFG_SWITCH_NI1] = "ni1",
};

const char *tdm_alarm_name(enum tdm_alarm a)
{
	switch (a) {
	case TDM_ALARM_NONE: return "none";
	case TDM_ALARM_RED: return "red";
	case TDM_ALARM_YELLOW: return "yellow";
	case TDM_ALARM_BLUE: return "blue";
	}
	return "?";
}

const char *tdm_ton_name(enum tdm_ton t)
{
	switch (t) {
	case TDM_TON_UNKNOWN: return "unknown";
	case TDM_TON_INTERNATIONAL: return "international";
	case TDM_TON_NATIONAL: return "national";
	case TDM_TON_NETWORK_SPECIFIC: return "network-specific";
	case TDM_TON_SUBSCRIBER: return "subscriber";
	case TDM_TON_ABBREVIATED: return "abbreviated";
	}
	return "?";
}

int span_is_bearer(const struct tdm_span *s, int chan)
{
	return chan >= 1 && chan < TDM_SLOTS && chan != s->cfg.dchannel &&
	       (s->cfg.channels & (1u << chan));
}

/* The bearer channels a span type can have: E1 1-31 without 16, T1 1-23. */
static int chan_possible(const struct cfg_span *cfg, int chan)
{
	int max = cfg->type == CFG_SPAN_T1 ? 24 : 31;

	return chan >= 1 && chan <= max && chan != cfg->dchannel;
}

int tdm_span_new(struct loop *loop, const struct cfg_span *cfg,
		 const struct tdm_span_events *ev, void *arg, struct tdm_span **out)
{
	struct tdm_span *s;
	int err;

	if (!loop || !cfg || !ev || !out)
		return EINVAL;
	if (cfg->signalling != CFG_SIG_PRI_CPE && cfg->signalling != CFG_SIG_PRI_NET)
		return ENOTSUP;
	if (cfg->driver != CFG_DRIVER_VIRT && cfg->driver != CFG_DRIVER_DAHDI)
		return ENOTSUP;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->loop = loop;
	s->cfg = *cfg;
	s->ev = *ev;
	s->arg = arg;
	s->dfd = -1;
	if (!s->cfg.dchannel)
		s->cfg.dchannel = cfg->type == CFG_SPAN_T1 ? 24 : 16;
	snprintf(s->name, sizeof(s->name), "span%d", cfg->id);
	for (int i = 0; i < TDM_SLOTS; i++) {
		if (s->cfg.channels & (1u << i) && !chan_possible(&s->cfg, i)) {
			log_warn(LOG_ISDN, "%s: timeslot %d is not a bearer channel, ignored",
				 s->name, i);
			s->cfg.channels &= ~(1u << i);
		}
		s->chan[i] = span_is_bearer(s, i) ? TDM_CHAN_OOS : TDM_CHAN_UNUSED;
	}
	s->media_alarm = TDM_ALARM_RED;
	s->alarm = TDM_ALARM_RED;
	s->dops = cfg->driver == CFG_DRIVER_VIRT ? &tdm_virt_dchan_ops : &tdm_dahdi_dchan_ops;
	err = isdn_new(s);
	if (err)
		goto out;
	*out = s;
	return 0;
out:
	free(s);
	return err;
}

int tdm_span_start(struct tdm_span *s)
{
	int err = s->dops->start(s);

	if (err)
		log_err(LOG_ISDN, "%s: cannot start %s D-channel: %s", s->name,
			s->dops->name, strerror(err));
	else
		log_info(LOG_ISDN, "%s: started (%s, %s, %s)", s->name, s->dops->name,
			 s->cfg.signalling == CFG_SIG_PRI_NET ? "pri_net" : "pri_cpe",
			 switch_names[s->cfg.switchtype]);
	return err;
}

void tdm_span_free(struct tdm_span *s)
{
	if (!s)
		return;
	s->dops->free(s);
	isdn_free(s); /* drops every call without signalling */
	while (s->calls) {
		struct tdm_call *c = s->calls;
		s->calls = c->next;
		free(c);
	}
	free(s);
}

int tdm_span_id(const struct tdm_span *s)
{
	return s->cfg.id;
}

int tdm_span_is_up(const struct tdm_span *s)
{
	return s->up;
}

enum tdm_chan_state tdm_span_chan_state(const struct tdm_span *s, int chan)
{
	if (chan < 0 || chan >= TDM_SLOTS)
		return TDM_CHAN_UNUSED;
	return s->chan[chan];
}

void tdm_span_media_state(struct tdm_span *s, int up, enum tdm_alarm alarm)
{
	if (up)
		alarm = TDM_ALARM_NONE;
	else if (alarm == TDM_ALARM_NONE)
		alarm = TDM_ALARM_RED;
	if (s->media_up == !!up && s->media_alarm == alarm)
		return;
	log_notice(LOG_ISDN, "%s: media %s (alarm %s)", s->name, up ? "up" : "down",
		   tdm_alarm_name(alarm));
	s->media_up = !!up;
	s->media_alarm = alarm;
	span_update(s);
}

void span_update(struct tdm_span *s)
{
	int l1 = s->dchan_connected && s->media_up;
	int up = l1 && s->l2_up;
	enum tdm_alarm alarm = !s->dchan_connected ? TDM_ALARM_RED : s->media_alarm;

	if (s->reported && up == s->up && alarm == s->alarm)
		return;
	if (!up && (s->up || !l1)) {
		/* Layer 1 lost, or the span fell: nothing survives. A layer 2
		 * loss alone while down already is T309's business. */
		if (s->calls)
			isdn_clear_all(s, 38, !s->dchan_connected || !s->l2_up);
	}
	for (int i = 1; i < TDM_SLOTS; i++) {
		if (s->chan[i] == TDM_CHAN_UNUSED)
			continue;
		if (!up)
			s->chan[i] = TDM_CHAN_OOS;
		else if (s->chan[i] == TDM_CHAN_OOS)
			s->chan[i] = TDM_CHAN_IDLE;
	}
	for (struct tdm_call *c = s->calls; c; c = c->next)
		if (c->state != TDM_CS_CLEARING && c->chan > 0 && c->chan < TDM_SLOTS)
			s->chan[c->chan] = TDM_CHAN_BUSY;
	if (s->reported && up == s->up && alarm == s->alarm)
		return;
	log_notice(LOG_ISDN, "%s: span %s (layer 1 %s, layer 2 %s, alarm %s)", s->name,
		   up ? "up" : "down", l1 ? "up" : "down", s->l2_up ? "up" : "down",
		   tdm_alarm_name(alarm));
	s->up = up;
	s->alarm = alarm;
	s->reported = 1;
	if (s->ev.span_state)
		s->ev.span_state(s->arg, s, up, alarm);
	isdn_span_changed(s);
}

int span_hunt(struct tdm_span *s, int want)
{
	if (want > 0)
		return want < TDM_SLOTS && s->chan[want] == TDM_CHAN_IDLE ? want : -1;
	return tdm_span_hunt(s, 0);
}

int tdm_span_hunt(const struct tdm_span *s, uint32_t avoid)
{
	/* The network hunts from the top, the user side from the bottom: the
	 * two ends of a span meet last (fewer glares). */
	if (s->cfg.signalling == CFG_SIG_PRI_NET) {
		for (int i = TDM_SLOTS - 1; i >= 1; i--)
			if (s->chan[i] == TDM_CHAN_IDLE && !(avoid & (1u << i)))
				return i;
	} else {
		for (int i = 1; i < TDM_SLOTS; i++)
			if (s->chan[i] == TDM_CHAN_IDLE && !(avoid & (1u << i)))
				return i;
	}
	return -1;
}

struct tdm_call *span_call_new(struct tdm_span *s, int chan, int outgoing)
{
	struct tdm_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->span = s;
	c->id = ++s->next_call_id;
	c->chan = chan;
	c->outgoing = outgoing;
	c->state = TDM_CS_NULL;
	c->cause = -1;
	c->gw_holds = 1;
	c->next = s->calls;
	s->calls = c;
	if (chan > 0 && chan < TDM_SLOTS)
		s->chan[chan] = TDM_CHAN_BUSY;
	return c;
}

void span_call_maybe_free(struct tdm_call *c)
{
	struct tdm_span *s = c->span;

	if (c->gw_holds || c->q || c->in_cb)
		return;
	for (struct tdm_call **pp = &s->calls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->chan > 0 && c->chan < TDM_SLOTS && s->chan[c->chan] == TDM_CHAN_BUSY) {
		int busy = 0;
		for (struct tdm_call *o = s->calls; o; o = o->next)
			busy |= o->chan == c->chan;
		if (!busy)
			s->chan[c->chan] = s->up ? TDM_CHAN_IDLE : TDM_CHAN_OOS;
	}
	log_debug(LOG_ISDN, "%s/B%d: call %u freed", s->name, c->chan, c->id);
	free(c);
}

void span_call_disconnected(struct tdm_call *c, int cause)
{
	if (!c->gw_holds)
		return;
	c->gw_holds = 0;
	c->in_cb++;
	if (c->span->ev.disconnected)
		c->span->ev.disconnected(c->span->arg, c, cause);
	c->in_cb--;
}

void tdm_span_status(const struct tdm_span *s, struct tdm_span_status *st)
{
	memset(st, 0, sizeof(*st));
	st->id = s->cfg.id;
	if (s->cfg.driver == CFG_DRIVER_VIRT)
		snprintf(st->name, sizeof(st->name), "%s (virt %.40s)", s->name,
			 s->cfg.directory);
	else if (!s->dops->describe || s->dops->describe(s, st->name, sizeof(st->name)))
		snprintf(st->name, sizeof(st->name), "%s (dahdi base %d)", s->name,
			 s->cfg.dahdi_base);
	st->driver = s->dops->name;
	st->signalling = s->cfg.signalling == CFG_SIG_PRI_NET ? "pri_net" : "pri_cpe";
	st->switchtype = (unsigned)s->cfg.switchtype < sizeof(switch_names) / sizeof(switch_names[0])
		? switch_names[s->cfg.switchtype] : "?";
	st->up = s->up;
	st->dchan_up = s->dchan_connected && s->l2_up;
	st->media_up = s->media_up;
	st->alarm = s->alarm;
	for (int i = 1; i < TDM_SLOTS; i++) {
		if (s->chan[i] == TDM_CHAN_UNUSED)
			continue;
		st->nchannels++;
		st->nbusy += s->chan[i] == TDM_CHAN_BUSY;
	}
	st->calls_in = s->calls_in;
	st->calls_out = s->calls_out;
}

/* ---- call accessors ---- */

int tdm_call_channel(const struct tdm_call *c)
{
	return c->chan;
}

struct tdm_span *tdm_call_span(const struct tdm_call *c)
{
	return c->span;
}

void tdm_call_set_user(struct tdm_call *c, void *user)
{
	c->user = user;
}

void *tdm_call_user(const struct tdm_call *c)
{
	return c->user;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control-thread half of a span, whatever its signalling: lifecycle,
 * the link state and the span's up/down state, channel states, hunting,
 * status. Calls and gw/'s commands on them: span_call.c; the signalling
 * (ISDN): isdn*.c behind s->sig.
 *
 * Span state table (inputs: sig_connected, sig_up, the media alarm):
 *   all three fine  -> up:   channels IDLE/BUSY, calls may be placed
 *   any one missing -> down: channels OOS; on the fall from up, and on any
 *                     layer 1 loss, every call gets disconnected(38) and is
 *                     cleared (the signalling's clear_all), then
 *                     span_state(0).
 * A signalling loss alone (ISDN: DCHAN_DOWN with layer 1 fine) leaves
 * calls to the signalling (libpri's T309 policy: it clears them itself
 * and we report cause 38).
 *
 * An alarm's one path: the media worker (virt_media.c, dahdi_media.c)
 * -> media.c -> span_media_report() here, which keeps it (the one copy),
 * logs it once and wakes the control loop -> span_update(): one line for
 * the span's new state, calls cleared, gw/ told once (span_state).
 */
#include "tdm/span_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/log.h"
#include "tdm/dchan.h"
#include "tdm/layout.h"

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

static const char *signalling_name(const struct cfg_span *cfg)
{
	return cfg->signalling == CFG_SIG_PRI_NET ? "pri_net" : "pri_cpe";
}

static const char *switch_name(enum cfg_switchtype sw)
{
	return (unsigned)sw < sizeof(switch_names) / sizeof(switch_names[0]) && switch_names[sw]
		? switch_names[sw] : "?";
}

int span_is_bearer(const struct tdm_span *s, int chan)
{
	return layout_is_bearer(&s->cfg, chan);
}

/* The signalling a span's config asks for; NULL: not supported (yet). */
static const struct tdm_sig_ops *sig_of(const struct cfg_span *cfg)
{
	switch (cfg->signalling) {
	case CFG_SIG_PRI_CPE:
	case CFG_SIG_PRI_NET:
		return &tdm_isdn_sig_ops;
	}
	return NULL; /* FXS and FXO: their ops go here */
}

int tdm_span_new(struct loop *loop, const struct cfg_span *cfg,
		 const struct tdm_span_events *ev, void *arg, struct tdm_span **out)
{
	struct tdm_span *s;
	uint32_t dropped;
	int err;

	if (!loop || !cfg || !ev || !out)
		return EINVAL;
	if (!sig_of(cfg))
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
	s->sig = sig_of(cfg);
	s->media_efd = -1;
	snprintf(s->name, sizeof(s->name), "span%d", cfg->id);
	dropped = layout_apply(&s->cfg);
	for (int i = 0; i < TDM_SLOTS; i++) {
		if (dropped & (1u << i))
			log_warn(LOG_ISDN, "%s: timeslot %d is not a bearer channel, ignored",
				 s->name, i);
		s->chan[i] = span_is_bearer(s, i) ? TDM_CHAN_OOS : TDM_CHAN_UNUSED;
	}
	atomic_init(&s->media_alarm, TDM_ALARM_RED);
	atomic_init(&s->media_fell, 0);
	s->alarm = TDM_ALARM_RED;
	err = s->sig->new(s);
	if (err)
		goto out;
	*out = s;
	return 0;
out:
	free(s);
	return err;
}

static void on_media(int fd, uint32_t events, void *arg);

int tdm_span_start(struct tdm_span *s)
{
	const char *what = "media link";
	int err = 0;

	if (s->media_efd < 0) {
		s->media_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->media_efd < 0)
			err = errno;
		else if ((err = loop_fd_add(s->loop, s->media_efd, EPOLLIN, on_media, s))) {
			close(s->media_efd);
			s->media_efd = -1;
		}
	}
	if (!err && s->dops) {
		what = s->dops->name;
		err = s->dops->start(s);
	}
	if (err)
		log_err(LOG_ISDN, "%s: cannot start (%s): %s", s->name, what, strerror(err));
	else
		log_info(LOG_ISDN, "%s: started (%s, %s, %s)", s->name, what,
			 signalling_name(&s->cfg), switch_name(s->cfg.switchtype));
	return err;
}

void tdm_span_free(struct tdm_span *s)
{
	if (!s)
		return;
	s->sig->free(s); /* drops every call's signalling, nothing sent */
	if (s->dops)
		s->dops->free(s);
	while (s->calls) {
		struct tdm_call *c = s->calls;
		s->calls = c->next;
		s->sig->call_free(c);
		free(c);
	}
	if (s->media_efd >= 0) {
		loop_fd_del(s->loop, s->media_efd);
		close(s->media_efd);
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

/* ---- the link state ---- */

enum tdm_alarm span_media_alarm(const struct tdm_span *s)
{
	/* C11 atomics take non-const pointers; reading changes nothing. */
	return (enum tdm_alarm)atomic_load(&((struct tdm_span *)s)->media_alarm);
}

void span_media_report(struct tdm_span *s, enum tdm_alarm alarm, const char *why)
{
	uint64_t one = 1;

	if (atomic_exchange(&s->media_alarm, (int)alarm) == (int)alarm)
		return;
	if (alarm != TDM_ALARM_NONE)
		atomic_store(&s->media_fell, (int)alarm);
	log_notice(LOG_ISDN, "%s: media %s (alarm %s%s%s)", s->name,
		   alarm == TDM_ALARM_NONE ? "up" : "down", tdm_alarm_name(alarm),
		   why ? ": " : "", why ? why : "");
	if (s->media_efd >= 0 && write(s->media_efd, &one, sizeof(one)) < 0)
		return; /* the counter is full: the loop is woken already */
}

/* Recompute with the media half's alarm media. */
static void update(struct tdm_span *s, enum tdm_alarm media)
{
	int l1 = s->sig_connected && media == TDM_ALARM_NONE;
	int up = l1 && s->sig_up;
	enum tdm_alarm alarm = !s->sig_connected ? TDM_ALARM_RED : media;

	if (s->reported && up == s->up && alarm == s->alarm)
		return;
	if (!up && (s->up || !l1)) {
		/* Layer 1 lost, or the span fell: nothing survives. A signalling
		 * loss alone while down already is the signalling's business. */
		if (s->calls)
			s->sig->clear_all(s, 38, !s->sig_connected || !s->sig_up);
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
		if (s->sig->holds_chan(c) && c->chan > 0 && c->chan < TDM_SLOTS)
			s->chan[c->chan] = TDM_CHAN_BUSY;
	if (s->reported && up == s->up && alarm == s->alarm)
		return;
	log_notice(LOG_ISDN, "%s: span %s (layer 1 %s, layer 2 %s, alarm %s)", s->name,
		   up ? "up" : "down", l1 ? "up" : "down", s->sig_up ? "up" : "down",
		   tdm_alarm_name(alarm));
	s->up = up;
	s->alarm = alarm;
	s->reported = 1;
	if (s->ev.span_state)
		s->ev.span_state(s->arg, s, up, alarm);
	s->sig->changed(s);
}

void span_update(struct tdm_span *s)
{
	update(s, span_media_alarm(s));
}

/* The media worker changed media_alarm. */
static void on_media(int fd, uint32_t events, void *arg)
{
	struct tdm_span *s = arg;
	uint64_t n;
	int fell;

	(void)events;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug(LOG_ISDN, "%s: media link eventfd: %s", s->name, strerror(errno));
	fell = atomic_exchange(&s->media_fell, 0);
	/* Fallen and back in sync between two looks: the calls went with it. */
	if (fell && s->up && span_media_alarm(s) == TDM_ALARM_NONE)
		update(s, (enum tdm_alarm)fell);
	span_update(s);
}

/* ---- channels ---- */

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

void span_chan_free(struct tdm_span *s, int chan)
{
	if (chan > 0 && chan < TDM_SLOTS)
		s->chan[chan] = s->up ? TDM_CHAN_IDLE : TDM_CHAN_OOS;
}

void tdm_span_status(const struct tdm_span *s, struct tdm_span_status *st)
{
	enum tdm_alarm media = span_media_alarm(s);

	memset(st, 0, sizeof(*st));
	st->id = s->cfg.id;
	if (s->cfg.driver == CFG_DRIVER_VIRT)
		snprintf(st->name, sizeof(st->name), "%s (virt %.40s)", s->name,
			 s->cfg.directory);
	else if (!s->dops || !s->dops->describe || s->dops->describe(s, st->name, sizeof(st->name)))
		snprintf(st->name, sizeof(st->name), "%s (dahdi base %d)", s->name,
			 s->cfg.dahdi_base);
	st->driver = s->cfg.driver == CFG_DRIVER_VIRT ? "virt" : "dahdi";
	st->signalling = signalling_name(&s->cfg);
	st->switchtype = switch_name(s->cfg.switchtype);
	st->up = s->up;
	st->dchan_up = s->sig_connected && s->sig_up;
	st->media_up = media == TDM_ALARM_NONE;
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

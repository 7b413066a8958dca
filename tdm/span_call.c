/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Calls on a span, whatever its signalling: the call objects (made,
 * freed when neither gw/ nor the signalling holds them), and gw/'s
 * commands (tdm.h), checked here and handed to the signalling
 * (s->sig->place, ->command), which runs the call's machine.
 */
#include "tdm/span_int.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/log.h"
#include "lib/q850.h"

struct tdm_call *span_call_new(struct tdm_span *s, int chan)
{
	struct tdm_call *c = calloc(1, sizeof(*c) + s->sig->call_size);

	if (!c)
		return NULL;
	c->span = s;
	c->id = ++s->next_call_id;
	c->chan = chan;
	c->cause = -1;
	if (s->sig->call_new(c)) {
		free(c);
		return NULL;
	}
	c->next = s->calls;
	s->calls = c;
	if (chan > 0 && chan < TDM_SLOTS)
		s->chan[chan] = TDM_CHAN_BUSY;
	return c;
}

void span_call_maybe_free(struct tdm_call *c)
{
	struct tdm_span *s = c->span;

	if (s->sig->user_holds(c) || c->in_cb || s->sig->call_held(c))
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
			span_chan_free(s, c->chan);
	}
	log_debug(LOG_ISDN, "%s/B%d: call %u freed", s->name, c->chan, c->id);
	s->sig->call_free(c);
	free(c);
}

void span_call_disconnected(struct tdm_call *c, int cause)
{
	c->in_cb++;
	if (c->span->ev.disconnected)
		c->span->ev.disconnected(c->span->arg, c, cause);
	c->in_cb--;
}

/* ---- gw/'s commands (tdm.h) ---- */

int tdm_call_place(struct tdm_span *s, int channel, const struct tdm_setup *setup,
		   void *user, struct tdm_call **out)
{
	struct tdm_call *c;
	int chan, err;

	if (!s->up)
		return ENETDOWN;
	if (channel > 0 && !span_is_bearer(s, channel))
		return EINVAL;
	chan = span_hunt(s, channel);
	if (chan < 0)
		return EBUSY;
	c = span_call_new(s, chan);
	if (!c)
		return ENOMEM;
	c->user = user;
	c->in_cb++;
	err = s->sig->place(c, setup);
	c->in_cb--;
	span_call_maybe_free(c); /* never gw/'s if the place failed: freed now */
	if (!err)
		*out = c;
	return err;
}

static int command(struct tdm_call *c, enum tdm_cmd cmd, int cause, int inband)
{
	if (!c)
		return EINVAL;
	return c->span->sig->command(c, cmd, cause, !!inband); /* c may be gone now */
}

int tdm_call_proceeding(struct tdm_call *c)
{
	return command(c, TDM_CMD_PROCEEDING, 0, 0);
}

int tdm_call_alert(struct tdm_call *c, int inband)
{
	return command(c, TDM_CMD_ALERT, 0, inband);
}

int tdm_call_progress(struct tdm_call *c, int inband)
{
	return command(c, TDM_CMD_PROGRESS, 0, inband);
}

int tdm_call_answer(struct tdm_call *c)
{
	return command(c, TDM_CMD_ANSWER, 0, 0);
}

int tdm_call_hangup(struct tdm_call *c, int cause)
{
	if (cause <= 0 || cause > 127)
		cause = Q850_NORMAL_CLEARING;
	return command(c, TDM_CMD_HANGUP, cause, 0);
}

/* ---- accessors ---- */

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

struct fsm *tdm_call_fsm(struct tdm_call *c)
{
	return c->span->sig->call_fsm(c);
}

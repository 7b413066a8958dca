/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What tdm/ and sip/ report about a call's legs, as the call machine's
 * events (call.c); what they report about spans and trunks, to gw.c and
 * trunk.c.
 */
#include "gw/call_int.h"
#include "gw/cause.h"

/* ---- tdm/ ---- */

static void tdm_event(struct tdm_call *tc, enum call_event type, int cause, int inband)
{
	struct gw_call *c = tdm_call_user(tc);
	struct call_ev e = { .cause = cause, .inband = inband };

	if (c)
		fsm_dispatch(c->fsm, type, &e);
}

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

const struct tdm_span_events gw_call_tdm_events = {
	.incoming = on_tdm_incoming,
	.proceeding = on_tdm_proceeding,
	.alerting = on_tdm_alerting,
	.progress = on_tdm_progress,
	.connected = on_tdm_connected,
	.connect_ack = on_tdm_connect_ack,
	.disconnected = on_tdm_disconnected,
};

/* ---- sip/ ---- */

static void sip_event(struct sip_call *sc, enum call_event type, int code, int cause,
		      const struct sip_sdp_media *sdp)
{
	struct gw_call *c = sip_call_user(sc);
	struct call_ev e = { .code = code, .cause = cause, .sdp = sdp };

	if (c)
		fsm_dispatch(c->fsm, type, &e);
}

static void on_sip_incoming(void *arg, struct sip_call *sc, const struct sip_invite_info *inv)
{
	gw_call_sip_incoming(arg, sc, inv);
}

/* 180 Ringing and 182 Queued alert the caller; other 1xx do not. */
static void on_sip_progress(void *arg, struct sip_call *sc, int code, const struct sip_sdp_media *sdp)
{
	(void)arg;
	sip_event(sc, code == 180 || code == 182 ? EV_SIP_RINGING : EV_SIP_PROGRESS, code, -1, sdp);
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

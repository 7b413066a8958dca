/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inside a gw call, shared by its files and by nothing else:
 *   call.c         the machine: states, events, the table, timers, the
 *                  failure path, the end of a call
 *   call_setup.c   the two ways a call begins (an ISDN SETUP, a SIP INVITE):
 *                  routing, numbers, the INVITE or the SETUP, channel hunting
 *   call_media.c   our SDP and the media worker's part of the call
 *   call_events.c  what tdm/ and sip/ report, turned into the machine's events
 */
#ifndef SIPGW_GW_CALL_INT_H
#define SIPGW_GW_CALL_INT_H

#include <stdint.h>

#include "gw/gw.h"
#include "gw/media.h"
#include "lib/fsm.h"
#include "sip/rtp.h"
#include "sip/sdp.h"

enum call_state {
	CS_NEW,			/* created; its first event says which way it goes */
	CS_SIP_CALLING,		/* isdn->sip: INVITE sent */
	CS_SIP_PROGRESS,	/* isdn->sip: a 1xx other than 180/182 */
	CS_SIP_ALERTING,	/* isdn->sip: 180/182, ALERTING sent */
	CS_ISDN_CALLING,	/* sip->isdn: SETUP sent */
	CS_ISDN_PROGRESS,	/* sip->isdn: PROGRESS received */
	CS_ISDN_ALERTING,	/* sip->isdn: ALERTING received, 180 sent */
	CS_ACTIVE,		/* answered both ways */
	CS_RELEASED,		/* both legs cleared: the call ends */
	CS_COUNT
};

enum call_event {
	EV_ISDN_SETUP,		/* the call begins with a SETUP from ISDN */
	EV_SIP_INVITE,		/* the call begins with an INVITE from SIP */
	EV_TDM_PROCEEDING,
	EV_TDM_ALERTING,
	EV_TDM_PROGRESS,
	EV_TDM_CONNECTED,
	EV_TDM_CONNECT_ACK,
	EV_TDM_DISCONNECTED,	/* tdm leg gone */
	EV_TDM_CHAN_REFUSED,	/* tdm leg gone with cause 44: channel not available */
	EV_SIP_RINGING,		/* 180, 182 */
	EV_SIP_PROGRESS,	/* another 1xx (183...) */
	EV_SIP_ANSWERED,
	EV_SIP_FAILED,		/* sip leg gone */
	EV_SIP_CONFIRMED,
	EV_SIP_TERMINATED,	/* sip leg gone */
	EV_TIMER_C,		/* RFC 3261 Timer C (sip_timer_c) */
	EV_NO_ANSWER,		/* no_answer_timeout */
	EV_RTP_TIMEOUT,		/* rtp_timeout: time to look at the RTP */
	EV_SHUTDOWN,
	EV_COUNT
};

/* An event's data (fsm_dispatch's data argument). */
struct call_ev {
	int code;		/* SIP status */
	int cause;		/* Q.850 cause, -1 = none */
	int inband;
	const struct sip_sdp_media *sdp;
	/* EV_ISDN_SETUP */
	struct gw_span *span;
	struct tdm_call *tc;
	const struct tdm_setup *setup;
	/* EV_SIP_INVITE */
	struct sip_call *sc;
	const struct sip_invite_info *inv;
	const struct cfg_trunk *trunk;	/* the trunk it came from */
};

struct gw_call {
	struct gw_call *next;
	struct gw *gw;
	struct fsm *fsm;
	unsigned id;
	int outgoing_sip;	/* the direction: 1 isdn->sip, 0 sip->isdn */
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
	/* media (call_media.c) */
	struct sip_rtp *rtp;	/* ours until handed to a worker */
	int media_on;		/* the worker has the channel (a resource, not a state) */
	struct gw_media_stream stream;	/* the worker's, while media_on */
	struct sip_sdp_media local;	/* our offer or answer */
	struct sip_sdp_media remote; /* sip->isdn: the caller's offer */
	int pt, te_pt;
	uint64_t start_ms, answer_ms;	/* answer_ms: 0 until answered */
	unsigned digits;
};

extern const struct fsm_def call_fsm_def;

/* call.c */
void call_log(const struct gw_call *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "call 7 (span1/B5)" or "call 7 (no channel)": the machine's log prefix. */
void call_name_update(struct gw_call *c);
/* A new call in CS_NEW, or NULL. */
struct gw_call *call_new(struct gw *gw, int outgoing_sip);
/* Link c->tc and c->sc under the call's machine (a leg linked already
 * stays as it is): from then on the call's end ends them, with its cause
 * (lib/fsm's parent end). */
void call_link_legs(struct gw_call *c);
/* The room reported the leg gone (disconnected; failed, terminated): it
 * is unlinked and its pointer dropped. */
void call_tdm_gone(struct gw_call *c);
void call_sip_gone(struct gw_call *c);

/* call_setup.c: the actions of CS_NEW's two rows */
void call_act_isdn_setup(struct fsm *f, int event, void *data);
void call_act_sip_invite(struct fsm *f, int event, void *data);
/* sip->isdn, cause 44: the same SETUP on another channel of the group. */
void call_act_isdn_retry(struct fsm *f, int event, void *data);

/* call_media.c */
void local_sdp(struct gw_call *c, struct sip_sdp_media *m);
int rtp_alloc(struct gw_call *c);
void media_to(struct gw_call *c, const struct sip_sdp_media *remote, int pt, int te_pt);
void media_from_answer(struct gw_call *c, const struct sip_sdp_media *sdp);

#endif

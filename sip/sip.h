/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sip/: SIP over UDP with libosip2 transactions, driven by the caller's
 * loop (no thread of its own). Knows nothing of spans.
 *
 * One struct sip_ua per daemon; one struct sip_call per INVITE dialog.
 * Lifetime of a sip_call: after `failed` or `terminated` returns, or after
 * gw/ calls sip_call_hangup() or a final sip_call_respond() >= 300, the
 * call belongs to sip/ (which finishes the transactions and frees it) and
 * gw/ must drop its pointer: no more events for it.
 */
#ifndef SIPGW_SIP_SIP_H
#define SIPGW_SIP_SIP_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/loop.h"
#include "sip/sdp.h"

struct sip_ua;
struct sip_call;
struct fsm;

struct sip_invite_info {
	const char *request_uri;	/* "sip:+4930123@gw;user=phone" */
	const char *ruri_user;		/* "+4930123" */
	const char *from_uri;
	const char *from_user;		/* calling number as sent */
	const char *from_display;	/* may be NULL */
	const char *to_uri;
	const char *call_id;
	char src_addr[64];		/* where the request came from (IP literal) */
	uint16_t src_port;
	int has_sdp;
	int sdp_error;			/* 0, ENOENT (no SDP: a late offer), or why it is unusable */
	struct sip_sdp_media offer;
};

/* How a dialog ended, as sip/ saw it: the `terminated` event says it, and
 * the policy's end_cause turns it into a Q.850 cause when sip/ itself
 * ends the dialog. Causes are gw/'s business (gw/cause.c). */
enum sip_end {
	SIP_END_BYE,		/* the peer's BYE */
	SIP_END_CANCEL,		/* the peer's CANCEL before the answer */
	SIP_END_NO_ACK,		/* no ACK for our 2xx in 64*T1 (RFC 3261 section
				 * 13.3.1.4): sip/ sends the BYE */
	SIP_END_ERROR,		/* sip/ could not go on (no memory, no BYE sent) */
};

struct sip_events {
	/* A new INVITE (100 Trying already sent). gw/ answers with
	 * sip_call_respond(). */
	void (*incoming)(void *arg, struct sip_call *c, const struct sip_invite_info *inv);
	/* Outgoing: a provisional response (180, 183...), with SDP or NULL. */
	void (*progress)(void *arg, struct sip_call *c, int code, const struct sip_sdp_media *sdp);
	/* Outgoing: 2xx (ACK already sent), with the SDP answer or NULL. */
	void (*answered)(void *arg, struct sip_call *c, const struct sip_sdp_media *sdp);
	/* Outgoing: failed with a final response >= 300, 408 on timeout, 503 on
	 * transport error. q850: cause from a Reason header, or -1. */
	void (*failed)(void *arg, struct sip_call *c, int code, int q850);
	/* Incoming: the ACK for our 2xx arrived. */
	void (*confirmed)(void *arg, struct sip_call *c);
	/* The dialog ended (why): a BYE or a CANCEL before the answer received
	 * and answered, or ended by sip/ itself. q850: cause from the peer's
	 * Reason header, or -1. */
	void (*terminated)(void *arg, struct sip_call *c, int q850, enum sip_end why);
};

/* What gw/ decides for sip/ where no call is involved yet (arg: its own). */
struct sip_policy {
	/* An OPTIONS outside a dialog from src_addr (RFC 3261 section 11):
	 * the status to answer, the one an INVITE from there would get (200;
	 * 503 when no call could be taken; 403 for a stranger). Unset: 200. */
	int (*options_status)(void *arg, const char *src_addr);
	/* The Q.850 cause for the Reason of a BYE that sip/ sends on its own
	 * (why: SIP_END_NO_ACK), unless gw/ gave one; < 0 or unset: none. */
	int (*end_cause)(void *arg, enum sip_end why);
	/* The final response (300-699) to an incoming INVITE not answered yet
	 * when the call its dialog belongs to (the parent, sip_call_fsm) ends
	 * with Q.850 cause q850; unset or out of range: 500. */
	int (*end_status)(void *arg, int q850);
	void *arg;
};

struct sip_ua_params {
	const char *address;		/* listen address, IP literal */
	uint16_t port;
	const char *user_agent;		/* User-Agent / Server header */
	int retry_after;		/* seconds in a Retry-After on a 503 to an INVITE; 0 = none */
	/* RFC 3261 T1, T2 (section 17.1.1.1) in ms for sip/'s own timers (2xx
	 * retransmission, the ACK wait, Timer L); 0: 500, 4000. libosip2's
	 * transaction timers keep its compile-time DEFAULT_T1/DEFAULT_T2. */
	int t1_ms, t2_ms;
};

int sip_ua_new(struct loop *loop, const struct sip_ua_params *p,
	       const struct sip_events *ev, void *arg, struct sip_ua **out);
int sip_ua_start(struct sip_ua *ua);	/* bind and register with the loop */
void sip_ua_free(struct sip_ua *ua);	/* drops every call without signalling */

struct sip_ua_stats {
	uint64_t rx_msgs, tx_msgs, rx_bad;	/* rx_bad: unparsable or invalid */
	size_t calls;
	size_t transactions;		/* alive, including those lingering after they ended */
};
void sip_ua_stats(const struct sip_ua *ua, struct sip_ua_stats *st);
struct fsm_def;
/* The SIP dialog machine (lib/fsm): its name, states and counters. */
const struct fsm_def *sip_call_machine(void);

void sip_ua_set_policy(struct sip_ua *ua, const struct sip_policy *p);

/*
 * Keepalive ("qualify", RFC 3261 section 11): an OPTIONS to request_uri at
 * host:port (an IP literal) at start, then every interval_s seconds,
 * never two at once. cb gets each outcome: the final status, 408 when
 * nothing answered (Timer F), 503 on a transport error; and the round
 * trip in ms. Free every keepalive before its UA.
 */
struct sip_keepalive;
typedef void (*sip_keepalive_cb)(void *arg, int code, int rtt_ms);
int sip_keepalive_new(struct sip_ua *ua, const char *request_uri, const char *host, uint16_t port,
		      int interval_s, sip_keepalive_cb cb, void *arg, struct sip_keepalive **out);
void sip_keepalive_start(struct sip_keepalive *ka);
void sip_keepalive_free(struct sip_keepalive *ka);	/* an OPTIONS in flight is forgotten */

/*
 * Outgoing INVITE to request_uri, sent to dest_host:dest_port (an IP
 * literal). from_uri may carry a display name ("\"Name\" <sip:...>").
 */
int sip_call_invite(struct sip_ua *ua, const char *request_uri, const char *from_uri,
		    const char *to_uri, const char *dest_host, uint16_t dest_port,
		    const struct sip_sdp_media *offer, void *user, struct sip_call **out);
/*
 * Incoming: respond. 1xx (180, 183 with sdp), 2xx (with the SDP answer),
 * or >= 300 (ends the call). q850 >= 0 adds `Reason: Q.850;cause=N`.
 */
int sip_call_respond(struct sip_call *c, int code, const struct sip_sdp_media *sdp, int q850);
/* Incoming, not answered yet: a final response >= 300 sent once and
 * statelessly (for a source that will never be served: RFC 3261 section
 * 8.2.6); no 100 Trying, no retransmission. Ends the call. */
int sip_call_refuse(struct sip_call *c, int code, int q850);
/* Outgoing: the Retry-After (seconds) of the final response, -1 if none.
 * Valid in the `failed` callback. */
int sip_call_retry_after(const struct sip_call *c);
/* Outgoing: the warn-code of the final response's first Warning header
 * (RFC 3261 section 20.43), 0 if none. Valid in the `failed` callback. */
int sip_call_warning(const struct sip_call *c);
/* Whether the peer's latest SDP says it sends media (sendrecv, sendonly);
 * 0 while it holds the call (recvonly, inactive: RFC 3264 section 8.4). */
int sip_call_remote_sends(const struct sip_call *c);
/* End the call: BYE when established (either side), CANCEL for an
 * unanswered outgoing call, 487 for an unanswered incoming one. Always
 * with `Reason: Q.850;cause=N`. */
int sip_call_hangup(struct sip_call *c, int q850);
void sip_call_set_user(struct sip_call *c, void *user);
void *sip_call_user(const struct sip_call *c);
const char *sip_call_id(const struct sip_call *c);
/*
 * The dialog's machine (lib/fsm), for gw/ to link under its own call
 * (fsm_set_parent) when it gets or makes the call. When that parent ends,
 * the call ends with the parent's cause as sip_call_hangup() would, except
 * that an incoming INVITE not answered yet gets the policy's end_status
 * (not 487); the call is sip/'s from then on. gw/ unlinks it when the call
 * is reported `failed` or `terminated`.
 */
struct fsm *sip_call_fsm(struct sip_call *c);

#endif

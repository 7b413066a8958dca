/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sip/ internals shared by its files (the list below, by file). The
 * transport interface is transport.h. */
#ifndef SIPGW_SIP_SIP_INT_H
#define SIPGW_SIP_SIP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>	/* libosip2's headers need struct timeval */

#include <osip2/osip.h>
#include <osip2/osip_dialog.h>
#include <osipparser2/osip_parser.h>

#include "lib/fsm.h"
#include "lib/hmap.h"
#include "lib/loop.h"
#include "sip/sip.h"
#include "sip/transport.h"

#define SIP_T1_MS 500
#define SIP_T2_MS 4000
#define SIP_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS"
#define SIP_MAX_DGRAM 65536

/* ---- validate.c ---- */
/* A method RFC 3261 and its extensions define (we answer 405, not 501). */
int sip_method_known(const char *m, size_t len);
/* Raw datagram checks; 0 or the status to answer (400, 405, 415, 416,
 * 501, 505). */
int sip_validate_raw(const char *buf, size_t len, int *is_request);
/* Parsed message checks libosip2 does not make; 0 or 400/416/505. */
int sip_validate_msg(const osip_message_t *m);
/* Everything a datagram goes through before it is handled: the raw
 * checks, libosip2's parser, the checks on the parsed message. 0 with
 * *evt (the caller frees it), or the status to answer (*evt NULL); either
 * way *is_request says what the first line was. buf is NUL-terminated. */
int sip_parse_datagram(const char *buf, size_t len, osip_event_t **evt, int *is_request);
/* Stateless error response from the raw request, *out_used bytes in out (a
 * copied header may hold a NUL: RFC 3261 quoted-pair); EINVAL if it cannot
 * be addressed (no Via) or must not be answered. */
int sip_build_raw_error(const char *buf, size_t len, int code, const char *server,
			const char *to_tag, char *out, size_t outlen, size_t *out_used);
/* First line, printable, for logs. */
int sip_raw_request_line(const char *buf, size_t len, char *out, size_t outlen);

/* ---- the UA (ua.c) ---- */
/*
 * The dialog machine of one call (call.c), on lib/fsm: its states, its
 * events, and what an event carries. The table is call.c's.
 */
enum sip_call_state {
	SIP_CS_NULL,		/* created, nothing sent or received yet */
	SIP_CS_IN_PROCEEDING,	/* UAS: INVITE received, no final response */
	SIP_CS_IN_WAIT_ACK,	/* UAS: 2xx sent, retransmitted until the ACK (64*T1) */
	SIP_CS_IN_WAIT_ACK_BYE,	/* UAS: as IN_WAIT_ACK, gw/ hung up: BYE after the ACK */
	SIP_CS_OUT_CALLING,	/* UAC: INVITE sent, nothing received (ICT Calling) */
	SIP_CS_OUT_PROCEEDING,	/* UAC: 1xx received (ICT Proceeding) */
	SIP_CS_CANCEL_PENDING,	/* UAC: hung up before any 1xx: CANCEL on the first */
	SIP_CS_CANCELLING,	/* UAC: CANCEL sent */
	SIP_CS_CONFIRMED,	/* dialog established both ways */
	SIP_CS_RE_WAIT_ACK,	/* UAS of a re-INVITE: its 2xx retransmitted until the ACK */
	SIP_CS_BYE_SENT,	/* BYE sent, waiting for its transaction */
	SIP_CS_DONE,		/* nothing left but transactions finishing */
	SIP_CS_FREED,		/* final: no transaction left, the call is freed */
	SIP_CS_COUNT
};

enum sip_call_event {
	/* from the network */
	SIP_CE_INVITE,		/* a new INVITE (the call is created for it) */
	SIP_CE_1XX,		/* to our INVITE */
	SIP_CE_2XX,
	SIP_CE_2XX_AGAIN,	/* a 2xx retransmitted after the ICT ended */
	SIP_CE_FINAL,		/* 3xx-6xx to our INVITE */
	SIP_CE_TIMER_B,		/* our INVITE timed out (ICT Timer B) */
	SIP_CE_TRANSPORT_ERROR,	/* our INVITE could not be sent */
	SIP_CE_ACK,
	SIP_CE_BYE,
	SIP_CE_CANCEL,
	SIP_CE_REINVITE,
	SIP_CE_INVITE_AGAIN,	/* the INVITE retransmitted after our 2xx (Timer L) */
	/* our timers */
	SIP_CE_TIMER_2XX,	/* 2xx retransmission: T1 doubling to T2 */
	SIP_CE_TIMER_ACK,	/* 64*T1 without the ACK for our 2xx (the state's timer) */
	/* from gw/ */
	SIP_CE_CMD_INVITE,
	SIP_CE_CMD_1XX,
	SIP_CE_CMD_2XX,
	SIP_CE_CMD_REJECT,	/* final response >= 300 */
	SIP_CE_CMD_REFUSE,	/* the same, stateless: sent once, the IST dropped */
	SIP_CE_CMD_HANGUP,
	SIP_CE_PARENT_END,	/* gw/'s call, the parent (sip_call_fsm), ended: the
				 * data is its cause (an int *), not a sip_call_ev */
	/* from the reaper (calls.c) */
	SIP_CE_IDLE,		/* no transaction of the call is left */
	SIP_CE_COUNT
};

/* What an event of the dialog machine carries (the fsm's data; NULL for
 * the timers' and SIP_CE_IDLE). */
struct sip_call_ev {
	enum sip_call_event type;
	int code;			/* status of a response (received or to send) */
	int q850;			/* Reason of a request, or gw/'s cause */
	osip_transaction_t *tr;		/* the server transaction of a request */
	osip_message_t *msg;		/* the request or response; for gw/'s responses,
					 * ours, built before (the action sends it) */
	const struct sip_sdp_media *sdp;
	int err;			/* out: why a command was not carried out */
};

#define SIP_CLOG(lvl, c, fmt, ...) fsm_log((c)->fsm, (lvl), fmt, ##__VA_ARGS__)

struct branch_entry {
	struct branch_entry *next;	/* oldest first: all live 64*T1 */
	struct hmap_node node;
	char *key;		/* top Via branch (or Call-ID/CSeq for RFC 2543) */
	uint64_t expires;
};

struct sip_call {
	struct sip_ua *ua;
	struct fsm *fsm;		/* the dialog machine (call.c); its name "sip call N (Call-ID)" */
	struct sip_call *next, **pprev;	/* ua->calls */
	struct hmap_node cid_node;	/* ua->calls_by_cid, once call_id is known */
	int indexed;
	struct sip_call *tnext;		/* ua->touched: to be looked at by the reaper */
	int touched;			/* on ua->touched (a list, not a state) */
	unsigned id;
	int outgoing;			/* the role, UAC or UAS, fixed when made */
	int ntr;		/* transactions whose your_instance is this call */
	void *user;
	char *call_id;
	char local_tag[24];
	osip_message_t *invite;	/* our clone of the initial INVITE */
	osip_transaction_t *inv_tr; /* its ICT or IST while alive */
	osip_dialog_t *dialog;
	int local_cseq;
	int hangup_q850;	/* cause given by gw/ to sip_call_hangup(), or -1 */
	int retry_after;	/* UAC: Retry-After of the final response, seconds, or -1 */
	int warning;		/* UAC: warn-code of the final response's Warning, or 0 */
	enum sip_sdp_dir remote_dir; /* of the peer's latest SDP (offer, answer, re-INVITE) */
	/* UAC */
	char dest_host[64];
	uint16_t dest_port;
	char *ack;		/* our ACK for the 2xx, resent on retransmissions */
	size_t ack_len;
	char ack_host[64];
	int ack_port;
	/* UAS: our 2xx, retransmitted until its ACK (RFC 3261 section 13.3.1.4)
	 * while in a state that waits for it (call.c) */
	char *resp2xx;
	size_t resp2xx_len;
	char resp_host[64];
	int resp_port;
	int rtx_ms;
	uint64_t sent_2xx_ms;		/* when it went first: the 64*T1 counts from there */
	struct loop_timer *t_2xx;	/* next retransmission: T1, 2*T1 ... T2 */
	/* Our SDP, for the 2xx to a re-INVITE (RFC 3264 section 8). Not a
	 * state: a call answered or offered without SDP is in the same states
	 * as one with it; the flag says only whether there is one to repeat. */
	struct sip_sdp_media local_sdp;
	int have_local_sdp;
};

struct dead_tr {
	struct dead_tr *next;
	osip_transaction_t *tr;
};

struct sip_ua {
	struct loop *loop;
	osip_t *osip;
	const struct sip_transport_ops *tp_ops;	/* what sip_ua_start opens */
	struct sip_transport *tp;
	char addr[64];
	uint16_t port;
	char *user_agent;
	int retry_after;
	struct sip_events ev;
	void *arg;
	struct sip_call *calls;
	struct hmap calls_by_cid;	/* dialog.c */
	struct sip_call *touched;	/* calls something happened to: reap candidates */
	struct dead_tr *dead;
	struct hmap txns;		/* txn.c: every live transaction, by branch */
	struct sip_txn *dirty, **dirty_tail; /* txn.c: those with events to run */
	struct branch_entry *branches, **branches_tail;
	struct hmap branch_index;
	struct sip_ping *pings;		/* our OPTIONS in progress (keepalive.c) */
	struct sip_policy policy;	/* gw/'s answers (sip.h) */
	struct sip_ua_stats st;
	int t1_ms, t2_ms;		/* RFC 3261 T1, T2 for our own timers */
	unsigned next_call_id;
	int in_run, again;
	struct sip_addr src;	/* of the message being handled */
};

/* txn.c: the transaction table. Every transaction is adopted when made;
 * events reach it through sip_txn_add_event; nothing walks all of them. */
int sip_txn_adopt(struct sip_ua *ua, osip_transaction_t *tr);
/* A client transaction for m toward host:port, its request queued; m is
 * the transaction's once this returns 0 (on an error the caller keeps it). */
int sip_txn_client(struct sip_ua *ua, osip_fsm_type_t type, osip_message_t *m, const char *host,
		   int port, osip_transaction_t **out);
void sip_txn_add_event(osip_transaction_t *tr, osip_event_t *ev);
/* An incoming message to the transaction it belongs to: 0, or ENOENT. */
int sip_txn_deliver(struct sip_ua *ua, osip_event_t *evt);
/* Run the transactions with something to do; 1 if more have since. */
int sip_txn_run(struct sip_ua *ua);
/* osip killed it: out of the table and its timer stopped (freed later). */
void sip_txn_gone(osip_transaction_t *tr);
void sip_txn_free(osip_transaction_t *tr);
void sip_txn_free_all(struct sip_ua *ua);
size_t sip_txn_count(const struct sip_ua *ua);

/* ua.c: the UA core (osip callbacks, execute passes, the reaper) */
void sip_ua_kick(struct sip_ua *ua);
/* The transaction is over for us: out of the table, its call told, freed
 * after the pass (osip's kill callback, or a stateless refusal). */
void sip_ua_forget_tr(struct sip_ua *ua, osip_transaction_t *tr);
/* Before sip_ua_start: a transport other than UDP (tests, fuzzers). */
void sip_ua_use_transport(struct sip_ua *ua, const struct sip_transport_ops *ops);
/* T1 and T2 for our own timers (2xx retransmission, the ACK wait, Timer
 * L); libosip2's transaction timers keep its own. For tests. */
void sip_ua_set_timers(struct sip_ua *ua, int t1_ms, int t2_ms);

/* wire.c: messages out through the transport, and in from it */
int sip_ua_send_msg(struct sip_ua *ua, osip_message_t *m, const char *host, int port);
int sip_ua_send_raw(struct sip_ua *ua, const char *buf, size_t len, const char *host, int port);
/* A message from the transport (buf NUL-terminated after len, may change). */
void sip_ua_receive(struct sip_ua *ua, char *buf, size_t len, const struct sip_addr *src);

/* msg.c: reading messages; small helpers */
void sip_ua_rand_token(char *out, size_t len);
int sip_reason_q850(const osip_message_t *m);
/* The decimal number a header's first value starts with (Retry-After's
 * delta-seconds, Warning's warn-code), -1 when absent or not a number. */
int sip_header_number(const osip_message_t *m, const char *name);
/* Host literal for a Via/Contact: brackets around IPv6. */
void sip_host_fmt(const char *addr, char *out, size_t len);
/* Where a response to req goes (RFC 3261 18.2.2, RFC 3581). */
void sip_via_dest(const osip_message_t *req, char *host, size_t hlen, int *port);
/* A header parameter's value ("" when it has none), NULL when absent. */
const char *sip_param(osip_list_t *params, const char *name);
/* 0, ENOENT when m has no SDP body, or why the SDP it has is unusable. */
int sip_msg_sdp(const osip_message_t *m, struct sip_sdp_media *out);
int sip_is_ip_literal(const char *h);

/* build.c: our messages, outside a dialog's logic */
/* A new request with its request line, "METHOD uri SIP/2.0" (RFC 3261
 * section 7.1): uri as text (EINVAL when it does not parse), or a
 * message's, cloned (_uri). 0 or an errno, *out NULL then. */
int sip_request_new(const char *method, const char *uri, osip_message_t **out);
int sip_request_new_uri(const char *method, const osip_uri_t *uri, osip_message_t **out);
/* Our Via: the transport's name, rport, a fresh RFC 3261 branch. */
int sip_ua_add_via(struct sip_ua *ua, osip_message_t *m);
/* A response to req (clone of its Via/From/To/Call-ID/CSeq); to_tag added
 * to To when code > 100 and To has none. */
int sip_ua_build_response(struct sip_ua *ua, const osip_message_t *req, int code,
			  const char *to_tag, osip_message_t **out);
/* Queue a response on a server transaction. */
void sip_ua_respond_tr(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *resp);
int sip_ua_reply(struct sip_ua *ua, osip_transaction_t *tr, const osip_message_t *req, int code);
void sip_contact_of(struct sip_ua *ua, char *out, size_t len);
int sip_add_sdp(osip_message_t *m, const struct sip_sdp_media *s);
void sip_add_reason(osip_message_t *m, int q850);
/* osip_list_clone's callback for a list of name-addr headers (Route,
 * Record-Route). */
int sip_name_addr_clone(void *a, void **b);

/* request.c: a new request on its new server transaction */
void sip_ua_handle_request(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *req);

/* branch.c: the branch cache (RFC 6026 Timer L: 64*T1) */
void sip_ua_branch_add(struct sip_ua *ua, const osip_message_t *invite);
int sip_ua_branch_seen(struct sip_ua *ua, const osip_message_t *invite);
void sip_ua_branch_free_all(struct sip_ua *ua);

/* keepalive.c: OPTIONS both ways. An OPTIONS to us outside a dialog (c
 * NULL) or inside one; the transaction callbacks hand over what is not a
 * call's (sip_ping_on_msg returns 1 when the transaction was a ping) */
struct sip_ping;
void sip_keepalive_answer(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *req,
			  const struct sip_call *c);
int sip_ping_on_msg(struct sip_ua *ua, int type, osip_transaction_t *tr, osip_message_t *m);
void sip_ping_on_gone(struct sip_ua *ua, osip_transaction_t *tr, int transport_error);
void sip_ping_free_all(struct sip_ua *ua);

/* calls.c: which call a message belongs to; a call's transactions; when
 * it may be freed */
void sip_call_attach(struct sip_call *c, osip_transaction_t *tr);
struct sip_call *sip_call_find_dialog(struct sip_ua *ua, osip_message_t *req);
struct sip_call *sip_call_find_branch(struct sip_ua *ua, const osip_message_t *cancel);
struct sip_call *sip_call_find_callid(struct sip_ua *ua, const char *call_id, int outgoing);
void sip_call_tr_gone(struct sip_call *c, osip_transaction_t *tr);
/* Something happened to c that may let it end (a transaction gone, an
 * ending state entered): ua.c reaps it after the pass; only touched calls
 * are looked at, never all of them. Nothing once its machine ended. */
void sip_call_touch(struct sip_call *c);
/* The reaper's look at a touched call: with no transaction left, its
 * machine gets SIP_CE_IDLE (in DONE or BYE_SENT: FREED, and it is freed). */
void sip_call_reap(struct sip_call *c);
/* c->call_id is set: find it by Call-ID from now on, and name its lines
 * after it (0 or ENOMEM). */
int sip_call_index(struct sip_call *c);
/* Out of ua->calls and the Call-ID index (before sip_call_destroy). */
void sip_call_unlink(struct sip_call *c);
void sip_call_destroy(struct sip_call *c);

/* invite.c: the initial INVITE, ours and theirs, and our responses to it */
int sip_dialog_build_response(struct sip_call *c, const osip_message_t *req, int code,
			      const struct sip_sdp_media *sdp, int q850, osip_message_t **out);
void sip_dialog_invite_info(struct sip_call *c, const osip_message_t *invite,
			    struct sip_invite_info *info, char *own[3], char *display, size_t dlen);
int sip_dialog_build_invite(struct sip_call *c, const char *request_uri, const char *from_uri,
			    const char *to_uri, const struct sip_sdp_media *offer, osip_message_t **out);

/* dialog.c: requests inside the dialog, the ACK, CANCEL */
int sip_dialog_send_bye(struct sip_call *c, int q850);
int sip_dialog_send_cancel(struct sip_call *c);
int sip_dialog_send_ack(struct sip_call *c, osip_message_t *resp);
void sip_dialog_resend_ack(struct sip_call *c);

/* call_api.c: events from ua.c, wire.c and request.c to a call */
void sip_call_incoming(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *invite);
/* ACK (tr NULL), BYE, CANCEL or re-INVITE */
void sip_call_on_request(struct sip_call *c, osip_transaction_t *tr, osip_message_t *req);
void sip_call_on_ict(struct sip_call *c, int type, osip_message_t *resp);
void sip_call_on_stray_2xx(struct sip_call *c, osip_message_t *resp);
void sip_call_on_incoming_2xx_retransmit(struct sip_call *c);
/* gw/'s final or provisional response e->code (e->sdp, e->q850) to the
 * INVITE, built into e->msg (a 503 with the UA's Retry-After unless
 * e->type is SIP_CE_CMD_REFUSE); 0 or why not (logged). */
int sip_call_build_answer(struct sip_call *c, struct sip_call_ev *e);

/* call.c: the dialog machine. The def checked (sip_ua_new); a new call on
 * the UA's list, in NULL; one event through the table (0, EINVAL when
 * refused, or the errno of a command not carried out: e->err); an event
 * refused before the table (logged like the table's, a request answered
 * 500: EINVAL); the one failure path (fsm_fail: logged with the status
 * and Reason, counted, to DONE). */
int sip_call_def_check(void);
struct sip_call *sip_call_new(struct sip_ua *ua, int outgoing);
int sip_call_dispatch(struct sip_call *c, struct sip_call_ev *e);
int sip_call_refused(struct sip_call *c, struct sip_call_ev *e);
void sip_call_fail(struct sip_call *c, int code, int q850, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif

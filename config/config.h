/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The config model. Parsed once at start and again on SIGHUP / `sipgwctl
 * reload` into a new object that replaces the old one only if it is valid.
 * A loaded config is read-only; every room may include this header.
 *
 * File format: INI. Sections [general], [numbering], [span N], [trunk NAME],
 * [route NAME]. `key = value`, comments start with ';' or '#'.
 * config/sipgw.conf.sample documents every key.
 */
#ifndef SIPGW_CONFIG_CONFIG_H
#define SIPGW_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CFG_NAME_MAX 64
#define CFG_PATH_MAX 256
#define CFG_HOST_MAX 256
#define CFG_DIGITS_MAX 16
#define CFG_ALLOW_MAX 16
#define CFG_MAX_CHANNELS 31	/* bearer channels of an E1 */

enum cfg_driver { CFG_DRIVER_VIRT, CFG_DRIVER_DAHDI };
enum cfg_signalling { CFG_SIG_PRI_CPE, CFG_SIG_PRI_NET };
/* Values equal virt-span.md's 'C' law byte. */
enum cfg_law { CFG_LAW_ULAW = 0, CFG_LAW_ALAW = 1 };
/* Values equal virt-span.md's 'C' kind byte. */
enum cfg_span_type { CFG_SPAN_E1 = 1, CFG_SPAN_T1 = 2 };
enum cfg_switchtype {
	CFG_SWITCH_EUROISDN_E1,
	CFG_SWITCH_EUROISDN_T1,
	CFG_SWITCH_NI2,
	CFG_SWITCH_DMS100,
	CFG_SWITCH_LUCENT5E,
	CFG_SWITCH_ATT4ESS,
	CFG_SWITCH_QSIG,
	CFG_SWITCH_NI1,
};
/* Type of number used when sending a called/calling number into ISDN. */
enum cfg_ton_out { CFG_TON_OUT_NATIONAL, CFG_TON_OUT_INTERNATIONAL, CFG_TON_OUT_UNKNOWN };

struct cfg_general {
	char sip_address[CFG_HOST_MAX];	/* "127.0.0.1"; where SIP listens */
	int sip_port;			/* 5060 */
	char rtp_address[CFG_HOST_MAX];	/* default: sip_address */
	int rtp_port_min, rtp_port_max;	/* 10000-20000, even ports used */
	char control_socket[CFG_PATH_MAX]; /* /run/sipgw/sipgwd.sock */
	char pid_file[CFG_PATH_MAX];	/* /run/sipgw/sipgwd.pid */
	int log_level;			/* LOG_LVL_* (lib/log.h), default info */
	int media_workers;		/* 0 = one per core */
	int media_priority;		/* SCHED_FIFO priority of media workers, 0 = normal; default 10 */
	char user_agent[CFG_NAME_MAX];	/* "sipgw/VERSION" */
	/* Calls that never reach a final state end by a timer (seconds). */
	int no_answer_timeout;		/* sip->isdn: no CONNECT after SETUP, 180 */
	int sip_timer_c;		/* isdn->sip: RFC 3261 Timer C, only 1xx to our INVITE, 180 */
	int retry_after;		/* Retry-After of a 503 we send (RFC 3261 20.33), 5; 0 = none */
	int sip_t1, sip_t2;		/* RFC 3261 T1 and T2 (section 17.1.1.1), ms: 500, 4000 */
	int rtp_timeout;		/* an answered call with no RTP for this long ends, 60; 0 = never */
	int telephone_event_pt;		/* RFC 4733 payload type we offer, 101 (96-127) */
};

struct cfg_numbering {
	char country_code[CFG_DIGITS_MAX];	  /* "49" */
	char national_prefix[CFG_DIGITS_MAX];	  /* "0" */
	char international_prefix[CFG_DIGITS_MAX]; /* "00" */
	char area_code[CFG_DIGITS_MAX];		  /* for subscriber numbers; "" = none */
	enum cfg_ton_out ton_out;		  /* national */
};

struct cfg_span {
	int id;				/* [span N], N >= 1 */
	int line;			/* line of the [span N] header */
	enum cfg_driver driver;
	enum cfg_signalling signalling;
	enum cfg_switchtype switchtype;
	enum cfg_span_type type;
	enum cfg_law law;		/* default: alaw for E1, ulaw for T1 */
	char directory[CFG_PATH_MAX];	/* virt: socket directory */
	uint32_t channels;		/* bit n set = bearer timeslot n (1..31) in use */
	int dchannel;			/* D-channel timeslot: 16 (E1), 24 (T1) */
	int dahdi_base;			/* dahdi: DAHDI channel number of timeslot 1 */
	char group[CFG_NAME_MAX];	/* span group name, default "span<N>" */
	int echo_cancel;		/* 1 = on (default) */
	int echo_tail_ms;		/* 128 */
	int chunk_ms;			/* virt: 20 */
	/* Q.931 timers in ms; 0 = libpri's default */
	int t303, t305, t308, t309, t310, t313;
};

struct cfg_trunk {
	char name[CFG_NAME_MAX];	/* [trunk NAME] */
	int line;
	char host[CFG_HOST_MAX];	/* where INVITEs go */
	int port;			/* 5060 */
	/* transport: only udp so far */
	/* Source addresses (IPv4/IPv6 literals or CIDR) allowed to send calls
	 * toward the spans. Default: host (when it is a literal address). */
	char allow[CFG_ALLOW_MAX][CFG_HOST_MAX];
	size_t nallow;
	char domain[CFG_HOST_MAX];	/* host part of From/To URIs, default host */
	int qualify_s;			/* OPTIONS every N s to see it answers; 0 = off, default 60 */
};

enum cfg_endpoint_kind { CFG_EP_GROUP, CFG_EP_TRUNK };

struct cfg_route {
	char name[CFG_NAME_MAX];	/* [route NAME] */
	int line;
	enum cfg_endpoint_kind from_kind; /* from = group:NAME | trunk:NAME */
	char from[CFG_NAME_MAX];
	enum cfg_endpoint_kind to_kind;	/* to = group:NAME | trunk:NAME */
	char to[CFG_NAME_MAX];
	char prefix[CFG_DIGITS_MAX];	/* match on the called number (as dialled,
					   E.164 with '+' from SIP); "" = any */
};

struct cfg {
	char path[CFG_PATH_MAX];
	struct cfg_general general;
	struct cfg_numbering numbering;
	struct cfg_span *spans;
	size_t nspans;
	struct cfg_trunk *trunks;
	size_t ntrunks;
	struct cfg_route *routes;	/* in file order: first match wins */
	size_t nroutes;
};

/* Errors, collected (not first-one-only), each "file:line: message". */
struct cfg_errors {
	char **msgs;
	size_t n;
};

/*
 * Parse and check path. On success *out is a new config and 0 is returned.
 * On failure every problem found is appended to errs (which the caller
 * frees with cfg_errors_free) and EINVAL (or errno of opening) is returned.
 */
int cfg_load(const char *path, struct cfg **out, struct cfg_errors *errs);
/* The same from a string; name is used in error messages instead of a path. */
int cfg_load_string(const char *name, const char *text, struct cfg **out,
		    struct cfg_errors *errs);
/* The same from len bytes (a NUL byte in them is an error, not the end). */
int cfg_load_mem(const char *name, const char *text, size_t len, struct cfg **out,
		 struct cfg_errors *errs);
void cfg_free(struct cfg *cfg);
void cfg_errors_free(struct cfg_errors *errs);

const struct cfg_span *cfg_span_by_id(const struct cfg *cfg, int id);

/*
 * What a reload cannot change in a running sipgwd: 1 when a and b differ in
 * anything but what is read afresh for every call (a span's echo_cancel
 * and echo_tail_ms; [general]'s RTP ports, log level, timers and
 * user_agent; all of [numbering], trunks and routes), and the line numbers.
 */
int cfg_span_needs_restart(const struct cfg_span *a, const struct cfg_span *b);
int cfg_general_needs_restart(const struct cfg_general *a, const struct cfg_general *b);
const struct cfg_trunk *cfg_trunk_by_name(const struct cfg *cfg, const char *name);
/* Is the IPv4/IPv6 literal addr allowed by the trunk's allow list? */
int cfg_trunk_allows(const struct cfg_trunk *t, const char *addr);
const char *cfg_switchtype_name(enum cfg_switchtype s);
const char *cfg_law_name(enum cfg_law law);
/* Number of set bits in span->channels. */
int cfg_span_nchannels(const struct cfg_span *span);

#endif

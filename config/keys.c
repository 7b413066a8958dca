/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config/keys: every section's key table and the setters that check a
 * value against its key's entry and store it in the section's struct.
 * parse.c finds a key with cfg_key_index() and sets it with cfg_key_set().
 */
#include "config/parse.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

_Static_assert(sizeof(enum cfg_driver) == sizeof(int), "enum storage");


/*
 * "1-15,17-31" -> bits 1..15 and 17..31. Timeslots 1..31 here; the range
 * for the span type (T1: 1..24) is checked in config.c once type is known.
 */
static int parse_channels(const char *s, uint32_t *mask, char *why, size_t whylen)
{
	uint32_t m = 0;
	const char *c = s;

	while (1) {
		long a = 0, b;
		int da = 0, db = 0;

		while (*c == ' ' || *c == '\t')
			c++;
		while (*c >= '0' && *c <= '9' && da < 4)
			a = a * 10 + (*c++ - '0'), da++;
		if (!da) {
			snprintf(why, whylen, "expected a list such as 1-15,17-31");
			return EINVAL;
		}
		b = a;
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c == '-') {
			c++;
			while (*c == ' ' || *c == '\t')
				c++;
			b = 0;
			while (*c >= '0' && *c <= '9' && db < 4)
				b = b * 10 + (*c++ - '0'), db++;
			if (!db) {
				snprintf(why, whylen, "expected a list such as 1-15,17-31");
				return EINVAL;
			}
			while (*c == ' ' || *c == '\t')
				c++;
		}
		if (a < 1 || a > 31 || b < 1 || b > 31) {
			snprintf(why, whylen, "timeslot %ld out of range 1-31",
				 (a < 1 || a > 31) ? a : b);
			return ERANGE;
		}
		if (a > b) {
			snprintf(why, whylen, "range %ld-%ld goes backwards", a, b);
			return EINVAL;
		}
		for (long i = a; i <= b; i++) {
			if (m & (UINT32_C(1) << i)) {
				snprintf(why, whylen, "timeslot %ld listed twice", i);
				return EINVAL;
			}
			m |= UINT32_C(1) << i;
		}
		if (!*c)
			break;
		if (*c != ',') {
			snprintf(why, whylen, "expected a list such as 1-15,17-31");
			return EINVAL;
		}
		c++;
	}
	*mask = m;
	return 0;
}

/* ---- key tables ---- */

struct kv {
	const char *name;
	int value;
};

struct key;
typedef void (*setter_fn)(struct cfg_parser *p, void *obj, const struct key *k,
			  const char *v, int line);

struct key {
	const char *name;
	setter_fn set;
	size_t off;		/* field in the section's struct */
	long min, max;		/* set_int; set_str: max = field size */
	const struct kv *words;	/* set_enum */
	const char *expect;	/* text after "expected " */
	int repeat;		/* may appear more than once */
};

static void bad_value(struct cfg_parser *p, const struct key *k, const char *v,
		      int line, const char *expect)
{
	cfg_perr(p, line, "invalid %s '%s' in [%s]: expected %s", k->name, v,
		 p->secname, expect);
}

static void set_int(struct cfg_parser *p, void *obj, const struct key *k,
		    const char *v, int line)
{
	long n;
	char expect[96];

	if (cfg_parse_uint(v, k->min, k->max, &n)) {
		snprintf(expect, sizeof(expect), "a number from %ld to %ld", k->min, k->max);
		bad_value(p, k, v, line, k->expect ? k->expect : expect);
		return;
	}
	*(int *)((char *)obj + k->off) = (int)n;
}

static void set_enum(struct cfg_parser *p, void *obj, const struct key *k,
		     const char *v, int line)
{
	for (const struct kv *w = k->words; w->name; w++)
		if (!strcmp(w->name, v)) {
			*(int *)((char *)obj + k->off) = w->value;
			return;
		}
	bad_value(p, k, v, line, k->expect);
}

static int copy_str(struct cfg_parser *p, void *obj, const struct key *k,
		    const char *v, int line)
{
	size_t len = strlen(v);

	if (len >= (size_t)k->max) {
		cfg_perr(p, line, "invalid %s in [%s]: longer than %ld characters",
			 k->name, p->secname, k->max - 1);
		return EINVAL;
	}
	memcpy((char *)obj + k->off, v, len + 1);
	return 0;
}

/* Any non-empty text. */
static void set_str(struct cfg_parser *p, void *obj, const struct key *k,
		    const char *v, int line)
{
	if (!*v) {
		bad_value(p, k, v, line, k->expect ? k->expect : "a value");
		return;
	}
	copy_str(p, obj, k, v, line);
}

/* Digits only; may be empty (e.g. no national prefix). */
static void set_digits(struct cfg_parser *p, void *obj, const struct key *k,
		       const char *v, int line)
{
	if (!cfg_is_digits(v)) {
		bad_value(p, k, v, line, k->expect ? k->expect : "digits");
		return;
	}
	copy_str(p, obj, k, v, line);
}

static void set_name(struct cfg_parser *p, void *obj, const struct key *k,
		     const char *v, int line)
{
	if (!cfg_is_name(v)) {
		bad_value(p, k, v, line, "a name of letters, digits, '_', '-', '.'");
		return;
	}
	copy_str(p, obj, k, v, line);
}

static void set_ip(struct cfg_parser *p, void *obj, const struct key *k,
		   const char *v, int line)
{
	unsigned char buf[16];
	int af;

	if (cfg_parse_ip(v, &af, buf)) {
		bad_value(p, k, v, line, "an IPv4 or IPv6 address");
		return;
	}
	copy_str(p, obj, k, v, line);
}

/* host: a name or an IP literal; "[::1]" is stored as "::1". */
static void set_host(struct cfg_parser *p, void *obj, const struct key *k,
		     const char *v, int line)
{
	char tmp[CFG_HOST_MAX];
	size_t len = strlen(v);

	if (len >= 2 && v[0] == '[' && v[len - 1] == ']' && len - 2 < sizeof(tmp)) {
		unsigned char buf[16];
		int af;

		memcpy(tmp, v + 1, len - 2);
		tmp[len - 2] = '\0';
		if (cfg_parse_ip(tmp, &af, buf) == 0 && af == 6) {
			copy_str(p, obj, k, tmp, line);
			return;
		}
	}
	if (!cfg_is_host(v)) {
		bad_value(p, k, v, line, "a host name or an IPv4/IPv6 address");
		return;
	}
	copy_str(p, obj, k, v, line);
}

static void set_bool(struct cfg_parser *p, void *obj, const struct key *k,
		     const char *v, int line)
{
	int *f = (int *)((char *)obj + k->off);

	if (!strcmp(v, "yes"))
		*f = 1;
	else if (!strcmp(v, "no"))
		*f = 0;
	else
		bad_value(p, k, v, line, "yes or no");
}

static void set_log_level(struct cfg_parser *p, void *obj, const struct key *k,
			  const char *v, int line)
{
	int l = log_level_from_name(v);

	if (l < 0) {
		bad_value(p, k, v, line, "err, warn, notice, info or debug");
		return;
	}
	*(int *)((char *)obj + k->off) = l;
}

static void set_channels(struct cfg_parser *p, void *obj, const struct key *k,
			 const char *v, int line)
{
	char why[96];
	uint32_t m;

	if (parse_channels(v, &m, why, sizeof(why))) {
		cfg_perr(p, line, "invalid %s '%s' in [%s]: %s", k->name, v,
			 p->secname, why);
		return;
	}
	((struct cfg_span *)obj)->channels = m;
}

static void set_transport(struct cfg_parser *p, void *obj, const struct key *k,
			  const char *v, int line)
{
	if (!strcmp(v, "udp"))
		return;
	if (!strcmp(v, "tcp") || !strcmp(v, "tls"))
		cfg_perr(p, line, "transport '%s' in [%s]: not supported yet (only udp)",
			 v, p->secname);
	else
		bad_value(p, k, v, line, "udp");
}

static void set_allow(struct cfg_parser *p, void *obj, const struct key *k,
		      const char *v, int line)
{
	struct cfg_trunk *t = obj;
	const char *c = v;

	if (!*v) {
		bad_value(p, k, v, line, "IPv4/IPv6 addresses or CIDR prefixes");
		return;
	}
	while (*c) {
		char item[CFG_HOST_MAX];
		const char *end = strchr(c, ',');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		unsigned char buf[16];
		int af, plen;

		while (len && (*c == ' ' || *c == '\t'))
			c++, len--;
		while (len && (c[len - 1] == ' ' || c[len - 1] == '\t'))
			len--;
		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, c, len);
		item[len] = '\0';
		if (cfg_parse_cidr(item, &af, buf, &plen)) {
			cfg_perr(p, line, "invalid allow '%s' in [%s]: expected an "
				 "IPv4/IPv6 address or CIDR prefix", item, p->secname);
		} else if (t->nallow == CFG_ALLOW_MAX) {
			cfg_perr(p, line, "too many allow entries in [%s] (at most %d)",
				 p->secname, CFG_ALLOW_MAX);
			return;
		} else {
			memcpy(t->allow[t->nallow++], item, len + 1);
		}
		if (!end)
			break;
		c = end + 1;
	}
}

static void set_endpoint(struct cfg_parser *p, void *obj, const struct key *k,
			 const char *v, int line)
{
	struct cfg_route *r = obj;
	int is_from = !strcmp(k->name, "from");
	enum cfg_endpoint_kind kind;
	const char *name;

	if (!strncmp(v, "group:", 6)) {
		kind = CFG_EP_GROUP;
		name = v + 6;
	} else if (!strncmp(v, "trunk:", 6)) {
		kind = CFG_EP_TRUNK;
		name = v + 6;
	} else {
		bad_value(p, k, v, line, "group:NAME or trunk:NAME");
		return;
	}
	if (!cfg_is_name(name)) {
		bad_value(p, k, v, line, "group:NAME or trunk:NAME");
		return;
	}
	if (is_from) {
		r->from_kind = kind;
		strcpy(r->from, name);
	} else {
		r->to_kind = kind;
		strcpy(r->to, name);
	}
}

/* Called-number prefix: optional '+', then digits, '*', '#'. */
static void set_prefix(struct cfg_parser *p, void *obj, const struct key *k,
		       const char *v, int line)
{
	const char *c = v;

	if (*c == '+')
		c++;
	for (; *c; c++)
		if (!((*c >= '0' && *c <= '9') || *c == '*' || *c == '#'))
			break;
	if (*c || !strcmp(v, "+")) {
		bad_value(p, k, v, line, "digits, optionally after '+'");
		return;
	}
	copy_str(p, obj, k, v, line);
}

static const struct kv w_driver[] = {
	{ "virt", CFG_DRIVER_VIRT }, { "dahdi", CFG_DRIVER_DAHDI }, { NULL, 0 } };
static const struct kv w_sig[] = {
	{ "pri_cpe", CFG_SIG_PRI_CPE }, { "pri_net", CFG_SIG_PRI_NET }, { NULL, 0 } };
static const struct kv w_switch[] = {
	{ "euroisdn_e1", CFG_SWITCH_EUROISDN_E1 }, { "euroisdn_t1", CFG_SWITCH_EUROISDN_T1 },
	{ "ni2", CFG_SWITCH_NI2 }, { "dms100", CFG_SWITCH_DMS100 },
	{ "lucent5e", CFG_SWITCH_LUCENT5E }, { "att4ess", CFG_SWITCH_ATT4ESS },
	{ "qsig", CFG_SWITCH_QSIG }, { "ni1", CFG_SWITCH_NI1 }, { NULL, 0 } };
static const struct kv w_type[] = {
	{ "e1", CFG_SPAN_E1 }, { "t1", CFG_SPAN_T1 }, { NULL, 0 } };
static const struct kv w_law[] = {
	{ "alaw", CFG_LAW_ALAW }, { "ulaw", CFG_LAW_ULAW }, { NULL, 0 } };
static const struct kv w_ton[] = {
	{ "national", CFG_TON_OUT_NATIONAL }, { "international", CFG_TON_OUT_INTERNATIONAL },
	{ "unknown", CFG_TON_OUT_UNKNOWN }, { NULL, 0 } };

const char *cfg_word(int which, int value)
{
	static const struct kv *const tabs[] = { w_driver, w_sig, w_switch, w_type, w_law, w_ton };

	if (which < 0 || which >= (int)(sizeof(tabs) / sizeof(tabs[0])))
		return "?";
	for (const struct kv *w = tabs[which]; w->name; w++)
		if (w->value == value)
			return w->name;
	return "?";
}

#define G(f) offsetof(struct cfg_general, f)
#define N(f) offsetof(struct cfg_numbering, f)
#define S(f) offsetof(struct cfg_span, f)
#define T(f) offsetof(struct cfg_trunk, f)
#define R(f) offsetof(struct cfg_route, f)
#define SZ(type, f) ((long)sizeof(((struct type *)0)->f))

static const struct key general_keys[] = {
	{ "sip_address", set_ip, G(sip_address), 0, SZ(cfg_general, sip_address), NULL, NULL, 0 },
	{ "sip_port", set_int, G(sip_port), 1, 65535, NULL, NULL, 0 },
	{ "rtp_address", set_ip, G(rtp_address), 0, SZ(cfg_general, rtp_address), NULL, NULL, 0 },
	{ "rtp_port_min", set_int, G(rtp_port_min), 1024, 65535, NULL, NULL, 0 },
	{ "rtp_port_max", set_int, G(rtp_port_max), 1024, 65535, NULL, NULL, 0 },
	{ "control_socket", set_str, G(control_socket), 0, CFG_CONTROL_SOCKET_MAX, NULL, "a path", 0 },
	{ "pid_file", set_str, G(pid_file), 0, SZ(cfg_general, pid_file), NULL, "a path", 0 },
	{ "log_level", set_log_level, G(log_level), 0, 0, NULL, NULL, 0 },
	{ "media_workers", set_int, G(media_workers), 0, 256, NULL, NULL, 0 },
	{ "media_priority", set_int, G(media_priority), 0, 99, NULL, NULL, 0 },
	{ "no_answer_timeout", set_int, G(no_answer_timeout), 1, 3600, NULL, NULL, 0 },
	{ "sip_timer_c", set_int, G(sip_timer_c), 1, 3600, NULL, NULL, 0 },
	{ "retry_after", set_int, G(retry_after), 0, 3600, NULL, NULL, 0 },
	{ "sip_t1", set_int, G(sip_t1), 50, 10000, NULL, NULL, 0 },
	{ "sip_t2", set_int, G(sip_t2), 500, 60000, NULL, NULL, 0 },
	{ "rtp_timeout", set_int, G(rtp_timeout), 0, 3600, NULL, NULL, 0 },
	{ "telephone_event_pt", set_int, G(telephone_event_pt), 96, 127, NULL, NULL, 0 },
	{ "user_agent", set_str, G(user_agent), 0, SZ(cfg_general, user_agent), NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static const struct key numbering_keys[] = {
	{ "country_code", set_digits, N(country_code), 0, 4, NULL, "1 to 3 digits", 0 },
	{ "national_prefix", set_digits, N(national_prefix), 0, SZ(cfg_numbering, national_prefix), NULL, NULL, 0 },
	{ "international_prefix", set_digits, N(international_prefix), 0, SZ(cfg_numbering, international_prefix), NULL, NULL, 0 },
	{ "area_code", set_digits, N(area_code), 0, SZ(cfg_numbering, area_code), NULL, NULL, 0 },
	{ "ton_out", set_enum, N(ton_out), 0, 0, w_ton, "national, international or unknown", 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

#define TIMER(t) { #t, set_int, S(t), 0, 600000, NULL, NULL, 0 }
static const struct key span_keys[] = {
	{ "driver", set_enum, S(driver), 0, 0, w_driver, "virt or dahdi", 0 },
	{ "signalling", set_enum, S(signalling), 0, 0, w_sig, "pri_cpe or pri_net", 0 },
	{ "switchtype", set_enum, S(switchtype), 0, 0, w_switch,
	  "euroisdn_e1, euroisdn_t1, ni2, dms100, lucent5e, att4ess, qsig or ni1", 0 },
	{ "type", set_enum, S(type), 0, 0, w_type, "e1 or t1", 0 },
	{ "law", set_enum, S(law), 0, 0, w_law, "alaw or ulaw", 0 },
	{ "directory", set_str, S(directory), 0, SZ(cfg_span, directory), NULL, "a path", 0 },
	{ "channels", set_channels, 0, 0, 0, NULL, NULL, 0 },
	{ "dchannel", set_int, S(dchannel), 1, 31, NULL, NULL, 0 },
	{ "dahdi_base", set_int, S(dahdi_base), 1, 100000, NULL, NULL, 0 },
	{ "group", set_name, S(group), 0, SZ(cfg_span, group), NULL, NULL, 0 },
	{ "echo_cancel", set_bool, S(echo_cancel), 0, 0, NULL, NULL, 0 },
	{ "echo_tail_ms", set_int, S(echo_tail_ms), 16, 512, NULL, NULL, 0 },
	{ "chunk_ms", set_int, S(chunk_ms), 1, 40, NULL, NULL, 0 },
	TIMER(t303), TIMER(t305), TIMER(t308), TIMER(t309), TIMER(t310), TIMER(t313),
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static const struct key trunk_keys[] = {
	{ "host", set_host, T(host), 0, SZ(cfg_trunk, host), NULL, NULL, 0 },
	{ "port", set_int, T(port), 1, 65535, NULL, NULL, 0 },
	{ "allow", set_allow, 0, 0, 0, NULL, NULL, 1 },
	{ "domain", set_host, T(domain), 0, SZ(cfg_trunk, domain), NULL, NULL, 0 },
	{ "transport", set_transport, 0, 0, 0, NULL, NULL, 0 },
	{ "qualify", set_int, T(qualify_s), 0, 3600, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

static const struct key route_keys[] = {
	{ "from", set_endpoint, 0, 0, 0, NULL, NULL, 0 },
	{ "to", set_endpoint, 0, 0, 0, NULL, NULL, 0 },
	{ "prefix", set_prefix, R(prefix), 0, SZ(cfg_route, prefix), NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
};

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))
_Static_assert(NKEYS(general_keys) <= CFG_KEYS_MAX && NKEYS(numbering_keys) <= CFG_KEYS_MAX &&
	       NKEYS(span_keys) <= CFG_KEYS_MAX && NKEYS(trunk_keys) <= CFG_KEYS_MAX &&
	       NKEYS(route_keys) <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");

static const struct key *const sec_keys[] = {
	[CFG_SEC_GENERAL] = general_keys, [CFG_SEC_NUMBERING] = numbering_keys,
	[CFG_SEC_SPAN] = span_keys, [CFG_SEC_TRUNK] = trunk_keys,
	[CFG_SEC_ROUTE] = route_keys,
};

int cfg_key_index(enum cfg_sec sec, const char *name)
{
	const struct key *k = sec_keys[sec];

	for (int i = 0; k[i].name; i++)
		if (!strcmp(k[i].name, name))
			return i;
	return -1;
}

const char *cfg_key_name(enum cfg_sec sec, int i)
{
	const struct key *k;

	if ((unsigned)sec >= CFG_SEC_COUNT || i < 0)
		return NULL;
	k = sec_keys[sec];
	for (int j = 0; j < i; j++)
		if (!k[j].name)
			return NULL;
	return k[i].name;
}


int cfg_key_repeats(enum cfg_sec sec, int i)
{
	return sec_keys[sec][i].repeat;
}

void cfg_key_set(struct cfg_parser *p, void *obj, enum cfg_sec sec, int i, const char *v,
		 int line)
{
	const struct key *k = &sec_keys[sec][i];

	k->set(p, obj, k, v, line);
}

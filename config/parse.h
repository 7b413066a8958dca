/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private to config/: the parser state shared by parse.c (reading the INI
 * text), keys.c (the key tables and setters), values.c (value checkers) and
 * config.c (defaults, cross-section checks, the public API).
 */
#ifndef SIPGW_CONFIG_PARSE_H
#define SIPGW_CONFIG_PARSE_H

#include <stddef.h>

#include "config/config.h"

/* sizeof(sockaddr_un.sun_path) on Linux, NUL included. */
#define CFG_CONTROL_SOCKET_MAX 108

enum cfg_sec {
	CFG_SEC_GENERAL, CFG_SEC_NUMBERING, CFG_SEC_SPAN, CFG_SEC_TRUNK,
	CFG_SEC_ROUTE, CFG_SEC_COUNT,
	CFG_SEC_NONE,	/* before the first section */
	CFG_SEC_SKIP,	/* inside a section whose header was wrong */
};

#define CFG_KEYS_MAX 32

/* Per section instance: on which line each key was set (0 = not set). */
struct cfg_x {
	int line;			/* header line ([general], [numbering]) */
	int keyline[CFG_KEYS_MAX];
};

struct cfg_perr {
	int line;
	char *msg;
};

struct cfg_parser {
	const char *name;
	struct cfg *cfg;
	/* errors, sorted by line before they go to the caller */
	struct cfg_perr *err_list;
	size_t nerr_list, cap_err_list;
	size_t nerrs;			/* counted even when out of memory */
	int nomem;
	/* current section */
	enum cfg_sec sec;
	size_t idx;
	char secname[CFG_NAME_MAX + 16];
	struct cfg_x general_x, numbering_x;
	struct cfg_x *x[CFG_SEC_COUNT];	/* spans, trunks, routes: parallel arrays */
};

void cfg_parse_text(struct cfg_parser *p, const char *text, size_t len);
void cfg_perr(struct cfg_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Index of key name in section sec's table, or -1. */
int cfg_key_index(enum cfg_sec sec, const char *name);
/* Name of key i of section sec, NULL past the end (tests walk the tables). */
const char *cfg_key_name(enum cfg_sec sec, int i);
/* Key i of section sec (keys.c): may it appear more than once; check and
 * store value v into obj, the section's struct, or report at line. */
int cfg_key_repeats(enum cfg_sec sec, int i);
void cfg_key_set(struct cfg_parser *p, void *obj, enum cfg_sec sec, int i, const char *v,
		 int line);
/* Word for an enum value: which = 0 driver, 1 signalling, 2 switchtype,
 * 3 type, 4 law, 5 ton_out. */
const char *cfg_word(int which, int value);

int cfg_parse_uint(const char *s, long min, long max, long *out);
int cfg_is_digits(const char *s);
int cfg_is_name(const char *s);
int cfg_is_host(const char *s);
/* IPv4/IPv6 literal ("[v6]" and "%zone" accepted) -> af 4 or 6 and bytes. */
int cfg_parse_ip(const char *s, int *af, unsigned char buf[16]);
int cfg_parse_cidr(const char *s, int *af, unsigned char buf[16], int *plen);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config/values: the small value checkers the key setters (keys.c) and the
 * cross-section checks (config.c) share: numbers, digits, names, hosts,
 * CIDR prefixes.
 */
#include "config/parse.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int cfg_parse_uint(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (!*s)
		return EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return EINVAL;
		if (v > (LONG_MAX - 9) / 10)
			return ERANGE;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return ERANGE;
	*out = v;
	return 0;
}

int cfg_is_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Names of trunks, routes and groups: letters, digits, '_', '-', '.'. */
int cfg_is_name(const char *s)
{
	if (!*s || strlen(s) >= CFG_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* A DNS host name (letters, digits, '-', '.'), or an IP literal. */
int cfg_is_host(const char *s)
{
	unsigned char buf[16];
	int af;
	const char *c;

	if (!*s || strlen(s) >= CFG_HOST_MAX)
		return 0;
	if (cfg_parse_ip(s, &af, buf) == 0)
		return 1;
	for (c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.'))
			return 0;
	return *s != '-' && *s != '.';
}

/* Is s an address or a CIDR prefix (addr/len)? */
int cfg_parse_cidr(const char *s, int *af, unsigned char buf[16], int *plen)
{
	char tmp[CFG_HOST_MAX];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	long l;

	if (alen >= sizeof(tmp))
		return EINVAL;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	if (cfg_parse_ip(tmp, af, buf))
		return EINVAL;
	if (!slash) {
		*plen = *af == 4 ? 32 : 128;
		return 0;
	}
	if (cfg_parse_uint(slash + 1, 0, *af == 4 ? 32 : 128, &l))
		return EINVAL;
	*plen = (int)l;
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gw/number: ISDN numbers <-> E.164, tel: and SIP URIs (see number.h). */
#include "gw/number.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int all_digits(const char *s)
{
	for (; *s; s++)
		if (!is_digit(*s))
			return 0;
	return 1;
}

/* Join up to three parts into out; ENOSPC (and out = "") if too long. */
static int join(char *out, size_t len, const char *a, const char *b, const char *c)
{
	int n;

	if (!out || !len)
		return ENOSPC;
	n = snprintf(out, len, "%s%s%s", a, b, c);
	if (n < 0 || (size_t)n >= len) {
		out[0] = '\0';
		return ENOSPC;
	}
	return 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return *prefix && !strncmp(s, prefix, strlen(prefix));
}

int gw_number_to_e164(const struct cfg_numbering *n, const char *digits, enum tdm_ton ton,
		      char *out, size_t len)
{
	const char *cc = n ? n->country_code : "";

	if (!digits || !out || !len)
		return EINVAL;
	for (const char *c = digits; *c; c++)
		if (!is_digit(*c) && *c != '*' && *c != '#') {
			out[0] = '\0';
			return EINVAL;
		}
	if (!digits[0])
		return join(out, len, "", "", "");

	switch (ton) {
	case TDM_TON_INTERNATIONAL:
		/* Some PBXes write the prefix a caller dials too: "0044..." */
		if (n && starts_with(digits, n->international_prefix) &&
		    digits[strlen(n->international_prefix)])
			digits += strlen(n->international_prefix);
		if (all_digits(digits))
			return join(out, len, "+", digits, "");
		break;
	case TDM_TON_NATIONAL:
		/* ITU-T E.164: a national (significant) number does not start
		 * with the national (trunk) prefix; some PBXes send it anyway. */
		if (*cc && starts_with(digits, n->national_prefix) &&
		    digits[strlen(n->national_prefix)])
			digits += strlen(n->national_prefix);
		if (*cc && all_digits(digits))
			return join(out, len, "+", cc, digits);
		break;
	case TDM_TON_SUBSCRIBER:
		if (*cc && n->area_code[0] && all_digits(digits)) {
			char tmp[2 * CFG_DIGITS_MAX];

			snprintf(tmp, sizeof(tmp), "%s%s", cc, n->area_code);
			return join(out, len, "+", tmp, digits);
		}
		break;
	case TDM_TON_UNKNOWN:
		if (!n || !all_digits(digits))
			break;
		/* international first: "00" also starts with "0" */
		if (starts_with(digits, n->international_prefix)) {
			if (digits[strlen(n->international_prefix)])
				return join(out, len, "+",
					    digits + strlen(n->international_prefix), "");
			break;	/* the prefix alone: still being dialled */
		}
		if (*cc && starts_with(digits, n->national_prefix) &&
		    digits[strlen(n->national_prefix)])
			return join(out, len, "+", cc, digits + strlen(n->national_prefix));
		break;
	default:	/* network specific, abbreviated: not E.164 */
		break;
	}
	return join(out, len, digits, "", "");
}

int gw_number_from_sip(const struct cfg_numbering *n, const char *user, char *digits,
		       size_t len, enum tdm_ton *ton)
{
	char num[128];
	size_t k = 0;
	int global;
	const char *cc = n ? n->country_code : "";
	enum cfg_ton_out tout = n ? n->ton_out : CFG_TON_OUT_NATIONAL;

	if (!user || !digits || !len)
		return EINVAL;
	digits[0] = '\0';
	global = user[0] == '+';
	for (const char *c = user + global; *c; c++) {
		if (*c == '-' || *c == '.' || *c == '(' || *c == ')')
			continue;	/* RFC 3966 visual separators */
		if (!is_digit(*c) && (global || (*c != '*' && *c != '#')))
			return EINVAL;	/* a global number is digits only */
		if (k + 1 >= sizeof(num))
			return ENOSPC;
		num[k++] = *c;
	}
	num[k] = '\0';
	if (!k)
		return EINVAL;

	if (!global && n && tout != CFG_TON_OUT_UNKNOWN && all_digits(num)) {
		/* Dialled with a prefix: "00<cc><number>" and "0<national>" are
		 * the global numbers "+<cc><number>" and "+<own cc><national>". */
		const char *ip = n->international_prefix, *np = n->national_prefix;
		char tmp[sizeof(num)];

		/* international first: "00" also starts with "0" */
		if (starts_with(num, ip)) {
			snprintf(tmp, sizeof(tmp), "%s", num + strlen(ip));
			global = tmp[0] != '\0';	/* the prefix alone: as dialled */
		} else if (*cc && starts_with(num, np) && num[strlen(np)] &&
			   strlen(cc) + strlen(num) - strlen(np) < sizeof(num)) {
			snprintf(tmp, sizeof(tmp), "%s%s", cc, num + strlen(np));
			global = 1;
		}
		if (global)
			memcpy(num, tmp, sizeof(num));
	}
	if (!global) {
		if (ton)
			*ton = TDM_TON_UNKNOWN;
		return join(digits, len, num, "", "");
	}
	if (*cc && starts_with(num, cc) && num[strlen(cc)]) {
		const char *national = num + strlen(cc);

		switch (tout) {
		case CFG_TON_OUT_INTERNATIONAL:
			if (ton)
				*ton = TDM_TON_INTERNATIONAL;
			return join(digits, len, num, "", "");
		case CFG_TON_OUT_UNKNOWN:
			if (ton)
				*ton = TDM_TON_UNKNOWN;
			return join(digits, len, n->national_prefix, national, "");
		default:
			if (ton)
				*ton = TDM_TON_NATIONAL;
			return join(digits, len, national, "", "");
		}
	}
	if (tout == CFG_TON_OUT_UNKNOWN) {
		if (ton)
			*ton = TDM_TON_UNKNOWN;
		return join(digits, len, n->international_prefix, num, "");
	}
	if (ton)
		*ton = TDM_TON_INTERNATIONAL;
	return join(digits, len, num, "", "");
}

/* RFC 3261 25.1: user = 1*( unreserved / escaped / user-unreserved ) */
static int user_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit((char)c) ||
	       strchr("-_.!~*'()&=+$,;?/", c);
}

/* A global telephone number: '+', digits and visual separators. */
static int is_global_number(const char *u)
{
	int nd = 0;

	if (*u++ != '+')
		return 0;
	for (; *u; u++) {
		if (is_digit(*u))
			nd++;
		else if (!strchr("-.()", *u))
			return 0;
	}
	return nd > 0;
}

int gw_number_sip_uri(const char *user, const char *host, int port, char *out, size_t len)
{
	char u[3 * 128 + 1], hp[CFG_HOST_MAX + 16];
	size_t k = 0;
	int v6;

	if (!user || !host || !*host || !out || !len || port < 0 || port > 65535)
		return EINVAL;
	out[0] = '\0';
	for (const unsigned char *c = (const unsigned char *)user; *c; c++) {
		if (k + 4 > sizeof(u))
			return ENOSPC;
		if (user_char_ok(*c))
			u[k++] = (char)*c;
		else
			k += (size_t)snprintf(u + k, 4, "%%%02X", *c);
	}
	u[k] = '\0';
	v6 = strchr(host, ':') && host[0] != '[';
	if (port && port != 5060)
		snprintf(hp, sizeof(hp), "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
	else
		snprintf(hp, sizeof(hp), "%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
	if (strlen(host) >= CFG_HOST_MAX)
		return ENOSPC;
	{
		int n = snprintf(out, len, "sip:%s%s%s%s", u, *u ? "@" : "", hp,
				 is_global_number(user) ? ";user=phone" : "");

		if (n < 0 || (size_t)n >= len) {
			out[0] = '\0';
			return ENOSPC;
		}
	}
	return 0;
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode [s, s+n) into out. */
static int pct_decode(const char *s, size_t n, char *out, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				goto bad;
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0))
				goto bad;
			c = (char)(h * 16 + l);
			i += 2;
		}
		if (k + 1 >= len) {
			out[0] = '\0';
			return ENOSPC;
		}
		out[k++] = c;
	}
	out[k] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return EINVAL;
}

int gw_uri_user(const char *uri, char *out, size_t len)
{
	const char *s, *end, *at, *u;
	size_t n;

	if (!uri || !out || !len)
		return EINVAL;
	out[0] = '\0';
	s = strchr(uri, '<');
	if (s) {
		s++;
		end = strchr(s, '>');
		if (!end)
			return EINVAL;
	} else {
		s = uri;
		while (*s == ' ' || *s == '\t')
			s++;
		end = s + strlen(s);
	}

	if (!strncasecmp(s, "tel:", 4)) {
		u = s + 4;
		n = strcspn(u, ";>");
		if (u + n > end)
			n = (size_t)(end - u);
		return pct_decode(u, n, out, len);
	}
	if (!strncasecmp(s, "sip:", 4))
		u = s + 4;
	else if (!strncasecmp(s, "sips:", 5))
		u = s + 5;
	else
		return EINVAL;
	/* userinfo ends at the '@' before the host; ';', '?' and '>' cannot
	 * come before it in the host part, so look no further than those */
	at = memchr(u, '@', (size_t)(end - u));
	if (!at)
		return 0;	/* "sip:host": no user */
	n = (size_t)(at - u);
	n = strcspn(u, ":;") < n ? strcspn(u, ":;") : n;	/* password, params */
	return pct_decode(u, n, out, len);
}

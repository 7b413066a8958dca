/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gw/number: ISDN numbers <-> E.164, SIP and tel: URIs. Vector tables, then
 * the RFC 3966 examples read from testdata/standards/rfc3966/ (both files).
 * Usage: test_number [TESTDATA_DIR]   (or SIPGW_TESTDATA=DIR)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/number.h"
#include "tests/unit/tap.h"
#include "tests/unit/tsv.h"

/* Germany, Berlin: the examples of ARCHITECTURE.md. */
static const struct cfg_numbering de = {
	.country_code = "49", .national_prefix = "0", .international_prefix = "00",
	.area_code = "30", .ton_out = CFG_TON_OUT_NATIONAL,
};
static const struct cfg_numbering de_noarea = {
	.country_code = "49", .national_prefix = "0", .international_prefix = "00",
	.ton_out = CFG_TON_OUT_NATIONAL,
};
static const struct cfg_numbering de_intl = {
	.country_code = "49", .national_prefix = "0", .international_prefix = "00",
	.ton_out = CFG_TON_OUT_INTERNATIONAL,
};
static const struct cfg_numbering de_unknown = {
	.country_code = "49", .national_prefix = "0", .international_prefix = "00",
	.ton_out = CFG_TON_OUT_UNKNOWN,
};
/* North American Numbering Plan: national prefix 1, international 011. */
static const struct cfg_numbering us = {
	.country_code = "1", .national_prefix = "1", .international_prefix = "011",
	.ton_out = CFG_TON_OUT_NATIONAL,
};
static const struct cfg_numbering nocc = {
	.national_prefix = "0", .international_prefix = "00", .ton_out = CFG_TON_OUT_NATIONAL,
};

static const struct {
	const struct cfg_numbering *n;
	const char *name, *digits;
	enum tdm_ton ton;
	int rc;
	const char *out;
} to_e164[] = {
	{ &de, "international", "4930123456", TDM_TON_INTERNATIONAL, 0, "+4930123456" },
	{ &de, "international, other country", "12015550123", TDM_TON_INTERNATIONAL, 0, "+12015550123" },
	{ &de, "national", "30123456", TDM_TON_NATIONAL, 0, "+4930123456" },
	{ &de, "national written with its national prefix (issue 8)", "030123456", TDM_TON_NATIONAL, 0, "+4930123456" },
	{ &de, "international written with its international prefix", "004930123456", TDM_TON_INTERNATIONAL, 0, "+4930123456" },
	{ &de, "subscriber with area code", "123456", TDM_TON_SUBSCRIBER, 0, "+4930123456" },
	{ &de_noarea, "subscriber, no area code: unchanged", "123456", TDM_TON_SUBSCRIBER, 0, "123456" },
	{ &de, "unknown, international prefix", "004930123456", TDM_TON_UNKNOWN, 0, "+4930123456" },
	{ &de, "unknown, international prefix, other country", "0012015550123", TDM_TON_UNKNOWN, 0, "+12015550123" },
	{ &de, "unknown, national prefix", "030123456", TDM_TON_UNKNOWN, 0, "+4930123456" },
	{ &de, "unknown, no prefix: unchanged", "123456", TDM_TON_UNKNOWN, 0, "123456" },
	{ &de, "unknown, prefix alone: unchanged", "00", TDM_TON_UNKNOWN, 0, "00" },
	{ &de, "unknown, national prefix alone: unchanged", "0", TDM_TON_UNKNOWN, 0, "0" },
	{ &de, "unknown, service code: unchanged", "*21#", TDM_TON_UNKNOWN, 0, "*21#" },
	{ &de, "network specific: unchanged", "110", TDM_TON_NETWORK_SPECIFIC, 0, "110" },
	{ &de, "abbreviated: unchanged", "12", TDM_TON_ABBREVIATED, 0, "12" },
	{ &de, "empty stays empty", "", TDM_TON_NATIONAL, 0, "" },
	{ &de, "international with '*': not E.164, unchanged", "49*1", TDM_TON_INTERNATIONAL, 0, "49*1" },
	{ &de, "letters are refused", "30ABC", TDM_TON_NATIONAL, EINVAL, "" },
	{ &de, "space is refused", "30 123", TDM_TON_NATIONAL, EINVAL, "" },
	{ &us, "NANP unknown, 011 international prefix", "0114930123456", TDM_TON_UNKNOWN, 0, "+4930123456" },
	{ &us, "NANP unknown, 1 national prefix", "12125550101", TDM_TON_UNKNOWN, 0, "+12125550101" },
	{ &us, "NANP national", "2125550101", TDM_TON_NATIONAL, 0, "+12125550101" },
	{ &nocc, "no country code: national unchanged", "30123456", TDM_TON_NATIONAL, 0, "30123456" },
	{ &nocc, "no country code: international still +", "4930123456", TDM_TON_INTERNATIONAL, 0, "+4930123456" },
};

static const struct {
	const struct cfg_numbering *n;
	const char *name, *user;
	int rc;
	const char *digits;
	enum tdm_ton ton;
} from_sip[] = {
	{ &de, "our country, ton_out national", "+4930123456", 0, "30123456", TDM_TON_NATIONAL },
	{ &de_intl, "our country, ton_out international", "+4930123456", 0, "4930123456", TDM_TON_INTERNATIONAL },
	{ &de_unknown, "our country, ton_out unknown", "+4930123456", 0, "030123456", TDM_TON_UNKNOWN },
	{ &de, "other country, ton_out national", "+12015550123", 0, "12015550123", TDM_TON_INTERNATIONAL },
	{ &de_intl, "other country, ton_out international", "+12015550123", 0, "12015550123", TDM_TON_INTERNATIONAL },
	{ &de_unknown, "other country, ton_out unknown", "+12015550123", 0, "0012015550123", TDM_TON_UNKNOWN },
	{ &de, "RFC 3966 visual separators '-'", "+49-30-123456", 0, "30123456", TDM_TON_NATIONAL },
	{ &de, "RFC 3966 visual separators '.' '(' ')'", "+49(30)123.456", 0, "30123456", TDM_TON_NATIONAL },
	{ &de, "no '+', national prefix: national (issue 8)", "030123456", 0, "30123456", TDM_TON_NATIONAL },
	{ &de, "no '+', separators removed, national prefix", "030-123-456", 0, "30123456", TDM_TON_NATIONAL },
	{ &de, "no '+', international prefix, our country: national", "0049305551", 0, "305551", TDM_TON_NATIONAL },
	{ &de, "no '+', international prefix, other country: international", "00441234567", 0, "441234567", TDM_TON_INTERNATIONAL },
	{ &de_intl, "no '+', national prefix, ton_out international", "030555", 0, "4930555", TDM_TON_INTERNATIONAL },
	{ &de_unknown, "no '+', ton_out unknown: as dialled", "030123456", 0, "030123456", TDM_TON_UNKNOWN },
	{ &de, "no '+', no prefix: as dialled, unknown", "123456", 0, "123456", TDM_TON_UNKNOWN },
	{ &de, "no '+', international prefix alone: as dialled", "00", 0, "00", TDM_TON_UNKNOWN },
	{ &de, "service code with * and #", "*21#", 0, "*21#", TDM_TON_UNKNOWN },
	{ &de, "country code alone: international", "+49", 0, "49", TDM_TON_INTERNATIONAL },
	{ &us, "NANP number, NANP config", "+12125550101", 0, "2125550101", TDM_TON_NATIONAL },
	{ &nocc, "no country code: every + number international", "+4930123456", 0, "4930123456", TDM_TON_INTERNATIONAL },
	{ &de, "letters refused", "alice", EINVAL, "", TDM_TON_UNKNOWN },
	{ &de, "empty refused", "", EINVAL, "", TDM_TON_UNKNOWN },
	{ &de, "'+' alone refused", "+", EINVAL, "", TDM_TON_UNKNOWN },
	{ &de, "separators alone refused", "--", EINVAL, "", TDM_TON_UNKNOWN },
	{ &de, "'*' in a global number refused", "+49*30", EINVAL, "", TDM_TON_UNKNOWN },
	{ &de, "'+' not first refused", "49+30", EINVAL, "", TDM_TON_UNKNOWN },
	{ &de, "space refused (RFC 3966 5.1.1)", "+49 30 123", EINVAL, "", TDM_TON_UNKNOWN },
	{ &de, "hex digit refused (not an ISDN digit)", "12AB", EINVAL, "", TDM_TON_UNKNOWN },
};

static const struct {
	const char *name, *user, *host;
	int port, rc;
	const char *out;
} sip_uri[] = {
	{ "E.164 with user=phone (RFC 3261 19.1.1)", "+4930123456", "gw.example.com", 0, 0,
	  "sip:+4930123456@gw.example.com;user=phone" },
	{ "port 5060 left out", "+4930123456", "192.0.2.1", 5060, 0,
	  "sip:+4930123456@192.0.2.1;user=phone" },
	{ "other port written", "+4930123456", "127.0.0.1", 5062, 0,
	  "sip:+4930123456@127.0.0.1:5062;user=phone" },
	{ "IPv6 host in brackets (RFC 3261 25.1)", "+4930123456", "2001:db8::1", 5062, 0,
	  "sip:+4930123456@[2001:db8::1]:5062;user=phone" },
	{ "IPv6 host already in brackets", "+49301", "[::1]", 0, 0, "sip:+49301@[::1];user=phone" },
	{ "local number: no user=phone (RFC 3966 5.1.5 wants phone-context)", "030123", "h", 0, 0,
	  "sip:030123@h" },
	{ "name: no user=phone", "alice", "example.com", 0, 0, "sip:alice@example.com" },
	{ "'#' percent-encoded (RFC 3261 25.1 user)", "*21#", "h", 0, 0, "sip:*21%23@h" },
	{ "space percent-encoded", "a b", "h", 0, 0, "sip:a%20b@h" },
	{ "no user", "", "h", 0, 0, "sip:h" },
	{ "empty host refused", "+49", "", 0, EINVAL, "" },
	{ "bad port refused", "+49", "h", 70000, EINVAL, "" },
};

static const struct {
	const char *name, *uri;
	int rc;
	const char *user;
} uri_user[] = {
	{ "sip: user=phone", "sip:+4930123456@gw.example.com;user=phone", 0, "+4930123456" },
	{ "sips:", "sips:alice@example.com", 0, "alice" },
	{ "scheme is case-insensitive", "SIP:bob@example.com", 0, "bob" },
	{ "password dropped", "sip:alice:secret@example.com", 0, "alice" },
	{ "no user part", "sip:example.com", 0, "" },
	{ "no user part, port", "sip:[2001:db8::1]:5060", 0, "" },
	{ "name-addr with display name", "\"Alice\" <sip:alice@example.com>;tag=1", 0, "alice" },
	{ "angle brackets", "<sip:+49301@h:5062;user=phone>", 0, "+49301" },
	{ "percent-encoded '+'", "sip:%2B4930123@h", 0, "+4930123" },
	{ "percent-encoded '#', lower case hex", "sip:*21%23@h", 0, "*21#" },
	{ "telephone-subscriber parameters cut (RFC 3261 19.1.6)",
	  "sip:7042;phone-context=example.com@h;user=phone", 0, "7042" },
	{ "tel: global", "tel:+1-201-555-0123", 0, "+1-201-555-0123" },
	{ "tel: local with phone-context", "tel:7042;phone-context=example.com", 0, "7042" },
	{ "tel: in angle brackets", "<tel:+4930123;ext=12>", 0, "+4930123" },
	{ "tel: percent-encoded", "tel:%2B4930", 0, "+4930" },
	{ "other scheme refused", "http://example.com/", EINVAL, "" },
	{ "bad escape refused", "sip:%zz@h", EINVAL, "" },
	{ "short escape refused", "sip:ab%2@h", EINVAL, "" },
	{ "escaped NUL refused", "sip:a%00b@h", EINVAL, "" },
	{ "unclosed '<' refused", "<sip:a@h", EINVAL, "" },
};

static void tables(void)
{
	char out[64];
	enum tdm_ton ton;
	int rc;

	for (size_t i = 0; i < sizeof(to_e164) / sizeof(to_e164[0]); i++) {
		rc = gw_number_to_e164(to_e164[i].n, to_e164[i].digits, to_e164[i].ton, out, sizeof(out));
		TAP_OK(rc == to_e164[i].rc && (rc || !strcmp(out, to_e164[i].out)),
		       "to E.164: %s: %s (TON %d) -> %s", to_e164[i].name, to_e164[i].digits,
		       to_e164[i].ton, to_e164[i].rc ? "EINVAL" : to_e164[i].out);
		if (rc != to_e164[i].rc || (!rc && strcmp(out, to_e164[i].out)))
			printf("#   got rc %d '%s'\n", rc, out);
	}
	for (size_t i = 0; i < sizeof(from_sip) / sizeof(from_sip[0]); i++) {
		ton = (enum tdm_ton)-1;
		rc = gw_number_from_sip(from_sip[i].n, from_sip[i].user, out, sizeof(out), &ton);
		TAP_OK(rc == from_sip[i].rc &&
		       (rc || (!strcmp(out, from_sip[i].digits) && ton == from_sip[i].ton)),
		       "from SIP: %s: '%s' -> %s (TON %d)", from_sip[i].name, from_sip[i].user,
		       from_sip[i].rc ? "EINVAL" : from_sip[i].digits, from_sip[i].ton);
		if (rc != from_sip[i].rc || (!rc && strcmp(out, from_sip[i].digits)))
			printf("#   got rc %d '%s' TON %d\n", rc, out, ton);
	}
	for (size_t i = 0; i < sizeof(sip_uri) / sizeof(sip_uri[0]); i++) {
		char u[128];

		rc = gw_number_sip_uri(sip_uri[i].user, sip_uri[i].host, sip_uri[i].port, u, sizeof(u));
		TAP_OK(rc == sip_uri[i].rc && (rc || !strcmp(u, sip_uri[i].out)),
		       "SIP URI: %s: %s", sip_uri[i].name, sip_uri[i].rc ? "EINVAL" : sip_uri[i].out);
		if (rc != sip_uri[i].rc || (!rc && strcmp(u, sip_uri[i].out)))
			printf("#   got rc %d '%s'\n", rc, u);
		/* what we write, we read back */
		if (!rc && sip_uri[i].user[0]) {
			char back[64];

			TAP_OK(!gw_uri_user(u, back, sizeof(back)) && !strcmp(back, sip_uri[i].user),
			       "URI user: read back '%s' from %s", sip_uri[i].user, u);
		}
	}
	for (size_t i = 0; i < sizeof(uri_user) / sizeof(uri_user[0]); i++) {
		rc = gw_uri_user(uri_user[i].uri, out, sizeof(out));
		TAP_OK(rc == uri_user[i].rc && (rc || !strcmp(out, uri_user[i].user)),
		       "URI user: %s: %s -> %s", uri_user[i].name, uri_user[i].uri,
		       uri_user[i].rc ? "EINVAL" : uri_user[i].user);
		if (rc != uri_user[i].rc || (!rc && strcmp(out, uri_user[i].user)))
			printf("#   got rc %d '%s'\n", rc, out);
	}

	/* buffers too small */
	TAP_OK(gw_number_to_e164(&de, "30123456", TDM_TON_NATIONAL, out, 11) == ENOSPC && !out[0],
	       "to E.164: ENOSPC when '+4930123456' does not fit in 11 bytes");
	TAP_OK(gw_number_to_e164(&de, "30123456", TDM_TON_NATIONAL, out, 12) == 0,
	       "to E.164: '+4930123456' fits in 12 bytes");
	TAP_OK(gw_number_from_sip(&de, "+4930123456", out, 8, &ton) == ENOSPC,
	       "from SIP: ENOSPC when '30123456' does not fit in 8 bytes");
	TAP_OK(gw_number_sip_uri("+4930123456", "example.com", 0, out, 20) == ENOSPC && !out[0],
	       "SIP URI: ENOSPC when too long");
	TAP_OK(gw_uri_user("sip:alice@h", out, 5) == ENOSPC, "URI user: ENOSPC when too long");

	/* ISDN -> SIP -> ISDN keeps the number (ARCHITECTURE.md step 3) */
	{
		char e164[32], uri[128], user[32], digits[32];

		rc = gw_number_to_e164(&de, "30123", TDM_TON_NATIONAL, e164, sizeof(e164));
		rc |= gw_number_sip_uri(e164, "trunk.example.com", 0, uri, sizeof(uri));
		rc |= gw_uri_user(uri, user, sizeof(user));
		rc |= gw_number_from_sip(&de, user, digits, sizeof(digits), &ton);
		TAP_OK(!rc && !strcmp(uri, "sip:+4930123@trunk.example.com;user=phone") &&
		       !strcmp(digits, "30123") && ton == TDM_TON_NATIONAL,
		       "national 30123 -> sip:+4930123@trunk;user=phone -> national 30123");
	}
}

/* tel_uri_examples.tsv: uri valid kind normalized_digits phone_context ... */
static void rfc3966_examples(int argc, char **argv)
{
	char path[1024], line[1024], *f[TSV_MAX_FIELDS], hdr[512];
	FILE *fp;
	int rows = 0;

	tsv_path(path, sizeof(path), argc, argv, "rfc3966/tel_uri_examples.tsv");
	fp = fopen(path, "r");
	TAP_OK(fp && fgets(hdr, sizeof(hdr), fp), "test data %s is readable", path);
	if (!fp)
		return;
	while (tsv_row(fp, line, sizeof(line), f) >= 4) {
		const char *uri = f[0], *valid = f[1], *kind = f[2], *norm = f[3];
		char user[128], digits[64], got[80];
		enum tdm_ton ton = TDM_TON_UNKNOWN;
		int rc;

		rows++;
		rc = gw_uri_user(uri, user, sizeof(user));
		if (!rc)
			rc = gw_number_from_sip(&de_intl, user, digits, sizeof(digits), &ton);
		if (!rc)
			snprintf(got, sizeof(got), "%s%s", ton == TDM_TON_INTERNATIONAL ? "+" : "", digits);
		if (!strncmp(valid, "yes", 3) || !strcmp(valid, "no (order)")) {
			int hex = strpbrk(norm, "ABCDEFabcdef") != NULL;

			if (hex) {	/* HEXDIG local numbers: no ISDN digits for them */
				TAP_OK(rc == EINVAL, "RFC 3966 (%s): %s -> refused: hex digits "
				       "cannot be sent into ISDN", f[6], uri);
				continue;
			}
			TAP_OK(!rc && !strcmp(got, norm) &&
			       (strcmp(kind, "local") || ton == TDM_TON_UNKNOWN),
			       "RFC 3966 (%s): %s -> %s", f[6], uri, norm);
			if (rc || strcmp(got, norm))
				printf("#   got rc %d '%s'\n", rc, rc ? "" : got);
		} else if (!strcmp(valid, "no") && !norm[0] && !strchr(uri, ';')) {
			/* the number itself is malformed */
			TAP_OK(rc == EINVAL, "RFC 3966 (%s): %s is refused", f[6], uri);
		} else {
			printf("# RFC 3966 %s (valid: %s): not applicable: its number is "
			       "well-formed; what makes it invalid is for sip/ to check\n", uri, valid);
		}
	}
	fclose(fp);
	TAP_OK(rows >= 20, "RFC 3966 examples: %d rows read", rows);
}

/* tel_uri_comparisons.tsv: uri_a uri_b expected rule. Rows without
 * parameters: the numbers we derive compare as the RFC says. */
static void rfc3966_comparisons(int argc, char **argv)
{
	char path[1024], line[1024], *f[TSV_MAX_FIELDS], hdr[512];
	FILE *fp;
	int used = 0;

	tsv_path(path, sizeof(path), argc, argv, "rfc3966/tel_uri_comparisons.tsv");
	fp = fopen(path, "r");
	TAP_OK(fp && fgets(hdr, sizeof(hdr), fp), "test data %s is readable", path);
	if (!fp)
		return;
	while (tsv_row(fp, line, sizeof(line), f) >= 4) {
		char ua[64], ub[64], da[64], db[64];
		enum tdm_ton ta, tb;
		int eq;

		if (strchr(f[0], ';') || strchr(f[1], ';'))
			continue;
		used++;
		if (gw_uri_user(f[0], ua, sizeof(ua)) || gw_uri_user(f[1], ub, sizeof(ub)) ||
		    gw_number_from_sip(&de, ua, da, sizeof(da), &ta) ||
		    gw_number_from_sip(&de, ub, db, sizeof(db), &tb)) {
			TAP_OK(0, "RFC 3966 sec.4: %s vs %s: could not read", f[0], f[1]);
			continue;
		}
		eq = !strcmp(da, db) && ta == tb;
		TAP_OK(eq == !strcmp(f[2], "equal"), "RFC 3966 sec.4: %s and %s are %s (%s)",
		       f[0], f[1], f[2], f[3]);
	}
	fclose(fp);
	TAP_OK(used >= 3, "RFC 3966 comparisons: %d rows without parameters used", used);
}

int main(int argc, char **argv)
{
	tables();
	rfc3966_examples(argc, argv);
	rfc3966_comparisons(argc, argv);
	return TAP_DONE();
}

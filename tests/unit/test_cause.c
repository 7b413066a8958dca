/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gw/cause against every row of RFC 3398's two tables, read at run time
 * from testdata/standards/rfc3398/{q850_to_sip,sip_to_q850}.tsv.
 * Usage: test_cause [TESTDATA_DIR]   (or SIPGW_TESTDATA=DIR)
 * A missing data file is a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/cause.h"
#include "tests/unit/tap.h"
#include "tests/unit/tsv.h"

/* IANA SIP response codes 400-699 (the test's own copy: a code listed here
 * but not in RFC 3398's table maps to 31; an unregistered one maps like the
 * x00 of its class, RFC 3261 8.1.3.2). */
static const int registered[] = {
	400, 401, 402, 403, 404, 405, 406, 407, 408, 410, 412, 413, 414, 415,
	416, 417, 420, 421, 422, 423, 424, 425, 428, 429, 430, 433, 436, 437,
	438, 439, 440, 469, 470, 480, 481, 482, 483, 484, 485, 486, 487, 488,
	489, 491, 493, 494, 500, 501, 502, 503, 504, 505, 513, 555, 580, 600,
	603, 604, 606, 607, 608,
};

static int is_registered(int c)
{
	for (size_t i = 0; i < sizeof(registered) / sizeof(registered[0]); i++)
		if (registered[i] == c)
			return 1;
	return 0;
}

static FILE *open_data(int argc, char **argv, const char *file, char *path, size_t len)
{
	char header[512];
	FILE *f;

	tsv_path(path, len, argc, argv, file);
	f = fopen(path, "r");
	TAP_OK(f != NULL, "test data %s is readable", path);
	if (f && !fgets(header, sizeof(header), f)) {
		fclose(f);
		f = NULL;
	}
	return f;
}

static void q850_table(int argc, char **argv)
{
	char path[1024], line[1024], *fl[TSV_MAX_FIELDS];
	int listed[256] = { 0 }, rows = 0, have_default = 0;
	FILE *f = open_data(argc, argv, "rfc3398/q850_to_sip.tsv", path, sizeof(path));

	if (!f)
		return;
	while (tsv_row(f, line, sizeof(line), fl) >= 2) {
		const char *in = fl[0], *out = fl[1];
		int cause = atoi(in), status = atoi(out);

		rows++;
		if (!strcmp(in, "(any other cause value)")) {
			int bad = -1, n = 0;

			have_default = 1;
			for (int c = 0; c < 256; c++) {
				if (listed[c])
					continue;
				n++;
				if (gw_cause_to_sip(c) != status && bad < 0)
					bad = c;
			}
			TAP_OK(bad < 0 && status == 500, "RFC 3398 7.2.4.1 row: any other cause -> %d "
			       "(%d unlisted causes 0-255 checked%s)", status, n,
			       bad < 0 ? "" : ", first wrong one printed below");
			if (bad >= 0)
				printf("#   cause %d -> %d\n", bad, gw_cause_to_sip(bad));
			continue;
		}
		if (cause <= 0 || cause > 255) {
			TAP_OK(0, "RFC 3398 7.2.4.1 row '%s': unreadable", in);
			continue;
		}
		listed[cause] = 1;
		if (strstr(in, "with diagnostic")) {
			TAP_OK(gw_cause_to_sip_ex(cause, -1, 1) == status,
			       "RFC 3398 7.2.4.1 row: cause %d with diagnostic (new number) -> %d",
			       cause, status);
			continue;
		}
		if (cause == 16 && !strncmp(out, "(none", 5)) {
			TAP_OK(gw_cause_to_sip(16) == 480,
			       "RFC 3398 7.2.4.1 row: cause 16 -> %s; when a response is "
			       "needed anyway: 480 (choice in gw/cause.c)", out);
			continue;
		}
		if (cause == 44 && !strncmp(out, "(none", 5)) {
			TAP_OK(gw_cause_retry_channel(44),
			       "RFC 3398 7.2.4.1 row: cause 44 -> %s: retry on another channel", out);
			TAP_OK(gw_cause_to_sip(44) == 503,
			       "RFC 3398 7.2.4.1 row: cause 44, no channel left: 503 "
			       "(choice in gw/cause.c)");
			continue;
		}
		if (status < 300) {
			TAP_OK(0, "RFC 3398 7.2.4.1 row: cause %d -> '%s' not understood by the test",
			       cause, out);
			continue;
		}
		TAP_OK(gw_cause_to_sip(cause) == status, "RFC 3398 7.2.4.1 row: cause %d -> %d",
		       cause, status);
		if (gw_cause_retry_channel(cause))
			TAP_OK(0, "cause %d must not ask for a channel retry", cause);
		if (cause == 21)	/* the row's (+) note */
			TAP_OK(gw_cause_to_sip_ex(21, GW_LOC_USER, 0) == 603,
			       "RFC 3398 7.2.4.1 row: cause 21 with location user -> 603 (+)");
	}
	fclose(f);
	TAP_OK(rows >= 35 && have_default, "RFC 3398 7.2.4.1: %d rows read, default row present",
	       rows);
}

static void sip_table(int argc, char **argv)
{
	char path[1024], line[1024], *fl[TSV_MAX_FIELDS];
	int listed[700] = { 0 }, rows = 0, have_default = 0, have_bye = 0;
	FILE *f = open_data(argc, argv, "rfc3398/sip_to_q850.tsv", path, sizeof(path));

	if (!f)
		return;
	while (tsv_row(f, line, sizeof(line), fl) >= 2) {
		const char *in = fl[0], *out = fl[1];
		int status = atoi(in), cause = atoi(out);

		rows++;
		if (!strcmp(in, "(BYE or CANCEL request)")) {
			have_bye = 1;
			TAP_OK(gw_sip_request_to_cause("BYE") == cause &&
			       gw_sip_request_to_cause("CANCEL") == cause &&
			       gw_sip_request_to_cause("INFO") == 0,
			       "RFC 3398 8.2.6.1 row: BYE or CANCEL -> %d", cause);
			continue;
		}
		if (!strcmp(in, "(any other status code)")) {
			int bad = -1, n = 0;

			have_default = 1;
			for (int c = 400; c < 700; c++) {
				int want;

				if (listed[c])
					continue;
				n++;
				want = is_registered(c) || c % 100 == 0 ? cause
					: gw_sip_to_cause(c - c % 100);
				if (gw_sip_to_cause(c) != want && bad < 0)
					bad = c;
			}
			TAP_OK(bad < 0 && cause == 31, "RFC 3398 8.2.6.1 row: any other status -> %d "
			       "(%d unlisted codes 400-699 checked; unregistered codes as their "
			       "x00, RFC 3261 8.1.3.2)", cause, n);
			if (bad >= 0)
				printf("#   %d -> %d\n", bad, gw_sip_to_cause(bad));
			continue;
		}
		if (status < 400 || status > 699) {
			TAP_OK(0, "RFC 3398 8.2.6.1 row '%s': unreadable", in);
			continue;
		}
		listed[status] = 1;
		if (status == 487 && !strcmp(out, "(none)")) {
			TAP_OK(gw_sip_to_cause(487) == 16,
			       "RFC 3398 8.2.6.1 row: 487 -> (none); we use 16, as for the CANCEL "
			       "that caused it (choice in gw/cause.c)");
			continue;
		}
		if (strstr(out, " or 65")) {
			TAP_OK(gw_sip_to_cause(status) == cause,
			       "RFC 3398 8.2.6.1 row: %d -> %d (no Warning)", status, cause);
			TAP_OK(gw_sip_to_cause_ex(status, 304) == 65 &&
			       gw_sip_to_cause_ex(status, 305) == 65,
			       "RFC 3398 8.2.6.1 row: %d -> 65 with a bearer Warning (304/305)", status);
			TAP_OK(gw_sip_to_cause_ex(status, 399) == cause,
			       "RFC 3398 8.2.6.1 row: %d -> %d with another Warning (399)", status, cause);
		} else if (cause > 0) {
			TAP_OK(gw_sip_to_cause(status) == cause, "RFC 3398 8.2.6.1 row: %d -> cause %d",
			       status, cause);
		} else {
			TAP_OK(0, "RFC 3398 8.2.6.1 row: %d -> '%s' not understood by the test",
			       status, out);
			continue;
		}
		TAP_OK(gw_sip_cause_location(status) ==
		       (status >= 600 ? GW_LOC_USER : GW_LOC_BEYOND_INTERWORKING),
		       "RFC 3398 8.2.6.1: %d -> cause location %s", status,
		       status >= 600 ? "user" : "network");
	}
	fclose(f);
	TAP_OK(rows >= 39 && have_default && have_bye,
	       "RFC 3398 8.2.6.1: %d rows read, default and BYE/CANCEL rows present", rows);
}

int main(int argc, char **argv)
{
	q850_table(argc, argv);
	sip_table(argc, argv);

	TAP_OK(gw_cause_of_sip_end(SIP_END_NO_ACK) == 102 && gw_cause_of_sip_end(SIP_END_ERROR) == 41 &&
	       gw_cause_of_sip_end(SIP_END_BYE) == 16,
	       "RFC 3261 section 13.3.1.4: no ACK for our 2xx -> BYE with Q.850 cause 102 (recovery on timer expiry)");
	TAP_OK(gw_sip_to_cause(200) == 0 && gw_sip_to_cause(180) == 0,
	       "1xx/2xx are not failures: no cause");
	TAP_OK(gw_sip_to_cause(499) == 41 && gw_sip_to_cause(599) == 41 &&
	       gw_sip_to_cause(699) == 17,
	       "RFC 3261 8.1.3.2: unknown 499/599/699 read as 400/500/600");
	TAP_OK(!strcmp(gw_cause_name(16), "normal call clearing") &&
	       !strcmp(gw_cause_name(17), "user busy") &&
	       !strcmp(gw_cause_name(127), "interworking, unspecified") &&
	       !strcmp(gw_cause_name(-1), "unknown cause") &&
	       !strcmp(gw_cause_name(12), "unknown cause"),
	       "Q.850 Table 1 cause names");
	for (int c = 0; c < 128; c++) {
		if (gw_cause_to_sip(c) != 500 && !strcmp(gw_cause_name(c), "unknown cause"))
			TAP_OK(0, "cause %d is in the table but has no Q.850 name", c);
	}
	return TAP_DONE();
}

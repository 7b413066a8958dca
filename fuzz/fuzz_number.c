/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_number: the number and URI conversions of gw/number.c on a hostile
 * string (a Request-URI or From user part from SIP, digits from ISDN).
 * Input: byte 0 picks the [numbering] config and the type of number, byte 1
 * the size of the output buffer (each is allocated to exactly that size, so
 * ASan sees any write past it); the rest, up to a NUL, is the string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw/number.h"

static const struct cfg_numbering nums[] = {
	{ "49", "0", "00", "30", CFG_TON_OUT_NATIONAL },
	{ "1", "1", "011", "", CFG_TON_OUT_INTERNATIONAL },
	{ "44", "0", "00", "20", CFG_TON_OUT_UNKNOWN },
	{ "", "", "", "", CFG_TON_OUT_UNKNOWN },
	{ "999999999999999", "000000000000000", "000000000000000", "999999999999999",
	  CFG_TON_OUT_UNKNOWN },
};

static const enum tdm_ton tons[] = {
	TDM_TON_UNKNOWN, TDM_TON_INTERNATIONAL, TDM_TON_NATIONAL,
	TDM_TON_NETWORK_SPECIFIC, TDM_TON_SUBSCRIBER, TDM_TON_ABBREVIATED,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cfg_numbering *n;
	enum tdm_ton ton, ton_out;
	size_t len;
	char *s, *out, *user;

	if (size < 2)
		return 0;
	n = data[0] & 0x80 ? NULL : &nums[(data[0] & 7) % (sizeof(nums) / sizeof(nums[0]))];
	ton = tons[(data[0] >> 3 & 7) % (sizeof(tons) / sizeof(tons[0]))];
	len = data[1] ? data[1] : 300;
	s = strndup((const char *)data + 2, size - 2);
	out = malloc(len);
	user = malloc(len);
	if (!s || !out || !user)
		goto out;

	/* SIP -> ISDN: the user part of a URI, then the number in it */
	if (gw_uri_user(s, user, len) == 0)
		gw_number_from_sip(n, user, out, len, &ton_out);
	gw_number_from_sip(n, s, out, len, &ton_out);
	/* ISDN -> SIP */
	if (gw_number_to_e164(n, s, ton, out, len) == 0)
		gw_number_sip_uri(out, "192.0.2.1", 5062, user, len);
	gw_number_sip_uri(s, "2001:db8::1", 5060, out, len);
	gw_number_sip_uri("+4930123", s, 0, out, len);
out:
	free(s);
	free(out);
	free(user);
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Numbers between ISDN (digits + Q.931 type of number) and SIP (E.164 with
 * '+', RFC 3966 tel: and sip:...;user=phone URIs). Pure functions of the
 * [numbering] config; each returns 0 or an errno value (EINVAL for input
 * that is not a number, ENOSPC when out is too small; out is then "").
 */
#ifndef SIPGW_GW_NUMBER_H
#define SIPGW_GW_NUMBER_H

#include <stddef.h>

#include "config/config.h"
#include "tdm/tdm.h"

/*
 * ISDN -> E.164: international "4930123" -> "+4930123"; national "30123"
 * -> "+49" "30123" (a national number written with its national prefix,
 * "030123", and an international one with its international prefix lose
 * it first: ITU-T E.164 numbers carry no prefix); subscriber "123" -> "+49" area "123" (unchanged when no
 * area_code); unknown: international_prefix stripped -> "+rest", else
 * national_prefix stripped -> "+cc rest", else unchanged. Network-specific
 * and abbreviated numbers are unchanged. "" stays "". Without a
 * country_code, national/subscriber numbers are unchanged.
 * A result with '+' has digits only; unchanged numbers may hold '*', '#'.
 */
int gw_number_to_e164(const struct cfg_numbering *n, const char *digits, enum tdm_ton ton,
		      char *out, size_t len);

/*
 * SIP user part (or tel: number) -> ISDN digits and type of number.
 * Visual separators "-.()" (RFC 3966) are removed first.
 *   "+<cc><national>" (our country): per ton_out: national -> <national>
 *     TON national; international -> <cc><national> TON international;
 *     unknown -> national_prefix <national> TON unknown.
 *   "+<other>": <other> TON international; with ton_out unknown:
 *     international_prefix <other> TON unknown.
 *   no '+', digits only, ton_out not unknown: international_prefix
 *     <rest> is the global "+<rest>", national_prefix <rest> the global
 *     "+<cc><rest>", each then as above ("030555" -> "30555" national,
 *     "00441234567" -> "441234567" international).
 *   otherwise no '+': the digits as given ('*' and '#' allowed), TON
 *     unknown.
 * EINVAL for anything else (letters, empty, '+' alone or not first).
 */
int gw_number_from_sip(const struct cfg_numbering *n, const char *user, char *digits,
		       size_t len, enum tdm_ton *ton);

/*
 * "sip:USER@HOST[:PORT][;user=phone]". ";user=phone" (RFC 3261 19.1.1) is
 * added only for a global number ('+' and digits): RFC 3966 5.1.5 wants a
 * phone-context on local numbers, which we do not have. PORT is written
 * when not 0 and not 5060; an IPv6 HOST goes in brackets; characters not
 * allowed in a SIP user part (e.g. '#') are percent-encoded. Empty user ->
 * "sip:HOST".
 */
int gw_number_sip_uri(const char *user, const char *host, int port, char *out, size_t len);

/*
 * User part of a sip:, sips: or tel: URI (scheme case-insensitive; an
 * enclosing "<...>" and a display name before it are skipped), percent-
 * decoded. sip: "user[:password]@host" -> user, cut at ';' (parameters of
 * a telephone-subscriber); tel: the number before ';'. No user part -> "".
 * EINVAL for another scheme or a bad %-escape.
 */
int gw_uri_user(const char *uri, char *out, size_t len);

#endif

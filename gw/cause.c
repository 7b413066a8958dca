/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gw/cause: Q.850 <-> SIP, RFC 3398 (ISUP to SIP mapping) tables.
 *
 * Choices where RFC 3398 has no row (tests/unit/test_cause.c checks them):
 *
 * - Cause 16 -> 480. RFC 3398 7.2.4.1: normal clearing "usually results
 *   in BYE or CANCEL", not a response. But a called ISDN user who rejects a
 *   ringing call often clears with 16, and an INVITE must then get a final
 *   response. 16 is in Q.850's "normal event" class like 31, whose RFC 3398
 *   row is 480 Temporarily Unavailable; a 5xx would tell proxies that the
 *   gateway failed and make them fail over, which is wrong for a user's
 *   decision. FreeSWITCH also answers 480 here.
 * - Cause 44 -> 503 (and gw_cause_retry_channel() = 1). The RFC says to
 *   re-send the call on another circuit instead of answering; when that is
 *   not possible, 503 is the row of the rest of the "resource unavailable"
 *   class (34, 41, 42, 47).
 * - 487 -> 16. The RFC has no row: a 487 is the answer to our own CANCEL,
 *   sent because the ISDN caller hung up, so the ISDN side is already
 *   clearing with its own cause. If one is needed it is 16, the cause RFC
 *   3398 8.2.6.1 gives CANCEL itself (a clear by the caller); OpenSIPS's
 *   Q.1912.5-based table falls through to 127 instead, which would report
 *   an interworking failure for an ordinary hang-up.
 * - 488/606 -> 31 unless the Warning says the bearer (media) is not
 *   available, then 65: the RFC's "31 or 65 by Warning".
 * - Unlisted SIP codes: 31, the RFC's default. A code SIP does not define
 *   at all (say 499) is, per RFC 3261 8.1.3.2, "equivalent to the x00
 *   response code of that class" and maps as 400/500/600.
 * - 18 -> 408 and 480 -> 18 as RFC 3398 says, although Q.1912.5 (as cited
 *   in testdata q1912_5_differences.tsv) uses 480 and 20: this gateway
 *   follows the RFC rows everywhere, so the tables stay checkable.
 */
#include "gw/cause.h"

#include <stddef.h>
#include <string.h>

#include "lib/q850.h"

struct pair {
	int in, out;
};

/* RFC 3398 7.2.4.1: ISDN cause -> SIP status. */
static const struct pair q850_to_sip[] = {
	{ 1, 404 }, { 2, 404 }, { 3, 404 },
	{ 16, 480 },	/* not in the RFC: see above */
	{ 17, 486 }, { 18, 408 }, { 19, 480 }, { 20, 480 }, { 21, 403 },
	{ 22, 410 }, { 23, 410 }, { 26, 404 }, { 27, 502 }, { 28, 484 },
	{ 29, 501 }, { 31, 480 }, { 34, 503 }, { 38, 503 }, { 41, 503 },
	{ 42, 503 },
	{ 44, 503 },	/* RFC: retry on another channel; see above */
	{ 47, 503 }, { 55, 403 }, { 57, 403 }, { 58, 503 }, { 65, 488 },
	{ 70, 488 }, { 79, 501 }, { 87, 403 }, { 88, 503 }, { 102, 504 },
	{ 111, 500 }, { 127, 500 },
};

/* RFC 3398 8.2.6.1: SIP status -> ISDN cause. */
static const struct pair sip_to_q850[] = {
	{ 400, 41 }, { 401, 21 }, { 402, 21 }, { 403, 21 }, { 404, 1 },
	{ 405, 63 }, { 406, 79 }, { 407, 21 }, { 408, 102 }, { 410, 22 },
	{ 413, 127 }, { 414, 127 }, { 415, 79 }, { 416, 127 }, { 420, 127 },
	{ 421, 127 }, { 423, 127 }, { 480, 18 }, { 481, 41 }, { 482, 25 },
	{ 483, 25 }, { 484, 28 }, { 485, 1 }, { 486, 17 },
	{ 487, 16 },	/* not in the RFC: see above */
	{ 488, 31 },	/* or 65 by Warning */
	{ 500, 41 }, { 501, 79 }, { 502, 38 }, { 503, 41 }, { 504, 102 },
	{ 505, 127 }, { 513, 127 }, { 600, 17 }, { 603, 21 }, { 604, 1 },
	{ 606, 31 },	/* or 65 by Warning */
};

/* Final responses SIP defines (IANA "Response Codes" registry), for telling
 * "unlisted" (-> 31) from "unknown" (-> x00 of the class). */
static const short sip_registered[] = {
	300, 301, 302, 305, 380,
	400, 401, 402, 403, 404, 405, 406, 407, 408, 410, 412, 413, 414, 415,
	416, 417, 420, 421, 422, 423, 424, 425, 428, 429, 430, 433, 436, 437,
	438, 439, 440, 469, 470, 480, 481, 482, 483, 484, 485, 486, 487, 488,
	489, 491, 493, 494,
	500, 501, 502, 503, 504, 505, 513, 555, 580,
	600, 603, 604, 606, 607, 608,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int lookup(const struct pair *t, size_t n, int in, int dflt)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].in == in)
			return t[i].out;
	return dflt;
}

int gw_cause_to_sip_ex(int q850, int location, int new_number)
{
	if (q850 == 21 && location == GW_LOC_USER)
		return 603;	/* RFC 3398 7.2.4.1 (+): 6xx when the user rejected */
	if (q850 == 22 && new_number)
		return 301;
	/* default for unlisted causes: 500 Server Internal Error */
	return lookup(q850_to_sip, COUNT(q850_to_sip), q850, 500);
}

int gw_cause_to_sip(int q850)
{
	return gw_cause_to_sip_ex(q850, -1, 0);
}

int gw_cause_retry_channel(int q850)
{
	return q850 == 44;
}

static int registered(int status)
{
	for (size_t i = 0; i < COUNT(sip_registered); i++)
		if (sip_registered[i] == status)
			return 1;
	return 0;
}

int gw_sip_to_cause_ex(int status, int warning)
{
	if (status < 300 || status > 699)
		return status < 300 ? 0 : 31;
	if ((status == 488 || status == 606) &&
	    (warning == 304 || warning == 305 || warning == 370))
		return 65;
	if (!registered(status) && status % 100)
		status -= status % 100;	/* RFC 3261 8.1.3.2 */
	return lookup(sip_to_q850, COUNT(sip_to_q850), status, 31);
}

int gw_sip_to_cause(int status)
{
	return gw_sip_to_cause_ex(status, 0);
}

int gw_sip_cause_location(int status)
{
	return status >= 600 ? GW_LOC_USER : GW_LOC_BEYOND_INTERWORKING;
}

int gw_sip_request_to_cause(const char *method)
{
	return method && (!strcmp(method, "BYE") || !strcmp(method, "CANCEL")) ? 16 : 0;
}

/* Q.850 (05/1998) Table 1 names. */
static const struct {
	int cause;
	const char *name;
} names[] = {
	{ 1, "unallocated (unassigned) number" },
	{ 2, "no route to specified transit network" },
	{ 3, "no route to destination" },
	{ 4, "send special information tone" },
	{ 5, "misdialled trunk prefix" },
	{ 6, "channel unacceptable" },
	{ 7, "call awarded and being delivered in an established channel" },
	{ 8, "preemption" },
	{ 9, "preemption - circuit reserved for reuse" },
	{ 16, "normal call clearing" },
	{ 17, "user busy" },
	{ 18, "no user responding" },
	{ 19, "no answer from user (user alerted)" },
	{ 20, "subscriber absent" },
	{ 21, "call rejected" },
	{ 22, "number changed" },
	{ 23, "redirection to new destination" },
	{ 25, "exchange routing error" },
	{ 26, "non-selected user clearing" },
	{ 27, "destination out of order" },
	{ 28, "invalid number format (address incomplete)" },
	{ 29, "facility rejected" },
	{ 30, "response to STATUS ENQUIRY" },
	{ 31, "normal, unspecified" },
	{ 34, "no circuit/channel available" },
	{ 38, "network out of order" },
	{ 39, "permanent frame mode connection out of service" },
	{ 40, "permanent frame mode connection operational" },
	{ 41, "temporary failure" },
	{ 42, "switching equipment congestion" },
	{ 43, "access information discarded" },
	{ 44, "requested circuit/channel not available" },
	{ 46, "precedence call blocked" },
	{ 47, "resource unavailable, unspecified" },
	{ 49, "quality of service not available" },
	{ 50, "requested facility not subscribed" },
	{ 53, "outgoing calls barred within CUG" },
	{ 55, "incoming calls barred within CUG" },
	{ 57, "bearer capability not authorized" },
	{ 58, "bearer capability not presently available" },
	{ 62, "inconsistency in designated outgoing access information and subscriber class" },
	{ 63, "service or option not available, unspecified" },
	{ 65, "bearer capability not implemented" },
	{ 66, "channel type not implemented" },
	{ 69, "requested facility not implemented" },
	{ 70, "only restricted digital information bearer capability is available" },
	{ 79, "service or option not implemented, unspecified" },
	{ 81, "invalid call reference value" },
	{ 82, "identified channel does not exist" },
	{ 83, "a suspended call exists, but this call identity does not" },
	{ 84, "call identity in use" },
	{ 85, "no call suspended" },
	{ 86, "call having the requested call identity has been cleared" },
	{ 87, "user not member of CUG" },
	{ 88, "incompatible destination" },
	{ 90, "non-existent CUG" },
	{ 91, "invalid transit network selection" },
	{ 95, "invalid message, unspecified" },
	{ 96, "mandatory information element is missing" },
	{ 97, "message type non-existent or not implemented" },
	{ 98, "message not compatible with call state or message type non-existent or not implemented" },
	{ 99, "information element/parameter non-existent or not implemented" },
	{ 100, "invalid information element contents" },
	{ 101, "message not compatible with call state" },
	{ 102, "recovery on timer expiry" },
	{ 103, "parameter non-existent or not implemented, passed on" },
	{ 110, "message with unrecognized parameter, discarded" },
	{ 111, "protocol error, unspecified" },
	{ 127, "interworking, unspecified" },
};

const char *gw_cause_name(int q850)
{
	for (size_t i = 0; i < COUNT(names); i++)
		if (names[i].cause == q850)
			return names[i].name;
	return "unknown cause";
}

int gw_cause_of_sip_end(enum sip_end why)
{
	switch (why) {
	case SIP_END_NO_ACK:
		return Q850_RECOVERY_ON_TIMER;
	case SIP_END_ERROR:
		return Q850_TEMPORARY_FAILURE;
	default:
		return Q850_NORMAL_CLEARING;
	}
}

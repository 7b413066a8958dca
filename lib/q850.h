/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ITU-T Q.850 cause values, the one set of names every room uses (Q.931
 * toward ISDN, RFC 3326 Reason toward SIP, the logs). Which cause a call
 * gets is gw/'s choice (gw/cause.c maps them to SIP statuses); tdm/ and
 * sip/ only carry them, or use them for their own protocol's failures.
 */
#ifndef SIPGW_LIB_Q850_H
#define SIPGW_LIB_Q850_H

enum q850 {
	Q850_NONE = -1,			/* no cause known */
	Q850_UNALLOCATED = 1,		/* unallocated (unassigned) number */
	Q850_NO_ROUTE_DEST = 3,		/* no route to destination */
	Q850_NORMAL_CLEARING = 16,
	Q850_USER_BUSY = 17,
	Q850_NO_USER_RESPONDING = 18,
	Q850_NO_ANSWER = 19,		/* no answer from user (user alerted) */
	Q850_CALL_REJECTED = 21,
	Q850_NUMBER_CHANGED = 22,
	Q850_DEST_OUT_OF_ORDER = 27,
	Q850_INVALID_NUMBER_FORMAT = 28,
	Q850_NORMAL_UNSPECIFIED = 31,
	Q850_NO_CIRCUIT = 34,		/* no circuit/channel available */
	Q850_NETWORK_OUT_OF_ORDER = 38,
	Q850_TEMPORARY_FAILURE = 41,
	Q850_CONGESTION = 42,		/* switching equipment congestion */
	Q850_CHANNEL_UNAVAILABLE = 44,	/* requested circuit/channel not available */
	Q850_RESOURCE_UNAVAILABLE = 47,	/* resource unavailable, unspecified */
	Q850_BEARER_NOT_AVAILABLE = 58,
	Q850_BEARER_NOT_IMPLEMENTED = 65,
	Q850_RECOVERY_ON_TIMER = 102,	/* recovery on timer expiry */
	Q850_INTERWORKING = 127,	/* interworking, unspecified */
};

#endif

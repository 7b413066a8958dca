/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Q.850 cause values <-> SIP status codes, the tables of RFC 3398
 * (sections 7.2.4.1 and 8.2.6.1). Where the RFC has no row, the choice made
 * is explained in cause.c next to the table.
 */
#ifndef SIPGW_GW_CAUSE_H
#define SIPGW_GW_CAUSE_H

#include "sip/sip.h"

/* Q.850 location values used here (Q.850 section 2.2.3). */
#define GW_LOC_USER 0
#define GW_LOC_BEYOND_INTERWORKING 10

/*
 * ISDN cause -> SIP final response (400-699) for a call that came from SIP
 * and failed on the ISDN side before answer (RFC 3398 7.2.4.1). Unlisted
 * causes -> 500. Cause 16 (the RFC: BYE/CANCEL, no response) -> 480 and
 * cause 44 (the RFC: retry on another channel, see
 * gw_cause_retry_channel) -> 503, for when a response must be sent anyway.
 */
int gw_cause_to_sip(int q850);
/*
 * The same with the two refinements of the RFC table: location GW_LOC_USER
 * turns cause 21's 403 into 603; new_number (cause 22 carried a diagnostic
 * with the new number) turns 410 into 301 (the new number goes in Contact).
 * location < 0: unknown.
 */
int gw_cause_to_sip_ex(int q850, int location, int new_number);
/* RFC 3398 7.2.4.1, cause 44: try the call on another channel instead of
 * failing the SIP side. 1 for such causes, else 0. */
int gw_cause_retry_channel(int q850);

/*
 * SIP final response -> ISDN cause for a call that came from ISDN (RFC
 * 3398 8.2.6.1). Registered but unlisted codes -> 31; codes SIP does not
 * define are first read as the x00 of their class (RFC 3261 8.1.3.2).
 * 487 -> 16 (see cause.c). Status < 300 (not a failure) -> 0.
 */
int gw_sip_to_cause(int status);
/*
 * The same with the Warning code (RFC 3261 20.43; 0 = none) of a 488/606:
 * a bearer-related warning (304 media type not available, 305 incompatible
 * media format, 370 insufficient bandwidth) gives 65 instead of 31.
 */
int gw_sip_to_cause_ex(int status, int warning);
/* Q.850 location for the cause of a SIP response: 'user' (GW_LOC_USER) for
 * 6xx, 'network beyond interworking point' for 4xx/5xx (RFC 3398 8.2.6.1).
 * Not on the wire yet: libpri 1.6 takes no location (pri_hangup() has a
 * cause only, and its DISCONNECT/RELEASE always say 'private network
 * serving the local user'), so tdm/ has nowhere to put one. */
int gw_sip_cause_location(int status);

/* A request that clears the call (method "BYE" or "CANCEL") without a
 * Reason header -> 16 (RFC 3398 8.2.6.1, last row); other methods -> 0. */
int gw_sip_request_to_cause(const char *method);

/* "normal call clearing", "user busy", ...; "unknown cause" if unlisted. */
const char *gw_cause_name(int q850);

/*
 * How sip/ saw a dialog end -> the cause for the Reason of the BYE that
 * sip/ sends on its own: no ACK for our 2xx (RFC 3261 section 13.3.1.4) is
 * a timer expiring, 102; sip/ unable to go on, 41; the peer's BYE or
 * CANCEL (no BYE of ours), 16.
 */
int gw_cause_of_sip_end(enum sip_end why);

#endif

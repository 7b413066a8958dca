/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_sdp: an SDP body as an INVITE or a response carries it: sip_sdp_parse()
 * (libosip2's sdp_message parser and our reading of it), then what call.c
 * does with an offer: sip_sdp_negotiate() against our offer and sip_sdp_build() of
 * the answer.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sip/sdp.h"

#include "fuzz/fuzz_osip.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* osip's own trace would print to stdout */
	fuzz_osip_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_sdp_media offer, answer, ours = {
		.addr = "192.0.2.1", .port = 10000, .pts = { SIP_SDP_PT_PCMA, SIP_SDP_PT_PCMU },
		.npts = 2, .te_pt = 101, .ptime = 20, .dir = SIP_SDP_SENDRECV,
	};
	char body[1024];

	if (sip_sdp_parse((const char *)data, size, &offer))
		return 0;
	/* the fields stay inside what the struct promises */
	if (offer.npts > SIP_SDP_MAX_PTS || !memchr(offer.addr, '\0', sizeof(offer.addr)))
		__builtin_trap();
	sip_sdp_build(&offer, body, sizeof(body));
	if (sip_sdp_negotiate(&offer, &ours, &answer) == 0)
		sip_sdp_build(&answer, body, sizeof(body));
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_sip_msg: one UDP datagram through the path sip/ua.c's
 * handle_datagram() takes before any transaction sees it: the raw checks
 * (sip_validate_raw), libosip2's parser (osip_parse) and our checks of the
 * parsed message (sip_validate_msg); for a valid message what the UA reads
 * of it (Via destination, Reason, re-serialisation, the SDP body); for an
 * invalid request the stateless error response built from the raw bytes
 * (sip_build_raw_error) and the logged request line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sip/sdp.h"
#include "sip/sip_int.h"

#include "fuzz/fuzz_osip.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	log_open("fuzz", 0, 0);
	log_set_level(LOG_LVL_DEBUG);
	fuzz_osip_quiet();
	parser_init();
	return 0;
}

static void valid_msg(osip_message_t *m, int is_req)
{
	char host[64], *s = NULL;
	size_t slen = 0;
	int port;
	osip_body_t *body = NULL;
	struct sip_sdp_media sdp;

	if (is_req)
		osip_message_fix_last_via_header(m, "192.0.2.1", 5060);
	sip_via_dest(m, host, sizeof(host), &port);
	sip_reason_q850(m);
	if (osip_message_to_str(m, &s, &slen) == 0)
		osip_free(s);
	/* call.c hands the first body to sip_sdp_parse() */
	if (osip_message_get_body(m, 0, &body) >= 0 && body && body->body)
		sip_sdp_parse(body->body, body->length, &sdp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	osip_event_t *evt = NULL;
	int is_req = 0, code;
	char *buf, line[120], out[4096];
	size_t used;

	if (size == 0 || size > SIP_MAX_DGRAM)
		return 0;
	/* as ua->rxbuf: the datagram, then a NUL (handle_datagram) */
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* on_readable(): keep-alive CRLFs are not messages */
	if (strspn(buf, "\r\n") >= size) {
		free(buf);
		return 0;
	}

	code = sip_parse_datagram(buf, size, &evt, &is_req);
	if (code) {
		sip_raw_request_line(buf, size, line, sizeof(line));
		if (is_req)
			sip_build_raw_error(buf, size, code, "sipgw", "0123456789abcdef", out,
					    sizeof(out), &used);
	} else {
		valid_msg(evt->sip, is_req);
	}
	if (evt)
		osip_event_free(evt);
	free(buf);
	return 0;
}

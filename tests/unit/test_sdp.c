/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sip/sdp: RFC 4566 syntax through libosip2's parser, RFC 3264 offer/answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sdp.h"
#include "tests/unit/tap.h"

static void our_offer(struct sip_sdp_media *m, int law_first)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->addr, sizeof(m->addr), "192.0.2.10");
	m->port = 4000;
	m->pts[0] = law_first;
	m->pts[1] = law_first == SIP_SDP_PT_PCMA ? SIP_SDP_PT_PCMU : SIP_SDP_PT_PCMA;
	m->npts = 2;
	m->te_pt = 101;
	m->ptime = 20;
	m->dir = SIP_SDP_SENDRECV;
	m->sess_id = 1234;
	m->sess_version = 1;
}

static char *read_body(const char *name, size_t *len)
{
	char path[1024];
	const char *dir = getenv("SIPGW_TESTDATA");
	FILE *f;
	static char buf[8192];
	size_t n;
	char *b;

	if (dir)
		snprintf(path, sizeof(path), "%s/rfc4475/%s", dir, name);
	else
		snprintf(path, sizeof(path), "%s/tests/data/standards/rfc4475/%s", SRCDIR, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	b = strstr(buf, "\r\n\r\n");
	if (!b)
		return NULL;
	b += 4;
	*len = n - (size_t)(b - buf);
	return b;
}

int main(void)
{
	struct sip_sdp_media o, p, a, off;
	char buf[1024];
	size_t len = 0;
	const char *body;

	/* Build and parse back (RFC 4566 section 5). */
	our_offer(&o, SIP_SDP_PT_PCMA);
	TAP_OK(sip_sdp_build(&o, buf, sizeof(buf)) == 0, "RFC 4566 section 5: offer builds");
	TAP_OK(strstr(buf, "v=0\r\no=sipgw 1234 1 IN IP4 192.0.2.10\r\ns=sipgw\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n") != NULL,
	       "RFC 4566 section 5: v, o, s, c, t lines in order");
	TAP_OK(strstr(buf, "m=audio 4000 RTP/AVP 8 0 101\r\n") != NULL,
	       "RFC 3264 section 5.1: PCMA first (card law), PCMU, telephone-event 101");
	TAP_OK(strstr(buf, "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n") != NULL,
	       "RFC 4733 section 2.4.1: telephone-event/8000 with events 0-16");
	TAP_OK(strstr(buf, "a=ptime:20\r\n") && strstr(buf, "a=sendrecv\r\n"),
	       "RFC 4566 section 6: ptime 20 and sendrecv");
	TAP_OK(sip_sdp_parse(buf, strlen(buf), &p) == 0, "RFC 4566: our own offer parses");
	TAP_OK(!strcmp(p.addr, "192.0.2.10") && p.port == 4000 && p.npts == 2 &&
	       p.pts[0] == 8 && p.pts[1] == 0 && p.te_pt == 101 && p.ptime == 20 &&
	       p.dir == SIP_SDP_SENDRECV && p.sess_id == 1234 && p.sess_version == 1,
	       "RFC 4566: round trip keeps address, port, formats, te, ptime, direction, o= ids");
	our_offer(&o, SIP_SDP_PT_PCMU);
	sip_sdp_build(&o, buf, sizeof(buf));
	TAP_OK(strstr(buf, "m=audio 4000 RTP/AVP 0 8 101\r\n") != NULL, "RFC 3264 section 5.1: mu-law card offers PCMU first");
	TAP_OK(sip_sdp_build(&o, buf, 40) == ENOSPC, "sip_sdp_build: ENOSPC when the buffer is short");

	/* Negotiation (RFC 3264 section 6). */
	memset(&off, 0, sizeof(off));
	snprintf(off.addr, sizeof(off.addr), "198.51.100.7");
	off.port = 5004;
	off.pts[0] = SIP_SDP_PT_PCMU;
	off.pts[1] = SIP_SDP_PT_PCMA;
	off.npts = 2;
	off.te_pt = 96;
	off.dir = SIP_SDP_SENDRECV;
	our_offer(&o, SIP_SDP_PT_PCMA);
	TAP_OK(sip_sdp_negotiate(&off, &o, &a) == 0, "RFC 3264 section 6: common codec -> answer");
	TAP_OK(a.npts == 1 && a.pts[0] == SIP_SDP_PT_PCMA, "RFC 3264 section 6.1: our preference (PCMA) among the offered");
	TAP_OK(a.te_pt == 96, "RFC 3264 section 6.1: telephone-event kept with the offer's payload type");
	TAP_OK(!strcmp(a.addr, "192.0.2.10") && a.port == 4000, "RFC 3264 section 6.1: our address and port in the answer");
	our_offer(&o, SIP_SDP_PT_PCMU);
	sip_sdp_negotiate(&off, &o, &a);
	TAP_OK(a.pts[0] == SIP_SDP_PT_PCMU, "RFC 3264 section 6.1: mu-law preference picks PCMU");
	off.pts[0] = SIP_SDP_PT_PCMA;
	off.npts = 1;
	off.te_pt = -1;
	TAP_OK(sip_sdp_negotiate(&off, &o, &a) == 0 && a.pts[0] == SIP_SDP_PT_PCMA,
	       "RFC 3264 section 6.1: PCMA when only PCMA is offered");
	TAP_OK(a.te_pt == -1, "RFC 3264 section 6.1: telephone-event dropped when not offered");
	off.pts[0] = 18;	/* G.729 only */
	TAP_OK(sip_sdp_negotiate(&off, &o, &a) == ENOTSUP, "RFC 3264 section 6: no common codec -> ENOTSUP (488)");
	off.pts[0] = SIP_SDP_PT_PCMU;
	off.dir = SIP_SDP_SENDONLY;
	TAP_OK(sip_sdp_negotiate(&off, &o, &a) == 0 && a.dir == SIP_SDP_RECVONLY,
	       "RFC 3264 section 6.1: sendonly offer -> recvonly answer");
	off.dir = SIP_SDP_SENDRECV;
	off.port = 0;
	TAP_OK(sip_sdp_negotiate(&off, &o, &a) == ENOTSUP, "RFC 3264 section 6: rejected stream (port 0) -> ENOTSUP");

	/* Real-world offers. */
	{
		static const char baresip[] =
			"v=0\r\no=- 1713347012 1713347013 IN IP4 127.0.0.1\r\ns=-\r\n"
			"c=IN IP4 127.0.0.1\r\nt=0 0\r\na=tool:baresip 1.0.0\r\n"
			"m=audio 10106 RTP/AVP 8 0 101\r\nb=AS:64\r\na=rtpmap:8 PCMA/8000\r\n"
			"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
			"a=fmtp:101 0-15\r\na=sendrecv\r\na=label:1\r\na=ssrc:3046102353 cname:x\r\n"
			"a=rtcp-rsize\r\na=ptime:20\r\n";
		static const char dyn[] =
			"v=0\r\no=x 1 2 IN IP6 2001:db8::1\r\ns= \r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
			"a=recvonly\r\nm=video 5000 RTP/AVP 31\r\nm=audio 6000 RTP/AVP 18 98 97\r\n"
			"a=rtpmap:98 pcmu/8000\r\na=rtpmap:97 TELEPHONE-EVENT/8000\r\n";

		TAP_OK(sip_sdp_parse(baresip, strlen(baresip), &p) == 0 && p.port == 10106 &&
		       p.npts == 2 && p.pts[0] == 8 && p.te_pt == 101 && p.ptime == 20 &&
		       !strcmp(p.addr, "127.0.0.1") && p.sess_version == 1713347013u,
		       "RFC 4566: a baresip 1.0.0 offer parses (b=, extra attributes ignored)");
		TAP_OK(sip_sdp_parse(dyn, strlen(dyn), &p) == 0 && p.port == 6000 &&
		       !strcmp(p.addr, "2001:db8::1") && p.npts == 2 && p.pts[0] == 18 &&
		       p.pts[1] == SIP_SDP_PT_PCMU && p.te_pt == 97 && p.dir == SIP_SDP_RECVONLY,
		       "RFC 4566 sections 5.7, 6: IPv6, video skipped, dynamic PCMU mapped, session-level recvonly");
	}
	body = read_body("sdp01.dat", &len);
	TAP_OK(body != NULL, "RFC 4475 3.3.15 (sdp01.dat): test file present");
	TAP_OK(body && sip_sdp_parse(body, len, &p) == 0 && p.port == 49217 && p.npts == 2 &&
	       p.pts[0] == 0 && p.pts[1] == 12 && !strcmp(p.addr, "192.0.2.5") && p.te_pt == -1,
	       "RFC 4475 3.3.15 (sdp01.dat): body parses, audio 0 12 at 192.0.2.5:49217, video ignored");
	TAP_OK(body && sip_sdp_parse(body, len, &p) == 0 && sip_sdp_negotiate(&p, &o, &a) == 0 &&
	       a.pts[0] == SIP_SDP_PT_PCMU, "RFC 3264 section 6.1: sdp01 offer answered with PCMU");
	TAP_OK(sip_sdp_parse("garbage", 7, &p) == EINVAL, "RFC 4566: garbage -> EINVAL");
	{
		static const char novid[] = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\n"
					    "t=0 0\r\nm=video 1 RTP/AVP 31\r\n";

		TAP_OK(sip_sdp_parse(novid, strlen(novid), &p) == EINVAL, "RFC 4566: no audio stream -> EINVAL");
	}
	TAP_OK(sip_sdp_parse(NULL, 0, &p) == EINVAL, "sip_sdp_parse: empty body -> EINVAL");
	/* sip_sdp_offer: the one place that builds our offer */
	{
		static const int have[] = { SIP_SDP_PT_PCMU, SIP_SDP_PT_PCMA };
		struct sip_sdp_local l = { .addr = "192.0.2.10", .port = 4000, .pts = have, .npts = 2,
				       .first_pt = SIP_SDP_PT_PCMA,
				       .te_pt = 101, .ptime = 20, .sess_id = 1234, .sess_version = 1 };
		struct sip_sdp_media mine;
		int pt, te;

		our_offer(&o, SIP_SDP_PT_PCMA);
		sip_sdp_offer(&l, &mine);
		TAP_OK(!memcmp(&mine, &o, sizeof(o)),
		       "RFC 3264 section 5.1: sip_sdp_offer lists PCMA (card law), PCMU, telephone-event, ptime");
		l.first_pt = SIP_SDP_PT_PCMU;
		l.te_pt = 110;
		l.ptime = 0;
		sip_sdp_offer(&l, &mine);
		TAP_OK(mine.npts == 2 && mine.pts[0] == 0 && mine.pts[1] == 8 && mine.te_pt == 110 &&
		       mine.ptime == 20,
		       "RFC 3551 section 4.5: mu-law first, the configured event type, ptime 20 by default");
		{
			/* the codecs are the caller's: only those, and only those SDP
			 * can name statically (18 is G.729, which dsp/ lacks here) */
			static const int alaw_only[] = { SIP_SDP_PT_PCMA, 18 };

			l.pts = alaw_only;
			sip_sdp_offer(&l, &mine);
			TAP_OK(mine.npts == 1 && mine.pts[0] == SIP_SDP_PT_PCMA,
			       "RFC 3264 section 5.1: the offer lists the caller's codecs only (PCMA of {8, 18})");
			l.pts = have;
		}
		l.te_pt = 101;
		sip_sdp_offer(&l, &o);
		/* the answer picks PCMA, events as 96 */
		memset(&a, 0, sizeof(a));
		a.port = 6000;
		a.pts[0] = 18;
		a.pts[1] = SIP_SDP_PT_PCMA;
		a.npts = 2;
		a.te_pt = 96;
		TAP_OK(sip_sdp_answer_choice(&o, &a, &pt, &te) == 0 && pt == SIP_SDP_PT_PCMA && te == 96,
		       "RFC 3264 section 7: the answer's first format that we offered; section 5.1: "
		       "events with the answer's payload type");
		a.pts[1] = 9;
		TAP_OK(sip_sdp_answer_choice(&o, &a, &pt, &te) == ENOTSUP && pt == -1,
		       "RFC 3264 section 7: an answer with none of our formats gives no media");
		a.pts[0] = SIP_SDP_PT_PCMU;
		a.port = 0;
		TAP_OK(sip_sdp_answer_choice(&o, &a, &pt, &te) == ENOTSUP,
		       "RFC 3264 section 6: a rejected stream (port 0) gives no media");
		a.port = 6000;
		o.te_pt = -1;
		TAP_OK(sip_sdp_answer_choice(&o, &a, &pt, &te) == 0 && pt == 0 && te == -1,
		       "RFC 4733: no events when we offered none");
	}
	return TAP_DONE();
}

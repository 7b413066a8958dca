/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SDP for one audio stream (RFC 4566 syntax, RFC 3264 offer/answer).
 * Parsing goes through libosip2's sdp_message parser; building is a few
 * printf lines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_port.h>
#include <osipparser2/sdp_message.h>

#include "sip/sdp.h"

/* The static payload types SDP can name in an rtpmap (RFC 3551 table 4).
 * Which of them we offer and accept is what the caller has (gw/ passes
 * dsp/'s list: sip_sdp_local.pts): this table only names them. */
static const struct {
	int pt;
	const char *name;
} codecs[] = {
	{ SIP_SDP_PT_PCMU, "PCMU" },
	{ SIP_SDP_PT_PCMA, "PCMA" },
};
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))
#define PTIME_DEFAULT 20	/* RFC 3551 section 4.5: G.711's default packetisation */

static const char *pt_name(int pt)
{
	for (size_t i = 0; i < NCODECS; i++)
		if (codecs[i].pt == pt)
			return codecs[i].name;
	return NULL;
}

void sip_sdp_offer(const struct sip_sdp_local *l, struct sip_sdp_media *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->addr, sizeof(m->addr), "%s", l->addr ? l->addr : "");
	m->port = l->port;
	for (size_t i = 0; i < l->npts; i++)
		if (l->pts[i] == l->first_pt && pt_name(l->first_pt))
			m->pts[m->npts++] = l->first_pt;
	for (size_t i = 0; i < l->npts && m->npts < SIP_SDP_MAX_PTS; i++)
		if (l->pts[i] != l->first_pt && pt_name(l->pts[i]))
			m->pts[m->npts++] = l->pts[i];
	m->te_pt = l->te_pt >= 96 && l->te_pt <= 127 ? l->te_pt : -1;
	m->ptime = l->ptime > 0 ? l->ptime : PTIME_DEFAULT;
	m->dir = SIP_SDP_SENDRECV;
	m->sess_id = l->sess_id;
	m->sess_version = l->sess_version;
}

static int put(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off)
		return ENOSPC;
	*off += (size_t)n;
	return 0;
}

static const char *dir_name(enum sip_sdp_dir d)
{
	switch (d) {
	case SIP_SDP_SENDONLY: return "sendonly";
	case SIP_SDP_RECVONLY: return "recvonly";
	case SIP_SDP_INACTIVE: return "inactive";
	default: return "sendrecv";
	}
}

int sip_sdp_build(const struct sip_sdp_media *m, char *buf, size_t len)
{
	size_t off = 0, i;
	const char *ipv = strchr(m->addr, ':') ? "IP6" : "IP4";
	int r;

	if (!buf || !len)
		return ENOSPC;
	buf[0] = '\0';
	/* RFC 4566 section 5: v, o, s, c, t, m in this order. */
	r = put(buf, len, &off, "v=0\r\no=sipgw %u %u IN %s %s\r\ns=sipgw\r\n"
		"c=IN %s %s\r\nt=0 0\r\nm=audio %u RTP/AVP",
		(unsigned)m->sess_id, (unsigned)m->sess_version, ipv, m->addr,
		ipv, m->addr, (unsigned)m->port);
	for (i = 0; !r && i < m->npts && i < SIP_SDP_MAX_PTS; i++)
		r = put(buf, len, &off, " %d", m->pts[i]);
	if (!r && m->te_pt >= 0)
		r = put(buf, len, &off, " %d", m->te_pt);
	if (!r)
		r = put(buf, len, &off, "\r\n");
	for (i = 0; !r && i < m->npts && i < SIP_SDP_MAX_PTS; i++)
		if (pt_name(m->pts[i]))
			r = put(buf, len, &off, "a=rtpmap:%d %s/8000\r\n", m->pts[i],
				pt_name(m->pts[i]));
	if (!r && m->te_pt >= 0)
		r = put(buf, len, &off, "a=rtpmap:%d telephone-event/8000\r\n"
			"a=fmtp:%d 0-16\r\n", m->te_pt, m->te_pt);
	if (!r && m->ptime > 0)
		r = put(buf, len, &off, "a=ptime:%d\r\n", m->ptime);
	if (!r)
		r = put(buf, len, &off, "a=%s\r\n", dir_name(m->dir));
	if (r)
		buf[0] = '\0';
	return r;
}

static int parse_dir(const char *f, enum sip_sdp_dir *d)
{
	if (!strcasecmp(f, "sendrecv")) *d = SIP_SDP_SENDRECV;
	else if (!strcasecmp(f, "sendonly")) *d = SIP_SDP_SENDONLY;
	else if (!strcasecmp(f, "recvonly")) *d = SIP_SDP_RECVONLY;
	else if (!strcasecmp(f, "inactive")) *d = SIP_SDP_INACTIVE;
	else return 0;
	return 1;
}

static int to_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* rtpmap "101 telephone-event/8000" -> pt 101, name "telephone-event". */
static int rtpmap_split(const char *v, long *pt, char *name, size_t nlen)
{
	const char *sp, *slash;
	size_t n;
	char num[8];

	if (!v || !(sp = strchr(v, ' ')) || (size_t)(sp - v) >= sizeof(num))
		return -1;
	memcpy(num, v, (size_t)(sp - v));
	num[sp - v] = '\0';
	if (to_int(num, 0, 127, pt))
		return -1;
	while (*sp == ' ')
		sp++;
	slash = strchr(sp, '/');
	n = slash ? (size_t)(slash - sp) : strlen(sp);
	if (n >= nlen)
		n = nlen - 1;
	memcpy(name, sp, n);
	name[n] = '\0';
	return 0;
}

static void parse_media(sdp_message_t *sdp, int mi, struct sip_sdp_media *out)
{
	int k;
	long v;
	char name[32];

	/* RFC 4566 section 6: a=rtpmap, a=ptime, direction attributes. */
	for (k = 0; sdp_message_a_att_field_get(sdp, mi, k); k++) {
		const char *f = sdp_message_a_att_field_get(sdp, mi, k);
		const char *val = sdp_message_a_att_value_get(sdp, mi, k);

		if (!strcasecmp(f, "rtpmap")) {
			if (rtpmap_split(val, &v, name, sizeof(name)))
				continue;
			if (!strcasecmp(name, "telephone-event") && out->te_pt < 0)
				out->te_pt = (int)v;
		} else if (!strcasecmp(f, "ptime")) {
			if (!to_int(val, 1, 1000, &v))
				out->ptime = (int)v;
		} else {
			parse_dir(f, &out->dir);
		}
	}
	/* Dynamic payload types mapped to PCMU/PCMA by name become 0/8. */
	for (k = 0; sdp_message_m_payload_get(sdp, mi, k); k++) {
		const char *p = sdp_message_m_payload_get(sdp, mi, k);
		int pt, j;

		if (to_int(p, 0, 127, &v))
			continue;
		pt = (int)v;
		if (pt == out->te_pt)
			continue;
		for (j = 0; pt >= 96 && sdp_message_a_att_field_get(sdp, mi, j); j++) {
			long mpt;

			if (strcasecmp(sdp_message_a_att_field_get(sdp, mi, j), "rtpmap") ||
			    rtpmap_split(sdp_message_a_att_value_get(sdp, mi, j), &mpt, name, sizeof(name)) ||
			    mpt != pt)
				continue;
			if (!strcasecmp(name, "PCMU"))
				pt = SIP_SDP_PT_PCMU;
			else if (!strcasecmp(name, "PCMA"))
				pt = SIP_SDP_PT_PCMA;
		}
		if (out->npts < SIP_SDP_MAX_PTS)
			out->pts[out->npts++] = pt;
	}
}

int sip_sdp_parse(const char *body, size_t len, struct sip_sdp_media *out)
{
	sdp_message_t *sdp = NULL;
	char *copy = NULL;
	int r = EINVAL, mi, k;
	long v;

	memset(out, 0, sizeof(*out));
	out->te_pt = -1;
	out->dir = SIP_SDP_SENDRECV;
	if (!body || !len)
		return EINVAL;
	/* Two NULs: libosip2 5.3.0's m= parser (sdp_message_parse_m) runs
	 * strchr() from one byte past the end of an m= line with no payload
	 * list, which for the body's last line is past the terminating NUL. */
	copy = calloc(1, len + 2);
	if (!copy)
		return ENOMEM;
	memcpy(copy, body, len);
	if (sdp_message_init(&sdp) || sdp_message_parse(sdp, copy))
		goto out;

	/* Session-level direction applies unless the media overrides it. */
	for (k = 0; sdp_message_a_att_field_get(sdp, -1, k); k++)
		parse_dir(sdp_message_a_att_field_get(sdp, -1, k), &out->dir);

	for (mi = 0; sdp_message_m_media_get(sdp, mi); mi++) {
		const char *media = sdp_message_m_media_get(sdp, mi);
		const char *proto = sdp_message_m_proto_get(sdp, mi);
		const char *addr;

		if (strcasecmp(media, "audio") || !proto || strcasecmp(proto, "RTP/AVP"))
			continue;
		if (to_int(sdp_message_m_port_get(sdp, mi), 0, 65535, &v))
			continue;
		out->port = (uint16_t)v;
		/* RFC 4566 section 5.7: media-level c= overrides session-level. */
		addr = sdp_message_c_addr_get(sdp, mi, 0);
		if (!addr)
			addr = sdp_message_c_addr_get(sdp, -1, 0);
		if (!addr || strlen(addr) >= sizeof(out->addr))
			goto out;
		snprintf(out->addr, sizeof(out->addr), "%s", addr);
		parse_media(sdp, mi, out);
		if (sdp_message_o_sess_id_get(sdp))
			out->sess_id = (uint32_t)strtoul(sdp_message_o_sess_id_get(sdp), NULL, 10);
		if (sdp_message_o_sess_version_get(sdp))
			out->sess_version = (uint32_t)strtoul(sdp_message_o_sess_version_get(sdp), NULL, 10);
		r = out->npts ? 0 : EINVAL;
		goto out;
	}
out:
	if (sdp)
		sdp_message_free(sdp);
	free(copy);
	return r;
}

static int has_pt(const struct sip_sdp_media *m, int pt)
{
	size_t i;

	for (i = 0; i < m->npts && i < SIP_SDP_MAX_PTS; i++)
		if (m->pts[i] == pt)
			return 1;
	return 0;
}

int sip_sdp_negotiate(const struct sip_sdp_media *offer, const struct sip_sdp_media *ours,
		  struct sip_sdp_media *answer)
{
	size_t i;
	int chosen = -1;

	/* RFC 3264 section 6: a rejected stream (port 0) or no common format. */
	if (!offer->port)
		return ENOTSUP;
	for (i = 0; i < ours->npts && i < SIP_SDP_MAX_PTS && chosen < 0; i++)
		if (pt_name(ours->pts[i]) && has_pt(offer, ours->pts[i]))
			chosen = ours->pts[i];
	if (chosen < 0)
		return ENOTSUP;
	*answer = *ours;
	answer->pts[0] = chosen;
	answer->npts = 1;
	/* RFC 3264 section 6.1: same payload type number as the offer. */
	answer->te_pt = (offer->te_pt >= 0 && ours->te_pt >= 0) ? offer->te_pt : -1;
	if (!answer->ptime)
		answer->ptime = PTIME_DEFAULT;
	switch (offer->dir) {
	case SIP_SDP_SENDONLY: answer->dir = SIP_SDP_RECVONLY; break;
	case SIP_SDP_RECVONLY: answer->dir = SIP_SDP_SENDONLY; break;
	case SIP_SDP_INACTIVE: answer->dir = SIP_SDP_INACTIVE; break;
	default: answer->dir = ours->dir; break;
	}
	return 0;
}

int sip_sdp_answer_choice(const struct sip_sdp_media *offer, const struct sip_sdp_media *answer,
			  int *pt, int *te_pt)
{
	*pt = *te_pt = -1;
	if (!answer->port)
		return ENOTSUP;
	for (size_t i = 0; i < answer->npts && i < SIP_SDP_MAX_PTS && *pt < 0; i++)
		if (pt_name(answer->pts[i]) && has_pt(offer, answer->pts[i]))
			*pt = answer->pts[i];
	if (*pt < 0)
		return ENOTSUP;
	/* RFC 3264 section 5.1: we send with the numbers the answer gave */
	if (offer->te_pt >= 0)
		*te_pt = answer->te_pt;
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Checks libosip2 does not make (see shared/NOTES-libraries.md), on the raw
 * datagram and on the parsed message, and a stateless error response built
 * from the raw bytes for messages osip cannot parse. The network is hostile:
 * every read here is bounded by the datagram length.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "sip/sip_int.h"

struct raw_hdr {
	const char *name, *val;
	size_t nlen, vlen;
};

/* Length of the line at p (without its CRLF/LF) and of its terminator. */
static size_t line_len(const char *p, size_t left, size_t *eol)
{
	size_t i;

	for (i = 0; i < left; i++) {
		if (p[i] == '\n') {
			*eol = 1;
			if (i > 0 && p[i - 1] == '\r') {
				*eol = 2;
				return i - 1;
			}
			return i;
		}
	}
	*eol = 0;
	return left;
}

/* 1: header in h; 0: end of headers; -1: malformed line. */
static int next_header(const char *buf, size_t len, size_t *pos, struct raw_hdr *h)
{
	size_t eol, n, i;
	const char *p;

	if (*pos >= len)
		return 0;
	p = buf + *pos;
	n = line_len(p, len - *pos, &eol);
	if (n == 0)
		return 0;
	if (p[0] == ' ' || p[0] == '\t')
		return -1;	/* continuation without a header */
	for (i = 0; i < n && p[i] != ':'; i++)
		;
	if (i == n)
		return -1;
	h->name = p;
	h->nlen = i;
	while (h->nlen && (p[h->nlen - 1] == ' ' || p[h->nlen - 1] == '\t'))
		h->nlen--;
	if (!h->nlen)
		return -1;
	h->val = p + i + 1;
	*pos += n + eol;
	/* Folded continuation lines (RFC 3261 section 7.3.1). */
	while (*pos < len && (buf[*pos] == ' ' || buf[*pos] == '\t')) {
		n = line_len(buf + *pos, len - *pos, &eol);
		*pos += n + eol;
	}
	h->vlen = (size_t)(buf + *pos - h->val);
	while (h->vlen && (h->val[h->vlen - 1] == '\n' || h->val[h->vlen - 1] == '\r'))
		h->vlen--;
	while (h->vlen && (h->val[0] == ' ' || h->val[0] == '\t' || h->val[0] == '\r' ||
			   h->val[0] == '\n')) {
		h->val++;
		h->vlen--;
	}
	while (h->vlen && (h->val[h->vlen - 1] == ' ' || h->val[h->vlen - 1] == '\t'))
		h->vlen--;
	return 1;
}

static int hdr_is(const struct raw_hdr *h, const char *lng, const char *cmp)
{
	if (h->nlen == strlen(lng) && !strncasecmp(h->name, lng, h->nlen))
		return 1;
	return cmp && h->nlen == strlen(cmp) && !strncasecmp(h->name, cmp, h->nlen);
}

static int is_token_char(int c)
{
	return isalnum(c) || strchr("-.!%*_+`'~", c);
}

/*
 * name-addr / addr-spec checks for From, To, Contact (RFC 3261 section
 * 20.10 and 25.1): balanced quotes, a display name that is a quoted string
 * or tokens, no spaces inside <>, and an addr-spec without <> must not
 * carry URI headers (RFC 4475 3.1.2.6, 3.1.2.13, 3.1.2.14, 3.1.2.15).
 */
static int check_addr(const char *v, size_t n)
{
	size_t i, lt = n, gt = n;
	int inq = 0;

	if (n == 1 && v[0] == '*')
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] == '\\' && inq) {
			i++;
			continue;
		}
		if (v[i] == '"')
			inq = !inq;
		else if (!inq && v[i] == '<' && lt == n)
			lt = i;
		else if (!inq && v[i] == '>' && lt != n && gt == n)
			gt = i;
	}
	if (inq)
		return 400;
	if (lt == n) {
		for (i = 0; i < n && v[i] != ';'; i++)
			if (v[i] == '?')
				return 400;
		return 0;
	}
	if (gt == n || gt == lt + 1)
		return 400;
	if (v[lt + 1] == ' ' || v[gt - 1] == ' ')
		return 400;
	if (v[0] != '"') {
		for (i = 0; i < lt; i++)
			if (!is_token_char((unsigned char)v[i]) && !strchr(" \t\r\n", v[i]))
				return 400;
	}
	return 0;
}

static int all_digits(const char *v, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

/* Request-Line (RFC 3261 section 7.1): exactly Method SP URI SP Version. */
static int check_request_line(const char *p, size_t n)
{
	const char *sp1 = memchr(p, ' ', n), *sp2, *uri;
	size_t ulen, vlen;

	if (!sp1 || sp1 == p)
		return 400;
	uri = sp1 + 1;
	sp2 = memchr(uri, ' ', n - (size_t)(uri - p));
	if (!sp2 || sp2 == uri)
		return 400;
	ulen = (size_t)(sp2 - uri);
	vlen = n - (size_t)(sp2 + 1 - p);
	/* RFC 4475 3.1.2.9, 3.1.2.10: no extra SP. */
	if (memchr(sp2 + 1, ' ', vlen) || memchr(sp2 + 1, '\t', vlen) || !vlen)
		return 400;
	if (memchr(p, '\t', n))
		return 400;
	/* 3.1.2.16: version other than SIP/2.0 -> 505. */
	if (vlen != 7 || strncmp(sp2 + 1, "SIP/2.0", 7)) {
		if (vlen > 4 && !strncasecmp(sp2 + 1, "SIP/", 4))
			return 505;
		return 400;
	}
	/* 3.1.2.7: <> around the Request-URI; 3.1.2.11: escaped headers. */
	if (uri[0] == '<' || memchr(uri, '?', ulen) || memchr(uri, '>', ulen))
		return 400;
	/* 3.3.2: unknown scheme -> 416 (section 8.2.2.1). */
	if (!memchr(uri, ':', ulen))
		return 400;
	if (!(ulen > 4 && !strncasecmp(uri, "sip:", 4)) &&
	    !(ulen > 5 && !strncasecmp(uri, "sips:", 5)) &&
	    !(ulen > 4 && !strncasecmp(uri, "tel:", 4)))
		return 416;
	return 0;
}

int sip_method_known(const char *m, size_t len)
{
	static const char *const known[] = {
		"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "INFO", "PRACK",
		"UPDATE", "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "PUBLISH", NULL
	};

	for (int i = 0; known[i]; i++)
		if (strlen(known[i]) == len && !strncmp(m, known[i], len))
			return 1;
	return 0;
}

/* Methods in SIP_ALLOW: the ones we take. */
static int method_ours(const char *m, size_t len)
{
	static const char *const ours[] = { "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", NULL };

	for (int i = 0; ours[i]; i++)
		if (strlen(ours[i]) == len && !strncmp(m, ours[i], len))
			return 1;
	return 0;
}

/*
 * A multipart body is refused before libosip2 parses the message: its MIME
 * parser leaks the part's Content-Type when that is malformed (found by
 * fuzz_sip_msg; libosip2 5.3.0), so a hostile peer could grow our memory
 * one datagram at a time, and we take SDP bodies only. The answer is the
 * one RFC 3261 section 8.2 would give after parsing: the method first (405
 * known, 501 unknown), then the body (415).
 */
static int multipart_answer(const char *buf, size_t n, int is_request)
{
	const char *sp = memchr(buf, ' ', n);
	size_t mlen = sp ? (size_t)(sp - buf) : n;

	if (!is_request)
		return 400;	/* a response: dropped */
	if (!sip_method_known(buf, mlen))
		return 501;
	return method_ours(buf, mlen) ? 415 : 405;
}

static int is_multipart(const struct raw_hdr *h)
{
	size_t i = 0;

	while (i < h->vlen && (h->val[i] == ' ' || h->val[i] == '\t'))
		i++;
	return h->vlen - i >= 10 && !strncasecmp(h->val + i, "multipart/", 10);
}

int sip_validate_raw(const char *buf, size_t len, int *is_request)
{
	size_t eol, n, pos, hdr_end = 0;
	struct raw_hdr h;
	int r, code = 0, n_callid = 0, n_from = 0, n_to = 0, n_cseq = 0, n_mf = 0, n_cl = 0;
	int multipart = 0;
	long long cl = -1;

	*is_request = 0;
	if (len < 8)
		return 400;
	n = line_len(buf, len, &eol);
	if (!eol)
		return 400;
	if (!strncmp(buf, "SIP/", 4)) {
		/* Status-Line: SIP/2.0 SP 3DIGIT SP Reason (RFC 3261 section 7.2). */
		if (n < 12 || strncmp(buf, "SIP/2.0 ", 8) || !all_digits(buf + 8, 3) ||
		    buf[11] != ' ' || buf[8] < '1' || buf[8] > '6')
			return 400;
	} else {
		*is_request = 1;
		code = check_request_line(buf, n);
	}
	pos = n + eol;
	while ((r = next_header(buf, len, &pos, &h)) == 1) {
		if (hdr_is(&h, "Call-ID", "i"))
			n_callid++;
		else if (hdr_is(&h, "From", "f"))
			n_from++, r = check_addr(h.val, h.vlen);
		else if (hdr_is(&h, "To", "t"))
			n_to++, r = check_addr(h.val, h.vlen);
		else if (hdr_is(&h, "Contact", "m"))
			r = check_addr(h.val, h.vlen);
		else if (hdr_is(&h, "CSeq", NULL))
			n_cseq++;
		else if (hdr_is(&h, "Max-Forwards", NULL))
			n_mf++;
		else if (hdr_is(&h, "Content-Length", "l")) {
			n_cl++;
			/* RFC 4475 3.1.2.3: digits only, never negative. */
			if (!all_digits(h.val, h.vlen) || h.vlen > 9)
				r = 400;
			else
				cl = atoll(h.val);
		} else if (hdr_is(&h, "Content-Type", "c")) {
			multipart |= is_multipart(&h);
		} else if (hdr_is(&h, "Date", NULL)) {
			/* RFC 3261 section 20.17, RFC 4475 3.1.2.12: GMT only. */
			if (h.vlen < 3 || strncmp(h.val + h.vlen - 3, "GMT", 3))
				r = 400;
		}
		if (r > 1 && !code)
			code = r;
	}
	if (r < 0 && !code)
		code = 400;
	/* RFC 4475 3.3.8, 3.3.9: single-valued headers given twice. */
	if (!code && (n_callid > 1 || n_from > 1 || n_to > 1 || n_cseq > 1 || n_mf > 1 || n_cl > 1))
		code = 400;
	if (!code && (!n_callid || !n_from || !n_to || !n_cseq))
		code = 400;	/* RFC 4475 3.3.1 */
	if (!code && multipart)
		code = multipart_answer(buf, n, *is_request);
	if (!code && cl >= 0) {
		/* Body starts after the empty line; 3.1.2.2: not past the end. */
		if (pos < len) {
			line_len(buf + pos, len - pos, &eol);
			hdr_end = pos + eol;
		} else {
			hdr_end = len;
		}
		if ((unsigned long long)cl > len - hdr_end)
			code = 400;
	}
	return code;
}

/* RFC 3261 section 25.1: tag-param = "tag" EQUAL token. A tag without a
 * value is malformed; libosip2's dialog matching would also read it as a
 * string (NULL). */
static int tag_without_value(osip_from_t *f)
{
	osip_generic_param_t *p = NULL;

	return osip_from_param_get_byname(f, "tag", &p) == 0 && p && (!p->gvalue || !*p->gvalue);
}

int sip_validate_msg(const osip_message_t *m)
{
	const char *num;
	size_t i;
	unsigned long long v;
	osip_content_length_t *cl;
	int is_req = MSG_IS_REQUEST(m);

	if (!m->sip_version || strcmp(m->sip_version, "SIP/2.0"))
		return is_req ? 505 : 400;
	if (!m->call_id || !m->from || !m->to || !m->cseq || osip_list_size(&m->vias) < 1)
		return 400;
	if (!m->from->url || !m->to->url)
		return 400;
	if (tag_without_value(m->from) || tag_without_value(m->to))
		return 400;
	num = m->cseq->number;
	if (!num || !m->cseq->method)
		return 400;
	/* RFC 3261 section 8.1.1.5: CSeq below 2^31 when sent, at most 2^32-1. */
	for (i = 0; num[i]; i++)
		if (!isdigit((unsigned char)num[i]))
			return 400;
	if (i == 0 || i > 10)
		return 400;
	v = strtoull(num, NULL, 10);
	if (v > 0xffffffffULL)
		return 400;
	cl = osip_message_get_content_length(m);
	if (cl && cl->value && cl->value[0] == '-')
		return 400;
	if (is_req) {
		const char *scheme;

		if (!m->sip_method || !m->req_uri)
			return 400;
		/* RFC 3261 section 8.2.2.1 */
		scheme = m->req_uri->scheme;
		if (!scheme || (strcasecmp(scheme, "sip") && strcasecmp(scheme, "sips") &&
				strcasecmp(scheme, "tel")))
			return 416;
		if (osip_list_size(&m->req_uri->url_headers) > 0)
			return 400;
		/* RFC 4475 3.1.2.17: CSeq method must match the Request-Line. */
		if (strcmp(m->sip_method, m->cseq->method))
			return 400;
	} else {
		if (m->status_code < 100 || m->status_code > 699)
			return 400;
	}
	return 0;
}

/* Copy a raw header value, unfolding continuation lines. */
static int put_hdr(char *out, size_t outlen, size_t *off, const char *name,
		   const char *v, size_t n, const char *extra)
{
	size_t i;
	int w;

	w = snprintf(out + *off, outlen - *off, "%s: ", name);
	if (w < 0 || (size_t)w >= outlen - *off)
		return ENOSPC;
	*off += (size_t)w;
	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		if (c == ' ' && *off && out[*off - 1] == ' ')
			continue;
		if (*off + 1 >= outlen)
			return ENOSPC;
		out[(*off)++] = c;
	}
	w = snprintf(out + *off, outlen - *off, "%s\r\n", extra ? extra : "");
	if (w < 0 || (size_t)w >= outlen - *off)
		return ENOSPC;
	*off += (size_t)w;
	return 0;
}

static int has_tag(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++)
		if (!strncasecmp(v + i, "tag=", 4) && i && (v[i - 1] == ';' || v[i - 1] == ' '))
			return 1;
	return 0;
}

int sip_build_raw_error(const char *buf, size_t len, int code, const char *server,
			const char *to_tag, char *out, size_t outlen, size_t *out_used)
{
	size_t eol, n, pos, off = 0;
	struct raw_hdr h, from = {0}, to = {0}, callid = {0}, cseq = {0};
	int r, nvia = 0, w;
	char tagbuf[64];
	const char *reason = osip_message_get_reason(code);

	n = line_len(buf, len, &eol);
	if (!eol || !strncmp(buf, "SIP/", 4))
		return EINVAL;	/* responses are never answered */
	if (n >= 4 && !strncmp(buf, "ACK ", 4))
		return EINVAL;	/* RFC 3261 section 17.2.1: nothing answers an ACK */
	w = snprintf(out, outlen, "SIP/2.0 %d %s\r\n", code, reason ? reason : "Error");
	if (w < 0 || (size_t)w >= outlen)
		return ENOSPC;
	off = (size_t)w;
	pos = n + eol;
	while ((r = next_header(buf, len, &pos, &h)) == 1) {
		if (hdr_is(&h, "Via", "v")) {
			if (!h.vlen || put_hdr(out, outlen, &off, "Via", h.val, h.vlen, NULL))
				return EINVAL;
			nvia++;
		} else if (hdr_is(&h, "From", "f") && !from.name) {
			from = h;
		} else if (hdr_is(&h, "To", "t") && !to.name) {
			to = h;
		} else if (hdr_is(&h, "Call-ID", "i") && !callid.name) {
			callid = h;
		} else if (hdr_is(&h, "CSeq", NULL) && !cseq.name) {
			cseq = h;
		}
	}
	/* A Via addresses the response (RFC 3261 section 8.2.6.2); copy
	 * what there is of the rest (RFC 4475 3.3.1 lacks Call-ID/From/To). */
	if (!nvia)
		return EINVAL;
	snprintf(tagbuf, sizeof(tagbuf), ";tag=%s", to_tag);
	if ((from.vlen && put_hdr(out, outlen, &off, "From", from.val, from.vlen, NULL)) ||
	    (to.vlen && put_hdr(out, outlen, &off, "To", to.val, to.vlen,
				has_tag(to.val, to.vlen) ? NULL : tagbuf)) ||
	    (callid.vlen && put_hdr(out, outlen, &off, "Call-ID", callid.val, callid.vlen, NULL)) ||
	    (cseq.vlen && put_hdr(out, outlen, &off, "CSeq", cseq.val, cseq.vlen, NULL)))
		return ENOSPC;
	/* RFC 3261 sections 8.2.1 and 8.2.3: say what we take. */
	w = snprintf(out + off, outlen - off, "%s%sServer: %s\r\nContent-Length: 0\r\n\r\n",
		     code == 405 ? "Allow: " SIP_ALLOW "\r\n" : "",
		     code == 415 ? "Accept: application/sdp\r\n" : "", server ? server : "sipgw");
	if (w < 0 || (size_t)w >= outlen - off)
		return ENOSPC;
	*out_used = off + (size_t)w;
	return 0;
}

int sip_parse_datagram(const char *buf, size_t len, osip_event_t **evt_out, int *is_request)
{
	osip_event_t *evt = NULL;
	int code;

	*evt_out = NULL;
	code = sip_validate_raw(buf, len, is_request);
	if (code)
		return code;
	evt = osip_parse(buf, len);
	if (!evt || !evt->sip)
		code = 400;
	else
		code = sip_validate_msg(evt->sip);
	if (!code && MSG_IS_REQUEST(evt->sip) != *is_request)
		code = 400;
	if (code) {
		if (evt)
			osip_event_free(evt);
		return code;
	}
	*evt_out = evt;
	return 0;
}

int sip_raw_request_line(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t eol, n = line_len(buf, len, &eol), i;

	if (!outlen)
		return EINVAL;
	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = isprint((unsigned char)buf[i]) ? buf[i] : '?';
	out[n] = '\0';
	return 0;
}

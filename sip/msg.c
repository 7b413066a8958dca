/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a parsed message: header parameters, where a response goes
 * (Via), the Reason cause, numbers in headers, the SDP body; and the small
 * helpers every file of sip/ uses (tokens, host literals).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "sip/sip_int.h"

void sip_ua_rand_token(char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t r[32];
	size_t i, n = len ? len - 1 : 0;

	if (n > sizeof(r))
		n = sizeof(r);
	if (getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n)
		for (i = 0; i < n; i++)
			r[i] = (uint8_t)(rand() ^ (int)i);
	for (i = 0; i < n; i++)
		out[i] = hex[r[i] & 15];
	if (len)
		out[n] = '\0';
}

void sip_host_fmt(const char *addr, char *out, size_t len)
{
	if (strchr(addr, ':') && addr[0] != '[')
		snprintf(out, len, "[%s]", addr);
	else
		snprintf(out, len, "%s", addr);
}

const char *sip_param(osip_list_t *params, const char *name)
{
	osip_generic_param_t *p = NULL;

	if (osip_generic_param_get_byname(params, (char *)name, &p) == 0 && p)
		return p->gvalue ? p->gvalue : "";
	return NULL;
}

void sip_via_dest(const osip_message_t *req, char *host, size_t hlen, int *port)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	const char *h = NULL, *p = NULL;

	*port = 5060;
	host[0] = '\0';
	if (!via)
		return;
	h = sip_param(&via->via_params, "maddr");
	if (!h || !*h)
		h = sip_param(&via->via_params, "received");
	if (!h || !*h)
		h = via->host;
	p = sip_param(&via->via_params, "rport");
	if (!p || !*p)
		p = via->port;
	if (p && *p)
		*port = atoi(p);
	snprintf(host, hlen, "%s", h ? h : "");
}

int sip_reason_q850(const osip_message_t *m)
{
	osip_header_t *h = NULL;
	int pos = 0;

	/* RFC 3326: Reason: Q.850;cause=16;text="..." */
	while ((pos = osip_message_header_get_byname(m, "reason", pos, &h)) >= 0) {
		const char *v = h ? h->hvalue : NULL, *c;

		pos++;
		if (!v || strncasecmp(v, "Q.850", 5))
			continue;
		c = strstr(v, "cause=");
		if (c) {
			int q = atoi(c + 6);

			if (q >= 0 && q <= 127)
				return q;
		}
	}
	return -1;
}

int sip_header_number(const osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;
	const char *v;
	long n;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h || !(v = h->hvalue))
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return -1;
	n = strtol(v, NULL, 10);
	return n > 99999999 ? 99999999 : (int)n;
}

int sip_msg_sdp(const osip_message_t *m, struct sip_sdp_media *out)
{
	osip_body_t *b = NULL;
	const osip_content_type_t *ct = m->content_type;

	if (!ct || !ct->type || !ct->subtype || strcasecmp(ct->type, "application") ||
	    strcasecmp(ct->subtype, "sdp"))
		return ENOENT;
	if (osip_message_get_body(m, 0, &b) < 0 || !b || !b->body || !b->length)
		return ENOENT;
	return sip_sdp_parse(b->body, b->length, out);
}

int sip_is_ip_literal(const char *h)
{
	unsigned char tmp[16];

	return h && (inet_pton(AF_INET, h, tmp) == 1 || inet_pton(AF_INET6, h, tmp) == 1);
}

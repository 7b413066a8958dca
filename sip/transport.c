/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The transport interface (transport.h): one transport object over an ops
 * table, and the address conversions every IP transport needs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sip/transport.h"

struct sip_transport {
	const struct sip_transport_ops *ops;
	struct loop *loop;
	struct sip_tp_handler h;
	void *impl;		/* the ops' own state once started */
	uint16_t port;
};

int sip_transport_new(struct loop *loop, const struct sip_transport_ops *ops,
		      const struct sip_tp_handler *h, struct sip_transport **out)
{
	struct sip_transport *tp;

	*out = NULL;
	if (!loop || !ops || !h || !h->recv)
		return EINVAL;
	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return ENOMEM;
	tp->ops = ops;
	tp->loop = loop;
	tp->h = *h;
	*out = tp;
	return 0;
}

int sip_transport_start(struct sip_transport *tp, const char *addr, uint16_t port)
{
	if (tp->impl)
		return EALREADY;
	return tp->ops->open(tp->loop, addr, port, &tp->h, &tp->impl, &tp->port);
}

int sip_transport_send(struct sip_transport *tp, const char *buf, size_t len, const char *host,
		       int port)
{
	struct sip_addr dst = { .kind = tp->ops->kind };

	if (!tp->impl)
		return ENOTCONN;
	if (!host || port < 0 || port > 65535 || strlen(host) >= sizeof(dst.host))
		return EINVAL;
	memcpy(dst.host, host, strlen(host) + 1);
	dst.port = (uint16_t)port;
	return tp->ops->send(tp->impl, buf, len, &dst);
}

uint16_t sip_transport_port(const struct sip_transport *tp)
{
	return tp->port;
}

const char *sip_transport_name(const struct sip_transport *tp)
{
	return tp->ops->name;
}

void sip_transport_free(struct sip_transport *tp)
{
	if (!tp)
		return;
	if (tp->impl)
		tp->ops->close(tp->impl);
	free(tp);
}

int sip_sockaddr_of(const char *host, int port, struct sockaddr_storage *ss, unsigned *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char tmp[64];
	size_t n;

	if (!host || port < 0 || port > 65535)
		return EINVAL;
	/* "[::1]" as written in a Via. */
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(tmp)) {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		host = tmp;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	return EHOSTUNREACH;	/* no DNS here */
}

void sip_addr_of_sockaddr(const struct sockaddr_storage *ss, enum sip_tp_kind kind,
			  struct sip_addr *out)
{
	out->kind = kind;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, out->host, sizeof(out->host));
		out->port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, out->host, sizeof(out->host));
		out->port = ntohs(s4->sin_port);
	}
}

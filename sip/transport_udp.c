/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SIP over UDP (RFC 3261 section 18): one non-blocking socket, IP literals
 * only; every datagram is one message. The transport_udp ops table.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sip/transport.h"

#define UDP_MAX_DGRAM 65536
#define UDP_BATCH 64		/* datagrams read before the UA runs */

struct udp {
	struct loop *loop;
	int fd;
	struct sip_tp_handler h;
	char rxbuf[UDP_MAX_DGRAM + 1];
};

static void on_readable(int fd, uint32_t events, void *arg)
{
	struct udp *u = arg;
	struct sip_addr src;
	int i;

	(void)events;
	for (i = 0; i < UDP_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(fd, u->rxbuf, UDP_MAX_DGRAM, 0, (struct sockaddr *)&ss, &sl);

		if (n < 0)
			break;
		sip_addr_of_sockaddr(&ss, SIP_TP_UDP, &src);
		u->rxbuf[n] = '\0';
		u->h.recv(u->h.arg, u->rxbuf, (size_t)n, &src);
	}
	if (u->h.idle)
		u->h.idle(u->h.arg);
}

static int udp_open(struct loop *loop, const char *addr, uint16_t port,
		    const struct sip_tp_handler *h, void **impl, uint16_t *bound)
{
	struct sockaddr_storage ss;
	unsigned len;
	socklen_t sl;
	struct udp *u;
	int sz = 4 << 20, err;

	if (sip_sockaddr_of(addr, port, &ss, &len))
		return EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return ENOMEM;
	u->loop = loop;
	u->h = *h;
	u->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		err = errno;
		goto out;
	}
	/* A burst of setups (16 E1s offer ~480/s, each several datagrams)
	 * must wait in the socket, not be dropped by it, while the loop is
	 * busy: 4 MB, beyond net.core.rmem_max when we may (CAP_NET_ADMIN). */
	if (setsockopt(u->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(u->fd, (struct sockaddr *)&ss, len) < 0) {
		err = errno;
		goto out;
	}
	sl = sizeof(ss);
	if (getsockname(u->fd, (struct sockaddr *)&ss, &sl) == 0)
		*bound = ntohs(ss.ss_family == AF_INET6 ?
			       ((struct sockaddr_in6 *)&ss)->sin6_port :
			       ((struct sockaddr_in *)&ss)->sin_port);
	err = loop_fd_add(loop, u->fd, EPOLLIN, on_readable, u);
	if (err)
		goto out;
	*impl = u;
	return 0;
out:
	if (u->fd >= 0)
		close(u->fd);
	free(u);
	return err;
}

static int udp_send(void *impl, const char *buf, size_t len, const struct sip_addr *dst)
{
	struct udp *u = impl;
	struct sockaddr_storage ss;
	unsigned sl;
	int err = sip_sockaddr_of(dst->host, dst->port, &ss, &sl);

	if (err)
		return err;
	if (sendto(u->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl) < 0)
		return errno;
	return 0;
}

static void udp_close(void *impl)
{
	struct udp *u = impl;

	loop_fd_del(u->loop, u->fd);
	close(u->fd);
	free(u);
}

const struct sip_transport_ops sip_transport_udp = {
	.name = "UDP",
	.kind = SIP_TP_UDP,
	.reliable = 0,
	.open = udp_open,
	.send = udp_send,
	.close = udp_close,
};

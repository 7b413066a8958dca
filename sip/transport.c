/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SIP over UDP (RFC 3261 section 18): one non-blocking socket, IP literals only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sip/sip_int.h"

static int sockaddr_of(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
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

int sip_udp_open(const char *addr, uint16_t port, int *fd_out, uint16_t *bound_port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	err = sockaddr_of(addr, port, &ss, &len);
	if (err)
		return EINVAL;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	/* A burst of setups (16 E1s offer ~480/s, each several datagrams)
	 * must wait in the socket, not be dropped by it, while the loop is
	 * busy: 4 MB, beyond net.core.rmem_max when we may (CAP_NET_ADMIN). */
	{
		int sz = 4 << 20;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		*bound_port = ntohs(ss.ss_family == AF_INET6 ?
				    ((struct sockaddr_in6 *)&ss)->sin6_port :
				    ((struct sockaddr_in *)&ss)->sin_port);
	*fd_out = fd;
	return 0;
}

int sip_udp_send(int fd, const char *buf, size_t len, const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int err = sockaddr_of(host, port, &ss, &slen);

	if (err)
		return err;
	if (sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, slen) < 0)
		return errno;
	return 0;
}

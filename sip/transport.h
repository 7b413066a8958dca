/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SIP transports (RFC 3261 section 18) behind one interface, internal to
 * sip/. A transport is an ops table: open (bind, and hand its descriptors
 * to the loop), send to an address, close; what it receives goes to one
 * handler with the source address and the transport kind. UDP is
 * transport_udp.c; TCP and TLS will be tables of their own (framing by
 * Content-Length, connections found by address) with nothing above this
 * header changing: the transaction (txn.c) and dialog code only ever see
 * struct sip_transport and struct sip_addr.
 */
#ifndef SIPGW_SIP_TRANSPORT_H
#define SIPGW_SIP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/loop.h"

enum sip_tp_kind { SIP_TP_UDP, SIP_TP_TCP, SIP_TP_TLS };

/* Where a message came from or goes to: an IP literal ("[::1]" allowed
 * for sending), a port, and how. */
struct sip_addr {
	char host[64];
	uint16_t port;
	enum sip_tp_kind kind;
};

/* What a transport delivers: recv once per message (one datagram, or one
 * framed message of a stream; buf is NUL-terminated after len bytes and
 * may be changed), idle once the transport read what it had (the UA runs
 * what those messages queued). */
struct sip_tp_handler {
	void (*recv)(void *arg, char *buf, size_t len, const struct sip_addr *src);
	void (*idle)(void *arg);
	void *arg;
};

struct sip_transport_ops {
	const char *name;		/* as in a Via: "UDP", "TCP", "TLS" */
	enum sip_tp_kind kind;
	int reliable;			/* RFC 3261 17.1.1.2: no retransmission timers */
	/* Bind addr:port (0: any), register with the loop; *bound is the
	 * port bound. 0 or an errno. */
	int (*open)(struct loop *loop, const char *addr, uint16_t port,
		    const struct sip_tp_handler *h, void **impl, uint16_t *bound);
	int (*send)(void *impl, const char *buf, size_t len, const struct sip_addr *dst);
	void (*close)(void *impl);
};

extern const struct sip_transport_ops sip_transport_udp;

struct sip_transport;

int sip_transport_new(struct loop *loop, const struct sip_transport_ops *ops,
		      const struct sip_tp_handler *h, struct sip_transport **out);
int sip_transport_start(struct sip_transport *tp, const char *addr, uint16_t port);
/* To host:port (an IP literal); 0 or an errno. */
int sip_transport_send(struct sip_transport *tp, const char *buf, size_t len, const char *host,
		       int port);
uint16_t sip_transport_port(const struct sip_transport *tp);
const char *sip_transport_name(const struct sip_transport *tp);
void sip_transport_free(struct sip_transport *tp);

struct sockaddr_storage;
/* An IP literal (or "[v6]") and port as a socket address; EHOSTUNREACH
 * for anything else (no DNS here). */
int sip_sockaddr_of(const char *host, int port, struct sockaddr_storage *ss, unsigned *len);
/* The other way, into a struct sip_addr of the given kind. */
void sip_addr_of_sockaddr(const struct sockaddr_storage *ss, enum sip_tp_kind kind,
			  struct sip_addr *out);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_rtp: RTP datagrams from the network through sip_rtp_recv() (RFC
 * 3550 header, CSRCs, extension, padding; RFC 4733 telephone-events).
 * The parsing is inside sip_rtp_recv(), which reads its socket itself, so
 * this file includes sip/rtp.c and swaps the stream's socket for one end
 * of an AF_UNIX datagram socketpair; the harness writes to the other end.
 * Input: byte 0 picks the negotiated payload types; the rest is a
 * sequence of datagrams, each a 16-bit big-endian length and the bytes.
 */
#include "sip/rtp.c"

#include <stdio.h>

static struct sip_rtp *rtp;
static int peer = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sv[2];

	(void)argc, (void)argv;
	log_open("fuzz", 0, 0);
	if (sip_rtp_new("127.0.0.1", 40000, 60000, &rtp) ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv)) {
		fprintf(stderr, "fuzz_rtp: cannot set up the stream\n");
		abort();
	}
	close(rtp->fd);
	rtp->fd = sv[0];
	peer = sv[1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int pts[][2] = { { 0, 101 }, { 8, 96 }, { 8, -1 }, { 0, 0 } };
	struct sip_rtp_packet pkt;
	size_t off = 1;
	uint8_t sink = 0;

	if (size < 1)
		return 0;
	/* a fresh stream state per input, as a new call has */
	rtp->rx_have_ev = rtp->rx_have_seq = 0;
	rtp->pt = pts[data[0] & 3][0];
	rtp->te_pt = pts[data[0] & 3][1];
	if (data[0] & 4)
		rtp->pt = -1;	/* before sip_rtp_set_remote */
	while (off + 2 <= size) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (n > size - off)
			n = size - off;
		if (send(peer, data + off, n, 0) < 0)
			abort();
		off += n;
		if (sip_rtp_recv(rtp, &pkt) != 0)
			abort();	/* it was sent: it must be read */
		/* the payload must lie inside the receive buffer */
		if (pkt.kind == SIP_RTP_AUDIO) {
			if (pkt.payload < rtp->buf || pkt.payload + pkt.len > rtp->buf + sizeof(rtp->buf))
				abort();
			for (size_t i = 0; i < pkt.len; i++)
				sink ^= pkt.payload[i];
		}
	}
	/* nothing left: EAGAIN */
	if (sip_rtp_recv(rtp, &pkt) != EAGAIN)
		abort();
	(void)sink;
	return 0;
}

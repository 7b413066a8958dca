/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sip/rtp: RFC 3550 framing and RFC 4733 telephone-events on loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sip/rtp.h"
#include "tests/unit/tap.h"

static FILE *open_data(const char *name)
{
	char path[1024];
	const char *dir = getenv("SIPGW_TESTDATA");

	if (dir)
		snprintf(path, sizeof(path), "%s/rfc4733/%s", dir, name);
	else
		snprintf(path, sizeof(path), "%s/tests/data/standards/rfc4733/%s", SRCDIR, name);
	return fopen(path, "r");
}

/* Raw receiver to look at the bytes. */
static int raw_sock(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &l);
	*port = ntohs(sa.sin_port);
	return fd;
}

static int raw_recv(int fd, uint8_t *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 500) != 1)
		return -1;
	return (int)recv(fd, buf, len, 0);
}

struct hdr {
	int marker, pt;
	uint16_t seq;
	uint32_t ts, ssrc;
};

static void parse_hdr(const uint8_t *b, struct hdr *h)
{
	h->marker = b[1] >> 7;
	h->pt = b[1] & 0x7f;
	h->seq = (uint16_t)(b[2] << 8 | b[3]);
	h->ts = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	h->ssrc = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
}

/* Field layout from telephone_event_payload.tsv: name -> bit offset, width. */
struct field { char name[64]; int off, bits; };
static struct field fields[8];
static int nfields;

static int field(const char *name, const uint8_t *pl)
{
	int i, v = 0, b;

	for (i = 0; i < nfields; i++) {
		if (strcmp(fields[i].name, name))
			continue;
		for (b = 0; b < fields[i].bits; b++) {
			int bit = fields[i].off + b;

			v = v << 1 | ((pl[bit / 8] >> (7 - bit % 8)) & 1);
		}
		return v;
	}
	return -1;
}

static int load_layout(void)
{
	FILE *f = open_data("telephone_event_payload.tsv");
	char line[1024];
	int off = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		int bits;

		if (sscanf(line, "%63[^\t]\t%d\t", name, &bits) != 2 || nfields == 8)
			continue;	/* header, or rows without a bit width */
		snprintf(fields[nfields].name, sizeof(fields[nfields].name), "%s", name);
		fields[nfields].off = off;
		fields[nfields].bits = bits;
		off += bits;
		nfields++;
	}
	fclose(f);
	return off;
}

static int recv_all(struct sip_rtp *r, int *digits, char *last, int *audio)
{
	struct sip_rtp_packet pkt;
	struct pollfd p = { .fd = sip_rtp_fd(r), .events = POLLIN };
	int n = 0;

	while (poll(&p, 1, 100) == 1) {
		while (sip_rtp_recv(r, &pkt) == 0) {
			n++;
			if (pkt.kind == SIP_RTP_DIGIT) {
				(*digits)++;
				*last = pkt.digit;
			} else if (pkt.kind == SIP_RTP_AUDIO) {
				(*audio)++;
			}
		}
	}
	return n;
}

int main(void)
{
	struct sip_rtp *a = NULL, *b = NULL;
	struct sip_rtp_packet pkt;
	struct sip_rtp_stats st;
	uint8_t frame[160], buf[1500];
	struct hdr h[12];
	uint16_t rport;
	int rfd, i, n, ok, digits = 0, audio = 0;
	char last = 0;

	memset(frame, 0xd5, sizeof(frame));
	TAP_OK(sip_rtp_new("127.0.0.1", 30001, 30100, &a) == 0, "sip_rtp_new binds");
	TAP_OK(a && sip_rtp_port(a) % 2 == 0 && sip_rtp_port(a) >= 30002 && sip_rtp_port(a) <= 30100,
	       "RFC 3550 section 11: even RTP port inside the range");
	TAP_OK(sip_rtp_new("127.0.0.1", 30001, 30100, &b) == 0 && sip_rtp_port(b) != sip_rtp_port(a),
	       "second sip_rtp gets another port");
	TAP_OK(sip_rtp_recv(b, &pkt) == EAGAIN, "sip_rtp_recv: EAGAIN when nothing waits (non-blocking)");
	TAP_OK(sip_rtp_send_audio(a, frame, 160) == ENOTCONN, "send before set_remote -> ENOTCONN");

	rfd = raw_sock(&rport);
	sip_rtp_set_remote(a, "127.0.0.1", rport, 8, 101);
	for (i = 0; i < 3; i++)
		sip_rtp_send_audio(a, frame, 160);
	for (i = 0, ok = 1; i < 3; i++) {
		n = raw_recv(rfd, buf, sizeof(buf));
		ok &= n == 172 && (buf[0] >> 6) == 2;
		parse_hdr(buf, &h[i]);
	}
	TAP_OK(ok, "RFC 3550 section 5.1: version 2, 12-byte header + 160 bytes of G.711");
	TAP_OK(h[0].pt == 8 && h[0].marker && !h[1].marker && !h[2].marker,
	       "RFC 3551 section 4.1: marker on the first packet only, PT 8");
	TAP_OK((uint16_t)(h[1].seq - h[0].seq) == 1 && (uint16_t)(h[2].seq - h[1].seq) == 1,
	       "RFC 3550 section 5.1: sequence numbers increase by one");
	TAP_OK(h[1].ts - h[0].ts == 160 && h[2].ts - h[1].ts == 160,
	       "RFC 3551 section 4.5.14: 160 samples per 20 ms frame");
	sip_rtp_stats(a, &st);
	TAP_OK(h[0].ssrc == st.ssrc && h[2].ssrc == st.ssrc && st.tx_packets == 3,
	       "RFC 3550 section 8: one SSRC; stats count packets");

	/* RFC 4733 sending. */
	TAP_OK(load_layout() == 32 && nfields == 5, "RFC 4733 section 2.3: payload layout file read (32 bits, 5 fields)");
	TAP_OK(sip_rtp_dtmf_begin(a, '5') == 0, "dtmf_begin '5'");
	for (i = 0; i < 3; i++)
		sip_rtp_send_audio(a, frame, 160);
	sip_rtp_dtmf_end(a);
	sip_rtp_send_audio(a, frame, 160);
	{
		uint8_t pl[6][4];
		int lens[7];

		for (i = 0, ok = 1; i < 7; i++) {
			lens[i] = raw_recv(rfd, buf, sizeof(buf));
			parse_hdr(buf, &h[3 + i]);
			if (i < 6)
				memcpy(pl[i], buf + 12, 4);
		}
		for (i = 0; i < 6; i++)
			ok &= lens[i] == 16 && h[3 + i].pt == 101;
		TAP_OK(ok, "RFC 4733 section 2.3: event packets carry 4 bytes with the telephone-event PT");
		TAP_OK(h[3].marker && !h[4].marker && !h[5].marker && !h[6].marker,
		       "RFC 4733 section 2.2.2: marker on the first packet of the event only");
		for (i = 4, ok = 1; i < 9; i++)
			ok &= h[i].ts == h[3].ts;
		TAP_OK(ok && h[3].ts == h[2].ts + 160,
		       "RFC 4733 section 2.2.1: all packets share the event start timestamp");
		for (i = 0, ok = 1; i < 6; i++)
			ok &= field("event", pl[i]) == 5 && field("R", pl[i]) == 0 && field("volume", pl[i]) == 10;
		TAP_OK(ok, "RFC 4733 sections 2.3.1, 2.3.3, 2.3.4: event 5, R 0, volume 10");
		TAP_OK(field("duration", pl[0]) == 160 && field("duration", pl[1]) == 320 &&
		       field("duration", pl[2]) == 480 && !field("E", pl[0]) && !field("E", pl[2]),
		       "RFC 4733 section 2.5.1.3: duration grows by 160 per packet, E clear while it lasts");
		TAP_OK(field("E", pl[3]) && field("E", pl[4]) && field("E", pl[5]) &&
		       field("duration", pl[3]) == 480 && field("duration", pl[5]) == 480,
		       "RFC 4733 section 2.5.1.4: three end packets with E and the final duration");
		for (i = 4, ok = 1; i < 10; i++)
			ok &= (uint16_t)(h[i].seq - h[i - 1].seq) == 1;
		TAP_OK(ok, "RFC 4733 section 2.5.1.4: every packet, end retransmissions too, gets a new sequence number");
		TAP_OK(lens[6] == 172 && h[9].pt == 8 && !h[9].marker && h[9].ts == h[3].ts + 480,
		       "RFC 4733 section 2.5.1.1: audio resumes with the timestamp continuing");
	}
	/* Event codes from telephone_event_codes.tsv. */
	{
		FILE *f = open_data("telephone_event_codes.tsv");
		char line[512], sym[16];
		int code, rows = 0, good = 0;

		TAP_OK(f != NULL, "RFC 4733 section 3.2: event code table present");
		while (f && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%15[^\t]\t%d", sym, &code) != 2 || strlen(sym) != 1)
				continue;
			rows++;
			if (sip_rtp_dtmf_begin(a, sym[0]) == 0) {
				sip_rtp_send_audio(a, frame, 160);
				n = raw_recv(rfd, buf, sizeof(buf));
				if (n == 16 && field("event", buf + 12) == code)
					good++;
				sip_rtp_dtmf_end(a);
				for (i = 0; i < 3; i++)
					raw_recv(rfd, buf, sizeof(buf));
			}
		}
		if (f)
			fclose(f);
		TAP_OK(rows == 16 && good == rows, "RFC 4733 section 3.2 Table 3: 0-9 * # A-D sent with their event codes (%d/%d)", good, rows);
	}
	TAP_OK(sip_rtp_dtmf_begin(a, 'x') == EINVAL, "dtmf_begin: unknown digit -> EINVAL");

	/* Receiving: b hears a. */
	sip_rtp_set_remote(a, "127.0.0.1", sip_rtp_port(b), 8, 101);
	sip_rtp_set_remote(b, "127.0.0.1", sip_rtp_port(a), 8, 101);
	sip_rtp_send_audio(a, frame, 160);
	sip_rtp_dtmf_begin(a, '#');
	for (i = 0; i < 5; i++)
		sip_rtp_send_audio(a, frame, 160);
	sip_rtp_dtmf_end(a);
	sip_rtp_send_audio(a, frame, 160);
	n = recv_all(b, &digits, &last, &audio);
	TAP_OK(n == 10, "RFC 3550: 10 packets received");
	TAP_OK(digits == 1 && last == '#', "RFC 4733 section 2.5.2: digit reported exactly once despite updates and 3 end packets");
	TAP_OK(audio == 2, "RFC 3550: audio packets reported as audio");
	/* Same event again (retransmitted end, same timestamp): nothing new. */
	sip_rtp_dtmf_begin(a, '1');
	sip_rtp_send_audio(a, frame, 160);
	sip_rtp_dtmf_end(a);
	digits = 0;
	recv_all(b, &digits, &last, &audio);
	TAP_OK(digits == 1 && last == '1', "RFC 4733 section 2.5.2: a new event (new timestamp) is a new digit");

	/* Bad packets. */
	{
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(sip_rtp_port(b)) };
		uint8_t bad[3][20] = { { 0x40, 8 }, { 0x80, 8 }, { 0x80, 99 } };
		size_t blen[3] = { 20, 5, 20 };
		uint8_t pad[16] = { 0xa0, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 200 };
		uint8_t ext[16] = { 0x90, 8, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9 };
		struct sip_rtp_stats bs;

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		for (i = 0; i < 3; i++)
			sendto(rfd, bad[i], blen[i], 0, (struct sockaddr *)&sa, sizeof(sa));
		sendto(rfd, pad, sizeof(pad), 0, (struct sockaddr *)&sa, sizeof(sa));
		sendto(rfd, ext, sizeof(ext), 0, (struct sockaddr *)&sa, sizeof(sa));
		digits = audio = 0;
		recv_all(b, &digits, &last, &audio);
		sip_rtp_stats(b, &bs);
		TAP_OK(bs.rx_bad == 5 && audio == 0 && digits == 0,
		       "RFC 3550 section 5.1: version 1, short packet, unknown PT, bad padding, overlong extension -> rx_bad (%llu)",
		       (unsigned long long)bs.rx_bad);
	}
	{
		/* CSRC + extension + padding, valid. */
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(sip_rtp_port(b)) };
		uint8_t p[12 + 4 + 8 + 160 + 4];

		memset(p, 0, sizeof(p));
		p[0] = 0x80 | 0x20 | 0x10 | 1;
		p[1] = 8;
		p[3] = 7;
		p[16 + 2] = 0;
		p[16 + 3] = 1;	/* extension: one word */
		p[sizeof(p) - 1] = 4;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sendto(rfd, p, sizeof(p), 0, (struct sockaddr *)&sa, sizeof(sa));
		usleep(20000);
		TAP_OK(sip_rtp_recv(b, &pkt) == 0 && pkt.kind == SIP_RTP_AUDIO && pkt.len == 160 &&
		       pkt.seq == 7, "RFC 3550 section 5.1/5.3.1: CSRC, extension and padding skipped (160 bytes left)");
	}
	close(rfd);
	sip_rtp_free(a);
	sip_rtp_free(b);
	sip_rtp_free(NULL);
	return TAP_DONE();
}

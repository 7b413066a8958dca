/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RTP (RFC 3550) for one G.711 stream plus RFC 4733 telephone-events.
 * No globals: created in one thread, then used by exactly one other.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "sip/rtp.h"

#define RTP_HDR 12
#define RTP_MAX 1500
#define TE_VOLUME 10		/* -10 dBm0 */
#define TE_END_PACKETS 3	/* RFC 4733 section 2.5.1.4 */

enum te_state { TE_IDLE, TE_ACTIVE };

struct sip_rtp {
	int fd;
	uint16_t port;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	int pt, te_pt;
	/* sending */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;		/* timestamp of the next audio frame */
	int sent_any;
	enum te_state te;
	uint8_t te_event;
	uint32_t te_ts;		/* RFC 4733 section 2.2.1: event start */
	uint32_t te_dur;
	int te_sent;		/* packets of this event sent so far */
	/* receiving */
	int rx_have_ev;
	uint32_t rx_ev_ts;
	int rx_have_seq;
	uint16_t rx_seq;
	uint8_t buf[RTP_MAX];
	struct sip_rtp_stats st;
};

static uint32_t rnd32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint32_t)(uintptr_t)&v ^ (uint32_t)getpid();
	return v;
}

static int to_sockaddr(const char *addr, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return EINVAL;
}

int sip_rtp_new(const char *addr, uint16_t port_min, uint16_t port_max, struct sip_rtp **out)
{
	struct sip_rtp *r;
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned span, i, first;
	int err = EINVAL;

	*out = NULL;
	if (!addr || port_max < port_min)
		return EINVAL;
	if (to_sockaddr(addr, 0, &ss, &len))
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->pt = -1;
	r->te_pt = -1;
	r->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		err = errno;
		goto out;
	}
	port_min = (uint16_t)((port_min + 1u) & ~1u);
	span = port_max >= port_min ? (unsigned)(port_max - port_min) / 2 + 1 : 0;
	first = span ? rnd32() % span : 0;
	err = EADDRINUSE;
	for (i = 0; i < span; i++) {
		uint16_t p = (uint16_t)(port_min + 2 * ((first + i) % span));

		to_sockaddr(addr, p, &ss, &len);
		if (bind(r->fd, (struct sockaddr *)&ss, len) == 0) {
			r->port = p;
			err = 0;
			break;
		}
		if (errno != EADDRINUSE && errno != EACCES) {
			err = errno;
			break;
		}
	}
	if (err)
		goto out;
	/* RFC 3550 section 5.1: random SSRC, sequence and timestamp bases. */
	r->ssrc = rnd32();
	r->seq = (uint16_t)rnd32();
	r->ts = rnd32();
	r->st.ssrc = r->ssrc;
	*out = r;
	return 0;
out:
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	return err;
}

void sip_rtp_free(struct sip_rtp *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

uint16_t sip_rtp_port(const struct sip_rtp *r)
{
	return r->port;
}

int sip_rtp_fd(const struct sip_rtp *r)
{
	return r->fd;
}

int sip_rtp_set_remote(struct sip_rtp *r, const char *addr, uint16_t port, int pt, int te_pt)
{
	if (!addr || pt < 0 || pt > 127 || te_pt > 127)
		return EINVAL;
	if (to_sockaddr(addr, port, &r->remote, &r->remote_len))
		return EINVAL;
	r->pt = pt;
	r->te_pt = te_pt;
	return 0;
}

static int send_pkt(struct sip_rtp *r, int pt, int marker, uint32_t ts, const uint8_t *pl, size_t n)
{
	uint8_t pkt[RTP_MAX];

	if (!r->remote_len)
		return ENOTCONN;
	if (n > sizeof(pkt) - RTP_HDR)
		return EMSGSIZE;
	pkt[0] = 0x80;
	pkt[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
	pkt[2] = (uint8_t)(r->seq >> 8);
	pkt[3] = (uint8_t)r->seq;
	pkt[4] = (uint8_t)(ts >> 24);
	pkt[5] = (uint8_t)(ts >> 16);
	pkt[6] = (uint8_t)(ts >> 8);
	pkt[7] = (uint8_t)ts;
	pkt[8] = (uint8_t)(r->ssrc >> 24);
	pkt[9] = (uint8_t)(r->ssrc >> 16);
	pkt[10] = (uint8_t)(r->ssrc >> 8);
	pkt[11] = (uint8_t)r->ssrc;
	memcpy(pkt + RTP_HDR, pl, n);
	r->seq++;
	if (sendto(r->fd, pkt, RTP_HDR + n, MSG_DONTWAIT, (struct sockaddr *)&r->remote,
		   r->remote_len) < 0)
		return errno;
	r->st.tx_packets++;
	return 0;
}

/* RFC 4733 section 2.3: event, E|R|volume, 16-bit duration. */
static int send_event(struct sip_rtp *r, int end)
{
	uint8_t pl[4];
	int marker = r->te_sent == 0;	/* section 2.2.2: first packet only */

	pl[0] = r->te_event;
	pl[1] = (uint8_t)((end ? 0x80 : 0) | TE_VOLUME);
	pl[2] = (uint8_t)(r->te_dur >> 8);
	pl[3] = (uint8_t)r->te_dur;
	r->te_sent++;
	return send_pkt(r, r->te_pt, marker, r->te_ts, pl, sizeof(pl));
}

int sip_rtp_send_audio(struct sip_rtp *r, const uint8_t *payload, size_t n)
{
	int err;

	if (r->pt < 0)
		return ENOTCONN;
	if (r->te == TE_ACTIVE) {
		/* Section 2.5.1.3: the duration covers the event so far; long
		 * events are capped at the 16-bit maximum. */
		r->te_dur = r->te_dur + n > 0xffff ? 0xffff : r->te_dur + (uint32_t)n;
		err = send_event(r, 0);
	} else {
		err = send_pkt(r, r->pt, !r->sent_any, r->ts, payload, n);
		r->sent_any = 1;
	}
	r->ts += (uint32_t)n;
	return err;
}

static int digit_event(char d)
{
	if (d >= '0' && d <= '9')
		return d - '0';
	switch (d) {
	case '*': return 10;
	case '#': return 11;
	case 'A': case 'a': return 12;
	case 'B': case 'b': return 13;
	case 'C': case 'c': return 14;
	case 'D': case 'd': return 15;
	case '!': return 16;	/* hook flash */
	default: return -1;
	}
}

static char event_digit(int e)
{
	static const char map[] = "0123456789*#ABCD!";

	return e >= 0 && e <= 16 ? map[e] : '\0';
}

int sip_rtp_dtmf_begin(struct sip_rtp *r, char digit)
{
	int e = digit_event(digit);

	if (e < 0)
		return EINVAL;
	if (r->te_pt < 0)
		return ENOTSUP;
	if (r->te == TE_ACTIVE)
		sip_rtp_dtmf_end(r);
	r->te = TE_ACTIVE;
	r->te_event = (uint8_t)e;
	r->te_ts = r->ts;
	r->te_dur = 0;
	r->te_sent = 0;
	return 0;
}

int sip_rtp_dtmf_end(struct sip_rtp *r)
{
	int i, err = 0;

	if (r->te != TE_ACTIVE)
		return EINVAL;
	if (!r->te_dur) {
		/* Ended before any packet went out: one frame's worth. */
		r->te_dur = 160;
		r->ts += 160;
	}
	for (i = 0; i < TE_END_PACKETS; i++) {
		int e = send_event(r, 1);

		if (e && !err)
			err = e;
	}
	r->te = TE_IDLE;
	return err;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sip_rtp_recv(struct sip_rtp *r, struct sip_rtp_packet *pkt)
{
	ssize_t n;
	size_t len, off, end;
	const uint8_t *b = r->buf;
	int pt;

	memset(pkt, 0, sizeof(*pkt));
	n = recv(r->fd, r->buf, sizeof(r->buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? EAGAIN : errno;
	len = (size_t)n;
	r->st.rx_packets++;
	/* RFC 3550 section 5.1: version 2, CSRCs, extension, padding. */
	if (len < RTP_HDR || (b[0] >> 6) != 2)
		goto bad;
	off = RTP_HDR + 4u * (b[0] & 0x0f);
	if (b[0] & 0x10) {
		if (off + 4 > len)
			goto bad;
		off += 4 + 4u * ((size_t)b[off + 2] << 8 | b[off + 3]);
	}
	end = len;
	if (b[0] & 0x20) {
		if (!b[len - 1] || b[len - 1] > len)
			goto bad;
		end = len - b[len - 1];
	}
	if (off > end)
		goto bad;
	pt = b[1] & 0x7f;
	pkt->pt = pt;
	pkt->seq = (uint16_t)(b[2] << 8 | b[3]);
	pkt->ts = rd32(b + 4);
	pkt->payload = b + off;
	pkt->len = end - off;
	if (r->rx_have_seq) {
		uint16_t gap = (uint16_t)(pkt->seq - (uint16_t)(r->rx_seq + 1));

		if (gap && gap < 3000)
			r->st.rx_lost += gap;
	}
	if (!r->rx_have_seq || (int16_t)(pkt->seq - r->rx_seq) > 0) {
		r->rx_seq = pkt->seq;
		r->rx_have_seq = 1;
	}
	if (r->te_pt >= 0 && pt == r->te_pt) {
		char d;

		if (pkt->len < 4)
			goto bad;
		d = event_digit(pkt->payload[0]);
		pkt->duration_ms = ((pkt->payload[2] << 8) | pkt->payload[3]) / 8;
		/* RFC 4733 section 2.5.2: one event per timestamp; updates,
		 * retransmissions and end packets add nothing. */
		if (!d || (r->rx_have_ev && r->rx_ev_ts == pkt->ts)) {
			pkt->kind = SIP_RTP_NONE;
			return 0;
		}
		r->rx_have_ev = 1;
		r->rx_ev_ts = pkt->ts;
		pkt->kind = SIP_RTP_DIGIT;
		pkt->digit = d;
		return 0;
	}
	if (pt == r->pt || (r->pt < 0 && (pt == 0 || pt == 8))) {
		pkt->kind = SIP_RTP_AUDIO;
		return 0;
	}
bad:
	r->st.rx_bad++;
	memset(pkt, 0, sizeof(*pkt));
	pkt->kind = SIP_RTP_NONE;
	return 0;
}

void sip_rtp_stats(const struct sip_rtp *r, struct sip_rtp_stats *st)
{
	*st = r->st;
}

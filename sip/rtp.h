/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RTP (RFC 3550) for one audio stream, with RFC 4733 telephone-events.
 * Created in the control thread (so the port is known for SDP), then handed
 * to one media worker which alone uses it until it frees it.
 */
#ifndef SIPGW_SIP_RTP_H
#define SIPGW_SIP_RTP_H

#include <stddef.h>
#include <stdint.h>

struct sip_rtp;

/* Bind a UDP socket on an even port in [port_min, port_max]. */
int sip_rtp_new(const char *addr, uint16_t port_min, uint16_t port_max, struct sip_rtp **out);
void sip_rtp_free(struct sip_rtp *r);
uint16_t sip_rtp_port(const struct sip_rtp *r);
int sip_rtp_fd(const struct sip_rtp *r);

/* Where to send, and which payload types: pt for audio, te_pt for
 * telephone-event (-1 none). Packets are accepted from any source. */
int sip_rtp_set_remote(struct sip_rtp *r, const char *addr, uint16_t port, int pt, int te_pt);

/*
 * Send one frame of audio (n bytes of payload = n samples of G.711).
 * While a telephone-event is in progress the frame is replaced by the
 * event's packet (RFC 4733 section 2.5: updates every packet, duration
 * growing, and three end packets when it ends).
 */
int sip_rtp_send_audio(struct sip_rtp *r, const uint8_t *payload, size_t n);
/* Begin / end a telephone-event (digit '0'-'9', '*', '#', 'A'-'D'). */
int sip_rtp_dtmf_begin(struct sip_rtp *r, char digit);
int sip_rtp_dtmf_end(struct sip_rtp *r);

enum sip_rtp_kind { SIP_RTP_NONE, SIP_RTP_AUDIO, SIP_RTP_DIGIT };

struct sip_rtp_packet {
	enum sip_rtp_kind kind;
	int pt;
	uint16_t seq;
	uint32_t ts;
	const uint8_t *payload;	/* audio: points into the receive buffer */
	size_t len;
	char digit;		/* SIP_RTP_DIGIT: reported once per event */
	int duration_ms;	/* SIP_RTP_DIGIT: duration so far */
};

/*
 * Read one datagram (non-blocking). 0 with pkt filled, EAGAIN when nothing
 * is waiting. A telephone-event is reported as SIP_RTP_DIGIT exactly once,
 * on its first packet (retransmissions and end packets give SIP_RTP_NONE).
 */
int sip_rtp_recv(struct sip_rtp *r, struct sip_rtp_packet *pkt);

struct sip_rtp_stats {
	uint64_t tx_packets, rx_packets, rx_bad, rx_lost;
	uint32_t ssrc;
};
void sip_rtp_stats(const struct sip_rtp *r, struct sip_rtp_stats *st);

#endif

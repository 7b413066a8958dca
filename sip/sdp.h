/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SDP offer/answer (RFC 3264, RFC 4566) for one audio stream. Pure functions. */
#ifndef SIPGW_SIP_SDP_H
#define SIPGW_SIP_SDP_H

#include <stddef.h>
#include <stdint.h>

#define SIP_SDP_PT_PCMU 0
#define SIP_SDP_PT_PCMA 8
#define SIP_SDP_MAX_PTS 8

enum sip_sdp_dir { SIP_SDP_SENDRECV, SIP_SDP_SENDONLY, SIP_SDP_RECVONLY, SIP_SDP_INACTIVE };

struct sip_sdp_media {
	char addr[64];		/* connection address (IPv4/IPv6 literal) */
	uint16_t port;		/* 0 = stream rejected */
	int pts[SIP_SDP_MAX_PTS];	/* audio payload types, preference order */
	size_t npts;
	int te_pt;		/* telephone-event payload type, -1 = none */
	int ptime;		/* ms, 0 = not given */
	enum sip_sdp_dir dir;
	uint32_t sess_id, sess_version;
};

/*
 * What we offer: the one place that builds offers and answers, with
 * telephone-event and ptime; the codecs are the caller's (dsp/'s list,
 * through gw/), the values from the config.
 */
struct sip_sdp_local {
	const char *addr;	/* our RTP address */
	uint16_t port;
	const int *pts;		/* the audio payload types we have; SDP names */
	size_t npts;		/* the static ones of RFC 3551 */
	int first_pt;		/* offered first: the card's law (SIP_SDP_PT_PCMA/PCMU) */
	int te_pt;		/* telephone-event payload type (96-127), -1 = none */
	int ptime;		/* ms, the card's chunk; 0 = RFC 3551's default 20 */
	uint32_t sess_id, sess_version;
};
/* Our offer (RFC 3264 section 5.1): every codec of l->pts, first_pt first,
 * telephone-event 0-16, ptime, sendrecv. Also what sip_sdp_negotiate() takes
 * as `ours`. */
void sip_sdp_offer(const struct sip_sdp_local *l, struct sip_sdp_media *out);
/* Our offer's answer (RFC 3264 section 7): the audio payload type it
 * chose (its first one that we offered) and its telephone-event type (-1
 * when either side has none). 0, or ENOTSUP when it chose none of ours. */
int sip_sdp_answer_choice(const struct sip_sdp_media *offer, const struct sip_sdp_media *answer,
			  int *pt, int *te_pt);

/* Write an SDP body into buf (size len); 0 or errno (ENOSPC). */
int sip_sdp_build(const struct sip_sdp_media *m, char *buf, size_t len);
/* Parse an SDP body; 0 or EINVAL (no usable audio stream). */
int sip_sdp_parse(const char *body, size_t len, struct sip_sdp_media *out);
/*
 * Answer an offer: pick the first of the offer's audio payload types that we
 * support (ours, in our preference order when the offer allows), keep
 * telephone-event if both have it. Our address/port go into answer.
 * 0, or ENOTSUP when no codec in common (488).
 */
int sip_sdp_negotiate(const struct sip_sdp_media *offer, const struct sip_sdp_media *ours,
		  struct sip_sdp_media *answer);

#endif

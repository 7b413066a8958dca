/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A gw call's media: our SDP offer or answer (payload types, telephone-event,
 * ptime), the RTP port, and handing the channel to a media worker toward the
 * far end's SDP. The call's machine (call.c) says when; this says how.
 */
#include <string.h>

#include "dsp/dsp.h"
#include "gw/call_int.h"
#include "gw/media.h"
#include "lib/log.h"
#include "lib/str.h"
#include "sip/rtp.h"
#include "sip/sdp.h"

/* Our SDP (sip/sdp.c's offer): the codecs dsp/ implements, the card's law
 * first, telephone-event and ptime from the config. */
void local_sdp(struct gw_call *c, struct sip_sdp_media *m)
{
	const struct cfg_general *g = &c->gw->cfg->general;
	int alaw = !c->span || c->span->cfg->law == CFG_LAW_ALAW;
	int pts[SIP_SDP_MAX_PTS];
	struct sip_sdp_local l = {
		.addr = g->rtp_address[0] ? g->rtp_address : g->sip_address,
		.port = sip_rtp_port(c->rtp),
		.pts = pts,
		.npts = dsp_codec_pts(pts, SIP_SDP_MAX_PTS),
		.first_pt = alaw ? SIP_SDP_PT_PCMA : SIP_SDP_PT_PCMU,
		.te_pt = g->telephone_event_pt,
		.ptime = c->span ? c->span->cfg->chunk_ms : 0,
		.sess_id = c->id + 1000,
		.sess_version = 1,
	};

	sip_sdp_offer(&l, m);
}

int rtp_alloc(struct gw_call *c)
{
	const struct cfg_general *g = &c->gw->cfg->general;
	const char *addr = g->rtp_address[0] ? g->rtp_address : g->sip_address;

	return sip_rtp_new(addr, g->rtp_port_min, g->rtp_port_max, &c->rtp);
}

/* Start media (or update it) toward the remote SDP. */
void media_to(struct gw_call *c, const struct sip_sdp_media *remote, int pt, int te_pt)
{
	struct gw_media_params p;
	const struct cfg_span *live = cfg_span_by_id(c->gw->cfg, c->span->cfg->id);

	if (!live)
		live = c->span->cfg;
	memset(&p, 0, sizeof(p));
	p.span_id = c->span->cfg->id;
	p.chan = c->chan;
	str_copy(p.remote_addr, remote->addr, sizeof(p.remote_addr));
	p.remote_port = remote->port;
	p.pt = pt;
	p.te_pt = te_pt;
	p.echo_cancel = live->echo_cancel;
	p.echo_tail_ms = live->echo_tail_ms;
	p.user = c;	/* its events come back with it: no walk over the calls */
	c->pt = pt;
	c->te_pt = te_pt;
	if (c->media_on) {
		gw_media_chan_update(c->gw->media, &c->stream, &p);
		return;
	}
	p.rtp = c->rtp;
	c->rtp = NULL; /* the worker's now */
	if (gw_media_chan_start(c->gw->media, &p, &c->stream) == 0)
		c->media_on = 1;
	else
		call_log(c, LOG_LVL_ERR, "media could not start");
}

/* Media from an SDP answer to our offer. */
void media_from_answer(struct gw_call *c, const struct sip_sdp_media *sdp)
{
	int pt, te_pt;

	if (!sdp || !sdp->port)
		return;
	if (sip_sdp_answer_choice(&c->local, sdp, &pt, &te_pt)) {
		call_log(c, LOG_LVL_WARN, "SDP answer has none of the codecs we offered: no media");
		return;
	}
	media_to(c, sdp, pt, te_pt);
}


/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The initial INVITE of a call: ours built (RFC 3261 section 8.1.1), the
 * peer's read into what gw/ learns (struct sip_invite_info), and our
 * responses to an INVITE or re-INVITE (section 12.1.1: Contact,
 * Record-Route, the SDP).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sip/sip_int.h"

/* A response of ours to req (the INVITE or a re-INVITE): a 1xx/2xx carries
 * Contact, Allow, the SDP when given, and copies Record-Route when it
 * creates the dialog (RFC 3261 section 12.1.1). */
int sip_dialog_build_response(struct sip_call *c, const osip_message_t *req, int code,
			      const struct sip_sdp_media *sdp, int q850, osip_message_t **out)
{
	osip_message_t *r = NULL;
	char contact[128];

	*out = NULL;
	if (sip_ua_build_response(c->ua, req, code, c->local_tag, &r))
		return ENOMEM;
	if (code < 300) {
		sip_contact_of(c->ua, contact, sizeof(contact));
		osip_message_set_contact(r, contact);
		if (req == c->invite)
			osip_list_clone(&req->record_routes, &r->record_routes, sip_name_addr_clone);
		osip_message_set_allow(r, SIP_ALLOW);
		if (sdp && sip_add_sdp(r, sdp)) {
			osip_message_free(r);
			return ENOSPC;
		}
	}
	sip_add_reason(r, q850);
	*out = r;
	return 0;
}

static char *uri_str(const osip_uri_t *u)
{
	char *s = NULL;

	if (!u || osip_uri_to_str(u, &s))
		return NULL;
	return s;
}

/* What gw/ learns of an incoming INVITE; free own[0..2] with osip_free. */
void sip_dialog_invite_info(struct sip_call *c, const osip_message_t *invite,
			    struct sip_invite_info *info, char *own[3], char *display, size_t dlen)
{
	memset(info, 0, sizeof(*info));
	own[0] = uri_str(invite->req_uri);
	own[1] = uri_str(invite->from->url);
	own[2] = uri_str(invite->to->url);
	info->request_uri = own[0] ? own[0] : "";
	info->ruri_user = invite->req_uri->username ? invite->req_uri->username : "";
	info->from_uri = own[1] ? own[1] : "";
	info->from_user = invite->from->url->username ? invite->from->url->username : "";
	info->from_display = NULL;
	if (invite->from->displayname && dlen) {
		const char *dn = invite->from->displayname;
		size_t n = strlen(dn);

		if (n >= 2 && dn[0] == '"' && dn[n - 1] == '"') {
			dn++;
			n -= 2;
		}
		if (n >= dlen)
			n = dlen - 1;
		memcpy(display, dn, n);
		display[n] = '\0';
		info->from_display = display;
	}
	info->to_uri = own[2] ? own[2] : "";
	info->call_id = c->call_id;
	snprintf(info->src_addr, sizeof(info->src_addr), "%s", c->ua->src.host);
	info->src_port = c->ua->src.port;
	info->sdp_error = sip_msg_sdp(invite, &info->offer);
	info->has_sdp = info->sdp_error == 0;
	if (info->has_sdp)
		c->remote_dir = info->offer.dir;
}

/* A From or To value: a bare URI goes in angle brackets, so that its own
 * parameters (";user=phone") stay the URI's (RFC 3261 section 20.10). */
static void name_addr(const char *uri, char *out, size_t len)
{
	if (strchr(uri, '<'))
		snprintf(out, len, "%s", uri);
	else
		snprintf(out, len, "<%s>", uri);
}

/* Our INVITE (RFC 3261 section 8.1.1): From tag, a new Call-ID (kept in
 * c->call_id), CSeq 1, Contact, the offer. */
int sip_dialog_build_invite(struct sip_call *c, const char *request_uri, const char *from_uri,
			    const char *to_uri, const struct sip_sdp_media *offer, osip_message_t **out)
{
	struct sip_ua *ua = c->ua;
	osip_message_t *m = NULL;
	char cid[96], tmp[17], contact[128], from[400], to[400];
	int err = sip_request_new("INVITE", request_uri, &m);

	*out = NULL;
	if (err)
		return err;
	err = EINVAL;
	name_addr(from_uri, from, sizeof(from));
	name_addr(to_uri, to, sizeof(to));
	if (osip_message_set_from(m, from) || !m->from || osip_message_set_to(m, to) || !m->to)
		goto out;
	err = ENOMEM;
	osip_from_set_tag(m->from, osip_strdup(c->local_tag));
	sip_ua_rand_token(tmp, sizeof(tmp));
	snprintf(cid, sizeof(cid), "%s@%s", tmp, ua->addr);
	c->call_id = strdup(cid);
	if (!c->call_id || sip_call_index(c) || osip_message_set_call_id(m, cid) || osip_message_set_cseq(m, "1 INVITE") ||
	    sip_ua_add_via(ua, m))
		goto out;
	c->local_cseq = 1;
	sip_contact_of(ua, contact, sizeof(contact));
	osip_message_set_contact(m, contact);
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, ua->user_agent);
	osip_message_set_allow(m, SIP_ALLOW);
	if (offer) {
		err = sip_add_sdp(m, offer);
		if (err)
			goto out;
	}
	*out = m;
	return 0;
out:
	osip_message_free(m);
	return err;
}

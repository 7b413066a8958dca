/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The messages of an INVITE dialog that libosip2 leaves to us: requests
 * inside the dialog (RFC 3261 section 12.2.1.1: remote target, route set,
 * CSeq), the ACK for a 2xx (section 13.2.2.4), CANCEL (section 9.1), and
 * which call a request belongs to. No state changes here: the machine in
 * call.c decides when each is sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "sip/sip_int.h"

/* ---- requests inside the dialog ---- */

/* Next hop for a request in the dialog: first Route, else the remote
 * target; hosts that are not IP literals fall back to where the call came
 * from or went to (no DNS here). */
static void next_hop(struct sip_call *c, char *host, size_t hlen, int *port)
{
	osip_uri_t *u = NULL;

	if (c->dialog && osip_list_size(&c->dialog->route_set) > 0) {
		osip_route_t *r = osip_list_get(&c->dialog->route_set, 0);

		u = r ? r->url : NULL;
	} else if (c->dialog && c->dialog->remote_contact_uri) {
		u = c->dialog->remote_contact_uri->url;
	}
	if (u && u->host && sip_is_ip_literal(u->host)) {
		snprintf(host, hlen, "%s", u->host);
		*port = u->port && *u->port ? atoi(u->port) : 5060;
		return;
	}
	if (c->outgoing) {
		snprintf(host, hlen, "%s", c->dest_host);
		*port = c->dest_port;
	} else {
		sip_via_dest(c->invite, host, hlen, port);
	}
}

static void ensure_tag(osip_from_t *f, const char *tag)
{
	osip_generic_param_t *p = NULL;

	if (tag && osip_from_get_tag(f, &p) != 0)
		osip_from_set_tag(f, osip_strdup(tag));
}

/* A request inside the dialog (RFC 3261 section 12.2.1.1). */
static int build_in_dialog(struct sip_call *c, const char *method, osip_message_t **out)
{
	osip_dialog_t *d = c->dialog;
	osip_message_t *m = NULL;
	const osip_uri_t *target;
	char cseq[40];

	*out = NULL;
	if (!d)
		return ENOMEM;
	target = d->remote_contact_uri && d->remote_contact_uri->url ? d->remote_contact_uri->url :
		 c->outgoing ? c->invite->req_uri : c->invite->from->url;
	if (sip_request_new_uri(method, target, &m))
		return ENOMEM;
	if (osip_from_clone(d->local_uri, &m->from) || osip_to_clone(d->remote_uri, &m->to) ||
	    osip_message_set_call_id(m, d->call_id))
		goto fail;
	ensure_tag(m->from, d->local_tag);
	ensure_tag(m->to, d->remote_tag);
	snprintf(cseq, sizeof(cseq), "%d %s", ++c->local_cseq, method);
	if (osip_message_set_cseq(m, cseq) || sip_ua_add_via(c->ua, m))
		goto fail;
	if (osip_list_clone(&d->route_set, &m->routes, sip_name_addr_clone))
		goto fail;
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, c->ua->user_agent);
	*out = m;
	return 0;
fail:
	osip_message_free(m);
	return ENOMEM;
}

/* m is consumed. */
static int send_nict(struct sip_call *c, osip_message_t *m, const char *host, int port)
{
	osip_transaction_t *tr = NULL;
	int err = sip_txn_client(c->ua, NICT, m, host, port, &tr);

	if (err) {
		osip_message_free(m);
		return err;
	}
	sip_call_attach(c, tr);
	return 0;
}

int sip_dialog_send_bye(struct sip_call *c, int q850)
{
	osip_message_t *bye;
	char host[64];
	int port;

	if (build_in_dialog(c, "BYE", &bye)) {
		SIP_CLOG(LOG_LVL_ERR, c, "cannot build BYE");
		return ENOMEM;
	}
	sip_add_reason(bye, q850);
	next_hop(c, host, sizeof(host), &port);
	SIP_CLOG(LOG_LVL_INFO, c, "sending BYE (cause %d)", q850);
	return send_nict(c, bye, host, port);
}

/* RFC 3261 section 9.1: same Request-URI, Call-ID, From, To, CSeq number
 * and top Via as the INVITE. */
int sip_dialog_send_cancel(struct sip_call *c)
{
	osip_message_t *m = NULL, *inv = c->invite;
	osip_via_t *via = NULL;
	char cseq[40];

	if (sip_request_new_uri("CANCEL", inv->req_uri, &m))
		return ENOMEM;
	if (osip_via_clone(osip_list_get(&inv->vias, 0), &via))
		goto fail;
	osip_list_add(&m->vias, via, -1);
	if (osip_from_clone(inv->from, &m->from) || osip_to_clone(inv->to, &m->to) ||
	    osip_call_id_clone(inv->call_id, &m->call_id) ||
	    osip_list_clone(&inv->routes, &m->routes, sip_name_addr_clone))
		goto fail;
	snprintf(cseq, sizeof(cseq), "%s CANCEL", inv->cseq->number);
	osip_message_set_cseq(m, cseq);
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, c->ua->user_agent);
	sip_add_reason(m, c->hangup_q850);
	SIP_CLOG(LOG_LVL_INFO, c, "sending CANCEL (cause %d)", c->hangup_q850);
	return send_nict(c, m, c->dest_host, c->dest_port);
fail:
	osip_message_free(m);
	return ENOMEM;
}

/* The dialog from our INVITE's 2xx, and its ACK: RFC 3261 section
 * 13.2.2.4, CSeq number of the INVITE, a new branch. Kept for
 * retransmitted 2xx. */
int sip_dialog_send_ack(struct sip_call *c, osip_message_t *resp)
{
	osip_message_t *ack = NULL;
	int saved;

	if (!c->dialog && osip_dialog_init_as_uac(&c->dialog, resp)) {
		c->dialog = NULL;
		SIP_CLOG(LOG_LVL_ERR, c, "cannot create the dialog from the 2xx");
		return ENOMEM;
	}
	saved = c->local_cseq;
	c->local_cseq = atoi(c->invite->cseq->number) - 1;
	if (build_in_dialog(c, "ACK", &ack)) {
		c->local_cseq = saved;
		return ENOMEM;
	}
	c->local_cseq = saved;
	next_hop(c, c->ack_host, sizeof(c->ack_host), &c->ack_port);
	osip_free(c->ack);
	c->ack = NULL;
	if (osip_message_to_str(ack, &c->ack, &c->ack_len) == 0 && c->ack)
		sip_ua_send_raw(c->ua, c->ack, c->ack_len, c->ack_host, c->ack_port);
	SIP_CLOG(LOG_LVL_DEBUG, c, "ACK sent to %s:%d", c->ack_host, c->ack_port);
	osip_message_free(ack);
	return 0;
}

void sip_dialog_resend_ack(struct sip_call *c)
{
	if (!c->ack)
		return;
	SIP_CLOG(LOG_LVL_DEBUG, c, "2xx again: ACK again");
	sip_ua_send_raw(c->ua, c->ack, c->ack_len, c->ack_host, c->ack_port);
}

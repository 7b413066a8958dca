/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * OPTIONS sent by us outside any dialog (RFC 3261 section 11): how gw/
 * checks that a trunk answers ("qualify"). Each request is a NICT of its
 * own; its outcome (the final status, 408 when Timer F fires, 503 on a
 * transport error) is reported once through the `options_result` event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sip/sip_int.h"

struct sip_ping {
	struct sip_ping *next;
	osip_transaction_t *tr;
	void *user;
	int done;
};

static struct sip_ping *ping_of(struct sip_ua *ua, const osip_transaction_t *tr)
{
	for (struct sip_ping *p = ua->pings; p; p = p->next)
		if (p->tr == tr)
			return p;
	return NULL;
}

static void report(struct sip_ua *ua, struct sip_ping *p, int code)
{
	if (p->done)
		return;
	p->done = 1;
	if (ua->ev.options_result)
		ua->ev.options_result(ua->arg, p->user, code);
}

static void unlink_ping(struct sip_ua *ua, struct sip_ping *p)
{
	for (struct sip_ping **pp = &ua->pings; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	free(p);
}

int sip_ping_on_msg(struct sip_ua *ua, int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_ping *p = ping_of(ua, tr);

	if (!p)
		return 0;
	switch (type) {
	case OSIP_NICT_STATUS_2XX_RECEIVED:
	case OSIP_NICT_STATUS_3XX_RECEIVED:
	case OSIP_NICT_STATUS_4XX_RECEIVED:
	case OSIP_NICT_STATUS_5XX_RECEIVED:
	case OSIP_NICT_STATUS_6XX_RECEIVED:
		report(ua, p, m ? m->status_code : 500);
		break;
	case OSIP_NICT_STATUS_TIMEOUT:
		report(ua, p, 408);
		break;
	default:
		break;
	}
	return 1;
}

void sip_ping_on_gone(struct sip_ua *ua, osip_transaction_t *tr, int transport_error)
{
	struct sip_ping *p = ping_of(ua, tr);

	if (!p)
		return;
	report(ua, p, transport_error ? 503 : 408);
	if (!transport_error)
		unlink_ping(ua, p);
}

void sip_ping_free_all(struct sip_ua *ua)
{
	while (ua->pings) {
		struct sip_ping *p = ua->pings;
		ua->pings = p->next;
		free(p);
	}
}

int sip_ua_options(struct sip_ua *ua, const char *request_uri, const char *host, uint16_t port,
		   void *user)
{
	osip_message_t *m = NULL;
	osip_uri_t *uri = NULL;
	osip_transaction_t *tr = NULL;
	struct sip_ping *p = NULL;
	char from[160], tag[17], cid[96], tmp[17], hostfmt[72];
	int err = EINVAL;

	if (!ua || !request_uri || !host)
		return EINVAL;
	if (osip_message_init(&m))
		return ENOMEM;
	osip_message_set_method(m, osip_strdup("OPTIONS"));
	osip_message_set_version(m, osip_strdup("SIP/2.0"));
	if (osip_uri_init(&uri) || osip_uri_parse(uri, request_uri)) {
		osip_uri_free(uri);
		goto out;
	}
	osip_message_set_uri(m, uri);
	sip_host_fmt(ua->addr, hostfmt, sizeof(hostfmt));
	sip_ua_rand_token(tag, sizeof(tag));
	snprintf(from, sizeof(from), "<sip:sipgw@%s:%u>;tag=%s", hostfmt, ua->port, tag);
	sip_ua_rand_token(tmp, sizeof(tmp));
	snprintf(cid, sizeof(cid), "%s@%s", tmp, ua->addr);
	err = ENOMEM;
	if (osip_message_set_from(m, from) || osip_message_set_to(m, request_uri) ||
	    osip_message_set_call_id(m, cid) || osip_message_set_cseq(m, "1 OPTIONS") ||
	    sip_ua_add_via(ua, m))
		goto out;
	osip_message_set_max_forwards(m, "70");
	osip_message_set_user_agent(m, ua->user_agent);
	osip_message_set_accept(m, "application/sdp");
	p = calloc(1, sizeof(*p));
	if (!p)
		goto out;
	err = sip_txn_client(ua, NICT, m, host, port, &tr);
	if (err)
		goto out;
	p->tr = tr;
	p->user = user;
	p->next = ua->pings;
	ua->pings = p;
	log_debug(LOG_SIP, "sip: OPTIONS %s to %s:%u", request_uri, host, port);
	sip_ua_kick(ua);
	return 0;
out:
	free(p);
	osip_message_free(m);
	return err;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A new request that no transaction took (wire.c made a server
 * transaction for it): CANCEL, BYE, re-INVITE to their call, a new INVITE
 * to a new call, OPTIONS to keepalive.c, the rest answered here (RFC 3261
 * sections 8.2, 9.2, 12.2.2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "sip/sip_int.h"

static int accepts_sdp(const osip_message_t *m)
{
	osip_accept_t *a;
	int i, n = osip_list_size(&m->accepts);

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++) {
		a = osip_list_get(&m->accepts, i);
		if (!a || !a->type)
			return 1;	/* empty Accept header */
		if ((!strcmp(a->type, "*") || !strcasecmp(a->type, "application")) &&
		    (!a->subtype || !strcmp(a->subtype, "*") || !strcasecmp(a->subtype, "sdp")))
			return 1;
	}
	return 0;
}

static int body_not_sdp(const osip_message_t *m)
{
	const osip_content_type_t *ct = m->content_type;

	if (osip_list_size(&m->bodies) == 0)
		return 0;
	return !ct || !ct->type || !ct->subtype || strcasecmp(ct->type, "application") ||
	       strcasecmp(ct->subtype, "sdp");
}

void sip_ua_handle_request(struct sip_ua *ua, osip_transaction_t *tr, osip_message_t *req)
{
	osip_generic_param_t *tag = NULL;
	int has_tag = osip_to_get_tag(req->to, &tag) == 0;
	osip_header_t *h = NULL;
	struct sip_call *c;
	const char *m = req->sip_method;

	if (!sip_method_known(m, strlen(m))) {
		sip_ua_reply(ua, tr, req, 501);	/* RFC 3261 section 8.2.1 */
		return;
	}
	if (MSG_IS_CANCEL(req)) {
		/* RFC 3261 section 9.2: matched by the INVITE's branch. */
		c = sip_call_find_branch(ua, req);
		if (c)
			sip_call_on_request(c, tr, req);
		else
			sip_ua_reply(ua, tr, req, 481);
		return;
	}
	if (osip_message_header_get_byname(req, "require", 0, &h) >= 0) {
		sip_ua_reply(ua, tr, req, 420);	/* section 8.2.2.3 */
		return;
	}
	c = has_tag ? sip_call_find_dialog(ua, req) : NULL;
	if (has_tag && !c) {
		sip_ua_reply(ua, tr, req, 481);	/* section 12.2.2 */
		return;
	}
	if (MSG_IS_INVITE(req)) {
		if (body_not_sdp(req))
			sip_ua_reply(ua, tr, req, 415);	/* section 8.2.3 */
		else if (!accepts_sdp(req))
			sip_ua_reply(ua, tr, req, 406);	/* RFC 4475 3.3.15 */
		else if (c)
			sip_call_on_request(c, tr, req);
		else
			sip_call_incoming(ua, tr, req);
	} else if (MSG_IS_BYE(req)) {
		if (c)
			sip_call_on_request(c, tr, req);
		else
			sip_ua_reply(ua, tr, req, 481);
	} else if (MSG_IS_OPTIONS(req)) {
		sip_keepalive_answer(ua, tr, req, c);
	} else {
		sip_ua_reply(ua, tr, req, 405);	/* section 8.2.1 */
	}
}

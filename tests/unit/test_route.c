/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gw/route: which trunk or span group a call goes to, and which trunk a
 * SIP source address belongs to (the gateway's authorisation of calls
 * toward ISDN). Routes are tried in file order; the first whose `from`
 * matches and whose prefix matches the called number wins.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "gw/route.h"
#include "tests/unit/tap.h"

static const char conf[] =
	"[span 1]\n"
	"directory = /tmp/x1\n"
	"group = pstn\n"
	"[span 2]\n"
	"directory = /tmp/x2\n"
	"group = pbx\n"
	"[trunk itsp]\n"
	"host = 192.0.2.10\n"
	"allow = 192.0.2.0/28, 2001:db8::/32\n"
	"[trunk phones]\n"
	"host = 198.51.100.7\n"
	"[route emergency]\n"
	"from = trunk:phones\n"
	"to = group:pstn\n"
	"prefix = 112\n"
	"[route phones-int]\n"
	"from = trunk:phones\n"
	"to = group:pbx\n"
	"prefix = +4930555\n"
	"[route phones-out]\n"
	"from = trunk:phones\n"
	"to = group:pstn\n"
	"[route in]\n"
	"from = group:pstn\n"
	"to = trunk:itsp\n"
	"prefix = +49\n";

int main(void)
{
	struct cfg_errors errs = { 0 };
	struct cfg *cfg = NULL;
	const struct cfg_route *r;
	const struct cfg_trunk *t;

	TAP_OK(cfg_load_string("route.conf", conf, &cfg, &errs) == 0, "the routing config loads");
	for (size_t i = 0; i < errs.n; i++)
		printf("# %s\n", errs.msgs[i]);
	cfg_errors_free(&errs);
	if (!cfg)
		return TAP_DONE();

	r = gw_route_find(cfg, CFG_EP_TRUNK, "phones", "112", NULL);
	TAP_OK(r && !strcmp(r->name, "emergency"), "first matching route wins: 112 -> emergency");
	r = gw_route_find(cfg, CFG_EP_TRUNK, "phones", "+4930555123", NULL);
	TAP_OK(r && !strcmp(r->to, "pbx"), "longer prefix listed first: +4930555123 -> group pbx");
	r = gw_route_find(cfg, CFG_EP_TRUNK, "phones", "+4940123", NULL);
	TAP_OK(r && !strcmp(r->name, "phones-out"), "a route without prefix takes any number");
	r = gw_route_find(cfg, CFG_EP_TRUNK, "itsp", "+4940123", NULL);
	TAP_OK(!r, "no route from trunk itsp toward the spans: none (404 / cause 1)");
	r = gw_route_find(cfg, CFG_EP_GROUP, "pstn", "+4930123", "030123");
	TAP_OK(r && r->to_kind == CFG_EP_TRUNK && !strcmp(r->to, "itsp"),
	       "isdn group pstn, E.164 +4930123 -> trunk itsp");
	r = gw_route_find(cfg, CFG_EP_GROUP, "pstn", "+3312345", "0033 12345");
	TAP_OK(!r, "prefix +49 does not match +3312345: no route");
	r = gw_route_find(cfg, CFG_EP_GROUP, "pstn", "", "+4912");
	TAP_OK(r != NULL, "the second number form is tried too (digits as received)");
	r = gw_route_find(cfg, CFG_EP_GROUP, "pbx", "+4930123", NULL);
	TAP_OK(!r, "group pbx has no route");

	t = gw_trunk_for_source(cfg, "192.0.2.5");
	TAP_OK(t && !strcmp(t->name, "itsp"), "192.0.2.5 is inside itsp's 192.0.2.0/28");
	t = gw_trunk_for_source(cfg, "192.0.2.16");
	TAP_OK(!t, "192.0.2.16 is outside /28 and no trunk's: 403");
	t = gw_trunk_for_source(cfg, "2001:db8::1");
	TAP_OK(t && !strcmp(t->name, "itsp"), "IPv6 2001:db8::1 is inside itsp's 2001:db8::/32");
	t = gw_trunk_for_source(cfg, "198.51.100.7");
	TAP_OK(t && !strcmp(t->name, "phones"), "a trunk with no allow list admits its own host");
	t = gw_trunk_for_source(cfg, "198.51.100.8");
	TAP_OK(!t, "its neighbour is nobody's: 403");
	t = gw_trunk_for_source(cfg, "not-an-address");
	TAP_OK(!t, "a source that is not an address is nobody's");
	cfg_free(cfg);
	return TAP_DONE();
}

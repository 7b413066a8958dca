/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gw/route.h"

#include <string.h>

static int prefix_match(const char *prefix, const char *number)
{
	return number && !strncmp(number, prefix, strlen(prefix));
}

const struct cfg_route *gw_route_find(const struct cfg *cfg, enum cfg_endpoint_kind from_kind,
				      const char *from, const char *number, const char *alt_number)
{
	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		if (r->from_kind != from_kind || strcmp(r->from, from))
			continue;
		if (!r->prefix[0] || prefix_match(r->prefix, number) ||
		    prefix_match(r->prefix, alt_number))
			return r;
	}
	return NULL;
}

const struct cfg_trunk *gw_trunk_for_source(const struct cfg *cfg, const char *addr)
{
	for (size_t i = 0; i < cfg->ntrunks; i++)
		if (cfg_trunk_allows(&cfg->trunks[i], addr))
			return &cfg->trunks[i];
	return NULL;
}

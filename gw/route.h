/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Routing: pure functions of the config. */
#ifndef SIPGW_GW_ROUTE_H
#define SIPGW_GW_ROUTE_H

#include "config/config.h"

/*
 * The first route (file order) from the given endpoint whose prefix matches
 * one of the numbers given (either may be NULL), or NULL.
 */
const struct cfg_route *gw_route_find(const struct cfg *cfg, enum cfg_endpoint_kind from_kind,
				      const char *from, const char *number, const char *alt_number);
/* The trunk whose allow list admits the source address, or NULL. */
const struct cfg_trunk *gw_trunk_for_source(const struct cfg *cfg, const char *addr);

#endif

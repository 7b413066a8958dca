/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control socket: AF_UNIX SOCK_STREAM. A client sends one request line
 * ("show calls --json\n"); the daemon answers "OK\n" or "ERR message\n",
 * then the body, and closes. `sipgwctl` is the client.
 */
#ifndef SIPGW_GW_CTL_H
#define SIPGW_GW_CTL_H

struct gw;
struct gw_ctl;

int gw_ctl_new(struct gw *gw, const char *path, struct gw_ctl **out);
int gw_ctl_start(struct gw_ctl *ctl);
void gw_ctl_free(struct gw_ctl *ctl);

#endif

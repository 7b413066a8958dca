/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: what virt.c (D-channel, control thread) and virt_media.c
 * (media, worker thread) share. The wire protocol is
 * ../shared/virt-span.md, version 1.
 */
#ifndef SIPGW_TDM_VIRT_INT_H
#define SIPGW_TDM_VIRT_INT_H

#define VIRT_VERSION 1
#define VIRT_HDR 8
#define VIRT_MSG_MAX 16384

enum virt_code {
	VIRT_E_OFFHOOK = 1, VIRT_E_ONHOOK, VIRT_E_FLASH, VIRT_E_RING_ON, VIRT_E_RING_OFF,
	VIRT_E_POLARITY, VIRT_E_LOOP_DROP, VIRT_E_ALARM,
};

/*
 * Create dir (mode 0770) if missing, remove a stale socket dir/leaf (one
 * nobody listens on any more; EADDRINUSE if a live one answers), bind and
 * listen on it as AF_UNIX SOCK_SEQPACKET, non-blocking, close-on-exec.
 * Returns the descriptor, or -errno.
 */
int virt_listen(const char *dir, const char *leaf);

#endif

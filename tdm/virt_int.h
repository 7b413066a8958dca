/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: what virt.c (D-channel, control thread), virt_media.c
 * (media, worker thread) and virt_line.c (their sockets) share. The wire
 * protocol is ../shared/virt-span.md, version 1.
 */
#ifndef SIPGW_TDM_VIRT_INT_H
#define SIPGW_TDM_VIRT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/log.h"
#include "lib/loop.h"

#define VIRT_VERSION 1
#define VIRT_HDR 8
#define VIRT_MSG_MAX 16384

enum virt_code {
	VIRT_E_OFFHOOK = 1, VIRT_E_ONHOOK, VIRT_E_FLASH, VIRT_E_RING_ON, VIRT_E_RING_OFF,
	VIRT_E_POLARITY, VIRT_E_LOOP_DROP, VIRT_E_ALARM,
};

/*
 * One socket of a virtual span, DIR/leaf, one line at a time (virt_line.c),
 * embedded in its owner, who fills in the first part and is called back
 * in the thread of `loop`.
 */
struct virt_line {
	struct loop *loop;
	const char *span;	/* "span1", for log lines */
	const char *what;	/* "D-channel", "media" */
	enum log_cat cat;
	int batch;		/* messages read per wakeup at most */
	uint8_t *buf;		/* where a message is read to */
	size_t cap;
	/* Optional: a line connected on fd, not taken yet; nonzero refuses
	 * it (closed at once). */
	int (*hello)(void *arg, int fd);
	/* The line is taken: cfd is its descriptor. */
	void (*up)(void *arg);
	/* A message of n bytes in buf (n > cap: it did not fit, truncated). */
	void (*msg)(void *arg, size_t n);
	/* The line is gone (why); its descriptor is closed already. */
	void (*gone)(void *arg, const char *why);
	void *arg;

	int lfd, cfd;		/* listening; the line, -1 = none */
	char path[CFG_PATH_MAX + 8];
};

/* Create DIR (mode 0770) if missing, remove a stale socket DIR/leaf (one
 * nobody listens on any more; EADDRINUSE if a live one answers), listen
 * there (AF_UNIX SOCK_SEQPACKET). 0 or an errno value. */
int virt_line_listen(struct virt_line *l, const char *dir, const char *leaf);
/* Close the line (not the listening socket) and call gone(why). */
void virt_line_drop(struct virt_line *l, const char *why);
/* Close both and remove the socket file; no callback. */
void virt_line_close(struct virt_line *l);

#endif

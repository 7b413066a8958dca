/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: an ISDN span's D-channel between its backend (virt.c: a
 * SEQPACKET socket; dahdi.c: a DAHDI HDLC channel) and the signalling that
 * runs Q.921/Q.931 on it (isdn.c). No libpri here: the backends move
 * frames, isdn.c alone knows what is in them.
 */
#ifndef SIPGW_TDM_DCHAN_H
#define SIPGW_TDM_DCHAN_H

#include <stddef.h>
#include <stdint.h>

#include "tdm/span_int.h"

#define TDM_DFRAME_MAX 1024	/* a Q.921 frame + FCS, generously */

/* A D-channel backend, control thread; its state in s->dbe. */
struct tdm_dchan_ops {
	const char *name;	/* "virt", "dahdi" */
	int (*start)(struct tdm_span *s);
	void (*free)(struct tdm_span *s);
	/* Optional: the span's name as its driver knows it (tdm_span_status);
	 * 0, or an errno value to fall back on the generic name. */
	int (*describe)(const struct tdm_span *s, char *buf, size_t len);
};

/* ---- isdn.c, for the backends ---- */
/* The backend connected (fd >= 0) or lost (fd < 0) the D-channel. */
void isdn_attach(struct tdm_span *s, int fd);
/* One frame (Q.921 + 2 FCS bytes) arrived from the D-channel. */
void isdn_input(struct tdm_span *s, const uint8_t *frame, size_t len);

extern const struct tdm_dchan_ops tdm_virt_dchan_ops;
extern const struct tdm_dchan_ops tdm_dahdi_dchan_ops;

#endif

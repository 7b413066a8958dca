/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ internal: a span's timeslots, the one place that says which of them
 * carry calls. Both halves of a span (span.c in the control thread,
 * media.c in a worker) take their layout from here, so they cannot
 * disagree on the D-channel or on a bearer.
 *
 *   E1: 31 timeslots, D-channel 16 unless configured, bearers 1-31 but it
 *   T1: 24 timeslots, D-channel 24 unless configured, bearers 1-23
 * A configured bearer outside that is dropped (layout_apply() says which).
 * Room for BRI (2 slots, D-channel only on its own link: dchannel 0) and
 * analog ports (no D-channel) when the config grows them.
 */
#ifndef SIPGW_TDM_LAYOUT_H
#define SIPGW_TDM_LAYOUT_H

#include <stdint.h>

#include "config/config.h"

/* Timeslots in a frame of this span type: 31 (E1) or 24 (T1). */
int layout_nslots(const struct cfg_span *cfg);
/* The D-channel timeslot of the span type when the config names none. */
int layout_default_dchannel(const struct cfg_span *cfg);
/* Fill in the default D-channel and keep only possible bearers in
 * cfg->channels; returns the bits it dropped. */
uint32_t layout_apply(struct cfg_span *cfg);
/* Is chan a bearer channel of a span whose cfg went through layout_apply? */
int layout_is_bearer(const struct cfg_span *cfg, int chan);

#endif

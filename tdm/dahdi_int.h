/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tdm/ internal: what dahdi.c (D-channel) and dahdi_media.c (bearers) share. */
#ifndef SIPGW_TDM_DAHDI_INT_H
#define SIPGW_TDM_DAHDI_INT_H

#include <dahdi/user.h>
#include <stddef.h>

#include "tdm/tdm.h"

#define DAHDI_CHANNEL_DEV "/dev/dahdi/channel"

/* Open /dev/dahdi/channel non-blocking and DAHDI_SPECIFY channo.
 * Returns the descriptor, or -errno with a message in err. */
int dahdi_open_chan(int channo, char *err, size_t errlen);
/* The next event pending on the channel fd (DAHDI_GETEVENT), or
 * DAHDI_EVENT_NONE. */
int dahdi_get_event(int fd);
/* The alarm of the span the channel fd belongs to (DAHDI_SPANSTAT). */
enum tdm_alarm dahdi_span_alarm(int fd);
/* DAHDI_ALARM_* bits -> our alarm; pure, for tests. */
enum tdm_alarm dahdi_alarm_from_bits(int alarms);

#endif

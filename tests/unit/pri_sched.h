/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A test's own libpri link (the ISDN network side) on a lib/loop: run
 * libpri's due timers, hand their events to on_event, and arm timer for
 * the next one (pri_schedule_next / pri_schedule_run).
 */
#ifndef SIPGW_TESTS_PRI_SCHED_H
#define SIPGW_TESTS_PRI_SCHED_H

#include <libpri.h>
#include <stdint.h>
#include <sys/time.h>

#include "lib/loop.h"

static inline void pri_sched_run(struct pri *p, struct loop_timer *timer,
				 void (*on_event)(pri_event *e))
{
	struct timeval now, *tv;

	while (p && (tv = pri_schedule_next(p))) {
		gettimeofday(&now, NULL);
		int64_t ms = (int64_t)(tv->tv_sec - now.tv_sec) * 1000 +
			     (tv->tv_usec - now.tv_usec + 999) / 1000;
		if (ms > 0) {
			loop_timer_start(timer, (uint64_t)ms);
			return;
		}
		pri_event *e = pri_schedule_run(p);
		if (e)
			on_event(e);
	}
}

#endif

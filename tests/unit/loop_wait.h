/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Waiting in a unit test that drives a lib/loop: RUN_UNTIL(cond, ms) runs
 * the loop named `loop` (a variable in scope) until cond holds or ms have
 * passed.
 */
#ifndef SIPGW_TESTS_LOOP_WAIT_H
#define SIPGW_TESTS_LOOP_WAIT_H

#include "lib/loop.h"

#define RUN_UNTIL(cond, ms) do { \
	uint64_t t0_ = loop_now_ms(); \
	while (!(cond) && loop_now_ms() - t0_ < (ms)) \
		loop_run_once(loop, 10); \
} while (0)

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Minimal TAP output for unit tests: one "ok N - name" or "not ok N - name"
 * per check; scripts/check counts them. A test program exits 1 if any check
 * failed. Name the standard a check follows in its description.
 */
#ifndef SIPGW_TESTS_TAP_H
#define SIPGW_TESTS_TAP_H

#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_OK(cond, ...) do { \
	int tap_c_ = !!(cond); \
	printf("%sok %d - ", tap_c_ ? "" : "not ", ++tap_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!tap_c_) { tap_failed++; \
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
	fflush(stdout); \
} while (0)

#define TAP_DONE() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

#endif

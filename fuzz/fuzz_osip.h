/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What every harness that reaches libosip2 needs: its trace silenced
 * (otherwise its first trace sets itself up and prints to stdout, see
 * NOTES-libraries.md). The trace line is still formatted, so the format
 * strings and arguments osip passes are exercised under the sanitizers.
 */
#ifndef SIPGW_FUZZ_OSIP_H
#define SIPGW_FUZZ_OSIP_H

#include <stdarg.h>
#include <stdio.h>

#include <osipparser2/osip_port.h>

static void fuzz_trace_null(const char *fi, int li, osip_trace_level_t level, const char *chfr,
			    va_list ap)
{
	char buf[512];

	(void)fi, (void)li, (void)level;
	vsnprintf(buf, sizeof(buf), chfr, ap);
}

static inline void fuzz_osip_quiet(void)
{
	osip_trace_initialize_func(OSIP_WARNING, fuzz_trace_null);
}

#endif

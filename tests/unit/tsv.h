/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading the standards' test data (tests/data/standards, a copy of
 * ../shared/testdata/standards that 00-harness compares with the original;
 * tab-separated, first line = header) in unit tests. The directory is
 * argv[1], else $SIPGW_TESTDATA, else SRCDIR/tests/data/standards.
 */
#ifndef SIPGW_TESTS_TSV_H
#define SIPGW_TESTS_TSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SRCDIR
#define SRCDIR "."
#endif

/* The standards' test data in the tree (what tsv_path uses by default). */
#define TESTDATA_DIR SRCDIR "/tests/data/standards"

#define TSV_MAX_FIELDS 12

static void tsv_path(char *out, size_t len, int argc, char **argv, const char *file)
{
	const char *dir = argc > 1 ? argv[1] : getenv("SIPGW_TESTDATA");

	if (dir && *dir)
		snprintf(out, len, "%s/%s", dir, file);
	else
		snprintf(out, len, "%s/%s", TESTDATA_DIR, file);
}

/*
 * Next data row of f (the header is skipped by the caller reading it once):
 * the fields point into line. Returns the field count, or -1 at the end.
 */
static int tsv_row(FILE *f, char *line, size_t len, char *fields[TSV_MAX_FIELDS])
{
	int n = 0;
	char *c;

	do {
		if (!fgets(line, (int)len, f))
			return -1;
		line[strcspn(line, "\r\n")] = '\0';
	} while (!line[0]);
	c = line;
	while (n < TSV_MAX_FIELDS) {
		fields[n++] = c;
		c = strchr(c, '\t');
		if (!c)
			break;
		*c++ = '\0';
	}
	for (int i = n; i < TSV_MAX_FIELDS; i++)
		fields[i] = line + strlen(line);
	return n;
}

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* String helpers every room needs. */
#ifndef SIPGW_LIB_STR_H
#define SIPGW_LIB_STR_H

#include <string.h>

/* Copy src into dst (size bytes, always terminated, truncating like
 * strlcpy); returns strlen(src), so truncation is `ret >= size`. */
static inline size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

#endif

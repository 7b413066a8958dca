/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An intrusive hash map: the caller embeds a struct hmap_node in its
 * object, hashes its own key (hmap_hash_str) and compares keys itself while
 * walking one bucket's entries of equal hash. Insert, lookup and removal
 * cost O(1) on average; the table doubles when it holds more entries than
 * buckets. Nothing here allocates but the bucket array.
 */
#ifndef SIPGW_LIB_HMAP_H
#define SIPGW_LIB_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_node {
	struct hmap_node *next;
	uint32_t hash;
};

struct hmap {
	struct hmap_node **b;
	size_t nb;	/* buckets, a power of two (0 before the first insert) */
	size_t n;	/* entries */
};

#define HMAP_ENTRY(node, type, member) \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

/* FNV-1a of a NUL-terminated string; case-sensitive. */
uint32_t hmap_hash_str(const char *s);

/* A zeroed struct hmap is an empty map. */
void hmap_fini(struct hmap *m);
/* 0 or ENOMEM (the node is then not in the map). */
int hmap_insert(struct hmap *m, struct hmap_node *node, uint32_t hash);
/* The node must be in the map. */
void hmap_remove(struct hmap *m, struct hmap_node *node);
/* The first, then the next entry with this hash; NULL at the end. */
struct hmap_node *hmap_first(const struct hmap *m, uint32_t hash);
struct hmap_node *hmap_next(const struct hmap_node *node);
/* Any entry, searching from bucket *cursor on (start at 0): to empty a
 * map in O(buckets + entries). NULL when empty. */
struct hmap_node *hmap_any(const struct hmap *m, size_t *cursor);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdlib.h>

#include "lib/hmap.h"

uint32_t hmap_hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 16777619u;
	}
	return h;
}

void hmap_fini(struct hmap *m)
{
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}

static int grow(struct hmap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64, i;
	struct hmap_node **b = calloc(nb, sizeof(*b));

	if (!b)
		return ENOMEM;
	for (i = 0; i < m->nb; i++) {
		struct hmap_node *e = m->b[i];

		while (e) {
			struct hmap_node *next = e->next;
			size_t j = e->hash & (nb - 1);

			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

int hmap_insert(struct hmap *m, struct hmap_node *node, uint32_t hash)
{
	size_t i;

	if (m->n >= m->nb && grow(m) && !m->nb)
		return ENOMEM;	/* a failed growth of a full table only lengthens chains */
	i = hash & (m->nb - 1);
	node->hash = hash;
	node->next = m->b[i];
	m->b[i] = node;
	m->n++;
	return 0;
}

void hmap_remove(struct hmap *m, struct hmap_node *node)
{
	struct hmap_node **pp;

	if (!m->nb)
		return;
	for (pp = &m->b[node->hash & (m->nb - 1)]; *pp; pp = &(*pp)->next)
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			m->n--;
			return;
		}
}

static struct hmap_node *from(struct hmap_node *e, uint32_t hash)
{
	while (e && e->hash != hash)
		e = e->next;
	return e;
}

struct hmap_node *hmap_first(const struct hmap *m, uint32_t hash)
{
	return m->nb ? from(m->b[hash & (m->nb - 1)], hash) : NULL;
}

struct hmap_node *hmap_next(const struct hmap_node *node)
{
	return from(node->next, node->hash);
}

struct hmap_node *hmap_any(const struct hmap *m, size_t *cursor)
{
	for (; *cursor < m->nb; ++*cursor)
		if (m->b[*cursor])
			return m->b[*cursor];
	return NULL;
}

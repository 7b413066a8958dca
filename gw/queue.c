/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gw/queue.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct gw_queue {
	size_t item_size;
	size_t mask;
	_Atomic size_t head; /* next slot to write (producer) */
	_Atomic size_t tail; /* next slot to read (consumer) */
	unsigned char *items;
};

int gw_queue_new(size_t item_size, size_t capacity, struct gw_queue **out)
{
	struct gw_queue *q;
	size_t n = 2;

	while (n < capacity)
		n *= 2;
	q = calloc(1, sizeof(*q));
	if (!q)
		return ENOMEM;
	q->items = calloc(n, item_size);
	if (!q->items) {
		free(q);
		return ENOMEM;
	}
	q->item_size = item_size;
	q->mask = n - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	*out = q;
	return 0;
}

void gw_queue_free(struct gw_queue *q)
{
	if (!q)
		return;
	free(q->items);
	free(q);
}

int gw_queue_push(struct gw_queue *q, const void *item)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);

	if (head - tail > q->mask)
		return EAGAIN;
	memcpy(q->items + (head & q->mask) * q->item_size, item, q->item_size);
	atomic_store_explicit(&q->head, head + 1, memory_order_release);
	return 0;
}

int gw_queue_pop(struct gw_queue *q, void *item)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	if (tail == head)
		return EAGAIN;
	memcpy(item, q->items + (tail & q->mask) * q->item_size, q->item_size);
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A bounded single-producer/single-consumer queue of fixed-size items: the
 * only way the control thread and a media worker talk (with an eventfd
 * beside it to wake the reader).
 */
#ifndef SIPGW_GW_QUEUE_H
#define SIPGW_GW_QUEUE_H

#include <stddef.h>

struct gw_queue;

/* capacity is rounded up to a power of two. */
int gw_queue_new(size_t item_size, size_t capacity, struct gw_queue **out);
void gw_queue_free(struct gw_queue *q);
/* 0, or EAGAIN when full. Producer side only. */
int gw_queue_push(struct gw_queue *q, const void *item);
/* 0, or EAGAIN when empty. Consumer side only. */
int gw_queue_pop(struct gw_queue *q, void *item);

#endif

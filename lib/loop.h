/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The event loop: epoll for descriptors, one timerfd for a binary heap of
 * timers. One loop per thread (the control thread and each media worker);
 * a loop and its timers are touched only by the thread that runs it.
 *
 * Callbacks may add, remove or free any descriptor or timer, including their
 * own: removal takes effect at once (a removed descriptor's pending events in
 * the current batch are dropped).
 */
#ifndef SIPGW_LIB_LOOP_H
#define SIPGW_LIB_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct loop_timer;

typedef void (*loop_fd_cb)(int fd, uint32_t events, void *arg);
typedef void (*loop_timer_cb)(void *arg);

int loop_new(struct loop **out);
void loop_free(struct loop *loop);

/* events: EPOLLIN, EPOLLOUT, EPOLLPRI... One registration per fd. */
int loop_fd_add(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg);
int loop_fd_mod(struct loop *loop, int fd, uint32_t events);
void loop_fd_del(struct loop *loop, int fd);

int loop_timer_new(struct loop *loop, loop_timer_cb cb, void *arg, struct loop_timer **out);
/* (Re)arm to fire once, ms milliseconds from now. */
void loop_timer_start(struct loop_timer *t, uint64_t ms);
void loop_timer_stop(struct loop_timer *t);
int loop_timer_active(const struct loop_timer *t);
/* Milliseconds until it fires, or -1 when stopped. */
int64_t loop_timer_remaining(const struct loop_timer *t);
void loop_timer_free(struct loop_timer *t);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t loop_now_ms(void);

/* Run until loop_break(); 0 or errno. */
int loop_run(struct loop *loop);
/* One wait of at most timeout_ms (-1: until something happens); 0 or errno. */
int loop_run_once(struct loop *loop, int timeout_ms);
void loop_break(struct loop *loop);

#endif

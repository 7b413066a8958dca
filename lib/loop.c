/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "lib/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/*
 * Descriptors live in a table indexed by fd; the epoll data carries the fd
 * and a generation, so an event for a descriptor removed (or removed and
 * re-added) earlier in the same batch is recognised and dropped.
 * Timers live in a binary min-heap keyed by deadline; the timerfd is armed
 * for the heap's top after every pass.
 */
struct fd_entry {
	loop_fd_cb cb;
	void *arg;
	uint32_t gen;
	int used;
};

struct loop_timer {
	struct loop *loop;
	loop_timer_cb cb;
	void *arg;
	uint64_t deadline;
	size_t heap_idx; /* SIZE_MAX when not in the heap */
};

struct loop {
	int epfd;
	int tfd;
	int stop;
	struct fd_entry *fds;
	size_t nfds;
	struct loop_timer **heap;
	size_t nheap, aheap;
	uint64_t armed; /* deadline the timerfd is armed for, 0 = disarmed */
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void timerfd_fired(int fd, uint32_t events, void *arg);

int loop_new(struct loop **out)
{
	struct loop *loop;
	int err;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (loop->epfd < 0 || loop->tfd < 0) {
		err = errno;
		goto out;
	}
	err = loop_fd_add(loop, loop->tfd, EPOLLIN, timerfd_fired, loop);
	if (err)
		goto out;
	*out = loop;
	return 0;
out:
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->tfd >= 0)
		close(loop->tfd);
	free(loop);
	return err;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	for (size_t i = 0; i < loop->nheap; i++)
		loop->heap[i]->heap_idx = SIZE_MAX;
	free(loop->heap);
	free(loop->fds);
	close(loop->tfd);
	close(loop->epfd);
	free(loop);
}

int loop_fd_add(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct epoll_event ev;

	if (fd < 0 || !cb)
		return EINVAL;
	if ((size_t)fd >= loop->nfds) {
		size_t n = loop->nfds ? loop->nfds : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct fd_entry *t = realloc(loop->fds, n * sizeof(*t));
		if (!t)
			return ENOMEM;
		memset(t + loop->nfds, 0, (n - loop->nfds) * sizeof(*t));
		loop->fds = t;
		loop->nfds = n;
	}
	struct fd_entry *e = &loop->fds[fd];
	if (e->used)
		return EEXIST;
	e->gen++;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)e->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return errno;
	e->cb = cb;
	e->arg = arg;
	e->used = 1;
	return 0;
}

int loop_fd_mod(struct loop *loop, int fd, uint32_t events)
{
	struct epoll_event ev;

	if (fd < 0 || (size_t)fd >= loop->nfds || !loop->fds[fd].used)
		return ENOENT;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)loop->fds[fd].gen << 32 | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return errno;
	return 0;
}

void loop_fd_del(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nfds || !loop->fds[fd].used)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd].used = 0;
	loop->fds[fd].cb = NULL;
	loop->fds[fd].gen++;
}

/* ---- timer heap ---- */

static int earlier(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->deadline < b->deadline;
}

static void heap_set(struct loop *loop, size_t i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!earlier(t, loop->heap[p]))
			break;
		heap_set(loop, i, loop->heap[p]);
		i = p;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct loop_timer *best = t;
		if (l < loop->nheap && earlier(loop->heap[l], best)) {
			m = l;
			best = loop->heap[l];
		}
		if (r < loop->nheap && earlier(loop->heap[r], best))
			m = r;
		if (m == i)
			break;
		heap_set(loop, i, loop->heap[m]);
		i = m;
	}
	heap_set(loop, i, t);
}

static void heap_remove(struct loop *loop, struct loop_timer *t)
{
	size_t i = t->heap_idx;
	struct loop_timer *last;

	if (i == SIZE_MAX)
		return;
	t->heap_idx = SIZE_MAX;
	last = loop->heap[--loop->nheap];
	if (i == loop->nheap)
		return;
	heap_set(loop, i, last);
	heap_down(loop, i);
	heap_up(loop, last->heap_idx);
}

static void rearm(struct loop *loop)
{
	struct itimerspec its;
	uint64_t when = loop->nheap ? loop->heap[0]->deadline : 0;

	if (when == loop->armed)
		return;
	memset(&its, 0, sizeof(its));
	if (when) {
		/* absolute CLOCK_MONOTONIC; {0,0} would disarm, so never 0 */
		its.it_value.tv_sec = when / 1000;
		its.it_value.tv_nsec = (long)(when % 1000) * 1000000 + 1;
	}
	timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	loop->armed = when;
}

int loop_timer_new(struct loop *loop, loop_timer_cb cb, void *arg, struct loop_timer **out)
{
	struct loop_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return ENOMEM;
	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
	t->heap_idx = SIZE_MAX;
	*out = t;
	return 0;
}

void loop_timer_start(struct loop_timer *t, uint64_t ms)
{
	struct loop *loop = t->loop;

	heap_remove(loop, t);
	t->deadline = loop_now_ms() + ms;
	if (!t->deadline)
		t->deadline = 1;
	if (loop->nheap == loop->aheap) {
		size_t n = loop->aheap ? loop->aheap * 2 : 64;
		struct loop_timer **h = realloc(loop->heap, n * sizeof(*h));
		if (!h)
			abort(); /* a timer that silently never fires is worse */
		loop->heap = h;
		loop->aheap = n;
	}
	heap_set(loop, loop->nheap++, t);
	heap_up(loop, t->heap_idx);
}

void loop_timer_stop(struct loop_timer *t)
{
	if (t)
		heap_remove(t->loop, t);
}

int loop_timer_active(const struct loop_timer *t)
{
	return t && t->heap_idx != SIZE_MAX;
}

int64_t loop_timer_remaining(const struct loop_timer *t)
{
	uint64_t now;

	if (!loop_timer_active(t))
		return -1;
	now = loop_now_ms();
	return t->deadline > now ? (int64_t)(t->deadline - now) : 0;
}

void loop_timer_free(struct loop_timer *t)
{
	if (!t)
		return;
	heap_remove(t->loop, t);
	free(t);
}

static void run_timers(struct loop *loop)
{
	uint64_t now = loop_now_ms();

	while (loop->nheap && loop->heap[0]->deadline <= now) {
		struct loop_timer *t = loop->heap[0];
		heap_remove(loop, t);
		t->cb(t->arg); /* may restart or free t */
	}
}

static void timerfd_fired(int fd, uint32_t events, void *arg)
{
	struct loop *loop = arg;
	uint64_t n;

	(void)events;
	while (read(fd, &n, sizeof(n)) > 0)
		;
	loop->armed = 0;
	run_timers(loop);
}

int loop_run_once(struct loop *loop, int timeout_ms)
{
	struct epoll_event evs[64];
	int n;

	run_timers(loop);
	rearm(loop);
	n = epoll_wait(loop->epfd, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : errno;
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].data.u64;
		uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
		if ((size_t)fd >= loop->nfds)
			continue;
		struct fd_entry *e = &loop->fds[fd];
		if (!e->used || e->gen != gen)
			continue;
		e->cb(fd, evs[i].events, e->arg);
	}
	run_timers(loop);
	return 0;
}

int loop_run(struct loop *loop)
{
	int err = 0;

	loop->stop = 0;
	while (!loop->stop && !err)
		err = loop_run_once(loop, -1);
	return err;
}

void loop_break(struct loop *loop)
{
	loop->stop = 1;
}

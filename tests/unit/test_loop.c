/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lib/loop: timer ordering, removal from inside callbacks, fd events. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/loop.h"
#include "tests/unit/tap.h"

static int order[8], norder;
static struct loop_timer *victim;

static void fire(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

static void fire_and_kill(void *arg)
{
	fire(arg);
	loop_timer_stop(victim);
}

static int fd_hits;
static void on_read(int fd, uint32_t events, void *arg)
{
	char c;
	struct loop *loop = arg;
	(void)events;
	if (read(fd, &c, 1) == 1)
		fd_hits++;
	loop_fd_del(loop, fd);
}

int main(void)
{
	struct loop *loop;
	struct loop_timer *t[4];
	int p[2];

	TAP_OK(loop_new(&loop) == 0, "loop_new");
	loop_timer_new(loop, fire, (void *)3, &t[0]);
	loop_timer_new(loop, fire, (void *)1, &t[1]);
	loop_timer_new(loop, fire_and_kill, (void *)2, &t[2]);
	loop_timer_new(loop, fire, (void *)9, &t[3]);
	victim = t[3];
	loop_timer_start(t[0], 30);
	loop_timer_start(t[1], 10);
	loop_timer_start(t[2], 20);
	loop_timer_start(t[3], 25);
	TAP_OK(loop_timer_active(t[3]), "timer active after start");
	uint64_t start = loop_now_ms();
	while (norder < 3 && loop_now_ms() - start < 1000)
		loop_run_once(loop, 100);
	loop_run_once(loop, 20);
	TAP_OK(norder == 3 && order[0] == 1 && order[1] == 2 && order[2] == 3,
	       "timers fire in deadline order; one stopped from a callback never fires");
	TAP_OK(!loop_timer_active(t[3]), "stopped timer inactive");

	TAP_OK(pipe(p) == 0, "pipe");
	TAP_OK(loop_fd_add(loop, p[0], EPOLLIN, on_read, loop) == 0, "fd add");
	TAP_OK(loop_fd_add(loop, p[0], EPOLLIN, on_read, loop) != 0, "second add of one fd refused");
	if (write(p[1], "ab", 2) != 2)
		return 1;
	loop_run_once(loop, 100);
	loop_run_once(loop, 10);
	TAP_OK(fd_hits == 1, "fd callback ran once and removed itself");
	close(p[0]);
	close(p[1]);
	for (int i = 0; i < 4; i++)
		loop_timer_free(t[i]);
	loop_free(loop);
	return TAP_DONE();
}

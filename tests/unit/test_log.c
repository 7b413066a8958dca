/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lib/log: the real-time threads' queue. A media worker's lines wait in a
 * lock-free queue until the main loop drains it, so a slow sink (a full
 * stderr pipe, a stuck syslog daemon) never holds the worker up; a full
 * queue drops lines and says how many; nothing is lost or reordered
 * otherwise.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "tests/unit/tap.h"

#define MAXLINES 1024

static char lines[MAXLINES][160];
static int nlines;
static pthread_t hook_thread[MAXLINES];
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;

static void hook(const char *line, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&hook_lock);
	if (nlines < MAXLINES) {
		snprintf(lines[nlines], sizeof(lines[nlines]), "%s", line);
		hook_thread[nlines] = pthread_self();
		nlines++;
	}
	pthread_mutex_unlock(&hook_lock);
}

static void reset(void)
{
	pthread_mutex_lock(&hook_lock);
	nlines = 0;
	pthread_mutex_unlock(&hook_lock);
}

static int count(void)
{
	pthread_mutex_lock(&hook_lock);
	int n = nlines;
	pthread_mutex_unlock(&hook_lock);
	return n;
}

struct job {
	int rt;		/* log_rt_thread(1) first */
	int id;		/* in every line: "job ID line N" */
	int n;		/* lines to log */
};

static void *logger(void *arg)
{
	struct job *j = arg;

	log_rt_thread(j->rt);
	for (int i = 0; i < j->n; i++)
		log_info(LOG_MEDIA, "job %d line %d", j->id, i);
	return NULL;
}

static void run(struct job *j)
{
	pthread_t th;

	if (pthread_create(&th, NULL, logger, j) == 0)
		pthread_join(th, NULL);
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* lines [from, from + n) are job id's 0..n-1, in order */
static int in_order(int from, int id, int n)
{
	char want[64];

	for (int i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "media INFO: job %d line %d", id, i);
		if (from + i >= nlines || strcmp(lines[from + i], want))
			return 0;
	}
	return 1;
}

int main(void)
{
	pthread_t me = pthread_self();

	log_open("test_log", 0, 0);
	log_set_hook(hook, NULL);

	/* no queue: a real-time thread's line is written at once, by it */
	struct job j1 = { 1, 1, 3 };
	reset();
	run(&j1);
	TAP_OK(count() == 3 && in_order(0, 1, 3) && !pthread_equal(hook_thread[0], me),
	       "queue closed: a real-time thread's lines are written at once, by that thread");

	TAP_OK(log_queue_open() == 0 && log_queue_fd() >= 0, "log_queue_open: an eventfd to watch");

	/* queued until drained, then written by the drainer, in order */
	struct job j2 = { 1, 2, 10 };
	reset();
	run(&j2);
	TAP_OK(count() == 0 && readable(log_queue_fd()),
	       "queue open: 10 lines of a real-time thread wait, the eventfd is readable");
	log_queue_drain();
	TAP_OK(count() == 10 && in_order(0, 2, 10) && pthread_equal(hook_thread[9], me),
	       "log_queue_drain writes all 10, in order, in the draining thread");
	TAP_OK(!readable(log_queue_fd()), "and the eventfd is quiet again");

	/* other threads are not queued */
	struct job j3 = { 0, 3, 2 };
	reset();
	run(&j3);
	TAP_OK(count() == 2 && in_order(0, 3, 2), "a thread not marked real-time writes at once");

	/* full: the producer drops and counts, never waits */
	struct job j4 = { 1, 4, 300 };
	reset();
	run(&j4);
	log_queue_drain();
	TAP_OK(count() == 257 && in_order(0, 4, 256) &&
	       strstr(lines[256], "44 log lines of real-time threads dropped (queue full)") &&
	       !strncmp(lines[256], "gen WARN:", 9),
	       "300 lines into the 256-slot queue: 256 written in order, then a warning that 44 were dropped");
	reset();
	log_queue_drain();
	TAP_OK(count() == 0, "the drop is reported once");

	/* several producers at once: none lost, each one's order kept */
	struct job ja = { 1, 5, 100 }, jb = { 1, 6, 100 };
	pthread_t ta, tb;
	reset();
	pthread_create(&ta, NULL, logger, &ja);
	pthread_create(&tb, NULL, logger, &jb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	log_queue_drain();
	int seen5 = 0, seen6 = 0, ordered = 1;
	for (int i = 0; i < nlines; i++) {
		int id, n;
		if (sscanf(lines[i], "media INFO: job %d line %d", &id, &n) != 2)
			ordered = 0;
		else if (id == 5)
			ordered &= n == seen5++;
		else if (id == 6)
			ordered &= n == seen6++;
	}
	TAP_OK(nlines == 200 && seen5 == 100 && seen6 == 100 && ordered,
	       "two real-time threads, 100 lines each at once: 200 written, each thread's in order");

	/* a sink that blocks (stderr a full pipe) does not hold the thread up */
	int p[2], saved = dup(STDERR_FILENO);
	if (pipe(p) == 0 && saved >= 0) {
		char junk[4096];
		int fl = fcntl(p[1], F_GETFL);
		memset(junk, 'x', sizeof(junk));
		fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
		while (write(p[1], junk, sizeof(junk)) > 0)
			;
		fcntl(p[1], F_SETFL, fl);	/* full, and writes to it block */
		dup2(p[1], STDERR_FILENO);
		log_open("test_log", 1, 0);

		struct job j7 = { 1, 7, 5 };
		pthread_t t7;
		struct timespec until;
		reset();
		pthread_create(&t7, NULL, logger, &j7);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 30;	/* a hang detector, not a speed limit */
		int joined = pthread_timedjoin_np(t7, NULL, &until) == 0;
		TAP_OK(joined, "stderr a full pipe: a real-time thread's 5 lines do not block it");

		/* let the sink go: back to the real stderr, then drain */
		log_open("test_log", 0, 0);
		dup2(saved, STDERR_FILENO);
		if (!joined)
			return TAP_DONE();
		log_queue_drain();
		TAP_OK(count() == 5 && in_order(0, 7, 5), "and they are written when the queue is drained");
		close(p[0]);
		close(p[1]);
		close(saved);
	} else {
		TAP_OK(0, "pipe/dup");
	}

	log_queue_close();
	TAP_OK(log_queue_fd() == -1, "log_queue_close: closed");
	struct job j8 = { 1, 8, 1 };
	reset();
	run(&j8);
	TAP_OK(count() == 1, "after it a real-time thread writes at once again");
	return TAP_DONE();
}

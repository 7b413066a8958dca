/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stallwatch: a witness of whole-machine stalls, for tests that measure
 * real-time deadlines (tests/vm/guest/dahdi-calls.sh).
 *
 *   stallwatch [-p PERIOD_MS] [-t THRESHOLD_MS] [-l LOST_MS] [-m MIN_MS]
 *
 * Runs at the highest SCHED_FIFO priority with its memory locked, wakes every
 * PERIOD_MS (default 5) on an absolute CLOCK_MONOTONIC deadline and prints
 *
 *   STALL at=<CLOCK_REALTIME s> late_ms=<N>
 *
 * (line-buffered) whenever a wakeup came THRESHOLD_MS (default 10) or more
 * after its deadline. Nothing on the machine can preempt it, so when it is
 * late by N ms no user-space thread (a media worker included) could have
 * run for about N ms: the machine, not a thread's priority or buffering,
 * stalled (a host descheduling an emulated guest, a kernel path that does
 * not yield). `at` is the end of the stall, in the time base of bash's
 * $EPOCHREALTIME.
 *
 * A guest starved by its host is not always stopped for long: it may run
 * in slices, each wakeup a few milliseconds late, and lose as much time as
 * one long stall would. So stallwatch also adds up the lateness of every
 * wakeup MIN_MS (default 2) or more late (the time the machine was not
 * running it, nor anything else; below that it is the ordinary latency of
 * an emulated timer, about 0.5 ms a wakeup in the DAHDI guest, which every
 * thread pays alike) over consecutive intervals of 100 ms, and prints
 *
 *   LOST at=<CLOCK_REALTIME s> ms=<N>
 *
 * at the end of an interval that lost LOST_MS (default 5) or more in all.
 * On SIGTERM or SIGINT it prints
 *
 *   END wakeups=<N> max_late_ms=<N>
 *
 * and exits 0. Exit 1: bad usage, or no real-time priority (not root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static struct timespec ts_of(long long ns)
{
	struct timespec t = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };
	return t;
}

static int arg_ms(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 10000)
		return EINVAL;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	long period_ms = 5, threshold_ms = 10, lost_ms = 5, min_ms = 2, max_ms = 0;
	long long lost_ns = 0, bucket_end;
	unsigned long long wakeups = 0;
	struct sched_param sp;
	struct sigaction sa;
	struct timespec now, rt;
	long long next, late;
	int opt;

	while ((opt = getopt(argc, argv, "p:t:l:m:")) != -1) {
		if ((opt == 'p' && !arg_ms(optarg, &period_ms)) ||
		    (opt == 't' && !arg_ms(optarg, &threshold_ms)) ||
		    (opt == 'l' && !arg_ms(optarg, &lost_ms)) ||
		    (opt == 'm' && !arg_ms(optarg, &min_ms)))
			continue;
		fprintf(stderr, "usage: stallwatch [-p PERIOD_MS] [-t THRESHOLD_MS] [-l LOST_MS] [-m MIN_MS] (1-10000)\n");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: the sleep returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	sp.sched_priority = sched_get_priority_max(SCHED_FIFO);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		fprintf(stderr, "stallwatch: SCHED_FIFO %d: %s\n", sp.sched_priority, strerror(errno));
		return 1;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		fprintf(stderr, "stallwatch: mlockall: %s (page faults may show as stalls)\n",
			strerror(errno));

	clock_gettime(CLOCK_MONOTONIC, &now);
	next = ns_of(&now) + period_ms * 1000000LL;
	bucket_end = ns_of(&now) + 100000000LL;
	while (!stop) {
		struct timespec dl = ts_of(next);

		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL) == EINTR)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		wakeups++;
		late = (ns_of(&now) - next) / 1000000LL;
		if (late >= min_ms)
			lost_ns += ns_of(&now) - next;
		if (late > max_ms)
			max_ms = late;
		if (late >= threshold_ms) {
			clock_gettime(CLOCK_REALTIME, &rt);
			printf("STALL at=%lld.%03ld late_ms=%lld\n", (long long)rt.tv_sec,
			       rt.tv_nsec / 1000000L, late);
		}
		if (ns_of(&now) >= bucket_end) {
			if (lost_ns >= lost_ms * 1000000LL) {
				clock_gettime(CLOCK_REALTIME, &rt);
				printf("LOST at=%lld.%03ld ms=%lld\n", (long long)rt.tv_sec,
				       rt.tv_nsec / 1000000L, lost_ns / 1000000LL);
			}
			lost_ns = 0;
			while (bucket_end <= ns_of(&now))
				bucket_end += 100000000LL;
		}
		/* the next deadline after now: a stall is reported once, not
		 * as a burst of catch-up wakeups */
		next += period_ms * 1000000LL;
		if (next <= ns_of(&now))
			next = ns_of(&now) + period_ms * 1000000LL;
	}
	printf("END wakeups=%llu max_late_ms=%ld\n", wakeups, max_ms);
	return 0;
}

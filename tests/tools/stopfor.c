/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stopfor: stall a process for a measured time, for tests of real-time
 * margins (tests/vm/guest/dahdi-calls.sh: a stall of sipgwd shorter than
 * its transmit queue must cost no underrun).
 *
 *   stopfor [-n COUNT] [-g GAP_MS] PID STOP_MS
 *
 * Runs at the highest SCHED_FIFO priority (so that the stop's length is
 * what was asked, not what a shell's fork and sleep make of it), sends PID
 * SIGSTOP, sleeps STOP_MS on CLOCK_MONOTONIC, sends SIGCONT; COUNT times
 * (default 1), GAP_MS apart (default 200). For each stop it prints
 *
 *   STOP at=<CLOCK_REALTIME s> ms=<measured length, SIGSTOP to SIGCONT>
 *
 * Exit 0; 1: bad usage, no real-time priority (not root) or kill() failed
 * (the process is continued before exiting in any case).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sleep_until(long long ns)
{
	struct timespec t = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

static int arg_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		return EINVAL;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	long count = 1, gap_ms = 200, stop_ms, pid;
	struct sched_param sp;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "n:g:")) != -1) {
		if ((opt == 'n' && !arg_long(optarg, 1, 1000, &count)) ||
		    (opt == 'g' && !arg_long(optarg, 1, 60000, &gap_ms)))
			continue;
		goto usage;
	}
	if (argc - optind != 2 || arg_long(argv[optind], 2, 1 << 22, &pid) ||
	    arg_long(argv[optind + 1], 1, 10000, &stop_ms))
		goto usage;
	sp.sched_priority = sched_get_priority_max(SCHED_FIFO);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		fprintf(stderr, "stopfor: SCHED_FIFO %d: %s\n", sp.sched_priority, strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 0; i < count && !rc; i++) {
		long long t0, t1;
		struct timespec rt;

		if (i)
			sleep_until(now_ns() + gap_ms * 1000000LL);
		t0 = now_ns();
		if (kill((pid_t)pid, SIGSTOP) < 0) {
			fprintf(stderr, "stopfor: SIGSTOP %ld: %s\n", pid, strerror(errno));
			rc = 1;
			break;
		}
		sleep_until(t0 + stop_ms * 1000000LL);
		if (kill((pid_t)pid, SIGCONT) < 0) {
			fprintf(stderr, "stopfor: SIGCONT %ld: %s\n", pid, strerror(errno));
			rc = 1;
		}
		t1 = now_ns();
		clock_gettime(CLOCK_REALTIME, &rt);
		printf("STOP at=%lld.%03ld ms=%.1f\n", (long long)rt.tv_sec, rt.tv_nsec / 1000000L,
		       (double)(t1 - t0) / 1e6);
	}
	kill((pid_t)pid, SIGCONT);
	return rc;
usage:
	fprintf(stderr, "usage: stopfor [-n COUNT] [-g GAP_MS] PID STOP_MS\n");
	return 1;
}

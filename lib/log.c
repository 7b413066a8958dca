/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "lib/log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *const cat_names[LOG_CAT_COUNT] = {
	[LOG_GEN] = "gen",	[LOG_ISDN] = "isdn",	[LOG_ANALOG] = "analog",
	[LOG_SIP] = "sip",	[LOG_MEDIA] = "media",	[LOG_DSP] = "dsp",
	[LOG_ROUTE] = "route",	[LOG_CONFIG] = "config", [LOG_CTL] = "ctl",
};

static const struct {
	const char *name;
	int level;
} level_names[] = {
	{ "err", LOG_LVL_ERR }, { "error", LOG_LVL_ERR }, { "warn", LOG_LVL_WARN },
	{ "warning", LOG_LVL_WARN }, { "notice", LOG_LVL_NOTICE },
	{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
};

static int log_level = LOG_LVL_INFO;
static int log_to_stderr = 1;
static int log_to_syslog;
static void (*log_hook)(const char *, void *);
static void *log_hook_arg;

/*
 * The real-time threads' queue: a bounded lock-free queue (D. Vyukov's, a
 * sequence number per slot), any number of producers, one consumer (the
 * thread that calls log_queue_drain()). A producer that finds it full drops
 * its line and counts it: it never waits.
 */
#define LOG_Q_SLOTS 256			/* a power of two */
#define LOG_Q_MSG 480			/* longer lines are cut */

struct log_slot {
	atomic_size_t seq;
	struct timespec ts;
	int cat, level;
	char msg[LOG_Q_MSG];
};

static struct log_slot q_slots[LOG_Q_SLOTS];
static atomic_size_t q_head;		/* next slot to fill */
static size_t q_tail;			/* next slot to drain (the consumer's) */
static atomic_ulong q_dropped;
static int q_fd = -1;			/* eventfd: lines wait; -1: no queue */
static _Thread_local int rt_thread;

static const char *level_tag(int level)
{
	switch (level) {
	case LOG_LVL_ERR: return "ERR";
	case LOG_LVL_WARN: return "WARN";
	case LOG_LVL_NOTICE: return "NOTICE";
	case LOG_LVL_INFO: return "INFO";
	default: return "DEBUG";
	}
}

void log_open(const char *ident, int to_stderr, int to_syslog)
{
	log_to_stderr = to_stderr;
	if (to_syslog && !log_to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!to_syslog && log_to_syslog)
		closelog();
	log_to_syslog = to_syslog;
}

void log_close(void)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = 0;
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

int log_level_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (!strcasecmp(name, level_names[i].name))
			return level_names[i].level;
	return -1;
}

const char *log_cat_name(enum log_cat cat)
{
	return (unsigned)cat < LOG_CAT_COUNT ? cat_names[cat] : "?";
}

void log_set_hook(void (*hook)(const char *, void *), void *arg)
{
	log_hook = hook;
	log_hook_arg = arg;
}

/* One line out, to every sink; ts: when it was logged. */
static void emit(int cat, int level, const struct timespec *ts, const char *msg)
{
	char line[1200];

	if (log_to_syslog)
		syslog(level, "%s %s: %s", level_tag(level), log_cat_name(cat), msg);
	if (log_to_stderr) {
		struct tm tm;
		localtime_r(&ts->tv_sec, &tm);
		int len = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s %s: %s\n",
				   tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000,
				   level_tag(level), log_cat_name(cat), msg);
		if (len > (int)sizeof(line) - 1)
			len = sizeof(line) - 1;
		ssize_t w = write(STDERR_FILENO, line, len);
		(void)w;
	}
	if (log_hook) {
		snprintf(line, sizeof(line), "%s %s: %s", log_cat_name(cat), level_tag(level), msg);
		log_hook(line, log_hook_arg);
	}
}

/* A real-time thread's line: into the queue, or dropped when it is full. */
static void enqueue(int cat, int level, const struct timespec *ts, const char *msg)
{
	size_t pos = atomic_load_explicit(&q_head, memory_order_relaxed);
	struct log_slot *s;
	uint64_t one = 1;

	for (;;) {
		s = &q_slots[pos % LOG_Q_SLOTS];
		size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		intptr_t dif = (intptr_t)seq - (intptr_t)pos;

		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(&q_head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		} else if (dif < 0) {
			atomic_fetch_add_explicit(&q_dropped, 1, memory_order_relaxed);
			return;
		} else {
			pos = atomic_load_explicit(&q_head, memory_order_relaxed);
		}
	}
	s->ts = *ts;
	s->cat = cat;
	s->level = level;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
	ssize_t w = write(q_fd, &one, sizeof(one));	/* non-blocking */
	(void)w;
}

int log_queue_open(void)
{
	if (q_fd >= 0)
		return 0;
	for (size_t i = 0; i < LOG_Q_SLOTS; i++)
		atomic_init(&q_slots[i].seq, i);
	atomic_store(&q_head, 0);
	q_tail = 0;
	q_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return q_fd < 0 ? errno : 0;
}

int log_queue_fd(void)
{
	return q_fd;
}

void log_queue_drain(void)
{
	uint64_t n;
	unsigned long dropped;

	if (q_fd < 0)
		return;
	while (read(q_fd, &n, sizeof(n)) > 0)
		;
	for (;;) {
		struct log_slot *s = &q_slots[q_tail % LOG_Q_SLOTS];
		size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);

		if ((intptr_t)seq - (intptr_t)(q_tail + 1) < 0)
			break;	/* empty (or the next line is still being written) */
		emit(s->cat, s->level, &s->ts, s->msg);
		atomic_store_explicit(&s->seq, q_tail + LOG_Q_SLOTS, memory_order_release);
		q_tail++;
	}
	dropped = atomic_exchange_explicit(&q_dropped, 0, memory_order_relaxed);
	if (dropped) {
		struct timespec ts;
		char msg[128];

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(msg, sizeof(msg), "%lu log lines of real-time threads dropped (queue full)",
			 dropped);
		emit(LOG_GEN, LOG_LVL_WARN, &ts, msg);
	}
}

void log_queue_close(void)
{
	log_queue_drain();
	if (q_fd >= 0)
		close(q_fd);
	q_fd = -1;
}

void log_rt_thread(int on)
{
	rt_thread = on;
}

void log_vmsg(enum log_cat cat, int level, const char *fmt, va_list ap)
{
	char msg[1024];
	struct timespec ts;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one line per message: libraries sometimes end theirs with '\n' */
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	clock_gettime(CLOCK_REALTIME, &ts);
	if (rt_thread && q_fd >= 0)
		enqueue(cat, level, &ts, msg);
	else
		emit(cat, level, &ts, msg);
}

void log_msg(enum log_cat cat, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(cat, level, fmt, ap);
	va_end(ap);
}

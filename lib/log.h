/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One log vocabulary for the whole daemon: a category, a level and a line.
 * Every line about a call or channel starts with its name, e.g.
 *   log_info(LOG_ISDN, "span1/B5: SETUP from 030123 (national)");
 *   log_debug(LOG_ROUTE, "call 12 (span1/B5){ALERTING}: 486 -> cause 17");
 * Lines go to stderr (foreground) and/or syslog (ident "sipgwd", facility
 * daemon). Thread-safe: one write(2) per line.
 *
 * A real-time thread (a media worker) must never wait on a sink: syslog()
 * takes a lock and may block on a slow syslog daemon, stderr may be a full
 * pipe. Such a thread calls log_rt_thread(1); while the queue is open, its
 * lines wait in a bounded lock-free queue, with the time they were logged,
 * until the thread that opened it drains it (its loop watches
 * log_queue_fd()). When the queue is full a line is dropped, never waited
 * for; the drain reports how many.
 */
#ifndef SIPGW_LIB_LOG_H
#define SIPGW_LIB_LOG_H

#include <stdarg.h>

enum log_cat {
	LOG_GEN = 0,	/* daemon life cycle */
	LOG_ISDN,	/* Q.931/Q.921, libpri */
	LOG_ANALOG,	/* FXS/FXO line signalling */
	LOG_SIP,	/* SIP, SDP, libosip2 */
	LOG_MEDIA,	/* RTP, virtual span frames, media workers */
	LOG_DSP,	/* echo, DTMF, tones, spandsp */
	LOG_ROUTE,	/* routing, number conversion, the call state machine */
	LOG_CONFIG,	/* config parsing and reload */
	LOG_CTL,	/* control socket */
	LOG_CAT_COUNT
};

/* syslog's numbers, so they pass straight through. */
enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* to_stderr/to_syslog: where lines go. May be called again (daemonising). */
void log_open(const char *ident, int to_stderr, int to_syslog);
void log_close(void);
void log_set_level(int level);
int log_get_level(void);
/* "err", "warn", "notice", "info", "debug" -> level, or -1. */
int log_level_from_name(const char *name);
const char *log_cat_name(enum log_cat cat);

void log_msg(enum log_cat cat, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_cat cat, int level, const char *fmt, va_list ap);

#define log_err(cat, ...)    log_msg((cat), LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(cat, ...)   log_msg((cat), LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(cat, ...) log_msg((cat), LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(cat, ...)   log_msg((cat), LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(cat, ...)  log_msg((cat), LOG_LVL_DEBUG, __VA_ARGS__)

/* The real-time threads' queue: 0 or errno. */
int log_queue_open(void);
/* Readable (an eventfd) while lines wait; -1 when the queue is not open. */
int log_queue_fd(void);
/* Write out the waiting lines (the opener's thread only). */
void log_queue_drain(void);
/* Drain, close: lines are written directly again. */
void log_queue_close(void);
/* Mark the calling thread real-time (1) or not (0). */
void log_rt_thread(int on);

/*
 * For tests: every line also goes to this function (NULL to remove), after
 * level filtering, as "cat level: message" without a timestamp.
 */
void log_set_hook(void (*hook)(const char *line, void *arg), void *arg);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "lib/log.h"

#include <stdio.h>
#include <string.h>
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

void log_vmsg(enum log_cat cat, int level, const char *fmt, va_list ap)
{
	char msg[1024];
	char line[1200];

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

	if (log_to_syslog)
		syslog(level, "%s %s: %s", level_tag(level), log_cat_name(cat), msg);
	if (log_to_stderr) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		int len = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s %s: %s\n",
				   tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
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

void log_msg(enum log_cat cat, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(cat, level, fmt, ap);
	va_end(ap);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sipgwd: the SIP gateway daemon. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "gw/gw.h"
#include "lib/log.h"

#define DEFAULT_CONFIG SYSCONFDIR "/sipgw/sipgw.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sipgwd [-f] [-n] [-c FILE] [-d]\n"
		"  -c FILE    config file (default " DEFAULT_CONFIG ")\n"
		"  -f         stay in the foreground, log to stderr as well as syslog\n"
		"  -n         check the config: print 'configuration OK' or its errors\n"
		"  -d         debug logging (overrides log_level)\n"
		"  --version  print the version\n");
}

static int write_pid_file(const char *path)
{
	char dir[CFG_PATH_MAX], buf[32];
	char *slash;
	int fd, n, err = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, n) != n)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/*
 * Detach. The first parent waits until the daemon reports how start-up went
 * (daemon_ready) and exits with that status, so `sipgwd -c CONF` fails when
 * the daemon cannot start (a port taken, a span directory refused).
 */
/* The pid of a live sipgwd named by the pid file, or 0. */
static pid_t running_pid(const char *path)
{
	char buf[32] = "";
	long pid;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	pid = strtol(buf, NULL, 10);
	if (pid <= 0 || pid == getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
		return 0;
	return (pid_t)pid;
}

static int daemonize(int *ready_fd)
{
	int p[2], fd;
	pid_t pid;

	if (pipe(p) < 0)
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid > 0) {
		char st = 1;
		close(p[1]);
		if (read(p[0], &st, 1) != 1)
			st = 1; /* died before saying */
		if (st)
			fprintf(stderr, "sipgwd: start-up failed (see syslog)\n");
		_exit(st);
	}
	close(p[0]);
	*ready_fd = p[1];
	if (setsid() < 0)
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return errno;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

static void daemon_ready(int *ready_fd, int ok)
{
	char st = ok ? 0 : 1;

	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &st, 1) != 1)
		log_warn(LOG_GEN, "could not report start-up to the parent");
	close(*ready_fd);
	*ready_fd = -1;
}

struct opts {
	const char *path;
	int foreground, check, debug;
};

/* -1: go on; else the exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:fndh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': o->path = optarg; break;
		case 'f': o->foreground = 1; break;
		case 'n': o->check = 1; break;
		case 'd': o->debug = 1; break;
		case 'V': printf("sipgwd %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/* Every error, each as file:line, on stderr: 0 or errno. */
static int load_config(const char *path, struct cfg **cfg)
{
	struct cfg_errors errs = { 0 };
	int err = cfg_load(path, cfg, &errs);

	if (err) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		if (!errs.n)
			fprintf(stderr, "%s: %s\n", path, strerror(err));
	}
	cfg_errors_free(&errs);
	return err;
}

/* The daemon itself, on a loaded config it takes: the exit status. */
static int run(const char *path, struct cfg *cfg, const struct opts *o)
{
	struct gw *gw = NULL;
	int err, rc = 1, ready_fd = -1, own_pid_file = 0;

	log_set_level(o->debug ? LOG_LVL_DEBUG : cfg->general.log_level);
	if (!o->foreground) {
		err = daemonize(&ready_fd);
		if (err) {
			fprintf(stderr, "sipgwd: cannot daemonize: %s\n", strerror(err));
			cfg_free(cfg);
			return 1;
		}
	}
	log_open("sipgwd", o->foreground, 1);

	err = gw_new(path, cfg, &gw);
	if (err) {
		log_err(LOG_GEN, "cannot start: %s", strerror(err));
		cfg_free(cfg);
		goto out;
	}
	err = gw_start(gw);
	if (err) {
		log_err(LOG_GEN, "cannot start: %s", strerror(err));
		goto out;
	}
	/* Only a daemon that started owns the pid file (a second one that
	 * fails on a taken port must not remove the first one's). */
	err = write_pid_file(gw->span_cfg->general.pid_file);
	if (err)
		log_warn(LOG_GEN, "pid file %s: %s", gw->span_cfg->general.pid_file, strerror(err));
	own_pid_file = !err;
	log_notice(LOG_GEN, "sipgwd %s started (pid %ld): %zu span(s), SIP on %s:%d", PACKAGE_VERSION,
		   (long)getpid(), gw->nspans, gw->span_cfg->general.sip_address,
		   gw->span_cfg->general.sip_port);
	daemon_ready(&ready_fd, 1);
	err = gw_run(gw);
	if (err)
		log_err(LOG_GEN, "event loop: %s", strerror(err));
	else
		rc = 0;
	log_notice(LOG_GEN, "stopped");
out:
	daemon_ready(&ready_fd, 0);
	if (gw) {
		if (own_pid_file)
			unlink(gw->span_cfg->general.pid_file);
		gw_free(gw);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { .path = DEFAULT_CONFIG };
	struct cfg *cfg = NULL;
	char *abspath;
	pid_t other;
	int rc = parse_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	log_open("sipgwd", 1, 0);
	/* A daemon works from /: reloads must find the file it started with. */
	abspath = realpath(o.path, NULL);
	if (abspath)
		o.path = abspath;
	rc = 1;
	if (load_config(o.path, &cfg))
		goto out;
	if (o.check) {
		printf("configuration OK\n");
		cfg_free(cfg);
		rc = 0;
		goto out;
	}
	other = running_pid(cfg->general.pid_file);
	if (other) {
		fprintf(stderr, "sipgwd: already running (pid %ld in %s)\n", (long)other,
			cfg->general.pid_file);
		cfg_free(cfg);
		goto out;
	}
	rc = run(o.path, cfg, &o);
	log_close();
out:
	free(abspath);
	return rc;
}

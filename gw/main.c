/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sipgwd: the SIP gateway daemon. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return errno;
	if (pid > 0)
		_exit(0);
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	struct cfg_errors errs = { 0 };
	struct cfg *cfg = NULL;
	struct gw *gw = NULL;
	int foreground = 0, check = 0, debug = 0, opt, err, rc = 1;

	while ((opt = getopt_long(argc, argv, "c:fndh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': check = 1; break;
		case 'd': debug = 1; break;
		case 'V': printf("sipgwd %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	log_open("sipgwd", 1, 0);
	err = cfg_load(path, &cfg, &errs);
	if (err) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		if (!errs.n)
			fprintf(stderr, "%s: %s\n", path, strerror(err));
		cfg_errors_free(&errs);
		return 1;
	}
	cfg_errors_free(&errs);
	if (check) {
		printf("configuration OK\n");
		cfg_free(cfg);
		return 0;
	}

	log_set_level(debug ? LOG_LVL_DEBUG : cfg->general.log_level);
	if (!foreground) {
		err = daemonize();
		if (err) {
			fprintf(stderr, "sipgwd: cannot daemonize: %s\n", strerror(err));
			cfg_free(cfg);
			return 1;
		}
	}
	log_open("sipgwd", foreground, 1);

	err = gw_new(path, cfg, &gw);
	if (err) {
		log_err(LOG_GEN, "cannot start: %s", strerror(err));
		cfg_free(cfg);
		goto out;
	}
	err = write_pid_file(gw->span_cfg->general.pid_file);
	if (err)
		log_warn(LOG_GEN, "pid file %s: %s", gw->span_cfg->general.pid_file, strerror(err));
	err = gw_start(gw);
	if (err) {
		log_err(LOG_GEN, "cannot start: %s", strerror(err));
		goto out;
	}
	err = gw_run(gw);
	if (err)
		log_err(LOG_GEN, "event loop: %s", strerror(err));
	else
		rc = 0;
	log_notice(LOG_GEN, "stopped");
out:
	if (gw) {
		unlink(gw->span_cfg->general.pid_file);
		gw_free(gw);
	}
	log_close();
	return rc;
}

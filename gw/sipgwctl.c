/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sipgwctl: the status CLI, a small client of sipgwd's control socket.
 *
 * Protocol (server: gw/ctl.c): connect to the AF_UNIX SOCK_STREAM socket,
 * send ONE request line, the command words joined by single spaces with
 * " --json" at the end when asked ("show calls --json\n"); the daemon
 * answers "OK\n" or "ERR <message>\n", then the body, and closes.
 *
 * Exit status: 0 on OK (body on stdout), 1 on ERR (message and body on
 * stderr) or a malformed reply or bad usage, 2 when the daemon cannot be
 * reached (no socket, refused, no answer in time).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/sipgw/sipgwd.sock"
#define REQUEST_MAX 255		/* the server reads at most this per request */
#define REPLY_MAX (16u << 20)	/* more than any reply; guards memory */
#define TIMEOUT_S 10		/* for the whole exchange */

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_UNREACHABLE = 2 };

static const char usage_text[] =
	"usage: sipgwctl [-s SOCK] [--json] COMMAND\n"
	"commands:\n"
	"  status            daemon, spans and call counters\n"
	"  show spans        spans: layer 1/2 state, alarms, slips\n"
	"  show channels     every bearer channel and its call\n"
	"  show calls        calls in progress\n"
	"  show machines     each state machine's counters\n"
	"  reload            read the config again (kept only if valid)\n"
	"  help              the daemon's list of commands\n"
	"options (anywhere on the line):\n"
	"  -s SOCK           control socket (default " DEFAULT_SOCKET ")\n"
	"  --json            the answer as JSON\n"
	"exit status: 0 OK, 1 the daemon said ERR, 2 the daemon cannot be reached\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

/* Append one word to the request; 0 or ENAMETOOLONG/EINVAL. */
static int req_add(char *req, size_t *len, const char *word)
{
	size_t n = strlen(word);

	if (n == 0 || strpbrk(word, " \t\r\n"))
		return EINVAL;
	if (*len + (*len ? 1 : 0) + n + sizeof(" --json\n") > REQUEST_MAX)
		return ENAMETOOLONG;
	if (*len)
		req[(*len)++] = ' ';
	memcpy(req + *len, word, n);
	*len += n;
	req[*len] = '\0';
	return 0;
}

/* Connect to the control socket; 0 or an errno value. */
static int ctl_connect(const char *path, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = TIMEOUT_S };
	int fd, err = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		err = errno;
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		goto out;
	}
	*out = fd;
out:
	if (err)
		close(fd);
	return err;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read until the daemon closes; *buf is NUL-terminated. 0 or errno. */
static int recv_all(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap), *nb;
	int err = 0;

	if (!b)
		return ENOMEM;
	for (;;) {
		ssize_t r;

		if (cap - n < 2) {
			if (cap >= REPLY_MAX) {
				err = EMSGSIZE;
				goto out;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				err = ENOMEM;
				goto out;
			}
			b = nb;
			cap *= 2;
		}
		r = recv(fd, b + n, cap - n - 1, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
out:
	if (err)
		free(b);
	return err;
}

static void write_out(FILE *f, const char *p, size_t n)
{
	if (n)
		fwrite(p, 1, n, f);
}

/* The command words of argv as one request line in req: -1 to go on,
 * else the exit status. */
static int parse_args(int argc, char **argv, const char **path, char *req, size_t *reqlen)
{
	int json = 0, nwords = 0, only_words = 0, err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!only_words && a[0] == '-') {
			if (!strcmp(a, "--json")) {
				json = 1;
			} else if (!strcmp(a, "-s")) {
				if (++i >= argc) {
					fprintf(stderr, "sipgwctl: -s needs a socket path\n");
					usage(stderr);
					return EXIT_ERR;
				}
				*path = argv[i];
			} else if (!strncmp(a, "-s", 2)) {
				*path = a + 2;
			} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				usage(stdout);
				return EXIT_OK;
			} else if (!strcmp(a, "--")) {
				only_words = 1;
			} else {
				fprintf(stderr, "sipgwctl: unknown option %s\n", a);
				usage(stderr);
				return EXIT_ERR;
			}
			continue;
		}
		err = req_add(req, reqlen, a);
		if (err) {
			fprintf(stderr, "sipgwctl: %s: %s\n", a, err == EINVAL ?
				"not a command word" : "request too long");
			return EXIT_ERR;
		}
		nwords++;
	}
	if (!nwords) {
		usage(stderr);
		return EXIT_ERR;
	}
	if (json) {
		memcpy(req + *reqlen, " --json", sizeof(" --json"));
		*reqlen += sizeof(" --json") - 1;
	}
	req[(*reqlen)++] = '\n';
	req[*reqlen] = '\0';
	return -1;
}

/* The reply's status line decides the exit status; its body goes to
 * stdout (OK) or stderr (ERR). */
static int print_reply(const char *path, char *reply, size_t len)
{
	char *body, *nl = memchr(reply, '\n', len);

	body = nl ? nl + 1 : reply + len;
	if (nl)
		*nl = '\0';
	if (!strcmp(reply, "OK")) {
		write_out(stdout, body, len - (size_t)(body - reply));
		return EXIT_OK;
	}
	if (!strncmp(reply, "ERR", 3) && (reply[3] == ' ' || reply[3] == '\0')) {
		fprintf(stderr, "sipgwctl: %s\n", reply[3] ? reply + 4 : "error");
		write_out(stderr, body, len - (size_t)(body - reply));
		return EXIT_ERR;
	}
	fprintf(stderr, "sipgwctl: %s: malformed reply (%s)\n", path,
		len ? "no OK/ERR status line" : "empty");
	return EXIT_ERR;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_SOCKET;
	char req[REQUEST_MAX + 1] = "";
	size_t reqlen = 0, len = 0;
	int fd = -1, err, rc;
	char *reply = NULL;

	rc = parse_args(argc, argv, &path, req, &reqlen);
	if (rc >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	err = ctl_connect(path, &fd);
	if (err) {
		fprintf(stderr, "sipgwctl: cannot connect to %s: %s%s\n", path, strerror(err),
			err == ENOENT || err == ECONNREFUSED ? " (is sipgwd running?)" : "");
		return EXIT_UNREACHABLE;
	}
	err = send_all(fd, req, reqlen);
	if (!err)
		err = recv_all(fd, &reply, &len);
	close(fd);
	if (err) {
		fprintf(stderr, "sipgwctl: %s: %s\n", path,
			err == EAGAIN || err == EWOULDBLOCK ? "no answer in time" : strerror(err));
		return EXIT_UNREACHABLE;
	}
	rc = print_reply(path, reply, len);
	free(reply);
	if (fflush(stdout) == EOF && rc == EXIT_OK)
		rc = EXIT_ERR;
	return rc;
}

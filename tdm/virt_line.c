/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Virtual span sockets (../shared/virt-span.md): what the D-channel side
 * (virt.c, control thread) and the media side (virt_media.c, a worker)
 * share. Each listens on DIR/leaf and takes one line at a time: a second
 * connection while one is up is closed at once (the line retries). The
 * owner says what a connection, a message and a lost line mean.
 */
#include "config.h" /* _GNU_SOURCE: accept4 */

#include "tdm/virt_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int mkdir_p(const char *dir)
{
	char tmp[CFG_PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0770) < 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(tmp, 0770) < 0) {
		if (errno != EEXIST)
			return errno;
		return 0; /* an existing directory keeps its owner's mode */
	}
	/* 0770 whatever the umask: the line runs as another user of the group */
	if (chmod(tmp, 0770) < 0)
		return errno;
	return 0;
}

/* Create dir if missing, remove a stale socket dir/leaf (one nobody
 * listens on any more; EADDRINUSE if a live one answers), bind and listen
 * as AF_UNIX SOCK_SEQPACKET, non-blocking, close-on-exec. Returns the
 * descriptor, or -errno. */
static int listen_on(const char *dir, const char *leaf)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (!dir[0] || (size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, leaf)
	    >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	err = mkdir_p(dir);
	if (err)
		return -err;
	if (lstat(sa.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST; /* not ours to remove */
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (err)
			return -EADDRINUSE; /* someone (another gateway) serves it */
		unlink(sa.sun_path); /* stale */
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static void on_data(int fd, uint32_t events, void *arg)
{
	struct virt_line *l = arg;

	(void)events;
	/* A bounded batch per wakeup so one line cannot starve the loop. */
	for (int i = 0; i < l->batch && l->cfd == fd; i++) {
		ssize_t n = recv(fd, l->buf, l->cap, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			virt_line_drop(l, strerror(errno));
			return;
		}
		if (n == 0) {
			virt_line_drop(l, "closed");
			return;
		}
		l->msg(l->arg, (size_t)n);
	}
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct virt_line *l = arg;
	int nfd, err;

	(void)events;
	nfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn(l->cat, "%s: %s accept: %s", l->span, l->what, strerror(errno));
		return;
	}
	if (l->cfd >= 0) {
		log_warn(l->cat, "%s: second %s line refused (one is connected)", l->span, l->what);
		close(nfd);
		return;
	}
	if (l->hello && l->hello(l->arg, nfd)) {
		close(nfd);
		return;
	}
	err = loop_fd_add(l->loop, nfd, EPOLLIN, on_data, l);
	if (err) {
		log_err(l->cat, "%s: %s: %s", l->span, l->what, strerror(err));
		close(nfd);
		return;
	}
	l->cfd = nfd;
	l->up(l->arg);
}

int virt_line_listen(struct virt_line *l, const char *dir, const char *leaf)
{
	int fd, err;

	l->lfd = l->cfd = -1;
	snprintf(l->path, sizeof(l->path), "%s/%s", dir, leaf);
	fd = listen_on(dir, leaf);
	if (fd < 0)
		return -fd;
	err = loop_fd_add(l->loop, fd, EPOLLIN, on_accept, l);
	if (err) {
		close(fd);
		unlink(l->path);
		return err;
	}
	l->lfd = fd;
	log_info(l->cat, "%s: listening on %s", l->span, l->path);
	return 0;
}

void virt_line_drop(struct virt_line *l, const char *why)
{
	if (l->cfd < 0)
		return;
	loop_fd_del(l->loop, l->cfd);
	close(l->cfd);
	l->cfd = -1;
	l->gone(l->arg, why);
}

void virt_line_close(struct virt_line *l)
{
	if (l->cfd >= 0) {
		loop_fd_del(l->loop, l->cfd);
		close(l->cfd);
		l->cfd = -1;
	}
	if (l->lfd >= 0) {
		loop_fd_del(l->loop, l->lfd);
		close(l->lfd);
		unlink(l->path);
		l->lfd = -1;
	}
}

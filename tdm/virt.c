/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Virtual span, D-channel side (control thread): listens on DIR/dchan
 * (../shared/virt-span.md), one line at a time. Each SEQPACKET message is a
 * Q.921 frame + 2 FCS bytes and goes to libpri through isdn_input(); libpri
 * writes to whichever line is connected now (isdn.c keeps it).
 */
#include "config.h" /* _GNU_SOURCE: accept4 */

#include "tdm/dchan.h"
#include "tdm/virt_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"

struct virt_dchan {
	int lfd;		/* listening */
	int cfd;		/* the line, -1 = none */
	char path[CFG_PATH_MAX + 8];
};

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

int virt_listen(const char *dir, const char *leaf)
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

static void dchan_drop(struct tdm_span *s, const char *why)
{
	struct virt_dchan *v = s->dbe;

	if (v->cfd < 0)
		return;
	log_notice(LOG_ISDN, "%s: D-channel line gone (%s)", s->name, why);
	loop_fd_del(s->loop, v->cfd);
	close(v->cfd);
	v->cfd = -1;
	isdn_attach(s, -1);
}

static void on_data(int fd, uint32_t events, void *arg)
{
	struct tdm_span *s = arg;
	struct virt_dchan *v = s->dbe;
	uint8_t buf[TDM_DFRAME_MAX];

	/* A bounded batch per wakeup so one line cannot starve the loop. */
	for (int i = 0; i < 32 && v->cfd == fd; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			dchan_drop(s, strerror(errno));
			return;
		}
		if (n == 0) {
			dchan_drop(s, "closed");
			return;
		}
		if ((size_t)n > sizeof(buf)) {
			log_warn(LOG_ISDN, "%s: D-channel frame of %zd bytes ignored", s->name, n);
			continue;
		}
		isdn_input(s, buf, (size_t)n);
	}
	(void)events;
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct tdm_span *s = arg;
	struct virt_dchan *v = s->dbe;
	int nfd, err;

	(void)events;
	nfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn(LOG_ISDN, "%s: D-channel accept: %s", s->name, strerror(errno));
		return;
	}
	if (v->cfd >= 0) {
		log_warn(LOG_ISDN, "%s: second D-channel line refused (one is connected)", s->name);
		close(nfd);
		return;
	}
	err = loop_fd_add(s->loop, nfd, EPOLLIN, on_data, s);
	if (err) {
		log_err(LOG_ISDN, "%s: D-channel: %s", s->name, strerror(err));
		close(nfd);
		return;
	}
	v->cfd = nfd;
	log_notice(LOG_ISDN, "%s: D-channel line connected on %s", s->name, v->path);
	isdn_attach(s, nfd);
}

static int virt_start(struct tdm_span *s)
{
	struct virt_dchan *v;
	int fd, err;

	if (s->dbe)
		return EALREADY;
	v = calloc(1, sizeof(*v));
	if (!v)
		return ENOMEM;
	v->cfd = -1;
	snprintf(v->path, sizeof(v->path), "%s/dchan", s->cfg.directory);
	fd = virt_listen(s->cfg.directory, "dchan");
	if (fd < 0) {
		free(v);
		return -fd;
	}
	v->lfd = fd;
	err = loop_fd_add(s->loop, fd, EPOLLIN, on_accept, s);
	if (err) {
		close(fd);
		unlink(v->path);
		free(v);
		return err;
	}
	s->dbe = v;
	log_info(LOG_ISDN, "%s: listening on %s", s->name, v->path);
	return 0;
}

static void virt_free(struct tdm_span *s)
{
	struct virt_dchan *v = s->dbe;

	if (!v)
		return;
	if (v->cfd >= 0) {
		loop_fd_del(s->loop, v->cfd);
		close(v->cfd);
	}
	loop_fd_del(s->loop, v->lfd);
	close(v->lfd);
	unlink(v->path);
	free(v);
	s->dbe = NULL;
}

const struct tdm_dchan_ops tdm_virt_dchan_ops = {
	.name = "virt",
	.start = virt_start,
	.free = virt_free,
};

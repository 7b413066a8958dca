/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Virtual span, D-channel side (control thread): listens on DIR/dchan
 * (../shared/virt-span.md), one line at a time. Each SEQPACKET message is a
 * Q.921 frame + 2 FCS bytes and goes to libpri through isdn_input(); libpri
 * writes to whichever line is connected now (isdn.c keeps it).
 */
#include "tdm/dchan.h"
#include "tdm/virt_int.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/log.h"

struct virt_dchan {
	struct tdm_span *s;
	struct virt_line line;
	uint8_t buf[TDM_DFRAME_MAX];
};

static void dchan_up(void *arg)
{
	struct virt_dchan *v = arg;

	log_notice(LOG_ISDN, "%s: D-channel line connected on %s", v->s->name, v->line.path);
	isdn_attach(v->s, v->line.cfd);
}

static void dchan_msg(void *arg, size_t n)
{
	struct virt_dchan *v = arg;

	if (n > sizeof(v->buf)) {
		log_warn(LOG_ISDN, "%s: D-channel frame of %zu bytes ignored", v->s->name, n);
		return;
	}
	isdn_input(v->s, v->buf, n);
}

static void dchan_gone(void *arg, const char *why)
{
	struct virt_dchan *v = arg;

	log_notice(LOG_ISDN, "%s: D-channel line gone (%s)", v->s->name, why);
	isdn_attach(v->s, -1);
}

static int virt_start(struct tdm_span *s)
{
	struct virt_dchan *v;
	int err;

	if (s->dbe)
		return EALREADY;
	v = calloc(1, sizeof(*v));
	if (!v)
		return ENOMEM;
	v->s = s;
	v->line = (struct virt_line){
		.loop = s->loop, .span = s->name, .what = "D-channel", .cat = LOG_ISDN,
		.batch = 32, .buf = v->buf, .cap = sizeof(v->buf),
		.up = dchan_up, .msg = dchan_msg, .gone = dchan_gone, .arg = v,
	};
	err = virt_line_listen(&v->line, s->cfg.directory, "dchan");
	if (err) {
		free(v);
		return err;
	}
	s->dbe = v;
	return 0;
}

static void virt_free(struct tdm_span *s)
{
	struct virt_dchan *v = s->dbe;

	if (!v)
		return;
	virt_line_close(&v->line);
	free(v);
	s->dbe = NULL;
}

const struct tdm_dchan_ops tdm_virt_dchan_ops = {
	.name = "virt",
	.start = virt_start,
	.free = virt_free,
};

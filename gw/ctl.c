/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"
#include "gw/ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gw/gw.h"
#include "gw/media.h"
#include "lib/fsm.h"
#include "lib/log.h"

#define REQ_MAX 256
#define CLIENT_TIMEOUT_MS 2000

struct gw_ctl {
	struct gw *gw;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
};

/* One connection: read one line (with a deadline), answer, close. */
struct ctl_client {
	struct gw_ctl *ctl;
	int fd;
	char req[REQ_MAX];
	size_t len;
	struct loop_timer *timer;
	char *out;		/* the reply, written as the socket takes it */
	size_t out_len, out_off;
};

/* ---- a growing reply buffer ---- */

struct reply {
	char *s;
	size_t len, cap;
	int oom;
};

static void rprintf(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rprintf(struct reply *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->oom)
		return;
	for (;;) {
		size_t room = r->cap - r->len;
		va_start(ap, fmt);
		n = vsnprintf(r->s ? r->s + r->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			r->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			r->len += n;
			return;
		}
		size_t cap = r->cap ? r->cap * 2 : 1024;
		while (cap - r->len <= (size_t)n)
			cap *= 2;
		char *s = realloc(r->s, cap);
		if (!s) {
			r->oom = 1;
			return;
		}
		r->s = s;
		r->cap = cap;
	}
}

/* A JSON string literal (the values here are numbers, names, Call-IDs). */
static void rjson(struct reply *r, const char *v)
{
	rprintf(r, "\"");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			rprintf(r, "\\%c", *p);
		else if (*p < 0x20)
			rprintf(r, "\\u%04x", *p);
		else
			rprintf(r, "%c", *p);
	}
	rprintf(r, "\"");
}

/* ---- commands ---- */

static void cmd_status(struct gw *gw, struct reply *r, int json)
{
	size_t up = 0;
	uint64_t uptime = (loop_now_ms() - gw->start_ms) / 1000;
	struct sip_ua_stats ss;

	sip_ua_stats(gw->ua, &ss);
	for (size_t i = 0; i < gw->nspans; i++)
		up += tdm_span_is_up(gw->spans[i].ts) ? 1 : 0;
	if (json) {
		rprintf(r, "{\"version\":\"%s\",\"uptime_s\":%llu,\"spans\":%zu,\"spans_up\":%zu,"
			   "\"calls\":%zu,\"calls_total\":%llu,\"calls_answered\":%llu,"
			   "\"calls_failed\":%llu,\"digits_to_sip\":%llu,\"digits_to_isdn\":%llu,"
			   "\"media_workers\":%d,\"sip_dialogs\":%zu,\"sip_transactions\":%zu,"
			   "\"config\":",
			PACKAGE_VERSION, (unsigned long long)uptime, gw->nspans, up, gw->ncalls,
			(unsigned long long)gw->calls_total, (unsigned long long)gw->calls_answered,
			(unsigned long long)gw->calls_failed, (unsigned long long)gw->digits_to_sip,
			(unsigned long long)gw->digits_to_card, gw_media_nworkers(gw->media), ss.calls,
			ss.transactions);
		rjson(r, gw->cfg_path);
		rprintf(r, ",\"trunks\":[");
		for (struct gw_trunk *t = gw_trunk_next(gw, NULL); t; t = gw_trunk_next(gw, t)) {
			struct gw_trunk_info ti;
			gw_trunk_get_info(t, &ti);
			rprintf(r, "%s{\"name\":", t == gw_trunk_next(gw, NULL) ? "" : ",");
			rjson(r, ti.name);
			rprintf(r, ",\"host\":");
			rjson(r, ti.host);
			rprintf(r, ",\"port\":%d,\"state\":\"%s\",\"options_status\":%d,\"rtt_ms\":%d}",
				ti.port, ti.state, ti.last_code, ti.rtt_ms);
		}
		rprintf(r, "]}\n");
		return;
	}
	rprintf(r, "sipgwd %s, up %llus, config %s\n", PACKAGE_VERSION, (unsigned long long)uptime,
		gw->cfg_path);
	rprintf(r, "spans:  %zu up of %zu\n", up, gw->nspans);
	rprintf(r, "calls:  %zu active, %llu total, %llu answered, %llu failed\n", gw->ncalls,
		(unsigned long long)gw->calls_total, (unsigned long long)gw->calls_answered,
		(unsigned long long)gw->calls_failed);
	rprintf(r, "dtmf:   %llu to SIP, %llu to ISDN\n", (unsigned long long)gw->digits_to_sip,
		(unsigned long long)gw->digits_to_card);
	rprintf(r, "sip:    %zu dialogs, %zu transactions (with those ending)\n", ss.calls,
		ss.transactions);
	rprintf(r, "media:  %d worker(s)\n", gw_media_nworkers(gw->media));
	for (struct gw_trunk *t = gw_trunk_next(gw, NULL); t; t = gw_trunk_next(gw, t)) {
		struct gw_trunk_info ti;
		gw_trunk_get_info(t, &ti);
		rprintf(r, "trunk:  %s %s:%d %s", ti.name, ti.host, ti.port, ti.state);
		if (ti.last_code)
			rprintf(r, " (OPTIONS %d in %d ms, %llus ago)", ti.last_code, ti.rtt_ms,
				(unsigned long long)ti.age_s);
		rprintf(r, "\n");
	}
}

/* Each machine's counters (lib/fsm): how many instances it made, has now,
 * ended, failed, how many events it refused, timers that expired. */
static void cmd_machines(struct reply *r, int json)
{
	const struct fsm_def *defs[] = { gw_call_machine(), tdm_call_machine(), sip_call_machine() };

	if (json)
		rprintf(r, "[");
	else
		rprintf(r, "%-10s %8s %5s %8s %7s %8s %8s %11s\n", "MACHINE", "CREATED", "LIVE",
			"ENDED", "FAILED", "REFUSED", "TIMEOUTS", "TRANSITIONS");
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		const struct fsm_counters *n = defs[i]->counters;
		static const struct fsm_counters none;

		if (!n)
			n = &none;
		if (json) {
			rprintf(r, "%s{\"machine\":", i ? "," : "");
			rjson(r, defs[i]->name);
			rprintf(r, ",\"created\":%llu,\"live\":%u,\"ended\":%llu,\"failed\":%llu,"
				   "\"refused\":%llu,\"timeouts\":%llu,\"transitions\":%llu}",
				(unsigned long long)n->created, n->live, (unsigned long long)n->ended,
				(unsigned long long)n->failed, (unsigned long long)n->refused,
				(unsigned long long)n->timeouts, (unsigned long long)n->transitions);
			continue;
		}
		rprintf(r, "%-10s %8llu %5u %8llu %7llu %8llu %8llu %11llu\n", defs[i]->name,
			(unsigned long long)n->created, n->live, (unsigned long long)n->ended,
			(unsigned long long)n->failed, (unsigned long long)n->refused,
			(unsigned long long)n->timeouts, (unsigned long long)n->transitions);
	}
	if (json)
		rprintf(r, "]\n");
}

static void cmd_spans(struct gw *gw, struct reply *r, int json)
{
	if (json)
		rprintf(r, "[");
	else
		rprintf(r, "%-5s %-40s %-6s %-5s %-5s %-6s %-8s %-9s %-8s %s\n", "SPAN", "NAME",
			"STATE", "L2", "MEDIA", "ALARM", "CHANNELS", "BUSY", "SLIPS", "FRAMES");
	for (size_t i = 0; i < gw->nspans; i++) {
		struct tdm_span_status st;
		struct tdm_media_stats ms;
		tdm_span_status(gw->spans[i].ts, &st);
		gw_media_span_stats(gw->media, st.id, &ms);
		if (json) {
			rprintf(r, "%s{\"span\":%d,\"name\":", i ? "," : "", st.id);
			rjson(r, st.name);
			rprintf(r, ",\"driver\":\"%s\",\"signalling\":\"%s\",\"switchtype\":\"%s\","
				   "\"up\":%s,\"dchan_up\":%s,\"media_up\":%s,\"alarm\":\"%s\","
				   "\"channels\":%d,\"busy\":%d,\"calls_in\":%llu,\"calls_out\":%llu,"
				   "\"frames\":%llu,\"slips\":%llu,\"bad_messages\":%llu,"
				   "\"underruns\":%llu,\"overruns\":%llu}",
				st.driver, st.signalling, st.switchtype, st.up ? "true" : "false",
				st.dchan_up ? "true" : "false", st.media_up ? "true" : "false",
				tdm_alarm_name(st.alarm), st.nchannels, st.nbusy,
				(unsigned long long)st.calls_in, (unsigned long long)st.calls_out,
				(unsigned long long)ms.frames, (unsigned long long)ms.slips,
				(unsigned long long)ms.bad, (unsigned long long)ms.underruns,
				(unsigned long long)ms.overruns);
		} else {
			rprintf(r, "%-5d %-40s %-6s %-5s %-5s %-6s %-8d %-9d %-8llu %llu\n", st.id,
				st.name, st.up ? "up" : "down", st.dchan_up ? "up" : "down",
				st.media_up ? "up" : "down", tdm_alarm_name(st.alarm), st.nchannels,
				st.nbusy, (unsigned long long)ms.slips,
				(unsigned long long)ms.frames);
		}
	}
	rprintf(r, json ? "]\n" : "");
}

static const char *chan_state_name(enum tdm_chan_state s)
{
	switch (s) {
	case TDM_CHAN_IDLE: return "idle";
	case TDM_CHAN_BUSY: return "busy";
	case TDM_CHAN_OOS: return "out-of-service";
	default: return "unused";
	}
}

static struct gw_call *call_on(struct gw *gw, int span_id, int chan)
{
	struct gw_call_info ci;

	for (struct gw_call *c = gw_call_next(gw, NULL); c; c = gw_call_next(gw, c)) {
		gw_call_get_info(c, &ci);
		if (ci.span_id == span_id && ci.chan == chan)
			return c;
	}
	return NULL;
}

static void cmd_channels(struct gw *gw, struct reply *r, int json)
{
	int first = 1;

	if (json)
		rprintf(r, "[");
	else
		rprintf(r, "%-8s %-15s %s\n", "CHANNEL", "STATE", "CALL");
	for (size_t i = 0; i < gw->nspans; i++) {
		int id = gw->spans[i].cfg->id;
		for (int ch = 1; ch <= CFG_MAX_CHANNELS; ch++) {
			enum tdm_chan_state s = tdm_span_chan_state(gw->spans[i].ts, ch);
			struct gw_call *c;
			struct gw_call_info ci = { 0 };
			if (s == TDM_CHAN_UNUSED)
				continue;
			c = call_on(gw, id, ch);
			if (c)
				gw_call_get_info(c, &ci);
			if (json) {
				rprintf(r, "%s{\"span\":%d,\"channel\":%d,\"state\":\"%s\",\"call\":%u}",
					first ? "" : ",", id, ch, chan_state_name(s), ci.id);
				first = 0;
			} else {
				char name[24], call[16] = "-";
				snprintf(name, sizeof(name), "%d/%d", id, ch);
				if (c)
					snprintf(call, sizeof(call), "%u", ci.id);
				rprintf(r, "%-8s %-15s %s\n", name, chan_state_name(s), call);
			}
		}
	}
	rprintf(r, json ? "]\n" : "");
}

static void cmd_calls(struct gw *gw, struct reply *r, int json)
{
	int first = 1;

	if (json)
		rprintf(r, "[");
	else
		rprintf(r, "%-5s %-10s %-13s %-8s %-18s %-18s %-7s %-6s %s\n", "CALL", "DIRECTION",
			"STATE", "CHANNEL", "FROM", "TO", "AGE", "DTMF", "CALL-ID");
	for (struct gw_call *c = gw_call_next(gw, NULL); c; c = gw_call_next(gw, c)) {
		struct gw_call_info ci;
		gw_call_get_info(c, &ci);
		if (json) {
			rprintf(r, "%s{\"call\":%u,\"direction\":\"%s\",\"state\":\"%s\",\"span\":%d,"
				   "\"channel\":%d,\"from\":",
				first ? "" : ",", ci.id, ci.direction, ci.state, ci.span_id, ci.chan);
			rjson(r, ci.calling);
			rprintf(r, ",\"to\":");
			rjson(r, ci.called);
			rprintf(r, ",\"age_ms\":%llu,\"answered_ms\":%llu,\"digits\":%u,\"call_id\":",
				(unsigned long long)ci.age_ms, (unsigned long long)ci.answered_ms,
				ci.digits);
			rjson(r, ci.call_id);
			rprintf(r, "}");
			first = 0;
		} else {
			char chan[24], age[24];
			snprintf(chan, sizeof(chan), "%d/%d", ci.span_id, ci.chan);
			snprintf(age, sizeof(age), "%llus", (unsigned long long)(ci.age_ms / 1000));
			rprintf(r, "%-5u %-10s %-13s %-8s %-18s %-18s %-7s %-6u %s\n", ci.id, ci.direction,
				ci.state, chan, ci.calling[0] ? ci.calling : "-",
				ci.called[0] ? ci.called : "-", age, ci.digits, ci.call_id);
		}
	}
	rprintf(r, json ? "]\n" : "");
}

static int cmd_reload(struct gw *gw, struct reply *r)
{
	struct cfg_errors errs = { 0 };
	int err = gw_reload(gw, &errs);

	for (size_t i = 0; i < errs.n; i++)
		rprintf(r, "%s\n", errs.msgs[i]);
	cfg_errors_free(&errs);
	return err;
}

static const char help_text[] =
	"status            daemon, spans and call counters\n"
	"show spans        spans: layer 1/2 state, alarms, slips\n"
	"show channels     every bearer channel and its call\n"
	"show calls        calls in progress\n"
	"show machines     each state machine's counters\n"
	"reload            read the config again (kept only if valid)\n"
	"--json            the same as JSON\n";

/* Build the whole answer, status line first. */
static void handle(struct gw_ctl *ctl, char *req, struct reply *out)
{
	struct reply body = { 0 };
	char *words[8];
	int nw = 0, json = 0, ok = 1;
	char *save = NULL;
	char err[128] = "";

	for (char *w = strtok_r(req, " \t\r\n", &save); w && nw < 8; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (!strcmp(w, "--json"))
			json = 1;
		else
			words[nw++] = w;
	}
	log_debug(LOG_CTL, "request: %s%s%s", nw ? words[0] : "", nw > 1 ? " " : "",
		  nw > 1 ? words[1] : "");
	if (nw == 1 && !strcmp(words[0], "status"))
		cmd_status(ctl->gw, &body, json);
	else if (nw == 2 && !strcmp(words[0], "show") && !strcmp(words[1], "spans"))
		cmd_spans(ctl->gw, &body, json);
	else if (nw == 2 && !strcmp(words[0], "show") && !strcmp(words[1], "channels"))
		cmd_channels(ctl->gw, &body, json);
	else if (nw == 2 && !strcmp(words[0], "show") && !strcmp(words[1], "calls"))
		cmd_calls(ctl->gw, &body, json);
	else if (nw == 2 && !strcmp(words[0], "show") && !strcmp(words[1], "machines"))
		cmd_machines(&body, json);
	else if (nw == 1 && !strcmp(words[0], "reload")) {
		if (cmd_reload(ctl->gw, &body)) {
			ok = 0;
			snprintf(err, sizeof(err), "config not valid: the running config stays");
		} else {
			rprintf(&body, json ? "{\"reloaded\":true}\n" : "reloaded\n");
		}
	} else if (nw == 1 && !strcmp(words[0], "help"))
		rprintf(&body, "%s", help_text);
	else {
		ok = 0;
		snprintf(err, sizeof(err), "unknown command (try: help)");
	}
	if (ok)
		rprintf(out, "OK\n");
	else
		rprintf(out, "ERR %s\n", err);
	if (body.len)
		rprintf(out, "%.*s", (int)body.len, body.s);
	free(body.s);
}

static void client_free(struct ctl_client *cl)
{
	loop_fd_del(cl->ctl->gw->loop, cl->fd);
	close(cl->fd);
	loop_timer_free(cl->timer);
	free(cl->out);
	free(cl);
}

static void client_timeout(void *arg)
{
	struct ctl_client *cl = arg;

	log_info(LOG_CTL, cl->out ? "client did not read its reply in time: closed"
				  : "client sent no complete request in time: closed");
	client_free(cl);
}

/* As much of the reply as the socket takes now, never waiting: this is the
 * main loop, whose calls must not stall behind a slow client. The client
 * reads until EOF; the rest goes when the socket is writable again. */
static void client_write(int fd, uint32_t events, void *arg)
{
	struct ctl_client *cl = arg;

	(void)events;
	while (cl->out_off < cl->out_len) {
		ssize_t w = write(fd, cl->out + cl->out_off, cl->out_len - cl->out_off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0)
			break;
		cl->out_off += (size_t)w;
	}
	client_free(cl);
}

static void client_read(int fd, uint32_t events, void *arg)
{
	struct ctl_client *cl = arg;
	ssize_t n;
	char *nl;

	(void)events;
	n = read(fd, cl->req + cl->len, sizeof(cl->req) - 1 - cl->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_free(cl);
		return;
	}
	cl->len += n;
	cl->req[cl->len] = '\0';
	nl = strchr(cl->req, '\n');
	if (!nl && cl->len < sizeof(cl->req) - 1)
		return;
	struct reply out = { 0 };
	if (!nl) {
		rprintf(&out, "ERR request too long\n");
	} else {
		*nl = '\0';
		handle(cl->ctl, cl->req, &out);
	}
	if (out.oom) {
		free(out.s);
		client_free(cl);
		return;
	}
	cl->out = out.s;
	cl->out_len = out.len;
	loop_fd_del(cl->ctl->gw->loop, fd);
	if (loop_fd_add(cl->ctl->gw->loop, fd, EPOLLOUT, client_write, cl)) {
		client_free(cl);
		return;
	}
	loop_timer_start(cl->timer, CLIENT_TIMEOUT_MS);
	client_write(fd, EPOLLOUT, cl);
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct gw_ctl *ctl = arg;
	struct ctl_client *cl;
	int c;

	(void)events;
	c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	cl = calloc(1, sizeof(*cl));
	if (!cl || loop_timer_new(ctl->gw->loop, client_timeout, cl, &cl->timer)) {
		free(cl);
		close(c);
		return;
	}
	cl->ctl = ctl;
	cl->fd = c;
	if (loop_fd_add(ctl->gw->loop, c, EPOLLIN, client_read, cl)) {
		loop_timer_free(cl->timer);
		free(cl);
		close(c);
		return;
	}
	loop_timer_start(cl->timer, CLIENT_TIMEOUT_MS);
}

int gw_ctl_new(struct gw *gw, const char *path, struct gw_ctl **out)
{
	struct gw_ctl *ctl;

	if (strlen(path) >= sizeof(ctl->path))
		return ENAMETOOLONG;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return ENOMEM;
	ctl->gw = gw;
	ctl->fd = -1;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	*out = ctl;
	return 0;
}

/* mkdir -p for the socket's directory. */
static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return errno;
	return 0;
}

int gw_ctl_start(struct gw_ctl *ctl)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	err = make_parent_dir(ctl->path);
	if (err)
		return err;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctl->path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		return errno;
	unlink(ctl->path);
	if (bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ctl->fd, 16) < 0) {
		err = errno;
		goto out;
	}
	chmod(ctl->path, 0660);
	err = loop_fd_add(ctl->gw->loop, ctl->fd, EPOLLIN, on_accept, ctl);
	if (err)
		goto out;
	log_info(LOG_CTL, "control socket %s", ctl->path);
	return 0;
out:
	close(ctl->fd);
	ctl->fd = -1;
	return err;
}

void gw_ctl_free(struct gw_ctl *ctl)
{
	if (!ctl)
		return;
	if (ctl->fd >= 0) {
		loop_fd_del(ctl->gw->loop, ctl->fd);
		close(ctl->fd);
		unlink(ctl->path);
	}
	free(ctl);
}

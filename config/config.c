/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config/config: defaults, the checks that span sections (references from
 * routes, D-channel against bearer channels, ...), and the public API of
 * config.h. The INI reading itself is in parse.c.
 */
#include "config/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "lib/log.h"

/* config/local.mk passes the package version from configure. */
#ifndef SIPGW_VERSION
#define SIPGW_VERSION "0.1.0"
#endif

/* ---- addresses ---- */

int cfg_parse_ip(const char *s, int *af, unsigned char buf[16])
{
	char tmp[64];
	size_t len = strlen(s);
	const char *pct;

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	pct = memchr(s, '%', len);	/* IPv6 zone: "fe80::1%eth0" */
	if (pct)
		len = (size_t)(pct - s);
	if (len == 0 || len >= sizeof(tmp))
		return EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (!pct && inet_pton(AF_INET, tmp, buf) == 1) {
		*af = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, buf) == 1) {
		*af = 6;
		return 0;
	}
	return EINVAL;
}

/* ::ffff:a.b.c.d (what a dual-stack socket reports) -> a.b.c.d */
static void unmap_v4(int *af, unsigned char buf[16], int *plen)
{
	static const unsigned char pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (*af == 6 && !memcmp(buf, pfx, 12) && (!plen || *plen >= 96)) {
		memmove(buf, buf + 12, 4);
		*af = 4;
		if (plen)
			*plen -= 96;
	}
}

int cfg_trunk_allows(const struct cfg_trunk *t, const char *addr)
{
	unsigned char a[16];
	int af;

	if (!t || !addr || cfg_parse_ip(addr, &af, a))
		return 0;
	unmap_v4(&af, a, NULL);
	for (size_t i = 0; i < t->nallow; i++) {
		unsigned char n[16];
		int naf, plen, full, rest;

		if (cfg_parse_cidr(t->allow[i], &naf, n, &plen))
			continue;
		unmap_v4(&naf, n, &plen);
		if (naf != af)
			continue;
		full = plen / 8;
		rest = plen % 8;
		if (memcmp(a, n, (size_t)full))
			continue;
		if (rest) {
			unsigned char mask = (unsigned char)(0xff << (8 - rest));

			if ((a[full] & mask) != (n[full] & mask))
				continue;
		}
		return 1;
	}
	return 0;
}

/* ---- defaults and checks ---- */

#define KL(p, sec, i, key) ((p)->x[sec][i].keyline[cfg_key_index(sec, key)])

static void defaults_general(struct cfg *c)
{
	struct cfg_general *g = &c->general;
	struct cfg_numbering *n = &c->numbering;

	strcpy(g->sip_address, "127.0.0.1");
	g->sip_port = 5060;
	g->rtp_port_min = 10000;
	g->rtp_port_max = 20000;
	strcpy(g->control_socket, "/run/sipgw/sipgwd.sock");
	strcpy(g->pid_file, "/run/sipgw/sipgwd.pid");
	g->log_level = LOG_LVL_INFO;
	g->media_workers = 0;
	g->media_priority = 10;
	g->no_answer_timeout = 180;
	g->sip_timer_c = 180;
	g->retry_after = 5;
	g->sip_t1 = 500;
	g->sip_t2 = 4000;
	g->rtp_timeout = 60;
	g->telephone_event_pt = 101;
	snprintf(g->user_agent, sizeof(g->user_agent), "sipgw/%s", SIPGW_VERSION);
	strcpy(n->national_prefix, "0");
	strcpy(n->international_prefix, "00");
	n->ton_out = CFG_TON_OUT_NATIONAL;
}

static void check_general(struct cfg_parser *p)
{
	struct cfg_general *g = &p->cfg->general;
	struct cfg_numbering *n = &p->cfg->numbering;
	int lmin = p->general_x.keyline[cfg_key_index(CFG_SEC_GENERAL, "rtp_port_min")];
	int lmax = p->general_x.keyline[cfg_key_index(CFG_SEC_GENERAL, "rtp_port_max")];
	int lcc = p->numbering_x.keyline[cfg_key_index(CFG_SEC_NUMBERING, "country_code")];
	int lt1 = p->general_x.keyline[cfg_key_index(CFG_SEC_GENERAL, "sip_t1")];
	int lt2 = p->general_x.keyline[cfg_key_index(CFG_SEC_GENERAL, "sip_t2")];

	if (!p->general_x.keyline[cfg_key_index(CFG_SEC_GENERAL, "rtp_address")])
		strcpy(g->rtp_address, g->sip_address);
	if (g->rtp_port_min >= g->rtp_port_max)
		cfg_perr(p, lmax > lmin ? lmax : lmin,
			 "rtp_port_min (%d) must be less than rtp_port_max (%d)",
			 g->rtp_port_min, g->rtp_port_max);
	if (g->sip_t2 < g->sip_t1)
		cfg_perr(p, lt2 ? lt2 : lt1, "sip_t2 (%d ms) must not be less than sip_t1 (%d ms): RFC 3261 "
			 "section 17.1.2.2 caps retransmission at T2", g->sip_t2, g->sip_t1);
	if (lcc && n->country_code[0] == '0')
		cfg_perr(p, lcc, "invalid country_code '%s' in [numbering]: expected 1 to 3 "
			 "digits, not starting with 0", n->country_code);
}

static int max_timeslot(const struct cfg_span *s)
{
	return s->type == CFG_SPAN_T1 ? 24 : 31;
}

static void check_span(struct cfg_parser *p, size_t i)
{
	struct cfg_span *s = &p->cfg->spans[i];
	const char *tname;
	int l_ch = KL(p, CFG_SEC_SPAN, i, "channels");
	int l_dch = KL(p, CFG_SEC_SPAN, i, "dchannel");
	int max;

	if (!KL(p, CFG_SEC_SPAN, i, "type"))
		s->type = CFG_SPAN_E1;
	tname = s->type == CFG_SPAN_T1 ? "T1" : "E1";
	max = max_timeslot(s);
	if (!KL(p, CFG_SEC_SPAN, i, "law"))
		s->law = s->type == CFG_SPAN_T1 ? CFG_LAW_ULAW : CFG_LAW_ALAW;
	if (!KL(p, CFG_SEC_SPAN, i, "switchtype"))
		s->switchtype = s->type == CFG_SPAN_T1 ? CFG_SWITCH_NI2 : CFG_SWITCH_EUROISDN_E1;
	if (!l_ch)
		s->channels = s->type == CFG_SPAN_T1 ? 0x00fffffeu /* 1-23 */
						     : 0xfffefffeu /* 1-15,17-31 */;
	if (!l_dch)
		s->dchannel = s->type == CFG_SPAN_T1 ? 24 : 16;
	if (!KL(p, CFG_SEC_SPAN, i, "group"))
		snprintf(s->group, sizeof(s->group), "span%d", s->id);
	if (!KL(p, CFG_SEC_SPAN, i, "echo_cancel"))
		s->echo_cancel = 1;
	if (!KL(p, CFG_SEC_SPAN, i, "echo_tail_ms"))
		s->echo_tail_ms = 128;
	if (!KL(p, CFG_SEC_SPAN, i, "chunk_ms"))
		s->chunk_ms = 20;

	if (l_ch && ((uint64_t)s->channels >> (max + 1))) {
		int bad = max + 1;

		while (!(s->channels & (UINT32_C(1) << bad)))
			bad++;
		cfg_perr(p, l_ch, "span %d: channel %d out of range for %s (1-%d)",
			 s->id, bad, tname, max);
	}
	if (s->dchannel > max)
		cfg_perr(p, l_dch ? l_dch : s->line,
			 "span %d: dchannel %d out of range for %s (1-%d)",
			 s->id, s->dchannel, tname, max);
	else if (s->channels & (UINT32_C(1) << s->dchannel))
		cfg_perr(p, l_dch ? l_dch : (l_ch ? l_ch : s->line),
			 "span %d: dchannel %d is also listed in channels",
			 s->id, s->dchannel);

	/* The media path frames RTP at 20 ms (ptime 20) and sizes its jitter
	 * buffer to the chunk: other chunks need repacketising it lacks. */
	if (s->chunk_ms != 20) {
		int l_chunk = KL(p, CFG_SEC_SPAN, i, "chunk_ms");
		cfg_perr(p, l_chunk ? l_chunk : s->line,
			 "span %d: chunk_ms %d is not supported yet (only 20)", s->id, s->chunk_ms);
	}
	if (s->driver == CFG_DRIVER_VIRT && !s->directory[0])
		cfg_perr(p, s->line, "span %d: driver virt needs 'directory'", s->id);
	if (s->driver == CFG_DRIVER_DAHDI && !s->dahdi_base)
		cfg_perr(p, s->line, "span %d: driver dahdi needs 'dahdi_base'", s->id);

	for (size_t j = 0; j < i; j++) {
		const struct cfg_span *o = &p->cfg->spans[j];

		if (s->driver == CFG_DRIVER_VIRT && o->driver == CFG_DRIVER_VIRT &&
		    s->directory[0] && !strcmp(s->directory, o->directory))
			cfg_perr(p, KL(p, CFG_SEC_SPAN, i, "directory"),
				 "span %d: directory '%s' is already used by span %d",
				 s->id, s->directory, o->id);
		if (s->driver == CFG_DRIVER_DAHDI && o->driver == CFG_DRIVER_DAHDI &&
		    s->dahdi_base && o->dahdi_base &&
		    s->dahdi_base < o->dahdi_base + max_timeslot(o) &&
		    o->dahdi_base < s->dahdi_base + max)
			cfg_perr(p, KL(p, CFG_SEC_SPAN, i, "dahdi_base"),
				 "span %d: DAHDI channels %d-%d overlap those of span %d (%d-%d)",
				 s->id, s->dahdi_base, s->dahdi_base + max - 1, o->id,
				 o->dahdi_base, o->dahdi_base + max_timeslot(o) - 1);
	}
}

static void check_trunk(struct cfg_parser *p, size_t i)
{
	struct cfg_trunk *t = &p->cfg->trunks[i];
	unsigned char buf[16];
	int af;

	if (!KL(p, CFG_SEC_TRUNK, i, "port"))
		t->port = 5060;
	if (!KL(p, CFG_SEC_TRUNK, i, "qualify"))
		t->qualify_s = 60;
	if (!t->host[0]) {
		if (!KL(p, CFG_SEC_TRUNK, i, "host"))
			cfg_perr(p, t->line, "trunk '%s': missing 'host'", t->name);
		return;
	}
	if (!t->domain[0])
		strcpy(t->domain, t->host);
	if (!KL(p, CFG_SEC_TRUNK, i, "allow") && cfg_parse_ip(t->host, &af, buf) == 0) {
		strcpy(t->allow[0], t->host);
		t->nallow = 1;
	}
}

static int group_exists(const struct cfg *c, const char *name)
{
	for (size_t i = 0; i < c->nspans; i++)
		if (!strcmp(c->spans[i].group, name))
			return 1;
	return 0;
}

static void check_route(struct cfg_parser *p, size_t i)
{
	struct cfg_route *r = &p->cfg->routes[i];
	int lf = KL(p, CFG_SEC_ROUTE, i, "from"), lt = KL(p, CFG_SEC_ROUTE, i, "to");
	const struct {
		int line;
		enum cfg_endpoint_kind kind;
		const char *name;
	} ep[2] = { { lf, r->from_kind, r->from }, { lt, r->to_kind, r->to } };

	/* a key that was there but wrong has been reported already */
	if (!r->from[0] && !lf)
		cfg_perr(p, r->line, "route '%s': missing 'from'", r->name);
	if (!r->to[0] && !lt)
		cfg_perr(p, r->line, "route '%s': missing 'to'", r->name);
	for (int e = 0; e < 2; e++) {
		if (!ep[e].name[0])
			continue;
		if (ep[e].kind == CFG_EP_TRUNK && !cfg_trunk_by_name(p->cfg, ep[e].name))
			cfg_perr(p, ep[e].line, "route '%s': unknown trunk '%s'", r->name,
				 ep[e].name);
		if (ep[e].kind == CFG_EP_GROUP && !group_exists(p->cfg, ep[e].name))
			cfg_perr(p, ep[e].line, "route '%s': unknown group '%s'", r->name,
				 ep[e].name);
	}
	if (r->from[0] && r->to[0] && r->from_kind == r->to_kind)
		cfg_perr(p, lt > lf ? lt : lf, "route '%s': from and to are both %ss "
			 "(a route joins a span group and a trunk)", r->name,
			 r->from_kind == CFG_EP_GROUP ? "group" : "trunk");
}

static void check(struct cfg_parser *p)
{
	check_general(p);
	for (size_t i = 0; i < p->cfg->nspans; i++)
		check_span(p, i);
	for (size_t i = 0; i < p->cfg->ntrunks; i++)
		check_trunk(p, i);
	for (size_t i = 0; i < p->cfg->nroutes; i++)
		check_route(p, i);
}

/* ---- load ---- */

static int err_cmp(const void *a, const void *b)
{
	const struct cfg_perr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;	/* same line: sort_errors keeps the order of discovery */
}

/* Stable sort by line (insertion sort: error lists are short). */
static void sort_errors(struct cfg_perr *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct cfg_perr v = e[i];
		size_t j = i;

		while (j > 0 && err_cmp(&e[j - 1], &v) > 0) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = v;
	}
}

static int errs_add(struct cfg_errors *errs, char *msg)
{
	char **m;

	if (!errs) {
		free(msg);
		return 0;
	}
	m = realloc(errs->msgs, (errs->n + 1) * sizeof(*m));
	if (!m) {
		free(msg);
		return ENOMEM;
	}
	errs->msgs = m;
	errs->msgs[errs->n++] = msg;
	return 0;
}

int cfg_load_string(const char *name, const char *text, struct cfg **out,
		    struct cfg_errors *errs)
{
	return cfg_load_mem(name, text, text ? strlen(text) : 0, out, errs);
}

int cfg_load_mem(const char *name, const char *text, size_t len, struct cfg **out,
		 struct cfg_errors *errs)
{
	struct cfg_parser p;
	struct cfg *c;
	int rc = 0;

	if (!out)
		return EINVAL;
	*out = NULL;
	if (!name)
		name = "(config)";
	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.cfg = c;
	snprintf(c->path, sizeof(c->path), "%s", name);
	defaults_general(c);
	if (text)
		cfg_parse_text(&p, text, len);
	if (!p.nomem)
		check(&p);

	sort_errors(p.err_list, p.nerr_list);
	for (size_t i = 0; i < p.nerr_list; i++)
		if (errs_add(errs, p.err_list[i].msg))
			p.nomem = 1;
	free(p.err_list);
	for (int s = 0; s < CFG_SEC_COUNT; s++)
		free(p.x[s]);

	if (p.nomem)
		rc = ENOMEM;
	else if (p.nerrs)
		rc = EINVAL;
	if (rc) {
		cfg_free(c);
		return rc;
	}
	log_debug(LOG_CONFIG, "%s: %zu span(s), %zu trunk(s), %zu route(s)", name,
		  c->nspans, c->ntrunks, c->nroutes);
	*out = c;
	return 0;
}

#define CFG_FILE_MAX (1024 * 1024)

int cfg_load(const char *path, struct cfg **out, struct cfg_errors *errs)
{
	FILE *f;
	char *text = NULL, msg[CFG_PATH_MAX + 128];
	size_t len = 0, n;
	int rc = 0;

	if (!out || !path)
		return EINVAL;
	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		rc = errno;
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(rc));
		goto err;
	}
	text = malloc(CFG_FILE_MAX + 1);
	if (!text) {
		rc = ENOMEM;
		goto out;
	}
	while ((n = fread(text + len, 1, CFG_FILE_MAX + 1 - len, f)) > 0) {
		len += n;
		if (len > CFG_FILE_MAX)
			break;
	}
	if (ferror(f)) {
		rc = EIO;
		snprintf(msg, sizeof(msg), "%s: read error", path);
		goto err;
	}
	if (len > CFG_FILE_MAX) {
		rc = EFBIG;
		snprintf(msg, sizeof(msg), "%s: file larger than %d bytes", path, CFG_FILE_MAX);
		goto err;
	}
	rc = cfg_load_mem(path, text, len, out, errs);
	goto out;
err:
	{
		char *m = strdup(msg);

		if (m)
			errs_add(errs, m);
	}
out:
	if (f)
		fclose(f);
	free(text);
	return rc;
}

void cfg_free(struct cfg *cfg)
{
	if (!cfg)
		return;
	free(cfg->spans);
	free(cfg->trunks);
	free(cfg->routes);
	free(cfg);
}

void cfg_errors_free(struct cfg_errors *errs)
{
	if (!errs)
		return;
	for (size_t i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

/* ---- look-ups ---- */

const struct cfg_span *cfg_span_by_id(const struct cfg *cfg, int id)
{
	for (size_t i = 0; cfg && i < cfg->nspans; i++)
		if (cfg->spans[i].id == id)
			return &cfg->spans[i];
	return NULL;
}

const struct cfg_trunk *cfg_trunk_by_name(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; cfg && name && i < cfg->ntrunks; i++)
		if (!strcmp(cfg->trunks[i].name, name))
			return &cfg->trunks[i];
	return NULL;
}

const char *cfg_switchtype_name(enum cfg_switchtype s)
{
	return cfg_word(2, (int)s);
}

const char *cfg_law_name(enum cfg_law law)
{
	return cfg_word(4, (int)law);
}

int cfg_span_nchannels(const struct cfg_span *span)
{
	return span ? __builtin_popcount(span->channels) : 0;
}

int cfg_span_needs_restart(const struct cfg_span *a, const struct cfg_span *b)
{
	return a->id != b->id || a->driver != b->driver || a->signalling != b->signalling ||
	       a->switchtype != b->switchtype || a->type != b->type || a->law != b->law ||
	       strcmp(a->directory, b->directory) || a->channels != b->channels ||
	       a->dchannel != b->dchannel || a->dahdi_base != b->dahdi_base ||
	       strcmp(a->group, b->group) || a->chunk_ms != b->chunk_ms || a->t303 != b->t303 ||
	       a->t305 != b->t305 || a->t308 != b->t308 || a->t309 != b->t309 ||
	       a->t310 != b->t310 || a->t313 != b->t313;
}

int cfg_general_needs_restart(const struct cfg_general *a, const struct cfg_general *b)
{
	return strcmp(a->sip_address, b->sip_address) || a->sip_port != b->sip_port ||
	       strcmp(a->control_socket, b->control_socket) || strcmp(a->pid_file, b->pid_file) ||
	       a->media_workers != b->media_workers || a->media_priority != b->media_priority ||
	       a->retry_after != b->retry_after || a->sip_t1 != b->sip_t1 || a->sip_t2 != b->sip_t2;
}

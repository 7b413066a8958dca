/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config/parse: the INI reader. Splits the text into sections and
 * `key = value` lines; keys.c checks each value against its key's table
 * entry and fills the struct cfg. Cross-section checks (defaults that
 * depend on other keys, references between sections) are in config.c,
 * which calls cfg_parse_text() and then cfg_check().
 *
 * Every problem becomes one "file:line: message" error; parsing goes on
 * after an error so that one run reports all of them.
 */
#include "config/parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---- */

void cfg_perr(struct cfg_parser *p, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct cfg_perr *e;
	char *s;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->nerrs++;
	if (p->nomem)
		return;
	if (p->nerr_list == p->cap_err_list) {
		size_t cap = p->cap_err_list ? 2 * p->cap_err_list : 8;
		e = realloc(p->err_list, cap * sizeof(*e));
		if (!e) {
			p->nomem = 1;
			return;
		}
		p->err_list = e;
		p->cap_err_list = cap;
	}
	if (line > 0)
		n = snprintf(NULL, 0, "%s:%d: %s", p->name, line, msg);
	else
		n = snprintf(NULL, 0, "%s: %s", p->name, msg);
	s = malloc((size_t)n + 1);
	if (!s) {
		p->nomem = 1;
		return;
	}
	if (line > 0)
		snprintf(s, (size_t)n + 1, "%s:%d: %s", p->name, line, msg);
	else
		snprintf(s, (size_t)n + 1, "%s: %s", p->name, msg);
	p->err_list[p->nerr_list].line = line;
	p->err_list[p->nerr_list].msg = s;
	p->nerr_list++;
}

/* ---- sections ---- */

static void *grow(void *arr, size_t n, size_t size)
{
	/* arrays grow one element at a time: configs are small */
	return realloc(arr, (n + 1) * size);
}

static int new_object(struct cfg_parser *p, enum cfg_sec sec, int line)
{
	struct cfg *c = p->cfg;
	struct cfg_x *x;
	size_t *n;

	switch (sec) {
	case CFG_SEC_SPAN: {
		struct cfg_span *s = grow(c->spans, c->nspans, sizeof(*s));
		if (!s)
			return ENOMEM;
		c->spans = s;
		memset(&s[c->nspans], 0, sizeof(*s));
		s[c->nspans].line = line;
		n = &c->nspans;
		break;
	}
	case CFG_SEC_TRUNK: {
		struct cfg_trunk *t = grow(c->trunks, c->ntrunks, sizeof(*t));
		if (!t)
			return ENOMEM;
		c->trunks = t;
		memset(&t[c->ntrunks], 0, sizeof(*t));
		t[c->ntrunks].line = line;
		n = &c->ntrunks;
		break;
	}
	case CFG_SEC_ROUTE: {
		struct cfg_route *r = grow(c->routes, c->nroutes, sizeof(*r));
		if (!r)
			return ENOMEM;
		c->routes = r;
		memset(&r[c->nroutes], 0, sizeof(*r));
		r[c->nroutes].line = line;
		n = &c->nroutes;
		break;
	}
	default:
		return EINVAL;
	}
	x = grow(p->x[sec], *n, sizeof(*x));
	if (!x)
		return ENOMEM;
	p->x[sec] = x;
	memset(&x[*n], 0, sizeof(*x));
	p->idx = *n;
	(*n)++;
	return 0;
}

static void *cur_object(struct cfg_parser *p)
{
	switch (p->sec) {
	case CFG_SEC_GENERAL: return &p->cfg->general;
	case CFG_SEC_NUMBERING: return &p->cfg->numbering;
	case CFG_SEC_SPAN: return &p->cfg->spans[p->idx];
	case CFG_SEC_TRUNK: return &p->cfg->trunks[p->idx];
	case CFG_SEC_ROUTE: return &p->cfg->routes[p->idx];
	default: return NULL;
	}
}

static struct cfg_x *cur_x(struct cfg_parser *p)
{
	switch (p->sec) {
	case CFG_SEC_GENERAL: return &p->general_x;
	case CFG_SEC_NUMBERING: return &p->numbering_x;
	case CFG_SEC_SPAN: case CFG_SEC_TRUNK: case CFG_SEC_ROUTE:
		return &p->x[p->sec][p->idx];
	default: return NULL;
	}
}

static void section(struct cfg_parser *p, char *word, char *arg, int line)
{
	p->sec = CFG_SEC_SKIP;
	if (!strcmp(word, "general") || !strcmp(word, "numbering")) {
		enum cfg_sec sec = word[0] == 'g' ? CFG_SEC_GENERAL : CFG_SEC_NUMBERING;
		struct cfg_x *x = sec == CFG_SEC_GENERAL ? &p->general_x : &p->numbering_x;

		if (*arg) {
			cfg_perr(p, line, "[%s] takes no name", word);
			return;
		}
		if (x->line) {
			cfg_perr(p, line, "duplicate section [%s] (first at line %d)",
				 word, x->line);
			return;
		}
		x->line = line;
		p->sec = sec;
		snprintf(p->secname, sizeof(p->secname), "%s", word);
		return;
	}
	if (!strcmp(word, "span")) {
		long id;

		if (cfg_parse_uint(arg, 1, 999, &id)) {
			cfg_perr(p, line, "invalid span number '%s': expected a number from 1 to 999",
				 arg);
			return;
		}
		for (size_t i = 0; i < p->cfg->nspans; i++)
			if (p->cfg->spans[i].id == id) {
				cfg_perr(p, line, "duplicate span %ld (first at line %d)",
					 id, p->cfg->spans[i].line);
				return;
			}
		if (new_object(p, CFG_SEC_SPAN, line)) {
			p->nomem = 1;
			return;
		}
		p->cfg->spans[p->idx].id = (int)id;
		p->sec = CFG_SEC_SPAN;
		snprintf(p->secname, sizeof(p->secname), "span %ld", id);
		return;
	}
	if (!strcmp(word, "trunk") || !strcmp(word, "route")) {
		int trunk = word[0] == 't';
		enum cfg_sec sec = trunk ? CFG_SEC_TRUNK : CFG_SEC_ROUTE;
		size_t n = trunk ? p->cfg->ntrunks : p->cfg->nroutes;

		if (!*arg) {
			cfg_perr(p, line, "[%s] needs a name: [%s NAME]", word, word);
			return;
		}
		if (!cfg_is_name(arg)) {
			cfg_perr(p, line, "invalid %s name '%s': expected letters, digits, "
				 "'_', '-', '.' (at most %d)", word, arg, CFG_NAME_MAX - 1);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			const char *name = trunk ? p->cfg->trunks[i].name : p->cfg->routes[i].name;
			int l = trunk ? p->cfg->trunks[i].line : p->cfg->routes[i].line;

			if (!strcmp(name, arg)) {
				cfg_perr(p, line, "duplicate %s '%s' (first at line %d)",
					 word, arg, l);
				return;
			}
		}
		if (new_object(p, sec, line)) {
			p->nomem = 1;
			return;
		}
		if (trunk)
			strcpy(p->cfg->trunks[p->idx].name, arg);
		else
			strcpy(p->cfg->routes[p->idx].name, arg);
		p->sec = sec;
		snprintf(p->secname, sizeof(p->secname), "%s %s", word, arg);
		return;
	}
	cfg_perr(p, line, "unknown section [%s%s%s]", word, *arg ? " " : "", arg);
}

/* ---- lines ---- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cut a trailing comment: ';' or '#' at the start or after whitespace. */
static void cut_comment(char *s)
{
	for (char *c = s; *c; c++)
		if ((*c == ';' || *c == '#') && (c == s || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
}

static void keyline(struct cfg_parser *p, char *s, int line)
{
	char *eq = strchr(s, '=');
	char *key, *val;
	struct cfg_x *x;
	int ki;

	if (!eq) {
		cut_comment(s);
		cfg_perr(p, line, "syntax error: expected 'key = value' or '[section]', got '%s'",
			 trim(s));
		return;
	}
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*val == '"') {
		char *close = strchr(val + 1, '"');

		if (!close) {
			cfg_perr(p, line, "syntax error: unterminated quoted value for '%s'", key);
			return;
		}
		*close = '\0';
		cut_comment(close + 1);
		if (*trim(close + 1)) {
			cfg_perr(p, line, "syntax error: text after the quoted value of '%s'", key);
			return;
		}
		val++;
	} else {
		cut_comment(val);
		val = trim(val);
	}
	if (!*key) {
		cfg_perr(p, line, "syntax error: missing key before '='");
		return;
	}
	if (p->sec == CFG_SEC_SKIP)
		return;		/* the section header was already reported */
	if (p->sec == CFG_SEC_NONE) {
		cfg_perr(p, line, "key '%s' outside any section", key);
		return;
	}
	ki = cfg_key_index(p->sec, key);
	if (ki < 0) {
		cfg_perr(p, line, "unknown key '%s' in [%s]", key, p->secname);
		return;
	}
	x = cur_x(p);
	if (x->keyline[ki] && !cfg_key_repeats(p->sec, ki)) {
		cfg_perr(p, line, "duplicate key '%s' in [%s] (first at line %d)",
			 key, p->secname, x->keyline[ki]);
		return;
	}
	x->keyline[ki] = line;
	cfg_key_set(p, cur_object(p), p->sec, ki, val, line);
}

void cfg_parse_text(struct cfg_parser *p, const char *text, size_t len)
{
	const char *c = text, *end = text + len;
	int line = 0;
	char *buf = NULL;
	size_t cap = 0;

	p->sec = CFG_SEC_NONE;
	while (c < end && !p->nomem) {
		const char *nl = memchr(c, '\n', (size_t)(end - c));
		size_t l = nl ? (size_t)(nl - c) : (size_t)(end - c);
		char *s;

		line++;
		if (l + 1 > cap) {
			char *b = realloc(buf, l + 1);

			if (!b) {
				p->nomem = 1;
				break;
			}
			buf = b;
			cap = l + 1;
		}
		memcpy(buf, c, l);
		buf[l] = '\0';
		c = nl ? nl + 1 : end;
		if (memchr(buf, '\0', l)) {
			cfg_perr(p, line, "syntax error: NUL byte in line");
			continue;
		}
		s = trim(buf);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']'), *word, *arg;

			if (!close) {
				cfg_perr(p, line, "syntax error: missing ']'");
				p->sec = CFG_SEC_SKIP;
				continue;
			}
			*close = '\0';
			cut_comment(close + 1);
			if (*trim(close + 1)) {
				cfg_perr(p, line, "syntax error: text after ']'");
				p->sec = CFG_SEC_SKIP;
				continue;
			}
			word = trim(s + 1);
			arg = word;
			while (*arg && *arg != ' ' && *arg != '\t')
				arg++;
			if (*arg)
				*arg++ = '\0';
			arg = trim(arg);
			section(p, word, arg, line);
			continue;
		}
		keyline(p, s, line);
	}
	free(buf);
}

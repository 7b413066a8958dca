/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config/: the sample loads with the demo's values and documents every key;
 * defaults; broken configs give exact "file:line: message" errors, all of
 * them at once (OpenBSD style, STYLE.md); trunk allow lists.
 * Usage: test_config [SAMPLE]   (default SRCDIR/config/sipgw.conf.sample)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/parse.h"
#include "lib/log.h"
#include "tests/unit/tap.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define E1_DEFAULT_CHANNELS 0xfffefffeu	/* 1-15,17-31 */
#define T1_DEFAULT_CHANNELS 0x00fffffeu	/* 1-23 */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 20);
	n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	(void)n;
	fclose(f);
	return buf;
}

/* Is "key =" at the start of a line, maybe commented out with ';'? */
static int documents(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *c = l;

		if (*c == ';')
			c++;
		if (!strncmp(c, key, kl) && (c[kl] == ' ' || c[kl] == '='))
			return 1;
	}
	return 0;
}

static void sample(const char *path)
{
	struct cfg_errors errs = { 0 };
	struct cfg *c = NULL;
	const struct cfg_span *s;
	const struct cfg_trunk *t;
	char *text;
	int rc;

	rc = cfg_load(path, &c, &errs);
	TAP_OK(rc == 0 && c && errs.n == 0, "sample %s loads without error", path);
	for (size_t i = 0; i < errs.n; i++)
		printf("#   %s\n", errs.msgs[i]);
	cfg_errors_free(&errs);
	if (!c)
		return;
	TAP_OK(!strcmp(c->general.sip_address, "127.0.0.1") && c->general.sip_port == 5060 &&
	       !strcmp(c->general.rtp_address, "127.0.0.1") &&
	       c->general.rtp_port_min == 10000 && c->general.rtp_port_max == 20000 &&
	       !strcmp(c->general.control_socket, "/run/sipgw/sipgwd.sock") &&
	       !strcmp(c->general.pid_file, "/run/sipgw/sipgwd.pid") &&
	       c->general.log_level == LOG_LVL_INFO && c->general.media_workers == 0 &&
	       !strcmp(c->general.user_agent, "sipgw/0.1.0"),
	       "sample: [general] SIP on 127.0.0.1:5060, RTP 10000-20000, defaults");
	TAP_OK(!strcmp(c->numbering.country_code, "49") &&
	       !strcmp(c->numbering.national_prefix, "0") &&
	       !strcmp(c->numbering.international_prefix, "00") &&
	       !c->numbering.area_code[0] && c->numbering.ton_out == CFG_TON_OUT_NATIONAL,
	       "sample: [numbering] country 49, prefixes 0/00, ton_out national");
	s = cfg_span_by_id(c, 1);
	TAP_OK(c->nspans == 1 && s && s->driver == CFG_DRIVER_VIRT &&
	       s->signalling == CFG_SIG_PRI_CPE && s->switchtype == CFG_SWITCH_EUROISDN_E1 &&
	       s->type == CFG_SPAN_E1 && s->law == CFG_LAW_ALAW &&
	       !strcmp(s->directory, "/run/sipgw/span1") && !strcmp(s->group, "pstn"),
	       "sample: [span 1] virt, pri_cpe, euroisdn_e1, E1, A-law, /run/sipgw/span1, group pstn");
	TAP_OK(s && s->channels == E1_DEFAULT_CHANNELS && cfg_span_nchannels(s) == 30 &&
	       s->dchannel == 16 && s->echo_cancel == 1 && s->echo_tail_ms == 128 &&
	       s->chunk_ms == 20 && !s->t303 && !s->t313,
	       "sample: [span 1] channels 1-15,17-31 (30), D-channel 16, echo 128 ms, chunk 20 ms");
	t = cfg_trunk_by_name(c, "phone");
	TAP_OK(c->ntrunks == 1 && t && !strcmp(t->host, "127.0.0.1") && t->port == 5062 &&
	       t->nallow == 1 && !strcmp(t->allow[0], "127.0.0.1") &&
	       !strcmp(t->domain, "127.0.0.1"),
	       "sample: [trunk phone] 127.0.0.1:5062, allow and domain default to host");
	TAP_OK(c->nroutes == 2 && !strcmp(c->routes[0].name, "pstn-to-sip") &&
	       c->routes[0].from_kind == CFG_EP_GROUP && !strcmp(c->routes[0].from, "pstn") &&
	       c->routes[0].to_kind == CFG_EP_TRUNK && !strcmp(c->routes[0].to, "phone") &&
	       !strcmp(c->routes[1].name, "sip-to-pstn") &&
	       c->routes[1].from_kind == CFG_EP_TRUNK && !strcmp(c->routes[1].from, "phone") &&
	       c->routes[1].to_kind == CFG_EP_GROUP && !strcmp(c->routes[1].to, "pstn") &&
	       !c->routes[0].prefix[0],
	       "sample: routes pstn-to-sip (group:pstn -> trunk:phone), sip-to-pstn (back), in order");
	TAP_OK(!strcmp(cfg_switchtype_name(s->switchtype), "euroisdn_e1") &&
	       !strcmp(cfg_law_name(s->law), "alaw") && !strcmp(cfg_law_name(CFG_LAW_ULAW), "ulaw"),
	       "names of switch type and law");
	TAP_OK(!cfg_span_by_id(c, 2) && !cfg_trunk_by_name(c, "nope"), "look-ups of absent names");
	cfg_free(c);

	text = read_file(path);
	TAP_OK(text != NULL, "sample is readable as text");
	if (!text)
		return;
	for (int sec = 0; sec < CFG_SEC_COUNT; sec++) {
		static const char *const secs[] = { "general", "numbering", "span", "trunk", "route" };
		const char *k;
		int missing = 0, n = 0;

		for (int i = 0; (k = cfg_key_name((enum cfg_sec)sec, i)); i++, n++)
			if (!documents(text, k)) {
				printf("#   key '%s' of [%s] is not in the sample\n", k, secs[sec]);
				missing++;
			}
		TAP_OK(!missing && n > 0, "sample documents all %d keys of [%s]", n, secs[sec]);
	}
	free(text);
}

static int load(const char *text, struct cfg **c, struct cfg_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	*c = NULL;
	return cfg_load_string("sipgw.conf", text, c, errs);
}

static void defaults(void)
{
	struct cfg_errors errs;
	struct cfg *c;
	const struct cfg_span *s;
	const struct cfg_trunk *t;

	TAP_OK(load("", &c, &errs) == 0 && c && c->nspans == 0 && c->general.sip_port == 5060 &&
	       !strcmp(c->general.sip_address, "127.0.0.1") && c->numbering.ton_out == 0 &&
	       !c->numbering.country_code[0],
	       "defaults: an empty file is a valid config");
	cfg_free(c);
	cfg_errors_free(&errs);

	TAP_OK(load("[span 3]\ndirectory = /tmp/s3\n"
		    "[span 4]\ntype = t1\ndriver = dahdi\ndahdi_base = 1\n"
		    "[general]\nsip_address = ::1\n", &c, &errs) == 0, "defaults: E1 and T1 spans load");
	for (size_t i = 0; i < errs.n; i++)
		printf("#   %s\n", errs.msgs[i]);
	s = cfg_span_by_id(c, 3);
	TAP_OK(s && s->type == CFG_SPAN_E1 && s->driver == CFG_DRIVER_VIRT &&
	       s->signalling == CFG_SIG_PRI_CPE && s->switchtype == CFG_SWITCH_EUROISDN_E1 &&
	       s->law == CFG_LAW_ALAW && s->channels == E1_DEFAULT_CHANNELS && s->dchannel == 16 &&
	       !strcmp(s->group, "span3") && s->echo_cancel == 1 && s->echo_tail_ms == 128 &&
	       s->chunk_ms == 20,
	       "defaults: E1 span: virt, pri_cpe, euroisdn_e1, alaw, 1-15,17-31, D 16, group span3");
	s = cfg_span_by_id(c, 4);
	TAP_OK(s && s->type == CFG_SPAN_T1 && s->law == CFG_LAW_ULAW &&
	       s->channels == T1_DEFAULT_CHANNELS && cfg_span_nchannels(s) == 23 &&
	       s->dchannel == 24 && s->switchtype == CFG_SWITCH_NI2 && !strcmp(s->group, "span4"),
	       "defaults: T1 span: ulaw, channels 1-23, D 24, ni2, group span4");
	TAP_OK(c && !strcmp(c->general.rtp_address, "::1"), "defaults: rtp_address = sip_address");
	cfg_free(c);
	cfg_errors_free(&errs);

	TAP_OK(load("[trunk a]\nhost = sip.example.com\n"
		    "[trunk b]\nhost = [2001:db8::1]\nport = 5080\n"
		    "[trunk c]\nhost = 192.0.2.1\nallow = 10.0.0.0/8, 2001:db8::/32\n"
		    "allow = 192.0.2.7\ndomain = example.com\ntransport = udp\n",
		    &c, &errs) == 0, "defaults: trunks load");
	t = cfg_trunk_by_name(c, "a");
	TAP_OK(t && t->port == 5060 && t->nallow == 0 && !strcmp(t->domain, "sip.example.com"),
	       "defaults: trunk with a host name: port 5060, no allow, domain = host");
	t = cfg_trunk_by_name(c, "b");
	TAP_OK(t && !strcmp(t->host, "2001:db8::1") && t->port == 5080 && t->nallow == 1 &&
	       !strcmp(t->allow[0], "2001:db8::1") && cfg_trunk_allows(t, "2001:db8::1") &&
	       cfg_trunk_allows(t, "[2001:db8::1]") && !cfg_trunk_allows(t, "2001:db8::2"),
	       "defaults: trunk [2001:db8::1]: brackets dropped, allow = host");
	t = cfg_trunk_by_name(c, "c");
	TAP_OK(t && t->nallow == 3 && !strcmp(t->allow[1], "2001:db8::/32") &&
	       cfg_trunk_allows(t, "10.1.2.3") && cfg_trunk_allows(t, "192.0.2.7") &&
	       !cfg_trunk_allows(t, "192.0.2.1") && !cfg_trunk_allows(t, "11.0.0.1") &&
	       cfg_trunk_allows(t, "2001:db8:ffff::5") && !cfg_trunk_allows(t, "2001:db9::1") &&
	       cfg_trunk_allows(t, "::ffff:10.9.9.9") && !cfg_trunk_allows(t, "not-an-ip") &&
	       !cfg_trunk_allows(t, ""),
	       "allow: IPv4/IPv6 CIDR, repeated key, v4-mapped IPv6, explicit list replaces host");
	cfg_free(c);
	cfg_errors_free(&errs);

	TAP_OK(load("[trunk x]\nhost=h\nallow = 192.168.1.128/25\nallow = 0.0.0.0/0\n", &c, &errs) == 0 &&
	       cfg_trunk_allows(&c->trunks[0], "8.8.8.8"), "allow: 0.0.0.0/0 allows every IPv4");
	{
		struct cfg_trunk tr = { .nallow = 1 };

		strcpy(tr.allow[0], "192.168.1.128/25");
		TAP_OK(cfg_trunk_allows(&tr, "192.168.1.200") && !cfg_trunk_allows(&tr, "192.168.1.127") &&
		       !cfg_trunk_allows(&tr, "::1"),
		       "allow: /25 splits a byte; other family never matches");
	}
	cfg_free(c);
	cfg_errors_free(&errs);

	TAP_OK(load("; comment\n# comment\n[general]   ; trailing\n"
		    "user_agent = \"gw ; #1\"  # trailing\n"
		    "sip_port = 5070 ; trailing\r\n  log_level=debug\n"
		    "[ numbering ]\ncountry_code=1\nnational_prefix =\n", &c, &errs) == 0 &&
	       !strcmp(c->general.user_agent, "gw ; #1") && c->general.sip_port == 5070 &&
	       c->general.log_level == LOG_LVL_DEBUG && !c->numbering.national_prefix[0],
	       "syntax: comments, quoted value, CRLF, spaces, empty national_prefix");
	cfg_free(c);
	cfg_errors_free(&errs);
}

static const struct {
	const char *name, *text, *err;
} broken[] = {
	{ "unknown key", "[span 1]\ndriver = virt\ndirectory = /x\nchanels = 1-15\n",
	  "sipgw.conf:4: unknown key 'chanels' in [span 1]" },
	{ "chunk other than 20 ms", "[span 1]\ndriver = virt\ndirectory = /x\nchunk_ms = 10\n",
	  "sipgw.conf:4: span 1: chunk_ms 10 is not supported yet (only 20)" },
	{ "route to unknown trunk",
	  "[span 1]\ndirectory=/x\ngroup=pstn\n[route out]\nfrom = group:pstn\nto = trunk:itps\n",
	  "sipgw.conf:6: route 'out': unknown trunk 'itps'" },
	{ "route from unknown group", "[trunk t]\nhost=h\n[route in]\nfrom = trunk:t\nto = group:pstm\n",
	  "sipgw.conf:5: route 'in': unknown group 'pstm'" },
	{ "route between two trunks", "[trunk t]\nhost=h\n[route r]\nfrom = trunk:t\nto = trunk:t\n",
	  "sipgw.conf:5: route 'r': from and to are both trunks (a route joins a span group and a trunk)" },
	{ "route without to", "[trunk t]\nhost=h\n[route r]\nfrom = trunk:t\n",
	  "sipgw.conf:3: route 'r': missing 'to'" },
	{ "route endpoint syntax", "[trunk t]\nhost=h\n[route r]\nfrom = span:1\nto = trunk:t\n",
	  "sipgw.conf:4: invalid from 'span:1' in [route r]: expected group:NAME or trunk:NAME" },
	{ "route prefix", "[trunk t]\nhost=h\n[span 1]\ndirectory=/x\n[route r]\nfrom = group:span1\nto = trunk:t\nprefix = 49x\n",
	  "sipgw.conf:8: invalid prefix '49x' in [route r]: expected digits, optionally after '+'" },
	{ "unknown section", "[gneral]\nsip_port = 1\n", "sipgw.conf:1: unknown section [gneral]" },
	{ "key outside a section", "sip_port = 5060\n", "sipgw.conf:1: key 'sip_port' outside any section" },
	{ "line without '='", "[general]\nsip_port 5060\n",
	  "sipgw.conf:2: syntax error: expected 'key = value' or '[section]', got 'sip_port 5060'" },
	{ "missing ']'", "[general\n", "sipgw.conf:1: syntax error: missing ']'" },
	{ "unterminated quote", "[general]\nuser_agent = \"x\n",
	  "sipgw.conf:2: syntax error: unterminated quoted value for 'user_agent'" },
	{ "duplicate key", "[general]\nsip_port = 5060\nsip_port = 5061\n",
	  "sipgw.conf:3: duplicate key 'sip_port' in [general] (first at line 2)" },
	{ "duplicate section", "[general]\n[general]\n",
	  "sipgw.conf:2: duplicate section [general] (first at line 1)" },
	{ "not a number", "[general]\nsip_port = 5x\n",
	  "sipgw.conf:2: invalid sip_port '5x' in [general]: expected a number from 1 to 65535" },
	{ "number out of range", "[general]\nsip_port = 70000\n",
	  "sipgw.conf:2: invalid sip_port '70000' in [general]: expected a number from 1 to 65535" },
	{ "negative number", "[general]\nmedia_workers = -1\n",
	  "sipgw.conf:2: invalid media_workers '-1' in [general]: expected a number from 0 to 256" },
	{ "comment glued to a value", "[general]\nsip_port = 5060;x\n",
	  "sipgw.conf:2: invalid sip_port '5060;x' in [general]: expected a number from 1 to 65535" },
	{ "rtp range backwards", "[general]\nrtp_port_min = 20000\nrtp_port_max = 10000\n",
	  "sipgw.conf:3: rtp_port_min (20000) must be less than rtp_port_max (10000)" },
	{ "rtp_port_min above the default max", "[general]\nrtp_port_min = 30000\n",
	  "sipgw.conf:2: rtp_port_min (30000) must be less than rtp_port_max (20000)" },
	{ "RFC 3261 17.1.2.2: sip_t2 below sip_t1", "[general]\nsip_t1 = 2000\nsip_t2 = 1000\n",
	  "sipgw.conf:3: sip_t2 (1000 ms) must not be less than sip_t1 (2000 ms): RFC 3261 section 17.1.2.2 caps retransmission at T2" },
	{ "RFC 3261 17.1.1.1: sip_t1 above the default T2", "[general]\nsip_t1 = 5000\n",
	  "sipgw.conf:2: sip_t2 (4000 ms) must not be less than sip_t1 (5000 ms): RFC 3261 section 17.1.2.2 caps retransmission at T2" },
	{ "sip_address not a literal", "[general]\nsip_address = localhost\n",
	  "sipgw.conf:2: invalid sip_address 'localhost' in [general]: expected an IPv4 or IPv6 address" },
	{ "log_level", "[general]\nlog_level = loud\n",
	  "sipgw.conf:2: invalid log_level 'loud' in [general]: expected err, warn, notice, info or debug" },
	{ "control_socket too long",
	  "[general]\ncontrol_socket = /run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "sipgw.conf:2: invalid control_socket in [general]: longer than 107 characters" },
	{ "ton_out", "[numbering]\nton_out = local\n",
	  "sipgw.conf:2: invalid ton_out 'local' in [numbering]: expected national, international or unknown" },
	{ "country code with leading 0", "[numbering]\ncountry_code = 049\n",
	  "sipgw.conf:2: invalid country_code '049' in [numbering]: expected 1 to 3 digits, not starting with 0" },
	{ "country code too long", "[numbering]\ncountry_code = 1234\n",
	  "sipgw.conf:2: invalid country_code in [numbering]: longer than 3 characters" },
	{ "area code not digits", "[numbering]\narea_code = 3O\n",
	  "sipgw.conf:2: invalid area_code '3O' in [numbering]: expected digits" },
	{ "span number", "[span x]\n", "sipgw.conf:1: invalid span number 'x': expected a number from 1 to 999" },
	{ "span 0", "[span 0]\n", "sipgw.conf:1: invalid span number '0': expected a number from 1 to 999" },
	{ "duplicate span", "[span 1]\ndirectory=/a\n[span 1]\ndirectory=/b\n",
	  "sipgw.conf:3: duplicate span 1 (first at line 1)" },
	{ "duplicate trunk", "[trunk t]\nhost=a\n[trunk t]\nhost=b\n",
	  "sipgw.conf:3: duplicate trunk 't' (first at line 1)" },
	{ "trunk without name", "[trunk]\n", "sipgw.conf:1: [trunk] needs a name: [trunk NAME]" },
	{ "trunk name", "[trunk a b]\n",
	  "sipgw.conf:1: invalid trunk name 'a b': expected letters, digits, '_', '-', '.' (at most 63)" },
	{ "driver", "[span 1]\ndirectory=/x\ndriver = zap\n",
	  "sipgw.conf:3: invalid driver 'zap' in [span 1]: expected virt or dahdi" },
	{ "switchtype", "[span 1]\ndirectory=/x\nswitchtype = euroisdn\n",
	  "sipgw.conf:3: invalid switchtype 'euroisdn' in [span 1]: expected euroisdn_e1, euroisdn_t1, ni2, dms100, lucent5e, att4ess, qsig or ni1" },
	{ "signalling", "[span 1]\ndirectory=/x\nsignalling = bri\n",
	  "sipgw.conf:3: invalid signalling 'bri' in [span 1]: expected pri_cpe or pri_net" },
	{ "law", "[span 1]\ndirectory=/x\nlaw = mulaw\n",
	  "sipgw.conf:3: invalid law 'mulaw' in [span 1]: expected alaw or ulaw" },
	{ "type", "[span 1]\ndirectory=/x\ntype = j1\n",
	  "sipgw.conf:3: invalid type 'j1' in [span 1]: expected e1 or t1" },
	{ "echo_cancel", "[span 1]\ndirectory=/x\necho_cancel = maybe\n",
	  "sipgw.conf:3: invalid echo_cancel 'maybe' in [span 1]: expected yes or no" },
	{ "timer", "[span 1]\ndirectory=/x\nt303 = 4s\n",
	  "sipgw.conf:3: invalid t303 '4s' in [span 1]: expected a number from 0 to 600000" },
	{ "group name", "[span 1]\ndirectory=/x\ngroup = a:b\n",
	  "sipgw.conf:3: invalid group 'a:b' in [span 1]: expected a name of letters, digits, '_', '-', '.'" },
	{ "channels list syntax", "[span 1]\ndirectory=/x\nchannels = 1-15,,17-31\n",
	  "sipgw.conf:3: invalid channels '1-15,,17-31' in [span 1]: expected a list such as 1-15,17-31" },
	{ "channels timeslot 0", "[span 1]\ndirectory=/x\nchannels = 0-15\n",
	  "sipgw.conf:3: invalid channels '0-15' in [span 1]: timeslot 0 out of range 1-31" },
	{ "channels timeslot 32", "[span 1]\ndirectory=/x\nchannels = 17-32\n",
	  "sipgw.conf:3: invalid channels '17-32' in [span 1]: timeslot 32 out of range 1-31" },
	{ "channels backwards", "[span 1]\ndirectory=/x\nchannels = 15-1\n",
	  "sipgw.conf:3: invalid channels '15-1' in [span 1]: range 15-1 goes backwards" },
	{ "channels twice", "[span 1]\ndirectory=/x\nchannels = 1-5,5\n",
	  "sipgw.conf:3: invalid channels '1-5,5' in [span 1]: timeslot 5 listed twice" },
	{ "D-channel among default channels", "[span 1]\ndirectory=/x\nchannels = 1-31\n",
	  "sipgw.conf:3: span 1: dchannel 16 is also listed in channels" },
	{ "D-channel among channels", "[span 1]\ndirectory=/x\ndchannel = 5\n",
	  "sipgw.conf:3: span 1: dchannel 5 is also listed in channels" },
	{ "T1 timeslot 25", "[span 1]\ntype = t1\ndirectory=/x\nchannels = 1-23,25\n",
	  "sipgw.conf:4: span 1: channel 25 out of range for T1 (1-24)" },
	{ "T1 D-channel 30", "[span 1]\ntype = t1\ndirectory=/x\ndchannel = 30\n",
	  "sipgw.conf:4: span 1: dchannel 30 out of range for T1 (1-24)" },
	{ "virt without directory", "[span 1]\ndriver = virt\n",
	  "sipgw.conf:1: span 1: driver virt needs 'directory'" },
	{ "dahdi without dahdi_base", "[span 2]\ndriver = dahdi\n",
	  "sipgw.conf:1: span 2: driver dahdi needs 'dahdi_base'" },
	{ "two virt spans, one directory", "[span 1]\ndirectory=/x\n[span 2]\ndirectory=/x\n",
	  "sipgw.conf:4: span 2: directory '/x' is already used by span 1" },
	{ "DAHDI channels overlap",
	  "[span 1]\ndriver=dahdi\ndahdi_base=1\n[span 2]\ndriver=dahdi\ndahdi_base=31\n",
	  "sipgw.conf:6: span 2: DAHDI channels 31-61 overlap those of span 1 (1-31)" },
	{ "transport tcp", "[trunk t]\nhost = h\ntransport = tcp\n",
	  "sipgw.conf:3: transport 'tcp' in [trunk t]: not supported yet (only udp)" },
	{ "transport tls", "[trunk t]\nhost = h\ntransport = tls\n",
	  "sipgw.conf:3: transport 'tls' in [trunk t]: not supported yet (only udp)" },
	{ "transport sctp", "[trunk t]\nhost = h\ntransport = sctp\n",
	  "sipgw.conf:3: invalid transport 'sctp' in [trunk t]: expected udp" },
	{ "trunk without host", "[trunk t]\nport = 5060\n", "sipgw.conf:1: trunk 't': missing 'host'" },
	{ "trunk host syntax", "[trunk t]\nhost = a b\n",
	  "sipgw.conf:2: invalid host 'a b' in [trunk t]: expected a host name or an IPv4/IPv6 address" },
	{ "allow prefix too long", "[trunk t]\nhost = h\nallow = 10.0.0.0/33\n",
	  "sipgw.conf:3: invalid allow '10.0.0.0/33' in [trunk t]: expected an IPv4/IPv6 address or CIDR prefix" },
	{ "allow a host name", "[trunk t]\nhost = h\nallow = 10.0.0.1, example.com\n",
	  "sipgw.conf:3: invalid allow 'example.com' in [trunk t]: expected an IPv4/IPv6 address or CIDR prefix" },
	{ "too many allow entries", "[trunk t]\nhost = h\nallow = 10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,"
	  "10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9,10.0.0.10,10.0.0.11,10.0.0.12,10.0.0.13,"
	  "10.0.0.14,10.0.0.15,10.0.0.16,10.0.0.17\n",
	  "sipgw.conf:3: too many allow entries in [trunk t] (at most 16)" },
};

static void broken_configs(void)
{
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct cfg_errors errs;
		struct cfg *c;
		int rc = load(broken[i].text, &c, &errs);

		TAP_OK(rc == EINVAL && !c && errs.n == 1 && !strcmp(errs.msgs[0], broken[i].err),
		       "error: %s: %s", broken[i].name, broken[i].err);
		if (errs.n != 1 || strcmp(errs.msgs[0], broken[i].err))
			for (size_t j = 0; j < errs.n; j++)
				printf("#   got: %s\n", errs.msgs[j]);
		cfg_free(c);
		cfg_errors_free(&errs);
	}
}

static void collected(void)
{
	static const char text[] =
		"[general]\n"				/* 1 */
		"sip_port = x\n"			/* 2 */
		"[span 1]\n"				/* 3 */
		"chanels = 1-15\n"			/* 4 */
		"dchannel = 1\n"			/* 5 */
		"[trunk t]\n"				/* 6 */
		"transport = tls\n"			/* 7 */
		"[route r]\n"				/* 8 */
		"from = group:pstn\n"			/* 9 */
		"to = trunk:t\n"			/* 10 */
		"[bogus]\n"				/* 11 */
		"anything = goes\n";			/* 12: not reported again */
	static const char *const want[] = {
		"sipgw.conf:1: span 1: driver virt needs 'directory'",
		"sipgw.conf:2: invalid sip_port 'x' in [general]: expected a number from 1 to 65535",
		"sipgw.conf:3: span 1: driver virt needs 'directory'",
		"sipgw.conf:4: unknown key 'chanels' in [span 1]",
		"sipgw.conf:5: span 1: dchannel 1 is also listed in channels",
		"sipgw.conf:6: trunk 't': missing 'host'",
		"sipgw.conf:7: transport 'tls' in [trunk t]: not supported yet (only udp)",
		"sipgw.conf:9: route 'r': unknown group 'pstn'",
		"sipgw.conf:11: unknown section [bogus]",
	};
	struct cfg_errors errs;
	struct cfg *c;
	int rc = load(text, &c, &errs), same;
	size_t nwant = sizeof(want) / sizeof(want[0]);

	/* want[0] is a decoy: the real list starts at want[1] */
	same = errs.n == nwant - 1;
	for (size_t i = 0; same && i < errs.n; i++)
		same = !strcmp(errs.msgs[i], want[i + 1]);
	TAP_OK(rc == EINVAL && !c && same,
	       "OpenBSD style: %zu errors in one file all reported, in line order", nwant - 1);
	if (!same)
		for (size_t j = 0; j < errs.n; j++)
			printf("#   got: %s\n", errs.msgs[j]);
	cfg_errors_free(&errs);

	TAP_OK(cfg_load_string("x.conf", "[general]\nsip_port = 1\nsip_port = 2\n", &c, NULL) == EINVAL &&
	       !c, "errors may be ignored (errs NULL)");
	memset(&errs, 0, sizeof(errs));
	TAP_OK(cfg_load_mem("n.conf", "[general]\nsip_port\0 = 1\n", 22, &c, &errs) == EINVAL &&
	       errs.n == 1 && !strcmp(errs.msgs[0], "n.conf:2: syntax error: NUL byte in line"),
	       "a NUL byte is an error, not the end of the file");
	cfg_errors_free(&errs);
	memset(&errs, 0, sizeof(errs));
	TAP_OK(cfg_load("/nonexistent/sipgw.conf", &c, &errs) == ENOENT && !c && errs.n == 1 &&
	       !strcmp(errs.msgs[0], "/nonexistent/sipgw.conf: No such file or directory"),
	       "missing file: ENOENT and 'path: No such file or directory'");
	cfg_errors_free(&errs);
	cfg_errors_free(&errs);	/* twice is harmless */
	cfg_free(NULL);
}

/* What a reload can take and what needs a restart (gw_reload's warning). */
static void restart_rules(void)
{
	static const char *const span_keys[] = {
		"signalling = pri_net", "switchtype = euroisdn_t1", "law = ulaw", "channels = 1-15",
		"group = other", "t303 = 5000", "t309 = 9000", "t313 = 4000",
	};
	const char *base = "[span 1]\ndriver = virt\ndirectory = /tmp/s1\n";
	struct cfg_errors errs;
	struct cfg *a = NULL, *b = NULL;
	char text[512];

	if (load(base, &a, &errs)) {
		TAP_OK(0, "restart rules: the base config loads");
		return;
	}
	for (size_t i = 0; i < sizeof(span_keys) / sizeof(span_keys[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", base, span_keys[i]);
		if (load(text, &b, &errs)) {
			TAP_OK(0, "restart rules: '%s' loads", span_keys[i]);
			cfg_errors_free(&errs);
			continue;
		}
		TAP_OK(cfg_span_needs_restart(&a->spans[0], &b->spans[0]),
		       "reload: span '%s' needs a restart", span_keys[i]);
		cfg_free(b);
	}
	snprintf(text, sizeof(text), "%secho_cancel = no\necho_tail_ms = 64\n", base);
	if (load(text, &b, &errs) == 0) {
		TAP_OK(!cfg_span_needs_restart(&a->spans[0], &b->spans[0]),
		       "reload: echo_cancel and echo_tail_ms are taken without a restart");
		cfg_free(b);
	}
	snprintf(text, sizeof(text), "[general]\nsip_port = 5070\n%s", base);
	if (load(text, &b, &errs) == 0) {
		TAP_OK(cfg_general_needs_restart(&a->general, &b->general),
		       "reload: sip_port needs a restart");
		cfg_free(b);
	}
	snprintf(text, sizeof(text), "[general]\nno_answer_timeout = 30\nrtp_port_min = 30000\n%s", base);
	if (load(text, &b, &errs) == 0) {
		TAP_OK(!cfg_general_needs_restart(&a->general, &b->general),
		       "reload: no_answer_timeout and the RTP ports are taken without a restart");
		cfg_free(b);
	}
	cfg_free(a);
	cfg_errors_free(&errs);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : SRCDIR "/config/sipgw.conf.sample";

	log_set_level(LOG_LVL_ERR);
	sample(path);
	defaults();
	broken_configs();
	collected();
	restart_rules();
	return TAP_DONE();
}

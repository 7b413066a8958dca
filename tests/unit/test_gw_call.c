/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The gw call machine (gw/call.c) with the real rooms around it, in one
 * process and one loop: gw_new() on a config with one virtual E1
 * (virt-span.md) and one trunk, its media worker running; the ISDN network
 * is libpri NETWORK on the span's DIR/dchan with a 20 ms frame clock on
 * DIR/media (as in test_tdm_virt.c); the trunk is a second sip/ user agent
 * on 127.0.0.1 (as in test_sip_ua.c).
 *
 * Each scenario compares three transcripts exactly (the test_isdn_fsm.c
 * style): the call machine's own log lines (transitions, causes), the
 * Q.931 messages the network saw, and the SIP the trunk saw, with the
 * causes of RFC 3398 (7.2.4.1 ISDN -> SIP, 8.2.6.1 SIP -> ISDN). Call-IDs
 * and ports are masked. The timers run with the config's values set short
 * for their scenario, as a reload would.
 */
#include "config.h"

#include <errno.h>
#include <libpri.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "gw/gw.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "sip/sip.h"
#include "tests/unit/loop_wait.h"
#include "tests/unit/pri_sched.h"
#include "tests/unit/tap.h"

#define SLOTS 31
#define FRAME_LEN (8 + SLOTS * 160)

static struct loop *loop;
static char dir[64];
static int gw_port, phone_port;

/* ---- the transcripts ---- */

static char tr_gw[8192], tr_line[2048], tr_sip[2048];

static void add(char *tr, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *tr, size_t size, const char *fmt, ...)
{
	size_t n = strlen(tr);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tr + n, size - n, fmt, ap);
	va_end(ap);
	n = strlen(tr);
	if (n < size - 1) {
		tr[n] = '\n';
		tr[n + 1] = 0;
	}
}

#define LINE(...) add(tr_line, sizeof(tr_line), __VA_ARGS__)
#define SIP(...) add(tr_sip, sizeof(tr_sip), __VA_ARGS__)

/* The call machine's lines, without what changes from run to run. */
static void on_log(const char *line, void *arg)
{
	const char *p = strstr(line, ": call ");
	char buf[512], *m;

	(void)arg;
	if (getenv("GW_TEST_VERBOSE"))
		fprintf(stderr, "%s\n", line);
	if (!p || strncmp(line, "route ", 6))
		return;
	snprintf(buf, sizeof(buf), "%s", p + 2);
	if ((m = strstr(buf, "Call-ID ")) != NULL) {
		char *open = m;
		while (open > buf && *open != '(')
			open--;
		snprintf(open, sizeof(buf) - (size_t)(open - buf), "(...)");
	}
	if ((m = strstr(buf, "127.0.0.1:")) != NULL) {	/* the trunk's port */
		char *end = m + 10;
		while (*end >= '0' && *end <= '9')
			end++;
		memmove(m + 14, end, strlen(end) + 1);
		memcpy(m + 10, "PORT", 4);
	}
	add(tr_gw, sizeof(tr_gw), "%s", buf);
}

static struct gw *gw;
static uint64_t calls_before;

/* A new scenario: empty transcripts. */
static void reset(void)
{
	tr_gw[0] = tr_line[0] = tr_sip[0] = 0;
	calls_before = gw->calls_total;
}

static int same(const char *what, const char *got, const char *want)
{
	if (!strcmp(got, want))
		return 1;
	printf("# %s expected:\n%s# got:\n%s", what, want, got);
	return 0;
}

static void settle(int ms)
{
	RUN_UNTIL(0, (uint64_t)ms);
}

/* ---- the ISDN network: libpri NETWORK and the frame clock ---- */

static struct pri *lpri;
static int ldfd = -1, lmfd = -1;
static struct loop_timer *pri_timer, *clock_timer;
static uint32_t lseq;
static q931_call *lcall;	/* the network's current call */
static int l_dchan_up, l_rings, l_cleared;

static void line_event(pri_event *e)
{
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		l_dchan_up = 1;
		break;
	case PRI_EVENT_RING:
		l_rings++;
		lcall = e->ring.call;
		LINE("< SETUP B%d to %s from %s", e->ring.channel & 0xff, e->ring.callednum,
		     e->ring.callingnum);
		break;
	case PRI_EVENT_PROCEEDING:
		LINE("< CALL PROCEEDING");
		break;
	case PRI_EVENT_RINGING:
		LINE("< ALERTING");
		break;
	case PRI_EVENT_PROGRESS:
		LINE("< PROGRESS");
		break;
	case PRI_EVENT_ANSWER:
		LINE("< CONNECT");
		break;
	case PRI_EVENT_HANGUP_REQ:
		LINE("< DISCONNECT cause %d", e->hangup.cause);
		pri_hangup(lpri, e->hangup.call, e->hangup.cause);
		l_cleared++;
		break;
	case PRI_EVENT_HANGUP:
		LINE("< RELEASE cause %d", e->hangup.cause);
		pri_hangup(lpri, e->hangup.call, e->hangup.cause);
		l_cleared++;
		break;
	default:
		break;
	}
}

/* Run libpri's due timers and arm ours for the next one. */
static void pri_run(void)
{
	pri_sched_run(lpri, pri_timer, line_event);
}

static void on_pri_timer(void *arg)
{
	(void)arg;
	pri_run();
}

static void on_dchan(int fd, uint32_t events, void *arg)
{
	pri_event *e = pri_check_event(lpri);

	(void)fd;
	(void)events;
	(void)arg;
	if (e)
		line_event(e);
	pri_run();
}

/* The gateway's answering frames: not looked at here. */
static void on_media(int fd, uint32_t events, void *arg)
{
	uint8_t buf[FRAME_LEN + 64];

	(void)events;
	(void)arg;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* One 'F' frame of A-law silence every 20 ms (virt-span.md). */
static void on_clock(void *arg)
{
	uint8_t f[FRAME_LEN];

	(void)arg;
	memset(f, 0xD5, sizeof(f));
	f[0] = 'F';
	f[1] = 1;
	f[2] = SLOTS;
	f[3] = 0;
	for (int i = 0; i < 4; i++)
		f[4 + i] = (uint8_t)(lseq >> (8 * i));
	lseq++;
	if (lmfd >= 0)
		send(lmfd, f, sizeof(f), MSG_DONTWAIT | MSG_NOSIGNAL);
	loop_timer_start(clock_timer, 20);
}

static int unix_connect(const char *leaf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/span1/%s", dir, leaf);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int line_up(void)
{
	RUN_UNTIL((lmfd = unix_connect("media")) >= 0, 2000);
	ldfd = unix_connect("dchan");
	if (lmfd < 0 || ldfd < 0)
		return -1;
	loop_fd_add(loop, lmfd, EPOLLIN, on_media, NULL);
	lpri = pri_new(ldfd, PRI_NETWORK, PRI_SWITCH_EUROISDN_E1);
	loop_fd_add(loop, ldfd, EPOLLIN, on_dchan, NULL);
	loop_timer_start(clock_timer, 20);
	pri_run();
	RUN_UNTIL(l_dchan_up && tdm_span_is_up(gw->spans[0].ts), 5000);
	return l_dchan_up && tdm_span_is_up(gw->spans[0].ts) ? 0 : -1;
}

/* A SETUP from the network on chan, national calling number 030123. */
static void line_call(int chan, const char *called)
{
	struct pri_sr *sr = pri_sr_new();
	char cd[32], cg[32] = "030123";

	LINE("> SETUP B%d to %s from %s", chan, called, cg);
	snprintf(cd, sizeof(cd), "%s", called);
	lcall = pri_new_call(lpri);
	pri_sr_set_channel(sr, chan, 1, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, cd, PRI_NATIONAL_ISDN, 1);
	pri_sr_set_caller(sr, cg, NULL, PRI_NATIONAL_ISDN, PRES_ALLOWED_USER_NUMBER_PASSED_SCREEN);
	pri_setup(lpri, lcall, sr);
	pri_sr_free(sr);
	pri_run();
}

/* CALL PROCEEDING and ALERTING from the network. */
static void line_alert(void)
{
	LINE("> CALL PROCEEDING, ALERTING");
	pri_proceeding(lpri, lcall, 1, 0);
	pri_acknowledge(lpri, lcall, 1, 0);
	pri_run();
}

static void line_answer(void)
{
	LINE("> CONNECT");
	pri_answer(lpri, lcall, 1, 0);
	pri_run();
}

/* DISCONNECT, or RELEASE COMPLETE to a SETUP: libpri picks by its state. */
static void line_clear(int cause)
{
	LINE("> clear cause %d", cause);
	pri_hangup(lpri, lcall, cause);
	pri_run();
}

/* ---- the trunk: a sip/ user agent ---- */

enum answer { A_NONE, A_RING, A_ANSWER, A_REJECT };

static struct sip_ua *phone;
static struct sip_sdp_media phone_sdp;
static enum answer phone_mode;
static int phone_reject;	/* A_REJECT: the final response */
static struct sip_call *pcall;
static int n_answered;

/* The trunk answers the INVITE (200 with its SDP) or sends a 1xx or 486. */
static void phone_respond(int code)
{
	SIP("> %d", code);
	sip_call_respond(pcall, code, code == 200 ? &phone_sdp : NULL, -1);
	if (code >= 300)
		pcall = NULL;
}

static void phone_hangup(int cause)
{
	SIP("> BYE cause %d", cause);
	sip_call_hangup(pcall, cause);
	pcall = NULL;
}

static void p_incoming(void *arg, struct sip_call *c, const struct sip_invite_info *inv)
{
	(void)arg;
	pcall = c;
	SIP("< INVITE to %s from %s, %s", inv->ruri_user, inv->from_user,
	    inv->has_sdp ? "SDP offer" : "no SDP");
	if (phone_mode == A_RING || phone_mode == A_ANSWER)
		phone_respond(180);
	if (phone_mode == A_ANSWER)
		phone_respond(200);
	if (phone_mode == A_REJECT)
		phone_respond(phone_reject);
}

static void p_progress(void *arg, struct sip_call *c, int code, const struct sip_sdp_media *sdp)
{
	(void)arg;
	(void)c;
	SIP("< %d%s", code, sdp ? " with SDP" : "");
}

static void p_answered(void *arg, struct sip_call *c, const struct sip_sdp_media *sdp)
{
	(void)arg;
	(void)c;
	n_answered++;
	SIP("< 200%s", sdp ? " with SDP" : "");
}

static void p_failed(void *arg, struct sip_call *c, int code, int q850)
{
	(void)arg;
	(void)c;
	pcall = NULL;
	SIP("< %d, Reason cause %d", code, q850);
}

static void p_confirmed(void *arg, struct sip_call *c)
{
	(void)arg;
	(void)c;
	SIP("< ACK");
}

static void p_terminated(void *arg, struct sip_call *c, int q850, enum sip_end why)
{
	(void)arg;
	(void)c;
	pcall = NULL;
	SIP("< %s, Reason cause %d", why == SIP_END_CANCEL ? "CANCEL" : "BYE", q850);
}

static const struct sip_events phone_ev = {
	.incoming = p_incoming, .progress = p_progress, .answered = p_answered,
	.failed = p_failed, .confirmed = p_confirmed, .terminated = p_terminated,
};

/* The trunk calls +4930555 (-> national 30555 toward ISDN). */
static void phone_call(void)
{
	char ruri[128];

	SIP("> INVITE to +4930555 from +4930123456");
	snprintf(ruri, sizeof(ruri), "sip:+4930555@127.0.0.1:%d", gw_port);
	sip_call_invite(phone, ruri, "<sip:+4930123456@127.0.0.1>", ruri, "127.0.0.1",
			(uint16_t)gw_port, &phone_sdp, NULL, &pcall);
}

/* ---- the gateway ---- */

static const char *call_state(void)
{
	static struct gw_call_info ci;
	struct gw_call *c = gw_call_next(gw, NULL);

	if (!c)
		return "(none)";
	gw_call_get_info(c, &ci);
	return ci.state;
}

static int write_config(const char *path, int rtp_port)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "[general]\nsip_address = 127.0.0.1\nsip_port = %d\n"
		   "rtp_port_min = %d\nrtp_port_max = %d\ncontrol_socket = %s/ctl.sock\n"
		   "media_workers = 1\nno_answer_timeout = 60\nsip_timer_c = 60\nrtp_timeout = 0\n\n"
		   "[numbering]\ncountry_code = 49\nnational_prefix = 0\ninternational_prefix = 00\n\n"
		   "[span 1]\ndriver = virt\nsignalling = pri_cpe\nswitchtype = euroisdn_e1\n"
		   "type = e1\nlaw = alaw\ndirectory = %s/span1\ngroup = pstn\n\n"
		   "[trunk phone]\nhost = 127.0.0.1\nport = %d\nqualify = 0\n\n"
		   "[route pstn-to-sip]\nfrom = group:pstn\nto = trunk:phone\n\n"
		   "[route sip-to-pstn]\nfrom = trunk:phone\nto = group:pstn\n",
		gw_port, rtp_port, rtp_port + 99, dir, dir, phone_port);
	return fclose(f);
}

static int start(void)
{
	char path[128];
	struct cfg *cfg = NULL;
	struct cfg_errors errs = { 0 };
	struct sip_ua_params up = { .address = "127.0.0.1", .user_agent = "trunk" };
	int base = 20000 + (int)(getpid() % 4000) * 10;

	gw_port = base;
	phone_port = base + 1;
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	if (write_config(path, 40000 + (int)(getpid() % 200) * 100) ||
	    cfg_load(path, &cfg, &errs)) {
		for (size_t i = 0; i < errs.n; i++)
			printf("# %s\n", errs.msgs[i]);
		cfg_errors_free(&errs);
		return -1;
	}
	if (gw_new(path, cfg, &gw) || gw_start(gw))
		return -1;
	loop = gw->loop;
	up.port = (uint16_t)phone_port;
	if (sip_ua_new(loop, &up, &phone_ev, NULL, &phone) || sip_ua_start(phone))
		return -1;
	loop_timer_new(loop, on_pri_timer, NULL, &pri_timer);
	loop_timer_new(loop, on_clock, NULL, &clock_timer);
	memset(&phone_sdp, 0, sizeof(phone_sdp));
	snprintf(phone_sdp.addr, sizeof(phone_sdp.addr), "127.0.0.1");
	phone_sdp.port = (uint16_t)(base + 2);	/* nobody listens: RTP is not looked at */
	phone_sdp.pts[0] = SIP_SDP_PT_PCMA;
	phone_sdp.npts = 1;
	phone_sdp.te_pt = 101;
	phone_sdp.ptime = 20;
	phone_sdp.dir = SIP_SDP_SENDRECV;
	phone_sdp.sess_id = 42;
	phone_sdp.sess_version = 1;
	return 0;
}

/* Wait until the scenario's call came and went and both sides are quiet. */
static int call_gone(void)
{
	RUN_UNTIL(gw->calls_total > calls_before && !gw->ncalls && !pcall, 5000);
	settle(150);
	return !gw->ncalls;
}

#include "tests/unit/test_gw_call.ok.h"

/* The three transcripts of a scenario against the expected ones. */
static void expect(const char *const want[3], const char *what_gw, const char *what_line,
		   const char *what_sip)
{
	TAP_OK(same("gw call", tr_gw, want[0]), "gw call: %s", what_gw);
	TAP_OK(same("network", tr_line, want[1]), "ISDN network: %s", what_line);
	TAP_OK(same("trunk", tr_sip, want[2]), "SIP trunk: %s", what_sip);
}

static int *cfg_timer(const char *name)
{
	struct cfg_general *g = &gw->cfg->general;

	return !strcmp(name, "no_answer_timeout") ? &g->no_answer_timeout :
	       !strcmp(name, "sip_timer_c") ? &g->sip_timer_c : &g->rtp_timeout;
}

/* isdn -> sip, answered; cleared by the ISDN side (by_isdn) or the SIP side. */
static void isdn_to_sip_answered(int chan, int by_isdn)
{
	reset();
	phone_mode = A_ANSWER;
	line_call(chan, "30123456");
	RUN_UNTIL(strstr(tr_gw, "tdm-connect-ack"), 3000);
	TAP_OK(!strcmp(call_state(), "ACTIVE"), "sipgwctl show calls: ACTIVE");
	if (by_isdn)
		line_clear(PRI_CAUSE_NORMAL_CLEARING);
	else
		phone_hangup(16);
	TAP_OK(call_gone(), "the call is gone");
	if (by_isdn)
		expect(ok_isdn_sip_answered, "SETUP -> INVITE, 180 -> ALERTING, 200 -> CONNECT, "
		       "DISCONNECT 16 -> BYE",
		       "Q.931 CALL PROCEEDING, ALERTING, CONNECT; RELEASE after its DISCONNECT",
		       "RFC 3326: the BYE carries Reason Q.850 cause 16 (RFC 3398 8.2.6.1: DISCONNECT -> BYE)");
	else
		expect(ok_isdn_sip_bye, "BYE with Reason cause 16 -> DISCONNECT 16",
		       "RFC 3398 7.2.4.1 (BYE): Q.931 DISCONNECT cause 16",
		       "RFC 3261 section 15.1.1: our BYE");
}

static void sip_to_isdn_answered(void)
{
	reset();
	l_rings = 0;
	phone_call();
	RUN_UNTIL(l_rings, 3000);
	TAP_OK(!strcmp(call_state(), "ISDN-CALLING"), "sipgwctl show calls: ISDN-CALLING");
	line_alert();
	RUN_UNTIL(strstr(tr_sip, "< 180"), 2000);
	TAP_OK(!strcmp(call_state(), "ISDN-ALERTING"), "sipgwctl show calls: ISDN-ALERTING");
	line_answer();
	RUN_UNTIL(strstr(tr_gw, "sip-confirmed"), 2000);
	phone_hangup(16);
	TAP_OK(call_gone(), "the call is gone");
	expect(ok_sip_isdn_answered, "INVITE -> SETUP, ALERTING -> 180, CONNECT -> 200, BYE -> "
	       "DISCONNECT", "Q.931 SETUP to 30555 (national) from 30123456 (national); "
	       "DISCONNECT cause 16 after the BYE", "RFC 3261 section 13.3.1: 180, then 200 with "
	       "the SDP answer");
}

/* isdn -> sip, refused by the trunk with a final response. */
static void isdn_to_sip_rejected(int code, const char *const want[3], const char *what)
{
	reset();
	phone_mode = A_REJECT;
	phone_reject = code;
	line_call(7, "30123456");
	TAP_OK(call_gone(), "the call is gone");
	expect(want, what, "Q.931 DISCONNECT with the cause", "the final response");
}

static void sip_to_isdn_retry(void)
{
	reset();
	l_rings = 0;
	phone_call();
	RUN_UNTIL(l_rings, 3000);
	line_clear(PRI_CAUSE_REQUESTED_CHAN_UNAVAIL);
	RUN_UNTIL(l_rings == 2, 3000);
	line_alert();
	RUN_UNTIL(strstr(tr_sip, "< 180"), 2000);
	line_clear(PRI_CAUSE_USER_BUSY);
	TAP_OK(call_gone(), "the call is gone");
	expect(ok_retry, "RFC 3398 7.2.4.1 row 44: the SETUP again on another channel, no "
	       "response to SIP; then cause 17", "Q.931 SETUP on B1 refused with cause 44, "
	       "SETUP again on B2", "RFC 3398 7.2.4.1 row 17: 486 with Reason cause 17");
}

static void sip_to_isdn_no_answer(void)
{
	reset();
	l_rings = 0;
	*cfg_timer("no_answer_timeout") = 1;
	phone_call();
	RUN_UNTIL(l_rings, 3000);
	line_alert();
	TAP_OK(call_gone(), "the call is gone");
	*cfg_timer("no_answer_timeout") = 60;
	expect(ok_no_answer, "no_answer_timeout in ISDN-ALERTING fails the call with cause 19",
	       "Q.931 DISCONNECT cause 19 (no answer from user)",
	       "RFC 3398 7.2.4.1 row 19: 480 with Reason cause 19");
}

/* The phone only rings: Timer C restarts on the second 180, then CANCEL. */
static void isdn_to_sip_timer_c(void)
{
	uint64_t t0;

	reset();
	*cfg_timer("sip_timer_c") = 1;
	phone_mode = A_RING;
	line_call(8, "30123456");
	RUN_UNTIL(pcall && strstr(tr_line, "< ALERTING"), 3000);
	t0 = loop_now_ms();
	settle(600);
	phone_respond(180);
	TAP_OK(call_gone() && loop_now_ms() - t0 >= 1500,
	       "RFC 3261 section 16.7: Timer C restarted by the second 180 (fired %llu ms after "
	       "the first, 1 s after the second)", (unsigned long long)(loop_now_ms() - t0));
	*cfg_timer("sip_timer_c") = 60;
	expect(ok_timer_c, "RFC 3261 section 16.6 bullet 11: Timer C in SIP-ALERTING fails the "
	       "call with cause 19", "Q.931 DISCONNECT cause 19",
	       "RFC 3326: CANCEL with Reason cause 19");
}

/* Answered, and the phone sends no RTP. */
static void isdn_to_sip_rtp_timeout(void)
{
	reset();
	*cfg_timer("rtp_timeout") = 1;
	phone_mode = A_ANSWER;
	line_call(9, "30123456");
	TAP_OK(call_gone(), "the call is gone");
	*cfg_timer("rtp_timeout") = 0;
	expect(ok_rtp_timeout, "rtp_timeout in ACTIVE fails the call with cause 102",
	       "Q.931 DISCONNECT cause 102 (recovery on timer expiry)",
	       "RFC 3326: BYE with Reason cause 102");
}

static void stop(void)
{
	char p[160];
	const char *leaves[] = { "gw.conf", "ctl.sock", "span1/dchan", "span1/media", "span1" };

	loop_fd_del(loop, ldfd);
	loop_fd_del(loop, lmfd);
	close(ldfd);
	close(lmfd);
	loop_timer_free(pri_timer);
	loop_timer_free(clock_timer);
	sip_ua_free(phone);
	gw_free(gw);
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, leaves[i]);
		if (unlink(p))
			rmdir(p);
	}
	rmdir(dir);
}

int main(void)
{
	char tmpl[] = "/tmp/sggw.XXXXXX";

	log_open("test_gw_call", 0, 0);
	log_set_level(LOG_LVL_DEBUG);
	log_set_hook(on_log, NULL);
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	TAP_OK(call_def_check() == 0, "the call machine's table passes fsm_def_check "
	       "(unique state names, one row per state and event)");
	TAP_OK(start() == 0, "gw_new and gw_start on one virtual E1 and one trunk");
	if (!gw || !loop)
		return TAP_DONE();
	TAP_OK(line_up() == 0, "Q.921: the network's D-channel comes up, frames flow: span up");

	isdn_to_sip_answered(5, 1);
	isdn_to_sip_answered(6, 0);
	sip_to_isdn_answered();
	isdn_to_sip_rejected(486, ok_busy, "RFC 3398 8.2.6.1 row 486 -> cause 17 (user busy)");
	sip_to_isdn_retry();
	sip_to_isdn_no_answer();
	isdn_to_sip_timer_c();
	isdn_to_sip_rtp_timeout();
	isdn_to_sip_rejected(603, ok_decline, "RFC 3398 8.2.6.1 row 603 -> cause 21 (call rejected)");
	TAP_OK(gw->calls_total == 9 && gw->calls_answered == 4 && gw->calls_failed == 3,
	       "counters: 9 calls, 4 answered, 3 failed by the failure path (%llu %llu %llu)",
	       (unsigned long long)gw->calls_total, (unsigned long long)gw->calls_answered,
	       (unsigned long long)gw->calls_failed);
	stop();
	return TAP_DONE();
}

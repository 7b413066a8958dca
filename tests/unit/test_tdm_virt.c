/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tdm/ on a virtual span (../shared/virt-span.md, version 1), end to end in
 * one process and one loop: the gateway's span (pri_cpe, EuroISDN E1,
 * A-law) and its media half, against a "line" made here: libpri NETWORK on
 * DIR/dchan and a 20 ms frame clock on DIR/media.
 */
#include "config.h"

#include <errno.h>
#include <libpri.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "tdm/span_int.h" /* white-box: hunting order */
#include "tdm/tdm.h"
#include "tests/unit/loop_wait.h"
#include "tests/unit/pri_sched.h"
#include "tests/unit/tap.h"

#define CHUNK 160
#define SLOTS 31
#define FRAME_LEN (8 + SLOTS * CHUNK)

static struct loop *loop;
static char dir[80];

/* ---- the gateway side (what gw/ would do) ---- */

static struct tdm_span *span;
static struct tdm_media *media;

static struct {
	int ups, downs, last_up;
	enum tdm_alarm last_alarm;
	int incoming;
	struct tdm_setup setup;
	struct tdm_call *in_call;
	int proceeding, alerting, connected, connect_ack;
	int disconnected, last_cause;
	struct tdm_call *disc_call;
	int disc_before_down;	/* disconnected seen before span_state(0) */
	int rx5_ok, rx5_bad, rx6_bad;
} gw;

static void on_incoming(void *arg, struct tdm_call *c, const struct tdm_setup *s)
{
	gw.incoming++;
	gw.setup = *s;
	gw.in_call = c;
}

static void on_proceeding(void *arg, struct tdm_call *c) { gw.proceeding++; }
static void on_alerting(void *arg, struct tdm_call *c, int inband) { gw.alerting++; }
static void on_progress(void *arg, struct tdm_call *c, int inband) { }
static void on_connected(void *arg, struct tdm_call *c) { gw.connected++; }
static void on_connect_ack(void *arg, struct tdm_call *c) { gw.connect_ack++; }

static void on_disconnected(void *arg, struct tdm_call *c, int cause)
{
	gw.disconnected++;
	gw.last_cause = cause;
	gw.disc_call = c;
	if (c == gw.in_call)
		gw.in_call = NULL;
}

static void on_span_state(void *arg, struct tdm_span *s, int up, enum tdm_alarm alarm)
{
	if (up)
		gw.ups++;
	else
		gw.downs++;
	if (!up && gw.disconnected)
		gw.disc_before_down = gw.disconnected;
	gw.last_up = up;
	gw.last_alarm = alarm;
}

static const struct tdm_span_events span_ev = {
	.incoming = on_incoming, .proceeding = on_proceeding, .alerting = on_alerting,
	.progress = on_progress, .connected = on_connected, .connect_ack = on_connect_ack,
	.disconnected = on_disconnected, .span_state = on_span_state,
};

static void on_rx(void *arg, int chan, const uint8_t *g711, size_t n)
{
	if (chan == 5) {
		int ok = n == CHUNK;
		for (size_t i = 0; ok && i < n; i++)
			ok = g711[i] == (uint8_t)(i + 1);
		if (ok)
			gw.rx5_ok++;
		else
			gw.rx5_bad++;
	} else if (chan == 6) {
		for (size_t i = 0; i < n; i++)
			if (g711[i] != 0xD5) {
				gw.rx6_bad++;
				break;
			}
	}
}

static void on_tx(void *arg, int chan, uint8_t *g711, size_t n)
{
	if (chan == 5)
		for (size_t i = 0; i < n; i++)
			g711[i] = (uint8_t)(255 - i);
}

static int line_chan, line_code, line_value;
static void on_line(void *arg, int chan, int code, int value)
{
	line_chan = chan;
	line_code = code;
	line_value = value;
}

static const struct tdm_media_events media_ev = {
	.rx = on_rx, .tx = on_tx, .line = on_line,
};

/* ---- the line: libpri NETWORK + the frame clock ---- */

static struct pri *line_pris[8]; /* libpri cannot free them: kept reachable */
static int nline_pris;
static struct pri *lpri;
static int ldfd = -1, lmfd = -1;
static struct loop_timer *line_pri_timer, *clock_timer;
static uint32_t lseq;
static int clock_on;
static uint8_t slot5_pattern = 1;

static struct {
	int dchan_up;
	int ring;
	pri_event_ring ringev;
	q931_call *call;
	int ringing, answer, hangup_req, hangup, last_cause, proceeding;
	int replies, reply_seq_bad, reply5_ok, reply5_bad, reply16_bad;
	uint32_t last_sent;
} line;

static void line_event(pri_event *e);

static void line_rearm(void)
{
	pri_sched_run(lpri, line_pri_timer, line_event);
}

static void line_pri_timer_cb(void *arg)
{
	line_rearm();
}

static void line_event(pri_event *e)
{
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		line.dchan_up = 1;
		break;
	case PRI_EVENT_DCHAN_DOWN:
		line.dchan_up = 0;
		break;
	case PRI_EVENT_RING:
		line.ring++;
		line.ringev = e->ring;
		line.call = e->ring.call;
		break;
	case PRI_EVENT_PROCEEDING:
		line.proceeding++;
		break;
	case PRI_EVENT_RINGING:
		line.ringing++;
		break;
	case PRI_EVENT_ANSWER:
		line.answer++;
		break;
	case PRI_EVENT_HANGUP_REQ:
		line.hangup_req++;
		line.last_cause = e->hangup.cause;
		pri_hangup(lpri, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP:
		line.hangup++;
		line.last_cause = e->hangup.cause;
		pri_hangup(lpri, e->hangup.call, e->hangup.cause);
		break;
	default:
		break;
	}
}

static void on_line_dchan(int fd, uint32_t events, void *arg)
{
	pri_event *e = pri_check_event(lpri);

	if (e)
		line_event(e);
	line_rearm();
}

static void on_line_media(int fd, uint32_t events, void *arg)
{
	uint8_t buf[16384];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			return;
		if (n != FRAME_LEN || buf[0] != 'F' || buf[1] != 1)
			continue;
		uint32_t seq = (uint32_t)buf[4] | (uint32_t)buf[5] << 8 |
			       (uint32_t)buf[6] << 16 | (uint32_t)buf[7] << 24;
		line.replies++;
		if (seq != line.last_sent)
			line.reply_seq_bad++;
		const uint8_t *s5 = buf + 8 + 4 * CHUNK, *s16 = buf + 8 + 15 * CHUNK;
		int ok = 1;
		for (int i = 0; i < CHUNK; i++)
			ok &= s5[i] == (uint8_t)(255 - i);
		if (ok)
			line.reply5_ok++;
		else
			line.reply5_bad++;
		for (int i = 0; i < CHUNK; i++)
			if (s16[i] != 0xD5) {
				line.reply16_bad++;
				break;
			}
	}
}

static void send_frame(uint32_t seq)
{
	uint8_t f[FRAME_LEN];

	f[0] = 'F';
	f[1] = 1;
	f[2] = SLOTS;
	f[3] = 0;
	for (int i = 0; i < 4; i++)
		f[4 + i] = (uint8_t)(seq >> (8 * i));
	memset(f + 8, 0xD5, FRAME_LEN - 8);
	for (int i = 0; i < CHUNK; i++)
		f[8 + 4 * CHUNK + i] = (uint8_t)(i + slot5_pattern);
	line.last_sent = seq;
	send(lmfd, f, sizeof(f), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void clock_cb(void *arg)
{
	if (clock_on && lmfd >= 0)
		send_frame(lseq++);
	loop_timer_start(clock_timer, 20);
}

static int connect_to(const char *leaf)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.80s/%.8s", dir, leaf);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connect the line: media first (reads 'C' into c), then the D-channel. */
static int line_connect(uint8_t *c, ssize_t *clen)
{
	lmfd = connect_to("media");
	if (lmfd < 0)
		return -1;
	/* the 'C' comes once the gateway's loop accepts */
	for (int i = 0; i < 100; i++) {
		loop_run_once(loop, 10);
		*clen = recv(lmfd, c, 64, MSG_DONTWAIT);
		if (*clen > 0)
			break;
	}
	loop_fd_add(loop, lmfd, EPOLLIN, on_line_media, NULL);
	ldfd = connect_to("dchan");
	if (ldfd < 0)
		return -1;
	lpri = pri_new(ldfd, PRI_NETWORK, PRI_SWITCH_EUROISDN_E1);
	line_pris[nline_pris++] = lpri;
	loop_fd_add(loop, ldfd, EPOLLIN, on_line_dchan, NULL);
	line_rearm();
	clock_on = 1;
	return 0;
}

static void line_disconnect(void)
{
	clock_on = 0;
	loop_fd_del(loop, ldfd);
	loop_fd_del(loop, lmfd);
	close(ldfd);
	close(lmfd);
	ldfd = lmfd = -1;
	loop_timer_stop(line_pri_timer);
	lpri = NULL;
	memset(&line, 0, sizeof(line));
}

static void line_place_call(int chan, const char *called, int calledplan,
			    const char *calling, int callingplan)
{
	struct pri_sr *sr = pri_sr_new();
	char cd[32], cg[32];

	snprintf(cd, sizeof(cd), "%s", called);
	snprintf(cg, sizeof(cg), "%s", calling);
	line.call = pri_new_call(lpri);
	pri_sr_set_channel(sr, chan, 1, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, cd, calledplan, 1);
	pri_sr_set_caller(sr, cg, NULL, callingplan, PRES_ALLOWED_USER_NUMBER_PASSED_SCREEN);
	pri_setup(lpri, line.call, sr);
	pri_sr_free(sr);
	line_rearm();
}

int main(void)
{
	struct cfg_span cfg;
	struct stat st;
	uint8_t c[64];
	ssize_t clen = 0;
	char tmpl[] = "/tmp/sgtdm.XXXXXX";
	const char *dbg = getenv("TDM_TEST_DEBUG");

	log_open("test_tdm_virt", 1, 0);
	log_set_level(dbg ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(dir, sizeof(dir), "%s/span1", tmpl);

	memset(&cfg, 0, sizeof(cfg));
	cfg.id = 1;
	cfg.driver = CFG_DRIVER_VIRT;
	cfg.signalling = CFG_SIG_PRI_CPE;
	cfg.switchtype = CFG_SWITCH_EUROISDN_E1;
	cfg.type = CFG_SPAN_E1;
	cfg.law = CFG_LAW_ALAW;
	snprintf(cfg.directory, sizeof(cfg.directory), "%s", dir);
	cfg.channels = 0xFFFEFFFEu; /* 1-15, 17-31 */
	cfg.dchannel = 16;
	cfg.chunk_ms = 20;
	snprintf(cfg.group, sizeof(cfg.group), "span1");

	TAP_OK(loop_new(&loop) == 0, "loop");
	loop_timer_new(loop, line_pri_timer_cb, NULL, &line_pri_timer);
	loop_timer_new(loop, clock_cb, NULL, &clock_timer);
	TAP_OK(tdm_span_new(loop, &cfg, &span_ev, NULL, &span) == 0, "tdm_span_new (pri_cpe, EuroISDN E1)");
	TAP_OK(tdm_media_new(loop, span, &media_ev, NULL, &media) == 0, "tdm_media_new");
	TAP_OK(tdm_span_start(span) == 0, "tdm_span_start listens on DIR/dchan");
	TAP_OK(tdm_media_start(media) == 0, "tdm_media_start listens on DIR/media");
	TAP_OK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0770,
	       "virt-span.md: directory created with mode 0770");
	TAP_OK(!tdm_span_is_up(span) && tdm_span_chan_state(span, 1) == TDM_CHAN_OOS,
	       "span down and channels out of service before the line connects");

	/* ---- connect the line ---- */
	TAP_OK(line_connect(c, &clen) == 0, "line connects to DIR/media and DIR/dchan");
	TAP_OK(clen == 14 && c[0] == 'C' && c[1] == 1 && c[2] == 31 && c[3] == 0 &&
	       !c[4] && !c[5] && !c[6] && !c[7], "virt-span.md 'C': version 1, 31 slots, seq 0");
	TAP_OK(clen == 14 && c[8] == 160 && c[9] == 0 && c[10] == 1 && c[11] == 1 &&
	       c[12] == 16 && c[13] == 0, "virt-span.md 'C': chunk 160, A-law, kind E1 PRI, D-channel slot 16");
	loop_timer_start(clock_timer, 20);

	RUN_UNTIL(gw.last_up && line.dchan_up, 3000);
	TAP_OK(gw.ups == 1 && tdm_span_is_up(span),
	       "Q.921 SABME/UA: layer 2 up and frames flowing -> span_state up");
	TAP_OK(tdm_span_chan_state(span, 1) == TDM_CHAN_IDLE &&
	       tdm_span_chan_state(span, 16) == TDM_CHAN_UNUSED &&
	       tdm_span_chan_state(span, 31) == TDM_CHAN_IDLE,
	       "channels idle, timeslot 16 (D-channel) not a bearer");

	{
		struct tdm_span_status ss;
		tdm_span_status(span, &ss);
		TAP_OK(ss.up && ss.dchan_up && ss.media_up && ss.nchannels == 30 && ss.nbusy == 0 &&
		       !strcmp(ss.driver, "virt") && !strcmp(ss.signalling, "pri_cpe"),
		       "status: up, 30 bearer channels, virt, pri_cpe");
	}

	/* ---- a call from the line ---- */
	line_place_call(5, "4711", PRI_LOCAL_ISDN, "030123", PRI_NATIONAL_ISDN);
	RUN_UNTIL(gw.incoming, 2000);
	TAP_OK(gw.incoming == 1 && gw.in_call, "Q.931 SETUP from the line -> incoming");
	TAP_OK(!strcmp(gw.setup.called.digits, "4711") && gw.setup.called.ton == TDM_TON_SUBSCRIBER &&
	       gw.setup.called.npi == 1, "Q.931 SETUP called party number 4711, TON subscriber, NPI E.164");
	TAP_OK(!strcmp(gw.setup.calling.digits, "030123") && gw.setup.calling.ton == TDM_TON_NATIONAL &&
	       gw.setup.calling.npi == 1 && gw.setup.calling.pres == TDM_PRES_ALLOWED &&
	       gw.setup.calling.screening == 1,
	       "Q.931 SETUP calling party number 030123, TON national, presentation allowed, user-provided verified");
	TAP_OK(gw.setup.bearer == TDM_BEARER_SPEECH && gw.setup.channel == 5 &&
	       gw.in_call && tdm_call_channel(gw.in_call) == 5 &&
	       tdm_span_chan_state(span, 5) == TDM_CHAN_BUSY,
	       "Q.931 SETUP bearer speech, channel identification B5 -> channel 5 busy");

	struct tdm_call *ic = gw.in_call;
	TAP_OK(tdm_call_alert(ic, 0) == 0, "tdm_call_alert");
	RUN_UNTIL(line.ringing, 2000);
	TAP_OK(line.ringing == 1, "Q.931 ALERTING reaches the line");
	TAP_OK(tdm_call_answer(ic) == 0, "tdm_call_answer");
	RUN_UNTIL(line.answer, 2000);
	TAP_OK(line.answer == 1, "Q.931 CONNECT reaches the line");
	RUN_UNTIL(gw.connect_ack, 500);
	TAP_OK(gw.connect_ack == 1, "Q.931 CONNECT ACKNOWLEDGE -> connect_ack");

	/* ---- audio on slot 5 both ways ---- */
	int r0 = gw.rx5_ok, l0 = line.reply5_ok;
	RUN_UNTIL(gw.rx5_ok - r0 >= 10 && line.reply5_ok - l0 >= 10, 2000);
	TAP_OK(gw.rx5_ok - r0 >= 10 && gw.rx5_bad == 0 && gw.rx6_bad == 0,
	       "virt-span.md 'F': slot 5 from the line arrives at rx chan 5 (slot 6 idle)");
	TAP_OK(line.reply5_ok - l0 >= 10 && line.reply5_bad == 0,
	       "virt-span.md 'F': tx chan 5 arrives in the answering frame at slot 5");
	TAP_OK(line.reply_seq_bad == 0 && line.reply16_bad == 0 && line.replies > 0,
	       "virt-span.md 'F': every answer carries the same seq, D-channel slot idle");

	/* ---- the line hangs up with cause 16 ---- */
	pri_hangup(lpri, line.call, PRI_CAUSE_NORMAL_CLEARING);
	line_rearm();
	RUN_UNTIL(gw.disconnected, 2000);
	TAP_OK(gw.disconnected == 1 && gw.last_cause == 16 && gw.disc_call == ic,
	       "Q.931 DISCONNECT cause 16 from the line -> disconnected(16)");
	RUN_UNTIL(line.hangup, 2000);
	TAP_OK(line.hangup == 1, "Q.931 RELEASE reaches the line after its DISCONNECT");
	RUN_UNTIL(tdm_span_chan_state(span, 5) == TDM_CHAN_IDLE, 1000);
	TAP_OK(tdm_span_chan_state(span, 5) == TDM_CHAN_IDLE, "channel 5 idle again");

	/* ---- a call from the gateway ---- */
	struct tdm_setup os;
	struct tdm_call *oc = NULL;
	memset(&os, 0, sizeof(os));
	snprintf(os.called.digits, sizeof(os.called.digits), "0891234");
	os.called.ton = TDM_TON_NATIONAL;
	os.called.npi = 1;
	snprintf(os.calling.digits, sizeof(os.calling.digits), "4711");
	os.calling.ton = TDM_TON_SUBSCRIBER;
	os.calling.npi = 1;
	os.bearer = TDM_BEARER_SPEECH;
	TAP_OK(tdm_call_place(span, 0, &os, (void *)&os, &oc) == 0 && oc,
	       "tdm_call_place on a hunted channel");
	TAP_OK(oc && tdm_call_channel(oc) == 1 && tdm_call_user(oc) == &os,
	       "pri_cpe hunts the lowest free channel first (B1)");
	RUN_UNTIL(line.ring, 2000);
	TAP_OK(line.ring == 1 && !strcmp(line.ringev.callednum, "0891234") &&
	       line.ringev.calledplan == PRI_NATIONAL_ISDN,
	       "Q.931 SETUP to the line: called 0891234, TON national, NPI E.164");
	TAP_OK(line.ring == 1 && !strcmp(line.ringev.callingnum, "4711") &&
	       line.ringev.callingplan == PRI_LOCAL_ISDN && (line.ringev.channel & 0xFF) == 1,
	       "Q.931 SETUP to the line: calling 4711, TON subscriber, channel B1");
	pri_proceeding(lpri, line.call, 1, 0);
	pri_acknowledge(lpri, line.call, 1, 1);
	line_rearm();
	RUN_UNTIL(gw.alerting, 2000);
	TAP_OK(gw.proceeding == 1 && gw.alerting == 1,
	       "Q.931 CALL PROCEEDING and ALERTING -> proceeding, alerting");
	pri_answer(lpri, line.call, 1, 0);
	line_rearm();
	RUN_UNTIL(gw.connected, 2000);
	TAP_OK(gw.connected == 1, "Q.931 CONNECT from the line -> connected");
	int hr0 = line.hangup_req;
	TAP_OK(tdm_call_hangup(oc, 17) == 0, "tdm_call_hangup(17)");
	RUN_UNTIL(line.hangup_req > hr0, 2000);
	TAP_OK(line.hangup_req == hr0 + 1 && line.last_cause == 17,
	       "Q.931 DISCONNECT with cause 17 (user busy) reaches the line");
	TAP_OK(gw.disconnected == 1, "no disconnected event after tdm_call_hangup");
	RUN_UNTIL(tdm_span_chan_state(span, 1) == TDM_CHAN_IDLE, 1000);

	/* ---- an unanswered incoming call cleared by the gateway ---- */
	line_place_call(9, "4712", PRI_LOCAL_ISDN, "030123", PRI_NATIONAL_ISDN);
	RUN_UNTIL(gw.incoming == 2, 2000);
	hr0 = line.hangup_req;
	TAP_OK(gw.incoming == 2 && gw.in_call && tdm_call_hangup(gw.in_call, 21) == 0,
	       "Q.931 SETUP on B9 (CALL PROCEEDING sent at once), cleared unanswered by tdm_call_hangup(21)");
	gw.in_call = NULL;
	RUN_UNTIL(line.hangup_req > hr0, 2000);
	TAP_OK(line.proceeding >= 1 && line.last_cause == 21 && line.hangup_req == hr0 + 1,
	       "Q.931 CALL PROCEEDING then DISCONNECT cause 21 reach the line");

	/* ---- the line breaks: span down, calls cleared with 38 ---- */
	line_place_call(7, "4713", PRI_LOCAL_ISDN, "030123", PRI_NATIONAL_ISDN);
	RUN_UNTIL(gw.incoming == 3, 2000);
	TAP_OK(gw.incoming == 3 && gw.in_call && tdm_call_answer(gw.in_call) == 0,
	       "Q.931 SETUP on B7 answered (CONNECT)");
	RUN_UNTIL(line.answer, 2000);
	int d0 = gw.disconnected;
	line_disconnect();
	RUN_UNTIL(!gw.last_up, 2000);
	TAP_OK(!gw.last_up && gw.last_alarm == TDM_ALARM_RED && !tdm_span_is_up(span),
	       "line sockets closed -> span_state down, red alarm");
	TAP_OK(gw.disconnected == d0 + 1 && gw.last_cause == 38 && gw.disc_before_down == d0 + 1,
	       "the active call gets disconnected(38) before span_state down");
	TAP_OK(tdm_span_chan_state(span, 7) == TDM_CHAN_OOS &&
	       tdm_span_chan_state(span, 1) == TDM_CHAN_OOS, "channels out of service");
	TAP_OK(tdm_call_place(span, 0, &os, NULL, &oc) == ENETDOWN, "tdm_call_place: ENETDOWN while down");

	/* ---- the line returns ---- */
	int ups0 = gw.ups;
	TAP_OK(line_connect(c, &clen) == 0 && clen == 14 && c[0] == 'C',
	       "line reconnects and gets 'C' again");
	RUN_UNTIL(gw.ups > ups0 && line.dchan_up, 5000);
	TAP_OK(gw.ups == ups0 + 1 && tdm_span_is_up(span) &&
	       tdm_span_chan_state(span, 7) == TDM_CHAN_IDLE,
	       "Q.921 layer 2 re-established on the same libpri link -> span up again");
	line_place_call(3, "4714", PRI_LOCAL_ISDN, "030123", PRI_NATIONAL_ISDN);
	RUN_UNTIL(gw.incoming == 4, 2000);
	TAP_OK(gw.incoming == 4 && gw.in_call && tdm_call_channel(gw.in_call) == 3,
	       "Q.931 SETUP after the reconnect -> incoming on B3");
	d0 = gw.disconnected;
	pri_hangup(lpri, line.call, PRI_CAUSE_NORMAL_CLEARING);
	line_rearm();
	RUN_UNTIL(gw.disconnected > d0, 2000);
	TAP_OK(gw.disconnected == d0 + 1 && gw.last_cause == 16,
	       "Q.931 DISCONNECT before answer -> disconnected(16)");

	/* ---- a second line is refused at once ---- */
	{
		int extra = connect_to("media");
		uint8_t b[64];
		ssize_t n = -1;
		for (int i = 0; i < 50 && extra >= 0; i++) {
			loop_run_once(loop, 10);
			n = recv(extra, b, sizeof(b), MSG_DONTWAIT);
			if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				break;
		}
		TAP_OK(extra >= 0 && n == 0, "virt-span.md: a second media connection is closed at once");
		if (extra >= 0)
			close(extra);
	}

	/* ---- bad messages and slips are counted, not fatal ---- */
	{
		struct tdm_media_stats ms0, ms1;
		uint8_t junk[16] = { 'X', 1, 0, 0, 0, 0, 0, 0 };
		uint8_t shortf[8 + 10] = { 'F', 1, 31, 0 };
		tdm_media_stats(media, &ms0);
		send(lmfd, junk, sizeof(junk), MSG_NOSIGNAL);
		send(lmfd, shortf, sizeof(shortf), MSG_NOSIGNAL);
		lseq += 3; /* three frames never sent: a slip of 3 */
		RUN_UNTIL(0, 200);
		tdm_media_stats(media, &ms1);
		TAP_OK(ms1.bad == ms0.bad + 2 && ms1.connected && tdm_span_is_up(span),
		       "virt-span.md: unknown type and wrong-size 'F' ignored and counted, link stays up");
		TAP_OK(ms1.slips == ms0.slips + 3 && ms1.frames > ms0.frames,
		       "virt-span.md: missing seq counted as slips");
	}

	/* ---- frames stop for > 1 s: loss of frame ---- */
	clock_on = 0;
	RUN_UNTIL(!gw.last_up, 2500);
	TAP_OK(!gw.last_up && gw.last_alarm == TDM_ALARM_RED,
	       "virt-span.md: no 'F' for over 1 s -> red alarm, span down");
	ups0 = gw.ups;
	clock_on = 1;
	RUN_UNTIL(gw.ups > ups0, 2000);
	TAP_OK(gw.ups == ups0 + 1 && tdm_span_is_up(span), "frames resume -> alarm cleared, span up");

	/* ---- the line's ALARM event ---- */
	{
		uint8_t e[12] = { 'E', 1, 0, 0, 0, 0, 0, 0, 8, 0, 2, 0 }; /* ALARM yellow */
		send(lmfd, e, sizeof(e), MSG_NOSIGNAL);
		RUN_UNTIL(!gw.last_up, 1000);
		TAP_OK(!gw.last_up && gw.last_alarm == TDM_ALARM_YELLOW,
		       "virt-span.md 'E' ALARM yellow -> span down, yellow alarm");
		e[10] = 0;
		ups0 = gw.ups;
		send(lmfd, e, sizeof(e), MSG_NOSIGNAL);
		RUN_UNTIL(gw.ups > ups0, 1000);
		TAP_OK(tdm_span_is_up(span), "virt-span.md 'E' ALARM clear -> span up");
	}

	/* ---- an alarm that clears before the control thread looks ---- */
	{
		int downs0 = gw.downs, ups1 = gw.ups;
		/* as a media worker would: red, then in sync, with no loop turn between */
		span_media_report(span, TDM_ALARM_RED, "test");
		span_media_report(span, TDM_ALARM_NONE, NULL);
		RUN_UNTIL(gw.ups > ups1, 1000);
		TAP_OK(gw.downs == downs0 + 1 && gw.ups == ups1 + 1 && tdm_span_is_up(span),
		       "a red alarm gone again before the control loop looked still takes the span down once, then up");
	}

	/* ---- line events pass up ---- */
	{
		uint8_t e[12] = { 'E', 1, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0 }; /* OFFHOOK on 3 */
		send(lmfd, e, sizeof(e), MSG_NOSIGNAL);
		RUN_UNTIL(line_code, 1000);
		TAP_OK(line_chan == 3 && line_code == 1 && line_value == 0,
		       "virt-span.md 'E' OFFHOOK on channel 3 -> line(3, 1, 0)");
	}

	/* ---- pri_net hunts from the top ---- */
	{
		struct cfg_span nc = cfg;
		struct tdm_span *ns = NULL;
		nc.id = 2;
		nc.signalling = CFG_SIG_PRI_NET;
		snprintf(nc.directory, sizeof(nc.directory), "%s/span2", tmpl);
		TAP_OK(tdm_span_new(loop, &nc, &span_ev, NULL, &ns) == 0 && tdm_span_start(ns) == 0,
		       "a pri_net span starts beside it");
		for (int i = 1; i < 32; i++)
			if (ns->chan[i] == TDM_CHAN_OOS)
				ns->chan[i] = TDM_CHAN_IDLE;
		TAP_OK(span_hunt(ns, 0) == 31 && span_hunt(span, 0) == 1,
		       "hunting: pri_net takes the highest free channel (B31), pri_cpe the lowest (B1)");
		ns->chan[31] = TDM_CHAN_BUSY;
		TAP_OK(span_hunt(ns, 0) == 30 && span_hunt(ns, 31) == -1 && span_hunt(ns, 16) == -1,
		       "hunting: skips busy B31; a busy or D-channel timeslot is refused");
		tdm_span_free(ns);
	}

	line_disconnect();
	RUN_UNTIL(!gw.last_up, 1000);
	tdm_media_free(media);
	tdm_span_free(span);
	loop_timer_free(line_pri_timer);
	loop_timer_free(clock_timer);
	loop_free(loop);
	{
		char p[300];
		snprintf(p, sizeof(p), "%s/span2", tmpl);
		rmdir(p);
		rmdir(dir);
		rmdir(tmpl);
	}
	TAP_OK(nline_pris == 2, "line libpri links kept for the process (libpri has no destructor)");
	return TAP_DONE();
}

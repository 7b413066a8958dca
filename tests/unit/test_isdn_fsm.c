/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The ISDN call state machine (tdm/isdn_call.c) on its own: libpri's side
 * (isdn.c) is replaced by stubs that write what would go on the D-channel
 * into a transcript, beside the machine's log lines and what gw/ is told.
 * Each scenario compares its transcript with the expected text exactly
 * (Osmocom's fsm_test style): a changed transition, a refusal that is not
 * logged or a message in another order fails the check.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "tdm/isdn_int.h"
#include "tests/unit/tap.h"

static char tr[8192];	/* the transcript */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	size_t n = strlen(tr);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tr + n, sizeof(tr) - n, fmt, ap);
	va_end(ap);
	n = strlen(tr);
	if (n < sizeof(tr) - 1) {
		tr[n] = '\n';
		tr[n + 1] = 0;
	}
}

static void on_log(const char *line, void *arg)
{
	(void)arg;
	say("%s", line);
}

/* ---- isdn.c, stubbed: the D-channel as text ---- */

static int setup_err;	/* what isdn_tx_setup returns */
static int fake_q[8];	/* libpri's calls: only their addresses matter */

int isdn_new(struct tdm_span *s) { (void)s; return 0; }
void isdn_free(struct tdm_span *s) { (void)s; }
void isdn_kick(struct tdm_span *s) { (void)s; }
void isdn_span_changed(struct tdm_span *s) { (void)s; }

int isdn_tx_setup(struct tdm_call *c, const struct tdm_setup *setup)
{
	if (setup_err)
		return setup_err;
	isdn_call_of(c)->q = (q931_call *)&fake_q[c->id % 8];
	say("> SETUP B%d to %s", c->chan, setup->called.digits);
	return 0;
}

void isdn_tx_proceeding(struct tdm_call *c) { if (isdn_call_of(c)->q) say("> CALL PROCEEDING B%d", c->chan); }
void isdn_tx_alerting(struct tdm_call *c, int inband) { if (isdn_call_of(c)->q) say("> ALERTING pi=%d", inband); }
void isdn_tx_progress(struct tdm_call *c, int inband) { if (isdn_call_of(c)->q) say("> PROGRESS pi=%d", inband); }
void isdn_tx_connect(struct tdm_call *c) { if (isdn_call_of(c)->q) say("> CONNECT"); }

/* DISCONNECT, or RELEASE / RELEASE COMPLETE: libpri picks by its state. */
void isdn_tx_clear(struct tdm_call *c, int cause)
{
	if (isdn_call_of(c)->q)
		say("> clear cause %d", cause);
	isdn_call_of(c)->q = NULL;
}

void isdn_tx_forget(struct tdm_call *c)
{
	if (isdn_call_of(c)->q)
		say("> (forgotten, nothing sent)");
	isdn_call_of(c)->q = NULL;
}

void isdn_tx_reject(struct tdm_span *s, q931_call *q, int chan, int cause)
{
	(void)s;
	(void)q;
	say("> CALL PROCEEDING B%d, DISCONNECT cause %d", chan, cause);
}

static int dchan_start(struct tdm_span *s) { (void)s; return 0; }
static void dchan_free(struct tdm_span *s) { (void)s; }
const struct tdm_dchan_ops tdm_virt_dchan_ops = { .name = "virt", .start = dchan_start, .free = dchan_free };
const struct tdm_dchan_ops tdm_dahdi_dchan_ops = { .name = "dahdi", .start = dchan_start, .free = dchan_free };

/* ---- gw/, as a recorder ---- */

static struct tdm_call *last_in;
static int hangup_in_disconnected; /* try a command from inside the callback */

static void on_incoming(void *arg, struct tdm_call *c, const struct tdm_setup *s)
{
	(void)arg;
	last_in = c;
	say("gw: incoming on B%d to %s", s->channel, s->called.digits);
}

static void on_proceeding(void *arg, struct tdm_call *c) { (void)arg; (void)c; say("gw: proceeding"); }
static void on_alerting(void *arg, struct tdm_call *c, int inband)
{
	(void)arg;
	(void)c;
	say("gw: alerting inband=%d", inband);
}
static void on_progress(void *arg, struct tdm_call *c, int inband)
{
	(void)arg;
	(void)c;
	say("gw: progress inband=%d", inband);
}
static void on_connected(void *arg, struct tdm_call *c) { (void)arg; (void)c; say("gw: connected"); }
static void on_connect_ack(void *arg, struct tdm_call *c) { (void)arg; (void)c; say("gw: connect_ack"); }

static void on_disconnected(void *arg, struct tdm_call *c, int cause)
{
	(void)arg;
	say("gw: disconnected call %u cause %d", c->id, cause);
	if (hangup_in_disconnected)
		say("gw: tdm_call_hangup in disconnected -> %d", tdm_call_hangup(c, 16));
}

static void on_span_state(void *arg, struct tdm_span *s, int up, enum tdm_alarm alarm)
{
	(void)arg;
	(void)s;
	say("gw: span_state %s alarm %s", up ? "up" : "down", tdm_alarm_name(alarm));
}

static const struct tdm_span_events ev = {
	.incoming = on_incoming, .proceeding = on_proceeding, .alerting = on_alerting,
	.progress = on_progress, .connected = on_connected, .connect_ack = on_connect_ack,
	.disconnected = on_disconnected, .span_state = on_span_state,
};

/* ---- helpers ---- */

static struct tdm_span *span;

static void span_up(void)
{
	span->sig_connected = 1;
	span->sig_up = 1;
	span_media_report(span, TDM_ALARM_NONE, NULL);
	span_update(span);
}

/* A SETUP from the network for chan (its libpri call: fake_q[chan % 8]). */
static struct tdm_call *ring(int chan, const char *called)
{
	struct tdm_setup st;

	memset(&st, 0, sizeof(st));
	snprintf(st.called.digits, sizeof(st.called.digits), "%s", called);
	last_in = NULL;
	isdn_call_setup(span, (q931_call *)&fake_q[chan % 8], &st, chan, 0);
	return last_in;
}

static int rx(struct tdm_call *c, enum isdn_event type, int cause, int inband)
{
	struct isdn_ev e = { .type = type, .cause = cause, .inband = inband };

	return isdn_call_event(c, &e);
}

static int same(const char *want)
{
	if (!strcmp(tr, want))
		return 1;
	printf("# expected:\n%s# got:\n%s", want, tr);
	return 0;
}

int main(void)
{
	struct cfg_span cfg;
	struct tdm_call *a, *b;
	struct tdm_setup os;
	int dummy_loop, r;

	log_open("test_isdn_fsm", 0, 0);
	log_set_level(LOG_LVL_DEBUG);
	memset(&cfg, 0, sizeof(cfg));
	cfg.id = 1;
	cfg.driver = CFG_DRIVER_VIRT;
	cfg.signalling = CFG_SIG_PRI_CPE;
	cfg.switchtype = CFG_SWITCH_EUROISDN_E1;
	cfg.type = CFG_SPAN_E1;
	cfg.channels = 0xFFFEFFFEu;
	cfg.dchannel = 16;
	TAP_OK(tdm_span_new((struct loop *)&dummy_loop, &cfg, &ev, NULL, &span) == 0,
	       "a span with the D-channel stubbed");
	span_up();
	TAP_OK(tdm_span_is_up(span), "span up");
	log_set_hook(on_log, NULL);

	/* ---- incoming: SETUP, CALL PROCEEDING at once, answer, CONNECT ACK ---- */
	tr[0] = 0;
	a = ring(5, "4711");
	TAP_OK(a && same(
		"isdn DEBUG: span1/B5: call 1{NULL}: SETUP -> SETUP-IN\n"
		"isdn DEBUG: span1/B5: call 1{SETUP-IN}: proceeding -> PROCEEDING-IN\n"
		"> CALL PROCEEDING B5\n"
		"isdn INFO: span1/B5: call 1{PROCEEDING-IN}: CALL PROCEEDING sent\n"
		"gw: incoming on B5 to 4711\n"),
	       "Q.931 SETUP (en-bloc): CALL PROCEEDING sent at once, then offered to gw/");
	tr[0] = 0;
	r = tdm_call_proceeding(a);
	TAP_OK(r == 0 && same("isdn DEBUG: span1/B5: call 1{PROCEEDING-IN}: proceeding -> PROCEEDING-IN\n"),
	       "tdm_call_proceeding after the automatic one: taken, nothing sent twice");
	tr[0] = 0;
	r = tdm_call_answer(a);
	rx(a, ISDN_EV_CONNECT_ACK, 0, 0);
	TAP_OK(r == 0 && same(
		"isdn DEBUG: span1/B5: call 1{PROCEEDING-IN}: answer -> ACTIVE-IN\n"
		"> CONNECT\n"
		"isdn INFO: span1/B5: call 1{ACTIVE-IN}: CONNECT sent\n"
		"isdn DEBUG: span1/B5: call 1{ACTIVE-IN}: CONNECT ACKNOWLEDGE -> ACTIVE-IN\n"
		"isdn INFO: span1/B5: call 1{ACTIVE-IN}: CONNECT ACKNOWLEDGE received\n"
		"gw: connect_ack\n"),
	       "Q.931 CONNECT sent, CONNECT ACKNOWLEDGE -> connect_ack");

	/* ---- refusals ---- */
	tr[0] = 0;
	r = tdm_call_alert(a, 0);
	TAP_OK(r == EINVAL && same(
		"isdn WARN: span1/B5: call 1{ACTIVE-IN}: alert refused (not taken in this state)\n"),
	       "tdm_call_alert on an active call: refused with EINVAL and logged, nothing sent");
	tr[0] = 0;
	r = rx(a, ISDN_EV_ALERTING, 0, 1);
	TAP_OK(r == EINVAL && same(
		"isdn NOTICE: span1/B5: call 1{ACTIVE-IN}: ALERTING refused (not taken in this state)\n"),
	       "Q.931 ALERTING on an active incoming call: refused and logged, gw/ not told");

	/* ---- the far end clears; the link is down: cause 38 to gw/ ---- */
	tr[0] = 0;
	span->sig_up = 0;
	rx(a, ISDN_EV_DISCONNECT, 16, 0);
	span->sig_up = 1;
	TAP_OK(same(
		"isdn DEBUG: span1/B5: call 1{ACTIVE-IN}: DISCONNECT -> CLEARING\n"
		"isdn INFO: span1/B5: call 1{CLEARING}: DISCONNECT received in ACTIVE-IN, cause 38 (Network out of order)\n"
		"gw: disconnected call 1 cause 38\n"
		"> clear cause 16\n"
		"isdn DEBUG: span1/B5: call 1 freed\n"),
	       "Q.931 DISCONNECT while layer 2 is down (T309): disconnected(38) first, then RELEASE with the far end's cause");

	/* ---- a hangup before our first answer sends CALL PROCEEDING first ---- */
	tr[0] = 0;
	a = span_call_new(span, 9);
	{
		struct isdn_ev e = { .type = ISDN_EV_SETUP, .q = (q931_call *)&fake_q[1] };
		isdn_call_event(a, &e);
	}
	r = tdm_call_hangup(a, 21);
	TAP_OK(r == 0 && same(
		"isdn DEBUG: span1/B9: call 2{NULL}: SETUP -> SETUP-IN\n"
		"isdn DEBUG: span1/B9: call 2{SETUP-IN}: hangup -> CLEARING\n"
		"isdn INFO: span1/B9: call 2{CLEARING}: cleared by us in SETUP-IN, cause 21 (Call Rejected)\n"
		"> CALL PROCEEDING B9\n"
		"isdn DEBUG: span1/B9: call 2{CLEARING}: CALL PROCEEDING sent before clearing\n"
		"> clear cause 21\n"
		"isdn DEBUG: span1/B9: call 2 freed\n"),
	       "hangup in SETUP-IN: Q.931 CALL PROCEEDING, then DISCONNECT cause 21 (libpri sends nothing otherwise)");

	/* ---- PROGRESS is not a first answer ---- */
	tr[0] = 0;
	a = span_call_new(span, 8);
	{
		struct isdn_ev e = { .type = ISDN_EV_SETUP, .q = (q931_call *)&fake_q[2] };
		isdn_call_event(a, &e);
	}
	r = tdm_call_progress(a, 1);
	tdm_call_hangup(a, 0);
	TAP_OK(r == 0 && same(
		"isdn DEBUG: span1/B8: call 3{NULL}: SETUP -> SETUP-IN\n"
		"isdn DEBUG: span1/B8: call 3{SETUP-IN}: progress -> PROCEEDING-IN\n"
		"> CALL PROCEEDING B8\n"
		"isdn INFO: span1/B8: call 3{PROCEEDING-IN}: CALL PROCEEDING sent\n"
		"> PROGRESS pi=1\n"
		"isdn INFO: span1/B8: call 3{PROCEEDING-IN}: PROGRESS sent (in-band information)\n"
		"isdn DEBUG: span1/B8: call 3{PROCEEDING-IN}: hangup -> CLEARING\n"
		"isdn INFO: span1/B8: call 3{CLEARING}: cleared by us in PROCEEDING-IN, cause 16 (Normal Clearing)\n"
		"> clear cause 16\n"
		"isdn DEBUG: span1/B8: call 3 freed\n"),
	       "progress in SETUP-IN: Q.931 CALL PROCEEDING before PROGRESS; hangup cause 0 -> 16");

	/* ---- outgoing ---- */
	memset(&os, 0, sizeof(os));
	snprintf(os.called.digits, sizeof(os.called.digits), "0891234");
	tr[0] = 0;
	b = NULL;
	r = tdm_call_place(span, 0, &os, NULL, &b);
	rx(b, ISDN_EV_PROCEEDING, 0, 0);
	rx(b, ISDN_EV_ALERTING, 0, 1);
	TAP_OK(r == 0 && b && same(
		"isdn DEBUG: span1/B1: call 4{NULL}: place -> SETUP-OUT\n"
		"> SETUP B1 to 0891234\n"
		"isdn DEBUG: span1/B1: call 4{SETUP-OUT}: CALL PROCEEDING -> PROCEEDING-OUT\n"
		"isdn INFO: span1/B1: call 4{PROCEEDING-OUT}: CALL PROCEEDING received\n"
		"gw: proceeding\n"
		"isdn DEBUG: span1/B1: call 4{PROCEEDING-OUT}: ALERTING -> ALERTING-OUT\n"
		"isdn INFO: span1/B1: call 4{ALERTING-OUT}: ALERTING (in-band) received\n"
		"gw: alerting inband=1\n"),
	       "outgoing: Q.931 SETUP, CALL PROCEEDING, ALERTING (progress indicator 8) -> proceeding, alerting");
	tr[0] = 0;
	r = tdm_call_answer(b);
	TAP_OK(r == EINVAL && same(
		"isdn WARN: span1/B1: call 4{ALERTING-OUT}: answer refused (not taken in this state)\n"),
	       "tdm_call_answer on an outgoing call: refused with EINVAL and logged");
	tr[0] = 0;
	r = rx(b, ISDN_EV_ALERTING, 0, 0);
	TAP_OK(r == EINVAL && same(
		"isdn NOTICE: span1/B1: call 4{ALERTING-OUT}: ALERTING refused (not taken in this state)\n"),
	       "a second Q.931 ALERTING: refused and logged, gw/ not told again");
	tr[0] = 0;
	rx(b, ISDN_EV_CONNECT, 0, 0);
	TAP_OK(same(
		"isdn DEBUG: span1/B1: call 4{ALERTING-OUT}: CONNECT -> ACTIVE-OUT\n"
		"isdn INFO: span1/B1: call 4{ACTIVE-OUT}: CONNECT received\n"
		"gw: connected\n"),
	       "Q.931 CONNECT -> connected");

	/* ---- span down: disconnected(38) for each call, then span_state ---- */
	a = ring(7, "4712");
	/* ALERTING goes once: a second alert from gw/ (180 after 180) sends
	 * nothing (Q.931 5.2.5, call confirmation: one ALERTING takes the call
	 * to the call received state; another would be out of sequence there,
	 * answered with STATUS, 5.8.4) */
	tr[0] = 0;
	r = tdm_call_alert(a, 0);
	r |= tdm_call_alert(a, 0);
	TAP_OK(r == 0 && same(
		"isdn DEBUG: span1/B7: call 5{PROCEEDING-IN}: alert -> ALERTING-IN\n"
		"> ALERTING pi=0\n"
		"isdn INFO: span1/B7: call 5{ALERTING-IN}: ALERTING sent\n"
		"isdn DEBUG: span1/B7: call 5{ALERTING-IN}: alert -> ALERTING-IN\n"),
	       "tdm_call_alert twice: Q.931 ALERTING sent once (Q.931 5.2.5, 5.8.4)");
	tr[0] = 0;
	{
		uint64_t failed = span->calls_failed;
		span_media_report(span, TDM_ALARM_RED, NULL);
		span_update(span);
		TAP_OK(span->calls_failed == failed + 2, "fail() counts both calls");
	}
	TAP_OK(same(
		"isdn NOTICE: span1: media down (alarm red)\n"
		"isdn DEBUG: span1/B7: call 5{ALERTING-IN}: span-down -> CLEARING\n"
		"isdn INFO: span1/B7: call 5{CLEARING}: failed: span down, cause 38 (Network out of order)\n"
		"gw: disconnected call 5 cause 38\n"
		"> clear cause 38\n"
		"isdn DEBUG: span1/B1: call 4{ACTIVE-OUT}: span-down -> CLEARING\n"
		"isdn INFO: span1/B1: call 4{CLEARING}: failed: span down, cause 38 (Network out of order)\n"
		"gw: disconnected call 4 cause 38\n"
		"> clear cause 38\n"
		"isdn DEBUG: span1/B7: call 5 freed\n"
		"isdn DEBUG: span1/B1: call 4 freed\n"
		"isdn NOTICE: span1: span down (layer 1 down, layer 2 up, alarm red)\n"
		"gw: span_state down alarm red\n"),
	       "media lost: each call fails with disconnected(38) and Q.931 DISCONNECT, then span_state down");
	TAP_OK(tdm_call_place(span, 0, &os, NULL, &b) == ENETDOWN, "tdm_call_place: ENETDOWN while down");

	/* ---- RESTART of one channel ---- */
	span_up();
	a = ring(3, "1");
	b = ring(4, "2");
	tr[0] = 0;
	hangup_in_disconnected = 1;
	isdn_call_restart(span, 3);
	hangup_in_disconnected = 0;
	TAP_OK(same(
		"isdn DEBUG: span1/B3: call 6{PROCEEDING-IN}: RESTART -> CLEARING\n"
		"> (forgotten, nothing sent)\n"
		"isdn INFO: span1/B3: call 6{CLEARING}: failed: RESTART of its channel, cause 41 (Temporary failure)\n"
		"gw: disconnected call 6 cause 41\n"
		"isdn WARN: span1/B3: call 6{CLEARING}: hangup refused (not taken in this state)\n"
		"gw: tdm_call_hangup in disconnected -> 22\n"
		"isdn DEBUG: span1/B3: call 6 freed\n"),
	       "Q.931 RESTART of B3: its call is forgotten, disconnected(41); a hangup from the callback is refused; B4 untouched");
	TAP_OK(fsm_state(isdn_call_of(b)->fsm) == TDM_CS_IN_PROCEEDING && tdm_span_chan_state(span, 3) == TDM_CHAN_IDLE,
	       "B4's call still in PROCEEDING-IN, B3 idle");
	tdm_call_hangup(b, 16);

	/* ---- no channel: SETUP rejected without a call ---- */
	tr[0] = 0;
	span->chan[6] = TDM_CHAN_BUSY;
	TAP_OK(!ring(6, "3") && same(
		"isdn NOTICE: span1/B6: SETUP rejected, cause 44 (Requested channel not available)\n"
		"> CALL PROCEEDING B6, DISCONNECT cause 44\n"),
	       "Q.931 SETUP for a busy exclusive channel: CALL PROCEEDING, DISCONNECT cause 44");
	span->chan[6] = TDM_CHAN_IDLE;

	/* ---- place fails in libpri: no call left behind ---- */
	tr[0] = 0;
	setup_err = EIO;
	b = NULL;
	r = tdm_call_place(span, 2, &os, NULL, &b);
	setup_err = 0;
	TAP_OK(r == EIO && !b && tdm_span_chan_state(span, 2) == TDM_CHAN_IDLE && same(
		"isdn DEBUG: span1/B2: call 8{NULL}: place -> SETUP-OUT\n"
		"isdn DEBUG: span1/B2: call 8{NULL}: place failed (Input/output error): back to NULL\n"
		"isdn DEBUG: span1/B2: call 8 freed\n"),
	       "SETUP refused by libpri: EIO, the call is freed and B2 idle");

	log_set_hook(NULL, NULL);
	tdm_span_free(span);
	return TAP_DONE();
}

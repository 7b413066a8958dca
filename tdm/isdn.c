/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Q.931 through libpri on a span's D-channel.
 *
 * One struct pri per span for the life of the process (libpri has no
 * destructor): made with pri_new_cb() whose callbacks use whatever
 * descriptor the backend has connected now (isdn.dfd). The backend reads a
 * frame itself and hands it to isdn_input(); libpri's read callback returns
 * that frame, so libpri never sees a read error or EOF.
 *
 * Driven from the control loop: a frame -> pri_check_event(); libpri's
 * timers -> pri_schedule_next() -> one loop timer -> pri_schedule_run().
 *
 * Layer 2 coming up (issue 8): with no line, libpri sends SABME into the
 * void every T200 (N200 times, a T200 pause, again). A far end that comes
 * (back) and sends SABME finds libpri in "awaiting establishment": libpri
 * answers UA but, as both sides sent SABME (Q.921 5.5.1, collision of
 * identical commands), it enters multiple-frame operation only when its
 * own next SABME, up to 2 T200 away, is acknowledged; every I-frame until
 * then is discarded, so the far end's first SETUP is lost (and cleared
 * with cause 101 after the re-establishment). libpri has no call to send
 * SABME now, so such a SABME gets a fresh link (pri_new_cb sends its
 * SABME at once, then answers the far end's with UA): layer 2 is up both
 * ways within one round trip. Not when a SABME of ours reached the line
 * just before (the far end's UA to it is coming), nor while a call still
 * has libpri state (T309 keeps calls across a layer 2 outage), and at
 * most RELINK_MAX times until layer 2 is up or the line comes again: each
 * link stays allocated for the process's life.
 *
 * Who owns libpri's call: a call holds it (isdn_call.q) until we call
 * pri_hangup() or pri_destroycall() on it; from then on libpri finishes
 * the clearing alone (events for a q931_call we no longer know:
 * HANGUP/HANGUP_REQ get pri_hangup() again so RELEASE COMPLETE goes out,
 * the rest is ignored).
 *
 * What a call does with an event is isdn_call.c's (the call state machine):
 * this file turns libpri's events into the machine's events, and sends the
 * machine's Q.931 messages (isdn_tx_*).
 */
#include "tdm/isdn_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/log.h"

/* The B-channel number in libpri's channel encoding (bits 0-7). */
#define CHAN_OF(x) ((x) & 0xFF)

/* Retired links of freed spans: libpri cannot free them, so they are kept
 * reachable here (with their callbacks disconnected) for the process's
 * life rather than leaked. */
static struct pri **retired;
static size_t nretired;

/* A SABME of ours on the line this recently will be answered: no fresh
 * link for the far end's (its UA to ours is on the way). */
#define SABME_ANSWER_MS 100
/* Fresh links per layer 2 outage on one line connection. */
#define RELINK_MAX 4

static void pri_rearm(struct tdm_span *s);
static void handle_event(struct tdm_span *s, pri_event *e);

/* ---- libpri's global message/error hooks -> lib/log ---- */

static void pri_log(struct pri *pri, const char *msg, int level)
{
	struct tdm_span *s = pri ? pri_get_userdata(pri) : NULL;
	struct isdn *in = s ? s->sigp : NULL;
	char tmp[512];
	char *buf = in ? in->msgbuf : tmp;
	size_t cap = in ? sizeof(in->msgbuf) : sizeof(tmp);
	size_t *len = in ? &in->msglen : &(size_t){ 0 };
	const char *name = s ? s->name : "libpri";

	/* libpri emits lines in fragments: collect up to each newline. */
	for (const char *p = msg; *p; p++) {
		if (*p != '\n' && *len < cap - 1) {
			buf[(*len)++] = *p;
			continue;
		}
		if (*p != '\n')
			continue; /* overlong: truncate */
		buf[*len] = 0;
		if (*len)
			log_msg(LOG_ISDN, level, "%s: libpri: %s", name, buf);
		*len = 0;
	}
	if (!s && *len) {
		buf[*len] = 0;
		log_msg(LOG_ISDN, level, "libpri: %s", buf);
	}
}

static void pri_msg_hook(struct pri *pri, char *msg)
{
	pri_log(pri, msg, LOG_LVL_DEBUG);
}

static void pri_err_hook(struct pri *pri, char *msg)
{
	pri_log(pri, msg, LOG_LVL_WARN);
}

/* ---- I/O callbacks ---- */

/* A Q.921 SABME (two address octets, any SAPI/TEI; control 011P1111)
 * without its FCS; cmd_cr: the C/R bit of a command from that side. */
static int is_sabme(const uint8_t *f, size_t len, int cmd_cr)
{
	return len >= 3 && !(f[0] & 1) && (f[1] & 1) && (f[2] & ~0x10) == 0x6F &&
	       ((f[0] >> 1) & 1) == cmd_cr;
}

static int io_read(struct pri *pri, void *buf, int buflen)
{
	struct tdm_span *s = pri_get_userdata(pri);
	struct isdn *in = s ? s->sigp : NULL;
	int n;

	if (!in || in->rxlen <= 0)
		return 0;
	n = in->rxlen < buflen ? in->rxlen : buflen;
	memcpy(buf, in->rx, (size_t)n);
	in->rxlen = 0;
	return n;
}

static int io_write(struct pri *pri, void *buf, int buflen)
{
	struct tdm_span *s = pri_get_userdata(pri);
	struct isdn *in = s ? s->sigp : NULL;
	ssize_t n;

	if (!in || in->dfd < 0)
		return buflen; /* no line: the frame is lost, as on a dead wire */
	n = write(in->dfd, buf, (size_t)buflen);
	if (n < 0) {
		/* A dead descriptor is noticed by the backend's read side. */
		log_debug(LOG_ISDN, "%s: D-channel write: %s", s->name, strerror(errno));
		return buflen;
	}
	/* Ours are commands with C/R 1 from the network side, 0 from the user. */
	if (buflen > 2 && is_sabme(buf, (size_t)buflen - 2, s->cfg.signalling == CFG_SIG_PRI_NET))
		in->sabme_tx_ms = loop_now_ms();
	return (int)n;
}

/* ---- mapping ---- */

static int switch_to_pri(enum cfg_switchtype sw)
{
	switch (sw) {
	case CFG_SWITCH_EUROISDN_E1: return PRI_SWITCH_EUROISDN_E1;
	case CFG_SWITCH_EUROISDN_T1: return PRI_SWITCH_EUROISDN_T1;
	case CFG_SWITCH_NI2: return PRI_SWITCH_NI2;
	case CFG_SWITCH_DMS100: return PRI_SWITCH_DMS100;
	case CFG_SWITCH_LUCENT5E: return PRI_SWITCH_LUCENT5E;
	case CFG_SWITCH_ATT4ESS: return PRI_SWITCH_ATT4ESS;
	case CFG_SWITCH_QSIG: return PRI_SWITCH_QSIG;
	case CFG_SWITCH_NI1: return PRI_SWITCH_NI1;
	}
	return PRI_SWITCH_EUROISDN_E1;
}

/* Q.931 numbering plan octet: type of number in bits 7-5, plan in 4-1. */
static int plan_of(const struct tdm_number *n)
{
	return ((int)n->ton & 7) << 4 | (n->npi & 15);
}

static int pres_of(const struct tdm_number *n)
{
	static const int p[] = { PRI_PRES_ALLOWED, PRI_PRES_RESTRICTED, PRI_PRES_UNAVAILABLE };

	return ((unsigned)n->pres < 3 ? p[n->pres] : PRI_PRES_ALLOWED) | (n->screening & 3);
}

static void number_from_pri(struct tdm_number *n, const char *digits, int plan, int pres)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->digits, sizeof(n->digits), "%.*s", TDM_DIGITS_MAX, digits);
	n->ton = (enum tdm_ton)((plan >> 4) & 7);
	if (n->ton == 5 || n->ton == 7)
		n->ton = TDM_TON_UNKNOWN; /* reserved values */
	n->npi = plan & 15;
	switch (pres & PRI_PRES_RESTRICTION) {
	case PRI_PRES_ALLOWED: n->pres = TDM_PRES_ALLOWED; break;
	case PRI_PRES_RESTRICTED: n->pres = TDM_PRES_RESTRICTED; break;
	default: n->pres = TDM_PRES_UNAVAILABLE; break;
	}
	n->screening = pres & PRI_PRES_NUMBER_TYPE;
}

static enum tdm_bearer bearer_from_pri(int ctype)
{
	switch (ctype) {
	case PRI_TRANS_CAP_SPEECH: return TDM_BEARER_SPEECH;
	case PRI_TRANS_CAP_3_1K_AUDIO:
	case PRI_TRANS_CAP_7K_AUDIO: return TDM_BEARER_3K1_AUDIO;
	default: return TDM_BEARER_DIGITAL;
	}
}

static const char *bearer_name(enum tdm_bearer b)
{
	return b == TDM_BEARER_SPEECH ? "speech" : b == TDM_BEARER_3K1_AUDIO ? "3.1kHz audio" : "digital";
}

/* ---- setup ---- */

static void pri_timer_cb(void *arg)
{
	pri_rearm(arg);
}

/* A new libpri link for s, configured; it has sent its first SABME (to
 * the line if one is connected). NULL when libpri cannot make one. */
static struct pri *link_new(struct tdm_span *s)
{
	const struct { int timer, ms; } timers[] = {
		{ PRI_TIMER_T303, s->cfg.t303 }, { PRI_TIMER_T305, s->cfg.t305 },
		{ PRI_TIMER_T308, s->cfg.t308 }, { PRI_TIMER_T309, s->cfg.t309 },
		{ PRI_TIMER_T310, s->cfg.t310 }, { PRI_TIMER_T313, s->cfg.t313 },
	};
	int node = s->cfg.signalling == CFG_SIG_PRI_NET ? PRI_NETWORK : PRI_CPE;
	struct pri *pri;

	pri = pri_new_cb(-1, node, switch_to_pri(s->cfg.switchtype), io_read, io_write, s);
	if (!pri)
		return NULL;
	/* Report CONNECT ACKNOWLEDGE to us (connect_ack); in exchange we send
	 * our own CONNECT ACKNOWLEDGE on PRI_EVENT_ANSWER. */
	pri_connect_ack_enable(pri, 1);
	if (log_get_level() >= LOG_LVL_DEBUG)
		pri_set_debug(pri, PRI_DEBUG_Q931_DUMP | PRI_DEBUG_Q921_STATE |
			      PRI_DEBUG_Q931_ANOMALY);
	else
		pri_set_debug(pri, 0);
	for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
		if (timers[i].ms && pri_set_timer(pri, timers[i].timer, timers[i].ms))
			log_warn(LOG_ISDN, "%s: libpri refused timer %d = %d ms", s->name,
				 timers[i].timer, timers[i].ms);
	return pri;
}

/* Keep a link we no longer use reachable, its callbacks disconnected. */
static void link_retire(struct pri *pri)
{
	struct pri **r;

	pri_set_userdata(pri, NULL); /* callbacks become no-ops */
	r = realloc(retired, (nretired + 1) * sizeof(*r));
	if (r) {
		retired = r;
		retired[nretired++] = pri;
	}
}

int isdn_new(struct tdm_span *s)
{
	static int hooks_set;
	struct isdn *in;
	int err;

	in = calloc(1, sizeof(*in));
	if (!in)
		return ENOMEM;
	in->dfd = -1;
	s->sigp = in;
	s->dops = s->cfg.driver == CFG_DRIVER_VIRT ? &tdm_virt_dchan_ops : &tdm_dahdi_dchan_ops;
	if (!hooks_set) {
		/* Global in libpri: every link logs through these. */
		pri_set_message(pri_msg_hook);
		pri_set_error(pri_err_hook);
		hooks_set = 1;
	}
	err = loop_timer_new(s->loop, pri_timer_cb, s, &in->pri_timer);
	if (err)
		goto out;
	err = loop_timer_new(s->loop, isdn_hold_timer, s, &in->hold_timer);
	if (err)
		goto out;
	in->pri = link_new(s);
	if (!in->pri) {
		err = ENOMEM;
		goto out;
	}
	/* libpri started layer 2 in pri_new_cb (SABME queued): run its timers. */
	pri_rearm(s);
	return 0;
out:
	loop_timer_free(in->hold_timer);
	loop_timer_free(in->pri_timer);
	free(in);
	s->sigp = NULL;
	s->dops = NULL;
	return err;
}

/* Calls are dropped without signalling; libpri's copies (and those of
 * held SETUPs) die with its link, which is retired: its callbacks no
 * longer reach the span. */
void isdn_free(struct tdm_span *s)
{
	struct isdn *in = s->sigp;

	if (!in)
		return;
	loop_timer_free(in->pri_timer);
	loop_timer_free(in->hold_timer);
	for (struct tdm_call *c = s->calls; c; c = c->next)
		isdn_call_of(c)->q = NULL;
	if (in->pri)
		link_retire(in->pri);
	free(in);
	s->sigp = NULL;
}

/*
 * The far end sent SABME (frame, without FCS) while our layer 2 is not up:
 * replace the link by a fresh one whose SABME goes out now (see the top of
 * this file) unless libpri will be up soon anyway or must be kept. 0 when
 * replaced; else why not (EALREADY: ours is being answered, EBUSY: a call
 * holds libpri state, ELOOP: RELINK_MAX reached, ENOMEM).
 */
static int relink_for_sabme(struct tdm_span *s)
{
	uint64_t now = loop_now_ms();
	struct pri *fresh;
	struct isdn *in = s->sigp;

	if (in->sabme_tx_ms && now - in->sabme_tx_ms < SABME_ANSWER_MS)
		return EALREADY;
	for (struct tdm_call *c = s->calls; c; c = c->next)
		if (isdn_call_of(c)->q)
			return EBUSY;
	if (in->nheld)
		return EBUSY;
	if (in->relinks >= RELINK_MAX)
		return ELOOP;
	fresh = link_new(s);
	if (!fresh)
		return ENOMEM;
	in->relinks++;
	link_retire(in->pri);
	in->pri = fresh;
	log_notice(LOG_ISDN, "%s: SABME from the line while our layer 2 awaits its own T200: "
		   "new libpri link, SABME sent now (%d of %d on this line)", s->name, in->relinks,
		   RELINK_MAX);
	return 0;
}

/* ---- driving libpri ---- */

/* Run due timers, then arm our loop timer for libpri's next deadline. */
static void pri_rearm(struct tdm_span *s)
{
	struct timeval now, *tv;
	int64_t ms;
	struct isdn *in = s->sigp;

	for (int guard = 0; guard < 64; guard++) {
		tv = pri_schedule_next(in->pri);
		if (!tv) {
			loop_timer_stop(in->pri_timer);
			return;
		}
		gettimeofday(&now, NULL);
		ms = (int64_t)(tv->tv_sec - now.tv_sec) * 1000 +
		     (tv->tv_usec - now.tv_usec + 999) / 1000;
		if (ms > 0) {
			loop_timer_start(in->pri_timer, (uint64_t)ms);
			return;
		}
		pri_event *e = pri_schedule_run(in->pri);
		if (e)
			handle_event(s, e);
		if (!in->pri)
			return;
	}
	loop_timer_start(in->pri_timer, 1);
}

void isdn_input(struct tdm_span *s, const uint8_t *frame, size_t len)
{
	pri_event *e;
	struct isdn *in = s->sigp;

	if (len < 5 || len > sizeof(in->rx)) {
		log_debug(LOG_ISDN, "%s: D-channel frame of %zu bytes ignored", s->name, len);
		return;
	}
	if (!s->sig_up && in->dfd >= 0 &&
	    is_sabme(frame, len - 2, s->cfg.signalling != CFG_SIG_PRI_NET)) {
		int err = relink_for_sabme(s);
		if (err && err != EALREADY)
			log_info(LOG_ISDN, "%s: SABME from the line, layer 2 left to libpri's T200: %s",
				 s->name, err == EBUSY ? "calls held over the outage (T309)" :
				 err == ELOOP ? "fresh link limit reached" : strerror(err));
	}
	memcpy(in->rx, frame, len);
	in->rxlen = (int)len;
	e = pri_check_event(in->pri);
	in->rxlen = 0;
	if (e)
		handle_event(s, e);
	pri_rearm(s);
}

void isdn_attach(struct tdm_span *s, int fd)
{
	struct isdn *in = s->sigp;

	in->dfd = fd;
	in->relinks = 0;
	s->sig_connected = fd >= 0;
	/* the backend said why; the span logs what it means (span_update) */
	log_debug(LOG_ISDN, "%s: D-channel %s", s->name, fd >= 0 ? "connected" : "lost");
	span_update(s);
	pri_rearm(s);
}

/* ---- Q.931 toward the network, for isdn_call.c ---- */

void isdn_kick(struct tdm_span *s)
{
	struct isdn *in = s->sigp;

	if (in->pri)
		pri_rearm(s);
}

/* The link to send on for c, or NULL once c's libpri call is handed back
 * (or the link is gone); *q: that call. */
static struct pri *tx_link(const struct tdm_call *c, q931_call **q)
{
	struct isdn *in = c->span->sigp;

	*q = isdn_call_of(c)->q;
	return *q ? in->pri : NULL;
}

int isdn_tx_setup(struct tdm_call *c, const struct tdm_setup *setup)
{
	struct tdm_span *s = c->span;
	struct pri_sr *sr;
	q931_call *q;
	char called[TDM_DIGITS_MAX + 1], calling[TDM_DIGITS_MAX + 1];
	int law, res;
	struct isdn *in = s->sigp;

	if (!in->pri)
		return ENETDOWN;
	q = pri_new_call(in->pri);
	sr = pri_sr_new();
	if (!q || !sr) {
		if (q)
			pri_destroycall(in->pri, q);
		pri_sr_free(sr);
		return ENOMEM;
	}
	snprintf(called, sizeof(called), "%s", setup->called.digits);
	snprintf(calling, sizeof(calling), "%s", setup->calling.digits);
	law = s->cfg.law == CFG_LAW_ALAW ? PRI_LAYER_1_ALAW : PRI_LAYER_1_ULAW;
	pri_sr_set_channel(sr, c->chan, 1, 0);
	pri_sr_set_bearer(sr, setup->bearer == TDM_BEARER_3K1_AUDIO ? PRI_TRANS_CAP_3_1K_AUDIO
			  : setup->bearer == TDM_BEARER_DIGITAL ? PRI_TRANS_CAP_DIGITAL
			  : PRI_TRANS_CAP_SPEECH, law);
	pri_sr_set_called(sr, called, plan_of(&setup->called), 1);
	if (calling[0] || setup->calling.pres != TDM_PRES_ALLOWED)
		pri_sr_set_caller(sr, calling, NULL, plan_of(&setup->calling),
				  pres_of(&setup->calling));
	res = pri_setup(in->pri, q, sr);
	pri_sr_free(sr);
	if (res) {
		pri_destroycall(in->pri, q);
		log_warn(LOG_ISDN, "%s/B%d: libpri refused SETUP", s->name, c->chan);
		return EIO;
	}
	isdn_call_of(c)->q = q;
	log_info(LOG_ISDN, "%s/B%d: call %u SETUP sent to %s (%s) from %s (%s), %s", s->name,
		 c->chan, c->id, called, tdm_ton_name(setup->called.ton),
		 calling[0] ? calling : "-", tdm_ton_name(setup->calling.ton),
		 bearer_name(setup->bearer));
	return 0;
}

void isdn_tx_proceeding(struct tdm_call *c)
{
	q931_call *q;
	struct pri *pri = tx_link(c, &q);

	if (pri)
		pri_proceeding(pri, q, c->chan > 0 ? c->chan : 0, 0);
}

void isdn_tx_alerting(struct tdm_call *c, int inband)
{
	q931_call *q;
	struct pri *pri = tx_link(c, &q);

	if (pri)
		pri_acknowledge(pri, q, c->chan, !!inband);
}

void isdn_tx_progress(struct tdm_call *c, int inband)
{
	q931_call *q;
	struct pri *pri = tx_link(c, &q);

	if (pri)
		pri_progress(pri, q, c->chan, !!inband);
}

void isdn_tx_connect(struct tdm_call *c)
{
	q931_call *q;
	struct pri *pri = tx_link(c, &q);

	if (pri)
		pri_answer(pri, q, c->chan, 0);
}

void isdn_tx_clear(struct tdm_call *c, int cause)
{
	q931_call *q;
	struct pri *pri = tx_link(c, &q);

	if (pri)
		pri_hangup(pri, q, cause);
	isdn_call_of(c)->q = NULL;
}

void isdn_tx_forget(struct tdm_call *c)
{
	q931_call *q;
	struct pri *pri = tx_link(c, &q);

	if (pri)
		pri_destroycall(pri, q);
	isdn_call_of(c)->q = NULL;
}

void isdn_tx_reject(struct tdm_span *s, q931_call *q, int chan, int cause)
{
	struct isdn *in = s->sigp;

	/* libpri sends nothing for a DISCONNECT before our first answer. */
	pri_proceeding(in->pri, q, chan, 0);
	pri_hangup(in->pri, q, cause);
}

/* ---- events from libpri ---- */

static struct tdm_call *find_call(struct tdm_span *s, q931_call *q)
{
	if (!q)
		return NULL;
	for (struct tdm_call *c = s->calls; c; c = c->next)
		if (isdn_call_of(c)->q == q)
			return c;
	return NULL;
}

static void ev_ring(struct tdm_span *s, const pri_event_ring *r)
{
	struct tdm_setup setup;
	int want = CHAN_OF(r->channel);

	memset(&setup, 0, sizeof(setup));
	number_from_pri(&setup.called, r->callednum, r->calledplan, 0);
	number_from_pri(&setup.calling, r->callingnum, r->callingplan, r->callingpres);
	setup.bearer = bearer_from_pri(r->ctype);
	if (r->channel == -1 || want == 0xFF || want == 0)
		want = 0;
	log_info(LOG_ISDN, "%s/B%d: SETUP from %s (%s, plan %d, %s) to %s (%s), %s%s", s->name,
		 want, setup.calling.digits[0] ? setup.calling.digits : "-",
		 tdm_ton_name(setup.calling.ton), setup.calling.npi,
		 pri_pres2str(r->callingpres), setup.called.digits,
		 tdm_ton_name(setup.called.ton), bearer_name(setup.bearer),
		 r->flexible ? ", channel preferred" : "");
	if (isdn_hold(s, r->call, &setup, want, r->flexible))
		return;
	isdn_call_setup(s, r->call, &setup, want, r->flexible);
}

/* A Q.931 message for one call: to its machine, or, for a call we have
 * handed back, nothing (libpri finishes it). */
static void to_call(struct tdm_span *s, q931_call *q, enum isdn_event type, int cause,
		    int inband)
{
	struct tdm_call *c = find_call(s, q);
	struct isdn_ev e = { .type = type, .cause = cause, .inband = inband };

	if (!c) {
		log_debug(LOG_ISDN, "%s: %s for a call we no longer hold", s->name,
			  isdn_event_name(type));
		return;
	}
	isdn_call_event(c, &e);
}

/* Layer 2 up or down (Q.921): the span's state; calls kept over an outage
 * while T309 runs, else cleared with cause 38. */
static void link_event(struct tdm_span *s, int up)
{
	struct isdn *in = s->sigp;

	log_notice(LOG_ISDN, "%s: D-channel layer 2 %s", s->name, up ? "up" : "down");
	s->sig_up = up;
	if (up)
		in->relinks = 0;
	else if (pri_get_timer(in->pri, PRI_TIMER_T309) < 0)
		isdn_clear_all(s, PRI_CAUSE_NETWORK_OUT_OF_ORDER, 1);
	span_update(s);
}

static void handle_event(struct tdm_span *s, pri_event *e)
{
	struct isdn *in = s->sigp;

	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
	case PRI_EVENT_DCHAN_DOWN:
		link_event(s, e->e == PRI_EVENT_DCHAN_UP);
		break;
	case PRI_EVENT_RESTART: {
		int chan = CHAN_OF(e->restart.channel);
		int all = e->restart.channel == -1 || chan == 0xFF;

		log_notice(LOG_ISDN, "%s/B%d: RESTART received", s->name, all ? 0 : chan);
		isdn_call_restart(s, all ? 0 : chan);
		break;
	}
	case PRI_EVENT_RESTART_ACK:
		log_info(LOG_ISDN, "%s/B%d: RESTART ACKNOWLEDGE received", s->name,
			 CHAN_OF(e->restartack.channel));
		break;
	case PRI_EVENT_RING:
		ev_ring(s, &e->ring);
		break;
	case PRI_EVENT_PROCEEDING:
		to_call(s, e->proceeding.call, ISDN_EV_PROCEEDING, 0, 0);
		break;
	case PRI_EVENT_SETUP_ACK:
		to_call(s, e->setup_ack.call, ISDN_EV_SETUP_ACK, 0, 0);
		break;
	case PRI_EVENT_RINGING:
		to_call(s, e->ringing.call, ISDN_EV_ALERTING, 0,
			!!(e->ringing.progressmask & PRI_PROG_INBAND_AVAILABLE));
		break;
	case PRI_EVENT_PROGRESS:
		to_call(s, e->proceeding.call, ISDN_EV_PROGRESS, 0,
			!!(e->proceeding.progressmask & PRI_PROG_INBAND_AVAILABLE));
		break;
	case PRI_EVENT_ANSWER:
		/* manual mode (isdn_new): acknowledge even a call we dropped */
		pri_connect_ack(in->pri, e->answer.call, 0);
		to_call(s, e->answer.call, ISDN_EV_CONNECT, 0, 0);
		break;
	case PRI_EVENT_CONNECT_ACK:
		to_call(s, e->connect_ack.call, ISDN_EV_CONNECT_ACK, 0, 0);
		break;
	case PRI_EVENT_HANGUP_REQ:
	case PRI_EVENT_HANGUP:
		if (!find_call(s, e->hangup.call)) {
			isdn_held_forget(s, e->hangup.call);
			/* A call we already handed back: let libpri finish it. */
			if (e->hangup.call)
				pri_hangup(in->pri, e->hangup.call, e->hangup.cause);
			break;
		}
		to_call(s, e->hangup.call, e->e == PRI_EVENT_HANGUP ? ISDN_EV_RELEASE
			: ISDN_EV_DISCONNECT, e->hangup.cause, 0);
		break;
	case PRI_EVENT_HANGUP_ACK:
		log_debug(LOG_ISDN, "%s/B%d: clearing complete (RELEASE COMPLETE)", s->name,
			  CHAN_OF(e->hangup.channel));
		break;
	case PRI_EVENT_CONFIG_ERR:
		log_err(LOG_ISDN, "%s: libpri configuration error: %s", s->name, e->err.err);
		break;
	case PRI_EVENT_INFO_RECEIVED:
	case PRI_EVENT_KEYPAD_DIGIT:
		/* Overlap receiving is not supported: en-bloc only. */
		log_debug(LOG_ISDN, "%s: INFORMATION ignored (en-bloc only)", s->name);
		break;
	default:
		log_debug(LOG_ISDN, "%s: libpri event %s ignored", s->name, pri_event2str(e->e));
		break;
	}
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pstnsim's ISDN side: libpri on the D-channel socket (one struct pri for
 * the process's life, fed through pri_new_cb() callbacks so it survives
 * reconnects), the calls, and the D-channel capture.
 */
#include "tests/tools/pstnsim_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "lib/log.h"

/* ---- D-channel capture: pcap, LINKTYPE_LINUX_LAPD (177) ---- */

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int pcap_open(const char *path)
{
	/* pcap 2.4, native byte order, snaplen 65535, link type 177 */
	struct { uint32_t magic; uint16_t maj, min; int32_t zone; uint32_t sig, snap, link; } h =
		{ 0xa1b2c3d4, 2, 4, 0, 0, 65535, 177 };

	S.pcap = fopen(path, "wb");
	if (!S.pcap)
		return errno;
	if (fwrite(&h, sizeof(h), 1, S.pcap) != 1)
		return EIO;
	fflush(S.pcap);
	return 0;
}

/* frame: Q.921 frame without FCS; out: we sent it. */
static void pcap_frame(const void *frame, int len, int out)
{
	struct timeval tv;
	struct { uint32_t sec, usec, caplen, len; } ph;
	uint8_t sll[16];

	if (!S.pcap || len <= 0)
		return;
	gettimeofday(&tv, NULL);
	/* Linux LAPD cooked header, big-endian: packet type (4 outgoing, 0 to
	 * us), ARPHRD_LAPD 8445, address length 1, address byte 0 = 1 when we
	 * are the network side (tells the dissector the direction), protocol
	 * ETH_P_LAPD 0x0030. */
	memset(sll, 0, sizeof(sll));
	put16be(sll, out ? 4 : 0);
	put16be(sll + 2, 8445);
	put16be(sll + 4, 1);
	sll[6] = S.nodetype == PRI_NETWORK;
	put16be(sll + 14, 0x0030);
	ph.sec = (uint32_t)tv.tv_sec;
	ph.usec = (uint32_t)tv.tv_usec;
	ph.caplen = ph.len = (uint32_t)(len + 16);
	if (fwrite(&ph, sizeof(ph), 1, S.pcap) != 1 || fwrite(sll, 16, 1, S.pcap) != 1 ||
	    fwrite(frame, len, 1, S.pcap) != 1) {
		log_err(LOG_ISDN, "pcap: write failed, capture stopped");
		fclose(S.pcap);
		S.pcap = NULL;
		return;
	}
	fflush(S.pcap);
}

/* ---- libpri ---- */

/*
 * libpri clears an incoming call the user side gives up before we sent
 * anything (DISCONNECT in the Call Present state) on its own, with RELEASE
 * COMPLETE, and tells us nothing; and it answers our own clearing of a call
 * with some causes (1, unallocated number, before ALERTING) with RELEASE
 * COMPLETE at once and forgets the call, again without an event. To keep
 * our calls in step we look at the message type, call reference and cause
 * of each clearing message as it passes, both ways (a test tool's peek, not
 * a Q.931 implementation: libpri still handles the frame).
 * dest: the call reference flag (1: sent by the call's destination).
 */
static void peek_clearing(const uint8_t *f, int len, int dest, struct clearing_seen *out)
{
	int i, crlen, cref = 0, mt;

	/* Q.921 I frame: 2 address octets, 2 control octets, bit 1 clear. */
	if (len < 4 + 3 || (f[2] & 1) || f[4] != 0x08)
		return;
	crlen = f[5] & 0x0f;
	i = 6;
	if (crlen < 1 || crlen > 2 || i + crlen >= len)
		return;
	if (!(f[i] & 0x80) != !dest)
		return;
	for (int k = 0; k < crlen; k++)
		cref = cref << 8 | (f[i + k] & (k ? 0xff : 0x7f));
	i += crlen;
	mt = f[i++];
	if (mt != 0x45 && mt != 0x4d && mt != 0x5a)
		return;
	out->valid = 1;
	out->cref = cref;
	out->msgtype = mt;
	out->cause = 0;
	while (i < len) {
		if (f[i] & 0x80) {	/* single-octet IE */
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		int id = f[i], l = f[i + 1];
		if (id == 0x08 && l >= 2 && i + 2 + l <= len) {
			int k = i + 2 + ((f[i + 2] & 0x80) ? 1 : 2);
			if (k < i + 2 + l)
				out->cause = f[k] & 0x7f;
			break;
		}
		i += 2 + l;
	}
}

static int pri_rd(struct pri *pri, void *buf, int buflen)
{
	ssize_t n;

	if (S.dchan_fd < 0)
		return 0;
	if (S.dahdi_base) {
		n = sim_dahdi_dread(buf, buflen);
	} else {
		n = recv(S.dchan_fd, buf, buflen, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			S.broken = 1;
			return 0;
		}
	}
	if (n < 5)		/* 3-byte minimum frame + 2 FCS: ignore runts */
		return 0;
	pcap_frame(buf, (int)n - 2, 0);
	peek_clearing(buf, (int)n - 2, 0, &S.peek);	/* the gateway's, on its calls */
	return (int)n;
}

static int pri_wr(struct pri *pri, void *buf, int buflen)
{
	/* A dead line swallows frames: report success so libpri does not
	 * complain for every one; its timers see the silence. */
	if (S.dchan_fd < 0)
		return buflen;
	peek_clearing(buf, buflen - 2, 1, &S.txpeek);	/* ours, on the gateway's calls */
	if (S.dahdi_base) {
		if (sim_dahdi_dwrite(buf, buflen))
			pcap_frame(buf, buflen - 2, 1);
		return buflen;
	}
	if (send(S.dchan_fd, buf, buflen, MSG_DONTWAIT | MSG_NOSIGNAL) != buflen) {
		if (errno != EAGAIN)
			S.broken = 1;
		log_warn(LOG_ISDN, "dchan: send: %s", strerror(errno));
		return buflen;
	}
	pcap_frame(buf, buflen - 2, 1);
	return buflen;
}

static void pri_msg(struct pri *pri, char *s, int level)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n)
		log_msg(LOG_ISDN, level, "libpri: %.*s", (int)n, s);
}

void pri_message_cb(struct pri *pri, char *s)
{
	pri_msg(pri, s, LOG_LVL_INFO);
}

void pri_error_cb(struct pri *pri, char *s)
{
	pri_msg(pri, s, LOG_LVL_WARN);
}

static void handle_pri_event(pri_event *e);

/* An event about call c: the load generator's calls are counted, not
 * printed (hundreds a second). */
#define CALL_EVENT(c, ...) do { if (!(c)->load) event(__VA_ARGS__); } while (0)

/* After every use of libpri: react to a broken socket, re-arm its timer. */
void after_pri(void)
{
	struct timeval *tv, now;

	if (S.broken) {
		S.broken = 0;
		link_lost("socket closed by the gateway");
	}
	if (S.dahdi_base)
		sim_dahdi_sync();	/* B-channels open while in a call */
	if (!S.pri)
		return;
	tv = pri_schedule_next(S.pri);
	if (!tv) {
		loop_timer_stop(S.pri_timer);
		return;
	}
	gettimeofday(&now, NULL);
	int64_t ms = ((int64_t)tv->tv_sec - now.tv_sec) * 1000 +
		((int64_t)tv->tv_usec - now.tv_usec + 999) / 1000;
	loop_timer_start(S.pri_timer, ms > 0 ? (uint64_t)ms : 0);
}

void pri_timer_fired(void *arg)
{
	pri_event *e;

	while (S.pri && (e = pri_schedule_run(S.pri)))
		handle_pri_event(e);
	after_pri();
}

static void silent_clearing(void);

void dchan_readable(int fd, uint32_t events, void *arg)
{
	pri_event *e;

	S.peek.valid = 0;
	e = pri_check_event(S.pri);
	if (e)
		handle_pri_event(e);
	if (S.peek.valid)
		silent_clearing();
	after_pri();
}

void l2_came_up(void)
{
	char cmd[sizeof(S.on_up)];

	if (!S.ready) {
		S.ready = 1;
		S.link_up_pending = 0;
		event("READY");
	} else if (S.link_up_pending) {
		S.link_up_pending = 0;
		event("LINK state=up");
	}
	if (!S.on_up[0])
		return;
	/* Once, and at once: the first I-frame right after our UA/SABME. */
	memcpy(cmd, S.on_up, sizeof(cmd));
	S.on_up[0] = 0;
	sim_command(cmd);
}

/* Links replaced by pri_fresh: libpri cannot free them; kept reachable. */
static struct pri *old_links[64];
static int nold_links;

int pri_fresh(void)
{
	struct pri *old = S.pri;

	if (nold_links == (int)(sizeof(old_links) / sizeof(old_links[0])))
		return ENOSPC;	/* a test tool: 64 reconnects with layer 2 down is plenty */
	S.pri = NULL;
	if (pri_create()) {
		S.pri = old;
		return ENOMEM;
	}
	old_links[nold_links++] = old;
	log_notice(LOG_ISDN, "dchan: connected with layer 2 down: new libpri link, SABME now");
	return 0;
}

int pri_create(void)
{
	if (S.kind == 3)
		S.pri = pri_new_bri_cb(S.dchan_fd, !S.bri_ptmp, S.nodetype, S.switchtype,
				       pri_rd, pri_wr, NULL);
	else
		S.pri = pri_new_cb(S.dchan_fd, S.nodetype, S.switchtype, pri_rd, pri_wr, NULL);
	if (!S.pri)
		return ENOMEM;
	if (S.debug)
		pri_set_debug(S.pri, PRI_DEBUG_Q931_DUMP | PRI_DEBUG_Q931_STATE |
			      PRI_DEBUG_Q921_STATE);
	return 0;
}

/* ---- calls ---- */

struct call *call_by_id(int id)
{
	for (struct call *c = S.calls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static struct call *call_by_q931(q931_call *q)
{
	for (struct call *c = S.calls; c; c = c->next)
		if (c->c == q)
			return c;
	return NULL;
}

int ncalls(void)
{
	int n = 0;

	for (struct call *c = S.calls; c; c = c->next)
		n++;
	return n;
}

static void on_measured(void *arg, double freq, double level, int ms)
{
	struct call *c = arg;

	CALL_EVENT(c, "MEASURE id=%d freq=%.1f level=%.1f ms=%d", c->id, freq, level, ms);
}

static void on_digit(void *arg, char d)
{
	struct call *c = arg;

	CALL_EVENT(c, "DTMF id=%d digit=%c", c->id, d);
}

struct call *call_new(q931_call *q, int chan, int incoming)
{
	struct call *c = calloc(1, sizeof(*c));
	struct sim_audio_cbs cbs = { on_measured, on_digit, NULL };

	if (!c)
		return NULL;
	cbs.arg = c;
	if (sim_audio_new(S.alaw, S.chunk > 0 ? S.chunk : 160, &cbs, &c->audio)) {
		free(c);
		return NULL;
	}
	c->id = ++S.next_id;
	c->c = q;
	c->chan = chan;
	c->incoming = incoming;
	c->next = S.calls;
	S.calls = c;
	return c;
}

void call_free(struct call *c)
{
	if (c->load)
		sim_load_freed(c);
	for (struct call **pp = &S.calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	sim_audio_free(c->audio);
	free(c);
	if (S.quitting && !S.calls)
		loop_break(S.loop);
}

int chan_valid(int chan)
{
	return chan >= 1 && chan <= S.slots && chan != S.dchan_slot;
}

int chan_free(void)
{
	for (int ch = 1; ch <= S.slots; ch++) {
		int used = 0;
		if (!chan_valid(ch))
			continue;
		for (struct call *c = S.calls; c; c = c->next)
			used |= c->chan == ch;
		if (!used)
			return ch;
	}
	return -1;
}

static const char *const ton_names[8] = {
	"unknown", "international", "national", "network", "subscriber", "5",
	"abbreviated", "7",
};

int ton_parse(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (!strcmp(s, ton_names[i]))
			return i;
	return -1;
}

static const char *bearer_name(int ctype)
{
	switch (ctype) {
	case PRI_TRANS_CAP_SPEECH: return "speech";
	case PRI_TRANS_CAP_DIGITAL: return "digital";
	case PRI_TRANS_CAP_RESTRICTED_DIGITAL: return "restricted_digital";
	case PRI_TRANS_CAP_3_1K_AUDIO: return "3.1khz";
	case PRI_TRANS_CAP_DIGITAL_W_TONES: return "7khz";
	case PRI_TRANS_CAP_VIDEO: return "video";
	default: return "other";
	}
}

/* Number as one token: empty becomes "-". */
static const char *num(const char *s)
{
	return s && *s ? s : "-";
}

void call_hangup(struct call *c, int cause)
{
	if (c->clearing)
		return;
	/* libpri sends nothing for an unacknowledged incoming call. */
	if (c->incoming && !c->acked) {
		pri_proceeding(S.pri, c->c, c->chan, 0);
		c->acked = 1;
	}
	c->clearing = 1;
	S.txpeek.valid = 0;
	pri_hangup(S.pri, c->c, cause);
	/* RELEASE COMPLETE at once: libpri has forgotten the call (see
	 * peek_clearing); so do we. c is gone after this. */
	if (c->incoming && S.txpeek.valid && S.txpeek.msgtype == 0x5a && S.txpeek.cref == c->cref) {
		CALL_EVENT(c, "HANGUP id=%d cause=%d", c->id, cause);
		call_free(c);
	}
}

/*
 * Layer 1 is gone: the gateway clears its calls (cause 38) and so does the
 * switch, locally, since nothing can be sent. libpri keeps calls across a
 * layer 2 outage, so forget them in libpri too.
 */
void calls_lost(void)
{
	while (S.calls) {
		struct call *c = S.calls;
		CALL_EVENT(c, "HANGUP id=%d cause=%d reason=link_down", c->id,
		      PRI_CAUSE_NETWORK_OUT_OF_ORDER);
		if (S.pri)
			pri_destroycall(S.pri, c->c);
		call_free(c);
	}
}

/* A clearing message passed for an incoming call we had not acknowledged
 * and libpri reported nothing: report it and forget the call. */
static void silent_clearing(void)
{
	for (struct call *c = S.calls; c; c = c->next) {
		if (!c->incoming || c->acked || c->cref != S.peek.cref)
			continue;
		if (S.peek.msgtype == 0x45)
			CALL_EVENT(c, "DISCONNECT id=%d cause=%d", c->id, S.peek.cause);
		CALL_EVENT(c, "HANGUP id=%d cause=%d", c->id, S.peek.cause);
		pri_destroycall(S.pri, c->c);
		call_free(c);
		return;
	}
}

static void on_ring(pri_event *e)
{
	pri_event_ring *r = &e->ring;
	int chan = r->channel > 0 ? (r->channel & 0xff) : -1;
	struct call *c;

	if (!chan_valid(chan))
		chan = chan_free();
	c = call_new(r->call, chan, 1);
	if (!c) {
		pri_hangup(S.pri, r->call, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE);
		return;
	}
	c->cref = r->cref;
	CALL_EVENT(c, "RING id=%d chan=%d called=%s called_ton=%s calling=%s calling_ton=%s "
	      "calling_pres=%s bearer=%s", c->id, c->chan, num(r->callednum),
	      ton_names[(r->calledplan >> 4) & 7], num(r->callingnum),
	      ton_names[(r->callingplan >> 4) & 7],
	      (r->callingpres & 0x60) == 0 ? "allowed" : "restricted", bearer_name(r->ctype));
	if (S.refuse_chan > 0 && c->chan == S.refuse_chan) {
		/* "refuse CHAN": as a switch whose end of that channel is taken */
		call_hangup(c, S.refuse_cause);
		return;
	}
	switch (S.autoact) {
	case AUTO_ANSWER:
		pri_answer(S.pri, c->c, c->chan, 1);
		c->acked = 1;
		break;
	case AUTO_ALERT:
		pri_acknowledge(S.pri, c->c, c->chan, 1);
		c->acked = 1;
		break;
	case AUTO_BUSY:
		call_hangup(c, PRI_CAUSE_USER_BUSY);
		break;
	default:
		break;
	}
}

static void set_chan(struct call *c, int channel)
{
	if (channel > 0 && chan_valid(channel & 0xff))
		c->chan = channel & 0xff;
}

static void handle_pri_event(pri_event *e)
{
	struct call *c = NULL;

	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		S.dchan_up = 1;
		event("DCHAN state=up");
		l2_came_up();
		return;
	case PRI_EVENT_DCHAN_DOWN:
		S.dchan_up = 0;
		event("DCHAN state=down");
		return;
	case PRI_EVENT_RESTART:
		event("RESTART chan=%d", e->restart.channel & 0xff);
		return;
	case PRI_EVENT_RING:
		on_ring(e);
		return;
	default:
		break;
	}
	/* Every other event we act on is about a call. */
	switch (e->e) {
	case PRI_EVENT_SETUP_ACK: c = call_by_q931(e->setup_ack.call); break;
	case PRI_EVENT_PROCEEDING:
	case PRI_EVENT_PROGRESS: c = call_by_q931(e->proceeding.call); break;
	case PRI_EVENT_RINGING: c = call_by_q931(e->ringing.call); break;
	case PRI_EVENT_ANSWER: c = call_by_q931(e->answer.call); break;
	case PRI_EVENT_CONNECT_ACK: c = call_by_q931(e->connect_ack.call); break;
	case PRI_EVENT_HANGUP_REQ:
	case PRI_EVENT_HANGUP:
	case PRI_EVENT_HANGUP_ACK: c = call_by_q931(e->hangup.call); break;
	case PRI_EVENT_INFO_RECEIVED: c = call_by_q931(e->ring.call); break;
	case PRI_EVENT_KEYPAD_DIGIT: c = call_by_q931(e->digit.call); break;
	default:
		log_debug(LOG_ISDN, "libpri event %d (%s) ignored", e->e, pri_event2str(e->e));
		return;
	}
	if (!c) {
		if (e->e == PRI_EVENT_HANGUP)
			pri_hangup(S.pri, e->hangup.call, e->hangup.cause);
		log_debug(LOG_ISDN, "%s for no call of ours", pri_event2str(e->e));
		return;
	}
	switch (e->e) {
	case PRI_EVENT_SETUP_ACK:
		set_chan(c, e->setup_ack.channel);
		CALL_EVENT(c, "SETUP_ACK id=%d chan=%d", c->id, c->chan);
		break;
	case PRI_EVENT_PROCEEDING:
		set_chan(c, e->proceeding.channel);
		CALL_EVENT(c, "PROCEEDING id=%d chan=%d", c->id, c->chan);
		break;
	case PRI_EVENT_RINGING:
		set_chan(c, e->ringing.channel);
		CALL_EVENT(c, "ALERTING id=%d chan=%d", c->id, c->chan);
		break;
	case PRI_EVENT_PROGRESS:
		set_chan(c, e->proceeding.channel);
		CALL_EVENT(c, "PROGRESS id=%d chan=%d", c->id, c->chan);
		break;
	case PRI_EVENT_ANSWER:
		set_chan(c, e->answer.channel);
		CALL_EVENT(c, "CONNECT id=%d chan=%d", c->id, c->chan);
		if (c->load)
			sim_load_connected(c);
		break;
	case PRI_EVENT_CONNECT_ACK:
		CALL_EVENT(c, "CONNECT_ACK id=%d", c->id);
		break;
	case PRI_EVENT_INFO_RECEIVED:
		CALL_EVENT(c, "INFO id=%d digits=%s", c->id, num(e->ring.callednum));
		break;
	case PRI_EVENT_KEYPAD_DIGIT:
		CALL_EVENT(c, "KEYPAD id=%d digits=%s", c->id, num(e->digit.digits));
		break;
	case PRI_EVENT_HANGUP_REQ:
		/* The gateway's DISCONNECT: answer with RELEASE. */
		CALL_EVENT(c, "DISCONNECT id=%d cause=%d", c->id, e->hangup.cause);
		c->cause = e->hangup.cause;
		c->clearing = 1;
		pri_hangup(S.pri, c->c, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP:
		/* The gateway's RELEASE (or a clearing by libpri): the call must
		 * still be hung up for RELEASE COMPLETE to go out. */
		CALL_EVENT(c, "HANGUP id=%d cause=%d", c->id, e->hangup.cause);
		if (!c->cause)
			c->cause = e->hangup.cause;
		pri_hangup(S.pri, c->c, e->hangup.cause);
		call_free(c);
		break;
	case PRI_EVENT_HANGUP_ACK:
		CALL_EVENT(c, "HANGUP id=%d cause=%d", c->id, e->hangup.cause);
		if (!c->cause)
			c->cause = e->hangup.cause;
		call_free(c);
		break;
	}
}


/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pstnsim: the ISDN far end of the end-to-end tests and the demo. It is the
 * LINE side of a virtual span (protocol version 1, ../shared/virt-span.md):
 * it connects to DIR/media and DIR/dchan (retrying until they exist), reads
 * the gateway's 'C', is the clock master ('F' every chunk period) and runs
 * libpri as the network (default) or user side on the D-channel.
 * With --dahdi it is instead the far end of a real DAHDI E1 span (A-law):
 * libpri on the span's HDLC D-channel, the B-channels as DAHDI channels,
 * clocked by the driver (pstnsim_dahdi.c); commands and events are the same.
 *
 *   pstnsim --dir DIR | --dahdi BASE[:DCHAN] [--side net|cpe] [--switch euroisdn_e1|euroisdn_t1|
 *           ni2|dms100|lucent5e|att4ess|ni1|qsig] [--bri-ptmp]
 *           [--auto answer|alert|busy|none] [--cmd FIFO] [--pcap FILE]
 *           [--on-up COMMAND] [--debug] [--selftest]
 *   --on-up COMMAND: run COMMAND (e.g. "call called=...") the moment layer 2
 *           first comes up, in the same wakeup as the UA/SABME that made it
 *           up: the first I-frame follows at once, as a switch that sends
 *           its queued SETUP when the link is established.
 *   Layer 2 on (re)connect: when the D-channel (re)connects and our layer 2
 *           is down (the outage outlasted T203 + N200 x T200), pstnsim
 *           starts a new libpri link, which sends SABME at once, rather
 *           than waiting for the old link's next T200/SABME cycle: a
 *           switch starts layer 2 when layer 1 comes back. At start-up the
 *           first connect does the same (libpri sends SABME on creation).
 *   --dahdi BASE[:DCHAN]: BASE is the DAHDI channel number of timeslot 1,
 *           DCHAN the D-channel timeslot (default 16): --dahdi 32:16 is the
 *           second E1 span, D-channel on DAHDI channel 47. "drop" closes all
 *           of the span's channels, "restore" reopens the D-channel (retrying
 *           until dahdi_cfg configured it); "alarm" and "stopframes" are for
 *           virtual spans only; ALARM from=line state=... reports the span's
 *           alarms as DAHDI sees them. B-channels are open while in a call;
 *           STATUS slips= counts their buffer under- and overruns.
 *   pstnsim --analyse FILE.wav [FROM_S [DUR_S]]
 *           measures a recording (8 kHz mono 16-bit) with the same estimator
 *           as `measure` and prints "MEASURE freq= level= ms=" (dBm0)
 *   pstnsim --scan FILE.wav [FROM_S [DUR_S]]
 *           looks for in-band DTMF in a recording: "SCAN digits= loudest=
 *           at= freq= limit= bursts= ms=": the digits spandsp's dtmf_rx
 *           finds ("-": none), the loudest 20 ms (dBm0, windows every 5 ms)
 *           with its start (s) and strongest frequency, and how many runs of
 *           windows are louder than limit (-50 dBm0)
 *
 * Commands, one per line, from stdin and/or the FIFO (created if missing;
 * kept open so a script may open, write and close it many times). ID is
 * pstnsim's own call id, printed in events.
 *   call [chan=N] called=NUM [called_ton=T] [calling=NUM] [calling_ton=T]
 *        [calling_pres=allowed|restricted] [bearer=speech|3.1khz|digital]
 *        T: unknown|international|national|network|subscriber|abbreviated
 *   proceeding ID | progress ID | alert ID | answer ID | hangup ID [cause=N]
 *   tone ID FREQ [LEVEL_DBM0] | silence ID | wav ID FILE | dtmf ID DIGITS
 *   measure ID MS | record ID FILE|off | echo ID DELAY_MS LOSS_DB | echo ID off
 *   drop | restore | alarm red|yellow|blue|clear | stopframes | startframes
 *   load RATE COUNT HOLD_MS [called=NUM] [calling=NUM] [timeout=MS] [out=FILE]
 *        | load stop    paced calls, counted (pstnsim_load.c; no per-call events)
 *   status | auto answer|alert|busy|none (as --auto, from now on) | quit
 *   refuse CHAN [cause=N] | refuse off: the gateway's SETUPs for channel CHAN
 *        are cleared with cause N (default 44, channel not available)
 *   onup COMMAND...  as --on-up, for the next time layer 2 comes up (or is
 *                    found up on reconnect); once
 *
 * Events on stdout, line-buffered, one per line, "EVENT NAME key=value...":
 *   READY                               layer 2 up for the first time
 *   CONFIG slots= chunk= law=alaw|ulaw kind=e1|t1|bri dchan_slot=
 *   DCHAN state=up|down                 every layer 2 change
 *   LINK state=down [reason=peer]       after drop, or the gateway closed
 *   LINK state=up                       layer 2 up again after that (at once
 *                                       on reconnect if libpri's layer 2 never
 *                                       noticed the outage: T203 + N200 x T200)
 *   CALL id= chan=                      our SETUP sent
 *   RING id= chan= called= called_ton= calling= calling_ton= calling_pres=
 *        bearer=                        SETUP from the gateway
 *   SETUP_ACK|PROCEEDING|ALERTING|PROGRESS|CONNECT|CONNECT_ACK id= [chan=]
 *   DISCONNECT id= cause=               the gateway's DISCONNECT
 *   HANGUP id= cause= [reason=link_down] the call is gone (once per call);
 *                                       link_down: cleared locally (cause 38)
 *                                       on drop or when the gateway closed
 *   INFO id= digits= | KEYPAD id= digits= | RESTART chan=
 *   DTMF id= digit=                     once per digit (spandsp dtmf_rx)
 *   MEASURE id= freq= level= ms=        freq: strongest spectral peak, Hz;
 *                                       level: RMS in dBm0 (see pstnsim.h)
 *   ALARM from=gateway state=red|yellow|blue|clear | LINESIG chan= code= value=
 *   ALARM from=line state=red|yellow|blue|clear      (--dahdi)
 *   STATUS link=up|down calls=N dchan= frames_tx= frames_rx= slips= bad=
 *          echo_late=           echo_late: frames of the calls in progress
 *                               whose echo was missing because the
 *                               gateway's answer came after its period
 *   LOAD_START rate= count= hold= timeout= | LOAD attempted= completed= failed= ...
 *                                       a load run's start and its counts
 *   AUTO mode=                          after an auto command
 *   REFUSE chan= cause=                 after a refuse command (chan=0: off)
 *   ONUP cmd=                           an onup command stored
 *   ERROR cmd= msg=                     a command that could not be done
 * Numbers print as "-" when absent. Audio commands work on the call's
 * B-channel from the moment the call exists; tone/wav/silence replace each
 * other, dtmf plays instead of them until its digits are done (100 ms on,
 * 100 ms off), echo adds the
 * gateway's audio back (at least one frame of delay). Diagnostics (and
 * libpri's messages) go to stderr; --debug adds libpri's Q.921/Q.931 trace.
 */
#include "tests/tools/pstnsim_int.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

struct sim S;


void event(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "EVENT ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* one line per event: no spaces or newlines smuggled in by values */
	for (char *p = line + n; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = '_';
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* In a void command handler: report and return. */
#define FAIL(cmd, msg) do { cmd_error((cmd), (msg)); return; } while (0)

static void cmd_error(const char *cmd, const char *msg)
{
	char m[256];

	snprintf(m, sizeof(m), "%s", msg);
	for (char *p = m; *p; p++)
		if (*p == ' ')
			*p = '_';
	event("ERROR cmd=%s msg=%s", cmd, m);
}

/* ---- sockets ---- */

static int sock_connect(const char *name)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", S.dir, name) >=
	    sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static void clock_stop(void)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	timerfd_settime(S.clock_fd, 0, &its, NULL);
}

static void clock_start(void)
{
	struct itimerspec its;
	struct timespec now;
	long period_ns = (long)S.chunk * 125000;	/* 8 kHz: 125 us per byte */

	if (!S.have_config || S.media_fd < 0 || S.frames_stopped)
		return;
	/* Absolute start, fixed interval: the kernel keeps the phase, no drift. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	its.it_interval.tv_sec = period_ns / 1000000000;
	its.it_interval.tv_nsec = period_ns % 1000000000;
	its.it_value.tv_sec = now.tv_sec;
	its.it_value.tv_nsec = now.tv_nsec + period_ns;
	while (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_nsec -= 1000000000;
		its.it_value.tv_sec++;
	}
	timerfd_settime(S.clock_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void close_links(void)
{
	if (S.dahdi_base) {
		sim_dahdi_close();
		return;
	}
	if (S.media_fd >= 0) {
		loop_fd_del(S.loop, S.media_fd);
		close(S.media_fd);
		S.media_fd = -1;
	}
	if (S.dchan_fd >= 0) {
		loop_fd_del(S.loop, S.dchan_fd);
		close(S.dchan_fd);
		S.dchan_fd = -1;
	}
	S.have_config = 0;
	clock_stop();
}

void link_lost(const char *why)
{
	log_warn(LOG_MEDIA, "link lost: %s; reconnecting", why);
	close_links();
	calls_lost();
	event("LINK state=down reason=peer");
	S.link_up_pending = 1;
	if (S.want_link)
		loop_timer_start(S.retry_timer, RETRY_MS);
}

/* ---- connecting ---- */

static void media_readable(int fd, uint32_t events, void *arg);

/* The D-channel descriptor is there: libpri on it. 0, or -1 (fatal). */
static int dchan_connected(void)
{
	int err;

	if (!S.pri && pri_create()) {
		log_err(LOG_ISDN, "libpri: cannot create the link");
		S.exit_code = 2;
		loop_break(S.loop);
		return -1;
	}
	/* Layer 2 went down during the outage: libpri would go on with its
	 * own T200/SABME cycle (its next SABME up to 1 s away, the gateway's
	 * SABME answered with UA but layer 2 not ours until then). A switch
	 * establishes layer 2 when layer 1 comes back (Q.921 5.5.1): a
	 * fresh link sends its SABME now. */
	if (S.ready && !S.dchan_up && (err = pri_fresh()))
		log_warn(LOG_ISDN, "dchan: keeping the old libpri link: %s", strerror(err));
	after_pri();
	/* A drop shorter than libpri's idle poll (T203) plus N200 retries of
	 * T200 leaves layer 2 established on our side, as it would on a card:
	 * then it is up again now. */
	if (S.link_up_pending && S.ready && S.dchan_up)
		l2_came_up();
	return 0;
}

static void try_connect(void *arg)
{
	int fd;

	if (!S.want_link)
		return;
	if (S.dahdi_base) {
		int err = sim_dahdi_connect();
		if (!err) {
			dchan_connected();
			return;
		}
		log_debug(LOG_ISDN, "D-channel: %s; retrying", strerror(err));
		if (!loop_timer_active(S.retry_timer))
			loop_timer_start(S.retry_timer, RETRY_MS);
		return;
	}
	if (S.media_fd < 0) {
		fd = sock_connect("media");
		if (fd >= 0) {
			S.media_fd = fd;
			S.have_config = 0;
			loop_fd_add(S.loop, fd, EPOLLIN, media_readable, NULL);
			log_info(LOG_MEDIA, "media: connected, waiting for 'C'");
		}
	}
	/* dchan after 'C', which says whether this is PRI or BRI. */
	if (S.media_fd >= 0 && S.have_config && S.dchan_fd < 0) {
		fd = sock_connect("dchan");
		if (fd >= 0) {
			S.dchan_fd = fd;
			loop_fd_add(S.loop, fd, EPOLLIN, dchan_readable, NULL);
			log_info(LOG_ISDN, "dchan: connected");
			if (dchan_connected())
				return;
		}
	}
	if (S.media_fd < 0 || S.dchan_fd < 0) {
		if (!loop_timer_active(S.retry_timer))
			loop_timer_start(S.retry_timer, RETRY_MS);
	}
}

/* ---- media ---- */

/*
 * Take in every message already waiting on the media socket. The clock and
 * the gateway's answers can be ready in the same wakeup; a frame must be
 * built from everything that has arrived (the echo of the answer to the
 * previous frame among it), whichever callback the loop serves first.
 */
static void media_drain(void)
{
	for (int i = 0; i < 64 && S.media_fd >= 0; i++) {
		struct pollfd p = { .fd = S.media_fd, .events = POLLIN };
		if (poll(&p, 1, 0) != 1 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
			break;
		media_readable(S.media_fd, EPOLLIN, NULL);
	}
}

static void send_frames(int fd, uint32_t events, void *arg)
{
	uint64_t n = 0;

	if (read(S.clock_fd, &n, sizeof(n)) != sizeof(n))
		return;
	if (!S.have_config || S.media_fd < 0)
		return;
	if (n > 50) {
		log_warn(LOG_MEDIA, "clock: %llu frames late, skipping", (unsigned long long)n - 1);
		S.seq += (uint32_t)(n - 1);
		n = 1;
	}
	size_t len = HDR + (size_t)S.slots * S.chunk;
	uint8_t idle = S.alaw ? 0xD5 : 0xFF;
	while (n--) {
		uint8_t *b = S.txbuf;
		media_drain();
		if (S.media_fd < 0)
			return;
		S.seq++;
		b[0] = 'F';
		b[1] = 1;
		b[2] = (uint8_t)S.slots;
		b[3] = (uint8_t)(S.slots >> 8);
		for (int i = 0; i < 4; i++)
			b[4 + i] = (uint8_t)(S.seq >> (8 * i));
		memset(b + HDR, idle, len - HDR);
		for (struct call *c = S.calls; c; c = c->next)
			if (chan_valid(c->chan) && !c->load)	/* load calls: idle */
				sim_audio_tx(c->audio, b + HDR + (size_t)(c->chan - 1) * S.chunk,
					     S.chunk);
		if (send(S.media_fd, b, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len) {
			if (errno == EAGAIN)
				continue;
			link_lost("media: send failed");
			return;
		}
		S.frames_tx++;
	}
}

static void on_config(const uint8_t *b, ssize_t n)
{
	static const char *const kinds[] = { "?", "e1", "t1", "bri", "fxs", "fxo" };
	int slots = b[2] | b[3] << 8;

	if (n < HDR + 6) {
		S.bad++;
		return;
	}
	int chunk = b[8] | b[9] << 8, law = b[10], kind = b[11];
	int dslot = b[12] | b[13] << 8;
	if (slots < 1 || slots > 128 || chunk < 8 || chunk > 320 || law > 1 ||
	    (size_t)HDR + (size_t)slots * chunk > MSG_MAX) {
		log_err(LOG_MEDIA, "media: bad 'C' (slots %d chunk %d law %d)", slots, chunk, law);
		S.bad++;
		return;
	}
	if (kind < 1 || kind > 3) {
		log_err(LOG_MEDIA, "media: span kind %d is not ISDN: pstnsim emulates ISDN only",
			kind);
		S.exit_code = 2;
		loop_break(S.loop);
		return;
	}
	if (S.pri && kind != S.kind)
		log_warn(LOG_ISDN, "span kind changed from %d to %d: the libpri link keeps %d",
			 S.kind, kind, S.kind);
	else
		S.kind = kind;
	S.slots = slots;
	S.chunk = chunk;
	S.alaw = law == 1;
	S.dchan_slot = dslot;
	S.have_config = 1;
	S.rx_any = 0;
	event("CONFIG slots=%d chunk=%d law=%s kind=%s dchan_slot=%d", slots, chunk,
	      S.alaw ? "alaw" : "ulaw", kinds[kind], dslot);
	clock_start();
	try_connect(NULL);
}

static void media_readable(int fd, uint32_t events, void *arg)
{
	ssize_t n = recv(fd, S.rxbuf, sizeof(S.rxbuf), MSG_DONTWAIT);
	const uint8_t *b = S.rxbuf;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < HDR) {
		link_lost(n < 0 ? "media: read error" : "media: closed");
		return;
	}
	if (b[1] != 1) {
		S.bad++;
		return;
	}
	int count = b[2] | b[3] << 8;
	uint32_t seq = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
	switch (b[0]) {
	case 'C':
		on_config(b, n);
		break;
	case 'F':
		if (!S.have_config || count != S.slots || n != HDR + (ssize_t)S.slots * S.chunk) {
			S.bad++;
			break;
		}
		if (S.rx_any && seq != S.rx_seq + 1)
			S.slips++;
		S.rx_any = 1;
		S.rx_seq = seq;
		S.frames_rx++;
		for (struct call *c = S.calls; c; c = c->next)
			if (chan_valid(c->chan) && !c->load)
				sim_audio_rx(c->audio, b + HDR + (size_t)(c->chan - 1) * S.chunk,
					     S.chunk);
		break;
	case 'E': {
		static const char *const alarms[] = { "clear", "red", "yellow", "blue" };
		if (n < HDR + 4) {
			S.bad++;
			break;
		}
		int code = b[8] | b[9] << 8, value = b[10] | b[11] << 8;
		if (code == 8 && value <= 3)
			event("ALARM from=gateway state=%s", alarms[value]);
		else
			event("LINESIG chan=%d code=%d value=%d", count, code, value);
		break;
	}
	default:
		S.bad++;
	}
}

static int send_alarm(int value)
{
	uint8_t b[HDR + 4] = { 'E', 1, 0, 0 };

	if (S.media_fd < 0)
		return ENOTCONN;
	for (int i = 0; i < 4; i++)
		b[4 + i] = (uint8_t)(S.seq >> (8 * i));
	b[8] = 8;
	b[10] = (uint8_t)value;
	if (send(S.media_fd, b, sizeof(b), MSG_DONTWAIT | MSG_NOSIGNAL) != sizeof(b))
		return errno;
	return 0;
}

/* ---- commands ---- */

#define MAXARGS 16

static const char *opt(char **argv, int argc, const char *key)
{
	size_t k = strlen(key);

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, k) && argv[i][k] == '=')
			return argv[i] + k + 1;
	return NULL;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < -1000000 || v > 1000000)
		return EINVAL;
	*out = (int)v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return EINVAL;
	*out = strtod(s, &end);
	return *end ? EINVAL : 0;
}

struct call *place_call(const char *called, int cton, const char *calling, int gton,
			int restricted, int cap, int chan, const char **why)
{
	char cbuf[64], gbuf[64];
	struct pri_sr *sr;
	struct call *c;
	q931_call *q;

	if (!S.pri || !S.dchan_up || S.dchan_fd < 0) {
		*why = "D-channel down";
		return NULL;
	}
	if (chan < 0 && (chan = chan_free()) < 0) {
		*why = "no free B-channel";
		return NULL;
	}
	q = pri_new_call(S.pri);
	if (!q) {
		*why = "libpri refused a new call";
		return NULL;
	}
	c = call_new(q, chan, 0);
	if (!c) {
		pri_destroycall(S.pri, q);
		*why = "out of memory";
		return NULL;
	}
	sr = pri_sr_new();
	if (!sr) {
		pri_destroycall(S.pri, q);
		call_free(c);
		*why = "out of memory";
		return NULL;
	}
	snprintf(cbuf, sizeof(cbuf), "%s", called);
	pri_sr_set_channel(sr, chan, 1, 0);
	pri_sr_set_bearer(sr, cap, cap == PRI_TRANS_CAP_DIGITAL ? 0 :
			  S.alaw ? PRI_LAYER_1_ALAW : PRI_LAYER_1_ULAW);
	pri_sr_set_called(sr, cbuf, cton << 4 | PRI_NPI_E163_E164, 1);
	if (calling) {
		snprintf(gbuf, sizeof(gbuf), "%s", calling);
		pri_sr_set_caller(sr, gbuf, NULL, gton << 4 | PRI_NPI_E163_E164,
				  restricted ? PRES_PROHIB_USER_NUMBER_NOT_SCREENED :
				  PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
	}
	c->t_setup = sim_now_us();
	int err = pri_setup(S.pri, q, sr);
	pri_sr_free(sr);
	if (err) {
		pri_destroycall(S.pri, q);
		call_free(c);
		*why = "pri_setup failed";
		return NULL;
	}
	return c;
}

static void cmd_call(char **argv, int argc)
{
	const char *called = opt(argv, argc, "called"), *calling = opt(argv, argc, "calling");
	const char *v, *why = NULL;
	int chan = -1, cton = 2, gton = 2, restricted = 0, cap = PRI_TRANS_CAP_SPEECH;
	struct call *c;

	if (!called || strlen(called) >= 64 || (calling && strlen(calling) >= 64))
		FAIL(argv[0], "called=NUM required (numbers up to 63 digits)");
	if ((v = opt(argv, argc, "chan")) && (parse_int(v, &chan) || !chan_valid(chan)))
		FAIL(argv[0], "bad chan");
	if ((v = opt(argv, argc, "called_ton")) && (cton = ton_parse(v)) < 0)
		FAIL(argv[0], "bad called_ton");
	if ((v = opt(argv, argc, "calling_ton")) && (gton = ton_parse(v)) < 0)
		FAIL(argv[0], "bad calling_ton");
	if ((v = opt(argv, argc, "calling_pres")))
		restricted = !strcmp(v, "restricted");
	if ((v = opt(argv, argc, "bearer"))) {
		if (!strcmp(v, "3.1khz"))
			cap = PRI_TRANS_CAP_3_1K_AUDIO;
		else if (!strcmp(v, "digital"))
			cap = PRI_TRANS_CAP_DIGITAL;
		else if (strcmp(v, "speech"))
			FAIL(argv[0], "bad bearer");
	}
	c = place_call(called, cton, calling, gton, restricted, cap, chan, &why);
	if (!c)
		FAIL(argv[0], why);
	event("CALL id=%d chan=%d", c->id, c->chan);
}

static void cmd_call_op(char **argv, int argc, struct call *c)
{
	const char *cmd = argv[0];
	int err = 0, n;
	double f, l = -10;
	char msg[256];

	if (!strcmp(cmd, "proceeding") || !strcmp(cmd, "progress") || !strcmp(cmd, "alert") ||
	    !strcmp(cmd, "answer") || !strcmp(cmd, "hangup")) {
		if (!S.pri || c->clearing)
			FAIL(cmd, c->clearing ? "call is clearing" : "no D-channel");
		if (!strcmp(cmd, "hangup")) {
			int cause = PRI_CAUSE_NORMAL_CLEARING;
			const char *v = opt(argv, argc, "cause");
			if (v && (parse_int(v, &cause) || cause < 1 || cause > 127))
				FAIL(cmd, "bad cause");
			call_hangup(c, cause);	/* may free c */
			return;
		} else if (!strcmp(cmd, "proceeding")) {
			err = pri_proceeding(S.pri, c->c, c->chan, 0);
		} else if (!strcmp(cmd, "progress")) {
			err = pri_progress(S.pri, c->c, c->chan, 1);
		} else if (!strcmp(cmd, "alert")) {
			err = pri_acknowledge(S.pri, c->c, c->chan, 1);
		} else {
			err = pri_answer(S.pri, c->c, c->chan, 1);
		}
		if (err)
			FAIL(cmd, "libpri refused");
		if (c->incoming && strcmp(cmd, "progress"))
			c->acked = 1;
		return;
	}
	if (!strcmp(cmd, "tone")) {
		if (argc < 3 || parse_double(argv[2], &f) || (argc > 3 && parse_double(argv[3], &l)))
			FAIL(cmd, "usage: tone ID FREQ [LEVEL_DBM0]");
		err = sim_audio_tone(c->audio, f, l);
	} else if (!strcmp(cmd, "silence")) {
		sim_audio_silence(c->audio);
	} else if (!strcmp(cmd, "wav")) {
		if (argc < 3)
			FAIL(cmd, "usage: wav ID FILE");
		if (sim_audio_wav(c->audio, argv[2], msg, sizeof(msg)))
			FAIL(cmd, msg);
	} else if (!strcmp(cmd, "dtmf")) {
		if (argc < 3)
			FAIL(cmd, "usage: dtmf ID DIGITS");
		err = sim_audio_dtmf(c->audio, argv[2]);
	} else if (!strcmp(cmd, "measure")) {
		if (argc < 3 || parse_int(argv[2], &n))
			FAIL(cmd, "usage: measure ID MS");
		err = sim_audio_measure(c->audio, n);
	} else if (!strcmp(cmd, "record")) {
		if (argc < 3)
			FAIL(cmd, "usage: record ID FILE|off");
		err = sim_audio_record(c->audio, strcmp(argv[2], "off") ? argv[2] : NULL);
	} else if (!strcmp(cmd, "echo")) {
		if (argc == 3 && !strcmp(argv[2], "off"))
			err = sim_audio_echo(c->audio, -1, 0);
		else if (argc < 4 || parse_int(argv[2], &n) || parse_double(argv[3], &l))
			FAIL(cmd, "usage: echo ID DELAY_MS LOSS_DB | echo ID off");
		else
			err = sim_audio_echo(c->audio, n, l);
	} else {
		FAIL(cmd, "unknown command");
	}
	if (err)
		cmd_error(cmd, strerror(err));
}

static void do_quit(void)
{
	S.quitting = 1;
	if (!S.calls) {
		loop_break(S.loop);
		return;
	}
	for (struct call *c = S.calls, *next; c; c = next) {
		next = c->next;	/* call_hangup may free c */
		if (S.pri)
			call_hangup(c, PRI_CAUSE_NORMAL_CLEARING);
	}
	loop_timer_start(S.quit_timer, 2000);	/* do not wait forever for the far end */
}

static void quit_timer_fired(void *arg)
{
	loop_break(S.loop);
}

/* "answer", "alert", "busy", "none": what to do with the gateway's SETUPs. */
static int auto_mode(const char *s, enum autoact *out)
{
	static const char *const names[] = { "answer", "alert", "busy", "none" };
	static const enum autoact modes[] = { AUTO_ANSWER, AUTO_ALERT, AUTO_BUSY, AUTO_NONE };

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = modes[i];
			return 0;
		}
	return -1;
}

void sim_command(char *line)
{
	char *argv[MAXARGS], *save = NULL;
	int argc = 0, id;
	struct call *c;

	for (char *t = strtok_r(line, " \t\r", &save); t && argc < MAXARGS;
	     t = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = t;
	if (!argc || argv[0][0] == '#')
		return;
	if (!strcmp(argv[0], "call")) {
		cmd_call(argv, argc);
	} else if (!strcmp(argv[0], "load")) {
		sim_load_cmd(argv, argc);
	} else if (!strcmp(argv[0], "status")) {
		int up = S.dahdi_base ? S.dchan_fd >= 0 :
			S.media_fd >= 0 && S.dchan_fd >= 0 && S.have_config;
		uint64_t late = 0;
		for (struct call *k = S.calls; k; k = k->next)
			if (k->audio)
				late += sim_audio_echo_late(k->audio);
		event("STATUS link=%s calls=%d dchan=%s frames_tx=%llu frames_rx=%llu slips=%llu bad=%llu "
		      "echo_late=%llu",
		      up ? "up" : "down",
		      ncalls(), S.dchan_up ? "up" : "down", (unsigned long long)S.frames_tx,
		      (unsigned long long)S.frames_rx, (unsigned long long)S.slips,
		      (unsigned long long)S.bad, (unsigned long long)late);
	} else if (!strcmp(argv[0], "refuse")) {
		S.refuse_chan = argc > 1 && strcmp(argv[1], "off") ? atoi(argv[1]) : 0;
		S.refuse_cause = argc > 2 && !strncmp(argv[2], "cause=", 6) ? atoi(argv[2] + 6) : 44;
		event("REFUSE chan=%d cause=%d", S.refuse_chan, S.refuse_cause);
	} else if (!strcmp(argv[0], "auto")) {
		if (argc < 2 || auto_mode(argv[1], &S.autoact))
			FAIL(argv[0], "usage: auto answer|alert|busy|none");
		event("AUTO mode=%s", argv[1]);
	} else if (!strcmp(argv[0], "onup")) {
		/* the rest of the line, for the next layer 2 up */
		size_t n = 0;
		S.on_up[0] = 0;
		for (int i = 1; i < argc; i++)
			n += (size_t)snprintf(S.on_up + n, n < sizeof(S.on_up) ? sizeof(S.on_up) - n : 0,
					      "%s%s", i > 1 ? " " : "", argv[i]);
		if (n >= sizeof(S.on_up)) {
			S.on_up[0] = 0;
			FAIL(argv[0], "command too long");
		}
		event("ONUP cmd=%s", argc > 1 ? argv[1] : "-");
	} else if (!strcmp(argv[0], "quit")) {
		do_quit();
	} else if (!strcmp(argv[0], "drop")) {
		S.want_link = 0;
		loop_timer_stop(S.retry_timer);
		close_links();
		S.link_up_pending = 1;
		event("LINK state=down");
		calls_lost();
	} else if (!strcmp(argv[0], "restore")) {
		if (S.want_link)
			FAIL(argv[0], "link not dropped");
		S.want_link = 1;
		S.link_up_pending = 1;
		try_connect(NULL);
	} else if (!strcmp(argv[0], "alarm")) {
		static const char *const names[] = { "clear", "red", "yellow", "blue" };
		int v = -1, err;
		for (int i = 0; argc > 1 && i < 4; i++)
			if (!strcmp(argv[1], names[i]))
				v = i;
		if (v < 0)
			FAIL(argv[0], "usage: alarm red|yellow|blue|clear");
		if (S.dahdi_base)
			FAIL(argv[0], "not on a DAHDI span (use drop)");
		if ((err = send_alarm(v)))
			cmd_error(argv[0], strerror(err));
	} else if (S.dahdi_base && (!strcmp(argv[0], "stopframes") ||
				    !strcmp(argv[0], "startframes"))) {
		FAIL(argv[0], "not on a DAHDI span: the driver is the clock");
	} else if (!strcmp(argv[0], "stopframes")) {
		S.frames_stopped = 1;
		clock_stop();
	} else if (!strcmp(argv[0], "startframes")) {
		S.frames_stopped = 0;
		clock_start();
	} else if (argc >= 2 && !parse_int(argv[1], &id)) {
		if (!(c = call_by_id(id)))
			FAIL(argv[0], "no such call");
		cmd_call_op(argv, argc, c);
	} else {
		cmd_error(argv[0], "unknown command or missing call id");
	}
	after_pri();
}

static int open_fifo(void);

static void lines_readable(int fd, uint32_t events, void *arg)
{
	struct linebuf *lb = arg;
	ssize_t n = read(fd, lb->buf + lb->len, sizeof(lb->buf) - 1 - lb->len);
	char *p, *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		loop_fd_del(S.loop, fd);
		close(fd);
		lb->fd = -1;
		lb->len = 0;
		if (lb == &S.fifo)
			open_fifo();
		else if (!S.cmd_path)
			do_quit();	/* stdin was the only command source */
		return;
	}
	lb->len += n;
	lb->buf[lb->len] = 0;
	p = lb->buf;
	while ((nl = strchr(p, '\n'))) {
		*nl = 0;
		sim_command(p);
		p = nl + 1;
		if (lb->fd < 0)
			return;
	}
	lb->len -= p - lb->buf;
	memmove(lb->buf, p, lb->len);
	if (lb->len == sizeof(lb->buf) - 1) {
		log_warn(LOG_GEN, "command line too long, dropped");
		lb->len = 0;
	}
}

static int open_fifo(void)
{
	struct stat st;

	if (stat(S.cmd_path, &st) < 0) {
		if (mkfifo(S.cmd_path, 0600) < 0)
			return errno;
	} else if (!S_ISFIFO(st.st_mode)) {
		return ENOTSUP;
	}
	S.fifo.fd = open(S.cmd_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (S.fifo.fd < 0)
		return errno;
	/* Our own writer keeps the FIFO from reporting EOF (and epoll from
	 * spinning on POLLHUP) between two writers. */
	if (S.fifo_wfd < 0)
		S.fifo_wfd = open(S.cmd_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	S.fifo.len = 0;
	return loop_fd_add(S.loop, S.fifo.fd, EPOLLIN, lines_readable, &S.fifo);
}

static void signal_readable(int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (S.quitting)
			loop_break(S.loop);
		else
			do_quit();
	}
}

/* ---- main ---- */

static const struct { const char *name; int id; } switches[] = {
	{ "euroisdn_e1", PRI_SWITCH_EUROISDN_E1 }, { "euroisdn_t1", PRI_SWITCH_EUROISDN_T1 },
	{ "ni2", PRI_SWITCH_NI2 }, { "dms100", PRI_SWITCH_DMS100 },
	{ "lucent5e", PRI_SWITCH_LUCENT5E }, { "att4ess", PRI_SWITCH_ATT4ESS },
	{ "ni1", PRI_SWITCH_NI1 }, { "qsig", PRI_SWITCH_QSIG },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pstnsim --dir DIR|--dahdi BASE[:DCHAN] [--side net|cpe] [--switch TYPE] [--bri-ptmp]\n"
		   "               [--auto answer|alert|busy|none] [--cmd FIFO] [--pcap FILE] [--debug]\n"
		   "               [--on-up COMMAND]\n"
		   "       pstnsim --selftest\n"
		   "       pstnsim --analyse FILE.wav [FROM_S [DUR_S]]\n"
		   "       pstnsim --scan FILE.wav [FROM_S [DUR_S]]\n"
		   "TYPE: euroisdn_e1 (default), euroisdn_t1, ni2, dms100, lucent5e, att4ess, ni1, qsig\n"
		   "Commands on stdin (and FIFO), events on stdout: see the top of pstnsim.c.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dir", required_argument, NULL, 'd' }, { "side", required_argument, NULL, 's' },
		{ "switch", required_argument, NULL, 'w' }, { "cmd", required_argument, NULL, 'c' },
		{ "auto", required_argument, NULL, 'a' }, { "pcap", required_argument, NULL, 'p' },
		{ "bri-ptmp", no_argument, NULL, 'b' }, { "debug", no_argument, NULL, 'D' },
		{ "selftest", no_argument, NULL, 'T' }, { "help", no_argument, NULL, 'h' },
		{ "analyse", required_argument, NULL, 'A' },
		{ "scan", required_argument, NULL, 'S' },
		{ "dahdi", required_argument, NULL, 'H' },
		{ "on-up", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	int o, err;
	sigset_t mask;

	setvbuf(stdout, NULL, _IOLBF, 0);
	S.nodetype = PRI_NETWORK;
	S.switchtype = PRI_SWITCH_EUROISDN_E1;
	S.autoact = AUTO_NONE;
	S.media_fd = S.dchan_fd = S.clock_fd = S.fifo_wfd = S.sig_fd = -1;
	S.in.fd = S.fifo.fd = -1;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'd': S.dir = optarg; break;
		case 'H': {
			char *end;
			long base = strtol(optarg, &end, 10), dch = 16;
			if (*end == ':')
				dch = strtol(end + 1, &end, 10);
			if (*end || base < 1 || base > 100000 || dch < 1 || dch > 31)
				goto bad;
			S.dahdi_base = (int)base;
			S.dchan_slot = (int)dch;
			break;
		}
		case 'c': S.cmd_path = optarg; break;
		case 'U':
			if (strlen(optarg) >= sizeof(S.on_up))
				goto bad;
			snprintf(S.on_up, sizeof(S.on_up), "%s", optarg);
			break;
		case 'p': S.pcap_path = optarg; break;
		case 'b': S.bri_ptmp = 1; break;
		case 'D': S.debug = 1; break;
		case 'T': return sim_audio_selftest();
		case 'A':
			/* --analyse FILE [FROM_S [DUR_S]]: measure a recording */
			return sim_audio_analyse_file(optarg, optind < argc ? atof(argv[optind]) : 0,
						      optind + 1 < argc ? atof(argv[optind + 1]) : 0);
		case 'S':
			/* --scan FILE [FROM_S [DUR_S]]: in-band DTMF in a recording */
			return sim_audio_scan_file(optarg, optind < argc ? atof(argv[optind]) : 0,
						   optind + 1 < argc ? atof(argv[optind + 1]) : 0);
		case 'h': usage(stdout); return 0;
		case 's':
			if (!strcmp(optarg, "net"))
				S.nodetype = PRI_NETWORK;
			else if (!strcmp(optarg, "cpe"))
				S.nodetype = PRI_CPE;
			else
				goto bad;
			break;
		case 'w': {
			size_t i;
			for (i = 0; i < sizeof(switches) / sizeof(switches[0]); i++)
				if (!strcmp(optarg, switches[i].name))
					break;
			if (i == sizeof(switches) / sizeof(switches[0]))
				goto bad;
			S.switchtype = switches[i].id;
			break;
		}
		case 'a':
			if (auto_mode(optarg, &S.autoact))
				goto bad;
			break;
		default:
			goto bad;
		}
	}
	if (!S.dir == !S.dahdi_base || optind != argc || (S.dahdi_base && S.bri_ptmp))
		goto bad;

	log_open("pstnsim", 1, 0);
	log_set_level(S.debug ? LOG_LVL_DEBUG : LOG_LVL_NOTICE);
	pri_set_message(pri_message_cb);
	pri_set_error(pri_error_cb);
	signal(SIGPIPE, SIG_IGN);
	{
		/* The line is the clock master, as a carrier's framer is: with
		 * real-time priority (above the gateway's media workers) a busy
		 * host does not make its frames late. Without the right to it,
		 * it runs normally. */
		struct sched_param sp = { .sched_priority = 20 };
		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0 && S.debug)
			fprintf(stderr, "pstnsim: no real-time priority: %s\n", strerror(errno));
	}

	if ((err = loop_new(&S.loop)))
		goto fail;
	if ((err = loop_timer_new(S.loop, pri_timer_fired, NULL, &S.pri_timer)) ||
	    (err = loop_timer_new(S.loop, try_connect, NULL, &S.retry_timer)) ||
	    (err = loop_timer_new(S.loop, quit_timer_fired, NULL, &S.quit_timer)))
		goto fail;
	S.clock_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (S.clock_fd < 0 || (err = loop_fd_add(S.loop, S.clock_fd, EPOLLIN, send_frames, NULL))) {
		err = S.clock_fd < 0 ? errno : err;
		goto fail;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	S.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (S.sig_fd < 0 || (err = loop_fd_add(S.loop, S.sig_fd, EPOLLIN, signal_readable, NULL))) {
		err = S.sig_fd < 0 ? errno : err;
		goto fail;
	}
	if (S.pcap_path && (err = pcap_open(S.pcap_path))) {
		log_err(LOG_GEN, "%s: %s", S.pcap_path, strerror(err));
		goto fail;
	}
	if (S.cmd_path && (err = open_fifo())) {
		log_err(LOG_GEN, "%s: %s", S.cmd_path, strerror(err));
		goto fail;
	}
	S.in.fd = STDIN_FILENO;
	fcntl(S.in.fd, F_SETFL, fcntl(S.in.fd, F_GETFL) | O_NONBLOCK);
	if (loop_fd_add(S.loop, S.in.fd, EPOLLIN, lines_readable, &S.in)) {
		/* stdin a regular file or /dev/null: epoll refuses it */
		S.in.fd = -1;
		if (!S.cmd_path)
			log_warn(LOG_GEN, "stdin cannot be polled and no --cmd: no commands");
	}
	if (S.dahdi_base)
		sim_dahdi_init();
	S.want_link = 1;
	try_connect(NULL);
	err = loop_run(S.loop);
	if (!S.exit_code && err)
		S.exit_code = 1;
	goto out;
fail:
	log_err(LOG_GEN, "pstnsim: %s", strerror(err));
	S.exit_code = 1;
out:
	while (S.calls) {
		S.quitting = 0;
		call_free(S.calls);
	}
	close_links();
	if (S.in.fd >= 0)
		loop_fd_del(S.loop, S.in.fd);
	if (S.fifo.fd >= 0)
		close(S.fifo.fd);
	if (S.fifo_wfd >= 0)
		close(S.fifo_wfd);
	if (S.clock_fd >= 0)
		close(S.clock_fd);
	if (S.sig_fd >= 0)
		close(S.sig_fd);
	if (S.pcap)
		fclose(S.pcap);
	loop_timer_free(S.pri_timer);
	loop_timer_free(S.retry_timer);
	loop_timer_free(S.quit_timer);
	loop_free(S.loop);
	/* S.pri: libpri has no destructor (NOTES-libraries.md). */
	return S.exit_code;
bad:
	usage(stderr);
	return 2;
}

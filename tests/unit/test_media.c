/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gw/media: worker commands and events name a stream (one start of media
 * on a channel), not the channel: a late RFC 4733 digit of call N, or a
 * stop for it, never reaches call N+1 on the same channel. One virtual
 * span (no peer: the card side stays idle), one worker, real RTP sockets
 * on loopback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/config.h"
#include "gw/media.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "sip/rtp.h"
#include "tdm/tdm.h"
#include "tests/unit/tap.h"

static struct {
	int n;
	uint32_t stream;
	char digit;
	void *user;
} got;

static void on_digit(void *arg, void *user, uint32_t stream, char digit, int from_card)
{
	(void)arg;
	(void)from_card;
	got.n++;
	got.stream = stream;
	got.digit = digit;
	got.user = user;
}

static const struct gw_media_events ev = { .digit = on_digit };
static const struct tdm_span_events span_ev;	/* the span is never started */

/* An RFC 4733 event packet (section 2.3): event, E bit, volume, duration. */
static void send_event(int fd, uint16_t port, uint16_t seq, uint32_t ts, int event)
{
	uint8_t p[16] = { 0x80, 101, (uint8_t)(seq >> 8), (uint8_t)seq,
			  (uint8_t)(ts >> 24), (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts,
			  0, 0, 0, 1, (uint8_t)event, 10, 0, 160 };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	ssize_t n;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = sendto(fd, p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to));
	(void)n;
}

/* Run the control loop for ms milliseconds. */
static void spin(struct loop *l, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (loop_now_ms() < end)
		loop_run_once(l, 10);
}

static int start(struct gw_media *m, int peer_port, struct gw_media_stream *s, uint16_t *port,
		 void *user)
{
	struct gw_media_params p = { .span_id = 1, .chan = 1, .remote_port = (uint16_t)peer_port,
				     .pt = 8, .te_pt = 101, .echo_cancel = 0, .echo_tail_ms = 128,
				     .user = user };
	int err = sip_rtp_new("127.0.0.1", 30000, 39998, &p.rtp);

	if (err)
		return err;
	*port = sip_rtp_port(p.rtp);
	snprintf(p.remote_addr, sizeof(p.remote_addr), "127.0.0.1");
	return gw_media_chan_start(m, &p, s);
}

int main(void)
{
	char dir[] = "/tmp/sipgw-test-media.XXXXXX", text[512], path[600];
	struct cfg *cfg = NULL;
	struct loop *l = NULL;
	struct gw_media *m = NULL;
	struct tdm_span *ts = NULL;
	struct gw_media_stream a, b;
	uint16_t pa = 0, pb = 0;
	int peer, ok;
	struct sockaddr_in me = { .sin_family = AF_INET };
	socklen_t ml = sizeof(me);

	log_open("test_media", 1, 0);
	log_set_level(LOG_LVL_WARN);
	if (!mkdtemp(dir))
		return 1;
	snprintf(text, sizeof(text),
		 "[general]\nmedia_workers = 1\nmedia_priority = 0\n"
		 "[span 1]\ndriver = virt\ndirectory = %s\nchannels = 1-2\n", dir);
	peer = socket(AF_INET, SOCK_DGRAM, 0);
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(peer, (struct sockaddr *)&me, sizeof(me));
	getsockname(peer, (struct sockaddr *)&me, &ml);

	TAP_OK(cfg_load_string("t.conf", text, &cfg, NULL) == 0 && loop_new(&l) == 0 &&
	       tdm_span_new(l, &cfg->spans[0], &span_ev, NULL, &ts) == 0 &&
	       gw_media_new(l, cfg, &ts, &ev, NULL, &m) == 0 && gw_media_start(m) == 0,
	       "one worker for one virtual span");
	TAP_OK(start(m, ntohs(me.sin_port), &a, &pa, &a) == 0 && a.id && a.span_id == 1 && a.chan == 1,
	       "call N: stream %u started on span1/B1", a.id);

	/* a digit on the running stream is reported with its stream */
	send_event(peer, pa, 1, 1000, 5);
	spin(l, 200);
	TAP_OK(got.n == 1 && got.stream == a.id && got.digit == '5' && got.user == &a,
	       "RFC 4733 digit '5' on stream %u reported for that stream and its user (%d)", a.id,
	       got.n);

	/* call N's late digit: the worker reports it, but stream N has been
	 * stopped and N+1 started on the same channel before the control
	 * thread reads the event */
	got.n = 0;
	{
		uint64_t before = gw_media_chan_last_rx(m, &a);
		int seen = 0;

		send_event(peer, pa, 2, 2000, 7);
		/* without running the control loop: the worker has read the
		 * packet (and queued its event) once its last-RTP time moves */
		for (int i = 0; i < 200 && !seen; i++) {
			usleep(10 * 1000);
			seen = gw_media_chan_last_rx(m, &a) != before;
		}
		usleep(20 * 1000);
		gw_media_chan_stop(m, &a);
		ok = start(m, ntohs(me.sin_port), &b, &pb, &b) == 0 && b.id != a.id &&
		     b.chan == a.chan;
		spin(l, 200);
		TAP_OK(seen && ok && got.n == 0, "a late digit of stopped stream %u (read by the worker: "
		       "%s) is dropped, not given to stream %u on the same channel (%d reported)",
		       a.id, seen ? "yes" : "no", b.id, got.n);
	}

	/* call N's stop arriving after call N+1 started: does nothing */
	gw_media_chan_stop(m, &a);
	spin(l, 100);
	send_event(peer, pb, 1, 5000, 9);
	spin(l, 200);
	TAP_OK(got.n == 1 && got.stream == b.id && got.digit == '9' && got.user == &b,
	       "a stale stop for stream %u leaves stream %u running: its digit '9' arrives", a.id, b.id);
	TAP_OK(gw_media_chan_last_rx(m, &b) > 0 && gw_media_chan_last_rx(m, &a) == 0,
	       "last RTP time: of the running stream, none for the ended one");

	gw_media_chan_stop(m, &b);
	gw_media_free(m);
	tdm_span_free(ts);
	loop_free(l);
	cfg_free(cfg);
	close(peer);
	snprintf(path, sizeof(path), "%s/media", dir);
	unlink(path);
	rmdir(dir);
	return TAP_DONE();
}

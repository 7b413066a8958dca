/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_sip_ua: a conversation of datagrams through a whole UA: each one
 * goes through sip_ua_receive() (sip/wire.c: validation, libosip2's
 * parser and transactions, the dialog and call code of call.c, SDP), with
 * the osip state machines run after each (sip_ua_kick). The UA's
 * transport is a table of our own (nothing leaves the process: a Via
 * could name any host). This file includes sip/msg.c to rename getrandom
 * in it (tokens, tags and branches become "000..." so that a response can
 * match our own requests).
 * Input: byte 0 says what gw/ does: bit 0 places an outgoing call to
 * 192.0.2.9:5060 first; bits 1-2 how an incoming INVITE is answered (180
 * then 200 with SDP, 486, 183 with SDP, left ringing); bit 3 hangs up
 * each call on its second event. Then datagrams, separated by two NULs.
 * FUZZ_SIP_UA_DUMP=1 prints what the UA would send.
 */
#include <stdint.h>
#include <sys/random.h>

static ssize_t fuzz_getrandom(void *buf, size_t n, unsigned flags);
#define getrandom fuzz_getrandom
#include "sip/msg.c"

#include "fuzz/fuzz_osip.h"
#include "lib/log.h"
#undef getrandom

static int dump;
static unsigned mode;

static ssize_t fuzz_getrandom(void *buf, size_t n, unsigned flags)
{
	(void)flags;
	memset(buf, 0, n);
	return (ssize_t)n;
}

static int fuzz_tp_open(struct loop *l, const char *addr, uint16_t port,
			const struct sip_tp_handler *h, void **impl, uint16_t *bound)
{
	static int dummy;

	*impl = &dummy;
	*bound = port ? port : 5060;
	return 0;
}

static int fuzz_tp_send(void *impl, const char *buf, size_t len, const struct sip_addr *dst)
{
	if (dump)
		fprintf(stderr, "---- to %s:%u\n%.*s\n", dst->host, dst->port, (int)len, buf);
	return 0;
}

static void fuzz_tp_close(void *impl)
{
}

static const struct sip_transport_ops fuzz_tp = {
	.name = "UDP", .kind = SIP_TP_UDP,
	.open = fuzz_tp_open, .send = fuzz_tp_send, .close = fuzz_tp_close,
};

static char rxbuf[SIP_MAX_DGRAM + 1];

static const struct sip_sdp_media ours = {
	.addr = "192.0.2.1", .port = 10000, .pts = { SIP_SDP_PT_PCMA, SIP_SDP_PT_PCMU }, .npts = 2,
	.te_pt = 101, .ptime = 20, .dir = SIP_SDP_SENDRECV,
};

/* What gw/ would do: answer, reject or hang up; a call's user pointer
 * counts its events. */
static void second_event(struct sip_call *c)
{
	uintptr_t n = (uintptr_t)sip_call_user(c) + 1;

	sip_call_set_user(c, (void *)n);
	if ((mode & 8) && n == 2)
		sip_call_hangup(c, 16);
}

static void ev_incoming(void *arg, struct sip_call *c, const struct sip_invite_info *inv)
{
	struct sip_sdp_media ans;
	int have = inv->has_sdp && sip_sdp_negotiate(&inv->offer, &ours, &ans) == 0;

	switch (mode >> 1 & 3) {
	case 0:
		sip_call_respond(c, 180, NULL, -1);
		sip_call_respond(c, 200, have ? &ans : &ours, -1);
		break;
	case 1:
		sip_call_respond(c, 486, NULL, 17);
		return;
	case 2:
		sip_call_respond(c, 183, have ? &ans : &ours, -1);
		break;
	default:
		break;
	}
	second_event(c);
}

static void ev_progress(void *arg, struct sip_call *c, int code, const struct sip_sdp_media *sdp)
{
	second_event(c);
}

static void ev_answered(void *arg, struct sip_call *c, const struct sip_sdp_media *sdp)
{
	second_event(c);
}

static void ev_failed(void *arg, struct sip_call *c, int code, int q850)
{
}

static void ev_confirmed(void *arg, struct sip_call *c)
{
	second_event(c);
}

static void ev_terminated(void *arg, struct sip_call *c, int q850, enum sip_end why)
{
}

static int ev_options(void *arg, const char *src_addr)
{
	return mode & 16 ? 503 : 200;
}

static const struct sip_events events = {
	ev_incoming, ev_progress, ev_answered, ev_failed, ev_confirmed, ev_terminated,
};

static struct loop *loop;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	dump = getenv("FUZZ_SIP_UA_DUMP") != NULL;
	log_open("fuzz", dump, 0);
	log_set_level(LOG_LVL_DEBUG);
	fuzz_osip_quiet();
	if (loop_new(&loop))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sip_ua_params p = { .address = "127.0.0.1", .port = 0, .user_agent = "fuzz" };
	struct sip_ua *ua = NULL;
	struct sip_call *out = NULL;
	size_t off = 1;

	if (size < 1)
		return 0;
	mode = data[0];
	const struct sip_addr src = { .host = "192.0.2.9", .port = 5060, .kind = SIP_TP_UDP };

	if (sip_ua_new(loop, &p, &events, NULL, &ua))
		abort();
	sip_ua_use_transport(ua, &fuzz_tp);
	sip_ua_set_policy(ua, &(struct sip_policy){ .options_status = ev_options });
	if (sip_ua_start(ua))
		abort();
	ua->src = src;
	if (mode & 1)
		sip_call_invite(ua, "sip:+4930123@192.0.2.9", "<sip:+4940999@192.0.2.1>",
				"<sip:+4930123@192.0.2.9>", "192.0.2.9", 5060, &ours, NULL, &out);
	sip_ua_kick(ua);
	while (off < size) {
		const uint8_t *end = NULL;
		size_t n;

		for (size_t i = off; i + 1 < size; i++)
			if (!data[i] && !data[i + 1]) {
				end = data + i;
				break;
			}
		n = end ? (size_t)(end - (data + off)) : size - off;
		if (n && n <= SIP_MAX_DGRAM) {
			memcpy(rxbuf, data + off, n);
			rxbuf[n] = '\0';
			sip_ua_receive(ua, rxbuf, n, &src);
			sip_ua_kick(ua);
		}
		off += n + 2;
	}
	sip_ua_free(ua);
	return 0;
}

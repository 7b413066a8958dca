/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_virt_media: what a hostile line can send on a virtual span's media
 * socket (../shared/virt-span.md): 'F' frames, 'E' events and anything
 * else, read by tdm/virt_media.c. The harness is the line: it connects to
 * DIR/media as a SOCK_SEQPACKET client, reads the 'C', sends the input's
 * messages and runs the media loop; the callbacks touch every byte they
 * are given, so ASan sees a chunk that lies outside the frame.
 * Input: byte 0 picks the span (E1 A-law 20 ms or T1 mu-law 10 ms), then
 * messages, each a 16-bit big-endian length L and the bytes: L without its
 * top bit is the message length; with the top bit set at most 16 bytes are
 * taken from the input and the rest is filled with 0x55 (so a full-size
 * frame costs the fuzzer a few bytes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "tdm/tdm.h"

#define NSPANS 2

static struct loop *loop;
static struct {
	struct tdm_span *s;	/* the control half the media half reports to */
	struct tdm_media *m;
	char path[300];
	int fd;			/* the line's end, -1 when not connected */
	int nslots;
	size_t chunk;
} spans[NSPANS];
static unsigned sink;
static uint8_t msg[65536];

static void ev_rx(void *arg, int chan, const uint8_t *g711, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink += g711[i];
	sink += (unsigned)chan;
}

static void ev_tx(void *arg, int chan, uint8_t *g711, size_t n)
{
	memset(g711, chan, n);
}

static void ev_line(void *arg, int chan, int code, int value)
{
	sink += (unsigned)(chan + code + value);
}

static const struct tdm_media_events events = { .rx = ev_rx, .tx = ev_tx, .line = ev_line };
static const struct tdm_span_events span_events = { 0 };
static char tmpl[] = "/tmp/sgfuzz.XXXXXX";

/* libFuzzer ends with exit(): leave no sockets or directories behind. */
static void cleanup(void)
{
	char d[sizeof(tmpl) + 16];

	for (int i = 0; i < NSPANS; i++) {
		tdm_media_free(spans[i].m);	/* unlinks DIR/media */
		tdm_span_free(spans[i].s);
		snprintf(d, sizeof(d), "%s/span%d", tmpl, i + 1);
		rmdir(d);
	}
	rmdir(tmpl);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	log_open("fuzz", 0, 0);
	log_set_level(LOG_LVL_DEBUG);
	if (!mkdtemp(tmpl) || loop_new(&loop))
		abort();
	for (int i = 0; i < NSPANS; i++) {
		struct cfg_span cfg;

		memset(&cfg, 0, sizeof(cfg));
		cfg.id = i + 1;
		cfg.driver = CFG_DRIVER_VIRT;
		cfg.type = i ? CFG_SPAN_T1 : CFG_SPAN_E1;
		cfg.law = i ? CFG_LAW_ULAW : CFG_LAW_ALAW;
		cfg.switchtype = i ? CFG_SWITCH_NI2 : CFG_SWITCH_EUROISDN_E1;
		cfg.channels = i ? 0x00FFFFFEu : 0xFFFEFFFEu;
		cfg.dchannel = i ? 24 : 16;
		cfg.chunk_ms = i ? 10 : 20;
		snprintf(cfg.directory, sizeof(cfg.directory), "%s/span%d", tmpl, i + 1);
		snprintf(spans[i].path, sizeof(spans[i].path), "%s/media", cfg.directory);
		spans[i].fd = -1;
		spans[i].nslots = i ? 24 : 31;
		spans[i].chunk = (size_t)cfg.chunk_ms * 8;
		if (tdm_span_new(loop, &cfg, &span_events, NULL, &spans[i].s) ||
		    tdm_media_new(loop, spans[i].s, &events, NULL, &spans[i].m) ||
		    tdm_media_start(spans[i].m))
			abort();
	}
	atexit(cleanup);
	return 0;
}

static void drain(int fd)
{
	while (recv(fd, msg, sizeof(msg), MSG_DONTWAIT) > 0)
		;
}

/* Connect as the line and read the 'C'. */
static int line_connect(int i)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct tdm_media_stats st;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", spans[i].path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	for (int k = 0; k < 100; k++) {
		loop_run_once(loop, 10);
		tdm_media_stats(spans[i].m, &st);
		if (st.connected)
			break;
	}
	if (recv(fd, msg, sizeof(msg), 0) != 14 || msg[0] != 'C')
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdm_media_stats st;
	size_t off = 1;
	int i;

	if (size < 1)
		return 0;
	i = data[0] % NSPANS;
	if (spans[i].fd < 0)
		spans[i].fd = line_connect(i);
	while (off + 2 <= size && spans[i].fd >= 0) {
		size_t l = (size_t)data[off] << 8 | data[off + 1], take;
		int fill = l & 0x8000;

		off += 2;
		l &= 0x7fff;
		take = fill && l > 16 ? 16 : l;
		if (take > size - off)
			take = size - off;
		if (fill)
			memset(msg, 0x55, l);
		else
			l = take;
		memcpy(msg, data + off, take);
		off += take;
		if (send(spans[i].fd, msg, l, MSG_NOSIGNAL) < 0 && errno != EPIPE)
			abort();
		/* the media worker reads it (and answers an 'F') */
		loop_run_once(loop, 0);
		drain(spans[i].fd);
		tdm_media_stats(spans[i].m, &st);
		if (!st.connected) {
			/* it dropped the line: a new connection next time */
			close(spans[i].fd);
			spans[i].fd = -1;
		}
	}
	return 0;
}

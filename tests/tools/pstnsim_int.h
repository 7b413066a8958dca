/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pstnsim's insides, shared by pstnsim.c (sockets, clock, commands),
 * pstnsim_isdn.c (libpri, calls, the D-channel capture) and pstnsim_dahdi.c
 * (a real DAHDI span instead of the sockets). One process, one
 * span: the state is one global.
 */
#ifndef SIPGW_TESTS_PSTNSIM_INT_H
#define SIPGW_TESTS_PSTNSIM_INT_H

#include <stdint.h>
#include <stdio.h>

#include <libpri.h>

#include "lib/loop.h"
#include "tests/tools/pstnsim.h"

#define MSG_MAX 16384
#define HDR 8
#define RETRY_MS 100

enum autoact { AUTO_NONE, AUTO_ANSWER, AUTO_ALERT, AUTO_BUSY };

struct call {
	int id;
	q931_call *c;
	int chan;
	int incoming;
	int acked;		/* incoming: PROCEEDING/ALERTING/CONNECT sent */
	int cref;		/* incoming: the gateway's call reference */
	int clearing;		/* we sent DISCONNECT/RELEASE */
	/* a call of the load generator (pstnsim_load.c): no per-call events */
	int load;
	int cause;		/* the last cause heard on it (0: none) */
	uint64_t t_setup, t_connect, t_clear;	/* CLOCK_MONOTONIC, us */
	struct sim_audio *audio;
	struct call *next;
};

struct linebuf {
	int fd;
	size_t len;
	char buf[4096];
};

struct sim {
	const char *dir, *cmd_path, *pcap_path;
	int nodetype, switchtype, bri_ptmp, debug;
	enum autoact autoact;
	int refuse_chan, refuse_cause;	/* "refuse": SETUPs for that channel cleared */
	struct loop *loop;

	int media_fd, dchan_fd;
	int want_link;		/* 0 after "drop" */
	int broken;		/* a socket failed inside a libpri callback */
	int have_config, slots, chunk, alaw, kind, dchan_slot;
	int dahdi_base;		/* --dahdi: DAHDI channel of timeslot 1, else 0 */
	int clock_fd, frames_stopped;
	uint32_t seq, rx_seq;
	int rx_any;
	uint8_t txbuf[MSG_MAX], rxbuf[MSG_MAX + 1];
	uint64_t frames_tx, frames_rx, slips, bad;

	struct pri *pri;
	struct loop_timer *pri_timer, *retry_timer, *quit_timer;
	int dchan_up, ready, link_up_pending;
	char on_up[512];	/* --on-up / onup: a command for the next layer 2 up */

	struct call *calls;
	int next_id;
	struct clearing_seen { int valid, cref, msgtype, cause; } peek, txpeek;
	FILE *pcap;
	struct linebuf in, fifo;
	int fifo_wfd, sig_fd, quitting, exit_code;
	struct sim_load *load;	/* the paced call generator, NULL when idle */
};

extern struct sim S;

/* pstnsim.c */
/* One "EVENT ..." line on stdout. */
void event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A socket failed or closed: close both, clear calls, reconnect. */
void link_lost(const char *why);
/* One command line, as from stdin or the FIFO (modified in place). */
void sim_command(char *line);

/* pstnsim_dahdi.c (--dahdi): a real DAHDI span instead of the sockets */
void sim_dahdi_init(void);
int sim_dahdi_connect(void);	/* open the D-channel: 0 or errno (retry) */
void sim_dahdi_close(void);	/* close every channel of the span */
void sim_dahdi_sync(void);	/* open B-channels in a call, close the rest */
int sim_dahdi_dread(void *buf, int buflen);	/* libpri's read: bytes or 0 */
int sim_dahdi_dwrite(const void *buf, int buflen); /* 1 if sent */

/* pstnsim.c: our SETUP on CHAN (-1: a free one); the call, or NULL with
 * *why set. */
struct call *place_call(const char *called, int cton, const char *calling, int gton,
			int restricted, int cap, int chan, const char **why);

/* pstnsim_load.c: the paced call generator ("load" command) */
void sim_load_cmd(char **argv, int argc);
void sim_load_connected(struct call *c);	/* CONNECT on a load call */
void sim_load_freed(struct call *c);		/* a load call is gone */
uint64_t sim_now_us(void);

/* pstnsim_isdn.c */
int pcap_open(const char *path);
void pri_message_cb(struct pri *pri, char *s);
void pri_error_cb(struct pri *pri, char *s);
void after_pri(void);
void pri_timer_fired(void *arg);
void dchan_readable(int fd, uint32_t events, void *arg);
int pri_create(void);
/* Layer 2 (re)established or found up on reconnect: events, then on_up. */
void l2_came_up(void);
/* The D-channel connected with our layer 2 down: a new libpri link, whose
 * SABME goes out at once (as a switch that starts layer 2 on layer 1
 * activation). 0 or errno. */
int pri_fresh(void);
struct call *call_by_id(int id);
int ncalls(void);
struct call *call_new(q931_call *q, int chan, int incoming);
void call_free(struct call *c);
int chan_valid(int chan);
int chan_free(void);
int ton_parse(const char *s);
void call_hangup(struct call *c, int cause);	/* may free c */
void calls_lost(void);

#endif

/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pstnsim's paced call generator, for the setup-rate benchmark
 * (bench/setup-rate):
 *
 *   load RATE COUNT HOLD_MS [called=NUM] [calling=NUM] [timeout=MS] [out=FILE]
 *
 * places COUNT calls (Q.931 SETUP, called number national, default
 * 30123456) at RATE calls per second (a fraction is fine: 62.5), each on a
 * free B-channel of its own; a call the gateway answers (CONNECT) is held
 * HOLD_MS and cleared with DISCONNECT cause 16. A call not answered within
 * timeout= ms (default 10000) is cleared as well (cause 102, recovery on
 * timer expiry) and counts as failed. Pacing catches up as SIPp's does:
 * after t seconds, RATE * t calls have been offered; a call that finds no
 * free B-channel is offered all the same and counts as failed (nochan).
 * The generator's calls print no per-call events. At the end (every call
 * gone, or 5 s past the last call's deadline) one line:
 *
 *   EVENT LOAD attempted= completed= failed= nochan= timeout= dropped=
 *        stuck= lat_avg= lat_p50= lat_p95= lat_max= clear_avg= elapsed=
 *        causes=CAUSE:N,...
 *
 * completed: answered, held, cleared by us and released by the gateway;
 * dropped: answered, then cleared by the gateway before the hold ended;
 * failed: all the others (nochan, timeout and dropped included);
 * stuck: still there at the end (counted failed; cleared locally);
 * lat: SETUP sent to CONNECT received, ms (completed and dropped calls);
 * clear: our DISCONNECT to the call being released, ms; causes: of the
 * failed calls that heard one. out=FILE writes each setup latency (ms, one
 * a line) for percentiles across several pstnsims. "load stop" ends a run
 * early (it reports as at the end). Independent of the gateway's code: it
 * only speaks Q.931 through libpri.
 */
#include "tests/tools/pstnsim_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"

#define TICK_MS 5
#define NCAUSE 128

enum { LOAD_ACTIVE = 1, LOAD_HUNGUP = 2, LOAD_GAVEUP = 3 };

struct sim_load {
	double rate;
	int count, hold_ms, timeout_ms;
	char called[64], calling[64];
	char *out_path;
	uint64_t t0, t_last;	/* start; last call offered (us) */
	int offered, active;
	int completed, nochan, timeouts, dropped, other;
	int causes[NCAUSE];
	double *lat;		/* setup latencies, ms */
	int nlat;
	double clear_sum;
	int nclear;
	struct loop_timer *tick;
};

uint64_t sim_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *kv(char **argv, int argc, const char *key)
{
	size_t k = strlen(key);

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, k) && argv[i][k] == '=')
			return argv[i] + k + 1;
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(const double *v, int n, double p)
{
	if (!n)
		return 0;
	int i = (int)(p * (n - 1) + 0.5);
	return v[i];
}

static void load_report(void)
{
	struct sim_load *L = S.load;
	int stuck = 0, failed;
	double sum = 0;
	char causes[512] = "";
	size_t len = 0;

	/* Whatever is left is stuck: count it and forget it here. */
	for (struct call *c = S.calls, *next; c; c = next) {
		next = c->next;
		if (!c->load)
			continue;
		stuck++;
		c->load = 0;	/* not counted again by call_free */
		if (S.pri)
			pri_destroycall(S.pri, c->c);
		call_free(c);
	}
	L->active = 0;
	failed = L->offered - L->completed;
	qsort(L->lat, L->nlat, sizeof(*L->lat), cmp_double);
	for (int i = 0; i < L->nlat; i++)
		sum += L->lat[i];
	for (int i = 1; i < NCAUSE; i++)
		if (L->causes[i] && len < sizeof(causes) - 16)
			len += snprintf(causes + len, sizeof(causes) - len, "%s%d:%d",
					len ? "," : "", i, L->causes[i]);
	if (L->out_path) {
		FILE *f = fopen(L->out_path, "w");
		if (f) {
			for (int i = 0; i < L->nlat; i++)
				fprintf(f, "%.3f\n", L->lat[i]);
			fclose(f);
		} else {
			log_err(LOG_GEN, "load: %s: %s", L->out_path, strerror(errno));
		}
	}
	event("LOAD attempted=%d completed=%d failed=%d nochan=%d timeout=%d dropped=%d stuck=%d "
	      "lat_avg=%.1f lat_p50=%.1f lat_p95=%.1f lat_max=%.1f clear_avg=%.1f elapsed=%.0f "
	      "causes=%s",
	      L->offered, L->completed, failed, L->nochan, L->timeouts, L->dropped, stuck,
	      L->nlat ? sum / L->nlat : 0, pct(L->lat, L->nlat, 0.5), pct(L->lat, L->nlat, 0.95),
	      L->nlat ? L->lat[L->nlat - 1] : 0, L->nclear ? L->clear_sum / L->nclear : 0,
	      (double)(sim_now_us() - L->t0) / 1000.0, len ? causes : "-");
	loop_timer_free(L->tick);
	free(L->lat);
	free(L->out_path);
	free(L);
	S.load = NULL;
}

static void offer_one(void)
{
	struct sim_load *L = S.load;
	const char *why = NULL;
	struct call *c;

	L->offered++;
	L->t_last = sim_now_us();
	c = place_call(L->called, 2, L->calling[0] ? L->calling : NULL, 2, 0,
		       PRI_TRANS_CAP_SPEECH, -1, &why);
	if (!c) {
		if (!strcmp(why, "no free B-channel"))
			L->nochan++;
		else
			L->other++;
		log_debug(LOG_GEN, "load: call %d not placed: %s", L->offered, why);
		return;
	}
	c->load = LOAD_ACTIVE;
	L->active++;
}

static void load_tick(void *arg)
{
	struct sim_load *L = S.load;
	uint64_t now = sim_now_us();
	int want;

	(void)arg;
	/* Offer what the rate asks for by now (catching up after a late tick). */
	want = (int)((double)(now - L->t0) / 1e6 * L->rate) + 1;
	if (want > L->count)
		want = L->count;
	while (L->offered < want)
		offer_one();
	now = sim_now_us();
	for (struct call *c = S.calls, *next; c; c = next) {
		next = c->next;	/* call_hangup may free c */
		if (c->load != LOAD_ACTIVE || c->clearing)
			continue;
		if (c->t_connect && now >= c->t_connect + (uint64_t)L->hold_ms * 1000) {
			c->load = LOAD_HUNGUP;
			c->t_clear = now;
			call_hangup(c, PRI_CAUSE_NORMAL_CLEARING);
		} else if (!c->t_connect && now >= c->t_setup + (uint64_t)L->timeout_ms * 1000) {
			c->load = LOAD_GAVEUP;
			L->timeouts++;
			call_hangup(c, PRI_CAUSE_RECOVERY_ON_TIMER_EXPIRE);
		}
	}
	after_pri();
	if (!S.load)
		return;
	if (L->offered >= L->count &&
	    (!L->active ||
	     now > L->t_last + ((uint64_t)L->timeout_ms + L->hold_ms + 5000) * 1000)) {
		load_report();
		return;
	}
	loop_timer_start(L->tick, TICK_MS);
}

void sim_load_connected(struct call *c)
{
	struct sim_load *L = S.load;

	if (!L)
		return;
	c->t_connect = sim_now_us();
	if (L->nlat < L->count)
		L->lat[L->nlat++] = (double)(c->t_connect - c->t_setup) / 1000.0;
}

void sim_load_freed(struct call *c)
{
	struct sim_load *L = S.load;

	if (!L)
		return;
	L->active--;
	if (c->load == LOAD_HUNGUP) {
		L->completed++;
		L->clear_sum += (double)(sim_now_us() - c->t_clear) / 1000.0;
		L->nclear++;
		return;
	}
	if (c->t_connect)
		L->dropped++;
	if (c->cause > 0 && c->cause < NCAUSE)
		L->causes[c->cause]++;
}

void sim_load_cmd(char **argv, int argc)
{
	struct sim_load *L;
	const char *v;
	double rate;
	char *end;
	long count, hold, timeout = 10000;

	if (argc >= 2 && !strcmp(argv[1], "stop")) {
		if (S.load) {
			S.load->count = S.load->offered;
			load_report();
		}
		return;
	}
	if (S.load) {
		event("ERROR cmd=load msg=a_load_is_running");
		return;
	}
	if (argc < 4)
		goto usage;
	rate = strtod(argv[1], &end);
	if (*end || !(rate > 0 && rate <= 10000))
		goto usage;
	count = strtol(argv[2], &end, 10);
	if (*end || count < 1 || count > 1000000)
		goto usage;
	hold = strtol(argv[3], &end, 10);
	if (*end || hold < 0 || hold > 3600000)
		goto usage;
	if ((v = kv(argv, argc, "timeout"))) {
		timeout = strtol(v, &end, 10);
		if (*end || timeout < 1 || timeout > 600000)
			goto usage;
	}
	if (!S.pri || !S.dchan_up) {
		event("ERROR cmd=load msg=D-channel_down");
		return;
	}
	L = calloc(1, sizeof(*L));
	if (!L || !(L->lat = calloc((size_t)count, sizeof(*L->lat))) ||
	    loop_timer_new(S.loop, load_tick, NULL, &L->tick)) {
		if (L)
			free(L->lat);
		free(L);
		event("ERROR cmd=load msg=out_of_memory");
		return;
	}
	L->rate = rate;
	L->count = (int)count;
	L->hold_ms = (int)hold;
	L->timeout_ms = (int)timeout;
	snprintf(L->called, sizeof(L->called), "%s",
		 (v = kv(argv, argc, "called")) ? v : "30123456");
	snprintf(L->calling, sizeof(L->calling), "%s",
		 (v = kv(argv, argc, "calling")) ? v : "301111");
	if ((v = kv(argv, argc, "out")))
		L->out_path = strdup(v);
	L->t0 = sim_now_us();
	S.load = L;
	event("LOAD_START rate=%g count=%d hold=%d timeout=%d", rate, L->count, L->hold_ms,
	      L->timeout_ms);
	load_tick(NULL);
	return;
usage:
	event("ERROR cmd=load msg=usage:_load_RATE_COUNT_HOLD_MS_[called=NUM]_[calling=NUM]_"
	      "[timeout=MS]_[out=FILE]_|_load_stop");
}

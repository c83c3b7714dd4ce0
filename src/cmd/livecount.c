/* Kept state counts for serve and record; see livecount.h and
 * docs/monitoring.md ("Counts kept by the kernel"). */
#include "cmd/livecount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/statecount.h"

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

int cmd_live_open(struct cmd_live *l, const struct td_ctx *ctx, double reconcile_s)
{
	const char *force = getenv("TD_STATECOUNT");
	struct td_err err = { 0 };

	memset(l, 0, sizeof(*l));
	l->reconcile_s = reconcile_s;
	if (reconcile_s <= 0 && !(force && !strcmp(force, "bpf"))) {
		snprintf(l->why, sizeof(l->why), "no --reconcile");
	} else if (force && !strcmp(force, "walk")) {
		snprintf(l->why, sizeof(l->why), "TD_STATECOUNT=walk");
	} else if (ctx->all_netns) {
		snprintf(l->why, sizeof(l->why), "--all-netns samples each namespace afresh");
	} else if (ctx->source.kind != TD_SRC_AUTO && ctx->source.kind != TD_SRC_BPF) {
		snprintf(l->why, sizeof(l->why), "--source %s", td_source_name(ctx->source.kind));
	} else if (td_statecount_open(&l->sc, 0, &err) < 0) {
		if (force && !strcmp(force, "bpf"))
			return cmd_fail(TD_EXIT_FAILED, "%s", err.msg), -1;
		snprintf(l->why, sizeof(l->why), "%s", err.msg);
	}
	if (l->sc) {
		struct td_statecount_stats st;

		td_statecount_stats(l->sc, &st);
		if (st.rest_why[0])
			fprintf(stderr,
				"tcpdoctor: timewait and request sockets by a dump per sample "
				"(%s)\n",
				st.rest_why);
	}
	clock_gettime(CLOCK_MONOTONIC, &l->last);
	if (!l->sc && (reconcile_s > 0 || force))
		fprintf(stderr, "tcpdoctor: state counts by a walk per sample (%s)\n", l->why);
	return 0;
}

static int count_states(void *ctx, int family, uint64_t fam_counts[2][TD_STATE_MAX + 1],
			struct td_err *err)
{
	struct cmd_live *l = ctx;

	/* The kernel skipped a hook (nested on one CPU) since the counts were
	 * last walked: they may be off, so walk before answering. */
	for (int i = 0; i < 3 && td_statecount_dirty(l->sc); i++) {
		l->repairs++;
		cmd_live_reconcile(l);
	}
	return td_statecount_get(l->sc, family, fam_counts, err);
}

void cmd_live_use(struct cmd_live *l, struct td_sample_opts *so)
{
	if (!l->sc)
		return;
	so->count_states = count_states;
	so->count_ctx = l;
	so->count_source = "bpf";
}

bool cmd_live_due(const struct cmd_live *l)
{
	return l->sc && l->reconcile_s > 0 && since(&l->last) >= l->reconcile_s;
}

void cmd_live_reconcile(struct cmd_live *l)
{
	struct td_err err = { 0 };
	uint64_t drift;

	if (!l->sc)
		return;
	clock_gettime(CLOCK_MONOTONIC, &l->last);
	if (td_statecount_reconcile(l->sc, &drift, &err) < 0) {
		l->errors++;
		fprintf(stderr, "tcpdoctor: reconciling the state counts: %s\n", err.msg);
	} else if (drift) {
		struct td_statecount_stats st;
		char line[512];
		size_t n = 0;

		td_statecount_stats(l->sc, &st);
		/* A drift after skipped hooks is what the walk is for: not told. */
		if (!st.last_drift)
			return;
		line[0] = '\0';
		for (int f = 0; f < 2; f++)
			for (int s = 1; s <= TD_STATE_MAX && n < sizeof(line) - 40; s++)
				if (st.last_diff[f][s])
					n += (size_t)snprintf(line + n, sizeof(line) - n,
							      " %s%s %+lld", td_state_name(s),
							      f ? "/ipv6" : "",
							      (long long)st.last_diff[f][s]);
		fprintf(stderr,
			"tcpdoctor: the kept state counts had drifted by %llu with no skipped hook "
			"to "
			"explain it:%s (%llu changes missed so far)\n",
			(unsigned long long)drift, line, (unsigned long long)st.missed);
	}
}

void cmd_live_metrics(const struct cmd_live *l, struct td_mbuf *b)
{
	struct td_statecount_stats st;

	td_mbuf_printf(b,
		       "# HELP tcpdoctor_state_source How the socket counts by state are kept: "
		       "bpf (the kernel keeps them current from tracepoints, a scrape reads "
		       "them) or walk (every sample walks the sockets).\n"
		       "# TYPE tcpdoctor_state_source gauge\n"
		       "tcpdoctor_state_source{mode=\"bpf\"} %d\n"
		       "tcpdoctor_state_source{mode=\"walk\"} %d\n",
		       l->sc != NULL, l->sc == NULL);
	if (!l->sc)
		return;
	td_statecount_stats(l->sc, &st);
	td_mbuf_printf(b,
		       "# HELP tcpdoctor_state_drift Sockets by which the kept counts differed "
		       "from the last reconciliation walk, summed over states and families, "
		       "when the kernel had skipped no hook since the counts were walked "
		       "(expected 0).\n"
		       "# TYPE tcpdoctor_state_drift gauge\n"
		       "tcpdoctor_state_drift %llu\n"
		       "# HELP tcpdoctor_state_drift_total Sum of that drift over every "
		       "reconciliation (expected 0).\n"
		       "# TYPE tcpdoctor_state_drift_total counter\n"
		       "tcpdoctor_state_drift_total %llu\n"
		       "# HELP tcpdoctor_state_drift_missed_total Sockets the walks corrected "
		       "after the kernel skipped hooks (tcpdoctor_state_missed_total).\n"
		       "# TYPE tcpdoctor_state_drift_missed_total counter\n"
		       "tcpdoctor_state_drift_missed_total %llu\n"
		       "# HELP tcpdoctor_state_repairs_total Walks a scrape did before answering "
		       "because the kernel had skipped a hook since the last walk (or the "
		       "timewait set needed room).\n"
		       "# TYPE tcpdoctor_state_repairs_total counter\n"
		       "tcpdoctor_state_repairs_total %llu\n"
		       "# HELP tcpdoctor_state_reconciles_total Reconciliation walks done "
		       "(--reconcile), and failed.\n"
		       "# TYPE tcpdoctor_state_reconciles_total counter\n"
		       "tcpdoctor_state_reconciles_total{result=\"ok\"} %llu\n"
		       "tcpdoctor_state_reconciles_total{result=\"error\"} %llu\n"
		       "# HELP tcpdoctor_state_missed_total State changes the kernel did not "
		       "pass to the counting hook (it skips a hook nested in itself on one CPU); "
		       "the next scrape walks the sockets before answering.\n"
		       "# TYPE tcpdoctor_state_missed_total counter\n"
		       "tcpdoctor_state_missed_total %llu\n"
		       "# HELP tcpdoctor_state_walk_seconds How long the last seeding or "
		       "reconciliation walk took.\n"
		       "# TYPE tcpdoctor_state_walk_seconds gauge\n"
		       "tcpdoctor_state_walk_seconds %.6f\n",
		       (unsigned long long)st.last_drift, (unsigned long long)st.drift_total,
		       (unsigned long long)st.drift_missed_total, (unsigned long long)l->repairs,
		       (unsigned long long)st.reconciles, (unsigned long long)l->errors,
		       (unsigned long long)st.missed, st.last_walk_seconds);
	td_mbuf_printf(b,
		       "# HELP tcpdoctor_state_rest_source How the last scrape counted timewait "
		       "and request sockets (no tracepoint follows them): lookup (the timewait "
		       "addresses the hooks noted, looked up one by one, and the listeners' SYN "
		       "queues) or dump (a netlink dump of those states, a walk of the table).\n"
		       "# TYPE tcpdoctor_state_rest_source gauge\n"
		       "tcpdoctor_state_rest_source{mode=\"lookup\"} %d\n"
		       "tcpdoctor_state_rest_source{mode=\"dump\"} %d\n"
		       "# HELP tcpdoctor_state_timewait_noted Timewait sockets the last scrape "
		       "found by looking their noted addresses up.\n"
		       "# TYPE tcpdoctor_state_timewait_noted gauge\n"
		       "tcpdoctor_state_timewait_noted %llu\n"
		       "# HELP tcpdoctor_state_timewait_lost_total Closes whose address could "
		       "not be noted (the map was full): the scrapes dump until the next "
		       "reconciliation notes every timewait socket again.\n"
		       "# TYPE tcpdoctor_state_timewait_lost_total counter\n"
		       "tcpdoctor_state_timewait_lost_total %llu\n"
		       "# HELP tcpdoctor_state_timewait_capacity Entries of the set of noted "
		       "timewait addresses (a walk replaces it when half full).\n"
		       "# TYPE tcpdoctor_state_timewait_capacity gauge\n"
		       "tcpdoctor_state_timewait_capacity %llu\n",
		       st.rest_lookup, !st.rest_lookup, (unsigned long long)st.tw_noted,
		       (unsigned long long)st.tw_overflow, (unsigned long long)st.tw_capacity);
}

void cmd_live_note(const struct cmd_live *l, char *buf, size_t len)
{
	struct td_statecount_stats st;

	buf[0] = '\0';
	if (!l->sc)
		return;
	td_statecount_stats(l->sc, &st);
	if (st.reconciles)
		snprintf(buf, len, ", drift %llu", (unsigned long long)st.last_drift);
}

void cmd_live_close(struct cmd_live *l)
{
	td_statecount_close(l->sc);
	l->sc = NULL;
}

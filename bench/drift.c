/* Reconciliations of the kept state counts (bpf/statecount) in a loop:
 * opens them in the current network namespace, reconciles N times every
 * INTERVAL seconds, and prints one line per reconciliation that found a
 * drift (by state and family, and whether hooks the kernel skipped explain
 * it), then a total; exit status 1 if any drift is unexplained. The churn is someone else's
 * (bench/churn, tests/e2e/test_serve_counts.sh's actor).
 * Usage: drift [-n N] [-i SECONDS]. Needs root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf/statecount.h"

int main(int argc, char **argv)
{
	struct td_statecount *sc;
	struct td_err err = { 0 };
	double interval = 0.2;
	long n = 100, drifted = 0, unexplained = 0;
	uint64_t total = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = atol(argv[++i]);
		} else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
			interval = atof(argv[++i]);
		} else {
			fprintf(stderr, "usage: drift [-n N] [-i SECONDS]\n");
			return 2;
		}
	}
	if (td_statecount_open(&sc, 0, &err) < 0) {
		fprintf(stderr, "drift: %s\n", err.msg);
		return 1;
	}
	for (long r = 0; r < n; r++) {
		struct timespec ts = { (time_t)interval,
				       (long)((interval - (double)(time_t)interval) * 1e9) };
		struct td_statecount_stats st;
		uint64_t d;

		nanosleep(&ts, NULL);
		if (td_statecount_reconcile(sc, &d, &err) < 0) {
			fprintf(stderr, "drift: reconcile %ld: %s\n", r, err.msg);
			continue;
		}
		if (!d)
			continue;
		drifted++;
		total += d;
		td_statecount_stats(sc, &st);
		unexplained += st.last_drift != 0;
		printf("reconcile %ld: drift %llu:", r, (unsigned long long)d);
		for (int f = 0; f < 2; f++)
			for (int s = 1; s <= TD_STATE_MAX; s++)
				if (st.last_diff[f][s])
					printf(" %s%s %+lld", td_state_name(s), f ? "/6" : "",
					       (long long)st.last_diff[f][s]);
		printf(" (%s; %llu hooks skipped so far)\n",
		       st.last_drift ? "UNEXPLAINED" : "after skipped hooks",
		       (unsigned long long)st.missed);
		fflush(stdout);
	}
	printf("reconciles %ld, with a drift %ld (unexplained %ld), drift total %llu\n", n, drifted,
	       unexplained, (unsigned long long)total);
	td_statecount_close(sc);
	return unexplained ? 1 : 0;
}

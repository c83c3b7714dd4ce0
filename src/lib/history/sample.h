/* One sample of a namespace, as `serve` and `record` take it: state counts
 * (td_source_count: the BPF iterator when it pays, netlink otherwise), the
 * aggregated snapshot with owners, kernel counters, and the findings of the
 * check rules, with rates over the time since the previous sample. */
#ifndef TD_SAMPLE_H
#define TD_SAMPLE_H

#include <stdbool.h>
#include <time.h>

#include "sockets/agg.h"
#include "diagnose/counters.h"
#include "diagnose/rules.h"
#include "sockets/snapshot.h"
#include "sockets/source.h"

struct td_sample_opts {
	struct td_source source; /* a copy: td_source records what it used */
	int family;		 /* AF_INET, AF_INET6 or 0 */
	const struct td_thresholds *th;
	enum td_profile profile;
	/* The previous sample's snapshot (td_snapshot_keep_marks), or NULL:
	 * closing states and queues count when they persist from it. */
	const struct td_snapshot *prev_snap;
	/* State counts from here instead of td_source_count() (counts the
	 * kernel keeps current, cmd/livecount.c), NULL: a walk. Fills fam_counts
	 * ([0] IPv4, [1] IPv6) for family (0 both); 0 or a negative error with
	 * err set. count_source names it in s->source ("bpf"). */
	int (*count_states)(void *ctx, int family, uint64_t fam_counts[2][TD_STATE_MAX + 1],
			    struct td_err *err);
	void *count_ctx;
	const char *count_source;
	/* Leave out what needs every socket (owners, the full snapshot, the
	 * rules): counters, states and the listeners (a LISTEN-only dump,
	 * which the kernel answers from the listening hash alone). */
	bool light;
};

struct td_sample {
	struct timespec wall; /* CLOCK_REALTIME when the sample started */
	double seconds;	      /* how long taking it took */
	bool have_states, have_snap, have_counters, rules_ran;
	struct td_agg agg; /* by state and family */
	struct td_owners *owners;
	struct td_snapshot snap;
	struct td_counters counters;
	double rate_window; /* seconds the rate rules looked at (0: none) */
	struct td_findings findings;
	char source[16]; /* what counted the states */
	int errors;	 /* parts that could not be read */
	char error[600]; /* the first one's message */
};

/* Take a sample. prev (may be NULL) is the previous sample's counters: the
 * rate rules use them when both reads worked. Parts that fail are counted
 * in s->errors (the first message in s->error) and left out; returns
 * -ENOMEM only. Free with td_sample_free() in any case. */
int td_sample_take(struct td_sample *s, const struct td_sample_opts *o,
		   const struct td_counters *prev);
void td_sample_free(struct td_sample *s);

#endif

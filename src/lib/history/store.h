/* The sample store of `record` and `history`: one SQLite file (WAL mode),
 * one transaction per sample, the schema versioned by PRAGMA user_version
 * and upgraded by a table of migrations, old samples pruned on the fly.
 * Also the time and duration parsing both commands share. */
#ifndef TD_STORE_H
#define TD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "diagnose/rules.h"
#include "state.h"

/* Schema version this build writes (PRAGMA user_version). */
#define TD_STORE_SCHEMA 1

struct td_store;

/* Open (creating, and migrating to TD_STORE_SCHEMA, unless readonly) the
 * database at path. A file written by a newer tcpdoctor (user_version above
 * TD_STORE_SCHEMA) is refused with -TD_EUNSUPP; a file that is not SQLite
 * with -TD_EPARSE; a missing file (readonly) with -TD_ENOTFOUND. */
int td_store_open(struct td_store **st, const char *path, bool readonly, struct td_err *err);
void td_store_close(struct td_store *st);
/* PRAGMA user_version of the open file. */
int td_store_schema(struct td_store *st);

/* One group row: sockets in state grouped by "port" or "process". */
struct td_store_group {
	uint8_t state;
	char by[8];
	char key[32];
	uint64_t count;
};

/* One kernel counter: value now, and change since the previous sample. */
struct td_store_counter {
	char name[96]; /* "TcpExt.ListenOverflows" */
	int64_t value;
	int64_t delta;
	bool has_delta; /* false on the first sample (no previous one) */
};

/* A finding as stored (strings copied, so it outlives the rule run). */
struct td_store_finding {
	char rule[40];
	char severity[12];
	char summary[240];
	uint64_t count;
	double rate;
	uint16_t port;
	uint32_t pid;
	char comm[16];
	char peer[80];
};

struct td_store_sample {
	int64_t id;	   /* filled by insert / by the queries */
	int64_t ts_ms;	   /* wall clock, ms since the epoch (UTC) */
	double interval_s; /* since the previous sample (0: first) */
	char source[16];   /* "netlink", "bpf", "proc" */
	char netns[64];	   /* --netns as given, "" for the caller's */
	uint64_t total;
	uint64_t states[2][TD_STATE_MAX + 1]; /* [0] IPv4, [1] IPv6 */
	/* For insert only (the queries leave them 0/NULL). */
	size_t ngroups, ncounters, nfindings;
	const struct td_store_group *groups;
	const struct td_store_counter *counters;
	const struct td_store_finding *findings;
};

/* Insert s in one transaction, and in the same transaction delete the
 * samples older than prune_before_ms (0: keep everything). s->id is set.
 * *pruned (may be NULL) receives how many samples were deleted. */
int td_store_insert(struct td_store *st, struct td_store_sample *s, int64_t prune_before_ms,
		    int64_t *pruned, struct td_err *err);

/* The last sample taken at or before ts_ms (states filled, lists empty);
 * -TD_ENOTFOUND when there is none. */
int td_store_sample_at(struct td_store *st, int64_t ts_ms, struct td_store_sample *out,
		       struct td_err *err);

/* Each sample with from_ms <= ts <= to_ms, oldest first. cb returns 0 to go
 * on, non-zero to stop (returned). */
typedef int (*td_store_sample_cb)(const struct td_store_sample *s, void *ctx);
int td_store_samples(struct td_store *st, int64_t from_ms, int64_t to_ms, td_store_sample_cb cb,
		     void *ctx, struct td_err *err);

typedef int (*td_store_group_cb)(const struct td_store_group *g, void *ctx);
int td_store_groups(struct td_store *st, int64_t sample, td_store_group_cb cb, void *ctx,
		    struct td_err *err);
typedef int (*td_store_counter_cb)(const struct td_store_counter *c, void *ctx);
int td_store_counters(struct td_store *st, int64_t sample, td_store_counter_cb cb, void *ctx,
		      struct td_err *err);

/* Findings of one sample (sample >= 0), or of every sample in [from, to]
 * (sample < 0), optionally only rule's (NULL: all); ts_ms is the sample's. */
typedef int (*td_store_finding_cb)(int64_t ts_ms, const struct td_store_finding *f, void *ctx);
int td_store_findings(struct td_store *st, int64_t sample, const char *rule, int64_t from_ms,
		      int64_t to_ms, td_store_finding_cb cb, void *ctx, struct td_err *err);

/* A series over [from, to], one point per sample, oldest first: a state's
 * count (name is a state: "CLOSE_WAIT", any spelling td_state_parse knows)
 * or a counter's delta ("TcpExt.ListenOverflows"; 0 in a sample that did
 * not store it). A counter the database never stored is -TD_ENOTFOUND. */
typedef int (*td_store_point_cb)(int64_t ts_ms, double value, void *ctx);
/* Every counter name the database holds, sorted: what --plot can draw
 * beside the states. */
int td_store_counter_names(struct td_store *st, void (*cb)(const char *name, void *ctx), void *ctx,
			   struct td_err *err);
int td_store_series(struct td_store *st, const char *name, int64_t from_ms, int64_t to_ms,
		    td_store_point_cb cb, void *ctx, struct td_err *err);

/* "10s", "5m", "2h", "7d", "1w", "250ms" (a plain number is seconds) ->
 * milliseconds (> 0). -TD_EPARSE otherwise. */
int td_parse_duration(const char *text, int64_t *ms, struct td_err *err);

/* A moment, in local time unless it says otherwise: "2026-11-26 03:00",
 * "2026-11-26 03:00:15", "2026-11-26T03:00", "2026-11-26" (midnight),
 * "03:00" (today), "@1700000000" (epoch seconds), "now", "-10m" or
 * "10m ago" (before now_ms). -> ms since the epoch. -TD_EPARSE otherwise. */
int td_parse_time(const char *text, int64_t now_ms, int64_t *ms, struct td_err *err);

#endif

/* `tcpdoctor record`: a sample every interval (state counts, top ports and
 * processes in TIME_WAIT/CLOSE_WAIT, counter deltas, findings) into an
 * SQLite file, pruned to --keep; `history` reads it back (sar's daily files). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/allnetns.h"
#include "cmd/livecount.h"
#include "cmd/commands.h"
#include "history/metrics.h"
#include "history/sample.h"
#include "history/store.h"
#include "sockets/netns.h"

static const char help[] =
	"usage: tcpdoctor record [--every DURATION] [--db FILE] [--keep DURATION] [--top N]\n"
	"                        [--count N] [--set RULE.THRESHOLD=VALUE]... [--profile P]\n"
	"                        [--reconcile S] [-v]\n"
	"\n"
	"Take a sample every interval into an SQLite database: sockets by state and\n"
	"family, TIME_WAIT/CLOSE_WAIT by port and process (top N), kernel counter\n"
	"deltas, and the findings of `check`. Read it with `tcpdoctor history`.\n"
	"\n"
	"  --every D      interval (default 10s; 500ms, 1m...)\n"
	"  --db FILE      database (default /var/lib/tcpdoctor/record.db as root,\n"
	"                 $XDG_STATE_HOME or ~/.local/state/tcpdoctor/record.db otherwise)\n"
	"  --keep D       delete samples older than D as new ones come (default 7d)\n"
	"  --top N        ports and processes kept per state and sample (default 10)\n"
	"  --count N      stop after N samples (default: until SIGINT/SIGTERM)\n"
	"  --set R.T=V    a check threshold, as `check --set`\n"
	"  --profile P    sysctl audit profile for the findings\n"
	"  --reconcile S  as root the kernel keeps the counts by state; a walk checks them\n"
	"                 every S seconds (default: off, every sample walks)\n"
	"  -v, --verbose  a line per sample on stderr\n"
	"Global: --netns NAME|PID|PATH, --all-netns (a sample per namespace and round,\n"
	"its name in the netns column; no counter deltas), --netns-filter GLOB, -4, -6,\n"
	"--source\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor record --every 10s --keep 7d\n"
	"  tcpdoctor record --all-netns --every 1m\n"
	"  tcpdoctor --netns web1 record --every 1s --db /tmp/web1.db\n";

struct opts {
	int64_t every_ms, keep_ms;
	const char *db;
	long top, count;
	double reconcile;
	bool verbose;
	enum td_profile profile;
	struct td_thresholds th;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	struct td_err err = { 0 };

	switch (val) {
	case 'e':
	case 'k':
		if (td_parse_duration(arg, val == 'e' ? &o->every_ms : &o->keep_ms, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "--%s %s", val == 'e' ? "every" : "keep",
					err.msg);
		return 0;
	case 'd':
		o->db = arg;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'S':
		if (td_thresholds_set(&o->th, arg, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "%s (see tcpdoctor check --rules)", err.msg);
		return 0;
	case 'P':
		if (td_profile_parse(arg, &o->profile, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
		return 0;
	case 'R':
		return cmd_parse_seconds("--reconcile", arg, 0.1, 86400, &o->reconcile);
	case 't':
	case 'n':
		return cmd_parse_long(val == 't' ? "--top" : "--count", arg, 1, 100000000,
				      val == 't' ? &o->top : &o->count);
	}
	return TD_EXIT_USAGE;
}

/* mkdir -p of path's directory. */
static int make_parent(const char *path, mode_t mode)
{
	char dir[512];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return cmd_mkdirs(dir, mode);
}

/* Where the database lives by default: tcpdoctor's state directory. */
static const char *default_db(char *buf, size_t len)
{
	char dir[3000];

	snprintf(buf, len, "%s/record.db", cmd_state_dir(dir, sizeof(dir), "."));
	return buf;
}

/* The sample as rows: top groups from the snapshot, counters with deltas
 * (only those that moved, plus sockstat's gauges, so an idle host stores
 * little), findings copied. */
struct rows {
	struct td_store_group *groups;
	size_t ngroups;
	struct td_store_counter *counters;
	size_t ncounters;
	struct td_store_finding *findings;
};

static void rows_free(struct rows *r)
{
	free(r->groups);
	free(r->counters);
	free(r->findings);
}

static int build_rows(const struct td_sample *s, const struct td_counters *prev, size_t top,
		      struct rows *r)
{
	static const int states[] = { TD_TIME_WAIT, TD_CLOSE_WAIT };
	static const char *const bys[] = { "port", "process" };
	struct td_top_entry *v;

	memset(r, 0, sizeof(*r));
	v = calloc(top, sizeof(*v));
	r->groups = calloc(2 * 2 * (top + 1), sizeof(*r->groups));
	if (!v || !r->groups) {
		free(v);
		return -ENOMEM;
	}
	for (size_t k = 0; s->have_snap && k < 2; k++)
		for (size_t si = 0; si < 2; si++) {
			size_t n;
			uint64_t other;

			if (td_metrics_top(&s->snap, states[si], (enum td_top_by)k, top, v, &n,
					   &other) < 0) {
				free(v);
				return -ENOMEM;
			}
			for (size_t i = 0; i <= n; i++) {
				struct td_store_group *g = &r->groups[r->ngroups];

				if (i == n && !other)
					break;
				g->state = (uint8_t)states[si];
				snprintf(g->by, sizeof(g->by), "%s", bys[k]);
				snprintf(g->key, sizeof(g->key), "%s", i < n ? v[i].key : "other");
				g->count = i < n ? v[i].count : other;
				r->ngroups++;
			}
		}
	free(v);

	if (s->have_counters && s->counters.n) {
		r->counters = calloc(s->counters.n, sizeof(*r->counters));
		if (!r->counters)
			return -ENOMEM;
		for (size_t i = 0; i < s->counters.n; i++) {
			const struct td_counter *c = &s->counters.v[i];
			struct td_store_counter *o = &r->counters[r->ncounters];
			bool gauge = c->file == TD_CF_SOCKSTAT || c->file == TD_CF_SOCKSTAT6;
			char key[TD_COUNTER_GROUP_MAX + TD_COUNTER_NAME_MAX + 2];

			snprintf(key, sizeof(key), "%s.%s", c->group, c->name);
			o->value =
				c->negative ? (int64_t)c->value : (int64_t)(c->value & INT64_MAX);
			if (prev && prev->n &&
			    td_counters_delta(prev, &s->counters, key, &o->delta) == 0)
				o->has_delta = true;
			if (!gauge && o->has_delta && o->delta == 0)
				continue;
			if (!gauge && !o->has_delta && strcmp(c->group, "Tcp") &&
			    strcmp(c->group, "TcpExt"))
				continue; /* first sample: keep the TCP ones as a baseline */
			snprintf(o->name, sizeof(o->name), "%s", key);
			r->ncounters++;
		}
	}
	if (s->findings.n) {
		r->findings = calloc(s->findings.n, sizeof(*r->findings));
		if (!r->findings)
			return -ENOMEM;
		for (size_t i = 0; i < s->findings.n; i++) {
			const struct td_finding *f = &s->findings.v[i];
			struct td_store_finding *o = &r->findings[i];

			snprintf(o->rule, sizeof(o->rule), "%s", f->rule);
			snprintf(o->severity, sizeof(o->severity), "%s",
				 td_severity_name(f->severity));
			snprintf(o->summary, sizeof(o->summary), "%s", f->summary);
			o->count = f->count;
			o->rate = f->rate;
			o->port = f->port;
			o->pid = f->pid;
			snprintf(o->comm, sizeof(o->comm), "%s", f->pid ? f->comm : "");
			snprintf(o->peer, sizeof(o->peer), "%s", f->peer);
		}
	}
	return 0;
}

static void sleep_until(struct timespec *next, int64_t every_ms)
{
	cmd_ts_add_ns(next, every_ms * 1000000LL);
	/* SIGINT/SIGTERM end the wait (no SA_RESTART): the loop then stops. */
	cmd_sleep_until(next, &stop_signal);
}

static void fill_row(struct td_store_sample *row, const struct td_sample *s, const struct rows *r,
		     const char *netns)
{
	row->ts_ms = (int64_t)s->wall.tv_sec * 1000 + s->wall.tv_nsec / 1000000;
	snprintf(row->source, sizeof(row->source), "%s", s->source);
	snprintf(row->netns, sizeof(row->netns), "%s", netns ? netns : "");
	row->total = s->agg.total;
	memcpy(row->states, s->agg.fam_counts, sizeof(row->states));
	row->groups = r->groups;
	row->ngroups = r->ngroups;
	row->counters = r->counters;
	row->ncounters = r->ncounters;
	row->findings = r->findings;
	row->nfindings = s->findings.n;
}

/* ---- --all-netns: a row per namespace and round ---------------------------------- */

struct rec_arg {
	const struct opts *o;
	const struct td_sample_opts *so;
	double interval_s;
};

/* In a worker, inside the namespace: its own connection to the database
 * (SQLite connections do not cross fork; WAL and the busy timeout order the
 * writers). Each namespace is sampled fresh, so no counter deltas. */
static int record_worker(const struct td_ns *ns, void *arg)
{
	const struct rec_arg *a = arg;
	struct td_store_sample row = { 0 };
	struct td_store *st = NULL;
	struct td_err err = { 0 };
	struct td_sample s;
	struct rows r;
	int64_t pruned = 0;
	int rc;

	if (td_store_open(&st, a->o->db, false, &err) < 0)
		return cmd_fail_err(&err);
	if (td_sample_take(&s, a->so, NULL) < 0 ||
	    build_rows(&s, NULL, (size_t)a->o->top, &r) < 0) {
		td_sample_free(&s);
		td_store_close(st);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	if (s.errors)
		fprintf(stderr, "tcpdoctor: sample incomplete: %s\n", s.error);
	fill_row(&row, &s, &r, ns->name);
	row.interval_s = a->interval_s;
	rc = td_store_insert(st, &row, row.ts_ms - a->o->keep_ms, &pruned, &err);
	if (a->o->verbose && rc == 0)
		fprintf(stderr, "tcpdoctor: sample %lld: %llu sockets, %zu finding%s\n",
			(long long)row.id, (unsigned long long)row.total, s.findings.n,
			s.findings.n == 1 ? "" : "s");
	rows_free(&r);
	td_sample_free(&s);
	td_store_close(st);
	return rc < 0 ? cmd_fail_err(&err) : TD_EXIT_OK;
}

static int record_all_netns(const struct opts *o, const struct td_sample_opts *so,
			    const struct td_ctx *ctx)
{
	struct timespec next, last = { 0 };
	long taken = 0;
	int rc = TD_EXIT_OK;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop_signal) {
		struct rec_arg a = { o, so, 0 };
		struct cmd_ns_run run;
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		if (last.tv_sec)
			a.interval_s = (double)(now.tv_sec - last.tv_sec) +
				       (double)(now.tv_nsec - last.tv_nsec) / 1e9;
		last = now;
		rc = cmd_each_netns(ctx->netns_filter, true, 0, record_worker, &a, &run);
		for (size_t i = 0; !rc && i < run.n; i++) {
			const struct cmd_ns_out *out = &run.out[i];

			if (out->skipped && o->verbose)
				fprintf(stderr, "tcpdoctor: [%s] skipped: %s\n", out->ns->name,
					out->reason);
			cmd_ns_out_stderr(out);
		}
		if (o->verbose && !rc)
			fprintf(stderr, "tcpdoctor: round %ld: %zu namespaces\n", taken + 1, run.n);
		cmd_ns_run_free(&run);
		if (rc || (o->count && ++taken >= o->count))
			break;
		if (!stop_signal)
			sleep_until(&next, o->every_ms);
	}
	return rc;
}

/* --netns NAME|PID|PATH is followed round by round: a namespace whose name
 * is gone (`ip netns delete`) is not sampled (a line on stderr says so,
 * once) and recording resumes when the name is back -- in a new namespace
 * the counters start a new baseline. Returns true when this round samples. */
static bool netns_here(const char *spec, struct td_netns_watch *w, struct td_counters *prev,
		       struct td_snapshot *prev_snap)
{
	struct td_err err = { 0 };
	char path[4096];
	bool was_gone = w->gone;
	int ns = td_netns_watch_poll(w, td_netns_path(spec, path, sizeof(path)), &err);

	if (ns < 0 || ns == TD_NETNS_GONE) {
		if (!was_gone)
			fprintf(stderr,
				"tcpdoctor: record: network namespace '%s' is gone (%s); no "
				"samples until it is back\n",
				spec, ns < 0 ? err.msg : "no such namespace");
		return false;
	}
	if (ns == TD_NETNS_NEW) {
		td_counters_free(prev);
		td_counters_init(prev);
		td_snapshot_free(prev_snap);
		td_snapshot_init(prev_snap, NULL);
	}
	if (ns != TD_NETNS_SAME)
		fprintf(stderr, "tcpdoctor: record: network namespace '%s' is back%s: sampling\n",
			spec, ns == TD_NETNS_NEW ? " (a new namespace)" : "");
	return true;
}

int cmd_record(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "every", required_argument, NULL, 'e' },
		{ "db", required_argument, NULL, 'd' },
		{ "keep", required_argument, NULL, 'k' },
		{ "top", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 'S' },
		{ "profile", required_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "reconcile", required_argument, NULL, 'R' },
		{ 0 },
	};
	struct opts o = { .every_ms = 10000,
			  .keep_ms = 7LL * 86400000,
			  .top = 10,
			  .reconcile = CMD_LIVE_DEFAULT_RECONCILE,
			  .profile = TD_PROFILE_SERVER };
	struct td_sample_opts so = { 0 };
	struct cmd_live live = { 0 };
	struct td_counters prev;
	struct td_snapshot prev_snap;
	struct td_store *st = NULL;
	struct td_err err = { 0 };
	struct sigaction sa = { 0 };
	struct timespec next, last_wall = { 0 };
	struct td_netns_watch watch;
	bool follow = false;
	char dbbuf[512];
	long taken = 0;
	int rc, exit_rc = TD_EXIT_OK;

	td_thresholds_init(&o.th);
	rc = cmd_getopt(argc, argv, ctx, own, "v", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "record: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (!o.db)
		o.db = default_db(dbbuf, sizeof(dbbuf));
	rc = make_parent(o.db, geteuid() == 0 ? 0755 : 0700);
	if (rc < 0)
		return cmd_fail(TD_EXIT_FAILED, "%s: cannot create its directory: %s", o.db,
				strerror(-rc));
	if (td_store_open(&st, o.db, false, &err) < 0)
		return cmd_fail_err(&err);

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	so.source = ctx->source;
	so.family = ctx->family;
	so.th = &o.th;
	so.profile = o.profile;
	td_counters_init(&prev);
	td_snapshot_init(&prev_snap, NULL);
	if (o.verbose)
		fprintf(stderr, "tcpdoctor: recording every %.3g s into %s%s\n",
			(double)o.every_ms / 1000, o.db,
			ctx->all_netns ? ", every network namespace" : "");
	if (ctx->all_netns) {
		/* The schema is made above, by this process; the workers append. */
		td_store_close(st);
		return record_all_netns(&o, &so, ctx);
	}
	/* In the namespace already (main entered --netns). */
	if (cmd_live_open(&live, ctx, o.reconcile) < 0) {
		td_store_close(st);
		return TD_EXIT_FAILED;
	}
	cmd_live_use(&live, &so);
	if (ctx->netns) {
		/* Followed when the spec names the namespace main() entered (a
		 * container: or pod: spec was looked up once, and is not). */
		char path[4096];
		const char *p = td_netns_path(ctx->netns, path, sizeof(path));

		follow = p && td_netns_watch_init(&watch, p, &err) == 0 &&
			 td_netns_watch_poll(&watch, p, &err) == TD_NETNS_SAME;
		td_err_clear(&err);
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop_signal) {
		struct td_store_sample row = { 0 };
		struct td_sample s;
		struct rows r;
		int64_t pruned = 0;
		char note[64];

		if (follow && !netns_here(ctx->netns, &watch, &prev, &prev_snap)) {
			sleep_until(&next, o.every_ms);
			continue;
		}
		if (cmd_live_due(&live))
			cmd_live_reconcile(&live);

		so.prev_snap = prev.n ? &prev_snap : NULL;
		if (td_sample_take(&s, &so, prev.n ? &prev : NULL) < 0 ||
		    build_rows(&s, &prev, (size_t)o.top, &r) < 0) {
			td_sample_free(&s);
			exit_rc = cmd_fail(TD_EXIT_FAILED, "out of memory");
			break;
		}
		if (s.errors)
			fprintf(stderr, "tcpdoctor: sample incomplete: %s\n", s.error);
		fill_row(&row, &s, &r, ctx->netns);
		if (last_wall.tv_sec)
			row.interval_s = (double)(s.wall.tv_sec - last_wall.tv_sec) +
					 (double)(s.wall.tv_nsec - last_wall.tv_nsec) / 1e9;
		last_wall = s.wall;
		rc = td_store_insert(st, &row, row.ts_ms - o.keep_ms, &pruned, &err);
		rows_free(&r);
		if (s.have_counters) {
			td_counters_free(&prev);
			prev = s.counters;
			td_counters_init(&s.counters);
			td_snapshot_free(&prev_snap);
			prev_snap = s.snap;
			td_snapshot_keep_marks(&prev_snap);
			td_snapshot_init(&s.snap, NULL);
		}
		cmd_live_note(&live, note, sizeof(note));
		if (o.verbose && rc == 0)
			fprintf(stderr,
				"tcpdoctor: sample %lld: %llu sockets, %zu finding%s%s%lld "
				"pruned%s\n",
				(long long)row.id, (unsigned long long)row.total, s.findings.n,
				s.findings.n == 1 ? "" : "s", ", ", (long long)pruned, note);
		td_sample_free(&s);
		if (rc < 0) {
			exit_rc = cmd_fail_err(&err);
			/* A full disk or a locked file may pass: try again next time. */
			if (rc != -EBUSY && rc != -ENOSPC)
				break;
			td_err_clear(&err);
			exit_rc = TD_EXIT_OK;
		}
		if (o.count && ++taken >= o.count)
			break;
		if (!stop_signal)
			sleep_until(&next, o.every_ms);
	}
	cmd_live_close(&live);
	td_counters_free(&prev);
	td_snapshot_free(&prev_snap);
	td_store_close(st);
	return exit_rc;
}

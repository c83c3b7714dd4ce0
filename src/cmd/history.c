/* `tcpdoctor history`: what `record`'s samples say: one moment as `states`
 * and `check` would have printed it, a range as one line per sample, the
 * times a rule fired, or a series as a terminal sparkline or a PNG. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "render/escape.h"
#include "render/plot.h"
#include "history/store.h"
#include "render/style.h"
#include "render/wrap.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor history [--db FILE] [--at TIME | --from TIME [--to TIME]]\n"
	"                         [--rule RULE] [--plot SERIES [--width N | --png FILE]]\n"
	"                         [--json]\n"
	"\n"
	"Read what `tcpdoctor record` stored.\n"
	"\n"
	"  --at TIME      the last sample at or before TIME (default: the newest): states,\n"
	"                 TIME_WAIT/CLOSE_WAIT by port and process, findings, counters\n"
	"  --from TIME    a line per sample from TIME (to --to, default now)\n"
	"  --to TIME      end of the range\n"
	"  --rule RULE    only that rule's findings (with --from: every time it fired)\n"
	"  --plot SERIES  a sparkline of a state (CLOSE_WAIT) or a counter's change per\n"
	"                 sample (TcpExt.ListenOverflows) over the range (default: last hour)\n"
	"  --width N      sparkline columns (default 60)\n"
	"  --png FILE     with --plot: draw the series into a PNG with gnuplot instead\n"
	"  --db FILE      database (default as `record`)\n"
	"TIME: \"2026-11-26 03:00\", \"2026-11-26 03:00:15\", \"03:00\" (today), \"-10m\",\n"
	"\"2h ago\", \"@EPOCH\", \"now\"; local time (TZ).\n"
	"Global: --json (one document), --no-color\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor history --at \"2026-11-26 03:00\"\n"
	"  tcpdoctor history --from -1h --rule close-wait-leak\n"
	"  tcpdoctor history --from -6h --plot CLOSE_WAIT\n"
	"  tcpdoctor history --from -1d --plot TcpExt.ListenOverflows --png overflows.png\n";

struct opts {
	const char *db, *at, *from, *to, *rule, *plot, *png;
	long width;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;

	switch (val) {
	case 'd':
		o->db = arg;
		return 0;
	case 'a':
		o->at = arg;
		return 0;
	case 'f':
		o->from = arg;
		return 0;
	case 't':
		o->to = arg;
		return 0;
	case 'r':
		o->rule = arg;
		return 0;
	case 'p':
		o->plot = arg;
		return 0;
	case 'P':
		o->png = arg;
		return 0;
	case 'w':
		return cmd_parse_long("--width", arg, 4, 1000, &o->width);
	}
	return TD_EXIT_USAGE;
}

static const char *fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* record's default database (see record.c). */
static const char *default_db(char *buf, size_t len)
{
	char dir[3000];

	snprintf(buf, len, "%s/record.db", cmd_state_dir(dir, sizeof(dir), "."));
	return buf;
}

static void sum_states(const struct td_store_sample *s, uint64_t *out)
{
	for (int st = 0; st <= TD_STATE_MAX; st++)
		out[st] = s->states[0][st] + s->states[1][st];
}

/* ---- one moment ------------------------------------------------------------------- */

struct at_ctx {
	const struct td_ctx *ctx;
	struct td_json *j;
	size_t n;
};

static int print_group(const struct td_store_group *g, void *data)
{
	struct at_ctx *a = data;
	char key[TD_ESC_MAX_PER_BYTE * 128 + 1];

	if (a->j) {
		td_json_begin_object(a->j, NULL);
		td_json_str(a->j, "state", td_state_name(g->state));
		td_json_str(a->j, "by", g->by);
		td_json_str(a->j, "key", g->key);
		td_json_uint(a->j, "count", g->count);
		td_json_end_object(a->j);
	} else {
		if (!a->n++)
			printf("\n%-12s %-8s %-16s %9s\n", "STATE", "BY", "KEY", "SOCKETS");
		/* The key may be a process or user name: outside strings. */
		printf("%-12s %-8s %-16s %9llu\n", td_state_name(g->state), g->by,
		       td_esc(g->key, key, sizeof(key)), (unsigned long long)g->count);
	}
	return 0;
}

static int print_finding(int64_t ts, const struct td_store_finding *f, void *data)
{
	struct at_ctx *a = data;
	char tbuf[32];

	if (a->j) {
		td_json_begin_object(a->j, NULL);
		td_json_ts(a->j, "ts", ts * 1000000);
		td_json_str(a->j, "rule", f->rule);
		td_json_str(a->j, "severity", f->severity);
		td_json_str(a->j, "summary", f->summary);
		td_json_uint(a->j, "count", f->count);
		if (f->rate > 0)
			td_json_fixed(a->j, "rate", f->rate, 2);
		else
			td_json_null(a->j, "rate");
		if (f->port)
			td_json_uint(a->j, "port", f->port);
		else
			td_json_null(a->j, "port");
		if (f->pid)
			td_json_uint(a->j, "pid", f->pid);
		else
			td_json_null(a->j, "pid");
		td_json_str(a->j, "comm", f->pid ? f->comm : NULL);
		td_json_str(a->j, "peer", f->peer[0] ? f->peer : NULL);
		td_json_end_object(a->j);
		return 0;
	}
	if (!a->n++)
		putchar('\n');
	{
		char sev[12];
		size_t i;

		for (i = 0; f->severity[i] && i < sizeof(sev) - 1; i++)
			sev[i] = (char)(f->severity[i] >= 'a' && f->severity[i] <= 'z'
						? f->severity[i] - 32
						: f->severity[i]);
		sev[i] = '\0';
		char esc[TD_ESC_MAX_PER_BYTE * 512 + 1];

		/* Stored summaries carry process names: escaped, as check prints them. */
		printf("%s  %-8s %s", fmt_time(ts, tbuf, sizeof(tbuf)), sev,
		       td_style_bold(a->ctx->color));
		td_fputs_esc(f->rule, stdout);
		printf("%s: ", td_style_reset(a->ctx->color));
		/* wrapped under itself at the width (render/wrap.h) */
		td_wrap(stdout, td_esc(f->summary, esc, sizeof(esc)), 31 + (int)strlen(f->rule) + 2,
			31, td_out_width());
	}
	return 0;
}

static int print_counter(const struct td_store_counter *c, void *data)
{
	struct at_ctx *a = data;

	if (a->j) {
		td_json_begin_object(a->j, NULL);
		td_json_str(a->j, "name", c->name);
		td_json_int(a->j, "value", c->value);
		if (c->has_delta)
			td_json_int(a->j, "delta", c->delta);
		else
			td_json_null(a->j, "delta");
		td_json_end_object(a->j);
	} else if (c->has_delta && c->delta && strncmp(c->name, "TCP.", 4) &&
		   strncmp(c->name, "TCP6.", 5)) {
		if (!a->n++)
			printf("\n%-36s %14s\n", "COUNTER", "CHANGE");
		printf("%-36s %+14lld\n", c->name, (long long)c->delta);
	}
	return 0;
}

static int show_at(const struct td_ctx *ctx, struct td_store *st, const struct opts *o,
		   int64_t at_ms, struct td_err *err)
{
	struct td_store_sample s;
	struct at_ctx a = { .ctx = ctx };
	struct td_json j;
	uint64_t counts[TD_STATE_MAX + 1];
	char tbuf[32];
	int rc;

	rc = td_store_sample_at(st, at_ms, &s, err);
	if (rc < 0)
		return rc;
	sum_states(&s, counts);
	if (ctx->json) {
		uint64_t v4 = 0, v6 = 0;

		for (int k = 0; k <= TD_STATE_MAX; k++) {
			v4 += s.states[0][k];
			v6 += s.states[1][k];
		}
		cmd_json_begin(&j, ctx, s.source);
		a.j = &j;
		td_json_ts(&j, "ts", s.ts_ms * 1000000);
		td_json_ts(&j, "asked_ts", at_ms * 1000000);
		td_json_fixed(&j, "interval_s", s.interval_s, 3);
		td_json_str(&j, "sample_netns", s.netns[0] ? s.netns : NULL);
		td_json_uint(&j, "total", s.total);
		view_json_states64(&j, "states", counts, true);
		td_json_begin_object(&j, "families");
		td_json_uint(&j, "ipv4", v4);
		td_json_uint(&j, "ipv6", v6);
		td_json_end_object(&j);
		td_json_begin_array(&j, "groups");
		rc = td_store_groups(st, s.id, print_group, &a, err);
		td_json_end_array(&j);
		td_json_begin_array(&j, "findings");
		if (!rc)
			rc = td_store_findings(st, s.id, o->rule, 0, 0, print_finding, &a, err);
		td_json_end_array(&j);
		td_json_begin_array(&j, "counters");
		if (!rc)
			rc = td_store_counters(st, s.id, print_counter, &a, err);
		td_json_end_array(&j);
		td_json_end_object(&j);
		td_json_finish(&j);
		return rc;
	}
	{
		/* one line piped; wrapped at the width (render/wrap.h) */
		char head[TD_ESC_MAX_PER_BYTE * 256 + 160], esc[TD_ESC_MAX_PER_BYTE * 256 + 1];
		int n = snprintf(head, sizeof(head), "%sSample of %s%s (%s",
				 td_style_bold(ctx->color), fmt_time(s.ts_ms, tbuf, sizeof(tbuf)),
				 td_style_reset(ctx->color), s.source);

		/* The recorded --netns argument: a name anyone could pick. */
		if (s.netns[0] && n > 0 && (size_t)n < sizeof(head))
			n += snprintf(head + n, sizeof(head) - (size_t)n, ", netns %s",
				      td_esc(s.netns, esc, sizeof(esc)));
		if (at_ms - s.ts_ms >= 1000 && n > 0 && (size_t)n < sizeof(head))
			n += snprintf(head + n, sizeof(head) - (size_t)n,
				      ", %.0f s before the time asked",
				      (double)(at_ms - s.ts_ms) / 1000);
		if (n > 0 && (size_t)n < sizeof(head))
			snprintf(head + n, sizeof(head) - (size_t)n, ")");
		td_wrap(stdout, head, 0, 2, td_out_width());
	}
	printf("%s%-12s %9s %9s %9s%s\n", td_style_bold(ctx->color), "STATE", "TOTAL", "IPv4",
	       "IPv6", td_style_reset(ctx->color));
	for (int st_ = TD_ESTABLISHED; st_ <= TD_CLOSING; st_++)
		if (counts[st_])
			printf("%-12s %9llu %9llu %9llu\n", td_state_name(st_),
			       (unsigned long long)counts[st_],
			       (unsigned long long)s.states[0][st_],
			       (unsigned long long)s.states[1][st_]);
	printf("%-12s %9llu\n", "TOTAL", (unsigned long long)s.total);
	rc = td_store_groups(st, s.id, print_group, &a, err);
	a.n = 0;
	if (!rc)
		rc = td_store_findings(st, s.id, o->rule, 0, 0, print_finding, &a, err);
	if (!rc && !a.n)
		printf("\nOK: no finding%s%s\n", o->rule ? " of " : "", o->rule ? o->rule : "");
	a.n = 0;
	if (!rc)
		rc = td_store_counters(st, s.id, print_counter, &a, err);
	if (!rc && a.n && s.interval_s > 0)
		printf("(changes over the %.0f s before the sample)\n", s.interval_s);
	return rc;
}

/* ---- a range ---------------------------------------------------------------------- */

struct range_ctx {
	const struct td_ctx *ctx;
	struct td_store *st;
	struct td_json *j;
	uint32_t used; /* states seen in any sample */
	bool header;
	struct td_err *err;
};

static int count_finding(int64_t ts, const struct td_store_finding *f, void *data)
{
	(void)ts;
	(void)f;
	(*(size_t *)data)++;
	return 0;
}

static int mark_used(const struct td_store_sample *s, void *data)
{
	struct range_ctx *r = data;

	for (int st = TD_ESTABLISHED; st <= TD_CLOSING; st++)
		if (s->states[0][st] || s->states[1][st])
			r->used |= TD_STATE_BIT(st);
	return 0;
}

/* A state column: 11 wide piped; as wide as its name on a width
 * (render/wrap.h), so that more states fit 80 columns. */
static int state_col(int st)
{
	static int width = -1;
	int n = (int)strlen(td_state_short(st));

	if (width < 0)
		width = td_out_width();
	return !width ? 11 : n < 6 ? 6 : n;
}

static int print_sample(const struct td_store_sample *s, void *data)
{
	struct range_ctx *r = data;
	uint64_t counts[TD_STATE_MAX + 1];
	size_t nf = 0;
	char tbuf[32];
	int rc;

	rc = td_store_findings(r->st, s->id, NULL, 0, 0, count_finding, &nf, r->err);
	if (rc)
		return rc;
	sum_states(s, counts);
	if (r->j) {
		td_json_begin_object(r->j, NULL);
		td_json_ts(r->j, "ts", s->ts_ms * 1000000);
		td_json_uint(r->j, "total", s->total);
		view_json_states64(r->j, "states", counts, true);
		td_json_uint(r->j, "findings", nf);
		td_json_end_object(r->j);
		return 0;
	}
	if (!r->header) {
		r->header = true;
		printf("%s%-19s %7s", td_style_bold(r->ctx->color), "TIME", "TOTAL");
		for (int st = TD_ESTABLISHED; st <= TD_CLOSING; st++)
			if (r->used & TD_STATE_BIT(st))
				printf(" %*s", state_col(st), td_state_short(st));
		printf(" %8s%s\n", "FINDINGS", td_style_reset(r->ctx->color));
	}
	printf("%-19s %7llu", fmt_time(s->ts_ms, tbuf, sizeof(tbuf)), (unsigned long long)s->total);
	for (int st = TD_ESTABLISHED; st <= TD_CLOSING; st++)
		if (r->used & TD_STATE_BIT(st))
			printf(" %*llu", state_col(st), (unsigned long long)counts[st]);
	printf(" %8zu\n", nf);
	return 0;
}

/* ---- sparkline -------------------------------------------------------------------- */

struct series {
	int64_t *ts;
	double *v;
	size_t n, cap;
};

static int add_point(int64_t ts, double v, void *data)
{
	struct series *s = data;

	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		int64_t *nts = realloc(s->ts, ncap * sizeof(*nts));
		double *nv;

		if (!nts)
			return -ENOMEM;
		s->ts = nts;
		nv = realloc(s->v, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	s->ts[s->n] = ts;
	s->v[s->n++] = v;
	return 0;
}

static void show_plot(const struct td_ctx *ctx, const char *name, const struct series *s,
		      size_t width)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	double lo = 0, hi = 0;
	size_t cols = s->n < width ? s->n : width;
	char a[32], b[32];

	if (ctx->json) {
		struct td_json j;

		cmd_json_begin(&j, ctx, NULL);
		td_json_str(&j, "series", name);
		td_json_begin_array(&j, "points");
		for (size_t i = 0; i < s->n; i++) {
			td_json_begin_object(&j, NULL);
			td_json_ts(&j, "ts", s->ts[i] * 1000000);
			td_json_double(&j, "value", s->v[i]);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
		td_json_end_object(&j);
		td_json_finish(&j);
		return;
	}
	if (!s->n) {
		printf("%s: no sample in that range\n", name);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (i == 0 || s->v[i] < lo)
			lo = s->v[i];
		if (i == 0 || s->v[i] > hi)
			hi = s->v[i];
	}
	printf("%s%s%s  %s .. %s\n", td_style_bold(ctx->color), name, td_style_reset(ctx->color),
	       fmt_time(s->ts[0], a, sizeof(a)), fmt_time(s->ts[s->n - 1], b, sizeof(b)));
	/* Each column is the largest value of its samples: a spike never hides. */
	for (size_t c = 0; c < cols; c++) {
		size_t first = c * s->n / cols, last = (c + 1) * s->n / cols;
		double m = s->v[first];
		int level;

		for (size_t i = first; i < last; i++)
			if (s->v[i] > m)
				m = s->v[i];
		level = hi > lo ? (int)((m - lo) / (hi - lo) * 7 + 0.5) : (hi > 0 ? 7 : 0);
		fputs(bars[level], stdout);
	}
	printf("\nmin %g  max %g  last %g  (%zu samples)\n", lo, hi, s->v[s->n - 1], s->n);
}

static void put_name(const char *name, void *ctx)
{
	size_t *col = ctx;
	size_t len = strlen(name) + 2;

	if (*col + len > 78) {
		fputs("\n ", stderr);
		*col = 1;
	}
	fprintf(stderr, " %s", name);
	*col += len - 1;
}

/* After a --plot NAME that is no series: every one there is. */
static void list_series(struct td_store *st)
{
	struct td_err err = { 0 };
	size_t col = 1;

	fputs("series: a state (", stderr);
	for (int i = 1; i <= TD_CLOSING; i++)
		fprintf(stderr, "%s%s", td_state_name(i), i < TD_CLOSING ? " " : "");
	fputs("), or a counter of this database:\n ", stderr);
	if (td_store_counter_names(st, put_name, &col, &err) < 0)
		fprintf(stderr, " (%s)", err.msg);
	fputc('\n', stderr);
}

/* --png: the sparkline's points, drawn by gnuplot (render/plot.c). */
static int show_png(const struct opts *o, const struct series *s)
{
	char title[1024], a[32], b[32];
	struct td_err err;
	int rc;

	if (!s->n)
		return cmd_fail(TD_EXIT_USAGE, "%s: no sample in that range in %s", o->plot, o->db);
	snprintf(title, sizeof(title), "%s  (%s)", o->plot, o->db);
	rc = plot_png(o->png, title, strchr(o->plot, '.') ? "change per sample" : "sockets", s->ts,
		      s->v, s->n, &err);
	if (rc < 0)
		return cmd_fail_err(&err);
	td_fputs_esc(o->png, stdout);
	printf(": %s, %zu samples, %s .. %s\n", o->plot, s->n, fmt_time(s->ts[0], a, sizeof(a)),
	       fmt_time(s->ts[s->n - 1], b, sizeof(b)));
	return TD_EXIT_OK;
}

int cmd_history(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "at", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "rule", required_argument, NULL, 'r' },
		{ "plot", required_argument, NULL, 'p' },
		{ "width", required_argument, NULL, 'w' },
		{ "png", required_argument, NULL, 'P' },
		{ 0 },
	};
	struct opts o = { .width = 60 };
	struct td_store *st = NULL;
	struct td_err err = { 0 };
	struct timespec now;
	int64_t now_ms, at_ms, from_ms, to_ms;
	char dbbuf[512];
	int rc;

	rc = cmd_getopt(argc, argv, ctx, own, "", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "history: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (o.at && (o.from || o.to || o.plot))
		return cmd_fail(TD_EXIT_USAGE, "--at is one moment: not with --from, --to, --plot");
	if (o.png && !o.plot)
		return cmd_fail(TD_EXIT_USAGE, "--png draws a series: give it with --plot SERIES");
	if (o.png && ctx->json)
		return cmd_fail(TD_EXIT_USAGE, "--png writes a file: not with --json");
	if (o.rule && !td_rule_find(o.rule))
		return cmd_fail(TD_EXIT_USAGE,
				"--rule '%s': no such rule (tcpdoctor check --rules)", o.rule);
	clock_gettime(CLOCK_REALTIME, &now);
	now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	at_ms = to_ms = now_ms;
	from_ms = now_ms - 3600 * 1000;
	if ((o.at && td_parse_time(o.at, now_ms, &at_ms, &err) < 0) ||
	    (o.from && td_parse_time(o.from, now_ms, &from_ms, &err) < 0) ||
	    (o.to && td_parse_time(o.to, now_ms, &to_ms, &err) < 0))
		return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
	if (from_ms > to_ms)
		return cmd_fail(TD_EXIT_USAGE, "--from is after --to");
	if (!o.db)
		o.db = default_db(dbbuf, sizeof(dbbuf));
	if (td_store_open(&st, o.db, true, &err) < 0)
		return cmd_fail_err(&err);

	if (o.plot) {
		struct series s = { 0 };

		rc = td_store_series(st, o.plot, from_ms, to_ms, add_point, &s, &err);
		if (rc == -ENOMEM)
			td_err_set(&err, rc, "out of memory");
		if (rc == -TD_ENOTFOUND || rc == -TD_EPARSE) {
			/* what could be plotted instead, counters too */
			int code = cmd_fail_err(&err);

			list_series(st);
			free(s.ts);
			free(s.v);
			td_store_close(st);
			return code;
		}
		if (!rc && o.png) {
			rc = show_png(&o, &s);
			free(s.ts);
			free(s.v);
			td_store_close(st);
			return rc;
		}
		if (!rc)
			show_plot(ctx, o.plot, &s, (size_t)o.width);
		free(s.ts);
		free(s.v);
	} else if (!o.from && !o.to) {
		rc = show_at(ctx, st, &o, at_ms, &err);
	} else if (o.rule) {
		struct at_ctx a = { .ctx = ctx };
		struct td_json j;

		if (ctx->json) {
			cmd_json_begin(&j, ctx, NULL);
			a.j = &j;
			td_json_str(&j, "rule", o.rule);
			td_json_begin_array(&j, "findings");
		}
		rc = td_store_findings(st, -1, o.rule, from_ms, to_ms, print_finding, &a, &err);
		if (ctx->json) {
			td_json_end_array(&j);
			td_json_end_object(&j);
			td_json_finish(&j);
		} else if (!rc && !a.n) {
			printf("%s did not fire in that range\n", o.rule);
		}
	} else {
		struct range_ctx r = { .ctx = ctx, .st = st, .err = &err };
		struct td_json j;

		rc = td_store_samples(st, from_ms, to_ms, mark_used, &r, &err);
		if (ctx->json) {
			cmd_json_begin(&j, ctx, NULL);
			r.j = &j;
			td_json_begin_array(&j, "samples");
		}
		if (!rc)
			rc = td_store_samples(st, from_ms, to_ms, print_sample, &r, &err);
		if (ctx->json) {
			td_json_end_array(&j);
			td_json_end_object(&j);
			td_json_finish(&j);
		} else if (!rc && !r.header) {
			printf("no sample in that range\n");
		}
	}
	td_store_close(st);
	if (rc < 0)
		return cmd_fail_err(&err);
	return TD_EXIT_OK;
}

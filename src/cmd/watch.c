/* `tcpdoctor watch`: one line per interval, like `sar -n SOCK,TCP,ETCP 1`:
 * sockets by state (from the socket dump), and rates of opens, retransmits,
 * resets and listen overflows from kernel counter deltas over the real time
 * elapsed. Deadlines are absolute, so intervals do not drift. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sockets/agg.h"
#include "cmd/commands.h"
#include "diagnose/counters.h"
#include "render/json.h"
#include "state.h"
#include "render/style.h"
#include "render/wrap.h"

static const char help[] =
	"usage: tcpdoctor watch [-i SECONDS] [-c COUNT]\n"
	"\n"
	"Print a line per interval (as `sar -n SOCK,TCP,ETCP 1` does): TCP sockets by\n"
	"state, then per-second rates from the kernel counters of the namespace:\n"
	"  actv/s  connections opened by this host (Tcp.ActiveOpens)\n"
	"  pasv/s  connections accepted (Tcp.PassiveOpens)\n"
	"  retr/s  segments retransmitted (Tcp.RetransSegs)\n"
	"  rsto/s  resets sent (Tcp.OutRsts)\n"
	"  rsti/s  connections ended by a reset or failed: Tcp.EstabResets +\n"
	"          Tcp.AttemptFails (the kernel counts no 'resets received'; this also\n"
	"          counts local aborts and connects that timed out)\n"
	"  ovfl/s  handshakes dropped because an accept queue was full\n"
	"          (TcpExt.ListenOverflows)\n"
	"  twsk    timewait sockets (sockstat 'tw': TIME_WAIT and closed FIN_WAIT2)\n"
	"  orphan  sockets closed by their process, still sending (sockstat, host-wide)\n"
	"The header repeats every 20 lines. Ctrl-C stops. '-' marks a counter this\n"
	"kernel does not have.\n"
	"\n"
	"  -i, --interval S  seconds between lines (default 1; fractions allowed, >= 0.01)\n"
	"  -c, --count N     stop after N lines (default: until Ctrl-C)\n"
	"Global: --netns NAME|PID|PATH, --json (NDJSON: one object per line), --no-color,\n"
	"        -4, -6, --source\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor watch\n"
	"  tcpdoctor watch -i 0.5 -c 10\n"
	"  tcpdoctor --netns web1 watch --json | jq .rates.retrans_segs\n";

#define HEADER_EVERY 20

/* The rates: one or two counters summed, their JSON key and text column. */
static const struct rate_def {
	const char *json;
	const char *col; /* NULL: JSON only */
	const char *keys[2];
} rates[] = {
	{ "active_opens", "actv/s", { "Tcp.ActiveOpens" } },
	{ "passive_opens", "pasv/s", { "Tcp.PassiveOpens" } },
	{ "retrans_segs", "retr/s", { "Tcp.RetransSegs" } },
	{ "resets_out", "rsto/s", { "Tcp.OutRsts" } },
	/* No MIB counts RSTs received: EstabResets (ESTABLISHED/CLOSE_WAIT ->
	 * CLOSE, which a received RST causes) plus AttemptFails (SYN_SENT or
	 * SYN_RECV -> CLOSE, e.g. refused) is the closest, and says so. */
	{ "resets_in", "rsti/s", { "Tcp.EstabResets", "Tcp.AttemptFails" } },
	{ "listen_overflows", "ovfl/s", { "TcpExt.ListenOverflows" } },
	{ "listen_drops", NULL, { "TcpExt.ListenDrops" } },
	{ "estab_resets", NULL, { "Tcp.EstabResets" } },
	{ "attempt_fails", NULL, { "Tcp.AttemptFails" } },
	{ "syn_retrans", NULL, { "TcpExt.TCPSynRetrans" } },
	{ "timeouts", NULL, { "TcpExt.TCPTimeouts" } },
	{ "in_segs", NULL, { "Tcp.InSegs" } },
	{ "out_segs", NULL, { "Tcp.OutSegs" } },
};

#define NRATES (sizeof(rates) / sizeof(rates[0]))

/* State columns of the text line. */
static const struct {
	int state;
	const char *col;
} state_cols[] = {
	{ TD_ESTABLISHED, "ESTAB" }, { TD_SYN_SENT, "SYN-S" }, { TD_SYN_RECV, "SYN-R" },
	{ TD_FIN_WAIT1, "FW1" },     { TD_FIN_WAIT2, "FW2" },  { TD_TIME_WAIT, "TW" },
	{ TD_CLOSE_WAIT, "CW" },     { TD_LAST_ACK, "LA" },    { TD_LISTEN, "LIST" },
	{ TD_CLOSING, "CLSNG" },
};

/* Gauges from sockstat: JSON key, counter key, text column. */
static const struct {
	const char *json, *key, *col;
} gauges[] = {
	{ "tw", "TCP.tw", "twsk" },
	{ "orphan", "TCP.orphan", "orphan" },
	{ "inuse", "TCP.inuse", NULL },
	{ "inuse6", "TCP6.inuse", NULL },
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct opts {
	double interval;
	long count; /* 0: unlimited */
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;

	switch (val) {
	case 'i':
		return cmd_parse_seconds("watch -i", arg, 0.01, 86400, &o->interval);
	case 'c':
		return cmd_parse_long("--count", arg, 1, LONG_MAX, &o->count);
	}
	return TD_EXIT_USAGE;
}

struct sample {
	struct td_counters c;
	uint64_t states[TD_STATE_MAX + 1];
	uint64_t total;
	struct timespec wall;
};

static int count_cb(const struct td_sock *s, void *data)
{
	struct sample *smp = data;
	int st = td_agg_state(s->state);

	if (st >= 1 && st <= TD_STATE_MAX)
		smp->states[st]++;
	smp->total++;
	return 0;
}

/* Sum of a rate's counters over [a, b]: false when one is absent. */
static bool rate_delta(const struct rate_def *r, const struct sample *a, const struct sample *b,
		       int64_t *delta)
{
	*delta = 0;
	for (int k = 0; k < 2 && r->keys[k]; k++) {
		int64_t d;

		if (td_counters_delta(&a->c, &b->c, r->keys[k], &d) < 0)
			return false;
		*delta += d;
	}
	return true;
}

#define NSTATE_COLS (sizeof(state_cols) / sizeof(state_cols[0]))
#define NGAUGES (sizeof(gauges) / sizeof(gauges[0]))

/* Which text columns fit the width (render/wrap.h): all of them with no
 * limit; else the least telling go first, in this order, until the line
 * fits. 's', 'r', 'g': a state, rate or gauge column, by index. */
static bool keep_state[NSTATE_COLS], keep_rate[NRATES], keep_gauge[NGAUGES];
static const struct {
	char kind;
	unsigned char i;
} drop_order[] = {
	{ 's', 9 }, { 's', 7 }, { 'g', 1 }, { 'g', 0 }, { 's', 3 }, { 'r', 1 },
	{ 's', 2 }, { 's', 4 }, { 's', 8 }, { 'r', 4 }, { 'r', 3 },
};

static void fit_columns(bool frac)
{
	int width = td_out_width(), used = frac ? 12 : 8;
	char dropped[160] = "";

	for (size_t i = 0; i < NSTATE_COLS; i++, used += 7)
		keep_state[i] = true;
	for (size_t i = 0; i < NRATES; i++)
		if ((keep_rate[i] = rates[i].col != NULL))
			used += 9;
	for (size_t i = 0; i < NGAUGES; i++)
		if ((keep_gauge[i] = gauges[i].col != NULL))
			used += 8;
	for (size_t k = 0; width && used > width && k < sizeof(drop_order) / sizeof(drop_order[0]);
	     k++) {
		unsigned i = drop_order[k].i;
		const char *name = drop_order[k].kind == 's'   ? state_cols[i].col
				   : drop_order[k].kind == 'r' ? rates[i].col
							       : gauges[i].col;

		if (drop_order[k].kind == 's') {
			keep_state[i] = false;
			used -= 7;
		} else if (drop_order[k].kind == 'r') {
			keep_rate[i] = false;
			used -= 9;
		} else {
			keep_gauge[i] = false;
			used -= 8;
		}
		snprintf(dropped + strlen(dropped), sizeof(dropped) - strlen(dropped), "%s%s",
			 dropped[0] ? " " : "", name);
	}
	if (dropped[0]) {
		char note[256];

		snprintf(note, sizeof(note),
			 "(left out to fit %d columns: %s; --json has them all)", width, dropped);
		/* on stderr: stdout stays lines of numbers */
		td_wrap(stderr, note, 0, 1, width);
	}
}

static void print_header(const struct td_ctx *ctx, bool frac)
{
	static bool fitted;
	bool c = ctx->color;

	if (!fitted) {
		fit_columns(frac);
		fitted = true;
	}
	printf("%s%-*s", td_style_bold(c), frac ? 12 : 8, "TIME");
	for (size_t i = 0; i < NSTATE_COLS; i++)
		if (keep_state[i])
			printf(" %6s", state_cols[i].col);
	for (size_t i = 0; i < NRATES; i++)
		if (keep_rate[i])
			printf(" %8s", rates[i].col);
	for (size_t i = 0; i < NGAUGES; i++)
		if (keep_gauge[i])
			printf(" %7s", gauges[i].col);
	printf("%s\n", td_style_reset(c));
}

/* The text line's local time of day; JSON writes ts (docs/json.md). */
static void time_text(const struct timespec *wall, bool frac, char *buf, size_t len)
{
	struct tm tm;
	char base[32];
	int ms = (int)((wall->tv_nsec / 1000000) % 1000);

	localtime_r(&wall->tv_sec, &tm);
	strftime(base, sizeof(base), "%H:%M:%S", &tm);
	if (frac)
		snprintf(buf, len, "%s.%03d", base, ms);
	else
		snprintf(buf, len, "%s", base);
}

static void print_line(const struct td_ctx *ctx, const struct sample *a, const struct sample *b,
		       bool frac)
{
	double dt = td_counters_elapsed(&a->c, &b->c);
	char when[64];

	time_text(&b->wall, frac, when, sizeof(when));
	printf("%-*s", frac ? 12 : 8, when);
	for (size_t i = 0; i < NSTATE_COLS; i++)
		if (keep_state[i])
			printf(" %6llu", (unsigned long long)b->states[state_cols[i].state]);
	for (size_t i = 0; i < NRATES; i++) {
		int64_t d;

		if (!keep_rate[i])
			continue;
		if (rate_delta(&rates[i], a, b, &d) && dt > 0)
			printf(" %8.1f", (double)d / dt);
		else
			printf(" %8s", "-");
	}
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
		uint64_t v;

		if (!keep_gauge[i])
			continue;
		if (td_counters_get(&b->c, gauges[i].key, &v) == 0)
			printf(" %7llu", (unsigned long long)v);
		else
			printf(" %7s", "-");
	}
	putchar('\n');
	(void)ctx;
}

/* One compact JSON object per line (NDJSON), even on a terminal. */
static void print_json(const struct td_ctx *ctx, const struct sample *a, const struct sample *b)
{
	double dt = td_counters_elapsed(&a->c, &b->c);
	struct td_json j;

	td_json_init(&j, stdout, false);
	td_json_begin_object(&j, NULL);
	td_json_str(&j, "command", "watch");
	td_json_str(&j, "source", td_source_name(ctx->source.used));
	td_json_str(&j, "netns", ctx->netns);
	td_json_ts(&j, "ts", (int64_t)b->wall.tv_sec * 1000000000 + b->wall.tv_nsec);
	td_json_fixed(&j, "interval_s", dt, 3);
	td_json_uint(&j, "total", b->total);
	td_json_begin_object(&j, "states");
	for (int st = 1; st <= TD_CLOSING; st++)
		td_json_uint(&j, td_state_name(st), b->states[st]);
	td_json_end_object(&j);
	td_json_begin_object(&j, "rates");
	for (size_t i = 0; i < NRATES; i++) {
		int64_t d;

		if (rate_delta(&rates[i], a, b, &d) && dt > 0)
			td_json_fixed(&j, rates[i].json, (double)d / dt, 2);
		else
			td_json_null(&j, rates[i].json);
	}
	td_json_end_object(&j);
	td_json_begin_object(&j, "deltas");
	for (size_t i = 0; i < NRATES; i++) {
		int64_t d;

		if (rate_delta(&rates[i], a, b, &d))
			td_json_int(&j, rates[i].json, d);
		else
			td_json_null(&j, rates[i].json);
	}
	td_json_end_object(&j);
	td_json_begin_object(&j, "sockstat");
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
		uint64_t v;

		if (td_counters_get(&b->c, gauges[i].key, &v) == 0)
			td_json_uint(&j, gauges[i].json, v);
		else
			td_json_null(&j, gauges[i].json);
	}
	td_json_end_object(&j);
	td_json_end_object(&j);
	td_json_finish(&j);
}

/* Counters, then sockets. Returns 0, 1 when stopped by a signal, or an exit
 * code (error printed). */
static int take_sample(struct td_ctx *ctx, const struct td_filter *f, struct sample *s, bool *noted)
{
	struct td_err err = { 0 };
	int rc;

	memset(s->states, 0, sizeof(s->states));
	s->total = 0;
	rc = td_counters_read(&s->c, NULL, &err);
	if (rc < 0)
		return stop ? 1 : cmd_fail_err(&err);
	clock_gettime(CLOCK_REALTIME, &s->wall);
	rc = td_source_dump(&ctx->source, f, 0, count_cb, s, &err);
	if (stop)
		return 1;
	if (rc < 0)
		return cmd_fail_err(&err);
	if (!*noted) {
		cmd_source_note(ctx);
		*noted = true;
		/* do not retry a refused netlink every interval */
		if (ctx->source.kind == TD_SRC_AUTO)
			ctx->source.kind = ctx->source.used;
	}
	return 0;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int cmd_watch(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct opts o = { .interval = 1.0 };
	struct sample smp[2];
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec start, deadline, now;
	struct td_filter f;
	long long interval_ns;
	long lines = 0, k = 0;
	bool frac, noted = false;
	int rc, cur = 0;

	td_filter_init(&f);
	rc = cmd_getopt(argc, argv, ctx, own, "i:c:", false, &f, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "watch: unexpected argument '%s' (see --help)",
				argv[optind]);
	interval_ns = (long long)(o.interval * 1e9 + 0.5);
	frac = interval_ns % 1000000000LL != 0;

	/* no SA_RESTART: Ctrl-C must wake clock_nanosleep and a blocked recv */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	td_counters_init(&smp[0].c);
	td_counters_init(&smp[1].c);
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = take_sample(ctx, &f, &smp[cur], &noted);
	while (rc == 0 && (!o.count || lines < o.count)) {
		/* the k-th deadline is start + k * interval, so intervals do not
		 * drift; deadlines a slow sample made us miss are skipped */
		clock_gettime(CLOCK_MONOTONIC, &now);
		do {
			k++;
			deadline = start;
			cmd_ts_add_ns(&deadline, k * interval_ns);
		} while (ts_before(&deadline, &now));
		rc = cmd_sleep_until(&deadline, &stop);
		if (stop) {
			rc = 1;
			break;
		}
		if (rc) {
			rc = cmd_fail(TD_EXIT_FAILED, "watch: clock_nanosleep: %s", strerror(rc));
			break;
		}
		rc = take_sample(ctx, &f, &smp[!cur], &noted);
		if (rc)
			break;
		if (ctx->json) {
			print_json(ctx, &smp[cur], &smp[!cur]);
		} else {
			if (lines % HEADER_EVERY == 0)
				print_header(ctx, frac);
			print_line(ctx, &smp[cur], &smp[!cur], frac);
			fflush(stdout);
		}
		cur = !cur;
		lines++;
	}
	td_counters_free(&smp[0].c);
	td_counters_free(&smp[1].c);
	if (rc == 1) {
		/* Ctrl-C: the terminal echoed ^C mid-line; end it */
		if (!ctx->json && isatty(STDOUT_FILENO))
			putchar('\n');
		return TD_EXIT_OK;
	}
	return rc;
}

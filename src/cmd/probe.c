/* `tcpdoctor probe HOST:PORT`: resolve (timed), then connect again and again
 * like ping does with echo requests: one line per attempt, a summary with
 * loss, min/avg/max/mdev and jitter, and every failure's errno explained. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "reach/probe.h"
#include "render/escape.h"
#include "render/style.h"
#include "render/wrap.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor probe HOST:PORT [-c N] [-i SEC] [--timeout SEC] [--all] [--rst]\n"
	"                       [--send DATA] [--expect TEXT]\n"
	"       tcpdoctor probe HOST PORT ...      ([2001:db8::1]:80 for IPv6 literals;\n"
	"                                          PORT may be a service name: host:https)\n"
	"\n"
	"ping + nslookup + telnet for a TCP service: resolve HOST (each address, timed),\n"
	"then connect to the port again and again, through the same firewalls the\n"
	"service's clients pass. No root needed.\n"
	"\n"
	"  -c, --count N     attempts (default 5; 0 = until Ctrl-C)\n"
	"  -i, --interval S  seconds between attempts (default 1; 0 = back to back)\n"
	"  --timeout S       give up on a connect (or an answer) after S seconds (default 2)\n"
	"  --all             probe every address HOST has, not just the first\n"
	"  --rst             close with RST (SO_LINGER 0): no TIME_WAIT piles up here\n"
	"  --send DATA       once connected, send DATA (escapes: \\r \\n \\t \\0 \\\\ \\xHH)\n"
	"                    and time the first byte of the answer\n"
	"  --expect TEXT     the answer must contain TEXT (implies waiting for an answer)\n"
	"Global: -4, -6 (one address family), --netns NAME, --json (one document),\n"
	"        --no-color\n"
	"\n"
	"Each failure is named by its errno: ECONNREFUSED (RST: nothing listens, or a\n"
	"firewall rejects), ETIMEDOUT (SYN unanswered: filtered, down, black hole),\n"
	"EHOSTUNREACH/ENETUNREACH (with the router that sent the ICMP), EADDRNOTAVAIL\n"
	"(local ports exhausted).\n"
	"\n"
	"Exit status: 0 every attempt connected (and answered, with --send/--expect),\n"
	"1 some failed, 2 all failed, the name did not resolve, or a usage error,\n"
	"3 could not run here at all (no sockets).\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor probe db.internal:5432\n"
	"  tcpdoctor probe example.org:https -c 3\n"
	"  tcpdoctor probe 192.0.2.10:80 -c 20 -i 0.2 --timeout 2\n"
	"  tcpdoctor probe web 80 --send 'HEAD / HTTP/1.0\\r\\n\\r\\n' --expect 'HTTP/1.'\n"
	"  tcpdoctor -6 probe [2001:db8::1]:443 --all --rst --json\n";

enum { OPT_TIMEOUT = 0x100, OPT_ALL, OPT_RST, OPT_SEND, OPT_EXPECT };

#define SEND_MAX 4096
#define MAX_GROUPS 16

struct opts {
	long count;
	double interval, timeout;
	bool all, rst;
	const char *send_arg, *expect;
};

/* Failures grouped by what went wrong. */
struct group {
	const char *name, *meaning;
	unsigned long count;
	char offender[64]; /* first ICMP sender seen, or "" */
};

struct addr_stats {
	unsigned long sent, ok;
	struct td_stats connect, rtt, ttfb;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;

	switch (val) {
	case 'c':
		return cmd_parse_long("--count", arg, 0, LONG_MAX, &o->count);
	case 'i':
		return cmd_parse_seconds("--interval", arg, 0, 86400, &o->interval);
	case OPT_TIMEOUT:
		if (cmd_parse_seconds("--timeout", arg, 0.001, 86400, &o->timeout))
			return TD_EXIT_USAGE;
		return 0;
	case OPT_ALL:
		o->all = true;
		return 0;
	case OPT_RST:
		o->rst = true;
		return 0;
	case OPT_SEND:
		o->send_arg = arg;
		return 0;
	case OPT_EXPECT:
		if (!*arg)
			return cmd_fail(TD_EXIT_USAGE, "--expect needs a non-empty text");
		o->expect = arg;
		return 0;
	}
	return TD_EXIT_USAGE;
}

static const char *endpoint(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[64];

	td_sockaddr_str(ss, a, sizeof(a));
	snprintf(buf, len, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 td_sockaddr_port(ss));
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double left = t - now_s();
	struct timespec ts;

	if (left <= 0 || interrupted)
		return;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL); /* Ctrl-C cuts it short: the summary comes at once */
}

/* The group an attempt falls in, NULL when it succeeded. */
static const char *failure_name(const struct opts *o, const struct td_attempt *a,
				const char **meaning)
{
	if (a->error) {
		const struct td_code_meaning *m = td_probe_errno_meaning(a->error);

		*meaning = m->meaning;
		return m->name;
	}
	if (!(o->send_arg || o->expect))
		return NULL;
	if (a->data_error == ETIMEDOUT && !a->answered) {
		*meaning = "connected, but no answer to --send within the timeout";
		return "no-answer";
	}
	if (a->data_error && a->data_error != ETIMEDOUT) {
		const struct td_code_meaning *m = td_probe_errno_meaning(a->data_error);

		*meaning = m->meaning;
		return m->name;
	}
	if (!a->expect_ok) {
		*meaning = "the service answered, without the --expect text";
		return "no-match";
	}
	if (!a->answered && o->expect) {
		*meaning = "connection closed without an answer";
		return "no-answer";
	}
	return NULL;
}

static void add_group(struct group *g, size_t *ng, const char *name, const char *meaning,
		      const char *offender)
{
	size_t i;

	for (i = 0; i < *ng; i++)
		if (!strcmp(g[i].name, name))
			break;
	if (i == *ng) {
		if (*ng == MAX_GROUPS)
			return;
		g[i] = (struct group){ .name = name, .meaning = meaning };
		(*ng)++;
	}
	g[i].count++;
	if (offender && !g[i].offender[0])
		snprintf(g[i].offender, sizeof(g[i].offender), "%s", offender);
}

static void print_answer(FILE *fp, const struct td_attempt *a)
{
	fprintf(fp, " answer=\"");
	for (size_t i = 0; i < a->got_len && i < 40; i++) {
		unsigned char c = (unsigned char)a->got[i];

		if (c == '\r')
			fprintf(fp, "\\r");
		else if (c == '\n')
			fprintf(fp, "\\n");
		else if (c < 32 || c >= 127)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
	fprintf(fp, "%s\"", a->got_len > 40 ? "..." : "");
}

static void attempt_text(FILE *fp, const struct td_ctx *ctx, const struct opts *o,
			 unsigned long seq, const struct sockaddr_storage *dst,
			 const struct td_attempt *a, const char *fail, const char *off)
{
	bool c = ctx->color;
	char ep[80];

	fprintf(fp, "seq=%lu %s ", seq, endpoint(dst, ep, sizeof(ep)));
	if (a->error) {
		fprintf(fp, "%s%s%s", td_style_bold(c), td_probe_errno_meaning(a->error)->name,
			td_style_reset(c));
		if (off)
			fprintf(fp, " from %s (ICMP type %u code %u)", off, a->icmp_type,
				a->icmp_code);
		fprintf(fp, " after %.3f ms\n", a->connect_ms);
		return;
	}
	fprintf(fp, "connected time=%.3f ms", a->connect_ms);
	if (a->rtt_us)
		fprintf(fp, " (kernel rtt %.3f ms)", a->rtt_us / 1000.0);
	if (o->send_arg || o->expect) {
		if (a->answered)
			fprintf(fp, " ttfb=%.3f ms", a->ttfb_ms);
		if (a->got_len)
			print_answer(fp, a);
		if (fail)
			fprintf(fp, " %s%s%s", td_style_bold(c), fail, td_style_reset(c));
	}
	fputc('\n', fp);
}

/* Lines written to memory, then each wrapped at the width (render/wrap.h)
 * with its continuation indented: piped, as they were. */
static void put_wrapped(char *text)
{
	int width = td_out_width();

	for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		td_wrap(stdout, p, 0, 4, width);
	}
	fflush(stdout);
}

static void print_attempt_text(const struct td_ctx *ctx, const struct opts *o, unsigned long seq,
			       const struct sockaddr_storage *dst, const struct td_attempt *a,
			       const char *fail, const char *off)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (!fp)
		return;
	attempt_text(fp, ctx, o, seq, dst, a, fail, off);
	fclose(fp);
	put_wrapped(text);
	free(text);
}

static void json_attempt(struct td_json *j, unsigned long seq, const struct sockaddr_storage *dst,
			 const struct td_attempt *a, const char *fail, const char *off,
			 const struct opts *o)
{
	char buf[64];

	td_json_begin_object(j, NULL);
	td_json_uint(j, "seq", seq);
	td_json_str(j, "addr", td_sockaddr_str(dst, buf, sizeof(buf)));
	td_json_bool(j, "connected", !a->error);
	td_json_bool(j, "ok", !fail);
	td_json_fixed(j, "time_ms", a->connect_ms, 3);
	if (!a->error && a->rtt_us)
		td_json_fixed(j, "kernel_rtt_ms", a->rtt_us / 1000.0, 3);
	else
		td_json_null(j, "kernel_rtt_ms");
	td_json_str(j, "error", a->error ? td_probe_errno_meaning(a->error)->name : NULL);
	td_json_str(j, "offender", off);
	if (off) {
		td_json_uint(j, "icmp_type", a->icmp_type);
		td_json_uint(j, "icmp_code", a->icmp_code);
	}
	if (o->send_arg || o->expect) {
		if (a->answered)
			td_json_fixed(j, "ttfb_ms", a->ttfb_ms, 3);
		else
			td_json_null(j, "ttfb_ms");
		td_json_strn(j, "answer", a->got, a->got_len);
		if (o->expect)
			td_json_bool(j, "expect_ok", a->expect_ok && !a->error);
		td_json_str(j, "failure", fail);
	}
	td_json_end_object(j);
}

static void json_stats(struct td_json *j, const char *prefix, const struct td_stats *s)
{
	char k[32];

	snprintf(k, sizeof(k), "%s_min_ms", prefix);
	s->n ? td_json_fixed(j, k, s->min, 3) : td_json_null(j, k);
	snprintf(k, sizeof(k), "%s_avg_ms", prefix);
	td_json_fixed(j, k, td_stats_avg(s), 3);
	snprintf(k, sizeof(k), "%s_max_ms", prefix);
	s->n ? td_json_fixed(j, k, s->max, 3) : td_json_null(j, k);
	snprintf(k, sizeof(k), "%s_mdev_ms", prefix);
	td_json_fixed(j, k, td_stats_mdev(s), 3);
}

static void print_stats_line(const char *label, const struct td_stats *s, bool jitter)
{
	if (!s->n)
		return;
	printf("%s min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", label, s->min, td_stats_avg(s),
	       s->max, td_stats_mdev(s));
	if (jitter && s->n >= 2)
		printf(", jitter %.3f ms", td_stats_jitter(s));
	putchar('\n');
}

static int exit_code(unsigned long sent, unsigned long ok)
{
	if (ok == sent)
		return TD_EXIT_OK;
	return ok ? 1 : 2;
}

static void dns_text(const struct td_ctx *ctx, const struct td_target *t,
		     const struct td_resolved *r)
{
	char buf[64], *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (!fp)
		return;
	fprintf(fp, "%sdns%s ", td_style_bold(ctx->color), td_style_reset(ctx->color));
	td_fputs_esc(t->host, fp);
	fprintf(fp, ": ");
	for (size_t i = 0; i < r->n; i++)
		fprintf(fp, "%s%s", i ? ", " : "", td_sockaddr_str(&r->addr[i], buf, sizeof(buf)));
	fprintf(fp, " (%zu address%s in %.3f ms)\n", r->n, r->n == 1 ? "" : "es", r->ms);
	fclose(fp);
	put_wrapped(text);
	free(text);
}

static void dns_json(struct td_json *j, const struct td_target *t, const struct td_resolved *r)
{
	char buf[64];

	td_json_str(j, "host", t->host);
	td_json_uint(j, "port", t->port);
	td_json_begin_object(j, "dns");
	td_json_fixed(j, "ms", r->ms, 3);
	td_json_begin_array(j, "addresses");
	for (size_t i = 0; i < r->n; i++)
		td_json_str(j, NULL, td_sockaddr_str(&r->addr[i], buf, sizeof(buf)));
	td_json_end_array(j);
	if (r->gai) {
		const struct td_code_meaning *m = td_gai_meaning(r->gai);

		td_json_str(j, "error", m->name);
		td_json_str(j, "meaning", m->meaning);
	} else {
		td_json_null(j, "error");
	}
	td_json_end_object(j);
}

int cmd_probe(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "rst", no_argument, NULL, OPT_RST },
		{ "send", required_argument, NULL, OPT_SEND },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ 0 },
	};
	struct opts o = { .count = 5, .interval = 1, .timeout = 2 };
	struct td_probe_opts po = { 0 };
	struct td_target t;
	char host[TD_ESC_MAX_PER_BYTE * TD_PROBE_HOST_MAX];
	struct td_resolved res;
	struct td_err err = { 0 };
	struct addr_stats st[TD_PROBE_MAX_ADDRS];
	struct group groups[MAX_GROUPS];
	struct td_stats all_connect, all_rtt, all_ttfb;
	struct sigaction sa = { .sa_handler = on_sigint };
	struct td_json j;
	static char sendbuf[SEND_MAX];
	unsigned long sent = 0, ok = 0, seq = 0;
	size_t ng = 0, naddr;
	double t_start;
	int rc;

	rc = cmd_getopt(argc, argv, ctx, own, "c:i:", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cmd_fail(TD_EXIT_USAGE, "probe: which HOST:PORT? (see --help)");
	if (argc - optind > 2)
		return cmd_fail(TD_EXIT_USAGE, "probe: unexpected argument '%s' (see --help)",
				argv[optind + 2]);
	if (td_target_parse(argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &t, &err) <
	    0)
		return cmd_fail(TD_EXIT_USAGE, "probe: %s", err.msg);
	po.timeout_ms = (int)(o.timeout * 1000 + 0.5);
	po.rst = o.rst;
	po.expect = o.expect;
	if (o.send_arg) {
		long n = td_probe_unescape(o.send_arg, sendbuf, sizeof(sendbuf), &err);

		if (n < 0)
			return cmd_fail(TD_EXIT_USAGE, "--send %s", err.msg);
		po.send = sendbuf;
		po.send_len = (size_t)n;
	}

	rc = td_probe_resolve(&t, ctx->family, &res, &err);
	if (ctx->json) {
		cmd_json_begin(&j, ctx, NULL);
		dns_json(&j, &t, &res);
	} else if (!rc) {
		dns_text(ctx, &t, &res);
	}
	if (rc < 0) {
		if (ctx->json) {
			td_json_end_object(&j);
			td_json_finish(&j);
		}
		return cmd_fail(rc == -TD_ENOTFOUND ? 2 : TD_EXIT_FAILED, "%s (after %.3f ms)",
				err.msg, res.ms);
	}
	naddr = o.all ? res.n : 1;
	if (!ctx->json) {
		char line[sizeof(host) + 160];

		snprintf(line, sizeof(line),
			 "probing %s%s port %u: %ld attempt%s, interval %gs, timeout %gs\n",
			 td_esc(t.host, host, sizeof(host)),
			 o.all && res.n > 1 ? " (every address)" : "", t.port, o.count,
			 o.count == 1 ? "" : "s", o.interval, o.timeout);
		put_wrapped(line);
	} else {
		td_json_begin_array(&j, "attempts");
	}

	memset(st, 0, sizeof(st));
	for (size_t i = 0; i < naddr; i++) {
		td_stats_init(&st[i].connect);
		td_stats_init(&st[i].rtt);
		td_stats_init(&st[i].ttfb);
	}
	td_stats_init(&all_connect);
	td_stats_init(&all_rtt);
	td_stats_init(&all_ttfb);
	sigaction(SIGINT, &sa, NULL);
	t_start = now_s();
	for (long k = 0; (o.count == 0 || k < o.count) && !interrupted; k++) {
		if (k)
			sleep_until(t_start + (double)k * o.interval);
		if (interrupted)
			break;
		seq++;
		for (size_t i = 0; i < naddr && !interrupted; i++) {
			struct td_attempt a;
			const char *meaning = NULL, *fail, *off = NULL;
			char offbuf[64];

			rc = td_probe_attempt((const struct sockaddr *)&res.addr[i], &po, &a, &err);
			if (rc < 0) {
				if (ctx->json) {
					td_json_end_array(&j);
					td_json_end_object(&j);
					td_json_finish(&j);
				}
				return cmd_fail(TD_EXIT_FAILED, "probe: %s", err.msg);
			}
			if (a.offender_set)
				off = td_sockaddr_str(&a.offender, offbuf, sizeof(offbuf));
			fail = failure_name(&o, &a, &meaning);
			sent++;
			st[i].sent++;
			if (!a.error) {
				td_stats_add(&st[i].connect, a.connect_ms);
				td_stats_add(&all_connect, a.connect_ms);
				if (a.rtt_us) {
					td_stats_add(&st[i].rtt, a.rtt_us / 1000.0);
					td_stats_add(&all_rtt, a.rtt_us / 1000.0);
				}
				if (a.answered) {
					td_stats_add(&st[i].ttfb, a.ttfb_ms);
					td_stats_add(&all_ttfb, a.ttfb_ms);
				}
			}
			if (fail) {
				add_group(groups, &ng, fail, meaning, off);
			} else {
				ok++;
				st[i].ok++;
			}
			if (ctx->json)
				json_attempt(&j, seq, &res.addr[i], &a, fail, off, &o);
			else
				print_attempt_text(ctx, &o, seq, &res.addr[i], &a, fail, off);
		}
	}
	signal(SIGINT, SIG_DFL);

	if (ctx->json) {
		char buf[64];

		td_json_end_array(&j);
		td_json_begin_object(&j, "summary");
		td_json_uint(&j, "sent", sent);
		td_json_uint(&j, "connected", all_connect.n);
		td_json_uint(&j, "ok", ok);
		td_json_uint(&j, "failed", sent - ok);
		td_json_fixed(&j, "loss_pct", sent ? 100.0 * (double)(sent - ok) / (double)sent : 0,
			      1);
		json_stats(&j, "connect", &all_connect);
		td_json_fixed(&j, "jitter_ms", td_stats_jitter(&all_connect), 3);
		json_stats(&j, "kernel_rtt", &all_rtt);
		if (o.send_arg || o.expect)
			json_stats(&j, "ttfb", &all_ttfb);
		td_json_end_object(&j);
		if (naddr > 1) {
			td_json_begin_array(&j, "per_address");
			for (size_t i = 0; i < naddr; i++) {
				td_json_begin_object(&j, NULL);
				td_json_str(&j, "addr",
					    td_sockaddr_str(&res.addr[i], buf, sizeof(buf)));
				td_json_uint(&j, "sent", st[i].sent);
				td_json_uint(&j, "ok", st[i].ok);
				json_stats(&j, "connect", &st[i].connect);
				td_json_end_object(&j);
			}
			td_json_end_array(&j);
		}
		td_json_begin_array(&j, "failures");
		for (size_t g = 0; g < ng; g++) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "error", groups[g].name);
			td_json_uint(&j, "count", groups[g].count);
			td_json_str(&j, "meaning", groups[g].meaning);
			td_json_str(&j, "offender",
				    groups[g].offender[0] ? groups[g].offender : NULL);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
		td_json_uint(&j, "exit", (unsigned)exit_code(sent, ok));
		td_json_end_object(&j);
		td_json_finish(&j);
		return exit_code(sent, ok);
	}

	printf("--- %s port %u tcp probe statistics ---\n", td_esc(t.host, host, sizeof(host)),
	       t.port);
	printf("%lu sent, %lu %s, %lu failed, %.1f%% loss, time %.0f ms\n", sent, ok,
	       (o.send_arg || o.expect) ? "answered" : "connected", sent - ok,
	       sent ? 100.0 * (double)(sent - ok) / (double)sent : 0.0, (now_s() - t_start) * 1000);
	print_stats_line("connect", &all_connect, true);
	print_stats_line("kernel rtt", &all_rtt, false);
	print_stats_line("ttfb", &all_ttfb, false);
	if (naddr > 1) {
		char buf[64];

		for (size_t i = 0; i < naddr; i++) {
			printf("  %-39s %lu/%lu ok",
			       td_sockaddr_str(&res.addr[i], buf, sizeof(buf)), st[i].ok,
			       st[i].sent);
			if (st[i].connect.n)
				printf(", connect avg %.3f ms", td_stats_avg(&st[i].connect));
			putchar('\n');
		}
	}
	if (ng) {
		printf("failures:\n");
		for (size_t g = 0; g < ng; g++) {
			char text[320];

			/* the meaning is prose: wrapped under itself on a width */
			snprintf(text, sizeof(text), "%s%s%s%s", groups[g].meaning,
				 groups[g].offender[0] ? " (ICMP from " : "", groups[g].offender,
				 groups[g].offender[0] ? ")" : "");
			printf("  %5lu  %s%-13s%s ", groups[g].count, td_style_bold(ctx->color),
			       groups[g].name, td_style_reset(ctx->color));
			td_wrap(stdout, text, 23, 23, td_out_width());
		}
	}
	return exit_code(sent, ok);
}

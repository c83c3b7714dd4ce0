/* `tcpdoctor route HOST:PORT`: a TCP traceroute in the style of mtr --report,
 * without root: per-hop loss and latency over a few rounds, how the
 * destination answered, and where loss starts (or that it is only one
 * router's ICMP rate limit). */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "reach/probe.h"
#include "reach/route.h"
#include "render/escape.h"
#include "render/style.h"
#include "render/wrap.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor route HOST:PORT [-c ROUNDS] [-i SEC] [--timeout SEC] [--max-hops N] "
	"[-n]\n"
	"       tcpdoctor route HOST PORT ...      ([2001:db8::1]:80 for IPv6 literals)\n"
	"\n"
	"traceroute/mtr/pathping for a TCP service, without root: SYNs to the real port\n"
	"with increasing TTL from ordinary sockets, every hop of a round at once, the\n"
	"routers' ICMP time-exceeded read from each socket's error queue.\n"
	"\n"
	"  -c, --count N     rounds (default 5); loss and latency are over the rounds\n"
	"  -i, --interval S  seconds between rounds (default 1: Linux routers answer one\n"
	"                    probe per second and source after a burst of 6)\n"
	"  --timeout S       how long a round waits for answers (default 2)\n"
	"  --max-hops N      highest TTL (default 30, at most 64)\n"
	"  -n, --numeric     no reverse names for the hops\n"
	"Global: -4, -6 (one address family), --netns NAME, --json (one document),\n"
	"        --no-color\n"
	"\n"
	"The last hop says how the destination answered: SYN-ACK (open), RST (closed),\n"
	"nothing (filtered), or an ICMP unreachable from a router. Loss at one hop that\n"
	"later hops do not show is that router dropping or rate-limiting its ICMP, not\n"
	"packet loss; loss that starts at a hop and persists to the destination is real.\n"
	"\n"
	"Exit status: 0 the destination answered (open or closed), 1 it did not\n"
	"(filtered or unreachable), 2 usage error or the name did not resolve,\n"
	"3 could not run here (no sockets, no route at all).\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor route db.internal:5432\n"
	"  tcpdoctor route 192.0.2.10 443 -c 10 -n\n"
	"  tcpdoctor -6 route [2001:db8::1]:80 --json\n";

enum { OPT_TIMEOUT = 0x100, OPT_MAX_HOPS };

struct opts {
	long rounds, max_hops;
	double interval, timeout;
	bool numeric;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;

	switch (val) {
	case 'c':
		return cmd_parse_long("--count", arg, 1, 1000, &o->rounds);
	case 'i':
		return cmd_parse_seconds("--interval", arg, 0, 3600, &o->interval);
	case OPT_TIMEOUT:
		return cmd_parse_seconds("--timeout", arg, 0.01, 3600, &o->timeout);
	case OPT_MAX_HOPS:
		return cmd_parse_long("--max-hops", arg, 1, TD_ROUTE_MAX_HOPS, &o->max_hops);
	case 'n':
		o->numeric = true;
		return 0;
	}
	return TD_EXIT_USAGE;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Reverse name of a hop, or "" (numeric, or no name). */
static const char *hop_name(const struct td_hop *h, bool numeric, char *buf, size_t len)
{
	buf[0] = '\0';
	if (numeric || !h->addr_set)
		return buf;
	if (getnameinfo((const struct sockaddr *)&h->addr, td_sockaddr_len(&h->addr), buf,
			(socklen_t)len, NULL, 0, NI_NAMEREQD))
		buf[0] = '\0';
	return buf;
}

static const char *loss_name(enum td_hop_loss l)
{
	static const char *const names[] = {
		[TD_LOSS_NONE] = "none",
		[TD_LOSS_ONLY_HERE] = "only-here",
		[TD_LOSS_STARTS] = "starts",
		[TD_LOSS_CONTINUES] = "continues",
	};
	return names[l];
}

static void print_json(const struct td_ctx *ctx, const struct td_target *t,
		       const struct td_route *r, const struct opts *o, char names[][NI_MAXHOST])
{
	struct td_json j;
	char buf[64];

	cmd_json_begin(&j, ctx, NULL);
	td_json_str(&j, "host", t->host);
	td_json_uint(&j, "port", t->port);
	td_json_str(&j, "addr", td_sockaddr_str(&r->dst, buf, sizeof(buf)));
	td_json_str(&j, "family", r->dst.ss_family == AF_INET6 ? "ipv6" : "ipv4");
	td_json_uint(&j, "max_hops", (unsigned)o->max_hops);
	td_json_uint(&j, "rounds", r->rounds);
	td_json_begin_object(&j, "destination");
	td_json_str(&j, "verdict", td_dest_verdict_name(r->verdict));
	if (r->dest_ttl)
		td_json_uint(&j, "hop", r->dest_ttl);
	else
		td_json_null(&j, "hop");
	td_json_end_object(&j);
	if (r->loss_start)
		td_json_uint(&j, "loss_start", r->loss_start);
	else
		td_json_null(&j, "loss_start");
	td_json_begin_array(&j, "hops");
	for (unsigned ttl = 1; ttl <= r->last_ttl; ttl++) {
		const struct td_hop *h = &r->hop[ttl];

		td_json_begin_object(&j, NULL);
		td_json_uint(&j, "hop", ttl);
		td_json_str(&j, "addr",
			    h->addr_set ? td_sockaddr_str(&h->addr, buf, sizeof(buf)) : NULL);
		td_json_str(&j, "name", names[ttl][0] ? names[ttl] : NULL);
		td_json_uint(&j, "sent", h->sent);
		td_json_uint(&j, "received", h->received);
		td_json_fixed(&j, "loss_pct", td_hop_loss_pct(h), 1);
		if (h->rtt.n) {
			td_json_fixed(&j, "last_ms", h->rtt.last, 3);
			td_json_fixed(&j, "avg_ms", td_stats_avg(&h->rtt), 3);
			td_json_fixed(&j, "best_ms", h->rtt.min, 3);
			td_json_fixed(&j, "worst_ms", h->rtt.max, 3);
			td_json_fixed(&j, "stdev_ms", td_stats_mdev(&h->rtt), 3);
		} else {
			td_json_null(&j, "last_ms");
			td_json_null(&j, "avg_ms");
			td_json_null(&j, "best_ms");
			td_json_null(&j, "worst_ms");
			td_json_null(&j, "stdev_ms");
		}
		td_json_str(&j, "reply", td_hop_reply_name(h->reply));
		if (h->reply == TD_HOP_UNREACH) {
			td_json_str(&j, "error", td_probe_errno_meaning(h->error)->name);
			td_json_uint(&j, "icmp_type", h->icmp_type);
			td_json_uint(&j, "icmp_code", h->icmp_code);
		}
		td_json_bool(&j, "multi", h->multi);
		td_json_str(&j, "loss", loss_name(h->loss));
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_end_object(&j);
	td_json_finish(&j);
}

static const char *dest_reply_text(const struct td_hop *h)
{
	switch (h->reply) {
	case TD_HOP_SYNACK:
		return "SYN-ACK: open";
	case TD_HOP_RST:
		return "RST: closed";
	case TD_HOP_UNREACH:
		return td_probe_errno_meaning(h->error)->name;
	default:
		return NULL;
	}
}

static void print_text(const struct td_ctx *ctx, const struct td_target *t,
		       const struct td_route *r, const struct opts *o, char names[][NI_MAXHOST])
{
	bool c = ctx->color, narrow;
	char buf[64], label[NI_MAXHOST + 96], ename[NI_MAXHOST], *text = NULL;
	int width = td_out_width(), lw;
	size_t len = 0;
	FILE *fp;

	/* Narrower than the table: LAST and STDEV go, the address column
	 * takes what is left and long names are elided in the middle. */
	narrow = width && width < 106;
	lw = narrow ? width - 44 : 44;
	if (lw < 15)
		lw = 15;
	if (narrow)
		fprintf(stderr, "(LAST and STDEV left out to fit %d columns; --json has them)\n",
			width);
	printf("%s%-4s %-*s %6s %4s", td_style_bold(c), "HOP", lw, "ADDRESS", "LOSS%", "SNT");
	if (narrow)
		printf(" %8s %8s %8s%s\n", "AVG", "BEST", "WRST", td_style_reset(c));
	else
		printf(" %8s %8s %8s %8s %8s%s\n", "LAST", "AVG", "BEST", "WRST", "STDEV",
		       td_style_reset(c));
	for (unsigned ttl = 1; ttl <= r->last_ttl; ttl++) {
		const struct td_hop *h = &r->hop[ttl];
		const char *extra = ttl == r->dest_ttl ? dest_reply_text(h) : NULL;
		const char *mark = "";

		if (!h->addr_set)
			snprintf(label, sizeof(label), "???");
		else if (names[ttl][0])
			/* A PTR answer is whatever the zone's owner wrote. */
			snprintf(label, sizeof(label), "%s (%s)",
				 td_esc(names[ttl], ename, sizeof(ename)),
				 td_sockaddr_str(&h->addr, buf, sizeof(buf)));
		else
			td_sockaddr_str(&h->addr, label, sizeof(label));
		if (h->multi)
			strncat(label, " (+ others)", sizeof(label) - strlen(label) - 1);
		if (extra) {
			strncat(label, " [", sizeof(label) - strlen(label) - 1);
			strncat(label, extra, sizeof(label) - strlen(label) - 1);
			strncat(label, "]", sizeof(label) - strlen(label) - 1);
		}
		if (h->loss == TD_LOSS_STARTS)
			mark = " <- loss starts";
		else if (h->loss == TD_LOSS_ONLY_HERE)
			mark = " <- this hop only";
		if (narrow) {
			char el[NI_MAXHOST + 96];

			td_elide(label, lw, el, sizeof(el));
			printf("%3u. %-*s %5.1f%% %4u", ttl,
			       lw + (int)(strlen(el) - (size_t)td_text_cols(el, strlen(el))), el,
			       td_hop_loss_pct(h), h->sent);
		} else {
			printf("%3u. %-44s %5.1f%% %4u", ttl, label, td_hop_loss_pct(h), h->sent);
		}
		if (h->rtt.n && narrow)
			printf(" %8.2f %8.2f %8.2f", td_stats_avg(&h->rtt), h->rtt.min, h->rtt.max);
		else if (h->rtt.n)
			printf(" %8.2f %8.2f %8.2f %8.2f %8.2f", h->rtt.last, td_stats_avg(&h->rtt),
			       h->rtt.min, h->rtt.max, td_stats_mdev(&h->rtt));
		else if (narrow)
			printf(" %8s %8s %8s", "-", "-", "-");
		else
			printf(" %8s %8s %8s %8s %8s", "-", "-", "-", "-", "-");
		printf("%s\n", mark);
	}

	/* The verdict lines are prose: written to memory, then wrapped at
	 * the width (render/wrap.h), continuation lines indented. */
	fp = open_memstream(&text, &len);
	if (!fp)
		return;
	td_sockaddr_str(&r->dst, buf, sizeof(buf));
	fprintf(fp, "destination %s port %u: %s%s%s", buf, t->port, td_style_bold(c),
		td_dest_verdict_name(r->verdict), td_style_reset(c));
	switch (r->verdict) {
	case TD_DEST_OPEN:
		fprintf(fp, " (SYN-ACK at hop %u)\n", r->dest_ttl);
		break;
	case TD_DEST_CLOSED:
		fprintf(fp,
			" (RST at hop %u: the host is up, nothing listens on the port, or a "
			"firewall rejects)\n",
			r->dest_ttl);
		break;
	case TD_DEST_UNREACHABLE: {
		const struct td_hop *h = &r->hop[r->dest_ttl];

		fprintf(fp, " (%s from hop %u%s%s: %s)\n", td_probe_errno_meaning(h->error)->name,
			r->dest_ttl, h->addr_set ? ", " : "",
			h->addr_set ? td_sockaddr_str(&h->addr, buf, sizeof(buf)) : "",
			td_probe_errno_meaning(h->error)->meaning);
		break;
	}
	default:
		fprintf(fp,
			" (no answer to SYN at any TTL up to %u: a firewall drops it, or the host "
			"is down)\n",
			(unsigned)o->max_hops);
		break;
	}

	for (unsigned ttl = 1; ttl <= r->last_ttl; ttl++) {
		const struct td_hop *h = &r->hop[ttl];

		if (h->loss != TD_LOSS_ONLY_HERE)
			continue;
		fprintf(fp,
			"hop %u (%s): %.0f%% unanswered, but later hops lose nothing: that router "
			"drops or rate-limits its ICMP replies, not your packets\n",
			ttl, h->addr_set ? td_sockaddr_str(&h->addr, buf, sizeof(buf)) : "???",
			td_hop_loss_pct(h));
	}
	if (r->loss_start && r->verdict != TD_DEST_FILTERED) {
		const struct td_hop *h = &r->hop[r->loss_start];

		fprintf(fp,
			"loss starts at hop %u (%s) and persists to the destination (%.0f%% "
			"there): "
			"real packet loss from that hop on\n",
			r->loss_start,
			h->addr_set ? td_sockaddr_str(&h->addr, buf, sizeof(buf)) : "???",
			td_hop_loss_pct(&r->hop[r->last_ttl]));
	} else if (r->loss_start && r->loss_start > 1) {
		const struct td_hop *h = &r->hop[r->loss_start - 1];

		fprintf(fp,
			"silence after hop %u (%s): SYNs go no further, or nothing beyond "
			"answers\n",
			r->loss_start - 1,
			h->addr_set ? td_sockaddr_str(&h->addr, buf, sizeof(buf)) : "???");
	} else if (!r->loss_start) {
		fprintf(fp, "no loss on the way to the destination\n");
	}
	fclose(fp);
	for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		td_wrap(stdout, p, 0, 2, width);
	}
	free(text);
}

int cmd_route(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "max-hops", required_argument, NULL, OPT_MAX_HOPS },
		{ "numeric", no_argument, NULL, 'n' },
		{ 0 },
	};
	struct opts o = { .rounds = 5, .max_hops = 30, .interval = 1, .timeout = 2 };
	struct td_route_opts ro;
	struct td_target t;
	struct td_resolved res;
	struct td_err err = { 0 };
	struct td_route *r;
	char(*names)[NI_MAXHOST];
	int rc;

	rc = cmd_getopt(argc, argv, ctx, own, "c:i:n", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cmd_fail(TD_EXIT_USAGE, "route: which HOST:PORT? (see --help)");
	if (argc - optind > 2)
		return cmd_fail(TD_EXIT_USAGE, "route: unexpected argument '%s' (see --help)",
				argv[optind + 2]);
	if (td_target_parse(argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &t, &err) <
	    0)
		return cmd_fail(TD_EXIT_USAGE, "route: %s", err.msg);
	if (td_probe_resolve(&t, ctx->family, &res, &err) < 0)
		return cmd_fail(err.code == -TD_ENOTFOUND ? TD_EXIT_USAGE : TD_EXIT_FAILED, "%s",
				err.msg);
	ro.max_hops = (unsigned)o.max_hops;
	ro.timeout_ms = (int)(o.timeout * 1000 + 0.5);

	r = malloc(sizeof(*r));
	names = calloc(TD_ROUTE_MAX_HOPS + 1, sizeof(*names));
	if (!r || !names) {
		free(r);
		free(names);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	td_route_init(r, &res.addr[0]);
	if (!ctx->json) {
		char buf[64];

		char host[TD_ESC_MAX_PER_BYTE * 256 + 1];

		char line[NI_MAXHOST * TD_ESC_MAX_PER_BYTE + 160];

		snprintf(line, sizeof(line),
			 "route to %s port %u (%s), %ld hops max, %ld round%s of TCP SYNs",
			 td_esc(t.host, host, sizeof(host)), t.port,
			 td_sockaddr_str(&res.addr[0], buf, sizeof(buf)), o.max_hops, o.rounds,
			 o.rounds == 1 ? "" : "s");
		td_wrap(stdout, line, 0, 2, td_out_width());
		fflush(stdout);
	}
	for (long k = 0; k < o.rounds; k++) {
		if (k)
			sleep_s(o.interval);
		rc = td_route_round(r, &ro, &err);
		if (rc < 0) {
			free(r);
			free(names);
			return cmd_fail(TD_EXIT_FAILED, "route: %s", err.msg);
		}
	}
	td_route_analyze(r, ro.max_hops);
	for (unsigned ttl = 1; ttl <= r->last_ttl; ttl++)
		hop_name(&r->hop[ttl], o.numeric, names[ttl], NI_MAXHOST);
	if (ctx->json)
		print_json(ctx, &t, r, &o, names);
	else
		print_text(ctx, &t, r, &o, names);
	rc = (r->verdict == TD_DEST_OPEN || r->verdict == TD_DEST_CLOSED) ? TD_EXIT_OK : 1;
	free(r);
	free(names);
	return rc;
}

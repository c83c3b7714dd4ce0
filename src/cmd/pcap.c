/* `tcpdoctor pcap FILE`: the life story of every TCP connection in a capture
 * file: one line (or JSON object) per connection as it ends, a segment ladder
 * for one of them, the troubled ones worst first, and a summary. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "capture/series.h"
#include "render/connview.h"
#include "render/graphview.h"
#include "capture/flow.h"
#include "render/json.h"
#include "capture/pcapsrc.h"
#include "sockets/sock.h"
#include "state.h"
#include "render/style.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor pcap FILE [--filter EXPR] [--anomalies] [--conn N [--ladder]] [EXPR...]\n"
	"       tcpdoctor pcap -r FILE [EXPR...]        (tcpdump -r FILE EXPR)\n"
	"       tcpdoctor pcap FILE [--conn N|TUPLE] --graph KIND [--png OUT|--svg OUT|--data]\n"
	"\n"
	"Read a capture file (pcap or pcapng, '-' for stdin) and tell the story of every\n"
	"TCP connection in it: endpoints, start, duration, packets and bytes each way,\n"
	"Zeek's conn_state and history, who closed first, the final state of each side,\n"
	"handshake RTT, retransmissions, duplicate ACKs, zero windows, resets; then a\n"
	"summary. Connections are numbered as tshark's tcp.stream. Compressed files\n"
	"(gzip, zstd, xz) are read as they are; tunnels (VLAN, MPLS, PPPoE, GRE, ERSPAN,\n"
	"VXLAN, Geneve, GTP-U, Teredo, AYIYA, IP in IP) are looked through to the inner\n"
	"TCP and named with each connection (tunnel=); IP fragments are reassembled.\n"
	"See docs/pcap.md for the link types and limits.\n"
	"\n"
	"  --filter EXPR   BPF filter as tcpdump takes it ('port 443', 'host 192.0.2.1');\n"
	"                  words after FILE are one too, as tcpdump's (both: ANDed)\n"
	"  -r, --read FILE the file, as tcpdump -r takes it; -n/-nn are accepted\n"
	"  -c, --count N   read only the first N TCP segments (after the filter)\n"
	"  --anomalies     only the connections with something wrong, worst first\n"
	"  --conn N        only connection N (tcp.stream N)\n"
	"  --ladder        with --conn: every segment as a textbook ladder: time, arrow,\n"
	"                  flags, relative seq/ack, length, window, both sides' states\n"
	"  --idle SECS     report and forget a connection idle this long (default: never,\n"
	"                  so a long idle gap never splits a connection)\n"
	"  --streams wireshark|zeek\n"
	"                  how a 4-tuple splits into connections: as tshark's tcp.stream\n"
	"                  (default), or as Zeek's conn.log with its default timers (a\n"
	"                  5 s connection attempt, 5 s after a close or RST, 5 min idle)\n"
	"                  and its reuse test on a SYN; Teredo and AYIYA are then found\n"
	"                  on any UDP port, as Zeek's protocol detection finds them\n"
	"  --graph KIND    draw one connection: seq (tcptrace's time-sequence graph),\n"
	"                  throughput, rtt or window (bytes in flight against the\n"
	"                  receive window); the connection is --conn N, --conn A:P-B:P\n"
	"                  (either way round), or the first one --filter lets through\n"
	"  --png OUT       with --graph: a 1200x800 PNG (gnuplot); --svg OUT: an SVG\n"
	"  --data          with --graph: the series as TSV on stdout (--json: JSON)\n"
	"  --dir a|b       with --graph: a = client to server, b = back (default: the\n"
	"                  direction that carried more data)\n"
	"  --bin SECS      with --graph throughput: bin width (default: 1/100 of the\n"
	"                  connection, at least 1 ms)\n"
	"Global: --json (one document, the connections streamed into it), --no-color\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor pcap trace.pcap\n"
	"  tcpdoctor pcap trace.pcap --anomalies\n"
	"  tcpdoctor pcap trace.pcap --conn 17 --ladder\n"
	"  tcpdoctor pcap trace.pcap --conn 17 --graph seq --png seq.png\n"
	"  tcpdoctor pcap trace.pcap --conn 192.0.2.1:40000-192.0.2.2:80 --graph rtt --data\n"
	"  tcpdump -i eth0 -w - port 443 | tcpdoctor pcap -\n"
	"  tcpdoctor pcap trace.pcapng --filter 'port 443' --json\n"
	"  tcpdoctor pcap -nn -r trace.pcap -c 1000 tcp port 80\n"
	"\n"
	"Exit status: 0 ok; 1 the file is truncated or has bad records or packets (what\n"
	"was read is shown, then the error with its packet number and byte offset);\n"
	"2 usage error, or the file cannot be opened, is not a capture, or has a link\n"
	"type tcpdoctor cannot read.\n";

/* on_pkt's return when -c N segments were read: the end, not an error. */
#define COUNT_REACHED 0x7fff0001
#define LADDER_MID 52 /* width of the arrow column */
/* Bad input after some packets: partial results shown (docs/pcap.md). */
#define EXIT_PARTIAL 1

/* --conn A:P-B:P */
struct tuple {
	uint8_t family, addr[2][16];
	uint16_t port[2];
};

struct run {
	struct connview v;		    /* text/JSON rendering and the summary's tallies */
	unsigned long long max_segs, nsegs; /* -c */
	bool anomalies, ladder, graph;
	const struct tuple *tuple; /* --graph on the connection with these ends */
	bool graph_locked;	   /* the connection is chosen: graph_id */
	uint64_t graph_id;
	char graph_end[2][64]; /* its client and server, as text */
	struct td_series series;
	bool series_oom;
	long long conn_id;   /* -1: all */
	uint64_t ladder_t0;  /* first segment of the --conn connection */
	struct td_conn *bad; /* --anomalies: kept to sort */
	size_t nbad, capbad;
	bool oom;
};

static const char *state_str(int st)
{
	return st ? td_state_name(st) : "-";
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static int on_conn(const struct td_conn *c, void *data)
{
	struct run *r = data;

	if (r->conn_id >= 0 && (uint64_t)r->conn_id != c->id)
		return 0;
	connview_tally(&r->v, c);
	if (r->ladder || r->graph)
		return 0;
	if (r->anomalies) {
		if (!td_conn_badness(c))
			return 0;
		if (r->nbad == r->capbad) {
			size_t n = r->capbad ? r->capbad * 2 : 64;
			struct td_conn *v = realloc(r->bad, n * sizeof(*v));

			if (!v) {
				r->oom = true;
				return -ENOMEM;
			}
			r->bad = v;
			r->capbad = n;
		}
		r->bad[r->nbad++] = *c;
		return 0;
	}
	if (r->v.json)
		connview_json(&r->v, c, NULL);
	else
		connview_text(&r->v, c, NULL);
	return 0;
}

static const char *flags_str(uint8_t f, char *buf, size_t len)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = { { TD_TH_SYN, "SYN" }, { TD_TH_FIN, "FIN" }, { TD_TH_RST, "RST" },
		      { TD_TH_PSH, "PSH" }, { TD_TH_ACK, "ACK" }, { TD_TH_URG, "URG" },
		      { TD_TH_ECE, "ECE" }, { TD_TH_CWR, "CWR" } };
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "",
					      names[i].name);
	if (!n)
		snprintf(buf, len, "none");
	return buf;
}

static int on_seg(const struct td_conn *c, const struct td_seg *s, void *data)
{
	struct run *r = data;
	char fl[48], mid[128], ana[160] = "";
	size_t n = 0;

	if ((uint64_t)r->conn_id != c->id)
		return 0;
	if (s->pkt_no && c->first_ns == s->ts_ns && c->dir[0].pkts + c->dir[1].pkts == 1)
		r->ladder_t0 = s->ts_ns;
	for (int a = 0; a < TD_A_COUNT; a++)
		if (s->ana & TD_A_BIT(a))
			n += (size_t)snprintf(ana + n, n < sizeof(ana) ? sizeof(ana) - n : 0,
					      "%s%s", n ? "," : " [", td_ana_name(a));
	if (n && n < sizeof(ana) - 1)
		strcat(ana, "]");
	if (r->v.json) {
		td_json_begin_object(&r->v.j, NULL);
		td_json_uint(&r->v.j, "packet", s->pkt_no);
		td_json_fixed(&r->v.j, "time", secs(s->ts_ns - r->ladder_t0), 6);
		td_json_str(&r->v.j, "dir", s->dir == 0 ? "client>server" : "server>client");
		td_json_str(&r->v.j, "flags", flags_str(s->flags, fl, sizeof(fl)));
		td_json_uint(&r->v.j, "seq", s->rel_seq);
		td_json_uint(&r->v.j, "ack", s->rel_ack);
		td_json_uint(&r->v.j, "len", s->len);
		td_json_uint(&r->v.j, "window", s->window_scaled);
		td_json_str(&r->v.j, "client_state",
			    s->state[0] ? td_state_name(s->state[0]) : NULL);
		td_json_str(&r->v.j, "server_state",
			    s->state[1] ? td_state_name(s->state[1]) : NULL);
		td_json_begin_array(&r->v.j, "analysis");
		for (int a = 0; a < TD_A_COUNT; a++)
			if (s->ana & TD_A_BIT(a))
				td_json_str(&r->v.j, NULL, connview_ana_key(a));
		td_json_end_array(&r->v.j);
		td_json_end_object(&r->v.j);
		return 0;
	}
	snprintf(mid, sizeof(mid), "%s %s seq=%u ack=%u len=%u win=%u %s", s->dir ? "<--" : "--",
		 flags_str(s->flags, fl, sizeof(fl)), s->rel_seq, s->rel_ack, s->len,
		 s->window_scaled, s->dir ? "--" : "-->");
	printf("%10.6f  %-12s %-*s %s%s\n", secs(s->ts_ns - r->ladder_t0), state_str(s->state[0]),
	       LADDER_MID, mid, state_str(s->state[1]), ana);
	return 0;
}

static bool tuple_side(const struct tuple *t, int k, const struct td_flow_dir *d)
{
	size_t len = t->family == AF_INET6 ? 16 : 4;

	return d->port == t->port[k] && !memcmp(d->addr, t->addr[k], len);
}

static bool tuple_match(const struct tuple *t, const struct td_conn *c)
{
	if (c->family != t->family)
		return false;
	return (tuple_side(t, 0, &c->dir[0]) && tuple_side(t, 1, &c->dir[1])) ||
	       (tuple_side(t, 1, &c->dir[0]) && tuple_side(t, 0, &c->dir[1]));
}

/* --graph: the segments of one connection into its series. */
static int on_graph_seg(const struct td_conn *c, const struct td_seg *s, void *data)
{
	struct run *r = data;

	if (!r->graph_locked) {
		if (r->conn_id >= 0 && (uint64_t)r->conn_id != c->id)
			return 0;
		if (r->tuple && !tuple_match(r->tuple, c))
			return 0;
		r->graph_locked = true;
		r->graph_id = c->id;
		for (int k = 0; k < 2; k++)
			td_endpoint_str(c->family, c->dir[k].addr, c->dir[k].port, r->graph_end[k],
					sizeof(r->graph_end[k]));
	}
	if (c->id != r->graph_id)
		return 0;
	if (td_series_add(&r->series, s)) {
		r->series_oom = true;
		return -ENOMEM;
	}
	return 0;
}

/* "192.0.2.1:40000-192.0.2.2:80", "[2001:db8::1]:40000-[2001:db8::2]:80" */
static int parse_end(const char *s, size_t len, struct tuple *t, int k)
{
	char buf[80], *colon, *host = buf, *end;
	long port;
	int fam;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	colon = strrchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (*host == '[') {
		host++;
		if (colon[-1] != ']')
			return -1;
		colon[-1] = '\0';
	}
	fam = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(fam, host, t->addr[k]) != 1)
		return -1;
	if (k && t->family != fam)
		return -1;
	t->family = (uint8_t)fam;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	t->port[k] = (uint16_t)port;
	return 0;
}

static int parse_tuple(const char *arg, struct tuple *t)
{
	/* The dash between the ends: the one after a port, not inside [v6]. */
	for (const char *d = strchr(arg, '-'); d; d = strchr(d + 1, '-'))
		if (!parse_end(arg, (size_t)(d - arg), t, 0) &&
		    !parse_end(d + 1, strlen(d + 1), t, 1))
			return 0;
	return -1;
}

static int on_pkt(const struct td_pkt *p, uint64_t pkt_no, void *data)
{
	void **v = data;
	struct run *r = v[0];

	if (!r->v.t0_set) {
		r->v.t0 = p->ts_ns;
		r->v.t0_set = true;
	}
	int rc = td_flow_add(v[1], p, pkt_no);

	if (!rc && r->max_segs && ++r->nsegs >= r->max_segs)
		return COUNT_REACHED;
	return rc;
}

static int by_badness(const void *a, const void *b)
{
	unsigned x = td_conn_badness(a), y = td_conn_badness(b);
	const struct td_conn *ca = a, *cb = b;

	if (x != y)
		return x > y ? -1 : 1;
	return ca->id < cb->id ? -1 : ca->id > cb->id;
}

struct opts {
	const char *filter, *file;
	unsigned long long count; /* -c: stop after this many segments (0: all) */
	long long conn;
	bool ladder, anomalies;
	double idle;
	bool zeek_streams;
	bool graph, have_tuple, data;
	enum td_graph_kind kind;
	const char *png, *svg;
	int dir; /* -1: the busier one */
	double bin;
	struct tuple tuple;
};

enum { OPT_GRAPH = 0x100, OPT_PNG, OPT_SVG, OPT_DATA, OPT_DIR, OPT_BIN, OPT_STREAMS, OPT_CONN };

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	char *end;

	switch (val) {
	case 'f':
		o->filter = arg;
		return 0;
	case 'r':
		o->file = arg;
		return 0;
	case 'c': {
		long v;

		if (cmd_parse_long("-c", arg, 1, LONG_MAX, &v))
			return TD_EXIT_USAGE;
		o->count = (unsigned long long)v;
		return 0;
	}
	case OPT_CONN:
		if (strchr(arg, ':')) {
			if (parse_tuple(arg, &o->tuple))
				return cmd_fail(TD_EXIT_USAGE,
						"--conn '%s': expected a connection number or "
						"ADDR:PORT-ADDR:PORT ([v6]:PORT for IPv6)",
						arg);
			o->have_tuple = true;
			return 0;
		}
		errno = 0;
		o->conn = strtoll(arg, &end, 10);
		/* a long long, and the message names tcp.stream: not cmd_parse_long */
		if (errno || *end || end == arg || o->conn < 0)
			return cmd_fail(TD_EXIT_USAGE,
					"--conn '%s': expected a connection number "
					"(tcp.stream) >= 0",
					arg);
		return 0;
	case 'L':
		o->ladder = true;
		return 0;
	case 'a':
		o->anomalies = true;
		return 0;
	case OPT_GRAPH: {
		struct td_err err;

		if (graphview_parse(arg, &o->kind, &err))
			return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
		o->graph = true;
		return 0;
	}
	case OPT_PNG:
		o->png = arg;
		return 0;
	case OPT_SVG:
		o->svg = arg;
		return 0;
	case OPT_DATA:
		o->data = true;
		return 0;
	case OPT_DIR:
		if (strcmp(arg, "a") && strcmp(arg, "b"))
			return cmd_fail(TD_EXIT_USAGE,
					"--dir '%s': expected a (client to server) or b (back)",
					arg);
		o->dir = arg[0] == 'b';
		return 0;
	case OPT_BIN:
		errno = 0;
		o->bin = strtod(arg, &end);
		if (errno || *end || end == arg || !(o->bin >= 1e-6) || o->bin > 1e6)
			return cmd_fail(TD_EXIT_USAGE, "--bin '%s': expected seconds > 0", arg);
		return 0;
	case OPT_STREAMS:
		if (strcmp(arg, "wireshark") && strcmp(arg, "zeek"))
			return cmd_fail(TD_EXIT_USAGE,
					"--streams '%s': expected wireshark (tcp.stream) or zeek "
					"(conn.log)",
					arg);
		o->zeek_streams = !strcmp(arg, "zeek");
		return 0;
	case 'i':
		errno = 0;
		o->idle = strtod(arg, &end);
		if (errno || *end || end == arg || o->idle < 0)
			return cmd_fail(TD_EXIT_USAGE, "--idle '%s': expected seconds >= 0", arg);
		return 0;
	}
	return TD_EXIT_USAGE;
}

/* --graph, after the whole file: pick the direction, then draw or print. */
static int graph_out(const struct td_ctx *ctx, const struct opts *o, struct run *r,
		     const char *file)
{
	const struct td_series *s = &r->series;
	char title[320];
	struct td_err err = { 0 };
	double bin = o->bin > 0 ? o->bin : graphview_default_bin(s);
	int dir = o->dir, rc;

	if (!r->graph_locked) {
		if (o->conn >= 0)
			return cmd_fail(TD_EXIT_USAGE, "pcap: no connection %lld in %s", o->conn,
					file);
		return cmd_fail(TD_EXIT_USAGE, "pcap: no TCP connection %s in %s",
				o->have_tuple ? "with those ends" : "to draw", file);
	}
	if (dir < 0)
		dir = s->d[1].payload > s->d[0].payload;
	if (o->kind != TD_GRAPH_THROUGHPUT && !s->d[dir].payload)
		return cmd_fail(
			TD_EXIT_USAGE, "pcap: connection %llu carried no data %s (try --dir %s)",
			(unsigned long long)r->graph_id,
			dir ? "from the server (b)" : "from the client (a)", dir ? "a" : "b");
	snprintf(title, sizeof(title), "connection %llu, %s > %s (direction %s)",
		 (unsigned long long)r->graph_id, r->graph_end[dir], r->graph_end[!dir],
		 dir ? "b" : "a");
	if (o->png || o->svg) {
		rc = graphview_draw(s, o->kind, dir, bin, title, o->png ? o->png : o->svg, !o->png,
				    &err);
		if (!rc && o->png && o->svg)
			rc = graphview_draw(s, o->kind, dir, bin, title, o->svg, true, &err);
		if (rc)
			return cmd_fail_err(&err);
	}
	if (ctx->json) {
		struct td_json j;

		cmd_json_begin(&j, ctx, "pcap");
		td_json_str(&j, "file", file);
		td_json_uint(&j, "conn", r->graph_id);
		if (graphview_json(&j, s, o->kind, dir, bin))
			return cmd_fail(TD_EXIT_FAILED, "out of memory");
		td_json_end_object(&j);
		td_json_finish(&j);
	} else if (o->data) {
		if (graphview_tsv(stdout, s, o->kind, dir, bin))
			return cmd_fail(TD_EXIT_FAILED, "out of memory");
	} else {
		printf("%s: %s graph of connection %llu, direction %s\n", o->png ? o->png : o->svg,
		       graphview_name(o->kind), (unsigned long long)r->graph_id, dir ? "b" : "a");
	}
	return 0;
}

static int run_pcap(struct td_ctx *ctx, const struct opts *op, const char *file)
{
	struct opts o = *op;
	struct run r = { .v.color = ctx->color };
	struct td_flow_cfg cfg = { 0 };
	struct td_pcap_counts n = { .first_malformed_off = -1 };
	struct td_flow_stats fs;
	struct td_flow_table *t;
	struct td_pcapsrc *src;
	struct td_err err = { 0 };
	void *pv[2];
	int rc, frc, exit_code = TD_EXIT_OK;

	if (o.ladder && o.conn < 0)
		return cmd_fail(TD_EXIT_USAGE, "--ladder needs --conn N (the connection number "
					       "from the list)");
	if (o.ladder && o.anomalies)
		return cmd_fail(TD_EXIT_USAGE, "--ladder and --anomalies do not go together");
	if (o.have_tuple && !o.graph)
		return cmd_fail(TD_EXIT_USAGE, "--conn ADDR:PORT-ADDR:PORT goes with --graph; "
					       "elsewhere give the connection number");
	if ((o.png || o.svg || o.data || o.dir >= 0 || o.bin > 0) && !o.graph)
		return cmd_fail(TD_EXIT_USAGE, "--png, --svg, --data, --dir and --bin go with "
					       "--graph KIND");
	if (o.graph && (o.ladder || o.anomalies))
		return cmd_fail(TD_EXIT_USAGE,
				"--graph goes with neither --ladder nor --anomalies");
	if (o.graph && !o.png && !o.svg && !o.data && !ctx->json)
		return cmd_fail(TD_EXIT_USAGE,
				"--graph %s: where to? --png OUT, --svg OUT, --data "
				"(TSV) or --json",
				graphview_name(o.kind));
	if (o.graph && o.data && ctx->json)
		return cmd_fail(TD_EXIT_USAGE, "--data and --json do not go together");
	/* A file's story is long: write it in big blocks (a terminal keeps its
	 * line buffering). */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	rc = td_pcapsrc_open_file(&src, file, o.filter, &err);
	if (rc < 0)
		return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);

	r.v.json = ctx->json;
	r.anomalies = o.anomalies;
	r.ladder = o.ladder;
	r.conn_id = o.conn;
	r.graph = o.graph;
	r.tuple = o.have_tuple ? &o.tuple : NULL;
	td_series_init(&r.series);
	cfg.idle_ns = (uint64_t)(o.idle * 1e9);
	cfg.zeek_streams = o.zeek_streams;
	/* Zeek finds Teredo and AYIYA on any UDP port; tshark does not */
	if (o.zeek_streams)
		td_pcapsrc_set_parse_opts(src, TD_PKT_OPT_ZEEK_DETECT);
	cfg.on_conn = on_conn;
	cfg.on_seg = o.ladder ? on_seg : o.graph ? on_graph_seg : NULL;
	cfg.ctx = &r;
	cfg.pipeline = true; /* a file: nothing waits for a line (flow.h) */
	t = td_flow_new(&cfg);
	if (!t) {
		td_pcapsrc_close(src);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	if (o.graph) {
		/* the whole file first: the direction and the end are known then */
	} else if (r.v.json) {
		cmd_json_begin(&r.v.j, ctx, "pcap");
		/* ~50 members a connection: a stdio call per 2 KiB instead */
		td_json_buffer(&r.v.j);
		td_json_str(&r.v.j, "file", file);
		if (o.filter)
			td_json_str(&r.v.j, "filter", o.filter);
		if (o.ladder) {
			td_json_uint(&r.v.j, "conn", (unsigned long long)o.conn);
			td_json_begin_array(&r.v.j, "segments");
		} else {
			td_json_begin_array(&r.v.j, "connections");
		}
	} else if (o.ladder) {
		printf("%10s  %-12s %-*s %s\n", "TIME", "CLIENT", LADDER_MID, "", "SERVER");
	}
	pv[0] = &r;
	pv[1] = t;
	r.max_segs = o.count;
	rc = td_pcapsrc_run(src, on_pkt, pv, &n, &err);
	if (rc == COUNT_REACHED)
		rc = 0;
	frc = td_flow_flush(t);
	td_flow_stats(t, &fs);
	if (r.anomalies) {
		/* None in the file: r.bad is NULL, which qsort must not get. */
		if (r.nbad)
			qsort(r.bad, r.nbad, sizeof(*r.bad), by_badness);
		r.anomalies = false;
		for (size_t i = 0; i < r.nbad; i++) {
			if (r.v.json)
				connview_json(&r.v, &r.bad[i], NULL);
			else
				connview_text(&r.v, &r.bad[i], NULL);
		}
	}
	if (o.graph) {
		int grc = r.series_oom ? TD_EXIT_FAILED : graph_out(ctx, &o, &r, file);

		if (grc)
			exit_code = grc;
	} else if (r.v.json) {
		td_json_end_array(&r.v.j);
		if (o.ladder && r.v.nconns == 0)
			td_json_null(&r.v.j, "summary");
		else
			connview_summary(&r.v, &n, &fs, NULL);
		td_json_end_object(&r.v.j);
		td_json_finish(&r.v.j);
	} else if (!o.ladder) {
		connview_summary(&r.v, &n, &fs, NULL);
	}
	fflush(stdout);
	if (o.conn >= 0 && r.v.nconns == 0 && !o.graph)
		exit_code =
			cmd_fail(TD_EXIT_USAGE, "pcap: no connection %lld in %s (%llu connections)",
				 o.conn, file, (unsigned long long)fs.conns);
	if (n.malformed) {
		if (n.first_malformed_off >= 0)
			cmd_fail(EXIT_PARTIAL,
				 "%s: %llu malformed packet(s); the first is packet "
				 "%llu at byte %ld: %s",
				 file, (unsigned long long)n.malformed,
				 (unsigned long long)n.first_malformed_no, n.first_malformed_off,
				 n.first_malformed);
		else
			cmd_fail(EXIT_PARTIAL,
				 "%s: %llu malformed packet(s); the first is packet "
				 "%llu: %s",
				 file, (unsigned long long)n.malformed,
				 (unsigned long long)n.first_malformed_no, n.first_malformed);
		if (exit_code == TD_EXIT_OK)
			exit_code = EXIT_PARTIAL;
	}
	if (rc < 0 && err.code == -TD_ETRUNC) {
		cmd_fail(EXIT_PARTIAL, "%s", err.msg);
		exit_code = EXIT_PARTIAL;
	} else if (rc || frc || r.oom) {
		exit_code = cmd_fail(TD_EXIT_FAILED, "pcap: %s",
				     r.oom || rc == -ENOMEM || frc == -ENOMEM ? "out of memory"
				     : err.msg[0]			      ? err.msg
									      : "failed");
	}
	free(r.bad);
	td_series_free(&r.series);
	td_flow_free(t);
	td_pcapsrc_close(src);
	return exit_code;
}

/* The words joined by spaces, ANDed with also (a --filter) when given. */
static char *join_words(int n, char **w, const char *also)
{
	size_t len = also ? strlen(also) + 16 : 1;
	char *f;

	for (int i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	f = calloc(1, len);
	if (!f)
		return NULL;
	if (also)
		strcat(strcat(strcat(f, "("), also), ") and (");
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(f, " ");
		strcat(f, w[i]);
	}
	if (also)
		strcat(f, ")");
	return f;
}

int cmd_pcap(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "conn", required_argument, NULL, OPT_CONN },
		{ "count", required_argument, NULL, 'c' },
		{ "ladder", no_argument, NULL, 'L' },
		{ "anomalies", no_argument, NULL, 'a' },
		{ "idle", required_argument, NULL, 'i' },
		{ "streams", required_argument, NULL, OPT_STREAMS },
		{ "graph", required_argument, NULL, OPT_GRAPH },
		{ "png", required_argument, NULL, OPT_PNG },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "data", no_argument, NULL, OPT_DATA },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "bin", required_argument, NULL, OPT_BIN },
		{ "read", required_argument, NULL, 'r' },
		{ 0 },
	};
	struct opts o = { .conn = -1, .dir = -1 };
	const char *file;
	char *words = NULL;
	int rc;

	rc = cmd_getopt(argc, argv, ctx, own, "r:c:", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (!o.file && optind >= argc)
		return cmd_fail(TD_EXIT_USAGE, "pcap: which file? (tcpdoctor pcap FILE; '-' for "
					       "stdin; see --help)");
	file = o.file ? o.file : argv[optind++];
	if (optind < argc) {
		/* tcpdump habit: the filter as the words after the file. */
		words = join_words(argc - optind, argv + optind, o.filter);
		if (!words)
			return cmd_fail(TD_EXIT_FAILED, "out of memory");
		o.filter = words;
	}
	rc = run_pcap(ctx, &o, file);
	free(words);
	return rc;
}

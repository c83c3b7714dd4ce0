/* `tcpdoctor capture`: tcpdump -w with a brain. Opens an interface with a BPF
 * filter, drops root, then writes the packets to a pcap file (-w) and/or runs
 * them through the same flow engine as `pcap`: one line per connection when it
 * ends, in-progress lines for long-lived ones, a summary with the kernel's drop
 * counters at the end (Ctrl-C, -c, --for). */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "render/connview.h"
#include "render/escape.h"
#include "capture/flow.h"
#include "capture/pcapsrc.h"

static const char help[] =
	"usage: tcpdoctor capture [-i IFACE] [-w FILE] [-c COUNT] [--for DURATION] [-s SNAPLEN]\n"
	"                         [--user NAME] [--progress-every DURATION] [-q] [FILTER...]\n"
	"       tcpdoctor capture -r FILE [FILTER...]   (as `tcpdoctor pcap FILE`)\n"
	"\n"
	"Capture TCP packets like tcpdump -w, and tell the story of each connection as it\n"
	"ends: the same line (or JSON object) as `tcpdoctor pcap`, then a summary with the\n"
	"kernel's drop counters. FILTER is a BPF filter as tcpdump takes it (the remaining\n"
	"arguments, joined). The interface is opened as root, then root is dropped (to\n"
	"'nobody') before the first packet is read. Needs CAP_NET_RAW. See docs/pcap.md.\n"
	"\n"
	"  -i, --interface IFACE   where to capture (default: any)\n"
	"  -w, --write FILE        also write every packet to FILE (pcap, nanosecond\n"
	"                          timestamps; '-' for stdout, which implies -q)\n"
	"  -c, --count N           stop after N packets (after the filter)\n"
	"      --for DURATION      stop after DURATION: 30s, 2m, 500ms, 1h (plain: seconds)\n"
	"  -s, --snaplen N         bytes kept per packet (default 262144; 96 is enough for\n"
	"                          the analysis)\n"
	"  -p, --no-promiscuous    do not put the interface in promiscuous mode\n"
	"  -u, --user NAME         drop root to this user (default: nobody)\n"
	"      --progress-every D  print an in-progress line for connections open longer\n"
	"                          than D, every D (default 60s; 0: never)\n"
	"      --linger D          report a closed connection D after its close (default 2s;\n"
	"                          later segments of it then start a new record)\n"
	"  -q, --quiet             no per-connection lines, only the summary\n"
	"  -r, --read FILE         read a capture file instead, as tcpdump -r (see pcap)\n"
	"  -n, -nn                 accepted as tcpdump takes them (addresses and ports are\n"
	"                          always printed as numbers)\n"
	"Global: --netns NAME|PID|PATH (capture inside it), --json (NDJSON: one object per\n"
	"connection as in `pcap --json`, the last line {\"summary\": ...}), --no-color\n"
	"\n"
	"Ctrl-C or SIGTERM stops it cleanly: the file is complete and the summary printed.\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor capture -i eth0 -w out.pcap 'port 8080'\n"
	"  tcpdoctor capture -i any --for 30s\n"
	"  tcpdoctor capture -nn -i lo -c 100 tcp port 80\n"
	"  tcpdoctor --netns web1 capture -i eth0 --progress-every 10s port 443\n"
	"\n"
	"Exit status: 0 ok (stopped by -c, --for or a signal); 2 usage error, bad filter,\n"
	"no such interface or user; 3 no permission to capture (CAP_NET_RAW), or a\n"
	"capture or write error.\n";

#define NS_PER_SEC 1000000000ull
#define NS_PER_MS 1000000ull
#define TICK_MS 200 /* expiry, progress and file flush granularity */
#define DEFAULT_LINGER_NS (2 * NS_PER_SEC)
#define DEFAULT_PROGRESS_NS (60 * NS_PER_SEC)

struct opts {
	struct td_pcap_live_opts live;
	const char *write, *user, *read;
	uint64_t count, for_ns, progress_ns, linger_ns;
	bool quiet;
};

struct run {
	struct connview v;
	struct td_flow_table *t;
	bool quiet;
	uint64_t now_ns; /* wall clock of the last tick: progress ages */
	uint64_t progress_ns;
	uint64_t nprogress; /* in-progress records printed */
};

static struct td_pcapsrc *volatile stop_src;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	td_pcapsrc_break(stop_src);
	/* A reader that stopped reading must not hold the exit: from here
	 * on what stdout cannot take at once is dropped. */
	cmd_stdout_unblock();
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* A duration (cmd_seconds) -> ns; false if bad or above 1e7 s. */
static bool parse_duration(const char *s, uint64_t *ns)
{
	double sec;

	if (!cmd_seconds(s, &sec) || sec > 1e7)
		return false;
	*ns = (uint64_t)(sec * 1e9);
	return true;
}

static bool parse_count(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v == 0 || v > max)
		return false;
	*out = v;
	return true;
}

enum { OPT_FOR = 0x100, OPT_PROGRESS, OPT_LINGER };

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	uint64_t v;

	switch (val) {
	case 'i':
		o->live.dev = arg;
		return 0;
	case 'w':
		o->write = arg;
		return 0;
	case 'r':
		o->read = arg;
		return 0;
	case 'c':
		if (!parse_count(arg, UINT64_MAX, &o->count))
			return cmd_fail(TD_EXIT_USAGE, "-c '%s': expected a packet count >= 1",
					arg);
		return 0;
	case 's':
		if (!parse_count(arg, 262144, &v))
			return cmd_fail(TD_EXIT_USAGE, "-s '%s': expected a snap length 1..262144",
					arg);
		o->live.snaplen = (int)v;
		return 0;
	case 'p':
		o->live.promisc = false;
		return 0;
	case 'u':
		o->user = arg;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case OPT_FOR:
		if (!parse_duration(arg, &o->for_ns) || !o->for_ns)
			return cmd_fail(TD_EXIT_USAGE,
					"--for '%s': expected a duration such as 30s, "
					"2m, 500ms",
					arg);
		return 0;
	case OPT_PROGRESS:
		if (!parse_duration(arg, &o->progress_ns))
			return cmd_fail(TD_EXIT_USAGE,
					"--progress-every '%s': expected a duration "
					"such as 60s, 1s (0: never)",
					arg);
		return 0;
	case OPT_LINGER:
		if (!parse_duration(arg, &o->linger_ns) || !o->linger_ns)
			return cmd_fail(TD_EXIT_USAGE,
					"--linger '%s': expected a duration > 0 "
					"such as 2s",
					arg);
		return 0;
	}
	return TD_EXIT_USAGE;
}

/* Give up root for good before touching a packet: a parser bug must not
 * run as root (tcpdump -Z does the same). Supplementary groups first, then
 * the gid, then the uid (after it, setgid would be refused); then check that
 * none of it can be undone. Not root: nothing to drop. */
static int drop_privileges(const char *user, bool asked)
{
	struct passwd *pw;
	uid_t r, e, s;

	if (geteuid() != 0) {
		if (asked)
			return cmd_fail(TD_EXIT_USAGE,
					"capture: --user %s needs root (running as "
					"uid %u already)",
					user, (unsigned)geteuid());
		return 0;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw)
		return cmd_fail(TD_EXIT_USAGE,
				"capture: no user '%s' to drop root to%s%s "
				"(--user NAME)",
				user, errno ? ": " : "", errno ? strerror(errno) : "");
	if (pw->pw_uid == 0)
		return cmd_fail(TD_EXIT_USAGE,
				"capture: --user %s is root; name an "
				"unprivileged user",
				user);
	if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return cmd_fail(TD_EXIT_FAILED, "capture: cannot drop root to %s: %s", user,
				strerror(errno));
	/* No setuid binary run from here may give it back either. */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || getresuid(&r, &e, &s) < 0 ||
	    r != pw->pw_uid || e != pw->pw_uid || s != pw->pw_uid)
		return cmd_fail(TD_EXIT_FAILED,
				"capture: dropped root to %s, but it could be "
				"regained; stopping",
				user);
	return 0;
}

static int on_conn(const struct td_conn *c, void *data)
{
	struct run *r = data;

	connview_tally(&r->v, c);
	if (r->quiet)
		return 0;
	if (r->v.json) {
		td_json_init(&r->v.j, stdout, false);
		connview_json(&r->v, c, NULL);
		td_json_end_line(&r->v.j);
	} else {
		connview_text(&r->v, c, NULL);
	}
	return 0; /* the capture loop flushes once per batch of packets */
}

static int on_progress(const struct td_conn *c, void *data)
{
	struct run *r = data;

	if (r->now_ns < c->first_ns || r->now_ns - c->first_ns < r->progress_ns)
		return 0;
	r->nprogress++;
	if (r->v.json) {
		td_json_init(&r->v.j, stdout, false);
		connview_json(&r->v, c, "in-progress");
		td_json_end_line(&r->v.j);
	} else {
		connview_text(&r->v, c, " [in progress]");
	}
	return 0;
}

static int on_pkt(const struct td_pkt *p, uint64_t pkt_no, void *data)
{
	struct run *r = data;

	if (!r->v.t0_set) {
		r->v.t0 = p->ts_ns;
		r->v.t0_set = true;
	}
	return td_flow_add(r->t, p, pkt_no);
}

static void catch_signals(struct td_pcapsrc *src)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: poll() must return at once. */
	sigemptyset(&sa.sa_mask);
	stop_src = src;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cmd_stdout_guard();
}

/* Read until -c, --for or a signal. Returns 0 or a library error (err). */
static int capture_loop(struct td_pcapsrc *src, struct run *r, const struct opts *o,
			struct td_pcap_counts *n, struct td_err *err)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC), next_progress = start + o->progress_ns;
	uint64_t next_tick = start;
	struct pollfd pfd = { .fd = td_pcapsrc_fd(src), .events = POLLIN };
	int rc;

	while (!stop_signal) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC), wait = TICK_MS * NS_PER_MS;

		if (o->for_ns && now - start >= o->for_ns)
			break;
		if (o->for_ns && start + o->for_ns - now < wait)
			wait = start + o->for_ns - now;
		if (pfd.fd >= 0 && poll(&pfd, 1, (int)((wait + NS_PER_MS - 1) / NS_PER_MS)) < 0 &&
		    errno != EINTR)
			return td_err_set(err, -errno, "capture: poll: %s", strerror(errno));
		if (stop_signal)
			break;
		rc = td_pcapsrc_dispatch(src, o->count ? (unsigned)(o->count - n->packets) : 0,
					 on_pkt, r, n, err);
		if (rc < 0)
			return rc;
		fflush(stdout); /* the connections this batch closed */
		if (o->count && n->packets >= o->count)
			break;
		now = clock_ns(CLOCK_MONOTONIC);
		if (now < next_tick)
			continue;
		next_tick = now + TICK_MS * NS_PER_MS;
		/* Packet times are the wall clock: closed connections are
		 * reported once their linger time passed by it. */
		r->now_ns = clock_ns(CLOCK_REALTIME);
		rc = td_flow_expire(r->t, r->now_ns);
		if (rc)
			return rc;
		fflush(stdout); /* the connections whose linger time passed */
		if (o->progress_ns && now >= next_progress && !r->quiet) {
			next_progress = now + o->progress_ns;
			rc = td_flow_walk_open(r->t, on_progress, r);
			if (rc)
				return rc;
			fflush(stdout);
		}
		rc = td_pcapsrc_dump_flush(src, err);
		if (rc)
			return rc;
		/* SIGPIPE is ignored: a reader that went away (| head) ends it. */
		if (ferror(stdout))
			break;
	}
	return 0;
}

static char *join_filter(int argc, char **argv)
{
	size_t len = 1;
	char *f;

	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	f = calloc(1, len);
	if (!f)
		return NULL;
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(f, " ");
		strcat(f, argv[i]);
	}
	return f;
}

int cmd_capture(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "write", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "no-promiscuous", no_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "progress-every", required_argument, NULL, OPT_PROGRESS },
		{ "linger", required_argument, NULL, OPT_LINGER },
		{ "read", required_argument, NULL, 'r' },
		{ 0 },
	};
	struct opts o = { .live = { .promisc = true },
			  .progress_ns = DEFAULT_PROGRESS_NS,
			  .linger_ns = DEFAULT_LINGER_NS };
	struct run r = { .v.color = ctx->color, .v.wall = true }; /* live: the time of day */
	struct td_flow_cfg cfg = { 0 };
	struct td_pcap_counts n = { .first_malformed_off = -1 };
	struct td_pcap_kstats ks;
	struct td_flow_stats fs;
	struct td_pcapsrc *src = NULL;
	struct td_err err = { 0 };
	bool have_ks;
	char *filter;
	int rc, exit_code = TD_EXIT_OK;

	rc = cmd_getopt(argc, argv, ctx, own, "i:w:c:s:pu:qr:", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	filter = join_filter(argc, argv);
	if (!filter)
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	if (o.read) {
		/* tcpdump -r FILE [FILTER]: reading a file is what pcap does. */
		char count[32], *pargv[7];
		int pargc = 0;

		pargv[pargc++] = "pcap";
		pargv[pargc++] = (char *)o.read;
		if (o.count) {
			snprintf(count, sizeof(count), "%llu", (unsigned long long)o.count);
			pargv[pargc++] = "-c";
			pargv[pargc++] = count;
		}
		if (*filter) {
			pargv[pargc++] = "--filter";
			pargv[pargc++] = filter;
		}
		pargv[pargc] = NULL;
		if (o.write || o.live.dev) {
			rc = cmd_fail(TD_EXIT_USAGE,
				      "capture -r FILE reads a file (as `tcpdoctor pcap FILE`): "
				      "-i and -w do not apply");
		} else {
			ctx->cmd = "pcap";
			rc = cmd_pcap(pargc, pargv, ctx);
		}
		free(filter);
		return rc;
	}
	o.live.filter = filter;
	if (o.write && !strcmp(o.write, "-"))
		o.quiet = true; /* stdout carries the pcap */
	rc = td_pcapsrc_open_live(&src, &o.live, &err);
	if (rc < 0) {
		free(filter);
		return cmd_fail(rc == -ENODEV || rc == -TD_EPARSE || rc == -TD_EUNSUPP
					? TD_EXIT_USAGE
					: TD_EXIT_FAILED,
				"%s", err.msg);
	}
	/* The file is created while we are still root, as tcpdump -w -Z does. */
	if (o.write && td_pcapsrc_dump_open(src, o.write, &err) < 0) {
		td_pcapsrc_close(src);
		free(filter);
		return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
	}
	rc = drop_privileges(o.user ? o.user : "nobody", o.user != NULL);
	if (rc) {
		td_pcapsrc_close(src);
		free(filter);
		return rc;
	}

	r.v.json = ctx->json;
	r.quiet = o.quiet;
	r.progress_ns = o.progress_ns;
	cfg.grace_ns = o.linger_ns;
	cfg.idle_ns = 0;	     /* a long idle gap never splits a connection */
	cfg.open_by_activity = true; /* progress lines: least recently active first */
	cfg.on_conn = on_conn;
	cfg.ctx = &r;
	r.t = td_flow_new(&cfg);
	if (!r.t) {
		td_pcapsrc_close(src);
		free(filter);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	if (!o.quiet && !ctx->json) {
		/* The device, filter and file name are the caller's, but may come
		 * from a script's variables: escaped like every outside string. */
		fputs("tcpdoctor: capturing on ", stderr);
		td_fputs_esc(o.live.dev ? o.live.dev : "any", stderr);
		if (*filter) {
			fputs(", filter '", stderr);
			td_fputs_esc(filter, stderr);
			fputc('\'', stderr);
		}
		if (o.write) {
			fputs(", writing ", stderr);
			td_fputs_esc(o.write, stderr);
		}
		fputs(" (Ctrl-C to stop)\n", stderr);
	}
	catch_signals(src);
	rc = capture_loop(src, &r, &o, &n, &err);
	have_ks = td_pcapsrc_kstats(src, &ks, NULL) == 0;
	if (!rc)
		rc = td_flow_flush(r.t);
	else
		td_flow_flush(r.t);
	td_flow_stats(r.t, &fs);
	if (r.v.json) {
		td_json_init(&r.v.j, stdout, false);
		td_json_begin_object(&r.v.j, NULL);
		td_json_str(&r.v.j, "command", "capture");
		td_json_str(&r.v.j, "source", "live");
		td_json_str(&r.v.j, "netns", ctx->netns);
		td_json_str(&r.v.j, "interface", o.live.dev ? o.live.dev : "any");
		td_json_str(&r.v.j, "filter", *filter ? filter : NULL);
		td_json_str(&r.v.j, "file", o.write);
		td_json_str(&r.v.j, "stopped_by",
			    rc				      ? "error"
			    : stop_signal		      ? "signal"
			    : o.count && n.packets >= o.count ? "count"
			    : o.for_ns			      ? "duration"
							      : "output closed");
		td_json_uint(&r.v.j, "in_progress_records", r.nprogress);
		connview_summary(&r.v, &n, &fs, have_ks ? &ks : NULL);
		td_json_end_object(&r.v.j);
		td_json_finish(&r.v.j);
	} else if (o.write && !strcmp(o.write, "-")) {
		/* stdout is the capture: the summary goes to stderr, with what
		 * the kernel dropped while a slow reader held us in write(). */
		fprintf(stderr, "tcpdoctor: %llu packets captured, %llu connections",
			(unsigned long long)n.packets, (unsigned long long)r.v.nconns);
		if (have_ks)
			fprintf(stderr, "; kernel: %llu received, %llu dropped",
				(unsigned long long)ks.received, (unsigned long long)ks.dropped);
		fputc('\n', stderr);
	} else {
		connview_summary(&r.v, &n, &fs, have_ks ? &ks : NULL);
	}
	if (cmd_stdout_release()) {
		fprintf(stderr, "tcpdoctor: stdout was not being read: the rest of the output "
				"was dropped");
		if (have_ks)
			fprintf(stderr, " (kernel: %llu packets dropped)",
				(unsigned long long)ks.dropped);
		fputc('\n', stderr);
	}
	fflush(stdout);
	if (rc) {
		exit_code = cmd_fail(TD_EXIT_FAILED, "capture: %s",
				     rc == -ENOMEM ? "out of memory"
				     : err.msg[0]  ? err.msg
						   : strerror(-rc));
	}
	stop_src = NULL;
	td_pcapsrc_close(src); /* closes and flushes the -w file */
	td_flow_free(r.t);
	free(filter);
	return exit_code;
}

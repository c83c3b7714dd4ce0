/* `tcpdoctor serve`: a Prometheus exporter (libmicrohttpd). GET /metrics is
 * one sample rendered by metrics.c; concurrent scrapes share one gathering.
 * The listening socket is bound before --netns is entered, so the exporter
 * answers in the caller's namespace about another one. */
#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <zlib.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/allnetns.h"
#include "cmd/livecount.h"
#include "history/metrics.h"
#include "history/mmerge.h"
#include "sockets/netns.h"
#include "history/sample.h"

#ifndef TD_VERSION
#define TD_VERSION "0.1.0"
#endif

/* 9917: in the exporters' range (9100-9999), not used by a Debian-packaged
 * exporter; see docs/monitoring.md. */
#define DEFAULT_LISTEN "127.0.0.1:9917"

static const char help[] =
	"usage: tcpdoctor serve [--listen ADDR:PORT] [--top N] [--auth-file FILE]\n"
	"                       [--tls-cert FILE --tls-key FILE] [--max-connections N]\n"
	"                       [--max-per-ip N] [--timeout S] [--cache-ms MS]\n"
	"                       [--set RULE.THRESHOLD=VALUE]... [--profile P] [--reconcile S]\n"
	"\n"
	"Prometheus exporter: GET /metrics answers with sockets by state and family,\n"
	"listeners' accept queues, TIME_WAIT/CLOSE_WAIT by port and process (top N),\n"
	"kernel TCP counters and the findings of `check` (docs/monitoring.md).\n"
	"\n"
	"  --listen A:P       address to listen on (default " DEFAULT_LISTEN "; [::1]:P for\n"
	"                     IPv6, 0.0.0.0:P for every address)\n"
	"  --top N            ports and processes per state in the top-N families (default 10)\n"
	"  --auth-file FILE   HTTP basic auth: lines \"user:HASH\" (htpasswd -B) or a Prometheus\n"
	"                     web config's basic_auth_users; HASH is bcrypt ($2y$), SHA-256\n"
	"                     ($5$) or SHA-512 ($6$) crypt, or yescrypt ($y$)\n"
	"  --tls-cert FILE    serve HTTPS with this PEM certificate (and --tls-key FILE)\n"
	"  --max-connections N  open connections at most (default 4096)\n"
	"  --max-per-ip N     open connections from one address at most (default 256; 0:\n"
	"                     no limit); one more is closed at once\n"
	"  --timeout S        close a connection idle for S seconds (default 10); a request\n"
	"                     is at most 16 KiB (a longer request line gets 414, longer\n"
	"                     headers 431)\n"
	"  --cache-ms MS      answer from a sample up to MS old (default 500; 0: a scrape\n"
	"                     shares only a gathering that started after it arrived)\n"
	"  --set R.T=V        a check threshold, as `check --set`\n"
	"  --profile P        sysctl audit profile of the findings (server, client, proxy)\n"
	"  --reconcile S      as root: the kernel keeps the counts by state, a scrape reads\n"
	"                     them; every S seconds a walk checks them and refreshes the\n"
	"                     by-port, by-process and finding families (default: off,\n"
	"                     every scrape walks the sockets)\n"
	"Global: --netns NAME|PID|PATH (the socket is bound here first, then the\n"
	"exporter reads that namespace), --all-netns (every namespace, each sample\n"
	"labelled netns, container, pod; the --top N biggest alone, the rest summed in\n"
	"netns=\"other\"; --netns-filter GLOB), -4, -6, --source\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor serve\n"
	"  tcpdoctor --netns web1 serve --listen 127.0.0.1:9918\n"
	"  tcpdoctor serve --listen 0.0.0.0:9917 --auth-file /etc/tcpdoctor/users \\\n"
	"      --tls-cert /etc/tcpdoctor/cert.pem --tls-key /etc/tcpdoctor/key.pem\n";

static const char index_html[] =
	"<!DOCTYPE html>\n<html><head><title>tcpdoctor exporter</title></head>\n"
	"<body><h1>tcpdoctor exporter</h1>\n"
	"<p>TCP socket states, queues, kernel counters and health-check findings.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

#define MAX_USERS 64

struct user {
	char name[64];
	char hash[160];
};

struct opts {
	const char *listen;
	long top;
	const char *auth_file, *tls_cert, *tls_key;
	long max_conns, per_ip, cache_ms;
	double timeout, reconcile;
	enum td_profile profile;
	struct td_thresholds th;
};

/* What every connection thread shares. */
struct server {
	struct td_sample_opts so;
	size_t top;
	long cache_ms;
	struct user users[MAX_USERS];
	size_t nusers;

	pthread_mutex_t lock; /* the fields below */
	struct td_mbuf cached;
	struct timespec cached_start; /* when the cached sample started */
	bool have_cache;
	struct td_counters prev;      /* previous sample's counters (rates) */
	struct td_snapshot prev_snap; /* its closing sockets and queues (persistence) */
	bool all_netns;		      /* --all-netns: every namespace, labelled */
	const char *netns_filter;
	uint64_t scrapes, errors;
	struct cmd_live live; /* counts kept by the kernel, or a walk per scrape */
	struct td_mbuf deep;  /* with them: the per-socket families of the last walk */
	bool have_deep;
	unsigned deep_n; /* full samples taken: the second is the first with rates */
	/* --netns NAME|PID|PATH, followed: the main thread polls it each
	 * second and moves first (/proc/net follows the thread-group leader),
	 * a scrape's thread joins it before gathering. */
	const char *netns;
	bool follow;
	struct td_netns_watch watch;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	struct td_err err = { 0 };

	switch (val) {
	case 'L':
		o->listen = arg;
		return 0;
	case 'a':
		o->auth_file = arg;
		return 0;
	case 'c':
		o->tls_cert = arg;
		return 0;
	case 'k':
		o->tls_key = arg;
		return 0;
	case 'S':
		if (td_thresholds_set(&o->th, arg, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "%s (see tcpdoctor check --rules)", err.msg);
		return 0;
	case 'P':
		if (td_profile_parse(arg, &o->profile, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
		return 0;
	case 'C':
		return cmd_parse_long("--cache-ms", arg, 0, 3600000, &o->cache_ms);
	case 'R':
		return cmd_parse_seconds("--reconcile", arg, 0.1, 86400, &o->reconcile);
	case 'I':
		return cmd_parse_long("--max-per-ip", arg, 0, 1000000, &o->per_ip);
	case 'T':
		return cmd_parse_seconds("--timeout", arg, 1, 1000000, &o->timeout);
	case 't':
	case 'm':
		return cmd_parse_long(val == 't' ? "--top" : "--max-connections", arg, 1, 1000000,
				      val == 't' ? &o->top : &o->max_conns);
	}
	return TD_EXIT_USAGE;
}

/* ---- listening socket ------------------------------------------------------------ */

/* "ADDR:PORT", "[V6]:PORT" or "PORT" (on 127.0.0.1). */
static int parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128] = "127.0.0.1";
	const char *port = text, *colon;
	char *end;
	long p;

	if (text[0] == '[') {
		const char *rb = strchr(text, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - text - 1) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(rb - text - 1), text + 1);
		port = rb + 2;
	} else if ((colon = strrchr(text, ':'))) {
		if ((size_t)(colon - text) >= sizeof(host))
			return -1;
		if (colon > text)
			snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
		port = colon + 1;
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || end == port || *end || p < 1 || p > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		*len = sizeof(*s4);
	}
	return 0;
}

/* The listening socket's fd, or -2 for a bad --listen, -1 when it cannot
 * be opened (both already told). */
static int open_listener(const char *text, int *family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (parse_listen(text, &ss, &len) < 0)
		return cmd_fail(TD_EXIT_USAGE,
				"--listen '%s': expected ADDR:PORT (127.0.0.1:9917, [::1]:9917) "
				"or PORT",
				text),
		       -2;
	*family = ss.ss_family;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cmd_fail(TD_EXIT_FAILED, "socket: %s", strerror(errno)), -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0) {
		cmd_fail(TD_EXIT_FAILED, "--listen %s: %s%s", text, strerror(errno),
			 errno == EADDRINUSE ? " (another exporter there? pick another port)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- files read before the namespace is entered ----------------------------------- */

static char *read_file(const char *path, const char *what)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > (1 << 20)) {
		cmd_fail(TD_EXIT_USAGE, "%s %s: %s", what, path,
			 fd < 0 ? strerror(errno) : "larger than 1 MiB");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = calloc(1, (size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		cmd_fail(TD_EXIT_USAGE, "%s %s: short read", what, path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* "user:HASH" lines (htpasswd), or "  user: HASH" under "basic_auth_users:"
 * (Prometheus' web config); quotes around the hash are dropped. */
static int load_users(struct server *sv, const char *path)
{
	char *text = read_file(path, "--auth-file"), *line, *save = NULL;
	int lineno = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *colon, *h, *e;
		struct user *u;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (!*p || *p == '#' || !strcmp(p, "basic_auth_users:"))
			continue;
		colon = strchr(p, ':');
		if (!colon || colon == p)
			goto bad;
		*colon = '\0';
		h = colon + 1;
		while (*h == ' ' || *h == '\t')
			h++;
		if ((*h == '"' || *h == '\'') && e > h + 1 && e[-1] == *h) {
			e[-1] = '\0';
			h++;
		}
		/* libxcrypt calls SHA-crypt "legacy" and low bcrypt costs "too
		 * cheap": both still verify; invalid and disabled methods do not. */
		if (sv->nusers == MAX_USERS || strlen(p) >= sizeof(u->name) ||
		    strlen(h) >= sizeof(u->hash) || h[0] != '$' || /* not DES: a plain text */
		    crypt_checksalt(h) == CRYPT_SALT_INVALID ||
		    crypt_checksalt(h) == CRYPT_SALT_METHOD_DISABLED)
			goto bad;
		u = &sv->users[sv->nusers++];
		snprintf(u->name, sizeof(u->name), "%s", p);
		snprintf(u->hash, sizeof(u->hash), "%s", h);
	}
	free(text);
	if (!sv->nusers)
		return cmd_fail(TD_EXIT_USAGE, "--auth-file %s: no user", path), -1;
	return 0;
bad:
	free(text);
	return cmd_fail(TD_EXIT_USAGE,
			"--auth-file %s line %d: expected user:HASH with a bcrypt ($2y$), SHA-256 "
			"($5$), SHA-512 ($6$) or yescrypt ($y$) hash (at most %d users)",
			path, lineno, MAX_USERS),
	       -1;
}

/* Constant time in the length of the stored hash: no early exit on the
 * first differing byte. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < lb; i++)
		d |= (unsigned char)(b[i] ^ (i < la ? a[i] : 0));
	return d == 0;
}

static bool password_ok(const struct server *sv, const char *user, const char *pass)
{
	const struct user *u = NULL;
	struct crypt_data *cd;
	const char *h;
	bool ok;

	for (size_t i = 0; i < sv->nusers; i++)
		if (!strcmp(sv->users[i].name, user))
			u = &sv->users[i];
	/* An unknown user costs a hash too, so timing does not tell users apart. */
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	h = crypt_r(pass, u ? u->hash : sv->users[0].hash, cd);
	ok = u && h && h[0] != '*' && same_secret(h, u->hash);
	free(cd);
	return ok;
}

/* ---- scrapes ---------------------------------------------------------------------- */

static bool after_or_same(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

static int render_sample(const struct server *sv, const struct td_sample *s, struct td_mbuf *b,
			 const struct td_mbuf *deep)
{
	struct td_metrics_input in = { 0 };

	in.have_states = s->have_states;
	memcpy(in.fam_counts, s->agg.fam_counts, sizeof(in.fam_counts));
	in.snap = s->have_snap ? &s->snap : NULL;
	in.counters = s->have_counters ? &s->counters : NULL;
	in.findings = s->findings.v;
	in.nfindings = s->findings.n;
	in.with_findings = s->rules_ran;
	in.top = sv->top;
	in.scrape_seconds = s->seconds;
	in.scrapes = sv->scrapes;
	in.scrape_errors = sv->errors;
	in.version = TD_VERSION;
	in.source = s->source[0] ? s->source : NULL;
	if (deep) {
		in.deep_text = deep->p ? deep->p : "";
		in.deep_len = deep->len;
	}
	return td_metrics_render(&in, b);
}

/* --all-netns: a worker per namespace takes its sample and renders it;
 * the expositions are merged with netns, container and pod labels (each
 * namespace fresh: no previous counters, so the rate rules are left out and
 * Prometheus' rate() over the exported counters takes their place). */
static int netns_worker(const struct td_ns *ns, void *arg)
{
	const struct server *sv = arg;
	struct td_mbuf b = { 0 };
	struct td_sample s;
	int rc;

	(void)ns;
	td_sample_take(&s, &sv->so, NULL);
	rc = render_sample(sv, &s, &b, NULL);
	/* A comment the merge skips: how big the namespace is, for --top. */
	printf("# netns_total %llu\n", (unsigned long long)s.agg.total);
	if (!rc)
		fwrite(b.p, 1, b.len, stdout);
	td_mbuf_free(&b);
	td_sample_free(&s);
	return rc ? TD_EXIT_FAILED : s.errors ? TD_EXIT_FAILED : TD_EXIT_OK;
}

static unsigned long long part_total(const struct td_metrics_part *p)
{
	return !strncmp(p->text, "# netns_total ", 14) ? strtoull(p->text + 14, NULL, 10) : 0;
}

/* Biggest first; equal ones by their labels (the namespace's name). */
static int cmp_part_total(const void *a, const void *b)
{
	const struct td_metrics_part *x = a, *y = b;
	unsigned long long tx = part_total(x), ty = part_total(y);

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(x->labels, y->labels);
}

static int gather_all_netns(const struct server *sv, struct td_mbuf *b)
{
	struct cmd_ns_run run;
	struct td_metrics_part *parts;
	struct td_mbuf *labels, other = { 0 };
	size_t np = 0;
	int ret;

	ret = cmd_each_netns(sv->netns_filter, true, 0, netns_worker, (void *)sv, &run);
	parts = calloc(run.n + 1, sizeof(*parts));
	labels = calloc(run.n + 1, sizeof(*labels));
	if (ret || !parts || !labels) {
		free(parts);
		free(labels);
		cmd_ns_run_free(&run);
		return -ENOMEM;
	}
	for (size_t i = 0; i < run.n; i++) {
		const struct cmd_ns_out *o = &run.out[i];
		struct td_mbuf *l = &labels[i];

		cmd_ns_out_stderr(o); /* a worker's complaint, with its namespace */
		if (o->skipped || !o->len)
			continue;
		td_mbuf_printf(l, "netns=\"");
		td_mbuf_label(l, o->ns->name);
		td_mbuf_printf(l, "\"");
		if (o->ns->container[0]) {
			td_mbuf_printf(l, ",container=\"");
			td_mbuf_label(l, o->ns->container);
			td_mbuf_printf(l, "\"");
		}
		if (o->ns->pod[0]) {
			td_mbuf_printf(l, ",pod=\"");
			td_mbuf_label(l, o->ns->pod);
			td_mbuf_printf(l, "\"");
		}
		parts[np++] = (struct td_metrics_part){ o->text, o->len, l->p };
	}
	/* The --top biggest namespaces by sockets get their own series; the
	 * rest are summed into netns="other", like every other label. */
	qsort(parts, np, sizeof(*parts), cmp_part_total);
	if (np > sv->top) {
		ret = td_metrics_sum(parts + sv->top, np - sv->top, &other);
		parts[sv->top] = (struct td_metrics_part){ other.p, other.len, "netns=\"other\"" };
		np = sv->top + (ret == 0);
	}
	if (!ret)
		ret = td_metrics_merge(parts, np, b);
	td_mbuf_free(&other);
	td_mbuf_printf(b, "# HELP tcpdoctor_netns_info One per network namespace sampled "
			  "(--all-netns): its name, kind and inode.\n"
			  "# TYPE tcpdoctor_netns_info gauge\n");
	for (size_t i = 0; i < run.n; i++) {
		const struct cmd_ns_out *o = &run.out[i];

		if (o->skipped || !o->len)
			continue;
		td_mbuf_printf(b, "tcpdoctor_netns_info{%s,kind=\"%s\",inode=\"%llu\"} 1\n",
			       labels[i].p, td_ns_kind_name(o->ns->kind),
			       (unsigned long long)o->ns->inode);
	}
	for (size_t i = 0; i < run.n; i++)
		td_mbuf_free(&labels[i]);
	free(labels);
	free(parts);
	cmd_ns_run_free(&run);
	return ret ? ret : b->oom ? -ENOMEM : 0;
}

/* --netns: is the namespace there (by its name) to be sampled? */
static void render_netns_up(const struct server *sv, struct td_mbuf *b, int up)
{
	td_mbuf_printf(b, "# HELP tcpdoctor_netns_up 1 when the --netns namespace is there "
			  "and sampled, 0 while its name names none.\n"
			  "# TYPE tcpdoctor_netns_up gauge\n"
			  "tcpdoctor_netns_up{netns=\"");
	td_mbuf_label(b, sv->netns);
	td_mbuf_printf(b, "\"} %d\n", up);
}

/* Each second: the main thread follows the --netns name (it moves first,
 * as /proc/net goes by the thread-group leader), and says so on stderr
 * when it goes and when it comes back. */
static void follow_netns(struct server *sv)
{
	struct td_err err = { 0 };
	char path[4096];
	bool was_gone;
	int ns;

	pthread_mutex_lock(&sv->lock);
	was_gone = sv->watch.gone;
	ns = td_netns_watch_poll(&sv->watch, td_netns_path(sv->netns, path, sizeof(path)), &err);
	if ((ns < 0 || ns == TD_NETNS_GONE) && !was_gone)
		fprintf(stderr,
			"tcpdoctor: serve: network namespace '%s' is gone (%s); "
			"tcpdoctor_netns_up is 0 until it is back\n",
			sv->netns, ns < 0 ? err.msg : "no such namespace");
	if (ns == TD_NETNS_NEW) {
		/* Another namespace: its counters start a new rate window. */
		td_counters_free(&sv->prev);
		td_counters_init(&sv->prev);
		td_snapshot_free(&sv->prev_snap);
		td_snapshot_init(&sv->prev_snap, NULL);
	}
	if (ns == TD_NETNS_NEW || ns == TD_NETNS_BACK)
		fprintf(stderr, "tcpdoctor: serve: network namespace '%s' is back%s: sampling\n",
			sv->netns, ns == TD_NETNS_NEW ? " (a new namespace)" : "");
	if (ns != TD_NETNS_SAME)
		sv->have_cache = false;
	pthread_mutex_unlock(&sv->lock);
}

/* The exposition text for a scrape that arrived at `arrived` (malloc'd,
 * *len bytes). A sample started after the scrape arrived answers it too:
 * scrapes that pile up during a slow gathering share its result. */
static char *scrape(struct server *sv, const struct timespec *arrived, size_t *len)
{
	struct td_mbuf b = { 0 };
	struct timespec start;
	struct td_sample s;
	char *out;

	struct timespec oldest = *arrived;

	/* A sample younger than --cache answers too (0: only one started after
	 * this scrape arrived): a burst of scrapes costs one gathering. */
	oldest.tv_sec -= (time_t)(sv->cache_ms / 1000);
	oldest.tv_nsec -= (long)(sv->cache_ms % 1000) * 1000000L;
	if (oldest.tv_nsec < 0) {
		oldest.tv_sec--;
		oldest.tv_nsec += 1000000000L;
	}
	pthread_mutex_lock(&sv->lock);
	if (!sv->have_cache || !after_or_same(&sv->cached_start, &oldest)) {
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &start);
		sv->scrapes++;
		if (sv->all_netns) {
			rc = gather_all_netns(sv, &b);
			if (rc)
				sv->errors++;
		} else if (sv->follow && (sv->watch.gone || td_netns_watch_join(&sv->watch) < 0)) {
			/* Nothing to sample: say so, and count it as an error. */
			struct td_metrics_input in = { .version = TD_VERSION };

			sv->errors++;
			in.scrapes = sv->scrapes;
			in.scrape_errors = sv->errors;
			rc = td_metrics_render(&in, &b);
			render_netns_up(sv, &b, 0);
		} else {
			/* With kept counts a scrape reads them and the listeners;
			 * what needs every socket comes with each reconciliation. */
			bool light = sv->live.sc && sv->have_deep && sv->deep_n >= 2 &&
				     sv->live.reconcile_s > 0 && !cmd_live_due(&sv->live);

			if (!light && sv->have_deep)
				cmd_live_reconcile(&sv->live);
			sv->so.light = light;
			sv->so.prev_snap = sv->prev.n && !light ? &sv->prev_snap : NULL;
			if (td_sample_take(&s, &sv->so, sv->prev.n && !light ? &sv->prev : NULL) <
			    0)
				s.errors++;
			if (s.errors)
				sv->errors++;
			if (!light && sv->live.sc) {
				struct td_metrics_input din = { .snap = s.have_snap ? &s.snap
										    : NULL,
								.findings = s.findings.v,
								.nfindings = s.findings.n,
								.with_findings = s.rules_ran,
								.top = sv->top };

				td_mbuf_free(&sv->deep);
				sv->deep.oom = false;
				sv->have_deep = td_metrics_render_deep(&din, &sv->deep) == 0;
				/* The rules that need two samples (rates, what persists)
				 * get their second at the next scrape, not a walk later. */
				sv->deep_n++;
			}
			rc = render_sample(sv, &s, &b, light ? &sv->deep : NULL);
			if (sv->follow)
				render_netns_up(sv, &b, 1);
			cmd_live_metrics(&sv->live, &b);
			if (b.oom)
				rc = -ENOMEM;
			if (s.have_counters && !light) {
				/* Keep this read for the next rate window, and its
				 * closing sockets for the next persistence check. */
				td_counters_free(&sv->prev);
				sv->prev = s.counters;
				td_counters_init(&s.counters);
				td_snapshot_free(&sv->prev_snap);
				sv->prev_snap = s.snap;
				td_snapshot_keep_marks(&sv->prev_snap);
				td_snapshot_init(&s.snap, NULL);
			}
			td_sample_free(&s);
		}
		if (rc == 0) {
			td_mbuf_free(&sv->cached);
			sv->cached = b;
			sv->cached_start = start;
			sv->have_cache = true;
		} else {
			td_mbuf_free(&b);
		}
	}
	out = NULL;
	if (sv->have_cache) {
		out = malloc(sv->cached.len + 1);
		if (out) {
			memcpy(out, sv->cached.p, sv->cached.len + 1);
			*len = sv->cached.len;
		}
	}
	pthread_mutex_unlock(&sv->lock);
	return out;
}

/* Does the client take gzip (Prometheus sends "Accept-Encoding: gzip")? A
 * "gzip" token whose q is not 0. */
static bool wants_gzip(struct MHD_Connection *c)
{
	const char *p =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);

	while (p && *p) {
		size_t n = strcspn(p, ","), name;
		const char *q;

		p += strspn(p, " \t");
		n = strcspn(p, ",");
		name = strcspn(p, " \t;,");
		if ((name == 4 && !strncasecmp(p, "gzip", 4)) || (name == 1 && *p == '*')) {
			q = memchr(p, ';', n);
			q = q ? strstr(q, "q=") : NULL;
			/* "gzip;q=0" refuses it; anything else takes it */
			return !(q && q < p + n && strtod(q + 2, NULL) == 0);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* text (len bytes) as a gzip member (RFC 1952), or NULL. */
static char *gzip_body(const char *text, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	uLong cap = compressBound((uLong)len) + 32; /* the gzip header and trailer */
	char *out = malloc(cap);

	if (!out)
		return NULL;
	/* 15 + 16: a gzip wrapper; level 6, zlib's default, is ~5x on metrics */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (Bytef *)text;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
			       void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	bool gz = false;

	if (status == MHD_HTTP_OK && mode == MHD_RESPMEM_MUST_FREE && wants_gzip(c)) {
		size_t zlen;
		char *z = gzip_body(body, len, &zlen);

		if (z) { /* else: the plain body still answers */
			free(body);
			body = z;
			len = zlen;
			gz = true;
		}
	}
	r = MHD_create_response_from_buffer(len, body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (mode == MHD_RESPMEM_MUST_FREE) /* a scrape: its encoding depends on the ask */
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req)
{
	static const char not_found[] = "not found: try /metrics\n";
	static const char not_allowed[] = "method not allowed: GET or HEAD\n";
	static const char denied[] = "authentication required\n";
	static int marker;
	struct server *sv = cls;
	struct timespec arrived;
	size_t len = 0;
	char *text;

	(void)version;
	(void)upload_data;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		/* Answer at once; MHD closes the connection instead of reading a body. */
		*upload_data_size = 0;
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", (void *)not_allowed,
			       sizeof(not_allowed) - 1, MHD_RESPMEM_PERSISTENT);
	}
	if (!*req) {
		/* First call: headers only. Answer on the second (MHD's idiom). */
		*req = &marker;
		return MHD_YES;
	}
	if (sv->nusers) {
		char *pass = NULL, *user = MHD_basic_auth_get_username_password(c, &pass);
		bool ok = user && pass && password_ok(sv, user, pass);

		MHD_free(user);
		MHD_free(pass);
		if (!ok) {
			struct MHD_Response *r = MHD_create_response_from_buffer(
				sizeof(denied) - 1, (void *)denied, MHD_RESPMEM_PERSISTENT);
			enum MHD_Result ret;

			if (!r)
				return MHD_NO;
			ret = MHD_queue_basic_auth_fail_response(c, "tcpdoctor", r);
			MHD_destroy_response(r);
			return ret;
		}
	}
	if (!strcmp(url, "/"))
		return respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)index_html,
			       sizeof(index_html) - 1, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return respond(c, MHD_HTTP_NOT_FOUND, "text/plain", (void *)not_found,
			       sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
	clock_gettime(CLOCK_MONOTONIC, &arrived);
	text = scrape(sv, &arrived, &len);
	if (!text)
		return respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			       (void *)"out of memory\n", 14, MHD_RESPMEM_PERSISTENT);
	return respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len,
		       MHD_RESPMEM_MUST_FREE);
}

/* ---- the command ------------------------------------------------------------------ */

/* 1,000 idle connections need 1,000 descriptors: raise the soft limit to
 * the hard one. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int cmd_serve(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "listen", required_argument, NULL, 'L' },
		{ "top", required_argument, NULL, 't' },
		{ "auth-file", required_argument, NULL, 'a' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "max-per-ip", required_argument, NULL, 'I' },
		{ "cache-ms", required_argument, NULL, 'C' },
		{ "set", required_argument, NULL, 'S' },
		{ "profile", required_argument, NULL, 'P' },
		{ "reconcile", required_argument, NULL, 'R' },
		{ 0 },
	};
	struct opts o = { .listen = DEFAULT_LISTEN,
			  .reconcile = CMD_LIVE_DEFAULT_RECONCILE,
			  .top = TD_METRICS_DEFAULT_TOP,
			  .max_conns = 4096,
			  .per_ip = 256,
			  .timeout = 10,
			  .cache_ms = 500,
			  .profile = TD_PROFILE_SERVER };
	struct server *sv;
	struct MHD_Daemon *d;
	char *cert = NULL, *key = NULL;
	unsigned flags;
	sigset_t set;
	int rc, fd, family, sig = 0;

	td_thresholds_init(&o.th);
	rc = cmd_getopt(argc, argv, ctx, own, "", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "serve: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (!o.tls_cert != !o.tls_key)
		return cmd_fail(TD_EXIT_USAGE, "--tls-cert and --tls-key go together");
	if (o.tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return cmd_fail(TD_EXIT_USAGE, "this libmicrohttpd was built without TLS");
	sv = calloc(1, sizeof(*sv));
	if (!sv)
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	pthread_mutex_init(&sv->lock, NULL);
	td_counters_init(&sv->prev);
	td_snapshot_init(&sv->prev_snap, NULL);
	sv->so.source = ctx->source;
	sv->so.family = ctx->family;
	sv->so.th = &o.th;
	sv->so.profile = o.profile;
	sv->top = (size_t)o.top;
	sv->cache_ms = o.cache_ms;
	sv->all_netns = ctx->all_netns;
	sv->netns_filter = ctx->netns_filter;
	rc = TD_EXIT_USAGE;
	if (o.auth_file && load_users(sv, o.auth_file) < 0)
		goto out;
	if (o.tls_cert && (!(cert = read_file(o.tls_cert, "--tls-cert")) ||
			   !(key = read_file(o.tls_key, "--tls-key"))))
		goto out;

	/* Bind here, then enter the namespace: the socket stays in ours. */
	rc = TD_EXIT_FAILED;
	fd = open_listener(o.listen, &family);
	if (fd < 0) {
		rc = fd == -2 ? TD_EXIT_USAGE : TD_EXIT_FAILED;
		goto out;
	}
	if (ctx->netns) {
		struct td_err err = { 0 };

		char path[4096];

		if (td_netns_enter(ctx->netns, &err) < 0) {
			close(fd);
			rc = cmd_fail(err.code == -TD_ENOTFOUND ? TD_EXIT_USAGE : TD_EXIT_FAILED,
				      "%s", err.msg);
			goto out;
		}
		sv->netns = ctx->netns;
		sv->follow = td_netns_path(ctx->netns, path, sizeof(path)) &&
			     td_netns_watch_init(&sv->watch, path, &err) == 0;
	}
	raise_nofile();
	/* In the namespace: the hooks watch it, the walk reads it. */
	if (cmd_live_open(&sv->live, ctx, o.reconcile) < 0) {
		close(fd);
		goto out;
	}
	cmd_live_use(&sv->live, &sv->so);
	/* Signals go to this thread only (sigwait below), not to MHD's. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* A pool of polling threads (epoll): idle and slow connections cost a
	 * descriptor, not a thread; a scrape being gathered holds one thread,
	 * the others keep answering. */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert)
		flags |= MHD_USE_TLS;
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, sv, MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4, MHD_OPTION_CONNECTION_LIMIT,
			     (unsigned)o.max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			     (unsigned)o.per_ip, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o.timeout,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
			     cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
			     MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	if (!d) {
		close(fd);
		rc = cmd_fail(TD_EXIT_FAILED, "could not start the HTTP server on %s%s", o.listen,
			      cert ? " (is the TLS key/certificate pair valid PEM?)" : "");
		goto out;
	}
	fprintf(stderr, "tcpdoctor: serving %s://%s/metrics%s%s\n", cert ? "https" : "http",
		o.listen,
		ctx->all_netns ? " about every network namespace"
		: ctx->netns   ? " about network namespace "
			       : "",
		ctx->netns ? ctx->netns : "");
	for (;;) {
		struct timespec tick = { 1, 0 };

		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			break;
		if (sv->follow)
			follow_netns(sv);
	}
	MHD_stop_daemon(d); /* closes fd too */
	rc = TD_EXIT_OK;
out:
	free(cert);
	free(key);
	td_mbuf_free(&sv->cached);
	td_mbuf_free(&sv->deep);
	cmd_live_close(&sv->live);
	td_counters_free(&sv->prev);
	td_snapshot_free(&sv->prev_snap);
	pthread_mutex_destroy(&sv->lock);
	free(sv);
	return rc;
}

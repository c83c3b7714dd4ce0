/* The health-check rules and their table; see rules.h. Every rule is a pure
 * function of its input: it reads the snapshot, counter deltas and sysctls,
 * fills struct td_finding records and hands each to the callback. The texts
 * (why, what to do) are ours, citing RFC 9293 and the kernel where it matters. */
#include "diagnose/rules.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "catalog.h"

/* ---- sysctls --------------------------------------------------------------------- */

void td_rule_sysctls_init(struct td_rule_sysctls *sc)
{
	int64_t *v = (int64_t *)sc;

	for (size_t i = 0; i < sizeof(*sc) / sizeof(int64_t); i++)
		v[i] = -1;
}

int td_rule_sysctls_read(struct td_rule_sysctls *sc, const char *root)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "net.ipv4.ip_local_port_range", offsetof(struct td_rule_sysctls, port_lo) },
		{ "net.ipv4.tcp_max_tw_buckets", offsetof(struct td_rule_sysctls, max_tw_buckets) },
		{ "net.ipv4.tcp_max_orphans", offsetof(struct td_rule_sysctls, max_orphans) },
		{ "net.core.somaxconn", offsetof(struct td_rule_sysctls, somaxconn) },
		{ "net.ipv4.tcp_max_syn_backlog",
		  offsetof(struct td_rule_sysctls, max_syn_backlog) },
		{ "net.ipv4.tcp_syncookies", offsetof(struct td_rule_sysctls, syncookies) },
		{ "net.ipv4.tcp_keepalive_time", offsetof(struct td_rule_sysctls, keepalive_time) },
		{ "net.ipv4.tcp_keepalive_intvl",
		  offsetof(struct td_rule_sysctls, keepalive_intvl) },
		{ "net.ipv4.tcp_keepalive_probes",
		  offsetof(struct td_rule_sysctls, keepalive_probes) },
		{ "net.ipv4.tcp_fin_timeout", offsetof(struct td_rule_sysctls, fin_timeout) },
		{ "net.ipv4.tcp_tw_reuse", offsetof(struct td_rule_sysctls, tw_reuse) },
		{ "net.ipv4.tcp_synack_retries", offsetof(struct td_rule_sysctls, synack_retries) },
		{ "net.ipv4.tcp_syn_retries", offsetof(struct td_rule_sysctls, syn_retries) },
		{ "net.ipv4.tcp_abort_on_overflow",
		  offsetof(struct td_rule_sysctls, abort_on_overflow) },
		{ "net.ipv4.tcp_syn_linear_timeouts",
		  offsetof(struct td_rule_sysctls, syn_linear_timeouts) },
	};
	/* Not audited (nothing to recommend), but the retry texts need it. */
	static const struct td_sysctl_entry linear = {
		.name = "net.ipv4.tcp_syn_linear_timeouts",
		.path = "net/ipv4/tcp_syn_linear_timeouts",
		.per_netns = true,
		.kind = TD_SK_INT,
	};
	int read = 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct td_sysctl_entry *e = td_sysctl_find(fields[i].name);
		int64_t *field = (int64_t *)((char *)sc + fields[i].off);
		struct td_sysctl_value v;

		if (!e && !strcmp(fields[i].name, linear.name))
			e = &linear;
		if (!e || td_sysctl_read(e, root, &v, NULL) < 0 || v.n < 1)
			continue;
		field[0] = v.v[0];
		if (e->kind == TD_SK_RANGE)
			field[1] = v.v[1]; /* port_hi follows port_lo */
		read++;
	}
	return read;
}

int td_rule_sysctls_audit(struct td_sysctl_finding *out, enum td_profile p, const char *root)
{
	size_t n = td_sysctl_count();
	struct td_sysctl_value *values = calloc(n ? n : 1, sizeof(*values));
	int read = 0;

	if (!values)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (td_sysctl_read(td_sysctl_entry_at(i), root, &values[i], NULL) == 0)
			read++;
		else
			values[i].n = 0;
	td_sysctl_audit(values, p, out);
	free(values);
	return read;
}

/* ---- finding helpers ------------------------------------------------------------- */

const char *td_severity_name(enum td_severity sev)
{
	static const char *const names[] = { "ok", "info", "warning", "critical" };

	return (unsigned)sev < sizeof(names) / sizeof(names[0]) ? names[sev] : "unknown";
}

static void finding_init(struct td_finding *f, const char *rule, enum td_severity sev)
{
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = sev;
}

/* The parameter a finding is about, for its remedy (diagnose/remedy.c). */
static void about_sysctl(struct td_finding *f, const char *name, const char *cur, const char *rec)
{
	const struct td_sysctl_entry *e = td_sysctl_find(name);

	snprintf(f->sysctl.name, sizeof(f->sysctl.name), "%s", name);
	snprintf(f->sysctl.cur, sizeof(f->sysctl.cur), "%s", cur);
	snprintf(f->sysctl.rec, sizeof(f->sysctl.rec), "%s", rec);
	f->sysctl.per_netns = e ? e->per_netns : true;
}

static void __attribute__((format(printf, 2, 3)))
summary(struct td_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), td_tr(fmt), ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
evidence(struct td_finding *f, const char *key, const char *fmt, ...)
{
	struct td_evidence *e;
	va_list ap;

	if (f->nevidence >= TD_FINDING_MAX_EVIDENCE)
		return;
	e = &f->evidence[f->nevidence++];
	snprintf(e->key, sizeof(e->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(e->value, sizeof(e->value), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3))) action(struct td_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (f->nactions >= TD_FINDING_MAX_ACTIONS)
		return;
	va_start(ap, fmt);
	vsnprintf(f->actions[f->nactions++], sizeof(f->actions[0]), td_tr(fmt), ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
look_closer(struct td_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->look_closer, sizeof(f->look_closer), fmt, ap);
	va_end(ap);
}

/* The subject process: "nginx[812]", or why it is unknown. */
static const char *owner_label(const struct td_rule_input *in, uint32_t pid, const char *comm,
			       char *buf, size_t len)
{
	if (pid)
		snprintf(buf, len, "%s[%u]", comm[0] ? comm : "?", pid);
	else if (in->owners_partial)
		snprintf(buf, len, "%s", td_tr_text(N_("unknown (owners hidden: run as root)")));
	else
		snprintf(buf, len, "%s", td_tr_text(N_("none (no process holds them)")));
	return buf;
}

static void set_owner(struct td_finding *f, uint32_t pid, const char *comm)
{
	f->pid = pid;
	if (pid)
		snprintf(f->comm, sizeof(f->comm), "%s", comm);
}

/* "now N" for advice, or "unknown" when the sysctl could not be read. */
static const char *now(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "%s", td_tr_text(N_("unknown here")));
	else
		snprintf(buf, len, td_tr("now %lld"), (long long)v);
	return buf;
}

/* A sysctl value as a number, "unknown" when it could not be read. */
static const char *now_val(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

/* Change of a counter over the sample; false when there is no sample or the
 * counter is absent from this kernel. */
static bool delta(const struct td_rule_input *in, const char *key, int64_t *d)
{
	if (!in->before || !in->after)
		return false;
	return td_counters_delta(in->before, in->after, key, d) == 0;
}

static bool rate(const struct td_rule_input *in, const char *key, double *r)
{
	int64_t d;

	if (!delta(in, key, &d) || in->elapsed <= 0)
		return false;
	*r = (double)d / in->elapsed;
	return true;
}

/* A gauge (sockstat) from the latest read. */
static bool gauge(const struct td_rule_input *in, const char *key, uint64_t *v)
{
	const struct td_counters *c = in->after ? in->after : in->before;

	return c && td_counters_get(c, key, v) == 0;
}

static const char *addr_port(const struct td_snap_group *g, char *buf, size_t len)
{
	if (g->port)
		return td_endpoint_str(g->family, g->addr, g->port, buf, len);
	return td_addr_str(g->family, g->addr, buf, len);
}

static const char *dur_s(uint32_t ms, char *buf, size_t len)
{
	if (ms >= 3600000)
		snprintf(buf, len, "%.1f h", ms / 3600000.0);
	else if (ms >= 60000)
		snprintf(buf, len, "%.1f min", ms / 60000.0);
	else
		snprintf(buf, len, "%.1f s", ms / 1000.0);
	return buf;
}

/* Sockets of g a rule may blame on their state lasting: with a second read
 * (td_snapshot_confirm) those still there a sample later, else the count of
 * the one read (a replay, --sample 0, the /proc source). */
static uint32_t lasting(const struct td_snapshot *snap, const struct td_snap_group *g)
{
	return snap->confirmed ? g->persisting : g->count;
}

#define EMIT(f)                                                                                    \
	do {                                                                                       \
		int emit_rc_;                                                                      \
		(f)->why = td_tr_text((f)->why);                                                   \
		emit_rc_ = cb((f), ctx);                                                           \
		if (emit_rc_)                                                                      \
			return emit_rc_;                                                           \
	} while (0)

/* ---- close-wait-leak ------------------------------------------------------------- */

enum { CW_MIN, CW_CRIT };

static const char why_close_wait[] =
	N_("CLOSE_WAIT means the peer sent its FIN and the kernel acknowledged it; the "
	   "connection stays there until the application calls close() (or shutdown()) on the "
	   "socket: no timer ends it (RFC 9293 3.6). Many of them in one process mean a code "
	   "path that stops using a connection after read() returned 0 (end of file) or an "
	   "error, but never closes it: a descriptor leak that ends in EMFILE.");

/* The destination (a PEER group with its port) holding most of the
 * client-side CLOSE_WAIT sockets of g's process. */
static const struct td_snap_group *close_wait_service(const struct td_snapshot *snap,
						      const struct td_snap_group *g)
{
	const struct td_snap_group *best = NULL;

	for (size_t i = 0; i < snap->ngroups; i++) {
		const struct td_snap_group *h = &snap->groups[i];

		if (h->kind != TD_SNAP_PEER || h->state != TD_CLOSE_WAIT || !h->port ||
		    h->pid != g->pid || !lasting(snap, h))
			continue;
		if (!best || lasting(snap, h) > lasting(snap, best))
			best = h;
	}
	return best;
}

static int rule_close_wait_leak(const struct td_rule_input *in, const double *p, td_finding_cb cb,
				void *ctx)
{
	const struct td_snapshot *snap = in->snap;

	for (size_t i = 0; i < snap->ngroups; i++) {
		const struct td_snap_group *g = &snap->groups[i];
		struct td_finding f;
		char who[80], d[32];
		uint32_t n;

		/* A client that closes a microsecond after the server (ab) shows
		 * dozens at any instant: only those still there a sample later
		 * are not being closed. */
		if (g->kind != TD_SNAP_LOCAL || g->state != TD_CLOSE_WAIT)
			continue;
		n = lasting(snap, g);
		if (!n || n < p[CW_MIN])
			continue;
		/* Most CLOSE_WAIT of this side (server on the port, or client)
		 * were closed during the sample and the rest are young: a slow
		 * reader (ab with a thousand connections on a busy core), not a
		 * leak; leaked ones grow old. Counted over every process: the
		 * sockets opened after the owner walk have none. */
		if (snap->confirmed && g->persisting_old < p[CW_MIN]) {
			uint64_t all = 0, kept = 0;

			for (size_t k = 0; k < snap->ngroups; k++) {
				const struct td_snap_group *h = &snap->groups[k];

				if (h->kind == TD_SNAP_LOCAL && h->state == TD_CLOSE_WAIT &&
				    h->port == g->port) {
					all += h->count;
					kept += h->persisting;
				}
			}
			if (kept * 2 < all)
				continue;
		}
		finding_init(&f, "close-wait-leak",
			     n >= p[CW_CRIT] ? TD_SEV_CRITICAL : TD_SEV_WARNING);
		owner_label(in, g->pid, g->comm, who, sizeof(who));
		set_owner(&f, g->pid, g->comm);
		f.port = g->port;
		f.count = n;
		if (g->pid && g->port)
			summary(&f,
				"process %s does not close sockets after the peer closes: %u in "
				"CLOSE_WAIT on port %u",
				who, n, g->port);
		else if (g->pid)
			summary(&f,
				"process %s does not close sockets after the peer closes: %u "
				"outgoing connections in CLOSE_WAIT",
				who, n);
		else if (g->port)
			summary(&f,
				"%u sockets in CLOSE_WAIT on port %u: the application does not "
				"close them after the peer closes",
				n, g->port);
		else
			summary(&f,
				"%u outgoing connections in CLOSE_WAIT: the application does not "
				"close them after the peer closes",
				n);
		evidence(&f, "process", "%s", who);
		if (g->port)
			evidence(&f, "local port", "%u (a listener: server side)", g->port);
		else
			evidence(&f, "local port", "ephemeral (outgoing connections)");
		if (snap->confirmed)
			evidence(&f, "CLOSE_WAIT",
				 "%u sockets, %u of them still there %.1f s later", g->count, n,
				 in->elapsed);
		else
			evidence(&f, "CLOSE_WAIT", "%u sockets", g->count);
		if (!g->port) {
			/* Client side: the service that closed is the one fact needed
			 * (the pool towards it does not drop dead connections). */
			const struct td_snap_group *svc = close_wait_service(snap, g);
			char ep[80];

			if (svc) {
				addr_port(svc, ep, sizeof(ep));
				snprintf(f.peer, sizeof(f.peer), "%s", ep);
				evidence(&f, "peer service", "%s (%u of them; it closed first)", ep,
					 lasting(snap, svc));
			}
		}
		if (g->with_info)
			evidence(&f, "oldest", "idle for %s", dur_s(g->max_idle_ms, d, sizeof(d)));
		if (g->max_rqueue)
			evidence(&f, "unread data", "up to %u bytes still in Recv-Q",
				 g->max_rqueue);
		f.why = why_close_wait;
		action(&f,
		       "In %s, close the socket when read()/recv() returns 0 or an error, on "
		       "every path (finally/defer/RAII, or a pool that drops dead connections)",
		       g->pid ? who : "the application owning the port");
		action(&f, "Restarting the process frees them, but they come back until the code "
			   "is fixed; no sysctl shortens CLOSE_WAIT");
		if (g->pid)
			look_closer(&f, "tcpdoctor conns --state close-wait --pid %u -i", g->pid);
		else if (g->port)
			look_closer(&f, "tcpdoctor conns --state close-wait --sport %u -i",
				    g->port);
		else
			look_closer(&f, "tcpdoctor conns --state close-wait -p -i");
		EMIT(&f);
	}
	return 0;
}

/* ---- time-wait-pressure ---------------------------------------------------------- */

enum { TW_RATIO, TW_CRIT, TW_BUCKETS };

static const char why_time_wait[] =
	N_("The side that closes first keeps the connection in TIME_WAIT for 2 MSL so that late "
	   "segments cannot be taken for a new connection (RFC 9293 3.6.1); Linux fixes this at "
	   "60 s (TCP_TIMEWAIT_LEN), no sysctl changes it. While it lasts, that 4-tuple cannot be "
	   "used again, so a client opening and closing connections to one destination faster "
	   "than (port range)/60 s per second runs out of local ports: connect() fails with "
	   "EADDRNOTAVAIL.");

/* Is addr a loopback address (127/8, ::1, ::ffff:127.0.0.0/104)? */
static bool is_loopback(int family, const uint8_t *addr)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET)
		return addr[0] == 127;
	return !memcmp(addr, v6lo, 16) || (!memcmp(addr, mapped, 12) && addr[12] == 127);
}

/* Will connect() take over a TIME_WAIT port towards this destination?
 * tcp_twsk_unique(): tcp_tw_reuse=1 everywhere, 2 (the default since 4.19)
 * when an address is loopback (timestamps on, and a second after the last
 * segment, which a port range's worth of connections always leaves). */
static bool tw_reused(const struct td_rule_input *in, int family, const uint8_t *addr)
{
	return in->sysctl.tw_reuse == 1 || (in->sysctl.tw_reuse == 2 && is_loopback(family, addr));
}

static void tw_advice(struct td_finding *f, const struct td_rule_input *in)
{
	char a[32], b[32];

	action(f, "Reuse connections (HTTP keep-alive, a connection pool) instead of one "
		  "connection per request");
	action(f, "Let the server close first where the protocol allows: TIME_WAIT then stays "
		  "on the server, whose 4-tuples spread over many clients");
	if (in->sysctl.tw_reuse != 1)
		action(f,
		       "sysctl net.ipv4.tcp_tw_reuse=1 lets new outgoing connections take over "
		       "TIME_WAIT ports safely (timestamps needed; %s, default 2 = loopback only)",
		       now(in->sysctl.tw_reuse, a, sizeof(a)));
	if (in->sysctl.port_lo >= 0)
		snprintf(b, sizeof(b), "now %" PRId64 "-%" PRId64, in->sysctl.port_lo,
			 in->sysctl.port_hi);
	else
		snprintf(b, sizeof(b), "unknown here");
	action(f,
	       "Widen net.ipv4.ip_local_port_range (%s; e.g. \"10000 65000\", keeping "
	       "listening ports out)",
	       b);
	action(f, "Do not look for tcp_tw_recycle: it was removed in Linux 4.12, it broke "
		  "clients behind NAT");
}

static int rule_time_wait_pressure(const struct td_rule_input *in, const double *p,
				   td_finding_cb cb, void *ctx)
{
	const struct td_snapshot *snap = in->snap;
	int64_t range = in->sysctl.port_lo >= 0 ? in->sysctl.port_hi - in->sysctl.port_lo + 1 : -1;
	uint64_t tw = snap->counts[TD_TIME_WAIT];
	int64_t overflow;
	double opens = -1;
	char ep[80];

	/* New outgoing connections over the sample: each becomes a TIME_WAIT
	 * here when this side closes first. */
	if (!rate(in, "Tcp.ActiveOpens", &opens))
		opens = -1;
	if (range > 0) {
		for (size_t i = 0; i < snap->ngroups; i++) {
			const struct td_snap_group *g = &snap->groups[i];
			struct td_finding f;
			double used;
			char a[32];

			/* Client side only: a peer group with the destination port. */
			if (g->kind != TD_SNAP_PEER || g->state != TD_TIME_WAIT || !g->port)
				continue;
			used = (double)g->count / (double)range;
			/* Where the kernel reuses TIME_WAIT ports no connect fails
			 * for them: busy loopback clients keep half the range there. */
			if (used < p[TW_RATIO] || tw_reused(in, g->family, g->addr))
				continue;
			finding_init(&f, "time-wait-pressure",
				     used >= p[TW_CRIT] ? TD_SEV_CRITICAL : TD_SEV_WARNING);
			addr_port(g, ep, sizeof(ep));
			snprintf(f.peer, sizeof(f.peer), "%s", ep);
			f.port = g->port;
			f.count = g->count;
			summary(&f,
				"%u TIME_WAIT sockets towards %s use %.0f%% of the %lld"
				" local ports: new connections there will fail with EADDRNOTAVAIL",
				g->count, ep, used * 100, (long long)range);
			evidence(&f, "destination", "%s", ep);
			evidence(&f, "TIME_WAIT", "%u sockets (%.0f%% of the port range)", g->count,
				 used * 100);
			evidence(&f, "port range", "%" PRId64 "-%" PRId64 " (%" PRId64 " ports)",
				 in->sysctl.port_lo, in->sysctl.port_hi, range);
			if (opens >= 0)
				evidence(&f, "closing rate",
					 "%.1f new outgoing connections/s over the %.1f s sample "
					 "(all destinations; TIME_WAIT lasts 60 s)",
					 opens, in->elapsed);
			else
				evidence(&f, "closing rate",
					 "at least %.1f connections/s over the last minute "
					 "(TIME_WAIT lasts 60 s)",
					 g->count / 60.0);
			evidence(&f, "tcp_tw_reuse", "%s: %s",
				 now(in->sysctl.tw_reuse, a, sizeof(a)),
				 in->sysctl.tw_reuse == 2
					 ? "reuse on loopback only, not towards this destination"
					 : "TIME_WAIT ports are not reused");
			evidence(&f, "who closes first", "this host (the client side)");
			f.why = why_time_wait;
			tw_advice(&f, in);
			look_closer(&f, "tcpdoctor conns --state time-wait --dst %s",
				    td_addr_str(g->family, g->addr, ep, sizeof(ep)));
			EMIT(&f);
		}
	}
	if (delta(in, "TcpExt.TCPTimeWaitOverflow", &overflow) && overflow > 0) {
		struct td_finding f;
		char nb[32];

		finding_init(&f, "time-wait-pressure", TD_SEV_CRITICAL);
		f.count = (uint64_t)overflow;
		f.rate = overflow / in->elapsed;
		summary(&f,
			"tcp_max_tw_buckets reached: %lld closing connections skipped "
			"TIME_WAIT in %.1f s",
			(long long)overflow, in->elapsed);
		evidence(&f, "TCPTimeWaitOverflow", "+%" PRId64 " in %.1f s", overflow,
			 in->elapsed);
		evidence(&f, "TIME_WAIT", "%" PRIu64 " sockets", tw);
		evidence(&f, "tcp_max_tw_buckets", "%s",
			 now_val(in->sysctl.max_tw_buckets, nb, sizeof(nb)));
		f.why = why_time_wait;
		tw_advice(&f, in);
		look_closer(&f, "tcpdoctor states --state time-wait --by peer");
		EMIT(&f);
	} else if (in->sysctl.max_tw_buckets > 0 &&
		   (double)tw >= p[TW_BUCKETS] * (double)in->sysctl.max_tw_buckets) {
		struct td_finding f;

		finding_init(&f, "time-wait-pressure", TD_SEV_WARNING);
		f.count = tw;
		summary(&f, "%llu TIME_WAIT sockets, near tcp_max_tw_buckets (%lld)",
			(unsigned long long)tw, (long long)in->sysctl.max_tw_buckets);
		evidence(&f, "TIME_WAIT", "%" PRIu64 " sockets", tw);
		evidence(&f, "tcp_max_tw_buckets",
			 "%" PRId64 " (beyond it, closing connections "
			 "skip TIME_WAIT)",
			 in->sysctl.max_tw_buckets);
		f.why = why_time_wait;
		tw_advice(&f, in);
		look_closer(&f, "tcpdoctor states --state time-wait --by peer");
		EMIT(&f);
	}
	return 0;
}

/* ---- SYN_SENT by destination (accept-queue-overflow and syn-sent-stuck) ----------- */

static bool same_dest(const struct td_snap_group *a, const struct td_snap_group *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

/* The local listener a connect to (family, addr, port) reaches when its
 * accept queue is full, or NULL: Linux then drops the SYN
 * (tcp_conn_request: sk_acceptq_is_full), the client sees silence. A
 * wildcard listener takes any local address; [::] takes IPv4 too. */
static const struct td_snap_listener *full_listener(const struct td_snapshot *snap, int family,
						    const uint8_t *addr, uint16_t port)
{
	static const uint8_t any[16];

	for (size_t i = 0; i < snap->nlisteners; i++) {
		const struct td_snap_listener *l = &snap->listeners[i];
		bool wild = !memcmp(l->addr, any, 16);

		if (l->port != port || !l->has_backlog || l->accept_queue < l->backlog ||
		    !l->accept_queue)
			continue;
		if ((l->family == family && (wild || !memcmp(l->addr, addr, 16))) ||
		    (wild && l->family == AF_INET6))
			return l;
	}
	return NULL;
}

/* SYN_SENT towards one destination, summed over every process. */
struct syn_dest {
	uint32_t count, retransmitting, max_retrans, nproc;
	const struct td_snap_group *top; /* the process with most */
	char procs[160];
};

static void syn_dest_sum(const struct td_rule_input *in, size_t first, struct syn_dest *d)
{
	const struct td_snapshot *snap = in->snap;
	const struct td_snap_group *g0 = &snap->groups[first];
	size_t used = 0;

	memset(d, 0, sizeof(*d));
	for (size_t j = first; j < snap->ngroups; j++) {
		const struct td_snap_group *g = &snap->groups[j];
		char who[80];
		int w;

		if (g->kind != TD_SNAP_PEER || g->state != TD_SYN_SENT || !same_dest(g, g0))
			continue;
		d->count += g->count;
		d->retransmitting += g->retransmitting;
		if (g->max_retrans > d->max_retrans)
			d->max_retrans = g->max_retrans;
		if (!d->top || g->retransmitting > d->top->retransmitting)
			d->top = g;
		d->nproc++;
		owner_label(in, g->pid, g->comm, who, sizeof(who));
		w = snprintf(d->procs + used, sizeof(d->procs) - used, "%s%s (%u)",
			     used ? ", " : "", who, g->count);
		if (w < 0 || (size_t)w >= sizeof(d->procs) - used) {
			/* Cut on a whole entry. */
			d->procs[used] = '\0';
			if (used + 6 < sizeof(d->procs))
				snprintf(d->procs + used, sizeof(d->procs) - used, ", ...");
			used = sizeof(d->procs) - 1;
		} else {
			used += (size_t)w;
		}
	}
}

/* Is there a SYN_SENT group to g's destination before index i? */
static bool dest_seen(const struct td_snapshot *snap, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (snap->groups[j].kind == TD_SNAP_PEER && snap->groups[j].state == TD_SYN_SENT &&
		    same_dest(&snap->groups[j], &snap->groups[i]))
			return true;
	return false;
}

/* ---- accept-queue-overflow ------------------------------------------------------- */

enum { AQ_FILL, AQ_OVERFLOWS };

static const char why_accept_queue[] =
	N_("When a handshake completes, the kernel queues the connection on the listener until "
	   "the application calls accept(). The queue holds the listen() backlog (capped by "
	   "net.core.somaxconn); when it is full the kernel drops new SYNs and the client's final "
	   "ACK (ListenOverflows), so clients retransmit from SYN_SENT as if the server were down "
	   "or filtered, and connects are slow or time out while the server looks idle. The "
	   "application accepts too slowly: its accept loop is blocked, "
	   "busy, or has too few workers.");

static void accept_advice(struct td_finding *f, const struct td_rule_input *in, const char *who,
			  uint32_t backlog)
{
	char a[32], b[32];

	action(f,
	       "Make %s call accept() sooner: a dedicated accept loop or thread, no blocking "
	       "work between accept() calls, more workers (SO_REUSEPORT)",
	       who);
	action(f,
	       "If bursts are legitimate, raise the listen() backlog (now %u) together with "
	       "net.core.somaxconn (%s)",
	       backlog, now(in->sysctl.somaxconn, a, sizeof(a)));
	action(f,
	       "net.ipv4.tcp_abort_on_overflow=1 turns the silent drop into a RST the client "
	       "sees (%s; for debugging, not a fix)",
	       now(in->sysctl.abort_on_overflow, b, sizeof(b)));
}

/* Clients on this host stuck in SYN_SENT towards the full listener l: one
 * story (their SYNs are dropped while the queue is full), told here, and
 * syn-sent-stuck leaves those destinations alone. */
static void local_clients(const struct td_rule_input *in, const struct td_snap_listener *l,
			  struct td_finding *f)
{
	const struct td_snapshot *snap = in->snap;
	uint32_t n = 0, stuck = 0;
	char procs[160] = "", who[80];
	size_t used = 0;

	for (size_t i = 0; i < snap->ngroups; i++) {
		const struct td_snap_group *g = &snap->groups[i];
		int w;

		if (g->kind != TD_SNAP_PEER || g->state != TD_SYN_SENT ||
		    full_listener(snap, g->family, g->addr, g->port) != l)
			continue;
		n += g->count;
		stuck += g->retransmitting;
		owner_label(in, g->pid, g->comm, who, sizeof(who));
		w = snprintf(procs + used, sizeof(procs) - used, "%s%s", used ? ", " : "", who);
		if (w > 0 && (size_t)w < sizeof(procs) - used)
			used += (size_t)w;
		else
			procs[used] = '\0';
	}
	if (!n)
		return;
	evidence(f, "clients here", "%u connects in SYN_SENT to this listener, %u retrying: %s", n,
		 stuck, procs);
	evidence(f, "their SYNs",
		 "dropped while the accept queue is full: the clients see silence, "
		 "not a refusal; no firewall is involved");
}

static int rule_accept_queue_overflow(const struct td_rule_input *in, const double *p,
				      td_finding_cb cb, void *ctx)
{
	const struct td_snapshot *snap = in->snap;
	int64_t overflows = 0, drops = 0;
	bool have_ov = delta(in, "TcpExt.ListenOverflows", &overflows);
	bool fired = false;
	char ep[80], who[80];

	delta(in, "TcpExt.ListenDrops", &drops);
	for (size_t i = 0; i < snap->nlisteners; i++) {
		const struct td_snap_listener *l = &snap->listeners[i];
		double need = p[AQ_FILL] * l->backlog;
		bool full;
		struct td_finding f;

		if (!l->has_backlog || !l->accept_queue || l->accept_queue < need)
			continue;
		/* sk_acceptq_is_full() is "queue > backlog": a full queue holds backlog + 1. */
		full = l->accept_queue > l->backlog;
		finding_init(&f, "accept-queue-overflow",
			     full || (have_ov && overflows >= p[AQ_OVERFLOWS]) ? TD_SEV_CRITICAL
									       : TD_SEV_WARNING);
		td_endpoint_str(l->family, l->addr, l->port, ep, sizeof(ep));
		owner_label(in, l->pid, l->comm, who, sizeof(who));
		set_owner(&f, l->pid, l->comm);
		f.port = l->port;
		f.count = l->accept_queue;
		summary(&f,
			"the accept queue of %s is %s (%u of backlog %u): %s accepts "
			"connections too slowly",
			ep, full ? td_tr_text(N_("full")) : td_tr_text(N_("nearly full")),
			l->accept_queue, l->backlog, who);
		evidence(&f, "listener", "%s", ep);
		evidence(&f, "process", "%s", who);
		evidence(&f, "accept queue", "%u waiting for accept(), backlog %u", l->accept_queue,
			 l->backlog);
		if (have_ov) {
			f.rate = overflows / in->elapsed;
			evidence(&f, "ListenOverflows", "+%" PRId64 " in %.1f s (all listeners)",
				 overflows, in->elapsed);
			evidence(&f, "ListenDrops", "+%" PRId64 " in %.1f s", drops, in->elapsed);
		}
		if (full_listener(snap, l->family, l->addr, l->port) == l)
			local_clients(in, l, &f);
		f.why = why_accept_queue;
		accept_advice(&f, in, l->pid ? who : "the server", l->backlog);
		look_closer(&f, "tcpdoctor conns -l --sport %u", l->port);
		fired = true;
		EMIT(&f);
	}
	if (!fired && have_ov && overflows >= p[AQ_OVERFLOWS] && overflows > 0) {
		struct td_finding f;

		finding_init(&f, "accept-queue-overflow", TD_SEV_WARNING);
		f.count = (uint64_t)overflows;
		f.rate = overflows / in->elapsed;
		summary(&f,
			"listen queues overflowed %lld times in %.1f s: a server "
			"accepts connections too slowly in bursts",
			(long long)overflows, in->elapsed);
		evidence(&f, "ListenOverflows", "+%" PRId64 " in %.1f s", overflows, in->elapsed);
		evidence(&f, "ListenDrops", "+%" PRId64 " in %.1f s", drops, in->elapsed);
		f.why = why_accept_queue;
		accept_advice(&f, in, "the server", 0);
		look_closer(&f, "tcpdoctor conns -l");
		EMIT(&f);
	}
	return 0;
}

/* ---- syn-flood ------------------------------------------------------------------- */

enum { SF_MIN, SF_SOURCES, SF_COOKIES, SF_QUEUE };

/* Sum of the backlogs of the listeners on port (the SYN queue of each is
 * bounded by its backlog, as the accept queue), 0 when none is known. */
static uint64_t port_backlog(const struct td_snapshot *snap, uint16_t port)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < snap->nlisteners; i++)
		if (snap->listeners[i].port == port && snap->listeners[i].has_backlog)
			sum += snap->listeners[i].backlog;
	return sum;
}

/* A cumulative counter (since the namespace began) as evidence. */
static void since_start(struct td_finding *f, const struct td_rule_input *in, const char *key)
{
	uint64_t v;

	if (in->before && td_counters_get(in->before, key, &v) == 0 && v)
		evidence(f, strchr(key, '.') + 1, "%" PRIu64 " since the namespace started", v);
}

static const char why_syn_flood[] =
	N_("Each SYN to a listener creates a request socket (SYN_RECV) that waits for the "
	   "client's ACK while the kernel retransmits its SYN-ACK (tcp_synack_retries times). "
	   "SYNs from many sources that never answer fill the listener's SYN queue; with "
	   "net.ipv4.tcp_syncookies=1 the kernel then answers with SYN cookies and keeps no "
	   "state, otherwise new clients are dropped. Unlike a full accept queue, here the "
	   "handshakes never complete, so the application is not at fault.");

static int rule_syn_flood(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			  void *ctx)
{
	const struct td_snapshot *snap = in->snap;
	int64_t cookies = 0, qfull = 0;
	bool have_cookies = delta(in, "TcpExt.SyncookiesSent", &cookies);
	bool fired = false;
	char a[32], b[32], c[32];

	delta(in, "TcpExt.TCPReqQFullDrop", &qfull);
	for (size_t i = 0; i < snap->ngroups; i++) {
		const struct td_snap_group *g = &snap->groups[i];
		uint64_t backlog;
		double need;
		bool many, full;
		struct td_finding f;

		if (g->kind != TD_SNAP_LOCAL || g->state != TD_SYN_RECV || !g->port)
			continue;
		backlog = port_backlog(snap, g->port);
		/* A small backlog bounds the SYN queue: full is a flood's mark too. */
		full = backlog && g->count >= backlog;
		if (g->count < p[SF_MIN] && !(full && g->count >= p[SF_QUEUE]))
			continue;
		/* Many sources: the threshold, or at least half the requests from
		 * different addresses when there are fewer requests than that. */
		need = g->count / 2.0 < 4 ? 4 : g->count / 2.0;
		many = g->distinct >= (need < p[SF_SOURCES] ? need : p[SF_SOURCES]);
		/* Critical when new clients are being turned away or cookies flow. */
		finding_init(&f, "syn-flood",
			     many && ((have_cookies && cookies >= p[SF_COOKIES] && cookies > 0) ||
				      qfull > 0 || (full && in->sysctl.syncookies == 0))
				     ? TD_SEV_CRITICAL
				     : TD_SEV_WARNING);
		f.port = g->port;
		f.count = g->count;
		if (many)
			summary(&f,
				"possible SYN flood on port %u: %u half-open handshakes from %s%u "
				"sources",
				g->port, g->count, g->distinct_full ? ">= " : "", g->distinct);
		else
			summary(&f,
				"%u handshakes on port %u never complete, from only %u "
				"source(s): their ACKs (or our SYN-ACKs) are lost",
				g->count, g->port, g->distinct);
		evidence(&f, "listener port", "%u", g->port);
		if (backlog)
			evidence(&f, "SYN_RECV", "%u request sockets (backlog %" PRIu64 "%s)",
				 g->count, backlog, full ? ": the SYN queue is full" : "");
		else
			evidence(&f, "SYN_RECV", "%u request sockets", g->count);
		evidence(&f, "sources", "%s%u distinct addresses", g->distinct_full ? ">= " : "",
			 g->distinct);
		if (g->max_retrans)
			evidence(&f, "SYN-ACK retransmits", "up to %u per request", g->max_retrans);
		/* In the sample when they moved, else what the namespace saw so far. */
		if (cookies > 0)
			evidence(&f, "SyncookiesSent", "+%" PRId64 " in %.1f s", cookies,
				 in->elapsed);
		else
			since_start(&f, in, "TcpExt.SyncookiesSent");
		if (qfull > 0)
			evidence(&f, "TCPReqQFullDrop", "+%" PRId64 " in %.1f s", qfull,
				 in->elapsed);
		else
			since_start(&f, in, "TcpExt.TCPReqQFullDrop");
		evidence(&f, "tcp_syncookies", "%s", now(in->sysctl.syncookies, a, sizeof(a)));
		f.why = why_syn_flood;
		action(&f, "Keep net.ipv4.tcp_syncookies=1 (%s)",
		       now(in->sysctl.syncookies, a, sizeof(a)));
		action(&f, "Rate-limit SYNs per source at the edge (nftables 'limit rate', a "
			   "DDoS filter) if the sources are hostile");
		action(&f, "Lower net.ipv4.tcp_synack_retries (%s) to free request sockets sooner",
		       now(in->sysctl.synack_retries, b, sizeof(b)));
		action(&f,
		       "For real load, raise net.ipv4.tcp_max_syn_backlog (%s) and the listen "
		       "backlog",
		       now(in->sysctl.max_syn_backlog, c, sizeof(c)));
		if (!many)
			action(&f, "With few sources, check the path back to them (routes, a "
				   "firewall dropping the SYN-ACK or the ACK): tcpdoctor probe");
		look_closer(&f, "tcpdoctor conns --state syn-recv --sport %u", g->port);
		fired = true;
		EMIT(&f);
	}
	if (!fired && have_cookies && cookies >= p[SF_COOKIES] && cookies > 0) {
		struct td_finding f;

		finding_init(&f, "syn-flood", TD_SEV_WARNING);
		f.count = (uint64_t)cookies;
		f.rate = cookies / in->elapsed;
		summary(&f,
			"SYN cookies sent %lld times in %.1f s: a listener's SYN queue "
			"overflowed",
			(long long)cookies, in->elapsed);
		evidence(&f, "SyncookiesSent", "+%" PRId64 " in %.1f s", cookies, in->elapsed);
		f.why = why_syn_flood;
		action(&f, "Find the listener: tcpdoctor states --state syn-recv --by lport");
		look_closer(&f, "tcpdoctor states --state syn-recv --by lport");
		EMIT(&f);
	}
	return 0;
}

/* ---- syn-sent-stuck -------------------------------------------------------------- */

enum { SS_MIN, SS_SCAN };

static const char why_syn_sent[] =
	N_("A connect() stays in SYN_SENT until a SYN-ACK (connected), a RST (ECONNREFUSED) or "
	   "an ICMP error arrives. Silence means the SYN or the answer is dropped: the host is "
	   "down, a firewall drops packets, or a route is missing. The kernel retransmits the "
	   "SYN tcp_syn_retries times with exponential backoff from 1 s before connect() fails "
	   "with ETIMEDOUT.");

/* Linux 6.5+ (tcp_syn_linear_timeouts present). */
static const char why_syn_sent_linear[] =
	N_("A connect() stays in SYN_SENT until a SYN-ACK (connected), a RST (ECONNREFUSED) or "
	   "an ICMP error arrives. Silence means the SYN or the answer is dropped: the host is "
	   "down, a firewall drops packets, or a route is missing. This kernel retransmits the "
	   "SYN tcp_syn_linear_timeouts times a second apart, then tcp_syn_retries times with "
	   "exponential backoff, before connect() fails with ETIMEDOUT.");

/* Seconds an unanswered connect() waits before ETIMEDOUT (initial RTO 1 s):
 * tcp_write_timeout() allows syn_retries + linear retransmits, the first
 * linear of them after 1 s each (tcp_retransmit_timer), then doubling. */
double td_syn_give_up_s(int64_t retries, int64_t linear)
{
	double total = 1, rto = 1;

	if (linear < 0)
		linear = 0;
	for (int64_t k = 1; k <= retries + linear; k++) {
		if (k > linear)
			rto = rto * 2 > 120 ? 120 : rto * 2;
		total += rto;
	}
	return total;
}

static int rule_syn_sent_stuck(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			       void *ctx)
{
	const struct td_snapshot *snap = in->snap;
	char who[80], ep[80], a[32];

	for (size_t i = 0; i < snap->ngroups; i++) {
		const struct td_snap_group *g = &snap->groups[i];
		struct td_finding f;
		struct syn_dest d;

		if (g->state != TD_SYN_SENT)
			continue;
		owner_label(in, g->pid, g->comm, who, sizeof(who));
		/* Only connects whose SYN was already retransmitted (unanswered for
		 * a second or more): a burst of parallel connects to a far server
		 * is normal. Counted per destination over every process: four
		 * services each retrying once towards one dead database is the
		 * same outage. */
		if (g->kind == TD_SNAP_PEER && !dest_seen(snap, i)) {
			syn_dest_sum(in, i, &d);
			if (d.retransmitting < p[SS_MIN] || !d.retransmitting)
				continue;
			/* A full accept queue here drops the SYNs: that is the
			 * accept-queue-overflow finding, which names these clients. */
			if (full_listener(snap, g->family, g->addr, g->port))
				continue;
			finding_init(&f, "syn-sent-stuck", TD_SEV_WARNING);
			addr_port(g, ep, sizeof(ep));
			owner_label(in, d.top->pid, d.top->comm, who, sizeof(who));
			set_owner(&f, d.top->pid, d.top->comm);
			snprintf(f.peer, sizeof(f.peer), "%s", ep);
			f.port = g->port;
			f.count = d.retransmitting;
			if (d.nproc > 1)
				summary(&f,
					"%u connects from %u processes to %s get no answer "
					"(SYN_SENT): the service is down, unreachable or filtered",
					d.retransmitting, d.nproc, ep);
			else
				summary(&f,
					"%u connects from %s to %s get no answer (SYN_SENT): the "
					"service is down, unreachable or filtered",
					d.retransmitting, who, ep);
			evidence(&f, "destination", "%s", ep);
			evidence(&f, d.nproc > 1 ? "processes" : "process", "%s",
				 d.nproc > 1 ? d.procs : who);
			evidence(&f, "SYN_SENT",
				 "%u sockets, %u of them unanswered for 1 s or more", d.count,
				 d.retransmitting);
			if (d.max_retrans)
				evidence(&f, "SYN retransmits", "up to %u so far", d.max_retrans);
			evidence(&f, "tcp_syn_retries", "%s",
				 now(in->sysctl.syn_retries, a, sizeof(a)));
			if (in->sysctl.syn_linear_timeouts >= 0)
				evidence(&f, "tcp_syn_linear_timeouts", "%" PRId64,
					 in->sysctl.syn_linear_timeouts);
			if (in->sysctl.syn_retries >= 0)
				evidence(&f, "connect() gives up",
					 "after about %.0f s without an answer (%" PRId64
					 " SYN retransmits)",
					 td_syn_give_up_s(in->sysctl.syn_retries,
							  in->sysctl.syn_linear_timeouts),
					 in->sysctl.syn_retries +
						 (in->sysctl.syn_linear_timeouts > 0
							  ? in->sysctl.syn_linear_timeouts
							  : 0));
			f.why = in->sysctl.syn_linear_timeouts >= 0 ? why_syn_sent_linear
								    : why_syn_sent;
			action(&f, "Check that %s is up and listening: tcpdoctor probe %s", ep, ep);
			action(&f,
			       "Look for a firewall dropping SYNs or their answers (nft list "
			       "ruleset on both ends, security groups) and for a missing route");
			action(&f,
			       "Give connect() a timeout in the application and fail fast instead "
			       "of piling up connection attempts");
			look_closer(&f, "tcpdoctor conns --state syn-sent --dst %s",
				    td_addr_str(g->family, g->addr, ep, sizeof(ep)));
			EMIT(&f);
		} else if (g->kind == TD_SNAP_LOCAL && g->distinct >= p[SS_SCAN]) {
			finding_init(&f, "syn-sent-stuck", TD_SEV_WARNING);
			set_owner(&f, g->pid, g->comm);
			f.count = g->distinct;
			summary(&f,
				"process %s is connecting to %s%u different addresses at once: "
				"scanner or worm-like behaviour",
				who, g->distinct_full ? ">= " : "", g->distinct);
			evidence(&f, "process", "%s", who);
			evidence(&f, "destinations", "%s%u distinct addresses in SYN_SENT",
				 g->distinct_full ? ">= " : "", g->distinct);
			evidence(&f, "SYN_SENT", "%u sockets", g->count);
			f.why = why_syn_sent;
			action(&f,
			       "Find out why %s talks to so many hosts: a crawler or health "
			       "checker is expected to, anything else is suspicious",
			       who);
			action(&f,
			       "If it should not, stop it and inspect its binary and parent "
			       "(ls -l /proc/%u/exe; cat /proc/%u/cmdline)",
			       g->pid, g->pid);
			look_closer(&f, "tcpdoctor conns --state syn-sent --pid %u", g->pid);
			EMIT(&f);
		}
	}
	return 0;
}

/* ---- fin-wait1 / fin-wait2 / last-ack piling ------------------------------------ */

enum { PILE_MIN, PILE_CRIT };

struct piling {
	const char *id;
	int state;
	const char *what; /* summary tail */
	const char *why;
	const char *todo[3];
};

static const struct piling pilings[] = {
	{ "fin-wait1-piling",
	  TD_FIN_WAIT1,
	  N_("our FIN is not acknowledged: peers are gone or do not read"),
	  N_("FIN_WAIT1 means this side closed and sent (or queued) its FIN, and the peer has "
	     "not acknowledged it. Usually the peer vanished (host down, path cut) or its receive "
	     "window is zero, so our unsent data and FIN wait; the kernel retries with backoff "
	     "(tcp_orphan_retries for orphaned sockets) before it gives up."),
	  { N_("Find the peers in the evidence: are they up, do they read? tcpdoctor probe "
	       "HOST:PORT"),
	    N_("Use timeouts on writes so the application does not close onto a peer that stopped "
	       "reading"),
	    N_("Lower net.ipv4.tcp_orphan_retries to give up sooner on closed (orphaned) "
	       "sockets") } },
	{ "fin-wait2-piling",
	  TD_FIN_WAIT2,
	  N_("peers never send their FIN"),
	  N_("FIN_WAIT2 means this side closed, the peer acknowledged our FIN but has not closed "
	     "its own side. If the application still holds the socket (it used shutdown()), it "
	     "waits forever; an orphaned one (after close()) is ended by the kernel after "
	     "net.ipv4.tcp_fin_timeout. The peers do not close: often the peer's own CLOSE_WAIT "
	     "leak."),
	  { N_("Look at the peer application: it should close when it reads end of file "
	       "(tcpdoctor check on the peer host shows close-wait-leak)"),
	    N_("After shutdown(SHUT_WR), read with a timeout and close() the socket yourself"),
	    N_("net.ipv4.tcp_fin_timeout bounds orphaned FIN_WAIT2 (not sockets still held)") } },
	{ "last-ack-piling",
	  TD_LAST_ACK,
	  N_("our final FIN is not acknowledged: peers vanished after closing"),
	  N_("LAST_ACK means the peer closed first, this side closed too, and waits for the ACK "
	     "of its FIN (RFC 9293 3.6). The peer should answer at once; when it does not, it "
	     "vanished (host down, NAT state expired, a firewall drops the packets) and the kernel "
	     "retransmits the FIN until it gives up."),
	  { N_("Check the path to the peers in the evidence (firewall or NAT timeouts dropping the "
	       "last packets of a connection)"),
	    N_("Lower net.ipv4.tcp_orphan_retries to give up sooner"),
	    N_("tcpdoctor probe HOST:PORT towards a peer") } },
};

static int piling(const struct td_rule_input *in, const double *p, td_finding_cb cb, void *ctx,
		  const struct piling *pl)
{
	const struct td_snapshot *snap = in->snap;
	const struct td_snap_group *peer = NULL, *proc = NULL;
	uint64_t n = 0, orphans;
	struct td_finding f;
	char ep[80], who[80], a[32];

	/* A busy server always has some closing, with data still draining to
	 * a peer that reads: only sockets still stuck a sample later (and, in
	 * FIN_WAIT1/LAST_ACK, whose peer acknowledged nothing) count. */
	for (size_t i = 0; i < snap->ngroups; i++) {
		const struct td_snap_group *g = &snap->groups[i];

		if (g->state != pl->state || !lasting(snap, g))
			continue;
		if (g->kind == TD_SNAP_LOCAL)
			n += lasting(snap, g);
		if (g->kind == TD_SNAP_PEER && (!peer || lasting(snap, g) > lasting(snap, peer)))
			peer = g;
		if (g->kind == TD_SNAP_LOCAL && g->pid &&
		    (!proc || lasting(snap, g) > lasting(snap, proc)))
			proc = g;
	}
	if (!n || n < p[PILE_MIN])
		return 0;
	/* Most of them finished during the sample and those left are young:
	 * peers that close (or read) slowly, such as ab with a thousand
	 * connections on a busy core, not peers that are gone. */
	if (snap->confirmed) {
		uint64_t all = 0, old = 0;

		for (size_t i = 0; i < snap->ngroups; i++) {
			const struct td_snap_group *g = &snap->groups[i];

			if (g->kind == TD_SNAP_LOCAL && g->state == pl->state) {
				all += g->count;
				old += g->persisting_old;
			}
		}
		if (n * 2 < all && old < p[PILE_MIN])
			return 0;
	}
	finding_init(&f, pl->id, n >= p[PILE_CRIT] ? TD_SEV_CRITICAL : TD_SEV_WARNING);
	f.count = n;
	summary(&f, "%llu sockets in %s: %s", (unsigned long long)n, td_state_name(pl->state),
		td_tr_text(pl->what));
	if (snap->confirmed)
		evidence(&f, td_state_name(pl->state),
			 "%" PRIu64 " sockets, %" PRIu64 " of them stuck %.1f s later",
			 snap->counts[pl->state], n, in->elapsed);
	else
		evidence(&f, td_state_name(pl->state), "%" PRIu64 " sockets", n);
	if (peer) {
		addr_port(peer, ep, sizeof(ep));
		snprintf(f.peer, sizeof(f.peer), "%s", ep);
		f.port = peer->port;
		evidence(&f, "top peer", "%s (%u sockets)", ep, lasting(snap, peer));
	}
	if (proc) {
		owner_label(in, proc->pid, proc->comm, who, sizeof(who));
		set_owner(&f, proc->pid, proc->comm);
		evidence(&f, "process", "%s holds %u of them", who, lasting(snap, proc));
	} else {
		evidence(&f, "process", "none: closed by the application (orphaned)");
	}
	if (gauge(in, "TCP.orphan", &orphans))
		evidence(&f, "orphans", "%" PRIu64 " of tcp_max_orphans %s", orphans,
			 in->sysctl.max_orphans < 0
				 ? "unknown (not readable here)"
				 : now_val(in->sysctl.max_orphans, a, sizeof(a)));
	if (pl->state == TD_FIN_WAIT2)
		evidence(&f, "tcp_fin_timeout", "%s s", now(in->sysctl.fin_timeout, a, sizeof(a)));
	f.why = pl->why;
	for (size_t k = 0; k < 3 && pl->todo[k]; k++)
		action(&f, "%s", td_tr_text(pl->todo[k]));
	look_closer(&f, "tcpdoctor conns --state %s -i", td_state_short(pl->state));
	EMIT(&f);
	return 0;
}

static int rule_fin_wait1(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			  void *ctx)
{
	return piling(in, p, cb, ctx, &pilings[0]);
}

static int rule_fin_wait2(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			  void *ctx)
{
	return piling(in, p, cb, ctx, &pilings[1]);
}

static int rule_last_ack(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			 void *ctx)
{
	return piling(in, p, cb, ctx, &pilings[2]);
}

/* ---- orphans-near-limit ---------------------------------------------------------- */

enum { OR_RATIO, OR_CRIT };

static int rule_orphans(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			void *ctx)
{
	uint64_t orphans;
	struct td_finding f;
	double used;

	if (in->sysctl.max_orphans <= 0 || !gauge(in, "TCP.orphan", &orphans))
		return 0;
	used = (double)orphans / (double)in->sysctl.max_orphans;
	if (!orphans || used < p[OR_RATIO])
		return 0;
	finding_init(&f, "orphans-near-limit",
		     used >= p[OR_CRIT] ? TD_SEV_CRITICAL : TD_SEV_WARNING);
	f.count = orphans;
	summary(&f,
		"%llu orphaned sockets, %.0f%% of tcp_max_orphans (%lld): "
		"beyond it the kernel resets closing connections",
		(unsigned long long)orphans, used * 100, (long long)in->sysctl.max_orphans);
	evidence(&f, "orphans", "%" PRIu64 " (TCP.orphan in sockstat)", orphans);
	evidence(&f, "tcp_max_orphans", "%" PRId64, in->sysctl.max_orphans);
	evidence(&f, "closing states",
		 "FIN_WAIT1 %" PRIu64 ", FIN_WAIT2 %" PRIu64 ", LAST_ACK %" PRIu64
		 ", CLOSING %" PRIu64,
		 in->snap->counts[TD_FIN_WAIT1], in->snap->counts[TD_FIN_WAIT2],
		 in->snap->counts[TD_LAST_ACK], in->snap->counts[TD_CLOSING]);
	f.why = N_("An orphan is a socket the application closed but the kernel still has to "
		   "finish (FIN_WAIT1, LAST_ACK, CLOSING, FIN_WAIT2 until tcp_fin_timeout). Past "
		   "net.ipv4.tcp_max_orphans the kernel resets new orphans at once and logs \"too "
		   "many orphaned sockets\", so peers see resets instead of a clean close.");
	action(&f, "Find which closing state piles up (evidence) and why the peers do not "
		   "answer: tcpdoctor states --by peer");
	action(&f, "Lower net.ipv4.tcp_orphan_retries and net.ipv4.tcp_fin_timeout to free "
		   "orphans sooner");
	action(&f, "Raise net.ipv4.tcp_max_orphans only with memory to spare (up to ~64 KiB "
		   "each)");
	look_closer(&f, "tcpdoctor states --state closing-states --by peer");
	EMIT(&f);
	return 0;
}

/* ---- half-open-suspects ---------------------------------------------------------- */

enum { HO_IDLE, HO_MIN };

static int rule_half_open(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			  void *ctx)
{
	const struct td_snap_top_list *t = &in->snap->top[TD_TOP_IDLE];
	double idle_ms = p[HO_IDLE] * 1000.0;
	const struct td_snap_sock *worst;
	size_t n = 0;
	struct td_finding f;
	char who[80], ep[80], d[32], a[32], b[32], c[32];

	while (n < t->n && (double)t->v[n].value >= idle_ms)
		n++;
	if (!n || n < p[HO_MIN])
		return 0;
	worst = &t->v[0];
	finding_init(&f, "half-open-suspects", TD_SEV_WARNING);
	owner_label(in, worst->pid, worst->comm, who, sizeof(who));
	set_owner(&f, worst->pid, worst->comm);
	td_endpoint_str(worst->s.family, worst->s.raddr, worst->s.rport, ep, sizeof(ep));
	snprintf(f.peer, sizeof(f.peer), "%s", ep);
	f.port = worst->s.lport;
	f.count = n;
	summary(&f,
		"%s%zu established connections silent for over %s with no keepalive: the "
		"peer may be gone (half-open)",
		n == TD_SNAP_TOPK ? ">= " : "", n, dur_s((uint32_t)idle_ms, d, sizeof(d)));
	evidence(&f, "longest idle", "%s, %s <-> %s, held by %s",
		 dur_s((uint32_t)worst->value, d, sizeof(d)),
		 td_endpoint_str(worst->s.family, worst->s.laddr, worst->s.lport, a, sizeof(a)), ep,
		 who);
	evidence(&f, "idle, no keepalive",
		 "%s%zu sockets (of %" PRIu64 " established without keepalive)",
		 n == TD_SNAP_TOPK ? ">= " : "", n, in->snap->no_keepalive_estab);
	evidence(&f, "keepalive sysctls", "time %s s, intvl %s s, probes %s",
		 now(in->sysctl.keepalive_time, a, sizeof(a)),
		 now(in->sysctl.keepalive_intvl, b, sizeof(b)),
		 now(in->sysctl.keepalive_probes, c, sizeof(c)));
	f.why = N_(
		"An established connection with no data and no keepalive sends nothing, so "
		"if the peer crashed, rebooted or a NAT or firewall forgot the flow, this side "
		"never learns it (RFC 9293 3.8.4 makes keepalive optional and off by default). "
		"Such half-open sockets hold descriptors and memory forever, and a pool may hand "
		"one out to fail on first use.");
	action(&f, "Enable SO_KEEPALIVE on these sockets (and TCP_KEEPIDLE/TCP_KEEPINTVL/"
		   "TCP_KEEPCNT per socket), or add an application heartbeat");
	action(&f, "Lower net.ipv4.tcp_keepalive_time (default 7200 s) so keepalive probes start "
		   "sooner for sockets that enable it");
	action(&f, "TCP_USER_TIMEOUT bounds how long unacknowledged data may wait");
	look_closer(&f, "tcpdoctor conns --state established -i");
	EMIT(&f);
	return 0;
}

/* ---- retransmission-storm and reset-storm ---------------------------------------- */

enum { RT_RATIO, RT_MIN_RATE, RT_CRIT };

static int rule_retrans(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			void *ctx)
{
	const struct td_snap_top_list *t = &in->snap->top[TD_TOP_RETRANS];
	double retr, out, timeouts = 0, syn = 0, ratio;
	struct td_finding f;
	char ep[80], who[80];

	if (!rate(in, "Tcp.RetransSegs", &retr) || !rate(in, "Tcp.OutSegs", &out))
		return 0;
	rate(in, "TcpExt.TCPTimeouts", &timeouts);
	/* SYN and SYN-ACK retransmits (TCPSynRetrans) are handshakes nobody
	 * answers: syn-flood and syn-sent-stuck speak of those. Count data only. */
	if (rate(in, "TcpExt.TCPSynRetrans", &syn) && syn > 0) {
		retr = retr > syn ? retr - syn : 0;
		out = out > syn ? out - syn : 0;
	}
	ratio = out > 0 ? retr / out : 0;
	if (retr < p[RT_MIN_RATE] || retr <= 0 || ratio < p[RT_RATIO])
		return 0;
	finding_init(&f, "retransmission-storm",
		     ratio >= p[RT_CRIT] ? TD_SEV_CRITICAL : TD_SEV_WARNING);
	f.rate = retr;
	f.count = (uint64_t)(retr * in->elapsed + 0.5);
	summary(&f,
		"%.0f%% of segments are retransmissions (%.1f/s): packets are lost on the "
		"way or peers are overloaded",
		ratio * 100, retr);
	evidence(&f, "RetransSegs", "%.1f/s", retr);
	evidence(&f, "OutSegs", "%.1f/s", out);
	evidence(&f, "TCPTimeouts", "%.1f/s (retransmit timer fired: the worst kind)", timeouts);
	if (syn > 0)
		evidence(&f, "TCPSynRetrans", "%.1f/s handshake retransmits, not counted above",
			 syn);
	for (size_t i = 0; i < t->n && i < 3; i++) {
		const struct td_snap_sock *s = &t->v[i];

		td_endpoint_str(s->s.family, s->s.raddr, s->s.rport, ep, sizeof(ep));
		owner_label(in, s->pid, s->comm, who, sizeof(who));
		if (!i) {
			snprintf(f.peer, sizeof(f.peer), "%s", ep);
			set_owner(&f, s->pid, s->comm);
		}
		evidence(&f, "worst peer",
			 "%s: %" PRIu64 " retransmits (lifetime), rtt %.1f ms, %s", ep, s->value,
			 s->s.info.rtt_us / 1000.0, who);
	}
	f.why = N_("TCP retransmits a segment when its ACK does not come in time or when "
		   "duplicate ACKs or SACK show it lost. A few percent means loss on the path "
		   "(congestion, a bad link, a policer, MTU black hole) or a peer too slow to "
		   "answer; each loss also halves the sending rate.");
	action(&f, "Measure the path to the worst peers: tcpdoctor route HOST:PORT, mtr");
	action(&f, "Look for drops on this host: ip -s link, nstat -az | grep -i drop");
	action(&f, "If only large segments vanish, suspect an MTU black hole "
		   "(net.ipv4.tcp_mtu_probing=1)");
	look_closer(&f, "tcpdoctor conns -i --state established");
	EMIT(&f);
	return 0;
}

enum { RS_RATE, RS_CRIT, RS_SHARE };

static int rule_resets(const struct td_rule_input *in, const double *p, td_finding_cb cb, void *ctx)
{
	static const struct {
		const char *key, *label;
	} causes[] = {
		{ "Tcp.EstabResets", "connections reset from ESTABLISHED/CLOSE_WAIT" },
		{ "Tcp.AttemptFails", "connects that failed (refused, reset in handshake)" },
		/* as __tcp_close() and tcp_rcv_state_process() count them */
		{ "TcpExt.TCPAbortOnData", "data after close, or SO_LINGER 0 (RST)" },
		{ "TcpExt.TCPAbortOnClose", "closed with unread data (RST instead of FIN)" },
		{ "TcpExt.TCPAbortOnTimeout", "given up after retransmissions" },
		{ "TcpExt.TCPAbortOnMemory", "killed for lack of memory" },
	};
	double rsts, r, active = 0, passive = 0, opens;
	int64_t onmem = 0;
	struct td_finding f;

	if (!rate(in, "Tcp.OutRsts", &rsts) || rsts < p[RS_RATE] || rsts <= 0)
		return 0;
	delta(in, "TcpExt.TCPAbortOnMemory", &onmem);
	/* A host opening thousands of connections a second sends some resets
	 * (late segments for connections just closed, aborted clients): a
	 * share of its connections, not a pattern. */
	rate(in, "Tcp.ActiveOpens", &active);
	rate(in, "Tcp.PassiveOpens", &passive);
	opens = active + passive;
	if (onmem <= 0 && opens > 0 && rsts < p[RS_SHARE] * opens)
		return 0;
	finding_init(&f, "reset-storm",
		     rsts >= p[RS_CRIT] || onmem > 0 ? TD_SEV_CRITICAL : TD_SEV_WARNING);
	f.rate = rsts;
	f.count = (uint64_t)(rsts * in->elapsed + 0.5);
	summary(&f, "this host sends %.1f resets/s", rsts);
	evidence(&f, "OutRsts", "%.1f/s", rsts);
	if (opens > 0)
		evidence(&f, "new connections", "%.1f/s: %.1f resets per hundred", opens,
			 100 * rsts / opens);
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++)
		if (rate(in, causes[i].key, &r) && r > 0)
			evidence(&f, strchr(causes[i].key, '.') + 1, "%.1f/s: %s", r,
				 causes[i].label);
	f.why = N_("A RST goes out when a segment arrives for a port with no listener (refused "
		   "connects), for a connection the host no longer knows, or when an application "
		   "closes a socket with unread data or SO_LINGER 0. A steady stream means clients "
		   "hit a closed port, or an application aborts its connections instead of closing "
		   "them.");
	action(&f, "Refused connects: find which port clients knock on (tcpdoctor capture "
		   "'tcp[tcpflags] & tcp-rst != 0')");
	action(&f, "AbortOnClose: the application closes before reading everything; read to end "
		   "of file, then close()");
	action(&f, "AbortOnMemory: raise net.ipv4.tcp_mem or find what holds socket memory");
	look_closer(&f, "tcpdoctor watch");
	EMIT(&f);
	return 0;
}

/* ---- send/receive queue backlog -------------------------------------------------- */

enum { Q_BYTES, Q_PROBES };

/* Is the queue of e still full a sample later with no progress? A reader
 * behind for an instant (wrk on two busy cores holds megabytes in Recv-Q at
 * every read) still reads: bytes received minus those waiting grew. A
 * sender's peer that acknowledged bytes in between is alive and reading.
 * Without a second read, the one read is all there is. */
static bool queue_stuck(const struct td_snapshot *snap, const struct td_snap_sock *e, bool send,
			double bytes)
{
	const struct td_sock *a = &e->s, *b = &e->s2;
	bool info = (a->flags & TD_SOCK_HAS_INFO) && (b->flags & TD_SOCK_HAS_INFO);

	if (!snap->confirmed)
		return true;
	if (!e->again || (double)(send ? b->wqueue : b->rqueue) < bytes)
		return false;
	if (!info)
		return true;
	if (send)
		return a->info.bytes_acked == b->info.bytes_acked;
	return a->info.bytes_received - a->rqueue == b->info.bytes_received - b->rqueue;
}

/* Did the process read another of its backlogged sockets during the
 * sample? Then it reads, and is behind on this one (wrk on two busy cores
 * leaves one of fifty connections unread for seconds), not stopped. */
static bool reads_others(const struct td_snapshot *snap, const struct td_snap_top_list *t,
			 uint32_t pid)
{
	if (!snap->confirmed || !pid)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		const struct td_sock *a = &t->v[i].s, *b = &t->v[i].s2;

		if (t->v[i].pid == pid && t->v[i].again && (a->flags & TD_SOCK_HAS_INFO) &&
		    (b->flags & TD_SOCK_HAS_INFO) &&
		    a->info.bytes_received - a->rqueue != b->info.bytes_received - b->rqueue)
			return true;
	}
	return false;
}

static int queue_rule(const struct td_rule_input *in, const double *p, td_finding_cb cb, void *ctx,
		      bool send)
{
	const struct td_snap_top_list *t = &in->snap->top[send ? TD_TOP_SENDQ : TD_TOP_RECVQ];
	const struct td_snap_sock *s = NULL;
	size_t n = 0;
	bool probe0 = false;
	struct td_finding f;
	char who[80], ep[80], lp[80];

	/* A zero window for one probe interval is flow control doing its job
	 * on a bulk transfer; unanswered probes mean it stays shut. */
	for (size_t i = 0; i < t->n && (double)t->v[i].value >= p[Q_BYTES]; i++) {
		if (!queue_stuck(in->snap, &t->v[i], send, p[Q_BYTES]) ||
		    (!send && reads_others(in->snap, t, t->v[i].pid)))
			continue;
		probe0 |= t->v[i].s.timer == TD_TIMER_PROBE0 &&
			  (t->v[i].s.flags & TD_SOCK_HAS_INFO) &&
			  t->v[i].s.info.probes >= p[Q_PROBES];
		if (!s)
			s = &t->v[i];
		n++;
	}
	if (!n)
		return 0;
	/* A large Send-Q alone can be a fast bulk transfer; with zero-window
	 * probes going unanswered the peer does not read. A large Recv-Q is
	 * always this host's application not reading. */
	finding_init(&f, send ? "send-queue-backlog" : "recv-queue-backlog",
		     !send || probe0 ? TD_SEV_WARNING : TD_SEV_INFO);
	owner_label(in, s->pid, s->comm, who, sizeof(who));
	set_owner(&f, s->pid, s->comm);
	td_endpoint_str(s->s.family, s->s.raddr, s->s.rport, ep, sizeof(ep));
	td_endpoint_str(s->s.family, s->s.laddr, s->s.lport, lp, sizeof(lp));
	snprintf(f.peer, sizeof(f.peer), "%s", ep);
	f.port = s->s.lport;
	f.count = n;
	if (send)
		summary(&f,
			"%s%zu socket%s >= %.0f bytes not yet acknowledged%s; worst %s -> %s "
			"(%s)",
			n == TD_SNAP_TOPK ? ">= " : "", n,
			n == 1 ? td_tr_text(N_(" holds")) : td_tr_text(N_("s hold")), p[Q_BYTES],
			probe0 ? td_tr_text(N_(": the peer's window stays zero, it does not read"))
			       : "",
			lp, ep, who);
	else
		summary(&f,
			"%s does not read its sockets: %llu bytes waiting in Recv-Q "
			"(%s <- %s)",
			who, (unsigned long long)s->value, lp, ep);
	evidence(&f, send ? "Send-Q" : "Recv-Q", "%" PRIu64 " bytes on %s <-> %s", s->value, lp,
		 ep);
	evidence(&f, "process", "%s", who);
	evidence(&f, "sockets", "%s%zu at or above %.0f bytes", n == TD_SNAP_TOPK ? ">= " : "", n,
		 p[Q_BYTES]);
	if (send)
		evidence(&f, "timer", "%s%s", td_timer_name(s->s.timer),
			 s->s.timer == TD_TIMER_PROBE0 ? " (zero-window probes)" : "");
	if (send && s->s.timer == TD_TIMER_PROBE0 && (s->s.flags & TD_SOCK_HAS_INFO))
		evidence(&f, "window probes", "%u unanswered", s->s.info.probes);
	if (send) {
		f.why = N_(
			"Send-Q is data the application wrote that the peer has not acknowledged "
			"yet. It stays high when the path is slow or lossy, or when the peer "
			"application does not read, so its receive window closes (zero-window "
			"probes, the persist timer).");
		action(&f, "If the peer's window is zero, fix the peer's reader (it is the "
			   "recv-queue-backlog on the other host)");
		if (td_snapshot_is_listen_port(in->snap, s->s.lport)) {
			char ca[64];

			/* Server side: the peer's port is a client's ephemeral
			 * one, nothing listens there to trace to. */
			action(&f,
			       "Otherwise measure the path from the client's side: tcpdoctor route "
			       "%s, run on %s",
			       lp, td_addr_str(s->s.family, s->s.raddr, ca, sizeof(ca)));
		} else {
			action(&f, "Otherwise measure the path: tcpdoctor route %s", ep);
		}
		action(&f, "Bound what the application buffers per connection and time out "
			   "stalled writers");
	} else {
		f.why = N_(
			"Recv-Q is data the kernel received and acknowledged that the application "
			"has not read yet. It grows when the reader is blocked, busy or gone; once "
			"the buffer is full the advertised window drops to zero and the sender "
			"stalls.");
		action(&f,
		       "Find what %s does instead of reading (a blocked thread, a full "
		       "downstream queue): perf top -p PID, strace -p PID",
		       who);
		action(&f, "Read in a loop until EAGAIN when the socket is readable");
	}
	look_closer(&f, "tcpdoctor conns -i --sport %u", s->s.lport);
	EMIT(&f);
	return 0;
}

static int rule_send_queue(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			   void *ctx)
{
	return queue_rule(in, p, cb, ctx, true);
}

static int rule_recv_queue(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			   void *ctx)
{
	return queue_rule(in, p, cb, ctx, false);
}

/* ---- risky settings -------------------------------------------------------------- */

enum { LB_MIN };

static const char why_listen_backlog[] =
	N_("The listen() backlog is how many completed handshakes may wait for accept(); the "
	   "kernel caps it at net.core.somaxconn. A small one overflows on the first burst, and "
	   "the clients of an overflowing listener retry after a second or more.");

/* One finding for every listener with a small backlog: four of them are the
 * same advice four times, so they are listed in one. */
static int rule_listen_backlog(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			       void *ctx)
{
	const struct td_snapshot *snap = in->snap;
	const struct td_snap_listener *first = NULL;
	struct td_finding f;
	char ep[80], who[80], a[32];
	size_t n = 0, listed = 0;

	for (size_t i = 0; i < snap->nlisteners; i++) {
		const struct td_snap_listener *l = &snap->listeners[i];

		if (!l->has_backlog || l->backlog >= p[LB_MIN])
			continue;
		if (!first)
			first = l;
		n++;
	}
	if (!n)
		return 0;
	finding_init(&f, "listen-backlog-too-small", TD_SEV_INFO);
	td_endpoint_str(first->family, first->addr, first->port, ep, sizeof(ep));
	owner_label(in, first->pid, first->comm, who, sizeof(who));
	set_owner(&f, first->pid, first->comm);
	f.port = first->port;
	f.why = why_listen_backlog;
	if (n == 1) {
		f.count = first->backlog;
		summary(&f,
			"listener %s (%s) has a backlog of only %u: a burst of connects "
			"overflows it",
			ep, who, first->backlog);
		evidence(&f, "listener", "%s", ep);
		evidence(&f, "backlog", "%u (accept queue now %u)", first->backlog,
			 first->accept_queue);
		evidence(&f, "somaxconn", "%s", now(in->sysctl.somaxconn, a, sizeof(a)));
		action(&f, "Pass a larger backlog to listen() (e.g. 511 or SOMAXCONN) in %s", who);
		look_closer(&f, "tcpdoctor conns -l --sport %u", first->port);
		EMIT(&f);
		return 0;
	}
	f.count = n;
	summary(&f, "%zu listeners have a backlog below %.0f: a burst of connects overflows them",
		n, p[LB_MIN]);
	for (size_t i = 0; i < snap->nlisteners; i++) {
		const struct td_snap_listener *l = &snap->listeners[i];

		if (!l->has_backlog || l->backlog >= p[LB_MIN])
			continue;
		if (listed == TD_FINDING_MAX_EVIDENCE - 2) {
			evidence(&f, "listener", "and %zu more (tcpdoctor conns -l)", n - listed);
			break;
		}
		td_endpoint_str(l->family, l->addr, l->port, ep, sizeof(ep));
		owner_label(in, l->pid, l->comm, who, sizeof(who));
		evidence(&f, "listener", "%s: backlog %u (accept queue now %u), %s", ep, l->backlog,
			 l->accept_queue, who);
		listed++;
	}
	evidence(&f, "somaxconn", "%s", now(in->sysctl.somaxconn, a, sizeof(a)));
	action(&f, "Pass a larger backlog to listen() (e.g. 511 or SOMAXCONN) in the processes "
		   "listed");
	look_closer(&f, "tcpdoctor conns -l");
	EMIT(&f);
	return 0;
}

enum { ER_MIN };

static int rule_ephemeral_range(const struct td_rule_input *in, const double *p, td_finding_cb cb,
				void *ctx)
{
	int64_t range;
	struct td_finding f;

	if (in->sysctl.port_lo < 0)
		return 0;
	range = in->sysctl.port_hi - in->sysctl.port_lo + 1;
	if (range >= p[ER_MIN])
		return 0;
	finding_init(&f, "ephemeral-range-narrow", TD_SEV_WARNING);
	f.count = range > 0 ? (uint64_t)range : 0;
	summary(&f,
		"only %lld local ports for outgoing connections (%lld-%lld"
		"): at most %.0f new connections/s to one destination",
		(long long)range, (long long)in->sysctl.port_lo, (long long)in->sysctl.port_hi,
		range / 60.0);
	evidence(&f, "ip_local_port_range", "%" PRId64 " %" PRId64 " (%" PRId64 " ports)",
		 in->sysctl.port_lo, in->sysctl.port_hi, range);
	evidence(&f, "TIME_WAIT", "%" PRIu64 " sockets now", in->snap->counts[TD_TIME_WAIT]);
	f.why = N_(
		"Every outgoing connection takes a local port from net.ipv4.ip_local_port_range, "
		"and keeps it for 60 s of TIME_WAIT after it closes if this side closes first. "
		"The range bounds how many connections per minute can go to one destination "
		"address and port before connect() fails with EADDRNOTAVAIL.");
	action(&f, "sysctl -w net.ipv4.ip_local_port_range=\"10000 65000\" (keep listening "
		   "ports out, or list them in ip_local_reserved_ports)");
	{
		char cur[48];

		snprintf(cur, sizeof(cur), "%" PRId64 " %" PRId64, in->sysctl.port_lo,
			 in->sysctl.port_hi);
		about_sysctl(&f, "net.ipv4.ip_local_port_range", cur, "10000 65000");
	}
	look_closer(&f, "tcpdoctor states --state time-wait --by peer");
	EMIT(&f);
	return 0;
}

static int rule_syncookies_off(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			       void *ctx)
{
	struct td_finding f;

	(void)p;
	if (in->sysctl.syncookies != 0)
		return 0;
	finding_init(&f, "syncookies-off", TD_SEV_WARNING);
	summary(&f, "SYN cookies are off: a SYN flood or a burst fills the SYN queue and new "
		    "clients are dropped");
	evidence(&f, "tcp_syncookies", "0");
	f.why = N_("With net.ipv4.tcp_syncookies=1 (the default) the kernel answers SYNs with a "
		   "cookie when a listener's SYN queue is full, so legitimate clients still get in "
		   "during a flood; with 0 they are dropped.");
	action(&f, "sysctl -w net.ipv4.tcp_syncookies=1 (and in /etc/sysctl.d/)");
	about_sysctl(&f, "net.ipv4.tcp_syncookies", "0", "1");
	look_closer(&f, "tcpdoctor explain net.ipv4.tcp_syncookies");
	EMIT(&f);
	return 0;
}

/* Sysctls the audit module judges risky for the profile, except those that
 * have a rule of their own here (with evidence the audit lacks). */
static int rule_risky_sysctl(const struct td_rule_input *in, const double *p, td_finding_cb cb,
			     void *ctx)
{
	static const char *const own_rule[] = { "net.ipv4.tcp_syncookies",
						"net.ipv4.ip_local_port_range" };

	(void)p;
	for (size_t i = 0; in->audit && i < in->naudit; i++) {
		const struct td_sysctl_finding *a = &in->audit[i];
		struct td_finding f;
		char cur[64], rec[64], range[160];
		bool skip = false;

		if (a->verdict != TD_VERDICT_WARN && a->verdict != TD_VERDICT_ADVICE)
			continue;
		for (size_t k = 0; k < sizeof(own_rule) / sizeof(own_rule[0]); k++)
			skip |= !strcmp(a->e->name, own_rule[k]);
		if (skip)
			continue;
		finding_init(&f, "risky-sysctl",
			     a->verdict == TD_VERDICT_WARN ? TD_SEV_WARNING : TD_SEV_INFO);
		td_sysctl_format(&a->cur, cur, sizeof(cur));
		td_sysctl_format(&a->rec, rec, sizeof(rec));
		td_sysctl_rec_text(a->e, in->profile, range, sizeof(range));
		summary(&f, "%s = %s is outside what a %s needs (%s)", a->e->name, cur,
			td_profile_name(in->profile), range);
		evidence(&f, "parameter", "%s (%s)", a->e->name,
			 a->e->per_netns ? "this network namespace" : "the whole host");
		evidence(&f, "current", "%s", cur);
		evidence(&f, "recommended", "%s (%s)", rec, range);
		evidence(&f, "kernel default", "%s", a->e->kernel_default);
		f.why = a->e->reason;
		action(&f, "sysctl -w %s=\"%s\" (and in /etc/sysctl.d/ to keep it)", a->e->name,
		       rec);
		about_sysctl(&f, a->e->name, cur, rec);
		if (a->e->risk)
			action(&f, "Risk: %s", td_tr_text(a->e->risk));
		look_closer(&f, "tcpdoctor sysctl --profile %s -v", td_profile_name(in->profile));
		EMIT(&f);
	}
	return 0;
}

/* ---- the table ------------------------------------------------------------------- */

static const struct td_rule rules[] = {
	{ "close-wait-leak",
	  "the application does not close sockets the peer closed",
	  false,
	  { { "min", 4, "sockets",
	      "a working application leaves CLOSE_WAIT as soon as it "
	      "reads end of file; four held by one process and still there "
	      "a sample later means it does not close" },
	    { "critical", 100, "sockets",
	      "an order of magnitude more: descriptors run out "
	      "soon" } },
	  rule_close_wait_leak },
	{ "time-wait-pressure",
	  "TIME_WAIT uses up the local ports towards a destination",
	  false,
	  { { "ratio", 0.5, "fraction",
	      "half the port range to one destination in TIME_WAIT: "
	      "a burst more and connect() fails" },
	    { "critical", 0.8, "fraction", "the last fifth of the range" },
	    { "buckets", 0.8, "fraction",
	      "of tcp_max_tw_buckets: beyond it TIME_WAIT is "
	      "skipped with a log message" } },
	  rule_time_wait_pressure },
	{ "accept-queue-overflow",
	  "a listener's accept queue is full: the application accepts "
	  "too slowly",
	  false,
	  { { "fill", 0.9, "fraction",
	      "an accept queue at 90% of its backlog has no room for "
	      "a burst" },
	    { "overflows", 1, "events",
	      "any ListenOverflows in the sample means dropped "
	      "handshakes" } },
	  rule_accept_queue_overflow },
	{ "syn-flood",
	  "many half-open handshakes on a listener",
	  false,
	  { { "min", 64, "sockets",
	      "request sockets of a healthy listener live one RTT; 64 "
	      "waiting at once is far above normal" },
	    { "sources", 16, "addresses",
	      "many sources make a flood; few point at a path "
	      "problem" },
	    { "cookies", 1, "events",
	      "SYN cookies sent in the sample: the SYN queue was "
	      "full" },
	    { "queue", 8, "sockets",
	      "a listener with a small backlog floods sooner: a full SYN queue of at "
	      "least this many requests counts too" } },
	  rule_syn_flood },
	{ "syn-sent-stuck",
	  "connects that get no answer, or to too many addresses",
	  false,
	  { { "min", 3, "sockets",
	      "a connect is answered within one RTT; three to one "
	      "destination whose SYN had to be sent again do not get answers" },
	    { "scan", 64, "addresses",
	      "a normal client talks to a handful of services at "
	      "once" } },
	  rule_syn_sent_stuck },
	{ "fin-wait1-piling",
	  "our FINs are not acknowledged",
	  false,
	  { { "min", 32, "sockets", "FIN_WAIT1 lasts one RTT when the peer is alive" },
	    { "critical", 1000, "sockets",
	      "orphans at this scale reach tcp_max_orphans on "
	      "small hosts" } },
	  rule_fin_wait1 },
	{ "fin-wait2-piling",
	  "peers do not close their side",
	  false,
	  { { "min", 64, "sockets",
	      "orphaned FIN_WAIT2 lives up to tcp_fin_timeout; a busy "
	      "server keeps some" },
	    { "critical", 5000, "sockets", "well beyond normal churn" } },
	  rule_fin_wait2 },
	{ "last-ack-piling",
	  "peers vanish before acknowledging our FIN",
	  false,
	  { { "min", 32, "sockets", "LAST_ACK lasts one RTT when the peer is alive" },
	    { "critical", 1000, "sockets",
	      "orphans at this scale reach tcp_max_orphans on "
	      "small hosts" } },
	  rule_last_ack },
	{ "orphans-near-limit",
	  "orphaned sockets near tcp_max_orphans",
	  false,
	  { { "ratio", 0.5, "fraction", "half the limit leaves room for one burst" },
	    { "critical", 0.9, "fraction", "resets on close are imminent" } },
	  rule_orphans },
	{ "half-open-suspects",
	  "silent established connections without keepalive",
	  false,
	  { { "idle", 1800, "s",
	      "30 minutes without a byte either way and without keepalive "
	      "is longer than most NAT and firewall flow timeouts" },
	    { "min", 1, "sockets", "one such socket is already worth a look" } },
	  rule_half_open },
	{ "retransmission-storm",
	  "a high share of retransmitted segments",
	  true,
	  { { "ratio", 0.05, "fraction", "above 5% retransmissions throughput collapses" },
	    { "rate", 10, "/s", "ignore a few retransmits on an almost idle host" },
	    { "critical", 0.2, "fraction", "one segment in five lost" } },
	  rule_retrans },
	{ "reset-storm",
	  "many resets sent",
	  true,
	  { { "rate", 20, "/s",
	      "a few resets per second come from port scans and aborted "
	      "clients; more is a pattern" },
	    { "critical", 200, "/s", "an order of magnitude more" },
	    { "share", 0.05, "fraction",
	      "of new connections (Tcp.ActiveOpens + PassiveOpens): below it a busy host's "
	      "resets are the odd late segment or aborted client" } },
	  rule_resets },
	{ "send-queue-backlog",
	  "unacknowledged data piling up towards a peer",
	  false,
	  { { "bytes", 262144, "bytes",
	      "256 KiB unacknowledged is more than a LAN path holds "
	      "in flight" },
	    { "probes", 2, "probes",
	      "two unanswered zero-window probes: the window stayed "
	      "shut for over half a second" } },
	  rule_send_queue },
	{ "recv-queue-backlog",
	  "received data the application does not read",
	  false,
	  { { "bytes", 262144, "bytes",
	      "a reading application keeps Recv-Q near zero; 256 KiB "
	      "is several windows unread" } },
	  rule_recv_queue },
	{ "listen-backlog-too-small",
	  "a listener's backlog is tiny",
	  false,
	  { { "min", 16, "connections", "below 16 a burst of parallel connects overflows" } },
	  rule_listen_backlog },
	{ "ephemeral-range-narrow",
	  "few local ports for outgoing connections",
	  false,
	  { { "min", 16384, "ports",
	      "fewer than 16384 ports allow under 273 connections/s to "
	      "one destination" } },
	  rule_ephemeral_range },
	{ "syncookies-off", "SYN cookies disabled", false, { { NULL } }, rule_syncookies_off },
	{ "risky-sysctl",
	  "other TCP sysctls the audit judges risky (tcpdoctor sysctl)",
	  false,
	  { { NULL } },
	  rule_risky_sysctl },
};

_Static_assert(sizeof(rules) / sizeof(rules[0]) <= TD_RULES_MAX, "raise TD_RULES_MAX");

const struct td_rule *td_rules(size_t *n)
{
	*n = sizeof(rules) / sizeof(rules[0]);
	return rules;
}

const struct td_rule *td_rule_find(const char *id)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rules[i].id, id))
			return &rules[i];
	return NULL;
}

void td_thresholds_init(struct td_thresholds *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		for (size_t k = 0; k < TD_RULE_MAX_PARAMS && rules[i].params[k].name; k++)
			t->v[i][k] = rules[i].params[k].def;
}

int td_thresholds_set(struct td_thresholds *t, const char *assignment, struct td_err *err)
{
	const char *dot = strchr(assignment, '.'), *eq = strchr(assignment, '=');
	const struct td_rule *r;
	char id[64], name[64], *end;
	size_t i, k;
	double v;

	if (!dot || !eq || eq < dot || (size_t)(dot - assignment) >= sizeof(id) ||
	    (size_t)(eq - dot - 1) >= sizeof(name))
		return td_err_set(err, -TD_EPARSE,
				  "--set '%s': expected RULE.THRESHOLD=VALUE, e.g. "
				  "close-wait-leak.min=20",
				  assignment);
	memcpy(id, assignment, (size_t)(dot - assignment));
	id[dot - assignment] = '\0';
	memcpy(name, dot + 1, (size_t)(eq - dot - 1));
	name[eq - dot - 1] = '\0';
	r = td_rule_find(id);
	if (!r)
		return td_err_set(err, -TD_ENOTFOUND, "--set '%s': no rule '%s'", assignment, id);
	i = (size_t)(r - rules);
	for (k = 0; k < TD_RULE_MAX_PARAMS && r->params[k].name; k++)
		if (!strcmp(r->params[k].name, name))
			break;
	if (k == TD_RULE_MAX_PARAMS || !r->params[k].name)
		return td_err_set(err, -TD_ENOTFOUND, "--set '%s': rule %s has no threshold '%s'",
				  assignment, id, name);
	errno = 0;
	v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || !isfinite(v) || v < 0)
		return td_err_set(err, -TD_EPARSE, "--set '%s': '%s' is not a number >= 0",
				  assignment, eq + 1);
	t->v[i][k] = v;
	return 0;
}

int td_rule_run_one(size_t index, const struct td_rule_input *in, const struct td_thresholds *t,
		    td_finding_cb cb, void *ctx)
{
	struct td_thresholds defaults;

	if (index >= sizeof(rules) / sizeof(rules[0]))
		return -EINVAL;
	if (!t) {
		td_thresholds_init(&defaults);
		t = &defaults;
	}
	if (rules[index].needs_sample && (!in->before || !in->after || in->elapsed <= 0))
		return 0;
	return rules[index].fn(in, t->v[index], cb, ctx);
}

int td_rules_run(const struct td_rule_input *in, const struct td_thresholds *t, td_finding_cb cb,
		 void *ctx)
{
	struct td_thresholds defaults;

	if (!t) {
		td_thresholds_init(&defaults);
		t = &defaults;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int rc = td_rule_run_one(i, in, t, cb, ctx);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the findings vector ----------------------------------------------------- */

int td_findings_add(const struct td_finding *f, void *ctx)
{
	struct td_findings *fs = ctx;

	if (fs->n == fs->cap) {
		size_t ncap = fs->cap ? fs->cap * 2 : 8;
		struct td_finding *nv = realloc(fs->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		fs->v = nv;
		fs->cap = ncap;
	}
	fs->v[fs->n++] = *f;
	return 0;
}

/* Does a come before b? Worst first; equal severity: more sockets or events. */
static bool before_finding(const struct td_finding *a, const struct td_finding *b)
{
	if (a->severity != b->severity)
		return a->severity > b->severity;
	return a->count > b->count;
}

/* Insertion sort: stable (equal findings keep the table's order), and there
 * are only a handful. A finding is large: the one moving is on the heap. */
int td_findings_sort(struct td_findings *fs)
{
	struct td_finding *tmp;

	if (fs->n < 2)
		return 0;
	tmp = malloc(sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (size_t i = 1; i < fs->n; i++) {
		size_t k = i;

		*tmp = fs->v[i];
		while (k > 0 && before_finding(tmp, &fs->v[k - 1])) {
			fs->v[k] = fs->v[k - 1];
			k--;
		}
		fs->v[k] = *tmp;
	}
	free(tmp);
	return 0;
}

enum td_severity td_findings_worst(const struct td_findings *fs)
{
	enum td_severity w = TD_SEV_OK;

	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i].severity > w)
			w = fs->v[i].severity;
	return w;
}

void td_findings_free(struct td_findings *fs)
{
	free(fs->v);
	fs->v = NULL;
	fs->n = fs->cap = 0;
}

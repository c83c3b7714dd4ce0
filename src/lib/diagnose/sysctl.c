/* The TCP sysctl audit: the table of parameters with what we recommend per
 * workload and why, the pure judge over it, /proc/sys reading and writing,
 * and the sysctl.d(5) configuration scan. */
#include "catalog.h"
#include "diagnose/sysctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* clang-format off */
#define NOLIM { INT64_MIN, INT64_MAX }
#define AT_LEAST(x) { (x), INT64_MAX }
#define BETWEEN(a, b) { (a), (b) }
#define EXACTLY(x) { (x), (x) }

/* The same recommendation for every profile. */
#define ALL_PROFILES(...) \
	{ [TD_PROFILE_SERVER] = __VA_ARGS__, [TD_PROFILE_CLIENT] = __VA_ARGS__, \
	  [TD_PROFILE_PROXY] = __VA_ARGS__ }
/* clang-format on */

/* Timeouts below: with the initial RTO of 1 s (RFC 6298) and doubling, n
 * retransmissions of a SYN or SYN-ACK give up after 2^(n+1) - 1 seconds. */
static const struct td_sysctl_entry entries[] = {
	{
		.name = "net.ipv4.tcp_syncookies",
		.path = "net/ipv4/tcp_syncookies",
		.per_netns = true,
		.kind = TD_SK_ENUM,
		.values = "0 = never, 1 = when a listener's SYN queue overflows, 2 = always",
		.kernel_default = "1",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { EXACTLY(1) }, .tolerable = { BETWEEN(1, 2) } },
			[TD_PROFILE_CLIENT] = { .ok = { BETWEEN(1, 2) }, .tolerable = { BETWEEN(0, 2) } },
			[TD_PROFILE_PROXY] = { .ok = { EXACTLY(1) }, .tolerable = { BETWEEN(1, 2) } },
		},
		.reason = N_("With 0, a SYN flood (or a burst bigger than the listen backlog) fills "
			  "the SYN queue and the kernel drops further SYNs: real clients retry "
			  "after 1, 3, 7 s. With 1 the kernel answers with a cookie only while "
			  "the queue is full, so nothing is dropped and nothing is stored."),
		.risk = N_("A connection made from a cookie keeps only a coarse MSS, and window "
			"scaling and SACK only if TCP timestamps are on; 2 does that to every "
			"connection."),
	},
	{
		.name = "net.ipv4.tcp_max_syn_backlog",
		.path = "net/ipv4/tcp_max_syn_backlog",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "by memory size, at least 128",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { AT_LEAST(1024) }, .tolerable = { AT_LEAST(128) } },
			[TD_PROFILE_CLIENT] = { .ok = { NOLIM }, .tolerable = { NOLIM } },
			[TD_PROFILE_PROXY] = { .ok = { AT_LEAST(1024) }, .tolerable = { AT_LEAST(128) } },
		},
		.reason = N_("Only matters when syncookies are off: tcp_conn_request() then drops "
			  "SYNs from peers it has not talked to before once a listener's SYN "
			  "queue is 3/4 of this. The queue itself is bounded by the listen() "
			  "backlog (capped by somaxconn)."),
		.risk = N_("Each pending request socket costs ~300 bytes; a large value lets a "
			"flood hold more memory when cookies are off."),
	},
	{
		.name = "net.core.somaxconn",
		.path = "net/core/somaxconn",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "4096 (128 before 5.4)",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { AT_LEAST(4096) }, .tolerable = { AT_LEAST(1024) } },
			[TD_PROFILE_CLIENT] = { .ok = { NOLIM }, .tolerable = { NOLIM } },
			[TD_PROFILE_PROXY] = { .ok = { AT_LEAST(4096) }, .tolerable = { AT_LEAST(1024) } },
		},
		.reason = N_("listen(fd, backlog) is silently capped to this. When the accept queue "
			  "is full the kernel drops the handshake's final ACK (ListenOverflows), "
			  "and clients see a stall of a second or more; a low cap hides a large "
			  "backlog asked for by nginx, redis or a JVM."),
		.risk = N_("Raising it only lets queues grow: an application that accepts too "
			"slowly then keeps more clients waiting instead of failing them fast."),
	},
	{
		.name = "net.ipv4.tcp_synack_retries",
		.path = "net/ipv4/tcp_synack_retries",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "5 (about 63 s)",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { BETWEEN(2, 5) }, .tolerable = { BETWEEN(1, 8) } },
			[TD_PROFILE_CLIENT] = { .ok = { NOLIM }, .tolerable = { NOLIM } },
			[TD_PROFILE_PROXY] = { .ok = { BETWEEN(2, 5) }, .tolerable = { BETWEEN(1, 8) } },
		},
		.reason = N_("How often a SYN-ACK is resent before a half-open connection (SYN_RECV) "
			  "is dropped: 5 keeps it up to ~63 s, 2 ~7 s. Under a flood of spoofed "
			  "SYNs fewer retries free the SYN queue sooner."),
		.risk = N_("Too few (0-1) fails real clients on lossy paths whose final ACK or "
			"SYN-ACK was lost."),
	},
	{
		.name = "net.ipv4.tcp_syn_retries",
		.path = "net/ipv4/tcp_syn_retries",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "6 (about 127 s)",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { BETWEEN(2, 6) }, .tolerable = { BETWEEN(1, 8) } },
			[TD_PROFILE_CLIENT] = { .ok = { BETWEEN(3, 6) }, .tolerable = { BETWEEN(2, 10) } },
			[TD_PROFILE_PROXY] = { .ok = { BETWEEN(2, 4) }, .tolerable = { BETWEEN(1, 6) } },
		},
		.reason = N_("How often connect() resends its SYN before failing with ETIMEDOUT: 6 "
			  "waits ~127 s for an unanswered SYN, 4 ~31 s, 3 ~15 s. A proxy whose "
			  "backend is gone holds the client that long unless it sets its own "
			  "connect timeout."),
		.risk = N_("Too few fails connects over lossy or congested paths that one more "
			"SYN would have saved; applications with their own timeout do not need "
			"a change."),
	},
	{
		.name = "net.ipv4.tcp_fin_timeout",
		.path = "net/ipv4/tcp_fin_timeout",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "60",
		.rec = ALL_PROFILES({ .ok = { BETWEEN(10, 60) }, .tolerable = { BETWEEN(5, 120) } }),
		.reason = N_("Seconds an orphaned socket (closed by its process) waits in FIN_WAIT2 "
			  "for the peer's FIN. It does NOT shorten TIME_WAIT, which is fixed at "
			  "60 s (TCP_TIMEWAIT_LEN) in Linux."),
		.risk = N_("Too short cuts off peers that still send after our FIN (half-close); "
			"too long keeps memory of orphans whose peer vanished."),
	},
	{
		.name = "net.ipv4.tcp_tw_reuse",
		.path = "net/ipv4/tcp_tw_reuse",
		.per_netns = true,
		.kind = TD_SK_ENUM,
		.values = "0 = never, 1 = for outgoing connections, 2 = outgoing over loopback only",
		.kernel_default = "2",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { BETWEEN(0, 2) }, .tolerable = { BETWEEN(0, 2) } },
			[TD_PROFILE_CLIENT] = { .ok = { EXACTLY(1) }, .tolerable = { BETWEEN(0, 2) } },
			[TD_PROFILE_PROXY] = { .ok = { EXACTLY(1) }, .tolerable = { BETWEEN(0, 2) } },
		},
		.reason = N_("Lets connect() take a local port still in TIME_WAIT (older than 1 s) "
			  "when TCP timestamps prove the new segments newer (PAWS, RFC 7323). "
			  "A host opening many short connections to one backend otherwise runs "
			  "out of ports (EADDRNOTAVAIL) with ports held 60 s each."),
		.risk = N_("Needs timestamps on both ends; it only affects outgoing connections, "
			"so it cannot help a server's own TIME_WAIT sockets."),
	},
	{
		.name = "net.ipv4.tcp_max_tw_buckets",
		.path = "net/ipv4/tcp_max_tw_buckets",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "by memory size (half the established hash)",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { AT_LEAST(32768) }, .tolerable = { AT_LEAST(4096) } },
			[TD_PROFILE_CLIENT] = { .ok = { AT_LEAST(16384) }, .tolerable = { AT_LEAST(4096) } },
			[TD_PROFILE_PROXY] = { .ok = { AT_LEAST(65536) }, .tolerable = { AT_LEAST(16384) } },
		},
		.reason = N_("Most TIME_WAIT sockets kept at once. Beyond it the kernel closes new "
			  "ones at once (TcpExt.TCPTimeWaitOverflow, \"time wait bucket table "
			  "overflow\"), losing the protection against old duplicate segments "
			  "TIME_WAIT exists for (RFC 9293 3.6.1). At 60 s each, 1000 closes/s "
			  "need 60000."),
		.risk = N_("Each TIME_WAIT socket is a small timewait sock (~200 bytes); a high "
			"limit costs little memory."),
	},
	{
		.name = "net.ipv4.tcp_max_orphans",
		.path = "net/ipv4/tcp_max_orphans",
		.per_netns = false,
		.kind = TD_SK_INT,
		.kernel_default = "by memory size",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { AT_LEAST(16384) }, .tolerable = { AT_LEAST(4096) } },
			[TD_PROFILE_CLIENT] = { .ok = { AT_LEAST(4096) }, .tolerable = { AT_LEAST(1024) } },
			[TD_PROFILE_PROXY] = { .ok = { AT_LEAST(16384) }, .tolerable = { AT_LEAST(4096) } },
		},
		.reason = N_("Sockets closed by their process but still finishing (FIN_WAIT1, "
			  "LAST_ACK, CLOSING with unsent data) beyond this many are reset at "
			  "once (\"too many orphaned sockets\", TcpExt.TCPAbortOnMemory), so "
			  "peers lose the tail of responses."),
		.risk = N_("An orphan can hold its whole send buffer; a high limit lets a flood "
			"of slow readers pin memory (bounded anyway by tcp_mem)."),
	},
	{
		.name = "net.ipv4.ip_local_port_range",
		.path = "net/ipv4/ip_local_port_range",
		.per_netns = true,
		.kind = TD_SK_RANGE,
		.kernel_default = "32768 60999",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { BETWEEN(1024, 32768), BETWEEN(60999, 65535) },
						.tolerable = { BETWEEN(1024, 49152), BETWEEN(50000, 65535) } },
			[TD_PROFILE_CLIENT] = { .ok = { BETWEEN(1024, 32768), BETWEEN(60999, 65535) },
						.tolerable = { BETWEEN(1024, 49152), BETWEEN(50000, 65535) } },
			[TD_PROFILE_PROXY] = { .ok = { BETWEEN(1024, 16384), BETWEEN(60999, 65535) },
					       .tolerable = { BETWEEN(1024, 49152), BETWEEN(50000, 65535) } },
		},
		.reason = N_("Ports for outgoing connections (and bind to port 0). Each (local "
			  "address, remote address, remote port) can have at most this many "
			  "connections, TIME_WAIT included: a narrow range makes connect() fail "
			  "with EADDRNOTAVAIL. connect() takes the ports of the low end's parity "
			  "and bind() to port 0 the others, so keep one end even, one odd."),
		.risk = N_("A wider range can take ports a service wants to listen on later: "
			"list those in net.ipv4.ip_local_reserved_ports."),
	},
	{
		.name = "net.ipv4.tcp_keepalive_time",
		.path = "net/ipv4/tcp_keepalive_time",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "7200",
		.rec = {
			[TD_PROFILE_SERVER] = { .ok = { BETWEEN(60, 7200) }, .tolerable = { BETWEEN(10, 86400) } },
			[TD_PROFILE_CLIENT] = { .ok = { BETWEEN(60, 7200) }, .tolerable = { BETWEEN(10, 86400) } },
			[TD_PROFILE_PROXY] = { .ok = { BETWEEN(60, 600) }, .tolerable = { BETWEEN(10, 7200) } },
		},
		.reason = N_("Idle seconds before the first keepalive probe, for sockets with "
			  "SO_KEEPALIVE only. NATs, firewalls and load balancers drop idle flows "
			  "after 5-60 min (350 s on some cloud balancers), long before 2 h: the "
			  "next send then waits for retransmissions to time out."),
		.risk = N_("Shorter probes wake idle mobile/metered peers more often; it changes "
			"nothing for sockets without SO_KEEPALIVE (or with TCP_KEEPIDLE set)."),
	},
	{
		.name = "net.ipv4.tcp_keepalive_intvl",
		.path = "net/ipv4/tcp_keepalive_intvl",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "75",
		.rec = ALL_PROFILES({ .ok = { BETWEEN(10, 75) }, .tolerable = { BETWEEN(1, 300) } }),
		.reason = N_("Seconds between unanswered keepalive probes. A dead peer is noticed "
			  "after keepalive_time + probes x intvl: 7200 + 9 x 75 s = 2 h 11 min "
			  "by default."),
		.risk = N_("Very short intervals declare a peer dead during a brief outage."),
	},
	{
		.name = "net.ipv4.tcp_keepalive_probes",
		.path = "net/ipv4/tcp_keepalive_probes",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "9",
		.rec = ALL_PROFILES({ .ok = { BETWEEN(3, 9) }, .tolerable = { BETWEEN(1, 20) } }),
		.reason = N_("Unanswered keepalive probes before the connection is reset with "
			  "ETIMEDOUT."),
		.risk = N_("1-2 probes make one lost probe kill a healthy idle connection."),
	},
	{
		.name = "net.ipv4.tcp_retries2",
		.path = "net/ipv4/tcp_retries2",
		.per_netns = true,
		.kind = TD_SK_INT,
		.kernel_default = "15 (about 924 s)",
		.rec = ALL_PROFILES({ .ok = { BETWEEN(8, 15) }, .tolerable = { BETWEEN(5, 20) } }),
		.reason = N_("Retransmissions of unacknowledged data before an established "
			  "connection is given up (ETIMEDOUT): 15 is ~15 min with exponential "
			  "backoff capped at 120 s. RFC 1122 4.2.3.5 asks for at least 100 s, "
			  "which is 8."),
		.risk = N_("Lower values drop connections during short outages or failovers; "
			"higher ones keep writers blocked on a dead peer for long."),
	},
	{
		.name = "net.ipv4.tcp_rmem",
		.path = "net/ipv4/tcp_rmem",
		.per_netns = true,
		.kind = TD_SK_TRIPLE,
		.kernel_default = "4096 131072 6291456",
		.rec = ALL_PROFILES({
			.ok = { BETWEEN(4096, 65536), BETWEEN(65536, 4194304),
				BETWEEN(4194304, 1073741824) },
			.tolerable = { BETWEEN(2048, 1048576), BETWEEN(16384, 16777216),
				       BETWEEN(1048576, 2147483647) },
		}),
		.reason = N_("Receive buffer per socket: min (kept under memory pressure), default "
			  "(initial), max (autotuning limit). Throughput per connection is at "
			  "most max / RTT: 4 MiB at 100 ms is ~335 Mbit/s."),
		.risk = N_("A high max lets many slow readers hold more memory (bounded by "
			"tcp_mem); sockets that set SO_RCVBUF do not autotune at all."),
	},
	{
		.name = "net.ipv4.tcp_wmem",
		.path = "net/ipv4/tcp_wmem",
		.per_netns = true,
		.kind = TD_SK_TRIPLE,
		.kernel_default = "4096 16384 4194304",
		.rec = ALL_PROFILES({
			.ok = { BETWEEN(4096, 65536), BETWEEN(16384, 1048576),
				BETWEEN(4194304, 1073741824) },
			.tolerable = { BETWEEN(2048, 1048576), BETWEEN(4096, 16777216),
				       BETWEEN(1048576, 2147483647) },
		}),
		.reason = N_("Send buffer per socket: min, default, max for autotuning. Unacked "
			  "data in flight is bounded by it, so the max limits throughput on "
			  "long fat paths the same way as tcp_rmem."),
		.risk = N_("Large send buffers add latency for interactive traffic queued behind "
			"bulk data, and memory per connection."),
	},
	{
		.name = "net.ipv4.tcp_abort_on_overflow",
		.path = "net/ipv4/tcp_abort_on_overflow",
		.per_netns = true,
		.kind = TD_SK_ENUM,
		.values = "0 = drop the final ACK (client retries), 1 = reset the client",
		.kernel_default = "0",
		.rec = ALL_PROFILES({ .ok = { EXACTLY(0) }, .tolerable = { EXACTLY(0) } }),
		.reason = N_("With 1, a full accept queue answers the handshake's final ACK with "
			  "a RST: a short burst becomes \"connection reset by peer\" instead of "
			  "a retransmission a moment later."),
		.risk = N_("Only for a service that prefers failing fast to waiting; it hides a "
			"slow accept() loop behind resets."),
	},
};

static const struct td_sysctl_obsolete obsolete[] = {
	{
		.name = "net.ipv4.tcp_tw_recycle",
		.path = "net/ipv4/tcp_tw_recycle",
		.removed_in = "4.12",
		.why = "It dropped SYNs whose timestamp was older than the last seen from the "
		       "same address, which broke clients behind one NAT; since 4.10 "
		       "timestamps are randomised per connection, so it could not work. "
		       "The kernel has no such file: `sysctl --system` reports an error for "
		       "this line at every boot. Remove it; use tcp_tw_reuse for outgoing "
		       "connections.",
	},
};

size_t td_sysctl_count(void)
{
	return sizeof(entries) / sizeof(entries[0]);
}

const struct td_sysctl_entry *td_sysctl_entry_at(size_t i)
{
	return i < td_sysctl_count() ? &entries[i] : NULL;
}

const struct td_sysctl_entry *td_sysctl_find(const char *name)
{
	for (size_t i = 0; i < td_sysctl_count(); i++)
		if (!strcmp(entries[i].name, name) || !strcmp(entries[i].path, name))
			return &entries[i];
	return NULL;
}

size_t td_sysctl_obsolete_count(void)
{
	return sizeof(obsolete) / sizeof(obsolete[0]);
}

const struct td_sysctl_obsolete *td_sysctl_obsolete_at(size_t i)
{
	return i < td_sysctl_obsolete_count() ? &obsolete[i] : NULL;
}

static const char *const profile_names[TD_PROFILE_COUNT] = {
	[TD_PROFILE_SERVER] = "server",
	[TD_PROFILE_CLIENT] = "client",
	[TD_PROFILE_PROXY] = "proxy",
};

int td_profile_parse(const char *text, enum td_profile *p, struct td_err *err)
{
	for (int i = 0; i < TD_PROFILE_COUNT; i++) {
		if (!strcmp(text, profile_names[i])) {
			*p = (enum td_profile)i;
			return 0;
		}
	}
	return td_err_set(err, -TD_EPARSE, "--profile '%s': expected server, client or proxy",
			  text);
}

const char *td_profile_name(enum td_profile p)
{
	return (unsigned)p < TD_PROFILE_COUNT ? profile_names[p] : "?";
}

const char *td_verdict_name(enum td_verdict v)
{
	static const char *const names[] = {
		[TD_VERDICT_OK] = "ok",
		[TD_VERDICT_ADVICE] = "advice",
		[TD_VERDICT_WARN] = "warn",
		[TD_VERDICT_ABSENT] = "absent",
	};

	return (unsigned)v <= TD_VERDICT_ABSENT ? names[v] : "?";
}

const char *td_sysctl_kind_name(enum td_sysctl_kind k)
{
	static const char *const names[] = {
		[TD_SK_INT] = "int",
		[TD_SK_ENUM] = "enum",
		[TD_SK_RANGE] = "range",
		[TD_SK_TRIPLE] = "triple",
	};

	return (unsigned)k <= TD_SK_TRIPLE ? names[k] : "?";
}

static int kind_count(enum td_sysctl_kind kind)
{
	return kind == TD_SK_RANGE ? 2 : kind == TD_SK_TRIPLE ? 3 : 1;
}

int td_sysctl_parse_value(const char *text, enum td_sysctl_kind kind, struct td_sysctl_value *v,
			  struct td_err *err)
{
	int want = kind_count(kind), n = 0;
	const char *p = text;

	v->n = 0;
	for (;;) {
		long long x;
		char *end;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (n == want)
			return td_err_set(err, -TD_EPARSE, "'%.40s': more than %d number%s", text,
					  want, want > 1 ? "s" : "");
		if (!(*p == '-' || (*p >= '0' && *p <= '9')))
			return td_err_set(err, -TD_EPARSE, "'%.40s': not a number at '%.10s'", text,
					  p);
		errno = 0;
		x = strtoll(p, &end, 10);
		if (errno || end == p || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
			return td_err_set(err, -TD_EPARSE, "'%.40s': not a number at '%.10s'", text,
					  p);
		v->v[n++] = x;
		p = end;
	}
	if (n != want)
		return td_err_set(err, -TD_EPARSE, "'%.40s': %d number%s, expected %d (%s)", text,
				  n, n == 1 ? "" : "s", want, td_sysctl_kind_name(kind));
	v->n = n;
	return 0;
}

const char *td_sysctl_format(const struct td_sysctl_value *v, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < v->n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%lld", i ? " " : "", (long long)v->v[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

static bool inside(const struct td_sysctl_limit *l, int64_t x)
{
	return x >= l->lo && x <= l->hi;
}

enum td_verdict td_sysctl_judge(const struct td_sysctl_entry *e, enum td_profile p,
				const struct td_sysctl_value *v)
{
	const struct td_sysctl_rec *r = &e->rec[p];
	bool ok = true, tolerable = true;

	if (v->n != kind_count(e->kind))
		return TD_VERDICT_ABSENT;
	for (int i = 0; i < v->n; i++) {
		ok = ok && inside(&r->ok[i], v->v[i]);
		tolerable = tolerable && inside(&r->tolerable[i], v->v[i]);
	}
	return ok ? TD_VERDICT_OK : tolerable ? TD_VERDICT_ADVICE : TD_VERDICT_WARN;
}

bool td_sysctl_recommend(const struct td_sysctl_entry *e, enum td_profile p,
			 const struct td_sysctl_value *v, struct td_sysctl_value *out)
{
	const struct td_sysctl_rec *r = &e->rec[p];
	bool changed = false;

	*out = *v;
	if (v->n != kind_count(e->kind))
		return false;
	for (int i = 0; i < v->n; i++) {
		if (v->v[i] < r->ok[i].lo)
			out->v[i] = r->ok[i].lo;
		else if (v->v[i] > r->ok[i].hi)
			out->v[i] = r->ok[i].hi;
		changed = changed || out->v[i] != v->v[i];
	}
	return changed;
}

static void limit_text(const struct td_sysctl_limit *l, char *buf, size_t len)
{
	if (l->lo == INT64_MIN && l->hi == INT64_MAX)
		snprintf(buf, len, "any");
	else if (l->lo == l->hi)
		snprintf(buf, len, "%lld", (long long)l->lo);
	else if (l->hi == INT64_MAX)
		snprintf(buf, len, ">= %lld", (long long)l->lo);
	else if (l->lo == INT64_MIN)
		snprintf(buf, len, "<= %lld", (long long)l->hi);
	else
		snprintf(buf, len, "%lld..%lld", (long long)l->lo, (long long)l->hi);
}

const char *td_sysctl_rec_text(const struct td_sysctl_entry *e, enum td_profile p, char *buf,
			       size_t len)
{
	static const char *const range_labels[] = { "low", "high" };
	static const char *const triple_labels[] = { "min", "default", "max" };
	const char *const *labels = e->kind == TD_SK_RANGE    ? range_labels
				    : e->kind == TD_SK_TRIPLE ? triple_labels
							      : NULL;
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < kind_count(e->kind) && off < len; i++) {
		char one[64];
		int w;

		limit_text(&e->rec[p].ok[i], one, sizeof(one));
		w = snprintf(buf + off, len - off, "%s%s%s%s", i ? ", " : "",
			     labels ? labels[i] : "", labels ? " " : "", one);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

void td_sysctl_audit(const struct td_sysctl_value *values, enum td_profile p,
		     struct td_sysctl_finding *out)
{
	for (size_t i = 0; i < td_sysctl_count(); i++) {
		out[i].e = &entries[i];
		out[i].cur = values[i];
		out[i].verdict = td_sysctl_judge(&entries[i], p, &values[i]);
		if (out[i].verdict == TD_VERDICT_OK || out[i].verdict == TD_VERDICT_ABSENT)
			out[i].rec = values[i];
		else
			td_sysctl_recommend(&entries[i], p, &values[i], &out[i].rec);
	}
}

static void entry_path(const struct td_sysctl_entry *e, const char *root, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", root ? root : "/proc/sys", e->path);
}

int td_sysctl_read(const struct td_sysctl_entry *e, const char *root, struct td_sysctl_value *v,
		   struct td_err *err)
{
	char path[4096], text[256];
	ssize_t n;
	int fd, rc;

	v->n = 0;
	entry_path(e, root, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ENOENT && !e->per_netns)
			return td_err_set(err, rc,
					  "%s: not here (a host-wide parameter, visible "
					  "only in the initial network namespace)",
					  path);
		return td_err_set(err, rc, "%s: %s", path, strerror(-rc));
	}
	n = read(fd, text, sizeof(text) - 1);
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		return td_err_set(err, rc, "%s: %s", path, strerror(-rc));
	text[n] = '\0';
	rc = td_sysctl_parse_value(text, e->kind, v, err);
	if (rc < 0) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return td_err_set(err, rc, "%s: %s", path, msg);
	}
	return 0;
}

int td_sysctl_write(const struct td_sysctl_entry *e, const char *root,
		    const struct td_sysctl_value *v, struct td_err *err)
{
	char path[4096], text[128];
	size_t len;
	ssize_t n;
	int fd, rc = 0;

	if (v->n != kind_count(e->kind))
		return td_err_set(err, -EINVAL, "%s: %d numbers given, %s needs %d", e->name, v->n,
				  td_sysctl_kind_name(e->kind), kind_count(e->kind));
	entry_path(e, root, path, sizeof(path));
	td_sysctl_format(v, text, sizeof(text) - 1);
	len = strlen(text);
	text[len++] = '\n';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		return td_err_set(err, rc, "%s: %s%s", path, strerror(-rc),
				  rc == -EACCES || rc == -EROFS ? " (needs root, and /proc/sys "
								  "writable in this container)"
								: "");
	}
	/* /proc/sys takes the whole value in one write */
	n = write(fd, text, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc < 0)
		return td_err_set(err, rc, "%s: writing '%.*s': %s", path, (int)len - 1, text,
				  strerror(-rc));
	return 0;
}

/* ---- sysctl.d(5) scan ---------------------------------------------------- */

static const char *const conf_dirs[] = {
	"/etc/sysctl.d",     "/run/sysctl.d", "/usr/local/lib/sysctl.d",
	"/usr/lib/sysctl.d", "/lib/sysctl.d",
};

struct conf_file {
	char *name; /* basename, for sorting and masking */
	char *path;
};

static int conf_file_cmp(const void *pa, const void *pb)
{
	const struct conf_file *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

/* "net/ipv4/x" -> "net.ipv4.x"; as sysctl(8) and systemd-sysctl read a key
 * whose first separator is '/', the two characters swap. */
static void normalise_key(char *k)
{
	char *first = strpbrk(k, "./");

	if (!first || *first == '.')
		return;
	for (; *k; k++) {
		if (*k == '/')
			*k = '.';
		else if (*k == '.')
			*k = '/';
	}
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Settings of one file through cb; returns cb's non-zero result. A file
 * that cannot be opened (but exists) is noted in *first once, and skipped. */
static int scan_file(const char *path, td_sysctl_setting_cb cb, void *ctx, struct td_err *first)
{
	FILE *fp = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned long no = 0;
	int rc = 0;

	if (!fp) {
		if (errno != ENOENT && !first->code)
			td_err_set(first, -errno, "%s: %s", path, strerror(errno));
		return 0;
	}
	while (getline(&line, &cap, fp) >= 0) {
		struct td_sysctl_setting s = { .file = path, .line = ++no };
		char *t = trim(line), *eq;

		if (!*t || *t == '#' || *t == ';')
			continue;
		eq = strchr(t, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (*t == '-') {
			s.ignore_errors = true;
			t++;
		}
		t = trim(t);
		normalise_key(t);
		s.key = t;
		s.value = trim(eq + 1);
		rc = cb(&s, ctx);
		if (rc)
			break;
	}
	free(line);
	fclose(fp);
	return rc;
}

static int add_conf_file(struct conf_file **v, size_t *n, size_t *cap, const char *name,
			 const char *path)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return 0; /* masked by an earlier directory */
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct conf_file *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[*n].name = strdup(name);
	(*v)[*n].path = strdup(path);
	if (!(*v)[*n].name || !(*v)[*n].path) {
		free((*v)[*n].name);
		free((*v)[*n].path);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

int td_sysctl_conf_scan(const char *root, td_sysctl_setting_cb cb, void *ctx, struct td_err *err)
{
	struct conf_file *files = NULL;
	size_t n = 0, cap = 0;
	struct td_err first = { 0 };
	char path[4096];
	int rc = 0;

	if (!root)
		root = "";
	for (size_t d = 0; d < sizeof(conf_dirs) / sizeof(conf_dirs[0]) && !rc; d++) {
		struct dirent *de;
		DIR *dir;

		snprintf(path, sizeof(path), "%s%s", root, conf_dirs[d]);
		dir = opendir(path);
		if (!dir) {
			if (errno != ENOENT && errno != ENOTDIR && !first.code)
				td_err_set(&first, -errno, "%s: %s", path, strerror(errno));
			continue;
		}
		while ((de = readdir(dir))) {
			size_t len = strlen(de->d_name);
			char fpath[4096 + 256 + 2];

			if (len < 6 || strcmp(de->d_name + len - 5, ".conf") ||
			    de->d_name[0] == '.')
				continue;
			snprintf(fpath, sizeof(fpath), "%s/%s", path, de->d_name);
			if (add_conf_file(&files, &n, &cap, de->d_name, fpath) < 0) {
				rc = td_err_set(err, -ENOMEM, "out of memory");
				break;
			}
		}
		closedir(dir);
	}
	if (!rc && n > 1)
		qsort(files, n, sizeof(*files), conf_file_cmp);
	for (size_t i = 0; i < n && !rc; i++)
		rc = scan_file(files[i].path, cb, ctx, &first);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/etc/sysctl.conf", root);
		rc = scan_file(path, cb, ctx, &first);
	}
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].path);
	}
	free(files);
	if (!rc && first.code) {
		if (err)
			*err = first;
		return first.code;
	}
	return rc;
}

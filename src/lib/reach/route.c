/* TCP traceroute without root (see route.h). Every probe is an ordinary
 * non-blocking TCP socket with IP_TTL/IPV6_UNICAST_HOPS and IP_RECVERR: a
 * router's ICMP time-exceeded aborts that connect (tcp_v4_err/tcp_v6_err in
 * SYN_SENT) and is queued on the socket's error queue with the router's
 * address, so no raw socket and no packet matching is needed. */
#include "reach/route.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const verdict_names[] = {
	[TD_DEST_FILTERED] = "filtered",
	[TD_DEST_OPEN] = "open",
	[TD_DEST_CLOSED] = "closed",
	[TD_DEST_UNREACHABLE] = "unreachable",
};

static const char *const reply_names[] = {
	[TD_HOP_NONE] = "none",
	[TD_HOP_TIME_EXCEEDED] = "time-exceeded",
	[TD_HOP_UNREACH] = "unreachable",
	[TD_HOP_SYNACK] = "syn-ack",
	[TD_HOP_RST] = "rst",
};

const char *td_dest_verdict_name(enum td_dest_verdict v)
{
	return (unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]) ? verdict_names[v]
									      : "?";
}

const char *td_hop_reply_name(enum td_hop_reply r)
{
	return (unsigned)r < sizeof(reply_names) / sizeof(reply_names[0]) ? reply_names[r] : "?";
}

double td_hop_loss_pct(const struct td_hop *h)
{
	if (!h->sent)
		return 0;
	return 100.0 * (double)(h->sent - h->received) / (double)h->sent;
}

void td_route_init(struct td_route *r, const struct sockaddr_storage *dst)
{
	memset(r, 0, sizeof(*r));
	r->dst = *dst;
	for (unsigned t = 0; t <= TD_ROUTE_MAX_HOPS; t++)
		td_stats_init(&r->hop[t].rtt);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct probe {
	int fd;
	unsigned ttl;
	double t0;
};

static int open_probe(const struct sockaddr_storage *dst, unsigned ttl, struct probe *p,
		      struct td_err *err)
{
	int one = 1, hops = (int)ttl, fd;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	bool v6 = dst->ss_family == AF_INET6;
	int rc;

	fd = socket(dst->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return td_err_set(err, -errno, "socket(): %s (%u probes per round)",
				  strerror(errno), ttl);
	/* Connected probes are reset on close: no TIME_WAIT here, no
	 * half-open connection left in the server's accept queue. */
	rc = setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (!rc)
		rc = v6 ? setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one))
			: setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	if (!rc)
		rc = v6 ? setsockopt(fd, SOL_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops))
			: setsockopt(fd, SOL_IP, IP_TTL, &hops, sizeof(hops));
	if (rc) {
		rc = -errno;
		close(fd);
		return td_err_set(err, rc, "setting TTL %u on a probe socket: %s", ttl,
				  strerror(-rc));
	}
	p->fd = fd;
	p->ttl = ttl;
	p->t0 = now_ms();
	if (connect(fd, (const struct sockaddr *)dst, td_sockaddr_len(dst)) < 0 &&
	    errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		p->fd = -1;
		return td_err_set(err, rc, "connect: %s: %s", td_probe_errno_meaning(-rc)->name,
				  td_probe_errno_meaning(-rc)->meaning);
	}
	return 0;
}

/* The destination answered (or an unreachable stopped the SYN) at ttl: the
 * lowest such TTL over all rounds is the destination's distance. */
static void note_dest(struct td_route *r, unsigned ttl, enum td_dest_verdict v)
{
	if (!r->dest_ttl || ttl < r->dest_ttl) {
		r->dest_ttl = ttl;
		r->verdict = v;
	} else if (ttl == r->dest_ttl) {
		r->verdict = v;
	}
}

static void record(struct td_route *r, const struct probe *p, double t)
{
	struct td_hop *h = &r->hop[p->ttl];
	struct sockaddr_storage off;
	bool off_set = false, late;
	uint8_t origin = 0, type = 0, code = 0;
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	int soerr = 0, qerr;
	socklen_t sl = sizeof(soerr);
	enum td_hop_reply reply;

	/* SO_ERROR before the error queue: dequeuing an ICMP error clears sk_err. */
	getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	qerr = td_probe_read_errqueue(p->fd, &off, &off_set, &origin, &type, &code);
	/* A SYN not answered within the initial RTO (1 s) is sent again with the
	 * same TTL; an answer now may be to the copy, its time meaningless. Such
	 * an answer still says who is there, but counts as a lost probe. */
	memset(&ti, 0, sizeof(ti));
	late = !getsockopt(p->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) && ti.tcpi_total_retrans;

	if (qerr && (origin == SO_EE_ORIGIN_ICMP || origin == SO_EE_ORIGIN_ICMP6)) {
		bool exceeded = origin == SO_EE_ORIGIN_ICMP ? type == ICMP_TIME_EXCEEDED
							    : type == ICMPV6_TIME_EXCEED;

		reply = exceeded ? TD_HOP_TIME_EXCEEDED : TD_HOP_UNREACH;
		h->error = exceeded ? 0 : qerr;
		h->icmp_type = type;
		h->icmp_code = code;
	} else if (!soerr && !qerr) {
		reply = TD_HOP_SYNACK;
	} else if ((soerr ? soerr : qerr) == ECONNREFUSED) {
		reply = TD_HOP_RST;
	} else {
		/* Decided on this host (no neighbour answer, local firewall). */
		reply = TD_HOP_UNREACH;
		h->error = soerr ? soerr : qerr;
		off_set = false;
	}
	h->reply = reply;
	if (reply == TD_HOP_SYNACK || reply == TD_HOP_RST) {
		off = r->dst;
		off_set = true;
		note_dest(r, p->ttl, reply == TD_HOP_SYNACK ? TD_DEST_OPEN : TD_DEST_CLOSED);
	} else if (reply == TD_HOP_UNREACH) {
		note_dest(r, p->ttl, TD_DEST_UNREACHABLE);
	}
	if (off_set) {
		td_sockaddr_set_port(&off, 0);
		if (!h->addr_set) {
			h->addr = off;
			h->addr_set = true;
		} else if (memcmp(&h->addr, &off, sizeof(off))) {
			h->multi = true;
		}
	}
	if (!late) {
		h->received++;
		td_stats_add(&h->rtt, t - p->t0);
	}
}

int td_route_round(struct td_route *r, const struct td_route_opts *o, struct td_err *err)
{
	struct probe pr[TD_ROUTE_MAX_HOPS];
	struct pollfd pfd[TD_ROUTE_MAX_HOPS];
	unsigned n = o->max_hops, pending = 0;
	double deadline;
	int rc = 0;

	if (n > TD_ROUTE_MAX_HOPS)
		n = TD_ROUTE_MAX_HOPS;
	if (r->dest_ttl && r->dest_ttl < n)
		n = r->dest_ttl;
	for (unsigned i = 0; i < n; i++) {
		rc = open_probe(&r->dst, i + 1, &pr[i], err);
		if (rc < 0) {
			for (unsigned k = 0; k < i; k++)
				close(pr[k].fd);
			return rc;
		}
		r->hop[i + 1].sent++;
		pending++;
	}
	r->rounds++;
	deadline = now_ms() + o->timeout_ms;
	while (pending) {
		double left = deadline - now_ms(), t;
		unsigned np = 0;
		int ready;

		if (left <= 0)
			break;
		for (unsigned i = 0; i < n; i++) {
			if (pr[i].fd < 0)
				continue;
			pfd[np].fd = pr[i].fd;
			pfd[np].events = POLLOUT;
			pfd[np].revents = 0;
			np++;
		}
		ready = poll(pfd, np, (int)left + 1);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0) {
			rc = td_err_set(err, -errno, "poll: %s", strerror(errno));
			break;
		}
		t = now_ms();
		for (unsigned k = 0; k < np; k++) {
			if (!pfd[k].revents)
				continue;
			for (unsigned i = 0; i < n; i++) {
				if (pr[i].fd != pfd[k].fd)
					continue;
				record(r, &pr[i], t);
				close(pr[i].fd);
				pr[i].fd = -1;
				pending--;
			}
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (pr[i].fd >= 0)
			close(pr[i].fd); /* SYN_SENT: close sends nothing */
	return rc;
}

void td_route_analyze(struct td_route *r, unsigned max_hops)
{
	unsigned last = 0, start;

	if (max_hops > TD_ROUTE_MAX_HOPS)
		max_hops = TD_ROUTE_MAX_HOPS;
	if (r->dest_ttl) {
		last = r->dest_ttl;
	} else {
		r->verdict = TD_DEST_FILTERED;
		for (unsigned t = 1; t <= max_hops; t++)
			if (r->hop[t].received || r->hop[t].addr_set)
				last = t;
		/* One silent row after the last hop that spoke stands for the rest. */
		if (last < max_hops)
			last++;
	}
	r->last_ttl = last;
	/* Loss that is real persists to the end of the path: walk back from the
	 * last hop while hops lose probes. A hop that answers nothing while the
	 * next one answers is only silent (drops or rate-limits its ICMP, RFC
	 * 1812 4.3.2.8), so a persistent run never starts at it. */
	start = 0;
	/* An ICMP unreachable ends the path; routers rate-limit those hard
	 * (ip_error() and icmp_send() both charge the same per-source bucket),
	 * so the loss of that last hop says nothing about the path before it. */
	if (r->verdict == TD_DEST_UNREACHABLE && last > 1)
		last--;
	else if (r->verdict == TD_DEST_UNREACHABLE)
		last = 0;
	for (unsigned t = last; t >= 1; t--) {
		double l = td_hop_loss_pct(&r->hop[t]);

		if (!r->hop[t].sent || l <= 0)
			break;
		if (l >= 100 && start && td_hop_loss_pct(&r->hop[start]) < 100)
			break;
		start = t;
	}
	r->loss_start = start;
	for (unsigned t = 1; t <= TD_ROUTE_MAX_HOPS; t++) {
		struct td_hop *h = &r->hop[t];

		if (t > r->last_ttl || !h->sent || td_hop_loss_pct(h) <= 0)
			h->loss = TD_LOSS_NONE;
		else if (!start || t < start || t > last)
			h->loss = TD_LOSS_ONLY_HERE;
		else
			h->loss = t == start ? TD_LOSS_STARTS : TD_LOSS_CONTINUES;
	}
}

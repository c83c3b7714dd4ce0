/* Reachability of one TCP service (see probe.h): target parsing, timed name
 * resolution, one measured connect attempt, statistics and the tables that
 * say what a resolver code or a connect() errno usually means. */
#include "reach/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/errqueue.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct td_code_meaning gai_table[] = {
	{ EAI_NONAME, "EAI_NONAME",
	  "NXDOMAIN: no such name (not in the hosts file, the DNS says it does not exist)" },
	{ EAI_NODATA, "EAI_NODATA",
	  "the name exists but has no address record (no A/AAAA answer)" },
	{ EAI_ADDRFAMILY, "EAI_ADDRFAMILY", "the name has no address of the asked family (-4/-6)" },
	{ EAI_AGAIN, "EAI_AGAIN",
	  "the resolver could not be reached or did not answer in time (check /etc/resolv.conf "
	  "and the route to the nameserver); try again" },
	{ EAI_FAIL, "EAI_FAIL",
	  "the nameserver failed for good (SERVFAIL/REFUSED): its zone or its config is broken" },
	{ EAI_FAMILY, "EAI_FAMILY", "address family not supported" },
	{ EAI_SERVICE, "EAI_SERVICE", "port not supported for this socket type" },
	{ EAI_MEMORY, "EAI_MEMORY", "out of memory while resolving" },
	{ EAI_SYSTEM, "EAI_SYSTEM", "system error while resolving (see errno)" },
};

/* What a failed connect() usually means, in the order people meet them. */
static const struct td_code_meaning errno_table[] = {
	{ ECONNREFUSED, "ECONNREFUSED",
	  "RST: host up, nothing listens on the port — or a firewall rejecting" },
	{ ETIMEDOUT, "ETIMEDOUT", "no answer to SYN: filtered, host down, or a route black hole" },
	{ EHOSTUNREACH, "EHOSTUNREACH",
	  "ICMP host unreachable: a router (or this host's ARP/ND) found no way to the host" },
	{ ENETUNREACH, "ENETUNREACH",
	  "no route to that network: here (no route in this namespace) or at a router (ICMP)" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL",
	  "no free local port or source address for this destination: local ports "
	  "exhausted? (see `tcpdoctor check`)" },
	{ ECONNRESET, "ECONNRESET", "the connection was reset by the peer or a middlebox" },
	{ EACCES, "EACCES",
	  "refused on this host: a local firewall (OUTPUT) or a security module" },
	{ EPERM, "EPERM", "refused on this host: a local firewall (OUTPUT) or a security module" },
	{ ENETDOWN, "ENETDOWN", "the outgoing interface is down" },
	{ EHOSTDOWN, "EHOSTDOWN", "the host is down (ICMP)" },
	{ EPROTO, "EPROTO", "protocol error reported by ICMP (parameter problem)" },
	{ ENOPROTOOPT, "ENOPROTOOPT", "ICMP protocol unreachable: the host does not speak TCP" },
	{ EMSGSIZE, "EMSGSIZE", "packet too big for the path (ICMP fragmentation needed)" },
};

const struct td_code_meaning *td_gai_meaning(int gai)
{
	static __thread struct td_code_meaning unknown;

	for (size_t i = 0; i < sizeof(gai_table) / sizeof(gai_table[0]); i++)
		if (gai_table[i].code == gai)
			return &gai_table[i];
	unknown = (struct td_code_meaning){ gai, "EAI_?", gai_strerror(gai) };
	return &unknown;
}

const struct td_code_meaning *td_probe_errno_meaning(int err)
{
	static __thread struct td_code_meaning unknown;
	const char *name;

	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].code == err)
			return &errno_table[i];
	name = strerrorname_np(err);
	unknown = (struct td_code_meaning){ err, name ? name : "E?", strerror(err) };
	return &unknown;
}

/* Without libm (the tool links none): Newton's square root, exact enough
 * for a deviation printed with three decimals. */
static double sqrt_pos(double v)
{
	double x = v > 1 ? v : 1;

	if (v <= 0)
		return 0;
	for (int i = 0; i < 200; i++) {
		double nx = 0.5 * (x + v / x);

		if (nx == x)
			break;
		x = nx;
	}
	return x;
}

/* Milliseconds left, rounded up so poll() never returns just early. */
static int ms_ceil(double ms)
{
	int v = (int)ms;

	return (double)v < ms ? v + 1 : v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- target ------------------------------------------------------------ */

static int parse_port(const char *s, uint16_t *port, const char *arg, struct td_err *err)
{
	char *end;
	long v;

	if (!*s)
		return td_err_set(err, -TD_EPARSE, "'%s': no port (expected HOST:PORT)", arg);
	if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
		/* A service name, as telnet and nc take it: host:https. */
		struct servent *se = getservbyname(s, "tcp");

		if (!se)
			return td_err_set(err, -TD_EPARSE,
					  "'%s': no TCP service '%s' in /etc/services (give a "
					  "number from 1 to 65535)",
					  arg, s);
		*port = ntohs((uint16_t)se->s_port);
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return td_err_set(err, -TD_EPARSE,
				  "'%s': port '%s' is not a number from 1 to 65535", arg, s);
	*port = (uint16_t)v;
	return 0;
}

static int set_host(struct td_target *t, const char *h, size_t len, const char *arg,
		    struct td_err *err)
{
	if (!len)
		return td_err_set(err, -TD_EPARSE, "'%s': no host (expected HOST:PORT)", arg);
	if (len >= sizeof(t->host))
		return td_err_set(err, -TD_EPARSE, "'%.40s...': host name longer than %zu bytes",
				  arg, sizeof(t->host) - 1);
	if (memchr(h, '[', len) || memchr(h, ']', len) || memchr(h, ' ', len))
		return td_err_set(err, -TD_EPARSE, "'%s': stray '[', ']' or space in the host",
				  arg);
	memcpy(t->host, h, len);
	t->host[len] = '\0';
	return 0;
}

int td_target_parse(const char *arg, const char *port_arg, struct td_target *t, struct td_err *err)
{
	const char *colon;
	size_t len;

	memset(t, 0, sizeof(*t));
	if (!arg)
		return td_err_set(err, -TD_EPARSE, "no target (expected HOST:PORT)");
	len = strlen(arg);
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		int rc;

		if (!close)
			return td_err_set(err, -TD_EPARSE,
					  "'%s': missing ']' after the IPv6 address", arg);
		rc = set_host(t, arg + 1, (size_t)(close - arg - 1), arg, err);
		if (rc < 0)
			return rc;
		if (port_arg) {
			if (close[1])
				return td_err_set(err, -TD_EPARSE,
						  "'%s': port given twice ('%s' follows)", arg,
						  port_arg);
			return parse_port(port_arg, &t->port, arg, err);
		}
		if (close[1] != ':')
			return td_err_set(err, -TD_EPARSE,
					  "'%s': expected ':PORT' after ']' ([2001:db8::1]:80)",
					  arg);
		return parse_port(close + 2, &t->port, arg, err);
	}
	if (port_arg) {
		int rc = set_host(t, arg, len, arg, err);

		return rc < 0 ? rc : parse_port(port_arg, &t->port, port_arg, err);
	}
	colon = strrchr(arg, ':');
	if (!colon)
		return td_err_set(err, -TD_EPARSE,
				  "'%s': no port (expected HOST:PORT, or HOST PORT)", arg);
	if (memchr(arg, ':', (size_t)(colon - arg)))
		return td_err_set(err, -TD_EPARSE,
				  "'%s': an IPv6 address needs brackets: [%.*s]:%s, or give the "
				  "port separately",
				  arg, (int)(colon - arg), arg, colon + 1);
	{
		int rc = set_host(t, arg, (size_t)(colon - arg), arg, err);

		return rc < 0 ? rc : parse_port(colon + 1, &t->port, arg, err);
	}
}

/* ---- addresses --------------------------------------------------------- */

const char *td_sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = NULL;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (!a || !inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

uint16_t td_sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

void td_sockaddr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

socklen_t td_sockaddr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* ---- resolution -------------------------------------------------------- */

int td_probe_resolve(const struct td_target *t, int family, struct td_resolved *r,
		     struct td_err *err)
{
	struct addrinfo hints = { .ai_family = family ? family : AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_protocol = IPPROTO_TCP };
	struct addrinfo *res = NULL;
	double t0;
	int rc;

	memset(r, 0, sizeof(*r));
	t0 = now_ms();
	rc = getaddrinfo(t->host, NULL, &hints, &res);
	r->ms = now_ms() - t0;
	if (rc) {
		const struct td_code_meaning *m = td_gai_meaning(rc);
		int saved = errno;

		r->gai = rc;
		if (rc == EAI_SYSTEM)
			return td_err_set(err, saved ? -saved : -EIO, "%s: cannot resolve: %s",
					  t->host, strerror(saved));
		return td_err_set(err, -TD_ENOTFOUND, "%s: cannot resolve%s: %s: %s", t->host,
				  family == AF_INET    ? " (IPv4 only)"
				  : family == AF_INET6 ? " (IPv6 only)"
						       : "",
				  m->name, m->meaning);
	}
	for (struct addrinfo *ai = res; ai && r->n < TD_PROBE_MAX_ADDRS; ai = ai->ai_next) {
		bool dup = false;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		for (size_t i = 0; i < r->n && !dup; i++)
			dup = !memcmp(&r->addr[i], ai->ai_addr, ai->ai_addrlen);
		if (dup)
			continue;
		memset(&r->addr[r->n], 0, sizeof(r->addr[r->n]));
		memcpy(&r->addr[r->n], ai->ai_addr, ai->ai_addrlen);
		td_sockaddr_set_port(&r->addr[r->n], t->port);
		r->n++;
	}
	freeaddrinfo(res);
	if (!r->n) {
		r->gai = EAI_NODATA;
		return td_err_set(err, -TD_ENOTFOUND, "%s: no IPv4 or IPv6 address", t->host);
	}
	return 0;
}

/* ---- one attempt ------------------------------------------------------- */

int td_probe_read_errqueue(int fd, struct sockaddr_storage *offender, bool *offender_set,
			   uint8_t *origin, uint8_t *type, uint8_t *code)
{
	char cbuf[512];
	char dbuf[64];
	struct iovec iov = { dbuf, sizeof(dbuf) };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int ee_errno = 0;

	*offender_set = false;
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		const struct sock_extended_err *ee;
		const struct sockaddr *off;

		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(c);
		ee_errno = (int)ee->ee_errno;
		*origin = ee->ee_origin;
		*type = ee->ee_type;
		*code = ee->ee_code;
		/* SO_EE_OFFENDER: the sockaddr right after the struct; AF_UNSPEC
		 * when the error was local. */
		off = SO_EE_OFFENDER(ee);
		if (off->sa_family == AF_INET || off->sa_family == AF_INET6) {
			memset(offender, 0, sizeof(*offender));
			memcpy(offender, off,
			       off->sa_family == AF_INET ? sizeof(struct sockaddr_in)
							 : sizeof(struct sockaddr_in6));
			*offender_set = true;
		}
	}
	return ee_errno;
}

static void finish_close(int fd, bool rst)
{
	if (rst) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(fd);
}

/* After connect: send o->send, wait for the answer (and o->expect in it). */
static void exchange(int fd, const struct td_probe_opts *o, struct td_attempt *a)
{
	char buf[4096];
	size_t have = 0;
	double t0, deadline;

	a->expect_ok = !o->expect;
	t0 = now_ms();
	deadline = t0 + o->timeout_ms;
	if (o->send_len && send(fd, o->send, o->send_len, MSG_NOSIGNAL) < 0) {
		a->data_error = errno;
		return;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_ms();
		ssize_t n;
		int pr;

		if (left <= 0) {
			if (!a->expect_ok || !a->answered)
				a->data_error = ETIMEDOUT;
			return;
		}
		pr = poll(&p, 1, ms_ceil(left));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		n = recv(fd, buf + have, sizeof(buf) - 1 - have, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			a->data_error = errno;
			return;
		}
		if (n == 0)
			return; /* EOF: what came is all there is */
		if (!a->answered) {
			a->answered = true;
			a->ttfb_ms = now_ms() - t0;
		}
		if (a->got_len < sizeof(a->got)) {
			size_t k = (size_t)n;

			if (k > sizeof(a->got) - a->got_len)
				k = sizeof(a->got) - a->got_len;
			memcpy(a->got + a->got_len, buf + have, k);
			a->got_len += k;
		}
		have += (size_t)n;
		buf[have] = '\0';
		if (!o->expect || memmem(buf, have, o->expect, strlen(o->expect))) {
			a->expect_ok = true;
			return;
		}
		if (have >= sizeof(buf) - 1)
			return; /* 4 KiB without the text: it will not come */
	}
}

int td_probe_attempt(const struct sockaddr *dst, const struct td_probe_opts *o,
		     struct td_attempt *a, struct td_err *err)
{
	int family = dst->sa_family, one = 1, fd;
	socklen_t len =
		family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	double t0, deadline;

	memset(a, 0, sizeof(*a));
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return td_err_set(err, -errno, "socket(): %s", strerror(errno));
	/* IP_RECVERR: the ICMP error that kills a SYN_SENT socket is also queued
	 * with its sender, so "unreachable" can name the router that said so. */
	if (family == AF_INET6)
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));

	t0 = now_ms();
	deadline = t0 + o->timeout_ms;
	if (connect(fd, dst, len) < 0 && errno != EINPROGRESS) {
		/* Decided here: no route, no local port, a local firewall. */
		a->error = errno;
		a->connect_ms = now_ms() - t0;
		close(fd);
		return 0;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		double left = deadline - now_ms();
		int pr;

		if (left <= 0) {
			a->error = ETIMEDOUT;
			a->connect_ms = now_ms() - t0;
			break;
		}
		pr = poll(&p, 1, ms_ceil(left));
		if (pr < 0 && errno != EINTR) {
			a->error = errno;
			break;
		}
		if (pr <= 0)
			continue;
		a->connect_ms = now_ms() - t0;
		{
			int soerr = 0;
			socklen_t sl = sizeof(soerr);
			int qerr;

			/* SO_ERROR first: dequeuing the ICMP error clears sk_err. */
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			qerr = td_probe_read_errqueue(fd, &a->offender, &a->offender_set,
						      &a->ee_origin, &a->icmp_type, &a->icmp_code);
			a->error = soerr ? soerr : qerr;
		}
		break;
	}
	if (!a->error) {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);

		if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl))
			a->rtt_us = ti.tcpi_rtt;
		if (o->send || o->expect)
			exchange(fd, o, a);
	}
	finish_close(fd, o->rst);
	return 0;
}

/* ---- statistics -------------------------------------------------------- */

void td_stats_init(struct td_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void td_stats_add(struct td_stats *s, double x)
{
	if (!s->n || x < s->min)
		s->min = x;
	if (!s->n || x > s->max)
		s->max = x;
	if (s->n)
		s->jitter_sum += (x > s->last ? x - s->last : s->last - x);
	s->last = x;
	s->sum += x;
	s->sumsq += x * x;
	s->n++;
}

double td_stats_avg(const struct td_stats *s)
{
	return s->n ? s->sum / (double)s->n : NAN;
}

double td_stats_mdev(const struct td_stats *s)
{
	double avg, var;

	if (!s->n)
		return NAN;
	avg = s->sum / (double)s->n;
	var = s->sumsq / (double)s->n - avg * avg;
	return var > 0 ? sqrt_pos(var) : 0; /* rounding can make it a hair below 0 */
}

double td_stats_jitter(const struct td_stats *s)
{
	return s->n >= 2 ? s->jitter_sum / (double)(s->n - 1) : NAN;
}

/* ---- --send text ------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long td_probe_unescape(const char *in, char *out, size_t cap, struct td_err *err)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		char c = *p;

		if (c == '\\') {
			if (!p[1])
				return td_err_set(err, -TD_EPARSE, "'%s': ends with a lone '\\'",
						  in);
			switch (*++p) {
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case '0':
				c = '\0';
				break;
			case '\\':
				c = '\\';
				break;
			case 'x': {
				int h = p[1] ? hexval(p[1]) : -1,
				    l = h >= 0 && p[2] ? hexval(p[2]) : -1;

				if (h < 0 || l < 0)
					return td_err_set(err, -TD_EPARSE,
							  "'%s': \\x needs two hex digits", in);
				c = (char)(h * 16 + l);
				p += 2;
				break;
			}
			default:
				return td_err_set(err, -TD_EPARSE,
						  "'%s': unknown escape '\\%c' (use \\r \\n \\t "
						  "\\0 \\\\ \\xHH)",
						  in, *p);
			}
		}
		if (n >= cap)
			return td_err_set(err, -E2BIG, "--send text longer than %zu bytes", cap);
		out[n++] = c;
	}
	return (long)n;
}

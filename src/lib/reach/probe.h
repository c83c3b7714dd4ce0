/* Reachability of one TCP service: parsing HOST:PORT, resolving it (timed),
 * one non-blocking connect attempt with its errno, kernel RTT and the ICMP
 * sender from the error queue, running statistics, and what each errno and
 * resolver code means. The library measures; src/cmd/probe.c prints. */
#ifndef TD_PROBE_H
#define TD_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"

#define TD_PROBE_MAX_ADDRS 16
#define TD_PROBE_HOST_MAX 256

/* What the user asked for: a name or an address literal (no brackets) and a
 * port. */
struct td_target {
	char host[TD_PROBE_HOST_MAX];
	uint16_t port;
};

/* Parse "host:port", "[2001:db8::1]:80", "192.0.2.1:80"; or, when port_arg
 * is not NULL, "host" (brackets optional) and "port" separately. Ports are
 * numbers 1..65535. A bare IPv6 address with a port glued on is ambiguous
 * and refused with a hint. -TD_EPARSE on bad input. */
int td_target_parse(const char *arg, const char *port_arg, struct td_target *t, struct td_err *err);

/* Every address getaddrinfo() gave, in its order (RFC 6724), duplicates
 * dropped, and how long it took. */
struct td_resolved {
	size_t n;
	struct sockaddr_storage addr[TD_PROBE_MAX_ADDRS];
	double ms; /* wall time of getaddrinfo() */
	int gai;   /* getaddrinfo()'s code when it failed, else 0 */
};

/* Resolve t for TCP; family is AF_INET, AF_INET6 or 0 (both). On a resolver
 * failure returns -TD_ENOTFOUND with r->gai set and the code explained in
 * err (EAI_SYSTEM: -errno). */
int td_probe_resolve(const struct td_target *t, int family, struct td_resolved *r,
		     struct td_err *err);

/* One resolver code: its name and what it means for the user. Unknown codes
 * get a generic entry (never NULL). */
struct td_code_meaning {
	int code;
	const char *name;
	const char *meaning;
};
const struct td_code_meaning *td_gai_meaning(int gai);
/* One connect() errno: "ECONNREFUSED" and one line on its usual causes.
 * Unknown errnos get their name and strerror() text (never NULL). */
const struct td_code_meaning *td_probe_errno_meaning(int err);

struct td_probe_opts {
	int timeout_ms;	  /* connect, and the answer to --send */
	bool rst;	  /* close with RST (SO_LINGER 0): no TIME_WAIT here */
	const char *send; /* bytes to send once connected, or NULL */
	size_t send_len;
	const char *expect; /* text the answer must contain, or NULL */
};

/* How one attempt went. */
struct td_attempt {
	int error;	   /* 0 connected, else errno (ETIMEDOUT: no answer in time) */
	double connect_ms; /* connect() until established, or until the error */
	uint32_t rtt_us;   /* kernel's SYN RTT (tcp_info tcpi_rtt), 0 if unknown */
	bool offender_set; /* an ICMP error named its sender */
	struct sockaddr_storage offender;
	uint8_t ee_origin; /* SO_EE_ORIGIN_ICMP / _ICMP6 / _LOCAL */
	uint8_t icmp_type, icmp_code;
	/* --send / --expect */
	bool answered;	/* bytes came back */
	double ttfb_ms; /* from the send to the first byte of the answer */
	bool expect_ok; /* expect found in the answer (true without expect) */
	int data_error; /* ETIMEDOUT, ECONNRESET, EPIPE, 0 (EOF is not an error) */
	size_t got_len; /* first bytes of the answer, for display */
	char got[128];
};

/* One attempt at dst: a fresh non-blocking socket with IP_RECVERR, connect,
 * poll until established, refused, an ICMP error or the timeout; then, if
 * asked, send and wait for the answer; then close (FIN, or RST with o->rst).
 * Returns 0 when the attempt was made (a->error says how it went), a negative
 * errno when no socket could be made here (EMFILE...). */
int td_probe_attempt(const struct sockaddr *dst, const struct td_probe_opts *o,
		     struct td_attempt *a, struct td_err *err);

/* Read one ICMP error from fd's error queue (MSG_ERRQUEUE): its errno, the
 * sender (SO_EE_OFFENDER), origin, type and code. Returns the ee_errno, 0
 * when the queue is empty. Shared with route.c. */
int td_probe_read_errqueue(int fd, struct sockaddr_storage *offender, bool *offender_set,
			   uint8_t *origin, uint8_t *type, uint8_t *code);

/* Running statistics of samples in ms: min/avg/max, mdev as ping computes it
 * (sqrt(mean(x^2) - mean(x)^2)) and jitter as the mean absolute difference of
 * consecutive samples (RFC 3550's idea, without its smoothing). */
struct td_stats {
	unsigned long n;
	double min, max, sum, sumsq;
	double last;
	double jitter_sum; /* sum of |x[i] - x[i-1]| */
};
void td_stats_init(struct td_stats *s);
void td_stats_add(struct td_stats *s, double x);
/* NaN when there is no sample (jitter: fewer than two). */
double td_stats_avg(const struct td_stats *s);
double td_stats_mdev(const struct td_stats *s);
double td_stats_jitter(const struct td_stats *s);

/* Decode C escapes in --send text (\r \n \t \0 \\ \xHH) into out (at most
 * cap bytes); returns the length, or -TD_EPARSE on a bad escape. */
long td_probe_unescape(const char *in, char *out, size_t cap, struct td_err *err);

/* "192.0.2.1" or "2001:db8::1" (no port); "?" for an unknown family. */
const char *td_sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t len);
/* Port of an AF_INET/AF_INET6 address (host order), 0 otherwise. */
uint16_t td_sockaddr_port(const struct sockaddr_storage *ss);
void td_sockaddr_set_port(struct sockaddr_storage *ss, uint16_t port);
socklen_t td_sockaddr_len(const struct sockaddr_storage *ss);

#endif

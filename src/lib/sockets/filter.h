/* Socket filters: what the user asked for on the command line, parsed with
 * clear errors, matched in user space (for /proc and replayed dumps) and
 * compiled to inet_diag bytecode so the kernel filters netlink dumps. */
#ifndef TD_FILTER_H
#define TD_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "sockets/sock.h"
#include "sockets/ssexpr.h"

#define TD_FILTER_MAX 8 /* per list: ports, addresses */

struct td_port_range {
	uint16_t lo, hi; /* inclusive, host order */
};

struct td_cidr {
	uint8_t family;	  /* AF_INET or AF_INET6 */
	uint8_t prefix;	  /* 0..32 or 0..128 */
	uint8_t addr[16]; /* network order, host bits cleared */
};

/* A socket passes when it passes every non-empty criterion; within one list
 * (e.g. several --sport) one match is enough. */
struct td_filter {
	uint32_t states; /* TD_STATE_BIT mask; 0 means every state */
	int family;	 /* 0 (both), AF_INET or AF_INET6 */
	size_t nsport, ndport, nport;
	struct td_port_range sport[TD_FILTER_MAX]; /* local port */
	struct td_port_range dport[TD_FILTER_MAX]; /* remote port */
	struct td_port_range port[TD_FILTER_MAX];  /* local or remote */
	size_t nsrc, ndst;
	struct td_cidr src[TD_FILTER_MAX]; /* local address */
	struct td_cidr dst[TD_FILTER_MAX]; /* remote address */
	size_t npid;
	pid_t pid[TD_FILTER_MAX]; /* applied by callers through owners */
	struct td_ssexpr expr;	  /* an ss filter expression (n == 0: none) */
};

void td_filter_init(struct td_filter *f);

/* Add criteria from option text. Each returns 0 or -TD_EPARSE (or -E2BIG
 * when a list is full) with err naming the option, the bad text and the
 * expected form, e.g.
 *   "--sport '80-x': not a port or range: expected PORT or LO-HI with 0 <= LO <= HI <= 65535".
 * Ports: "80", ":80", "8000-8080", or a service name (":https", from
 *   /etc/services through getservbyname(3)); a leading ':' is allowed (as
 *   in `who :8080`); 0..65535; lo <= hi.
 * Addresses: "192.0.2.1", "192.0.2.0/24", "2001:db8::/32", "[2001:db8::1]";
 *   a bare IPv4 address means /32, a bare IPv6 one /128; a prefix longer
 *   than the family allows is an error; host bits are cleared
 *   ("192.0.2.1/24" means 192.0.2.0/24), as ip(8) does for routes.
 * States: any spelling td_state_parse() knows; repeatable (OR). */
int td_filter_add_state(struct td_filter *f, const char *text, struct td_err *err);
int td_filter_add_sport(struct td_filter *f, const char *text, struct td_err *err);
int td_filter_add_dport(struct td_filter *f, const char *text, struct td_err *err);
int td_filter_add_port(struct td_filter *f, const char *text, struct td_err *err);
int td_filter_add_src(struct td_filter *f, const char *text, struct td_err *err);
int td_filter_add_dst(struct td_filter *f, const char *text, struct td_err *err);
int td_filter_add_pid(struct td_filter *f, const char *text, struct td_err *err);

/* Lower-level parsers the above use, exposed for tests and other commands. */
int td_parse_port_range(const char *text, struct td_port_range *out, struct td_err *err);
int td_parse_cidr(const char *text, struct td_cidr *out, struct td_err *err);

/* Does s pass the state, family, port and address criteria? (pid is not
 * checked here: sockets do not carry owners.) An IPv4 CIDR also matches an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d), as the kernel's bytecode does. */
bool td_filter_match(const struct td_filter *f, const struct td_sock *s);

/* Does the filter constrain anything beyond states/family (ports,
 * addresses, an expression)? */
bool td_filter_has_addr_port(const struct td_filter *f);

/* Compile the port and address criteria, then the expression (ANDed), to
 * inet_diag bytecode (the
 * INET_DIAG_REQ_BYTECODE attribute; see linux/inet_diag.h and the kernel's
 * inet_diag_bc_run()/inet_diag_bc_audit()) into buf. Returns the number of
 * bytes written (0 when there is nothing to filter), or -ENOSPC.
 * States and family are not in the bytecode: they go in the request's
 * idiag_states and sdiag_family. */
int td_filter_bytecode(const struct td_filter *f, void *buf, size_t len);

#endif

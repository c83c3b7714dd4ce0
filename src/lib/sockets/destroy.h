/* Destroying TCP sockets (`tcpdoctor kill`): the plan of what would be done
 * with each matching socket, and the two ways the kernel offers to do it:
 * SOCK_DESTROY over netlink sock_diag (CONFIG_INET_DIAG_DESTROY, what
 * `ss -K` uses) and, where that is missing, the bpf_sock_destroy() kfunc
 * from an iter/tcp program (src/bpf/destroy.bpf.c, Linux 6.5+). Either way
 * the owner's next call fails with ECONNABORTED and the peer gets an RST. */
#ifndef TD_DESTROY_H
#define TD_DESTROY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sockets/sock.h"

/* What happens (or happened) to one socket. */
enum td_destroy_outcome {
	TD_DSTR_PLANNED = 0, /* would be destroyed (dry run), or not tried yet */
	TD_DSTR_DESTROYED,   /* the kernel destroyed it */
	TD_DSTR_GONE,	     /* no longer there (closed, or its 4-tuple reused) */
	TD_DSTR_REFUSED,     /* not tried: why says why */
	TD_DSTR_FAILED,	     /* the kernel refused: errnum says why */
};

struct td_destroy_item {
	struct td_sock s;
	enum td_destroy_outcome outcome;
	int errnum;	 /* TD_DSTR_FAILED: positive errno */
	const char *why; /* TD_DSTR_REFUSED, FAILED: one phrase */
};

/* Which way sockets are destroyed. */
enum td_destroy_via {
	TD_VIA_AUTO = 0, /* SOCK_DESTROY; bpf_sock_destroy() on EOPNOTSUPP */
	TD_VIA_NETLINK,
	TD_VIA_BPF,
};

struct td_destroy_opts {
	bool listeners; /* LISTEN sockets may be destroyed */
	size_t max;	/* refuse the whole plan beyond this many sockets */
};

/* Decide for each item (outcome PLANNED on entry) whether it may be
 * destroyed: LISTEN without o->listeners is REFUSED, as are sockets
 * without a cookie (a /proc or replayed dump cannot name a socket to the
 * kernel). Returns the number left PLANNED, or -E2BIG when that exceeds
 * o->max (err says how many and how to raise it). */
long td_destroy_plan(struct td_destroy_item *v, size_t n, const struct td_destroy_opts *o,
		     struct td_err *err);

/* Build the SOCK_DESTROY request for s into buf: an nlmsghdr (type
 * SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, sequence seq) and an
 * inet_diag_req_v2 naming the socket by family, 4-tuple, interface and
 * cookie (so a new socket on the same 4-tuple is never hit). Returns the
 * message length, or -ENOSPC. */
int td_destroy_req_build(const struct td_sock *s, uint32_t seq, void *buf, size_t len);

/* Destroy every PLANNED item, filling outcome/errnum/why. via says which
 * path; with AUTO, netlink first and the BPF iterator when the kernel says
 * EOPNOTSUPP for the first socket. *used is set to the path that acted.
 * Returns 0 when every item got an outcome; a negative error (with err)
 * when no path could run at all: -TD_EUNSUPP when neither exists, -EPERM
 * without CAP_NET_ADMIN. */
int td_destroy_run(struct td_destroy_item *v, size_t n, enum td_destroy_via via,
		   enum td_destroy_via *used, struct td_err *err);

/* "destroyed", "gone", "refused", "failed", "planned". */
const char *td_destroy_outcome_name(enum td_destroy_outcome o);
/* "netlink" (SOCK_DESTROY), "bpf" (bpf_sock_destroy), "auto". */
const char *td_destroy_via_name(enum td_destroy_via via);
/* "auto", "netlink", "bpf" -> via; -TD_EPARSE otherwise. */
int td_destroy_via_parse(const char *text, enum td_destroy_via *via, struct td_err *err);

#endif

/* /proc/net/tcp and /proc/net/tcp6: the fallback socket source, used with
 * --source proc and when netlink sock_diag is refused. Produces the same
 * td_sock records as netlink for the fields both carry; it has no socket
 * cookie, no tcp_info and, for LISTEN sockets, no backlog. */
#ifndef TD_PROCNET_H
#define TD_PROCNET_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "sockets/filter.h"
#include "sockets/sock.h"

/* Parse one data line of /proc/net/tcp (family AF_INET) or tcp6 (AF_INET6)
 * into *s. Returns 0, or -TD_EPARSE with err describing the field that is
 * wrong (the caller adds file and line). The header line is not a data
 * line: callers skip it. Fields (see the kernel's get_tcp4_sock()):
 *   sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt
 *   uid timeout inode refcnt pointer [rto ato quick/pingpong cwnd ssthresh]
 * Addresses are the kernel's __be32 words printed with %08X in host order
 * (so on little-endian 0100007F is 127.0.0.1); tm->when is in jiffies
 * (USER_HZ = 100 is what the kernel converts to: clock_t) and becomes
 * timer_ms; for LISTEN, rx_queue is the accept queue length. */
int td_procnet_parse_line(const char *line, int family, struct td_sock *s, struct td_err *err);

/* Stream every socket of one open file (family AF_INET or AF_INET6) through
 * cb, skipping those f rejects (f may be NULL). `name` is used in error
 * messages ("/proc/net/tcp6"). A malformed line is an error naming the
 * file and line number; sockets before it have been delivered.
 * Returns 0, cb's non-zero value, or a negative error. */
int td_procnet_stream(FILE *fp, int family, const char *name, const struct td_filter *f,
		      td_sock_cb cb, void *ctx, struct td_err *err);

/* Both /proc/net/tcp and tcp6 (as f->family allows) of the current network
 * namespace. A missing tcp6 (IPv6 disabled) is not an error. */
int td_procnet_dump(const struct td_filter *f, td_sock_cb cb, void *ctx, struct td_err *err);

#endif

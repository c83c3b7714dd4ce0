/* Socket sources over netlink sock_diag (NETLINK_SOCK_DIAG, inet_diag_req_v2)
 * through libmnl, and the replay of a recorded dump. Both stream: one
 * td_sock per callback, nothing kept. */
#ifndef TD_SOCKDIAG_H
#define TD_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "sockets/filter.h"
#include "sockets/sock.h"

enum td_dump_flags {
	TD_DUMP_INFO = 1 << 0, /* request tcp_info (INET_DIAG_INFO) */
};

/* Dump TCP sockets of the current network namespace. Both families (no
 * f->family) come from one dump, as the kernel answers the request that
 * predates sock_diag (TCPDIAG_GETSOCK, family AF_UNSPEC): the kernel scans
 * the whole established hash for every dump, so that is one scan instead
 * of two (1.29 s -> 0.93 s for `states --source netlink` at 1M sockets);
 * where that request is refused, and when saving, IPv4 then IPv6. States
 * go to the kernel as idiag_states, ports and addresses as inet_diag
 * bytecode, so filtered-out sockets never reach user space. If save_fd >=
 * 0, every raw reply buffer is also written there (the --save-dump format,
 * the same as `ss -D FILE`: SOCK_DIAG_BY_FAMILY messages, by family).
 * Returns 0, cb's non-zero value, or a negative error with err filled. */
int td_sockdiag_dump(const struct td_filter *f, unsigned flags, int save_fd, td_sock_cb cb,
		     void *ctx, struct td_err *err);

/* Parse one SOCK_DIAG_BY_FAMILY reply message payload (struct inet_diag_msg
 * and its attributes) into *s. Exposed for tests and the replay. */
int td_sockdiag_parse(const void *nlh, struct td_sock *s, struct td_err *err);

/* Replay a file of raw netlink replies (as written by --save-dump or
 * `ss -D`), applying f in user space. A truncated or malformed message is
 * an error naming the byte offset and message number; sockets before it
 * have been delivered. An NLMSG_ERROR in the file is reported with its
 * errno. */
/* Before any output: does path open, and does it start like a dump (an
 * empty file does: no socket)? 0, or -errno / -TD_EPARSE with err filled. */
int td_replay_check(const char *path, struct td_err *err);
int td_replay_dump(const char *path, const struct td_filter *f, td_sock_cb cb, void *ctx,
		   struct td_err *err);

#endif

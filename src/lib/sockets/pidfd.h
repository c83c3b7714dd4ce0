/* Another process's sockets, reached through pidfd_open + pidfd_getfd
 * (Linux 5.6+): a duplicate of its file descriptor, on which setsockopt
 * changes the very socket the process holds. Used by `tcpdoctor keepalive`
 * to turn on and tune keepalive (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT) and TCP_USER_TIMEOUT on a process that cannot be restarted.
 * The kernel asks for PTRACE_MODE_ATTACH_REALCREDS on the target: root
 * (CAP_SYS_PTRACE), or the same user when Yama allows it. */
#ifndef TD_PIDFD_H
#define TD_PIDFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Keepalive settings of one socket, as getsockopt reads them. */
struct td_keepalive {
	int on;		       /* SO_KEEPALIVE */
	int idle;	       /* TCP_KEEPIDLE, seconds */
	int intvl;	       /* TCP_KEEPINTVL, seconds */
	int cnt;	       /* TCP_KEEPCNT */
	unsigned user_timeout; /* TCP_USER_TIMEOUT, ms (0: the kernel's default) */
};

/* What the user asked for; -1 means "leave as it is". */
struct td_keepalive_req {
	bool off;	      /* SO_KEEPALIVE 0; the other values are left alone */
	int idle, intvl, cnt; /* applied with SO_KEEPALIVE 1 */
	long user_timeout;    /* ms, or -1 */
};

/* Which settings differ between two td_keepalive. */
enum td_ka_change {
	TD_KA_ON = 1 << 0,
	TD_KA_IDLE = 1 << 1,
	TD_KA_INTVL = 1 << 2,
	TD_KA_CNT = 1 << 3,
	TD_KA_USER_TIMEOUT = 1 << 4,
};

/* The settings after applying req to cur, into *want; returns the
 * td_ka_change mask of what would change (0: nothing to do). Pure. */
unsigned td_keepalive_plan(const struct td_keepalive *cur, const struct td_keepalive_req *req,
			   struct td_keepalive *want);

/* Check the request's ranges (as the kernel's: idle 1..32767 s, intvl
 * 1..32767 s, count 1..127, user timeout >= 0 ms). 0 or -TD_EPARSE. */
int td_keepalive_req_check(const struct td_keepalive_req *req, struct td_err *err);

/* Read the settings of a TCP socket fd. 0 or -errno. */
int td_keepalive_get(int fd, struct td_keepalive *k);

/* setsockopt the settings in mask from want on fd. 0 or -errno, err
 * naming the option the kernel refused. */
int td_keepalive_set(int fd, const struct td_keepalive *want, unsigned mask, struct td_err *err);

/* "off", or "IDLE/INTVL/CNT" with " ut=MS" when a user timeout is set. */
const char *td_keepalive_str(const struct td_keepalive *k, char *buf, size_t len);

/* pidfd_open(pid): a pidfd, or -TD_ENOTFOUND (no such process), -ENOSYS
 * (kernel before 5.3), other -errno; err says which. */
int td_pidfd_open(pid_t pid, struct td_err *err);

/* A duplicate of fd `fd` of the process behind pidfd (close it when done).
 * On EPERM, err says exactly which check failed (another user's process,
 * Yama's ptrace_scope, a missing CAP_SYS_PTRACE) and what to do. */
int td_pidfd_getfd(int pidfd, pid_t pid, int fd, struct td_err *err);

/* Why this process may not take pid's file descriptors (after EPERM from
 * pidfd_getfd, or EACCES on /proc/PID/fd): another user's process without
 * CAP_SYS_PTRACE, Yama's ptrace_scope, or the process is not dumpable.
 * Fills err (code -EPERM, or -TD_ENOTFOUND when pid is gone) and returns
 * its code. procdir NULL: "/proc" (tests give a fake one); yama_scope < 0:
 * read /proc/sys/kernel/yama/ptrace_scope (absent: no Yama). */
int td_ptrace_explain(pid_t pid, const char *procdir, int yama_scope, struct td_err *err);

#endif

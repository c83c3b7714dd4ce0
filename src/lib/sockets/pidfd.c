/* Another process's sockets through pidfd_getfd, and their keepalive
 * settings. See pidfd.h. The plan is pure; the rest are thin syscalls with
 * errors that say which kernel check failed. */
#include "sockets/pidfd.h"

#include <errno.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef CAP_SYS_PTRACE
#define CAP_SYS_PTRACE 19
#endif

/* The kernel's limits (net/ipv4/tcp.c: MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL,
 * MAX_TCP_KEEPCNT). */
#define KA_IDLE_MAX 32767
#define KA_INTVL_MAX 32767
#define KA_CNT_MAX 127

unsigned td_keepalive_plan(const struct td_keepalive *cur, const struct td_keepalive_req *req,
			   struct td_keepalive *want)
{
	unsigned mask = 0;

	*want = *cur;
	if (req->off) {
		want->on = 0;
	} else {
		want->on = 1;
		if (req->idle >= 0)
			want->idle = req->idle;
		if (req->intvl >= 0)
			want->intvl = req->intvl;
		if (req->cnt >= 0)
			want->cnt = req->cnt;
	}
	if (req->user_timeout >= 0)
		want->user_timeout = (unsigned)req->user_timeout;
	if (want->on != cur->on)
		mask |= TD_KA_ON;
	if (want->idle != cur->idle)
		mask |= TD_KA_IDLE;
	if (want->intvl != cur->intvl)
		mask |= TD_KA_INTVL;
	if (want->cnt != cur->cnt)
		mask |= TD_KA_CNT;
	if (want->user_timeout != cur->user_timeout)
		mask |= TD_KA_USER_TIMEOUT;
	return mask;
}

int td_keepalive_req_check(const struct td_keepalive_req *req, struct td_err *err)
{
	if (req->idle == 0 || req->idle > KA_IDLE_MAX)
		return td_err_set(err, -TD_EPARSE, "--idle %d: expected 1 to %d seconds", req->idle,
				  KA_IDLE_MAX);
	if (req->intvl == 0 || req->intvl > KA_INTVL_MAX)
		return td_err_set(err, -TD_EPARSE, "--intvl %d: expected 1 to %d seconds",
				  req->intvl, KA_INTVL_MAX);
	if (req->cnt == 0 || req->cnt > KA_CNT_MAX)
		return td_err_set(err, -TD_EPARSE, "--count %d: expected 1 to %d probes", req->cnt,
				  KA_CNT_MAX);
	if (req->user_timeout > 0x7fffffffL)
		return td_err_set(err, -TD_EPARSE, "--user-timeout %ld: too large",
				  req->user_timeout);
	return 0;
}

static int get_int(int fd, int level, int opt, int *out)
{
	socklen_t len = sizeof(*out);

	return getsockopt(fd, level, opt, out, &len) < 0 ? -errno : 0;
}

int td_keepalive_get(int fd, struct td_keepalive *k)
{
	int ut = 0, rc;

	memset(k, 0, sizeof(*k));
	if ((rc = get_int(fd, SOL_SOCKET, SO_KEEPALIVE, &k->on)) < 0 ||
	    (rc = get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, &k->idle)) < 0 ||
	    (rc = get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, &k->intvl)) < 0 ||
	    (rc = get_int(fd, IPPROTO_TCP, TCP_KEEPCNT, &k->cnt)) < 0 ||
	    (rc = get_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut)) < 0)
		return rc;
	k->on = !!k->on;
	k->user_timeout = (unsigned)ut;
	return 0;
}

static int set_int(int fd, int level, int opt, const char *name, int val, struct td_err *err)
{
	if (setsockopt(fd, level, opt, &val, sizeof(val)) < 0)
		return td_err_set(err, -errno, "setsockopt %s %d: %s", name, val, strerror(errno));
	return 0;
}

int td_keepalive_set(int fd, const struct td_keepalive *w, unsigned mask, struct td_err *err)
{
	int rc = 0;

	/* The timing first: SO_KEEPALIVE arms the timer with the idle time
	 * set at that moment (tcp_set_keepalive()), and TCP_KEEPIDLE on a
	 * socket with keepalive on re-arms it (tcp_sock_set_keepidle_locked). */
	if ((mask & TD_KA_IDLE) &&
	    (rc = set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", w->idle, err)) < 0)
		return rc;
	if ((mask & TD_KA_INTVL) &&
	    (rc = set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", w->intvl, err)) < 0)
		return rc;
	if ((mask & TD_KA_CNT) &&
	    (rc = set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", w->cnt, err)) < 0)
		return rc;
	if ((mask & TD_KA_USER_TIMEOUT) &&
	    (rc = set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT",
			  (int)w->user_timeout, err)) < 0)
		return rc;
	if ((mask & TD_KA_ON) &&
	    (rc = set_int(fd, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", w->on, err)) < 0)
		return rc;
	return 0;
}

const char *td_keepalive_str(const struct td_keepalive *k, char *buf, size_t len)
{
	int n;

	if (!k->on)
		n = snprintf(buf, len, "off");
	else
		n = snprintf(buf, len, "%d/%d/%d", k->idle, k->intvl, k->cnt);
	if (k->user_timeout && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " ut=%u", k->user_timeout);
	return buf;
}

int td_pidfd_open(pid_t pid, struct td_err *err)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0)
		return (int)fd;
	if (errno == ESRCH)
		return td_err_set(err, -TD_ENOTFOUND, "pid %d: no such process", (int)pid);
	if (errno == ENOSYS)
		return td_err_set(err, -ENOSYS, "pidfd_open is not in this kernel (needs 5.3+)");
	return td_err_set(err, -errno, "pidfd_open(%d): %s", (int)pid, strerror(errno));
}

int td_pidfd_getfd(int pidfd, pid_t pid, int fd, struct td_err *err)
{
	long dup = syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	if (dup >= 0)
		return (int)dup;
	if (errno == EPERM)
		return td_ptrace_explain(pid, NULL, -1, err);
	if (errno == ESRCH)
		return td_err_set(err, -TD_ENOTFOUND, "pid %d has exited", (int)pid);
	if (errno == EBADF)
		return td_err_set(err, -EBADF, "pid %d closed fd %d meanwhile", (int)pid, fd);
	if (errno == ENOSYS)
		return td_err_set(err, -ENOSYS, "pidfd_getfd is not in this kernel (needs 5.6+)");
	return td_err_set(err, -errno, "pidfd_getfd(pid %d, fd %d): %s", (int)pid, fd,
			  strerror(errno));
}

static bool have_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* "Uid:" or "Gid:" of /proc/PID/status: real, effective, saved, fs. */
static int read_ids(const char *procdir, pid_t pid, const char *key, unsigned long ids[4])
{
	char path[256], line[256];
	size_t klen = strlen(key);
	FILE *fp;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "%s/%d/status", procdir, (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, key, klen))
			continue;
		if (sscanf(line + klen, "%lu %lu %lu %lu", &ids[0], &ids[1], &ids[2], &ids[3]) == 4)
			rc = 0;
		break;
	}
	fclose(fp);
	return rc;
}

static int read_yama(void)
{
	FILE *fp = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	int scope = 0;

	if (!fp)
		return 0;
	if (fscanf(fp, "%d", &scope) != 1)
		scope = 0;
	fclose(fp);
	return scope;
}

int td_ptrace_explain(pid_t pid, const char *procdir, int yama_scope, struct td_err *err)
{
	unsigned long uids[4], gids[4];
	unsigned long me = (unsigned long)getuid(), mg = (unsigned long)getgid();
	bool cap = have_cap(CAP_SYS_PTRACE);
	int rc;

	if (!procdir)
		procdir = "/proc";
	if (yama_scope < 0)
		yama_scope = read_yama();
	rc = read_ids(procdir, pid, "Uid:", uids);
	if (rc == 0)
		rc = read_ids(procdir, pid, "Gid:", gids);
	if (rc == -ENOENT || rc == -ESRCH)
		return td_err_set(err, -TD_ENOTFOUND, "pid %d: no such process", (int)pid);
	if (yama_scope >= 3)
		return td_err_set(err, -EPERM,
				  "pid %d: kernel.yama.ptrace_scope is 3: no process may take "
				  "another's file descriptors, not even root, until reboot",
				  (int)pid);
	if (cap)
		return td_err_set(err, -EPERM,
				  "pid %d: the kernel refused access although we hold "
				  "CAP_SYS_PTRACE (an LSM such as SELinux or AppArmor?)",
				  (int)pid);
	if (rc == 0) {
		for (int i = 0; i < 3; i++) {
			if (uids[i] != me || gids[i] != mg)
				return td_err_set(
					err, -EPERM,
					"pid %d runs as uid %lu, you are uid %lu: taking another "
					"user's sockets needs CAP_SYS_PTRACE: run as root",
					(int)pid, uids[1], me);
		}
	}
	if (yama_scope == 2)
		return td_err_set(err, -EPERM,
				  "pid %d: kernel.yama.ptrace_scope is 2: only CAP_SYS_PTRACE may "
				  "attach: run as root",
				  (int)pid);
	if (yama_scope == 1)
		return td_err_set(
			err, -EPERM,
			"pid %d: kernel.yama.ptrace_scope is 1: only a parent may attach "
			"to its children: run as root (or set kernel.yama.ptrace_scope=0)",
			(int)pid);
	return td_err_set(err, -EPERM,
			  "pid %d: ptrace access refused (the process is not dumpable: setuid, "
			  "or PR_SET_DUMPABLE 0): run as root (CAP_SYS_PTRACE)",
			  (int)pid);
}

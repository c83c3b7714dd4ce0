/* Entering another network namespace: map a spec (pid, path or `ip netns`
 * name) to its nsfs file and setns() into it, with errors that say which
 * namespace, which file, and what to try. */
#include "sockets/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* iproute2 keeps named namespaces as bind mounts here (ip-netns(8)). */
#define NETNS_RUN_DIR "/run/netns"

enum spec_kind { SPEC_PID, SPEC_PATH, SPEC_NAME };

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Fill buf with the path for spec; 0 or a negative errno, with *why saying
 * what is wrong with the spec. */
static int netns_path(const char *spec, char *buf, size_t len, enum spec_kind *kind,
		      const char **why)
{
	int n;

	*why = NULL;
	if (!spec || !*spec) {
		*why = "the name is empty";
		return -EINVAL;
	}
	if (all_digits(spec)) {
		unsigned long pid = 0;
		const char *p;

		/* Parsed, not copied: /proc rejects "007" as a pid name. */
		for (p = spec; *p; p++) {
			pid = pid * 10 + (unsigned long)(*p - '0');
			if (pid > INT_MAX) {
				*why = "the pid is out of range";
				return -EINVAL;
			}
		}
		if (!pid) {
			*why = "pid 0 is not a process";
			return -EINVAL;
		}
		*kind = SPEC_PID;
		n = snprintf(buf, len, "/proc/%lu/ns/net", pid);
	} else if (strchr(spec, '/')) {
		*kind = SPEC_PATH;
		n = snprintf(buf, len, "%s", spec);
	} else {
		/* A plain file name: nothing may escape /run/netns. */
		if (!strcmp(spec, ".") || !strcmp(spec, "..")) {
			*why = "'.' and '..' are not namespace names";
			return -EINVAL;
		}
		if (strlen(spec) > NAME_MAX) {
			*why = "the name is too long";
			return -ENAMETOOLONG;
		}
		*kind = SPEC_NAME;
		n = snprintf(buf, len, NETNS_RUN_DIR "/%s", spec);
	}
	if (n < 0 || (size_t)n >= len) {
		*why = "the path is too long";
		return -ENAMETOOLONG;
	}
	return 0;
}

const char *td_netns_path(const char *spec, char *buf, size_t len)
{
	enum spec_kind kind;
	const char *why;

	if (!buf || !len)
		return NULL;
	return netns_path(spec, buf, len, &kind, &why) ? NULL : buf;
}

static int err_not_found(struct td_err *err, const char *spec, const char *path,
			 enum spec_kind kind)
{
	switch (kind) {
	case SPEC_PID:
		return td_err_set(err, -TD_ENOTFOUND,
				  "network namespace of pid %s not found: no %s "
				  "(no such process)",
				  spec, path);
	case SPEC_NAME:
		return td_err_set(err, -TD_ENOTFOUND,
				  "network namespace '%s' not found: no %s "
				  "(see `ip netns list`)",
				  spec, path);
	default:
		return td_err_set(err, -TD_ENOTFOUND,
				  "network namespace '%s' not found: no such file", spec);
	}
}

int td_netns_enter(const char *spec, struct td_err *err)
{
	char path[PATH_MAX];
	enum spec_kind kind = SPEC_PATH;
	const char *why;
	int fd, ret;

	ret = netns_path(spec, path, sizeof(path), &kind, &why);
	if (ret)
		return td_err_set(err, ret, "invalid network namespace '%s': %s", spec ? spec : "",
				  why);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		if (ret == ENOENT)
			return err_not_found(err, spec, path, kind);
		if (ret == EACCES || ret == EPERM)
			return td_err_set(err, -EPERM,
					  "entering network namespace '%s' needs root "
					  "(CAP_SYS_ADMIN): cannot open %s: %s",
					  spec, path, strerror(ret));
		return td_err_set(err, -ret, "cannot open network namespace '%s' (%s): %s", spec,
				  path, strerror(ret));
	}
	/* Only the calling thread moves; sockets opened afterwards (netlink,
	 * /proc/net files) belong to the new namespace, those opened before
	 * stay where they were. */
	ret = setns(fd, CLONE_NEWNET) ? errno : 0;
	close(fd);
	switch (ret) {
	case 0:
		return 0;
	case EINVAL:
		/* A regular file, another kind of namespace, or an entry of
		 * /run/netns whose bind mount is gone. */
		return td_err_set(err, -EINVAL,
				  "%s: not a network namespace (want /run/netns/NAME, "
				  "/proc/PID/ns/net or a bind mount of one)%s",
				  path,
				  kind == SPEC_NAME ? "; a stale entry? see `ip netns list`" : "");
	case EPERM:
	case EACCES:
		return td_err_set(err, -EPERM,
				  "entering network namespace '%s' needs root "
				  "(CAP_SYS_ADMIN): run as root",
				  spec);
	default:
		return td_err_set(err, -ret, "cannot enter network namespace '%s' (%s): %s", spec,
				  path, strerror(ret));
	}
}

/* ---- following a namespace ------------------------------------------------------------ */

int td_netns_watch_init(struct td_netns_watch *w, const char *path, struct td_err *err)
{
	struct stat st;

	memset(w, 0, sizeof(*w));
	/* thread-self: the calling thread's namespace, not the leader's */
	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return td_err_set(err, -errno, "/proc/thread-self/ns/net: %s", strerror(errno));
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	snprintf(w->path, sizeof(w->path), "%s", path);
	return 0;
}

int td_netns_watch_poll(struct td_netns_watch *w, const char *path, struct td_err *err)
{
	struct stat st;
	int fd, was_gone = w->gone;

	/* An entry of /run/netns whose bind mount is gone is a plain file on
	 * another file system: no namespace. */
	if (!path || stat(path, &st) < 0 || st.st_dev != w->dev) {
		w->gone = 1;
		return TD_NETNS_GONE;
	}
	if (st.st_ino == w->ino) {
		w->gone = 0;
		return was_gone ? TD_NETNS_BACK : TD_NETNS_SAME;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		w->gone = 1;
		return errno == ENOENT ? TD_NETNS_GONE
				       : td_err_set(err, -errno, "cannot open %s: %s", path,
						    strerror(errno));
	}
	if (fstat(fd, &st) < 0 || setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;

		close(fd);
		w->gone = 1;
		return td_err_set(err, -e, "cannot enter the network namespace at %s: %s", path,
				  strerror(e));
	}
	close(fd);
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->ino = st.st_ino;
	w->gone = 0;
	return TD_NETNS_NEW;
}

int td_netns_watch_join(const struct td_netns_watch *w)
{
	struct stat st;
	int fd, ret = 1;

	if (stat("/proc/thread-self/ns/net", &st) == 0 && st.st_ino == w->ino)
		return 0;
	fd = open(w->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_ino != w->ino)
		ret = -ESTALE; /* the name moved on again: the next poll follows */
	else if (setns(fd, CLONE_NEWNET) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

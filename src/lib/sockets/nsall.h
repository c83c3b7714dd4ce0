/* Every network namespace on the host, found without a daemon: the
 * namespaces processes are in (/proc/PID/ns/net, deduplicated by inode),
 * those bind-mounted anywhere (nsfs mounts in /proc/self/mountinfo, which
 * include `ip netns`'s /run/netns/NAME), those only an open file holds
 * (/proc/PID/fd/N -> "net:[INODE]"), and those only a socket holds (a
 * socket made in a namespace its process has left, or passed over a unix
 * socket: its fd is "socket:[N]", and SIOCGSKNS on a pidfd_getfd duplicate
 * says which namespace it lives in). Each is named, best first, by the
 * container or pod of its first process (sockets/ident.h), its `ip netns`
 * name, the systemd unit of its first process, else net:[INODE]. */
#ifndef TD_NSALL_H
#define TD_NSALL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum td_ns_kind {
	TD_NS_HOST = 0,	 /* pid 1's */
	TD_NS_POD,	 /* a Kubernetes pod's (its containers share it) */
	TD_NS_CONTAINER, /* a container's */
	TD_NS_NAMED,	 /* an `ip netns` name (/run/netns/NAME) */
	TD_NS_UNIT,	 /* named by the systemd unit of its first process */
	TD_NS_PROCESS,	 /* only its processes know it */
	TD_NS_MOUNT,	 /* bind-mounted outside /run/netns, no process in it */
	TD_NS_FD,	 /* only an open file descriptor holds it */
	TD_NS_SOCKET,	 /* only a socket in it holds it (no process, mount or nsfs fd) */
};

struct td_ns {
	uint64_t inode;
	enum td_ns_kind kind;
	char name[320];		     /* unique display name: "host", "docker:web1", "blue", ... */
	char ip_netns[NAME_MAX + 1]; /* `ip netns` name, "" if none */
	char container[160];	     /* "docker:web1", "" if none */
	char container_id[72];	     /* the runtime's id (hex) or machine name */
	char pod[200];		     /* "default/api-7f9c" or the pod uid, "" if none */
	char unit[128];		     /* systemd unit of the first process, "" if none */
	char mount[PATH_MAX];	     /* a bind mount of it, "" if none */
	pid_t *pids;		     /* processes in it, ascending */
	size_t npids, pcap;
	pid_t fd_pid; /* TD_NS_FD (or any): a process holding an fd to it, 0 if none */
	int fd;
	pid_t sock_pid; /* a process holding a socket that lives in it, 0 if none */
	int sock_fd;	/* that socket's fd in sock_pid */
};

struct td_nslist {
	struct td_ns *v; /* host first, then by name */
	size_t n, cap;
	size_t sockets_asked;	/* distinct socket fds asked for their namespace */
	size_t sockets_skipped; /* socket fds past the bound (TD_NSALL_SOCKETS), not asked */
};

/* Find every namespace. procdir NULL means /proc (a fake tree for tests:
 * PID/ns/net and PID/fd/N may be symlinks to real nsfs files, PID/cgroup a
 * fixture); rootdir is where runtimes' state files are (NULL: /). Mounts
 * always come from /proc/self/mountinfo. Processes that vanish are
 * skipped. 0 or a negative error (only when procdir cannot be read). */
int td_nsall_discover(struct td_nslist *l, const char *procdir, const char *rootdir,
		      struct td_err *err);
void td_nsall_free(struct td_nslist *l);

/* Open the namespace (O_RDONLY|O_CLOEXEC) through whichever holder still
 * has it, checking the inode: a holder that exited, a pid reused or a
 * mount removed since discovery is skipped. The fd, or -ENOENT when the
 * namespace is gone, -EACCES when a holder refused (not root). */
int td_nsall_open(const struct td_ns *ns, const char *procdir);

/* The namespace a --netns spec names: "container:ID|NAME" (an id prefix,
 * a name, with or without the runtime: "docker:web1"), "pod:NS/NAME|UID",
 * "unit:NAME", "net:[INODE]", a display name, or a bare container name
 * ("web1"). NULL if none matches. */
const struct td_ns *td_nsall_find(const struct td_nslist *l, const char *spec);

/* Does a glob (fnmatch; several separated by ',' mean any of them) match
 * its name, ip netns name, container, pod or unit? */
bool td_nsall_match(const struct td_ns *ns, const char *globs);

/* "host", "pod", "container", "netns", "unit", "process", "mount", "fd",
 * "socket". */
const char *td_ns_kind_name(enum td_ns_kind kind);

/* A spec for td_nsall_find rather than for td_netns_enter? (has one of the
 * prefixes above) */
bool td_nsall_is_spec(const char *spec);

#endif

/* Who a process really is, beyond comm[pid]: the container, pod or systemd
 * unit it runs in, read from the paths in /proc/PID/cgroup (cgroup v1 and
 * v2 spellings, the systemd and cgroupfs drivers of each runtime) and, where
 * a runtime leaves readable state files, the container's and pod's names.
 * No daemon is asked; tests/data/cgroup/README.md lists the formats. */
#ifndef TD_IDENT_H
#define TD_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum td_runtime {
	TD_RT_NONE = 0,
	TD_RT_DOCKER,
	TD_RT_CONTAINERD, /* containerd CRI (Kubernetes) */
	TD_RT_CRIO,
	TD_RT_PODMAN,
	TD_RT_LXC,
	TD_RT_NSPAWN,
};

struct td_ident {
	enum td_runtime runtime;
	char id[72];	    /* container id (hex), or the LXC / nspawn machine name */
	char name[128];	    /* container name from runtime metadata, "" if unknown */
	char pod_uid[40];   /* Kubernetes pod uid (dashes restored) */
	char pod_name[128]; /* from metadata, "" if unknown */
	char pod_ns[64];    /* Kubernetes namespace, "" if unknown */
	char qos[12];	    /* "guaranteed", "burstable", "besteffort" */
	char unit[128];	    /* systemd unit: nginx.service, session-3.scope */
	long user;	    /* uid of user-UID.slice, -1 when not a user's */
};

/* Fill id from the text of a /proc/PID/cgroup file (len bytes). Returns
 * true when anything was recognised (a runtime or a unit). */
bool td_ident_parse(const char *text, size_t len, struct td_ident *id);

/* Read procdir/PID/cgroup (procdir NULL: $TD_PROCDIR, a test's fake tree,
 * else /proc) and parse it; then the
 * runtime's state files under rootdir (NULL: $TD_ROOTDIR, else "/"): Docker's
 * containers/ID/config.v2.json, the OCI config.json annotations that
 * containerd and CRI-O keep under /run; last, for a pod still unnamed, the
 * container's own /etc/hostname (procdir/PID/root/etc/hostname: a pod's
 * hostname is its name). 0 or -errno. */
int td_ident_read(const char *procdir, pid_t pid, const char *rootdir, struct td_ident *id);

/* Metadata only (td_ident_read's second half). */
void td_ident_metadata(struct td_ident *id, const char *rootdir);

/* The command line, arguments joined by spaces, cut at len - 1 bytes
 * (never NUL-split; escaping is the view's job); "" for a kernel thread or
 * a process gone. Returns buf. */
const char *td_ident_cmdline(const char *procdir, pid_t pid, char *buf, size_t len);

/* "docker", "containerd", "cri-o", "podman", "lxc", "nspawn", or NULL. */
const char *td_runtime_name(enum td_runtime rt);

/* "docker:web1", "containerd:3f2a9c1b7d4e" (12 hex digits when no name),
 * "" when not in a container. */
const char *td_ident_container(const struct td_ident *id, char *buf, size_t len);
/* "default/api-7f9c" (namespace/name), the uid when no name is known,
 * "" when not in a pod. */
const char *td_ident_pod(const struct td_ident *id, char *buf, size_t len);

#endif

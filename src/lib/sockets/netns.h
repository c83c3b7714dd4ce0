/* Entering another network namespace (a container's) before any socket is
 * opened: by name (/run/netns/NAME, as `ip netns` makes), by pid
 * (/proc/PID/ns/net), or by path. */
#ifndef TD_NETNS_H
#define TD_NETNS_H

#include <stddef.h>

#include "err.h"

/* Resolve spec to a path: "123" -> "/proc/123/ns/net", "a/b" or "/x" -> as
 * is, anything else -> "/run/netns/NAME". */
const char *td_netns_path(const char *spec, char *buf, size_t len);

/* setns() into the namespace. Errors: -TD_ENOTFOUND ("network namespace
 * 'x' not found: no /run/netns/x (see `ip netns list`)"), -EPERM (needs
 * CAP_SYS_ADMIN: run as root), others with the path. */
int td_netns_enter(const char *spec, struct td_err *err);

/* Following a namespace by name while running (serve, record): `ip netns
 * delete NAME` leaves the process in a namespace nobody can name (it lives
 * on while we hold it), `ip netns add NAME` makes a new one under the name. */
struct td_netns_watch {
	char path[4096];	     /* what the name resolved to last */
	unsigned long long dev, ino; /* the namespace this process is in */
	int gone;		     /* the name named no namespace at the last poll */
};

enum {
	TD_NETNS_SAME, /* the name still names the namespace we are in */
	TD_NETNS_GONE, /* no such file, or no namespace behind it */
	TD_NETNS_BACK, /* named again after GONE: the same namespace */
	TD_NETNS_NEW,  /* another namespace under the name: entered (this thread) */
};

/* Start following: path names the namespace the calling thread is in now. */
int td_netns_watch_init(struct td_netns_watch *w, const char *path, struct td_err *err);

/* What path names now (one of the above; NEW: the calling thread entered
 * it and w follows it), or a negative errno when it names a namespace
 * that cannot be entered (err says why; w unchanged). */
int td_netns_watch_poll(struct td_netns_watch *w, const char *path, struct td_err *err);

/* Move the calling thread into w's namespace if it is elsewhere (another
 * thread followed a NEW first): 0 already there, 1 moved, -errno. */
int td_netns_watch_join(const struct td_netns_watch *w);

#endif

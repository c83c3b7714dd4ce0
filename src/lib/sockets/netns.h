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

#endif

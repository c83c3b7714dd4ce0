/* Network plumbing for the lab: named network namespaces compatible with
 * `ip netns`, veth pairs across namespaces, addresses, links and routes over
 * rtnetlink (libmnl), per-namespace sysctls and counters, programs run inside
 * a namespace, and finding (and killing) the processes that live in one. */
#ifndef TD_LABNET_H
#define TD_LABNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Where `ip netns` keeps named namespaces (bind mounts of nsfs files). */
#define TD_LABNET_RUN_DIR "/run/netns"
/* Every namespace the lab makes starts with this, so `lab clean` and tests
 * can find them and never touch anything else. */
#define TD_LABNET_PREFIX "td-lab-"

/* Is name usable as a namespace file name (non-empty, no '/', not "." or
 * "..", at most NAME_MAX bytes)? */
bool td_labnet_name_ok(const char *name);

/* Create /run/netns/NAME as `ip netns add` does: /run/netns made a shared
 * mount point, an empty file, then a child that unshares its network
 * namespace and bind-mounts /proc/self/ns/net onto the file. Loopback is
 * brought up. -EEXIST (with a hint) if the name is taken. */
int td_labnet_netns_add(const char *name, struct td_err *err);

/* Remove a named namespace: umount2(MNT_DETACH) and unlink, as `ip netns
 * delete`. The namespace itself goes when its last process and fd are gone.
 * -TD_ENOTFOUND if there is no such file. */
int td_labnet_netns_del(const char *name, struct td_err *err);

/* Is /run/netns/NAME a mounted network namespace (not a stale file)? */
bool td_labnet_netns_exists(const char *name);

/* Move the calling thread into namespace name (NULL: stay) and remember
 * where it was in *saved (-1 when name is NULL); td_labnet_leave() goes back
 * and closes *saved. Sockets opened in between belong to name. */
int td_labnet_enter(const char *name, int *saved, struct td_err *err);
int td_labnet_leave(int saved, struct td_err *err);

/* A veth pair: if_a in namespace ns_a, its peer if_b in ns_b (NULL: the
 * current namespace). Both are left down. */
int td_labnet_veth_add(const char *ns_a, const char *if_a, const char *ns_b, const char *if_b,
		       struct td_err *err);

/* Set a link up or down. */
int td_labnet_link_set(const char *ns, const char *ifname, bool up, struct td_err *err);

/* Add an address "192.0.2.1/24" or "2001:db8::1/64" to ifname; IPv6
 * addresses get IFA_F_NODAD so they are usable at once. */
int td_labnet_addr_add(const char *ns, const char *ifname, const char *cidr, struct td_err *err);

enum td_route_kind {
	TD_ROUTE_UNICAST = 0, /* via gw and/or dev */
	TD_ROUTE_BLACKHOLE,   /* RTN_BLACKHOLE: silently discarded */
	TD_ROUTE_UNREACHABLE, /* RTN_UNREACHABLE: EHOSTUNREACH / ICMP host unreachable */
	TD_ROUTE_PROHIBIT,    /* RTN_PROHIBIT: EACCES / ICMP administratively prohibited */
};

/* Add (add=true) or delete a route to dst ("198.51.100.0/24") of the given
 * kind; gw (may be NULL) and dev (may be NULL) only for TD_ROUTE_UNICAST. */
int td_labnet_route(const char *ns, bool add, const char *dst, enum td_route_kind kind,
		    const char *gw, const char *dev, struct td_err *err);

/* Write or read a sysctl of the namespace: key "net.ipv4.tcp_fin_timeout"
 * (dots or slashes) through /proc/sys while inside it. get strips the
 * trailing newline. */
int td_labnet_sysctl_set(const char *ns, const char *key, const char *value, struct td_err *err);
int td_labnet_sysctl_get(const char *ns, const char *key, char *buf, size_t len,
			 struct td_err *err);

/* A counter of /proc/net/netstat or /proc/net/snmp inside the namespace:
 * name "TcpExt.ListenOverflows", "Tcp.OutRsts". -TD_ENOTFOUND if the kernel
 * has no such counter. */
int td_labnet_counter(const char *ns, const char *name, uint64_t *value, struct td_err *err);

/* Parse a /proc/net/{netstat,snmp} text (pairs of "Group: names" and
 * "Group: values" lines) for name. Exposed for tests. */
int td_labnet_counter_parse(const char *text, const char *name, uint64_t *value,
			    struct td_err *err);

/* Call cb(name) for every entry of /run/netns whose name starts with
 * prefix, in sorted order. cb's non-zero return stops and is returned. */
typedef int (*td_labnet_name_cb)(const char *name, void *ctx);
int td_labnet_list(const char *prefix, td_labnet_name_cb cb, void *ctx, struct td_err *err);

/* Processes whose network namespace is the one mounted at /run/netns/NAME
 * (same nsfs device and inode), the caller excluded. Up to max pids are
 * stored; *n is the number found. Nothing for a stale (unmounted) entry. */
int td_labnet_pids(const char *ns, pid_t *pids, size_t max, size_t *n, struct td_err *err);

/* Send sig to every process td_labnet_pids() finds; *nkilled (may be NULL)
 * says how many. With SIGKILL, waits up to wait_ms for them to be gone. */
int td_labnet_kill(const char *ns, int sig, int wait_ms, size_t *nkilled, struct td_err *err);

/* Run a program (searched in PATH) inside namespace ns (NULL: here) with
 * input (may be NULL) on its stdin; its stdout goes to out (NUL-terminated,
 * cut at outlen-1), stderr to errbuf (may be NULL). *status is its exit
 * status (128+signal if killed). -ENOENT if the program is missing. */
int td_labnet_run(const char *ns, const char *const argv[], const char *input, char *out,
		  size_t outlen, char *errbuf, size_t errlen, int *status, struct td_err *err);

#endif

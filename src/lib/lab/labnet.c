/* Network plumbing for the lab (see labnet.h): namespaces the way iproute2's
 * ip/ipnetns.c makes them, rtnetlink requests through libmnl, sysctls and
 * counters read inside a namespace, and processes found by their nsfs inode. */
#include "lab/labnet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

bool td_labnet_name_ok(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       strlen(name) <= NAME_MAX;
}

static int ns_path(const char *name, char *buf, size_t len, struct td_err *err)
{
	if (!td_labnet_name_ok(name))
		return td_err_set(err, -EINVAL, "invalid network namespace name '%s'",
				  name ? name : "");
	snprintf(buf, len, TD_LABNET_RUN_DIR "/%s", name);
	return 0;
}

/* ---- namespaces ------------------------------------------------------- */

/* /run/netns must be a shared mount point so that a later umount of an
 * entry propagates to every mount namespace and the namespace can die
 * (the reasoning of iproute2's netns_add). */
static int prepare_run_dir(struct td_err *err)
{
	bool made_mount = false;

	if (mkdir(TD_LABNET_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return td_err_set(err, -errno, "cannot create %s: %s", TD_LABNET_RUN_DIR,
				  strerror(errno));
	while (mount("", TD_LABNET_RUN_DIR, "none", MS_SHARED | MS_REC, NULL)) {
		/* EINVAL: not a mount point yet; make it one, once. */
		if (errno != EINVAL || made_mount)
			return td_err_set(err, -errno, "mount --make-rshared %s: %s",
					  TD_LABNET_RUN_DIR, strerror(errno));
		if (mount(TD_LABNET_RUN_DIR, TD_LABNET_RUN_DIR, "none", MS_BIND | MS_REC, NULL))
			return td_err_set(err, -errno, "mount --rbind %s %s: %s", TD_LABNET_RUN_DIR,
					  TD_LABNET_RUN_DIR, strerror(errno));
		made_mount = true;
	}
	return 0;
}

/* Wait for a child; its exit status, or 128 + signal. */
static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int td_labnet_netns_add(const char *name, struct td_err *err)
{
	char path[PATH_MAX];
	int fd, rc, pfd[2];
	pid_t pid;

	rc = ns_path(name, path, sizeof(path), err);
	if (rc < 0)
		return rc;
	rc = prepare_run_dir(err);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EEXIST)
			return td_err_set(err, rc,
					  "network namespace '%s' already exists (%s): a lab "
					  "run with this id is going on, or one was killed "
					  "(clean up with: tcpdoctor lab clean)",
					  name, path);
		return td_err_set(err, rc, "cannot create %s: %s", path, strerror(-rc));
	}
	close(fd);
	/* The child tells us its errno through the pipe: 0 means bound. */
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		rc = -errno;
		unlink(path);
		return td_err_set(err, rc, "pipe: %s", strerror(-rc));
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(pfd[0]);
		close(pfd[1]);
		unlink(path);
		return td_err_set(err, rc, "fork: %s", strerror(-rc));
	}
	if (pid == 0) {
		int e = 0;

		close(pfd[0]);
		if (unshare(CLONE_NEWNET) < 0)
			e = errno;
		else if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			e = errno;
		if (write(pfd[1], &e, sizeof(e)) != sizeof(e))
			_exit(2);
		_exit(e ? 1 : 0);
	}
	close(pfd[1]);
	{
		int e = EIO;
		ssize_t n;

		do
			n = read(pfd[0], &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		close(pfd[0]);
		wait_child(pid);
		if (n != sizeof(e))
			e = EIO;
		if (e) {
			umount2(path, MNT_DETACH);
			unlink(path);
			if (e == EPERM)
				return td_err_set(err, -EPERM,
						  "creating network namespace '%s' needs root "
						  "(CAP_SYS_ADMIN)",
						  name);
			return td_err_set(err, -e, "creating network namespace '%s': %s", name,
					  strerror(e));
		}
	}
	rc = td_labnet_link_set(name, "lo", true, err);
	if (rc < 0) {
		td_labnet_netns_del(name, NULL);
		return rc;
	}
	return 0;
}

int td_labnet_netns_del(const char *name, struct td_err *err)
{
	char path[PATH_MAX];
	int rc = ns_path(name, path, sizeof(path), err);

	if (rc < 0)
		return rc;
	/* Detach even if busy: the namespace lives on only as long as a
	 * process or an open fd still holds it. */
	umount2(path, MNT_DETACH);
	if (unlink(path) < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			return td_err_set(err, -TD_ENOTFOUND, "no network namespace '%s' (%s)",
					  name, path);
		return td_err_set(err, rc, "cannot remove %s: %s", path, strerror(-rc));
	}
	return 0;
}

/* nsfs device number, to tell a mounted namespace from a stale file. */
static int nsfs_dev(dev_t *dev)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return -errno;
	*dev = st.st_dev;
	return 0;
}

static int ns_stat(const char *name, struct stat *st)
{
	char path[PATH_MAX];
	dev_t dev = 0;

	if (ns_path(name, path, sizeof(path), NULL) < 0)
		return -EINVAL;
	if (stat(path, st) < 0)
		return -errno;
	if (nsfs_dev(&dev) < 0 || st->st_dev != dev)
		return -ENOENT;
	return 0;
}

bool td_labnet_netns_exists(const char *name)
{
	struct stat st;

	return ns_stat(name, &st) == 0;
}

int td_labnet_enter(const char *name, int *saved, struct td_err *err)
{
	char path[PATH_MAX];
	int fd, rc;

	*saved = -1;
	if (!name)
		return 0;
	rc = ns_path(name, path, sizeof(path), err);
	if (rc < 0)
		return rc;
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return td_err_set(err, -errno, "cannot open /proc/thread-self/ns/net: %s",
				  strerror(errno));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		close(*saved);
		*saved = -1;
		if (rc == -ENOENT)
			return td_err_set(err, -TD_ENOTFOUND, "no network namespace '%s' (%s)",
					  name, path);
		return td_err_set(err, rc, "cannot open %s: %s", path, strerror(-rc));
	}
	rc = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (rc < 0) {
		close(*saved);
		*saved = -1;
		return td_err_set(err, rc, "cannot enter network namespace '%s': %s%s", name,
				  strerror(-rc), rc == -EPERM ? " (needs root)" : "");
	}
	return 0;
}

int td_labnet_leave(int saved, struct td_err *err)
{
	int rc;

	if (saved < 0)
		return 0;
	rc = setns(saved, CLONE_NEWNET) ? -errno : 0;
	close(saved);
	if (rc < 0)
		return td_err_set(err, rc, "cannot return to the original network namespace: %s",
				  strerror(-rc));
	return 0;
}

/* ---- rtnetlink ---------------------------------------------------------- */

/* Send one request with NLM_F_ACK on a fresh socket (opened in the current
 * namespace) and wait for its acknowledgement; the kernel's errno. */
static int rtnl_talk(struct nlmsghdr *nlh, const char *what, struct td_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned seq = (unsigned)time(NULL), portid;
	ssize_t n;
	int rc;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return td_err_set(err, -errno, "%s: netlink socket: %s", what, strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return td_err_set(err, rc, "%s: netlink bind: %s", what, strerror(-rc));
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return td_err_set(err, rc, "%s: netlink send: %s", what, strerror(-rc));
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			rc = -errno;
			break;
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (rc < 0) {
			rc = -errno;
			break;
		}
	} while (rc > 0);
	mnl_socket_close(nl);
	if (rc < 0) {
		if (rc == -EPERM)
			return td_err_set(err, rc,
					  "%s: permission denied (needs root or "
					  "CAP_NET_ADMIN)",
					  what);
		return td_err_set(err, rc, "%s: %s", what, strerror(-rc));
	}
	return 0;
}

static int ifindex_of(const char *ifname, const char *ns, struct td_err *err)
{
	unsigned idx = if_nametoindex(ifname);

	if (!idx)
		return td_err_set(err, -ENODEV, "no interface '%s' in network namespace %s", ifname,
				  ns ? ns : "(current)");
	return (int)idx;
}

int td_labnet_veth_add(const char *ns_a, const char *if_a, const char *ns_b, const char *if_b,
		       struct td_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[160], path[PATH_MAX];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm, *peer;
	struct nlattr *linkinfo, *data, *peer_attr;
	int saved, fd_b = -1, rc;

	if (strlen(if_a) >= IFNAMSIZ || strlen(if_b) >= IFNAMSIZ)
		return td_err_set(err, -EINVAL,
				  "veth %s/%s: interface names are at most %d "
				  "bytes",
				  if_a, if_b, IFNAMSIZ - 1);
	snprintf(what, sizeof(what), "veth %s (in %s) <-> %s (in %s)", if_a, ns_a ? ns_a : "here",
		 if_b, ns_b ? ns_b : "here");
	if (ns_b) {
		rc = ns_path(ns_b, path, sizeof(path), err);
		if (rc < 0)
			return rc;
		fd_b = open(path, O_RDONLY | O_CLOEXEC);
		if (fd_b < 0)
			return td_err_set(err, -errno, "%s: cannot open %s: %s", what, path,
					  strerror(errno));
	}
	rc = td_labnet_enter(ns_a, &saved, err);
	if (rc < 0) {
		if (fd_b >= 0)
			close(fd_b);
		return rc;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, if_a);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* VETH_INFO_PEER carries a struct ifinfomsg and then the peer's own
	 * attributes (drivers/net/veth.c, veth_newlink). */
	peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	peer->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, if_b);
	if (fd_b >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)fd_b);
	mnl_attr_nest_end(nlh, peer_attr);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	rc = rtnl_talk(nlh, what, err);
	if (fd_b >= 0)
		close(fd_b);
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

int td_labnet_link_set(const char *ns, const char *ifname, bool up, struct td_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[128];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int saved, rc, idx;

	snprintf(what, sizeof(what), "link %s %s in %s", ifname, up ? "up" : "down",
		 ns ? ns : "(current)");
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0)
		return rc;
	idx = ifindex_of(ifname, ns, err);
	if (idx < 0) {
		td_labnet_leave(saved, NULL);
		return idx;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = idx;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	rc = rtnl_talk(nlh, what, err);
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

/* "a/len" -> family, address bytes and prefix length. */
static int parse_prefix(const char *text, int *family, uint8_t addr[16], int *plen, bool need_len,
			struct td_err *err)
{
	char tmp[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;

	if (strlen(text) >= sizeof(tmp))
		return td_err_set(err, -EINVAL, "'%s' is not an address", text);
	strcpy(tmp, text);
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, tmp, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, tmp, addr) == 1)
		*family = AF_INET6;
	else
		return td_err_set(err, -EINVAL, "'%s' is not an IPv4 or IPv6 address", text);
	if (!slash) {
		if (need_len)
			return td_err_set(err, -EINVAL, "'%s' needs a prefix length (/24)", text);
		*plen = *family == AF_INET ? 32 : 128;
		return 0;
	}
	errno = 0;
	len = strtol(slash, &end, 10);
	if (errno || *end || end == slash || len < 0 || len > (*family == AF_INET ? 32 : 128))
		return td_err_set(err, -EINVAL, "'%s': bad prefix length", text);
	*plen = (int)len;
	return 0;
}

int td_labnet_addr_add(const char *ns, const char *ifname, const char *cidr, struct td_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[160];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	uint8_t addr[16];
	int family, plen, saved, rc, idx;
	size_t alen;

	rc = parse_prefix(cidr, &family, addr, &plen, true, err);
	if (rc < 0)
		return rc;
	snprintf(what, sizeof(what), "address %s on %s in %s", cidr, ifname, ns ? ns : "(current)");
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0)
		return rc;
	idx = ifindex_of(ifname, ns, err);
	if (idx < 0) {
		td_labnet_leave(saved, NULL);
		return idx;
	}
	alen = family == AF_INET ? 4 : 16;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)idx;
	/* Without NODAD an IPv6 address is "tentative" for a second or so
	 * and connect()/bind() to it fail with EADDRNOTAVAIL. */
	if (family == AF_INET6) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	rc = rtnl_talk(nlh, what, err);
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

static const struct {
	unsigned char rtn;
	const char *name;
} route_kinds[] = {
	[TD_ROUTE_UNICAST] = { RTN_UNICAST, "unicast" },
	[TD_ROUTE_BLACKHOLE] = { RTN_BLACKHOLE, "blackhole" },
	[TD_ROUTE_UNREACHABLE] = { RTN_UNREACHABLE, "unreachable" },
	[TD_ROUTE_PROHIBIT] = { RTN_PROHIBIT, "prohibit" },
};

int td_labnet_route(const char *ns, bool add, const char *dst, enum td_route_kind kind,
		    const char *gw, const char *dev, struct td_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[200];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint8_t daddr[16], gaddr[16];
	int family, plen, gfamily, glen, saved, rc, idx = 0;

	if ((unsigned)kind >= sizeof(route_kinds) / sizeof(route_kinds[0]))
		return td_err_set(err, -EINVAL, "route %s: unknown route kind %d", dst, kind);
	rc = parse_prefix(dst, &family, daddr, &plen, false, err);
	if (rc < 0)
		return rc;
	if (kind != TD_ROUTE_UNICAST && (gw || dev))
		return td_err_set(err, -EINVAL, "route %s: a %s route has no gateway or device",
				  dst, route_kinds[kind].name);
	if (kind == TD_ROUTE_UNICAST && !gw && !dev)
		return td_err_set(err, -EINVAL, "route %s: needs a gateway or a device", dst);
	if (gw) {
		rc = parse_prefix(gw, &gfamily, gaddr, &glen, false, err);
		if (rc < 0)
			return rc;
		if (gfamily != family)
			return td_err_set(err, -EINVAL, "route %s via %s: families differ", dst,
					  gw);
	}
	snprintf(what, sizeof(what), "%s %s route %s%s%s%s%s in %s", add ? "adding" : "deleting",
		 route_kinds[kind].name, dst, gw ? " via " : "", gw ? gw : "", dev ? " dev " : "",
		 dev ? dev : "", ns ? ns : "(current)");
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0)
		return rc;
	if (dev) {
		idx = ifindex_of(dev, ns, err);
		if (idx < 0) {
			td_labnet_leave(saved, NULL);
			return idx;
		}
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = add ? NLM_F_CREATE | NLM_F_EXCL : 0;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = route_kinds[kind].rtn;
	/* A route through a device with no gateway is on-link (scope link);
	 * everything else is universe, as ip-route(8) chooses. */
	rtm->rtm_scope = (kind == TD_ROUTE_UNICAST && !gw) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	if (!add)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, daddr);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, gaddr);
	if (idx)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)idx);
	rc = rtnl_talk(nlh, what, err);
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

/* ---- sysctls and counters ----------------------------------------------- */

static int sysctl_path(const char *key, char *buf, size_t len, struct td_err *err)
{
	size_t n = strlen("/proc/sys/");

	if (!key || !*key || strstr(key, "..") || key[0] == '.' || key[0] == '/' ||
	    n + strlen(key) >= len)
		return td_err_set(err, -EINVAL, "invalid sysctl name '%s'", key ? key : "");
	snprintf(buf, len, "/proc/sys/%s", key);
	for (char *p = buf + n; *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int td_labnet_sysctl_set(const char *ns, const char *key, const char *value, struct td_err *err)
{
	char path[PATH_MAX];
	int fd, saved, rc;
	size_t len = strlen(value);

	rc = sysctl_path(key, path, sizeof(path), err);
	if (rc < 0)
		return rc;
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0)
		return rc;
	/* /proc/sys/net resolves to the namespace of the opening task. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = td_err_set(err, -errno, "sysctl %s in %s: cannot open %s: %s", key,
				ns ? ns : "(current)", path, strerror(errno));
	} else {
		if (write(fd, value, len) != (ssize_t)len)
			rc = td_err_set(err, -errno, "sysctl %s=%s in %s: %s", key, value,
					ns ? ns : "(current)", strerror(errno));
		close(fd);
	}
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

/* Read a whole small file of the current namespace into buf. */
static int read_text(const char *path, char *buf, size_t len, struct td_err *err)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return td_err_set(err, -errno, "cannot open %s: %s", path, strerror(errno));
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return td_err_set(err, (int)n, "reading %s: %s", path, strerror((int)-n));
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return 0;
}

int td_labnet_sysctl_get(const char *ns, const char *key, char *buf, size_t len, struct td_err *err)
{
	char path[PATH_MAX];
	int saved, rc;
	size_t n;

	rc = sysctl_path(key, path, sizeof(path), err);
	if (rc < 0)
		return rc;
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0)
		return rc;
	rc = read_text(path, buf, len, err);
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	if (rc == 0) {
		n = strlen(buf);
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
			buf[--n] = '\0';
	}
	return rc;
}

int td_labnet_counter_parse(const char *text, const char *name, uint64_t *value, struct td_err *err)
{
	const char *dot = strchr(name, '.');
	const char *line = text;
	size_t glen;

	if (!dot || dot == name || !dot[1])
		return td_err_set(err, -EINVAL,
				  "counter '%s': expected GROUP.NAME "
				  "(TcpExt.ListenOverflows)",
				  name);
	glen = (size_t)(dot - name);
	/* Lines come in pairs: "TcpExt: A B C" then "TcpExt: 1 2 3". */
	while (*line) {
		const char *next = strchr(line, '\n'), *vals, *vnext;
		const char *n, *v;

		vals = next ? next + 1 : NULL;
		if (!vals || !*vals)
			break;
		vnext = strchr(vals, '\n');
		if (strncmp(line, name, glen) || line[glen] != ':' || strncmp(vals, name, glen) ||
		    vals[glen] != ':') {
			line = vals;
			continue;
		}
		n = line + glen + 1;
		v = vals + glen + 1;
		for (;;) {
			size_t wl;
			char *end;
			unsigned long long x;

			while (*n == ' ')
				n++;
			while (*v == ' ')
				v++;
			if (*n == '\n' || !*n || *v == '\n' || !*v)
				break;
			wl = strcspn(n, " \n");
			errno = 0;
			x = strtoull(v, &end, 10);
			if (end == v) {
				/* Some counters are signed (Tcp MaxConn = -1). */
				long long s = strtoll(v, &end, 10);

				if (end == v)
					break;
				x = (unsigned long long)s;
			}
			if (wl == strlen(dot + 1) && !strncmp(n, dot + 1, wl)) {
				*value = x;
				return 0;
			}
			n += wl;
			v = end;
		}
		line = vnext ? vnext + 1 : vals + strlen(vals);
	}
	return td_err_set(err, -TD_ENOTFOUND,
			  "no counter %s in this kernel's "
			  "/proc/net/netstat or /proc/net/snmp",
			  name);
}

int td_labnet_counter(const char *ns, const char *name, uint64_t *value, struct td_err *err)
{
	static const char *const files[] = { "/proc/net/netstat", "/proc/net/snmp" };
	char *buf;
	size_t len = 64 * 1024;
	int saved, rc = -TD_ENOTFOUND;

	buf = malloc(len);
	if (!buf)
		return td_err_set(err, -ENOMEM, "out of memory");
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		rc = read_text(files[i], buf, len, err);
		if (rc < 0)
			break;
		rc = td_labnet_counter_parse(buf, name, value, err);
		if (rc != -TD_ENOTFOUND)
			break;
	}
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	free(buf);
	return rc;
}

/* ---- listing and processes ---------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int td_labnet_list(const char *prefix, td_labnet_name_cb cb, void *ctx, struct td_err *err)
{
	DIR *d = opendir(TD_LABNET_RUN_DIR);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, plen = prefix ? strlen(prefix) : 0;
	int rc = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return td_err_set(err, -errno, "cannot read %s: %s", TD_LABNET_RUN_DIR,
				  strerror(errno));
	}
	while ((e = readdir(d))) {
		if (!td_labnet_name_ok(e->d_name) || strncmp(e->d_name, prefix ? prefix : "", plen))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 16) * sizeof(*names));

			if (!nn) {
				rc = td_err_set(err, -ENOMEM, "out of memory");
				break;
			}
			names = nn;
			cap = cap ? cap * 2 : 16;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			rc = td_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = cb(names[i], ctx);
		free(names[i]);
	}
	free(names);
	return rc;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int td_labnet_pids(const char *ns, pid_t *pids, size_t max, size_t *n, struct td_err *err)
{
	struct stat nst, st;
	struct dirent *e;
	DIR *d;
	pid_t self = getpid();
	int rc;

	*n = 0;
	rc = ns_stat(ns, &nst);
	if (rc == -ENOENT)
		return 0; /* gone or stale: nothing can be inside */
	if (rc < 0)
		return td_err_set(err, rc, "network namespace '%s': %s", ns, strerror(-rc));
	d = opendir("/proc");
	if (!d)
		return td_err_set(err, -errno, "cannot read /proc: %s", strerror(errno));
	while ((e = readdir(d))) {
		char path[300];

		if (!all_digits(e->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", e->d_name);
		/* Processes that exit meanwhile, or kernel threads, are skipped. */
		if (stat(path, &st) < 0)
			continue;
		if (st.st_dev != nst.st_dev || st.st_ino != nst.st_ino)
			continue;
		if (atoi(e->d_name) == self)
			continue;
		if (*n < max)
			pids[*n] = (pid_t)atoi(e->d_name);
		(*n)++;
	}
	closedir(d);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int td_labnet_kill(const char *ns, int sig, int wait_ms, size_t *nkilled, struct td_err *err)
{
	pid_t pids[256];
	size_t n, killed = 0;
	int rc;

	/* Processes may fork while we kill; go round until none is left. */
	for (int round = 0; round < 8; round++) {
		rc = td_labnet_pids(ns, pids, sizeof(pids) / sizeof(pids[0]), &n, err);
		if (rc < 0)
			return rc;
		if (!n)
			break;
		if (n > sizeof(pids) / sizeof(pids[0]))
			n = sizeof(pids) / sizeof(pids[0]);
		for (size_t i = 0; i < n; i++)
			if (kill(pids[i], sig) == 0)
				killed++;
		if (sig != SIGKILL)
			break;
		/* A killed process keeps its namespace until it is reaped
		 * (or its zombie is); wait for it to vanish from /proc. */
		for (int t = 0; t < wait_ms; t += 10) {
			rc = td_labnet_pids(ns, pids, 1, &n, err);
			if (rc < 0 || !n)
				break;
			sleep_ms(10);
		}
	}
	if (nkilled)
		*nkilled = killed;
	return 0;
}

/* ---- programs inside a namespace ------------------------------------------ */

int td_labnet_run(const char *ns, const char *const argv[], const char *input, char *out,
		  size_t outlen, char *errbuf, size_t errlen, int *status, struct td_err *err)
{
	int in = -1, o[2] = { -1, -1 }, e[2] = { -1, -1 }, x[2] = { -1, -1 };
	char nspath[PATH_MAX];
	size_t got = 0, egot = 0, ilen = input ? strlen(input) : 0;
	pid_t parent = getpid(), pid;
	int rc, exec_errno = 0;

	if (ns) {
		rc = ns_path(ns, nspath, sizeof(nspath), err);
		if (rc < 0)
			return rc;
	}
	/* Input goes through a memory file, not a pipe: a program that exits
	 * without reading it cannot send us SIGPIPE. */
	in = memfd_create("td-labnet-input", MFD_CLOEXEC);
	if (in < 0 || (ilen && write(in, input, ilen) != (ssize_t)ilen) ||
	    lseek(in, 0, SEEK_SET) < 0) {
		rc = td_err_set(err, -errno, "%s: input file: %s", argv[0], strerror(errno));
		goto close_all;
	}
	if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC) || pipe2(x, O_CLOEXEC)) {
		rc = td_err_set(err, -errno, "%s: pipe: %s", argv[0], strerror(errno));
		goto close_all;
	}
	pid = fork();
	if (pid < 0) {
		rc = td_err_set(err, -errno, "%s: fork: %s", argv[0], strerror(errno));
		goto close_all;
	}
	if (pid == 0) {
		int ce = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (ns) {
			int fd = open(nspath, O_RDONLY | O_CLOEXEC);

			if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
				ce = errno;
		}
		if (!ce && (dup2(in, 0) < 0 || dup2(o[1], 1) < 0 || dup2(e[1], 2) < 0))
			ce = errno;
		if (!ce) {
			execvp(argv[0], (char *const *)argv);
			ce = errno;
		}
		/* x is close-on-exec: EOF on it means exec worked. */
		if (write(x[1], &ce, sizeof(ce)) < 0)
			_exit(126);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	close(x[1]);
	o[1] = e[1] = x[1] = -1;
	if (read(x[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;
	while (o[0] >= 0 || e[0] >= 0) {
		struct pollfd p[2] = { { o[0], POLLIN, 0 }, { e[0], POLLIN, 0 } };
		char tmp[4096];
		int r = poll(p, 2, 10000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* a program that hangs: stop listening */
		for (int k = 0; k < 2; k++) {
			int *fd = k ? &e[0] : &o[0];
			char *dst = k ? errbuf : out;
			size_t *dgot = k ? &egot : &got, dlen = k ? errlen : outlen;
			ssize_t n;

			if (!p[k].revents)
				continue;
			n = read(*fd, tmp, sizeof(tmp));
			if (n <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (dst && dlen) {
				size_t room = dlen - 1 - *dgot,
				       c = (size_t)n < room ? (size_t)n : room;

				memcpy(dst + *dgot, tmp, c);
				*dgot += c;
			}
		}
	}
	if (out && outlen)
		out[got] = '\0';
	if (errbuf && errlen)
		errbuf[egot] = '\0';
	if (o[0] >= 0 || e[0] >= 0)
		kill(pid, SIGKILL);
	rc = wait_child(pid);
	if (status)
		*status = rc;
	rc = 0;
	if (exec_errno)
		rc = td_err_set(err, -exec_errno, "cannot run %s%s%s: %s", argv[0],
				ns ? " in " : "", ns ? ns : "", strerror(exec_errno));
close_all:
	if (in >= 0)
		close(in);
	for (int i = 0; i < 2; i++) {
		if (o[i] >= 0)
			close(o[i]);
		if (e[i] >= 0)
			close(e[i]);
		if (x[i] >= 0)
			close(x[i]);
	}
	return rc;
}

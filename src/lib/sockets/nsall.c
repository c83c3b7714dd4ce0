/* Discovering and naming every network namespace; see nsall.h. */
#include "sockets/nsall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "bpf/tdbpf.h"
#include "sockets/ident.h"

static struct td_ns *ns_get(struct td_nslist *l, uint64_t inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return &l->v[i];
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 32;
		struct td_ns *nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = ncap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	l->v[l->n].inode = inode;
	l->v[l->n].kind = TD_NS_PROCESS;
	return &l->v[l->n++];
}

static int ns_add_pid(struct td_ns *ns, pid_t pid)
{
	if (ns->npids == ns->pcap) {
		size_t ncap = ns->pcap ? ns->pcap * 2 : 4;
		pid_t *np = realloc(ns->pids, ncap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		ns->pids = np;
		ns->pcap = ncap;
	}
	ns->pids[ns->npids++] = pid;
	return 0;
}

/* "TYPE:[N]" (a /proc/PID/fd link) -> N when TYPE is type, else 0. */
static uint64_t parse_link(const char *s, const char *type)
{
	size_t n = strlen(type);
	uint64_t v = 0;

	if (strncmp(s, type, n) || s[n] != ':' || s[n + 1] != '[')
		return 0;
	for (s += n + 2; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return *s == ']' && !s[1] ? v : 0;
}

/* "net:[4026531840]" -> 4026531840, else 0. */
static uint64_t parse_net_link(const char *s)
{
	return parse_link(s, "net");
}

/* The device number of nsfs, to tell a namespace file behind a fake
 * procdir's symlink from any other file. */
static dev_t nsfs_dev(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? (dev_t)-1 : st.st_dev;
}

/* Socket inodes already asked about: a pre-fork server's workers share
 * their listeners, and one question per socket is enough. Open
 * addressing, grown at half full. */
struct inoset {
	uint64_t *v;
	size_t cap, n;
	size_t max;	/* ask about at most this many sockets */
	size_t skipped; /* sockets past max, not asked about */
};

/* Asking costs about what the readlink did (a pidfd_getfd, an ioctl, an
 * fstat, two closes; measured 6 us a socket under load, discovery's CPU
 * 1.9x at 110k socket fds): bounded, so a host with hundreds of thousands
 * of sockets pays ~0.15 s more, and says what it did not ask.
 * TD_NSALL_SOCKETS=N changes the bound (0: never ask). */
#define SOCKETS_ASKED_MAX 20000

static size_t sockets_asked_max(void)
{
	const char *e = getenv("TD_NSALL_SOCKETS");

	return e && *e ? (size_t)strtoull(e, NULL, 10) : SOCKETS_ASKED_MAX;
}

/* true when ino was not in the set (and now is); false when it was, or on
 * no memory (the socket is then simply not asked about). */
static bool inoset_add(struct inoset *s, uint64_t ino)
{
	size_t i;

	if (s->n * 2 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		uint64_t *nv = calloc(ncap, sizeof(*nv));

		if (!nv)
			return false;
		for (size_t k = 0; k < s->cap; k++) {
			if (!s->v[k])
				continue;
			for (i = (size_t)(s->v[k] * 0x9E3779B97F4A7C15ull) & (ncap - 1); nv[i];
			     i = (i + 1) & (ncap - 1))
				;
			nv[i] = s->v[k];
		}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	for (i = (size_t)(ino * 0x9E3779B97F4A7C15ull) & (s->cap - 1); s->v[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->v[i] == ino)
			return false;
	s->v[i] = ino;
	s->n++;
	return true;
}

/* The namespace a socket of another process lives in: a duplicate of its
 * fd (pidfd_getfd, Linux 5.6+; ptrace access to the process), then
 * SIOCGSKNS (an fd of the socket's namespace; CAP_NET_ADMIN over it).
 * The namespace inode, or 0 when either was refused or the fd has gone. */
static uint64_t socket_netns(int pidfd, int fd)
{
	struct stat st;
	uint64_t ino = 0;
	int dup, nsfd;

	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (dup < 0)
		return 0;
	nsfd = ioctl(dup, SIOCGSKNS);
	close(dup);
	if (nsfd < 0)
		return 0;
	if (!fstat(nsfd, &st))
		ino = st.st_ino;
	close(nsfd);
	return ino;
}

/* fds of one process: an open namespace file keeps it alive, and so does a
 * socket in it. socks NULL: sockets are not asked about (a fake procdir,
 * whose pids are not real processes). */
static void scan_fds(struct td_nslist *l, int procfd, pid_t pid, bool fake, dev_t nsdev,
		     struct inoset *socks, uint64_t own_ns)
{
	char path[64], link[64];
	struct dirent *de;
	int pidfd = -1;
	bool no_pidfd = !socks;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		uint64_t ino = 0;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(fd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (link[0] == 'n') {
			ino = parse_net_link(link);
		} else if (link[0] == 's' && !no_pidfd) {
			uint64_t sk = parse_link(link, "socket"), in;
			struct td_ns *ns;

			if (!sk)
				continue;
			if (socks->n >= socks->max) {
				socks->skipped++;
				continue;
			}
			if (!inoset_add(socks, sk))
				continue;
			if (pidfd < 0 && (pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
				no_pidfd = true; /* gone, not ours (EPERM), or before 5.3 */
				continue;
			}
			in = socket_netns(pidfd, atoi(de->d_name));
			/* Most sockets live where their process does: only
			 * another namespace is news, and only its first holder. */
			if (!in || in == own_ns)
				continue;
			ns = ns_get(l, in);
			if (ns && !ns->sock_pid) {
				ns->sock_pid = pid;
				ns->sock_fd = atoi(de->d_name);
			}
			continue;
		} else if (fake && link[0] == '/') {
			struct stat st;

			if (!fstatat(fd, de->d_name, &st, 0) && st.st_dev == nsdev)
				ino = st.st_ino;
		}
		if (ino) {
			struct td_ns *ns = ns_get(l, ino);

			if (ns && !ns->fd_pid) {
				ns->fd_pid = pid;
				ns->fd = atoi(de->d_name);
			}
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	closedir(d);
}

/* What the kernel's walk of every open file found (td_bpf_netns_holders):
 * namespaces held by a socket of a process that lives elsewhere, or by an
 * open nsfs file. */
struct sknetns {
	struct {
		uint64_t ino;
		pid_t pid;
		int fd;
		int kind;
	} * v;
	size_t n, cap;
};

static int sknetns_add(uint64_t netns, int32_t pid, int fd, int kind, void *ctx)
{
	struct sknetns *k = ctx;

	if (k->n == k->cap) {
		size_t ncap = k->cap ? k->cap * 2 : 64;
		void *nv = realloc(k->v, ncap * sizeof(*k->v));

		if (!nv)
			return -ENOMEM;
		k->v = nv;
		k->cap = ncap;
	}
	k->v[k->n].ino = netns;
	k->v[k->n].pid = pid;
	k->v[k->n].fd = fd;
	k->v[k->n].kind = kind;
	k->n++;
	return 0;
}

static int walk_proc(struct td_nslist *l, const char *procdir, bool fake, struct td_err *err)
{
	dev_t nsdev = nsfs_dev();
	struct inoset socks = { .max = sockets_asked_max() };
	struct sknetns kern = { 0 };
	struct td_err why = { 0 };
	const char *walk = getenv("TD_NSALL_WALK");
	uint64_t looked = 0;
	bool in_kernel = false;
	struct dirent *de;
	int procfd;
	DIR *d;

	/* As root in the initial PID namespace, the kernel finds the sockets
	 * living outside their process's namespace and the open nsfs files in
	 * one walk, every socket (no TD_NSALL_SOCKETS bound), without a
	 * readlink of each fd or a duplicate and an ioctl of each socket;
	 * otherwise scan_fds() reads every fd and asks each distinct socket.
	 * TD_NSALL_WALK=proc|bpf forces one (bpf then fails instead of
	 * falling back), as TD_OWNERS does for the owner walk. */
	if (!walk)
		walk = "";
	if (!fake && socks.max && strcmp(walk, "proc")) {
		int rc = td_bpf_netns_holders(sknetns_add, &kern, &looked, &why);

		if (rc == 0)
			in_kernel = true;
		else if (!strcmp(walk, "bpf"))
			return td_err_set(err, rc, "%s (TD_NSALL_WALK=bpf)", why.msg);
		else
			kern.n = 0; /* what a failed walk gave is not all there is */
	}

	procfd = open(procdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return td_err_set(err, -errno, "cannot open %s to find network namespaces: %s",
				  procdir, strerror(errno));
	d = fdopendir(dup(procfd));
	if (!d) {
		close(procfd);
		return td_err_set(err, -errno, "cannot list %s: %s", procdir, strerror(errno));
	}
	while ((de = readdir(d))) {
		char path[64];
		struct stat st;
		uint64_t own = 0;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%ld/ns/net", pid);
		/* Following the link: st_ino is the namespace's inode. Kernel
		 * threads and zombies have none readable; skip them. */
		if (!fstatat(procfd, path, &st, 0) && (fake || st.st_dev == nsdev)) {
			struct td_ns *ns = ns_get(l, st.st_ino);

			if (!ns || ns_add_pid(ns, (pid_t)pid) < 0) {
				closedir(d);
				close(procfd);
				free(socks.v);
				return td_err_set(err, -ENOMEM, "out of memory");
			}
			own = st.st_ino;
		}
		/* The kernel's walk saw every fd: no readlink of each here. */
		if (!in_kernel)
			scan_fds(l, procfd, (pid_t)pid, fake, nsdev, fake ? NULL : &socks, own);
	}
	for (size_t i = 0; i < kern.n; i++) {
		struct td_ns *ns = ns_get(l, kern.v[i].ino);

		if (ns && kern.v[i].kind == TD_BPF_NS_SOCKET && !ns->sock_pid) {
			ns->sock_pid = kern.v[i].pid;
			ns->sock_fd = kern.v[i].fd;
		} else if (ns && kern.v[i].kind == TD_BPF_NS_NSFS && !ns->fd_pid) {
			ns->fd_pid = kern.v[i].pid;
			ns->fd = kern.v[i].fd;
		}
	}
	free(kern.v);
	free(socks.v);
	l->sockets_asked = in_kernel ? (size_t)looked : socks.n;
	l->sockets_skipped = in_kernel ? 0 : socks.skipped;
	closedir(d);
	close(procfd);
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static bool under_netns_dir(const char *mp, const char **name)
{
	static const char *const dirs[] = { "/run/netns/", "/var/run/netns/" };

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(dirs[i]);

		if (!strncmp(mp, dirs[i], n) && mp[n] && !strchr(mp + n, '/')) {
			*name = mp + n;
			return true;
		}
	}
	return false;
}

/* nsfs bind mounts: "ID PARENT MAJ:MIN net:[INODE] MOUNTPOINT ... - nsfs ...".
 * prefix: how this process reaches that mount table's root ("" for its own,
 * "/proc/1/root" for init's). */
static void walk_mountinfo(struct td_nslist *l, const char *file, const char *prefix)
{
	FILE *fp = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!fp)
		return;
	while (getline(&line, &cap, fp) > 0) {
		char *f[5], *save = NULL, *p = line, *dash;
		const char *name;
		struct td_ns *ns;
		uint64_t ino;
		int i;

		dash = strstr(line, " - ");
		if (!dash || strncmp(dash + 3, "nsfs ", 5))
			continue;
		for (i = 0; i < 5; i++, p = NULL)
			if (!(f[i] = strtok_r(p, " ", &save)))
				break;
		if (i < 5 || !(ino = parse_net_link(f[3])))
			continue;
		unescape_octal(f[4]);
		ns = ns_get(l, ino);
		if (!ns)
			break;
		if (under_netns_dir(f[4], &name) && !ns->ip_netns[0])
			snprintf(ns->ip_netns, sizeof(ns->ip_netns), "%s", name);
		if (!ns->mount[0])
			snprintf(ns->mount, sizeof(ns->mount), "%s%s", prefix, f[4]);
	}
	free(line);
	fclose(fp);
}

/* Our mount table, and the host's when we run in a mount namespace of our
 * own with the host's pids (a DaemonSet with hostPID): `ip netns` and the
 * runtimes bind-mount namespaces there, where only /proc/1/root reaches. */
static void walk_mounts(struct td_nslist *l)
{
	char self[64], init[64];
	ssize_t a = readlink("/proc/self/ns/mnt", self, sizeof(self) - 1);
	ssize_t b = readlink("/proc/1/ns/mnt", init, sizeof(init) - 1);

	walk_mountinfo(l, "/proc/self/mountinfo", "");
	if (a > 0 && b > 0 && (a != b || memcmp(self, init, (size_t)a)))
		walk_mountinfo(l, "/proc/1/mountinfo", "/proc/1/root");
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* A unit worth naming a namespace after (not pid 1's, not the root). */
static bool useful_unit(const char *u)
{
	return u[0] && strcmp(u, "init.scope");
}

static void name_ns(struct td_ns *ns, const char *procdir, const char *rootdir)
{
	struct td_ident id = { 0 };
	bool have = false;

	if (ns->npids)
		qsort(ns->pids, ns->npids, sizeof(*ns->pids), cmp_pid);
	/* The first process in a container (a shell from `ip netns exec` run
	 * by a service has none; look a little further). */
	for (size_t i = 0; i < ns->npids && i < 8; i++) {
		struct td_ident t;

		if (td_ident_read(procdir, ns->pids[i], rootdir, &t) < 0)
			continue;
		if (!have) {
			id = t;
			have = true;
		}
		if (t.runtime) {
			id = t;
			break;
		}
	}
	if (have) {
		td_ident_container(&id, ns->container, sizeof(ns->container));
		if (id.runtime)
			snprintf(ns->container_id, sizeof(ns->container_id), "%s", id.id);
		if (id.pod_uid[0])
			td_ident_pod(&id, ns->pod, sizeof(ns->pod));
		snprintf(ns->unit, sizeof(ns->unit), "%s", id.unit);
	}
	/* init's, or kthreadd's when init's cannot be read: kernel threads
	 * live in the initial namespace. */
	if (ns->npids && ns->pids[0] <= 2) {
		ns->kind = TD_NS_HOST;
		snprintf(ns->name, sizeof(ns->name), "host");
	} else if (ns->pod[0]) {
		ns->kind = TD_NS_POD;
		snprintf(ns->name, sizeof(ns->name), "pod:%s", ns->pod);
	} else if (ns->container[0]) {
		ns->kind = TD_NS_CONTAINER;
		snprintf(ns->name, sizeof(ns->name), "%s", ns->container);
	} else if (ns->ip_netns[0]) {
		ns->kind = TD_NS_NAMED;
		snprintf(ns->name, sizeof(ns->name), "%s", ns->ip_netns);
	} else if (useful_unit(ns->unit)) {
		ns->kind = TD_NS_UNIT;
		snprintf(ns->name, sizeof(ns->name), "unit:%s", ns->unit);
	} else {
		ns->kind = ns->npids	  ? TD_NS_PROCESS
			   : ns->mount[0] ? TD_NS_MOUNT
			   : ns->fd_pid	  ? TD_NS_FD
					  : TD_NS_SOCKET;
		snprintf(ns->name, sizeof(ns->name), "net:[%llu]", (unsigned long long)ns->inode);
	}
}

static int cmp_ns(const void *a, const void *b)
{
	const struct td_ns *x = a, *y = b;

	if ((x->kind == TD_NS_HOST) != (y->kind == TD_NS_HOST))
		return x->kind == TD_NS_HOST ? -1 : 1;
	return strcmp(x->name, y->name);
}

int td_nsall_discover(struct td_nslist *l, const char *procdir, const char *rootdir,
		      struct td_err *err)
{
	bool fake = procdir && strcmp(procdir, "/proc");
	int ret;

	memset(l, 0, sizeof(*l));
	if (!procdir)
		procdir = "/proc";
	ret = walk_proc(l, procdir, fake, err);
	if (ret < 0) {
		td_nsall_free(l);
		return ret;
	}
	walk_mounts(l);
	for (size_t i = 0; i < l->n; i++)
		name_ns(&l->v[i], procdir, rootdir);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_ns);
	/* Two namespaces of one unit (or processes of one container in two
	 * namespaces): the first process's pid, else the inode, tells them
	 * apart. */
	for (size_t i = 0; i < l->n;) {
		size_t k = i + 1;

		while (k < l->n && !strcmp(l->v[k].name, l->v[i].name))
			k++;
		for (size_t m = i; k - i > 1 && m < k; m++) {
			struct td_ns *ns = &l->v[m];
			size_t len = strlen(ns->name);

			if (ns->npids)
				snprintf(ns->name + len, sizeof(ns->name) - len, "@%d",
					 (int)ns->pids[0]);
			else
				snprintf(ns->name + len, sizeof(ns->name) - len, "@%llu",
					 (unsigned long long)ns->inode);
		}
		i = k;
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_ns);
	return 0;
}

void td_nsall_free(struct td_nslist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].pids);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The fd, or -1 with *denied set when the open was refused (not root). */
static int open_checked(const char *path, uint64_t inode, bool *denied)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			*denied = true;
		return -1;
	}
	if (fstat(fd, &st) || st.st_ino != inode) {
		close(fd);
		return -1;
	}
	return fd;
}

int td_nsall_open(const struct td_ns *ns, const char *procdir)
{
	char path[PATH_MAX + 32];
	bool denied = false;
	int fd;

	if (!procdir)
		procdir = "/proc";
	if (ns->mount[0] && (fd = open_checked(ns->mount, ns->inode, &denied)) >= 0)
		return fd;
	for (size_t i = 0; i < ns->npids; i++) {
		snprintf(path, sizeof(path), "%s/%d/ns/net", procdir, (int)ns->pids[i]);
		if ((fd = open_checked(path, ns->inode, &denied)) >= 0)
			return fd;
	}
	if (ns->fd_pid) {
		snprintf(path, sizeof(path), "%s/%d/fd/%d", procdir, (int)ns->fd_pid, ns->fd);
		if ((fd = open_checked(path, ns->inode, &denied)) >= 0)
			return fd;
	}
	if (ns->sock_pid) {
		/* The socket's fd cannot be opened by path (sockfs): ask it. */
		int pidfd = (int)syscall(SYS_pidfd_open, ns->sock_pid, 0), dup;
		struct stat st;

		if (pidfd < 0)
			return errno == EPERM ? -EACCES : -ENOENT;
		dup = (int)syscall(SYS_pidfd_getfd, pidfd, ns->sock_fd, 0);
		if (dup < 0 && errno == EPERM)
			denied = true;
		close(pidfd);
		fd = dup < 0 ? -1 : ioctl(dup, SIOCGSKNS);
		if (dup >= 0)
			close(dup);
		if (fd >= 0 && !fstat(fd, &st) && st.st_ino == ns->inode)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return denied ? -EACCES : -ENOENT;
}

static bool prefix_is(const char *s, const char *p, const char **rest)
{
	size_t n = strlen(p);

	if (strncmp(s, p, n))
		return false;
	*rest = s + n;
	return true;
}

/* "docker:web1" against a wanted "web1", "docker:web1", or an id prefix. */
static bool container_matches(const struct td_ns *ns, const char *want)
{
	const char *colon = strchr(ns->container, ':');

	if (!ns->container[0] || !*want)
		return false;
	if (!strcmp(ns->container, want))
		return true;
	return colon && !strcmp(colon + 1, want);
}

const struct td_ns *td_nsall_find(const struct td_nslist *l, const char *spec)
{
	const char *rest;

	/* First by name: what --all-netns shows. */
	for (size_t i = 0; i < l->n; i++) {
		const struct td_ns *ns = &l->v[i];
		char net[40];

		snprintf(net, sizeof(net), "net:[%llu]", (unsigned long long)ns->inode);
		if (!strcmp(spec, ns->name) || !strcmp(spec, net))
			return ns;
	}
	/* Then by field: a unit or container another name took precedence over. */
	for (size_t i = 0; i < l->n; i++) {
		const struct td_ns *ns = &l->v[i];

		if (prefix_is(spec, "container:", &rest) && container_matches(ns, rest))
			return ns;
		if (prefix_is(spec, "pod:", &rest) && ns->pod[0] &&
		    (!strcmp(ns->pod, rest) ||
		     !strcmp(strchr(ns->pod, '/') ? strchr(ns->pod, '/') + 1 : "", rest)))
			return ns;
		if (prefix_is(spec, "unit:", &rest) && ns->unit[0] && !strcmp(ns->unit, rest))
			return ns;
	}
	/* A bare container name ("web1"), as `docker ps` shows it. */
	if (!strchr(spec, ':'))
		for (size_t i = 0; i < l->n; i++)
			if (container_matches(&l->v[i], spec))
				return &l->v[i];
	/* A container id prefix, as `docker ps` shows 12 digits. */
	if (prefix_is(spec, "container:", &rest) && strlen(rest) >= 4) {
		for (size_t i = 0; i < l->n; i++)
			if (l->v[i].container_id[0] &&
			    !strncmp(l->v[i].container_id, rest, strlen(rest)))
				return &l->v[i];
	}
	return NULL;
}

static bool match_one(const struct td_ns *ns, const char *glob)
{
	const char *const fields[] = { ns->name, ns->ip_netns, ns->container, ns->pod, ns->unit };

	/* Literally too: "net:[4026532660]" is a bracket expression to fnmatch. */
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i][0] && (!strcmp(glob, fields[i]) || !fnmatch(glob, fields[i], 0)))
			return true;
	return false;
}

bool td_nsall_match(const struct td_ns *ns, const char *globs)
{
	char glob[512];

	/* "a*,b*": any of them. */
	while (*globs) {
		size_t n = strcspn(globs, ",");

		if (n && n < sizeof(glob)) {
			memcpy(glob, globs, n);
			glob[n] = '\0';
			if (match_one(ns, glob))
				return true;
		}
		globs += n;
		if (*globs == ',')
			globs++;
	}
	return false;
}

const char *td_ns_kind_name(enum td_ns_kind kind)
{
	static const char *const names[] = { "host",	"pod",	 "container", "netns", "unit",
					     "process", "mount", "fd",	      "socket" };

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

bool td_nsall_is_spec(const char *spec)
{
	return !strncmp(spec, "container:", 10) || !strncmp(spec, "pod:", 4) ||
	       !strncmp(spec, "unit:", 5) || !strncmp(spec, "net:[", 5) ||
	       strchr(spec, ':') != NULL;
}

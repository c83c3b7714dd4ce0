/* Loader of owners.bpf.c: load the task_file iterator, give it the wanted
 * inodes when they are few, read its record stream in big reads and hand
 * each socket fd to a callback (src/lib/sockets/owners.c). See tdbpf.h. */
#include "bpf/tdbpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>

#include "bpf/owners.h"
#include "bpf/load.h"

static const volatile int *cancel_flag;

void td_bpf_owners_cancel_on(const volatile int *flag)
{
	cancel_flag = flag;
}

#ifdef TD_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/btfcache.h"
#include "owners.skel.h"

/* Beyond this many wanted inodes, filling the kernel's hash costs more than
 * the records it saves: everything is streamed and the caller picks. */
#define MAX_KERNEL_FILTER 65536
/* read() returns at most the iterator's seq buffer (8 pages) at a time. */
#define READ_BUF (64 * 1024)
/* PROC_PID_INIT_INO, include/linux/proc_ns.h: fixed for the initial pid ns. */
#define PID_NS_INIT_INO 0xEFFFFFFCu

static const char what[] = "the BPF owner walk";

/* Before any walk: allowed to load BPF (td_bpf_precheck), and in the
 * initial PID namespace: task->tgid is that namespace's pid; /proc in a
 * child namespace numbers processes differently and shows fewer of them. */
static int check_pid_ns(struct td_err *err)
{
	struct stat st;
	int rc = td_bpf_precheck(what, err);

	if (rc < 0)
		return rc;
	if (stat("/proc/self/ns/pid", &st) < 0)
		return td_err_set(err, -TD_EUNSUPP, "%s: cannot tell the PID namespace: %s", what,
				  strerror(errno));
	if (st.st_ino != PID_NS_INIT_INO)
		return td_err_set(
			err, -TD_EUNSUPP,
			"%s runs only in the initial PID namespace (its pids are that namespace's)",
			what);
	return 0;
}

static int fill_wanted(int fd, const uint64_t *inodes, size_t n)
{
	__u8 one = 1;
	__u8 *vals;
	__u32 count = (__u32)n;
	int rc;

	vals = malloc(n);
	if (!vals)
		return -ENOMEM;
	memset(vals, 1, n);
	rc = bpf_map_update_batch(fd, inodes, vals, &count, NULL);
	free(vals);
	if (!rc)
		return 0;
	/* No batch operations on this kernel: one by one. */
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &inodes[i], &one, BPF_ANY) < 0)
			return -errno;
	return 0;
}

/* The stream parser: 16-byte units, a process unit followed by its comm. */
struct owners_reader {
	struct td_bpf_owner cur; /* the process of the units that follow */
	td_bpf_owner_cb cb;
	void *ctx;
};

/* Consume whole records from buf; returns the bytes used (the rest is a
 * record cut by the read) or, through *rc, the callback's stop value. */
static size_t parse_units(struct owners_reader *r, const unsigned char *buf, size_t len, int *rc)
{
	size_t off = 0;

	*rc = 0;
	while (len - off >= sizeof(struct td_own_sock)) {
		struct td_own_sock s;

		memcpy(&s, buf + off, sizeof(s));
		if (!s.inode) {
			struct td_own_proc p;

			if (len - off < sizeof(p))
				break;
			memcpy(&p, buf + off, sizeof(p));
			r->cur.pid = (int32_t)p.tgid;
			r->cur.uid = p.uid;
			memcpy(r->cur.comm, p.comm, sizeof(r->cur.comm));
			r->cur.comm[sizeof(r->cur.comm) - 1] = '\0';
			off += sizeof(p);
			continue;
		}
		off += sizeof(s);
		/* A socket unit always follows its process's unit. */
		if ((int32_t)s.tgid != r->cur.pid) {
			*rc = -EPROTO;
			return off;
		}
		r->cur.inode = s.inode;
		r->cur.fd = (int32_t)s.fd;
		*rc = r->cb(&r->cur, r->ctx);
		if (*rc)
			return off;
	}
	return off;
}

static int read_stream(int iter_fd, struct owners_reader *r, struct td_err *err)
{
	unsigned char *buf = malloc(READ_BUF);
	size_t have = 0;
	int rc = 0;

	if (!buf)
		return td_err_set(err, -ENOMEM, "%s: out of memory", what);
	for (;;) {
		ssize_t got;
		size_t used;

		if (cancel_flag && *cancel_flag) {
			rc = td_err_set(err, -EINTR, "%s: stopped", what);
			break;
		}
		got = read(iter_fd, buf + have, READ_BUF - have);

		/* EAGAIN: the kernel stops a read() after a million objects that
		 * wrote nothing (bpf_iter's MAX_ITER_OBJECTS, with a wanted set
		 * on a big host); the next read() goes on from there. */
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0) {
			rc = td_err_set(err, -errno, "%s: reading the iterator: %s", what,
					strerror(errno));
			break;
		}
		if (!got) {
			if (have)
				rc = td_err_set(err, -EPROTO, "%s: %zu bytes of a cut record", what,
						have);
			break;
		}
		have += (size_t)got;
		used = parse_units(r, buf, have, &rc);
		if (rc == -EPROTO)
			rc = td_err_set(err, rc, "%s: a socket record without its process", what);
		if (rc)
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	free(buf);
	return rc;
}

/* The counting walk's bounds: groups (process, family, state) and sockets
 * with more than one holder. Beyond either the join in user space counts. */
#define MAX_COUNT_GROUPS 65536
#define MAX_SHARED 65536

/* What to open: the owner walk (with a wanted set of n inodes when
 * filter), when netns the counting walk of that namespace, when sknetns
 * the namespace walk. */
struct owners_open {
	bool filter;
	size_t n;
	uint32_t netns;
	uint64_t probe_ino;
	bool sknetns; /* the namespace walk */
};

/* Namespaces held by a socket only: a host has a few hundred at most. */
#define MAX_SOCKET_NETNS 16384

static struct owners_bpf *open_one(const struct owners_open *c,
				   const struct bpf_object_open_opts *oo)
{
	struct owners_bpf *skel = owners_bpf__open_opts(oo);

	if (!skel)
		return NULL;
	/* One program of the three is loaded, the others' maps stay small. */
	bpf_program__set_autoload(skel->progs.owners_count, c->netns != 0);
	bpf_program__set_autoload(skel->progs.owners_netns, c->sknetns);
	bpf_program__set_autoload(skel->progs.owners_task_file, !c->netns && !c->sknetns);
	if (c->sknetns) {
		bpf_map__set_max_entries(skel->maps.sknetns, MAX_SOCKET_NETNS);
		bpf_map__set_map_flags(skel->maps.sknetns, BPF_F_NO_PREALLOC);
		bpf_map__set_max_entries(skel->maps.nsfsfd, MAX_SOCKET_NETNS);
		bpf_map__set_map_flags(skel->maps.nsfsfd, BPF_F_NO_PREALLOC);
	}
	skel->rodata->cfg_filter = c->filter;
	if (c->filter) {
		bpf_map__set_max_entries(skel->maps.wanted, (__u32)c->n);
		bpf_map__set_map_flags(skel->maps.wanted, BPF_F_NO_PREALLOC);
	}
	if (c->netns) {
		skel->rodata->cfg_netns = c->netns;
		skel->rodata->cfg_probe_ino = c->probe_ino;
		bpf_map__set_max_entries(skel->maps.bycount, MAX_COUNT_GROUPS);
		bpf_map__set_map_flags(skel->maps.bycount, BPF_F_NO_PREALLOC);
		bpf_map__set_max_entries(skel->maps.shared, MAX_SHARED);
		bpf_map__set_map_flags(skel->maps.shared, BPF_F_NO_PREALLOC);
	}
	return skel;
}

static void *owners_open(const struct bpf_object_open_opts *oo, void *arg)
{
	return open_one(arg, oo);
}

static struct bpf_object *owners_obj(void *skel)
{
	return ((struct owners_bpf *)skel)->obj;
}

static int owners_load(void *skel)
{
	return owners_bpf__load(skel);
}

static void owners_destroy(void *skel)
{
	owners_bpf__destroy(skel);
}

/* As count.c: the cached minimized kernel BTF first, the full one after. */
static int open_load(struct owners_bpf **out, const struct owners_open *arg, struct td_err *err)
{
	static const struct td_btf_skel k = { "owners", owners_open, owners_obj, owners_load,
					      owners_destroy };
	const char *step = "opening the program";
	void *skel;
	int rc = td_btf_open_load(&k, (void *)arg, &skel, &step, NULL);

	*out = skel;
	return rc < 0 ? td_bpf_fail(err, rc, what, step) : 0;
}

int td_bpf_owners(const uint64_t *inodes, size_t n, td_bpf_owner_cb cb, void *ctx,
		  struct td_err *err)
{
	struct owners_reader r = { .cb = cb, .ctx = ctx, .cur.pid = -1 };
	struct owners_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	bool filter = inodes && n && n <= MAX_KERNEL_FILTER;
	int iter_fd = -1, rc;

	rc = check_pid_ns(err);
	if (rc < 0)
		return rc;
	rc = open_load(&skel, &(struct owners_open){ .filter = filter, .n = n }, err);
	if (rc < 0)
		goto out;
	if (filter) {
		rc = fill_wanted(bpf_map__fd(skel->maps.wanted), inodes, n);
		if (rc < 0) {
			rc = td_bpf_fail(err, rc, what, "filling the wanted set");
			goto out;
		}
	}
	link = bpf_program__attach_iter(skel->progs.owners_task_file, NULL);
	if (!link) {
		rc = td_bpf_fail(err, -errno, what, "attaching the iterator");
		goto out;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		rc = td_bpf_fail(err, -errno, what, "creating the iterator");
		goto out;
	}
	rc = read_stream(iter_fd, &r, err);
out:
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
	owners_bpf__destroy(skel);
	return rc;
}

/* Attach prog, create its iterator and read it to the end (nothing is
 * written: each read() runs the walk on). */
static int run_silent(struct bpf_program *prog, struct td_err *err)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	char buf[64];
	ssize_t got;
	int iter_fd, rc = 0;

	if (!link)
		return td_bpf_fail(err, -errno, what, "attaching the iterator");
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		rc = td_bpf_fail(err, -errno, what, "creating the iterator");
		bpf_link__destroy(link);
		return rc;
	}
	while ((got = read(iter_fd, buf, sizeof(buf))) > 0 ||
	       (got < 0 && (errno == EAGAIN || errno == EINTR))) {
		if (cancel_flag && *cancel_flag) {
			rc = td_err_set(err, -EINTR, "%s: stopped", what);
			break;
		}
	}
	if (!rc && got < 0)
		rc = td_err_set(err, -errno, "%s: reading the iterator: %s", what, strerror(errno));
	close(iter_fd);
	bpf_link__destroy(link);
	return rc;
}

/* Every (key, count) of the counting walk's map, one by one (a few hundred
 * groups: the batch call is not worth its fallback here). */
static int read_counts(int fd, td_bpf_owner_count_cb cb, void *ctx)
{
	struct td_own_count_key k, next, *prev = NULL;
	__u64 v;
	int rc;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &v) < 0)
			continue; /* gone between the two calls: nothing to count */
		rc = cb(k.tgid, k.family6 ? AF_INET6 : AF_INET, k.state, v, ctx);
		if (rc)
			return rc;
	}
	return errno == ENOENT ? 0 : -errno;
}

int td_bpf_owner_counts(td_bpf_owner_count_cb cb, void *ctx, struct td_err *err)
{
	struct owners_bpf *skel = NULL;
	struct owners_open arg = { 0 };
	struct stat st;
	int probe = -1, rc;

	rc = check_pid_ns(err);
	if (rc < 0)
		return rc;
	if (stat("/proc/self/ns/net", &st) < 0)
		return td_err_set(err, -TD_EUNSUPP, "%s: cannot tell the network namespace: %s",
				  what, strerror(errno));
	arg.netns = (uint32_t)st.st_ino;
	/* A socket of this process with one fd: the references the walk sees
	 * on it tell whether the iterator holds one of its own (see below). */
	probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0 || fstat(probe, &st) < 0) {
		rc = td_err_set(err, -errno, "%s: a probe socket: %s", what, strerror(errno));
		goto out;
	}
	arg.probe_ino = st.st_ino;
	rc = open_load(&skel, &arg, err);
	if (rc < 0)
		goto out;
	/* Nothing is written: EAGAIN after a million files, as the counter's. */
	rc = run_silent(skel->progs.owners_count, err);
	if (rc < 0)
		goto out;
	/* The program takes a file with more references than the probe had
	 * for a shared one: if the kernel's iterator did not hold one, every
	 * two-holder socket would count twice. Refuse rather than guess. */
	if (skel->bss->probe_refs != skel->rodata->cfg_own_refs) {
		rc = td_err_set(err, -TD_EUNSUPP,
				"%s: a file with one fd shows %lld references to the iterator, "
				"not %lld: counting by process in user space",
				what, (long long)skel->bss->probe_refs,
				(long long)skel->rodata->cfg_own_refs);
		goto out;
	}
	if (skel->bss->count_overflow) {
		rc = td_err_set(err, -E2BIG,
				"%s: more than %u groups or %u shared sockets: counted in user "
				"space instead",
				what, MAX_COUNT_GROUPS, MAX_SHARED);
		goto out;
	}
	rc = read_counts(bpf_map__fd(skel->maps.bycount), cb, ctx);
	if (rc < 0)
		rc = td_err_set(err, rc, "%s: reading the counts: %s", what, strerror(-rc));
out:
	if (probe >= 0)
		close(probe);
	owners_bpf__destroy(skel);
	return rc;
}

int td_bpf_netns_holders(td_bpf_netns_holders_cb cb, void *ctx, uint64_t *sockets,
			 struct td_err *err)
{
	struct owners_bpf *skel = NULL;
	struct td_own_netns v;
	__u64 k, next, *prev = NULL;
	int fd, rc;

	rc = check_pid_ns(err);
	if (rc < 0)
		return rc;
	rc = open_load(&skel, &(struct owners_open){ .sknetns = true }, err);
	if (rc < 0)
		goto out;
	rc = run_silent(skel->progs.owners_netns, err);
	if (rc < 0)
		goto out;
	if (skel->bss->netns_overflow) {
		rc = td_err_set(err, -E2BIG, "%s: more than %u namespaces held by sockets or fds",
				what, MAX_SOCKET_NETNS);
		goto out;
	}
	if (sockets)
		*sockets = skel->bss->netns_sockets;
	for (int kind = 0; kind < 2; kind++) {
		fd = bpf_map__fd(kind ? skel->maps.nsfsfd : skel->maps.sknetns);
		prev = NULL;
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			k = next;
			prev = &k;
			if (bpf_map_lookup_elem(fd, &k, &v) < 0)
				continue;
			rc = cb(k, (int32_t)v.tgid, (int)v.fd,
				kind ? TD_BPF_NS_NSFS : TD_BPF_NS_SOCKET, ctx);
			if (rc)
				goto out;
		}
	}
out:
	owners_bpf__destroy(skel);
	return rc;
}
#else
int td_bpf_netns_holders(td_bpf_netns_holders_cb cb, void *ctx, uint64_t *sockets,
			 struct td_err *err)
{
	(void)cb;
	(void)ctx;
	(void)sockets;
	return td_bpf_precheck("the BPF owner walk", err);
}

int td_bpf_owner_counts(td_bpf_owner_count_cb cb, void *ctx, struct td_err *err)
{
	(void)cb;
	(void)ctx;
	return td_bpf_precheck("the BPF owner walk", err);
}

int td_bpf_owners(const uint64_t *inodes, size_t n, td_bpf_owner_cb cb, void *ctx,
		  struct td_err *err)
{
	(void)inodes;
	(void)n;
	(void)cb;
	(void)ctx;
	return td_bpf_precheck("the BPF owner walk", err);
}
#endif

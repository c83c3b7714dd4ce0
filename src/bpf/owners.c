/* Loader of owners.bpf.c: load the task_file iterator, give it the wanted
 * inodes when they are few, read its record stream in big reads and hand
 * each socket fd to a callback (src/lib/sockets/owners.c). See tdbpf.h. */
#include "bpf/tdbpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

/* task->tgid is the initial namespace's pid; /proc in a child namespace
 * numbers processes differently and shows fewer of them. */
static int check_pid_ns(struct td_err *err)
{
	struct stat st;

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

static struct owners_bpf *open_one(bool filter, size_t n, const struct bpf_object_open_opts *oo)
{
	struct owners_bpf *skel = owners_bpf__open_opts(oo);

	if (!skel)
		return NULL;
	skel->rodata->cfg_filter = filter;
	if (filter) {
		bpf_map__set_max_entries(skel->maps.wanted, (__u32)n);
		bpf_map__set_map_flags(skel->maps.wanted, BPF_F_NO_PREALLOC);
	}
	return skel;
}

struct owners_open {
	bool filter;
	size_t n;
};

static void *owners_open(const struct bpf_object_open_opts *oo, void *arg)
{
	const struct owners_open *c = arg;

	return open_one(c->filter, c->n, oo);
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
static int open_load(struct owners_bpf **out, bool filter, size_t n, struct td_err *err)
{
	static const struct td_btf_skel k = { "owners", owners_open, owners_obj, owners_load,
					      owners_destroy };
	struct owners_open arg = { filter, n };
	const char *step = "opening the program";
	void *skel;
	int rc = td_btf_open_load(&k, &arg, &skel, &step, NULL);

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

	rc = td_bpf_precheck(what, err);
	if (rc < 0)
		return rc;
	rc = check_pid_ns(err);
	if (rc < 0)
		return rc;
	td_bpf_quiet();
	rc = open_load(&skel, filter, n, err);
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
#else
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

// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Socket owners inside the kernel: an iter/task_file program visits every
 * open file of every task and writes (inode, tgid, fd) for each socket of a
 * thread-group leader, plus the comm and real uid once per process, into the
 * iterator's read() stream. With a wanted set, only those inodes are written. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "owners.h"

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define SOCKFS_MAGIC 0x534F434B
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_CLOSE 7

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Set by the loader before load: filter by the wanted map or write all. */
const volatile bool cfg_filter = false;

/* The process whose unit was last written; the iterator visits one task's
 * fds in a row, so a new tgid means a new process. */
__u32 last_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* the loader sizes it to the wanted set */
	__type(key, __u64);
	__type(value, __u8);
} wanted SEC(".maps");

/* The sockfs inode of a file a thread-group leader has open, or NULL.
 * /proc/PID/fd shows the leader's table; a thread with a table of its own
 * (unshare(CLONE_FILES)) is not listed there, so neither here. Threads
 * sharing the leader's table are skipped by the kernel. A socket is an
 * S_IFSOCK inode of sockfs: the mode alone would also take an O_PATH fd of
 * a unix socket's path on a disk file system, which /proc shows as a path,
 * not "socket:[N]". */
static __always_inline struct inode *leader_socket(struct task_struct *task, struct file *file)
{
	struct inode *inode;

	if (!task || !file || task->tgid != task->pid)
		return NULL;
	inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return NULL;
	if (BPF_CORE_READ(inode, i_sb, s_magic) != SOCKFS_MAGIC)
		return NULL;
	return inode;
}

/* The struct sock behind a socket file, or NULL. */
static __always_inline struct sock *file_sock(struct file *file)
{
	struct socket *sock = bpf_sock_from_file(file);

	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

SEC("tditer/task_file") /* iter/task_file, through bpf/btfcache */
int owners_task_file(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct td_own_first rec = {};
	struct inode *inode;
	__u64 ino;

	inode = leader_socket(task, file);
	if (!inode)
		return 0;
	ino = inode->i_ino;
	if (!ino)
		return 0;
	if (cfg_filter && !bpf_map_lookup_elem(&wanted, &ino))
		return 0;

	rec.sock.inode = ino;
	rec.sock.tgid = task->tgid;
	rec.sock.fd = ctx->fd;
	if (task->tgid == last_tgid) {
		bpf_seq_write(seq, &rec.sock, sizeof(rec.sock));
		return 0;
	}
	rec.proc.tgid = task->tgid;
	/* /proc/PID/status reports the real uid of real_cred. */
	rec.proc.uid = BPF_CORE_READ(task, real_cred, uid.val);
	BPF_CORE_READ_INTO(&rec.proc.comm, task, comm);
	/* Only once written: an overflow reruns this fd with nothing kept. */
	if (!bpf_seq_write(seq, &rec, sizeof(rec)))
		last_tgid = task->tgid;
	return 0;
}

/* The counting walk (owners_count), in kernel memory bounded by the groups,
 * not by the sockets: nothing is written per socket. */
const volatile __u32 cfg_netns = 0; /* the namespace's inode (ns.inum) */

/* A file referenced more than this many times may have other holders
 * (fork, SCM_RIGHTS, dup): its socket goes through `shared` so that it
 * counts once. The iterator itself holds one reference to the file it
 * shows; the loader sets this from a socket of its own (see owners.c). */
const volatile __s64 cfg_own_refs = 2;

__u64 count_overflow = 0; /* a group or a shared socket that did not fit */
__s64 probe_refs = 0;	  /* the references the loader's probe socket had (0: not seen) */
const volatile __u64 cfg_probe_ino = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, struct td_own_count_key);
	__type(value, __u64);
} bycount SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u64);
	__type(value, __u8);
} shared SEC(".maps");

/* struct file's reference count, as kernels before and after 6.13 keep it:
 * f_count (the count), or f_ref.refcnt (the count minus one). */
struct file___fcount {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

struct file___fref {
	file_ref_t f_ref;
} __attribute__((preserve_access_index));

static __always_inline __s64 file_refs(struct file *file)
{
	if (bpf_core_field_exists(struct file___fref, f_ref))
		return BPF_CORE_READ((struct file___fref *)file, f_ref.refcnt.counter) + 1;
	return BPF_CORE_READ((struct file___fcount *)file, f_count.counter);
}

SEC("tditer/task_file")
int owners_count(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct td_own_count_key k = {};
	struct inode *inode;
	struct sock *sk;
	__u64 ino, one = 1, *n;
	__u8 yes = 1;
	__s64 refs;
	__u16 family;

	inode = leader_socket(task, file);
	if (!inode)
		return 0;
	ino = inode->i_ino;
	sk = file_sock(file);
	if (!sk)
		return 0;
	refs = file_refs(file);
	if (cfg_probe_ino && ino == cfg_probe_ino)
		probe_refs = refs;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((family != AF_INET && family != AF_INET6) ||
	    BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) != cfg_netns)
		return 0;
	k.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	/* Unhashed (a fresh, bound-only or closed socket): not in a dump. */
	if (k.state == TCP_CLOSE)
		return 0;
	if (refs > cfg_own_refs) {
		/* The first holder in pid order counts it; later ones do not. */
		if (bpf_map_update_elem(&shared, &ino, &yes, BPF_NOEXIST)) {
			if (bpf_map_lookup_elem(&shared, &ino))
				return 0;
			__sync_fetch_and_add(&count_overflow, 1);
			return 0;
		}
	}
	k.tgid = task->tgid;
	k.family6 = family == AF_INET6;
	n = bpf_map_lookup_elem(&bycount, &k);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	if (bpf_map_update_elem(&bycount, &k, &one, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(&bycount, &k);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			__sync_fetch_and_add(&count_overflow, 1);
	}
	return 0;
}

/* The namespace walk (owners_netns): every socket file, of any family, whose
 * network namespace is not its process's own, and every open nsfs file of a
 * network namespace: what keeps a namespace alive besides its processes and
 * mounts, found without a readlink of every fd. */
#define NSFS_MAGIC 0x6e736673
#define CLONE_NEWNET 0x40000000

__u64 netns_sockets = 0;  /* socket files looked at */
__u64 netns_overflow = 0; /* namespaces that did not fit in a map */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u64);
	__type(value, struct td_own_netns);
} sknetns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__type(key, __u64);
	__type(value, struct td_own_netns);
} nsfsfd SEC(".maps");

/* A namespace's type: ns_common.ns_type since 6.18, ops->type before. */
struct ns_common___type {
	__u32 ns_type;
} __attribute__((preserve_access_index));

struct proc_ns_operations___type {
	int type;
} __attribute__((preserve_access_index));

struct ns_common___ops {
	const struct proc_ns_operations___type *ops;
} __attribute__((preserve_access_index));

static __always_inline bool is_netns(void *ns)
{
	if (bpf_core_field_exists(struct ns_common___type, ns_type))
		return BPF_CORE_READ((struct ns_common___type *)ns, ns_type) == CLONE_NEWNET;
	return BPF_CORE_READ((struct ns_common___ops *)ns, ops, type) == CLONE_NEWNET;
}

static __always_inline void first_holder(void *map, __u64 ns, __u32 tgid, __u32 fd)
{
	struct td_own_netns v = { .tgid = tgid, .fd = fd };

	if (bpf_map_lookup_elem(map, &ns))
		return;
	if (bpf_map_update_elem(map, &ns, &v, BPF_NOEXIST) && !bpf_map_lookup_elem(map, &ns))
		__sync_fetch_and_add(&netns_overflow, 1);
}

SEC("tditer/task_file")
int owners_netns(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct inode *inode;
	struct sock *sk;
	unsigned long magic;
	__u64 ns, own;

	if (!task || !file || task->tgid != task->pid)
		return 0;
	inode = file->f_inode;
	if (!inode)
		return 0;
	magic = BPF_CORE_READ(inode, i_sb, s_magic);
	if (magic == NSFS_MAGIC) {
		void *nsc = BPF_CORE_READ(inode, i_private);

		if (nsc && is_netns(nsc))
			first_holder(&nsfsfd, inode->i_ino, task->tgid, ctx->fd);
		return 0;
	}
	if ((inode->i_mode & S_IFMT) != S_IFSOCK || magic != SOCKFS_MAGIC)
		return 0;
	sk = file_sock(file);
	if (!sk)
		return 0;
	__sync_fetch_and_add(&netns_sockets, 1);
	ns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	own = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	/* Most sockets live where their process does (an exiting task has
	 * no nsproxy: own 0, and its sockets count as elsewhere). */
	if (ns && ns != own)
		first_holder(&sknetns, ns, task->tgid, ctx->fd);
	return 0;
}

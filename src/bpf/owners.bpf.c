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

SEC("tditer/task_file") /* iter/task_file, through bpf/btfcache */
int owners_task_file(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct td_own_first rec = {};
	struct inode *inode;
	__u64 ino;

	if (!task || !file)
		return 0;
	/* /proc/PID/fd shows the leader's table; a thread with a table of its
	 * own (unshare(CLONE_FILES)) is not listed there, so neither here.
	 * Threads sharing the leader's table are skipped by the kernel. */
	if (task->tgid != task->pid)
		return 0;
	/* A socket is an S_IFSOCK inode of sockfs: the mode alone would also
	 * take an O_PATH fd of a unix socket's path on a disk file system,
	 * which /proc shows as a path, not "socket:[N]". */
	inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	if (BPF_CORE_READ(inode, i_sb, s_magic) != SOCKFS_MAGIC)
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

/* Shared by owners.bpf.c (the kernel side) and owners.c (the loader): the
 * records the task_file iterator writes into its read() stream. Plain __u
 * types only: the BPF side sees vmlinux.h, the user side <linux/types.h>. */
#ifndef TD_BPF_OWNERS_H
#define TD_BPF_OWNERS_H

#define TD_OWN_COMM_LEN 16 /* TASK_COMM_LEN */

/* The stream is a sequence of 16-byte units. A socket unit has inode != 0;
 * a process unit (inode 0) comes before the first socket of each process
 * and is followed by one unit holding its comm. */
struct td_own_sock {
	__u64 inode;
	__u32 tgid;
	__u32 fd;
};

struct td_own_proc {
	__u64 zero; /* 0: tells a process unit from a socket unit */
	__u32 tgid;
	__u32 uid; /* real uid, as /proc/PID/status "Uid:" first field */
	char comm[TD_OWN_COMM_LEN];
};

/* What one program run writes with a single bpf_seq_write(): when the
 * output overflows the seq buffer, the kernel drops it all and runs the
 * program again for the same fd, so a process unit must never be written
 * apart from its first socket. */
struct td_own_first {
	struct td_own_proc proc;
	struct td_own_sock sock;
};

/* The counting program (owners_count): per (process, family, state), the
 * TCP sockets of one network namespace, each counted once, under the
 * lowest tgid that holds it (the walk goes in pid order), as the join of
 * the socket dump with the owner walk counts them. */
struct td_own_count_key {
	__u32 tgid;
	__u8 family6; /* 0 IPv4, 1 IPv6 */
	__u8 state;   /* the kernel's TCP state */
	__u16 pad;
};

/* The namespace walk (owners_netns): per network namespace inode, the
 * first socket (in pid order) that lives in a namespace other than its
 * process's own, so that user space can open a namespace no process is in
 * through that socket (SIOCGSKNS), and the first open nsfs file of it. */
struct td_own_netns {
	__u32 tgid;
	__u32 fd;
};

#endif

/* Shared by trace.bpf.c (tracepoint programs) and trace.c (the loader): the
 * event that travels through the ring buffer, the per-socket record the
 * kernel side keeps, and the read-only filter config. Plain __u types: the
 * BPF side sees vmlinux.h, the user side <linux/types.h>. */
#ifndef TD_BPF_TRACE_H
#define TD_BPF_TRACE_H

#define TD_TR_MAX_PORTS 8

enum td_tr_kind {
	TD_TR_STATE = 1,    /* sock:inet_sock_set_state */
	TD_TR_RETRANS = 2,  /* tcp:tcp_retransmit_skb */
	TD_TR_RECV_RST = 3, /* tcp:tcp_receive_reset */
	TD_TR_SEND_RST = 4, /* tcp:tcp_send_reset */
};

enum td_tr_closer {
	TD_TR_CLOSER_UNKNOWN = 0,
	TD_TR_CLOSER_LOCAL = 1,	 /* this end sent the first FIN (FIN_WAIT1) */
	TD_TR_CLOSER_REMOTE = 2, /* the peer did (CLOSE_WAIT) */
};

enum td_tr_flags {
	/* TD_TR_SEND_RST without a socket (reason NO_SOCKET: nothing
	 * listens on the port, or the connection is gone): no cookie, state,
	 * inode or owner; the tuple is the incoming segment's, reversed. */
	TD_TR_F_NOSOCK = 1,
	/* The socket's side, where its birth was seen (enum td_tr_role):
	 * the service port of a client is the peer's, of a server its own. */
	TD_TR_F_CLIENT = 2,
	TD_TR_F_SERVER = 4,
};

/* What a socket is, from the transition that made it: connect()
 * (CLOSE -> SYN_SENT), listen() or a listener's child (LISTEN ->
 * SYN_RECV). Unknown for sockets older than the trace. */
enum td_tr_role {
	TD_TR_ROLE_UNKNOWN = 0,
	TD_TR_ROLE_CLIENT = 1,
	TD_TR_ROLE_SERVER = 2,
};

/* A role as event flags, and back. */
static inline __u8 td_tr_role_flag(__u8 role)
{
	return role == TD_TR_ROLE_CLIENT   ? TD_TR_F_CLIENT
	       : role == TD_TR_ROLE_SERVER ? TD_TR_F_SERVER
					   : 0;
}

static inline __u8 td_tr_flag_role(__u8 flags)
{
	return flags & TD_TR_F_CLIENT	? TD_TR_ROLE_CLIENT
	       : flags & TD_TR_F_SERVER ? TD_TR_ROLE_SERVER
					: TD_TR_ROLE_UNKNOWN;
}

/* The port a socket serves or uses, which the by-port summaries (the
 * kernel's and the per-event one) group by: a listener's children share
 * its port, so servers and listeners go under their local port, clients
 * under the peer's. For a socket older than the trace (no role), a local
 * port >= 32768 facing a lower one is taken for a client's ephemeral port. */
static inline __u16 td_tr_service_port(__u8 role, __u16 lport, __u16 rport)
{
	if (role == TD_TR_ROLE_CLIENT)
		return rport;
	if (role == TD_TR_ROLE_SERVER)
		return lport;
	if (lport >= 32768 && rport && rport < 32768)
		return rport;
	return lport;
}

struct td_tr_event {
	__u64 ts_ns;	   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cookie;	   /* bpf_get_socket_cookie(), as sock_diag's */
	__u64 inode;	   /* socket inode, 0 when the socket has no file; for a
			    * transition, only when pid is 0 (the owner walk's key) */
	__u64 in_old_ns;   /* time spent in the old state, 0 if unknown */
	__u64 life_ns;	   /* since the first transition seen, 0 if unknown */
	__u64 bytes_acked; /* tcp_sock counters at X -> CLOSE, else 0 */
	__u64 bytes_received;
	__u32 pid;		   /* owner recorded in its own context, 0 if unknown */
	__u32 reason;		   /* TD_TR_SEND_RST: enum sk_rst_reason */
	__u32 netns;		   /* network namespace inode (ns.inum), 0 if unknown */
	__u8 kind;		   /* enum td_tr_kind */
	__u8 old_state, new_state; /* for other kinds both are the current state */
	__u8 family;		   /* 2 AF_INET, 10 AF_INET6, 0 unknown */
	__u8 closer;		   /* enum td_tr_closer */
	__u8 flags;		   /* enum td_tr_flags */
	__u16 lport, rport;	   /* host order */
	__u8 laddr[16], raddr[16];
	char comm[16]; /* with pid */
};

/* What the kernel side remembers per socket cookie (LRU hash). The owner
 * is written where it is certain: the owner's own system calls (connect,
 * listen, close, shutdown, sendmsg, recvmsg), the listener's owner for a
 * child until then, and user space's owner walk when tracing starts. */
struct td_tr_sk {
	__u64 last_ns; /* last transition, 0 before the first */
	__u64 born_ns; /* first transition seen, 0 before the first */
	__u32 pid;
	__u16 lport; /* last non-zero local port: gone by the time of X -> CLOSE */
	__u8 closer;
	__u8 role; /* enum td_tr_role */
	char comm[16];
	/* --summary: where this socket's transitions are counted, so that a
	 * transition adds to two array slots instead of looking its owner
	 * and port up: slot + 1 in the by-process counts (for pid), in the
	 * by-port ones (for svc_port); 0 not looked up yet, TD_TR_SLOT_FULL
	 * the table had no room. */
	__u16 proc_slot;
	__u16 port_slot;
	__u16 svc_port;
	__u16 pad;
};

#define TD_TR_SLOT_FULL 0xffffu

/* A listener, for its children: they are cloned from it in softirq (or,
 * over loopback, in the client's process), with its address and port
 * still in place when LISTEN -> SYN_RECV is reported. */
struct td_tr_lkey {
	__u32 netns;
	__u16 lport;
	__u8 family;
	__u8 pad[1];
	__u8 laddr[16];
};

struct td_tr_lval {
	__u32 pid; /* 0: several processes listen there (SO_REUSEPORT) */
	__u32 n;   /* listening sockets registered with this key */
	char comm[16];
};

/* ---- the summary kept in the kernel (--summary without per-event output) ----
 * Nothing travels per event: the programs count into per-CPU maps, which user
 * space reads and adds up at the end. Tables with keys are bounded; an event
 * whose key finds its table full is still in the totals, and counted in
 * overflow[table] (shown, never silent). */
#define TD_TR_NSTATES 16	     /* tcp states 0..15 index pairs[][] (the kernel has 1..13) */
#define TD_TR_SUM_PROCS 4096	     /* (table, pid) keys: transitions, resets, retransmits */
#define TD_TR_SUM_PORTS 4096	     /* ports of the by-port table */
#define TD_TR_PID_NOSOCK 0xffffffffu /* reset talkers: sent for no socket */

enum td_tr_sum_table {
	TD_TR_SUM_BY_PROC = 0,
	TD_TR_SUM_BY_PORT = 1,
	TD_TR_SUM_RST = 2,
	TD_TR_SUM_RETRANS = 3,
	TD_TR_SUM_NTABLES = 4,
};

/* One per CPU (a one-element per-CPU array). */
struct td_tr_totals {
	__u64 pairs[TD_TR_NSTATES][TD_TR_NSTATES]; /* transitions by (old, new) */
	__u64 transitions, retrans, resets_in, resets_out;
	__u64 odd_state;		   /* a transition with a state >= TD_TR_NSTATES */
	__u64 overflow[TD_TR_SUM_NTABLES]; /* events a full table had no key for */
};

struct td_tr_pkey {
	__u32 pid;   /* 0: owner not known; TD_TR_PID_NOSOCK */
	__u32 table; /* enum td_tr_sum_table, but BY_PORT */
};

struct td_tr_pval {
	__u64 n;
	char comm[16]; /* the owner's when the key was made */
};

/* The by-process transitions: an owner's slot in the per-CPU counts, and
 * its name when the slot was made. */
struct td_tr_pslot {
	__u32 slot;
	char comm[16];
};

struct td_tr_range {
	__u16 lo, hi;
};

/* ---- user space only: names of the kernel's enum sk_rst_reason ---- */
#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>

#define TD_TR_MAX_REASONS 64
#define TD_TR_REASON_LEN 40

/* enum sk_rst_reason by value, each name without its SK_RST_REASON_
 * prefix ("NO_SOCKET"). The numbering is the running kernel's (it changed
 * between kernels as reasons were added): read from its BTF, else 6.18's. */
struct td_tr_reasons {
	char name[TD_TR_MAX_REASONS][TD_TR_REASON_LEN]; /* "" where no value */
	bool from_btf;
};

struct btf;

/* Fill r with 6.18's numbering (include/net/rstreason.h). */
void td_tr_reasons_builtin(struct td_tr_reasons *r);
/* Fill r from `enum sk_rst_reason` in btf. Returns 0, or -ENOENT when btf
 * has no such enum (r is then left as it was). Built without BPF: -ENOENT. */
int td_tr_reasons_from_btf(struct td_tr_reasons *r, const struct btf *btf);
/* The running kernel's (/sys/kernel/btf/vmlinux), else the builtin table. */
void td_tr_reasons_load(struct td_tr_reasons *r);
/* The name of v, or NULL when r has none for it. r NULL: the builtin. */
const char *td_tr_reason_name(const struct td_tr_reasons *r, uint32_t v);
#endif

#endif

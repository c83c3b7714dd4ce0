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

struct td_tr_event {
	__u64 ts_ns;	   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cookie;	   /* bpf_get_socket_cookie(), as sock_diag's */
	__u64 inode;	   /* socket inode, 0 when the socket has no file */
	__u64 in_old_ns;   /* time spent in the old state, 0 if unknown */
	__u64 life_ns;	   /* since the first transition seen, 0 if unknown */
	__u64 bytes_acked; /* tcp_sock counters at the event */
	__u64 bytes_received;
	__u32 pid;		   /* owner recorded in its own context, 0 if unknown */
	__u32 reason;		   /* TD_TR_SEND_RST: enum sk_rst_reason */
	__u8 kind;		   /* enum td_tr_kind */
	__u8 old_state, new_state; /* for other kinds both are the current state */
	__u8 family;		   /* 2 AF_INET, 10 AF_INET6, 0 unknown */
	__u8 closer;		   /* enum td_tr_closer */
	__u8 pad[1];
	__u16 lport, rport; /* host order */
	__u8 laddr[16], raddr[16];
	char comm[16]; /* with pid */
};

/* What the kernel side remembers per socket cookie (LRU hash). */
struct td_tr_sk {
	__u64 last_ns; /* last transition */
	__u64 born_ns; /* first transition seen */
	__u32 pid;
	__u16 lport; /* last non-zero local port: gone by the time of X -> CLOSE */
	__u8 closer;
	__u8 pad[1];
	char comm[16];
};

struct td_tr_range {
	__u16 lo, hi;
};

#endif

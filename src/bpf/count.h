/* Shared by count.bpf.c (the kernel side) and count.c (the loader): the
 * iterator's read-only configuration and the group key. Plain __u types
 * only: the BPF side sees vmlinux.h, the user side <linux/types.h>. */
#ifndef TD_BPF_COUNT_H
#define TD_BPF_COUNT_H

#define TD_CNT_MAX_RANGES 8 /* = TD_FILTER_MAX */
#define TD_CNT_STATES 16    /* kernel TCP states are 1..12 */

/* What a group is keyed by (td_group_by values the kernel can see). */
enum td_cnt_by {
	TD_CNT_BY_NONE = 0,
	TD_CNT_BY_LPORT,
	TD_CNT_BY_RPORT,
	TD_CNT_BY_LADDR,
	TD_CNT_BY_PEER,
	TD_CNT_BY_USER,
};

struct td_cnt_range {
	__u16 lo, hi;
};

struct td_cnt_cidr {
	__u8 family; /* 2 = AF_INET, 10 = AF_INET6 */
	__u8 prefix;
	__u8 addr[16];
};

/* One group and state: the hash map's key; the value is a __u64 count.
 * Only the fields the grouping uses are set; the rest are zero. */
struct td_cnt_key {
	__u8 family; /* for address keys */
	__u8 state;  /* as reported: request sockets as SYN_RECV, timewait by substate */
	__u16 port;
	__u32 uid; /* TD_CNT_NO_UID: no process holds the socket */
	__u8 addr[16];
};

/* The uid of sockets without an owner (TIME_WAIT, request sockets, orphans),
 * TD_AGG_NO_USER on the user-space side. */
#define TD_CNT_NO_UID 0xffffffffu

#endif

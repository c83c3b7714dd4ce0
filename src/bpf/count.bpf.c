// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Counting TCP sockets inside the kernel: an iter/tcp program visits every
 * socket of the caller's network namespace (listeners, established hash,
 * TIME_WAIT and request sockets) and adds it to a count per (family, state)
 * and, when grouping, per (group, state) in a hash map. User space reads the
 * counts, never the sockets. Filters are read-only config set before load. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "count.h"

#define AF_INET 2
#define AF_INET6 10
#define TCP_SYN_RECV 3
#define TCP_TIME_WAIT 6
#define TCP_NEW_SYN_RECV 12

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Set by the loader before load (.rodata): the verifier then sees constants
 * and drops the code of every filter that is not in use. */
const volatile __u32 cfg_states = 0; /* kernel state bits to keep, as inet_diag */
const volatile __u8 cfg_family = 0;  /* 0, AF_INET or AF_INET6 */
const volatile __u8 cfg_by = TD_CNT_BY_NONE;
const volatile __u32 cfg_nsport = 0, cfg_ndport = 0, cfg_nport = 0;
const volatile __u32 cfg_nsrc = 0, cfg_ndst = 0;
const volatile struct td_cnt_range cfg_sport[TD_CNT_MAX_RANGES] = {};
const volatile struct td_cnt_range cfg_dport[TD_CNT_MAX_RANGES] = {};
const volatile struct td_cnt_range cfg_port[TD_CNT_MAX_RANGES] = {};
const volatile struct td_cnt_cidr cfg_src[TD_CNT_MAX_RANGES] = {};
const volatile struct td_cnt_cidr cfg_dst[TD_CNT_MAX_RANGES] = {};

/* Results (.bss, read through the skeleton's mmap): [0] IPv4, [1] IPv6. */
__u64 counts[2][TD_CNT_STATES] = {};
__u64 dropped = 0; /* groups that did not fit in the map */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* the loader sizes it when grouping */
	__type(key, struct td_cnt_key);
	__type(value, __u64);
} groups SEC(".maps");

static __always_inline bool in_ranges(const volatile struct td_cnt_range *r, __u32 n, __u16 port)
{
	for (int i = 0; i < TD_CNT_MAX_RANGES; i++) {
		if (i >= n)
			break;
		if (port >= r[i].lo && port <= r[i].hi)
			return true;
	}
	return false;
}

static __always_inline bool prefix_match(const __u8 *addr, const volatile __u8 *net, int prefix)
{
	for (int i = 0; i < 16; i++) {
		int bits = prefix - 8 * i;
		__u8 mask;

		if (bits <= 0)
			break;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((addr[i] ^ net[i]) & mask)
			return false;
	}
	return true;
}

/* As td_filter_match(): an IPv4 CIDR also matches an IPv4-mapped IPv6
 * address, an IPv6 one never matches an IPv4 socket. */
static __always_inline bool in_cidrs(const volatile struct td_cnt_cidr *c, __u32 n, __u16 family,
				     const __u8 *addr)
{
	bool mapped = family == AF_INET6 &&
		      !(addr[0] | addr[1] | addr[2] | addr[3] | addr[4] | addr[5] | addr[6] |
			addr[7] | addr[8] | addr[9]) &&
		      addr[10] == 0xff && addr[11] == 0xff;

	for (int i = 0; i < TD_CNT_MAX_RANGES; i++) {
		if (i >= n)
			break;
		if (c[i].family == AF_INET) {
			if (family == AF_INET && prefix_match(addr, c[i].addr, c[i].prefix))
				return true;
			if (mapped && prefix_match(addr + 12, c[i].addr, c[i].prefix))
				return true;
		} else if (family == AF_INET6 && prefix_match(addr, c[i].addr, c[i].prefix)) {
			return true;
		}
	}
	return false;
}

static __always_inline void read_addrs(struct sock_common *skc, __u16 family, __u8 *laddr,
				       __u8 *raddr)
{
	if (family == AF_INET) {
		BPF_CORE_READ_INTO((__be32 *)laddr, skc, skc_rcv_saddr);
		BPF_CORE_READ_INTO((__be32 *)raddr, skc, skc_daddr);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)laddr, skc, skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)raddr, skc, skc_v6_daddr);
	}
}

SEC("tditer/tcp") /* iter/tcp, loaded through bpf/btfcache */
int count_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	__u8 laddr[16] = {}, raddr[16] = {};
	struct td_cnt_key key = {};
	__u16 family, lport, rport;
	__u64 one = 1, *n;
	int raw, state;
	__u32 uid;

	if (!skc)
		return 0; /* the final call, after the last socket */
	family = skc->skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (cfg_family && family != cfg_family)
		return 0;
	/* Filter on the kernel's own state, as inet_diag does: a timewait
	 * socket is TIME_WAIT to the filter whatever its substate. */
	raw = skc->skc_state;
	if (raw <= 0 || raw >= TD_CNT_STATES)
		return 0;
	if (cfg_states && !(cfg_states & (1u << raw)))
		return 0;

	state = raw;
	uid = ctx->uid;
	if (raw == TCP_TIME_WAIT) {
		/* An orphaned FIN_WAIT2 socket lives on as a timewait socket with
		 * substate FIN_WAIT2; inet_diag reports the substate. */
		struct tcp_timewait_sock *tw = bpf_skc_to_tcp_timewait_sock(skc);

		if (tw)
			state = tw->tw_sk.tw_substate;
		uid = TD_CNT_NO_UID;
	} else if (raw == TCP_NEW_SYN_RECV) {
		/* Request sockets: SYN_RECV with no owner. */
		state = TCP_SYN_RECV;
		uid = TD_CNT_NO_UID;
	} else if (cfg_by == TD_CNT_BY_USER) {
		/* An orphan (closed by its process) or a connection still in an
		 * accept queue has no struct socket: no owner, as its inode 0 says
		 * to the netlink source. */
		struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);

		if (tp && !tp->inet_conn.icsk_inet.sk.sk_socket)
			uid = TD_CNT_NO_UID;
	}
	if (state <= 0 || state >= TD_CNT_STATES)
		return 0;

	/* skc_num is the local port in host order for all three kinds of
	 * socket (ir_num of a request socket is the same field). */
	lport = skc->skc_num;
	rport = bpf_ntohs(skc->skc_dport);
	if (cfg_nsport && !in_ranges(cfg_sport, cfg_nsport, lport))
		return 0;
	if (cfg_ndport && !in_ranges(cfg_dport, cfg_ndport, rport))
		return 0;
	if (cfg_nport && !in_ranges(cfg_port, cfg_nport, lport) &&
	    !in_ranges(cfg_port, cfg_nport, rport))
		return 0;
	if (cfg_nsrc || cfg_ndst || cfg_by == TD_CNT_BY_LADDR || cfg_by == TD_CNT_BY_PEER) {
		read_addrs(skc, family, laddr, raddr);
		if (cfg_nsrc && !in_cidrs(cfg_src, cfg_nsrc, family, laddr))
			return 0;
		if (cfg_ndst && !in_cidrs(cfg_dst, cfg_ndst, family, raddr))
			return 0;
	}

	counts[family == AF_INET6][state & (TD_CNT_STATES - 1)]++;
	if (cfg_by == TD_CNT_BY_NONE)
		return 0;

	key.state = state;
	switch (cfg_by) {
	case TD_CNT_BY_LPORT:
		key.port = lport;
		break;
	case TD_CNT_BY_RPORT:
		key.port = rport;
		break;
	case TD_CNT_BY_LADDR:
		key.family = family;
		__builtin_memcpy(key.addr, laddr, 16);
		break;
	case TD_CNT_BY_PEER:
		key.family = family;
		__builtin_memcpy(key.addr, raddr, 16);
		break;
	case TD_CNT_BY_USER:
		key.uid = uid;
		break;
	}
	n = bpf_map_lookup_elem(&groups, &key);
	if (n) {
		/* One iterator reads at a time, but be safe against a second. */
		__sync_fetch_and_add(n, 1);
	} else if (bpf_map_update_elem(&groups, &key, &one, BPF_NOEXIST)) {
		n = bpf_map_lookup_elem(&groups, &key);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			__sync_fetch_and_add(&dropped, 1);
	}
	return 0;
}

// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* TCP socket counts by state kept current inside the kernel, for `serve`
 * and `record`: a scrape reads 2 x 16 numbers per CPU instead of walking
 * the sockets. Full sockets only: every state they enter or leave passes
 * sock:inet_sock_set_state (CLOSE counts as "not listed"). Timewait and
 * request sockets change without a tracepoint (their births and deaths are
 * plain functions, hookable only with fentry, which kernels without ftrace
 * lack): a scrape counts those itself, still without a walk of every
 * socket: timewait sockets by looking up the addresses the hooks noted
 * (sc_tw, see struct td_sc_tuple), request sockets as the sum of the
 * listeners' SYN queues (sc_listen, which stops where the listening table
 * ends). Where those two cannot load, a dump that asks for those states only.
 * Two generations of counts: the live one follows every change; the shadow
 * is filled by an iterator walk (seeding, reconciliation) where a socket
 * that changes during the walk is counted once, by whoever claims it first
 * in the claims map (the walk, or the hook of its change). See
 * docs/monitoring.md. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include "statecount.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_SYN_RECV 3
#define TCP_FIN_WAIT1 4
#define TCP_FIN_WAIT2 5
#define TCP_TIME_WAIT 6
#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define TCP_CLOSING 11
#define TCP_NEW_SYN_RECV 12
#define BPF_F_CURRENT_NETNS (-1)

char LICENSE[] SEC("license") = "Dual MIT/GPL";

const volatile __u32 cfg_netns = 0; /* network namespace inode, 0 = any */
const volatile bool cfg_tw = true;  /* note timewait candidates (sc_tw loaded) */

__u32 phase = 0;	     /* TD_SC_MODE_* | live << TD_SC_LIVE_BIT | TD_SC_HAVE_LIVE */
__u64 claim_overflow = 0;    /* sockets the walk counted without a claim (map full) */
__u64 tw_overflow = 0;	     /* timewait candidates not noted (map full) */
struct td_sc_rest rest = {}; /* sc_tw's and sc_listen's results, zeroed by user space */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct td_sc_counts);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* sized by the loader */
	__uint(map_flags, 1);	/* BPF_F_NO_PREALLOC: memory only while a walk runs */
	__type(key, struct td_sc_key);
	__type(value, __u32); /* the state the socket was counted in (0: gone) */
} claims SEC(".maps");

/* Addresses of sockets that may be timewait ones now (td_sc_tuple), in a
 * hash map user space makes and swaps in slot 0 (a scrape's walk of it
 * costs its buckets, so it is sized to the timewait sockets there are, and
 * replaced by a bigger or smaller one before a walk notes them all again). */
struct tw_set {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, 1); /* BPF_F_NO_PREALLOC */
	__uint(key_size, sizeof(struct td_sc_tuple));
	__uint(value_size, 1);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct tw_set);
} tw_maps SEC(".maps");

/* The state inet_diag lists a socket in, 0 when it lists none. */
static __always_inline int listed(int state)
{
	if (state == TCP_NEW_SYN_RECV)
		return TCP_SYN_RECV;
	if (state <= 0 || state == TCP_CLOSE || state > TCP_NEW_SYN_RECV)
		return 0;
	return state;
}

static __always_inline int fam_index(__u16 family)
{
	return family == AF_INET6;
}

static __always_inline void apply(struct td_sc_counts *c, __u32 gen, int fam, int o, int n)
{
	__u32 i;

	/* Atomic even per CPU: a softirq may interrupt a hook of the same
	 * CPU between its load and its store. The masks are for the
	 * verifier (asm keeps the compiler from dropping them). */
	if (o > 0 && o < TD_SC_STATES) {
		i = ((gen & 1) << 5) | ((fam & 1) << 4) | (o & (TD_SC_STATES - 1));
		asm volatile("" : "+r"(i));
		i &= 63;
		__sync_fetch_and_add(&c->n[0][0][0] + i, -1);
	}
	if (n > 0 && n < TD_SC_STATES) {
		i = ((gen & 1) << 5) | ((fam & 1) << 4) | (n & (TD_SC_STATES - 1));
		asm volatile("" : "+r"(i));
		i &= 63;
		__sync_fetch_and_add(&c->n[0][0][0] + i, 1);
	}
}

/* One socket goes from listed state o to n (0: not listed). */
/* ph: the phase word as the hook read it, once (the key was made for it). */
static __always_inline void change(__u32 ph, const struct td_sc_key *key, int fam, int o, int n)
{
	__u32 zero = 0, live = (ph >> TD_SC_LIVE_BIT) & 1;
	__u32 mode = ph & TD_SC_MODE_MASK, shadow = (ph & TD_SC_HAVE_LIVE) ? live ^ 1 : 0;
	struct td_sc_counts *c = bpf_map_lookup_elem(&counts, &zero);
	__u32 *claim, v = n;

	if (!c || o == n)
		return;
	if (ph & TD_SC_HAVE_LIVE)
		apply(c, live, fam, o, n);
	if (mode == TD_SC_MODE_PLAIN) {
		apply(c, shadow, fam, o, n);
	} else if (mode == TD_SC_MODE_SEED) {
		/* Counted by the walk (or an earlier change) already: move it.
		 * Not yet: count it in its new state and claim it, so that the
		 * walk, reaching it later, leaves it alone. */
		claim = bpf_map_lookup_elem(&claims, key);
		if (claim) {
			int was = *claim;

			*claim = v;
			apply(c, shadow, fam, was, n);
		} else if (bpf_map_update_elem(&claims, key, &v, BPF_NOEXIST) == 0) {
			apply(c, shadow, fam, 0, n);
		} else {
			__sync_fetch_and_add(&claim_overflow, 1);
		}
	}
}

/* skc is a pointer the verifier knows the type of (a tp_btf argument, an
 * iterator's socket): its fields are direct loads the kernel guards, not
 * a probe-read helper call each (CO-RE relocated all the same). In
 * sc_state that halved the program's time (bench/RESULTS.md). */
static __always_inline bool netns_ok(const struct sock_common *skc)
{
	return !cfg_netns || skc->skc_net.net->ns.inum == cfg_netns;
}

/* Note skc's addresses: it may be (or have just become) a timewait socket. */
static __always_inline void tw_note(const struct sock_common *skc)
{
	struct td_sc_tuple t = {};
	struct in6_addr d, l;
	__u32 zero = 0;
	__u8 one = 1;
	void *set;

	if (!cfg_tw)
		return;
	t.lport = skc->skc_num;
	t.rport = skc->skc_dport;
	t.v4 = 1;
	if (skc->skc_family == AF_INET6) {
		for (int i = 0; i < 4; i++)
			d.in6_u.u6_addr32[i] = skc->skc_v6_daddr.in6_u.u6_addr32[i];
		/* ::ffff:a.b.c.d is looked up as IPv4 (the addresses are in
		 * skc_daddr/skc_rcv_saddr as well). */
		if (d.in6_u.u6_addr32[0] || d.in6_u.u6_addr32[1] ||
		    d.in6_u.u6_addr32[2] != bpf_htonl(0xffff)) {
			for (int i = 0; i < 4; i++)
				l.in6_u.u6_addr32[i] = skc->skc_v6_rcv_saddr.in6_u.u6_addr32[i];
			__builtin_memcpy(t.laddr, l.in6_u.u6_addr32, 16);
			__builtin_memcpy(t.raddr, d.in6_u.u6_addr32, 16);
			t.v4 = 0;
		}
	}
	if (t.v4) {
		t.laddr[0] = skc->skc_rcv_saddr;
		t.raddr[0] = skc->skc_daddr;
	}
	set = bpf_map_lookup_elem(&tw_maps, &zero);
	if (!set || bpf_map_update_elem(set, &t, &one, BPF_ANY))
		__sync_fetch_and_add(&tw_overflow, 1);
}

static __always_inline void change_full(const struct sock *sk, int o, int n)
{
	struct td_sc_key key = { .kind = TD_SC_FULL };
	__u32 ph = *(volatile __u32 *)&phase;

	/* The cookie only matters to a claim. */
	if ((ph & TD_SC_MODE_MASK) == TD_SC_MODE_SEED)
		key.id = bpf_get_socket_cookie((void *)sk);
	change(ph, &key, fam_index(sk->__sk_common.skc_family), o, n);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(sc_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u16 family;
	int o, n;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (!netns_ok(&sk->__sk_common))
		return 0;
	o = listed(oldstate);
	n = listed(newstate);
	/* A child cloned from its listener reports LISTEN -> SYN_RECV: the
	 * listener stays; a new socket appears. */
	if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV)
		o = 0;
	if (o != n)
		change_full(sk, o, n);
	/* tcp_time_wait() hashes the timewait socket in, then closes the full
	 * one: from FIN_WAIT2 or CLOSING (FIN_WAIT1 for safety). */
	if (newstate == TCP_CLOSE &&
	    (oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING))
		tw_note(&sk->__sk_common);
	return 0;
}

/* The walk: every socket of the namespace not claimed yet is counted into
 * the shadow in the state it is listed in, and claimed. */
SEC("iter/tcp")
int sc_walk(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct td_sc_key key = {};
	struct td_sc_counts *c;
	__u32 ph = *(volatile __u32 *)&phase, zero = 0, v, shadow;
	__u16 family;
	int raw, st;

	if (!skc || (ph & TD_SC_MODE_MASK) != TD_SC_MODE_SEED)
		return 0;
	family = skc->skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	raw = skc->skc_state;
	/* Timewait and request sockets are counted by each scrape (see the
	 * top); the walk notes the timewait ones it meets. */
	if (raw == TCP_TIME_WAIT)
		tw_note(skc);
	if (raw == TCP_TIME_WAIT || raw == TCP_NEW_SYN_RECV)
		return 0;
	key.id = bpf_get_socket_cookie(skc);
	key.kind = TD_SC_FULL;
	st = listed(raw);
	if (!st)
		return 0;
	c = bpf_map_lookup_elem(&counts, &zero);
	if (!c)
		return 0;
	shadow = (ph & TD_SC_HAVE_LIVE) ? ((ph >> TD_SC_LIVE_BIT) & 1) ^ 1 : 0;
	v = st;
	if (bpf_map_update_elem(&claims, &key, &v, BPF_NOEXIST) == 0) {
		apply(c, shadow, fam_index(family), 0, st);
	} else if (!bpf_map_lookup_elem(&claims, &key)) {
		/* Map full: count it anyway, and say the walk was not exact. */
		__sync_fetch_and_add(&claim_overflow, 1);
		apply(c, shadow, fam_index(family), 0, st);
	}
	return 0;
}

/* ---- what a scrape runs ---- */

/* The request sockets: every listener's SYN queue length (qlen counts the
 * request sockets it has in the established table, which inet_diag lists
 * as SYN-RECV). The iterator visits the listening table first: at the
 * first socket in any other state (CLOSE aside: a listener closing under
 * the walk) it writes one byte, and user space, reading one byte at a
 * time, stops it there instead of walking every socket. */
SEC("iter/tcp")
int sc_listen(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;
	__u8 mark = 1;
	int raw;

	if (!skc || rest.listen_done)
		return 0;
	raw = skc->skc_state;
	if (raw == TCP_CLOSE)
		return 0;
	if (raw != TCP_LISTEN) {
		rest.listen_done = 1;
		bpf_seq_write(ctx->meta->seq, &mark, 1);
		return 0;
	}
	rest.listeners++;
	tp = bpf_skc_to_tcp_sock(skc);
	if (tp)
		rest.syn_recv[skc->skc_family == AF_INET6] +=
			(__u32)tp->inet_conn.icsk_accept_queue.qlen.counter;
	return 0;
}

struct tw_ctx {
	struct __sk_buff *skb;
};

static long tw_one(void *map, struct td_sc_tuple *k, __u8 *v, struct tw_ctx *c)
{
	struct bpf_sock_tuple t = {};
	struct tcp_timewait_sock *tw;
	struct bpf_sock *sk;
	__u32 len;
	int fam, sub;

	/* As a packet from the peer would look it up. */
	if (k->v4) {
		t.ipv4.saddr = k->raddr[0];
		t.ipv4.daddr = k->laddr[0];
		t.ipv4.sport = k->rport;
		t.ipv4.dport = bpf_htons(k->lport);
		len = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, k->raddr, 16);
		__builtin_memcpy(t.ipv6.daddr, k->laddr, 16);
		t.ipv6.sport = k->rport;
		t.ipv6.dport = bpf_htons(k->lport);
		len = sizeof(t.ipv6);
	}
	rest.looked_up++;
	sk = bpf_skc_lookup_tcp(c->skb, &t, len, BPF_F_CURRENT_NETNS, 0);
	if (!sk) {
		bpf_map_delete_elem(map, k);
		rest.forgotten++;
		return 0;
	}
	if (sk->state != TCP_TIME_WAIT) {
		bpf_sk_release(sk);
		bpf_map_delete_elem(map, k);
		rest.forgotten++;
		return 0;
	}
	fam = sk->family == AF_INET6;
	tw = bpf_skc_to_tcp_timewait_sock(sk);
	sub = tw && tw->tw_sk.tw_substate == TCP_FIN_WAIT2;
	rest.tw[fam & 1][sub & 1]++;
	bpf_sk_release(sk);
	return 0;
}

/* The timewait sockets: every noted address looked up (run by
 * BPF_PROG_TEST_RUN in the namespace counted, not attached anywhere). */
SEC("tc")
int sc_tw(struct __sk_buff *skb)
{
	struct tw_ctx c = { .skb = skb };
	__u32 zero = 0;
	void *set = bpf_map_lookup_elem(&tw_maps, &zero);

	if (set)
		bpf_for_each_map_elem(set, tw_one, &c, 0);
	return 0;
}

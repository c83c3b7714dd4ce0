// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Live TCP events from tracepoints: every state transition
 * (sock:inet_sock_set_state), retransmits and resets (tcp:*), attached as
 * tp_btf programs (no tracefs, no kprobes needed). Filters run here; events
 * go through a ring buffer whose overflows are counted, never silent.
 * Owners are recorded only where the kernel runs in the owner's own system
 * call (connect, listen, close, shutdown, sendmsg, recvmsg): elsewhere
 * `current` may be anyone. A child socket takes its listener's owner until
 * its own process calls in. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "trace.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_FIN_WAIT1 4
#define TCP_CLOSE 7
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK 9
#define TCP_LISTEN 10
#define TCP_SYN_RECV 3

char LICENSE[] SEC("license") = "Dual MIT/GPL";

const volatile __u32 cfg_netns = 0;	    /* network namespace inode, 0 = any */
const volatile __u32 cfg_pid = 0;	    /* owner tgid, 0 = any */
const volatile __u32 cfg_states = 0;	    /* old or new state in the mask, 0 = any */
const volatile __u32 cfg_kinds = 0;	    /* 1 << enum td_tr_kind */
const volatile bool cfg_close_only = false; /* transitions: only X -> CLOSE */
const volatile __u32 cfg_nports = 0;	    /* local or remote port in a range */
const volatile struct td_tr_range cfg_ports[TD_TR_MAX_PORTS] = {};
/* Only the summary: count into the sum_* maps, send nothing per event. */
const volatile bool cfg_summary = false;

__u64 lost = 0; /* events the ring buffer had no room for */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct td_tr_sk);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct td_tr_lkey);
	__type(value, struct td_tr_lval);
} listeners SEC(".maps");

/* The summary (cfg_summary): totals per CPU, and bounded per-CPU tables
 * keyed by owner and by port; user space adds the CPUs up at the end. A
 * program never runs nested in itself on a CPU (the kernel skips such a
 * run and counts it: td_trace_skipped()), so what only on_state writes (the
 * transitions, by process, by port) is a plain add on this CPU's copy; the
 * reset and retransmit counts, which two programs write (a receive in
 * softirq can interrupt a send), are atomic. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct td_tr_totals);
} sum_totals SEC(".maps");

/* Resets and retransmits by owner: (table, pid) keys. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TD_TR_SUM_PROCS);
	__type(key, struct td_tr_pkey);
	__type(value, struct td_tr_pval);
} sum_procs SEC(".maps");

/* Transitions by owner and by port, the counts every transition adds to:
 * a slot each in a per-CPU array, found through a directory (pid or port
 * -> slot) once per socket and kept in its record (proc_slot, port_slot).
 * A transition then adds to two array slots, where the two hash lookups
 * it replaces and the clock (the summary keeps no times) took 100 of the
 * program's 360 ns under churn (bench/RESULTS.md). Slots are handed out
 * in order and never taken back during a trace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TD_TR_SUM_PROCS);
	__type(key, __u32); /* pid */
	__type(value, struct td_tr_pslot);
} sum_proc_dir SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TD_TR_SUM_PROCS);
	__type(key, __u32);
	__type(value, __u64);
} sum_proc_n SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TD_TR_SUM_PORTS);
	__type(key, __u32);   /* port */
	__type(value, __u32); /* slot */
} sum_port_dir SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TD_TR_SUM_PORTS);
	__type(key, __u32);
	__type(value, __u64);
} sum_port_n SEC(".maps");

__u32 next_proc_slot = 0, next_port_slot = 0;

/* Set once a table had no room for a new key: it never empties during a
 * trace (nothing deletes from it), so a new key is an overflow at once,
 * without the failing update (a bucket lock, a free-list pop) each time.
 * Another CPU may still add its last keys meanwhile: harmless. */
__u32 sum_procs_full = 0;

static __always_inline struct td_tr_totals *sum_totals_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sum_totals, &zero);
}

/* One more reset or retransmit for (table, pid); comm is the owner's, NULL
 * for none. Atomic: two programs write these (a receive in softirq can
 * interrupt a send on the same CPU). */
static __always_inline void sum_proc(struct td_tr_totals *t, __u32 table, __u32 pid,
				     const char *comm)
{
	struct td_tr_pkey k = { .pid = pid, .table = table };
	struct td_tr_pval *v = bpf_map_lookup_elem(&sum_procs, &k);

	if (!v) {
		struct td_tr_pval fresh = {};

		if (sum_procs_full)
			goto full;
		if (comm && pid)
			__builtin_memcpy(fresh.comm, comm, sizeof(fresh.comm));
		bpf_map_update_elem(&sum_procs, &k, &fresh, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&sum_procs, &k);
		if (!v) {
			sum_procs_full = 1;
		full:
			__sync_fetch_and_add(&t->overflow[table & (TD_TR_SUM_NTABLES - 1)], 1);
			return;
		}
	}
	__sync_fetch_and_add(&v->n, 1);
}

/* A new slot from *next, or max when the table has no room. Checked
 * first, so that the counter stops near max (it never wraps to hand out a
 * slot that is taken). */
static __always_inline __u32 slot_take(__u32 *next, __u32 max)
{
	__u32 slot;

	if (*next >= max)
		return max;
	slot = __sync_fetch_and_add(next, 1);
	return slot < max ? slot : max;
}

/* The slot (+ 1) of the owner pid in the by-process counts, made if new;
 * TD_TR_SLOT_FULL when the table has no room. Two CPUs making the same
 * owner's slot at once: one insert wins, the other's slot stays unused. */
static __always_inline __u16 proc_slot(__u32 pid, const char *comm)
{
	struct td_tr_pslot *d = bpf_map_lookup_elem(&sum_proc_dir, &pid), fresh = {};

	if (d)
		return (__u16)(d->slot + 1);
	fresh.slot = slot_take(&next_proc_slot, TD_TR_SUM_PROCS);
	if (fresh.slot == TD_TR_SUM_PROCS)
		return TD_TR_SLOT_FULL;
	if (comm && pid)
		__builtin_memcpy(fresh.comm, comm, sizeof(fresh.comm));
	if (bpf_map_update_elem(&sum_proc_dir, &pid, &fresh, BPF_NOEXIST) == 0)
		return (__u16)(fresh.slot + 1);
	d = bpf_map_lookup_elem(&sum_proc_dir, &pid);
	return d ? (__u16)(d->slot + 1) : TD_TR_SLOT_FULL;
}

/* The same for a port in the by-port counts. */
static __always_inline __u16 port_slot(__u32 port)
{
	__u32 *d = bpf_map_lookup_elem(&sum_port_dir, &port), slot;

	if (d)
		return (__u16)(*d + 1);
	slot = slot_take(&next_port_slot, TD_TR_SUM_PORTS);
	if (slot == TD_TR_SUM_PORTS)
		return TD_TR_SLOT_FULL;
	if (bpf_map_update_elem(&sum_port_dir, &port, &slot, BPF_NOEXIST) == 0)
		return (__u16)(slot + 1);
	d = bpf_map_lookup_elem(&sum_port_dir, &port);
	return d ? (__u16)(*d + 1) : TD_TR_SLOT_FULL;
}

/* One more in slot (+ 1) of a by-owner or by-port count array, or in the
 * table's overflow. Only on_state counts there, and a program never runs
 * nested in itself on a CPU: a plain add. */
static __always_inline void slot_add(struct td_tr_totals *t, void *counts, __u16 slot, int table)
{
	__u32 i = (__u32)slot - 1;
	__u64 *n;

	if (slot == TD_TR_SLOT_FULL) {
		t->overflow[table & (TD_TR_SUM_NTABLES - 1)]++;
		return;
	}
	n = bpf_map_lookup_elem(counts, &i);
	if (n)
		(*n)++;
}

static __always_inline bool port_ok(__u16 lport, __u16 rport)
{
	if (!cfg_nports)
		return true;
	for (int i = 0; i < TD_TR_MAX_PORTS; i++) {
		if (i >= cfg_nports)
			break;
		if ((lport >= cfg_ports[i].lo && lport <= cfg_ports[i].hi) ||
		    (rport >= cfg_ports[i].lo && rport <= cfg_ports[i].hi))
			return true;
	}
	return false;
}

/* sk is a tp_btf argument, a pointer the verifier knows the type of: its
 * fields are read directly (a load the kernel guards, no helper call; CO-RE
 * relocated all the same). A request socket's sock_common is at the same
 * place. Per transition that is a third of the program's time saved. */
static __always_inline __u32 sk_netns(const struct sock *sk)
{
	return sk->__sk_common.skc_net.net->ns.inum;
}

/* The socket's cookie: made by the kernel at its first use (sock_diag,
 * bpf_get_socket_cookie()) and fixed from then on, so once there it is a
 * direct load instead of the helper call. */
static __always_inline __u64 sk_cookie(const struct sock *sk)
{
	__u64 c = sk->__sk_common.skc_cookie.counter;

	return c ? c : bpf_get_socket_cookie((void *)sk);
}

static __always_inline __u64 sk_inode(const struct sock *sk)
{
	struct socket *so = BPF_CORE_READ(sk, sk_socket);

	if (!so)
		return 0;
	return BPF_CORE_READ(container_of(so, struct socket_alloc, socket), vfs_inode.i_ino);
}

/* The local address (and the remote one, r not NULL) of sk, by direct
 * loads as sk_netns() (a helper call each with BPF_CORE_READ). */
static __always_inline void sk_addrs(const struct sock *sk, __u8 family, __u8 *l, __u8 *r)
{
	if (family == AF_INET) {
		__u32 a = sk->__sk_common.skc_rcv_saddr, b = sk->__sk_common.skc_daddr;

		__builtin_memcpy(l, &a, 4);
		if (r)
			__builtin_memcpy(r, &b, 4);
		return;
	}
	for (int i = 0; i < 4; i++) {
		__u32 a = sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[i];
		__u32 b = sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[i];

		__builtin_memcpy(l + 4 * i, &a, 4);
		if (r)
			__builtin_memcpy(r + 4 * i, &b, 4);
	}
}

/* Addresses and ports of sk into e; false when it is not TCP/IP or the
 * filters drop it. */
static __always_inline bool fill_sock(struct td_tr_event *e, const struct sock *sk,
				      struct td_tr_sk *rec)
{
	e->family = sk->__sk_common.skc_family;
	if (e->family != AF_INET && e->family != AF_INET6)
		return false;
	e->netns = sk_netns(sk);
	e->lport = sk->__sk_common.skc_num;
	/* tcp_set_state() releases the port before it reports X -> CLOSE. */
	if (rec) {
		if (e->lport)
			rec->lport = e->lport;
		else
			e->lport = rec->lport;
	}
	e->rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (!port_ok(e->lport, e->rport))
		return false;
	sk_addrs(sk, e->family, e->laddr, e->raddr);
	return true;
}

/* What fill_sock() decides, without an event: TCP/IP, the port filter,
 * and the local port (the recorded one when the kernel released it). */
static __always_inline bool sock_ports(const struct sock *sk, struct td_tr_sk *rec, __u16 *lport,
				       __u16 *rport)
{
	__u16 family = sk->__sk_common.skc_family;

	if (family != AF_INET && family != AF_INET6)
		return false;
	*lport = sk->__sk_common.skc_num;
	if (rec) {
		if (*lport)
			rec->lport = *lport;
		else
			*lport = rec->lport;
	}
	*rport = bpf_ntohs(sk->__sk_common.skc_dport);
	return port_ok(*lport, *rport);
}

/* A transition into the summary: by (old, new), by owner, by port. */
static __always_inline void sum_state(const struct sock *sk, struct td_tr_sk *rec, int oldstate,
				      int newstate)
{
	struct td_tr_totals *t;
	__u16 lport, rport, svc;

	if (!sock_ports(sk, rec, &lport, &rport))
		return;
	t = sum_totals_get();
	if (!t)
		return;
	t->transitions++;
	if ((__u32)oldstate < TD_TR_NSTATES && (__u32)newstate < TD_TR_NSTATES) {
		__u32 i = (__u32)oldstate * TD_TR_NSTATES + (__u32)newstate;

		/* Masked where the compiler cannot drop it (it knows i < 256;
		 * the verifier, from the two tests above, does not). */
		asm volatile("%[i] &= 0xff" : [i] "+r"(i));

		(&t->pairs[0][0])[i]++;
	} else {
		t->odd_state++;
	}
	if (!rec->proc_slot)
		rec->proc_slot = proc_slot(rec->pid, rec->comm);
	slot_add(t, &sum_proc_n, rec->proc_slot, TD_TR_SUM_BY_PROC);
	svc = td_tr_service_port(rec->role, lport, rport);
	if (!rec->port_slot || rec->svc_port != svc) {
		rec->port_slot = port_slot(svc);
		rec->svc_port = svc;
	}
	slot_add(t, &sum_port_n, rec->port_slot, TD_TR_SUM_BY_PORT);
}

/* A retransmit or a reset into the summary: its count, and its owner's. */
static __always_inline void sum_event(int kind, __u32 pid, const char *comm)
{
	struct td_tr_totals *t = sum_totals_get();

	if (!t)
		return;
	if (kind == TD_TR_RETRANS) {
		__sync_fetch_and_add(&t->retrans, 1);
		sum_proc(t, TD_TR_SUM_RETRANS, pid, comm);
		return;
	}
	if (kind == TD_TR_RECV_RST)
		__sync_fetch_and_add(&t->resets_in, 1);
	else
		__sync_fetch_and_add(&t->resets_out, 1);
	sum_proc(t, TD_TR_SUM_RST, pid, comm);
}

static __always_inline void fill_bytes(struct td_tr_event *e, const struct sock *sk)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)sk);

	if (tp) {
		e->bytes_acked = tp->bytes_acked;
		e->bytes_received = tp->bytes_received;
	}
}

/* Reader wake-ups by how much waits in the ring, not per event: a wake-up
 * costs the traced task an irq_work (on a VM, a self-interrupt through the
 * hypervisor: ~15 µs here) and the reader a return from epoll.
 * While TD_TR_WAKE_BYTES or more wait (~1,800 events, a 64th of the
 * ring), a CPU wakes the reader once in TD_TR_WAKE_EVERY events it submits;
 * below that, nothing wakes it and it reads at its poll timeout (trace.c:
 * 200 ms), which bounds how late a lone event shows. */
#define TD_TR_WAKE_BYTES (256 << 10)
#define TD_TR_WAKE_EVERY 32

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} unwoken SEC(".maps");

static __always_inline void submit(struct td_tr_event *e)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&unwoken, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= TD_TR_WAKE_BYTES) {
		if (!n || ++*n >= TD_TR_WAKE_EVERY) {
			flags = BPF_RB_FORCE_WAKEUP;
			if (n)
				*n = 0;
		}
	}
	bpf_ringbuf_submit(e, flags);
}

static __always_inline struct td_tr_event *reserve(void)
{
	struct td_tr_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	return e;
}

/* Transitions the kernel makes inside the owner's own system call: listen()
 * (-> LISTEN), connect() (-> SYN_SENT), close()/shutdown() (-> FIN_WAIT1,
 * CLOSE_WAIT -> LAST_ACK, LISTEN -> CLOSE).
 * Everything else may run in softirq, or, over loopback, in the peer's
 * process: `current` says nothing about the owner there. */
static __always_inline bool owner_context(int oldstate, int newstate)
{
	return newstate == TCP_SYN_SENT || newstate == TCP_FIN_WAIT1 || newstate == TCP_LISTEN ||
	       (oldstate == TCP_CLOSE_WAIT && newstate == TCP_LAST_ACK) ||
	       (oldstate == TCP_LISTEN && newstate == TCP_CLOSE);
}

/* lport: the socket's last non-zero port (a listener that listen()
 * bound itself loses it before LISTEN -> CLOSE is reported). */
static __always_inline void listener_key(struct td_tr_lkey *k, const struct sock *sk, __u16 lport)
{
	k->netns = sk_netns(sk);
	k->lport = sk->__sk_common.skc_num;
	if (!k->lport)
		k->lport = lport;
	k->family = sk->__sk_common.skc_family;
	sk_addrs(sk, k->family, k->laddr, NULL);
}

/* listen() and a listener's close, in the owner's context. */
static __always_inline void listener_track(const struct sock *sk, int oldstate, int newstate,
					   const struct td_tr_sk *rec)
{
	struct td_tr_lkey k = {};
	struct td_tr_lval *v, fresh = {};
	__u32 pid = rec->pid;

	listener_key(&k, sk, rec->lport);
	v = bpf_map_lookup_elem(&listeners, &k);
	if (newstate == TCP_LISTEN) {
		if (!v) {
			fresh.pid = pid;
			fresh.n = 1;
			__builtin_memcpy(fresh.comm, rec->comm, sizeof(fresh.comm));
			bpf_map_update_elem(&listeners, &k, &fresh, BPF_ANY);
			return;
		}
		if (v->pid != pid)
			v->pid = 0; /* two processes on one address: no guess */
		v->n++;
	} else if (oldstate == TCP_LISTEN && v) {
		if (v->n <= 1)
			bpf_map_delete_elem(&listeners, &k);
		else
			v->n--;
	}
}

/* A child's LISTEN -> SYN_RECV: its address and port are still the
 * listener's (inet_csk_clone_lock() reports the state before it sets the
 * child's own), so the listener's owner is found by them. */
static __always_inline void child_owner(struct td_tr_sk *rec, const struct sock *sk)
{
	struct td_tr_lkey k = {};
	struct td_tr_lval *v;

	listener_key(&k, sk, 0);
	v = bpf_map_lookup_elem(&listeners, &k);
	if (v && v->pid) {
		rec->pid = v->pid;
		rec->proc_slot = 0;
		__builtin_memcpy(rec->comm, v->comm, sizeof(rec->comm));
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct td_tr_sk *rec, fresh = {};
	struct td_tr_event *e;
	/* The summary keeps no times: no clock read. */
	__u64 now = cfg_summary ? 0 : bpf_ktime_get_ns(), cookie;
	bool owner_ctx = owner_context(oldstate, newstate);

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (cfg_netns && sk_netns(sk) != cfg_netns)
		return 0;
	cookie = sk_cookie(sk);
	rec = bpf_map_lookup_elem(&socks, &cookie);
	if (!rec) {
		bpf_map_update_elem(&socks, &cookie, &fresh, BPF_ANY);
		rec = bpf_map_lookup_elem(&socks, &cookie);
		if (!rec)
			return 0;
	}
	if (!rec->born_ns)
		rec->born_ns = now;
	if (owner_ctx) {
		__u32 pid = bpf_get_current_pid_tgid() >> 32;

		/* The name only with a new owner: a process's threads may
		 * have others, and one of them is as good (user space shows
		 * the process's own from /proc while it lives). */
		if (rec->pid != pid || !rec->comm[0]) {
			rec->pid = pid;
			rec->proc_slot = 0;
			bpf_get_current_comm(rec->comm, sizeof(rec->comm));
		}
	} else if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV && !rec->pid) {
		child_owner(rec, sk);
	}
	if (owner_ctx && (newstate == TCP_LISTEN || oldstate == TCP_LISTEN))
		listener_track(sk, oldstate, newstate, rec);
	if (!rec->role) {
		if (newstate == TCP_SYN_SENT)
			rec->role = TD_TR_ROLE_CLIENT;
		else if (newstate == TCP_LISTEN || oldstate == TCP_LISTEN)
			rec->role = TD_TR_ROLE_SERVER;
	}
	if (!rec->closer) {
		if (newstate == TCP_FIN_WAIT1)
			rec->closer = TD_TR_CLOSER_LOCAL;
		else if (newstate == TCP_CLOSE_WAIT)
			rec->closer = TD_TR_CLOSER_REMOTE;
	}

	{
		__u16 lport = sk->__sk_common.skc_num;

		if (lport)
			rec->lport = lport;
	}
	if (!(cfg_kinds & (1u << TD_TR_STATE)))
		goto done;
	if (cfg_pid && rec->pid != cfg_pid)
		goto done;
	if (cfg_states && !(cfg_states & ((1u << oldstate) | (1u << newstate))))
		goto done;
	if (cfg_close_only && newstate != TCP_CLOSE)
		goto done;
	if (cfg_summary) {
		sum_state(sk, rec, oldstate, newstate);
		goto done;
	}
	e = reserve();
	if (!e)
		goto done;
	if (!fill_sock(e, sk, rec)) {
		bpf_ringbuf_discard(e, 0);
		goto done;
	}
	e->kind = TD_TR_STATE;
	e->ts_ns = now;
	e->cookie = cookie;
	/* Only for an owner not known here: user space finds it by the
	 * inode then (two reads through the socket's file: ~30 ns). */
	if (!rec->pid)
		e->inode = sk_inode(sk);
	e->old_state = oldstate;
	e->new_state = newstate;
	e->in_old_ns = rec->last_ns ? now - rec->last_ns : 0;
	e->life_ns = now - rec->born_ns;
	e->closer = rec->closer;
	e->flags = td_tr_role_flag(rec->role);
	e->pid = rec->pid;
	__builtin_memcpy(e->comm, rec->comm, sizeof(e->comm));
	/* The byte counts are shown for a socket's close only (a helper
	 * call and two reads: ~50 ns an event). */
	if (newstate == TCP_CLOSE)
		fill_bytes(e, sk);
	submit(e);
done:
	rec->last_ns = now;
	/* A closed socket keeps its owner, not its times: the reset sent
	 * right after (close() with unread data reports -> CLOSE first), its
	 * timewait remnant (same cookie) and a new connect() on it. The LRU
	 * drops it later. */
	if (newstate == TCP_CLOSE) {
		/* Without retransmits and resets nothing asks for it again (a
		 * new connect() or listen() on it is its owner's own call): drop
		 * it now, so the LRU never has to evict under churn. */
		if (!(cfg_kinds &
		      ((1u << TD_TR_RETRANS) | (1u << TD_TR_RECV_RST) | (1u << TD_TR_SEND_RST)))) {
			bpf_map_delete_elem(&socks, &cookie);
			return 0;
		}
		rec->last_ns = 0;
		rec->born_ns = 0;
		rec->closer = TD_TR_CLOSER_UNKNOWN;
		rec->role = TD_TR_ROLE_UNKNOWN;
	}
	return 0;
}

/* sendmsg() and recvmsg() run in the calling process, on its own socket:
 * the one place after accept() where the owner is certain (over loopback
 * the peer's softirq work runs in whoever sent). Cheap when nothing
 * changed: one lookup. */
static __always_inline int owner_call(struct sock *sk)
{
	struct td_tr_sk *rec, fresh = {};
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 cookie;
	__u16 family;

	if (!sk)
		return 0;
	family = sk->__sk_common.skc_family;
	if ((family != AF_INET && family != AF_INET6) || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (cfg_netns && sk_netns(sk) != cfg_netns)
		return 0;
	cookie = sk_cookie(sk);
	rec = bpf_map_lookup_elem(&socks, &cookie);
	if (rec && rec->pid == pid)
		return 0;
	if (!rec) {
		fresh.pid = pid;
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		bpf_map_update_elem(&socks, &cookie, &fresh, BPF_NOEXIST);
		return 0;
	}
	rec->pid = pid;
	rec->proc_slot = 0;
	bpf_get_current_comm(rec->comm, sizeof(rec->comm));
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(on_send, struct sock *sk, int ret, int flags)
{
	return owner_call(sk);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(on_recv, struct sock *sk, int ret, int flags)
{
	return owner_call(sk);
}

/* Retransmits and resets: one event on a socket, in its current state. */
static __always_inline int sock_event(const struct sock *sk, int kind, __u32 reason)
{
	struct td_tr_event *e;
	struct td_tr_sk *rec;
	__u64 cookie;

	if (!(cfg_kinds & (1u << kind)) || !sk)
		return 0;
	if (cfg_netns && sk_netns(sk) != cfg_netns)
		return 0;
	cookie = sk_cookie(sk);
	rec = bpf_map_lookup_elem(&socks, &cookie);
	if (cfg_pid && (!rec || rec->pid != cfg_pid))
		return 0;
	if (cfg_summary) {
		__u16 lport, rport;
		__u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);

		if (!sock_ports(sk, rec, &lport, &rport))
			return 0;
		if (cfg_states && !(cfg_states & (1u << state)))
			return 0;
		sum_event(kind, rec ? rec->pid : 0, rec ? rec->comm : NULL);
		return 0;
	}
	e = reserve();
	if (!e)
		return 0;
	if (!fill_sock(e, sk, rec)) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	e->kind = kind;
	e->ts_ns = bpf_ktime_get_ns();
	e->cookie = cookie;
	e->reason = reason;
	e->old_state = e->new_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (cfg_states && !(cfg_states & (1u << e->new_state))) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	/* Timewait and request sockets are not full sockets: no sk_socket. */
	if (e->new_state != 6 && e->new_state != 12)
		e->inode = sk_inode(sk);
	if (rec) {
		e->pid = rec->pid;
		__builtin_memcpy(e->comm, rec->comm, sizeof(e->comm));
	}
	submit(e);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(on_retransmit, const struct sock *sk)
{
	return sock_event(sk, TD_TR_RETRANS, 0);
}

/* A SYN-ACK retransmitted for a request socket (NEW_SYN_RECV: no full
 * socket yet, so tcp_retransmit_skb never sees it): the listener's owner,
 * the request's tuple and cookie (sock_diag's for it), state SYN_RECV as
 * inet_diag reports request sockets. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(on_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	struct td_tr_event *e;
	struct td_tr_sk *rec;
	__u64 cookie;

	if (!(cfg_kinds & (1u << TD_TR_RETRANS)) || !sk || !req)
		return 0;
	if (cfg_netns && sk_netns(sk) != cfg_netns)
		return 0;
	if (cfg_states && !(cfg_states & (1u << TCP_SYN_RECV)))
		return 0;
	cookie = sk_cookie(sk);
	rec = bpf_map_lookup_elem(&socks, &cookie);
	if (cfg_pid && (!rec || rec->pid != cfg_pid))
		return 0;
	if (cfg_summary) {
		__u16 lport, rport;

		if (!sock_ports((const struct sock *)req, NULL, &lport, &rport))
			return 0;
		sum_event(TD_TR_RETRANS, rec ? rec->pid : 0, rec ? rec->comm : NULL);
		return 0;
	}
	e = reserve();
	if (!e)
		return 0;
	/* A request socket starts with a sock_common, as a sock does. */
	if (!fill_sock(e, (const struct sock *)req, NULL)) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	e->kind = TD_TR_RETRANS;
	e->ts_ns = bpf_ktime_get_ns();
	e->cookie = bpf_get_socket_cookie((void *)req);
	e->old_state = e->new_state = TCP_SYN_RECV;
	if (rec) {
		e->pid = rec->pid;
		__builtin_memcpy(e->comm, rec->comm, sizeof(e->comm));
	}
	submit(e);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(on_receive_reset, struct sock *sk)
{
	return sock_event(sk, TD_TR_RECV_RST, 0);
}

/* A reset the kernel sends with no socket (a segment to a closed port,
 * reason NO_SOCKET) has sk NULL: its tuple is the incoming segment's,
 * reversed, its namespace the receiving device's. */
static __always_inline int nosock_reset(const struct sk_buff *skb, __u32 reason)
{
	const unsigned char *head;
	struct td_tr_event *e;
	__u16 nh, th;
	__u8 ver = 0;
	__be16 ports[2];

	if (!skb || cfg_pid || cfg_states)
		return 0; /* no owner, no state: cannot match those filters */
	head = BPF_CORE_READ(skb, head);
	nh = BPF_CORE_READ(skb, network_header);
	th = BPF_CORE_READ(skb, transport_header);
	if (cfg_netns && BPF_CORE_READ(skb, dev, nd_net.net, ns.inum) != cfg_netns)
		return 0;
	if (bpf_probe_read_kernel(&ver, 1, head + nh) || bpf_probe_read_kernel(ports, 4, head + th))
		return 0;
	ver >>= 4;
	if (ver != 4 && ver != 6)
		return 0;
	/* Ours is the segment's destination. */
	if (!port_ok(bpf_ntohs(ports[1]), bpf_ntohs(ports[0])))
		return 0;
	if (cfg_summary) {
		sum_event(TD_TR_SEND_RST, TD_TR_PID_NOSOCK, NULL);
		return 0;
	}
	e = reserve();
	if (!e)
		return 0;
	e->kind = TD_TR_SEND_RST;
	e->flags = TD_TR_F_NOSOCK;
	e->ts_ns = bpf_ktime_get_ns();
	e->netns = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
	e->reason = reason;
	e->lport = bpf_ntohs(ports[1]);
	e->rport = bpf_ntohs(ports[0]);
	if (ver == 4) {
		e->family = AF_INET;
		bpf_probe_read_kernel(e->laddr, 4, head + nh + 16); /* daddr */
		bpf_probe_read_kernel(e->raddr, 4, head + nh + 12); /* saddr */
	} else {
		e->family = AF_INET6;
		bpf_probe_read_kernel(e->laddr, 16, head + nh + 24);
		bpf_probe_read_kernel(e->raddr, 16, head + nh + 8);
	}
	submit(e);
	return 0;
}

/* sk is NULL for a reset without a socket (nosock_reset); skb is NULL
 * for an active reset (tcp_send_active_reset: close with unread data,
 * linger 0, memory). */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(on_send_reset, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	if (!(cfg_kinds & (1u << TD_TR_SEND_RST)))
		return 0;
	if (!sk)
		return nosock_reset(skb, (__u32)reason);
	return sock_event(sk, TD_TR_SEND_RST, (__u32)reason);
}

/* Shared by statecount.bpf.c (hooks that keep TCP socket counts by state
 * current) and statecount.c (its loader, the seeding walk and the
 * reconciliation): the phase word, the count layout and the claim key.
 * Plain __u types on the shared side; the user-space API is at the end.
 * The protocol is described in docs/monitoring.md ("Counts kept by the
 * kernel"). */
#ifndef TD_BPF_STATECOUNT_H
#define TD_BPF_STATECOUNT_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define TD_SC_STATES 16 /* kernel TCP states are 1..12; CLOSE (7) is never counted */

/* The phase word (.bss, written by user space, read once per hook):
 * bits 0-1 the mode of the shadow generation, bit 2 the live generation,
 * bit 3 set once a live generation exists. The shadow generation is the
 * other one (1 - live), or 0 before the first seeding. */
#define TD_SC_MODE_IDLE 0  /* shadow untouched */
#define TD_SC_MODE_SEED 1  /* a walk is filling the shadow: claims decide */
#define TD_SC_MODE_PLAIN 2 /* walk done: the shadow follows every change */
#define TD_SC_MODE_MASK 3u
#define TD_SC_LIVE_BIT 2
#define TD_SC_HAVE_LIVE 8u

/* Counts of both generations in one per-CPU element, so that a reader
 * copies a CPU's two generations together: [gen][0 IPv4, 1 IPv6][state].
 * Signed: a CPU may see more closes than opens of the same sockets. */
struct td_sc_counts {
	__s64 n[2][2][TD_SC_STATES];
};

/* Which sockets the seeding walk or a hook already counted into the
 * shadow: full sockets by cookie (never reused). Timewait and request
 * sockets are not kept counts (below). */
enum td_sc_kind {
	TD_SC_FULL = 0,
};

struct td_sc_key {
	__u64 id;
	__u32 kind;
	__u32 pad;
};

/* Timewait sockets are born and die without a tracepoint, so they are not
 * counted as they change: the hooks note every socket that may have just
 * become one (a full socket leaving FIN_WAIT1, FIN_WAIT2 or CLOSING for
 * CLOSE, which is how tcp_time_wait() ends; the walk adds those it meets),
 * and a scrape looks each noted address up in the established hash
 * (sc_tw): found in TIME_WAIT, it is counted by family and substate; found
 * as anything else or not at all, it is forgotten. A scrape then costs the
 * timewait sockets, not every socket. v4: looked up as IPv4 (an AF_INET
 * socket, or an AF_INET6 one with v4-mapped addresses). */
struct td_sc_tuple {
	__u32 laddr[4];
	__u32 raddr[4];
	__u16 lport; /* host order (skc_num) */
	__u16 rport; /* network order (skc_dport) */
	__u8 v4;
	__u8 pad[3];
};

/* What sc_tw and sc_listen leave in .bss for the scrape that ran them. */
struct td_sc_rest {
	__u64 tw[2][2];	   /* timewait sockets [IPv4, IPv6][TIME_WAIT, FIN_WAIT2 substate] */
	__u64 syn_recv[2]; /* request sockets: the sum of the listeners' queues */
	__u64 looked_up;   /* noted addresses looked up */
	__u64 forgotten;   /* ... found not in TIME_WAIT, and dropped */
	__u64 listeners;   /* listening sockets visited */
	__u32 listen_done; /* sc_listen reached the established table */
	__u32 pad;
};

/* ---- user space only ---- */
#ifndef __bpf__
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "state.h"

struct td_statecount;

/* Load and attach the hooks (filtered to network namespace netns_ino, the
 * one this thread is in when 0) and seed the counts with one iterator walk
 * of the current namespace. Errors as td_bpf_count(): -TD_EUNSUPP (built
 * without BPF, no BTF, a hook the kernel lacks), -EPERM (not root). */
int td_statecount_open(struct td_statecount **out, uint32_t netns_ino, struct td_err *err);

/* The current counts of full sockets, [0] IPv4 / [1] IPv6 by td_state.
 * Timewait and request sockets are not in them (td_statecount_dump_rest()
 * counts those); nor is SYN_RECV, which a caller takes from that dump too
 * (a child in SYN_RECV and the request socket it replaces meet there). */
int td_statecount_read(struct td_statecount *sc, uint64_t counts[2][TD_STATE_MAX + 1],
		       struct td_err *err);

/* Where the scrape cannot count timewait and request sockets itself
 * (td_statecount_stats().rest_lookup false): count, with one netlink dump
 * that asks the kernel for those states only,
 * what the hooks cannot see: timewait sockets (by substate: TIME_WAIT, or
 * FIN_WAIT2 for an orphan's) and every SYN_RECV socket (request sockets and
 * children not yet established), into counts (added). family 0, AF_INET or
 * AF_INET6. Works without BPF. */
int td_statecount_dump_rest(int family, uint64_t counts[2][TD_STATE_MAX + 1], struct td_err *err);

/* Every state, as a walk would count it: td_statecount_read() plus the
 * timewait and request sockets, counted by the scrape itself (sc_tw,
 * sc_listen in statecount.bpf.c) or, where it cannot, by
 * td_statecount_dump_rest(). */
int td_statecount_get(struct td_statecount *sc, int family, uint64_t counts[2][TD_STATE_MAX + 1],
		      struct td_err *err);

/* A full walk into the other generation (same protocol as the seeding),
 * then the switch to it. *drift: sockets the live counts were off by, summed
 * over states and families. It is expected 0 unless the kernel reported a
 * skipped hook (td_statecount_stats().missed) since the live generation's
 * walk began: such a drift is counted apart (drift_missed_total). */
int td_statecount_reconcile(struct td_statecount *sc, uint64_t *drift, struct td_err *err);

/* Has the kernel skipped a hook since the live generation's walk began
 * (its counts may then be off until a walk)? A caller that must serve
 * exact counts reconciles first. */
bool td_statecount_dirty(struct td_statecount *sc);

/* Totals since td_statecount_open(): reconciliations and the drift they found. */
struct td_statecount_stats {
	uint64_t reconciles;
	/* Drift with no skipped hook to explain it (expected 0): the sum over
	 * reconciliations, and the last one's. */
	uint64_t drift_total;
	uint64_t last_drift;
	/* Drift found after the kernel skipped hooks: what those walks corrected. */
	uint64_t drift_missed_total;
	uint64_t claim_overflow;		/* sockets a walk could not mark (map full) */
	int64_t last_diff[2][TD_STATE_MAX + 1]; /* live - walk, by family and state */
	/* Changes the kernel did not hand to the hook: it skips a BPF program
	 * that would run nested in itself on one CPU (a softirq's state change
	 * arriving while a system call's is being counted). Each moves the
	 * counts by at most 2 until the next reconciliation. */
	uint64_t missed;
	double last_walk_seconds;
	/* Timewait and request sockets: did the last scrape count them itself
	 * (looked up, from the listeners' queues) rather than by a dump? */
	bool rest_lookup;
	char rest_why[200];	     /* why it never can, "" when it can */
	uint64_t rest_runs;	     /* scrapes and walks that ran those counts */
	uint64_t tw_noted;	     /* timewait sockets the last run found */
	uint64_t tw_forgotten_total; /* noted addresses found not timewait, dropped */
	uint64_t tw_overflow;	     /* notes lost (set full): a dump until the next walk */
	uint64_t tw_capacity;	     /* entries of the timewait set in use */
};
void td_statecount_stats(const struct td_statecount *sc, struct td_statecount_stats *st);

void td_statecount_close(struct td_statecount *sc);
#endif

#endif

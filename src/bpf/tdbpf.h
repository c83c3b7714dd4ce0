/* tcpdoctor's BPF programs seen from user space: counting sockets with an
 * iter/tcp program (count.c) and tracing state transitions, retransmits and
 * resets from tracepoints (trace.c). Library code: returns 0 or a negative
 * errno / TD_E* code with a one-line reason in err; never prints.
 * Built without clang/bpftool/libbpf, every entry point returns -TD_EUNSUPP. */
#ifndef TD_BPF_H
#define TD_BPF_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockets/agg.h"
#include "err.h"
#include "sockets/filter.h"
#include "bpf/trace.h"
#include "bpf/destroy.h"

/* Where the time of one td_bpf_count() went, in nanoseconds. */
struct td_bpf_timing {
	uint64_t open_ns;   /* parse the embedded object, set the config */
	uint64_t load_ns;   /* create maps, verify and load the program */
	uint64_t attach_ns; /* iterator link and fd */
	uint64_t walk_ns;   /* read(): the kernel walks the socket tables */
	uint64_t read_ns;   /* read the counts and groups back */
};

/* Can the kernel side key groups this way? (lport, rport, laddr, peer,
 * user, or none; not process, which needs /proc.) */
bool td_bpf_count_supports(enum td_group_by by);

/* Count the TCP sockets of the current network namespace that pass f
 * (states, family, ports, addresses; f->npid must be 0) into a, whose `by`
 * says how to group. timing may be NULL. Errors: -TD_EUNSUPP (built without
 * BPF, or a grouping the kernel side cannot do), -EPERM (not root), -E2BIG
 * (more groups than the map holds), others from libbpf or the kernel; err
 * says which in one line. Nothing is added to a on error. */
int td_bpf_count(const struct td_filter *f, struct td_agg *a, struct td_bpf_timing *timing,
		 struct td_err *err);

/* ---- socket owners (owners.c) ---- */

/* One socket fd of a process, found by the task_file iterator. */
struct td_bpf_owner {
	uint64_t inode;
	int32_t pid;  /* tgid as the initial PID namespace numbers it */
	uint32_t uid; /* real uid (real_cred), as /proc/PID/status */
	int32_t fd;
	char comm[16]; /* the leader's comm, as /proc/PID/comm */
};

/* Called for every socket fd of every process, processes in pid order and
 * each process's fds together; return 0 to go on, anything else to stop. */
typedef int (*td_bpf_owner_cb)(const struct td_bpf_owner *w, void *ctx);

/* Walk every open socket fd of every process inside the kernel. With
 * inodes (n > 0), the kernel may leave out the other sockets, so cb still
 * gets some it did not ask for when the set is large. Runs only in the
 * initial PID namespace (the pids it reports are that namespace's).
 * Returns 0, cb's non-zero value, or errors as td_bpf_count(). */
int td_bpf_owners(const uint64_t *inodes, size_t n, td_bpf_owner_cb cb, void *ctx,
		  struct td_err *err);

/* The TCP sockets of the caller's network namespace counted by owning
 * process inside the kernel (an iter/task_file walk that writes nothing per
 * socket): cb(pid, family, state, n) once per group. A socket several
 * processes hold counts once, under the lowest pid, as td_owners lists it
 * first; sockets no process holds (TIME_WAIT, requests, accept queues) are
 * not in any group: they are the difference with td_bpf_count's totals.
 * Initial PID namespace only. -E2BIG when the groups or the shared sockets
 * overflow the kernel's bounds; otherwise errors as td_bpf_count(). */
typedef int (*td_bpf_owner_count_cb)(uint32_t pid, int family, int state, uint64_t n, void *ctx);
int td_bpf_owner_counts(td_bpf_owner_count_cb cb, void *ctx, struct td_err *err);

/* What keeps a network namespace alive besides its processes and mounts,
 * in one walk of every open file inside the kernel: cb(netns inode, pid,
 * fd, kind) once per namespace and kind, with the first file found (pid
 * order). TD_BPF_NS_SOCKET: a socket living in a namespace its process is
 * not in, to be opened by SIOCGSKNS on a pidfd_getfd copy of that fd;
 * TD_BPF_NS_NSFS: an open nsfs file of it (/proc/PID/fd/N opens it).
 * *sockets (may be NULL): the socket files looked at. Initial PID
 * namespace only; errors as td_bpf_count(), -E2BIG past 16,384. */
enum { TD_BPF_NS_SOCKET, TD_BPF_NS_NSFS };
typedef int (*td_bpf_netns_holders_cb)(uint64_t netns, int32_t pid, int fd, int kind, void *ctx);
int td_bpf_netns_holders(td_bpf_netns_holders_cb cb, void *ctx, uint64_t *sockets,
			 struct td_err *err);

/* A flag (a signal handler's) that cuts every later walk short: the walk
 * returns -EINTR between two reads once *flag is set (NULL: never). A walk
 * over a host's every fd takes seconds when it is busy, and a stopped
 * command must not wait for it. */
void td_bpf_owners_cancel_on(const volatile int *flag);

/* ---- tracing (trace.c) ---- */

/* What to trace; filters run in the kernel. */
struct td_trace_opts {
	uint32_t netns_ino; /* network namespace inode to watch, 0 = every one */
	uint32_t pid;	    /* owner's pid (as recorded by the kernel side), 0 = any */
	uint32_t states;    /* TD_STATE_BIT mask: old or new state in it; 0 = any */
	bool transitions;   /* state transitions */
	bool close_only;    /* ... only X -> CLOSE (lifetimes) */
	bool retransmits;
	bool resets;   /* received and sent */
	bool summary;  /* only a summary: counted in the kernel, no event sent */
	size_t nports; /* local or remote port in one of the ranges */
	struct td_port_range ports[TD_FILTER_MAX];
};

/* A row of the kernel's summary tables: table is enum td_tr_sum_table; key
 * a pid (0: not known, TD_TR_PID_NOSOCK) or, for TD_TR_SUM_BY_PORT, a port. */
struct td_trace_sum_row {
	uint32_t table, key;
	uint64_t n;
	char comm[16];
};

/* The summary the kernel kept (opts.summary), added up over the CPUs. */
struct td_trace_sum {
	struct td_tr_totals tot;
	struct td_trace_sum_row *rows;
	size_t nrows;
};

struct td_trace; /* loaded, attached programs and their ring buffer */

/* Called for every event; return 0 to go on, anything else to stop. */
typedef int (*td_trace_cb)(const struct td_tr_event *e, void *ctx);

/* Load and attach. Errors as td_bpf_count(); err says why in one line. */
int td_trace_open(struct td_trace **t, const struct td_trace_opts *o, struct td_err *err);
/* Wait up to timeout_ms for events and hand each to cb. Returns the number
 * handled, -EINTR when a signal came, the cb's non-zero value, or another
 * negative error. */
int td_trace_poll(struct td_trace *t, int timeout_ms, td_trace_cb cb, void *ctx,
		  struct td_err *err);
/* The end of a trace: detach the programs (nothing more comes; the maps
 * and counters stay readable), then hand cb every event still in the ring
 * buffer, whatever cb returns (a stop request is what ended the trace).
 * Returns the number handled or a negative error. */
int td_trace_drain(struct td_trace *t, td_trace_cb cb, void *ctx, struct td_err *err);
/* Events dropped because the ring buffer was full (read from the kernel). */
uint64_t td_trace_lost(const struct td_trace *t);
/* Runs of the event programs the kernel skipped because the program was
 * already running on that CPU (a softirq interrupting it on the same
 * tracepoint): in any namespace, before our filters, so not all of them
 * were events we would have shown (kernel 5.12+, else 0). */
uint64_t td_trace_skipped(const struct td_trace *t);
/* Read the kernel's summary so far into s (td_trace_sum_free() it). Works
 * at any time: the counts go on. Errors as td_bpf_count(). */
int td_trace_summary(struct td_trace *t, struct td_trace_sum *s, struct td_err *err);
void td_trace_sum_free(struct td_trace_sum *s);
/* The owners the kernel's summary has counted so far, each once per call:
 * cb(pid, comm, ctx) (pid 0 and TD_TR_PID_NOSOCK left out), so that user
 * space can read who they are while they live. Returns 0 or -errno. */
int td_trace_sum_owners(struct td_trace *t, void (*cb)(uint32_t pid, const char *comm, void *ctx),
			void *ctx);
/* Load and attach time of td_trace_open(), in nanoseconds. */
uint64_t td_trace_load_ns(const struct td_trace *t);
void td_trace_close(struct td_trace *t);

/* ---- destroying sockets (destroy.c) ---- */

/* Destroy the TCP sockets of the current network namespace whose cookies
 * are given (n <= TD_DSTR_BPF_MAX) with bpf_sock_destroy(), from an iter/tcp
 * program that picks them by cookie inside the kernel. results[i] is 0 (it
 * was destroyed), -errno from the kfunc, TD_DSTR_BPF_UNSEEN (not found: gone
 * already) or TD_DSTR_BPF_NOTFULL (a timewait or request socket). Errors as
 * td_bpf_count(); -TD_EUNSUPP also when the kernel lacks the kfunc (< 6.5). */
int td_bpf_destroy(const uint64_t *cookies, size_t n, int *results, struct td_err *err);

#endif

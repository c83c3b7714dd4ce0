/* Loader of trace.bpf.c: filters as read-only config, attach the tp_btf
 * programs that are asked for, and hand ring-buffer events to a callback.
 * See tdbpf.h. */
#include "bpf/tdbpf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf/load.h"
#include "sockets/owners.h"
#include "sockets/sockdiag.h"
#include "state.h"

#ifdef TD_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

/* include/net/rstreason.h as of 6.18 (the values of enum sk_rst_reason:
 * the generic ones, then sk_rst_reason's own, then MPTCP's). */
static const char *const builtin_reasons[] = {
	"NOT_SPECIFIED",
	"NO_SOCKET",
	"TCP_INVALID_ACK_SEQUENCE",
	"TCP_RFC7323_PAWS",
	"TCP_TOO_OLD_ACK",
	"TCP_ACK_UNSENT_DATA",
	"TCP_FLAGS",
	"TCP_OLD_ACK",
	"TCP_ABORT_ON_DATA",
	"TCP_TIMEWAIT_SOCKET",
	"INVALID_SYN",
	"TCP_ABORT_ON_CLOSE",
	"TCP_ABORT_ON_LINGER",
	"TCP_ABORT_ON_MEMORY",
	"TCP_STATE",
	"TCP_KEEPALIVE_TIMEOUT",
	"TCP_DISCONNECT_WITH_DATA",
	"MPTCP_RST_EUNSPEC",
	"MPTCP_RST_EMPTCP",
	"MPTCP_RST_ERESOURCE",
	"MPTCP_RST_EPROHIBIT",
	"MPTCP_RST_EWQ2BIG",
	"MPTCP_RST_EBADPERF",
	"MPTCP_RST_EMIDDLEBOX",
	"ERROR",
};

#define REASON_PREFIX "SK_RST_REASON_"

void td_tr_reasons_builtin(struct td_tr_reasons *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(builtin_reasons) / sizeof(builtin_reasons[0]); i++)
		snprintf(r->name[i], sizeof(r->name[i]), "%s", builtin_reasons[i]);
}

const char *td_tr_reason_name(const struct td_tr_reasons *r, uint32_t v)
{
	if (!r) {
		if (v < sizeof(builtin_reasons) / sizeof(builtin_reasons[0]))
			return builtin_reasons[v];
		return NULL;
	}
	if (v >= TD_TR_MAX_REASONS || !r->name[v][0])
		return NULL;
	return r->name[v];
}

#ifdef TD_HAVE_BPF
int td_tr_reasons_from_btf(struct td_tr_reasons *r, const struct btf *btf)
{
	struct td_tr_reasons fresh = { .from_btf = true };
	const struct btf_type *t;
	const struct btf_enum *v;
	int id = btf ? btf__find_by_name_kind(btf, "sk_rst_reason", BTF_KIND_ENUM) : -ENOENT;

	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	v = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, v++) {
		const char *name = btf__name_by_offset(btf, v->name_off);

		if (!name || v->val < 0 || v->val >= TD_TR_MAX_REASONS)
			continue; /* SK_RST_REASON_MAX is a count, and a name */
		if (!strncmp(name, REASON_PREFIX, strlen(REASON_PREFIX)))
			name += strlen(REASON_PREFIX);
		if (!strcmp(name, "MAX"))
			continue;
		snprintf(fresh.name[v->val], sizeof(fresh.name[v->val]), "%s", name);
	}
	*r = fresh;
	return 0;
}

void td_tr_reasons_load(struct td_tr_reasons *r)
{
	struct btf *btf;

	td_bpf_quiet();
	btf = btf__load_vmlinux_btf();
	if (!btf || td_tr_reasons_from_btf(r, btf) < 0)
		td_tr_reasons_builtin(r);
	btf__free(btf);
}
#else
int td_tr_reasons_from_btf(struct td_tr_reasons *r, const struct btf *btf)
{
	(void)r;
	(void)btf;
	return -ENOENT;
}

void td_tr_reasons_load(struct td_tr_reasons *r)
{
	td_tr_reasons_builtin(r);
}
#endif

#ifdef TD_HAVE_BPF

#include "trace.skel.h"

struct td_trace {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	td_trace_cb cb;
	void *ctx;
	int stop;      /* the cb's non-zero return */
	bool draining; /* td_trace_drain(): every event, whatever cb says */
	int handled;
	int seeded; /* sockets whose owner the walk at start recorded, or -errno */
	uint64_t load_ns;
};

static const char what[] = "tcpdoctor trace";

/* 16 MiB: ~100k events of 160 bytes, 0.2 s of a loopback churn at 500k
 * transitions/s. With 1 MiB (6.5k events, ~13 ms of that) bench/trace/run
 * lost 4-6% of the events on 2 cores, where the reader shares a CPU with the
 * churn; with 16 MiB none. Power of 2, as the kernel requires; charged to
 * the memory cgroup, not RLIMIT_MEMLOCK. */
#define TRACE_RINGBUF_BYTES (16u << 20)

static int on_sample(void *ctx, void *data, size_t len)
{
	struct td_trace *t = ctx;
	int rc;

	if (len < sizeof(struct td_tr_event))
		return 0;
	t->handled++;
	rc = t->cb(data, t->ctx);
	if (!rc || t->draining)
		return 0;
	/* A stop: under a steady stream the ring never runs empty, so
	 * consuming on would never return. A negative return makes libbpf
	 * stop at once, this event counted as read and the rest left in the
	 * ring for the drain; a positive one it ignores, and skipping the
	 * rest here would throw them away unseen. */
	t->stop = rc;
	return -ECANCELED;
}

static void set_config(struct trace_bpf *skel, const struct td_trace_opts *o)
{
	struct trace_bpf__rodata *ro = skel->rodata;
	uint32_t kinds = 0;

	if (o->transitions)
		kinds |= 1u << TD_TR_STATE;
	if (o->retransmits)
		kinds |= 1u << TD_TR_RETRANS;
	if (o->resets)
		kinds |= (1u << TD_TR_RECV_RST) | (1u << TD_TR_SEND_RST);
	ro->cfg_kinds = kinds;
	ro->cfg_netns = o->netns_ino;
	ro->cfg_pid = o->pid;
	ro->cfg_states = o->states;
	ro->cfg_close_only = o->close_only;
	ro->cfg_summary = o->summary;
	ro->cfg_nports = (__u32)(o->nports < TD_TR_MAX_PORTS ? o->nports : TD_TR_MAX_PORTS);
	for (size_t i = 0; i < ro->cfg_nports; i++) {
		ro->cfg_ports[i].lo = o->ports[i].lo;
		ro->cfg_ports[i].hi = o->ports[i].hi;
	}
}

/* What the owner walk at start needs of each socket of the namespace. */
struct seed_sock {
	uint64_t cookie, inode;
	uint16_t lport;
	uint8_t family, listen;
	uint8_t laddr[16];
};

struct seed {
	struct seed_sock *v;
	size_t n, cap;
	struct td_owners *owners;
};

static int seed_cb(const struct td_sock *s, void *ctx)
{
	struct seed *sd = ctx;
	struct seed_sock *x;

	if (!s->inode || !(s->flags & TD_SOCK_HAS_COOKIE))
		return 0;
	if (sd->n == sd->cap) {
		size_t ncap = sd->cap ? sd->cap * 2 : 256;

		x = realloc(sd->v, ncap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		sd->v = x;
		sd->cap = ncap;
	}
	x = &sd->v[sd->n++];
	x->cookie = s->cookie;
	x->inode = s->inode;
	x->lport = s->lport;
	x->family = s->family;
	x->listen = s->state == TD_LISTEN;
	memcpy(x->laddr, s->laddr, sizeof(x->laddr));
	return td_owners_want(sd->owners, s->inode) < 0 ? -ENOMEM : 0;
}

/* One owner walk of the sockets that exist when tracing starts: their
 * later events (a retransmit in softirq, a close the peer starts) carry
 * the owner without a walk each. Into the kernel's maps, never over what
 * the programs recorded themselves since they were attached (BPF_NOEXIST).
 * The current namespace's sockets; best effort: a failure leaves `?`. */
static int seed_owners(struct td_trace *t, uint32_t netns)
{
	struct seed sd = { .owners = td_owners_new() };
	int fd_socks = bpf_map__fd(t->skel->maps.socks);
	int fd_listeners = bpf_map__fd(t->skel->maps.listeners);
	struct td_filter f;
	struct stat st;
	size_t n = 0;
	int rc;

	if (!netns && stat("/proc/self/ns/net", &st) == 0)
		netns = (uint32_t)st.st_ino;
	td_filter_init(&f);
	/* Timewait and request sockets have no file, so no owner. */
	f.states = TD_STATES_ALL & ~(TD_STATE_BIT(TD_TIME_WAIT) | TD_STATE_BIT(TD_SYN_RECV));
	rc = sd.owners ? td_sockdiag_dump(&f, 0, -1, seed_cb, &sd, NULL) : -ENOMEM;
	if (rc == 0 && sd.n)
		rc = td_owners_resolve(sd.owners, NULL, false, NULL, 0, NULL);
	for (size_t i = 0; rc == 0 && i < sd.n; i++) {
		const struct seed_sock *x = &sd.v[i];
		const struct td_owner *ow = td_owners_get(sd.owners, x->inode);
		struct td_tr_sk rec = { 0 };
		struct td_tr_lkey k = { 0 };
		struct td_tr_lval lv = { 0 };

		if (!ow)
			continue;
		rec.pid = (uint32_t)ow->pid;
		rec.lport = x->lport;
		memcpy(rec.comm, ow->comm, sizeof(rec.comm));
		if (bpf_map_update_elem(fd_socks, &x->cookie, &rec, BPF_NOEXIST) == 0)
			n++;
		if (!x->listen)
			continue;
		k.netns = netns;
		k.lport = x->lport;
		k.family = x->family;
		memcpy(k.laddr, x->laddr, sizeof(k.laddr));
		if (bpf_map_lookup_elem(fd_listeners, &k, &lv) == 0) {
			if (lv.pid != rec.pid)
				lv.pid = 0; /* two processes on one address */
			lv.n++;
		} else {
			lv.pid = rec.pid;
			lv.n = 1;
			memcpy(lv.comm, rec.comm, sizeof(lv.comm));
		}
		bpf_map_update_elem(fd_listeners, &k, &lv, BPF_ANY);
	}
	td_owners_free(sd.owners);
	free(sd.v);
	return rc < 0 ? rc : (int)n;
}

int td_trace_open(struct td_trace **out, const struct td_trace_opts *o, struct td_err *err)
{
	struct td_trace *t;
	uint64_t t0 = td_bpf_now_ns();
	int rc;

	*out = NULL;
	rc = td_bpf_precheck(what, err);
	if (rc < 0)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t)
		return td_err_set(err, -ENOMEM, "out of memory");
	td_bpf_quiet();
	t->skel = trace_bpf__open();
	if (!t->skel) {
		rc = td_bpf_fail(err, -errno, what, "opening the programs");
		goto fail;
	}
	set_config(t->skel, o);
	/* The summary sends nothing: the smallest ring (one page). */
	rc = bpf_map__set_max_entries(t->skel->maps.events,
				      o->summary ? (uint32_t)sysconf(_SC_PAGESIZE)
						 : TRACE_RINGBUF_BYTES);
	if (rc < 0) {
		rc = td_bpf_fail(err, rc, what, "sizing the ring buffer");
		goto fail;
	}
	/* Load only what is asked for: fewer programs to verify. */
	/* on_state, on_send and on_recv also keep the owners: always. */
	bpf_program__set_autoload(t->skel->progs.on_retransmit, o->retransmits);
	bpf_program__set_autoload(t->skel->progs.on_retransmit_synack, o->retransmits);
	bpf_program__set_autoload(t->skel->progs.on_receive_reset, o->resets);
	bpf_program__set_autoload(t->skel->progs.on_send_reset, o->resets);
	rc = trace_bpf__load(t->skel);
	if (rc < 0) {
		rc = td_bpf_fail(err, rc, what, "loading");
		goto fail;
	}
	rc = trace_bpf__attach(t->skel);
	if (rc < 0) {
		rc = td_bpf_fail(err, rc, what, "attaching to the tracepoints");
		goto fail;
	}
	t->load_ns = td_bpf_now_ns() - t0;
	/* Attached, so what happens meanwhile waits in the ring; before the
	 * ring buffer's epoll, so that once it exists the owners are known. */
	t->seeded = seed_owners(t, o->netns_ino);
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
	if (!t->rb) {
		rc = td_bpf_fail(err, -errno, what, "opening the ring buffer");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	td_trace_close(t);
	return rc;
}

int td_trace_poll(struct td_trace *t, int timeout_ms, td_trace_cb cb, void *ctx, struct td_err *err)
{
	int rc;

	t->cb = cb;
	t->ctx = ctx;
	t->handled = 0;
	t->stop = 0;
	rc = ring_buffer__poll(t->rb, timeout_ms);
	/* The programs wake the reader only once enough waits (trace.bpf.c's
	 * submit()): what came since without a wake-up is read at the timeout
	 * (epoll_wait() then returns no ring to process). */
	if (rc == 0 && !t->stop)
		rc = ring_buffer__consume(t->rb);
	if (t->stop)
		return t->stop;
	if (rc == -EINTR)
		return rc;
	if (rc < 0)
		return td_err_set(err, rc, "%s: reading events: %s", what, strerror(-rc));
	return t->handled;
}

int td_trace_drain(struct td_trace *t, td_trace_cb cb, void *ctx, struct td_err *err)
{
	int rc;

	/* Detached, the ring only empties: reading it to the end returns. */
	trace_bpf__detach(t->skel);
	t->cb = cb;
	t->ctx = ctx;
	t->handled = 0;
	t->stop = 0;
	t->draining = true;
	/* Not ring_buffer__poll(): epoll reports only rings the programs
	 * woke, and the last events came without a wake-up. */
	rc = ring_buffer__consume(t->rb);
	t->draining = false;
	if (rc < 0)
		return td_err_set(err, rc, "%s: reading events: %s", what, strerror(-rc));
	return t->handled;
}

/* Runs of an event program the kernel skipped because it was already
 * running on that CPU (one interrupted by a softirq that hits the same
 * tracepoint): events neither path ever saw. */
static uint64_t prog_misses(const struct bpf_program *p)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(p);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return 0;
	return info.recursion_misses;
}

uint64_t td_trace_lost(const struct td_trace *t)
{
	return t && t->skel ? __atomic_load_n(&t->skel->bss->lost, __ATOMIC_RELAXED) : 0;
}

uint64_t td_trace_skipped(const struct td_trace *t)
{
	if (!t || !t->skel)
		return 0;
	return prog_misses(t->skel->progs.on_state) + prog_misses(t->skel->progs.on_retransmit) +
	       prog_misses(t->skel->progs.on_retransmit_synack) +
	       prog_misses(t->skel->progs.on_receive_reset) +
	       prog_misses(t->skel->progs.on_send_reset);
}

static int sum_add_row(struct td_trace_sum *s, size_t *cap, uint32_t table, uint32_t key,
		       uint64_t n, const char *comm)
{
	struct td_trace_sum_row *r;

	if (s->nrows == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;

		r = realloc(s->rows, ncap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		s->rows = r;
		*cap = ncap;
	}
	r = &s->rows[s->nrows++];
	memset(r, 0, sizeof(*r));
	r->table = table;
	r->key = key;
	r->n = n;
	if (comm)
		memcpy(r->comm, comm, sizeof(r->comm) - 1);
	return 0;
}

/* The per-CPU values of a map are each rounded up to 8 bytes. */
#define PCPU_STRIDE(sz) (((sz) + 7) & ~(size_t)7)

/* A per-CPU __u64 added up over the CPUs. */
static uint64_t pcpu_sum(const char *buf, int ncpu)
{
	uint64_t n = 0;

	for (int c = 0; c < ncpu; c++) {
		uint64_t v;

		memcpy(&v, buf + (size_t)c * 8, sizeof(v));
		n += v;
	}
	return n;
}

int td_trace_summary(struct td_trace *t, struct td_trace_sum *s, struct td_err *err)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t cap = 0, stride;
	char *buf = NULL;
	int fd, rc = 0;
	__u32 zero = 0;

	memset(s, 0, sizeof(*s));
	if (!t || !t->skel)
		return td_err_set(err, -EINVAL, "%s: not loaded", what);
	if (ncpu <= 0)
		return td_err_set(err, ncpu ? ncpu : -EINVAL, "%s: counting the CPUs", what);
	buf = calloc((size_t)ncpu, PCPU_STRIDE(sizeof(struct td_tr_totals)));
	if (!buf)
		return td_err_set(err, -ENOMEM, "out of memory");

	/* Totals: one element, a value per CPU. */
	stride = PCPU_STRIDE(sizeof(struct td_tr_totals));
	fd = bpf_map__fd(t->skel->maps.sum_totals);
	if (bpf_map_lookup_elem(fd, &zero, buf) < 0) {
		rc = td_err_set(err, -errno, "%s: reading the summary: %s", what, strerror(errno));
		goto out;
	}
	for (int c = 0; c < ncpu; c++) {
		const __u64 *v = (const __u64 *)(buf + (size_t)c * stride);
		__u64 *sum = (__u64 *)&s->tot;

		for (size_t i = 0; i < sizeof(s->tot) / sizeof(__u64); i++)
			sum[i] += v[i];
	}

	/* Resets and retransmits by owner (two tables in one map): counts
	 * added up, the first CPU's comm that has one. */
	{
		struct td_tr_pkey k, next, *prev = NULL;

		stride = PCPU_STRIDE(sizeof(struct td_tr_pval));
		fd = bpf_map__fd(t->skel->maps.sum_procs);
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			uint64_t n = 0;
			const char *comm = NULL;

			k = next;
			prev = &k;
			if (bpf_map_lookup_elem(fd, &k, buf) < 0)
				continue; /* gone meanwhile: cannot be, nothing deletes */
			for (int c = 0; c < ncpu; c++) {
				const struct td_tr_pval *v =
					(const struct td_tr_pval *)(buf + (size_t)c * stride);

				n += v->n;
				if (!comm && v->comm[0])
					comm = v->comm;
			}
			if (n && (rc = sum_add_row(s, &cap, k.table, k.pid, n, comm)) < 0)
				goto nomem;
		}
	}
	/* Transitions by owner and by port: a directory of slots, the counts
	 * in per-CPU arrays. */
	{
		__u32 k, next, *prev = NULL;
		struct td_tr_pslot d;
		int fd_n = bpf_map__fd(t->skel->maps.sum_proc_n);

		fd = bpf_map__fd(t->skel->maps.sum_proc_dir);
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			uint64_t n;
			char comm[sizeof(d.comm) + 1] = { 0 };

			k = next;
			prev = &k;
			if (bpf_map_lookup_elem(fd, &k, &d) < 0 ||
			    bpf_map_lookup_elem(fd_n, &d.slot, buf) < 0)
				continue;
			n = pcpu_sum(buf, ncpu);
			memcpy(comm, d.comm, sizeof(d.comm));
			if (n && (rc = sum_add_row(s, &cap, TD_TR_SUM_BY_PROC, k, n,
						   comm[0] ? comm : NULL)) < 0)
				goto nomem;
		}
	}
	{
		__u32 k, next, *prev = NULL, slot;
		int fd_n = bpf_map__fd(t->skel->maps.sum_port_n);

		fd = bpf_map__fd(t->skel->maps.sum_port_dir);
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			uint64_t n;

			k = next;
			prev = &k;
			if (bpf_map_lookup_elem(fd, &k, &slot) < 0 ||
			    bpf_map_lookup_elem(fd_n, &slot, buf) < 0)
				continue;
			n = pcpu_sum(buf, ncpu);
			if (n && (rc = sum_add_row(s, &cap, TD_TR_SUM_BY_PORT, k, n, NULL)) < 0)
				goto nomem;
		}
	}
	goto out;
nomem:
	rc = td_err_set(err, -ENOMEM, "out of memory");
	td_trace_sum_free(s);
out:
	free(buf);
	return rc;
}

int td_trace_sum_owners(struct td_trace *t, void (*cb)(uint32_t pid, const char *comm, void *ctx),
			void *ctx)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	size_t stride = PCPU_STRIDE(sizeof(struct td_tr_pval));
	struct td_tr_pkey k, next, *prev = NULL;
	uint32_t last = 0;
	char *buf;

	if (!t || !t->skel || ncpu <= 0)
		return -EINVAL;
	buf = calloc((size_t)ncpu, stride);
	if (!buf)
		return -ENOMEM;
	fd = bpf_map__fd(t->skel->maps.sum_procs);
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		/* a pid's two tables are usually next to each other */
		if (!k.pid || k.pid == TD_TR_PID_NOSOCK || k.pid == last)
			continue;
		last = k.pid;
		if (bpf_map_lookup_elem(fd, &k, buf) < 0)
			continue;
		for (int c = 0; c < ncpu; c++) {
			const struct td_tr_pval *v =
				(const struct td_tr_pval *)(buf + (size_t)c * stride);

			if (v->comm[0]) {
				char comm[sizeof(v->comm) + 1] = { 0 };

				memcpy(comm, v->comm, sizeof(v->comm));
				cb(k.pid, comm, ctx);
				break;
			}
		}
	}
	free(buf);
	/* The owners of transitions: the slot directory. */
	{
		__u32 pk, pnext, *pprev = NULL;
		struct td_tr_pslot d;

		fd = bpf_map__fd(t->skel->maps.sum_proc_dir);
		while (bpf_map_get_next_key(fd, pprev, &pnext) == 0) {
			char comm[sizeof(d.comm) + 1] = { 0 };

			pk = pnext;
			pprev = &pk;
			if (!pk || bpf_map_lookup_elem(fd, &pk, &d) < 0 || !d.comm[0])
				continue;
			memcpy(comm, d.comm, sizeof(d.comm));
			cb(pk, comm, ctx);
		}
	}
	return 0;
}

void td_trace_sum_free(struct td_trace_sum *s)
{
	free(s->rows);
	s->rows = NULL;
	s->nrows = 0;
}

uint64_t td_trace_load_ns(const struct td_trace *t)
{
	return t ? t->load_ns : 0;
}

void td_trace_close(struct td_trace *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	trace_bpf__destroy(t->skel);
	free(t);
}
#else
struct td_trace {
	int unused;
};

int td_trace_open(struct td_trace **out, const struct td_trace_opts *o, struct td_err *err)
{
	(void)o;
	*out = NULL;
	return td_bpf_precheck("tcpdoctor trace", err);
}

int td_trace_poll(struct td_trace *t, int timeout_ms, td_trace_cb cb, void *ctx, struct td_err *err)
{
	(void)t;
	(void)timeout_ms;
	(void)cb;
	(void)ctx;
	return td_err_set(err, -TD_EUNSUPP, "built without eBPF");
}

int td_trace_drain(struct td_trace *t, td_trace_cb cb, void *ctx, struct td_err *err)
{
	(void)t;
	(void)cb;
	(void)ctx;
	return td_err_set(err, -TD_EUNSUPP, "built without eBPF");
}

uint64_t td_trace_lost(const struct td_trace *t)
{
	(void)t;
	return 0;
}

uint64_t td_trace_load_ns(const struct td_trace *t)
{
	(void)t;
	return 0;
}

uint64_t td_trace_skipped(const struct td_trace *t)
{
	(void)t;
	return 0;
}

int td_trace_summary(struct td_trace *t, struct td_trace_sum *s, struct td_err *err)
{
	(void)t;
	memset(s, 0, sizeof(*s));
	return td_err_set(err, -TD_EUNSUPP, "built without eBPF");
}

void td_trace_sum_free(struct td_trace_sum *s)
{
	(void)s;
}

int td_trace_sum_owners(struct td_trace *t, void (*cb)(uint32_t pid, const char *comm, void *ctx),
			void *ctx)
{
	(void)t;
	(void)cb;
	(void)ctx;
	return -TD_EUNSUPP;
}

void td_trace_close(struct td_trace *t)
{
	(void)t;
}
#endif

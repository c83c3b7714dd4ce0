/* Loader of trace.bpf.c: filters as read-only config, attach the tp_btf
 * programs that are asked for, and hand ring-buffer events to a callback.
 * See tdbpf.h. */
#include "bpf/tdbpf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/load.h"

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
	int stop; /* the cb's non-zero return */
	int handled;
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

	if (len < sizeof(struct td_tr_event) || t->stop)
		return 0;
	t->handled++;
	t->stop = t->cb(data, t->ctx);
	/* A non-zero return stops ring_buffer__poll() at once. */
	return t->stop ? 1 : 0;
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
	ro->cfg_nports = (__u32)(o->nports < TD_TR_MAX_PORTS ? o->nports : TD_TR_MAX_PORTS);
	for (size_t i = 0; i < ro->cfg_nports; i++) {
		ro->cfg_ports[i].lo = o->ports[i].lo;
		ro->cfg_ports[i].hi = o->ports[i].hi;
	}
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
	rc = bpf_map__set_max_entries(t->skel->maps.events, TRACE_RINGBUF_BYTES);
	if (rc < 0) {
		rc = td_bpf_fail(err, rc, what, "sizing the ring buffer");
		goto fail;
	}
	/* Load only what is asked for: fewer programs to verify. */
	bpf_program__set_autoload(t->skel->progs.on_state, o->transitions);
	bpf_program__set_autoload(t->skel->progs.on_retransmit, o->retransmits);
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
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
	if (!t->rb) {
		rc = td_bpf_fail(err, -errno, what, "opening the ring buffer");
		goto fail;
	}
	t->load_ns = td_bpf_now_ns() - t0;
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
	rc = ring_buffer__poll(t->rb, timeout_ms);
	if (t->stop)
		return t->stop;
	if (rc == -EINTR)
		return rc;
	if (rc < 0)
		return td_err_set(err, rc, "%s: reading events: %s", what, strerror(-rc));
	return t->handled;
}

uint64_t td_trace_lost(const struct td_trace *t)
{
	return t && t->skel ? __atomic_load_n(&t->skel->bss->lost, __ATOMIC_RELAXED) : 0;
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

void td_trace_close(struct td_trace *t)
{
	(void)t;
}
#endif

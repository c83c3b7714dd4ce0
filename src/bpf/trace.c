/* Loader of trace.bpf.c: filters as read-only config, attach the tp_btf
 * programs that are asked for, and hand ring-buffer events to a callback.
 * See tdbpf.h. */
#include "bpf/tdbpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/load.h"

#ifdef TD_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

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

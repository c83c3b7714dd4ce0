/* The Prometheus text exposition (format 0.0.4) of one sample: sockets by
 * state and family, listeners' queues, TIME_WAIT/CLOSE_WAIT by port and by
 * process (top N, the rest in "other"), kernel counters, check findings.
 * Pure: builds text from what the caller gathered; never reads the system. */
#ifndef TD_METRICS_H
#define TD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose/counters.h"
#include "err.h"
#include "diagnose/rules.h"
#include "sockets/snapshot.h"

/* A growing text buffer; oom sticks once an allocation failed. */
struct td_mbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

void td_mbuf_free(struct td_mbuf *b);
void td_mbuf_printf(struct td_mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a label value: backslash, double quote and newline escaped. */
void td_mbuf_label(struct td_mbuf *b, const char *s);

#define TD_METRICS_DEFAULT_TOP 10
/* Listening ports exposed one by one, fullest queue first; the rest are
 * summed in port="other". */
#define TD_METRICS_MAX_LISTEN_PORTS 100
#define TD_TOP_KEY_MAX 24

/* One row of a top-N table: a port ("8080", "ephemeral" for client-side
 * sockets) or a process name ("nginx", "none" for sockets without owner).
 * By process, who the process is as well (sockets/ident.h; "" when not
 * known): processes of one name in two containers or units are two rows. */
struct td_top_entry {
	char key[TD_TOP_KEY_MAX];
	char container[160]; /* "docker:web1" (as td_ident_container) */
	char unit[128];	     /* "nginx.service" */
	uint64_t count;
};

enum td_top_by {
	TD_TOPBY_PORT = 0,
	TD_TOPBY_PROCESS,
};

/* The n biggest groups of sockets in state (largest first, then by key),
 * by local port or by process name, from snap's TD_SNAP_LOCAL groups; out
 * must hold n entries. *nout receives how many were filled, *other the sum
 * of the rest (0 when there is none). -ENOMEM. */
int td_metrics_top(const struct td_snapshot *snap, int state, enum td_top_by by, size_t n,
		   struct td_top_entry *out, size_t *nout, uint64_t *other);

/* Prometheus name of a kernel counter: "tcpdoctor_netstat_tcp_ext_listen_overflows_total"
 * for TcpExt.ListenOverflows (CamelCase to snake_case, file name as prefix,
 * "_total" for monotonic counters). Returns false for counters not exported
 * (groups other than Tcp, TcpExt, TCP, TCP6). */
bool td_metrics_counter_name(const struct td_counter *c, char *buf, size_t len, bool *is_counter);

struct td_metrics_input {
	/* Sockets by family ([0] IPv4, [1] IPv6) and state (td_agg's
	 * fam_counts); without have_states tcpdoctor_sockets is left out. */
	bool have_states;
	uint64_t fam_counts[2][TD_STATE_MAX + 1];
	const struct td_snapshot *snap;	    /* NULL: no listener/top families */
	const struct td_counters *counters; /* NULL: no kernel counters */
	const struct td_finding *findings;
	size_t nfindings;
	bool with_findings;		 /* rules ran: export tcpdoctor_finding */
	size_t top;			 /* N of the top-N families (0: TD_METRICS_DEFAULT_TOP) */
	double scrape_seconds;		 /* how long gathering took */
	uint64_t scrapes, scrape_errors; /* since the exporter started */
	const char *version;		 /* tcpdoctor_build_info */
	const char *source;		 /* "netlink", "bpf", "proc" (tcpdoctor_build_info) */
	/* The families that need every socket (by port, by process, findings)
	 * as td_metrics_render_deep() wrote them for an earlier sample: put
	 * in their place (snap then gives the listeners only). NULL: rendered
	 * from snap and findings. */
	const char *deep_text;
	size_t deep_len;
};

/* Append the exposition of in to out. 0, or -ENOMEM (out->oom). */
int td_metrics_render(const struct td_metrics_input *in, struct td_mbuf *out);
/* Only the families that need every socket (sockets by port and by
 * process from snap, findings): what deep_text holds. 0 or -ENOMEM. */
int td_metrics_render_deep(const struct td_metrics_input *in, struct td_mbuf *out);

#endif

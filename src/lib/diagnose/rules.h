/* Health-check rules: one static table of small pure functions, each reading
 * the aggregated socket snapshot, kernel counters (two reads, a sample apart)
 * and sysctls, and emitting findings: rule id, severity, summary, evidence,
 * why, what to do. A rule never prints; tests feed it hand-built inputs. */
#ifndef TD_RULES_H
#define TD_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose/counters.h"
#include "err.h"
#include "sockets/snapshot.h"
#include "diagnose/sysctl.h"

enum td_severity {
	TD_SEV_OK = 0,
	TD_SEV_INFO,	 /* worth knowing, exit status stays 0 */
	TD_SEV_WARNING,	 /* exit 1 */
	TD_SEV_CRITICAL, /* exit 2 */
};

/* "ok", "info", "warning", "critical". */
const char *td_severity_name(enum td_severity sev);

/* The sysctl values rules need, read in the namespace being checked.
 * -1 = unknown (not readable, not in this kernel). */
struct td_rule_sysctls {
	int64_t port_lo, port_hi;  /* net.ipv4.ip_local_port_range */
	int64_t max_tw_buckets;	   /* net.ipv4.tcp_max_tw_buckets */
	int64_t max_orphans;	   /* net.ipv4.tcp_max_orphans */
	int64_t somaxconn;	   /* net.core.somaxconn */
	int64_t max_syn_backlog;   /* net.ipv4.tcp_max_syn_backlog */
	int64_t syncookies;	   /* net.ipv4.tcp_syncookies */
	int64_t keepalive_time;	   /* net.ipv4.tcp_keepalive_time (s) */
	int64_t keepalive_intvl;   /* net.ipv4.tcp_keepalive_intvl (s) */
	int64_t keepalive_probes;  /* net.ipv4.tcp_keepalive_probes */
	int64_t fin_timeout;	   /* net.ipv4.tcp_fin_timeout (s) */
	int64_t tw_reuse;	   /* net.ipv4.tcp_tw_reuse */
	int64_t synack_retries;	   /* net.ipv4.tcp_synack_retries */
	int64_t syn_retries;	   /* net.ipv4.tcp_syn_retries */
	int64_t abort_on_overflow; /* net.ipv4.tcp_abort_on_overflow */
	/* net.ipv4.tcp_syn_linear_timeouts (Linux 6.5+): SYN retransmits a
	 * second apart before the exponential backoff, on top of syn_retries */
	int64_t syn_linear_timeouts;
};

/* Set every value to -1 (unknown). */
void td_rule_sysctls_init(struct td_rule_sysctls *sc);

/* Read them from root ("/proc/sys" when NULL; tests pass a directory laid
 * out the same way) through the sysctl audit module's reader. /proc/sys/net
 * follows the reading task's network namespace, so after setns these are the
 * target's; host-wide ones (tcp_max_orphans) are hidden outside the initial
 * namespace. A value that cannot be read stays -1; returns how many were
 * read. */
int td_rule_sysctls_read(struct td_rule_sysctls *sc, const char *root);

/* Read every entry of the sysctl audit table under root and judge it for
 * profile p: out[] must hold td_sysctl_count() records. Returns how many
 * values were read (absent ones have verdict TD_VERDICT_ABSENT). */
int td_rule_sysctls_audit(struct td_sysctl_finding *out, enum td_profile p, const char *root);

#define TD_RULE_MAX_PARAMS 4

struct td_rule_param {
	const char *name; /* "min", "critical", "ratio"... */
	double def;	  /* default */
	const char *unit; /* "sockets", "s", "/s", "fraction", "bytes" */
	const char *why;  /* why this default */
};

struct td_rule_input;
struct td_finding;

/* Each finding goes to cb; a non-zero return stops the rule and is returned. */
typedef int (*td_finding_cb)(const struct td_finding *f, void *ctx);

struct td_rule {
	const char *id;	   /* "close-wait-leak" */
	const char *title; /* one line for listings */
	bool needs_sample; /* rate-based: skipped without a second counters read */
	struct td_rule_param params[TD_RULE_MAX_PARAMS]; /* name NULL ends */
	int (*fn)(const struct td_rule_input *in, const double *p, td_finding_cb cb, void *ctx);
};

/* The table, in the order rules run; *n receives the count. */
const struct td_rule *td_rules(size_t *n);
const struct td_rule *td_rule_find(const char *id);

#define TD_RULES_MAX 32

/* Threshold values for every rule: defaults, then --set overrides. */
struct td_thresholds {
	double v[TD_RULES_MAX][TD_RULE_MAX_PARAMS];
};

void td_thresholds_init(struct td_thresholds *t);
/* "rule.param=value" (value a number >= 0). -TD_ENOTFOUND for an unknown
 * rule or parameter (the caller lists td_rules()), -TD_EPARSE for a bad form
 * or value. */
int td_thresholds_set(struct td_thresholds *t, const char *assignment, struct td_err *err);

struct td_rule_input {
	const struct td_snapshot *snap;
	const struct td_counters *before; /* NULL: no counters */
	const struct td_counters *after;  /* NULL: no sample (rate rules skip) */
	double elapsed;			  /* seconds between before and after */
	struct td_rule_sysctls sysctl;
	/* The sysctl audit (td_sysctl_audit) for the chosen profile, or NULL. */
	const struct td_sysctl_finding *audit;
	size_t naudit;
	enum td_profile profile;
	bool owners_partial; /* some processes' fds could not be read */
};

#define TD_FINDING_MAX_EVIDENCE 12
#define TD_FINDING_MAX_ACTIONS 6

struct td_evidence {
	char key[24];
	char value[160];
};

struct td_finding {
	const char *rule; /* id of the rule that fired */
	enum td_severity severity;
	char summary[240];
	/* The subject, for machines (0 / "" when it does not apply). */
	uint32_t pid;
	char comm[16];
	uint16_t port;	/* local port (listener) or destination port */
	char peer[80];	/* remote address, or address:port */
	uint64_t count; /* sockets (or events) behind the finding */
	double rate;	/* per second, when rate-based */
	size_t nevidence;
	struct td_evidence evidence[TD_FINDING_MAX_EVIDENCE];
	const char *why; /* two or three sentences, static text */
	size_t nactions;
	char actions[TD_FINDING_MAX_ACTIONS][240];
	char look_closer[200]; /* a command to look closer */
	/* A finding about a kernel parameter: its name, value now and the
	 * value to set ("" when the finding is not about one), for its remedy. */
	struct {
		char name[64];
		char cur[64], rec[64];
		bool per_netns; /* of the network namespace, not the whole host */
	} sysctl;
};

/* Run every rule of the table (rate-based ones only with in->after) with
 * thresholds t (NULL: defaults). Findings go to cb in table order. Returns
 * 0, or cb's non-zero value. */
int td_rules_run(const struct td_rule_input *in, const struct td_thresholds *t, td_finding_cb cb,
		 void *ctx);

/* Seconds an unanswered connect() waits before ETIMEDOUT with retries =
 * tcp_syn_retries and linear = tcp_syn_linear_timeouts (Linux 6.5+; -1 on
 * older kernels, which back off from the first resend). */
double td_syn_give_up_s(int64_t retries, int64_t linear);

/* The findings of one run, as check, serve and record keep them: a vector
 * that grows (td_findings_add is a td_finding_cb, ctx the vector). */
struct td_findings {
	struct td_finding *v; /* in table order until sorted */
	size_t n, cap;
};

/* Append a copy of f to the vector ctx; 0 or -ENOMEM. */
int td_findings_add(const struct td_finding *f, void *ctx);
/* Worst first; equal severity: more sockets or events first, and otherwise
 * the table's order (stable). 0 or -ENOMEM. */
int td_findings_sort(struct td_findings *fs);
/* The highest severity among them (TD_SEV_OK when none). */
enum td_severity td_findings_worst(const struct td_findings *fs);
void td_findings_free(struct td_findings *fs);

/* Run one rule (by table index) - for tests. */
int td_rule_run_one(size_t index, const struct td_rule_input *in, const struct td_thresholds *t,
		    td_finding_cb cb, void *ctx);

#endif

/* Unit tests for the health-check rules: each rule on hand-built snapshots,
 * counters and sysctls, just below and at its thresholds; threshold
 * overrides; the sysctl reader on a fixture tree; a healthy input that must
 * give no finding at all. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "diagnose/rules.h"

#define MAXF 64

struct out {
	size_t n;
	struct td_finding f[MAXF];
};

static int collect(const struct td_finding *f, void *ctx)
{
	struct out *o = ctx;

	assert_true(o->n < MAXF);
	/* Every finding is complete: the renderers rely on it. */
	assert_non_null(f->rule);
	assert_true(f->summary[0]);
	assert_non_null(f->why);
	assert_true(f->nevidence > 0);
	assert_true(f->nactions > 0 || !strcmp(f->rule, "syncookies-off"));
	o->f[o->n++] = *f;
	return 0;
}

static size_t rule_index(const char *id)
{
	size_t n;
	const struct td_rule *r = td_rules(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].id, id))
			return i;
	fail_msg("no rule %s", id);
	return 0;
}

/* Run one rule; returns the number of findings in o. */
static size_t run(const char *id, const struct td_rule_input *in, const struct td_thresholds *t,
		  struct out *o)
{
	memset(o, 0, sizeof(*o));
	assert_int_equal(td_rule_run_one(rule_index(id), in, t, collect, o), 0);
	for (size_t i = 0; i < o->n; i++)
		assert_string_equal(o->f[i].rule, id);
	return o->n;
}

/* Linux defaults of a fresh namespace on a small host. */
static void input_init(struct td_rule_input *in, const struct td_snapshot *snap)
{
	memset(in, 0, sizeof(*in));
	in->snap = snap;
	in->sysctl = (struct td_rule_sysctls){
		.port_lo = 32768,
		.port_hi = 60999,
		.max_tw_buckets = 262144,
		.max_orphans = 65536,
		.somaxconn = 4096,
		.max_syn_backlog = 1024,
		.syncookies = 1,
		.keepalive_time = 7200,
		.keepalive_intvl = 75,
		.keepalive_probes = 9,
		.fin_timeout = 60,
		.tw_reuse = 2,
		.synack_retries = 5,
		.syn_retries = 6,
		.abort_on_overflow = 0,
		.syn_linear_timeouts = -1, /* before Linux 6.5 */
	};
}

static struct td_sock mk(int state, const char *laddr, uint16_t lport, const char *raddr,
			 uint16_t rport)
{
	struct td_sock s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.state = (uint8_t)state;
	s.lport = lport;
	s.rport = rport;
	assert_int_equal(inet_pton(AF_INET, laddr, s.laddr), 1);
	assert_int_equal(inet_pton(AF_INET, raddr, s.raddr), 1);
	return s;
}

static void add_listener(struct td_snapshot *snap, uint16_t port, uint32_t queue, uint32_t backlog,
			 uint32_t pid, const char *comm)
{
	struct td_sock s = mk(TD_LISTEN, "0.0.0.0", port, "0.0.0.0", 0);

	s.rqueue = queue;
	s.wqueue = backlog;
	s.flags = TD_SOCK_HAS_BACKLOG;
	assert_int_equal(td_snapshot_add_owned(snap, &s, pid, comm), 0);
}

/* n sockets in state: server side on lport (a listener there must exist) or
 * client side towards raddr:rport (lport 0: ephemeral ports). */
static void add_n(struct td_snapshot *snap, int n, int state, uint16_t lport, const char *raddr,
		  uint16_t rport, uint32_t pid, const char *comm)
{
	for (int i = 0; i < n; i++) {
		struct td_sock s = mk(state, "192.0.2.1", lport ? lport : (uint16_t)(40000 + i),
				      raddr, lport ? (uint16_t)(50000 + i) : rport);

		assert_int_equal(td_snapshot_add_owned(snap, &s, pid, comm), 0);
	}
}

static void counters_text(struct td_counters *c, const char *snmp, const char *netstat,
			  const char *sockstat)
{
	struct {
		const char *text;
		enum td_counter_format fmt;
		enum td_counter_file file;
	} parts[] = {
		{ snmp, TD_CFMT_TABLE, TD_CF_SNMP },
		{ netstat, TD_CFMT_TABLE, TD_CF_NETSTAT },
		{ sockstat, TD_CFMT_PAIRS, TD_CF_SOCKSTAT },
	};
	struct td_err err = { 0 };

	td_counters_init(c);
	for (size_t i = 0; i < 3; i++) {
		FILE *fp;

		if (!parts[i].text)
			continue;
		fp = fmemopen((void *)parts[i].text, strlen(parts[i].text), "r");
		assert_non_null(fp);
		assert_int_equal(
			td_counters_parse(c, fp, "test", parts[i].fmt, parts[i].file, &err), 0);
		fclose(fp);
	}
}

/* Counters before and after a sample of `elapsed` seconds. */
struct sample {
	struct td_counters a, b;
};

static void sample_set(struct sample *s, struct td_rule_input *in, double elapsed,
		       const char *snmp_a, const char *snmp_b, const char *netstat_a,
		       const char *netstat_b, const char *sockstat)
{
	counters_text(&s->a, snmp_a, netstat_a, sockstat);
	counters_text(&s->b, snmp_b, netstat_b, sockstat);
	in->before = &s->a;
	in->after = &s->b;
	in->elapsed = elapsed;
}

static void sample_free(struct sample *s)
{
	td_counters_free(&s->a);
	td_counters_free(&s->b);
}

static bool has_evidence(const struct td_finding *f, const char *key)
{
	for (size_t i = 0; i < f->nevidence; i++)
		if (!strcmp(f->evidence[i].key, key))
			return true;
	return false;
}

/* ---- close-wait-leak ------------------------------------------------------------ */

static void test_close_wait_leak(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct td_thresholds t;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 8080, 0, 128, 42, "leaky");
	add_n(&snap, 3, TD_CLOSE_WAIT, 8080, "192.0.2.2", 0, 42, "leaky");
	input_init(&in, &snap);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 0);

	add_n(&snap, 1, TD_CLOSE_WAIT, 8080, "192.0.2.2", 0, 42, "leaky");
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_int_equal(o.f[0].pid, 42);
	assert_string_equal(o.f[0].comm, "leaky");
	assert_int_equal(o.f[0].port, 8080);
	assert_int_equal(o.f[0].count, 4);
	assert_non_null(strstr(o.f[0].summary, "leaky[42]"));
	assert_non_null(strstr(o.f[0].look_closer, "--pid 42"));

	/* --set close-wait-leak.min=5 silences it; critical at 100. */
	td_thresholds_init(&t);
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak.min=5", NULL), 0);
	assert_int_equal(run("close-wait-leak", &in, &t, &o), 0);
	add_n(&snap, 95, TD_CLOSE_WAIT, 8080, "192.0.2.2", 0, 42, "leaky");
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	add_n(&snap, 1, TD_CLOSE_WAIT, 8080, "192.0.2.2", 0, 42, "leaky");
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);

	/* Another process below the threshold does not add a finding; an
	 * unknown owner is named by port. */
	add_n(&snap, 3, TD_CLOSE_WAIT, 8080, "192.0.2.2", 0, 43, "ok");
	add_n(&snap, 12, TD_CLOSE_WAIT, 8080, "192.0.2.3", 0, 0, NULL);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 2);
	assert_int_equal(o.f[1].pid, 0);
	assert_int_equal(o.f[1].port, 8080);
	assert_non_null(strstr(o.f[1].look_closer, "--sport 8080"));
	in.owners_partial = true;
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 2);
	assert_non_null(strstr(o.f[1].evidence[0].value, "run as root"));
	td_snapshot_free(&snap);
}

/* ---- time-wait-pressure --------------------------------------------------------- */

static void test_time_wait_pressure(void **state)
{
	static const char na[] = "TcpExt: TW TCPTimeWaitOverflow\nTcpExt: 0 5\n";
	static const char nb[] = "TcpExt: TW TCPTimeWaitOverflow\nTcpExt: 0 8\n";
	struct td_snapshot snap;
	struct td_rule_input in;
	struct sample smp;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 80, 0, 128, 1, "srv");
	input_init(&in, &snap);
	in.sysctl.port_lo = 40000;
	in.sysctl.port_hi = 40019; /* 20 ports */
	/* Server-side TIME_WAIT (we closed first on our listener) does not use
	 * local ports: it never counts. */
	add_n(&snap, 30, TD_TIME_WAIT, 80, "192.0.2.2", 0, 0, NULL);
	add_n(&snap, 9, TD_TIME_WAIT, 0, "198.51.100.7", 443, 0, NULL);
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 0);
	add_n(&snap, 1, TD_TIME_WAIT, 0, "198.51.100.7", 443, 0, NULL);
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_string_equal(o.f[0].peer, "198.51.100.7:443");
	assert_int_equal(o.f[0].port, 443);
	assert_int_equal(o.f[0].count, 10);
	assert_non_null(strstr(o.f[0].summary, "EADDRNOTAVAIL"));
	/* The advice warns about tcp_tw_recycle. */
	{
		bool recycle = false;

		for (size_t i = 0; i < o.f[0].nactions; i++)
			recycle |= strstr(o.f[0].actions[i], "tcp_tw_recycle") &&
				   strstr(o.f[0].actions[i], "4.12");
		assert_true(recycle);
	}
	add_n(&snap, 6, TD_TIME_WAIT, 0, "198.51.100.7", 443, 0, NULL);
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	/* Unknown port range: per-destination check cannot be made. */
	in.sysctl.port_lo = in.sysctl.port_hi = -1;
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 0);

	/* tcp_max_tw_buckets reached during the sample. */
	sample_set(&smp, &in, 1.0, "Tcp: OutSegs\nTcp: 1\n", "Tcp: OutSegs\nTcp: 1\n", na, nb,
		   NULL);
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	assert_int_equal(o.f[0].count, 3);
	sample_free(&smp);
	/* Near the bucket limit without overflow: warning. */
	in.before = in.after = NULL;
	in.sysctl.max_tw_buckets = 57; /* 56 TIME_WAIT now: 0.98 */
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	in.sysctl.max_tw_buckets = 71; /* 56/71 = 0.79 < 0.8 */
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
}

/* tcp_tw_reuse: the kernel takes over TIME_WAIT ports on loopback by default
 * (2) and everywhere with 1; no EADDRNOTAVAIL prediction there. The closing
 * rate comes from the counters over the sample. */
static void test_time_wait_reuse(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct sample smp;
	struct out o;
	bool advises_reuse = false;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	in.sysctl.port_lo = 40000;
	in.sysctl.port_hi = 40019; /* 20 ports */
	add_n(&snap, 15, TD_TIME_WAIT, 0, "127.0.0.1", 6379, 0, NULL);
	assert_int_equal(in.sysctl.tw_reuse, 2);
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 0);
	in.sysctl.tw_reuse = 0;
	sample_set(&smp, &in, 2.0, "Tcp: ActiveOpens OutSegs\nTcp: 1000 1\n",
		   "Tcp: ActiveOpens OutSegs\nTcp: 4000 1\n", NULL, NULL, NULL);
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 1);
	assert_non_null(strstr(o.f[0].summary, "EADDRNOTAVAIL"));
	for (size_t k = 0; k < o.f[0].nevidence; k++)
		if (!strcmp(o.f[0].evidence[k].key, "closing rate"))
			assert_non_null(strstr(o.f[0].evidence[k].value, "1500.0 new outgoing"));
	assert_true(has_evidence(&o.f[0], "closing rate"));
	for (size_t k = 0; k < o.f[0].nactions; k++)
		advises_reuse |= !!strstr(o.f[0].actions[k], "tcp_tw_reuse=1");
	assert_true(advises_reuse);
	sample_free(&smp);
	in.before = in.after = NULL;
	/* 1: reused towards every destination. */
	add_n(&snap, 15, TD_TIME_WAIT, 0, "198.51.100.9", 443, 0, NULL);
	in.sysctl.tw_reuse = 1;
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 0);
	/* 2: only the non-loopback destination is at risk, and the advice
	 * names the sysctl that would help. */
	in.sysctl.tw_reuse = 2;
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 1);
	assert_string_equal(o.f[0].peer, "198.51.100.9:443");
	td_snapshot_free(&snap);

	/* IPv6 loopback too. */
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	in.sysctl.port_lo = 40000;
	in.sysctl.port_hi = 40019;
	for (int i = 0; i < 15; i++) {
		struct td_sock sk;

		memset(&sk, 0, sizeof(sk));
		sk.family = AF_INET6;
		sk.state = TD_TIME_WAIT;
		sk.lport = (uint16_t)(40000 + i);
		sk.rport = 8080;
		assert_int_equal(inet_pton(AF_INET6, "::1", sk.laddr), 1);
		assert_int_equal(inet_pton(AF_INET6, "::1", sk.raddr), 1);
		assert_int_equal(td_snapshot_add_owned(&snap, &sk, 0, NULL), 0);
	}
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 0);
	in.sysctl.tw_reuse = 0;
	assert_int_equal(run("time-wait-pressure", &in, NULL, &o), 1);
	td_snapshot_free(&snap);
}

/* ---- accept-queue-overflow ------------------------------------------------------ */

static void test_accept_queue(void **state)
{
	static const char a[] = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 10 10\n";
	static const char b[] = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 14 14\n";
	struct td_snapshot snap;
	struct td_rule_input in;
	struct sample smp;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 8080, 8, 10, 7, "slow");
	input_init(&in, &snap);
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 0); /* 0.8 */
	td_snapshot_free(&snap);

	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 8080, 9, 10, 7, "slow");
	in.snap = &snap;
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 1); /* 0.9 */
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_int_equal(o.f[0].pid, 7);
	assert_int_equal(o.f[0].port, 8080);
	assert_non_null(strstr(o.f[0].summary, "slow[7]"));
	/* Rising ListenOverflows makes it critical. */
	sample_set(&smp, &in, 2.0, "Tcp: OutSegs\nTcp: 1\n", "Tcp: OutSegs\nTcp: 1\n", a, b, NULL);
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	assert_true(has_evidence(&o.f[0], "ListenOverflows"));
	assert_true(o.f[0].rate > 1.99 && o.f[0].rate < 2.01);
	td_snapshot_free(&snap);

	/* Full (queue > backlog, as sk_acceptq_is_full) without a sample: critical. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 8080, 11, 10, 7, "slow");
	in.before = in.after = NULL;
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	assert_non_null(strstr(o.f[0].summary, "is full"));
	td_snapshot_free(&snap);

	/* Empty queues, overflows in the sample: one finding without a port;
	 * the same without a sample: nothing. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 8080, 0, 10, 7, "slow");
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 0);
	in.before = &smp.a;
	in.after = &smp.b;
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_int_equal(o.f[0].port, 0);
	assert_int_equal(o.f[0].count, 4);
	/* A listener from /proc (no backlog known) is never judged. */
	sample_free(&smp);
	td_snapshot_free(&snap);
	td_snapshot_init(&snap, NULL);
	{
		struct td_sock s = mk(TD_LISTEN, "0.0.0.0", 81, "0.0.0.0", 0);

		s.rqueue = 500;
		td_snapshot_add(&snap, &s);
	}
	in.before = in.after = NULL;
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
}

/* ---- syn-flood ------------------------------------------------------------------ */

static void add_syn_recv(struct td_snapshot *snap, int n, int sources)
{
	for (int i = 0; i < n; i++) {
		char addr[32];
		struct td_sock s;

		snprintf(addr, sizeof(addr), "203.0.113.%d", i % sources + 1);
		s = mk(TD_NEW_SYN_RECV, "192.0.2.1", 443, addr, (uint16_t)(1024 + i));
		s.retrans = 2;
		assert_int_equal(td_snapshot_add(snap, &s), 0);
	}
}

static void test_syn_flood(void **state)
{
	static const char a[] = "TcpExt: SyncookiesSent TCPReqQFullDrop\nTcpExt: 0 0\n";
	static const char b[] = "TcpExt: SyncookiesSent TCPReqQFullDrop\nTcpExt: 40 0\n";
	struct td_snapshot snap;
	struct td_rule_input in;
	struct sample smp;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 443, 0, 128, 5, "tls");
	add_syn_recv(&snap, 63, 63);
	input_init(&in, &snap);
	assert_int_equal(run("syn-flood", &in, NULL, &o), 0);
	add_syn_recv(&snap, 1, 1);
	assert_int_equal(run("syn-flood", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_int_equal(o.f[0].port, 443);
	assert_int_equal(o.f[0].count, 64);
	assert_non_null(strstr(o.f[0].summary, "SYN flood"));
	/* SYN cookies sent in the sample: critical. */
	sample_set(&smp, &in, 1.0, "Tcp: OutSegs\nTcp: 1\n", "Tcp: OutSegs\nTcp: 1\n", a, b, NULL);
	assert_int_equal(run("syn-flood", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	assert_true(has_evidence(&o.f[0], "SyncookiesSent"));
	td_snapshot_free(&snap);

	/* Many handshakes from two sources: not a flood, lost answers. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 443, 0, 128, 5, "tls");
	add_syn_recv(&snap, 64, 2);
	in.snap = &snap;
	assert_int_equal(run("syn-flood", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_non_null(strstr(o.f[0].summary, "never complete"));
	td_snapshot_free(&snap);

	/* A small backlog: a full SYN queue of 9 from 9 addresses is a flood;
	 * with syncookies off it turns clients away: critical. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 443, 0, 8, 5, "tls");
	add_syn_recv(&snap, 7, 7);
	in.snap = &snap;
	in.before = in.after = NULL;
	assert_int_equal(run("syn-flood", &in, NULL, &o), 0); /* 7 < backlog 8 */
	add_syn_recv(&snap, 1, 1);
	assert_int_equal(run("syn-flood", &in, NULL, &o), 1); /* 8: full, >= queue 8 */
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_non_null(strstr(o.f[0].summary, "SYN flood"));
	in.sysctl.syncookies = 0;
	assert_int_equal(run("syn-flood", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	in.sysctl.syncookies = 1;
	td_snapshot_free(&snap);
	/* A full queue below the "queue" threshold stays quiet; a full queue
	 * from few sources is reported as lost answers, not as a flood. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 443, 0, 4, 5, "tls");
	add_syn_recv(&snap, 5, 5);
	assert_int_equal(run("syn-flood", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 443, 0, 8, 5, "tls");
	add_syn_recv(&snap, 9, 3);
	assert_int_equal(run("syn-flood", &in, NULL, &o), 1);
	assert_non_null(strstr(o.f[0].summary, "never complete"));
	td_snapshot_free(&snap);
	in.before = &smp.a;
	in.after = &smp.b;

	/* No SYN_RECV pile, but cookies sent: a warning without a port. */
	td_snapshot_init(&snap, NULL);
	in.snap = &snap;
	assert_int_equal(run("syn-flood", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].port, 0);
	assert_int_equal(o.f[0].count, 40);
	sample_free(&smp);
	in.before = in.after = NULL;
	assert_int_equal(run("syn-flood", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
}

/* ---- syn-sent-stuck ------------------------------------------------------------- */

/* n SYN_SENT towards raddr:rport whose SYN was retransmitted `retrans` times. */
static void add_syn_sent(struct td_snapshot *snap, int n, const char *raddr, uint16_t rport,
			 int retrans, uint32_t pid)
{
	static uint16_t lport = 30000;

	for (int i = 0; i < n; i++) {
		struct td_sock s = mk(TD_SYN_SENT, "192.0.2.1", lport++, raddr, rport);

		s.timer = TD_TIMER_RETRANS;
		s.retrans = (uint8_t)retrans;
		assert_int_equal(td_snapshot_add_owned(snap, &s, pid, "app"), 0);
	}
}

static void test_syn_sent_stuck(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	/* A burst of fresh connects (no SYN retransmitted yet) is normal. */
	add_syn_sent(&snap, 20, "198.51.100.99", 5432, 0, 77);
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 0);
	add_syn_sent(&snap, 2, "198.51.100.99", 5432, 1, 77);
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 0);
	add_syn_sent(&snap, 1, "198.51.100.99", 5432, 3, 77);
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 1);
	assert_true(has_evidence(&o.f[0], "SYN retransmits"));
	assert_non_null(strstr(o.f[0].evidence[2].value, "23 sockets, 3 of them"));
	assert_int_equal(o.f[0].pid, 77);
	assert_string_equal(o.f[0].comm, "app");
	assert_string_equal(o.f[0].peer, "198.51.100.99:5432");
	assert_int_equal(o.f[0].port, 5432);
	assert_int_equal(o.f[0].count, 3);
	/* Four processes each stuck on one connect to one silent destination:
	 * one outage, counted per destination across processes. */
	td_snapshot_free(&snap);
	td_snapshot_init(&snap, NULL);
	add_syn_sent(&snap, 2, "198.51.100.99", 5432, 1, 77);
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 0);
	add_syn_sent(&snap, 1, "198.51.100.99", 5432, 1, 78);
	add_syn_sent(&snap, 1, "198.51.100.99", 5432, 2, 79);
	add_syn_sent(&snap, 1, "198.51.100.99", 5432, 1, 80);
	add_syn_sent(&snap, 5, "198.51.100.98", 5432, 0, 81); /* answered soon: another host */
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 5);
	assert_int_equal(o.f[0].pid, 77); /* the one with most */
	assert_string_equal(o.f[0].peer, "198.51.100.99:5432");
	assert_non_null(strstr(o.f[0].summary, "from 4 processes"));
	assert_true(has_evidence(&o.f[0], "processes"));
	for (size_t k = 0; k < o.f[0].nevidence; k++)
		if (!strcmp(o.f[0].evidence[k].key, "processes")) {
			assert_non_null(strstr(o.f[0].evidence[k].value, "app[77] (2)"));
			assert_non_null(strstr(o.f[0].evidence[k].value, "app[80] (1)"));
		}
	td_snapshot_free(&snap);

	/* A scanner: one SYN each to 63, then 64 addresses. */
	td_snapshot_init(&snap, NULL);
	for (int i = 0; i < 63; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "203.0.113.%d", i + 1);
		add_n(&snap, 1, TD_SYN_SENT, 0, addr, 22, 99, "worm");
	}
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 0);
	add_n(&snap, 1, TD_SYN_SENT, 0, "198.51.100.1", 22, 99, "worm");
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].pid, 99);
	assert_int_equal(o.f[0].count, 64);
	assert_non_null(strstr(o.f[0].summary, "scanner"));
	td_snapshot_free(&snap);
}

/* A client hammering a local listener whose accept queue is full: Linux drops
 * the SYNs, so it is one accept-queue-overflow finding naming the clients,
 * not also a syn-sent-stuck blaming a firewall. */
static void test_accept_queue_drops_syns(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;
	bool said = false;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	add_listener(&snap, 7000, 5, 4, 50, "slow"); /* 5 > 4: full */
	add_syn_sent(&snap, 6, "192.0.2.1", 7000, 2, 60);
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 0);
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 1);
	assert_true(has_evidence(&o.f[0], "clients here"));
	assert_true(has_evidence(&o.f[0], "their SYNs"));
	assert_non_null(strstr(o.f[0].why, "drops new SYNs"));
	for (size_t k = 0; k < o.f[0].nevidence; k++)
		said |= !strcmp(o.f[0].evidence[k].key, "clients here") &&
			strstr(o.f[0].evidence[k].value, "6 connects") &&
			strstr(o.f[0].evidence[k].value, "app[60]");
	assert_true(said);
	td_snapshot_free(&snap);

	/* A listener with room: the silence has another cause. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 7000, 0, 128, 50, "fast");
	add_syn_sent(&snap, 6, "192.0.2.1", 7000, 2, 60);
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 1);
	assert_int_equal(run("accept-queue-overflow", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
}

static const char *evidence_of(const struct td_finding *f, const char *key)
{
	for (size_t i = 0; i < f->nevidence; i++)
		if (!strcmp(f->evidence[i].key, key))
			return f->evidence[i].value;
	return NULL;
}

/* The retry texts follow the running kernel: tcp_syn_linear_timeouts (6.5+)
 * adds retransmits a second apart before the exponential backoff. */
static void test_syn_retry_texts(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	add_syn_sent(&snap, 3, "198.51.100.99", 5432, 2, 77);
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 1);
	assert_non_null(strstr(evidence_of(&o.f[0], "connect() gives up"), "about 127 s"));
	assert_null(evidence_of(&o.f[0], "tcp_syn_linear_timeouts"));
	assert_null(strstr(o.f[0].why, "linear"));
	in.sysctl.syn_linear_timeouts = 4;
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 1);
	assert_non_null(strstr(evidence_of(&o.f[0], "connect() gives up"), "about 131 s"));
	assert_non_null(strstr(evidence_of(&o.f[0], "connect() gives up"), "10 SYN retransmits"));
	assert_string_equal(evidence_of(&o.f[0], "tcp_syn_linear_timeouts"), "4");
	assert_non_null(strstr(o.f[0].why, "tcp_syn_linear_timeouts times a second apart"));
	in.sysctl.syn_retries = 3;
	assert_int_equal(run("syn-sent-stuck", &in, NULL, &o), 1);
	/* 1 + 4 x 1 + 2 + 4 + 8 */
	assert_non_null(strstr(evidence_of(&o.f[0], "connect() gives up"), "about 19 s"));
	td_snapshot_free(&snap);
}

/* ---- the piling rules and orphans ----------------------------------------------- */

static void test_pilings(void **state)
{
	static const struct {
		const char *id;
		int state, min, crit;
	} cases[] = {
		{ "fin-wait1-piling", TD_FIN_WAIT1, 32, 1000 },
		{ "fin-wait2-piling", TD_FIN_WAIT2, 64, 5000 },
		{ "last-ack-piling", TD_LAST_ACK, 32, 1000 },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct td_snapshot snap;
		struct td_rule_input in;
		struct out o;

		td_snapshot_init(&snap, NULL);
		input_init(&in, &snap);
		add_n(&snap, cases[c].min - 2, cases[c].state, 0, "198.51.100.5", 80, 0, NULL);
		add_n(&snap, 1, cases[c].state, 0, "198.51.100.6", 80, 12, "holder");
		assert_int_equal(run(cases[c].id, &in, NULL, &o), 0);
		add_n(&snap, 1, cases[c].state, 0, "198.51.100.5", 80, 0, NULL);
		assert_int_equal(run(cases[c].id, &in, NULL, &o), 1);
		assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
		assert_int_equal(o.f[0].count, (uint64_t)cases[c].min);
		assert_string_equal(o.f[0].peer, "198.51.100.5:80");
		assert_int_equal(o.f[0].pid, 12); /* the process holding some */
		add_n(&snap, cases[c].crit - cases[c].min, cases[c].state, 0, "198.51.100.5", 80, 0,
		      NULL);
		assert_int_equal(run(cases[c].id, &in, NULL, &o), 1);
		assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
		td_snapshot_free(&snap);
	}
}

static void test_orphans(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct td_counters c;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	in.sysctl.max_orphans = 1000;
	counters_text(&c, "Tcp: OutSegs\nTcp: 1\n", NULL, "TCP: inuse 1 orphan 499 tw 0\n");
	in.before = &c;
	assert_int_equal(run("orphans-near-limit", &in, NULL, &o), 0);
	td_counters_free(&c);
	counters_text(&c, "Tcp: OutSegs\nTcp: 1\n", NULL, "TCP: inuse 1 orphan 500 tw 0\n");
	assert_int_equal(run("orphans-near-limit", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_int_equal(o.f[0].count, 500);
	td_counters_free(&c);
	counters_text(&c, "Tcp: OutSegs\nTcp: 1\n", NULL, "TCP: inuse 1 orphan 900 tw 0\n");
	assert_int_equal(run("orphans-near-limit", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	in.sysctl.max_orphans = -1; /* unknown limit: no judgement */
	assert_int_equal(run("orphans-near-limit", &in, NULL, &o), 0);
	td_counters_free(&c);
	td_snapshot_free(&snap);
}

/* ---- half-open-suspects --------------------------------------------------------- */

static void add_idle(struct td_snapshot *snap, uint32_t idle_ms, int timer, uint32_t pid)
{
	struct td_sock s = mk(TD_ESTABLISHED, "192.0.2.1", 40000, "198.51.100.3", 5432);

	s.flags = TD_SOCK_HAS_INFO;
	s.timer = (uint8_t)timer;
	s.info.last_data_recv_ms = idle_ms;
	s.info.last_data_sent_ms = idle_ms + 5;
	assert_int_equal(td_snapshot_add_owned(snap, &s, pid, "pool"), 0);
}

static void test_half_open(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct td_thresholds t;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	add_idle(&snap, 1799999, TD_TIMER_NONE, 3);
	add_idle(&snap, 99999999, TD_TIMER_KEEPALIVE, 3); /* keepalive on: fine */
	add_idle(&snap, 99999999, TD_TIMER_RETRANS, 3);	  /* data in flight: not idle */
	assert_int_equal(run("half-open-suspects", &in, NULL, &o), 0);
	add_idle(&snap, 1800000, TD_TIMER_NONE, 4);
	assert_int_equal(run("half-open-suspects", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 1);
	assert_int_equal(o.f[0].pid, 4);
	assert_true(has_evidence(&o.f[0], "keepalive sysctls"));
	assert_non_null(strstr(o.f[0].evidence[2].value, "7200"));
	td_thresholds_init(&t);
	assert_int_equal(td_thresholds_set(&t, "half-open-suspects.min=2", NULL), 0);
	assert_int_equal(run("half-open-suspects", &in, &t, &o), 0);
	assert_int_equal(td_thresholds_set(&t, "half-open-suspects.idle=1799.999", NULL), 0);
	assert_int_equal(run("half-open-suspects", &in, &t, &o), 1);
	assert_int_equal(o.f[0].count, 2);
	td_snapshot_free(&snap);
}

/* ---- rate rules ----------------------------------------------------------------- */

static void test_retransmissions(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct sample smp;
	struct out o;
	char b[128];

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	/* No sample: a rate rule does not run at all. */
	assert_int_equal(run("retransmission-storm", &in, NULL, &o), 0);
	/* 49 of 1000 segments: 4.9% < 5%. */
	sample_set(&smp, &in, 1.0, "Tcp: OutSegs RetransSegs\nTcp: 1000 100\n",
		   "Tcp: OutSegs RetransSegs\nTcp: 2000 149\n", "TcpExt: TCPTimeouts\nTcpExt: 0\n",
		   "TcpExt: TCPTimeouts\nTcpExt: 3\n", NULL);
	assert_int_equal(run("retransmission-storm", &in, NULL, &o), 0);
	sample_free(&smp);
	sample_set(&smp, &in, 1.0, "Tcp: OutSegs RetransSegs\nTcp: 1000 100\n",
		   "Tcp: OutSegs RetransSegs\nTcp: 2000 150\n", "TcpExt: TCPTimeouts\nTcpExt: 0\n",
		   "TcpExt: TCPTimeouts\nTcpExt: 3\n", NULL);
	assert_int_equal(run("retransmission-storm", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_true(o.f[0].rate > 49.9 && o.f[0].rate < 50.1);
	sample_free(&smp);
	/* Handshake retransmits (SYN-ACKs to a flood) are not data loss. */
	sample_set(&smp, &in, 1.0, "Tcp: OutSegs RetransSegs\nTcp: 0 0\n",
		   "Tcp: OutSegs RetransSegs\nTcp: 1000 300\n",
		   "TcpExt: TCPSynRetrans\nTcpExt: 0\n", "TcpExt: TCPSynRetrans\nTcpExt: 260\n",
		   NULL);
	assert_int_equal(run("retransmission-storm", &in, NULL, &o), 1); /* 40 of 740: 5.4% */
	assert_true(o.f[0].rate > 39.9 && o.f[0].rate < 40.1);
	assert_true(has_evidence(&o.f[0], "TCPSynRetrans"));
	sample_free(&smp);
	sample_set(&smp, &in, 1.0, "Tcp: OutSegs RetransSegs\nTcp: 0 0\n",
		   "Tcp: OutSegs RetransSegs\nTcp: 1000 300\n",
		   "TcpExt: TCPSynRetrans\nTcpExt: 0\n", "TcpExt: TCPSynRetrans\nTcpExt: 291\n",
		   NULL);
	assert_int_equal(run("retransmission-storm", &in, NULL, &o), 0); /* 9 data/s */
	sample_free(&smp);
	/* A high ratio on an almost idle host (9/s) stays quiet. */
	sample_set(&smp, &in, 1.0, "Tcp: OutSegs RetransSegs\nTcp: 0 0\n",
		   "Tcp: OutSegs RetransSegs\nTcp: 10 9\n", NULL, NULL, NULL);
	assert_int_equal(run("retransmission-storm", &in, NULL, &o), 0);
	sample_free(&smp);
	/* 20%: critical; the worst peers come from tcp_info. */
	{
		struct td_sock s = mk(TD_ESTABLISHED, "192.0.2.1", 40000, "198.51.100.8", 443);

		s.flags = TD_SOCK_HAS_INFO;
		s.timer = TD_TIMER_RETRANS;
		s.info.total_retrans = 77;
		td_snapshot_add_owned(&snap, &s, 31, "fetch");
	}
	snprintf(b, sizeof(b), "Tcp: OutSegs RetransSegs\nTcp: %d %d\n", 1000, 200);
	sample_set(&smp, &in, 2.0, "Tcp: OutSegs RetransSegs\nTcp: 0 0\n", b, NULL, NULL, NULL);
	assert_int_equal(run("retransmission-storm", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	assert_string_equal(o.f[0].peer, "198.51.100.8:443");
	assert_int_equal(o.f[0].pid, 31);
	assert_true(has_evidence(&o.f[0], "worst peer"));
	sample_free(&smp);
	td_snapshot_free(&snap);
}

static void test_resets(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct sample smp;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	sample_set(&smp, &in, 2.0, "Tcp: OutRsts AttemptFails\nTcp: 0 0\n",
		   "Tcp: OutRsts AttemptFails\nTcp: 39 30\n", NULL, NULL, NULL);
	assert_int_equal(run("reset-storm", &in, NULL, &o), 0); /* 19.5/s */
	sample_free(&smp);
	sample_set(&smp, &in, 2.0, "Tcp: OutRsts AttemptFails\nTcp: 0 0\n",
		   "Tcp: OutRsts AttemptFails\nTcp: 40 30\n",
		   "TcpExt: TCPAbortOnMemory TCPAbortOnData\nTcpExt: 0 0\n",
		   "TcpExt: TCPAbortOnMemory TCPAbortOnData\nTcpExt: 0 10\n", NULL);
	assert_int_equal(run("reset-storm", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_true(has_evidence(&o.f[0], "AttemptFails"));
	assert_true(has_evidence(&o.f[0], "TCPAbortOnData"));
	assert_false(has_evidence(&o.f[0], "TCPAbortOnMemory")); /* zero: not shown */
	sample_free(&smp);
	/* Memory aborts make any storm critical. */
	sample_set(&smp, &in, 2.0, "Tcp: OutRsts\nTcp: 0\n", "Tcp: OutRsts\nTcp: 40\n",
		   "TcpExt: TCPAbortOnMemory\nTcpExt: 0\n", "TcpExt: TCPAbortOnMemory\nTcpExt: 1\n",
		   NULL);
	assert_int_equal(run("reset-storm", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	sample_free(&smp);
	/* 22 resets/s while 5000 connections/s open: 0.4 per hundred, the odd
	 * late segment of a busy host (ab -c1000 on nginx). */
	sample_set(&smp, &in, 1.0, "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 0 0 0\n",
		   "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 22 2500 2500\n", NULL, NULL, NULL);
	assert_int_equal(run("reset-storm", &in, NULL, &o), 0);
	sample_free(&smp);
	/* One reset per new connection (an application aborting each): a storm. */
	sample_set(&smp, &in, 1.0, "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 0 0 0\n",
		   "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 300 0 300\n", NULL, NULL, NULL);
	assert_int_equal(run("reset-storm", &in, NULL, &o), 1);
	assert_true(has_evidence(&o.f[0], "new connections"));
	sample_free(&smp);
	/* Past the critical rate too: 209/s among 26,000 new connections/s
	 * (ab -c1000 on both ends of a namespace) is under one per hundred. */
	sample_set(&smp, &in, 1.0, "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 0 0 0\n",
		   "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 209 13000 13000\n", NULL, NULL,
		   NULL);
	assert_int_equal(run("reset-storm", &in, NULL, &o), 0);
	sample_free(&smp);
	sample_set(&smp, &in, 1.0, "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 0 0 0\n",
		   "Tcp: OutRsts ActiveOpens PassiveOpens\nTcp: 250 2000 2000\n", NULL, NULL, NULL);
	assert_int_equal(run("reset-storm", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_CRITICAL);
	sample_free(&smp);
	td_snapshot_free(&snap);
}

/* ---- queues --------------------------------------------------------------------- */

static void test_queues(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct td_sock s;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	s = mk(TD_ESTABLISHED, "192.0.2.1", 40000, "198.51.100.4", 9000);
	s.wqueue = 262143;
	s.rqueue = 262143;
	td_snapshot_add_owned(&snap, &s, 8, "pump");
	assert_int_equal(run("send-queue-backlog", &in, NULL, &o), 0);
	assert_int_equal(run("recv-queue-backlog", &in, NULL, &o), 0);
	s.lport = 40001;
	s.wqueue = 262144;
	s.rqueue = 262144;
	td_snapshot_add_owned(&snap, &s, 8, "pump");
	/* Send-Q alone: info (could be a bulk transfer); Recv-Q: warning. */
	assert_int_equal(run("send-queue-backlog", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_INFO);
	assert_int_equal(o.f[0].port, 40001);
	assert_int_equal(run("recv-queue-backlog", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_int_equal(o.f[0].pid, 8);
	assert_non_null(strstr(o.f[0].summary, "pump[8] does not read"));
	/* The persist timer with one unanswered probe: flow control, still info. */
	s.lport = 40002;
	s.wqueue = 300000;
	s.timer = TD_TIMER_PROBE0;
	s.flags = TD_SOCK_HAS_INFO;
	s.info.probes = 1;
	td_snapshot_add_owned(&snap, &s, 8, "pump");
	assert_int_equal(run("send-queue-backlog", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_INFO);
	assert_int_equal(o.f[0].count, 2);
	/* Two unanswered probes: the peer does not read. */
	s.lport = 40003;
	s.info.probes = 2;
	td_snapshot_add_owned(&snap, &s, 8, "pump");
	assert_int_equal(run("send-queue-backlog", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	assert_int_equal(o.f[0].count, 3);
	assert_non_null(strstr(o.f[0].summary, "window stays zero"));
	assert_true(has_evidence(&o.f[0], "window probes"));
	{
		bool route = false;

		for (size_t k = 0; k < o.f[0].nactions; k++)
			route |= !!strstr(o.f[0].actions[k], "tcpdoctor route 198.51.100.4:9000");
		assert_true(route); /* client side: the service's address and port */
	}
	td_snapshot_free(&snap);

	/* Server side: never a traceroute to the client's ephemeral port. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 8080, 0, 511, 3, "web");
	s = mk(TD_ESTABLISHED, "192.0.2.1", 8080, "198.51.100.4", 51234);
	s.wqueue = 4000000;
	td_snapshot_add_owned(&snap, &s, 3, "web");
	assert_int_equal(run("send-queue-backlog", &in, NULL, &o), 1);
	for (size_t k = 0; k < o.f[0].nactions; k++)
		assert_null(strstr(o.f[0].actions[k], ":51234"));
	{
		bool route = false;

		for (size_t k = 0; k < o.f[0].nactions; k++)
			route |= strstr(o.f[0].actions[k], "tcpdoctor route 192.0.2.1:8080") &&
				 strstr(o.f[0].actions[k], "run on 198.51.100.4");
		assert_true(route);
	}
	td_snapshot_free(&snap);
}

/* ---- settings ------------------------------------------------------------------- */

static void test_settings(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 25, 0, 16, 2, "mta");
	input_init(&in, &snap);
	assert_int_equal(run("listen-backlog-too-small", &in, NULL, &o), 0);
	add_listener(&snap, 26, 0, 15, 2, "mta");
	assert_int_equal(run("listen-backlog-too-small", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_INFO);
	assert_int_equal(o.f[0].port, 26);
	/* Four listeners with a small backlog: one finding listing them, not
	 * four copies of the same Why. */
	add_listener(&snap, 27, 0, 5, 3, "a");
	add_listener(&snap, 28, 0, 5, 4, "b");
	add_listener(&snap, 29, 0, 5, 5, "c");
	assert_int_equal(run("listen-backlog-too-small", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 4);
	assert_non_null(strstr(o.f[0].summary, "4 listeners"));
	{
		size_t listed = 0;

		for (size_t k = 0; k < o.f[0].nevidence; k++)
			listed += !strcmp(o.f[0].evidence[k].key, "listener");
		assert_int_equal(listed, 4);
	}
	td_snapshot_free(&snap);
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 25, 0, 16, 2, "mta");
	add_listener(&snap, 26, 0, 15, 2, "mta");

	in.sysctl.port_lo = 10000;
	in.sysctl.port_hi = 26383; /* 16384 ports */
	assert_int_equal(run("ephemeral-range-narrow", &in, NULL, &o), 0);
	in.sysctl.port_hi = 26382;
	assert_int_equal(run("ephemeral-range-narrow", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 16383);
	in.sysctl.port_lo = -1;
	assert_int_equal(run("ephemeral-range-narrow", &in, NULL, &o), 0);

	assert_int_equal(run("syncookies-off", &in, NULL, &o), 0);
	in.sysctl.syncookies = 2;
	assert_int_equal(run("syncookies-off", &in, NULL, &o), 0);
	in.sysctl.syncookies = -1;
	assert_int_equal(run("syncookies-off", &in, NULL, &o), 0);
	in.sysctl.syncookies = 0;
	assert_int_equal(run("syncookies-off", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].severity, TD_SEV_WARNING);
	td_snapshot_free(&snap);
}

static void test_risky_sysctl(void **state)
{
	size_t n = td_sysctl_count();
	struct td_sysctl_value *values = calloc(n, sizeof(*values));
	struct td_sysctl_finding *audit = calloc(n, sizeof(*audit));
	const struct td_sysctl_entry *fin = td_sysctl_find("net.ipv4.tcp_fin_timeout");
	const struct td_sysctl_entry *cookies = td_sysctl_find("net.ipv4.tcp_syncookies");
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;

	(void)state;
	assert_non_null(values);
	assert_non_null(audit);
	assert_non_null(fin);
	assert_non_null(cookies);
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	/* No audit: nothing to say. */
	assert_int_equal(run("risky-sysctl", &in, NULL, &o), 0);
	/* Every value absent, fin_timeout at the kernel default: quiet. */
	values[fin - td_sysctl_entry_at(0)] = (struct td_sysctl_value){ .n = 1, .v = { 60 } };
	td_sysctl_audit(values, TD_PROFILE_SERVER, audit);
	in.audit = audit;
	in.naudit = n;
	in.profile = TD_PROFILE_SERVER;
	assert_int_equal(run("risky-sysctl", &in, NULL, &o), 0);
	/* tcp_fin_timeout far outside the range; syncookies off is left to its
	 * own rule. */
	values[fin - td_sysctl_entry_at(0)].v[0] = 100000;
	values[cookies - td_sysctl_entry_at(0)] = (struct td_sysctl_value){ .n = 1, .v = { 0 } };
	td_sysctl_audit(values, TD_PROFILE_SERVER, audit);
	assert_int_equal(run("risky-sysctl", &in, NULL, &o), 1);
	assert_true(o.f[0].severity == TD_SEV_WARNING || o.f[0].severity == TD_SEV_INFO);
	assert_non_null(strstr(o.f[0].summary, "net.ipv4.tcp_fin_timeout = 100000"));
	assert_non_null(strstr(o.f[0].actions[0], "sysctl -w net.ipv4.tcp_fin_timeout="));
	free(values);
	free(audit);
	td_snapshot_free(&snap);
}

/* ---- the table, thresholds, healthy input --------------------------------------- */

static void test_table_and_thresholds(void **state)
{
	struct td_thresholds t;
	struct td_err err = { 0 };
	size_t n;
	const struct td_rule *r = td_rules(&n);

	(void)state;
	assert_true(n >= 15 && n <= TD_RULES_MAX);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(r[i].fn);
		assert_non_null(r[i].title);
		assert_ptr_equal(td_rule_find(r[i].id), &r[i]);
		for (size_t k = i + 1; k < n; k++)
			assert_string_not_equal(r[i].id, r[k].id);
		for (size_t k = 0; k < TD_RULE_MAX_PARAMS && r[i].params[k].name; k++) {
			assert_non_null(r[i].params[k].why);
			assert_non_null(r[i].params[k].unit);
		}
	}
	assert_null(td_rule_find("nope"));
	td_thresholds_init(&t);
	assert_true(t.v[rule_index("close-wait-leak")][0] == 4);
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak.min=20", &err), 0);
	assert_true(t.v[rule_index("close-wait-leak")][0] == 20);
	assert_int_equal(td_thresholds_set(&t, "time-wait-pressure.critical=0.95", &err), 0);
	assert_true(t.v[rule_index("time-wait-pressure")][1] == 0.95);
	assert_int_equal(td_thresholds_set(&t, "nope.min=1", &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no rule 'nope'"));
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak.max=1", &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no threshold 'max'"));
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak.min=x", &err), -TD_EPARSE);
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak.min=-1", &err), -TD_EPARSE);
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak.min=", &err), -TD_EPARSE);
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak.min=nan", &err), -TD_EPARSE);
	assert_int_equal(td_thresholds_set(&t, "close-wait-leak", &err), -TD_EPARSE);
	assert_int_equal(td_thresholds_set(&t, "min=3", &err), -TD_EPARSE);
	assert_int_equal(td_thresholds_set(&t, "syncookies-off.x=1", &err), -TD_ENOTFOUND);
	assert_true(t.v[rule_index("close-wait-leak")][0] == 20); /* errors change nothing */
	assert_string_equal(td_severity_name(TD_SEV_CRITICAL), "critical");
	assert_string_equal(td_severity_name(TD_SEV_INFO), "info");
	assert_string_equal(td_severity_name((enum td_severity)9), "unknown");
}

static void test_healthy_host(void **state)
{
	static const char snmp_a[] =
		"Tcp: OutSegs RetransSegs OutRsts EstabResets AttemptFails\nTcp: 1000 1 0 0 0\n";
	static const char snmp_b[] =
		"Tcp: OutSegs RetransSegs OutRsts EstabResets AttemptFails\nTcp: 1500 2 1 0 1\n";
	static const char net_a[] = "TcpExt: ListenOverflows ListenDrops SyncookiesSent "
				    "TCPTimeWaitOverflow\nTcpExt: 0 0 0 0\n";
	struct td_snapshot snap;
	struct td_rule_input in;
	struct sample smp;
	struct out o;

	(void)state;
	/* A web server: a listener, a few clients, a little churn. */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 443, 0, 511, 10, "nginx");
	add_listener(&snap, 22, 0, 128, 11, "sshd");
	add_n(&snap, 40, TD_ESTABLISHED, 443, "198.51.100.20", 0, 10, "nginx");
	add_n(&snap, 3, TD_TIME_WAIT, 443, "198.51.100.21", 0, 0, NULL);
	add_n(&snap, 2, TD_FIN_WAIT2, 443, "198.51.100.22", 0, 0, NULL);
	add_n(&snap, 1, TD_CLOSE_WAIT, 443, "198.51.100.23", 0, 10, "nginx");
	add_n(&snap, 1, TD_SYN_RECV, 443, "198.51.100.24", 0, 0, NULL);
	add_n(&snap, 2, TD_ESTABLISHED, 0, "203.0.113.5", 5432, 10, "nginx");
	add_n(&snap, 1, TD_SYN_SENT, 0, "203.0.113.6", 443, 12, "curl");
	input_init(&in, &snap);
	sample_set(&smp, &in, 1.0, snmp_a, snmp_b, net_a, net_a,
		   "TCP: inuse 50 orphan 2 tw 3 alloc 60 mem 4\n");
	memset(&o, 0, sizeof(o));
	assert_int_equal(td_rules_run(&in, NULL, collect, &o), 0);
	if (o.n)
		fail_msg("healthy host gave %s: %s", o.f[0].rule, o.f[0].summary);
	sample_free(&smp);
	td_snapshot_free(&snap);
}

/* The callback's non-zero return stops the run and comes back. */
static int stop_cb(const struct td_finding *f, void *ctx)
{
	(void)f;
	++*(int *)ctx;
	return 7;
}

static void test_callback_stops(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	int calls = 0;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	in.sysctl.syncookies = 0;
	in.sysctl.port_hi = 32800;
	assert_int_equal(td_rules_run(&in, NULL, stop_cb, &calls), 7);
	assert_int_equal(calls, 1);
	assert_int_equal(td_rule_run_one(999, &in, NULL, stop_cb, &calls), -EINVAL);
	td_snapshot_free(&snap);
}

/* ---- sysctl reader -------------------------------------------------------------- */

static void put(const char *root, const char *path, const char *text)
{
	char full[512];
	FILE *fp;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	fp = fopen(full, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_sysctls_read(void **state)
{
	char root[] = "/tmp/td-rules-XXXXXX", d[600];
	struct td_rule_sysctls sc;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(d, sizeof(d), "%s/net", root);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(d, sizeof(d), "%s/net/ipv4", root);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(d, sizeof(d), "%s/net/core", root);
	assert_int_equal(mkdir(d, 0755), 0);
	put(root, "net/ipv4/ip_local_port_range", "32768\t60999\n");
	put(root, "net/ipv4/tcp_syncookies", "1\n");
	put(root, "net/core/somaxconn", "4096\n");
	put(root, "net/ipv4/tcp_fin_timeout", "garbage\n");
	td_rule_sysctls_init(&sc);
	assert_int_equal(sc.somaxconn, -1);
	assert_int_equal(td_rule_sysctls_read(&sc, root), 3);
	assert_int_equal(sc.port_lo, 32768);
	assert_int_equal(sc.port_hi, 60999);
	assert_int_equal(sc.syncookies, 1);
	assert_int_equal(sc.somaxconn, 4096);
	assert_int_equal(sc.fin_timeout, -1);	 /* unparsable stays unknown */
	assert_int_equal(sc.max_tw_buckets, -1); /* missing stays unknown */
	/* A range with one number is no range. */
	put(root, "net/ipv4/ip_local_port_range", "32768\n");
	td_rule_sysctls_init(&sc);
	assert_int_equal(td_rule_sysctls_read(&sc, root), 2);
	assert_int_equal(sc.port_lo, -1);
	assert_int_equal(sc.port_hi, -1);
	snprintf(d, sizeof(d), "rm -rf '%s'", root);
	assert_int_equal(system(d), 0);
}

/* The findings vector check, serve and record share: grows, sorts worst
 * first (then by count, then table order), names the worst severity. */
static void test_findings_vector(void **state)
{
	struct td_findings fs = { 0 };
	struct td_finding f;
	static const struct {
		const char *id;
		enum td_severity sev;
		uint64_t count;
	} in[] = {
		{ "a", TD_SEV_INFO, 1 },    { "b", TD_SEV_WARNING, 2 }, { "c", TD_SEV_CRITICAL, 1 },
		{ "d", TD_SEV_WARNING, 5 }, { "e", TD_SEV_WARNING, 2 }, { "f", TD_SEV_INFO, 1 },
		{ "g", TD_SEV_INFO, 1 },    { "h", TD_SEV_INFO, 1 },	{ "i", TD_SEV_INFO, 9 },
	};
	static const char want[] = "cdbeiafgh";

	(void)state;
	assert_int_equal(td_findings_worst(&fs), TD_SEV_OK);
	assert_int_equal(td_findings_sort(&fs), 0);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.rule = in[i].id;
		f.severity = in[i].sev;
		f.count = in[i].count;
		assert_int_equal(td_findings_add(&f, &fs), 0);
	}
	assert_int_equal(fs.n, sizeof(in) / sizeof(in[0]));
	assert_true(fs.cap >= fs.n);
	assert_int_equal(td_findings_worst(&fs), TD_SEV_CRITICAL);
	assert_int_equal(td_findings_sort(&fs), 0);
	for (size_t i = 0; i < fs.n; i++)
		assert_int_equal(fs.v[i].rule[0], want[i]);
	td_findings_free(&fs);
	assert_null(fs.v);
	assert_int_equal(fs.n, 0);
}

/* ---- confirmation by a second read ---------------------------------------------- */

/* n client sockets in state towards raddr:rport with cookies first.. and
 * tcp_info (idle 0, bytes_acked acked, bytes_received recv). */
static void add_cookies(struct td_snapshot *snap, int n, int state, const char *raddr,
			uint16_t rport, uint64_t first, uint32_t pid, const char *comm,
			uint64_t acked)
{
	for (int i = 0; i < n; i++) {
		struct td_sock s = mk(state, "127.0.0.1", (uint16_t)(40000 + i), raddr, rport);

		s.cookie = first + (uint64_t)i;
		s.flags = TD_SOCK_HAS_COOKIE | TD_SOCK_HAS_INFO;
		s.info.bytes_acked = acked;
		assert_int_equal(td_snapshot_add_owned(snap, &s, pid, comm), 0);
	}
}

/* The second read: the same sockets (cookies first..) seen again, idle for
 * idle ms. */
static void again_idle(struct td_snapshot *snap, int n, int state, const char *raddr,
		       uint16_t rport, uint64_t first, uint64_t acked, uint32_t idle)
{
	for (int i = 0; i < n; i++) {
		struct td_sock s = mk(state, "127.0.0.1", (uint16_t)(40000 + i), raddr, rport);

		s.cookie = first + (uint64_t)i;
		s.flags = TD_SOCK_HAS_COOKIE | TD_SOCK_HAS_INFO;
		s.info.bytes_acked = acked;
		s.info.last_data_recv_ms = s.info.last_data_sent_ms = idle;
		assert_int_equal(td_snapshot_confirm_cb(&s, snap), 0);
	}
}

static void again(struct td_snapshot *snap, int n, int state, const char *raddr, uint16_t rport,
		  uint64_t first, uint64_t acked)
{
	again_idle(snap, n, state, raddr, rport, first, acked, 0);
}

static void test_confirm_close_wait(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;

	(void)state;
	/* ab: 55 outgoing sockets in CLOSE_WAIT at the first read, idle 0.0 s,
	 * all closed a sample later: a busy client, not a leak. */
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	in.elapsed = 1.0;
	add_cookies(&snap, 55, TD_CLOSE_WAIT, "127.0.0.1", 80, 100, 7, "ab", 0);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1); /* one read: as before */
	snap.confirmed = true;
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 0);
	/* Six of them still there, idle a second: it closed the other 49
	 * during the sample, these are on their way (ab -c1000 on a busy core). */
	again_idle(&snap, 6, TD_CLOSE_WAIT, "127.0.0.1", 80, 100, 0, 1200);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
	td_snapshot_init(&snap, NULL);
	add_cookies(&snap, 55, TD_CLOSE_WAIT, "127.0.0.1", 80, 100, 7, "ab", 0);
	snap.confirmed = true;
	/* Six still there and idle for a minute: the leak, named by the
	 * service that closed. */
	again_idle(&snap, 6, TD_CLOSE_WAIT, "127.0.0.1", 80, 100, 0, 60000);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 6);
	assert_string_equal(o.f[0].peer, "127.0.0.1:80");
	assert_true(has_evidence(&o.f[0], "peer service"));
	assert_non_null(strstr(o.f[0].summary, "ab[7]"));
	/* A socket seen twice counts once; another state is not the same. */
	again_idle(&snap, 6, TD_CLOSE_WAIT, "127.0.0.1", 80, 100, 0, 60000);
	again(&snap, 3, TD_LAST_ACK, "127.0.0.1", 80, 110, 0);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 6);
	/* Most of what the first read saw still there: a leak, however young. */
	again(&snap, 28, TD_CLOSE_WAIT, "127.0.0.1", 80, 100, 0);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 28);
	td_snapshot_free(&snap);

	/* The sockets ab opened after the owner walk have no owner: 49 of them
	 * still there, young, while ab closed most of its 500. One side, one
	 * judgement: no leak. */
	td_snapshot_init(&snap, NULL);
	add_cookies(&snap, 500, TD_CLOSE_WAIT, "127.0.0.1", 8080, 1000, 7, "ab", 0);
	add_cookies(&snap, 49, TD_CLOSE_WAIT, "127.0.0.1", 8080, 5000, 0, NULL, 0);
	snap.confirmed = true;
	again_idle(&snap, 10, TD_CLOSE_WAIT, "127.0.0.1", 8080, 1000, 0, 1400);
	again_idle(&snap, 49, TD_CLOSE_WAIT, "127.0.0.1", 8080, 5000, 0, 1400);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
	/* Unless they are old: idle 6 s at the second read. */
	td_snapshot_init(&snap, NULL);
	add_cookies(&snap, 500, TD_CLOSE_WAIT, "127.0.0.1", 8080, 1000, 7, "ab", 0);
	add_cookies(&snap, 49, TD_CLOSE_WAIT, "127.0.0.1", 8080, 5000, 0, NULL, 0);
	snap.confirmed = true;
	again_idle(&snap, 10, TD_CLOSE_WAIT, "127.0.0.1", 8080, 1000, 0, 1400);
	again_idle(&snap, 49, TD_CLOSE_WAIT, "127.0.0.1", 8080, 5000, 0, 6000);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 49);
	td_snapshot_free(&snap);

	/* A client-side leak towards redis names 127.0.0.1:6379 even unconfirmed. */
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	add_cookies(&snap, 5, TD_CLOSE_WAIT, "127.0.0.1", 6379, 1, 9, "pool", 0);
	assert_int_equal(run("close-wait-leak", &in, NULL, &o), 1);
	assert_string_equal(o.f[0].peer, "127.0.0.1:6379");
	td_snapshot_free(&snap);
}

static void test_confirm_fin_wait1(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;
	char buf[64];

	(void)state;
	/* nginx orphans closing with data queued: still FIN_WAIT1 a second
	 * later, but the peer acknowledged more: it reads, nothing is stuck. */
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	in.elapsed = 1.0;
	in.sysctl.max_orphans = -1; /* hidden outside the initial namespace */
	add_cookies(&snap, 50, TD_FIN_WAIT1, "127.0.0.1", 51000, 1000, 0, NULL, 5000);
	snap.confirmed = true;
	again(&snap, 50, TD_FIN_WAIT1, "127.0.0.1", 51000, 1000, 9000);
	assert_int_equal(run("fin-wait1-piling", &in, NULL, &o), 0);
	td_snapshot_free(&snap);

	/* The same with a peer that acknowledges nothing: stuck. */
	td_snapshot_init(&snap, NULL);
	add_cookies(&snap, 50, TD_FIN_WAIT1, "127.0.0.1", 51000, 1000, 0, NULL, 5000);
	snap.confirmed = true;
	again(&snap, 40, TD_FIN_WAIT1, "127.0.0.1", 51000, 1000, 5000);
	in.snap = &snap;
	assert_int_equal(run("fin-wait1-piling", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 40);
	/* An unknown tcp_max_orphans is said as unknown, never -1 (the gauge
	 * comes from sockstat). */
	{
		struct sample smp;

		sample_set(&smp, &in, 1.0, NULL, NULL, NULL, NULL,
			   "TCP: inuse 5 orphan 64 tw 0 alloc 5 mem 1\n");
		assert_int_equal(run("fin-wait1-piling", &in, NULL, &o), 1);
		for (size_t k = 0; k < o.f[0].nevidence; k++)
			if (!strcmp(o.f[0].evidence[k].key, "orphans")) {
				snprintf(buf, sizeof(buf), "%s", o.f[0].evidence[k].value);
				assert_non_null(strstr(buf, "unknown"));
				assert_null(strstr(buf, "-1"));
			}
		assert_true(has_evidence(&o.f[0], "orphans"));
		sample_free(&smp);
	}
	td_snapshot_free(&snap);
}

/* nginx closing first on ab -c1000: hundreds of FIN_WAIT2 orphans wait for
 * ab's FIN; most get it during the sample, the rest are young. */
static void test_confirm_slow_peers(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct out o;

	(void)state;
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	in.elapsed = 1.6;
	add_cookies(&snap, 500, TD_FIN_WAIT2, "127.0.0.1", 51000, 1, 0, NULL, 0);
	snap.confirmed = true;
	again_idle(&snap, 165, TD_FIN_WAIT2, "127.0.0.1", 51000, 1, 0, 1600);
	assert_int_equal(run("fin-wait2-piling", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
	/* The same left over, but old: peers that never close. */
	td_snapshot_init(&snap, NULL);
	add_cookies(&snap, 500, TD_FIN_WAIT2, "127.0.0.1", 51000, 1, 0, NULL, 0);
	snap.confirmed = true;
	again_idle(&snap, 165, TD_FIN_WAIT2, "127.0.0.1", 51000, 1, 0, 20000);
	assert_int_equal(run("fin-wait2-piling", &in, NULL, &o), 1);
	assert_int_equal(o.f[0].count, 165);
	td_snapshot_free(&snap);
}

static void test_confirm_recv_queue(void **state)
{
	struct td_snapshot snap;
	struct td_rule_input in;
	struct td_sock s, s2;
	struct out o;

	(void)state;
	/* wrk behind: 2.5 MB waiting at both reads, but it read 40 MB between. */
	td_snapshot_init(&snap, NULL);
	input_init(&in, &snap);
	s = mk(TD_ESTABLISHED, "127.0.0.1", 38990, "127.0.0.1", 8080);
	s.cookie = 77;
	s.flags = TD_SOCK_HAS_COOKIE | TD_SOCK_HAS_INFO;
	s.rqueue = 2554507;
	s.info.bytes_received = 10000000;
	td_snapshot_add_owned(&snap, &s, 5, "wrk");
	assert_int_equal(run("recv-queue-backlog", &in, NULL, &o), 1);
	snap.confirmed = true;
	assert_int_equal(run("recv-queue-backlog", &in, NULL, &o), 0); /* not seen again */
	s2 = s;
	s2.info.bytes_received = 50000000;
	assert_int_equal(td_snapshot_confirm_cb(&s2, &snap), 0);
	assert_int_equal(run("recv-queue-backlog", &in, NULL, &o), 0);
	/* Nothing read between the reads (more arrived, all still queued). */
	s2.info.bytes_received = s.info.bytes_received + 1000;
	s2.rqueue = s.rqueue + 1000;
	assert_int_equal(td_snapshot_confirm_cb(&s2, &snap), 0);
	assert_int_equal(run("recv-queue-backlog", &in, NULL, &o), 1);
	assert_non_null(strstr(o.f[0].summary, "wrk[5] does not read"));
	/* But it read another of its sockets meanwhile: behind, not stopped. */
	s.cookie = 78;
	s.lport = 38991;
	s.rqueue = 1000000;
	td_snapshot_add_owned(&snap, &s, 5, "wrk");
	s2 = s;
	s2.info.bytes_received += 5000000;
	assert_int_equal(td_snapshot_confirm_cb(&s2, &snap), 0);
	assert_int_equal(run("recv-queue-backlog", &in, NULL, &o), 0);
	td_snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_wait_leak),
		cmocka_unit_test(test_time_wait_pressure),
		cmocka_unit_test(test_accept_queue),
		cmocka_unit_test(test_syn_flood),
		cmocka_unit_test(test_syn_sent_stuck),
		cmocka_unit_test(test_pilings),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_half_open),
		cmocka_unit_test(test_retransmissions),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_queues),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_risky_sysctl),
		cmocka_unit_test(test_table_and_thresholds),
		cmocka_unit_test(test_healthy_host),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_sysctls_read),
		cmocka_unit_test(test_findings_vector),
		cmocka_unit_test(test_confirm_close_wait),
		cmocka_unit_test(test_confirm_fin_wait1),
		cmocka_unit_test(test_confirm_recv_queue),
		cmocka_unit_test(test_confirm_slow_peers),
		cmocka_unit_test(test_time_wait_reuse),
		cmocka_unit_test(test_accept_queue_drops_syns),
		cmocka_unit_test(test_syn_retry_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

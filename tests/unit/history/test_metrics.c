/* Unit tests for the Prometheus exposition: hand-built snapshots, counters
 * parsed from text, findings made here. Checks HELP/TYPE per family, label
 * escaping, top N with "other", listeners summed per port, counter names
 * (snake_case, _total only on counters), findings at 0 for quiet rules. */
#include <arpa/inet.h>
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

#include "history/metrics.h"

static struct td_sock mk(int state, uint16_t lport, const char *raddr, uint16_t rport)
{
	struct td_sock s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.state = (uint8_t)state;
	s.lport = lport;
	s.rport = rport;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", s.laddr), 1);
	assert_int_equal(inet_pton(AF_INET, raddr, s.raddr), 1);
	return s;
}

static void add_listener(struct td_snapshot *snap, uint16_t port, uint32_t q, uint32_t backlog)
{
	struct td_sock s = mk(TD_LISTEN, port, "0.0.0.0", 0);

	s.rqueue = q;
	s.wqueue = backlog;
	s.flags = TD_SOCK_HAS_BACKLOG;
	s.inode = 5000 + port + q;
	assert_int_equal(td_snapshot_add_owned(snap, &s, 0, NULL), 0);
}

/* n sockets in state on local port lport (server side when a listener has
 * it), owned by pid/comm. */
static void add_many(struct td_snapshot *snap, int state, uint16_t lport, int n, uint32_t pid,
		     const char *comm)
{
	for (int i = 0; i < n; i++) {
		char peer[32];
		struct td_sock s;

		snprintf(peer, sizeof(peer), "198.51.100.%d", 1 + i % 250);
		s = mk(state, lport, peer, (uint16_t)(40000 + i));
		assert_int_equal(td_snapshot_add_owned(snap, &s, pid, comm), 0);
	}
}

static char *render(const struct td_metrics_input *in)
{
	struct td_mbuf b = { 0 };

	assert_int_equal(td_metrics_render(in, &b), 0);
	assert_non_null(b.p);
	assert_int_equal(strlen(b.p), b.len);
	return b.p;
}

/* The line that starts with prefix (a metric and its labels), or NULL. */
static const char *line_of(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, n) && p[n] == ' ')
			return p;
	return NULL;
}

static double value_of(const char *text, const char *prefix)
{
	const char *l = line_of(text, prefix);

	if (!l)
		fail_msg("no line '%s'", prefix);
	return strtod(l + strlen(prefix) + 1, NULL);
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, len))
			n++;
	return n;
}

/* Every sample line belongs to the family announced by the last TYPE line,
 * and every TYPE follows its HELP. */
static void assert_well_formed(const char *text)
{
	char family[256] = "";
	char help_of[256] = "";
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len;

		assert_non_null(nl);
		len = (size_t)(nl - p);
		if (!strncmp(p, "# HELP ", 7)) {
			sscanf(p + 7, "%255s", help_of);
		} else if (!strncmp(p, "# TYPE ", 7)) {
			char type[32];

			assert_int_equal(sscanf(p + 7, "%255s %31s", family, type), 2);
			assert_string_equal(family, help_of);
			assert_true(!strcmp(type, "gauge") || !strcmp(type, "counter"));
			if (!strcmp(type, "counter"))
				assert_non_null(strstr(family, "_total"));
			else
				assert_null(strstr(family, "_total"));
		} else {
			size_t fl = strlen(family);

			assert_true(fl > 0);
			assert_true(len > fl);
			assert_memory_equal(p, family, fl);
			assert_true(p[fl] == ' ' || p[fl] == '{');
		}
		p = nl + 1;
	}
}

static void test_states_and_families(void **state)
{
	struct td_metrics_input in = { .have_states = true, .version = "1.2", .source = "netlink" };
	char *t;

	(void)state;
	in.fam_counts[0][TD_ESTABLISHED] = 7;
	in.fam_counts[1][TD_CLOSE_WAIT] = 3;
	in.fam_counts[0][TD_NEW_SYN_RECV] = 99; /* folded already: never exported */
	t = render(&in);
	assert_well_formed(t);
	assert_int_equal(value_of(t, "tcpdoctor_sockets{state=\"ESTABLISHED\",family=\"ipv4\"}"),
			 7);
	assert_int_equal(value_of(t, "tcpdoctor_sockets{state=\"CLOSE_WAIT\",family=\"ipv6\"}"), 3);
	assert_int_equal(value_of(t, "tcpdoctor_sockets{state=\"CLOSE_WAIT\",family=\"ipv4\"}"), 0);
	/* 11 states x 2 families, always (a series never vanishes). */
	assert_int_equal(count_lines(t, "tcpdoctor_sockets{"), 22);
	assert_null(strstr(t, "NEW_SYN_RECV"));
	assert_non_null(line_of(t, "tcpdoctor_build_info{version=\"1.2\",source=\"netlink\"}"));
	assert_non_null(strstr(t, "# TYPE tcpdoctor_scrape_errors_total counter\n"));
	/* No snapshot, no counters, no rules: those families are absent. */
	assert_null(strstr(t, "tcpdoctor_listen_accept_queue"));
	assert_null(strstr(t, "tcpdoctor_finding"));
	assert_null(strstr(t, "tcpdoctor_snmp_"));
	free(t);
}

static void test_states_absent(void **state)
{
	struct td_metrics_input in = { .scrape_errors = 2, .scrapes = 5 };
	char *t;

	(void)state;
	t = render(&in);
	assert_well_formed(t);
	assert_null(strstr(t, "tcpdoctor_sockets{"));
	assert_int_equal(value_of(t, "tcpdoctor_scrape_errors_total"), 2);
	assert_int_equal(value_of(t, "tcpdoctor_scrapes_total"), 5);
	assert_non_null(line_of(t, "tcpdoctor_build_info{version=\"unknown\",source=\"none\"}"));
	free(t);
}

static void test_listeners_summed_per_port(void **state)
{
	struct td_snapshot snap;
	struct td_metrics_input in = { 0 };
	char *t;

	(void)state;
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 8080, 3, 128);
	add_listener(&snap, 8080, 2, 128); /* the IPv6 twin, or SO_REUSEPORT */
	add_listener(&snap, 22, 0, 4096);
	in.snap = &snap;
	t = render(&in);
	assert_well_formed(t);
	assert_int_equal(
		value_of(t, "tcpdoctor_listen_accept_queue{port=\"8080\",address=\"192.0.2.1\"}"),
		5);
	assert_int_equal(
		value_of(t, "tcpdoctor_listen_backlog{port=\"8080\",address=\"192.0.2.1\"}"), 256);
	assert_int_equal(
		value_of(t, "tcpdoctor_listen_accept_queue{port=\"22\",address=\"192.0.2.1\"}"), 0);
	assert_int_equal(value_of(t, "tcpdoctor_listen_backlog{port=\"22\",address=\"192.0.2.1\"}"),
			 4096);
	/* Fullest first. */
	assert_true(strstr(t, "{port=\"8080\",address=\"192.0.2.1\"}") <
		    strstr(t, "{port=\"22\",address=\"192.0.2.1\"}"));
	assert_null(strstr(t, "{port=\"other\"}"));
	free(t);
	td_snapshot_free(&snap);
}

static void test_many_listeners_bounded(void **state)
{
	struct td_snapshot snap;
	struct td_metrics_input in = { 0 };
	char *t;

	(void)state;
	td_snapshot_init(&snap, NULL);
	for (int p = 0; p < TD_METRICS_MAX_LISTEN_PORTS + 20; p++)
		add_listener(&snap, (uint16_t)(10000 + p), p == 50 ? 9 : 1, 16);
	in.snap = &snap;
	t = render(&in);
	assert_int_equal(count_lines(t, "tcpdoctor_listen_accept_queue{"),
			 TD_METRICS_MAX_LISTEN_PORTS + 1);
	assert_int_equal(
		value_of(t, "tcpdoctor_listen_accept_queue{port=\"10050\",address=\"192.0.2.1\"}"),
		9);
	assert_int_equal(value_of(t, "tcpdoctor_listen_accept_queue{port=\"other\"}"), 20);
	assert_int_equal(value_of(t, "tcpdoctor_listen_backlog{port=\"other\"}"), 20 * 16);
	free(t);
	td_snapshot_free(&snap);
}

/* Listeners on one port at different addresses are separate series: the
 * loopback one may be full while the public one idles. */
static void test_listeners_by_address(void **state)
{
	struct td_snapshot snap;
	struct td_metrics_input in = { 0 };
	struct td_sock s;
	char *t;

	(void)state;
	td_snapshot_init(&snap, NULL);
	s = mk(TD_LISTEN, 80, "0.0.0.0", 0);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", s.laddr), 1);
	s.rqueue = 7;
	s.wqueue = 8;
	s.flags = TD_SOCK_HAS_BACKLOG;
	s.inode = 1;
	assert_int_equal(td_snapshot_add_owned(&snap, &s, 0, NULL), 0);
	memset(&s, 0, sizeof(s));
	s.family = AF_INET6;
	s.state = TD_LISTEN;
	s.lport = 80;
	assert_int_equal(inet_pton(AF_INET6, "::1", s.laddr), 1);
	s.rqueue = 0;
	s.wqueue = 511;
	s.flags = TD_SOCK_HAS_BACKLOG;
	s.inode = 2;
	assert_int_equal(td_snapshot_add_owned(&snap, &s, 0, NULL), 0);
	in.snap = &snap;
	t = render(&in);
	assert_well_formed(t);
	assert_int_equal(
		value_of(t, "tcpdoctor_listen_accept_queue{port=\"80\",address=\"127.0.0.1\"}"), 7);
	assert_int_equal(value_of(t, "tcpdoctor_listen_backlog{port=\"80\",address=\"127.0.0.1\"}"),
			 8);
	assert_int_equal(value_of(t, "tcpdoctor_listen_accept_queue{port=\"80\",address=\"::1\"}"),
			 0);
	assert_int_equal(value_of(t, "tcpdoctor_listen_backlog{port=\"80\",address=\"::1\"}"), 511);
	assert_int_equal(count_lines(t, "tcpdoctor_listen_accept_queue{"), 2);
	free(t);
	td_snapshot_free(&snap);
}

static void test_top_with_other(void **state)
{
	struct td_snapshot snap;
	struct td_metrics_input in = { .top = 2 };
	struct td_top_entry v[2];
	uint64_t other;
	size_t n;
	char *t;

	(void)state;
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 5000, 0, 128);
	add_listener(&snap, 5001, 0, 128);
	add_listener(&snap, 5002, 0, 128);
	/* Server side: the listener's port. Two pids of "web" fold into one. */
	add_many(&snap, TD_CLOSE_WAIT, 5000, 6, 100, "web");
	add_many(&snap, TD_CLOSE_WAIT, 5000, 4, 101, "web");
	add_many(&snap, TD_CLOSE_WAIT, 5001, 3, 200, "api\"x\\y");
	add_many(&snap, TD_CLOSE_WAIT, 5002, 1, 0, NULL);
	/* Client side: every ephemeral port is one group. */
	add_many(&snap, TD_TIME_WAIT, 41000, 5, 0, NULL);

	assert_int_equal(td_metrics_top(&snap, TD_CLOSE_WAIT, TD_TOPBY_PORT, 2, v, &n, &other), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].key, "5000");
	assert_int_equal(v[0].count, 10);
	assert_string_equal(v[1].key, "5001");
	assert_int_equal(other, 1);
	assert_int_equal(td_metrics_top(&snap, TD_CLOSE_WAIT, TD_TOPBY_PROCESS, 2, v, &n, &other),
			 0);
	assert_string_equal(v[0].key, "web");
	assert_int_equal(v[0].count, 10);
	assert_int_equal(other, 1); /* "none" */
	assert_int_equal(td_metrics_top(&snap, TD_SYN_SENT, TD_TOPBY_PORT, 2, v, &n, &other), 0);
	assert_int_equal(n, 0);
	assert_int_equal(other, 0);

	in.snap = &snap;
	t = render(&in);
	assert_well_formed(t);
	assert_int_equal(
		value_of(t, "tcpdoctor_sockets_by_port{state=\"CLOSE_WAIT\",port=\"5000\"}"), 10);
	assert_int_equal(
		value_of(t, "tcpdoctor_sockets_by_port{state=\"CLOSE_WAIT\",port=\"other\"}"), 1);
	assert_int_equal(
		value_of(t, "tcpdoctor_sockets_by_port{state=\"TIME_WAIT\",port=\"ephemeral\"}"),
		5);
	/* Label values escaped: quote and backslash. */
	assert_int_equal(value_of(t, "tcpdoctor_sockets_by_process{state=\"CLOSE_WAIT\","
				     "process=\"api\\\"x\\\\y\"}"),
			 3);
	assert_int_equal(
		value_of(t, "tcpdoctor_sockets_by_process{state=\"TIME_WAIT\",process=\"none\"}"),
		5);
	free(t);
	td_snapshot_free(&snap);
}

static void test_counter_names(void **state)
{
	static const struct {
		const char *group, *name;
		uint8_t file;
		const char *want;
		bool counter;
	} cases[] = {
		{ "TcpExt", "ListenOverflows", TD_CF_NETSTAT,
		  "tcpdoctor_netstat_tcp_ext_listen_overflows_total", true },
		{ "TcpExt", "TCPDSACKOldSent", TD_CF_NETSTAT,
		  "tcpdoctor_netstat_tcp_ext_tcpdsack_old_sent_total", true },
		{ "TcpExt", "TW", TD_CF_NETSTAT, "tcpdoctor_netstat_tcp_ext_tw_total", true },
		{ "Tcp", "ActiveOpens", TD_CF_SNMP, "tcpdoctor_snmp_tcp_active_opens_total", true },
		{ "Tcp", "CurrEstab", TD_CF_SNMP, "tcpdoctor_snmp_tcp_curr_estab", false },
		{ "Tcp", "MaxConn", TD_CF_SNMP, "tcpdoctor_snmp_tcp_max_conn", false },
		{ "TCP", "tw", TD_CF_SOCKSTAT, "tcpdoctor_sockstat_tcp_tw", false },
		{ "TCP6", "inuse", TD_CF_SOCKSTAT6, "tcpdoctor_sockstat6_tcp6_inuse", false },
	};
	struct td_counter c;
	char buf[192];
	bool is_counter;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.group, sizeof(c.group), "%s", cases[i].group);
		snprintf(c.name, sizeof(c.name), "%s", cases[i].name);
		c.file = cases[i].file;
		assert_true(td_metrics_counter_name(&c, buf, sizeof(buf), &is_counter));
		assert_string_equal(buf, cases[i].want);
		assert_int_equal(is_counter, cases[i].counter);
	}
	/* Not TCP: not exported. */
	memset(&c, 0, sizeof(c));
	snprintf(c.group, sizeof(c.group), "Udp");
	snprintf(c.name, sizeof(c.name), "InDatagrams");
	c.file = TD_CF_SNMP;
	assert_false(td_metrics_counter_name(&c, buf, sizeof(buf), &is_counter));
}

static void test_counters_rendered(void **state)
{
	static const char snmp[] = "Tcp: RtoAlgorithm MaxConn ActiveOpens CurrEstab\n"
				   "Tcp: 1 -1 42 3\n"
				   "Udp: InDatagrams\nUdp: 5\n";
	static const char sockstat[] = "TCP: inuse 4 orphan 0 tw 9 alloc 6 mem 1\n";
	struct td_counters c;
	struct td_metrics_input in = { 0 };
	FILE *fp;
	char *t;

	(void)state;
	td_counters_init(&c);
	fp = fmemopen((void *)snmp, sizeof(snmp) - 1, "r");
	assert_int_equal(td_counters_parse(&c, fp, "snmp", TD_CFMT_TABLE, TD_CF_SNMP, NULL), 0);
	fclose(fp);
	fp = fmemopen((void *)sockstat, sizeof(sockstat) - 1, "r");
	assert_int_equal(td_counters_parse(&c, fp, "sockstat", TD_CFMT_PAIRS, TD_CF_SOCKSTAT, NULL),
			 0);
	fclose(fp);
	in.counters = &c;
	t = render(&in);
	assert_well_formed(t);
	assert_int_equal(value_of(t, "tcpdoctor_snmp_tcp_active_opens_total"), 42);
	assert_int_equal(value_of(t, "tcpdoctor_snmp_tcp_max_conn"), -1);
	assert_int_equal(value_of(t, "tcpdoctor_snmp_tcp_curr_estab"), 3);
	assert_int_equal(value_of(t, "tcpdoctor_sockstat_tcp_tw"), 9);
	assert_non_null(strstr(t, "# TYPE tcpdoctor_snmp_tcp_active_opens_total counter\n"));
	assert_non_null(strstr(t, "# TYPE tcpdoctor_sockstat_tcp_tw gauge\n"));
	assert_non_null(strstr(t, "Tcp.ActiveOpens"));
	assert_null(strstr(t, "udp"));
	free(t);
	td_counters_free(&c);
}

static void test_findings(void **state)
{
	struct td_finding f[3];
	struct td_metrics_input in = { .with_findings = true, .findings = f, .nfindings = 3 };
	size_t nrules;
	char *t;

	(void)state;
	memset(f, 0, sizeof(f));
	f[0].rule = "close-wait-leak";
	f[0].severity = TD_SEV_WARNING;
	f[0].count = 4;
	f[1].rule = "close-wait-leak";
	f[1].severity = TD_SEV_WARNING;
	f[1].count = 6;
	f[2].rule = "syn-flood";
	f[2].severity = TD_SEV_CRITICAL;
	f[2].count = 300;
	t = render(&in);
	assert_well_formed(t);
	assert_int_equal(
		value_of(t, "tcpdoctor_finding{rule=\"close-wait-leak\",severity=\"warning\"}"), 2);
	assert_int_equal(
		value_of(t, "tcpdoctor_finding{rule=\"close-wait-leak\",severity=\"critical\"}"),
		0);
	assert_int_equal(value_of(t, "tcpdoctor_finding{rule=\"syn-flood\",severity=\"critical\"}"),
			 1);
	assert_int_equal(value_of(t, "tcpdoctor_finding_sockets{rule=\"close-wait-leak\"}"), 10);
	td_rules(&nrules);
	/* Every rule at info, warning and critical. */
	assert_int_equal(count_lines(t, "tcpdoctor_finding{"), (int)(3 * nrules));
	free(t);
}

/* serve between walks: listeners from a LISTEN-only snapshot, the families
 * that need every socket from the text an earlier full sample rendered. */
static void test_deep_text(void **state)
{
	struct td_snapshot full, listen;
	struct td_finding f[1];
	struct td_metrics_input din = {
		.top = 2, .with_findings = true, .findings = f, .nfindings = 1
	};
	struct td_metrics_input in = { .top = 2 };
	struct td_mbuf deep = { 0 };
	char *t;

	(void)state;
	memset(f, 0, sizeof(f));
	f[0].rule = "close-wait-leak";
	f[0].severity = TD_SEV_WARNING;
	f[0].count = 7;
	td_snapshot_init(&full, NULL);
	add_listener(&full, 5000, 3, 128);
	add_many(&full, TD_CLOSE_WAIT, 5000, 7, 100, "web");
	din.snap = &full;
	assert_int_equal(td_metrics_render_deep(&din, &deep), 0);
	/* Only the deep families: no listeners, no states. */
	assert_null(strstr(deep.p, "tcpdoctor_listen_accept_queue"));
	assert_null(strstr(deep.p, "tcpdoctor_sockets{"));
	assert_non_null(strstr(deep.p, "tcpdoctor_sockets_by_process"));

	td_snapshot_init(&listen, NULL);
	add_listener(&listen, 5000, 9, 128); /* the queue moved since */
	in.snap = &listen;
	in.deep_text = deep.p;
	in.deep_len = deep.len;
	t = render(&in);
	assert_well_formed(t);
	assert_int_equal(
		value_of(t, "tcpdoctor_listen_accept_queue{port=\"5000\",address=\"192.0.2.1\"}"),
		9);
	assert_int_equal(
		value_of(t, "tcpdoctor_sockets_by_port{state=\"CLOSE_WAIT\",port=\"5000\"}"), 7);
	assert_int_equal(
		value_of(t, "tcpdoctor_finding{rule=\"close-wait-leak\",severity=\"warning\"}"), 1);
	assert_int_equal(count_lines(t, "# TYPE tcpdoctor_sockets_by_port "), 1);
	free(t);
	td_mbuf_free(&deep);
	td_snapshot_free(&listen);
	td_snapshot_free(&full);
}

static void test_mbuf_label_escaping(void **state)
{
	struct td_mbuf b = { 0 };

	(void)state;
	td_mbuf_label(&b, "a\"b\\c\nd");
	assert_string_equal(b.p, "a\\\"b\\\\c\\nd");
	td_mbuf_printf(&b, "%s", "");
	assert_int_equal(b.len, strlen("a\\\"b\\\\c\\nd"));
	td_mbuf_free(&b);
	assert_null(b.p);
}

/* A fake proc tree: pid's cgroup file with text. */
static void fake_cgroup(const char *dir, int pid, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%d", dir, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/cgroup", dir, pid);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* By process, two containers running "web" are two rows, each labelled
 * with its container (process_container: serve --all-netns has the
 * namespace's container label), a service with its unit; the number of
 * series stays within --top. */
static void test_top_by_process_identity(void **state)
{
	char dir[] = "/tmp/td-metrics-XXXXXX", cmd[600];
	struct td_snapshot snap;
	struct td_top_entry v[4];
	uint64_t other;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fake_cgroup(dir, 100,
		    "0::/system.slice/docker-4f1b8e2c9a7d6b3e5f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
		    "7a8b9c0d1e2f.scope\n");
	fake_cgroup(dir, 101,
		    "0::/system.slice/docker-aaaa8e2c9a7d6b3e5f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
		    "7a8b9c0d1e2f.scope\n");
	fake_cgroup(dir, 102,
		    "0::/system.slice/docker-aaaa8e2c9a7d6b3e5f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
		    "7a8b9c0d1e2f.scope\n");
	fake_cgroup(dir, 200, "0::/system.slice/nginx.service\n");
	setenv("TD_PROCDIR", dir, 1);
	setenv("TD_ROOTDIR", dir, 1); /* no runtime state files there */
	td_snapshot_init(&snap, NULL);
	add_listener(&snap, 5000, 0, 128);
	add_listener(&snap, 5001, 0, 128);
	add_many(&snap, TD_CLOSE_WAIT, 5000, 6, 100, "web");
	add_many(&snap, TD_CLOSE_WAIT, 5000, 3, 101, "web");
	add_many(&snap, TD_CLOSE_WAIT, 5000, 2, 102, "web"); /* same container as 101 */
	add_many(&snap, TD_CLOSE_WAIT, 5001, 4, 200, "nginx");
	assert_int_equal(td_metrics_top(&snap, TD_CLOSE_WAIT, TD_TOPBY_PROCESS, 3, v, &n, &other),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].key, "web");
	assert_string_equal(v[0].container, "docker:4f1b8e2c9a7d");
	assert_int_equal(v[0].count, 6);
	assert_string_equal(v[1].key, "web");
	assert_string_equal(v[1].container, "docker:aaaa8e2c9a7d");
	assert_int_equal(v[1].count, 5);
	assert_string_equal(v[2].key, "nginx");
	assert_string_equal(v[2].container, "");
	assert_string_equal(v[2].unit, "nginx.service");
	assert_int_equal(other, 0);
	/* Within the bound: top 1 leaves the rest in "other". */
	assert_int_equal(td_metrics_top(&snap, TD_CLOSE_WAIT, TD_TOPBY_PROCESS, 1, v, &n, &other),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(other, 9);
	unsetenv("TD_PROCDIR");
	unsetenv("TD_ROOTDIR");
	td_snapshot_free(&snap);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_and_families),
		cmocka_unit_test(test_top_by_process_identity),
		cmocka_unit_test(test_states_absent),
		cmocka_unit_test(test_listeners_summed_per_port),
		cmocka_unit_test(test_listeners_by_address),
		cmocka_unit_test(test_many_listeners_bounded),
		cmocka_unit_test(test_top_with_other),
		cmocka_unit_test(test_counter_names),
		cmocka_unit_test(test_counters_rendered),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_deep_text),
		cmocka_unit_test(test_mbuf_label_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

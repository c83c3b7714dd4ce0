/* Unit tests for src/lib/diagnose/kb.c and kb_zh.c: every state, errno of the
 * socket range, flag combination, audited sysctl, counter we show, check rule
 * and lab scenario has an entry, found by walking the tables that define
 * them, and resolves in the spellings people use, English and Chinese;
 * unknown topics get the nearest names; every entry is complete in both
 * languages, printable by the wrapper, and cross-references only topics that
 * exist. */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose/counters.h"
#include "diagnose/kb.h"
#include "diagnose/rules.h"
#include "diagnose/sysctl.h"
#include "history/metrics.h"
#include "state.h"
#include "text.h"

static const struct td_kb_entry *must_find(const char *topic)
{
	const struct td_kb_entry *e = NULL;
	struct td_err err = { 0 };
	int rc = td_kb_find(topic, &e, NULL, &err);

	if (rc != 0 || !e)
		fail_msg("'%s' did not resolve: rc %d, %s", topic, rc, err.msg);
	return e;
}

static void expect_entry(const char *topic, enum td_kb_kind kind, const char *name)
{
	const struct td_kb_entry *e = must_find(topic);

	if (e->kind != kind || strcmp(e->name, name))
		fail_msg("'%s' resolved to %s %s, expected %s %s", topic, td_kb_kind_name(e->kind),
			 e->name, td_kb_kind_name(kind), name);
}

/* ---- states ---- */

static void test_every_state(void **state)
{
	(void)state;
	for (int st = 1; st <= TD_STATE_MAX; st++) {
		const char *spellings[] = { td_state_name(st), td_state_short(st),
					    td_state_rfc_name(st) };

		for (size_t k = 0; k < 3; k++) {
			const struct td_kb_entry *e = must_find(spellings[k]);
			/* NEW_SYN_RECV's RFC name is SYN-RECEIVED, the RFC state. */
			int want = (st == TD_NEW_SYN_RECV && k == 2) ? TD_SYN_RECV : st;

			assert_int_equal(e->kind, TD_KB_STATE);
			if (e->value != want)
				fail_msg("'%s' gave state %d, expected %d", spellings[k], e->value,
					 want);
		}
	}
	expect_entry("close-wait", TD_KB_STATE, "CLOSE_WAIT");
	expect_entry("Close Wait", TD_KB_STATE, "CLOSE_WAIT");
	expect_entry("SYN_RCVD", TD_KB_STATE, "SYN_RECV");
	expect_entry("estab", TD_KB_STATE, "ESTABLISHED");
	expect_entry("closed", TD_KB_STATE, "CLOSE");
	expect_entry("new-syn-recv", TD_KB_STATE, "NEW_SYN_RECV");
	expect_entry("timewait", TD_KB_STATE, "TIME_WAIT");
}

/* ---- errno ---- */

struct errno_case {
	const char *name;
	int value;
};

#define E(x)                                                                                       \
	{                                                                                          \
#x, x                                                                              \
	}
static const struct errno_case errnos[] = {
	E(EINPROGRESS), E(EALREADY),   E(ECONNREFUSED), E(ETIMEDOUT),	 E(ENOTCONN),
	E(EISCONN),	E(ECONNRESET), E(EPIPE),	E(ECONNABORTED), E(ENETRESET),
	E(ENETUNREACH), E(ENETDOWN),   E(EHOSTUNREACH), E(EHOSTDOWN),	 E(EADDRNOTAVAIL),
	E(EADDRINUSE),	E(EMSGSIZE),   E(EDESTADDRREQ), E(ENOBUFS),	 E(EAGAIN),
	E(EINTR),	E(ESHUTDOWN),  E(EMFILE),	E(ENFILE),	 E(EACCES),
	E(EPERM),	E(EBADF),      E(EINVAL),	E(EFAULT),	 E(ENOMEM),
	E(EPROTO),	E(ENOTSOCK),   E(EAFNOSUPPORT), E(ENOPROTOOPT),	 E(ECANCELED),
	E(ENODEV),
};

/* The socket errno range of the issue: every number in it has an entry. */
#define ERRNO_FIRST 85
#define ERRNO_LAST 125
#undef E

static void test_every_errno(void **state)
{
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		const struct td_kb_entry *by_name = must_find(errnos[i].name), *other;

		assert_int_equal(by_name->kind, TD_KB_ERRNO);
		assert_string_equal(by_name->name, errnos[i].name);
		assert_int_equal(by_name->value, errnos[i].value);
		snprintf(buf, sizeof(buf), "%d", errnos[i].value);
		other = must_find(buf);
		assert_ptr_equal(other, by_name);
		snprintf(buf, sizeof(buf), "-%d", errnos[i].value);
		assert_ptr_equal(must_find(buf), by_name);
		for (size_t k = 0; errnos[i].name[k] && k + 1 < sizeof(buf); k++)
			buf[k] = (char)tolower((unsigned char)errnos[i].name[k]);
		buf[strlen(errnos[i].name)] = '\0';
		assert_ptr_equal(must_find(buf), by_name);
		/* The message as strerror() prints it, pasted from a log. */
		assert_ptr_equal(must_find(strerror(errnos[i].value)), by_name);
	}
	expect_entry("104", TD_KB_ERRNO, "ECONNRESET");
	expect_entry("EWOULDBLOCK", TD_KB_ERRNO, "EAGAIN");
	expect_entry("ENOTSUP", TD_KB_ERRNO, "EOPNOTSUPP");
	/* As typed, or as a log line has it. */
	expect_entry("errno 104", TD_KB_ERRNO, "ECONNRESET");
	expect_entry("errno=104", TD_KB_ERRNO, "ECONNRESET");
	expect_entry("Errno: 111", TD_KB_ERRNO, "ECONNREFUSED");
	expect_entry("errno ECONNRESET", TD_KB_ERRNO, "ECONNRESET");
	expect_entry("error 110", TD_KB_ERRNO, "ETIMEDOUT");
	/* glibc's zh_CN messages (libc.mo), as a Chinese log prints them. */
	expect_entry("连接被对方重设", TD_KB_ERRNO, "ECONNRESET");
	expect_entry("拒绝连接", TD_KB_ERRNO, "ECONNREFUSED");
	expect_entry("连接超时", TD_KB_ERRNO, "ETIMEDOUT");
	expect_entry("断开的管道", TD_KB_ERRNO, "EPIPE");
	expect_entry("没有到主机的路由", TD_KB_ERRNO, "EHOSTUNREACH");
	expect_entry("无法指定被请求的地址", TD_KB_ERRNO, "EADDRNOTAVAIL");
	expect_entry("连接被重置", TD_KB_ERRNO, "ECONNRESET");
}

/* Every number of the range by number, "-N", "errno N", name and message. */
static void test_errno_range(void **state)
{
	char buf[64];

	(void)state;
	for (int v = ERRNO_FIRST; v <= ERRNO_LAST; v++) {
		const char *name = strerrorname_np(v);
		const struct td_kb_entry *e;
		struct td_kb_tr zh;

		if (!name)
			fail_msg("errno %d has no name here", v);
		snprintf(buf, sizeof(buf), "%d", v);
		e = must_find(buf);
		if (e->kind != TD_KB_ERRNO || e->value != v)
			fail_msg("%d gave %s", v, e->name);
		snprintf(buf, sizeof(buf), "-%d", v);
		assert_ptr_equal(must_find(buf), e);
		snprintf(buf, sizeof(buf), "errno %d", v);
		assert_ptr_equal(must_find(buf), e);
		assert_ptr_equal(must_find(name), e);
		assert_ptr_equal(must_find(strerror(v)), e);
		assert_true(td_kb_text(e, TD_KB_ZH, &zh));
		if (!zh.message)
			fail_msg("%s has no zh_CN message", e->name);
		assert_ptr_equal(must_find(zh.message), e);
	}
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		struct td_kb_tr zh;

		assert_true(td_kb_text(must_find(errnos[i].name), TD_KB_ZH, &zh));
		if (!zh.message)
			fail_msg("%s has no zh_CN message", errnos[i].name);
	}
}

static void test_unknown_errno(void **state)
{
	const struct td_kb_entry *e = NULL;
	struct td_err err = { 0 };

	(void)state;
	/* ENOENT is a real errno with no entry: named, with its text. */
	assert_int_equal(td_kb_find("2", &e, NULL, &err), -TD_ENOTFOUND);
	assert_null(e);
	assert_non_null(strstr(err.msg, "ENOENT"));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
	assert_non_null(strstr(err.msg, "no tcpdoctor entry"));
	td_err_clear(&err);
	assert_int_equal(td_kb_find("enoent", &e, NULL, &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "errno 2 is ENOENT"));
	td_err_clear(&err);
	assert_int_equal(td_kb_find("99999", &e, NULL, &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no errno"));
	td_err_clear(&err);
	assert_int_equal(td_kb_find("99999999999999999999", &e, NULL, &err), -TD_ENOTFOUND);
}

/* ---- flags ---- */

struct flag_case {
	const char *entry;
	const char *spellings[5];
};

static const struct flag_case flag_cases[] = {
	{ "SYN", { "syn", "S", "[S]", "0x02" } },
	{ "SYN+ACK", { "syn,ack", "SA", "[S.]", "ACK+SYN", "0x12" } },
	{ "ACK", { "ack", "A", "[.]", "0x10" } },
	{ "PSH+ACK", { "PA", "[P.]", "psh ack", "PUSH/ACK" } },
	{ "FIN+ACK", { "FA", "[F.]", "FIN ACK", "FIN+PSH+ACK", "[FP.]" } },
	{ "FIN", { "F", "[F]", "fin" } },
	{ "RST", { "R", "[R]", "reset" } },
	{ "RST+ACK", { "RA", "[R.]", "rst,ack", "ACK|RST" } },
	{ "URG", { "U", "URG+ACK", "[U.]", "urgent" } },
	{ "ECE", { "E", "ECE+ACK", "[.E]" } },
	{ "CWR", { "C", "[.W]", "cwr,ack" } },
	{ "SYN+ECE+CWR", { "SEC", "[SEW]", "syn ece cwr", "SYN+ACK+ECE" } },
	{ "SYN+FIN", { "SF", "[SF]", "fin+syn", "0x03" } },
	{ "SYN+RST", { "SR", "[SR]", "rst syn" } },
	{ "NULL", { "[none]", "none", "0x00", "null" } },
	{ "XMAS", { "FPU", "[FPU]", "fin,psh,urg", "christmas", "0x29" } },
};

static void test_every_flag_combination(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		size_t n = 0;

		expect_entry(flag_cases[i].entry, TD_KB_FLAGS, flag_cases[i].entry);
		for (size_t k = 0; k < 5 && flag_cases[i].spellings[k]; k++, n++)
			expect_entry(flag_cases[i].spellings[k], TD_KB_FLAGS, flag_cases[i].entry);
		assert_true(n >= 2);
	}
}

static void test_parse_flags(void **state)
{
	static const char *const bad[] = {
		"",   "   ",   "[",    "[]",   "[S", "S]", "SYNACK", "SYN+FOO",
		"0x", "0x1ff", "0xzz", "[SX]", "+",  "++", "18",     "XMAS+ACK",
	};
	unsigned f = 0xdead;
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_kb_parse_flags("SYN++ACK", &f, NULL), 0);
	assert_int_equal(f, TD_TCPF_SYN | TD_TCPF_ACK);
	assert_int_equal(td_kb_parse_flags("  fin , ack  ", &f, NULL), 0);
	assert_int_equal(f, TD_TCPF_FIN | TD_TCPF_ACK);
	assert_int_equal(td_kb_parse_flags("[S.E]", &f, NULL), 0);
	assert_int_equal(f, TD_TCPF_SYN | TD_TCPF_ACK | TD_TCPF_ECE);
	assert_int_equal(td_kb_parse_flags("S.", &f, NULL), 0);
	assert_int_equal(f, TD_TCPF_SYN | TD_TCPF_ACK);
	assert_int_equal(td_kb_parse_flags("XMAS", &f, NULL), 0);
	assert_int_equal(f, TD_TCPF_FIN | TD_TCPF_PSH | TD_TCPF_URG);
	assert_int_equal(td_kb_parse_flags("0xff", &f, NULL), 0);
	assert_int_equal(f, 0xff);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = 0xdead;
		td_err_clear(&err);
		if (td_kb_parse_flags(bad[i], &f, &err) != -TD_EPARSE)
			fail_msg("'%s' parsed as flags %#x", bad[i], f);
		assert_int_equal(f, 0xdead);
		assert_non_null(strstr(err.msg, "not a TCP flag combination"));
	}
	assert_int_equal(td_kb_parse_flags(NULL, &f, NULL), -EINVAL);
	assert_int_equal(td_kb_parse_flags("SYN", NULL, NULL), -EINVAL);
}

/* A flag combination with no entry is not found, whatever it parses to. */
static void test_flags_without_entry(void **state)
{
	const struct td_kb_entry *e = NULL;

	(void)state;
	assert_int_equal(td_kb_find("SYN+PSH", &e, NULL, NULL), -TD_ENOTFOUND);
	assert_int_equal(td_kb_find("[SFRPAUEW]", &e, NULL, NULL), -TD_ENOTFOUND);
	assert_null(e);
}

/* ---- sysctls ---- */

static const char *const sysctls[] = {
	"net.ipv4.tcp_syncookies",
	"net.ipv4.tcp_max_syn_backlog",
	"net.core.somaxconn",
	"net.ipv4.tcp_synack_retries",
	"net.ipv4.tcp_syn_retries",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_tw_reuse",
	"net.ipv4.tcp_max_tw_buckets",
	"net.ipv4.tcp_max_orphans",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_retries1",
	"net.ipv4.tcp_retries2",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
	"net.ipv4.tcp_abort_on_overflow",
	"net.ipv4.tcp_tw_recycle",
	"net.ipv4.tcp_orphan_retries",
	"net.ipv4.tcp_timestamps",
	"net.ipv4.tcp_sack",
	"net.ipv4.tcp_window_scaling",
	"net.ipv4.tcp_mtu_probing",
	"net.ipv4.tcp_slow_start_after_idle",
	"net.ipv4.tcp_congestion_control",
	"net.core.netdev_max_backlog",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_syn_linear_timeouts",
};

static void test_every_sysctl(void **state)
{
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		const char *full = sysctls[i], *base = strrchr(full, '.') + 1;

		expect_entry(full, TD_KB_SYSCTL, full);
		expect_entry(base, TD_KB_SYSCTL, full);
		snprintf(buf, sizeof(buf), "/proc/sys/%s", full);
		for (char *p = buf; *p; p++)
			if (*p == '.')
				*p = '/';
		expect_entry(buf, TD_KB_SYSCTL, full);
		expect_entry(buf + strlen("/proc/sys/"), TD_KB_SYSCTL, full); /* net/ipv4/x */
		snprintf(buf, sizeof(buf), "%s = 1", full);		      /* sysctl.conf */
		expect_entry(buf, TD_KB_SYSCTL, full);
	}
	{
		const struct td_kb_entry *e = NULL;

		/* The right name under the wrong parent is not that sysctl. */
		assert_int_equal(td_kb_find("net.ipv4.somaxconn", &e, NULL, NULL), -TD_ENOTFOUND);
	}
	/* Every parameter the audit reads (its table, not a copy of it). */
	for (size_t i = 0; i < td_sysctl_count(); i++) {
		const char *name = td_sysctl_entry_at(i)->name;

		expect_entry(name, TD_KB_SYSCTL, name);
	}
	/* The removed one says so. */
	assert_non_null(strstr(must_find("tcp_tw_recycle")->summary, "4.12"));
	assert_non_null(strstr(must_find("tcp_tw_recycle")->meaning, "NAT"));
}

/* ---- unknown topics ---- */

static void expect_nearest(const char *topic, const char *first)
{
	const char *nearest[TD_KB_NEAREST] = { "x", "x", "x" };
	const struct td_kb_entry *e = NULL;
	struct td_err err = { 0 };

	assert_int_equal(td_kb_find(topic, &e, nearest, &err), -TD_ENOTFOUND);
	assert_null(e);
	for (size_t k = 0; k < TD_KB_NEAREST; k++)
		assert_non_null(nearest[k]);
	if (strcmp(nearest[0], first))
		fail_msg("'%s': nearest %s, %s, %s; expected %s first", topic, nearest[0],
			 nearest[1], nearest[2], first);
	assert_non_null(strstr(err.msg, "nearest: "));
	assert_non_null(strstr(err.msg, first));
	assert_non_null(strstr(err.msg, "no entry for"));
}

static void test_unknown_topics(void **state)
{
	const char *nearest[TD_KB_NEAREST];
	const struct td_kb_entry *e = NULL;
	struct td_err err = { 0 };
	char *huge;

	(void)state;
	expect_nearest("CLOSE_WIAT", "CLOSE_WAIT");
	expect_nearest("ECONNRESTE", "ECONNRESET");
	expect_nearest("tcp_fin_timout", "net.ipv4.tcp_fin_timeout");
	expect_nearest("somaxcon", "net.core.somaxconn");
	expect_nearest("SO_LINGR", "SO_LINGER");
	expect_nearest("半连接对列", "syn-queue"); /* a typo in Chinese */
	expect_nearest("三次握首", "three-way-handshake");
	/* A fragment finds every name containing it. */
	assert_int_equal(td_kb_find("tcp_keep", &e, nearest, NULL), -TD_ENOTFOUND);
	for (size_t k = 0; k < TD_KB_NEAREST; k++)
		assert_non_null(strstr(nearest[k], "keepalive"));
	/* ss's state groups are not topics. */
	assert_int_equal(td_kb_find("connected", &e, NULL, NULL), -TD_ENOTFOUND);
	assert_int_equal(td_kb_find("all", &e, NULL, NULL), -TD_ENOTFOUND);
	assert_int_equal(td_kb_find("", &e, nearest, &err), -TD_ENOTFOUND);
	assert_non_null(nearest[0]);

	/* Anything at all: long, unprintable. The message stays short. */
	huge = malloc(5000);
	assert_non_null(huge);
	memset(huge, 'q', 4999);
	huge[4999] = '\0';
	huge[10] = '\x1b';
	td_err_clear(&err);
	assert_int_equal(td_kb_find(huge, &e, nearest, &err), -TD_ENOTFOUND);
	assert_null(strchr(err.msg, '\x1b'));
	assert_non_null(strstr(err.msg, "..."));
	free(huge);

	assert_int_equal(td_kb_find(NULL, &e, NULL, NULL), -EINVAL);
	assert_int_equal(td_kb_find("LISTEN", NULL, NULL, NULL), -EINVAL);
}

/* ---- counters, rules, scenarios ---- */

/* The counters watch, check, serve and the lab name (tests/e2e/test_explain.sh
 * greps the sources for any that is missing here). */
static const char *const counters[] = {
	"Tcp.ActiveOpens",
	"Tcp.PassiveOpens",
	"Tcp.AttemptFails",
	"Tcp.EstabResets",
	"Tcp.CurrEstab",
	"Tcp.InSegs",
	"Tcp.OutSegs",
	"Tcp.RetransSegs",
	"Tcp.InErrs",
	"Tcp.OutRsts",
	"TcpExt.ListenOverflows",
	"TcpExt.ListenDrops",
	"TcpExt.TCPReqQFullDrop",
	"TcpExt.SyncookiesSent",
	"TcpExt.SyncookiesRecv",
	"TcpExt.SyncookiesFailed",
	"TcpExt.TCPSynRetrans",
	"TcpExt.TCPTimeouts",
	"TcpExt.TCPTimeWaitOverflow",
	"TcpExt.TCPAbortOnTimeout",
	"TcpExt.TCPAbortOnData",
	"TcpExt.TCPAbortOnClose",
	"TcpExt.TCPAbortOnMemory",
	"TcpExt.TCPAbortOnLinger",
	"TcpExt.TCPLossProbes",
	"TcpExt.TCPBacklogDrop",
	"TcpExt.TCPReqQFullDoCookies",
	"TcpExt.TCPKeepAlive",
	"TCP.inuse",
	"TCP.orphan",
	"TCP.tw",
	"TCP.alloc",
	"TCP.mem",
};

static void test_every_counter(void **state)
{
	char buf[192];

	(void)state;
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		const char *full = counters[i], *dot = strchr(full, '.');
		struct td_counter c = { 0 };
		size_t gl = (size_t)(dot - full);
		bool is_counter;

		expect_entry(full, TD_KB_COUNTER, full);
		/* "ListenOverflows"; sockstat's bare "orphan" or "tw" name other topics. */
		if (strncmp(full, "TCP.", 4))
			expect_entry(dot + 1, TD_KB_COUNTER, full);
		snprintf(buf, sizeof(buf), "%.*s%s", (int)gl, full, dot + 1);
		expect_entry(buf, TD_KB_COUNTER, full); /* nstat: "TcpExtListenOverflows" */
		/* The Prometheus name serve exports for it. */
		memcpy(c.group, full, gl);
		snprintf(c.name, sizeof(c.name), "%s", dot + 1);
		c.file = !strcmp(c.group, "Tcp")      ? TD_CF_SNMP
			 : !strcmp(c.group, "TcpExt") ? TD_CF_NETSTAT
						      : TD_CF_SOCKSTAT;
		assert_true(td_metrics_counter_name(&c, buf, sizeof(buf), &is_counter));
		expect_entry(buf, TD_KB_COUNTER, full);
	}
	expect_entry("TCP6.inuse", TD_KB_COUNTER, "TCP.inuse");
	expect_entry("listenoverflows", TD_KB_COUNTER, "TcpExt.ListenOverflows");
}

/* e has English text and a zh_CN row from the catalogue whose summary,
 * meaning and causes are Chinese (not the English fallback). */
static void both_languages(const struct td_kb_entry *e, const char *topic)
{
	struct td_kb_tr zh;

	if (!e->summary || !e->meaning || !e->causes)
		fail_msg("%s: English text incomplete", topic);
	if (!td_kb_text(e, TD_KB_ZH, &zh))
		fail_msg("%s (%s) has no zh_CN row in the catalogue", topic, e->name);
	if (zh.summary == e->summary || zh.meaning == e->meaning || zh.causes == e->causes ||
	    !strcmp(zh.summary, e->summary))
		fail_msg("%s (%s): a zh_CN field falls back to English", topic, e->name);
	if (td_text_width(zh.summary, strlen(zh.summary)) == strlen(zh.summary))
		fail_msg("%s: zh_CN summary has no wide character: '%s'", topic, zh.summary);
}

/* Every check rule has an entry under its id, in both languages: findings
 * link to it. */
static void test_every_rule(void **state)
{
	size_t n = 0;
	const struct td_rule *r = td_rules(&n);

	(void)state;
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++) {
		const struct td_kb_entry *e = must_find(r[i].id);

		if (e->kind != TD_KB_RULE || strcmp(e->name, r[i].id))
			fail_msg("rule %s resolves to %s %s", r[i].id, td_kb_kind_name(e->kind),
				 e->name);
		if (!strstr(e->next, "tcpdoctor check"))
			fail_msg("rule %s: next does not say tcpdoctor check", r[i].id);
		both_languages(e, r[i].id);
	}
}

#define TD_LAB_SCENARIO(name, fn, summary) name,
static const char *const scenarios[] = {
#include "lab/scenarios/scenarios.def"
};
#undef TD_LAB_SCENARIO

/* Every lab scenario name resolves to the entry that tells its story, and
 * that entry tells how to run it, in both languages. */
static void test_every_scenario(void **state)
{
	char want[128];

	(void)state;
	assert_true(sizeof(scenarios) / sizeof(scenarios[0]) > 10);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct td_kb_entry *e = must_find(scenarios[i]);

		snprintf(want, sizeof(want), "tcpdoctor lab run %s", scenarios[i]);
		if (!strstr(e->next, want))
			fail_msg("scenario %s resolves to %s, whose next lacks '%s'", scenarios[i],
				 e->name, want);
		both_languages(e, scenarios[i]);
	}
}

/* ---- Chinese ---- */

struct zh_case {
	const char *topic, *name;
};

/* The terms of the issue and of Chinese networking texts. */
static const struct zh_case zh_cases[] = {
	{ "三次握手", "three-way-handshake" },
	{ "四次挥手", "four-way-close" },
	{ "半连接队列", "syn-queue" },
	{ "全连接队列", "accept-queue" },
	{ "2MSL", "MSL" },
	{ "心跳", "keepalive" },
	{ "保活", "keepalive" },
	{ "粘包", "message-boundaries" },
	{ "洪水攻击", "syn-flood" },
	{ "SYN洪水", "syn-flood" },
	{ "半关闭", "half-close" },
	{ "半打开", "half-open" },
	{ "零窗口", "zero-window" },
	{ "重传超时", "RTO" },
	{ "快速重传", "fast-retransmit" },
	{ "拥塞窗口", "cwnd" },
	{ "监听", "LISTEN" },
	{ "已建立", "ESTABLISHED" },
	{ "等待关闭", "CLOSE_WAIT" },
	{ "连接被重置", "ECONNRESET" },
	{ "拒绝连接", "ECONNREFUSED" },
	{ "接收队列", "Recv-Q" },
	{ "发送队列", "Send-Q" },
	{ "状态机", "tcp-state-machine" },
	/* The rest of docs/explain.md's glossary. */
	{ "请求套接字", "NEW_SYN_RECV" },
	{ "SYN cookie", "SYN-cookies" },
	{ "SYN 洪水", "syn-flood" },
	{ "快速恢复", "fast-retransmit" },
	{ "尾部丢包探测", "RACK-TLP" },
	{ "重复确认", "fast-retransmit" },
	{ "延迟确认", "delayed-ack" },
	{ "选择性确认", "SACK" },
	{ "窗口缩放", "window-scaling" },
	{ "窗口探测", "zero-window" },
	{ "最大报文段长度", "MSS" },
	{ "路径MTU发现", "PMTU" },
	{ "显式拥塞通知", "ECN" },
	{ "最大报文段生存时间", "MSL" },
	{ "孤儿套接字", "orphan" },
	{ "临时端口", "net.ipv4.ip_local_port_range" },
	{ "主动关闭方", "four-way-close" },
	{ "拆包", "message-boundaries" },
	{ "重置", "RST" },
};

static void test_chinese_aliases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(zh_cases) / sizeof(zh_cases[0]); i++) {
		const struct td_kb_entry *e = must_find(zh_cases[i].topic);

		if (strcmp(e->name, zh_cases[i].name))
			fail_msg("'%s' resolved to %s, expected %s", zh_cases[i].topic, e->name,
				 zh_cases[i].name);
	}
}

/* Valid UTF-8, no control byte but the list newlines, no blank runs, at
 * least one Chinese character, and no unbreakable piece wider than the
 * wrapper's minimum (a line may break between CJK characters). */
static void check_zh(const char *name, const char *field, const char *s, bool list)
{
	size_t len, i = 0, run = 0;
	bool cjk = false;

	if (!s || !*s)
		fail_msg("%s: zh %s is empty", name, field);
	len = strlen(s);
	if (*s == ' ' || *s == '\n' || s[len - 1] == ' ' || s[len - 1] == '\n')
		fail_msg("%s: zh %s starts or ends with a blank", name, field);
	while (i < len) {
		uint32_t cp;
		size_t k = td_utf8_next(s + i, len - i, &cp);

		if (!k)
			fail_msg("%s: zh %s is not valid UTF-8 at byte %zu", name, field, i);
		if (cp == '\n' && !list)
			fail_msg("%s: zh %s is one paragraph, no newline", name, field);
		if (cp == '\n' && (s[i + 1] == '\n' || s[i + 1] == ' ' || s[i - 1] == ' '))
			fail_msg("%s: zh %s has an empty item or blanks around a newline", name,
				 field);
		if ((cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp < 0xa0))
			fail_msg("%s: zh %s has a control character %#x", name, field, cp);
		if (cp == ' ' && s[i + 1] == ' ')
			fail_msg("%s: zh %s has a double blank", name, field);
		if (td_cp_width(cp) == 2) {
			cjk = true;
			run = 2;
		} else if (cp == ' ' || cp == '\n') {
			run = 0;
		} else if (++run > TD_KB_MAX_WORD) {
			fail_msg("%s: zh %s has a word wider than %d columns", name, field,
				 TD_KB_MAX_WORD);
		}
		i += k;
	}
	if (!cjk && strcmp(field, "aliases"))
		fail_msg("%s: zh %s has no Chinese character", name, field);
}

static void test_chinese_complete(void **state)
{
	size_t n = 0, nz = 0;
	const struct td_kb_entry *t = td_kb_entries(&n);
	const struct td_kb_tr *z = td_kb_translations(TD_KB_ZH, &nz);

	(void)state;
	assert_non_null(z);
	for (size_t i = 0; i < n; i++) {
		struct td_kb_tr tr;

		if (!td_kb_text(&t[i], TD_KB_ZH, &tr))
			fail_msg("%s has no Chinese text", t[i].name);
		check_zh(t[i].name, "summary", tr.summary, false);
		check_zh(t[i].name, "meaning", tr.meaning, false);
		check_zh(t[i].name, "who_sees", tr.who_sees, false);
		check_zh(t[i].name, "causes", tr.causes, true);
		/* A translation, not a copy. */
		assert_true(tr.summary != t[i].summary && strcmp(tr.summary, t[i].summary));
		assert_true(tr.meaning != t[i].meaning && tr.causes != t[i].causes);
		if (t[i].kind == TD_KB_ERRNO && !tr.message)
			fail_msg("%s has no zh_CN message", t[i].name);
		/* English asked for, English given. */
		assert_false(td_kb_text(&t[i], TD_KB_EN, &tr));
		assert_ptr_equal(tr.summary, t[i].summary);
	}
	for (size_t k = 0; k < nz; k++) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found |= !strcmp(t[i].name, z[k].name);
		if (!found)
			fail_msg("Chinese row '%s' translates no entry", z[k].name);
		for (size_t m = k + 1; m < nz; m++)
			if (!strcmp(z[k].name, z[m].name))
				fail_msg("two Chinese rows for %s", z[k].name);
		if (z[k].aliases) {
			char buf[512];
			char *save = NULL, *a;

			check_zh(z[k].name, "aliases", z[k].aliases, false);
			assert_true(strlen(z[k].aliases) < sizeof(buf));
			strcpy(buf, z[k].aliases);
			for (a = strtok_r(buf, "|", &save); a; a = strtok_r(NULL, "|", &save))
				if (strcmp(must_find(a)->name, z[k].name))
					fail_msg("Chinese alias '%s' of %s leads to %s", a,
						 z[k].name, must_find(a)->name);
		}
	}
	assert_int_equal(nz, n);
	/* Row i translates entry i: a translator reads both files side by side. */
	for (size_t i = 0; i < n && i < nz; i++)
		if (strcmp(z[i].name, t[i].name))
			fail_msg("Chinese row %zu is %s, entry %zu is %s: keep kb.c's order", i,
				 z[i].name, i, t[i].name);
}

static void test_languages(void **state)
{
	const char *nearest[TD_KB_NEAREST];
	const struct td_kb_entry *e = NULL;
	enum td_kb_lang l = TD_KB_EN;
	struct td_err err = { 0 };

	(void)state;
	/* Messages in the reader's language; lookups in every language. */
	assert_int_equal(td_kb_find_lang("三次握首", TD_KB_ZH, &e, nearest, &err), -TD_ENOTFOUND);
	assert_string_equal(nearest[0], "three-way-handshake");
	assert_non_null(strstr(err.msg, "最接近的：three-way-handshake"));
	td_err_clear(&err);
	assert_int_equal(td_kb_find_lang("2", TD_KB_ZH, &e, NULL, &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "ENOENT"));
	assert_non_null(strstr(err.msg, "条目"));
	td_err_clear(&err);
	assert_int_equal(td_kb_find_lang("半连接队列", TD_KB_EN, &e, NULL, &err), 0);
	assert_string_equal(e->name, "syn-queue");
	assert_int_equal(td_kb_find_lang("errno 104", TD_KB_ZH, &e, NULL, &err), 0);
	assert_string_equal(e->name, "ECONNRESET");
	static const char *const zh[] = { "zh",		  "zh_CN", "zh-CN", "zh_CN.UTF-8",
					  "zh_CN.utf8@x", "ZH_cn", "zh_SG", "zh-Hans",
					  "chinese",	  "中文" };
	static const char *const en[] = { "en", "en_US.UTF-8", "C", "POSIX", "C.UTF-8", "english" };
	static const char *const bad[] = { "fr_FR", "", "zhx", "Ca", "e" };

	for (size_t i = 0; i < sizeof(zh) / sizeof(zh[0]); i++) {
		l = TD_KB_EN;
		if (td_kb_lang_parse(zh[i], &l, NULL) != 0 || l != TD_KB_ZH)
			fail_msg("'%s' is not Chinese", zh[i]);
	}
	for (size_t i = 0; i < sizeof(en) / sizeof(en[0]); i++) {
		l = TD_KB_ZH;
		if (td_kb_lang_parse(en[i], &l, NULL) != 0 || l != TD_KB_EN)
			fail_msg("'%s' is not English", en[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (td_kb_lang_parse(bad[i], &l, &err) != -TD_EPARSE)
			fail_msg("'%s' parsed as a language", bad[i]);
	assert_non_null(strstr(err.msg, "zh_CN"));
	assert_string_equal(td_kb_lang_name(TD_KB_ZH), "zh");
	assert_string_equal(td_kb_lang_name(TD_KB_EN), "en");

	/* gettext's order: LC_ALL, LC_MESSAGES, LANG; LANGUAGE first unless C. */
	assert_int_equal(td_kb_lang_from_env(NULL, NULL, NULL, NULL), TD_KB_EN);
	assert_int_equal(td_kb_lang_from_env(NULL, NULL, NULL, "zh_CN.UTF-8"), TD_KB_ZH);
	assert_int_equal(td_kb_lang_from_env(NULL, NULL, "zh_CN.UTF-8", "en_US.UTF-8"), TD_KB_ZH);
	assert_int_equal(td_kb_lang_from_env(NULL, "C", "zh_CN.UTF-8", "zh_CN.UTF-8"), TD_KB_EN);
	assert_int_equal(td_kb_lang_from_env(NULL, "zh_CN.UTF-8", "C", "C"), TD_KB_ZH);
	assert_int_equal(td_kb_lang_from_env("zh_CN:en", NULL, NULL, "en_US.UTF-8"), TD_KB_ZH);
	assert_int_equal(td_kb_lang_from_env("fr:zh", NULL, NULL, "en_US.UTF-8"), TD_KB_ZH);
	assert_int_equal(td_kb_lang_from_env("zh_CN", NULL, NULL, "C"), TD_KB_EN);
	assert_int_equal(td_kb_lang_from_env("zh_CN", NULL, NULL, NULL), TD_KB_EN);
	assert_int_equal(td_kb_lang_from_env("", "", "", "fr_FR.UTF-8"), TD_KB_EN);
}

/* glibc's own zh_CN catalogue, when this machine has it: every Chinese
 * errno message must be the one a Chinese system prints. A .mo file is a
 * header (magic, revision, count, offset of the originals' table, offset of
 * the translations' table) and two tables of (length, offset) pairs. */
static char *mo_translate(const unsigned char *mo, size_t size, const char *msgid)
{
	uint32_t n, orig, tran;

	if (size < 20 || (mo[0] | mo[1] << 8 | mo[2] << 16 | (uint32_t)mo[3] << 24) != 0x950412de)
		return NULL;
#define U32(off)                                                                                   \
	((uint32_t)mo[off] | (uint32_t)mo[(off) + 1] << 8 | (uint32_t)mo[(off) + 2] << 16 |        \
	 (uint32_t)mo[(off) + 3] << 24)
	n = U32(8);
	orig = U32(12);
	tran = U32(16);
	for (uint32_t i = 0; i < n; i++) {
		size_t ol, oo, tl, to;

		if ((size_t)orig + 8 * (i + 1) > size || (size_t)tran + 8 * (i + 1) > size)
			return NULL;
		ol = U32(orig + 8 * i);
		oo = U32(orig + 8 * i + 4);
		tl = U32(tran + 8 * i);
		to = U32(tran + 8 * i + 4);
		if (oo + ol > size || to + tl > size)
			return NULL;
		if (ol == strlen(msgid) && !memcmp(mo + oo, msgid, ol))
			return strndup((const char *)mo + to, tl);
	}
#undef U32
	return NULL;
}

static void test_glibc_messages(void **state)
{
	static const char path[] = "/usr/share/locale/zh_CN/LC_MESSAGES/libc.mo";
	size_t n = 0, size = 0, checked = 0;
	const struct td_kb_entry *t = td_kb_entries(&n);
	unsigned char *mo = NULL;
	FILE *fp = fopen(path, "rb");
	long len;

	(void)state;
	if (!fp) {
		skip(); /* no glibc Chinese catalogue on this machine */
		return;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0) {
		size = (size_t)len;
		mo = malloc(size);
		assert_non_null(mo);
		assert_int_equal(fread(mo, 1, size, fp), size);
	}
	fclose(fp);
	for (size_t i = 0; mo && i < n; i++) {
		struct td_kb_tr zh;
		char *want;

		if (t[i].kind != TD_KB_ERRNO || !td_kb_text(&t[i], TD_KB_ZH, &zh))
			continue;
		want = mo_translate(mo, size, strerror(t[i].value));
		if (!want)
			continue; /* glibc has no translation for it */
		if (!zh.message || strcmp(zh.message, want))
			fail_msg("%s: our zh_CN message '%s', glibc's '%s'", t[i].name,
				 zh.message ? zh.message : "(none)", want);
		free(want);
		checked++;
	}
	free(mo);
	assert_true(checked > 40);
}

/* ---- the table itself ---- */

static void check_text(const struct td_kb_entry *e, const char *field, const char *s, bool list)
{
	size_t word = 0, col = 0;

	if (!s || !*s)
		fail_msg("%s: %s is empty", e->name, field);
	if (*s == ' ' || *s == '\n')
		fail_msg("%s: %s starts with a blank", e->name, field);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n') {
			if (!list)
				fail_msg("%s: %s is one paragraph, no newline", e->name, field);
			if (p[1] == '\n' || p[1] == '\0' || p[1] == ' ' || p[-1] == ' ')
				fail_msg("%s: %s has an empty item or blanks around a newline",
					 e->name, field);
			word = col = 0;
			continue;
		}
		if (c < 0x20 || c >= 0x7f)
			fail_msg("%s: %s has a non-printable or non-ASCII byte %#x", e->name, field,
				 c);
		if (c == ' ') {
			if (p[1] == ' ')
				fail_msg("%s: %s has a double blank", e->name, field);
			word = 0;
		} else if (++word > TD_KB_MAX_WORD) {
			fail_msg("%s: %s has a word longer than %d: the wrapper cannot fit it",
				 e->name, field, TD_KB_MAX_WORD);
		}
		col++;
	}
	if (s[strlen(s) - 1] == ' ')
		fail_msg("%s: %s ends with a blank", e->name, field);
	(void)col;
}

static void test_entries_complete(void **state)
{
	size_t n = 0, counts[TD_KB_KIND_MAX + 1] = { 0 };
	const struct td_kb_entry *t = td_kb_entries(&n);

	(void)state;
	assert_non_null(t);
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++) {
		const struct td_kb_entry *e = &t[i];

		assert_true(e->kind >= TD_KB_STATE && e->kind <= TD_KB_KIND_MAX);
		counts[e->kind]++;
		assert_non_null(e->name);
		assert_true(strlen(e->name) > 0 && strlen(e->name) <= 40);
		for (const char *p = e->name; *p; p++)
			if (!isgraph((unsigned char)*p))
				fail_msg("name '%s' has a blank or unprintable byte", e->name);
		check_text(e, "summary", e->summary, false);
		assert_true(strlen(e->summary) <= 100);
		check_text(e, "meaning", e->meaning, false);
		check_text(e, "who_sees", e->who_sees, false);
		check_text(e, "causes", e->causes, true);
		check_text(e, "next", e->next, true);
		check_text(e, "refs", e->refs, true);
		if (e->aliases) {
			/* Shown as a list: "a, b, c". */
			char shown[256];

			assert_true(strlen(e->aliases) < sizeof(shown));
			strcpy(shown, e->aliases);
			for (char *p = shown; *p; p++)
				if (*p == '|')
					*p = ' ';
			check_text(e, "aliases", shown, false);
		}
		/* Each entry is found by its own name, and only itself. */
		assert_ptr_equal(must_find(e->name), e);
		for (size_t k = 0; k < n; k++)
			if (k != i && !strcasecmp(t[k].name, e->name))
				fail_msg("name '%s' appears twice", e->name);
		/* Each alias leads back to it. */
		if (e->aliases) {
			char buf[256];
			char *save = NULL, *a;

			assert_true(strlen(e->aliases) < sizeof(buf));
			strcpy(buf, e->aliases);
			for (a = strtok_r(buf, "|", &save); a; a = strtok_r(NULL, "|", &save))
				if (must_find(a) != e)
					fail_msg("alias '%s' of %s leads elsewhere", a, e->name);
		}
		switch (e->kind) {
		case TD_KB_STATE:
			assert_true(e->value >= 1 && e->value <= TD_STATE_MAX);
			assert_string_equal(e->name, td_state_name(e->value));
			break;
		case TD_KB_ERRNO:
			assert_true(e->value > 0);
			assert_non_null(strerrorname_np(e->value));
			/* The name is this platform's name for the number (or EWOULDBLOCK's
			 * twin): a wrong constant in the table shows here. */
			assert_string_equal(strerrorname_np(e->value), e->name);
			break;
		case TD_KB_FLAGS: {
			unsigned f;

			assert_int_equal(td_kb_parse_flags(e->name, &f, NULL), 0);
			for (size_t k = 0; k < n; k++) {
				unsigned g;

				if (k != i && t[k].kind == TD_KB_FLAGS &&
				    td_kb_parse_flags(t[k].name, &g, NULL) == 0 && g == f)
					fail_msg("%s and %s are the same flags", e->name,
						 t[k].name);
			}
			break;
		}
		case TD_KB_SYSCTL:
			assert_true(!strncmp(e->name, "net.ipv4.", 9) ||
				    !strncmp(e->name, "net.core.", 9));
			break;
		case TD_KB_COUNTER:
			/* "Group.Name", as td_counters keys them. */
			assert_non_null(strchr(e->name, '.'));
			assert_int_equal(e->value, 0);
			break;
		default:
			assert_int_equal(e->value, 0);
		}
		for (size_t k = 0; k < n; k++)
			if (k != i && t[k].kind == e->kind &&
			    (e->kind == TD_KB_STATE || e->kind == TD_KB_ERRNO) &&
			    t[k].value == e->value)
				fail_msg("%s and %s share value %d", e->name, t[k].name, e->value);
	}
	assert_int_equal(counts[TD_KB_STATE], TD_STATE_MAX);
	assert_int_equal(counts[TD_KB_FLAGS], sizeof(flag_cases) / sizeof(flag_cases[0]));
	assert_int_equal(counts[TD_KB_SYSCTL], sizeof(sysctls) / sizeof(sysctls[0]));
	assert_true(counts[TD_KB_ERRNO] >= sizeof(errnos) / sizeof(errnos[0]));
	assert_true(counts[TD_KB_CONCEPT] >= 20);
	assert_int_equal(counts[TD_KB_COUNTER], sizeof(counters) / sizeof(counters[0]));
	assert_true(counts[TD_KB_RULE] >= 18);
	assert_true(counts[TD_KB_COLUMN] >= 5);
	assert_true(counts[TD_KB_ERRNO] >= ERRNO_LAST - ERRNO_FIRST + 1);
}

/* "Look next" may only send the reader to commands and topics that exist. */
static void test_next_points_somewhere(void **state)
{
	static const char *const commands[] = { "states", "conns", "who",   "explain",
						"fsm",	  "check", "lab",   "watch",
						"sysctl", "pcap",  "trace", "probe" };
	size_t n = 0;
	const struct td_kb_entry *t = td_kb_entries(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const char *line = t[i].next;

		while (line && *line) {
			const char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			char buf[256], cmd[32] = "", arg[128] = "";
			bool known = false;

			assert_true(len < sizeof(buf));
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (!strncmp(buf, "tcpdoctor ", 10)) {
				sscanf(buf + 10, "%31s", cmd);
				for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
					known |= !strcmp(cmd, commands[k]);
				if (!known)
					fail_msg("%s: next names an unknown command: %s", t[i].name,
						 buf);
				/* "explain --list ..." is a listing, not a topic. */
				if (!strcmp(cmd, "explain") && !strstr(buf, " --list")) {
					assert_non_null(
						must_find(buf + strlen("tcpdoctor explain ")));
				} else if (sscanf(buf, "tcpdoctor fsm --from %127s", arg) == 1) {
					uint32_t mask;

					assert_int_equal(td_state_parse(arg, &mask, NULL), 0);
				}
				if (!strcmp(cmd, "explain") && !strstr(buf, " --list") &&
				    must_find(buf + strlen("tcpdoctor explain ")) == &t[i])
					fail_msg("%s: next sends the reader to itself", t[i].name);
			}
			line = nl ? nl + 1 : NULL;
		}
	}
}

static void test_kind_names(void **state)
{
	enum td_kb_kind k = 0;

	(void)state;
	assert_string_equal(td_kb_kind_name(TD_KB_STATE), "state");
	assert_string_equal(td_kb_kind_name(TD_KB_FLAGS), "flags");
	assert_string_equal(td_kb_kind_name(TD_KB_SYSCTL), "sysctl");
	assert_string_equal(td_kb_kind_name(0), "unknown");
	assert_string_equal(td_kb_kind_name(99), "unknown");
	assert_int_equal(td_kb_kind_parse("flag", &k, NULL), 0);
	assert_int_equal(k, TD_KB_FLAGS);
	assert_int_equal(td_kb_kind_parse("FLAGS", &k, NULL), 0);
	assert_int_equal(k, TD_KB_FLAGS);
	assert_int_equal(td_kb_kind_parse("states", &k, NULL), 0);
	assert_int_equal(k, TD_KB_STATE);
	assert_int_equal(td_kb_kind_parse("errno", &k, NULL), 0);
	assert_int_equal(k, TD_KB_ERRNO);
	assert_int_equal(td_kb_kind_parse("sysctls", &k, NULL), 0);
	assert_int_equal(k, TD_KB_SYSCTL);
	assert_int_equal(td_kb_kind_parse("concept", &k, NULL), 0);
	assert_int_equal(k, TD_KB_CONCEPT);
	assert_int_equal(td_kb_kind_parse("counters", &k, NULL), 0);
	assert_int_equal(k, TD_KB_COUNTER);
	assert_int_equal(td_kb_kind_parse("rule", &k, NULL), 0);
	assert_int_equal(k, TD_KB_RULE);
	assert_int_equal(td_kb_kind_parse("columns", &k, NULL), 0);
	assert_int_equal(k, TD_KB_COLUMN);
	assert_string_equal(td_kb_kind_name(TD_KB_COUNTER), "counter");
	assert_int_equal(td_kb_kind_parse("s", &k, NULL), -TD_EPARSE);
	assert_int_equal(td_kb_kind_parse("", &k, NULL), -TD_EPARSE);
	assert_int_equal(td_kb_kind_parse("stat", &k, NULL), -TD_EPARSE);
	assert_int_equal(td_kb_kind_parse(NULL, &k, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_state),
		cmocka_unit_test(test_every_errno),
		cmocka_unit_test(test_errno_range),
		cmocka_unit_test(test_unknown_errno),
		cmocka_unit_test(test_every_flag_combination),
		cmocka_unit_test(test_parse_flags),
		cmocka_unit_test(test_flags_without_entry),
		cmocka_unit_test(test_every_sysctl),
		cmocka_unit_test(test_unknown_topics),
		cmocka_unit_test(test_every_counter),
		cmocka_unit_test(test_every_rule),
		cmocka_unit_test(test_every_scenario),
		cmocka_unit_test(test_chinese_aliases),
		cmocka_unit_test(test_chinese_complete),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_glibc_messages),
		cmocka_unit_test(test_entries_complete),
		cmocka_unit_test(test_next_points_somewhere),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of the kernel counter reader: exact values from real copies of this
 * kernel's /proc/net files, every kind of malformed input with the error it
 * must give, lookups, deltas across wrap and gauges, and a live read that
 * must see a loopback connection this test makes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diagnose/counters.h"

static const char *srcdir(void)
{
	const char *d = getenv("TD_SRCDIR");

	return d && *d ? d : ".";
}

static void data_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/tests/data/counters/%s", srcdir(), name);
}

/* Parse text as one file into c. */
static int parse_text(struct td_counters *c, const char *text, enum td_counter_format fmt,
		      struct td_err *err)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(fp);
	rc = td_counters_parse(c, fp, "test", fmt, TD_CF_SNMP, err);
	fclose(fp);
	return rc;
}

static uint64_t get(const struct td_counters *c, const char *key)
{
	uint64_t v = 0;
	int rc = td_counters_get(c, key, &v);

	if (rc < 0)
		fail_msg("%s: %d", key, rc);
	return v;
}

/* Values from tests/data/counters/real (copies of this VM's files). */
static void test_real_files(void **state)
{
	struct td_counters c;
	struct td_err err = { 0 };
	char root[4096];
	int64_t s;
	uint64_t u;

	(void)state;
	td_counters_init(&c);
	data_path(root, sizeof(root), "real");
	assert_int_equal(td_counters_read(&c, root, &err), 0);
	assert_int_equal(c.files, 0xf);
	/* every name of every group: 83 snmp + 229 netstat + 12 + 6 sockstat */
	assert_int_equal(c.n, 330);
	assert_int_equal(get(&c, "Tcp.ActiveOpens"), 69);
	assert_int_equal(get(&c, "Tcp.PassiveOpens"), 56);
	assert_int_equal(get(&c, "Tcp.RtoMax"), 120000);
	assert_int_equal(get(&c, "TcpExt.TW"), 51);
	assert_int_equal(get(&c, "TcpExt.TCPSynRetrans"), 0);
	/* the last name of the longest line */
	assert_int_equal(get(&c, "TcpExt.TCPAODroppedIcmps"), 0);
	assert_int_equal(get(&c, "IpExt.InOctets"), 20572673);
	assert_int_equal(get(&c, "Ip.Forwarding"), 2);
	assert_int_equal(get(&c, "IcmpMsg.InType3"), 1);
	assert_int_equal(get(&c, "TCP.inuse"), 1);
	assert_int_equal(get(&c, "TCP.alloc"), 22410);
	assert_int_equal(get(&c, "TCP6.inuse"), 0);
	assert_int_equal(get(&c, "sockets.used"), 14);
	assert_int_equal(td_counters_find(&c, "TCP6.inuse")->file, TD_CF_SOCKSTAT6);
	assert_int_equal(td_counters_find(&c, "TcpExt.TW")->file, TD_CF_NETSTAT);

	/* MaxConn is -1: not an unsigned value, a signed one */
	assert_int_equal(td_counters_get(&c, "Tcp.MaxConn", &u), -ERANGE);
	assert_int_equal(td_counters_get_signed(&c, "Tcp.MaxConn", &s), 0);
	assert_int_equal(s, -1);
	assert_true(td_counters_find(&c, "Tcp.MaxConn")->negative);

	/* absent is not zero */
	assert_int_equal(td_counters_get(&c, "TcpExt.NoSuchCounter", &u), -TD_ENOTFOUND);
	/* sorted for bsearch */
	for (size_t i = 1; i < c.n; i++) {
		int r = strcmp(c.v[i - 1].group, c.v[i].group);

		assert_true(r < 0 || (r == 0 && strcmp(c.v[i - 1].name, c.v[i].name) < 0));
	}
	td_counters_free(&c);
	assert_null(c.v);
}

static void test_optional_files(void **state)
{
	struct td_counters c;
	struct td_err err = { 0 };
	char root[4096];
	uint64_t u;

	(void)state;
	td_counters_init(&c);
	data_path(root, sizeof(root), "noipv6"); /* no sockstat6 */
	assert_int_equal(td_counters_read(&c, root, &err), 0);
	assert_int_equal(c.files, 0x7);
	assert_int_equal(td_counters_get(&c, "TCP6.inuse", &u), -TD_ENOTFOUND);
	assert_int_equal(get(&c, "TCP.inuse"), 1);

	/* snmp itself is required */
	data_path(root, sizeof(root), "no-such-dir");
	assert_int_equal(td_counters_read(&c, root, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no-such-dir/snmp"));
	assert_int_equal(c.n, 0);
	td_counters_free(&c);
}

struct bad_case {
	const char *file;
	enum td_counter_format fmt;
	int code;
	const char *msg; /* substring the error must hold */
};

static const struct bad_case bad_cases[] = {
	{ "bad/mismatch.snmp", TD_CFMT_TABLE, -TD_EPARSE,
	  "line 8: 'Tcp:' has 15 names (line 7) but 14 values" },
	{ "bad/nonnumeric.snmp", TD_CFMT_TABLE, -TD_EPARSE,
	  "line 8: value of Tcp.MaxConn is not a 64-bit integer: '12x'" },
	{ "bad/overflow.snmp", TD_CFMT_TABLE, -TD_EPARSE,
	  "line 8: value of Tcp.ActiveOpens is not a 64-bit integer: '18446744073709551616'" },
	{ "bad/truncated-names.snmp", TD_CFMT_TABLE, -TD_ETRUNC,
	  "line 7: names of 'Tcp:' without a values line" },
	{ "bad/truncated-mid.snmp", TD_CFMT_TABLE, -TD_ETRUNC, "line 8: no end of line" },
	{ "bad/wrong-group.snmp", TD_CFMT_TABLE, -TD_EPARSE,
	  "line 8: expected the values of 'Tcp:' (names on line 7), found 'Udp:'" },
	{ "bad/nocolon.snmp", TD_CFMT_TABLE, -TD_EPARSE, "line 1: expected 'Group: ...'" },
	{ "bad/empty.snmp", TD_CFMT_TABLE, -TD_ETRUNC, "empty file" },
	{ "bad/duplicate.snmp", TD_CFMT_TABLE, -TD_EPARSE,
	  "counter Tcp.ActiveOpens appears twice" },
	{ "bad/odd.sockstat", TD_CFMT_PAIRS, -TD_EPARSE,
	  "line 2: 'TCP:' should be followed by 'name value' pairs, found 5 words" },
	/* a table file read as pairs fails on its first line */
	{ "real/snmp", TD_CFMT_PAIRS, -TD_EPARSE, "line 1: " },
};

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct td_counters c;
		struct td_err err = { 0 };
		char path[4096];
		FILE *fp;
		int rc;

		data_path(path, sizeof(path), b->file);
		fp = fopen(path, "r");
		if (!fp)
			fail_msg("cannot open %s (set TD_SRCDIR?)", path);
		td_counters_init(&c);
		rc = td_counters_parse(&c, fp, path, b->fmt, TD_CF_SNMP, &err);
		fclose(fp);
		if (rc != b->code || !strstr(err.msg, b->msg) || !strstr(err.msg, b->file))
			fail_msg("%s: got %d '%s', want %d '...%s...'", b->file, rc, err.msg,
				 b->code, b->msg);
		assert_int_equal(c.n, 0);
		td_counters_free(&c);
	}
}

static void test_bad_root(void **state)
{
	struct td_counters c;
	struct td_err err = { 0 };
	char root[4096];

	(void)state;
	td_counters_init(&c);
	data_path(root, sizeof(root), "bad/badroot"); /* a '-' value in TcpExt */
	assert_int_equal(td_counters_read(&c, root, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "badroot/netstat line 2: value of TcpExt.SyncookiesRecv"));
	assert_int_equal(c.n, 0);
	assert_int_equal(c.files, 0);
	td_counters_free(&c);
}

static void test_values(void **state)
{
	struct td_counters c;
	struct td_err err = { 0 };
	int64_t s;
	uint64_t u;

	(void)state;
	td_counters_init(&c);
	assert_int_equal(parse_text(&c,
				    "Tcp:\tA  B C D E\n"
				    "Tcp: 18446744073709551615 -9223372036854775808 0 -0 7\n"
				    "\n"
				    "TcpExt: FutureCounter2031\n"
				    "TcpExt: 42\n",
				    TD_CFMT_TABLE, &err),
			 0);
	assert_int_equal(c.n, 6);
	assert_int_equal(get(&c, "Tcp.A"), UINT64_MAX);
	assert_int_equal(td_counters_get_signed(&c, "Tcp.A", &s), -ERANGE);
	assert_int_equal(td_counters_get_signed(&c, "Tcp.B", &s), 0);
	assert_true(s == INT64_MIN);
	assert_int_equal(td_counters_get(&c, "Tcp.B", &u), -ERANGE);
	assert_int_equal(get(&c, "Tcp.D"), 0); /* -0 is zero, not negative */
	assert_int_equal(get(&c, "TcpExt.FutureCounter2031"), 42);
	td_counters_free(&c);

/* clang-format off */
#define T(text) { text, sizeof(text) - 1 }
	static const struct {
		const char *text;
		size_t len;
	} bad[] = {
		T("Tcp: A\nTcp: -9223372036854775809\n"), /* below INT64_MIN */
		T("Tcp: A\nTcp: --1\n"),
		T("Tcp: A\nTcp: -\n"),
		T("Tcp: A\nTcp: +1\n"),
		T("Tcp: A\nTcp: 0x10\n"),
		T("Tcp: A.B\nTcp: 1\n"), /* '.' would break keys */
		T("Tcp:\nTcp:\n"), /* no counters */
		T("Tcp: A\n\nTcp: 1\n"),  /* blank between names and values */
		T(": A\n: 1\n"), /* no group */
		T("Tcp: A\0B\nTcp: 1\n"), /* a NUL byte */
		T("Tcp: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nTcp: 1\n"),
		T("TcpExtTcpExtTcpExtTcpExtTcpExt: A\nTcpExtTcpExtTcpExtTcpExtTcpExt: 1\n"),
	};
#undef T
	/* clang-format on */

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *fp = fmemopen((void *)bad[i].text, bad[i].len, "r");
		int rc;

		assert_non_null(fp);
		td_err_clear(&err);
		rc = td_counters_parse(&c, fp, "test", TD_CFMT_TABLE, TD_CF_SNMP, &err);
		fclose(fp);
		if (rc != -TD_EPARSE || !strstr(err.msg, "test line "))
			fail_msg("case %zu: got %d '%s'", i, rc, err.msg);
		assert_int_equal(c.n, 0);
	}
	td_counters_free(&c);
}

static void test_pairs(void **state)
{
	struct td_counters c;
	struct td_err err = { 0 };

	(void)state;
	td_counters_init(&c);
	assert_int_equal(parse_text(&c,
				    "sockets: used 15\n"
				    "TCP: inuse 1 orphan 2 tw 3 alloc 20056 mem 163\n"
				    "FRAG: inuse 0 memory 0\n",
				    TD_CFMT_PAIRS, &err),
			 0);
	assert_int_equal(c.n, 8);
	assert_int_equal(get(&c, "TCP.orphan"), 2);
	assert_int_equal(get(&c, "TCP.tw"), 3);
	assert_int_equal(get(&c, "sockets.used"), 15);
	assert_int_equal(get(&c, "FRAG.memory"), 0);
	/* a value where a name should be */
	assert_int_equal(parse_text(&c, "TCP: 1 inuse\n", TD_CFMT_PAIRS, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "'1' in 'TCP:' is not a counter name"));
	assert_int_equal(parse_text(&c, "TCP:\n", TD_CFMT_PAIRS, &err), -TD_EPARSE);
	/* failures left the earlier counters alone */
	assert_int_equal(c.n, 8);
	td_counters_free(&c);
}

static void test_lookup(void **state)
{
	struct td_counters c;
	struct td_err err = { 0 };

	(void)state;
	td_counters_init(&c);
	assert_null(td_counters_find(&c, "Tcp.ActiveOpens")); /* empty snapshot */
	assert_int_equal(parse_text(&c, "Tcp: ActiveOpens\nTcp: 5\n", TD_CFMT_TABLE, &err), 0);
	assert_int_equal(parse_text(&c, "TCP: inuse 9\n", TD_CFMT_PAIRS, &err), 0);
	assert_non_null(td_counters_find(&c, "Tcp.ActiveOpens"));
	assert_null(td_counters_find(&c, "Tcp.ActiveOpen"));
	assert_null(td_counters_find(&c, "Tcp.ActiveOpensX"));
	assert_null(td_counters_find(&c, "tcp.ActiveOpens")); /* case matters */
	assert_null(td_counters_find(&c, "Tcp.inuse"));	      /* snmp Tcp is not sockstat TCP */
	assert_int_equal(get(&c, "TCP.inuse"), 9);
	assert_null(td_counters_find(&c, "TcpActiveOpens"));
	assert_null(td_counters_find(&c, "Tcp."));
	assert_null(td_counters_find(&c, ".ActiveOpens"));
	/* a key already present, from a second parse: refused, nothing added */
	assert_int_equal(
		parse_text(&c, "Udp: X\nUdp: 1\nTcp: ActiveOpens\nTcp: 6\n", TD_CFMT_TABLE, &err),
		-TD_EPARSE);
	assert_non_null(strstr(err.msg, "Tcp.ActiveOpens appears twice"));
	assert_int_equal(c.n, 2);
	assert_null(td_counters_find(&c, "Udp.X"));
	assert_int_equal(get(&c, "Tcp.ActiveOpens"), 5);
	td_counters_free(&c);
}

static void snap(struct td_counters *c, const char *text, time_t sec, long nsec)
{
	struct td_err err = { 0 };

	td_counters_init(c);
	if (parse_text(c, text, TD_CFMT_TABLE, &err) < 0)
		fail_msg("%s", err.msg);
	c->ts.tv_sec = sec;
	c->ts.tv_nsec = nsec;
}

static void test_delta_rate(void **state)
{
	struct td_counters a, b;
	int64_t d;
	double r;

	(void)state;
	snap(&a, "Tcp: ActiveOpens CurrEstab Wrap Gone\nTcp: 100 50 18446744073709551614 1\n", 10,
	     900000000);
	snap(&b, "Tcp: ActiveOpens CurrEstab Wrap New\nTcp: 130 20 3 1\n", 11, 400000000);
	assert_true(td_counters_elapsed(&a, &b) > 0.4999 && td_counters_elapsed(&a, &b) < 0.5001);
	assert_int_equal(td_counters_delta(&a, &b, "Tcp.ActiveOpens", &d), 0);
	assert_int_equal(d, 30);
	assert_int_equal(td_counters_rate(&a, &b, "Tcp.ActiveOpens", &r), 0);
	assert_true(r > 59.99 && r < 60.01);
	/* a gauge falls */
	assert_int_equal(td_counters_delta(&a, &b, "Tcp.CurrEstab", &d), 0);
	assert_int_equal(d, -30);
	/* a counter that wrapped at 2^64 */
	assert_int_equal(td_counters_delta(&a, &b, "Tcp.Wrap", &d), 0);
	assert_int_equal(d, 5);
	/* absent on either side */
	assert_int_equal(td_counters_delta(&a, &b, "Tcp.Gone", &d), -TD_ENOTFOUND);
	assert_int_equal(td_counters_delta(&a, &b, "Tcp.New", &d), -TD_ENOTFOUND);
	assert_int_equal(td_counters_rate(&a, &b, "Tcp.New", &r), -TD_ENOTFOUND);
	/* no time passed: no rate */
	assert_int_equal(td_counters_rate(&a, &a, "Tcp.ActiveOpens", &r), -EINVAL);
	assert_int_equal(td_counters_rate(&b, &a, "Tcp.ActiveOpens", &r), -EINVAL);
	td_counters_free(&a);
	td_counters_free(&b);
}

/* The real files of this namespace: a loopback connection made between two
 * reads shows in ActiveOpens and PassiveOpens. */
static void test_live(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sa);
	struct td_counters a, b;
	struct td_err err = { 0 };
	int lfd, cfd, afd;
	int64_t d;
	uint64_t u;

	(void)state;
	td_counters_init(&a);
	td_counters_init(&b);
	if (td_counters_read(&a, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(a.files & (1u << TD_CF_SNMP));
	assert_true(a.files & (1u << TD_CF_NETSTAT));
	assert_int_equal(td_counters_get(&a, "Tcp.ActiveOpens", &u), 0);
	assert_int_equal(td_counters_get(&a, "TcpExt.ListenOverflows", &u), 0);
	assert_int_equal(td_counters_get(&a, "TCP.tw", &u), 0);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &slen), 0);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);

	if (td_counters_read(&b, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(td_counters_elapsed(&a, &b) > 0);
	assert_int_equal(td_counters_delta(&a, &b, "Tcp.ActiveOpens", &d), 0);
	assert_true(d >= 1);
	assert_int_equal(td_counters_delta(&a, &b, "Tcp.PassiveOpens", &d), 0);
	assert_true(d >= 1);
	close(afd);
	close(cfd);
	close(lfd);
	td_counters_free(&a);
	td_counters_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_files), cmocka_unit_test(test_optional_files),
		cmocka_unit_test(test_bad_files),  cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_values),	   cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_lookup),	   cmocka_unit_test(test_delta_rate),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

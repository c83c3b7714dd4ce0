/* Tests for filter.c: option parsing and every error message, user-space
 * matching on hand-built sockets, and the inet_diag bytecode, checked
 * against a copy of the kernel's interpreter and auditor (bc_emul.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bc_emul.h"
#include "sockets/filter.h"
#include "state.h"

/* ---- helpers ---------------------------------------------------------- */

#define PORT_EXPECTED "expected PORT or LO-HI with 0 <= LO <= HI <= 65535"

static void assert_msg_has(const struct td_err *err, const char *needle)
{
	if (!strstr(err->msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err->msg, needle);
}

static void assert_msg_printable(const struct td_err *err)
{
	const unsigned char *p;

	assert_true(err->msg[0] != '\0');
	for (p = (const unsigned char *)err->msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control byte 0x%02x in message \"%s\"", *p, err->msg);
}

static struct td_sock sock4(const char *l, uint16_t lport, const char *r, uint16_t rport)
{
	struct td_sock s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.state = TD_ESTABLISHED;
	assert_int_equal(inet_pton(AF_INET, l, s.laddr), 1);
	assert_int_equal(inet_pton(AF_INET, r, s.raddr), 1);
	s.lport = lport;
	s.rport = rport;
	return s;
}

static struct td_sock sock6(const char *l, uint16_t lport, const char *r, uint16_t rport)
{
	struct td_sock s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET6;
	s.state = TD_ESTABLISHED;
	assert_int_equal(inet_pton(AF_INET6, l, s.laddr), 1);
	assert_int_equal(inet_pton(AF_INET6, r, s.raddr), 1);
	s.lport = lport;
	s.rport = rport;
	return s;
}

/* Bytecode buffer: 4-byte aligned like a netlink attribute's payload. */
struct bc_buf {
	uint32_t w[1024];
};

static int compile(const struct td_filter *f, struct bc_buf *b)
{
	int n;

	memset(b, 0xa5, sizeof(*b)); /* garbage past the end must not matter */
	n = td_filter_bytecode(f, b->w, sizeof(b->w));
	assert_true(n >= 0);
	assert_int_equal(n % 4, 0);
	return n;
}

/* What the kernel would do with this socket and bytecode n bytes long
 * (no bytecode attribute: every socket passes). */
static bool kernel_passes(const struct bc_buf *b, int n, const struct td_sock *s)
{
	struct bc_emul_sk k;

	if (n == 0)
		return true;
	return bc_emul_run(b->w, n, bc_emul_entry_from(&k, s)) == 1;
}

/* ---- ports ------------------------------------------------------------ */

static void test_port_parse_ok(void **state)
{
	static const struct {
		const char *text;
		uint16_t lo, hi;
	} ok[] = {
		{ "80", 80, 80 },
		{ ":80", 80, 80 },
		{ "8000-8080", 8000, 8080 },
		{ ":8000-8080", 8000, 8080 },
		{ "0", 0, 0 },
		{ "65535", 65535, 65535 },
		{ "0-65535", 0, 65535 },
		{ "080", 80, 80 },
		{ "7-7", 7, 7 },
		{ "00000000000000000443", 443, 443 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct td_port_range r = { 1, 1 };
		struct td_err err;

		td_err_clear(&err);
		assert_int_equal(td_parse_port_range(ok[i].text, &r, &err), 0);
		assert_int_equal(r.lo, ok[i].lo);
		assert_int_equal(r.hi, ok[i].hi);
		assert_int_equal(err.code, 0);
	}
}

static void test_port_parse_errors(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "no port given" },
		{ ":", "no port given" },
		{ "80-x", "not a port or range" },
		{ "x", "not a port or range" },
		{ "-1", "not a port or range" },
		{ "+80", "not a port or range" },
		{ "65536", "above 65535" },
		{ "1-65536", "above 65535" },
		{ "99999999999999999999999", "above 65535" },
		{ "90-80", "range is reversed (90 > 80)" },
		{ "80 ", "not a port or range" },
		{ " 80", "not a port or range" },
		{ "80\t", "not a port or range" },
		{ "80-", "not a port or range" },
		{ "-80", "not a port or range" },
		{ "80:90", "not a port or range" },
		{ "1-2-3", "not a port or range" },
		{ "0x50", "not a port or range" },
		{ "::80", "not a port or range" },
		{ "no-such-service", "not a port or range" },
		{ ":no-such-service", "not a port or range" },
	};
	static const struct {
		const char *opt;
		int (*add)(struct td_filter *, const char *, struct td_err *);
	} opts[] = {
		{ "--sport", td_filter_add_sport },
		{ "--dport", td_filter_add_dport },
		{ "--port", td_filter_add_port },
	};
	size_t i, o;

	(void)state;
	for (o = 0; o < 3; o++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct td_filter f;
			struct td_err err;
			char want[128];

			td_filter_init(&f);
			td_err_clear(&err);
			assert_int_equal(opts[o].add(&f, bad[i].text, &err), -TD_EPARSE);
			assert_int_equal(err.code, -TD_EPARSE);
			/* "--sport '80\t'" is shown with the tab made harmless */
			if (!strchr(bad[i].text, '\t')) {
				snprintf(want, sizeof(want), "%s '%s': ", opts[o].opt, bad[i].text);
				assert_msg_has(&err, want);
			}
			assert_msg_has(&err, bad[i].why);
			assert_msg_has(&err, PORT_EXPECTED);
			assert_msg_printable(&err);
			assert_true(f.nsport == 0 && f.ndport == 0 && f.nport == 0);
		}
	}
}

/* Service names, as ss and lsof take them (when /etc/services has them). */
static void test_port_service_names(void **state)
{
	struct td_port_range r;
	struct td_err err;

	(void)state;
	if (!getservbyname("https", "tcp"))
		skip();
	assert_int_equal(td_parse_port_range(":https", &r, &err), 0);
	assert_int_equal(r.lo, 443);
	assert_int_equal(r.hi, 443);
	assert_int_equal(td_parse_port_range("ssh", &r, &err), 0);
	assert_int_equal(r.lo, 22);
	assert_int_equal(td_parse_port_range("https-80", &r, &err), -TD_EPARSE);
}

static void test_port_exact_message(void **state)
{
	struct td_filter f;
	struct td_err err;

	(void)state;
	td_filter_init(&f);
	td_filter_add_sport(&f, "80-x", &err);
	assert_string_equal(err.msg, "--sport '80-x': not a port or range: " PORT_EXPECTED);
	/* The bare parser has no option to name, only the text. */
	assert_int_equal(td_parse_port_range("80-x", &f.sport[0], &err), -TD_EPARSE);
	assert_string_equal(err.msg, "'80-x': not a port or range: " PORT_EXPECTED);
	/* err may be NULL */
	assert_int_equal(td_parse_port_range("x", &f.sport[0], NULL), -TD_EPARSE);
	assert_int_equal(td_filter_add_dport(&f, NULL, NULL), -TD_EPARSE);
}

static void test_lists_full(void **state)
{
	struct td_filter f;
	struct td_err err;
	int i;

	(void)state;
	td_filter_init(&f);
	for (i = 0; i < TD_FILTER_MAX; i++) {
		char text[16];

		snprintf(text, sizeof(text), "%d", 1000 + i);
		assert_int_equal(td_filter_add_dport(&f, text, &err), 0);
		assert_int_equal(td_filter_add_src(&f, "192.0.2.0/24", &err), 0);
		assert_int_equal(td_filter_add_pid(&f, "42", &err), 0);
	}
	assert_int_equal(f.ndport, TD_FILTER_MAX);
	assert_int_equal(f.dport[7].lo, 1007);

	assert_int_equal(td_filter_add_dport(&f, "9", &err), -E2BIG);
	assert_msg_has(&err, "--dport");
	assert_msg_has(&err, "at most 8");
	assert_int_equal(td_filter_add_src(&f, "192.0.2.1", &err), -E2BIG);
	assert_msg_has(&err, "--src");
	assert_int_equal(td_filter_add_pid(&f, "7", &err), -E2BIG);
	assert_msg_has(&err, "--pid");
	assert_int_equal(f.ndport, TD_FILTER_MAX);
	assert_int_equal(f.nsrc, TD_FILTER_MAX);
	assert_int_equal(f.npid, TD_FILTER_MAX);
	/* other lists are not affected */
	assert_int_equal(td_filter_add_sport(&f, "1", &err), 0);
	assert_int_equal(td_filter_add_dst(&f, "2001:db8::/32", &err), 0);
}

/* ---- addresses -------------------------------------------------------- */

static void test_cidr_parse_ok(void **state)
{
	static const struct {
		const char *text;
		int family;
		const char *addr;
		int prefix;
	} ok[] = {
		{ "192.0.2.1", AF_INET, "192.0.2.1", 32 },
		{ "192.0.2.1/24", AF_INET, "192.0.2.0", 24 },
		{ "192.0.2.0/24", AF_INET, "192.0.2.0", 24 },
		{ "198.51.100.7/31", AF_INET, "198.51.100.6", 31 },
		{ "203.0.113.255/25", AF_INET, "203.0.113.128", 25 },
		{ "203.0.113.255/0", AF_INET, "0.0.0.0", 0 },
		{ "192.0.2.77/32", AF_INET, "192.0.2.77", 32 },
		{ "192.0.2.77/032", AF_INET, "192.0.2.77", 32 },
		{ "2001:db8::1", AF_INET6, "2001:db8::1", 128 },
		{ "2001:db8:ffff::1/32", AF_INET6, "2001:db8::", 32 },
		{ "2001:db8::ff/121", AF_INET6, "2001:db8::80", 121 },
		{ "[2001:db8::1]", AF_INET6, "2001:db8::1", 128 },
		{ "[2001:db8:1:2::]/48", AF_INET6, "2001:db8:1::", 48 },
		{ "::ffff:192.0.2.1", AF_INET6, "::ffff:192.0.2.1", 128 },
		{ "::/0", AF_INET6, "::", 0 },
		{ "2001:db8::1/128", AF_INET6, "2001:db8::1", 128 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct td_cidr c;
		uint8_t want[16] = { 0 };
		struct td_err err;

		memset(&c, 0xee, sizeof(c));
		td_err_clear(&err);
		if (td_parse_cidr(ok[i].text, &c, &err))
			fail_msg("'%s': %s", ok[i].text, err.msg);
		assert_int_equal(c.family, ok[i].family);
		assert_int_equal(c.prefix, ok[i].prefix);
		assert_int_equal(inet_pton(ok[i].family, ok[i].addr, want), 1);
		assert_memory_equal(c.addr, want, ok[i].family == AF_INET ? 4 : 16);
	}
}

static void test_cidr_parse_errors(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "no address given" },
		{ "foo", "not an IPv4 or IPv6 address or CIDR "
			 "(examples: 192.0.2.0/24, 2001:db8::/32)" },
		{ "localhost", "not an IPv4 or IPv6 address" },
		{ "192.0.2.0/33", "prefix 33 is too long for IPv4 (at most 32)" },
		{ "2001:db8::/129", "prefix 129 is too long for IPv6 (at most 128)" },
		{ "192.0.2.0/999999999999999999", "is too long for IPv4 (at most 32)" },
		{ "192.0.2.0/", "prefix length after '/' is not a number" },
		{ "192.0.2.0/x", "prefix length after '/' is not a number" },
		{ "192.0.2.0/24x", "prefix length after '/' is not a number" },
		{ "192.0.2.0/-1", "prefix length after '/' is not a number" },
		{ "192.0.2.0/ 24", "prefix length after '/' is not a number" },
		{ "192.0.2.0/24/8", "prefix length after '/' is not a number" },
		{ "/24", "not an IPv4 or IPv6 address" },
		{ "192.0.2", "not an IPv4 or IPv6 address" },
		{ "192.0.2.1.5", "not an IPv4 or IPv6 address" },
		{ "192.0.2.256", "not an IPv4 or IPv6 address" },
		{ " 192.0.2.1", "not an IPv4 or IPv6 address" },
		{ "192.0.2.1 ", "not an IPv4 or IPv6 address" },
		{ "fe80::1%eth0", "not an IPv4 or IPv6 address" },
		{ "2001:db8:::1", "not an IPv4 or IPv6 address" },
		{ "[192.0.2.1]", "not an IPv6 address inside brackets" },
		{ "[2001:db8::1", "'[' without ']'" },
		{ "[2001:db8::1]x", "unexpected text after ']'" },
		{ "[2001:db8::1]:80", "unexpected text after ']'" },
		{ "[2001:db8::]/200", "prefix 200 is too long for IPv6" },
		{ "[]", "not an IPv6 address inside brackets" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct td_filter f;
		struct td_err err;
		char want[128];

		td_filter_init(&f);
		td_err_clear(&err);
		assert_int_equal(td_filter_add_dst(&f, bad[i].text, &err), -TD_EPARSE);
		snprintf(want, sizeof(want), "--dst '%s': ", bad[i].text);
		assert_msg_has(&err, want);
		assert_msg_has(&err, bad[i].why);
		assert_msg_printable(&err);
		assert_int_equal(f.ndst, 0);

		assert_int_equal(td_filter_add_src(&f, bad[i].text, &err), -TD_EPARSE);
		snprintf(want, sizeof(want), "--src '%s': ", bad[i].text);
		assert_msg_has(&err, want);
		assert_int_equal(f.nsrc, 0);
	}
}

static void test_cidr_exact_messages(void **state)
{
	struct td_filter f;
	struct td_cidr c;
	struct td_err err;

	(void)state;
	td_filter_init(&f);
	td_filter_add_src(&f, "192.0.2.0/33", &err);
	assert_string_equal(err.msg,
			    "--src '192.0.2.0/33': prefix 33 is too long for IPv4 (at most 32)");
	td_filter_add_dst(&f, "foo", &err);
	assert_string_equal(err.msg, "--dst 'foo': not an IPv4 or IPv6 address or CIDR "
				     "(examples: 192.0.2.0/24, 2001:db8::/32)");
	assert_int_equal(td_parse_cidr("foo", &c, &err), -TD_EPARSE);
	assert_string_equal(err.msg, "'foo': not an IPv4 or IPv6 address or CIDR "
				     "(examples: 192.0.2.0/24, 2001:db8::/32)");
	assert_int_equal(td_parse_cidr(NULL, &c, NULL), -TD_EPARSE);
}

static void test_bad_text_is_sanitised(void **state)
{
	char longtext[300];
	struct td_filter f;
	struct td_err err;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_src(&f, "192.0.2.1\n\033[31m", &err), -TD_EPARSE);
	assert_msg_printable(&err);
	assert_msg_has(&err, "--src '192.0.2.1??[31m'");

	memset(longtext, '7', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	assert_int_equal(td_filter_add_port(&f, longtext, &err), -TD_EPARSE);
	assert_msg_has(&err, "above 65535");
	assert_msg_has(&err, "...': ");	     /* cut short, visibly */
	assert_msg_has(&err, PORT_EXPECTED); /* advice survives the long text */
	assert_int_equal(td_filter_add_dst(&f, longtext, &err), -TD_EPARSE);
	assert_msg_has(&err, "(examples: 192.0.2.0/24, 2001:db8::/32)");
}

/* ---- pid and state ---------------------------------------------------- */

static void test_pid(void **state)
{
	static const char *const bad[] = { "abc", "0",	     "-1",
					   "12a", "",	     " 1",
					   "1 ",  "4194305", "99999999999999999999",
					   "+5",  "0x10" };
	struct td_filter f;
	struct td_err err;
	size_t i;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_pid(&f, "1234", &err), 0);
	assert_int_equal(td_filter_add_pid(&f, "1", &err), 0);
	assert_int_equal(td_filter_add_pid(&f, "4194304", &err), 0);
	assert_int_equal(f.npid, 3);
	assert_int_equal(f.pid[0], 1234);
	assert_int_equal(f.pid[2], 4194304);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		assert_int_equal(td_filter_add_pid(&f, bad[i], &err), -TD_EPARSE);
		snprintf(want, sizeof(want), "--pid '%s': not a process id", bad[i]);
		assert_msg_has(&err, want);
	}
	assert_int_equal(f.npid, 3);
	td_filter_add_pid(&f, "abc", &err);
	assert_string_equal(err.msg,
			    "--pid 'abc': not a process id: expected a number from 1 to 4194304");
}

static void test_state(void **state)
{
	struct td_filter f;
	struct td_err err;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_state(&f, "established", &err), 0);
	assert_int_equal(f.states, TD_STATE_BIT(TD_ESTABLISHED));
	assert_int_equal(td_filter_add_state(&f, "LISTEN", &err), 0);
	assert_int_equal(f.states, TD_STATE_BIT(TD_ESTABLISHED) | TD_STATE_BIT(TD_LISTEN));

	assert_int_equal(td_filter_add_state(&f, "bogus", &err), -TD_EPARSE);
	assert_msg_has(&err, "--state");
	assert_msg_has(&err, "bogus");
	assert_int_equal(f.states, TD_STATE_BIT(TD_ESTABLISHED) | TD_STATE_BIT(TD_LISTEN));
	assert_int_equal(td_filter_add_state(&f, "", &err), -TD_EPARSE);
	assert_msg_has(&err, "--state");
	assert_int_equal(td_filter_add_state(&f, NULL, NULL), -TD_EPARSE);
}

/* ---- user-space matching ---------------------------------------------- */

static void test_match_empty_filter(void **state)
{
	struct td_filter f;
	struct td_sock s = sock4("192.0.2.1", 0, "198.51.100.1", 65535);
	struct td_sock s6 = sock6("2001:db8::1", 22, "::", 0);

	(void)state;
	td_filter_init(&f);
	assert_true(td_filter_match(&f, &s));
	assert_true(td_filter_match(&f, &s6));
	assert_false(td_filter_has_addr_port(&f));
}

static void test_match_states_family(void **state)
{
	struct td_filter f;
	struct td_sock s = sock4("192.0.2.1", 80, "198.51.100.1", 40000);
	struct bc_buf b;

	(void)state;
	td_filter_init(&f);
	f.states = TD_STATE_BIT(TD_SYN_RECV);
	s.state = TD_NEW_SYN_RECV;
	assert_true(td_filter_match(&f, &s));
	s.state = TD_SYN_RECV;
	assert_true(td_filter_match(&f, &s));
	s.state = TD_ESTABLISHED;
	assert_false(td_filter_match(&f, &s));
	s.state = 0; /* not a state */
	assert_false(td_filter_match(&f, &s));
	s.state = 200;
	assert_false(td_filter_match(&f, &s));

	f.states = TD_STATE_BIT(TD_ESTABLISHED) | TD_STATE_BIT(TD_LISTEN);
	s.state = TD_LISTEN;
	assert_true(td_filter_match(&f, &s));
	s.state = TD_TIME_WAIT;
	assert_false(td_filter_match(&f, &s));

	f.states = 0;
	f.family = AF_INET6;
	assert_false(td_filter_match(&f, &s));
	f.family = AF_INET;
	assert_true(td_filter_match(&f, &s));
	/* states and family never go into the bytecode */
	assert_int_equal(compile(&f, &b), 0);
	assert_false(td_filter_has_addr_port(&f));
}

static void test_match_port_edges(void **state)
{
	struct td_filter f;
	struct td_err err;
	struct td_sock s = sock4("192.0.2.1", 0, "198.51.100.1", 0);

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_sport(&f, "0", &err), 0);
	assert_true(td_filter_match(&f, &s));
	s.lport = 1;
	assert_false(td_filter_match(&f, &s));

	td_filter_init(&f);
	assert_int_equal(td_filter_add_sport(&f, "65535", &err), 0);
	s.lport = 65535;
	assert_true(td_filter_match(&f, &s));
	s.lport = 65534;
	assert_false(td_filter_match(&f, &s));

	td_filter_init(&f);
	assert_int_equal(td_filter_add_dport(&f, "1000-2000", &err), 0);
	s.rport = 999;
	assert_false(td_filter_match(&f, &s));
	s.rport = 1000;
	assert_true(td_filter_match(&f, &s));
	s.rport = 2000;
	assert_true(td_filter_match(&f, &s));
	s.rport = 2001;
	assert_false(td_filter_match(&f, &s));
	s.lport = 1500; /* --dport looks at the remote side only */
	s.rport = 80;
	assert_false(td_filter_match(&f, &s));

	/* OR within a list */
	assert_int_equal(td_filter_add_dport(&f, ":80", &err), 0);
	assert_true(td_filter_match(&f, &s));

	/* --port: either side */
	td_filter_init(&f);
	assert_int_equal(td_filter_add_port(&f, "443", &err), 0);
	s = sock4("192.0.2.1", 443, "198.51.100.1", 50000);
	assert_true(td_filter_match(&f, &s));
	s.lport = 50000;
	s.rport = 443;
	assert_true(td_filter_match(&f, &s));
	s.rport = 444;
	assert_false(td_filter_match(&f, &s));
	assert_true(td_filter_has_addr_port(&f));
}

static void test_match_lists_and(void **state)
{
	struct td_filter f;
	struct td_err err;
	struct td_sock s = sock4("192.0.2.10", 8080, "203.0.113.5", 50000);

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_sport(&f, "80", &err), 0);
	assert_int_equal(td_filter_add_sport(&f, "8000-8100", &err), 0);
	assert_int_equal(td_filter_add_dst(&f, "198.51.100.0/24", &err), 0);
	assert_int_equal(td_filter_add_dst(&f, "203.0.113.0/28", &err), 0);
	assert_int_equal(td_filter_add_src(&f, "192.0.2.0/24", &err), 0);
	assert_true(td_filter_match(&f, &s));
	s.raddr[3] = 16; /* 203.0.113.16: outside /28 */
	assert_false(td_filter_match(&f, &s));
	s.raddr[3] = 15;
	s.lport = 8101;
	assert_false(td_filter_match(&f, &s));
	s.lport = 80;
	s.laddr[2] = 3; /* 192.0.3.10 */
	assert_false(td_filter_match(&f, &s));
}

static void test_match_v4_mapped(void **state)
{
	struct td_filter f;
	struct td_err err;
	struct td_sock mapped = sock6("::ffff:192.0.2.1", 80, "::ffff:198.51.100.9", 1234);
	/* same low 32 bits, but not mapped: 2001:db8::c000:201 */
	struct td_sock plain6 = sock6("2001:db8::c000:201", 80, "2001:db8::1", 1234);
	struct td_sock compat = sock6("::c000:201", 80, "::1", 1234);
	struct td_sock v4 = sock4("192.0.2.1", 80, "198.51.100.9", 1234);
	struct td_sock s;
	struct bc_buf b;
	int n;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_src(&f, "192.0.2.0/24", &err), 0);
	n = compile(&f, &b);
	assert_true(n > 0);
	assert_true(td_filter_match(&f, &mapped));
	assert_true(kernel_passes(&b, n, &mapped));
	assert_true(td_filter_match(&f, &v4));
	assert_false(td_filter_match(&f, &plain6));
	assert_false(kernel_passes(&b, n, &plain6));
	assert_false(td_filter_match(&f, &compat));
	assert_false(kernel_passes(&b, n, &compat));

	/* 0.0.0.0/0 is "any IPv4", not "anything" */
	td_filter_init(&f);
	assert_int_equal(td_filter_add_dst(&f, "0.0.0.0/0", &err), 0);
	n = compile(&f, &b);
	assert_true(td_filter_match(&f, &mapped));
	assert_true(td_filter_match(&f, &v4));
	assert_false(td_filter_match(&f, &plain6));
	assert_false(kernel_passes(&b, n, &plain6));

	/* An IPv6 CIDR never matches an AF_INET socket, not even ::/0 or
	 * ::ffff:0:0/96. */
	td_filter_init(&f);
	assert_int_equal(td_filter_add_src(&f, "::/0", &err), 0);
	assert_int_equal(td_filter_add_src(&f, "::ffff:0.0.0.0/96", &err), 0);
	n = compile(&f, &b);
	assert_false(td_filter_match(&f, &v4));
	assert_false(kernel_passes(&b, n, &v4));
	assert_true(td_filter_match(&f, &plain6));
	assert_true(td_filter_match(&f, &mapped));

	/* IPv6 prefix edges */
	td_filter_init(&f);
	assert_int_equal(td_filter_add_dst(&f, "2001:db8::80/121", &err), 0);
	s = plain6;
	s.raddr[15] = 0x7f;
	assert_false(td_filter_match(&f, &s));
	s.raddr[15] = 0x80;
	assert_true(td_filter_match(&f, &s));
	s.raddr[15] = 0xff;
	assert_true(td_filter_match(&f, &s));
	s.raddr[14] = 1;
	assert_false(td_filter_match(&f, &s));
}

/* ---- bytecode: fixed cases -------------------------------------------- */

static void test_bytecode_empty(void **state)
{
	struct td_filter f;
	struct td_err err;
	struct bc_buf b;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_bytecode(&f, NULL, 0), 0);
	f.states = TD_STATES_ALL;
	f.family = AF_INET6;
	assert_int_equal(td_filter_add_pid(&f, "1", &err), 0);
	assert_int_equal(compile(&f, &b), 0);

	/* A range covering every port filters nothing: no bytecode. */
	assert_int_equal(td_filter_add_sport(&f, "0-65535", &err), 0);
	assert_int_equal(td_filter_add_port(&f, "80", &err), 0);
	assert_int_equal(td_filter_add_port(&f, ":0-65535", &err), 0);
	assert_int_equal(compile(&f, &b), 0);
	assert_true(td_filter_has_addr_port(&f));
}

static void test_bytecode_sport80_bytes(void **state)
{
	/* GE 80 (fail: reject = end + 4), LE 80; yes always falls through. */
	static const struct inet_diag_bc_op want[] = {
		{ INET_DIAG_BC_S_GE, 8, 20 },
		{ 0, 0, 80 },
		{ INET_DIAG_BC_S_LE, 8, 12 },
		{ 0, 0, 80 },
	};
	struct td_filter f;
	struct td_err err;
	struct bc_buf b;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_sport(&f, "80", &err), 0);
	assert_int_equal(compile(&f, &b), sizeof(want));
	assert_memory_equal(b.w, want, sizeof(want));
	assert_int_equal(bc_emul_audit(b.w, sizeof(want), false), 0);
}

static void test_bytecode_enospc(void **state)
{
	struct td_filter f;
	struct td_err err;
	struct bc_buf b;
	int n;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_dst(&f, "2001:db8::/32", &err), 0);
	assert_int_equal(td_filter_add_dport(&f, "22", &err), 0);
	n = compile(&f, &b);
	assert_int_equal(n, 4 + 8 + 16 + 16);
	assert_int_equal(td_filter_bytecode(&f, b.w, (size_t)n - 1), -ENOSPC);
	assert_int_equal(td_filter_bytecode(&f, b.w, 0), -ENOSPC);
	assert_int_equal(td_filter_bytecode(&f, b.w, (size_t)n), n);
}

/* Every list full, every term as long as it gets: the worst case size. */
static void test_bytecode_biggest(void **state)
{
	struct td_filter f;
	struct td_err err;
	struct bc_buf b;
	struct td_sock s = sock6("2001:db8:7::1", 207, "2001:db8:3::9", 103);
	int i, n;

	(void)state;
	td_filter_init(&f);
	for (i = 0; i < TD_FILTER_MAX; i++) {
		char text[64];

		snprintf(text, sizeof(text), "%d-%d", 100 + i, 200 + i);
		assert_int_equal(td_filter_add_sport(&f, text, &err), 0);
		assert_int_equal(td_filter_add_dport(&f, text, &err), 0);
		assert_int_equal(td_filter_add_port(&f, text, &err), 0);
		snprintf(text, sizeof(text), "2001:db8:%x::/48", i);
		assert_int_equal(td_filter_add_src(&f, text, &err), 0);
		assert_int_equal(td_filter_add_dst(&f, text, &err), 0);
	}
	n = compile(&f, &b);
	/* sport, dport: 8 x 16 + 7 JMP; port: 16 x 16 + 15 JMP; src, dst: 8 x 28 + 7 JMP */
	assert_int_equal(n, 2 * (128 + 28) + (256 + 60) + 2 * (224 + 28));
	assert_int_equal(bc_emul_audit(b.w, n, false), 0);
	assert_true(td_filter_match(&f, &s));
	assert_true(kernel_passes(&b, n, &s));
	s.raddr[5] = 8; /* 2001:db8:8:: is in no dst prefix */
	assert_false(td_filter_match(&f, &s));
	assert_false(kernel_passes(&b, n, &s));
}

/* The audit copy must really reject bad programs, or the cross-check below
 * proves nothing. */
static void test_audit_rejects_broken(void **state)
{
	struct td_filter f;
	struct td_err err;
	struct bc_buf b, t;
	struct inet_diag_bc_op op;
	int n;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(td_filter_add_sport(&f, "80", &err), 0);
	assert_int_equal(td_filter_add_sport(&f, "443", &err), 0);
	assert_int_equal(td_filter_add_dst(&f, "192.0.2.0/24", &err), 0);
	n = compile(&f, &b);
	/* GE GE-arg LE LE-arg JMP | GE GE-arg LE LE-arg | D_COND hostcond addr */
	assert_int_equal(n, 16 + 4 + 16 + 16);
	assert_int_equal(bc_emul_audit(b.w, n, false), 0);

	assert_int_equal(bc_emul_audit(b.w, 0, false), -EINVAL);     /* empty */
	assert_int_equal(bc_emul_audit(b.w, n - 4, false), -EINVAL); /* cut short */

	/* A `no` target in the middle of an op (not on the yes-chain). */
	t = b;
	memcpy(&op, t.w, sizeof(op));
	op.no = 12; /* lands on LE's argument */
	memcpy(t.w, &op, sizeof(op));
	assert_int_equal(bc_emul_audit(t.w, n, false), -EINVAL);

	/* yes not a multiple of 4, yes too short for the op's argument */
	t = b;
	memcpy(&op, t.w, sizeof(op));
	op.yes = 6;
	memcpy(t.w, &op, sizeof(op));
	assert_int_equal(bc_emul_audit(t.w, n, false), -EINVAL);
	op.yes = 4;
	memcpy(t.w, &op, sizeof(op));
	assert_int_equal(bc_emul_audit(t.w, n, false), -EINVAL);

	/* no beyond end + 4 */
	t = b;
	memcpy(&op, t.w, sizeof(op));
	op.no = (uint16_t)(n + 8);
	memcpy(t.w, &op, sizeof(op));
	assert_int_equal(bc_emul_audit(t.w, n, false), -EINVAL);

	/* prefix longer than the family allows */
	t = b;
	((uint8_t *)t.w)[36 + 4 + 1] = 33;
	assert_int_equal(bc_emul_audit(t.w, n, false), -EINVAL);
	/* unknown family */
	t = b;
	((uint8_t *)t.w)[36 + 4] = 99;
	assert_int_equal(bc_emul_audit(t.w, n, false), -EINVAL);
	/* unknown code */
	t = b;
	((uint8_t *)t.w)[0] = 200;
	assert_int_equal(bc_emul_audit(t.w, n, false), -EINVAL);
	/* MARK_COND needs CAP_NET_ADMIN */
	{
		struct inet_diag_bc_op mark[3] = { { INET_DIAG_BC_MARK_COND, 12, 16 } };

		assert_int_equal(bc_emul_audit(mark, sizeof(mark), false), -EPERM);
		assert_int_equal(bc_emul_audit(mark, sizeof(mark), true), 0);
	}
}

/* ---- bytecode: the cross-check ---------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: fixed seed, the same sequence everywhere */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

/* Ports near the edges the bytecode has to get right. */
static uint16_t rnd_port(void)
{
	static const uint16_t edge[] = { 0,    1,    2,	    79,	   80,	  81,	 443,  1023,
					 1024, 8080, 32767, 32768, 65533, 65534, 65535 };

	if (rnd_below(4) == 0)
		return (uint16_t)rnd();
	return edge[rnd_below(sizeof(edge) / sizeof(edge[0]))];
}

/* An address from the documentation ranges, with few distinct values so
 * that prefixes match often. */
static void rnd_addr(int family, bool mapped, uint8_t a[16])
{
	static const uint8_t v4net[][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
	static const uint8_t low[] = { 0, 1, 2, 127, 128, 129, 200, 254, 255 };
	const uint8_t *n = v4net[rnd_below(3)];

	memset(a, 0, 16);
	if (family == AF_INET || mapped) {
		uint8_t *p = family == AF_INET ? a : a + 12;

		if (mapped)
			a[10] = a[11] = 0xff;
		p[0] = n[0];
		p[1] = n[1];
		p[2] = n[2];
		p[3] = low[rnd_below(sizeof(low))];
		return;
	}
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = (uint8_t)rnd_below(3);
	if (rnd_below(4) == 0) {
		/* 2001:db8:x::a.b.c.d: the IPv4 bits, but not mapped */
		a[12] = n[0];
		a[13] = n[1];
		a[14] = n[2];
	}
	a[15] = low[rnd_below(sizeof(low))];
	if (rnd_below(8) == 0)
		a[8] = 0x80;
}

static void rnd_sock(struct td_sock *s)
{
	uint32_t kind = rnd_below(10);
	int family = kind < 4 ? AF_INET : AF_INET6;
	bool mapped = kind >= 7;

	memset(s, 0, sizeof(*s));
	s->family = (uint8_t)family;
	s->state = (uint8_t)(1 + rnd_below(TD_STATE_MAX));
	s->lport = rnd_port();
	s->rport = rnd_port();
	rnd_addr(family, mapped && rnd_below(4), s->laddr);
	rnd_addr(family, mapped && rnd_below(4), s->raddr);
	if (rnd_below(10) == 0)
		memset(s->raddr, 0, 16); /* unconnected: the wildcard address */
}

/* Build the CIDR through the parser from text, as a user would type it. */
static void rnd_cidr_text(char *text, size_t len)
{
	static const int p4[] = { 0, 1, 8, 16, 23, 24, 25, 30, 31, 32 };
	static const int p6[] = { 0, 16, 32, 40, 48, 64, 96, 100, 120, 121, 127, 128 };
	uint32_t kind = rnd_below(10);
	uint8_t a[16];
	char buf[INET6_ADDRSTRLEN];

	if (kind < 5) {
		rnd_addr(AF_INET, false, a);
		inet_ntop(AF_INET, a, buf, sizeof(buf));
		snprintf(text, len, "%s/%d", buf, p4[rnd_below(sizeof(p4) / sizeof(p4[0]))]);
	} else {
		rnd_addr(AF_INET6, kind == 9, a);
		inet_ntop(AF_INET6, a, buf, sizeof(buf));
		if (rnd_below(2))
			snprintf(text, len, "[%s]/%d", buf,
				 p6[rnd_below(sizeof(p6) / sizeof(p6[0]))]);
		else
			snprintf(text, len, "%s/%d", buf,
				 p6[rnd_below(sizeof(p6) / sizeof(p6[0]))]);
	}
}

static void rnd_range_text(char *text, size_t len)
{
	uint16_t a = rnd_port(), b = rnd_port();

	if (rnd_below(3) == 0)
		snprintf(text, len, "%s%u", rnd_below(2) ? ":" : "", a);
	else
		snprintf(text, len, "%u-%u", a < b ? a : b, a < b ? b : a);
}

static void rnd_filter(struct td_filter *f)
{
	int (*const port_add[])(struct td_filter *, const char *,
				struct td_err *) = { td_filter_add_sport, td_filter_add_dport,
						     td_filter_add_port };
	int (*const addr_add[])(struct td_filter *, const char *,
				struct td_err *) = { td_filter_add_src, td_filter_add_dst };
	struct td_err err;
	char text[80];
	int i, k, n;

	td_filter_init(f);
	for (k = 0; k < 3; k++) {
		n = rnd_below(3) ? 0 : (int)rnd_below(rnd_below(4) ? 4 : TD_FILTER_MAX + 1);
		for (i = 0; i < n; i++) {
			rnd_range_text(text, sizeof(text));
			if (port_add[k](f, text, &err))
				fail_msg("'%s': %s", text, err.msg);
		}
	}
	for (k = 0; k < 2; k++) {
		n = rnd_below(2) ? 0 : (int)rnd_below(rnd_below(4) ? 4 : TD_FILTER_MAX + 1);
		for (i = 0; i < n; i++) {
			rnd_cidr_text(text, sizeof(text));
			if (addr_add[k](f, text, &err))
				fail_msg("'%s': %s", text, err.msg);
		}
	}
}

static void test_bytecode_cross_check(void **state)
{
	enum { NFILTER = 4000, NSOCK = 150 };
	static struct td_sock socks[NSOCK];
	long runs = 0, passed = 0, nonempty = 0;
	int i, j;

	(void)state;
	for (i = 0; i < NSOCK; i++)
		rnd_sock(&socks[i]);
	for (i = 0; i < NFILTER; i++) {
		struct td_filter f;
		struct bc_buf b;
		int n;

		rnd_filter(&f);
		n = compile(&f, &b);
		if (n > 0) {
			nonempty++;
			if (bc_emul_audit(b.w, n, false) != 0)
				fail_msg("filter %d: kernel would reject %d bytes of bytecode", i,
					 n);
		} else {
			assert_int_equal(n, 0);
		}
		for (j = 0; j < NSOCK; j++) {
			bool user = td_filter_match(&f, &socks[j]);
			bool kern = kernel_passes(&b, n, &socks[j]);

			if (user != kern)
				fail_msg("filter %d, socket %d: td_filter_match %d, bytecode %d", i,
					 j, user, kern);
			runs++;
			passed += user;
		}
	}
	/* Not a vacuous agreement: most filters compile, and both outcomes
	 * are common. */
	assert_true(nonempty > NFILTER / 2);
	assert_true(passed > runs / 50);
	assert_true(passed < runs - runs / 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_parse_ok),
		cmocka_unit_test(test_port_parse_errors),
		cmocka_unit_test(test_port_service_names),
		cmocka_unit_test(test_port_exact_message),
		cmocka_unit_test(test_lists_full),
		cmocka_unit_test(test_cidr_parse_ok),
		cmocka_unit_test(test_cidr_parse_errors),
		cmocka_unit_test(test_cidr_exact_messages),
		cmocka_unit_test(test_bad_text_is_sanitised),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_match_empty_filter),
		cmocka_unit_test(test_match_states_family),
		cmocka_unit_test(test_match_port_edges),
		cmocka_unit_test(test_match_lists_and),
		cmocka_unit_test(test_match_v4_mapped),
		cmocka_unit_test(test_bytecode_empty),
		cmocka_unit_test(test_bytecode_sport80_bytes),
		cmocka_unit_test(test_bytecode_enospc),
		cmocka_unit_test(test_bytecode_biggest),
		cmocka_unit_test(test_audit_rejects_broken),
		cmocka_unit_test(test_bytecode_cross_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

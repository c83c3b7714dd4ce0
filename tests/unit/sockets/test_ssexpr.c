/* Tests for ssexpr.c: the ss filter grammar (precedence as ss, state words,
 * service names), errors that point at the token, and random expressions
 * from the grammar whose bytecode must pass a copy of the kernel's audit
 * and agree, socket by socket, with the matcher and with a reference built
 * from the option filters' own matcher (bc_emul.h). */
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

struct bc_buf {
	uint32_t w[2048];
};

/* Split text at blanks into words, as a shell would (no quoting). */
static int parse_text(struct td_filter *f, const char *text, struct td_err *err)
{
	static char buf[4096];
	char *argv[512], *save = NULL, *w;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w && argc < 512; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	memset(err, 0, sizeof(*err));
	return td_ssexpr_parse(f, argc, argv, err);
}

static void must_parse(struct td_filter *f, const char *text)
{
	struct td_err err;

	td_filter_init(f);
	if (parse_text(f, text, &err))
		fail_msg("'%s': %s", text, err.msg);
}

static int compile(const struct td_filter *f, struct bc_buf *b)
{
	int n;

	memset(b, 0xa5, sizeof(*b));
	n = td_filter_bytecode(f, b->w, sizeof(b->w));
	assert_true(n >= 0);
	assert_int_equal(n % 4, 0);
	if (n)
		assert_int_equal(bc_emul_audit(b->w, n, false), 0);
	return n;
}

static bool kernel_passes(const struct bc_buf *b, int n, const struct td_sock *s)
{
	struct bc_emul_sk k;

	return n == 0 || bc_emul_run(b->w, n, bc_emul_entry_from(&k, s)) == 1;
}

static struct td_sock sock4(const char *l, uint16_t lport, const char *r, uint16_t rport)
{
	struct td_sock s;

	memset(&s, 0, sizeof(s));
	s.family = strchr(l, ':') ? AF_INET6 : AF_INET;
	s.state = TD_ESTABLISHED;
	s.lport = lport;
	s.rport = rport;
	assert_int_equal(inet_pton(s.family, l, s.laddr), 1);
	assert_int_equal(inet_pton(s.family, r, s.raddr), 1);
	return s;
}

/* Both the matcher and the bytecode give `want` for s. */
static void expect(const char *text, const struct td_sock *s, bool want)
{
	struct td_filter f;
	struct bc_buf b;
	int n;

	must_parse(&f, text);
	n = compile(&f, &b);
	if (td_filter_match(&f, s) != want)
		fail_msg("'%s': matcher says %d, want %d", text, !want, want);
	if (kernel_passes(&b, n, s) != want)
		fail_msg("'%s': bytecode says %d, want %d", text, !want, want);
}

static void expect_error(const char *text, int code, const char *msg)
{
	struct td_filter f;
	struct td_err err;
	int rc;

	td_filter_init(&f);
	rc = parse_text(&f, text, &err);
	if (rc != code)
		fail_msg("'%s': rc %d, want %d (%s)", text, rc, code, err.msg);
	if (!strstr(err.msg, msg))
		fail_msg("'%s': message \"%s\" lacks \"%s\"", text, err.msg, msg);
	/* A failed parse leaves the filter as it was. */
	assert_int_equal(f.expr.n, 0);
	assert_int_equal(f.states, 0);
}

/* ---- grammar ---------------------------------------------------------- */

static void test_conditions(void **state)
{
	struct td_sock s = sock4("192.0.2.1", 443, "198.51.100.7", 40000);
	struct td_sock v6 = sock4("2001:db8::1", 22, "2001:db8:1::5", 1024);
	struct td_sock mapped = sock4("::ffff:192.0.2.1", 80, "::ffff:203.0.113.9", 5000);

	(void)state;
	expect("sport = :443", &s, true);
	expect("sport = 443", &s, true);
	expect("sport == :443", &s, true);
	expect("sport eq :443", &s, true);
	expect("sport :443", &s, true);
	expect("sport != :443", &s, false);
	expect("sport ne :80", &s, true);
	expect("dport gt :1024", &s, true);
	expect("dport > :40000", &s, false);
	expect("dport >= :40000", &s, true);
	expect("dport ge :40001", &s, false);
	expect("dport < :40000", &s, false);
	expect("dport lt :40001", &s, true);
	expect("dport <= :40000", &s, true);
	expect("dport le :39999", &s, false);
	expect("dport leq 40000", &s, true);
	expect("sport = *", &s, true);
	expect("dst 198.51.100.0/24", &s, true);
	expect("dst = 198.51.100.7", &s, true);
	expect("dst 198.51.100.8", &s, false);
	expect("src 192.0.2.1:443", &s, true);
	expect("src 192.0.2.1:80", &s, false);
	expect("src 192.0.2.0/24:443", &s, true);
	expect("src *:443", &s, true);
	expect("src :443", &s, true);
	expect("src *", &s, true);
	expect("src != 192.0.2.1", &s, false);
	expect("src [2001:db8::1]", &v6, true);
	expect("src [2001:db8::1]:22", &v6, true);
	expect("src [2001:db8::1]:23", &v6, false);
	expect("src 2001:db8::1", &v6, true);
	expect("dst 2001:db8::/32", &v6, true);
	expect("dst [2001:db8::]/48", &v6, false);
	expect("dst [2001:db8:1::/48]:1024", &v6, true);
	expect("src 2001:db8::/32", &s, false);
	/* iproute2's short dotted quads, as in ss(8)'s own example. */
	expect("dst 198.51.100/24", &s, true);
	expect("dst 198.51/16", &s, true);
	expect("dst 198/8", &s, true);
	expect("dst 198.51.101/24", &s, false);
	expect("src 192.0.2/24:443", &s, true);
	/* As the kernel: an IPv4 prefix matches IPv4-mapped addresses, an
	 * IPv6 one never an IPv4 socket, 0.0.0.0/0 only IPv4 and mapped. */
	expect("src 192.0.2.0/24", &mapped, true);
	expect("dst 203.0.113.9:5000", &mapped, true);
	expect("src 0.0.0.0/0", &v6, false);
	expect("src 0.0.0.0/0", &mapped, true);
	expect("src ::/0", &s, false);
	expect("dev 0", &s, true) /* not bound: ifindex 0 is "none" */;
}

static void test_operators_as_ss(void **state)
{
	struct td_sock s = sock4("192.0.2.1", 443, "198.51.100.7", 40000);

	(void)state;
	expect("( dport = :443 or sport = :443 )", &s, true);
	expect("(dport = :443 or sport = :443)", &s, true);
	expect("sport = :443 and dport = :40000", &s, true);
	expect("sport = :443 && dport = :1", &s, false);
	expect("sport = :443 & dport = :40000", &s, true);
	expect("sport = :1 || dport = :40000", &s, true);
	expect("sport = :1 | dport = :40000", &s, true);
	expect("sport = :443 dport = :40000", &s, true); /* side by side: and */
	expect("sport = :443 dport = :1", &s, false);
	expect("not sport = :443", &s, false);
	expect("! sport = :1", &s, true);
	expect("not not sport = :443", &s, true);
	expect("not ( sport = :1 or dport = :1 )", &s, true);
	/* ss: and/or of equal precedence, left to right. */
	expect("sport = :443 or sport = :1 and dport = :1", &s, false);
	expect("sport = :443 or ( sport = :1 and dport = :1 )", &s, true);
	expect("dport = :1 and sport = :1 or sport = :443", &s, true);
	/* not binds to the next condition only. */
	expect("not sport = :1 and dport = :1", &s, false);
	expect("( ( ( sport = :443 ) ) )", &s, true);
}

static void test_state_words(void **state)
{
	struct td_filter f;
	struct td_err err;

	(void)state;
	must_parse(&f, "state established");
	assert_int_equal(f.states, TD_STATE_BIT(TD_ESTABLISHED));
	assert_int_equal(f.expr.n, 0);
	must_parse(&f, "state listening state time-wait sport = :80");
	assert_int_equal(f.states, TD_STATE_BIT(TD_LISTEN) | TD_STATE_BIT(TD_TIME_WAIT));
	assert_true(f.expr.n > 0);
	must_parse(&f, "exclude listening");
	assert_int_equal(f.states, TD_STATES_ALL & ~TD_STATE_BIT(TD_LISTEN));
	must_parse(&f, "excl bucket");
	assert_int_equal(f.states & (TD_STATE_BIT(TD_SYN_RECV) | TD_STATE_BIT(TD_TIME_WAIT)), 0);
	assert_true(f.states & TD_STATE_BIT(TD_ESTABLISHED));
	must_parse(&f, "state connected");
	assert_int_equal(f.states & (TD_STATE_BIT(TD_LISTEN) | TD_STATE_BIT(TD_CLOSE)), 0);
	assert_true(f.states & TD_STATE_BIT(TD_TIME_WAIT));
	must_parse(&f, "state synchronized");
	assert_int_equal(f.states & TD_STATE_BIT(TD_SYN_SENT), 0);
	must_parse(&f, "state all");
	assert_int_equal(f.states & TD_STATES_ALL, TD_STATES_ALL);
	must_parse(&f, "state big");
	assert_int_equal(f.states & TD_STATE_BIT(TD_TIME_WAIT), 0);

	/* --state and state words add up, as repeated --state do. */
	td_filter_init(&f);
	assert_int_equal(td_filter_add_state(&f, "listen", &err), 0);
	assert_int_equal(parse_text(&f, "state established", &err), 0);
	assert_int_equal(f.states, TD_STATE_BIT(TD_LISTEN) | TD_STATE_BIT(TD_ESTABLISHED));
}

static void test_services(void **state)
{
	struct servent *se = getservbyname("https", "tcp");
	struct td_sock s = sock4("192.0.2.1", 443, "198.51.100.7", 22);

	(void)state;
	if (!se)
		skip(); /* no /etc/services in this build root */
	expect("sport = :https", &s, true);
	expect("sport = https", &s, true);
	expect("dport = :ssh", &s, true);
	expect("src 192.0.2.1:https", &s, true);
	expect("src [::ffff:192.0.2.1]:https", &s, false);
}

static void test_expressions_add_up(void **state)
{
	struct td_sock s = sock4("192.0.2.1", 443, "198.51.100.7", 40000);
	struct td_filter f;
	struct td_err err;
	struct bc_buf b;
	int n;

	(void)state;
	/* Option lists and an expression: ANDed, in user space and bytecode. */
	must_parse(&f, "dport gt :1024");
	assert_int_equal(td_filter_add_sport(&f, "443", &err), 0);
	assert_int_equal(td_filter_add_dst(&f, "198.51.100.0/24", &err), 0);
	n = compile(&f, &b);
	assert_true(td_filter_match(&f, &s));
	assert_true(kernel_passes(&b, n, &s));
	s.lport = 80;
	assert_false(td_filter_match(&f, &s));
	assert_false(kernel_passes(&b, n, &s));
	s.lport = 443;
	s.rport = 1000;
	assert_false(td_filter_match(&f, &s));
	assert_false(kernel_passes(&b, n, &s));
	/* A second parse is ANDed with the first (who PORT EXPR). */
	s.rport = 40000;
	assert_int_equal(parse_text(&f, "src 192.0.2.0/24", &err), 0);
	n = compile(&f, &b);
	assert_true(td_filter_match(&f, &s));
	assert_true(kernel_passes(&b, n, &s));
	assert_int_equal(parse_text(&f, "src 10.0.0.0/8", &err), 0);
	n = compile(&f, &b);
	assert_false(td_filter_match(&f, &s));
	assert_false(kernel_passes(&b, n, &s));
	assert_true(td_filter_has_addr_port(&f));
}

static void test_errors_point_at_the_token(void **state)
{
	struct td_filter f;
	struct td_err err;
	char big[2048];
	size_t n = 0;
	int i;

	(void)state;
	td_filter_init(&f);
	assert_int_equal(parse_text(&f, "dport = :44x", &err), -TD_EPARSE);
	assert_string_equal(err.msg, "dport = :44x: bad port ':44x' at column 9: expected a port "
				     "number 0-65535, '*' or a service name from /etc/services");
	expect_error("dport = :65536", -TD_EPARSE, "bad port ':65536' at column 9");
	expect_error("dprt = 22", -TD_EPARSE,
		     "unknown word 'dprt' at column 1: did you mean 'dport'?");
	expect_error("sport = :80 adn dport = :1", -TD_EPARSE,
		     "unknown word 'adn' at column 13: did you mean 'and'?");
	expect_error("foo", -TD_EPARSE, "unknown word 'foo' at column 1: expected src, dst");
	expect_error("( sport = 22", -TD_EPARSE, "'(' at column 1 is not closed at the end");
	expect_error("sport = 22 )", -TD_EPARSE, "')' without '(' at column 12");
	expect_error("( )", -TD_EPARSE, "empty parentheses at column 3");
	expect_error("sport =", -TD_EPARSE, "expected a port after '=' at the end");
	expect_error("src", -TD_EPARSE, "expected an address after 'src' at the end");
	expect_error("src 192.0.2.300", -TD_EPARSE, "bad address '192.0.2.300' at column 5");
	expect_error("src 192..2/24", -TD_EPARSE, "bad address '192..2/24' at column 5");
	expect_error("src 192.0.2./24", -TD_EPARSE, "bad address '192.0.2./24'");
	expect_error("dst [2001:db8::1", -TD_EPARSE, "'[' without ']' at column 5");
	expect_error("dst [192.0.2.1]", -TD_EPARSE, "not an IPv6 address inside brackets");
	expect_error("dst 192.0.2.1:44x", -TD_EPARSE, "bad port ':44x' at column 14");
	expect_error("sport gt *", -TD_EPARSE, "'*' is any port and cannot be compared");
	expect_error("src gt 192.0.2.1", -TD_EPARSE, "compares ports, not addresses");
	expect_error("sport = 1 and", -TD_EPARSE, "expected a condition at the end");
	expect_error("or sport = 1", -TD_EPARSE, "'or' needs a condition before it at column 1");
	expect_error("sport = 1 state listen", -TD_EPARSE,
		     "'state' must come before the expression");
	expect_error("state lisen", -TD_EPARSE, "at column 7");
	expect_error("state", -TD_EPARSE, "expected a state name after 'state' at the end");
	expect_error("exclude all", -TD_EPARSE, "leaves no state to show");
	expect_error("autobound", -TD_EPARSE, "does not support");
	expect_error("dev no-such-if0", -TD_EPARSE, "no interface 'no-such-if0'");
	expect_error("src 1.2.3.4\x1b[31m", -TD_EPARSE, "bad address '1.2.3.4?[31m'");

	/* Too many terms: E2BIG, and the filter is left as it was. */
	for (i = 0; i < TD_SSEXPR_MAX; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%ssport = %d", i ? " or " : "", i);
	expect_error(big, -E2BIG, "too many conditions");
	/* Deep nesting is refused before the stack is. */
	n = 0;
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "( ");
	snprintf(big + n, sizeof(big) - n, "sport = 1");
	expect_error(big, -TD_EPARSE, "nested too deep");
	n = 0;
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "! ");
	snprintf(big + n, sizeof(big) - n, "sport = 1");
	expect_error(big, -TD_EPARSE, "too many 'not'");
}

static void test_starts(void **state)
{
	(void)state;
	assert_true(td_ssexpr_starts("state"));
	assert_true(td_ssexpr_starts("dport"));
	assert_true(td_ssexpr_starts("("));
	assert_true(td_ssexpr_starts("(dport"));
	assert_true(td_ssexpr_starts("!"));
	assert_false(td_ssexpr_starts(":8080"));
	assert_false(td_ssexpr_starts("8080"));
	assert_false(td_ssexpr_starts("127.0.0.1:6379"));
	assert_false(td_ssexpr_starts(NULL));
}

/* ---- random expressions ------------------------------------------------ */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

static uint16_t rnd_port(void)
{
	static const uint16_t edge[] = { 0, 1, 22, 79, 80, 443, 1023, 1024, 8080, 65534, 65535 };

	if (rnd_below(5) == 0)
		return (uint16_t)rnd();
	return edge[rnd_below(sizeof(edge) / sizeof(edge[0]))];
}

static void rnd_addr(int family, bool mapped, uint8_t a[16])
{
	static const uint8_t low[] = { 0, 1, 2, 127, 128, 255 };

	memset(a, 0, 16);
	if (family == AF_INET || mapped) {
		uint8_t *p = family == AF_INET ? a : a + 12;

		if (mapped)
			a[10] = a[11] = 0xff;
		p[0] = 192;
		p[1] = 0;
		p[2] = (uint8_t)(2 * rnd_below(2));
		p[3] = low[rnd_below(sizeof(low))];
		return;
	}
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = (uint8_t)rnd_below(2);
	a[15] = low[rnd_below(sizeof(low))];
}

static void rnd_sock(struct td_sock *s)
{
	uint32_t kind = rnd_below(10);
	int family = kind < 5 ? AF_INET : AF_INET6;

	memset(s, 0, sizeof(*s));
	s->family = (uint8_t)family;
	s->state = TD_ESTABLISHED;
	s->lport = rnd_port();
	s->rport = rnd_port();
	rnd_addr(family, kind >= 8, s->laddr);
	rnd_addr(family, kind >= 8, s->raddr);
}

/* A random tree and its text. The reference evaluates leaves with the
 * option filters' matcher (td_filter_match on --sport/--src lists), and
 * and/or/not in C, so the grammar, the matcher and the bytecode are each
 * checked against something they do not share. */
struct ref {
	int op; /* 0 leaf, 'a', 'o', '!' */
	struct td_filter leaf;
	bool negate, never; /* leaf: "!=", or an empty range ("< 0") */
	int left, right;
};

static struct ref refs[256];
static int nref;

static bool ref_eval(int i, const struct td_sock *s)
{
	const struct ref *r = &refs[i];

	switch (r->op) {
	case 'a':
		return ref_eval(r->left, s) && ref_eval(r->right, s);
	case 'o':
		return ref_eval(r->left, s) || ref_eval(r->right, s);
	case '!':
		return !ref_eval(r->left, s);
	}
	if (r->never)
		return false;
	return td_filter_match(&r->leaf, s) != r->negate;
}

static void add_range(struct td_filter *f, bool local, unsigned lo, unsigned hi)
{
	struct td_err err;
	char t[32];

	snprintf(t, sizeof(t), "%u-%u", lo, hi);
	assert_int_equal(local ? td_filter_add_sport(f, t, &err) : td_filter_add_dport(f, t, &err),
			 0);
}

static int rnd_leaf(char *out, size_t len)
{
	static const char *const cmp_words[][3] = {
		{ "=", "==", "eq" }, { "!=", "ne", "neq" }, { "<", "lt", "lt" },
		{ ">", "gt", "gt" }, { "<=", "le", "leq" }, { ">=", "ge", "geq" },
	};
	struct ref *r = &refs[nref];
	bool local = rnd_below(2);
	struct td_err err;

	memset(r, 0, sizeof(*r));
	td_filter_init(&r->leaf);
	if (rnd_below(2)) {
		unsigned p = rnd_port(), c = rnd_below(6);

		snprintf(out, len, "%s %s %s%u", local ? "sport" : "dport",
			 cmp_words[c][rnd_below(3)], rnd_below(2) ? ":" : "", p);
		switch (c) {
		case 0:
		case 1:
			add_range(&r->leaf, local, p, p);
			r->negate = c == 1;
			break;
		case 2:
			if (p == 0)
				r->never = true;
			else
				add_range(&r->leaf, local, 0, p - 1);
			break;
		case 3:
			if (p == 65535)
				r->never = true;
			else
				add_range(&r->leaf, local, p + 1, 65535);
			break;
		case 4:
			add_range(&r->leaf, local, 0, p);
			break;
		default:
			add_range(&r->leaf, local, p, 65535);
			break;
		}
	} else {
		static const int p4[] = { 0, 8, 16, 23, 24, 31, 32 };
		static const int p6[] = { 0, 32, 40, 48, 120, 128 };
		uint8_t a[16];
		char addr[INET6_ADDRSTRLEN], cidr[80], port[16] = "";
		bool v6 = rnd_below(3) == 0;

		rnd_addr(v6 ? AF_INET6 : AF_INET, false, a);
		inet_ntop(v6 ? AF_INET6 : AF_INET, a, addr, sizeof(addr));
		snprintf(cidr, sizeof(cidr), "%s/%d", addr,
			 v6 ? p6[rnd_below(sizeof(p6) / sizeof(p6[0]))]
			    : p4[rnd_below(sizeof(p4) / sizeof(p4[0]))]);
		if (rnd_below(3) == 0) {
			unsigned p = rnd_port();

			snprintf(port, sizeof(port), ":%u", p);
			add_range(&r->leaf, local, p, p);
		}
		if (rnd_below(6) == 0) {
			snprintf(out, len, "%s *%s", local ? "src" : "dst", port[0] ? port : "");
		} else {
			assert_int_equal(local ? td_filter_add_src(&r->leaf, cidr, &err)
					       : td_filter_add_dst(&r->leaf, cidr, &err),
					 0);
			if (v6 && (port[0] || rnd_below(2)))
				snprintf(out, len, "%s [%s]%s", local ? "src" : "dst", cidr, port);
			else
				snprintf(out, len, "%s %s%s", local ? "src" : "dst", cidr, port);
		}
	}
	return nref++;
}

/* Text for a tree of depth at most `depth`; written so that ss's
 * left-to-right reading gives the tree: a binary right operand and the
 * operand of not are parenthesised, a left operand need not be. */
static int rnd_tree(char *out, size_t len, int depth, bool *binary)
{
	char a[2048], b[2048];
	int l, r, k = depth > 0 ? (int)rnd_below(4) : 0;
	bool lb, rb;

	*binary = false;
	if (k == 0 || nref > 200)
		return rnd_leaf(out, len);
	if (k == 1) {
		l = rnd_tree(a, sizeof(a), depth - 1, &lb);
		refs[nref] = (struct ref){ .op = '!', .left = l };
		snprintf(out, len, "%s %s%s%s", rnd_below(2) ? "not" : "!", lb ? "( " : "", a,
			 lb ? " )" : "");
		return nref++;
	}
	l = rnd_tree(a, sizeof(a), depth - 1, &lb);
	r = rnd_tree(b, sizeof(b), depth - 1, &rb);
	refs[nref] = (struct ref){ .op = k == 2 ? 'a' : 'o', .left = l, .right = r };
	{
		static const char *const ands[] = { "and", "&&", "&", "" };
		static const char *const ors[] = { "or", "||", "|" };
		const char *w = k == 2 ? ands[rnd_below(4)] : ors[rnd_below(3)];

		snprintf(out, len, "%s%s%s %s%s%s", a, *w ? " " : "", w, rb ? "( " : "", b,
			 rb ? " )" : "");
	}
	*binary = true;
	return nref++;
}

static void test_random_cross_check(void **state)
{
	enum { NEXPR = 3000, NSOCK = 100 };
	static struct td_sock socks[NSOCK];
	static char text[8192];
	long runs = 0, passed = 0;
	int i, j;

	(void)state;
	for (i = 0; i < NSOCK; i++)
		rnd_sock(&socks[i]);
	for (i = 0; i < NEXPR; i++) {
		struct td_filter f;
		struct td_err err;
		struct bc_buf b;
		bool binary;
		int root, n;

		nref = 0;
		root = rnd_tree(text, sizeof(text), 1 + (int)rnd_below(4), &binary);
		td_filter_init(&f);
		if (parse_text(&f, text, &err)) {
			/* Only a tree too big for one filter may fail. */
			if (err.code != -E2BIG)
				fail_msg("expression %d '%s': %s", i, text, err.msg);
			continue;
		}
		n = compile(&f, &b);
		assert_true(n > 0);
		for (j = 0; j < NSOCK; j++) {
			bool want = ref_eval(root, &socks[j]);
			bool user = td_filter_match(&f, &socks[j]);
			bool kern = kernel_passes(&b, n, &socks[j]);

			if (user != want || kern != want)
				fail_msg("expression %d '%s', socket %d: reference %d, matcher %d, "
					 "bytecode %d",
					 i, text, j, want, user, kern);
			runs++;
			passed += want;
		}
		/* Too small a buffer: -ENOSPC, never a short program. */
		assert_int_equal(td_filter_bytecode(&f, b.w, (size_t)n - 4), -ENOSPC);
	}
	assert_true(passed > runs / 20);
	assert_true(passed < runs - runs / 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_operators_as_ss),
		cmocka_unit_test(test_state_words),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_expressions_add_up),
		cmocka_unit_test(test_errors_point_at_the_token),
		cmocka_unit_test(test_starts),
		cmocka_unit_test(test_random_cross_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of the /proc/net/tcp{,6} parser: exact field values from lines
 * captured on this kernel, every kind of malformed input, and a live dump
 * that must find sockets this test creates on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockets/procnet.h"
#include "state.h"

/* Lines from tests/data/procnet/tcp and tcp6 (see capture.py there). */
#define L_LISTEN                                                                                   \
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0       " \
	" 0 10966 3 00000000f4e29b19 100 0 0 10 0                     "
#define L_SYN_RECV                                                                                 \
	"   2: 010200C0:1F91 076433C6:9C40 03 00000000:00000000 01:00000050 00000000     0       " \
	" 0 0 0 000000000ce1594a                                      "
#define L_KEEPALIVE                                                                                \
	"   5: 0100007F:C95C 0100007F:1F90 01 00000000:00000000 02:00007516 00000000     0       " \
	" 0 10969 3 000000001ecbebfc 20 0 0 10 -1                     "
#define L_TIME_WAIT                                                                                \
	"   6: 0100007F:C964 0100007F:1F90 06 00000000:00000000 03:0000175B 00000000     0       " \
	" 0 0 3 000000002e45f157                                      "
#define L_FIN_WAIT2_TW                                                                             \
	"   7: 0100007F:C96C 0100007F:1F90 05 00000000:00000000 03:0000175C 00000000     0       " \
	" 0 0 3 00000000e476c611                                      "
#define L_RX_QUEUE                                                                                 \
	"  13: 0100007F:1F90 0100007F:C958 01 00000000:000004D2 00:00000000 00000000     0       " \
	" 0 10968 1 0000000040892112 20 4 32 10 -1                    "
#define L6_LISTEN                                                                                  \
	"   0: 00000000000000000000000000000000:20FB 00000000000000000000000000000000:0000 0A "    \
	"00000000:00000001 00:00000000 00000000     0        0 10977 2 000000001e632223 100 0 0 "  \
	"10 0"
#define L6_MAPPED                                                                                  \
	"   2: 0000000000000000FFFF00000100007F:20FB 0000000000000000FFFF00000100007F:9E1C 01 "    \
	"00000000:00000000 00:00000000 00000000     0        0 10980 1 000000005a42341d 20 0 0 "   \
	"10 -1"
#define L6_LOOPBACK                                                                                \
	"   4: 00000000000000000000000001000000:D70E 00000000000000000000000001000000:20FB 01 "    \
	"00000000:00000000 00:00000000 00000000     0        0 10979 2 00000000259bb8aa 20 0 0 "   \
	"10 -1"

/* A valid full line to mutate: ESTABLISHED, uid 1000, retrans 3 and a
 * retransmit timer, as a socket mid-backoff looks. */
#define HEAD "   1: 0100007F:1F90 0100007F:C958 "

static void v4(uint8_t out[16], const char *text)
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(AF_INET, text, out), 1);
}

static void v6(uint8_t out[16], const char *text)
{
	assert_int_equal(inet_pton(AF_INET6, text, out), 1);
}

static struct td_sock parse_ok(const char *line, int family)
{
	struct td_err err = { 0 };
	struct td_sock s;

	memset(&s, 0xa5, sizeof(s)); /* every field must be written */
	if (td_procnet_parse_line(line, family, &s, &err) != 0)
		fail_msg("unexpected parse error: %s\n  line: %s", err.msg, line);
	return s;
}

static void test_listen_v4(void **state)
{
	struct td_sock s = parse_ok(L_LISTEN, AF_INET);
	uint8_t a[16], zero[16] = { 0 };

	(void)state;
	v4(a, "127.0.0.1");
	assert_int_equal(s.family, AF_INET);
	assert_int_equal(s.state, TD_LISTEN);
	assert_memory_equal(s.laddr, a, 16);
	assert_memory_equal(s.raddr, zero, 16);
	assert_int_equal(s.lport, 8080);
	assert_int_equal(s.rport, 0);
	assert_int_equal(s.rqueue, 2); /* accept queue length */
	assert_int_equal(s.wqueue, 0);
	assert_int_equal(s.timer, TD_TIMER_NONE);
	assert_int_equal(s.timer_ms, 0);
	assert_int_equal(s.retrans, 0);
	assert_int_equal(s.uid, 0);
	assert_int_equal(s.inode, 10966);
	assert_int_equal(s.ifindex, 0);
	assert_int_equal(s.cookie, 0);
	assert_int_equal(s.flags, 0); /* no backlog, no info, no cookie */
	assert_memory_equal(&s.info, zero, sizeof(zero));
}

static void test_established_rx_queue(void **state)
{
	struct td_sock s = parse_ok(L_RX_QUEUE, AF_INET);
	uint8_t a[16];

	(void)state;
	v4(a, "127.0.0.1");
	assert_int_equal(s.state, TD_ESTABLISHED);
	assert_int_equal(s.lport, 8080);
	assert_int_equal(s.rport, 0xC958);
	assert_memory_equal(s.raddr, a, 16);
	assert_int_equal(s.rqueue, 1234);
	assert_int_equal(s.inode, 10968);
}

static void test_keepalive_timer(void **state)
{
	struct td_sock s = parse_ok(L_KEEPALIVE, AF_INET);

	(void)state;
	assert_int_equal(s.timer, TD_TIMER_KEEPALIVE);
	assert_int_equal(s.timer_ms, 0x7516 * 10); /* USER_HZ ticks */
}

static void test_time_wait(void **state)
{
	struct td_sock s = parse_ok(L_TIME_WAIT, AF_INET);
	struct td_sock f = parse_ok(L_FIN_WAIT2_TW, AF_INET);

	(void)state;
	assert_int_equal(s.state, TD_TIME_WAIT);
	assert_int_equal(s.timer, TD_TIMER_TIMEWAIT);
	assert_int_equal(s.timer_ms, 0x175B * 10);
	assert_int_equal(s.inode, 0);
	assert_int_equal(s.lport, 0xC964);
	assert_int_equal(s.rport, 8080);
	/* a timewait socket whose tw_substate is FIN_WAIT2 */
	assert_int_equal(f.state, TD_FIN_WAIT2);
	assert_int_equal(f.timer, TD_TIMER_TIMEWAIT);
}

static void test_syn_recv_request(void **state)
{
	struct td_sock s = parse_ok(L_SYN_RECV, AF_INET);
	uint8_t l[16], r[16];

	(void)state;
	v4(l, "192.0.2.1");
	v4(r, "198.51.100.7");
	assert_int_equal(s.state, TD_SYN_RECV);
	assert_memory_equal(s.laddr, l, 16);
	assert_memory_equal(s.raddr, r, 16);
	assert_int_equal(s.lport, 8081);
	assert_int_equal(s.rport, 40000);
	assert_int_equal(s.timer, TD_TIMER_RETRANS); /* SYN-ACK retransmit */
	assert_int_equal(s.timer_ms, 800);
	assert_int_equal(s.inode, 0);
}

static void test_v6(void **state)
{
	struct td_sock s;
	uint8_t a[16], zero[16] = { 0 };

	(void)state;
	s = parse_ok(L6_LISTEN, AF_INET6);
	assert_int_equal(s.family, AF_INET6);
	assert_int_equal(s.state, TD_LISTEN);
	assert_memory_equal(s.laddr, zero, 16);
	assert_int_equal(s.lport, 8443);
	assert_int_equal(s.rqueue, 1);
	assert_int_equal(s.inode, 10977);

	/* mapped addresses stay in AF_INET6 form */
	s = parse_ok(L6_MAPPED, AF_INET6);
	v6(a, "::ffff:127.0.0.1");
	assert_int_equal(s.family, AF_INET6);
	assert_memory_equal(s.laddr, a, 16);
	assert_memory_equal(s.raddr, a, 16);
	assert_int_equal(s.lport, 8443);
	assert_int_equal(s.rport, 0x9E1C);

	s = parse_ok(L6_LOOPBACK, AF_INET6);
	v6(a, "::1");
	assert_memory_equal(s.laddr, a, 16);
	assert_memory_equal(s.raddr, a, 16);
	assert_int_equal(s.lport, 0xD70E);
	assert_int_equal(s.rport, 8443);

	v6(a, "2001:db8::1:2");
	s = parse_ok("  17: B80D0120000000000000000002000100:0050 "
		     "00000000000000000000000000000000:0000 0A 00000000:00000000 "
		     "00:00000000 00000000     0        0 5 1 0000000000000000 100 0 0 10 0",
		     AF_INET6);
	assert_memory_equal(s.laddr, a, 16);
	assert_int_equal(s.lport, 80);
}

static void test_hand_made_values(void **state)
{
	struct td_sock s;

	(void)state;
	/* uid, retransmits, retransmit timer, send queue, trailing '\n' */
	s = parse_ok(HEAD "01 0000FFFF:00000010 01:0000012C 00000003  1000        2 "
			  "123 2 ffff888003a1b2c0 300 4 0 1 7\n",
		     AF_INET);
	assert_int_equal(s.wqueue, 0xFFFF);
	assert_int_equal(s.rqueue, 16);
	assert_int_equal(s.timer, TD_TIMER_RETRANS);
	assert_int_equal(s.timer_ms, 3000);
	assert_int_equal(s.retrans, 3);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.inode, 123);

	/* 64-bit clock_t saturates; timer off means 0 whatever tm->when says */
	s = parse_ok(HEAD "04 00000000:00000000 04:FFFFFFFFFFFFFFFF 000000FF 4294967295 "
			  "-5 18446744073709551615 -1 (____ptrval____) 0 0 0 0 -1",
		     AF_INET);
	assert_int_equal(s.timer, TD_TIMER_PROBE0);
	assert_int_equal(s.timer_ms, UINT32_MAX);
	assert_int_equal(s.retrans, 255);
	assert_int_equal(s.uid, UINT32_MAX);
	assert_true(s.inode == UINT64_MAX);
	s = parse_ok(HEAD "01 00000000:00000000 00:00000064 00000000 0 0 1 1 0 0 0 0 0 0", AF_INET);
	assert_int_equal(s.timer_ms, 0);
	/* NEW_SYN_RECV (12) is a valid state, and a request socket ends early */
	s = parse_ok(HEAD "0C 00000000:00000000 00:00000000 00000000 0 0 0 1 0", AF_INET);
	assert_int_equal(s.state, TD_NEW_SYN_RECV);
}

struct bad_line {
	const char *line;
	int family;
	const char *msg;
};

static const struct bad_line bad_lines[] = {
	{ "", AF_INET, "line is empty" },
	{ "     \n", AF_INET, "line is empty" },
	{ "   1:", AF_INET, "line ends after field 'sl'" },
	{ "   1: 0100007F:1F90", AF_INET, "line ends after field 'local_address'" },
	{ "   1: 0100007F:1F90 0100007F:C958", AF_INET, "line ends after field 'rem_address'" },
	{ "   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:C958",
	  AF_INET6, "line ends after field 'remote_address'" },
	{ HEAD "01", AF_INET, "line ends after field 'st'" },
	{ HEAD "01 00000000:00000000", AF_INET, "line ends after field 'rx_queue'" },
	{ HEAD "01 00000000:00000000 00:00000000", AF_INET, "line ends after field 'tm->when'" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 0 100", AF_INET,
	  "line ends after field 'rto'" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 0 100 0 0 10", AF_INET,
	  "line ends after field 'cwnd'" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 0", AF_INET,
	  "line ends after field 'pointer', but a socket in state ESTABLISHED has 5 more "
	  "fields (rto ato quick/pingpong cwnd ssthresh): only TIME_WAIT and request "
	  "sockets end there" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 0 0 0 0 0 0 extra", AF_INET,
	  "unexpected text after field 'ssthresh': 'extra'" },
	{ "x1: 0100007F:1F90", AF_INET, "field 'sl': 'x1:' is not a slot number followed by ':'" },
	{ "   1 0100007F:1F90", AF_INET, "field 'sl': '1' is not a slot number followed by ':'" },
	{ "   1: 0100007F1F90 0", AF_INET,
	  "field 'local_address': '0100007F1F90' has no ':' between address and port" },
	{ "   1: 0100G07F:1F90 0", AF_INET, "field 'local_address': '0100G07F:1F90' is not hex" },
	{ "   1: 100007F:1F90 0", AF_INET,
	  "field 'local_address': '100007F:1F90' has an address of 7 hex digits, expected 8" },
	{ "   1: 0100007F:01F90 0", AF_INET,
	  "field 'local_address': '0100007F:01F90' has a port of 5 hex digits, expected 4" },
	{ "   1: 0100007F:1F90 0", AF_INET6,
	  "field 'local_address': '0100007F:1F90' has an address of 8 hex digits, expected 32" },
	{ HEAD "ZZ 0", AF_INET, "field 'st': 'ZZ' is not hex" },
	{ HEAD "00 0", AF_INET,
	  "field 'st': '00' is not a TCP state (01 to 0C, include/net/tcp_states.h)" },
	{ HEAD "0D 0", AF_INET,
	  "field 'st': '0D' is not a TCP state (01 to 0C, include/net/tcp_states.h)" },
	{ HEAD "1 0", AF_INET, "field 'st': '1' has 1 hex digits, expected 2" },
	{ HEAD "01 00000000-00000000 0", AF_INET,
	  "field 'tx_queue:rx_queue': '00000000-00000000' has no ':' between tx_queue and "
	  "rx_queue" },
	{ HEAD "01 00000000: 0", AF_INET, "field 'rx_queue': '' is empty" },
	{ HEAD "01 0000000x:00000000 0", AF_INET, "field 'tx_queue': '0000000x' is not hex" },
	{ HEAD "01 00000000:00000000 05:00000000 0", AF_INET,
	  "field 'tr': '05' is not a timer kind (00 to 04)" },
	{ HEAD "01 00000000:00000000 00:0000000 0", AF_INET,
	  "field 'tm->when': '0000000' has 7 hex digits, expected 8 to 16" },
	{ HEAD "01 00000000:00000000 00:00000000000000000 0", AF_INET,
	  "field 'tm->when': '00000000000000000' has 17 hex digits, expected 8 to 16" },
	{ HEAD "01 00000000:00000000 00:00000000 00000100 0", AF_INET,
	  "field 'retrnsmt': '00000100' is out of range (0xFF at most)" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 4294967296 0", AF_INET,
	  "field 'uid': '4294967296' is out of range (4294967295 at most)" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 -1 0", AF_INET,
	  "field 'uid': '-1' is not an unsigned decimal number" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 +1 0", AF_INET,
	  "field 'uid': '+1' is not an unsigned decimal number" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 2147483648 1", AF_INET,
	  "field 'timeout': '2147483648' is out of range for an int" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 - 1", AF_INET,
	  "field 'timeout': '-' is not a decimal number" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 18446744073709551616 1", AF_INET,
	  "field 'inode': '18446744073709551616' is out of range (18446744073709551615 at "
	  "most)" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 99999999999999999999999 1", AF_INET,
	  "field 'inode': '99999999999999999999999' is out of range (18446744073709551615 "
	  "at most)" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 0x10 1", AF_INET,
	  "field 'inode': '0x10' is not an unsigned decimal number" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 00000000000000000", AF_INET,
	  "field 'pointer': '00000000000000000' is not a pointer (1 to 16 hex digits)" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 (null)", AF_INET,
	  "field 'pointer': '(null)' is not hex" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 0 1 2 3 4 5.0", AF_INET,
	  "field 'ssthresh': '5.0' is not a decimal number" },
	{ HEAD "01 00000000:00000000\t00:00000000 00000000 0 0 1 1 0 1 2 3 4 5", AF_INET,
	  "field 'rx_queue': '00000000?00:00000000' is not hex" },
	{ HEAD "01 00000000:00000000 00:00000000 00000000 0 0 1 1 0 1 2 3 4 5\r\n", AF_INET,
	  "carriage return at column 96: the kernel ends lines with '\\n' only (was the file "
	  "converted to CRLF?)" },
	/* a very long token is cut in the message */
	{ "   1: 0100007F:1F9000000000000000000000000000000000000000000000000000000 0", AF_INET,
	  "field 'local_address': '0100007F:1F900000000000000000000000000000000...' is too "
	  "long (66 bytes)" },
};

static void test_bad_lines(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		struct td_err err = { 0 };
		struct td_sock s;
		int ret = td_procnet_parse_line(bad_lines[i].line, bad_lines[i].family, &s, &err);

		if (ret != -TD_EPARSE || err.code != -TD_EPARSE ||
		    strcmp(err.msg, bad_lines[i].msg))
			fail_msg("case %zu: ret %d\n  got:  %s\n  want: %s", i, ret, err.msg,
				 bad_lines[i].msg);
	}
}

static void test_bad_family(void **state)
{
	struct td_err err = { 0 };
	struct td_sock s;

	(void)state;
	assert_int_equal(td_procnet_parse_line(L_LISTEN, AF_UNIX, &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "neither AF_INET nor AF_INET6"));
	/* NULL err is allowed */
	assert_int_equal(td_procnet_parse_line("junk", AF_INET, &s, NULL), -TD_EPARSE);
}

/* Collects what a stream delivers; stops with stop_ret at socket stop_at. */
struct collect {
	size_t n;
	size_t stop_at;
	int stop_ret;
	struct td_sock last;
	size_t by_state[TD_STATE_MAX + 1];
	/* live test: sockets with these ports and, when set, these inodes
	 * (other tests on the host may hold the same port numbers: TIME_WAIT
	 * left by an earlier listener on that port, the other family's) */
	uint16_t port_a, port_b;
	uint64_t inodes[3];
	struct td_sock found[4];
	size_t nfound;
};

static int collect_cb(const struct td_sock *s, void *ctx)
{
	struct collect *c = ctx;

	c->n++;
	c->last = *s;
	c->by_state[s->state]++;
	if ((c->port_a && (s->lport == c->port_a || s->rport == c->port_a)) && c->nfound < 4 &&
	    (!c->inodes[0] || s->inode == c->inodes[0] || s->inode == c->inodes[1] ||
	     s->inode == c->inodes[2]))
		c->found[c->nfound++] = *s;
	if (c->stop_at && c->n == c->stop_at)
		return c->stop_ret;
	return 0;
}

static const char *srcdir(void)
{
	const char *d = getenv("TD_SRCDIR");

	return d && *d ? d : ".";
}

static int stream_file(const char *name, int family, const struct td_filter *f, struct collect *c,
		       struct td_err *err)
{
	char path[4096];
	FILE *fp;
	int ret;

	snprintf(path, sizeof(path), "%s/tests/data/procnet/%s", srcdir(), name);
	fp = fopen(path, "re");
	if (!fp)
		fail_msg("cannot open %s: %s (set TD_SRCDIR?)", path, strerror(errno));
	ret = td_procnet_stream(fp, family, name, f, collect_cb, c, err);
	fclose(fp);
	return ret;
}

static void test_real_captures(void **state)
{
	struct td_err err = { 0 };
	struct collect c = { 0 };

	(void)state;
	assert_int_equal(stream_file("tcp", AF_INET, NULL, &c, &err), 0);
	assert_int_equal(c.n, 14);
	assert_int_equal(c.by_state[TD_LISTEN], 2);
	assert_int_equal(c.by_state[TD_ESTABLISHED], 8);
	assert_int_equal(c.by_state[TD_SYN_RECV], 1);
	assert_int_equal(c.by_state[TD_TIME_WAIT], 1);
	assert_int_equal(c.by_state[TD_FIN_WAIT2], 1);
	assert_int_equal(c.by_state[TD_CLOSE_WAIT], 1);
	assert_int_equal(c.last.rqueue, 1234); /* the last line */

	memset(&c, 0, sizeof(c));
	assert_int_equal(stream_file("tcp6", AF_INET6, NULL, &c, &err), 0);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.by_state[TD_LISTEN], 1);
	assert_int_equal(c.by_state[TD_ESTABLISHED], 4);
	assert_int_equal(c.last.family, AF_INET6);

	/* the tcp6 file read as tcp fails on the first data line */
	memset(&c, 0, sizeof(c));
	assert_int_equal(stream_file("tcp6", AF_INET, NULL, &c, &err), -TD_EPARSE);
	assert_string_equal(err.msg,
			    "tcp6 line 2: field 'local_address': "
			    "'00000000000000000000000000000000:20FB' has an address of 32 hex "
			    "digits, expected 8");
	assert_int_equal(c.n, 0);
}

struct fixture_case {
	const char *file;
	int family;
	int ret;
	size_t delivered;
	const char *msg; /* exact; NULL when ret is 0 */
};

static const struct fixture_case fixtures[] = {
	{ "truncated.tcp", AF_INET, -TD_EPARSE, 2,
	  "truncated.tcp line 4: line ends after field 'rem_address'" },
	{ "bad_hex.tcp", AF_INET, -TD_EPARSE, 2,
	  "bad_hex.tcp line 4: field 'st': 'ZZ' is not hex" },
	{ "state0.tcp", AF_INET, -TD_EPARSE, 2,
	  "state0.tcp line 4: field 'st': '00' is not a TCP state (01 to 0C, "
	  "include/net/tcp_states.h)" },
	{ "state13.tcp", AF_INET, -TD_EPARSE, 2,
	  "state13.tcp line 4: field 'st': '0D' is not a TCP state (01 to 0C, "
	  "include/net/tcp_states.h)" },
	{ "inode_max.tcp", AF_INET, 0, 3, NULL },
	{ "inode_overflow.tcp", AF_INET, -TD_EPARSE, 2,
	  "inode_overflow.tcp line 4: field 'inode': '18446744073709551616' is out of range "
	  "(18446744073709551615 at most)" },
	{ "no_header.tcp", AF_INET, -TD_EPARSE, 0,
	  "no_header.tcp line 1: expected the header line '  sl  local_address ...', found "
	  "'   0: 0100007F:1F90 00000000:0000 0A 0000000...'" },
	{ "empty.tcp", AF_INET, -TD_EPARSE, 0,
	  "empty.tcp is empty: expected the header line '  sl  local_address ...'" },
	{ "crlf.tcp", AF_INET, -TD_EPARSE, 0,
	  "crlf.tcp line 2: carriage return at column 150: the kernel ends lines with '\\n' "
	  "only (was the file converted to CRLF?)" },
	{ "long_line.tcp", AF_INET, -TD_EPARSE, 2,
	  "long_line.tcp line 4: longer than 1023 bytes: not a /proc/net/tcp line (the "
	  "kernel's are under 300)" },
	{ "short_addr.tcp6", AF_INET6, -TD_EPARSE, 1,
	  "short_addr.tcp6 line 3: field 'local_address': '0100007F:20FB' has an address of "
	  "8 hex digits, expected 32" },
};

static void test_fixtures(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture_case *fc = &fixtures[i];
		struct td_err err = { 0 };
		struct collect c = { 0 };
		int ret = stream_file(fc->file, fc->family, NULL, &c, &err);

		if (ret != fc->ret || c.n != fc->delivered || (fc->msg && strcmp(err.msg, fc->msg)))
			fail_msg("%s: ret %d (want %d), delivered %zu (want %zu)\n"
				 "  got:  %s\n  want: %s",
				 fc->file, ret, fc->ret, c.n, fc->delivered, err.msg,
				 fc->msg ? fc->msg : "");
		if (fc->msg)
			assert_int_equal(err.code, fc->ret);
	}
}

static void test_inode_max(void **state)
{
	struct td_err err = { 0 };
	struct collect c = { 0 };

	(void)state;
	assert_int_equal(stream_file("inode_max.tcp", AF_INET, NULL, &c, &err), 0);
	assert_true(c.last.inode == UINT64_MAX);
	assert_int_equal(c.last.state, TD_ESTABLISHED);
}

static int make_listener(int family, uint16_t *port);

static void test_callback_stop(void **state)
{
	struct td_err err = { 0 };
	struct collect c = { .stop_at = 3, .stop_ret = 42 };
	uint16_t port;
	int lfd;

	(void)state;
	assert_int_equal(stream_file("tcp", AF_INET, NULL, &c, &err), 42);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.last.state, TD_SYN_RECV); /* the third data line */

	memset(&c, 0, sizeof(c));
	c.stop_at = 1;
	c.stop_ret = -ECANCELED;
	assert_int_equal(stream_file("tcp6", AF_INET6, NULL, &c, &err), -ECANCELED);
	assert_int_equal(c.n, 1);

	/* through td_procnet_dump too: the first socket stops it (a listener
	 * of our own makes sure there is one, even in an empty netns) */
	lfd = make_listener(AF_INET, &port);
	assert_true(lfd >= 0);
	memset(&c, 0, sizeof(c));
	c.stop_at = 1;
	c.stop_ret = 7;
	assert_int_equal(td_procnet_dump(NULL, collect_cb, &c, &err), 7);
	assert_int_equal(c.n, 1);
	close(lfd);
}

static void test_filter(void **state)
{
	struct td_err err = { 0 };
	struct collect c = { 0 };
	struct td_filter f;

	(void)state;
	td_filter_init(&f);
	f.states = TD_STATE_BIT(TD_LISTEN);
	assert_int_equal(stream_file("tcp", AF_INET, &f, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.by_state[TD_LISTEN], 2);

	memset(&c, 0, sizeof(c));
	f.states = TD_STATE_BIT(TD_TIME_WAIT) | TD_STATE_BIT(TD_SYN_RECV);
	assert_int_equal(stream_file("tcp", AF_INET, &f, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.by_state[TD_TIME_WAIT], 1);
	assert_int_equal(c.by_state[TD_SYN_RECV], 1);
}

static void test_stream_errors(void **state)
{
	struct td_err err = { 0 };
	struct collect c = { 0 };
	FILE *fp;

	(void)state;
	fp = fopen("/dev/null", "re");
	assert_non_null(fp);
	assert_int_equal(td_procnet_stream(fp, AF_PACKET, "x", NULL, collect_cb, &c, &err),
			 -EINVAL);
	fclose(fp);

	/* a read error is a negative errno naming the file */
	fp = fopen("/dev/null", "we");
	assert_non_null(fp);
	assert_true(td_procnet_stream(fp, AF_INET, "w-only", NULL, collect_cb, &c, &err) < 0);
	assert_int_equal(err.code, -EBADF);
	assert_non_null(strstr(err.msg, "w-only line 1: read error"));
	fclose(fp);

	/* a NUL byte is not text */
	{
		static const char data[] = "  sl  local\n   0: 01\0000007F:1F90\n";

		fp = fmemopen((void *)data, sizeof(data) - 1, "r");
		assert_non_null(fp);
		assert_int_equal(td_procnet_stream(fp, AF_INET, NULL, NULL, collect_cb, &c, &err),
				 -TD_EPARSE);
		assert_string_equal(err.msg, "/proc/net/tcp line 2: NUL byte at column 9: "
					     "not a text file");
		fclose(fp);
	}
	/* a header alone is an empty table; a blank line is an error */
	{
		static const char data[] = "  sl  local\n";
		static const char blank[] = "  sl  local\n" L_LISTEN "\n\n";

		fp = fmemopen((void *)data, sizeof(data) - 1, "r");
		assert_int_equal(td_procnet_stream(fp, AF_INET, NULL, NULL, collect_cb, &c, &err),
				 0);
		fclose(fp);
		assert_int_equal(c.n, 0);
		fp = fmemopen((void *)blank, sizeof(blank) - 1, "r");
		assert_int_equal(td_procnet_stream(fp, AF_INET, "b", NULL, collect_cb, &c, &err),
				 -TD_EPARSE);
		fclose(fp);
		assert_string_equal(err.msg, "b line 3: line is empty");
		assert_int_equal(c.n, 1);
	}
	/* the last line without '\n' still counts */
	{
		static const char data[] = "  sl  local\n" L_LISTEN;

		memset(&c, 0, sizeof(c));
		fp = fmemopen((void *)data, sizeof(data) - 1, "r");
		assert_int_equal(td_procnet_stream(fp, AF_INET, NULL, NULL, collect_cb, &c, &err),
				 0);
		fclose(fp);
		assert_int_equal(c.n, 1);
	}
}

static int make_listener(int family, uint16_t *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 8) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int connect_to(int family, int lfd, uint16_t *lport)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&ss, &len), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
	len = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*lport = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					 : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static const struct td_sock *find(const struct collect *c, int state, uint16_t lport)
{
	size_t i;

	for (i = 0; i < c->nfound; i++)
		if (c->found[i].state == state && c->found[i].lport == lport)
			return &c->found[i];
	return NULL;
}

static void live_check(int family)
{
	struct td_err err = { 0 };
	struct collect c = { 0 };
	const struct td_sock *s;
	struct td_filter f;
	uint16_t lport, cport;
	uint8_t lo[16] = { 0 };
	int lfd, cfd, afd;

	lfd = make_listener(family, &lport);
	if (lfd < 0) {
		if (family == AF_INET6)
			skip_because("kernel: IPv6 disabled on this host");
		fail_msg("cannot listen on 127.0.0.1: %s", strerror(errno));
	}
	cfd = connect_to(family, lfd, &cport);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	if (family == AF_INET)
		v4(lo, "127.0.0.1");
	else
		v6(lo, "::1");

	c.port_a = lport;
	c.inodes[0] = inode_of(lfd);
	c.inodes[1] = inode_of(cfd);
	c.inodes[2] = inode_of(afd);
	assert_int_equal(td_procnet_dump(NULL, collect_cb, &c, &err), 0);
	assert_int_equal(c.nfound, 3);

	s = find(&c, TD_LISTEN, lport);
	assert_non_null(s);
	assert_int_equal(s->family, family);
	assert_memory_equal(s->laddr, lo, 16);
	assert_int_equal(s->inode, inode_of(lfd));
	assert_int_equal(s->uid, getuid());
	assert_int_equal(s->rqueue, 0); /* accepted already */

	s = find(&c, TD_ESTABLISHED, cport);
	assert_non_null(s);
	assert_int_equal(s->family, family);
	assert_int_equal(s->rport, lport);
	assert_memory_equal(s->raddr, lo, 16);
	assert_int_equal(s->inode, inode_of(cfd));

	s = find(&c, TD_ESTABLISHED, lport);
	assert_non_null(s);
	assert_int_equal(s->rport, cport);
	assert_int_equal(s->inode, inode_of(afd));

	/* the other family's file is not read when the filter names one */
	td_filter_init(&f);
	f.family = family == AF_INET ? AF_INET6 : AF_INET;
	memset(&c, 0, sizeof(c));
	c.port_a = lport;
	c.inodes[0] = inode_of(lfd);
	c.inodes[1] = inode_of(cfd);
	c.inodes[2] = inode_of(afd);
	assert_int_equal(td_procnet_dump(&f, collect_cb, &c, &err), 0);
	assert_int_equal(c.nfound, 0);

	close(afd);
	close(cfd);
	close(lfd);
}

static void test_live_v4(void **state)
{
	(void)state;
	live_check(AF_INET);
}

static void test_live_v6(void **state)
{
	(void)state;
	live_check(AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_v4),
		cmocka_unit_test(test_established_rx_queue),
		cmocka_unit_test(test_keepalive_timer),
		cmocka_unit_test(test_time_wait),
		cmocka_unit_test(test_syn_recv_request),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_hand_made_values),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_bad_family),
		cmocka_unit_test(test_real_captures),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_inode_max),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_stream_errors),
		cmocka_unit_test(test_live_v4),
		cmocka_unit_test(test_live_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

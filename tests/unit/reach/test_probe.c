/* Unit tests for probe.c: HOST:PORT parsing (IPv6 brackets, "host port",
 * every malformed shape), statistics against hand-computed values, --send
 * escapes, the errno and resolver tables, numeric resolution, and real
 * connect attempts on loopback (open port, closed port, --send/--expect). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "reach/probe.h"

static void parse_ok(const char *arg, const char *port_arg, const char *host, uint16_t port)
{
	struct td_target t;
	struct td_err err = { 0 };

	if (td_target_parse(arg, port_arg, &t, &err) < 0)
		fail_msg("'%s' '%s': %s", arg, port_arg ? port_arg : "(null)", err.msg);
	assert_string_equal(t.host, host);
	assert_int_equal(t.port, port);
}

static void parse_bad(const char *arg, const char *port_arg, const char *msg_part)
{
	struct td_target t;
	struct td_err err = { 0 };

	assert_int_equal(td_target_parse(arg, port_arg, &t, &err), -TD_EPARSE);
	assert_int_equal(err.code, -TD_EPARSE);
	if (!strstr(err.msg, msg_part))
		fail_msg("'%s': message '%s' lacks '%s'", arg, err.msg, msg_part);
}

static void test_target_forms(void **state)
{
	(void)state;
	parse_ok("db.internal:5432", NULL, "db.internal", 5432);
	parse_ok("192.0.2.10:80", NULL, "192.0.2.10", 80);
	parse_ok("[2001:db8::1]:80", NULL, "2001:db8::1", 80);
	parse_ok("[2001:db8::1]", "443", "2001:db8::1", 443);
	parse_ok("2001:db8::1", "443", "2001:db8::1", 443);
	parse_ok("host", "1", "host", 1);
	parse_ok("host:65535", NULL, "host", 65535);
	parse_ok("[::ffff:192.0.2.1]:8080", NULL, "::ffff:192.0.2.1", 8080);
	/* Service names, as telnet and nc take them (when /etc/services has it). */
	if (getservbyname("https", "tcp")) {
		parse_ok("host:https", NULL, "host", 443);
		parse_ok("[2001:db8::1]:https", NULL, "2001:db8::1", 443);
		parse_ok("host", "https", "host", 443);
	}
}

static void test_target_errors(void **state)
{
	char longname[400];

	(void)state;
	parse_bad("db.internal", NULL, "no port");
	parse_bad("db.internal:", NULL, "no port");
	parse_bad(":80", NULL, "no host");
	parse_bad("host:0", NULL, "1 to 65535");
	parse_bad("host:65536", NULL, "1 to 65535");
	parse_bad("host:-1", NULL, "1 to 65535");
	parse_bad("host:+80", NULL, "1 to 65535");
	parse_bad("host:80x", NULL, "1 to 65535");
	parse_bad("host:no-such-svc", NULL, "no TCP service 'no-such-svc'");
	parse_bad("2001:db8::1:80", NULL, "needs brackets");
	parse_bad("[2001:db8::1:80", NULL, "missing ']'");
	parse_bad("[2001:db8::1]80", NULL, "expected ':PORT'");
	parse_bad("[2001:db8::1]", NULL, "expected ':PORT'");
	parse_bad("[2001:db8::1]:80", "80", "port given twice");
	parse_bad("[]:80", NULL, "no host");
	parse_bad("a b:80", NULL, "stray");
	parse_bad("host", "", "no port");
	parse_bad("host", "99999", "1 to 65535");
	memset(longname, 'a', sizeof(longname) - 4);
	memcpy(longname + sizeof(longname) - 4, ":80", 4);
	parse_bad(longname, NULL, "longer than");
	{
		struct td_target t;

		assert_int_equal(td_target_parse(NULL, NULL, &t, NULL), -TD_EPARSE);
	}
}

static void test_stats(void **state)
{
	struct td_stats s;

	(void)state;
	td_stats_init(&s);
	assert_true(isnan(td_stats_avg(&s)));
	assert_true(isnan(td_stats_mdev(&s)));
	assert_true(isnan(td_stats_jitter(&s)));
	td_stats_add(&s, 5);
	assert_float_equal(td_stats_avg(&s), 5, 1e-12);
	assert_float_equal(td_stats_mdev(&s), 0, 1e-12);
	assert_true(isnan(td_stats_jitter(&s))); /* needs two samples */
	/* 5, 1, 3, 7: avg 4, E[x^2] = 84/4 = 21, var 5, mdev sqrt(5);
	 * |diffs| 4, 2, 4 -> jitter 10/3. */
	td_stats_add(&s, 1);
	td_stats_add(&s, 3);
	td_stats_add(&s, 7);
	assert_int_equal(s.n, 4);
	assert_float_equal(s.min, 1, 1e-12);
	assert_float_equal(s.max, 7, 1e-12);
	assert_float_equal(td_stats_avg(&s), 4, 1e-12);
	assert_float_equal(td_stats_mdev(&s), 2.2360679774997896, 1e-9);
	assert_float_equal(td_stats_jitter(&s), 10.0 / 3.0, 1e-12);

	/* Identical samples: rounding must not give NaN (sqrt of -epsilon). */
	td_stats_init(&s);
	for (int i = 0; i < 1000; i++)
		td_stats_add(&s, 0.1);
	assert_float_equal(td_stats_mdev(&s), 0, 1e-6);
	assert_float_equal(td_stats_jitter(&s), 0, 1e-12);

	/* Big and small: mdev of {1000, 1000.002} is 0.001. */
	td_stats_init(&s);
	td_stats_add(&s, 1000);
	td_stats_add(&s, 1000.002);
	assert_float_equal(td_stats_mdev(&s), 0.001, 1e-4);
}

static void test_unescape(void **state)
{
	char out[16];
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_probe_unescape("GET /\\r\\n", out, sizeof(out), &err), 7);
	assert_memory_equal(out, "GET /\r\n", 7);
	assert_int_equal(td_probe_unescape("a\\x41\\0\\t\\\\", out, sizeof(out), &err), 5);
	assert_memory_equal(out, "aA\0\t\\", 5);
	assert_int_equal(td_probe_unescape("", out, sizeof(out), &err), 0);
	assert_int_equal(td_probe_unescape("\\q", out, sizeof(out), &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "unknown escape"));
	assert_int_equal(td_probe_unescape("ab\\", out, sizeof(out), &err), -TD_EPARSE);
	assert_int_equal(td_probe_unescape("\\x4", out, sizeof(out), &err), -TD_EPARSE);
	assert_int_equal(td_probe_unescape("\\xzz", out, sizeof(out), &err), -TD_EPARSE);
	assert_int_equal(td_probe_unescape("0123456789abcdefX", out, 16, &err), -E2BIG);
	assert_int_equal(td_probe_unescape("0123456789abcdef", out, 16, &err), 16);
}

static void test_tables(void **state)
{
	const struct td_code_meaning *m;

	(void)state;
	m = td_probe_errno_meaning(ECONNREFUSED);
	assert_string_equal(m->name, "ECONNREFUSED");
	assert_non_null(strstr(m->meaning, "nothing listens"));
	assert_non_null(strstr(td_probe_errno_meaning(ETIMEDOUT)->meaning, "filtered"));
	assert_non_null(strstr(td_probe_errno_meaning(EADDRNOTAVAIL)->meaning, "tcpdoctor check"));
	assert_string_equal(td_probe_errno_meaning(EHOSTUNREACH)->name, "EHOSTUNREACH");
	assert_string_equal(td_probe_errno_meaning(ENETUNREACH)->name, "ENETUNREACH");
	/* Not in the table: its name and strerror(), never NULL. */
	m = td_probe_errno_meaning(ENOTSOCK);
	assert_string_equal(m->name, "ENOTSOCK");
	assert_string_equal(m->meaning, strerror(ENOTSOCK));
	assert_non_null(td_probe_errno_meaning(99999)->name);

	assert_string_equal(td_gai_meaning(EAI_NONAME)->name, "EAI_NONAME");
	assert_non_null(strstr(td_gai_meaning(EAI_NONAME)->meaning, "NXDOMAIN"));
	assert_string_equal(td_gai_meaning(EAI_AGAIN)->name, "EAI_AGAIN");
	assert_string_equal(td_gai_meaning(EAI_NODATA)->name, "EAI_NODATA");
	assert_string_equal(td_gai_meaning(EAI_ADDRFAMILY)->name, "EAI_ADDRFAMILY");
	assert_string_equal(td_gai_meaning(-12345)->name, "EAI_?");
}

static void test_resolve_literals(void **state)
{
	struct td_target t;
	struct td_resolved r;
	struct td_err err = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(td_target_parse("192.0.2.10:80", NULL, &t, &err), 0);
	assert_int_equal(td_probe_resolve(&t, 0, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.gai, 0);
	assert_true(r.ms >= 0);
	assert_string_equal(td_sockaddr_str(&r.addr[0], buf, sizeof(buf)), "192.0.2.10");
	assert_int_equal(td_sockaddr_port(&r.addr[0]), 80);
	assert_int_equal(td_sockaddr_len(&r.addr[0]), sizeof(struct sockaddr_in));

	assert_int_equal(td_target_parse("[2001:db8::1]:443", NULL, &t, &err), 0);
	assert_int_equal(td_probe_resolve(&t, 0, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.addr[0].ss_family, AF_INET6);
	assert_string_equal(td_sockaddr_str(&r.addr[0], buf, sizeof(buf)), "2001:db8::1");
	assert_int_equal(td_sockaddr_port(&r.addr[0]), 443);

	/* -4 with an IPv6 literal: the resolver's own code, explained. */
	assert_int_equal(td_probe_resolve(&t, AF_INET, &r, &err), -TD_ENOTFOUND);
	assert_int_not_equal(r.gai, 0);
	assert_non_null(strstr(err.msg, td_gai_meaning(r.gai)->name));
	assert_non_null(strstr(err.msg, "IPv4 only"));
}

/* A listener on 127.0.0.1 that answers "pong\n" to one message. */
struct server {
	int lfd;
	uint16_t port;
	pthread_t th;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	char buf[64];

	for (int i = 0; i < 2; i++) {
		int c = accept(s->lfd, NULL, NULL);
		ssize_t n;

		if (c < 0)
			return NULL;
		n = recv(c, buf, sizeof(buf), 0);
		if (n > 0)
			(void)!send(c, "pong\n", 5, MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

static void loopback(struct sockaddr_storage *ss, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void test_attempt_loopback(void **state)
{
	struct server s;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct td_probe_opts o = { .timeout_ms = 2000 };
	struct td_attempt a;
	struct td_err err = { 0 };
	int one = 1;

	(void)state;
	s.lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s.lfd >= 0);
	setsockopt(s.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	loopback(&ss, 0);
	assert_int_equal(bind(s.lfd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)), 0);
	assert_int_equal(listen(s.lfd, 8), 0);
	assert_int_equal(getsockname(s.lfd, (struct sockaddr *)&ss, &sl), 0);
	s.port = td_sockaddr_port(&ss);
	assert_int_equal(pthread_create(&s.th, NULL, serve, &s), 0);

	/* Open port, with --send/--expect. */
	o.send = "ping\n";
	o.send_len = 5;
	o.expect = "pong";
	assert_int_equal(td_probe_attempt((struct sockaddr *)&ss, &o, &a, &err), 0);
	assert_int_equal(a.error, 0);
	assert_true(a.connect_ms >= 0 && a.connect_ms < 2000);
	assert_true(a.rtt_us > 0);
	assert_true(a.answered);
	assert_true(a.expect_ok);
	assert_int_equal(a.data_error, 0);
	assert_int_equal(a.got_len, 5);
	assert_memory_equal(a.got, "pong\n", 5);
	assert_true(a.ttfb_ms >= 0);
	assert_false(a.offender_set);

	/* Expect text that never comes: EOF after "pong", not a match. */
	o.expect = "HTTP/1.1";
	o.rst = true;
	assert_int_equal(td_probe_attempt((struct sockaddr *)&ss, &o, &a, &err), 0);
	assert_int_equal(a.error, 0);
	assert_true(a.answered);
	assert_false(a.expect_ok);
	pthread_join(s.th, NULL);

	/* Closed port (the listener is gone): RST -> ECONNREFUSED, fast. */
	close(s.lfd);
	o = (struct td_probe_opts){ .timeout_ms = 2000 };
	assert_int_equal(td_probe_attempt((struct sockaddr *)&ss, &o, &a, &err), 0);
	assert_int_equal(a.error, ECONNREFUSED);
	assert_true(a.connect_ms < 1000);
	assert_int_equal(a.rtt_us, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_forms),
		cmocka_unit_test(test_target_errors),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_resolve_literals),
		cmocka_unit_test(test_attempt_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

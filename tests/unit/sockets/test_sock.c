/* Unit tests for sock.c: timer names and the address and endpoint strings
 * every view prints (IPv4, IPv6, IPv4-mapped, wildcards, short buffers). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "sockets/sock.h"

static void addr(int family, const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(family, text, out), 1);
}

static void test_addr_str(void **state)
{
	static const struct {
		int family;
		const char *in, *out;
	} cases[] = {
		{ AF_INET, "192.0.2.1", "192.0.2.1" },
		{ AF_INET, "0.0.0.0", "0.0.0.0" },
		{ AF_INET, "203.0.113.255", "203.0.113.255" },
		{ AF_INET6, "2001:db8::1", "2001:db8::1" },
		{ AF_INET6, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ AF_INET6, "::", "::" },
		{ AF_INET6, "::1", "::1" },
		{ AF_INET6, "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ AF_INET6, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6" },
	};
	char buf[INET6_ADDRSTRLEN];
	uint8_t a[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		addr(cases[i].family, cases[i].in, a);
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(td_addr_str(cases[i].family, a, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].out);
	}
	/* IPv4 reads only the first 4 bytes, whatever follows */
	addr(AF_INET, "198.51.100.7", a);
	memset(a + 4, 0xff, 12);
	assert_string_equal(td_addr_str(AF_INET, a, buf, sizeof(buf)), "198.51.100.7");
}

static void test_addr_str_short_buffer(void **state)
{
	char buf[64];
	uint8_t a[16];

	(void)state;
	/* never past the buffer, always terminated */
	addr(AF_INET6, "2001:db8:1:2:3:4:5:6", a);
	memset(buf, 'x', sizeof(buf));
	td_addr_str(AF_INET6, a, buf, 8);
	assert_true(strlen(buf) < 8);
	assert_int_equal(buf[8], 'x');
	addr(AF_INET, "192.0.2.1", a);
	memset(buf, 'x', sizeof(buf));
	td_addr_str(AF_INET, a, buf, 5);
	assert_true(strlen(buf) < 5);
	assert_int_equal(buf[5], 'x');
}

static void test_endpoint_str(void **state)
{
	static const struct {
		int family;
		const char *in;
		uint16_t port;
		const char *out;
	} cases[] = {
		{ AF_INET, "192.0.2.1", 80, "192.0.2.1:80" },
		{ AF_INET, "0.0.0.0", 80, "0.0.0.0:80" },
		{ AF_INET, "198.51.100.7", 65535, "198.51.100.7:65535" },
		{ AF_INET, "0.0.0.0", 0, "0.0.0.0:0" },
		{ AF_INET6, "2001:db8::1", 80, "[2001:db8::1]:80" },
		{ AF_INET6, "::", 80, "[::]:80" },
		{ AF_INET6, "::1", 8080, "[::1]:8080" },
		{ AF_INET6, "::ffff:192.0.2.1", 443, "[::ffff:192.0.2.1]:443" },
	};
	char buf[INET6_ADDRSTRLEN + 8];
	uint8_t a[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		addr(cases[i].family, cases[i].in, a);
		assert_ptr_equal(
			td_endpoint_str(cases[i].family, a, cases[i].port, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].out);
	}
	/* the longest endpoint fits the buffer the views use */
	addr(AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", a);
	td_endpoint_str(AF_INET6, a, 65535, buf, sizeof(buf));
	assert_string_equal(buf, "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535");
	/* a short buffer truncates, terminated */
	memset(buf, 'x', sizeof(buf));
	td_endpoint_str(AF_INET6, a, 65535, buf, 10);
	assert_int_equal(strlen(buf), 9);
	assert_int_equal(buf[10], 'x');
	assert_memory_equal(buf, "[2001:db8", 9);
}

/* The strings are built by hand: every shape must be glibc's inet_ntop()
 * text. All 256 patterns of zero and non-zero groups (where the "::" run
 * goes, the IPv4 tails), each with random group values, small ones, and
 * 0xffff in group 5; random IPv4 addresses; endpoints as "%s:%u". */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void same_as_glibc(int family, const uint8_t a[16], uint16_t port)
{
	char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];
	char want_ep[INET6_ADDRSTRLEN + 8], got_ep[INET6_ADDRSTRLEN + 8];

	assert_non_null(inet_ntop(family, a, want, sizeof(want)));
	assert_string_equal(td_addr_str(family, a, got, sizeof(got)), want);
	snprintf(want_ep, sizeof(want_ep), family == AF_INET6 ? "[%s]:%u" : "%s:%u", want, port);
	assert_string_equal(td_endpoint_str(family, a, port, got_ep, sizeof(got_ep)), want_ep);
}

static void test_addr_str_as_inet_ntop(void **state)
{
	uint8_t a[16];

	(void)state;
	for (unsigned mask = 0; mask < 256; mask++) {
		for (int round = 0; round < 64; round++) {
			for (int g = 0; g < 8; g++) {
				uint32_t v = mask >> g & 1 ? 0u : rnd();

				/* small values (no leading zeros), 0xffff in group 5
				 * (the IPv4-mapped tail), else any */
				if (round % 4 == 1)
					v = v ? v % 16 + 1 : 0;
				if (round % 4 == 2 && g == 5 && v)
					v = 0xffff;
				a[2 * g] = (uint8_t)(v >> 8);
				a[2 * g + 1] = (uint8_t)v;
				if (v && !a[2 * g] && !a[2 * g + 1])
					a[2 * g + 1] = 1; /* keep the group non-zero */
			}
			same_as_glibc(AF_INET6, a, (uint16_t)rnd());
		}
	}
	for (int i = 0; i < 100000; i++) {
		uint32_t v = rnd();

		memcpy(a, &v, 4);
		if (i % 7 == 0)
			a[i % 4] = 0;
		same_as_glibc(AF_INET, a, (uint16_t)(i < 10 ? (uint32_t)i : rnd()));
	}
	memset(a, 0xff, 16);
	same_as_glibc(AF_INET, a, 65535);
	same_as_glibc(AF_INET6, a, 65535);
}

static void test_timer_name(void **state)
{
	static const char *const names[] = { "off", "on", "keepalive", "timewait", "persist" };
	const int bad[] = { -1, 5, 255, 1 << 20 };

	(void)state;
	assert_int_equal(TD_TIMER_NONE, 0);
	assert_int_equal(TD_TIMER_PROBE0, 4);
	for (int i = TD_TIMER_NONE; i <= TD_TIMER_PROBE0; i++)
		assert_string_equal(td_timer_name(i), names[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *n = td_timer_name(bad[i]);

		assert_non_null(n);
		assert_true(n[0] != '\0');
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			assert_string_not_equal(n, names[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_str),     cmocka_unit_test(test_addr_str_short_buffer),
		cmocka_unit_test(test_endpoint_str), cmocka_unit_test(test_addr_str_as_inet_ntop),
		cmocka_unit_test(test_timer_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

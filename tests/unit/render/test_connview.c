/* Unit tests for connview.c's text line: the integers and IPv4 addresses it
 * writes in place (text.c's and sock.c's writers) against printf's, over
 * every octet and each digit count of a 64-bit value, and the fields in
 * their documented order (docs/pcap.md). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "render/connview.h"

/* connview_text()'s line, read back from a temporary file standing in for
 * stdout (the TAP output stays on the real one). */
static void line_of(const struct td_conn *c, char *buf, size_t size)
{
	struct connview v = { 0 };
	FILE *f = tmpfile();
	int saved;
	size_t n;

	assert_non_null(f);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDOUT_FILENO) >= 0);
	connview_text(&v, c, NULL);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void conn_init(struct td_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->family = AF_INET;
	c->closer = -1;
}

static void test_octets(void **state)
{
	struct td_conn c;
	char line[2048], want[64];

	(void)state;
	conn_init(&c);
	for (unsigned v = 0; v < 256; v++) {
		const uint8_t a[4] = { (uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v / 3),
				       (uint8_t)(v * 7) };

		memcpy(c.dir[0].addr, a, 4);
		c.dir[0].port = (uint16_t)(v * 257);
		c.dir[1].addr[0] = (uint8_t)v;
		c.dir[1].port = 65535;
		line_of(&c, line, sizeof(line));
		snprintf(want, sizeof(want), "#0 %u.%u.%u.%u:%u > %u.0.0.0:65535 ", a[0], a[1],
			 a[2], a[3], v * 257, v);
		assert_memory_equal(line, want, strlen(want));
	}
}

static void test_integers(void **state)
{
	struct td_conn c;
	char line[2048], want[256];
	uint64_t p10 = 1;

	(void)state;
	conn_init(&c);
	/* 10^k - 1, 10^k and 10^k + 1 for every k a uint64_t holds, and its
	 * largest value: each digit count, and each side of each boundary */
	for (int k = 0; k < 20; k++, p10 *= 10) {
		for (int delta = -1; delta <= 1; delta++) {
			uint64_t v = p10 + (uint64_t)(int64_t)delta;

			c.id = v;
			c.dir[0].pkts = v;
			c.dir[1].payload_bytes = v / 7;
			line_of(&c, line, sizeof(line));
			snprintf(want, sizeof(want), "#%" PRIu64 " ", v);
			assert_memory_equal(line, want, strlen(want));
			snprintf(want, sizeof(want), " out=%" PRIu64 "/0B in=0/%" PRIu64 "B ", v,
				 v / 7);
			assert_non_null(strstr(line, want));
		}
	}
	c.id = UINT64_MAX;
	line_of(&c, line, sizeof(line));
	assert_memory_equal(line, "#18446744073709551615 ", 22);
}

static void test_fields(void **state)
{
	struct td_conn c;
	char line[2048];

	(void)state;
	conn_init(&c);
	c.id = 7;
	memcpy(c.dir[0].addr, (const uint8_t[]){ 192, 0, 2, 10 }, 4);
	c.dir[0].port = 40000;
	memcpy(c.dir[1].addr, (const uint8_t[]){ 198, 51, 100, 1 }, 4);
	c.dir[1].port = 80;
	c.first_ns = 1500000;
	c.last_ns = 2250000000ull;
	c.dir[0].pkts = 3;
	c.dir[0].payload_bytes = 120;
	c.dir[1].pkts = 2;
	c.dir[1].payload_bytes = 4096;
	line_of(&c, line, sizeof(line));
	assert_memory_equal(line,
			    "#7 192.0.2.10:40000 > 198.51.100.1:80 start=0.001500 dur=2.248500 "
			    "out=3/120B in=2/4096B ",
			    strlen("#7 192.0.2.10:40000 > 198.51.100.1:80 start=0.001500 "
				   "dur=2.248500 out=3/120B in=2/4096B "));
	assert_non_null(strstr(line, " closed-by=none client=- server=- rtt=- retx=0 dupack=0 "
				     "zwin=0 rst=0"));
	assert_int_equal(line[strlen(line) - 1], '\n');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_octets),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

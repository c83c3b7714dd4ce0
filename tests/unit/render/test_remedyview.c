/* Unit tests for remedyview.c: kill's table (columns as wide as the widest
 * address, the process name escaped and cut on a whole escape to fit the
 * width, the reason under its row) and keepalive's. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "render/remedyview.h"
#include "state.h"

static struct td_sock mk(int family, const char *l, uint16_t lp, const char *r, uint16_t rp,
			 int state)
{
	struct td_sock s = {
		.family = (uint8_t)family, .state = (uint8_t)state, .lport = lp, .rport = rp
	};

	assert_int_equal(inet_pton(family, l, s.laddr), 1);
	assert_int_equal(inet_pton(family, r, s.raddr), 1);
	return s;
}

static char *render_kill(const struct view_kill_row *rows, size_t n, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	view_kill_table(fp, false, rows, n, width);
	fclose(fp);
	return buf;
}

static int longest_line(const char *s)
{
	int best = 0, cur = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			best = cur > best ? cur : best;
			cur = 0;
		} else if (((unsigned char)*s & 0xc0) != 0x80) {
			cur++; /* columns: a UTF-8 continuation byte (the ellipsis) adds none */
		}
	}
	return cur > best ? cur : best;
}

static void test_kill_table(void **state)
{
	struct td_sock a = mk(AF_INET, "192.0.2.1", 5002, "192.0.2.2", 42001, TD_CLOSE_WAIT);
	struct td_sock b = mk(AF_INET, "192.0.2.1", 5002, "0.0.0.0", 0, TD_LISTEN);
	struct td_owner o = { .pid = 4242, .fd = 6 };
	struct view_kill_row rows[2] = {
		{ &a, &o, "destroy", NULL },
		{ &b, NULL, "refused", "a listener (add --listeners)" },
	};
	char *out;

	(void)state;
	snprintf(o.comm, sizeof(o.comm), "tdserver");
	out = render_kill(rows, 2, 80);
	assert_string_equal(out,
			    "ACTION    STATE       LOCAL          PEER            PROCESS\n"
			    "destroy   CLOSE_WAIT  192.0.2.1:5002 192.0.2.2:42001 tdserver[4242]\n"
			    "refused   LISTEN      192.0.2.1:5002 0.0.0.0:*       -\n"
			    "          a listener (add --listeners)\n");
	free(out);
}

static void test_kill_elides_escaped_name(void **state)
{
	struct td_sock a = mk(AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 443,
			      "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2", 50000, TD_ESTABLISHED);
	struct td_owner o = { .pid = 4194303 }, o2 = { .pid = 2 };
	struct view_kill_row rows[1] = { { &a, &o, "destroy", NULL } };
	char *out;

	(void)state;
	/* A process names itself: an escape sequence must never reach the
	 * terminal, and the cut must not split "^[" or "\xNN". */
	memcpy(o.comm, "ev\x1b]0;pwned\x07xx", 15);
	o.next = &o2;
	out = render_kill(rows, 1, 200);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "ev^[]0;pwned^Gxx[4194303]+1"));
	free(out);
	out = render_kill(rows, 1, 60);
	/* The name gives way to at least a character plus the pid. */
	/* past the width the addresses are elided in the middle, the port kept */
	assert_null(strstr(out, "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:1]:443"));
	assert_non_null(strstr(out, "[2001"));
	assert_non_null(strstr(out, ":1]:443"));
	assert_non_null(strstr(out, "[4194303]+1"));
	assert_null(strstr(out, "pwned"));
	assert_true(strstr(out, "e\u2026[4194303]") || strstr(out, "ev\u2026[4194303]"));
	free(out);
}

static void test_kill_fits_80(void **state)
{
	struct td_sock a =
		mk(AF_INET, "203.0.113.254", 65535, "198.51.100.254", 65535, TD_ESTABLISHED);
	struct td_owner o = { .pid = 4194303 };
	struct view_kill_row rows[1] = { { &a, &o, "destroyed", NULL } };
	char *out;

	(void)state;
	snprintf(o.comm, sizeof(o.comm), "fifteen-chars-x");
	out = render_kill(rows, 1, 80);
	assert_true(longest_line(out) <= 80);
	free(out);
}

static void test_ka_table(void **state)
{
	struct td_sock a = mk(AF_INET, "192.0.2.1", 5001, "192.0.2.2", 41001, TD_ESTABLISHED);
	struct view_ka_row rows[1] = { { &a, 5, "off", "60/10/3", NULL } };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	view_ka_table(fp, false, rows, 1, "WOULD BE", 80);
	fclose(fp);
	assert_string_equal(
		buf, "  FD STATE       LOCAL          PEER            KEEPALIVE     WOULD BE\n"
		     "   5 ESTABLISHED 192.0.2.1:5001 192.0.2.2:41001 off           60/10/3\n");
	free(buf);
}

/* --all-netns: a NETNS column first, as wide as the widest name, the
 * name escaped (a namespace can be named by a container's metadata); the
 * reason indented past it. */
static void test_netns_column(void **state)
{
	struct td_sock a = mk(AF_INET, "192.0.2.1", 5002, "192.0.2.2", 42001, TD_CLOSE_WAIT);
	struct td_owner o = { .pid = 7, .fd = 3 };
	struct view_kill_row rows[2] = {
		{ &a, &o, "destroy", NULL, "host" },
		{ &a, NULL, "refused", "gone", "docker:w\x1b[2J" },
	};
	struct view_ka_row ka[1] = { { &a, 5, "off", "60/10/3", NULL, "pod:default/api" } };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	char *out;

	(void)state;
	snprintf(o.comm, sizeof(o.comm), "srv");
	out = render_kill(rows, 2, 100);
	assert_null(strchr(out, '\x1b'));
	assert_string_equal(
		out, "NETNS         ACTION    STATE       LOCAL          PEER            PROCESS\n"
		     "host          destroy   CLOSE_WAIT  192.0.2.1:5002 192.0.2.2:42001 srv[7]\n"
		     "docker:w^[[2J refused   CLOSE_WAIT  192.0.2.1:5002 192.0.2.2:42001 -\n"
		     "                        gone\n");
	free(out);
	fp = open_memstream(&buf, &len);
	view_ka_table(fp, false, ka, 1, "WOULD BE", 80);
	fclose(fp);
	assert_string_equal(buf, "NETNS             FD STATE       LOCAL          PEER            "
				 "KEEPALIVE     WOULD BE\n"
				 "pod:default/api    5 CLOSE_WAIT  192.0.2.1:5002 192.0.2.2:42001 "
				 "off           60/10/3\n");
	free(buf);
}

/* The act line: plain words as they are, others quoted and escaped. */
static void test_act_line(void **state)
{
	const char *v[] = { "tcpdoctor", "--netns-filter", "tdn-*", "kill",
			    "--dst",	 "a b'c",	   "--yes" };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	view_act_line(fp, v, 7);
	fclose(fp);
	assert_string_equal(buf,
			    "\nTo act: tcpdoctor --netns-filter 'tdn-*' kill --dst 'a b'\\''c' "
			    "--yes\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_table),
		cmocka_unit_test(test_kill_elides_escaped_name),
		cmocka_unit_test(test_kill_fits_80),
		cmocka_unit_test(test_ka_table),
		cmocka_unit_test(test_netns_column),
		cmocka_unit_test(test_act_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

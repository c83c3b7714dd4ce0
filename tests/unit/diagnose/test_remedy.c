/* Unit tests for remedy.c: which findings carry a remedy, the exact argv
 * (pid, port, --max for big leaks), what it changes, and none without an
 * owner or for rules tcpdoctor cannot act on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose/remedy.h"

static void join(const struct td_remedy *r, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->argc; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", r->argv[i]);
}

static void test_close_wait(void **state)
{
	struct td_finding f = { .rule = "close-wait-leak", .pid = 4242, .port = 8080, .count = 7 };
	struct td_remedy r;
	char cmd[256];

	(void)state;
	assert_int_equal(td_finding_remedy(&f, &r), 0);
	join(&r, cmd, sizeof(cmd));
	assert_string_equal(cmd, "kill --state close-wait --pid 4242 --sport 8080 --yes");
	assert_true(r.safe);
	assert_non_null(strstr(r.changes, "7 CLOSE_WAIT sockets of pid 4242"));
	assert_non_null(strstr(r.not_fixed, "come back"));

	f.port = 0; /* outgoing connections */
	f.count = 500;
	assert_int_equal(td_finding_remedy(&f, &r), 0);
	join(&r, cmd, sizeof(cmd));
	assert_string_equal(cmd, "kill --state close-wait --pid 4242 --max 560 --yes");

	f.pid = 0; /* owner unknown: nothing tcpdoctor can aim at */
	assert_int_equal(td_finding_remedy(&f, &r), -TD_ENOTFOUND);
}

static void test_half_open(void **state)
{
	struct td_finding f = { .rule = "half-open-suspects", .pid = 77, .count = 3 };
	struct td_remedy r;
	char cmd[256];

	(void)state;
	assert_int_equal(td_finding_remedy(&f, &r), 0);
	join(&r, cmd, sizeof(cmd));
	assert_string_equal(cmd, "keepalive --pid 77 --state established --idle 60 --intvl 10 "
				 "--count 3 --yes");
	assert_true(r.safe);
	assert_non_null(strstr(r.changes, "ETIMEDOUT within 90 s"));
}

/* A sysctl finding: the exact --set, what it changes and its undo; not
 * applied unasked; none without the parameter. */
static void test_sysctl(void **state)
{
	struct td_finding f = { .rule = "risky-sysctl" };
	struct td_remedy r;
	char cmd[256];

	(void)state;
	assert_int_equal(td_finding_remedy(&f, &r), -TD_ENOTFOUND);
	snprintf(f.sysctl.name, sizeof(f.sysctl.name), "net.ipv4.ip_local_port_range");
	snprintf(f.sysctl.cur, sizeof(f.sysctl.cur), "60000 60100");
	snprintf(f.sysctl.rec, sizeof(f.sysctl.rec), "10000 65000");
	f.sysctl.per_netns = true;
	assert_int_equal(td_finding_remedy(&f, &r), 0);
	join(&r, cmd, sizeof(cmd));
	/* One word for the value: run as an argv, never through a shell. */
	assert_string_equal(cmd,
			    "sysctl --apply --set net.ipv4.ip_local_port_range=10000 65000 --yes");
	assert_int_equal(r.argc, 5);
	assert_false(r.safe);
	assert_non_null(strstr(r.changes, "from 60000 60100 to 10000 65000 in this network "
					  "namespace"));
	assert_non_null(
		strstr(r.changes, "sysctl -w net.ipv4.ip_local_port_range=\"60000 60100\""));
	f.rule = "syncookies-off";
	f.sysctl.per_netns = false;
	assert_int_equal(td_finding_remedy(&f, &r), 0);
	assert_non_null(strstr(r.changes, "the whole host"));
}

static void test_none(void **state)
{
	struct td_finding f = { .rule = "syn-flood", .pid = 1 };
	struct td_remedy r;

	(void)state;
	assert_int_equal(td_finding_remedy(&f, &r), -TD_ENOTFOUND);
	f.rule = NULL;
	assert_int_equal(td_finding_remedy(&f, &r), -TD_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_wait),
		cmocka_unit_test(test_half_open),
		cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for pidfd.c: the keepalive plan (what changes for on, tune,
 * off, user timeout), the request ranges, the text form, keepalive read
 * and set on a real socket of our own, and the ptrace explanation from a
 * fake /proc. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockets/pidfd.h"

static const struct td_keepalive off_default = { .on = 0, .idle = 7200, .intvl = 75, .cnt = 9 };

static void test_plan_on(void **state)
{
	struct td_keepalive_req req = { .idle = 60, .intvl = 10, .cnt = 3, .user_timeout = -1 };
	struct td_keepalive want;
	unsigned mask;

	(void)state;
	mask = td_keepalive_plan(&off_default, &req, &want);
	assert_int_equal(mask, TD_KA_ON | TD_KA_IDLE | TD_KA_INTVL | TD_KA_CNT);
	assert_int_equal(want.on, 1);
	assert_int_equal(want.idle, 60);
	assert_int_equal(want.intvl, 10);
	assert_int_equal(want.cnt, 3);
	assert_int_equal(want.user_timeout, 0);
	/* Applying the same again changes nothing. */
	assert_int_equal(td_keepalive_plan(&want, &req, &want), 0);
}

static void test_plan_partial_and_ut(void **state)
{
	struct td_keepalive cur = { .on = 1, .idle = 60, .intvl = 10, .cnt = 3 }, want;
	struct td_keepalive_req req = { .idle = -1, .intvl = 5, .cnt = -1, .user_timeout = 30000 };

	(void)state;
	assert_int_equal(td_keepalive_plan(&cur, &req, &want), TD_KA_INTVL | TD_KA_USER_TIMEOUT);
	assert_int_equal(want.idle, 60);
	assert_int_equal(want.intvl, 5);
	assert_int_equal(want.user_timeout, 30000);
}

static void test_plan_off(void **state)
{
	struct td_keepalive cur = { .on = 1, .idle = 60, .intvl = 10, .cnt = 3 }, want;
	struct td_keepalive_req req = {
		.off = true, .idle = -1, .intvl = -1, .cnt = -1, .user_timeout = -1
	};

	(void)state;
	assert_int_equal(td_keepalive_plan(&cur, &req, &want), TD_KA_ON);
	assert_int_equal(want.on, 0);
	assert_int_equal(want.idle, 60); /* left alone */
	assert_int_equal(td_keepalive_plan(&off_default, &req, &want), 0);
}

static void test_req_check(void **state)
{
	struct td_keepalive_req ok = { .idle = 1, .intvl = 32767, .cnt = 127, .user_timeout = 0 };
	struct td_keepalive_req bad;
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_keepalive_req_check(&ok, &err), 0);
	bad = ok;
	bad.idle = 0;
	assert_int_equal(td_keepalive_req_check(&bad, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "--idle 0"));
	bad = ok;
	bad.intvl = 40000;
	assert_int_equal(td_keepalive_req_check(&bad, &err), -TD_EPARSE);
	bad = ok;
	bad.cnt = 128;
	assert_int_equal(td_keepalive_req_check(&bad, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "1 to 127"));
	bad = (struct td_keepalive_req){ .idle = -1, .intvl = -1, .cnt = -1, .user_timeout = -1 };
	assert_int_equal(td_keepalive_req_check(&bad, &err), 0);
}

static void test_str(void **state)
{
	struct td_keepalive k = { .on = 1, .idle = 60, .intvl = 10, .cnt = 3 };
	char buf[48];

	(void)state;
	assert_string_equal(td_keepalive_str(&k, buf, sizeof(buf)), "60/10/3");
	k.user_timeout = 5000;
	assert_string_equal(td_keepalive_str(&k, buf, sizeof(buf)), "60/10/3 ut=5000");
	k.on = 0;
	assert_string_equal(td_keepalive_str(&k, buf, sizeof(buf)), "off ut=5000");
	assert_string_equal(td_keepalive_str(&k, buf, 3), "of");
}

/* get and set on a TCP socket of our own: no process or network needed. */
static void test_get_set(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct td_keepalive now,
		want = { .on = 1, .idle = 42, .intvl = 7, .cnt = 4, .user_timeout = 1234 };
	struct td_err err = { 0 };

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(td_keepalive_get(fd, &now), 0);
	assert_int_equal(now.on, 0);
	assert_int_equal(td_keepalive_set(fd, &want, 0x1f, &err), 0);
	assert_int_equal(td_keepalive_get(fd, &now), 0);
	assert_memory_equal(&now, &want, sizeof(now));
	want.idle = 100000;
	assert_int_equal(td_keepalive_set(fd, &want, TD_KA_IDLE, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "TCP_KEEPIDLE 100000"));
	close(fd);
	assert_int_equal(td_keepalive_get(fd, &now), -EBADF);
}

static char procdir[64];

static void write_status(int pid, const char *uid, const char *gid)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%d", procdir, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/status", procdir, pid);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "Name:\tx\nUid:\t%s\nGid:\t%s\n", uid, gid);
	fclose(fp);
}

static void test_explain(void **state)
{
	struct td_err err = { 0 };
	char me[64], meg[64];

	(void)state;
	snprintf(procdir, sizeof(procdir), "/tmp/td-pidfd.XXXXXX");
	assert_non_null(mkdtemp(procdir));
	snprintf(me, sizeof(me), "%u\t%u\t%u\t%u", getuid(), getuid(), getuid(), getuid());
	snprintf(meg, sizeof(meg), "%u\t%u\t%u\t%u", getgid(), getgid(), getgid(), getgid());
	write_status(10, "4242\t4242\t4242\t4242", meg);
	write_status(11, me, meg);

	assert_int_equal(td_ptrace_explain(99, procdir, 0, &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no such process"));
	assert_int_equal(td_ptrace_explain(11, procdir, 3, &err), -EPERM);
	assert_non_null(strstr(err.msg, "ptrace_scope is 3"));
	if (geteuid() != 0) {
		/* Without CAP_SYS_PTRACE: the uid, then Yama, then dumpable. */
		assert_int_equal(td_ptrace_explain(10, procdir, 0, &err), -EPERM);
		assert_non_null(strstr(err.msg, "runs as uid 4242"));
		assert_int_equal(td_ptrace_explain(11, procdir, 1, &err), -EPERM);
		assert_non_null(strstr(err.msg, "ptrace_scope is 1"));
		assert_int_equal(td_ptrace_explain(11, procdir, 2, &err), -EPERM);
		assert_non_null(strstr(err.msg, "ptrace_scope is 2"));
		assert_int_equal(td_ptrace_explain(11, procdir, 0, &err), -EPERM);
		assert_non_null(strstr(err.msg, "not dumpable"));
	} else {
		assert_int_equal(td_ptrace_explain(10, procdir, 0, &err), -EPERM);
		assert_non_null(strstr(err.msg, "CAP_SYS_PTRACE"));
	}
	for (int pid = 10; pid <= 11; pid++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/%d/status", procdir, pid);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%d", procdir, pid);
		rmdir(path);
	}
	rmdir(procdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_on),	 cmocka_unit_test(test_plan_partial_and_ut),
		cmocka_unit_test(test_plan_off), cmocka_unit_test(test_req_check),
		cmocka_unit_test(test_str),	 cmocka_unit_test(test_get_set),
		cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

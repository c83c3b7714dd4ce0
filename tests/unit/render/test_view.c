/* Unit tests for view.c's one text form of a process (view_proc_str):
 * the fields in order, only the known ones, everything from outside
 * escaped, the command line cut on a whole escape with "..."; and
 * view_proc_read, the uncached reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "render/view.h"

static void test_proc_str_fields(void **state)
{
	struct view_proc p = { .pid = 4242, .uid = 33 };
	char buf[1024];

	(void)state;
	snprintf(p.comm, sizeof(p.comm), "nginx");
	snprintf(p.user, sizeof(p.user), "www-data");
	snprintf(p.cmdline, sizeof(p.cmdline), "nginx: worker process");
	snprintf(p.unit, sizeof(p.unit), "nginx.service");
	assert_string_equal(
		view_proc_str(&p, VIEW_PROC_NAME | VIEW_PROC_USER, 60, buf, sizeof(buf)),
		"nginx[4242] user=www-data unit=nginx.service "
		"cmd=\"nginx: worker process\"");
	snprintf(p.container, sizeof(p.container), "containerd:api");
	snprintf(p.pod, sizeof(p.pod), "default/api-7f9c");
	assert_string_equal(view_proc_str(&p, 0, 60, buf, sizeof(buf)),
			    "container=containerd:api pod=default/api-7f9c unit=nginx.service "
			    "cmd=\"nginx: worker process\"");
	assert_string_equal(view_proc_str(NULL, VIEW_PROC_NAME, 60, buf, sizeof(buf)), "");
}

static void test_proc_str_hostile(void **state)
{
	struct view_proc p = { .pid = 7 };
	char buf[1024];

	(void)state;
	/* A process names itself and writes its own command line. */
	memcpy(p.comm, "x\x1b[2Jy", 7);
	snprintf(p.cmdline, sizeof(p.cmdline), "python3 -c \x1b]0;owned\x07 %s",
		 "and a long tail of arguments that goes past the cut");
	view_proc_str(&p, VIEW_PROC_NAME, 24, buf, sizeof(buf));
	assert_null(strchr(buf, '\x1b'));
	assert_null(strchr(buf, '\x07'));
	assert_string_equal(buf, "x^[[2Jy[7] cmd=\"python3 -c ^[]0;owned...\"");
	/* The cut never splits an escape: one byte short of "^G" keeps it out. */
	view_proc_str(&p, 0, 25, buf, sizeof(buf));
	assert_string_equal(buf, "cmd=\"python3 -c ^[]0;owned...\"");
	view_proc_str(&p, 0, 26, buf, sizeof(buf));
	assert_string_equal(buf, "cmd=\"python3 -c ^[]0;owned^G...\"");
}

/* view_proc_read, uncached (trace keeps its own table): this process is
 * read as /proc has it; a pid that does not exist says so and keeps only
 * its number. */
static void test_proc_read(void **state)
{
	struct view_proc p;
	char comm[64] = "", cmd[256] = "";
	FILE *fp;
	size_t n;

	(void)state;
	fp = fopen("/proc/self/comm", "r");
	assert_non_null(fp);
	assert_non_null(fgets(comm, sizeof(comm), fp));
	fclose(fp);
	comm[strcspn(comm, "\n")] = '\0';
	fp = fopen("/proc/self/cmdline", "r");
	assert_non_null(fp);
	n = fread(cmd, 1, sizeof(cmd) - 1, fp);
	fclose(fp);
	while (n && cmd[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	cmd[n] = '\0';

	assert_true(view_proc_read((int)getpid(), &p));
	assert_int_equal(p.pid, (int)getpid());
	assert_string_equal(p.comm, comm);
	assert_string_equal(p.cmdline, cmd);
	assert_int_equal(p.uid, (int64_t)geteuid());
	assert_true(p.user[0] != '\0');

	/* above pid_max (4194304 at most): never a process */
	assert_false(view_proc_read(99999999, &p));
	assert_int_equal(p.pid, 99999999);
	assert_int_equal(p.uid, -1);
	assert_string_equal(p.cmdline, "");
	assert_string_equal(p.unit, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_str_fields),
		cmocka_unit_test(test_proc_str_hostile),
		cmocka_unit_test(test_proc_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

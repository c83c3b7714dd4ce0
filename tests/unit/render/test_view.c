/* Unit tests for view.c's one text form of a process (view_proc_str):
 * the fields in order, only the known ones, everything from outside
 * escaped, the command line cut on a whole escape with "...". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_str_fields),
		cmocka_unit_test(test_proc_str_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

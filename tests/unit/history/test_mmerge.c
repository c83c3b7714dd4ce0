/* Unit tests for mmerge.c: two namespaces' expositions become one, each
 * family once, with the namespace labels first on every sample. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "history/mmerge.h"

static void test_merge(void **state)
{
	static const char a[] = "# HELP td_sockets Sockets.\n"
				"# TYPE td_sockets gauge\n"
				"td_sockets{state=\"LISTEN\"} 2\n"
				"# HELP td_up Up.\n"
				"# TYPE td_up gauge\n"
				"td_up 1\n";
	static const char b[] = "# HELP td_up Up.\n"
				"# TYPE td_up gauge\n"
				"td_up 1\n"
				"# HELP td_sockets Sockets.\n"
				"# TYPE td_sockets gauge\n"
				"td_sockets{state=\"LISTEN\"} 7\n"
				"td_sockets{} 1\n"
				"# HELP td_new Only in b.\n"
				"# TYPE td_new counter\n"
				"td_new_total 3";
	const struct td_metrics_part parts[] = {
		{ a, sizeof(a) - 1, "netns=\"host\"" },
		{ b, sizeof(b) - 1, "netns=\"web\",pod=\"default/api\"" },
	};
	struct td_mbuf out = { 0 };

	(void)state;
	assert_int_equal(td_metrics_merge(parts, 2, &out), 0);
	assert_string_equal(out.p,
			    "# HELP td_sockets Sockets.\n"
			    "# TYPE td_sockets gauge\n"
			    "td_sockets{netns=\"host\",state=\"LISTEN\"} 2\n"
			    "td_sockets{netns=\"web\",pod=\"default/api\",state=\"LISTEN\"} 7\n"
			    "td_sockets{netns=\"web\",pod=\"default/api\"} 1\n"
			    "# HELP td_up Up.\n"
			    "# TYPE td_up gauge\n"
			    "td_up{netns=\"host\"} 1\n"
			    "td_up{netns=\"web\",pod=\"default/api\"} 1\n"
			    "# HELP td_new Only in b.\n"
			    "# TYPE td_new counter\n"
			    "td_new_total{netns=\"web\",pod=\"default/api\"} 3\n");
	td_mbuf_free(&out);
	assert_int_equal(td_metrics_merge(NULL, 0, &out), 0);
	assert_null(out.p);
}

static void test_sum(void **state)
{
	static const char a[] = "# HELP td_sockets Sockets.\n"
				"# TYPE td_sockets gauge\n"
				"td_sockets{state=\"LISTEN\"} 2\n"
				"td_sockets{state=\"ESTABLISHED\"} 0.5\n"
				"# a comment\n"
				"td_up 1\n";
	static const char b[] = "# HELP td_sockets Sockets.\n"
				"# TYPE td_sockets gauge\n"
				"td_sockets{state=\"LISTEN\"} 7\n"
				"td_sockets{state=\"CLOSE_WAIT\"} 3\n"
				"td_up 1";
	const struct td_metrics_part parts[] = {
		{ a, sizeof(a) - 1, NULL },
		{ b, sizeof(b) - 1, NULL },
	};
	struct td_mbuf out = { 0 };

	(void)state;
	assert_int_equal(td_metrics_sum(parts, 2, &out), 0);
	assert_string_equal(out.p, "# HELP td_sockets Sockets.\n"
				   "# TYPE td_sockets gauge\n"
				   "td_sockets{state=\"LISTEN\"} 9\n"
				   "td_sockets{state=\"ESTABLISHED\"} 0.5\n"
				   "td_sockets{state=\"CLOSE_WAIT\"} 3\n"
				   "td_up 2\n");
	td_mbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_sum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

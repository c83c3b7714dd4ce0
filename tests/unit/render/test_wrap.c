/* Unit tests for src/render/wrap.c: prose wrapped at a width by display
 * columns, never inside a word, CJK as two columns and breakable between
 * characters but not before closing punctuation; a padded row keeps its
 * blanks; width 0 leaves text on one line; addresses elided in the middle;
 * the width from COLUMNS when stdout is not a terminal, none without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/wrap.h"

/* td_wrap(text, col, indent, width) into a string (caller frees). */
static char *wrapped(const char *text, int col, int indent, int width)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	td_wrap(fp, text, col, indent, width);
	assert_int_equal(fclose(fp), 0);
	return out;
}

/* Every line of s at most width columns. */
static void assert_fits(const char *s, int width)
{
	while (*s) {
		size_t n = strcspn(s, "\n");

		if (td_text_cols(s, n) > width)
			fail_msg("line wider than %d: [%.*s]", width, (int)n, s);
		s += n + (s[n] == '\n');
	}
}

static void test_english(void **state)
{
	const char *text = "CLOSE_WAIT means the peer sent its FIN and the kernel acknowledged it;"
			   " the connection stays there until the application calls close()";
	char *out;

	(void)state;
	out = wrapped(text, 7, 4, 40);
	assert_fits(out, 40);
	/* the first line starts at column 7, after "  Why: " */
	assert_string_equal(out, "CLOSE_WAIT means the peer sent\n"
				 "    its FIN and the kernel acknowledged\n"
				 "    it; the connection stays there until\n"
				 "    the application calls close()\n");
	free(out);
	/* width 0: one line, as piped */
	out = wrapped(text, 0, 4, 0);
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	free(out);
}

static void test_long_word(void **state)
{
	char *out;

	(void)state;
	/* a word wider than the line stands alone, whole */
	out = wrapped("see net.ipv4.tcp_max_syn_backlog_and_more now", 0, 2, 12);
	assert_string_equal(out, "see\n  net.ipv4.tcp_max_syn_backlog_and_more\n  now\n");
	free(out);
}

static void test_cjk(void **state)
{
	char *out;

	(void)state;
	/* 10 characters of 2 columns: 20 columns, wraps at 12 between them,
	 * never putting the full stop at the start of a line */
	out = wrapped("半连接队列满了会丢弃。", 0, 0, 12);
	assert_fits(out, 12);
	assert_string_equal(out, "半连接队列满\n了会丢弃。\n");
	free(out);
	out = wrapped("一二三四五。", 0, 0, 10);
	assert_fits(out, 10);
	assert_string_equal(out, "一二三四\n五。\n");
	free(out);
	assert_int_equal(td_text_cols("TIME_WAIT 半", strlen("TIME_WAIT 半")), 12);
	assert_int_equal(td_text_cols("\033[1mOK\033[0m", strlen("\033[1mOK\033[0m")), 2);
}

static void test_padding_kept(void **state)
{
	char *out;

	(void)state;
	out = wrapped("12:00:01 ?            a -> b", 0, 4, 80);
	assert_string_equal(out, "12:00:01 ?            a -> b\n");
	free(out);
}

static void test_elide(void **state)
{
	char buf[96];
	const char *a = "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:1]:5001";

	(void)state;
	assert_string_equal(td_elide("127.0.0.1:6000", 19, buf, sizeof(buf)), "127.0.0.1:6000");
	td_elide(a, 19, buf, sizeof(buf));
	assert_int_equal(td_text_cols(buf, strlen(buf)), 19);
	assert_string_equal(buf, "[2001:d\u2026eee:1]:5001");
	assert_string_equal(td_fit_end("python3(23519,fd=15)", 10, buf, sizeof(buf)),
			    "python3(2\u2026");
}

static void test_width_from_env(void **state)
{
	(void)state;
	/* cmocka's stdout is not a terminal under the test runner */
	setenv("COLUMNS", "93", 1);
	assert_int_equal(td_out_width(), 93);
	setenv("COLUMNS", "x", 1);
	assert_int_equal(td_out_width(), 0);
	unsetenv("COLUMNS");
	assert_int_equal(td_out_width(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english), cmocka_unit_test(test_long_word),
		cmocka_unit_test(test_cjk),	cmocka_unit_test(test_padding_kept),
		cmocka_unit_test(test_elide),	cmocka_unit_test(test_width_from_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

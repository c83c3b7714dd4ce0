/* Tests for the spelling distance and printable copies (text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(td_edit_distance("", ""), 0);
	assert_int_equal(td_edit_distance("listen", "listen"), 0);
	assert_int_equal(td_edit_distance("", "abc"), 3);
	assert_int_equal(td_edit_distance("estabished", "established"), 1); /* deletion */
	assert_int_equal(td_edit_distance("lsiten", "listen"), 1);	    /* swap */
	assert_int_equal(td_edit_distance("closewait", "closewiat"), 1);
	assert_int_equal(td_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(td_edit_distance("abc", "cba"), 2);
}

static void test_distance_long(void **state)
{
	char a[300], b[300];

	(void)state;
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[0] = 'b';
	/* Cut at TD_TEXT_MAX: only the first differing letter counts. */
	assert_int_equal(td_edit_distance(a, b), 1);
	b[200] = 'c'; /* beyond the cut */
	assert_int_equal(td_edit_distance(a, b), 1);
}

static void test_printable(void **state)
{
	char out[16];

	(void)state;
	td_printable("close-wait", out, sizeof(out));
	assert_string_equal(out, "close-wait");
	td_printable("a\033[31mb\n", out, sizeof(out));
	assert_string_equal(out, "a?[31mb?");
	td_printable("\xc3\xa9t\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "??t??");
	td_printable("0123456789abcdefghij", out, sizeof(out));
	assert_string_equal(out, "0123456789ab...");
	assert_true(strlen(out) < sizeof(out));
	td_printable("xyz", out, 1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_distance_long),
		cmocka_unit_test(test_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

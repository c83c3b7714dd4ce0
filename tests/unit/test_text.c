/* Tests for the spelling distance, printable copies and the decimal
 * writer (text.c). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
	/* One Chinese character is one edit, not three bytes. */
	assert_int_equal(td_edit_distance("三次握手", "三次挥手"), 1);
	assert_int_equal(td_edit_distance("半连接队列", "全连接队列"), 1);
}

static void test_width(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(td_text_width("abc", 3), 3);
	assert_int_equal(td_text_width("三次握手", strlen("三次握手")), 8);
	assert_int_equal(td_text_width("TIME_WAIT 状态，", strlen("TIME_WAIT 状态，")), 16);
	assert_int_equal(td_text_width("\xff", 1), 1);
	assert_int_equal(td_utf8_next("三", 3, &cp), 3);
	assert_int_equal(cp, 0x4e09);
	assert_int_equal(td_utf8_next("三", 2, &cp), 0);	   /* cut short */
	assert_int_equal(td_utf8_next("\xc0\x80", 2, &cp), 0);	   /* overlong */
	assert_int_equal(td_utf8_next("\xed\xa0\x80", 3, &cp), 0); /* surrogate */
	assert_int_equal(td_cp_width(0x4e09), 2);
	assert_int_equal(td_cp_width(0xff0c), 2); /* fullwidth comma */
	assert_int_equal(td_cp_width('a'), 1);
	assert_int_equal(td_cp_width(0x301), 0);
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
	/* Well-formed UTF-8 passes whole; a C1 control, a stray byte do not. */
	td_printable("\xc3\xa9t\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "\xc3\xa9t\xc3\xa9");
	td_printable("\xc2\x9b"
		     "a\xff",
		     out, sizeof(out));
	assert_string_equal(out, "?a?");
	td_printable("\xe4\xb8\x89\xe6\xac\xa1\xe6\x8f\xa1\xe6\x89\x8b\xe5\x95\x8a", out,
		     sizeof(out));
	/* Cut between characters, never inside one: 4 of 5 fit with "...". */
	assert_string_equal(out, "\xe4\xb8\x89\xe6\xac\xa1\xe6\x8f\xa1\xe6\x89\x8b...");
	td_printable("0123456789abcdefghij", out, sizeof(out));
	assert_string_equal(out, "0123456789ab...");
	assert_true(strlen(out) < sizeof(out));
	td_printable("xyz", out, 1);
	assert_string_equal(out, "");
}

/* One value through td_dec_len() and td_dec_back() against printf, and
 * not a byte written before the digits. */
static void check_dec(uint64_t v)
{
	char buf[32], want[32], *p;
	unsigned n = td_dec_len(v);

	memset(buf, '#', sizeof(buf));
	snprintf(want, sizeof(want), "%" PRIu64, v);
	assert_int_equal(n, strlen(want));
	p = td_dec_back(buf + 1 + n, v);
	assert_ptr_equal(p, buf + 1);
	assert_memory_equal(p, want, n);
	assert_int_equal(buf[0], '#');
	assert_int_equal(buf[1 + n], '#');
}

static void test_decimal(void **state)
{
	uint64_t p10 = 1, x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (uint64_t v = 0; v <= 100000; v++)
		check_dec(v);
	/* each side of every power of ten a uint64_t holds */
	for (int k = 0; k < 20; k++, p10 *= 10) {
		check_dec(p10 - 1);
		check_dec(p10);
		check_dec(p10 + 1);
	}
	check_dec(UINT64_MAX);
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		check_dec(x >> (i % 64));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),  cmocka_unit_test(test_distance_long),
		cmocka_unit_test(test_printable), cmocka_unit_test(test_width),
		cmocka_unit_test(test_decimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

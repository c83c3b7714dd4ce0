/* Tests for the escaping of outside strings in text views (escape.c): a
 * hostile process name never reaches a terminal with a control byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/escape.h"

#define ESC(in, want)                                                                              \
	do {                                                                                       \
		char b_[256];                                                                      \
		assert_string_equal(td_esc((in), b_, sizeof(b_)), (want));                         \
	} while (0)

static void test_plain_and_utf8_kept(void **state)
{
	(void)state;
	ESC("nginx", "nginx");
	ESC("", "");
	ESC(NULL, "");
	ESC("python3 -m http.server", "python3 -m http.server");
	ESC("\xe6\x9c\x8d\xe5\x8a\xa1", "\xe6\x9c\x8d\xe5\x8a\xa1"); /* 服务 */
	ESC("caf\xc3\xa9", "caf\xc3\xa9");
}

static void test_controls_lsof_style(void **state)
{
	(void)state;
	/* the name: an OSC title sequence ended by BEL */
	ESC("ev\x1b]0;pwned\x07x", "ev^[]0;pwned^Gx");
	ESC("a\nb\rc\td", "a^Jb^Mc^Id");
	ESC("\x01\x1f\x7f", "^A^_^?");
	ESC("back\\slash", "back\\\\slash"); /* so ^[ typed by hand is not ESC */
	ESC("\xc2\x9b"
	    "2J",
	    "\\xc2\\x9b2J");			/* C1 CSI */
	ESC("\xff\xfe", "\\xff\\xfe");		/* not UTF-8 */
	ESC("\xe6\x9c", "\\xe6\\x9c");		/* cut sequence */
	ESC("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* surrogate */
}

static void test_cut_on_whole_escape(void **state)
{
	char b[6];

	(void)state;
	assert_string_equal(td_esc("ab\x1b"
				   "cd",
				   b, sizeof(b)),
			    "ab^[c");
	assert_string_equal(td_esc("abcd\x1b", b, sizeof(b)), "abcd"); /* ^[ would not fit */
	assert_string_equal(td_esc("\xe6\x9c\x8d\xe5\x8a\xa1", b, sizeof(b)), "\xe6\x9c\x8d");
	assert_string_equal(td_esc("x", b, 1), "");
}

/* Every byte string of length 1 and 2, and random longer ones: nothing below
 * 0x20, no DEL and no C1 control ever comes out. */
static void check_clean(const char *out)
{
	const unsigned char *p = (const unsigned char *)out;

	for (size_t i = 0; p[i]; i++) {
		assert_true(p[i] >= 0x20 && p[i] != 0x7f);
		if (p[i] == 0xc2 && p[i + 1])
			assert_true(p[i + 1] >= 0xa0);
	}
}

static void test_no_control_survives(void **state)
{
	char in[9], out[9 * TD_ESC_MAX_PER_BYTE * 2];
	unsigned seed = 12345;

	(void)state;
	for (int a = 1; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = 0;
			check_clean(td_esc(in, out, sizeof(out)));
		}
	for (int n = 0; n < 20000; n++) {
		for (int k = 0; k < 8; k++) {
			seed = seed * 1103515245u + 12345u;
			in[k] = (char)((seed >> 16) % 255 + 1);
		}
		in[8] = 0;
		check_clean(td_esc(in, out, sizeof(out)));
	}
}

static void test_fputs_matches(void **state)
{
	const char *in = "w\x1b[2Jx\xc2\x9b\xff\xe6\x97\xa5";
	char want[128], got[128] = { 0 };
	FILE *fp = fmemopen(got, sizeof(got) - 1, "w");

	(void)state;
	assert_non_null(fp);
	td_fputs_esc(in, fp);
	fclose(fp);
	assert_string_equal(got, td_esc(in, want, sizeof(want)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_utf8_kept),
		cmocka_unit_test(test_controls_lsof_style),
		cmocka_unit_test(test_cut_on_whole_escape),
		cmocka_unit_test(test_no_control_survives),
		cmocka_unit_test(test_fputs_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/render/json.c: exact output in compact and pretty mode,
 * every escape, invalid UTF-8, numbers, nesting past the depth limit, and a
 * byte-exhaustive check that any input gives valid, lossless JSON strings. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "skip.h"

#include "render/json.h"

struct buf {
	char *data;
	size_t size;
	FILE *fp;
};

static void buf_open(struct buf *b)
{
	b->data = NULL;
	b->size = 0;
	b->fp = open_memstream(&b->data, &b->size);
	assert_non_null(b->fp);
}

/* Close the stream and compare; frees the buffer. */
static void buf_expect(struct buf *b, const char *want, size_t want_len)
{
	assert_int_equal(fclose(b->fp), 0);
	if (b->size != want_len || memcmp(b->data, want, want_len) != 0)
		fail_msg("got  [%.*s] (%zu bytes)\nwant [%.*s] (%zu bytes)", (int)b->size, b->data,
			 b->size, (int)want_len, want, want_len);
	free(b->data);
}

#define EXPECT(b, lit) buf_expect((b), (lit), sizeof(lit) - 1)

/* One JSON string for len bytes of s. */
static char *quote(const char *s, size_t len, size_t *out_len)
{
	struct buf b;

	buf_open(&b);
	td_json_write_string(b.fp, s, len);
	assert_int_equal(fclose(b.fp), 0);
	*out_len = b.size;
	return b.data;
}

static void expect_quoted(const char *in, size_t in_len, const char *want)
{
	size_t n;
	char *got = quote(in, in_len, &n);

	if (n != strlen(want) || memcmp(got, want, n) != 0)
		fail_msg("got [%.*s] want [%s]", (int)n, got, want);
	free(got);
}

#define QUOTE(lit, want) expect_quoted((lit), sizeof(lit) - 1, (want))

/* A small document used in both modes. */
static void write_sample(struct td_json *j)
{
	td_json_begin_object(j, NULL);
	td_json_int(j, "a", 1);
	td_json_begin_array(j, "b");
	td_json_int(j, NULL, 1);
	td_json_str(j, NULL, "two");
	td_json_begin_object(j, NULL);
	td_json_null(j, "c");
	td_json_end_object(j);
	td_json_end_array(j);
	td_json_begin_object(j, "empty_obj");
	td_json_end_object(j);
	td_json_begin_array(j, "empty_arr");
	td_json_end_array(j);
	td_json_bool(j, "t", true);
	td_json_bool(j, "f", false);
	td_json_begin_array(j, "nested");
	td_json_begin_array(j, NULL);
	td_json_end_array(j);
	td_json_begin_array(j, NULL);
	td_json_uint(j, NULL, 7);
	td_json_end_array(j);
	td_json_end_array(j);
	td_json_end_object(j);
	td_json_finish(j);
}

static void test_compact(void **state)
{
	struct td_json j;
	struct buf b;

	(void)state;
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	write_sample(&j);
	assert_int_equal(j.depth, 0);
	EXPECT(&b, "{\"a\":1,\"b\":[1,\"two\",{\"c\":null}],\"empty_obj\":{},\"empty_arr\":[],"
		   "\"t\":true,\"f\":false,\"nested\":[[],[7]]}\n");
}

static void test_pretty(void **state)
{
	struct td_json j;
	struct buf b;

	(void)state;
	buf_open(&b);
	td_json_init(&j, b.fp, true);
	write_sample(&j);
	EXPECT(&b, "{\n"
		   "  \"a\": 1,\n"
		   "  \"b\": [\n"
		   "    1,\n"
		   "    \"two\",\n"
		   "    {\n"
		   "      \"c\": null\n"
		   "    }\n"
		   "  ],\n"
		   "  \"empty_obj\": {},\n"
		   "  \"empty_arr\": [],\n"
		   "  \"t\": true,\n"
		   "  \"f\": false,\n"
		   "  \"nested\": [\n"
		   "    [],\n"
		   "    [\n"
		   "      7\n"
		   "    ]\n"
		   "  ]\n"
		   "}\n");
}

static void test_top_level(void **state)
{
	struct td_json j;
	struct buf b;

	(void)state;
	/* Scalars and containers alone; a key at the top level is ignored. */
	buf_open(&b);
	td_json_init(&j, b.fp, true);
	td_json_str(&j, "ignored", "x");
	td_json_finish(&j);
	td_json_begin_array(&j, NULL);
	td_json_end_array(&j);
	td_json_finish(&j);
	td_json_begin_object(&j, NULL);
	td_json_end_object(&j);
	td_json_finish(&j);
	EXPECT(&b, "\"x\"\n[]\n{}\n");

	/* Values in a row without finish() come out as JSON lines. */
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	td_json_begin_object(&j, NULL);
	td_json_int(&j, "n", 1);
	td_json_end_object(&j);
	td_json_begin_object(&j, NULL);
	td_json_int(&j, "n", 2);
	td_json_end_object(&j);
	td_json_finish(&j);
	EXPECT(&b, "{\"n\":1}\n{\"n\":2}\n");

	/* An array of objects, pretty. */
	buf_open(&b);
	td_json_init(&j, b.fp, true);
	td_json_begin_array(&j, NULL);
	td_json_begin_object(&j, NULL);
	td_json_str(&j, "state", "ESTAB");
	td_json_end_object(&j);
	td_json_begin_object(&j, NULL);
	td_json_str(&j, "state", "LISTEN");
	td_json_end_object(&j);
	td_json_end_array(&j);
	td_json_finish(&j);
	EXPECT(&b,
	       "[\n  {\n    \"state\": \"ESTAB\"\n  },\n  {\n    \"state\": \"LISTEN\"\n  }\n]\n");
}

static void test_unbalanced_end(void **state)
{
	struct td_json j;
	struct buf b;

	(void)state;
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	td_json_end_object(&j);
	td_json_end_array(&j);
	assert_int_equal(j.depth, 0);
	td_json_begin_array(&j, NULL);
	td_json_int(&j, NULL, 1);
	td_json_end_array(&j);
	td_json_end_array(&j);
	assert_int_equal(j.depth, 0);
	td_json_finish(&j);
	EXPECT(&b, "[1]\n");
}

static void test_numbers(void **state)
{
	struct td_json j;
	struct buf b;

	(void)state;
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	td_json_begin_array(&j, NULL);
	td_json_int(&j, NULL, 0);
	td_json_int(&j, NULL, -1);
	td_json_int(&j, NULL, INT64_MIN);
	td_json_int(&j, NULL, INT64_MAX);
	td_json_uint(&j, NULL, UINT64_MAX);
	td_json_double(&j, NULL, 0.0);
	td_json_double(&j, NULL, 0.1);
	td_json_double(&j, NULL, -0.25);
	td_json_double(&j, NULL, 1.5);
	td_json_double(&j, NULL, 12.345);
	td_json_double(&j, NULL, 1764255000.123456);
	td_json_double(&j, NULL, 1e300);
	td_json_double(&j, NULL, 1e-7);
	td_json_double(&j, NULL, NAN);
	td_json_double(&j, NULL, INFINITY);
	td_json_double(&j, NULL, -INFINITY);
	td_json_end_array(&j);
	td_json_begin_object(&j, NULL);
	td_json_double(&j, "rtt_ms", NAN);
	td_json_double(&j, "loss", 0.5);
	td_json_end_object(&j);
	td_json_finish(&j);
	EXPECT(&b, "[0,-1,-9223372036854775808,9223372036854775807,18446744073709551615,"
		   "0,0.1,-0.25,1.5,12.345,1764255000.12346,1e+300,1e-07,null,null,null]\n"
		   "{\"rtt_ms\":null,\"loss\":0.5}\n");
}

/* td_json_fixed() as printf writes it: "%.*f", trailing zeros and a bare
 * point dropped, "-0" as "0". The writer formats most values by integer
 * arithmetic; this is the oracle it must match. */
static void fixed_ref(char *out, size_t n, double v, int d)
{
	char *p, *dot = NULL;

	snprintf(out, n, "%.*f", d, v);
	for (p = out; *p; p++)
		if (*p == '.')
			dot = p;
	if (dot) {
		p = out + strlen(out);
		while (p > dot + 1 && p[-1] == '0')
			*--p = '\0';
		if (p == dot + 1)
			*dot = '\0';
	}
	if (!strcmp(out, "-0"))
		snprintf(out, n, "0");
}

static void test_fixed_matches_printf(void **state)
{
	static const double edge[] = { 0,      -0.0,	       0.5,	   -0.5,      1.5,   2.5,
				       0.0005, -0.0005,	       0.00049999, 0.125,     99.95, 1e11,
				       -1e11,  999999.9999995, 1e-12,	   123.456789 };
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		char want[128], got[160];
		struct td_json j;
		struct buf b;
		double v;
		int d = i % 10;

		if (i < (int)(sizeof(edge) / sizeof(edge[0])) * 10) {
			v = edge[i / 10];
		} else {
			/* xorshift: magnitudes from 1e-9 to 1e13, both signs, and
			 * values on a grid of halves at the rounding digit */
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			v = (double)(x >> 11) / (double)(1ull << 53) * pow(10, (int)(x % 23) - 9);
			if (x & 1)
				v = -v;
			if ((x >> 1) % 8 == 0)
				v = (floor(v * pow(10, d)) + 0.5) / pow(10, d);
		}
		fixed_ref(want, sizeof(want), v, d);
		buf_open(&b);
		td_json_init(&j, b.fp, false);
		td_json_fixed(&j, NULL, v, d);
		assert_int_equal(fclose(b.fp), 0);
		snprintf(got, sizeof(got), "%.*s", (int)b.size, b.data);
		free(b.data);
		if (strcmp(got, want))
			fail_msg("td_json_fixed(%.17g, %d): got %s, printf says %s", v, d, got,
				 want);
	}
}

/* Rounded numbers and instants: the docs/json.md conventions. */
static void test_fixed_and_ts(void **state)
{
	struct td_json j;
	struct buf b;

	(void)state;
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	td_json_begin_array(&j, NULL);
	td_json_fixed(&j, NULL, 0.0662600006908178, 3);
	td_json_fixed(&j, NULL, 12.5, 3);
	td_json_fixed(&j, NULL, 3.0, 3);
	td_json_fixed(&j, NULL, -0.0001, 3);
	td_json_fixed(&j, NULL, 0.202812385, 6);
	td_json_fixed(&j, NULL, 99.95, 1);
	td_json_fixed(&j, NULL, NAN, 3);
	td_json_ts(&j, NULL, 0);
	td_json_ts(&j, NULL, 1796178304960280123LL);
	td_json_ts(&j, NULL, -1);
	/* the date is kept for the second: same second, the next, back */
	td_json_ts(&j, NULL, 1796178304000001999LL);
	td_json_ts(&j, NULL, 1796178305999999999LL);
	td_json_ts(&j, NULL, 1796178304100000000LL);
	td_json_end_array(&j);
	td_json_finish(&j);
	EXPECT(&b, "[0.066,12.5,3,0,0.202812,100,null,\"1970-01-01T00:00:00.000000Z\","
		   "\"2026-12-02T02:25:04.960280Z\",null,\"2026-12-02T02:25:04.000001Z\","
		   "\"2026-12-02T02:25:05.999999Z\",\"2026-12-02T02:25:04.100000Z\"]\n");
}

static void test_strings_and_null(void **state)
{
	struct td_json j;
	struct buf b;

	(void)state;
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	td_json_begin_object(&j, NULL);
	td_json_str(&j, "comm", NULL);
	td_json_strn(&j, "cmdline", NULL, 5);
	td_json_str(&j, "empty", "");
	td_json_strn(&j, "nul", "a\0b", 3);
	td_json_strn(&j, "cut", "abcdef", 2);
	td_json_str(&j, "c_str", "a\0b"); /* stops at the NUL */
	/* process names may hold anything a program put in argv[0] */
	td_json_str(&j, "name", "my \"app\"\\v2\n\t\x1b[0m");
	td_json_str(&j, "key \"q\"\x01", "v");
	td_json_end_object(&j);
	td_json_finish(&j);
	EXPECT(&b, "{\"comm\":null,\"cmdline\":null,\"empty\":\"\",\"nul\":\"a\\u0000b\","
		   "\"cut\":\"ab\",\"c_str\":\"a\",\"name\":\"my \\\"app\\\"\\\\v2\\n\\t"
		   "\\u001b[0m\",\"key \\\"q\\\"\\u0001\":\"v\"}\n");
}

/* A value rendered once by a writer of its own, then written as is: the
 * same bytes as writing it in place, commas and keys included. */
static void test_raw(void **state)
{
	struct td_json j, k;
	struct buf b, obj;

	(void)state;
	buf_open(&obj);
	td_json_init(&k, obj.fp, false);
	td_json_begin_object(&k, NULL);
	td_json_uint(&k, "pid", 7);
	td_json_str(&k, "cmdline", "a\x1b");
	td_json_end_object(&k);
	assert_int_equal(fclose(obj.fp), 0);
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	td_json_begin_object(&j, NULL);
	td_json_raw(&j, "process", obj.data, obj.size);
	td_json_uint(&j, "n", 1);
	td_json_begin_array(&j, "v");
	td_json_raw(&j, NULL, obj.data, obj.size);
	td_json_raw(&j, NULL, obj.data, obj.size);
	td_json_end_array(&j);
	td_json_end_object(&j);
	td_json_finish(&j);
	free(obj.data);
	EXPECT(&b, "{\"process\":{\"pid\":7,\"cmdline\":\"a\\u001b\"},\"n\":1,"
		   "\"v\":[{\"pid\":7,\"cmdline\":\"a\\u001b\"},"
		   "{\"pid\":7,\"cmdline\":\"a\\u001b\"}]}\n");
}

static void test_escapes(void **state)
{
	char all[32];
	int i;

	(void)state;
	for (i = 0; i < 32; i++)
		all[i] = (char)i;
	expect_quoted(all, 32,
		      "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
		      "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
		      "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
		      "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
	QUOTE("\x7f", "\"\\u007f\"");
	QUOTE("\"", "\"\\\"\"");
	QUOTE("\\", "\"\\\\\"");
	QUOTE("a\\\"b", "\"a\\\\\\\"b\"");
	/* '/' need not be escaped, and printable ASCII passes through */
	QUOTE("/ ~!#$%&'()*+,-.:;<=>?@[]^_`{|}", "\"/ ~!#$%&'()*+,-.:;<=>?@[]^_`{|}\"");
	QUOTE("", "\"\"");
	expect_quoted(NULL, 0, "\"\"");
}

static void test_valid_utf8(void **state)
{
	(void)state;
	QUOTE("h\xc3\xa9llo", "\"h\xc3\xa9llo\"");			   /* é */
	QUOTE("\xc2\x80", "\"\xc2\x80\"");				   /* U+0080 */
	QUOTE("\xdf\xbf", "\"\xdf\xbf\"");				   /* U+07FF */
	QUOTE("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");			   /* U+0800 */
	QUOTE("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\""); /* 日本 */
	QUOTE("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");			   /* U+D7FF */
	QUOTE("\xee\x80\x80", "\"\xee\x80\x80\"");			   /* U+E000 */
	QUOTE("\xe2\x80\xa8", "\"\xe2\x80\xa8\"");			   /* U+2028 */
	QUOTE("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");			   /* U+FFFF */
	QUOTE("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");		   /* U+10000 */
	QUOTE("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");		   /* 😀 */
	QUOTE("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");		   /* U+10FFFF */
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* lone continuation bytes */
	QUOTE("\x80", "\"\\u0080\"");
	QUOTE("\xbf", "\"\\u00bf\"");
	/* overlong forms */
	QUOTE("\xc0\xaf", "\"\\u00c0\\u00af\"");
	QUOTE("\xc1\xbf", "\"\\u00c1\\u00bf\"");
	QUOTE("\xc0\x80", "\"\\u00c0\\u0080\""); /* overlong NUL */
	QUOTE("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");
	QUOTE("\xe0\x9f\xbf", "\"\\u00e0\\u009f\\u00bf\"");
	QUOTE("\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\"");
	/* UTF-16 surrogates, alone and paired (CESU-8) */
	QUOTE("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	QUOTE("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");
	QUOTE("\xed\xa0\xbd\xed\xb8\x80", "\"\\u00ed\\u00a0\\u00bd\\u00ed\\u00b8\\u0080\"");
	/* past U+10FFFF, and bytes that never appear in UTF-8 */
	QUOTE("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	QUOTE("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"");
	QUOTE("\xf8\x88\x80\x80\x80", "\"\\u00f8\\u0088\\u0080\\u0080\\u0080\"");
	QUOTE("\xfe\xff", "\"\\u00fe\\u00ff\"");
	/* truncated: at the end, and cut by ASCII or by a new lead byte */
	QUOTE("\xe6\x97", "\"\\u00e6\\u0097\"");
	QUOTE("ab\xf0\x9f\x98", "\"ab\\u00f0\\u009f\\u0098\"");
	QUOTE("\xe6\x97\x41", "\"\\u00e6\\u0097A\"");
	QUOTE("\xc3\xc3\xa9", "\"\\u00c3\xc3\xa9\"");
	/* Latin-1 text as it comes from an old process title */
	QUOTE("caf\xe9 \xff", "\"caf\\u00e9 \\u00ff\"");
	/* valid sequences right after invalid bytes still pass through */
	QUOTE("\xff\xc3\xa9\x80\xe2\x82\xac", "\"\\u00ff\xc3\xa9\\u0080\xe2\x82\xac\"");
}

/* Nest well past TD_JSON_MAX_DEPTH, with values before and after each inner
 * array, and check the exact text: clamping must not lose a comma. */
static void test_depth_clamp(void **state)
{
	enum { DEPTH = TD_JSON_MAX_DEPTH * 3 + 5 };
	struct td_json j;
	struct buf b;
	char *want, *p;
	int i;

	(void)state;
	want = malloc(DEPTH * 32 + 16);
	assert_non_null(want);
	p = want;
	buf_open(&b);
	td_json_init(&j, b.fp, false);
	for (i = 0; i < DEPTH; i++) {
		td_json_begin_array(&j, NULL);
		td_json_int(&j, NULL, i);
		p += sprintf(p, "[%d,", i);
	}
	td_json_begin_object(&j, NULL); /* an empty container at the bottom */
	td_json_end_object(&j);
	p += sprintf(p, "{}");
	assert_int_equal(j.depth, DEPTH);
	for (i = DEPTH - 1; i >= 0; i--) {
		td_json_end_array(&j);
		td_json_str(&j, NULL, "x");
		p += sprintf(p, i ? "],\"x\"" : "]\n\"x\"");
	}
	td_json_finish(&j);
	p += sprintf(p, "\n");
	assert_int_equal(j.depth, 0);
	buf_expect(&b, want, (size_t)(p - want));
	free(want);
}

static void test_depth_clamp_pretty(void **state)
{
	enum { DEPTH = TD_JSON_MAX_DEPTH + 3 };
	struct td_json j;
	struct buf b;
	char *want, *p;
	int i, k;

	(void)state;
	want = malloc(DEPTH * DEPTH * 8 + 64);
	assert_non_null(want);
	p = want;
	buf_open(&b);
	td_json_init(&j, b.fp, true);
	for (i = 0; i < DEPTH; i++) {
		if (i) {
			*p++ = '\n';
			for (k = 0; k < i; k++)
				p += sprintf(p, "  ");
		}
		td_json_begin_object(&j, i ? "k" : NULL);
		p += sprintf(p, i ? "\"k\": {" : "{");
	}
	for (i = DEPTH - 1; i >= 0; i--) {
		td_json_end_object(&j);
		if (i < DEPTH - 1) {
			*p++ = '\n';
			for (k = 0; k < i; k++)
				p += sprintf(p, "  ");
		}
		*p++ = '}';
	}
	td_json_finish(&j);
	*p++ = '\n';
	buf_expect(&b, want, (size_t)(p - want));
	free(want);
}

/* Independent strict UTF-8 check: decode each sequence and reject overlong
 * forms, surrogates and code points past U+10FFFF. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], len, k, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Check q (a quoted JSON string) is valid UTF-8 with no raw control bytes,
 * and decode it back to bytes, reading \u00XX as the byte XX; returns the
 * decoded length, or -1 with a reason. */
static long decode_back(const char *q, size_t n, unsigned char *out, const char **why)
{
	static const char short_from[] = "\"\\bfnrt", short_to[] = "\"\\\b\f\n\r\t";
	size_t i;
	long o = 0;

	*why = NULL;
	if (!valid_utf8((const unsigned char *)q, n))
		return *why = "not UTF-8", -1;
	if (n < 2 || q[0] != '"' || q[n - 1] != '"')
		return *why = "not quoted", -1;
	for (i = 1; i + 1 < n; i++) {
		unsigned char c = (unsigned char)q[i];

		if (c < 0x20 || c == 0x7f)
			return *why = "raw control byte", -1;
		if (c == '"')
			return *why = "unescaped quote", -1;
		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		if (++i + 1 >= n)
			return *why = "dangling backslash", -1;
		if (q[i] != 'u') {
			const char *e = strchr(short_from, q[i]);

			if (!e || !*e)
				return *why = "unknown escape", -1;
			out[o++] = (unsigned char)short_to[e - short_from];
			continue;
		}
		if (i + 5 >= n || q[i + 1] != '0' || q[i + 2] != '0' || hexval(q[i + 3]) < 0 ||
		    hexval(q[i + 4]) < 0)
			return *why = "bad \\u escape", -1;
		out[o++] = (unsigned char)(hexval(q[i + 3]) * 16 + hexval(q[i + 4]));
		i += 4;
	}
	return o;
}

static void check_round_trip(const unsigned char *in, size_t len)
{
	unsigned char out[64];
	const char *why;
	size_t n;
	char *q = quote((const char *)in, len, &n);
	long got = decode_back(q, n, out, &why);

	if (got < 0)
		fail_msg("input of %zu bytes (first %02x): %s in [%.*s]", len, in[0], why, (int)n,
			 q);
	if ((size_t)got != len || memcmp(out, in, len) != 0)
		fail_msg("input of %zu bytes (first %02x) does not decode back", len, in[0]);
	free(q);
}

/* Every 1- and 2-byte input, and a fixed pseudo-random sample of longer ones
 * biased to bytes >= 0x80: always valid UTF-8, no raw controls, lossless. */
static void test_any_bytes_round_trip(void **state)
{
	unsigned char in[8];
	uint32_t seed = 12345;
	unsigned a, c;
	int n, k;

	(void)state;
	for (a = 0; a < 256; a++) {
		in[0] = (unsigned char)a;
		check_round_trip(in, 1);
		for (c = 0; c < 256; c++) {
			in[1] = (unsigned char)c;
			check_round_trip(in, 2);
		}
	}
	for (n = 0; n < 30000; n++) {
		int len = 3 + n % 6;

		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			in[k] = (unsigned char)((seed >> 16) | (k % 3 ? 0x80 : 0));
		}
		check_round_trip(in, (size_t)len);
	}
}

/* The escape a JSON string gives one byte among plain ASCII letters (a
 * byte of 0x80 or more is then not UTF-8: read as Latin-1). */
static size_t ref_escape(unsigned char c, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const char *e = c == '"'    ? "\\\""
			: c == '\\' ? "\\\\"
			: c == '\b' ? "\\b"
			: c == '\t' ? "\\t"
			: c == '\n' ? "\\n"
			: c == '\f' ? "\\f"
			: c == '\r' ? "\\r"
				    : NULL;

	if (e) {
		memcpy(out, e, 2);
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	memcpy(out, "\\u00", 4);
	out[4] = hex[c >> 4];
	out[5] = hex[c & 0xf];
	return 6;
}

/* Every byte at every place of strings 1..80 long, as a member's key and as
 * its value, against ref_escape(): the writer scans keys and values eight
 * bytes at a time (plain_run()), so a byte its word test misjudges, or a
 * place it misreads, shows here; 62 is where the one-write path ends. */
static void test_plain_runs(void **state)
{
	static const unsigned char some[] = { 0x00, 0x01, 0x1f, 0x20, '"',  '\\', 'A',
					      0x7e, 0x7f, 0x80, 0xa0, 0xc3, 0xfe, 0xff };
	char s[81], want[2 * 81 + 64];

	(void)state;
	for (size_t len = 1; len <= 80; len++) {
		for (size_t at = 0; at < len; at++) {
			size_t nb = len <= 20 ? 256 : sizeof(some);

			for (size_t k = 0; k < nb; k++) {
				unsigned char c = len <= 20 ? (unsigned char)k : some[k];
				size_t e = 0, w;
				char esc[8];
				struct td_json j;
				struct buf b;

				memset(s, 'a', len);
				s[at] = (char)c;
				s[len] = '\0';
				e = ref_escape(c, esc);
				/* as the value */
				buf_open(&b);
				td_json_init(&j, b.fp, false);
				td_json_begin_object(&j, NULL);
				td_json_strn(&j, "k", s, len);
				td_json_end_object(&j);
				td_json_finish(&j);
				w = (size_t)snprintf(want, sizeof(want), "{\"k\":\"%.*s%.*s%s\"}\n",
						     (int)at, s, (int)e, esc, s + at + 1);
				buf_expect(&b, want, w);
				/* as the key (a NUL ends it there) */
				if (!c)
					continue;
				buf_open(&b);
				td_json_init(&j, b.fp, false);
				td_json_begin_object(&j, NULL);
				td_json_uint(&j, "x", 1);
				td_json_uint(&j, s, 2);
				td_json_end_object(&j);
				td_json_finish(&j);
				w = (size_t)snprintf(want, sizeof(want),
						     "{\"x\":1,\"%.*s%.*s%s\":2}\n", (int)at, s,
						     (int)e, esc, s + at + 1);
				buf_expect(&b, want, w);
			}
		}
	}
}

/* Let Python's json module (a strict parser) read a document made of the
 * nastiest strings, if python3 is installed; the exact-string tests above do
 * not depend on it. */
static void test_python_parses(void **state)
{
	/* clang-format off */
	static const char *const nasty[] = {
		"\x01\x1f\x7f\"\\\n",
		"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80",
		"\xe6\x97",
		"\xff\xfe",
		"ok \xe2\x82\xac \xf0\x9f\x98\x80",
	};
	/* clang-format on */
	static const char script[] =
		"python3 -c 'import sys, json; d = json.loads(sys.stdin.buffer.read()"
		".decode(\"utf-8\", \"strict\")); "
		"sys.exit(0 if d[\"s\"][3] == \"\\u00ff\\u00fe\" and d[\"n\"] is None "
		"and d[\"x\"] == [1.5, -2, None] else 1)'";
	struct td_json j;
	FILE *py;
	size_t i;
	int status;

	(void)state;
	if (system("command -v python3 >/dev/null 2>&1") != 0)
		skip_because("needs python3 (scripts/deps)");
	py = popen(script, "w");
	assert_non_null(py);
	td_json_init(&j, py, true);
	td_json_begin_object(&j, NULL);
	td_json_begin_array(&j, "s");
	for (i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++)
		td_json_str(&j, NULL, nasty[i]);
	td_json_end_array(&j);
	td_json_double(&j, "n", NAN);
	td_json_begin_array(&j, "x");
	td_json_double(&j, NULL, 1.5);
	td_json_int(&j, NULL, -2);
	td_json_double(&j, NULL, INFINITY);
	td_json_end_array(&j);
	td_json_strn(&j, "\x80key", "\0", 1);
	td_json_end_object(&j);
	td_json_finish(&j);
	status = pclose(py);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The same values through a plain and a buffered writer: byte for byte the
 * same, including strings with escapes, one longer than the buffer, an
 * object that fills it member by member, and several top-level values; the
 * buffered one writes nothing while a top-level value is open. */
static void write_values(struct td_json *j, const char *big, size_t big_len)
{
	for (int round = 0; round < 3; round++) {
		td_json_begin_object(j, NULL);
		td_json_str(j, "event", "state");
		td_json_ts(j, "ts", 1796178304960280123LL + round);
		td_json_uint(j, "cookie", 18446744073709551615ULL);
		td_json_str(j, "comm", "evil\n\x1b[31m\"name\"");
		td_json_begin_array(j, "list");
		for (int k = 0; k < 300; k++)
			td_json_int(j, NULL, -k * 1000);
		td_json_end_array(j);
		if (round == 1)
			td_json_strn(j, "big", big, big_len);
		td_json_fixed(j, "ms", 1.25, 3);
		td_json_null(j, "none");
		td_json_bool(j, "yes", true);
		td_json_end_object(j);
		td_json_end_line(j);
	}
	td_json_str(j, NULL, "top-level");
	td_json_finish(j);
}

static void test_buffered_same_bytes(void **state)
{
	static char big[5000];
	struct td_json a, b;
	struct buf pa, pb;
	bool early = false;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 7 == 0 ? '"' : 'a' + (int)(i % 26));
	buf_open(&pa);
	buf_open(&pb);
	td_json_init(&a, pa.fp, false);
	td_json_init(&b, pb.fp, false);
	td_json_buffer(&b);
	write_values(&a, big, sizeof(big));
	write_values(&b, big, sizeof(big));
	assert_int_equal(fclose(pa.fp), 0);
	assert_int_equal(fclose(pb.fp), 0);
	assert_true(pa.size > 2 * sizeof(b.ob));
	assert_int_equal(pa.size, pb.size);
	assert_memory_equal(pa.data, pb.data, pa.size);
	free(pa.data);
	free(pb.data);

	/* a small object: nothing reaches the FILE before it closes */
	buf_open(&pb);
	td_json_init(&b, pb.fp, false);
	td_json_buffer(&b);
	td_json_begin_object(&b, NULL);
	td_json_str(&b, "k", "v");
	fflush(pb.fp);
	early = pb.size > 0;
	td_json_end_object(&b);
	fflush(pb.fp);
	assert_false(early);
	assert_int_equal(pb.size, 9);
	td_json_end_line(&b);
	EXPECT(&pb, "{\"k\":\"v\"}\n");

	/* pretty stays unbuffered */
	buf_open(&pb);
	td_json_init(&b, pb.fp, true);
	td_json_buffer(&b);
	assert_false(b.buffered);
	td_json_finish(&b);
	EXPECT(&pb, "\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_unbalanced_end),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_fixed_and_ts),
		cmocka_unit_test(test_fixed_matches_printf),
		cmocka_unit_test(test_strings_and_null),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_depth_clamp),
		cmocka_unit_test(test_depth_clamp_pretty),
		cmocka_unit_test(test_any_bytes_round_trip),
		cmocka_unit_test(test_plain_runs),
		cmocka_unit_test(test_python_parses),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_buffered_same_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

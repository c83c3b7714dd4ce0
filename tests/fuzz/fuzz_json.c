/* libFuzzer target for the JSON string writer: whatever bytes come in, the
 * output must be one quoted string, valid UTF-8, free of raw control bytes,
 * and decode back to exactly the input (\u00XX read as the byte XX). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 (RFC 3629): no overlong forms, surrogates or code points past
 * U+10FFFF. Written apart from json.c's own check on purpose. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], len, k, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_json: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char short_from[] = "\"\\bfnrt", short_to[] = "\"\\\b\f\n\r\t";
	const unsigned char *q;
	unsigned char *back;
	char *out = NULL;
	size_t len = 0, i, n = 0;
	FILE *fp;

	fp = open_memstream(&out, &len);
	if (!fp)
		return 0;
	td_json_write_string(fp, (const char *)data, size);
	check(fclose(fp) == 0, "fclose failed");
	q = (const unsigned char *)out;

	check(valid_utf8(q, len), "output is not valid UTF-8");
	for (i = 0; i < len; i++)
		check(q[i] >= 0x20 && q[i] != 0x7f, "raw control byte in output");
	check(len >= 2 && q[0] == '"' && q[len - 1] == '"', "output is not quoted");

	/* Decode back: proves every escape is well-formed and nothing was lost. */
	back = malloc(size + 1);
	check(back != NULL, "out of memory");
	for (i = 1; i + 1 < len; i++) {
		unsigned char c = q[i];

		check(c != '"', "unescaped quote inside the string");
		if (c != '\\') {
			back[n++] = c;
			continue;
		}
		check(++i + 1 < len, "dangling backslash");
		if (q[i] != 'u') {
			const char *e = strchr(short_from, q[i]);

			check(e && *e, "unknown escape");
			back[n++] = (unsigned char)short_to[e - short_from];
		} else {
			check(i + 5 < len && q[i + 1] == '0' && q[i + 2] == '0' &&
				      hexval(q[i + 3]) >= 0 && hexval(q[i + 4]) >= 0,
			      "\\u escape outside U+0000..U+00FF");
			back[n++] = (unsigned char)(hexval(q[i + 3]) * 16 + hexval(q[i + 4]));
			i += 4;
		}
		check(n <= size, "output decodes to more bytes than the input");
	}
	check(n == size && (size == 0 || memcmp(back, data, size) == 0),
	      "output does not decode back to the input");
	free(back);
	free(out);
	return 0;
}

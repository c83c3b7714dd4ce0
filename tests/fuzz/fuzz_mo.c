/* libFuzzer target for the .mo reader (catalog.c): any bytes as a catalogue
 * file. A refused image says why; an accepted one answers every lookup of
 * its own originals with a NUL-terminated string inside the image that is
 * clean UTF-8 text (no control byte but '\n' and '\t': it reaches a
 * terminal), and lookups of absent keys, with and without a context. The
 * format guard is fed the translation against its original too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, const struct td_mo *mo)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i = 0;

	if (u < mo->data || u >= mo->data + mo->len)
		__builtin_trap();
	len = strnlen(s, (size_t)(mo->data + mo->len - u));
	if (u + len >= mo->data + mo->len)
		__builtin_trap(); /* no NUL inside the image */
	while (i < len) {
		uint32_t cp;
		size_t k = td_utf8_next(s + i, len - i, &cp);

		if (!k || (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
			__builtin_trap();
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_mo mo;
	struct td_err err = { 0 };
	const char *t;
	/* A copy the size of the input: reads past it are ASan's to catch. */
	unsigned char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (td_mo_parse(&mo, buf, size, &err) < 0) {
		if (!err.msg[0] || err.code != -TD_EPARSE)
			__builtin_trap();
		free(buf);
		return 0;
	}
	for (uint32_t i = 0; i < mo.n && i < 64; i++) {
		uint32_t at = mo.orig + 8 * i;
		uint32_t off = (uint32_t)buf[at + 4] | (uint32_t)buf[at + 5] << 8 |
			       (uint32_t)buf[at + 6] << 16 | (uint32_t)buf[at + 7] << 24;
		const char *orig, *sep;

		if (mo.swap)
			off = __builtin_bswap32(off);
		orig = (const char *)buf + off;
		t = td_mo_get(&mo, NULL, orig);
		if (t) {
			check_text(t, &mo);
			td_tr_same_format(orig, t);
		}
		sep = strchr(orig, '\004');
		if (sep) {
			char ctxt[256];
			size_t cl = (size_t)(sep - orig);

			if (cl < sizeof(ctxt)) {
				memcpy(ctxt, orig, cl);
				ctxt[cl] = '\0';
				t = td_mo_get(&mo, ctxt, sep + 1);
				if (t)
					check_text(t, &mo);
			}
		}
	}
	/* Absent keys: one longer than the image cannot be among its
	 * originals, with or without a context. (A fixed string can: the
	 * fuzzer writes it into an image, and then it must be found.) */
	{
		char *absent = malloc(size + 2);

		if (absent) {
			memset(absent, 'k', size + 1);
			absent[size + 1] = '\0';
			if (td_mo_get(&mo, NULL, absent) || td_mo_get(&mo, "ctx", absent) ||
			    td_mo_get(&mo, absent, "Why:"))
				__builtin_trap();
			free(absent);
		}
	}
	t = td_mo_get(&mo, "no such context", "no such message");
	if (t)
		check_text(t, &mo);
	t = td_mo_get(&mo, NULL, "Why:");
	if (t)
		check_text(t, &mo);
	free(buf);
	return 0;
}

/* libFuzzer target for explain's lookup: any bytes as a topic, in both
 * languages. A found entry is one of the table; a miss names nearest entries
 * and its message is valid UTF-8 with no control byte (the topic is echoed
 * to a terminal); the printable copy and the width helpers agree with that. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/kb.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8, nothing below U+0020, no DEL or C1 control. */
static void check_clean(const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		uint32_t cp;
		size_t k = td_utf8_next(s + i, len - i, &cp);

		if (!k || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			__builtin_trap();
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	const struct td_kb_entry *t = td_kb_entries(&n);
	char topic[600], shown[64];
	enum td_kb_lang lang;

	if (size >= sizeof(topic))
		size = sizeof(topic) - 1;
	memcpy(topic, data, size);
	topic[size] = '\0';

	for (int l = TD_KB_EN; l <= TD_KB_LANG_MAX; l++) {
		const char *nearest[TD_KB_NEAREST];
		const struct td_kb_entry *e = NULL;
		struct td_err err = { 0 };
		int rc = td_kb_find_lang(topic, (enum td_kb_lang)l, &e, nearest, &err);

		if (rc == 0) {
			if (!e || e < t || e >= t + n)
				__builtin_trap();
			continue;
		}
		if (rc != -TD_ENOTFOUND || e || !nearest[0] || strlen(err.msg) >= sizeof(err.msg))
			__builtin_trap();
		check_clean(err.msg);
	}
	td_printable(topic, shown, sizeof(shown));
	check_clean(shown);
	if (strlen(shown) >= sizeof(shown) || td_text_width(shown, strlen(shown)) > strlen(shown))
		__builtin_trap();
	if (td_edit_distance(topic, "三次握手") < 0)
		__builtin_trap();
	(void)td_kb_lang_parse(topic, &lang, NULL);
	(void)td_kb_lang_from_env(topic, NULL, NULL, topic);
	{
		unsigned flags;

		(void)td_kb_parse_flags(topic, &flags, NULL);
	}
	return 0;
}

/* The knowledge base's part of po/tcpdoctor.pot, written from the table
 * itself (kb.c is C data, not calls xgettext could find): one message per
 * text field of each entry, msgctxt "NAME|FIELD", msgid the English text.
 * Fields with no English text to show a translator (a Chinese entry's own
 * aliases, an errno's message as the C library prints it in that language)
 * take the entry's name as msgid. `make pot` runs it (po/README.md).
 *   build/kbpot >build/po/kb.pot */
#include <stdio.h>
#include <string.h>

#include "diagnose/kb.h"

/* A PO string: "" then one quoted line per '\n'-ended piece. */
static void po_string(const char *key, const char *s)
{
	printf("%s ", key);
	if (strchr(s, '\n'))
		printf("\"\"\n");
	putchar('"');
	for (; *s; s++) {
		switch (*s) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\n':
			fputs(s[1] ? "\\n\"\n\"" : "\\n", stdout);
			break;
		default:
			putchar(*s);
		}
	}
	printf("\"\n");
}

static void message(const struct td_kb_entry *e, const char *field, const char *note,
		    const char *msgid)
{
	char ctxt[160];

	if (!msgid || !*msgid)
		return;
	printf("#. %s %s: %s\n", td_kb_kind_name(e->kind), e->name, note);
	snprintf(ctxt, sizeof(ctxt), "%s|%s", e->name, field);
	po_string("msgctxt", ctxt);
	po_string("msgid", msgid);
	printf("msgstr \"\"\n\n");
}

int main(void)
{
	size_t n;
	const struct td_kb_entry *t = td_kb_entries(&n);

	for (size_t i = 0; i < n; i++) {
		const struct td_kb_entry *e = &t[i];

		message(e, "summary", "one line", e->summary);
		message(e, "meaning", "a paragraph", e->meaning);
		message(e, "who_sees", "a paragraph: which side sees it, when", e->who_sees);
		message(e, "causes", "a list, one item a line (keep the line count free)",
			e->causes);
		message(e, "aliases",
			"the topic's names in this language, '|' between them (msgid is "
			"the entry name)",
			e->name);
		if (e->kind == TD_KB_ERRNO)
			message(e, "message",
				"the C library's strerror() text in this language, as glibc's "
				"locale prints it (msgid is the errno name)",
				e->name);
	}
	return 0;
}

/* The Chinese (zh_CN) rows of the knowledge base, read from the zh_CN
 * catalogue (po/zh_CN.po, compiled by msgfmt and installed as
 * LC_MESSAGES/tcpdoctor.mo): msgctxt "NAME|FIELD", msgid the English text.
 * Built once, on first use, in the order of kb.c's table; an entry whose
 * summary has no translation has no row (td_kb_text() then says false). */
#include "diagnose/kb_zh.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

static const char *field(const struct td_mo *mo, const char *name, const char *what,
			 const char *msgid)
{
	char ctxt[160];

	if (!msgid || snprintf(ctxt, sizeof(ctxt), "%s|%s", name, what) >= (int)sizeof(ctxt))
		return NULL;
	return td_mo_get(mo, ctxt, msgid);
}

const struct td_kb_tr *td_kb_zh_rows(size_t *n)
{
	static struct td_kb_tr *rows;
	static size_t nrows;
	static bool built;

	if (!built) {
		const struct td_mo *mo = td_catalog(TD_KB_ZH_LOCALE);
		size_t ne;
		const struct td_kb_entry *e = td_kb_entries(&ne);

		built = true;
		if (mo && (rows = calloc(ne, sizeof(*rows)))) {
			for (size_t i = 0; i < ne; i++) {
				struct td_kb_tr *r = &rows[nrows];

				r->summary = field(mo, e[i].name, "summary", e[i].summary);
				if (!r->summary)
					continue;
				r->name = e[i].name;
				r->meaning = field(mo, e[i].name, "meaning", e[i].meaning);
				r->who_sees = field(mo, e[i].name, "who_sees", e[i].who_sees);
				r->causes = field(mo, e[i].name, "causes", e[i].causes);
				r->aliases = field(mo, e[i].name, "aliases", e[i].name);
				/* The name itself: no Chinese spelling of its own. */
				if (r->aliases && !strcmp(r->aliases, e[i].name))
					r->aliases = NULL;
				if (e[i].kind == TD_KB_ERRNO)
					r->message = field(mo, e[i].name, "message", e[i].name);
				nrows++;
			}
		}
	}
	if (n)
		*n = nrows;
	return rows;
}

/* Message catalogues: gettext's .mo files (po/NAME.po compiled by msgfmt), read
 * by our own small reader so a language works whether or not the machine
 * generated its locale (glibc's gettext answers only after setlocale()
 * succeeded for it). Lookups by msgid, or by msgctxt + msgid; one process-wide
 * current language for the texts the library formats (check's findings). */
#ifndef TD_CATALOG_H
#define TD_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The text domain: <dir>/<locale>/LC_MESSAGES/tcpdoctor.mo. */
#define TD_TEXT_DOMAIN "tcpdoctor"

/* Mark a string for the catalogue (xgettext --keyword=N_) without
 * translating it where it stands: `static const char why[] = N_("...")`. */
#define N_(s) s

/* A parsed .mo image. data must outlive it. */
struct td_mo {
	const unsigned char *data;
	size_t len;
	uint32_t n;	     /* strings */
	uint32_t orig, tran; /* offsets of the two (length, offset) tables */
	bool swap;	     /* written on a machine of the other byte order */
	bool sorted;	     /* originals in strcmp order: binary search */
};

/* Check and index a .mo image: magic (either byte order), major revision 0
 * or 1, every table and string inside len and NUL-terminated, the header
 * entry's charset UTF-8 (when it names one), every translation valid UTF-8
 * with no control character but '\n' and '\t'. 0, or -TD_EPARSE with err
 * saying what and where (byte offset). */
int td_mo_parse(struct td_mo *mo, const void *data, size_t len, struct td_err *err);

/* The translation of msgid (in context ctxt when not NULL: msgfmt stores
 * "ctxt\004msgid"), or NULL when the catalogue has none or an empty one. */
const char *td_mo_get(const struct td_mo *mo, const char *ctxt, const char *msgid);

/* Where catalogues are looked for, first found wins: $TD_LOCALEDIR alone
 * when it is set, else beside the running binary (<dir of /proc/self/exe>/locale, the build
 * tree; <dir>/../locale, the unit tests'; <dir>/../share/locale, any
 * prefix), then the directory chosen at build time (TD_LOCALEDIR_DEFAULT,
 * $(PREFIX)/share/locale). For each, <locale>/LC_MESSAGES/tcpdoctor.mo with
 * locale "zh_CN", then its language alone ("zh").
 *
 * The catalogue of locale, loaded and parsed once per process and kept;
 * NULL when none is found or it does not parse (td_catalog_error() says
 * which files were tried and why). */
const struct td_mo *td_catalog(const char *locale);

/* Why the last td_catalog(locale) gave NULL ("" when it did not). */
const char *td_catalog_error(const char *locale);

/* The language the library's own texts are formatted in: a locale name
 * whose catalogue td_catalog() finds, or NULL for English (the msgids).
 * Commands set it (check: from --lang or the environment); the default is
 * English, so serve and record keep English findings. Returns false (and
 * stays English) when locale's catalogue cannot be loaded. */
bool td_tr_use(const char *locale);

/* The current language's translation of a printf format msgid, or msgid
 * itself when there is none or when the translation's conversions (with
 * their length modifiers, in argument order; "%1$s" positions honoured) are
 * not those of msgid: a bad catalogue never reaches vsnprintf with
 * arguments it does not expect. */
const char *td_tr(const char *msgid) __attribute__((format_arg(1)));

/* The same for a text that is not a format (a '%' is a percent sign). */
const char *td_tr_text(const char *msgid);

/* True when the printf conversions of a and b take the same arguments. */
bool td_tr_same_format(const char *a, const char *b);

#endif

/* The Chinese (zh_CN) rows of the knowledge base: kept in po/zh_CN.po, the
 * gettext catalogue a translator edits, and read back here: see kb_zh.c. */
#ifndef TD_KB_ZH_H
#define TD_KB_ZH_H

#include <stddef.h>

#include "diagnose/kb.h"

/* The locale whose catalogue holds the rows. */
#define TD_KB_ZH_LOCALE "zh_CN"

/* Every row, in the order of td_kb_entries() (entries without a translated
 * summary have none); *n receives the count. NULL and 0 when the zh_CN
 * catalogue is not found (td_catalog_error(TD_KB_ZH_LOCALE) says where it
 * was looked for). */
const struct td_kb_tr *td_kb_zh_rows(size_t *n);

#endif

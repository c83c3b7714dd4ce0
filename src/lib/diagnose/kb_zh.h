/* The Chinese (zh_CN) rows of the knowledge base, kept apart from the
 * English table so a translator edits one file: see kb_zh.c. */
#ifndef TD_KB_ZH_H
#define TD_KB_ZH_H

#include <stddef.h>

#include "diagnose/kb.h"

/* Every row, in no particular order; *n receives the count. */
const struct td_kb_tr *td_kb_zh_rows(size_t *n);

#endif

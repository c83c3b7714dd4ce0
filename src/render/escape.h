/* Strings from outside (process names, command lines, user and host names,
 * file names, anything read from a capture) on their way to a terminal. A
 * process picks its own name: "ev\x1b]0;pwned\x07" must not retitle root's
 * window or fake a line. Every text view passes such strings through here;
 * JSON has its own escaping (render/json.h). */
#ifndef TD_ESCAPE_H
#define TD_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Longest escaped form of one input byte ("\xff"). */
#define TD_ESC_MAX_PER_BYTE 4

/* Length of the well-formed UTF-8 sequence at s (at most avail bytes), or
 * 0 when it is not one (overlong, surrogate, past U+10FFFF, cut short). */
size_t td_utf8_len(const unsigned char *s, size_t avail);

/* Escape s into out (cap bytes, NUL-terminated), lsof's way: C0 controls
 * as ^@..^_ (ESC is ^[), DEL as ^?, a backslash as \\, C1 controls
 * (U+0080..U+009F) and bytes that are not UTF-8 as \xNN; printable ASCII
 * and other well-formed UTF-8 (a Chinese name) are kept. Cut on a whole
 * escape when out is too small. s NULL is "". Returns out. */
char *td_esc(const char *s, char *out, size_t cap);

/* The same written to fp (no length limit). */
void td_fputs_esc(const char *s, FILE *fp);

#endif

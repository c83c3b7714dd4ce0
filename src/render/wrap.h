/* Fitting text to the terminal: how wide the output may be, prose wrapped
 * at that width by display columns (CJK counts two) and never inside a
 * word, and addresses shortened in the middle for tables that shrink. */
#ifndef TD_WRAP_H
#define TD_WRAP_H

#include <stddef.h>
#include <stdio.h>

/* The width text views fit, or 0 for no limit: the terminal's
 * (TIOCGWINSZ) when stdout is one, else COLUMNS when set, else 0 --
 * piped output is neither wrapped nor shrunk unless COLUMNS asks. */
int td_out_width(void);

/* Display columns of len bytes of UTF-8 (a wide or fullwidth character
 * counts 2, a combining mark 0, a stray byte 1; ANSI colour escapes 0). */
int td_text_cols(const char *s, size_t len);

/* Print len bytes of text wrapped at width columns, no final newline: the
 * cursor stands at column col (what is already printed on the line), the
 * following lines are indented by indent spaces. Lines break at blanks and
 * between CJK characters (never before closing punctuation), never inside
 * a word: a word wider than the line stands alone on its line. A run of
 * blanks keeps its width where the line does not break (a padded row).
 * width 0: one line. Returns the column the text ended at. */
int td_wrapn(FILE *fp, const char *text, size_t len, int col, int indent, int width);

/* The same for a NUL-terminated text, then a newline. */
void td_wrap(FILE *fp, const char *text, int col, int indent, int width);

/* s fitted in cols columns: itself when it fits, else its start and end
 * around an ellipsis ("[2001:db8:…:eeee:2]:41000"), keeping more of the
 * end, where the port is. cols below 5 is taken as 5. Returns buf. */
const char *td_elide(const char *s, int cols, char *buf, size_t len);

/* s cut to cols columns, its end replaced by an ellipsis when it does not
 * fit (a process list); cut between characters. Returns buf. */
const char *td_fit_end(const char *s, int cols, char *buf, size_t len);

#endif

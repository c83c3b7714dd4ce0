/* Small text helpers shared by the parsers that answer a typo with
 * "did you mean": a spelling distance, and a safe copy of user input for
 * messages a terminal will show. */
#ifndef TD_TEXT_H
#define TD_TEXT_H

#include <stddef.h>

/* Longest string td_edit_distance() compares; longer ones are cut. */
#define TD_TEXT_MAX 128

/* Optimal string alignment distance: Levenshtein plus the swap of two
 * adjacent letters, the most common typo. */
int td_edit_distance(const char *a, const char *b);

/* Copy s into out (size bytes) with every byte outside printable ASCII
 * replaced by '?' and "..." when cut short: user input can hold escape
 * sequences that must not reach the terminal through an error message. */
void td_printable(const char *s, char *out, size_t size);

#endif

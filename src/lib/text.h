/* Small text helpers shared by the parsers that answer a typo with
 * "did you mean": a spelling distance, a safe copy of user input for
 * messages a terminal will show, and the UTF-8 facts a wrapper needs
 * (sequence length, display width: CJK takes two columns). */
#ifndef TD_TEXT_H
#define TD_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Longest string td_edit_distance() compares, in characters; longer ones
 * are cut. */
#define TD_TEXT_MAX 128

/* Optimal string alignment distance: Levenshtein plus the swap of two
 * adjacent letters, the most common typo. Counted in characters of valid
 * UTF-8 (one Chinese character is one edit), a stray byte as one. */
int td_edit_distance(const char *a, const char *b);

/* Copy s into out (size bytes) with every byte outside printable ASCII
 * replaced by '?' and "..." when cut short: user input can hold escape
 * sequences that must not reach the terminal through an error message.
 * Well-formed UTF-8 of printable characters (U+00A0 and up: "三次握手") is
 * kept whole, never cut inside a sequence; C1 controls are not. */
void td_printable(const char *s, char *out, size_t size);

/* Length of the well-formed UTF-8 sequence at s (at most avail bytes) and
 * its code point in *cp (may be NULL), or 0 when it is not one (overlong,
 * surrogate, past U+10FFFF, cut short). ASCII is a sequence of 1. */
size_t td_utf8_next(const char *s, size_t avail, uint32_t *cp);

/* Columns a terminal gives code point cp: 2 for East Asian Wide and
 * Fullwidth (CJK, kana, hangul, fullwidth punctuation), 0 for combining
 * marks and zero-width characters, 1 otherwise. Our own table, not
 * wcwidth(), so it does not depend on which locales the machine has. */
int td_cp_width(uint32_t cp);

/* Columns of len bytes of s; a byte that is not UTF-8 counts as 1. */
size_t td_text_width(const char *s, size_t len);

/* The decimal digits of v, written backwards so that they end at end (up
 * to 20 bytes before it); returns where they start. printf's "%llu"
 * without its format parsing, for the writers that format numbers a
 * million times a run (JSON, trace's lines, endpoints, pcap's lines). */
char *td_dec_back(char *end, uint64_t v);
/* How many digits td_dec_back() writes for v (1 to 20): with it a writer
 * puts the number in place, td_dec_back(p + td_dec_len(v), v). */
unsigned td_dec_len(uint64_t v);

#endif

/* Fitting text to the terminal; see wrap.h. One wrapper for every view's
 * prose (check's Why and What to do, explain, sysctl, the remedy plans),
 * so a word is never cut and Chinese text wraps as the English does. */
#include "render/wrap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "text.h"

int td_out_width(void)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;
	char *end;

	/* The terminal first, as ls does: a COLUMNS left in the environment
	 * from another window must not win over the window itself. */
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	if (cols && *cols) {
		long v = strtol(cols, &end, 10);

		if (!*end && v > 0 && v < 10000)
			return (int)v;
	}
	return 0;
}

/* One character at s: its length in bytes (a stray byte is one) and code. */
static size_t next_char(const char *s, const char *end, uint32_t *cp)
{
	size_t n = td_utf8_next(s, (size_t)(end - s), cp);

	if (!n) {
		*cp = (unsigned char)*s;
		n = 1;
	}
	return n;
}

/* An ANSI CSI sequence at s ("\033[1;31m"): its length, else 0. */
static size_t csi_len(const char *s, const char *end)
{
	const char *p = s + 2;

	if (end - s < 3 || s[0] != '\033' || s[1] != '[')
		return 0;
	while (p < end && ((*p >= '0' && *p <= '9') || *p == ';'))
		p++;
	return p < end ? (size_t)(p - s) + 1 : 0;
}

int td_text_cols(const char *s, size_t len)
{
	const char *end = s + len;
	int cols = 0;

	while (s < end) {
		size_t n = csi_len(s, end);
		uint32_t cp;

		if (n) {
			s += n;
			continue;
		}
		s += next_char(s, end, &cp);
		cols += td_cp_width(cp) < 0 ? 1 : td_cp_width(cp);
	}
	return cols;
}

/* Where a line may break between two characters with no blank between
 * them: next to a wide (CJK) character, but never before closing
 * punctuation ("，", "。", ")") nor after opening punctuation ("（"). */
static bool is_closing(uint32_t c)
{
	static const char closers[] = ",.;:!?)]}%";

	return (c < 0x80 && c && strchr(closers, (int)c)) || c == 0x3001 || c == 0x3002 ||
	       c == 0xff0c || c == 0xff1b || c == 0xff1a || c == 0xff01 || c == 0xff1f ||
	       c == 0xff09 || c == 0x300b || c == 0x300d || c == 0x300f || c == 0x3011 ||
	       c == 0x2026 || c == 0x201d || c == 0x2019;
}

static bool is_opening(uint32_t c)
{
	return c == '(' || c == '[' || c == '{' || c == 0xff08 || c == 0x300a || c == 0x300c ||
	       c == 0x300e || c == 0x3010 || c == 0x201c || c == 0x2018;
}

static int cp_cols(uint32_t cp)
{
	int w = td_cp_width(cp);

	return w < 0 ? 1 : w;
}

/* The end of the unbreakable piece starting at s (not a blank), and its
 * width in columns. */
static const char *unit_end(const char *s, const char *end, int *cols)
{
	uint32_t prev, cp;
	size_t n = next_char(s, end, &prev);

	*cols = cp_cols(prev);
	s += n;
	while (s < end && *s != ' ' && *s != '\n') {
		int w;

		n = next_char(s, end, &cp);
		w = cp_cols(cp);
		if ((w == 2 || cp_cols(prev) == 2) && !is_closing(cp) && !is_opening(prev))
			break;
		*cols += w;
		s += n;
		prev = cp;
	}
	return s;
}

int td_wrapn(FILE *fp, const char *s, size_t len, int col, int indent, int width)
{
	const char *end = s + len;
	/* Text after a label ("Why: ") goes to the next line when its first
	 * piece does not fit there. */
	bool line_empty = col <= indent;

	while (s < end) {
		int blanks = 0;
		const char *u;
		int cols;

		while (s < end && (*s == ' ' || *s == '\n')) {
			s++;
			blanks++;
		}
		if (s >= end)
			break;
		u = unit_end(s, end, &cols);
		/* A run of blanks stays as wide as it was (the padding of a
		 * table's row) unless the line breaks there. */
		if (width > 0 && !line_empty && col + blanks + cols > width) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
		} else if (!line_empty && blanks) {
			fprintf(fp, "%*s", blanks, "");
			col += blanks;
		}
		line_empty = false;
		fwrite(s, 1, (size_t)(u - s), fp);
		col += cols;
		s = u;
	}
	return col;
}

void td_wrap(FILE *fp, const char *text, int col, int indent, int width)
{
	td_wrapn(fp, text, strlen(text), col, indent, width);
	fputc('\n', fp);
}

const char *td_elide(const char *s, int cols, char *buf, size_t len)
{
	size_t n = strlen(s), head, tail;

	if (cols < 5)
		cols = 5;
	/* Addresses and ports are ASCII; a longer string is cut by bytes at
	 * character boundaries below, which is columns for them. */
	if ((int)n <= cols || len < 8) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	head = (size_t)(cols - 1) * 2 / 5;
	tail = (size_t)(cols - 1) - head;
	while (head && ((unsigned char)s[head] & 0xc0) == 0x80)
		head--;
	while (tail && ((unsigned char)s[n - tail] & 0xc0) == 0x80)
		tail--;
	if (head + tail + 4 > len)
		head = tail = 0;
	snprintf(buf, len, "%.*s\u2026%s", (int)head, s, s + n - tail);
	return buf;
}

const char *td_fit_end(const char *s, int cols, char *buf, size_t len)
{
	const char *p = s, *end = s + strlen(s);
	int used = 0;

	if (td_text_cols(s, strlen(s)) <= cols || cols < 1) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	while (p < end) {
		uint32_t cp;
		size_t n = next_char(p, end, &cp);

		if (used + cp_cols(cp) > cols - 1)
			break;
		used += cp_cols(cp);
		p += n;
	}
	snprintf(buf, len, "%.*s\u2026", (int)(p - s), s);
	return buf;
}

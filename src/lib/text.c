/* Spelling distance, printable copies and UTF-8 widths; see text.h. */
#include "text.h"

#include <string.h>

size_t td_utf8_next(const char *str, size_t avail, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t n;

	if (!avail)
		return 0;
	if (s[0] < 0x80) {
		if (cp)
			*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp)
		*cp = c;
	return n;
}

/* East Asian Width W and F (Unicode 15, UAX #11), folded into ranges. */
static const struct {
	uint32_t lo, hi;
} wide[] = {
	{ 0x1100, 0x115f },   { 0x231a, 0x231b },   { 0x2329, 0x232a },	  { 0x23e9, 0x23ec },
	{ 0x2e80, 0x303e },   { 0x3041, 0x33ff },   { 0x3400, 0x4dbf },	  { 0x4e00, 0x9fff },
	{ 0xa000, 0xa4cf },   { 0xa960, 0xa97f },   { 0xac00, 0xd7a3 },	  { 0xf900, 0xfaff },
	{ 0xfe10, 0xfe19 },   { 0xfe30, 0xfe6f },   { 0xff00, 0xff60 },	  { 0xffe0, 0xffe6 },
	{ 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

int td_cp_width(uint32_t cp)
{
	if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x200b || cp == 0x200c || cp == 0x200d ||
	    cp == 0xfeff || (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

size_t td_text_width(const char *s, size_t len)
{
	size_t w = 0, i = 0;

	while (i < len && s[i]) {
		uint32_t cp;
		size_t n = td_utf8_next(s + i, len - i, &cp);

		if (!n) {
			w++;
			i++;
			continue;
		}
		w += (size_t)td_cp_width(cp);
		i += n;
	}
	return w;
}

/* Code points of s, at most TD_TEXT_MAX; a stray byte stands for itself. */
static int decode(const char *s, uint32_t *out)
{
	size_t len = strlen(s), i = 0;
	int n = 0;

	while (i < len && n < TD_TEXT_MAX) {
		size_t k = td_utf8_next(s + i, len - i, &out[n]);

		if (!k) {
			out[n] = (unsigned char)s[i];
			k = 1;
		}
		i += k;
		n++;
	}
	return n;
}

int td_edit_distance(const char *a, const char *b)
{
	static __thread int d[TD_TEXT_MAX + 1][TD_TEXT_MAX + 1];
	static __thread uint32_t ca[TD_TEXT_MAX], cb[TD_TEXT_MAX];
	int la = decode(a, ca), lb = decode(b, cb);

	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int k = 0; k <= lb; k++)
		d[0][k] = k;
	for (int i = 1; i <= la; i++) {
		for (int k = 1; k <= lb; k++) {
			int best = d[i - 1][k - 1] + (ca[i - 1] != cb[k - 1]);

			if (d[i - 1][k] + 1 < best)
				best = d[i - 1][k] + 1;
			if (d[i][k - 1] + 1 < best)
				best = d[i][k - 1] + 1;
			if (i > 1 && k > 1 && ca[i - 1] == cb[k - 2] && ca[i - 2] == cb[k - 1] &&
			    d[i - 2][k - 2] + 1 < best)
				best = d[i - 2][k - 2] + 1;
			d[i][k] = best;
		}
	}
	return d[la][lb];
}

void td_printable(const char *s, char *out, size_t size)
{
	size_t n = 0, left = s ? strlen(s) : 0;

	if (!size)
		return;
	while (left) {
		unsigned char c = (unsigned char)*s;
		uint32_t cp = 0;
		size_t k = c >= 0x80 ? td_utf8_next(s, left, &cp) : 0;

		if (k && cp >= 0xa0) {
			if (n + k + 3 >= size)
				break;
			memcpy(out + n, s, k);
			n += k;
		} else {
			if (n + 4 >= size)
				break;
			k = k ? k : 1; /* a C1 control goes as one '?', a stray byte too */
			out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
		s += k;
		left -= k;
	}
	if (left && n + 3 < size) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/* Two digits a division, from a table of the hundred pairs. */
char *td_dec_back(char *end, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";

	while (v >= 100) {
		end -= 2;
		memcpy(end, pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, pairs + v * 2, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/* Most numbers written (ports, counts, octets) have under five digits:
 * those are compared first. */
unsigned td_dec_len(uint64_t v)
{
	uint64_t p10 = 100000;
	unsigned n;

	if (v < 100)
		return v < 10 ? 1 : 2;
	if (v < 10000)
		return v < 1000 ? 3 : 4;
	for (n = 5; n < 20 && v >= p10; n++)
		p10 *= 10;
	return n;
}

/* Spelling distance and printable copies; see text.h. */
#include "text.h"

#include <string.h>

int td_edit_distance(const char *a, const char *b)
{
	static __thread int d[TD_TEXT_MAX + 1][TD_TEXT_MAX + 1];
	int la = (int)strnlen(a, TD_TEXT_MAX), lb = (int)strnlen(b, TD_TEXT_MAX);

	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int k = 0; k <= lb; k++)
		d[0][k] = k;
	for (int i = 1; i <= la; i++) {
		for (int k = 1; k <= lb; k++) {
			int best = d[i - 1][k - 1] + (a[i - 1] != b[k - 1]);

			if (d[i - 1][k] + 1 < best)
				best = d[i - 1][k] + 1;
			if (d[i][k - 1] + 1 < best)
				best = d[i][k - 1] + 1;
			if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1] &&
			    d[i - 2][k - 2] + 1 < best)
				best = d[i - 2][k - 2] + 1;
			d[i][k] = best;
		}
	}
	return d[la][lb];
}

void td_printable(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	for (; *s && n + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;

		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (*s && n + 3 < size) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

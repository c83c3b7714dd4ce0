/* The one escaping function of the text views; see escape.h. */
#include <string.h>

#include "render/escape.h"

/* Unicode 15, table 3-7: the well-formed byte sequences. */
size_t td_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (!avail)
		return 0;
	c = s[0];
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0; /* 0x80..0xc1 (continuation, overlong lead), 0xf5..0xff */
	if (avail < n)
		return 0;
	/* The second byte's range is narrower after these leads. */
	if (c == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (c == 0xed)
		hi = 0x9f; /* U+D800..U+DFFF surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (c == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* The escaped form of the byte or sequence at s: writes it to tok (at least
 * TD_ESC_MAX_PER_BYTE * 2 + 1 bytes) and returns how many input bytes it
 * covers; *tlen is the output length. */
static size_t one(const unsigned char *s, size_t avail, char *tok, size_t *tlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	size_t n;

	if (c < 0x20 || c == 0x7f) {
		tok[0] = '^';
		tok[1] = c == 0x7f ? '?' : (char)(c + 0x40);
		*tlen = 2;
		return 1;
	}
	if (c == '\\') {
		tok[0] = tok[1] = '\\';
		*tlen = 2;
		return 1;
	}
	if (c < 0x80) {
		tok[0] = (char)c;
		*tlen = 1;
		return 1;
	}
	n = td_utf8_len(s, avail);
	/* U+0080..U+009F are C1 controls: 0x9b is CSI to some terminals. */
	if (n && !(n == 2 && c == 0xc2 && s[1] < 0xa0)) {
		memcpy(tok, s, n);
		*tlen = n;
		return n;
	}
	if (n == 2) { /* a C1 control: both bytes as hex */
		for (int k = 0; k < 2; k++) {
			tok[4 * k] = '\\';
			tok[4 * k + 1] = 'x';
			tok[4 * k + 2] = hex[s[k] >> 4];
			tok[4 * k + 3] = hex[s[k] & 0xf];
		}
		*tlen = 8;
		return 2;
	}
	tok[0] = '\\';
	tok[1] = 'x';
	tok[2] = hex[c >> 4];
	tok[3] = hex[c & 0xf];
	*tlen = 4;
	return 1;
}

char *td_esc(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t avail = strlen((const char *)p), o = 0;
	char tok[2 * TD_ESC_MAX_PER_BYTE + 1];

	if (!cap)
		return out;
	while (avail) {
		size_t tlen, used = one(p, avail, tok, &tlen);

		if (o + tlen >= cap)
			break;
		memcpy(out + o, tok, tlen);
		o += tlen;
		p += used;
		avail -= used;
	}
	out[o] = '\0';
	return out;
}

void td_fputs_esc(const char *s, FILE *fp)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t avail = strlen((const char *)p);
	char tok[2 * TD_ESC_MAX_PER_BYTE + 1];

	while (avail) {
		size_t tlen, used = one(p, avail, tok, &tlen);

		fwrite(tok, 1, tlen, fp);
		p += used;
		avail -= used;
	}
}

/* Streaming JSON writer: each value goes to the FILE as it is added (a
 * buffered writer holds at most 2 KiB of a top-level value at a time), so
 * a dump of many sockets never sits in memory. Strings come from the kernel
 * and from processes (comm, cmdline), so any bytes must still give valid
 * JSON. */
#include "render/escape.h"
#include "render/json.h"
#include "text.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* Every byte goes through these: straight to the FILE, or (buffered)
 * into ob until the top-level value closes. */
static void jflush(struct td_json *j)
{
	if (j->on)
		fwrite(j->ob, 1, j->on, j->fp);
	j->on = 0;
}

static void jput(struct td_json *j, const void *p, size_t n)
{
	if (!j->buffered) {
		fwrite(p, 1, n, j->fp);
		return;
	}
	if (j->on + n > sizeof(j->ob)) {
		jflush(j);
		if (n > sizeof(j->ob)) {
			fwrite(p, 1, n, j->fp);
			return;
		}
	}
	memcpy(j->ob + j->on, p, n);
	j->on += n;
}

static void jputc(struct td_json *j, char c)
{
	if (!j->buffered || j->on == sizeof(j->ob))
		jput(j, &c, 1);
	else
		j->ob[j->on++] = c;
}

static void jputs(struct td_json *j, const char *s)
{
	jput(j, s, strlen(s));
}

static void write_string(struct td_json *j, const char *str, size_t len);

/* The comma flag of nesting level `depth`. Past TD_JSON_MAX_DEPTH levels share
 * the last slot; that stays correct because a parent's flag is always true
 * again once a child container closes (the child was a value). */
static bool *comma_slot(struct td_json *j)
{
	int d = j->depth;

	if (d < 0)
		d = 0;
	if (d >= TD_JSON_MAX_DEPTH)
		d = TD_JSON_MAX_DEPTH - 1;
	return &j->need_comma[d];
}

static void newline_indent(struct td_json *j)
{
	int i;

	jputc(j, '\n');
	for (i = 0; i < j->depth; i++)
		jput(j, "  ", 2);
}

/* A plain byte is one a JSON string holds as it is: 0x20..0x7e but '"' and
 * '\\' (write_string() escapes the others, or checks them as UTF-8).
 * unplain_marks() sets the top bit of each byte of x that is not plain. A
 * borrow can only mark bytes above a marked one, so the lowest mark is
 * exact. */
static inline uint64_t unplain_marks(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 0x7f);

	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) |
		((d - ones) & ~d) | x) &
	       (ones * 0x80);
}

/* How many of the len bytes at str are plain before the first that is not,
 * eight at a time: keys and short values are most of what `pcap --json`
 * writes, and a byte loop there was a third of its instructions. The last
 * 1..7 bytes are read as one word too, padded with plain ones. */
static inline __attribute__((always_inline)) size_t plain_run(const char *str, size_t len)
{
	size_t i = 0, r;
	uint64_t x, m;
	unsigned sh = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&x, str + i, 8);
		m = unplain_marks(x);
		if (m)
			return i + (size_t)(__builtin_ctzll(m) >> 3);
	}
	r = len - i;
	if (!r)
		return len;
	x = 0;
	if (r & 4) {
		uint32_t v;

		memcpy(&v, str + i, 4);
		x = v;
		sh = 32;
	}
	if (r & 2) {
		uint16_t v;

		memcpy(&v, str + i + sh / 8, 2);
		x |= (uint64_t)v << sh;
		sh += 16;
	}
	if (r & 1) {
		x |= (uint64_t)(unsigned char)str[i + sh / 8] << sh;
		sh += 8;
	}
	x |= 0x6161616161616161ull << sh; /* 'a's; sh is 8..56 */
	m = unplain_marks(x);
	return m ? i + (size_t)(__builtin_ctzll(m) >> 3) : len;
}

/* Separator, indentation and key before any value, written to the FILE
 * (value_start()) or, for a compact member with a plain key (every key we
 * write), put in buf (at least KEYBUF bytes) so the value can follow it in
 * the same fwrite: `pcap --json` writes ~50 members per connection, and
 * five stdio calls and an fprintf a member were most of its time. Returns
 * the bytes put in buf (0: all written already). */
#define KEYBUF 72
static size_t value_prefix(struct td_json *j, const char *key, char *buf)
{
	bool *comma = comma_slot(j), sep = *comma;
	size_t n = 0;

	*comma = true;
	/* Top-level values in a row become JSON lines, not one broken
	 * document. */
	if (j->depth == 0) {
		if (sep)
			jputc(j, '\n');
		return 0; /* a top-level value has no key */
	}
	if (key && !j->pretty) {
		size_t k = strlen(key);

		if (k <= KEYBUF - 4 && plain_run(key, k) == k) {
			if (sep)
				buf[n++] = ',';
			buf[n++] = '"';
			memcpy(buf + n, key, k);
			n += k;
			buf[n++] = '"';
			buf[n++] = ':';
			return n;
		}
	}
	if (sep)
		jputc(j, ',');
	if (j->pretty)
		newline_indent(j);
	if (key) {
		write_string(j, key, strlen(key));
		jputs(j, j->pretty ? ": " : ":");
	}
	return 0;
}

static void value_start(struct td_json *j, const char *key)
{
	char buf[KEYBUF];
	size_t n = value_prefix(j, key, buf);

	if (n)
		jput(j, buf, n);
}

/* The prefix and a short literal value in one write. */
static void put_value(struct td_json *j, const char *key, const char *val, size_t len)
{
	char buf[KEYBUF + 64];
	size_t n = value_prefix(j, key, buf);

	if (len > 64)
		len = 64; /* callers' values are shorter */
	memcpy(buf + n, val, len);
	jput(j, buf, n + len);
}

void td_json_init(struct td_json *j, FILE *fp, bool pretty)
{
	/* not the 2 KiB buffer: trace starts a writer per event */
	j->fp = fp;
	j->depth = 0;
	j->pretty = pretty;
	memset(j->need_comma, 0, sizeof(j->need_comma));
	j->buffered = false;
	j->on = 0;
}

void td_json_buffer(struct td_json *j)
{
	j->buffered = !j->pretty;
}

static void begin(struct td_json *j, const char *key, char open)
{
	value_start(j, key);
	jputc(j, open);
	j->depth++;
	*comma_slot(j) = false;
}

static void end(struct td_json *j, char close)
{
	bool had_values;

	if (j->depth <= 0)
		return; /* unbalanced end: writing it would only break the output */
	had_values = *comma_slot(j);
	j->depth--;
	if (j->pretty && had_values)
		newline_indent(j);
	jputc(j, close);
	*comma_slot(j) = true;
	if (j->depth == 0)
		jflush(j);
}

void td_json_begin_object(struct td_json *j, const char *key)
{
	begin(j, key, '{');
}

void td_json_end_object(struct td_json *j)
{
	end(j, '}');
}

void td_json_begin_array(struct td_json *j, const char *key)
{
	begin(j, key, '[');
}

void td_json_end_array(struct td_json *j)
{
	end(j, ']');
}

void td_json_str(struct td_json *j, const char *key, const char *val)
{
	if (!val) {
		td_json_null(j, key);
		return;
	}
	td_json_strn(j, key, val, strlen(val));
}

void td_json_strn(struct td_json *j, const char *key, const char *val, size_t len)
{
	if (!val) {
		td_json_null(j, key);
		return;
	}
	char buf[KEYBUF + 64];
	size_t n = value_prefix(j, key, buf);

	/* A short plain string (addresses, states, names): in the same write. */
	if (len <= 62) {
		if (plain_run(val, len) == len) {
			buf[n++] = '"';
			memcpy(buf + n, val, len);
			buf[n + len] = '"';
			jput(j, buf, n + len + 1);
			return;
		}
	}
	if (n)
		jput(j, buf, n);
	write_string(j, val, len);
}

void td_json_raw(struct td_json *j, const char *key, const char *json, size_t len)
{
	value_start(j, key);
	jput(j, json, len);
}

/* Numbers by hand, not fprintf: its format parsing was most of the cost of
 * a number in a large document. */
void td_json_int(struct td_json *j, const char *key, long long val)
{
	char buf[24], *p;

	p = td_dec_back(buf + sizeof(buf),
			val < 0 ? 0ull - (unsigned long long)val : (unsigned long long)val);
	if (val < 0)
		*--p = '-';
	put_value(j, key, p, (size_t)(buf + sizeof(buf) - p));
}

void td_json_uint(struct td_json *j, const char *key, unsigned long long val)
{
	char buf[24], *p;

	p = td_dec_back(buf + sizeof(buf), val);
	put_value(j, key, p, (size_t)(buf + sizeof(buf) - p));
}

void td_json_double(struct td_json *j, const char *key, double val)
{
	char buf[64];
	char *p;

	if (!isfinite(val)) {
		td_json_null(j, key); /* JSON has no NaN or Infinity */
		return;
	}
	/* 15 significant digits: what a double holds reliably, so 0.1 prints as
	 * 0.1, not 0.10000000000000001. Epoch seconds keep 10 us; exact
	 * timestamps belong in td_json_uint(). */
	snprintf(buf, sizeof(buf), "%.15g", val);
	/* A caller's setlocale() may make the decimal point a comma. */
	for (p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	put_value(j, key, buf, strlen(buf));
}

/* td_json_fixed() by integer arithmetic, as snprintf("%.*f") then trimmed
 * would write it: val * 10^decimals is within 1.2e-4 of the exact product
 * below 1e12, so unless it lies within 1e-3 of a half (then the caller's
 * snprintf decides) it rounds to the same integer. printf's float formatting
 * was most of `pcap --json`'s cost of a connection's three durations.
 * Returns false when it wrote nothing. */
static bool fixed_fast(struct td_json *j, const char *key, double val, int decimals)
{
	static const double p10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	double r = val * p10[decimals], fl, frac;
	char buf[40], *p = buf + sizeof(buf);
	unsigned long long u;
	bool neg;
	int d = decimals;

	if (!(r > -1e12 && r < 1e12))
		return false;
	fl = floor(r);
	frac = r - fl;
	if (fabs(frac - 0.5) <= 1e-3)
		return false;
	r = frac > 0.5 ? fl + 1 : fl;
	neg = r < 0;
	u = (unsigned long long)(neg ? -r : r);
	/* the fraction's digits without its trailing zeros, then the rest */
	while (d > 0 && u % 10 == 0) {
		u /= 10;
		d--;
	}
	for (; d > 0; d--) {
		*--p = (char)('0' + u % 10);
		u /= 10;
		if (d == 1)
			*--p = '.';
	}
	p = td_dec_back(p, u);
	if (neg && !(p[0] == '0' && p + 1 == buf + sizeof(buf)))
		*--p = '-'; /* a negative that rounds to 0 is "0", as below */
	put_value(j, key, p, (size_t)(buf + sizeof(buf) - p));
	return true;
}

void td_json_fixed(struct td_json *j, const char *key, double val, int decimals)
{
	char buf[64];
	char *p, *dot = NULL;

	if (!isfinite(val)) {
		td_json_null(j, key);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	if (fixed_fast(j, key, val, decimals))
		return;
	snprintf(buf, sizeof(buf), "%.*f", decimals, val);
	for (p = buf; *p; p++)
		if (*p == ',' || *p == '.') {
			*p = '.';
			dot = p;
		}
	if (dot) {
		p = buf + strlen(buf);
		while (p > dot + 1 && p[-1] == '0')
			*--p = '\0';
		if (p == dot + 1)
			*dot = '\0';
	}
	/* "-0" when a small negative rounds to nothing */
	if (!strcmp(buf, "-0"))
		snprintf(buf, sizeof(buf), "0");
	put_value(j, key, buf, strlen(buf));
}

/* "2026-12-02T20:01:09.123456Z". The date and time of day are formatted
 * once a second (a trace writes one per event, 300k a second): kept per
 * thread, as serve's handlers format their own. */
void td_json_ts(struct td_json *j, const char *key, int64_t ns)
{
	static __thread time_t last_sec = -1;
	static __thread char last[32];
	static __thread size_t last_n;
	char buf[48];
	time_t sec;
	long us;

	if (ns < 0) {
		td_json_null(j, key);
		return;
	}
	sec = (time_t)(ns / 1000000000);
	if (sec != last_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		last_n = strftime(last, sizeof(last), "%Y-%m-%dT%H:%M:%S", &tm);
		last_sec = sec;
	}
	memcpy(buf, last, last_n);
	buf[last_n] = '.';
	us = (long)(ns % 1000000000 / 1000);
	for (int i = 6; i >= 1; i--, us /= 10)
		buf[last_n + (size_t)i] = (char)('0' + us % 10);
	buf[last_n + 7] = 'Z';
	td_json_strn(j, key, buf, last_n + 8);
}

void td_json_bool(struct td_json *j, const char *key, bool val)
{
	if (val)
		put_value(j, key, "true", 4);
	else
		put_value(j, key, "false", 5);
}

void td_json_null(struct td_json *j, const char *key)
{
	put_value(j, key, "null", 4);
}

void td_json_end_line(struct td_json *j)
{
	jputc(j, '\n');
	jflush(j);
	/* The newline ended the document; the next one needs no separator. */
	if (j->depth == 0)
		j->need_comma[0] = false;
}

void td_json_finish(struct td_json *j)
{
	td_json_end_line(j);
	fflush(j->fp);
}

/* The two-character escapes JSON has; every other byte that needs escaping
 * is written as \u00XX. */
/* clang-format off */
static const char *const short_escapes[128] = {
	['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
	['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
};
/* clang-format on */

static void write_string(struct td_json *j, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0; /* s[run..i) is waiting to be written as is */

	if (!s) {
		s = (const unsigned char *)""; /* memcpy from NULL is undefined, even of 0 */
		len = 0;
	}
	/* A short plain string (addresses, states, names): one write. */
	if (len <= 62) {
		char buf[64];

		if (plain_run((const char *)s, len) == len) {
			buf[0] = '"';
			memcpy(buf + 1, s, len);
			buf[len + 1] = '"';
			jput(j, buf, len + 2);
			return;
		}
	}
	jputc(j, '"');
	while (i < len) {
		unsigned char c;
		size_t n;

		i += plain_run((const char *)s + i, len - i);
		if (i == len)
			break;
		c = s[i];

		if (c >= 0x80) {
			n = td_utf8_len(s + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		} else if (c >= 0x20 && c != 0x7f && !short_escapes[c]) {
			i++;
			continue;
		}
		if (i > run)
			jput(j, s + run, i - run);
		if (c < 0x80 && short_escapes[c]) {
			jputs(j, short_escapes[c]);
		} else {
			/* Other controls, DEL, and bytes that are not UTF-8: the
			 * byte read as Latin-1, U+0000..U+00FF. */
			char u[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf], '\0' };

			jputs(j, u);
		}
		run = ++i;
	}
	if (i > run)
		jput(j, s + run, i - run);
	jputc(j, '"');
}

void td_json_write_string(FILE *fp, const char *str, size_t len)
{
	struct td_json j;

	td_json_init(&j, fp, false);
	write_string(&j, str, len);
}

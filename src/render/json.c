/* Streaming JSON writer: each value goes to the FILE as it is added, so a dump
 * of many sockets never sits in memory. Strings come from the kernel and from
 * processes (comm, cmdline), so any bytes must still give valid JSON. */
#include "render/escape.h"
#include "render/json.h"

#include <math.h>
#include <string.h>
#include <time.h>

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

	fputc('\n', j->fp);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->fp);
}

/* Separator, indentation and key before any value. */
static void value_start(struct td_json *j, const char *key)
{
	bool *comma = comma_slot(j);

	/* Top-level values in a row become JSON lines, not one broken
	 * document. */
	if (*comma)
		fputc(j->depth > 0 ? ',' : '\n', j->fp);
	*comma = true;
	if (j->depth == 0)
		return; /* a top-level value has no key */
	if (j->pretty)
		newline_indent(j);
	if (key) {
		td_json_write_string(j->fp, key, strlen(key));
		fputs(j->pretty ? ": " : ":", j->fp);
	}
}

void td_json_init(struct td_json *j, FILE *fp, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
	j->pretty = pretty;
}

static void begin(struct td_json *j, const char *key, char open)
{
	value_start(j, key);
	fputc(open, j->fp);
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
	fputc(close, j->fp);
	*comma_slot(j) = true;
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
	value_start(j, key);
	td_json_write_string(j->fp, val, len);
}

void td_json_raw(struct td_json *j, const char *key, const char *json, size_t len)
{
	value_start(j, key);
	fwrite(json, 1, len, j->fp);
}

void td_json_int(struct td_json *j, const char *key, long long val)
{
	value_start(j, key);
	fprintf(j->fp, "%lld", val);
}

void td_json_uint(struct td_json *j, const char *key, unsigned long long val)
{
	value_start(j, key);
	fprintf(j->fp, "%llu", val);
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
	value_start(j, key);
	fputs(buf, j->fp);
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
	value_start(j, key);
	fputs(buf, j->fp);
}

void td_json_ts(struct td_json *j, const char *key, int64_t ns)
{
	char buf[48];
	struct tm tm;
	time_t sec;
	size_t n;

	if (ns < 0) {
		td_json_null(j, key);
		return;
	}
	sec = (time_t)(ns / 1000000000);
	gmtime_r(&sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%06lldZ", (long long)(ns % 1000000000 / 1000));
	td_json_str(j, key, buf);
}

void td_json_bool(struct td_json *j, const char *key, bool val)
{
	value_start(j, key);
	fputs(val ? "true" : "false", j->fp);
}

void td_json_null(struct td_json *j, const char *key)
{
	value_start(j, key);
	fputs("null", j->fp);
}

void td_json_end_line(struct td_json *j)
{
	fputc('\n', j->fp);
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

void td_json_write_string(FILE *fp, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0; /* s[run..i) is waiting to be written as is */

	if (!s)
		len = 0;
	fputc('"', fp);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

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
			fwrite(s + run, 1, i - run, fp);
		if (c < 0x80 && short_escapes[c]) {
			fputs(short_escapes[c], fp);
		} else {
			/* Other controls, DEL, and bytes that are not UTF-8: the
			 * byte read as Latin-1, U+0000..U+00FF. */
			char u[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf], '\0' };

			fputs(u, fp);
		}
		run = ++i;
	}
	if (i > run)
		fwrite(s + run, 1, i - run, fp);
	fputc('"', fp);
}

/* A streaming JSON writer: values go straight to the FILE as they come (or,
 * buffered, each top-level value at once when it closes), the writer only
 * remembers nesting and whether a comma is due. Every string is
 * escaped so the output is valid JSON (and valid UTF-8) for any input bytes,
 * including process names with quotes, control characters or bytes that are
 * not UTF-8 (those are written as \u00XX, i.e. read as Latin-1). */
#ifndef TD_JSON_H
#define TD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TD_JSON_MAX_DEPTH 32

struct td_json {
	FILE *fp;
	int depth;
	bool pretty;			    /* newline + two-space indent */
	bool need_comma[TD_JSON_MAX_DEPTH]; /* per level */
	bool buffered;			    /* td_json_buffer() */
	size_t on;			    /* bytes waiting in ob */
	char ob[2048];
};

void td_json_init(struct td_json *j, FILE *fp, bool pretty);

/* From now on, a compact writer collects what it writes (up to 2 KiB) and
 * hands it to fp in one piece when a top-level value closes, when the
 * buffer is full, at td_json_end_line() and at td_json_finish(): a stdio
 * call per 2 KiB or per value instead of per member (trace --json, pcap
 * --json). Nothing else may write to fp meanwhile, and the writer must be
 * finished (or end its line) before the program exits. A pretty writer
 * (a terminal) stays unbuffered. */
void td_json_buffer(struct td_json *j);

/* `key` is the member name inside an object, NULL inside an array or at
 * the top level. */
void td_json_begin_object(struct td_json *j, const char *key);
void td_json_end_object(struct td_json *j);
void td_json_begin_array(struct td_json *j, const char *key);
void td_json_end_array(struct td_json *j);

void td_json_str(struct td_json *j, const char *key, const char *val); /* NULL -> null */
void td_json_strn(struct td_json *j, const char *key, const char *val, size_t len);
/* A value written before by this writer (a td_json on a memory stream):
 * a record repeated in every line of a stream is rendered once. */
void td_json_raw(struct td_json *j, const char *key, const char *json, size_t len);
void td_json_int(struct td_json *j, const char *key, long long val);
void td_json_uint(struct td_json *j, const char *key, unsigned long long val);
void td_json_double(struct td_json *j, const char *key, double val); /* NaN/inf -> null */
/* val rounded to `decimals` places (what it means: 3 for milliseconds
 * measured to the microsecond), trailing zeros dropped: 0.066, 12.5, 3. */
void td_json_fixed(struct td_json *j, const char *key, double val, int decimals);
/* A wall-clock instant, as every command writes one (docs/json.md): RFC 3339
 * in UTC with microseconds, "2026-12-02T02:25:04.960280Z". ns since the
 * epoch; negative -> null. */
void td_json_ts(struct td_json *j, const char *key, int64_t ns);
void td_json_bool(struct td_json *j, const char *key, bool val);
void td_json_null(struct td_json *j, const char *key);

/* Ends the document with a newline and flushes. */
void td_json_finish(struct td_json *j);
/* Ends one record of an NDJSON stream with a newline, without flushing: a
 * stream flushes once per batch of records, not a write() per record. */
void td_json_end_line(struct td_json *j);

/* Write s (len bytes, may contain NUL) as a quoted JSON string. */
void td_json_write_string(FILE *fp, const char *s, size_t len);

#endif

/* Errors carried out of the library: a code and a human message saying what
 * went wrong, where, and what to do. The library never prints; commands do. */
#ifndef TD_ERR_H
#define TD_ERR_H

#include <stddef.h>

/* Library-specific codes, beyond negative errno values. */
enum {
	TD_EPARSE = 1000, /* input does not parse (filter, state name, file) */
	TD_ETRUNC,	  /* input ended early; partial result kept */
	TD_ENOTFOUND,	  /* a named thing (netns, topic) does not exist */
	TD_EUNSUPP,	  /* kernel or file lacks a feature */
};

struct td_err {
	int code;      /* 0, -errno, or -TD_E* */
	char msg[512]; /* what, where, what to do */
};

/* Fill err (if not NULL) with code and a printf-style message; returns code
 * so callers can write `return td_err_set(err, -EINVAL, "...")`. */
int td_err_set(struct td_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear an error record. */
void td_err_clear(struct td_err *err);

#endif

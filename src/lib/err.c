/* Error records: see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int td_err_set(struct td_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void td_err_clear(struct td_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

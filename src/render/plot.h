/* `history --png`: a series drawn to a PNG by gnuplot, run as a child
 * process with the script and the data on its stdin (no shell). A view:
 * the library only supplies the points. */
#ifndef TD_CMD_PLOT_H
#define TD_CMD_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Draw n points (ts_ms: ms since the epoch, v: the value) as a line over
 * local time into the PNG file path, titled title, the y axis named ylabel.
 * Returns 0, or fills err: -TD_EPARSE when the user's input is at fault
 * (the path cannot be written, no point), -EIO when gnuplot is missing,
 * failed or wrote no PNG. */
int plot_png(const char *path, const char *title, const char *ylabel, const int64_t *ts_ms,
	     const double *v, size_t n, struct td_err *err);

#endif

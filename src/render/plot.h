/* `history --png`: a series drawn to a PNG by gnuplot, run as a child
 * process with the script and the data on its stdin (no shell). A view:
 * the library only supplies the points. */
#ifndef TD_CMD_PLOT_H
#define TD_CMD_PLOT_H

#include <stdbool.h>
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

/* A chart of several series (`pcap --graph`): lines, steps, points, or
 * vertical bars from (x, y) to (x, y + dy) as tcptrace draws segments. */
enum plot_style { PLOT_LINES, PLOT_STEPS, PLOT_POINTS, PLOT_BARS };

struct plot_series {
	const char *name;  /* the legend's text */
	const char *color; /* "#rrggbb" */
	enum plot_style style;
	size_t n;
	const double *x, *y, *dy; /* dy: PLOT_BARS only */
};

struct plot_chart {
	const char *title, *xlabel, *ylabel;
	int width, height; /* pixels; 0: 1200 x 800 */
	const struct plot_series *series;
	size_t nseries;
	const char *note;    /* a line under the title, or NULL */
	const char *yformat; /* gnuplot's format of the y tics, NULL: its own */
	bool svg_;	     /* set by plot_chart */
};

/* Draw c into path as a PNG (svg: an SVG). Series with no point are left
 * out of the legend; with none at all, -TD_EPARSE. Errors as plot_png. */
int plot_chart(const char *path, bool svg, const struct plot_chart *c, struct td_err *err);

#endif

/* `pcap --graph`: the series of one connection (capture/series.h) as
 * tcptrace's and Wireshark's TCP stream graphs: time-sequence, throughput,
 * RTT and window, drawn by gnuplot (render/plot.h), or as TSV and JSON for
 * other tools. docs/pcap.md, "Graphs". */
#ifndef TD_GRAPHVIEW_H
#define TD_GRAPHVIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "capture/series.h"
#include "err.h"
#include "render/json.h"

enum td_graph_kind { TD_GRAPH_SEQ, TD_GRAPH_THROUGHPUT, TD_GRAPH_RTT, TD_GRAPH_WINDOW };

/* "seq" (or "tsg", "stevens", "tcptrace"), "throughput", "rtt", "window";
 * 0 or -TD_EPARSE with the list of kinds in err. */
int graphview_parse(const char *name, enum td_graph_kind *kind, struct td_err *err);
const char *graphview_name(enum td_graph_kind kind);

/* The default throughput bin: a hundredth of the connection, at least 1 ms. */
double graphview_default_bin(const struct td_series *s);

/* Draw kind for direction dir (0: originator to responder) into path (a PNG,
 * or an SVG). title names the connection. 0, or err filled. */
int graphview_draw(const struct td_series *s, enum td_graph_kind kind, int dir, double bin,
		   const char *title, const char *path, bool svg, struct td_err *err);
/* The same series as TSV, a header line first (docs/pcap.md). 0 or -ENOMEM. */
int graphview_tsv(FILE *fp, const struct td_series *s, enum td_graph_kind kind, int dir,
		  double bin);
/* ... and as the "graph" member of the current JSON object. */
int graphview_json(struct td_json *j, const struct td_series *s, enum td_graph_kind kind, int dir,
		   double bin);

#endif

/* The four graphs of `pcap --graph`; see graphview.h. Colours follow
 * tcptrace's xplot where it has a convention: data in blue, retransmissions
 * in red, the ACK line green, the window line yellow. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/graphview.h"
#include "render/plot.h"

static const struct {
	const char *name;
	enum td_graph_kind kind;
} names[] = {
	{ "seq", TD_GRAPH_SEQ },
	{ "tsg", TD_GRAPH_SEQ },
	{ "stevens", TD_GRAPH_SEQ },
	{ "tcptrace", TD_GRAPH_SEQ },
	{ "throughput", TD_GRAPH_THROUGHPUT },
	{ "rtt", TD_GRAPH_RTT },
	{ "window", TD_GRAPH_WINDOW },
};

int graphview_parse(const char *name, enum td_graph_kind *kind, struct td_err *err)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name)) {
			*kind = names[i].kind;
			return 0;
		}
	return td_err_set(err, -TD_EPARSE,
			  "--graph: unknown kind (expected seq, throughput, rtt or window)");
}

const char *graphview_name(enum td_graph_kind kind)
{
	static const char *const n[] = { "seq", "throughput", "rtt", "window" };

	return kind <= TD_GRAPH_WINDOW ? n[kind] : "?";
}

double graphview_default_bin(const struct td_series *s)
{
	double bin = td_series_end(s) / 100;

	return bin < 0.001 ? 0.001 : bin;
}

/* Times to the microsecond, RTTs to the microsecond in ms: what a capture's
 * timestamps can say, without binary fractions' noise in JSON. */
static double us(double v)
{
	return round(v * 1e6) / 1e6;
}

static double ms3(double v)
{
	return round(v * 1e3) / 1e3;
}

/* Up to MAX_SERIES series of up to n points each, in one allocation. */
#define MAX_SERIES 10
struct cols {
	struct plot_series s[MAX_SERIES];
	double *buf;
	size_t ns;
};

static double *col(struct cols *c, size_t n, size_t k)
{
	return c->buf + (c->ns * 3 + k) * n;
}

static struct plot_series *add(struct cols *c, size_t n, const char *name, const char *color,
			       enum plot_style style)
{
	struct plot_series *p = &c->s[c->ns];

	*p = (struct plot_series){ .name = name, .color = color, .style = style };
	p->x = col(c, n, 0);
	p->y = col(c, n, 1);
	p->dy = col(c, n, 2);
	c->ns++;
	return p;
}

static void put(struct plot_series *p, double x, double y, double dy)
{
	((double *)p->x)[p->n] = x;
	((double *)p->y)[p->n] = y;
	((double *)p->dy)[p->n] = dy;
	p->n++;
}

static int build(struct cols *c, const struct td_series *s, enum td_graph_kind kind, int dir,
		 double bin, char *note, size_t notelen)
{
	const struct td_series_dir *d = &s->d[dir];
	/* every series fits: an ACK can carry 4 SACK blocks */
	size_t n = d->nsegs + 4 * d->nacks + d->nrtts + d->nflight + 1;
	uint64_t *bytes[2] = { 0 }, *good[2] = { 0 };
	size_t nb[2] = { 0 };

	if (kind == TD_GRAPH_THROUGHPUT) {
		for (int k = 0; k < 2; k++)
			if (td_series_throughput(s, k, bin, &bytes[k], &good[k], &nb[k]))
				goto oom;
		n = nb[0] + 1;
	}
	memset(c, 0, sizeof(*c));
	c->buf = malloc(sizeof(double) * 3 * MAX_SERIES * n);
	if (!c->buf)
		goto oom;
	note[0] = '\0';
	switch (kind) {
	case TD_GRAPH_SEQ: {
		static const char *const mname[TD_MARK_COUNT] = { "data", "retransmission",
								  "out of order",
								  "zero-window probe" };
		static const char *const mcolor[TD_MARK_COUNT] = { "#1f5fbf", "#d62728", "#ff7f0e",
								   "#9467bd" };
		struct plot_series *m[TD_MARK_COUNT], *ack, *win, *rst, *zw, *sack;

		for (int k = 0; k < TD_MARK_COUNT; k++)
			m[k] = add(c, n, mname[k], mcolor[k], PLOT_BARS);
		ack = add(c, n, "ACK", "#2ca02c", PLOT_STEPS);
		win = add(c, n, "receive window", "#bcbd22", PLOT_STEPS);
		zw = add(c, n, "zero window", "#e377c2", PLOT_POINTS);
		sack = add(c, n, "SACK", "#8c564b", PLOT_BARS);
		rst = add(c, n, "RST", "#000000", PLOT_POINTS);
		for (size_t i = 0; i < d->nsegs; i++) {
			const struct td_seq_pt *g = &d->segs[i];

			if (g->flags & TD_TH_RST)
				put(rst, g->t, (double)g->seq, 0);
			else
				put(m[g->mark], g->t, (double)g->seq, g->len ? g->len : 1);
		}
		for (size_t i = 0; i < d->nacks; i++) {
			const struct td_ack_pt *a = &d->acks[i];

			put(ack, a->t, (double)a->ack, 0);
			put(win, a->t, (double)(a->ack + a->window), 0);
			if (!a->window)
				put(zw, a->t, (double)a->ack, 0);
			for (int k = 0; k < a->nsack; k++)
				put(sack, a->t, (double)a->sack[k][0],
				    (double)(a->sack[k][1] - a->sack[k][0]));
		}
		break;
	}
	case TD_GRAPH_THROUGHPUT: {
		struct plot_series *p[4];
		static const char *const tn[4] = { "throughput a>b", "goodput a>b",
						   "throughput b>a", "goodput b>a" };
		static const char *const tc[4] = { "#1f5fbf", "#17becf", "#d62728", "#ff9896" };

		for (int k = 0; k < 4; k++)
			p[k] = add(c, n, tn[k], tc[k], PLOT_STEPS);
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < nb[k] && i < n; i++) {
				put(p[2 * k], (double)i * bin, (double)bytes[k][i] * 8 / bin, 0);
				put(p[2 * k + 1], (double)i * bin, (double)good[k][i] * 8 / bin, 0);
			}
		snprintf(note, notelen, "bins of %.3f s", bin);
		break;
	}
	case TD_GRAPH_RTT: {
		struct plot_series *r = add(c, n, "RTT", "#1f5fbf", PLOT_POINTS);
		struct plot_series *h = add(c, n, "handshake", "#d62728", PLOT_POINTS);

		for (size_t i = 0; i < d->nrtts; i++) {
			const struct td_rtt_pt *p = &d->rtts[i];

			put(p->handshake ? h : r, p->t, p->rtt * 1e3, 0);
			if (p->handshake)
				snprintf(note, notelen, "handshake RTT %.3f ms", p->rtt * 1e3);
		}
		break;
	}
	case TD_GRAPH_WINDOW: {
		struct plot_series *f = add(c, n, "bytes in flight", "#1f5fbf", PLOT_STEPS);
		struct plot_series *w = add(c, n, "receive window", "#bcbd22", PLOT_STEPS);

		for (size_t i = 0; i < d->nflight; i++) {
			put(f, d->flight[i].t, (double)d->flight[i].in_flight, 0);
			put(w, d->flight[i].t, (double)d->flight[i].window, 0);
		}
		break;
	}
	}
	for (int k = 0; k < 2; k++) {
		free(bytes[k]);
		free(good[k]);
	}
	return 0;
oom:
	for (int k = 0; k < 2; k++) {
		free(bytes[k]);
		free(good[k]);
	}
	return -ENOMEM;
}

int graphview_draw(const struct td_series *s, enum td_graph_kind kind, int dir, double bin,
		   const char *title, const char *path, bool svg, struct td_err *err)
{
	static const char *const ylabel[] = { "relative sequence number", "bits per second",
					      "RTT (ms)", "bytes" };
	struct cols c;
	char note[128], full[512];
	struct plot_chart chart = { 0 };
	int rc;

	if (build(&c, s, kind, dir, bin, note, sizeof(note)))
		return td_err_set(err, -ENOMEM, "--graph: out of memory");
	snprintf(full, sizeof(full), "%s: %s", graphview_name(kind), title);
	chart.title = full;
	chart.xlabel = "time since the first packet (s)";
	chart.ylabel = ylabel[kind];
	chart.series = c.s;
	chart.nseries = c.ns;
	chart.note = note[0] ? note : NULL;
	/* engineering prefixes: 2M bit/s, 1.5 MB; RTTs in gnuplot's own */
	chart.yformat = kind == TD_GRAPH_THROUGHPUT ? "%.1s %c"
			: kind == TD_GRAPH_RTT	    ? NULL
						    : "%.1s %cB";
	rc = plot_chart(path, svg, &chart, err);
	free(c.buf);
	return rc;
}

int graphview_tsv(FILE *fp, const struct td_series *s, enum td_graph_kind kind, int dir, double bin)
{
	const struct td_series_dir *d = &s->d[dir];
	static const char *const mname[TD_MARK_COUNT] = { "data", "retransmission", "out-of-order",
							  "zero-window-probe" };

	switch (kind) {
	case TD_GRAPH_SEQ:
		fputs("series\ttime\tseq\tlen\n", fp);
		for (size_t i = 0; i < d->nsegs; i++)
			fprintf(fp, "%s\t%.6f\t%llu\t%u\n",
				d->segs[i].flags & TD_TH_RST ? "rst" : mname[d->segs[i].mark],
				d->segs[i].t, (unsigned long long)d->segs[i].seq, d->segs[i].len);
		for (size_t i = 0; i < d->nacks; i++)
			fprintf(fp, "ack\t%.6f\t%llu\t%llu\n", d->acks[i].t,
				(unsigned long long)d->acks[i].ack,
				(unsigned long long)d->acks[i].window);
		return 0;
	case TD_GRAPH_THROUGHPUT:
		fputs("dir\ttime\tbytes\tnew_bytes\tbits_per_s\tgoodput_bits_per_s\n", fp);
		for (int k = 0; k < 2; k++) {
			uint64_t *b, *g;
			size_t n;

			if (td_series_throughput(s, k, bin, &b, &g, &n))
				return -ENOMEM;
			for (size_t i = 0; i < n; i++)
				fprintf(fp, "%s\t%.6f\t%llu\t%llu\t%.0f\t%.0f\n", k ? "b" : "a",
					(double)i * bin, (unsigned long long)b[i],
					(unsigned long long)g[i], (double)b[i] * 8 / bin,
					(double)g[i] * 8 / bin);
			free(b);
			free(g);
		}
		return 0;
	case TD_GRAPH_RTT:
		fputs("time\trtt_ms\tseq_end\thandshake\n", fp);
		for (size_t i = 0; i < d->nrtts; i++)
			fprintf(fp, "%.6f\t%.3f\t%llu\t%d\n", d->rtts[i].t, d->rtts[i].rtt * 1e3,
				(unsigned long long)d->rtts[i].seq_end, d->rtts[i].handshake);
		return 0;
	case TD_GRAPH_WINDOW:
		fputs("time\tin_flight\twindow\n", fp);
		for (size_t i = 0; i < d->nflight; i++)
			fprintf(fp, "%.6f\t%llu\t%llu\n", d->flight[i].t,
				(unsigned long long)d->flight[i].in_flight,
				(unsigned long long)d->flight[i].window);
		return 0;
	}
	return 0;
}

int graphview_json(struct td_json *j, const struct td_series *s, enum td_graph_kind kind, int dir,
		   double bin)
{
	const struct td_series_dir *d = &s->d[dir];
	static const char *const mname[TD_MARK_COUNT] = { "data", "retransmission", "out_of_order",
							  "zero_window_probe" };

	td_json_begin_object(j, "graph");
	td_json_str(j, "kind", graphview_name(kind));
	td_json_str(j, "dir", dir ? "b" : "a");
	switch (kind) {
	case TD_GRAPH_SEQ:
		td_json_begin_array(j, "segments");
		for (size_t i = 0; i < d->nsegs; i++) {
			td_json_begin_object(j, NULL);
			td_json_double(j, "time", us(d->segs[i].t));
			td_json_uint(j, "seq", d->segs[i].seq);
			td_json_uint(j, "len", d->segs[i].len);
			td_json_str(j, "kind",
				    d->segs[i].flags & TD_TH_RST ? "rst" : mname[d->segs[i].mark]);
			td_json_end_object(j);
		}
		td_json_end_array(j);
		td_json_begin_array(j, "acks");
		for (size_t i = 0; i < d->nacks; i++) {
			td_json_begin_object(j, NULL);
			td_json_double(j, "time", us(d->acks[i].t));
			td_json_uint(j, "ack", d->acks[i].ack);
			td_json_uint(j, "window", d->acks[i].window);
			td_json_end_object(j);
		}
		td_json_end_array(j);
		break;
	case TD_GRAPH_THROUGHPUT:
		td_json_double(j, "bin_s", bin);
		for (int k = 0; k < 2; k++) {
			uint64_t *b, *g;
			size_t n;

			if (td_series_throughput(s, k, bin, &b, &g, &n))
				return -ENOMEM;
			td_json_begin_array(j, k ? "b" : "a");
			for (size_t i = 0; i < n; i++) {
				td_json_begin_object(j, NULL);
				td_json_double(j, "time", us((double)i * bin));
				td_json_uint(j, "bytes", b[i]);
				td_json_uint(j, "new_bytes", g[i]);
				td_json_end_object(j);
			}
			td_json_end_array(j);
			free(b);
			free(g);
		}
		break;
	case TD_GRAPH_RTT:
		td_json_begin_array(j, "samples");
		for (size_t i = 0; i < d->nrtts; i++) {
			td_json_begin_object(j, NULL);
			td_json_double(j, "time", us(d->rtts[i].t));
			td_json_double(j, "rtt_ms", ms3(d->rtts[i].rtt * 1e3));
			td_json_uint(j, "seq_end", d->rtts[i].seq_end);
			td_json_bool(j, "handshake", d->rtts[i].handshake);
			td_json_end_object(j);
		}
		td_json_end_array(j);
		break;
	case TD_GRAPH_WINDOW:
		td_json_begin_array(j, "samples");
		for (size_t i = 0; i < d->nflight; i++) {
			td_json_begin_object(j, NULL);
			td_json_double(j, "time", us(d->flight[i].t));
			td_json_uint(j, "in_flight", d->flight[i].in_flight);
			td_json_uint(j, "window", d->flight[i].window);
			td_json_end_object(j);
		}
		td_json_end_array(j);
		break;
	}
	td_json_end_object(j);
	return 0;
}

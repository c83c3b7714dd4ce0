/* Merging the Prometheus expositions of several namespaces into one: each
 * metric family once (its HELP and TYPE, then every namespace's samples,
 * as the text format wants a family's lines together), each sample given
 * the namespace's labels first. Pure text in, text out. */
#ifndef TD_MMERGE_H
#define TD_MMERGE_H

#include <stddef.h>

#include "history/metrics.h"

struct td_metrics_part {
	const char *text; /* one exposition (td_metrics_render's output) */
	size_t len;
	const char *labels; /* `netns="x",pod="y"`, already escaped (td_mbuf_label) */
};

/* Append the merged exposition of parts to out. 0 or -ENOMEM. */
int td_metrics_merge(const struct td_metrics_part *parts, size_t n, struct td_mbuf *out);

/* Sum expositions into one (same metric name and labels: values added),
 * for the namespaces beyond --top, exported as netns="other". 0 or -ENOMEM. */
int td_metrics_sum(const struct td_metrics_part *parts, size_t n, struct td_mbuf *out);

#endif

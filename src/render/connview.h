/* How `pcap` and `capture` show flow-engine connections: the one-line text
 * record, the JSON object, the running tallies and the summary. One place, so
 * the two commands print the same thing (docs/pcap.md). */
#ifndef TD_CONNVIEW_H
#define TD_CONNVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/flow.h"
#include "render/json.h"
#include "capture/pcapsrc.h"

#define CONNVIEW_MAX_GROUPS 64

struct connview_group {
	uint8_t family, addr[16];
	uint16_t port;
	uint32_t conns, bad;
};

struct connview {
	bool color; /* colour the text lines */
	struct td_json j;
	bool json;
	uint64_t t0; /* first packet: "start" is relative to it */
	bool wall;   /* "start" as the local time of day (live captures) */
	bool t0_set;
	uint64_t nconns;
	uint64_t by_state[TD_CS_COUNT];
	uint64_t unanswered, refused, reset, half_closed, never_closed, with_retrans;
	struct connview_group groups[CONNVIEW_MAX_GROUPS];
	size_t ngroups;
};

/* An analysis flag's JSON name: td_ana_name() in snake_case, as every
 * JSON key is (docs/json.md): "dup_ack", "zero_window_probe". */
const char *connview_ana_key(int a);

/* The text line (docs/pcap.md, Output); suffix (or NULL) goes before the
 * newline, e.g. " [in progress]". */
void connview_text(struct connview *v, const struct td_conn *c, const char *suffix);
/* The JSON object, as an element of the current array (or at the top level
 * for NDJSON); ended NULL means the engine's reason (closed, eof, ...). */
void connview_json(struct connview *v, const struct td_conn *c, const char *ended);
/* Count c in the summary. */
void connview_tally(struct connview *v, const struct td_conn *c);
/* The summary: text, or the "summary" member of the current JSON object.
 * ks (live captures: the kernel's counters) may be NULL. */
void connview_summary(struct connview *v, const struct td_pcap_counts *n,
		      const struct td_flow_stats *fs, const struct td_pcap_kstats *ks);

#endif

/* Socket counts by state for `serve` and `record`, kept current by the
 * kernel (bpf/statecount): opened once the namespace is entered, seeded by
 * one walk, reconciled against a walk every --reconcile seconds, and the
 * metrics that say which way the counts came and how far they drifted.
 * Where BPF cannot load (not root, no BTF, built without it) every sample
 * walks the sockets as before, and tcpdoctor_state_source says so. */
#ifndef TD_CMD_LIVECOUNT_H
#define TD_CMD_LIVECOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cmd/cmd.h"
#include "history/metrics.h"
#include "history/sample.h"

#define CMD_LIVE_DEFAULT_RECONCILE 0 /* off: a walk per sample; --reconcile S turns it on */

struct td_statecount;

struct cmd_live {
	struct td_statecount *sc; /* NULL: a walk per sample */
	char why[600];		  /* why not, for the log */
	long reconcile_s;	  /* 0: not asked, a walk per sample */
	struct timespec last;	  /* the last walk: seeding or reconciliation */
	uint64_t errors;	  /* reconciliations that failed */
	uint64_t repairs;	  /* walks a sample asked for: the kernel had skipped a hook */
};

/* Kept counts when asked (reconcile_s > 0, --reconcile) unless --source asks
 * for a walk (netlink, proc, replay), --all-netns, or TD_STATECOUNT=walk; TD_STATECOUNT=bpf makes a failure to
 * load an error (-1, told) instead of a fallback. Says on stderr which, once. */
int cmd_live_open(struct cmd_live *l, const struct td_ctx *ctx, long reconcile_s);
/* Have samples take their state counts from l (nothing when it walks). */
void cmd_live_use(struct cmd_live *l, struct td_sample_opts *so);
/* Is a reconciliation due (always false without kept counts or with 0)? */
bool cmd_live_due(const struct cmd_live *l);
/* Reconcile now; a failure is counted and told on stderr. */
void cmd_live_reconcile(struct cmd_live *l);
/* tcpdoctor_state_source and, with kept counts, the drift families. */
void cmd_live_metrics(const struct cmd_live *l, struct td_mbuf *b);
/* One line for `record -v`: "" or ", drift N". */
void cmd_live_note(const struct cmd_live *l, char *buf, size_t len);
void cmd_live_close(struct cmd_live *l);

#endif

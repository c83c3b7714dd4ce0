/* Choosing where sockets come from: netlink sock_diag (default), /proc/net
 * (fallback), or a recorded dump; and the --pid filter, which needs owners.
 * Every command gets its sockets through td_source_dump(); counts that need
 * no per-socket detail through td_source_count(), which lets the kernel
 * count with a BPF iterator when it can. */
#ifndef TD_SOURCE_H
#define TD_SOURCE_H

#include "sockets/agg.h"
#include "err.h"
#include "sockets/filter.h"
#include "sockets/sock.h"

enum td_source_kind {
	TD_SRC_AUTO = 0, /* netlink; /proc/net when netlink is refused */
	TD_SRC_NETLINK,
	TD_SRC_PROC,
	TD_SRC_REPLAY,
	TD_SRC_BPF, /* counts from an iter/tcp program (td_source_count) */
};

struct td_source {
	enum td_source_kind kind;
	const char *replay_path;  /* TD_SRC_REPLAY */
	int save_fd;		  /* >= 0: also save raw netlink replies here */
	enum td_source_kind used; /* what actually produced the sockets */
	char note[256];		  /* why auto fell back, for the user */
	char bpf_note[512];	  /* why the BPF counter was not used, if it was not */
};

/* "auto", "netlink", "proc", "bpf", "replay:FILE". */
int td_source_parse(const char *text, struct td_source *src, struct td_err *err);
void td_source_init(struct td_source *src);
/* "netlink", "proc", "replay", "bpf" (or "auto" before a dump). */
const char *td_source_name(enum td_source_kind kind);

/* Stream the sockets that pass f through cb. With f->npid, owners of those
 * processes are looked up first and only their sockets pass. */
int td_source_dump(struct td_source *src, const struct td_filter *f, unsigned dump_flags,
		   td_sock_cb cb, void *ctx, struct td_err *err);

/* Count the sockets that pass f into a (grouped by a->by). With the auto
 * or bpf source, and when nothing needs a socket's detail (no --pid, no
 * --save-dump, a grouping the kernel can key), the kernel counts through
 * a BPF iterator; auto falls back to td_source_dump() when BPF cannot load
 * (not root, no BTF, built without it), bpf fails with the reason. The
 * BPF reason is in src->bpf_note either way. */
int td_source_count(struct td_source *src, const struct td_filter *f, struct td_agg *a,
		    struct td_err *err);

/* td_source_count for a->by == TD_BY_PROCESS without an owner table: the
 * kernel counts by owning process (td_bpf_owner_counts) and by state
 * (td_bpf_count), the unowned are the difference; memory grows with the
 * groups, not the sockets. For the auto source above the BPF threshold and
 * for bpf, with no filter but states and family. Returns 0, or -TD_EUNSUPP
 * (src->bpf_note says why) when the caller should join a dump with an
 * owner walk instead; other errors only for the bpf source. */
int td_source_count_by_owner(struct td_source *src, const struct td_filter *f, struct td_agg *a,
			     struct td_err *err);

#endif

/* The aggregated socket snapshot the health check reasons about: one
 * streaming pass over a dump builds totals by state, groups (by local side
 * and by peer), the listeners, and bounded top-K lists of notable sockets.
 * Memory grows with groups, never with sockets. */
#ifndef TD_SNAPSHOT_H
#define TD_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sockets/filter.h"
#include "sockets/owners.h"
#include "sockets/sock.h"
#include "sockets/source.h"
#include "state.h"

/* Notable sockets kept per list: enough to name the worst offenders, small
 * enough that the lists cost nothing next to the dump. */
#define TD_SNAP_TOPK 16
/* Distinct remote addresses counted exactly per SYN_SENT/SYN_RECV group;
 * beyond this the count reads "at least TD_SNAP_DISTINCT_MAX". */
#define TD_SNAP_DISTINCT_MAX 1024
/* Closing sockets remembered (by cookie) to be looked for again a sample
 * later; beyond this many the snapshot cannot confirm and says so. */
#define TD_SNAP_MARKS_MAX 65536
/* A socket this long without data received is no close in progress: a
 * client with a thousand connections on a busy core takes a second or two
 * to get to each end of file, a leak keeps them for minutes. */
#define TD_SNAP_OLD_MS 5000
/* The states a rule blames on persistence: a snapshot count of them proves
 * nothing on a busy host (ab's CLOSE_WAIT lasts a microsecond), the same
 * sockets still there a sample later do. */
#define TD_SNAP_CONFIRM_STATES                                                                     \
	(TD_STATE_BIT(TD_CLOSE_WAIT) | TD_STATE_BIT(TD_FIN_WAIT1) | TD_STATE_BIT(TD_FIN_WAIT2) |   \
	 TD_STATE_BIT(TD_LAST_ACK) | TD_STATE_BIT(TD_CLOSING))

/* The states whose groups a rule names an owner for (a leak in process X):
 * with deferred owners (check) only their sockets wait for an owner walk,
 * every other socket is grouped without one (pid 0) as it streams by. */
#define TD_SNAP_OWNED_STATES                                                                       \
	(TD_SNAP_CONFIRM_STATES | TD_STATE_BIT(TD_SYN_SENT) | TD_STATE_BIT(TD_SYN_RECV))

enum td_snap_group_kind {
	/* (state, local port, owner pid): the local port is the listener's for
	 * server-side sockets, 0 ("any ephemeral port") for client-side ones,
	 * so client sockets do not make one group each. */
	TD_SNAP_LOCAL = 0,
	/* (state, remote address, remote port, owner pid): the remote port is
	 * kept for client-side sockets (a destination service), 0 for
	 * server-side ones (a client's ephemeral port says nothing). */
	TD_SNAP_PEER,
};

struct td_snap_group {
	uint8_t kind;	       /* enum td_snap_group_kind */
	uint8_t state;	       /* td_agg_state(): request sockets are SYN_RECV */
	uint8_t family;	       /* TD_SNAP_PEER: family of addr */
	uint8_t distinct_full; /* distinct reached TD_SNAP_DISTINCT_MAX */
	uint16_t port;	       /* local (LOCAL) or remote (PEER) port, 0 = any */
	uint32_t pid;	       /* first owner, 0 = none known */
	uint8_t addr[16];      /* TD_SNAP_PEER: remote address */
	char comm[16];	       /* owner's comm, "" when pid is 0 */
	uint32_t count;
	uint32_t distinct; /* SYN_SENT/SYN_RECV local groups: distinct remote addrs */
	uint32_t max_rqueue, max_wqueue;
	uint32_t max_retrans;	 /* retransmits of the running timer (s->retrans) */
	uint32_t retransmitting; /* sockets whose running timer retransmitted at least once */
	uint32_t max_idle_ms;	 /* tcp_info: longest min(last data sent, received) */
	uint32_t with_info;	 /* sockets in the group that carried tcp_info */
	uint64_t total_retrans;	 /* sum of tcpi_total_retrans */
	/* After td_snapshot_confirm(): sockets of the group (TD_SNAP_CONFIRM_STATES)
	 * still in the same state at the second read; in FIN_WAIT1, LAST_ACK and
	 * CLOSING only those whose peer acknowledged no byte in between (a peer
	 * that reads is not stuck, however many are closing). */
	uint32_t persisting;
	/* Of those, the ones idle TD_SNAP_OLD_MS or more at the second read
	 * (or without tcp_info): not a slow close in progress. */
	uint32_t persisting_old;
};

struct td_snap_listener {
	uint8_t family;
	uint8_t has_backlog; /* backlog known (netlink), not from /proc */
	uint16_t port;
	uint8_t addr[16];
	uint32_t accept_queue; /* connections waiting for accept() */
	uint32_t backlog;      /* listen() backlog as capped by somaxconn */
	uint32_t pid;
	char comm[16];
	uint64_t inode;
};

/* One notable socket, with its first owner. */
struct td_snap_sock {
	struct td_sock s;
	uint32_t pid;
	char comm[16];
	uint64_t value; /* what the list is sorted by */
	/* After td_snapshot_confirm(): the same socket (cookie) at the second
	 * read, when it was seen there (again = 1). */
	uint8_t again;
	struct td_sock s2;
};

enum td_snap_top {
	TD_TOP_SENDQ = 0, /* largest Send-Q (not LISTEN) */
	TD_TOP_RECVQ,	  /* largest Recv-Q (not LISTEN) */
	TD_TOP_IDLE,	  /* longest idle ESTABLISHED without keepalive timer */
	TD_TOP_RETRANS,	  /* most retransmits over the connection's life */
	TD_TOP_MAX,
};

struct td_snap_top_list {
	size_t n;
	struct td_snap_sock v[TD_SNAP_TOPK]; /* largest value first */
};

struct td_snapshot {
	const struct td_owners *owners; /* may be NULL: every pid is 0 */
	uint64_t total;
	uint64_t counts[TD_STATE_MAX + 1];
	uint64_t ipv4, ipv6;
	uint64_t with_info;	     /* sockets that carried tcp_info */
	uint64_t no_keepalive_estab; /* ESTABLISHED with no keepalive timer running */

	struct td_snap_group *groups; /* in order of first appearance */
	size_t ngroups, gcap;
	uint32_t *gidx; /* hash of group index + 1, 0 = empty */
	size_t hcap;

	struct td_snap_listener *listeners;
	size_t nlisteners, lcap;
	uint8_t listen_ports[65536 / 8]; /* bitmap: a listener has this port */

	void *distinct; /* hash set of (group, address) */
	size_t dn, dcap;

	struct td_snap_top_list top[TD_TOP_MAX];

	void *marks; /* hash of the TD_SNAP_CONFIRM_STATES sockets, by cookie */
	size_t mn, mcap;
	bool unconfirmable; /* no cookies, or over TD_SNAP_MARKS_MAX: cannot confirm */
	bool confirmed;	    /* td_snapshot_confirm() ran: persisting and again are set */

	bool defer_owners; /* td_snapshot_defer_owners(): see td_snapshot_owners() */
	void *pending;	   /* the TD_SNAP_OWNED_STATES sockets waiting for an owner */
	size_t npending, pcap;
};

void td_snapshot_init(struct td_snapshot *snap, const struct td_owners *owners);
void td_snapshot_free(struct td_snapshot *snap);

/* Add one socket. Listeners should come first (a LISTEN-only dump, then the
 * rest): a socket is server-side when its local port is a listener's, and
 * the split decides its groups. -ENOMEM when a group cannot be stored (the
 * socket is still counted in the totals). */
int td_snapshot_add(struct td_snapshot *snap, const struct td_sock *s);
/* The same with the owner given (pid 0 = none; comm may be NULL): what
 * td_snapshot_add does after looking the inode up in snap->owners. */
int td_snapshot_add_owned(struct td_snapshot *snap, const struct td_sock *s, uint32_t pid,
			  const char *comm);
/* Owners after the dump instead of a table of every socket before it
 * (check): memory then grows with the sockets in TD_SNAP_OWNED_STATES
 * (~70 bytes each, held until td_snapshot_owners()) instead of with all
 * sockets (~80 bytes each in the table), and the owner walk reports only
 * the inodes asked for. Call after td_snapshot_init(); snap->owners is
 * not used. Sockets of other states are grouped with no owner (pid 0): no
 * rule reads their groups; the listeners and the top lists get theirs in
 * td_snapshot_owners(). */
void td_snapshot_defer_owners(struct td_snapshot *snap);
/* After the dump of a snapshot with deferred owners: one owner walk for
 * the held sockets, the listeners and the top lists (procdir as
 * td_owners_resolve(), NULL for /proc), then the held sockets go into
 * their groups, with pid 0 when the walk failed (the partial result).
 * Returns 0 or the walk's error (err filled); owners are then off. */
int td_snapshot_owners(struct td_snapshot *snap, struct td_owners *o, const char *procdir,
		       struct td_err *err);
/* td_snapshot_add as a td_sock_cb (ctx is the snapshot). */
int td_snapshot_cb(const struct td_sock *s, void *ctx);

/* Fill snap from src in the order the rules need: the LISTEN sockets first
 * (a kernel-filtered dump, ~2 ms), so every connection is known as server or
 * client side when it streams by, then every other state with tcp_info (idle
 * times). f gives the family, port and address criteria; its states are
 * replaced. Returns 0 or the first dump's error, with err filled. */
int td_snapshot_dump(struct td_snapshot *snap, struct td_source *src, const struct td_filter *f,
		     struct td_err *err);

/* A sample after td_snapshot_dump(), read the closing states and
 * ESTABLISHED again (with tcp_info) and match the sockets by cookie: sets
 * each group's persisting and each top-list entry's again/s2, and
 * snap->confirmed. Without cookies (the /proc source) or past
 * TD_SNAP_MARKS_MAX it leaves confirmed false: the rules then judge on the
 * first read alone. 0 or the dump's error. */
int td_snapshot_confirm(struct td_snapshot *snap, struct td_source *src, const struct td_filter *f,
			struct td_err *err);
/* One socket of that second read (ctx is the snapshot), for tests. Call
 * with snap->confirmed set to true first. */
int td_snapshot_confirm_cb(const struct td_sock *s, void *ctx);

/* The same judgement against an earlier snapshot instead of a second read
 * (serve and record: the previous sample): a closing socket of snap counts
 * as persisting when prev held it in the same state, a top-list entry gets
 * prev's read of it as s2. Sets snap->confirmed; does nothing when either
 * cannot confirm (no cookies) or prev is NULL. Returns 0. */
int td_snapshot_confirm_prev(struct td_snapshot *snap, const struct td_snapshot *prev);
/* Free what td_snapshot_confirm_prev() does not need of snap (groups,
 * listeners), keeping the marks and top lists, to hold it as the next
 * sample's prev. td_snapshot_free() still frees the rest. */
void td_snapshot_keep_marks(struct td_snapshot *snap);

/* Is port a local listening port (any family, any address)? */
bool td_snapshot_is_listen_port(const struct td_snapshot *snap, uint16_t port);

/* The group with this key, or NULL. addr may be NULL for TD_SNAP_LOCAL. */
const struct td_snap_group *td_snapshot_group(const struct td_snapshot *snap, int kind, int state,
					      uint16_t port, uint32_t pid, int family,
					      const uint8_t *addr);

#endif

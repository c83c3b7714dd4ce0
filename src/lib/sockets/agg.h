/* Aggregation of a socket stream: counts by state and family, and optionally
 * by a group key (local port, remote port, local or remote address, owning
 * process, user). One entry per group, never per socket: memory grows with
 * the number of groups. */
#ifndef TD_AGG_H
#define TD_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sockets/owners.h"
#include "sockets/sock.h"
#include "state.h"

enum td_group_by {
	TD_BY_NONE = 0,
	TD_BY_LPORT,
	TD_BY_RPORT,
	TD_BY_LADDR,
	TD_BY_PEER,    /* remote address */
	TD_BY_PROCESS, /* first owner's pid; sockets without one in pid 0 */
	TD_BY_USER,    /* socket uid; sockets without an owner in TD_AGG_NO_USER */
};

/* The user of sockets no process holds (inode 0: TIME_WAIT, request sockets,
 * orphans, connections still in an accept queue): the kernel reports uid 0
 * for some of them, which is not root's. */
#define TD_AGG_NO_USER UINT32_MAX

struct td_group {
	uint8_t family; /* for address keys */
	uint8_t used;
	uint16_t port; /* for port keys */
	uint32_t id;   /* pid or uid */
	uint8_t addr[16];
	uint64_t total;
	uint32_t counts[TD_STATE_MAX + 1];
};

struct td_agg {
	enum td_group_by by;
	const struct td_owners *owners; /* TD_BY_PROCESS */
	uint64_t total;
	uint64_t counts[TD_STATE_MAX + 1];
	uint64_t ipv4, ipv6;
	uint64_t fam_counts[2][TD_STATE_MAX + 1]; /* by state: [0] IPv4, [1] IPv6 */
	struct td_group *slots;			  /* open addressing */
	size_t cap, ngroups;
};

/* "lport", "rport", "laddr", "peer"/"raddr", "process", "user". */
int td_group_by_parse(const char *text, enum td_group_by *by, struct td_err *err);
const char *td_group_by_name(enum td_group_by by);

void td_agg_init(struct td_agg *a, enum td_group_by by, const struct td_owners *owners);
void td_agg_free(struct td_agg *a);

/* Count one socket. -ENOMEM if a new group cannot be stored. */
int td_agg_add(struct td_agg *a, const struct td_sock *s);
/* Count n sockets like s at once (a source that counted them itself, such
 * as the BPF iterator). s needs only the fields the grouping uses. */
int td_agg_add_n(struct td_agg *a, const struct td_sock *s, uint64_t n);
/* td_agg_add_n for TD_BY_PROCESS with the owner already known (0: none),
 * as the kernel's count by owner gives it. */
int td_agg_add_pid_n(struct td_agg *a, const struct td_sock *s, uint32_t pid, uint64_t n);
/* td_agg_add as a td_sock_cb (ctx is the td_agg). */
int td_agg_cb(const struct td_sock *s, void *ctx);

/* Groups sorted by total (descending), then key; caller frees the array
 * (not the groups). NULL with *n = 0 when there are none or on ENOMEM. */
const struct td_group **td_agg_sorted(const struct td_agg *a, size_t *n);

/* Canonical state of a socket for counting: request sockets
 * (TD_NEW_SYN_RECV) count as TD_SYN_RECV. */
int td_agg_state(int state);

#endif

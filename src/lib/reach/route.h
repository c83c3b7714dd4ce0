/* TCP traceroute without root: SYNs to the real port from ordinary sockets
 * with increasing TTL (hop limit), all hops of a round in parallel, ICMP
 * time-exceeded read from each socket's error queue. A table of hops with
 * loss and latency, and the analysis of where loss starts. */
#ifndef TD_ROUTE_H
#define TD_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"
#include "reach/probe.h"

#define TD_ROUTE_MAX_HOPS 64

/* How a hop (or the destination) answered, last time it did. */
enum td_hop_reply {
	TD_HOP_NONE = 0,      /* nothing within the timeout */
	TD_HOP_TIME_EXCEEDED, /* a router: ICMP time exceeded */
	TD_HOP_UNREACH,	      /* ICMP destination unreachable (error says which) */
	TD_HOP_SYNACK,	      /* the destination: port open */
	TD_HOP_RST,	      /* the destination: port closed */
};

/* Loss as mtr/pathping users learn to read it. */
enum td_hop_loss {
	TD_LOSS_NONE = 0,
	TD_LOSS_ONLY_HERE, /* this hop drops or rate-limits its ICMP; later hops lose nothing */
	TD_LOSS_STARTS,	   /* loss starts here and persists to the destination */
	TD_LOSS_CONTINUES, /* part of loss that started at an earlier hop */
};

struct td_hop {
	unsigned sent, received;
	struct td_stats rtt;	      /* ms, answered probes only */
	struct sockaddr_storage addr; /* who answered (first seen) */
	bool addr_set;
	bool multi; /* more than one address answered (ECMP) */
	enum td_hop_reply reply;
	int error; /* errno of an UNREACH reply */
	uint8_t icmp_type, icmp_code;
	enum td_hop_loss loss; /* filled by td_route_analyze */
};

/* What the destination did. */
enum td_dest_verdict {
	TD_DEST_FILTERED = 0, /* no answer at any TTL: SYN dropped on the way or there */
	TD_DEST_OPEN,	      /* SYN-ACK */
	TD_DEST_CLOSED,	      /* RST */
	TD_DEST_UNREACHABLE,  /* an ICMP unreachable stopped the SYN (hop dest_ttl said so) */
};

struct td_route_opts {
	unsigned max_hops; /* 1..TD_ROUTE_MAX_HOPS */
	int timeout_ms;	   /* per round: how long to wait for the answers */
};

struct td_route {
	struct sockaddr_storage dst;
	unsigned rounds;
	unsigned dest_ttl; /* TTL the destination (or the unreachable) answered at; 0 */
	enum td_dest_verdict verdict;
	unsigned last_ttl; /* hops to show: dest_ttl, or last answering + 1 */
	struct td_hop hop[TD_ROUTE_MAX_HOPS + 1]; /* by TTL; [0] unused */
	/* loss analysis (td_route_analyze) */
	unsigned loss_start; /* TTL where loss that persists starts, 0 if none */
};

/* Start a trace to dst (port included). */
void td_route_init(struct td_route *r, const struct sockaddr_storage *dst);

/* One round: a socket per TTL from 1 to max_hops (once the destination is
 * known, up to its TTL), all SYNs at once, answers collected until each
 * socket has one or o->timeout_ms passed. Returns 0, or a negative errno when
 * sockets cannot be made (EMFILE) or the route is refused locally
 * (ENETUNREACH: no route here at all, EACCES...) with a message in err. */
int td_route_round(struct td_route *r, const struct td_route_opts *o, struct td_err *err);

/* Hops to show and the loss marks; call after the last round. Pure: only
 * reads hop[1..] sent/received/reply and dest_ttl. */
void td_route_analyze(struct td_route *r, unsigned max_hops);

/* Loss of one hop in percent (0 when nothing was sent). */
double td_hop_loss_pct(const struct td_hop *h);

/* "open", "closed", "filtered", "unreachable". */
const char *td_dest_verdict_name(enum td_dest_verdict v);
/* "time-exceeded", "unreachable", "syn-ack", "rst", "none". */
const char *td_hop_reply_name(enum td_hop_reply r);

#endif

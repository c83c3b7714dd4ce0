/* The TCP state machine of RFC 9293 (section 3.3.2, figure 5) as one table.
 * Everything that reasons about transitions walks this table: the `fsm`
 * command prints it, the pcap analyser and `trace` check observed
 * transitions against it, the lab asserts scenarios with it. */
#ifndef TD_FSM_H
#define TD_FSM_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

/* What happened to cause a transition: an application call, a segment
 * received, or a timer. */
enum td_fsm_event {
	TD_EV_PASSIVE_OPEN = 1, /* listen() */
	TD_EV_ACTIVE_OPEN,	/* connect() */
	TD_EV_SEND,		/* send() on a LISTEN socket turns it active */
	TD_EV_CLOSE,		/* close()/shutdown(SHUT_WR) by the application */
	TD_EV_RCV_SYN,
	TD_EV_RCV_SYN_ACK,
	TD_EV_RCV_ACK, /* ACK of our SYN or of our FIN */
	TD_EV_RCV_FIN,
	TD_EV_RCV_FIN_ACK, /* FIN that also acknowledges our FIN */
	TD_EV_RCV_RST,
	TD_EV_TIMEOUT, /* 2*MSL in TIME-WAIT, or a user/retransmit timeout */
	TD_EV_MAX = TD_EV_TIMEOUT,
};

/* Segment(s) the endpoint sends as it takes the transition. */
enum td_fsm_send {
	TD_SEND_NONE = 0,
	TD_SEND_SYN,
	TD_SEND_SYN_ACK,
	TD_SEND_ACK,
	TD_SEND_FIN,
	TD_SEND_RST,
};

/* Which textbook path a row belongs to, for highlighting. */
enum td_fsm_path {
	TD_PATH_CLIENT = 1 << 0, /* CLOSED→SYN-SENT→ESTAB→FIN-WAIT-1→FIN-WAIT-2→TIME-WAIT→CLOSED */
	TD_PATH_SERVER = 1 << 1,    /* LISTEN→SYN-RCVD→ESTAB→CLOSE-WAIT→LAST-ACK→CLOSED */
	TD_PATH_SIM_OPEN = 1 << 2,  /* SYN-SENT→SYN-RCVD on a crossing SYN */
	TD_PATH_SIM_CLOSE = 1 << 3, /* FIN-WAIT-1→CLOSING→TIME-WAIT */
	TD_PATH_ABORT = 1 << 4,	    /* RST and timeouts */
};

struct td_fsm_edge {
	enum td_fsm_event event;
	int from; /* enum td_state; TD_CLOSE is RFC "CLOSED" */
	int to;
	enum td_fsm_send send;
	unsigned paths;	  /* enum td_fsm_path bits */
	const char *note; /* one line, our words, may cite RFC 9293 */
};

/* The whole table; *n receives the row count. */
const struct td_fsm_edge *td_fsm_edges(size_t *n);

/* First edge from `from` on `event`, or NULL. */
const struct td_fsm_edge *td_fsm_find(int from, enum td_fsm_event event);

/* Is from→to a transition some row allows (any event)? */
bool td_fsm_allows(int from, int to);

/* "passive-open", "active-open", "send", "close", "rcv-syn", "rcv-syn-ack",
 * "rcv-ack", "rcv-fin", "rcv-fin-ack", "rcv-rst", "timeout". */
const char *td_fsm_event_name(enum td_fsm_event ev);
/* "", "SYN", "SYN+ACK", "ACK", "FIN", "RST". */
const char *td_fsm_send_name(enum td_fsm_send s);

#endif

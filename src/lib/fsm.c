/* The TCP state machine of RFC 9293 as one table: figure 5 (section 3.3.2)
 * plus the reset, abort and timeout arcs of sections 3.10.5, 3.10.7.4 and
 * 3.10.8. Callers walk the table; nothing here knows a transition by heart. */
#include "fsm.h"

#define CLIENT TD_PATH_CLIENT
#define SERVER TD_PATH_SERVER
#define SIM_OPEN TD_PATH_SIM_OPEN
#define SIM_CLOSE TD_PATH_SIM_CLOSE
#define ABORT TD_PATH_ABORT

/* Order matters only for td_fsm_find(): where one state has two rows for one
 * event, the ordinary case comes first (graceful close before abort, a
 * passive open's RST before an active one's). */
static const struct td_fsm_edge edges[] = {
	/* Opening: figure 5 top half. */
	{ TD_EV_PASSIVE_OPEN, TD_CLOSE, TD_LISTEN, TD_SEND_NONE, SERVER,
	  "listen(): wait for a SYN" },
	{ TD_EV_ACTIVE_OPEN, TD_CLOSE, TD_SYN_SENT, TD_SEND_SYN, CLIENT,
	  "connect(): send our SYN and wait for the peer's" },
	{ TD_EV_RCV_SYN, TD_LISTEN, TD_SYN_RECV, TD_SEND_SYN_ACK, SERVER,
	  "a SYN arrives: answer SYN+ACK (Linux keeps this in a request socket)" },
	{ TD_EV_SEND, TD_LISTEN, TD_SYN_SENT, TD_SEND_SYN, 0,
	  "data sent on a listener turns it active (RFC only; no socket API does it)" },
	{ TD_EV_CLOSE, TD_LISTEN, TD_CLOSE, TD_SEND_NONE, 0,
	  "close() of a listener: connections not yet accept()ed are reset" },
	{ TD_EV_RCV_SYN_ACK, TD_SYN_SENT, TD_ESTABLISHED, TD_SEND_ACK, CLIENT,
	  "the peer accepted: acknowledge its SYN, connect() returns" },
	{ TD_EV_RCV_SYN, TD_SYN_SENT, TD_SYN_RECV, TD_SEND_SYN_ACK, SIM_OPEN,
	  "simultaneous open: a bare SYN crossed ours, so answer SYN+ACK" },
	{ TD_EV_CLOSE, TD_SYN_SENT, TD_CLOSE, TD_SEND_NONE, 0,
	  "close() before the peer answered: forget the attempt" },
	{ TD_EV_TIMEOUT, TD_SYN_SENT, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "no answer to our SYNs (tcp_syn_retries): connect() fails with ETIMEDOUT" },
	{ TD_EV_RCV_RST, TD_SYN_SENT, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "nobody listens on that port: connect() fails with ECONNREFUSED" },
	{ TD_EV_RCV_ACK, TD_SYN_RECV, TD_ESTABLISHED, TD_SEND_NONE, SERVER,
	  "the ACK of our SYN+ACK completes the handshake: accept() can return it" },
	/* RFC 9293 figure 8: in a simultaneous open the peer's SYN+ACK is what
	 * acknowledges our SYN. */
	{ TD_EV_RCV_SYN_ACK, TD_SYN_RECV, TD_ESTABLISHED, TD_SEND_NONE, SIM_OPEN,
	  "simultaneous open: the peer's SYN+ACK acknowledges our SYN" },
	{ TD_EV_CLOSE, TD_SYN_RECV, TD_FIN_WAIT1, TD_SEND_FIN, 0,
	  "close() during the handshake: send FIN and wait for its ACK" },
	/* RFC 9293 3.10.7.4, "second, check the RST bit": a passive open goes
	 * back to listening, an active one (reached by simultaneous open) dies. */
	{ TD_EV_RCV_RST, TD_SYN_RECV, TD_LISTEN, TD_SEND_NONE, ABORT,
	  "reset during a passive handshake: drop it, the listener stays" },
	{ TD_EV_RCV_RST, TD_SYN_RECV, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset after an active open: the connection is refused" },
	{ TD_EV_TIMEOUT, TD_SYN_RECV, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "our SYN+ACK never acknowledged (tcp_synack_retries): give up" },
	/* RFC 9293 3.10.5 ABORT: modelled as close() that sends RST, which is
	 * what Linux does when unread data is discarded or SO_LINGER is 0. */
	{ TD_EV_CLOSE, TD_SYN_RECV, TD_CLOSE, TD_SEND_RST, ABORT,
	  "abort (SO_LINGER 0 or unread data): reset instead of FIN" },

	/* Data transfer and closing: figure 5 bottom half. */
	{ TD_EV_CLOSE, TD_ESTABLISHED, TD_FIN_WAIT1, TD_SEND_FIN, CLIENT,
	  "we close first: send FIN, we are the side that will wait in TIME-WAIT" },
	{ TD_EV_RCV_FIN, TD_ESTABLISHED, TD_CLOSE_WAIT, TD_SEND_ACK, SERVER,
	  "the peer closed: read() returns 0, now it is up to us to close()" },
	{ TD_EV_RCV_RST, TD_ESTABLISHED, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset by peer: pending reads and writes fail with ECONNRESET" },
	{ TD_EV_TIMEOUT, TD_ESTABLISHED, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "retransmissions or TCP_USER_TIMEOUT exhausted: the peer is gone" },
	{ TD_EV_CLOSE, TD_ESTABLISHED, TD_CLOSE, TD_SEND_RST, ABORT,
	  "abort (SO_LINGER 0 or unread data): reset instead of FIN" },
	{ TD_EV_RCV_ACK, TD_FIN_WAIT1, TD_FIN_WAIT2, TD_SEND_NONE, CLIENT,
	  "our FIN is acknowledged: wait for the peer's FIN" },
	{ TD_EV_RCV_FIN, TD_FIN_WAIT1, TD_CLOSING, TD_SEND_ACK, SIM_CLOSE,
	  "simultaneous close: the peer's FIN crossed ours" },
	{ TD_EV_RCV_FIN_ACK, TD_FIN_WAIT1, TD_TIME_WAIT, TD_SEND_ACK, 0,
	  "the peer's FIN also acknowledges ours: skip FIN-WAIT-2" },
	{ TD_EV_RCV_RST, TD_FIN_WAIT1, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset while our FIN is outstanding" },
	{ TD_EV_TIMEOUT, TD_FIN_WAIT1, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "our FIN never acknowledged (tcp_orphan_retries for orphans): give up" },
	{ TD_EV_CLOSE, TD_FIN_WAIT1, TD_CLOSE, TD_SEND_RST, ABORT,
	  "abort after shutdown(SHUT_WR): reset" },
	{ TD_EV_RCV_FIN, TD_FIN_WAIT2, TD_TIME_WAIT, TD_SEND_ACK, CLIENT,
	  "the peer's FIN: acknowledge it and hold the port for 2*MSL" },
	{ TD_EV_RCV_RST, TD_FIN_WAIT2, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset while waiting for the peer's FIN" },
	/* Not in the RFC, which lets FIN-WAIT-2 last forever; Linux bounds an
	 * orphaned one by tcp_fin_timeout (60 s). */
	{ TD_EV_TIMEOUT, TD_FIN_WAIT2, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "the peer never sent its FIN: Linux drops an orphan after tcp_fin_timeout" },
	{ TD_EV_CLOSE, TD_FIN_WAIT2, TD_CLOSE, TD_SEND_RST, ABORT,
	  "abort after shutdown(SHUT_WR): reset" },
	{ TD_EV_CLOSE, TD_CLOSE_WAIT, TD_LAST_ACK, TD_SEND_FIN, SERVER,
	  "we close too: send our FIN (a socket stuck in CLOSE-WAIT never did)" },
	{ TD_EV_RCV_RST, TD_CLOSE_WAIT, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset while the application still holds the half-closed socket" },
	{ TD_EV_TIMEOUT, TD_CLOSE_WAIT, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "data we sent never acknowledged: give up" },
	{ TD_EV_CLOSE, TD_CLOSE_WAIT, TD_CLOSE, TD_SEND_RST, ABORT,
	  "abort (SO_LINGER 0 or unread data): reset instead of FIN" },
	{ TD_EV_RCV_ACK, TD_CLOSING, TD_TIME_WAIT, TD_SEND_NONE, SIM_CLOSE,
	  "simultaneous close: our FIN is acknowledged, both sides wait 2*MSL" },
	{ TD_EV_RCV_RST, TD_CLOSING, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset during a simultaneous close" },
	{ TD_EV_TIMEOUT, TD_CLOSING, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "our FIN never acknowledged: give up" },
	{ TD_EV_RCV_ACK, TD_LAST_ACK, TD_CLOSE, TD_SEND_NONE, SERVER,
	  "our FIN is acknowledged: the connection is gone, no TIME-WAIT on this side" },
	{ TD_EV_RCV_RST, TD_LAST_ACK, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset instead of the last ACK: closed all the same" },
	{ TD_EV_TIMEOUT, TD_LAST_ACK, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "our FIN never acknowledged: give up" },
	{ TD_EV_TIMEOUT, TD_TIME_WAIT, TD_CLOSE, TD_SEND_NONE, CLIENT,
	  "2*MSL passed (60 s on Linux): the address and port pair is free again" },
	/* RFC 9293 3.10.7.4 closes TIME-WAIT on RST; RFC 1337 warns this lets an
	 * old RST kill it early. Linux does so unless net.ipv4.tcp_rfc1337=1. */
	{ TD_EV_RCV_RST, TD_TIME_WAIT, TD_CLOSE, TD_SEND_NONE, ABORT,
	  "reset in TIME-WAIT ends it early (TIME-WAIT assassination, RFC 1337)" },
};

#define N_EDGES (sizeof(edges) / sizeof(edges[0]))

static const char *const event_names[] = {
	[TD_EV_PASSIVE_OPEN] = "passive-open",
	[TD_EV_ACTIVE_OPEN] = "active-open",
	[TD_EV_SEND] = "send",
	[TD_EV_CLOSE] = "close",
	[TD_EV_RCV_SYN] = "rcv-syn",
	[TD_EV_RCV_SYN_ACK] = "rcv-syn-ack",
	[TD_EV_RCV_ACK] = "rcv-ack",
	[TD_EV_RCV_FIN] = "rcv-fin",
	[TD_EV_RCV_FIN_ACK] = "rcv-fin-ack",
	[TD_EV_RCV_RST] = "rcv-rst",
	[TD_EV_TIMEOUT] = "timeout",
};

/* clang-format off */
static const char *const send_names[] = {
	[TD_SEND_NONE] = "",
	[TD_SEND_SYN] = "SYN",
	[TD_SEND_SYN_ACK] = "SYN+ACK",
	[TD_SEND_ACK] = "ACK",
	[TD_SEND_FIN] = "FIN",
	[TD_SEND_RST] = "RST",
};
/* clang-format on */

const struct td_fsm_edge *td_fsm_edges(size_t *n)
{
	if (n)
		*n = N_EDGES;
	return edges;
}

/* The kernel's request socket (NEW_SYN_RECV) is RFC SYN-RECEIVED. */
static int rfc_state(int state)
{
	return state == TD_NEW_SYN_RECV ? TD_SYN_RECV : state;
}

const struct td_fsm_edge *td_fsm_find(int from, enum td_fsm_event event)
{
	size_t i;

	from = rfc_state(from);
	for (i = 0; i < N_EDGES; i++)
		if (edges[i].from == from && edges[i].event == event)
			return &edges[i];
	return NULL;
}

bool td_fsm_allows(int from, int to)
{
	size_t i;

	from = rfc_state(from);
	to = rfc_state(to);
	for (i = 0; i < N_EDGES; i++)
		if (edges[i].from == from && edges[i].to == to)
			return true;
	return false;
}

const char *td_fsm_event_name(enum td_fsm_event ev)
{
	if ((int)ev < 1 || ev > TD_EV_MAX)
		return "unknown";
	return event_names[ev];
}

const char *td_fsm_send_name(enum td_fsm_send s)
{
	if ((int)s < 0 || (size_t)s >= sizeof(send_names) / sizeof(send_names[0]))
		return "unknown";
	return send_names[s];
}

/* TCP states with the kernel's own numbering (include/net/tcp_states.h), so
 * values from netlink, /proc/net/tcp and BPF need no mapping, and the names
 * users type in every common spelling. */
#ifndef TD_STATE_H
#define TD_STATE_H

#include <stdint.h>

#include "err.h"

enum td_state {
	TD_ESTABLISHED = 1,
	TD_SYN_SENT,
	TD_SYN_RECV,
	TD_FIN_WAIT1,
	TD_FIN_WAIT2,
	TD_TIME_WAIT,
	TD_CLOSE,
	TD_CLOSE_WAIT,
	TD_LAST_ACK,
	TD_LISTEN,
	TD_CLOSING,
	TD_NEW_SYN_RECV,
	TD_STATE_MAX = TD_NEW_SYN_RECV, /* highest valid value */
};

#define TD_STATE_BIT(s) (1u << (s))
/* Every real state (bits 1..12). */
#define TD_STATES_ALL (((1u << (TD_STATE_MAX + 1)) - 1) & ~1u)

/* Canonical upper-case name as the kernel and netstat spell it:
 * "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "CLOSE_WAIT",
 * "NEW_SYN_RECV"...; "UNKNOWN" for values out of range. */
const char *td_state_name(int state);

/* Short name as ss prints it: "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
 * "FIN-WAIT-2", "TIME-WAIT", "UNCONN" (for TD_CLOSE), "CLOSE-WAIT",
 * "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV"; "UNKNOWN" otherwise. */
const char *td_state_short(int state);

/* RFC 9293 name: "ESTABLISHED", "SYN-SENT", "SYN-RECEIVED", "FIN-WAIT-1",
 * ..., "CLOSED" for TD_CLOSE. */
const char *td_state_rfc_name(int state);

/* Parse one state name or group into a bitmask of TD_STATE_BIT()s.
 * Case-insensitive; '-', '_' and ' ' are equivalent and optional where
 * unambiguous ("finwait1"). Accepts the canonical, short, RFC and netstat
 * spellings (ESTAB, ESTABLISHED, SYN_RCVD, SYN-RECEIVED, SYN-RECV, CLOSED,
 * UNCONN, TIME-WAIT, TIMEWAIT, LISTENING...), and the groups of ss:
 *   all; connected (all but LISTEN and CLOSE); synchronized (connected but
 *   SYN-SENT); bucket (SYN-RECV, TIME-WAIT); big (all but bucket).
 * As in ss, "closing" is the CLOSING state, not a group; the group of the
 * states after a close began is "closing-states" (FIN-WAIT-1, FIN-WAIT-2,
 * CLOSING, TIME-WAIT, CLOSE-WAIT, LAST-ACK).
 * SYN_RECV also sets TD_NEW_SYN_RECV (the kernel reports request sockets
 * under either). Returns 0 and sets *mask, or -TD_EPARSE with err saying
 * which name was not understood and listing the accepted ones. */
int td_state_parse(const char *name, uint32_t *mask, struct td_err *err);

#endif

/* TCP state names in every spelling users type (kernel, ss, RFC 9293, netstat
 * and BSD), and the state groups of ss, parsed into TD_STATE_BIT() masks.
 * One table of states and one of groups; the parser and the names walk them. */
#include "state.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct state_row {
	int state;
	const char *name;	/* kernel / Linux netstat: "SYN_RECV" */
	const char *short_name; /* ss: "SYN-RECV" */
	const char *rfc_name;	/* RFC 9293: "SYN-RECEIVED" */
	const char *listed;	/* what error messages list and suggest */
	const char *aliases[3]; /* other spellings seen in the wild */
};

/* Spellings compare with case and separators ('-', '_', ' ') dropped, so
 * "FIN_WAIT1", "fin-wait-1" and "FIN_WAIT_1" (BSD) need no row of their own;
 * only spellings that differ in letters are aliases. */
/* clang-format off */
static const struct state_row state_rows[] = {
	{ TD_ESTABLISHED, "ESTABLISHED", "ESTAB", "ESTABLISHED", "established" },
	{ TD_SYN_SENT, "SYN_SENT", "SYN-SENT", "SYN-SENT", "syn-sent" },
	/* SYN_RCVD: BSD netstat; syn-rcv: accepted by ss's scan_state(). */
	{ TD_SYN_RECV, "SYN_RECV", "SYN-RECV", "SYN-RECEIVED", "syn-recv",
	  { "SYN_RCVD", "SYN-RCV" } },
	{ TD_FIN_WAIT1, "FIN_WAIT1", "FIN-WAIT-1", "FIN-WAIT-1", "fin-wait-1" },
	{ TD_FIN_WAIT2, "FIN_WAIT2", "FIN-WAIT-2", "FIN-WAIT-2", "fin-wait-2" },
	{ TD_TIME_WAIT, "TIME_WAIT", "TIME-WAIT", "TIME-WAIT", "time-wait" },
	/* The kernel's TCP_CLOSE is RFC CLOSED; ss prints UNCONN and takes
	 * "unconnected". */
	{ TD_CLOSE, "CLOSE", "UNCONN", "CLOSED", "closed", { "UNCONNECTED" } },
	{ TD_CLOSE_WAIT, "CLOSE_WAIT", "CLOSE-WAIT", "CLOSE-WAIT", "close-wait" },
	{ TD_LAST_ACK, "LAST_ACK", "LAST-ACK", "LAST-ACK", "last-ack" },
	/* LISTENING: ss's own long name, and Windows/BSD netstat. */
	{ TD_LISTEN, "LISTEN", "LISTEN", "LISTEN", "listen", { "LISTENING" } },
	{ TD_CLOSING, "CLOSING", "CLOSING", "CLOSING", "closing" },
	/* The kernel's request socket (reqsk): RFC 9293 has no such state, it
	 * is SYN-RECEIVED held in a mini socket until the handshake ends. */
	{ TD_NEW_SYN_RECV, "NEW_SYN_RECV", "NEW-SYN-RECV", "SYN-RECEIVED",
	  "new-syn-recv" },
};
/* clang-format on */

#define STATE_ROWS (sizeof(state_rows) / sizeof(state_rows[0]))

#define B(s) TD_STATE_BIT(TD_##s)
/* As in iproute2's ss (scan_state()), over our 12 states: NEW_SYN_RECV goes
 * wherever SYN_RECV goes, since the kernel reports request sockets as either. */
#define MASK_BUCKET (B(SYN_RECV) | B(NEW_SYN_RECV) | B(TIME_WAIT))
#define MASK_CONNECTED (TD_STATES_ALL & ~(B(LISTEN) | B(CLOSE)))

struct group_row {
	const char *name;
	uint32_t mask;
};

/* clang-format off */
static const struct group_row group_rows[] = {
	{ "all", TD_STATES_ALL },
	{ "connected", MASK_CONNECTED },
	{ "synchronized", MASK_CONNECTED & ~B(SYN_SENT) },
	{ "bucket", MASK_BUCKET },
	{ "big", TD_STATES_ALL & ~MASK_BUCKET },
	/* Ours, not ss's: every state after one side called close() or got a
	 * FIN. "closing" alone stays the CLOSING state, as in ss. */
	{ "closing-states", B(FIN_WAIT1) | B(FIN_WAIT2) | B(CLOSING) | B(TIME_WAIT) |
			    B(CLOSE_WAIT) | B(LAST_ACK) },
};
/* clang-format on */

#define GROUP_ROWS (sizeof(group_rows) / sizeof(group_rows[0]))

/* Longest normalised name we compare; anything longer matches nothing. */
#define NORM_MAX 32

static const struct state_row *state_row(int state)
{
	size_t i;

	for (i = 0; i < STATE_ROWS; i++)
		if (state_rows[i].state == state)
			return &state_rows[i];
	return NULL;
}

const char *td_state_name(int state)
{
	const struct state_row *r = state_row(state);

	return r ? r->name : "UNKNOWN";
}

const char *td_state_short(int state)
{
	const struct state_row *r = state_row(state);

	return r ? r->short_name : "UNKNOWN";
}

const char *td_state_rfc_name(int state)
{
	const struct state_row *r = state_row(state);

	return r ? r->rfc_name : "UNKNOWN";
}

static bool is_separator(char c)
{
	return c == '-' || c == '_' || c == ' ';
}

/* Lower-case s without separators into out[NORM_MAX]; false if it does not
 * fit (then it cannot be any name we know). */
static bool normalise(const char *s, char *out)
{
	size_t n = 0;

	for (; *s; s++) {
		if (is_separator(*s))
			continue;
		if (n + 1 >= NORM_MAX) {
			out[n] = '\0';
			return false;
		}
		out[n++] = (char)tolower((unsigned char)*s);
	}
	out[n] = '\0';
	return true;
}

static bool same_name(const char *norm, const char *name)
{
	char buf[NORM_MAX];

	return name && normalise(name, buf) && strcmp(norm, buf) == 0;
}

static uint32_t state_mask(int state)
{
	uint32_t mask = TD_STATE_BIT(state);

	/* A half-open passive connection is a request socket, NEW_SYN_RECV in
	 * the kernel, which /proc/net/tcp and sock_diag report as SYN_RECV; a
	 * full socket can be SYN_RECV too (Fast Open child). A kernel-side
	 * state filter must carry both bits to see them all. */
	if (state == TD_SYN_RECV)
		mask |= TD_STATE_BIT(TD_NEW_SYN_RECV);
	return mask;
}

struct suggestion {
	const char *listed;
	int distance;
};

static void consider(struct suggestion *best, const char *norm, const char *name,
		     const char *listed)
{
	char buf[NORM_MAX];
	int dist;

	if (!name || !normalise(name, buf))
		return;
	dist = td_edit_distance(norm, buf);
	if (dist < best->distance) {
		best->distance = dist;
		best->listed = listed;
	}
}

/* The closest accepted name, if it is close enough to be a typo: one edit
 * for short words, up to three for long ones ("estabished", "fni-wait-2"). */
static const char *suggest(const char *norm)
{
	struct suggestion best = { NULL, NORM_MAX };
	int len = (int)strlen(norm), limit;
	size_t i, a;

	for (i = 0; i < STATE_ROWS; i++) {
		const struct state_row *r = &state_rows[i];

		consider(&best, norm, r->listed, r->listed);
		consider(&best, norm, r->name, r->listed);
		consider(&best, norm, r->short_name, r->listed);
		consider(&best, norm, r->rfc_name, r->listed);
		for (a = 0; a < sizeof(r->aliases) / sizeof(r->aliases[0]); a++)
			consider(&best, norm, r->aliases[a], r->listed);
	}
	for (i = 0; i < GROUP_ROWS; i++)
		consider(&best, norm, group_rows[i].name, group_rows[i].name);

	limit = len / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	return best.distance <= limit ? best.listed : NULL;
}

/* "states: established, syn-sent, ...; groups: all, ..." into buf. */
static void list_names(char *buf, size_t size)
{
	size_t i, n = 0;

	n += snprintf(buf + n, size - n, "states: ");
	for (i = 0; i < STATE_ROWS && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? ", " : "", state_rows[i].listed);
	if (n < size)
		n += snprintf(buf + n, size - n, "; groups: ");
	for (i = 0; i < GROUP_ROWS && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? ", " : "", group_rows[i].name);
}

int td_state_parse(const char *name, uint32_t *mask, struct td_err *err)
{
	char norm[NORM_MAX], shown[48], list[256];
	const char *hint;
	bool fits;
	size_t i, a;

	if (!mask)
		return td_err_set(err, -EINVAL, "td_state_parse: no place to store the mask");
	if (!name)
		return td_err_set(err, -TD_EPARSE,
				  "no state name given: name a state or a "
				  "group, e.g. 'established' or 'connected'");
	fits = normalise(name, norm);
	if (fits && norm[0] == '\0')
		return td_err_set(err, -TD_EPARSE,
				  "empty state name '%s': name a state or "
				  "a group, e.g. 'established' or 'connected'",
				  name);

	for (i = 0; fits && i < STATE_ROWS; i++) {
		const struct state_row *r = &state_rows[i];
		bool hit = same_name(norm, r->name) || same_name(norm, r->short_name) ||
			   same_name(norm, r->rfc_name) || same_name(norm, r->listed);

		for (a = 0; !hit && a < sizeof(r->aliases) / sizeof(r->aliases[0]); a++)
			hit = same_name(norm, r->aliases[a]);
		if (hit) {
			*mask = state_mask(r->state);
			return 0;
		}
	}
	for (i = 0; fits && i < GROUP_ROWS; i++) {
		if (same_name(norm, group_rows[i].name)) {
			*mask = group_rows[i].mask;
			return 0;
		}
	}

	td_printable(name, shown, sizeof(shown));
	list_names(list, sizeof(list));
	hint = fits ? suggest(norm) : NULL;
	if (hint)
		return td_err_set(err, -TD_EPARSE, "unknown state '%s': did you mean '%s'? (%s)",
				  shown, hint, list);
	return td_err_set(err, -TD_EPARSE, "unknown state '%s' (%s)", shown, list);
}

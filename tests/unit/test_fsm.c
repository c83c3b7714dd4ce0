/* Unit tests for src/lib/fsm.c: every row of the RFC 9293 state machine, the
 * lookups, and the textbook paths as connected chains of rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fsm.h"

#define CL TD_PATH_CLIENT
#define SV TD_PATH_SERVER
#define SO TD_PATH_SIM_OPEN
#define SC TD_PATH_SIM_CLOSE
#define AB TD_PATH_ABORT

struct row {
	enum td_fsm_event event;
	int from, to;
	enum td_fsm_send send;
	unsigned paths;
};

/* Written from RFC 9293 figure 5, 3.10.5 (ABORT), 3.10.7.4 (RST) and 3.10.8
 * (timeouts), independently of the table under test; rows sharing a state
 * and an event are in the order td_fsm_find() must prefer. */
static const struct row expected[] = {
	{ TD_EV_PASSIVE_OPEN, TD_CLOSE, TD_LISTEN, TD_SEND_NONE, SV },
	{ TD_EV_ACTIVE_OPEN, TD_CLOSE, TD_SYN_SENT, TD_SEND_SYN, CL },
	{ TD_EV_RCV_SYN, TD_LISTEN, TD_SYN_RECV, TD_SEND_SYN_ACK, SV },
	{ TD_EV_SEND, TD_LISTEN, TD_SYN_SENT, TD_SEND_SYN, 0 },
	{ TD_EV_CLOSE, TD_LISTEN, TD_CLOSE, TD_SEND_NONE, 0 },
	{ TD_EV_RCV_SYN_ACK, TD_SYN_SENT, TD_ESTABLISHED, TD_SEND_ACK, CL },
	{ TD_EV_RCV_SYN, TD_SYN_SENT, TD_SYN_RECV, TD_SEND_SYN_ACK, SO },
	{ TD_EV_CLOSE, TD_SYN_SENT, TD_CLOSE, TD_SEND_NONE, 0 },
	{ TD_EV_TIMEOUT, TD_SYN_SENT, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_RCV_RST, TD_SYN_SENT, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_RCV_ACK, TD_SYN_RECV, TD_ESTABLISHED, TD_SEND_NONE, SV },
	{ TD_EV_RCV_SYN_ACK, TD_SYN_RECV, TD_ESTABLISHED, TD_SEND_NONE, SO },
	{ TD_EV_CLOSE, TD_SYN_RECV, TD_FIN_WAIT1, TD_SEND_FIN, 0 },
	{ TD_EV_RCV_RST, TD_SYN_RECV, TD_LISTEN, TD_SEND_NONE, AB },
	{ TD_EV_RCV_RST, TD_SYN_RECV, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_SYN_RECV, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_CLOSE, TD_SYN_RECV, TD_CLOSE, TD_SEND_RST, AB },
	{ TD_EV_CLOSE, TD_ESTABLISHED, TD_FIN_WAIT1, TD_SEND_FIN, CL },
	{ TD_EV_RCV_FIN, TD_ESTABLISHED, TD_CLOSE_WAIT, TD_SEND_ACK, SV },
	{ TD_EV_RCV_RST, TD_ESTABLISHED, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_ESTABLISHED, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_CLOSE, TD_ESTABLISHED, TD_CLOSE, TD_SEND_RST, AB },
	{ TD_EV_RCV_ACK, TD_FIN_WAIT1, TD_FIN_WAIT2, TD_SEND_NONE, CL },
	{ TD_EV_RCV_FIN, TD_FIN_WAIT1, TD_CLOSING, TD_SEND_ACK, SC },
	{ TD_EV_RCV_FIN_ACK, TD_FIN_WAIT1, TD_TIME_WAIT, TD_SEND_ACK, 0 },
	{ TD_EV_RCV_RST, TD_FIN_WAIT1, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_FIN_WAIT1, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_CLOSE, TD_FIN_WAIT1, TD_CLOSE, TD_SEND_RST, AB },
	{ TD_EV_RCV_FIN, TD_FIN_WAIT2, TD_TIME_WAIT, TD_SEND_ACK, CL },
	{ TD_EV_RCV_RST, TD_FIN_WAIT2, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_FIN_WAIT2, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_CLOSE, TD_FIN_WAIT2, TD_CLOSE, TD_SEND_RST, AB },
	{ TD_EV_CLOSE, TD_CLOSE_WAIT, TD_LAST_ACK, TD_SEND_FIN, SV },
	{ TD_EV_RCV_RST, TD_CLOSE_WAIT, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_CLOSE_WAIT, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_CLOSE, TD_CLOSE_WAIT, TD_CLOSE, TD_SEND_RST, AB },
	{ TD_EV_RCV_ACK, TD_CLOSING, TD_TIME_WAIT, TD_SEND_NONE, SC },
	{ TD_EV_RCV_RST, TD_CLOSING, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_CLOSING, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_RCV_ACK, TD_LAST_ACK, TD_CLOSE, TD_SEND_NONE, SV },
	{ TD_EV_RCV_RST, TD_LAST_ACK, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_LAST_ACK, TD_CLOSE, TD_SEND_NONE, AB },
	{ TD_EV_TIMEOUT, TD_TIME_WAIT, TD_CLOSE, TD_SEND_NONE, CL },
	{ TD_EV_RCV_RST, TD_TIME_WAIT, TD_CLOSE, TD_SEND_NONE, AB },
};

#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static bool same_row(const struct row *r, const struct td_fsm_edge *e)
{
	return r->event == e->event && r->from == e->from && r->to == e->to && r->send == e->send &&
	       r->paths == e->paths;
}

static const char *describe(const struct td_fsm_edge *e, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s->%s send '%s' paths %#x", td_fsm_event_name(e->event),
		 td_state_name(e->from), td_state_name(e->to), td_fsm_send_name(e->send), e->paths);
	return buf;
}

/* Every expected row is in the table exactly once, every table row is
 * expected, and the relative order of rows that td_fsm_find() chooses
 * between is the expected one. */
static void test_every_row(void **state)
{
	const struct td_fsm_edge *edges;
	size_t n = 0, i, k;
	char buf[128];
	size_t pos[N_EXPECTED];

	(void)state;
	edges = td_fsm_edges(&n);
	assert_non_null(edges);
	assert_int_equal(n, N_EXPECTED);
	for (i = 0; i < N_EXPECTED; i++) {
		size_t hits = 0;

		for (k = 0; k < n; k++) {
			if (same_row(&expected[i], &edges[k])) {
				hits++;
				pos[i] = k;
			}
		}
		if (hits != 1)
			fail_msg("expected row %zu (%s %s->%s) found %zu times", i,
				 td_fsm_event_name(expected[i].event),
				 td_state_name(expected[i].from), td_state_name(expected[i].to),
				 hits);
	}
	for (k = 0; k < n; k++) {
		bool found = false;

		for (i = 0; i < N_EXPECTED && !found; i++)
			found = same_row(&expected[i], &edges[k]);
		if (!found)
			fail_msg("unexpected row %s", describe(&edges[k], buf, sizeof(buf)));
	}
	for (i = 0; i < N_EXPECTED; i++)
		for (k = i + 1; k < N_EXPECTED; k++)
			if (expected[i].from == expected[k].from &&
			    expected[i].event == expected[k].event)
				assert_true(pos[i] < pos[k]);
}

static void test_rows_well_formed(void **state)
{
	const struct td_fsm_edge *edges;
	size_t n, i, k;
	char buf[128];

	(void)state;
	edges = td_fsm_edges(&n);
	for (i = 0; i < n; i++) {
		const struct td_fsm_edge *e = &edges[i];

		describe(e, buf, sizeof(buf));
		assert_true(e->event >= 1 && e->event <= TD_EV_MAX);
		assert_true(e->from >= 1 && e->from <= TD_CLOSING);
		assert_true(e->to >= 1 && e->to <= TD_CLOSING);
		if (e->from == e->to)
			fail_msg("self loop %s", buf);
		assert_int_equal(e->paths & ~0x1fu, 0);
		assert_non_null(e->note);
		if (strlen(e->note) < 10 || strlen(e->note) > 80 || strchr(e->note, '\n'))
			fail_msg("note of %s is not one short line: '%s'", buf, e->note);
		/* Receiving RST or timing out never sends anything. */
		if (e->event == TD_EV_RCV_RST || e->event == TD_EV_TIMEOUT)
			assert_int_equal(e->send, TD_SEND_NONE);
		/* No two rows for the same event between the same states. */
		for (k = i + 1; k < n; k++)
			if (e->event == edges[k].event && e->from == edges[k].from &&
			    e->to == edges[k].to)
				fail_msg("duplicate row %s", buf);
	}
	/* The count may also be fetched without a pointer. */
	assert_ptr_equal(td_fsm_edges(NULL), edges);
}

static void test_find(void **state)
{
	const struct td_fsm_edge *e;
	int from;
	int ev;
	size_t i;

	(void)state;
	/* Every (state, event) pair: the first expected row, or none. */
	for (from = 0; from <= TD_STATE_MAX + 1; from++) {
		for (ev = 0; ev <= TD_EV_MAX + 1; ev++) {
			const struct row *want = NULL;
			int f = from == TD_NEW_SYN_RECV ? TD_SYN_RECV : from;

			for (i = 0; i < N_EXPECTED && !want; i++)
				if (expected[i].from == f && (int)expected[i].event == ev)
					want = &expected[i];
			e = td_fsm_find(from, (enum td_fsm_event)ev);
			if (!want) {
				if (e)
					fail_msg("find(%s, %d) should be NULL", td_state_name(from),
						 ev);
				continue;
			}
			assert_non_null(e);
			assert_true(same_row(want, e));
		}
	}

	e = td_fsm_find(TD_ESTABLISHED, TD_EV_CLOSE);
	assert_non_null(e);
	assert_int_equal(e->to, TD_FIN_WAIT1);
	assert_int_equal(e->send, TD_SEND_FIN);
	e = td_fsm_find(TD_SYN_RECV, TD_EV_RCV_RST);
	assert_non_null(e);
	assert_int_equal(e->to, TD_LISTEN);
	e = td_fsm_find(TD_LISTEN, TD_EV_RCV_SYN);
	assert_non_null(e);
	assert_int_equal(e->to, TD_SYN_RECV);
	assert_int_equal(e->send, TD_SEND_SYN_ACK);
	e = td_fsm_find(TD_SYN_SENT, TD_EV_RCV_SYN);
	assert_non_null(e);
	assert_int_equal(e->to, TD_SYN_RECV);
	assert_null(td_fsm_find(TD_LISTEN, TD_EV_RCV_FIN));
	assert_null(td_fsm_find(TD_TIME_WAIT, TD_EV_CLOSE));
	assert_null(td_fsm_find(TD_LAST_ACK, TD_EV_RCV_FIN));
	assert_null(td_fsm_find(-1, TD_EV_CLOSE));
	assert_null(td_fsm_find(TD_ESTABLISHED, (enum td_fsm_event)99));
	/* A request socket is SYN-RECEIVED. */
	e = td_fsm_find(TD_NEW_SYN_RECV, TD_EV_RCV_ACK);
	assert_non_null(e);
	assert_int_equal(e->to, TD_ESTABLISHED);
}

static bool expected_allows(int from, int to)
{
	size_t i;

	for (i = 0; i < N_EXPECTED; i++)
		if (expected[i].from == from && expected[i].to == to)
			return true;
	return false;
}

static void test_allows(void **state)
{
	int from, to;

	(void)state;
	assert_true(td_fsm_allows(TD_CLOSE, TD_LISTEN));
	assert_true(td_fsm_allows(TD_LISTEN, TD_SYN_RECV));
	assert_true(td_fsm_allows(TD_SYN_SENT, TD_SYN_RECV));
	assert_true(td_fsm_allows(TD_SYN_RECV, TD_LISTEN));
	assert_true(td_fsm_allows(TD_FIN_WAIT1, TD_TIME_WAIT));
	assert_true(td_fsm_allows(TD_FIN_WAIT2, TD_CLOSE));
	assert_true(td_fsm_allows(TD_TIME_WAIT, TD_CLOSE));

	assert_false(td_fsm_allows(TD_LISTEN, TD_ESTABLISHED));
	assert_false(td_fsm_allows(TD_CLOSE_WAIT, TD_FIN_WAIT1));
	assert_false(td_fsm_allows(TD_CLOSE, TD_ESTABLISHED));
	assert_false(td_fsm_allows(TD_ESTABLISHED, TD_SYN_SENT));
	assert_false(td_fsm_allows(TD_ESTABLISHED, TD_TIME_WAIT));
	assert_false(td_fsm_allows(TD_FIN_WAIT2, TD_FIN_WAIT1));
	assert_false(td_fsm_allows(TD_FIN_WAIT2, TD_CLOSING));
	assert_false(td_fsm_allows(TD_LAST_ACK, TD_TIME_WAIT));
	assert_false(td_fsm_allows(TD_CLOSING, TD_FIN_WAIT2));
	assert_false(td_fsm_allows(TD_TIME_WAIT, TD_ESTABLISHED));
	assert_false(td_fsm_allows(TD_CLOSE_WAIT, TD_TIME_WAIT));
	assert_false(td_fsm_allows(TD_SYN_SENT, TD_LISTEN));
	assert_false(td_fsm_allows(TD_ESTABLISHED, TD_ESTABLISHED));
	assert_false(td_fsm_allows(0, TD_CLOSE));
	assert_false(td_fsm_allows(TD_CLOSE, 0));
	assert_false(td_fsm_allows(TD_STATE_MAX + 1, TD_CLOSE));

	/* Exhaustively, over the RFC states. */
	for (from = 1; from <= TD_CLOSING; from++)
		for (to = 1; to <= TD_CLOSING; to++)
			if (td_fsm_allows(from, to) != expected_allows(from, to))
				fail_msg("allows(%s, %s) wrong", td_state_name(from),
					 td_state_name(to));

	/* The kernel's request socket stands for SYN-RECEIVED. */
	assert_true(td_fsm_allows(TD_LISTEN, TD_NEW_SYN_RECV));
	assert_true(td_fsm_allows(TD_NEW_SYN_RECV, TD_ESTABLISHED));
	assert_false(td_fsm_allows(TD_NEW_SYN_RECV, TD_CLOSE_WAIT));
}

/* Follow the rows carrying `path` from states[0]: there must be exactly one
 * such row out of each state in turn, leading to the next state, and no
 * other row may carry the bit. */
static void assert_chain(unsigned path, const int *states, size_t n_states)
{
	const struct td_fsm_edge *edges;
	size_t n, i, k, used = 0;

	edges = td_fsm_edges(&n);
	for (i = 0; i + 1 < n_states; i++) {
		size_t hits = 0;

		for (k = 0; k < n; k++) {
			if (!(edges[k].paths & path) || edges[k].from != states[i])
				continue;
			hits++;
			if (edges[k].to != states[i + 1])
				fail_msg("path %#x: %s goes to %s, expected %s", path,
					 td_state_name(states[i]), td_state_name(edges[k].to),
					 td_state_name(states[i + 1]));
		}
		if (hits != 1)
			fail_msg("path %#x: %zu rows out of %s", path, hits,
				 td_state_name(states[i]));
		used++;
	}
	for (k = 0, i = 0; k < n; k++)
		i += (edges[k].paths & path) != 0;
	assert_int_equal(i, used);
}

static void test_client_path(void **state)
{
	/* fsm.h: CLOSED→SYN-SENT→ESTAB→FIN-WAIT-1→FIN-WAIT-2→TIME-WAIT→CLOSED */
	/* clang-format off */
	static const int client[] = { TD_CLOSE, TD_SYN_SENT, TD_ESTABLISHED, TD_FIN_WAIT1,
				      TD_FIN_WAIT2, TD_TIME_WAIT, TD_CLOSE };
	/* clang-format on */

	(void)state;
	assert_chain(TD_PATH_CLIENT, client, sizeof(client) / sizeof(client[0]));
	assert_int_equal(td_fsm_find(TD_CLOSE, TD_EV_ACTIVE_OPEN)->send, TD_SEND_SYN);
	assert_int_equal(td_fsm_find(TD_SYN_SENT, TD_EV_RCV_SYN_ACK)->send, TD_SEND_ACK);
	assert_int_equal(td_fsm_find(TD_FIN_WAIT2, TD_EV_RCV_FIN)->send, TD_SEND_ACK);
}

static void test_server_path(void **state)
{
	/* fsm.h: LISTEN→SYN-RCVD→ESTAB→CLOSE-WAIT→LAST-ACK→CLOSED, reached from
	 * CLOSED by listen(). */
	/* clang-format off */
	static const int server[] = { TD_CLOSE, TD_LISTEN, TD_SYN_RECV, TD_ESTABLISHED,
				      TD_CLOSE_WAIT, TD_LAST_ACK, TD_CLOSE };
	/* clang-format on */

	(void)state;
	assert_chain(TD_PATH_SERVER, server, sizeof(server) / sizeof(server[0]));
	assert_int_equal(td_fsm_find(TD_LISTEN, TD_EV_RCV_SYN)->send, TD_SEND_SYN_ACK);
	assert_int_equal(td_fsm_find(TD_ESTABLISHED, TD_EV_RCV_FIN)->send, TD_SEND_ACK);
	assert_int_equal(td_fsm_find(TD_CLOSE_WAIT, TD_EV_CLOSE)->send, TD_SEND_FIN);
}

static void test_simultaneous_paths(void **state)
{
	static const int sim_open[] = { TD_SYN_SENT, TD_SYN_RECV, TD_ESTABLISHED };
	static const int sim_close[] = { TD_FIN_WAIT1, TD_CLOSING, TD_TIME_WAIT };
	const struct td_fsm_edge *e;

	(void)state;
	assert_chain(TD_PATH_SIM_OPEN, sim_open, 3);
	assert_chain(TD_PATH_SIM_CLOSE, sim_close, 3);

	/* Replay RFC 9293 figure 8 on one endpoint, by events. */
	e = td_fsm_find(TD_CLOSE, TD_EV_ACTIVE_OPEN);
	assert_int_equal(e->to, TD_SYN_SENT);
	e = td_fsm_find(e->to, TD_EV_RCV_SYN);
	assert_int_equal(e->to, TD_SYN_RECV);
	assert_int_equal(e->send, TD_SEND_SYN_ACK);
	e = td_fsm_find(e->to, TD_EV_RCV_SYN_ACK);
	assert_int_equal(e->to, TD_ESTABLISHED);
	/* ... and figure 13 (simultaneous close). */
	e = td_fsm_find(e->to, TD_EV_CLOSE);
	assert_int_equal(e->to, TD_FIN_WAIT1);
	e = td_fsm_find(e->to, TD_EV_RCV_FIN);
	assert_int_equal(e->to, TD_CLOSING);
	assert_int_equal(e->send, TD_SEND_ACK);
	e = td_fsm_find(e->to, TD_EV_RCV_ACK);
	assert_int_equal(e->to, TD_TIME_WAIT);
	e = td_fsm_find(e->to, TD_EV_TIMEOUT);
	assert_int_equal(e->to, TD_CLOSE);
}

/* RFC 9293 3.10.7.4: RST in a synchronized state ends the connection. */
static void test_reset_and_abort(void **state)
{
	/* clang-format off */
	static const int synced[] = { TD_ESTABLISHED, TD_FIN_WAIT1, TD_FIN_WAIT2,
				      TD_CLOSE_WAIT, TD_CLOSING, TD_LAST_ACK, TD_TIME_WAIT };
	/* clang-format on */
	const struct td_fsm_edge *edges;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(synced) / sizeof(synced[0]); i++) {
		const struct td_fsm_edge *e = td_fsm_find(synced[i], TD_EV_RCV_RST);

		assert_non_null(e);
		assert_int_equal(e->to, TD_CLOSE);
		assert_true(e->paths & TD_PATH_ABORT);
	}
	/* RST in LISTEN is ignored: no row. */
	assert_null(td_fsm_find(TD_LISTEN, TD_EV_RCV_RST));
	assert_null(td_fsm_find(TD_CLOSE, TD_EV_RCV_RST));

	/* Every abort row ends in CLOSED, or back in LISTEN for a passive
	 * handshake; every RST sent is on an abort row. */
	edges = td_fsm_edges(&n);
	for (i = 0; i < n; i++) {
		if (edges[i].paths & TD_PATH_ABORT)
			assert_true(edges[i].to == TD_CLOSE ||
				    (edges[i].to == TD_LISTEN && edges[i].from == TD_SYN_RECV));
		if (edges[i].send == TD_SEND_RST)
			assert_true(edges[i].paths & TD_PATH_ABORT);
		if (edges[i].event == TD_EV_RCV_RST)
			assert_int_equal(edges[i].paths, TD_PATH_ABORT);
	}
}

/* Every RFC state can be reached from CLOSED and left again. */
static void test_reachability(void **state)
{
	const struct td_fsm_edge *edges;
	bool seen[TD_STATE_MAX + 1] = { false };
	bool grew = true;
	size_t n, i;
	int s;

	(void)state;
	edges = td_fsm_edges(&n);
	seen[TD_CLOSE] = true;
	while (grew) {
		grew = false;
		for (i = 0; i < n; i++) {
			if (seen[edges[i].from] && !seen[edges[i].to]) {
				seen[edges[i].to] = true;
				grew = true;
			}
		}
	}
	for (s = 1; s <= TD_CLOSING; s++) {
		if (!seen[s])
			fail_msg("%s unreachable", td_state_name(s));
		for (i = 0; i < n && edges[i].from != s; i++)
			;
		if (i == n)
			fail_msg("no way out of %s", td_state_name(s));
	}
}

static void test_names(void **state)
{
	static const char *const events[] = {
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
	int ev;

	(void)state;
	for (ev = 1; ev <= TD_EV_MAX; ev++)
		assert_string_equal(td_fsm_event_name((enum td_fsm_event)ev), events[ev]);
	assert_string_equal(td_fsm_event_name((enum td_fsm_event)0), "unknown");
	assert_string_equal(td_fsm_event_name((enum td_fsm_event)(TD_EV_MAX + 1)), "unknown");
	assert_string_equal(td_fsm_event_name((enum td_fsm_event)(-1)), "unknown");

	assert_string_equal(td_fsm_send_name(TD_SEND_NONE), "");
	assert_string_equal(td_fsm_send_name(TD_SEND_SYN), "SYN");
	assert_string_equal(td_fsm_send_name(TD_SEND_SYN_ACK), "SYN+ACK");
	assert_string_equal(td_fsm_send_name(TD_SEND_ACK), "ACK");
	assert_string_equal(td_fsm_send_name(TD_SEND_FIN), "FIN");
	assert_string_equal(td_fsm_send_name(TD_SEND_RST), "RST");
	assert_string_equal(td_fsm_send_name((enum td_fsm_send)(TD_SEND_RST + 1)), "unknown");
	assert_string_equal(td_fsm_send_name((enum td_fsm_send)(-1)), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_rows_well_formed),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_allows),
		cmocka_unit_test(test_client_path),
		cmocka_unit_test(test_server_path),
		cmocka_unit_test(test_simultaneous_paths),
		cmocka_unit_test(test_reset_and_abort),
		cmocka_unit_test(test_reachability),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

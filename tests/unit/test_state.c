/* Unit tests for src/lib/state.c: state names, every spelling the parser
 * accepts, the ss groups' exact masks, and the error messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "state.h"

#define B(s) TD_STATE_BIT(TD_##s)

struct names {
	int state;
	const char *name, *short_name, *rfc_name;
};

static const struct names expected_names[] = {
	{ TD_ESTABLISHED, "ESTABLISHED", "ESTAB", "ESTABLISHED" },
	{ TD_SYN_SENT, "SYN_SENT", "SYN-SENT", "SYN-SENT" },
	{ TD_SYN_RECV, "SYN_RECV", "SYN-RECV", "SYN-RECEIVED" },
	{ TD_FIN_WAIT1, "FIN_WAIT1", "FIN-WAIT-1", "FIN-WAIT-1" },
	{ TD_FIN_WAIT2, "FIN_WAIT2", "FIN-WAIT-2", "FIN-WAIT-2" },
	{ TD_TIME_WAIT, "TIME_WAIT", "TIME-WAIT", "TIME-WAIT" },
	{ TD_CLOSE, "CLOSE", "UNCONN", "CLOSED" },
	{ TD_CLOSE_WAIT, "CLOSE_WAIT", "CLOSE-WAIT", "CLOSE-WAIT" },
	{ TD_LAST_ACK, "LAST_ACK", "LAST-ACK", "LAST-ACK" },
	{ TD_LISTEN, "LISTEN", "LISTEN", "LISTEN" },
	{ TD_CLOSING, "CLOSING", "CLOSING", "CLOSING" },
	{ TD_NEW_SYN_RECV, "NEW_SYN_RECV", "NEW-SYN-RECV", "SYN-RECEIVED" },
};

#define N_NAMES (sizeof(expected_names) / sizeof(expected_names[0]))

/* The mask one state's name must parse to. */
static uint32_t mask_of(int state)
{
	if (state == TD_SYN_RECV)
		return B(SYN_RECV) | B(NEW_SYN_RECV);
	return TD_STATE_BIT(state);
}

static uint32_t parse_ok(const char *name)
{
	struct td_err err = { 0 };
	uint32_t mask = 0xdeadbeef;
	int rc = td_state_parse(name, &mask, &err);

	if (rc != 0)
		fail_msg("'%s' did not parse: %d %s", name, rc, err.msg);
	return mask;
}

static void test_constants(void **state)
{
	(void)state;
	/* The kernel's numbering (include/net/tcp_states.h). */
	assert_int_equal(TD_ESTABLISHED, 1);
	assert_int_equal(TD_CLOSE, 7);
	assert_int_equal(TD_LISTEN, 10);
	assert_int_equal(TD_NEW_SYN_RECV, 12);
	assert_int_equal(TD_STATES_ALL, 0x1ffe);
}

static void test_names(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(N_NAMES, TD_STATE_MAX);
	for (i = 0; i < N_NAMES; i++) {
		const struct names *e = &expected_names[i];

		assert_string_equal(td_state_name(e->state), e->name);
		assert_string_equal(td_state_short(e->state), e->short_name);
		assert_string_equal(td_state_rfc_name(e->state), e->rfc_name);
	}
}

static void test_names_out_of_range(void **state)
{
	static const int bad[] = { 0, -1, TD_STATE_MAX + 1, 255, -2147483647 - 1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_string_equal(td_state_name(bad[i]), "UNKNOWN");
		assert_string_equal(td_state_short(bad[i]), "UNKNOWN");
		assert_string_equal(td_state_rfc_name(bad[i]), "UNKNOWN");
	}
}

/* Every name the module prints parses back to its own state. */
static void test_round_trip(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_NAMES; i++) {
		int s = expected_names[i].state;

		assert_int_equal(parse_ok(td_state_name(s)), mask_of(s));
		assert_int_equal(parse_ok(td_state_short(s)), mask_of(s));
		/* NEW_SYN_RECV has no RFC name of its own: it is SYN-RECEIVED. */
		if (s == TD_NEW_SYN_RECV)
			assert_int_equal(parse_ok(td_state_rfc_name(s)), mask_of(TD_SYN_RECV));
		else
			assert_int_equal(parse_ok(td_state_rfc_name(s)), mask_of(s));
	}
}

struct spelling {
	const char *text;
	uint32_t mask;
};

static const struct spelling spellings[] = {
	/* canonical kernel / Linux netstat */
	{ "ESTABLISHED", B(ESTABLISHED) },
	{ "SYN_SENT", B(SYN_SENT) },
	{ "SYN_RECV", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "FIN_WAIT1", B(FIN_WAIT1) },
	{ "FIN_WAIT2", B(FIN_WAIT2) },
	{ "TIME_WAIT", B(TIME_WAIT) },
	{ "CLOSE", B(CLOSE) },
	{ "CLOSE_WAIT", B(CLOSE_WAIT) },
	{ "LAST_ACK", B(LAST_ACK) },
	{ "LISTEN", B(LISTEN) },
	{ "CLOSING", B(CLOSING) },
	{ "NEW_SYN_RECV", B(NEW_SYN_RECV) },
	/* ss short names, as printed */
	{ "ESTAB", B(ESTABLISHED) },
	{ "SYN-SENT", B(SYN_SENT) },
	{ "SYN-RECV", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "FIN-WAIT-1", B(FIN_WAIT1) },
	{ "FIN-WAIT-2", B(FIN_WAIT2) },
	{ "TIME-WAIT", B(TIME_WAIT) },
	{ "UNCONN", B(CLOSE) },
	{ "CLOSE-WAIT", B(CLOSE_WAIT) },
	{ "LAST-ACK", B(LAST_ACK) },
	{ "NEW-SYN-RECV", B(NEW_SYN_RECV) },
	/* ss long names (its `state` filter) */
	{ "established", B(ESTABLISHED) },
	{ "syn-recv", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "syn-rcv", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "unconnected", B(CLOSE) },
	{ "listening", B(LISTEN) },
	{ "closed", B(CLOSE) },
	{ "close", B(CLOSE) },
	/* RFC 9293 */
	{ "SYN-RECEIVED", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "CLOSED", B(CLOSE) },
	/* BSD / Windows netstat */
	{ "SYN_RCVD", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "SYN_RECEIVED", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "FIN_WAIT_1", B(FIN_WAIT1) },
	{ "FIN_WAIT_2", B(FIN_WAIT2) },
	{ "LISTENING", B(LISTEN) },
	{ "TIMEWAIT", B(TIME_WAIT) },
	/* case, separators mixed, doubled, missing, padded */
	{ "Established", B(ESTABLISHED) },
	{ "eStAb", B(ESTABLISHED) },
	{ "finwait1", B(FIN_WAIT1) },
	{ "FinWait2", B(FIN_WAIT2) },
	{ "fin_wait-1", B(FIN_WAIT1) },
	{ "fin wait 2", B(FIN_WAIT2) },
	{ "time wait", B(TIME_WAIT) },
	{ "time__wait", B(TIME_WAIT) },
	{ "closewait", B(CLOSE_WAIT) },
	{ "lastack", B(LAST_ACK) },
	{ "synsent", B(SYN_SENT) },
	{ "syn_rcvd", B(SYN_RECV) | B(NEW_SYN_RECV) },
	{ "new syn recv", B(NEW_SYN_RECV) },
	{ " established ", B(ESTABLISHED) },
	{ "-listen-", B(LISTEN) },
	/* "closing" is the state, as in ss, not the group */
	{ "closing", B(CLOSING) },
	{ "Closing", B(CLOSING) },
};

static void test_spellings(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		uint32_t got = parse_ok(spellings[i].text);

		if (got != spellings[i].mask)
			fail_msg("'%s' parsed to %#x, want %#x", spellings[i].text, got,
				 spellings[i].mask);
	}
}

/* Masks spelled out bit by bit, checked against iproute2 ss's scan_state():
 *   connected    = SS_ALL & ~(CLOSE | LISTEN)
 *   synchronized = SS_ALL & ~(CLOSE | LISTEN | SYN_SENT)
 *   bucket       = SYN_RECV | TIME_WAIT
 *   big          = SS_ALL & ~(SYN_RECV | TIME_WAIT)
 * with NEW_SYN_RECV following SYN_RECV, and no bit 0 (ss's UNKNOWN). */
static void test_groups_exact(void **state)
{
	const uint32_t all = B(ESTABLISHED) | B(SYN_SENT) | B(SYN_RECV) | B(FIN_WAIT1) |
			     B(FIN_WAIT2) | B(TIME_WAIT) | B(CLOSE) | B(CLOSE_WAIT) | B(LAST_ACK) |
			     B(LISTEN) | B(CLOSING) | B(NEW_SYN_RECV);
	const uint32_t connected = B(ESTABLISHED) | B(SYN_SENT) | B(SYN_RECV) | B(FIN_WAIT1) |
				   B(FIN_WAIT2) | B(TIME_WAIT) | B(CLOSE_WAIT) | B(LAST_ACK) |
				   B(CLOSING) | B(NEW_SYN_RECV);
	const uint32_t synchronized = B(ESTABLISHED) | B(SYN_RECV) | B(FIN_WAIT1) | B(FIN_WAIT2) |
				      B(TIME_WAIT) | B(CLOSE_WAIT) | B(LAST_ACK) | B(CLOSING) |
				      B(NEW_SYN_RECV);
	const uint32_t bucket = B(SYN_RECV) | B(TIME_WAIT) | B(NEW_SYN_RECV);
	const uint32_t big = B(ESTABLISHED) | B(SYN_SENT) | B(FIN_WAIT1) | B(FIN_WAIT2) | B(CLOSE) |
			     B(CLOSE_WAIT) | B(LAST_ACK) | B(LISTEN) | B(CLOSING);
	const uint32_t closing_states = B(FIN_WAIT1) | B(FIN_WAIT2) | B(CLOSING) | B(TIME_WAIT) |
					B(CLOSE_WAIT) | B(LAST_ACK);

	(void)state;
	assert_int_equal(all, TD_STATES_ALL);
	assert_int_equal(parse_ok("all"), all);
	assert_int_equal(parse_ok("ALL"), all);
	assert_int_equal(parse_ok("connected"), connected);
	assert_int_equal(parse_ok("Connected"), connected);
	assert_int_equal(parse_ok("synchronized"), synchronized);
	assert_int_equal(parse_ok("bucket"), bucket);
	assert_int_equal(parse_ok("big"), big);
	assert_int_equal(parse_ok("closing-states"), closing_states);
	assert_int_equal(parse_ok("closing_states"), closing_states);
	assert_int_equal(parse_ok("CLOSINGSTATES"), closing_states);
	assert_int_equal(parse_ok("closing states"), closing_states);
}

/* The relations ss's definitions imply, whatever the bits are. */
static void test_groups_relations(void **state)
{
	uint32_t all = parse_ok("all");

	(void)state;
	assert_int_equal(parse_ok("connected"), all & ~(parse_ok("listen") | parse_ok("closed")));
	assert_int_equal(parse_ok("synchronized"), parse_ok("connected") & ~parse_ok("syn-sent"));
	assert_int_equal(parse_ok("bucket"), parse_ok("syn-recv") | parse_ok("time-wait"));
	assert_int_equal(parse_ok("big") | parse_ok("bucket"), all);
	assert_int_equal(parse_ok("big") & parse_ok("bucket"), 0);
	assert_int_equal(all & 1u, 0); /* no bit 0 */
	assert_int_equal(all & ~0x1ffeu, 0);
	assert_int_not_equal(parse_ok("closing"), parse_ok("closing-states"));
}

static void expect_error(const char *name, const char *want_msg)
{
	struct td_err err = { 0 };
	uint32_t mask = 0x5a5a;
	int rc = td_state_parse(name, &mask, &err);

	assert_int_equal(rc, -TD_EPARSE);
	assert_int_equal(err.code, -TD_EPARSE);
	assert_int_equal(mask, 0x5a5a); /* untouched on failure */
	if (want_msg)
		assert_string_equal(err.msg, want_msg);
}

#define LIST                                                                                       \
	"(states: established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, "            \
	"closed, close-wait, last-ack, listen, closing, new-syn-recv; groups: all, "               \
	"connected, synchronized, bucket, big, closing-states)"

static void test_unknown_with_suggestion(void **state)
{
	(void)state;
	expect_error("estabished", "unknown state 'estabished': did you mean "
				   "'established'? " LIST);
	expect_error("lisen", "unknown state 'lisen': did you mean 'listen'? " LIST);
	/* swapped letters count as one edit */
	expect_error("fni-wait-2", "unknown state 'fni-wait-2': did you mean "
				   "'fin-wait-2'? " LIST);
	expect_error("bgi", "unknown state 'bgi': did you mean 'big'? " LIST);
	expect_error("conected", "unknown state 'conected': did you mean 'connected'? " LIST);
	/* a typo of an alias suggests the listed name of its state */
	expect_error("TIME_WAITT", "unknown state 'TIME_WAITT': did you mean "
				   "'time-wait'? " LIST);
	expect_error("SYN_RCDV", "unknown state 'SYN_RCDV': did you mean 'syn-recv'? " LIST);
	expect_error("closing-state", "unknown state 'closing-state': did you mean "
				      "'closing-states'? " LIST);
}

static void test_unknown_without_suggestion(void **state)
{
	(void)state;
	expect_error("xyzzy", "unknown state 'xyzzy' " LIST);
	expect_error("syn", "unknown state 'syn' " LIST);
	expect_error("open", "unknown state 'open' " LIST);
	/* prefixes are not accepted: "fin-wait" is two states */
	expect_error("fin-wait", NULL);
	expect_error("established2", NULL);
	expect_error("estab lished x", NULL);
}

static void test_null_and_empty(void **state)
{
	struct td_err err = { 0 };
	uint32_t mask = 7;

	(void)state;
	assert_int_equal(td_state_parse(NULL, &mask, &err), -TD_EPARSE);
	assert_int_equal(err.code, -TD_EPARSE);
	assert_non_null(strstr(err.msg, "no state name"));
	assert_int_equal(mask, 7);

	expect_error("", NULL);
	assert_int_equal(td_state_parse("", &mask, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "empty state name"));
	assert_int_equal(td_state_parse("- _ -", &mask, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "empty state name"));

	assert_int_equal(td_state_parse("listen", NULL, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);

	/* err may be NULL: the code still comes back */
	assert_int_equal(td_state_parse("nope", &mask, NULL), -TD_EPARSE);
	assert_int_equal(td_state_parse(NULL, &mask, NULL), -TD_EPARSE);
	assert_int_equal(td_state_parse("listen", &mask, NULL), 0);
	assert_int_equal(mask, B(LISTEN));
}

static void test_hostile_input(void **state)
{
	struct td_err err = { 0 };
	char longname[300];
	uint32_t mask = 0;

	(void)state;
	/* Too long to be any name: rejected, echoed cut short, no suggestion. */
	memset(longname, 'e', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(td_state_parse(longname, &mask, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "...'"));
	assert_null(strstr(err.msg, "did you mean"));
	assert_true(strlen(err.msg) < sizeof(err.msg) - 1);

	/* A long run of separators around a real name still parses. */
	memset(longname, '-', sizeof(longname) - 1);
	memcpy(longname + 100, "listen", 6);
	assert_int_equal(td_state_parse(longname, &mask, &err), 0);
	assert_int_equal(mask, B(LISTEN));

	/* Control bytes and non-ASCII are not echoed raw into the message. */
	assert_int_equal(td_state_parse("est\033[31mab\xff", &mask, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "'est?[31mab?'"));
	assert_null(strchr(err.msg, '\033'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_out_of_range),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_groups_exact),
		cmocka_unit_test(test_groups_relations),
		cmocka_unit_test(test_unknown_with_suggestion),
		cmocka_unit_test(test_unknown_without_suggestion),
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_hostile_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for route.c: the loss analysis on hand-made hop tables (no loss,
 * one silent router, rate limiting at one hop, loss that starts and
 * persists, a silent hop before real loss, filtered and unreachable ends),
 * the names, and real rounds against loopback (open and closed port). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "reach/route.h"

static struct td_route route;

static void dst4(struct sockaddr_storage *ss, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* A path of n hops; received[i] answers out of sent at hop i+1; dest_ttl 0 =
 * not reached. */
static struct td_route *path(unsigned n, unsigned sent, const unsigned *received, unsigned dest_ttl,
			     enum td_dest_verdict v)
{
	struct sockaddr_storage ss;

	dst4(&ss, 80);
	td_route_init(&route, &ss);
	for (unsigned t = 1; t <= n; t++) {
		route.hop[t].sent = sent;
		route.hop[t].received = received[t - 1];
		route.hop[t].addr_set = received[t - 1] > 0;
		for (unsigned k = 0; k < received[t - 1]; k++)
			td_stats_add(&route.hop[t].rtt, 1.0 * t);
	}
	route.dest_ttl = dest_ttl;
	route.verdict = v;
	return &route;
}

static void marks(const struct td_route *r, const enum td_hop_loss *want, unsigned n)
{
	for (unsigned t = 1; t <= n; t++)
		if (r->hop[t].loss != want[t - 1])
			fail_msg("hop %u: loss mark %d, expected %d", t, r->hop[t].loss,
				 want[t - 1]);
}

static void test_no_loss(void **state)
{
	static const unsigned got[] = { 10, 10, 10, 10 };
	static const enum td_hop_loss want[] = { 0, 0, 0, 0 };
	struct td_route *r = path(4, 10, got, 4, TD_DEST_OPEN);

	(void)state;
	td_route_analyze(r, 30);
	assert_int_equal(r->last_ttl, 4);
	assert_int_equal(r->loss_start, 0);
	marks(r, want, 4);
}

static void test_silent_router(void **state)
{
	/* Hop 2 never answers (ICMP dropped): "???", only there. */
	static const unsigned got[] = { 10, 0, 10, 10 };
	static const enum td_hop_loss want[] = { TD_LOSS_NONE, TD_LOSS_ONLY_HERE, TD_LOSS_NONE,
						 TD_LOSS_NONE };
	struct td_route *r = path(4, 10, got, 4, TD_DEST_OPEN);

	(void)state;
	td_route_analyze(r, 30);
	assert_int_equal(r->loss_start, 0);
	marks(r, want, 4);
	assert_true(td_hop_loss_pct(&r->hop[2]) == 100.0);
}

static void test_rate_limited_hop(void **state)
{
	/* Hop 3 answers half: later hops lose nothing, so it is rate limiting. */
	static const unsigned got[] = { 10, 10, 5, 10, 10 };
	static const enum td_hop_loss want[] = { 0, 0, TD_LOSS_ONLY_HERE, 0, 0 };
	struct td_route *r = path(5, 10, got, 5, TD_DEST_OPEN);

	(void)state;
	td_route_analyze(r, 30);
	assert_int_equal(r->loss_start, 0);
	marks(r, want, 5);
	assert_true(td_hop_loss_pct(&r->hop[3]) == 50.0);
}

static void test_persistent_loss(void **state)
{
	/* Loss from hop 3 on, to the destination: real. Hop 1's blip is not. */
	static const unsigned got[] = { 9, 10, 7, 6, 7 };
	static const enum td_hop_loss want[] = { TD_LOSS_ONLY_HERE, TD_LOSS_NONE, TD_LOSS_STARTS,
						 TD_LOSS_CONTINUES, TD_LOSS_CONTINUES };
	struct td_route *r = path(5, 10, got, 5, TD_DEST_OPEN);

	(void)state;
	td_route_analyze(r, 30);
	assert_int_equal(r->loss_start, 3);
	marks(r, want, 5);
}

static void test_silent_hop_before_loss(void **state)
{
	/* Hop 2 is silent, real loss starts at 3: the run must not start at the
	 * silent hop. */
	static const unsigned got[] = { 10, 0, 8, 8 };
	static const enum td_hop_loss want[] = { TD_LOSS_NONE, TD_LOSS_ONLY_HERE, TD_LOSS_STARTS,
						 TD_LOSS_CONTINUES };
	struct td_route *r = path(4, 10, got, 4, TD_DEST_OPEN);

	(void)state;
	td_route_analyze(r, 30);
	assert_int_equal(r->loss_start, 3);
	marks(r, want, 4);
}

static void test_filtered(void **state)
{
	/* Hops 1-3 answer, nothing beyond: one silent row stands for the rest,
	 * and the silence "starts" right after hop 3. */
	unsigned got[30] = { 5, 5, 5 };
	struct td_route *r = path(30, 5, got, 0, TD_DEST_OPEN);

	(void)state;
	td_route_analyze(r, 30);
	assert_int_equal(r->verdict, TD_DEST_FILTERED);
	assert_int_equal(r->last_ttl, 4);
	assert_int_equal(r->loss_start, 4);
	assert_int_equal(r->hop[4].loss, TD_LOSS_STARTS);
	assert_int_equal(r->hop[3].loss, TD_LOSS_NONE);
	assert_int_equal(r->hop[5].loss, TD_LOSS_NONE); /* beyond what is shown */

	/* Nothing answers at all: one row. */
	memset(got, 0, sizeof(got));
	r = path(30, 5, got, 0, TD_DEST_FILTERED);
	td_route_analyze(r, 30);
	assert_int_equal(r->last_ttl, 1);
	assert_int_equal(r->loss_start, 1);

	/* Filtered with max hops reached: no extra row past max_hops. */
	memset(got, 0, sizeof(got));
	got[0] = got[1] = 5;
	r = path(2, 5, got, 0, TD_DEST_FILTERED);
	td_route_analyze(r, 2);
	assert_int_equal(r->last_ttl, 2);
}

static void test_unreachable(void **state)
{
	/* Hop 2 answers ICMP unreachable for some probes (rate-limited): the
	 * path ends there and its loss is not "real loss". */
	static const unsigned got[] = { 4, 2 };
	struct td_route *r = path(2, 4, got, 2, TD_DEST_UNREACHABLE);

	(void)state;
	td_route_analyze(r, 30);
	assert_int_equal(r->last_ttl, 2);
	assert_int_equal(r->loss_start, 0);
	assert_int_equal(r->hop[2].loss, TD_LOSS_ONLY_HERE);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(td_dest_verdict_name(TD_DEST_OPEN), "open");
	assert_string_equal(td_dest_verdict_name(TD_DEST_CLOSED), "closed");
	assert_string_equal(td_dest_verdict_name(TD_DEST_FILTERED), "filtered");
	assert_string_equal(td_dest_verdict_name(TD_DEST_UNREACHABLE), "unreachable");
	assert_string_equal(td_dest_verdict_name((enum td_dest_verdict)42), "?");
	assert_string_equal(td_hop_reply_name(TD_HOP_TIME_EXCEEDED), "time-exceeded");
	assert_string_equal(td_hop_reply_name(TD_HOP_RST), "rst");
	assert_true(td_hop_loss_pct(&(struct td_hop){ 0 }) == 0);
}

static void test_loopback_rounds(void **state)
{
	struct td_route_opts o = { .max_hops = 5, .timeout_ms = 1000 };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct td_err err = { 0 };
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_true(lfd >= 0);
	dst4(&ss, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)), 0);
	assert_int_equal(listen(lfd, 64), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&ss, &sl), 0);

	/* Open: every TTL reaches 127.0.0.1 at once; the destination is hop 1,
	 * and the second round sends one probe only. */
	td_route_init(&route, &ss);
	assert_int_equal(td_route_round(&route, &o, &err), 0);
	assert_int_equal(route.dest_ttl, 1);
	assert_int_equal(route.verdict, TD_DEST_OPEN);
	assert_int_equal(route.hop[1].reply, TD_HOP_SYNACK);
	assert_int_equal(route.hop[5].sent, 1);
	assert_int_equal(td_route_round(&route, &o, &err), 0);
	assert_int_equal(route.hop[1].sent, 2);
	assert_int_equal(route.hop[1].received, 2);
	assert_int_equal(route.hop[2].sent, 1);
	td_route_analyze(&route, o.max_hops);
	assert_int_equal(route.last_ttl, 1);
	assert_int_equal(route.rounds, 2);
	assert_true(route.hop[1].addr_set);
	assert_int_equal(td_sockaddr_port(&route.hop[1].addr), 0);

	/* Closed: RST. */
	close(lfd);
	td_route_init(&route, &ss);
	assert_int_equal(td_route_round(&route, &o, &err), 0);
	td_route_analyze(&route, o.max_hops);
	assert_int_equal(route.verdict, TD_DEST_CLOSED);
	assert_int_equal(route.dest_ttl, 1);
	assert_int_equal(route.hop[1].reply, TD_HOP_RST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_loss),
		cmocka_unit_test(test_silent_router),
		cmocka_unit_test(test_rate_limited_hop),
		cmocka_unit_test(test_persistent_loss),
		cmocka_unit_test(test_silent_hop_before_loss),
		cmocka_unit_test(test_filtered),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_loopback_rounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

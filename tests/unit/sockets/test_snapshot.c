/* Unit tests for the aggregated snapshot: hand-made td_sock records, no
 * kernel. Server/client split by listener port, groups, bounded distinct
 * counts, bounded top-K lists, request sockets folded into SYN_RECV. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockets/snapshot.h"

static struct td_sock mk(int state, const char *laddr, uint16_t lport, const char *raddr,
			 uint16_t rport)
{
	struct td_sock s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.state = (uint8_t)state;
	s.lport = lport;
	s.rport = rport;
	assert_int_equal(inet_pton(AF_INET, laddr, s.laddr), 1);
	assert_int_equal(inet_pton(AF_INET, raddr, s.raddr), 1);
	return s;
}

static struct td_sock listener(uint16_t port, uint32_t queue, uint32_t backlog)
{
	struct td_sock s = mk(TD_LISTEN, "0.0.0.0", port, "0.0.0.0", 0);

	s.rqueue = queue;
	s.wqueue = backlog;
	s.flags = TD_SOCK_HAS_BACKLOG;
	s.inode = 1000 + port;
	return s;
}

static void test_empty(void **state)
{
	struct td_snapshot snap;

	(void)state;
	td_snapshot_init(&snap, NULL);
	assert_int_equal(snap.total, 0);
	assert_int_equal(snap.ngroups, 0);
	assert_null(td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 80, 0, 0, NULL));
	assert_false(td_snapshot_is_listen_port(&snap, 80));
	td_snapshot_free(&snap);
	td_snapshot_free(&snap); /* twice is harmless */
}

static void test_listeners_and_split(void **state)
{
	struct td_snapshot snap;
	struct td_sock s;
	const struct td_snap_group *g;
	uint8_t peer[16] = { 0 };

	(void)state;
	td_snapshot_init(&snap, NULL);
	s = listener(8080, 3, 128);
	assert_int_equal(td_snapshot_add_owned(&snap, &s, 42, "web"), 0);
	assert_int_equal(snap.nlisteners, 1);
	assert_int_equal(snap.listeners[0].port, 8080);
	assert_int_equal(snap.listeners[0].accept_queue, 3);
	assert_int_equal(snap.listeners[0].backlog, 128);
	assert_true(snap.listeners[0].has_backlog);
	assert_int_equal(snap.listeners[0].pid, 42);
	assert_string_equal(snap.listeners[0].comm, "web");
	assert_true(td_snapshot_is_listen_port(&snap, 8080));
	assert_false(td_snapshot_is_listen_port(&snap, 8081));
	assert_false(td_snapshot_is_listen_port(&snap, 8079));

	/* Server side: three CLOSE_WAIT on 8080 from two clients. */
	for (int i = 0; i < 3; i++) {
		s = mk(TD_CLOSE_WAIT, "192.0.2.1", 8080, i ? "192.0.2.2" : "192.0.2.3",
		       (uint16_t)(50000 + i));
		s.inode = 5000 + i;
		assert_int_equal(td_snapshot_add_owned(&snap, &s, 42, "web"), 0);
	}
	/* Client side: CLOSE_WAIT towards 198.51.100.7:5432 from ephemeral ports. */
	for (int i = 0; i < 2; i++) {
		s = mk(TD_CLOSE_WAIT, "192.0.2.1", (uint16_t)(40000 + i), "198.51.100.7", 5432);
		assert_int_equal(td_snapshot_add_owned(&snap, &s, 43, "app"), 0);
	}
	assert_int_equal(snap.total, 6);
	assert_int_equal(snap.counts[TD_LISTEN], 1);
	assert_int_equal(snap.counts[TD_CLOSE_WAIT], 5);
	assert_int_equal(snap.ipv4, 6);

	g = td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 8080, 42, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->count, 3);
	assert_string_equal(g->comm, "web");
	/* Ephemeral local ports fold into port 0: one group, not one per socket. */
	g = td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 0, 43, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->count, 2);
	assert_null(td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 40000, 43, 0, NULL));

	/* Peer groups: client side keeps the destination port, server side not. */
	inet_pton(AF_INET, "198.51.100.7", peer);
	g = td_snapshot_group(&snap, TD_SNAP_PEER, TD_CLOSE_WAIT, 5432, 43, AF_INET, peer);
	assert_non_null(g);
	assert_int_equal(g->count, 2);
	memset(peer, 0, sizeof(peer));
	inet_pton(AF_INET, "192.0.2.2", peer);
	g = td_snapshot_group(&snap, TD_SNAP_PEER, TD_CLOSE_WAIT, 0, 42, AF_INET, peer);
	assert_non_null(g);
	assert_int_equal(g->count, 2);
	/* local: 8080/42 and 0/43; peer: .3, .2, 198.51.100.7 */
	assert_int_equal(snap.ngroups, 5);
	td_snapshot_free(&snap);
}

static void test_request_sockets_and_distinct(void **state)
{
	struct td_snapshot snap;
	struct td_sock s;
	const struct td_snap_group *g;

	(void)state;
	td_snapshot_init(&snap, NULL);
	s = listener(443, 0, 4096);
	td_snapshot_add(&snap, &s);
	/* 1100 request sockets from 1100 addresses (2001:db8::N), 50 more from
	 * the first one. */
	for (int i = 0; i < 1150; i++) {
		int a = i < 1100 ? i : 0;

		s = mk(i % 2 ? TD_NEW_SYN_RECV : TD_SYN_RECV, "192.0.2.1", 443, "192.0.2.9",
		       (uint16_t)(1024 + i));
		s.family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8::", s.raddr);
		s.raddr[14] = (uint8_t)(a >> 8);
		s.raddr[15] = (uint8_t)a;
		s.retrans = (uint8_t)(i % 3);
		assert_int_equal(td_snapshot_add(&snap, &s), 0);
	}
	assert_int_equal(snap.counts[TD_SYN_RECV], 1150);
	assert_int_equal(snap.counts[TD_NEW_SYN_RECV], 0);
	g = td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_SYN_RECV, 443, 0, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->count, 1150);
	assert_int_equal(g->max_retrans, 2);
	assert_int_equal(g->retransmitting, 1150 - 384); /* i % 3 != 0 */
	/* Bounded: exact up to TD_SNAP_DISTINCT_MAX, then marked full. */
	assert_int_equal(g->distinct, TD_SNAP_DISTINCT_MAX);
	assert_true(g->distinct_full);
	td_snapshot_free(&snap);

	/* Below the bound the count is exact, repeats not counted twice. */
	td_snapshot_init(&snap, NULL);
	for (int i = 0; i < 30; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "198.51.100.%d", i % 10);
		s = mk(TD_SYN_SENT, "192.0.2.1", (uint16_t)(40000 + i), addr, 80);
		td_snapshot_add_owned(&snap, &s, 7, "curl");
	}
	g = td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_SYN_SENT, 0, 7, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->count, 30);
	assert_int_equal(g->distinct, 10);
	assert_false(g->distinct_full);
	td_snapshot_free(&snap);
}

static void test_top_lists(void **state)
{
	struct td_snapshot snap;
	struct td_sock s;
	const struct td_snap_top_list *t;

	(void)state;
	td_snapshot_init(&snap, NULL);
	for (uint32_t i = 1; i <= 40; i++) {
		s = mk(TD_ESTABLISHED, "192.0.2.1", (uint16_t)(30000 + i), "192.0.2.2", 80);
		/* Values in a scrambled order so insertion is exercised. */
		s.wqueue = (i * 7919) % 101 * 1000;
		s.rqueue = i == 17 ? 5 : 0;
		s.flags = TD_SOCK_HAS_INFO;
		s.info.last_data_recv_ms = i * 1000;
		s.info.last_data_sent_ms = i * 1000 + 1; /* idle is the smaller */
		s.info.total_retrans = i % 5;
		s.timer = i % 4 == 0 ? TD_TIMER_KEEPALIVE : TD_TIMER_NONE;
		td_snapshot_add_owned(&snap, &s, i, "x");
	}
	t = &snap.top[TD_TOP_SENDQ];
	assert_int_equal(t->n, TD_SNAP_TOPK);
	for (size_t k = 1; k < t->n; k++)
		assert_true(t->v[k - 1].value >= t->v[k].value);
	assert_int_equal(t->v[0].value, 100000);
	assert_int_equal(t->v[0].s.wqueue, 100000);
	/* Only the one socket with a Recv-Q (zero values are not notable). */
	t = &snap.top[TD_TOP_RECVQ];
	assert_int_equal(t->n, 1);
	assert_int_equal(t->v[0].pid, 17);
	assert_string_equal(t->v[0].comm, "x");
	/* Idle list: no keepalive timer only; the idlest first. */
	t = &snap.top[TD_TOP_IDLE];
	assert_int_equal(t->n, TD_SNAP_TOPK);
	assert_int_equal(t->v[0].value, 39000); /* 40 has a keepalive timer */
	assert_int_equal(t->v[0].pid, 39);
	for (size_t k = 0; k < t->n; k++)
		assert_int_not_equal(t->v[k].s.timer, TD_TIMER_KEEPALIVE);
	assert_int_equal(snap.no_keepalive_estab, 30);
	t = &snap.top[TD_TOP_RETRANS];
	assert_int_equal(t->n, TD_SNAP_TOPK);
	assert_int_equal(t->v[0].value, 4);
	assert_int_equal(t->v[TD_SNAP_TOPK - 1].value, 3);
	assert_int_equal(snap.with_info, 40);
	td_snapshot_free(&snap);
}

static void test_no_info_no_idle(void **state)
{
	struct td_snapshot snap;
	struct td_sock s;
	const struct td_snap_group *g;

	(void)state;
	/* /proc source: no tcp_info, so no idle list and no idle maxima. */
	td_snapshot_init(&snap, NULL);
	s = mk(TD_ESTABLISHED, "192.0.2.1", 30000, "192.0.2.2", 80);
	s.info.last_data_recv_ms = 999999;
	td_snapshot_add(&snap, &s);
	assert_int_equal(snap.top[TD_TOP_IDLE].n, 0);
	g = td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_ESTABLISHED, 0, 0, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->max_idle_ms, 0);
	assert_int_equal(g->with_info, 0);
	assert_int_equal(snap.no_keepalive_estab, 1);
	td_snapshot_free(&snap);
}

static void test_many_groups_and_ipv6(void **state)
{
	struct td_snapshot snap;
	struct td_sock s;
	const struct td_snap_group *g;

	(void)state;
	td_snapshot_init(&snap, NULL);
	/* 3000 distinct destinations: the hash grows and every group is found. */
	for (int i = 0; i < 3000; i++) {
		memset(&s, 0, sizeof(s));
		s.family = AF_INET6;
		s.state = TD_TIME_WAIT;
		s.lport = (uint16_t)(32768 + i);
		s.rport = 443;
		inet_pton(AF_INET6, "2001:db8::1", s.laddr);
		inet_pton(AF_INET6, "2001:db8::", s.raddr);
		s.raddr[14] = (uint8_t)(i >> 8);
		s.raddr[15] = (uint8_t)i;
		assert_int_equal(td_snapshot_add(&snap, &s), 0);
	}
	assert_int_equal(snap.ipv6, 3000);
	assert_int_equal(snap.ngroups, 3001); /* one local group + 3000 peers */
	for (int i = 0; i < 3000; i += 97) {
		uint8_t a[16];

		inet_pton(AF_INET6, "2001:db8::", a);
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
		g = td_snapshot_group(&snap, TD_SNAP_PEER, TD_TIME_WAIT, 443, 0, AF_INET6, a);
		assert_non_null(g);
		assert_int_equal(g->count, 1);
	}
	g = td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_TIME_WAIT, 0, 0, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->count, 3000);
	td_snapshot_free(&snap);
}

/* Persistence by cookie: a second read (check) or the previous sample
 * (serve, record); no cookies, no judgement. */
static void test_confirm(void **state)
{
	struct td_snapshot prev, now;
	const struct td_snap_group *g;

	(void)state;
	td_snapshot_init(&prev, NULL);
	td_snapshot_init(&now, NULL);
	for (int i = 0; i < 8; i++) {
		struct td_sock s =
			mk(TD_CLOSE_WAIT, "127.0.0.1", (uint16_t)(40000 + i), "127.0.0.1", 6379);

		s.cookie = (uint64_t)(100 + i);
		s.flags = TD_SOCK_HAS_COOKIE;
		if (i < 5)
			assert_int_equal(td_snapshot_add_owned(&prev, &s, 7, "pool"), 0);
		if (i >= 2)
			assert_int_equal(td_snapshot_add_owned(&now, &s, 7, "pool"), 0);
	}
	td_snapshot_keep_marks(&prev);
	assert_int_equal(prev.ngroups, 0);
	assert_int_equal(td_snapshot_confirm_prev(&now, &prev), 0);
	assert_true(now.confirmed);
	g = td_snapshot_group(&now, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 0, 7, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->count, 6);
	assert_int_equal(g->persisting, 3);	/* cookies 102..104 */
	assert_int_equal(g->persisting_old, 3); /* no tcp_info: cannot say young */
	td_snapshot_free(&now);

	/* The second read of check, and a socket seen twice counts once. */
	td_snapshot_init(&now, NULL);
	{
		struct td_sock s = mk(TD_CLOSE_WAIT, "127.0.0.1", 40000, "127.0.0.1", 6379);

		s.cookie = 9;
		s.flags = TD_SOCK_HAS_COOKIE | TD_SOCK_HAS_INFO;
		assert_int_equal(td_snapshot_add_owned(&now, &s, 7, "pool"), 0);
		now.confirmed = true;
		s.info.last_data_recv_ms = s.info.last_data_sent_ms = 6000;
		assert_int_equal(td_snapshot_confirm_cb(&s, &now), 0);
		assert_int_equal(td_snapshot_confirm_cb(&s, &now), 0);
		g = td_snapshot_group(&now, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 0, 7, 0, NULL);
		assert_int_equal(g->persisting, 1);
		assert_int_equal(g->persisting_old, 1);
		/* Without a cookie (the /proc source) nothing can be found again. */
		s.flags = 0;
		s.lport = 40001;
		assert_int_equal(td_snapshot_add_owned(&now, &s, 7, "pool"), 0);
		assert_true(now.unconfirmable);
	}
	td_snapshot_free(&now);
	td_snapshot_free(&prev);
}

/* A fake /proc of two processes for the deferred owners: 300 "app" holds
 * sockets 11 (CLOSE_WAIT), 12 (ESTABLISHED, a deep Send-Q) and 13 (the
 * listener); 200 "older" holds 11 too (inherited), so 11's first owner is
 * 200, the lowest pid, whichever holder the walk meets first. */
static void fake_proc(char *tree)
{
	static const struct {
		const char *path, *target;
	} links[] = {
		{ "300/fd/3", "socket:[11]" },
		{ "300/fd/4", "socket:[12]" },
		{ "300/fd/5", "socket:[13]" },
		{ "200/fd/7", "socket:[11]" },
	};
	static const char *const dirs[] = { "200", "200/fd", "300", "300/fd" };
	char path[256];
	FILE *f;

	assert_non_null(mkdtemp(tree));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tree, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tree, links[i].path);
		assert_int_equal(symlink(links[i].target, path), 0);
	}
	snprintf(path, sizeof(path), "%s/300/comm", tree);
	assert_non_null(f = fopen(path, "w"));
	fputs("app\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/200/comm", tree);
	assert_non_null(f = fopen(path, "w"));
	fputs("older\n", f);
	fclose(f);
}

static void test_deferred_owners(void **state)
{
	char tree[] = "/tmp/td_snapowners_XXXXXX", cmd[300];
	struct td_snapshot snap;
	struct td_owners *o = td_owners_new();
	struct td_err err = { 0 };
	struct td_sock s;
	const struct td_snap_group *g;

	(void)state;
	assert_non_null(o);
	fake_proc(tree);
	td_snapshot_init(&snap, NULL);
	td_snapshot_defer_owners(&snap);
	s = listener(80, 0, 128);
	s.inode = 13;
	assert_int_equal(td_snapshot_add(&snap, &s), 0);
	s = mk(TD_CLOSE_WAIT, "192.0.2.1", 80, "198.51.100.7", 40000);
	s.inode = 11;
	s.cookie = 77;
	s.flags = TD_SOCK_HAS_COOKIE;
	assert_int_equal(td_snapshot_add(&snap, &s), 0);
	s = mk(TD_ESTABLISHED, "192.0.2.1", 80, "198.51.100.8", 40001);
	s.inode = 12;
	s.wqueue = 5000;
	assert_int_equal(td_snapshot_add(&snap, &s), 0);
	/* Held: counted, not grouped yet; ESTABLISHED grouped with no owner. */
	assert_int_equal(snap.total, 3);
	assert_int_equal(snap.counts[TD_CLOSE_WAIT], 1);
	assert_int_equal(snap.npending, 1);
	assert_null(td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 80, 200, 0, NULL));
	assert_non_null(td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_ESTABLISHED, 80, 0, 0, NULL));

	assert_int_equal(td_snapshot_owners(&snap, o, tree, &err), 0);
	assert_int_equal(snap.npending, 0);
	g = td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 80, 200, 0, NULL);
	assert_non_null(g);
	assert_int_equal(g->count, 1);
	assert_string_equal(g->comm, "older");
	assert_int_equal(snap.mn, 1); /* marked for the second read */
	assert_int_equal(snap.listeners[0].pid, 300);
	assert_string_equal(snap.listeners[0].comm, "app");
	assert_int_equal(snap.top[TD_TOP_SENDQ].n, 1);
	assert_int_equal(snap.top[TD_TOP_SENDQ].v[0].pid, 300);
	assert_string_equal(snap.top[TD_TOP_SENDQ].v[0].comm, "app");
	td_snapshot_free(&snap);
	td_owners_free(o);

	/* A walk that fails keeps the sockets, with no owner. */
	o = td_owners_new();
	assert_non_null(o);
	td_snapshot_init(&snap, NULL);
	td_snapshot_defer_owners(&snap);
	s = mk(TD_CLOSE_WAIT, "192.0.2.1", 9, "198.51.100.7", 40000);
	s.inode = 11;
	assert_int_equal(td_snapshot_add(&snap, &s), 0);
	assert_true(td_snapshot_owners(&snap, o, "/nonexistent/proc", &err) < 0);
	assert_non_null(td_snapshot_group(&snap, TD_SNAP_LOCAL, TD_CLOSE_WAIT, 0, 0, 0, NULL));
	assert_int_equal(snap.npending, 0);
	td_snapshot_free(&snap);
	td_owners_free(o);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_listeners_and_split),
		cmocka_unit_test(test_request_sockets_and_distinct),
		cmocka_unit_test(test_top_lists),
		cmocka_unit_test(test_no_info_no_idle),
		cmocka_unit_test(test_many_groups_and_ipv6),
		cmocka_unit_test(test_confirm),
		cmocka_unit_test(test_deferred_owners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

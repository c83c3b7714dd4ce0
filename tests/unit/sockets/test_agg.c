/* Unit tests for agg.c: --by names, counting by state and family, grouping
 * by every key (owners from a fake /proc tree), growth to 10,000 groups,
 * the sort order, and the counts of a recorded dump (tests/data/sockdiag). */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockets/agg.h"
#include "sockets/owners.h"
#include "sockets/sockdiag.h"

static struct td_sock mksock(int family, int state, const char *laddr, uint16_t lport,
			     const char *raddr, uint16_t rport)
{
	struct td_sock s;

	memset(&s, 0, sizeof(s));
	s.family = (uint8_t)family;
	s.state = (uint8_t)state;
	s.lport = lport;
	s.rport = rport;
	assert_int_equal(inet_pton(family, laddr, s.laddr), 1);
	assert_int_equal(inet_pton(family, raddr, s.raddr), 1);
	return s;
}

static struct td_sock v4(int state, uint16_t lport, uint16_t rport)
{
	return mksock(AF_INET, state, "192.0.2.1", lport, "198.51.100.7", rport);
}

static void add(struct td_agg *a, struct td_sock s)
{
	assert_int_equal(td_agg_add(a, &s), 0);
}

static uint64_t sum_counts(const struct td_agg *a)
{
	uint64_t n = 0;

	for (int i = 0; i <= TD_STATE_MAX; i++)
		n += a->counts[i];
	return n;
}

/* The sorted groups, checked against the invariants every view relies on:
 * each group's states add up to its total, groups add up to the agg's,
 * totals never increase down the list. Caller frees. */
static const struct td_group **sorted_checked(const struct td_agg *a, size_t *n)
{
	const struct td_group **v = td_agg_sorted(a, n);
	uint64_t all = 0;

	assert_int_equal(*n, a->ngroups);
	for (size_t i = 0; i < *n; i++) {
		uint64_t st = 0;

		for (int j = 0; j <= TD_STATE_MAX; j++)
			st += v[i]->counts[j];
		assert_true(st == v[i]->total);
		assert_int_equal(v[i]->counts[TD_NEW_SYN_RECV], 0);
		assert_true(v[i]->used);
		if (i)
			assert_true(v[i - 1]->total >= v[i]->total);
		all += v[i]->total;
	}
	assert_true(all == a->total);
	return v;
}

static void test_group_by_parse(void **state)
{
	static const struct {
		const char *text;
		enum td_group_by by;
		const char *name;
	} ok[] = {
		{ "lport", TD_BY_LPORT, "lport" }, { "rport", TD_BY_RPORT, "rport" },
		{ "laddr", TD_BY_LADDR, "laddr" }, { "peer", TD_BY_PEER, "peer" },
		{ "raddr", TD_BY_PEER, "peer" },   { "process", TD_BY_PROCESS, "process" },
		{ "user", TD_BY_USER, "user" },
	};
	static const char *const bad[] = { "",	     "port", "lport ", " lport",
					   "lports", "pid",  "none",   "peer,user" };
	struct td_err err;
	enum td_group_by by;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		by = TD_BY_NONE;
		td_err_clear(&err);
		assert_int_equal(td_group_by_parse(ok[i].text, &by, &err), 0);
		assert_int_equal(by, ok[i].by);
		assert_string_equal(td_group_by_name(by), ok[i].name);
	}
	assert_string_equal(td_group_by_name(TD_BY_NONE), "none");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char quoted[64];

		by = TD_BY_USER;
		td_err_clear(&err);
		assert_int_equal(td_group_by_parse(bad[i], &by, &err), -TD_EPARSE);
		assert_int_equal(err.code, -TD_EPARSE);
		assert_int_equal(by, TD_BY_USER); /* untouched on error */
		/* the message names the option, the bad text and the choices */
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		assert_non_null(strstr(err.msg, "--by"));
		assert_non_null(strstr(err.msg, quoted));
		assert_non_null(strstr(err.msg, "lport"));
		assert_non_null(strstr(err.msg, "process"));
	}
	assert_int_equal(td_group_by_parse("nope", &by, NULL), -TD_EPARSE);
}

static void test_count_states_families(void **state)
{
	struct td_agg a;
	size_t n;

	(void)state;
	td_agg_init(&a, TD_BY_NONE, NULL);
	for (int st = TD_ESTABLISHED; st <= TD_NEW_SYN_RECV; st++)
		add(&a, v4(st, 80, 1000));
	add(&a, v4(TD_ESTABLISHED, 80, 1001));
	add(&a, mksock(AF_INET6, TD_NEW_SYN_RECV, "2001:db8::1", 443, "2001:db8::2", 5));
	add(&a, mksock(AF_INET6, TD_LISTEN, "::", 443, "::", 0));

	assert_int_equal(a.total, 15);
	assert_int_equal(a.ipv4, 13);
	assert_int_equal(a.ipv6, 2);
	assert_int_equal(a.counts[TD_ESTABLISHED], 2);
	/* request sockets count as SYN_RECV, never under their own number */
	assert_int_equal(a.counts[TD_SYN_RECV], 3);
	assert_int_equal(a.counts[TD_NEW_SYN_RECV], 0);
	assert_int_equal(a.counts[TD_LISTEN], 2);
	for (int st = TD_SYN_SENT; st <= TD_CLOSING; st++)
		if (st != TD_SYN_RECV && st != TD_LISTEN)
			assert_int_equal(a.counts[st], 1);
	assert_true(sum_counts(&a) == a.total);
	/* no key: no groups */
	assert_int_equal(a.ngroups, 0);
	assert_null(td_agg_sorted(&a, &n));
	assert_int_equal(n, 0);

	/* a state the kernel never sends still counts once, in some state */
	add(&a, v4(0, 1, 2));
	add(&a, v4(TD_STATE_MAX + 1, 1, 2));
	add(&a, v4(255, 1, 2));
	assert_int_equal(a.total, 18);
	assert_true(sum_counts(&a) == a.total);
	assert_int_equal(a.counts[TD_NEW_SYN_RECV], 0);
	td_agg_free(&a);
	td_agg_free(&a); /* twice is harmless */

	assert_int_equal(td_agg_state(TD_NEW_SYN_RECV), TD_SYN_RECV);
	for (int st = TD_ESTABLISHED; st <= TD_CLOSING; st++)
		assert_int_equal(td_agg_state(st), st);
}

static const struct td_group *find_port(const struct td_group **v, size_t n, uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->port == port)
			return v[i];
	return NULL;
}

static void test_by_ports(void **state)
{
	const struct td_group **v, *g;
	struct td_agg a;
	size_t n;

	(void)state;
	td_agg_init(&a, TD_BY_LPORT, NULL);
	add(&a, v4(TD_LISTEN, 80, 0));
	add(&a, v4(TD_ESTABLISHED, 80, 40000));
	add(&a, v4(TD_ESTABLISHED, 80, 40001));
	add(&a, v4(TD_NEW_SYN_RECV, 80, 40002));
	add(&a, mksock(AF_INET6, TD_ESTABLISHED, "2001:db8::1", 80, "2001:db8::2", 9));
	add(&a, v4(TD_TIME_WAIT, 443, 40003));
	add(&a, v4(TD_ESTABLISHED, 40004, 80));
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 3);
	/* IPv4 and IPv6 on one port are one group */
	g = v[0];
	assert_int_equal(g->port, 80);
	assert_int_equal(g->total, 5);
	assert_int_equal(g->counts[TD_LISTEN], 1);
	assert_int_equal(g->counts[TD_ESTABLISHED], 3);
	assert_int_equal(g->counts[TD_SYN_RECV], 1);
	/* ties by total: lower port first */
	assert_int_equal(v[1]->port, 443);
	assert_int_equal(v[1]->counts[TD_TIME_WAIT], 1);
	assert_int_equal(v[2]->port, 40004);
	free(v);
	td_agg_free(&a);

	td_agg_init(&a, TD_BY_RPORT, NULL);
	add(&a, v4(TD_LISTEN, 80, 0));
	add(&a, v4(TD_ESTABLISHED, 80, 40000));
	add(&a, v4(TD_ESTABLISHED, 40004, 80));
	add(&a, v4(TD_CLOSE_WAIT, 40005, 80));
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 3);
	g = find_port(v, n, 80);
	assert_non_null(g);
	assert_int_equal(g->total, 2);
	assert_int_equal(g->counts[TD_CLOSE_WAIT], 1);
	assert_ptr_equal(v[0], g);
	assert_non_null(g = find_port(v, n, 0)); /* a listener's peer port */
	assert_int_equal(g->counts[TD_LISTEN], 1);
	assert_ptr_equal(v[1], g);
	assert_int_equal(find_port(v, n, 40000)->total, 1);
	free(v);
	td_agg_free(&a);
}

static void test_by_addresses(void **state)
{
	const struct td_group **v;
	struct td_agg a;
	uint8_t want[16];
	size_t n;

	(void)state;
	td_agg_init(&a, TD_BY_PEER, NULL);
	add(&a, mksock(AF_INET, TD_ESTABLISHED, "192.0.2.1", 80, "198.51.100.7", 1));
	add(&a, mksock(AF_INET, TD_ESTABLISHED, "192.0.2.1", 80, "198.51.100.7", 2));
	add(&a, mksock(AF_INET, TD_TIME_WAIT, "192.0.2.1", 80, "198.51.100.7", 3));
	add(&a, mksock(AF_INET, TD_ESTABLISHED, "192.0.2.1", 80, "198.51.100.8", 4));
	/* the same first four bytes as 198.51.100.7, but IPv6: another peer */
	add(&a, mksock(AF_INET6, TD_ESTABLISHED, "::1", 80, "c633:6407::", 5));
	add(&a, mksock(AF_INET6, TD_ESTABLISHED, "::1", 80, "::ffff:198.51.100.7", 6));
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 4);
	assert_int_equal(v[0]->family, AF_INET);
	assert_int_equal(inet_pton(AF_INET, "198.51.100.7", want), 1);
	assert_memory_equal(v[0]->addr, want, 4);
	assert_int_equal(v[0]->total, 3);
	assert_int_equal(v[0]->counts[TD_ESTABLISHED], 2);
	assert_int_equal(v[0]->counts[TD_TIME_WAIT], 1);
	/* ties: IPv4 before IPv6, then by address bytes */
	assert_int_equal(v[1]->family, AF_INET);
	assert_int_equal(v[1]->addr[3], 8);
	assert_int_equal(v[2]->family, AF_INET6);
	assert_int_equal(v[3]->family, AF_INET6);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.51.100.7", want), 1);
	assert_memory_equal(v[2]->addr, want, 16);
	free(v);
	td_agg_free(&a);

	td_agg_init(&a, TD_BY_LADDR, NULL);
	add(&a, mksock(AF_INET, TD_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0));
	add(&a, mksock(AF_INET6, TD_LISTEN, "::", 80, "::", 0));
	add(&a, mksock(AF_INET, TD_ESTABLISHED, "192.0.2.1", 80, "198.51.100.7", 1));
	add(&a, mksock(AF_INET, TD_ESTABLISHED, "192.0.2.1", 81, "198.51.100.9", 2));
	v = sorted_checked(&a, &n);
	/* 0.0.0.0 and :: are both all zeros: the family keeps them apart */
	assert_int_equal(n, 3);
	assert_int_equal(v[0]->total, 2);
	assert_int_equal(v[0]->addr[0], 192);
	assert_int_equal(v[1]->family, AF_INET);
	assert_int_equal(v[2]->family, AF_INET6);
	free(v);
	td_agg_free(&a);
}

static void test_by_user(void **state)
{
	const struct td_group **v;
	struct td_agg a;
	struct td_sock s;
	size_t n;

	(void)state;
	td_agg_init(&a, TD_BY_USER, NULL);
	s = v4(TD_ESTABLISHED, 80, 1);
	s.inode = 1234; /* held by a process */
	s.uid = 1000;
	add(&a, s);
	add(&a, s);
	s.uid = 0;
	add(&a, s);
	s.uid = 4294967294u; /* nobody on some systems: the full 32 bits */
	s.state = TD_LISTEN;
	add(&a, s);
	/* No process holds a TIME_WAIT, request or orphaned socket (inode 0):
	 * the kernel says uid 0, which is not root's. */
	s = v4(TD_TIME_WAIT, 80, 2);
	s.uid = 0;
	add(&a, s);
	add(&a, s);
	add(&a, s);
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 4);
	assert_int_equal(v[0]->id, TD_AGG_NO_USER);
	assert_int_equal(v[0]->counts[TD_TIME_WAIT], 3);
	assert_int_equal(v[1]->id, 1000);
	assert_int_equal(v[1]->total, 2);
	assert_int_equal(v[2]->id, 0);
	assert_int_equal(v[2]->total, 1);
	assert_int_equal(v[3]->id, 4294967294u);
	assert_int_equal(v[3]->counts[TD_LISTEN], 1);
	free(v);
	td_agg_free(&a);
}

/* ---- by process, with owners from a fake /proc ------------------------- */

static char tree[64];

static void put(const char *rel, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static void fake_process(int pid, const char *comm, unsigned uid, const unsigned long *inodes,
			 size_t n)
{
	char rel[128], buf[256];

	snprintf(rel, sizeof(rel), "%s/%d", tree, pid);
	assert_int_equal(mkdir(rel, 0755), 0);
	snprintf(rel, sizeof(rel), "%s/%d/fd", tree, pid);
	assert_int_equal(mkdir(rel, 0755), 0);
	snprintf(rel, sizeof(rel), "%d/comm", pid);
	snprintf(buf, sizeof(buf), "%s\n", comm);
	put(rel, buf);
	snprintf(rel, sizeof(rel), "%d/status", pid);
	snprintf(buf, sizeof(buf), "Name:\t%s\nState:\tS (sleeping)\nUid:\t%u\t%u\t%u\t%u\n", comm,
		 uid, uid, uid, uid);
	put(rel, buf);
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	snprintf(buf, sizeof(buf), "%d (%s) S 1 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0\n", pid,
		 comm, pid, pid);
	put(rel, buf);
	for (size_t i = 0; i < n; i++) {
		char target[64];

		snprintf(rel, sizeof(rel), "%s/%d/fd/%zu", tree, pid, i + 3);
		snprintf(target, sizeof(target), "socket:[%lu]", inodes[i]);
		assert_int_equal(symlink(target, rel), 0);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int proc_setup(void **state)
{
	(void)state;
	snprintf(tree, sizeof(tree), "/tmp/td-agg-XXXXXX");
	return mkdtemp(tree) ? 0 : -1;
}

static int proc_teardown(void **state)
{
	(void)state;
	return nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_by_process(void **state)
{
	static const unsigned long nginx[] = { 5001, 5002, 5003 };
	static const unsigned long redis[] = { 6001 };
	const struct td_group **v;
	struct td_owners *o;
	struct td_err err = { 0 };
	struct td_agg a;
	struct td_sock s;
	size_t n;

	(void)state;
	fake_process(100, "nginx", 33, nginx, 3);
	fake_process(200, "redis-server", 999, redis, 1);
	o = td_owners_new();
	assert_non_null(o);
	for (unsigned long ino = 5001; ino <= 5003; ino++)
		assert_int_equal(td_owners_want(o, ino), 0);
	assert_int_equal(td_owners_want(o, 6001), 0);
	assert_int_equal(td_owners_want(o, 7777), 0);
	assert_int_equal(td_owners_resolve(o, tree, false, NULL, 0, &err), 0);
	assert_non_null(td_owners_get(o, 5001));
	assert_int_equal(td_owners_get(o, 6001)->pid, 200);

	td_agg_init(&a, TD_BY_PROCESS, o);
	s = v4(TD_LISTEN, 80, 0);
	s.inode = 5001;
	add(&a, s);
	s.state = TD_ESTABLISHED;
	s.inode = 5002;
	add(&a, s);
	s.inode = 5003;
	add(&a, s);
	s.inode = 6001;
	s.lport = 6379;
	add(&a, s);
	/* no known owner: TIME_WAIT (inode 0), another process, a socket
	 * whose inode nobody holds */
	s.state = TD_TIME_WAIT;
	s.inode = 0;
	add(&a, s);
	s.state = TD_ESTABLISHED;
	s.inode = 7777;
	add(&a, s);
	s.inode = 8888; /* never asked for */
	add(&a, s);
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 3);
	assert_int_equal(v[0]->id, 0); /* the no-owner group, pid 0 */
	assert_int_equal(v[0]->total, 3);
	assert_int_equal(v[0]->counts[TD_TIME_WAIT], 1);
	assert_int_equal(v[1]->id, 100);
	assert_int_equal(v[1]->total, 3);
	assert_int_equal(v[1]->counts[TD_LISTEN], 1);
	assert_int_equal(v[1]->counts[TD_ESTABLISHED], 2);
	assert_int_equal(v[2]->id, 200);
	assert_int_equal(v[2]->total, 1);
	free(v);
	td_agg_free(&a);

	/* without an owners table every socket is in the pid 0 group */
	td_agg_init(&a, TD_BY_PROCESS, NULL);
	s.inode = 5001;
	add(&a, s);
	add(&a, s);
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 1);
	assert_int_equal(v[0]->id, 0);
	free(v);
	td_agg_free(&a);
	td_owners_free(o);
}

/* ---- growth and sort ----------------------------------------------------- */

static void test_many_groups(void **state)
{
	const struct td_group **v;
	struct td_agg a;
	uint64_t want = 0;
	size_t n;

	(void)state;
	td_agg_init(&a, TD_BY_LPORT, NULL);
	/* port p gets (p % 3) + 1 sockets, interleaved so every resize
	 * happens with groups half counted */
	for (int round = 0; round < 3; round++)
		for (unsigned p = 1; p <= 10000; p++)
			if ((int)(p % 3) >= round) {
				add(&a, v4(round ? TD_ESTABLISHED : TD_LISTEN, (uint16_t)p, 0));
				want++;
			}
	assert_int_equal(a.ngroups, 10000);
	assert_true(a.total == want);
	assert_true(a.cap >= 2 * a.ngroups); /* load kept under 1/2 */
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 10000);
	for (size_t i = 0; i < n; i++) {
		unsigned p = v[i]->port;

		assert_in_range(p, 1, 10000);
		assert_int_equal(v[i]->total, p % 3 + 1);
		assert_int_equal(v[i]->counts[TD_LISTEN], 1);
		assert_int_equal(v[i]->counts[TD_ESTABLISHED], p % 3);
		/* total descending, then port ascending: each port exactly once */
		if (i && v[i - 1]->total == v[i]->total)
			assert_true(v[i - 1]->port < p);
	}
	/* 3333 ports with p % 3 == 2 come first, starting at port 2 */
	assert_int_equal(v[0]->port, 2);
	assert_int_equal(v[3332]->port, 9998);
	assert_int_equal(v[3333]->total, 2);
	assert_int_equal(v[3333]->port, 1);
	assert_int_equal(v[n - 1]->port, 9999);
	free(v);
	td_agg_free(&a);
	assert_null(a.slots);
	assert_int_equal(a.ngroups, 0);
}

static void test_sorted_empty(void **state)
{
	struct td_agg a;
	size_t n = 99;

	(void)state;
	td_agg_init(&a, TD_BY_PEER, NULL);
	assert_null(td_agg_sorted(&a, &n));
	assert_int_equal(n, 0);
	assert_int_equal(a.total, 0);
	td_agg_free(&a);
	/* freed, then used again */
	add(&a, v4(TD_ESTABLISHED, 1, 2));
	assert_int_equal(a.ngroups, 1);
	assert_int_equal(a.total, 1);
	td_agg_free(&a);
}

/* ---- a recorded dump, through td_agg_cb ---------------------------------- */

static void test_agg_of_dump(void **state)
{
	const char *root = getenv("TD_SRCDIR");
	const struct td_group **v;
	struct td_err err = { 0 };
	const struct td_group *g;
	struct td_agg a;
	char path[512];
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/sockdiag/many.bin", root && *root ? root : ".");
	/* many.expected: what ss -tan counted when it was recorded */
	td_agg_init(&a, TD_BY_LPORT, NULL);
	assert_int_equal(td_replay_dump(path, NULL, td_agg_cb, &a, &err), 0);
	assert_int_equal(a.total, 995);
	assert_int_equal(a.ipv4, 923);
	assert_int_equal(a.ipv6, 72);
	assert_int_equal(a.counts[TD_ESTABLISHED], 850);
	assert_int_equal(a.counts[TD_LISTEN], 5);
	assert_int_equal(a.counts[TD_TIME_WAIT], 90);
	assert_int_equal(a.counts[TD_FIN_WAIT2], 25);
	assert_int_equal(a.counts[TD_CLOSE_WAIT], 25);
	v = sorted_checked(&a, &n);
	g = v[0]; /* filter sport 8080: 412 */
	assert_int_equal(g->port, 8080);
	assert_int_equal(g->total, 412);
	assert_int_equal(g->counts[TD_LISTEN], 2);
	assert_int_equal(g->counts[TD_ESTABLISHED], 410);
	g = find_port(v, n, 5432); /* listener + 5 in its accept queue */
	assert_non_null(g);
	assert_int_equal(g->total, 6);
	g = find_port(v, n, 8443); /* server sides of the half-closed pairs */
	assert_int_equal(g->total, 26);
	assert_int_equal(g->counts[TD_CLOSE_WAIT], 25);
	free(v);
	td_agg_free(&a);

	td_agg_init(&a, TD_BY_RPORT, NULL);
	assert_int_equal(td_replay_dump(path, NULL, td_agg_cb, &a, &err), 0);
	v = sorted_checked(&a, &n);
	g = find_port(v, n, 8443); /* 90 TIME_WAIT, 25 FIN_WAIT2 clients */
	assert_int_equal(g->total, 115);
	assert_int_equal(g->counts[TD_TIME_WAIT], 90);
	assert_int_equal(g->counts[TD_FIN_WAIT2], 25);
	free(v);
	td_agg_free(&a);

	/* by user: the uid of every socket a process holds (recorded as root);
	 * the 90 TIME_WAIT and the 5 connections still in 5432's accept queue
	 * have no owner */
	td_agg_init(&a, TD_BY_USER, NULL);
	assert_int_equal(td_replay_dump(path, NULL, td_agg_cb, &a, &err), 0);
	v = sorted_checked(&a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0]->id, 0);
	assert_int_equal(v[0]->total, 900);
	assert_int_equal(v[1]->id, TD_AGG_NO_USER);
	assert_int_equal(v[1]->total, 95);
	assert_int_equal(v[1]->counts[TD_TIME_WAIT], 90);
	assert_int_equal(v[1]->counts[TD_ESTABLISHED], 5);
	free(v);
	td_agg_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_by_parse),
		cmocka_unit_test(test_count_states_families),
		cmocka_unit_test(test_by_ports),
		cmocka_unit_test(test_by_addresses),
		cmocka_unit_test(test_by_user),
		cmocka_unit_test_setup_teardown(test_by_process, proc_setup, proc_teardown),
		cmocka_unit_test(test_many_groups),
		cmocka_unit_test(test_sorted_empty),
		cmocka_unit_test(test_agg_of_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

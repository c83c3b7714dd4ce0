/* Unit tests for the SQLite sample store: migrations and user_version, a
 * newer schema refused, a non-database refused, insert/query round trips,
 * the sample at or before a time, series, findings by rule, pruning, and the
 * time/duration parsers (TZ=UTC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "history/store.h"

static char dbpath[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "/tmp/td_store_XXXXXX");
	fd = mkstemp(dbpath);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(dbpath); /* the store creates it */
	return 0;
}

static int teardown(void **state)
{
	char p[80];

	(void)state;
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static void put(struct td_store *st, int64_t ts, uint64_t cw, int64_t prune, int64_t *pruned)
{
	struct td_store_group g[2] = {
		{ .state = TD_CLOSE_WAIT, .by = "port", .key = "5000", .count = cw },
		{ .state = TD_CLOSE_WAIT, .by = "process", .key = "web", .count = cw },
	};
	struct td_store_counter c[1] = { { .name = "TcpExt.ListenOverflows",
					   .value = 100 + cw,
					   .delta = (int64_t)cw,
					   .has_delta = true } };
	struct td_store_finding f = { .rule = "close-wait-leak",
				      .severity = "warning",
				      .summary = "CLOSE_WAIT piles up",
				      .count = cw,
				      .port = 5000,
				      .pid = 42,
				      .comm = "web" };
	struct td_store_sample s = {
		.ts_ms = ts, .interval_s = 1, .source = "netlink", .netns = "x"
	};
	struct td_err err = { 0 };

	s.states[0][TD_CLOSE_WAIT] = cw;
	s.states[1][TD_LISTEN] = 2;
	s.total = cw + 2;
	s.groups = g;
	s.ngroups = 2;
	s.counters = c;
	s.ncounters = 1;
	s.findings = &f;
	s.nfindings = cw >= 4 ? 1 : 0;
	assert_int_equal(td_store_insert(st, &s, prune, pruned, &err), 0);
	assert_true(s.id > 0);
}

static void test_open_migrates(void **state)
{
	struct td_store *st;
	struct td_err err = { 0 };

	(void)state;
	/* Read-only on a missing file: not found, nothing created. */
	assert_int_equal(td_store_open(&st, dbpath, true, &err), -TD_ENOTFOUND);
	assert_null(st);
	assert_int_not_equal(access(dbpath, F_OK), 0);
	assert_int_equal(td_store_open(&st, dbpath, false, &err), 0);
	assert_int_equal(td_store_schema(st), TD_STORE_SCHEMA);
	td_store_close(st);
	/* Opening again is idempotent. */
	assert_int_equal(td_store_open(&st, dbpath, false, &err), 0);
	assert_int_equal(td_store_schema(st), TD_STORE_SCHEMA);
	td_store_close(st);
	assert_int_equal(td_store_open(&st, dbpath, true, &err), 0);
	td_store_close(st);
}

static void test_newer_schema_refused(void **state)
{
	struct td_store *st;
	struct td_err err = { 0 };
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(td_store_open(&st, dbpath, false, &err), -TD_EUNSUPP);
	assert_non_null(strstr(err.msg, "newer tcpdoctor"));
	assert_null(st);
}

static void test_not_a_database(void **state)
{
	struct td_store *st;
	struct td_err err = { 0 };
	FILE *fp = fopen(dbpath, "w");

	(void)state;
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not an sqlite database\n", fp);
	fclose(fp);
	assert_int_equal(td_store_open(&st, dbpath, false, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, dbpath));
	/* An empty SQLite file of another program: schema version 0, read-only. */
	unlink(dbpath);
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(td_store_open(&st, dbpath, true, &err), -TD_EPARSE);
}

struct collected {
	int n;
	int64_t ts[16];
	double v[16];
	char keys[16][48];
};

static int on_point(int64_t ts, double v, void *ctx)
{
	struct collected *c = ctx;

	c->ts[c->n] = ts;
	c->v[c->n++] = v;
	return 0;
}

static int on_group(const struct td_store_group *g, void *ctx)
{
	struct collected *c = ctx;

	snprintf(c->keys[c->n], sizeof(c->keys[0]), "%s=%s", g->by, g->key);
	c->v[c->n++] = (double)g->count;
	return 0;
}

static int on_finding(int64_t ts, const struct td_store_finding *f, void *ctx)
{
	struct collected *c = ctx;

	assert_string_equal(f->rule, "close-wait-leak");
	assert_string_equal(f->comm, "web");
	assert_int_equal(f->port, 5000);
	c->ts[c->n] = ts;
	c->v[c->n++] = (double)f->count;
	return 0;
}

static int on_counter(const struct td_store_counter *k, void *ctx)
{
	struct collected *c = ctx;

	assert_string_equal(k->name, "TcpExt.ListenOverflows");
	assert_true(k->has_delta);
	c->v[c->n++] = (double)k->delta;
	return 0;
}

static int stop_at_two(const struct td_store_sample *s, void *ctx)
{
	struct collected *c = ctx;

	c->ts[c->n++] = s->ts_ms;
	return c->n == 2 ? 7 : 0;
}

struct names {
	size_t n;
	bool has_overflows;
};

static void on_name(const char *name, void *ctx)
{
	struct names *nm = ctx;

	nm->n++;
	if (!strcmp(name, "TcpExt.ListenOverflows"))
		nm->has_overflows = true;
}

static void test_round_trip(void **state)
{
	struct td_store *st;
	struct td_store_sample s;
	struct td_err err = { 0 };
	struct collected c = { 0 };

	(void)state;
	assert_int_equal(td_store_open(&st, dbpath, false, &err), 0);
	put(st, 1000000, 1, 0, NULL);
	put(st, 1010000, 4, 0, NULL);
	put(st, 1020000, 9, 0, NULL);

	/* At or before: exact, between, before everything. */
	assert_int_equal(td_store_sample_at(st, 1010000, &s, &err), 0);
	assert_int_equal(s.ts_ms, 1010000);
	assert_int_equal(s.states[0][TD_CLOSE_WAIT], 4);
	assert_int_equal(s.states[1][TD_LISTEN], 2);
	assert_int_equal(s.total, 6);
	assert_string_equal(s.netns, "x");
	assert_string_equal(s.source, "netlink");
	assert_int_equal(td_store_sample_at(st, 1019999, &s, &err), 0);
	assert_int_equal(s.ts_ms, 1010000);
	assert_int_equal(td_store_sample_at(st, 999999, &s, &err), -TD_ENOTFOUND);

	assert_int_equal(td_store_sample_at(st, 2000000, &s, &err), 0);
	assert_int_equal(s.ts_ms, 1020000);
	assert_int_equal(td_store_groups(st, s.id, on_group, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.keys[0], "process=web"); /* process rows first */
	assert_string_equal(c.keys[1], "port=5000");
	assert_int_equal(c.v[1], 9);
	memset(&c, 0, sizeof(c));
	assert_int_equal(td_store_counters(st, s.id, on_counter, &c, &err), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0], 9);

	/* Series of a state (any spelling) and of a counter's delta. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(td_store_series(st, "close-wait", 0, 2000000, on_point, &c, &err), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.v[0], 1);
	assert_int_equal(c.v[2], 9);
	memset(&c, 0, sizeof(c));
	assert_int_equal(td_store_series(st, "LISTEN", 1005000, 2000000, on_point, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.v[0], 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(
		td_store_series(st, "TcpExt.ListenOverflows", 0, 2000000, on_point, &c, &err), 0);
	assert_int_equal(c.v[1], 4);
	memset(&c, 0, sizeof(c));
	/* A counter the database never stored: not a series of zeros, an error
	 * (history --plot then lists the names there are). */
	assert_int_equal(td_store_series(st, "Tcp.Nothing", 0, 2000000, on_point, &c, &err),
			 -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no such counter"));
	assert_int_equal(c.n, 0);
	{
		struct names nm = { 0 };

		assert_int_equal(td_store_counter_names(st, on_name, &nm, &err), 0);
		assert_true(nm.n >= 1);
		assert_true(nm.has_overflows);
	}
	assert_int_equal(td_store_series(st, "connected", 0, 2000000, on_point, &c, &err),
			 -TD_EPARSE);
	assert_int_equal(td_store_series(st, "bogus", 0, 2000000, on_point, &c, &err), -TD_EPARSE);

	/* Findings over a range, by rule; the callback's value stops a walk. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(
		td_store_findings(st, -1, "close-wait-leak", 0, 2000000, on_finding, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.ts[0], 1010000);
	assert_int_equal(c.v[1], 9);
	memset(&c, 0, sizeof(c));
	assert_int_equal(td_store_findings(st, -1, "syn-flood", 0, 2000000, on_finding, &c, &err),
			 0);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(td_store_samples(st, 0, 2000000, stop_at_two, &c, &err), 7);
	assert_int_equal(c.n, 2);
	td_store_close(st);
}

static void test_prune(void **state)
{
	struct td_store *st;
	struct td_store_sample s;
	struct td_err err = { 0 };
	struct collected c = { 0 };
	int64_t pruned = -1;

	(void)state;
	assert_int_equal(td_store_open(&st, dbpath, false, &err), 0);
	put(st, 1000, 5, 0, &pruned);
	assert_int_equal(pruned, 0);
	put(st, 2000, 6, 0, NULL);
	put(st, 3000, 7, 2500, &pruned); /* keeps only what is >= 2500 */
	assert_int_equal(pruned, 2);
	assert_int_equal(td_store_sample_at(st, 2000, &s, &err), -TD_ENOTFOUND);
	/* The cascade took the children too. */
	assert_int_equal(td_store_findings(st, -1, NULL, 0, 10000, on_finding, &c, &err), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0], 7);
	td_store_close(st);
}

static void test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} ok[] = {
		{ "10s", 10000 },  { "10", 10000 },	{ "250ms", 250 },    { "5m", 300000 },
		{ "2h", 7200000 }, { "7d", 604800000 }, { "1w", 604800000 }, { "1.5s", 1500 },
	};
	static const char *const bad[] = {
		"", "0", "-5s", "10x", "s", "1e400s", "+3s", "0.0001ms"
	};
	struct td_err err = { 0 };
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(td_parse_duration(ok[i].text, &ms, &err), 0);
		assert_int_equal(ms, ok[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(td_parse_duration(bad[i], &ms, &err), -TD_EPARSE);
}

static void test_times(void **state)
{
	/* 2026-11-26 12:34:56 UTC */
	const int64_t now = 1795696496000LL;
	static const struct {
		const char *text;
		int64_t ms;
	} ok[] = {
		{ "2026-11-26 03:00", 1795662000000LL },
		{ "2026-11-26 03:00:15", 1795662015000LL },
		{ "2026-11-26T03:00", 1795662000000LL },
		{ "2026-11-26", 1795651200000LL },
		{ "03:00", 1795662000000LL },
		{ "@1700000000", 1700000000000LL },
		{ "now", 1795696496000LL },
		{ "-10m", 1795696496000LL - 600000 },
		{ "2h ago", 1795696496000LL - 7200000 },
		{ " 2026-11-26 03:00 ", 1795662000000LL },
	};
	static const char *const bad[] = {
		"",	"yesterday", "2026-13-01",  "2026-11-26 25:00",	 "@-5",
		"@12x", "-",	     "10m ago ago", "2026-11-26 03:00 x"
	};
	struct td_err err = { 0 };
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(td_parse_time(ok[i].text, now, &ms, &err), 0);
		if (ms != ok[i].ms)
			fail_msg("%s: %lld, expected %lld", ok[i].text, (long long)ms,
				 (long long)ok[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (td_parse_time(bad[i], now, &ms, &err) != -TD_EPARSE)
			fail_msg("'%s' parsed", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_times),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

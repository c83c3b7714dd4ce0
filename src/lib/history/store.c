/* SQLite sample store: schema migrations by PRAGMA user_version, WAL so a
 * reader (`history`) never waits for the writer (`record`), one transaction
 * per sample so a kill at any moment leaves the last complete sample. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "history/store.h"

struct td_store {
	sqlite3 *db;
	char path[256];
};

/* Migration i takes user_version i to i + 1; never edit one that shipped,
 * append a new one. ON DELETE CASCADE makes pruning one DELETE. */
static const char *const migrations[TD_STORE_SCHEMA] = {
	"CREATE TABLE samples("
	"  id INTEGER PRIMARY KEY,"
	"  ts_ms INTEGER NOT NULL,"
	"  interval_s REAL NOT NULL,"
	"  source TEXT NOT NULL,"
	"  netns TEXT NOT NULL,"
	"  total INTEGER NOT NULL);"
	"CREATE INDEX samples_ts ON samples(ts_ms);"
	"CREATE TABLE states("
	"  sample INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,"
	"  state INTEGER NOT NULL,"
	"  ipv4 INTEGER NOT NULL,"
	"  ipv6 INTEGER NOT NULL,"
	"  PRIMARY KEY(sample, state)) WITHOUT ROWID;"
	"CREATE TABLE groups("
	"  sample INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,"
	"  state INTEGER NOT NULL,"
	"  grouping TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  count INTEGER NOT NULL);"
	"CREATE INDEX groups_sample ON groups(sample);"
	"CREATE TABLE counters("
	"  sample INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  value INTEGER NOT NULL,"
	"  delta INTEGER,"
	"  PRIMARY KEY(sample, name)) WITHOUT ROWID;"
	"CREATE TABLE findings("
	"  sample INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,"
	"  rule TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  rate REAL NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  comm TEXT NOT NULL,"
	"  peer TEXT NOT NULL);"
	"CREATE INDEX findings_sample ON findings(sample);"
	"CREATE INDEX findings_rule ON findings(rule, sample);",
};

static int db_fail(struct td_store *st, struct td_err *err, const char *what)
{
	int code = sqlite3_errcode(st->db);
	int rc = code == SQLITE_NOTADB || code == SQLITE_CORRUPT  ? -TD_EPARSE
		 : code == SQLITE_NOMEM				  ? -ENOMEM
		 : code == SQLITE_BUSY || code == SQLITE_LOCKED	  ? -EBUSY
		 : code == SQLITE_READONLY || code == SQLITE_PERM ? -EACCES
		 : code == SQLITE_FULL				  ? -ENOSPC
								  : -EIO;

	return td_err_set(err, rc, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static int exec(struct td_store *st, const char *sql, struct td_err *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(st, err, sql);
	return 0;
}

int td_store_schema(struct td_store *st)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

static int migrate(struct td_store *st, bool readonly, struct td_err *err)
{
	int v = td_store_schema(st);

	if (v < 0)
		return db_fail(st, err, "reading the schema version");
	if (v > TD_STORE_SCHEMA)
		return td_err_set(
			err, -TD_EUNSUPP,
			"%s: schema version %d was written by a newer tcpdoctor (this one "
			"knows %d): upgrade tcpdoctor, or record into another file",
			st->path, v, TD_STORE_SCHEMA);
	if (readonly) {
		if (v < TD_STORE_SCHEMA)
			return td_err_set(err, -TD_EPARSE,
					  "%s: schema version %d, not a tcpdoctor record database "
					  "(or an old one: open it once with `tcpdoctor record` to "
					  "upgrade)",
					  st->path, v);
		return 0;
	}
	for (; v < TD_STORE_SCHEMA; v++) {
		char sql[64];
		int rc;

		/* IMMEDIATE: two recorders starting at once migrate one at a time. */
		rc = exec(st, "BEGIN IMMEDIATE", err);
		if (rc < 0)
			return rc;
		if (td_store_schema(st) > v) /* the other one did it */
			return exec(st, "COMMIT", err) < 0 ? -EIO : migrate(st, false, err);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		rc = exec(st, migrations[v], err);
		if (!rc)
			rc = exec(st, sql, err);
		if (!rc)
			rc = exec(st, "COMMIT", err);
		if (rc < 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return 0;
}

int td_store_open(struct td_store **out, const char *path, bool readonly, struct td_err *err)
{
	struct td_store *st;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc;

	*out = NULL;
	if (readonly && access(path, F_OK) < 0)
		return td_err_set(err, -TD_ENOTFOUND,
				  "%s: no such database (start `tcpdoctor record --db %s` first)",
				  path, path);
	st = calloc(1, sizeof(*st));
	if (!st)
		return td_err_set(err, -ENOMEM, "out of memory");
	snprintf(st->path, sizeof(st->path), "%s", path);
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = st->db ? db_fail(st, err, "opening")
			    : td_err_set(err, -ENOMEM, "%s: out of memory", path);
		td_store_close(st);
		return rc;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/* WAL: readers see the last committed sample while the recorder
	 * writes; synchronous=NORMAL is still atomic across a process kill
	 * (only a power loss may drop the newest sample, never corrupt). */
	rc = exec(st, "PRAGMA foreign_keys = ON", err);
	if (!rc && !readonly)
		rc = exec(st, "PRAGMA journal_mode = WAL", err);
	if (!rc && !readonly)
		rc = exec(st, "PRAGMA synchronous = NORMAL", err);
	if (!rc)
		rc = migrate(st, readonly, err);
	if (rc < 0) {
		td_store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void td_store_close(struct td_store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

/* ---- insert --------------------------------------------------------------------- */

static int prepare(struct td_store *st, const char *sql, sqlite3_stmt **q, struct td_err *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
		return db_fail(st, err, sql);
	return 0;
}

/* Step a bound insert and reset it for the next row. */
static int step_done(struct td_store *st, sqlite3_stmt *q, struct td_err *err)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "inserting a sample");
	return 0;
}

static int insert_rows(struct td_store *st, struct td_store_sample *s, struct td_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = prepare(st,
		     "INSERT INTO samples(ts_ms, interval_s, source, netns, total) "
		     "VALUES(?, ?, ?, ?, ?)",
		     &q, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, s->ts_ms);
	sqlite3_bind_double(q, 2, s->interval_s);
	sqlite3_bind_text(q, 3, s->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, s->netns, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (int64_t)s->total);
	rc = step_done(st, q, err);
	sqlite3_finalize(q);
	if (rc < 0)
		return rc;
	s->id = sqlite3_last_insert_rowid(st->db);

	rc = prepare(st, "INSERT INTO states VALUES(?, ?, ?, ?)", &q, err);
	for (int state = TD_ESTABLISHED; !rc && state <= TD_CLOSING; state++) {
		if (!s->states[0][state] && !s->states[1][state])
			continue;
		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_int(q, 2, state);
		sqlite3_bind_int64(q, 3, (int64_t)s->states[0][state]);
		sqlite3_bind_int64(q, 4, (int64_t)s->states[1][state]);
		rc = step_done(st, q, err);
	}
	sqlite3_finalize(q);
	if (rc < 0)
		return rc;

	rc = prepare(st, "INSERT INTO groups VALUES(?, ?, ?, ?, ?)", &q, err);
	for (size_t i = 0; !rc && i < s->ngroups; i++) {
		const struct td_store_group *g = &s->groups[i];

		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_int(q, 2, g->state);
		sqlite3_bind_text(q, 3, g->by, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, g->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 5, (int64_t)g->count);
		rc = step_done(st, q, err);
	}
	sqlite3_finalize(q);
	if (rc < 0)
		return rc;

	rc = prepare(st, "INSERT INTO counters VALUES(?, ?, ?, ?)", &q, err);
	for (size_t i = 0; !rc && i < s->ncounters; i++) {
		const struct td_store_counter *c = &s->counters[i];

		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_text(q, 2, c->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, c->value);
		if (c->has_delta)
			sqlite3_bind_int64(q, 4, c->delta);
		else
			sqlite3_bind_null(q, 4);
		rc = step_done(st, q, err);
	}
	sqlite3_finalize(q);
	if (rc < 0)
		return rc;

	rc = prepare(st, "INSERT INTO findings VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &q, err);
	for (size_t i = 0; !rc && i < s->nfindings; i++) {
		const struct td_store_finding *f = &s->findings[i];

		sqlite3_bind_int64(q, 1, s->id);
		sqlite3_bind_text(q, 2, f->rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, f->severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, f->summary, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 5, (int64_t)f->count);
		sqlite3_bind_double(q, 6, isfinite(f->rate) ? f->rate : 0);
		sqlite3_bind_int(q, 7, f->port);
		sqlite3_bind_int64(q, 8, f->pid);
		sqlite3_bind_text(q, 9, f->comm, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 10, f->peer, -1, SQLITE_STATIC);
		rc = step_done(st, q, err);
	}
	sqlite3_finalize(q);
	return rc;
}

int td_store_insert(struct td_store *st, struct td_store_sample *s, int64_t prune_before_ms,
		    int64_t *pruned, struct td_err *err)
{
	int rc;

	if (pruned)
		*pruned = 0;
	rc = exec(st, "BEGIN IMMEDIATE", err);
	if (rc < 0)
		return rc;
	rc = insert_rows(st, s, err);
	if (!rc && prune_before_ms > 0) {
		sqlite3_stmt *q;

		rc = prepare(st, "DELETE FROM samples WHERE ts_ms < ?", &q, err);
		if (!rc) {
			sqlite3_bind_int64(q, 1, prune_before_ms);
			rc = step_done(st, q, err);
			sqlite3_finalize(q);
			if (!rc && pruned)
				*pruned = sqlite3_changes(st->db);
		}
	}
	if (!rc)
		rc = exec(st, "COMMIT", err);
	if (rc < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- queries -------------------------------------------------------------------- */

static void copy_text(char *dst, size_t len, sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* Fill s from a samples row (id, ts_ms, interval_s, source, netns, total),
 * then its states. */
static int load_sample(struct td_store *st, sqlite3_stmt *row, struct td_store_sample *s,
		       struct td_err *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(row, 0);
	s->ts_ms = sqlite3_column_int64(row, 1);
	s->interval_s = sqlite3_column_double(row, 2);
	copy_text(s->source, sizeof(s->source), row, 3);
	copy_text(s->netns, sizeof(s->netns), row, 4);
	s->total = (uint64_t)sqlite3_column_int64(row, 5);
	rc = prepare(st, "SELECT state, ipv4, ipv6 FROM states WHERE sample = ?", &q, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, s->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int state = sqlite3_column_int(q, 0);

		if (state < 0 || state > TD_STATE_MAX)
			continue;
		s->states[0][state] = (uint64_t)sqlite3_column_int64(q, 1);
		s->states[1][state] = (uint64_t)sqlite3_column_int64(q, 2);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "reading states");
	return 0;
}

#define SAMPLE_COLS "SELECT id, ts_ms, interval_s, source, netns, total FROM samples "

int td_store_sample_at(struct td_store *st, int64_t ts_ms, struct td_store_sample *out,
		       struct td_err *err)
{
	sqlite3_stmt *q;
	int rc;

	rc = prepare(st, SAMPLE_COLS "WHERE ts_ms <= ? ORDER BY ts_ms DESC, id DESC LIMIT 1", &q,
		     err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, ts_ms);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		rc = load_sample(st, q, out, err);
	else if (rc == SQLITE_DONE)
		rc = td_err_set(err, -TD_ENOTFOUND, "%s: no sample at or before that time",
				st->path);
	else
		rc = db_fail(st, err, "reading samples");
	sqlite3_finalize(q);
	return rc;
}

int td_store_samples(struct td_store *st, int64_t from_ms, int64_t to_ms, td_store_sample_cb cb,
		     void *ctx, struct td_err *err)
{
	struct td_store_sample s;
	sqlite3_stmt *q;
	int rc;

	rc = prepare(st, SAMPLE_COLS "WHERE ts_ms BETWEEN ? AND ? ORDER BY ts_ms, id", &q, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, from_ms);
	sqlite3_bind_int64(q, 2, to_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int r = load_sample(st, q, &s, err);

		if (!r)
			r = cb(&s, ctx);
		if (r) {
			sqlite3_finalize(q);
			return r;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "reading samples");
}

int td_store_groups(struct td_store *st, int64_t sample, td_store_group_cb cb, void *ctx,
		    struct td_err *err)
{
	struct td_store_group g;
	sqlite3_stmt *q;
	int rc;

	rc = prepare(st,
		     "SELECT state, grouping, key, count FROM groups WHERE sample = ? "
		     "ORDER BY grouping DESC, state, count DESC, key",
		     &q, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, sample);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int r;

		memset(&g, 0, sizeof(g));
		g.state = (uint8_t)sqlite3_column_int(q, 0);
		copy_text(g.by, sizeof(g.by), q, 1);
		copy_text(g.key, sizeof(g.key), q, 2);
		g.count = (uint64_t)sqlite3_column_int64(q, 3);
		r = cb(&g, ctx);
		if (r) {
			sqlite3_finalize(q);
			return r;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "reading groups");
}

int td_store_counters(struct td_store *st, int64_t sample, td_store_counter_cb cb, void *ctx,
		      struct td_err *err)
{
	struct td_store_counter c;
	sqlite3_stmt *q;
	int rc;

	rc = prepare(st, "SELECT name, value, delta FROM counters WHERE sample = ? ORDER BY name",
		     &q, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, sample);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int r;

		memset(&c, 0, sizeof(c));
		copy_text(c.name, sizeof(c.name), q, 0);
		c.value = sqlite3_column_int64(q, 1);
		c.has_delta = sqlite3_column_type(q, 2) != SQLITE_NULL;
		c.delta = sqlite3_column_int64(q, 2);
		r = cb(&c, ctx);
		if (r) {
			sqlite3_finalize(q);
			return r;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "reading counters");
}

int td_store_findings(struct td_store *st, int64_t sample, const char *rule, int64_t from_ms,
		      int64_t to_ms, td_store_finding_cb cb, void *ctx, struct td_err *err)
{
	struct td_store_finding f;
	sqlite3_stmt *q;
	int rc;

	rc = prepare(st,
		     "SELECT s.ts_ms, f.rule, f.severity, f.summary, f.count, f.rate, f.port, "
		     "f.pid, f.comm, f.peer FROM findings f JOIN samples s ON s.id = f.sample "
		     "WHERE (?1 < 0 AND s.ts_ms BETWEEN ?2 AND ?3 OR f.sample = ?1) "
		     "AND (?4 IS NULL OR f.rule = ?4) ORDER BY s.ts_ms, s.id, f.rowid",
		     &q, err);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, sample);
	sqlite3_bind_int64(q, 2, from_ms);
	sqlite3_bind_int64(q, 3, to_ms);
	if (rule)
		sqlite3_bind_text(q, 4, rule, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 4);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int r;

		memset(&f, 0, sizeof(f));
		copy_text(f.rule, sizeof(f.rule), q, 1);
		copy_text(f.severity, sizeof(f.severity), q, 2);
		copy_text(f.summary, sizeof(f.summary), q, 3);
		f.count = (uint64_t)sqlite3_column_int64(q, 4);
		f.rate = sqlite3_column_double(q, 5);
		f.port = (uint16_t)sqlite3_column_int(q, 6);
		f.pid = (uint32_t)sqlite3_column_int64(q, 7);
		copy_text(f.comm, sizeof(f.comm), q, 8);
		copy_text(f.peer, sizeof(f.peer), q, 9);
		r = cb(sqlite3_column_int64(q, 0), &f, ctx);
		if (r) {
			sqlite3_finalize(q);
			return r;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "reading findings");
}

int td_store_counter_names(struct td_store *st, void (*cb)(const char *name, void *ctx), void *ctx,
			   struct td_err *err)
{
	sqlite3_stmt *q;
	int rc = prepare(st, "SELECT DISTINCT name FROM counters ORDER BY name", &q, err);

	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(q, 0), ctx);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "reading counter names");
}

int td_store_series(struct td_store *st, const char *name, int64_t from_ms, int64_t to_ms,
		    td_store_point_cb cb, void *ctx, struct td_err *err)
{
	uint32_t mask = 0;
	int state = -1, rc;
	sqlite3_stmt *q;

	/* A counter key has a dot ("Tcp.OutRsts"); anything else is a state. */
	if (!strchr(name, '.')) {
		if (td_state_parse(name, &mask, err) < 0)
			return -TD_EPARSE;
		mask &= ~TD_STATE_BIT(TD_NEW_SYN_RECV);
		for (int i = 0; i <= TD_STATE_MAX; i++)
			if (mask == TD_STATE_BIT(i))
				state = i;
		if (state < 0)
			return td_err_set(
				err, -TD_EPARSE,
				"'%s' is a group of states: plot one state "
				"(CLOSE_WAIT, TIME_WAIT...) or a counter (TcpExt.ListenOverflows)",
				name);
		rc = prepare(st,
			     "SELECT s.ts_ms, COALESCE((SELECT ipv4 + ipv6 FROM states WHERE "
			     "sample = s.id AND state = ?3), 0) FROM samples s "
			     "WHERE s.ts_ms BETWEEN ?1 AND ?2 ORDER BY s.ts_ms, s.id",
			     &q, err);
	} else {
		rc = prepare(st, "SELECT 1 FROM counters WHERE name = ?1 LIMIT 1", &q, err);
		if (rc < 0)
			return rc;
		sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc == SQLITE_DONE)
			return td_err_set(err, -TD_ENOTFOUND,
					  "--plot %s: no such counter in the database", name);
		if (rc != SQLITE_ROW)
			return db_fail(st, err, "reading a series");
		rc = prepare(st,
			     "SELECT s.ts_ms, COALESCE((SELECT delta FROM counters WHERE "
			     "sample = s.id AND name = ?4), 0) FROM samples s "
			     "WHERE s.ts_ms BETWEEN ?1 AND ?2 ORDER BY s.ts_ms, s.id",
			     &q, err);
	}
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(q, 1, from_ms);
	sqlite3_bind_int64(q, 2, to_ms);
	if (state >= 0)
		sqlite3_bind_int(q, 3, state);
	else
		sqlite3_bind_text(q, 4, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int r = cb(sqlite3_column_int64(q, 0), sqlite3_column_double(q, 1), ctx);

		if (r) {
			sqlite3_finalize(q);
			return r;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, "reading a series");
}

/* ---- time ------------------------------------------------------------------------ */

static const struct unit {
	const char *name;
	int64_t ms;
} units[] = {
	{ "ms", 1 },	  { "s", 1000 },     { "m", 60000 },
	{ "h", 3600000 }, { "d", 86400000 }, { "w", 604800000 },
};

int td_parse_duration(const char *text, int64_t *ms, struct td_err *err)
{
	const char *p = text;
	char *end;
	double v;

	while (isspace((unsigned char)*p))
		p++;
	errno = 0;
	v = strtod(p, &end);
	if (end == p || errno || !isfinite(v) || v <= 0 || *p == '-' || *p == '+')
		goto bad;
	if (!*end) {
		*ms = (int64_t)(v * 1000);
	} else {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].name))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			goto bad;
		if (v > (double)INT64_MAX / (double)units[i].ms / 2)
			goto bad;
		*ms = (int64_t)(v * (double)units[i].ms);
	}
	if (*ms <= 0)
		goto bad;
	return 0;
bad:
	return td_err_set(err, -TD_EPARSE,
			  "'%s': expected a duration such as 500ms, 10s, 5m, 2h, 7d, 1w", text);
}

int td_parse_time(const char *text, int64_t now_ms, int64_t *ms, struct td_err *err)
{
	struct tm tm = { 0 }, today;
	const char *p = text, *end;
	char buf[64];
	size_t n;
	time_t t;

	while (isspace((unsigned char)*p))
		p++;
	snprintf(buf, sizeof(buf), "%s", p);
	n = strlen(buf);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (!strcmp(buf, "now")) {
		*ms = now_ms;
		return 0;
	}
	if (buf[0] == '@') {
		char *e;
		long long sec;

		errno = 0;
		sec = strtoll(buf + 1, &e, 10);
		if (errno || e == buf + 1 || *e || sec < 0)
			goto bad;
		*ms = sec * 1000;
		return 0;
	}
	if (buf[0] == '-' || (n > 4 && !strcmp(buf + n - 4, " ago"))) {
		int64_t d;

		if (buf[0] == '-') {
			memmove(buf, buf + 1, n);
		} else {
			buf[n - 4] = '\0';
		}
		if (td_parse_duration(buf, &d, NULL) < 0)
			goto bad;
		*ms = now_ms - d;
		return 0;
	}
	/* Absolute: a date (and time), or a time today. */
	t = (time_t)(now_ms / 1000);
	localtime_r(&t, &today);
	tm = today;
	if ((end = strptime(buf, "%Y-%m-%d", &tm))) {
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		if (*end == ' ' || *end == 'T') {
			const char *e2 = strptime(end + 1, "%H:%M:%S", &tm);

			if (!e2)
				e2 = strptime(end + 1, "%H:%M", &tm);
			end = e2;
		}
	} else {
		/* A time today; a failed strptime may have written tm: start again. */
		tm = today;
		tm.tm_sec = 0;
		end = strptime(buf, "%H:%M:%S", &tm);
		if (!end) {
			tm = today;
			tm.tm_sec = 0;
			end = strptime(buf, "%H:%M", &tm);
		}
	}
	if (!end || *end)
		goto bad;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		goto bad;
	*ms = (int64_t)t * 1000;
	return 0;
bad:
	return td_err_set(err, -TD_EPARSE,
			  "'%s': expected a time such as \"2026-11-26 03:00\", \"03:00\" (today), "
			  "\"-10m\", \"2h ago\", \"@EPOCH\" or \"now\"",
			  text);
}

/* Tests of the sysctl audit: the judge at each entry's ok/advice/warn edges
 * per profile, the recommended value, the table's own consistency, the /proc/sys
 * value parser, reading and writing under a fake root, and the sysctl.d scan
 * on tests/data/sysctl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diagnose/sysctl.h"

static const char *srcdir(void)
{
	const char *d = getenv("TD_SRCDIR");

	return d && *d ? d : ".";
}

static const struct td_sysctl_entry *entry(const char *name)
{
	const struct td_sysctl_entry *e = td_sysctl_find(name);

	if (!e)
		fail_msg("no entry %s", name);
	return e;
}

static struct td_sysctl_value val(const struct td_sysctl_entry *e, const char *text)
{
	struct td_sysctl_value v;
	struct td_err err = { 0 };

	if (td_sysctl_parse_value(text, e->kind, &v, &err) < 0)
		fail_msg("%s '%s': %s", e->name, text, err.msg);
	return v;
}

struct edge {
	const char *name;
	enum td_profile p;
	const char *value;
	enum td_verdict verdict;
	const char *rec; /* what to set; NULL = unchanged */
};

#define S TD_PROFILE_SERVER
#define C TD_PROFILE_CLIENT
#define P TD_PROFILE_PROXY
#define OK TD_VERDICT_OK
#define ADV TD_VERDICT_ADVICE
#define WARN TD_VERDICT_WARN

static const struct edge edges[] = {
	{ "net.ipv4.tcp_syncookies", S, "1", OK, NULL },
	{ "net.ipv4.tcp_syncookies", S, "2", ADV, "1" },
	{ "net.ipv4.tcp_syncookies", S, "0", WARN, "1" },
	{ "net.ipv4.tcp_syncookies", P, "0", WARN, "1" },
	{ "net.ipv4.tcp_syncookies", C, "2", OK, NULL },
	{ "net.ipv4.tcp_syncookies", C, "0", ADV, "1" },
	{ "net.ipv4.tcp_max_syn_backlog", S, "1024", OK, NULL },
	{ "net.ipv4.tcp_max_syn_backlog", S, "1023", ADV, "1024" },
	{ "net.ipv4.tcp_max_syn_backlog", S, "128", ADV, "1024" },
	{ "net.ipv4.tcp_max_syn_backlog", S, "127", WARN, "1024" },
	{ "net.ipv4.tcp_max_syn_backlog", C, "1", OK, NULL },
	{ "net.core.somaxconn", S, "4096", OK, NULL },
	{ "net.core.somaxconn", S, "4095", ADV, "4096" },
	{ "net.core.somaxconn", S, "1024", ADV, "4096" },
	{ "net.core.somaxconn", S, "1023", WARN, "4096" },
	{ "net.core.somaxconn", P, "128", WARN, "4096" },
	{ "net.core.somaxconn", C, "128", OK, NULL },
	{ "net.core.somaxconn", S, "65535", OK, NULL },
	{ "net.ipv4.tcp_synack_retries", S, "2", OK, NULL },
	{ "net.ipv4.tcp_synack_retries", S, "5", OK, NULL },
	{ "net.ipv4.tcp_synack_retries", S, "6", ADV, "5" },
	{ "net.ipv4.tcp_synack_retries", S, "1", ADV, "2" },
	{ "net.ipv4.tcp_synack_retries", S, "0", WARN, "2" },
	{ "net.ipv4.tcp_synack_retries", S, "9", WARN, "5" },
	{ "net.ipv4.tcp_synack_retries", C, "0", OK, NULL },
	{ "net.ipv4.tcp_syn_retries", S, "6", OK, NULL },
	{ "net.ipv4.tcp_syn_retries", P, "6", ADV, "4" },
	{ "net.ipv4.tcp_syn_retries", P, "4", OK, NULL },
	{ "net.ipv4.tcp_syn_retries", P, "7", WARN, "4" },
	{ "net.ipv4.tcp_syn_retries", C, "2", ADV, "3" },
	{ "net.ipv4.tcp_syn_retries", C, "1", WARN, "3" },
	{ "net.ipv4.tcp_fin_timeout", S, "60", OK, NULL },
	{ "net.ipv4.tcp_fin_timeout", S, "10", OK, NULL },
	{ "net.ipv4.tcp_fin_timeout", S, "61", ADV, "60" },
	{ "net.ipv4.tcp_fin_timeout", S, "121", WARN, "60" },
	{ "net.ipv4.tcp_fin_timeout", C, "4", WARN, "10" },
	{ "net.ipv4.tcp_tw_reuse", S, "0", OK, NULL },
	{ "net.ipv4.tcp_tw_reuse", S, "2", OK, NULL },
	{ "net.ipv4.tcp_tw_reuse", C, "2", ADV, "1" },
	{ "net.ipv4.tcp_tw_reuse", P, "0", ADV, "1" },
	{ "net.ipv4.tcp_tw_reuse", P, "1", OK, NULL },
	{ "net.ipv4.tcp_tw_reuse", P, "3", WARN, "1" },
	{ "net.ipv4.tcp_max_tw_buckets", S, "32768", OK, NULL },
	{ "net.ipv4.tcp_max_tw_buckets", S, "32767", ADV, "32768" },
	{ "net.ipv4.tcp_max_tw_buckets", S, "4095", WARN, "32768" },
	{ "net.ipv4.tcp_max_tw_buckets", P, "32768", ADV, "65536" },
	{ "net.ipv4.tcp_max_tw_buckets", C, "16384", OK, NULL },
	{ "net.ipv4.tcp_max_orphans", S, "16384", OK, NULL },
	{ "net.ipv4.tcp_max_orphans", S, "4096", ADV, "16384" },
	{ "net.ipv4.tcp_max_orphans", S, "4095", WARN, "16384" },
	{ "net.ipv4.tcp_max_orphans", C, "4096", OK, NULL },
	{ "net.ipv4.ip_local_port_range", S, "32768\t60999", OK, NULL },
	{ "net.ipv4.ip_local_port_range", S, "1024 65535", OK, NULL },
	{ "net.ipv4.ip_local_port_range", S, "60000 60010", WARN, "32768 60999" },
	{ "net.ipv4.ip_local_port_range", S, "40000 65535", ADV, "32768 65535" },
	{ "net.ipv4.ip_local_port_range", S, "32768 50000", ADV, "32768 60999" },
	{ "net.ipv4.ip_local_port_range", S, "32768 49999", WARN, "32768 60999" },
	{ "net.ipv4.ip_local_port_range", S, "1023 65535", WARN, "1024 65535" },
	{ "net.ipv4.ip_local_port_range", S, "49153 65535", WARN, "32768 65535" },
	{ "net.ipv4.ip_local_port_range", P, "32768 60999", ADV, "16384 60999" },
	{ "net.ipv4.ip_local_port_range", P, "16384 65535", OK, NULL },
	{ "net.ipv4.tcp_keepalive_time", S, "7200", OK, NULL },
	{ "net.ipv4.tcp_keepalive_time", S, "59", ADV, "60" },
	{ "net.ipv4.tcp_keepalive_time", S, "86401", WARN, "7200" },
	{ "net.ipv4.tcp_keepalive_time", P, "7200", ADV, "600" },
	{ "net.ipv4.tcp_keepalive_time", P, "7201", WARN, "600" },
	{ "net.ipv4.tcp_keepalive_time", P, "600", OK, NULL },
	{ "net.ipv4.tcp_keepalive_intvl", S, "75", OK, NULL },
	{ "net.ipv4.tcp_keepalive_intvl", S, "76", ADV, "75" },
	{ "net.ipv4.tcp_keepalive_intvl", S, "0", WARN, "10" },
	{ "net.ipv4.tcp_keepalive_probes", S, "9", OK, NULL },
	{ "net.ipv4.tcp_keepalive_probes", S, "10", ADV, "9" },
	{ "net.ipv4.tcp_keepalive_probes", S, "21", WARN, "9" },
	{ "net.ipv4.tcp_keepalive_probes", C, "0", WARN, "3" },
	{ "net.ipv4.tcp_retries2", S, "15", OK, NULL },
	{ "net.ipv4.tcp_retries2", S, "8", OK, NULL },
	{ "net.ipv4.tcp_retries2", S, "7", ADV, "8" },
	{ "net.ipv4.tcp_retries2", S, "4", WARN, "8" },
	{ "net.ipv4.tcp_retries2", P, "21", WARN, "15" },
	{ "net.ipv4.tcp_rmem", S, "4096 131072 6291456", OK, NULL },
	{ "net.ipv4.tcp_rmem", S, "4096 131072 2097152", ADV, "4096 131072 4194304" },
	{ "net.ipv4.tcp_rmem", S, "4096 131072 524288", WARN, "4096 131072 4194304" },
	{ "net.ipv4.tcp_rmem", S, "1024 131072 6291456", WARN, "4096 131072 6291456" },
	{ "net.ipv4.tcp_wmem", S, "4096 16384 4194304", OK, NULL },
	{ "net.ipv4.tcp_wmem", C, "4096 8192 4194304", ADV, "4096 16384 4194304" },
	{ "net.ipv4.tcp_abort_on_overflow", S, "0", OK, NULL },
	{ "net.ipv4.tcp_abort_on_overflow", S, "1", WARN, "0" },
	{ "net.ipv4.tcp_abort_on_overflow", C, "1", WARN, "0" },
};

static void test_edges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		const struct edge *t = &edges[i];
		const struct td_sysctl_entry *e = entry(t->name);
		struct td_sysctl_value v = val(e, t->value), rec;
		enum td_verdict got = td_sysctl_judge(e, t->p, &v);
		bool changed = td_sysctl_recommend(e, t->p, &v, &rec);
		char want[64], buf[64];

		if (got != t->verdict)
			fail_msg("%s=%s (%s): %s, expected %s", t->name, t->value,
				 td_profile_name(t->p), td_verdict_name(got),
				 td_verdict_name(t->verdict));
		snprintf(want, sizeof(want), "%s", t->rec ? t->rec : "");
		if (!t->rec)
			td_sysctl_format(&v, want, sizeof(want));
		td_sysctl_format(&rec, buf, sizeof(buf));
		if (strcmp(buf, want) || changed != (t->rec != NULL))
			fail_msg("%s=%s (%s): recommended '%s' (changed %d), expected '%s'",
				 t->name, t->value, td_profile_name(t->p), buf, changed, want);
		/* the recommendation itself always passes */
		assert_int_equal(td_sysctl_judge(e, t->p, &rec), TD_VERDICT_OK);
	}
}

/* Every entry appears among the edges: adding one to the table without
 * testing it fails here. */
static void test_edges_cover_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < td_sysctl_count(); i++) {
		const struct td_sysctl_entry *e = td_sysctl_entry_at(i);
		bool ok = false, other = false;

		for (size_t k = 0; k < sizeof(edges) / sizeof(edges[0]); k++) {
			if (strcmp(edges[k].name, e->name))
				continue;
			ok = ok || edges[k].verdict == OK;
			other = other || edges[k].verdict != OK;
		}
		if (!ok || !other)
			fail_msg("%s: no edge tests for ok and not-ok values", e->name);
	}
	assert_null(td_sysctl_entry_at(td_sysctl_count()));
}

static void test_table(void **state)
{
	(void)state;
	assert_true(td_sysctl_count() >= 17);
	for (size_t i = 0; i < td_sysctl_count(); i++) {
		const struct td_sysctl_entry *e = td_sysctl_entry_at(i);
		char path[128];
		int nv = e->kind == TD_SK_RANGE ? 2 : e->kind == TD_SK_TRIPLE ? 3 : 1;

		/* the path is the name with '/' */
		snprintf(path, sizeof(path), "%s", e->name);
		for (char *c = path; *c; c++)
			if (*c == '.')
				*c = '/';
		assert_string_equal(path, e->path);
		assert_ptr_equal(td_sysctl_find(e->name), e);
		assert_ptr_equal(td_sysctl_find(e->path), e);
		assert_true(e->reason && strlen(e->reason) > 40);
		assert_true(e->risk && strlen(e->risk) > 20);
		assert_true(e->kernel_default && *e->kernel_default);
		assert_true((e->kind == TD_SK_ENUM) == (e->values != NULL));
		for (int p = 0; p < TD_PROFILE_COUNT; p++) {
			const struct td_sysctl_rec *r = &e->rec[p];

			for (int k = 0; k < nv; k++) {
				/* ok inside tolerable, and not empty */
				assert_true(r->ok[k].lo <= r->ok[k].hi);
				assert_true(r->tolerable[k].lo <= r->ok[k].lo);
				assert_true(r->tolerable[k].hi >= r->ok[k].hi);
			}
		}
		/* where the kernel default is a number, the server profile
		 * accepts it: we do not flag a host nobody tuned */
		{
			struct td_sysctl_value v;
			char def[64];
			char *paren;

			snprintf(def, sizeof(def), "%s", e->kernel_default);
			paren = strchr(def, '(');
			if (paren)
				*paren = '\0';
			if (td_sysctl_parse_value(def, e->kind, &v, NULL) == 0 &&
			    td_sysctl_judge(e, TD_PROFILE_SERVER, &v) != TD_VERDICT_OK)
				fail_msg("%s: kernel default %s is not ok for server", e->name,
					 def);
		}
	}
	assert_null(td_sysctl_find("net.ipv4.tcp_tw_recycle"));
	assert_int_equal(td_sysctl_obsolete_count(), 1);
	assert_string_equal(td_sysctl_obsolete_at(0)->name, "net.ipv4.tcp_tw_recycle");
	assert_string_equal(td_sysctl_obsolete_at(0)->removed_in, "4.12");
}

static void test_absent_and_audit(void **state)
{
	size_t n = td_sysctl_count();
	struct td_sysctl_value *values = calloc(n, sizeof(*values));
	struct td_sysctl_finding *out = calloc(n, sizeof(*out));
	const struct td_sysctl_entry *e;
	size_t warn = 0, absent = 0, i_syn = n, i_range = n;

	(void)state;
	assert_non_null(values);
	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		e = td_sysctl_entry_at(i);
		if (!strcmp(e->name, "net.ipv4.tcp_syncookies")) {
			values[i] = val(e, "0");
			i_syn = i;
		} else if (!strcmp(e->name, "net.ipv4.ip_local_port_range")) {
			values[i] = val(e, "60000\t60010\n");
			i_range = i;
		} else if (!strcmp(e->name, "net.ipv4.tcp_keepalive_time")) {
			values[i] = val(e, "7200");
		} /* the rest stay absent (n == 0) */
	}
	td_sysctl_audit(values, TD_PROFILE_SERVER, out);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(out[i].e, td_sysctl_entry_at(i));
		warn += out[i].verdict == TD_VERDICT_WARN;
		absent += out[i].verdict == TD_VERDICT_ABSENT;
		if (out[i].verdict == TD_VERDICT_ABSENT)
			assert_int_equal(out[i].rec.n, 0);
	}
	assert_int_equal(warn, 2);
	assert_int_equal(absent, n - 3);
	assert_int_equal(out[i_syn].cur.v[0], 0);
	assert_int_equal(out[i_syn].rec.v[0], 1);
	assert_int_equal(out[i_range].rec.v[0], 32768);
	assert_int_equal(out[i_range].rec.v[1], 60999);
	/* a value with the wrong count of numbers is absent, not judged */
	e = td_sysctl_entry_at(i_range);
	values[0].n = 2;
	assert_int_equal(td_sysctl_judge(td_sysctl_entry_at(0), TD_PROFILE_SERVER, &values[0]),
			 TD_VERDICT_ABSENT);
	free(values);
	free(out);
}

static void test_rec_text(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(
		td_sysctl_rec_text(entry("net.ipv4.tcp_syncookies"), S, buf, sizeof(buf)), "1");
	assert_string_equal(td_sysctl_rec_text(entry("net.core.somaxconn"), S, buf, sizeof(buf)),
			    ">= 4096");
	assert_string_equal(td_sysctl_rec_text(entry("net.core.somaxconn"), C, buf, sizeof(buf)),
			    "any");
	assert_string_equal(
		td_sysctl_rec_text(entry("net.ipv4.tcp_synack_retries"), S, buf, sizeof(buf)),
		"2..5");
	assert_string_equal(
		td_sysctl_rec_text(entry("net.ipv4.ip_local_port_range"), P, buf, sizeof(buf)),
		"low 1024..16384, high 60999..65535");
	assert_string_equal(td_sysctl_rec_text(entry("net.ipv4.tcp_wmem"), S, buf, sizeof(buf)),
			    "min 4096..65536, default 16384..1048576, max 4194304..1073741824");
	/* a short buffer stays terminated */
	td_sysctl_rec_text(entry("net.ipv4.tcp_wmem"), S, buf, 10);
	assert_int_equal(strlen(buf), 9);
}

static void test_parse_value(void **state)
{
	static const struct {
		const char *text;
		enum td_sysctl_kind kind;
		int n;
		int64_t v[3];
		const char *err; /* substring; NULL: parses */
	} cases[] = {
		{ "1\n", TD_SK_ENUM, 1, { 1 }, NULL },
		{ "-1\n", TD_SK_INT, 1, { -1 }, NULL },
		{ "32768\t60999\n", TD_SK_RANGE, 2, { 32768, 60999 }, NULL },
		{ "  32768   60999  ", TD_SK_RANGE, 2, { 32768, 60999 }, NULL },
		{ "4096 131072 6291456", TD_SK_TRIPLE, 3, { 4096, 131072, 6291456 }, NULL },
		{ "4096\t16384\t4194304\n", TD_SK_TRIPLE, 3, { 4096, 16384, 4194304 }, NULL },
		{ "", TD_SK_INT, 0, { 0 }, "0 numbers, expected 1 (int)" },
		{ "\n", TD_SK_RANGE, 0, { 0 }, "0 numbers, expected 2 (range)" },
		{ "1 2", TD_SK_INT, 0, { 0 }, "more than 1 number" },
		{ "4096 131072", TD_SK_TRIPLE, 0, { 0 }, "2 numbers, expected 3 (triple)" },
		{ "32768 60999 1", TD_SK_RANGE, 0, { 0 }, "more than 2 numbers" },
		{ "12x", TD_SK_INT, 0, { 0 }, "not a number at '12x'" },
		{ "0x10", TD_SK_INT, 0, { 0 }, "not a number" },
		{ "abc", TD_SK_INT, 0, { 0 }, "not a number at 'abc'" },
		{ "99999999999999999999", TD_SK_INT, 0, { 0 }, "not a number" },
		{ "1,2", TD_SK_RANGE, 0, { 0 }, "not a number" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct td_sysctl_value v;
		struct td_err err = { 0 };
		int rc = td_sysctl_parse_value(cases[i].text, cases[i].kind, &v, &err);

		if (!cases[i].err) {
			if (rc)
				fail_msg("'%s': %s", cases[i].text, err.msg);
			assert_int_equal(v.n, cases[i].n);
			for (int k = 0; k < v.n; k++)
				assert_true(v.v[k] == cases[i].v[k]);
		} else {
			if (rc != -TD_EPARSE || !strstr(err.msg, cases[i].err))
				fail_msg("'%s': got %d '%s', want '%s'", cases[i].text, rc, err.msg,
					 cases[i].err);
			assert_int_equal(v.n, 0);
		}
	}
}

static void test_format(void **state)
{
	struct td_sysctl_value v = { .n = 3, .v = { 4096, -1, 6291456 } };
	char buf[64];

	(void)state;
	assert_string_equal(td_sysctl_format(&v, buf, sizeof(buf)), "4096 -1 6291456");
	v.n = 0;
	assert_string_equal(td_sysctl_format(&v, buf, sizeof(buf)), "");
}

static void test_profile(void **state)
{
	enum td_profile p = TD_PROFILE_SERVER;
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_profile_parse("proxy", &p, &err), 0);
	assert_int_equal(p, TD_PROFILE_PROXY);
	assert_int_equal(td_profile_parse("client", &p, &err), 0);
	assert_int_equal(p, TD_PROFILE_CLIENT);
	assert_int_equal(td_profile_parse("Server", &p, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "expected server, client or proxy"));
	assert_int_equal(p, TD_PROFILE_CLIENT);
	assert_string_equal(td_profile_name(TD_PROFILE_SERVER), "server");
	assert_string_equal(td_verdict_name(TD_VERDICT_ADVICE), "advice");
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_read_write(void **state)
{
	char root[] = "/tmp/td-sysctl-XXXXXX", path[256], buf[64];
	const struct td_sysctl_entry *syn = entry("net.ipv4.tcp_syncookies");
	const struct td_sysctl_entry *range = entry("net.ipv4.ip_local_port_range");
	struct td_sysctl_value v;
	struct td_err err = { 0 };
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/net", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/net/ipv4", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/net/ipv4/tcp_syncookies", root);
	write_file(path, "0\n");
	snprintf(path, sizeof(path), "%s/net/ipv4/ip_local_port_range", root);
	write_file(path, "60000\t60010\n");

	assert_int_equal(td_sysctl_read(syn, root, &v, &err), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.v[0], 0);
	assert_int_equal(td_sysctl_read(range, root, &v, &err), 0);
	assert_int_equal(v.v[1], 60010);

	v = (struct td_sysctl_value){ .n = 2, .v = { 32768, 60999 } };
	assert_int_equal(td_sysctl_write(range, root, &v, &err), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "32768 60999\n");
	/* wrong count of numbers: refused before touching the file */
	v.n = 1;
	assert_int_equal(td_sysctl_write(range, root, &v, &err), -EINVAL);

	/* absent: per-netns and global say different things */
	assert_int_equal(td_sysctl_read(entry("net.core.somaxconn"), root, &v, &err), -ENOENT);
	assert_int_equal(v.n, 0);
	assert_non_null(strstr(err.msg, "/net/core/somaxconn"));
	assert_int_equal(td_sysctl_read(entry("net.ipv4.tcp_max_orphans"), root, &v, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "initial network namespace"));
	assert_int_equal(td_sysctl_write(entry("net.core.somaxconn"), root, &v, &err), -EINVAL);

	/* garbage in the file names the file */
	snprintf(path, sizeof(path), "%s/net/ipv4/tcp_syncookies", root);
	write_file(path, "yes\n");
	assert_int_equal(td_sysctl_read(syn, root, &v, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "net/ipv4/tcp_syncookies: 'yes"));
	assert_int_equal(v.n, 0);

	unlink(path);
	snprintf(path, sizeof(path), "%s/net/ipv4/ip_local_port_range", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/net/ipv4", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/net", root);
	rmdir(path);
	rmdir(root);
}

/* The live /proc/sys of this namespace parses for every entry present. */
static void test_read_live(void **state)
{
	size_t present = 0;

	(void)state;
	for (size_t i = 0; i < td_sysctl_count(); i++) {
		struct td_sysctl_value v;
		struct td_err err = { 0 };
		int rc = td_sysctl_read(td_sysctl_entry_at(i), NULL, &v, &err);

		if (rc == -ENOENT)
			continue;
		if (rc < 0)
			fail_msg("%s", err.msg);
		present++;
	}
	assert_true(present >= 15);
}

struct collected {
	char lines[32][256];
	size_t n;
	int stop_after;
};

static int collect_cb(const struct td_sysctl_setting *s, void *ctx)
{
	struct collected *c = ctx;
	const char *rel = strstr(s->file, "/root/");

	assert_true(c->n < 32);
	snprintf(c->lines[c->n++], sizeof(c->lines[0]), "%s:%lu %s%s=%s", rel ? rel + 6 : s->file,
		 s->line, s->ignore_errors ? "-" : "", s->key, s->value);
	if (c->stop_after && (int)c->n == c->stop_after)
		return 7;
	return 0;
}

static void test_conf_scan(void **state)
{
	static const char *const want[] = {
		"etc/sysctl.d/10-net.conf:2 -net.ipv4.tcp_tw_recycle=0",
		"etc/sysctl.d/10-net.conf:3 net.core.somaxconn=1024",
		"run/sysctl.d/30-run.conf:1 net.core.somaxconn=2048",
		"usr/lib/sysctl.d/50-default.conf:2 net.ipv4.tcp_syncookies=1",
		"usr/lib/sysctl.d/50-default.conf:5 net.ipv4.ip_local_port_range=1024\t65535",
		"etc/sysctl.conf:3 net.ipv4.tcp_tw_recycle=1",
		"etc/sysctl.conf:4 net.ipv4.tcp_fin_timeout=15",
	};
	struct collected c = { .n = 0 };
	struct td_err err = { 0 };
	char root[4096];

	(void)state;
	snprintf(root, sizeof(root), "%s/tests/data/sysctl/root", srcdir());
	if (td_sysctl_conf_scan(root, collect_cb, &c, &err) < 0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < c.n; i++)
		print_message("# %s\n", c.lines[i]);
	assert_int_equal(c.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < c.n; i++)
		assert_string_equal(c.lines[i], want[i]);

	/* the callback stops the scan */
	c = (struct collected){ .stop_after = 2 };
	assert_int_equal(td_sysctl_conf_scan(root, collect_cb, &c, &err), 7);
	assert_int_equal(c.n, 2);

	/* nothing configured is not an error */
	c = (struct collected){ .n = 0 };
	snprintf(root, sizeof(root), "%s/tests/data/sysctl/empty", srcdir());
	assert_int_equal(td_sysctl_conf_scan(root, collect_cb, &c, &err), 0);
	assert_int_equal(c.n, 0);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_edges_cover_table),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_absent_and_audit),
		cmocka_unit_test(test_rec_text),
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_read_live),
		cmocka_unit_test(test_conf_scan),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}

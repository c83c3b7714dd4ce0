/* Unit tests for sockdiag.c: td_sockdiag_parse() on hand-built messages,
 * td_replay_dump() on every fixture of tests/data/sockdiag (real dumps
 * recorded by record.sh, broken ones by make-fixtures.py; the result each
 * must give is in the .expected file next to it), and a live dump of
 * sockets this test opens on 127.0.0.1 (sock_diag for TCP needs no root). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "skip.h"

#include "sockets/sockdiag.h"
#include "state.h"

/* ---- helpers ---------------------------------------------------------- */

struct collect {
	struct td_sock *v;
	size_t n, cap;
	size_t stop_at; /* return stop_rc when the n-th socket arrives (0: never) */
	int stop_rc;
};

static int collect_cb(const struct td_sock *s, void *ctx)
{
	struct collect *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	c->v[c->n++] = *s;
	if (c->stop_at && c->n == c->stop_at)
		return c->stop_rc;
	return 0;
}

static void collect_free(struct collect *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static const char *fixture(const char *name, char *buf, size_t len)
{
	const char *root = getenv("TD_SRCDIR");

	snprintf(buf, len, "%s/tests/data/sockdiag/%s", root && *root ? root : ".", name);
	return buf;
}

/* Does msg hold "WORD N" with N not followed by another digit? */
static bool has_num(const char *msg, const char *word, long n)
{
	char want[64];
	const char *p = msg;
	size_t len;

	len = (size_t)snprintf(want, sizeof(want), "%s %ld", word, n);
	while ((p = strstr(p, want))) {
		if (p[len] < '0' || p[len] > '9')
			return true;
		p += len;
	}
	return false;
}

/* ---- .expected files -------------------------------------------------- */

#define MAX_TEXT 4
#define MAX_FIRST 8
#define MAX_FILTERS 16

struct expect {
	long total, ipv4, ipv6, info;
	long states[TD_STATE_MAX + 1];
	int error;	  /* 0, -TD_ETRUNC or -TD_EPARSE */
	long msgno, byte; /* -1: not given */
	int ntext, nfirst, nfilter;
	char text[MAX_TEXT][256];
	struct {
		char name[64];
		unsigned long long val;
	} first[MAX_FIRST];
	struct {
		char opt[16], val[64];
		long n;
	} filter[MAX_FILTERS];
};

static int state_by_name(const char *name)
{
	for (int i = 1; i <= TD_STATE_MAX; i++)
		if (!strcmp(td_state_name(i), name))
			return i;
	return -1;
}

static void read_expected(const char *bin, struct expect *e)
{
	char path[512], line[256], key[64];
	size_t blen = strlen(bin);
	FILE *fp;
	int st, pos;

	memset(e, 0, sizeof(*e));
	e->total = e->ipv4 = e->ipv6 = -1;
	e->msgno = e->byte = -1;
	assert_true(blen > 4 && !strcmp(bin + blen - 4, ".bin"));
	snprintf(path, sizeof(path), "%.*s.expected", (int)(blen - 4), bin);
	fp = fopen(path, "r");
	if (!fp)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		char *rest;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (sscanf(line, "%63s %n", key, &pos) != 1)
			fail_msg("%s: bad line '%s'", path, line);
		rest = line + pos;
		if (!strcmp(key, "total"))
			e->total = atol(rest);
		else if (!strcmp(key, "ipv4"))
			e->ipv4 = atol(rest);
		else if (!strcmp(key, "ipv6"))
			e->ipv6 = atol(rest);
		else if (!strcmp(key, "info"))
			e->info = atol(rest);
		else if (!strcmp(key, "message"))
			e->msgno = atol(rest);
		else if (!strcmp(key, "byte"))
			e->byte = atol(rest);
		else if (!strcmp(key, "error"))
			e->error = !strcmp(rest, "ETRUNC")   ? -TD_ETRUNC
				   : !strcmp(rest, "EPARSE") ? -TD_EPARSE
							     : 1;
		else if (!strcmp(key, "text")) {
			assert_true(e->ntext < MAX_TEXT);
			snprintf(e->text[e->ntext++], sizeof(e->text[0]), "%s", rest);
		} else if (!strncmp(key, "first.", 6)) {
			assert_true(e->nfirst < MAX_FIRST);
			snprintf(e->first[e->nfirst].name, sizeof(e->first[0].name), "%s", key + 6);
			e->first[e->nfirst++].val = strtoull(rest, NULL, 10);
		} else if (!strcmp(key, "filter")) {
			assert_true(e->nfilter < MAX_FILTERS);
			if (sscanf(rest, "%15s %63s %ld", e->filter[e->nfilter].opt,
				   e->filter[e->nfilter].val, &e->filter[e->nfilter].n) != 3)
				fail_msg("%s: bad filter line '%s'", path, line);
			e->nfilter++;
		} else if ((st = state_by_name(key)) > 0)
			e->states[st] = atol(rest);
		else
			fail_msg("%s: unknown key '%s'", path, key);
	}
	fclose(fp);
	assert_int_not_equal(e->error, 1);
	assert_true(e->total >= 0 && e->ipv4 >= 0 && e->ipv6 >= 0);
}

/* tcp_info fields an .expected file may name as first.FIELD */
static const struct {
	const char *name;
	size_t off, size;
} info_fields[] = {
	{ "rtt_us", offsetof(struct td_tcpinfo, rtt_us), 4 },
	{ "rttvar_us", offsetof(struct td_tcpinfo, rttvar_us), 4 },
	{ "snd_cwnd", offsetof(struct td_tcpinfo, snd_cwnd), 4 },
	{ "total_retrans", offsetof(struct td_tcpinfo, total_retrans), 4 },
	{ "bytes_acked", offsetof(struct td_tcpinfo, bytes_acked), 8 },
	{ "min_rtt_us", offsetof(struct td_tcpinfo, min_rtt_us), 4 },
	{ "delivery_rate", offsetof(struct td_tcpinfo, delivery_rate), 8 },
};

static unsigned long long info_field(const struct td_tcpinfo *ti, const char *name)
{
	for (size_t i = 0; i < sizeof(info_fields) / sizeof(info_fields[0]); i++) {
		const char *p = (const char *)ti + info_fields[i].off;
		uint32_t v32;
		uint64_t v64;

		if (strcmp(info_fields[i].name, name))
			continue;
		if (info_fields[i].size == 4) {
			memcpy(&v32, p, 4);
			return v32;
		}
		memcpy(&v64, p, 8);
		return v64;
	}
	fail_msg("unknown tcp_info field '%s' in an .expected file", name);
	return 0;
}

typedef int (*add_fn)(struct td_filter *, const char *, struct td_err *);

static add_fn filter_adder(const char *opt)
{
	static const struct {
		const char *opt;
		add_fn add;
	} adders[] = {
		{ "state", td_filter_add_state }, { "sport", td_filter_add_sport },
		{ "dport", td_filter_add_dport }, { "port", td_filter_add_port },
		{ "src", td_filter_add_src },	  { "dst", td_filter_add_dst },
	};

	for (size_t i = 0; i < sizeof(adders) / sizeof(adders[0]); i++)
		if (!strcmp(adders[i].opt, opt))
			return adders[i].add;
	fail_msg("unknown filter option '%s' in an .expected file", opt);
	return NULL;
}

/* ---- replay of each fixture -------------------------------------------- */

/* Kept outside the test so the teardown frees them when an assert fails
 * half-way (cmocka longjmps out), and LeakSanitizer reports only real leaks. */
static struct collect fix_all, fix_filtered;

static int fixture_teardown(void **state)
{
	(void)state;
	collect_free(&fix_all);
	collect_free(&fix_filtered);
	return 0;
}

static void check_fixture(const char *name)
{
	struct collect c = { 0 };
	struct td_err err = { 0 };
	char path[512];
	struct expect e;
	long states[TD_STATE_MAX + 1] = { 0 }, v4 = 0, v6 = 0, info = 0;
	int rc;

	fixture(name, path, sizeof(path));
	read_expected(path, &e);
	rc = td_replay_dump(path, NULL, collect_cb, &fix_all, &err);
	c = fix_all;
	print_message("# %s: rc %d, %zu sockets%s%s\n", name, rc, c.n, err.msg[0] ? ": " : "",
		      err.msg);

	/* The sockets before an error (or all of them) reached the callback. */
	for (size_t i = 0; i < c.n; i++) {
		assert_in_range(c.v[i].state, 1, TD_STATE_MAX);
		states[c.v[i].state]++;
		if (c.v[i].family == AF_INET)
			v4++;
		else if (c.v[i].family == AF_INET6)
			v6++;
		else
			fail_msg("%s: socket %zu with family %u", name, i, c.v[i].family);
		if (c.v[i].flags & TD_SOCK_HAS_INFO)
			info++;
		assert_true(c.v[i].flags & TD_SOCK_HAS_COOKIE);
		assert_int_equal(!!(c.v[i].flags & TD_SOCK_HAS_BACKLOG), c.v[i].state == TD_LISTEN);
	}
	assert_int_equal(c.n, e.total);
	assert_int_equal(v4, e.ipv4);
	assert_int_equal(v6, e.ipv6);
	assert_int_equal(info, e.info);
	for (int i = 1; i <= TD_STATE_MAX; i++) {
		if (states[i] != e.states[i])
			fail_msg("%s: %s: %ld sockets, expected %ld", name, td_state_name(i),
				 states[i], e.states[i]);
	}
	for (int i = 0; i < e.nfirst; i++) {
		assert_true(c.n > 0);
		if (info_field(&c.v[0].info, e.first[i].name) != e.first[i].val)
			fail_msg("%s: first socket: %s = %llu, expected %llu", name,
				 e.first[i].name, info_field(&c.v[0].info, e.first[i].name),
				 e.first[i].val);
	}

	if (!e.error) {
		assert_int_equal(rc, 0);
	} else {
		char kept[64];

		assert_int_equal(rc, e.error);
		assert_int_equal(err.code, e.error);
		/* what, where, and what was kept */
		assert_non_null(strstr(err.msg, path));
		assert_true(e.msgno > 0);
		if (!has_num(err.msg, "message", e.msgno))
			fail_msg("%s: no 'message %ld' in '%s'", name, e.msgno, err.msg);
		if (e.byte >= 0 && !has_num(err.msg, "byte", e.byte))
			fail_msg("%s: no 'byte %ld' in '%s'", name, e.byte, err.msg);
		snprintf(kept, sizeof(kept), "kept %ld sockets", e.total);
		if (!strstr(err.msg, kept))
			fail_msg("%s: no '%s' in '%s'", name, kept, err.msg);
		for (int i = 0; i < e.ntext; i++)
			if (!strstr(err.msg, e.text[i]))
				fail_msg("%s: no '%s' in '%s'", name, e.text[i], err.msg);
	}

	/* A filter applied to the replay keeps exactly what ss counted at
	 * recording time, and what td_filter_match() keeps of the full list. */
	for (int i = 0; i < e.nfilter; i++) {
		struct td_filter f;
		struct collect fc;
		long by_match = 0;

		td_filter_init(&f);
		td_err_clear(&err);
		assert_int_equal(filter_adder(e.filter[i].opt)(&f, e.filter[i].val, &err), 0);
		assert_int_equal(td_replay_dump(path, &f, collect_cb, &fix_filtered, &err),
				 e.error);
		fc = fix_filtered;
		for (size_t j = 0; j < c.n; j++)
			by_match += td_filter_match(&f, &c.v[j]);
		if ((long)fc.n != e.filter[i].n || by_match != e.filter[i].n)
			fail_msg("%s: --%s %s: replay kept %zu, match %ld, ss counted %ld", name,
				 e.filter[i].opt, e.filter[i].val, fc.n, by_match, e.filter[i].n);
		for (size_t j = 0; j < fc.n; j++)
			assert_true(td_filter_match(&f, &fc.v[j]));
		collect_free(&fix_filtered);
	}
	collect_free(&fix_all);
}

#define FIXTURE_TEST(fn, file)                                                                     \
	static void fn(void **state)                                                               \
	{                                                                                          \
		(void)state;                                                                       \
		check_fixture(file);                                                               \
	}

FIXTURE_TEST(test_replay_many, "many.bin")
FIXTURE_TEST(test_replay_many_td, "many-td.bin")
FIXTURE_TEST(test_replay_v4v6, "v4v6.bin")
FIXTURE_TEST(test_replay_empty, "empty.bin")
FIXTURE_TEST(test_replay_done_only, "done-only.bin")
FIXTURE_TEST(test_replay_unpadded, "unpadded.bin")
FIXTURE_TEST(test_replay_error, "error.bin")
FIXTURE_TEST(test_replay_error_intmin, "error-intmin.bin")
FIXTURE_TEST(test_replay_trunc_header, "trunc-header.bin")
FIXTURE_TEST(test_replay_trunc_body, "trunc-body.bin")
FIXTURE_TEST(test_replay_trunc_attr, "trunc-attr.bin")
FIXTURE_TEST(test_replay_badlen_small, "badlen-small.bin")
FIXTURE_TEST(test_replay_badlen_huge, "badlen-huge.bin")
FIXTURE_TEST(test_replay_short_msg, "short-msg.bin")
FIXTURE_TEST(test_replay_badfamily, "badfamily.bin")
FIXTURE_TEST(test_replay_badattr, "badattr.bin")
FIXTURE_TEST(test_replay_info_short, "info-short.bin")
FIXTURE_TEST(test_replay_info_long, "info-long.bin")

/* The dump spans many netlink reply buffers (NLM_F_MULTI), one per recv,
 * and ends each family with NLMSG_DONE: the replay must not stop at the
 * first DONE (ss's own TCPDIAG_FILE replay does, and loses IPv6). */
static void test_replay_multipart_both_families(void **state)
{
	struct collect c = { 0 };
	struct td_err err = { 0 };
	char path[512];
	size_t first_v6 = 0;

	(void)state;
	assert_int_equal(
		td_replay_dump(fixture("many.bin", path, sizeof(path)), NULL, collect_cb, &c, &err),
		0);
	assert_int_equal(c.n, 995);
	/* IPv4 first, then IPv6, as the tool asks the kernel */
	while (first_v6 < c.n && c.v[first_v6].family == AF_INET)
		first_v6++;
	assert_int_equal(first_v6, 923);
	for (size_t i = first_v6; i < c.n; i++)
		assert_int_equal(c.v[i].family, AF_INET6);
	/* The recording's known shape: listener 127.0.0.1:5432 with 5
	 * connections waiting in its accept queue; TIME_WAIT has no inode. */
	for (size_t i = 0; i < c.n; i++) {
		const struct td_sock *s = &c.v[i];

		if (s->state == TD_LISTEN && s->lport == 5432) {
			assert_int_equal(s->rqueue, 5);
			assert_int_equal(s->wqueue, 16);
			assert_int_equal(s->laddr[0], 127);
		}
		if (s->state == TD_TIME_WAIT) {
			assert_int_equal(s->inode, 0);
			assert_int_equal(s->timer, TD_TIMER_TIMEWAIT);
			assert_in_range(s->timer_ms, 1, 60000);
		}
		if (s->family == AF_INET)
			for (int b = 4; b < 16; b++)
				assert_int_equal(s->laddr[b] | s->raddr[b], 0);
	}
	collect_free(&c);
}

static void test_replay_cb_stops(void **state)
{
	struct collect c = { .stop_at = 10, .stop_rc = 42 };
	struct td_err err = { 0 };
	char path[512];

	(void)state;
	fixture("many.bin", path, sizeof(path));
	assert_int_equal(td_replay_dump(path, NULL, collect_cb, &c, &err), 42);
	assert_int_equal(c.n, 10);
	collect_free(&c);

	/* a negative value (an error of the consumer) comes back unchanged */
	c = (struct collect){ .stop_at = 1, .stop_rc = -ENOMEM };
	assert_int_equal(td_replay_dump(path, NULL, collect_cb, &c, &err), -ENOMEM);
	assert_int_equal(c.n, 1);
	collect_free(&c);

	/* with a filter, only sockets that pass count towards the stop */
	{
		struct td_filter f;

		td_filter_init(&f);
		assert_int_equal(td_filter_add_state(&f, "time-wait", &err), 0);
		c = (struct collect){ .stop_at = 3, .stop_rc = 1 };
		assert_int_equal(td_replay_dump(path, &f, collect_cb, &c, &err), 1);
		assert_int_equal(c.n, 3);
		for (size_t i = 0; i < c.n; i++)
			assert_int_equal(c.v[i].state, TD_TIME_WAIT);
		collect_free(&c);
	}
}

static void test_replay_unreadable(void **state)
{
	struct collect c = { 0 };
	struct td_err err = { 0 };
	char path[512];

	(void)state;
	assert_int_equal(td_replay_dump("/nonexistent/td-dump.bin", NULL, collect_cb, &c, &err),
			 -ENOENT);
	assert_int_equal(err.code, -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/td-dump.bin"));
	/* a directory opens but cannot be read */
	td_err_clear(&err);
	assert_true(td_replay_dump(fixture("", path, sizeof(path)), NULL, collect_cb, &c, &err) <
		    0);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(c.n, 0);
	/* err may be NULL */
	assert_int_equal(td_replay_dump("/nonexistent/td-dump.bin", NULL, collect_cb, &c, NULL),
			 -ENOENT);
}

/* ---- td_sockdiag_parse on hand-built messages ------------------------- */

struct diag_buf {
	union {
		struct nlmsghdr nlh;
		char bytes[1024];
	};
};

static struct inet_diag_msg *build(struct diag_buf *b, int family, int state)
{
	struct inet_diag_msg *r;

	memset(b, 0, sizeof(*b));
	b->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*r));
	b->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	b->nlh.nlmsg_flags = NLM_F_MULTI;
	r = NLMSG_DATA(&b->nlh);
	r->idiag_family = (uint8_t)family;
	r->idiag_state = (uint8_t)state;
	return r;
}

static void add_attr(struct diag_buf *b, int type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(b->bytes + NLMSG_ALIGN(b->nlh.nlmsg_len));

	assert_true(NLMSG_ALIGN(b->nlh.nlmsg_len) + NLA_HDRLEN + len <= sizeof(b->bytes));
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	a->nla_type = (uint16_t)type;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	b->nlh.nlmsg_len = NLMSG_ALIGN(b->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void test_parse_ipv4_fields(void **state)
{
	struct diag_buf b;
	struct inet_diag_msg *r = build(&b, AF_INET, TD_ESTABLISHED);
	struct td_err err = { 0 };
	struct td_sock s;

	(void)state;
	r->idiag_timer = TD_TIMER_RETRANS;
	r->idiag_retrans = 3;
	r->id.idiag_sport = htons(8080);
	r->id.idiag_dport = htons(40000);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", r->id.idiag_src), 1);
	assert_int_equal(inet_pton(AF_INET, "198.51.100.7", r->id.idiag_dst), 1);
	/* the kernel leaves the rest of the array alone for IPv4: junk there
	 * must not leak into the address */
	r->id.idiag_src[1] = r->id.idiag_src[2] = r->id.idiag_src[3] = 0xdeadbeef;
	r->id.idiag_dst[3] = 0x01020304;
	r->id.idiag_if = 5;
	r->id.idiag_cookie[0] = 0x89abcdef;
	r->id.idiag_cookie[1] = 0x01234567;
	r->idiag_expires = 200;
	r->idiag_rqueue = 11;
	r->idiag_wqueue = 22;
	r->idiag_uid = 1000;
	r->idiag_inode = 987654;

	memset(&s, 0x5a, sizeof(s)); /* every field must be written */
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), 0);
	assert_int_equal(s.family, AF_INET);
	assert_int_equal(s.state, TD_ESTABLISHED);
	assert_int_equal(s.timer, TD_TIMER_RETRANS);
	assert_int_equal(s.retrans, 3);
	assert_int_equal(s.lport, 8080);
	assert_int_equal(s.rport, 40000);
	assert_memory_equal(s.laddr, "\xc0\x00\x02\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_memory_equal(s.raddr, "\xc6\x33\x64\x07\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(s.ifindex, 5);
	assert_true(s.cookie == 0x0123456789abcdefULL);
	assert_int_equal(s.timer_ms, 200);
	assert_int_equal(s.rqueue, 11);
	assert_int_equal(s.wqueue, 22);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.inode, 987654);
	assert_int_equal(s.flags, TD_SOCK_HAS_COOKIE);
	{
		struct td_tcpinfo zero;

		memset(&zero, 0, sizeof(zero));
		assert_memory_equal(&s.info, &zero, sizeof(zero));
	}

	/* no timer running: idiag_expires means nothing */
	r->idiag_timer = TD_TIMER_NONE;
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), 0);
	assert_int_equal(s.timer_ms, 0);
}

static void test_parse_ipv6_listen(void **state)
{
	struct diag_buf b;
	struct inet_diag_msg *r = build(&b, AF_INET6, TD_LISTEN);
	struct td_err err = { 0 };
	struct td_sock s;
	uint8_t want[16];

	(void)state;
	r->id.idiag_sport = htons(443);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", r->id.idiag_src), 1);
	r->idiag_rqueue = 2;   /* accept queue */
	r->idiag_wqueue = 128; /* backlog */
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), 0);
	assert_int_equal(s.family, AF_INET6);
	assert_int_equal(s.lport, 443);
	assert_int_equal(s.rport, 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", want), 1);
	assert_memory_equal(s.laddr, want, 16);
	assert_true(s.flags & TD_SOCK_HAS_BACKLOG);
	assert_true(s.flags & TD_SOCK_HAS_COOKIE);
	assert_false(s.flags & TD_SOCK_HAS_INFO);
	assert_int_equal(s.rqueue, 2);
	assert_int_equal(s.wqueue, 128);

	/* IPv4-mapped peer of a dual-stack socket: all 16 bytes kept */
	r->idiag_state = TD_ESTABLISHED;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.9", r->id.idiag_dst), 1);
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), 0);
	assert_false(s.flags & TD_SOCK_HAS_BACKLOG);
	assert_memory_equal(s.raddr, r->id.idiag_dst, 16);
}

static void test_parse_info(void **state)
{
	struct diag_buf b;
	struct td_err err = { 0 };
	struct tcp_info ti;
	struct td_sock s;
	uint8_t shut = 3;
	char big[sizeof(ti) + 48];

	(void)state;
	build(&b, AF_INET, TD_ESTABLISHED);
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_ca_state = 4;
	ti.tcpi_options = TCPI_OPT_SACK | TCPI_OPT_WSCALE;
	ti.tcpi_snd_wscale = 7;
	ti.tcpi_rcv_wscale = 9;
	ti.tcpi_rto = 204000;
	ti.tcpi_rtt = 1500;
	ti.tcpi_rttvar = 750;
	ti.tcpi_snd_mss = 1448;
	ti.tcpi_rcv_mss = 536;
	ti.tcpi_snd_cwnd = 10;
	ti.tcpi_snd_ssthresh = 7;
	ti.tcpi_unacked = 4;
	ti.tcpi_sacked = 1;
	ti.tcpi_lost = 2;
	ti.tcpi_retrans = 1;
	ti.tcpi_total_retrans = 17;
	ti.tcpi_last_data_sent = 100;
	ti.tcpi_last_data_recv = 200;
	ti.tcpi_last_ack_recv = 300;
	ti.tcpi_rcv_space = 65535;
	ti.tcpi_bytes_acked = 5000000000ULL;
	ti.tcpi_bytes_received = 6000000000ULL;
	ti.tcpi_delivery_rate = 125000000;
	ti.tcpi_min_rtt = 40;
	ti.tcpi_probes = 2;
	ti.tcpi_backoff = 3;
	/* another attribute first: only INET_DIAG_INFO fills info */
	add_attr(&b, INET_DIAG_SHUTDOWN, &shut, 1);
	add_attr(&b, INET_DIAG_INFO, &ti, sizeof(ti));
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), 0);
	assert_true(s.flags & TD_SOCK_HAS_INFO);
	assert_int_equal(s.info.ca_state, 4);
	assert_int_equal(s.info.options, TCPI_OPT_SACK | TCPI_OPT_WSCALE);
	assert_int_equal(s.info.snd_wscale, 7);
	assert_int_equal(s.info.rcv_wscale, 9);
	assert_int_equal(s.info.rto_us, 204000);
	assert_int_equal(s.info.rtt_us, 1500);
	assert_int_equal(s.info.rttvar_us, 750);
	assert_int_equal(s.info.snd_mss, 1448);
	assert_int_equal(s.info.rcv_mss, 536);
	assert_int_equal(s.info.snd_cwnd, 10);
	assert_int_equal(s.info.snd_ssthresh, 7);
	assert_int_equal(s.info.unacked, 4);
	assert_int_equal(s.info.sacked, 1);
	assert_int_equal(s.info.lost, 2);
	assert_int_equal(s.info.retrans, 1);
	assert_int_equal(s.info.total_retrans, 17);
	assert_int_equal(s.info.last_data_sent_ms, 100);
	assert_int_equal(s.info.last_data_recv_ms, 200);
	assert_int_equal(s.info.last_ack_recv_ms, 300);
	assert_int_equal(s.info.rcv_space, 65535);
	assert_true(s.info.bytes_acked == 5000000000ULL);
	assert_true(s.info.bytes_received == 6000000000ULL);
	assert_int_equal(s.info.delivery_rate, 125000000);
	assert_int_equal(s.info.min_rtt_us, 40);
	assert_int_equal(s.info.probes, 2);
	assert_int_equal(s.info.backoff, 3);

	/* Older kernel: 104 bytes (up to tcpi_total_retrans, as in 2.6); what
	 * it lacks reads as zero, not as the bytes after the attribute. */
	build(&b, AF_INET, TD_ESTABLISHED);
	add_attr(&b, INET_DIAG_INFO, &ti, 104);
	memset(b.bytes + b.nlh.nlmsg_len, 0xee, 64);
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), 0);
	assert_true(s.flags & TD_SOCK_HAS_INFO);
	assert_int_equal(s.info.rtt_us, 1500);
	assert_int_equal(s.info.total_retrans, 17);
	assert_int_equal(s.info.rcv_space, 65535); /* offset 96: present */
	assert_int_equal(s.info.bytes_acked, 0);
	assert_int_equal(s.info.bytes_received, 0);
	assert_int_equal(s.info.delivery_rate, 0);
	assert_int_equal(s.info.min_rtt_us, 0);

	/* Newer kernel: longer than our struct tcp_info */
	memcpy(big, &ti, sizeof(ti));
	memset(big + sizeof(ti), 0xab, sizeof(big) - sizeof(ti));
	build(&b, AF_INET, TD_ESTABLISHED);
	add_attr(&b, INET_DIAG_INFO, big, sizeof(big));
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), 0);
	assert_int_equal(s.info.rtt_us, 1500);
	assert_int_equal(s.info.delivery_rate, 125000000);
	assert_int_equal(s.info.backoff, 3);
}

static void test_parse_errors(void **state)
{
	struct diag_buf b;
	struct inet_diag_msg *r;
	struct td_err err = { 0 };
	struct td_sock s;

	(void)state;
	r = build(&b, AF_INET, TD_ESTABLISHED);
	b.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*r) - 1);
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), -TD_EPARSE);
	assert_int_equal(err.code, -TD_EPARSE);
	assert_non_null(strstr(err.msg, "shorter than inet_diag_msg"));
	assert_non_null(strstr(err.msg, "87")); /* the length it had */

	build(&b, AF_UNIX, TD_ESTABLISHED);
	td_err_clear(&err);
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "family 1"));
	/* err may be NULL */
	assert_int_equal(td_sockdiag_parse(&b.nlh, &s, NULL), -TD_EPARSE);
}

/* ---- live dump on 127.0.0.1 ---------------------------------------------- */

struct live {
	int lfd, c1, a1, c2; /* listener, connected+accepted pair, one not accepted */
	uint16_t port;
	ino_t linode, a1inode, c1inode;
};

static struct live L;

static int tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	return fd;
}

static ino_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	return ntohs(sin.sin_port);
}

static int live_setup(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	L.lfd = tcp_socket();
	if (bind(L.lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(L.lfd, 7))
		return -1;
	L.port = port_of(L.lfd);
	sin.sin_port = htons(L.port);
	L.c1 = tcp_socket();
	L.c2 = tcp_socket();
	if (connect(L.c1, (struct sockaddr *)&sin, sizeof(sin)) ||
	    connect(L.c2, (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	L.a1 = accept(L.lfd, NULL, NULL);
	if (L.a1 < 0)
		return -1;
	L.linode = inode_of(L.lfd);
	L.a1inode = inode_of(L.a1);
	L.c1inode = inode_of(L.c1);
	return 0;
}

static int live_teardown(void **state)
{
	(void)state;
	close(L.c1);
	close(L.c2);
	close(L.a1);
	close(L.lfd);
	return 0;
}

/* Dump with a filter; skip the test where this sandbox refuses sock_diag. */
static int live_dump(const struct td_filter *f, unsigned flags, int save_fd, struct collect *c,
		     struct td_err *err)
{
	int rc = td_sockdiag_dump(f, flags, save_fd, collect_cb, c, err);

	if (rc == -EPROTONOSUPPORT || rc == -EAFNOSUPPORT || rc == -EACCES || rc == -EPERM)
		skip_because("kernel: sock_diag refused (no inet_diag, or a sandbox)");
	return rc;
}

static void sport_filter(struct td_filter *f, uint16_t port)
{
	struct td_err err = { 0 };
	char text[16];

	td_filter_init(f);
	snprintf(text, sizeof(text), "%u", port);
	assert_int_equal(td_filter_add_sport(f, text, &err), 0);
}

static void test_live_listener(void **state)
{
	struct collect c = { 0 };
	struct td_err err = { 0 };
	struct td_filter f;
	int listen_seen = 0, a1_seen = 0, queued_seen = 0;

	(void)state;
	sport_filter(&f, L.port);
	assert_int_equal(live_dump(&f, 0, -1, &c, &err), 0);
	/* The listener, the accepted socket and the one in the accept queue;
	 * no user-space filtering happens on this path, so only the kernel's
	 * bytecode kept the client sides (dport = port) out. */
	assert_int_equal(c.n, 3);
	for (size_t i = 0; i < c.n; i++) {
		const struct td_sock *s = &c.v[i];

		assert_int_equal(s->lport, L.port);
		assert_int_equal(s->family, AF_INET);
		assert_memory_equal(s->laddr, "\x7f\0\0\x01", 4);
		assert_true(s->flags & TD_SOCK_HAS_COOKIE);
		assert_false(s->flags & TD_SOCK_HAS_INFO);
		assert_int_equal(s->uid, getuid());
		if (s->state == TD_LISTEN) {
			listen_seen++;
			assert_int_equal(s->inode, L.linode);
			assert_true(s->flags & TD_SOCK_HAS_BACKLOG);
			assert_int_equal(s->wqueue, 7); /* backlog */
			assert_int_equal(s->rqueue, 1); /* c2 waits in the queue */
			assert_int_equal(s->rport, 0);
		} else {
			assert_int_equal(s->state, TD_ESTABLISHED);
			assert_false(s->flags & TD_SOCK_HAS_BACKLOG);
			if (s->inode == L.a1inode)
				a1_seen++;
			else
				queued_seen++; /* the inode is allocated on accept() */
		}
	}
	assert_int_equal(listen_seen, 1);
	assert_int_equal(a1_seen, 1);
	assert_int_equal(queued_seen, 1);
	collect_free(&c);
}

static void test_live_kernel_filter(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct collect c = { 0 };
	struct td_err err = { 0 };
	struct td_filter f;
	char text[16];
	uint16_t unused;
	int fd;

	(void)state;
	/* remote port: the two client sides */
	td_filter_init(&f);
	snprintf(text, sizeof(text), ":%u", L.port);
	assert_int_equal(td_filter_add_dport(&f, text, &err), 0);
	assert_int_equal(live_dump(&f, 0, -1, &c, &err), 0);
	assert_int_equal(c.n, 2);
	for (size_t i = 0; i < c.n; i++) {
		assert_int_equal(c.v[i].rport, L.port);
		assert_int_equal(c.v[i].state, TD_ESTABLISHED);
		if (c.v[i].inode == L.c1inode)
			assert_int_equal(c.v[i].lport, port_of(L.c1));
	}
	collect_free(&c);

	/* state LISTEN goes to the kernel as idiag_states */
	sport_filter(&f, L.port);
	assert_int_equal(td_filter_add_state(&f, "listen", &err), 0);
	assert_int_equal(live_dump(&f, 0, -1, &c, &err), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].state, TD_LISTEN);
	collect_free(&c);

	/* IPv6 only: the IPv4 listener is not there */
	sport_filter(&f, L.port);
	f.family = AF_INET6;
	assert_int_equal(live_dump(&f, 0, -1, &c, &err), 0);
	assert_int_equal(c.n, 0);

	/* a port nobody uses (bound a moment ago, then freed) */
	fd = tcp_socket();
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	unused = port_of(fd);
	close(fd);
	sport_filter(&f, unused);
	assert_int_equal(live_dump(&f, 0, -1, &c, &err), 0);
	assert_int_equal(c.n, 0);
	td_filter_init(&f);
	snprintf(text, sizeof(text), "%u", unused);
	assert_int_equal(td_filter_add_port(&f, text, &err), 0);
	assert_int_equal(live_dump(&f, 0, -1, &c, &err), 0);
	assert_int_equal(c.n, 0);
	collect_free(&c);
}

static void test_live_info(void **state)
{
	struct collect c = { 0 };
	struct td_err err = { 0 };
	struct td_filter f;
	bool found = false;

	(void)state;
	sport_filter(&f, L.port);
	assert_int_equal(live_dump(&f, TD_DUMP_INFO, -1, &c, &err), 0);
	assert_int_equal(c.n, 3);
	for (size_t i = 0; i < c.n; i++) {
		const struct td_sock *s = &c.v[i];

		if (s->inode != L.a1inode)
			continue;
		found = true;
		assert_true(s->flags & TD_SOCK_HAS_INFO);
		assert_true(s->info.snd_mss > 0);
		assert_true(s->info.snd_cwnd > 0);
		assert_true(s->info.rto_us > 0);
		assert_int_equal(s->info.total_retrans, 0);
	}
	assert_true(found);
	collect_free(&c);
}

static void test_live_cb_stops(void **state)
{
	struct collect c = { .stop_at = 1, .stop_rc = 7 };
	struct td_err err = { 0 };
	struct td_filter f;

	(void)state;
	sport_filter(&f, L.port);
	assert_int_equal(live_dump(&f, 0, -1, &c, &err), 7);
	assert_int_equal(c.n, 1);
	collect_free(&c);
	/* no filter at all: the whole host, our three among them */
	c = (struct collect){ 0 };
	assert_int_equal(live_dump(NULL, 0, -1, &c, &err), 0);
	assert_true(c.n >= 5);
	collect_free(&c);
}

static int cmp_cookie(const void *x, const void *y)
{
	const struct td_sock *a = x, *b = y;

	return a->cookie < b->cookie ? -1 : a->cookie > b->cookie;
}

static void test_live_save_and_replay(void **state)
{
	struct collect live = { 0 }, replay = { 0 };
	struct td_err err = { 0 };
	struct td_filter f;
	char path[64];
	int fd, done = 0;
	off_t size, off = 0;

	(void)state;
	fd = memfd_create("td-dump", MFD_CLOEXEC);
	assert_true(fd >= 0);
	sport_filter(&f, L.port);
	assert_int_equal(live_dump(&f, TD_DUMP_INFO, fd, &live, &err), 0);
	assert_int_equal(live.n, 3);

	/* the file holds whole netlink messages: one NLMSG_DONE per family */
	size = lseek(fd, 0, SEEK_END);
	assert_true(size > 0);
	while (off < size) {
		struct nlmsghdr h;

		assert_int_equal(pread(fd, &h, sizeof(h), off), sizeof(h));
		assert_true(h.nlmsg_len >= sizeof(h));
		done += h.nlmsg_type == NLMSG_DONE;
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	assert_int_equal(off, size);
	assert_int_equal(done, 2);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	assert_int_equal(td_replay_dump(path, NULL, collect_cb, &replay, &err), 0);
	assert_int_equal(replay.n, live.n);
	qsort(live.v, live.n, sizeof(*live.v), cmp_cookie);
	qsort(replay.v, replay.n, sizeof(*replay.v), cmp_cookie);
	for (size_t i = 0; i < live.n; i++)
		assert_memory_equal(&live.v[i], &replay.v[i], sizeof(live.v[i]));
	close(fd);
	collect_free(&live);
	collect_free(&replay);

	/* a save_fd that cannot be written is an error, not a silent loss */
	live = (struct collect){ 0 };
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	td_err_clear(&err);
	assert_int_equal(live_dump(&f, 0, fd, &live, &err), -EBADF);
	assert_non_null(strstr(err.msg, "dump file"));
	close(fd);
	collect_free(&live);
}

int main(void)
{
	const struct CMUnitTest replay_tests[] = {
		cmocka_unit_test_teardown(test_replay_many, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_many_td, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_v4v6, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_empty, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_done_only, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_unpadded, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_error, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_error_intmin, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_trunc_header, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_trunc_body, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_trunc_attr, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_badlen_small, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_badlen_huge, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_short_msg, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_badfamily, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_badattr, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_info_short, fixture_teardown),
		cmocka_unit_test_teardown(test_replay_info_long, fixture_teardown),
		cmocka_unit_test(test_replay_multipart_both_families),
		cmocka_unit_test(test_replay_cb_stops),
		cmocka_unit_test(test_replay_unreadable),
		cmocka_unit_test(test_parse_ipv4_fields),
		cmocka_unit_test(test_parse_ipv6_listen),
		cmocka_unit_test(test_parse_info),
		cmocka_unit_test(test_parse_errors),
	};
	const struct CMUnitTest live_tests[] = {
		cmocka_unit_test(test_live_listener),
		cmocka_unit_test(test_live_kernel_filter),
		cmocka_unit_test(test_live_info),
		cmocka_unit_test(test_live_cb_stops),
		cmocka_unit_test(test_live_save_and_replay),
	};
	int failed;

	failed = cmocka_run_group_tests_name("sockdiag replay and parse", replay_tests, NULL, NULL);
	failed +=
		cmocka_run_group_tests_name("sockdiag live", live_tests, live_setup, live_teardown);
	return failed ? 1 : 0;
}

/* Tests for the .mo reader and the current language (catalog.c): images
 * built here (both byte orders, with and without context, sorted or not),
 * every kind of damage the parser must refuse, the printf-conversion guard,
 * and the real catalogue: found beside the test binary (build/locale), and
 * po/zh_CN.po complete by msgfmt's own count (0 fuzzy, 0 untranslated) and
 * against po/tcpdoctor.pot (msgcmp). tests/run runs this from the top of the
 * tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "diagnose/kb.h"

struct pair {
	const char *orig, *tran;
};

static void put32(unsigned char *p, uint32_t v, bool swap)
{
	if (swap)
		v = __builtin_bswap32(v);
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* A .mo image of pairs (in the order given) into buf; returns its length. */
static size_t build(unsigned char *buf, size_t cap, const struct pair *pairs, uint32_t n, bool swap)
{
	size_t at = 28 + 16 * (size_t)n;

	memset(buf, 0, cap);
	put32(buf, 0x950412de, swap);
	put32(buf + 4, 0, swap);
	put32(buf + 8, n, swap);
	put32(buf + 12, 28, swap);
	put32(buf + 16, 28 + 8 * n, swap);
	for (uint32_t i = 0; i < n; i++) {
		const char *s[2] = { pairs[i].orig, pairs[i].tran };

		for (int k = 0; k < 2; k++) {
			size_t l = strlen(s[k]);

			assert_true(at + l + 1 <= cap);
			put32(buf + 28 + (k ? 8 * n : 0) + 8 * i, (uint32_t)l, swap);
			put32(buf + 28 + (k ? 8 * n : 0) + 8 * i + 4, (uint32_t)at, swap);
			memcpy(buf + at, s[k], l + 1);
			at += l + 1;
		}
	}
	return at;
}

static const struct pair sorted[] = {
	{ "", "Content-Type: text/plain; charset=UTF-8\n" },
	{ "CLOSE_WAIT|summary\004the peer closed", "对端已关闭" },
	{ "Why:", "原因：" },
	{ "empty", "" },
	{ "x %s %u", "%2$u 个 %1$s" },
};

static void test_parse_and_get(void **state)
{
	unsigned char buf[1024];
	struct td_mo mo;
	struct td_err err = { 0 };

	(void)state;
	for (int swap = 0; swap < 2; swap++) {
		size_t len = build(buf, sizeof(buf), sorted, 5, swap);

		assert_int_equal(td_mo_parse(&mo, buf, len, &err), 0);
		assert_true(mo.sorted);
		assert_int_equal(mo.swap, swap);
		assert_string_equal(td_mo_get(&mo, NULL, "Why:"), "原因：");
		assert_string_equal(td_mo_get(&mo, "CLOSE_WAIT|summary", "the peer closed"),
				    "对端已关闭");
		/* Context matters both ways. */
		assert_null(td_mo_get(&mo, NULL, "the peer closed"));
		assert_null(td_mo_get(&mo, "X|summary", "the peer closed"));
		/* An empty translation is none; the header is not a message. */
		assert_null(td_mo_get(&mo, NULL, "empty"));
		assert_null(td_mo_get(&mo, NULL, ""));
		assert_null(td_mo_get(&mo, NULL, "absent"));
		assert_null(td_mo_get(NULL, NULL, "Why:"));
	}
}

static void test_unsorted(void **state)
{
	static const struct pair pairs[] = { { "zeta", "Z" }, { "alpha", "A" }, { "mid", "M" } };
	unsigned char buf[512];
	struct td_mo mo;
	size_t len = build(buf, sizeof(buf), pairs, 3, false);

	(void)state;
	assert_int_equal(td_mo_parse(&mo, buf, len, NULL), 0);
	assert_false(mo.sorted);
	assert_string_equal(td_mo_get(&mo, NULL, "alpha"), "A");
	assert_string_equal(td_mo_get(&mo, NULL, "zeta"), "Z");
	assert_string_equal(td_mo_get(&mo, NULL, "mid"), "M");
}

/* A long context + msgid goes through the heap, not the stack buffer. */
static void test_long_key(void **state)
{
	char ctxt[400], id[400];
	struct pair p[1];
	static char key[820];
	unsigned char buf[2048];
	struct td_mo mo;
	size_t len;

	(void)state;
	memset(ctxt, 'c', sizeof(ctxt) - 1);
	ctxt[sizeof(ctxt) - 1] = '\0';
	memset(id, 'i', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(key, sizeof(key), "%s\004%s", ctxt, id);
	p[0] = (struct pair){ key, "长" };
	len = build(buf, sizeof(buf), p, 1, false);
	assert_int_equal(td_mo_parse(&mo, buf, len, NULL), 0);
	assert_string_equal(td_mo_get(&mo, ctxt, id), "长");
}

static void expect_bad(const unsigned char *buf, size_t len, const char *what)
{
	struct td_mo mo;
	struct td_err err = { 0 };

	assert_int_equal(td_mo_parse(&mo, buf, len, &err), -TD_EPARSE);
	if (!strstr(err.msg, what))
		fail_msg("expected '%s' in '%s'", what, err.msg);
}

static void test_damage(void **state)
{
	unsigned char buf[1024], bad[1024];
	size_t len = build(buf, sizeof(buf), sorted, 5, false);

	(void)state;
	expect_bad(buf, 10, "28");
	memcpy(bad, buf, len);
	bad[0] ^= 1;
	expect_bad(bad, len, "magic");
	memcpy(bad, buf, len);
	put32(bad + 4, 2u << 16, false);
	expect_bad(bad, len, "revision");
	memcpy(bad, buf, len);
	put32(bad + 8, 1000, false); /* more strings than fit */
	expect_bad(bad, len, "do not fit");
	memcpy(bad, buf, len);
	put32(bad + 16, (uint32_t)len - 8, false); /* the table runs past the end */
	expect_bad(bad, len, "do not fit");
	memcpy(bad, buf, len);
	put32(bad + 28 + 8 + 4, (uint32_t)len + 100, false); /* a string past the end */
	expect_bad(bad, len, "past the end");
	memcpy(bad, buf, len);
	put32(bad + 28 + 8, 0xffffffffu, false); /* a length that wraps */
	expect_bad(bad, len, "past the end");
	/* The string's NUL overwritten: its length no longer ends it. */
	memcpy(bad, buf, len);
	bad[len - 1] = 'x';
	expect_bad(bad, len, "NUL");
	/* A translation that is not UTF-8, or holds an escape sequence. */
	{
		static const struct pair notutf8[] = { { "a", "\xff\xfe" } };
		static const struct pair esc[] = { { "a", "\033]0;pwned\007" } };
		static const struct pair c1[] = { { "a", "\xc2\x9b"
							 "31m" } };
		static const struct pair latin1[] = { { "", "Content-Type: text/plain; "
							    "charset=ISO-8859-1\n" } };

		len = build(bad, sizeof(bad), notutf8, 1, false);
		expect_bad(bad, len, "not UTF-8");
		len = build(bad, sizeof(bad), esc, 1, false);
		expect_bad(bad, len, "not UTF-8");
		len = build(bad, sizeof(bad), c1, 1, false);
		expect_bad(bad, len, "not UTF-8");
		len = build(bad, sizeof(bad), latin1, 1, false);
		expect_bad(bad, len, "charset");
	}
}

static void test_same_format(void **state)
{
	(void)state;
	assert_true(td_tr_same_format("%u sockets on port %u", "端口 %u 上 %u 个"));
	assert_true(td_tr_same_format("%s has %u", "%2$u 个，属于 %1$s"));
	assert_true(td_tr_same_format("%.0f%% of %lld", "%2$lld 的 %1$.0f%%"));
	assert_true(td_tr_same_format("no format", "没有格式"));
	assert_true(td_tr_same_format("%zu findings", "%zu 项发现"));
	assert_true(td_tr_same_format("%-8s|%5.1f", "%s|%f"));
	/* Another type, another length, one missing or extra, %n, '*'. */
	assert_false(td_tr_same_format("%u", "%s"));
	assert_false(td_tr_same_format("%llu", "%u"));
	assert_false(td_tr_same_format("%u %u", "%u"));
	assert_false(td_tr_same_format("%u", "%u %s"));
	assert_false(td_tr_same_format("%u", "%n"));
	assert_false(td_tr_same_format("%u", "%*u"));
	assert_false(td_tr_same_format("%s %u", "%1$s %u"));   /* mixed */
	assert_false(td_tr_same_format("%s %u", "%1$s %1$s")); /* one twice */
	assert_false(td_tr_same_format("%s %u", "%2$u"));      /* one skipped */
	assert_false(td_tr_same_format("%u", "%"));
}

/* The current language: English until asked, a translation only when its
 * conversions match, English again on request. */
static void test_current(void **state)
{
	(void)state;
	assert_string_equal(td_tr("Why:"), "Why:");
	assert_true(td_tr_use("zh_CN"));
	assert_string_equal(td_tr_text("Why:"), "原因：");
	assert_string_equal(td_tr("%zu findings"), "%zu 项发现");
	assert_string_equal(td_tr_text("not in the catalogue"), "not in the catalogue");
	assert_true(td_tr_use(NULL));
	assert_string_equal(td_tr_text("Why:"), "Why:");
	/* A locale with no catalogue: false, English stays, the error says where. */
	assert_false(td_tr_use("xx_YY"));
	assert_string_equal(td_tr_text("Why:"), "Why:");
	if (!strstr(td_catalog_error("xx_YY"), "xx_YY/LC_MESSAGES/tcpdoctor.mo"))
		fail_msg("error names no path: %s", td_catalog_error("xx_YY"));
	assert_null(td_catalog("../zh_CN"));
}

/* Run cmd, return its exit status and its output in out. */
static int run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t got = 0;
	int st;

	assert_non_null(p);
	while (got + 1 < cap) {
		size_t r = fread(out + got, 1, cap - 1 - got, p);

		if (!r)
			break;
		got += r;
	}
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* msgfmt's own count: every message translated, none fuzzy; and every
 * message of the template is in the translation (msgcmp). */
static void test_po_complete(void **state)
{
	char out[4096];
	unsigned long n = 0;

	(void)state;
	if (run("LC_ALL=C msgfmt --check --statistics -o /dev/null po/zh_CN.po 2>&1", out,
		sizeof(out)))
		fail_msg("msgfmt --check po/zh_CN.po failed: %s", out);
	if (sscanf(out, "%lu translated messages.", &n) != 1 || n < 1000 || strstr(out, "fuzzy") ||
	    strstr(out, "untranslated"))
		fail_msg("po/zh_CN.po is not complete: %s", out);
	if (run("LC_ALL=C msgcmp po/zh_CN.po po/tcpdoctor.pot 2>&1", out, sizeof(out)))
		fail_msg("po/zh_CN.po lacks messages of po/tcpdoctor.pot: %s", out);
}

/* The sources' findings messages now (xgettext, through the Makefile) are
 * all in po/zh_CN.po: a new summary() or action() text cannot ship
 * untranslated while the .pot is stale. */
static void test_po_current(void **state)
{
	char out[4096], cmd[768], path[] = "/tmp/td-findings-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "make -s --no-print-directory findings-pot POT_OUT=%s 2>&1 || exit 1; "
		 "LC_ALL=C msgcmp po/zh_CN.po %s >%s.log 2>&1; rc=$?; "
		 "grep -v 'is not used' %s.log; rm -f %s.log; exit $rc",
		 path, path, path, path, path);
	if (run(cmd, out, sizeof(out))) {
		unlink(path);
		fail_msg("a findings message of the sources is not in po/zh_CN.po "
			 "(run make pot and translate it): %s",
			 out);
	}
	unlink(path);
}

/* Every text field of every explain entry has its zh_CN message under
 * msgctxt NAME|FIELD with the English text as msgid (the .pot's kb part is
 * current). */
static void test_kb_messages(void **state)
{
	const struct td_mo *mo = td_catalog("zh_CN");
	size_t n;
	const struct td_kb_entry *e = td_kb_entries(&n);

	(void)state;
	assert_non_null(mo);
	assert_true(n > 150);
	for (size_t i = 0; i < n; i++) {
		const char *f[][2] = { { "summary", e[i].summary },   { "meaning", e[i].meaning },
				       { "who_sees", e[i].who_sees }, { "causes", e[i].causes },
				       { "aliases", e[i].name },      { "message", e[i].name } };

		for (size_t k = 0; k < 6; k++) {
			char ctxt[160];

			if (!f[k][1] || (k == 5 && e[i].kind != TD_KB_ERRNO))
				continue;
			snprintf(ctxt, sizeof(ctxt), "%s|%s", e[i].name, f[k][0]);
			if (!td_mo_get(mo, ctxt, f[k][1]))
				fail_msg("no zh_CN message for %s (run make pot)", ctxt);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_get), cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_long_key),      cmocka_unit_test(test_damage),
		cmocka_unit_test(test_same_format),   cmocka_unit_test(test_current),
		cmocka_unit_test(test_po_complete),   cmocka_unit_test(test_po_current),
		cmocka_unit_test(test_kb_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* `tcpdoctor explain TOPIC...`: what a state, a flag combination, an errno,
 * a sysctl, a counter, a check rule, a column or a concept means, who sees
 * it, why, and what to run next, from the knowledge base in
 * src/lib/diagnose/kb.c (Chinese: kb_zh.c); `--list` shows every topic.
 * Text is wrapped by display width: a CJK character takes two columns and
 * a line may break between two of them, never inside a UTF-8 sequence. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "diagnose/kb.h"
#include "diagnose/rules.h"
#include "render/escape.h"
#include "render/json.h"
#include "render/style.h"
#include "render/wrap.h"
#include "state.h"
#include "text.h"

static const char help[] =
	"usage: tcpdoctor explain [--lang LANG] TOPIC...\n"
	"       tcpdoctor explain --list [--kind KIND] [--lang LANG]\n"
	"\n"
	"What a TCP state, a flag combination, an errno, a sysctl, a kernel counter, a\n"
	"check rule or a column means, who sees it and when, why it happens, and what\n"
	"to look at next. In English or in Chinese (zh_CN).\n"
	"\n"
	"  TOPIC         a state in any spelling: CLOSE_WAIT, close-wait, ESTAB, SYN_RCVD\n"
	"                flags: SYN+ACK, syn,ack, SA, '[S.]', FIN ACK, 0x12, NULL, XMAS\n"
	"                an errno: ECONNRESET, 104, 'errno 104', 'Connection refused'\n"
	"                a sysctl: tcp_fin_timeout, net.ipv4.tcp_fin_timeout, somaxconn\n"
	"                a counter: ListenOverflows, TcpExtListenOverflows, TCP.tw\n"
	"                a check rule or lab scenario: close-wait-leak, syn-flood\n"
	"                a column: Recv-Q, Send-Q; a concept: backlog, 2MSL, Nagle, SACK\n"
	"                in Chinese: 三次握手, 半连接队列, 连接被对方重设\n"
	"  --list        every topic: kind, name and one line\n"
	"  --kind KIND   with --list: only state, flags, errno, sysctl, counter, rule,\n"
	"                column or concept\n"
	"  --lang LANG   en or zh_CN (zh); default from LANGUAGE, LC_ALL, LC_MESSAGES,\n"
	"                LANG as gettext reads them, English when none names Chinese.\n"
	"                Needs no installed locale.\n"
	"Text is wrapped to the terminal's width (piped: COLUMNS, else not wrapped), CJK\n"
	"counted as two columns.\n"
	"Global: --json (one document), --no-color. Put '--' before a topic that starts\n"
	"        with '-' (-104).\n"
	"Quotes are optional: words that are no topic alone join the next ones\n"
	"(explain errno 104, explain connection reset by peer).\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor explain CLOSE_WAIT\n"
	"  tcpdoctor explain 'errno 104'\n"
	"  tcpdoctor explain '[R.]'\n"
	"  tcpdoctor explain tcp_tw_reuse\n"
	"  tcpdoctor explain --lang zh_CN 半连接队列\n"
	"  tcpdoctor explain --list --kind errno\n"
	"\n"
	"Exit status: 0; 2 when a topic has no entry (the nearest names are suggested).\n";

/* Text never wraps narrower than a word of the knowledge base plus the
 * deepest indent, nor wider than is comfortable to read. */
#define INDENT 4
#define MIN_WIDTH (TD_KB_MAX_WORD + INDENT + 2)
#define MAX_WIDTH 100

struct opts {
	bool list;
	bool kind_set;
	bool lang_set;
	enum td_kb_kind kind;
	enum td_kb_lang lang;
};

/* What the page says around the entry's own text, per language. */
/* clang-format off */
static const struct words {
	const char *meaning, *who_sees, *causes, *next, *refs;
	const char *also, *sep;	  /* before the aliases, between them */
	const char *semi, *colon; /* "; " and ": " of the identity line */
	const char *kinds[TD_KB_KIND_MAX + 1];
} words[TD_KB_LANG_MAX + 1] = {
	[TD_KB_EN] = {
		.meaning = "Meaning", .who_sees = "Who sees it", .causes = "Typical causes",
		.next = "Look next", .refs = "References",
		.also = "; also: ", .sep = ", ", .semi = "; ", .colon = ": ",
		.kinds = { [TD_KB_STATE] = "TCP state", [TD_KB_FLAGS] = "TCP flags",
			   [TD_KB_ERRNO] = "errno", [TD_KB_SYSCTL] = "sysctl",
			   [TD_KB_CONCEPT] = "concept", [TD_KB_COUNTER] = "kernel counter",
			   [TD_KB_RULE] = "tcpdoctor check rule", [TD_KB_COLUMN] = "column" },
	},
	[TD_KB_ZH] = {
		.meaning = "含义", .who_sees = "谁会看到", .causes = "常见原因",
		.next = "下一步", .refs = "参考",
		.also = "；也作：", .sep = "、", .semi = "；", .colon = "：",
		.kinds = { [TD_KB_STATE] = "TCP 状态", [TD_KB_FLAGS] = "TCP 标志位",
			   [TD_KB_ERRNO] = "errno", [TD_KB_SYSCTL] = "内核参数",
			   [TD_KB_CONCEPT] = "概念", [TD_KB_COUNTER] = "内核计数器",
			   [TD_KB_RULE] = "tcpdoctor check 规则", [TD_KB_COLUMN] = "列" },
	},
};
/* clang-format on */

/* ---- the running kernel's SYN retries ------------------------------------------- */

/* Entries whose text quotes the connect() timeout: they add what this
 * kernel will do, from its sysctls (tcp_syn_linear_timeouts exists from
 * 6.5 and changes the first resends from doubling to a second apart). */
static const char *const syn_topics[] = {
	"ETIMEDOUT",
	"net.ipv4.tcp_syn_retries",
	"net.ipv4.tcp_syn_linear_timeouts",
	"syn-sent-stuck",
};

static long read_sysctl(const char *path)
{
	FILE *fp = fopen(path, "r");
	long v = -1;

	if (fp) {
		if (fscanf(fp, "%ld", &v) != 1)
			v = -1;
		fclose(fp);
	}
	return v;
}

/* "On this kernel ..." for e, or false when e does not quote it or the
 * sysctls cannot be read. */
static bool this_kernel(const struct td_kb_entry *e, enum td_kb_lang lang, char *buf, size_t len)
{
	long retries, linear;
	bool quotes = false;

	for (size_t i = 0; i < sizeof(syn_topics) / sizeof(syn_topics[0]); i++)
		quotes |= !strcmp(e->name, syn_topics[i]);
	if (!quotes)
		return false;
	retries = read_sysctl("/proc/sys/net/ipv4/tcp_syn_retries");
	if (retries < 0)
		return false;
	linear = read_sysctl("/proc/sys/net/ipv4/tcp_syn_linear_timeouts");
	if (lang == TD_KB_ZH) {
		if (linear >= 0)
			snprintf(buf, len,
				 "本机：tcp_syn_retries=%ld，tcp_syn_linear_timeouts=%ld（6.5 "
				 "及以后的"
				 "内核）：无应答的 connect() 约 %.0f 秒后以 ETIMEDOUT 失败。",
				 retries, linear, td_syn_give_up_s(retries, linear));
		else
			snprintf(buf, len,
				 "本机：tcp_syn_retries=%ld（无 tcp_syn_linear_timeouts，6.5 以前的"
				 "内核）：无应答的 connect() 约 %.0f 秒后以 ETIMEDOUT 失败。",
				 retries, td_syn_give_up_s(retries, -1));
	} else if (linear >= 0) {
		snprintf(buf, len,
			 "On this kernel: tcp_syn_retries=%ld, tcp_syn_linear_timeouts=%ld (6.5+): "
			 "an unanswered connect() fails with ETIMEDOUT after about %.0f s.",
			 retries, linear, td_syn_give_up_s(retries, linear));
	} else {
		snprintf(buf, len,
			 "On this kernel: tcp_syn_retries=%ld (no tcp_syn_linear_timeouts: before "
			 "6.5): an unanswered connect() fails with ETIMEDOUT after about %.0f s.",
			 retries, td_syn_give_up_s(retries, -1));
	}
	return true;
}

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	struct td_err err = { 0 };

	switch (val) {
	case 'L':
		o->list = true;
		return 0;
	case 'k':
		if (td_kb_kind_parse(arg, &o->kind, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "explain: --kind: %s", err.msg);
		o->kind_set = true;
		return 0;
	case 'g':
		if (td_kb_lang_parse(arg, &o->lang, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "explain: --lang: %s", err.msg);
		o->lang_set = true;
		return 0;
	}
	return TD_EXIT_USAGE;
}

/* The terminal's width (render/wrap.h), clamped to what the text can fit;
 * 0 (a pipe without COLUMNS): not wrapped. */
static int text_width(void)
{
	int w = td_out_width();

	if (!w)
		return 0;
	return w < MIN_WIDTH ? MIN_WIDTH : w > MAX_WIDTH ? MAX_WIDTH : w;
}

/* Print len bytes of s wrapped to width columns (render/wrap.h): the first
 * line goes on after `first`, which takes `start` columns; the next ones
 * are indented by `indent`; `tail` is printed before the final newline (a
 * style reset). */
int cmd_prose_width(void)
{
	int w = td_out_width();

	return !w ? 0 : w < 40 ? 40 : w > 100 ? 100 : w;
}

void cmd_print_wrapped(const char *first, int start, const char *s, size_t len, int indent,
		       int width, const char *tail)
{
	fputs(first, stdout);
	td_wrapn(stdout, s, len, start, indent, width);
	fputs(tail, stdout);
	putchar('\n');
}

static void print_section(bool c, const char *title, const char *text, bool list, int width)
{
	printf("%s%s%s\n", td_style_bold(c), title, td_style_reset(c));
	if (!list) {
		cmd_print_wrapped("    ", INDENT, text, strlen(text), INDENT, width, "");
		return;
	}
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		cmd_print_wrapped("  - ", INDENT, text, len, INDENT, width, "");
		text += len + (nl ? 1 : 0);
	}
}

/* tcpdump's notation of a flag set: "[S.]", "[FP.]", "[none]" (tcpdump's
 * order: F S R P . U E W). */
static const char *tcpdump_flags(unsigned f, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		char c;
	} order[] = {
		{ TD_TCPF_FIN, 'F' }, { TD_TCPF_SYN, 'S' }, { TD_TCPF_RST, 'R' },
		{ TD_TCPF_PSH, 'P' }, { TD_TCPF_ACK, '.' }, { TD_TCPF_URG, 'U' },
		{ TD_TCPF_ECE, 'E' }, { TD_TCPF_CWR, 'W' },
	};
	size_t n = 0;

	if (!f) {
		snprintf(buf, size, "[none]");
		return buf;
	}
	buf[n++] = '[';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && n + 2 < size; i++)
		if (f & order[i].bit)
			buf[n++] = order[i].c;
	buf[n++] = ']';
	buf[n] = '\0';
	return buf;
}

/* Append a '|'-separated list to buf as "a, b". */
static void append_list(char *buf, size_t size, const char *list, const char *sep)
{
	size_t n = strlen(buf);

	for (const char *p = list; p && *p && n + 1 < size; p++) {
		if (*p == '|')
			n += (size_t)snprintf(buf + n, size - n, "%s", sep);
		else
			buf[n++] = *p;
		if (n >= size)
			n = size - 1;
	}
	buf[n] = '\0';
}

/* The line under the title: what the topic is, in the other notations. */
static void print_identity(const struct td_kb_entry *e, const struct td_kb_tr *t,
			   enum td_kb_lang lang, bool c, int width)
{
	const struct words *w = &words[lang];
	char buf[1024], fl[16];
	size_t n = 0;
	unsigned f;

	buf[0] = '\0';
	switch (e->kind) {
	case TD_KB_STATE:
		snprintf(buf, sizeof(buf), "%s %d%sss%s%s%sRFC 9293%s%s", w->kinds[e->kind],
			 e->value, w->semi, w->colon, td_state_short(e->value), w->semi, w->colon,
			 td_state_rfc_name(e->value));
		break;
	case TD_KB_FLAGS:
		if (td_kb_parse_flags(e->name, &f, NULL) == 0)
			snprintf(buf, sizeof(buf), "%s 0x%02x%stcpdump%s%s", w->kinds[e->kind], f,
				 w->semi, w->colon, tcpdump_flags(f, fl, sizeof(fl)));
		break;
	case TD_KB_ERRNO:
		if (lang != TD_KB_EN && t->message)
			snprintf(buf, sizeof(buf), "errno %d%s\"%s\"%szh_CN%s\"%s\"", e->value,
				 w->colon, strerror(e->value), w->semi, w->colon, t->message);
		else
			snprintf(buf, sizeof(buf), "errno %d here: \"%s\"", e->value,
				 strerror(e->value));
		break;
	case TD_KB_SYSCTL:
		n = (size_t)snprintf(buf, sizeof(buf), "%s%s/proc/sys/", w->kinds[e->kind],
				     w->semi);
		for (const char *p = e->name; *p && n + 1 < sizeof(buf); p++)
			buf[n++] = *p == '.' ? '/' : *p;
		buf[n] = '\0';
		break;
	default:
		snprintf(buf, sizeof(buf), "%s", w->kinds[e->kind]);
	}
	if (e->aliases || (lang != TD_KB_EN && t->aliases)) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s", w->also);
		append_list(buf, sizeof(buf), e->aliases, w->sep);
		if (lang != TD_KB_EN && t->aliases) {
			if (e->aliases)
				snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s",
					 w->sep);
			append_list(buf, sizeof(buf), t->aliases, w->sep);
		}
	}
	/* Indented by 2 only: "/proc/sys/net/ipv4/tcp_slow_start_after_idle" is
	 * one piece of 44 columns and must fit the narrowest page. */
	cmd_print_wrapped(td_style_dim(c), 0, buf, strlen(buf), 2, width, td_style_reset(c));
}

static void print_entry(const struct td_kb_entry *e, enum td_kb_lang lang, bool c, int width)
{
	const struct words *w = &words[lang];
	struct td_kb_tr t;
	char first[128], here[512];

	td_kb_text(e, lang, &t);
	snprintf(first, sizeof(first), "%s%s%s - ", td_style_bold(c), e->name, td_style_reset(c));
	cmd_print_wrapped(first, (int)strlen(e->name) + 3, t.summary, strlen(t.summary), INDENT,
			  width, "");
	print_identity(e, &t, lang, c, width);
	putchar('\n');
	print_section(c, w->meaning, t.meaning, false, width);
	if (this_kernel(e, lang, here, sizeof(here)))
		cmd_print_wrapped("    ", INDENT, here, strlen(here), INDENT, width, "");
	print_section(c, w->who_sees, t.who_sees, false, width);
	print_section(c, w->causes, t.causes, true, width);
	print_section(c, w->next, e->next, true, width);
	print_section(c, w->refs, e->refs, true, width);
}

/* A '\n'-separated list as a JSON array of strings. */
static void json_lines(struct td_json *j, const char *key, const char *text)
{
	td_json_begin_array(j, key);
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		td_json_strn(j, NULL, text, len);
		text += len + (nl ? 1 : 0);
	}
	td_json_end_array(j);
}

/* A '|'-separated list as JSON strings (inside an open array). */
static void json_bars(struct td_json *j, const char *a)
{
	while (a && *a) {
		const char *bar = strchr(a, '|');
		size_t len = bar ? (size_t)(bar - a) : strlen(a);

		td_json_strn(j, NULL, a, len);
		a += len + (bar ? 1 : 0);
	}
}

static void json_entry(struct td_json *j, const struct td_kb_entry *e, enum td_kb_lang lang)
{
	struct td_kb_tr t;
	char buf[16];
	unsigned f;

	td_kb_text(e, lang, &t);
	td_json_begin_object(j, NULL);
	td_json_str(j, "kind", td_kb_kind_name(e->kind));
	td_json_str(j, "name", e->name);
	td_json_str(j, "lang", td_kb_lang_name(lang));
	td_json_begin_array(j, "aliases");
	json_bars(j, e->aliases);
	if (lang != TD_KB_EN && t.aliases)
		json_bars(j, t.aliases);
	td_json_end_array(j);
	switch (e->kind) {
	case TD_KB_STATE:
		td_json_int(j, "state", e->value);
		td_json_str(j, "ss", td_state_short(e->value));
		td_json_str(j, "rfc", td_state_rfc_name(e->value));
		break;
	case TD_KB_FLAGS:
		if (td_kb_parse_flags(e->name, &f, NULL) == 0) {
			td_json_uint(j, "bits", f);
			td_json_str(j, "tcpdump", tcpdump_flags(f, buf, sizeof(buf)));
		}
		break;
	case TD_KB_ERRNO:
		td_json_int(j, "errno", e->value);
		td_json_str(j, "message", strerror(e->value));
		if (t.message)
			td_json_str(j, "message_zh", t.message);
		break;
	default:
		break;
	}
	td_json_str(j, "summary", t.summary);
	td_json_str(j, "meaning", t.meaning);
	{
		char here[512];

		if (this_kernel(e, lang, here, sizeof(here)))
			td_json_str(j, "this_kernel", here);
	}
	td_json_str(j, "who_sees", t.who_sees);
	json_lines(j, "causes", t.causes);
	json_lines(j, "next", e->next);
	json_lines(j, "refs", e->refs);
	td_json_end_object(j);
}

static void json_begin(struct td_json *j)
{
	td_json_init(j, stdout, isatty(STDOUT_FILENO));
	td_json_begin_object(j, NULL);
	td_json_str(j, "command", "explain");
}

static int list_topics(const struct td_ctx *ctx, const struct opts *o, int width)
{
	size_t n, shown = 0, namew = 4;
	const struct td_kb_entry *t = td_kb_entries(&n);
	bool c = ctx->color;
	struct td_json j;

	if (ctx->json) {
		json_begin(&j);
		td_json_begin_array(&j, "topics");
	} else {
		for (size_t i = 0; i < n; i++)
			if (strlen(t[i].name) > namew)
				namew = strlen(t[i].name);
		printf("%s%-8s %-*s %s%s\n", td_style_bold(c), "KIND", (int)namew, "NAME",
		       "SUMMARY", td_style_reset(c));
	}
	for (size_t i = 0; i < n; i++) {
		struct td_kb_tr tr;
		char first[160];

		if (o->kind_set && t[i].kind != o->kind)
			continue;
		shown++;
		td_kb_text(&t[i], o->lang, &tr);
		if (ctx->json) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "kind", td_kb_kind_name(t[i].kind));
			td_json_str(&j, "name", t[i].name);
			td_json_str(&j, "summary", tr.summary);
			td_json_end_object(&j);
		} else {
			/* The summary is wrapped under itself on a width; piped,
			 * one line per topic. */
			int col = snprintf(first, sizeof(first), "%-8s %-*s ",
					   td_kb_kind_name(t[i].kind), (int)namew, t[i].name);

			cmd_print_wrapped(first, col, tr.summary, strlen(tr.summary), col,
					  !width	     ? 0
					  : width > col + 20 ? width
							     : col + 20,
					  "");
		}
	}
	if (ctx->json) {
		td_json_end_array(&j);
		td_json_uint(&j, "count", shown);
		td_json_end_object(&j);
		td_json_finish(&j);
	}
	return TD_EXIT_OK;
}

/* Words typed unquoted, as people type them ("explain errno 104", "explain
 * connection reset by peer"): the longest run of words from argv[first] that
 * names a topic exactly when joined with spaces, tried only when argv[first]
 * is no topic by itself (so "explain FIN ACK" stays two entries, as a list of
 * topics wants). Returns the index of its last word with *e set, or -1. */
static int join_topic(int argc, char **argv, int first, enum td_kb_lang lang,
		      const struct td_kb_entry **e)
{
	const char *near1[TD_KB_NEAREST];
	struct td_err err1 = { 0 };

	if (td_kb_find_lang(argv[first], lang, e, near1, &err1) == 0)
		return -1;
	for (int last = argc - 1; last > first; last--) {
		const char *nearest[TD_KB_NEAREST];
		struct td_err err = { 0 };
		char topic[256];
		size_t n = 0;
		bool fits = true;

		for (int k = first; k <= last && fits; k++) {
			int w = snprintf(topic + n, sizeof(topic) - n, "%s%s", k > first ? " " : "",
					 argv[k]);

			fits = w >= 0 && (size_t)w < sizeof(topic) - n;
			n += fits ? (size_t)w : 0;
		}
		if (fits && td_kb_find_lang(topic, lang, e, nearest, &err) == 0)
			return last;
	}
	return -1;
}

int cmd_explain(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "list", no_argument, NULL, 'L' },
		{ "kind", required_argument, NULL, 'k' },
		{ "lang", required_argument, NULL, 'g' },
		{ 0 },
	};
	struct opts o = { 0 };
	struct td_json j;
	int rc, status = TD_EXIT_OK, width = text_width();

	rc = cmd_getopt(argc, argv, ctx, own, "", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	o.lang = cmd_lang("explain", o.lang_set, o.lang);
	if (o.list) {
		char shown[160];

		if (optind < argc)
			return cmd_fail(TD_EXIT_USAGE,
					"explain: --list takes no topic, got '%s' (see --help)",
					td_esc(argv[optind], shown, sizeof(shown)));
		return list_topics(ctx, &o, width);
	}
	if (o.kind_set)
		return cmd_fail(TD_EXIT_USAGE,
				"explain: --kind only goes with --list (see --help)");
	if (optind >= argc)
		return cmd_fail(TD_EXIT_USAGE,
				"explain: no topic given (e.g. tcpdoctor explain CLOSE_WAIT; "
				"tcpdoctor explain --list shows every topic)");
	if (ctx->json) {
		json_begin(&j);
		td_json_begin_array(&j, "entries");
	}
	for (int i = optind, shown = 0; i < argc; i++) {
		const char *nearest[TD_KB_NEAREST];
		const struct td_kb_entry *e;
		struct td_err err = { 0 };
		int last = join_topic(argc, argv, i, o.lang, &e);

		if (last >= i) {
			i = last;
		} else if (td_kb_find_lang(argv[i], o.lang, &e, nearest, &err) < 0) {
			cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
			status = TD_EXIT_USAGE;
			continue;
		}
		if (ctx->json) {
			json_entry(&j, e, o.lang);
			continue;
		}
		if (shown++)
			putchar('\n');
		print_entry(e, o.lang, ctx->color, width);
	}
	if (ctx->json) {
		td_json_end_array(&j);
		td_json_end_object(&j);
		td_json_finish(&j);
	}
	return status;
}

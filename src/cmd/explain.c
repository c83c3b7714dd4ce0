/* `tcpdoctor explain TOPIC...`: what a state, a flag combination, an errno,
 * a sysctl or a concept means, who sees it, why, and what to run next, from
 * the knowledge base in src/lib/diagnose/kb.c; `--list` shows every topic. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "render/json.h"
#include "diagnose/kb.h"
#include "state.h"
#include "render/style.h"

static const char help[] =
	"usage: tcpdoctor explain TOPIC...\n"
	"       tcpdoctor explain --list [--kind KIND]\n"
	"\n"
	"What a TCP state, a flag combination, an errno or a sysctl means, who sees it\n"
	"and when, why it happens, and what to look at next.\n"
	"\n"
	"  TOPIC         a state in any spelling: CLOSE_WAIT, close-wait, ESTAB, SYN_RCVD\n"
	"                flags: SYN+ACK, syn,ack, SA, '[S.]', FIN ACK, 0x12, NULL, XMAS\n"
	"                an errno: ECONNRESET, 104, 'Connection reset by peer'\n"
	"                a sysctl: tcp_fin_timeout, net.ipv4.tcp_fin_timeout, net/core/somaxconn\n"
	"                a concept: SO_LINGER, backlog, half-open, RTO, TCP_USER_TIMEOUT\n"
	"  --list        every topic: kind, name and one line\n"
	"  --kind KIND   with --list: only state, flags, errno, sysctl or concept\n"
	"Global: --json, --no-color. Put '--' before a topic that starts with '-' (-104).\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor explain CLOSE_WAIT\n"
	"  tcpdoctor explain 104\n"
	"  tcpdoctor explain '[R.]'\n"
	"  tcpdoctor explain tcp_tw_reuse\n"
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
	enum td_kb_kind kind;
};

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
	}
	return TD_EXIT_USAGE;
}

static int text_width(void)
{
	struct winsize ws;
	int w = 80;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		w = ws.ws_col;
	if (w < MIN_WIDTH)
		w = MIN_WIDTH;
	if (w > MAX_WIDTH)
		w = MAX_WIDTH;
	return w;
}

/* Print len bytes of s as words wrapped to width: the first line goes on
 * after `first`, which takes `start` columns; the next ones are indented by
 * `indent`. */
static void print_wrapped(const char *first, int start, const char *s, size_t len, int indent,
			  int width)
{
	const char *end = s + len;
	int col = start;
	bool line_empty = true;

	fputs(first, stdout);
	while (s < end) {
		const char *w = s;
		int wl;

		while (w < end && *w != ' ')
			w++;
		wl = (int)(w - s);
		if (!line_empty && col + 1 + wl > width) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (!line_empty) {
			putchar(' ');
			col++;
		}
		line_empty = false;
		fwrite(s, 1, (size_t)wl, stdout);
		col += wl;
		s = w;
		while (s < end && *s == ' ')
			s++;
	}
	putchar('\n');
}

static void print_section(bool c, const char *title, const char *text, bool list, int width)
{
	printf("%s%s%s\n", td_style_bold(c), title, td_style_reset(c));
	if (!list) {
		print_wrapped("    ", INDENT, text, strlen(text), INDENT, width);
		return;
	}
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		print_wrapped("  - ", INDENT, text, len, INDENT, width);
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

/* The line under the title: what the topic is, in the other notations. */
static void print_identity(const struct td_kb_entry *e, bool c)
{
	char buf[16];
	unsigned f;

	printf("%s", td_style_dim(c));
	switch (e->kind) {
	case TD_KB_STATE:
		printf("TCP state %d; ss: %s; RFC 9293: %s", e->value, td_state_short(e->value),
		       td_state_rfc_name(e->value));
		break;
	case TD_KB_FLAGS:
		if (td_kb_parse_flags(e->name, &f, NULL) == 0)
			printf("TCP flags 0x%02x; tcpdump: %s", f,
			       tcpdump_flags(f, buf, sizeof(buf)));
		break;
	case TD_KB_ERRNO:
		printf("errno %d here: \"%s\"", e->value, strerror(e->value));
		break;
	case TD_KB_SYSCTL:
		printf("sysctl; /proc/sys/");
		for (const char *p = e->name; *p; p++)
			putchar(*p == '.' ? '/' : *p);
		break;
	default:
		printf("%s", td_kb_kind_name(e->kind));
	}
	if (e->aliases) {
		printf("; also: ");
		for (const char *p = e->aliases; *p; p++) {
			if (*p == '|')
				fputs(", ", stdout);
			else
				putchar(*p);
		}
	}
	printf("%s\n", td_style_reset(c));
}

static void print_entry(const struct td_kb_entry *e, bool c, int width)
{
	char first[128];

	snprintf(first, sizeof(first), "%s%s%s - ", td_style_bold(c), e->name, td_style_reset(c));
	print_wrapped(first, (int)strlen(e->name) + 3, e->summary, strlen(e->summary), INDENT,
		      width);
	print_identity(e, c);
	putchar('\n');
	print_section(c, "Meaning", e->meaning, false, width);
	print_section(c, "Who sees it", e->who_sees, false, width);
	print_section(c, "Typical causes", e->causes, true, width);
	print_section(c, "Look next", e->next, true, width);
	print_section(c, "References", e->refs, true, width);
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

static void json_entry(struct td_json *j, const struct td_kb_entry *e)
{
	char buf[16];
	unsigned f;

	td_json_begin_object(j, NULL);
	td_json_str(j, "kind", td_kb_kind_name(e->kind));
	td_json_str(j, "name", e->name);
	td_json_begin_array(j, "aliases");
	for (const char *a = e->aliases; a && *a;) {
		const char *bar = strchr(a, '|');
		size_t len = bar ? (size_t)(bar - a) : strlen(a);

		td_json_strn(j, NULL, a, len);
		a += len + (bar ? 1 : 0);
	}
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
		break;
	default:
		break;
	}
	td_json_str(j, "summary", e->summary);
	td_json_str(j, "meaning", e->meaning);
	td_json_str(j, "who_sees", e->who_sees);
	json_lines(j, "causes", e->causes);
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

static int list_topics(const struct td_ctx *ctx, const struct opts *o)
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
		if (o->kind_set && t[i].kind != o->kind)
			continue;
		shown++;
		if (ctx->json) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "kind", td_kb_kind_name(t[i].kind));
			td_json_str(&j, "name", t[i].name);
			td_json_str(&j, "summary", t[i].summary);
			td_json_end_object(&j);
		} else {
			printf("%-8s %-*s %s\n", td_kb_kind_name(t[i].kind), (int)namew, t[i].name,
			       t[i].summary);
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

int cmd_explain(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "list", no_argument, NULL, 'L' },
		{ "kind", required_argument, NULL, 'k' },
		{ 0 },
	};
	struct opts o = { 0 };
	struct td_json j;
	int rc, status = TD_EXIT_OK, width = text_width();

	rc = cmd_getopt(argc, argv, ctx, own, "", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (o.list) {
		if (optind < argc)
			return cmd_fail(TD_EXIT_USAGE,
					"explain: --list takes no topic, got '%s' (see --help)",
					argv[optind]);
		return list_topics(ctx, &o);
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

		if (td_kb_find(argv[i], &e, nearest, &err) < 0) {
			cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
			status = TD_EXIT_USAGE;
			continue;
		}
		if (ctx->json) {
			json_entry(&j, e);
			continue;
		}
		if (shown++)
			putchar('\n');
		print_entry(e, ctx->color, width);
	}
	if (ctx->json) {
		td_json_end_array(&j);
		td_json_end_object(&j);
		td_json_finish(&j);
	}
	return status;
}

/* `tcpdoctor fsm`: the TCP state machine of RFC 9293 from the one table in
 * src/lib/fsm.c, as a text table, one state's edges (--from), the textbook
 * paths (--paths), Graphviz DOT (--dot) or JSON. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "fsm.h"
#include "render/json.h"
#include "state.h"
#include "render/style.h"
#include "render/wrap.h"

static const char help[] =
	"usage: tcpdoctor fsm [--from STATE] [--dot]\n"
	"       tcpdoctor fsm --paths\n"
	"\n"
	"The TCP state machine (RFC 9293 3.3.2, with the reset, abort and timeout arcs\n"
	"of 3.10): for each transition the state it leaves, the event (a call, a\n"
	"segment received, a timer), the segment sent, the state it enters, and the\n"
	"textbook path it belongs to.\n"
	"\n"
	"  --from STATE  only the transitions out of STATE (any spelling: LISTEN,\n"
	"                close-wait, SYN_RCVD, CLOSED)\n"
	"  --dot         Graphviz DOT: client path blue, server path green,\n"
	"                simultaneous open/close dashed, resets and timeouts grey\n"
	"  --paths       the four textbook paths: client, server, simultaneous open,\n"
	"                simultaneous close\n"
	"Global: --json (one document), --no-color\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor fsm\n"
	"  tcpdoctor fsm --from CLOSE_WAIT\n"
	"  tcpdoctor fsm --dot | dot -Tsvg > tcp.svg\n"
	"  tcpdoctor fsm --paths\n";

struct opts {
	int from; /* td_state, or 0 for all */
	bool dot;
	bool paths;
};

struct path_info {
	unsigned bit;
	const char *name;
	const char *title;
	const char *dot_color;
};

static const struct path_info path_infos[] = {
	{ TD_PATH_CLIENT, "client", "client: active open, then active close", "#1f5fbf" },
	{ TD_PATH_SERVER, "server", "server: passive open, then passive close", "#2e8b57" },
	{ TD_PATH_SIM_OPEN, "sim-open", "simultaneous open: the SYNs cross", "#8e44ad" },
	{ TD_PATH_SIM_CLOSE, "sim-close", "simultaneous close: the FINs cross", "#8e44ad" },
	{ TD_PATH_ABORT, "abort", "resets and timeouts", "gray55" },
};

#define N_PATHS (sizeof(path_infos) / sizeof(path_infos[0]))

/* RFC and textbooks call TCP_CLOSE "CLOSED"; every other state keeps the
 * kernel's name, as in the rest of tcpdoctor. */
static const char *state_label(int st)
{
	return st == TD_CLOSE ? "CLOSED" : td_state_name(st);
}

static const char *path_label(unsigned paths, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_PATHS; i++)
		if (paths & path_infos[i].bit)
			n += snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "," : "",
				      path_infos[i].name);
	if (!n)
		snprintf(buf, size, "-");
	return buf;
}

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	struct td_err err = { 0 };
	uint32_t mask;

	switch (val) {
	case 'f':
		if (td_state_parse(arg, &mask, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "fsm: --from: %s", err.msg);
		/* SYN_RECV comes with NEW_SYN_RECV from the parser, and the
		 * request socket is RFC SYN-RECEIVED anyway. */
		if (mask & TD_STATE_BIT(TD_NEW_SYN_RECV))
			mask = (mask & ~TD_STATE_BIT(TD_NEW_SYN_RECV)) | TD_STATE_BIT(TD_SYN_RECV);
		if (mask & (mask - 1))
			return cmd_fail(TD_EXIT_USAGE,
					"fsm: --from '%s': a group of states: name one state "
					"(e.g. --from LISTEN)",
					arg);
		o->from = __builtin_ctz(mask);
		return 0;
	case 'd':
		o->dot = true;
		return 0;
	case 'p':
		o->paths = true;
		return 0;
	}
	return TD_EXIT_USAGE;
}

static bool wanted(const struct opts *o, const struct td_fsm_edge *e)
{
	return !o->from || e->from == o->from;
}

static void json_edge(struct td_json *j, const struct td_fsm_edge *e)
{
	td_json_begin_object(j, NULL);
	td_json_str(j, "from", td_state_name(e->from));
	td_json_str(j, "event", td_fsm_event_name(e->event));
	td_json_str(j, "send", e->send == TD_SEND_NONE ? NULL : td_fsm_send_name(e->send));
	td_json_str(j, "to", td_state_name(e->to));
	td_json_begin_array(j, "paths");
	for (size_t i = 0; i < N_PATHS; i++)
		if (e->paths & path_infos[i].bit)
			td_json_str(j, NULL, path_infos[i].name);
	td_json_end_array(j);
	td_json_str(j, "note", e->note);
	td_json_end_object(j);
}

static void json_begin(struct td_json *j)
{
	td_json_init(j, stdout, isatty(STDOUT_FILENO));
	td_json_begin_object(j, NULL);
	td_json_str(j, "command", "fsm");
}

static void print_table(const struct td_ctx *ctx, const struct opts *o)
{
	size_t n;
	const struct td_fsm_edge *edges = td_fsm_edges(&n);
	bool c = ctx->color;
	char buf[64];
	int width = td_out_width();

	printf("%s%-12s %-13s %-8s %-12s %-10s %s%s\n", td_style_bold(c), "FROM", "EVENT", "SEND",
	       "TO", "PATH", "NOTE", td_style_reset(c));
	for (size_t i = 0; i < n; i++) {
		const struct td_fsm_edge *e = &edges[i];
		const char *style = "";

		if (!wanted(o, e))
			continue;
		if (e->paths & (TD_PATH_CLIENT | TD_PATH_SERVER))
			style = td_style_bold(c);
		else if (e->paths & TD_PATH_ABORT)
			style = td_style_dim(c);
		/* the note, prose, wraps under itself on a width (render/wrap.h) */
		printf("%s%-12s %-13s %-8s %-12s %-10s ", style, state_label(e->from),
		       td_fsm_event_name(e->event),
		       e->send == TD_SEND_NONE ? "-" : td_fsm_send_name(e->send),
		       state_label(e->to), path_label(e->paths, buf, sizeof(buf)));
		if (width && width < 61 + 30) {
			/* too narrow beside the row: the note goes under it */
			printf("\n    ");
			td_wrapn(stdout, e->note, strlen(e->note), 4, 4, width);
		} else {
			td_wrapn(stdout, e->note, strlen(e->note), 61, 61, width);
		}
		printf("%s\n", *style ? td_style_reset(c) : "");
	}
}

/* The edges of one path in order: from its first state, follow the rows that
 * carry the path's bit until the path returns to its start or ends. */
static size_t walk_path(unsigned bit, const struct td_fsm_edge **out, size_t max)
{
	size_t n, k = 0;
	const struct td_fsm_edge *edges = td_fsm_edges(&n);
	int start = 0, cur;

	/* The start is a state the path leaves but never enters. */
	for (size_t i = 0; i < n && !start; i++) {
		bool entered = false;

		if (!(edges[i].paths & bit))
			continue;
		for (size_t m = 0; m < n; m++)
			if ((edges[m].paths & bit) && edges[m].to == edges[i].from &&
			    edges[m].from != edges[i].from)
				entered = true;
		if (!entered)
			start = edges[i].from;
	}
	/* The client and server paths are cycles through CLOSED. */
	if (!start)
		start = TD_CLOSE;
	cur = start;
	while (k < max) {
		const struct td_fsm_edge *next = NULL;

		for (size_t i = 0; i < n && !next; i++)
			if ((edges[i].paths & bit) && edges[i].from == cur)
				next = &edges[i];
		if (!next)
			break;
		out[k++] = next;
		cur = next->to;
		if (cur == start)
			break;
	}
	return k;
}

#define MAX_STEPS 16

static void print_paths(const struct td_ctx *ctx)
{
	bool c = ctx->color;
	struct td_json j;

	if (ctx->json) {
		json_begin(&j);
		td_json_begin_array(&j, "paths");
	}
	for (size_t p = 0; p < N_PATHS; p++) {
		const struct td_fsm_edge *steps[MAX_STEPS];
		size_t n;

		if (path_infos[p].bit == TD_PATH_ABORT)
			continue; /* not a path: arcs out of every state */
		n = walk_path(path_infos[p].bit, steps, MAX_STEPS);
		if (!n)
			continue;
		if (ctx->json) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "name", path_infos[p].name);
			td_json_begin_array(&j, "states");
			td_json_str(&j, NULL, td_state_name(steps[0]->from));
			for (size_t k = 0; k < n; k++)
				td_json_str(&j, NULL, td_state_name(steps[k]->to));
			td_json_end_array(&j);
			td_json_begin_array(&j, "edges");
			for (size_t k = 0; k < n; k++)
				json_edge(&j, steps[k]);
			td_json_end_array(&j);
			td_json_end_object(&j);
			continue;
		}
		if (p)
			putchar('\n');
		printf("%s%s%s\n  %s", td_style_bold(c), path_infos[p].title, td_style_reset(c),
		       state_label(steps[0]->from));
		for (size_t k = 0; k < n; k++)
			printf(" -> %s", state_label(steps[k]->to));
		putchar('\n');
		for (size_t k = 0; k < n; k++) {
			char ev[40];

			if (steps[k]->send == TD_SEND_NONE)
				snprintf(ev, sizeof(ev), "%s", td_fsm_event_name(steps[k]->event));
			else
				snprintf(ev, sizeof(ev), "%s / %s",
					 td_fsm_event_name(steps[k]->event),
					 td_fsm_send_name(steps[k]->send));
			printf("    %-12s %-24s %-12s %s%s%s\n", state_label(steps[k]->from), ev,
			       state_label(steps[k]->to), td_style_dim(c), steps[k]->note,
			       td_style_reset(c));
		}
	}
	if (ctx->json) {
		td_json_end_array(&j);
		td_json_end_object(&j);
		td_json_finish(&j);
	}
}

/* A DOT double-quoted string: only '"' and '\' need escaping; notes are ours
 * and have neither, but a table row should not be able to break the graph. */
static void dot_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void print_dot(const struct opts *o)
{
	size_t n;
	const struct td_fsm_edge *edges = td_fsm_edges(&n);
	bool seen[TD_STATE_MAX + 1] = { false };

	printf("digraph tcp_fsm {\n"
	       "\tlabel=\"TCP state machine (RFC 9293 3.3.2). Blue: client path; green: "
	       "server path; dashed: simultaneous open and close; grey: resets and "
	       "timeouts\";\n"
	       "\tlabelloc=t;\n"
	       "\trankdir=TB;\n"
	       "\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
	       "\tedge [fontname=\"Helvetica\", fontsize=10];\n");
	for (size_t i = 0; i < n; i++) {
		if (!wanted(o, &edges[i]))
			continue;
		seen[edges[i].from] = seen[edges[i].to] = true;
	}
	for (int st = 1; st <= TD_STATE_MAX; st++) {
		if (!seen[st])
			continue;
		printf("\t");
		dot_string(state_label(st));
		if (strcmp(state_label(st), td_state_rfc_name(st)))
			printf(" [label=\"%s\\n(%s)\"]", state_label(st), td_state_rfc_name(st));
		printf(";\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct td_fsm_edge *e = &edges[i];
		char label[64];

		if (!wanted(o, e))
			continue;
		if (e->send == TD_SEND_NONE)
			snprintf(label, sizeof(label), "%s", td_fsm_event_name(e->event));
		else
			snprintf(label, sizeof(label), "%s / %s", td_fsm_event_name(e->event),
				 td_fsm_send_name(e->send));
		printf("\t");
		dot_string(state_label(e->from));
		printf(" -> ");
		dot_string(state_label(e->to));
		printf(" [label=");
		dot_string(label);
		printf(", tooltip=");
		dot_string(e->note);
		if (e->paths & TD_PATH_CLIENT)
			printf(", color=\"%s\", fontcolor=\"%s\", penwidth=2",
			       path_infos[0].dot_color, path_infos[0].dot_color);
		else if (e->paths & TD_PATH_SERVER)
			printf(", color=\"%s\", fontcolor=\"%s\", penwidth=2",
			       path_infos[1].dot_color, path_infos[1].dot_color);
		else if (e->paths & (TD_PATH_SIM_OPEN | TD_PATH_SIM_CLOSE))
			printf(", color=\"%s\", fontcolor=\"%s\", style=dashed",
			       path_infos[2].dot_color, path_infos[2].dot_color);
		else if (e->paths & TD_PATH_ABORT)
			printf(", color=\"gray55\", fontcolor=\"gray45\"");
		printf("];\n");
	}
	printf("}\n");
}

int cmd_fsm(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "dot", no_argument, NULL, 'd' },
		{ "paths", no_argument, NULL, 'p' },
		{ 0 },
	};
	struct opts o = { 0 };
	size_t n;
	const struct td_fsm_edge *edges;
	struct td_json j;
	int rc;

	rc = cmd_getopt(argc, argv, ctx, own, "", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "fsm: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (o.paths && (o.from || o.dot))
		return cmd_fail(TD_EXIT_USAGE,
				"fsm: --paths: does not combine with --from or --dot (see --help)");
	if (o.dot && ctx->json)
		return cmd_fail(TD_EXIT_USAGE,
				"fsm: --dot: does not combine with --json (pick one)");
	if (o.paths) {
		print_paths(ctx);
		return TD_EXIT_OK;
	}
	if (o.dot) {
		print_dot(&o);
		return TD_EXIT_OK;
	}
	if (!ctx->json) {
		print_table(ctx, &o);
		return TD_EXIT_OK;
	}
	edges = td_fsm_edges(&n);
	json_begin(&j);
	td_json_str(&j, "from", o.from ? td_state_name(o.from) : NULL);
	td_json_begin_array(&j, "edges");
	for (size_t i = 0; i < n; i++)
		if (wanted(&o, &edges[i]))
			json_edge(&j, &edges[i]);
	td_json_end_array(&j);
	td_json_end_object(&j);
	td_json_finish(&j);
	return TD_EXIT_OK;
}

/* `tcpdoctor lab`: list the scenarios, run one in private network namespaces
 * (story, checks, what the applications saw, what tcpdoctor sees in each
 * namespace), and clean up what killed or --keep runs left. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "lab/lab.h"
#include "state.h"
#include "render/style.h"
#include "render/wrap.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor lab list\n"
	"       tcpdoctor lab run SCENARIO [--keep] [--id ID] [--pcap FILE]\n"
	"       tcpdoctor lab clean [--id ID]\n"
	"\n"
	"Reproduce a TCP state or failure between two private network namespaces\n"
	"(td-lab-client 192.0.2.1 and td-lab-server 192.0.2.2, joined by a veth; nothing\n"
	"reaches outside the machine), then show what tcpdoctor sees there. Every run checks\n"
	"its expectations against tcpdoctor's own model and against ss. Needs root.\n"
	"\n"
	"  list            the scenarios, one line each\n"
	"  run SCENARIO    build it, tell its story, check it, show each namespace, tear down\n"
	"  clean           remove every td-lab-* namespace and kill the processes inside\n"
	"  --keep          leave the namespaces and processes up (at most an hour) to look\n"
	"                  inside with --netns; remove them with `lab clean`\n"
	"  --id ID         name the namespaces td-lab-ID-client/-server, so runs can go in\n"
	"                  parallel (letters, digits, '_'; at most 16)\n"
	"  --pcap FILE     capture the scenario's TCP segments on the server's veth end\n"
	"                  (from after the topology is up to the end of the run, even with\n"
	"                  --keep) into FILE, pcap format; read it with `tcpdoctor pcap FILE`\n"
	"Global: --json (one document), --no-color\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor lab list\n"
	"  tcpdoctor lab run close-wait-leak\n"
	"  tcpdoctor lab run reset --pcap reset.pcap && tcpdoctor pcap reset.pcap\n"
	"  tcpdoctor lab run accept-queue-overflow --keep --id demo\n"
	"  tcpdoctor --netns td-lab-demo-server conns --state listen\n"
	"  tcpdoctor lab clean --id demo\n"
	"\n"
	"Exit status: 0 the scenario behaved as expected, 1 a check failed (what was seen is\n"
	"printed), 2 usage error or unknown scenario, 3 could not run (not root, a namespace\n"
	"left over: run `tcpdoctor lab clean`).\n";

struct opts {
	bool keep;
	const char *id;
	const char *pcap;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;

	switch (val) {
	case 'k':
		o->keep = true;
		return 0;
	case 'i':
		if (!td_lab_id_ok(arg))
			return cmd_fail(TD_EXIT_USAGE,
					"lab: --id '%s': invalid id (1 to %d letters, "
					"digits or '_')",
					arg, TD_LAB_ID_MAX);
		o->id = arg;
		return 0;
	case 'p':
		o->pcap = arg;
		return 0;
	}
	return TD_EXIT_USAGE;
}

/* "close-wait-leak, accept-queue-overflow, ..." */
static void scenario_names(char *buf, size_t len)
{
	size_t n, off = 0;
	const struct td_lab_scenario *sc = td_lab_scenarios(&n);

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", sc[i].name);
}

/* ---- list ------------------------------------------------------------------------- */

static int lab_list(const struct td_ctx *ctx)
{
	size_t n, w = 0;
	const struct td_lab_scenario *sc = td_lab_scenarios(&n);

	if (ctx->json) {
		struct td_json j;

		cmd_json_begin(&j, ctx, NULL);
		td_json_str(&j, "action", "list");
		td_json_begin_array(&j, "scenarios");
		for (size_t i = 0; i < n; i++) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "name", sc[i].name);
			td_json_str(&j, "summary", sc[i].summary);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
		td_json_end_object(&j);
		td_json_finish(&j);
		return TD_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (strlen(sc[i].name) > w)
			w = strlen(sc[i].name);
	for (size_t i = 0; i < n; i++) {
		printf("%s%-*s%s  ", td_style_bold(ctx->color), (int)w, sc[i].name,
		       td_style_reset(ctx->color));
		td_wrap(stdout, sc[i].summary, (int)w + 2, (int)w + 2, td_out_width());
	}
	return TD_EXIT_OK;
}

/* ---- clean -------------------------------------------------------------------------- */

struct clean_out {
	const struct td_ctx *ctx;
	struct td_json *j;
	size_t removed;
};

static void on_cleaned(const char *netns, size_t killed, void *data)
{
	struct clean_out *c = data;

	c->removed++;
	if (c->j) {
		td_json_begin_object(c->j, NULL);
		td_json_str(c->j, "netns", netns);
		td_json_uint(c->j, "killed", killed);
		td_json_end_object(c->j);
	} else {
		printf("removed %s", netns);
		if (killed)
			printf(" (killed %zu process%s inside)", killed, killed == 1 ? "" : "es");
		putchar('\n');
	}
}

static int lab_clean(const struct td_ctx *ctx, const struct opts *o)
{
	struct clean_out c = { ctx, NULL, 0 };
	struct td_err err = { 0 };
	struct td_json j;
	int rc;

	rc = td_lab_check_privileges(&err);
	if (rc < 0)
		return cmd_fail(TD_EXIT_FAILED, "%s", err.msg);
	if (ctx->json) {
		cmd_json_begin(&j, ctx, NULL);
		td_json_str(&j, "action", "clean");
		td_json_str(&j, "id", o->id);
		td_json_begin_array(&j, "removed");
		c.j = &j;
	}
	rc = td_lab_clean(o->id, on_cleaned, &c, &err);
	if (ctx->json) {
		td_json_end_array(&j);
		td_json_bool(&j, "ok", rc == 0);
		td_json_end_object(&j);
		td_json_finish(&j);
	} else if (rc == 0 && !c.removed) {
		printf("nothing to clean: no %s%s%s* network namespace\n", TD_LABNET_PREFIX,
		       o->id ? o->id : "", o->id ? "-" : "");
	}
	if (rc < 0)
		return cmd_fail(TD_EXIT_FAILED, "lab clean: %s", err.msg);
	return TD_EXIT_OK;
}

/* ---- run: text ---------------------------------------------------------------------- */

static void print_counts_table(const struct td_ctx *ctx, const struct td_lab_counts *c)
{
	uint64_t all[TD_STATE_MAX + 1], v4[TD_STATE_MAX + 1], v6[TD_STATE_MAX + 1];
	struct view_state_counts k = { all, v4, v6, c->total, 0, 0 };

	for (int st = 0; st <= TD_STATE_MAX; st++) {
		all[st] = c->states[st];
		v4[st] = c->v4[st];
		v6[st] = c->v6[st];
	}
	for (size_t i = 0; i < sizeof(td_state_order) / sizeof(td_state_order[0]); i++) {
		k.total4 += c->v4[td_state_order[i]];
		k.total6 += c->v6[td_state_order[i]];
	}
	view_state_table(stdout, ctx->color, &k);
}

static void print_view(const struct td_ctx *ctx, const struct td_lab_view *v)
{
	bool col = ctx->color;

	printf("\n%sIn %s%s (tcpdoctor --netns %s states / conns):\n", td_style_bold(col), v->netns,
	       td_style_reset(col), v->netns);
	if (!v->model.total) {
		printf("  no TCP sockets\n");
		return;
	}
	print_counts_table(ctx, &v->model);
	putchar('\n');
	view_sock_header(stdout, col, false);
	for (size_t i = 0; i < v->nsocks; i++)
		view_sock_line(stdout, col, &v->socks[i], false, NULL, false);
	if (v->all_socks > v->nsocks)
		printf("%s... and %zu more%s\n", td_style_dim(col), v->all_socks - v->nsocks,
		       td_style_reset(col));
}

/* "ECONNRESET (Connection reset by peer)", "ok", "0 bytes (EOF)". */
static const char *report_outcome(const struct td_lab_report *r, char *buf, size_t len)
{
	if (r->err)
		snprintf(buf, len, "%s (%s)", td_lab_errno_name(r->err), strerror(r->err));
	else if (!strcmp(r->tag, "read") && r->value == 0)
		snprintf(buf, len, "0 (EOF: the peer's FIN)");
	else if (!strcmp(r->tag, "read") || !strcmp(r->tag, "send") || !strcmp(r->tag, "write"))
		snprintf(buf, len, "%ld bytes", r->value);
	else if (!strcmp(r->tag, "close") && r->value)
		snprintf(buf, len, "ok, %ld bytes unread", r->value);
	else
		snprintf(buf, len, "ok");
	return buf;
}

static bool same_report(const struct td_lab_report *a, const struct td_lab_report *b)
{
	return a->actor == b->actor && a->err == b->err && a->value == b->value &&
	       !strcmp(a->tag, b->tag);
}

static void print_reports(const struct td_ctx *ctx, const struct td_lab *lab)
{
	bool col = ctx->color;
	size_t w = 0;

	if (!lab->nreports)
		return;
	for (size_t i = 0; i < lab->nactors; i++)
		if (strlen(lab->actors[i].name) > w)
			w = strlen(lab->actors[i].name);
	printf("\n%sWhat the applications saw:%s\n", td_style_bold(col), td_style_reset(col));
	for (size_t i = 0; i < lab->nreports;) {
		const struct td_lab_report *r = &lab->reports[i];
		size_t k = i + 1;
		char out[160];

		/* Consecutive identical reports of one actor: one line, "x N". */
		while (k < lab->nreports && same_report(r, &lab->reports[k]))
			k++;
		if (strcmp(r->tag, "kept")) {
			char line[256];
			int n = snprintf(line, sizeof(line), "  %-*s  %-8s %s", (int)w,
					 lab->actors[r->actor].name, r->tag,
					 report_outcome(r, out, sizeof(out)));

			if (k - i > 1 && n > 0 && (size_t)n < sizeof(line))
				snprintf(line + n, sizeof(line) - (size_t)n, "  x%zu", k - i);
			td_wrap(stdout, line, 0, (int)w + 13, td_out_width());
		}
		i = k;
	}
}

static void print_checks(const struct td_ctx *ctx, const struct td_lab *lab)
{
	bool col = ctx->color;

	printf("\n%sChecks (tcpdoctor's model, ss as the oracle):%s\n", td_style_bold(col),
	       td_style_reset(col));
	for (size_t i = 0; i < lab->nchecks; i++) {
		const struct td_lab_check *c = &lab->checks[i];

		printf("  %s%-4s%s ", c->ok ? "" : td_style_bold(col), c->ok ? "ok" : "FAIL",
		       c->ok ? "" : td_style_reset(col));
		td_wrap(stdout, c->what, 7, 7, td_out_width());
		printf("       %s", td_style_dim(col));
		td_wrapn(stdout, c->seen, strlen(c->seen), 7, 7, td_out_width());
		printf("%s\n", td_style_reset(col));
	}
}

static void print_keep_hint(const struct td_lab *lab)
{
	printf("\nKept: ");
	for (size_t i = 0; i < lab->nns; i++)
		printf("%s%s", i ? ", " : "", lab->ns[i].name);
	printf(" and %zu actor process%s (for at most an hour). Look inside:\n", lab->nactors,
	       lab->nactors == 1 ? "" : "es");
	for (size_t i = lab->nns; i-- > 0;)
		printf("  tcpdoctor --netns %s states\n", lab->ns[i].name);
	if (lab->nns)
		printf("  tcpdoctor --netns %s conns\n  ip netns exec %s ss -tanpe\n",
		       lab->ns[lab->nns - 1].name, lab->ns[lab->nns - 1].name);
	printf("Remove them with: tcpdoctor lab clean%s%s\n", lab->id[0] ? " --id " : "", lab->id);
}

static void print_run_text(const struct td_ctx *ctx, const struct td_lab *lab)
{
	bool col = ctx->color;

	printf("%s%s%s: ", td_style_bold(col), lab->sc->name, td_style_reset(col));
	td_wrap(stdout, lab->sc->summary, (int)strlen(lab->sc->name) + 2, 2, td_out_width());
	putchar('\n');
	for (size_t i = 0; i < lab->nstory; i++) {
		printf("  %zu. ", i + 1);
		td_wrap(stdout, lab->story[i], 5 + (i >= 9), 5 + (i >= 9), td_out_width());
	}
	print_checks(ctx, lab);
	print_reports(ctx, lab);
	for (size_t i = 0; i < lab->nviews; i++)
		print_view(ctx, &lab->views[i]);
	printf("\n%s%s %s in %.1f s%s\n", td_style_bold(col), lab->pass ? "PASS" : "FAIL",
	       lab->sc->name, lab->duration_ms / 1000.0, td_style_reset(col));
	if (lab->pcap.stopped)
		printf("\nCaptured %llu packets into %s: tcpdoctor pcap %s\n",
		       (unsigned long long)lab->pcap.packets, lab->pcap.file, lab->pcap.file);
	if (lab->keep)
		print_keep_hint(lab);
}

/* ---- run: JSON ------------------------------------------------------------------------- */

static const char *const check_kinds[] = {
	[TD_LAB_CHECK_STATES] = "states",
	[TD_LAB_CHECK_ERRNO] = "errno",
	[TD_LAB_CHECK_COUNTER] = "counter",
	[TD_LAB_CHECK_OTHER] = "other",
};

static void json_counts(struct td_json *j, const char *key, const struct td_lab_counts *c,
			bool families)
{
	td_json_begin_object(j, key);
	td_json_uint(j, "total", c->total);
	view_json_states32(j, "states", c->states, true);
	if (families) {
		uint32_t v4 = 0, v6 = 0;

		for (int st = 1; st <= TD_STATE_MAX; st++) {
			v4 += c->v4[st];
			v6 += c->v6[st];
		}
		td_json_begin_object(j, "families");
		td_json_uint(j, "ipv4", v4);
		td_json_uint(j, "ipv6", v6);
		td_json_end_object(j);
	}
	td_json_uint(j, "listen_queue", c->listen_queue);
	td_json_uint(j, "listen_backlog", c->listen_backlog);
	td_json_end_object(j);
}

static void print_run_json(const struct td_ctx *ctx, const struct td_lab *lab)
{
	struct td_json j;
	char buf[96];

	cmd_json_begin(&j, ctx, NULL);
	td_json_str(&j, "action", "run");
	td_json_str(&j, "scenario", lab->sc->name);
	td_json_str(&j, "summary", lab->sc->summary);
	td_json_str(&j, "id", lab->id[0] ? lab->id : NULL);
	td_json_bool(&j, "pass", lab->pass);
	td_json_str(&j, "reason", lab->reason[0] ? lab->reason : NULL);
	td_json_uint(&j, "duration_ms", lab->duration_ms);
	td_json_bool(&j, "kept", lab->keep);
	if (lab->pcap.file[0]) {
		td_json_begin_object(&j, "pcap");
		td_json_str(&j, "file", lab->pcap.file);
		td_json_uint(&j, "packets", lab->pcap.packets);
		td_json_uint(&j, "dropped", lab->pcap.dropped);
		td_json_bool(&j, "complete", lab->pcap.stopped && !lab->pcap.error);
		td_json_end_object(&j);
	} else {
		td_json_null(&j, "pcap");
	}
	td_json_begin_array(&j, "namespaces");
	for (size_t i = 0; i < lab->nns; i++) {
		td_json_begin_object(&j, NULL);
		td_json_str(&j, "role", lab->ns[i].role);
		td_json_str(&j, "netns", lab->ns[i].name);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_array(&j, "story");
	for (size_t i = 0; i < lab->nstory; i++)
		td_json_str(&j, NULL, lab->story[i]);
	td_json_end_array(&j);
	td_json_begin_array(&j, "checks");
	for (size_t i = 0; i < lab->nchecks; i++) {
		const struct td_lab_check *c = &lab->checks[i];

		td_json_begin_object(&j, NULL);
		td_json_str(&j, "kind", check_kinds[c->kind]);
		td_json_bool(&j, "ok", c->ok);
		td_json_str(&j, "expected", c->what);
		td_json_str(&j, "seen", c->seen);
		td_json_uint(&j, "elapsed_ms", c->elapsed_ms);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_array(&j, "actors");
	for (size_t i = 0; i < lab->nactors; i++) {
		td_json_begin_object(&j, NULL);
		td_json_str(&j, "name", lab->actors[i].name);
		td_json_str(&j, "role", lab->actors[i].role);
		td_json_int(&j, "pid", lab->actors[i].pid);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_array(&j, "reports");
	for (size_t i = 0; i < lab->nreports; i++) {
		const struct td_lab_report *r = &lab->reports[i];

		if (!strcmp(r->tag, "kept"))
			continue;
		td_json_begin_object(&j, NULL);
		td_json_str(&j, "actor", lab->actors[r->actor].name);
		td_json_str(&j, "call", r->tag);
		td_json_int(&j, "errno", r->err);
		td_json_str(&j, "error", r->err ? td_lab_errno_name(r->err) : NULL);
		td_json_int(&j, "value", r->value);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_array(&j, "views");
	for (size_t i = 0; i < lab->nviews; i++) {
		const struct td_lab_view *v = &lab->views[i];

		td_json_begin_object(&j, NULL);
		td_json_str(&j, "role", v->role);
		td_json_str(&j, "netns", v->netns);
		json_counts(&j, "model", &v->model, true);
		if (v->have_ss)
			json_counts(&j, "ss", &v->ss, false);
		else
			td_json_null(&j, "ss");
		td_json_uint(&j, "sockets_total", v->all_socks);
		td_json_begin_array(&j, "sockets");
		for (size_t k = 0; k < v->nsocks; k++)
			view_json_sock(&j, &v->socks[k], false, NULL, false);
		td_json_end_array(&j);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	if (lab->keep) {
		td_json_begin_array(&j, "look_inside");
		for (size_t i = lab->nns; i-- > 0;) {
			snprintf(buf, sizeof(buf), "tcpdoctor --netns %s states", lab->ns[i].name);
			td_json_str(&j, NULL, buf);
		}
		td_json_end_array(&j);
	}
	td_json_end_object(&j);
	td_json_finish(&j);
}

static int lab_run(const struct td_ctx *ctx, const struct opts *o, const char *name)
{
	const struct td_lab_scenario *sc = td_lab_scenario_find(name);
	struct td_lab_opts lo = { o->id, o->keep, o->pcap };
	struct td_err err = { 0 };
	struct td_lab *lab;
	char names[512];
	int rc;

	if (!sc) {
		scenario_names(names, sizeof(names));
		return cmd_fail(TD_EXIT_USAGE, "lab run %s: no such scenario (one of: %s)", name,
				names);
	}
	lab = calloc(1, sizeof(*lab));
	if (!lab)
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	rc = td_lab_run(sc, &lo, lab, &err);
	if (rc < 0) {
		free(lab);
		return cmd_fail(TD_EXIT_FAILED, "%s", err.msg);
	}
	if (ctx->json)
		print_run_json(ctx, lab);
	else
		print_run_text(ctx, lab);
	rc = TD_EXIT_OK;
	if (!lab->pass) {
		fflush(stdout);
		rc = cmd_fail(TD_EXIT_NOTHING, "lab %s failed: %s", sc->name, lab->reason);
	}
	free(lab);
	return rc;
}

int cmd_lab(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "keep", no_argument, NULL, 'k' },
		{ "id", required_argument, NULL, 'i' },
		{ "pcap", required_argument, NULL, 'p' },
		{ 0 },
	};
	struct opts o = { 0 };
	const char *action;
	int rc;

	rc = cmd_getopt(argc, argv, ctx, own, "", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cmd_fail(TD_EXIT_USAGE, "lab: what to do? (list, run SCENARIO or clean; "
					       "see tcpdoctor lab --help)");
	action = argv[optind++];
	if (!strcmp(action, "list")) {
		if (optind < argc)
			return cmd_fail(TD_EXIT_USAGE,
					"lab list: unexpected argument '%s' (see "
					"tcpdoctor lab --help)",
					argv[optind]);
		return lab_list(ctx);
	}
	if (!strcmp(action, "clean")) {
		if (optind < argc)
			return cmd_fail(TD_EXIT_USAGE,
					"lab clean: unexpected argument '%s' (see "
					"tcpdoctor lab --help)",
					argv[optind]);
		if (o.keep || o.pcap)
			return cmd_fail(TD_EXIT_USAGE,
					"lab clean: --%s is for run (see "
					"tcpdoctor lab --help)",
					o.keep ? "keep" : "pcap");
		return lab_clean(ctx, &o);
	}
	if (!strcmp(action, "run")) {
		char names[512];

		if (optind >= argc) {
			scenario_names(names, sizeof(names));
			return cmd_fail(TD_EXIT_USAGE, "lab run: which scenario? (one of: %s)",
					names);
		}
		if (optind + 1 < argc)
			return cmd_fail(TD_EXIT_USAGE,
					"lab run: one scenario at a time, got '%s' "
					"too (see tcpdoctor lab --help)",
					argv[optind + 1]);
		return lab_run(ctx, &o, argv[optind]);
	}
	return cmd_fail(TD_EXIT_USAGE, "lab: unknown action '%s' (list, run SCENARIO or clean)",
			action);
}

/* `tcpdoctor check` (and bare `tcpdoctor`): the health check. Reads kernel
 * counters, a LISTEN-only dump then the rest (with tcp_info) into the
 * aggregated snapshot, one owner walk for the sockets a rule can blame,
 * sysctls, counters again a sample later; runs
 * the rules; prints findings worst first. Exit 0/1/2/3 as monitoring plugins. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd/commands.h"
#include "cmd/remedy.h"
#include "diagnose/counters.h"
#include "diagnose/rules.h"
#include "sockets/snapshot.h"
#include "sockets/sockdiag.h"
#include "render/escape.h"
#include "render/style.h"
#include "render/wrap.h"
#include "render/view.h"
#include "text.h"

static const char help[] =
	"usage: tcpdoctor check [--sample SECONDS] [--set RULE.THRESHOLD=VALUE]...\n"
	"                       [--profile server|client|proxy] [--rules] [--fix [--yes]]\n"
	"\n"
	"Health check of this host (or of --netns NAME): names each problem, shows the\n"
	"evidence (port, peer, process, how many, how fast), says why it happens and\n"
	"what to do. Findings come worst first.\n"
	"\n"
	"  --sample S      seconds between the two reads of the kernel counters for the\n"
	"                  rate-based rules, and of the closing sockets and queues: only\n"
	"                  those still stuck at the second read count (default 1; 0 =\n"
	"                  skip the rate rules and judge on one read)\n"
	"  --set R.T=V     override a threshold, e.g. --set close-wait-leak.min=20\n"
	"  --profile P     what the sysctl audit judges against: server (default), client,\n"
	"                  proxy (see tcpdoctor sysctl)\n"
	"  --rules         list the rules and their thresholds, and exit\n"
	"  --fix           then the remedies tcpdoctor can apply (kill, keepalive), what\n"
	"                  each changes and does not fix; offered one by one on a\n"
	"                  terminal; --yes applies the safe ones. A dry run otherwise\n"
	"  --lang LANG     en or zh_CN (zh): the findings' text; default from LANGUAGE,\n"
	"                  LC_ALL, LC_MESSAGES, LANG (the zh_CN locale need not exist)\n"
	"Each finding names its explain topic: tcpdoctor explain RULE-ID.\n"
	"Text is wrapped to the terminal's width (piped: COLUMNS, else not wrapped), CJK\n"
	"counted as two columns.\n"
	"Global: --netns NAME|PID|PATH, --json (one document), --no-color, -4, -6,\n"
	"        --source, --save-dump\n"
	"\n"
	"Exit status: 0 ok (or only info), 1 warning, 2 critical, 3 could not check\n"
	"(the monitoring-plugins convention); 2 also for a usage error.\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor\n"
	"  tcpdoctor --netns web1 check --json\n"
	"  tcpdoctor check --lang zh_CN\n"
	"  tcpdoctor check --sample 5 --set syn-sent-stuck.min=10\n"
	"  tcpdoctor check --fix\n";

enum { EXIT_WARNING = 1, EXIT_CRITICAL = 2 };

struct opts {
	double sample;
	enum td_profile profile;
	bool list_rules;
	bool fix, yes; /* --fix, --yes: cmd/remedy.c */
	bool lang_set;
	enum td_kb_lang lang;
	struct td_thresholds th;
};

static void list_rules(FILE *fp)
{
	size_t n;
	const struct td_rule *r = td_rules(&n);

	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%-26s %s%s\n", r[i].id, r[i].title,
			r[i].needs_sample ? " (rate: needs --sample)" : "");
		for (size_t k = 0; k < TD_RULE_MAX_PARAMS && r[i].params[k].name; k++)
			fprintf(fp, "    %s.%s=%g %s: %s\n", r[i].id, r[i].params[k].name,
				r[i].params[k].def, r[i].params[k].unit, r[i].params[k].why);
	}
}

/* --rules --json: the same table for machines. */
static void list_rules_json(const struct td_ctx *ctx)
{
	size_t n;
	const struct td_rule *r = td_rules(&n);
	struct td_json j;

	cmd_json_begin(&j, ctx, NULL);
	td_json_begin_array(&j, "rules");
	for (size_t i = 0; i < n; i++) {
		td_json_begin_object(&j, NULL);
		td_json_str(&j, "id", r[i].id);
		td_json_str(&j, "title", r[i].title);
		td_json_bool(&j, "needs_sample", r[i].needs_sample);
		td_json_begin_array(&j, "thresholds");
		for (size_t k = 0; k < TD_RULE_MAX_PARAMS && r[i].params[k].name; k++) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "name", r[i].params[k].name);
			td_json_double(&j, "default", r[i].params[k].def);
			td_json_str(&j, "unit", r[i].params[k].unit);
			td_json_str(&j, "why", r[i].params[k].why);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_end_object(&j);
	td_json_finish(&j);
}

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	struct td_err err = { 0 };

	switch (val) {
	case 's':
		return cmd_parse_seconds("--sample", arg, 0, 3600, &o->sample);
	case 'S':
		if (td_thresholds_set(&o->th, arg, &err) < 0) {
			cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
			if (err.code == -TD_ENOTFOUND) {
				fprintf(stderr, "valid thresholds:\n");
				list_rules(stderr);
			}
			return TD_EXIT_USAGE;
		}
		return 0;
	case 'R':
		o->list_rules = true;
		return 0;
	case 'F':
		o->fix = true;
		return 0;
	case 'Y':
		o->yes = true;
		return 0;
	case 'P':
		if (td_profile_parse(arg, &o->profile, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
		return 0;
	case 'g':
		if (td_kb_lang_parse(arg, &o->lang, &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "check: --lang: %s", err.msg);
		o->lang_set = true;
		return 0;
	}
	return TD_EXIT_USAGE;
}

static int exit_for(enum td_severity s)
{
	return s == TD_SEV_CRITICAL ? EXIT_CRITICAL : s == TD_SEV_WARNING ? EXIT_WARNING : 0;
}

/* ---- text ------------------------------------------------------------------------- */

static const char *sev_color(bool color, enum td_severity s)
{
	static const char *const esc[] = { "\033[32m", "\033[36m", "\033[33m", "\033[1;31m" };

	return color && (unsigned)s < 4 ? esc[s] : "";
}

/* Print text wrapped at width by display width (a CJK character takes two
 * columns), after first (printed as is, ending at column start), the other
 * lines indented by indent. Findings carry outside strings (a process names
 * itself), so the text is escaped first: no control byte of theirs reaches
 * the terminal. */
static void wrap(const char *first, int start, const char *raw, int indent, int width)
{
	char text[TD_ESC_MAX_PER_BYTE * 256 + 1];
	const char *p = td_esc(raw, text, sizeof(text));

	cmd_print_wrapped(first, start, p, strlen(p), indent, width, "");
}

/* A bold label ("Why:", in the findings' language) and the column after it. */
static int label(char *buf, size_t len, bool c, int indent, const char *text)
{
	size_t l = strlen(text);
	/* A fullwidth colon (原因：) carries its own space. */
	bool wide_end = l >= 3 && !strcmp(text + l - 3, "\xef\xbc\x9a");

	snprintf(buf, len, "%*s%s%s%s%s", indent, "", td_style_bold(c), text, td_style_reset(c),
		 wide_end ? "" : " ");
	return indent + (int)td_text_width(text, l) + !wide_end;
}

static void print_text(const struct td_ctx *ctx, const struct td_findings *fo,
		       const struct td_snapshot *snap, double sample, const char *skipped)
{
	bool c = ctx->color;
	int width = cmd_prose_width();
	enum td_severity w = td_findings_worst(fo);
	size_t per[4] = { 0 };
	char tail[16];

	char *line = NULL, first[48];
	size_t len = 0;
	FILE *fp;
	const char *status = !fo->n || w < TD_SEV_WARNING ? "OK"
			     : w == TD_SEV_CRITICAL	  ? "CRITICAL"
							  : "WARNING";

	for (size_t i = 0; i < fo->n; i++)
		per[fo->v[i].severity]++;
	/* The status line, wrapped like the rest: it grows with the language. */
	fp = open_memstream(&line, &len);
	if (!fp)
		return;
	if (!fo->n) {
		fprintf(fp, td_tr("no problem found in %llu sockets"),
			(unsigned long long)snap->total);
	} else {
		fprintf(fp, fo->n == 1 ? td_tr("%zu finding") : td_tr("%zu findings"), fo->n);
		fprintf(fp, "%s", td_tr_text(N_(" (")));
		for (int s = TD_SEV_CRITICAL, first_sev = 1; s >= TD_SEV_INFO; s--) {
			if (!per[s])
				continue;
			fprintf(fp, "%s%zu %s", first_sev ? "" : ", ", per[s], td_severity_name(s));
			first_sev = 0;
		}
		fprintf(fp, td_tr(") in %llu sockets"), (unsigned long long)snap->total);
	}
	if (sample > 0)
		fprintf(fp, td_tr(", rates over %.1f s"), sample);
	fclose(fp);
	snprintf(first, sizeof(first), "%s%s%s: ", sev_color(c, fo->n ? w : TD_SEV_OK), status,
		 td_style_reset(c));
	cmd_print_wrapped(first, (int)strlen(status) + 2, line, len, 2, width, "");
	free(line);
	if (skipped[0]) {
		char text[TD_ESC_MAX_PER_BYTE * 512 + 1];

		snprintf(first, sizeof(first), "%s(", td_style_dim(c));
		td_esc(skipped, text, sizeof(text));
		snprintf(tail, sizeof(tail), ")%s", td_style_reset(c));
		cmd_print_wrapped(first, 1, text, strlen(text), 1, width - 1, tail);
	}
	for (size_t i = 0; i < fo->n; i++) {
		const struct td_finding *f = &fo->v[i];
		char head[48], lab[64];
		int klen = 0, col;

		snprintf(head, sizeof(head), "%s", td_severity_name(f->severity));
		for (char *p = head; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		printf("\n%s%-8s%s %s%s%s\n", sev_color(c, f->severity), head, td_style_reset(c),
		       td_style_bold(c), f->rule, td_style_reset(c));
		wrap("  ", 2, f->summary, 2, width);
		for (size_t k = 0; k < f->nevidence; k++)
			if ((int)strlen(f->evidence[k].key) > klen)
				klen = (int)strlen(f->evidence[k].key);
		if (f->pid && klen < 7)
			klen = 7;
		for (size_t k = 0; k < f->nevidence; k++) {
			snprintf(lab, sizeof(lab), "    %s%-*s%s  ", td_style_dim(c), klen,
				 f->evidence[k].key, td_style_reset(c));
			wrap(lab, 6 + klen, f->evidence[k].value, 6 + klen, width);
		}
		if (f->pid) {
			/* Who it is: the one form every view prints (render/view.h). */
			char who[2048];

			snprintf(lab, sizeof(lab), "    %s%-*s%s  ", td_style_dim(c), klen,
				 "process", td_style_reset(c));
			view_proc_str(view_proc_get((int)f->pid), VIEW_PROC_NAME | VIEW_PROC_USER,
				      60, who, sizeof(who));
			/* wrapped as the evidence is (render/wrap.h) */
			fputs(lab, stdout);
			td_wrap(stdout, who, 6 + klen, 6 + klen, width);
		}
		if (f->why) {
			col = label(lab, sizeof(lab), c, 2, td_tr_text(N_("Why:")));
			wrap(lab, col, f->why, 4, width);
		}
		if (f->nactions)
			printf("  %s%s%s\n", td_style_bold(c), td_tr_text(N_("What to do:")),
			       td_style_reset(c));
		for (size_t k = 0; k < f->nactions; k++)
			wrap("    - ", 6, f->actions[k], 6, width);
		if (f->look_closer[0]) {
			col = label(lab, sizeof(lab), c, 2, td_tr_text(N_("Look closer:")));
			wrap(lab, col, f->look_closer, 4, width);
		}
		/* The explain topic of every rule is its id (test_kb walks them). */
		col = label(lab, sizeof(lab), c, 2, td_tr_text(N_("See:")));
		printf("%stcpdoctor explain %s\n", lab, f->rule);
		cmd_text_remedy(stdout, ctx, f);
	}
}

/* ---- JSON ------------------------------------------------------------------------- */

static const char *status_name(enum td_severity w)
{
	return w == TD_SEV_CRITICAL ? "critical" : w == TD_SEV_WARNING ? "warning" : "ok";
}

static void print_json(const struct td_ctx *ctx, const struct td_findings *fo,
		       const struct td_snapshot *snap, double sample, const char *skipped,
		       size_t hidden)
{
	enum td_severity w = td_findings_worst(fo);
	struct td_json j;
	size_t nrules;

	td_rules(&nrules);
	cmd_json_begin(&j, ctx, td_source_name(ctx->source.used));
	td_json_str(&j, "status", status_name(w));
	td_json_int(&j, "exit", exit_for(w));
	td_json_uint(&j, "sockets", snap->total);
	view_json_states64(&j, "states", snap->counts, true);
	td_json_double(&j, "sample_s", sample);
	td_json_uint(&j, "rules", nrules);
	td_json_str(&j, "skipped", skipped[0] ? skipped : NULL);
	td_json_uint(&j, "owners_hidden", hidden);
	td_json_begin_array(&j, "findings");
	for (size_t i = 0; i < fo->n; i++) {
		const struct td_finding *f = &fo->v[i];

		td_json_begin_object(&j, NULL);
		td_json_str(&j, "rule", f->rule);
		td_json_str(&j, "explain", f->rule);
		td_json_str(&j, "severity", td_severity_name(f->severity));
		td_json_str(&j, "summary", f->summary);
		if (f->pid)
			td_json_uint(&j, "pid", f->pid);
		else
			td_json_null(&j, "pid");
		td_json_str(&j, "comm", f->pid ? f->comm : NULL);
		if (f->pid) {
			td_json_begin_object(&j, "process");
			td_json_uint(&j, "pid", f->pid);
			td_json_str(&j, "comm", f->comm);
			view_json_proc_fields(&j, view_proc_get((int)f->pid));
			td_json_end_object(&j);
		} else {
			td_json_null(&j, "process");
		}
		if (f->port)
			td_json_uint(&j, "port", f->port);
		else
			td_json_null(&j, "port");
		td_json_str(&j, "peer", f->peer[0] ? f->peer : NULL);
		td_json_uint(&j, "count", f->count);
		if (f->rate > 0)
			td_json_double(&j, "rate", f->rate);
		else
			td_json_null(&j, "rate");
		td_json_begin_array(&j, "evidence");
		for (size_t k = 0; k < f->nevidence; k++) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "key", f->evidence[k].key);
			td_json_str(&j, "value", f->evidence[k].value);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
		td_json_str(&j, "why", f->why);
		td_json_begin_array(&j, "actions");
		for (size_t k = 0; k < f->nactions; k++)
			td_json_str(&j, NULL, f->actions[k]);
		td_json_end_array(&j);
		td_json_str(&j, "look_closer", f->look_closer[0] ? f->look_closer : NULL);
		cmd_json_remedy(&j, ctx, f);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_end_object(&j);
	td_json_finish(&j);
}

/* ---- gathering -------------------------------------------------------------------- */

static void sleep_until(const struct timespec *start, double seconds)
{
	struct timespec t = *start;

	cmd_ts_add_ns(&t, (long long)(seconds * 1e9));
	cmd_sleep_until(&t, NULL);
}

static void add_skip(char *buf, size_t len, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? "; " : "", what);
}

int cmd_check(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "sample", required_argument, NULL, 's' },
		{ "set", required_argument, NULL, 'S' },
		{ "rules", no_argument, NULL, 'R' },
		{ "profile", required_argument, NULL, 'P' },
		{ "fix", no_argument, NULL, 'F' },
		{ "yes", no_argument, NULL, 'Y' },
		{ "lang", required_argument, NULL, 'g' },
		{ 0 },
	};
	struct opts o = { .sample = 1.0, .profile = TD_PROFILE_SERVER };
	struct td_counters before, after;
	struct td_rule_input in = { 0 };
	struct td_sysctl_finding *audit = NULL;
	struct td_snapshot snap;
	struct td_owners *owners = NULL;
	struct td_findings fo = { 0 };
	struct td_filter f;
	struct td_err err = { 0 };
	char skipped[512] = "";
	bool live = ctx->source.kind != TD_SRC_REPLAY, have_before = false;
	size_t hidden = 0;
	int rc;

	td_thresholds_init(&o.th);
	rc = cmd_getopt(argc, argv, ctx, own, "", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "check: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (o.yes && !o.fix)
		return cmd_fail(TD_EXIT_USAGE, "check: --yes goes with --fix");
	o.lang = cmd_lang("check", o.lang_set, o.lang);
	if (o.list_rules) {
		if (ctx->json)
			list_rules_json(ctx);
		else
			list_rules(stdout);
		return TD_EXIT_OK;
	}
	td_counters_init(&before);
	td_counters_init(&after);

	/* Counters first: the sample window then covers the dump and the walk. */
	if (live) {
		if (td_counters_read(&before, NULL, &err) < 0) {
			td_counters_free(&before);
			return cmd_fail(TD_EXIT_FAILED, "could not check: %s", err.msg);
		}
		have_before = true;
	} else {
		add_skip(skipped, sizeof(skipped),
			 "replayed dump: counters, sysctls and rate rules not used");
	}

	owners = td_owners_new();
	if (!owners) {
		td_counters_free(&before);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	/* The owners after the dump, of the sockets a rule can blame (see
	 * td_snapshot_defer_owners): one walk, no table of every socket. */
	td_snapshot_init(&snap, NULL);
	td_snapshot_defer_owners(&snap);
	td_filter_init(&f);
	cmd_filter_family(ctx, &f);
	rc = td_snapshot_dump(&snap, &ctx->source, &f, &err);
	cmd_source_note(ctx);
	if (rc < 0) {
		int code = cmd_fail_dump(ctx, &err);

		td_snapshot_free(&snap);
		td_owners_free(owners);
		td_counters_free(&before);
		/* A live source that cannot be read is "could not check" (3). */
		return code;
	}
	/* Also for a replay, as `states --by process` does: the dump's inodes
	 * name this host's processes when it was saved here. */
	if (td_snapshot_owners(&snap, owners, NULL, &err) < 0) {
		char note[160];

		snprintf(note, sizeof(note), "owners not known: %.120s", err.msg);
		add_skip(skipped, sizeof(skipped), note);
		td_err_clear(&err);
	}
	hidden = td_owners_unreadable(owners);
	if (ctx->source.used == TD_SRC_PROC)
		add_skip(skipped, sizeof(skipped),
			 "/proc source: no tcp_info (idle times) and no listen backlogs");

	td_rule_sysctls_init(&in.sysctl);
	if (live && td_rule_sysctls_read(&in.sysctl, NULL) == 0)
		add_skip(skipped, sizeof(skipped), "sysctls unreadable");
	if (live && td_sysctl_count()) {
		audit = calloc(td_sysctl_count(), sizeof(*audit));
		if (audit && td_rule_sysctls_audit(audit, o.profile, NULL) > 0) {
			in.audit = audit;
			in.naudit = td_sysctl_count();
			in.profile = o.profile;
		}
	}

	if (have_before && o.sample > 0) {
		sleep_until(&before.ts, o.sample);
		if (td_counters_read(&after, NULL, &err) < 0) {
			free(audit);
			td_snapshot_free(&snap);
			td_owners_free(owners);
			td_counters_free(&before);
			return cmd_fail(TD_EXIT_FAILED, "could not check: %s", err.msg);
		}
		in.after = &after;
		in.elapsed = td_counters_elapsed(&before, &after);
		/* The same sockets a sample later: what persists is a problem,
		 * what came and went is a busy host (see td_snapshot_confirm). */
		if (td_snapshot_confirm(&snap, &ctx->source, &f, &err) < 0) {
			add_skip(skipped, sizeof(skipped), "second socket read failed");
			td_err_clear(&err);
		} else if (!snap.confirmed) {
			add_skip(skipped, sizeof(skipped),
				 "closing states judged on one read (no socket cookies)");
		}
	} else if (live) {
		add_skip(skipped, sizeof(skipped), "--sample 0: rate rules skipped");
	}
	in.snap = &snap;
	in.before = have_before ? &before : NULL;
	in.owners_partial = hidden > 0;
	if (hidden) {
		char note[128];

		snprintf(note, sizeof(note),
			 "the fds of %zu process%s could not be read: owners "
			 "there are not named%s",
			 hidden, hidden == 1 ? "" : "es", geteuid() ? " (run as root)" : "");
		add_skip(skipped, sizeof(skipped), note);
	}

	rc = td_rules_run(&in, &o.th, td_findings_add, &fo);
	if (!rc)
		rc = td_findings_sort(&fo);
	if (rc) {
		td_findings_free(&fo);
		free(audit);
		td_snapshot_free(&snap);
		td_owners_free(owners);
		td_counters_free(&before);
		td_counters_free(&after);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	if (ctx->json)
		print_json(ctx, &fo, &snap, in.after ? in.elapsed : 0, skipped, hidden);
	else
		print_text(ctx, &fo, &snap, in.after ? in.elapsed : 0, skipped);
	rc = exit_for(td_findings_worst(&fo));
	if (o.fix)
		rc = cmd_check_fix(ctx, &fo, o.yes, rc);
	td_findings_free(&fo);
	free(audit);
	td_snapshot_free(&snap);
	td_owners_free(owners);
	td_counters_free(&before);
	td_counters_free(&after);
	return rc;
}

/* `tcpdoctor sysctl`: audit TCP kernel parameters for a workload (server,
 * client, proxy): each value, what we recommend and why, what changing it
 * risks; writes a sysctl.d snippet, and changes /proc/sys only with --apply. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/remedy.h"
#include "render/json.h"
#include "render/remedyview.h"
#include "render/style.h"
#include "render/wrap.h"
#include "diagnose/sysctl.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor sysctl [--profile server|client|proxy] [-v] [--snippet [FILE]]\n"
	"                        [--apply [--yes] [--all | --set NAME=VALUE...]\n"
	"                        [--undo-file FILE]]\n"
	"\n"
	"Audit the TCP kernel parameters of this host (or of --netns): the current value,\n"
	"what we recommend for the workload and why, and what changing it risks. Verdicts:\n"
	"ok, advice (outside our range, harmless for most), warn (likely to hurt), absent.\n"
	"Most net.ipv4.tcp_* values belong to the network namespace; 'host' marks the\n"
	"few that are one for the whole host. Also reports configuration files that still\n"
	"set parameters the kernel removed (net.ipv4.tcp_tw_recycle, gone since 4.12).\n"
	"\n"
	"  --profile P     server (accepts many connections; default), client, proxy\n"
	"  -v, --verbose   print the reason and risk of every entry, not only of findings\n"
	"  --snippet [FILE] write a /etc/sysctl.d file with the values to change, each with\n"
	"                  its reason, to FILE (or '-' / nothing: standard output)\n"
	"  --apply         what would change in /proc/sys, and the undo file it would\n"
	"                  write: a dry run (on a terminal it asks once)\n"
	"  --yes           with --apply: write the values now (root only); prints each\n"
	"                  change and the commands that undo it, and saves them in\n"
	"                  /var/lib/tcpdoctor/sysctl-undo-TIME.conf\n"
	"  --all           with --apply: also the advice items, not only the warnings\n"
	"  --set NAME=VAL  with --apply: change exactly this parameter to this value\n"
	"                  instead of the audit's items (repeatable; what check --fix\n"
	"                  runs for a sysctl finding); the dry run shows it and its undo\n"
	"  --undo-file F   save the undo file as F instead\n"
	"  --conf-root DIR read sysctl.d files under DIR instead of / (for tests)\n"
	"Global: --netns NAME|PID|PATH, --json (one document), --no-color\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor sysctl\n"
	"  tcpdoctor sysctl --profile proxy --snippet /tmp/60-tcp.conf\n"
	"  tcpdoctor --netns web1 sysctl --apply\n"
	"  sudo tcpdoctor --netns web1 sysctl --apply --yes\n"
	"  tcpdoctor sysctl --apply --set net.ipv4.tcp_syncookies=1\n";

enum {
	OPT_PROFILE = 0x100,
	OPT_SNIPPET,
	OPT_APPLY,
	OPT_UNDO_FILE,
	OPT_CONF_ROOT,
	OPT_YES,
	OPT_ALL,
	OPT_SET,
};

#define MAX_SETS 16

#define MAX_HITS 4 /* configuration lines remembered per parameter */

/* A configuration line that sets a parameter we audit. */
struct conf_hit {
	char file[256];
	unsigned long line;
	char value[64];
};

struct conf_hits {
	struct conf_hit hit[MAX_HITS];
	size_t n, more;
};

struct opts {
	enum td_profile profile;
	bool verbose, snippet, apply;
	bool yes, all; /* --apply acts only with --yes; --all: advice items too */
	bool dry_run;  /* --apply without acting (set by apply()) */
	int argc;      /* for the command that acts */
	char **argv;
	const char *snippet_file, *undo_file, *conf_root;
	size_t nset; /* --set: exactly these changes */
	struct {
		const struct td_sysctl_entry *e;
		struct td_sysctl_value v;
	} set[MAX_SETS];
};

struct audit {
	size_t n;
	struct td_sysctl_finding *f;
	struct conf_hits *hits;		 /* per entry */
	struct conf_hits *obs_hits;	 /* per obsolete entry */
	struct td_sysctl_value *obs_cur; /* an old kernel may still have it */
	char conf_error[512];		 /* first unreadable configuration file */
	size_t counts[TD_VERDICT_ABSENT + 1];
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	struct td_err err = { 0 };

	switch (val) {
	case OPT_PROFILE:
		if (td_profile_parse(arg, &o->profile, &err) < 0)
			return cmd_fail_err(&err);
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case OPT_SNIPPET:
		o->snippet = true;
		o->snippet_file = arg;
		return 0;
	case OPT_APPLY:
		o->apply = true;
		return 0;
	case OPT_UNDO_FILE:
		o->undo_file = arg;
		return 0;
	case OPT_CONF_ROOT:
		o->conf_root = arg;
		return 0;
	case OPT_YES:
		o->yes = true;
		return 0;
	case OPT_ALL:
		o->all = true;
		return 0;
	case OPT_SET: {
		const char *eq = strchr(arg, '=');
		char name[128];

		if (o->nset >= MAX_SETS)
			return cmd_fail(TD_EXIT_USAGE, "sysctl: at most %d --set", MAX_SETS);
		if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name))
			return cmd_fail(TD_EXIT_USAGE,
					"sysctl --set '%s': expected NAME=VALUE, e.g. "
					"net.ipv4.tcp_syncookies=1",
					arg);
		memcpy(name, arg, (size_t)(eq - arg));
		name[eq - arg] = '\0';
		o->set[o->nset].e = td_sysctl_find(name);
		if (!o->set[o->nset].e)
			return cmd_fail(TD_EXIT_USAGE,
					"sysctl --set: '%s' is not a parameter tcpdoctor audits "
					"(see tcpdoctor sysctl -v)",
					name);
		if (td_sysctl_parse_value(eq + 1, o->set[o->nset].e->kind, &o->set[o->nset].v,
					  &err) < 0)
			return cmd_fail(TD_EXIT_USAGE, "sysctl --set %s: %s", name, err.msg);
		o->nset++;
		return 0;
	}
	}
	return TD_EXIT_USAGE;
}

static void add_hit(struct conf_hits *h, const struct td_sysctl_setting *s)
{
	struct conf_hit *x;

	if (h->n == MAX_HITS) {
		h->more++;
		return;
	}
	x = &h->hit[h->n++];
	snprintf(x->file, sizeof(x->file), "%s", s->file);
	x->line = s->line;
	snprintf(x->value, sizeof(x->value), "%s", s->value);
}

static int conf_cb(const struct td_sysctl_setting *s, void *ctx)
{
	struct audit *a = ctx;
	const struct td_sysctl_entry *e = td_sysctl_find(s->key);

	if (e)
		add_hit(&a->hits[e - td_sysctl_entry_at(0)], s);
	for (size_t i = 0; i < td_sysctl_obsolete_count(); i++)
		if (!strcmp(s->key, td_sysctl_obsolete_at(i)->name))
			add_hit(&a->obs_hits[i], s);
	return 0;
}

static void audit_free(struct audit *a)
{
	free(a->f);
	free(a->hits);
	free(a->obs_hits);
	free(a->obs_cur);
}

/* Read every entry in this namespace, judge, scan configuration. */
static int audit_run(struct audit *a, const struct opts *o)
{
	struct td_sysctl_value *values;
	size_t nobs = td_sysctl_obsolete_count();
	struct td_err err = { 0 };

	a->n = td_sysctl_count();
	values = calloc(a->n, sizeof(*values));
	a->f = calloc(a->n, sizeof(*a->f));
	a->hits = calloc(a->n, sizeof(*a->hits));
	a->obs_hits = calloc(nobs, sizeof(*a->obs_hits));
	a->obs_cur = calloc(nobs, sizeof(*a->obs_cur));
	if (!values || !a->f || !a->hits || !a->obs_hits || !a->obs_cur) {
		free(values);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	for (size_t i = 0; i < a->n; i++) {
		int rc = td_sysctl_read(td_sysctl_entry_at(i), NULL, &values[i], &err);

		/* absent is a verdict; anything else means we cannot audit */
		if (rc < 0 && rc != -ENOENT) {
			free(values);
			return cmd_fail(TD_EXIT_FAILED, "sysctl: %s", err.msg);
		}
	}
	td_sysctl_audit(values, o->profile, a->f);
	free(values);
	for (size_t i = 0; i < a->n; i++)
		a->counts[a->f[i].verdict]++;
	for (size_t i = 0; i < nobs; i++) {
		const struct td_sysctl_obsolete *ob = td_sysctl_obsolete_at(i);
		struct td_sysctl_entry e = { .name = ob->name,
					     .path = ob->path,
					     .kind = TD_SK_INT };

		td_sysctl_read(&e, NULL, &a->obs_cur[i], NULL);
	}
	if (td_sysctl_conf_scan(o->conf_root, conf_cb, a, &err) < 0)
		snprintf(a->conf_error, sizeof(a->conf_error), "%s", err.msg);
	return 0;
}

/* Is an obsolete parameter a problem: configured anywhere, or (old kernel)
 * still present and switched on? */
static bool obsolete_bad(const struct audit *a, size_t i)
{
	return a->obs_hits[i].n || (a->obs_cur[i].n && a->obs_cur[i].v[0] != 0);
}

/* "ip netns exec web1 " etc.: how to run a command in the namespace we
 * looked at, for the printed undo commands. */
static const char *netns_prefix(const char *netns, char *buf, size_t len)
{
	bool digits = netns && *netns;

	if (!netns)
		return "";
	for (const char *c = netns; *c; c++)
		digits = digits && isdigit((unsigned char)*c);
	if (digits)
		snprintf(buf, len, "nsenter -t %s -n ", netns);
	else if (strchr(netns, '/'))
		snprintf(buf, len, "nsenter --net=%s ", netns);
	else
		snprintf(buf, len, "ip netns exec %s ", netns);
	return buf;
}

/* Print text wrapped, each line starting with prefix: on the terminal at
 * its width (render/wrap.h, at most 100), in a script (a "# " prefix) at
 * 88 columns with the comment mark on every line. */
static void wrap(FILE *fp, const char *prefix, const char *text)
{
	const size_t width = 88;
	bool first = true;
	size_t col = 0;
	const char *p = text;

	if (prefix[0] != '#') {
		int w = td_out_width();

		fputs(prefix, fp);
		td_wrap(fp, text, (int)strlen(prefix), (int)strlen(prefix), w > 100 ? 100 : w);
		return;
	}

	while (*p) {
		const char *w = p;
		size_t len;

		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - w);
		if (col && col + 1 + len > width) {
			fputc('\n', fp);
			col = 0;
		}
		if (!col) {
			/* the label once, then blanks as wide (a comment mark stays) */
			if (first || prefix[0] == '#')
				fputs(first ? prefix : "# ", fp);
			else
				fprintf(fp, "%*s", (int)strlen(prefix), "");
			col = strlen(prefix);
			first = false;
		} else {
			fputc(' ', fp);
			col++;
		}
		fwrite(w, 1, len, fp);
		col += len;
		while (*p == ' ')
			p++;
	}
	if (col)
		fputc('\n', fp);
}

static const char *verdict_style(bool color, enum td_verdict v)
{
	if (!color)
		return "";
	switch (v) {
	case TD_VERDICT_WARN:
		return "\033[1;31m";
	case TD_VERDICT_ADVICE:
		return "\033[33m";
	case TD_VERDICT_ABSENT:
		return td_style_dim(true);
	default:
		return "\033[32m";
	}
}

static void print_hits(const struct conf_hits *h, const char *indent)
{
	for (size_t k = 0; k < h->n; k++)
		printf("%sset in %s:%lu = %s\n", indent, h->hit[k].file, h->hit[k].line,
		       h->hit[k].value);
	if (h->more)
		printf("%s(and %zu more lines)\n", indent, h->more);
}

static void print_text(const struct td_ctx *ctx, const struct opts *o, const struct audit *a)
{
	bool c = ctx->color;
	char cur[64], rec[128], set[64];
	int width = td_out_width();

	printf("TCP kernel parameters for a %s, network namespace: %s\n",
	       td_profile_name(o->profile), ctx->netns ? ctx->netns : "this process's");
	printf("%s%-7s %-31s %-20s %-5s %s%s\n", td_style_bold(c), "VERDICT", "PARAMETER",
	       "CURRENT", "SCOPE", "RECOMMENDED", td_style_reset(c));
	for (size_t i = 0; i < a->n; i++) {
		const struct td_sysctl_finding *f = &a->f[i];
		const struct td_sysctl_entry *e = f->e;
		bool finding = f->verdict == TD_VERDICT_ADVICE || f->verdict == TD_VERDICT_WARN;

		td_sysctl_rec_text(e, o->profile, rec, sizeof(rec));
		if (f->cur.n)
			td_sysctl_format(&f->cur, cur, sizeof(cur));
		else
			snprintf(cur, sizeof(cur), "-");
		/* A recommendation wider than what is left of the line goes
		 * under the row, wrapped, rather than past the width. */
		bool under = width && 67 + (int)strlen(rec) > width;

		printf("%s%-7s%s %-31s %-20s %-5s %s\n", verdict_style(c, f->verdict),
		       td_verdict_name(f->verdict), td_style_reset(c), e->name, cur,
		       e->per_netns ? "netns" : "host", under ? "(below)" : rec);
		if (under)
			wrap(stdout, "        recommended: ", rec);
		if (finding) {
			td_sysctl_format(&f->rec, set, sizeof(set));
			printf("        -> set %s = %s\n", e->name, set);
		}
		if (f->verdict == TD_VERDICT_ABSENT && !e->per_netns)
			printf("        host-wide: visible only from the initial network "
			       "namespace\n");
		if (finding || o->verbose) {
			if (e->values)
				wrap(stdout, "        values: ", e->values);
			wrap(stdout, "        why:  ", e->reason);
			wrap(stdout, "        risk: ", e->risk);
		}
		if (finding || o->verbose)
			print_hits(&a->hits[i], "        ");
	}
	for (size_t i = 0; i < td_sysctl_obsolete_count(); i++) {
		const struct td_sysctl_obsolete *ob = td_sysctl_obsolete_at(i);
		bool bad = obsolete_bad(a, i);

		if (!bad && !o->verbose)
			continue;
		printf("%s%-7s%s %-31s %-20s %-5s removed in Linux %s\n",
		       verdict_style(c, bad ? TD_VERDICT_WARN : TD_VERDICT_OK), bad ? "warn" : "ok",
		       td_style_reset(c), ob->name,
		       a->obs_cur[i].n ? (a->obs_cur[i].v[0] ? "1" : "0") : "(gone)", "netns",
		       ob->removed_in);
		print_hits(&a->obs_hits[i], "        ");
		wrap(stdout, "        why:  ", ob->why);
	}
	printf("\n%zu ok, %zu advice, %zu warn, %zu absent (profile %s).\n",
	       a->counts[TD_VERDICT_OK], a->counts[TD_VERDICT_ADVICE], a->counts[TD_VERDICT_WARN],
	       a->counts[TD_VERDICT_ABSENT], td_profile_name(o->profile));
	if (a->conf_error[0])
		printf("note: %s (configuration not fully scanned)\n", a->conf_error);
	if ((a->counts[TD_VERDICT_ADVICE] || a->counts[TD_VERDICT_WARN]) && !o->apply)
		printf("Write the changes as a sysctl.d file with --snippet FILE, or see what\n"
		       "--apply would change (the warnings; --all: the advice too).\n");
}

static void json_hits(struct td_json *j, const struct conf_hits *h)
{
	td_json_begin_array(j, "configured");
	for (size_t k = 0; k < h->n; k++) {
		td_json_begin_object(j, NULL);
		td_json_str(j, "file", h->hit[k].file);
		td_json_uint(j, "line", h->hit[k].line);
		td_json_str(j, "value", h->hit[k].value);
		td_json_end_object(j);
	}
	td_json_end_array(j);
}

static void json_value(struct td_json *j, const char *key, const struct td_sysctl_value *v)
{
	char buf[64];

	if (!v->n) {
		td_json_null(j, key);
		return;
	}
	td_json_str(j, key, td_sysctl_format(v, buf, sizeof(buf)));
}

/* Changes made by --apply, for JSON and text. */
struct change {
	const struct td_sysctl_entry *e;
	struct td_sysctl_value old, new;
};

static void undo_command(const char *prefix, const struct change *c, char *buf, size_t len)
{
	char old[64];

	td_sysctl_format(&c->old, old, sizeof(old));
	if (c->old.n > 1)
		snprintf(buf, len, "%ssysctl -w %s=\"%s\"", prefix, c->e->name, old);
	else
		snprintf(buf, len, "%ssysctl -w %s=%s", prefix, c->e->name, old);
}

static void print_json(const struct td_ctx *ctx, const struct opts *o, const struct audit *a,
		       const struct change *ch, size_t nch, const char *undo_path)
{
	struct td_json j;
	char rec[128];

	cmd_json_begin(&j, ctx, NULL);
	td_json_str(&j, "profile", td_profile_name(o->profile));
	td_json_begin_array(&j, "parameters");
	for (size_t i = 0; i < a->n; i++) {
		const struct td_sysctl_finding *f = &a->f[i];
		const struct td_sysctl_entry *e = f->e;
		bool finding = f->verdict == TD_VERDICT_ADVICE || f->verdict == TD_VERDICT_WARN;

		td_json_begin_object(&j, NULL);
		td_json_str(&j, "name", e->name);
		td_json_str(&j, "verdict", td_verdict_name(f->verdict));
		json_value(&j, "value", &f->cur);
		if (f->cur.n) {
			td_json_begin_array(&j, "values");
			for (int k = 0; k < f->cur.n; k++)
				td_json_int(&j, NULL, f->cur.v[k]);
			td_json_end_array(&j);
		} else {
			td_json_null(&j, "values");
		}
		td_json_str(&j, "recommended", td_sysctl_rec_text(e, o->profile, rec, sizeof(rec)));
		if (finding)
			json_value(&j, "set", &f->rec);
		else
			td_json_null(&j, "set");
		td_json_str(&j, "kind", td_sysctl_kind_name(e->kind));
		td_json_bool(&j, "per_netns", e->per_netns);
		td_json_str(&j, "path", e->path);
		td_json_str(&j, "default", e->kernel_default);
		if (e->values)
			td_json_str(&j, "meaning", e->values);
		td_json_str(&j, "reason", e->reason);
		td_json_str(&j, "risk", e->risk);
		json_hits(&j, &a->hits[i]);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_array(&j, "obsolete");
	for (size_t i = 0; i < td_sysctl_obsolete_count(); i++) {
		const struct td_sysctl_obsolete *ob = td_sysctl_obsolete_at(i);

		td_json_begin_object(&j, NULL);
		td_json_str(&j, "name", ob->name);
		td_json_str(&j, "verdict", obsolete_bad(a, i) ? "warn" : "ok");
		td_json_str(&j, "removed_in", ob->removed_in);
		json_value(&j, "value", &a->obs_cur[i]);
		td_json_str(&j, "reason", ob->why);
		json_hits(&j, &a->obs_hits[i]);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_object(&j, "summary");
	for (int v = TD_VERDICT_OK; v <= TD_VERDICT_ABSENT; v++)
		td_json_uint(&j, td_verdict_name((enum td_verdict)v), a->counts[v]);
	td_json_end_object(&j);
	if (a->conf_error[0])
		td_json_str(&j, "config_error", a->conf_error);
	if (o->snippet && o->snippet_file && strcmp(o->snippet_file, "-"))
		td_json_str(&j, "snippet", o->snippet_file);
	if (o->apply) {
		char buf[64], pfx[300], cmd[512];
		const char *prefix = netns_prefix(ctx->netns, pfx, sizeof(pfx));

		td_json_bool(&j, "dry_run", o->dry_run);
		td_json_begin_array(&j, o->dry_run ? "would_apply" : "applied");
		for (size_t i = 0; i < nch; i++) {
			td_json_begin_object(&j, NULL);
			td_json_str(&j, "name", ch[i].e->name);
			td_json_str(&j, "old", td_sysctl_format(&ch[i].old, buf, sizeof(buf)));
			td_json_str(&j, "new", td_sysctl_format(&ch[i].new, buf, sizeof(buf)));
			undo_command(prefix, &ch[i], cmd, sizeof(cmd));
			td_json_str(&j, "undo", cmd);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
		td_json_str(&j, "undo_file", undo_path);
	}
	td_json_end_object(&j);
	td_json_finish(&j);
}

static struct tm now_tm(void)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	return tm;
}

static int write_snippet(const struct td_ctx *ctx, const struct opts *o, const struct audit *a)
{
	bool to_stdout = !o->snippet_file || !strcmp(o->snippet_file, "-");
	FILE *fp = to_stdout ? stdout : fopen(o->snippet_file, "w");
	char when[64], set[64], cur[64];
	struct tm tm;
	size_t n = 0;

	if (!fp)
		return cmd_fail(TD_EXIT_USAGE, "--snippet %s: %s", o->snippet_file,
				strerror(errno));
	tm = now_tm();
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	fprintf(fp, "# TCP settings for a %s, written by tcpdoctor sysctl on %s.\n",
		td_profile_name(o->profile), when);
	fprintf(fp, "# Only values that differ from our recommendation are here. Install:\n"
		    "#   cp FILE /etc/sysctl.d/60-tcpdoctor.conf && sysctl -p "
		    "/etc/sysctl.d/60-tcpdoctor.conf\n");
	if (ctx->netns)
		fprintf(fp,
			"# Read in network namespace %s: files in /etc/sysctl.d set the initial\n"
			"# namespace at boot; apply it inside the namespace (its container's\n"
			"# sysctls) instead.\n",
			ctx->netns);
	for (size_t i = 0; i < a->n; i++) {
		const struct td_sysctl_finding *f = &a->f[i];

		if (f->verdict != TD_VERDICT_ADVICE && f->verdict != TD_VERDICT_WARN)
			continue;
		td_sysctl_format(&f->cur, cur, sizeof(cur));
		td_sysctl_format(&f->rec, set, sizeof(set));
		fprintf(fp, "\n# %s: was %s.\n", td_verdict_name(f->verdict), cur);
		wrap(fp, "# ", f->e->reason);
		fprintf(fp, "%s = %s\n", f->e->name, set);
		n++;
	}
	for (size_t i = 0; i < td_sysctl_obsolete_count(); i++) {
		const struct td_sysctl_obsolete *ob = td_sysctl_obsolete_at(i);

		for (size_t k = 0; k < a->obs_hits[i].n; k++)
			fprintf(fp, "\n# Remove %s from %s:%lu (removed in Linux %s).\n", ob->name,
				a->obs_hits[i].hit[k].file, a->obs_hits[i].hit[k].line,
				ob->removed_in);
	}
	if (!n)
		fprintf(fp, "\n# Nothing to change for a %s.\n", td_profile_name(o->profile));
	if (to_stdout) {
		fflush(fp);
		return TD_EXIT_OK;
	}
	if (fclose(fp) == EOF)
		return cmd_fail(TD_EXIT_FAILED, "--snippet %s: %s", o->snippet_file,
				strerror(errno));
	if (!ctx->json)
		printf("Snippet with %zu setting%s written to %s.\n", n, n == 1 ? "" : "s",
		       o->snippet_file);
	return TD_EXIT_OK;
}

/* Open a new undo file: --undo-file, or sysctl-undo-TIME[-N].conf in
 * /var/lib/tcpdoctor (root) or the XDG state directory. */
static FILE *open_undo(const struct opts *o, char *path, size_t len)
{
	char dir[3000], stamp[32];
	struct tm tm;
	int fd, rc;

	if (o->undo_file) {
		snprintf(path, len, "%s", o->undo_file);
		return fopen(path, "w");
	}
	cmd_state_dir(dir, sizeof(dir), "/tmp");
	rc = cmd_mkdirs(dir, 0755);
	if (rc < 0) {
		snprintf(path, len, "%s", dir);
		errno = -rc;
		return NULL;
	}
	tm = now_tm();
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	for (int k = 0; k < 100; k++) {
		if (k)
			snprintf(path, len, "%s/sysctl-undo-%s-%d.conf", dir, stamp, k);
		else
			snprintf(path, len, "%s/sysctl-undo-%s.conf", dir, stamp);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fdopen(fd, "w");
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

/* What --apply would change, and the undo file it would write. */
static void print_plan(const struct td_ctx *ctx, const struct opts *o, const struct change *ch,
		       size_t nch, const char *prefix, bool with_act)
{
	const char *act[CMD_ACT_MAX];
	char buf[64], old[64], dir[3000];

	printf("\nWould change %zu value%s%s%s (dry run, nothing changed):\n", nch,
	       nch == 1 ? "" : "s", ctx->netns ? " in network namespace " : "",
	       ctx->netns ? ctx->netns : "");
	for (size_t i = 0; i < nch; i++)
		printf("  %s: %s -> %s\n", ch[i].e->name,
		       td_sysctl_format(&ch[i].old, old, sizeof(old)),
		       td_sysctl_format(&ch[i].new, buf, sizeof(buf)));
	if (o->undo_file)
		printf("and save the old values in %s:\n", o->undo_file);
	else
		printf("and save the old values in %s/sysctl-undo-TIME.conf:\n",
		       cmd_state_dir(dir, sizeof(dir), "/tmp"));
	for (size_t i = 0; i < nch; i++)
		printf("  %s = %s\n", ch[i].e->name,
		       td_sysctl_format(&ch[i].old, old, sizeof(old)));
	printf("(restore them with: %ssysctl -p UNDO_FILE), or undo each with:\n", prefix);
	for (size_t i = 0; i < nch; i++) {
		char cmd[512];

		undo_command(prefix, &ch[i], cmd, sizeof(cmd));
		printf("  %s\n", cmd);
	}
	if (with_act)
		view_act_line(stdout, act, cmd_act_argv(ctx, o->argc, o->argv, act, CMD_ACT_MAX));
}

/* Write the recommended values. The undo file is written first; if a write
 * fails, the values already changed are put back, so --apply changes all
 * or nothing. */
static int apply(const struct td_ctx *ctx, struct opts *o, const struct audit *a, struct change *ch,
		 size_t *nch, char *undo_path, size_t undo_len)
{
	char when[64], pfx[300], cmd[512], buf[64];
	const char *prefix = netns_prefix(ctx->netns, pfx, sizeof(pfx));
	struct td_err err = { 0 };
	struct tm tm;
	FILE *fp;

	*nch = 0;
	for (size_t i = 0; o->nset && i < a->n; i++) {
		const struct td_sysctl_finding *f = &a->f[i];

		for (size_t k = 0; k < o->nset; k++) {
			if (o->set[k].e != f->e || f->cur.n == 0)
				continue;
			if (ctx->netns && !f->e->per_netns)
				return cmd_fail(TD_EXIT_USAGE,
						"sysctl --set %s: host-wide, not of a network "
						"namespace: run without --netns to change it",
						f->e->name);
			if (!memcmp(&f->cur, &o->set[k].v, sizeof(f->cur)))
				continue; /* already so */
			ch[*nch].e = f->e;
			ch[*nch].old = f->cur;
			ch[*nch].new = o->set[k].v;
			(*nch)++;
		}
	}
	for (size_t i = 0; !o->nset && i < a->n; i++) {
		const struct td_sysctl_finding *f = &a->f[i];

		if (f->verdict != TD_VERDICT_WARN && !(o->all && f->verdict == TD_VERDICT_ADVICE))
			continue;
		/* inside a namespace, a host-wide value would change the host */
		if (ctx->netns && !f->e->per_netns)
			continue;
		ch[*nch].e = f->e;
		ch[*nch].old = f->cur;
		ch[*nch].new = f->rec;
		(*nch)++;
	}
	if (!*nch) {
		undo_path[0] = '\0';
		if (!ctx->json)
			printf("Nothing to apply%s.\n",
			       o->nset ? " (every --set value is in place already)"
			       : o->all || !a->counts[TD_VERDICT_ADVICE]
				       ? ""
				       : " (no warning; --all also applies the advice)");
		return TD_EXIT_OK;
	}
	if (!o->yes && !ctx->json && isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
		print_plan(ctx, o, ch, *nch, prefix, false);
		fflush(stdout);
		o->yes = cmd_confirm("Change these values now?");
		if (o->yes && geteuid() != 0)
			return cmd_fail(TD_EXIT_FAILED,
					"sysctl --apply: needs root to write /proc/sys; "
					"nothing changed (see --snippet to write a file instead)");
		if (!o->yes) {
			printf("Nothing changed.\n");
			o->dry_run = true;
			undo_path[0] = '\0';
			return TD_EXIT_OK;
		}
	}
	if (!o->yes) {
		o->dry_run = true;
		undo_path[0] = '\0';
		if (!ctx->json)
			print_plan(ctx, o, ch, *nch, prefix, true);
		return TD_EXIT_OK;
	}
	fp = open_undo(o, undo_path, undo_len);
	if (!fp)
		return cmd_fail(TD_EXIT_FAILED,
				"sysctl --apply: cannot write the undo file %s: "
				"%s; nothing changed (choose one with --undo-file)",
				undo_path, strerror(errno));
	tm = now_tm();
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm);
	fprintf(fp, "# Values before `tcpdoctor sysctl --apply --profile %s` on %s%s%s.\n",
		td_profile_name(o->profile), when, ctx->netns ? " in network namespace " : "",
		ctx->netns ? ctx->netns : "");
	fprintf(fp, "# Restore them with:  %ssysctl -p %s\n", prefix, undo_path);
	for (size_t i = 0; i < *nch; i++)
		fprintf(fp, "%s = %s\n", ch[i].e->name,
			td_sysctl_format(&ch[i].old, buf, sizeof(buf)));
	if (fclose(fp) == EOF)
		return cmd_fail(TD_EXIT_FAILED, "sysctl --apply: %s: %s; nothing changed",
				undo_path, strerror(errno));
	for (size_t i = 0; i < *nch; i++) {
		if (td_sysctl_write(ch[i].e, NULL, &ch[i].new, &err) == 0)
			continue;
		for (size_t k = 0; k < i; k++)
			td_sysctl_write(ch[k].e, NULL, &ch[k].old, NULL);
		unlink(undo_path);
		*nch = 0;
		return cmd_fail(TD_EXIT_FAILED,
				"sysctl --apply: %s; earlier changes undone, "
				"nothing changed",
				err.msg);
	}
	if (ctx->json)
		return TD_EXIT_OK;
	printf("\nChanged %zu value%s%s%s:\n", *nch, *nch == 1 ? "" : "s",
	       ctx->netns ? " in network namespace " : "", ctx->netns ? ctx->netns : "");
	for (size_t i = 0; i < *nch; i++) {
		char old[64];

		td_sysctl_format(&ch[i].old, old, sizeof(old));
		printf("  %s: %s -> %s\n", ch[i].e->name, old,
		       td_sysctl_format(&ch[i].new, buf, sizeof(buf)));
	}
	printf("Undo with (saved in %s; or: %ssysctl -p %s):\n", undo_path, prefix, undo_path);
	for (size_t i = 0; i < *nch; i++) {
		undo_command(prefix, &ch[i], cmd, sizeof(cmd));
		printf("  %s\n", cmd);
	}
	if (ctx->netns)
		for (size_t i = 0; i < a->n; i++)
			if (!a->f[i].e->per_netns && (a->f[i].verdict == TD_VERDICT_ADVICE ||
						      a->f[i].verdict == TD_VERDICT_WARN))
				printf("Not changed: %s is host-wide; run without --netns to "
				       "change "
				       "it.\n",
				       a->f[i].e->name);
	return TD_EXIT_OK;
}

int cmd_sysctl(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "snippet", optional_argument, NULL, OPT_SNIPPET },
		{ "apply", no_argument, NULL, OPT_APPLY },
		{ "undo-file", required_argument, NULL, OPT_UNDO_FILE },
		{ "conf-root", required_argument, NULL, OPT_CONF_ROOT },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "set", required_argument, NULL, OPT_SET },
		{ 0 },
	};
	struct opts o = { .profile = TD_PROFILE_SERVER };
	struct audit a = { 0 };
	struct change *ch = NULL;
	char undo_path[4096] = "";
	size_t nch = 0;
	int rc;

	rc = cmd_getopt(argc, argv, ctx, own, "v", false, NULL, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	/* "--snippet FILE": getopt only takes "--snippet=FILE" for an optional
	 * value, so a lone operand after --snippet is its file */
	if (o.snippet && !o.snippet_file && optind < argc)
		o.snippet_file = argv[optind++];
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "sysctl: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (o.undo_file && !o.apply)
		return cmd_fail(TD_EXIT_USAGE, "sysctl: --undo-file goes with --apply");
	if ((o.yes || o.all || o.nset) && !o.apply)
		return cmd_fail(TD_EXIT_USAGE, "sysctl: %s goes with --apply",
				o.yes	? "--yes"
				: o.all ? "--all"
					: "--set");
	if (o.all && o.nset)
		return cmd_fail(TD_EXIT_USAGE, "sysctl: --set names the changes; --all goes "
					       "without it");
	o.argc = argc;
	o.argv = argv;
	if (o.snippet && (!o.snippet_file || !strcmp(o.snippet_file, "-")) &&
	    (ctx->json || o.apply))
		return cmd_fail(TD_EXIT_USAGE,
				"sysctl: --snippet to standard output cannot go "
				"with %s; give it a FILE",
				ctx->json ? "--json" : "--apply");
	/* Refuse before any work: --apply --yes without root changes nothing. */
	if (o.apply && o.yes && geteuid() != 0)
		return cmd_fail(TD_EXIT_FAILED,
				"sysctl --apply: needs root to write /proc/sys; "
				"nothing changed (see --snippet to write a file instead)");

	rc = audit_run(&a, &o);
	if (rc) {
		audit_free(&a);
		return rc;
	}
	if (o.snippet) {
		rc = write_snippet(ctx, &o, &a);
		if (rc || !o.snippet_file || !strcmp(o.snippet_file, "-")) {
			audit_free(&a);
			return rc;
		}
	}
	if (!ctx->json)
		print_text(ctx, &o, &a);
	if (o.apply) {
		ch = calloc(a.n, sizeof(*ch));
		if (!ch) {
			audit_free(&a);
			return cmd_fail(TD_EXIT_FAILED, "out of memory");
		}
		rc = apply(ctx, &o, &a, ch, &nch, undo_path, sizeof(undo_path));
	}
	if (ctx->json && !rc)
		print_json(ctx, &o, &a, ch, nch, undo_path[0] ? undo_path : NULL);
	free(ch);
	audit_free(&a);
	return rc;
}

/* Plumbing of the commands that act: the act command line and the one
 * question asked on a terminal. See remedy.h. */
#include "cmd/remedy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog.h"
#include "diagnose/remedy.h"
#include "render/escape.h"
#include "render/remedyview.h"
#include "render/style.h"
#include "render/wrap.h"
#include "text.h"

size_t cmd_act_argv(const struct td_ctx *ctx, int argc, char **argv, const char **out, size_t cap)
{
	size_t n = 0;

	if (cap < 8)
		return 0;
	out[n++] = ctx->prog;
	if (ctx->all_netns && !ctx->ns) {
		/* The command drives --all-netns itself (kill, keepalive). */
		out[n++] = "--all-netns";
		if (ctx->netns_filter) {
			out[n++] = "--netns-filter";
			out[n++] = ctx->netns_filter;
		}
	} else if (ctx->netns) {
		out[n++] = "--netns";
		out[n++] = ctx->netns;
	}
	if (ctx->family)
		out[n++] = ctx->family == AF_INET ? "-4" : "-6";
	out[n++] = ctx->cmd;
	for (int i = 1; i < argc && n + 1 < cap; i++) {
		if (!strcmp(argv[i], "--yes") || !strcmp(argv[i], "--dry-run"))
			continue;
		out[n++] = argv[i];
	}
	out[n++] = "--yes";
	return n;
}

void cmd_json_argv(struct td_json *j, const char *key, const char *const *v, size_t n)
{
	td_json_begin_array(j, key);
	for (size_t i = 0; i < n; i++)
		td_json_str(j, NULL, v[i]);
	td_json_end_array(j);
}

bool cmd_confirm(const char *question)
{
	char line[64];

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return false;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

void cmd_netns_hint(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
		return;
	if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		fprintf(stderr,
			"tcpdoctor: note: pid %d is in another network namespace: add "
			"--netns %d\n",
			(int)pid, (int)pid);
}

/* "tcpdoctor [--netns N] [-4|-6]" and the remedy's words. */
static size_t full_argv(const struct td_ctx *ctx, const struct td_remedy *r, const char **out,
			size_t cap)
{
	size_t n = 0;

	out[n++] = ctx->prog;
	if (ctx->netns) {
		out[n++] = "--netns";
		out[n++] = ctx->netns;
	}
	if (ctx->family)
		out[n++] = ctx->family == AF_INET ? "-4" : "-6";
	for (size_t i = 0; i < r->argc && n + 1 < cap; i++)
		out[n++] = r->argv[i];
	out[n] = NULL;
	return n;
}

void cmd_json_remedy(struct td_json *j, const struct td_ctx *ctx, const struct td_finding *f)
{
	const char *v[CMD_ACT_MAX];
	struct td_remedy r;
	size_t n;

	if (td_finding_remedy(f, &r) < 0) {
		td_json_null(j, "remedy");
		return;
	}
	n = full_argv(ctx, &r, v, CMD_ACT_MAX);
	td_json_begin_object(j, "remedy");
	cmd_json_argv(j, "argv", v, n);
	td_json_str(j, "changes", r.changes);
	td_json_str(j, "not_fixed", r.not_fixed);
	td_json_bool(j, "safe", r.safe);
	td_json_end_object(j);
}

void cmd_text_remedy(FILE *fp, const struct td_ctx *ctx, const struct td_finding *f)
{
	const char *v[CMD_ACT_MAX], *label;
	struct td_remedy r;
	char *cmd = NULL;
	size_t n, len = 0;
	int width = cmd_prose_width(), indent = 10, col;
	FILE *mem;

	if (td_finding_remedy(f, &r) < 0)
		return;
	n = full_argv(ctx, &r, v, CMD_ACT_MAX);
	label = td_tr_text(N_("Remedy:"));
	col = 2 + (int)td_text_width(label, strlen(label)) + 1;
	fprintf(fp, "  %s%s%s ", td_style_bold(ctx->color), label, td_style_reset(ctx->color));
	mem = open_memstream(&cmd, &len);
	if (mem) {
		view_argv(mem, v, n);
		fclose(mem);
	}
	/* A command to copy: wrapped at blanks outside quotes, each line but the
	 * last ending in " \" so the shell reads it as one. */
	for (const char *p = cmd ? cmd : ""; *p;) {
		const char *w = p;
		bool quoted = false;

		while (*w && (quoted || *w != ' '))
			quoted ^= *w++ == '\'';
		if (width && col > indent && col + 1 + (int)(w - p) + 2 > width) {
			fprintf(fp, " \\\n%*s", indent, "");
			col = indent;
		} else if (p != cmd) {
			fputc(' ', fp);
			col++;
		}
		fprintf(fp, "%.*s", (int)(w - p), p);
		col += (int)(w - p);
		p = *w ? w + 1 : w;
	}
	free(cmd);
	fprintf(fp, "\n%*s%s\n", indent, "",
		td_tr_text(N_("(tcpdoctor check --fix shows what it changes)")));
}

/* text after a label already printed at column col, wrapped at the
 * terminal's width (render/wrap.h) with the continuation lines indented to
 * indent. */
static void wrap80(FILE *fp, const char *text, int col, int indent)
{
	/* the label ends without a blank: one goes between */
	fputc(' ', fp);
	td_wrap(fp, text, col + 1, indent, cmd_prose_width());
}

/* Run one remedy as a tcpdoctor of its own; its exit status, or -1. With
 * JSON the check's document owns stdout: the remedy writes to stderr. */
static int run_remedy(const struct td_ctx *ctx, const char *const *v)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (ctx->json)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execv("/proc/self/exe", (char *const *)v);
		fprintf(stderr, "tcpdoctor: check --fix: cannot run myself: %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cmd_check_fix(const struct td_ctx *ctx, const struct td_findings *fs, bool yes, int rc)
{
	FILE *out = ctx->json ? stderr : stdout;
	bool ask = !yes && isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	size_t shown = 0, ran = 0, failed = 0;

	/* The pids and sockets of a recorded dump are not this host's now. */
	if (ctx->source.kind == TD_SRC_REPLAY) {
		fprintf(out, "\ncheck --fix: not for a replayed dump: remedies act on live "
			     "sockets\n");
		return yes ? TD_EXIT_USAGE : rc;
	}

	for (size_t i = 0; i < fs->n; i++) {
		const struct td_finding *f = &fs->v[i];
		const char *v[CMD_ACT_MAX + 1];
		struct td_remedy r;
		int st;

		if (td_finding_remedy(f, &r) < 0)
			continue;
		full_argv(ctx, &r, v, CMD_ACT_MAX);
		if (!shown++)
			fprintf(out, "\n%sRemedies tcpdoctor can apply:%s\n",
				td_style_bold(ctx->color), td_style_reset(ctx->color));
		fprintf(out, "%2zu. %s:", shown, f->rule);
		wrap80(out, f->summary, 5 + (int)strlen(f->rule), 4);
		fprintf(out, "    run: ");
		view_argv(out, v, full_argv(ctx, &r, v, CMD_ACT_MAX));
		fprintf(out, "\n    changes:");
		wrap80(out, r.changes, 12, 8);
		fprintf(out, "    does not fix:");
		wrap80(out, r.not_fixed, 17, 8);
		if (!r.safe && !yes)
			fprintf(out, "    (not among the safe ones: --fix --yes leaves it; offered "
				     "on a terminal, or run it by hand)\n");
		if (yes && !r.safe) {
			fprintf(out, "    not applied: not a safe remedy; run it by hand\n");
			continue;
		}
		if (!yes && !(ask && cmd_confirm("    Apply it?")))
			continue;
		st = run_remedy(ctx, v);
		ran++;
		if (st != 0) {
			failed++;
			fprintf(out, "    failed: exit status %d\n", st);
		}
	}
	if (!shown)
		fprintf(out, "\nNo finding has a remedy tcpdoctor can apply.\n");
	else if (!ran && !yes)
		fprintf(out, "\nNothing changed (a dry run): --fix --yes applies the safe ones.\n");
	return failed ? TD_EXIT_FAILED : rc;
}

/* What the commands that change the system share (kill, keepalive, check
 * --fix): a dry run unless --yes, one question on a terminal, and the exact
 * command line that acts, shell-quoted for text and an argv array for JSON. */
#ifndef TD_CMD_REMEDY_H
#define TD_CMD_REMEDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "render/json.h"

#define CMD_ACT_MAX 96 /* words in an act command line */

/* The command line that acts: "tcpdoctor [--netns N] [-4|-6] CMD ARGS...
 * --yes", ARGS being argv[1..] without --yes and --dry-run. Pointers into
 * argv and static strings; returns the number of words (at most cap). */
size_t cmd_act_argv(const struct td_ctx *ctx, int argc, char **argv, const char **out, size_t cap);

/* "key": ["tcpdoctor", "kill", ...] */
void cmd_json_argv(struct td_json *j, const char *key, const char *const *v, size_t n);

/* Ask question on the terminal (stderr) once, read the answer from stdin.
 * True only for "y" or "yes"; false, without asking, when stdin or stderr
 * is not a terminal. */
bool cmd_confirm(const char *question);

/* Print to stderr, when pid lives in another network namespace than ours,
 * "note: pid P is in another network namespace: add --netns P". */
void cmd_netns_hint(pid_t pid);

struct td_finding;
struct td_findings;

/* The finding's remedy in its JSON object: "remedy": {"argv": [...],
 * "changes", "not_fixed", "safe"}, or null when tcpdoctor has none. */
void cmd_json_remedy(struct td_json *j, const struct td_ctx *ctx, const struct td_finding *f);
/* "  Remedy: tcpdoctor kill ... (tcpdoctor check --fix)" when it has one. */
void cmd_text_remedy(FILE *fp, const struct td_ctx *ctx, const struct td_finding *f);

/* `check --fix`: list the remedies of the findings with what each changes
 * and does not fix; with yes run the safe ones, on a terminal offer each
 * (default no), else change nothing. Each runs as its own tcpdoctor
 * process (the command printed, exactly). Returns rc, or TD_EXIT_FAILED
 * when a remedy that ran failed. */
int cmd_check_fix(const struct td_ctx *ctx, const struct td_findings *fs, bool yes, int rc);

#endif

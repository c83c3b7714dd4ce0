/* Plumbing of the commands that act: the act command line and the one
 * question asked on a terminal. See remedy.h. */
#include "cmd/remedy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "render/escape.h"

size_t cmd_act_argv(const struct td_ctx *ctx, int argc, char **argv, const char **out, size_t cap)
{
	size_t n = 0;

	if (cap < 8)
		return 0;
	out[n++] = ctx->prog;
	if (ctx->netns) {
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

static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-./:=,@%+[]",
			    *s))
			return false;
	return true;
}

void cmd_print_argv(FILE *fp, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *esc;

		if (i)
			fputc(' ', fp);
		if (plain_word(v[i])) {
			fputs(v[i], fp);
			continue;
		}
		esc = malloc(strlen(v[i]) * TD_ESC_MAX_PER_BYTE + 1);
		if (!esc)
			continue;
		td_esc(v[i], esc, strlen(v[i]) * TD_ESC_MAX_PER_BYTE + 1);
		fputc('\'', fp);
		for (const char *p = esc; *p; p++) {
			if (*p == '\'')
				fputs("'\\''", fp);
			else
				fputc(*p, fp);
		}
		fputc('\'', fp);
		free(esc);
	}
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

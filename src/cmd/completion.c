/* `tcpdoctor completion bash|zsh|fish` prints a shell's completion script;
 * the script asks `tcpdoctor __complete INDEX WORDS...` for the candidates,
 * so completion never drifts from the binary: commands come from main's
 * table, a command's options from its own cmd_getopt() (which lists them
 * instead of parsing when cmd_options_fp is set), and values from the
 * library's tables (states, rules, lab scenarios, explain topics) and the
 * host (ip netns names). */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "diagnose/kb.h"
#include "diagnose/rules.h"
#include "lab/lab.h"
#include "state.h"

static const char help[] =
	"usage: tcpdoctor completion bash|zsh|fish\n"
	"\n"
	"Print the shell completion script: commands, options, state names, rule ids,\n"
	"lab scenarios, namespaces and explain topics complete as you type.\n"
	"\n"
	"Examples:\n"
	"  source <(tcpdoctor completion bash)            # this shell\n"
	"  tcpdoctor completion bash > /etc/bash_completion.d/tcpdoctor\n"
	"  tcpdoctor completion zsh > \"${fpath[1]}/_tcpdoctor\"\n"
	"  tcpdoctor completion fish > ~/.config/fish/completions/tcpdoctor.fish\n"
	"(The Debian package and `make install` put them in place.)\n";

static const char bash_script[] =
	"# bash completion for tcpdoctor (tcpdoctor completion bash)\n"
	"_tcpdoctor() {\n"
	"\tlocal IFS=$'\\n' cur=${COMP_WORDS[COMP_CWORD]}\n"
	"\tCOMPREPLY=($(\"${COMP_WORDS[0]}\" __complete \"$COMP_CWORD\" \"${COMP_WORDS[@]}\" "
	"2>/dev/null))\n"
	"\t# nothing to offer (a capture file, a path): the shell's own files\n"
	"\t[ ${#COMPREPLY[@]} -eq 0 ] && compopt -o default 2>/dev/null\n"
	"\treturn 0\n"
	"}\n"
	"complete -F _tcpdoctor tcpdoctor\n";

static const char zsh_script[] =
	"#compdef tcpdoctor\n"
	"# zsh completion for tcpdoctor (tcpdoctor completion zsh)\n"
	"_tcpdoctor() {\n"
	"\tlocal -a c\n"
	"\tc=(\"${(@f)$(\"${words[1]}\" __complete $((CURRENT - 1)) \"${words[@]}\" "
	"2>/dev/null)}\")\n"
	"\tif (( ${#c} )) && [[ -n ${c[1]} ]]; then compadd -a c; else _files; fi\n"
	"}\n"
	"if [ \"$funcstack[1]\" = _tcpdoctor ]; then _tcpdoctor \"$@\"; else compdef _tcpdoctor "
	"tcpdoctor; fi\n";

static const char fish_script[] =
	"# fish completion for tcpdoctor (tcpdoctor completion fish)\n"
	"function __tcpdoctor_complete\n"
	"\tset -l words (commandline -opc) (commandline -ct)\n"
	"\ttcpdoctor __complete (math (count $words) - 1) $words 2>/dev/null\n"
	"end\n"
	"complete -c tcpdoctor -f -a '(__tcpdoctor_complete)'\n";

FILE *cmd_options_fp;

/* The global options main() takes (main.c), as completion offers them. */
static const char *const globals[] = {
	"--netns",     "--all-netns", "--netns-filter", "--json", "--no-color", "--source",
	"--save-dump", "--help",      "--version",	"-4",	  "-6",
};

/* Options whose value is the next word, and what completes it. */
enum vkind {
	V_NONE,
	V_STATE,
	V_NETNS,
	V_SOURCE,
	V_BY,
	V_GRAPH,
	V_DIR,
	V_RULE,
	V_PROFILE,
	V_FILE,
	V_ANY
};

static const struct {
	const char *opt;
	enum vkind kind;
} values[] = {
	{ "--state", V_STATE }, { "--netns", V_NETNS },	    { "--source", V_SOURCE },
	{ "--by", V_BY },	{ "--graph", V_GRAPH },	    { "--dir", V_DIR },
	{ "--rule", V_RULE },	{ "--profile", V_PROFILE }, { "--save-dump", V_FILE },
	{ "--png", V_FILE },	{ "--svg", V_FILE },	    { "--db", V_FILE },
	{ "--port", V_ANY },	{ "--sport", V_ANY },	    { "--dport", V_ANY },
	{ "--src", V_ANY },	{ "--dst", V_ANY },	    { "--pid", V_ANY },
	{ "--filter", V_ANY },	{ "--conn", V_ANY },	    { "--top", V_ANY },
};

static void offer(const char *cand, const char *cur)
{
	if (cand && !strncmp(cand, cur, strlen(cur)))
		printf("%s\n", cand);
}

/* The names a command accepts: its cmd_getopt() lists them to cmd_options_fp. */
static void command_options(const struct td_command *c, const char *cur)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	char *argv[] = { (char *)c->name, NULL };
	struct td_ctx ctx = { .prog = "tcpdoctor", .cmd = c->name };

	td_source_init(&ctx.source);
	cmd_options_fp = open_memstream(&buf, &len);
	if (!cmd_options_fp)
		return;
	c->fn(1, argv, &ctx);
	fclose(cmd_options_fp);
	cmd_options_fp = NULL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strcmp(line, "--help")) /* a global already */
			offer(line, cur);
	free(buf);
}

static void complete_value(enum vkind k, const char *cur)
{
	size_t n;

	switch (k) {
	case V_STATE: {
		static const char *const groups[] = { "all",	"connected", "synchronized",
						      "bucket", "big",	     "closing-states" };

		/* as typed: "ESTABLISHED" for "E", ss's "established" otherwise */
		bool upper = cur[0] >= 'A' && cur[0] <= 'Z';

		for (int st = 1; st <= TD_STATE_MAX; st++) {
			char name[32];

			if (st == TD_NEW_SYN_RECV)
				continue;
			snprintf(name, sizeof(name), "%s", td_state_name(st));
			for (char *ch = name; !upper && *ch; ch++)
				*ch = *ch == '_' ? '-' : (char)tolower((unsigned char)*ch);
			offer(name, cur);
		}
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			offer(groups[i], cur);
		break;
	}
	case V_NETNS: {
		DIR *d = opendir("/run/netns");
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				offer(e->d_name, cur);
		if (d)
			closedir(d);
		break;
	}
	case V_SOURCE:
		offer("auto", cur);
		offer("netlink", cur);
		offer("proc", cur);
		offer("bpf", cur);
		offer("replay:", cur);
		break;
	case V_BY: {
		static const char *const by[] = { "lport", "rport",   "laddr",
						  "peer",  "process", "user" };

		for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++)
			offer(by[i], cur);
		break;
	}
	case V_GRAPH:
		offer("seq", cur);
		offer("throughput", cur);
		offer("rtt", cur);
		offer("window", cur);
		break;
	case V_DIR:
		offer("a", cur);
		offer("b", cur);
		break;
	case V_RULE: {
		const struct td_rule *r = td_rules(&n);

		for (size_t i = 0; i < n; i++)
			offer(r[i].id, cur);
		break;
	}
	case V_PROFILE:
		offer("server", cur);
		offer("client", cur);
		offer("proxy", cur);
		break;
	case V_FILE: /* the shell's own file completion */
	case V_ANY:
	case V_NONE:
		break;
	}
}

/* Each '|'-separated alias of every translated explain entry, and its errno
 * message, that starts with cur (one with a blank would split in the shell). */
static void offer_translated(const char *cur)
{
	for (int l = 1; l <= TD_KB_LANG_MAX; l++) {
		size_t n;
		const struct td_kb_tr *t = td_kb_translations((enum td_kb_lang)l, &n);

		for (size_t i = 0; i < n; i++) {
			const char *a = t[i].aliases;

			while (a && *a) {
				size_t len = strcspn(a, "|");
				char one[128];

				if (len < sizeof(one) && !memchr(a, ' ', len)) {
					memcpy(one, a, len);
					one[len] = '\0';
					offer(one, cur);
				}
				a += len + (a[len] == '|');
			}
			if (t[i].message && !strchr(t[i].message, ' '))
				offer(t[i].message, cur);
		}
	}
}

/* What the command takes as operands, at operand position pos (0: the
 * first word after the command that is not an option). */
static void complete_operand(const char *cmd, int pos, char **w, int nw, const char *cur)
{
	size_t n;

	if (!strcmp(cmd, "explain") && pos == 0) {
		const struct td_kb_entry *e = td_kb_entries(&n);

		for (size_t i = 0; i < n; i++)
			offer(e[i].name, cur);
		/* A word begun in another script: the translations' own names
		 * (三次握手, 半连接队列) and errno messages, from the catalogue. */
		if ((unsigned char)cur[0] >= 0x80)
			offer_translated(cur);
	} else if (!strcmp(cmd, "lab")) {
		if (pos == 0) {
			offer("run", cur);
			offer("list", cur);
			offer("clean", cur);
		} else if (pos == 1 && nw > 0 && !strcmp(w[0], "run")) {
			const struct td_lab_scenario *s = td_lab_scenarios(&n);

			for (size_t i = 0; i < n; i++)
				offer(s[i].name, cur);
		}
	} else if (!strcmp(cmd, "completion") && pos == 0) {
		offer("bash", cur);
		offer("zsh", cur);
		offer("fish", cur);
	} else if (!strcmp(cmd, "conns") || !strcmp(cmd, "states")) {
		/* ss's habit: `conns state established` */
		if (pos == 0 || (nw > 0 && !strcmp(w[nw - 1], "state"))) {
			if (pos == 0)
				offer("state", cur);
			else
				complete_value(V_STATE, cur);
		}
	}
}

static enum vkind value_kind(const char *opt)
{
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (!strcmp(values[i].opt, opt))
			return values[i].kind;
	return V_NONE;
}

/* __complete INDEX WORD0 WORD1 ...: the candidates for WORD[INDEX]. */
int cmd_complete(int argc, char **argv)
{
	int index, nw = argc - 3, pos = 0, nops = 0;
	char **w = argv + 3, *ops[64];
	const char *cur, *cmd = NULL;
	const struct td_command *c = NULL;

	if (argc < 4)
		return 0;
	index = atoi(argv[2]);
	if (index < 1 || index > nw)
		return 0;
	cur = index < nw ? w[index] : "";
	/* the words before the current one: the command, options, operands */
	for (int i = 1; i < index; i++) {
		if (w[i][0] == '-') {
			if (!strchr(w[i], '=') && value_kind(w[i]) != V_NONE)
				i++; /* its value */
			continue;
		}
		if (!cmd) {
			cmd = w[i];
			c = cmd_find(cmd);
			continue;
		}
		if (nops < 64)
			ops[nops++] = w[i];
		pos++;
	}
	if (index > 1 && w[index - 1][0] == '-' && !strchr(w[index - 1], '=')) {
		enum vkind k = value_kind(w[index - 1]);

		if (k != V_NONE) {
			complete_value(k, cur);
			return 0;
		}
	}
	if (cur[0] == '-') {
		for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
			offer(globals[i], cur);
		if (c)
			command_options(c, cur);
		return 0;
	}
	if (!cmd) {
		size_t n;
		const struct td_command *t = cmd_table(&n);

		for (size_t i = 0; i < n; i++)
			if (t[i].name[0] != '_')
				offer(t[i].name, cur);
		return 0;
	}
	complete_operand(cmd, pos, ops, nops, cur);
	return 0;
}

int cmd_completion(int argc, char **argv, struct td_ctx *ctx)
{
	const char *shell;
	int rc = cmd_getopt(argc, argv, ctx, NULL, "", false, NULL, help, NULL, NULL);

	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cmd_fail(TD_EXIT_USAGE, "completion: which shell? bash, zsh or fish (see "
					       "--help)");
	shell = argv[optind];
	if (!strcmp(shell, "bash"))
		fputs(bash_script, stdout);
	else if (!strcmp(shell, "zsh"))
		fputs(zsh_script, stdout);
	else if (!strcmp(shell, "fish"))
		fputs(fish_script, stdout);
	else
		return cmd_fail(TD_EXIT_USAGE, "completion: unknown shell '%s' (bash, zsh or fish)",
				shell);
	return TD_EXIT_OK;
}

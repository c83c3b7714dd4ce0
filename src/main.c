/* tcpdoctor: the command table and the dispatcher. Global options may stand
 * anywhere before "--"; they are taken out of argv here, and the ground is
 * prepared (namespace entered, dump file opened) as the command's row says,
 * before the command parses the rest. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/allnetns.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "sockets/netns.h"
#include "sockets/sockdiag.h"
#include "text.h"

#ifndef TD_VERSION
#define TD_VERSION "0.1.0"
#endif

static const struct td_command commands[] = {
	{ "check", cmd_check, CMD_ENTER_NETNS | CMD_SOURCE | CMD_ALL_NETNS,
	  "health check: name the problem, show the evidence, say what to do" },
	{ "states", cmd_states, CMD_ENTER_NETNS | CMD_SOURCE | CMD_ALL_NETNS,
	  "how many TCP sockets in each state, optionally by port, peer or process" },
	{ "conns", cmd_conns, CMD_ENTER_NETNS | CMD_SOURCE | CMD_ALL_NETNS,
	  "every socket: addresses, state, queues, timer, owner; -i for tcp_info" },
	{ "who", cmd_who, CMD_ENTER_NETNS | CMD_SOURCE | CMD_ALL_NETNS,
	  "who listens on or talks through a port (like lsof -i:PORT)" },
	{ "trace", cmd_trace, CMD_ENTER_NETNS | CMD_OWN_ALL_NETNS,
	  "every TCP state transition, live (eBPF tracepoints)" },
	{ "lab", cmd_lab, 0, "reproduce a TCP failure in a private network namespace" },
	{ "sysctl", cmd_sysctl, CMD_ENTER_NETNS,
	  "audit TCP kernel parameters for a workload; --snippet, --apply" },
	{ "watch", cmd_watch, CMD_ENTER_NETNS | CMD_SOURCE,
	  "a line per interval: states, opens, retransmits, resets, overflows (sar -n)" },
	{ "probe", cmd_probe, CMD_ENTER_NETNS,
	  "connect to HOST:PORT again and again: time, loss, the errno explained" },
	{ "route", cmd_route, CMD_ENTER_NETNS,
	  "TCP traceroute to HOST:PORT with per-hop loss and latency, no root" },
	{ "pcap", cmd_pcap, 0, "the life story of every TCP connection in a capture file" },
	{ "capture", cmd_capture, CMD_ENTER_NETNS,
	  "capture to a pcap and analyse live (tcpdump -w, with a line per connection)" },
	{ "explain", cmd_explain, 0,
	  "what a state, flag combination, errno or sysctl means, and what to do" },
	{ "fsm", cmd_fsm, 0, "the TCP state machine (RFC 9293) as a table or Graphviz" },
	{ "serve", cmd_serve, CMD_OWN_NETNS | CMD_SOURCE | CMD_OWN_ALL_NETNS,
	  "Prometheus exporter: states, queues, counters, findings on /metrics" },
	{ "record", cmd_record, CMD_ENTER_NETNS | CMD_SOURCE | CMD_OWN_ALL_NETNS,
	  "take a sample every interval into SQLite (sar-like history)" },
	{ "history", cmd_history, 0,
	  "what the recorded samples say at a time, over a range, or for a rule" },
	{ "kill", cmd_kill, CMD_ENTER_NETNS | CMD_OWN_ALL_NETNS,
	  "destroy the sockets a filter picks (ss -K); a dry run unless --yes" },
	{ "keepalive", cmd_keepalive, CMD_ENTER_NETNS | CMD_OWN_ALL_NETNS,
	  "tune keepalive on a running process's sockets; dry run unless --yes" },
	{ "completion", cmd_completion, 0, "print the bash, zsh or fish completion script" },
};

#define DEFAULT_COMMAND "check"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: tcpdoctor [GLOBAL OPTIONS] [COMMAND] [OPTIONS]\n"
		    "\n"
		    "Find out why TCP connections on this host misbehave.\n"
		    "\n"
		    "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp,
		"With no command, runs '%s'.\n"
		"\n"
		"Global options (before or after the command):\n"
		"  --netns NAME|PID|PATH  look inside another network namespace: an `ip netns` "
		"name,\n"
		"                         container:ID|NAME, pod:NS/NAME, unit:UNIT, net:[INODE]\n"
		"  --all-netns            every network namespace of the host (check, states,\n"
		"                         conns, who, serve, record), each named by its pod,\n"
		"                         container, ip netns name or unit\n"
		"  --netns-filter GLOB    with --all-netns: only the namespaces whose name,\n"
		"                         container, pod or unit matches (GLOB,GLOB: any)\n"
		"  --json                 machine-readable output (docs/json.md): one document;\n"
		"                         NDJSON (a line per record) from watch, trace, capture\n"
		"  --no-color             no colour (also: NO_COLOR=1); colour only on a terminal\n"
		"  -4, -6                 IPv4 or IPv6 sockets only\n"
		"  --source SRC           auto (netlink; the BPF counter from 50,000 sockets; "
		"/proc if\n"
		"                         netlink is refused), netlink, proc, bpf, replay:FILE\n"
		"  --save-dump FILE       also save the raw netlink dump (replay it with --source "
		"replay:FILE)\n"
		"  -h, --help             this help; 'tcpdoctor COMMAND --help' for a command's\n"
		"  --version              print the version\n"
		"\n"
		"Examples:\n"
		"  tcpdoctor                          # the health check of this host\n"
		"  tcpdoctor --netns web1 check --json\n"
		"  tcpdoctor states --by lport\n"
		"  tcpdoctor conns --state close-wait -i\n"
		"  tcpdoctor who :8080\n"
		"  tcpdoctor explain CLOSE_WAIT\n"
		"  sudo tcpdoctor lab run close-wait-leak\n"
		"\n"
		"Exit status: 0 ok; 2 usage or input error; 3 could not read what was asked.\n"
		"check: 1 warning, 2 critical; who: 1 nothing on the port; probe, route, pcap,\n"
		"lab: see their --help.\n",
		DEFAULT_COMMAND);
}

static const struct td_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

const struct td_command *cmd_table(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct td_command *cmd_find(const char *name)
{
	return find_command(name);
}

/* Value of a global option given as "--opt VALUE" or "--opt=VALUE";
 * advances *i past it. NULL if argv[*i] is not that option. */
static const char *take_value(char **argv, int argc, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static bool color_wanted(bool no_color)
{
	const char *nc = getenv("NO_COLOR");

	if (no_color || (nc && *nc))
		return false;
	return isatty(STDOUT_FILENO);
}

/* The command a typo most likely meant ("conn", "stats", "chekc"), or NULL:
 * one edit in a short name, two in a longer one, as the state names do. */
static const char *nearest_command(const char *typed)
{
	const char *best = NULL;
	int bestd = 3;

	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		int d = td_edit_distance(typed, commands[k].name);
		int max = strlen(commands[k].name) >= 5 ? 2 : 1;

		if (d <= max && d < bestd) {
			bestd = d;
			best = commands[k].name;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	struct td_ctx ctx = { .prog = "tcpdoctor" };
	const struct td_command *cmd = NULL;
	const char *save_dump = NULL, *source = NULL, *ns_filter = NULL;
	bool no_color = false, help = false, dashdash = false, all_netns = false;
	bool implicit = false; /* cmd is the default one, chosen by an option */
	const struct td_command *named;
	char **rest = calloc((size_t)argc + 2, sizeof(*rest));
	int nrest = 1, rc;

	if (!rest)
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	/* The shells' completion scripts ask here (completion.c). */
	if (argc > 1 && !strcmp(argv[1], "__complete")) {
		free(rest);
		return cmd_complete(argc, argv);
	}
	td_source_init(&ctx.source);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;

		if (dashdash) {
			rest[nrest++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			rest[nrest++] = argv[i];
		} else if ((v = take_value(argv, argc, &i, "--netns", &missing))) {
			ctx.netns = v;
		} else if ((v = take_value(argv, argc, &i, "--netns-filter", &missing))) {
			ns_filter = v;
		} else if (!strcmp(a, "--all-netns")) {
			all_netns = true;
		} else if ((v = take_value(argv, argc, &i, "--source", &missing))) {
			source = v;
		} else if ((v = take_value(argv, argc, &i, "--save-dump", &missing))) {
			save_dump = v;
		} else if (missing) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "%s needs a value (see: tcpdoctor --help)",
					a);
		} else if (!strcmp(a, "--json")) {
			ctx.json = true;
		} else if (!strcmp(a, "--no-color") || !strcmp(a, "--no-colour")) {
			no_color = true;
		} else if (!strcmp(a, "-4")) {
			ctx.family = AF_INET;
		} else if (!strcmp(a, "-6")) {
			ctx.family = AF_INET6;
		} else if (!strcmp(a, "--version")) {
			printf("tcpdoctor %s\n", TD_VERSION);
			free(rest);
			return TD_EXIT_OK;
		} else if (!cmd && a[0] != '-') {
			cmd = find_command(a);
			if (!cmd) {
				const char *near = nearest_command(a);
				char shown[TD_TEXT_MAX];

				td_printable(a, shown, sizeof(shown));
				if (near) {
					fprintf(stderr,
						"tcpdoctor: unknown command '%s': did you mean "
						"'%s'? (see tcpdoctor --help)\n",
						shown, near);
					free(rest);
					return TD_EXIT_USAGE;
				}
				fprintf(stderr,
					"tcpdoctor: unknown command '%s' (commands:", shown);
				for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
					fprintf(stderr, "%s %s", k ? "," : "", commands[k].name);
				fprintf(stderr, "; see tcpdoctor --help)\n");
				free(rest);
				return TD_EXIT_USAGE;
			}
		} else if (!cmd && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			help = true;
		} else if (implicit && a[0] != '-' && (named = find_command(a))) {
			/* `tcpdoctor --lang zh conns`: the options went to the
			 * default command, then a command came. Say so rather
			 * than run check with "conns" as an operand. */
			char shown[TD_TEXT_MAX];

			td_printable(a, shown, sizeof(shown));
			if (named == cmd)
				continue; /* `tcpdoctor --sample 0 check` */
			fprintf(stderr,
				"tcpdoctor: '%s' comes after options of %s, the default command: "
				"the command comes first (tcpdoctor %s [OPTIONS]; see tcpdoctor "
				"%s --help)\n",
				shown, cmd->name, shown, shown);
			free(rest);
			return TD_EXIT_USAGE;
		} else {
			/* An option of the default command before any command name
			 * (`tcpdoctor --sample 0`): the command is the default one,
			 * so what follows is that option's value, not a command. */
			if (!cmd && !dashdash) {
				cmd = find_command(DEFAULT_COMMAND);
				implicit = true;
			}
			rest[nrest++] = argv[i];
		}
	}
	if (help && !cmd) {
		usage(stdout);
		free(rest);
		return TD_EXIT_OK;
	}
	if (!cmd)
		cmd = find_command(DEFAULT_COMMAND);
	ctx.cmd = cmd->name;
	rest[0] = (char *)cmd->name;
	ctx.color = color_wanted(no_color);

	if (source) {
		struct td_err err = { 0 };

		if (!(cmd->flags & CMD_SOURCE)) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "%s does not take --source", cmd->name);
		}
		if (td_source_parse(source, &ctx.source, &err) < 0) {
			free(rest);
			return cmd_fail_err(&err);
		}
		/* A file that is no dump fails now, before any table is printed. */
		if (ctx.source.kind == TD_SRC_REPLAY &&
		    td_replay_check(ctx.source.replay_path, &err) < 0) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "%s", err.msg);
		}
	}
	if (save_dump) {
		if (ctx.source.kind != TD_SRC_AUTO && ctx.source.kind != TD_SRC_NETLINK) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "--save-dump needs the netlink source");
		}
		ctx.source.kind = TD_SRC_NETLINK;
		/* Opened before entering a namespace: the path is the caller's. */
		ctx.source.save_fd =
			open(save_dump, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (ctx.source.save_fd < 0) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "--save-dump %s: %s", save_dump,
					strerror(errno));
		}
	}
	if (ns_filter && !all_netns) {
		free(rest);
		return cmd_fail(TD_EXIT_USAGE, "--netns-filter goes with --all-netns");
	}
	if (all_netns) {
		bool asks_help = false;

		if (!(cmd->flags & (CMD_ALL_NETNS | CMD_OWN_ALL_NETNS))) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "%s does not take --all-netns", cmd->name);
		}
		if (ctx.netns || save_dump || ctx.source.kind == TD_SRC_REPLAY) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "--all-netns goes with neither --netns, "
						       "--save-dump nor a replayed dump");
		}
		for (int i = 1; i < nrest; i++)
			if (!strcmp(rest[i], "-h") || !strcmp(rest[i], "--help") ||
			    !strcmp(rest[i], "--rules"))
				asks_help = true;
		rest[nrest] = NULL;
		ctx.all_netns = true;
		ctx.netns_filter = ns_filter;
		/* Help and the rule list say the same in every namespace. */
		rc = asks_help || (cmd->flags & CMD_OWN_ALL_NETNS)
			     ? cmd->fn(nrest, rest, &ctx)
			     : cmd_all_netns(cmd, nrest, rest, &ctx, ns_filter);
		if (fflush(stdout) == EOF && errno != EPIPE && rc == TD_EXIT_OK)
			rc = cmd_fail(TD_EXIT_FAILED, "writing output: %s", strerror(errno));
		free(rest);
		return rc;
	}
	if (ctx.netns) {
		struct td_err err = { 0 };
		char nspath[64];
		int found = 0;

		if (!(cmd->flags & (CMD_ENTER_NETNS | CMD_OWN_NETNS))) {
			free(rest);
			return cmd_fail(TD_EXIT_USAGE, "%s does not take --netns", cmd->name);
		}
		/* container:web1, pod:default/api, unit:nginx.service, net:[INODE] */
		if (cmd->flags & CMD_ENTER_NETNS)
			found = cmd_netns_lookup(ctx.netns, nspath, sizeof(nspath), &err);
		if (found < 0) {
			free(rest);
			return cmd_fail(err.code == -TD_ENOTFOUND ? TD_EXIT_USAGE : TD_EXIT_FAILED,
					"%s", err.msg);
		}
		if ((cmd->flags & CMD_ENTER_NETNS) &&
		    td_netns_enter(found ? nspath : ctx.netns, &err) < 0) {
			free(rest);
			/* a name or path that is no namespace is the user's; a
			 * refusal to enter one is a failure to get the data */
			return cmd_fail(err.code == -TD_ENOTFOUND || err.code == -EINVAL
						? TD_EXIT_USAGE
						: TD_EXIT_FAILED,
					"%s", err.msg);
		}
	}
	rest[nrest] = NULL;
	rc = cmd->fn(nrest, rest, &ctx);
	if (ctx.source.save_fd >= 0 && close(ctx.source.save_fd) < 0 && rc == TD_EXIT_OK)
		rc = cmd_fail(TD_EXIT_FAILED, "--save-dump %s: %s", save_dump, strerror(errno));
	if (fflush(stdout) == EOF && errno != EPIPE && rc == TD_EXIT_OK)
		rc = cmd_fail(TD_EXIT_FAILED, "writing output: %s", strerror(errno));
	free(rest);
	return rc;
}

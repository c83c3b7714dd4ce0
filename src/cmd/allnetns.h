/* --all-netns: run a command once in every network namespace of the host,
 * and --netns by the names discovery gives (container:, pod:, unit:,
 * net:[INODE]). */
#ifndef TD_ALLNETNS_H
#define TD_ALLNETNS_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd.h"
#include "sockets/filter.h"
#include "sockets/nsall.h"
#include "sockets/sock.h"

struct td_owners;

/* One namespace's worker, as cmd_each_netns() leaves it. */
struct cmd_ns_out {
	const struct td_ns *ns;
	int rc;	      /* the worker's exit code */
	bool skipped; /* not entered: reason says why */
	char reason[96];
	char *text, *err; /* its stdout and stderr, NUL-terminated */
	size_t len, errlen;
};

struct cmd_ns_run {
	struct td_nslist list;
	struct cmd_ns_out *out;
	size_t n;
	struct td_owners *owners;
};

/* The machinery under cmd_all_netns(), for commands that drive it
 * themselves (serve: once per scrape): fn(ns, arg) runs in a forked worker
 * inside each namespace matching filter, its stdout and stderr captured,
 * its return value the exit code; with owners, one /proc walk first is
 * shared with every worker. maxpar workers at a time (0: a few per CPU).
 * Returns 0, or an exit code after printing why. Free run in any case. */
int cmd_each_netns(const char *filter, bool owners, size_t maxpar,
		   int (*fn)(const struct td_ns *ns, void *arg), void *arg, struct cmd_ns_run *run);
void cmd_ns_run_free(struct cmd_ns_run *run);
/* Print a worker's stderr, each line prefixed with its namespace's name. */
void cmd_ns_out_stderr(const struct cmd_ns_out *o);

/* The sockets of every namespace matching filter, for the commands that
 * act (kill, keepalive): each worker dumps with f and hands its sockets
 * back whole; v holds them namespace after namespace, ns[i] the namespace
 * of v[i] (in run->list). A namespace whose worker failed is said on stderr
 * and left out. Returns 0 or an exit code after printing why; free run and
 * the vectors in any case. */
struct cmd_ns_socks {
	struct td_sock *v;
	const struct td_ns **ns;
	size_t n;
};
int cmd_dump_each_netns(struct td_ctx *ctx, const struct td_filter *f, bool owners,
			struct cmd_ns_socks *out, struct cmd_ns_run *run);
void cmd_ns_socks_free(struct cmd_ns_socks *s);

/* Discover the namespaces (sockets/nsall.h), keep those matching filter
 * (a glob; NULL: all), walk /proc once for owners when the command shows
 * them, then fork a worker per namespace that setns()es into it and runs
 * cmd->fn with its output captured; print the outputs grouped by namespace
 * (worst first for check; a NETNS column for conns and who) or as one JSON
 * document. The caller's own namespace never changes. Returns the exit
 * code: the worst namespace's (who: 0 when any namespace had the port). */
int cmd_all_netns(const struct td_command *cmd, int argc, char **argv, struct td_ctx *ctx,
		  const char *filter);

/* A --netns spec that names a discovered namespace (container:ID|NAME,
 * pod:NS/NAME|UID, unit:NAME, net:[INODE], or a name `--all-netns` shows):
 * open it and write "/proc/self/fd/N" into path. 1 when it did, 0 when spec
 * is not such a name (a pid, path or `ip netns` name), or a negative
 * error with err filled. */
int cmd_netns_lookup(const char *spec, char *path, size_t len, struct td_err *err);

#endif

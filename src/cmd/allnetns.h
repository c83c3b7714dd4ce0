/* --all-netns: run a command once in every network namespace of the host,
 * and --netns by the names discovery gives (container:, pod:, unit:,
 * net:[INODE]). */
#ifndef TD_ALLNETNS_H
#define TD_ALLNETNS_H

#include <stddef.h>

#include "cmd/cmd.h"

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

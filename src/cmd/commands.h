/* One handler per command, each in src/cmd/<name>.c. */
#ifndef TD_COMMANDS_H
#define TD_COMMANDS_H

#include "cmd/cmd.h"

int cmd_states(int argc, char **argv, struct td_ctx *ctx);
int cmd_check(int argc, char **argv, struct td_ctx *ctx);
int cmd_conns(int argc, char **argv, struct td_ctx *ctx);
int cmd_who(int argc, char **argv, struct td_ctx *ctx);
int cmd_trace(int argc, char **argv, struct td_ctx *ctx);
int cmd_lab(int argc, char **argv, struct td_ctx *ctx);
int cmd_sysctl(int argc, char **argv, struct td_ctx *ctx);
int cmd_watch(int argc, char **argv, struct td_ctx *ctx);
int cmd_probe(int argc, char **argv, struct td_ctx *ctx);
int cmd_route(int argc, char **argv, struct td_ctx *ctx);
int cmd_pcap(int argc, char **argv, struct td_ctx *ctx);
int cmd_capture(int argc, char **argv, struct td_ctx *ctx);
int cmd_explain(int argc, char **argv, struct td_ctx *ctx);
int cmd_fsm(int argc, char **argv, struct td_ctx *ctx);
int cmd_serve(int argc, char **argv, struct td_ctx *ctx);
int cmd_record(int argc, char **argv, struct td_ctx *ctx);
int cmd_history(int argc, char **argv, struct td_ctx *ctx);
int cmd_completion(int argc, char **argv, struct td_ctx *ctx);

/* main's command table, and a row by name (NULL when none). */
const struct td_command *cmd_table(size_t *n);
const struct td_command *cmd_find(const char *name);
/* `tcpdoctor __complete INDEX WORDS...` (argv as main got it): the
 * candidates for WORDS[INDEX], one a line (completion.c). */
int cmd_complete(int argc, char **argv);

#endif

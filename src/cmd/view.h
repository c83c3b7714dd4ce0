/* Pieces of output that several commands print the same way: one socket as
 * a text line or a JSON object, state count objects, owner names. */
#ifndef TD_VIEW_H
#define TD_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd.h"
#include "json.h"
#include "owners.h"
#include "sock.h"

/* Begin a JSON document with the fields every command writes first:
 * {"command":..., "source":..., "netns":... */
void view_json_begin(struct td_json *j, const struct td_ctx *ctx, const char *source);

/* "states": {"ESTABLISHED": n, ...}: every state when all_keys, else only
 * the non-zero ones. counts is indexed by td_state (size TD_STATE_MAX+1). */
void view_json_states64(struct td_json *j, const char *key, const uint64_t *counts, bool all_keys);
void view_json_states32(struct td_json *j, const char *key, const uint32_t *counts, bool all_keys);

/* One socket as a JSON object (conns/who schema). owners may be NULL (key
 * left out) or resolved (list, [] when none). */
void view_json_sock(struct td_json *j, const struct td_sock *s, bool with_owners,
		    const struct td_owner *owners, bool with_info);

/* Column header and one line per socket for `conns`. */
void view_sock_header(FILE *fp, bool color, bool with_owners);
void view_sock_line(FILE *fp, bool color, const struct td_sock *s, bool with_owners,
		    const struct td_owner *owners, bool with_info);

/* User name for a uid ("root"), or the number; cached. */
const char *view_user_name(uint32_t uid, char *buf, size_t len);
/* /proc/PID/comm of a live process, or "?" */
const char *view_comm(int pid, char *buf, size_t len);

/* One line to stderr when some owners could not be read. */
void view_hidden_note(size_t hidden);

#endif

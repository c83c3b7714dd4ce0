/* Pieces of output that several commands print the same way: one socket as
 * a text line or a JSON object, state count objects, owner names. */
#ifndef TD_VIEW_H
#define TD_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "render/json.h"
#include "sockets/agg.h"
#include "sockets/owners.h"
#include "sockets/sock.h"

/* Begin a JSON document with the fields every command writes first:
 * {"command":..., "source":..., "netns":... (source left out when NULL,
 * netns null when NULL). Commands call it through cmd_json_begin(). */
void view_json_begin(struct td_json *j, const char *command, const char *netns, const char *source);

struct td_ns;
/* A namespace of --all-netns: {"inode", "name", "kind", "container", "pod",
 * "ip_netns", "unit", "pids": [...]} (docs/json.md). */
void view_json_netns(struct td_json *j, const char *key, const struct td_ns *ns);
/* view_json_begin with "netns" as that object: one worker's document. */
void view_json_begin_ns(struct td_json *j, const char *command, const struct td_ns *ns,
			const char *source);

/* "states": {"ESTABLISHED": n, ...}: every state when all_keys, else only
 * the non-zero ones. counts is indexed by td_state (size TD_STATE_MAX+1). */
void view_json_states64(struct td_json *j, const char *key, const uint64_t *counts, bool all_keys);
void view_json_states32(struct td_json *j, const char *key, const uint32_t *counts, bool all_keys);

/* One socket as a JSON object (conns/who schema). owners may be NULL (key
 * left out) or resolved (list, [] when none). */
void view_json_sock(struct td_json *j, const struct td_sock *s, bool with_owners,
		    const struct td_owner *owners, bool with_info);

/* Who a process is, beyond comm[pid]: read once per pid and cached (the
 * cache is the view's; a pid reused during one listing keeps the first
 * reading). Everything from outside: escape before printing. */
struct view_proc {
	int pid; /* 0: empty slot */
	char comm[64];
	int64_t uid; /* effective uid, -1 when gone */
	char user[64];
	char cmdline[256]; /* arguments joined by spaces, "" for a kernel thread */
	char unit[128];	   /* systemd unit */
	char container[160], pod[200];
};
/* NULL for pid <= 0. */
const struct view_proc *view_proc_get(int pid);
/* The same reading, uncached, into *p (for a caller with a cache of its
 * own: trace keeps one for its whole run); false when /proc/PID is gone,
 * *p then holds the pid, comm "?" and nothing else. */
bool view_proc_read(int pid, struct view_proc *p);

enum {
	VIEW_PROC_NAME = 1 << 0, /* comm[pid] first */
	VIEW_PROC_USER = 1 << 1, /* user=NAME */
};
/* The one text form of a process, every view's: "nginx[4242] user=www-data
 * container=docker:web1 pod=default/api unit=nginx.service cmd=\"nginx:
 * worker process\"" (what selects the first two; the others when known),
 * escaped, the command line cut at cmd_max bytes with "...". */
const char *view_proc_str(const struct view_proc *p, unsigned what, int cmd_max, char *buf,
			  size_t len);
/* "user", "cmdline", "unit", "container", "pod" into the open object. */
void view_json_proc_fields(struct td_json *j, const struct view_proc *p);

/* Column header and one line per socket for `conns`. */
void view_sock_header(FILE *fp, bool color, bool with_owners);
void view_sock_line(FILE *fp, bool color, const struct td_sock *s, bool with_owners,
		    const struct td_owner *owners, bool with_info);

/* `who`'s lines (lsof's columns): COMMAND PID USER FD STATE LOCAL PEER.
 * o NULL: a socket no process holds (TIME_WAIT, an orphan). */
void view_owner_header(FILE *fp, bool color);
void view_owner_line(FILE *fp, bool color, const struct td_sock *s, const struct td_owner *o);

/* The STATE TOTAL IPv4 IPv6 table of `states` and `lab`. */
struct view_state_counts {
	const uint64_t *all, *v4, *v6; /* indexed by td_state */
	uint64_t total, total4, total6;
};
void view_state_table(FILE *fp, bool color, const struct view_state_counts *k);

/* A group's key as `states --by` shows it: a port, an address, comm[pid],
 * a user; escape for a text view (JSON escapes on its own). */
const char *view_group_label(const struct td_agg *a, const struct td_group *g, bool escape,
			     char *buf, size_t len);
/* `states --by`: one line per group (the first shown, the rest summed in
 * "(N other)"), a column per state present, and the total. */
void view_group_table(FILE *fp, bool color, const struct td_agg *a, const struct td_group **v,
		      size_t n, size_t shown);

/* User name for a uid ("root"), or the number; cached. */
const char *view_user_name(uint32_t uid, char *buf, size_t len);
/* /proc/PID/comm of a live process, or "?" */
const char *view_comm(int pid, char *buf, size_t len);

/* One line to stderr when some owners could not be read. */
void view_hidden_note(size_t hidden);

#endif

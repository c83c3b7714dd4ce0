/* The tables of the commands that act (kill, keepalive, shown by check
 * --fix through them): one row per socket, the address columns as wide as
 * the widest address present, the process name elided so a row fits the
 * terminal (80 columns when output is not one). */
#ifndef TD_REMEDYVIEW_H
#define TD_REMEDYVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sockets/owners.h"
#include "sockets/sock.h"

/* The width to fit: the terminal's (COLUMNS, then the tty), else 80. */
int view_width(void);

/* kill: [NETNS] ACTION STATE LOCAL PEER PROCESS, and the reason under a
 * row; the NETNS column when any row has a netns (--all-netns). */
struct view_kill_row {
	const struct td_sock *s;
	const struct td_owner *o; /* NULL: no process holds it */
	const char *what;	  /* "destroy", "destroyed", "gone", "refused", ... */
	const char *why;	  /* NULL, or one phrase printed under the row */
	const char *netns;	  /* the namespace's name (escaped here), or NULL */
};
void view_kill_table(FILE *fp, bool color, const struct view_kill_row *rows, size_t n, int width);

/* keepalive: [NETNS] FD STATE LOCAL PEER KEEPALIVE <then_title>, and the
 * reason. */
struct view_ka_row {
	const struct td_sock *s;
	int fd;
	const char *now;   /* "off", "60/10/3" ... or "?" */
	const char *then;  /* "60/10/3", "(unchanged)", "keepalive 59.9s" */
	const char *why;   /* NULL, or one phrase printed under the row */
	const char *netns; /* as in view_kill_row */
};
void view_ka_table(FILE *fp, bool color, const struct view_ka_row *rows, size_t n,
		   const char *then_title, int width);

/* Words shell-quoted ('...' where needed) and escaped for a terminal. */
void view_argv(FILE *fp, const char *const *v, size_t n);
/* The last line of a dry run: "\nTo act: tcpdoctor ... --yes\n". */
void view_act_line(FILE *fp, const char *const *act, size_t n);

#endif

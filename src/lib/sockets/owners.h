/* Owners of sockets: which processes hold a socket inode open, found by
 * walking /proc/PID/fd (readlink gives "socket:[INODE]"). Resolved only when
 * a view needs them, and only for the inodes it asks for, stopping as soon
 * as all are found. Processes that vanish mid-walk are skipped; what cannot
 * be read (another user's process without root) is counted so the command
 * can say "owners of N sockets hidden: run as root". */
#ifndef TD_OWNERS_H
#define TD_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct td_owner {
	pid_t pid;
	uid_t uid; /* real uid of the process */
	int fd;
	char comm[16];		     /* /proc/PID/comm, as the kernel truncates it */
	const struct td_owner *next; /* next process holding the same inode */
};

struct td_owners; /* opaque: a hash keyed by inode, owned by the caller */

struct td_owners *td_owners_new(void);
void td_owners_free(struct td_owners *o);

/* Ask for the owners of this inode (0 is ignored). Call before resolve. */
int td_owners_want(struct td_owners *o, uint64_t inode);

/* Walk /proc (or `procdir`, for tests; NULL means "/proc"). With
 * want_all, record every socket inode of every readable process; otherwise
 * only the wanted ones, stopping when all are found. If `pids` is given
 * (npids > 0), look only in those processes. Returns 0 or a negative error
 * (only when /proc itself cannot be read). */
int td_owners_resolve(struct td_owners *o, const char *procdir, bool want_all, const pid_t *pids,
		      size_t npids, struct td_err *err);

/* Stopping early loses the other holders of a shared socket (a pre-fork
 * server's workers all hold its listener): with complete set, the walk
 * visits every process and records every holder of the wanted inodes. */
void td_owners_set_complete(struct td_owners *o, bool complete);

/* Share one complete walk (a want_all resolve of the live /proc): until
 * called again with NULL, td_owners_resolve() on the live /proc without a
 * pid list looks owners up in `all` instead of walking. Socket inodes are
 * unique host-wide and /proc/PID/fd is global, so --all-netns walks once
 * and its workers (forked, one per namespace) inherit the table. */
void td_owners_share(const struct td_owners *all);

/* Owners of an inode (a list through ->next), or NULL if unknown. */
const struct td_owner *td_owners_get(const struct td_owners *o, uint64_t inode);

/* Processes whose fd directory could not be read (EACCES), during the
 * last resolve. Wanted inodes not found: td_owners_missing(). */
size_t td_owners_unreadable(const struct td_owners *o);
size_t td_owners_missing(const struct td_owners *o);

#endif

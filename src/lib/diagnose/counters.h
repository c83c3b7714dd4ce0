/* Kernel TCP counters of the current network namespace: /proc/net/snmp and
 * /proc/net/netstat ("Group: name name ..." then "Group: value value ..."),
 * /proc/net/sockstat{,6} ("Group: name value name value ..."). Every counter
 * present is kept, so counters added by newer kernels need no code. */
#ifndef TD_COUNTERS_H
#define TD_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "err.h"

#define TD_COUNTER_GROUP_MAX 24 /* "TcpExt", "MPTcpExt", "TCP6" ... with NUL */
#define TD_COUNTER_NAME_MAX 64	/* "TCPFastOpenPassiveAltKey" ... with NUL */

/* One counter. The key is "group.name": "Tcp.ActiveOpens",
 * "TcpExt.ListenOverflows", "IpExt.InOctets"; for sockstat the groups are the
 * file's own ("TCP.tw", "TCP.orphan", "TCP6.inuse", "sockets.used"). The
 * snmp group "Tcp" and the sockstat group "TCP" are different groups. */
struct td_counter {
	char group[TD_COUNTER_GROUP_MAX];
	char name[TD_COUNTER_NAME_MAX];
	uint64_t value; /* as an unsigned 64-bit number (-1 is UINT64_MAX) */
	bool negative;	/* the text was negative (Tcp.MaxConn is -1) */
	uint8_t file;	/* enum td_counter_file it came from */
};

/* The files a snapshot is read from, and their formats. */
enum td_counter_file {
	TD_CF_SNMP = 0,	 /* /proc/net/snmp: table format */
	TD_CF_NETSTAT,	 /* /proc/net/netstat: table format */
	TD_CF_SOCKSTAT,	 /* /proc/net/sockstat: pairs format */
	TD_CF_SOCKSTAT6, /* /proc/net/sockstat6: pairs format */
	TD_CF_MAX,
};

enum td_counter_format {
	TD_CFMT_TABLE, /* "Tcp: A B C\nTcp: 1 2 3\n" (a names line, then a values line) */
	TD_CFMT_PAIRS, /* "TCP: inuse 1 orphan 0\n" (name value pairs on one line) */
};

/* A snapshot: every counter read, sorted by key, and when it was read. */
struct td_counters {
	struct timespec ts;   /* CLOCK_MONOTONIC, taken after the last file was read */
	struct td_counter *v; /* sorted by (group, name); owned */
	size_t n, cap;
	unsigned files; /* bit (1 << td_counter_file) for each file read */
};

void td_counters_init(struct td_counters *c);
void td_counters_free(struct td_counters *c);

/* File name inside /proc/net of a td_counter_file ("snmp", "netstat", ...). */
const char *td_counter_file_name(enum td_counter_file f);

/* Read a snapshot of the current network namespace (the reading task's: after
 * setns the target's). root is the directory holding the four files, NULL for
 * "/proc/net" (tests pass a fixture directory). snmp must exist; netstat,
 * sockstat and sockstat6 may be missing (IPv6 disabled, a trimmed fixture):
 * their counters are then absent. Any previous content of c is replaced; ts
 * is set. Returns 0, or a negative code with err naming the file and line:
 * -TD_EPARSE (malformed), -TD_ETRUNC (names line without its values line),
 * -errno (cannot open or read). On error c holds no counters. */
int td_counters_read(struct td_counters *c, const char *root, struct td_err *err);

/* Parse one file's text into c, adding to what it holds (used by
 * td_counters_read, the fuzz target and tests). path is only for messages;
 * file is recorded in each counter. A key already in c is an error
 * (-TD_EPARSE): the kernel never repeats one. c is re-sorted on success; on
 * error it keeps what it had before the call. */
int td_counters_parse(struct td_counters *c, FILE *fp, const char *path, enum td_counter_format fmt,
		      enum td_counter_file file, struct td_err *err);

/* The counter with key "group.name", or NULL when absent (not in this
 * kernel, or its file was missing). Binary search. */
const struct td_counter *td_counters_find(const struct td_counters *c, const char *key);

/* Value of "group.name": 0 and *val, or -TD_ENOTFOUND when absent (never a
 * silent zero). td_counters_get gives -ERANGE for a negative value;
 * td_counters_get_signed gives -ERANGE for one above INT64_MAX. */
int td_counters_get(const struct td_counters *c, const char *key, uint64_t *val);
int td_counters_get_signed(const struct td_counters *c, const char *key, int64_t *val);

/* Seconds from snapshot a to snapshot b (b taken later): b.ts - a.ts. */
double td_counters_elapsed(const struct td_counters *a, const struct td_counters *b);

/* Change of "group.name" from a to b (b - a, as a signed number so gauges
 * such as Tcp.CurrEstab or TCP.tw may fall). Monotonic counters are unsigned
 * longs that wrap modulo 2^64 (2^32 on 32-bit kernels, not handled), so the
 * difference is taken modulo 2^64. 0 and *delta, or -TD_ENOTFOUND when the
 * counter is absent from either snapshot. */
int td_counters_delta(const struct td_counters *a, const struct td_counters *b, const char *key,
		      int64_t *delta);

/* td_counters_delta divided by td_counters_elapsed: per second. -TD_ENOTFOUND
 * when absent, -EINVAL when no time passed (b not after a). */
int td_counters_rate(const struct td_counters *a, const struct td_counters *b, const char *key,
		     double *per_sec);

#endif

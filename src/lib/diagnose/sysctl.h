/* Audit of TCP kernel parameters: one static table of entries (name, /proc/sys
 * path, per-netns or global, per-profile recommendation, reason, risk), a pure
 * judge of values against it, readers and writers of /proc/sys, and a scan of
 * sysctl.d(5) configuration files (to find, e.g., the removed tcp_tw_recycle). */
#ifndef TD_SYSCTL_H
#define TD_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* What the file holds. /proc/sys separates numbers with tabs. */
enum td_sysctl_kind {
	TD_SK_INT = 0, /* one number */
	TD_SK_ENUM,    /* one number from a small set (meanings in entry->values) */
	TD_SK_RANGE,   /* two: low high (ip_local_port_range) */
	TD_SK_TRIPLE,  /* three: min default max (tcp_rmem, tcp_wmem) */
};

/* The workload a recommendation is for. */
enum td_profile {
	TD_PROFILE_SERVER = 0, /* accepts many connections (default) */
	TD_PROFILE_CLIENT,     /* opens connections, listens little */
	TD_PROFILE_PROXY,      /* both: accepts, and opens many to backends */
	TD_PROFILE_COUNT,
};

enum td_verdict {
	TD_VERDICT_OK = 0, /* inside the recommended bounds */
	TD_VERDICT_ADVICE, /* outside them, but harmless for most hosts */
	TD_VERDICT_WARN,   /* likely to hurt this workload */
	TD_VERDICT_ABSENT, /* not in this kernel, or global and hidden in this netns */
};

#define TD_SYSCTL_MAXV 3

/* A parsed value: n numbers (1, 2 or 3 by kind); n == 0 means absent. */
struct td_sysctl_value {
	int n;
	int64_t v[TD_SYSCTL_MAXV];
};

/* Inclusive bounds of one number; INT64_MIN / INT64_MAX for none. */
struct td_sysctl_limit {
	int64_t lo, hi;
};

/* Per profile: every number inside ok[] -> OK; else every number inside
 * tolerable[] -> ADVICE; else WARN. ok[i] lies inside tolerable[i]. */
struct td_sysctl_rec {
	struct td_sysctl_limit ok[TD_SYSCTL_MAXV];
	struct td_sysctl_limit tolerable[TD_SYSCTL_MAXV];
};

struct td_sysctl_entry {
	const char *name; /* "net.ipv4.tcp_syncookies" (sysctl(8) spelling) */
	const char *path; /* under /proc/sys: "net/ipv4/tcp_syncookies" */
	bool per_netns;	  /* false: one value for the host, visible only
				     * from the initial network namespace */
	enum td_sysctl_kind kind;
	const char *values;	    /* TD_SK_ENUM: "0 = off, 1 = ..."; else NULL */
	const char *kernel_default; /* as text: "1", "32768 60999", "by memory size" */
	struct td_sysctl_rec rec[TD_PROFILE_COUNT];
	const char *reason; /* why the recommendation (kernel behaviour) */
	const char *risk;   /* what changing it can break */
};

/* The audit table, in display order. */
size_t td_sysctl_count(void);
const struct td_sysctl_entry *td_sysctl_entry_at(size_t i);
/* By sysctl name ("net.core.somaxconn") or path ("net/core/somaxconn"). */
const struct td_sysctl_entry *td_sysctl_find(const char *name);

/* "server", "client", "proxy". -TD_EPARSE with err listing them. */
int td_profile_parse(const char *text, enum td_profile *p, struct td_err *err);
const char *td_profile_name(enum td_profile p);
/* "ok", "advice", "warn", "absent". */
const char *td_verdict_name(enum td_verdict v);
/* "int", "enum", "range", "triple". */
const char *td_sysctl_kind_name(enum td_sysctl_kind k);

/* Parse /proc/sys text ("32768\t60999\n", "4096 131072 6291456") as kind
 * asks: exactly 1, 1, 2 or 3 decimal integers separated by blanks, then
 * optional blanks/newline. -TD_EPARSE with err saying what was found. */
int td_sysctl_parse_value(const char *text, enum td_sysctl_kind kind, struct td_sysctl_value *v,
			  struct td_err *err);
/* Numbers separated by one space: "32768 60999". buf is returned. */
const char *td_sysctl_format(const struct td_sysctl_value *v, char *buf, size_t len);

/* Judge a value: pure. v->n == 0 gives TD_VERDICT_ABSENT. */
enum td_verdict td_sysctl_judge(const struct td_sysctl_entry *e, enum td_profile p,
				const struct td_sysctl_value *v);
/* The value to set: v with each number moved to the nearest bound of the
 * profile's ok range (the smallest change that makes it OK). Returns true
 * when that differs from v. Pure. */
bool td_sysctl_recommend(const struct td_sysctl_entry *e, enum td_profile p,
			 const struct td_sysctl_value *v, struct td_sysctl_value *out);
/* The ok range as text: "1", ">= 4096", "2..5", "low 1024..32768, high >= 60999",
 * "min 4096..65536, default 65536..4194304, max >= 4194304". */
const char *td_sysctl_rec_text(const struct td_sysctl_entry *e, enum td_profile p, char *buf,
			       size_t len);

/* One audited entry. */
struct td_sysctl_finding {
	const struct td_sysctl_entry *e;
	struct td_sysctl_value cur; /* n == 0: absent */
	struct td_sysctl_value rec; /* what to set (== cur when OK or absent) */
	enum td_verdict verdict;
};

/* Audit: values[i] is the current value of td_sysctl_entry_at(i) (n == 0
 * when absent), for all td_sysctl_count() entries; fills out[] the same
 * way. Pure: the function under the unit tests. */
void td_sysctl_audit(const struct td_sysctl_value *values, enum td_profile p,
		     struct td_sysctl_finding *out);

/* Read or write one entry under root (NULL: "/proc/sys"), in the calling
 * task's network namespace. read: -ENOENT (v->n = 0) when the file does not
 * exist, -TD_EPARSE when its text does not parse, -errno otherwise; err
 * names the path. write: the numbers separated by spaces; -errno. */
int td_sysctl_read(const struct td_sysctl_entry *e, const char *root, struct td_sysctl_value *v,
		   struct td_err *err);
int td_sysctl_write(const struct td_sysctl_entry *e, const char *root,
		    const struct td_sysctl_value *v, struct td_err *err);

/* Parameters the kernel no longer has, which configuration may still set. */
struct td_sysctl_obsolete {
	const char *name;	/* "net.ipv4.tcp_tw_recycle" */
	const char *path;	/* under /proc/sys, to notice an old kernel still has it */
	const char *removed_in; /* "4.12" */
	const char *why;
};
size_t td_sysctl_obsolete_count(void);
const struct td_sysctl_obsolete *td_sysctl_obsolete_at(size_t i);

/* One "key = value" line of a sysctl.d(5) file. */
struct td_sysctl_setting {
	const char *file;   /* path as opened (with root prefix) */
	unsigned long line; /* 1-based */
	const char *key;    /* normalised to dots: "net.ipv4.tcp_tw_recycle" */
	const char *value;  /* trimmed */
	bool ignore_errors; /* the line started with '-' (systemd-sysctl) */
};
typedef int (*td_sysctl_setting_cb)(const struct td_sysctl_setting *s, void *ctx);

/* Every setting in the files sysctl --system and systemd-sysctl read, in the
 * order they are applied (so the last setting of a key is the one in force
 * after boot): *.conf in /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
 * /usr/lib/sysctl.d, /lib/sysctl.d, sorted by file name across directories, a
 * name in an earlier directory masking the same name in later ones; then
 * /etc/sysctl.conf. root (NULL or "" for "/") is prepended to each path, for
 * tests. Comments ('#', ';'), blank lines and lines without '=' are skipped.
 * Missing directories and files are not errors; an unreadable one is
 * (-errno, err naming it) after the others were scanned. A non-zero return
 * from cb stops the scan and is returned. */
int td_sysctl_conf_scan(const char *root, td_sysctl_setting_cb cb, void *ctx, struct td_err *err);

#endif

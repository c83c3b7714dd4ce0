/* What every command shares: the global options main() has taken out of
 * argv (and acted on: namespace entered, dump file opened), the exit codes,
 * the option parser for filters, and error printing. */
#ifndef TD_CMD_H
#define TD_CMD_H

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "diagnose/kb.h"
#include "err.h"
#include "sockets/filter.h"
#include "sockets/source.h"

/* Exit codes (docs/tcpdoctor.1, EXIT STATUS). */
enum {
	TD_EXIT_OK = 0,
	TD_EXIT_NOTHING = 1, /* `who`: nothing on that port (as lsof) */
	TD_EXIT_USAGE = 2,   /* bad option, filter, name, namespace, input file */
	TD_EXIT_FAILED = 3,  /* could not get the data at all */
};

struct td_ctx {
	const char *prog;	  /* "tcpdoctor" */
	const char *cmd;	  /* command name */
	const char *netns;	  /* --netns as given (--all-netns: this worker's name), or NULL */
	const struct td_ns *ns;	  /* --all-netns: the namespace this worker is in */
	bool all_netns;		  /* --all-netns for a command that drives it (serve) */
	const char *netns_filter; /* --netns-filter GLOB, or NULL */
	bool json;
	bool color; /* decided once: tty and not --no-color/NO_COLOR */
	int family; /* -4/-6: AF_INET, AF_INET6 or 0 */
	struct td_source source;
};

/* Command flags in main's table: what the dispatcher prepares. */
enum {
	CMD_ENTER_NETNS = 1 << 0,   /* --netns honoured: setns before the command */
	CMD_SOURCE = 1 << 1,	    /* --source/--save-dump make sense */
	CMD_OWN_NETNS = 1 << 2,	    /* --netns honoured, entered by the command itself */
	CMD_ALL_NETNS = 1 << 3,	    /* --all-netns: run once per namespace (allnetns.c) */
	CMD_OWN_ALL_NETNS = 1 << 4, /* --all-netns: ctx->all_netns, the command drives it */
};

struct td_command {
	const char *name;
	int (*fn)(int argc, char **argv, struct td_ctx *ctx);
	unsigned flags;
	const char *summary;
};

/* Options every filtering command accepts (--state, --port, ...). Pass to
 * cmd_getopt; their values fill *f. */
#define CMD_FILTER_SHORT "l"

/* getopt_long over the command's own options plus (with_filters) the
 * filter options, and then (with_filters) the operands as an ss filter
 * expression when the first one starts one (cmd_filter_expr). For each of the command's own options, on_opt(val, arg,
 * data) is called; it returns 0, or an exit code (printing its own error).
 * "-h/--help" prints help and returns TD_EXIT_OK through *done. Returns -1
 * to go on (optind points at the first operand), or an exit code. */
int cmd_getopt(int argc, char **argv, struct td_ctx *ctx, const struct option *own,
	       const char *own_short, bool with_filters, struct td_filter *f, const char *help,
	       int (*on_opt)(int val, const char *arg, void *data), void *data);

/* Parse argv[first..argc) as an ss filter expression (state words, then
 * src/dst/sport/dport/dev with and/or/not; see sockets/ssexpr.h) into *f.
 * cmd_getopt does it for the operands when the first one starts a filter;
 * a command with an operand of its own calls it for the words after it.
 * Returns -1 to go on (optind = argc), or TD_EXIT_USAGE after printing
 * the error, which points at the token. */
int cmd_filter_expr(struct td_ctx *ctx, struct td_filter *f, int argc, char **argv, int first);

/* Set by completion: cmd_getopt() then lists the command's long options
 * there, one a line, and returns TD_EXIT_OK without parsing. */
extern FILE *cmd_options_fp;

/* Print "tcpdoctor: <msg>" to stderr; returns code. */
int cmd_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print err's message and return the exit code its code maps to. */
int cmd_fail_err(const struct td_err *err);
/* After a failed dump: like cmd_fail_err, but a bad replay file is the
 * user's input, so it is a usage error (2), not a failure to read (3). */
int cmd_fail_dump(const struct td_ctx *ctx, const struct td_err *err);
/* Exit code for a library error code. */
int cmd_exit_code(int rc);

/* The language of a command's text: lang when --lang was given (set), else
 * what LANGUAGE, LC_ALL, LC_MESSAGES, LANG choose (td_kb_lang_from_env).
 * Makes it the library's language too (td_tr_use: check's findings). When
 * its catalogue is not found, says so once on stderr, naming where it was
 * looked for, and returns English. */
enum td_kb_lang cmd_lang(const char *cmd, bool set, enum td_kb_lang lang);

/* td_wrapn (render/wrap.h, the one wrapper) on stdout with a prefix and a
 * suffix, for explain and check: len bytes of s wrapped to width columns by
 * display width (CJK two columns), first printed before the first line (at
 * column start), the others indented by indent, tail after the last, then
 * a newline; width 0 or less: not wrapped. */
void cmd_print_wrapped(const char *first, int start, const char *s, size_t len, int indent,
		       int width, const char *tail);
/* The width prose wraps at (render/wrap.h): the terminal's, else COLUMNS,
 * at most 100 to stay readable, at least 40; 0 piped without COLUMNS. */
int cmd_prose_width(void);

/* An integer option: arg must be a whole decimal number from min to max
 * (max LONG_MAX: no upper bound). Fills *out and returns 0, or prints
 * "OPT 'ARG': expected a number from MIN to MAX" (">= MIN") and returns
 * TD_EXIT_USAGE. */
int cmd_parse_long(const char *opt, const char *arg, long min, long max, long *out);

/* A duration: a number of seconds, or a number with a unit: us, ms, s, m
 * (or min), h, d ("0.5", "500ms", "2m", "1.5h"; record's --every/--keep
 * read the same units, and w, through td_parse_duration). cmd_seconds parses only
 * (false: not a duration); cmd_parse_seconds also checks MIN..MAX seconds
 * and fails like cmd_parse_long, naming OPT. One syntax for every option
 * that takes a time, so "--sample 5s" works where "--for 5s" does. */
bool cmd_seconds(const char *arg, double *sec);
int cmd_parse_seconds(const char *opt, const char *arg, double min, double max, double *out);

/* Add ns nanoseconds (any amount >= 0) to *t. */
void cmd_ts_add_ns(struct timespec *t, long long ns);
/* Sleep until the CLOCK_MONOTONIC time *deadline. A signal wakes the sleep
 * (handlers go without SA_RESTART); it sleeps on unless *stop is set (stop
 * NULL: always). Returns 0 (deadline reached or stopped), or the error
 * clock_nanosleep gave other than EINTR. */
int cmd_sleep_until(const struct timespec *deadline, const volatile sig_atomic_t *stop);

/* Apply -4/-6 from ctx to a filter. */
void cmd_filter_family(const struct td_ctx *ctx, struct td_filter *f);

/* After a dump: print the source's fallback note (if any) to stderr. */
void cmd_source_note(const struct td_ctx *ctx);

/* tcpdoctor's state directory (record's database, sysctl's undo files):
 * /var/lib/tcpdoctor for root (systemd's StateDirectory=tcpdoctor),
 * $XDG_STATE_HOME/tcpdoctor or ~/.local/state/tcpdoctor otherwise, under
 * no_home when HOME is unset. */
const char *cmd_state_dir(char *buf, size_t len, const char *no_home);

/* mkdir -p: create dir and its missing parents with mode. 0 or -errno. */
int cmd_mkdirs(const char *dir, mode_t mode);

struct td_json;
struct td_ns;
/* Begin the command's JSON document (view_json_begin) with its name, the
 * --netns given and source (NULL: left out). */
void cmd_json_begin(struct td_json *j, const struct td_ctx *ctx, const char *source);

/* Streaming commands (trace, capture) and a reader that stops reading: while
 * running they block in write() (the kernel side drops and counts: lost
 * events, packets dropped); a stop signal must still end them at once.
 * cmd_stdout_guard() notes whether stdout is a pipe or socket;
 * cmd_stdout_unblock(), async-signal-safe (a handler calls it), makes its
 * writes fail at once instead of waiting for the reader (EAGAIN: the
 * output is dropped); cmd_stdout_release() discards what stdio still holds
 * when writes were dropped and restores the descriptor's flags. Returns
 * true when output was dropped. */
void cmd_stdout_guard(void);
void cmd_stdout_unblock(void);
bool cmd_stdout_release(void);

/* Every view (sockets, connections, plots) lives in src/render/. */
#endif

/* Shared command plumbing: filter options, errors, exit codes. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd/cmd.h"
#include "diagnose/kb_zh.h"
#include "render/escape.h"
#include "render/view.h"

enum {
	OPT_STATE = 0x1000,
	OPT_PORT,
	OPT_SPORT,
	OPT_DPORT,
	OPT_SRC,
	OPT_DST,
	OPT_PID,
	OPT_LISTENING,
	OPT_HELP,
};

static const struct option filter_options[] = {
	{ "state", required_argument, NULL, OPT_STATE },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "sport", required_argument, NULL, OPT_SPORT },
	{ "dport", required_argument, NULL, OPT_DPORT },
	{ "src", required_argument, NULL, OPT_SRC },
	{ "dst", required_argument, NULL, OPT_DST },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "listening", no_argument, NULL, OPT_LISTENING },
};

int cmd_fail(int code, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int n;

	fputs("tcpdoctor: ", stderr);
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	/* Messages name files, hosts and processes: escaped line by line, so a
	 * file called "\x1b]0;x\x07" cannot retitle the terminal either. */
	if (n >= 0) {
		for (char *line = msg, *nl; line; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = '\0';
			td_fputs_esc(line, stderr);
			if (nl)
				fputc('\n', stderr);
		}
		free(msg);
	}
	fputc('\n', stderr);
	return code;
}

int cmd_exit_code(int rc)
{
	switch (-rc) {
	case TD_EPARSE:
	case TD_ETRUNC:
	case TD_ENOTFOUND:
	case E2BIG:
		return TD_EXIT_USAGE;
	default:
		return TD_EXIT_FAILED;
	}
}

int cmd_fail_err(const struct td_err *err)
{
	return cmd_fail(cmd_exit_code(err->code), "%s",
			err->msg[0] ? err->msg : strerror(-err->code));
}

int cmd_fail_dump(const struct td_ctx *ctx, const struct td_err *err)
{
	int code = cmd_fail_err(err);

	return ctx->source.kind == TD_SRC_REPLAY ? TD_EXIT_USAGE : code;
}

int cmd_parse_long(const char *opt, const char *arg, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		if (max == LONG_MAX)
			return cmd_fail(TD_EXIT_USAGE, "%s '%s': expected a number >= %ld", opt,
					arg, min);
		return cmd_fail(TD_EXIT_USAGE, "%s '%s': expected a number from %ld to %ld", opt,
				arg, min, max);
	}
	*out = v;
	return 0;
}

bool cmd_seconds(const char *arg, double *sec)
{
	static const struct {
		const char *unit;
		double sec;
	} units[] = { { "", 1 },   { "s", 1 },	  { "ms", 1e-3 }, { "us", 1e-6 },
		      { "m", 60 }, { "min", 60 }, { "h", 3600 },  { "d", 86400 } };
	char *end;
	double v;

	if (!arg || !*arg || isspace((unsigned char)*arg))
		return false;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || !isfinite(v) || v < 0)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			*sec = v * units[i].sec;
			return true;
		}
	}
	return false;
}

int cmd_parse_seconds(const char *opt, const char *arg, double min, double max, double *out)
{
	double v;

	if (!cmd_seconds(arg, &v) || v < min || v > max)
		return cmd_fail(TD_EXIT_USAGE,
				"%s '%s': expected a time from %g to %g seconds "
				"(a number of seconds, or with a unit: 500ms, 5s, 2m, 1h)",
				opt, arg, min, max);
	*out = v;
	return 0;
}

void cmd_ts_add_ns(struct timespec *t, long long ns)
{
	long long total = (long long)t->tv_nsec + ns;

	t->tv_sec += (time_t)(total / 1000000000LL);
	t->tv_nsec = (long)(total % 1000000000LL);
}

int cmd_sleep_until(const struct timespec *deadline, const volatile sig_atomic_t *stop)
{
	int rc;

	do
		rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL);
	while (rc == EINTR && !(stop && *stop));
	return rc == EINTR ? 0 : rc;
}

void cmd_filter_family(const struct td_ctx *ctx, struct td_filter *f)
{
	if (ctx->family)
		f->family = ctx->family;
}

void cmd_source_note(const struct td_ctx *ctx)
{
	if (ctx->source.note[0])
		fprintf(stderr, "tcpdoctor: note: %s\n", ctx->source.note);
}

static int add_filter(struct td_filter *f, int val, const char *arg, struct td_err *err)
{
	switch (val) {
	case OPT_STATE:
		return td_filter_add_state(f, arg, err);
	case OPT_LISTENING:
		return td_filter_add_state(f, "listen", err);
	case OPT_PORT:
		return td_filter_add_port(f, arg, err);
	case OPT_SPORT:
		return td_filter_add_sport(f, arg, err);
	case OPT_DPORT:
		return td_filter_add_dport(f, arg, err);
	case OPT_SRC:
		return td_filter_add_src(f, arg, err);
	case OPT_DST:
		return td_filter_add_dst(f, arg, err);
	case OPT_PID: {
		char path[64];
		struct stat st;
		int rc = td_filter_add_pid(f, arg, err);

		if (rc < 0)
			return rc;
		snprintf(path, sizeof(path), "/proc/%d", (int)f->pid[f->npid - 1]);
		if (stat(path, &st) < 0)
			return td_err_set(err, -TD_ENOTFOUND, "--pid %s: no such process", arg);
		return 0;
	}
	}
	return td_err_set(err, -EINVAL, "internal: unknown filter option %d", val);
}

int cmd_getopt(int argc, char **argv, struct td_ctx *ctx, const struct option *own,
	       const char *own_short, bool with_filters, struct td_filter *f, const char *help,
	       int (*on_opt)(int val, const char *arg, void *data), void *data)
{
	struct option opts[64];
	char shorts[64];
	bool own_n = false;
	size_t n = 0;
	int c;

	for (; own && own[n].name && n < 40; n++)
		opts[n] = own[n];
	if (with_filters)
		for (size_t i = 0; i < sizeof(filter_options) / sizeof(filter_options[0]); i++)
			opts[n++] = filter_options[i];
	/* -n is "numeric" to every ss, netstat and tcpdump user: accepted
	 * (we print numbers anyway) unless the command gives it a meaning. */
	for (size_t i = 0; i < n; i++)
		if (opts[i].val == 'n' || !strcmp(opts[i].name, "numeric"))
			own_n = true;
	if (own_short && strchr(own_short, 'n'))
		own_n = true;
	if (!own_n)
		opts[n++] = (struct option){ "numeric", no_argument, NULL, 'n' };
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[n] = (struct option){ 0 };
	snprintf(shorts, sizeof(shorts), "h%s%s%s", own_short ? own_short : "",
		 with_filters ? CMD_FILTER_SHORT : "", own_n ? "" : "n");

	if (cmd_options_fp) {
		/* The habit -n is accepted, not offered: completion lists what
		 * the command's --help documents. */
		for (size_t i = 0; i < n; i++)
			if (own_n || strcmp(opts[i].name, "numeric"))
				fprintf(cmd_options_fp, "--%s\n", opts[i].name);
		return TD_EXIT_OK;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		struct td_err err = { 0 };
		int rc;

		if (c == 'h') {
			fputs(help, stdout);
			return TD_EXIT_OK;
		}
		if (c == 'n' && !own_n)
			continue;
		if (c == '?' || c == ':') {
			if (optopt && optopt < 0x1000 && optopt != '?')
				return cmd_fail(TD_EXIT_USAGE,
						"%s: unknown option or missing value: -%c (see: "
						"tcpdoctor %s --help)",
						ctx->cmd, optopt, ctx->cmd);
			return cmd_fail(TD_EXIT_USAGE,
					"%s: unknown option or missing value: %s (see: tcpdoctor "
					"%s --help)",
					ctx->cmd, argv[optind - 1], ctx->cmd);
		}
		if (with_filters && (c >= OPT_STATE && c <= OPT_LISTENING)) {
			rc = add_filter(f, c, optarg, &err);
			if (rc < 0)
				return cmd_fail_err(&err);
			continue;
		}
		if (c == 'l' && with_filters) {
			rc = add_filter(f, OPT_LISTENING, NULL, &err);
			if (rc < 0)
				return cmd_fail_err(&err);
			continue;
		}
		rc = on_opt ? on_opt(c, optarg, data) : TD_EXIT_USAGE;
		if (rc)
			return rc;
	}
	if (f)
		cmd_filter_family(ctx, f);
	/* ss habits: `conns state established '( dport = :443 )'`. A command
	 * with an operand of its own (who PORT) gets the words after it. */
	if (with_filters && f && optind < argc && td_ssexpr_starts(argv[optind]))
		return cmd_filter_expr(ctx, f, argc, argv, optind);
	return -1;
}

int cmd_filter_expr(struct td_ctx *ctx, struct td_filter *f, int argc, char **argv, int first)
{
	struct td_err err = { 0 };

	(void)ctx;
	if (first >= argc)
		return -1;
	if (td_ssexpr_parse(f, argc - first, argv + first, &err) < 0)
		return cmd_fail_err(&err);
	optind = argc;
	return -1;
}

const char *cmd_state_dir(char *buf, size_t len, const char *no_home)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		snprintf(buf, len, "/var/lib/tcpdoctor");
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/tcpdoctor", xdg);
	else
		snprintf(buf, len, "%s/.local/state/tcpdoctor", home ? home : no_home);
	return buf;
}

int cmd_mkdirs(const char *dir, mode_t mode)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

void cmd_json_begin(struct td_json *j, const struct td_ctx *ctx, const char *source)
{
	if (ctx->ns)
		view_json_begin_ns(j, ctx->cmd, ctx->ns, source);
	else
		view_json_begin(j, ctx->cmd, ctx->netns, source);
}

/* stdout's file status flags before cmd_stdout_unblock, -1: not a pipe or
 * socket (a file or terminal never waits for a reader), or not guarded. */
static volatile sig_atomic_t stdout_flags = -1;
static volatile sig_atomic_t stdout_unblocked;

void cmd_stdout_guard(void)
{
	struct stat st;
	int fl;

	if (fstat(STDOUT_FILENO, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return;
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		stdout_flags = fl;
}

void cmd_stdout_unblock(void)
{
	int saved = errno;

	/* The pipe's description is shared with whoever else holds it (a
	 * shell's group): the flag goes back in cmd_stdout_release. */
	if (stdout_flags >= 0 && !stdout_unblocked &&
	    fcntl(STDOUT_FILENO, F_SETFL, stdout_flags | O_NONBLOCK) == 0)
		stdout_unblocked = 1;
	errno = saved;
}

bool cmd_stdout_release(void)
{
	bool dropped;

	if (!stdout_unblocked)
		return false;
	/* Write what the reader makes room for now; the rest is dropped, so
	 * nothing waits once the descriptor blocks again. */
	dropped = fflush(stdout) == EOF || ferror(stdout);
	if (dropped)
		__fpurge(stdout);
	clearerr(stdout);
	fcntl(STDOUT_FILENO, F_SETFL, stdout_flags);
	stdout_unblocked = 0;
	return dropped;
}

enum td_kb_lang cmd_lang(const char *cmd, bool set, enum td_kb_lang lang)
{
	size_t n = 0;

	if (!set)
		lang = td_kb_lang_from_env(getenv("LANGUAGE"), getenv("LC_ALL"),
					   getenv("LC_MESSAGES"), getenv("LANG"));
	if (lang != TD_KB_ZH)
		return lang;
	td_kb_translations(TD_KB_ZH, &n);
	if (!n || !td_tr_use(TD_KB_ZH_LOCALE)) {
		fprintf(stderr, "tcpdoctor %s: no zh_CN text: %s; showing English\n", cmd,
			td_catalog_error(TD_KB_ZH_LOCALE));
		return TD_KB_EN;
	}
	return lang;
}

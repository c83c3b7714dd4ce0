/* --all-netns: one worker per network namespace. A worker is a forked
 * child that setns()es into its namespace and runs the command as if
 * `--netns` had named it, writing into two memfds the parent reads when it
 * has exited; the parent never leaves its own namespace. Forking after the
 * one /proc walk for owners (td_owners_share) lets every worker use it:
 * /proc/PID/fd and socket inodes are host-wide. All workers of `check` run
 * at once, so their sampling windows overlap and the whole check takes one
 * --sample, not one per namespace. */
#include "cmd/allnetns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "render/escape.h"
#include "render/wrap.h"
#include "render/json.h"
#include "render/view.h"
#include "sockets/nsall.h"
#include "sockets/owners.h"
#include "state.h"

/* A worker that could not enter its namespace. */
#define EXIT_NOT_ENTERED 125

struct job {
	const struct td_ns *ns;
	pid_t pid;
	int out, err; /* memfds */
	int rc;	      /* exit code */
	bool skipped; /* gone before it could be entered */
	char reason[96];
	char *obuf, *ebuf;
	size_t olen, elen;
};

static const char *procdir(void)
{
	const char *p = getenv("TD_PROCDIR"); /* tests: a fake proc tree */

	return p && *p ? p : NULL;
}

static const char *rootdir(void)
{
	const char *p = getenv("TD_ROOTDIR"); /* tests: runtimes' state files */

	return p && *p ? p : NULL;
}

static bool has_arg(int argc, char **argv, const char *a)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], a))
			return true;
	}
	return false;
}

static bool has_prefix_arg(int argc, char **argv, const char *p)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strncmp(argv[i], p, strlen(p)))
			return true;
	}
	return false;
}

/* Does the command look up owners? Then one walk for all workers. */
static bool wants_owners(const char *cmd, int argc, char **argv)
{
	if (!strcmp(cmd, "check") || !strcmp(cmd, "who"))
		return true;
	if (!strcmp(cmd, "conns"))
		return !has_arg(argc, argv, "-n") && !has_arg(argc, argv, "--no-owners");
	if (!strcmp(cmd, "states"))
		return has_arg(argc, argv, "process") || has_arg(argc, argv, "--by=process");
	return false;
}

static char *slurp_fd(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;

	*len = 0;
	if (fstat(fd, &st) || !(buf = malloc((size_t)st.st_size + 1)))
		return NULL;
	n = pread(fd, buf, (size_t)st.st_size, 0);
	*len = n > 0 ? (size_t)n : 0;
	buf[*len] = '\0';
	return buf;
}

/* Tests: stop between discovery and entering, so a namespace can be
 * deleted there ("PATH.ready" appears; go on when "PATH.go" does, or
 * after 20 s). */
static void test_pause(void)
{
	const char *p = getenv("TD_TEST_NSALL_PAUSE");
	char path[4096];
	struct timespec t = { 0, 10 * 1000 * 1000 };

	if (!p || !*p)
		return;
	snprintf(path, sizeof(path), "%s.ready", p);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	snprintf(path, sizeof(path), "%s.go", p);
	for (int i = 0; i < 2000 && access(path, F_OK); i++)
		nanosleep(&t, NULL);
}

/* What a worker for a command runs. */
struct cmd_job_arg {
	const struct td_command *cmd;
	int argc;
	char **argv;
	struct td_ctx *ctx;
	bool json; /* the worker writes JSON for the parent's own table */
};

static int cmd_worker(const struct td_ns *ns, void *arg)
{
	struct cmd_job_arg *a = arg;

	a->ctx->ns = ns;
	a->ctx->netns = ns->name;
	if (a->json)
		a->ctx->json = true;
	return a->cmd->fn(a->argc, a->argv, a->ctx);
}

/* COLUMNS for the workers, 0: leave it as it is (render/wrap.h). */
static int child_columns;

static void run_child(struct job *jb, int nsfd, int (*fn)(const struct td_ns *, void *), void *arg)
{
	int rc;

	if (dup2(jb->out, STDOUT_FILENO) < 0 || dup2(jb->err, STDERR_FILENO) < 0)
		_exit(EXIT_NOT_ENTERED);
	if (setns(nsfd, CLONE_NEWNET)) {
		fprintf(stderr, "tcpdoctor: cannot enter: %s\n", strerror(errno));
		fflush(stderr);
		_exit(EXIT_NOT_ENTERED);
	}
	close(nsfd);
	/* The worker writes into a memfd, not the terminal: it fits the width
	 * the parent has (render/wrap.h), less the NETNS column it adds. */
	if (child_columns > 0) {
		char cols[16];

		snprintf(cols, sizeof(cols), "%d", child_columns);
		setenv("COLUMNS", cols, 1);
	}
	rc = fn(jb->ns, arg);
	fflush(NULL);
	_exit(rc);
}

/* A worker's output, read as soon as it exits: its two memfds are closed
 * then, so a host with a thousand namespaces never holds 2,000 of them. */
static void collect(struct job *jb)
{
	jb->obuf = slurp_fd(jb->out, &jb->olen);
	jb->ebuf = slurp_fd(jb->err, &jb->elen);
	close(jb->out);
	close(jb->err);
	jb->out = jb->err = -1;
}

static void reap(struct job *jobs, size_t n, size_t *running)
{
	int st;
	pid_t pid = waitpid(-1, &st, 0);

	if (pid < 0 && errno == ECHILD) {
		/* Reaped behind our back (SIGCHLD ignored): do not wait forever. */
		for (size_t i = 0; i < n; i++)
			if (jobs[i].pid) {
				jobs[i].pid = 0;
				jobs[i].rc = TD_EXIT_FAILED;
				snprintf(jobs[i].reason, sizeof(jobs[i].reason), "worker lost");
				collect(&jobs[i]);
			}
		*running = 0;
		return;
	}
	if (pid <= 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].pid != pid)
			continue;
		jobs[i].rc = WIFEXITED(st) ? WEXITSTATUS(st) : TD_EXIT_FAILED;
		if (WIFSIGNALED(st))
			snprintf(jobs[i].reason, sizeof(jobs[i].reason),
				 "worker killed by signal %d", WTERMSIG(st));
		jobs[i].pid = 0;
		collect(&jobs[i]);
		(*running)--;
		return;
	}
}

/* maxpar 0: a few per CPU. */
static int run_jobs(struct job *jobs, size_t n, size_t maxpar,
		    int (*fn)(const struct td_ns *, void *), void *arg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t running = 0;

	struct rlimit rl;

	if (!maxpar)
		maxpar = (size_t)(cpus > 0 ? cpus : 1) * 2 + 2;
	/* A running worker costs its parent two memfds (and the namespace's
	 * fd while forking): stay well inside RLIMIT_NOFILE. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max; /* as serve does; the workers inherit it */
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY) {
		size_t fit = rl.rlim_cur > 64 ? (size_t)(rl.rlim_cur - 32) / 3 : 8;

		if (maxpar > fit)
			maxpar = fit;
	}

	child_columns = td_out_width();
	if (child_columns) {
		int w = 5;

		/* print_table's NETNS column: as wide as the longest name, <= 40 */
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(jobs[i].ns->name) > w)
				w = (int)strlen(jobs[i].ns->name);
		child_columns -= (w > 40 ? 40 : w) + 1;
		if (child_columns < 40)
			child_columns = 40;
	}
	for (size_t i = 0; i < n; i++) {
		struct job *jb = &jobs[i];
		int nsfd;
		pid_t pid;

		while (running >= maxpar)
			reap(jobs, n, &running);
		nsfd = td_nsall_open(jb->ns, procdir());
		if (nsfd < 0) {
			jb->skipped = true;
			snprintf(jb->reason, sizeof(jb->reason), "%s",
				 nsfd == -EACCES ? "cannot open it (needs root)"
						 : "it vanished during the walk");
			continue;
		}
		jb->out = memfd_create("td-out", MFD_CLOEXEC);
		jb->err = memfd_create("td-err", MFD_CLOEXEC);
		if (jb->out < 0 || jb->err < 0) {
			close(nsfd);
			while (running)
				reap(jobs, n, &running);
			return cmd_fail(TD_EXIT_FAILED, "--all-netns: memfd_create: %s",
					strerror(errno));
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			int e = errno;

			close(nsfd);
			while (running)
				reap(jobs, n, &running);
			return cmd_fail(TD_EXIT_FAILED, "--all-netns: fork: %s", strerror(e));
		}
		if (!pid)
			run_child(jb, nsfd, fn, arg);
		close(nsfd);
		jb->pid = pid;
		running++;
	}
	while (running)
		reap(jobs, n, &running);
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].skipped)
			continue;
		if (jobs[i].rc == EXIT_NOT_ENTERED) {
			/* setns refused an fd we hold: not root, or a seccomp jail. */
			jobs[i].skipped = true;
			snprintf(jobs[i].reason, sizeof(jobs[i].reason), "could not enter it");
		} else if (jobs[i].rc == TD_EXIT_FAILED) {
			/* Torn down while its worker read it (the worker's fd kept
			 * it, dying): gone now means it vanished, not an error. */
			int fd = td_nsall_open(jobs[i].ns, procdir());

			if (fd >= 0)
				close(fd);
			else if (fd == -ENOENT) {
				jobs[i].skipped = true;
				snprintf(jobs[i].reason, sizeof(jobs[i].reason),
					 "it vanished during the walk");
			}
		}
	}
	return 0;
}

/* who's port operand (":8080", "8080", "80-90"), for the one summary line. */
static const char *port_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i] + (argv[i][0] == ':');

		if (*a && strspn(a, "0123456789-") == strlen(a))
			return argv[i];
	}
	return "?";
}

/* ---- output ------------------------------------------------------------------------ */

static int cmp_worst(const void *a, const void *b)
{
	const struct job *x = *(const struct job *const *)a, *y = *(const struct job *const *)b;

	if (x->rc != y->rc)
		return y->rc - x->rc;
	return 0; /* stable enough: jobs come sorted by name */
}

/* A worker's stderr, each line as "tcpdoctor: [NAME] ...". */
static void stderr_lines(const char *name_raw, const char *p, size_t len)
{
	const char *end = p + len;
	char name[400];

	td_esc(name_raw, name, sizeof(name));
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n >= 11 && !memcmp(p, "tcpdoctor: ", 11))
			fprintf(stderr, "tcpdoctor: [%s] %.*s\n", name, (int)(n - 11), p + 11);
		else if (n)
			fprintf(stderr, "tcpdoctor: [%s] %.*s\n", name, (int)n, p);
		p += n + 1;
	}
}

static void print_stderr(const struct job *jb, bool who)
{
	if (!jb->ebuf || (who && jb->rc == TD_EXIT_NOTHING))
		return;
	stderr_lines(jb->ns->name, jb->ebuf, jb->elen);
}

void cmd_ns_out_stderr(const struct cmd_ns_out *o)
{
	if (o->err)
		stderr_lines(o->ns->name, o->err, o->errlen);
}

static void trim(struct job *jb)
{
	while (jb->olen && (jb->obuf[jb->olen - 1] == '\n' || jb->obuf[jb->olen - 1] == ' '))
		jb->obuf[--jb->olen] = '\0';
}

/* A worker's JSON document, whole: a worker killed mid-write leaves half
 * of one, which goes to "errors" instead. */
static bool whole_doc(const struct job *jb)
{
	return !jb->skipped && jb->olen && jb->obuf[0] == '{' && jb->obuf[jb->olen - 1] == '}' &&
	       !jb->reason[0];
}

static void print_json(const struct td_ctx *ctx, struct job **v, size_t n, const char *filter,
		       int rc)
{
	struct td_json j;
	bool first = true;

	td_json_init(&j, stdout, false);
	td_json_begin_object(&j, NULL);
	td_json_str(&j, "command", ctx->cmd);
	td_json_bool(&j, "all_netns", true);
	td_json_str(&j, "netns_filter", filter);
	td_json_int(&j, "exit", rc);
	if (!strcmp(ctx->cmd, "check"))
		td_json_str(&j, "status",
			    rc == 2   ? "critical"
			    : rc == 1 ? "warning"
			    : rc == 0 ? "ok"
				      : "unknown");
	td_json_uint(&j, "count", n);
	/* The workers' documents, verbatim (each begins with its netns). */
	fputs(",\"namespaces\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (!whole_doc(v[i]))
			continue;
		printf("%s%s", first ? "" : ",", v[i]->obuf);
		first = false;
	}
	fputs("]", stdout);
	td_json_begin_array(&j, "skipped");
	for (size_t i = 0; i < n; i++) {
		if (!v[i]->skipped)
			continue;
		td_json_begin_object(&j, NULL);
		view_json_netns(&j, "netns", v[i]->ns);
		td_json_str(&j, "reason", v[i]->reason);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_array(&j, "errors");
	for (size_t i = 0; i < n; i++) {
		if (v[i]->skipped || whole_doc(v[i]))
			continue;
		td_json_begin_object(&j, NULL);
		view_json_netns(&j, "netns", v[i]->ns);
		td_json_int(&j, "exit", v[i]->rc);
		td_json_strn(&j, "message", v[i]->ebuf ? v[i]->ebuf : "", v[i]->elen);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_end_object(&j);
	td_json_finish(&j);
}

/* "== netns NAME (kind, net:[INODE], ip netns X, container C, pid P)",
 * then a newline, or ": " when the worker's one line follows. */
static void header(const struct td_ctx *ctx, const struct job *jb, bool oneline)
{
	const struct td_ns *ns = jb->ns;
	char name[400], esc[PATH_MAX * 4];

	td_esc(ns->name, name, sizeof(name));
	printf("%s== netns %s%s (%s, net:[%llu]", ctx->color ? "\033[1m" : "", name,
	       ctx->color ? "\033[0m" : "", td_ns_kind_name(ns->kind),
	       (unsigned long long)ns->inode);
	if (ns->ip_netns[0] && strcmp(ns->ip_netns, ns->name))
		printf(", ip netns %s", td_esc(ns->ip_netns, esc, sizeof(esc)));
	if (ns->container[0] && strcmp(ns->container, ns->name))
		printf(", container %s", td_esc(ns->container, esc, sizeof(esc)));
	if (ns->npids)
		printf(", pid %d%s", (int)ns->pids[0], ns->npids > 1 ? "…" : "");
	else if (ns->mount[0])
		printf(", mounted at %s", td_esc(ns->mount, esc, sizeof(esc)));
	else if (ns->fd_pid)
		printf(", held by fd %d of pid %d", ns->fd, (int)ns->fd_pid);
	else if (ns->sock_pid)
		printf(", held by socket fd %d of pid %d", ns->sock_fd, (int)ns->sock_pid);
	printf(")%s", oneline ? ": " : "\n");
}

/* conns and who: one table, NETNS first. */
static void print_table(struct job **v, size_t n)
{
	int w = 5;
	bool header_done = false;

	for (size_t i = 0; i < n; i++)
		if (!v[i]->skipped && (int)strlen(v[i]->ns->name) > w)
			w = (int)strlen(v[i]->ns->name);
	if (w > 40)
		w = 40;
	for (size_t i = 0; i < n; i++) {
		const char *p = v[i]->obuf, *end;
		char name[400];
		bool first = true;

		if (v[i]->skipped || !p)
			continue;
		end = p + v[i]->olen;
		td_esc(v[i]->ns->name, name, sizeof(name));
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			if (first) {
				first = false;
				if (!header_done)
					printf("%-*s %.*s\n", w, "NETNS", (int)len, p);
				header_done = true;
			} else if (len) {
				printf("%-*s %.*s\n", w, name, (int)len, p);
			}
			p += len + 1;
		}
	}
}

/* The counts in a worker's `states --json`: "total":N and the flat
 * "states":{"ESTABLISHED":N,...} object (our own output, compact). */
static bool parse_states(const char *doc, uint64_t *total, uint64_t counts[TD_STATE_MAX + 1])
{
	const char *p = strstr(doc, "\"states\":{"), *t = strstr(doc, "\"total\":");

	memset(counts, 0, sizeof(uint64_t) * (TD_STATE_MAX + 1));
	if (!p || !t)
		return false;
	*total = strtoull(t + 8, NULL, 10);
	for (p += 10; *p == '"';) {
		const char *q = strchr(p + 1, '"');
		char *end;
		uint64_t val;

		if (!q || q[1] != ':')
			return false;
		val = strtoull(q + 2, &end, 10);
		for (int st = 1; st <= TD_CLOSING; st++)
			if ((size_t)(q - p - 1) == strlen(td_state_name(st)) &&
			    !memcmp(p + 1, td_state_name(st), (size_t)(q - p - 1)))
				counts[st] = val;
		p = end + (*end == ',');
	}
	return true;
}

/* `states --all-netns`: NETNS, TOTAL and a column per state any namespace
 * has, a row per namespace (host first, then by name), a TOTAL row. */
static void print_states_table(const struct td_ctx *ctx, struct job **v, size_t n)
{
	uint64_t(*counts)[TD_STATE_MAX + 1] = calloc(n + 1, sizeof(*counts));
	uint64_t *totals = calloc(n + 1, sizeof(*totals));
	uint64_t all[TD_STATE_MAX + 1] = { 0 }, grand = 0;
	bool *ok = calloc(n + 1, sizeof(*ok));
	int w = 5;

	if (!counts || !totals || !ok) {
		free(counts);
		free(totals);
		free(ok);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i]->skipped || !v[i]->obuf ||
		    !(ok[i] = parse_states(v[i]->obuf, &totals[i], counts[i])))
			continue;
		grand += totals[i];
		for (int st = 1; st <= TD_CLOSING; st++)
			all[st] += counts[i][st];
		if ((int)strlen(v[i]->ns->name) > w)
			w = (int)strlen(v[i]->ns->name);
	}
	if (w > 40)
		w = 40;
	printf("%s%-*s %8s", ctx->color ? "\033[1m" : "", w, "NETNS", "TOTAL");
	for (int st = 1; st <= TD_CLOSING; st++)
		if (all[st])
			printf(" %11s", td_state_name(st));
	printf("%s\n", ctx->color ? "\033[0m" : "");
	for (size_t i = 0; i <= n; i++) {
		char name[400];

		if (i < n && !ok[i])
			continue;
		td_esc(i < n ? v[i]->ns->name : "TOTAL", name, sizeof(name));
		printf("%-*s %8llu", w, name, (unsigned long long)(i < n ? totals[i] : grand));
		for (int st = 1; st <= TD_CLOSING; st++)
			if (all[st])
				printf(" %11llu",
				       (unsigned long long)(i < n ? counts[i][st] : all[st]));
		putchar('\n');
	}
	free(counts);
	free(totals);
	free(ok);
}

static void print_text(const struct td_ctx *ctx, struct job **v, size_t n)
{
	bool check = !strcmp(ctx->cmd, "check");

	if (!strcmp(ctx->cmd, "conns") || !strcmp(ctx->cmd, "who")) {
		print_table(v, n);
		return;
	}
	if (check) {
		size_t per[4] = { 0 }, done = 0;

		for (size_t i = 0; i < n; i++)
			if (!v[i]->skipped && v[i]->rc >= 0 && v[i]->rc <= 3) {
				per[v[i]->rc]++;
				done++;
			}
		printf("%zu network namespace%s: %zu critical, %zu warning, %zu ok", done,
		       done == 1 ? "" : "s", per[2], per[1], per[0]);
		if (per[3])
			printf(", %zu could not be checked", per[3]);
		printf("\n\n");
	}
	for (size_t i = 0, k = 0; i < n; i++) {
		/* A healthy namespace is one line ("OK: no problem found in N
		 * sockets"), not a block. */
		bool oneline = check && v[i]->obuf && !strncmp(v[i]->obuf, "OK", 2);

		if (v[i]->skipped || !v[i]->olen)
			continue;
		if (k++ && !oneline)
			putchar('\n');
		header(ctx, v[i], oneline);
		if (oneline) /* its notes ("(--sample 0: ...)") on the same line */
			for (char *p = v[i]->obuf; (p = strchr(p, '\n'));)
				*p = ' ';
		printf("%s\n", v[i]->obuf);
	}
}

int cmd_all_netns(const struct td_command *cmd, int argc, char **argv, struct td_ctx *ctx,
		  const char *filter)
{
	struct td_owners *owners = NULL;
	struct td_nslist l;
	struct td_err err = { 0 };
	struct job *jobs;
	struct job **v;
	size_t n = 0, entered = 0;
	bool who = !strcmp(cmd->name, "who"), any_found = false;
	/* Plain `states`: one table, a row per namespace, from the workers' JSON. */
	bool summary = !strcmp(cmd->name, "states") && !ctx->json && !has_arg(argc, argv, "--by") &&
		       !has_prefix_arg(argc, argv, "--by=");
	int rc = 0, worst = 0;

	if (td_nsall_discover(&l, procdir(), rootdir(), &err) < 0)
		return cmd_fail_err(&err);
	jobs = calloc(l.n + 1, sizeof(*jobs));
	v = calloc(l.n + 1, sizeof(*v));
	if (!jobs || !v) {
		free(jobs);
		free(v);
		td_nsall_free(&l);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	for (size_t i = 0; i < l.n; i++)
		if (!filter || td_nsall_match(&l.v[i], filter))
			jobs[n++].ns = &l.v[i];
	if (!n) {
		fprintf(stderr,
			"tcpdoctor: no network namespace matches --netns-filter '%s' (%zu found)\n",
			filter ? filter : "", l.n);
		free(jobs);
		free(v);
		td_nsall_free(&l);
		return TD_EXIT_USAGE;
	}
	test_pause();
	if (wants_owners(cmd->name, argc, argv)) {
		owners = td_owners_new();
		if (owners && td_owners_resolve(owners, procdir(), true, NULL, 0, &err) == 0)
			td_owners_share(owners);
		td_err_clear(&err);
	}
	{
		struct cmd_job_arg a = { cmd, argc, argv, ctx, summary };

		/* check's workers mostly sleep through --sample: start them all. */
		rc = run_jobs(jobs, n, !strcmp(cmd->name, "check") ? 512 : 0, cmd_worker, &a);
	}
	td_owners_share(NULL);
	if (rc) {
		td_owners_free(owners);
		free(jobs);
		free(v);
		td_nsall_free(&l);
		return rc;
	}

	for (size_t i = 0; i < n; i++) {
		v[i] = &jobs[i];
		if (jobs[i].skipped)
			continue;
		entered++;
		trim(&jobs[i]);
		if (jobs[i].rc == TD_EXIT_OK)
			any_found = true;
		if (jobs[i].rc > worst)
			worst = jobs[i].rc;
	}
	rc = who && any_found ? TD_EXIT_OK : worst;
	if (!strcmp(cmd->name, "check"))
		qsort(v, n, sizeof(*v), cmp_worst);
	if (ctx->json)
		print_json(ctx, v, n, filter, rc);
	else if (summary)
		print_states_table(ctx, v, n);
	else
		print_text(ctx, v, n);
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		if (v[i]->skipped) {
			char name[400];

			td_esc(v[i]->ns->name, name, sizeof(name));
			fprintf(stderr, "tcpdoctor: netns %s (net:[%llu]) skipped: %s\n", name,
				(unsigned long long)v[i]->ns->inode, v[i]->reason);
			continue;
		}
		print_stderr(v[i], who);
	}
	if (who && !any_found && entered)
		fprintf(stderr, "tcpdoctor: no TCP socket on port %s in %zu network namespaces\n",
			port_arg(argc, argv), entered);
	if (l.sockets_skipped && l.sockets_asked) /* (TD_NSALL_SOCKETS=0: asked not to) */
		fprintf(stderr,
			"tcpdoctor: note: %zu socket fds were not asked which namespace they live "
			"in "
			"(past %zu; TD_NSALL_SOCKETS=N raises it): a namespace only one of them "
			"holds is not shown\n",
			l.sockets_skipped, l.sockets_asked);
	if (!entered) {
		fprintf(stderr,
			"tcpdoctor: none of the %zu network namespaces could be entered%s\n", n,
			geteuid() ? " (run as root)" : "");
		rc = TD_EXIT_FAILED;
	}
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].obuf);
		free(jobs[i].ebuf);
	}
	td_owners_free(owners);
	free(jobs);
	free(v);
	td_nsall_free(&l);
	return rc;
}

int cmd_each_netns(const char *filter, bool owners, size_t maxpar,
		   int (*fn)(const struct td_ns *ns, void *arg), void *arg, struct cmd_ns_run *run)
{
	struct td_err err = { 0 };
	struct job *jobs;
	size_t n = 0;
	int rc;

	memset(run, 0, sizeof(*run));
	if (td_nsall_discover(&run->list, procdir(), rootdir(), &err) < 0)
		return cmd_fail_err(&err);
	jobs = calloc(run->list.n + 1, sizeof(*jobs));
	run->out = calloc(run->list.n + 1, sizeof(*run->out));
	if (!jobs || !run->out) {
		free(jobs);
		cmd_ns_run_free(run);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	for (size_t i = 0; i < run->list.n; i++)
		if (!filter || td_nsall_match(&run->list.v[i], filter))
			jobs[n++].ns = &run->list.v[i];
	if (owners) {
		run->owners = td_owners_new();
		if (run->owners &&
		    td_owners_resolve(run->owners, procdir(), true, NULL, 0, &err) == 0)
			td_owners_share(run->owners);
		td_err_clear(&err);
	}
	rc = run_jobs(jobs, n, maxpar, fn, arg);
	td_owners_share(NULL);
	for (size_t i = 0; i < n; i++) {
		struct cmd_ns_out *o = &run->out[run->n++];

		o->ns = jobs[i].ns;
		o->rc = jobs[i].rc;
		o->skipped = jobs[i].skipped;
		o->text = jobs[i].obuf;
		o->len = jobs[i].olen;
		o->err = jobs[i].ebuf;
		o->errlen = jobs[i].elen;
		snprintf(o->reason, sizeof(o->reason), "%s", jobs[i].reason);
	}
	free(jobs);
	return rc;
}

struct dump_arg {
	struct td_ctx *ctx;
	const struct td_filter *f;
};

static int write_sock(const struct td_sock *s, void *data)
{
	(void)data;
	return fwrite(s, sizeof(*s), 1, stdout) == 1 ? 0 : -EIO;
}

/* In the worker: the namespace's sockets, as raw records on stdout. */
static int dump_worker(const struct td_ns *ns, void *arg)
{
	struct dump_arg *a = arg;
	struct td_err err = { 0 };

	a->ctx->ns = ns;
	a->ctx->netns = ns->name;
	if (td_source_dump(&a->ctx->source, a->f, 0, write_sock, NULL, &err) < 0)
		return cmd_fail_dump(a->ctx, &err);
	return fflush(stdout) ? TD_EXIT_FAILED : TD_EXIT_OK;
}

int cmd_dump_each_netns(struct td_ctx *ctx, const struct td_filter *f, bool owners,
			struct cmd_ns_socks *out, struct cmd_ns_run *run)
{
	struct dump_arg a = { ctx, f };
	size_t total = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = cmd_each_netns(ctx->netns_filter, owners, 0, dump_worker, &a, run);
	if (rc)
		return rc;
	for (size_t i = 0; i < run->n; i++)
		if (!run->out[i].skipped && run->out[i].rc == TD_EXIT_OK)
			total += run->out[i].len / sizeof(struct td_sock);
	out->v = calloc(total + 1, sizeof(*out->v));
	out->ns = calloc(total + 1, sizeof(*out->ns));
	if (!out->v || !out->ns)
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	for (size_t i = 0; i < run->n; i++) {
		const struct cmd_ns_out *o = &run->out[i];
		size_t k = o->len / sizeof(struct td_sock);

		if (o->skipped || o->rc != TD_EXIT_OK) {
			char name[400];

			if (!o->skipped) {
				cmd_ns_out_stderr(o);
				continue;
			}
			td_esc(o->ns->name, name, sizeof(name));
			fprintf(stderr, "tcpdoctor: netns %s (net:[%llu]) skipped: %s\n", name,
				(unsigned long long)o->ns->inode, o->reason);
			continue;
		}
		cmd_ns_out_stderr(o); /* notes (the /proc fallback) */
		memcpy(out->v + out->n, o->text, k * sizeof(struct td_sock));
		for (size_t m = 0; m < k; m++)
			out->ns[out->n + m] = o->ns;
		out->n += k;
	}
	return 0;
}

void cmd_ns_socks_free(struct cmd_ns_socks *s)
{
	free(s->v);
	free(s->ns);
	memset(s, 0, sizeof(*s));
}

void cmd_ns_run_free(struct cmd_ns_run *run)
{
	for (size_t i = 0; run->out && i < run->n; i++) {
		free(run->out[i].text);
		free(run->out[i].err);
	}
	free(run->out);
	td_owners_free(run->owners);
	td_nsall_free(&run->list);
	memset(run, 0, sizeof(*run));
}

int cmd_netns_lookup(const char *spec, char *path, size_t len, struct td_err *err)
{
	const struct td_ns *ns;
	struct td_nslist l;
	char run[4096];
	int fd, ret;

	if (!spec || !*spec || strspn(spec, "0123456789") == strlen(spec) || spec[0] == '/' ||
	    spec[0] == '.')
		return 0;
	snprintf(run, sizeof(run), "/run/netns/%s", spec);
	if (!strchr(spec, '/') && !access(run, F_OK))
		return 0;
	if (!td_nsall_is_spec(spec) && strchr(spec, '/'))
		return 0;
	ret = td_nsall_discover(&l, procdir(), rootdir(), err);
	if (ret < 0)
		return ret;
	ns = td_nsall_find(&l, spec);
	if (!ns) {
		td_nsall_free(&l);
		if (!td_nsall_is_spec(spec))
			return 0; /* td_netns_enter says "see ip netns list" */
		return td_err_set(
			err, -TD_ENOTFOUND,
			"network namespace '%s' not found (see tcpdoctor states --all-netns)",
			spec);
	}
	fd = td_nsall_open(ns, procdir());
	td_nsall_free(&l);
	if (fd < 0)
		return td_err_set(err, fd == -EACCES ? -EPERM : -TD_ENOTFOUND,
				  "network namespace '%s' %s", spec,
				  fd == -EACCES ? "cannot be opened: run as root" : "is gone");
	/* Left open: the dispatcher enters it next. */
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return 1;
}

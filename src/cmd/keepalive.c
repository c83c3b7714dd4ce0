/* `tcpdoctor keepalive --pid P`: turn on and tune keepalive (and, when
 * asked, TCP_USER_TIMEOUT) on a running process's sockets, the advice for a
 * half-open peer applied to a process that cannot be restarted now. Each
 * socket is reached through pidfd_getfd: setsockopt on our duplicate changes
 * the socket the process holds. A dry run unless --yes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/allnetns.h"
#include "cmd/commands.h"
#include "cmd/remedy.h"
#include "render/escape.h"
#include "render/remedyview.h"
#include "render/view.h"
#include "sockets/pidfd.h"
#include "state.h"

static const char help[] =
	"usage: tcpdoctor keepalive --pid PID [FILTERS] [--idle S] [--intvl S]\n"
	"                           [--count N] [--user-timeout MS] [--off] [--yes]\n"
	"\n"
	"Turn on and tune TCP keepalive on a running process's sockets, so a peer\n"
	"that vanished (half-open connection) is found and the connection closed\n"
	"with ETIMEDOUT: after S idle seconds, a probe every S seconds, N unanswered.\n"
	"Each socket is taken with pidfd_getfd and changed with setsockopt; the\n"
	"process keeps running. Without --yes this is a dry run: the values now and\n"
	"what would change. A listener's settings pass to the connections it accepts.\n"
	"\n"
	"  --idle S          TCP_KEEPIDLE: idle seconds before the first probe (60)\n"
	"  --intvl S         TCP_KEEPINTVL: seconds between probes (10)\n"
	"  --count N         TCP_KEEPCNT: unanswered probes before giving up (3)\n"
	"  --user-timeout MS TCP_USER_TIMEOUT: give up on data unacknowledged this\n"
	"                    long (sends stuck to a dead peer); 0 = kernel default\n"
	"  --off             SO_KEEPALIVE off (undo)\n"
	"  --yes             act;  --dry-run: never act, never ask\n"
	"Filters: --state S, -l/--listening, --port P, --sport P, --dport P, --src CIDR,\n"
	"         --dst CIDR\n"
	"Global: --netns NAME|PID|PATH, --all-netns (the process's sockets in every\n"
	"        network namespace, with a NETNS column), --netns-filter GLOB,\n"
	"        --json (one document), --no-color, -4, -6\n"
	"\n"
	"Needs ptrace access to the process (PTRACE_MODE_ATTACH_REALCREDS): root, or\n"
	"the same user when kernel.yama.ptrace_scope allows it. Linux 5.6+.\n"
	"Exit status: 0 done (or dry run); 1 no socket matches; 2 usage, no such\n"
	"process; 3 access refused; 4 some sockets could not be changed.\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor keepalive --pid 4242 --state established\n"
	"  tcpdoctor keepalive --pid 4242 --state established --idle 60 --intvl 10 \\\n"
	"      --count 3 --yes\n"
	"  tcpdoctor keepalive --pid 4242 --off --yes\n";

#define EXIT_PARTIAL 4

enum {
	OPT_IDLE = 0x2000,
	OPT_INTVL,
	OPT_COUNT,
	OPT_USER_TIMEOUT,
	OPT_OFF,
	OPT_YES,
	OPT_DRY_RUN,
};

struct opts {
	struct td_keepalive_req req;
	bool tuned; /* any of --idle/--intvl/--count given */
	bool yes, dry_run;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	long v;
	int rc;

	switch (val) {
	case OPT_IDLE:
	case OPT_INTVL:
	case OPT_COUNT:
		rc = cmd_parse_long(val == OPT_IDLE    ? "--idle"
				    : val == OPT_INTVL ? "--intvl"
						       : "--count",
				    arg, 1, val == OPT_COUNT ? 127 : 32767, &v);
		if (rc)
			return rc;
		if (val == OPT_IDLE)
			o->req.idle = (int)v;
		else if (val == OPT_INTVL)
			o->req.intvl = (int)v;
		else
			o->req.cnt = (int)v;
		o->tuned = true;
		return 0;
	case OPT_USER_TIMEOUT:
		rc = cmd_parse_long("--user-timeout", arg, 0, 0x7fffffffL, &v);
		if (rc)
			return rc;
		o->req.user_timeout = v;
		return 0;
	case OPT_OFF:
		o->req.off = true;
		return 0;
	case OPT_YES:
		o->yes = true;
		return 0;
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	}
	return TD_EXIT_USAGE;
}

/* One socket of the process and what happens to it. */
struct item {
	struct td_sock s;
	const struct td_ns *ns; /* --all-netns: the namespace it lives in */
	int fd;			/* the process's fd */
	struct td_keepalive now, want, after;
	unsigned mask;
	bool have_now, done;
	uint8_t timer_after; /* from the dump after acting */
	uint32_t timer_ms_after;
	char why[512]; /* why it could not be read or changed */
};

struct collect {
	struct item *v;
	size_t n, cap;
};

static int collect_cb(const struct td_sock *s, void *data)
{
	struct collect *c = data;

	if (!s->inode)
		return 0; /* TIME_WAIT, request sockets: no process holds them */
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct item *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	c->v[c->n].s = *s;
	c->v[c->n].fd = -1;
	c->n++;
	return 0;
}

/* Timers of the sockets after acting, from a fresh dump (what ss -o shows). */
static int after_cb(const struct td_sock *s, void *data)
{
	struct collect *c = data;

	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].s.inode == s->inode) {
			c->v[i].timer_after = s->timer;
			c->v[i].timer_ms_after = s->timer_ms;
		}
	}
	return 0;
}

/* The values now and what they would be, or (acted) the values read back
 * and the timer the next dump shows, as one table (render/remedyview.h). */
static void print_text(const struct td_ctx *ctx, const struct item *v, size_t n, bool acted)
{
	struct view_ka_row *rows = calloc(n + 1, sizeof(*rows));
	char(*now)[48] = calloc(n + 1, sizeof(*now));
	char(*then)[48] = calloc(n + 1, sizeof(*then));

	if (!rows || !now || !then) {
		free(rows);
		free(now);
		free(then);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &v[i];

		rows[i].s = &it->s;
		rows[i].netns = it->ns ? it->ns->name : NULL;
		rows[i].fd = it->fd;
		rows[i].now = now[i];
		rows[i].then = then[i];
		rows[i].why = it->why[0] ? it->why : NULL;
		if (!it->have_now) {
			snprintf(now[i], sizeof(now[i]), "?");
			continue;
		}
		if (acted) {
			int k;

			td_keepalive_str(it->done ? &it->after : &it->now, now[i], sizeof(now[i]));
			k = snprintf(then[i], sizeof(then[i]), "%s",
				     td_timer_name(it->timer_after));
			if (it->timer_after && k > 0 && (size_t)k < sizeof(then[i]))
				snprintf(then[i] + k, sizeof(then[i]) - (size_t)k, " %.1fs",
					 it->timer_ms_after / 1000.0);
		} else {
			td_keepalive_str(&it->now, now[i], sizeof(now[i]));
			if (it->mask)
				td_keepalive_str(&it->want, then[i], sizeof(then[i]));
			else
				snprintf(then[i], sizeof(then[i]), "(unchanged)");
		}
	}
	view_ka_table(stdout, ctx->color, rows, n, acted ? "TIMER" : "WOULD BE", view_width());
	free(rows);
	free(now);
	free(then);
}

static void json_ka(struct td_json *j, const char *key, const struct td_keepalive *k)
{
	td_json_begin_object(j, key);
	td_json_bool(j, "on", k->on);
	td_json_int(j, "idle_s", k->idle);
	td_json_int(j, "intvl_s", k->intvl);
	td_json_int(j, "count", k->cnt);
	td_json_uint(j, "user_timeout_ms", k->user_timeout);
	td_json_end_object(j);
}

static void print_json(const struct td_ctx *ctx, pid_t pid, const char *comm, const struct item *v,
		       size_t n, bool acted, const char *const *act, size_t nact)
{
	struct td_json j;

	cmd_json_begin(&j, ctx, td_source_name(ctx->source.used));
	td_json_int(&j, "pid", pid);
	td_json_str(&j, "comm", comm);
	td_json_bool(&j, "dry_run", !acted);
	td_json_begin_array(&j, "sockets");
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &v[i];

		td_json_begin_object(&j, NULL);
		td_json_int(&j, "fd", it->fd);
		if (it->ns)
			td_json_str(&j, "netns", it->ns->name);
		td_json_str(&j, "state", td_state_name(it->s.state));
		{
			char a[64];

			td_json_str(&j, "local",
				    td_endpoint_str(it->s.family, it->s.laddr, it->s.lport, a,
						    sizeof(a)));
			td_json_str(&j, "peer",
				    td_endpoint_str(it->s.family, it->s.raddr, it->s.rport, a,
						    sizeof(a)));
		}
		td_json_uint(&j, "inode", it->s.inode);
		if (it->s.flags & TD_SOCK_HAS_COOKIE)
			td_json_uint(&j, "cookie", it->s.cookie);
		if (it->have_now) {
			json_ka(&j, "before", &it->now);
			json_ka(&j, acted ? "after" : "would_be",
				acted ? (it->done ? &it->after : &it->now) : &it->want);
		}
		td_json_bool(&j, "changes", it->mask != 0);
		if (acted) {
			td_json_bool(&j, "changed", it->done);
			td_json_str(&j, "timer", td_timer_name(it->timer_after));
			td_json_uint(&j, "timer_ms", it->timer_ms_after);
		}
		td_json_str(&j, "error", it->why[0] ? it->why : NULL);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	cmd_json_argv(&j, "act", act, nact);
	td_json_end_object(&j);
	td_json_finish(&j);
}

/* Read every socket's settings through a duplicate; with apply, change
 * them too and read them back. Returns the number that failed. */
static size_t visit(int pidfd, pid_t pid, struct item *v, size_t n, bool apply,
		    const struct td_keepalive_req *req, int *fatal, struct td_err *ferr)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		struct item *it = &v[i];
		struct td_err err = { 0 };
		struct stat st;
		int dup, rc;

		if (it->fd < 0)
			continue;
		dup = td_pidfd_getfd(pidfd, pid, it->fd, &err);
		if (dup < 0) {
			if (err.code == -EPERM || err.code == -TD_ENOTFOUND ||
			    err.code == -ENOSYS) {
				*fatal = err.code;
				*ferr = err;
				return failed + 1;
			}
			snprintf(it->why, sizeof(it->why), "%s", err.msg);
			failed++;
			continue;
		}
		/* The fd may have been closed and reused since the walk. */
		if (fstat(dup, &st) < 0 || (uint64_t)st.st_ino != it->s.inode) {
			snprintf(it->why, sizeof(it->why),
				 "fd %d is no longer this socket (closed meanwhile)", it->fd);
			close(dup);
			failed++;
			continue;
		}
		rc = td_keepalive_get(dup, &it->now);
		if (rc < 0) {
			snprintf(it->why, sizeof(it->why), "getsockopt: %s", strerror(-rc));
			close(dup);
			failed++;
			continue;
		}
		it->have_now = true;
		it->mask = td_keepalive_plan(&it->now, req, &it->want);
		if (apply && it->mask) {
			if (td_keepalive_set(dup, &it->want, it->mask, &err) < 0) {
				snprintf(it->why, sizeof(it->why), "%s", err.msg);
				failed++;
			} else if (td_keepalive_get(dup, &it->after) == 0) {
				it->done = true;
			}
		} else if (apply) {
			it->after = it->now;
		}
		close(dup);
	}
	return failed;
}

int cmd_keepalive(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "idle", required_argument, NULL, OPT_IDLE },
		{ "intvl", required_argument, NULL, OPT_INTVL },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "user-timeout", required_argument, NULL, OPT_USER_TIMEOUT },
		{ "off", no_argument, NULL, OPT_OFF },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ 0 },
	};
	struct opts o = { .req = { .idle = -1, .intvl = -1, .cnt = -1, .user_timeout = -1 } };
	struct collect c = { 0 };
	struct cmd_ns_socks all = { 0 }, later = { 0 };
	struct cmd_ns_run run = { 0 }, run2 = { 0 };
	struct td_owners *ow = NULL;
	struct td_filter f;
	struct td_err err = { 0 };
	const char *act[CMD_ACT_MAX];
	char path[64], comm[64];
	size_t nact, failed, changes = 0, kept = 0;
	bool acted = false;
	int pidfd = -1, fatal = 0, rc;
	pid_t pid;
	DIR *d;

	td_filter_init(&f);
	rc = cmd_getopt(argc, argv, ctx, own, "", true, &f, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "keepalive: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (f.npid != 1)
		return cmd_fail(TD_EXIT_USAGE,
				"keepalive: which process? give one --pid PID (see tcpdoctor "
				"keepalive --help)");
	if (o.req.off && (o.tuned || o.req.user_timeout >= 0))
		return cmd_fail(TD_EXIT_USAGE, "keepalive: --off takes no --idle, --intvl, "
					       "--count or --user-timeout");
	if (!o.req.off) {
		/* The defaults say a dead peer is found in 60 + 10 x 3 = 90 s. */
		if (o.req.idle < 0)
			o.req.idle = 60;
		if (o.req.intvl < 0)
			o.req.intvl = 10;
		if (o.req.cnt < 0)
			o.req.cnt = 3;
	}
	if (td_keepalive_req_check(&o.req, &err) < 0)
		return cmd_fail_err(&err);
	pid = f.pid[0];
	nact = cmd_act_argv(ctx, argc, argv, act, CMD_ACT_MAX);
	view_comm(pid, comm, sizeof(comm));

	pidfd = td_pidfd_open(pid, &err);
	if (pidfd < 0)
		return cmd_fail_err(&err);
	/* Without access to its fds the --pid filter finds nothing: say why. */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			td_ptrace_explain(pid, NULL, -1, &err);
		else
			td_err_set(&err, -TD_ENOTFOUND, "pid %d: %s", (int)pid, strerror(errno));
		close(pidfd);
		return cmd_fail(err.code == -TD_ENOTFOUND ? TD_EXIT_USAGE : TD_EXIT_FAILED,
				"keepalive: %s", err.msg);
	}
	closedir(d);

	if (ctx->all_netns) {
		/* The process's sockets may live in several namespaces (one it
		 * made and left, one passed to it): ask every one. */
		rc = cmd_dump_each_netns(ctx, &f, false, &all, &run);
		if (rc)
			goto out;
		for (size_t i = 0; i < all.n; i++) {
			size_t k = c.n;

			if (collect_cb(&all.v[i], &c) < 0) {
				rc = cmd_fail(TD_EXIT_FAILED, "out of memory");
				goto out;
			}
			if (c.n > k)
				c.v[k].ns = all.ns[i];
		}
	} else {
		rc = td_source_dump(&ctx->source, &f, 0, collect_cb, &c, &err);
		cmd_source_note(ctx);
		if (rc < 0) {
			rc = cmd_fail_dump(ctx, &err);
			goto out;
		}
	}
	ow = td_owners_new();
	if (!ow) {
		rc = cmd_fail(TD_EXIT_FAILED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c.n; i++)
		td_owners_want(ow, c.v[i].s.inode);
	if (c.n && td_owners_resolve(ow, NULL, false, &pid, 1, &err) < 0) {
		rc = cmd_fail_err(&err);
		goto out;
	}
	for (size_t i = 0; i < c.n; i++) {
		for (const struct td_owner *w = td_owners_get(ow, c.v[i].s.inode); w; w = w->next)
			if (w->pid == pid)
				c.v[i].fd = w->fd;
		if (c.v[i].fd >= 0)
			c.v[kept++] = c.v[i];
	}
	c.n = kept;
	if (!c.n) {
		if (ctx->json)
			print_json(ctx, pid, comm, c.v, 0, false, act, nact);
		else
			fprintf(stderr,
				"tcpdoctor: keepalive: pid %d holds no TCP socket that "
				"matches\n",
				(int)pid);
		if (!ctx->netns && !ctx->all_netns)
			cmd_netns_hint(pid);
		rc = TD_EXIT_NOTHING;
		goto out;
	}

	failed = visit(pidfd, pid, c.v, c.n, false, &o.req, &fatal, &err);
	if (fatal) {
		rc = cmd_fail(fatal == -TD_ENOTFOUND ? TD_EXIT_USAGE : TD_EXIT_FAILED,
			      "keepalive: %s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < c.n; i++)
		changes += c.v[i].mask != 0;

	if (changes && !o.dry_run && !o.yes && !ctx->json && isatty(STDIN_FILENO) &&
	    isatty(STDERR_FILENO)) {
		char q[128];

		print_text(ctx, c.v, c.n, false);
		fflush(stdout);
		snprintf(q, sizeof(q), "Change %zu socket%s of %s[%d]?", changes,
			 changes == 1 ? "" : "s", comm, (int)pid);
		o.yes = cmd_confirm(q);
		if (!o.yes) {
			printf("Nothing changed.\n");
			rc = TD_EXIT_OK;
			goto out;
		}
	}
	if (changes && o.yes && !o.dry_run) {
		failed = visit(pidfd, pid, c.v, c.n, true, &o.req, &fatal, &err);
		if (fatal) {
			rc = cmd_fail(fatal == -TD_ENOTFOUND ? TD_EXIT_USAGE : TD_EXIT_FAILED,
				      "keepalive: %s", err.msg);
			goto out;
		}
		acted = true;
		/* What ss -o shows now: the timer of each socket. */
		if (ctx->all_netns) {
			if (!cmd_dump_each_netns(ctx, &f, false, &later, &run2))
				for (size_t i = 0; i < later.n; i++)
					after_cb(&later.v[i], &c);
		} else {
			f.npid = 0;
			(void)td_source_dump(&ctx->source, &f, 0, after_cb, &c, &err);
		}
	}

	if (ctx->json) {
		print_json(ctx, pid, comm, c.v, c.n, acted, act, nact);
	} else {
		char esc[64 * TD_ESC_MAX_PER_BYTE];

		td_esc(comm, esc, sizeof(esc));
		if (acted)
			printf("Changed %zu of %zu socket%s of %s[%d]:\n", changes - failed, c.n,
			       c.n == 1 ? "" : "s", esc, (int)pid);
		else
			printf("%s[%d]: %zu socket%s, %zu would change (dry run, nothing "
			       "changed):\n",
			       esc, (int)pid, c.n, c.n == 1 ? "" : "s", changes);
		print_text(ctx, c.v, c.n, acted);
		if (!acted && changes)
			view_act_line(stdout, act, nact);
		printf("KEEPALIVE is idle/intvl/count in seconds, seconds, probes.\n");
	}
	rc = failed ? EXIT_PARTIAL : TD_EXIT_OK;
out:
	td_owners_free(ow);
	cmd_ns_socks_free(&all);
	cmd_ns_socks_free(&later);
	cmd_ns_run_free(&run);
	cmd_ns_run_free(&run2);
	free(c.v);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

/* `tcpdoctor kill FILTER`: destroy the TCP sockets a filter picks (what
 * `ss -K` does), safely: a dry run unless --yes, listeners only with
 * --listeners, at most --max sockets, every socket named to the kernel by
 * its cookie so a new connection on the same 4-tuple is never hit. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/allnetns.h"
#include "cmd/commands.h"
#include "cmd/remedy.h"
#include "render/remedyview.h"
#include "render/view.h"
#include "sockets/destroy.h"
#include "state.h"

static const char help[] =
	"usage: tcpdoctor kill FILTERS [--cookie C]... [--yes] [--listeners] [--max N]\n"
	"\n"
	"Destroy the TCP sockets the filters pick, as `ss -K` does: the owner's next\n"
	"call fails with ECONNABORTED and the peer gets an RST. Without --yes this is\n"
	"a dry run: the sockets that would go, with their owners, and the exact\n"
	"command to act; on a terminal it asks once (default no).\n"
	"\n"
	"  --yes          act\n"
	"  --dry-run      never act, never ask\n"
	"  --cookie C     only the socket with this cookie (from conns --json, trace);\n"
	"                 repeatable\n"
	"  --listeners    LISTEN sockets may be destroyed too (refused otherwise)\n"
	"  --max N        refuse when more than N sockets would go (default 100)\n"
	"Filters: --state S, -l/--listening, --port P, --sport P, --dport P, --src CIDR,\n"
	"         --dst CIDR, --pid PID (see `tcpdoctor states --help`); one is needed\n"
	"Global: --netns NAME|PID|PATH, --all-netns (every network namespace, with a\n"
	"        NETNS column; each socket destroyed in its own), --netns-filter GLOB,\n"
	"        --json (one document), --no-color, -4, -6\n"
	"\n"
	"Uses SOCK_DESTROY (netlink sock_diag, CONFIG_INET_DIAG_DESTROY); where the\n"
	"kernel lacks it, bpf_sock_destroy() from a BPF iterator (Linux 6.5+, root,\n"
	"BTF). TD_DESTROY=netlink|bpf forces one. Needs root (CAP_NET_ADMIN).\n"
	"\n"
	"Exit status: 0 done (or dry run); 1 no socket matches; 2 usage, or more than\n"
	"--max; 3 no way to destroy (permission, kernel); 4 some sockets refused or\n"
	"not destroyed.\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor kill --state close-wait --pid 4242\n"
	"  tcpdoctor kill --state close-wait --pid 4242 --yes\n"
	"  tcpdoctor --netns web1 kill --dst 192.0.2.7 --dport 5432 --yes --json\n"
	"  tcpdoctor kill --all-netns --netns-filter 'docker:*' --state close-wait\n";

#define MAX_COOKIES 64
#define EXIT_PARTIAL 4

enum {
	OPT_YES = 0x2000,
	OPT_DRY_RUN,
	OPT_COOKIE,
	OPT_LISTENERS,
	OPT_MAX,
};

struct opts {
	bool yes, dry_run, listeners;
	long max;
	size_t ncookies;
	uint64_t cookies[MAX_COOKIES];
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	char *end;

	switch (val) {
	case OPT_YES:
		o->yes = true;
		return 0;
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	case OPT_LISTENERS:
		o->listeners = true;
		return 0;
	case OPT_MAX:
		return cmd_parse_long("--max", arg, 1, LONG_MAX, &o->max);
	case OPT_COOKIE:
		if (o->ncookies >= MAX_COOKIES)
			return cmd_fail(TD_EXIT_USAGE, "kill: at most %d --cookie", MAX_COOKIES);
		errno = 0;
		o->cookies[o->ncookies] = strtoull(arg, &end, 0);
		if (errno || end == arg || *end || arg[0] == '-')
			return cmd_fail(TD_EXIT_USAGE,
					"--cookie '%s': expected a socket cookie, a number as "
					"conns --json and trace show it",
					arg);
		o->ncookies++;
		return 0;
	}
	return TD_EXIT_USAGE;
}

static bool cookie_wanted(const struct opts *o, const struct td_sock *s)
{
	if (!o->ncookies)
		return true;
	if (!(s->flags & TD_SOCK_HAS_COOKIE))
		return false;
	for (size_t i = 0; i < o->ncookies; i++)
		if (o->cookies[i] == s->cookie)
			return true;
	return false;
}

static bool has_filter(const struct td_filter *f, const struct opts *o)
{
	return f->states || td_filter_has_addr_port(f) || f->npid || o->ncookies;
}

/* What would go first, then what is refused; within each, by state and ports. */
static int cmp_item(const void *x, const void *y)
{
	const struct td_destroy_item *a = x, *b = y;

	if (a->outcome != b->outcome)
		return (int)a->outcome - (int)b->outcome;
	if (a->s.state != b->s.state)
		return a->s.state - b->s.state;
	if (a->s.lport != b->s.lport)
		return a->s.lport - b->s.lport;
	return a->s.rport - b->s.rport;
}

static const struct td_owner *owner_of(const struct td_owners *ow, const struct td_sock *s)
{
	return ow && s->inode ? td_owners_get(ow, s->inode) : NULL;
}

/* What kill works on: the items, and with --all-netns the namespace of
 * each (items of one namespace next to each other). */
struct plan {
	struct td_destroy_item *v;
	const struct td_ns **ns; /* NULL: this namespace only */
	size_t n;
	const struct td_owners *ow;
};

/* The sockets as one table (render/remedyview.h): in a dry run "destroy"
 * for the planned ones, afterwards each one's outcome; refusals with why. */
static void print_table(const struct td_ctx *ctx, const struct plan *p, bool acted)
{
	struct view_kill_row *rows = calloc(p->n + 1, sizeof(*rows));

	if (!rows)
		return;
	for (size_t i = 0; i < p->n; i++) {
		const struct td_destroy_item *it = &p->v[i];

		rows[i].s = &it->s;
		rows[i].netns = p->ns ? p->ns[i]->name : NULL;
		rows[i].o = owner_of(p->ow, &it->s);
		rows[i].what = !acted && it->outcome == TD_DSTR_PLANNED
				       ? "destroy"
				       : td_destroy_outcome_name(it->outcome);
		rows[i].why = it->why;
	}
	view_kill_table(stdout, ctx->color, rows, p->n, view_width());
	free(rows);
}

static void json_items(struct td_json *j, const struct plan *p, size_t from, size_t to)
{
	td_json_begin_array(j, "sockets");
	for (size_t i = from; i < to; i++)
		view_json_sock(j, &p->v[i].s, true, owner_of(p->ow, &p->v[i].s), false);
	td_json_end_array(j);
	td_json_begin_array(j, "results");
	for (size_t i = from; i < to; i++) {
		const struct td_destroy_item *it = &p->v[i];

		td_json_begin_object(j, NULL);
		if (it->s.flags & TD_SOCK_HAS_COOKIE)
			td_json_uint(j, "cookie", it->s.cookie);
		td_json_str(j, "outcome", td_destroy_outcome_name(it->outcome));
		td_json_str(j, "reason", it->why);
		if (it->errnum)
			td_json_int(j, "errno", it->errnum);
		td_json_end_object(j);
	}
	td_json_end_array(j);
}

static void print_json(const struct td_ctx *ctx, const struct plan *p, bool acted,
		       enum td_destroy_via used, const char *const *act, size_t nact,
		       const size_t *counts)
{
	struct td_json j;

	cmd_json_begin(&j, ctx, td_source_name(ctx->source.used));
	td_json_bool(&j, "dry_run", !acted);
	if (acted)
		td_json_str(&j, "via", td_destroy_via_name(used));
	else
		td_json_null(&j, "via");
	if (!p->ns) {
		json_items(&j, p, 0, p->n);
	} else {
		/* --all-netns: the sockets and results of each namespace. */
		td_json_begin_array(&j, "namespaces");
		for (size_t i = 0, k; i < p->n; i = k) {
			for (k = i; k < p->n && p->ns[k] == p->ns[i]; k++)
				;
			td_json_begin_object(&j, NULL);
			view_json_netns(&j, "netns", p->ns[i]);
			json_items(&j, p, i, k);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
	}
	td_json_begin_object(&j, "counts");
	for (int k = TD_DSTR_PLANNED; k <= TD_DSTR_FAILED; k++)
		td_json_uint(&j, td_destroy_outcome_name(k), counts[k]);
	td_json_end_object(&j);
	cmd_json_argv(&j, "act", act, nact);
	td_json_end_object(&j);
	td_json_finish(&j);
}

static int via_from_env(enum td_destroy_via *via)
{
	const char *e = getenv("TD_DESTROY");
	struct td_err err = { 0 };

	*via = TD_VIA_AUTO;
	if (!e || !*e)
		return 0;
	if (td_destroy_via_parse(e, via, &err) < 0)
		return cmd_fail(TD_EXIT_USAGE, "TD_DESTROY=%s", err.msg);
	return 0;
}

/* ---- --all-netns: destroying in each namespace --------------------------------- */

/* What a worker hands back per item it acted on. */
struct act_result {
	int outcome, errnum;
	char why[160];
};

struct act_arg {
	struct plan *p;
	enum td_destroy_via via;
};

/* In the worker, inside one namespace: destroy its planned items (a
 * socket can be destroyed only from its own namespace), then write the
 * path used and each item's outcome. */
static int act_worker(const struct td_ns *ns, void *arg)
{
	struct act_arg *a = arg;
	struct plan *p = a->p;
	enum td_destroy_via used = TD_VIA_AUTO;
	struct td_err err = { 0 };
	size_t from = 0, to;
	int u;

	while (from < p->n && p->ns[from]->inode != ns->inode)
		from++;
	for (to = from; to < p->n && p->ns[to]->inode == ns->inode; to++)
		;
	if (from == to)
		return TD_EXIT_NOTHING;
	if (td_destroy_run(p->v + from, to - from, a->via, &used, &err) < 0)
		return cmd_fail(TD_EXIT_FAILED, "kill: %s", err.msg);
	u = (int)used;
	fwrite(&u, sizeof(u), 1, stdout);
	for (size_t i = from; i < to; i++) {
		struct act_result r = { (int)p->v[i].outcome, p->v[i].errnum, "" };

		snprintf(r.why, sizeof(r.why), "%s", p->v[i].why ? p->v[i].why : "");
		fwrite(&r, sizeof(r), 1, stdout);
	}
	return fflush(stdout) ? TD_EXIT_FAILED : TD_EXIT_OK;
}

/* Run act_worker in every namespace with planned items; read back the
 * outcomes (why strings then live in whys, one per item). */
static int act_all_netns(struct td_ctx *ctx, struct plan *p, enum td_destroy_via via,
			 enum td_destroy_via *used, char (*whys)[160])
{
	struct act_arg a = { p, via };
	struct cmd_ns_run run;
	int rc = cmd_each_netns(ctx->netns_filter, false, 0, act_worker, &a, &run);

	if (rc) {
		cmd_ns_run_free(&run);
		return rc;
	}
	for (size_t i = 0; i < run.n; i++) {
		const struct cmd_ns_out *o = &run.out[i];
		size_t from = 0, to;
		const char *q = o->text;
		int u;

		while (from < p->n && p->ns[from]->inode != o->ns->inode)
			from++;
		for (to = from; to < p->n && p->ns[to]->inode == o->ns->inode; to++)
			;
		if (from == to)
			continue;
		if (o->skipped || o->rc != TD_EXIT_OK ||
		    o->len != sizeof(int) + (to - from) * sizeof(struct act_result)) {
			cmd_ns_out_stderr(o);
			for (size_t k = from; k < to; k++) {
				p->v[k].outcome = TD_DSTR_FAILED;
				p->v[k].why = o->skipped
						      ? "its namespace is gone"
						      : "not tried: acting in its namespace failed";
			}
			continue;
		}
		memcpy(&u, q, sizeof(u));
		*used = (enum td_destroy_via)u;
		q += sizeof(u);
		for (size_t k = from; k < to; k++, q += sizeof(struct act_result)) {
			struct act_result r;

			memcpy(&r, q, sizeof(r));
			p->v[k].outcome = (enum td_destroy_outcome)r.outcome;
			p->v[k].errnum = r.errnum;
			memcpy(whys[k], r.why, sizeof(whys[k]));
			p->v[k].why = whys[k][0] ? whys[k] : NULL;
		}
	}
	cmd_ns_run_free(&run);
	return 0;
}

/* Sort each namespace's items on their own: the namespaces keep their
 * order (host first, then by name), ns[] stays right. */
static void sort_plan(struct plan *p)
{
	for (size_t i = 0, k; i < p->n; i = k) {
		for (k = i; k < p->n && (!p->ns || p->ns[k] == p->ns[i]); k++)
			;
		qsort(p->v + i, k - i, sizeof(*p->v), cmp_item);
	}
}

int cmd_kill(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "yes", no_argument, NULL, OPT_YES },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "cookie", required_argument, NULL, OPT_COOKIE },
		{ "listeners", no_argument, NULL, OPT_LISTENERS },
		{ "max", required_argument, NULL, OPT_MAX },
		{ 0 },
	};
	struct opts o = { .max = 100 };
	struct td_sockvec col = { 0 };
	struct cmd_ns_socks all = { 0 };
	struct cmd_ns_run run = { 0 };
	struct td_owners *ow = NULL;
	struct plan p = { 0 };
	char(*whys)[160] = NULL;
	struct td_filter f;
	struct td_err err = { 0 };
	enum td_destroy_via via, used = TD_VIA_AUTO;
	const char *act[CMD_ACT_MAX];
	const struct td_sock *socks;
	size_t n = 0, nsock, nact, nns = 0, counts[TD_DSTR_FAILED + 1] = { 0 };
	bool acted = false, asked = false;
	long go;
	int rc;

	td_filter_init(&f);
	rc = cmd_getopt(argc, argv, ctx, own, "", true, &f, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "kill: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (!has_filter(&f, &o))
		return cmd_fail(TD_EXIT_USAGE,
				"kill: which sockets? give a filter, e.g. --state close-wait "
				"--pid PID (see tcpdoctor kill --help)");
	rc = via_from_env(&via);
	if (rc)
		return rc;
	nact = cmd_act_argv(ctx, argc, argv, act, CMD_ACT_MAX);

	if (ctx->all_netns) {
		/* Every namespace's sockets, and one /proc walk for owners. */
		rc = cmd_dump_each_netns(ctx, &f, true, &all, &run);
		if (rc)
			goto out;
		socks = all.v;
		nsock = all.n;
		p.ow = run.owners;
	} else {
		rc = td_source_dump(&ctx->source, &f, 0, td_sockvec_cb, &col, &err);
		cmd_source_note(ctx);
		if (rc < 0) {
			td_sockvec_free(&col);
			return cmd_fail_dump(ctx, &err);
		}
		socks = col.v;
		nsock = col.n;
	}
	p.v = calloc(nsock + 1, sizeof(*p.v));
	if (ctx->all_netns)
		p.ns = calloc(nsock + 1, sizeof(*p.ns));
	if (!ctx->all_netns)
		p.ow = ow = td_owners_new();
	if (!p.v || !p.ow || (ctx->all_netns && !p.ns)) {
		rc = cmd_fail(TD_EXIT_FAILED, "out of memory");
		goto out;
	}
	if (ow)
		td_owners_set_complete(ow, true);
	for (size_t i = 0; i < nsock; i++) {
		if (!cookie_wanted(&o, &socks[i]))
			continue;
		if (p.ns) {
			p.ns[n] = all.ns[i];
			nns += !n || p.ns[n - 1] != p.ns[n];
		}
		p.v[n++].s = socks[i];
		if (ow)
			td_owners_want(ow, socks[i].inode);
	}
	p.n = n;
	if (!n) {
		if (ctx->json)
			print_json(ctx, &p, false, used, act, nact, counts);
		else
			fprintf(stderr, "tcpdoctor: kill: no TCP socket matches%s\n",
				ctx->all_netns ? " in any network namespace" : "");
		for (size_t i = 0; !ctx->netns && !ctx->all_netns && i < f.npid; i++)
			cmd_netns_hint(f.pid[i]);
		rc = TD_EXIT_NOTHING;
		goto out;
	}
	if (ow && td_owners_resolve(ow, NULL, false, NULL, 0, &err) < 0) {
		rc = cmd_fail_err(&err);
		goto out;
	}
	go = td_destroy_plan(p.v, n, &(struct td_destroy_opts){ o.listeners, (size_t)o.max }, &err);
	if (go < 0) {
		rc = cmd_fail(TD_EXIT_USAGE, "kill: %s", err.msg);
		goto out;
	}
	sort_plan(&p);

	if (go && !o.dry_run && !o.yes && !ctx->json && isatty(STDIN_FILENO) &&
	    isatty(STDERR_FILENO)) {
		char q[128];

		print_table(ctx, &p, false);
		fflush(stdout);
		snprintf(q, sizeof(q), "Destroy %ld socket%s?", go, go == 1 ? "" : "s");
		o.yes = cmd_confirm(q);
		asked = true;
		if (!o.yes)
			printf("Nothing destroyed.\n");
	}
	if (go && o.yes && !o.dry_run) {
		if (p.ns) {
			whys = calloc(n, sizeof(*whys));
			rc = whys ? act_all_netns(ctx, &p, via, &used, whys)
				  : cmd_fail(TD_EXIT_FAILED, "out of memory");
			if (rc)
				goto out;
		} else if ((rc = td_destroy_run(p.v, n, via, &used, &err)) < 0) {
			rc = cmd_fail(TD_EXIT_FAILED, "kill: %s", err.msg);
			goto out;
		}
		acted = true;
	}
	for (size_t i = 0; i < n; i++)
		counts[p.v[i].outcome]++;

	if (ctx->json) {
		print_json(ctx, &p, acted, used, act, nact, counts);
	} else if (acted) {
		printf("Destroyed %zu of %ld socket%s with %s.\n", counts[TD_DSTR_DESTROYED], go,
		       go == 1 ? "" : "s",
		       used == TD_VIA_BPF ? "bpf_sock_destroy() from a BPF iterator"
					  : "SOCK_DESTROY (netlink sock_diag)");
		print_table(ctx, &p, true);
	} else {
		if (go && !asked && p.ns)
			printf("Would destroy %ld socket%s in %zu network namespace%s (dry run, "
			       "nothing changed):\n",
			       go, go == 1 ? "" : "s", nns, nns == 1 ? "" : "s");
		else if (go && !asked)
			printf("Would destroy %ld socket%s (dry run, nothing changed):\n", go,
			       go == 1 ? "" : "s");
		else if (!go)
			printf("Nothing to destroy: every matching socket is refused.\n");
		if (!asked)
			print_table(ctx, &p, false);
		if (go && !asked)
			view_act_line(stdout, act, nact);
	}
	if (p.ow && td_owners_unreadable(p.ow))
		view_hidden_note(td_owners_missing(p.ow));
	if (acted)
		rc = counts[TD_DSTR_REFUSED] || counts[TD_DSTR_FAILED] ? EXIT_PARTIAL : TD_EXIT_OK;
	else
		rc = go ? TD_EXIT_OK : EXIT_PARTIAL;
out:
	free(whys);
	free(p.v);
	free(p.ns);
	td_owners_free(ow);
	td_sockvec_free(&col);
	cmd_ns_socks_free(&all);
	cmd_ns_run_free(&run);
	return rc;
}

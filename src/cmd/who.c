/* `tcpdoctor who :PORT`: who listens on or talks through a port, as
 * `lsof -i:PORT` answers it: the kernel filters the dump by port, then the
 * /proc walk stops as soon as the owners of those few sockets are found. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sockets/agg.h"
#include "sockets/ident.h"
#include "cmd/commands.h"
#include "state.h"
#include "render/style.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor who [:]PORT[-PORT] | [:]SERVICE | ADDR[:PORT] [FILTERS] [EXPRESSION]\n"
	"       tcpdoctor who -i [46][TCP][@ADDR][:PORT] [FILTERS] [EXPRESSION]\n"
	"\n"
	"Show every TCP socket whose local or remote port is PORT, with the process,\n"
	"user and file descriptor holding it (what `lsof -i:PORT` shows); listeners first.\n"
	"SERVICE is a name from /etc/services (:https); ADDR[:PORT] (127.0.0.1:6379,\n"
	"[::1]:6379) matches that address and port at either end, as lsof -i@ADDR:PORT.\n"
	"Sockets no process holds (TIME_WAIT, half-open requests, orphans) show '-'.\n"
	"Exit status 1 when nothing uses the port.\n"
	"\n"
	"  -i, --inet SPEC lsof's spelling: -i:8080, -i :8080, -iTCP:443, -i4,\n"
	"                  -i@127.0.0.1:6379, -i6TCP@[::1]:6379 (4/6: the family;\n"
	"                  without ADDR and PORT, every TCP socket)\n"
	"Filters: --state S, -l/--listening, --port P, --sport P, --dport P, --src CIDR,\n"
	"         --dst CIDR, --pid PID (see `tcpdoctor states --help`), and after the port\n"
	"         an ss filter expression (state established dst 192.0.2.0/24; see\n"
	"         `tcpdoctor conns --help`)\n"
	"Global: --netns NAME|PID|PATH, --json (one document), --no-color, -4, -6,\n"
	"        --source\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor who :8080\n"
	"  tcpdoctor who :https state established dst 192.0.2.0/24\n"
	"  tcpdoctor who 127.0.0.1:6379\n"
	"  tcpdoctor who 5432 --state established\n"
	"  tcpdoctor --netns web1 who :443 --json\n";

struct row {
	const struct td_sock *s;
	const struct td_owner *o; /* NULL: no known owner */
};

/* Listeners first, then by pid (unowned last), then state and ports. */
static int cmp_row(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int al = a->s->state == TD_LISTEN, bl = b->s->state == TD_LISTEN;
	int ap = a->o ? a->o->pid : 0x7fffffff, bp = b->o ? b->o->pid : 0x7fffffff;

	if (al != bl)
		return bl - al;
	if (ap != bp)
		return ap < bp ? -1 : 1;
	if (a->s->state != b->s->state)
		return a->s->state - b->s->state;
	if (a->s->lport != b->s->lport)
		return a->s->lport - b->s->lport;
	return a->s->rport - b->s->rport;
}

struct proc_sum {
	int pid;
	uint32_t uid;
	char comm[16];
	unsigned sockets;
	uint32_t counts[TD_STATE_MAX + 1];
};

static void print_text(const struct td_ctx *ctx, const struct row *rows, size_t n)
{
	view_owner_header(stdout, ctx->color);
	for (size_t i = 0; i < n; i++)
		view_owner_line(stdout, ctx->color, rows[i].s, rows[i].o);
}

static struct proc_sum *find_proc(struct proc_sum *p, size_t *np, const struct td_owner *o)
{
	for (size_t i = 0; i < *np; i++)
		if (p[i].pid == o->pid)
			return &p[i];
	memset(&p[*np], 0, sizeof(p[*np]));
	p[*np].pid = o->pid;
	p[*np].uid = o->uid;
	snprintf(p[*np].comm, sizeof(p[*np].comm), "%s", o->comm);
	return &p[(*np)++];
}

/* Who the process is beyond comm: its command line, unit, container, pod
 * (the fields every view gives, render/view.h). */
static void json_identity(struct td_json *j, int pid)
{
	const struct view_proc *p = view_proc_get(pid);

	if (!p)
		return;
	td_json_str(j, "cmdline", p->cmdline);
	td_json_str(j, "unit", p->unit[0] ? p->unit : NULL);
	td_json_str(j, "container", p->container[0] ? p->container : NULL);
	td_json_str(j, "pod", p->pod[0] ? p->pod : NULL);
}

static void print_json(const struct td_ctx *ctx, const char *ports, const struct row *rows,
		       size_t nrows, const struct td_sockvec *col, const struct td_owners *owners,
		       size_t hidden)
{
	struct proc_sum *procs = calloc(nrows + 1, sizeof(*procs));
	size_t np = 0;
	struct td_json j;
	char user[64];

	for (size_t i = 0; procs && i < nrows; i++) {
		struct proc_sum *p;

		if (!rows[i].o)
			continue;
		p = find_proc(procs, &np, rows[i].o);
		p->sockets++;
		p->counts[td_agg_state(rows[i].s->state)]++;
	}
	cmd_json_begin(&j, ctx, td_source_name(ctx->source.used));
	td_json_str(&j, "ports", ports);
	td_json_begin_array(&j, "processes");
	for (size_t i = 0; i < np; i++) {
		td_json_begin_object(&j, NULL);
		td_json_int(&j, "pid", procs[i].pid);
		td_json_str(&j, "comm", procs[i].comm);
		td_json_uint(&j, "uid", procs[i].uid);
		td_json_str(&j, "user", view_user_name(procs[i].uid, user, sizeof(user)));
		json_identity(&j, procs[i].pid);
		td_json_uint(&j, "sockets", procs[i].sockets);
		view_json_states32(&j, "states", procs[i].counts, false);
		td_json_end_object(&j);
	}
	td_json_end_array(&j);
	td_json_begin_array(&j, "sockets");
	for (size_t i = 0; i < col->n; i++)
		view_json_sock(&j, &col->v[i], true,
			       col->v[i].inode ? td_owners_get(owners, col->v[i].inode) : NULL,
			       false);
	td_json_end_array(&j);
	td_json_uint(&j, "count", col->n);
	td_json_uint(&j, "owners_hidden", hidden);
	td_json_end_object(&j);
	td_json_finish(&j);
	free(procs);
}

/* lsof -i habits: ":8080", "8080", "8000-8080", ":http" are a port on
 * either end; "127.0.0.1:6379", "[::1]:6379", "192.0.2.1" an address (and
 * port) on either end, which is the ss filter ( src X or dst X ). */
static int add_target(struct td_filter *f, char *arg, struct td_err *err)
{
	const char *colon = strchr(arg, ':');
	char *words[] = { "(", "src", arg, "or", "dst", arg, ")" };

	if (arg[0] != '[' && !strchr(arg, '.') && (!colon || colon == arg))
		return td_filter_add_port(f, arg, err);
	return td_ssexpr_parse(f, 7, words, err);
}

/* lsof's -i [46][protocol][@host][:port], TCP only. The family goes to f;
 * *target is what follows for add_target() ("@" dropped), NULL if none. */
static int parse_lsof_i(const char *spec, struct td_filter *f, const char **target)
{
	const char *p = spec;

	if (*p == '4' || *p == '6')
		f->family = *p++ == '4' ? AF_INET : AF_INET6;
	if (!strncasecmp(p, "tcp", 3))
		p += 3;
	else if (!strncasecmp(p, "udp", 3))
		return cmd_fail(TD_EXIT_USAGE,
				"who -i '%s': tcpdoctor shows TCP sockets only (lsof -i UDP "
				"lists UDP)",
				spec);
	*target = NULL;
	if (*p == '@' && p[1])
		*target = p + 1;
	else if (*p == ':' && p[1])
		*target = p;
	else if (*p)
		return cmd_fail(TD_EXIT_USAGE,
				"who -i '%s': expected [46][TCP][@ADDR][:PORT], as lsof -i "
				"(e.g. -i:8080, -iTCP@127.0.0.1:6379)",
				spec);
	return -1;
}

static int on_opt(int val, const char *arg, void *data)
{
	if (val != 'i')
		return TD_EXIT_USAGE;
	*(const char **)data = arg;
	return 0;
}

int cmd_who(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "inet", required_argument, NULL, 'i' },
		{ 0 },
	};
	const char *lsof_i = NULL, *target = NULL;
	int next;
	struct td_sockvec col = { 0 };
	struct td_owners *owners;
	struct td_filter f;
	struct td_err err = { 0 };
	struct row *rows = NULL;
	size_t nrows = 0, unowned = 0, hidden, found;
	const char *ports;
	int rc;

	td_filter_init(&f);
	rc = cmd_getopt(argc, argv, ctx, own, "i:", true, &f, help, on_opt, &lsof_i);
	if (rc >= 0)
		return rc;
	next = optind;
	if (lsof_i) {
		rc = parse_lsof_i(lsof_i, &f, &target);
		if (rc >= 0)
			return rc;
	} else if (optind < argc) {
		target = argv[next++];
	} else {
		return cmd_fail(TD_EXIT_USAGE,
				"who: which port? e.g. tcpdoctor who :8080 (or lsof's -i:8080)");
	}
	ports = "*";
	if (target) {
		/* argv's own bytes (optarg is inside one): writable */
		rc = add_target(&f, (char *)target, &err);
		if (rc < 0)
			return cmd_fail_err(&err);
		ports = target[0] == ':' ? target + 1 : target;
	}
	/* The words after the port are an ss filter: who :443 dst 192.0.2.0/24 */
	rc = cmd_filter_expr(ctx, &f, argc, argv, next);
	if (rc >= 0)
		return rc;

	rc = td_source_dump(&ctx->source, &f, 0, td_sockvec_cb, &col, &err);
	cmd_source_note(ctx);
	if (rc < 0 && err.code != -TD_ETRUNC) {
		td_sockvec_free(&col);
		return cmd_fail_dump(ctx, &err);
	}
	owners = td_owners_new();
	if (!owners) {
		td_sockvec_free(&col);
		return cmd_fail(TD_EXIT_FAILED, "out of memory");
	}
	/* Like lsof, name every process holding the socket (all workers of a
	 * pre-fork server), so the walk does not stop at the first holder. */
	td_owners_set_complete(owners, true);
	for (size_t i = 0; i < col.n; i++)
		td_owners_want(owners, col.v[i].inode);
	if (col.n && td_owners_resolve(owners, NULL, false, NULL, 0, &err) < 0) {
		td_owners_free(owners);
		td_sockvec_free(&col);
		return cmd_fail_dump(ctx, &err);
	}

	/* One row per (socket, owner); a socket shared after fork shows once per
	 * process, as lsof does. */
	for (int pass = 0; pass < 2; pass++) {
		nrows = 0;
		for (size_t i = 0; i < col.n; i++) {
			const struct td_owner *o =
				col.v[i].inode ? td_owners_get(owners, col.v[i].inode) : NULL;

			if (!o) {
				if (rows)
					rows[nrows] = (struct row){ &col.v[i], NULL };
				nrows++;
				if (pass && col.v[i].inode)
					unowned++;
				continue;
			}
			for (; o; o = o->next) {
				if (rows)
					rows[nrows] = (struct row){ &col.v[i], o };
				nrows++;
			}
		}
		if (!pass) {
			rows = calloc(nrows + 1, sizeof(*rows));
			if (!rows) {
				td_owners_free(owners);
				td_sockvec_free(&col);
				return cmd_fail(TD_EXIT_FAILED, "out of memory");
			}
		}
	}
	qsort(rows, nrows, sizeof(*rows), cmp_row);
	hidden = td_owners_unreadable(owners) ? unowned : 0;
	if (ctx->json)
		print_json(ctx, ports, rows, nrows, &col, owners, hidden);
	else if (col.n)
		print_text(ctx, rows, nrows);
	else
		fprintf(stderr, "tcpdoctor: no TCP socket on port %s\n", ports);
	view_hidden_note(hidden);
	found = col.n;
	free(rows);
	td_owners_free(owners);
	td_sockvec_free(&col);
	if (rc < 0)
		return cmd_fail_dump(ctx, &err);
	return found ? TD_EXIT_OK : TD_EXIT_NOTHING;
}

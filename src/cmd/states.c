/* `tcpdoctor states`: how many TCP sockets in each state, optionally grouped
 * by local port, remote port, address, process or user. Sockets stream into
 * counters; memory grows with groups, not sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockets/agg.h"
#include "sockets/ident.h"
#include "cmd/commands.h"
#include "state.h"
#include "render/style.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor states [FILTERS] [--by KEY] [--top N] [EXPRESSION]\n"
	"\n"
	"Count TCP sockets by state (what `netstat -nat | awk` and `ss -s` give),\n"
	"optionally grouped.\n"
	"\n"
	"  --by KEY        group by lport, rport, laddr, peer (remote address; also raddr),\n"
	"                  process or user: one row per group, a column per state\n"
	"  --top N         show the N biggest groups (default 20; 0 = all), the rest as (other)\n"
	"Filters (repeat one to OR, combine to AND):\n"
	"  --state S       established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait,\n"
	"                  close, close-wait, last-ack, listen, closing (any spelling: ESTAB,\n"
	"                  CLOSE_WAIT, SYN_RCVD...), or a group: all, connected, synchronized,\n"
	"                  bucket, big, closing-states\n"
	"  -l, --listening same as --state listen\n"
	"  --port P        local or remote port P, or range LO-HI\n"
	"  --sport P       local port;   --dport P  remote port\n"
	"  --src CIDR      local address; --dst CIDR remote address (192.0.2.0/24, 2001:db8::/32)\n"
	"  --pid PID       sockets held by that process\n"
	"  EXPRESSION      an ss filter, as ss(8) parses it, after the options:\n"
	"                  state S, exclude S, src/dst HOST, sport/dport [CMP] PORT,\n"
	"                  dev IF, not, and, or, ( ) (see `tcpdoctor conns --help`)\n"
	"Global: --netns NAME|PID|PATH, --json (one document), --no-color, -4, -6,\n"
	"        --source, --save-dump\n"
	"Source: on a namespace with 50,000+ TCP sockets and as root, the kernel counts\n"
	"(BPF iterator) unless --pid, an expression, --by process or --save-dump needs\n"
	"each socket; --source bpf forces it, --source netlink the netlink dump.\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor states\n"
	"  tcpdoctor states --by lport --top 5\n"
	"  tcpdoctor states --state close-wait --by process\n"
	"  tcpdoctor states state connected '( sport = :https or sport = :http )' --by peer\n"
	"  tcpdoctor --netns web1 states --json\n";

#define DEFAULT_TOP 20

struct opts {
	enum td_group_by by;
	long top;
	bool top_set;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;
	struct td_err err = { 0 };

	switch (val) {
	case 'b':
		if (td_group_by_parse(arg, &o->by, &err) < 0)
			return cmd_fail_err(&err);
		return 0;
	case 't':
		o->top_set = true;
		return cmd_parse_long("--top", arg, 0, LONG_MAX, &o->top);
	}
	return TD_EXIT_USAGE;
}

static void json_group_fields(struct td_json *j, const struct td_agg *a, const struct td_group *g)
{
	char buf[128];

	td_json_str(j, "key", view_group_label(a, g, false, buf, sizeof(buf)));
	switch (a->by) {
	case TD_BY_LPORT:
	case TD_BY_RPORT:
		td_json_uint(j, "port", g->port);
		break;
	case TD_BY_LADDR:
	case TD_BY_PEER:
		td_json_str(j, "addr", td_addr_str(g->family, g->addr, buf, sizeof(buf)));
		td_json_str(j, "family", g->family == AF_INET6 ? "ipv6" : "ipv4");
		break;
	case TD_BY_PROCESS:
		if (g->id) {
			td_json_uint(j, "pid", g->id);
			td_json_str(j, "comm", view_comm((int)g->id, buf, sizeof(buf)));
			/* Who it is beyond comm (docs/json.md, `who`; render/view.h). */
			view_json_proc_fields(j, view_proc_get((int)g->id));
		} else {
			td_json_null(j, "pid");
		}
		break;
	case TD_BY_USER:
		if (g->id == TD_AGG_NO_USER) {
			/* No process holds them (TIME_WAIT, orphans, requests). */
			td_json_null(j, "uid");
			td_json_str(j, "user", "-");
			break;
		}
		td_json_uint(j, "uid", g->id);
		td_json_str(j, "user", view_user_name(g->id, buf, sizeof(buf)));
		break;
	default:
		break;
	}
}

static void print_json(const struct td_ctx *ctx, const struct td_agg *a, const struct td_group **v,
		       size_t n, size_t shown)
{
	struct td_json j;

	cmd_json_begin(&j, ctx, td_source_name(ctx->source.used));
	td_json_uint(&j, "total", a->total);
	view_json_states64(&j, "states", a->counts, true);
	td_json_begin_object(&j, "families");
	td_json_uint(&j, "ipv4", a->ipv4);
	td_json_uint(&j, "ipv6", a->ipv6);
	td_json_end_object(&j);
	if (a->by != TD_BY_NONE) {
		td_json_str(&j, "by", td_group_by_name(a->by));
		td_json_begin_array(&j, "groups");
		for (size_t i = 0; i < shown; i++) {
			td_json_begin_object(&j, NULL);
			json_group_fields(&j, a, v[i]);
			td_json_uint(&j, "total", v[i]->total);
			view_json_states32(&j, "states", v[i]->counts, false);
			td_json_end_object(&j);
		}
		td_json_end_array(&j);
		if (shown < n) {
			uint64_t other[TD_STATE_MAX + 1] = { 0 }, total = 0;

			for (size_t i = shown; i < n; i++) {
				total += v[i]->total;
				for (int st = 0; st <= TD_STATE_MAX; st++)
					other[st] += v[i]->counts[st];
			}
			td_json_begin_object(&j, "other");
			td_json_uint(&j, "groups", n - shown);
			td_json_uint(&j, "total", total);
			view_json_states64(&j, "states", other, false);
			td_json_end_object(&j);
		}
	}
	td_json_end_object(&j);
	td_json_finish(&j);
}

/* Counting by process also counts the sockets whose owner is hidden. */
struct by_process {
	struct td_agg *agg;
	uint64_t unowned; /* with inode but no known owner (by process) */
	const struct td_owners *owners;
};

static int count_cb(const struct td_sock *s, void *data)
{
	struct by_process *fc = data;

	if (fc->owners && s->inode && !td_owners_get(fc->owners, s->inode))
		fc->unowned++;
	return td_agg_add(fc->agg, s);
}

int cmd_states(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "top", required_argument, NULL, 't' },
		{ 0 },
	};
	struct opts o = { .by = TD_BY_NONE, .top = DEFAULT_TOP };
	struct td_owners *owners = NULL;
	struct td_filter f;
	struct td_agg agg;
	struct by_process fc = { 0 };
	struct td_err err = { 0 };
	const struct td_group **v;
	size_t n, shown;
	int rc;

	td_filter_init(&f);
	rc = cmd_getopt(argc, argv, ctx, own, "", true, &f, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	/* Not a filter word: the parser says what it expected there. */
	rc = cmd_filter_expr(ctx, &f, argc, argv, optind);
	if (rc >= 0)
		return rc;
	/* By process on a big host: counted by the kernel, in memory that
	 * grows with the processes; else a dump joined with an owner table
	 * of every socket. */
	td_agg_init(&agg, o.by, NULL);
	rc = o.by == TD_BY_PROCESS ? td_source_count_by_owner(&ctx->source, &f, &agg, &err)
				   : -TD_EUNSUPP;
	if (rc < 0 && rc != -TD_EUNSUPP) {
		td_agg_free(&agg);
		return cmd_fail_dump(ctx, &err);
	}
	if (rc < 0 && o.by == TD_BY_PROCESS) {
		owners = td_owners_new();
		if (!owners)
			return cmd_fail(TD_EXIT_FAILED, "out of memory");
		if (td_owners_resolve(owners, NULL, true, NULL, 0, &err) < 0) {
			td_owners_free(owners);
			return cmd_fail_err(&err);
		}
		td_agg_free(&agg);
		td_agg_init(&agg, o.by, owners);
	}
	fc.agg = &agg;
	fc.owners = owners;
	if (rc == 0)
		; /* counted by owner in the kernel */
	else if (owners)
		rc = td_source_dump(&ctx->source, &f, 0, count_cb, &fc, &err);
	else
		rc = td_source_count(&ctx->source, &f, &agg, &err);
	cmd_source_note(ctx);
	if (rc < 0 && err.code != -TD_ETRUNC) {
		td_agg_free(&agg);
		td_owners_free(owners);
		return cmd_fail_dump(ctx, &err);
	}
	/* A truncated replay still shows what was read, then says so. */
	v = td_agg_sorted(&agg, &n);
	shown = (o.top == 0 || (size_t)o.top > n) ? n : (size_t)o.top;
	if (ctx->json)
		print_json(ctx, &agg, v, n, shown);
	else if (o.by == TD_BY_NONE) {
		struct view_state_counts k = { agg.counts, agg.fam_counts[0], agg.fam_counts[1],
					       agg.total,  agg.ipv4,	      agg.ipv6 };

		view_state_table(stdout, ctx->color, &k);
	} else
		view_group_table(stdout, ctx->color, &agg, v, n, shown);
	if (owners && td_owners_unreadable(owners))
		view_hidden_note(fc.unowned);
	free(v);
	td_agg_free(&agg);
	td_owners_free(owners);
	if (rc < 0)
		return cmd_fail_dump(ctx, &err);
	return TD_EXIT_OK;
}

/* `tcpdoctor conns`: every socket with its queues, timer, retransmits and
 * owner (ss -tanpoi, lsof -i). Owners come from one walk of /proc joined by
 * inode: for an unfiltered listing the walk records every socket inode and
 * the dump streams; for a filtered one the matching sockets are collected
 * first and the walk records only their inodes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "sockets/sockdiag.h"
#include "state.h"
#include "render/view.h"

static const char help[] =
	"usage: tcpdoctor conns [FILTERS] [-i] [--no-owners] [EXPRESSION]\n"
	"\n"
	"List TCP sockets: state, Recv-Q, Send-Q, local and peer address, timer,\n"
	"retransmits and the owning process(es) (what `ss -tanpo` and `lsof -i` give).\n"
	"For LISTEN sockets Recv-Q is the accept queue and Send-Q the backlog.\n"
	"\n"
	"  -i, --info      add tcp_info: rtt/rttvar, cwnd, ssthresh, unacked, lost,\n"
	"                  retransmits, time since last data sent/received, delivery rate\n"
	"  --no-owners     do not look up owning processes (faster)\n"
	"  -n, --numeric   accepted as in ss and netstat (numbers are always printed)\n"
	"  -t -a -p -o     accepted as in `ss -tanpo`: conns lists TCP sockets in every\n"
	"                  state, with their timers and owners, unless told otherwise\n"
	"  -H, --no-header no header line (ss -H)\n"
	"Filters: --state S, -l/--listening, --port P, --sport P, --dport P, --src CIDR,\n"
	"         --dst CIDR, --pid PID (see `tcpdoctor states --help`), and an ss filter\n"
	"         expression as the operands, as ss(8) parses it:\n"
	"           [state S | exclude S]... [EXPR], EXPR: src|dst [= !=] HOST,\n"
	"           sport|dport [= != < > <= >= eq ne lt gt le ge] PORT, dev IFNAME,\n"
	"           not EXPR, EXPR [and|or] EXPR, ( EXPR ) -- and/or left to right,\n"
	"           as ss; HOST: 192.0.2.0/24[:PORT], [2001:db8::1][:PORT], *:PORT, :PORT;\n"
	"           PORT: a number, * or a name from /etc/services (:https)\n"
	"Global: --netns NAME|PID|PATH, --json (one document), --no-color, -4, -6,\n"
	"        --source, --save-dump\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor conns --state established -i\n"
	"  tcpdoctor conns --state close-wait --sport 8080\n"
	"  tcpdoctor conns --dst 192.0.2.0/24 --json\n"
	"  tcpdoctor conns state established '( dport = :443 or sport = :443 )'\n"
	"  tcpdoctor conns sport gt :1024 and not dst 127.0.0.0/8\n";

/* -n is "numeric" (cmd_getopt takes it): no owners has only a long name. */
enum { OPT_NO_OWNERS = 0x100 };

struct opts {
	bool info;
	bool no_owners;
	bool no_header;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;

	(void)arg;
	if (val == 'i')
		o->info = true;
	else if (val == OPT_NO_OWNERS)
		o->no_owners = true;
	else if (val == 'H')
		o->no_header = true;
	else if (val == 'u' || val == 'x' || val == 'w')
		return cmd_fail(TD_EXIT_USAGE,
				"conns: -%c: tcpdoctor lists TCP sockets only "
				"(ss -%c lists %s sockets)",
				val, val,
				val == 'u'   ? "UDP"
				: val == 'x' ? "Unix"
					     : "raw");
	else if (!strchr("tapo", val))
		return TD_EXIT_USAGE;
	return 0;
}

struct out {
	const struct td_ctx *ctx;
	const struct opts *o;
	const struct td_owners *owners;
	struct td_json j;
	unsigned long long count, unowned;
};

static int print_one(const struct td_sock *s, void *data)
{
	struct out *out = data;
	const struct td_owner *own = NULL;
	bool with_owners = !out->o->no_owners;

	if (with_owners && s->inode) {
		own = td_owners_get(out->owners, s->inode);
		if (!own)
			out->unowned++;
	}
	out->count++;
	if (out->ctx->json)
		view_json_sock(&out->j, s, with_owners, own, out->o->info);
	else
		view_sock_line(stdout, out->ctx->color, s, with_owners, own, out->o->info);
	return 0;
}

static bool filtered(const struct td_filter *f)
{
	return f->states || f->family || td_filter_has_addr_port(f) || f->npid;
}

int cmd_conns(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "info", no_argument, NULL, 'i' },
		{ "no-owners", no_argument, NULL, OPT_NO_OWNERS },
		{ "no-header", no_argument, NULL, 'H' },
		{ 0 },
	};
	struct opts o = { 0 };
	struct out out = { .ctx = ctx, .o = &o };
	struct td_sockvec col = { 0 };
	struct td_owners *owners = NULL;
	struct td_filter f;
	struct td_err err = { 0 };
	bool stream;
	int rc;

	td_filter_init(&f);
	rc = cmd_getopt(argc, argv, ctx, own, "iHtapouxw", true, &f, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	/* Not a filter word: the parser says what it expected there. */
	rc = cmd_filter_expr(ctx, &f, argc, argv, optind);
	if (rc >= 0)
		return rc;
	stream = o.no_owners || !filtered(&f);
	if (!o.no_owners) {
		owners = td_owners_new();
		if (!owners)
			return cmd_fail(TD_EXIT_FAILED, "out of memory");
		out.owners = owners;
	}
	if (owners && stream && td_owners_resolve(owners, NULL, true, NULL, 0, &err) < 0) {
		td_owners_free(owners);
		return cmd_fail_err(&err);
	}

	if (ctx->json) {
		/* The source actually used is known after the dump: written last. */
		cmd_json_begin(&out.j, ctx, NULL);
		td_json_begin_array(&out.j, "sockets");
	} else if (!o.no_header) {
		view_sock_header(stdout, ctx->color, !o.no_owners);
	}

	if (stream) {
		rc = td_source_dump(&ctx->source, &f, o.info ? TD_DUMP_INFO : 0, print_one, &out,
				    &err);
	} else {
		rc = td_source_dump(&ctx->source, &f, o.info ? TD_DUMP_INFO : 0, td_sockvec_cb,
				    &col, &err);
		td_owners_set_complete(owners, true);
		for (size_t i = 0; i < col.n; i++)
			td_owners_want(owners, col.v[i].inode);
		if (col.n && td_owners_resolve(owners, NULL, false, NULL, 0, &err) < 0 && rc >= 0)
			rc = err.code;
		for (size_t i = 0; i < col.n; i++)
			print_one(&col.v[i], &out);
	}
	if (ctx->json) {
		td_json_end_array(&out.j);
		td_json_uint(&out.j, "count", out.count);
		td_json_str(&out.j, "source", td_source_name(ctx->source.used));
		td_json_uint(&out.j, "owners_hidden",
			     owners && td_owners_unreadable(owners) ? out.unowned : 0);
		td_json_end_object(&out.j);
		td_json_finish(&out.j);
	}
	cmd_source_note(ctx);
	if (owners && td_owners_unreadable(owners))
		view_hidden_note(out.unowned);
	td_sockvec_free(&col);
	td_owners_free(owners);
	if (rc < 0)
		return cmd_fail_dump(ctx, &err);
	return TD_EXIT_OK;
}

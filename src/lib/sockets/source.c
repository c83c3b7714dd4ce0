/* Socket source selection and the --pid filter; see source.h. */
#include "sockets/source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/tdbpf.h"
#include "sockets/owners.h"
#include "sockets/procnet.h"
#include "sockets/sockdiag.h"

void td_source_init(struct td_source *src)
{
	memset(src, 0, sizeof(*src));
	src->save_fd = -1;
}

int td_source_parse(const char *text, struct td_source *src, struct td_err *err)
{
	if (!strcmp(text, "auto"))
		src->kind = TD_SRC_AUTO;
	else if (!strcmp(text, "netlink"))
		src->kind = TD_SRC_NETLINK;
	else if (!strcmp(text, "proc"))
		src->kind = TD_SRC_PROC;
	else if (!strcmp(text, "bpf"))
		src->kind = TD_SRC_BPF;
	else if (!strncmp(text, "replay:", 7) && text[7]) {
		src->kind = TD_SRC_REPLAY;
		src->replay_path = text + 7;
	} else
		return td_err_set(err, -TD_EPARSE,
				  "--source '%s': expected auto, netlink, proc, bpf or replay:FILE",
				  text);
	return 0;
}

const char *td_source_name(enum td_source_kind kind)
{
	switch (kind) {
	case TD_SRC_NETLINK:
		return "netlink";
	case TD_SRC_PROC:
		return "proc";
	case TD_SRC_REPLAY:
		return "replay";
	case TD_SRC_BPF:
		return "bpf";
	default:
		return "auto";
	}
}

struct pid_ctx {
	const struct td_owners *owners;
	td_sock_cb cb;
	void *ctx;
	unsigned long delivered;
};

static int pid_filter_cb(const struct td_sock *s, void *data)
{
	struct pid_ctx *p = data;

	if (p->owners && (!s->inode || !td_owners_get(p->owners, s->inode)))
		return 0;
	p->delivered++;
	return p->cb(s, p->ctx);
}

/* Errors that mean "this kernel or sandbox does not let us use sock_diag",
 * where /proc/net/tcp still works. */
static bool netlink_refused(int rc)
{
	return rc == -EPROTONOSUPPORT || rc == -EACCES || rc == -EPERM || rc == -EAFNOSUPPORT ||
	       rc == -EOPNOTSUPP || rc == -ENOENT;
}

int td_source_dump(struct td_source *src, const struct td_filter *f, unsigned dump_flags,
		   td_sock_cb cb, void *ctx, struct td_err *err)
{
	struct pid_ctx p = { .cb = cb, .ctx = ctx };
	struct td_owners *owners = NULL;
	int rc;

	if (f && f->npid) {
		owners = td_owners_new();
		if (!owners)
			return td_err_set(err, -ENOMEM, "out of memory");
		rc = td_owners_resolve(owners, NULL, true, f->pid, f->npid, err);
		if (rc < 0) {
			td_owners_free(owners);
			return rc;
		}
		p.owners = owners;
	}
	switch (src->kind) {
	case TD_SRC_REPLAY:
		src->used = TD_SRC_REPLAY;
		rc = td_replay_dump(src->replay_path, f, pid_filter_cb, &p, err);
		break;
	case TD_SRC_PROC:
		src->used = TD_SRC_PROC;
		rc = td_procnet_dump(f, pid_filter_cb, &p, err);
		break;
	case TD_SRC_BPF:
		/* The BPF source only counts; whoever needs sockets reads them
		 * from netlink, and says so. */
		snprintf(src->note, sizeof(src->note),
			 "--source bpf only counts: sockets read from netlink instead");
		/* fall through */
	case TD_SRC_NETLINK:
	case TD_SRC_AUTO:
	default:
		src->used = TD_SRC_NETLINK;
		rc = td_sockdiag_dump(f, dump_flags, src->save_fd, pid_filter_cb, &p, err);
		if (rc < 0 && src->kind == TD_SRC_AUTO && p.delivered == 0 && netlink_refused(rc)) {
			snprintf(src->note, sizeof(src->note),
				 "netlink sock_diag refused (%s): read /proc/net/tcp instead",
				 strerror(-rc));
			td_err_clear(err);
			src->used = TD_SRC_PROC;
			rc = td_procnet_dump(f, pid_filter_cb, &p, err);
		}
		break;
	}
	td_owners_free(owners);
	return rc;
}

/* Below this many TCP sockets netlink counts faster than the BPF iterator can
 * even be loaded and verified (~14 ms here, plus ~12 MiB of RSS for libbpf's
 * copy of the kernel's BTF); above it the in-kernel walk wins (measured on
 * the 2-core VM: netlink 1.1 us/socket, the iterator 0.5 us/socket). */
#define BPF_AUTO_MIN_SOCKETS 50000

/* TCP sockets of this namespace by /proc/net/sockstat{,6}: one small read,
 * no walk. -1 when unknown. */
static long tcp_socket_estimate(void)
{
	static const char *const files[] = { "/proc/net/sockstat", "/proc/net/sockstat6" };
	long total = -1;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char line[256];
		FILE *fp = fopen(files[i], "re");

		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			long inuse = 0, tw = 0;

			if (sscanf(line, "TCP: inuse %ld orphan %*d tw %ld", &inuse, &tw) >= 1 ||
			    sscanf(line, "TCP6: inuse %ld", &inuse) == 1)
				total = (total < 0 ? 0 : total) + inuse + tw;
		}
		fclose(fp);
	}
	return total;
}

/* The kernel counts: asked for (bpf), or auto on a host big enough. */
static bool bpf_wanted(const struct td_source *src)
{
	return src->kind == TD_SRC_BPF ||
	       (src->kind == TD_SRC_AUTO && tcp_socket_estimate() >= BPF_AUTO_MIN_SOCKETS);
}

int td_source_count(struct td_source *src, const struct td_filter *f, struct td_agg *a,
		    struct td_err *err)
{
	enum td_group_by by = a->by;
	const struct td_owners *owners = a->owners;
	int rc;

	src->bpf_note[0] = '\0';
	if (bpf_wanted(src)) {
		struct td_err why = { 0 };

		if (f && f->npid)
			rc = td_err_set(&why, -TD_EUNSUPP,
					"the BPF counter cannot filter by --pid");
		else if (f && f->expr.n)
			rc = td_err_set(&why, -TD_EUNSUPP,
					"the BPF counter cannot apply a filter expression");
		else if (src->save_fd >= 0)
			rc = td_err_set(&why, -TD_EUNSUPP, "--save-dump needs netlink");
		else if (!td_bpf_count_supports(a->by))
			rc = td_err_set(&why, -TD_EUNSUPP, "the BPF counter cannot group by %s",
					td_group_by_name(a->by));
		else
			rc = td_bpf_count(f, a, NULL, &why);
		if (rc == 0) {
			src->used = TD_SRC_BPF;
			return 0;
		}
		snprintf(src->bpf_note, sizeof(src->bpf_note), "%s", why.msg);
		if (src->kind == TD_SRC_BPF) {
			if (err)
				*err = why;
			src->used = TD_SRC_BPF;
			return rc;
		}
		/* Start the fallback from clean counters. */
		td_agg_free(a);
		td_agg_init(a, by, owners);
	}
	return td_source_dump(src, f, 0, td_agg_cb, a, err);
}

struct by_owner {
	const struct td_filter *f;
	struct td_agg *a;
	uint64_t owned[2][TD_STATE_MAX + 1];
	int rc;
};

static int add_owned(uint32_t pid, int family, int state, uint64_t n, void *ctx)
{
	struct by_owner *b = ctx;
	struct td_sock s = { .family = (uint8_t)family, .state = (uint8_t)state };
	int st = td_agg_state(state);

	if (b->f && !td_filter_match(b->f, &s))
		return 0;
	if (st >= 1 && st <= TD_STATE_MAX)
		b->owned[family == AF_INET6][st] += n;
	b->rc = td_agg_add_pid_n(b->a, &s, pid, n);
	return b->rc;
}

int td_source_count_by_owner(struct td_source *src, const struct td_filter *f, struct td_agg *a,
			     struct td_err *err)
{
	struct by_owner b = { .f = f, .a = a };
	struct td_agg tot;
	struct td_err why = { 0 };
	int rc;

	src->bpf_note[0] = '\0';
	if (a->by != TD_BY_PROCESS || a->owners)
		return td_err_set(err, -TD_EUNSUPP, "internal: not a count by owner");
	if (!bpf_wanted(src))
		return -TD_EUNSUPP;
	if (f && (f->npid || f->expr.n || td_filter_has_addr_port(f)))
		rc = td_err_set(&why, -TD_EUNSUPP,
				"the kernel counts by process only with states and family "
				"filters");
	else if (src->save_fd >= 0)
		rc = td_err_set(&why, -TD_EUNSUPP, "--save-dump needs netlink");
	else
		rc = 0;
	if (rc == 0) {
		td_agg_init(&tot, TD_BY_NONE, NULL);
		rc = td_bpf_count(f, &tot, NULL, &why);
		if (rc == 0)
			rc = td_bpf_owner_counts(add_owned, &b, &why);
		if (rc == 0 && b.rc)
			rc = td_err_set(&why, b.rc, "out of memory");
		/* The two walks are a few ms apart: a socket that changed state
		 * in between can make the owned outnumber the total, never below
		 * zero. */
		for (int fam = 0; rc == 0 && fam < 2; fam++) {
			for (int st = 1; st <= TD_STATE_MAX; st++) {
				struct td_sock s = { .family = fam ? AF_INET6 : AF_INET,
						     .state = (uint8_t)st };
				uint64_t all = tot.fam_counts[fam][st];

				if (all > b.owned[fam][st])
					rc = td_agg_add_pid_n(a, &s, 0, all - b.owned[fam][st]);
			}
		}
		td_agg_free(&tot);
	}
	if (rc == 0) {
		src->used = TD_SRC_BPF;
		return 0;
	}
	snprintf(src->bpf_note, sizeof(src->bpf_note), "%s", why.msg);
	/* Start the join from clean counters. */
	td_agg_free(a);
	td_agg_init(a, TD_BY_PROCESS, NULL);
	if (src->kind == TD_SRC_BPF && rc != -TD_EUNSUPP && rc != -E2BIG) {
		if (err)
			*err = why;
		src->used = TD_SRC_BPF;
		return rc;
	}
	return -TD_EUNSUPP;
}

/* Socket source selection and the --pid filter; see source.h. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "owners.h"
#include "procnet.h"
#include "sockdiag.h"

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
	else if (!strncmp(text, "replay:", 7) && text[7]) {
		src->kind = TD_SRC_REPLAY;
		src->replay_path = text + 7;
	} else
		return td_err_set(err, -TD_EPARSE,
				  "--source '%s': expected auto, netlink, proc or replay:FILE", text);
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
	return rc == -EPROTONOSUPPORT || rc == -EACCES || rc == -EPERM ||
	       rc == -EAFNOSUPPORT || rc == -EOPNOTSUPP || rc == -ENOENT;
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
	case TD_SRC_NETLINK:
	case TD_SRC_AUTO:
	default:
		src->used = TD_SRC_NETLINK;
		rc = td_sockdiag_dump(f, dump_flags, src->save_fd, pid_filter_cb, &p, err);
		if (rc < 0 && src->kind == TD_SRC_AUTO && p.delivered == 0 &&
		    netlink_refused(rc)) {
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

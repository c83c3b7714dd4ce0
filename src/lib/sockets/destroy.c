/* Destroying TCP sockets: the plan (pure, unit-tested), SOCK_DESTROY over
 * netlink sock_diag one socket at a time with an ACK each, and the fallback
 * to bpf_sock_destroy() from an iterator. See destroy.h. */
#include "sockets/destroy.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpf/tdbpf.h"
#include "state.h"

#ifndef SOCK_DESTROY
#define SOCK_DESTROY 21
#endif

long td_destroy_plan(struct td_destroy_item *v, size_t n, const struct td_destroy_opts *o,
		     struct td_err *err)
{
	size_t go = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].outcome != TD_DSTR_PLANNED)
			continue;
		if (v[i].s.state == TD_LISTEN && !o->listeners) {
			v[i].outcome = TD_DSTR_REFUSED;
			v[i].why = "a listener (add --listeners)";
		} else if (!(v[i].s.flags & TD_SOCK_HAS_COOKIE)) {
			v[i].outcome = TD_DSTR_REFUSED;
			v[i].why = "no socket cookie (needs the netlink source)";
		} else {
			go++;
		}
	}
	if (go > o->max)
		return td_err_set(err, -E2BIG,
				  "%zu sockets match, more than --max %zu: narrow the filter, or "
				  "raise --max to %zu if that many is meant",
				  go, o->max, go);
	return (long)go;
}

int td_destroy_req_build(const struct td_sock *s, uint32_t seq, void *buf, size_t len)
{
	struct nlmsghdr *nlh = buf;
	struct inet_diag_req_v2 *req;
	size_t need = NLMSG_LENGTH(sizeof(*req));

	if (len < need)
		return -ENOSPC;
	memset(buf, 0, need);
	nlh->nlmsg_len = (uint32_t)need;
	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	req = NLMSG_DATA(nlh);
	req->sdiag_family = s->family;
	req->sdiag_protocol = IPPROTO_TCP;
	/* The exact lookup (inet_diag_find_one_icsk) ignores the states but
	 * the request must name some; every state, as ss -K sends. */
	req->idiag_states = ~0u;
	req->id.idiag_sport = htons(s->lport);
	req->id.idiag_dport = htons(s->rport);
	memcpy(req->id.idiag_src, s->laddr, s->family == AF_INET ? 4 : 16);
	memcpy(req->id.idiag_dst, s->raddr, s->family == AF_INET ? 4 : 16);
	req->id.idiag_if = s->ifindex;
	/* sock_diag_check_cookie(): low word first, as the dump gave it. */
	req->id.idiag_cookie[0] = (uint32_t)s->cookie;
	req->id.idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
	return (int)need;
}

/* Send one request and wait for its ACK: 0 or -errno from the kernel. */
static int destroy_one(int fd, const struct td_sock *s, uint32_t seq)
{
	char buf[8192];
	int len = td_destroy_req_build(s, seq, buf, sizeof(buf));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (len < 0)
		return len;
	if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (; NLMSG_OK(nlh, (size_t)got); nlh = NLMSG_NEXT(nlh, got)) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_seq != seq || nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EIO;
			return e->error;
		}
	}
}

static void set_result(struct td_destroy_item *it, int rc)
{
	if (rc == 0) {
		it->outcome = TD_DSTR_DESTROYED;
	} else if (rc == -ENOENT) {
		it->outcome = TD_DSTR_GONE;
	} else {
		it->outcome = TD_DSTR_FAILED;
		it->errnum = -rc;
		it->why = strerror(-rc);
	}
}

/* SOCK_DESTROY for each planned item. Returns -EOPNOTSUPP (nothing
 * touched) when the kernel lacks it, -EPERM without CAP_NET_ADMIN. */
static int run_netlink(struct td_destroy_item *v, size_t n, struct td_err *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t seq = 1;
	bool first = true;
	int fd, rc;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return td_err_set(err, -errno, "netlink sock_diag is not available: %s",
				  strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = td_err_set(err, -errno, "netlink sock_diag bind failed: %s", strerror(errno));
		close(fd);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].outcome != TD_DSTR_PLANNED)
			continue;
		rc = destroy_one(fd, &v[i].s, seq++);
		/* The answer to the first request says whether the path works
		 * at all; after that, an error belongs to its socket. */
		if (first && (rc == -EOPNOTSUPP || rc == -ENOTSUP)) {
			close(fd);
			return td_err_set(err, -EOPNOTSUPP,
					  "SOCK_DESTROY is not in this kernel "
					  "(CONFIG_INET_DIAG_DESTROY)");
		}
		if (first && rc == -EPERM) {
			close(fd);
			return td_err_set(err, -EPERM,
					  "SOCK_DESTROY refused (EPERM): destroying sockets "
					  "needs CAP_NET_ADMIN in the socket's network namespace "
					  "(run as root)");
		}
		first = false;
		set_result(&v[i], rc);
	}
	close(fd);
	return 0;
}

static int run_bpf(struct td_destroy_item *v, size_t n, struct td_err *err)
{
	uint64_t *cookies = calloc(n + 1, sizeof(*cookies));
	int *res = calloc(n + 1, sizeof(*res));
	size_t k = 0;
	int rc;

	if (!cookies || !res) {
		free(cookies);
		free(res);
		return td_err_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].outcome == TD_DSTR_PLANNED)
			cookies[k++] = v[i].s.cookie;
	rc = k ? td_bpf_destroy(cookies, k, res, err) : 0;
	if (rc == 0) {
		k = 0;
		for (size_t i = 0; i < n; i++) {
			if (v[i].outcome != TD_DSTR_PLANNED)
				continue;
			if (res[k] == TD_DSTR_BPF_UNSEEN) {
				v[i].outcome = TD_DSTR_GONE;
			} else if (res[k] == TD_DSTR_BPF_NOTFULL) {
				v[i].outcome = TD_DSTR_REFUSED;
				v[i].why = "bpf_sock_destroy() takes only full sockets, not "
					   "TIME_WAIT or request sockets";
			} else {
				set_result(&v[i], res[k]);
			}
			k++;
		}
	}
	free(cookies);
	free(res);
	return rc;
}

int td_destroy_run(struct td_destroy_item *v, size_t n, enum td_destroy_via via,
		   enum td_destroy_via *used, struct td_err *err)
{
	struct td_err nl_err = { 0 };
	int rc;

	if (via != TD_VIA_BPF) {
		*used = TD_VIA_NETLINK;
		rc = run_netlink(v, n, via == TD_VIA_AUTO ? &nl_err : err);
		if (rc != -EOPNOTSUPP || via == TD_VIA_NETLINK) {
			if (rc < 0 && via == TD_VIA_AUTO && err)
				*err = nl_err;
			return rc;
		}
	}
	*used = TD_VIA_BPF;
	rc = run_bpf(v, n, err);
	if (rc < 0 && via == TD_VIA_AUTO && err) {
		/* Say why both ways failed, in one line. */
		char bpf_msg[sizeof(err->msg)];

		snprintf(bpf_msg, sizeof(bpf_msg), "%s", err->msg);
		td_err_set(err, rc == -EPERM ? -EPERM : -TD_EUNSUPP,
			   "no way to destroy sockets here: %s; and %s", nl_err.msg, bpf_msg);
		return err->code;
	}
	return rc;
}

const char *td_destroy_outcome_name(enum td_destroy_outcome o)
{
	static const char *const names[] = {
		[TD_DSTR_PLANNED] = "planned", [TD_DSTR_DESTROYED] = "destroyed",
		[TD_DSTR_GONE] = "gone",       [TD_DSTR_REFUSED] = "refused",
		[TD_DSTR_FAILED] = "failed",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

static const char *const via_names[] = {
	[TD_VIA_AUTO] = "auto",
	[TD_VIA_NETLINK] = "netlink",
	[TD_VIA_BPF] = "bpf",
};

const char *td_destroy_via_name(enum td_destroy_via via)
{
	return (unsigned)via < sizeof(via_names) / sizeof(via_names[0]) ? via_names[via] : "?";
}

int td_destroy_via_parse(const char *text, enum td_destroy_via *via, struct td_err *err)
{
	for (size_t i = 0; i < sizeof(via_names) / sizeof(via_names[0]); i++) {
		if (!strcmp(text, via_names[i])) {
			*via = (enum td_destroy_via)i;
			return 0;
		}
	}
	return td_err_set(err, -TD_EPARSE, "'%s': expected auto, netlink or bpf", text);
}

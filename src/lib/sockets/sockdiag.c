/* TCP sockets over netlink sock_diag (the interface ss uses), and the replay
 * of a recorded dump. Filters travel to the kernel: states as idiag_states,
 * ports and addresses as inet_diag bytecode. Both paths stream: each reply
 * message becomes one td_sock handed to the callback, nothing is kept. */
#include "sockets/sockdiag.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "state.h"

/* The kernel fills at most ~32 KiB per dump message batch (netlink_dump()
 * caps max_recvmsg_len there), so a larger user buffer buys nothing but a
 * 1 MiB socket receive buffer lets the kernel run ahead of us. */
#define RECV_BUF_SIZE (64 * 1024)
#define SOCK_RCVBUF (1024 * 1024)
#define BYTECODE_MAX 4096
/* A message larger than this in a replay file is taken as corruption. */
#define REPLAY_MSG_MAX (1024 * 1024)

static void fill_info(struct td_tcpinfo *o, const void *data, size_t len)
{
	struct tcp_info ti;

	/* The kernel's struct may be shorter (older kernel) or longer (newer)
	 * than ours: take what both know, zeros for the rest. */
	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, data, len < sizeof(ti) ? len : sizeof(ti));
	o->ca_state = ti.tcpi_ca_state;
	o->options = ti.tcpi_options;
	o->snd_wscale = ti.tcpi_snd_wscale;
	o->rcv_wscale = ti.tcpi_rcv_wscale;
	o->rto_us = ti.tcpi_rto;
	o->rtt_us = ti.tcpi_rtt;
	o->rttvar_us = ti.tcpi_rttvar;
	o->snd_mss = ti.tcpi_snd_mss;
	o->rcv_mss = ti.tcpi_rcv_mss;
	o->snd_cwnd = ti.tcpi_snd_cwnd;
	o->snd_ssthresh = ti.tcpi_snd_ssthresh;
	o->unacked = ti.tcpi_unacked;
	o->sacked = ti.tcpi_sacked;
	o->lost = ti.tcpi_lost;
	o->retrans = ti.tcpi_retrans;
	o->total_retrans = ti.tcpi_total_retrans;
	o->last_data_sent_ms = ti.tcpi_last_data_sent;
	o->last_data_recv_ms = ti.tcpi_last_data_recv;
	o->last_ack_recv_ms = ti.tcpi_last_ack_recv;
	o->rcv_space = ti.tcpi_rcv_space;
	o->bytes_acked = ti.tcpi_bytes_acked;
	o->bytes_received = ti.tcpi_bytes_received;
	o->delivery_rate = ti.tcpi_delivery_rate;
	o->min_rtt_us = ti.tcpi_min_rtt;
	o->probes = ti.tcpi_probes;
	o->backoff = ti.tcpi_backoff;
}

int td_sockdiag_parse(const void *msg, struct td_sock *s, struct td_err *err)
{
	const struct nlmsghdr *nlh = msg;
	const struct inet_diag_msg *r;
	const struct nlattr *a;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*r)))
		return td_err_set(
			err, -TD_EPARSE,
			"sock_diag message of %u bytes is shorter than inet_diag_msg (%zu)",
			nlh->nlmsg_len, NLMSG_LENGTH(sizeof(*r)));
	r = mnl_nlmsg_get_payload(nlh);
	if (r->idiag_family != AF_INET && r->idiag_family != AF_INET6)
		return td_err_set(err, -TD_EPARSE, "sock_diag message with address family %u",
				  r->idiag_family);
	memset(s, 0, sizeof(*s));
	s->family = r->idiag_family;
	s->state = r->idiag_state;
	s->timer = r->idiag_timer;
	s->retrans = r->idiag_retrans;
	s->lport = ntohs(r->id.idiag_sport);
	s->rport = ntohs(r->id.idiag_dport);
	memcpy(s->laddr, r->id.idiag_src, 16);
	memcpy(s->raddr, r->id.idiag_dst, 16);
	if (s->family == AF_INET) {
		/* Only the first word is meaningful; keep the rest zero. */
		memset(s->laddr + 4, 0, 12);
		memset(s->raddr + 4, 0, 12);
	}
	s->ifindex = r->id.idiag_if;
	/* sock_diag_save_cookie(): low word first. */
	s->cookie = (uint64_t)r->id.idiag_cookie[0] | (uint64_t)r->id.idiag_cookie[1] << 32;
	s->flags = TD_SOCK_HAS_COOKIE;
	s->timer_ms = s->timer ? r->idiag_expires : 0;
	s->rqueue = r->idiag_rqueue;
	s->wqueue = r->idiag_wqueue;
	s->uid = r->idiag_uid;
	s->inode = r->idiag_inode;
	if (s->state == TD_LISTEN)
		s->flags |= TD_SOCK_HAS_BACKLOG;

	mnl_attr_for_each (a, nlh, sizeof(*r)) {
		if (mnl_attr_get_type(a) == INET_DIAG_INFO) {
			fill_info(&s->info, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
			s->flags |= TD_SOCK_HAS_INFO;
		}
	}
	/* mnl_attr_for_each() stops quietly at an attribute that does not fit:
	 * that is a corrupt message, not a socket without attributes. */
	if ((const char *)a != (const char *)mnl_nlmsg_get_payload_tail(nlh))
		return td_err_set(err, -TD_EPARSE,
				  "sock_diag message of %u bytes: malformed attribute at byte %td",
				  nlh->nlmsg_len, (const char *)a - (const char *)nlh);
	return 0;
}

struct dump_ctx {
	td_sock_cb cb;
	void *ctx;
	int rc; /* callback's stop value */
	struct td_err *err;
	uint64_t n; /* sockets delivered */
};

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct td_sock s;
	int rc;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY && nlh->nlmsg_type != TCPDIAG_GETSOCK)
		return MNL_CB_OK;
	d->n++;
	rc = td_sockdiag_parse(nlh, &s, d->err);
	if (rc < 0) {
		d->rc = rc;
		return MNL_CB_ERROR;
	}
	rc = d->cb(&s, d->ctx);
	if (rc) {
		d->rc = rc;
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint32_t kernel_states(const struct td_filter *f)
{
	uint32_t states = f && f->states ? f->states : TD_STATES_ALL;

	/* Request sockets live in the established hash as TCP_NEW_SYN_RECV and
	 * are dumped only when that bit is set (they are then reported as
	 * SYN_RECV). */
	if (states & TD_STATE_BIT(TD_SYN_RECV))
		states |= TD_STATE_BIT(TD_NEW_SYN_RECV);
	return states;
}

static int dump_family(struct mnl_socket *nl, int family, const struct td_filter *f, unsigned flags,
		       const void *bc, int bclen, int save_fd, char *buf, struct dump_ctx *d,
		       struct td_err *err)
{
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	unsigned int seq = (unsigned int)family, portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (family == AF_UNSPEC) {
		/* Both families in one walk of the established hash: the
		 * request before sock_diag (TCPDIAG_GETSOCK) is the one the
		 * kernel answers with sdiag_family AF_UNSPEC. */
		struct inet_diag_req *old;

		nlh->nlmsg_type = TCPDIAG_GETSOCK;
		old = mnl_nlmsg_put_extra_header(nlh, sizeof(*old));
		old->idiag_states = kernel_states(f);
		if (flags & TD_DUMP_INFO)
			old->idiag_ext |= 1 << (INET_DIAG_INFO - 1);
	} else {
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
		req->sdiag_family = (uint8_t)family;
		req->sdiag_protocol = IPPROTO_TCP;
		req->idiag_states = kernel_states(f);
		if (flags & TD_DUMP_INFO)
			req->idiag_ext |= 1 << (INET_DIAG_INFO - 1);
	}
	if (bclen > 0)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, (size_t)bclen, bc);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return td_err_set(err, -errno, "sock_diag request failed: %s", strerror(errno));

	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, RECV_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return td_err_set(err, -errno, "sock_diag receive failed: %s",
					  strerror(errno));
		}
		if (save_fd >= 0) {
			rc = write_all(save_fd, buf, (size_t)n);
			if (rc < 0)
				return td_err_set(err, rc, "writing the dump file: %s",
						  strerror(-rc));
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, on_msg, d);
		if (rc == MNL_CB_ERROR) {
			if (d->rc < 0)
				return d->rc;
			if (errno == EINVAL && bclen > 0)
				return td_err_set(err, -EINVAL,
						  "the kernel rejected the filter bytecode (%s)",
						  strerror(errno));
			return td_err_set(err, -errno, "sock_diag dump of %s failed: %s",
					  family == AF_INET    ? "IPv4"
					  : family == AF_INET6 ? "IPv6"
							       : "TCP",
					  strerror(errno));
		}
		if (d->rc)
			return d->rc;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

int td_sockdiag_dump(const struct td_filter *f, unsigned flags, int save_fd, td_sock_cb cb,
		     void *ctx, struct td_err *err)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct dump_ctx d = { .cb = cb, .ctx = ctx, .err = err };
	uint8_t bc[BYTECODE_MAX];
	struct mnl_socket *nl;
	int bclen = 0, rcvbuf = SOCK_RCVBUF, rc = 0;
	char *buf;

	if (f) {
		bclen = td_filter_bytecode(f, bc, sizeof(bc));
		if (bclen < 0)
			return td_err_set(err, bclen, "filter too large for the kernel's bytecode");
	}
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return td_err_set(err, -errno, "netlink sock_diag is not available: %s",
				  strerror(errno));
	/* Best effort: the kernel caps it at rmem_max, and a smaller buffer is
	 * only slower. */
	(void)setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = td_err_set(err, -errno, "netlink sock_diag bind failed: %s", strerror(errno));
		mnl_socket_close(nl);
		return rc;
	}
	buf = malloc(RECV_BUF_SIZE);
	if (!buf) {
		mnl_socket_close(nl);
		return td_err_set(err, -ENOMEM, "out of memory");
	}
	/* Both families: one walk of the table for the two (the kernel scans
	 * every socket of the established hash for each dump), unless the
	 * dump is saved (a file as ss -D writes it, by family) or the kernel
	 * refuses the old request before answering anything. */
	if ((!f || !f->family) && save_fd < 0) {
		rc = dump_family(nl, AF_UNSPEC, f, flags, bc, bclen, -1, buf, &d, err);
		if (rc >= 0 || d.n || d.rc)
			goto out;
		td_err_clear(err);
		rc = 0;
	}
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && !rc; i++) {
		if (f && f->family && f->family != families[i])
			continue;
		rc = dump_family(nl, families[i], f, flags, bc, bclen, save_fd, buf, &d, err);
	}
out:
	free(buf);
	mnl_socket_close(nl);
	return rc;
}

/* Read exactly len bytes; returns bytes read (short only at end of file). */
static size_t read_full(FILE *fp, void *buf, size_t len)
{
	return fread(buf, 1, len, fp);
}

int td_replay_check(const char *path, struct td_err *err)
{
	struct nlmsghdr hdr;
	FILE *fp = fopen(path, "rb");
	size_t got;
	int rc = 0;

	if (!fp)
		return td_err_set(err, -errno, "%s: cannot open the dump: %s", path,
				  strerror(errno));
	got = read_full(fp, &hdr, sizeof(hdr));
	if (got > 0 && got < sizeof(hdr))
		rc = td_err_set(err, -TD_EPARSE,
				"%s: not a sock_diag dump (ss -D or --save-dump): %zu bytes, "
				"where the message header at byte 0 needs %zu",
				path, got, sizeof(hdr));
	else if (got && (hdr.nlmsg_len < sizeof(hdr) || hdr.nlmsg_len > REPLAY_MSG_MAX ||
			 (hdr.nlmsg_type != SOCK_DIAG_BY_FAMILY && hdr.nlmsg_type != NLMSG_DONE &&
			  hdr.nlmsg_type != NLMSG_ERROR)))
		rc = td_err_set(err, -TD_EPARSE,
				"%s: not a sock_diag dump (ss -D or --save-dump): the first "
				"message has length %u and type %u",
				path, hdr.nlmsg_len, hdr.nlmsg_type);
	fclose(fp);
	return rc;
}

int td_replay_dump(const char *path, const struct td_filter *f, td_sock_cb cb, void *ctx,
		   struct td_err *err)
{
	struct nlmsghdr hdr;
	unsigned long long off = 0, msgno = 0, kept = 0;
	FILE *fp;
	char *buf;
	size_t got;
	int rc = 0;

	fp = fopen(path, "rb");
	if (!fp)
		return td_err_set(err, -errno, "%s: cannot open the dump: %s", path,
				  strerror(errno));
	buf = malloc(REPLAY_MSG_MAX);
	if (!buf) {
		fclose(fp);
		return td_err_set(err, -ENOMEM, "out of memory");
	}
	for (;;) {
		struct td_sock s;
		size_t want;

		got = read_full(fp, &hdr, sizeof(hdr));
		if (got == 0)
			break;
		msgno++;
		if (got < sizeof(hdr)) {
			rc = td_err_set(err, -TD_ETRUNC,
					"%s: truncated message header at byte %llu (message %llu): "
					"kept %llu sockets",
					path, off, msgno, kept);
			break;
		}
		if (hdr.nlmsg_len < sizeof(hdr) || hdr.nlmsg_len > REPLAY_MSG_MAX) {
			rc = td_err_set(err, -TD_EPARSE,
					"%s: bad message length %u at byte %llu (message %llu): "
					"not a sock_diag dump? kept %llu sockets",
					path, hdr.nlmsg_len, off, msgno, kept);
			break;
		}
		memcpy(buf, &hdr, sizeof(hdr));
		want = NLMSG_ALIGN(hdr.nlmsg_len) - sizeof(hdr);
		got = read_full(fp, buf + sizeof(hdr), want);
		/* The last message may lack its alignment padding. */
		if (got < hdr.nlmsg_len - sizeof(hdr)) {
			rc = td_err_set(err, -TD_ETRUNC,
					"%s: truncated message at byte %llu (message %llu, %u "
					"bytes, %zu present): kept %llu sockets",
					path, off, msgno, hdr.nlmsg_len, got + sizeof(hdr), kept);
			break;
		}
		off += sizeof(hdr) + got;
		if (hdr.nlmsg_type == NLMSG_DONE)
			continue;
		if (hdr.nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = (const void *)(buf + sizeof(hdr));
			int code = hdr.nlmsg_len >= NLMSG_LENGTH(sizeof(int)) && e->error < 0 &&
						   e->error > -4096
					   ? -e->error
					   : EIO;

			rc = td_err_set(err, -TD_EPARSE,
					"%s: the recorded dump holds a netlink error at message "
					"%llu: %s: kept %llu sockets",
					path, msgno, strerror(code), kept);
			break;
		}
		if (hdr.nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		rc = td_sockdiag_parse(buf, &s, NULL);
		if (rc < 0) {
			struct td_err why = { 0 };

			td_sockdiag_parse(buf, &s, &why);
			rc = td_err_set(err, rc,
					"%s: message %llu at byte %llu: %s: kept %llu sockets",
					path, msgno, off - sizeof(hdr) - got, why.msg, kept);
			break;
		}
		if (f && !td_filter_match(f, &s))
			continue;
		kept++;
		rc = cb(&s, ctx);
		if (rc)
			break;
	}
	if (!rc && ferror(fp))
		rc = td_err_set(err, -EIO, "%s: read error after byte %llu", path, off);
	free(buf);
	fclose(fp);
	return rc;
}

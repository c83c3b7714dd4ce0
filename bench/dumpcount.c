/* The floor for `tcpdoctor states`: the least any netlink tool can do to count TCP
 * sockets by state — one sock_diag dump per family, no tcp_info, no owners, no
 * formatting — so bench/states/run can say how close tcpdoctor gets to it. */
#include <errno.h>
#include <inttypes.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

/* One recvmsg() never returns more than one dump skb, and netlink caps those
 * at 32 KiB (max_recvmsg_len), ~250 sockets; 1 MiB is simply never too small. */
#define DUMP_BUF_SIZE (1u << 20)
#define STATE_SLOTS 16
/* Every TCP state, ESTABLISHED (1) .. NEW_SYN_RECV (12). Not ~0: bit 13,
 * TCP_BOUND_INACTIVE (kernel 6.5+), makes inet_diag also walk the bind hash for
 * bound, unconnected sockets, which costs ~25% more at 20k sockets. */
#define ALL_TCP_STATES 0x1ffeu

/* Kernel numbering (include/net/tcp_states.h). */
static const char *const state_names[STATE_SLOTS] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT",	[3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",   [6] = "TIME_WAIT", [7] = "CLOSE",	  [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",    [10] = "LISTEN",	[11] = "CLOSING", [12] = "NEW_SYN_RECV",
};

struct dump_counts {
	uint64_t by_state[STATE_SLOTS];
	uint64_t other;
};

static int count_one(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	struct dump_counts *counts = data;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*msg)))
		return MNL_CB_ERROR;
	if (msg->idiag_state < STATE_SLOTS)
		counts->by_state[msg->idiag_state]++;
	else
		counts->other++;
	return MNL_CB_OK;
}

/* One NLM_F_DUMP of every TCP socket of @family; returns 0 or -errno. */
static int dump_family(struct mnl_socket *nl, uint8_t family, char *buf, struct dump_counts *counts)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	unsigned int seq = (unsigned int)time(NULL) + family;
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	ssize_t len;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ALL_TCP_STATES;
	req->idiag_ext = 0; /* no tcp_info: the floor is the bare walk */

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, DUMP_BUF_SIZE);
		if (len < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, count_one, counts);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return errno ? -errno : -EIO;
	}
}

int main(int argc, char **argv)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct dump_counts counts = { 0 };
	int rcvbuf = DUMP_BUF_SIZE;
	struct mnl_socket *nl;
	uint64_t total = 0;
	size_t i;
	char *buf;
	int ret, fd;

	if (argc > 1) {
		fprintf(stderr,
			"usage: %s\n"
			"count the TCP sockets of this network namespace by state "
			"(bare sock_diag dump)\n",
			argv[0]);
		return 2;
	}
	buf = malloc(DUMP_BUF_SIZE);
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!buf || !nl) {
		fprintf(stderr, "dumpcount: netlink socket: %s\n", strerror(errno));
		return 3;
	}
	/* rmem_max caps SO_RCVBUF (212992 by default); root may go past it. */
	fd = mnl_socket_get_fd(nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "dumpcount: netlink bind: %s\n", strerror(errno));
		return 3;
	}
	for (i = 0; i < sizeof(families); i++) {
		ret = dump_family(nl, families[i], buf, &counts);
		if (ret < 0) {
			fprintf(stderr, "dumpcount: sock_diag dump (%s): %s\n",
				families[i] == AF_INET ? "AF_INET" : "AF_INET6", strerror(-ret));
			return 3;
		}
	}
	mnl_socket_close(nl);
	free(buf);

	for (i = 0; i < STATE_SLOTS; i++) {
		total += counts.by_state[i];
		if (counts.by_state[i])
			printf("%-12s %" PRIu64 "\n", state_names[i] ? state_names[i] : "UNKNOWN",
			       counts.by_state[i]);
	}
	if (counts.other)
		printf("%-12s %" PRIu64 "\n", "UNKNOWN", counts.other);
	printf("%-12s %" PRIu64 "\n", "total", total + counts.other);
	return 0;
}

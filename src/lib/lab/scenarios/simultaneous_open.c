/* Lab scenario simultaneous-open: two sockets, neither listening, connect()
 * to each other and their SYNs cross (RFC 9293 3.5, figure 8). Each side
 * goes SYN_SENT -> SYN_RECV -> ESTABLISHED. On a veth the SYNs never cross
 * by chance, so the lab holds each phase with nftables and ARP. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/lab_int.h" /* td_lab_setup_failed: an address of its own */
#include "lab/scenarios/scenario.h"

/* Addresses of their own: the path warm-up left ARP entries for .1 and .2,
 * and this scenario needs the first SYNs to wait for ARP. */
#define SO_ADDR_A "192.0.2.11"
#define SO_ADDR_B "192.0.2.12"
#define SO_PORT_A 5020
#define SO_PORT_B 5021

struct so_arg {
	const char *local, *peer;
	uint16_t lport, pport;
};

/* bind() to a fixed port and connect() to the peer's fixed port: the only
 * way to make a simultaneous open, since each SYN must reach the socket
 * that sent the other. */
static int so_peer(struct td_lab_actor_ctx *a, void *arg)
{
	const struct so_arg *so = arg;
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(so->lport) };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(so->pport) };
	struct pollfd p;
	socklen_t len;
	int one = 1, fd, r, e = 0;

	inet_pton(AF_INET, so->local, &me.sin_addr);
	inet_pton(AF_INET, so->peer, &to.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		td_lab_say(a, "bind", errno, 0);
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&to, sizeof(to));
	td_lab_say(a, "connect", r < 0 ? errno : 0, 0);
	if (r == 0 || errno != EINPROGRESS)
		return 0;
	p = (struct pollfd){ fd, POLLOUT, 0 };
	while (poll(&p, 1, 30000) < 0 && errno == EINTR)
		;
	len = sizeof(e);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	td_lab_say(a, "SO_ERROR", e, 0);
	return 0;
}

/* Phase 1, in both namespaces: no ARP in (each side's first SYN waits in
 * the neighbour queue for an ARP answer that cannot come: two SYNs "in
 * flight" at once) and no segment with ACK in (a SYN-ACK would complete a
 * handshake before both sides got the other's SYN). */
static const char so_hold[] = "table arp td_lab_so {\n"
			      "  chain in { type filter hook input priority 0; policy drop; }\n"
			      "}\n"
			      "table inet td_lab_so {\n"
			      "  chain in { type filter hook input priority 0; policy accept;\n"
			      "    tcp flags & ack == ack counter drop\n"
			      "  }\n"
			      "}\n";

static int so_nft_both(struct td_lab *lab, const char *script)
{
	TD_LAB_TRY(td_lab_nft(lab, "client", script));
	return td_lab_nft(lab, "server", script);
}

int td_lab_sc_simultaneous_open(struct td_lab *lab)
{
	static const struct so_arg a = { SO_ADDR_A, SO_ADDR_B, SO_PORT_A, SO_PORT_B };
	static const struct so_arg b = { SO_ADDR_B, SO_ADDR_A, SO_PORT_B, SO_PORT_A };
	struct td_err e = { 0 };
	int pa, pb, rc;

	TD_LAB_TRY(td_lab_topology(lab));
	rc = td_labnet_addr_add(td_lab_ns(lab, "client"), TD_LAB_CLIENT_IF, SO_ADDR_A "/24", &e);
	if (!rc)
		rc = td_labnet_addr_add(td_lab_ns(lab, "server"), TD_LAB_SERVER_IF, SO_ADDR_B "/24",
					&e);
	if (rc < 0)
		return td_lab_setup_failed(lab, rc, &e);
	/* The SYN_RECV phase counts against tcp_syn_retries too (the SYN's
	 * retransmissions so far included): leave room for it. */
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.tcp_syn_retries", "6"));
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.tcp_syn_retries", "6"));
	/* ARP asks again every 250 ms, so a released hold resolves at once. */
	TD_LAB_TRY(td_lab_sysctl(lab, "client",
				 "net.ipv4.neigh." TD_LAB_CLIENT_IF ".retrans_time_ms", "250"));
	TD_LAB_TRY(td_lab_sysctl(lab, "server",
				 "net.ipv4.neigh." TD_LAB_SERVER_IF ".retrans_time_ms", "250"));
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.neigh." TD_LAB_CLIENT_IF ".mcast_solicit",
				 "100"));
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.neigh." TD_LAB_SERVER_IF ".mcast_solicit",
				 "100"));
	TD_LAB_TRY(so_nft_both(lab, so_hold));
	td_lab_story(lab,
		     "Nobody listens. In %s, %s:%d connect()s to %s:%d; in %s, %s:%d "
		     "connect()s to %s:%d, both bound to their port first.",
		     td_lab_ns(lab, "client"), SO_ADDR_A, SO_PORT_A, SO_ADDR_B, SO_PORT_B,
		     td_lab_ns(lab, "server"), SO_ADDR_B, SO_PORT_B, SO_ADDR_A, SO_PORT_A);
	TD_LAB_TRY(
		pa = td_lab_spawn(lab, "client", "peer " SO_ADDR_A ":5020", so_peer, (void *)&a));
	TD_LAB_TRY(
		pb = td_lab_spawn(lab, "server", "peer " SO_ADDR_B ":5021", so_peer, (void *)&b));
	TD_LAB_TRY(td_lab_expect_errno(lab, pa, "connect", EINPROGRESS, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, pb, "connect", EINPROGRESS, 1, 3000));
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client SYN_SENT=1 total=1 "
					"server SYN_SENT=1 total=1",
					3000));
	td_lab_story(lab, "Both are in SYN_SENT. Their SYNs are in flight at the same time: "
			  "each waits in its kernel's neighbour queue for an ARP answer, which an "
			  "nftables rule holds back on both sides (on a veth, with no such hold, "
			  "one SYN always arrives before the other is sent).");

	TD_LAB_TRY(so_nft_both(lab, "delete table arp td_lab_so\n"));
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client SYN_RECV=1 total=1 "
					"server SYN_RECV=1 total=1",
					4000));
	td_lab_story(lab, "ARP is let through: the queued SYNs leave and cross. Each socket "
			  "receives a SYN while in SYN_SENT: it enters SYN_RECV and answers "
			  "SYN-ACK, its own SYN again with the ACK of the peer's (RFC 9293 3.5, "
			  "figure 8). A rule drops segments with ACK for now, so both stay there.");

	TD_LAB_TRY(so_nft_both(lab, "delete table inet td_lab_so\n"));
	TD_LAB_TRY(td_lab_expect_errno(lab, pa, "SO_ERROR", 0, 1, 6000));
	TD_LAB_TRY(td_lab_expect_errno(lab, pb, "SO_ERROR", 0, 1, 6000));
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client ESTABLISHED=1 total=1 "
					"server ESTABLISHED=1 total=1",
					3000));
	td_lab_story(lab, "The ACK rule is removed: the next retransmitted SYN-ACKs get "
			  "through and each side, in SYN_RECV, takes the one it receives as the "
			  "ACK of its SYN: ESTABLISHED on both, one connection, four segments' "
			  "worth of handshake and no listener anywhere. connect() succeeds on both "
			  "(SO_ERROR 0).");
	return 0;
}

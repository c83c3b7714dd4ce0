/* Lab scenarios fin-wait1 and last-ack: the side that closes never hears
 * the ACK of its FIN (a filter drops the peer's pure ACKs), so it stays in
 * FIN_WAIT1 / LAST_ACK retransmitting the FIN, until tcp_orphan_retries
 * runs out and the kernel drops the socket without a word. */
#include <errno.h>

#include "lab/scenarios/scenario.h"

#define FW1_PORT 5050
#define LA_PORT 5051
/* RTO 200 ms, doubling: FIN retransmits at 0.2, 0.6, 1.4, 3.0 s. At each
 * timeout the kernel asks whether the time 3 backed-off retransmits take,
 * (2^(3+1) - 1) x 200 ms = 3 s, has passed since the FIN was first sent
 * (retransmits_timed_out); at 3.0 s it has not quite, so the orphan goes at
 * the next timeout, 6.2 s after the FIN, after 4 retransmits. */
#define FIN_ORPHAN_RETRIES "3"

/* The server's kernel answers nothing but with a FIN or SYN: its pure ACKs
 * (the ACK of the client's FIN among them) are dropped on the way out. */
static int drop_server_acks(struct td_lab *lab, int port)
{
	char script[320];

	snprintf(script, sizeof(script),
		 "table inet td_lab_acks {\n"
		 "  chain out {\n"
		 "    type filter hook output priority 0; policy accept;\n"
		 "    tcp sport %d tcp flags & (fin|syn|rst|ack) == ack drop\n"
		 "  }\n"
		 "}\n",
		 port);
	return td_lab_nft(lab, "server", script);
}

/* The closing side's socket (an orphan: its fd is closed) retransmits the
 * FIN with a rising count, then is dropped (TCPAbortOnTimeout). */
static int expect_fin_retrans(struct td_lab *lab, int state, int port, uint64_t retrans,
			      uint64_t aborts, const char *left)
{
	char spec[96];

	TD_LAB_TRY(td_lab_expect_timer(lab, "client", state, (uint16_t)port, TD_TIMER_RETRANS, 1,
				       2000));
	TD_LAB_TRY(td_lab_expect_timer(lab, "client", state, (uint16_t)port, TD_TIMER_RETRANS, 3,
				       3000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "Tcp.RetransSegs", retrans, 3));
	td_lab_story(lab, "The FIN goes out again at each retransmission timeout, 200 ms "
			  "doubling (RFC 6298): `conns` shows the socket with timer on and its "
			  "retransmit count rising (ss: timer:(on,...,N)).");
	snprintf(spec, sizeof(spec), "client total=0 server %s", left);
	TD_LAB_TRY(td_lab_expect_states(lab, spec, 9000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "TcpExt.TCPAbortOnTimeout", aborts, 1));
	td_lab_story(lab,
		     "The socket is an orphan (its application closed it), so "
		     "tcp_orphan_retries bounds it, not tcp_retries2: %s here, which allows "
		     "(2^4 - 1) x 200 ms = 3 s of backed-off retransmits; the timeout after "
		     "that (~6 s) drops it. No RST is sent, only TcpExt.TCPAbortOnTimeout "
		     "counts it. With the default 0 (meaning 8) an orphan lasts ~100 s at "
		     "this RTO, far longer on a slow path.",
		     FIN_ORPHAN_RETRIES);
	return 0;
}

int td_lab_sc_fin_wait1(struct td_lab *lab)
{
	const struct td_lab_server srv = {
		.addr = { TD_LAB_SERVER4 },
		.port = FW1_PORT,
		.mode = TD_LAB_SRV_HOLD,
	};
	const struct td_lab_clients cli = {
		.addr = TD_LAB_SERVER4,
		.port = FW1_PORT,
		.count = 1,
		.steps = TD_LAB_CLI_CLOSE,
	};
	uint64_t retrans, aborts;
	int s, c;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.tcp_orphan_retries", FIN_ORPHAN_RETRIES));
	TD_LAB_TRY(drop_server_acks(lab, FW1_PORT));
	TD_LAB_TRY(td_lab_counter(lab, "client", "Tcp.RetransSegs", &retrans));
	TD_LAB_TRY(td_lab_counter(lab, "client", "TcpExt.TCPAbortOnTimeout", &aborts));
	td_lab_story(lab,
		     "The server listens on %s:%d, accepts and never closes. An nft rule "
		     "in its namespace drops every pure ACK it sends on that port (tcp flags "
		     "& (fin|syn|rst|ack) == ack): the peer has stopped answering.",
		     TD_LAB_SERVER4, FW1_PORT);
	TD_LAB_TRY(s = td_lab_server(lab, "server", &srv));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 1, 3000));
	TD_LAB_TRY(c = td_lab_clients(lab, "client", &cli));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "close", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "read", 0, 1, 3000));
	td_lab_story(lab, "The client connects and close()s: its FIN arrives (the server's "
			  "read() returns 0, it is in CLOSE_WAIT), but the ACK of that FIN is "
			  "dropped.");
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client FIN_WAIT1=1 total=1 "
					"server CLOSE_WAIT=1 LISTEN=1 total=2",
					3000));
	td_lab_story(lab, "So the client stays in FIN_WAIT1 (RFC 9293 3.6: FIN sent, not yet "
			  "acknowledged) instead of moving on to FIN_WAIT2.");
	return expect_fin_retrans(lab, TD_FIN_WAIT1, FW1_PORT, retrans, aborts,
				  "CLOSE_WAIT=1 LISTEN=1");
}

int td_lab_sc_last_ack(struct td_lab *lab)
{
	const struct td_lab_server srv = {
		.addr = { TD_LAB_SERVER4 },
		.port = LA_PORT,
		.mode = TD_LAB_SRV_CLOSE_FIRST,
	};
	const struct td_lab_clients cli = {
		.addr = TD_LAB_SERVER4,
		.port = LA_PORT,
		.count = 1,
		.steps = TD_LAB_CLI_READ | TD_LAB_CLI_CLOSE,
	};
	uint64_t retrans, aborts;
	int s, c;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.tcp_orphan_retries", FIN_ORPHAN_RETRIES));
	TD_LAB_TRY(drop_server_acks(lab, LA_PORT));
	TD_LAB_TRY(td_lab_counter(lab, "client", "Tcp.RetransSegs", &retrans));
	TD_LAB_TRY(td_lab_counter(lab, "client", "TcpExt.TCPAbortOnTimeout", &aborts));
	td_lab_story(lab,
		     "The server listens on %s:%d, accepts and close()s at once: it "
		     "closes first. An nft rule in its namespace drops every pure ACK it "
		     "sends on that port.",
		     TD_LAB_SERVER4, LA_PORT);
	TD_LAB_TRY(s = td_lab_server(lab, "server", &srv));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 1, 3000));
	TD_LAB_TRY(c = td_lab_clients(lab, "client", &cli));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "close", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "read", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "close", 0, 1, 3000));
	td_lab_story(lab,
		     "The server's FIN (it has a FIN flag, so it passes) puts the client "
		     "in CLOSE_WAIT; its read() returns 0 and it close()s: its own FIN reaches "
		     "the server, which goes to TIME_WAIT and ACKs it — and that ACK is "
		     "dropped.");
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client LAST_ACK=1 total=1 "
					"server TIME_WAIT=1 LISTEN=1 total=2",
					3000));
	td_lab_story(lab, "So the client stays in LAST_ACK (RFC 9293 3.6: the passive closer "
			  "waits for the ACK of its FIN); the server's TIME_WAIT answers each "
			  "retransmitted FIN with an ACK and restarts its 60 s (RFC 9293 "
			  "3.10.7.4), in vain.");
	return expect_fin_retrans(lab, TD_LAST_ACK, LA_PORT, retrans, aborts,
				  "TIME_WAIT=1 LISTEN=1");
}

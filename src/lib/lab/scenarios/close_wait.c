/* Lab scenario close-wait-leak: an application that reads the peer's FIN
 * (read() returns 0) and never calls close(). Its sockets stay in
 * CLOSE_WAIT for as long as the process lives; the peers' FIN_WAIT2 ends
 * with tcp_fin_timeout. */
#include "lab/scenarios/scenario.h"

#define CWL_PORT 5000
#define CWL_CLIENTS4 3
#define CWL_CLIENTS6 1
#define CWL_FIN_TIMEOUT "12"

int td_lab_sc_close_wait_leak(struct td_lab *lab)
{
	const struct td_lab_server srv = {
		.addr = { TD_LAB_SERVER4, TD_LAB_SERVER6 },
		.port = CWL_PORT,
		.mode = TD_LAB_SRV_HOLD,
	};
	const struct td_lab_clients cli4 = {
		.addr = TD_LAB_SERVER4,
		.port = CWL_PORT,
		.count = CWL_CLIENTS4,
		.steps = TD_LAB_CLI_SHUT_WR | TD_LAB_CLI_CLOSE,
	};
	const struct td_lab_clients cli6 = {
		.addr = TD_LAB_SERVER6,
		.port = CWL_PORT,
		.count = CWL_CLIENTS6,
		.steps = TD_LAB_CLI_SHUT_WR | TD_LAB_CLI_CLOSE,
	};
	int s, c4, c6;

	TD_LAB_TRY(td_lab_topology(lab));
	/* Orphaned FIN_WAIT2 sockets live tcp_fin_timeout seconds. */
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.tcp_fin_timeout", CWL_FIN_TIMEOUT));
	TD_LAB_TRY(s = td_lab_server(lab, "server", &srv));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 2, 3000));
	td_lab_story(lab,
		     "The server listens on %s:%d and [%s]:%d, accepts, reads until "
		     "read() returns 0 (the peer's FIN), and never calls close().",
		     TD_LAB_SERVER4, CWL_PORT, TD_LAB_SERVER6, CWL_PORT);
	TD_LAB_TRY(c4 = td_lab_clients(lab, "client", &cli4));
	TD_LAB_TRY(c6 = td_lab_clients(lab, "client", &cli6));
	td_lab_story(lab,
		     "%d clients connect and shutdown(SHUT_WR): each sends a FIN, the "
		     "server's kernel ACKs it, and then the client close()s. (Had they "
		     "closed before that ACK, Linux could end some with a RST at the "
		     "timeout, which frees the server's socket too.)",
		     CWL_CLIENTS4 + CWL_CLIENTS6);
	TD_LAB_TRY(td_lab_expect_errno(lab, c4, "connect", 0, CWL_CLIENTS4, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c6, "connect", 0, CWL_CLIENTS6, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c4, "shutdown", 0, CWL_CLIENTS4, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c6, "shutdown", 0, CWL_CLIENTS6, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "read", 0, CWL_CLIENTS4 + CWL_CLIENTS6, 3000));
	TD_LAB_TRY(td_lab_expect_states(lab,
					"server CLOSE_WAIT=4 LISTEN=2 ESTABLISHED=0 "
					"client FIN_WAIT2=4 connected=4",
					5000));
	td_lab_story(lab, "The server side is in CLOSE_WAIT (RFC 9293 3.6: it got the FIN, "
			  "its application has not closed); the clients are in FIN_WAIT2, "
			  "waiting for a FIN that never comes.");
	td_lab_story(lab,
		     "The clients' sockets are orphans (closed by their owner): the "
		     "kernel gives them tcp_fin_timeout (%s s here, 60 by default), then "
		     "drops them without a TIME_WAIT.",
		     CWL_FIN_TIMEOUT);
	TD_LAB_TRY(td_lab_expect_states(lab, "client total=0 server CLOSE_WAIT=4", 25000));
	td_lab_story(lab, "Now only the server's CLOSE_WAIT sockets are left. They last until "
			  "the process closes them or exits: each holds an fd and its buffers. "
			  "That is the leak; `tcpdoctor states --state close-wait --by process` "
			  "names the process.");
	return 0;
}

/* Lab scenario reset: two ways a peer aborts a connection with a RST (close
 * with unread data, close with SO_LINGER 0), and what the application on
 * the other side sees: ECONNRESET on read, then EPIPE on write. */
#include <errno.h>

#include "lab/scenarios/scenario.h"

#define RST_PORT_UNREAD 5002
#define RST_PORT_LINGER 5003

int td_lab_sc_reset(struct td_lab *lab)
{
	const struct td_lab_server unread = {
		.addr = { TD_LAB_SERVER4, TD_LAB_SERVER6 },
		.port = RST_PORT_UNREAD,
		.mode = TD_LAB_SRV_RESET_UNREAD,
	};
	const struct td_lab_server linger = {
		.addr = { TD_LAB_SERVER4, TD_LAB_SERVER6 },
		.port = RST_PORT_LINGER,
		.mode = TD_LAB_SRV_RESET_LINGER,
	};
	const struct td_lab_clients cli_unread = {
		.addr = TD_LAB_SERVER4,
		.port = RST_PORT_UNREAD,
		.count = 1,
		.steps = TD_LAB_CLI_SEND | TD_LAB_CLI_READ | TD_LAB_CLI_WRITE,
	};
	const struct td_lab_clients cli_linger = {
		.addr = TD_LAB_SERVER6,
		.port = RST_PORT_LINGER,
		.count = 1,
		.steps = TD_LAB_CLI_SEND | TD_LAB_CLI_READ | TD_LAB_CLI_WRITE,
	};
	uint64_t on_close, on_data, resets;
	int s1, s2, c1, c2;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(s1 = td_lab_server(lab, "server", &unread));
	TD_LAB_TRY(s2 = td_lab_server(lab, "server", &linger));
	TD_LAB_TRY(td_lab_expect_errno(lab, s1, "listen", 0, 2, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s2, "listen", 0, 2, 3000));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.TCPAbortOnClose", &on_close));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.TCPAbortOnData", &on_data));
	TD_LAB_TRY(td_lab_counter(lab, "client", "Tcp.EstabResets", &resets));

	td_lab_story(lab,
		     "Port %d: the server accepts, waits until the client's \"hello\" "
		     "arrives and close()s without reading it. Unread data at close() makes "
		     "the kernel send a RST instead of a FIN (RFC 9293 3.6.1 / RFC 2525 2.17).",
		     RST_PORT_UNREAD);
	TD_LAB_TRY(c1 = td_lab_clients(lab, "client", &cli_unread));
	TD_LAB_TRY(td_lab_expect_errno(lab, c1, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c1, "send", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s1, "close", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c1, "read", ECONNRESET, 1, 6000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c1, "write", EPIPE, 1, 3000));
	td_lab_story(lab, "The client's read() fails with ECONNRESET; the RST closed the socket "
			  "(RFC 9293 3.10.7.4), so the next write() fails with EPIPE (SIGPIPE is "
			  "ignored, else it would kill the process).");

	td_lab_story(lab,
		     "Port %d (IPv6): the server reads the client's \"hello\", sets "
		     "SO_LINGER {on, 0 s} and close()s: an abortive close, again a RST, though "
		     "nothing was left unread.",
		     RST_PORT_LINGER);
	TD_LAB_TRY(c2 = td_lab_clients(lab, "client", &cli_linger));
	TD_LAB_TRY(td_lab_expect_errno(lab, c2, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c2, "send", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s2, "close", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c2, "read", ECONNRESET, 1, 6000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c2, "write", EPIPE, 1, 3000));

	/* No side keeps anything: a RST skips FIN_WAIT and TIME_WAIT. */
	TD_LAB_TRY(td_lab_expect_states(lab, "server LISTEN=4 total=4 client total=0", 3000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "TcpExt.TCPAbortOnClose", on_close, 1));
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "TcpExt.TCPAbortOnData", on_data, 1));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "Tcp.EstabResets", resets, 2));
	td_lab_story(lab,
		     "Nothing is left in any state: no TIME_WAIT on the side that reset, "
		     "and the reset sockets are CLOSED (unhashed, invisible to sock_diag) while "
		     "the client still holds their fds. Only counters remember: "
		     "TCPAbortOnClose, TCPAbortOnData on the server, EstabResets on the client.");
	return 0;
}

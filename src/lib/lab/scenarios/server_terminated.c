/* Lab scenario server-terminated-prematurely: the server closes a connection
 * the client still means to use. The client sits in CLOSE_WAIT, its write
 * reaches a socket that has shut its receiving side and the answer is a RST;
 * what the client's next read and write say is the lesson. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/scenarios/scenario.h"

#define STP_PORT 5030

/* Accept, close at once, keep listening (the server's listener lives on). */
static int stp_server(struct td_lab_actor_ctx *a, void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(STP_PORT) };
	int one = 1, fd, c;

	(void)arg;
	inet_pton(AF_INET, TD_LAB_SERVER4, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 8) < 0) {
		td_lab_say(a, "listen", errno, 0);
		return -1;
	}
	td_lab_say(a, "listen", 0, STP_PORT);
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	td_lab_say(a, "accept", c < 0 ? errno : 0, 0);
	if (c < 0)
		return -1;
	/* What a server that exits or crashes does too: the kernel closes
	 * every fd of a dying process, and each close sends a FIN. */
	td_lab_say(a, "close", close(c) < 0 ? errno : 0, 0);
	return 0;
}

static const char data[] = "hello\n";

/* Connect; when told, write, wait for the peer's answer, then read and
 * write again, as a client unaware of the FIN would. */
static int stp_client(struct td_lab_actor_ctx *a, void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(STP_PORT) };
	struct pollfd p;
	socklen_t len;
	char buf[64];
	ssize_t r;
	int fd, e = 0;

	(void)arg;
	inet_pton(AF_INET, TD_LAB_SERVER4, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		td_lab_say(a, "connect", errno, 0);
		return -1;
	}
	td_lab_say(a, "connect", 0, 0);
	td_lab_wait_go(a);
	/* CLOSE_WAIT only closed the peer's sending side: the kernel takes the
	 * data and sends it (RFC 9293 3.10.2: SEND is allowed in CLOSE-WAIT). */
	r = send(fd, data, sizeof(data) - 1, MSG_NOSIGNAL);
	td_lab_say(a, "write", r < 0 ? errno : 0, (long)r);
	/* The RST closes the socket: POLLHUP | POLLERR, asked or not. */
	p = (struct pollfd){ fd, 0, 0 };
	while (poll(&p, 1, 5000) < 0 && errno == EINTR)
		;
	td_lab_say(a, "poll", p.revents & POLLERR ? 0 : ETIMEDOUT, p.revents);
	/* SO_ERROR would consume the pending error: peek with a read and a
	 * write, as an application does. */
	r = read(fd, buf, sizeof(buf));
	td_lab_say(a, "read", r < 0 ? errno : 0, (long)r);
	r = send(fd, data, sizeof(data) - 1, 0); /* SIGPIPE is ignored in actors */
	td_lab_say(a, "write", r < 0 ? errno : 0, (long)r);
	r = send(fd, data, sizeof(data) - 1, 0);
	td_lab_say(a, "write", r < 0 ? errno : 0, (long)r);
	len = sizeof(e);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
	td_lab_say(a, "SO_ERROR", e, 0);
	return 0;
}

int td_lab_sc_server_terminated_prematurely(struct td_lab *lab)
{
	uint64_t rsts, resets;
	int s, c;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(s = td_lab_spawn(lab, "server", "server:5030", stp_server, NULL));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 1, 3000));
	TD_LAB_TRY(td_lab_counter(lab, "server", "Tcp.OutRsts", &rsts));
	TD_LAB_TRY(td_lab_counter(lab, "client", "Tcp.EstabResets", &resets));
	td_lab_story(lab,
		     "The server listens on %s:%d; it accepts one connection and closes "
		     "it at once, as a server that crashes or exits would (the kernel closes "
		     "a dying process's fds).",
		     TD_LAB_SERVER4, STP_PORT);
	TD_LAB_TRY(c = td_lab_spawn(lab, "client", "client->192.0.2.2:5030", stp_client, NULL));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "close", 0, 1, 3000));
	TD_LAB_TRY(
		td_lab_expect_states(lab, "server LISTEN=1 FIN_WAIT2=1 client CLOSE_WAIT=1", 3000));
	td_lab_story(lab, "The server's FIN was ACKed by the client's kernel: the client is in "
			  "CLOSE_WAIT, the server's orphan in FIN_WAIT2 (RFC 9293 3.6). The client "
			  "application has not noticed: it has not read the EOF.");
	TD_LAB_TRY(td_lab_go(lab, c));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "write", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "poll", 0, 1, 3000));
	td_lab_story(lab, "The client writes: the write succeeds (CLOSE_WAIT may still send), "
			  "the data leaves. The server's socket, an orphan in FIN_WAIT2, has no "
			  "reader any more: new data there would be lost, so its kernel answers "
			  "RST.");
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "read", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "write", EPIPE, 2, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "SO_ERROR", 0, 1, 3000));
	td_lab_story(lab, "The client's read() returns 0, the EOF the FIN left (a FIN already "
			  "received wins over the RST's error). Its next write() fails with EPIPE, "
			  "not ECONNRESET: Linux turns a RST in CLOSE_WAIT into EPIPE (tcp_reset), "
			  "and would send SIGPIPE, which kills a process that does not ignore it. "
			  "The write after that is EPIPE too: the socket is closed.");
	TD_LAB_TRY(td_lab_expect_states(lab, "server LISTEN=1 total=1 client total=0", 3000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "Tcp.OutRsts", rsts, 1));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "Tcp.EstabResets", resets, 1));
	td_lab_story(lab, "Nothing is left but the listener: the RST ended the client's socket "
			  "(Tcp EstabResets counts it) and the server's FIN_WAIT2 orphan with it. "
			  "\"Server terminated prematurely\": CLOSE_WAIT on a client means the "
			  "server has already gone; read the EOF and close.");
	return 0;
}

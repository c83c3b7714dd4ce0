/* Lab scenarios connect-timeout and connect-in-progress: the life of a
 * non-blocking connect() whose SYN goes unanswered. EINPROGRESS at once,
 * EALREADY if called again, and the outcome later from SO_ERROR: ETIMEDOUT
 * when the kernel gives up, 0 when the handshake completes after all. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab/scenarios/scenario.h"

#define CT_PORT 5040  /* connect-timeout */
#define CIP_PORT 5041 /* connect-in-progress */

struct cp_arg {
	uint16_t port;
	bool again; /* a second connect() while the first is in progress */
};

static long cp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Non-blocking connect, then wait with poll() for writability and read the
 * outcome with getsockopt(SO_ERROR): the pattern of every event loop. The
 * "SO_ERROR" report carries the time it took, in ms. */
static int cp_client(struct td_lab_actor_ctx *a, void *arg)
{
	const struct cp_arg *cp = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(cp->port) };
	struct pollfd p;
	socklen_t len;
	long t0;
	int fd, r, e = 0;

	inet_pton(AF_INET, TD_LAB_SERVER4, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		td_lab_say(a, "socket", errno, 0);
		return -1;
	}
	t0 = cp_now_ms();
	r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	td_lab_say(a, "connect", r < 0 ? errno : 0, 0);
	if (r == 0 || errno != EINPROGRESS)
		return 0;
	if (cp->again) {
		/* The SYN is out, the handshake not done: the kernel says so. */
		r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		td_lab_say(a, "connect", r < 0 ? errno : 0, 0);
	}
	p = (struct pollfd){ fd, POLLOUT, 0 };
	while (poll(&p, 1, 30000) < 0 && errno == EINTR)
		;
	len = sizeof(e);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	td_lab_say(a, "SO_ERROR", e, cp_now_ms() - t0);
	if (!e && cp->again) {
		/* Linux: the first connect() after the handshake completed
		 * returns 0 (it is what marks the socket SS_CONNECTED), only
		 * the next one EISCONN. */
		for (int i = 0; i < 2; i++) {
			r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
			td_lab_say(a, "connect", r < 0 ? errno : 0, 0);
		}
	}
	return 0;
}

/* Drop the SYNs to port at the server's input: what a firewall with a DROP
 * policy (or a host that is gone) does. Nothing answers, not even a RST. */
static int cp_drop_syns(struct td_lab *lab, uint16_t port, bool add)
{
	char script[256];

	if (add)
		snprintf(script, sizeof(script),
			 "table inet td_lab_cp {\n"
			 "  chain in { type filter hook input priority 0; policy accept;\n"
			 "    tcp dport %u tcp flags & (syn | ack) == syn counter drop\n"
			 "  }\n"
			 "}\n",
			 port);
	else
		snprintf(script, sizeof(script), "delete table inet td_lab_cp\n");
	return td_lab_nft(lab, "server", script);
}

static long report_value(const struct td_lab *lab, int actor, const char *tag)
{
	for (size_t i = lab->nreports; i-- > 0;)
		if (lab->reports[i].actor == actor && !strcmp(lab->reports[i].tag, tag))
			return lab->reports[i].value;
	return -1;
}

int td_lab_sc_connect_timeout(struct td_lab *lab)
{
	const struct td_lab_server srv = { .addr = { TD_LAB_SERVER4 },
					   .port = CT_PORT,
					   .mode = TD_LAB_SRV_HOLD };
	static const struct cp_arg cli = { .port = CT_PORT };
	uint64_t synretrans, fails;
	int s, c;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(s = td_lab_server(lab, "server", &srv));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 1, 3000));
	TD_LAB_TRY(cp_drop_syns(lab, CT_PORT, true));
	TD_LAB_TRY(td_lab_counter(lab, "client", "TcpExt.TCPSynRetrans", &synretrans));
	TD_LAB_TRY(td_lab_counter(lab, "client", "Tcp.AttemptFails", &fails));
	td_lab_story(lab,
		     "The server listens on %s:%d, but an nftables rule in its namespace "
		     "drops every SYN to that port: a firewall with a DROP policy, or a host "
		     "that is gone, look the same from outside.",
		     TD_LAB_SERVER4, CT_PORT);
	TD_LAB_TRY(
		c = td_lab_spawn(lab, "client", "client->192.0.2.2:5040", cp_client, (void *)&cli));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", EINPROGRESS, 1, 3000));
	td_lab_story(lab, "The client's non-blocking connect() sends the SYN and returns -1 "
			  "with EINPROGRESS at once: not an error, \"wait for writability\".");
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client SYN_SENT=1 server LISTEN=1 SYN_RECV=0 "
					"ESTABLISHED=0",
					3000));
	td_lab_story(lab, "The client sits in SYN_SENT, retransmitting the SYN; the server "
			  "never sees it (no SYN_RECV), so there is no SYN-ACK and no RST.");
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "SO_ERROR", ETIMEDOUT, 1, 12000));
	td_lab_story(lab,
		     "After tcp_syn_retries (2 here, 6 by default: about 130 s) the "
		     "kernel gives up: poll() reports the socket writable and "
		     "getsockopt(SO_ERROR) gives ETIMEDOUT, %ld ms after connect().",
		     report_value(lab, c, "SO_ERROR"));
	TD_LAB_TRY(td_lab_expect_states(lab, "client total=0", 2000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "TcpExt.TCPSynRetrans", synretrans, 2));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "Tcp.AttemptFails", fails, 1));
	td_lab_story(lab, "On 6.x the first tcp_syn_linear_timeouts (4) retries come 1 s "
			  "apart instead of doubling, while the give-up time is still computed "
			  "as for exponential backoff: more SYNs (TcpExt TCPSynRetrans), same "
			  "deadline.");
	return 0;
}

int td_lab_sc_connect_in_progress(struct td_lab *lab)
{
	const struct td_lab_server srv = { .addr = { TD_LAB_SERVER4 },
					   .port = CIP_PORT,
					   .mode = TD_LAB_SRV_HOLD };
	static const struct cp_arg cli = { .port = CIP_PORT, .again = true };
	int s, c;

	TD_LAB_TRY(td_lab_topology(lab));
	/* More time than the scenario needs: the handshake must complete. */
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.tcp_syn_retries", "4"));
	TD_LAB_TRY(s = td_lab_server(lab, "server", &srv));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 1, 3000));
	TD_LAB_TRY(cp_drop_syns(lab, CIP_PORT, true));
	td_lab_story(lab,
		     "The server listens on %s:%d; for now an nftables rule in its "
		     "namespace drops the SYNs to that port.",
		     TD_LAB_SERVER4, CIP_PORT);
	TD_LAB_TRY(
		c = td_lab_spawn(lab, "client", "client->192.0.2.2:5041", cp_client, (void *)&cli));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", EINPROGRESS, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", EALREADY, 1, 3000));
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client SYN_SENT=1 server SYN_RECV=0 "
					"ESTABLISHED=0",
					3000));
	td_lab_story(lab, "The non-blocking connect() returns EINPROGRESS; calling connect() "
			  "again while the socket is in SYN_SENT returns EALREADY (\"operation "
			  "already in progress\"): the kernel does not start a second handshake. "
			  "The way to learn the outcome is poll() for POLLOUT, then SO_ERROR.");
	TD_LAB_TRY(cp_drop_syns(lab, CIP_PORT, false));
	td_lab_story(lab, "The rule is removed: the next retransmitted SYN gets through, the "
			  "server answers SYN-ACK, the handshake completes.");
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "SO_ERROR", 0, 1, 6000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", EISCONN, 1, 3000));
	td_lab_story(lab,
		     "poll() says writable and SO_ERROR is 0, %ld ms after connect(): "
		     "the time the dropped SYNs cost. Calling connect() again instead would "
		     "have worked too: on Linux the first call after completion returns 0, "
		     "the next EISCONN.",
		     report_value(lab, c, "SO_ERROR"));
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client ESTABLISHED=1 SYN_SENT=0 "
					"server ESTABLISHED=1",
					3000));
	return 0;
}

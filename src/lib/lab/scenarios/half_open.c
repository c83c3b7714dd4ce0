/* Lab scenario half-open: the client's side of established connections
 * disappears without a FIN or RST (its link goes down). The server cannot
 * tell: an idle connection sends nothing. With TCP keepalive the kernel
 * probes and gives up with ETIMEDOUT; without it ESTABLISHED lives on. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/lab_int.h" /* td_lab_now_ms */
#include "lab/scenarios/scenario.h"

#define HO_PORT_KA 5010	   /* the server sets keepalive on the accepted socket */
#define HO_PORT_PLAIN 5011 /* no keepalive */
#define HO_KEEPIDLE 1
#define HO_KEEPINTVL 1
#define HO_KEEPCNT 2
#define HO_STILL_MS 5000 /* the unprotected connection, checked again this long after */

struct ho_arg {
	uint16_t port;
	bool keepalive;
};

/* Accept one connection, optionally turn keepalive on with short timers,
 * then block in read(): what an idle server waiting for a request does. */
static int ho_server(struct td_lab_actor_ctx *a, void *arg)
{
	const struct ho_arg *ho = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(ho->port) };
	int one = 1, fd, c;
	char buf[256];
	ssize_t r;

	inet_pton(AF_INET, TD_LAB_SERVER4, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 8) < 0) {
		td_lab_say(a, "listen", errno, 0);
		return -1;
	}
	td_lab_say(a, "listen", 0, ho->port);
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	td_lab_say(a, "accept", c < 0 ? errno : 0, 0);
	if (c < 0)
		return -1;
	if (ho->keepalive) {
		/* Per socket, overriding net.ipv4.tcp_keepalive_{time,intvl,
		 * probes} (7200 s, 75 s, 9 by default: over two hours). */
		int idle = HO_KEEPIDLE, intvl = HO_KEEPINTVL, cnt = HO_KEEPCNT, rc;

		rc = setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		if (!rc)
			rc = setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
		if (!rc)
			rc = setsockopt(c, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
		if (!rc)
			rc = setsockopt(c, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
		td_lab_say(a, "keepalive", rc < 0 ? errno : 0, 0);
	}
	r = read(c, buf, sizeof(buf));
	td_lab_say(a, "read", r < 0 ? errno : 0, (long)r);
	return 0;
}

int td_lab_sc_half_open(struct td_lab *lab)
{
	static const struct ho_arg ka = { HO_PORT_KA, true }, plain = { HO_PORT_PLAIN, false };
	const struct td_lab_clients cli_ka = { .addr = TD_LAB_SERVER4,
					       .port = HO_PORT_KA,
					       .count = 1 };
	const struct td_lab_clients cli_plain = { .addr = TD_LAB_SERVER4,
						  .port = HO_PORT_PLAIN,
						  .count = 1 };
	uint64_t probes, cut_ms;
	int s1, s2, c1, c2;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(s1 = td_lab_spawn(lab, "server", "server:5010", ho_server, (void *)&ka));
	TD_LAB_TRY(s2 = td_lab_spawn(lab, "server", "server:5011", ho_server, (void *)&plain));
	TD_LAB_TRY(td_lab_expect_errno(lab, s1, "listen", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s2, "listen", 0, 1, 3000));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.TCPKeepAlive", &probes));
	td_lab_story(lab,
		     "The server listens on %s:%d and :%d, accepts and waits in read() for "
		     "a request. On the :%d connection it sets SO_KEEPALIVE with TCP_KEEPIDLE "
		     "%d s, TCP_KEEPINTVL %d s, TCP_KEEPCNT %d; on :%d nothing.",
		     TD_LAB_SERVER4, HO_PORT_KA, HO_PORT_PLAIN, HO_PORT_KA, HO_KEEPIDLE,
		     HO_KEEPINTVL, HO_KEEPCNT, HO_PORT_PLAIN);
	TD_LAB_TRY(c1 = td_lab_clients(lab, "client", &cli_ka));
	TD_LAB_TRY(c2 = td_lab_clients(lab, "client", &cli_plain));
	TD_LAB_TRY(td_lab_expect_errno(lab, c1, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c2, "connect", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s1, "keepalive", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_states(lab,
					"server LISTEN=2 ESTABLISHED=2 "
					"client ESTABLISHED=2",
					3000));
	td_lab_story(lab, "A client connects to each port and says nothing. While the path "
			  "works, each keepalive probe (a segment with an old sequence number) is "
			  "answered by an ACK and the connection stays up.");

	TD_LAB_TRY(td_lab_link(lab, "client", TD_LAB_CLIENT_IF, false));
	cut_ms = td_lab_now_ms();
	td_lab_story(lab, "The client's link goes down: the client is gone as if unplugged or "
			  "powered off. No FIN, no RST is sent; nothing tells the server.");
	TD_LAB_TRY(td_lab_expect_states(lab, "server ESTABLISHED=2 client ESTABLISHED=2", 1000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s1, "read", ETIMEDOUT, 1, 8000));
	td_lab_story(lab,
		     "On :%d the probes go unanswered; after %d of them, %d s apart, the "
		     "kernel gives up (tcp_keepalive_timer: a RST into the void, the socket "
		     "closed) and the server's blocked read() fails with ETIMEDOUT, %.1f s "
		     "after the cut.",
		     HO_PORT_KA, HO_KEEPCNT, HO_KEEPINTVL,
		     (double)(td_lab_now_ms() - cut_ms) / 1000);
	TD_LAB_TRY(td_lab_expect_states(lab,
					"server LISTEN=2 ESTABLISHED=1 total=3 "
					"client ESTABLISHED=2",
					2000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "TcpExt.TCPKeepAlive", probes, HO_KEEPCNT));
	/* Not a wait for something to happen: a look, HO_STILL_MS after the
	 * cut, that nothing did. */
	if (td_lab_now_ms() < cut_ms + HO_STILL_MS)
		td_lab_pause(lab, (int)(cut_ms + HO_STILL_MS - td_lab_now_ms()));
	TD_LAB_TRY(td_lab_expect_states(lab, "server ESTABLISHED=1 client ESTABLISHED=2", 1000));
	td_lab_story(lab,
		     "On :%d the server is still ESTABLISHED %d s after its peer "
		     "vanished, and will be for as long as it sends nothing: an idle TCP "
		     "connection has no timer at all (RFC 9293 3.8.4: keep-alives are "
		     "optional and off by default). The client side, cut off, is ESTABLISHED "
		     "too: each end believes in a connection the other cannot reach.",
		     HO_PORT_PLAIN, HO_STILL_MS / 1000);
	return 0;
}

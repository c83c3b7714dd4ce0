/* Lab scenario time-wait-exhaustion: a client that opens and actively
 * closes short connections to one server port. Each close leaves a
 * TIME_WAIT that holds its local port for 60 s; with a narrow
 * ip_local_port_range, connect() soon fails with EADDRNOTAVAIL. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lab/scenarios/scenario.h"

#define TWE_PORT 5040
#define TWE_RANGE "40000 40019" /* even start, odd end: connect() uses both halves */
#define TWE_PORTS 20
#define TWE_MAX_TRIES 64 /* bounded, whatever the kernel does */

/* Connect, close, again, until connect() fails; report each outcome. */
static int churn_main(struct td_lab_actor_ctx *a, void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(TWE_PORT) };
	struct timeval tv = { 3, 0 };

	(void)arg;
	inet_pton(AF_INET, TD_LAB_SERVER4, &sin.sin_addr);
	for (int i = 0; i < TWE_MAX_TRIES; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

		if (fd < 0) {
			td_lab_say(a, "connect", errno, i);
			return -1;
		}
		/* SO_SNDTIMEO bounds a blocking connect() too. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			e = errno;
			close(fd);
			td_lab_say(a, "connect", e, 0);
			return 0;
		}
		td_lab_say(a, "connect", 0, 0);
		/* The active close: this side will hold the TIME_WAIT. */
		close(fd);
	}
	return 0;
}

int td_lab_sc_time_wait_exhaustion(struct td_lab *lab)
{
	const struct td_lab_server srv = {
		.addr = { TD_LAB_SERVER4 },
		.port = TWE_PORT,
		.mode = TD_LAB_SRV_CLOSE,
	};
	char spec[128];
	int s, c;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.ip_local_port_range", TWE_RANGE));
	TD_LAB_TRY(s = td_lab_server(lab, "server", &srv));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 1, 3000));
	td_lab_story(lab,
		     "The client's ip_local_port_range is narrowed to %s: %d ephemeral "
		     "ports. The server listens on %s:%d, reads until EOF and closes.",
		     TWE_RANGE, TWE_PORTS, TD_LAB_SERVER4, TWE_PORT);
	TD_LAB_TRY(c = td_lab_spawn(lab, "client", "client-churn", churn_main, NULL));
	td_lab_story(lab, "The client connects and close()s at once, again and again: it "
			  "closes first, so it is its side that ends in TIME_WAIT (RFC 9293 3.6: "
			  "2 MSL; Linux: a fixed 60 s), holding its local port.");
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", 0, TWE_PORTS, 5000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", EADDRNOTAVAIL, 1, 5000));
	td_lab_story(lab,
		     "After %d connections, connect() fails with EADDRNOTAVAIL (\"Cannot "
		     "assign requested address\"): every port of the range is taken by a "
		     "TIME_WAIT to the same server address and port, and a new connection "
		     "needs a unique 4-tuple (__inet_hash_connect finds none).",
		     TWE_PORTS);
	/* A TIME_WAIT appears only once the server has read the EOF and closed
	 * (its FIN, our ACK): on a loaded machine the server runs behind the
	 * client, so wait for its 20 closes, then for the states. */
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "close", 0, TWE_PORTS, 5000));
	snprintf(spec, sizeof(spec), "client TIME_WAIT=%d total=%d server LISTEN=1 total=1",
		 TWE_PORTS, TWE_PORTS);
	TD_LAB_TRY(td_lab_expect_states(lab, spec, 3000));
	td_lab_story(lab,
		     "The client holds exactly %d TIME_WAIT sockets, the size of the "
		     "range; the server has none (it closed second). The port stays blocked "
		     "for up to 60 s. Fixes: keep connections open (pooling); a wider range; "
		     "tcp_tw_reuse=1 lets connect() take over a TIME_WAIT port after 1 s "
		     "when timestamps prove the old segments apart (RFC 7323) — the "
		     "default 2 does that only on loopback.",
		     TWE_PORTS);
	return 0;
}

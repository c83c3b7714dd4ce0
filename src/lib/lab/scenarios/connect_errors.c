/* Lab scenarios refused and unreachable: why connect() fails, and how fast.
 * A RST from the peer (ECONNREFUSED), an ICMP error from a router
 * (EHOSTUNREACH), a local route that refuses (EHOSTUNREACH, EINVAL for a
 * blackhole), no route at all (ENETUNREACH), or silence (ETIMEDOUT). */
#include <errno.h>

#include "lab/scenarios/scenario.h"

#define REFUSED_PORT 5009

int td_lab_sc_refused(struct td_lab *lab)
{
	const struct td_lab_clients cli4 = {
		.addr = TD_LAB_SERVER4,
		.port = REFUSED_PORT,
		.count = 2,
	};
	const struct td_lab_clients cli6 = {
		.addr = TD_LAB_SERVER6,
		.port = REFUSED_PORT,
		.count = 1,
	};
	uint64_t rsts, fails;
	int c4, c6;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(td_lab_counter(lab, "server", "Tcp.OutRsts", &rsts));
	TD_LAB_TRY(td_lab_counter(lab, "client", "Tcp.AttemptFails", &fails));
	td_lab_story(lab,
		     "Nothing listens on port %d in the server namespace. The client "
		     "connects there, twice over IPv4 and once over IPv6.",
		     REFUSED_PORT);
	TD_LAB_TRY(c4 = td_lab_clients(lab, "client", &cli4));
	TD_LAB_TRY(c6 = td_lab_clients(lab, "client", &cli6));
	TD_LAB_TRY(td_lab_expect_errno(lab, c4, "connect", ECONNREFUSED, 2, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, c6, "connect", ECONNREFUSED, 1, 3000));
	td_lab_story(lab, "A SYN to a closed port is answered with RST+ACK (RFC 9293 3.10.7.1, "
			  "state CLOSED); the client's SYN_SENT socket takes the RST and connect() "
			  "fails at once with ECONNREFUSED (3.10.7.3).");
	TD_LAB_TRY(td_lab_expect_states(lab, "client total=0 server total=0", 2000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "Tcp.OutRsts", rsts, 3));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "Tcp.AttemptFails", fails, 3));
	td_lab_story(lab, "Nothing remains in any state; the server counted the RSTs it sent "
			  "(Tcp OutRsts), the client its failed attempts (Tcp AttemptFails).");
	return 0;
}

/* Destinations of the unreachable scenario. The server namespace is the
 * router for 198.51.100.0/24 and 203.0.113.0/24. */
#define UR_PATH_BLACKHOLE "198.51.100.1"    /* router: blackhole route */
#define UR_PATH_UNREACH "203.0.113.1"	    /* router: unreachable route */
#define UR_LOCAL_BLACKHOLE "198.51.100.200" /* client: blackhole 198.51.100.128/25 */
#define UR_LOCAL_UNREACH "203.0.113.200"    /* client: unreachable 203.0.113.128/25 */
#define UR_NO_ROUTE "2001:db8:ffff::1"	    /* nobody has a route */
#define UR_PORT 80

int td_lab_sc_unreachable(struct td_lab *lab)
{
	const struct td_lab_clients path_bh = {
		.addr = UR_PATH_BLACKHOLE, .port = UR_PORT, .count = 1, .connect_wait_ms = 100
	};
	const struct td_lab_clients path_ur = { .addr = UR_PATH_UNREACH,
						.port = UR_PORT,
						.count = 1 };
	const struct td_lab_clients local_bh = { .addr = UR_LOCAL_BLACKHOLE,
						 .port = UR_PORT,
						 .count = 1 };
	const struct td_lab_clients local_ur = { .addr = UR_LOCAL_UNREACH,
						 .port = UR_PORT,
						 .count = 1 };
	const struct td_lab_clients noroute = { .addr = UR_NO_ROUTE, .port = UR_PORT, .count = 1 };
	uint64_t icmp_out, icmp_in;
	int a, b, c, d, e;

	TD_LAB_TRY(td_lab_topology(lab));
	/* The server namespace routes for two test networks: one into a
	 * blackhole, one to "unreachable". */
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.ip_forward", "1"));
	TD_LAB_TRY(td_lab_route(lab, "client", true, "198.51.100.0/24", TD_ROUTE_UNICAST,
				TD_LAB_SERVER4, NULL));
	TD_LAB_TRY(td_lab_route(lab, "client", true, "203.0.113.0/24", TD_ROUTE_UNICAST,
				TD_LAB_SERVER4, NULL));
	TD_LAB_TRY(td_lab_route(lab, "server", true, "198.51.100.0/24", TD_ROUTE_BLACKHOLE, NULL,
				NULL));
	TD_LAB_TRY(td_lab_route(lab, "server", true, "203.0.113.0/24", TD_ROUTE_UNREACHABLE, NULL,
				NULL));
	/* And the client has local routes of both kinds for half of each. */
	TD_LAB_TRY(td_lab_route(lab, "client", true, "198.51.100.128/25", TD_ROUTE_BLACKHOLE, NULL,
				NULL));
	TD_LAB_TRY(td_lab_route(lab, "client", true, "203.0.113.128/25", TD_ROUTE_UNREACHABLE, NULL,
				NULL));
	TD_LAB_TRY(td_lab_counter(lab, "server", "Icmp.OutDestUnreachs", &icmp_out));
	TD_LAB_TRY(td_lab_counter(lab, "client", "Icmp.InDestUnreachs", &icmp_in));
	td_lab_story(lab, "The server namespace forwards for 198.51.100.0/24 (a blackhole "
			  "route) and 203.0.113.0/24 (an unreachable route); the client has local "
			  "blackhole and unreachable routes for the upper halves, and no default "
			  "route.");

	TD_LAB_TRY(a = td_lab_clients(lab, "client", &path_bh));
	TD_LAB_TRY(b = td_lab_clients(lab, "client", &path_ur));
	TD_LAB_TRY(c = td_lab_clients(lab, "client", &local_bh));
	TD_LAB_TRY(d = td_lab_clients(lab, "client", &local_ur));
	TD_LAB_TRY(e = td_lab_clients(lab, "client", &noroute));

	TD_LAB_TRY(td_lab_expect_errno(lab, b, "connect", EHOSTUNREACH, 1, 3000));
	td_lab_story(lab,
		     "%s: the router's unreachable route answers the SYN with ICMP host "
		     "unreachable; in SYN_SENT that is fatal (RFC 1122 4.2.3.9 allows it, "
		     "Linux does it): EHOSTUNREACH at once.",
		     UR_PATH_UNREACH);
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", EINVAL, 1, 3000));
	td_lab_story(lab,
		     "%s: a local blackhole route fails the route lookup itself, and "
		     "connect() says EINVAL (the kernel's error for RTN_BLACKHOLE), not a "
		     "timeout: nothing is sent.",
		     UR_LOCAL_BLACKHOLE);
	TD_LAB_TRY(td_lab_expect_errno(lab, d, "connect", EHOSTUNREACH, 1, 3000));
	td_lab_story(lab, "%s: a local unreachable route: EHOSTUNREACH at once, nothing sent.",
		     UR_LOCAL_UNREACH);
	TD_LAB_TRY(td_lab_expect_errno(lab, e, "connect", ENETUNREACH, 1, 3000));
	td_lab_story(lab, "%s: no route at all (no default route): ENETUNREACH at once.",
		     UR_NO_ROUTE);
	TD_LAB_TRY(td_lab_expect_states(lab, "client SYN_SENT=1 total=1 server total=0", 2000));
	td_lab_story(lab,
		     "%s: the router drops the SYN silently (blackhole), so the client "
		     "sits in SYN_SENT, retransmitting...",
		     UR_PATH_BLACKHOLE);
	TD_LAB_TRY(td_lab_expect_errno(lab, a, "connect", ETIMEDOUT, 1, 10000));
	td_lab_story(lab, "...until tcp_syn_retries (2 here; 6 by default, about 127 s) runs "
			  "out: ETIMEDOUT after 7 s. Silence costs time; an error costs nothing.");
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "Icmp.OutDestUnreachs", icmp_out, 1));
	TD_LAB_TRY(td_lab_expect_counter(lab, "client", "Icmp.InDestUnreachs", icmp_in, 1));
	TD_LAB_TRY(td_lab_expect_states(lab, "client total=0", 2000));
	return 0;
}

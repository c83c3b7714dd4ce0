/* Lab scenario every-state: one socket (at least) in each of the eleven
 * states of RFC 9293 3.3.2 but CLOSED, all at the same moment, each made the
 * way it happens in real life, with nft dropping the segment that would
 * move it on. CLOSING, the rare one, takes a simultaneous close. */
#include <errno.h>

#include "lab/scenarios/scenario.h"

#define ES_PORT_HOLD 5030    /* ESTABLISHED; FIN_WAIT2 / CLOSE_WAIT */
#define ES_PORT_CLOSE 5031   /* TIME_WAIT on the client */
#define ES_PORT_LASTACK 5032 /* LAST_ACK on the client, TIME_WAIT on the server */
#define ES_PORT_CLOSING 5034 /* CLOSING on the server, FIN_WAIT1 on the client */
#define ES_PORT_SYN 5036     /* SYN_SENT on the client, SYN_RECV on the server */
#define ES_STR_(x) #x
#define ES_STR(x) ES_STR_(x)

/* Segments are dropped where they arrive, never in the sender's OUTPUT
 * hook: a drop there fails the send (NF_DROP is -EPERM to TCP), so a FIN
 * is not "lost" but stays queued and is retried by the persist timer.
 *
 * Server side, from the start: its pure ACKs on 5032 are dropped (the ACK
 * of the client's FIN: LAST_ACK; a pure ACK is never queued, so dropping
 * it on the way out is the same as losing it), and the client's FINs on
 * 5034 as they arrive. */
static const char server_rules[] =
	"table inet td_lab_lastack {\n"
	"  chain out {\n"
	"    type filter hook output priority 0; policy accept;\n"
	"    tcp sport " ES_STR(
		ES_PORT_LASTACK) " tcp flags & (fin|syn|rst|ack) == ack drop\n"
				 "  }\n"
				 "}\n"
				 "table inet td_lab_closing {\n"
				 "  chain in {\n"
				 "    type filter hook input priority 0; policy accept;\n"
				 "    tcp dport " ES_STR(
					 ES_PORT_CLOSING) " tcp flags & fin == fin drop\n"
							  "  }\n"
							  "}\n";

/* Client side, from the start: the SYN-ACKs from 5036 and the server's
 * FINs from 5034 never arrive. */
static const char client_rules[] =
	"table inet td_lab_synack {\n"
	"  chain in {\n"
	"    type filter hook input priority 0; policy accept;\n"
	"    tcp sport " ES_STR(
		ES_PORT_SYN) " tcp flags & (syn|ack) == syn|ack drop\n"
			     "  }\n"
			     "}\n"
			     "table inet td_lab_closing {\n"
			     "  chain in {\n"
			     "    type filter hook input priority 0; policy accept;\n"
			     "    tcp sport " ES_STR(
				     ES_PORT_CLOSING) " tcp flags & fin == fin drop\n"
						      "  }\n"
						      "}\n";

/* Once both ends of 5034 are in FIN_WAIT1: first nothing of the server's
 * reaches the client any more (its ACK of the client's FIN would move the
 * client on to FIN_WAIT2), then the client's FINs reach the server. */
static const char client_closing_rules[] = "delete table inet td_lab_closing\n"
					   "table inet td_lab_closing {\n"
					   "  chain in {\n"
					   "    type filter hook input priority 0; policy accept;\n"
					   "    tcp sport " ES_STR(ES_PORT_CLOSING) " drop\n"
										    "  }\n"
										    "}\n";
static const char server_closing_rules[] = "delete table inet td_lab_closing\n";

#define ES_ALL_CLIENT                                                                              \
	"client ESTABLISHED=1 SYN_SENT=1 FIN_WAIT1=1 FIN_WAIT2=1 TIME_WAIT=1 "                     \
	"LAST_ACK=1 total=6"
#define ES_ALL_SERVER                                                                              \
	"server LISTEN=5 SYN_RECV=1 ESTABLISHED=1 CLOSE_WAIT=1 TIME_WAIT=1 "                       \
	"CLOSING=1 total=10"

int td_lab_sc_every_state(struct td_lab *lab)
{
	static const struct td_lab_server srv[] = {
		{ .addr = { TD_LAB_SERVER4 }, .port = ES_PORT_HOLD, .mode = TD_LAB_SRV_HOLD },
		{ .addr = { TD_LAB_SERVER4 }, .port = ES_PORT_CLOSE, .mode = TD_LAB_SRV_CLOSE },
		{ .addr = { TD_LAB_SERVER4 },
		  .port = ES_PORT_LASTACK,
		  .mode = TD_LAB_SRV_CLOSE_FIRST },
		{ .addr = { TD_LAB_SERVER4 },
		  .port = ES_PORT_CLOSING,
		  .mode = TD_LAB_SRV_CLOSE_FIRST },
		{ .addr = { TD_LAB_SERVER4 }, .port = ES_PORT_SYN, .mode = TD_LAB_SRV_NO_ACCEPT },
	};
	static const struct td_lab_clients cli[] = {
		{ .addr = TD_LAB_SERVER4, .port = ES_PORT_HOLD, .count = 1 },
		{ .addr = TD_LAB_SERVER4,
		  .port = ES_PORT_HOLD,
		  .count = 1,
		  .steps = TD_LAB_CLI_CLOSE },
		{ .addr = TD_LAB_SERVER4,
		  .port = ES_PORT_CLOSE,
		  .count = 1,
		  .steps = TD_LAB_CLI_CLOSE },
		{ .addr = TD_LAB_SERVER4,
		  .port = ES_PORT_LASTACK,
		  .count = 1,
		  .steps = TD_LAB_CLI_READ | TD_LAB_CLI_CLOSE },
		{ .addr = TD_LAB_SERVER4,
		  .port = ES_PORT_CLOSING,
		  .count = 1,
		  .steps = TD_LAB_CLI_CLOSE },
	};
	static const struct td_lab_clients syn = {
		.addr = TD_LAB_SERVER4,
		.port = ES_PORT_SYN,
		.count = 1,
		.connect_wait_ms = 100,
	};
	const size_t nsrv = sizeof(srv) / sizeof(srv[0]), ncli = sizeof(cli) / sizeof(cli[0]);
	int s[sizeof(srv) / sizeof(srv[0])], c[sizeof(cli) / sizeof(cli[0])];

	TD_LAB_TRY(td_lab_topology(lab));
	/* Keep every state for the length of the run: an orphaned FIN_WAIT2
	 * 60 s, a SYN retried for 127 s, a SYN-ACK for 63 s. */
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.tcp_fin_timeout", "60"));
	TD_LAB_TRY(td_lab_sysctl(lab, "client", "net.ipv4.tcp_syn_retries", "6"));
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.tcp_synack_retries", "5"));
	TD_LAB_TRY(td_lab_nft(lab, "server", server_rules));
	TD_LAB_TRY(td_lab_nft(lab, "client", client_rules));
	for (size_t i = 0; i < nsrv; i++)
		TD_LAB_TRY(s[i] = td_lab_server(lab, "server", &srv[i]));
	for (size_t i = 0; i < nsrv; i++)
		TD_LAB_TRY(td_lab_expect_errno(lab, s[i], "listen", 0, 1, 3000));
	td_lab_story(lab,
		     "The server listens on ports %d to %d (LISTEN x5). nft drops, in its "
		     "namespace, its pure ACKs on %d and the client's FINs to %d; in the "
		     "client's, the server's FINs from %d and its SYN-ACKs from %d.",
		     ES_PORT_HOLD, ES_PORT_SYN, ES_PORT_LASTACK, ES_PORT_CLOSING, ES_PORT_CLOSING,
		     ES_PORT_SYN);

	for (size_t i = 0; i < ncli; i++)
		TD_LAB_TRY(c[i] = td_lab_clients(lab, "client", &cli[i]));
	TD_LAB_TRY(td_lab_clients(lab, "client", &syn));
	for (size_t i = 0; i < ncli; i++)
		TD_LAB_TRY(td_lab_expect_errno(lab, c[i], "connect", 0, 1, 3000));
	td_lab_story(lab,
		     "%d: one client holds its connection (ESTABLISHED on both sides); "
		     "another closes, the server never does: FIN_WAIT2 / CLOSE_WAIT.",
		     ES_PORT_HOLD);
	td_lab_story(lab,
		     "%d: the client closes first, the server after it: the client "
		     "ends in TIME_WAIT (the active closer, RFC 9293 3.6).",
		     ES_PORT_CLOSE);
	td_lab_story(lab,
		     "%d: the server closes first; the client reads EOF and closes "
		     "(LAST_ACK); the server, now TIME_WAIT, ACKs its FIN, and that ACK is "
		     "dropped: LAST_ACK stays, retransmitting its FIN.",
		     ES_PORT_LASTACK);
	td_lab_story(lab,
		     "%d: the client's SYN gets to the server (a request socket, "
		     "SYN_RECV) but its SYN-ACKs are dropped: the client stays in SYN_SENT, "
		     "both retransmitting.",
		     ES_PORT_SYN);
	TD_LAB_TRY(td_lab_expect_states(lab,
					"client ESTABLISHED=1 SYN_SENT=1 FIN_WAIT1=1 FIN_WAIT2=1 "
					"TIME_WAIT=1 LAST_ACK=1 total=6 "
					"server LISTEN=5 SYN_RECV=1 ESTABLISHED=1 CLOSE_WAIT=1 "
					"TIME_WAIT=1 FIN_WAIT1=1 total=10",
					4000));
	td_lab_story(lab,
		     "%d: both sides close at once, and both FINs are dropped: each is "
		     "in FIN_WAIT1 with its FIN unanswered, neither has seen the other's.",
		     ES_PORT_CLOSING);

	TD_LAB_TRY(td_lab_nft(lab, "client", client_closing_rules));
	TD_LAB_TRY(td_lab_nft(lab, "server", server_closing_rules));
	td_lab_story(lab,
		     "Then the rule changes: the client's FINs get in, nothing of the "
		     "server's gets out. The client's next retransmitted FIN reaches the server "
		     "in FIN_WAIT1 without acknowledging the server's FIN: a simultaneous close "
		     "(RFC 9293 3.6, figure 13), the server goes to CLOSING and ACKs it; that "
		     "ACK and the server's FIN are dropped, so the client stays in FIN_WAIT1 "
		     "and the server in CLOSING.");
	TD_LAB_TRY(td_lab_expect_states(lab, ES_ALL_CLIENT " " ES_ALL_SERVER, 5000));
	TD_LAB_TRY(td_lab_expect_timer(lab, "server", TD_CLOSING, ES_PORT_CLOSING, TD_TIMER_RETRANS,
				       1, 3000));
	TD_LAB_TRY(td_lab_expect_timer(lab, "client", TD_LAST_ACK, ES_PORT_LASTACK,
				       TD_TIMER_RETRANS, 1, 3000));
	TD_LAB_TRY(td_lab_expect_states(lab, ES_ALL_CLIENT " " ES_ALL_SERVER, 1000));
	td_lab_story(lab,
		     "Every state at once: LISTEN, SYN_SENT, SYN_RECV, ESTABLISHED, "
		     "FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, TIME_WAIT and CLOSING. CLOSED "
		     "has no socket to show. The ones waiting on a lost segment (SYN_SENT, "
		     "SYN_RECV, FIN_WAIT1, CLOSING, LAST_ACK) have their retransmit timer on; "
		     "TIME_WAIT and FIN_WAIT2 a timewait timer; `tcpdoctor conns` shows both.");
	return 0;
}

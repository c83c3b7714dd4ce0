/* Lab scenario accept-queue-overflow: a listener with a tiny backlog whose
 * application never calls accept(). Once the accept queue holds backlog+1
 * connections, the kernel drops new SYNs; clients retry them and time out. */
#include "lab/scenarios/scenario.h"

#define AQ_PORT 5001
#define AQ_BACKLOG 2
#define AQ_CLIENTS 6

int td_lab_sc_accept_queue_overflow(struct td_lab *lab)
{
	const struct td_lab_server srv = {
		.addr = { TD_LAB_SERVER4 },
		.port = AQ_PORT,
		.backlog = AQ_BACKLOG,
		.mode = TD_LAB_SRV_NO_ACCEPT,
	};
	/* One connection after the other; one that has not completed within
	 * 300 ms is left pending (its SYN was dropped). */
	const struct td_lab_clients cli = {
		.addr = TD_LAB_SERVER4,
		.port = AQ_PORT,
		.count = AQ_CLIENTS,
		.connect_wait_ms = 300,
	};
	/* sk_acceptq_is_full() is "queue > backlog": backlog+1 fit. */
	const int queued = AQ_BACKLOG + 1, dropped = AQ_CLIENTS - AQ_BACKLOG - 1;
	uint64_t overflows, drops;
	char spec[160];
	int s, c;

	TD_LAB_TRY(td_lab_topology(lab));
	TD_LAB_TRY(s = td_lab_server(lab, "server", &srv));
	TD_LAB_TRY(td_lab_expect_errno(lab, s, "listen", 0, 1, 3000));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.ListenOverflows", &overflows));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.ListenDrops", &drops));
	td_lab_story(lab,
		     "The server listens on %s:%d with listen(fd, %d) and never calls "
		     "accept().",
		     TD_LAB_SERVER4, AQ_PORT, AQ_BACKLOG);
	TD_LAB_TRY(c = td_lab_clients(lab, "client", &cli));
	td_lab_story(lab,
		     "%d clients connect one after the other. The kernel completes "
		     "handshakes without the application: %d connections wait in the accept "
		     "queue (backlog %d + 1).",
		     AQ_CLIENTS, queued, AQ_BACKLOG);
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", 0, queued, 3000));
	snprintf(spec, sizeof(spec),
		 "server LISTEN=1 lq=%d backlog=%d ESTABLISHED=%d SYN_RECV=0 "
		 "client ESTABLISHED=%d SYN_SENT=%d",
		 queued, AQ_BACKLOG, queued, queued, dropped);
	TD_LAB_TRY(td_lab_expect_states(lab, spec, 4000));
	td_lab_story(lab,
		     "With the queue full, every new SYN is dropped before a request "
		     "socket exists (tcp_conn_request): no SYN_RECV, no SYN-ACK, so %d "
		     "clients sit in SYN_SENT and retransmit their SYN.",
		     dropped);
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "TcpExt.ListenOverflows", overflows,
					 (uint64_t)dropped));
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "TcpExt.ListenDrops", drops,
					 (uint64_t)dropped));
	/* tcp_syn_retries 2 gives up after 1+2+4 = 7 s; how many SYNs go out in
	 * that time depends on tcp_syn_linear_timeouts (6.x: the first retries
	 * come 1 s apart, so 6 SYNs, not 3). */
	TD_LAB_TRY(td_lab_expect_errno(lab, c, "connect", ETIMEDOUT, dropped, 12000));
	td_lab_story(lab,
		     "tcp_syn_retries is 2 here, so after 7 s (1+2+4) connect() of the %d "
		     "late clients fails with ETIMEDOUT; the server never saw them except as "
		     "ListenOverflows and ListenDrops, one per SYN they sent.",
		     dropped);
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "TcpExt.ListenOverflows", overflows,
					 (uint64_t)dropped * 3));
	snprintf(spec, sizeof(spec), "server lq=%d client ESTABLISHED=%d SYN_SENT=0", queued,
		 queued);
	TD_LAB_TRY(td_lab_expect_states(lab, spec, 2000));
	td_lab_story(lab,
		     "The %d queued connections are ESTABLISHED on both sides, yet no "
		     "process owns them on the server: `tcpdoctor conns --state listen` shows "
		     "Recv-Q %d of backlog %d.",
		     queued, queued, AQ_BACKLOG);
	return 0;
}

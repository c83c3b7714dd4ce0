/* Lab scenario syn-flood: spoofed SYNs from 198.51.100.0/24 whose SYN-ACKs
 * go nowhere. Request sockets (SYN_RECV) fill the listener's queue; then,
 * with tcp_syncookies 0, new SYNs are dropped, and with 1 the listener
 * answers with SYN cookies and keeps no state for them. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/lab_int.h" /* td_lab_now_ms */
#include "lab/scenarios/scenario.h"

#define SF_PORT_OFF 5060 /* flooded with tcp_syncookies 0 */
#define SF_PORT_ON 5061	 /* flooded with tcp_syncookies 1 */
#define SF_BACKLOG 8	 /* listen(fd, 8): also the request queue's limit */
/* inet_csk_reqsk_queue_is_full() is "length > backlog", as for the accept
 * queue: backlog + 1 request sockets fit. */
#define SF_QUEUED (SF_BACKLOG + 1)
#define SF_SYNS 64 /* per flood */
#define SF_SPOOF_NET "198.51.100.0/24"

struct flood {
	uint16_t port;
	int count;
};

/* What the kernel guarantees, and why the checks below are bounds.
 *
 * Each SYN of a flood, in tcp_conn_request(), either gets a request socket
 * or finds the request queue full; then, without syncookies, it is dropped
 * (TCPReqQFullDrop and ListenDrops), with them it gets a cookie
 * (TCPReqQFullDoCookies, SyncookiesSent). The queue ends full, so with N
 * SYNs and Q places, N - Q SYNs find it full -- unless a request socket is
 * removed in the meantime: an ICMP destination unreachable for its SYN-ACK
 * (tcp_v4_err -> tcp_req_err: the request socket dropped and counted in
 * ListenDrops) frees a place for a later SYN. That happens when the
 * server's neighbour resolution towards the client fails (arp_error_report
 * sends the ICMP to the server itself), and was seen: TCPReqQFullDrop 53,
 * ListenDrops 55, two ICMP unreachables received. So, with U the server's
 * Icmp.InDestUnreachs growth over the flood (each aborted request socket
 * needs one):
 *   ListenDrops          = (N - Q - aborted) + aborted = N - Q: exact, >= kept
 *   TCPReqQFullDrop      >= N - Q - U  (without cookies)
 *   TCPReqQFullDoCookies >= N - Q - U  (with cookies; so SyncookiesSent)
 * The counters move in softirq, maybe after the states were seen: each
 * bound is polled until it holds. */
struct sf_counts {
	uint64_t drops, qfull, cookies, qcookies, unreach, addrerr, synrtx;
};

static int sf_read(struct td_lab *lab, struct sf_counts *c)
{
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.ListenDrops", &c->drops));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.TCPReqQFullDrop", &c->qfull));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.SyncookiesSent", &c->cookies));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.TCPReqQFullDoCookies", &c->qcookies));
	TD_LAB_TRY(td_lab_counter(lab, "server", "Icmp.InDestUnreachs", &c->unreach));
	/* The client's count first, the server's retransmits after: every
	 * retransmitted SYN-ACK the client has counted is in synrtx. */
	TD_LAB_TRY(td_lab_counter(lab, "client", "Ip.InAddrErrors", &c->addrerr));
	TD_LAB_TRY(td_lab_counter(lab, "server", "TcpExt.TCPSynRetrans", &c->synrtx));
	return 0;
}

enum sf_bound { SF_QFULL, SF_QCOOKIES, SF_COOKIES, SF_SYNACKS };

static int64_t sf_value(const struct sf_counts *c, enum sf_bound b)
{
	switch (b) {
	case SF_QFULL:
		return (int64_t)c->qfull;
	case SF_QCOOKIES:
		return (int64_t)c->qcookies;
	case SF_COOKIES:
		return (int64_t)c->cookies;
	case SF_SYNACKS:
		/* SYN-ACKs that reached the client, retransmits taken out. */
		return (int64_t)c->addrerr - (int64_t)c->synrtx;
	}
	return 0;
}

/* Poll until counter b grew from *from by at least want minus the ICMP
 * unreachables the server received since then; record the check. */
static int sf_expect(struct td_lab *lab, const struct sf_counts *from, enum sf_bound b,
		     uint64_t want, const char *what)
{
	uint64_t deadline = td_lab_now_ms() + TD_LAB_COUNTER_WAIT_MS + TD_LAB_SLACK_MS;
	struct sf_counts now;
	int64_t grew, unreach, need;
	char expect[192];

	for (;;) {
		TD_LAB_TRY(sf_read(lab, &now));
		grew = sf_value(&now, b) - sf_value(from, b);
		unreach = (int64_t)(now.unreach - from->unreach);
		need = (int64_t)want - unreach;
		if (grew >= need || td_lab_now_ms() >= deadline)
			break;
		td_lab_pause(lab, 20);
	}
	snprintf(expect, sizeof(expect), "%s grows by >= %llu - ICMP unreachables at the server",
		 what, (unsigned long long)want);
	return td_lab_expect_that(lab, grew >= need, expect, "%+lld, Icmp.InDestUnreachs +%lld",
				  (long long)grew, (long long)unreach);
}

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* A raw IPv4 SYN with a MSS option from src:sport to the server. */
static size_t make_syn(uint8_t *buf, uint32_t src, uint16_t sport, uint16_t dport, uint32_t isn)
{
	struct iphdr *ip = (struct iphdr *)buf;
	struct tcphdr *th = (struct tcphdr *)(buf + sizeof(*ip));
	uint8_t *opt = (uint8_t *)(th + 1);
	struct {
		uint32_t src, dst;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph;
	const size_t tcplen = sizeof(*th) + 4;

	memset(buf, 0, sizeof(*ip) + tcplen);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + tcplen));
	ip->saddr = src;
	inet_pton(AF_INET, TD_LAB_SERVER4, &ip->daddr);
	/* The kernel fills the IP checksum and id of a IPPROTO_RAW packet. */
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(isn);
	th->doff = (uint16_t)(tcplen / 4);
	th->syn = 1;
	th->window = htons(64240);
	opt[0] = TCPOPT_MAXSEG;
	opt[1] = TCPOLEN_MAXSEG;
	opt[2] = 1460 >> 8;
	opt[3] = 1460 & 0xff;
	ph = (typeof(ph)){ ip->saddr, ip->daddr, 0, IPPROTO_TCP, htons((uint16_t)tcplen) };
	th->check = fold(sum16(th, tcplen, sum16(&ph, sizeof(ph), 0)));
	return sizeof(*ip) + tcplen;
}

/* In the client namespace: count SYNs, each from another spoofed address
 * and port, so each is a new connection to the server. */
static int flood_main(struct td_lab_actor_ctx *a, void *arg)
{
	const struct flood *f = arg;
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t pkt[64];
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW), sent = 0, err = 0;

	if (fd < 0) {
		td_lab_say(a, "sendto", errno, 0);
		return -1;
	}
	inet_pton(AF_INET, TD_LAB_SERVER4, &to.sin_addr);
	for (int i = 0; i < f->count; i++) {
		/* 198.51.100.1 .. .250, source ports from 20000 */
		uint32_t src = htonl(0xc6336400u | (uint32_t)(1 + i % 250));
		size_t len = make_syn(pkt, src, (uint16_t)(20000 + i), f->port,
				      0x10000000u + (uint32_t)i * 7919u);

		if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			err = errno;
		else
			sent++;
	}
	close(fd);
	td_lab_say(a, "sendto", err, sent);
	return 0;
}

int td_lab_sc_syn_flood(struct td_lab *lab)
{
	const struct td_lab_server off = { .addr = { TD_LAB_SERVER4 },
					   .port = SF_PORT_OFF,
					   .backlog = SF_BACKLOG,
					   .mode = TD_LAB_SRV_NO_ACCEPT };
	const struct td_lab_server on = { .addr = { TD_LAB_SERVER4 },
					  .port = SF_PORT_ON,
					  .backlog = SF_BACKLOG,
					  .mode = TD_LAB_SRV_NO_ACCEPT };
	static const struct flood flood_off = { SF_PORT_OFF, SF_SYNS };
	static const struct flood flood_on = { SF_PORT_ON, SF_SYNS };
	const uint64_t over = SF_SYNS - SF_QUEUED;
	struct sf_counts c0, c1;
	char spec[96];
	int s1, s2, f1, f2;

	TD_LAB_TRY(td_lab_topology(lab));
	/* Request sockets must outlive the run: 5 SYN-ACK retries is 63 s. */
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.tcp_synack_retries", "5"));
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.tcp_max_syn_backlog", "128"));
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.tcp_syncookies", "0"));
	/* The way back to the spoofed sources leads into the client namespace,
	 * which does not forward: it drops them silently (ip_error counts
	 * Ip.InAddrErrors and, with forwarding off, sends no ICMP; an ICMP
	 * unreachable would kill the request socket). A blackhole route on the
	 * server itself would not do: the SYN-ACK's route lookup fails and
	 * tcp_conn_request drops the SYN before a request socket exists. */
	TD_LAB_TRY(td_lab_route(lab, "server", true, SF_SPOOF_NET, TD_ROUTE_UNICAST, TD_LAB_CLIENT4,
				NULL));
	TD_LAB_TRY(s1 = td_lab_server(lab, "server", &off));
	TD_LAB_TRY(s2 = td_lab_server(lab, "server", &on));
	TD_LAB_TRY(td_lab_expect_errno(lab, s1, "listen", 0, 1, 3000));
	TD_LAB_TRY(td_lab_expect_errno(lab, s2, "listen", 0, 1, 3000));
	TD_LAB_TRY(sf_read(lab, &c0));
	td_lab_story(lab,
		     "The server listens on %s:%d and :%d with listen(fd, %d), and never "
		     "accepts. Its route back to %s leads to the client namespace, which does "
		     "not forward and drops whatever comes for those addresses.",
		     TD_LAB_SERVER4, SF_PORT_OFF, SF_PORT_ON, SF_BACKLOG, SF_SPOOF_NET);

	td_lab_story(lab,
		     "tcp_syncookies=0. A raw socket in the client namespace sends %d "
		     "SYNs to port %d, each from another spoofed address of %s.",
		     SF_SYNS, SF_PORT_OFF, SF_SPOOF_NET);
	TD_LAB_TRY(f1 = td_lab_spawn(lab, "client", "flood->5060", flood_main, (void *)&flood_off));
	TD_LAB_TRY(td_lab_expect_errno(lab, f1, "sendto", 0, 1, 3000));
	snprintf(spec, sizeof(spec), "server SYN_RECV=%d LISTEN=2 ESTABLISHED=0", SF_QUEUED);
	TD_LAB_TRY(td_lab_expect_states(lab, spec, 3000));
	TD_LAB_TRY(td_lab_expect_counter(lab, "server", "TcpExt.ListenDrops", c0.drops, over));
	TD_LAB_TRY(sf_expect(lab, &c0, SF_QFULL, over, "server: TcpExt.TCPReqQFullDrop"));
	td_lab_story(lab,
		     "Each SYN makes a request socket (SYN_RECV, RFC 9293 3.5) and a "
		     "SYN-ACK that nobody answers; the request queue is full past the listen "
		     "backlog (%d + 1 = %d SYN_RECV): the other %llu SYNs are dropped "
		     "(TCPReqQFullDrop, ListenDrops). A real client's SYN would be dropped the "
		     "same way.",
		     SF_BACKLOG, SF_QUEUED, (unsigned long long)over);

	TD_LAB_TRY(sf_read(lab, &c1));
	TD_LAB_TRY(td_lab_sysctl(lab, "server", "net.ipv4.tcp_syncookies", "1"));
	td_lab_story(lab, "tcp_syncookies=1, and the same flood to port %d.", SF_PORT_ON);
	TD_LAB_TRY(f2 = td_lab_spawn(lab, "client", "flood->5061", flood_main, (void *)&flood_on));
	TD_LAB_TRY(td_lab_expect_errno(lab, f2, "sendto", 0, 1, 3000));
	snprintf(spec, sizeof(spec), "server SYN_RECV=%d LISTEN=2 ESTABLISHED=0", 2 * SF_QUEUED);
	TD_LAB_TRY(td_lab_expect_states(lab, spec, 3000));
	TD_LAB_TRY(sf_expect(lab, &c1, SF_QCOOKIES, over, "server: TcpExt.TCPReqQFullDoCookies"));
	TD_LAB_TRY(sf_expect(lab, &c1, SF_COOKIES, over, "server: TcpExt.SyncookiesSent"));
	/* With cookies, no SYN was dropped: still no fewer than after flood 1. */
	TD_LAB_TRY(sf_expect(lab, &c0, SF_QFULL, over, "server: TcpExt.TCPReqQFullDrop"));
	/* One SYN-ACK per request socket and one per cookie reached the client
	 * (it counts them in Ip.InAddrErrors), less one per ICMP unreachable
	 * (a SYN-ACK whose neighbour resolution failed never left). */
	TD_LAB_TRY(sf_expect(lab, &c0, SF_SYNACKS, 2 * SF_QUEUED + over,
			     "client: Ip.InAddrErrors - server TcpExt.TCPSynRetrans"));
	td_lab_story(lab,
		     "Again %d SYN_RECV fill the queue, but the other %llu SYNs get a "
		     "SYN cookie (SyncookiesSent): a SYN-ACK whose sequence number encodes the "
		     "connection, and no state kept. A real client's ACK would rebuild it, so "
		     "the listener stays open under the flood. tcp_syncookies=2 sends cookies "
		     "always, and no SYN_RECV would show at all.",
		     SF_QUEUED, (unsigned long long)over);
	td_lab_story(lab, "`tcpdoctor states` shows the SYN_RECV pile; ListenOverflows does "
			  "not move: the accept queue is empty, it is the request queue that is "
			  "full.");
	return 0;
}

/* One TCP socket as any live source (netlink, replayed dump, /proc) sees it.
 * Fixed size, no pointers: sources fill one on the stack and hand it to a
 * callback, so nothing needs every socket in memory at once. */
#ifndef TD_SOCK_H
#define TD_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel timer kinds, same numbers in inet_diag (idiag_timer) and in the
 * "tr" column of /proc/net/tcp. */
enum td_timer {
	TD_TIMER_NONE = 0,
	TD_TIMER_RETRANS = 1,	/* retransmit, loss probe or RACK reorder */
	TD_TIMER_KEEPALIVE = 2, /* keepalive (also SYN-ACK timer of a listener) */
	TD_TIMER_TIMEWAIT = 3,
	TD_TIMER_PROBE0 = 4, /* zero-window probe (persist) */
};

/* The subset of struct tcp_info we carry (see linux/tcp.h). */
struct td_tcpinfo {
	uint8_t ca_state; /* tcpi_ca_state */
	uint8_t options;  /* tcpi_options (TCPI_OPT_*) */
	uint8_t snd_wscale, rcv_wscale;
	uint32_t rto_us;
	uint32_t rtt_us, rttvar_us;
	uint32_t snd_mss, rcv_mss;
	uint32_t snd_cwnd, snd_ssthresh;
	uint32_t unacked, sacked, lost, retrans; /* in packets, right now */
	uint32_t total_retrans;			 /* over the connection's life */
	uint32_t last_data_sent_ms, last_data_recv_ms, last_ack_recv_ms;
	uint32_t rcv_space;
	uint64_t bytes_acked, bytes_received;
	uint64_t delivery_rate; /* bytes per second, 0 if unknown */
	uint32_t min_rtt_us;
	uint32_t probes, backoff;
};

enum td_sock_flags {
	TD_SOCK_HAS_INFO = 1 << 0,    /* info is filled */
	TD_SOCK_HAS_COOKIE = 1 << 1,  /* cookie is valid (netlink only) */
	TD_SOCK_HAS_BACKLOG = 1 << 2, /* LISTEN: wqueue is the backlog */
};

struct td_sock {
	uint8_t family;	       /* AF_INET or AF_INET6 */
	uint8_t state;	       /* enum td_state */
	uint8_t timer;	       /* enum td_timer */
	uint8_t retrans;       /* retransmits of the running timer */
	uint16_t lport, rport; /* host byte order */
	uint8_t laddr[16];     /* network order; IPv4 in the first 4 bytes */
	uint8_t raddr[16];
	uint32_t ifindex; /* bound device, 0 if none */
	uint32_t uid;
	uint64_t inode;	   /* 0 for TIME_WAIT and request sockets */
	uint64_t cookie;   /* bpf_get_socket_cookie() value */
	uint32_t rqueue;   /* Recv-Q; for LISTEN the accept queue length */
	uint32_t wqueue;   /* Send-Q; for LISTEN the backlog (netlink) */
	uint32_t timer_ms; /* time until the timer fires */
	uint32_t flags;	   /* enum td_sock_flags */
	struct td_tcpinfo info;
};

/* A socket callback. Return 0 to go on, anything else to stop the dump; the
 * dump then returns that value. */
typedef int (*td_sock_cb)(const struct td_sock *s, void *ctx);

/* A growable array of sockets, for the views that must see a (filtered,
 * usually small) set whole before printing: owners are looked up for
 * exactly those inodes. td_sockvec_cb is a td_sock_cb (ctx: the vector)
 * returning -ENOMEM when it cannot grow. */
struct td_sockvec {
	struct td_sock *v;
	size_t n, cap;
};

int td_sockvec_cb(const struct td_sock *s, void *ctx);
void td_sockvec_free(struct td_sockvec *sv);

/* Human name of a timer kind as ss prints it: "off", "on", "keepalive",
 * "timewait", "persist". */
const char *td_timer_name(int timer);

/* Format address (with family) into buf: "192.0.2.1", "2001:db8::1";
 * an IPv4-mapped IPv6 address is printed as "::ffff:192.0.2.1". */
const char *td_addr_str(int family, const uint8_t addr[16], char *buf, size_t len);
/* The same text written at p, which has room for INET6_ADDRSTRLEN bytes;
 * not terminated. Returns its end. */
char *td_addr_put(char *p, int family, const uint8_t addr[16]);

/* "192.0.2.1:80", "[2001:db8::1]:80", "0.0.0.0:80", "[::]:80" (as ss). */
const char *td_endpoint_str(int family, const uint8_t addr[16], uint16_t port, char *buf,
			    size_t len);

#endif

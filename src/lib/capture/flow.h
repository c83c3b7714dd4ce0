/* The flow engine behind `tcpdoctor pcap` (and later `capture`): TCP segments
 * in, one record per connection out, emitted by callback when the connection
 * ends or at the end of input. Memory grows with concurrent connections, not
 * with packets: an open-addressing table keyed by the 4-tuple, slab-allocated
 * connection records, nothing allocated per packet. */
#ifndef TD_FLOW_H
#define TD_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "capture/pkt.h"

/* Per-segment analysis, Wireshark's tcp.analysis.* meanings (docs/pcap.md). */
enum td_ana {
	TD_A_RETRANS,	       /* tcp.analysis.retransmission (also set with FAST) */
	TD_A_FAST_RETRANS,     /* tcp.analysis.fast_retransmission */
	TD_A_SPURIOUS_RETRANS, /* tcp.analysis.spurious_retransmission */
	TD_A_OUT_OF_ORDER,     /* tcp.analysis.out_of_order */
	TD_A_LOST_SEGMENT,     /* tcp.analysis.lost_segment: previous segment not captured */
	TD_A_ACK_UNSEEN,       /* tcp.analysis.ack_lost_segment: ACKed unseen segment */
	TD_A_DUP_ACK,	       /* tcp.analysis.duplicate_ack */
	TD_A_ZERO_WINDOW,      /* tcp.analysis.zero_window */
	TD_A_ZW_PROBE,	       /* tcp.analysis.zero_window_probe */
	TD_A_ZW_PROBE_ACK,     /* tcp.analysis.zero_window_probe_ack */
	TD_A_WINDOW_FULL,      /* tcp.analysis.window_full */
	TD_A_WINDOW_UPDATE,    /* tcp.analysis.window_update */
	TD_A_KEEP_ALIVE,       /* tcp.analysis.keep_alive */
	TD_A_KEEP_ALIVE_ACK,   /* tcp.analysis.keep_alive_ack */
	TD_A_REUSED_PORTS,     /* tcp.analysis.reused_ports */
	TD_A_COUNT,
};
#define TD_A_BIT(a) (1u << (a))

/* Short name ("retransmission", "dup-ack", ...) and the tshark field. */
const char *td_ana_name(enum td_ana a);
const char *td_ana_field(enum td_ana a);

/* Zeek's conn_state values (scripts/base/protocols/conn/main.zeek). */
enum td_conn_state {
	TD_CS_S0,
	TD_CS_S1,
	TD_CS_SF,
	TD_CS_REJ,
	TD_CS_S2,
	TD_CS_S3,
	TD_CS_RSTO,
	TD_CS_RSTR,
	TD_CS_RSTOS0,
	TD_CS_RSTRH,
	TD_CS_SH,
	TD_CS_SHR,
	TD_CS_OTH,
	TD_CS_COUNT,
};
const char *td_conn_state_name(enum td_conn_state cs);
/* One line on what it means ("connection attempt rejected"). */
const char *td_conn_state_text(enum td_conn_state cs);

/* Zeek's view of one endpoint, which conn_state is computed from. */
enum td_zeek_ep {
	TD_ZEEK_INACTIVE,
	TD_ZEEK_SYN_SENT,
	TD_ZEEK_SYN_ACK_SENT,
	TD_ZEEK_PARTIAL,
	TD_ZEEK_ESTABLISHED,
	TD_ZEEK_CLOSED,
	TD_ZEEK_RESET,
};

/* Why a record was emitted. */
enum td_conn_end {
	TD_END_CLOSED = 1, /* both FINs acknowledged, or a RST: then a grace time passed */
	TD_END_IDLE,	   /* idle longer than idle_ns (only when asked for) */
	TD_END_REUSED,	   /* a new SYN with another ISN took the 4-tuple */
	TD_END_EOF,	   /* input ended while it was still open */
};

#define TD_HISTORY_MAX 32

/* One direction of a connection: what one endpoint sent, and what the
 * observer knows about its state. dir 0 is the originator (the SYN sender,
 * else the first sender seen). The fields most segments read or write come
 * first, those a rare segment touches (a flag counted, a SYN, a history
 * letter's counter, an out-of-order block) last: a segment then fetches
 * fewer cache lines of a record that is seldom in cache on a wide capture. */
struct td_flow_dir {
	uint8_t addr[16];
	uint16_t port;
	int8_t wscale; /* -1: not offered / unknown */
	bool ws_known; /* this side's window scale is known (Wireshark's win_scale != -1) */
	bool isn_set, nextseq_set, lastack_set, fin_sent, fin_acked, syn_sent;
	/* state, RFC 9293 as far as a passive observer can tell; 0 = unknown */
	bool passive; /* reached SYN-RECEIVED from LISTEN */
	int state;
	/* statistics */
	uint64_t pkts, frame_bytes, payload_bytes;
	/* sequence tracking, as Wireshark's tcp_analyze_seq_info */
	uint32_t isn; /* relative sequence base */
	uint32_t nextseq, maxseqtobeacked, lastack;
	uint64_t nextseq_ts, lastack_ts;
	uint32_t window;   /* last window, scaled when the scale is known */
	uint32_t win_raw;  /* ...and as in the header (Wireshark compares these) */
	int32_t dupacks;   /* -1: an ACK of unseen data was just flagged */
	uint32_t last_ana; /* flags of the last segment sent */
	uint32_t fin_seq;  /* sequence number of our FIN */
	/* Zeek's TCP_Endpoint: its state (enum td_zeek_ep) and the previous
	 * one, its sequence bookkeeping (absolute), the last S/H, F and R
	 * letters' relative sequence numbers, and its reassembler's view
	 * (relative): delivered up to z_reassem, trimmed (ACKed) up to z_trim,
	 * a few out-of-order blocks above z_reassem. */
	uint8_t zeek, zeek_prev;
	uint8_t z_nblk;
	bool z_did_close;
	uint32_t z_start, z_last, z_ack;
	uint32_t z_fin_cnt, z_fin_seq;
	uint32_t z_hist_syn, z_hist_fin, z_hist_rst;
	uint32_t z_reassem, z_trim;
	/* seldom touched */
	uint16_t mss;
	uint32_t rsts, fins, syns;
	uint32_t hist_counts[4];  /* t, w, g, c exponential counters (Zeek) */
	uint32_t ana[TD_A_COUNT]; /* segments with each flag, sent by this side */
	struct {
		uint32_t lo, hi;
	} z_blk[4];
};

/* A connection. As in td_flow_dir, what most segments touch comes first
 * (then both directions, each its hot half first), what is read once at
 * the end or only in a rare case last. Aligned to a cache line, so the hot
 * fields take as few lines as they can (flow.c allocates it so). */
struct __attribute__((aligned(64))) td_conn {
	uint8_t family;
	uint8_t z_rare;	 /* Z_RARE_*: a per-segment check that is seldom needed */
	bool closer_rst; /* ...and it was a RST */
	bool flipped;	 /* first packet was a SYN-ACK: roles swapped */
	bool z_inact;
	/* engine links, not for callers */
	uint8_t list;
	uint32_t slot;
	struct td_conn *lru_prev, *lru_next;
	int closer;	       /* dir that sent the first FIN/RST; -1 none */
	uint32_t hist_once[2]; /* history letters already logged, per direction */
	uint64_t last_ns;
	uint64_t done_ns;		    /* when it ended (FINs acked or RST), 0 if open */
	uint64_t syn_ns, synack_ns, ack_ns; /* handshake times, 0 if not seen */
	char history[TD_HISTORY_MAX + 1];
	struct td_flow_dir dir[2];
	/* seldom touched */
	uint64_t id; /* 0, 1, 2... in order of first packet: tshark's tcp.stream */
	uint64_t first_ns;
	bool midstream;	     /* first packet was not a SYN */
	bool evicted_before; /* a record for this 4-tuple was emitted for idleness */
	/* Zeek's timers (cfg.zeek_streams): the connection-attempt timer, the
	 * delete timer once a close is complete, inactivity applying */
	uint64_t z_attempt_ns, z_delete_ns;
	enum td_conn_end end;
	struct td_pkt_encap encap; /* the layers around its first packet (n 0: none) */
	/* Zeek's Connection::CheckEncapsulation(): the current tunnel (a hash
	 * of it, 0: none) and how often it changed */
	uint64_t z_tunnel;
	uint32_t z_tunnel_changes;
};

/* One segment after analysis, for the ladder. */
struct td_seg {
	uint64_t ts_ns;
	uint64_t pkt_no;	   /* 1-based packet number in the input */
	int dir;		   /* 0: originator to responder */
	uint8_t flags;		   /* TD_TH_* */
	uint32_t rel_seq, rel_ack; /* relative to each side's ISN */
	uint32_t len;
	uint32_t window;	/* raw header value */
	uint32_t window_scaled; /* with the negotiated scale, if known */
	uint32_t ana;		/* TD_A_BIT()s */
	int state[2];		/* state of each side after this segment */
	uint8_t nsack;		/* SACK blocks, relative like rel_ack */
	uint32_t sack[4][2];
};

typedef int (*td_conn_cb)(const struct td_conn *c, void *ctx);
typedef int (*td_seg_cb)(const struct td_conn *c, const struct td_seg *s, void *ctx);

struct td_flow_cfg {
	uint64_t grace_ns;  /* keep a closed connection this long for late segments;
			     * 0 = TD_FLOW_GRACE_NS */
	uint64_t idle_ns;   /* emit an open connection idle this long; 0 = never
			     * (a long idle gap then never splits a connection) */
	td_conn_cb on_conn; /* each connection, once, when it is emitted */
	td_seg_cb on_seg;   /* each analysed segment, or NULL */
	void *ctx;
	/* Analyse each segment a few segments after td_flow_add() took it, so
	 * the memory of its connection can be fetched meanwhile (a file reader's
	 * choice: ~10% faster on a table larger than the CPU caches). Callbacks
	 * then run late; td_flow_expire(), td_flow_walk_open() and
	 * td_flow_flush() first catch up. */
	bool pipeline;
	/* td_flow_walk_open() visits the open connections least recently
	 * active first (a live capture's progress lines); without this, in the
	 * order they opened. Keeping that order moves a connection in a list
	 * at each of its segments, which touches two other records: an engine
	 * with no idle time (idle_ns 0) and no walk leaves open ones in place. */
	bool open_by_activity;
	/* Split connections as Zeek does (`pcap --streams zeek`): its default
	 * timers (a 5 s connection attempt, 5 s after a complete close or a
	 * RST, 5 min of inactivity) and its reuse test on a SYN, so records
	 * match conn.log one to one. Default: Wireshark's tcp.stream. */
	bool zeek_streams;
};

#define TD_FLOW_GRACE_NS (120ull * 1000000000ull)

struct td_flow_table;

/* Summary of everything the engine saw. */
struct td_flow_stats {
	uint64_t segments, conns;
	uint64_t active;      /* connections in the table (closed ones wait out a grace time) */
	uint64_t open;	      /* of those, not ended yet (no RST, FINs not both acked) */
	uint64_t peak_active; /* most connections open at the same time */
};

/* NULL on out of memory. */
struct td_flow_table *td_flow_new(const struct td_flow_cfg *cfg);
/* Feed one TCP segment (td_pkt_parse() gave TD_PKT_TCP). Timestamps should
 * not go backwards much; they may (reordered captures), the engine copes.
 * Returns 0, a callback's non-zero return, or -ENOMEM. */
int td_flow_add(struct td_flow_table *t, const struct td_pkt *p, uint64_t pkt_no);
/* Emit connections whose grace or idle time passed as of now_ns (a live
 * source calls this on a timer; td_flow_add() does it as time advances). */
int td_flow_expire(struct td_flow_table *t, uint64_t now_ns);
/* Call cb for every connection not yet ended (no FIN exchange or RST
 * completed), without emitting or forgetting it: a live capture reports
 * long-lived connections in progress. In the order cfg.open_by_activity
 * says. A non-zero cb return stops the walk and is returned. */
int td_flow_walk_open(struct td_flow_table *t, td_conn_cb cb, void *ctx);
/* Emit every connection still held (end of input), in id order. */
int td_flow_flush(struct td_flow_table *t);
void td_flow_stats(const struct td_flow_table *t, struct td_flow_stats *st);
void td_flow_free(struct td_flow_table *t);

/* Derived facts about an emitted connection. */
enum td_conn_state td_conn_state(const struct td_conn *c);
/* Handshake RTT SYN -> ACK in ns, 0 when the handshake was not seen whole. */
uint64_t td_conn_rtt_ns(const struct td_conn *c);
/* Sum of one analysis flag over both directions. */
uint32_t td_conn_ana(const struct td_conn *c, enum td_ana a);
/* "the server never closed", "refused", ...: the one-line diagnosis, or
 * NULL when all is well. */
const char *td_conn_problem(const struct td_conn *c);
/* A severity for --anomalies (0 = nothing wrong; bigger is worse). */
unsigned td_conn_badness(const struct td_conn *c);

#endif

/* The series behind `pcap --graph`: from the analysed segments of one
 * connection (the flow engine's on_seg stream), per direction, what the
 * time-sequence, throughput, RTT and window graphs draw. Pure: no I/O, so
 * the edge cases (sequence wrap, partial ACKs, Karn's rule, a window that
 * closes) are unit-tested on hand-built segments. Memory grows with the
 * segments of the one connection asked for. */
#ifndef TD_SERIES_H
#define TD_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/flow.h"

/* How a data segment is drawn on the time-sequence graph. */
enum td_seq_mark {
	TD_MARK_DATA = 0, /* new data, in order */
	TD_MARK_RETRANS,  /* tcp.analysis.retransmission (fast and spurious too) */
	TD_MARK_OOO,	  /* tcp.analysis.out_of_order */
	TD_MARK_ZWP,	  /* a zero-window probe */
	TD_MARK_COUNT,
};

/* One segment sent in a direction: the bar from seq to seq + len at t. */
struct td_seq_pt {
	double t;	/* seconds since the connection's first packet */
	uint64_t seq;	/* relative, unwrapped (past 4 GiB too) */
	uint32_t len;	/* payload bytes (0 for a bare SYN/FIN/RST) */
	uint32_t fresh; /* of them, bytes past the highest sent before */
	uint8_t mark;	/* enum td_seq_mark */
	uint8_t flags;	/* TD_TH_* */
};

/* The receiver's answer to that direction: its ACK and its window. */
struct td_ack_pt {
	double t;
	uint64_t ack;	 /* relative, unwrapped */
	uint64_t window; /* scaled when the scale is known, else the raw value */
	uint8_t nsack;	 /* SACK blocks the ACK carried: [left, right) */
	uint64_t sack[4][2];
};

/* One RTT sample: the data segment ending at seq_end, acknowledged exactly
 * (as tshark's tcp.analysis.ack_rtt) rtt seconds later. */
struct td_rtt_pt {
	double t; /* when the ACK came */
	double rtt;
	uint64_t seq_end;
	bool handshake; /* the SYN (or SYN-ACK) and its ACK */
};

/* Bytes in flight after a data segment (tshark's bytes_in_flight: the
 * highest sequence sent minus the highest ACK from the peer, less what the
 * peer's last ACK reported SACKed) against the peer's last advertised
 * window. */
struct td_flight_pt {
	double t;
	uint64_t in_flight;
	uint64_t window;
};

struct td_series_dir {
	struct td_seq_pt *segs;
	size_t nsegs, capsegs;
	struct td_ack_pt *acks; /* ACKs of this direction's data, by the peer */
	size_t nacks, capacks;
	struct td_rtt_pt *rtts;
	size_t nrtts, caprtts;
	struct td_flight_pt *flight;
	size_t nflight, capflight;
	uint64_t payload; /* bytes sent, retransmissions included */
	uint64_t goodput; /* new bytes (the highest sequence's advance) */
	/* state */
	bool have_seq, have_ack, have_ack_val;
	uint32_t last_seq32, last_ack32; /* to unwrap */
	uint64_t seq_cur, ack_cur;	 /* the last values, unwrapped */
	uint64_t next_seq;		 /* highest seq + len sent */
	uint64_t last_ack;		 /* highest ACK of this direction's data */
	uint64_t peer_window;
	uint64_t sacked; /* bytes in the peer's last SACK blocks (tshark: 3 at most) */
	/* segments waiting for their ACK (RTT): a ring would do, a vector is
	 * simpler and the list stays short (a window's worth) */
	struct td_pending {
		uint64_t seq, end;
		double t;
		bool retrans; /* Karn: no sample from a range sent twice */
		bool syn;     /* the handshake's SYN or SYN-ACK */
	} * pend;
	size_t npend, cappend;
};

struct td_series {
	uint64_t t0_ns; /* first segment seen */
	bool t0_set;
	struct td_series_dir d[2]; /* 0: originator to responder */
};

void td_series_init(struct td_series *s);
/* Feed one analysed segment (in capture order). 0 or -ENOMEM. */
int td_series_add(struct td_series *s, const struct td_seg *g);
void td_series_free(struct td_series *s);

/* Throughput of direction d in bins of bin seconds from t = 0 to the last
 * segment of the connection: bytes[i] all payload (tcp.len) in bin i,
 * good[i] new bytes only. Arrays are allocated (free them); *n bins.
 * 0, -ENOMEM, -EINVAL for a bin <= 0, -E2BIG past TD_SERIES_MAX_BINS. */
#define TD_SERIES_MAX_BINS 1000000
int td_series_throughput(const struct td_series *s, int d, double bin, uint64_t **bytes,
			 uint64_t **good, size_t *n);
/* The last time any segment of the connection was seen, in seconds. */
double td_series_end(const struct td_series *s);

#endif

/* Reading packets with libpcap (pcap and pcapng files, "-" for stdin, or a
 * live interface) and handing each parsed TCP segment to a callback, while
 * optionally writing every packet to a pcap file. Errors carry the packet
 * number and, for files, the byte offset. */
#ifndef TD_PCAPSRC_H
#define TD_PCAPSRC_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "capture/pkt.h"

struct td_pcapsrc;

/* Counts of everything read, TCP or not. */
struct td_pcap_counts {
	uint64_t packets; /* records read (after the BPF filter) */
	uint64_t tcp;	  /* handed to the callback */
	uint64_t not_ip, not_tcp, fragments, malformed;
	/* IP fragments (counted in fragments): datagrams reassembled from them,
	 * fragments of datagrams never completed, fragments that overlapped
	 * (capture/defrag.h) */
	uint64_t reassembled, frag_dropped, frag_overlaps;
	uint64_t first_malformed_no; /* 1-based packet number, 0 if none */
	long first_malformed_off;    /* its record's byte offset, -1 if unknown */
	char first_malformed[512];   /* what was wrong with it */
};

typedef int (*td_pcap_cb)(const struct td_pkt *p, uint64_t pkt_no, void *ctx);

/* Open a capture file (or "-"), and compile and set a BPF filter (NULL or
 * "" for none). -TD_EPARSE: not a capture file or a bad filter;
 * -TD_EUNSUPP: a link type we cannot parse; -errno: cannot open. */
int td_pcapsrc_open_file(struct td_pcapsrc **out, const char *path, const char *filter,
			 struct td_err *err);

/* Read every packet, calling cb for each TCP segment. Returns 0 at the end
 * of the file; -TD_ETRUNC when the file ends inside a record or a record is
 * corrupt (everything before it was delivered; err has the packet number
 * and offset); a non-zero cb return stops the loop and is returned. */
int td_pcapsrc_run(struct td_pcapsrc *s, td_pcap_cb cb, void *ctx, struct td_pcap_counts *n,
		   struct td_err *err);

/* A live capture: the device ("any" for all), the snap length (0: 262144),
 * promiscuous mode, and a BPF filter (NULL or "": none). The handle is in
 * immediate, non-blocking mode: poll td_pcapsrc_fd(), then dispatch.
 * -EPERM: no CAP_NET_RAW; -ENODEV: no such interface; -ENETDOWN: it is
 * down; -TD_EPARSE: a bad filter; -TD_EUNSUPP: a link type we cannot parse;
 * -EIO: anything else libpcap reports. */
struct td_pcap_live_opts {
	const char *dev;
	int snaplen;
	bool promisc;
	const char *filter;
};
int td_pcapsrc_open_live(struct td_pcapsrc **out, const struct td_pcap_live_opts *o,
			 struct td_err *err);

/* Write every packet read from now on to path (pcap format, "-" for stdout).
 * Open it before dropping privileges: the file is created then. */
int td_pcapsrc_dump_open(struct td_pcapsrc *s, const char *path, struct td_err *err);
/* The same, to fd, a file the caller opened (e.g. before entering a network
 * namespace or in another process); it is closed with the source. */
int td_pcapsrc_dump_fd(struct td_pcapsrc *s, int fd, struct td_err *err);
/* Push what was written to the file (a live capture calls it on a timer). */
int td_pcapsrc_dump_flush(struct td_pcapsrc *s, struct td_err *err);

/* The descriptor to poll for packets; -1 for a file. */
int td_pcapsrc_fd(const struct td_pcapsrc *s);

/* Live: read the packets waiting now, at most max (0: all), without
 * blocking. Returns how many were read (0: none), a callback's non-zero
 * return, 0 after td_pcapsrc_break(), or -EIO (err says why). */
int td_pcapsrc_dispatch(struct td_pcapsrc *s, unsigned max, td_pcap_cb cb, void *ctx,
			struct td_pcap_counts *n, struct td_err *err);

/* Make a running td_pcapsrc_run()/dispatch() return after the current
 * packet. Async-signal-safe (pcap_breakloop). */
void td_pcapsrc_break(struct td_pcapsrc *s);

/* The kernel's counters of a live capture (pcap_stats(3PCAP)). */
struct td_pcap_kstats {
	uint64_t received;   /* ps_recv: packets that passed the filter */
	uint64_t dropped;    /* ps_drop: dropped for lack of buffer space */
	uint64_t if_dropped; /* ps_ifdrop: dropped by the interface or driver */
};
int td_pcapsrc_kstats(struct td_pcapsrc *s, struct td_pcap_kstats *st, struct td_err *err);

/* How packets are parsed from now on: TD_PKT_OPT_* (capture/pkt.h). */
void td_pcapsrc_set_parse_opts(struct td_pcapsrc *s, unsigned opts);

int td_pcapsrc_linktype(const struct td_pcapsrc *s);
void td_pcapsrc_close(struct td_pcapsrc *s);

#endif

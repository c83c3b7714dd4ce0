/* IPv4 and IPv6 fragment reassembly for `pcap` and `capture`, so the TCP
 * segment inside a fragmented datagram is analysed as Wireshark and Zeek do.
 * Bounded: at most TD_DEFRAG_MAX datagrams in progress and TD_DEFRAG_MEM
 * bytes of buffers; a datagram not complete TD_DEFRAG_TIMEOUT_NS after its
 * first fragment (capture time) is dropped. Overlaps: the bytes that arrived
 * first are kept (Wireshark's and Zeek's choice; RFC 5722 would drop an
 * IPv6 datagram with overlaps), and counted. */
#ifndef TD_DEFRAG_H
#define TD_DEFRAG_H

#include <stdint.h>

#include "capture/pkt.h"

#define TD_DEFRAG_MAX 1024
#define TD_DEFRAG_MEM (16u << 20)
#define TD_DEFRAG_TIMEOUT_NS (30ull * 1000000000ull) /* Linux's ipfrag_time */

struct td_defrag;

struct td_defrag_counts {
	uint64_t datagrams; /* reassembled */
	uint64_t dropped;   /* fragments of datagrams never completed (timeout,
			       * limits, end of input, bad lengths) */
	uint64_t overlaps;  /* fragments that overlapped data already held */
};

/* NULL on out of memory. */
struct td_defrag *td_defrag_new(void);
/* A fragment (td_pkt_parse() said TD_PKT_FRAGMENT and filled p->frag_ip
 * and p->frag_hdr) of a frame of caplen bytes. Returns the length of the
 * whole datagram, an IP packet at *out (valid until the next call), when
 * this fragment completed it; 0 otherwise. */
uint32_t td_defrag_add(struct td_defrag *d, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
		       const struct td_pkt *p, const uint8_t **out);
/* Counts so far; datagrams still in progress are counted as dropped. */
void td_defrag_counts(const struct td_defrag *d, struct td_defrag_counts *c);
void td_defrag_free(struct td_defrag *d);

#endif

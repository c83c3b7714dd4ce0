/* Link-layer, IP and TCP header parsing into a small fixed-size record, in
 * place and bounds-checked on every field. Pure: no libpcap, no allocation,
 * so it can be fuzzed alone and fed by a file or a live handle alike. */
#ifndef TD_PKT_H
#define TD_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* Link types by their DLT_ numbers as pcap_datalink() returns them. */
enum {
	TD_LINK_NULL = 0,	     /* BSD loopback, host byte order family */
	TD_LINK_EN10MB = 1,	     /* Ethernet, with 802.1Q / QinQ tags */
	TD_LINK_PPP = 9,	     /* PPP, optional HDLC address/control */
	TD_LINK_FDDI = 10,	     /* FDDI: frame control, two MACs, then LLC/SNAP */
	TD_LINK_RAW = 12,	     /* raw IPv4/IPv6 (Linux DLT_RAW) */
	TD_LINK_RAW_BSD = 14,	     /* DLT_RAW on OpenBSD */
	TD_LINK_PPP_SERIAL = 50,     /* PPP in HDLC-like framing (RFC 1662) */
	TD_LINK_PPP_ETHER = 51,	     /* PPPoE session header, then PPP */
	TD_LINK_RAW_LT = 101,	     /* LINKTYPE_RAW, if a reader passes it through */
	TD_LINK_C_HDLC = 104,	     /* Cisco HDLC */
	TD_LINK_IEEE802_11 = 105,    /* 802.11 frames */
	TD_LINK_LOOP = 108,	     /* OpenBSD loopback, network byte order family */
	TD_LINK_SLL = 113,	     /* Linux cooked capture v1 */
	TD_LINK_RADIOTAP = 127,	     /* radiotap header, then 802.11 */
	TD_LINK_JUNIPER_ETHER = 178, /* Juniper's header, then Ethernet */
	TD_LINK_PPI = 192,	     /* Per-Packet Information header, then its link */
	TD_LINK_IPV4 = 228,
	TD_LINK_IPV6 = 229,
	TD_LINK_NFLOG = 239, /* Linux NFLOG: TLVs, the packet in NFULA_PAYLOAD */
	TD_LINK_IPOIB = 242, /* IP over InfiniBand: route header, RFC 4391's 4 bytes */
	TD_LINK_SLL2 = 276,  /* Linux cooked capture v2 */
};

/* Encapsulation layers td_pkt_parse() looks through to the inner TCP. */
enum td_encap {
	TD_ENC_VLAN = 1, /* one or more 802.1Q / 802.1ad tags, or a VN-Tag */
	TD_ENC_MPLS,	 /* an MPLS label stack (and pseudowire control word) */
	TD_ENC_PPPOE,	 /* PPPoE session */
	TD_ENC_IP,	 /* IP in IP: 4in4, 6in4, 4in6, 6in6 */
	TD_ENC_GRE,	 /* GRE (RFC 2784/2890) and PPTP's enhanced GRE */
	TD_ENC_ERSPAN,	 /* ERSPAN type I, II or III inside GRE */
	TD_ENC_VXLAN,	 /* UDP 4789 */
	TD_ENC_GENEVE,	 /* UDP 6081 */
	TD_ENC_GTPU,	 /* GTPv1-U, UDP 2152 */
	TD_ENC_TEREDO,	 /* IPv6 over UDP 3544 */
	TD_ENC_AYIYA,	 /* UDP 5072 */
	TD_ENC_MACINMAC, /* 802.1ah PBB or Cisco FabricPath: a frame in a frame */
	TD_ENC_COUNT,
};
/* Most layers recorded (and followed: a deeper packet is malformed). */
#define TD_ENCAP_MAX 8

/* The layers around a packet, outermost first, and the endpoints of the
 * outermost IP header that carried a tunnel (family 0: none, e.g. only
 * VLAN tags or MPLS). */
struct td_pkt_encap {
	uint8_t n;
	uint8_t layer[TD_ENCAP_MAX]; /* enum td_encap */
	uint8_t family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport; /* its UDP ports, for a tunnel in UDP (else 0) */
};

/* "vlan", "gre", ... */
const char *td_encap_name(enum td_encap e);

/* TCP header flags as in the header byte (RFC 9293 3.1). */
enum {
	TD_TH_FIN = 0x01,
	TD_TH_SYN = 0x02,
	TD_TH_RST = 0x04,
	TD_TH_PSH = 0x08,
	TD_TH_ACK = 0x10,
	TD_TH_URG = 0x20,
	TD_TH_ECE = 0x40,
	TD_TH_CWR = 0x80,
};

/* What td_pkt_parse() found. TD_PKT_TCP is the only one that fills the
 * TCP fields; the others are counted by the caller, never fatal. */
enum td_pkt_kind {
	TD_PKT_TCP = 0,
	TD_PKT_NOT_IP,	  /* ARP, LLDP, ...: not our business */
	TD_PKT_NOT_TCP,	  /* IP, but UDP/ICMP/ESP/... */
	TD_PKT_FRAGMENT,  /* an IP fragment: counted, not reassembled */
	TD_PKT_MALFORMED, /* shorter than its headers, bad lengths: err says which */
};

struct td_pkt {
	uint64_t ts_ns;	  /* capture time, ns since the epoch (set by the caller) */
	uint32_t caplen;  /* bytes captured */
	uint32_t wirelen; /* bytes on the wire (frame length) */
	uint8_t family;	  /* AF_INET or AF_INET6 */
	uint8_t flags;	  /* TD_TH_* */
	uint8_t wscale;	  /* window scale option shift (valid if has_wscale) */
	uint8_t nsack;	  /* SACK blocks in this segment */
	bool has_mss, has_wscale, sack_ok, has_ts;
	uint8_t saddr[16], daddr[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	uint16_t window; /* raw header value, unscaled */
	uint16_t mss;
	uint32_t seq, ack;
	uint32_t tsval, tsecr;
	uint32_t payload_len; /* TCP payload per the IP length, not the snap length */
	bool payload_cut;     /* ...and not all of it was captured (snap length) */
	bool opts_cut;	      /* TCP options cut by the snap length (the rest read) */
	uint32_t sack[4][2];  /* left and right edge of the first nsack blocks */
	/* TD_PKT_FRAGMENT: where the fragment's IP header starts in the frame,
	 * and (IPv6) its fragment header; for defrag.c */
	uint32_t frag_ip, frag_hdr;
	/* Last: td_pkt_parse() clears only what comes before it, and fills it
	 * only for an encapsulated packet (encap.n == 0 otherwise). */
	struct td_pkt_encap encap;
};

/* Is this link type one td_pkt_parse() reads? */
bool td_pkt_link_supported(int linktype);
/* "Ethernet", "Linux SLL", ... or NULL for an unsupported one. */
const char *td_pkt_link_name(int linktype);

/* Parse one frame of `caplen` bytes (wirelen from the capture header).
 * Returns the kind (>= 0), with p filled for TD_PKT_TCP; for
 * TD_PKT_MALFORMED err says which header is short or wrong and at which
 * byte of the frame. Returns -TD_EUNSUPP for a link type it does not read.
 * Never reads outside data[0..caplen). */
int td_pkt_parse(int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
		 struct td_pkt *p, struct td_err *err);

/* The same, with TD_PKT_OPT_* choices. */
enum {
	/* Zeek's protocol detection: Teredo and AYIYA recognised by their
	 * headers on any UDP port, not only 3544 and 5072 (tshark's rule) */
	TD_PKT_OPT_ZEEK_DETECT = 1u << 0,
};
int td_pkt_parse_opt(int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
		     unsigned opts, struct td_pkt *p, struct td_err *err);

#endif

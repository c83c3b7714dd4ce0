/* Header parsing for `tcpdoctor pcap` and `capture`: link layer (Ethernet with
 * VLAN tags, Linux SLL/SLL2, raw IP, BSD loopback, PPP, Cisco HDLC, NFLOG,
 * 802.11 with radiotap or PPI, IPoIB, Juniper Ethernet), IPv4, IPv6 with
 * extension headers, the tunnels of enum td_encap down to the inner TCP, TCP
 * with options. Every read is checked against the captured length. A tunnel is
 * only looked into when the outer header names it (an EtherType, an IP
 * protocol, a UDP port), so plain Ethernet/IP/TCP takes the same few branches
 * as before. */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/pkt.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864
#define ETH_TEB 0x6558	   /* transparent Ethernet bridging (GRE, Geneve) */
#define ETH_ERSPAN2 0x88be /* and ERSPAN type I without a sequence number */
#define ETH_ERSPAN3 0x22eb
#define ETH_PPP 0x880b
#define ETH_WCCP 0x883e
#define ETH_VNTAG 0x8926      /* Cisco VN-Tag: 4 bytes, then the EtherType */
#define ETH_PBB 0x88e7	      /* 802.1ah I-TAG: 4 bytes, then a customer frame */
#define ETH_FABRICPATH 0x8903 /* Cisco FabricPath: 2 bytes, then a frame */
#define MAX_VLAN_TAGS 8	      /* more than any real network stacks */
#define MAX_MPLS_LABELS 8     /* likewise */
#define MAX_V6_EXT 16	      /* extension headers followed before giving up */
#define MAX_AH 4	      /* IPv4 AH headers skipped in a row */
#define UDP_VXLAN 4789
#define UDP_GENEVE 6081
#define UDP_GTPU 2152
#define UDP_TEREDO 3544
#define UDP_AYIYA 5072
#define UDP_GRE 4754 /* GRE in UDP (RFC 8086) */

static const struct {
	int dlt;
	const char *name;
} links[] = {
	{ TD_LINK_NULL, "BSD loopback" },
	{ TD_LINK_EN10MB, "Ethernet" },
	{ TD_LINK_RAW, "raw IP" },
	{ TD_LINK_RAW_BSD, "raw IP" },
	{ TD_LINK_RAW_LT, "raw IP" },
	{ TD_LINK_LOOP, "OpenBSD loopback" },
	{ TD_LINK_SLL, "Linux cooked (SLL)" },
	{ TD_LINK_IPV4, "raw IPv4" },
	{ TD_LINK_IPV6, "raw IPv6" },
	{ TD_LINK_SLL2, "Linux cooked v2 (SLL2)" },
	{ TD_LINK_PPP, "PPP" },
	{ TD_LINK_PPP_SERIAL, "PPP in HDLC framing" },
	{ TD_LINK_PPP_ETHER, "PPPoE" },
	{ TD_LINK_C_HDLC, "Cisco HDLC" },
	{ TD_LINK_IEEE802_11, "802.11" },
	{ TD_LINK_RADIOTAP, "802.11 with radiotap" },
	{ TD_LINK_PPI, "PPI" },
	{ TD_LINK_JUNIPER_ETHER, "Juniper Ethernet" },
	{ TD_LINK_NFLOG, "Linux NFLOG" },
	{ TD_LINK_IPOIB, "IP over InfiniBand" },
	{ TD_LINK_FDDI, "FDDI" },
};

static const char *const encap_names[TD_ENC_COUNT] = {
	[TD_ENC_VLAN] = "vlan",	    [TD_ENC_MPLS] = "mpls",	[TD_ENC_PPPOE] = "pppoe",
	[TD_ENC_IP] = "ip",	    [TD_ENC_GRE] = "gre",	[TD_ENC_ERSPAN] = "erspan",
	[TD_ENC_VXLAN] = "vxlan",   [TD_ENC_GENEVE] = "geneve", [TD_ENC_GTPU] = "gtpu",
	[TD_ENC_TEREDO] = "teredo", [TD_ENC_AYIYA] = "ayiya",	[TD_ENC_MACINMAC] = "mac-in-mac",
};

const char *td_encap_name(enum td_encap e)
{
	return e > 0 && e < TD_ENC_COUNT ? encap_names[e] : "?";
}

const char *td_pkt_link_name(int linktype)
{
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (links[i].dlt == linktype)
			return links[i].name;
	return NULL;
}

bool td_pkt_link_supported(int linktype)
{
	return td_pkt_link_name(linktype) != NULL;
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[1] << 8 | b[0]);
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* Fill err and say the packet is malformed (not a fatal error). */
#define MALFORMED(err, ...) (td_err_set(err, -TD_EPARSE, __VA_ARGS__), TD_PKT_MALFORMED)

/* TCP options (RFC 9293 3.2): kind 0 ends, 1 pads, others carry a length
 * that covers kind and length bytes. A bad length ends parsing (as the
 * kernel's tcp_parse_options does) rather than rejecting the segment. */
static void parse_options(const uint8_t *o, unsigned len, struct td_pkt *p)
{
	unsigned i = 0;

	while (i < len) {
		unsigned kind = o[i], olen;

		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return;
		olen = o[i + 1];
		if (olen < 2 || i + olen > len)
			return;
		switch (kind) {
		case 2:
			if (olen == 4) {
				p->has_mss = true;
				p->mss = get16(o + i + 2);
			}
			break;
		case 3:
			if (olen == 3) {
				p->has_wscale = true;
				/* RFC 7323 2.3: a shift above 14 is used as 14. */
				p->wscale = o[i + 2] > 14 ? 14 : o[i + 2];
			}
			break;
		case 4:
			if (olen == 2)
				p->sack_ok = true;
			break;
		case 5:
			p->nsack = (uint8_t)((olen - 2) / 8);
			if (p->nsack > 4)
				p->nsack = 4;
			for (int k = 0; k < p->nsack; k++) {
				p->sack[k][0] = get32(o + i + 2 + 8 * k);
				p->sack[k][1] = get32(o + i + 6 + 8 * k);
			}
			break;
		case 8:
			if (olen == 10) {
				p->has_ts = true;
				p->tsval = get32(o + i + 2);
				p->tsecr = get32(o + i + 6);
			}
			break;
		}
		i += olen;
	}
}

/* seg: the TCP segment as captured (avail bytes), seglen bytes per IP. */
static int parse_tcp(const uint8_t *seg, unsigned avail, unsigned seglen, unsigned off,
		     struct td_pkt *p, struct td_err *err)
{
	unsigned doff;

	if (avail < 20)
		return MALFORMED(err,
				 "TCP header cut short: %u of 20 bytes captured (frame byte %u)",
				 avail, off);
	if (seglen < 20)
		return MALFORMED(err,
				 "IP says the TCP segment is %u bytes, less than the 20 of "
				 "a TCP header (frame byte %u)",
				 seglen, off);
	doff = (unsigned)(seg[12] >> 4) * 4;
	if (doff < 20 || doff > seglen)
		return MALFORMED(err, "TCP data offset %u bytes is not within 20..%u", doff,
				 seglen);
	/* Options cut by the snap length (tcpdump -s 68 cuts a SYN's): the
	 * 20-byte header is there, so keep the segment and read the options
	 * that were captured. */
	p->sport = get16(seg);
	p->dport = get16(seg + 2);
	p->seq = get32(seg + 4);
	p->ack = get32(seg + 8);
	p->flags = seg[13];
	p->window = get16(seg + 14);
	p->payload_len = seglen - doff;
	p->payload_cut = avail < seglen;
	p->opts_cut = avail < doff;
	parse_options(seg + 20, (doff < avail ? doff : avail) - 20, p);
	return TD_PKT_TCP;
}

/* One frame being parsed: positions are byte offsets into d. cap_end is
 * the end of what may be read (the captured length, or less inside a tunnel
 * whose outer header says its payload is shorter), wire_end the end of the
 * current layer on the wire (the frame length, then each tunnel's outer IP
 * length): an inner IP length is held to it as the outer one is to the frame. */
struct pctx {
	const uint8_t *d;
	unsigned cap_end, wire_end;
	unsigned opts; /* TD_PKT_OPT_* */
	struct td_pkt *p;
	struct td_err *err;
};

static int parse_ether_type(struct pctx *c, unsigned type, unsigned pos);
static int parse_80211(struct pctx *c, unsigned pos);
static int parse_ipv4(struct pctx *c, unsigned pos);
static int parse_ipv6(struct pctx *c, unsigned pos);

/* Bytes of the current layer on the wire from offset off (never less than
 * what was captured: a record may claim a wire length below its capture
 * length). */
static unsigned wire_left(const struct pctx *c, unsigned off, unsigned avail)
{
	unsigned left = c->wire_end > off ? c->wire_end - off : 0;

	return left > avail ? left : avail;
}

/* Bytes readable from pos on (0 when pos is past the end). */
static unsigned avail_at(const struct pctx *c, unsigned pos)
{
	return pos < c->cap_end ? c->cap_end - pos : 0;
}

/* Record one more layer; a tunnel carried by IP (end: where the outer IP
 * payload ends on the wire) also bounds what follows and, the first time,
 * notes the outer endpoints (p->saddr/daddr, still the outer header's). */
static int enter(struct pctx *c, enum td_encap kind, unsigned pos, unsigned end, bool by_ip)
{
	struct td_pkt_encap *e = &c->p->encap;

	if (e->n >= TD_ENCAP_MAX)
		return MALFORMED(c->err,
				 "more than %u encapsulation layers (frame byte %u): not followed",
				 TD_ENCAP_MAX, pos);
	if (e->n && e->layer[e->n - 1] == kind && (kind == TD_ENC_VLAN || kind == TD_ENC_MPLS))
		return 0; /* a stack of tags or labels is one layer */
	if (e->n == 0)
		e->family = 0;
	e->layer[e->n++] = (uint8_t)kind;
	if (by_ip) {
		if (!e->family) {
			e->family = c->p->family;
			memcpy(e->saddr, c->p->saddr, 16);
			memcpy(e->daddr, c->p->daddr, 16);
			e->sport = e->dport = 0;
		}
		if (end < c->cap_end)
			c->cap_end = end;
		c->wire_end = end;
	}
	return 0;
}

/* An IP header by its version nibble (tunnels that do not say which). */
static int parse_ip_any(struct pctx *c, unsigned pos, const char *what)
{
	if (!avail_at(c, pos))
		return MALFORMED(c->err, "%s payload is empty (frame byte %u)", what, pos);
	switch (c->d[pos] >> 4) {
	case 4:
		return parse_ipv4(c, pos);
	case 6:
		return parse_ipv6(c, pos);
	}
	return TD_PKT_NOT_IP;
}

static int parse_eth(struct pctx *c, unsigned pos)
{
	if (avail_at(c, pos) < 14)
		return MALFORMED(c->err, "inner Ethernet header cut short at frame byte %u", pos);
	return parse_ether_type(c, get16(c->d + pos + 12), pos + 14);
}

/* PPP (RFC 1661): the HDLC address and control bytes may be there (RFC
 * 1662), the protocol field may be compressed to one byte. */
static int parse_ppp(struct pctx *c, unsigned pos)
{
	unsigned proto;

	if (avail_at(c, pos) >= 2 && c->d[pos] == 0xff && c->d[pos + 1] == 0x03)
		pos += 2;
	if (avail_at(c, pos) < 1)
		return MALFORMED(c->err, "PPP header cut short at frame byte %u", pos);
	if (c->d[pos] & 1) {
		proto = c->d[pos];
		pos += 1;
	} else {
		if (avail_at(c, pos) < 2)
			return MALFORMED(c->err, "PPP protocol cut short at frame byte %u", pos);
		proto = get16(c->d + pos);
		pos += 2;
	}
	if (proto == 0x21)
		return parse_ipv4(c, pos);
	if (proto == 0x57)
		return parse_ipv6(c, pos);
	if (proto == 0x281)
		return parse_ether_type(c, ETH_MPLS, pos);
	return TD_PKT_NOT_IP;
}

/* PPPoE session stage (RFC 2516): 6 bytes, then PPP. */
static int parse_pppoe(struct pctx *c, unsigned pos)
{
	unsigned len;
	int rc;

	if (avail_at(c, pos) < 8)
		return MALFORMED(c->err, "PPPoE header cut short at frame byte %u", pos);
	if (c->d[pos] != 0x11 || c->d[pos + 1] != 0)
		return TD_PKT_NOT_IP; /* not version 1 type 1, or not session data */
	len = get16(c->d + pos + 4);
	rc = enter(c, TD_ENC_PPPOE, pos, 0, false);
	if (rc)
		return rc;
	if (pos + 6 + len < c->cap_end)
		c->cap_end = pos + 6 + len;
	if (pos + 6 + len < c->wire_end)
		c->wire_end = pos + 6 + len;
	return parse_ppp(c, pos + 6);
}

/* An MPLS label stack (RFC 3032) to its bottom, then what the first nibble
 * says: IPv4, IPv6, or 0 for a pseudowire control word and Ethernet. */
static int parse_mpls(struct pctx *c, unsigned pos)
{
	int rc = enter(c, TD_ENC_MPLS, pos, 0, false);

	if (rc)
		return rc;
	for (int n = 0;; n++) {
		if (n >= MAX_MPLS_LABELS)
			return MALFORMED(c->err, "more than %u MPLS labels (frame byte %u)",
					 MAX_MPLS_LABELS, pos);
		if (avail_at(c, pos) < 4)
			return MALFORMED(c->err, "MPLS label cut short at frame byte %u", pos);
		pos += 4;
		if (c->d[pos - 2] & 1)
			break;
	}
	if (!avail_at(c, pos))
		return MALFORMED(c->err, "MPLS payload is empty (frame byte %u)", pos);
	if (c->d[pos] >> 4 == 0) {
		if (avail_at(c, pos) < 4)
			return MALFORMED(c->err, "MPLS control word cut short at frame byte %u",
					 pos);
		return parse_eth(c, pos + 4);
	}
	return parse_ip_any(c, pos, "MPLS");
}

static int parse_ether_type(struct pctx *c, unsigned type, unsigned pos)
{
	int rc;

	if (type == ETH_IPV4)
		return parse_ipv4(c, pos);
	if (type == ETH_IPV6)
		return parse_ipv6(c, pos);
	if (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
		/* 802.1Q/802.1ad tags: each is 4 bytes, the real type after them. */
		rc = enter(c, TD_ENC_VLAN, pos, 0, false);
		if (rc)
			return rc;
		for (int n = 0; type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD; n++) {
			if (n >= MAX_VLAN_TAGS)
				return MALFORMED(c->err, "more than %u VLAN tags (frame byte %u)",
						 MAX_VLAN_TAGS, pos);
			if (avail_at(c, pos) < 4)
				return MALFORMED(c->err,
						 "VLAN tag cut short at frame byte %u of %u", pos,
						 c->cap_end);
			type = get16(c->d + pos + 2);
			pos += 4;
		}
		return parse_ether_type(c, type, pos);
	}
	switch (type) {
	case ETH_MPLS:
	case ETH_MPLS_MC:
		return parse_mpls(c, pos);
	case ETH_PPPOE:
		return parse_pppoe(c, pos);
	case ETH_VNTAG:
		if (avail_at(c, pos) < 6)
			return MALFORMED(c->err, "VN-Tag cut short at frame byte %u", pos);
		rc = enter(c, TD_ENC_VLAN, pos, 0, false);
		return rc ? rc : parse_ether_type(c, get16(c->d + pos + 4), pos + 6);
	case ETH_PBB:
	case ETH_FABRICPATH: {
		/* PBB's I-TAG is 4 bytes; FabricPath's FTag and TTL 2 (its header
		 * is 16 bytes with the outer addresses, as Wireshark and Zeek
		 * read it) */
		unsigned tag = type == ETH_PBB ? 4 : 2;

		if (avail_at(c, pos) < tag)
			return MALFORMED(c->err, "%s tag cut short at frame byte %u",
					 type == ETH_PBB ? "802.1ah" : "FabricPath", pos);
		rc = enter(c, TD_ENC_MACINMAC, pos, 0, false);
		return rc ? rc : parse_eth(c, pos + tag);
	}
	}
	if (type <= 1500 && avail_at(c, pos) >= 8 && c->d[pos] == 0xaa && c->d[pos + 1] == 0xaa &&
	    c->d[pos + 2] == 0x03) /* 802.3 length, then LLC/SNAP */
		return parse_ether_type(c, get16(c->d + pos + 6), pos + 8);
	return TD_PKT_NOT_IP;
}

/* GRE (RFC 2784, 2890; version 1 is PPTP's, RFC 2637) and what it carries. */
static int parse_gre(struct pctx *c, unsigned pos, unsigned end)
{
	const uint8_t *g = c->d + pos;
	unsigned flags, proto, hlen = 4;
	int rc;

	if (avail_at(c, pos) < 4)
		return MALFORMED(c->err, "GRE header cut short at frame byte %u", pos);
	flags = get16(g);
	proto = get16(g + 2);
	if ((flags & 7) == 0) {
		if (flags & 0x4000)
			return TD_PKT_NOT_TCP; /* source routing (RFC 1701): not followed */
		hlen += (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) +
			(flags & 0x1000 ? 4 : 0);
	} else if ((flags & 7) == 1 && proto == ETH_PPP) {
		hlen = 8 + (flags & 0x1000 ? 4 : 0) + (flags & 0x0080 ? 4 : 0);
	} else {
		return TD_PKT_NOT_TCP;
	}
	if (avail_at(c, pos) < hlen)
		return MALFORMED(c->err, "GRE header (%u bytes) cut short at frame byte %u", hlen,
				 pos);
	rc = enter(c, TD_ENC_GRE, pos, end, true);
	if (rc)
		return rc;
	pos += hlen;
	switch (proto) {
	case ETH_IPV4:
	case ETH_IPV6:
	case ETH_MPLS:
	case ETH_MPLS_MC:
		return parse_ether_type(c, proto, pos);
	case ETH_TEB:
		return parse_eth(c, pos);
	case ETH_PPP:
		return parse_ppp(c, pos);
	case 0x8200 ... 0x8300: /* Aruba's controller tunnels: an 802.11 frame */
		return parse_80211(c, pos);
	case ETH_WCCP: /* a 4-byte redirect header, unless IPv4 follows at once */
		if (avail_at(c, pos) && c->d[pos] >> 4 != 4)
			pos += 4;
		return parse_ip_any(c, pos, "WCCP");
	case ETH_ERSPAN2:
	case ETH_ERSPAN3:
		rc = enter(c, TD_ENC_ERSPAN, pos, end, false);
		if (rc)
			return rc;
		if (proto == ETH_ERSPAN2) {
			/* Type I has no sequence number and no header of its own. */
			if (flags & 0x1000)
				pos += 8;
		} else {
			if (avail_at(c, pos) < 12)
				return MALFORMED(c->err,
						 "ERSPAN III header cut short at frame byte %u",
						 pos);
			pos += c->d[pos + 11] & 1 ? 20 : 12; /* O: platform sub-header */
		}
		return parse_eth(c, pos);
	}
	return TD_PKT_NOT_TCP;
}

/* GTPv1-U (3GPP TS 29.281): a G-PDU carries an IP packet. */
static int parse_gtpu(struct pctx *c, unsigned pos, unsigned end)
{
	const uint8_t *g = c->d + pos;
	unsigned hlen = 8, next;
	int rc;

	if (avail_at(c, pos) < 8)
		return MALFORMED(c->err, "GTP-U header cut short at frame byte %u", pos);
	if (g[0] >> 5 != 1 || !(g[0] & 0x10) || g[1] != 0xff)
		return TD_PKT_NOT_TCP; /* not GTPv1, or signalling rather than a G-PDU */
	if (g[0] & 0x07) {
		if (avail_at(c, pos) < 12)
			return MALFORMED(c->err, "GTP-U optional fields cut short at frame byte %u",
					 pos);
		hlen = 12;
		/* Extension headers: a length in 4-byte units, the next type last. */
		for (next = (g[0] & 0x04) ? g[11] : 0; next; next = c->d[pos + hlen - 1]) {
			unsigned elen;

			if (avail_at(c, pos + hlen) < 1 || !c->d[pos + hlen])
				return MALFORMED(c->err,
						 "GTP-U extension header bad or cut short at frame "
						 "byte %u",
						 pos + hlen);
			elen = c->d[pos + hlen] * 4u;
			if (avail_at(c, pos + hlen) < elen)
				return MALFORMED(
					c->err, "GTP-U extension header cut short at frame byte %u",
					pos + hlen);
			hlen += elen;
		}
	}
	rc = enter(c, TD_ENC_GTPU, pos, end, true);
	if (rc)
		return rc;
	return parse_ip_any(c, pos + hlen, "GTP-U");
}

/* Teredo (RFC 4380): optional authentication and origin indication, then
 * IPv6. Anything that does not look like that is plain UDP on port 3544. */
static int parse_teredo(struct pctx *c, unsigned pos, unsigned end)
{
	int rc;

	if (avail_at(c, pos) >= 4 && get16(c->d + pos) == 1) /* authentication */
		pos += 4u + c->d[pos + 2] + c->d[pos + 3] + 9;
	if (avail_at(c, pos) >= 8 && get16(c->d + pos) == 0) /* origin indication */
		pos += 8;
	if (avail_at(c, pos) < 40 || c->d[pos] >> 4 != 6 ||
	    (end > pos && 40u + get16(c->d + pos + 4) > end - pos))
		return TD_PKT_NOT_TCP;
	rc = enter(c, TD_ENC_TEREDO, pos, end, true);
	if (rc)
		return rc;
	return parse_ipv6(c, pos);
}

/* Zeek's TeredoAnalyzer::DetectProtocol(), which it tries on a UDP packet
 * of any port no analyzer claims: an IPv6 header whose source or
 * destination is in 2001:0::/32 (its old DPD signature), else the
 * authentication and origin indication headers in front of an IPv6
 * header. n: the UDP payload's bytes (captured, within the datagram). */
static bool teredo_detect(const uint8_t *d, unsigned n)
{
	static const uint8_t pfx[4] = { 0x20, 0x01, 0x00, 0x00 };
	unsigned val;

	if (n < 40 || (d[0] >> 4 != 6 && (d[0] != 0 || (d[1] != 0 && d[1] != 1))))
		return false;
	if (d[0] >> 4 == 6 && (!memcmp(d + 8, pfx, 4) || !memcmp(d + 24, pfx, 4)))
		return true;
	val = d[1];
	if (val == 1) {
		unsigned skip = 13u + d[2] + d[3];

		if (n < skip || n - skip < 40)
			return false;
		d += skip;
		n -= skip;
		val = get16(d);
	}
	if (val != 0)
		return false;
	d += 8;
	n -= 8;
	return n >= 40 && d[0] >> 4 == 6;
}

/* AYIYA (Anything In Anything): identity and signature lengths in the
 * first two bytes, the opcode (1: forward) and the inner protocol after. */
static int parse_ayiya(struct pctx *c, unsigned pos, unsigned end)
{
	const uint8_t *a = c->d + pos;
	unsigned hlen;
	int rc;

	if (avail_at(c, pos) < 8)
		return MALFORMED(c->err, "AYIYA header cut short at frame byte %u", pos);
	if ((a[2] & 0x0f) != 1 || (a[3] != 4 && a[3] != 41))
		return TD_PKT_NOT_TCP;
	hlen = 8 + (1u << (a[0] >> 4)) + (a[1] >> 4) * 4u;
	rc = enter(c, TD_ENC_AYIYA, pos, end, true);
	if (rc)
		return rc;
	return a[3] == 4 ? parse_ipv4(c, pos + hlen) : parse_ipv6(c, pos + hlen);
}

static int parse_udp_tunnel(struct pctx *c, unsigned sport, unsigned dport, unsigned pos,
			    unsigned end);

/* UDP: a tunnel only on its well-known port, either side. */
static int parse_udp(struct pctx *c, unsigned pos, unsigned end)
{
	unsigned sport, dport, ulen;
	const uint8_t *u;
	bool outer;
	int rc;

	if (avail_at(c, pos) < 8)
		return TD_PKT_NOT_TCP; /* not ours to call malformed */
	u = c->d + pos;
	sport = get16(u);
	dport = get16(u + 2);
	ulen = get16(u + 4);
	if (ulen >= 8 && pos + ulen < end)
		end = pos + ulen;
	pos += 8;
	/* a tunnel entered from this UDP header notes its ports */
	outer = !c->p->encap.n || !c->p->encap.family;
	rc = parse_udp_tunnel(c, sport, dport, pos, end);
	if (outer && c->p->encap.n && c->p->encap.family) {
		c->p->encap.sport = (uint16_t)sport;
		c->p->encap.dport = (uint16_t)dport;
	}
	return rc;
}

/* What a UDP payload carries: a tunnel on its well-known port, either side
 * (or, when asked, found by Zeek's detection). */
static int parse_udp_tunnel(struct pctx *c, unsigned sport, unsigned dport, unsigned pos,
			    unsigned end)
{
	int rc;

	if (dport == UDP_VXLAN || sport == UDP_VXLAN) {
		if (avail_at(c, pos) < 8 || !(c->d[pos] & 0x08))
			return TD_PKT_NOT_TCP;
		rc = enter(c, TD_ENC_VXLAN, pos, end, true);
		return rc ? rc : parse_eth(c, pos + 8);
	}
	if (dport == UDP_GENEVE || sport == UDP_GENEVE) {
		unsigned hlen;

		if (avail_at(c, pos) < 8 || c->d[pos] >> 6 != 0)
			return TD_PKT_NOT_TCP;
		hlen = 8 + (c->d[pos] & 0x3fu) * 4;
		rc = enter(c, TD_ENC_GENEVE, pos, end, true);
		if (rc)
			return rc;
		if (get16(c->d + pos + 2) == ETH_TEB)
			return parse_eth(c, pos + hlen);
		return parse_ether_type(c, get16(c->d + pos + 2), pos + hlen);
	}
	if (dport == UDP_GTPU || sport == UDP_GTPU)
		return parse_gtpu(c, pos, end);
	if (dport == UDP_TEREDO || sport == UDP_TEREDO)
		return parse_teredo(c, pos, end);
	if (dport == UDP_AYIYA || sport == UDP_AYIYA)
		return parse_ayiya(c, pos, end);
	if (dport == UDP_GRE)
		return parse_gre(c, pos, end);
	if (c->opts & TD_PKT_OPT_ZEEK_DETECT) {
		/* Zeek's protocol detection on other ports: Teredo, then AYIYA
		 * (AYIYAAnalyzer::DetectProtocol(): bytes 1 and 2 are 0x52 0x11) */
		unsigned n = avail_at(c, pos), w = end > pos ? end - pos : 0;

		if (n > w)
			n = w;
		if (teredo_detect(c->d + pos, n))
			return parse_teredo(c, pos, end);
		if (n >= 8 && c->d[pos + 1] == 0x52 && c->d[pos + 2] == 0x11)
			return parse_ayiya(c, pos, end);
	}
	return TD_PKT_NOT_TCP;
}

/* An IP payload that is not TCP: AH is skipped, tunnels followed. pos: the
 * payload's start, end: its end on the wire. */
static int parse_ip_next(struct pctx *c, unsigned proto, unsigned pos, unsigned end)
{
	for (int n = 0; n <= MAX_AH; n++) {
		int rc;

		switch (proto) {
		case 6: { /* TCP after AH */
			unsigned cap = end < c->cap_end ? end : c->cap_end;

			if (pos > end)
				return MALFORMED(c->err,
						 "IP AH header runs past the IP payload "
						 "(frame byte %u)",
						 pos);
			return parse_tcp(c->d + pos, cap > pos ? cap - pos : 0, end - pos, pos,
					 c->p, c->err);
		}
		case 51: /* AH (RFC 4302): length in 4-byte units, minus 2 */
			if (avail_at(c, pos) < 2 || pos + 2 > end)
				return MALFORMED(c->err, "AH header cut short at frame byte %u",
						 pos);
			proto = c->d[pos];
			pos += ((unsigned)c->d[pos + 1] + 2) * 4;
			continue;
		case 4:
		case 41:
			rc = enter(c, TD_ENC_IP, pos, end, true);
			if (rc)
				return rc;
			return proto == 4 ? parse_ipv4(c, pos) : parse_ipv6(c, pos);
		case 47:
			return parse_gre(c, pos, end);
		case 17:
			return parse_udp(c, pos, end);
		}
		return TD_PKT_NOT_TCP;
	}
	return MALFORMED(c->err, "more than %u AH headers in a row", MAX_AH);
}

/* The IPv4 header, inlined into td_pkt_parse()'s Ethernet fast path (the
 * common case: one call less per packet); parse_ipv4() for the rest. */
static inline __attribute__((always_inline)) int parse_ipv4_inl(struct pctx *c, unsigned off)
{
	const uint8_t *ip = c->d + off;
	unsigned avail = avail_at(c, off), ihl, total, frag;
	struct td_pkt *p = c->p;
	struct td_err *err = c->err;

	if (avail < 20)
		return MALFORMED(err, "IPv4 header cut short: %u of 20 bytes (frame byte %u)",
				 avail, off);
	if (ip[0] >> 4 != 4)
		return MALFORMED(err, "IP version %u where IPv4 was announced (frame byte %u)",
				 ip[0] >> 4, off);
	ihl = (unsigned)(ip[0] & 0x0f) * 4;
	total = get16(ip + 2);
	if (ihl < 20 || ihl > avail)
		return MALFORMED(err, "IPv4 header length %u bytes, %u captured", ihl, avail);
	/* TSO/GRO captures on the sending host carry total length 0; use what
	 * was captured then, as Wireshark does. */
	if (total == 0)
		total = avail;
	/* A total length beyond the frame's length on the wire: the payload is
	 * what the frame allows, as Wireshark computes it. */
	if (total > wire_left(c, off, avail))
		total = wire_left(c, off, avail);
	if (total < ihl)
		return MALFORMED(err, "IPv4 total length %u is less than its header length %u",
				 total, ihl);
	p->family = AF_INET;
	if (p->encap.n) { /* an IPv6 outer header filled all 16 bytes */
		memset(p->saddr, 0, 16);
		memset(p->daddr, 0, 16);
	}
	memcpy(p->saddr, ip + 12, 4);
	memcpy(p->daddr, ip + 16, 4);
	frag = get16(ip + 6);
	if (frag & 0x3fff) { /* MF or a non-zero offset */
		p->frag_ip = off;
		return TD_PKT_FRAGMENT;
	}
	if (ip[9] != 6)
		return parse_ip_next(c, ip[9], off + ihl, off + total);
	/* Ethernet pads short frames: trust the IP length, but never past the
	 * captured bytes when reading. */
	return parse_tcp(ip + ihl, (total < avail ? total : avail) - ihl, total - ihl, off + ihl, p,
			 err);
}

static int parse_ipv4(struct pctx *c, unsigned off)
{
	return parse_ipv4_inl(c, off);
}

static int parse_ipv6(struct pctx *c, unsigned off)
{
	const uint8_t *ip = c->d + off;
	unsigned avail = avail_at(c, off), plen, nh, pos = 40, end;
	struct td_pkt *p = c->p;
	struct td_err *err = c->err;

	if (avail < 40)
		return MALFORMED(err, "IPv6 header cut short: %u of 40 bytes (frame byte %u)",
				 avail, off);
	if (ip[0] >> 4 != 6)
		return MALFORMED(err, "IP version %u where IPv6 was announced (frame byte %u)",
				 ip[0] >> 4, off);
	plen = get16(ip + 4);
	if (plen == 0) /* jumbogram or a TSO capture: use what was captured */
		plen = avail - 40;
	if (40 + plen > wire_left(c, off, avail)) /* beyond the frame: as IPv4 */
		plen = wire_left(c, off, avail) - 40;
	end = 40 + plen;
	p->family = AF_INET6;
	memcpy(p->saddr, ip + 8, 16);
	memcpy(p->daddr, ip + 24, 16);
	nh = ip[6];
	for (int n = 0; n < MAX_V6_EXT; n++) {
		unsigned hlen;

		switch (nh) {
		case 6: {
			unsigned cap = (end < avail ? end : avail);

			if (pos > end)
				return MALFORMED(err,
						 "IPv6 extension headers (%u bytes) run past the "
						 "payload length %u",
						 pos - 40, plen);
			return parse_tcp(ip + pos, cap > pos ? cap - pos : 0, end - pos, off + pos,
					 p, err);
		}
		case 0:	  /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
			if (pos + 2 > avail || pos + 2 > end)
				return MALFORMED(err,
						 "IPv6 extension header cut short at byte %u of %u",
						 pos, end);
			hlen = ((unsigned)ip[pos + 1] + 1) * 8;
			break;
		case 51: /* AH: length in 4-byte units, minus 2 */
			if (pos + 2 > avail || pos + 2 > end)
				return MALFORMED(err, "IPv6 AH header cut short at byte %u of %u",
						 pos, end);
			hlen = ((unsigned)ip[pos + 1] + 2) * 4;
			break;
		case 44: /* fragment */
			if (pos + 8 > avail || pos + 8 > end)
				return MALFORMED(err,
						 "IPv6 fragment header cut short at byte %u of %u",
						 pos, end);
			/* An atomic fragment (offset 0, no M) is a whole packet. */
			if (get16(ip + pos + 2) & 0xfff9) {
				p->frag_ip = off;
				p->frag_hdr = off + pos;
				return TD_PKT_FRAGMENT;
			}
			hlen = 8;
			break;
		case 4:
		case 41:
		case 47:
		case 17:
			if (pos > end)
				return MALFORMED(err,
						 "IPv6 extension headers (%u bytes) run past the "
						 "payload length %u",
						 pos - 40, plen);
			return parse_ip_next(c, nh, off + pos, off + end);
		default:
			return TD_PKT_NOT_TCP;
		}
		nh = ip[pos];
		pos += hlen;
	}
	return TD_PKT_NOT_TCP;
}

/* 802.11 (IEEE 802.11-2020 9.2): a data frame with a body, unprotected,
 * then LLC/SNAP and an EtherType. */
static int parse_80211(struct pctx *c, unsigned pos)
{
	const uint8_t *w = c->d + pos;
	unsigned hlen = 24;
	bool amsdu = false;

	if (avail_at(c, pos) < 24)
		return MALFORMED(c->err, "802.11 header cut short at frame byte %u", pos);
	if (((w[0] >> 2) & 3) != 2 || (w[0] & 0x40))
		return TD_PKT_NOT_IP; /* management, control, or a null data frame */
	if (w[1] & 0x40)
		return TD_PKT_NOT_IP; /* protected: encrypted body */
	if ((w[1] & 3) == 3)
		hlen += 6; /* four addresses (WDS) */
	if (w[0] & 0x80) {
		if (avail_at(c, pos) < hlen + 2)
			return MALFORMED(c->err, "802.11 QoS control cut short at frame byte %u",
					 pos + hlen);
		amsdu = w[hlen] & 0x80; /* an A-MSDU: subframes, each with a header */
		hlen += 2;
		if (w[1] & 0x80)
			hlen += 4; /* HT control */
	}
	pos += hlen;
	if (amsdu)
		pos += 14; /* the first subframe's addresses and length */
	if (avail_at(c, pos) < 8)
		return MALFORMED(c->err, "802.11 LLC/SNAP header cut short at frame byte %u", pos);
	if (c->d[pos] != 0xaa || c->d[pos + 1] != 0xaa || c->d[pos + 2] != 0x03)
		return TD_PKT_NOT_IP;
	return parse_ether_type(c, get16(c->d + pos + 6), pos + 8);
}

/* Linux NFLOG (LINKTYPE_NFLOG): family, version, resource id, then TLVs in
 * the capturing host's byte order (libpcap swaps them for us), padded to 4
 * bytes; the packet is NFULA_PAYLOAD (9), starting with its IP header. */
static int parse_nflog(struct pctx *c, unsigned start)
{
	unsigned pos = start + 4, family;

	if (avail_at(c, start) < 4)
		return MALFORMED(c->err, "NFLOG header cut short: %u of 4 bytes",
				 avail_at(c, start));
	family = c->d[start];
	if (family != 2 && family != 10)
		return TD_PKT_NOT_IP;
	while (avail_at(c, pos) >= 4) {
		unsigned len, type;
		uint16_t v;

		memcpy(&v, c->d + pos, 2);
		len = v;
		memcpy(&v, c->d + pos + 2, 2);
		type = v & 0x7fff;
		if (len < 4)
			return MALFORMED(c->err, "NFLOG TLV length %u at frame byte %u", len, pos);
		if (type == 9) {
			if (pos + len < c->cap_end)
				c->cap_end = pos + len;
			c->wire_end = pos + len;
			return family == 2 ? parse_ipv4(c, pos + 4) : parse_ipv6(c, pos + 4);
		}
		pos += (len + 3) & ~3u;
	}
	return TD_PKT_NOT_IP;
}

/* The link header: where the network layer starts and what it is. */
static int parse_link(struct pctx *c, int linktype, unsigned pos, int nest)
{
	const uint8_t *d = c->d + pos;
	unsigned caplen = avail_at(c, pos), hlen;

	switch (linktype) {
	case TD_LINK_EN10MB:
		if (caplen < 14)
			return MALFORMED(c->err, "Ethernet header cut short: %u of %u bytes",
					 caplen, 14);
		return parse_ether_type(c, get16(d + 12), pos + 14);
	case TD_LINK_FDDI:
		/* frame control, destination, source; then 802.2 LLC/SNAP */
		if (caplen < 13 + 8)
			return MALFORMED(c->err,
					 "FDDI and LLC/SNAP header cut short: %u of %u bytes",
					 caplen, 13 + 8);
		if (d[13] != 0xaa || d[14] != 0xaa || d[15] != 0x03)
			return TD_PKT_NOT_IP;
		return parse_ether_type(c, get16(d + 19), pos + 21);
	case TD_LINK_SLL:
		if (caplen < 16)
			return MALFORMED(c->err, "Linux SLL header cut short: %u of %u bytes",
					 caplen, 16);
		return parse_ether_type(c, get16(d + 14), pos + 16);
	case TD_LINK_SLL2:
		if (caplen < 20)
			return MALFORMED(c->err, "Linux SLL2 header cut short: %u of %u bytes",
					 caplen, 20);
		return parse_ether_type(c, get16(d), pos + 20);
	case TD_LINK_NULL:
	case TD_LINK_LOOP: {
		uint32_t fam;

		if (caplen < 4)
			return MALFORMED(c->err, "loopback header cut short: %u of %u bytes",
					 caplen, 4);
		/* DLT_NULL is in the writer's byte order: accept either. */
		fam = get32(d);
		if (fam > 0xffff)
			fam = __builtin_bswap32(fam);
		if (fam == 2)
			return parse_ipv4(c, pos + 4);
		if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
			return parse_ipv6(c, pos + 4); /* Linux, NetBSD/OpenBSD, FreeBSD, macOS */
		return TD_PKT_NOT_IP;
	}
	case TD_LINK_RAW:
	case TD_LINK_RAW_BSD:
	case TD_LINK_RAW_LT:
	case TD_LINK_IPV4:
	case TD_LINK_IPV6:
		if (caplen < 1) /* reached through PPI or Juniper with nothing left */
			return MALFORMED(c->err, "raw IP packet is empty (frame byte %u)", pos);
		if ((d[0] >> 4) == 4)
			return parse_ipv4(c, pos);
		if ((d[0] >> 4) == 6)
			return parse_ipv6(c, pos);
		return MALFORMED(c->err, "raw IP packet with IP version %u (byte %u)", d[0] >> 4,
				 pos);
	case TD_LINK_PPP:
		return parse_ppp(c, pos);
	case TD_LINK_PPP_SERIAL:
	case TD_LINK_C_HDLC:
		if (caplen >= 2 && d[0] == 0xff && d[1] == 0x03)
			return parse_ppp(c, pos);
		if (caplen < 4)
			return MALFORMED(c->err, "HDLC header cut short: %u of 4 bytes", caplen);
		if (d[0] != 0x0f && d[0] != 0x8f)
			return TD_PKT_NOT_IP;
		return parse_ether_type(c, get16(d + 2), pos + 4);
	case TD_LINK_PPP_ETHER:
		return parse_pppoe(c, pos);
	case TD_LINK_IPOIB:
		/* A 40-byte global route header, then RFC 4391's 4 bytes. */
		if (caplen < 44)
			return MALFORMED(c->err, "IPoIB header cut short: %u of 44 bytes", caplen);
		return parse_ether_type(c, get16(d + 40), pos + 44);
	case TD_LINK_IEEE802_11:
		return parse_80211(c, pos);
	case TD_LINK_RADIOTAP:
		if (caplen < 8)
			return MALFORMED(c->err, "radiotap header cut short: %u of 8 bytes",
					 caplen);
		hlen = le16(d + 2);
		if (d[0] != 0 || hlen < 8 || hlen > caplen)
			return MALFORMED(c->err,
					 "radiotap header version %u length %u, %u captured", d[0],
					 hlen, caplen);
		return parse_80211(c, pos + hlen);
	case TD_LINK_PPI: {
		uint32_t dlt;

		if (caplen < 8)
			return MALFORMED(c->err, "PPI header cut short: %u of 8 bytes", caplen);
		hlen = le16(d + 2);
		dlt = le32(d + 4);
		if (d[0] != 0 || hlen < 8 || hlen > caplen)
			return MALFORMED(c->err, "PPI header version %u length %u, %u captured",
					 d[0], hlen, caplen);
		if (nest || dlt == TD_LINK_PPI || !td_pkt_link_supported((int)dlt))
			return TD_PKT_NOT_IP;
		return parse_link(c, (int)dlt, pos + hlen, nest + 1);
	}
	case TD_LINK_JUNIPER_ETHER:
		/* "MGC", flags; with the extension flag a length and TLVs follow;
		 * without the L2-present flag the packet starts at IP. */
		if (caplen < 4 || d[0] != 'M' || d[1] != 'G' || d[2] != 'C')
			return MALFORMED(c->err, "Juniper header missing or cut short (%u bytes)",
					 caplen);
		hlen = 4;
		if (d[3] & 0x80) {
			if (caplen < 6)
				return MALFORMED(c->err, "Juniper extension cut short");
			hlen += 2 + get16(d + 4);
		}
		if (hlen > caplen)
			return MALFORMED(c->err, "Juniper header %u bytes, %u captured", hlen,
					 caplen);
		if (d[3] & 0x02) /* no L2 header */
			return parse_ip_any(c, pos + hlen, "Juniper");
		return parse_link(c, TD_LINK_EN10MB, pos + hlen, nest + 1);
	case TD_LINK_NFLOG:
		return parse_nflog(c, pos);
	}
	return td_err_set(c->err, -TD_EUNSUPP, "link type %d is not supported", linktype);
}

/* The body of both entry points, so td_pkt_parse() keeps its six
 * arguments in registers and its options folded away. */
static inline __attribute__((always_inline)) int parse_entry(int linktype, const uint8_t *d,
							     uint32_t caplen, uint32_t wirelen,
							     unsigned opts, struct td_pkt *p,
							     struct td_err *err)
{
	struct pctx c = {
		.d = d, .cap_end = caplen, .wire_end = wirelen, .opts = opts, .p = p, .err = err
	};
	uint64_t ts = p->ts_ns;

	memset(p, 0, offsetof(struct td_pkt, encap));
	p->encap.n = 0;
	p->ts_ns = ts;
	p->caplen = caplen;
	p->wirelen = wirelen;
	if (caplen == 0)
		return MALFORMED(err, "zero-length packet");
	/* Plain Ethernet and IPv4: straight to the IP header. */
	if (linktype == TD_LINK_EN10MB && caplen >= 14 && d[12] == 0x08 && d[13] == 0x00)
		return parse_ipv4_inl(&c, 14);
	return parse_link(&c, linktype, 0, 0);
}

int td_pkt_parse(int linktype, const uint8_t *d, uint32_t caplen, uint32_t wirelen,
		 struct td_pkt *p, struct td_err *err)
{
	return parse_entry(linktype, d, caplen, wirelen, 0, p, err);
}

int td_pkt_parse_opt(int linktype, const uint8_t *d, uint32_t caplen, uint32_t wirelen,
		     unsigned opts, struct td_pkt *p, struct td_err *err)
{
	return parse_entry(linktype, d, caplen, wirelen, opts, p, err);
}

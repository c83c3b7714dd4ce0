/* Header parsing for `tcpdoctor pcap` and `capture`: link layer (Ethernet with
 * VLAN tags, Linux SLL/SLL2, raw IP, BSD loopback), IPv4, IPv6 with extension
 * headers, TCP with options. Every read is checked against the captured length. */
#include <string.h>
#include <sys/socket.h>

#include "capture/pkt.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 8 /* more than any real network stacks */
#define MAX_V6_EXT 16	/* extension headers followed before giving up */

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
};

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

/* Bytes of the frame on the wire from offset off (never less than what was
 * captured: a record may claim a wire length below its capture length). */
static unsigned wire_left(const struct td_pkt *p, unsigned off, unsigned avail)
{
	unsigned left = p->wirelen > off ? p->wirelen - off : 0;

	return left > avail ? left : avail;
}

static int parse_ipv4(const uint8_t *ip, unsigned avail, unsigned off, struct td_pkt *p,
		      struct td_err *err)
{
	unsigned ihl, total, frag;

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
	if (total > wire_left(p, off, avail))
		total = wire_left(p, off, avail);
	if (total < ihl)
		return MALFORMED(err, "IPv4 total length %u is less than its header length %u",
				 total, ihl);
	p->family = AF_INET;
	memcpy(p->saddr, ip + 12, 4);
	memcpy(p->daddr, ip + 16, 4);
	frag = get16(ip + 6);
	if (frag & 0x3fff) /* MF or a non-zero offset */
		return TD_PKT_FRAGMENT;
	if (ip[9] != 6)
		return TD_PKT_NOT_TCP;
	/* Ethernet pads short frames: trust the IP length, but never past the
	 * captured bytes when reading. */
	return parse_tcp(ip + ihl, (total < avail ? total : avail) - ihl, total - ihl, off + ihl, p,
			 err);
}

static int parse_ipv6(const uint8_t *ip, unsigned avail, unsigned off, struct td_pkt *p,
		      struct td_err *err)
{
	unsigned plen, nh, pos = 40, end;

	if (avail < 40)
		return MALFORMED(err, "IPv6 header cut short: %u of 40 bytes (frame byte %u)",
				 avail, off);
	if (ip[0] >> 4 != 6)
		return MALFORMED(err, "IP version %u where IPv6 was announced (frame byte %u)",
				 ip[0] >> 4, off);
	plen = get16(ip + 4);
	if (plen == 0) /* jumbogram or a TSO capture: use what was captured */
		plen = avail - 40;
	if (40 + plen > wire_left(p, off, avail)) /* beyond the frame: as IPv4 */
		plen = wire_left(p, off, avail) - 40;
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
			if (get16(ip + pos + 2) & 0xfff9)
				return TD_PKT_FRAGMENT;
			hlen = 8;
			break;
		default:
			return TD_PKT_NOT_TCP;
		}
		nh = ip[pos];
		pos += hlen;
	}
	return TD_PKT_NOT_TCP;
}

static int parse_ip(unsigned ethertype, const uint8_t *ip, unsigned avail, unsigned off,
		    struct td_pkt *p, struct td_err *err)
{
	if (ethertype == ETH_IPV4)
		return parse_ipv4(ip, avail, off, p, err);
	if (ethertype == ETH_IPV6)
		return parse_ipv6(ip, avail, off, p, err);
	return TD_PKT_NOT_IP;
}

/* Skip 802.1Q/802.1ad tags: each is 4 bytes, the real type after them. */
static int skip_vlans(const uint8_t *d, unsigned caplen, unsigned *pos, unsigned *type,
		      struct td_err *err)
{
	for (int n = 0; *type == ETH_VLAN || *type == ETH_QINQ || *type == ETH_QINQ_OLD; n++) {
		if (n >= MAX_VLAN_TAGS)
			return MALFORMED(err, "more than %u VLAN tags (frame byte %u)",
					 MAX_VLAN_TAGS, *pos);
		if (*pos + 4 > caplen)
			return MALFORMED(err, "VLAN tag cut short at frame byte %u of %u", *pos,
					 caplen);
		*type = get16(d + *pos + 2);
		*pos += 4;
	}
	return 0;
}

int td_pkt_parse(int linktype, const uint8_t *d, uint32_t caplen, uint32_t wirelen,
		 struct td_pkt *p, struct td_err *err)
{
	unsigned pos, type;
	uint64_t ts = p->ts_ns;
	int rc;

	memset(p, 0, sizeof(*p));
	p->ts_ns = ts;
	p->caplen = caplen;
	p->wirelen = wirelen;
	if (caplen == 0)
		return MALFORMED(err, "zero-length packet");
	switch (linktype) {
	case TD_LINK_EN10MB:
		if (caplen < 14)
			return MALFORMED(err, "Ethernet header cut short: %u of %u bytes", caplen,
					 14);
		pos = 14;
		type = get16(d + 12);
		break;
	case TD_LINK_SLL:
		if (caplen < 16)
			return MALFORMED(err, "Linux SLL header cut short: %u of %u bytes", caplen,
					 16);
		pos = 16;
		type = get16(d + 14);
		break;
	case TD_LINK_SLL2:
		if (caplen < 20)
			return MALFORMED(err, "Linux SLL2 header cut short: %u of %u bytes", caplen,
					 20);
		pos = 20;
		type = get16(d);
		break;
	case TD_LINK_NULL:
	case TD_LINK_LOOP: {
		uint32_t fam;

		if (caplen < 4)
			return MALFORMED(err, "loopback header cut short: %u of %u bytes", caplen,
					 4);
		/* DLT_NULL is in the writer's byte order: accept either. */
		fam = get32(d);
		if (fam > 0xffff)
			fam = __builtin_bswap32(fam);
		pos = 4;
		if (fam == 2)
			type = ETH_IPV4;
		else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
			type = ETH_IPV6; /* Linux, NetBSD/OpenBSD, FreeBSD, macOS */
		else
			return TD_PKT_NOT_IP;
		break;
	}
	case TD_LINK_RAW:
	case TD_LINK_RAW_BSD:
	case TD_LINK_RAW_LT:
	case TD_LINK_IPV4:
	case TD_LINK_IPV6:
		pos = 0;
		type = (d[0] >> 4) == 6 ? ETH_IPV6 : (d[0] >> 4) == 4 ? ETH_IPV4 : 0;
		if (!type)
			return MALFORMED(err, "raw IP packet with IP version %u (byte %u)",
					 d[0] >> 4, 0);
		break;
	default:
		return td_err_set(err, -TD_EUNSUPP, "link type %d is not supported", linktype);
	}
	rc = skip_vlans(d, caplen, &pos, &type, err);
	if (rc)
		return rc;
	return parse_ip(type, d + pos, caplen - pos, pos, p, err);
}

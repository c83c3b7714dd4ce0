/* Unit tests for src/lib/capture/pkt.c: every link type, VLAN tags, IPv6 extension
 * headers, fragments, TCP options, and each way a frame can be too short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "capture/pkt.h"

static size_t put_tcp(uint8_t *b, uint8_t flags, const uint8_t *opts, size_t olen, size_t plen)
{
	size_t hl = 20 + olen;

	memset(b, 0, hl + plen);
	b[0] = 0x9c, b[1] = 0x40;		      /* sport 40000 */
	b[2] = 0x01, b[3] = 0xbb;		      /* dport 443 */
	b[4] = 0, b[5] = 0, b[6] = 0x03, b[7] = 0xe8; /* seq 1000 */
	b[11] = 7;				      /* ack 7 */
	b[12] = (uint8_t)((hl / 4) << 4);
	b[13] = flags;
	b[14] = 0xff, b[15] = 0xff;
	if (olen)
		memcpy(b + 20, opts, olen);
	return hl + plen;
}

static size_t put_ipv4(uint8_t *b, size_t l4len, uint16_t frag, uint8_t proto)
{
	size_t tot = 20 + l4len;

	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)(tot >> 8), b[3] = (uint8_t)tot;
	b[6] = (uint8_t)(frag >> 8), b[7] = (uint8_t)frag;
	b[9] = proto;
	b[12] = 192, b[13] = 0, b[14] = 2, b[15] = 2;
	b[16] = 192, b[17] = 0, b[18] = 2, b[19] = 1;
	return 20;
}

/* Ethernet + IPv4 + TCP; returns the frame length. */
static size_t eth_v4(uint8_t *f, uint8_t flags, size_t plen)
{
	size_t t;

	memset(f, 0, 14);
	f[12] = 0x08;
	t = put_tcp(f + 34, flags, NULL, 0, plen);
	put_ipv4(f + 14, t, 0x4000, 6);
	return 34 + t;
}

static void test_ethernet_ipv4(void **state)
{
	uint8_t f[200];
	struct td_pkt p = { .ts_ns = 42 };
	size_t n = eth_v4(f, TD_TH_SYN | TD_TH_ACK, 10);

	(void)state;
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, NULL),
			 TD_PKT_TCP);
	assert_int_equal(p.ts_ns, 42);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.seq, 1000);
	assert_int_equal(p.ack, 7);
	assert_int_equal(p.window, 65535);
	assert_int_equal(p.flags, TD_TH_SYN | TD_TH_ACK);
	assert_int_equal(p.payload_len, 10);
	assert_memory_equal(p.saddr, ((uint8_t[]){ 192, 0, 2, 2 }), 4);
	assert_memory_equal(p.daddr, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
}

static void test_ethernet_padding_ignored(void **state)
{
	uint8_t f[200];
	struct td_pkt p;
	size_t n = eth_v4(f, TD_TH_ACK, 0);

	(void)state;
	memset(f + n, 0xee, 6); /* 54 -> 60 bytes: Ethernet minimum */
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n + 6, 60, &p, NULL),
			 TD_PKT_TCP);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.wirelen, 60);
}

static void test_qinq(void **state)
{
	uint8_t f[200], g[200];
	struct td_pkt p;
	size_t n = eth_v4(f, TD_TH_ACK, 3);

	(void)state;
	memcpy(g, f, 12);
	g[12] = 0x88, g[13] = 0xa8, g[14] = 0, g[15] = 10; /* 802.1ad */
	g[16] = 0x81, g[17] = 0x00, g[18] = 0, g[19] = 20; /* 802.1Q */
	memcpy(g + 20, f + 12, n - 12);
	assert_int_equal(
		td_pkt_parse(TD_LINK_EN10MB, g, (uint32_t)n + 8, (uint32_t)n + 8, &p, NULL),
		TD_PKT_TCP);
	assert_int_equal(p.payload_len, 3);
	/* a tag cut in the middle */
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, g, 17, 17, &p, NULL), TD_PKT_MALFORMED);
}

static void test_sll_sll2_null_raw(void **state)
{
	uint8_t f[200], g[200];
	struct td_pkt p;
	size_t n = eth_v4(f, TD_TH_FIN | TD_TH_ACK, 0), ip = n - 14;

	(void)state;
	memset(g, 0, 20);
	g[14] = 0x08;
	memcpy(g + 16, f + 14, ip);
	assert_int_equal(td_pkt_parse(TD_LINK_SLL, g, (uint32_t)(16 + ip), 0, &p, NULL),
			 TD_PKT_TCP);
	memset(g, 0, 20);
	g[0] = 0x08;
	memcpy(g + 20, f + 14, ip);
	assert_int_equal(td_pkt_parse(TD_LINK_SLL2, g, (uint32_t)(20 + ip), 0, &p, NULL),
			 TD_PKT_TCP);
	/* DLT_NULL in either byte order */
	memset(g, 0, 4);
	g[0] = 2;
	memcpy(g + 4, f + 14, ip);
	assert_int_equal(td_pkt_parse(TD_LINK_NULL, g, (uint32_t)(4 + ip), 0, &p, NULL),
			 TD_PKT_TCP);
	g[0] = 0, g[3] = 2;
	assert_int_equal(td_pkt_parse(TD_LINK_LOOP, g, (uint32_t)(4 + ip), 0, &p, NULL),
			 TD_PKT_TCP);
	g[3] = 99;
	assert_int_equal(td_pkt_parse(TD_LINK_LOOP, g, (uint32_t)(4 + ip), 0, &p, NULL),
			 TD_PKT_NOT_IP);
	assert_int_equal(td_pkt_parse(TD_LINK_RAW, f + 14, (uint32_t)ip, 0, &p, NULL), TD_PKT_TCP);
	assert_int_equal(p.flags, TD_TH_FIN | TD_TH_ACK);
}

static void test_ipv6_ext_headers_and_fragments(void **state)
{
	uint8_t f[300];
	struct td_pkt p;
	size_t t;

	(void)state;
	memset(f, 0, sizeof(f));
	f[0] = 0x60;
	f[6] = 0; /* hop-by-hop */
	f[8] = 0x20, f[9] = 0x01, f[10] = 0x0d, f[11] = 0xb8, f[23] = 2;
	f[40] = 60, f[41] = 0; /* HBH (8 bytes) -> dest opts */
	f[48] = 6, f[49] = 0;  /* dest opts (8 bytes) -> TCP */
	t = put_tcp(f + 56, TD_TH_SYN, (const uint8_t[]){ 2, 4, 5, 0xb4, 3, 3, 9, 1 }, 8, 0);
	f[4] = 0, f[5] = (uint8_t)(16 + t);
	assert_int_equal(td_pkt_parse(TD_LINK_RAW, f, (uint32_t)(56 + t), 0, &p, NULL), TD_PKT_TCP);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.saddr[15], 2);
	assert_true(p.has_mss);
	assert_int_equal(p.mss, 1460);
	assert_true(p.has_wscale);
	assert_int_equal(p.wscale, 9);
	/* a non-first fragment */
	f[48] = 44;
	memset(f + 56, 0, 8);
	f[56] = 6, f[58] = 0x01, f[59] = 0x00; /* offset 32 */
	f[5] = 24;
	assert_int_equal(td_pkt_parse(TD_LINK_RAW, f, 64, 0, &p, NULL), TD_PKT_FRAGMENT);
	/* payload length says less than the extension headers */
	f[48] = 6;
	f[5] = 4;
	assert_int_equal(td_pkt_parse(TD_LINK_RAW, f, 64, 0, &p, NULL), TD_PKT_MALFORMED);
}

static void test_ipv4_fragment_and_other_protocols(void **state)
{
	uint8_t f[200];
	struct td_pkt p;
	size_t n = eth_v4(f, TD_TH_ACK, 0);

	(void)state;
	f[14 + 6] = 0x20; /* MF */
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, 0, &p, NULL),
			 TD_PKT_FRAGMENT);
	f[14 + 6] = 0x40;
	f[14 + 9] = 17;
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, 0, &p, NULL), TD_PKT_NOT_TCP);
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, 0, &p, NULL), TD_PKT_NOT_IP);
}

static void test_every_truncation_is_malformed(void **state)
{
	uint8_t f[200];
	struct td_pkt p;
	struct td_err err;
	size_t n = eth_v4(f, TD_TH_ACK, 0);

	(void)state;
	/* Cut the frame at every length short of the TCP header: never TCP,
	 * always a message. */
	for (size_t cut = 0; cut < n; cut++) {
		td_err_clear(&err);
		assert_int_equal(
			td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)cut, (uint32_t)n, &p, &err),
			TD_PKT_MALFORMED);
		assert_true(err.msg[0] != '\0');
	}
	/* data offset below 5 words, and above the segment */
	f[34 + 12] = 0x40;
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, 0, &p, NULL),
			 TD_PKT_MALFORMED);
	f[34 + 12] = 0xf0;
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, 0, &p, NULL),
			 TD_PKT_MALFORMED);
	/* IP total length smaller than its header */
	f[34 + 12] = 0x50;
	f[14 + 3] = 10;
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, 0, &p, NULL),
			 TD_PKT_MALFORMED);
}

static void test_options_bad_lengths_stop(void **state)
{
	uint8_t f[200];
	struct td_pkt p;
	size_t t;

	(void)state;
	memset(f, 0, 14);
	f[12] = 0x08;
	/* SACK-permitted, then an option claiming 40 bytes: parsing stops
	 * there, the segment is still read. */
	t = put_tcp(f + 34, TD_TH_SYN, (const uint8_t[]){ 4, 2, 8, 40, 1, 1, 1, 1 }, 8, 0);
	put_ipv4(f + 14, t, 0, 6);
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)(34 + t), 0, &p, NULL),
			 TD_PKT_TCP);
	assert_true(p.sack_ok);
	assert_false(p.has_ts);
	/* timestamps and a wscale above 14 (RFC 7323: use 14) */
	t = put_tcp(f + 34, TD_TH_SYN,
		    (const uint8_t[]){ 8, 10, 0, 0, 0, 5, 0, 0, 0, 6, 3, 3, 20, 1, 0, 0 }, 16, 0);
	put_ipv4(f + 14, t, 0, 6);
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)(34 + t), 0, &p, NULL),
			 TD_PKT_TCP);
	assert_true(p.has_ts);
	assert_int_equal(p.tsval, 5);
	assert_int_equal(p.tsecr, 6);
	assert_int_equal(p.wscale, 14);
}

static void test_unsupported_link(void **state)
{
	uint8_t f[60] = { 0 };
	struct td_pkt p;
	struct td_err err = { 0 };

	(void)state;
	assert_false(td_pkt_link_supported(147));
	assert_true(td_pkt_link_supported(TD_LINK_SLL2));
	assert_int_equal(td_pkt_parse(147, f, sizeof(f), sizeof(f), &p, &err), -TD_EUNSUPP);
	assert_non_null(strstr(err.msg, "147"));
}

/* tcpdump -s 68: a SYN's options cut by the snap length. The 20-byte
 * header is there: the segment is kept, the options captured are read. */
static void test_options_cut_by_snaplen(void **state)
{
	uint8_t f[200];
	struct td_pkt p;
	size_t t;

	(void)state;
	memset(f, 0, 14);
	f[12] = 0x08;
	/* MSS 1460, SACK-permitted, timestamps, NOP, wscale 7: 20 bytes */
	t = put_tcp(f + 34, TD_TH_SYN, (const uint8_t[]){ 2, 4, 5, 180, 4, 2, 8, 10, 0, 0,
							  0, 1, 0, 0,	0, 0, 1, 3,  3, 7 },
		    20, 0);
	put_ipv4(f + 14, t, 0x4000, 6);
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, 68, (uint32_t)(34 + t), &p, NULL),
			 TD_PKT_TCP);
	assert_int_equal(p.flags, TD_TH_SYN);
	assert_int_equal(p.seq, 1000);
	assert_true(p.has_mss);
	assert_int_equal(p.mss, 1460);
	assert_true(p.sack_ok);
	assert_false(p.has_ts); /* cut */
	assert_false(p.has_wscale);
	assert_int_equal(p.payload_len, 0);
	/* the 20-byte header itself cut: still malformed */
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, 53, (uint32_t)(34 + t), &p, NULL),
			 TD_PKT_MALFORMED);
}

/* An IP total length beyond what the frame held on the wire: the payload is
 * what the frame's length allows, as Wireshark computes it. */
static void test_ip_length_beyond_frame(void **state)
{
	uint8_t f[200];
	struct td_pkt p;
	size_t n = eth_v4(f, TD_TH_ACK, 10);

	(void)state;
	f[14 + 3] += 40; /* claims 40 bytes more than the frame */
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)n, (uint32_t)n, &p, NULL),
			 TD_PKT_TCP);
	assert_int_equal(p.payload_len, 10);
	assert_false(p.payload_cut);
	/* cut by the snap length only: the payload is what the frame had */
	assert_int_equal(td_pkt_parse(TD_LINK_EN10MB, f, 54, (uint32_t)n, &p, NULL), TD_PKT_TCP);
	assert_int_equal(p.payload_len, 10);
	assert_true(p.payload_cut);
}

/* PPPoE's length ends the IP packet, as tshark reads it: an IP header
 * claiming 6 bytes more (Zeek's pppoe-over-qinq.pcap, whose pure ACKs say
 * 46) leaves no payload. Zeek follows the IP header there (docs/pcap.md). */
static void test_pppoe_length_ends_ip(void **state)
{
	uint8_t f[200];
	struct td_pkt p;
	size_t t;

	(void)state;
	memset(f, 0, sizeof(f));
	f[12] = 0x88, f[13] = 0x64;		    /* PPPoE session */
	f[14] = 0x11;				    /* version 1, type 1 */
	f[18] = 0, f[19] = 2 + 40;		    /* its length: PPP + 40 bytes of IP */
	f[20] = 0x00, f[21] = 0x21;		    /* PPP: IPv4 */
	t = put_tcp(f + 42, TD_TH_ACK, NULL, 0, 6); /* 6 bytes after the header */
	put_ipv4(f + 22, t, 0x4000, 6);		    /* IP total length 46 */
	assert_int_equal(
		td_pkt_parse(TD_LINK_EN10MB, f, (uint32_t)(42 + t), (uint32_t)(42 + t), &p, NULL),
		TD_PKT_TCP);
	assert_int_equal(p.payload_len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pppoe_length_ends_ip),
		cmocka_unit_test(test_ethernet_ipv4),
		cmocka_unit_test(test_ethernet_padding_ignored),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_sll_sll2_null_raw),
		cmocka_unit_test(test_ipv6_ext_headers_and_fragments),
		cmocka_unit_test(test_ipv4_fragment_and_other_protocols),
		cmocka_unit_test(test_every_truncation_is_malformed),
		cmocka_unit_test(test_options_bad_lengths_stop),
		cmocka_unit_test(test_unsupported_link),
		cmocka_unit_test(test_options_cut_by_snaplen),
		cmocka_unit_test(test_ip_length_beyond_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the tunnels and link types of src/lib/capture/pkt.c, on the
 * captures of tests/data/pcap/tunnels (written by make-tunnels.py): every
 * frame gives its inner TCP with the expected layers, and every frame cut at
 * every length and bent at every offset parses without reading outside the
 * frame (this test runs under ASan+UBSan in `make test`), says why when it is
 * malformed, and feeds the flow engine (and fragments the reassembler)
 * safely. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "capture/defrag.h"
#include "capture/flow.h"
#include "capture/pkt.h"

#define MAX_FRAMES 64
#define MAX_FRAME 512

struct capture {
	int link;
	unsigned n;
	uint32_t len[MAX_FRAMES];
	uint8_t data[MAX_FRAMES][MAX_FRAME];
};

static const char *srcdir(void)
{
	const char *d = getenv("TD_SRCDIR");

	return d && *d ? d : ".";
}

/* A classic little-endian pcap file as make-tunnels.py writes it. */
static void load(const char *name, struct capture *c)
{
	char path[512];
	uint8_t h[24];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/data/pcap/tunnels/%s.pcap", srcdir(), name);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s (set TD_SRCDIR?)", path);
	assert_int_equal(fread(h, 1, 24, fp), 24);
	memcpy(&c->link, h + 20, 4);
	c->n = 0;
	while (c->n < MAX_FRAMES && fread(h, 1, 16, fp) == 16) {
		uint32_t len;

		memcpy(&len, h + 8, 4);
		assert_true(len <= MAX_FRAME);
		assert_int_equal(fread(c->data[c->n], 1, len, fp), len);
		c->len[c->n++] = len;
	}
	fclose(fp);
	assert_true(c->n > 0);
}

static const struct {
	const char *name;
	int family;	    /* of the inner packet */
	const char *layers; /* "vlan/gre", "" for none */
} cases[] = {
	{ "vlan", AF_INET, "vlan" },
	{ "qinq", AF_INET, "vlan" },
	{ "mpls", AF_INET, "mpls" },
	{ "mpls-pw", AF_INET6, "mpls" },
	{ "pppoe", AF_INET, "pppoe" },
	{ "pppoe6", AF_INET6, "pppoe" },
	{ "gre", AF_INET, "gre" },
	{ "gre-v6inner", AF_INET6, "gre" },
	{ "gre-over-ipv6", AF_INET, "gre" },
	{ "gretap", AF_INET, "gre" },
	{ "erspan2", AF_INET, "gre/erspan" },
	{ "erspan3", AF_INET, "gre/erspan" },
	{ "vxlan", AF_INET, "vxlan" },
	{ "geneve", AF_INET6, "geneve" },
	{ "gtpu", AF_INET, "gtpu" },
	{ "teredo", AF_INET6, "teredo" },
	{ "ayiya", AF_INET6, "ayiya" },
	{ "4in4", AF_INET, "ip" },
	{ "6in4", AF_INET6, "ip" },
	{ "4in6", AF_INET, "ip" },
	{ "6in6", AF_INET6, "ip" },
	{ "ah4", AF_INET, "" },
	{ "ah6", AF_INET6, "" },
	{ "deep", AF_INET, "vlan/mpls/gre/vxlan" },
	{ "link-ppp", AF_INET, "" },
	{ "link-ppp-serial", AF_INET, "" },
	{ "link-ppp-ether", AF_INET, "pppoe" },
	{ "link-chdlc", AF_INET, "" },
	{ "link-nflog", AF_INET, "" },
	{ "link-nflog6", AF_INET6, "" },
	{ "link-80211", AF_INET, "" },
	{ "link-radiotap", AF_INET, "" },
	{ "link-ppi", AF_INET6, "" },
	{ "link-ipoib", AF_INET, "" },
	{ "link-juniper", AF_INET, "" },
};

/* Captures of fragments: not every frame is TCP, but each datagram is. */
static const char *const frag_cases[] = { "frag4", "frag6", "frag-in-gre", "gre-fragmented" };

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void layers_str(const struct td_pkt *p, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < p->encap.n; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? "/" : "",
				       td_encap_name(p->encap.layer[i]));
}

static void test_every_case_finds_the_inner_tcp(void **state)
{
	static struct capture c;
	char got[128];

	(void)state;
	for (size_t k = 0; k < NCASES; k++) {
		load(cases[k].name, &c);
		assert_true(td_pkt_link_supported(c.link));
		for (unsigned i = 0; i < c.n; i++) {
			struct td_pkt p = { 0 };
			struct td_err err = { 0 };
			int kind = td_pkt_parse(c.link, c.data[i], c.len[i], c.len[i], &p, &err);

			if (kind != TD_PKT_TCP)
				fail_msg("%s frame %u: kind %d (%s)", cases[k].name, i, kind,
					 err.msg);
			assert_int_equal(p.family, cases[k].family);
			/* the client is 192.0.2.1 or 2001:db8::1, on ports 40000.. */
			assert_true(p.sport >= 40000 || p.dport >= 40000);
			if (p.family == AF_INET)
				assert_true(p.saddr[0] == 192 || p.saddr[0] == 198);
			else
				assert_int_equal(p.saddr[0], 0x20);
			layers_str(&p, got, sizeof(got));
			assert_string_equal(got, cases[k].layers);
		}
	}
}

static int count_conn(const struct td_conn *conn, void *ctx)
{
	(void)conn;
	(*(unsigned *)ctx)++;
	return 0;
}

/* One frame, parsed, with every check a fuzzer would make. */
static struct td_defrag *defrag;

static void parse_one(int link, const uint8_t *f, uint32_t len, struct td_flow_table *t,
		      uint64_t no, unsigned *kinds)
{
	uint8_t *copy = malloc(len ? len : 1); /* exactly len: ASan sees any overread */
	struct td_pkt p = { .ts_ns = 1000000000ull + no };
	struct td_err err;
	int kind;

	assert_non_null(copy);
	memcpy(copy, f, len);
	err.msg[0] = '\0';
	kind = td_pkt_parse(link, copy, len, len, &p, &err);
	assert_true(kind >= 0 && kind <= TD_PKT_MALFORMED);
	kinds[kind]++;
	if (kind == TD_PKT_MALFORMED && !err.msg[0])
		fail_msg("link %d, %u bytes: malformed without a reason", link, len);
	if (kind == TD_PKT_TCP) {
		assert_true(p.family == AF_INET || p.family == AF_INET6);
		assert_true(p.payload_len <= 65535 + 40);
		assert_true(p.encap.n <= TD_ENCAP_MAX);
		assert_int_equal(td_flow_add(t, &p, no), 0);
	}
	if (kind == TD_PKT_FRAGMENT) {
		const uint8_t *dg;
		uint32_t dlen = td_defrag_add(defrag, copy, len, len, &p, &dg);
		struct td_pkt q = { .ts_ns = p.ts_ns };

		assert_true(dlen <= 60 + 65535);
		if (dlen && td_pkt_parse(TD_LINK_RAW, dg, dlen, dlen, &q, &err) == TD_PKT_TCP)
			assert_int_equal(td_flow_add(t, &q, no), 0);
	}
	free(copy);
}

static void test_cut_and_bent_frames(void **state)
{
	static struct capture c;
	static const uint8_t bends[][2] = { { 0, 0 }, { 0xff, 0xff }, { 0, 5 }, { 0x45, 0x08 } };
	uint8_t buf[MAX_FRAME];
	unsigned kinds[TD_PKT_MALFORMED + 1] = { 0 }, conns = 0;
	uint64_t no = 0;

	(void)state;
	defrag = td_defrag_new();
	assert_non_null(defrag);
	for (size_t k = 0; k < NCASES + sizeof(frag_cases) / sizeof(frag_cases[0]); k++) {
		struct td_flow_cfg cfg = { .on_conn = count_conn, .ctx = &conns };
		struct td_flow_table *t = td_flow_new(&cfg);

		assert_non_null(t);
		load(k < NCASES ? cases[k].name : frag_cases[k - NCASES], &c);
		for (unsigned i = 0; i < c.n; i++) {
			/* every cut of the first frames, every bend of all */
			for (uint32_t n = 0; i < 3 && n < c.len[i]; n++)
				parse_one(c.link, c.data[i], n, t, ++no, kinds);
			for (uint32_t at = 0; at + 1 < c.len[i]; at++)
				for (size_t b = 0; b < sizeof(bends) / sizeof(bends[0]); b++) {
					memcpy(buf, c.data[i], c.len[i]);
					memcpy(buf + at, bends[b], 2);
					parse_one(c.link, buf, c.len[i], t, ++no, kinds);
				}
			parse_one(c.link, c.data[i], c.len[i], t, ++no, kinds);
		}
		assert_int_equal(td_flow_flush(t), 0);
		td_flow_free(t);
	}
	td_defrag_free(defrag);
	/* Some of each: the bends reach every layer. */
	assert_true(kinds[TD_PKT_TCP] > 0);
	assert_true(kinds[TD_PKT_MALFORMED] > 0);
	assert_true(kinds[TD_PKT_NOT_TCP] > 0);
	assert_true(kinds[TD_PKT_NOT_IP] > 0);
	assert_true(kinds[TD_PKT_FRAGMENT] > 0);
	assert_true(conns >= 2 * NCASES);
}

/* Nesting past TD_ENCAP_MAX is malformed, not followed: IP in IP nine deep. */
static void test_depth_limit(void **state)
{
	uint8_t f[20 * 12 + 20];
	unsigned depth = TD_ENCAP_MAX + 1, len = 20 * (depth + 1) + 20;
	struct td_pkt p = { 0 };
	struct td_err err = { 0 };

	(void)state;
	memset(f, 0, sizeof(f));
	for (unsigned i = 0; i <= depth; i++) {
		uint8_t *ip = f + 20 * i;
		unsigned tot = len - 20 * i;

		ip[0] = 0x45;
		ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
		ip[9] = i < depth ? 4 : 6;
		ip[12] = 192, ip[15] = (uint8_t)i;
	}
	f[20 * (depth + 1) + 12] = 0x50; /* the TCP header's data offset */
	assert_int_equal(td_pkt_parse(TD_LINK_RAW, f, len, len, &p, &err), TD_PKT_MALFORMED);
	assert_non_null(strstr(err.msg, "encapsulation layers"));
	/* One fewer: followed to the TCP inside. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(td_pkt_parse(TD_LINK_RAW, f + 20, len - 20, len - 20, &p, &err),
			 TD_PKT_TCP);
	assert_int_equal(p.encap.n, TD_ENCAP_MAX);
	assert_int_equal(p.encap.saddr[3], 1); /* the outermost tunnel's endpoints */
	assert_int_equal(p.saddr[3], depth);
}

/* Found by fuzz_pkt: a PPI header naming raw IP, and nothing after it. */
static void test_ppi_with_nothing_inside(void **state)
{
	uint8_t f[8] = { 0, 0, 8, 0, 101, 0, 0, 0 };
	uint8_t g[12] = { 0, 0, 8, 0, 239, 0, 0, 0, 2, 0, 0, 0 };
	struct td_pkt p = { 0 };
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_pkt_parse(TD_LINK_PPI, f, 8, 8, &p, &err), TD_PKT_MALFORMED);
	/* NFLOG inside PPI: its header read where PPI's ends */
	assert_int_not_equal(td_pkt_parse(TD_LINK_PPI, g, 12, 12, &p, &err), TD_PKT_TCP);
}

/* Raw IPv4, UDP sport -> dport, then hdr (a Teredo header or nothing),
 * IPv6 from v6src, a 20-byte TCP SYN. Returns the frame length. */
static unsigned udp_ipv6_tcp(uint8_t *f, unsigned dport, const uint8_t *hdr, unsigned hlen,
			     const uint8_t v6src[16])
{
	unsigned len = 20 + 8 + hlen + 40 + 20, ulen = len - 20;
	uint8_t *u = f + 20, *ip6 = u + 8 + hlen;

	memset(f, 0, len);
	f[0] = 0x45, f[2] = (uint8_t)(len >> 8), f[3] = (uint8_t)len, f[8] = 64, f[9] = 17;
	f[12] = 192, f[14] = 2, f[15] = 1, f[16] = 192, f[18] = 2, f[19] = 2;
	u[0] = 3797 >> 8, u[1] = 3797 & 0xff, u[2] = (uint8_t)(dport >> 8), u[3] = (uint8_t)dport;
	u[4] = (uint8_t)(ulen >> 8), u[5] = (uint8_t)ulen;
	if (hlen)
		memcpy(u + 8, hdr, hlen);
	ip6[0] = 0x60, ip6[5] = 20, ip6[6] = 6, ip6[7] = 64;
	memcpy(ip6 + 8, v6src, 16);
	ip6[24] = 0x20, ip6[25] = 0x01, ip6[26] = 0x0d, ip6[27] = 0xb8, ip6[39] = 2;
	ip6[40] = 0x04, ip6[41] = 0xd2, ip6[43] = 80, ip6[52] = 0x50, ip6[53] = 0x02;
	return len;
}

/* Zeek's Teredo detection on any UDP port (TeredoAnalyzer::DetectProtocol):
 * only with TD_PKT_OPT_ZEEK_DETECT, by a Teredo address (2001:0::/32) or an
 * origin indication in front of IPv6; tshark's rule (port 3544) otherwise. */
static void test_teredo_on_any_port(void **state)
{
	static const uint8_t teredo_src[16] = { 0x20, 0x01, 0, 0, 0x41, 0x37, 0x9e, 0x50, 0x80 };
	static const uint8_t plain_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t origin[8] = { 0, 0, 0x12, 0x34, 1, 2, 3, 4 };
	uint8_t f[160];
	struct td_pkt p = { 0 };
	struct td_err err = { 0 };
	unsigned len;

	(void)state;
	len = udp_ipv6_tcp(f, 32900, NULL, 0, teredo_src);
	assert_int_equal(td_pkt_parse(TD_LINK_RAW, f, len, len, &p, &err), TD_PKT_NOT_TCP);
	assert_int_equal(
		td_pkt_parse_opt(TD_LINK_RAW, f, len, len, TD_PKT_OPT_ZEEK_DETECT, &p, &err),
		TD_PKT_TCP);
	assert_int_equal(p.encap.n, 1);
	assert_int_equal(p.encap.layer[0], TD_ENC_TEREDO);
	assert_int_equal(p.dport, 80);
	/* neither address a Teredo one, no Teredo header: plain UDP */
	len = udp_ipv6_tcp(f, 32900, NULL, 0, plain_src);
	assert_int_equal(
		td_pkt_parse_opt(TD_LINK_RAW, f, len, len, TD_PKT_OPT_ZEEK_DETECT, &p, &err),
		TD_PKT_NOT_TCP);
	/* an origin indication, then IPv6 */
	len = udp_ipv6_tcp(f, 32900, origin, sizeof(origin), plain_src);
	assert_int_equal(
		td_pkt_parse_opt(TD_LINK_RAW, f, len, len, TD_PKT_OPT_ZEEK_DETECT, &p, &err),
		TD_PKT_TCP);
	assert_int_equal(p.encap.layer[0], TD_ENC_TEREDO);
	/* cut at every length: never TCP, never outside the frame (ASan) */
	for (unsigned cut = 0; cut < len; cut++) {
		uint8_t *g = malloc(cut ? cut : 1);

		memcpy(g, f, cut);
		assert_int_not_equal(td_pkt_parse_opt(TD_LINK_RAW, g, cut, cut,
						      TD_PKT_OPT_ZEEK_DETECT, &p, &err),
				     TD_PKT_TCP);
		free(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_case_finds_the_inner_tcp),
		cmocka_unit_test(test_cut_and_bent_frames),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_ppi_with_nothing_inside),
		cmocka_unit_test(test_teredo_on_any_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

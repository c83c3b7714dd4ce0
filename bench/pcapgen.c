/* pcapgen: write a synthetic TCP capture for bench/pcap/run — many
 * connections interleaved (handshakes, request/response data, FIN closes,
 * resets, refused and unanswered SYNs, retransmissions), in the classic pcap
 * format, Ethernet, headers only by default (the snap length of a -s 96 capture).
 * Addresses are documentation ones (198.51.100.0/24 -> 203.0.113.0/24). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_STEPS 64
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

struct step {
	uint8_t dir, flags, opts;
	uint16_t len;
	uint32_t seq, ack;
};

struct gen {
	uint64_t id;
	uint32_t caddr, saddr;
	uint16_t cport, sport;
	struct step steps[MAX_STEPS];
	int n, next;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible, good enough for shuffling packets. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void add(struct gen *g, int dir, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t len)
{
	if (g->n < MAX_STEPS)
		g->steps[g->n++] = (struct step){ .dir = (uint8_t)dir,
						  .flags = flags,
						  .opts = (flags & TH_SYN) ? 1 : 0,
						  .len = len,
						  .seq = seq,
						  .ack = ack };
}

/* One connection's packets, in order. The mix, by id: 5% unanswered SYN, 7%
 * refused, 8% reset by the server, 10% with a retransmitted response, the rest
 * a normal exchange of 1-8 request/response rounds closed by the client. */
static void gen_conn(struct gen *g, uint64_t id)
{
	uint32_t cisn = rnd(), sisn = rnd(), c, s;
	unsigned kind = (unsigned)(id * 37 % 100), rounds;

	g->id = id;
	g->n = g->next = 0;
	g->caddr = 0xc6336400u | (uint32_t)(1 + id % 250); /* 198.51.100.x */
	g->cport = (uint16_t)(10000 + (id / 250) % 50000);
	g->saddr = 0xcb007100u | (uint32_t)(1 + id % 16); /* 203.0.113.x */
	g->sport = (uint16_t)(id % 3 == 0 ? 443 : id % 3 == 1 ? 80 : 8080);
	c = cisn + 1;
	s = sisn + 1;
	if (kind < 5) {
		add(g, 0, TH_SYN, cisn, 0, 0);
		add(g, 0, TH_SYN, cisn, 0, 0);
		return;
	}
	if (kind < 12) {
		add(g, 0, TH_SYN, cisn, 0, 0);
		add(g, 1, TH_RST | TH_ACK, 0, c, 0);
		return;
	}
	add(g, 0, TH_SYN, cisn, 0, 0);
	add(g, 1, TH_SYN | TH_ACK, sisn, c, 0);
	add(g, 0, TH_ACK, c, s, 0);
	if (kind < 20) {
		uint16_t q = (uint16_t)(50 + rnd() % 400);

		add(g, 0, TH_PSH | TH_ACK, c, s, q);
		c += q;
		add(g, 1, TH_RST | TH_ACK, s, c, 0);
		return;
	}
	rounds = 1 + rnd() % 8;
	for (unsigned r = 0; r < rounds; r++) {
		uint16_t q = (uint16_t)(50 + rnd() % 400), a = (uint16_t)(200 + rnd() % 1248);

		add(g, 0, TH_PSH | TH_ACK, c, s, q);
		c += q;
		add(g, 1, TH_PSH | TH_ACK, s, c, a);
		if (kind < 30 && r == 0) /* the response again: lost, retransmitted */
			add(g, 1, TH_PSH | TH_ACK, s, c, a);
		s += a;
		add(g, 0, TH_ACK, c, s, 0);
	}
	add(g, 0, TH_FIN | TH_ACK, c, s, 0);
	add(g, 1, TH_FIN | TH_ACK, s, c + 1, 0);
	add(g, 0, TH_ACK, c + 1, s + 1, 0);
}

static uint16_t ip_csum(const uint8_t *h, int len)
{
	uint32_t sum = 0;

	for (int i = 0; i < len; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* Write one packet: pcap record header, Ethernet, IPv4, TCP (+ options on a
 * SYN), then up to snap bytes of zero payload. */
static int write_pkt(FILE *fp, const struct gen *g, const struct step *st, uint64_t ts_us,
		     unsigned snap)
{
	uint8_t b[16 + 14 + 20 + 32 + 1500];
	unsigned optlen = st->opts ? 8 : 0, hdr = 14 + 20 + 20 + optlen;
	unsigned wire = hdr + st->len, cap = wire < snap ? wire : snap;
	uint8_t *e = b + 16, *ip = e + 14, *th = ip + 20;
	uint32_t src = st->dir ? g->saddr : g->caddr, dst = st->dir ? g->caddr : g->saddr;

	if (cap < hdr)
		cap = hdr;
	memset(b, 0, 16 + cap);
	/* pcap record header is in the writer's byte order (little-endian here). */
	{
		uint32_t h[4] = { (uint32_t)(ts_us / 1000000), (uint32_t)(ts_us % 1000000), cap,
				  wire };

		memcpy(b, h, 16);
	}
	memcpy(e, st->dir ? "\x02\x00\x00\x00\x00\x02" : "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(e + 6, st->dir ? "\x02\x00\x00\x00\x00\x01" : "\x02\x00\x00\x00\x00\x02", 6);
	put16(e + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 20 + optlen + st->len));
	put16(ip + 4, (uint16_t)g->id);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, ip_csum(ip, 20));
	put16(th, st->dir ? g->sport : g->cport);
	put16(th + 2, st->dir ? g->cport : g->sport);
	put32(th + 4, st->seq);
	put32(th + 8, st->ack);
	th[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	th[13] = st->flags;
	put16(th + 14, st->flags & TH_SYN ? 64240 : 502);
	if (optlen) { /* MSS 1460, NOP, window scale 7 */
		uint8_t o[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };

		memcpy(th + 20, o, 8);
	}
	return fwrite(b, 1, 16 + cap, fp) == 16 + cap ? 0 : -1;
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: pcapgen [-n CONNS] [-C CONCURRENT] [-g GAP_US] [-s SNAP] [-S SEED] FILE\n"
		"  -n CONNS       connections in all (default 50000; ~20 packets each)\n"
		"  -C CONCURRENT  connections open at once, interleaved (default 1000)\n"
		"  -g GAP_US      capture time between packets, microseconds (default 1000)\n"
		"  -s SNAP        bytes captured per packet (default 96: headers only)\n"
		"  -S SEED        random seed (default fixed: the same file every time)\n"
		"Prints \"packets N connections N\" on stderr. FILE '-' is stdout.\n");
}

int main(int argc, char **argv)
{
	unsigned long long nconns = 50000, conc = 1000, gap = 1000, snap = 96, seed = 0;
	uint64_t started = 0, done = 0, pkts = 0, ts = 1700000000ull * 1000000;
	struct gen *g;
	FILE *fp;
	int opt;

	while ((opt = getopt(argc, argv, "n:C:g:s:S:h")) != -1) {
		switch (opt) {
		case 'n':
			nconns = strtoull(optarg, NULL, 10);
			break;
		case 'C':
			conc = strtoull(optarg, NULL, 10);
			break;
		case 'g':
			gap = strtoull(optarg, NULL, 10);
			break;
		case 's':
			snap = strtoull(optarg, NULL, 10);
			break;
		case 'S':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc || !nconns || !conc || snap < 54 || snap > 1514) {
		usage(stderr);
		return 2;
	}
	if (seed)
		rng_state ^= seed * 0xbf58476d1ce4e5b9ull;
	if (conc > nconns)
		conc = nconns;
	fp = strcmp(argv[optind], "-") ? fopen(argv[optind], "w") : stdout;
	g = calloc(conc, sizeof(*g));
	if (!fp || !g) {
		fprintf(stderr, "pcapgen: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	{
		/* pcap file header: magic, 2.4, tz 0, sigfigs 0, snaplen, Ethernet */
		uint32_t h[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, (uint32_t)snap, 1 };

		fwrite(h, 1, sizeof(h), fp);
	}
	for (uint64_t i = 0; i < conc; i++)
		gen_conn(&g[i], started++);
	while (done < nconns) {
		struct gen *c = &g[rnd() % conc];

		if (c->next >= c->n)
			continue; /* a finished slot when no connection is left to start */
		ts += gap / 2 + rnd() % (gap + 1);
		if (write_pkt(fp, c, &c->steps[c->next++], ts, (unsigned)snap) < 0) {
			fprintf(stderr, "pcapgen: writing %s: %s\n", argv[optind], strerror(errno));
			return 1;
		}
		pkts++;
		if (c->next == c->n) {
			done++;
			if (started < nconns)
				gen_conn(c, started++);
		}
	}
	if (fflush(fp) == EOF || (fp != stdout && fclose(fp) == EOF)) {
		fprintf(stderr, "pcapgen: writing %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	fprintf(stderr, "packets %llu connections %llu\n", (unsigned long long)pkts,
		(unsigned long long)nconns);
	free(g);
	return 0;
}

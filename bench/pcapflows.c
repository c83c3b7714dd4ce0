/* A second floor for `tcpdoctor pcap`: a classic pcap file read as tcpdoctor
 * reads it (mapped, records parsed in place), each TCP packet's connection
 * found in an open-addressing table and counted, and nothing else: no
 * analysis, no output line. What any per-connection tool pays at least; the
 * distance from here to `tcpdoctor pcap` is its analyses and its lines.
 * Ethernet, IPv4 and IPv6 without extension headers; the whole file is
 * mapped at once (a benchmark's file fits).
 * Usage: pcapflows FILE; prints "packets N tcp T connections C". */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One cache line a connection. */
struct __attribute__((aligned(64))) flow {
	uint64_t a[2][2]; /* the two addresses, IPv4 in the first 4 bytes */
	uint16_t port[2];
	uint8_t used, family, flags[2];
	uint32_t pkts[2], bytes[2], seq[2];
	uint32_t last_s;
};

static struct flow *tab;
static uint32_t mask;
static uint64_t nflows, ntcp;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	return x ^ (x >> 33);
}

static uint64_t ep_key(const uint64_t addr[2], uint16_t port)
{
	return (addr[0] ^ addr[1] * 0x9e3779b97f4a7c15ull) + port;
}

/* The same for either direction. */
static uint32_t tuple_hash(uint64_t a, uint64_t b)
{
	return (uint32_t)mix((a < b ? a : b) * 0xff51afd7ed558ccdull ^ (a < b ? b : a));
}

static int ep_eq(const struct flow *f, int d, const uint64_t addr[2], uint16_t port)
{
	return f->port[d] == port && !((f->a[d][0] ^ addr[0]) | (f->a[d][1] ^ addr[1]));
}

static void grow(void);

/* One TCP packet of addresses s and d (4 or 16 bytes) and header tcp. */
static void count(int family, const uint8_t *s, const uint8_t *d, const uint8_t *tcp,
		  uint32_t wirelen, uint64_t ts)
{
	uint16_t sp = (uint16_t)(tcp[0] << 8 | tcp[1]), dp = (uint16_t)(tcp[2] << 8 | tcp[3]);
	uint64_t sa[2] = { 0, 0 }, da[2] = { 0, 0 }, a, b;
	uint32_t i;

	if (nflows * 2 >= mask + 1)
		grow(); /* a load of at most a half, as tcpdoctor's table */
	memcpy(sa, s, family == 4 ? 4 : 16);
	memcpy(da, d, family == 4 ? 4 : 16);
	a = ep_key(sa, sp);
	b = ep_key(da, dp);
	i = tuple_hash(a, b) & mask;
	ntcp++;
	for (;; i = (i + 1) & mask) {
		struct flow *f = &tab[i];
		int dir;

		if (!f->used) {
			f->used = 1;
			f->family = (uint8_t)family;
			memcpy(f->a[0], sa, 16);
			memcpy(f->a[1], da, 16);
			f->port[0] = sp;
			f->port[1] = dp;
			nflows++;
		} else if (f->family != family) {
			continue;
		}
		if (ep_eq(f, 0, sa, sp) && ep_eq(f, 1, da, dp))
			dir = 0;
		else if (ep_eq(f, 1, sa, sp) && ep_eq(f, 0, da, dp))
			dir = 1;
		else
			continue;
		f->pkts[dir]++;
		f->bytes[dir] += wirelen;
		f->last_s = (uint32_t)(ts / 1000000000u);
		memcpy(&f->seq[dir], tcp + 4, 4);
		f->flags[dir] |= tcp[13];
		return;
	}
}

static void place(struct flow *t, uint32_t m, const struct flow *f)
{
	uint32_t i = tuple_hash(ep_key(f->a[0], f->port[0]), ep_key(f->a[1], f->port[1])) & m;

	while (t[i].used)
		i = (i + 1) & m;
	t[i] = *f;
}

static void grow(void)
{
	uint32_t m = mask * 2 + 1;
	struct flow *t = calloc((size_t)m + 1, sizeof(*t));

	if (!t) {
		fprintf(stderr, "pcapflows: out of memory\n");
		exit(1);
	}
	for (uint32_t i = 0; i <= mask; i++)
		if (tab[i].used)
			place(t, m, &tab[i]);
	free(tab);
	tab = t;
	mask = m;
}

static uint32_t rd32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

int main(int argc, char **argv)
{
	uint64_t packets = 0, mult;
	const uint8_t *m;
	struct stat st;
	size_t at = 24;
	uint32_t magic;
	int fd, swap;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapflows FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 24) {
		fprintf(stderr, "pcapflows: %s: cannot read a pcap file\n", argv[1]);
		return 1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (m == MAP_FAILED) {
		perror("pcapflows: mmap");
		return 1;
	}
	memcpy(&magic, m, 4);
	swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	magic = swap ? __builtin_bswap32(magic) : magic;
	if ((magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) || rd32(m + 20, swap) != 1) {
		fprintf(stderr, "pcapflows: %s: not a classic pcap file of Ethernet\n", argv[1]);
		return 1;
	}
	mult = magic == 0xa1b23c4d ? 1 : 1000;
	mask = 1023;
	tab = calloc((size_t)mask + 1, sizeof(*tab));
	if (!tab)
		return 1;
	while (at + 16 <= (size_t)st.st_size) {
		uint32_t caplen = rd32(m + at + 8, swap), wirelen = rd32(m + at + 12, swap);
		const uint8_t *p = m + at + 16;
		uint64_t ts = rd32(m + at, swap) * 1000000000ull + rd32(m + at + 4, swap) * mult;

		if (caplen > (size_t)st.st_size - at - 16)
			break; /* cut short */
		at += 16 + caplen;
		packets++;
		if (caplen < 14)
			continue;
		if (p[12] == 0x08 && p[13] == 0x00 && caplen >= 14 + 20 && p[14] >> 4 == 4 &&
		    p[23] == 6) {
			unsigned ihl = (p[14] & 15) * 4u;

			if (caplen >= 14 + ihl + 20)
				count(4, p + 26, p + 30, p + 14 + ihl, wirelen, ts);
		} else if (p[12] == 0x86 && p[13] == 0xdd && caplen >= 14 + 40 + 20 && p[20] == 6) {
			count(6, p + 22, p + 38, p + 54, wirelen, ts);
		}
	}
	printf("packets %llu tcp %llu connections %llu\n", (unsigned long long)packets,
	       (unsigned long long)ntcp, (unsigned long long)nflows);
	return 0;
}

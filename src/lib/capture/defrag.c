/* Fragments are rare next to whole packets: a small table searched in
 * order, a bitmap of 8-byte units per datagram, buffers grown as fragments
 * arrive. The whole datagram is rebuilt as a plain IP packet (IPv6: its
 * fixed header, the extension headers before the fragment header left out)
 * and handed back to be parsed again. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/defrag.h"

#define MAX_PAYLOAD 65535u
#define UNITS ((MAX_PAYLOAD + 7) / 8)

struct dgram {
	bool used;
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	uint64_t first_ns;
	uint32_t nfrags;
	uint32_t total; /* payload length, known from the last fragment (has_total) */
	bool has_total;
	uint8_t hdr[60];
	uint32_t hlen; /* 0 until the first fragment (offset 0) arrived */
	uint8_t *buf;
	uint32_t bufcap;
	uint8_t have[(UNITS + 7) / 8];
};

struct td_defrag {
	struct dgram d[TD_DEFRAG_MAX];
	size_t mem;
	struct td_defrag_counts n;
	uint8_t out[60 + MAX_PAYLOAD];
};

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

struct td_defrag *td_defrag_new(void)
{
	return calloc(1, sizeof(struct td_defrag));
}

static void drop(struct td_defrag *t, struct dgram *g)
{
	t->n.dropped += g->nfrags;
	t->mem -= g->bufcap;
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

static void finish(struct td_defrag *t, struct dgram *g)
{
	t->mem -= g->bufcap;
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

void td_defrag_counts(const struct td_defrag *t, struct td_defrag_counts *c)
{
	*c = t->n;
	for (size_t i = 0; i < TD_DEFRAG_MAX; i++)
		if (t->d[i].used)
			c->dropped += t->d[i].nfrags;
}

void td_defrag_free(struct td_defrag *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < TD_DEFRAG_MAX; i++)
		free(t->d[i].buf);
	free(t);
}

static bool complete(const struct dgram *g)
{
	uint32_t units = (g->total + 7) / 8;

	if (!g->has_total || !g->hlen)
		return false;
	for (uint32_t u = 0; u < units; u++)
		if (!(g->have[u / 8] & (1u << (u % 8))))
			return false;
	return true;
}

uint32_t td_defrag_add(struct td_defrag *t, const uint8_t *f, uint32_t caplen, uint32_t wirelen,
		       const struct td_pkt *p, const uint8_t **out)
{
	const uint8_t *ip = f + p->frag_ip, *pay;
	uint32_t avail = caplen > p->frag_ip ? caplen - p->frag_ip : 0;
	uint32_t off, len, id, end;
	uint8_t proto, hdr[60];
	uint32_t hlen = 0;
	bool mf, overlap = false;
	struct dgram *g = NULL, *free_slot = NULL;

	(void)wirelen;
	*out = NULL;
	if (p->family == AF_INET) {
		uint32_t ihl, total;
		uint16_t fr;

		if (avail < 20)
			goto bad;
		ihl = (ip[0] & 0x0fu) * 4;
		total = get16(ip + 2);
		if (ihl < 20 || total < ihl || total > avail)
			goto bad; /* cut by the snap length, or a bad length */
		fr = get16(ip + 6);
		off = (fr & 0x1fffu) * 8;
		mf = fr & 0x2000;
		id = get16(ip + 4);
		proto = ip[9];
		pay = ip + ihl;
		len = total - ihl;
		if ((fr & 0x1fff) == 0) {
			memcpy(hdr, ip, ihl);
			hlen = ihl;
		}
	} else {
		const uint8_t *fh = f + p->frag_hdr;
		uint32_t ipend;

		if (avail < 40 || p->frag_hdr < p->frag_ip + 40 || p->frag_hdr + 8 > caplen)
			goto bad;
		ipend = p->frag_ip + 40 + get16(ip + 4);
		if (ipend > caplen || ipend < p->frag_hdr + 8)
			goto bad;
		proto = fh[0];
		off = get16(fh + 2) & 0xfff8u;
		mf = fh[3] & 1;
		id = get32(fh + 4);
		pay = fh + 8;
		len = ipend - (p->frag_hdr + 8);
		if (off == 0) {
			memcpy(hdr, ip, 40);
			hdr[6] = proto;
			hlen = 40;
		}
	}
	end = off + len;
	if (end > MAX_PAYLOAD || (mf && len % 8) || (mf && !len))
		goto bad;
	for (size_t i = 0; i < TD_DEFRAG_MAX; i++) {
		struct dgram *c = &t->d[i];

		if (!c->used) {
			if (!free_slot)
				free_slot = c;
			continue;
		}
		if (p->ts_ns > c->first_ns && p->ts_ns - c->first_ns > TD_DEFRAG_TIMEOUT_NS) {
			drop(t, c);
			if (!free_slot)
				free_slot = c;
			continue;
		}
		if (!g && c->family == p->family && c->id == id && c->proto == proto &&
		    !memcmp(c->src, p->saddr, 16) && !memcmp(c->dst, p->daddr, 16))
			g = c;
	}
	if (!g) {
		if (!free_slot)
			goto bad; /* too many datagrams in progress */
		g = free_slot;
		g->used = true;
		g->family = p->family;
		g->proto = proto;
		g->id = id;
		memcpy(g->src, p->saddr, 16);
		memcpy(g->dst, p->daddr, 16);
		g->first_ns = p->ts_ns;
	}
	g->nfrags++;
	if (end > g->bufcap) {
		uint32_t cap = (end + 2047) & ~2047u;
		uint8_t *nb;

		if (cap > MAX_PAYLOAD + 1)
			cap = MAX_PAYLOAD + 1;
		if (t->mem + (cap - g->bufcap) > TD_DEFRAG_MEM || !(nb = realloc(g->buf, cap))) {
			drop(t, g);
			return 0;
		}
		t->mem += cap - g->bufcap;
		g->buf = nb;
		g->bufcap = cap;
	}
	/* First arrived wins, unit by unit. */
	for (uint32_t u = off / 8; u * 8 < end; u++) {
		uint32_t a = u * 8, b = a + 8 < end ? a + 8 : end;

		if (g->have[u / 8] & (1u << (u % 8))) {
			overlap = true;
			continue;
		}
		memcpy(g->buf + a, pay + (a - off), b - a);
		g->have[u / 8] |= (uint8_t)(1u << (u % 8));
	}
	if (overlap)
		t->n.overlaps++;
	if (!mf && !g->has_total) {
		g->has_total = true;
		g->total = end;
	}
	if (hlen && !g->hlen) {
		memcpy(g->hdr, hdr, hlen);
		g->hlen = hlen;
	}
	if (!complete(g))
		return 0;
	memcpy(t->out, g->hdr, g->hlen);
	memcpy(t->out + g->hlen, g->buf, g->total);
	if (g->family == AF_INET) {
		uint32_t tot = g->hlen + g->total;

		t->out[2] = (uint8_t)(tot >> 8);
		t->out[3] = (uint8_t)tot;
		t->out[6] = t->out[7] = 0;
	} else {
		t->out[4] = (uint8_t)(g->total >> 8);
		t->out[5] = (uint8_t)g->total;
	}
	len = g->hlen + g->total;
	t->n.datagrams++;
	finish(t, g);
	*out = t->out;
	return len;
bad:
	t->n.dropped++;
	return 0;
}

/* pcapng (draft-ietf-opsawg-pcapng) blocks, read one at a time into a buffer
 * that grows to the largest block seen (at most TD_PCAPNG_MAX_BLOCK). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapng.h"

#define BT_SHB 0x0a0d0d0a
#define BT_IDB 1
#define BT_PB 2 /* obsolete Packet Block */
#define BT_SPB 3
#define BT_EPB 6
#define BOM 0x1a2b3c4d

struct iface {
	int linktype;
	uint32_t snaplen;
	bool pow2; /* resolution 2^-res, else 10^-res */
	uint8_t res;
	int64_t offset; /* if_tsoffset, seconds */
};

struct td_pcapng {
	FILE *fp;
	bool swapped;
	long off, next_off; /* this block, the next */
	uint8_t *buf;
	size_t cap;
	struct iface ifs[TD_PCAPNG_MAX_IF];
	unsigned nifs;
	int first_link;
	uint32_t first_snap;
};

static uint32_t g32(const struct td_pcapng *r, const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return r->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t g16(const struct td_pcapng *r, const uint8_t *b)
{
	uint16_t v;

	memcpy(&v, b, 2);
	return r->swapped ? __builtin_bswap16(v) : v;
}

int td_pcapng_linktype(const struct td_pcapng *r)
{
	return r->first_link;
}

int td_pcapng_snaplen(const struct td_pcapng *r)
{
	return (int)r->first_snap;
}

long td_pcapng_offset(const struct td_pcapng *r)
{
	return r->off;
}

/* Read one block: its type, and body (after type and length, before the
 * trailing length) of *blen bytes in r->buf. 0 at a clean end, 1 read,
 * -TD_ETRUNC cut short or corrupt. */
static int read_block(struct td_pcapng *r, uint32_t *type, uint32_t *blen, struct td_err *err)
{
	uint8_t h[12];
	uint32_t len, t;
	size_t got;

	r->off = r->next_off;
	got = fread(h, 1, 8, r->fp);
	if (got == 0 && feof(r->fp))
		return 0;
	if (got < 8)
		return td_err_set(err, -TD_ETRUNC, "pcapng block cut short at byte %ld", r->off);
	memcpy(&t, h, 4); /* the SHB type reads the same in both orders */
	if (t == BT_SHB) {
		uint32_t bom;

		if (fread(h + 8, 1, 4, r->fp) != 4)
			return td_err_set(err, -TD_ETRUNC,
					  "pcapng section header cut short at "
					  "byte %ld",
					  r->off);
		memcpy(&bom, h + 8, 4);
		if (bom == BOM)
			r->swapped = false;
		else if (bom == __builtin_bswap32(BOM))
			r->swapped = true;
		else
			return td_err_set(err, -TD_ETRUNC,
					  "pcapng section header at byte %ld: bad byte-order magic",
					  r->off);
	}
	t = g32(r, h);
	len = g32(r, h + 4);
	if (len < 12 || len % 4 || len > TD_PCAPNG_MAX_BLOCK || (t == BT_SHB && len < 28))
		return td_err_set(err, -TD_ETRUNC, "pcapng block at byte %ld: bad length %u",
				  r->off, len);
	if (len - 8 > r->cap) {
		uint8_t *nb = realloc(r->buf, len);

		if (!nb)
			return td_err_set(err, -ENOMEM, "out of memory");
		r->buf = nb;
		r->cap = len;
	}
	got = 0;
	if (t == BT_SHB) {
		memcpy(r->buf, h + 8, 4);
		got = 4;
	}
	if (fread(r->buf + got, 1, len - 8 - got, r->fp) != len - 8 - got)
		return td_err_set(err, -TD_ETRUNC, "pcapng block at byte %ld cut short (%u bytes)",
				  r->off, len);
	if (g32(r, r->buf + len - 12) != len)
		return td_err_set(err, -TD_ETRUNC,
				  "pcapng block at byte %ld: trailing length differs from %u",
				  r->off, len);
	r->next_off = r->off + (long)len;
	*type = t;
	*blen = len - 12;
	return 1;
}

/* An Interface Description Block: link type, snap length, and the options
 * that change its timestamps. */
static int add_iface(struct td_pcapng *r, uint32_t blen, struct td_err *err)
{
	struct iface *f;
	uint32_t o = 8;

	if (blen < 8)
		return td_err_set(err, -TD_ETRUNC, "pcapng interface block at byte %ld too short",
				  r->off);
	if (r->nifs >= TD_PCAPNG_MAX_IF)
		return td_err_set(err, -TD_ETRUNC, "pcapng: more than %u interfaces in a section",
				  TD_PCAPNG_MAX_IF);
	f = &r->ifs[r->nifs++];
	f->linktype = g16(r, r->buf);
	f->snaplen = g32(r, r->buf + 4);
	f->pow2 = false;
	f->res = 6; /* microseconds unless if_tsresol says */
	f->offset = 0;
	while (o + 4 <= blen) {
		uint16_t code = g16(r, r->buf + o), olen = g16(r, r->buf + o + 2);

		if (code == 0 || o + 4 + olen > blen)
			break;
		if (code == 9 && olen >= 1) {
			uint8_t v = r->buf[o + 4];

			f->pow2 = v & 0x80;
			f->res = v & 0x7f;
		} else if (code == 14 && olen >= 8) {
			uint32_t a = g32(r, r->buf + o + 4), b = g32(r, r->buf + o + 8);

			/* a 64-bit value in the section's order */
			f->offset = (int64_t)(r->swapped ? ((uint64_t)a << 32 | b)
							 : ((uint64_t)b << 32 | a));
		}
		o += 4 + ((olen + 3u) & ~3u);
	}
	if (r->first_link < 0) {
		r->first_link = f->linktype;
		r->first_snap = f->snaplen;
	}
	return 0;
}

static uint64_t to_ns(const struct iface *f, uint64_t units)
{
	unsigned __int128 ns;

	if (f->pow2) {
		unsigned res = f->res > 63 ? 63 : f->res;

		ns = ((unsigned __int128)units * 1000000000u) >> res;
	} else if (f->res <= 9) {
		uint64_t m = 1;

		for (unsigned i = f->res; i < 9; i++)
			m *= 10;
		ns = (unsigned __int128)units * m;
	} else {
		uint64_t d = 1;

		for (unsigned i = 9; i < f->res && i < 28; i++)
			d *= 10;
		ns = units / d;
	}
	ns += (unsigned __int128)(f->offset * 1000000000ll);
	return (uint64_t)ns;
}

int td_pcapng_next(struct td_pcapng *r, struct td_pcapng_rec *rec, struct td_err *err)
{
	for (;;) {
		uint32_t type, blen, ifid, caplen, wirelen, hlen;
		uint64_t units;
		int rc = read_block(r, &type, &blen, err);

		if (rc <= 0)
			return rc;
		switch (type) {
		case BT_SHB:
			r->nifs = 0; /* a new section: its own interfaces */
			continue;
		case BT_IDB:
			rc = add_iface(r, blen, err);
			if (rc)
				return rc;
			continue;
		case BT_EPB:
		case BT_PB:
			hlen = 20;
			if (blen < hlen)
				return td_err_set(err, -TD_ETRUNC,
						  "pcapng packet block at byte %ld too short",
						  r->off);
			if (type == BT_EPB)
				ifid = g32(r, r->buf);
			else
				ifid = g16(r, r->buf);
			units = (uint64_t)g32(r, r->buf + 4) << 32 | g32(r, r->buf + 8);
			caplen = g32(r, r->buf + 12);
			wirelen = g32(r, r->buf + 16);
			if (caplen > blen - hlen)
				return td_err_set(
					err, -TD_ETRUNC,
					"pcapng packet block at byte %ld: captured length "
					"%u exceeds the block",
					r->off, caplen);
			break;
		case BT_SPB:
			hlen = 4;
			if (blen < hlen)
				return td_err_set(
					err, -TD_ETRUNC,
					"pcapng simple packet block at byte %ld too short", r->off);
			ifid = 0;
			units = 0;
			wirelen = g32(r, r->buf);
			caplen = wirelen < blen - hlen ? wirelen : blen - hlen;
			if (r->nifs && r->ifs[0].snaplen && caplen > r->ifs[0].snaplen)
				caplen = r->ifs[0].snaplen;
			break;
		default:
			continue; /* name resolution, statistics, custom, ...: not ours */
		}
		if (ifid >= r->nifs)
			return td_err_set(
				err, -TD_ETRUNC,
				"pcapng packet block at byte %ld names interface %u of %u", r->off,
				ifid, r->nifs);
		rec->ifid = ifid;
		rec->linktype = r->ifs[ifid].linktype;
		rec->ts_ns = type == BT_SPB ? 0 : to_ns(&r->ifs[ifid], units);
		rec->caplen = caplen;
		rec->wirelen = wirelen;
		rec->data = r->buf + hlen;
		return 1;
	}
}

int td_pcapng_open(struct td_pcapng **out, FILE *fp, struct td_err *err)
{
	struct td_pcapng *r = calloc(1, sizeof(*r));
	uint32_t type, blen;
	int rc;

	*out = NULL;
	if (!r) {
		fclose(fp);
		return td_err_set(err, -ENOMEM, "out of memory");
	}
	r->fp = fp;
	r->first_link = -1;
	rc = read_block(r, &type, &blen, err);
	if (rc <= 0 || type != BT_SHB) {
		td_pcapng_close(r);
		return rc < 0 ? -TD_EPARSE
			      : td_err_set(err, -TD_EPARSE,
					   "not a pcapng file (no section header)");
	}
	while (r->first_link < 0) {
		rc = read_block(r, &type, &blen, err);
		if (rc <= 0) {
			td_pcapng_close(r);
			return rc < 0 ? -TD_EPARSE
				      : td_err_set(err, -TD_EPARSE,
						   "pcapng file without an interface description");
		}
		if (type == BT_IDB && (rc = add_iface(r, blen, err)) < 0) {
			td_pcapng_close(r);
			return -TD_EPARSE;
		}
		if (type == BT_EPB || type == BT_SPB || type == BT_PB) {
			long at = r->off;

			td_pcapng_close(r);
			return td_err_set(err, -TD_EPARSE,
					  "pcapng packet at byte %ld before any interface", at);
		}
	}
	*out = r;
	return 0;
}

void td_pcapng_close(struct td_pcapng *r)
{
	if (!r)
		return;
	if (r->fp)
		fclose(r->fp);
	free(r->buf);
	free(r);
}

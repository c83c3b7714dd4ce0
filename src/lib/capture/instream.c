/* Decompressing capture input through fopencookie(3): zlib for gzip
 * (several members, as `cat a.gz b.gz` makes), libzstd, liblzma (xz,
 * concatenated streams). The first raw bytes were read to detect the format,
 * so they are fed to the decoder first; the first decoded bytes are read to
 * tell pcap from pcapng, so they are served first. */
#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "capture/instream.h"

#define IN_BUF (64u * 1024)

struct instream {
	FILE *in;
	enum td_compress kind;
	uint8_t head[4];
	size_t nhead, headpos; /* decoded bytes already read, served first */
	uint8_t ibuf[IN_BUF];
	size_t ilen, ipos; /* raw input held, and how much was used */
	bool in_eof, done;
	bool open_frame; /* input fed since the last complete gzip member or zstd frame */
	bool failed;	 /* corrupt: what was decoded before is served, then EIO */
	z_stream z;
	ZSTD_DStream *zs;
	lzma_stream x;
};

const char *td_compress_name(enum td_compress c)
{
	static const char *const n[] = { NULL, "gzip", "zstd", "xz" };

	return c <= TD_COMPRESS_XZ ? n[c] : NULL;
}

/* More raw input when all of it was used; false at the end of the file. */
static bool refill(struct instream *s)
{
	size_t got;

	if (s->ipos < s->ilen)
		return true;
	if (s->in_eof)
		return false;
	got = fread(s->ibuf, 1, IN_BUF, s->in);
	s->ilen = got;
	s->ipos = 0;
	if (got == 0)
		s->in_eof = true;
	return got > 0;
}

/* Decode up to n bytes; 0 at the end, -1 (errno EIO) on a corrupt stream. */
static ssize_t decode(struct instream *s, uint8_t *out, size_t n)
{
	size_t have = 0;

	if (s->failed)
		goto corrupt;
	while (have < n && !s->done) {
		if (!refill(s)) {
			/* the input ended: what a decoder still holds comes out now */
			if (s->kind == TD_COMPRESS_XZ) {
				lzma_ret r;

				s->x.next_in = NULL;
				s->x.avail_in = 0;
				s->x.next_out = out + have;
				s->x.avail_out = n - have;
				r = lzma_code(&s->x, LZMA_FINISH);
				have = n - s->x.avail_out;
				if (r == LZMA_STREAM_END) {
					s->done = true;
					break;
				}
				if (r != LZMA_OK)
					goto corrupt;
				if (have < n)
					goto corrupt; /* no progress: cut short */
				continue;
			}
			if (s->open_frame)
				goto corrupt; /* the compressed data was cut short */
			s->done = true;
			break;
		}
		switch (s->kind) {
		case TD_COMPRESS_NONE: {
			size_t k = s->ilen - s->ipos < n - have ? s->ilen - s->ipos : n - have;

			memcpy(out + have, s->ibuf + s->ipos, k);
			s->ipos += k;
			have += k;
			break;
		}
		case TD_COMPRESS_GZIP: {
			int r;

			s->open_frame = true;
			s->z.next_in = s->ibuf + s->ipos;
			s->z.avail_in = (uInt)(s->ilen - s->ipos);
			s->z.next_out = out + have;
			s->z.avail_out = (uInt)(n - have);
			r = inflate(&s->z, Z_NO_FLUSH);
			s->ipos = s->ilen - s->z.avail_in;
			have = n - s->z.avail_out;
			if (r == Z_STREAM_END) {
				/* another member may follow */
				s->open_frame = false;
				if (inflateReset(&s->z) != Z_OK)
					goto corrupt;
			} else if (r != Z_OK && r != Z_BUF_ERROR) {
				goto corrupt;
			}
			break;
		}
		case TD_COMPRESS_ZSTD: {
			ZSTD_inBuffer ib = { s->ibuf, s->ilen, s->ipos };
			ZSTD_outBuffer ob = { out, n, have };
			size_t r = ZSTD_decompressStream(s->zs, &ob, &ib);

			if (ZSTD_isError(r))
				goto corrupt;
			s->open_frame = r != 0; /* 0: a frame ended here */
			s->ipos = ib.pos;
			have = ob.pos;
			break;
		}
		case TD_COMPRESS_XZ: {
			lzma_ret r;

			s->x.next_in = s->ibuf + s->ipos;
			s->x.avail_in = s->ilen - s->ipos;
			s->x.next_out = out + have;
			s->x.avail_out = n - have;
			r = lzma_code(&s->x, LZMA_RUN);
			s->ipos = s->ilen - s->x.avail_in;
			have = n - s->x.avail_out;
			if (r == LZMA_STREAM_END)
				s->done = true;
			else if (r != LZMA_OK)
				goto corrupt;
			break;
		}
		}
	}
	return (ssize_t)have;
corrupt:
	s->failed = true;
	if (have)
		return (ssize_t)have;
	errno = EIO;
	return -1;
}

static ssize_t cookie_read(void *c, char *buf, size_t n)
{
	struct instream *s = c;
	size_t k = 0;
	ssize_t got;

	if (s->headpos < s->nhead) {
		k = s->nhead - s->headpos < n ? s->nhead - s->headpos : n;
		memcpy(buf, s->head + s->headpos, k);
		s->headpos += k;
		if (k == n)
			return (ssize_t)k;
	}
	got = decode(s, (uint8_t *)buf + k, n - k);
	if (got < 0)
		return k ? (ssize_t)k : -1;
	return (ssize_t)k + got;
}

static int cookie_close(void *c)
{
	struct instream *s = c;

	if (s->kind == TD_COMPRESS_GZIP)
		inflateEnd(&s->z);
	if (s->zs)
		ZSTD_freeDStream(s->zs);
	if (s->kind == TD_COMPRESS_XZ)
		lzma_end(&s->x);
	fclose(s->in);
	free(s);
	return 0;
}

int td_instream_open(FILE *in, FILE **out, uint8_t head[4], size_t *nhead, enum td_compress *kind,
		     struct td_err *err)
{
	static const lzma_stream xinit = LZMA_STREAM_INIT;
	cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
	struct instream *s = calloc(1, sizeof(*s));
	const uint8_t *m;
	ssize_t got;

	*out = NULL;
	*nhead = 0;
	if (!s) {
		fclose(in);
		return td_err_set(err, -ENOMEM, "out of memory");
	}
	s->in = in;
	s->x = xinit;
	refill(s);
	m = s->ibuf;
	if (s->ilen >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		s->kind = TD_COMPRESS_GZIP;
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			goto nomem;
	} else if (s->ilen >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
		s->kind = TD_COMPRESS_ZSTD;
		s->zs = ZSTD_createDStream();
		if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs)))
			goto nomem;
	} else if (s->ilen >= 6 && !memcmp(m,
					   "\xfd"
					   "7zXZ\0",
					   6)) {
		s->kind = TD_COMPRESS_XZ;
		if (lzma_stream_decoder(&s->x, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			goto nomem;
	}
	*kind = s->kind;
	got = decode(s, s->head, 4);
	if (got < 0) {
		td_err_set(err, -TD_EPARSE, "cannot decompress (%s): the data is corrupt",
			   td_compress_name(s->kind));
		cookie_close(s);
		return -TD_EPARSE;
	}
	s->nhead = (size_t)got;
	memcpy(head, s->head, s->nhead);
	*nhead = s->nhead;
	*out = fopencookie(s, "r", io);
	if (!*out)
		goto nomem;
	return 0;
nomem:
	cookie_close(s);
	return td_err_set(err, -ENOMEM, "out of memory starting a decompressor");
}

/* A capture file as a stdio stream, decompressed on the fly when its first
 * bytes say gzip, zstd or xz (the name does not matter), with the first
 * bytes of the decoded data peeked so the caller can tell pcap from pcapng
 * even on a pipe. Streaming: memory is a few fixed buffers, whatever the
 * file's size. */
#ifndef TD_INSTREAM_H
#define TD_INSTREAM_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum td_compress {
	TD_COMPRESS_NONE,
	TD_COMPRESS_GZIP,
	TD_COMPRESS_ZSTD,
	TD_COMPRESS_XZ,
};

/* "gzip", "zstd", "xz", or NULL for none. */
const char *td_compress_name(enum td_compress c);

/* Wrap in (which the stream then owns: fclose closes it): *out reads the
 * decoded bytes from the start, head gets the first 4 of them (fewer at a
 * short end: *nhead says how many), *kind what was detected. A decoding
 * error later shows as a read error (ferror) with errno EIO. */
int td_instream_open(FILE *in, FILE **out, uint8_t head[4], size_t *nhead, enum td_compress *kind,
		     struct td_err *err);

#endif

/* libFuzzer target for the pcapng block reader (src/lib/capture/pcapng.c) and the
 * decompressing input stream in front of it (instream.c): the input is a file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/instream.h"
#include "capture/pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in = fmemopen((void *)data, size, "rb"), *fp;
	enum td_compress kind;
	struct td_pcapng *r;
	struct td_pcapng_rec rec;
	struct td_err err;
	uint8_t head[4];
	size_t nhead;

	if (!in)
		return 0;
	err.msg[0] = '\0';
	if (td_instream_open(in, &fp, head, &nhead, &kind, &err) < 0) {
		if (!err.msg[0])
			__builtin_trap();
		return 0;
	}
	if (td_pcapng_open(&r, fp, &err) < 0) {
		if (!err.msg[0])
			__builtin_trap(); /* every error says why */
		return 0;
	}
	while (td_pcapng_next(r, &rec, &err) > 0)
		if (rec.caplen && !rec.data)
			__builtin_trap();
	td_pcapng_close(r);
	return 0;
}

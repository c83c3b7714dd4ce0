/* libFuzzer target for the /proc/net/tcp{,6} parser: the input is a whole
 * file, streamed as tcp and as tcp6 through a counting callback. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "sockets/procnet.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_cb(const struct td_sock *s, void *ctx)
{
	size_t *n = ctx;

	/* touch what the parser wrote so sanitizers see any garbage */
	if (s->family != AF_INET && s->family != AF_INET6)
		__builtin_trap();
	if (s->state < 1 || s->state > TD_STATE_MAX || s->timer > TD_TIMER_PROBE0)
		__builtin_trap();
	if (s->timer == TD_TIMER_NONE && s->timer_ms)
		__builtin_trap();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct td_err err;
	size_t i, n = 0;
	FILE *fp;

	if (size == 0)
		return 0; /* fmemopen() refuses an empty buffer */
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		fp = fmemopen((void *)data, size, "r");
		if (!fp)
			return 0;
		td_err_clear(&err);
		if (td_procnet_stream(fp, families[i], "fuzz", NULL, count_cb, &n, &err) &&
		    err.msg[0] == '\0')
			__builtin_trap(); /* every error must say why */
		fclose(fp);
	}
	return 0;
}

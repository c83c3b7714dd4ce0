/* libFuzzer target for the replay of recorded sock_diag dumps: the input is
 * a whole dump file (written to a memfd, replayed through /proc/self/fd),
 * streamed through a counting callback without and with a filter. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockets/sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_cb(const struct td_sock *s, void *ctx)
{
	size_t *n = ctx;

	/* touch what the parser wrote so sanitizers see any garbage */
	if (s->family != AF_INET && s->family != AF_INET6)
		__builtin_trap();
	if (s->family == AF_INET)
		for (int i = 4; i < 16; i++)
			if (s->laddr[i] || s->raddr[i])
				__builtin_trap();
	if (!(s->flags & TD_SOCK_HAS_COOKIE))
		__builtin_trap();
	if (s->timer == TD_TIMER_NONE && s->timer_ms)
		__builtin_trap();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct td_filter f;
	struct td_err err;
	size_t n = 0, nf = 0;
	int rc;

	if (fd < 0) {
		fd = memfd_create("fuzz-replay", MFD_CLOEXEC);
		if (fd < 0)
			__builtin_trap();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		__builtin_trap();

	td_err_clear(&err);
	rc = td_replay_dump(path, NULL, count_cb, &n, &err);
	if (rc && err.msg[0] == '\0')
		__builtin_trap(); /* every error must say why */
	if (rc > 0)
		__builtin_trap(); /* count_cb never stops the replay */

	/* a filter only ever drops sockets */
	td_filter_init(&f);
	td_err_clear(&err);
	if (td_filter_add_port(&f, "1-8080", &err))
		__builtin_trap();
	if (td_replay_dump(path, &f, count_cb, &nf, &err) != rc || nf > n)
		__builtin_trap();
	return 0;
}

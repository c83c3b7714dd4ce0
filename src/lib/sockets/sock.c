/* Small helpers around struct td_sock: names of timer kinds and printing of
 * addresses and endpoints, shared by every view. */
#include "sockets/sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const timer_names[] = {
	[TD_TIMER_NONE] = "off",
	[TD_TIMER_RETRANS] = "on",
	[TD_TIMER_KEEPALIVE] = "keepalive",
	[TD_TIMER_TIMEWAIT] = "timewait",
	[TD_TIMER_PROBE0] = "persist",
};

const char *td_timer_name(int timer)
{
	if (timer < 0 || timer >= (int)(sizeof(timer_names) / sizeof(timer_names[0])))
		return "unknown";
	return timer_names[timer];
}

const char *td_addr_str(int family, const uint8_t addr[16], char *buf, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *td_endpoint_str(int family, const uint8_t addr[16], uint16_t port, char *buf,
			    size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", td_addr_str(family, addr, a, sizeof(a)), port);
	else
		snprintf(buf, len, "%s:%u", td_addr_str(family, addr, a, sizeof(a)), port);
	return buf;
}

int td_sockvec_cb(const struct td_sock *s, void *ctx)
{
	struct td_sockvec *sv = ctx;

	if (sv->n == sv->cap) {
		size_t ncap = sv->cap ? sv->cap * 2 : 64;
		struct td_sock *nv = realloc(sv->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		sv->v = nv;
		sv->cap = ncap;
	}
	sv->v[sv->n++] = *s;
	return 0;
}

void td_sockvec_free(struct td_sockvec *sv)
{
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* Small helpers around struct td_sock: names of timer kinds and printing of
 * addresses and endpoints, shared by every view. */
#include "sock.h"

#include <arpa/inet.h>
#include <stdio.h>
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

const char *td_endpoint_str(int family, const uint8_t addr[16], uint16_t port,
			    char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", td_addr_str(family, addr, a, sizeof(a)), port);
	else
		snprintf(buf, len, "%s:%u", td_addr_str(family, addr, a, sizeof(a)), port);
	return buf;
}

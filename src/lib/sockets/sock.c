/* Small helpers around struct td_sock: names of timer kinds and printing of
 * addresses and endpoints, shared by every view. */
#include "sockets/sock.h"
#include "text.h"

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

/* The text inet_ntop() gives, built by hand: inet_ntop() and the
 * snprintf() around it are printf inside, and a trace formats two
 * endpoints an event (the unit test checks every shape against glibc). */
static char *put_dec(char *p, unsigned v)
{
	p += td_dec_len(v);
	td_dec_back(p, v);
	return p;
}

static char *put_ip4(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_dec(p, a[i]);
	}
	return p;
}

/* RFC 5952 as glibc writes it: lower-case hex without leading zeros, the
 * longest run of two or more zero groups (the first of equal runs) as
 * "::", and a dotted IPv4 tail for ::ffff:a.b.c.d and ::a.b.c.d. */
static char *put_ip6(char *p, const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			if (++cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_ip4(p, a + 12);
		for (int sh = 12; sh >= 0; sh -= 4)
			if (w[i] >> sh || !sh)
				*p++ = hex[w[i] >> sh & 15];
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

/* n bytes of text into buf of len, as snprintf would: cut, terminated. */
static const char *put_out(char *buf, size_t len, const char *text, size_t n)
{
	if (!len)
		return buf;
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
}

char *td_addr_put(char *p, int family, const uint8_t addr[16])
{
	return family == AF_INET6 ? put_ip6(p, addr) : put_ip4(p, addr);
}

const char *td_addr_str(int family, const uint8_t addr[16], char *buf, size_t len)
{
	char t[INET6_ADDRSTRLEN];
	char *e = td_addr_put(t, family, addr);

	/* inet_ntop() refuses a buffer too short for the whole address */
	if ((size_t)(e - t) >= len)
		return put_out(buf, len, "?", 1);
	return put_out(buf, len, t, (size_t)(e - t));
}

const char *td_endpoint_str(int family, const uint8_t addr[16], uint16_t port, char *buf,
			    size_t len)
{
	char t[INET6_ADDRSTRLEN + 8], *e = t;

	if (family == AF_INET6) {
		*e++ = '[';
		e = put_ip6(e, addr);
		*e++ = ']';
	} else {
		e = put_ip4(e, addr);
	}
	*e++ = ':';
	e = put_dec(e, port);
	return put_out(buf, len, t, (size_t)(e - t));
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

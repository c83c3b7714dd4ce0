/* /proc/net/tcp and /proc/net/tcp6: the socket source of last resort (netlink
 * refused, --source proc). Strict parser: every field of the kernel's
 * seq_printf() format is checked, and an error names the field, the text and why. */
#include "sockets/procnet.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "state.h"

/* Kernel lines are at most ~250 bytes (tcp4 pads to 149 with spaces, see
 * seq_setwidth(seq, TMPSZ - 1) in tcp4_seq_show()); anything much longer is
 * not a /proc/net/tcp line, and a fixed buffer keeps a hostile file from
 * making us allocate. */
#define PROCNET_LINE_MAX 1024

/* The longest valid token is a tcp6 endpoint: 32 + 1 + 4 characters. */
#define TOKEN_MAX 40

/* jiffies_delta_to_clock_t() prints clock_t ticks of USER_HZ, which is 100
 * on every architecture but alpha: one tick is 10 ms. */
#define MS_PER_TICK 10

enum field_kind {
	FK_SL,	     /* "%4d:" slot number */
	FK_ENDPOINT, /* address in hex words, ':', port in 4 hex digits */
	FK_HEX,	     /* one hex number, part[0] */
	FK_HEX_PAIR, /* "part0:part1", both hex */
	FK_UDEC,     /* unsigned decimal up to max */
	FK_SDEC,     /* signed decimal int (%d) */
	FK_POINTER,  /* %pK */
};

struct hex_spec {
	const char *name;
	uint8_t min_digits, max_digits; /* as the kernel's %0NX / type width allow */
	uint64_t min, max;		/* valid values */
	const char *range_why;		/* message for a value out of range */
};

struct field {
	const char *name; /* as in the header line; FK_HEX_PAIR uses part names */
	enum field_kind kind;
	uint64_t max; /* FK_UDEC */
	struct hex_spec part[2];
};

/* Index of each whitespace-separated token of a data line. */
enum {
	F_SL,
	F_LOCAL,
	F_REMOTE,
	F_ST,
	F_QUEUES,
	F_TIMER,
	F_RETRNSMT,
	F_UID,
	F_TIMEOUT,
	F_INODE,
	F_REFCNT,
	F_POINTER, /* last field of TIME_WAIT and request socket lines */
	F_RTO,
	F_ATO,
	F_QUICK,
	F_CWND,
	F_SSTHRESH, /* last field of full socket lines */
	F_COUNT,
};

/* The kernel's format, get_tcp4_sock() in net/ipv4/tcp_ipv4.c:
 * "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK
 *  %lu %lu %u %u %d"; get_timewait4_sock() and get_openreq4() stop after %pK. */
static const struct field fields[F_COUNT] = {
	[F_SL] = { "sl", FK_SL },
	[F_LOCAL] = { "local_address", FK_ENDPOINT },
	[F_REMOTE] = { "rem_address", FK_ENDPOINT },
	[F_ST] = { "st", FK_HEX,
		   .part = { { "st", 2, 2, 1, TD_STATE_MAX,
			       "is not a TCP state (01 to 0C, include/net/tcp_states.h)" } } },
	[F_QUEUES] = { "tx_queue:rx_queue", FK_HEX_PAIR,
		       .part = { { "tx_queue", 8, 8, 0, UINT32_MAX },
				 { "rx_queue", 8, 8, 0, UINT32_MAX } } },
	/* tm->when is %08lX of a long: up to 16 digits on 64-bit kernels */
	[F_TIMER] = { "tr:tm->when", FK_HEX_PAIR,
		      .part = { { "tr", 2, 2, 0, TD_TIMER_PROBE0,
				  "is not a timer kind (00 to 04)" },
				{ "tm->when", 8, 16, 0, UINT64_MAX } } },
	/* icsk_retransmits and req->num_timeout are u8 */
	[F_RETRNSMT] = { "retrnsmt", FK_HEX, .part = { { "retrnsmt", 8, 8, 0, UINT8_MAX } } },
	[F_UID] = { "uid", FK_UDEC, UINT32_MAX },
	[F_TIMEOUT] = { "timeout", FK_SDEC },
	[F_INODE] = { "inode", FK_UDEC, UINT64_MAX },
	[F_REFCNT] = { "refcnt", FK_SDEC },
	[F_POINTER] = { "pointer", FK_POINTER },
	[F_RTO] = { "rto", FK_UDEC, UINT64_MAX },
	[F_ATO] = { "ato", FK_UDEC, UINT64_MAX },
	[F_QUICK] = { "quick/pingpong", FK_UDEC, UINT32_MAX },
	[F_CWND] = { "cwnd", FK_UDEC, UINT32_MAX },
	[F_SSTHRESH] = { "ssthresh", FK_SDEC },
};

/* Parsed values of one line. */
struct line_vals {
	uint64_t v[F_COUNT][2];
	uint8_t addr[2][16];
	uint16_t port[2];
};

static const char *field_name(int i, int family)
{
	/* tcp6's header spells it out */
	if (i == F_REMOTE && family == AF_INET6)
		return "remote_address";
	return fields[i].name;
}

/* Name of the last value a field holds, for "line ends after field ...". */
static const char *field_last_name(int i, int family)
{
	if (fields[i].kind == FK_HEX_PAIR)
		return fields[i].part[1].name;
	return field_name(i, family);
}

/* Copy a token for an error message: bounded, printable. */
static const char *shown(const char *tok, size_t len, char *buf, size_t size)
{
	size_t n = len < size - 4 ? len : size - 4;
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (tok[i] >= 0x20 && tok[i] < 0x7f) ? tok[i] : '?';
	if (n < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int field_err(struct td_err *err, const char *name, const char *tok, size_t len,
		     const char *why)
{
	char buf[48];

	return td_err_set(err, -TD_EPARSE, "field '%s': '%s' %s", name,
			  shown(tok, len, buf, sizeof(buf)), why);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Up to 16 hex digits cannot overflow a uint64_t, so strtoull needs no
 * ERANGE check here; the digits are checked first because strtoull would
 * also take "0x", signs and leading blanks. */
static uint64_t hex_value(const char *s, size_t len)
{
	char buf[17];

	memcpy(buf, s, len);
	buf[len] = '\0';
	return strtoull(buf, NULL, 16);
}

/* One hex number of exactly the digits the kernel prints. */
static int parse_hex(const struct hex_spec *spec, const char *s, size_t len, uint64_t *out,
		     struct td_err *err)
{
	char why[96];
	size_t i;

	if (len == 0)
		return field_err(err, spec->name, s, len, "is empty");
	for (i = 0; i < len; i++)
		if (!is_hex(s[i]))
			return field_err(err, spec->name, s, len, "is not hex");
	if (len < spec->min_digits || len > spec->max_digits) {
		if (spec->min_digits == spec->max_digits)
			snprintf(why, sizeof(why), "has %zu hex digits, expected %u", len,
				 spec->min_digits);
		else
			snprintf(why, sizeof(why), "has %zu hex digits, expected %u to %u", len,
				 spec->min_digits, spec->max_digits);
		return field_err(err, spec->name, s, len, why);
	}
	*out = hex_value(s, len);
	if (*out < spec->min || *out > spec->max) {
		if (spec->range_why)
			return field_err(err, spec->name, s, len, spec->range_why);
		snprintf(why, sizeof(why), "is out of range (0x%llX at most)",
			 (unsigned long long)spec->max);
		return field_err(err, spec->name, s, len, why);
	}
	return 0;
}

static int parse_udec(const char *name, uint64_t max, const char *s, size_t len, uint64_t *out,
		      struct td_err *err)
{
	char buf[TOKEN_MAX + 1], why[96];
	unsigned long long v;
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return field_err(err, name, s, len, "is not an unsigned decimal number");
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoull(buf, NULL, 10);
	if (errno == ERANGE || v > max) {
		snprintf(why, sizeof(why), "is out of range (%llu at most)",
			 (unsigned long long)max);
		return field_err(err, name, s, len, why);
	}
	*out = v;
	return 0;
}

static int parse_sdec(const char *name, const char *s, size_t len, struct td_err *err)
{
	char buf[TOKEN_MAX + 1];
	long long v;
	size_t i = (len > 1 && s[0] == '-') ? 1 : 0;

	for (; i < len; i++)
		if (!is_digit(s[i]))
			return field_err(err, name, s, len, "is not a decimal number");
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, NULL, 10);
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return field_err(err, name, s, len, "is out of range for an int");
	return 0;
}

/* "0100007F:1F90": each 8-digit word is a __be32 the kernel printed as a
 * host-order u32, so copying the parsed u32's bytes restores network order
 * on any host. The port is printed in host order already. */
static int parse_endpoint(const char *name, int family, const char *s, size_t len, uint8_t addr[16],
			  uint16_t *port, struct td_err *err)
{
	size_t words = family == AF_INET6 ? 4 : 1;
	const char *colon = memchr(s, ':', len);
	size_t alen, plen, i;
	char why[96];

	if (!colon)
		return field_err(err, name, s, len, "has no ':' between address and port");
	alen = colon - s;
	plen = len - alen - 1;
	for (i = 0; i < len; i++)
		if (i != alen && !is_hex(s[i]))
			return field_err(err, name, s, len, "is not hex");
	if (alen != words * 8) {
		snprintf(why, sizeof(why), "has an address of %zu hex digits, expected %zu", alen,
			 words * 8);
		return field_err(err, name, s, len, why);
	}
	if (plen != 4) {
		snprintf(why, sizeof(why), "has a port of %zu hex digits, expected 4", plen);
		return field_err(err, name, s, len, why);
	}
	memset(addr, 0, 16);
	for (i = 0; i < words; i++) {
		uint32_t w = (uint32_t)hex_value(s + 8 * i, 8);

		memcpy(addr + 4 * i, &w, 4);
	}
	*port = (uint16_t)hex_value(colon + 1, 4);
	return 0;
}

static int parse_field(int i, int family, const char *s, size_t len, struct line_vals *lv,
		       struct td_err *err)
{
	const struct field *fd = &fields[i];
	const char *name = field_name(i, family);
	const char *colon;
	size_t n;
	int ret;

	if (len > TOKEN_MAX) {
		char why[64];

		snprintf(why, sizeof(why), "is too long (%zu bytes)", len);
		return field_err(err, name, s, len, why);
	}
	switch (fd->kind) {
	case FK_SL:
		for (n = 0; n < len && is_digit(s[n]); n++)
			;
		if (n == 0 || n + 1 != len || s[n] != ':')
			return field_err(err, name, s, len, "is not a slot number followed by ':'");
		return 0;
	case FK_ENDPOINT:
		return parse_endpoint(name, family, s, len, lv->addr[i - F_LOCAL],
				      &lv->port[i - F_LOCAL], err);
	case FK_HEX:
		return parse_hex(&fd->part[0], s, len, &lv->v[i][0], err);
	case FK_HEX_PAIR:
		colon = memchr(s, ':', len);
		if (!colon) {
			char why[96];

			snprintf(why, sizeof(why), "has no ':' between %s and %s", fd->part[0].name,
				 fd->part[1].name);
			return field_err(err, fd->name, s, len, why);
		}
		ret = parse_hex(&fd->part[0], s, colon - s, &lv->v[i][0], err);
		if (ret)
			return ret;
		return parse_hex(&fd->part[1], colon + 1, len - (colon - s) - 1, &lv->v[i][1], err);
	case FK_UDEC:
		return parse_udec(name, fd->max, s, len, &lv->v[i][0], err);
	case FK_SDEC:
		return parse_sdec(name, s, len, err);
	case FK_POINTER:
		/* %pK: zeros under kptr_restrict, else a hashed value; before
		 * the RNG is ready (early boot) the kernel prints this marker. */
		if (len == 16 && !memcmp(s, "(____ptrval____)", 16))
			return 0;
		if (len == 0 || len > 16)
			return field_err(err, name, s, len,
					 "is not a pointer (1 to 16 hex digits)");
		for (n = 0; n < len; n++)
			if (!is_hex(s[n]))
				return field_err(err, name, s, len, "is not hex");
		return 0;
	}
	return field_err(err, name, s, len, "has an unknown kind"); /* not reached */
}

/* TIME_WAIT sockets (get_timewait4_sock() prints tw_substate: TIME_WAIT or
 * FIN_WAIT2) and request sockets (get_openreq4(): SYN_RECV) end after the
 * pointer; every full socket prints five more fields. */
static bool short_line_state(uint64_t state)
{
	return state == TD_SYN_RECV || state == TD_FIN_WAIT2 || state == TD_TIME_WAIT ||
	       state == TD_NEW_SYN_RECV;
}

int td_procnet_parse_line(const char *line, int family, struct td_sock *s, struct td_err *err)
{
	struct line_vals lv;
	const char *p, *end, *cr, *tok;
	int nfields = 0;
	uint64_t ticks;
	int ret;

	if (family != AF_INET && family != AF_INET6)
		return td_err_set(err, -EINVAL, "address family %d is neither AF_INET nor AF_INET6",
				  family);
	p = line;
	end = line + strlen(line);
	if (end > p && end[-1] == '\n')
		end--;
	cr = memchr(p, '\r', end - p);
	if (cr)
		return td_err_set(err, -TD_EPARSE,
				  "carriage return at column %td: the kernel ends lines with "
				  "'\\n' only (was the file converted to CRLF?)",
				  cr - line + 1);
	memset(&lv, 0, sizeof(lv));
	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		tok = p;
		while (p < end && *p != ' ')
			p++;
		if (nfields == F_COUNT) {
			char buf[48];

			return td_err_set(err, -TD_EPARSE, "unexpected text after field '%s': '%s'",
					  field_name(F_COUNT - 1, family),
					  shown(tok, p - tok, buf, sizeof(buf)));
		}
		ret = parse_field(nfields, family, tok, p - tok, &lv, err);
		if (ret)
			return ret;
		nfields++;
	}
	if (nfields == 0)
		return td_err_set(err, -TD_EPARSE, "line is empty");
	if (nfields == F_POINTER + 1 && !short_line_state(lv.v[F_ST][0]))
		return td_err_set(err, -TD_EPARSE,
				  "line ends after field 'pointer', but a socket in state %s "
				  "has 5 more fields (rto ato quick/pingpong cwnd ssthresh): "
				  "only TIME_WAIT and request sockets end there",
				  td_state_name((int)lv.v[F_ST][0]));
	if (nfields != F_POINTER + 1 && nfields != F_COUNT)
		return td_err_set(err, -TD_EPARSE, "line ends after field '%s'",
				  field_last_name(nfields - 1, family));

	memset(s, 0, sizeof(*s));
	s->family = (uint8_t)family;
	s->state = (uint8_t)lv.v[F_ST][0];
	memcpy(s->laddr, lv.addr[0], 16);
	memcpy(s->raddr, lv.addr[1], 16);
	s->lport = lv.port[0];
	s->rport = lv.port[1];
	s->wqueue = (uint32_t)lv.v[F_QUEUES][0];
	s->rqueue = (uint32_t)lv.v[F_QUEUES][1];
	s->timer = (uint8_t)lv.v[F_TIMER][0];
	ticks = lv.v[F_TIMER][1];
	/* With no timer the kernel prints "jiffies - jiffies" = 0 anyway. */
	if (s->timer == TD_TIMER_NONE)
		s->timer_ms = 0;
	else if (ticks > UINT32_MAX / MS_PER_TICK)
		s->timer_ms = UINT32_MAX;
	else
		s->timer_ms = (uint32_t)(ticks * MS_PER_TICK);
	s->retrans = (uint8_t)lv.v[F_RETRNSMT][0];
	s->uid = (uint32_t)lv.v[F_UID][0];
	s->inode = lv.v[F_INODE][0];
	return 0;
}

enum read_result { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_IO };

/* One line into buf without its '\n'; a last line without '\n' counts. */
static enum read_result read_line(FILE *fp, char *buf, size_t size, size_t *len)
{
	enum read_result res = LINE_OK;
	size_t n = 0;
	int c;

	errno = 0; /* so a read error's errno is this read's */
	flockfile(fp);
	for (;;) {
		c = getc_unlocked(fp);
		if (c == EOF || c == '\n')
			break;
		if (n + 1 >= size) {
			res = LINE_TOO_LONG;
			break;
		}
		buf[n++] = (char)c;
	}
	if (c == EOF && ferror(fp))
		res = LINE_IO;
	else if (c == EOF && n == 0)
		res = LINE_EOF;
	funlockfile(fp);
	buf[n] = '\0';
	*len = n;
	return res;
}

/* The first line is the column header, "  sl  local_address ...". */
static bool is_header(const char *line)
{
	while (*line == ' ')
		line++;
	return !strncmp(line, "sl ", 3);
}

int td_procnet_stream(FILE *fp, int family, const char *name, const struct td_filter *f,
		      td_sock_cb cb, void *ctx, struct td_err *err)
{
	char line[PROCNET_LINE_MAX];
	unsigned long lineno = 0;
	struct td_err lerr;
	struct td_sock s;
	size_t len;
	char *nul;
	int ret;

	if (family != AF_INET && family != AF_INET6)
		return td_err_set(err, -EINVAL, "address family %d is neither AF_INET nor AF_INET6",
				  family);
	if (!name)
		name = family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp";
	for (;;) {
		enum read_result res = read_line(fp, line, sizeof(line), &len);

		lineno++;
		if (res == LINE_EOF) {
			if (lineno == 1)
				return td_err_set(err, -TD_EPARSE,
						  "%s is empty: expected the header line "
						  "'  sl  local_address ...'",
						  name);
			return 0;
		}
		if (res == LINE_IO) {
			ret = errno ? -errno : -EIO;
			return td_err_set(err, ret, "%s line %lu: read error: %s", name, lineno,
					  strerror(-ret));
		}
		if (res == LINE_TOO_LONG)
			return td_err_set(err, -TD_EPARSE,
					  "%s line %lu: longer than %d bytes: not a "
					  "/proc/net/tcp line (the kernel's are under 300)",
					  name, lineno, PROCNET_LINE_MAX - 1);
		nul = memchr(line, '\0', len);
		if (nul)
			return td_err_set(err, -TD_EPARSE,
					  "%s line %lu: NUL byte at column %td: not a text file",
					  name, lineno, nul - line + 1);
		if (lineno == 1) {
			char buf[48];

			if (!is_header(line))
				return td_err_set(err, -TD_EPARSE,
						  "%s line 1: expected the header line "
						  "'  sl  local_address ...', found '%s'",
						  name, shown(line, len, buf, sizeof(buf)));
			continue;
		}
		td_err_clear(&lerr);
		ret = td_procnet_parse_line(line, family, &s, &lerr);
		if (ret)
			return td_err_set(err, ret, "%s line %lu: %s", name, lineno, lerr.msg);
		if (f && !td_filter_match(f, &s))
			continue;
		ret = cb(&s, ctx);
		if (ret)
			return ret;
	}
}

static const struct {
	int family;
	const char *path;
	bool optional; /* tcp6 is absent when IPv6 is disabled */
} procnet_files[] = {
	{ AF_INET, "/proc/net/tcp", false },
	{ AF_INET6, "/proc/net/tcp6", true },
};

int td_procnet_dump(const struct td_filter *f, td_sock_cb cb, void *ctx, struct td_err *err)
{
	size_t i;
	FILE *fp;
	int ret;

	for (i = 0; i < sizeof(procnet_files) / sizeof(procnet_files[0]); i++) {
		if (f && f->family && f->family != procnet_files[i].family)
			continue;
		fp = fopen(procnet_files[i].path, "re");
		if (!fp) {
			ret = -errno;
			if (ret == -ENOENT && procnet_files[i].optional)
				continue;
			return td_err_set(err, ret, "%s: cannot open: %s%s", procnet_files[i].path,
					  strerror(-ret),
					  ret == -ENOENT ? " (is /proc mounted?)" : "");
		}
		ret = td_procnet_stream(fp, procnet_files[i].family, procnet_files[i].path, f, cb,
					ctx, err);
		fclose(fp);
		if (ret)
			return ret;
	}
	return 0;
}

/* Socket filters: parse --state/--port/--sport/--dport/--src/--dst/--pid
 * text with precise errors, match a td_sock in user space, and compile the
 * port and address criteria to inet_diag bytecode for the kernel. */
#include "sockets/filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "state.h"

#define PORT_EXPECTED "expected PORT or LO-HI with 0 <= LO <= HI <= 65535"
#define CIDR_EXAMPLES "(examples: 192.0.2.0/24, 2001:db8::/32)"
/* PID_MAX_LIMIT of a 64-bit kernel (include/linux/threads.h). */
#define TD_PID_MAX 4194304

void td_filter_init(struct td_filter *f)
{
	memset(f, 0, sizeof(*f));
}

/* The user's text, made safe to quote in a message: no control bytes that
 * could garble a terminal, and short enough to leave room for the advice. */
static const char *quote_text(const char *text, char *buf, size_t len)
{
	size_t i, n = 0;

	if (!text)
		text = "";
	for (i = 0; text[i] && n + 4 < len; i++) {
		unsigned char c = (unsigned char)text[i];

		buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (text[i]) {
		/* Too long: end with "..." so the cut is visible. */
		n = n > 3 ? n - 3 : 0;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* Parse a run of decimal digits (no sign, no space) at *p into *val, at most
 * max. Returns 1 on success, 0 if there is no digit, -1 if above max. */
static int parse_decimal(const char **p, unsigned long max, unsigned long *val)
{
	const char *s = *p;
	unsigned long v = 0;
	int over = 0;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max) {
			over = 1;
			v = max + 1; /* keep it bounded; the digits still get eaten */
		}
	}
	*p = s;
	*val = v;
	return over ? -1 : 1;
}

static int port_range_parse(const char *opt, const char *text, struct td_port_range *out,
			    struct td_err *err)
{
	const char *p = text ? text : "";
	unsigned long lo, hi;
	char q[80];
	int rc;

	if (*p == ':')
		p++;
	if (!*p)
		return td_err_set(err, -TD_EPARSE, "%s%s'%s': no port given: " PORT_EXPECTED, opt,
				  *opt ? " " : "", quote_text(text, q, sizeof(q)));
	rc = parse_decimal(&p, 65535, &lo);
	if (rc < 0)
		goto out_of_range;
	if (rc == 0) {
		/* A service name (":https", as ss and lsof take it). */
		struct servent *se = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
					     ? getservbyname(p, "tcp")
					     : NULL;

		if (!se)
			goto not_a_port;
		out->lo = out->hi = ntohs((uint16_t)se->s_port);
		return 0;
	}
	hi = lo;
	if (*p == '-') {
		p++;
		rc = parse_decimal(&p, 65535, &hi);
		if (rc < 0)
			goto out_of_range;
		if (rc == 0)
			goto not_a_port;
	}
	if (*p)
		goto not_a_port;
	if (lo > hi)
		return td_err_set(err, -TD_EPARSE,
				  "%s%s'%s': range is reversed (%lu > %lu): " PORT_EXPECTED, opt,
				  *opt ? " " : "", quote_text(text, q, sizeof(q)), lo, hi);
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return 0;

out_of_range:
	return td_err_set(err, -TD_EPARSE, "%s%s'%s': port is above 65535: " PORT_EXPECTED, opt,
			  *opt ? " " : "", quote_text(text, q, sizeof(q)));
not_a_port:
	return td_err_set(err, -TD_EPARSE, "%s%s'%s': not a port or range: " PORT_EXPECTED, opt,
			  *opt ? " " : "", quote_text(text, q, sizeof(q)));
}

int td_parse_port_range(const char *text, struct td_port_range *out, struct td_err *err)
{
	return port_range_parse("", text, out, err);
}

/* Clear the bits past the prefix, as ip(8) does for "192.0.2.1/24". */
static void clear_host_bits(uint8_t *addr, unsigned int alen, unsigned int prefix)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		if (prefix <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= (uint8_t)(0xff00u >> (prefix - 8 * i));
	}
}

static int cidr_parse(const char *opt, const char *text, struct td_cidr *out, struct td_err *err)
{
	const char *s = text ? text : "";
	const char *sep = *opt ? " " : "";
	const char *addr_end, *slash;
	char abuf[INET6_ADDRSTRLEN], q[80];
	unsigned long prefix;
	unsigned int maxlen;
	size_t alen;
	bool bracket = false;
	struct td_cidr c;

	memset(&c, 0, sizeof(c));
	if (!*s)
		return td_err_set(err, -TD_EPARSE,
				  "%s%s'': no address given: expected an IPv4 "
				  "or IPv6 address or CIDR " CIDR_EXAMPLES,
				  opt, sep);
	if (*s == '[') {
		/* "[2001:db8::1]" or "[2001:db8::]/32", as in URLs and ss. */
		bracket = true;
		s++;
		addr_end = strchr(s, ']');
		if (!addr_end)
			return td_err_set(err, -TD_EPARSE,
					  "%s%s'%s': '[' without ']': expected "
					  "[IPv6] or [IPv6]/LEN " CIDR_EXAMPLES,
					  opt, sep, quote_text(text, q, sizeof(q)));
		slash = addr_end + 1;
		if (*slash && *slash != '/')
			return td_err_set(err, -TD_EPARSE,
					  "%s%s'%s': unexpected text after ']': "
					  "expected [IPv6] or [IPv6]/LEN " CIDR_EXAMPLES,
					  opt, sep, quote_text(text, q, sizeof(q)));
	} else {
		addr_end = s + strcspn(s, "/");
		slash = addr_end; /* '/' or the terminating NUL */
	}
	alen = (size_t)(addr_end - s);
	if (alen > 0 && alen < sizeof(abuf)) {
		memcpy(abuf, s, alen);
		abuf[alen] = '\0';
	} else {
		abuf[0] = '\0'; /* inet_pton() fails on it */
	}

	if (!bracket && inet_pton(AF_INET, abuf, c.addr) == 1) {
		c.family = AF_INET;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, abuf, c.addr) == 1) {
		c.family = AF_INET6;
		maxlen = 128;
	} else if (bracket) {
		return td_err_set(err, -TD_EPARSE,
				  "%s%s'%s': not an IPv6 address inside "
				  "brackets " CIDR_EXAMPLES,
				  opt, sep, quote_text(text, q, sizeof(q)));
	} else {
		return td_err_set(err, -TD_EPARSE,
				  "%s%s'%s': not an IPv4 or IPv6 address "
				  "or CIDR " CIDR_EXAMPLES,
				  opt, sep, quote_text(text, q, sizeof(q)));
	}

	prefix = maxlen;
	if (*slash == '/') {
		const char *p = slash + 1;
		int rc = parse_decimal(&p, 255, &prefix);

		if (rc == 0 || *p)
			return td_err_set(err, -TD_EPARSE,
					  "%s%s'%s': prefix length after '/' "
					  "is not a number: expected ADDRESS/LEN with LEN "
					  "0..%u " CIDR_EXAMPLES,
					  opt, sep, quote_text(text, q, sizeof(q)), maxlen);
		if (rc < 0 || prefix > maxlen)
			return td_err_set(err, -TD_EPARSE,
					  "%s%s'%s': prefix %.*s is too long "
					  "for %s (at most %u)",
					  opt, sep, quote_text(text, q, sizeof(q)),
					  (int)(p - slash - 1 > 20 ? 20 : p - slash - 1), slash + 1,
					  c.family == AF_INET ? "IPv4" : "IPv6", maxlen);
	}
	c.prefix = (uint8_t)prefix;
	clear_host_bits(c.addr, c.family == AF_INET ? 4 : 16, c.prefix);
	*out = c;
	return 0;
}

int td_parse_cidr(const char *text, struct td_cidr *out, struct td_err *err)
{
	return cidr_parse("", text, out, err);
}

static int list_full(const char *opt, struct td_err *err)
{
	return td_err_set(err, -E2BIG,
			  "%s: too many values (at most %d); use a range or a "
			  "shorter prefix to cover several",
			  opt, TD_FILTER_MAX);
}

static int add_port(const char *opt, struct td_port_range *list, size_t *n, const char *text,
		    struct td_err *err)
{
	struct td_port_range r;
	int rc;

	if (*n >= TD_FILTER_MAX)
		return list_full(opt, err);
	rc = port_range_parse(opt, text, &r, err);
	if (rc)
		return rc;
	list[(*n)++] = r;
	return 0;
}

static int add_cidr(const char *opt, struct td_cidr *list, size_t *n, const char *text,
		    struct td_err *err)
{
	struct td_cidr c;
	int rc;

	if (*n >= TD_FILTER_MAX)
		return list_full(opt, err);
	rc = cidr_parse(opt, text, &c, err);
	if (rc)
		return rc;
	list[(*n)++] = c;
	return 0;
}

int td_filter_add_sport(struct td_filter *f, const char *text, struct td_err *err)
{
	return add_port("--sport", f->sport, &f->nsport, text, err);
}

int td_filter_add_dport(struct td_filter *f, const char *text, struct td_err *err)
{
	return add_port("--dport", f->dport, &f->ndport, text, err);
}

int td_filter_add_port(struct td_filter *f, const char *text, struct td_err *err)
{
	return add_port("--port", f->port, &f->nport, text, err);
}

int td_filter_add_src(struct td_filter *f, const char *text, struct td_err *err)
{
	return add_cidr("--src", f->src, &f->nsrc, text, err);
}

int td_filter_add_dst(struct td_filter *f, const char *text, struct td_err *err)
{
	return add_cidr("--dst", f->dst, &f->ndst, text, err);
}

int td_filter_add_state(struct td_filter *f, const char *text, struct td_err *err)
{
	struct td_err inner;
	uint32_t mask = 0;
	char q[80];
	int rc;

	/* td_state_parse() quotes the name and lists the accepted ones; we
	 * only say which option it came from. */
	td_err_clear(&inner);
	rc = td_state_parse(text ? text : "", &mask, &inner);
	if (rc && inner.msg[0])
		return td_err_set(err, rc, "--state: %s", inner.msg);
	if (rc)
		return td_err_set(err, rc, "--state '%s': not a TCP state name",
				  quote_text(text, q, sizeof(q)));
	f->states |= mask;
	return 0;
}

int td_filter_add_pid(struct td_filter *f, const char *text, struct td_err *err)
{
	const char *p = text ? text : "";
	unsigned long pid;
	char q[80];
	int rc;

	if (f->npid >= TD_FILTER_MAX)
		return list_full("--pid", err);
	rc = parse_decimal(&p, TD_PID_MAX, &pid);
	if (rc <= 0 || *p || pid == 0)
		return td_err_set(err, -TD_EPARSE,
				  "--pid '%s': not a process id: expected a "
				  "number from 1 to %d",
				  quote_text(text, q, sizeof(q)), TD_PID_MAX);
	f->pid[f->npid++] = (pid_t)pid;
	return 0;
}

bool td_filter_has_addr_port(const struct td_filter *f)
{
	return f->nsport || f->ndport || f->nport || f->nsrc || f->ndst || f->expr.n;
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned int prefix)
{
	unsigned int full = prefix / 8, rest = prefix % 8;

	if (memcmp(a, net, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ net[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* The kernel's S_COND/D_COND: an IPv4 condition also matches an IPv6 socket
 * whose address is IPv4-mapped (::ffff:a.b.c.d, a dual-stack listener's
 * peers); an IPv6 condition never matches an IPv4 socket. */
static bool cidr_match(const struct td_cidr *c, int family, const uint8_t addr[16])
{
	if (c->family == AF_INET) {
		if (family == AF_INET)
			return prefix_match(addr, c->addr, c->prefix);
		if (family == AF_INET6 && !memcmp(addr, v4mapped_prefix, 12))
			return prefix_match(addr + 12, c->addr, c->prefix);
		return false;
	}
	return family == AF_INET6 && prefix_match(addr, c->addr, c->prefix);
}

static bool in_ranges(const struct td_port_range *r, size_t n, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

static bool in_cidrs(const struct td_cidr *c, size_t n, int family, const uint8_t addr[16])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cidr_match(&c[i], family, addr))
			return true;
	return false;
}

bool td_filter_match(const struct td_filter *f, const struct td_sock *s)
{
	if (f->states) {
		uint32_t states = f->states;

		/* As inet_diag_dump_icsk(): asking for SYN_RECV also asks for
		 * the request sockets the kernel keeps as NEW_SYN_RECV. */
		if (states & TD_STATE_BIT(TD_SYN_RECV))
			states |= TD_STATE_BIT(TD_NEW_SYN_RECV);
		if (s->state > TD_STATE_MAX || !(states & TD_STATE_BIT(s->state)))
			return false;
	}
	if (f->family && f->family != s->family)
		return false;
	if (f->nsport && !in_ranges(f->sport, f->nsport, s->lport))
		return false;
	if (f->ndport && !in_ranges(f->dport, f->ndport, s->rport))
		return false;
	if (f->nport && !in_ranges(f->port, f->nport, s->lport) &&
	    !in_ranges(f->port, f->nport, s->rport))
		return false;
	if (f->nsrc && !in_cidrs(f->src, f->nsrc, s->family, s->laddr))
		return false;
	if (f->ndst && !in_cidrs(f->dst, f->ndst, s->family, s->raddr))
		return false;
	return td_ssexpr_match(&f->expr, s);
}

/*
 * Bytecode. The program is an AND of lists, each list an OR of terms, each
 * term an AND of at most two conditions:
 *
 *	term1-op... JMP(end of list)  term2-op... JMP(end of list)  termN-op...
 *
 * Every op's `yes` is its own length, so success falls through; a failed
 * op jumps (`no`) to the next term of its list, or for the last term past
 * the end of the program (end + 4 = reject). A term that succeeds reaches
 * its JMP, which always takes `no` to the end of the list. So every op
 * boundary lies on the yes-chain, which is what inet_diag_bc_audit()'s
 * valid_cc() demands of every `no` target inside the program, and `yes`
 * (a u8) never has to span more than one op. Port ranges use GE and LE,
 * which every kernel with inet_diag knows (S_EQ/D_EQ came later).
 */
struct bc_cond {
	uint8_t code;		    /* INET_DIAG_BC_* */
	uint16_t port;		    /* S/D_GE, S/D_LE */
	const struct td_cidr *cidr; /* S/D_COND */
};

struct bc_term {
	int ncond;
	struct bc_cond cond[2];
};

struct bc_list {
	int nterm;
	struct bc_term term[2 * TD_FILTER_MAX];
};

#define BC_OP_LEN ((int)sizeof(struct inet_diag_bc_op))
#define BC_HOSTCOND_LEN ((int)sizeof(struct inet_diag_hostcond))

static int cond_len(const struct bc_cond *c)
{
	if (c->code == INET_DIAG_BC_S_COND || c->code == INET_DIAG_BC_D_COND)
		return BC_OP_LEN + BC_HOSTCOND_LEN + (c->cidr->family == AF_INET ? 4 : 16);
	return 2 * BC_OP_LEN; /* the port sits in a second op's `no` */
}

static int term_len(const struct bc_term *t)
{
	int i, len = 0;

	for (i = 0; i < t->ncond; i++)
		len += cond_len(&t->cond[i]);
	return len;
}

static int list_len(const struct bc_list *l)
{
	int i, len = 0;

	for (i = 0; i < l->nterm; i++)
		len += term_len(&l->term[i]) + (i + 1 < l->nterm ? BC_OP_LEN : 0);
	return len;
}

/* Append "port in r" as a term (lo 0 and hi 65535 need no test). Returns
 * false when the term is always true, which makes the whole list true. */
static bool add_range_term(struct bc_list *l, bool local, const struct td_port_range *r)
{
	struct bc_term *t = &l->term[l->nterm];

	t->ncond = 0;
	if (r->lo > 0)
		t->cond[t->ncond++] =
			(struct bc_cond){ .code = local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE,
					  .port = r->lo };
	if (r->hi < 65535)
		t->cond[t->ncond++] =
			(struct bc_cond){ .code = local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE,
					  .port = r->hi };
	if (!t->ncond)
		return false;
	l->nterm++;
	return true;
}

/* Build a port list; leaves it empty when some range covers every port. */
static void build_port_list(struct bc_list *l, const struct td_port_range *r, size_t n, bool local,
			    bool remote)
{
	size_t i;

	l->nterm = 0;
	for (i = 0; i < n; i++) {
		if ((local && !add_range_term(l, true, &r[i])) ||
		    (remote && !add_range_term(l, false, &r[i]))) {
			l->nterm = 0;
			return;
		}
	}
}

static void build_cidr_list(struct bc_list *l, const struct td_cidr *c, size_t n, uint8_t code)
{
	size_t i;

	l->nterm = 0;
	for (i = 0; i < n; i++) {
		struct bc_term *t = &l->term[l->nterm++];

		t->ncond = 1;
		t->cond[0] = (struct bc_cond){ .code = code, .cidr = &c[i] };
	}
}

static void put_op(uint8_t *p, uint8_t code, int yes, int no)
{
	struct inet_diag_bc_op op = { .code = code, .yes = (uint8_t)yes, .no = (uint16_t)no };

	memcpy(p, &op, sizeof(op));
}

static void emit_cond(uint8_t *p, const struct bc_cond *c, int no)
{
	int len = cond_len(c);

	put_op(p, c->code, len, no);
	if (c->code == INET_DIAG_BC_S_COND || c->code == INET_DIAG_BC_D_COND) {
		struct inet_diag_hostcond hc = {
			.family = c->cidr->family,
			.prefix_len = c->cidr->prefix,
			.port = -1, /* any port: ports are separate ops */
		};

		memcpy(p + BC_OP_LEN, &hc, sizeof(hc));
		memcpy(p + BC_OP_LEN + BC_HOSTCOND_LEN, c->cidr->addr,
		       (size_t)(len - BC_OP_LEN - BC_HOSTCOND_LEN));
	} else {
		put_op(p + BC_OP_LEN, 0, 0, c->port);
	}
}

int td_filter_bytecode(const struct td_filter *f, void *buf, size_t len)
{
	struct bc_list lists[5];
	uint8_t *out = buf;
	int nlist = 5, total = 0, pos = 0;
	int i, j, k;

	build_port_list(&lists[0], f->sport, f->nsport, true, false);
	build_port_list(&lists[1], f->dport, f->ndport, false, true);
	build_port_list(&lists[2], f->port, f->nport, true, true);
	build_cidr_list(&lists[3], f->src, f->nsrc, INET_DIAG_BC_S_COND);
	build_cidr_list(&lists[4], f->dst, f->ndst, INET_DIAG_BC_D_COND);

	for (i = 0; i < nlist; i++)
		total += list_len(&lists[i]);
	if (total == 0)
		return td_ssexpr_bytecode(&f->expr, buf, len);
	/* At most ~1.2 KiB with TD_FILTER_MAX 8, far below the u16 `no`. */
	if ((size_t)total > len)
		return -ENOSPC;

	for (i = 0; i < nlist; i++) {
		const struct bc_list *l = &lists[i];
		int list_end = pos + list_len(l);

		for (j = 0; j < l->nterm; j++) {
			const struct bc_term *t = &l->term[j];
			bool last = j + 1 == l->nterm;
			/* Where a failed condition goes: the next term, or reject. */
			int fail = last ? total + 4 : pos + term_len(t) + BC_OP_LEN;

			for (k = 0; k < t->ncond; k++) {
				emit_cond(out + pos, &t->cond[k], fail - pos);
				pos += cond_len(&t->cond[k]);
			}
			if (!last) {
				/* JMP always takes `no`; `yes` only has to pass the audit. */
				put_op(out + pos, INET_DIAG_BC_JMP, BC_OP_LEN, list_end - pos);
				pos += BC_OP_LEN;
			}
		}
	}
	if (f->expr.n) {
		/* The expression follows, ANDed: what failed at total + 4
		 * now fails past it (iproute2's ssfilter_patch()). */
		int elen = td_ssexpr_bytecode(&f->expr, out + total, len - (size_t)total);

		if (elen < 0)
			return elen;
		td_bc_relocate(out, total, elen);
		total += elen;
	}
	return total;
}

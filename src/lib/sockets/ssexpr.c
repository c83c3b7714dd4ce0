/* ss filter expressions: a recursive-descent parser for the grammar in
 * ssexpr.h, a user-space matcher, and the compiler to inet_diag bytecode
 * (the shape of iproute2's ssfilter_bytecompile(), our own code). */
#include "sockets/ssexpr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <net/if.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockets/filter.h"
#include "state.h"
#include "text.h"

#define LINE_MAX_LEN 1024 /* the words joined, as ss's argbuf */
#define TOK_MAX 512
#define DEPTH_MAX 64
#define PORT_EXPECTED "expected a port number 0-65535, '*' or a service name from /etc/services"
#define HOST_EXPECTED                                                                              \
	"expected ADDR[/LEN][:PORT], [IPV6][:PORT], *:PORT or :PORT (examples: 192.0.2.0/24, "     \
	"[2001:db8::1]:443, :https)"

struct tok {
	int off, len;
};

struct parser {
	char line[LINE_MAX_LEN];
	struct tok tok[TOK_MAX];
	int ntok, pos, depth;
	struct td_ssexpr *e;
	struct td_filter *f;
	struct td_err *err;
};

static const char *const starters[] = {
	"state", "exclude", "excl", "src", "dst",	"sport",  "dport",
	"dev",	 "not",	    "!",    "(",   "autobound", "fwmark", "cgroup",
};

bool td_ssexpr_starts(const char *word)
{
	size_t i;

	if (!word)
		return false;
	if (word[0] == '(' || word[0] == '!')
		return true;
	for (i = 0; i < sizeof(starters) / sizeof(starters[0]); i++)
		if (!strcmp(word, starters[i]))
			return true;
	return false;
}

/* Token i's text, NUL-terminated, in buf (cut at size). */
static const char *tok_text(const struct parser *p, int i, char *buf, size_t size)
{
	size_t n;

	if (i >= p->ntok) {
		buf[0] = '\0';
		return buf;
	}
	n = (size_t)p->tok[i].len < size - 1 ? (size_t)p->tok[i].len : size - 1;
	memcpy(buf, p->line + p->tok[i].off, n);
	buf[n] = '\0';
	return buf;
}

static bool tok_is(const struct parser *p, int i, const char *s)
{
	return i < p->ntok && (size_t)p->tok[i].len == strlen(s) &&
	       !memcmp(p->line + p->tok[i].off, s, (size_t)p->tok[i].len);
}

static bool tok_in(const struct parser *p, int i, const char *const *list)
{
	for (; *list; list++)
		if (tok_is(p, i, *list))
			return true;
	return false;
}

static const char *const and_words[] = { "and", "&&", "&", NULL };
static const char *const or_words[] = { "or", "||", "|", NULL };
static const char *const not_words[] = { "not", "!", NULL };
static const char *const eq_words[] = { "=", "==", "eq", NULL };
static const char *const ne_words[] = { "!=", "ne", "neq", NULL };
static const char *const lt_words[] = { "<", "lt", NULL };
static const char *const gt_words[] = { ">", "gt", NULL };
static const char *const le_words[] = { "<=", "le", "leq", NULL };
static const char *const ge_words[] = { ">=", "ge", "geq", NULL };

/* "LINE: WHAT at column N[: ADVICE]", the column 1-based in the words
 * joined by single spaces; `extra` moves it into the token. */
static int fail_at(struct parser *p, int code, int ti, int extra, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail_at(struct parser *p, int code, int ti, int extra, const char *fmt, ...)
{
	char what[320], shown[200];
	const char *advice;
	va_list ap;
	int col, head;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	td_printable(p->line, shown, sizeof(shown));
	/* "bad port ':44x' at column 9: expected ...": the place goes
	 * after what is wrong, before the advice. */
	advice = strstr(what, ": ");
	head = advice ? (int)(advice - what) : (int)strlen(what);
	if (ti < p->ntok) {
		col = p->tok[ti].off + extra + 1;
		return td_err_set(p->err, code, "%s: %.*s at column %d%s", shown, head, what, col,
				  advice ? advice : "");
	}
	return td_err_set(p->err, code, "%s: %.*s at the end%s", shown, head, what,
			  advice ? advice : "");
}

/* The message quotes a token; keep it printable and short. */
static const char *shown_tok(const struct parser *p, int i, char *buf, size_t size)
{
	char raw[TD_TEXT_MAX];

	td_printable(tok_text(p, i, raw, sizeof(raw)), buf, size);
	return buf;
}

static int tokenize(struct parser *p, int argc, char *const argv[])
{
	size_t n = 0;
	int i;

	p->line[0] = '\0';
	for (i = 0; i < argc; i++) {
		size_t len = strlen(argv[i] ? argv[i] : "");

		if (n + len + 2 > sizeof(p->line))
			return td_err_set(p->err, -TD_EPARSE,
					  "filter expression too long (at most %d characters)",
					  LINE_MAX_LEN - 2);
		if (i)
			p->line[n++] = ' ';
		memcpy(p->line + n, argv[i] ? argv[i] : "", len);
		n += len;
	}
	p->line[n] = '\0';

	p->ntok = 0;
	for (const char *s = p->line; *s;) {
		const char *w, *end;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
		end = s;
		/* '(' and ')' may stick to a word: "(dport" "443)". */
		while (w < end && *w == '(' && p->ntok < TOK_MAX) {
			p->tok[p->ntok++] = (struct tok){ (int)(w - p->line), 1 };
			w++;
		}
		{
			const char *close = end;
			int nclose = 0;

			while (close > w && close[-1] == ')') {
				close--;
				nclose++;
			}
			if (close > w && p->ntok < TOK_MAX)
				p->tok[p->ntok++] =
					(struct tok){ (int)(w - p->line), (int)(close - w) };
			for (; nclose > 0 && p->ntok < TOK_MAX; nclose--, close++)
				p->tok[p->ntok++] = (struct tok){ (int)(close - p->line), 1 };
		}
		if (p->ntok >= TOK_MAX)
			return td_err_set(p->err, -TD_EPARSE,
					  "filter expression too long (at most %d words)", TOK_MAX);
	}
	return 0;
}

static int new_node(struct parser *p, int ti, uint8_t op)
{
	struct td_ssx_node *n;

	if (p->e->n >= TD_SSEXPR_MAX)
		return fail_at(p, -E2BIG, ti, 0,
			       "too many conditions (at most %d terms and operators)",
			       TD_SSEXPR_MAX);
	n = &p->e->node[p->e->n];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->port = -1;
	return p->e->n++;
}

static int new_binary(struct parser *p, int ti, uint8_t op, int left, int right)
{
	int i = new_node(p, ti, op);

	if (i < 0)
		return i;
	p->e->node[i].left = (uint16_t)left;
	p->e->node[i].right = (uint16_t)right;
	return i;
}

/* A port as text at token ti, `extra` bytes in: [:]NUMBER, [:]SERVICE or
 * [:]* (-1). */
static int parse_port(struct parser *p, int ti, int extra, const char *s, int32_t *port)
{
	char shown[TD_TEXT_MAX];
	const char *start = s;
	unsigned long v = 0;
	struct servent *se;

	if (*s == ':')
		s++;
	if (!*s)
		return fail_at(p, -TD_EPARSE, ti, extra, "no port given: " PORT_EXPECTED);
	if (!strcmp(s, "*")) {
		*port = -1;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		const char *d = s;

		for (; *d >= '0' && *d <= '9' && v <= 65535; d++)
			v = v * 10 + (unsigned long)(*d - '0');
		if (!*d && v <= 65535) {
			*port = (int32_t)v;
			return 0;
		}
		if (v > 65535)
			goto bad;
	}
	/* ss asks the services database of the protocol it lists. */
	se = getservbyname(s, "tcp");
	if (se) {
		*port = ntohs((uint16_t)se->s_port);
		return 0;
	}
bad:
	td_printable(start, shown, sizeof(shown));
	return fail_at(p, -TD_EPARSE, ti, extra, "bad port '%s': " PORT_EXPECTED, shown);
}

/* ss's own man page writes "dst 193.233.7/24": iproute2 reads a dotted
 * quad with missing bytes as zeros (get_addr_ipv4()). Pad "A", "A.B" and
 * "A.B.C" (with or without /LEN) to four bytes into buf; false if text is
 * not such a short form. */
static bool pad_short_ipv4(const char *text, char *buf, size_t size)
{
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	int dots = 0;

	if (!alen || alen > 11)
		return false;
	for (size_t i = 0; i < alen; i++) {
		if (text[i] == '.' && i && text[i - 1] != '.')
			dots++;
		else if (text[i] < '0' || text[i] > '9')
			return false;
	}
	if (dots > 2 || text[alen - 1] == '.')
		return false;
	snprintf(buf, size, "%.*s%s%s", (int)alen, text,
		 dots == 0   ? ".0.0.0"
		 : dots == 1 ? ".0.0"
			     : ".0",
		 slash ? slash : "");
	return true;
}

static int set_cidr(struct parser *p, int ti, int extra, const char *text, struct td_ssx_node *n)
{
	struct td_cidr c;
	struct td_err ignored;
	char shown[TD_TEXT_MAX], padded[TD_TEXT_MAX];

	if (td_parse_cidr(text, &c, &ignored) < 0 &&
	    (!pad_short_ipv4(text, padded, sizeof(padded)) ||
	     td_parse_cidr(padded, &c, &ignored) < 0)) {
		td_printable(text, shown, sizeof(shown));
		return fail_at(p, -TD_EPARSE, ti, extra, "bad address '%s': " HOST_EXPECTED, shown);
	}
	n->family = c.family;
	n->prefix = c.prefix;
	memcpy(n->addr, c.addr, sizeof(n->addr));
	return 0;
}

/* HOST of src/dst into n (family, prefix, addr, port), as ss's
 * parse_hostcond() reads it. */
static int parse_host(struct parser *p, int ti, struct td_ssx_node *n)
{
	char text[TD_TEXT_MAX], addr[TD_TEXT_MAX];
	struct td_cidr c;
	struct td_err ignored;
	const char *port = NULL;
	int rc, port_off = 0;

	tok_text(p, ti, text, sizeof(text));
	n->family = AF_UNSPEC;
	n->prefix = 0;
	n->port = -1;
	if (!text[0])
		return fail_at(p, -TD_EPARSE, ti, 0, "no address: " HOST_EXPECTED);
	/* A whole address or prefix first: a bare IPv6 address has colons
	 * but no port (ss would misread it, "::1" even as port 1). */
	if (text[0] != '*' && text[0] != '[' && td_parse_cidr(text, &c, &ignored) == 0) {
		n->family = c.family;
		n->prefix = c.prefix;
		memcpy(n->addr, c.addr, sizeof(n->addr));
		return 0;
	}
	if (text[0] == '*' || text[0] == ':') {
		/* "*", "*:80", ":80": any address. */
		port = text[0] == '*' ? text + 1 : text;
		if (text[0] == '*' && *port && *port != ':')
			return fail_at(p, -TD_EPARSE, ti, 1,
				       "unexpected text after '*': " HOST_EXPECTED);
		port_off = (int)(port - text);
		if (!*port)
			return 0;
		return parse_port(p, ti, port_off, port, &n->port);
	}
	if (text[0] == '[') {
		/* "[IPV6]", "[IPV6]:PORT", "[IPV6/LEN]:PORT", "[IPV6]/LEN". */
		char *close = strchr(text, ']');
		size_t alen;

		if (!close)
			return fail_at(p, -TD_EPARSE, ti, 0, "'[' without ']': " HOST_EXPECTED);
		alen = (size_t)(close - text - 1);
		memcpy(addr, text + 1, alen);
		addr[alen] = '\0';
		port = close + 1;
		if (*port == '/') {
			size_t plen = strcspn(port, ":");

			if (alen + plen + 1 > sizeof(addr))
				return fail_at(p, -TD_EPARSE, ti, 0, "address too long");
			memcpy(addr + alen, port, plen);
			addr[alen + plen] = '\0';
			port += plen;
		}
		if (*port && *port != ':')
			return fail_at(p, -TD_EPARSE, ti, (int)(port - text),
				       "unexpected text after ']': " HOST_EXPECTED);
		if (!strchr(addr, ':'))
			return fail_at(p, -TD_EPARSE, ti, 1,
				       "not an IPv6 address inside brackets: " HOST_EXPECTED);
		rc = set_cidr(p, ti, 1, addr, n);
		if (rc < 0)
			return rc;
		port_off = (int)(port - text);
		return *port ? parse_port(p, ti, port_off, port, &n->port) : 0;
	}
	{
		const char *slash = strchr(text, '/');

		port = strrchr(slash ? slash : text, ':');
	}
	if (!port)
		return set_cidr(p, ti, 0, text, n);
	memcpy(addr, text, (size_t)(port - text));
	addr[port - text] = '\0';
	rc = set_cidr(p, ti, 0, addr, n);
	if (rc < 0)
		return rc;
	return parse_port(p, ti, (int)(port - text), port, &n->port);
}

enum cmp { CMP_NONE, CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE };

static enum cmp take_cmp(struct parser *p)
{
	static const struct {
		const char *const *words;
		enum cmp cmp;
	} table[] = {
		{ eq_words, CMP_EQ }, { ne_words, CMP_NE }, { lt_words, CMP_LT },
		{ gt_words, CMP_GT }, { le_words, CMP_LE }, { ge_words, CMP_GE },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (tok_in(p, p->pos, table[i].words)) {
			p->pos++;
			return table[i].cmp;
		}
	}
	return CMP_NONE;
}

static int wrap_not(struct parser *p, int ti, int child)
{
	int i;

	if (child < 0)
		return child;
	i = new_node(p, ti, TD_SSX_NOT);
	if (i >= 0)
		p->e->node[i].left = (uint16_t)child;
	return i;
}

static int parse_exprlist(struct parser *p);

/* sport/dport CMP PORT */
static int parse_port_cond(struct parser *p, bool local)
{
	int key = p->pos++, ti, i;
	enum cmp cmp = take_cmp(p);
	int32_t port;
	char text[TD_TEXT_MAX], shown[64];
	uint8_t op;
	int rc;

	ti = p->pos;
	if (ti >= p->ntok || tok_is(p, ti, ")") || tok_is(p, ti, "("))
		return fail_at(p, -TD_EPARSE, ti, 0, "expected a port after '%s': " PORT_EXPECTED,
			       shown_tok(p, ti - 1, shown, sizeof(shown)));
	p->pos++;
	rc = parse_port(p, ti, 0, tok_text(p, ti, text, sizeof(text)), &port);
	if (rc < 0)
		return rc;
	if (port < 0 && cmp != CMP_NONE && cmp != CMP_EQ && cmp != CMP_NE)
		return fail_at(p, -TD_EPARSE, ti, 0,
			       "'*' is any port and cannot be compared: give a number");
	switch (cmp) {
	case CMP_NONE:
	case CMP_EQ:
	case CMP_NE:
		i = new_node(p, key, local ? TD_SSX_SCOND : TD_SSX_DCOND);
		if (i >= 0)
			p->e->node[i].port = port;
		return cmp == CMP_NE ? wrap_not(p, key, i) : i;
	case CMP_GE:
	case CMP_LT: /* as ss: a < b is not (a >= b) */
		op = local ? TD_SSX_S_GE : TD_SSX_D_GE;
		break;
	default: /* LE, GT */
		op = local ? TD_SSX_S_LE : TD_SSX_D_LE;
		break;
	}
	i = new_node(p, key, op);
	if (i >= 0)
		p->e->node[i].port = port;
	return cmp == CMP_LT || cmp == CMP_GT ? wrap_not(p, key, i) : i;
}

/* src/dst [EQ|NE] HOST */
static int parse_host_cond(struct parser *p, bool local)
{
	int key = p->pos++, ti, i, rc;
	enum cmp cmp = take_cmp(p);
	char shown[64];

	if (cmp != CMP_NONE && cmp != CMP_EQ && cmp != CMP_NE)
		return fail_at(p, -TD_EPARSE, p->pos - 1, 0,
			       "'%s' compares ports, not addresses: use =, != or sport/dport",
			       shown_tok(p, p->pos - 1, shown, sizeof(shown)));
	ti = p->pos;
	if (ti >= p->ntok || tok_is(p, ti, ")") || tok_is(p, ti, "("))
		return fail_at(p, -TD_EPARSE, ti, 0,
			       "expected an address after '%s': " HOST_EXPECTED,
			       shown_tok(p, ti - 1, shown, sizeof(shown)));
	p->pos++;
	i = new_node(p, key, local ? TD_SSX_SCOND : TD_SSX_DCOND);
	if (i < 0)
		return i;
	rc = parse_host(p, ti, &p->e->node[i]);
	if (rc < 0)
		return rc;
	return cmp == CMP_NE ? wrap_not(p, key, i) : i;
}

/* dev [EQ|NE] NAME|INDEX */
static int parse_dev_cond(struct parser *p)
{
	int key = p->pos++, ti, i;
	enum cmp cmp = take_cmp(p);
	char text[TD_TEXT_MAX], shown[TD_TEXT_MAX];
	unsigned long idx = 0;
	char *end;

	if (cmp != CMP_NONE && cmp != CMP_EQ && cmp != CMP_NE)
		return fail_at(p, -TD_EPARSE, p->pos - 1, 0, "dev takes = or !=");
	ti = p->pos;
	if (ti >= p->ntok || tok_is(p, ti, ")"))
		return fail_at(p, -TD_EPARSE, ti, 0, "expected an interface name after 'dev'");
	p->pos++;
	tok_text(p, ti, text, sizeof(text));
	idx = if_nametoindex(text);
	if (!idx) {
		idx = strtoul(text, &end, 0);
		if (end == text || *end || idx > UINT32_MAX) {
			td_printable(text, shown, sizeof(shown));
			return fail_at(
				p, -TD_EPARSE, ti, 0,
				"no interface '%s' here: expected a name (ip link) or an index",
				shown);
		}
	}
	i = new_node(p, key, TD_SSX_DEV);
	if (i >= 0)
		p->e->node[i].ifindex = (uint32_t)idx;
	return cmp == CMP_NE ? wrap_not(p, key, i) : i;
}

/* The closest keyword to a mistyped word, or NULL. */
static const char *suggest(const char *word)
{
	static const char *const words[] = { "src",   "dst", "sport", "dport", "dev",
					     "state", "and", "or",    "not",   "exclude" };
	const char *best = NULL;
	int bestd = 3;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		int d = td_edit_distance(word, words[i]);
		int len = (int)strlen(words[i]);

		/* One typo in a short word, two in a long one. */
		if (d < bestd && d <= (len >= 5 ? 2 : 1)) {
			bestd = d;
			best = words[i];
		}
	}
	return best;
}

static int parse_expr(struct parser *p)
{
	int ti = p->pos, i;
	char text[TD_TEXT_MAX], shown[TD_TEXT_MAX];
	const char *hint;

	if (ti >= p->ntok)
		return fail_at(p, -TD_EPARSE, ti, 0, "expected a condition");
	if (tok_is(p, ti, "(")) {
		if (++p->depth > DEPTH_MAX)
			return fail_at(p, -TD_EPARSE, ti, 0, "parentheses nested too deep");
		p->pos++;
		if (tok_is(p, p->pos, ")"))
			return fail_at(p, -TD_EPARSE, p->pos, 0, "empty parentheses");
		i = parse_exprlist(p);
		if (i < 0)
			return i;
		if (!tok_is(p, p->pos, ")"))
			return fail_at(p, -TD_EPARSE, p->pos, 0, "'(' at column %d is not closed",
				       p->tok[ti].off + 1);
		p->pos++;
		p->depth--;
		return i;
	}
	if (tok_in(p, ti, not_words)) {
		if (++p->depth > DEPTH_MAX)
			return fail_at(p, -TD_EPARSE, ti, 0, "too many 'not' in a row");
		p->pos++;
		i = wrap_not(p, ti, parse_expr(p));
		p->depth--;
		return i;
	}
	if (tok_is(p, ti, "src") || tok_is(p, ti, "dst"))
		return parse_host_cond(p, tok_is(p, ti, "src"));
	if (tok_is(p, ti, "sport") || tok_is(p, ti, "dport"))
		return parse_port_cond(p, tok_is(p, ti, "sport"));
	if (tok_is(p, ti, "dev"))
		return parse_dev_cond(p);
	shown_tok(p, ti, shown, sizeof(shown));
	if (tok_is(p, ti, "autobound") || tok_is(p, ti, "fwmark") || tok_is(p, ti, "cgroup"))
		return fail_at(p, -TD_EPARSE, ti, 0,
			       "'%s' is an ss filter tcpdoctor does not support (sockets carry no "
			       "bind lock, mark or cgroup here)",
			       shown);
	if (tok_is(p, ti, "state") || tok_is(p, ti, "exclude") || tok_is(p, ti, "excl"))
		return fail_at(p, -TD_EPARSE, ti, 0,
			       "'%s' must come before the expression (as in ss): state S ... EXPR",
			       shown);
	if (tok_is(p, ti, ")"))
		return fail_at(p, -TD_EPARSE, ti, 0, "')' without '('");
	if (tok_in(p, ti, and_words) || tok_in(p, ti, or_words))
		return fail_at(p, -TD_EPARSE, ti, 0, "'%s' needs a condition before it", shown);
	hint = suggest(tok_text(p, ti, text, sizeof(text)));
	if (hint)
		return fail_at(p, -TD_EPARSE, ti, 0, "unknown word '%s': did you mean '%s'?", shown,
			       hint);
	return fail_at(p, -TD_EPARSE, ti, 0,
		       "unknown word '%s': expected src, dst, sport, dport, dev, not or '('",
		       shown);
}

static int parse_exprlist(struct parser *p)
{
	int left = parse_expr(p);

	while (left >= 0 && p->pos < p->ntok && !tok_is(p, p->pos, ")")) {
		int ti = p->pos, right;
		uint8_t op = TD_SSX_AND;

		if (tok_in(p, ti, or_words)) {
			op = TD_SSX_OR;
			p->pos++;
		} else if (tok_in(p, ti, and_words)) {
			p->pos++;
		}
		right = parse_expr(p);
		if (right < 0)
			return right;
		left = new_binary(p, ti, op, left, right);
	}
	return left;
}

static int parse_states(struct parser *p)
{
	while (p->pos < p->ntok && (tok_is(p, p->pos, "state") || tok_is(p, p->pos, "exclude") ||
				    tok_is(p, p->pos, "excl"))) {
		bool exclude = !tok_is(p, p->pos, "state");
		int ti = p->pos + 1;
		char text[TD_TEXT_MAX];
		struct td_err inner = { 0 };
		uint32_t mask = 0;

		if (ti >= p->ntok)
			return fail_at(p, -TD_EPARSE, ti, 0, "expected a state name after '%s'",
				       exclude ? "exclude" : "state");
		if (td_state_parse(tok_text(p, ti, text, sizeof(text)), &mask, &inner) < 0)
			return fail_at(p, -TD_EPARSE, ti, 0, "%s", inner.msg);
		if (exclude) {
			if (!p->f->states)
				p->f->states = TD_STATES_ALL;
			p->f->states &= ~mask;
			if (!p->f->states)
				return fail_at(p, -TD_EPARSE, ti, 0,
					       "excluding this leaves no state to show");
		} else {
			p->f->states |= mask;
		}
		p->pos += 2;
	}
	return 0;
}

int td_ssexpr_parse(struct td_filter *f, int argc, char *const argv[], struct td_err *err)
{
	struct parser p;
	struct td_filter saved;
	int rc, root;

	memset(&p, 0, sizeof(p));
	p.f = f;
	p.e = &f->expr;
	p.err = err;
	saved = *f;
	rc = tokenize(&p, argc, argv);
	if (rc < 0)
		return rc;
	rc = parse_states(&p);
	if (rc < 0)
		goto fail;
	if (p.pos >= p.ntok)
		return 0;
	root = parse_exprlist(&p);
	if (root < 0) {
		rc = root;
		goto fail;
	}
	if (p.pos < p.ntok) {
		rc = fail_at(&p, -TD_EPARSE, p.pos, 0, "')' without '('");
		goto fail;
	}
	if (saved.expr.n) {
		root = new_binary(&p, 0, TD_SSX_AND, saved.expr.root, root);
		if (root < 0) {
			rc = root;
			goto fail;
		}
	}
	f->expr.root = (uint16_t)root;
	return 0;
fail:
	*f = saved;
	return rc;
}

/* Matching, as the kernel's inet_diag_bc_run() decides each condition. */

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned int prefix)
{
	unsigned int full = prefix / 8, rest = prefix % 8;

	if (memcmp(a, net, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ net[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static bool hostcond_match(const struct td_ssx_node *n, int family, const uint8_t *addr,
			   uint16_t port)
{
	if (n->port != -1 && n->port != port)
		return false;
	if (n->family != AF_UNSPEC && n->family != family) {
		/* An IPv4 condition matches an IPv4-mapped IPv6 address. */
		return family == AF_INET6 && n->family == AF_INET && !memcmp(addr, v4mapped, 12) &&
		       prefix_match(addr + 12, n->addr, n->prefix);
	}
	return n->prefix == 0 || prefix_match(addr, n->addr, n->prefix);
}

static bool node_match(const struct td_ssexpr *e, int i, const struct td_sock *s)
{
	const struct td_ssx_node *n = &e->node[i];

	switch (n->op) {
	case TD_SSX_AND:
		return node_match(e, n->left, s) && node_match(e, n->right, s);
	case TD_SSX_OR:
		return node_match(e, n->left, s) || node_match(e, n->right, s);
	case TD_SSX_NOT:
		return !node_match(e, n->left, s);
	case TD_SSX_SCOND:
		return hostcond_match(n, s->family, s->laddr, s->lport);
	case TD_SSX_DCOND:
		return hostcond_match(n, s->family, s->raddr, s->rport);
	case TD_SSX_S_GE:
		return s->lport >= n->port;
	case TD_SSX_S_LE:
		return s->lport <= n->port;
	case TD_SSX_D_GE:
		return s->rport >= n->port;
	case TD_SSX_D_LE:
		return s->rport <= n->port;
	case TD_SSX_DEV:
		return s->ifindex == n->ifindex;
	}
	return false;
}

bool td_ssexpr_match(const struct td_ssexpr *e, const struct td_sock *s)
{
	return !e->n || node_match(e, e->root, s);
}

/* Bytecode. Every program passes by running off its end and fails by
 * jumping to end + 4; every op's `yes` is its own length, so each op
 * boundary is on the yes-chain, which inet_diag_bc_audit()'s valid_cc()
 * demands of every jump target inside the program.
 *   A and B:  A B, with A's failures moved past B (td_bc_relocate)
 *   A or B:   A JMP(end) B: A failing lands on B, passing jumps over it
 *   not A:    A JMP(end + 4): A passing reaches the JMP that fails, A
 *             failing lands on the end and passes. */

#define OP_LEN ((int)sizeof(struct inet_diag_bc_op))
#define HOSTCOND_LEN ((int)sizeof(struct inet_diag_hostcond))

static void put_op(uint8_t *p, uint8_t code, int yes, int no)
{
	struct inet_diag_bc_op op = { .code = code, .yes = (uint8_t)yes, .no = (uint16_t)no };

	memcpy(p, &op, sizeof(op));
}

void td_bc_relocate(void *bc, int len, int reloc)
{
	uint8_t *a = bc;

	while (len > 0) {
		struct inet_diag_bc_op op;

		memcpy(&op, a, sizeof(op));
		if (op.no == len + 4) {
			op.no = (uint16_t)(op.no + reloc);
			memcpy(a, &op, sizeof(op));
		}
		if (op.yes == 0)
			break; /* not ours; never loop */
		len -= op.yes;
		a += op.yes;
	}
}

static int emit(const struct td_ssexpr *e, int i, uint8_t *out, int cap)
{
	const struct td_ssx_node *n = &e->node[i];
	int l1, l2, len;

	switch (n->op) {
	case TD_SSX_AND:
		l1 = emit(e, n->left, out, cap);
		if (l1 < 0)
			return l1;
		l2 = emit(e, n->right, out + l1, cap - l1);
		if (l2 < 0)
			return l2;
		td_bc_relocate(out, l1, l2);
		return l1 + l2;
	case TD_SSX_OR:
		l1 = emit(e, n->left, out, cap);
		if (l1 < 0 || cap - l1 < OP_LEN)
			return -ENOSPC;
		l2 = emit(e, n->right, out + l1 + OP_LEN, cap - l1 - OP_LEN);
		if (l2 < 0)
			return l2;
		put_op(out + l1, INET_DIAG_BC_JMP, OP_LEN, l2 + OP_LEN);
		return l1 + OP_LEN + l2;
	case TD_SSX_NOT:
		l1 = emit(e, n->left, out, cap);
		if (l1 < 0 || cap - l1 < OP_LEN)
			return -ENOSPC;
		put_op(out + l1, INET_DIAG_BC_JMP, OP_LEN, 2 * OP_LEN);
		return l1 + OP_LEN;
	case TD_SSX_SCOND:
	case TD_SSX_DCOND: {
		int alen = n->family == AF_INET ? 4 : n->family == AF_INET6 ? 16 : 0;
		struct inet_diag_hostcond hc = {
			.family = n->family,
			.prefix_len = n->prefix,
			.port = n->port,
		};

		len = OP_LEN + HOSTCOND_LEN + alen;
		if (cap < len)
			return -ENOSPC;
		put_op(out, n->op == TD_SSX_SCOND ? INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND, len,
		       len + 4);
		memcpy(out + OP_LEN, &hc, sizeof(hc));
		memcpy(out + OP_LEN + HOSTCOND_LEN, n->addr, (size_t)alen);
		return len;
	}
	case TD_SSX_S_GE:
	case TD_SSX_S_LE:
	case TD_SSX_D_GE:
	case TD_SSX_D_LE: {
		static const uint8_t code[] = {
			[TD_SSX_S_GE] = INET_DIAG_BC_S_GE,
			[TD_SSX_S_LE] = INET_DIAG_BC_S_LE,
			[TD_SSX_D_GE] = INET_DIAG_BC_D_GE,
			[TD_SSX_D_LE] = INET_DIAG_BC_D_LE,
		};

		if (cap < 2 * OP_LEN)
			return -ENOSPC;
		/* The port sits in a second op's `no`. */
		put_op(out, code[n->op], 2 * OP_LEN, 3 * OP_LEN);
		put_op(out + OP_LEN, 0, 0, n->port);
		return 2 * OP_LEN;
	}
	case TD_SSX_DEV:
		if (cap < 2 * OP_LEN)
			return -ENOSPC;
		put_op(out, INET_DIAG_BC_DEV_COND, 2 * OP_LEN, 3 * OP_LEN);
		memcpy(out + OP_LEN, &n->ifindex, sizeof(n->ifindex));
		return 2 * OP_LEN;
	}
	return -EINVAL;
}

int td_ssexpr_bytecode(const struct td_ssexpr *e, void *buf, size_t len)
{
	int cap = len > 65535 ? 65535 : (int)len;

	if (!e->n)
		return 0;
	return emit(e, e->root, buf, cap);
}

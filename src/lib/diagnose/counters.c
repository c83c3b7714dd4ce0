/* Kernel counter snapshots: a generic parser of the /proc/net/snmp and
 * /proc/net/netstat tables and of the /proc/net/sockstat pairs, kept as one
 * sorted array of (group, name, value); lookups, deltas and rates. */
#include "diagnose/counters.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const file_names[TD_CF_MAX] = {
	[TD_CF_SNMP] = "snmp",
	[TD_CF_NETSTAT] = "netstat",
	[TD_CF_SOCKSTAT] = "sockstat",
	[TD_CF_SOCKSTAT6] = "sockstat6",
};

static const enum td_counter_format file_formats[TD_CF_MAX] = {
	[TD_CF_SNMP] = TD_CFMT_TABLE,
	[TD_CF_NETSTAT] = TD_CFMT_TABLE,
	[TD_CF_SOCKSTAT] = TD_CFMT_PAIRS,
	[TD_CF_SOCKSTAT6] = TD_CFMT_PAIRS,
};

const char *td_counter_file_name(enum td_counter_file f)
{
	return (unsigned)f < TD_CF_MAX ? file_names[f] : "?";
}

void td_counters_init(struct td_counters *c)
{
	memset(c, 0, sizeof(*c));
}

void td_counters_free(struct td_counters *c)
{
	free(c->v);
	td_counters_init(c);
}

static int counter_cmp(const void *pa, const void *pb)
{
	const struct td_counter *a = pa, *b = pb;
	int r = strcmp(a->group, b->group);

	return r ? r : strcmp(a->name, b->name);
}

/* Group and name characters: what the kernel uses ("TcpExt", "InType3",
 * "TCP6"). No '.', which separates them in a key. */
static bool ident_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/* Next blank-separated token in [*p, end). false at the end. */
static bool next_token(const char **p, const char *end, const char **tok, size_t *len)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return false;
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*len = (size_t)(s - *tok);
	*p = s;
	return true;
}

static size_t count_tokens(const char *p, const char *end)
{
	const char *tok;
	size_t len, n = 0;

	while (next_token(&p, end, &tok, &len))
		n++;
	return n;
}

/* A decimal counter value: digits, optionally after '-' (Tcp.MaxConn is -1;
 * the kernel prints MIB values with %lu, or %ld for the few signed ones). */
static bool parse_value(const char *tok, size_t len, uint64_t *val, bool *negative)
{
	bool neg = len > 0 && tok[0] == '-';
	uint64_t v = 0, limit;
	size_t i = neg ? 1 : 0;

	if (i == len)
		return false;
	limit = neg ? (uint64_t)INT64_MAX + 1 : UINT64_MAX;
	for (; i < len; i++) {
		unsigned d;

		if (tok[i] < '0' || tok[i] > '9')
			return false;
		d = (unsigned)(tok[i] - '0');
		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*negative = neg && v;
	*val = neg ? (uint64_t)0 - v : v;
	return true;
}

static bool valid_ident(const char *tok, size_t len, size_t max)
{
	/* a name starts with a letter: "1 inuse" is a pair turned around */
	if (len == 0 || len >= max || (tok[0] >= '0' && tok[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!ident_char(tok[i]))
			return false;
	return true;
}

static int add_counter(struct td_counters *c, const char *group, size_t glen, const char *name,
		       size_t nlen, uint64_t val, bool neg, enum td_counter_file file)
{
	struct td_counter *e;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct td_counter *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	e = &c->v[c->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->group, group, glen);
	memcpy(e->name, name, nlen);
	e->value = val;
	e->negative = neg;
	e->file = (uint8_t)file;
	return 0;
}

/* One line split into its group ("Tcp") and the rest after ':'. */
struct line {
	const char *group, *rest, *end;
	size_t glen;
	unsigned long no;
};

static int split_line(struct line *l, const char *buf, size_t len, const char *path,
		      struct td_err *err)
{
	const char *colon = memchr(buf, ':', len);

	if (memchr(buf, '\0', len))
		return td_err_set(err, -TD_EPARSE,
				  "%s line %lu: NUL byte in the text "
				  "(not a /proc/net counter file)",
				  path, l->no);
	if (!colon || !valid_ident(buf, (size_t)(colon - buf), TD_COUNTER_GROUP_MAX))
		return td_err_set(err, -TD_EPARSE,
				  "%s line %lu: expected 'Group: ...' with a "
				  "group name of at most %d letters/digits (not a /proc/net "
				  "counter file?)",
				  path, l->no, TD_COUNTER_GROUP_MAX - 1);
	l->group = buf;
	l->glen = (size_t)(colon - buf);
	l->rest = colon + 1;
	l->end = buf + len;
	return 0;
}

/* The names line hdr and the values line val of one table group. */
static int add_table(struct td_counters *c, const struct line *hdr, const struct line *val,
		     const char *path, enum td_counter_file file, struct td_err *err)
{
	const char *pn = hdr->rest, *pv = val->rest, *name, *tok;
	size_t nnames = count_tokens(hdr->rest, hdr->end);
	size_t nvals = count_tokens(val->rest, val->end);
	size_t nlen, vlen, i = 0;

	if (nnames != nvals)
		return td_err_set(err, -TD_EPARSE,
				  "%s line %lu: '%.*s:' has %zu names (line %lu) "
				  "but %zu values (truncated or corrupt file)",
				  path, val->no, (int)val->glen, val->group, nnames, hdr->no,
				  nvals);
	if (nnames == 0)
		return td_err_set(err, -TD_EPARSE, "%s line %lu: '%.*s:' has no counters", path,
				  hdr->no, (int)hdr->glen, hdr->group);
	while (next_token(&pn, hdr->end, &name, &nlen) && next_token(&pv, val->end, &tok, &vlen)) {
		uint64_t v;
		bool neg;

		i++;
		if (!valid_ident(name, nlen, TD_COUNTER_NAME_MAX))
			return td_err_set(err, -TD_EPARSE,
					  "%s line %lu: counter name %zu of "
					  "'%.*s:' is not a name of at most %d letters/digits: "
					  "'%.*s'",
					  path, hdr->no, i, (int)hdr->glen, hdr->group,
					  TD_COUNTER_NAME_MAX - 1, (int)(nlen > 64 ? 64 : nlen),
					  name);
		if (!parse_value(tok, vlen, &v, &neg))
			return td_err_set(err, -TD_EPARSE,
					  "%s line %lu: value of %.*s.%.*s is not "
					  "a 64-bit integer: '%.*s'",
					  path, val->no, (int)hdr->glen, hdr->group, (int)nlen,
					  name, (int)(vlen > 64 ? 64 : vlen), tok);
		if (add_counter(c, hdr->group, hdr->glen, name, nlen, v, neg, file) < 0)
			return td_err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

/* "TCP: inuse 1 orphan 0 tw 0 alloc 5 mem 1": name value pairs. */
static int add_pairs(struct td_counters *c, const struct line *l, const char *path,
		     enum td_counter_file file, struct td_err *err)
{
	const char *p = l->rest, *name, *tok;
	size_t n = count_tokens(l->rest, l->end), nlen, vlen;

	if (n == 0 || n % 2)
		return td_err_set(err, -TD_EPARSE,
				  "%s line %lu: '%.*s:' should be followed by "
				  "'name value' pairs, found %zu words (truncated or corrupt file)",
				  path, l->no, (int)l->glen, l->group, n);
	while (next_token(&p, l->end, &name, &nlen) && next_token(&p, l->end, &tok, &vlen)) {
		uint64_t v;
		bool neg;

		if (!valid_ident(name, nlen, TD_COUNTER_NAME_MAX))
			return td_err_set(err, -TD_EPARSE,
					  "%s line %lu: '%.*s' in '%.*s:' is not "
					  "a counter name",
					  path, l->no, (int)(nlen > 64 ? 64 : nlen), name,
					  (int)l->glen, l->group);
		if (!parse_value(tok, vlen, &v, &neg))
			return td_err_set(err, -TD_EPARSE,
					  "%s line %lu: value of %.*s.%.*s is not "
					  "a 64-bit integer: '%.*s'",
					  path, l->no, (int)l->glen, l->group, (int)nlen, name,
					  (int)(vlen > 64 ? 64 : vlen), tok);
		if (add_counter(c, l->group, l->glen, name, nlen, v, neg, file) < 0)
			return td_err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

static int parse_lines(struct td_counters *c, FILE *fp, const char *path,
		       enum td_counter_format fmt, enum td_counter_file file, struct td_err *err)
{
	char *buf = NULL, *hdrbuf = NULL;
	size_t cap = 0, hdrcap = 0;
	struct line hdr = { 0 }, cur = { 0 };
	bool pending = false;
	unsigned long no = 0;
	ssize_t len;
	int rc = 0;

	while ((len = getline(&buf, &cap, fp)) >= 0) {
		no++;
		/* /proc files end every line with '\n'; a last line without it
		 * is a file cut short (a copy that was truncated). */
		if (len == 0 || buf[len - 1] != '\n') {
			rc = td_err_set(err, -TD_ETRUNC,
					"%s line %lu: no end of line: the file "
					"is truncated",
					path, no);
			goto out;
		}
		len--;
		if (len == 0 && !pending)
			continue;
		cur.no = no;
		rc = split_line(&cur, buf, (size_t)len, path, err);
		if (rc < 0)
			goto out;
		if (fmt == TD_CFMT_PAIRS) {
			rc = add_pairs(c, &cur, path, file, err);
			if (rc < 0)
				goto out;
			continue;
		}
		if (!pending) {
			/* keep the names line until its values line comes */
			if (hdrcap < (size_t)len + 1) {
				char *nb = realloc(hdrbuf, (size_t)len + 1);

				if (!nb) {
					rc = td_err_set(err, -ENOMEM, "%s: out of memory", path);
					goto out;
				}
				hdrbuf = nb;
				hdrcap = (size_t)len + 1;
			}
			memcpy(hdrbuf, buf, (size_t)len);
			hdr = cur;
			hdr.group = hdrbuf;
			hdr.rest = hdrbuf + (cur.rest - buf);
			hdr.end = hdrbuf + len;
			pending = true;
			continue;
		}
		if (cur.glen != hdr.glen || memcmp(cur.group, hdr.group, hdr.glen)) {
			rc = td_err_set(err, -TD_EPARSE,
					"%s line %lu: expected the values of "
					"'%.*s:' (names on line %lu), found '%.*s:'",
					path, no, (int)hdr.glen, hdr.group, hdr.no, (int)cur.glen,
					cur.group);
			goto out;
		}
		rc = add_table(c, &hdr, &cur, path, file, err);
		if (rc < 0)
			goto out;
		pending = false;
	}
	if (ferror(fp)) {
		rc = td_err_set(err, -EIO, "%s: read error after line %lu", path, no);
	} else if (pending) {
		rc = td_err_set(err, -TD_ETRUNC,
				"%s line %lu: names of '%.*s:' without a values "
				"line: the file is truncated",
				path, hdr.no, (int)hdr.glen, hdr.group);
	} else if (no == 0) {
		rc = td_err_set(err, -TD_ETRUNC, "%s: empty file (expected %s counters)", path,
				fmt == TD_CFMT_TABLE ? "'Group: names' / 'Group: values'"
						     : "'Group: name value ...'");
	}
out:
	free(buf);
	free(hdrbuf);
	return rc;
}

int td_counters_parse(struct td_counters *c, FILE *fp, const char *path, enum td_counter_format fmt,
		      enum td_counter_file file, struct td_err *err)
{
	size_t n0 = c->n, added;
	int rc = parse_lines(c, fp, path, fmt, file, err);

	if (rc < 0)
		goto fail;
	/* Sort only what this call added, so that on a duplicate the old
	 * (sorted) part is untouched; then check it against the old part. */
	added = c->n - n0;
	if (added > 1)
		qsort(c->v + n0, added, sizeof(*c->v), counter_cmp);
	for (size_t i = n0; i < c->n; i++) {
		const struct td_counter *d = &c->v[i];

		if ((i > n0 && !counter_cmp(&c->v[i - 1], d)) ||
		    (n0 && bsearch(d, c->v, n0, sizeof(*c->v), counter_cmp))) {
			rc = td_err_set(err, -TD_EPARSE,
					"%s: counter %s.%s appears twice "
					"(corrupt file?)",
					path, d->group, d->name);
			goto fail;
		}
	}
	if (n0 && added)
		qsort(c->v, c->n, sizeof(*c->v), counter_cmp);
	return 0;
fail:
	c->n = n0;
	return rc;
}

int td_counters_read(struct td_counters *c, const char *root, struct td_err *err)
{
	char path[4096];

	c->n = 0;
	c->files = 0;
	if (!root)
		root = "/proc/net";
	for (int f = 0; f < TD_CF_MAX; f++) {
		FILE *fp;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", root, file_names[f]);
		fp = fopen(path, "re");
		if (!fp) {
			rc = -errno;
			if (rc == -ENOENT && f != TD_CF_SNMP)
				continue; /* sockstat6 without IPv6: counters absent */
			c->n = 0;
			c->files = 0;
			return td_err_set(err, rc, "%s: %s%s", path, strerror(-rc),
					  rc == -ENOENT ? " (is /proc mounted?)" : "");
		}
		rc = td_counters_parse(c, fp, path, file_formats[f], (enum td_counter_file)f, err);
		fclose(fp);
		if (rc < 0) {
			c->n = 0;
			c->files = 0;
			return rc;
		}
		c->files |= 1u << f;
	}
	clock_gettime(CLOCK_MONOTONIC, &c->ts);
	return 0;
}

const struct td_counter *td_counters_find(const struct td_counters *c, const char *key)
{
	const char *dot = strchr(key, '.');
	struct td_counter k;
	size_t glen;

	if (!dot || !c->n)
		return NULL;
	glen = (size_t)(dot - key);
	if (glen >= sizeof(k.group) || strlen(dot + 1) >= sizeof(k.name))
		return NULL;
	memcpy(k.group, key, glen);
	k.group[glen] = '\0';
	strcpy(k.name, dot + 1);
	return bsearch(&k, c->v, c->n, sizeof(*c->v), counter_cmp);
}

int td_counters_get(const struct td_counters *c, const char *key, uint64_t *val)
{
	const struct td_counter *e = td_counters_find(c, key);

	if (!e)
		return -TD_ENOTFOUND;
	if (e->negative)
		return -ERANGE;
	*val = e->value;
	return 0;
}

int td_counters_get_signed(const struct td_counters *c, const char *key, int64_t *val)
{
	const struct td_counter *e = td_counters_find(c, key);

	if (!e)
		return -TD_ENOTFOUND;
	if (!e->negative && e->value > INT64_MAX)
		return -ERANGE;
	*val = (int64_t)e->value;
	return 0;
}

double td_counters_elapsed(const struct td_counters *a, const struct td_counters *b)
{
	return (double)(b->ts.tv_sec - a->ts.tv_sec) +
	       (double)(b->ts.tv_nsec - a->ts.tv_nsec) / 1e9;
}

int td_counters_delta(const struct td_counters *a, const struct td_counters *b, const char *key,
		      int64_t *delta)
{
	const struct td_counter *ea = td_counters_find(a, key), *eb = td_counters_find(b, key);

	if (!ea || !eb)
		return -TD_ENOTFOUND;
	/* modulo 2^64, then read as signed: a wrapped counter gives a small
	 * positive delta, a falling gauge a negative one */
	*delta = (int64_t)(eb->value - ea->value);
	return 0;
}

int td_counters_rate(const struct td_counters *a, const struct td_counters *b, const char *key,
		     double *per_sec)
{
	double dt = td_counters_elapsed(a, b);
	int64_t d;
	int rc = td_counters_delta(a, b, key, &d);

	if (rc < 0)
		return rc;
	if (!(dt > 0))
		return -EINVAL;
	*per_sec = (double)d / dt;
	return 0;
}

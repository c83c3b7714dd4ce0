/* gettext .mo catalogues read by hand (the format is two tables of
 * (length, offset) pairs; see the GNU gettext manual, "The Format of GNU MO
 * Files"), found beside the binary or where make install puts them. The file
 * is outside data: every offset is checked before use (tests/fuzz/fuzz_mo.c). */
#include "catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"

#ifndef TD_LOCALEDIR_DEFAULT
#define TD_LOCALEDIR_DEFAULT "/usr/local/share/locale"
#endif

#define MO_MAGIC 0x950412deu
#define MO_MAX_SIZE (16u << 20) /* ours is ~300 KB */

static uint32_t rd32(const struct td_mo *mo, size_t off)
{
	const unsigned char *p = mo->data + off;
	uint32_t v =
		(uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return mo->swap ? __builtin_bswap32(v) : v;
}

/* String i of the table at tab: its start, or NULL when it does not fit. */
static const char *mo_str(const struct td_mo *mo, uint32_t tab, uint32_t i, uint32_t *len)
{
	size_t at = (size_t)tab + (size_t)i * 8;
	uint32_t l = rd32(mo, at), off = rd32(mo, at + 4);

	if (off >= mo->len || l >= mo->len - off || mo->data[off + l] != '\0')
		return NULL;
	if (len)
		*len = l;
	return (const char *)mo->data + off;
}

static bool clean_text(const char *s, size_t len, size_t *bad)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t k = td_utf8_next(s + i, len - i, &cp);

		/* A plural's forms are separated by NUL: allowed. */
		if (!k || (cp < 0x20 && cp != '\n' && cp != '\t' && cp != 0) ||
		    (cp >= 0x7f && cp < 0xa0)) {
			*bad = i;
			return false;
		}
		i += k;
	}
	return true;
}

int td_mo_parse(struct td_mo *mo, const void *data, size_t len, struct td_err *err)
{
	uint32_t magic, rev;

	memset(mo, 0, sizeof(*mo));
	mo->data = data;
	mo->len = len;
	if (len < 28)
		return td_err_set(err, -TD_EPARSE, "not a .mo file: %zu bytes, the header is 28",
				  len);
	magic = rd32(mo, 0);
	if (magic != MO_MAGIC) {
		mo->swap = true;
		if (rd32(mo, 0) != MO_MAGIC)
			return td_err_set(err, -TD_EPARSE,
					  "not a .mo file: magic %#x, expected %#x", magic,
					  MO_MAGIC);
	}
	rev = rd32(mo, 4);
	if (rev >> 16 > 1)
		return td_err_set(err, -TD_EPARSE, ".mo revision %u.%u: only 0 and 1 are known",
				  rev >> 16, rev & 0xffff);
	mo->n = rd32(mo, 8);
	mo->orig = rd32(mo, 12);
	mo->tran = rd32(mo, 16);
	if (mo->n > len / 16 || mo->orig > len || mo->tran > len ||
	    (size_t)mo->n * 8 > len - mo->orig || (size_t)mo->n * 8 > len - mo->tran)
		return td_err_set(err, -TD_EPARSE,
				  ".mo tables (%u strings at %u and %u) do not fit in %zu bytes",
				  mo->n, mo->orig, mo->tran, len);
	mo->sorted = true;
	for (uint32_t i = 0; i < mo->n; i++) {
		uint32_t olen, tlen;
		const char *o = mo_str(mo, mo->orig, i, &olen);
		const char *t = mo_str(mo, mo->tran, i, &tlen);
		size_t bad;

		if (!o || !t)
			return td_err_set(err, -TD_EPARSE,
					  ".mo string %u runs past the end or lacks its NUL", i);
		if (!clean_text(t, tlen, &bad))
			return td_err_set(err, -TD_EPARSE,
					  ".mo translation %u: not UTF-8 text at its byte %zu", i,
					  bad);
		if (i && strcmp(mo_str(mo, mo->orig, i - 1, NULL), o) >= 0)
			mo->sorted = false;
		if (!*o && strstr(t, "charset=") && !strstr(t, "charset=UTF-8"))
			return td_err_set(
				err, -TD_EPARSE,
				".mo header: the charset is not UTF-8 (msgfmt a UTF-8 .po)");
	}
	return 0;
}

static const char *lookup(const struct td_mo *mo, const char *key)
{
	uint32_t lo = 0, hi = mo->n, i;

	if (!mo->sorted) {
		for (i = 0; i < mo->n; i++)
			if (!strcmp(mo_str(mo, mo->orig, i, NULL), key))
				goto found;
		return NULL;
	}
	while (lo < hi) {
		int c;

		i = lo + (hi - lo) / 2;
		c = strcmp(key, mo_str(mo, mo->orig, i, NULL));
		if (!c)
			goto found;
		if (c < 0)
			hi = i;
		else
			lo = i + 1;
	}
	return NULL;
found : {
	const char *t = mo_str(mo, mo->tran, i, NULL);

	return *t ? t : NULL;
}
}

const char *td_mo_get(const struct td_mo *mo, const char *ctxt, const char *msgid)
{
	char stack[256], *key = stack;
	const char *t;
	size_t cl, ml;

	if (!mo || !msgid)
		return NULL;
	if (!ctxt)
		return *msgid ? lookup(mo, msgid) : NULL;
	cl = strlen(ctxt);
	ml = strlen(msgid);
	if (cl + ml + 2 > sizeof(stack) && !(key = malloc(cl + ml + 2)))
		return NULL;
	memcpy(key, ctxt, cl);
	key[cl] = '\004';
	memcpy(key + cl + 1, msgid, ml + 1);
	t = lookup(mo, key);
	if (key != stack)
		free(key);
	return t;
}

/* ---- finding and loading ---- */

#define MAX_CATALOGS 4

static struct loaded {
	char locale[32];
	bool tried;
	struct td_mo mo;
	bool ok;
	char error[768];
} catalogs[MAX_CATALOGS];

static bool load_file(const char *path, struct loaded *c, size_t *used)
{
	struct td_err err = { 0 };
	unsigned char *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*used += (size_t)snprintf(c->error + *used, sizeof(c->error) - *used,
					  "%s%.300s: %s", *used ? "; " : "", path, strerror(errno));
		if (*used >= sizeof(c->error))
			*used = sizeof(c->error) - 1;
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MO_MAX_SIZE ||
	    !(buf = malloc((size_t)st.st_size + 1)))
		goto bad;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r <= 0)
			goto bad;
		got += (size_t)r;
	}
	close(fd);
	if (td_mo_parse(&c->mo, buf, got, &err) < 0) {
		snprintf(c->error, sizeof(c->error), "%.300s: %.400s", path, err.msg);
		free(buf);
		*used = strlen(c->error);
		return false;
	}
	return true; /* buf is kept for the process's life */
bad:
	snprintf(c->error, sizeof(c->error), "%.300s: cannot read it (not a file under 16 MiB?)",
		 path);
	*used = strlen(c->error);
	close(fd);
	free(buf);
	return false;
}

/* The directories of td_catalog()'s comment, in order, into dirs[]. */
static size_t locale_dirs(char dirs[][PATH_MAX], size_t max)
{
	const char *env = getenv("TD_LOCALEDIR");
	static const char *const beside[] = { "/locale", "/../locale", "/../share/locale" };
	char exe[PATH_MAX];
	size_t n = 0;
	ssize_t l;

	if (env && *env) {
		snprintf(dirs[n++], PATH_MAX, "%s", env);
		return n; /* only there: a test can point it at nothing */
	}
	l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (l > 0) {
		char *slash;

		exe[l] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]) && n < max; i++)
				if ((size_t)snprintf(dirs[n], PATH_MAX, "%s%s", exe, beside[i]) <
				    PATH_MAX)
					n++;
		}
	}
	if (n < max)
		snprintf(dirs[n++], PATH_MAX, "%s", TD_LOCALEDIR_DEFAULT);
	return n;
}

static struct loaded *slot(const char *locale)
{
	for (size_t i = 0; i < MAX_CATALOGS; i++)
		if (catalogs[i].tried && !strcmp(catalogs[i].locale, locale))
			return &catalogs[i];
	for (size_t i = 0; i < MAX_CATALOGS; i++)
		if (!catalogs[i].tried)
			return &catalogs[i];
	return NULL;
}

const struct td_mo *td_catalog(const char *locale)
{
	char dirs[5][PATH_MAX], lang[32];
	struct loaded *c;
	size_t nd, used = 0;

	if (!locale || !*locale || strlen(locale) >= sizeof(c->locale) || strchr(locale, '/'))
		return NULL;
	c = slot(locale);
	if (!c)
		return NULL;
	if (c->tried)
		return c->ok ? &c->mo : NULL;
	c->tried = true;
	snprintf(c->locale, sizeof(c->locale), "%s", locale);
	snprintf(lang, sizeof(lang), "%.*s", (int)strcspn(locale, "_.@"), locale);
	nd = locale_dirs(dirs, 5);
	for (size_t i = 0; i < nd && !c->ok; i++) {
		const char *names[2] = { locale, strcmp(lang, locale) ? lang : NULL };

		for (size_t k = 0; k < 2 && names[k] && !c->ok; k++) {
			char path[PATH_MAX];

			if (snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo", dirs[i],
				     names[k], TD_TEXT_DOMAIN) < (int)sizeof(path))
				c->ok = load_file(path, c, &used);
		}
	}
	if (c->ok)
		c->error[0] = '\0';
	return c->ok ? &c->mo : NULL;
}

const char *td_catalog_error(const char *locale)
{
	for (size_t i = 0; locale && i < MAX_CATALOGS; i++)
		if (catalogs[i].tried && !strcmp(catalogs[i].locale, locale))
			return catalogs[i].error;
	return "";
}

/* ---- the current language ---- */

static const struct td_mo *current;

bool td_tr_use(const char *locale)
{
	const struct td_mo *mo = locale ? td_catalog(locale) : NULL;

	current = mo;
	return !locale || mo;
}

/* The arguments a printf format takes, one letter class per argument
 * (length modifier folded in), into sig (at most max); -1 when it is not a
 * format we accept (%n, mixed positions, too many). */
static int format_sig(const char *s, char sig[][4], int max)
{
	int n = 0, next = 0, positional = -1;

	memset(sig, 0, sizeof(sig[0]) * (size_t)max);
	for (; *s; s++) {
		char len[3] = "", cls;
		int pos = -1;

		if (*s != '%')
			continue;
		if (*++s == '%')
			continue;
		if (*s >= '1' && *s <= '9') {
			const char *d = s;
			int v = 0;

			while (*d >= '0' && *d <= '9' && v < 100)
				v = v * 10 + (*d++ - '0');
			if (*d == '$') {
				pos = v - 1;
				s = d + 1;
			}
		}
		if (positional == -1)
			positional = pos >= 0;
		else if (positional != (pos >= 0))
			return -1;
		while (strchr("-+ #0'", *s) && *s)
			s++;
		if (*s == '*')
			return -1; /* a width argument: none of ours */
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == '.') {
			s++;
			if (*s == '*')
				return -1;
			while (*s >= '0' && *s <= '9')
				s++;
		}
		for (int k = 0; k < 2 && strchr("hljztLq", *s) && *s; k++)
			len[k] = *s++;
		switch (*s) {
		case 'd':
		case 'i':
			cls = 'd';
			break;
		case 'u':
		case 'o':
		case 'x':
		case 'X':
			cls = 'u';
			break;
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
		case 'a':
		case 'A':
			cls = 'f';
			break;
		case 'c':
		case 's':
		case 'p':
			cls = *s;
			break;
		default:
			return -1;
		}
		if (pos < 0)
			pos = next++;
		if (pos >= max || sig[pos][0])
			return -1;
		snprintf(sig[pos], sizeof(sig[pos]), "%c%s", cls, len);
		if (pos + 1 > n)
			n = pos + 1;
	}
	for (int i = 0; i < n; i++)
		if (!sig[i][0])
			return -1; /* an argument no conversion takes */
	return n;
}

bool td_tr_same_format(const char *a, const char *b)
{
	char sa[16][4], sb[16][4];
	int na = format_sig(a, sa, 16), nb = format_sig(b, sb, 16);

	return na >= 0 && na == nb && !memcmp(sa, sb, sizeof(sa[0]) * (size_t)na);
}

const char *td_tr(const char *msgid)
{
	const char *t = td_mo_get(current, NULL, msgid);

	return t && td_tr_same_format(msgid, t) ? t : msgid;
}

const char *td_tr_text(const char *msgid)
{
	const char *t = td_mo_get(current, NULL, msgid);

	return t ? t : msgid;
}

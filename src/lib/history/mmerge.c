/* Merging expositions; see mmerge.h. */
#include "history/mmerge.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct family {
	char name[160];
	char *help, *type; /* whole lines, or NULL */
	struct td_mbuf samples;
};

struct families {
	struct family *v;
	size_t n, cap;
};

static struct family *fam_get(struct families *f, const char *name, size_t len)
{
	if (len >= sizeof(f->v[0].name))
		len = sizeof(f->v[0].name) - 1;
	for (size_t i = f->n; i-- > 0;)
		if (strlen(f->v[i].name) == len && !memcmp(f->v[i].name, name, len))
			return &f->v[i];
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 64;
		struct family *nv = realloc(f->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		f->v = nv;
		f->cap = ncap;
	}
	memset(&f->v[f->n], 0, sizeof(f->v[0]));
	memcpy(f->v[f->n].name, name, len);
	return &f->v[f->n++];
}

static size_t name_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != '{' && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

/* "# HELP name ..." / "# TYPE name ...": the family, or NULL. */
static struct family *meta_line(struct families *f, const char *line, size_t n, char ***slot)
{
	const char *name;
	size_t nl;

	if (n < 8 || (memcmp(line, "# HELP ", 7) && memcmp(line, "# TYPE ", 7)))
		return NULL;
	name = line + 7;
	nl = name_len(name, n - 7);
	{
		struct family *fam = fam_get(f, name, nl);

		if (fam)
			*slot = line[2] == 'H' ? &fam->help : &fam->type;
		return fam;
	}
}

int td_metrics_merge(const struct td_metrics_part *parts, size_t n, struct td_mbuf *out)
{
	struct families f = { 0 };
	int ret = 0;

	for (size_t p = 0; p < n && !ret; p++) {
		const char *s = parts[p].text, *end = s + parts[p].len;
		struct family *cur = NULL;

		while (s && s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

			if (len && s[0] == '#') {
				char **slot = NULL;
				struct family *fam = meta_line(&f, s, len, &slot);

				if (fam) {
					cur = fam;
					if (!*slot && !(*slot = strndup(s, len)))
						ret = -ENOMEM;
				}
			} else if (len) {
				size_t k = name_len(s, len);
				struct family *fam = cur;

				/* Samples of the current family (its _bucket, _sum...),
				 * else a family of their own. */
				if (!fam || strncmp(s, fam->name, strlen(fam->name)))
					fam = fam_get(&f, s, k);
				if (!fam) {
					ret = -ENOMEM;
					break;
				}
				td_mbuf_printf(&fam->samples, "%.*s{%s", (int)k, s,
					       parts[p].labels ? parts[p].labels : "");
				if (k < len && s[k] == '{')
					td_mbuf_printf(&fam->samples, "%s%.*s\n",
						       s[k + 1] == '}' ? "" : ",",
						       (int)(len - k - 1), s + k + 1);
				else
					td_mbuf_printf(&fam->samples, "}%.*s\n", (int)(len - k),
						       s + k);
				if (fam->samples.oom)
					ret = -ENOMEM;
			}
			s += len + 1;
		}
	}
	for (size_t i = 0; i < f.n; i++) {
		if (!ret) {
			if (f.v[i].help)
				td_mbuf_printf(out, "%s\n", f.v[i].help);
			if (f.v[i].type)
				td_mbuf_printf(out, "%s\n", f.v[i].type);
			if (f.v[i].samples.len)
				td_mbuf_printf(out, "%s", f.v[i].samples.p);
		}
		free(f.v[i].help);
		free(f.v[i].type);
		td_mbuf_free(&f.v[i].samples);
	}
	free(f.v);
	if (!ret && out->oom)
		ret = -ENOMEM;
	return ret;
}

/* ---- summing namespaces into netns="other" ------------------------------------------ */

struct sum_entry {
	size_t fam;
	char *key; /* "name{labels}" or "name" */
	double value;
};

struct sums {
	struct sum_entry *v;
	size_t n, cap;
	size_t *slot; /* index + 1, 0 = empty */
	size_t scap;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static int sums_grow(struct sums *t)
{
	size_t ncap = t->scap ? t->scap * 2 : 1024;
	size_t *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = (size_t)fnv(t->v[i].key, strlen(t->v[i].key)) & (ncap - 1);

		while (ns[h])
			h = (h + 1) & (ncap - 1);
		ns[h] = i + 1;
	}
	free(t->slot);
	t->slot = ns;
	t->scap = ncap;
	return 0;
}

static int sums_add(struct sums *t, size_t fam, const char *key, size_t klen, double v)
{
	size_t h;

	if ((t->n + 1) * 2 > t->scap && sums_grow(t) < 0)
		return -ENOMEM;
	h = (size_t)fnv(key, klen) & (t->scap - 1);
	while (t->slot[h]) {
		struct sum_entry *e = &t->v[t->slot[h] - 1];

		if (strlen(e->key) == klen && !memcmp(e->key, key, klen)) {
			e->value += v;
			return 0;
		}
		h = (h + 1) & (t->scap - 1);
	}
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 256;
		struct sum_entry *nv = realloc(t->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		t->v = nv;
		t->cap = ncap;
	}
	t->v[t->n].fam = fam;
	t->v[t->n].value = v;
	if (!(t->v[t->n].key = strndup(key, klen)))
		return -ENOMEM;
	t->slot[h] = ++t->n;
	return 0;
}

int td_metrics_sum(const struct td_metrics_part *parts, size_t n, struct td_mbuf *out)
{
	struct families f = { 0 };
	struct sums t = { 0 };
	int ret = 0;

	for (size_t p = 0; p < n && !ret; p++) {
		const char *s = parts[p].text, *end = s + parts[p].len;
		struct family *cur = NULL;

		while (s && s < end && !ret) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

			if (len && s[0] == '#') {
				char **slot = NULL;
				struct family *fam = meta_line(&f, s, len, &slot);

				if (fam) {
					cur = fam;
					if (!*slot && !(*slot = strndup(s, len)))
						ret = -ENOMEM;
				}
			} else if (len) {
				/* "name{labels} value": the key is all but the value. */
				const char *sp = s + len;
				char num[64];
				size_t k = name_len(s, len);
				struct family *fam = cur;

				while (sp > s && sp[-1] != ' ')
					sp--;
				if (sp > s && (size_t)(s + len - sp) < sizeof(num)) {
					memcpy(num, sp, (size_t)(s + len - sp));
					num[s + len - sp] = '\0';
					if (!fam || strncmp(s, fam->name, strlen(fam->name)))
						fam = fam_get(&f, s, k);
					if (!fam)
						ret = -ENOMEM;
					else
						ret = sums_add(&t, (size_t)(fam - f.v), s,
							       (size_t)(sp - 1 - s),
							       strtod(num, NULL));
				}
			}
			s += len + 1;
		}
	}
	for (size_t i = 0; i < f.n; i++) {
		if (!ret) {
			if (f.v[i].help)
				td_mbuf_printf(out, "%s\n", f.v[i].help);
			if (f.v[i].type)
				td_mbuf_printf(out, "%s\n", f.v[i].type);
			for (size_t e = 0; e < t.n; e++)
				if (t.v[e].fam == i)
					td_mbuf_printf(out, "%s %.17g\n", t.v[e].key, t.v[e].value);
		}
		free(f.v[i].help);
		free(f.v[i].type);
		td_mbuf_free(&f.v[i].samples);
	}
	for (size_t e = 0; e < t.n; e++)
		free(t.v[e].key);
	free(t.v);
	free(t.slot);
	free(f.v);
	if (!ret && out->oom)
		ret = -ENOMEM;
	return ret;
}

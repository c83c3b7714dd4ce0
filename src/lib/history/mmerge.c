/* Merging expositions; see mmerge.h. */
#include "history/mmerge.h"

#include <errno.h>
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

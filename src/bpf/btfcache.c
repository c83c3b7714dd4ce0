/* A minimized kernel BTF per kernel build, and the "tditer/" section
 * handler that uses it; see btfcache.h. */
#include "bpf/btfcache.h"

#ifdef TD_HAVE_BPF
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpf/load.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"
#define SEC_PREFIX "tditer/"
#define ITER_PREFIX "bpf_iter_"
/* The enum in the minimized BTF that carries what is not a type: the
 * kernel's ids of the attach targets, and the size of the BTF it came from. */
#define META_ENUM "tdc_cache_meta"
#define META_SIZE "tdc_vmlinux_size"
#define FORMAT "tdc-btf-1"
#define MAX_TARGETS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[64]; /* bpf_iter_tcp */
	int id;
} targets[MAX_TARGETS];
static size_t ntargets;

static int target_id(const char *name)
{
	int id = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ntargets; i++)
		if (!strcmp(targets[i].name, name))
			id = targets[i].id;
	pthread_mutex_unlock(&lock);
	return id;
}

static void set_target_id(const char *name, int id)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ntargets; i++) {
		if (!strcmp(targets[i].name, name)) {
			targets[i].id = id;
			pthread_mutex_unlock(&lock);
			return;
		}
	}
	if (ntargets < MAX_TARGETS && strlen(name) < sizeof(targets[0].name)) {
		strcpy(targets[ntargets].name, name);
		targets[ntargets++].id = id;
	}
	pthread_mutex_unlock(&lock);
}

/* "tditer/tcp" -> "bpf_iter_tcp" */
static bool target_of(const char *sec, char *out, size_t n)
{
	if (strncmp(sec, SEC_PREFIX, strlen(SEC_PREFIX)))
		return false;
	return snprintf(out, n, ITER_PREFIX "%s", sec + strlen(SEC_PREFIX)) < (int)n;
}

/* libbpf calls this right before the program's BPF_PROG_LOAD: make it the
 * iterator libbpf's own "iter/" would, with the attach id we know. */
static int prepare_iter(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	char name[64];
	int id;

	(void)cookie;
	if (!target_of(bpf_program__section_name(prog), name, sizeof(name)))
		return -EINVAL;
	id = target_id(name);
	if (id <= 0) { /* no cache in use: the full BTF, as libbpf would */
		struct btf *vm = btf__load_vmlinux_btf();

		if (!vm)
			return -errno;
		id = btf__find_by_name_kind(vm, name, BTF_KIND_FUNC);
		btf__free(vm);
		if (id <= 0)
			return -ESRCH;
		set_target_id(name, id);
	}
	if (bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING) < 0)
		return -EBUSY;
	opts->expected_attach_type = BPF_TRACE_ITER;
	opts->attach_btf_id = (uint32_t)id;
	opts->attach_btf_obj_fd = 0;
	return 0;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int handler_rc;

static void register_handler(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .prog_prepare_load_fn = prepare_iter);

	/* A placeholder type until prepare_iter: a TRACING program would make
	 * libbpf parse the whole kernel BTF for its attach target. */
	handler_rc = libbpf_register_prog_handler(SEC_PREFIX, BPF_PROG_TYPE_SOCKET_FILTER, 0, &ho);
	if (handler_rc > 0)
		handler_rc = 0;
}

int td_btf_handlers(void)
{
	pthread_once(&once, register_handler);
	return handler_rc;
}

/* ---- the key: kernel build id, and the names the object asks for -------------- */

static bool build_id(char *out, size_t n)
{
	unsigned char buf[4096];
	ssize_t len;
	size_t off = 0;
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	while (len > 0 && off + 12 <= (size_t)len) {
		uint32_t namesz, descsz, type;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		size_t name_off = off + 12, desc_off = name_off + ((namesz + 3u) & ~3u);

		if (desc_off + descsz > (size_t)len)
			break;
		if (type == 3 && namesz == 4 && !memcmp(buf + name_off, "GNU", 4) && descsz &&
		    descsz * 2 < n) {
			for (uint32_t i = 0; i < descsz; i++)
				sprintf(out + 2 * i, "%02x", buf[desc_off + i]);
			return true;
		}
		off = desc_off + ((descsz + 3u) & ~3u);
	}
	return false;
}

static bool root_kind(int kind)
{
	return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_ENUM ||
	       kind == BTF_KIND_ENUM64 || kind == BTF_KIND_FWD;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct roots {
	char **name; /* sorted, unique; CO-RE's essential names (no ___flavour) */
	size_t n;
};

static void roots_free(struct roots *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->name[i]);
	free(r->name);
}

static int roots_of(const struct btf *local, struct roots *r)
{
	uint32_t cnt = btf__type_cnt(local);
	size_t k = 0;

	r->n = 0;
	r->name = calloc(cnt, sizeof(*r->name));
	if (!r->name)
		return -ENOMEM;
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(local, id);
		const char *nm = btf__name_by_offset(local, t->name_off), *flavour;

		if (!root_kind(btf_kind(t)) || !nm || !*nm)
			continue;
		flavour = strstr(nm, "___");
		r->name[r->n] = flavour ? strndup(nm, (size_t)(flavour - nm)) : strdup(nm);
		if (!r->name[r->n])
			return -ENOMEM;
		r->n++;
	}
	qsort(r->name, r->n, sizeof(*r->name), cmp_str);
	for (size_t i = 0; i < r->n; i++) {
		if (k && !strcmp(r->name[k - 1], r->name[i])) {
			free(r->name[i]);
			continue;
		}
		r->name[k++] = r->name[i];
	}
	r->n = k;
	return 0;
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ '\n') * 1099511628211ull;
}

/* ---- making the minimized BTF ------------------------------------------------- */

struct mini {
	const struct btf *src;
	struct btf *dst;
	uint32_t *map; /* src id -> dst id (0: not copied yet) */
	int voidptr;   /* the one `void *` every pointer becomes */
};

static struct btf_type *dst_type(struct mini *m, int id)
{
	/* The new type, to point its references at copies; dst is modifiable. */
	return (struct btf_type *)btf__type_by_id(m->dst, (uint32_t)id);
}

/* Copy type id with everything it holds by value (not through pointers). */
static int copy(struct mini *m, uint32_t id, int depth)
{
	const struct btf_type *t;
	int nid, kind;

	if (id == 0)
		return 0;
	if (m->map[id])
		return (int)m->map[id];
	if (depth > 64)
		return -ELOOP;
	t = btf__type_by_id(m->src, id);
	if (!t)
		return -EINVAL;
	kind = btf_kind(t);
	switch (kind) {
	case BTF_KIND_PTR:
		if (!m->voidptr)
			m->voidptr = btf__add_ptr(m->dst, 0);
		nid = m->voidptr;
		break;
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
		nid = btf__add_type(m->dst, m->src, t);
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG: {
		int ref = copy(m, t->type, depth + 1);

		if (ref < 0)
			return ref;
		nid = btf__add_type(m->dst, m->src, t);
		if (nid > 0)
			dst_type(m, nid)->type = (uint32_t)ref;
		break;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		int elem = copy(m, a->type, depth + 1), index;

		if (elem < 0)
			return elem;
		index = copy(m, a->index_type, depth + 1);
		if (index < 0)
			return index;
		nid = btf__add_type(m->dst, m->src, t);
		if (nid > 0) {
			btf_array(dst_type(m, nid))->type = (uint32_t)elem;
			btf_array(dst_type(m, nid))->index_type = (uint32_t)index;
		}
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		uint16_t n = btf_vlen(t);
		int *ref = calloc(n ? n : 1, sizeof(*ref));

		if (!ref)
			return -ENOMEM;
		for (uint16_t i = 0; i < n; i++) {
			ref[i] = copy(m, btf_members(t)[i].type, depth + 1);
			if (ref[i] < 0) {
				int rc = ref[i];

				free(ref);
				return rc;
			}
		}
		nid = btf__add_type(m->dst, m->src, t);
		if (nid > 0)
			for (uint16_t i = 0; i < n; i++)
				btf_members(dst_type(m, nid))[i].type = (uint32_t)ref[i];
		free(ref);
		break;
	}
	default: /* functions, variables, sections: never held by value */
		return -EINVAL;
	}
	if (nid <= 0)
		return nid < 0 ? nid : -EINVAL;
	m->map[id] = (uint32_t)nid;
	return nid;
}

/* Every kernel type named as one of the roots (all candidates: CO-RE
 * considers each type of that name and kind), and the meta enum. */
static struct btf *minimize(const struct btf *vm, const struct roots *r, char tnames[][64],
			    size_t nt, uint32_t vmsize)
{
	struct mini m = { .src = vm };
	uint32_t cnt = btf__type_cnt(vm);
	int meta, rc = 0;

	m.dst = btf__new_empty();
	m.map = calloc(cnt, sizeof(*m.map));
	if (!m.dst || !m.map)
		goto fail;
	for (uint32_t id = 1; id < cnt && rc >= 0; id++) {
		const struct btf_type *t = btf__type_by_id(vm, id);
		const char *nm;

		if (!root_kind(btf_kind(t)) || !t->name_off)
			continue;
		nm = btf__name_by_offset(vm, t->name_off);
		if (nm && bsearch(&nm, r->name, r->n, sizeof(*r->name), cmp_str))
			rc = copy(&m, id, 0);
	}
	if (rc < 0)
		goto fail;
	meta = btf__add_enum(m.dst, META_ENUM, 4);
	if (meta < 0 || btf__add_enum_value(m.dst, META_SIZE, (int64_t)vmsize) < 0)
		goto fail;
	for (size_t i = 0; i < nt; i++) {
		int id = btf__find_by_name_kind(vm, tnames[i], BTF_KIND_FUNC);

		if (id <= 0 || btf__add_enum_value(m.dst, tnames[i], id) < 0)
			goto fail;
	}
	free(m.map);
	return m.dst;
fail:
	free(m.map);
	btf__free(m.dst);
	return NULL;
}

/* ---- the cache directory ------------------------------------------------------ */

/* A directory we own and nobody else may write: created if missing. */
static bool safe_dir(const char *path, bool create)
{
	struct stat st;

	if (create && mkdir(path, geteuid() == 0 ? 0755 : 0700) < 0 && errno != EEXIST)
		return false;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	return st.st_uid == geteuid() && !(st.st_mode & 022);
}

static bool cache_dir(char *out, size_t n)
{
	const char *env = getenv("TD_BTF_CACHE"), *base;
	char parent[400];

	if (env && !strcmp(env, "off"))
		return false;
	if (env && *env)
		return snprintf(out, n, "%s", env) < (int)n && safe_dir(out, true);
	if (geteuid() == 0) {
		if (!safe_dir("/var/cache/tcpdoctor", true))
			return false;
		return snprintf(out, n, "/var/cache/tcpdoctor/btf") < (int)n && safe_dir(out, true);
	}
	base = getenv("XDG_CACHE_HOME");
	if (base && *base == '/') {
		snprintf(parent, sizeof(parent), "%s", base);
	} else {
		base = getenv("HOME");
		if (!base || *base != '/' ||
		    snprintf(parent, sizeof(parent), "%s/.cache", base) >= (int)sizeof(parent))
			return false;
	}
	if (!safe_dir(parent, true))
		return false;
	if (snprintf(out, n, "%s/tcpdoctor", parent) >= (int)n || !safe_dir(out, true))
		return false;
	return strlen(out) + 4 < n && strcat(out, "/btf") && safe_dir(out, true);
}

/* The cache file, if it is ours, a regular file and not writable by others. */
static int open_cached(const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read back the meta enum: the BTF must have come from a kernel BTF of this
 * size and name every target; their ids go to the table. */
static bool check_meta(int fd, char tnames[][64], size_t nt, uint32_t vmsize)
{
	char path[40];
	struct btf *b;
	const struct btf_type *t;
	int id, got = 0;
	bool size_ok = false;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	b = btf__parse_raw(path);
	if (!b)
		return false;
	id = btf__find_by_name_kind(b, META_ENUM, BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(b, (uint32_t)id) : NULL;
	for (uint16_t i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;
		const char *nm = btf__name_by_offset(b, e->name_off);

		if (!nm)
			continue;
		if (!strcmp(nm, META_SIZE)) {
			size_ok = (uint32_t)e->val == vmsize;
			continue;
		}
		for (size_t k = 0; k < nt; k++) {
			if (!strcmp(nm, tnames[k]) && e->val > 0) {
				set_target_id(nm, e->val);
				got++;
			}
		}
	}
	btf__free(b);
	return size_ok && got == (int)nt;
}

static int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Make the minimized BTF from the full one: into the cache (write a
 * temporary file, rename) when there is one, else into a memfd for this
 * run alone. Returns a readable fd or -1. */
static int make(const struct roots *r, char tnames[][64], size_t nt, uint32_t vmsize,
		const char *dir, const char *file)
{
	struct btf *vm = btf__load_vmlinux_btf(), *mb;
	const void *raw;
	uint32_t size;
	char tmp[600];
	int fd = -1;

	if (!vm)
		return -1;
	mb = minimize(vm, r, tnames, nt, vmsize);
	for (size_t i = 0; i < nt; i++) /* the ids, whatever happens to the file */
		set_target_id(tnames[i], btf__find_by_name_kind(vm, tnames[i], BTF_KIND_FUNC));
	btf__free(vm);
	if (!mb)
		return -1;
	raw = btf__raw_data(mb, &size);
	if (dir && raw && snprintf(tmp, sizeof(tmp), "%s/.new-XXXXXX", dir) < (int)sizeof(tmp)) {
		fd = mkstemp(tmp);
		if (fd >= 0 && (fchmod(fd, 0644) < 0 || write_all(fd, raw, size) < 0 ||
				rename(tmp, file) < 0)) {
			unlink(tmp);
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0 && raw) {
		fd = memfd_create("tdc-btf", MFD_CLOEXEC);
		if (fd >= 0 && write_all(fd, raw, size) < 0) {
			close(fd);
			fd = -1;
		}
	}
	btf__free(mb);
	return fd;
}

bool td_btf_prepare(struct bpf_object *probe, const char *name, struct bpf_object_open_opts *opts,
		    struct td_btf_use *u)
{
	char tnames[MAX_TARGETS][64], bid[128], dir[450];
	const struct btf *local = bpf_object__btf(probe);
	struct bpf_program *prog;
	struct roots r = { 0 };
	struct stat st;
	size_t nt = 0;
	uint64_t h = fnv(14695981039346656037ull, FORMAT);
	bool have_dir;

	u->fd = -1;
	u->file[0] = '\0';
	if (!local || td_btf_handlers() < 0 || stat(VMLINUX, &st) < 0 ||
	    !build_id(bid, sizeof(bid)))
		return false;
	{
		const char *env = getenv("TD_BTF_CACHE");

		if (env && !strcmp(env, "off"))
			return false;
	}
	bpf_object__for_each_program(prog, probe)
	{
		bool seen = false;

		if (nt >= MAX_TARGETS ||
		    !target_of(bpf_program__section_name(prog), tnames[nt], 64))
			continue;
		/* Two programs on one target (owners: the walk and the count)
		 * need its id once: a repeated name made the cache look stale. */
		for (size_t k = 0; k < nt; k++)
			seen = seen || !strcmp(tnames[k], tnames[nt]);
		if (!seen)
			h = fnv(h, tnames[nt++]);
	}
	if (roots_of(local, &r) < 0) {
		roots_free(&r);
		return false;
	}
	for (size_t i = 0; i < r.n; i++)
		h = fnv(h, r.name[i]);
	have_dir = cache_dir(dir, sizeof(dir));
	if (have_dir && snprintf(u->file, sizeof(u->file), "%s/%s-%s-%016llx.btf", dir, bid, name,
				 (unsigned long long)h) >= (int)sizeof(u->file))
		have_dir = false;
	if (have_dir) {
		u->fd = open_cached(u->file);
		if (u->fd >= 0 && !check_meta(u->fd, tnames, nt, (uint32_t)st.st_size)) {
			close(u->fd);
			u->fd = -1; /* stale or foreign: made anew below */
		}
	}
	if (u->fd < 0) {
		u->fd = make(&r, tnames, nt, (uint32_t)st.st_size, have_dir ? dir : NULL,
			     have_dir ? u->file : NULL);
		if (u->fd >= 0 && !have_dir)
			u->file[0] = '\0';
	}
	roots_free(&r);
	if (u->fd < 0)
		return false;
	snprintf(u->path, sizeof(u->path), "/proc/self/fd/%d", u->fd);
	opts->btf_custom_path = u->path;
	return true;
}

void td_btf_reject(struct td_btf_use *u)
{
	if (u->file[0])
		unlink(u->file);
	/* the ids may have come from it too */
	pthread_mutex_lock(&lock);
	ntargets = 0;
	pthread_mutex_unlock(&lock);
}

void td_btf_done(struct td_btf_use *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

int td_btf_open_load(const struct td_btf_skel *k, void *arg, void **out, const char **step,
		     uint64_t ns[2])
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct td_btf_use u = { .fd = -1 };
	uint64_t t0 = td_bpf_now_ns(), t1;
	bool mini;
	void *skel;
	int rc;

	*out = NULL;
	if (td_btf_handlers() < 0) {
		*step = "registering the iterator section";
		return -EINVAL;
	}
	/* Opened once without options: its own BTF names the kernel types
	 * it reads, which is what the minimized BTF keeps. */
	skel = k->open(NULL, arg);
	if (!skel) {
		*step = "opening the program";
		return -errno;
	}
	mini = td_btf_prepare(k->obj(skel), k->name, &oo, &u);
	k->destroy(skel);
	skel = k->open(&oo, arg);
	if (!skel && mini) {
		td_btf_reject(&u);
		mini = false;
		skel = k->open(NULL, arg);
	}
	if (!skel) {
		rc = -errno;
		td_btf_done(&u);
		*step = "opening the program";
		return rc;
	}
	t1 = td_bpf_now_ns();
	rc = k->load(skel);
	if (rc < 0 && mini) {
		k->destroy(skel);
		td_btf_reject(&u);
		skel = k->open(NULL, arg);
		rc = skel ? k->load(skel) : -errno;
	}
	td_btf_done(&u);
	if (ns) {
		ns[0] = t1 - t0;
		ns[1] = td_bpf_now_ns() - t1;
	}
	if (rc < 0) {
		if (skel)
			k->destroy(skel);
		*step = "loading";
		return rc;
	}
	*out = skel;
	return 0;
}
#endif

/* Socket owners: one walk of /proc/PID/fd into an open-addressing hash keyed
 * by socket inode, owner records carved from chunks so that freeing is cheap.
 * Built for 200k sockets in well under a second: dir fds + openat/readlinkat,
 * no per-fd path building, no stdio, a hand-written inode parser. */
#include "sockets/owners.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef TD_HAVE_BPF
#include "bpf/tdbpf.h"
#endif

#define OWNERS_MIN_SLOTS 64
#define OWNERS_CHUNK 1024 /* owner records per arena chunk */

/* PF_KTHREAD from include/linux/sched.h: flags field 9 of /proc/PID/stat. */
#define PF_KTHREAD 0x00200000u

/* 16 bytes a socket (a million sockets fill a table of 2M slots): the
 * wanted flag is bit 0 of the list pointer (records are 8-byte aligned),
 * and the list's tail is found by walking it (one or a few owners; a
 * pre-fork server's listener has one per worker). */
struct owner_slot {
	uint64_t key;	/* the inode; 0: empty (inode 0 is never wanted) */
	uintptr_t head; /* owners in discovery order | SLOT_WANTED */
};

#define SLOT_WANTED ((uintptr_t)1)
_Static_assert(_Alignof(struct td_owner) > 1, "bit 0 of a record's address is free");

static uint64_t slot_inode(const struct owner_slot *s)
{
	return s->key;
}

static bool slot_wanted(const struct owner_slot *s)
{
	return s->head & SLOT_WANTED;
}

static struct td_owner *slot_head(const struct owner_slot *s)
{
	return (struct td_owner *)(s->head & ~SLOT_WANTED);
}

static void slot_set_head(struct owner_slot *s, struct td_owner *w)
{
	s->head = (uintptr_t)w | (s->head & SLOT_WANTED);
}

static struct td_owner *slot_tail(const struct owner_slot *s)
{
	struct td_owner *w = slot_head(s);

	while (w && w->next)
		w = (struct td_owner *)w->next;
	return w;
}

struct owner_chunk {
	struct owner_chunk *next;
	size_t used;
	struct td_owner rec[OWNERS_CHUNK];
};

struct td_owners {
	struct owner_slot *slots;
	size_t cap;  /* power of two */
	size_t used; /* occupied slots */
	size_t nwanted;
	size_t nfound; /* wanted inodes with at least one owner */
	size_t unreadable;
	bool complete;			/* walk every process, even when all are found */
	struct owner_chunk *chunks;	/* newest first */
	const struct td_owners *shared; /* resolved through td_owners_share()'s table */
};

/* td_owners_share(): one complete walk that later resolves look up. */
static const struct td_owners *shared_walk;

/* What the walk knows about the process it is in; comm and uid are read
 * lazily, once, and only if the process owns a recorded socket. */
struct proc_ctx {
	int dirfd; /* /proc/PID, pins this very process */
	pid_t pid;
	bool have_info;
	uid_t uid;
	char comm[16];
};

/* splitmix64 finaliser: socket inodes are consecutive integers, so they need
 * real mixing before linear probing. */
static size_t inode_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

static struct owner_slot *slot_find(const struct td_owners *o, uint64_t inode)
{
	size_t mask = o->cap - 1;
	size_t i = inode_hash(inode) & mask;

	for (;;) {
		struct owner_slot *s = &o->slots[i];

		if (s->key == inode)
			return s;
		if (!s->key)
			return NULL;
		i = (i + 1) & mask;
	}
}

/* Place an existing slot into a fresh table (no duplicates possible). */
static void slot_place(struct owner_slot *slots, size_t cap, const struct owner_slot *src)
{
	size_t mask = cap - 1;
	size_t i = inode_hash(slot_inode(src)) & mask;

	while (slots[i].key)
		i = (i + 1) & mask;
	slots[i] = *src;
}

static int table_grow(struct td_owners *o)
{
	size_t ncap = o->cap * 2;
	struct owner_slot *ns;
	size_t i;

	if (ncap < o->cap)
		return -ENOMEM;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < o->cap; i++)
		if (o->slots[i].key)
			slot_place(ns, ncap, &o->slots[i]);
	free(o->slots);
	o->slots = ns;
	o->cap = ncap;
	return 0;
}

/* Find or add the slot for inode (not 0); NULL only when out of memory. */
static struct owner_slot *slot_get(struct td_owners *o, uint64_t inode)
{
	struct owner_slot *s = slot_find(o, inode);
	size_t mask, i;

	if (s)
		return s;
	/* Keep the load under 3/4 so that probe runs stay short. */
	if ((o->used + 1) * 4 > o->cap * 3 && table_grow(o))
		return NULL;
	mask = o->cap - 1;
	i = inode_hash(inode) & mask;
	while (o->slots[i].key)
		i = (i + 1) & mask;
	s = &o->slots[i];
	s->key = inode;
	o->used++;
	return s;
}

static struct td_owner *owner_alloc(struct td_owners *o)
{
	struct owner_chunk *c = o->chunks;

	if (!c || c->used == OWNERS_CHUNK) {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = o->chunks;
		c->used = 0;
		o->chunks = c;
	}
	return &c->rec[c->used++];
}

static void chunks_free(struct td_owners *o)
{
	struct owner_chunk *c = o->chunks;

	while (c) {
		struct owner_chunk *next = c->next;

		free(c);
		c = next;
	}
	o->chunks = NULL;
}

struct td_owners *td_owners_new(void)
{
	struct td_owners *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->cap = OWNERS_MIN_SLOTS;
	o->slots = calloc(o->cap, sizeof(*o->slots));
	if (!o->slots) {
		free(o);
		return NULL;
	}
	return o;
}

void td_owners_free(struct td_owners *o)
{
	if (!o)
		return;
	chunks_free(o);
	free(o->slots);
	free(o);
}

int td_owners_want(struct td_owners *o, uint64_t inode)
{
	struct owner_slot *s;

	if (!o)
		return -EINVAL;
	if (!inode)
		return 0;
	s = slot_get(o, inode);
	if (!s)
		return -ENOMEM;
	if (slot_wanted(s))
		return 0;
	s->head |= SLOT_WANTED;
	o->nwanted++;
	/* Already recorded by an earlier want_all walk. */
	if (slot_head(s))
		o->nfound++;
	return 0;
}

const struct td_owner *td_owners_get(const struct td_owners *o, uint64_t inode)
{
	const struct owner_slot *s;

	if (!o || !inode)
		return NULL;
	if (o->shared)
		o = o->shared;
	s = slot_find(o, inode);
	return s ? slot_head(s) : NULL;
}

void td_owners_set_complete(struct td_owners *o, bool complete)
{
	if (o)
		o->complete = complete;
}

void td_owners_share(const struct td_owners *all)
{
	shared_walk = all;
}

size_t td_owners_unreadable(const struct td_owners *o)
{
	return o ? o->unreadable : 0;
}

size_t td_owners_missing(const struct td_owners *o)
{
	return o ? o->nwanted - o->nfound : 0;
}

/* "socket:[12345]" -> 12345; 0 for anything else (pipes, files, anon inodes,
 * truncated or malformed links, values beyond 64 bits). */
static uint64_t parse_socket_link(const char *s, size_t n)
{
	static const char prefix[] = "socket:[";
	const size_t plen = sizeof(prefix) - 1;
	uint64_t v = 0;
	size_t i;

	if (n < plen + 2 || s[n - 1] != ']' || memcmp(s, prefix, plen))
		return 0;
	for (i = plen; i < n - 1; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9)
			return 0;
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	return v;
}

/* Read up to len - 1 bytes of a small proc file under dirfd, NUL-terminated.
 * Returns the length or -1. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t len)
{
	size_t got = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (got < len - 1) {
		ssize_t r = read(fd, buf + got, len - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return got ? (ssize_t)got : -1;
}

/* Real uid from the "Uid:\treal\teffective\tsaved\tfs" line of status. */
static bool status_real_uid(int dirfd, uid_t *uid)
{
	char buf[4096];
	const char *p;
	uint64_t v = 0;
	bool digits = false;

	if (read_small(dirfd, "status", buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "\nUid:");
	if (!p)
		return false;
	p += 5;
	while (*p == '\t' || *p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return false;
		digits = true;
	}
	if (!digits)
		return false;
	*uid = (uid_t)v;
	return true;
}

static void proc_info_load(struct proc_ctx *pc)
{
	char buf[64];
	ssize_t n;
	struct stat st;

	pc->have_info = true;
	pc->comm[0] = '\0';
	/* comm may hold any byte but NUL (prctl PR_SET_NAME), spaces and
	 * newlines included; only the kernel's trailing newline is dropped. */
	n = read_small(pc->dirfd, "comm", buf, sizeof(buf));
	if (n > 0) {
		if (buf[n - 1] == '\n')
			n--;
		if (n > (ssize_t)sizeof(pc->comm) - 1)
			n = sizeof(pc->comm) - 1;
		memcpy(pc->comm, buf, (size_t)n);
		pc->comm[n] = '\0';
	}
	if (status_real_uid(pc->dirfd, &pc->uid))
		return;
	/* The /proc/PID directory belongs to the effective uid: second best. */
	if (fstat(pc->dirfd, &st) == 0)
		pc->uid = st.st_uid;
	else
		pc->uid = (uid_t)-1;
}

/* A process may hold one socket on several fds (dup); the list is of
 * processes, so it keeps the lowest of them. A process's fds are all walked
 * before the next process, so its record, if any, is the tail. */
static int record_owner(struct td_owners *o, struct owner_slot *s, struct proc_ctx *pc, int fd)
{
	struct td_owner *w, *tail = slot_tail(s);

	if (tail && tail->pid == pc->pid) {
		if (fd < tail->fd)
			tail->fd = fd;
		return 0;
	}
	if (!pc->have_info)
		proc_info_load(pc);
	w = owner_alloc(o);
	if (!w)
		return -ENOMEM;
	w->pid = pc->pid;
	w->uid = pc->uid;
	w->fd = fd;
	memcpy(w->comm, pc->comm, sizeof(w->comm));
	w->next = NULL;
	if (tail)
		tail->next = w;
	else
		slot_set_head(s, w);
	if (slot_wanted(s) && slot_head(s) == w)
		o->nfound++;
	return 0;
}

static bool parse_fd_name(const char *s, int *fd)
{
	int v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (*s - '0');
	}
	*fd = v;
	return true;
}

/* Kernel threads and zombies have no fds: an EACCES on their fd directory
 * hides nothing, so they are not counted as unreadable. stat is world
 * readable; state is the field after "(comm)", flags the seventh. */
static bool proc_has_no_fds(int dirfd)
{
	char buf[1024];
	const char *p;
	unsigned long flags;
	int field;

	if (read_small(dirfd, "stat", buf, sizeof(buf)) < 0)
		return false;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return false;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return true;
	for (field = 3; field < 9; field++) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
	}
	flags = strtoul(p, NULL, 10);
	return flags & PF_KTHREAD;
}

static char *pid_name(pid_t pid, char *end)
{
	unsigned long v = (unsigned long)pid;

	*--end = '\0';
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* Socket fds found in one process: (inode, fd) pairs, collected without
 * touching the shared table so that several threads can walk at once. */
struct hit {
	uint64_t inode;
	int fd;
};

struct hits {
	struct hit *v;
	size_t n, cap;
};

static int hits_add(struct hits *h, uint64_t inode, int fd)
{
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 256;
		struct hit *nv = realloc(h->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		h->v = nv;
		h->cap = ncap;
	}
	h->v[h->n++] = (struct hit){ inode, fd };
	return 0;
}

/* Read one process's socket fds into h. Leaves pc->dirfd open (closed by the
 * caller) for the lazy comm/uid read. *hidden is set when the process could
 * not be read. Returns 0 or -ENOMEM; everything a vanishing or unreadable
 * process does to us is absorbed here. */
static int scan_fds(int procfd, const char *name, struct proc_ctx *pc, struct hits *h, bool *hidden)
{
	char link[64];
	struct dirent *de;
	DIR *d;
	int fdd, ret = 0;

	h->n = 0;
	*hidden = false;
	pc->dirfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pc->dirfd < 0)
		return 0; /* gone (ENOENT/ESRCH) or not a process */
	fdd = openat(pc->dirfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0) {
		if ((errno == EACCES || errno == EPERM) && !proc_has_no_fds(pc->dirfd))
			*hidden = true;
		return 0;
	}
	d = fdopendir(fdd);
	if (!d) {
		close(fdd);
		return errno == ENOMEM ? -ENOMEM : 0;
	}
	while ((de = readdir(d))) {
		uint64_t inode;
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(fdd, de->d_name, link, sizeof(link));
		if (n < 0) {
			/* An fd closed under us is normal; a ptrace check
			 * refusing us means the whole process is hidden. */
			if (errno == EACCES || errno == EPERM) {
				*hidden = true;
				break;
			}
			continue;
		}
		inode = parse_socket_link(link, (size_t)n);
		if (!inode || !parse_fd_name(de->d_name, &fd))
			continue;
		ret = hits_add(h, inode, fd);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

/* Record one process's hits in the table (under the walk's lock). */
static int merge_hits(struct td_owners *o, struct proc_ctx *pc, const struct hits *h, bool hidden,
		      bool want_all)
{
	int ret = 0;

	if (hidden)
		o->unreadable++;
	for (size_t i = 0; i < h->n && !ret; i++) {
		struct owner_slot *s;

		s = want_all ? slot_get(o, h->v[i].inode) : slot_find(o, h->v[i].inode);
		if (!s) {
			if (want_all)
				ret = -ENOMEM;
			continue;
		}
		ret = record_owner(o, s, pc, h->v[i].fd);
	}
	return ret;
}

static bool all_found(const struct td_owners *o, bool want_all)
{
	return !want_all && !o->complete && o->nfound == o->nwanted;
}

/* The walk: a list of pids shared by worker threads. readlinkat() costs ~2 µs
 * of kernel time per fd, nearly all of the walk, and it scales with cores, so
 * at 200k sockets two threads take the walk from ~0.85 s to ~0.5 s. Threads
 * take pids from a shared counter; each reads a process's fds alone, then
 * merges them under the lock. Owner lists are sorted by pid at the end, so the
 * result does not depend on which thread came first. */
struct walk {
	struct td_owners *o;
	int procfd;
	const pid_t *pids;
	size_t npids;
	bool want_all;
	size_t next; /* next pid index, under lock */
	bool stop;   /* all found, or an error */
	int ret;
	pthread_mutex_t lock;
};

static void *walk_worker(void *arg)
{
	struct walk *w = arg;
	struct hits h = { 0 };

	for (;;) {
		struct proc_ctx pc = { 0 };
		char buf[24];
		bool hidden;
		size_t i;
		int ret;

		pthread_mutex_lock(&w->lock);
		if (w->stop || w->next >= w->npids) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		i = w->next++;
		pthread_mutex_unlock(&w->lock);

		pc.pid = w->pids[i];
		ret = scan_fds(w->procfd, pid_name(pc.pid, buf + sizeof(buf)), &pc, &h, &hidden);
		pthread_mutex_lock(&w->lock);
		if (!ret)
			ret = merge_hits(w->o, &pc, &h, hidden, w->want_all);
		if (ret && !w->ret)
			w->ret = ret;
		if (ret || all_found(w->o, w->want_all))
			w->stop = true;
		pthread_mutex_unlock(&w->lock);
		if (pc.dirfd > 0)
			close(pc.dirfd);
	}
	free(h.v);
	return NULL;
}

#define WALK_MAX_THREADS 4
/* Below this many processes a second thread costs more than it saves. */
#define WALK_MIN_PIDS_PER_THREAD 16

static int walk_pids(struct td_owners *o, int procfd, const pid_t *pids, size_t npids,
		     bool want_all)
{
	struct walk w = {
		.o = o, .procfd = procfd, .pids = pids, .npids = npids, .want_all = want_all
	};
	pthread_t tid[WALK_MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus > 0 ? (size_t)cpus : 1, started = 0;

	if (nthreads > WALK_MAX_THREADS)
		nthreads = WALK_MAX_THREADS;
	if (nthreads > npids / WALK_MIN_PIDS_PER_THREAD)
		nthreads = npids / WALK_MIN_PIDS_PER_THREAD;
	pthread_mutex_init(&w.lock, NULL);
	/* Extra threads are a speed-up only: if one cannot start, the others
	 * (and this one) do its share. */
	for (size_t t = 1; t < nthreads; t++)
		if (pthread_create(&tid[started], NULL, walk_worker, &w) == 0)
			started++;
	walk_worker(&w);
	for (size_t t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&w.lock);
	return w.ret;
}

/* Owner lists in pid order, whatever order the threads merged them in. */
static void sort_owner_lists(struct td_owners *o)
{
	for (size_t i = 0; i < o->cap; i++) {
		struct owner_slot *s = &o->slots[i];
		struct td_owner *sorted = NULL, *w, *nx;

		if (!slot_head(s) || !slot_head(s)->next)
			continue;
		for (w = slot_head(s); w; w = nx) {
			struct td_owner **pp = &sorted;

			nx = (struct td_owner *)w->next;
			while (*pp && (*pp)->pid < w->pid)
				pp = (struct td_owner **)&(*pp)->next;
			w->next = *pp;
			*pp = w;
		}
		slot_set_head(s, sorted);
	}
}

/* Second resolve: forget the owners of the first, keep what is wanted. */
static void owners_reset(struct td_owners *o)
{
	size_t i;

	for (i = 0; i < o->cap; i++)
		slot_set_head(&o->slots[i], NULL);
	chunks_free(o);
	o->nfound = 0;
	o->unreadable = 0;
}

static bool parse_pid_name(const char *s, pid_t *pid)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (!v)
		return false;
	*pid = (pid_t)v;
	return true;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Sorted, deduplicated positive pids into a new array (*n of them). */
static pid_t *pids_sorted(const pid_t *pids, size_t npids, size_t *n)
{
	pid_t *sorted = malloc(npids * sizeof(*sorted));

	*n = 0;
	if (!sorted)
		return NULL;
	memcpy(sorted, pids, npids * sizeof(*sorted));
	qsort(sorted, npids, sizeof(*sorted), cmp_pid);
	for (size_t i = 0; i < npids; i++)
		if (sorted[i] > 0 && (!*n || sorted[i] != sorted[*n - 1]))
			sorted[(*n)++] = sorted[i];
	return sorted;
}

static int resolve_pids(struct td_owners *o, int procfd, bool want_all, const pid_t *pids,
			size_t npids, struct td_err *err)
{
	pid_t *sorted;
	size_t n;
	int ret;

	/* Sorted and deduplicated, so each process is walked once and in the
	 * same order a /proc walk would take. */
	sorted = pids_sorted(pids, npids, &n);
	if (!sorted)
		return td_err_set(err, -ENOMEM, "owners: out of memory for %zu pids", npids);
	ret = walk_pids(o, procfd, sorted, n, want_all);
	free(sorted);
	return ret;
}

static int resolve_all(struct td_owners *o, int procfd, const char *procdir, bool want_all,
		       struct td_err *err)
{
	struct dirent *de;
	pid_t *pids = NULL;
	size_t npids = 0, cap = 0;
	DIR *d;
	int dupfd, ret = 0;

	dupfd = fcntl(procfd, F_DUPFD_CLOEXEC, 0);
	if (dupfd < 0)
		return td_err_set(err, -errno, "owners: cannot reopen %s: %s", procdir,
				  strerror(errno));
	d = fdopendir(dupfd);
	if (!d) {
		ret = -errno;
		close(dupfd);
		return td_err_set(err, ret, "owners: cannot list %s: %s", procdir, strerror(-ret));
	}
	for (;;) {
		pid_t pid;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = td_err_set(err, -errno, "owners: reading %s: %s", procdir,
						 strerror(errno));
			break;
		}
		if (!parse_pid_name(de->d_name, &pid))
			continue; /* "self", "net", "sys", ... */
		if (npids == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			pid_t *np = realloc(pids, ncap * sizeof(*np));

			if (!np) {
				ret = td_err_set(err, -ENOMEM, "owners: out of memory");
				break;
			}
			pids = np;
			cap = ncap;
		}
		pids[npids++] = pid;
	}
	closedir(d);
	/* /proc lists processes in pid order; keep it (early stop follows it). */
	if (!ret)
		ret = walk_pids(o, procfd, pids, npids, want_all);
	free(pids);
	return ret;
}

/* TD_OWNERS=proc|bpf forces one walk (tests, benchmarks); unset or
 * anything else: BPF when it loads, else /proc. */
enum owners_mode { OWNERS_AUTO, OWNERS_PROC, OWNERS_BPF };

static enum owners_mode owners_mode(void)
{
	const char *v = getenv("TD_OWNERS");

	if (v && !strcmp(v, "proc"))
		return OWNERS_PROC;
	if (v && !strcmp(v, "bpf"))
		return OWNERS_BPF;
	return OWNERS_AUTO;
}

#ifdef TD_HAVE_BPF
/* The walk inside the kernel (src/bpf/owners.bpf.c): processes arrive in pid
 * order, each with all its socket fds, so the table is filled exactly as a
 * one-thread /proc walk fills it, comm and uid included. */
struct bpf_walk {
	struct td_owners *o;
	bool want_all;
	const pid_t *pids; /* sorted, or NULL for every process */
	size_t npids;
	bool in_pids; /* pc.pid passes the pid filter */
	struct proc_ctx pc;
};

/* td_bpf_owners() callback: stopping is a positive return, errors negative. */
static int bpf_owner_cb(const struct td_bpf_owner *w, void *arg)
{
	struct bpf_walk *bw = arg;
	struct owner_slot *s;
	int ret;

	if (w->pid != bw->pc.pid) {
		bw->pc.pid = w->pid;
		bw->pc.uid = w->uid;
		memcpy(bw->pc.comm, w->comm, sizeof(bw->pc.comm));
		bw->pc.have_info = true;
		bw->in_pids = !bw->pids ||
			      bsearch(&bw->pc.pid, bw->pids, bw->npids, sizeof(*bw->pids), cmp_pid);
	}
	if (!bw->in_pids)
		return 0;
	s = bw->want_all ? slot_get(bw->o, w->inode) : slot_find(bw->o, w->inode);
	if (!s)
		return bw->want_all ? -ENOMEM : 0;
	ret = record_owner(bw->o, s, &bw->pc, w->fd);
	if (!ret && all_found(bw->o, bw->want_all))
		return 1;
	return ret;
}

static int resolve_bpf(struct td_owners *o, bool want_all, const pid_t *pids, size_t npids,
		       struct td_err *err)
{
	struct bpf_walk bw = { .o = o, .want_all = want_all, .pc.pid = -1 };
	uint64_t *inodes = NULL;
	pid_t *sorted = NULL;
	size_t n = 0;
	int ret;

	if (pids && npids) {
		sorted = pids_sorted(pids, npids, &bw.npids);
		if (!sorted)
			return td_err_set(err, -ENOMEM, "owners: out of memory for %zu pids",
					  npids);
		bw.pids = sorted;
	}
	if (!want_all) {
		/* The wanted set, for the kernel to leave out every other socket. */
		inodes = malloc(o->nwanted * sizeof(*inodes));
		if (!inodes) {
			free(sorted);
			return td_err_set(err, -ENOMEM, "owners: out of memory");
		}
		for (size_t i = 0; i < o->cap; i++)
			if (slot_wanted(&o->slots[i]))
				inodes[n++] = slot_inode(&o->slots[i]);
	}
	ret = td_bpf_owners(inodes, n, bpf_owner_cb, &bw, err);
	if (ret > 0)
		ret = 0; /* all found: stopped early */
	free(inodes);
	free(sorted);
	return ret;
}
#endif

/* The BPF walk, when built in, for the live /proc only (a fake procdir is a
 * test's). Returns 1 when the /proc walk should run instead. */
static int resolve_kernel(struct td_owners *o, const char *procdir, bool want_all,
			  const pid_t *pids, size_t npids, struct td_err *err)
{
	enum owners_mode mode = owners_mode();
	int ret;

	if (procdir || mode == OWNERS_PROC)
		return 1;
#ifdef TD_HAVE_BPF
	ret = resolve_bpf(o, want_all, pids, npids, mode == OWNERS_BPF ? err : NULL);
	if (!ret) {
		sort_owner_lists(o);
		return 0;
	}
	if (mode == OWNERS_BPF) {
		if (ret == -ENOMEM)
			td_err_set(err, ret, "owners: out of memory after %zu sockets", o->used);
		return ret;
	}
	/* Not root, no BTF, an old kernel: the /proc walk, from scratch. */
	owners_reset(o);
	return 1;
#else
	(void)o;
	(void)want_all;
	(void)pids;
	(void)npids;
	ret = 1;
	if (mode == OWNERS_BPF)
		ret = td_err_set(
			err, -TD_EUNSUPP,
			"owners: TD_OWNERS=bpf, but this tcpdoctor was built without eBPF");
	return ret;
#endif
}

int td_owners_resolve(struct td_owners *o, const char *procdir, bool want_all, const pid_t *pids,
		      size_t npids, struct td_err *err)
{
	int procfd, ret;

	if (!o)
		return td_err_set(err, -EINVAL, "owners: no owner table");
	owners_reset(o);
	o->shared = NULL;
	if (!want_all && !o->nwanted)
		return 0;
	if (shared_walk && shared_walk != o && !procdir && !(pids && npids)) {
		/* The table a complete walk made before: look up, do not walk. */
		o->shared = shared_walk;
		o->unreadable = shared_walk->unreadable;
		for (size_t i = 0; i < o->cap; i++)
			if (slot_wanted(&o->slots[i]) && td_owners_get(o, slot_inode(&o->slots[i])))
				o->nfound++;
		return 0;
	}
	ret = resolve_kernel(o, procdir, want_all, pids, npids, err);
	if (ret <= 0)
		return ret;
	if (!procdir)
		procdir = "/proc";
	procfd = open(procdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return td_err_set(err, -errno,
				  "cannot open %s to find socket owners: %s "
				  "(is procfs mounted?)",
				  procdir, strerror(errno));
	if (pids && npids)
		ret = resolve_pids(o, procfd, want_all, pids, npids, err);
	else
		ret = resolve_all(o, procfd, procdir, want_all, err);
	close(procfd);
	if (!ret)
		sort_owner_lists(o);
	if (ret == -ENOMEM)
		td_err_set(err, ret, "owners: out of memory after %zu sockets", o->used);
	return ret;
}

/* Loader of count.bpf.c: set the filters as read-only config, load, walk the
 * socket tables once through an iterator fd, read the counts and groups back
 * into a td_agg. See tdbpf.h. */
#include "bpf/tdbpf.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/types.h>

#include "bpf/count.h"
#include "bpf/load.h"

static const struct {
	enum td_group_by by;
	enum td_cnt_by cnt;
} by_map[] = {
	{ TD_BY_NONE, TD_CNT_BY_NONE },	  { TD_BY_LPORT, TD_CNT_BY_LPORT },
	{ TD_BY_RPORT, TD_CNT_BY_RPORT }, { TD_BY_LADDR, TD_CNT_BY_LADDR },
	{ TD_BY_PEER, TD_CNT_BY_PEER },	  { TD_BY_USER, TD_CNT_BY_USER },
};

static int cnt_by(enum td_group_by by)
{
	for (size_t i = 0; i < sizeof(by_map) / sizeof(by_map[0]); i++)
		if (by_map[i].by == by)
			return by_map[i].cnt;
	return -1;
}

bool td_bpf_count_supports(enum td_group_by by)
{
	return cnt_by(by) >= 0;
}

#ifdef TD_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/btfcache.h"
#include "count.skel.h"

/* Hash map entries (group x state x family). Not preallocated, so the size
 * only costs a bucket array (16 bytes each) at creation. */
#define MAX_GROUP_ENTRIES (1u << 18)
#define BATCH 4096

static void set_config(struct count_bpf *skel, const struct td_filter *f, int by)
{
	struct count_bpf__rodata *ro = skel->rodata;
	uint32_t states = f && f->states ? f->states : TD_STATES_ALL;

	/* As the netlink request: SYN_RECV also asks for request sockets. */
	if (states & TD_STATE_BIT(TD_SYN_RECV))
		states |= TD_STATE_BIT(TD_NEW_SYN_RECV);
	ro->cfg_states = states;
	ro->cfg_by = (__u8)by;
	if (!f)
		return;
	ro->cfg_family = (__u8)f->family;
	ro->cfg_nsport = (__u32)f->nsport;
	ro->cfg_ndport = (__u32)f->ndport;
	ro->cfg_nport = (__u32)f->nport;
	ro->cfg_nsrc = (__u32)f->nsrc;
	ro->cfg_ndst = (__u32)f->ndst;
	for (size_t i = 0; i < TD_FILTER_MAX && i < TD_CNT_MAX_RANGES; i++) {
		ro->cfg_sport[i].lo = f->sport[i].lo;
		ro->cfg_sport[i].hi = f->sport[i].hi;
		ro->cfg_dport[i].lo = f->dport[i].lo;
		ro->cfg_dport[i].hi = f->dport[i].hi;
		ro->cfg_port[i].lo = f->port[i].lo;
		ro->cfg_port[i].hi = f->port[i].hi;
		ro->cfg_src[i].family = f->src[i].family;
		ro->cfg_src[i].prefix = f->src[i].prefix;
		memcpy(ro->cfg_src[i].addr, f->src[i].addr, 16);
		ro->cfg_dst[i].family = f->dst[i].family;
		ro->cfg_dst[i].prefix = f->dst[i].prefix;
		memcpy(ro->cfg_dst[i].addr, f->dst[i].addr, 16);
	}
}

static void add_group(struct td_agg *a, const struct td_cnt_key *k, uint64_t n)
{
	struct td_sock s = { .family = k->family, .state = k->state, .uid = k->uid };

	/* td_agg keys a socket without an inode as TD_AGG_NO_USER. */
	s.inode = k->uid != TD_CNT_NO_UID;

	s.lport = s.rport = k->port;
	memcpy(s.laddr, k->addr, 16);
	memcpy(s.raddr, k->addr, 16);
	td_agg_add_n(a, &s, n);
}

/* Read every (key, count) of the groups map, in batches where the kernel
 * can, one by one otherwise. */
static int read_groups(int fd, struct td_agg *a)
{
	static struct td_cnt_key keys[BATCH];
	static __u64 vals[BATCH];
	struct td_cnt_key k, next;
	__u32 in = 0, out = 0, count;
	bool first = true;
	int rc;

	for (;;) {
		count = BATCH;
		rc = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, NULL);
		if (rc < 0 && errno != ENOENT)
			break;
		for (__u32 i = 0; i < count; i++)
			add_group(a, &keys[i], vals[i]);
		if (rc < 0) /* ENOENT: that was the last batch */
			return 0;
		in = out;
		first = false;
	}
	if (!first || (errno != EINVAL && errno != ENOTSUP && errno != EOPNOTSUPP))
		return -errno;
	/* No batch operations on this kernel. */
	if (bpf_map_get_next_key(fd, NULL, &k) < 0)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		__u64 v;

		if (bpf_map_lookup_elem(fd, &k, &v) == 0)
			add_group(a, &k, v);
		if (bpf_map_get_next_key(fd, &k, &next) < 0)
			return errno == ENOENT ? 0 : -errno;
		k = next;
	}
}

static struct count_bpf *open_one(const struct td_filter *f, int by,
				  const struct bpf_object_open_opts *oo)
{
	struct count_bpf *skel = count_bpf__open_opts(oo);

	if (!skel)
		return NULL;
	set_config(skel, f, by);
	if (by != TD_CNT_BY_NONE) {
		bpf_map__set_max_entries(skel->maps.groups, MAX_GROUP_ENTRIES);
		bpf_map__set_map_flags(skel->maps.groups, BPF_F_NO_PREALLOC);
	}
	return skel;
}

struct count_open {
	const struct td_filter *f;
	int by;
};

static void *count_open(const struct bpf_object_open_opts *oo, void *arg)
{
	const struct count_open *c = arg;

	return open_one(c->f, c->by, oo);
}

static struct bpf_object *count_obj(void *skel)
{
	return ((struct count_bpf *)skel)->obj;
}

static int count_load(void *skel)
{
	return count_bpf__load(skel);
}

static void count_destroy(void *skel)
{
	count_bpf__destroy(skel);
}

/* Open and load, with the cached minimized kernel BTF when there is one
 * (bpf/btfcache), else, or when that load fails, with the full one. */
static int open_load(struct count_bpf **out, const struct td_filter *f, int by,
		     struct td_bpf_timing *t, const char *what, struct td_err *err)
{
	static const struct td_btf_skel k = { "count", count_open, count_obj, count_load,
					      count_destroy };
	struct count_open arg = { f, by };
	const char *step = "opening the program";
	uint64_t ns[2] = { 0, 0 };
	void *skel;
	int rc = td_btf_open_load(&k, &arg, &skel, &step, ns);

	t->open_ns = ns[0];
	t->load_ns = ns[1];
	*out = skel;
	return rc < 0 ? td_bpf_fail(err, rc, what, step) : 0;
}

int td_bpf_count(const struct td_filter *f, struct td_agg *a, struct td_bpf_timing *timing,
		 struct td_err *err)
{
	static const char what[] = "the BPF socket counter";
	struct td_bpf_timing t = { 0 };
	struct count_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	int by = cnt_by(a->by), iter_fd = -1, rc;
	uint64_t t0, t1;
	char buf[64];
	ssize_t got;

	if (by < 0)
		return td_err_set(err, -TD_EUNSUPP, "%s cannot group by %s", what,
				  td_group_by_name(a->by));
	if (f && f->npid)
		return td_err_set(err, -TD_EUNSUPP, "%s cannot filter by process", what);
	if (f && f->expr.n)
		return td_err_set(err, -TD_EUNSUPP, "%s cannot apply a filter expression", what);
	rc = td_bpf_precheck(what, err);
	if (rc < 0)
		return rc;
	td_bpf_quiet();
	rc = open_load(&skel, f, by, &t, what, err);
	if (rc < 0)
		goto out;
	t0 = td_bpf_now_ns();
	/* The iterator walks the network namespace of the task that creates
	 * its fd (bpf_iter_init_seq_net): after --netns, the target's. */
	link = bpf_program__attach_iter(skel->progs.count_tcp, NULL);
	if (!link) {
		rc = td_bpf_fail(err, -errno, what, "attaching the iterator");
		goto out;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		rc = td_bpf_fail(err, -errno, what, "creating the iterator");
		goto out;
	}
	t1 = td_bpf_now_ns();
	t.attach_ns = t1 - t0;
	/* The program writes nothing: one read() runs the walk, but the kernel
	 * ends a read() that saw a million objects and wrote nothing with EAGAIN
	 * (bpf_iter's MAX_ITER_OBJECTS), and the next one goes on from there. */
	while ((got = read(iter_fd, buf, sizeof(buf))) > 0 ||
	       (got < 0 && (errno == EAGAIN || errno == EINTR)))
		;
	if (got < 0) {
		rc = td_err_set(err, -errno, "%s: reading the iterator: %s", what, strerror(errno));
		goto out;
	}
	t0 = td_bpf_now_ns();
	t.walk_ns = t0 - t1;
	if (skel->bss->dropped) {
		rc = td_err_set(err, -E2BIG,
				"%s: more than %u groups: counted in user space instead", what,
				MAX_GROUP_ENTRIES);
		goto out;
	}
	if (by == TD_CNT_BY_NONE) {
		for (int fam = 0; fam < 2; fam++) {
			for (int st = 1; st <= TD_STATE_MAX; st++) {
				struct td_sock s = { .family = fam ? AF_INET6 : AF_INET,
						     .state = st };
				uint64_t n = skel->bss->counts[fam][st];

				if (n)
					td_agg_add_n(a, &s, n);
			}
		}
	} else {
		rc = read_groups(bpf_map__fd(skel->maps.groups), a);
		if (rc < 0) {
			td_err_set(err, rc, "%s: reading the groups: %s", what, strerror(-rc));
			goto out;
		}
	}
	t.read_ns = td_bpf_now_ns() - t0;
	rc = 0;
out:
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
	count_bpf__destroy(skel);
	if (timing)
		*timing = t;
	return rc;
}
#else
int td_bpf_count(const struct td_filter *f, struct td_agg *a, struct td_bpf_timing *timing,
		 struct td_err *err)
{
	(void)f;
	(void)a;
	if (timing)
		memset(timing, 0, sizeof(*timing));
	return td_bpf_precheck("the BPF socket counter", err);
}
#endif

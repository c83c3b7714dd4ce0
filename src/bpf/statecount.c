/* Loader of statecount.bpf.c: attach the hooks, seed the counts with one
 * iterator walk, read them, and reconcile them against a fresh walk into
 * the other generation. See statecount.h and docs/monitoring.md. */
#include "bpf/statecount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpf/load.h"
#include "sockets/filter.h"
#include "sockets/sockdiag.h"

static const char what[] = "the BPF state counter";

static int rest_cb(const struct td_sock *s, void *ctx)
{
	uint64_t(*counts)[TD_STATE_MAX + 1] = ctx;
	int fam = s->family == AF_INET6;

	/* A full socket in FIN_WAIT2 is the hooks'; a timewait one (timer
	 * TIME_WAIT, substate FIN_WAIT2) is not. */
	if (s->state == TD_FIN_WAIT2 && s->timer != TD_TIMER_TIMEWAIT)
		return 0;
	if (s->state == TD_NEW_SYN_RECV)
		counts[fam][TD_SYN_RECV]++;
	else if (s->state <= TD_STATE_MAX)
		counts[fam][s->state]++;
	return 0;
}

int td_statecount_dump_rest(int family, uint64_t counts[2][TD_STATE_MAX + 1], struct td_err *err)
{
	struct td_filter f;

	td_filter_init(&f);
	f.family = family;
	f.states =
		TD_STATE_BIT(TD_TIME_WAIT) | TD_STATE_BIT(TD_FIN_WAIT2) | TD_STATE_BIT(TD_SYN_RECV);
	return td_sockdiag_dump(&f, 0, -1, rest_cb, counts, err);
}

static int rest_counts(struct td_statecount *sc, uint64_t counts[2][TD_STATE_MAX + 1],
		       struct td_err *err);

int td_statecount_get(struct td_statecount *sc, int family, uint64_t counts[2][TD_STATE_MAX + 1],
		      struct td_err *err)
{
	int rc = td_statecount_read(sc, counts, err);
	bool kept;

	if (rc < 0)
		return rc;
	for (int f = 0; f < 2; f++) {
		counts[f][TD_TIME_WAIT] = 0;
		counts[f][TD_CLOSE] = 0;
		counts[f][TD_NEW_SYN_RECV] = 0;
	}
	/* The scrape's own count of timewait and request sockets, or (where
	 * that cannot run) the dump, which lists SYN_RECV children too. */
	kept = rest_counts(sc, counts, err) == 0;
	for (int f = 0; f < 2; f++) {
		if (!kept)
			counts[f][TD_SYN_RECV] = 0;
		if ((family == AF_INET && f == 1) || (family == AF_INET6 && f == 0))
			memset(counts[f], 0, sizeof(counts[f]));
	}
	if (kept)
		return 0;
	td_err_clear(err);
	return td_statecount_dump_rest(family, counts, err);
}

#ifdef TD_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "statecount.skel.h"

#define CLAIM_MIN (1u << 16)
#define CLAIM_MAX (1u << 24)
#define TW_MIN (1u << 14)
#define TW_MAX (1u << 22)
#define BATCH 4096

struct td_statecount {
	struct statecount_bpf *skel;
	int ncpu;
	struct td_sc_counts *buf; /* one per possible CPU */
	/* A generation's counts are its raw sum minus what it held when its
	 * walk started (nothing writes to it between generations, so no
	 * zeroing races with the live one). */
	int64_t base[2][2][TD_SC_STATES];
	/* The hook's skipped runs when the live generation's walk began: a
	 * skip after that can be in its counts (a skip during the walk also
	 * reaches the generation it fills, on a socket visited before it). */
	uint64_t missed_at_walk;
	/* sc_tw and sc_listen loaded; the noted timewait addresses complete
	 * (no note lost since a walk that lost none: tw_overflow then). */
	bool rest;
	bool tw_complete;
	uint64_t tw_overflow_ok;
	int tw_fd; /* the timewait set in slot 0 of tw_maps, tw_cap entries */
	uint32_t tw_cap;
	struct td_statecount_stats st;
};

/* Runs of the hook the kernel skipped so far (nested on one CPU). */
static uint64_t misses(const struct td_statecount *sc)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(sc->skel->progs.sc_state), &info, &len) < 0)
		return 0;
	return info.recursion_misses;
}

static void set_phase(struct td_statecount *sc, uint32_t ph)
{
	__atomic_store_n(&sc->skel->bss->phase, ph, __ATOMIC_SEQ_CST);
}

static uint32_t get_phase(const struct td_statecount *sc)
{
	return __atomic_load_n(&sc->skel->bss->phase, __ATOMIC_SEQ_CST);
}

/* raw[gen][fam][state]: the sum over CPUs. */
static int read_raw(struct td_statecount *sc, int64_t raw[2][2][TD_SC_STATES])
{
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(sc->skel->maps.counts), &zero, sc->buf) < 0)
		return -errno;
	memset(raw, 0, sizeof(int64_t) * 2 * 2 * TD_SC_STATES);
	for (int c = 0; c < sc->ncpu; c++)
		for (int g = 0; g < 2; g++)
			for (int f = 0; f < 2; f++)
				for (int s = 0; s < TD_SC_STATES; s++)
					raw[g][f][s] += sc->buf[c].n[g][f][s];
	return 0;
}

/* Empty the claims map after a walk (no hook writes it outside one). */
static void clear_claims(struct td_statecount *sc)
{
	static struct td_sc_key keys[BATCH];
	static __u32 vals[BATCH];
	int fd = bpf_map__fd(sc->skel->maps.claims);
	struct td_sc_key k;
	__u32 in = 0, out = 0, count;
	bool first = true;
	int rc;

	for (;;) {
		count = BATCH;
		rc = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in, &out, keys, vals,
						     &count, NULL);
		if (rc < 0 && errno != ENOENT)
			break;
		if (rc < 0)
			return;
		in = out;
		first = false;
	}
	/* No batch operations here: one key at a time. */
	while (bpf_map_get_next_key(fd, NULL, &k) == 0)
		if (bpf_map_delete_elem(fd, &k) < 0)
			break;
}

/* Until every hook that started before now has returned: they run under
 * rcu_read_lock(), and MEMBARRIER_CMD_GLOBAL waits for an RCU grace period
 * (synchronize_rcu()). Where it is refused (nohz_full), a pause. */
static void wait_hooks(const struct timespec *pause)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0)
		nanosleep(pause, NULL);
}

static double now_s(void)
{
	return (double)td_bpf_now_ns() / 1e9;
}

/* TCP sockets in use and timewait ones in this namespace now. */
static void sockstat(unsigned long *inuse, unsigned long *tw)
{
	FILE *fp = fopen("/proc/net/sockstat", "re");
	char line[256];

	*inuse = *tw = 0;
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "TCP: inuse %lu orphan %*u tw %lu", inuse, tw) == 2)
			break;
	fclose(fp);
}

/* Room for n timewait sockets: four times over, so that a set is replaced
 * (at a walk) well before it fills. */
static uint32_t tw_want(uint64_t n)
{
	uint32_t c = TW_MIN;

	while (c < TW_MAX && c < 4 * n)
		c <<= 1;
	return c;
}

/* Put an empty timewait set of cap entries in slot 0; the hooks write the
 * new one from here (the kernel frees the old one after them). The caller
 * then walks, which notes every timewait socket there is. */
static int tw_swap(struct td_statecount *sc, uint32_t cap, struct td_err *err)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	uint32_t zero = 0;
	int fd, rc;

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "td_tw_set", sizeof(struct td_sc_tuple), 1, cap, &o);
	if (fd < 0)
		return td_bpf_fail(err, -errno, what, "making the timewait set");
	if (bpf_map_update_elem(bpf_map__fd(sc->skel->maps.tw_maps), &zero, &fd, BPF_ANY) < 0) {
		rc = -errno;
		close(fd);
		return td_bpf_fail(err, rc, what, "installing the timewait set");
	}
	if (sc->tw_fd >= 0)
		close(sc->tw_fd);
	sc->tw_fd = fd;
	sc->tw_cap = cap;
	sc->st.tw_capacity = cap;
	return 0;
}

/* Run sc_listen (up to the end of the listening table) and sc_tw (every
 * noted address looked up, the stale ones dropped); their results in *r. */
static int run_rest(struct td_statecount *sc, struct td_sc_rest *r, struct td_err *err)
{
	/* test_run wants a frame; nothing in it is read. */
	static const unsigned char pkt[64] = { [12] = 0x08, [13] = 0x00, [14] = 0x45 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);
	char b;
	ssize_t got;
	int fd, rc;

	memset(&sc->skel->bss->rest, 0, sizeof(sc->skel->bss->rest));
	fd = bpf_iter_create(bpf_link__fd(sc->skel->links.sc_listen));
	if (fd < 0)
		return td_bpf_fail(err, -errno, what, "creating the listener iterator");
	/* One byte: the mark that the listening table is done (or the end). */
	do
		got = read(fd, &b, 1);
	while (got < 0 && (errno == EAGAIN || errno == EINTR));
	rc = got < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		return td_err_set(err, rc, "%s: reading the listeners: %s", what, strerror(-rc));
	if (bpf_prog_test_run_opts(bpf_program__fd(sc->skel->progs.sc_tw), &o) < 0)
		return td_bpf_fail(err, -errno, what, "looking the timewait sockets up");
	*r = sc->skel->bss->rest;
	sc->st.rest_runs++;
	sc->st.tw_noted = r->looked_up - r->forgotten;
	sc->st.tw_forgotten_total += r->forgotten;
	return 0;
}

static int rest_counts(struct td_statecount *sc, uint64_t counts[2][TD_STATE_MAX + 1],
		       struct td_err *err)
{
	struct td_sc_rest r;
	int rc;

	sc->st.tw_overflow = sc->skel->bss->tw_overflow;
	if (!sc->rest || !sc->tw_complete || sc->st.tw_overflow != sc->tw_overflow_ok)
		return sc->st.rest_lookup = false, -TD_EUNSUPP;
	rc = run_rest(sc, &r, err);
	sc->st.rest_lookup = rc == 0;
	if (rc < 0)
		return rc;
	for (int f = 0; f < 2; f++) {
		counts[f][TD_TIME_WAIT] = r.tw[f][0];
		counts[f][TD_FIN_WAIT2] += r.tw[f][1];
		counts[f][TD_SYN_RECV] += r.syn_recv[f];
	}
	return 0;
}

/* Fill generation gen with one walk; the phase keeps live as it is. */
static int walk(struct td_statecount *sc, uint32_t gen, uint32_t live_bits, uint64_t *missed0,
		struct td_err *err)
{
	int64_t raw[2][2][TD_SC_STATES];
	uint64_t over = sc->skel->bss->claim_overflow;
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	double t0 = now_s();
	struct td_sc_rest r;
	uint64_t tw_over;
	char buf[64];
	ssize_t got;
	int fd, rc;

	/* A new timewait set if the one in use is too small (or lost a note)
	 * or far too big, else the stale notes dropped; then the walk notes
	 * every timewait socket there is: complete again if none is lost
	 * from here on. */
	if (sc->rest) {
		unsigned long inuse, tw;
		uint32_t want;

		sockstat(&inuse, &tw);
		want = tw_want(tw > sc->st.tw_noted ? tw : sc->st.tw_noted);
		if (want > sc->tw_cap || want * 4 <= sc->tw_cap ||
		    sc->skel->bss->tw_overflow != sc->tw_overflow_ok)
			rc = tw_swap(sc, want, err);
		else
			rc = run_rest(sc, &r, err);
		if (rc < 0)
			return rc;
	}
	tw_over = sc->skel->bss->tw_overflow;
	rc = read_raw(sc, raw);
	if (rc < 0)
		return td_err_set(err, rc, "%s: reading the counts: %s", what, strerror(-rc));
	memcpy(sc->base[gen], raw[gen], sizeof(sc->base[gen]));
	*missed0 = misses(sc);
	set_phase(sc, TD_SC_MODE_SEED | live_bits);
	fd = bpf_iter_create(bpf_link__fd(sc->skel->links.sc_walk));
	if (fd < 0) {
		rc = -errno;
		set_phase(sc, TD_SC_MODE_IDLE | live_bits);
		return td_bpf_fail(err, rc, what, "creating the iterator");
	}
	/* Nothing is written: the kernel ends a read() that visited a million
	 * sockets with EAGAIN, and the next one goes on from there. */
	while ((got = read(fd, buf, sizeof(buf))) > 0 ||
	       (got < 0 && (errno == EAGAIN || errno == EINTR)))
		;
	rc = got < 0 ? -errno : 0;
	close(fd);
	/* From here the new generation follows every change as the live one
	 * does. A hook that read the seeding phase just before may still be
	 * running: wait for it before its claims go. */
	set_phase(sc, TD_SC_MODE_PLAIN | live_bits);
	wait_hooks(&pause);
	clear_claims(sc);
	sc->st.last_walk_seconds = now_s() - t0;
	if (rc < 0)
		return td_err_set(err, rc, "%s: reading the iterator: %s", what, strerror(-rc));
	sc->tw_overflow_ok = sc->skel->bss->tw_overflow;
	sc->tw_complete = sc->tw_overflow_ok == tw_over;
	if (sc->skel->bss->claim_overflow != over) {
		sc->st.claim_overflow = sc->skel->bss->claim_overflow;
		return td_err_set(err, -E2BIG, "%s: more sockets than the walk could mark", what);
	}
	return 0;
}

/* Sockets in the namespace now (TCP inuse + timewait), to size the claims. */
static uint32_t sockets_now(void)
{
	unsigned long inuse, tw;

	sockstat(&inuse, &tw);
	return (uint32_t)(inuse + tw > CLAIM_MAX ? CLAIM_MAX : inuse + tw);
}

static int load(struct td_statecount *sc, uint32_t netns_ino, uint32_t claims, bool rest,
		struct td_err *err)
{
	int rc;

	statecount_bpf__destroy(sc->skel);
	if (sc->tw_fd >= 0)
		close(sc->tw_fd);
	sc->tw_fd = -1;
	sc->skel = statecount_bpf__open();
	if (!sc->skel)
		return td_bpf_fail(err, -errno, what, "opening the program");
	sc->skel->rodata->cfg_netns = netns_ino;
	sc->skel->rodata->cfg_tw = rest;
	bpf_map__set_max_entries(sc->skel->maps.claims, claims);
	bpf_program__set_autoload(sc->skel->progs.sc_tw, rest);
	bpf_program__set_autoload(sc->skel->progs.sc_listen, rest);
	rc = statecount_bpf__load(sc->skel);
	if (rc < 0)
		return td_bpf_fail(err, rc, what, "loading");
	if (rest) {
		unsigned long inuse, tw;

		sockstat(&inuse, &tw);
		rc = tw_swap(sc, tw_want(tw), err);
		if (rc < 0)
			return rc;
	}
	sc->rest = rest;
	return 0;
}

int td_statecount_open(struct td_statecount **out, uint32_t netns_ino, struct td_err *err)
{
	struct td_statecount *sc;
	const char *rest;
	uint32_t claims;
	struct stat st;
	bool want;
	int rc;

	*out = NULL;
	rc = td_bpf_precheck(what, err);
	if (rc < 0)
		return rc;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return td_err_set(err, -ENOMEM, "out of memory");
	sc->ncpu = libbpf_num_possible_cpus();
	if (sc->ncpu <= 0) {
		free(sc);
		return td_err_set(err, -TD_EUNSUPP, "%s: cannot count the CPUs", what);
	}
	sc->tw_fd = -1;
	sc->buf = calloc((size_t)sc->ncpu, sizeof(*sc->buf));
	if (!sc->buf) {
		free(sc);
		return td_err_set(err, -ENOMEM, "out of memory");
	}
	td_bpf_quiet();
	if (!netns_ino && stat("/proc/self/ns/net", &st) == 0)
		netns_ino = (uint32_t)st.st_ino;
	/* Room for every socket twice over (churn during a walk, growth
	 * between walks); without preallocation only the buckets cost. */
	claims = sockets_now() * 2;
	if (claims < CLAIM_MIN)
		claims = CLAIM_MIN;
	if (claims > CLAIM_MAX)
		claims = CLAIM_MAX;
	/* With the scrape's own timewait and request counts; where the kernel
	 * refuses those two programs, without (a dump per scrape then). */
	rest = getenv("TD_STATECOUNT_REST");
	want = !(rest && !strcmp(rest, "dump"));
	if (!want)
		snprintf(sc->st.rest_why, sizeof(sc->st.rest_why), "TD_STATECOUNT_REST=dump");
	rc = load(sc, netns_ino, claims, want, err);
	if (rc < 0 && rc != -EPERM && want) {
		snprintf(sc->st.rest_why, sizeof(sc->st.rest_why), "%.190s", err->msg);
		td_err_clear(err);
		rc = load(sc, netns_ino, claims, false, err);
	}
	if (rc < 0)
		goto fail;
	/* The hooks first, then the walk: a change during it is seen by
	 * either (see the claims in statecount.bpf.c). */
	rc = statecount_bpf__attach(sc->skel);
	if (rc < 0) {
		rc = td_bpf_fail(err, rc, what, "attaching");
		goto fail;
	}
	rc = walk(sc, 0, 0, &sc->missed_at_walk, err);
	if (rc < 0)
		goto fail;
	set_phase(sc, TD_SC_MODE_IDLE | TD_SC_HAVE_LIVE);
	*out = sc;
	return 0;
fail:
	td_statecount_close(sc);
	return rc;
}

/* Counts of generation gen from raw. */
static void gen_counts(const struct td_statecount *sc, const int64_t raw[2][2][TD_SC_STATES],
		       uint32_t gen, int64_t c[2][TD_SC_STATES])
{
	for (int f = 0; f < 2; f++)
		for (int s = 0; s < TD_SC_STATES; s++)
			c[f][s] = raw[gen][f][s] - sc->base[gen][f][s];
}

int td_statecount_read(struct td_statecount *sc, uint64_t counts[2][TD_STATE_MAX + 1],
		       struct td_err *err)
{
	int64_t raw[2][2][TD_SC_STATES], c[2][TD_SC_STATES];
	uint32_t live = (get_phase(sc) >> TD_SC_LIVE_BIT) & 1;
	int rc = read_raw(sc, raw);

	if (rc < 0)
		return td_err_set(err, rc, "%s: reading the counts: %s", what, strerror(-rc));
	gen_counts(sc, raw, live, c);
	for (int f = 0; f < 2; f++)
		for (int s = 0; s <= TD_STATE_MAX; s++)
			counts[f][s] = c[f][s] > 0 ? (uint64_t)c[f][s] : 0;
	return 0;
}

/* Sum over states of |live - shadow|, or -1 on a read error. */
static int64_t diff_once(struct td_statecount *sc, uint32_t live)
{
	int64_t raw[2][2][TD_SC_STATES], a[2][TD_SC_STATES], b[2][TD_SC_STATES], d = 0;

	if (read_raw(sc, raw) < 0)
		return -1;
	gen_counts(sc, raw, live, a);
	gen_counts(sc, raw, live ^ 1, b);
	for (int f = 0; f < 2; f++)
		for (int s = 0; s < TD_SC_STATES; s++) {
			d += a[f][s] > b[f][s] ? a[f][s] - b[f][s] : b[f][s] - a[f][s];
			if (s <= TD_STATE_MAX)
				sc->st.last_diff[f][s] = a[f][s] - b[f][s];
		}
	return d;
}

int td_statecount_reconcile(struct td_statecount *sc, uint64_t *drift, struct td_err *err)
{
	uint32_t ph = get_phase(sc), live = (ph >> TD_SC_LIVE_BIT) & 1, shadow = live ^ 1;
	uint32_t live_bits = TD_SC_HAVE_LIVE | (live << TD_SC_LIVE_BIT);
	int64_t d = -1, prev = -2;
	uint64_t missed0;
	int rc;

	*drift = 0;
	rc = walk(sc, shadow, live_bits, &missed0, err);
	if (rc < 0) {
		set_phase(sc, TD_SC_MODE_IDLE | live_bits);
		return rc;
	}
	/* Both generations now take every change; their difference is what
	 * the live one had drifted by. A change between one CPU's two copies
	 * shows as a difference of 1 for a moment: read until two agree. */
	for (int i = 0; i < 20 && d != prev; i++) {
		prev = d;
		d = diff_once(sc, live);
		if (d < 0) {
			set_phase(sc, TD_SC_MODE_IDLE | live_bits);
			return td_err_set(err, -EIO, "%s: reading the counts failed", what);
		}
	}
	set_phase(sc, TD_SC_MODE_IDLE | TD_SC_HAVE_LIVE | (shadow << TD_SC_LIVE_BIT));
	/* The old generation is left alone from here on (its base is taken
	 * again before it is filled next). */
	wait_hooks(&(struct timespec){ 0, 5 * 1000 * 1000 });
	*drift = (uint64_t)d;
	sc->st.reconciles++;
	/* Skips since the live generation's walk began explain a drift; the
	 * new generation starts clean only if none came during its own walk
	 * (td_statecount_dirty() then asks for another). */
	if (misses(sc) != sc->missed_at_walk) {
		sc->st.drift_missed_total += (uint64_t)d;
		sc->st.last_drift = 0;
	} else {
		sc->st.drift_total += (uint64_t)d;
		sc->st.last_drift = (uint64_t)d;
	}
	sc->missed_at_walk = missed0;
	return 0;
}

bool td_statecount_dirty(struct td_statecount *sc)
{
	/* Or the timewait set lost a note, or is half full: a walk replaces it. */
	if (sc->rest && (sc->skel->bss->tw_overflow != sc->tw_overflow_ok ||
			 (sc->st.tw_noted * 2 > sc->tw_cap && sc->tw_cap < TW_MAX)))
		return true;
	return misses(sc) != sc->missed_at_walk;
}

void td_statecount_stats(const struct td_statecount *sc, struct td_statecount_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!sc)
		return;
	*st = sc->st;
	st->missed = misses(sc);
}

void td_statecount_close(struct td_statecount *sc)
{
	if (!sc)
		return;
	statecount_bpf__destroy(sc->skel);
	if (sc->tw_fd >= 0)
		close(sc->tw_fd);
	free(sc->buf);
	free(sc);
}
#else
struct td_statecount {
	int unused;
};

int td_statecount_open(struct td_statecount **out, uint32_t netns_ino, struct td_err *err)
{
	(void)netns_ino;
	*out = NULL;
	return td_bpf_precheck(what, err);
}

int td_statecount_read(struct td_statecount *sc, uint64_t counts[2][TD_STATE_MAX + 1],
		       struct td_err *err)
{
	(void)sc;
	(void)counts;
	return td_err_set(err, -TD_EUNSUPP, "built without eBPF");
}

static int rest_counts(struct td_statecount *sc, uint64_t counts[2][TD_STATE_MAX + 1],
		       struct td_err *err)
{
	(void)sc;
	(void)counts;
	return td_err_set(err, -TD_EUNSUPP, "built without eBPF");
}

int td_statecount_reconcile(struct td_statecount *sc, uint64_t *drift, struct td_err *err)
{
	(void)sc;
	*drift = 0;
	return td_err_set(err, -TD_EUNSUPP, "built without eBPF");
}

bool td_statecount_dirty(struct td_statecount *sc)
{
	(void)sc;
	return false;
}

void td_statecount_stats(const struct td_statecount *sc, struct td_statecount_stats *st)
{
	(void)sc;
	memset(st, 0, sizeof(*st));
}

void td_statecount_close(struct td_statecount *sc)
{
	(void)sc;
}
#endif

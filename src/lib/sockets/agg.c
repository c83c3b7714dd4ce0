/* Counting sockets by state and by group; see agg.h. */
#include "sockets/agg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const struct {
	const char *name;
	enum td_group_by by;
} group_names[] = {
	{ "lport", TD_BY_LPORT }, { "rport", TD_BY_RPORT }, { "laddr", TD_BY_LADDR },
	{ "peer", TD_BY_PEER },	  { "raddr", TD_BY_PEER },  { "process", TD_BY_PROCESS },
	{ "user", TD_BY_USER },
};

int td_group_by_parse(const char *text, enum td_group_by *by, struct td_err *err)
{
	for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++) {
		if (!strcmp(text, group_names[i].name)) {
			*by = group_names[i].by;
			return 0;
		}
	}
	return td_err_set(
		err, -TD_EPARSE,
		"--by '%s': expected lport, rport, laddr, peer (or raddr), process or user", text);
}

const char *td_group_by_name(enum td_group_by by)
{
	for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
		if (group_names[i].by == by)
			return group_names[i].name;
	return "none";
}

void td_agg_init(struct td_agg *a, enum td_group_by by, const struct td_owners *owners)
{
	memset(a, 0, sizeof(*a));
	a->by = by;
	a->owners = owners;
}

void td_agg_free(struct td_agg *a)
{
	free(a->slots);
	a->slots = NULL;
	a->cap = a->ngroups = 0;
}

int td_agg_state(int state)
{
	return state == TD_NEW_SYN_RECV ? TD_SYN_RECV : state;
}

/* The key of the group a socket belongs to: only the fields `by` uses are
 * set, the others stay zero, so same_key() can compare them all. */
static void make_key(const struct td_agg *a, const struct td_sock *s, struct td_group *k)
{
	const struct td_owner *o;

	memset(k, 0, sizeof(*k));
	switch (a->by) {
	case TD_BY_LPORT:
		k->port = s->lport;
		break;
	case TD_BY_RPORT:
		k->port = s->rport;
		break;
	case TD_BY_LADDR:
		k->family = s->family;
		memcpy(k->addr, s->laddr, 16);
		break;
	case TD_BY_PEER:
		k->family = s->family;
		memcpy(k->addr, s->raddr, 16);
		break;
	case TD_BY_PROCESS:
		o = s->inode && a->owners ? td_owners_get(a->owners, s->inode) : NULL;
		k->id = o ? (uint32_t)o->pid : 0;
		break;
	case TD_BY_USER:
		k->id = s->inode ? s->uid : TD_AGG_NO_USER;
		break;
	default:
		break;
	}
}

static bool same_key(const struct td_group *x, const struct td_group *y)
{
	return x->family == y->family && x->port == y->port && x->id == y->id &&
	       !memcmp(x->addr, y->addr, 16);
}

static uint64_t hash_key(const struct td_group *k)
{
	/* FNV-1a over the key fields. */
	uint64_t h = 1469598103934665603ULL;
	const uint8_t *p = k->addr;

	h = (h ^ k->family) * 1099511628211ULL;
	h = (h ^ k->port) * 1099511628211ULL;
	h = (h ^ k->id) * 1099511628211ULL;
	for (int i = 0; i < 16; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static struct td_group *slot_for(struct td_group *slots, size_t cap, const struct td_group *k)
{
	size_t i = hash_key(k) & (cap - 1);

	while (slots[i].used && !same_key(&slots[i], k))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct td_agg *a)
{
	size_t ncap = a->cap ? a->cap * 2 : 64;
	struct td_group *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < a->cap; i++)
		if (a->slots[i].used)
			*slot_for(ns, ncap, &a->slots[i]) = a->slots[i];
	free(a->slots);
	a->slots = ns;
	a->cap = ncap;
	return 0;
}

/* Count n sockets like s into a; the group key is make_key's, or with
 * pid >= 0 (TD_BY_PROCESS) that pid's. */
static int add_n(struct td_agg *a, const struct td_sock *s, int64_t pid, uint64_t n)
{
	int st = td_agg_state(s->state);
	struct td_group k, *g;

	if (st < 1 || st > TD_STATE_MAX)
		st = TD_CLOSE; /* never seen from the kernel; keep totals honest */
	a->total += n;
	a->counts[st] += n;
	a->fam_counts[s->family == AF_INET6][st] += n;
	if (s->family == AF_INET6)
		a->ipv6 += n;
	else
		a->ipv4 += n;
	if (a->by == TD_BY_NONE)
		return 0;
	/* Keep the load under 1/2 so probes stay short. */
	if ((a->ngroups + 1) * 2 > a->cap && grow(a) < 0)
		return -ENOMEM;
	make_key(a, s, &k);
	if (pid >= 0 && a->by == TD_BY_PROCESS)
		k.id = (uint32_t)pid;
	g = slot_for(a->slots, a->cap, &k);
	if (!g->used) {
		*g = k;
		g->used = 1;
		a->ngroups++;
	}
	g->total += n;
	g->counts[st] += (uint32_t)n;
	return 0;
}

int td_agg_add_n(struct td_agg *a, const struct td_sock *s, uint64_t n)
{
	return add_n(a, s, -1, n);
}

int td_agg_add_pid_n(struct td_agg *a, const struct td_sock *s, uint32_t pid, uint64_t n)
{
	return add_n(a, s, pid, n);
}

int td_agg_add(struct td_agg *a, const struct td_sock *s)
{
	return td_agg_add_n(a, s, 1);
}

int td_agg_cb(const struct td_sock *s, void *ctx)
{
	return td_agg_add(ctx, s);
}

static int cmp_group(const void *x, const void *y)
{
	const struct td_group *a = *(const struct td_group *const *)x;
	const struct td_group *b = *(const struct td_group *const *)y;
	int c;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, 16);
	return c;
}

const struct td_group **td_agg_sorted(const struct td_agg *a, size_t *n)
{
	const struct td_group **v;
	size_t j = 0;

	*n = 0;
	if (!a->ngroups)
		return NULL;
	v = malloc(a->ngroups * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < a->cap; i++)
		if (a->slots[i].used)
			v[j++] = &a->slots[i];
	qsort(v, j, sizeof(*v), cmp_group);
	*n = j;
	return v;
}

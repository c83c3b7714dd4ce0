/* Building the aggregated snapshot from a socket stream; see snapshot.h.
 * Two open-addressing hashes: groups (an index into a growing array, so a
 * group never moves while the hash grows) and the bounded set of distinct
 * (group, remote address) pairs. */
#include "sockets/snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockets/sockdiag.h"

/* A closing socket of the first read, to be found again by cookie. */
struct mark {
	uint64_t cookie; /* 0 = empty slot (the kernel's cookies start at 1) */
	uint64_t bytes_acked;
	uint32_t gl, gp; /* its LOCAL and PEER group indices + 1 */
	uint8_t state, has_info, seen;
	uint8_t old; /* sock_old() at this read */
};

struct distinct_key {
	uint32_t gid; /* group index + 1; 0 = empty slot */
	uint8_t family;
	uint8_t addr[16];
};

/* What a socket's groups and its mark take from it: a third of a td_sock,
 * the size of a socket held back until its owner is known (deferred). */
struct gsock {
	uint64_t inode, cookie, bytes_acked;
	uint32_t rqueue, wqueue, total_retrans, idle_ms;
	uint16_t lport, rport;
	uint8_t family, state, retrans, flags;
	uint8_t old; /* sock_old() at this read */
	uint8_t raddr[16];
};

void td_snapshot_init(struct td_snapshot *snap, const struct td_owners *owners)
{
	memset(snap, 0, sizeof(*snap));
	snap->owners = owners;
}

static void pending_free(struct td_snapshot *snap)
{
	free(snap->pending);
	snap->pending = NULL;
	snap->npending = snap->pcap = 0;
}

void td_snapshot_free(struct td_snapshot *snap)
{
	free(snap->groups);
	free(snap->gidx);
	free(snap->listeners);
	free(snap->distinct);
	free(snap->marks);
	pending_free(snap);
	snap->marks = NULL;
	snap->mn = snap->mcap = 0;
	snap->groups = NULL;
	snap->gidx = NULL;
	snap->listeners = NULL;
	snap->distinct = NULL;
	snap->ngroups = snap->gcap = snap->hcap = 0;
	snap->nlisteners = snap->lcap = snap->dn = snap->dcap = 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t group_hash(const struct td_snap_group *k)
{
	uint64_t h = 1469598103934665603ULL;

	h = fnv(h, &k->kind, 1);
	h = fnv(h, &k->state, 1);
	h = fnv(h, &k->family, 1);
	h = fnv(h, &k->port, sizeof(k->port));
	h = fnv(h, &k->pid, sizeof(k->pid));
	h = fnv(h, k->addr, 16);
	return h ^ (h >> 29);
}

static bool group_same(const struct td_snap_group *a, const struct td_snap_group *b)
{
	return a->kind == b->kind && a->state == b->state && a->family == b->family &&
	       a->port == b->port && a->pid == b->pid && !memcmp(a->addr, b->addr, 16);
}

/* Slot in gidx holding k's index + 1, or the empty slot where it belongs. */
static uint32_t *group_slot(uint32_t *tab, size_t cap, const struct td_snap_group *groups,
			    const struct td_snap_group *k)
{
	size_t i = group_hash(k) & (cap - 1);

	while (tab[i] && !group_same(&groups[tab[i] - 1], k))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int group_grow(struct td_snapshot *snap)
{
	size_t ncap = snap->hcap ? snap->hcap * 2 : 256;
	uint32_t *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (size_t i = 0; i < snap->ngroups; i++)
		*group_slot(nt, ncap, snap->groups, &snap->groups[i]) = (uint32_t)i + 1;
	free(snap->gidx);
	snap->gidx = nt;
	snap->hcap = ncap;
	return 0;
}

/* The group for key k, created (zero counts) when new; NULL on ENOMEM. */
static struct td_snap_group *group_get(struct td_snapshot *snap, const struct td_snap_group *k,
				       size_t *index)
{
	uint32_t *slot;

	if ((snap->ngroups + 1) * 2 > snap->hcap && group_grow(snap) < 0)
		return NULL;
	slot = group_slot(snap->gidx, snap->hcap, snap->groups, k);
	if (!*slot) {
		if (snap->ngroups == snap->gcap) {
			size_t ncap = snap->gcap ? snap->gcap * 2 : 64;
			struct td_snap_group *ng = realloc(snap->groups, ncap * sizeof(*ng));

			if (!ng)
				return NULL;
			snap->groups = ng;
			snap->gcap = ncap;
		}
		snap->groups[snap->ngroups] = *k;
		*slot = (uint32_t)++snap->ngroups;
	}
	*index = *slot - 1;
	return &snap->groups[*slot - 1];
}

const struct td_snap_group *td_snapshot_group(const struct td_snapshot *snap, int kind, int state,
					      uint16_t port, uint32_t pid, int family,
					      const uint8_t *addr)
{
	struct td_snap_group k = { 0 };
	uint32_t *slot;

	if (!snap->hcap)
		return NULL;
	k.kind = (uint8_t)kind;
	k.state = (uint8_t)state;
	k.port = port;
	k.pid = pid;
	if (kind == TD_SNAP_PEER) {
		k.family = (uint8_t)family;
		if (addr)
			memcpy(k.addr, addr, 16);
	}
	slot = group_slot(snap->gidx, snap->hcap, snap->groups, &k);
	return *slot ? &snap->groups[*slot - 1] : NULL;
}

static uint64_t distinct_hash(const struct distinct_key *k)
{
	uint64_t h = 1469598103934665603ULL;

	h = fnv(h, &k->gid, sizeof(k->gid));
	h = fnv(h, &k->family, 1);
	h = fnv(h, k->addr, 16);
	return h ^ (h >> 29);
}

static struct distinct_key *distinct_slot(struct distinct_key *tab, size_t cap,
					  const struct distinct_key *k)
{
	size_t i = distinct_hash(k) & (cap - 1);

	while (tab[i].gid && (tab[i].gid != k->gid || tab[i].family != k->family ||
			      memcmp(tab[i].addr, k->addr, 16)))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* Count s's remote address in group g (index gi) once. Bounded: a group
 * stops recording at TD_SNAP_DISTINCT_MAX addresses. */
static int distinct_add(struct td_snapshot *snap, struct td_snap_group *g, size_t gi,
			const struct gsock *s)
{
	struct distinct_key k = { 0 }, *slot;

	if (g->distinct_full)
		return 0;
	if ((snap->dn + 1) * 2 > snap->dcap) {
		size_t ncap = snap->dcap ? snap->dcap * 2 : 256;
		struct distinct_key *nt = calloc(ncap, sizeof(*nt)), *old = snap->distinct;

		if (!nt)
			return -ENOMEM;
		for (size_t i = 0; i < snap->dcap; i++)
			if (old[i].gid)
				*distinct_slot(nt, ncap, &old[i]) = old[i];
		free(old);
		snap->distinct = nt;
		snap->dcap = ncap;
	}
	k.gid = (uint32_t)gi + 1;
	k.family = s->family;
	memcpy(k.addr, s->raddr, 16);
	slot = distinct_slot(snap->distinct, snap->dcap, &k);
	if (slot->gid)
		return 0;
	*slot = k;
	snap->dn++;
	if (++g->distinct >= TD_SNAP_DISTINCT_MAX)
		g->distinct_full = 1;
	return 0;
}

static uint32_t idle_ms(const struct td_sock *s);

/* No close in progress: idle TD_SNAP_OLD_MS or more. An orphaned FIN_WAIT2
 * is a timewait socket without tcp_info: its timer counts down
 * tcp_fin_timeout (60 s by default) from the close. */
static bool sock_old(const struct td_sock *s, int st)
{
	if (s->flags & TD_SOCK_HAS_INFO)
		return idle_ms(s) >= TD_SNAP_OLD_MS;
	if (st == TD_FIN_WAIT2 && s->timer == TD_TIMER_TIMEWAIT)
		return s->timer_ms + TD_SNAP_OLD_MS <= 60000;
	return true;
}

static struct mark *mark_slot(struct mark *tab, size_t cap, uint64_t cookie)
{
	size_t i = (size_t)((cookie * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);

	while (tab[i].cookie && tab[i].cookie != cookie)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* Remember a closing socket with its groups; bounded by TD_SNAP_MARKS_MAX. */
static int mark_add(struct td_snapshot *snap, const struct gsock *s, size_t gl, size_t gp)
{
	struct mark *m;

	if (snap->unconfirmable)
		return 0;
	if (snap->mn >= TD_SNAP_MARKS_MAX) {
		snap->unconfirmable = true;
		return 0;
	}
	if ((snap->mn + 1) * 2 > snap->mcap) {
		size_t ncap = snap->mcap ? snap->mcap * 2 : 256;
		struct mark *nt = calloc(ncap, sizeof(*nt)), *old = snap->marks;

		if (!nt)
			return -ENOMEM;
		for (size_t i = 0; i < snap->mcap; i++)
			if (old[i].cookie)
				*mark_slot(nt, ncap, old[i].cookie) = old[i];
		free(old);
		snap->marks = nt;
		snap->mcap = ncap;
	}
	m = mark_slot(snap->marks, snap->mcap, s->cookie);
	if (m->cookie)
		return 0;
	m->cookie = s->cookie;
	m->state = s->state;
	m->gl = (uint32_t)gl + 1;
	m->gp = (uint32_t)gp + 1;
	m->has_info = !!(s->flags & TD_SOCK_HAS_INFO);
	m->bytes_acked = s->bytes_acked;
	m->old = s->old;
	snap->mn++;
	return 0;
}

static void top_add(struct td_snap_top_list *t, const struct td_sock *s, uint64_t value,
		    uint32_t pid, const char *comm)
{
	size_t i;

	if (!value)
		return;
	if (t->n == TD_SNAP_TOPK) {
		if (value <= t->v[TD_SNAP_TOPK - 1].value)
			return;
		i = TD_SNAP_TOPK - 1;
	} else {
		i = t->n++;
	}
	/* Insertion: shift smaller entries down one place. */
	while (i > 0 && t->v[i - 1].value < value) {
		t->v[i] = t->v[i - 1];
		i--;
	}
	t->v[i].s = *s;
	t->v[i].value = value;
	t->v[i].pid = pid;
	memset(t->v[i].comm, 0, sizeof(t->v[i].comm));
	if (pid && comm)
		strncpy(t->v[i].comm, comm, sizeof(t->v[i].comm) - 1);
}

bool td_snapshot_is_listen_port(const struct td_snapshot *snap, uint16_t port)
{
	return snap->listen_ports[port >> 3] & (1u << (port & 7));
}

static int add_listener(struct td_snapshot *snap, const struct td_sock *s, uint32_t pid,
			const char *comm)
{
	struct td_snap_listener *l;

	snap->listen_ports[s->lport >> 3] |= (uint8_t)(1u << (s->lport & 7));
	if (snap->nlisteners == snap->lcap) {
		size_t ncap = snap->lcap ? snap->lcap * 2 : 16;
		struct td_snap_listener *nl = realloc(snap->listeners, ncap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		snap->listeners = nl;
		snap->lcap = ncap;
	}
	l = &snap->listeners[snap->nlisteners++];
	memset(l, 0, sizeof(*l));
	l->family = s->family;
	l->port = s->lport;
	memcpy(l->addr, s->laddr, 16);
	l->accept_queue = s->rqueue;
	l->has_backlog = !!(s->flags & TD_SOCK_HAS_BACKLOG);
	l->backlog = l->has_backlog ? s->wqueue : 0;
	l->inode = s->inode;
	l->pid = pid;
	if (pid && comm)
		strncpy(l->comm, comm, sizeof(l->comm) - 1);
	return 0;
}

static uint32_t idle_ms(const struct td_sock *s)
{
	const struct td_tcpinfo *i = &s->info;

	return i->last_data_recv_ms < i->last_data_sent_ms ? i->last_data_recv_ms
							   : i->last_data_sent_ms;
}

static void group_count(struct td_snap_group *g, const struct gsock *s)
{
	g->count++;
	if (s->rqueue > g->max_rqueue)
		g->max_rqueue = s->rqueue;
	if (s->wqueue > g->max_wqueue)
		g->max_wqueue = s->wqueue;
	if (s->retrans > g->max_retrans)
		g->max_retrans = s->retrans;
	if (s->retrans)
		g->retransmitting++;
	if (s->flags & TD_SOCK_HAS_INFO) {
		g->with_info++;
		g->total_retrans += s->total_retrans;
		if (s->idle_ms > g->max_idle_ms)
			g->max_idle_ms = s->idle_ms;
	}
}

static void gsock_of(struct gsock *g, const struct td_sock *s, int st)
{
	memset(g, 0, sizeof(*g));
	g->inode = s->inode;
	g->cookie = s->cookie;
	g->bytes_acked = s->info.bytes_acked;
	g->rqueue = s->rqueue;
	g->wqueue = s->wqueue;
	g->total_retrans = s->info.total_retrans;
	g->idle_ms = idle_ms(s);
	g->lport = s->lport;
	g->rport = s->rport;
	g->family = s->family;
	g->state = (uint8_t)st;
	g->retrans = s->retrans;
	g->flags = (uint8_t)s->flags;
	g->old = sock_old(s, st);
	memcpy(g->raddr, s->raddr, 16);
}

/* Count a socket (not LISTEN) in its LOCAL and PEER groups, owned by pid,
 * and mark it when its state is one td_snapshot_confirm() looks for. */
static int groups_add(struct td_snapshot *snap, const struct gsock *s, uint32_t pid,
		      const char *comm)
{
	struct td_snap_group k = { 0 }, *g;
	bool server = td_snapshot_is_listen_port(snap, s->lport);
	size_t gi, gl = 0;
	int rc = 0;

	k.state = s->state;
	k.pid = pid;
	if (pid && comm)
		strncpy(k.comm, comm, sizeof(k.comm) - 1);

	k.kind = TD_SNAP_LOCAL;
	k.port = server ? s->lport : 0;
	g = group_get(snap, &k, &gl);
	if (!g)
		rc = -ENOMEM;
	else {
		group_count(g, s);
		if ((s->state == TD_SYN_SENT || s->state == TD_SYN_RECV) &&
		    distinct_add(snap, g, gl, s) < 0)
			rc = -ENOMEM;
	}

	k.kind = TD_SNAP_PEER;
	k.port = server ? 0 : s->rport;
	k.family = s->family;
	memcpy(k.addr, s->raddr, 16);
	g = group_get(snap, &k, &gi);
	if (!g)
		rc = -ENOMEM;
	else
		group_count(g, s);
	if (!rc && (TD_SNAP_CONFIRM_STATES & TD_STATE_BIT(s->state))) {
		if (!(s->flags & TD_SOCK_HAS_COOKIE) || !s->cookie)
			snap->unconfirmable = true; /* cannot be found again */
		else if (mark_add(snap, s, gl, gi) < 0)
			rc = -ENOMEM;
	}
	return rc;
}

/* Hold a socket's group part until td_snapshot_owners() knows its owner. */
static int pending_add(struct td_snapshot *snap, const struct gsock *g)
{
	struct gsock *v = snap->pending;

	if (snap->npending == snap->pcap) {
		size_t ncap = snap->pcap ? snap->pcap * 2 : 256;

		v = realloc(snap->pending, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		snap->pending = v;
		snap->pcap = ncap;
	}
	v[snap->npending++] = *g;
	return 0;
}

int td_snapshot_add(struct td_snapshot *snap, const struct td_sock *s)
{
	const struct td_owner *o = NULL;

	if (s->inode && snap->owners)
		o = td_owners_get(snap->owners, s->inode);
	return td_snapshot_add_owned(snap, s, o ? (uint32_t)o->pid : 0, o ? o->comm : NULL);
}

int td_snapshot_add_owned(struct td_snapshot *snap, const struct td_sock *s, uint32_t pid,
			  const char *comm)
{
	int st = s->state == TD_NEW_SYN_RECV ? TD_SYN_RECV : s->state;
	struct gsock g;
	int rc;

	if (st < 1 || st > TD_STATE_MAX)
		st = TD_CLOSE;
	snap->total++;
	snap->counts[st]++;
	if (s->family == AF_INET6)
		snap->ipv6++;
	else
		snap->ipv4++;
	if (s->flags & TD_SOCK_HAS_INFO)
		snap->with_info++;
	if (st == TD_LISTEN)
		return add_listener(snap, s, pid, comm);

	gsock_of(&g, s, st);
	if (snap->defer_owners && s->inode && (TD_SNAP_OWNED_STATES & TD_STATE_BIT(st)))
		rc = pending_add(snap, &g);
	else
		rc = groups_add(snap, &g, pid, comm);

	top_add(&snap->top[TD_TOP_SENDQ], s, s->wqueue, pid, comm);
	top_add(&snap->top[TD_TOP_RECVQ], s, s->rqueue, pid, comm);
	if (st == TD_ESTABLISHED && s->timer == TD_TIMER_NONE) {
		snap->no_keepalive_estab++;
		/* Only an idle socket with no timer at all: a running
		 * retransmit timer means data in flight, not a silent peer. */
		if (s->flags & TD_SOCK_HAS_INFO)
			top_add(&snap->top[TD_TOP_IDLE], s, g.idle_ms, pid, comm);
	}
	if (s->flags & TD_SOCK_HAS_INFO)
		top_add(&snap->top[TD_TOP_RETRANS], s, s->info.total_retrans, pid, comm);
	return rc;
}

void td_snapshot_defer_owners(struct td_snapshot *snap)
{
	snap->owners = NULL;
	snap->defer_owners = true;
}

static void owner_fill(const struct td_owners *o, uint64_t inode, uint32_t *pid, char *comm)
{
	const struct td_owner *w = inode && !*pid ? td_owners_get(o, inode) : NULL;

	if (!w)
		return;
	*pid = (uint32_t)w->pid;
	memcpy(comm, w->comm, 16);
	comm[15] = 0;
}

int td_snapshot_owners(struct td_snapshot *snap, struct td_owners *o, const char *procdir,
		       struct td_err *err)
{
	const struct gsock *p = snap->pending;
	int rc = 0, arc = 0;

	for (size_t i = 0; i < snap->npending && !rc; i++)
		rc = td_owners_want(o, p[i].inode);
	for (size_t i = 0; i < snap->nlisteners && !rc; i++)
		rc = td_owners_want(o, snap->listeners[i].inode);
	for (int t = 0; t < TD_TOP_MAX && !rc; t++)
		for (size_t i = 0; i < snap->top[t].n && !rc; i++)
			rc = td_owners_want(o, snap->top[t].v[i].s.inode);
	if (rc < 0)
		td_err_set(err, rc, "owners: out of memory for %zu sockets", snap->npending);
	else {
		/* Every holder, so that the first owner is the lowest pid
		 * whichever walk runs, as with a table of every socket. */
		td_owners_set_complete(o, true);
		rc = td_owners_resolve(o, procdir, false, NULL, 0, err);
	}
	/* Without owners the sockets still count: the partial result. */
	for (size_t i = 0; i < snap->npending; i++) {
		const struct td_owner *w = rc < 0 ? NULL : td_owners_get(o, p[i].inode);
		int r = groups_add(snap, &p[i], w ? (uint32_t)w->pid : 0, w ? w->comm : NULL);

		if (r < 0)
			arc = r;
	}
	pending_free(snap);
	snap->defer_owners = false;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < snap->nlisteners; i++)
		owner_fill(o, snap->listeners[i].inode, &snap->listeners[i].pid,
			   snap->listeners[i].comm);
	for (int t = 0; t < TD_TOP_MAX; t++)
		for (size_t i = 0; i < snap->top[t].n; i++)
			owner_fill(o, snap->top[t].v[i].s.inode, &snap->top[t].v[i].pid,
				   snap->top[t].v[i].comm);
	if (arc < 0)
		td_err_set(err, arc, "out of memory for the socket groups");
	return arc;
}

int td_snapshot_cb(const struct td_sock *s, void *ctx)
{
	return td_snapshot_add(ctx, s);
}

int td_snapshot_dump(struct td_snapshot *snap, struct td_source *src, const struct td_filter *f,
		     struct td_err *err)
{
	struct td_filter phase = *f;
	int rc;

	phase.states = TD_STATE_BIT(TD_LISTEN);
	rc = td_source_dump(src, &phase, 0, td_snapshot_cb, snap, err);
	if (rc < 0)
		return rc;
	phase.states = TD_STATES_ALL & ~TD_STATE_BIT(TD_LISTEN);
	return td_source_dump(src, &phase, TD_DUMP_INFO, td_snapshot_cb, snap, err);
}

int td_snapshot_confirm_cb(const struct td_sock *s, void *ctx)
{
	struct td_snapshot *snap = ctx;
	int st = s->state == TD_NEW_SYN_RECV ? TD_SYN_RECV : s->state;

	if (!(s->flags & TD_SOCK_HAS_COOKIE) || !s->cookie)
		return 0;
	if (snap->mcap && (TD_SNAP_CONFIRM_STATES & TD_STATE_BIT(st))) {
		struct mark *m = mark_slot(snap->marks, snap->mcap, s->cookie);

		/* Acknowledged bytes in between: the peer is alive and reads,
		 * the close just takes a while (a big response draining). */
		if (m->cookie && !m->seen && m->state == st &&
		    !((st == TD_FIN_WAIT1 || st == TD_LAST_ACK || st == TD_CLOSING) &&
		      m->has_info && (s->flags & TD_SOCK_HAS_INFO) &&
		      s->info.bytes_acked != m->bytes_acked)) {
			bool old = sock_old(s, st);

			m->seen = 1;
			snap->groups[m->gl - 1].persisting++;
			snap->groups[m->gp - 1].persisting++;
			snap->groups[m->gl - 1].persisting_old += old;
			snap->groups[m->gp - 1].persisting_old += old;
		}
	}
	for (int t = 0; t < TD_TOP_MAX; t++)
		for (size_t i = 0; i < snap->top[t].n; i++) {
			struct td_snap_sock *e = &snap->top[t].v[i];

			if (e->s.cookie == s->cookie && (e->s.flags & TD_SOCK_HAS_COOKIE)) {
				e->again = 1;
				e->s2 = *s;
			}
		}
	return 0;
}

int td_snapshot_confirm(struct td_snapshot *snap, struct td_source *src, const struct td_filter *f,
			struct td_err *err)
{
	struct td_filter phase = *f;
	int rc;

	if (snap->unconfirmable)
		return 0;
	/* Only the states something waits for: the closing ones when marked,
	 * ESTABLISHED when a queue top list holds one (the dump of every
	 * connection again is the cost on a big host). */
	phase.states = snap->mn ? TD_SNAP_CONFIRM_STATES : 0;
	for (int t = TD_TOP_SENDQ; t <= TD_TOP_RECVQ; t++)
		for (size_t i = 0; i < snap->top[t].n; i++) {
			int st = snap->top[t].v[i].s.state;

			phase.states |= TD_STATE_BIT(st == TD_NEW_SYN_RECV ? TD_SYN_RECV : st);
		}
	snap->confirmed = true;
	if (!phase.states)
		return 0; /* nothing to look for: nothing can persist */
	rc = td_source_dump(src, &phase, TD_DUMP_INFO, td_snapshot_confirm_cb, snap, err);
	if (rc < 0)
		snap->confirmed = false;
	return rc;
}

int td_snapshot_confirm_prev(struct td_snapshot *snap, const struct td_snapshot *prev)
{
	const struct mark *pm = prev ? prev->marks : NULL;

	if (!prev || snap->unconfirmable || prev->unconfirmable)
		return 0;
	for (size_t i = 0; i < snap->mcap; i++) {
		struct mark *m = &((struct mark *)snap->marks)[i];
		const struct mark *o;

		if (!m->cookie || m->seen)
			continue;
		o = prev->mcap ? mark_slot((struct mark *)pm, prev->mcap, m->cookie) : NULL;
		if (!o || !o->cookie || o->state != m->state)
			continue;
		if ((m->state == TD_FIN_WAIT1 || m->state == TD_LAST_ACK ||
		     m->state == TD_CLOSING) &&
		    m->has_info && o->has_info && m->bytes_acked != o->bytes_acked)
			continue;
		m->seen = 1;
		snap->groups[m->gl - 1].persisting++;
		snap->groups[m->gp - 1].persisting++;
		snap->groups[m->gl - 1].persisting_old += m->old;
		snap->groups[m->gp - 1].persisting_old += m->old;
	}
	/* The queue rules compare a socket's two reads whichever came first. */
	for (int t = 0; t < TD_TOP_MAX; t++)
		for (size_t i = 0; i < snap->top[t].n; i++) {
			struct td_snap_sock *e = &snap->top[t].v[i];
			const struct td_snap_top_list *pl = &prev->top[t];

			if (!(e->s.flags & TD_SOCK_HAS_COOKIE))
				continue;
			for (size_t k = 0; k < pl->n; k++)
				if (pl->v[k].s.cookie == e->s.cookie &&
				    (pl->v[k].s.flags & TD_SOCK_HAS_COOKIE)) {
					e->again = 1;
					e->s2 = pl->v[k].s;
				}
		}
	snap->confirmed = true;
	return 0;
}

void td_snapshot_keep_marks(struct td_snapshot *snap)
{
	free(snap->groups);
	free(snap->gidx);
	free(snap->listeners);
	free(snap->distinct);
	snap->groups = NULL;
	snap->gidx = NULL;
	snap->listeners = NULL;
	snap->distinct = NULL;
	snap->ngroups = snap->gcap = snap->hcap = 0;
	snap->nlisteners = snap->lcap = snap->dn = snap->dcap = 0;
	snap->owners = NULL;
}

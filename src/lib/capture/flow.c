/* The flow engine: 4-tuple -> connection, Wireshark's sequence analysis per
 * segment (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number), Zeek's
 * conn_state and history, and each endpoint's RFC 9293 state walked through
 * the fsm.c table as far as a passive observer can know it. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "capture/flow.h"
#include "fsm.h"

/* Records come in slabs: the first of SLAB_FIRST (a small capture stays
 * small), the later ones a huge page each where the kernel gives one
 * (MADV_HUGEPAGE): one TLB entry for 2,520 records, where a wide capture
 * missed the TLB at a good part of its segments. */
#define SLAB_FIRST 256
#define SLAB_BYTES (2u << 20)
#define MIN_SLOTS 1024
#define NS_PER_MS 1000000ull
#define EXPIRE_EVERY_NS 1000000000ull /* sweep the lists at most once a second */
/* cfg.pipeline: a segment's slot is prefetched when it is taken, its
 * connection PIPE_CONN_AHEAD segments before it is analysed, PIPE_DEPTH
 * segments later. */
#define PIPE_SIZE 8
#define PIPE_DEPTH 6
#define PIPE_CONN_AHEAD 2
/* Zeek's default timers (init-bare.zeek): tcp_attempt_delay,
 * tcp_close_delay (tcp_reset_delay is the same), tcp_inactivity_timeout */
#define Z_ATTEMPT_NS (5ull * 1000000000ull)
#define Z_CLOSE_DELAY_NS (5ull * 1000000000ull)
#define Z_INACTIVITY_NS (300ull * 1000000000ull)

/* Sequence space comparisons (RFC 9293 3.4): modulo 2^32, written as
 * Wireshark's GT_SEQ() and friends, so that two numbers exactly 2^31 apart
 * compare as there (each both below and above the other). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(b) - (uint32_t)(a)) < 0)
#define SEQ_LE(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GE(a, b) ((int32_t)((uint32_t)(b) - (uint32_t)(a)) <= 0)

enum { LIST_OPEN, LIST_DONE, LIST_NONE };

struct list {
	struct td_conn *head, *tail;
};

struct slot {
	uint32_t hash;
	struct td_conn *c; /* NULL: empty */
};

struct pending {
	struct td_pkt p;
	uint64_t pkt_no;
	uint32_t hash;
};

struct td_flow_table {
	struct td_flow_cfg cfg;
	struct pending pipe[PIPE_SIZE];
	unsigned pipe_head, pipe_n;
	struct slot *slots;
	uint32_t nslots, used;
	struct list lists[2];
	struct td_conn **slabs;
	size_t nslabs;
	struct td_conn *free_conns;
	uint64_t next_id, last_expire_ns, now_ns;
	struct td_flow_stats st;
};

static const struct {
	const char *name, *field;
} ana_names[TD_A_COUNT] = {
	[TD_A_RETRANS] = { "retransmission", "tcp.analysis.retransmission" },
	[TD_A_FAST_RETRANS] = { "fast-retransmission", "tcp.analysis.fast_retransmission" },
	[TD_A_SPURIOUS_RETRANS] = { "spurious-retransmission",
				    "tcp.analysis.spurious_retransmission" },
	[TD_A_OUT_OF_ORDER] = { "out-of-order", "tcp.analysis.out_of_order" },
	[TD_A_LOST_SEGMENT] = { "lost-segment", "tcp.analysis.lost_segment" },
	[TD_A_ACK_UNSEEN] = { "ack-unseen", "tcp.analysis.ack_lost_segment" },
	[TD_A_DUP_ACK] = { "dup-ack", "tcp.analysis.duplicate_ack" },
	[TD_A_ZERO_WINDOW] = { "zero-window", "tcp.analysis.zero_window" },
	[TD_A_ZW_PROBE] = { "zero-window-probe", "tcp.analysis.zero_window_probe" },
	[TD_A_ZW_PROBE_ACK] = { "zero-window-probe-ack", "tcp.analysis.zero_window_probe_ack" },
	[TD_A_WINDOW_FULL] = { "window-full", "tcp.analysis.window_full" },
	[TD_A_WINDOW_UPDATE] = { "window-update", "tcp.analysis.window_update" },
	[TD_A_KEEP_ALIVE] = { "keep-alive", "tcp.analysis.keep_alive" },
	[TD_A_KEEP_ALIVE_ACK] = { "keep-alive-ack", "tcp.analysis.keep_alive_ack" },
	[TD_A_REUSED_PORTS] = { "reused-ports", "tcp.analysis.reused_ports" },
};

const char *td_ana_name(enum td_ana a)
{
	return (unsigned)a < TD_A_COUNT ? ana_names[a].name : "unknown";
}

const char *td_ana_field(enum td_ana a)
{
	return (unsigned)a < TD_A_COUNT ? ana_names[a].field : "unknown";
}

/* Zeek's base/protocols/conn/main.zeek, conn_state documentation. */
static const struct {
	const char *name, *text;
} cs_names[TD_CS_COUNT] = {
	[TD_CS_S0] = { "S0", "connection attempt seen, no reply" },
	[TD_CS_S1] = { "S1", "connection established, not terminated" },
	[TD_CS_SF] = { "SF", "normal establishment and termination" },
	[TD_CS_REJ] = { "REJ", "connection attempt rejected" },
	[TD_CS_S2] = { "S2", "established, close attempt by originator seen (no reply from "
			     "responder)" },
	[TD_CS_S3] = { "S3", "established, close attempt by responder seen (no reply from "
			     "originator)" },
	[TD_CS_RSTO] = { "RSTO", "established, originator aborted (sent a RST)" },
	[TD_CS_RSTR] = { "RSTR", "responder sent a RST" },
	[TD_CS_RSTOS0] = { "RSTOS0", "originator sent a SYN followed by a RST, no SYN-ACK seen" },
	[TD_CS_RSTRH] = { "RSTRH", "responder sent a SYN-ACK followed by a RST, no SYN seen" },
	[TD_CS_SH] = { "SH", "originator sent a SYN followed by a FIN, no SYN-ACK seen" },
	[TD_CS_SHR] = { "SHR", "responder sent a SYN-ACK followed by a FIN, no SYN seen" },
	[TD_CS_OTH] = { "OTH", "no SYN seen, just midstream traffic" },
};

const char *td_conn_state_name(enum td_conn_state cs)
{
	return (unsigned)cs < TD_CS_COUNT ? cs_names[cs].name : "?";
}

const char *td_conn_state_text(enum td_conn_state cs)
{
	return (unsigned)cs < TD_CS_COUNT ? cs_names[cs].text : "?";
}

/* ---- hashing and the table ------------------------------------------- */

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* One endpoint as 64 bits (IPv4 sits in the first word; IPv6's second word
 * is folded in by a multiply). */
static uint64_t ep_key(const uint8_t addr[16], uint16_t port)
{
	uint64_t w0, w1;

	memcpy(&w0, addr, 8);
	memcpy(&w1, addr + 8, 8);
	return (w0 ^ w1 * 0x9e3779b97f4a7c15ull) + ((uint64_t)port << 40 | port);
}

/* Symmetric in the two endpoints (both directions find the same slot): the
 * two keys in a fixed order, then one mix per packet. */
static uint32_t tuple_hash(const struct td_pkt *p)
{
	uint64_t a = ep_key(p->saddr, p->sport), b = ep_key(p->daddr, p->dport);
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return (uint32_t)mix64(lo * 0xff51afd7ed558ccdull ^ hi ^ p->family);
}

static bool ep_eq(const struct td_flow_dir *d, const uint8_t addr[16], uint16_t port)
{
	uint64_t a[2], b[2];

	memcpy(a, d->addr, 16);
	memcpy(b, addr, 16);
	return d->port == port && !((a[0] ^ b[0]) | (a[1] ^ b[1]));
}

/* Which direction of c the packet goes: 0, 1, or -1 for another tuple. */
static int match_dir(const struct td_conn *c, const struct td_pkt *p)
{
	if (c->family != p->family)
		return -1;
	if (ep_eq(&c->dir[0], p->saddr, p->sport) && ep_eq(&c->dir[1], p->daddr, p->dport))
		return 0;
	if (ep_eq(&c->dir[1], p->saddr, p->sport) && ep_eq(&c->dir[0], p->daddr, p->dport))
		return 1;
	return -1;
}

static struct td_conn *lookup(struct td_flow_table *t, const struct td_pkt *p, uint32_t h, int *dir)
{
	uint32_t mask = t->nslots - 1;

	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &t->slots[i];

		if (!s->c)
			return NULL;
		if (s->hash == h && (*dir = match_dir(s->c, p)) >= 0)
			return s->c;
	}
}

static void place(struct td_flow_table *t, struct td_conn *c, uint32_t h)
{
	uint32_t mask = t->nslots - 1, i = h & mask;

	while (t->slots[i].c)
		i = (i + 1) & mask;
	t->slots[i].hash = h;
	t->slots[i].c = c;
	c->slot = i;
}

static int grow(struct td_flow_table *t)
{
	struct slot *old = t->slots;
	uint32_t n = t->nslots;

	t->slots = calloc((size_t)n * 2, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->nslots = n * 2;
	for (uint32_t i = 0; i < n; i++)
		if (old[i].c)
			place(t, old[i].c, old[i].hash);
	free(old);
	return 0;
}

/* Linear probing deletion by backward shift (Knuth 6.4 algorithm R): no
 * tombstones, so lookups stay short however many connections came and went. */
static void unslot(struct td_flow_table *t, struct td_conn *c)
{
	uint32_t mask = t->nslots - 1, i = c->slot, j = i;

	t->slots[i].c = NULL;
	for (;;) {
		uint32_t k;

		j = (j + 1) & mask;
		if (!t->slots[j].c)
			break;
		k = t->slots[j].hash & mask;
		/* Move j back to i unless its home k lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[i].c->slot = i;
		t->slots[j].c = NULL;
		i = j;
	}
	t->used--;
}

/* ---- lists (LRU order by last packet) ---------------------------------- */

static void list_del(struct td_flow_table *t, struct td_conn *c)
{
	struct list *l;

	if (c->list == LIST_NONE)
		return;
	l = &t->lists[c->list];
	if (c->lru_prev)
		c->lru_prev->lru_next = c->lru_next;
	else
		l->head = c->lru_next;
	if (c->lru_next)
		c->lru_next->lru_prev = c->lru_prev;
	else
		l->tail = c->lru_prev;
	c->lru_prev = c->lru_next = NULL;
	c->list = LIST_NONE;
}

static void list_add_tail(struct td_flow_table *t, struct td_conn *c, int which)
{
	struct list *l = &t->lists[which];

	c->list = (uint8_t)which;
	c->lru_next = NULL;
	c->lru_prev = l->tail;
	if (l->tail)
		l->tail->lru_next = c;
	else
		l->head = c;
	l->tail = c;
}

/* ---- allocation --------------------------------------------------------- */

static struct td_conn *conn_alloc(struct td_flow_table *t)
{
	struct td_conn *c;

	if (!t->free_conns) {
		size_t bytes = t->nslabs ? SLAB_BYTES : SLAB_FIRST * sizeof(*c),
		       n = bytes / sizeof(*c);
		struct td_conn *slab =
			aligned_alloc(t->nslabs ? SLAB_BYTES : _Alignof(struct td_conn), bytes);
		struct td_conn **v = realloc(t->slabs, (t->nslabs + 1) * sizeof(*v));

		if (!slab || !v) {
			free(slab);
			if (v)
				t->slabs = v;
			return NULL;
		}
		if (t->nslabs)
			madvise(slab, SLAB_BYTES, MADV_HUGEPAGE); /* a hint: may be refused */
		t->slabs = v;
		t->slabs[t->nslabs++] = slab;
		for (size_t i = n; i-- > 0;) {
			slab[i].lru_next = t->free_conns;
			t->free_conns = &slab[i];
		}
	}
	c = t->free_conns;
	t->free_conns = c->lru_next;
	memset(c, 0, sizeof(*c));
	return c;
}

static void conn_release(struct td_flow_table *t, struct td_conn *c)
{
	list_del(t, c);
	unslot(t, c);
	c->lru_next = t->free_conns;
	t->free_conns = c;
	t->st.active--;
	if (!c->done_ns)
		t->st.open--;
}

static int emit(struct td_flow_table *t, struct td_conn *c, enum td_conn_end why)
{
	int rc = 0;

	c->end = why;
	if (t->cfg.on_conn)
		rc = t->cfg.on_conn(c, t->cfg.ctx);
	conn_release(t, c);
	return rc;
}

/* The rows of the fsm.c table for each (state, event), in table order, so a
 * walk looks at two or three rows instead of scanning the table (it ran on
 * every state change of every connection: 5% of `pcap`'s instructions). */
#define EDGE_LIST_MAX 8
static struct {
	uint8_t n;
	uint8_t row[EDGE_LIST_MAX];
} edge_index[TD_STATE_MAX + 1][TD_EV_MAX + 1];
static bool edge_index_full; /* a pair had more rows than fit: scan instead */
static pthread_once_t edge_index_once = PTHREAD_ONCE_INIT;

static void build_edge_index(void)
{
	size_t n;
	const struct td_fsm_edge *e = td_fsm_edges(&n);

	for (size_t i = 0; i < n; i++) {
		int from = e[i].from, ev = (int)e[i].event;

		if (from < 0 || from > TD_STATE_MAX || ev < 0 || ev > TD_EV_MAX || i > 255 ||
		    edge_index[from][ev].n == EDGE_LIST_MAX) {
			edge_index_full = true;
			continue;
		}
		edge_index[from][ev].row[edge_index[from][ev].n++] = (uint8_t)i;
	}
}

struct td_flow_table *td_flow_new(const struct td_flow_cfg *cfg)
{
	struct td_flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_once(&edge_index_once, build_edge_index);
	t->cfg = *cfg;
	if (!t->cfg.grace_ns)
		t->cfg.grace_ns = TD_FLOW_GRACE_NS;
	/* Zeek forgets an inactive connection after tcp_inactivity_timeout */
	if (t->cfg.zeek_streams && !t->cfg.idle_ns)
		t->cfg.idle_ns = Z_INACTIVITY_NS;
	/* The idle timer takes the least recently active first. */
	if (t->cfg.idle_ns)
		t->cfg.open_by_activity = true;
	t->nslots = MIN_SLOTS;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void td_flow_free(struct td_flow_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nslabs; i++)
		free(t->slabs[i]);
	free(t->slabs);
	free(t->slots);
	free(t);
}

void td_flow_stats(const struct td_flow_table *t, struct td_flow_stats *st)
{
	*st = t->st;
}

/* ---- history (Zeek) ------------------------------------------------------- */

/* Zeek's history masks (TCP_Endpoint::HIST_*): S and H share one. Bits are
 * kept per role (hist_once[0] the originator's), as Zeek keeps them in the
 * connection, not in the endpoint. */
enum { H_SYN, H_FIN, H_RST, H_ACK, H_DATA, H_FINRST, H_MULTI, H_LIMIT };
enum { HC_T, HC_W, HC_G };
/* td_conn.z_rare: in a tunnel (z_tunnel_check()); history empty or just
 * "H" so far (z_flip_at_productive()) */
enum { Z_RARE_TUNNEL = 1, Z_RARE_H = 2 };

static void hist_put(struct td_conn *c, char ch)
{
	size_t n = strlen(c->history);

	if (n < TD_HISTORY_MAX) {
		c->history[n] = ch;
		c->history[n + 1] = '\0';
	}
}

static void hist_add(struct td_conn *c, int dir, char letter)
{
	hist_put(c, dir == 0 ? letter : (char)(letter + 32));
}

/* Zeek's CheckHistory(): log the letter the first time, and say whether it
 * had been logged before. Upper case given, lower case for the responder. */
static bool hist_check(struct td_conn *c, int dir, int bit, char letter)
{
	if (c->hist_once[dir] & (1u << bit))
		return true;
	c->hist_once[dir] |= 1u << bit;
	hist_add(c, dir, letter);
	return false;
}

/* T, W, G: logged at the 1st, 10th, 100th... occurrence (Zeek's
 * ScaledHistoryEntry). */
static void hist_count(struct td_conn *c, int dir, int which, char letter)
{
	uint32_t n = ++c->dir[dir].hist_counts[which];

	while (n % 10 == 0)
		n /= 10;
	if (n == 1)
		hist_add(c, dir, letter);
}

/* ---- the RFC 9293 walk ----------------------------------------------------- */

static bool edge_fits(const struct td_fsm_edge *e, int send, int to)
{
	return (send < 0 || (int)e->send == send) && (to < 0 || e->to == to);
}

/* First row from `from` on ev that sends `send` (-1: any). */
static const struct td_fsm_edge *find_edge(int from, enum td_fsm_event ev, int send, int to)
{
	size_t n;
	const struct td_fsm_edge *e = td_fsm_edges(&n);

	if (!edge_index_full && from >= 0 && from <= TD_STATE_MAX && (int)ev >= 0 &&
	    ev <= TD_EV_MAX) {
		for (unsigned k = 0; k < edge_index[from][ev].n; k++)
			if (edge_fits(&e[edge_index[from][ev].row[k]], send, to))
				return &e[edge_index[from][ev].row[k]];
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (e[i].from == from && e[i].event == ev && edge_fits(&e[i], send, to))
			return &e[i];
	return NULL;
}

static void walk(struct td_flow_dir *e, enum td_fsm_event ev, int send, int to)
{
	const struct td_fsm_edge *edge = find_edge(e->state, ev, send, to);

	if (edge)
		e->state = edge->to;
}

/* What the sender's segment says about the sender itself. */
static void fsm_send(struct td_conn *c, int d, const struct td_pkt *p)
{
	struct td_flow_dir *a = &c->dir[d];
	uint8_t f = p->flags;

	if (f & TD_TH_RST) {
		const struct td_fsm_edge *e = find_edge(a->state, TD_EV_CLOSE, TD_SEND_RST, -1);

		a->state = e ? e->to : TD_CLOSE;
		return;
	}
	if ((f & (TD_TH_SYN | TD_TH_ACK)) == TD_TH_SYN) {
		if (a->state == 0 || a->state == TD_CLOSE)
			a->state = TD_CLOSE, walk(a, TD_EV_ACTIVE_OPEN, -1, -1);
	} else if (f & TD_TH_SYN) {
		/* A SYN-ACK: the sender got a SYN. Unknown or closed means it was
		 * listening (the passive open is only implied). */
		if (a->state == 0 || a->state == TD_CLOSE) {
			a->state = TD_CLOSE;
			walk(a, TD_EV_PASSIVE_OPEN, -1, -1);
			a->passive = true;
		}
		if (a->state == TD_LISTEN || a->state == TD_SYN_SENT)
			walk(a, TD_EV_RCV_SYN, -1, -1);
	}
	if (f & TD_TH_FIN) {
		if (!a->fin_sent) {
			a->fin_sent = true;
			a->fin_seq = p->seq + p->payload_len + ((f & TD_TH_SYN) ? 1 : 0);
		}
		/* Our FIN does not acknowledge the peer's: it left before the peer's
		 * FIN arrived, so we were not in CLOSE-WAIT but closing too
		 * (simultaneous close, RFC 9293 figure 13). */
		if (a->state == TD_CLOSE_WAIT && c->dir[!d].fin_sent &&
		    (!(f & TD_TH_ACK) || SEQ_LT(p->ack, c->dir[!d].fin_seq + 1))) {
			a->state = TD_ESTABLISHED;
			walk(a, TD_EV_CLOSE, TD_SEND_FIN, -1);
			walk(a, TD_EV_RCV_FIN, -1, -1);
		} else {
			walk(a, TD_EV_CLOSE, TD_SEND_FIN, -1);
		}
	}
}

/* What the receiver does with it, assuming it arrives (the observer cannot
 * know otherwise). */
static void fsm_recv(struct td_conn *c, int d, const struct td_pkt *p)
{
	struct td_flow_dir *b = &c->dir[!d];
	uint8_t f = p->flags;
	bool fin_done = false;

	if (b->state == 0)
		return;
	if (f & TD_TH_RST) {
		if (b->state == TD_SYN_RECV)
			walk(b, TD_EV_RCV_RST, -1, b->passive ? TD_LISTEN : TD_CLOSE);
		else
			walk(b, TD_EV_RCV_RST, -1, -1);
		return;
	}
	if (f & TD_TH_ACK) {
		bool acks_syn = b->syn_sent && SEQ_GE(p->ack, b->isn + 1);

		if (b->state == TD_SYN_SENT && (f & TD_TH_SYN) && acks_syn)
			walk(b, TD_EV_RCV_SYN_ACK, -1, -1);
		else if (b->state == TD_SYN_RECV && acks_syn)
			walk(b, (f & TD_TH_SYN) ? TD_EV_RCV_SYN_ACK : TD_EV_RCV_ACK, -1, -1);
		if (b->fin_sent && SEQ_GE(p->ack, b->fin_seq + 1)) {
			b->fin_acked = true;
			if (b->state == TD_FIN_WAIT1 && (f & TD_TH_FIN)) {
				walk(b, TD_EV_RCV_FIN_ACK, -1, -1);
				fin_done = true;
			} else if (b->state == TD_FIN_WAIT1 || b->state == TD_CLOSING ||
				   b->state == TD_LAST_ACK) {
				walk(b, TD_EV_RCV_ACK, -1, -1);
			}
		}
	}
	if ((f & TD_TH_FIN) && !fin_done)
		walk(b, TD_EV_RCV_FIN, -1, -1);
}

/* ---- Zeek's TCP analyzer ------------------------------------------------------
 * A port of what conn_state and history depend on in Zeek's
 * TCPSessionAdapter::Process() (src/packet_analysis/protocol/tcp/) and its
 * TCP_Endpoint and TCP_Reassembler (src/analyzer/protocol/tcp/): the
 * endpoint state machine, the sequence bookkeeping behind Size(), the
 * history letters, and content gaps as the reassembler finds them. */

#define Z_TOO_LARGE_SEQ_DELTA 1048576

static void z_set(struct td_flow_dir *e, int st)
{
	if (e->zeek != st) {
		e->zeek_prev = e->zeek;
		e->zeek = (uint8_t)st;
	}
}

/* Zeek's default likely_server_ports for TCP: the ports its base protocol
 * analyzers register (FTP, SSH, SMTP, DNS, HTTP, POP3, IMAP, IRC, SSL/TLS,
 * XMPP, SMB, DCE-RPC, Kerberos, LDAP, MySQL, PostgreSQL, Redis, RDP, SOCKS,
 * Modbus, DNP3). Sorted. */
static const uint16_t likely_server_ports[] = {
	21,   22,   25,	  53,	80,   81,   88,	  110,	135,  139,   143,  389,
	443,  445,  502,  563,	585,  587,  614,  631,	636,  989,   990,  992,
	993,  995,  1080, 1434, 2811, 3128, 3268, 3306, 3389, 5222,  5223, 5269,
	5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static bool likely_server_port(uint16_t port)
{
	size_t lo = 0, hi = sizeof(likely_server_ports) / sizeof(likely_server_ports[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (likely_server_ports[mid] == port)
			return true;
		if (likely_server_ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Zeek's TCPAnalyzer::WantConnection(): a connection whose first packet is
 * not a plain SYN is flipped when the sender's port is a likely server port
 * and the receiver's is not; both likely: only a non-SYN going to the
 * higher port. */
static bool z_want_flip(const struct td_pkt *p)
{
	if ((p->flags & TD_TH_SYN) && !(p->flags & TD_TH_ACK))
		return false;
	if (!likely_server_port(p->sport))
		return false;
	if (likely_server_port(p->dport))
		return !(p->flags & TD_TH_SYN) && p->sport < p->dport;
	return true;
}

static void z_init_seq(struct td_flow_dir *e, uint32_t start, uint32_t last)
{
	e->z_start = e->z_ack = start;
	e->z_last = last;
}

/* init_endpoint() */
static void z_init_endpoint(struct td_flow_dir *e, uint8_t f, uint32_t seq, uint32_t last)
{
	switch (e->zeek) {
	case TD_ZEEK_INACTIVE:
		if (f & TD_TH_SYN)
			z_init_seq(e, seq, last);
		else
			z_init_seq(e, seq - 1, seq);
		break;
	case TD_ZEEK_SYN_SENT:
	case TD_ZEEK_SYN_ACK_SENT:
		if ((f & TD_TH_SYN) && seq != e->z_start)
			z_init_seq(e, seq, last);
		break;
	case TD_ZEEK_ESTABLISHED:
	case TD_ZEEK_PARTIAL:
		if (f & TD_TH_SYN)
			z_init_seq(e, seq, last);
		break;
	case TD_ZEEK_RESET:
		if ((f & TD_TH_SYN) && e->zeek_prev == TD_ZEEK_INACTIVE)
			z_init_seq(e, seq, last);
		break;
	}
}

/* update_history() */
static void z_history(struct td_conn *c, int d, uint8_t f, uint32_t rel_seq, uint32_t len)
{
	struct td_flow_dir *e = &c->dir[d];
	int bits = !!(f & TD_TH_SYN) + !!(f & TD_TH_FIN) + !!(f & TD_TH_RST);

	if (bits > 1) {
		if ((f & TD_TH_FIN) && (f & TD_TH_RST))
			hist_check(c, d, H_FINRST, 'I');
		else
			hist_check(c, d, H_MULTI, 'Q');
	} else if (f & TD_TH_SYN) {
		char code = (f & TD_TH_ACK) ? 'H' : 'S';

		if (hist_check(c, d, H_SYN, code) && rel_seq != e->z_hist_syn)
			hist_add(c, d, code);
		e->z_hist_syn = rel_seq;
	} else if (f & TD_TH_FIN) {
		if (hist_check(c, d, H_FIN, 'F') && rel_seq + len != e->z_hist_fin)
			hist_add(c, d, 'F');
		e->z_hist_fin = rel_seq + len;
	} else if (f & TD_TH_RST) {
		if (hist_check(c, d, H_RST, 'R') && rel_seq != e->z_hist_rst)
			hist_add(c, d, 'R');
		e->z_hist_rst = rel_seq;
	} else if (len) {
		hist_check(c, d, H_DATA, 'D');
	} else if (f & TD_TH_ACK) {
		hist_check(c, d, H_ACK, 'A');
	}
}

/* update_last_seq(): returns the delta; a payload not beyond the highest
 * sequence number seen is a retransmission (T). */
static int32_t z_update_last_seq(struct td_conn *c, int d, uint32_t last, uint8_t f, uint32_t len)
{
	struct td_flow_dir *e = &c->dir[d];
	int32_t delta = (int32_t)(last - e->z_last);

	if ((f & (TD_TH_SYN | TD_TH_RST)) &&
	    (delta > Z_TOO_LARGE_SEQ_DELTA || delta < -Z_TOO_LARGE_SEQ_DELTA))
		;
	else if ((f & TD_TH_FIN) && e->z_last == e->z_start + 1)
		e->z_last = last;
	else if (e->zeek == TD_ZEEK_RESET)
		;
	else if (delta > 0)
		e->z_last = last;
	else if (len > 0)
		hist_count(c, d, HC_T, 'T');
	return delta;
}

/* Both directions trade places: Connection::FlipRoles(). The history's
 * per-role bits stay where they are, as in Zeek. */
static void z_flip(struct td_conn *c)
{
	struct td_flow_dir tmp = c->dir[0];

	c->dir[0] = c->dir[1];
	c->dir[1] = tmp;
	if (c->closer >= 0)
		c->closer = !c->closer;
	c->flipped = !c->flipped;
	hist_put(c, '^');
}

/* TCP_Endpoint::CheckHistory(): a connection that began with a SYN-ACK
 * (history just "H") is flipped once an ACK or data segment follows,
 * either way, and its history rewritten "^h", as if the SYN had been
 * seen. Returns the sender's direction afterwards. */
static int z_flip_at_productive(struct td_conn *c, int d, const struct td_pkt *p)
{
	if (p->flags & (TD_TH_SYN | TD_TH_FIN | TD_TH_RST) ||
	    !(p->payload_len || (p->flags & TD_TH_ACK)))
		return d;
	z_flip(c);
	strcpy(c->history, "^h");
	return !d;
}

/* UpdateStateMachine(), with its Update*State() helpers. *d follows the
 * sender when the roles flip. */
static bool z_state_machine(struct td_conn *c, int *d, uint8_t f, uint32_t seq, uint32_t len,
			    uint64_t now)
{
	struct td_flow_dir *e = &c->dir[*d], *peer = &c->dir[!*d];
	bool is_orig = *d == 0, do_close = false;

	switch (e->zeek) {
	case TD_ZEEK_INACTIVE:
		if (f & TD_TH_SYN) {
			if (is_orig) {
				z_set(e, (f & TD_TH_ACK) ? TD_ZEEK_SYN_ACK_SENT : TD_ZEEK_SYN_SENT);
				c->z_attempt_ns = now + Z_ATTEMPT_NS; /* AttemptTimer */
			} else {
				if (!(f & TD_TH_ACK) && peer->zeek == TD_ZEEK_SYN_ACK_SENT &&
				    seq == e->z_start) {
					/* the SYN/SYN-ACK reversal */
					z_flip(c);
					*d = !*d;
					e = &c->dir[*d];
					peer = &c->dir[!*d];
					z_set(peer, TD_ZEEK_ESTABLISHED);
				}
				if (peer->zeek == TD_ZEEK_SYN_SENT)
					z_set(peer, TD_ZEEK_ESTABLISHED);
				z_set(e, TD_ZEEK_ESTABLISHED);
			}
		}
		if (f & TD_TH_FIN)
			z_set(e, TD_ZEEK_CLOSED);
		if (f & TD_TH_RST)
			z_set(e, TD_ZEEK_RESET);
		do_close = f & (TD_TH_FIN | TD_TH_RST);
		if (e->zeek == TD_ZEEK_INACTIVE) {
			if (!is_orig && len == 0 && c->dir[0].zeek == TD_ZEEK_SYN_SENT)
				; /* an ACK of the SYN before the SYN-ACK */
			else if ((f & TD_TH_ACK) && peer->zeek == TD_ZEEK_ESTABLISHED)
				z_set(e, TD_ZEEK_ESTABLISHED); /* the SYN was missed */
			else
				z_set(e, TD_ZEEK_PARTIAL);
		}
		break;
	case TD_ZEEK_SYN_SENT:
	case TD_ZEEK_SYN_ACK_SENT:
		if (f & TD_TH_FIN)
			z_set(e, TD_ZEEK_CLOSED);
		if (f & TD_TH_RST)
			z_set(e, TD_ZEEK_RESET);
		do_close = f & (TD_TH_FIN | TD_TH_RST);
		break;
	case TD_ZEEK_ESTABLISHED:
	case TD_ZEEK_PARTIAL:
		if ((f & TD_TH_SYN) && e->zeek == TD_ZEEK_PARTIAL &&
		    peer->zeek == TD_ZEEK_INACTIVE && !(f & TD_TH_ACK))
			z_set(e, TD_ZEEK_SYN_SENT);
		if ((f & TD_TH_FIN) && !(f & TD_TH_RST)) {
			z_set(e, TD_ZEEK_CLOSED);
			/* the peer's FIN then RST was a normal close after all */
			if (peer->zeek == TD_ZEEK_RESET && peer->zeek_prev == TD_ZEEK_CLOSED)
				z_set(peer, TD_ZEEK_CLOSED);
			do_close = true;
		}
		if (f & TD_TH_RST) {
			z_set(e, TD_ZEEK_RESET);
			do_close = true;
		}
		break;
	case TD_ZEEK_CLOSED:
		/* after a FIN exchange a RST changes nothing */
		if ((f & TD_TH_RST) && peer->zeek != TD_ZEEK_CLOSED) {
			z_set(e, TD_ZEEK_RESET);
			do_close = !e->z_did_close;
		}
		break;
	default:
		break;
	}
	return do_close;
}

static bool z_handshake(int st)
{
	return st == TD_ZEEK_INACTIVE || st == TD_ZEEK_SYN_SENT || st == TD_ZEEK_SYN_ACK_SENT;
}

/* ConnectionClosed(): this side is done; once the close is complete (a
 * RST, both sides closed, or nothing ever from the peer) Zeek deletes the
 * connection tcp_close_delay later. */
static void z_closed(struct td_conn *c, int d, uint64_t now)
{
	struct td_flow_dir *e = &c->dir[d], *peer = &c->dir[!d];

	if (e->z_did_close)
		return;
	e->z_did_close = true;
	if (e->zeek == TD_ZEEK_RESET || peer->z_did_close || peer->zeek == TD_ZEEK_INACTIVE)
		c->z_delete_ns = now + Z_CLOSE_DELAY_NS;
}

/* is_clean() of TCP_Reassembler.cc */
static bool z_clean(const struct td_flow_dir *e)
{
	return e->zeek == TD_ZEEK_ESTABLISHED ||
	       (e->zeek == TD_ZEEK_CLOSED && e->zeek_prev == TD_ZEEK_ESTABLISHED);
}

/* TCP_Reassembler::Gap(): logged only while both sides are established or
 * closing cleanly. */
static void z_gap(struct td_conn *c, int d)
{
	if (z_clean(&c->dir[d]) && z_clean(&c->dir[!d]))
		hist_count(c, d, HC_G, 'G');
}

static void z_blk_del(struct td_flow_dir *e, unsigned i)
{
	memmove(&e->z_blk[i], &e->z_blk[i + 1], (e->z_nblk - i - 1) * sizeof(e->z_blk[0]));
	e->z_nblk--;
}

/* Deliver what is contiguous with z_reassem (BlockInserted()). */
static void z_deliver(struct td_flow_dir *e)
{
	while (e->z_nblk && e->z_blk[0].lo <= e->z_reassem) {
		if (e->z_blk[0].hi > e->z_reassem)
			e->z_reassem = e->z_blk[0].hi;
		z_blk_del(e, 0);
	}
}

/* TCP_Reassembler::DataSent() and Reassembler::NewBlock(), sequence
 * numbers relative to the endpoint's start. Blocks are kept sorted and
 * merged; when more are out of order than fit, the highest is dropped
 * (its bytes then count as a gap, as if never seen). */
static void z_data_sent(struct td_flow_dir *e, uint32_t seq, uint32_t len)
{
	uint32_t ack = e->z_ack - e->z_start, upper = seq + len;
	unsigned i;

	if (seq < ack) {
		if (upper <= ack)
			return;
		seq = ack;
	}
	if (upper <= e->z_trim)
		return;
	if (seq < e->z_trim)
		seq = e->z_trim;
	if (seq <= e->z_reassem) {
		if (upper > e->z_reassem)
			e->z_reassem = upper;
		z_deliver(e);
		return;
	}
	for (i = 0; i < e->z_nblk && e->z_blk[i].hi < seq; i++)
		;
	if (i < e->z_nblk && e->z_blk[i].lo <= upper) {
		/* overlaps or touches block i: merge, then with its successors */
		if (seq < e->z_blk[i].lo)
			e->z_blk[i].lo = seq;
		if (upper > e->z_blk[i].hi)
			e->z_blk[i].hi = upper;
		while (i + 1 < e->z_nblk && e->z_blk[i + 1].lo <= e->z_blk[i].hi) {
			if (e->z_blk[i + 1].hi > e->z_blk[i].hi)
				e->z_blk[i].hi = e->z_blk[i + 1].hi;
			z_blk_del(e, i + 1);
		}
		return;
	}
	if (e->z_nblk == sizeof(e->z_blk) / sizeof(e->z_blk[0])) {
		if (i == e->z_nblk)
			return;
		e->z_nblk--;
	}
	memmove(&e->z_blk[i + 1], &e->z_blk[i], (e->z_nblk - i) * sizeof(e->z_blk[0]));
	e->z_blk[i].lo = seq;
	e->z_blk[i].hi = upper;
	e->z_nblk++;
}

/* TCP_Reassembler::AckReceived(): the peer acknowledged up to rel_ack of
 * dir d's data; whatever of it was never captured is a content gap
 * (Reassembler::TrimToSeq() -> TCP_Reassembler::Undelivered()). */
static void z_ack_received(struct td_conn *c, int d, uint32_t seq)
{
	struct td_flow_dir *e = &c->dir[d];

	if (e->z_fin_cnt && seq >= e->z_fin_seq)
		seq = e->z_fin_seq - 1;
	if (seq <= e->z_trim)
		return;
	if (seq > e->z_reassem) {
		while (e->z_nblk && e->z_blk[0].lo < seq) {
			if (e->z_blk[0].lo > e->z_reassem) {
				z_gap(c, d);
				e->z_reassem = e->z_blk[0].lo;
			}
			z_deliver(e);
		}
		if (seq > e->z_reassem)
			z_gap(c, d);
		if (seq > e->z_reassem)
			e->z_reassem = seq;
	}
	e->z_trim = seq;
	while (e->z_nblk && e->z_blk[0].hi <= seq)
		z_blk_del(e, 0);
}

/* TCPSessionAdapter::Process(), for what conn_state and history need.
 * Returns the direction of the sender afterwards (the roles may flip). */
static int zeek_packet(struct td_conn *c, int d, const struct td_pkt *p)
{
	struct td_flow_dir *e = &c->dir[d], *peer = &c->dir[!d];
	uint8_t f = p->flags;
	uint32_t len = p->payload_len, seg_len = len, rel_seq, rel_ack = 0;
	bool underflow, do_close;

	if (f & TD_TH_SYN)
		seg_len++;
	if (f & TD_TH_FIN)
		seg_len++;
	if (f & TD_TH_RST)
		seg_len -= len;
	z_init_endpoint(e, f, p->seq, p->seq + seg_len);
	rel_seq = p->seq - e->z_start;
	underflow = (int32_t)rel_seq < 0;
	z_history(c, d, f, rel_seq, len);
	/* update_window(): a zero window, unless with or after a RST, or once
	 * the peer has closed */
	if (p->window == 0 && !(f & TD_TH_RST) && peer->zeek != TD_ZEEK_CLOSED &&
	    e->zeek != TD_ZEEK_RESET)
		hist_count(c, d, HC_W, 'W');
	if (f & TD_TH_FIN) {
		e->z_fin_cnt++;
		e->z_fin_seq = rel_seq + seg_len;
	}
	if (f & TD_TH_ACK) {
		if (peer->zeek == TD_ZEEK_INACTIVE) {
			rel_ack = 1;
			z_init_seq(peer, p->ack - 1, p->ack - 1); /* init_peer() */
		} else {
			int32_t delta = (int32_t)(p->ack - peer->z_ack);

			rel_ack = p->ack - peer->z_start;
			if ((int32_t)rel_ack < 0)
				rel_ack = 0;
			else if (!(f & TD_TH_RST) &&
				 !(p->ack == 0 && delta > Z_TOO_LARGE_SEQ_DELTA) && delta > 0)
				peer->z_ack = p->ack; /* update_ack_seq() */
		}
	}
	z_update_last_seq(c, d, p->seq + seg_len, f, len);
	do_close = z_state_machine(c, &d, f, p->seq, len, p->ts_ns);
	/* leaving the handshake sets the inactivity timeout */
	if (!z_handshake(c->dir[0].zeek) || !z_handshake(c->dir[1].zeek))
		c->z_inact = true;
	if (f & TD_TH_ACK)
		z_ack_received(c, !d, rel_ack);
	if (len && !p->payload_cut && !(f & TD_TH_RST) && !underflow)
		z_data_sent(&c->dir[d], (f & TD_TH_SYN) ? rel_seq + 1 : rel_seq, len);
	if (do_close)
		z_closed(c, d, p->ts_ns);
	return d;
}

/* A packet's tunnel as Zeek's EncapsulatingConn compares it: the layers,
 * the outer endpoints either way round, and for a tunnel in UDP its ports
 * (the outer UDP connection; VXLAN's source port does not count). 0: no
 * tunnel. */
static uint64_t z_tunnel_key(const struct td_pkt_encap *e)
{
	uint64_t h = 0x9e3779b97f4a7c15ull, a, b;
	uint16_t sp = 0, dp = 0;
	int outer = -1; /* the first tunnel the outer IP header carried */

	if (!e->n)
		return 0;
	for (unsigned i = 0; i < e->n && i < TD_ENCAP_MAX; i++) {
		h = mix64(h ^ e->layer[i]);
		if (outer < 0 && e->layer[i] >= TD_ENC_IP && e->layer[i] <= TD_ENC_AYIYA)
			outer = e->layer[i];
	}
	if (outer == TD_ENC_VXLAN)
		dp = e->dport;
	else if (outer >= TD_ENC_GENEVE && outer <= TD_ENC_AYIYA)
		sp = e->sport, dp = e->dport;
	a = ep_key(e->saddr, sp);
	b = ep_key(e->daddr, dp);
	h = mix64(h ^ (a < b ? a : b) * 0xff51afd7ed558ccdull ^ (a < b ? b : a) ^ e->family);
	return h ? h : 1;
}

/* Connection::CheckEncapsulation(): a packet in another tunnel than the
 * last (or in none after one) is a change; past Zeek's
 * Tunnel::max_changes_per_connection (5) the history gets an X, once. */
static void z_tunnel_check(struct td_conn *c, const struct td_pkt *p)
{
	uint64_t k = z_tunnel_key(&p->encap);

	if (k == c->z_tunnel)
		return;
	c->z_tunnel = k;
	c->z_rare = (uint8_t)((c->z_rare & ~Z_RARE_TUNNEL) | (k ? Z_RARE_TUNNEL : 0));
	if (c->z_tunnel_changes >= 5) {
		if (!(c->hist_once[0] & (1u << H_LIMIT))) {
			c->hist_once[0] |= 1u << H_LIMIT;
			hist_put(c, 'X');
		}
		return;
	}
	c->z_tunnel_changes++;
}

/* Would one of Zeek's timers have removed c before now (the state is the
 * one after its last packet)? Then *why says how it ended. */
static bool zeek_timed_out(struct td_conn *c, uint64_t now, enum td_conn_end *why)
{
	if (c->z_delete_ns && c->z_delete_ns <= now) {
		*why = TD_END_CLOSED;
		return true;
	}
	if (c->z_attempt_ns && c->z_attempt_ns <= now) {
		/* AttemptTimer: still an unanswered attempt? Else it is spent. */
		if ((c->dir[0].zeek == TD_ZEEK_SYN_SENT ||
		     c->dir[0].zeek == TD_ZEEK_SYN_ACK_SENT) &&
		    c->dir[1].zeek == TD_ZEEK_INACTIVE) {
			*why = TD_END_IDLE;
			return true;
		}
		c->z_attempt_ns = 0;
	}
	if (c->z_inact && now > c->last_ns && now - c->last_ns >= Z_INACTIVITY_NS) {
		*why = TD_END_IDLE;
		return true;
	}
	return false;
}

/* TCPSessionAdapter::IsReuse(): does this SYN start a new connection? */
static bool zeek_is_reuse(const struct td_conn *c, const struct td_pkt *p)
{
	const struct td_flow_dir *orig = &c->dir[0], *resp = &c->dir[1], *o = orig;

	if (!(p->flags & TD_TH_SYN))
		return false;
	if (p->flags & TD_TH_ACK) {
		if (orig->zeek != TD_ZEEK_INACTIVE)
			return false; /* not a half connection */
		o = resp;
	}
	if (!orig->z_did_close && !resp->z_did_close) {
		if (p->seq == o->z_start)
			return false;
		/* the SYN and its SYN-ACK captured the wrong way round */
		if (!(p->flags & TD_TH_ACK) && o->zeek == TD_ZEEK_SYN_ACK_SENT &&
		    resp->zeek == TD_ZEEK_INACTIVE && p->seq == resp->z_start)
			return false;
	}
	return true;
}

/* Zeek's TCP_Endpoint::Size(): payload bytes by sequence numbers. */
static uint64_t zeek_size(const struct td_conn *c, int d)
{
	const struct td_flow_dir *e = &c->dir[d];
	uint32_t last = e->z_last - e->z_start, ack = e->z_ack - e->z_start, size;

	if (e->zeek_prev == TD_ZEEK_SYN_SENT && e->zeek == TD_ZEEK_RESET &&
	    c->dir[!d].zeek == TD_ZEEK_INACTIVE && ack > 1)
		return 0;
	size = (int32_t)last > (int32_t)ack ? last : ack;
	if ((int32_t)size < 0)
		size = 0;
	if (size)
		size--;
	if (e->z_fin_cnt && size)
		size--;
	return size;
}

/* ---- Wireshark's sequence analysis ------------------------------------------ */

static uint32_t scaled_window(const struct td_conn *c, int d, const struct td_pkt *p)
{
	/* RFC 7323 2.2: SYN windows are never scaled; the shift applies only if
	 * both SYNs carried the option. */
	if (p->flags & TD_TH_SYN)
		return p->window;
	if (c->dir[0].wscale >= 0 && c->dir[1].wscale >= 0)
		return (uint32_t)p->window << c->dir[d].wscale;
	return p->window;
}

/* The checks in the order of tcp_analyze_sequence_number(); "unset" values
 * are 0, as there, so its quirks (a 1-byte segment before any reverse
 * traffic is a zero window probe) are ours too. */
static uint32_t analyze(struct td_conn *c, int d, const struct td_pkt *p, uint32_t window)
{
	struct td_flow_dir *fwd = &c->dir[d], *rev = &c->dir[!d];
	uint32_t seq = p->seq, ack = p->ack, seglen = p->payload_len, nextseq, ana = 0;
	uint8_t flags = p->flags;
	bool sfr = flags & (TD_TH_SYN | TD_TH_FIN | TD_TH_RST);
	uint64_t now = p->ts_ns;
	/* Window updates, dup ACKs and the ACKs of keep-alives and probes
	 * compare the header's values, as tshark 4.0 keeps them: a SYN-ACK's
	 * unscaled window equals a scaled ACK's with the same field. */
	uint32_t raw = p->window;

	if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
		ana |= TD_A_BIT(TD_A_ZW_PROBE);
		goto finished_fwd;
	}
	if (window == 0 && !sfr)
		ana |= TD_A_BIT(TD_A_ZERO_WINDOW);
	if (fwd->nextseq && SEQ_GT(seq, fwd->nextseq) && !(flags & TD_TH_RST))
		ana |= TD_A_BIT(TD_A_LOST_SEGMENT);
finished_fwd:
	if (seglen <= 1 && seq == fwd->nextseq - 1 && !sfr)
		ana |= TD_A_BIT(TD_A_KEEP_ALIVE);
	if (seglen == 0 && window && raw != fwd->win_raw && seq == fwd->nextseq &&
	    ack == fwd->lastack && !sfr)
		ana |= TD_A_BIT(TD_A_WINDOW_UPDATE);
	if (seglen > 0 && rev->ws_known && seq + seglen == rev->lastack + rev->window && !sfr)
		ana |= TD_A_BIT(TD_A_WINDOW_FULL);
	if (seglen == 0 && window && raw == fwd->win_raw && seq == fwd->nextseq &&
	    ack == fwd->lastack && (rev->last_ana & TD_A_BIT(TD_A_KEEP_ALIVE)) && !sfr) {
		ana |= TD_A_BIT(TD_A_KEEP_ALIVE_ACK);
		goto finished_dupack;
	}
	if (seglen == 0 && window == 0 && raw == fwd->win_raw && seq == fwd->nextseq &&
	    ack == fwd->lastack && (rev->last_ana & TD_A_BIT(TD_A_ZW_PROBE)) && !sfr) {
		ana |= TD_A_BIT(TD_A_ZW_PROBE_ACK);
		goto finished_dupack;
	}
	if (seglen == 0 && window && raw == fwd->win_raw && seq == fwd->nextseq &&
	    ack == fwd->lastack && !sfr) {
		fwd->dupacks = fwd->dupacks < 0 ? 1 : fwd->dupacks + 1;
		ana |= TD_A_BIT(TD_A_DUP_ACK);
	}
finished_dupack:
	/* The dup-ACK count goes on until the ACK number changes. */
	if (ack != fwd->lastack)
		fwd->dupacks = 0;
	/* ACKed unseen, as tshark 4.0 decides it: when the other side sent
	 * past a hole since, its "max seq to be acked" moves up to what it
	 * sent and the flag is raised; otherwise the flag is raised once, then
	 * not again until the other side's ACK number changes (its dupacks
	 * -1 remembers it). */
	if (rev->maxseqtobeacked && SEQ_GT(ack, rev->maxseqtobeacked) && (flags & TD_TH_ACK)) {
		if (SEQ_LT(rev->maxseqtobeacked, rev->nextseq)) {
			rev->maxseqtobeacked = rev->nextseq;
			ana |= TD_A_BIT(TD_A_ACK_UNSEEN);
		} else {
			if (rev->dupacks == 0)
				ana |= TD_A_BIT(TD_A_ACK_UNSEEN);
			rev->dupacks = -1;
		}
	}
	if (seglen > 0 || (flags & (TD_TH_SYN | TD_TH_FIN))) {
		uint64_t thres = NS_PER_MS * 3;
		bool not_advanced = fwd->nextseq && SEQ_LT(seq, fwd->nextseq);

		if (ana & TD_A_BIT(TD_A_KEEP_ALIVE))
			goto finished_retrans;
		/* More than one byte from next-seq - 1 adds new data (after a
		 * possible zero window probe). */
		if (seglen > 1 && fwd->nextseq - 1 == seq)
			not_advanced = false;
		/* All of it acknowledged already: spurious, checked first, even
		 * at the next expected sequence number; tshark counts it as a
		 * retransmission too. */
		if (seglen > 0 && rev->lastack && SEQ_LE(seq + seglen, rev->lastack)) {
			ana |= TD_A_BIT(TD_A_SPURIOUS_RETRANS) | TD_A_BIT(TD_A_RETRANS);
			goto finished_retrans;
		}
		if (!not_advanced)
			goto finished_retrans;
		/* Two or more dup ACKs asked for exactly this, within 20 ms.
		 * Wireshark's count is unsigned: the -1 an ACKed-unseen leaves
		 * in it passes too. */
		if ((uint32_t)rev->dupacks >= 2 && rev->lastack == seq &&
		    now - rev->lastack_ts < 20 * NS_PER_MS) {
			ana |= TD_A_BIT(TD_A_FAST_RETRANS) | TD_A_BIT(TD_A_RETRANS);
			goto finished_retrans;
		}
		/* Close behind the highest segment and not a repeat of it: out of
		 * order. The window is the handshake RTT, else 3 ms. A SYN or FIN
		 * takes one sequence number too: a resent SYN (the crossing SYNs
		 * of a simultaneous open) repeats the highest segment, as
		 * Wireshark counts it. */
		if (c->syn_ns && c->ack_ns && c->ack_ns > c->syn_ns)
			thres = c->ack_ns - c->syn_ns;
		if (now - fwd->nextseq_ts < thres &&
		    fwd->nextseq != seq + seglen + ((flags & (TD_TH_SYN | TD_TH_FIN)) ? 1 : 0)) {
			ana |= TD_A_BIT(TD_A_OUT_OF_ORDER);
			goto finished_retrans;
		}
		ana |= TD_A_BIT(TD_A_RETRANS);
	}
finished_retrans:
	nextseq = seq + seglen + ((flags & (TD_TH_SYN | TD_TH_FIN)) ? 1 : 0);
	if ((SEQ_GT(nextseq, fwd->nextseq) || !fwd->nextseq) && !(ana & TD_A_BIT(TD_A_ZW_PROBE))) {
		fwd->nextseq = nextseq;
		fwd->nextseq_ts = now;
	}
	if ((seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) &&
	    !(ana & TD_A_BIT(TD_A_ZW_PROBE)))
		fwd->maxseqtobeacked = fwd->nextseq;
	fwd->window = window;
	fwd->win_raw = raw;
	fwd->lastack = ack;
	fwd->lastack_ts = now;
	fwd->last_ana = ana;
	return ana;
}

/* ---- per segment ----------------------------------------------------------- */

static void conn_init(struct td_flow_table *t, struct td_conn *c, const struct td_pkt *p)
{
	/* The originator sends the first SYN. Without it, Zeek's port
	 * heuristic decides (z_want_flip(): the roles flip, '^', when the
	 * first sender looks like the server); else the first sender. */
	bool flip = z_want_flip(p);
	int o = flip ? 1 : 0;

	c->id = t->next_id++;
	c->family = p->family;
	memcpy(c->dir[o].addr, p->saddr, 16);
	c->dir[o].port = p->sport;
	memcpy(c->dir[!o].addr, p->daddr, 16);
	c->dir[!o].port = p->dport;
	c->dir[0].wscale = c->dir[1].wscale = -1;
	/* A window not seen yet is G_MAXUINT32 in Wireshark's
	 * init_tcp_conversation_data(): a 1-byte segment before any traffic
	 * the other way is no zero window probe. */
	c->dir[0].window = c->dir[1].window = UINT32_MAX;
	c->dir[0].win_raw = c->dir[1].win_raw = UINT32_MAX;
	for (int i = 0; i < 2; i++)
		c->dir[i].z_reassem = c->dir[i].z_trim = 1;
	c->first_ns = p->ts_ns;
	c->closer = -1;
	if (p->encap.n) {
		c->encap = p->encap;
		c->z_tunnel = z_tunnel_key(&p->encap);
		c->z_rare |= Z_RARE_TUNNEL;
	}
	c->flipped = flip;
	if (flip)
		hist_put(c, '^');
	else
		c->z_rare |= Z_RARE_H; /* its history may read just "H" */
	if ((p->flags & (TD_TH_SYN | TD_TH_ACK)) == (TD_TH_SYN | TD_TH_ACK)) {
		/* A SYN-ACK first: its receiver's SYN must have been sent. */
		struct td_flow_dir *r = &c->dir[!o];

		r->state = TD_SYN_SENT;
		r->syn_sent = true;
		r->isn = p->ack - 1;
	}
	if (!(p->flags & TD_TH_SYN)) {
		c->midstream = true;
		c->dir[0].state = c->dir[1].state = TD_ESTABLISHED;
	}
}

static int expire_list(struct td_flow_table *t, int which, uint64_t age, uint64_t now,
		       enum td_conn_end why)
{
	struct td_conn *c;
	int rc;

	while ((c = t->lists[which].head) && now > c->last_ns && now - c->last_ns > age) {
		rc = emit(t, c, why);
		if (rc)
			return rc;
	}
	return 0;
}

static int expire_now(struct td_flow_table *t, uint64_t now_ns)
{
	int rc;

	t->last_expire_ns = now_ns;
	rc = expire_list(t, LIST_DONE, t->cfg.grace_ns, now_ns, TD_END_CLOSED);
	if (!rc && t->cfg.idle_ns)
		rc = expire_list(t, LIST_OPEN, t->cfg.idle_ns, now_ns, TD_END_IDLE);
	return rc;
}

static int add_now(struct td_flow_table *t, const struct td_pkt *p, uint64_t pkt_no, uint32_t h)
{
	uint32_t ana = 0, window;
	struct td_flow_dir *fwd;
	struct td_conn *c;
	int d = 0, rc;
	uint8_t f = p->flags;

	if (p->ts_ns > t->now_ns)
		t->now_ns = p->ts_ns;
	if (t->now_ns - t->last_expire_ns >= EXPIRE_EVERY_NS) {
		rc = expire_now(t, t->now_ns);
		if (rc)
			return rc;
	}
	t->st.segments++;
	c = lookup(t, p, h, &d);
	if (c && t->cfg.zeek_streams) {
		/* Zeek's streams: a timer removed it, or this SYN reuses it */
		enum td_conn_end why;

		if (zeek_timed_out(c, p->ts_ns, &why)) {
			rc = emit(t, c, why);
			if (rc)
				return rc;
			c = NULL;
		} else if (zeek_is_reuse(c, p)) {
			rc = emit(t, c, TD_END_REUSED);
			if (rc)
				return rc;
			c = NULL;
			ana |= TD_A_BIT(TD_A_REUSED_PORTS);
		}
	}
	/* Port reuse as Wireshark decides it: a SYN whose ISN differs from
	 * what this side used before starts a new connection (tcp.stream). */
	if (c && !t->cfg.zeek_streams && (f & (TD_TH_SYN | TD_TH_ACK)) == TD_TH_SYN &&
	    c->dir[d].isn_set && p->seq != c->dir[d].isn) {
		rc = emit(t, c, TD_END_REUSED);
		if (rc)
			return rc;
		c = NULL;
		ana |= TD_A_BIT(TD_A_REUSED_PORTS);
	}
	/* A SYN-ACK with another ISN than this side used: reused ports too,
	 * but tshark 4.0 keeps the stream; only the relative base moves. */
	if (c && (f & (TD_TH_SYN | TD_TH_ACK)) == (TD_TH_SYN | TD_TH_ACK) && c->dir[d].isn_set &&
	    p->seq != c->dir[d].isn) {
		ana |= TD_A_BIT(TD_A_REUSED_PORTS);
		c->dir[d].isn = p->seq;
	}
	if (!c) {
		if ((t->used + 1) * 2 > t->nslots && grow(t) < 0)
			return -ENOMEM;
		c = conn_alloc(t);
		if (!c)
			return -ENOMEM;
		conn_init(t, c, p);
		place(t, c, h);
		t->used++;
		t->st.conns++;
		t->st.active++;
		/* The peak of connections open at once, not of the table: a
		 * closed one stays there through its grace time. */
		if (++t->st.open > t->st.peak_active)
			t->st.peak_active = t->st.open;
		list_add_tail(t, c, LIST_OPEN);
		d = c->flipped ? 1 : 0;
	}
	fwd = &c->dir[d];

	/* Relative sequence base: the SYN's ISN, else one before the first
	 * sequence number seen (Wireshark shows a midstream start as 1). */
	if (!fwd->isn_set || ((f & TD_TH_SYN) && !fwd->syn_sent)) {
		fwd->isn = (f & TD_TH_SYN) ? p->seq : p->seq - 1;
		fwd->isn_set = true;
	}
	if (f & TD_TH_SYN) {
		fwd->syn_sent = true;
		fwd->syns++;
		fwd->wscale = p->has_wscale ? (int8_t)p->wscale : -1;
		/* Wireshark's verify_tcp_window_scaling(): a SYN without the
		 * option means no scaling either way. */
		fwd->ws_known = true;
		if (!p->has_wscale)
			c->dir[!d].ws_known = true;
		if (p->has_mss)
			fwd->mss = p->mss;
		if (!(f & TD_TH_ACK)) {
			if (!c->synack_ns)
				c->syn_ns = p->ts_ns;
		} else if (!c->synack_ns) {
			c->synack_ns = p->ts_ns;
		}
	} else if ((f & TD_TH_ACK) && d == 0 && c->syn_ns && c->synack_ns && !c->ack_ns &&
		   p->ack == c->dir[1].isn + 1) {
		c->ack_ns = p->ts_ns;
	}
	window = scaled_window(c, d, p);
	ana |= analyze(c, d, p, window);
	/* TCP options cut by the snap length: tshark analyses the segment
	 * (its state moves on) but reports none of its flags. */
	if (p->opts_cut)
		ana = 0;

	fwd->pkts++;
	fwd->frame_bytes += p->wirelen;
	fwd->payload_bytes += p->payload_len;
	if (f & TD_TH_RST)
		fwd->rsts++;
	if (f & TD_TH_FIN)
		fwd->fins++;
	for (uint32_t a = ana; a; a &= a - 1)
		fwd->ana[__builtin_ctz(a)]++;
	if (c->closer < 0 && (f & (TD_TH_FIN | TD_TH_RST))) {
		c->closer = d;
		c->closer_rst = !!(f & TD_TH_RST);
	}
	if (__builtin_expect(p->encap.n | c->z_rare, 0)) {
		if (p->encap.n || c->z_tunnel)
			z_tunnel_check(c, p);
		if (c->history[0] == 'H' && !c->history[1])
			d = z_flip_at_productive(c, d, p);
		else if (c->history[0])
			c->z_rare &= (uint8_t)~Z_RARE_H; /* never just "H" again */
	}
	d = zeek_packet(c, d, p); /* the roles may flip */
	fwd = &c->dir[d];
	/* A plain ACK (or data) to an established receiver that has sent no FIN
	 * moves neither side: most segments, so both walks are skipped. */
	if ((f & (TD_TH_SYN | TD_TH_FIN | TD_TH_RST)) ||
	    ((f & TD_TH_ACK) && (c->dir[!d].state != TD_ESTABLISHED || c->dir[!d].fin_sent))) {
		fsm_send(c, d, p);
		fsm_recv(c, d, p);
	}
	c->last_ns = p->ts_ns > c->last_ns ? p->ts_ns : c->last_ns;

	if (!c->done_ns && ((f & TD_TH_RST) || (c->dir[0].fin_acked && c->dir[1].fin_acked))) {
		c->done_ns = p->ts_ns;
		t->st.open--;
	}
	/* Most recent last; a burst of one connection's segments finds it
	 * there already. The open list is in that order only where something
	 * reads it (cfg.open_by_activity). */
	int which = c->done_ns ? LIST_DONE : LIST_OPEN;

	if (t->lists[which].tail != c && (which != c->list || t->cfg.open_by_activity)) {
		list_del(t, c);
		list_add_tail(t, c, which);
	}

	if (t->cfg.on_seg) {
		struct td_seg s = {
			.ts_ns = p->ts_ns,
			.pkt_no = pkt_no,
			.dir = d,
			.flags = f,
			.rel_seq = p->seq - fwd->isn,
			.rel_ack = (f & TD_TH_ACK) ? p->ack - c->dir[!d].isn : 0,
			.len = p->payload_len,
			.window = p->window,
			.window_scaled = window,
			.ana = ana,
			.state = { c->dir[0].state, c->dir[1].state },
			.nsack = (f & TD_TH_ACK) ? p->nsack : 0,
		};

		for (int k = 0; k < s.nsack; k++) {
			s.sack[k][0] = p->sack[k][0] - c->dir[!d].isn;
			s.sack[k][1] = p->sack[k][1] - c->dir[!d].isn;
		}

		return t->cfg.on_seg(c, &s, t->cfg.ctx);
	}
	return 0;
}

static void prefetch_lines(const void *p, size_t len)
{
	for (size_t off = 0; off < len; off += 64)
		__builtin_prefetch((const char *)p + off, 1);
}

/* The connection a segment will most likely find: the first in its probe
 * sequence with its hash (as lookup() goes; the slots were fetched when the
 * segment came in). Not its home slot's: at the table's load of up to a
 * half, that one is another connection for a good part of the segments,
 * whose own record then missed the cache (a third of the time on a capture
 * with 20,000 open). Only the lines most segments touch (flow.h puts them
 * first in each part). */
static void prefetch_conn(const struct td_flow_table *t, uint32_t h)
{
	uint32_t mask = t->nslots - 1;
	const struct td_conn *c = NULL;

	for (uint32_t i = h & mask; t->slots[i].c; i = (i + 1) & mask) {
		if (t->slots[i].hash == h) {
			c = t->slots[i].c;
			break;
		}
	}
	if (!c)
		return;
	prefetch_lines(c, offsetof(struct td_conn, dir[0]) + offsetof(struct td_flow_dir, mss));
	prefetch_lines(&c->dir[1], offsetof(struct td_flow_dir, mss));
}

/* Analyse the oldest segment in the pipeline. */
static int pipe_pop(struct td_flow_table *t)
{
	struct pending *q = &t->pipe[t->pipe_head];
	int rc;

	t->pipe_head = (t->pipe_head + 1) % PIPE_SIZE;
	t->pipe_n--;
	if (t->pipe_n >= PIPE_CONN_AHEAD)
		prefetch_conn(t, t->pipe[(t->pipe_head + PIPE_CONN_AHEAD - 1) % PIPE_SIZE].hash);
	rc = add_now(t, &q->p, q->pkt_no, q->hash);
	return rc;
}

static int drain(struct td_flow_table *t)
{
	int rc = 0;

	while (t->pipe_n) {
		int r = pipe_pop(t);

		if (r && !rc)
			rc = r;
	}
	return rc;
}

int td_flow_add(struct td_flow_table *t, const struct td_pkt *p, uint64_t pkt_no)
{
	struct pending *q;
	uint32_t h = tuple_hash(p);

	if (!t->cfg.pipeline)
		return add_now(t, p, pkt_no, h);
	q = &t->pipe[(t->pipe_head + t->pipe_n) % PIPE_SIZE];
	/* encap is valid only as far as its n says: most packets have none */
	memcpy(&q->p, p, offsetof(struct td_pkt, encap));
	q->p.encap.n = p->encap.n;
	if (p->encap.n)
		q->p.encap = p->encap;
	q->pkt_no = pkt_no;
	q->hash = h;
	t->pipe_n++;
	__builtin_prefetch(&t->slots[h & (t->nslots - 1)]);
	return t->pipe_n > PIPE_DEPTH ? pipe_pop(t) : 0;
}

int td_flow_expire(struct td_flow_table *t, uint64_t now_ns)
{
	int rc = drain(t);

	return rc ? rc : expire_now(t, now_ns);
}

int td_flow_walk_open(struct td_flow_table *t, td_conn_cb cb, void *ctx)
{
	int rc = drain(t);

	if (rc)
		return rc;
	for (struct td_conn *c = t->lists[LIST_OPEN].head; c && !rc; c = c->lru_next)
		rc = cb(c, ctx);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	const struct td_conn *x = *(struct td_conn *const *)a, *y = *(struct td_conn *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int td_flow_flush(struct td_flow_table *t)
{
	size_t n = 0;
	struct td_conn **v;
	int rc = drain(t);

	if (!t->used)
		return rc;
	v = malloc(t->used * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int l = 0; l < 2; l++)
		for (struct td_conn *c = t->lists[l].head; c; c = c->lru_next)
			v[n++] = c;
	qsort(v, n, sizeof(*v), by_id);
	for (size_t i = 0; i < n; i++) {
		int r = emit(t, v[i], v[i]->done_ns ? TD_END_CLOSED : TD_END_EOF);

		if (r && !rc)
			rc = r;
	}
	free(v);
	return rc;
}

/* ---- derived facts ------------------------------------------------------------ */

/* Zeek's RSTOS0 test: the whole history matches the pattern ^?S[^HAFGIQ]*R.* */
static bool rstos0_history(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

enum td_conn_state td_conn_state(const struct td_conn *c)
{
	int os = c->dir[0].zeek, rs = c->dir[1].zeek;
	bool o_inactive = os == TD_ZEEK_INACTIVE || os == TD_ZEEK_PARTIAL;
	bool r_inactive = rs == TD_ZEEK_INACTIVE || rs == TD_ZEEK_PARTIAL;

	/* The same decision list as Zeek's conn_state(). */
	if (rs == TD_ZEEK_RESET) {
		if (os == TD_ZEEK_SYN_SENT || os == TD_ZEEK_SYN_ACK_SENT ||
		    (os == TD_ZEEK_RESET && !zeek_size(c, 0) && !zeek_size(c, 1)))
			return TD_CS_REJ;
		return o_inactive ? TD_CS_RSTRH : TD_CS_RSTR;
	}
	if (os == TD_ZEEK_RESET) {
		if (r_inactive)
			return rstos0_history(c->history) ? TD_CS_RSTOS0 : TD_CS_OTH;
		return TD_CS_RSTO;
	}
	if (rs == TD_ZEEK_CLOSED && os == TD_ZEEK_CLOSED)
		return TD_CS_SF;
	if (os == TD_ZEEK_CLOSED)
		return r_inactive ? TD_CS_SH : TD_CS_S2;
	if (rs == TD_ZEEK_CLOSED)
		return o_inactive ? TD_CS_SHR : TD_CS_S3;
	if (os == TD_ZEEK_SYN_SENT && rs == TD_ZEEK_INACTIVE)
		return TD_CS_S0;
	if (os == TD_ZEEK_ESTABLISHED && rs == TD_ZEEK_ESTABLISHED)
		return TD_CS_S1;
	return TD_CS_OTH;
}

uint64_t td_conn_rtt_ns(const struct td_conn *c)
{
	if (c->syn_ns && c->synack_ns && c->ack_ns && c->ack_ns >= c->syn_ns)
		return c->ack_ns - c->syn_ns;
	return 0;
}

uint32_t td_conn_ana(const struct td_conn *c, enum td_ana a)
{
	return c->dir[0].ana[a] + c->dir[1].ana[a];
}

static bool closed_side(int st)
{
	return st == TD_FIN_WAIT1 || st == TD_FIN_WAIT2 || st == TD_CLOSING || st == TD_TIME_WAIT ||
	       st == TD_LAST_ACK || st == TD_CLOSE;
}

const char *td_conn_problem(const struct td_conn *c)
{
	enum td_conn_state cs = td_conn_state(c);
	int cst = c->dir[0].state, sst = c->dir[1].state;

	switch (cs) {
	case TD_CS_S0:
		return "no answer to the SYN (no host there, or a firewall drops it)";
	case TD_CS_REJ:
		return "refused: nothing listens on that port, or a firewall rejects with RST "
		       "(RST to the SYN)";
	case TD_CS_RSTO:
	case TD_CS_RSTOS0:
		return "reset by the client";
	case TD_CS_RSTR:
	case TD_CS_RSTRH:
		return "reset by the server";
	default:
		break;
	}
	if (c->dir[0].fin_sent && !c->dir[1].fin_sent && !closed_side(sst))
		return "the server never closed";
	if (c->dir[1].fin_sent && !c->dir[0].fin_sent && !closed_side(cst))
		return "the client never closed";
	if (c->dir[0].fin_sent && !c->dir[0].fin_acked)
		return "the client's FIN was never acknowledged";
	if (c->dir[1].fin_sent && !c->dir[1].fin_acked)
		return "the server's FIN was never acknowledged";
	if (td_conn_ana(c, TD_A_ZERO_WINDOW))
		return "a receiver's window went to zero (it did not read fast enough)";
	if (td_conn_ana(c, TD_A_RETRANS))
		return "segments were retransmitted";
	if (td_conn_ana(c, TD_A_LOST_SEGMENT) || td_conn_ana(c, TD_A_ACK_UNSEEN))
		return "segments missing from the capture";
	return NULL;
}

unsigned td_conn_badness(const struct td_conn *c)
{
	static const unsigned base[TD_CS_COUNT] = {
		[TD_CS_S0] = 1000,    [TD_CS_REJ] = 900,   [TD_CS_RSTR] = 800, [TD_CS_RSTO] = 800,
		[TD_CS_RSTOS0] = 800, [TD_CS_RSTRH] = 800, [TD_CS_S2] = 600,   [TD_CS_S3] = 600,
		[TD_CS_SH] = 500,     [TD_CS_SHR] = 500,
	};
	unsigned b = base[td_conn_state(c)];
	uint32_t retrans = td_conn_ana(c, TD_A_RETRANS); /* spurious ones included */

	b += 10 * (retrans > 50 ? 50 : retrans);
	b += 20 * (td_conn_ana(c, TD_A_ZERO_WINDOW) > 20 ? 20 : td_conn_ana(c, TD_A_ZERO_WINDOW));
	b += 5 * (td_conn_ana(c, TD_A_LOST_SEGMENT) + td_conn_ana(c, TD_A_ACK_UNSEEN) > 20
			  ? 20
			  : td_conn_ana(c, TD_A_LOST_SEGMENT) + td_conn_ana(c, TD_A_ACK_UNSEEN));
	if (!b && td_conn_problem(c))
		b = 1;
	return b;
}

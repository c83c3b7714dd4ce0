/* The series of `pcap --graph`; see series.h. The RTT and in-flight rules
 * follow tshark 4.0's tcp_analyze_sequence_number(): an ACK gives a sample
 * for the segment it acknowledges exactly, and bytes in flight are the
 * highest sequence sent less the peer's highest ACK. Unlike tshark we keep
 * Karn's rule (RFC 6298, section 3): no sample from a range sent twice,
 * since its ACK cannot say which copy it answers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/series.h"

#define GROW(v, n, cap) ((n) < (cap) ? 0 : grow((void **)&(v), &(cap), sizeof(*(v))))

static int grow(void **v, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *nv = realloc(*v, ncap * size);

	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

void td_series_init(struct td_series *s)
{
	memset(s, 0, sizeof(*s));
}

void td_series_free(struct td_series *s)
{
	for (int d = 0; d < 2; d++) {
		free(s->d[d].segs);
		free(s->d[d].acks);
		free(s->d[d].rtts);
		free(s->d[d].flight);
		free(s->d[d].pend);
	}
	td_series_init(s);
}

/* A 32-bit relative number as a 64-bit one that keeps counting past 4 GiB:
 * the signed difference to the last value moves the unwrapped one. */
static uint64_t unwrap(bool *have, uint32_t *last32, uint64_t *cur, uint32_t v)
{
	if (!*have) {
		*have = true;
		*last32 = v;
		*cur = v;
		return v;
	}
	int64_t delta = (int32_t)(v - *last32);

	if (delta < 0 && (uint64_t)-delta > *cur)
		return 0; /* before the start: an old segment */
	*cur = (uint64_t)((int64_t)*cur + delta);
	*last32 = v;
	return *cur;
}

static uint8_t mark_of(uint32_t ana)
{
	if (ana & (TD_A_BIT(TD_A_RETRANS) | TD_A_BIT(TD_A_FAST_RETRANS) |
		   TD_A_BIT(TD_A_SPURIOUS_RETRANS)))
		return TD_MARK_RETRANS;
	if (ana & TD_A_BIT(TD_A_OUT_OF_ORDER))
		return TD_MARK_OOO;
	if (ana & TD_A_BIT(TD_A_ZW_PROBE))
		return TD_MARK_ZWP;
	return TD_MARK_DATA;
}

/* The peer acknowledged ack of d's sequence space at t (g: its segment,
 * for the SACK blocks). */
static int on_ack(struct td_series_dir *d, double t, uint64_t ack, const struct td_seg *g)
{
	struct td_ack_pt *a;
	size_t k = 0;

	if (GROW(d->acks, d->nacks, d->capacks))
		return -ENOMEM;
	a = &d->acks[d->nacks++];
	*a = (struct td_ack_pt){ .t = t, .ack = ack, .window = g->window_scaled };
	d->sacked = 0;
	for (int i = 0; i < g->nsack && i < 4; i++) {
		/* relative like the ACK: unwrapped from it */
		uint64_t l = ack + (uint64_t)(int64_t)(int32_t)(g->sack[i][0] - g->rel_ack);
		uint64_t r = ack + (uint64_t)(int64_t)(int32_t)(g->sack[i][1] - g->rel_ack);

		if (r <= l)
			continue;
		a->sack[a->nsack][0] = l;
		a->sack[a->nsack][1] = r;
		a->nsack++;
		/* tshark 4.0 keeps three blocks for bytes in flight */
		if (i < 3)
			d->sacked += r - l;
	}

	d->peer_window = g->window_scaled;
	if (!d->have_ack_val || ack > d->last_ack)
		d->last_ack = ack;
	d->have_ack_val = true;
	for (size_t i = 0; i < d->npend; i++) {
		struct td_pending *p = &d->pend[i];

		if (ack == p->end) {
			/* an ACK stamped before its segment: a reordered capture */
			if (!p->retrans && t >= p->t) {
				if (GROW(d->rtts, d->nrtts, d->caprtts))
					return -ENOMEM;
				d->rtts[d->nrtts++] = (struct td_rtt_pt){
					.t = t,
					.rtt = t - p->t,
					.seq_end = p->end,
					.handshake = p->syn,
				};
			}
			continue; /* acknowledged: dropped */
		}
		if (ack > p->seq && ack < p->end)
			p->seq = ack; /* partly acknowledged: the rest waits */
		else if (ack <= p->seq)
			; /* not reached yet */
		else
			continue; /* an older segment, covered: dropped without a sample */
		d->pend[k++] = *p;
	}
	d->npend = k;
	return 0;
}

static int on_data(struct td_series_dir *d, double t, const struct td_seg *g, uint64_t seq)
{
	uint32_t ctl = (g->flags & TD_TH_SYN ? 1 : 0) + (g->flags & TD_TH_FIN ? 1 : 0);
	uint64_t end = seq + g->len + ctl, data_end = seq + g->len;
	uint32_t fresh = 0;
	bool again = seq < d->next_seq || mark_of(g->ana) == TD_MARK_RETRANS;

	if (!g->len && !ctl && !(g->flags & TD_TH_RST))
		return 0; /* a bare ACK: it belongs to the peer's graph */
	if (data_end > d->next_seq && g->len)
		fresh = (uint32_t)(data_end - (seq > d->next_seq ? seq : d->next_seq));
	if (GROW(d->segs, d->nsegs, d->capsegs))
		return -ENOMEM;
	d->segs[d->nsegs++] = (struct td_seq_pt){
		.t = t,
		.seq = seq,
		.len = g->len,
		.fresh = fresh,
		.mark = mark_of(g->ana),
		.flags = g->flags,
	};
	d->payload += g->len;
	d->goodput += fresh;
	if (end == seq)
		return 0; /* a RST: nothing to acknowledge */
	/* Karn: a range sent again taints every copy of it still waiting. */
	for (size_t i = 0; i < d->npend; i++)
		if (d->pend[i].seq < end && seq < d->pend[i].end) {
			d->pend[i].retrans = true;
			again = true;
		}
	if (GROW(d->pend, d->npend, d->cappend))
		return -ENOMEM;
	d->pend[d->npend++] = (struct td_pending){
		.seq = seq,
		.end = end,
		.t = t,
		.retrans = again,
		.syn = (g->flags & TD_TH_SYN) != 0,
	};
	if (end > d->next_seq)
		d->next_seq = end;
	if (g->len && d->have_ack_val) {
		if (GROW(d->flight, d->nflight, d->capflight))
			return -ENOMEM;
		d->flight[d->nflight++] = (struct td_flight_pt){
			.t = t,
			.in_flight = d->next_seq > d->last_ack + d->sacked
					     ? d->next_seq - d->last_ack - d->sacked
					     : 0,
			.window = d->peer_window,
		};
		/* tshark counts a SYN or FIN's sequence number out again */
		if (ctl && d->flight[d->nflight - 1].in_flight)
			d->flight[d->nflight - 1].in_flight--;
	}
	return 0;
}

int td_series_add(struct td_series *s, const struct td_seg *g)
{
	struct td_series_dir *me, *peer;
	double t;
	uint64_t seq;
	int rc;

	if (g->dir != 0 && g->dir != 1)
		return 0;
	if (!s->t0_set) {
		s->t0_ns = g->ts_ns;
		s->t0_set = true;
	}
	t = g->ts_ns >= s->t0_ns ? (double)(g->ts_ns - s->t0_ns) / 1e9 : 0;
	me = &s->d[g->dir];
	peer = &s->d[!g->dir];
	seq = unwrap(&me->have_seq, &me->last_seq32, &me->seq_cur, g->rel_seq);
	rc = on_data(me, t, g, seq);
	if (rc)
		return rc;
	if ((g->flags & TD_TH_ACK) && !(g->flags & TD_TH_RST)) {
		uint64_t ack =
			unwrap(&peer->have_ack, &peer->last_ack32, &peer->ack_cur, g->rel_ack);

		rc = on_ack(peer, t, ack, g);
	}
	return rc;
}

double td_series_end(const struct td_series *s)
{
	double end = 0;

	for (int d = 0; d < 2; d++) {
		const struct td_series_dir *x = &s->d[d];

		if (x->nsegs && x->segs[x->nsegs - 1].t > end)
			end = x->segs[x->nsegs - 1].t;
	}
	return end;
}

int td_series_throughput(const struct td_series *s, int d, double bin, uint64_t **bytes,
			 uint64_t **good, size_t *n)
{
	const struct td_series_dir *x = &s->d[d ? 1 : 0];
	double end = td_series_end(s);
	size_t nb;

	*bytes = *good = NULL;
	*n = 0;
	if (!(bin > 0))
		return -EINVAL;
	if (end / bin >= TD_SERIES_MAX_BINS)
		return -E2BIG;
	nb = (size_t)(end / bin) + 1;
	*bytes = calloc(nb, sizeof(**bytes));
	*good = calloc(nb, sizeof(**good));
	if (!*bytes || !*good) {
		free(*bytes);
		free(*good);
		*bytes = *good = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < x->nsegs; i++) {
		size_t b = (size_t)(x->segs[i].t / bin);

		if (b >= nb)
			b = nb - 1;
		(*bytes)[b] += x->segs[i].len;
		(*good)[b] += x->segs[i].fresh;
	}
	*n = nb;
	return 0;
}

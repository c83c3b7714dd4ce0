/* libFuzzer target for the flow engine (src/lib/capture/flow.c): the input is a list
 * of 16-byte segment records (direction, tuple choice, flags, seq, ack,
 * length, window, time step) fed through one table; callbacks check that
 * what comes out is consistent. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capture/flow.h"
#include "capture/series.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_conn(const struct td_conn *c, void *ctx)
{
	uint64_t *n = ctx;

	if ((unsigned)td_conn_state(c) >= TD_CS_COUNT || strlen(c->history) > TD_HISTORY_MAX)
		__builtin_trap();
	for (int d = 0; d < 2; d++)
		if (c->dir[d].state < 0 || c->dir[d].state > TD_STATE_MAX)
			__builtin_trap();
	if (!c->dir[0].pkts && !c->dir[1].pkts)
		__builtin_trap();
	(void)td_conn_problem(c);
	(void)td_conn_badness(c);
	(*n)++;
	return 0;
}

/* The series of `pcap --graph`, fed with the first connection. */
static struct td_series series;

static int on_seg(const struct td_conn *c, const struct td_seg *s, void *ctx)
{
	(void)ctx;
	if (s->dir != 0 && s->dir != 1)
		__builtin_trap();
	if (s->ana >> TD_A_COUNT)
		__builtin_trap();
	if (c->id == 0 && td_series_add(&series, s) != 0)
		__builtin_trap();
	return 0;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t emitted = 0, ts = 1000000000ull;
	struct td_flow_cfg cfg = {
		.on_conn = on_conn, .on_seg = on_seg, .ctx = &emitted, .grace_ns = 5000000000ull
	};
	struct td_flow_table *t;
	struct td_flow_stats st;

	if (size && (data[0] & 1))
		cfg.idle_ns = 3000000000ull;
	if (size && (data[0] & 2))
		cfg.zeek_streams = true; /* pcap --streams zeek */
	td_series_init(&series);
	t = td_flow_new(&cfg);
	if (!t)
		return 0;
	for (size_t i = 1; i + 16 <= size; i += 16) {
		const uint8_t *r = data + i;
		struct td_pkt p = { .family = (r[1] & 0x80) ? AF_INET6 : AF_INET };
		int dir = r[0] & 1;
		uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, (uint8_t)(2 + (r[1] & 3)) };

		memcpy(dir ? p.saddr : p.daddr, a, 4);
		memcpy(dir ? p.daddr : p.saddr, b, 4);
		p.sport = dir ? 80 : (uint16_t)(40000 + ((r[1] >> 2) & 7));
		p.dport = dir ? (uint16_t)(40000 + ((r[1] >> 2) & 7)) : 80;
		p.flags = r[2];
		/* snap-length cuts, as pkt.c reports them */
		p.payload_cut = r[0] & 2;
		p.opts_cut = r[0] & 4;
		p.seq = get32(r + 3);
		p.ack = get32(r + 7);
		p.payload_len = r[11] | (uint32_t)(r[12] & 0x3f) << 8;
		p.window = (uint16_t)(r[13] << 8 | r[14]);
		p.has_wscale = r[12] & 0x40;
		p.wscale = r[14] % 16;
		ts += (uint64_t)r[15] * ((r[12] & 0x80) ? 1000000000ull : 1000000ull);
		p.ts_ns = ts;
		p.wirelen = 54 + p.payload_len;
		p.nsack = (r[1] >> 5) & 3;
		for (int k = 0; k < p.nsack; k++) {
			p.sack[k][0] = p.ack + (uint32_t)k * 1000;
			p.sack[k][1] = p.sack[k][0] + r[11];
		}
		if (td_flow_add(t, &p, i / 16 + 1) != 0)
			__builtin_trap();
	}
	if (td_flow_flush(t) != 0)
		__builtin_trap();
	td_flow_stats(t, &st);
	/* Every connection left the table, and none is counted open. */
	if (st.active != 0 || st.open != 0 || emitted != st.conns || st.peak_active > st.conns)
		__builtin_trap();
	td_flow_free(t);
	for (int d = 0; d < 2; d++) {
		uint64_t *b, *g;
		size_t n;
		double end = td_series_end(&series);

		if (td_series_throughput(&series, d, end > 0 ? end / 50 : 0.001, &b, &g, &n) == 0) {
			uint64_t sum = 0;

			for (size_t i = 0; i < n; i++)
				sum += b[i];
			if (sum != series.d[d].payload)
				__builtin_trap();
			free(b);
			free(g);
		}
		for (size_t i = 0; i < series.d[d].nrtts; i++)
			if (series.d[d].rtts[i].rtt < 0)
				__builtin_trap();
	}
	td_series_free(&series);
	return 0;
}

/* Unit tests for src/lib/capture/flow.c: hand-built segment sequences through the
 * engine: handshake, close paths, simultaneous open and close, RST variants,
 * each conn_state, Wireshark's analysis flags, port reuse, streaming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "capture/flow.h"
#include "state.h"

#define MS 1000000ull
#define CL 0 /* client -> server */
#define SV 1 /* server -> client */

enum { F = TD_TH_FIN, S = TD_TH_SYN, R = TD_TH_RST, A = TD_TH_ACK };

static struct td_conn got[16];
static int ngot;
static uint32_t last_ana;

static int on_conn(const struct td_conn *c, void *ctx)
{
	(void)ctx;
	if (ngot < 16)
		got[ngot++] = *c;
	return 0;
}

static int on_seg(const struct td_conn *c, const struct td_seg *s, void *ctx)
{
	(void)c, (void)ctx;
	last_ana = s->ana;
	return 0;
}

static struct td_flow_table *table(uint64_t idle)
{
	struct td_flow_cfg cfg = { .on_conn = on_conn, .on_seg = on_seg, .idle_ns = idle };

	ngot = 0;
	return td_flow_new(&cfg);
}

/* The same with Zeek's streams (pcap --streams zeek). */
static struct td_flow_table *zeek_table(void)
{
	struct td_flow_cfg cfg = { .on_conn = on_conn, .on_seg = on_seg, .zeek_streams = true };

	ngot = 0;
	return td_flow_new(&cfg);
}

static uint16_t cport = 41000;
static uint16_t sport = 80;
static const struct td_pkt_encap *encap; /* the tunnel around the next segments */

/* One segment; client 192.0.2.2:cport, server 192.0.2.1:sport; a window
 * scale option when wscale >= 0. */
static uint32_t seg_ws(struct td_flow_table *t, uint64_t ms, int dir, uint8_t flags, uint32_t seq,
		       uint32_t ack, uint32_t len, uint16_t win, int wscale)
{
	struct td_pkt p = { .ts_ns = 1000 * MS + ms * MS,
			    .family = AF_INET,
			    .flags = flags,
			    .seq = seq,
			    .ack = ack,
			    .payload_len = len,
			    .window = win,
			    .wirelen = 54 + len };
	uint8_t c[4] = { 192, 0, 2, 2 }, s[4] = { 192, 0, 2, 1 };

	if (wscale >= 0) {
		p.has_wscale = true;
		p.wscale = (uint8_t)wscale;
	}
	memcpy(dir == CL ? p.saddr : p.daddr, c, 4);
	memcpy(dir == CL ? p.daddr : p.saddr, s, 4);
	p.sport = dir == CL ? cport : sport;
	p.dport = dir == CL ? sport : cport;
	if (encap)
		p.encap = *encap;
	assert_int_equal(td_flow_add(t, &p, 1), 0);
	return last_ana;
}

static uint32_t seg(struct td_flow_table *t, uint64_t ms, int dir, uint8_t flags, uint32_t seq,
		    uint32_t ack, uint32_t len, uint16_t win)
{
	return seg_ws(t, ms, dir, flags, seq, ack, len, win, -1);
}

/* SYN, SYN-ACK, ACK with ISNs 100 (client) and 500 (server). */
static void handshake(struct td_flow_table *t)
{
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 1, SV, S | A, 500, 101, 0, 1000);
	seg(t, 2, CL, A, 101, 501, 0, 1000);
}

static const struct td_conn *only(struct td_flow_table *t)
{
	assert_int_equal(td_flow_flush(t), 0);
	assert_int_equal(ngot, 1);
	return &got[0];
}

static void test_normal_close(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 10, 1000);
	seg(t, 4, SV, A, 501, 111, 0, 1000);
	seg(t, 5, CL, F | A, 111, 501, 0, 1000);
	seg(t, 6, SV, A, 501, 112, 0, 1000);
	seg(t, 7, SV, F | A, 501, 112, 0, 1000);
	seg(t, 8, CL, A, 112, 502, 0, 1000);
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_SF);
	assert_string_equal(c->history, "ShADaFf");
	assert_int_equal(c->dir[0].state, TD_TIME_WAIT);
	assert_int_equal(c->dir[1].state, TD_CLOSE);
	assert_int_equal(c->closer, 0);
	assert_int_equal(td_conn_rtt_ns(c), 2 * MS);
	assert_int_equal(c->dir[0].payload_bytes, 10);
	assert_int_equal(c->dir[0].pkts, 5);
	assert_int_equal(c->end, TD_END_CLOSED);
	assert_null(td_conn_problem(c));
	assert_int_equal(td_conn_badness(c), 0);
	td_flow_free(t);
}

static void test_server_never_closes(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	handshake(t);
	seg(t, 5, CL, F | A, 101, 501, 0, 1000);
	seg(t, 6, SV, A, 501, 102, 0, 1000);
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_S2);
	assert_int_equal(c->dir[0].state, TD_FIN_WAIT2);
	assert_int_equal(c->dir[1].state, TD_CLOSE_WAIT);
	assert_string_equal(td_conn_problem(c), "the server never closed");
	assert_int_equal(c->end, TD_END_EOF);
	td_flow_free(t);
}

static void test_simultaneous_close(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	handshake(t);
	seg(t, 5, CL, F | A, 101, 501, 0, 1000);
	seg(t, 5, SV, F | A, 501, 101, 0, 1000); /* does not ack the client's FIN */
	seg(t, 6, CL, A, 102, 502, 0, 1000);
	seg(t, 6, SV, A, 502, 102, 0, 1000);
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_SF);
	assert_int_equal(c->dir[0].state, TD_TIME_WAIT);
	assert_int_equal(c->dir[1].state, TD_TIME_WAIT);
	td_flow_free(t);
}

static void test_simultaneous_open(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 0, SV, S, 500, 0, 0, 1000);
	seg(t, 1, CL, S | A, 100, 501, 0, 1000);
	seg(t, 1, SV, S | A, 500, 101, 0, 1000);
	c = only(t);
	assert_int_equal(c->dir[0].state, TD_ESTABLISHED);
	assert_int_equal(c->dir[1].state, TD_ESTABLISHED);
	td_flow_free(t);
}

static void test_refused_unanswered_rst(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 1, SV, R | A, 0, 101, 0, 0);
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_REJ);
	assert_int_equal(c->dir[0].state, TD_CLOSE);
	assert_true(c->closer == 1 && c->closer_rst);
	/* A RST to a SYN may come from a firewall's reject too, as probe says. */
	assert_non_null(strstr(td_conn_problem(c), "nothing listens"));
	assert_non_null(strstr(td_conn_problem(c), "or a firewall rejects with RST"));
	td_flow_free(t);

	t = table(0);
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	assert_int_equal(seg(t, 1000, CL, S, 100, 0, 0, 1000), TD_A_BIT(TD_A_RETRANS));
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_S0);
	assert_int_equal(c->dir[0].state, TD_SYN_SENT);
	assert_int_equal(c->dir[1].state, 0);
	assert_string_equal(c->history, "S");
	td_flow_free(t);

	t = table(0);
	handshake(t);
	seg(t, 3, CL, R | A, 101, 501, 0, 0);
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_RSTO);
	assert_int_equal(c->dir[1].state, TD_CLOSE);
	td_flow_free(t);

	t = table(0);
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 1, CL, R, 101, 0, 0, 0);
	assert_int_equal(td_conn_state(only(t)), TD_CS_RSTOS0);
	td_flow_free(t);

	t = table(0);
	seg(t, 0, SV, S | A, 500, 101, 0, 1000); /* SYN missed: roles flip */
	seg(t, 1, SV, R, 501, 0, 0, 0);
	c = only(t);
	assert_true(c->flipped);
	assert_int_equal(td_conn_state(c), TD_CS_RSTRH);
	assert_int_equal(c->history[0], '^');
	td_flow_free(t);
}

static void test_half_open_states(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 1, CL, F, 101, 0, 0, 1000);
	assert_int_equal(td_conn_state(only(t)), TD_CS_SH);
	td_flow_free(t);

	t = table(0);
	seg(t, 0, CL, A, 101, 501, 5, 1000); /* midstream */
	seg(t, 1, SV, A, 501, 106, 0, 1000);
	assert_int_equal(td_conn_state(only(t)), TD_CS_OTH);
	assert_true(got[0].midstream);
	td_flow_free(t);

	t = table(0);
	handshake(t);
	assert_int_equal(td_conn_state(only(t)), TD_CS_S1);
	td_flow_free(t);

	t = table(0);
	handshake(t);
	seg(t, 3, SV, F | A, 501, 101, 0, 1000);
	assert_int_equal(td_conn_state(only(t)), TD_CS_S3);
	td_flow_free(t);
}

static void test_analysis_flags(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	handshake(t);
	assert_int_equal(seg(t, 10, CL, A, 101, 501, 100, 1000), 0);
	/* a hole: 201..300 never seen */
	assert_int_equal(seg(t, 20, CL, A, 301, 501, 100, 1000), TD_A_BIT(TD_A_LOST_SEGMENT));
	assert_int_equal(seg(t, 21, SV, A, 501, 201, 0, 1000), 0);
	assert_int_equal(seg(t, 22, SV, A, 501, 201, 0, 1000), TD_A_BIT(TD_A_DUP_ACK));
	assert_int_equal(seg(t, 23, SV, A, 501, 201, 0, 1000), TD_A_BIT(TD_A_DUP_ACK));
	/* the missing segment within 20 ms of 2 dup ACKs: fast retransmission */
	assert_int_equal(seg(t, 24, CL, A, 201, 501, 100, 1000),
			 TD_A_BIT(TD_A_FAST_RETRANS) | TD_A_BIT(TD_A_RETRANS));
	assert_int_equal(seg(t, 25, SV, A, 501, 401, 0, 1000), 0);
	/* already acknowledged data again: spurious, which tshark counts as a
	 * retransmission too */
	assert_int_equal(seg(t, 500, CL, A, 101, 501, 100, 1000),
			 TD_A_BIT(TD_A_SPURIOUS_RETRANS) | TD_A_BIT(TD_A_RETRANS));
	assert_int_equal(seg(t, 501, SV, A, 501, 401, 0, 1500), TD_A_BIT(TD_A_WINDOW_UPDATE));
	assert_int_equal(seg(t, 502, SV, A, 501, 401, 0, 2000), TD_A_BIT(TD_A_WINDOW_UPDATE));
	assert_int_equal(seg(t, 503, SV, A, 501, 401, 0, 0), TD_A_BIT(TD_A_ZERO_WINDOW));
	/* a 1-byte probe into the closed window, and its ACK */
	assert_int_equal(seg(t, 700, CL, A, 401, 501, 1, 1000), TD_A_BIT(TD_A_ZW_PROBE));
	assert_int_equal(seg(t, 701, SV, A, 501, 401, 0, 0),
			 TD_A_BIT(TD_A_ZERO_WINDOW) | TD_A_BIT(TD_A_ZW_PROBE_ACK));
	assert_int_equal(seg(t, 702, SV, A, 501, 401, 0, 1000), TD_A_BIT(TD_A_WINDOW_UPDATE));
	/* keep-alive: one byte below the next sequence number, then its ACK */
	assert_int_equal(seg(t, 9000, CL, A, 400, 501, 0, 1000), TD_A_BIT(TD_A_KEEP_ALIVE));
	assert_int_equal(seg(t, 9001, SV, A, 501, 401, 0, 1000), TD_A_BIT(TD_A_KEEP_ALIVE_ACK));
	/* out of order: behind the highest, soon after it, not a copy of it */
	assert_int_equal(seg(t, 9100, CL, A, 401, 501, 100, 1000), 0);
	assert_int_equal(seg(t, 9100, CL, A, 601, 501, 100, 1000), TD_A_BIT(TD_A_LOST_SEGMENT));
	assert_int_equal(seg(t, 9100, CL, A, 501, 501, 100, 1000), TD_A_BIT(TD_A_OUT_OF_ORDER));
	/* the server ACKs data never seen */
	assert_int_equal(seg(t, 9200, SV, A, 501, 5000, 0, 1000), TD_A_BIT(TD_A_ACK_UNSEEN));
	c = only(t);
	assert_int_equal(c->dir[0].ana[TD_A_LOST_SEGMENT], 2);
	assert_int_equal(c->dir[1].ana[TD_A_DUP_ACK], 2);
	assert_int_equal(td_conn_ana(c, TD_A_RETRANS), 2); /* the fast and the spurious one */
	assert_int_equal(td_conn_ana(c, TD_A_SPURIOUS_RETRANS), 1);
	assert_non_null(strchr(c->history, 'T'));
	assert_non_null(strchr(c->history, 'w'));
	assert_non_null(strchr(c->history, 'G'));
	td_flow_free(t);
}

static void test_window_full_with_scale(void **state)
{
	struct td_flow_table *t = table(0);
	struct td_pkt p;

	(void)state;
	/* scale 2 on both SYNs: the server's window 25 means 100 bytes */
	memset(&p, 0, sizeof(p));
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 1, SV, S | A, 500, 101, 0, 1000);
	seg(t, 2, CL, A, 101, 501, 0, 1000);
	seg(t, 3, SV, A, 501, 101, 0, 100);
	/* no scale offered: window 100 bytes; the client fills it exactly */
	assert_int_equal(seg(t, 4, CL, A, 101, 501, 100, 1000), TD_A_BIT(TD_A_WINDOW_FULL));
	td_flow_free(t);
}

static void test_port_reuse_and_streaming(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, R, 101, 0, 0, 0);
	/* the same 4-tuple, a new ISN: a new connection, the old one emitted */
	assert_int_equal(seg(t, 50, CL, S, 9000, 0, 0, 1000), TD_A_BIT(TD_A_REUSED_PORTS));
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].id, 0);
	assert_int_equal(got[0].end, TD_END_REUSED);
	/* a retransmitted SYN (same ISN) is not a new connection */
	seg(t, 1050, CL, S, 9000, 0, 0, 1000);
	assert_int_equal(ngot, 1);
	/* a closed connection is emitted once its grace time passed */
	seg(t, 1051, SV, R | A, 0, 9001, 0, 0);
	cport++;
	seg(t, 1052 + 121000, CL, S, 1, 0, 0, 1000);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[1].id, 1);
	assert_int_equal(td_conn_state(&got[1]), TD_CS_REJ);
	assert_int_equal(td_flow_flush(t), 0);
	assert_int_equal(ngot, 3);
	assert_int_equal(got[2].id, 2);
	cport--;
	td_flow_free(t);
}

static void test_idle_never_splits_unless_asked(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	/* ten hours of silence, then more data: still one connection */
	seg(t, 36000000, CL, A, 101, 501, 10, 1000);
	cport++;
	seg(t, 36000001, CL, S, 1, 0, 0, 1000); /* another connection advances time */
	cport--;
	assert_int_equal(ngot, 0);
	assert_int_equal(td_flow_flush(t), 0);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[0].dir[0].pkts, 3);
	td_flow_free(t);

	t = table(60000 * MS);
	handshake(t);
	cport++;
	seg(t, 70000, CL, S, 1, 0, 0, 1000);
	cport--;
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].end, TD_END_IDLE);
	td_flow_free(t);
}

static void test_many_connections_table_grows(void **state)
{
	struct td_flow_table *t = table(0);
	struct td_flow_stats st;
	uint16_t saved = cport;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		cport = (uint16_t)(10000 + i);
		seg(t, (uint64_t)i, CL, S, 1, 0, 0, 1000);
	}
	/* every one found again (the table grew and rehashed) */
	for (int i = 0; i < 5000; i++) {
		cport = (uint16_t)(10000 + i);
		seg(t, 6000, SV, R | A, 0, 2, 0, 0);
	}
	td_flow_stats(t, &st);
	assert_int_equal(st.conns, 5000);
	assert_int_equal(st.peak_active, 5000);
	/* all closed: after the grace time they go, and memory with them */
	cport = 9999;
	seg(t, 6000 + 121000, CL, S, 1, 0, 0, 1000);
	td_flow_stats(t, &st);
	assert_int_equal(st.active, 1);
	cport = saved;
	td_flow_free(t);
}

/* "at most N at once" is the peak of connections open together: a
 * hundred connections one after the other is one at once, though the table
 * keeps each closed one through its grace time. */
static void test_peak_is_concurrent(void **state)
{
	struct td_flow_table *t = table(0);
	struct td_flow_stats st;
	uint16_t saved = cport;

	(void)state;
	for (int i = 0; i < 100; i++) {
		uint64_t t0 = (uint64_t)i * 10;

		cport = (uint16_t)(20000 + i);
		seg(t, t0, CL, S, 100, 0, 0, 1000);
		seg(t, t0 + 1, SV, S | A, 500, 101, 0, 1000);
		seg(t, t0 + 2, CL, A, 101, 501, 0, 1000);
		seg(t, t0 + 3, CL, F | A, 101, 501, 0, 1000);
		seg(t, t0 + 4, SV, F | A, 501, 102, 0, 1000);
		seg(t, t0 + 5, CL, A, 102, 502, 0, 1000);
	}
	td_flow_stats(t, &st);
	assert_int_equal(st.conns, 100);
	assert_int_equal(st.active, 100); /* all still in their grace time */
	assert_int_equal(st.open, 0);
	assert_int_equal(st.peak_active, 1);
	/* Two overlapping, one reset: the peak is 2. */
	cport = 30000;
	seg(t, 2000, CL, S, 100, 0, 0, 1000);
	cport = 30001;
	seg(t, 2001, CL, S, 100, 0, 0, 1000);
	seg(t, 2002, SV, R | A, 0, 101, 0, 0);
	td_flow_stats(t, &st);
	assert_int_equal(st.open, 1);
	assert_int_equal(st.peak_active, 2);
	cport = saved;
	td_flow_free(t);
}

static int walked_ids[8], nwalked;

static int on_walk(const struct td_conn *c, void *ctx)
{
	(void)ctx;
	if (nwalked < 8)
		walked_ids[nwalked++] = (int)c->id;
	return 0;
}

/* td_flow_walk_open() visits the connections still open (not one that ended
 * with a RST), emits nothing, and a later segment continues the same record:
 * in-progress reports of `capture` never split a connection. */
static void test_walk_open(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	cport = 41100;
	handshake(t); /* #0: stays open */
	cport = 41101;
	handshake(t); /* #1: reset */
	seg(t, 3, SV, R | A, 501, 101, 0, 0);
	nwalked = 0;
	assert_int_equal(td_flow_walk_open(t, on_walk, NULL), 0);
	assert_int_equal(nwalked, 1);
	assert_int_equal(walked_ids[0], 0);
	assert_int_equal(ngot, 0); /* walking emits nothing */
	cport = 41100;
	seg(t, 60000, CL, A, 101, 501, 10, 1000); /* a minute later: same connection */
	assert_int_equal(td_flow_flush(t), 0);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[0].id, 0);
	assert_int_equal(got[0].dir[0].pkts, 3);
	assert_int_equal(got[1].id, 1);
	/* An empty table walks nothing. */
	nwalked = 0;
	assert_int_equal(td_flow_walk_open(t, on_walk, NULL), 0);
	assert_int_equal(nwalked, 0);
	td_flow_free(t);
}

/* The order of td_flow_walk_open(): least recently active first when asked
 * (capture's progress lines), else the order the connections opened, which
 * a segment does not change (the open list is then left in place). */
static void walk_order(bool by_activity, const int want[3])
{
	struct td_flow_cfg cfg = { .on_conn = on_conn, .open_by_activity = by_activity };
	struct td_flow_table *t;

	ngot = 0;
	t = td_flow_new(&cfg);
	assert_non_null(t);
	for (int i = 0; i < 3; i++) {
		cport = (uint16_t)(41200 + i);
		handshake(t);
	}
	cport = 41200;
	seg(t, 10, CL, A, 101, 501, 10, 1000); /* #0 is the most recent now */
	nwalked = 0;
	assert_int_equal(td_flow_walk_open(t, on_walk, NULL), 0);
	assert_int_equal(nwalked, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(walked_ids[i], want[i]);
	assert_int_equal(td_flow_flush(t), 0);
	assert_int_equal(ngot, 3);
	td_flow_free(t);
}

static void test_walk_open_order(void **state)
{
	(void)state;
	walk_order(true, (const int[]){ 1, 2, 0 });
	walk_order(false, (const int[]){ 0, 1, 2 });
}

/* Zeek: once both sides sent a FIN, a later RST does not make it RSTO/RSTR
 * (UpdateClosedState ignores a RST when the peer is closed too). */
static void test_zeek_rst_after_both_fins(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	for (int who = CL; who <= SV; who++) {
		t = who == CL ? t : table(0);
		handshake(t);
		seg(t, 5, CL, F | A, 101, 501, 0, 1000);
		seg(t, 6, SV, F | A, 501, 102, 0, 1000);
		seg(t, 7, CL, A, 102, 502, 0, 1000);
		if (who == CL)
			seg(t, 8, CL, R, 102, 0, 0, 0);
		else
			seg(t, 8, SV, R, 502, 0, 0, 0);
		c = only(t);
		assert_int_equal(td_conn_state(c), TD_CS_SF);
		assert_string_equal(c->history, who == CL ? "ShAFfR" : "ShAFfr");
		td_flow_free(t);
	}
}

/* Zeek: a FIN, then a RST from the same side, answered by the peer's FIN is
 * a normal close (UpdateEstablishedState turns the RESET back to CLOSED). */
static void test_zeek_fin_rst_answered_by_fin(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	handshake(t);
	seg(t, 5, CL, F | A, 101, 501, 0, 1000);
	seg(t, 6, CL, R | A, 102, 501, 0, 0);
	seg(t, 7, SV, F | A, 501, 102, 0, 1000);
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_SF);
	td_flow_free(t);

	/* the FIN again with the RST (a FIN+RST packet) answered by a FIN */
	t = table(0);
	handshake(t);
	seg(t, 5, CL, F | A, 101, 501, 0, 1000);
	seg(t, 6, CL, F | R | A, 101, 501, 0, 0);
	seg(t, 7, SV, F | A, 501, 102, 0, 1000);
	c = only(t);
	assert_int_equal(td_conn_state(c), TD_CS_SF);
	assert_string_equal(c->history, "ShAFIf");
	td_flow_free(t);

	/* without the FIN first it stays an abort, also as one FIN+RST */
	t = table(0);
	handshake(t);
	seg(t, 6, CL, R | A, 101, 501, 0, 0);
	seg(t, 7, SV, F | A, 501, 101, 0, 1000);
	assert_int_equal(td_conn_state(only(t)), TD_CS_RSTO);
	td_flow_free(t);
	t = table(0);
	handshake(t);
	seg(t, 6, CL, F | R | A, 101, 501, 0, 0);
	seg(t, 7, SV, F | A, 501, 102, 0, 1000);
	assert_int_equal(td_conn_state(only(t)), TD_CS_RSTO);
	td_flow_free(t);
}

/* Zeek: RSTOS0 only when the history fits ^?S[^HAFGIQ]*R.*, else OTH. */
static void test_zeek_rstos0_pattern(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 1, CL, S, 100, 0, 0, 1000);
	seg(t, 2, CL, R, 101, 0, 0, 0);
	c = only(t);
	assert_string_equal(c->history, "SR");
	assert_int_equal(td_conn_state(c), TD_CS_RSTOS0);
	td_flow_free(t);

	/* a pure ACK between the SYN and the RST: not RSTOS0 */
	t = table(0);
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	seg(t, 1, CL, A, 101, 501, 0, 1000);
	seg(t, 2, CL, R, 101, 0, 0, 0);
	c = only(t);
	assert_string_equal(c->history, "SAR");
	assert_int_equal(td_conn_state(c), TD_CS_OTH);
	td_flow_free(t);

	/* a RST alone, no SYN: OTH */
	t = table(0);
	seg(t, 0, CL, R, 101, 0, 0, 0);
	assert_int_equal(td_conn_state(only(t)), TD_CS_OTH);
	td_flow_free(t);
}

/* Zeek: a SYN-ACK seen first (the SYN missed), then the originator's ACK:
 * both established, S1 (UpdateInactiveState). */
static void test_zeek_synack_first_then_ack(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	seg(t, 0, SV, S | A, 500, 101, 0, 1000);
	seg(t, 1, CL, A, 101, 501, 0, 1000);
	seg(t, 2, CL, A, 101, 501, 10, 1000);
	seg(t, 3, SV, A, 501, 111, 0, 1000);
	c = only(t);
	assert_true(c->flipped);
	assert_string_equal(c->history, "^hADa");
	assert_int_equal(td_conn_state(c), TD_CS_S1);
	td_flow_free(t);
}

/* Zeek's Connection::CheckEncapsulation(): GTP-U with the uplink and the
 * downlink in two outer UDP flows changes tunnel at every turn; past 5
 * changes the history gets an X, once (core.tunnels.gtp.different_dl_and_ul).
 * One outer flow both ways, or GRE whatever its UDP ports, is no change. */
static void test_zeek_tunnel_changes(void **state)
{
	struct td_pkt_encap ul = { .n = 1,
				   .layer = { TD_ENC_GTPU },
				   .family = AF_INET,
				   .saddr = { 198, 51, 100, 1 },
				   .daddr = { 198, 51, 100, 2 },
				   .sport = 5906,
				   .dport = 2152 };
	struct td_pkt_encap dl = ul, gre = ul, gre2;
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	memcpy(dl.saddr, ul.daddr, 16);
	memcpy(dl.daddr, ul.saddr, 16);
	dl.sport = dl.dport = 2152;
	encap = &ul;
	seg(t, 0, CL, S, 100, 0, 0, 1000);
	encap = &dl;
	seg(t, 1, SV, S | A, 500, 101, 0, 1000); /* change 1 */
	encap = &ul;
	seg(t, 2, CL, A, 101, 501, 0, 1000); /* 2 */
	encap = &dl;
	seg(t, 3, SV, A, 501, 101, 10, 1000); /* 3 */
	encap = &ul;
	seg(t, 4, CL, A, 101, 511, 10, 1000); /* 4 */
	encap = &dl;
	seg(t, 5, SV, A, 511, 111, 0, 1000); /* 5 */
	encap = &ul;
	seg(t, 6, CL, A, 111, 511, 0, 1000); /* the 6th: X */
	encap = &dl;
	seg(t, 7, SV, F | A, 511, 111, 0, 1000);
	c = only(t);
	assert_string_equal(c->history, "ShAdDaXf");
	td_flow_free(t);

	/* the downlink in the same outer UDP flow, reversed: no change */
	dl.sport = 2152, dl.dport = 5906;
	t = table(0);
	for (int i = 0; i < 8; i++) {
		encap = i % 2 ? &dl : &ul;
		seg(t, (uint64_t)i, i % 2 ? SV : CL, A, 100 + i, 500 + i, 1, 1000);
	}
	assert_null(strchr(only(t)->history, 'X'));
	td_flow_free(t);

	/* GRE in UDP: its addresses count, not its UDP ports */
	gre.layer[0] = TD_ENC_GRE;
	gre2 = gre;
	gre2.sport = 36527;
	t = table(0);
	for (int i = 0; i < 8; i++) {
		encap = i % 2 ? &gre2 : &gre;
		seg(t, (uint64_t)i, i % 2 ? SV : CL, A, 100 + i, 500 + i, 1, 1000);
	}
	assert_null(strchr(only(t)->history, 'X'));
	td_flow_free(t);
	encap = NULL;
}

/* Zeek: a content gap is the sender's (G for the originator's missing data),
 * found when the peer's ACK passes a sequence hole, and only while both
 * sides are established or closing cleanly. */
static void test_zeek_gap_letters(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 10, 1000);
	seg(t, 4, SV, A, 501, 111, 0, 1000);
	seg(t, 5, CL, A, 121, 501, 10, 1000); /* 111..120 not captured */
	seg(t, 6, SV, A, 501, 131, 0, 1000);
	c = only(t);
	assert_string_equal(c->history, "ShADaG");
	td_flow_free(t);

	/* the server's data acknowledged but never captured: 'g', the server's */
	t = table(0);
	handshake(t);
	seg(t, 3, SV, A, 501, 101, 10, 1000);
	seg(t, 4, CL, A, 101, 611, 0, 1000); /* 511..610 never seen */
	c = only(t);
	assert_string_equal(c->history, "ShAdg");
	td_flow_free(t);

	/* a hole the sender fills before the ACK comes: no gap */
	t = table(0);
	handshake(t);
	seg(t, 3, CL, A, 111, 501, 10, 1000);
	seg(t, 4, CL, A, 101, 501, 10, 1000);
	seg(t, 5, SV, A, 501, 121, 0, 1000);
	c = only(t);
	assert_null(strchr(c->history, 'G'));
	assert_null(strchr(c->history, 'g'));
	td_flow_free(t);

	/* midstream (partial): holes are not gaps */
	t = table(0);
	seg(t, 0, CL, A, 101, 501, 10, 1000);
	seg(t, 1, CL, A, 121, 501, 10, 1000);
	seg(t, 2, SV, A, 501, 131, 0, 1000);
	c = only(t);
	assert_string_equal(c->history, "Da");
	td_flow_free(t);
}

/* Zeek's role flip: a connection seen without its SYN flips when the first
 * sender's port is a likely server port (Zeek's likely_server_ports) and
 * the other is not; a SYN-ACK from an unknown port does not flip until the
 * SYN itself shows up (the SYN/SYN-ACK reversal). */
static void test_zeek_role_flip(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	/* midstream, first packet from port 80: the other side originated */
	seg(t, 0, SV, A, 501, 101, 10, 1000);
	seg(t, 1, CL, A, 101, 511, 0, 1000);
	c = only(t);
	assert_true(c->flipped);
	assert_int_equal(c->dir[0].port, cport);
	assert_string_equal(c->history, "^dA");
	td_flow_free(t);

	/* a SYN-ACK from port 5001 (not a likely server port): no flip at
	 * first, its sender is the originator (a stealth scan's SYN-ACK)... */
	sport = 5001;
	t = table(0);
	seg(t, 0, SV, S | A, 500, 101, 0, 1000);
	seg(t, 1, SV, R, 501, 0, 0, 0);
	c = only(t);
	assert_false(c->flipped);
	assert_int_equal(c->dir[0].port, 5001);
	assert_string_equal(c->history, "HR");
	td_flow_free(t);

	/* ...but an ACK or data after a history of just "H" flips it, and the
	 * history is rewritten "^h" (TCP_Endpoint::CheckHistory()), from
	 * either side: Zeek's core.tcp.flip-without-syn and core.local-flip */
	t = table(0);
	seg(t, 0, SV, S | A, 500, 101, 0, 1000);
	seg(t, 1, CL, A, 101, 501, 0, 1000);
	c = only(t);
	assert_true(c->flipped);
	assert_int_equal(c->dir[0].port, cport);
	assert_string_equal(c->history, "^hA");
	td_flow_free(t);
	t = table(0);
	seg(t, 0, SV, S | A, 500, 101, 0, 1000);
	seg(t, 1, SV, A, 501, 101, 100, 1000);
	seg(t, 2, CL, A, 101, 601, 0, 1000);
	seg(t, 3, CL, F | A, 101, 601, 0, 1000);
	seg(t, 4, SV, F | A, 601, 102, 0, 1000);
	seg(t, 5, CL, A, 102, 602, 0, 1000);
	c = only(t);
	assert_true(c->flipped);
	assert_int_equal(c->dir[0].port, cport);
	assert_int_equal(c->dir[1].port, 5001);
	assert_string_equal(c->history, "^hdAFf");
	assert_int_equal(td_conn_state(c), TD_CS_SF);
	td_flow_free(t);

	/* ...then the SYN arrives (captured out of order): roles flip */
	t = table(0);
	seg(t, 0, SV, S | A, 500, 101, 0, 1000);
	seg(t, 1, CL, S, 100, 0, 0, 1000);
	seg(t, 2, CL, A, 101, 501, 0, 1000);
	c = only(t);
	assert_true(c->flipped);
	assert_int_equal(c->dir[0].port, cport);
	assert_int_equal(c->dir[1].port, 5001);
	assert_string_equal(c->history, "Hs^A");
	assert_int_equal(td_conn_state(c), TD_CS_S1);
	td_flow_free(t);
	sport = 80;
}

/* Zeek's history letters: Q for SYN with FIN/RST and I for FIN+RST instead
 * of the single letters, D only without SYN/FIN/RST, S/F/R again when the
 * sequence number differs, T by Zeek's rule (payload not beyond the highest
 * sequence seen), W also on a FIN. */
static void test_zeek_history_letters(void **state)
{
	struct td_flow_table *t = table(0);
	const struct td_conn *c;

	(void)state;
	handshake(t);
	seg(t, 3, CL, F | A, 101, 501, 10, 1000); /* FIN with data: F, no D */
	seg(t, 4, CL, F | A, 101, 501, 10, 1000); /* the same FIN again: T only */
	seg(t, 5, SV, F | R | A, 501, 112, 0, 0); /* FIN+RST: I */
	c = only(t);
	assert_string_equal(c->history, "ShAFTi");
	td_flow_free(t);

	t = table(0);
	seg(t, 0, CL, S | F, 100, 0, 0, 1000);
	seg(t, 1, CL, R, 101, 0, 0, 0);
	seg(t, 2, CL, R, 5000, 0, 0, 0); /* another sequence number: R again */
	c = only(t);
	assert_string_equal(c->history, "QRR");
	td_flow_free(t);
}

#define BIT(a) TD_A_BIT(TD_A_##a)

/* Wireshark: spurious is checked first, before fast retransmission and out
 * of order, and even at the next expected sequence number; it is a
 * retransmission too. */
static void test_ws_spurious_first(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 100, 1000);
	seg(t, 4, SV, A, 501, 201, 0, 1000);
	assert_int_equal(seg(t, 300, CL, A, 101, 501, 100, 1000),
			 BIT(SPURIOUS_RETRANS) | BIT(RETRANS));
	assert_int_equal(seg(t, 301, SV, A, 501, 401, 0, 1000), BIT(ACK_UNSEEN));
	/* 201..300 was acknowledged unseen: sent now at the next sequence
	 * number, it is still spurious */
	assert_int_equal(seg(t, 302, CL, A, 201, 501, 100, 1000),
			 BIT(SPURIOUS_RETRANS) | BIT(RETRANS));
	/* within the handshake RTT of the highest segment, but acknowledged:
	 * spurious, not out of order */
	assert_int_equal(seg(t, 302, CL, A, 101, 501, 50, 1000),
			 BIT(SPURIOUS_RETRANS) | BIT(RETRANS));
	td_flow_free(t);
}

/* Wireshark: an ACK of unseen data is flagged once; again when the data
 * side has sent past a hole since, or its ACK number changed. */
static void test_ws_ack_unseen_once(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 100, 1000);
	assert_int_equal(seg(t, 4, SV, A, 501, 301, 0, 1000), BIT(ACK_UNSEEN));
	assert_int_equal(seg(t, 5, SV, A, 501, 301, 0, 1000), BIT(DUP_ACK));
	assert_int_equal(seg(t, 6, SV, A, 501, 301, 0, 2000), BIT(WINDOW_UPDATE));
	assert_int_equal(seg(t, 7, CL, A, 301, 501, 10, 1000), BIT(LOST_SEGMENT));
	assert_int_equal(seg(t, 8, SV, A, 501, 411, 0, 2000), BIT(ACK_UNSEEN));
	assert_int_equal(seg(t, 9, SV, A, 501, 411, 0, 2000), BIT(DUP_ACK));
	assert_int_equal(td_conn_ana(only(t), TD_A_ACK_UNSEEN), 2);
	td_flow_free(t);

	/* ACKs moving on beyond the unseen data, nothing sent meanwhile: once */
	t = table(0);
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 100, 1000);
	assert_int_equal(seg(t, 4, SV, A, 501, 301, 0, 1000), BIT(ACK_UNSEEN));
	assert_int_equal(seg(t, 5, SV, A, 501, 401, 0, 1000), 0);
	/* contiguous data from the client, then an ACK beyond it: not again */
	seg(t, 6, CL, A, 201, 501, 250, 1000);
	assert_int_equal(seg(t, 7, SV, A, 501, 500, 0, 1000), 0);
	/* the client's ACK number changes: flagged again */
	seg(t, 8, SV, A, 501, 500, 10, 1000);
	seg(t, 9, CL, A, 451, 511, 0, 1000);
	assert_int_equal(seg(t, 10, SV, A, 511, 600, 0, 1000), BIT(ACK_UNSEEN));
	td_flow_free(t);
}

/* Wireshark: more than one byte starting at next-seq - 1 adds new data:
 * neither a retransmission nor out of order (one byte there is a
 * keep-alive). */
static void test_ws_next_minus_one(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 100, 1000);
	assert_int_equal(seg(t, 3, CL, A, 200, 501, 50, 1000), 0);
	assert_int_equal(seg(t, 4, CL, A, 249, 501, 1, 1000), BIT(KEEP_ALIVE));
	td_flow_free(t);
}

/* Wireshark: the dup-ACK count goes on until the ACK number changes; a
 * window update or data with the same ACK does not reset it. */
/* A window never seen is Wireshark's G_MAXUINT32, not 0: 1-byte segments
 * before any traffic the other way are no zero window probes, and nothing
 * goes missing between them (Zeek's tunnel-direct-bypass.pcap). */
static void test_ws_unseen_window_is_open(void **state)
{
	struct td_flow_table *t = table(0);
	uint32_t all = 0;

	(void)state;
	for (uint32_t i = 1; i <= 6; i++)
		all |= seg(t, i, CL, A, i, 0, 1, 8192);
	assert_int_equal(all, 0);
	/* once the peer says 0, the next such byte is a probe */
	seg(t, 10, SV, A, 1, 7, 0, 0);
	assert_int_equal(seg(t, 11, CL, A, 7, 1, 1, 8192), TD_A_BIT(TD_A_ZW_PROBE));
	td_flow_free(t);
}

/* Dup ACK and window update compare the header's window fields, as tshark
 * 4.0 keeps them: after a SYN-ACK of window 65535 with scale 3, a pure ACK
 * with the same field (524280 scaled) repeats it (Zeek's socks.pcap). */
static void test_ws_windows_compared_raw(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	seg_ws(t, 0, CL, S, 100, 0, 0, 65535, 3);
	seg_ws(t, 1, SV, S | A, 500, 101, 0, 65535, 3);
	assert_int_equal(seg(t, 2, CL, A, 101, 501, 0, 65535), 0);
	assert_int_equal(seg(t, 3, SV, A, 501, 101, 0, 65535), TD_A_BIT(TD_A_DUP_ACK));
	assert_int_equal(seg(t, 4, SV, A, 501, 101, 0, 8000), TD_A_BIT(TD_A_WINDOW_UPDATE));
	td_flow_free(t);
}

/* Sequence numbers exactly 2^31 apart compare as Wireshark's GT_SEQ()
 * has them: beyond the next expected one (a lost segment) and, as
 * LT_SEQ() says too, not advancing (Zeek's modbus/fuzz-72.pcap). */
static void test_ws_seq_half_space(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 10, 1000);
	assert_true(seg(t, 4, CL, A, 111 + 0x80000000u, 501, 10, 1000) &
		    TD_A_BIT(TD_A_LOST_SEGMENT));
	td_flow_free(t);
}

/* Wireshark's dup-ACK count is unsigned: the -1 an ACKed-unseen segment
 * leaves in it counts as two or more, so a FIN resent at once after it is
 * a fast retransmission (Zeek's tcp/reassembly.pcap). */
static void test_ws_fast_retrans_after_ack_unseen(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 274, 1000);
	seg(t, 4, SV, A, 501, 375, 0, 1000);
	seg(t, 5, SV, F | A, 501, 375, 0, 1000);
	seg(t, 6, CL, A, 375, 501, 1440, 1000);
	assert_int_equal(seg(t, 7, SV, F | A, 501, 1823, 0, 1000),
			 TD_A_BIT(TD_A_RETRANS) | TD_A_BIT(TD_A_FAST_RETRANS) |
				 TD_A_BIT(TD_A_ACK_UNSEEN));
	td_flow_free(t);
}

static void test_ws_dupack_count(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 100, 1000);
	seg(t, 3, CL, A, 301, 501, 100, 1000);
	seg(t, 4, SV, A, 501, 201, 0, 1000);
	seg(t, 5, SV, A, 501, 201, 0, 1000);
	assert_int_equal(seg(t, 6, SV, A, 501, 201, 0, 2000), BIT(WINDOW_UPDATE));
	seg(t, 6, SV, A, 501, 201, 5, 2000); /* data, same ACK */
	assert_int_equal(seg(t, 7, SV, A, 506, 201, 0, 2000), BIT(DUP_ACK));
	assert_int_equal(seg(t, 8, CL, A, 201, 506, 100, 1000), BIT(FAST_RETRANS) | BIT(RETRANS));
	td_flow_free(t);
}

/* Wireshark: window-full only when the receiver's window scale is known,
 * i.e. its SYN (or a SYN without the option) was seen. */
static void test_ws_window_full_needs_scale(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	seg(t, 0, SV, A, 501, 101, 0, 100); /* midstream */
	assert_int_equal(seg(t, 1, CL, A, 101, 501, 100, 1000), 0);
	td_flow_free(t);

	/* only the client's SYN seen, with the option: the server's scale is
	 * unknown */
	t = table(0);
	seg_ws(t, 0, CL, S, 100, 0, 0, 1000, 2);
	seg(t, 1, SV, A, 501, 101, 0, 100);
	assert_int_equal(seg(t, 2, CL, A, 101, 501, 100, 1000), 0);
	td_flow_free(t);

	/* both SYNs without the option: known (no scaling) */
	t = table(0);
	handshake(t);
	seg(t, 3, SV, A, 501, 101, 0, 100);
	assert_int_equal(seg(t, 4, CL, A, 101, 501, 100, 1000), BIT(WINDOW_FULL));
	td_flow_free(t);
}

/* Wireshark: a segment whose TCP options the snap length cut is analysed
 * (the dup-ACK count goes on) but none of its flags is reported. */
static void test_ws_options_cut_hides_flags(void **state)
{
	struct td_flow_table *t = table(0);
	struct td_pkt p = { .ts_ns = 1000 * MS + 10 * MS,
			    .family = AF_INET,
			    .flags = A,
			    .seq = 501,
			    .ack = 201,
			    .window = 1000,
			    .wirelen = 66,
			    .opts_cut = true };
	const struct td_conn *c;

	(void)state;
	handshake(t);
	seg(t, 3, CL, A, 101, 501, 100, 1000);
	seg(t, 3, CL, A, 301, 501, 100, 1000);
	seg(t, 4, SV, A, 501, 201, 0, 1000);
	memcpy(p.saddr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(p.daddr, (uint8_t[]){ 192, 0, 2, 2 }, 4);
	p.sport = sport;
	p.dport = cport;
	assert_int_equal(td_flow_add(t, &p, 1), 0);
	assert_int_equal(last_ana, 0); /* a dup ACK, not reported */
	assert_int_equal(seg(t, 11, SV, A, 501, 201, 0, 1000), BIT(DUP_ACK));
	/* two dup ACKs counted: the resend is a fast retransmission */
	assert_int_equal(seg(t, 12, CL, A, 201, 501, 100, 1000), BIT(FAST_RETRANS) | BIT(RETRANS));
	c = only(t);
	assert_int_equal(c->dir[1].ana[TD_A_DUP_ACK], 1);
	td_flow_free(t);
}

/* Wireshark: a SYN-ACK bringing a new ISN on a known 4-tuple is reused
 * ports, in the same stream (tshark 4.0 does not start a new one). */
static void test_ws_reused_ports_synack(void **state)
{
	struct td_flow_table *t = table(0);

	(void)state;
	handshake(t);
	seg(t, 3, CL, R | A, 101, 501, 0, 0);
	/* the new SYN missed; the server's SYN-ACK with another ISN */
	assert_int_equal(seg(t, 1000, SV, S | A, 9000, 7001, 0, 1000),
			 BIT(REUSED_PORTS) | BIT(LOST_SEGMENT) | BIT(ACK_UNSEEN));
	/* a retransmitted SYN-ACK (same ISN) is not */
	assert_int_equal(seg(t, 1001, SV, S | A, 9000, 7001, 0, 1000) & BIT(REUSED_PORTS), 0);
	assert_int_equal(td_flow_flush(t), 0);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].dir[1].ana[TD_A_REUSED_PORTS], 1);
	td_flow_free(t);
}

/* --streams zeek: an unanswered SYN is a connection attempt for 5 s
 * (tcp_attempt_delay); a SYN retransmitted later is a new connection, as
 * in conn.log. tcp.stream keeps one. */
static void test_zeek_streams_attempt(void **state)
{
	struct td_flow_table *t;

	(void)state;
	for (int zeek = 0; zeek <= 1; zeek++) {
		t = zeek ? zeek_table() : table(0);
		seg(t, 0, CL, S, 100, 0, 0, 1000);
		seg(t, 1000, CL, S, 100, 0, 0, 1000);
		seg(t, 3000, CL, S, 100, 0, 0, 1000);
		seg(t, 7000, CL, S, 100, 0, 0, 1000);
		assert_int_equal(td_flow_flush(t), 0);
		assert_int_equal(ngot, zeek ? 2 : 1);
		assert_int_equal(got[0].dir[0].pkts, zeek ? 3 : 4);
		assert_int_equal(td_conn_state(&got[0]), TD_CS_S0);
		if (zeek) {
			assert_int_equal(got[0].end, TD_END_IDLE);
			assert_int_equal(got[1].id, 1);
			assert_int_equal(td_conn_state(&got[1]), TD_CS_S0);
		}
		td_flow_free(t);
	}
}

/* --streams zeek: after a REJ the connection is closed, so a SYN again,
 * even with the same ISN, is a new one (IsReuse()); so is a segment 5 s
 * after a complete close (tcp_close_delay). */
static void test_zeek_streams_reuse_and_close(void **state)
{
	struct td_flow_table *t;

	(void)state;
	for (int zeek = 0; zeek <= 1; zeek++) {
		t = zeek ? zeek_table() : table(0);
		seg(t, 0, CL, S, 100, 0, 0, 1000);
		seg(t, 1, SV, R | A, 0, 101, 0, 0);
		seg(t, 500, CL, S, 100, 0, 0, 1000);
		seg(t, 501, SV, R | A, 0, 101, 0, 0);
		assert_int_equal(td_flow_flush(t), 0);
		assert_int_equal(ngot, zeek ? 2 : 1);
		assert_int_equal(td_conn_state(&got[0]), TD_CS_REJ);
		if (zeek)
			assert_int_equal(got[0].end, TD_END_REUSED);
		td_flow_free(t);

		t = zeek ? zeek_table() : table(0);
		handshake(t);
		seg(t, 5, CL, F | A, 101, 501, 0, 1000);
		seg(t, 6, SV, F | A, 501, 102, 0, 1000);
		seg(t, 7, CL, A, 102, 502, 0, 1000);
		seg(t, 4000, CL, A, 102, 502, 0, 1000);	    /* within 5 s: the same */
		seg(t, 9000, SV, F | A, 501, 102, 0, 1000); /* a late FIN, after it */
		assert_int_equal(td_flow_flush(t), 0);
		assert_int_equal(ngot, zeek ? 2 : 1);
		assert_int_equal(td_conn_state(&got[0]), TD_CS_SF);
		assert_int_equal(got[0].dir[0].pkts, 5);
		if (zeek) {
			assert_int_equal(got[0].end, TD_END_CLOSED);
			assert_true(got[1].midstream);
		}
		td_flow_free(t);
	}
}

/* --streams zeek: 5 minutes without a packet ends an established
 * connection (tcp_inactivity_timeout); it does not with tcp.stream. */
static void test_zeek_streams_inactivity(void **state)
{
	struct td_flow_table *t;

	(void)state;
	for (int zeek = 0; zeek <= 1; zeek++) {
		t = zeek ? zeek_table() : table(0);
		handshake(t);
		seg(t, 299000, CL, A, 101, 501, 10, 1000);
		seg(t, 600000, CL, A, 111, 501, 10, 1000);
		assert_int_equal(td_flow_flush(t), 0);
		assert_int_equal(ngot, zeek ? 2 : 1);
		assert_int_equal(got[0].dir[0].pkts, zeek ? 3 : 4);
		if (zeek)
			assert_string_equal(got[1].history, "D");
		td_flow_free(t);
	}
}

/* Zeek's own btest scripts/base/protocols/conn/conn_state-RST-behavior:
 * its baseline says R OTH, SR RSTOS0, SaR RSTOS0, SaFR OTH. */
static void test_zeek_rst_behavior_baseline(void **state)
{
	static const struct {
		const char *history, *cs;
	} want[] = { { "R", "OTH" }, { "SR", "RSTOS0" }, { "SaR", "RSTOS0" }, { "SaFR", "OTH" } };
	struct td_flow_table *t;
	const struct td_conn *c;

	(void)state;
	for (int i = 0; i < 4; i++) {
		t = table(0);
		if (i > 0)
			seg(t, 0, CL, S, 100, 0, 0, 1000);
		if (i > 1)
			seg(t, 1, SV, A, 500, 101, 0, 1000); /* an ACK, no SYN-ACK */
		if (i > 2)
			seg(t, 2, CL, F | A, 101, 501, 0, 1000);
		seg(t, 3, CL, R, i > 2 ? 102 : 101, 0, 0, 0);
		c = only(t);
		assert_string_equal(c->history, want[i].history);
		assert_string_equal(td_conn_state_name(td_conn_state(c)), want[i].cs);
		td_flow_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_close),
		cmocka_unit_test(test_server_never_closes),
		cmocka_unit_test(test_simultaneous_close),
		cmocka_unit_test(test_simultaneous_open),
		cmocka_unit_test(test_refused_unanswered_rst),
		cmocka_unit_test(test_half_open_states),
		cmocka_unit_test(test_analysis_flags),
		cmocka_unit_test(test_window_full_with_scale),
		cmocka_unit_test(test_port_reuse_and_streaming),
		cmocka_unit_test(test_idle_never_splits_unless_asked),
		cmocka_unit_test(test_many_connections_table_grows),
		cmocka_unit_test(test_peak_is_concurrent),
		cmocka_unit_test(test_walk_open),
		cmocka_unit_test(test_walk_open_order),
		cmocka_unit_test(test_zeek_rst_after_both_fins),
		cmocka_unit_test(test_zeek_fin_rst_answered_by_fin),
		cmocka_unit_test(test_zeek_rstos0_pattern),
		cmocka_unit_test(test_zeek_synack_first_then_ack),
		cmocka_unit_test(test_zeek_gap_letters),
		cmocka_unit_test(test_zeek_role_flip),
		cmocka_unit_test(test_zeek_tunnel_changes),
		cmocka_unit_test(test_zeek_history_letters),
		cmocka_unit_test(test_ws_spurious_first),
		cmocka_unit_test(test_ws_ack_unseen_once),
		cmocka_unit_test(test_ws_next_minus_one),
		cmocka_unit_test(test_ws_unseen_window_is_open),
		cmocka_unit_test(test_ws_windows_compared_raw),
		cmocka_unit_test(test_ws_seq_half_space),
		cmocka_unit_test(test_ws_fast_retrans_after_ack_unseen),
		cmocka_unit_test(test_ws_dupack_count),
		cmocka_unit_test(test_ws_window_full_needs_scale),
		cmocka_unit_test(test_ws_options_cut_hides_flags),
		cmocka_unit_test(test_ws_reused_ports_synack),
		cmocka_unit_test(test_zeek_rst_behavior_baseline),
		cmocka_unit_test(test_zeek_streams_attempt),
		cmocka_unit_test(test_zeek_streams_reuse_and_close),
		cmocka_unit_test(test_zeek_streams_inactivity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

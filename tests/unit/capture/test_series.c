/* Tests for the series of `pcap --graph` (series.c) on hand-built segments:
 * RTT by exact ACK, Karn's rule, partial ACKs, bytes in flight less SACKed
 * bytes, the sequence space past 4 GiB, a window that closes, throughput
 * bins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/series.h"

#define MS 1000000ull

static struct td_seg seg(uint64_t ms, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
			 uint32_t len, uint32_t win)
{
	struct td_seg g = { 0 };

	g.ts_ns = 1000 * MS + ms * MS;
	g.dir = dir;
	g.flags = flags;
	g.rel_seq = seq;
	g.rel_ack = ack;
	g.len = len;
	g.window = g.window_scaled = win;
	return g;
}

static void add(struct td_series *s, struct td_seg g)
{
	assert_int_equal(td_series_add(s, &g), 0);
}

/* SYN, SYN-ACK, ACK 10 ms apart, then two data segments acknowledged. */
static void handshake(struct td_series *s)
{
	add(s, seg(0, 0, TD_TH_SYN, 0, 0, 0, 65535));
	add(s, seg(10, 1, TD_TH_SYN | TD_TH_ACK, 0, 1, 0, 65535));
	add(s, seg(20, 0, TD_TH_ACK, 1, 1, 0, 65535));
}

static void test_rtt_exact_ack(void **state)
{
	struct td_series s;

	(void)state;
	td_series_init(&s);
	handshake(&s);
	add(&s, seg(30, 0, TD_TH_ACK, 1, 1, 1000, 65535));
	add(&s, seg(31, 0, TD_TH_ACK, 1001, 1, 1000, 65535));
	add(&s, seg(45, 1, TD_TH_ACK, 1, 1001, 0, 65535)); /* acks the first exactly */
	add(&s, seg(60, 1, TD_TH_ACK, 1, 2001, 0, 65535)); /* and the second */
	/* dir 0: the SYN (handshake), then both data segments */
	assert_int_equal(s.d[0].nrtts, 3);
	assert_true(s.d[0].rtts[0].handshake);
	assert_true(s.d[0].rtts[0].rtt > 0.0099 && s.d[0].rtts[0].rtt < 0.0101);
	assert_int_equal(s.d[0].rtts[1].seq_end, 1001);
	assert_true(s.d[0].rtts[1].rtt > 0.0149 && s.d[0].rtts[1].rtt < 0.0151);
	assert_true(s.d[0].rtts[2].rtt > 0.0289 && s.d[0].rtts[2].rtt < 0.0291);
	/* dir 1: its SYN-ACK, acknowledged by the third segment */
	assert_int_equal(s.d[1].nrtts, 1);
	assert_true(s.d[1].rtts[0].handshake);
	td_series_free(&s);
}

/* A cumulative ACK over two segments samples only the one it matches
 * exactly (as tshark); a partial ACK leaves the rest waiting. */
static void test_cumulative_and_partial(void **state)
{
	struct td_series s;

	(void)state;
	td_series_init(&s);
	handshake(&s);
	add(&s, seg(30, 0, TD_TH_ACK, 1, 1, 1000, 65535));
	add(&s, seg(31, 0, TD_TH_ACK, 1001, 1, 1000, 65535));
	add(&s, seg(32, 0, TD_TH_ACK, 2001, 1, 1000, 65535));
	add(&s, seg(40, 1, TD_TH_ACK, 1, 1501, 0, 65535)); /* half of the second */
	assert_int_equal(s.d[0].nrtts, 1);		   /* the handshake only */
	add(&s, seg(50, 1, TD_TH_ACK, 1, 3001, 0, 65535)); /* all: matches the third */
	assert_int_equal(s.d[0].nrtts, 2);
	assert_int_equal(s.d[0].rtts[1].seq_end, 3001);
	assert_int_equal(s.d[0].npend, 0);
	td_series_free(&s);
}

/* Karn: a range sent twice gives no sample, whichever copy the ACK answers. */
static void test_karn(void **state)
{
	struct td_series s;
	struct td_seg g;

	(void)state;
	td_series_init(&s);
	handshake(&s);
	add(&s, seg(30, 0, TD_TH_ACK, 1, 1, 1000, 65535));
	g = seg(230, 0, TD_TH_ACK, 1, 1, 1000, 65535);
	g.ana = TD_A_BIT(TD_A_RETRANS);
	add(&s, g);
	add(&s, seg(240, 1, TD_TH_ACK, 1, 1001, 0, 65535));
	assert_int_equal(s.d[0].nrtts, 1);			/* the handshake */
	assert_int_equal(s.d[0].segs[2].mark, TD_MARK_RETRANS); /* [0] is the SYN */
	assert_int_equal(s.d[0].segs[2].fresh, 0);		/* no goodput */
	assert_int_equal(s.d[0].payload, 2000);
	assert_int_equal(s.d[0].goodput, 1000);
	td_series_free(&s);
}

/* In flight: highest sent less the peer's highest ACK less its SACKed
 * bytes (three blocks at most, as tshark); a SYN or FIN counts one less. */
static void test_in_flight_and_sack(void **state)
{
	struct td_series s;
	struct td_seg g;

	(void)state;
	td_series_init(&s);
	handshake(&s);
	for (uint32_t k = 0; k < 5; k++)
		add(&s, seg(30 + k, 0, TD_TH_ACK, 1 + 1000 * k, 1, 1000, 65535));
	assert_int_equal(s.d[0].nflight, 5);
	assert_int_equal(s.d[0].flight[4].in_flight, 5000);
	/* the second segment was lost: a dup ACK SACKs 3..5 */
	g = seg(40, 1, TD_TH_ACK, 1, 1001, 0, 60000);
	g.nsack = 1;
	g.sack[0][0] = 2001;
	g.sack[0][1] = 5001;
	add(&s, g);
	add(&s, seg(41, 0, TD_TH_ACK, 5001, 1, 1000, 65535));
	assert_int_equal(s.d[0].flight[5].in_flight, 6000 - 1000 - 3000);
	assert_int_equal(s.d[0].flight[5].window, 60000);
	assert_int_equal(s.d[0].acks[s.d[0].nacks - 1].nsack, 1);
	assert_int_equal(s.d[0].acks[s.d[0].nacks - 1].sack[0][0], 2001);
	/* a plain ACK clears the SACK; a FIN with data counts one less */
	add(&s, seg(50, 1, TD_TH_ACK, 1, 6001, 0, 60000));
	add(&s, seg(51, 0, TD_TH_ACK | TD_TH_FIN, 6001, 1, 500, 65535));
	assert_int_equal(s.d[0].flight[6].in_flight, 500);
	td_series_free(&s);
}

/* Past 4 GiB the relative numbers wrap; the series keep counting. */
static void test_wrap(void **state)
{
	struct td_series s;
	uint32_t near = 0xffffff00u;

	(void)state;
	td_series_init(&s);
	add(&s, seg(0, 0, TD_TH_ACK, near - 0x10000000u, 1, 1000, 65535));
	for (uint32_t k = 0; k < 64; k++) /* 0x00800000 a step: crosses 2^32 */
		add(&s, seg(1 + k, 0, TD_TH_ACK, near - 0x10000000u + (k + 1) * 0x00800000u, 1,
			    1000, 65535));
	assert_true(s.d[0].segs[s.d[0].nsegs - 1].seq > 0xffffffffull);
	for (size_t i = 1; i < s.d[0].nsegs; i++)
		assert_true(s.d[0].segs[i].seq > s.d[0].segs[i - 1].seq);
	td_series_free(&s);
}

/* The receiver's window closes: the ACK points carry it, 0 included. */
static void test_zero_window(void **state)
{
	struct td_series s;

	(void)state;
	td_series_init(&s);
	handshake(&s);
	add(&s, seg(30, 0, TD_TH_ACK, 1, 1, 1000, 65535));
	add(&s, seg(31, 1, TD_TH_ACK, 1, 1001, 0, 0));
	add(&s, seg(300, 0, TD_TH_ACK, 1000, 1, 1, 65535)); /* a probe */
	add(&s, seg(301, 1, TD_TH_ACK, 1, 1001, 0, 8000));
	assert_int_equal(s.d[0].acks[s.d[0].nacks - 2].window, 0);
	assert_int_equal(s.d[0].acks[s.d[0].nacks - 1].window, 8000);
	td_series_free(&s);
}

static void test_throughput_bins(void **state)
{
	struct td_series s;
	uint64_t *b, *g;
	size_t n;

	(void)state;
	td_series_init(&s);
	handshake(&s);
	add(&s, seg(30, 0, TD_TH_ACK, 1, 1, 1000, 65535));
	add(&s, seg(35, 0, TD_TH_ACK, 1001, 1, 500, 65535));
	add(&s, seg(95, 0, TD_TH_ACK, 1, 1, 1000, 65535)); /* resent: not goodput */
	assert_int_equal(td_series_throughput(&s, 0, 0.05, &b, &g, &n), 0);
	assert_int_equal(n, 2); /* 0..50 ms, 50..100 ms */
	assert_int_equal(b[0], 1500);
	assert_int_equal(g[0], 1500);
	assert_int_equal(b[1], 1000);
	assert_int_equal(g[1], 0);
	free(b);
	free(g);
	assert_int_equal(td_series_throughput(&s, 0, 0, &b, &g, &n), -EINVAL);
	assert_int_equal(td_series_throughput(&s, 0, 1e-9, &b, &g, &n), -E2BIG);
	td_series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtt_exact_ack),
		cmocka_unit_test(test_cumulative_and_partial),
		cmocka_unit_test(test_karn),
		cmocka_unit_test(test_in_flight_and_sack),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_zero_window),
		cmocka_unit_test(test_throughput_bins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

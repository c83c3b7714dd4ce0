/* Rendering of flow-engine connections for `pcap` and `capture`. The text line
 * is assembled with integer formatting into one buffer and written at once:
 * printf's floating point was a tenth of `tcpdoctor pcap`'s time on a file of
 * short connections (bench/RESULTS.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "render/connview.h"
#include "sockets/sock.h"
#include "state.h"
#include "text.h"
#include "render/style.h"
#include "render/wrap.h"

static const char *state_str(int st)
{
	return st ? td_state_name(st) : "-";
}

static const char *side_name(int dir)
{
	return dir == 0 ? "client" : dir == 1 ? "server" : "none";
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* A line being built; every append is bounded by the buffer. */
struct line {
	char buf[1024];
	size_t len;
};

/* A piece that does not fit is left out (no line comes near the size);
 * n is not clamped so that a constant n stays constant and the copy is
 * inlined. */
static inline void put_mem(struct line *l, const char *s, size_t n)
{
	if (n <= sizeof(l->buf) - 1 - l->len) {
		memcpy(l->buf + l->len, s, n);
		l->len += n;
	}
}

static void put_str(struct line *l, const char *s)
{
	put_mem(l, s, strlen(s));
}

/* A string literal: its length is known at compile time. */
#define PUT_LIT(l, lit) put_mem(l, "" lit, sizeof(lit) - 1)

/* v in decimal, in place (lib/text.h): no temporary and no copy. */
static void put_u64(struct line *l, uint64_t v)
{
	size_t n = td_dec_len(v);

	if (n > sizeof(l->buf) - 1 - l->len)
		return;
	l->len += n;
	td_dec_back(l->buf + l->len, v);
}

/* ns as a decimal with `digits` places (3 or 6), rounded half up: what
 * printf("%.6f", ns / 1e9) prints, without the floating point. */
static void put_fixed(struct line *l, uint64_t ns, uint64_t unit, int digits)
{
	uint64_t scaled = (ns + unit / 2) / unit, div = digits == 3 ? 1000 : 1000000;
	uint64_t frac = scaled % div;
	char tmp[8];

	put_u64(l, scaled / div);
	for (int i = digits - 1; i >= 0; i--, frac /= 10)
		tmp[i] = (char)('0' + frac % 10);
	tmp[digits] = '\0';
	PUT_LIT(l, ".");
	put_mem(l, tmp, (size_t)digits);
}

/* addr:port as td_endpoint_str() writes it, the address in place. */
static void put_endpoint(struct line *l, const struct td_conn *c, int d)
{
	bool v6 = c->family == AF_INET6;

	/* "[" address "]:" */
	if (sizeof(l->buf) - 1 - l->len < INET6_ADDRSTRLEN + 3)
		return;
	if (v6)
		l->buf[l->len++] = '[';
	l->len = (size_t)(td_addr_put(l->buf + l->len, c->family, c->dir[d].addr) - l->buf);
	if (v6)
		l->buf[l->len++] = ']';
	l->buf[l->len++] = ':';
	put_u64(l, c->dir[d].port);
}

/* " tunnel=vlan/gre(192.0.2.1>192.0.2.2)": the layers around the
 * connection's first packet and the outer endpoints, as Zeek's tunnel.log. */
static void put_tunnel(struct line *l, const struct td_conn *c)
{
	const struct td_pkt_encap *e = &c->encap;
	char buf[64];

	PUT_LIT(l, " tunnel=");
	for (unsigned i = 0; i < e->n && i < TD_ENCAP_MAX; i++) {
		if (i)
			PUT_LIT(l, "/");
		put_str(l, td_encap_name(e->layer[i]));
	}
	if (e->family) {
		PUT_LIT(l, "(");
		put_str(l, td_addr_str(e->family, e->saddr, buf, sizeof(buf)));
		PUT_LIT(l, ">");
		put_str(l, td_addr_str(e->family, e->daddr, buf, sizeof(buf)));
		PUT_LIT(l, ")");
	}
}

void connview_text(struct connview *v, const struct td_conn *c, const char *suffix)
{
	static int width = -1;
	const char *problem = td_conn_problem(c);
	enum td_conn_state cs = td_conn_state(c);
	bool col = v->color;
	uint64_t rtt = td_conn_rtt_ns(c);
	struct line l;

	l.len = 0; /* the buffer is written before it is read: no zeroing */

	put_str(&l, td_style_bold(col));
	PUT_LIT(&l, "#");
	put_u64(&l, c->id);
	put_str(&l, td_style_reset(col));
	PUT_LIT(&l, " ");
	put_endpoint(&l, c, 0);
	PUT_LIT(&l, " > ");
	put_endpoint(&l, c, 1);
	PUT_LIT(&l, " start=");
	if (v->wall) {
		time_t sec = (time_t)(c->first_ns / 1000000000ull);
		struct tm tm;
		char hms[32];
		size_t n;

		localtime_r(&sec, &tm);
		n = strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		snprintf(hms + n, sizeof(hms) - n, ".%06u",
			 (unsigned)(c->first_ns / 1000 % 1000000));
		put_str(&l, hms);
	} else {
		put_fixed(&l, c->first_ns - v->t0, 1000, 6);
	}
	PUT_LIT(&l, " dur=");
	put_fixed(&l, c->last_ns - c->first_ns, 1000, 6);
	PUT_LIT(&l, " out=");
	put_u64(&l, c->dir[0].pkts);
	PUT_LIT(&l, "/");
	put_u64(&l, c->dir[0].payload_bytes);
	PUT_LIT(&l, "B in=");
	put_u64(&l, c->dir[1].pkts);
	PUT_LIT(&l, "/");
	put_u64(&l, c->dir[1].payload_bytes);
	PUT_LIT(&l, "B ");
	put_str(&l, td_conn_state_name(cs));
	PUT_LIT(&l, " ");
	put_str(&l, c->history[0] ? c->history : "-");
	PUT_LIT(&l, " closed-by=");
	put_str(&l, side_name(c->closer));
	put_str(&l, c->closer >= 0 ? (c->closer_rst ? "(RST)" : "(FIN)") : "");
	PUT_LIT(&l, " client=");
	put_str(&l, state_str(c->dir[0].state));
	PUT_LIT(&l, " server=");
	put_str(&l, state_str(c->dir[1].state));
	if (rtt) {
		PUT_LIT(&l, " rtt=");
		put_fixed(&l, rtt, 1000, 3);
		PUT_LIT(&l, "ms");
	} else {
		PUT_LIT(&l, " rtt=-");
	}
	PUT_LIT(&l, " retx=");
	put_u64(&l, td_conn_ana(c, TD_A_RETRANS)); /* fast and spurious ones included */
	PUT_LIT(&l, " dupack=");
	put_u64(&l, td_conn_ana(c, TD_A_DUP_ACK));
	PUT_LIT(&l, " zwin=");
	put_u64(&l, td_conn_ana(c, TD_A_ZERO_WINDOW));
	PUT_LIT(&l, " rst=");
	put_u64(&l, c->dir[0].rsts + c->dir[1].rsts);
	if (c->encap.n)
		put_tunnel(&l, c);
	if (problem) {
		PUT_LIT(&l, ": ");
		put_str(&l, problem);
	}
	if (suffix)
		put_str(&l, suffix);
	/* On a width (render/wrap.h) a longer line goes on under itself,
	 * indented, broken between its key=value pieces; piped, one line. */
	if (width < 0)
		width = td_out_width();
	if (width && (int)l.len > width && td_text_cols(l.buf, l.len) > width) {
		td_wrapn(stdout, l.buf, l.len, 0, 4, width);
		putchar('\n');
		return;
	}
	l.buf[l.len++] = '\n';
	fwrite(l.buf, 1, l.len, stdout);
}

static void json_dir(struct td_json *j, const char *key, const struct td_conn *c, int d)
{
	const struct td_flow_dir *e = &c->dir[d];
	char buf[64];

	td_json_begin_object(j, key);
	td_json_str(j, "addr", td_addr_str(c->family, e->addr, buf, sizeof(buf)));
	td_json_uint(j, "port", e->port);
	td_json_uint(j, "packets", e->pkts);
	td_json_uint(j, "bytes", e->payload_bytes);
	td_json_uint(j, "frame_bytes", e->frame_bytes);
	td_json_str(j, "final_state", e->state ? td_state_name(e->state) : NULL);
	td_json_bool(j, "sent_fin", e->fin_sent);
	td_json_uint(j, "rsts", e->rsts);
	if (e->mss)
		td_json_uint(j, "mss", e->mss);
	else
		td_json_null(j, "mss");
	if (e->wscale >= 0)
		td_json_int(j, "wscale", e->wscale);
	else
		td_json_null(j, "wscale");
	td_json_begin_object(j, "analysis");
	for (int a = 0; a < TD_A_COUNT; a++)
		td_json_uint(j, connview_ana_key(a), e->ana[a]);
	td_json_end_object(j);
	td_json_end_object(j);
}

const char *connview_ana_key(int a)
{
	static char keys[TD_A_COUNT][32];

	if (a < 0 || a >= TD_A_COUNT)
		return "unknown";
	if (!keys[a][0]) {
		snprintf(keys[a], sizeof(keys[a]), "%s", td_ana_name(a));
		for (char *p = keys[a]; *p; p++)
			if (*p == '-')
				*p = '_';
	}
	return keys[a];
}

void connview_json(struct connview *v, const struct td_conn *c, const char *ended)
{
	static const char *const ends[] = { [TD_END_CLOSED] = "closed",
					    [TD_END_IDLE] = "idle",
					    [TD_END_REUSED] = "port-reused",
					    [TD_END_EOF] = "eof" };
	struct td_json *j = &v->j;
	enum td_conn_state cs = td_conn_state(c);
	uint64_t rtt = td_conn_rtt_ns(c);

	td_json_begin_object(j, NULL);
	td_json_uint(j, "id", c->id);
	td_json_str(j, "family", c->family == AF_INET6 ? "ipv6" : "ipv4");
	json_dir(j, "client", c, 0);
	json_dir(j, "server", c, 1);
	td_json_ts(j, "start_ts", (int64_t)c->first_ns);
	td_json_fixed(j, "start_rel", secs(c->first_ns - v->t0), 6);
	td_json_fixed(j, "duration", secs(c->last_ns - c->first_ns), 6);
	td_json_str(j, "conn_state", td_conn_state_name(cs));
	td_json_str(j, "conn_state_text", td_conn_state_text(cs));
	td_json_str(j, "history", c->history);
	td_json_str(j, "closed_by", c->closer >= 0 ? side_name(c->closer) : NULL);
	td_json_str(j, "closed_with", c->closer >= 0 ? (c->closer_rst ? "RST" : "FIN") : NULL);
	if (rtt)
		td_json_fixed(j, "handshake_rtt_ms", (double)rtt / 1e6, 3);
	else
		td_json_null(j, "handshake_rtt_ms");
	td_json_bool(j, "midstream", c->midstream);
	if (c->encap.n) {
		char buf[64];

		td_json_begin_object(j, "tunnel");
		td_json_begin_array(j, "layers");
		for (unsigned i = 0; i < c->encap.n && i < TD_ENCAP_MAX; i++)
			td_json_str(j, NULL, td_encap_name(c->encap.layer[i]));
		td_json_end_array(j);
		td_json_str(j, "outer_src",
			    c->encap.family
				    ? td_addr_str(c->encap.family, c->encap.saddr, buf, sizeof(buf))
				    : NULL);
		td_json_str(j, "outer_dst",
			    c->encap.family
				    ? td_addr_str(c->encap.family, c->encap.daddr, buf, sizeof(buf))
				    : NULL);
		td_json_end_object(j);
	} else {
		td_json_null(j, "tunnel");
	}
	td_json_str(j, "ended", ended ? ended : ends[c->end]);
	td_json_str(j, "problem", td_conn_problem(c));
	td_json_uint(j, "badness", td_conn_badness(c));
	td_json_end_object(j);
}

void connview_tally(struct connview *v, const struct td_conn *c)
{
	enum td_conn_state cs = td_conn_state(c);
	bool bad = td_conn_badness(c) > 0;
	size_t g;

	v->nconns++;
	v->by_state[cs]++;
	if (cs == TD_CS_S0)
		v->unanswered++;
	if (cs == TD_CS_REJ)
		v->refused++;
	if (cs == TD_CS_RSTO || cs == TD_CS_RSTR || cs == TD_CS_RSTOS0 || cs == TD_CS_RSTRH)
		v->reset++;
	if ((c->dir[0].fin_sent != c->dir[1].fin_sent) && !c->dir[0].rsts && !c->dir[1].rsts)
		v->half_closed++;
	if (!c->dir[0].fin_sent && !c->dir[1].fin_sent && !c->dir[0].rsts && !c->dir[1].rsts &&
	    cs != TD_CS_S0)
		v->never_closed++;
	if (td_conn_ana(c, TD_A_RETRANS))
		v->with_retrans++;
	/* Per server address and port: a bounded table, the rest uncounted. */
	for (g = 0; g < v->ngroups; g++)
		if (v->groups[g].port == c->dir[1].port && v->groups[g].family == c->family &&
		    !memcmp(v->groups[g].addr, c->dir[1].addr, 16))
			break;
	if (g == v->ngroups && g < CONNVIEW_MAX_GROUPS) {
		v->groups[g].family = c->family;
		memcpy(v->groups[g].addr, c->dir[1].addr, 16);
		v->groups[g].port = c->dir[1].port;
		v->ngroups++;
	}
	if (g < v->ngroups) {
		v->groups[g].conns++;
		v->groups[g].bad += bad;
	}
}

static int by_bad_group(const void *a, const void *b)
{
	const struct connview_group *x = a, *y = b;

	if (x->bad != y->bad)
		return x->bad > y->bad ? -1 : 1;
	return x->conns > y->conns ? -1 : x->conns < y->conns;
}

static void summary_json(struct connview *v, const struct td_pcap_counts *n,
			 const struct td_flow_stats *fs, const struct td_pcap_kstats *ks)
{
	struct td_json *j = &v->j;
	char buf[64];

	td_json_begin_object(j, "summary");
	td_json_uint(j, "connections", v->nconns);
	td_json_uint(j, "packets", n->packets);
	td_json_uint(j, "tcp_packets", n->tcp);
	td_json_uint(j, "not_ip", n->not_ip);
	td_json_uint(j, "not_tcp", n->not_tcp);
	td_json_uint(j, "ip_fragments", n->fragments);
	td_json_uint(j, "reassembled", n->reassembled);
	td_json_uint(j, "fragments_not_reassembled", n->frag_dropped);
	td_json_uint(j, "fragment_overlaps", n->frag_overlaps);
	td_json_uint(j, "malformed", n->malformed);
	td_json_uint(j, "peak_concurrent", fs->peak_active);
	td_json_begin_object(j, "conn_state");
	for (int i = 0; i < TD_CS_COUNT; i++)
		if (v->by_state[i])
			td_json_uint(j, td_conn_state_name(i), v->by_state[i]);
	td_json_end_object(j);
	td_json_uint(j, "unanswered_syn", v->unanswered);
	td_json_uint(j, "refused", v->refused);
	td_json_uint(j, "reset", v->reset);
	td_json_uint(j, "half_closed", v->half_closed);
	td_json_uint(j, "never_closed", v->never_closed);
	td_json_uint(j, "with_retransmissions", v->with_retrans);
	td_json_begin_array(j, "by_server");
	for (size_t g = 0; g < v->ngroups && g < 10; g++) {
		td_json_begin_object(j, NULL);
		td_json_str(j, "addr",
			    td_addr_str(v->groups[g].family, v->groups[g].addr, buf, sizeof(buf)));
		td_json_uint(j, "port", v->groups[g].port);
		td_json_uint(j, "connections", v->groups[g].conns);
		td_json_uint(j, "with_problems", v->groups[g].bad);
		td_json_end_object(j);
	}
	td_json_end_array(j);
	if (ks) {
		td_json_begin_object(j, "kernel");
		td_json_uint(j, "received", ks->received);
		td_json_uint(j, "dropped", ks->dropped);
		td_json_uint(j, "if_dropped", ks->if_dropped);
		td_json_end_object(j);
	}
	td_json_end_object(j);
}

void connview_summary(struct connview *v, const struct td_pcap_counts *n,
		      const struct td_flow_stats *fs, const struct td_pcap_kstats *ks)
{
	bool col = v->color;
	char buf[64], text[256];
	int width = td_out_width();

	qsort(v->groups, v->ngroups, sizeof(v->groups[0]), by_bad_group);
	if (v->json) {
		summary_json(v, n, fs, ks);
		return;
	}
	printf("\n%s%llu connections%s in %llu packets (%llu TCP", td_style_bold(col),
	       (unsigned long long)v->nconns, td_style_reset(col), (unsigned long long)n->packets,
	       (unsigned long long)n->tcp);
	if (n->fragments)
		printf(", %llu IP fragments: %llu datagrams reassembled, %llu fragments not",
		       (unsigned long long)n->fragments, (unsigned long long)n->reassembled,
		       (unsigned long long)n->frag_dropped);
	if (n->malformed)
		printf(", %llu malformed", (unsigned long long)n->malformed);
	printf("); at most %llu at once\n", (unsigned long long)fs->peak_active);
	printf("conn_state:");
	for (int i = 0; i < TD_CS_COUNT; i++)
		if (v->by_state[i])
			printf(" %s=%llu", td_conn_state_name(i),
			       (unsigned long long)v->by_state[i]);
	snprintf(text, sizeof(text),
		 "unanswered SYNs %llu, refused %llu, reset %llu, half-closed %llu, never closed "
		 "%llu, with retransmissions %llu",
		 (unsigned long long)v->unanswered, (unsigned long long)v->refused,
		 (unsigned long long)v->reset, (unsigned long long)v->half_closed,
		 (unsigned long long)v->never_closed, (unsigned long long)v->with_retrans);
	putchar('\n');
	td_wrap(stdout, text, 0, 2, width);
	for (size_t g = 0; g < v->ngroups && g < 10 && v->groups[g].bad; g++) {
		td_endpoint_str(v->groups[g].family, v->groups[g].addr, v->groups[g].port, buf,
				sizeof(buf));
		int pad = width && width < 90 ? width - 50 : 40;
		char el[80];

		printf("  server %-*s %u of %u connections with problems\n", pad,
		       width ? td_elide(buf, pad, el, sizeof(el)) : buf, v->groups[g].bad,
		       v->groups[g].conns);
	}
	if (ks) {
		snprintf(text, sizeof(text),
			 "kernel: %llu packets received by the filter, %llu dropped by the kernel, "
			 "%llu dropped by the interface",
			 (unsigned long long)ks->received, (unsigned long long)ks->dropped,
			 (unsigned long long)ks->if_dropped);
		td_wrap(stdout, text, 0, 2, width);
	}
}

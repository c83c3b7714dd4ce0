/* libpcap as a packet source: pcap_dispatch() with a callback, headers parsed
 * in place by pkt.c, no copy and no allocation per packet, for files and live
 * handles alike. libpcap reports a truncated or corrupt record as an error;
 * we add where it happened. A classic pcap file without a filter is mapped
 * and read in place instead (libpcap's two freads and a copy per record were
 * a fifth of `tcpdoctor pcap`'s time; pread into a buffer, the fallback,
 * still pays the kernel's copy); at the first
 * record that is not plainly well-formed libpcap takes over from that byte,
 * so errors read the same. A compressed file (gzip, zstd, xz: by its first
 * bytes) is decompressed as it is read (instream.c) and handed to libpcap as a
 * stream; a pcapng file is read by our own block reader (pcapng.c), as
 * libpcap 1.10 refuses interfaces of different link types or snap lengths. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/defrag.h"
#include "capture/instream.h"
#include "capture/pcapng.h"
#include "capture/pcapsrc.h"

#define LIVE_SNAPLEN 262144
#define LIVE_TIMEOUT_MS 100	  /* only matters if immediate mode is refused */
#define READ_BUF_BYTES (1u << 20) /* run_buffered(); more than any snap length */
#define NG_FILTERS 8		  /* link types a pcapng file's filter is compiled for */

struct td_pcapsrc {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	int linktype;
	bool live;
	/* Byte offset of the next record, -1 when unknown (a pipe, a live
	 * handle). Classic pcap records are 16 bytes + caplen, so the offset is
	 * counted; pcapng blocks vary, so it is asked of stdio (ftell costs an
	 * lseek per packet, a third of the time on a fast file). */
	long off;
	bool counted_off;
	uint32_t ts_mult; /* 1 for nanosecond timestamps, 1000 for micro */
	bool mappable;	  /* classic pcap, seekable, no filter: see run_buffered() */
	/* the callback of the running dispatch */
	td_pcap_cb cb;
	void *ctx;
	struct td_pcap_counts *n;
	int cb_rc;
	char name[256];
	/* a pcapng file read by pcapng.c (s->pcap is then a dead handle of the
	 * first interface's link type, for dumps and filter compilation) */
	struct td_pcapng *ng;
	const char *filter;
	struct {
		int linktype;
		bool ok; /* compiled */
		struct bpf_program prog;
	} ngf[NG_FILTERS];
	unsigned nngf;
	char *filter_copy;
	struct td_defrag *defrag; /* made at the first fragment */
	unsigned parse_opts;	  /* TD_PKT_OPT_* */
};

void td_pcapsrc_set_parse_opts(struct td_pcapsrc *s, unsigned opts)
{
	s->parse_opts = opts;
}

int td_pcapsrc_linktype(const struct td_pcapsrc *s)
{
	return s->linktype;
}

int td_pcapsrc_fd(const struct td_pcapsrc *s)
{
	return s->live ? pcap_get_selectable_fd(s->pcap) : -1;
}

static int check_link(struct td_pcapsrc *s, struct td_err *err)
{
	const char *n;

	s->linktype = pcap_datalink(s->pcap);
	if (td_pkt_link_supported(s->linktype))
		return 0;
	n = pcap_datalink_val_to_name(s->linktype);
	return td_err_set(
		err, -TD_EUNSUPP,
		"%s: link type %d (%s) is not supported; tcpdoctor reads Ethernet, "
		"Linux SLL/SLL2, raw IP, BSD loopback, PPP, PPPoE, Cisco HDLC, NFLOG, "
		"802.11 (plain, radiotap, PPI), IPoIB, Juniper Ethernet and FDDI captures",
		s->name, s->linktype, n ? n : "unknown");
}

/* what: how the user gave it ("--filter" for files, "filter" live). */
static int set_filter(struct td_pcapsrc *s, const char *what, const char *filter,
		      struct td_err *err)
{
	struct bpf_program prog;

	if (!filter || !*filter)
		return 0;
	if (pcap_compile(s->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return td_err_set(err, -TD_EPARSE,
				  "%s '%s': %s (tcpdump's filter syntax, "
				  "see pcap-filter(7))",
				  what, filter, pcap_geterr(s->pcap));
	if (pcap_setfilter(s->pcap, &prog) < 0) {
		td_err_set(err, -TD_EPARSE, "%s '%s': %s", what, filter, pcap_geterr(s->pcap));
		pcap_freecode(&prog);
		return -TD_EPARSE;
	}
	pcap_freecode(&prog);
	return 0;
}

/* Classic pcap magics, either byte order, micro- or nanosecond. */
static bool classic_magic(const unsigned char m[4])
{
	static const unsigned char magics[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 },
		{ 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d },
		{ 0x4d, 0x3c, 0xb2, 0xa1 },
	};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (!memcmp(m, magics[i], 4))
			return true;
	return false;
}

static bool pcapng_magic(const uint8_t m[4])
{
	return m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

/* A pcapng stream: our reader, and a dead libpcap handle of its first
 * interface's link type. */
static int open_ng(struct td_pcapsrc *s, FILE *fp, const char *filter, struct td_err *err)
{
	int rc = td_pcapng_open(&s->ng, fp, err);

	if (rc) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return td_err_set(err, rc, "%s: cannot read as a capture file: %s", s->name, msg);
	}
	s->off = -1;
	s->pcap = pcap_open_dead_with_tstamp_precision(
		td_pcapng_linktype(s->ng),
		td_pcapng_snaplen(s->ng) > 0 ? td_pcapng_snaplen(s->ng) : LIVE_SNAPLEN,
		PCAP_TSTAMP_PRECISION_NANO);
	if (!s->pcap)
		return td_err_set(err, -ENOMEM, "out of memory");
	if (filter && *filter) {
		s->filter_copy = strdup(filter);
		if (!s->filter_copy)
			return td_err_set(err, -ENOMEM, "out of memory");
		s->filter = s->filter_copy;
	}
	return 0;
}

/* What the first bytes say: compressed, pcapng, or a classic pcap file
 * that libpcap opens by its name (a regular file: read in blocks by
 * run_buffered()). *fpout: a stream to read instead of the path, or NULL. */
static int sniff(struct td_pcapsrc *s, const char *path, FILE **fpout, bool *ng, struct td_err *err)
{
	bool is_stdin = !strcmp(path, "-");
	enum td_compress kind = TD_COMPRESS_NONE;
	uint8_t raw[6], head[4];
	size_t nhead = 0;
	struct stat st;
	FILE *in;
	int rc;

	*fpout = NULL;
	*ng = false;
	if (is_stdin) {
		int fd = dup(STDIN_FILENO);

		in = fd >= 0 ? fdopen(fd, "rb") : NULL;
		if (!in && fd >= 0)
			close(fd);
	} else {
		in = fopen(path, "rb");
	}
	if (!in) {
		int e = errno;

		return td_err_set(err, e == ENOENT || e == EACCES ? -ENOENT : -e,
				  "%s: cannot read as a capture file: %s", s->name,
				  e == ENOENT ? "No such file or directory" : strerror(e));
	}
	if (!is_stdin && fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) {
		ssize_t n = pread(fileno(in), raw, sizeof(raw), 0);

		/* Neither compressed nor pcapng: libpcap reads it by name. */
		bool special =
			n >= 4 &&
			((raw[0] == 0x1f && raw[1] == 0x8b) || (raw[0] == 0x28 && raw[1] == 0xb5) ||
			 (n >= 6 && raw[0] == 0xfd && raw[1] == '7') || pcapng_magic(raw));

		if (!special) {
			fclose(in);
			return 0;
		}
	}
	rc = td_instream_open(in, fpout, head, &nhead, &kind, err);
	if (rc) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return td_err_set(err, -TD_EPARSE, "%s: cannot read as a capture file: %s", s->name,
				  msg);
	}
	*ng = nhead == 4 && pcapng_magic(head);
	return 0;
}

int td_pcapsrc_open_file(struct td_pcapsrc **out, const char *path, const char *filter,
			 struct td_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct td_pcapsrc *s;
	FILE *fp, *stream;
	bool ng;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return td_err_set(err, -ENOMEM, "out of memory");
	snprintf(s->name, sizeof(s->name), "%s", strcmp(path, "-") ? path : "(stdin)");
	s->ts_mult = 1;
	rc = sniff(s, path, &stream, &ng, err);
	if (!rc && ng)
		rc = open_ng(s, stream, filter, err);
	if (!rc && ng)
		rc = check_link(s, err);
	if (rc || ng) {
		if (rc)
			td_pcapsrc_close(s);
		else
			*out = s;
		return rc;
	}
	/* Nanosecond timestamps whatever the file has: one clock for all. */
	if (stream)
		s->pcap = pcap_fopen_offline_with_tstamp_precision(
			stream, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	else
		s->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
								  ebuf);
	if (!s->pcap && stream)
		fclose(stream);
	if (!s->pcap) {
		int code = strstr(ebuf, "No such file") || strstr(ebuf, "ermission") ? -ENOENT
										     : -TD_EPARSE;

		td_err_set(err, code, "%s: cannot read as a capture file: %s", s->name, ebuf);
		free(s);
		return code;
	}
	rc = check_link(s, err);
	if (!rc)
		rc = set_filter(s, "--filter", filter, err);
	if (rc) {
		td_pcapsrc_close(s);
		return rc;
	}
	fp = pcap_file(s->pcap);
	s->off = fp && !stream ? ftell(fp) : -1;
	if (s->off >= 0) {
		unsigned char magic[4];

		/* pread leaves the stream's position and buffer alone. */
		s->counted_off = pread(fileno(fp), magic, 4, 0) == 4 && classic_magic(magic);
		s->mappable = s->counted_off && !(filter && *filter);
	}
	*out = s;
	return 0;
}

int td_pcapsrc_open_live(struct td_pcapsrc **out, const struct td_pcap_live_opts *o,
			 struct td_err *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	const char *dev = o->dev && *o->dev ? o->dev : "any";
	struct td_pcapsrc *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return td_err_set(err, -ENOMEM, "out of memory");
	snprintf(s->name, sizeof(s->name), "%s", dev);
	s->live = true;
	s->off = -1;
	s->ts_mult = 1;
	s->pcap = pcap_create(dev, ebuf);
	if (!s->pcap) {
		free(s);
		return td_err_set(err, -EIO, "capture on %s: %s", dev, ebuf);
	}
	pcap_set_snaplen(s->pcap, o->snaplen > 0 ? o->snaplen : LIVE_SNAPLEN);
	pcap_set_promisc(s->pcap, o->promisc);
	/* Immediate mode: a packet is delivered when it arrives, not when a
	 * buffer block fills, so a connection's line is printed when it ends. */
	pcap_set_immediate_mode(s->pcap, 1);
	pcap_set_timeout(s->pcap, LIVE_TIMEOUT_MS);
	if (pcap_set_tstamp_precision(s->pcap, PCAP_TSTAMP_PRECISION_NANO) != 0)
		s->ts_mult = 1000;
	rc = pcap_activate(s->pcap);
	if (rc < 0) {
		const char *why = pcap_geterr(s->pcap);

		switch (rc) {
		case PCAP_ERROR_PERM_DENIED:
			rc = td_err_set(err, -EPERM,
					"capture on %s: permission denied (%s): "
					"capturing needs CAP_NET_RAW; run as root or give the "
					"binary cap_net_raw",
					dev, why);
			break;
		case PCAP_ERROR_NO_SUCH_DEVICE:
			rc = td_err_set(err, -ENODEV,
					"capture on %s: no such interface ('ip link' "
					"lists them; -i any captures on all)",
					dev);
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			rc = td_err_set(err, -ENETDOWN,
					"capture on %s: the interface is down "
					"(ip link set %s up)",
					dev, dev);
			break;
		default:
			rc = td_err_set(err, -EIO, "capture on %s: %s", dev,
					why && *why ? why : pcap_statustostr(rc));
			break;
		}
		td_pcapsrc_close(s);
		return rc;
	}
	if (s->ts_mult == 1 && pcap_get_tstamp_precision(s->pcap) != PCAP_TSTAMP_PRECISION_NANO)
		s->ts_mult = 1000;
	rc = check_link(s, err);
	if (!rc)
		rc = set_filter(s, "filter", o->filter, err);
	if (!rc && pcap_setnonblock(s->pcap, 1, ebuf) < 0)
		rc = td_err_set(err, -EIO, "capture on %s: %s", dev, ebuf);
	if (rc) {
		td_pcapsrc_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int td_pcapsrc_dump_open(struct td_pcapsrc *s, const char *path, struct td_err *err)
{
	s->dump = pcap_dump_open(s->pcap, path);
	if (!s->dump)
		return td_err_set(err, -EIO, "cannot write %s: %s", path, pcap_geterr(s->pcap));
	return 0;
}

int td_pcapsrc_dump_fd(struct td_pcapsrc *s, int fd, struct td_err *err)
{
	FILE *fp = fdopen(fd, "wb");

	if (!fp)
		return td_err_set(err, -errno, "cannot write the capture file (fd %d): %s", fd,
				  strerror(errno));
	s->dump = pcap_dump_fopen(s->pcap, fp);
	if (!s->dump) {
		td_err_set(err, -EIO, "cannot write the capture file: %s", pcap_geterr(s->pcap));
		fclose(fp);
		return -EIO;
	}
	return 0;
}

int td_pcapsrc_dump_flush(struct td_pcapsrc *s, struct td_err *err)
{
	if (s->dump && pcap_dump_flush(s->dump) < 0)
		return td_err_set(err, -EIO, "writing the capture file: %s", strerror(errno));
	return 0;
}

void td_pcapsrc_break(struct td_pcapsrc *s)
{
	if (s && s->pcap)
		pcap_breakloop(s->pcap);
}

int td_pcapsrc_kstats(struct td_pcapsrc *s, struct td_pcap_kstats *st, struct td_err *err)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	if (pcap_stats(s->pcap, &ps) < 0)
		return td_err_set(err, -EIO, "%s: kernel counters: %s", s->name,
				  pcap_geterr(s->pcap));
	st->received = ps.ps_recv;
	st->dropped = ps.ps_drop;
	st->if_dropped = ps.ps_ifdrop;
	return 0;
}

/* One record: count it, parse it, hand a TCP segment on. off is where the
 * record starts in the file (-1: unknown). */
/* A fragment: when it completes its datagram, the TCP segment inside is
 * handed on as if it came whole in this frame (as tshark shows it), with
 * the layers outside the fragmented IP header in front of its own. */
static __attribute__((noinline)) void reassemble(struct td_pcapsrc *s, const uint8_t *data,
						 uint32_t caplen, uint32_t wirelen,
						 const struct td_pkt *frag)
{
	struct td_pcap_counts *n = s->n;
	struct td_defrag_counts dc;
	const uint8_t *dg;
	struct td_pkt q;
	struct td_err perr;
	uint32_t len;

	if (!s->defrag && !(s->defrag = td_defrag_new())) {
		n->frag_dropped++;
		return;
	}
	len = td_defrag_add(s->defrag, data, caplen, wirelen, frag, &dg);
	if (len) {
		q.ts_ns = frag->ts_ns;
		perr.msg[0] = '\0';
		if (td_pkt_parse_opt(TD_LINK_RAW, dg, len, len, s->parse_opts, &q, &perr) ==
		    TD_PKT_TCP) {
			struct td_pkt_encap in = q.encap;
			unsigned k = frag->encap.n;

			/* encap is valid only as far as its n says */
			if (k) {
				q.encap = frag->encap;
				for (unsigned i = 0; i < in.n && k < TD_ENCAP_MAX; i++)
					q.encap.layer[k++] = in.layer[i];
				q.encap.n = (uint8_t)k;
				if (!q.encap.family && in.n && in.family) {
					q.encap.family = in.family;
					memcpy(q.encap.saddr, in.saddr, 16);
					memcpy(q.encap.daddr, in.daddr, 16);
					q.encap.sport = in.sport;
					q.encap.dport = in.dport;
				}
			}
			q.caplen = caplen;
			q.wirelen = wirelen;
			n->tcp++;
			s->cb_rc = s->cb(&q, n->packets, s->ctx);
			if (s->cb_rc && s->pcap)
				pcap_breakloop(s->pcap);
		}
	}
	td_defrag_counts(s->defrag, &dc);
	n->reassembled = dc.datagrams;
	n->frag_dropped = dc.dropped;
	n->frag_overlaps = dc.overlaps;
}

static void handle_link(struct td_pcapsrc *s, int linktype, uint64_t ts_ns, uint32_t caplen,
			uint32_t wirelen, const uint8_t *data, long off)
{
	struct td_pcap_counts *n = s->n;
	struct td_pkt p;
	struct td_err perr;
	int kind;

	n->packets++;
	p.ts_ns = ts_ns;
	perr.msg[0] = '\0';
	kind = s->parse_opts
		       ? td_pkt_parse_opt(linktype, data, caplen, wirelen, s->parse_opts, &p, &perr)
		       : td_pkt_parse(linktype, data, caplen, wirelen, &p, &perr);
	switch (kind) {
	case TD_PKT_TCP:
		n->tcp++;
		s->cb_rc = s->cb(&p, n->packets, s->ctx);
		if (s->cb_rc)
			pcap_breakloop(s->pcap);
		break;
	case TD_PKT_NOT_IP:
		n->not_ip++;
		break;
	case TD_PKT_NOT_TCP:
		n->not_tcp++;
		break;
	case TD_PKT_FRAGMENT:
		n->fragments++;
		reassemble(s, data, caplen, wirelen, &p);
		break;
	default:
		if (kind < 0) /* a pcapng interface of a link type we do not read */
			snprintf(perr.msg, sizeof(perr.msg),
				 "link type %d (%s) is not supported (another interface of the "
				 "file)",
				 linktype,
				 pcap_datalink_val_to_name(linktype)
					 ? pcap_datalink_val_to_name(linktype)
					 : "unknown");
		if (!n->malformed++) {
			n->first_malformed_no = n->packets;
			n->first_malformed_off = off;
			snprintf(n->first_malformed, sizeof(n->first_malformed), "%s", perr.msg);
		}
		break;
	}
}

static void handle(struct td_pcapsrc *s, uint64_t ts_ns, uint32_t caplen, uint32_t wirelen,
		   const uint8_t *data, long off)
{
	handle_link(s, s->linktype, ts_ns, caplen, wirelen, data, off);
}

/* A record from libpcap: write it to the -w file, then handle it. */
static void on_record(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct td_pcapsrc *s = (struct td_pcapsrc *)user;
	long off = s->off;

	if (s->cb_rc)
		return;
	if (s->dump)
		pcap_dump((u_char *)s->dump, h, data);
	if (s->counted_off)
		s->off += 16 + (long)h->caplen;
	else if (off >= 0)
		s->off = ftell(pcap_file(s->pcap));
	handle(s, (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * s->ts_mult,
	       h->caplen, h->len, data, off);
}

static uint32_t rec32(const uint8_t *b, bool swapped)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

/* The records in buf[*at, have) that are whole: handled, *at moved past
 * them. Returns false at a record libpcap must judge (longer than the snap
 * length), *at then at its start. */
static bool take_records(struct td_pcapsrc *s, const uint8_t *buf, size_t have, size_t *at,
			 bool swapped, uint32_t snap, uint32_t mult)
{
	size_t i = *at;
	bool ok = true;

	while (have - i >= 16 && !s->cb_rc) {
		const uint8_t *h = buf + i;
		uint32_t caplen = rec32(h + 8, swapped);
		long off = s->off;

		if (caplen > snap) {
			ok = false;
			break;
		}
		if (caplen > have - i - 16)
			break;
		s->off += 16 + (long)caplen;
		handle(s,
		       (uint64_t)rec32(h, swapped) * 1000000000ull +
			       (uint64_t)rec32(h + 4, swapped) * mult,
		       caplen, rec32(h + 12, swapped), h + 16, off);
		i += 16 + caplen;
	}
	*at = i;
	return ok;
}

/* The file mapped MAP_WINDOW bytes at a time (populated: no fault per
 * page, and no copy into a buffer: the kernel's copy was most of the read
 * cost). The window is small and unmapped behind us, so memory stays
 * bounded by it, not by the file. A file cut while mapped would raise
 * SIGBUS: the size is the one fstat() gave at the start, and writers of
 * capture files append. Returns 1 read to the end (or stopped), 0 hand
 * over to libpcap at s->off, -1 mapping refused (read instead). */
#define MAP_WINDOW (2u << 20)
static int run_mapped(struct td_pcapsrc *s, int fd, off_t size, bool swapped, uint32_t snap,
		      uint32_t mult)
{
	long pg = sysconf(_SC_PAGESIZE);

	if (pg <= 0 || (size_t)snap + 16 > MAP_WINDOW / 2)
		return -1;
	while (!s->cb_rc && s->off < size) {
		off_t base = s->off & ~(off_t)(pg - 1);
		size_t len = size - base < MAP_WINDOW ? (size_t)(size - base) : MAP_WINDOW;
		size_t at = (size_t)(s->off - base), start;
		uint8_t *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, base);
		bool ok;

		if (m == MAP_FAILED)
			return base == 0 ? -1 : 0;
		madvise(m, len, MADV_SEQUENTIAL);
		start = at;
		ok = take_records(s, m, len, &at, swapped, snap, mult);
		munmap(m, len);
		if (!ok)
			return 0; /* a record longer than the snap length */
		if (s->cb_rc)
			break;
		/* a record cut short by the end of the file (libpcap says so) */
		if (at == start || (base + (off_t)len == size && s->off < size))
			return 0;
	}
	return 1;
}

/* Read the records of a classic pcap file from s->off on, mapped or
 * through one buffer of our own, as long as each is whole and within the
 * snap length. Returns true when the file was read to its end (or a
 * callback stopped it); false leaves s->off at the first record libpcap
 * must read. */
static bool run_buffered(struct td_pcapsrc *s)
{
	FILE *fp = pcap_file(s->pcap);
	int fd = fileno(fp);
	bool swapped = pcap_is_swapped(s->pcap);
	uint32_t snap = (uint32_t)pcap_snapshot(s->pcap), mult;
	size_t have = 0, at = 0;
	off_t pos = s->off;
	uint8_t magic[4], *buf;
	struct stat st;
	int mapped;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || pread(fd, magic, 4, 0) != 4 ||
	    snap > READ_BUF_BYTES - 16)
		return false;
	/* 0xa1b23c4d in the writer's order: nanosecond timestamps. */
	mult = rec32(magic, swapped) == 0xa1b23c4d ? 1 : 1000;
	mapped = run_mapped(s, fd, st.st_size, swapped, snap, mult);
	if (mapped > 0)
		return true;
	if (mapped == 0)
		goto seek;
	buf = malloc(READ_BUF_BYTES);
	if (!buf)
		return false;
	for (;;) {
		ssize_t got;

		if (!take_records(s, buf, have, &at, swapped, snap, mult))
			goto handover;
		if (s->cb_rc)
			break;
		memmove(buf, buf + at, have - at);
		have -= at;
		at = 0;
		got = pread(fd, buf + have, READ_BUF_BYTES - have, pos);
		if (got < 0)
			goto handover;
		if (got == 0) {
			if (have)
				goto handover; /* a record cut short: libpcap says so */
			break;
		}
		have += (size_t)got;
		pos += got;
	}
	free(buf);
	return true;
handover:
	free(buf);
seek:
	/* Something libpcap must judge: hand it the file from this record. */
	return fseek(fp, s->off, SEEK_SET) != 0;
}

static void begin(struct td_pcapsrc *s, td_pcap_cb cb, void *ctx, struct td_pcap_counts *n)
{
	s->cb = cb;
	s->ctx = ctx;
	s->n = n;
	s->cb_rc = 0;
}

/* The filter compiled for this link type (NULL: it does not compile for
 * it, so no packet of that interface passes). */
static const struct bpf_program *ng_filter(struct td_pcapsrc *s, int linktype, bool *ok)
{
	pcap_t *dead;

	for (unsigned i = 0; i < s->nngf; i++)
		if (s->ngf[i].linktype == linktype) {
			*ok = s->ngf[i].ok;
			return &s->ngf[i].prog;
		}
	if (s->nngf == NG_FILTERS) {
		*ok = false;
		return NULL;
	}
	/* LINKTYPE_RAW is DLT_RAW (12 on Linux) to libpcap's compiler. */
	dead = pcap_open_dead_with_tstamp_precision(linktype == TD_LINK_RAW_LT ? TD_LINK_RAW
									       : linktype,
						    LIVE_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
	s->ngf[s->nngf].linktype = linktype;
	s->ngf[s->nngf].ok = dead && pcap_compile(dead, &s->ngf[s->nngf].prog, s->filter, 1,
						  PCAP_NETMASK_UNKNOWN) == 0;
	if (dead)
		pcap_close(dead);
	*ok = s->ngf[s->nngf].ok;
	return &s->ngf[s->nngf++].prog;
}

static int run_ng(struct td_pcapsrc *s, struct td_pcap_counts *n, struct td_err *err)
{
	struct td_pcapng_rec rec;
	int rc = 0;

	while (!s->cb_rc && (rc = td_pcapng_next(s->ng, &rec, err)) > 0) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = (time_t)(rec.ts_ns / 1000000000ull),
				.tv_usec = (suseconds_t)(rec.ts_ns % 1000000000ull) },
			.caplen = rec.caplen,
			.len = rec.wirelen,
		};

		if (s->filter) {
			bool ok;
			const struct bpf_program *f = ng_filter(s, rec.linktype, &ok);

			if (!ok || !pcap_offline_filter(f, &h, rec.data))
				continue;
		}
		if (s->dump && rec.linktype == s->linktype)
			pcap_dump((u_char *)s->dump, &h, rec.data);
		handle_link(s, rec.linktype, rec.ts_ns, rec.caplen, rec.wirelen, rec.data,
			    td_pcapng_offset(s->ng));
	}
	if (s->cb_rc)
		return s->cb_rc;
	if (rc < 0) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return td_err_set(err, -TD_ETRUNC,
				  "%s: %s (packet %llu); kept the %llu packets "
				  "before it",
				  s->name, msg, (unsigned long long)n->packets + 1,
				  (unsigned long long)n->packets);
	}
	return 0;
}

int td_pcapsrc_run(struct td_pcapsrc *s, td_pcap_cb cb, void *ctx, struct td_pcap_counts *n,
		   struct td_err *err)
{
	int rc;

	begin(s, cb, ctx, n);
	if (s->ng)
		return run_ng(s, n, err);
	if (s->mappable && run_buffered(s))
		return s->cb_rc;
	/* A count of -1 reads a file to its end in one call. */
	rc = pcap_dispatch(s->pcap, -1, on_record, (u_char *)s);
	if (s->cb_rc)
		return s->cb_rc;
	if (rc >= 0 || rc == PCAP_ERROR_BREAK)
		return 0;
	if (s->off >= 0)
		return td_err_set(err, -TD_ETRUNC,
				  "%s: bad or truncated record at byte %ld (packet %llu): %s; "
				  "kept the %llu packets before it",
				  s->name, s->off, (unsigned long long)n->packets + 1,
				  pcap_geterr(s->pcap), (unsigned long long)n->packets);
	return td_err_set(err, -TD_ETRUNC,
			  "%s: bad or truncated record (packet %llu): %s; kept the %llu packets "
			  "before it",
			  s->name, (unsigned long long)n->packets + 1, pcap_geterr(s->pcap),
			  (unsigned long long)n->packets);
}

int td_pcapsrc_dispatch(struct td_pcapsrc *s, unsigned max, td_pcap_cb cb, void *ctx,
			struct td_pcap_counts *n, struct td_err *err)
{
	uint64_t before = n->packets;
	int rc;

	begin(s, cb, ctx, n);
	rc = pcap_dispatch(s->pcap, max ? (int)max : -1, on_record, (u_char *)s);
	if (s->cb_rc)
		return s->cb_rc;
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc < 0)
		return td_err_set(err, -EIO, "capture on %s: %s", s->name, pcap_geterr(s->pcap));
	return (int)(n->packets - before);
}

void td_pcapsrc_close(struct td_pcapsrc *s)
{
	if (!s)
		return;
	if (s->dump)
		pcap_dump_close(s->dump);
	if (s->pcap)
		pcap_close(s->pcap);
	for (unsigned i = 0; i < s->nngf; i++)
		if (s->ngf[i].ok)
			pcap_freecode(&s->ngf[i].prog);
	td_pcapng_close(s->ng);
	td_defrag_free(s->defrag);
	free(s->filter_copy);
	free(s);
}

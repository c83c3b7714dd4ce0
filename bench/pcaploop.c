/* The floor for `tcpdoctor pcap`: a bare libpcap read loop over a capture
 * file, as tcpdoctor reads it (pcap_dispatch with a callback, nanosecond
 * timestamps), touching each packet's first byte and nothing else.
 * Usage: pcaploop FILE; prints "packets N bytes B". */
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

struct tally {
	uint64_t packets, bytes;
	unsigned sum;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct tally *t = (struct tally *)user;

	t->packets++;
	t->bytes += h->caplen;
	if (h->caplen)
		t->sum += data[0];
}

int main(int argc, char **argv)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct tally t = { 0 };
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcaploop FILE\n");
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		fprintf(stderr, "pcaploop: %s\n", ebuf);
		return 1;
	}
	while ((rc = pcap_dispatch(p, -1, on_packet, (u_char *)&t)) > 0)
		;
	if (rc < 0) {
		fprintf(stderr, "pcaploop: %s\n", pcap_geterr(p));
		return 1;
	}
	pcap_close(p);
	printf("packets %llu bytes %llu (%u)\n", (unsigned long long)t.packets,
	       (unsigned long long)t.bytes, t.sum & 1);
	return 0;
}

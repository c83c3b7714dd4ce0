/* libFuzzer target for the packet parser (src/lib/capture/pkt.c): the first byte picks
 * a link type, the rest is the frame. A fragment goes on to the reassembler, and a
 * datagram it completes is parsed in turn. */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "capture/defrag.h"
#include "capture/pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first eight as before (the kept corpus picks them by 0..7). */
	static const int links[] = {
		TD_LINK_EN10MB,	    TD_LINK_SLL,	TD_LINK_SLL2,	   TD_LINK_RAW,
		TD_LINK_NULL,	    TD_LINK_LOOP,	TD_LINK_IPV6,	   147,
		TD_LINK_PPP,	    TD_LINK_PPP_SERIAL, TD_LINK_PPP_ETHER, TD_LINK_C_HDLC,
		TD_LINK_IEEE802_11, TD_LINK_RADIOTAP,	TD_LINK_PPI,	   TD_LINK_JUNIPER_ETHER,
		TD_LINK_NFLOG,	    TD_LINK_IPOIB,
	};
	struct td_pkt p;
	struct td_err err;
	int kind;

	if (size < 1)
		return 0;
	err.msg[0] = '\0';
	/* a first byte from 128 up also asks for Zeek's protocol detection */
	kind = td_pkt_parse_opt(links[data[0] % (sizeof(links) / sizeof(links[0]))], data + 1,
				(uint32_t)(size - 1), (uint32_t)(size - 1),
				data[0] >= 128 ? TD_PKT_OPT_ZEEK_DETECT : 0, &p, &err);
	if (kind == TD_PKT_TCP) {
		if (p.family != AF_INET && p.family != AF_INET6)
			__builtin_trap();
		if (p.payload_len > 65535 + 40) /* never more than an IP length allows */
			__builtin_trap();
	} else if ((kind == TD_PKT_MALFORMED || kind < 0) && !err.msg[0]) {
		__builtin_trap(); /* every error says why */
	} else if (kind == TD_PKT_FRAGMENT) {
		static struct td_defrag *d;
		const uint8_t *dg;
		uint32_t len;

		if (!d)
			d = td_defrag_new();
		len = d ? td_defrag_add(d, data + 1, (uint32_t)(size - 1), (uint32_t)(size - 1), &p,
					&dg)
			: 0;
		if (len > 60 + 65535)
			__builtin_trap();
		if (len)
			td_pkt_parse(TD_LINK_RAW, dg, len, len, &p, &err);
	}
	return 0;
}

/* A pcapng block reader of our own: libpcap 1.10 refuses a file whose
 * interfaces differ in link type ("an interface has a type ... different
 * from the type of the first interface") or snap length, though such files
 * are valid and tshark reads them. Reads sections in either byte order,
 * Interface Description Blocks with their own link type, snap length,
 * if_tsresol and if_tsoffset, and Enhanced, Simple and obsolete Packet
 * Blocks; every other block is skipped. Sequential stdio reads: works on
 * pipes and on decompressed streams. */
#ifndef TD_PCAPNG_H
#define TD_PCAPNG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define TD_PCAPNG_MAX_IF 256		/* interfaces kept per section (more: refused) */
#define TD_PCAPNG_MAX_BLOCK (16u << 20) /* larger blocks are corrupt */

struct td_pcapng;

struct td_pcapng_rec {
	int linktype;	 /* of its interface */
	uint32_t ifid;	 /* interface number within its section */
	uint64_t ts_ns;	 /* since the epoch, per the interface's resolution and offset */
	uint32_t caplen; /* bytes in data */
	uint32_t wirelen;
	const uint8_t *data; /* valid until the next call */
};

/* Start reading fp (the reader owns it) at a Section Header Block, up to
 * and including the first interface, so that td_pcapng_linktype() is known.
 * -TD_EPARSE: not pcapng or no interface; -ENOMEM. */
int td_pcapng_open(struct td_pcapng **out, FILE *fp, struct td_err *err);
/* The first interface's link type and snap length. */
int td_pcapng_linktype(const struct td_pcapng *r);
int td_pcapng_snaplen(const struct td_pcapng *r);
/* The next packet: 1, 0 at the end, -TD_ETRUNC for a block cut short or
 * corrupt (err says where). */
int td_pcapng_next(struct td_pcapng *r, struct td_pcapng_rec *rec, struct td_err *err);
/* Byte offset of the block td_pcapng_next() returned last, or of the bad
 * one after an error. */
long td_pcapng_offset(const struct td_pcapng *r);
void td_pcapng_close(struct td_pcapng *r);

#endif

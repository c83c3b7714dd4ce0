/* A user-space copy of the kernel's inet_diag bytecode interpreter and
 * checker (net/ipv4/inet_diag.c: inet_diag_bc_run(), inet_diag_bc_audit()
 * and helpers, Linux 6.x), so tests can prove that what td_filter_bytecode()
 * emits is accepted by the kernel and filters exactly as td_filter_match().
 * Kept line for line close to the kernel; change it only to follow it. */
#ifndef TD_BC_EMUL_H
#define TD_BC_EMUL_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "sockets/sock.h"

#define BC_EMUL_SOCK_BINDPORT_LOCK 8 /* include/net/sock.h */

/* struct inet_diag_entry */
struct bc_emul_entry {
	const uint32_t *saddr; /* __be32 words, as in the kernel */
	const uint32_t *daddr;
	uint16_t sport; /* host order */
	uint16_t dport;
	uint16_t family;
	uint16_t userlocks;
	uint32_t ifindex;
	uint32_t mark;
	uint64_t cgroup_id;
};

/* Storage the entry's address pointers point into. */
struct bc_emul_sk {
	uint32_t saddr[4], daddr[4];
	struct bc_emul_entry entry;
};

/* inet_diag_bc_sk(): the entry the kernel builds from a socket. */
static inline const struct bc_emul_entry *bc_emul_entry_from(struct bc_emul_sk *k,
							     const struct td_sock *s)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, s->laddr, sizeof(k->saddr));
	memcpy(k->daddr, s->raddr, sizeof(k->daddr));
	k->entry.saddr = k->saddr;
	k->entry.daddr = k->daddr;
	k->entry.family = s->family;
	k->entry.sport = s->lport;
	k->entry.dport = s->rport;
	k->entry.ifindex = s->ifindex;
	return &k->entry;
}

static inline int bc_emul_bitstring_match(const uint32_t *a1, const uint32_t *a2, int bits)
{
	int words = bits >> 5;

	bits &= 0x1f;

	if (words) {
		if (memcmp(a1, a2, (size_t)words << 2))
			return 0;
	}
	if (bits) {
		uint32_t w1, w2;
		uint32_t mask;

		w1 = a1[words];
		w2 = a2[words];

		mask = htonl((0xffffffffu) << (32 - bits));

		if ((w1 ^ w2) & mask)
			return 0;
	}

	return 1;
}

/* inet_diag_bc_run(): 1 if the socket passes. bc must be 4-byte aligned. */
static inline int bc_emul_run(const void *bc_start, int len, const struct bc_emul_entry *entry)
{
	const char *bc = bc_start;

	while (len > 0) {
		int yes = 1;
		const struct inet_diag_bc_op *op = (const void *)bc;

		switch (op->code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_JMP:
			yes = 0;
			break;
		case INET_DIAG_BC_S_EQ:
			yes = entry->sport == op[1].no;
			break;
		case INET_DIAG_BC_S_GE:
			yes = entry->sport >= op[1].no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = entry->sport <= op[1].no;
			break;
		case INET_DIAG_BC_D_EQ:
			yes = entry->dport == op[1].no;
			break;
		case INET_DIAG_BC_D_GE:
			yes = entry->dport >= op[1].no;
			break;
		case INET_DIAG_BC_D_LE:
			yes = entry->dport <= op[1].no;
			break;
		case INET_DIAG_BC_AUTO:
			yes = !(entry->userlocks & BC_EMUL_SOCK_BINDPORT_LOCK);
			break;
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND: {
			const struct inet_diag_hostcond *cond;
			const uint32_t *addr;

			cond = (const struct inet_diag_hostcond *)(op + 1);
			if (cond->port != -1 &&
			    cond->port != (op->code == INET_DIAG_BC_S_COND ? entry->sport
									   : entry->dport)) {
				yes = 0;
				break;
			}

			if (op->code == INET_DIAG_BC_S_COND)
				addr = entry->saddr;
			else
				addr = entry->daddr;

			if (cond->family != AF_UNSPEC && cond->family != entry->family) {
				if (entry->family == AF_INET6 && cond->family == AF_INET) {
					if (addr[0] == 0 && addr[1] == 0 &&
					    addr[2] == htonl(0xffff) &&
					    bc_emul_bitstring_match(addr + 3, cond->addr,
								    cond->prefix_len))
						break;
				}
				yes = 0;
				break;
			}

			if (cond->prefix_len == 0)
				break;
			if (bc_emul_bitstring_match(addr, cond->addr, cond->prefix_len))
				break;
			yes = 0;
			break;
		}
		case INET_DIAG_BC_DEV_COND: {
			uint32_t ifindex;

			ifindex = *((const uint32_t *)(op + 1));
			if (ifindex != entry->ifindex)
				yes = 0;
			break;
		}
		case INET_DIAG_BC_MARK_COND: {
			const struct inet_diag_markcond *cond;

			cond = (const struct inet_diag_markcond *)(op + 1);
			if ((entry->mark & cond->mask) != cond->mark)
				yes = 0;
			break;
		}
		case INET_DIAG_BC_CGROUP_COND: {
			uint64_t cgroup_id;

			/* get_unaligned() in the kernel */
			memcpy(&cgroup_id, op + 1, sizeof(cgroup_id));
			if (cgroup_id != entry->cgroup_id)
				yes = 0;
			break;
		}
		}

		if (yes) {
			len -= op->yes;
			bc += op->yes;
		} else {
			len -= op->no;
			bc += op->no;
		}
	}
	return len == 0;
}

static inline int bc_emul_valid_cc(const void *bc_start, int len, int cc)
{
	const char *bc = bc_start;

	while (len >= 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;

		if (cc > len)
			return 0;
		if (cc == len)
			return 1;
		if (op->yes < 4 || op->yes & 3)
			return 0;
		len -= op->yes;
		bc += op->yes;
	}
	return 0;
}

/* data is u32 ifindex */
static inline bool bc_emul_valid_devcond(const struct inet_diag_bc_op *op, int len, int *min_len)
{
	(void)op;
	/* Check ifindex space. */
	*min_len += sizeof(uint32_t);
	if (len < *min_len)
		return false;

	return true;
}

/* Validate an inet_diag_hostcond. */
static inline bool bc_emul_valid_hostcond(const struct inet_diag_bc_op *op, int len, int *min_len)
{
	const struct inet_diag_hostcond *cond;
	int addr_len;

	/* Check hostcond space. */
	*min_len += sizeof(struct inet_diag_hostcond);
	if (len < *min_len)
		return false;
	cond = (const struct inet_diag_hostcond *)(op + 1);

	/* Check address family and address length. */
	switch (cond->family) {
	case AF_UNSPEC:
		addr_len = 0;
		break;
	case AF_INET:
		addr_len = sizeof(struct in_addr);
		break;
	case AF_INET6:
		addr_len = sizeof(struct in6_addr);
		break;
	default:
		return false;
	}
	*min_len += addr_len;
	if (len < *min_len)
		return false;

	/* Check prefix length (in bits) vs address length (in bytes). */
	if (cond->prefix_len > 8 * addr_len)
		return false;

	return true;
}

/* Validate a port comparison operator. */
static inline bool bc_emul_valid_port_comparison(const struct inet_diag_bc_op *op, int len,
						 int *min_len)
{
	(void)op;
	/* Port comparisons put the port in a follow-on inet_diag_bc_op. */
	*min_len += sizeof(struct inet_diag_bc_op);
	if (len < *min_len)
		return false;
	return true;
}

static inline bool bc_emul_valid_markcond(const struct inet_diag_bc_op *op, int len, int *min_len)
{
	(void)op;
	*min_len += sizeof(struct inet_diag_markcond);
	return len >= *min_len;
}

static inline bool bc_emul_valid_cgroupcond(const struct inet_diag_bc_op *op, int len, int *min_len)
{
	(void)op;
	*min_len += sizeof(uint64_t);
	return len >= *min_len;
}

/* inet_diag_bc_audit(): 0, -EINVAL or -EPERM. bytecode_len is nla_len()
 * of the attribute; bc must be 4-byte aligned with 4 readable bytes past
 * the end rounded up to 4 (netlink attributes are padded). */
static inline int bc_emul_audit(const void *bytecode, int bytecode_len, bool net_admin)
{
	const char *bc;
	int len;

	if (!bytecode || bytecode_len < (int)sizeof(struct inet_diag_bc_op))
		return -EINVAL;

	bc = bytecode;
	len = bytecode_len;

	while (len > 0) {
		int min_len = sizeof(struct inet_diag_bc_op);
		const struct inet_diag_bc_op *op = (const void *)bc;

		switch (op->code) {
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND:
			if (!bc_emul_valid_hostcond(op, len, &min_len))
				return -EINVAL;
			break;
		case INET_DIAG_BC_DEV_COND:
			if (!bc_emul_valid_devcond(op, len, &min_len))
				return -EINVAL;
			break;
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_EQ:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
			if (!bc_emul_valid_port_comparison(op, len, &min_len))
				return -EINVAL;
			break;
		case INET_DIAG_BC_MARK_COND:
			if (!net_admin)
				return -EPERM;
			if (!bc_emul_valid_markcond(op, len, &min_len))
				return -EINVAL;
			break;
		case INET_DIAG_BC_CGROUP_COND:
			if (!bc_emul_valid_cgroupcond(op, len, &min_len))
				return -EINVAL;
			break;
		case INET_DIAG_BC_AUTO:
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return -EINVAL;
		}

		if (op->code != INET_DIAG_BC_NOP) {
			if (op->no < min_len || op->no > len + 4 || op->no & 3)
				return -EINVAL;
			if (op->no < len && !bc_emul_valid_cc(bytecode, bytecode_len, len - op->no))
				return -EINVAL;
		}

		if (op->yes < min_len || op->yes > len + 4 || op->yes & 3)
			return -EINVAL;
		bc += op->yes;
		len -= op->yes;
	}
	return len == 0 ? 0 : -EINVAL;
}

#endif

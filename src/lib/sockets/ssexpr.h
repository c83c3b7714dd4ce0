/* ss filter expressions (`ss -tan state established '( dport = :443 )'`):
 * parsed by a small recursive-descent parser with errors that point at the
 * token, matched in user space and compiled to inet_diag bytecode the way
 * iproute2's ssfilter_bytecode() does (and/or/not as jumps).
 *
 * Grammar (as misc/ssfilter.y of iproute2; words are split at blanks, and
 * '(' ')' may also stick to a word):
 *
 *   filter   := { ("state" | "exclude" | "excl") STATE } [ exprlist ]
 *   exprlist := expr { [ AND | OR ] expr }     left to right, AND and OR of
 *                                              equal precedence, as in ss:
 *                                              "a or b and c" = "(a or b) and c";
 *                                              two exprs side by side: AND
 *   expr     := "(" exprlist ")" | NOT expr
 *            |  ("src" | "dst") [ EQ | NE ] HOST
 *            |  ("sport" | "dport") [ CMP ] PORT
 *            |  "dev" [ EQ | NE ] (IFNAME | IFINDEX)
 *   AND := "and" | "&&" | "&"    OR := "or" | "||" | "|"    NOT := "not" | "!"
 *   EQ  := "=" | "==" | "eq"     NE := "!=" | "ne" | "neq"
 *   CMP := EQ | NE | "<" | "lt" | ">" | "gt" | "<=" | "le" | "leq" | ">=" | "ge" | "geq"
 *   HOST := ADDR[/LEN][:PORT] | [IPV6[/LEN]][:PORT] | *[:PORT] | :PORT
 *   PORT := [:]NUMBER | [:]SERVICE (getservbyname(3), "tcp") | [:]*
 *   STATE := any name td_state_parse() knows, and the ss groups all,
 *            connected, synchronized, bucket, big
 *
 * State words go to the filter's state mask (as ss, they must come before
 * the expression); "exclude S" starts from every state. Address conditions
 * behave as the kernel's INET_DIAG_BC_S_COND/D_COND: an IPv4 prefix also
 * matches an IPv4-mapped IPv6 address, an IPv6 one never an IPv4 socket. */
#ifndef TD_SSEXPR_H
#define TD_SSEXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "sockets/sock.h"

/* Conditions and operators in one filter; the bytecode of the largest
 * stays far below the 4 KiB sockdiag sends. */
#define TD_SSEXPR_MAX 64

enum td_ssx_op {
	TD_SSX_AND = 1,
	TD_SSX_OR,
	TD_SSX_NOT,
	TD_SSX_SCOND, /* local address (family, prefix) and/or port */
	TD_SSX_DCOND, /* remote */
	TD_SSX_S_GE,  /* local port >= port */
	TD_SSX_S_LE,
	TD_SSX_D_GE,
	TD_SSX_D_LE,
	TD_SSX_DEV, /* bound to ifindex */
};

struct td_ssx_node {
	uint8_t op;	/* enum td_ssx_op */
	uint8_t family; /* S/DCOND: AF_UNSPEC (any address), AF_INET, AF_INET6 */
	uint8_t prefix; /* S/DCOND: 0..32 or 0..128 */
	int32_t port;	/* S/DCOND: -1 for any; S/D_GE/LE: the port */
	uint32_t ifindex;
	uint16_t left, right; /* AND/OR: both operands; NOT: left */
	uint8_t addr[16];     /* network order, host bits cleared */
};

/* Fixed size and no pointers, so a td_filter stays a plain value. */
struct td_ssexpr {
	uint16_t n; /* nodes used; 0: no expression */
	uint16_t root;
	struct td_ssx_node node[TD_SSEXPR_MAX];
};

struct td_filter;

/* Parse the words argv[0..argc) (the operands after a command) into f:
 * state words into f->states, the expression ANDed with any expression
 * f already has. Returns 0, or -TD_EPARSE (-E2BIG: too many terms) with
 * err quoting the words and pointing at the token, e.g.
 *   "dport = :44x: bad port ':44x' at column 9: expected ...". */
int td_ssexpr_parse(struct td_filter *f, int argc, char *const argv[], struct td_err *err);

/* Does word begin an ss filter (a keyword, "(", "!")? Commands with an
 * operand of their own (who PORT) use it to tell where the filter starts. */
bool td_ssexpr_starts(const char *word);

/* Does s pass the expression? (An empty one passes everything.) */
bool td_ssexpr_match(const struct td_ssexpr *e, const struct td_sock *s);

/* Compile to inet_diag bytecode into buf: bytes written (0 for an empty
 * expression) or -ENOSPC. A program passes by running off its end and
 * fails by jumping 4 bytes past it, as every part of it does. */
int td_ssexpr_bytecode(const struct td_ssexpr *e, void *buf, size_t len);

/* Make the program bc[0..len) fail to len + reloc + 4 instead of len + 4,
 * so another program of reloc bytes can follow it (iproute2's
 * ssfilter_patch()): how two programs are ANDed. */
void td_bc_relocate(void *bc, int len, int reloc);

#endif

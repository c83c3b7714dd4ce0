/* libFuzzer target for the filter parsers: every td_filter_add_*() and
 * td_parse_*() on the input, the input as an ss filter expression (words
 * at blanks, td_ssexpr_parse()), then the bytecode of whatever parsed,
 * which must pass a copy of the kernel's audit and agree with
 * td_filter_match(). Build (needs -Itests/unit for bc_emul.h):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc/lib -Isrc \
 *     -Itests/unit tests/fuzz/fuzz_filter.c src/lib/sockets/filter.c \
 *     src/lib/sockets/ssexpr.c src/lib/state.c src/lib/text.c src/lib/err.c \
 *     -o fuzz_filter */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc_emul.h"
#include "sockets/filter.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*add_fn)(struct td_filter *, const char *, struct td_err *);

static const add_fn adders[] = {
	td_filter_add_state, td_filter_add_sport, td_filter_add_dport, td_filter_add_port,
	td_filter_add_src,   td_filter_add_dst,	  td_filter_add_pid,
};
#define NADDERS (sizeof(adders) / sizeof(adders[0]))

static void check_err(int rc, const struct td_err *err)
{
	if (rc == 0)
		return;
	/* A failure always explains itself, and the message is a C string. */
	if (rc != -TD_EPARSE && rc != -E2BIG)
		abort();
	if (err->code != rc || err->msg[0] == '\0' || !memchr(err->msg, '\0', sizeof(err->msg)))
		abort();
}

/* A few sockets the filters are run on, user space against bytecode. */
static void fixed_socks(struct td_sock *s, size_t n)
{
	static const struct {
		int family;
		const char *l, *r;
		uint16_t lport, rport;
	} row[] = {
		{ AF_INET, "192.0.2.1", "198.51.100.7", 80, 40000 },
		{ AF_INET, "0.0.0.0", "0.0.0.0", 22, 0 },
		{ AF_INET6, "::ffff:192.0.2.1", "::ffff:203.0.113.9", 443, 1 },
		{ AF_INET6, "2001:db8::1", "2001:db8:1::c000:201", 65535, 8080 },
		{ AF_INET6, "::", "::", 0, 0 },
	};
	size_t i;

	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n && i < sizeof(row) / sizeof(row[0]); i++) {
		s[i].family = (uint8_t)row[i].family;
		s[i].state = TD_ESTABLISHED;
		s[i].lport = row[i].lport;
		s[i].rport = row[i].rport;
		inet_pton(row[i].family, row[i].l, s[i].laddr);
		inet_pton(row[i].family, row[i].r, s[i].raddr);
	}
}

static void check_bytecode(const struct td_filter *f)
{
	static uint32_t bc[2048]; /* aligned, as a netlink attribute payload */
	struct td_sock socks[5];
	size_t i;
	int n;

	n = td_filter_bytecode(f, bc, sizeof(bc));
	if (n < 0 || n % 4)
		abort();
	if (n == 0) {
		if (f->nsrc || f->ndst || f->expr.n)
			abort(); /* an address list or expression is never a no-op */
		return;
	}
	if (bc_emul_audit(bc, n, false) != 0)
		abort();
	fixed_socks(socks, 5);
	for (i = 0; i < 5; i++) {
		struct bc_emul_sk k;
		struct td_filter nostate = *f;
		bool kern = bc_emul_run(bc, n, bc_emul_entry_from(&k, &socks[i])) == 1;

		nostate.states = 0;
		nostate.family = 0;
		if (kern != td_filter_match(&nostate, &socks[i]))
			abort();
	}
	if (td_filter_bytecode(f, bc, (size_t)n - 1) != -ENOSPC)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_filter all, lines;
	struct td_port_range r;
	struct td_cidr c;
	struct td_err err;
	char *text, *line, *next;
	size_t i;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	/* The whole input to every parser. */
	td_filter_init(&all);
	for (i = 0; i < NADDERS; i++)
		check_err(adders[i](&all, text, &err), &err);
	check_err(td_parse_port_range(text, &r, &err), &err);
	check_err(td_parse_cidr(text, &c, &err), &err);
	check_bytecode(&all);

	/* One option per line, the first byte choosing which: builds filters
	 * with several lists and several entries per list. */
	td_filter_init(&lines);
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		check_err(adders[(unsigned char)line[0] % NADDERS](&lines, line + 1, &err), &err);
	}
	check_bytecode(&lines);

	/* The whole input as ss filter words, then ANDed onto the option
	 * filter built above (as `conns --sport 80 dport gt :1024` does). */
	{
		char *words[256], *save = NULL, *w;
		int nw = 0;
		struct td_filter e;

		memcpy(text, data, size);
		text[size] = '\0';
		for (w = strtok_r(text, " \t\n", &save); w && nw < 256;
		     w = strtok_r(NULL, " \t\n", &save))
			words[nw++] = w;
		td_filter_init(&e);
		check_err(td_ssexpr_parse(&e, nw, words, &err), &err);
		check_bytecode(&e);
		check_err(td_ssexpr_parse(&lines, nw, words, &err), &err);
		check_bytecode(&lines);
	}

	free(text);
	return 0;
}

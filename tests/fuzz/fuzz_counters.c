/* libFuzzer target for the kernel counter parser: the input is a whole file,
 * parsed as a snmp/netstat table and as sockstat pairs; every error must say
 * why, and on success every counter must be found again by its key. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diagnose/counters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct td_counters *c)
{
	char key[TD_COUNTER_GROUP_MAX + TD_COUNTER_NAME_MAX + 1];

	for (size_t i = 0; i < c->n; i++) {
		const struct td_counter *e = &c->v[i];

		if (!e->group[0] || !e->name[0] || strchr(e->group, '.') || strchr(e->name, '.'))
			__builtin_trap();
		snprintf(key, sizeof(key), "%s.%s", e->group, e->name);
		if (td_counters_find(c, key) != e)
			__builtin_trap(); /* unsorted, or a duplicate slipped in */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum td_counter_format fmts[] = { TD_CFMT_TABLE, TD_CFMT_PAIRS };
	struct td_counters c;
	struct td_err err;

	if (size == 0)
		return 0; /* fmemopen() refuses an empty buffer */
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		FILE *fp = fmemopen((void *)data, size, "r");

		if (!fp)
			return 0;
		td_counters_init(&c);
		td_err_clear(&err);
		if (td_counters_parse(&c, fp, "fuzz", fmts[i], TD_CF_SNMP, &err) < 0) {
			if (err.msg[0] == '\0' || c.n != 0)
				__builtin_trap();
		} else {
			check(&c);
		}
		fclose(fp);
		td_counters_free(&c);
	}
	return 0;
}

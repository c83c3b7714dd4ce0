/* Where the time of the BPF socket counter goes: open, load (create maps,
 * verify), attach (iterator link and fd), the kernel's walk, reading back.
 * Usage: bpfcount [-r RUNS] [--by lport|peer|...]; prints one line per
 * phase (mean and min over RUNS, in ms) and the socket total. Needs root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockets/agg.h"
#include "bpf/tdbpf.h"

#define PHASES 5

int main(int argc, char **argv)
{
	static const char *const names[PHASES] = { "open", "load+verify", "attach", "walk (kernel)",
						   "read back" };
	double sum[PHASES + 1] = { 0 }, min[PHASES + 1];
	enum td_group_by by = TD_BY_NONE;
	uint64_t total = 0;
	int runs = 10;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--by") && i + 1 < argc) {
			if (td_group_by_parse(argv[++i], &by, NULL) < 0)
				return 2;
		} else {
			fprintf(stderr, "usage: bpfcount [-r RUNS] [--by KEY]\n");
			return 2;
		}
	}
	if (runs < 1)
		runs = 1;
	for (int p = 0; p <= PHASES; p++)
		min[p] = 1e18;
	for (int r = 0; r < runs; r++) {
		struct td_bpf_timing t;
		struct td_err err = { 0 };
		struct td_agg a;
		double ms[PHASES + 1];

		td_agg_init(&a, by, NULL);
		if (td_bpf_count(NULL, &a, &t, &err) < 0) {
			fprintf(stderr, "bpfcount: %s\n", err.msg);
			td_agg_free(&a);
			return 3;
		}
		total = a.total;
		td_agg_free(&a);
		ms[0] = t.open_ns / 1e6;
		ms[1] = t.load_ns / 1e6;
		ms[2] = t.attach_ns / 1e6;
		ms[3] = t.walk_ns / 1e6;
		ms[4] = t.read_ns / 1e6;
		ms[5] = ms[0] + ms[1] + ms[2] + ms[3] + ms[4];
		for (int p = 0; p <= PHASES; p++) {
			sum[p] += ms[p];
			if (ms[p] < min[p])
				min[p] = ms[p];
		}
	}
	printf("sockets %llu, by %s, %d runs (ms: mean min)\n", (unsigned long long)total,
	       td_group_by_name(by), runs);
	for (int p = 0; p < PHASES; p++)
		printf("%-14s %8.2f %8.2f\n", names[p], sum[p] / runs, min[p]);
	printf("%-14s %8.2f %8.2f\n", "total", sum[PHASES] / runs, min[PHASES]);
	return 0;
}

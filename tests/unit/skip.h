/* SPDX-License-Identifier: MIT */
/*
 * skip_because(REASON): a cmocka skip that says why. cmocka's TAP line for a
 * skip carries only the test's name, so the reason goes on a comment line
 * just before it, which tests/run reads. tests/run allows two kinds of
 * reason: "kernel: ..." (a kernel feature this machine lacks) and "needs
 * root" (when the run is not root); any other skip fails the run, because a
 * missing tool is an install line in scripts/deps, not a reason to skip.
 * Include after <cmocka.h>.
 */
#ifndef TD_TEST_SKIP_H
#define TD_TEST_SKIP_H

#define skip_because(reason)                                                                       \
	do {                                                                                       \
		print_message("# skip: %s\n", reason);                                             \
		skip();                                                                            \
	} while (0)

#endif

/* Remedies tcpdoctor can apply itself, as data attached to a finding: the
 * exact tcpdoctor command (an argv, after "tcpdoctor" and any --netns), what
 * it changes, what it does not fix, and whether `check --fix --yes` may run
 * it unasked. A pure function of the finding: tested with hand-built ones. */
#ifndef TD_REMEDY_H
#define TD_REMEDY_H

#include <stdbool.h>
#include <stddef.h>

#include "diagnose/rules.h"

#define TD_REMEDY_MAX_ARGS 16

struct td_remedy {
	size_t argc;
	const char *argv[TD_REMEDY_MAX_ARGS]; /* "kill", "--state", ...; into buf or static */
	char buf[256];			      /* the numbers of the argv */
	char changes[640];		      /* what running it changes */
	const char *not_fixed;		      /* what it leaves as it is */
	bool safe;			      /* --fix --yes applies it */
};

/* The remedy for finding f, into *r: 0, or -TD_ENOTFOUND when tcpdoctor has
 * none to apply for it (the finding's actions say what a person must do). */
int td_finding_remedy(const struct td_finding *f, struct td_remedy *r);

#endif

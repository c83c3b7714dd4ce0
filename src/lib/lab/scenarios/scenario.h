/* What a scenario file includes: the lab's helpers and the prototypes of
 * every scenario function named in lab_scenarios.def. */
#ifndef TD_LAB_SC_H
#define TD_LAB_SC_H

#include <errno.h>
#include <stdio.h>

#include "lab/lab.h"

/* Return from the scenario as soon as a step or check fails: the lab has
 * recorded why. */
#define TD_LAB_TRY(expr)                                                                           \
	do {                                                                                       \
		int td_lab_rc_ = (expr);                                                           \
		if (td_lab_rc_ < 0)                                                                \
			return td_lab_rc_;                                                         \
	} while (0)

#define TD_LAB_SCENARIO(name, fn, summary) int fn(struct td_lab *lab);
#include "lab/scenarios/scenarios.def"
#undef TD_LAB_SCENARIO

#endif

/* Remedies as data: one table from rule id to the function that builds the
 * command for a finding of that rule. See remedy.h. */
#include "diagnose/remedy.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Room in r->buf for one number; returns it as a string there. */
static const char *num(struct td_remedy *r, size_t *used, unsigned long long v)
{
	char *p = r->buf + *used;
	int n = snprintf(p, sizeof(r->buf) - *used, "%llu", v);

	if (n < 0 || (size_t)n >= sizeof(r->buf) - *used)
		return "0";
	*used += (size_t)n + 1;
	return p;
}

static void arg(struct td_remedy *r, const char *a)
{
	if (r->argc < TD_REMEDY_MAX_ARGS)
		r->argv[r->argc++] = a;
}

/* The process leaks CLOSE_WAIT sockets: destroy them (the peer has closed
 * already, so nothing more can come from it; the application gets
 * ECONNABORTED on its next call, which its error path handles). */
static int close_wait(const struct td_finding *f, struct td_remedy *r)
{
	size_t used = 0;

	if (!f->pid)
		return -TD_ENOTFOUND; /* whose sockets? a person must look */
	arg(r, "kill");
	arg(r, "--state");
	arg(r, "close-wait");
	arg(r, "--pid");
	arg(r, num(r, &used, f->pid));
	if (f->port) {
		arg(r, "--sport");
		arg(r, num(r, &used, f->port));
	}
	/* kill refuses more than --max (100) sockets; the finding counted them. */
	if (f->count > 100) {
		arg(r, "--max");
		arg(r, num(r, &used, f->count + f->count / 10 + 10));
	}
	arg(r, "--yes");
	snprintf(r->changes, sizeof(r->changes),
		 "destroys the %" PRIu64 " CLOSE_WAIT sockets of pid %" PRIu32
		 ": its next call on each fails with ECONNABORTED, the descriptors stay open "
		 "until it closes them",
		 f->count, f->pid);
	r->not_fixed = "the code still does not close sockets after the peer closes: they "
		       "come back";
	r->safe = true;
	return 0;
}

/* Established connections silent for long, no keepalive: turn it on in the
 * owner, so the dead ones end with ETIMEDOUT (60 + 10 x 3 = 90 s). */
static int half_open(const struct td_finding *f, struct td_remedy *r)
{
	size_t used = 0;

	if (!f->pid)
		return -TD_ENOTFOUND;
	arg(r, "keepalive");
	arg(r, "--pid");
	arg(r, num(r, &used, f->pid));
	arg(r, "--state");
	arg(r, "established");
	arg(r, "--idle");
	arg(r, "60");
	arg(r, "--intvl");
	arg(r, "10");
	arg(r, "--count");
	arg(r, "3");
	arg(r, "--yes");
	snprintf(r->changes, sizeof(r->changes),
		 "turns on keepalive (60 s idle, a probe every 10 s, 3 probes) on the "
		 "established sockets of pid %" PRIu32
		 ": a dead peer's connection ends with ETIMEDOUT within 90 s",
		 f->pid);
	r->not_fixed = "connections the process opens later have no keepalive until its "
		       "code sets SO_KEEPALIVE; other processes' sockets are left as they are";
	r->safe = true;
	return 0;
}

/* A kernel parameter outside what the workload needs: set the value the
 * finding recommends, through `sysctl --apply --set`, which saves the old
 * value in an undo file first and prints the commands that restore it. */
static int sysctl_set(const struct td_finding *f, struct td_remedy *r)
{
	int n;

	if (!f->sysctl.name[0] || !f->sysctl.rec[0])
		return -TD_ENOTFOUND;
	n = snprintf(r->buf, sizeof(r->buf), "%s=%s", f->sysctl.name, f->sysctl.rec);
	if (n < 0 || (size_t)n >= sizeof(r->buf))
		return -TD_ENOTFOUND;
	arg(r, "sysctl");
	arg(r, "--apply");
	arg(r, "--set");
	arg(r, r->buf);
	arg(r, "--yes");
	snprintf(r->changes, sizeof(r->changes),
		 "sets %s from %s to %s in %s, saving %s in an undo file first (sysctl -p "
		 "FILE, or sysctl -w %s=\"%s\", restores it)",
		 f->sysctl.name, f->sysctl.cur, f->sysctl.rec,
		 f->sysctl.per_netns ? "this network namespace" : "the whole host", f->sysctl.cur,
		 f->sysctl.name, f->sysctl.cur);
	r->not_fixed = "the running kernel only: a reboot (or a new namespace) starts from the "
		       "configured value again until /etc/sysctl.d/ says so (tcpdoctor sysctl "
		       "--snippet writes the file)";
	/* A kernel setting changes every application's behaviour: offered on a
	 * terminal, never applied unasked by --fix --yes. */
	r->safe = false;
	return 0;
}

static const struct {
	const char *rule;
	int (*fn)(const struct td_finding *f, struct td_remedy *r);
} remedies[] = {
	{ "close-wait-leak", close_wait },	  { "half-open-suspects", half_open },
	{ "risky-sysctl", sysctl_set },		  { "syncookies-off", sysctl_set },
	{ "ephemeral-range-narrow", sysctl_set },
};

int td_finding_remedy(const struct td_finding *f, struct td_remedy *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(remedies) / sizeof(remedies[0]); i++)
		if (f->rule && !strcmp(f->rule, remedies[i].rule))
			return remedies[i].fn(f, r);
	return -TD_ENOTFOUND;
}

/* Taking one sample for `serve` and `record`: the same library calls as
 * `check` (counters, LISTEN dump then the rest with tcp_info, an owner walk
 * for the sockets a rule can blame, sysctls, rules), with the previous
 * sample as the rate window instead of a sleep, so a scrape costs one pass. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "history/sample.h"

static void note_error(struct td_sample *s, const char *what, const struct td_err *err)
{
	if (!s->errors++)
		snprintf(s->error, sizeof(s->error), "%s: %s", what,
			 err && err->msg[0] ? err->msg : "failed");
}

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

int td_sample_take(struct td_sample *s, const struct td_sample_opts *o,
		   const struct td_counters *prev)
{
	struct td_source src = o->source;
	struct td_rule_input in = { 0 };
	struct td_sysctl_finding *audit = NULL;
	struct td_err err = { 0 };
	struct td_filter f;
	struct timespec t0;
	int rc;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_REALTIME, &s->wall);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	td_counters_init(&s->counters);
	td_agg_init(&s->agg, TD_BY_NONE, NULL);
	td_snapshot_init(&s->snap, NULL);

	if (td_counters_read(&s->counters, NULL, &err) < 0)
		note_error(s, "kernel counters", &err);
	else
		s->have_counters = true;

	td_filter_init(&f);
	if (o->family)
		f.family = o->family;
	td_err_clear(&err);
	if (o->count_states) {
		uint64_t fc[2][TD_STATE_MAX + 1] = { { 0 } };

		rc = o->count_states(o->count_ctx, o->family, fc, &err);
		for (int fam = 0; rc == 0 && fam < 2; fam++)
			for (int st = 1; st <= TD_STATE_MAX; st++) {
				struct td_sock one = { .family = fam ? AF_INET6 : AF_INET,
						       .state = (uint8_t)st };

				if (fc[fam][st])
					td_agg_add_n(&s->agg, &one, fc[fam][st]);
			}
		if (rc == 0) {
			s->have_states = true;
			snprintf(s->source, sizeof(s->source), "%s",
				 o->count_source ? o->count_source : "bpf");
		} else {
			note_error(s, "socket counts", &err);
		}
	} else if ((rc = td_source_count(&src, &f, &s->agg, &err)) < 0 && err.code != -TD_ETRUNC) {
		note_error(s, "socket counts", &err);
	} else {
		s->have_states = true;
		snprintf(s->source, sizeof(s->source), "%s", td_source_name(src.used));
	}

	if (o->light) {
		/* Listeners only: their queues are the one per-socket family a
		 * scrape cannot do without, and cost what there are of them. */
		td_err_clear(&err);
		src = o->source;
		f.states = TD_STATE_BIT(TD_LISTEN);
		rc = td_source_dump(&src, &f, 0, td_snapshot_cb, &s->snap, &err);
		if (rc < 0 && err.code != -TD_ETRUNC)
			note_error(s, "listeners", &err);
		else
			s->have_snap = true;
		s->seconds = since(&t0);
		return 0;
	}

	/* Owners name the processes behind CLOSE_WAIT and findings: looked up
	 * after the dump for the sockets that need one (see
	 * td_snapshot_defer_owners), not in a table of every socket. */
	s->owners = td_owners_new();
	if (!s->owners)
		return -ENOMEM;
	td_snapshot_defer_owners(&s->snap);
	td_err_clear(&err);
	src = o->source;
	rc = td_snapshot_dump(&s->snap, &src, &f, &err);
	if (rc < 0 && err.code != -TD_ETRUNC)
		note_error(s, "socket dump", &err);
	else
		s->have_snap = true;
	td_err_clear(&err);
	if (td_snapshot_owners(&s->snap, s->owners, NULL, &err) < 0)
		note_error(s, "owners", &err);

	if (s->have_snap) {
		td_rule_sysctls_init(&in.sysctl);
		td_rule_sysctls_read(&in.sysctl, NULL);
		if (td_sysctl_count()) {
			audit = calloc(td_sysctl_count(), sizeof(*audit));
			if (audit && td_rule_sysctls_audit(audit, o->profile, NULL) > 0) {
				in.audit = audit;
				in.naudit = td_sysctl_count();
				in.profile = o->profile;
			}
		}
		in.snap = &s->snap;
		in.owners_partial = td_owners_unreadable(s->owners) > 0;
		if (s->have_counters) {
			in.before = &s->counters;
			if (prev && prev->n) {
				double el = td_counters_elapsed(prev, &s->counters);

				/* Rates over less than a quarter second say little. */
				if (el >= 0.25) {
					in.before = prev;
					in.after = &s->counters;
					in.elapsed = el;
					s->rate_window = el;
					/* As check's second read: what persists
					 * since the previous sample. */
					td_snapshot_confirm_prev(&s->snap, o->prev_snap);
				}
			}
		}
		rc = td_rules_run(&in, o->th, td_findings_add, &s->findings);
		free(audit);
		if (rc == -ENOMEM)
			return -ENOMEM;
		s->rules_ran = rc == 0;
	}
	s->seconds = since(&t0);
	return 0;
}

void td_sample_free(struct td_sample *s)
{
	td_snapshot_free(&s->snap);
	td_owners_free(s->owners);
	s->owners = NULL;
	td_agg_free(&s->agg);
	td_counters_free(&s->counters);
	td_findings_free(&s->findings);
}

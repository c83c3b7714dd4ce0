/* The Prometheus text exposition of one sample (format 0.0.4: "# HELP",
 * "# TYPE", then the family's samples together). Label sets are bounded:
 * states x families, top N ports and processes plus "other", rules x
 * severities; never one series per peer. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockets/agg.h"
#include "sockets/ident.h"
#include "history/metrics.h"

void td_mbuf_free(struct td_mbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static bool mbuf_reserve(struct td_mbuf *b, size_t more)
{
	size_t ncap;
	char *np;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < b->len + more + 1)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void td_mbuf_printf(struct td_mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !mbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void mbuf_putc(struct td_mbuf *b, char c)
{
	if (!mbuf_reserve(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void td_mbuf_label(struct td_mbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"') {
			mbuf_putc(b, '\\');
			mbuf_putc(b, *s);
		} else if (*s == '\n') {
			mbuf_putc(b, '\\');
			mbuf_putc(b, 'n');
		} else {
			mbuf_putc(b, *s);
		}
	}
}

static void family_head(struct td_mbuf *b, const char *name, const char *type, const char *help)
{
	td_mbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ---- top N ---------------------------------------------------------------------- */

/* By name, then who (container, unit): the rows to fold into one. */
static int cmp_key(const void *pa, const void *pb)
{
	const struct td_top_entry *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (!c)
		c = strcmp(a->container, b->container);
	return c ? c : strcmp(a->unit, b->unit);
}

static int cmp_count(const void *pa, const void *pb)
{
	const struct td_top_entry *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return cmp_key(a, b);
}

/* Who the group's process is: its container and unit ($TD_PROCDIR for
 * tests). Read per group: a snapshot has tens of local groups, not
 * thousands. */
static void top_ident(const struct td_snap_group *g, struct td_top_entry *e)
{
	struct td_ident id;

	if (!g->pid || td_ident_read(NULL, (pid_t)g->pid, NULL, &id) < 0)
		return;
	if (id.runtime)
		td_ident_container(&id, e->container, sizeof(e->container));
	/* A user's session scope changes at every login: not a label. */
	if (id.unit[0] && id.user < 0)
		snprintf(e->unit, sizeof(e->unit), "%s", id.unit);
}

/* A group's key; comm is what the kernel gave (at most 15 bytes). */
static void top_key(const struct td_snap_group *g, enum td_top_by by, char *buf, size_t len)
{
	if (by == TD_TOPBY_PORT) {
		if (g->port)
			snprintf(buf, len, "%u", g->port);
		else
			snprintf(buf, len, "ephemeral");
	} else {
		snprintf(buf, len, "%s", g->pid && g->comm[0] ? g->comm : "none");
	}
}

int td_metrics_top(const struct td_snapshot *snap, int state, enum td_top_by by, size_t n,
		   struct td_top_entry *out, size_t *nout, uint64_t *other)
{
	struct td_top_entry *v;
	size_t nv = 0, merged = 0;

	*nout = 0;
	*other = 0;
	if (!snap || !snap->ngroups)
		return 0;
	v = calloc(snap->ngroups, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < snap->ngroups; i++) {
		const struct td_snap_group *g = &snap->groups[i];

		if (g->kind != TD_SNAP_LOCAL || g->state != state || !g->count)
			continue;
		top_key(g, by, v[nv].key, sizeof(v[nv].key));
		if (by == TD_TOPBY_PROCESS)
			top_ident(g, &v[nv]);
		v[nv++].count = g->count;
	}
	/* Several pids or ports fold into one key: sort by key, merge runs. */
	qsort(v, nv, sizeof(*v), cmp_key);
	for (size_t i = 0; i < nv; i++) {
		if (merged && !cmp_key(&v[merged - 1], &v[i]))
			v[merged - 1].count += v[i].count;
		else
			v[merged++] = v[i];
	}
	qsort(v, merged, sizeof(*v), cmp_count);
	for (size_t i = 0; i < merged; i++) {
		if (i < n)
			out[(*nout)++] = v[i];
		else
			*other += v[i].count;
	}
	free(v);
	return 0;
}

/* ---- kernel counters ---------------------------------------------------------- */

/* The counters exported, by file and group. Tcp's gauges are the RFC 4022
 * objects that are not counters (tcpCurrEstab and the RTO parameters). */
static const struct counter_group {
	uint8_t file;
	const char *group;
} exported_groups[] = {
	{ TD_CF_SNMP, "Tcp" },
	{ TD_CF_NETSTAT, "TcpExt" },
	{ TD_CF_SOCKSTAT, "TCP" },
	{ TD_CF_SOCKSTAT6, "TCP6" },
};

static const char *const tcp_gauges[] = { "RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn",
					  "CurrEstab" };

/* "TCPDSACKOldSent" -> "tcpdsack_old_sent", "ListenOverflows" ->
 * "listen_overflows": a word starts at an upper-case letter after a lower
 * case one or a digit, or at the last capital of a run followed by lower case. */
static void snake(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; in[i] && o + 2 < len; i++) {
		unsigned char c = (unsigned char)in[i];
		bool up = isupper(c);

		if (up && i > 0 && o > 0 && out[o - 1] != '_') {
			unsigned char p = (unsigned char)in[i - 1], nx = (unsigned char)in[i + 1];

			if (islower(p) || isdigit(p) || (isupper(p) && islower(nx)))
				out[o++] = '_';
		}
		out[o++] = isalnum(c) ? (char)tolower(c) : '_';
	}
	out[o] = '\0';
}

bool td_metrics_counter_name(const struct td_counter *c, char *buf, size_t len, bool *is_counter)
{
	char g[TD_COUNTER_GROUP_MAX * 2], nm[TD_COUNTER_NAME_MAX * 2];
	bool found = false;

	for (size_t i = 0; i < sizeof(exported_groups) / sizeof(exported_groups[0]); i++)
		if (exported_groups[i].file == c->file &&
		    !strcmp(exported_groups[i].group, c->group))
			found = true;
	if (!found)
		return false;
	*is_counter = c->file == TD_CF_SNMP || c->file == TD_CF_NETSTAT;
	for (size_t i = 0; i < sizeof(tcp_gauges) / sizeof(tcp_gauges[0]); i++)
		if (c->file == TD_CF_SNMP && !strcmp(c->name, tcp_gauges[i]))
			*is_counter = false;
	snake(c->group, g, sizeof(g));
	snake(c->name, nm, sizeof(nm));
	snprintf(buf, len, "tcpdoctor_%s_%s_%s%s", td_counter_file_name(c->file), g, nm,
		 *is_counter ? "_total" : "");
	return true;
}

static void render_counters(struct td_mbuf *b, const struct td_counters *cs)
{
	char name[192];

	for (size_t i = 0; i < cs->n; i++) {
		const struct td_counter *c = &cs->v[i];
		bool is_counter;

		if (!td_metrics_counter_name(c, name, sizeof(name), &is_counter))
			continue;
		td_mbuf_printf(b, "# HELP %s Kernel %s %s.%s (/proc/net/%s).\n", name,
			       is_counter ? "counter" : "value", c->group, c->name,
			       td_counter_file_name(c->file));
		td_mbuf_printf(b, "# TYPE %s %s\n", name, is_counter ? "counter" : "gauge");
		if (c->negative)
			td_mbuf_printf(b, "%s %lld\n", name, (long long)(int64_t)c->value);
		else
			td_mbuf_printf(b, "%s %llu\n", name, (unsigned long long)c->value);
	}
}

/* ---- listeners ------------------------------------------------------------------ */

struct port_queue {
	uint16_t port;
	uint8_t family;
	bool has_backlog;
	uint8_t addr[16];
	uint64_t queue, backlog;
};

static int cmp_port_queue(const void *pa, const void *pb)
{
	const struct port_queue *a = pa, *b = pb;
	int c;

	if (a->queue != b->queue)
		return a->queue > b->queue ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, 16);
	return c < 0 ? -1 : c > 0;
}

static int render_listeners(struct td_mbuf *b, const struct td_snapshot *snap)
{
	struct port_queue *v = NULL, other = { 0 };
	size_t nv = 0;
	bool have_other = false;
	char addr[64];

	if (snap->nlisteners) {
		v = calloc(snap->nlisteners, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	/* One series per listening address and port: 127.0.0.1:80 and
	 * [::1]:80 are two services as far as their queues go (one may be
	 * full while the other idles); SO_REUSEPORT groups on one address
	 * share the port's traffic and are summed. */
	for (size_t i = 0; i < snap->nlisteners; i++) {
		const struct td_snap_listener *l = &snap->listeners[i];
		size_t k;

		for (k = 0; k < nv && !(v[k].port == l->port && v[k].family == l->family &&
					!memcmp(v[k].addr, l->addr, 16));
		     k++)
			;
		if (k == nv) {
			v[nv].port = l->port;
			v[nv].family = l->family;
			memcpy(v[nv].addr, l->addr, 16);
			nv++;
		}
		v[k].queue += l->accept_queue;
		v[k].backlog += l->backlog;
		v[k].has_backlog |= l->has_backlog;
	}
	if (nv)
		qsort(v, nv, sizeof(*v), cmp_port_queue);
	for (size_t i = TD_METRICS_MAX_LISTEN_PORTS; i < nv; i++) {
		other.queue += v[i].queue;
		other.backlog += v[i].backlog;
		other.has_backlog |= v[i].has_backlog;
		have_other = true;
	}
	if (nv > TD_METRICS_MAX_LISTEN_PORTS)
		nv = TD_METRICS_MAX_LISTEN_PORTS;

	family_head(b, "tcpdoctor_listen_accept_queue", "gauge",
		    "Connections waiting for accept() on a listening address and port (Recv-Q of "
		    "LISTEN).");
	for (size_t i = 0; i < nv; i++)
		td_mbuf_printf(b,
			       "tcpdoctor_listen_accept_queue{port=\"%u\",address=\"%s\"} %llu\n",
			       v[i].port, td_addr_str(v[i].family, v[i].addr, addr, sizeof(addr)),
			       (unsigned long long)v[i].queue);
	if (have_other)
		td_mbuf_printf(b, "tcpdoctor_listen_accept_queue{port=\"other\"} %llu\n",
			       (unsigned long long)other.queue);
	family_head(b, "tcpdoctor_listen_backlog", "gauge",
		    "Accept queue limit of a listening address and port: listen() backlog capped "
		    "by net.core.somaxconn (Send-Q of LISTEN; netlink source only).");
	for (size_t i = 0; i < nv; i++)
		if (v[i].has_backlog)
			td_mbuf_printf(
				b, "tcpdoctor_listen_backlog{port=\"%u\",address=\"%s\"} %llu\n",
				v[i].port, td_addr_str(v[i].family, v[i].addr, addr, sizeof(addr)),
				(unsigned long long)v[i].backlog);
	if (have_other && other.has_backlog)
		td_mbuf_printf(b, "tcpdoctor_listen_backlog{port=\"other\"} %llu\n",
			       (unsigned long long)other.backlog);
	free(v);
	return 0;
}

/* ---- top N by port and by process ---------------------------------------------- */

static int render_top(struct td_mbuf *b, const struct td_snapshot *snap, enum td_top_by by,
		      size_t top)
{
	static const int states[] = { TD_TIME_WAIT, TD_CLOSE_WAIT };
	const char *name =
		by == TD_TOPBY_PORT ? "tcpdoctor_sockets_by_port" : "tcpdoctor_sockets_by_process";
	const char *label = by == TD_TOPBY_PORT ? "port" : "process";
	struct td_top_entry *v = calloc(top, sizeof(*v));

	if (!v)
		return -ENOMEM;
	family_head(
		b, name, "gauge",
		by == TD_TOPBY_PORT
			? "TIME_WAIT and CLOSE_WAIT sockets by local port (a listener's port for "
			  "server-side sockets, \"ephemeral\" for client-side ones), top N, the "
			  "rest in port=\"other\"."
			: "TIME_WAIT and CLOSE_WAIT sockets by owning process name (\"none\" "
			  "when no process holds them, as TIME_WAIT), top N, the rest in "
			  "process=\"other\".");
	for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
		size_t n;
		uint64_t other;
		int rc = td_metrics_top(snap, states[s], by, top, v, &n, &other);

		if (rc < 0) {
			free(v);
			return rc;
		}
		for (size_t i = 0; i < n; i++) {
			td_mbuf_printf(b, "%s{state=\"%s\",%s=\"", name, td_state_name(states[s]),
				       label);
			td_mbuf_label(b, v[i].key);
			/* Not "container": serve --all-netns labels a namespace's
			 * series with that of the namespace. */
			if (v[i].container[0]) {
				td_mbuf_printf(b, "\",process_container=\"");
				td_mbuf_label(b, v[i].container);
			}
			if (v[i].unit[0]) {
				td_mbuf_printf(b, "\",unit=\"");
				td_mbuf_label(b, v[i].unit);
			}
			td_mbuf_printf(b, "\"} %llu\n", (unsigned long long)v[i].count);
		}
		if (other)
			td_mbuf_printf(b, "%s{state=\"%s\",%s=\"other\"} %llu\n", name,
				       td_state_name(states[s]), label, (unsigned long long)other);
	}
	free(v);
	return 0;
}

/* ---- findings ----------------------------------------------------------------- */

static void render_findings(struct td_mbuf *b, const struct td_finding *f, size_t nf)
{
	static const enum td_severity sevs[] = { TD_SEV_INFO, TD_SEV_WARNING, TD_SEV_CRITICAL };
	size_t nrules;
	const struct td_rule *rules = td_rules(&nrules);

	family_head(b, "tcpdoctor_finding", "gauge",
		    "Findings of `tcpdoctor check` in this scrape, by rule and severity "
		    "(0 when the rule found nothing).");
	/* Every rule at every severity, so a series drops to 0 instead of
	 * vanishing (alerts resolve and graphs show the fall). */
	for (size_t r = 0; r < nrules; r++)
		for (size_t s = 0; s < sizeof(sevs) / sizeof(sevs[0]); s++) {
			unsigned n = 0;

			for (size_t i = 0; i < nf; i++)
				if (f[i].rule && !strcmp(f[i].rule, rules[r].id) &&
				    f[i].severity == sevs[s])
					n++;
			td_mbuf_printf(b, "tcpdoctor_finding{rule=\"%s\",severity=\"%s\"} %u\n",
				       rules[r].id, td_severity_name(sevs[s]), n);
		}
	family_head(b, "tcpdoctor_finding_sockets", "gauge",
		    "Sockets (or events) behind the findings of a rule in this scrape.");
	for (size_t r = 0; r < nrules; r++) {
		uint64_t n = 0;

		for (size_t i = 0; i < nf; i++)
			if (f[i].rule && !strcmp(f[i].rule, rules[r].id))
				n += f[i].count;
		td_mbuf_printf(b, "tcpdoctor_finding_sockets{rule=\"%s\"} %llu\n", rules[r].id,
			       (unsigned long long)n);
	}
}

/* The by-port and by-process families of snap, top N each; out of memory
 * marks b and returns the error. */
static int render_tops(struct td_mbuf *b, const struct td_snapshot *snap, size_t top)
{
	int rc = render_top(b, snap, TD_TOPBY_PORT, top);

	if (!rc)
		rc = render_top(b, snap, TD_TOPBY_PROCESS, top);
	if (rc < 0)
		b->oom = true;
	return rc;
}

int td_metrics_render(const struct td_metrics_input *in, struct td_mbuf *b)
{
	size_t top = in->top ? in->top : TD_METRICS_DEFAULT_TOP;
	int rc;

	family_head(b, "tcpdoctor_build_info", "gauge",
		    "Always 1: the tcpdoctor version and the socket source of this scrape.");
	td_mbuf_printf(b, "tcpdoctor_build_info{version=\"");
	td_mbuf_label(b, in->version ? in->version : "unknown");
	td_mbuf_printf(b, "\",source=\"");
	td_mbuf_label(b, in->source ? in->source : "none");
	td_mbuf_printf(b, "\"} 1\n");

	if (in->have_states) {
		static const char *const fam[2] = { "ipv4", "ipv6" };

		family_head(b, "tcpdoctor_sockets", "gauge",
			    "TCP sockets by state and address family (request sockets count as "
			    "SYN_RECV).");
		for (int f = 0; f < 2; f++)
			for (int st = TD_ESTABLISHED; st <= TD_CLOSING; st++)
				td_mbuf_printf(
					b, "tcpdoctor_sockets{state=\"%s\",family=\"%s\"} %llu\n",
					td_state_name(st), fam[f],
					(unsigned long long)in->fam_counts[f][st]);
	}
	if (in->snap) {
		rc = render_listeners(b, in->snap);
		if (rc < 0) {
			b->oom = true;
			return rc;
		}
	}
	if (in->deep_text) {
		if (mbuf_reserve(b, in->deep_len)) {
			memcpy(b->p + b->len, in->deep_text, in->deep_len);
			b->len += in->deep_len;
			b->p[b->len] = '\0';
		}
	} else if (in->snap && (rc = render_tops(b, in->snap, top)) < 0) {
		return rc;
	}
	if (in->counters)
		render_counters(b, in->counters);
	if (in->with_findings && !in->deep_text)
		render_findings(b, in->findings, in->nfindings);

	family_head(b, "tcpdoctor_scrape_duration_seconds", "gauge",
		    "Seconds this scrape took to gather sockets, counters and findings.");
	td_mbuf_printf(b, "tcpdoctor_scrape_duration_seconds %.6f\n", in->scrape_seconds);
	family_head(b, "tcpdoctor_scrapes_total", "counter",
		    "Scrapes answered since the exporter started.");
	td_mbuf_printf(b, "tcpdoctor_scrapes_total %llu\n", (unsigned long long)in->scrapes);
	family_head(b, "tcpdoctor_scrape_errors_total", "counter",
		    "Scrapes since the exporter started that could not read sockets or counters "
		    "(their families are then missing from that scrape).");
	td_mbuf_printf(b, "tcpdoctor_scrape_errors_total %llu\n",
		       (unsigned long long)in->scrape_errors);
	return b->oom ? -ENOMEM : 0;
}

int td_metrics_render_deep(const struct td_metrics_input *in, struct td_mbuf *b)
{
	size_t top = in->top ? in->top : TD_METRICS_DEFAULT_TOP;
	int rc = 0;

	if (in->snap && (rc = render_tops(b, in->snap, top)) < 0)
		return rc;
	if (in->with_findings)
		render_findings(b, in->findings, in->nfindings);
	return b->oom ? -ENOMEM : 0;
}

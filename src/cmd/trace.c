/* `tcpdoctor trace`: every TCP state transition, live, from tracepoints
 * (eBPF); with --lifetimes one line per closed connection, with
 * --retransmits/--resets those events; --summary at the end. Each observed
 * transition is checked against the RFC 9293 table (fsm.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpf/tdbpf.h"
#include "cmd/commands.h"
#include "fsm.h"
#include "render/escape.h"
#include "render/json.h"
#include "render/view.h"
#include "sockets/nsall.h"
#include "sockets/owners.h"
#include "state.h"
#include "text.h"
#include "render/style.h"
#include "render/wrap.h"

static const char help[] =
	"usage: tcpdoctor trace [--lifetimes] [--retransmits] [--resets] [FILTERS]\n"
	"                       [--for DURATION] [--summary | --with-summary] [--all-netns]\n"
	"\n"
	"Every TCP state transition, live (like bcc's tcpstates, tcplife, tcpretrans),\n"
	"from kernel tracepoints through eBPF: time, the owner as comm[pid] (? when not\n"
	"known for sure), local -> peer, OLD -> NEW, time spent in OLD, socket cookie\n"
	"(the `cookie` of `tcpdoctor conns --json`), then who the owner is, as `who`\n"
	"shows it: user=, container=, pod=, unit=, cmd=\"command line\" (escaped; in\n"
	"JSON the `process` object). Needs root.\n"
	"\n"
	"  --lifetimes     one line per closed connection: duration, bytes out/in,\n"
	"                  who closed first\n"
	"  --retransmits   retransmitted segments (tcp:tcp_retransmit_skb), SYN-ACKs too\n"
	"  --resets        resets received and sent (tcp:tcp_receive_reset, tcp_send_reset),\n"
	"                  sent ones with the kernel's reason (NO_SOCKET: nothing listens)\n"
	"                  (either of these alone shows no transitions; add --transitions)\n"
	"  --transitions   state transitions (the default)\n"
	"  --for DURATION  stop after 30s, 2m, 500ms (default: until Ctrl-C)\n"
	"  --summary       only a summary, at the end: transitions by (old, new), by\n"
	"                  process, by port; top talkers in resets and retransmits; lost\n"
	"                  events. Counted in the kernel: nothing is sent per event\n"
	"  --with-summary  every event, then the summary\n"
	"  --all-netns     every network namespace (default: this one, or --netns), each\n"
	"                  event with its namespace's name (NETNS, as states --all-netns\n"
	"                  names it); --netns-filter GLOB keeps the matching ones\n"
	"Filters (in the kernel): --state S (old or new state), -l/--listening, --port P\n"
	"(local or remote; repeat to OR), --pid PID (owner); --sport, --dport, --src and\n"
	"--dst are refused: the tracepoints' filter knows only states, ports and pids\n"
	"Global: --netns NAME|PID|PATH, --json (one object per event, NDJSON), --no-color\n"
	"\n"
	"Examples:\n"
	"  tcpdoctor trace\n"
	"  tcpdoctor trace --port 443 --state close-wait --json\n"
	"  tcpdoctor trace --for 30s --summary\n"
	"  tcpdoctor trace --retransmits --resets\n";

/* Transitions the kernel makes that RFC 9293's diagram does not draw. */
static const struct {
	int from, to;
	const char *why;
} detours[] = {
	{ TD_LISTEN, TD_SYN_RECV, "a child socket is cloned from the listener in SYN_RECV" },
	{ TD_CLOSE, TD_SYN_RECV, "a child socket cloned for an accepted SYN (kernel quirk)" },
	{ TD_SYN_RECV, TD_NEW_SYN_RECV, "request socket (NEW_SYN_RECV) bookkeeping" },
	{ TD_NEW_SYN_RECV, TD_SYN_RECV, "request socket (NEW_SYN_RECV) bookkeeping" },
	{ TD_FIN_WAIT1, TD_CLOSE, "handed to a TIME_WAIT minisocket" },
	{ TD_FIN_WAIT2, TD_CLOSE, "handed to a TIME_WAIT minisocket" },
	{ TD_CLOSING, TD_CLOSE, "handed to a TIME_WAIT minisocket" },
	{ TD_LISTEN, TD_CLOSE, "listener closed" },
};

enum fsm_verdict { FSM_RFC, FSM_DETOUR, FSM_UNKNOWN };
static const char *const verdict_names[] = { "rfc", "detour", "unknown" };

static enum fsm_verdict classify(int from, int to)
{
	for (size_t i = 0; i < sizeof(detours) / sizeof(detours[0]); i++)
		if (detours[i].from == from && detours[i].to == to && !td_fsm_allows(from, to))
			return FSM_DETOUR;
	return td_fsm_allows(from, to) ? FSM_RFC : FSM_UNKNOWN;
}

/* Owners seen so far, by cookie: what the kernel recorded in the owner's
 * context, else one /proc walk per inode. Direct-mapped: a collision only
 * costs a second lookup. */
#define OWNER_SLOTS 4096
struct owner_slot {
	uint64_t cookie;
	uint32_t pid;	/* 0: not known */
	bool tried;	/* /proc walked for this socket */
	uint16_t lport; /* last local port seen */
	char comm[16];
};

/* Who each owner is beyond its pid (render/view.h: comm, user, unit,
 * container, pod, command line, as check, conns, who and states show it),
 * read from /proc once per pid and kept for the whole trace, so an event
 * costs one probe of this table and the text is rendered once per pid. A
 * pid whose /proc entry is gone when first seen (a short-lived client)
 * keeps the comm the kernel recorded and nothing more. Open addressing,
 * grown to IDENT_MAX pids; past that a pid is read into a scratch entry
 * (reads are rate-limited as owner walks are). */
#define IDENT_MAX 16384
#define IDENT_REREAD_NS 1000000000ull /* a pid's comm changed: read again, at most 1/s */
#define IDENT_CMD_MAX 60	      /* bytes of command line in text, as `who` cuts it */
#define IDENT_BURST_NS 50000000ll     /* reading credit kept at most: 50 ms */
struct ident {
	uint32_t pid;	  /* 0: empty slot */
	bool live;	  /* /proc/PID was there when read */
	uint64_t read_ns; /* CLOCK_MONOTONIC of the reading; 0: not read yet */
	char seen[16];	  /* the recorded comm it was read for */
	char name[64 * TD_ESC_MAX_PER_BYTE + 16]; /* comm[pid], escaped */
	char *rest; /* "user=... unit=... cmd=\"...\"", escaped; NULL when gone */
	size_t rest_len;
	char *json; /* the `process` object, rendered */
	size_t json_len;
	struct view_proc p;
};

struct idents {
	struct ident **v; /* cap slots, a power of two */
	size_t n, cap;
	bool own_pidns; /* pids are the initial namespace's: ours only there */
	/* Reading time allowed: a tenth of the time passing, up to a burst
	 * (a quiet trace reads every new pid at once; a fork-per-connection
	 * storm does not stall the reader). */
	int64_t credit_ns;
	uint64_t credit_at_ns; /* CLOCK_MONOTONIC of the last refill */
	struct ident scratch;
};

#define TOP 10
#define KEY_NOSOCK UINT64_MAX /* reset talkers: the kernel, for no socket */
struct count_row {
	uint64_t key; /* (old << 8 | new), pid, or port */
	char comm[16];
	uint64_t n;
};

struct table {
	struct count_row *rows;
	size_t n, cap;
	uint64_t dropped; /* events with no row: no memory, or the kernel's table full */
};

/* --all-netns: the namespaces by inode, discovered again (at most once
 * a second) when an event comes from one not seen at the last discovery. */
struct ns_names {
	struct td_nslist list;
	bool have;
	uint64_t next_ns; /* no discovery before this CLOCK_MONOTONIC time */
	int width;	  /* of the NETNS column */
};

struct tracer {
	const struct td_ctx *ctx;
	bool lifetimes, summary, all_netns;
	bool quiet; /* --summary counted here (--netns-filter): no event printed */
	struct ns_names ns;
	struct owner_slot *owners;
	struct idents ids;
	int64_t mono_to_real_ns;
	uint64_t events, transitions, unknown, retrans, resets_in, resets_out, lifetimes_n;
	uint64_t next_walk_ns; /* no owner walk before this CLOCK_MONOTONIC time */
	uint64_t deadline_ms;  /* --for: CLOCK_MONOTONIC end, 0: none */
	struct table by_pair, by_proc, by_port, rst_talkers, retrans_talkers;
	struct td_tr_reasons reasons; /* enum sk_rst_reason, the running kernel's */
	struct td_json j;
};

/* A reset's reason by name; a value this kernel's BTF (or the builtin
 * table) has no name for is said as unknown, with its number. */
static const char *reason_str(const struct tracer *tr, uint32_t v, char *buf, size_t len)
{
	const char *name = td_tr_reason_name(&tr->reasons, v);

	if (name)
		return name;
	snprintf(buf, len, "UNKNOWN_%u", v);
	return buf;
}

static volatile sig_atomic_t stop_flag; /* an int: the owner walk reads it too */

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
	/* A reader that stopped reading must not hold the exit: from here
	 * on what stdout cannot take at once is dropped. */
	cmd_stdout_unblock();
}

static void table_add(struct table *t, uint64_t key, const char *comm)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->rows[i].key == key) {
			t->rows[i].n++;
			return;
		}
	}
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 32;
		struct count_row *r = realloc(t->rows, ncap * sizeof(*r));

		if (!r) {
			t->dropped++; /* counted, shown; the trace goes on */
			return;
		}
		t->rows = r;
		t->cap = ncap;
	}
	t->rows[t->n].key = key;
	t->rows[t->n].n = 1;
	snprintf(t->rows[t->n].comm, sizeof(t->rows[t->n].comm), "%s", comm ? comm : "");
	t->n++;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* An owner walk costs milliseconds (/proc: ~3 us per fd; as root the BPF
 * walk loads a program: ~20 ms), while a busy server accepts thousands of
 * sockets a second, each one a walk. So walks get at most a tenth of the
 * time: after one that took T, none for 9 T. A socket skipped now is tried
 * again at its next event; until then its owner is `?`, as for any socket
 * the kernel side could not attribute. */
#define OWNER_WALK_SHARE 10

/* The owner of the event's socket: kernel record, cache, or /proc. */
static const struct owner_slot *owner_of(struct tracer *tr, const struct td_tr_event *e)
{
	static struct owner_slot none; /* a reset with no socket has no owner */
	struct owner_slot *s = &tr->owners[e->cookie % OWNER_SLOTS];
	uint64_t t0;

	if (e->flags & TD_TR_F_NOSOCK) {
		memset(&none, 0, sizeof(none));
		return &none;
	}
	if (s->cookie != e->cookie) {
		memset(s, 0, sizeof(*s));
		s->cookie = e->cookie;
	}
	if (e->pid) {
		s->pid = e->pid;
		memcpy(s->comm, e->comm, sizeof(s->comm));
		s->comm[sizeof(s->comm) - 1] = '\0';
	} else if (!s->pid && !s->tried && e->inode && (t0 = mono_ns()) >= tr->next_walk_ns) {
		struct td_owners *o = td_owners_new();
		const struct td_owner *ow;

		s->tried = true;
		if (o && td_owners_want(o, e->inode) == 0 &&
		    td_owners_resolve(o, NULL, false, NULL, 0, NULL) == 0 &&
		    (ow = td_owners_get(o, e->inode))) {
			s->pid = (uint32_t)ow->pid;
			snprintf(s->comm, sizeof(s->comm), "%s", ow->comm);
		}
		td_owners_free(o);
		tr->next_walk_ns = t0 + (mono_ns() - t0) * OWNER_WALK_SHARE;
	}
	return s;
}

static struct ident **ident_find(struct idents *t, uint32_t pid)
{
	size_t i = (size_t)(pid * 2654435761u) & (t->cap - 1);

	while (t->v[i] && t->v[i]->pid != pid)
		i = (i + 1) & (t->cap - 1);
	return &t->v[i];
}

static bool ident_grow(struct idents *t)
{
	size_t ocap = t->cap, ncap = ocap ? ocap * 2 : 1024;
	struct ident **old = t->v, **nv = calloc(ncap, sizeof(*nv));

	if (!nv)
		return false;
	t->v = nv;
	t->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i])
			*ident_find(t, old[i]->pid) = old[i];
	free(old);
	return true;
}

/* pid's entry: kept, new (not read yet), or the scratch one. */
static struct ident *ident_slot(struct idents *t, uint32_t pid)
{
	struct ident **slot = t->cap ? ident_find(t, pid) : NULL;

	if (slot && *slot)
		return *slot;
	if (t->n < IDENT_MAX && ((t->n + 1) * 2 <= t->cap || ident_grow(t))) {
		slot = ident_find(t, pid);
		*slot = calloc(1, sizeof(**slot));
		if (*slot) {
			(*slot)->pid = pid;
			t->n++;
			return *slot;
		}
	}
	if (t->scratch.pid != pid) {
		free(t->scratch.rest);
		free(t->scratch.json);
		memset(&t->scratch, 0, sizeof(t->scratch));
		t->scratch.pid = pid;
	}
	return &t->scratch;
}

/* The owner as JSON: {pid, comm, user, cmdline, unit, container, pod}, the
 * `process` object of check's findings; who it was beyond comm is null
 * when its /proc entry was gone. */
static void json_process_obj(struct td_json *j, const char *key, const struct ident *id)
{
	td_json_begin_object(j, key);
	td_json_uint(j, "pid", id->pid);
	td_json_str(j, "comm", id->p.comm);
	if (id->live) {
		view_json_proc_fields(j, &id->p);
	} else {
		td_json_null(j, "user");
		td_json_null(j, "cmdline");
		td_json_null(j, "unit");
		td_json_null(j, "container");
		td_json_null(j, "pod");
	}
	td_json_end_object(j);
}

static void json_process(struct td_json *j, const struct ident *id)
{
	if (!id)
		td_json_null(j, "process");
	else if (id->json)
		td_json_raw(j, "process", id->json, id->json_len);
	else
		json_process_obj(j, "process", id);
}

/* The text once per reading: comm[pid], then the rest as every view has
 * it (render/view.h), escaped. */
static void ident_render(struct ident *d)
{
	char esc[sizeof(d->p.comm) * TD_ESC_MAX_PER_BYTE], rest[4096];
	struct td_json j;
	FILE *fp;

	snprintf(d->name, sizeof(d->name), "%s[%u]", td_esc(d->p.comm, esc, sizeof(esc)), d->pid);
	free(d->rest);
	d->rest = d->live ? strdup(view_proc_str(&d->p, VIEW_PROC_USER, IDENT_CMD_MAX, rest,
						 sizeof(rest)))
			  : NULL;
	d->rest_len = d->rest ? strlen(d->rest) : 0;
	/* and the JSON object: a line per event repeats it */
	free(d->json);
	d->json = NULL;
	fp = open_memstream(&d->json, &d->json_len);
	if (fp) {
		td_json_init(&j, fp, false);
		json_process_obj(&j, NULL, d);
		if (fclose(fp) != 0) {
			free(d->json);
			d->json = NULL; /* written field by field instead */
		}
	}
}

/* Only what the kernel recorded: the pid and its comm. */
static void ident_recorded(struct ident *d, const char *comm)
{
	memset(&d->p, 0, sizeof(d->p));
	d->p.pid = (int)d->pid;
	d->p.uid = -1;
	snprintf(d->p.comm, sizeof(d->p.comm), "%s", comm[0] ? comm : "?");
	d->live = false;
	snprintf(d->seen, sizeof(d->seen), "%s", comm);
	ident_render(d);
}

/* Whether a thread of pid is named comm: the kernel records the name of
 * the thread that made the call, /proc/PID/comm is the leader's. Neither
 * the process nor any thread of it by that name: the pid was reused since
 * (or the thread is gone). At most 4096 threads looked at. */
static bool has_thread_named(uint32_t pid, const char *comm)
{
	char path[64], buf[32];
	struct dirent *de;
	DIR *d;
	int n = 0;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d)) && n++ < 4096) {
		int fd;
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%u/task/%.20s/comm", pid, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		found = !strncmp(buf, comm, 15);
	}
	closedir(d);
	return found || n > 4096;
}

/* Who pid is (comm: the one recorded with the owner). A pid is read once;
 * again when an event brings another comm than it was read for and than
 * /proc gave (the pid was reused, or the process renamed itself), at most
 * once a second (threads have names of their own). Reads take a tenth of
 * the time at most, as owner walks do, past a burst of IDENT_BURST_NS: a
 * pid not read yet shows what was recorded, and is read at a later event.
 * `force`: read now (the summary, at the end). */
static const struct ident *ident_of(struct tracer *tr, uint32_t pid, const char *comm, bool force)
{
	struct idents *t = &tr->ids;
	struct ident *d;
	uint64_t t0;

	if (!pid)
		return NULL;
	d = ident_slot(t, pid);
	if (d->read_ns && (!comm[0] || !strncmp(d->seen, comm, sizeof(d->seen))))
		return d; /* the per-event path: one probe, one compare */
	if (d->read_ns && !strncmp(d->p.comm, comm, sizeof(d->seen))) {
		memcpy(d->seen, d->p.comm, sizeof(d->seen));
		d->seen[sizeof(d->seen) - 1] = '\0';
		return d;
	}
	t0 = mono_ns();
	if (d->read_ns && t0 - d->read_ns < IDENT_REREAD_NS)
		return d;
	if (!t->credit_at_ns)
		t->credit_ns = IDENT_BURST_NS;
	else
		t->credit_ns += (int64_t)(t0 - t->credit_at_ns) / OWNER_WALK_SHARE;
	if (t->credit_ns > IDENT_BURST_NS)
		t->credit_ns = IDENT_BURST_NS;
	t->credit_at_ns = t0;
	if (!force && t->credit_ns <= 0) {
		if (!d->read_ns && (!d->name[0] || strncmp(d->seen, comm, sizeof(d->seen))))
			ident_recorded(d, comm);
		return d;
	}
	/* Pids are the initial PID namespace's: in another, /proc names other
	 * processes by them. */
	if (t->own_pidns && view_proc_read((int)pid, &d->p) &&
	    (!comm[0] || !strncmp(d->p.comm, comm, 15) || has_thread_named(pid, comm))) {
		d->live = true;
		snprintf(d->seen, sizeof(d->seen), "%s", comm);
		ident_render(d);
	} else {
		ident_recorded(d, comm);
	}
	d->read_ns = t0 ? t0 : 1;
	t->credit_ns -= (int64_t)(mono_ns() - t0);
	return d;
}

static void idents_free(struct idents *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		if (t->v[i]) {
			free(t->v[i]->rest);
			free(t->v[i]->json);
		}
		free(t->v[i]);
	}
	free(t->v);
	free(t->scratch.rest);
	free(t->scratch.json);
}

/* A line built by hand where a trace writes one per event: at 80,000
 * closes a second the reader spent half its time in snprintf (format
 * parsing, %.3f through the floating-point printer, localtime). */
struct lbuf {
	char *p, *end; /* end: the last byte, kept for the NUL */
};

static void lb_mem(struct lbuf *b, const char *s, size_t n)
{
	size_t room = (size_t)(b->end - b->p);

	if (n > room)
		n = room;
	memcpy(b->p, s, n);
	b->p += n;
}

static void lb_str(struct lbuf *b, const char *s)
{
	lb_mem(b, s, strlen(s));
}

/* s left-aligned in at least width bytes, as printf's %-*s. */
static void lb_pad(struct lbuf *b, const char *s, size_t width)
{
	size_t n = strlen(s);

	lb_mem(b, s, n);
	for (; n < width && b->p < b->end; n++)
		*b->p++ = ' ';
}

static void lb_u64(struct lbuf *b, uint64_t v)
{
	char d[20], *q = td_dec_back(d + sizeof(d), v);

	lb_mem(b, q, (size_t)(d + sizeof(d) - q));
}

/* printf's "%.3f" of ns / 1e6. By integers unless the value is a rounding
 * half (ns ending in 500), where the double's binary value decides: any
 * other value is at least 1e-6 ms from a half, far above the error of a
 * double below 2^52 ns. */
static void lb_ms3(struct lbuf *b, uint64_t ns)
{
	char t[48];
	uint64_t us;

	if (ns % 1000 == 500 || ns >= (1ULL << 52)) {
		snprintf(t, sizeof(t), "%.3f", (double)ns / 1e6);
		lb_str(b, t);
		return;
	}
	us = (ns + 500) / 1000;
	lb_u64(b, us / 1000);
	t[0] = '.';
	t[1] = (char)('0' + us / 100 % 10);
	t[2] = (char)('0' + us / 10 % 10);
	t[3] = (char)('0' + us % 10);
	lb_mem(b, t, 4);
}

/* What an event line starts with: "TIME OWNER(22) LOCAL -> REMOTE". */
static void lb_head(struct lbuf *b, const char *when, const char *who, const char *l, const char *r)
{
	lb_str(b, when);
	lb_mem(b, " ", 1);
	lb_pad(b, who, 22);
	lb_mem(b, " ", 1);
	lb_str(b, l);
	lb_mem(b, " -> ", 4);
	lb_str(b, r);
}

static void lb_end(struct lbuf *b)
{
	*b->p = 0;
}

/* HH:MM:SS.uuuuuu local time into buf (16 bytes); localtime_r once a
 * second (events come in time order per CPU, so the cached second is
 * nearly always the one). */
static void fmt_time(const struct tracer *tr, uint64_t mono_ns, char buf[16])
{
	static time_t cached = (time_t)-1;
	static char hms[16];
	int64_t real = (int64_t)mono_ns + tr->mono_to_real_ns;
	time_t sec = (time_t)(real / 1000000000);
	long us = (long)(real % 1000000000) / 1000;

	if (sec != cached) {
		struct tm tm;

		localtime_r(&sec, &tm);
		snprintf(hms, sizeof(hms), "%02d:%02d:%02d.", tm.tm_hour, tm.tm_min, tm.tm_sec);
		cached = sec;
	}
	memcpy(buf, hms, 9);
	for (int i = 14; i >= 9; i--, us /= 10)
		buf[i] = (char)('0' + us % 10);
	buf[15] = 0;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case TD_TR_STATE:
		return "state";
	case TD_TR_RETRANS:
		return "retransmit";
	case TD_TR_RECV_RST:
		return "reset_received";
	case TD_TR_SEND_RST:
		return "reset_sent";
	default:
		return "unknown";
	}
}

static const char *closer_name(int c)
{
	return c == TD_TR_CLOSER_LOCAL ? "local" : c == TD_TR_CLOSER_REMOTE ? "remote" : NULL;
}

static const struct td_ns *ns_find(const struct td_nslist *l, uint32_t inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return &l->v[i];
	return NULL;
}

/* The event's namespace as discovery names it; NULL when unknown (gone
 * before we looked, or created since and discovery is resting). */
static const struct td_ns *netns_of(struct tracer *tr, uint32_t inode)
{
	const struct td_ns *ns = tr->ns.have ? ns_find(&tr->ns.list, inode) : NULL;
	uint64_t now;

	if (ns || !inode || (now = mono_ns()) < tr->ns.next_ns)
		return ns;
	if (tr->ns.have)
		td_nsall_free(&tr->ns.list);
	tr->ns.have = td_nsall_discover(&tr->ns.list, getenv("TD_PROCDIR"), getenv("TD_ROOTDIR"),
					&(struct td_err){ 0 }) == 0;
	/* A walk of every fd costs seconds on a host with a million: as for
	 * owners, at most a tenth of the time, and not again within 1 s. */
	tr->ns.next_ns = mono_ns();
	tr->ns.next_ns += (tr->ns.next_ns - now) * OWNER_WALK_SHARE + 1000000000ull;
	return tr->ns.have ? ns_find(&tr->ns.list, inode) : NULL;
}

static const char *netns_name(struct tracer *tr, uint32_t inode, char *buf, size_t len)
{
	const struct td_ns *ns = netns_of(tr, inode);

	if (ns)
		return ns->name;
	if (!inode)
		return "?";
	snprintf(buf, len, "net:[%u]", inode);
	return buf;
}

/* --netns-filter: the glob is matched against what discovery knows of the
 * namespace; one it cannot name yet is matched by its net:[INODE] name. */
static bool netns_wanted(struct tracer *tr, uint32_t inode)
{
	const struct td_ns *ns;
	struct td_ns tmp;

	if (!tr->ctx->netns_filter)
		return true;
	ns = netns_of(tr, inode);
	if (ns)
		return td_nsall_match(ns, tr->ctx->netns_filter);
	memset(&tmp, 0, sizeof(tmp));
	snprintf(tmp.name, sizeof(tmp.name), "net:[%u]", inode);
	return td_nsall_match(&tmp, tr->ctx->netns_filter);
}

static void print_json(struct tracer *tr, const struct td_tr_event *e, const struct ident *id,
		       enum fsm_verdict v)
{
	struct td_json *j = &tr->j;
	char buf[64];
	int64_t real = (int64_t)e->ts_ns + tr->mono_to_real_ns;

	td_json_init(j, stdout, false);
	td_json_buffer(j);
	td_json_begin_object(j, NULL);
	td_json_str(j, "event",
		    tr->lifetimes && e->kind == TD_TR_STATE ? "lifetime" : kind_name(e->kind));
	td_json_ts(j, "ts", real);
	if (e->flags & TD_TR_F_NOSOCK)
		td_json_null(j, "cookie");
	else
		td_json_uint(j, "cookie", e->cookie);
	if (tr->all_netns) {
		const struct td_ns *ns = netns_of(tr, e->netns);

		if (ns) {
			view_json_netns(j, "netns", ns);
		} else {
			td_json_begin_object(j, "netns");
			td_json_uint(j, "inode", e->netns);
			td_json_str(j, "name", netns_name(tr, e->netns, buf, sizeof(buf)));
			td_json_end_object(j);
		}
	}
	if (id) {
		td_json_uint(j, "pid", id->pid);
		td_json_str(j, "comm", id->p.comm);
	} else {
		td_json_null(j, "pid");
		td_json_null(j, "comm");
	}
	json_process(j, id);
	td_json_str(j, "family", e->family == AF_INET6 ? "ipv6" : "ipv4");
	td_json_str(j, "laddr", td_addr_str(e->family, e->laddr, buf, sizeof(buf)));
	td_json_uint(j, "lport", e->lport);
	td_json_str(j, "raddr", td_addr_str(e->family, e->raddr, buf, sizeof(buf)));
	td_json_uint(j, "rport", e->rport);
	if (e->kind == TD_TR_STATE) {
		td_json_str(j, "old", td_state_name(e->old_state));
		td_json_str(j, "new", td_state_name(e->new_state));
		if (e->in_old_ns)
			td_json_fixed(j, "in_old_ms", (double)e->in_old_ns / 1e6, 3);
		else
			td_json_null(j, "in_old_ms");
		td_json_str(j, "fsm", verdict_names[v]);
		if (tr->lifetimes || e->new_state == TD_CLOSE) {
			td_json_fixed(j, "duration_ms", (double)e->life_ns / 1e6, 3);
			td_json_uint(j, "bytes_out", e->bytes_acked);
			td_json_uint(j, "bytes_in", e->bytes_received);
			td_json_str(j, "closer", closer_name(e->closer));
		}
	} else {
		if (e->flags & TD_TR_F_NOSOCK)
			td_json_null(j, "state");
		else
			td_json_str(j, "state", td_state_name(e->new_state));
		if (e->kind == TD_TR_SEND_RST) {
			td_json_bool(j, "socket", !(e->flags & TD_TR_F_NOSOCK));
			td_json_str(j, "reason", reason_str(tr, e->reason, buf, sizeof(buf)));
			td_json_uint(j, "reason_code", e->reason);
		}
	}
	td_json_end_object(j);
	td_json_end_line(j); /* the loop flushes once per batch */
}

/* An event line; on a width (render/wrap.h) a longer one goes on under
 * itself, indented, broken between words; piped, one line per event. */
static int out_width(void)
{
	static int width = -1;

	if (width < 0)
		width = td_out_width();
	return width;
}

/* A line of n bytes (line[n] its NUL) to stdout, wrapped to the terminal.
 * Piped, td_wrap would copy the line a word at a time (a printf per run of
 * blanks: a tenth of an event's cost with a command line in it) to the
 * same bytes: it is written whole. The lines built in an lbuf know n. */
static void put_line_n(const char *line, size_t n)
{
	if (out_width() <= 0 && line[0] != ' ' && !memchr(line, '\n', n)) {
		fwrite(line, 1, n, stdout);
		fputc('\n', stdout);
		return;
	}
	td_wrap(stdout, line, 0, 4, out_width());
}

static void put_line(const char *line)
{
	put_line_n(line, strlen(line));
}

static void print_text(struct tracer *tr, const struct td_tr_event *e, const struct ident *id,
		       enum fsm_verdict v)
{
	char when[32 + 320 * TD_ESC_MAX_PER_BYTE], l[80], r[80], dur[32];
	char line[sizeof(when) + sizeof(id->name) + 4096 + 512];
	/* comm[pid] in the owner column, the rest of who it is at the end */
	const char *who = id ? id->name : e->flags & TD_TR_F_NOSOCK ? "no socket" : "?";
	const char *rest = id && id->rest ? id->rest : "";
	size_t rest_len = id && id->rest ? id->rest_len : 0;
	const char *sp = rest[0] ? " " : "";
	bool c = tr->ctx->color;

	fmt_time(tr, e->ts_ns, when);
	if (tr->all_netns) {
		/* The NETNS column, after the time: as wide as the widest name
		 * shown so far (at least 5), so a steady trace lines up. */
		char raw[32], esc[320 * TD_ESC_MAX_PER_BYTE];
		int w;

		size_t at = strlen(when);

		td_esc(netns_name(tr, e->netns, raw, sizeof(raw)), esc, sizeof(esc));
		w = (int)strlen(esc);
		if (w > tr->ns.width)
			tr->ns.width = w > 40 ? 40 : w;
		snprintf(when + at, sizeof(when) - at, " %-*s", tr->ns.width, esc);
	}
	td_endpoint_str(e->family, e->laddr, e->lport, l, sizeof(l));
	td_endpoint_str(e->family, e->raddr, e->rport, r, sizeof(r));
	if (e->kind != TD_TR_STATE) {
		char why[TD_TR_REASON_LEN + 16] = "";

		if (e->kind == TD_TR_SEND_RST)
			snprintf(why, sizeof(why), " (%s)",
				 reason_str(tr, e->reason, dur, sizeof(dur)));
		snprintf(line, sizeof(line), "%s %-22s %s -> %s %s%s%s%s%s%s%s%s", when, who, l, r,
			 td_style_bold(c),
			 e->kind == TD_TR_RETRANS    ? "RETRANSMIT"
			 : e->kind == TD_TR_RECV_RST ? "RESET received"
						     : "RESET sent",
			 td_style_reset(c), e->flags & TD_TR_F_NOSOCK ? "" : " in ",
			 e->flags & TD_TR_F_NOSOCK ? "" : td_state_name(e->new_state), why, sp,
			 rest);
		put_line(line);
		return;
	}
	if (tr->lifetimes) {
		const char *cl = closer_name(e->closer);
		struct lbuf b = { line, line + sizeof(line) - 1 };

		lb_head(&b, when, who, l, r);
		lb_mem(&b, " lived ", 7);
		lb_ms3(&b, e->life_ns);
		lb_mem(&b, " ms, out ", 9);
		lb_u64(&b, e->bytes_acked);
		lb_mem(&b, " B, in ", 7);
		lb_u64(&b, e->bytes_received);
		lb_mem(&b, " B, closed first by ", 20);
		lb_str(&b, cl ? (e->closer == TD_TR_CLOSER_LOCAL ? "this end" : "the peer") : "?");
		lb_str(&b, sp);
		lb_mem(&b, rest, rest_len);
		lb_end(&b);
		put_line_n(line, (size_t)(b.p - line));
		return;
	}
	/* The transition line, appended by hand as the lifetimes line: the
	 * same bytes as "%s %-22s %s -> %s %s%s%s -> %s%s%s (in %s %s) cookie
	 * %llu%s%s%s" with "%.3f ms" (or "-") for the time in OLD. */
	{
		struct lbuf b = { line, line + sizeof(line) - 1 };

		lb_head(&b, when, who, l, r);
		lb_mem(&b, " ", 1);
		lb_str(&b, td_style_state(c, e->old_state));
		lb_str(&b, td_state_name(e->old_state));
		lb_str(&b, td_style_reset(c));
		lb_mem(&b, " -> ", 4);
		lb_str(&b, td_style_state(c, e->new_state));
		lb_str(&b, td_state_name(e->new_state));
		lb_str(&b, td_style_reset(c));
		lb_mem(&b, " (in ", 5);
		lb_str(&b, td_state_name(e->old_state));
		lb_mem(&b, " ", 1);
		if (e->in_old_ns) {
			lb_ms3(&b, e->in_old_ns);
			lb_mem(&b, " ms", 3);
		} else {
			lb_mem(&b, "-", 1);
		}
		lb_mem(&b, ") cookie ", 9);
		lb_u64(&b, e->cookie);
		if (v == FSM_UNKNOWN)
			lb_str(&b, "  [not in the RFC 9293 table]");
		lb_str(&b, sp);
		lb_mem(&b, rest, rest_len);
		lb_end(&b);
		put_line_n(line, (size_t)(b.p - line));
	}
}

static int on_event(const struct td_tr_event *ev, void *data)
{
	struct tracer *tr = data;
	struct owner_slot *ow = (struct owner_slot *)owner_of(tr, ev);
	struct td_tr_event copy = *ev, *e = &copy;
	enum fsm_verdict v = FSM_RFC;
	const struct ident *id;

	if (tr->all_netns && !netns_wanted(tr, ev->netns))
		return 0;
	id = ident_of(tr, ow->pid, ow->comm, false);
	/* The kernel releases the local port before it reports X -> CLOSE:
	 * show the one the socket had. */
	if (!e->lport)
		e->lport = ow->lport;
	else
		ow->lport = e->lport;

	tr->events++;
	switch (e->kind) {
	case TD_TR_STATE:
		v = classify(e->old_state, e->new_state);
		tr->transitions++;
		if (v == FSM_UNKNOWN)
			tr->unknown++;
		if (tr->lifetimes)
			tr->lifetimes_n++;
		if (tr->summary) {
			table_add(&tr->by_pair, (uint64_t)e->old_state << 8 | e->new_state, NULL);
			table_add(&tr->by_proc, ow->pid, ow->pid ? ow->comm : "?");
			/* As the kernel's summary groups (trace.h). */
			table_add(&tr->by_port,
				  td_tr_service_port(td_tr_flag_role(e->flags), e->lport, e->rport),
				  NULL);
		}
		break;
	case TD_TR_RETRANS:
		tr->retrans++;
		if (tr->summary)
			table_add(&tr->retrans_talkers, ow->pid, ow->pid ? ow->comm : "?");
		break;
	case TD_TR_RECV_RST:
	case TD_TR_SEND_RST:
		if (e->kind == TD_TR_RECV_RST)
			tr->resets_in++;
		else
			tr->resets_out++;
		if (tr->summary && (e->flags & TD_TR_F_NOSOCK))
			table_add(&tr->rst_talkers, KEY_NOSOCK, NULL);
		else if (tr->summary)
			table_add(&tr->rst_talkers, ow->pid, ow->pid ? ow->comm : "?");
		break;
	}
	if (!tr->quiet && tr->ctx->json)
		print_json(tr, e, id, v);
	else if (!tr->quiet)
		print_text(tr, e, id, v);
	/* While events come faster than we take them the ring never runs
	 * empty and ring_buffer__poll() never returns: a signal or --for is
	 * seen here (the clock every 256 events), and stops it. */
	if (stop_flag)
		return 1;
	if (tr->deadline_ms && !(tr->events & 255)) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000 >=
		    tr->deadline_ms)
			return 1;
	}
	return 0;
}

static void summary_rows_json(struct tracer *tr, const char *name, struct table *t, int kind)
{
	struct td_json *j = &tr->j;

	qsort(t->rows, t->n, sizeof(*t->rows), cmp_rows);
	td_json_begin_array(j, name);
	for (size_t i = 0; i < t->n && (kind == 0 || i < TOP); i++) {
		td_json_begin_object(j, NULL);
		if (kind == 0) {
			int from = (int)(t->rows[i].key >> 8), to = (int)(t->rows[i].key & 0xff);

			td_json_str(j, "old", td_state_name(from));
			td_json_str(j, "new", td_state_name(to));
			td_json_str(j, "fsm", verdict_names[classify(from, to)]);
		} else if (kind == 1) {
			uint64_t key = t->rows[i].key;
			const struct ident *id = key != KEY_NOSOCK ? ident_of(tr, (uint32_t)key,
									      t->rows[i].comm, true)
								   : NULL;

			if (id)
				td_json_uint(j, "pid", key);
			else
				td_json_null(j, "pid");
			td_json_str(j, "comm", id ? id->p.comm : NULL);
			json_process(j, id);
			if (key == KEY_NOSOCK)
				td_json_bool(j, "socket", false);
		} else {
			td_json_uint(j, "port", t->rows[i].key);
		}
		td_json_uint(j, "count", t->rows[i].n);
		td_json_end_object(j);
	}
	td_json_end_array(j);
}

static void summary_rows_text(struct tracer *tr, const char *title, struct table *t, int kind)
{
	if (!t->n)
		return;
	qsort(t->rows, t->n, sizeof(*t->rows), cmp_rows);
	printf("%s:\n", title);
	for (size_t i = 0; i < t->n && (kind == 0 || i < TOP); i++) {
		char key[sizeof(((struct ident *)0)->name) + 32];
		const struct ident *id = NULL;

		if (kind == 0) {
			int from = (int)(t->rows[i].key >> 8), to = (int)(t->rows[i].key & 0xff);
			enum fsm_verdict v = classify(from, to);

			snprintf(key, sizeof(key), "%s -> %s", td_state_name(from),
				 td_state_name(to));
			printf("  %-28s %8llu%s\n", key, (unsigned long long)t->rows[i].n,
			       v == FSM_RFC	 ? ""
			       : v == FSM_DETOUR ? "  (kernel detour)"
						 : "  [not in the RFC 9293 table]");
			continue;
		}
		if (kind == 1 && t->rows[i].key == KEY_NOSOCK)
			snprintf(key, sizeof(key), "no socket");
		else if (kind == 1 &&
			 (id = ident_of(tr, (uint32_t)t->rows[i].key, t->rows[i].comm, true)))
			snprintf(key, sizeof(key), "%s", id->name);
		else if (kind == 1)
			snprintf(key, sizeof(key), "?");
		else
			snprintf(key, sizeof(key), "%llu", (unsigned long long)t->rows[i].key);
		if (id && id->rest && id->rest[0]) {
			/* who it is after the count; on a width, under itself */
			char line[sizeof(key) + 4096 + 64];

			snprintf(line, sizeof(line), "%-28s %8llu %s", key,
				 (unsigned long long)t->rows[i].n, id->rest);
			fputs("  ", stdout);
			td_wrap(stdout, line, 2, 6, out_width());
			continue;
		}
		printf("  %-28s %8llu\n", key, (unsigned long long)t->rows[i].n);
	}
}

static void print_summary(struct tracer *tr, double seconds, uint64_t lost, uint64_t skipped)
{
	char line[320];
	if (tr->ctx->json) {
		struct td_json *j = &tr->j;

		td_json_init(j, stdout, false);
		td_json_begin_object(j, NULL);
		td_json_str(j, "event", "summary");
		td_json_fixed(j, "seconds", seconds, 3);
		td_json_uint(j, "events", tr->events);
		td_json_uint(j, "lost", lost);
		td_json_uint(j, "skipped", skipped);
		td_json_uint(j, "transitions", tr->transitions);
		td_json_uint(j, "not_in_fsm", tr->unknown);
		td_json_uint(j, "retransmits", tr->retrans);
		td_json_uint(j, "resets_received", tr->resets_in);
		td_json_uint(j, "resets_sent", tr->resets_out);
		summary_rows_json(tr, "by_transition", &tr->by_pair, 0);
		summary_rows_json(tr, "by_process", &tr->by_proc, 1);
		summary_rows_json(tr, "by_port", &tr->by_port, 2);
		summary_rows_json(tr, "reset_talkers", &tr->rst_talkers, 1);
		summary_rows_json(tr, "retransmit_talkers", &tr->retrans_talkers, 1);
		td_json_begin_object(j, "overflow");
		td_json_uint(j, "by_transition", tr->by_pair.dropped);
		td_json_uint(j, "by_process", tr->by_proc.dropped);
		td_json_uint(j, "by_port", tr->by_port.dropped);
		td_json_uint(j, "reset_talkers", tr->rst_talkers.dropped);
		td_json_uint(j, "retransmit_talkers", tr->retrans_talkers.dropped);
		td_json_end_object(j);
		td_json_end_object(j);
		td_json_finish(j);
		return;
	}
	snprintf(line, sizeof(line),
		 "%llu events in %.1f s: %llu transitions (%llu not in the RFC 9293 table), "
		 "%llu retransmits, %llu resets received, %llu sent; %llu events lost",
		 (unsigned long long)tr->events, seconds, (unsigned long long)tr->transitions,
		 (unsigned long long)tr->unknown, (unsigned long long)tr->retrans,
		 (unsigned long long)tr->resets_in, (unsigned long long)tr->resets_out,
		 (unsigned long long)lost);
	putchar('\n');
	put_line(line);
	if (skipped) {
		snprintf(line, sizeof(line),
			 "(%llu runs of the programs the kernel skipped, nested on a CPU, in any "
			 "namespace)",
			 (unsigned long long)skipped);
		put_line(line);
	}
	summary_rows_text(tr, "Transitions", &tr->by_pair, 0);
	summary_rows_text(tr, "By process", &tr->by_proc, 1);
	summary_rows_text(tr, "By port", &tr->by_port, 2);
	summary_rows_text(tr, "Resets by process", &tr->rst_talkers, 1);
	summary_rows_text(tr, "Retransmits by process", &tr->retrans_talkers, 1);
	if (tr->by_pair.dropped || tr->by_proc.dropped || tr->by_port.dropped ||
	    tr->rst_talkers.dropped || tr->retrans_talkers.dropped) {
		snprintf(line, sizeof(line),
			 "Not in the tables above (a table was full): %llu transitions, %llu by "
			 "process, %llu by port, %llu resets, %llu retransmits",
			 (unsigned long long)tr->by_pair.dropped,
			 (unsigned long long)tr->by_proc.dropped,
			 (unsigned long long)tr->by_port.dropped,
			 (unsigned long long)tr->rst_talkers.dropped,
			 (unsigned long long)tr->retrans_talkers.dropped);
		put_line(line);
	}
}

/* --summary: who the owners the kernel counted are, read while they live
 * (at the end many are gone); ident_of() reads each pid once, within its
 * share of the time. */
static void sum_owner_cb(uint32_t pid, const char *comm, void *ctx)
{
	ident_of(ctx, pid, comm, false);
}

/* The kernel's summary (--summary) into the tables and counts the
 * per-event path fills, so both print the same way. */
static void table_set(struct table *t, uint64_t key, const char *comm, uint64_t n)
{
	table_add(t, key, comm);
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].key == key)
			t->rows[i].n += n - 1;
}

static void load_kernel_summary(struct tracer *tr, const struct td_trace_sum *s)
{
	const struct td_tr_totals *k = &s->tot;

	tr->transitions = k->transitions;
	tr->retrans = k->retrans;
	tr->resets_in = k->resets_in;
	tr->resets_out = k->resets_out;
	tr->events = k->transitions + k->retrans + k->resets_in + k->resets_out;
	for (int from = 0; from < TD_TR_NSTATES; from++) {
		for (int to = 0; to < TD_TR_NSTATES; to++) {
			if (!k->pairs[from][to])
				continue;
			table_set(&tr->by_pair, (uint64_t)from << 8 | (uint64_t)to, NULL,
				  k->pairs[from][to]);
			if (classify(from, to) == FSM_UNKNOWN)
				tr->unknown += k->pairs[from][to];
		}
	}
	for (size_t i = 0; i < s->nrows; i++) {
		const struct td_trace_sum_row *r = &s->rows[i];
		uint64_t pid = r->key == TD_TR_PID_NOSOCK ? KEY_NOSOCK : r->key;
		const char *comm = r->key ? r->comm : "?";

		switch (r->table) {
		case TD_TR_SUM_BY_PROC:
			table_set(&tr->by_proc, pid, comm, r->n);
			break;
		case TD_TR_SUM_BY_PORT:
			table_set(&tr->by_port, r->key, NULL, r->n);
			break;
		case TD_TR_SUM_RST:
			table_set(&tr->rst_talkers, pid, comm, r->n);
			break;
		case TD_TR_SUM_RETRANS:
			table_set(&tr->retrans_talkers, pid, comm, r->n);
			break;
		}
	}
	tr->by_pair.dropped += k->odd_state;
	tr->by_proc.dropped += k->overflow[TD_TR_SUM_BY_PROC];
	tr->by_port.dropped += k->overflow[TD_TR_SUM_BY_PORT];
	tr->rst_talkers.dropped += k->overflow[TD_TR_SUM_RST];
	tr->retrans_talkers.dropped += k->overflow[TD_TR_SUM_RETRANS];
}

/* A duration (cmd_seconds: "30s", "2m", "500ms", "1h", plain seconds). */
static int parse_duration_ms(const char *text, uint64_t *ms)
{
	double sec;

	if (!cmd_seconds(text, &sec) || sec > 1e9)
		return -1;
	*ms = (uint64_t)(sec * 1000);
	return 0;
}

struct opts {
	bool lifetimes, retransmits, resets, transitions, summary, with_summary;
	uint64_t for_ms;
};

static int on_opt(int val, const char *arg, void *data)
{
	struct opts *o = data;

	switch (val) {
	case 'L':
		o->lifetimes = true;
		return 0;
	case 'R':
		o->retransmits = true;
		return 0;
	case 'X':
		o->resets = true;
		return 0;
	case 'T':
		o->transitions = true;
		return 0;
	case 'S':
		o->summary = true;
		return 0;
	case 'W':
		o->with_summary = true;
		return 0;
	case 'A':
		return 0; /* main takes --all-netns first: ctx->all_netns */
	case 'F':
		if (parse_duration_ms(arg, &o->for_ms) < 0 || !o->for_ms)
			return cmd_fail(TD_EXIT_USAGE,
					"--for '%s': expected a duration such as 30s, 2m, 500ms",
					arg);
		return 0;
	}
	return TD_EXIT_USAGE;
}

static void free_tables(struct tracer *tr)
{
	free(tr->by_pair.rows);
	free(tr->by_proc.rows);
	free(tr->by_port.rows);
	free(tr->rst_talkers.rows);
	free(tr->retrans_talkers.rows);
	free(tr->owners);
	idents_free(&tr->ids);
	if (tr->ns.have)
		td_nsall_free(&tr->ns.list);
}

int cmd_trace(int argc, char **argv, struct td_ctx *ctx)
{
	static const struct option own[] = {
		{ "lifetimes", no_argument, NULL, 'L' },
		{ "retransmits", no_argument, NULL, 'R' },
		{ "resets", no_argument, NULL, 'X' },
		{ "transitions", no_argument, NULL, 'T' },
		{ "summary", no_argument, NULL, 'S' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "for", required_argument, NULL, 'F' },
		{ "with-summary", no_argument, NULL, 'W' },
		{ 0 },
	};
	struct opts o = { 0 };
	struct td_trace_opts to = { 0 };
	struct tracer tr = { .ctx = ctx };
	struct td_trace *t = NULL;
	struct td_err err = { 0 };
	struct td_filter f;
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec mono, real;
	uint64_t start, deadline = 0, next_owners_ms = 0;
	struct stat st;
	bool tty_out = isatty(STDOUT_FILENO);
	int rc;

	td_filter_init(&f);
	rc = cmd_getopt(argc, argv, ctx, own, "", true, &f, help, on_opt, &o);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cmd_fail(TD_EXIT_USAGE, "trace: unexpected argument '%s' (see --help)",
				argv[optind]);
	if (f.nsport || f.ndport || f.nsrc || f.ndst || f.npid > 1 || f.expr.n)
		return cmd_fail(TD_EXIT_USAGE,
				"trace filters by --state, --port and one --pid (see --help)");
	to.transitions = o.transitions || o.lifetimes || (!o.retransmits && !o.resets);
	to.close_only = o.lifetimes && !o.transitions;
	to.retransmits = o.retransmits;
	to.resets = o.resets;
	to.states = f.states;
	to.pid = f.npid ? (uint32_t)f.pid[0] : 0;
	to.nports = f.nport;
	memcpy(to.ports, f.port, sizeof(to.ports));
	/* Tracepoints fire for every namespace: keep the one we are in (the
	 * caller's, or --netns's, entered by main). */
	if (!ctx->all_netns) {
		if (stat("/proc/self/ns/net", &st) < 0)
			return cmd_fail(TD_EXIT_FAILED, "/proc/self/ns/net: %s", strerror(errno));
		to.netns_ino = (uint32_t)st.st_ino;
	}
	if (o.summary && o.with_summary)
		return cmd_fail(TD_EXIT_USAGE, "trace: --summary or --with-summary, not both");
	tr.lifetimes = to.close_only;
	tr.all_netns = ctx->all_netns;
	tr.summary = o.summary || o.with_summary;
	/* Only the summary: counted in the kernel, but where a filter runs in
	 * user space (--netns-filter), here without printing the events. */
	tr.quiet = o.summary && ctx->all_netns && ctx->netns_filter;
	to.summary = o.summary && !tr.quiet;
	if (to.resets)
		td_tr_reasons_load(&tr.reasons);
	/* PROC_PID_INIT_INO (include/linux/proc_ns.h): the initial PID namespace */
	tr.ids.own_pidns = stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCu;
	tr.owners = calloc(OWNER_SLOTS, sizeof(*tr.owners));
	if (!tr.owners)
		return cmd_fail(TD_EXIT_FAILED, "out of memory");

	rc = td_trace_open(&t, &to, &err);
	if (rc < 0) {
		free_tables(&tr);
		return cmd_fail(TD_EXIT_FAILED, "%s", err.msg);
	}
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	tr.mono_to_real_ns =
		((int64_t)real.tv_sec - mono.tv_sec) * 1000000000 + (real.tv_nsec - mono.tv_nsec);
	start = (uint64_t)mono.tv_sec * 1000 + (uint64_t)mono.tv_nsec / 1000000;
	if (o.for_ms)
		deadline = start + o.for_ms;
	tr.deadline_ms = deadline;
	/* Piped, a write() per 64 KiB rather than per 4 KiB (the loop flushes
	 * once per batch anyway), as pcap does: a line carries the owner's
	 * command line. */
	if (!tty_out)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/* One thread writes stdout: no lock taken per stdio call (a JSON
	 * event is a dozen of them). */
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	cmd_stdout_guard();
	/* An owner walk under way when the signal comes ends at its next read. */
	td_bpf_owners_cancel_on(&stop_flag);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!ctx->json && !to.close_only && !o.summary && isatty(STDERR_FILENO))
		fprintf(stderr, "tracing TCP%s... Ctrl-C to stop\n",
			ctx->all_netns ? " in every namespace" : "");
	while (!stop_flag) {
		int timeout = 200;
		uint64_t now;

		clock_gettime(CLOCK_MONOTONIC, &mono);
		now = (uint64_t)mono.tv_sec * 1000 + (uint64_t)mono.tv_nsec / 1000000;
		if (deadline) {
			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)timeout)
				timeout = (int)(deadline - now);
		}
		rc = td_trace_poll(t, timeout, on_event, &tr, &err);
		if (to.summary && now >= next_owners_ms) {
			td_trace_sum_owners(t, sum_owner_cb, &tr);
			next_owners_ms = now + 200;
		}
		/* Once per batch, not per event: a write() per line is a system
		 * call per event at 100k+ events/s into a pipe or file. A batch is
		 * what the ring buffer held, so a reader still sees events as
		 * they come. */
		if (!tty_out)
			fflush(stdout);
		if (rc == -EINTR)
			continue;
		if (rc < 0) {
			td_trace_close(t);
			free_tables(&tr);
			return cmd_fail(TD_EXIT_FAILED, "%s", err.msg);
		}
	}
	/* Stop the programs and read what is still in the ring buffer. */
	td_trace_drain(t, on_event, &tr, &err);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	{
		uint64_t lost = td_trace_lost(t);
		double secs =
			((double)mono.tv_sec * 1000 + mono.tv_nsec / 1e6 - (double)start) / 1e3;

		if (to.summary) {
			struct td_trace_sum ks;

			rc = td_trace_summary(t, &ks, &err);
			if (rc < 0) {
				td_trace_close(t);
				free_tables(&tr);
				return cmd_fail(TD_EXIT_FAILED, "%s", err.msg);
			}
			load_kernel_summary(&tr, &ks);
			td_trace_sum_free(&ks);
		}
		if (tr.summary)
			print_summary(&tr, secs, lost, td_trace_skipped(t));
		else if (!ctx->json)
			printf("%llu events, %llu events lost\n", (unsigned long long)tr.events,
			       (unsigned long long)lost);
		else
			fprintf(stderr, "tcpdoctor: %llu events, %llu events lost\n",
				(unsigned long long)tr.events, (unsigned long long)lost);
		if (cmd_stdout_release())
			fprintf(stderr,
				"tcpdoctor: stdout was not being read: the rest of the output "
				"was dropped; %llu events, %llu events lost\n",
				(unsigned long long)tr.events, (unsigned long long)lost);
	}
	td_trace_close(t);
	free_tables(&tr);
	return TD_EXIT_OK;
}

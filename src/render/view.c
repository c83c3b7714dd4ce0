/* Shared output pieces; see view.h. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockets/agg.h"
#include "sockets/ident.h"
#include "sockets/nsall.h"
#include "state.h"
#include "render/escape.h"
#include "render/style.h"
#include "render/view.h"
#include "render/wrap.h"

void view_json_begin(struct td_json *j, const char *command, const char *netns, const char *source)
{
	td_json_init(j, stdout, isatty(STDOUT_FILENO));
	td_json_begin_object(j, NULL);
	td_json_str(j, "command", command);
	if (source)
		td_json_str(j, "source", source);
	td_json_str(j, "netns", netns);
}

void view_json_netns(struct td_json *j, const char *key, const struct td_ns *ns)
{
	td_json_begin_object(j, key);
	td_json_uint(j, "inode", ns->inode);
	td_json_str(j, "name", ns->name);
	td_json_str(j, "kind", td_ns_kind_name(ns->kind));
	td_json_str(j, "container", ns->container[0] ? ns->container : NULL);
	td_json_str(j, "pod", ns->pod[0] ? ns->pod : NULL);
	td_json_str(j, "ip_netns", ns->ip_netns[0] ? ns->ip_netns : NULL);
	td_json_str(j, "unit", ns->unit[0] ? ns->unit : NULL);
	td_json_begin_array(j, "pids");
	for (size_t i = 0; i < ns->npids; i++)
		td_json_int(j, NULL, ns->pids[i]);
	td_json_end_array(j);
	/* Without a process in it, what keeps it: an nsfs fd or a socket. */
	if (!ns->npids && (ns->fd_pid || ns->sock_pid)) {
		td_json_begin_object(j, "held_by");
		td_json_int(j, "pid", ns->fd_pid ? ns->fd_pid : ns->sock_pid);
		td_json_int(j, "fd", ns->fd_pid ? ns->fd : ns->sock_fd);
		td_json_str(j, "file", ns->fd_pid ? "netns" : "socket");
		td_json_end_object(j);
	}
	td_json_end_object(j);
}

void view_json_begin_ns(struct td_json *j, const char *command, const struct td_ns *ns,
			const char *source)
{
	td_json_init(j, stdout, isatty(STDOUT_FILENO));
	td_json_begin_object(j, NULL);
	td_json_str(j, "command", command);
	if (source)
		td_json_str(j, "source", source);
	view_json_netns(j, "netns", ns);
}

void view_json_states64(struct td_json *j, const char *key, const uint64_t *counts, bool all_keys)
{
	td_json_begin_object(j, key);
	for (int st = 1; st <= TD_CLOSING; st++)
		if (all_keys || counts[st])
			td_json_uint(j, td_state_name(st), counts[st]);
	td_json_end_object(j);
}

void view_json_states32(struct td_json *j, const char *key, const uint32_t *counts, bool all_keys)
{
	uint64_t c[TD_STATE_MAX + 1];

	for (int st = 0; st <= TD_STATE_MAX; st++)
		c[st] = counts[st];
	view_json_states64(j, key, c, all_keys);
}

/* Who a process is, cached by pid: a listing of 200,000 sockets has a few
 * hundred owners, each read once. */
#define IDENT_CACHE 512

static struct view_proc ident_cache[IDENT_CACHE];

bool view_proc_read(int pid, struct view_proc *c)
{
	struct td_ident id;
	struct stat st;
	char path[64];

	memset(c, 0, sizeof(*c));
	c->pid = pid;
	view_comm(pid, c->comm, sizeof(c->comm));
	/* /proc/PID belongs to the process's effective uid. */
	snprintf(path, sizeof(path), "/proc/%d", pid);
	c->uid = stat(path, &st) == 0 ? (int64_t)st.st_uid : -1;
	if (c->uid < 0)
		return false;
	view_user_name((uint32_t)c->uid, c->user, sizeof(c->user));
	td_ident_cmdline(NULL, pid, c->cmdline, sizeof(c->cmdline));
	if (td_ident_read(NULL, pid, NULL, &id) == 0) {
		snprintf(c->unit, sizeof(c->unit), "%s", id.unit);
		if (id.runtime)
			td_ident_container(&id, c->container, sizeof(c->container));
		if (id.pod_uid[0])
			td_ident_pod(&id, c->pod, sizeof(c->pod));
	}
	return true;
}

const struct view_proc *view_proc_get(int pid)
{
	struct view_proc *c;

	if (pid <= 0)
		return NULL;
	c = &ident_cache[(unsigned)pid % IDENT_CACHE];
	if (c->pid == pid)
		return c;
	view_proc_read(pid, c);
	return c;
}

/* Escaped and cut at max display bytes with "...": never half an escape
 * or a UTF-8 sequence (td_esc output is ASCII but for valid UTF-8). */
static void esc_cut(const char *raw, int max, char *buf, size_t len)
{
	size_t k = 0;

	td_esc(raw, buf, len);
	if (max <= 3 || (int)strlen(buf) <= max)
		return;
	while (buf[k] && (int)k < max - 3) {
		size_t step = buf[k] == '\\' && buf[k + 1] == 'x' ? 4
			      : buf[k] == '^'			  ? 2
			      : (unsigned char)buf[k] >= 0x80
				      ? td_utf8_len((const unsigned char *)buf + k, strlen(buf + k))
				      : 1;

		if (!step || (int)(k + step) > max - 3)
			break;
		k += step;
	}
	snprintf(buf + k, len - k, "...");
}

const char *view_proc_str(const struct view_proc *p, unsigned what, int cmd_max, char *buf,
			  size_t len)
{
	char esc[sizeof(p->cmdline) * TD_ESC_MAX_PER_BYTE];
	size_t at = 0;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		int n_ = snprintf(buf + at, len - at, __VA_ARGS__);                                \
		at = n_ < 0 ? at : at + (size_t)n_ >= len ? len - 1 : at + (size_t)n_;             \
	} while (0)
	buf[0] = '\0';
	if (!p)
		return buf;
	if (what & VIEW_PROC_NAME)
		ADD("%s[%d]", td_esc(p->comm, esc, sizeof(esc)), p->pid);
	if ((what & VIEW_PROC_USER) && p->user[0])
		ADD("%suser=%s", at ? " " : "", td_esc(p->user, esc, sizeof(esc)));
	if (p->container[0])
		ADD("%scontainer=%s", at ? " " : "", td_esc(p->container, esc, sizeof(esc)));
	if (p->pod[0])
		ADD("%spod=%s", at ? " " : "", td_esc(p->pod, esc, sizeof(esc)));
	if (p->unit[0])
		ADD("%sunit=%s", at ? " " : "", td_esc(p->unit, esc, sizeof(esc)));
	if (p->cmdline[0]) {
		esc_cut(p->cmdline, cmd_max, esc, sizeof(esc));
		ADD("%scmd=\"%s\"", at ? " " : "", esc);
	}
#undef ADD
	return buf;
}

void view_json_proc_fields(struct td_json *j, const struct view_proc *p)
{
	if (!p)
		return;
	td_json_str(j, "user", p->user[0] ? p->user : NULL);
	td_json_str(j, "cmdline", p->cmdline);
	td_json_str(j, "unit", p->unit[0] ? p->unit : NULL);
	td_json_str(j, "container", p->container[0] ? p->container : NULL);
	td_json_str(j, "pod", p->pod[0] ? p->pod : NULL);
}

/* Keys only when known, so a host without containers pays nothing in
 * output. */
static void json_owner_container(struct td_json *j, int pid)
{
	const struct view_proc *p = view_proc_get(pid);

	if (!p || !p->container[0])
		return;
	td_json_str(j, "container", p->container);
	if (p->pod[0])
		td_json_str(j, "pod", p->pod);
}

static int shown_state(int state)
{
	return state == TD_NEW_SYN_RECV ? TD_SYN_RECV : state;
}

void view_json_sock(struct td_json *j, const struct td_sock *s, bool with_owners,
		    const struct td_owner *owners, bool with_info)
{
	char a[INET6_ADDRSTRLEN];

	td_json_begin_object(j, NULL);
	td_json_str(j, "family", s->family == AF_INET6 ? "ipv6" : "ipv4");
	td_json_str(j, "state", td_state_name(shown_state(s->state)));
	td_json_str(j, "laddr", td_addr_str(s->family, s->laddr, a, sizeof(a)));
	td_json_uint(j, "lport", s->lport);
	td_json_str(j, "raddr", td_addr_str(s->family, s->raddr, a, sizeof(a)));
	td_json_uint(j, "rport", s->rport);
	td_json_uint(j, "recv_q", s->rqueue);
	td_json_uint(j, "send_q", s->wqueue);
	if (s->flags & TD_SOCK_HAS_BACKLOG)
		td_json_uint(j, "backlog", s->wqueue);
	td_json_str(j, "timer", td_timer_name(s->timer));
	td_json_uint(j, "timer_ms", s->timer_ms);
	td_json_uint(j, "retrans", s->retrans);
	td_json_uint(j, "uid", s->uid);
	td_json_uint(j, "inode", s->inode);
	if (s->flags & TD_SOCK_HAS_COOKIE)
		td_json_uint(j, "cookie", s->cookie);
	if (with_owners) {
		td_json_begin_array(j, "owners");
		for (const struct td_owner *o = owners; o; o = o->next) {
			td_json_begin_object(j, NULL);
			td_json_int(j, "pid", o->pid);
			td_json_str(j, "comm", o->comm);
			td_json_uint(j, "uid", o->uid);
			td_json_int(j, "fd", o->fd);
			json_owner_container(j, o->pid);
			td_json_end_object(j);
		}
		td_json_end_array(j);
	}
	if (with_info && (s->flags & TD_SOCK_HAS_INFO)) {
		const struct td_tcpinfo *i = &s->info;

		td_json_begin_object(j, "info");
		td_json_uint(j, "rtt_us", i->rtt_us);
		td_json_uint(j, "rttvar_us", i->rttvar_us);
		td_json_uint(j, "min_rtt_us", i->min_rtt_us);
		td_json_uint(j, "rto_us", i->rto_us);
		td_json_uint(j, "mss", i->snd_mss);
		td_json_uint(j, "cwnd", i->snd_cwnd);
		td_json_uint(j, "ssthresh", i->snd_ssthresh);
		td_json_uint(j, "unacked", i->unacked);
		td_json_uint(j, "lost", i->lost);
		td_json_uint(j, "retrans", i->retrans);
		td_json_uint(j, "retrans_total", i->total_retrans);
		td_json_uint(j, "last_data_sent_ms", i->last_data_sent_ms);
		td_json_uint(j, "last_data_recv_ms", i->last_data_recv_ms);
		td_json_uint(j, "last_ack_recv_ms", i->last_ack_recv_ms);
		td_json_uint(j, "bytes_acked", i->bytes_acked);
		td_json_uint(j, "bytes_received", i->bytes_received);
		td_json_uint(j, "delivery_rate_bps", i->delivery_rate * 8);
		td_json_end_object(j);
	}
	td_json_end_object(j);
}

/* The sockets table fitted to the width (render/wrap.h), decided once:
 * with no limit (a pipe) every column at its full width; on a terminal
 * the addresses widen up to a whole IPv6 endpoint, and when the width is
 * short the optional columns go first (Timer, then Retr), then the
 * addresses are elided in the middle, then the process list is cut. */
struct sock_layout {
	int width; /* 0: no limit */
	int addr;  /* columns of Local and of Peer */
	bool timer, retr;
	int proc; /* columns left for Process, 0: no limit */
};

static const struct sock_layout *sock_layout(bool with_owners)
{
	static struct sock_layout l;
	static int done = -1;
	/* State, Recv-Q, Send-Q and their blanks */
	const int fixed = 12 + 7 + 7;

	if (done == (int)with_owners)
		return &l;
	done = with_owners;
	l = (struct sock_layout){
		.width = td_out_width(), .addr = 27, .timer = true, .retr = true
	};
	if (!l.width)
		return &l;
	for (;;) {
		int room = l.width - fixed - (l.timer ? 17 : 0) - (l.retr ? 5 : 0) -
			   (with_owners ? 13 : 0);

		l.addr = room / 2 - 1;
		if (l.addr >= 23 || (!l.timer && !l.retr))
			break;
		if (l.timer)
			l.timer = false;
		else
			l.retr = false;
	}
	if (l.addr > 47)
		l.addr = 47;
	if (l.addr < 9)
		l.addr = 9;
	l.proc = l.width - fixed - 2 * (l.addr + 1) - (l.timer ? 17 : 0) - (l.retr ? 5 : 0) - 1;
	if (l.proc < 1)
		l.proc = 1;
	return &l;
}

void view_sock_header(FILE *fp, bool color, bool with_owners)
{
	const struct sock_layout *l = sock_layout(with_owners);

	/* the note on stderr: stdout stays one table (--all-netns adds a
	 * column to each of its lines) */
	if (!l->timer || !l->retr)
		fprintf(stderr, "(%s left out to fit %d columns: a wider terminal, or --json)\n",
			!l->timer && !l->retr ? "Timer and Retr" : "Timer", l->width);
	fprintf(fp, "%s%-11s %6s %6s %-*s %-*s", td_style_bold(color), "State", "Recv-Q", "Send-Q",
		l->addr, "Local", l->addr, "Peer");
	if (l->timer)
		fprintf(fp, " %-16s", "Timer");
	if (l->retr)
		fprintf(fp, " %4s", "Retr");
	fprintf(fp, "%s%s\n", with_owners ? " Process" : "", td_style_reset(color));
}

/* Local and peer as text (both buffers len bytes); a listener's peer is
 * the wildcard, as ss prints it. */
static void sock_ends(const struct td_sock *s, int st, char *l, char *r, size_t len)
{
	td_endpoint_str(s->family, s->laddr, s->lport, l, len);
	if (st == TD_LISTEN)
		snprintf(r, len, "%s", s->family == AF_INET6 ? "[::]:*" : "0.0.0.0:*");
	else
		td_endpoint_str(s->family, s->raddr, s->rport, r, len);
}

void view_sock_line(FILE *fp, bool color, const struct td_sock *s, bool with_owners,
		    const struct td_owner *owners, bool with_info)
{
	const struct sock_layout *l = sock_layout(with_owners);
	char lb[64], rb[64], le[80], re[80], t[48], d[24];
	int st = shown_state(s->state);

	sock_ends(s, st, lb, rb, sizeof(lb));
	if (s->timer)
		snprintf(t, sizeof(t), "%s(%s)", td_timer_name(s->timer),
			 td_fmt_duration_ms(s->timer_ms, d, sizeof(d)));
	else
		snprintf(t, sizeof(t), "off");
	fprintf(fp, "%s%-11s%s %6u %6u ", td_style_state(color, st),
		st == TD_CLOSE ? "CLOSE" : td_state_name(st), td_style_reset(color), s->rqueue,
		s->wqueue);
	if (l->width) {
		td_elide(lb, l->addr, le, sizeof(le));
		td_elide(rb, l->addr, re, sizeof(re));
	} else {
		snprintf(le, sizeof(le), "%s", lb);
		snprintf(re, sizeof(re), "%s", rb);
	}
	/* the ellipsis is 3 bytes and one column */
	fprintf(fp, "%-*s %-*s", l->addr + (int)(strlen(le) - (size_t)td_text_cols(le, strlen(le))),
		le, l->addr + (int)(strlen(re) - (size_t)td_text_cols(re, strlen(re))), re);
	if (l->timer)
		fprintf(fp, " %-16s", t);
	if (l->retr)
		fprintf(fp, " %4u", s->retrans);
	if (with_owners) {
		char procs[512], esc[16 * TD_ESC_MAX_PER_BYTE], cut[520];

		/* without the fds when the full list does not fit */
		for (int with_fd = 1; with_fd >= 0; with_fd--) {
			size_t n = 0;

			snprintf(procs, sizeof(procs), "%s", owners ? "" : "-");
			for (const struct td_owner *o = owners; o && n < sizeof(procs);
			     o = o->next) {
				int k = with_fd ? snprintf(procs + n, sizeof(procs) - n,
							   "%s(%d,fd=%d)%s",
							   td_esc(o->comm, esc, sizeof(esc)),
							   (int)o->pid, o->fd, o->next ? "," : "")
						: snprintf(procs + n, sizeof(procs) - n, "%s(%d)%s",
							   td_esc(o->comm, esc, sizeof(esc)),
							   (int)o->pid, o->next ? "," : "");

				if (k < 0)
					break;
				n += (size_t)k;
			}
			if (!l->width || td_text_cols(procs, strlen(procs)) <= l->proc)
				break;
		}
		fputc(' ', fp);
		fputs(l->width ? td_fit_end(procs, l->proc, cut, sizeof(cut)) : procs, fp);
		/* Who the (first) owner is, beyond comm; on a width the process
		 * column is all there is room for. */
		if (owners && !l->width) {
			char who[2048];

			view_proc_str(view_proc_get(owners->pid), VIEW_PROC_USER, 48, who,
				      sizeof(who));
			if (who[0])
				fprintf(fp, " %s", who);
		}
	}
	fputc('\n', fp);
	/* A listener's tcp_info is all zeros but for rto: not worth a line. */
	if (with_info && (s->flags & TD_SOCK_HAS_INFO) && st != TD_LISTEN) {
		const struct td_tcpinfo *i = &s->info;
		char a[24], b[24], c[24], rate[24], ssth[16];

		/* TCP_INFINITE_SSTHRESH until the first loss. */
		if (i->snd_ssthresh >= 0x7fffffff)
			snprintf(ssth, sizeof(ssth), "inf");
		else
			snprintf(ssth, sizeof(ssth), "%u", i->snd_ssthresh);

		char line[320];

		snprintf(line, sizeof(line),
			 "rtt %.3f/%.3fms cwnd %u ssthresh %s unacked %u lost %u retrans %u/%u"
			 " last-sent %s last-recv %s last-ack %s rate %s",
			 i->rtt_us / 1000.0, i->rttvar_us / 1000.0, i->snd_cwnd, ssth, i->unacked,
			 i->lost, i->retrans, i->total_retrans,
			 td_fmt_duration_ms(i->last_data_sent_ms, a, sizeof(a)),
			 td_fmt_duration_ms(i->last_data_recv_ms, b, sizeof(b)),
			 td_fmt_duration_ms(i->last_ack_recv_ms, c, sizeof(c)),
			 td_fmt_rate(i->delivery_rate, rate, sizeof(rate)));
		/* a tab as ss has it when piped; wrapped under itself on a width */
		fprintf(fp, "%s%s", td_style_dim(color), l->width ? "        " : "\t");
		td_wrapn(fp, line, strlen(line), 8, 8, l->width);
		fprintf(fp, "%s\n", td_style_reset(color));
	}
}

const char *view_user_name(uint32_t uid, char *buf, size_t len)
{
	static uint32_t last_uid = UINT32_MAX;
	static char last_name[64];
	struct passwd *pw;

	if (uid != last_uid) {
		pw = getpwuid(uid);
		if (pw)
			snprintf(last_name, sizeof(last_name), "%s", pw->pw_name);
		else
			snprintf(last_name, sizeof(last_name), "%u", uid);
		last_uid = uid;
	}
	snprintf(buf, len, "%s", last_name);
	return buf;
}

const char *view_comm(int pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

void view_hidden_note(size_t hidden)
{
	if (!hidden)
		return;
	if (geteuid() == 0)
		fprintf(stderr,
			"tcpdoctor: owners of %zu sockets not visible: held by processes outside "
			"this PID namespace\n",
			hidden);
	else
		fprintf(stderr, "tcpdoctor: owners of %zu sockets hidden: run as root\n", hidden);
}

/* who's table: the addresses share what the fixed columns leave of the
 * width, elided in the middle when they do not fit. */
static int owner_addr_cols(void)
{
	static int cols = -1;

	if (cols < 0) {
		int w = td_out_width();

		cols = w ? (w - 52) / 2 : 0;
		if (w && cols < 9)
			cols = 9;
	}
	return cols;
}

void view_owner_header(FILE *fp, bool color)
{
	int a = owner_addr_cols();

	/* on a width the WHO column (who the process is) is left out */
	fprintf(fp, "%s%-15s %7s %-9s %4s %-11s %-*s %-*s%s%s\n", td_style_bold(color), "COMMAND",
		"PID", "USER", "FD", "STATE", a ? a : 27, "LOCAL", a ? 0 : 27, "PEER",
		a ? "" : " WHO", td_style_reset(color));
}

void view_owner_line(FILE *fp, bool color, const struct td_sock *s, const struct td_owner *o)
{
	char user[64], l[64], r[64], le[80], re[80], comm[16 * TD_ESC_MAX_PER_BYTE];
	int st = shown_state(s->state), a = owner_addr_cols();

	sock_ends(s, st, l, r, sizeof(l));
	if (o)
		fprintf(fp, "%-15s %7d %-9s %4d ", td_esc(o->comm, comm, sizeof(comm)), (int)o->pid,
			view_user_name(o->uid, user, sizeof(user)), o->fd);
	else
		fprintf(fp, "%-15s %7s %-9s %4s ", "-", "-",
			s->inode ? view_user_name(s->uid, user, sizeof(user)) : "-", "-");
	if (a) {
		td_elide(l, a, le, sizeof(le));
		td_elide(r, a, re, sizeof(re));
		fprintf(fp, "%s%-11s%s %-*s %s\n", td_style_state(color, st), td_state_name(st),
			td_style_reset(color),
			a + (int)(strlen(le) - (size_t)td_text_cols(le, strlen(le))), le, re);
		return;
	}
	fprintf(fp, "%s%-11s%s %-27s %-27s", td_style_state(color, st), td_state_name(st),
		td_style_reset(color), l, r);
	if (o) {
		char who[2048];

		/* COMMAND, PID and USER are columns already: the rest. */
		view_proc_str(view_proc_get(o->pid), 0, 60, who, sizeof(who));
		if (who[0])
			fprintf(fp, " %s", who);
	}
	fputc('\n', fp);
}

/* ---- state counts and groups (`states`, `lab`) ------------------------------------ */

void view_state_table(FILE *fp, bool c, const struct view_state_counts *k)
{
	fprintf(fp, "%s%-12s %9s %9s %9s%s\n", td_style_bold(c), "STATE", "TOTAL", "IPv4", "IPv6",
		td_style_reset(c));
	for (size_t i = 0; i < sizeof(td_state_order) / sizeof(td_state_order[0]); i++) {
		int st = td_state_order[i];

		if (!k->all[st])
			continue;
		fprintf(fp, "%s%-12s%s %9llu %9llu %9llu\n", td_style_state(c, st),
			td_state_name(st), td_style_reset(c), (unsigned long long)k->all[st],
			(unsigned long long)k->v4[st], (unsigned long long)k->v6[st]);
	}
	fprintf(fp, "%s%-12s %9llu %9llu %9llu%s\n", td_style_bold(c), "TOTAL",
		(unsigned long long)k->total, (unsigned long long)k->total4,
		(unsigned long long)k->total6, td_style_reset(c));
}

const char *view_group_label(const struct td_agg *a, const struct td_group *g, bool escape,
			     char *buf, size_t len)
{
	char c[64], e[64 * TD_ESC_MAX_PER_BYTE];

	switch (a->by) {
	case TD_BY_LPORT:
	case TD_BY_RPORT:
		snprintf(buf, len, "%u", g->port);
		break;
	case TD_BY_LADDR:
	case TD_BY_PEER:
		td_addr_str(g->family, g->addr, buf, len);
		break;
	case TD_BY_PROCESS:
		if (!g->id) {
			snprintf(buf, len, "-");
		} else {
			view_comm((int)g->id, c, sizeof(c));
			snprintf(buf, len, "%s[%u]", escape ? td_esc(c, e, sizeof(e)) : c, g->id);
		}
		break;
	case TD_BY_USER:
		if (g->id == TD_AGG_NO_USER) {
			snprintf(buf, len, "-");
			break;
		}
		view_user_name(g->id, buf, len);
		if (escape) {
			snprintf(c, sizeof(c), "%s", buf);
			td_esc(c, buf, len);
		}
		break;
	default:
		snprintf(buf, len, "?");
	}
	return buf;
}

/* A state column of the group table: 12 wide piped, as its name on a width. */
static int colw(int st, int width)
{
	int n = (int)strlen(td_state_name(st));

	return !width ? 12 : n < 6 ? 6 : n;
}

void view_group_table(FILE *fp, bool c, const struct td_agg *a, const struct td_group **v, size_t n,
		      size_t shown)
{
	static const char *const heads[] = {
		[TD_BY_LPORT] = "LPORT", [TD_BY_RPORT] = "RPORT",     [TD_BY_LADDR] = "LADDR",
		[TD_BY_PEER] = "PEER",	 [TD_BY_PROCESS] = "PROCESS", [TD_BY_USER] = "USER",
	};
	int cols[11], ncols = 0, keyw = 8, width = td_out_width();
	uint32_t other[TD_STATE_MAX + 1] = { 0 };
	uint64_t other_total = 0;
	char buf[128];

	for (size_t k = 0; k < 11; k++)
		if (a->counts[td_state_order[k]])
			cols[ncols++] = td_state_order[k];
	for (size_t i = 0; i < shown; i++) {
		int w = (int)strlen(view_group_label(a, v[i], true, buf, sizeof(buf)));

		if (w > keyw)
			keyw = w;
	}
	if (keyw > 40)
		keyw = 40;
	if (width) {
		/* On a width (render/wrap.h): state columns as wide as their
		 * names, the key elided down to 16, then the states with the
		 * fewest sockets left out (TOTAL still counts them). */
		int used, dropped = 0;
		char note[160] = "";

		for (;;) {
			used = 10;
			for (int k = 0; k < ncols; k++)
				used += 1 + colw(cols[k], width);
			if (keyw + used <= width || (keyw <= 16 && ncols <= 1))
				break;
			if (keyw > 16) {
				keyw = width - used > 16 ? width - used : 16;
				continue;
			}
			int least = 0;

			for (int k = 1; k < ncols; k++)
				if (a->counts[cols[k]] < a->counts[cols[least]])
					least = k;
			snprintf(note + strlen(note), sizeof(note) - strlen(note), "%s%s",
				 dropped++ ? " " : "", td_state_name(cols[least]));
			memmove(&cols[least], &cols[least + 1],
				sizeof(cols[0]) * (size_t)(ncols - least - 1));
			ncols--;
		}
		if (dropped)
			fprintf(stderr, "(left out to fit %d columns: %s; TOTAL counts them)\n",
				width, note);
	}
	fprintf(fp, "%s%-*s %9s", td_style_bold(c), keyw, heads[a->by], "TOTAL");
	for (int k = 0; k < ncols; k++)
		fprintf(fp, " %*s", colw(cols[k], width), td_state_name(cols[k]));
	fprintf(fp, "%s\n", td_style_reset(c));
	for (size_t i = 0; i < n; i++) {
		if (i >= shown) {
			other_total += v[i]->total;
			for (int st = 0; st <= TD_STATE_MAX; st++)
				other[st] += v[i]->counts[st];
			continue;
		}
		const char *key = view_group_label(a, v[i], true, buf, sizeof(buf));
		char el[160];

		if ((int)strlen(key) > keyw)
			key = td_elide(key, keyw, el, sizeof(el));
		fprintf(fp, "%-*s %9llu",
			keyw + (int)(strlen(key) - (size_t)td_text_cols(key, strlen(key))), key,
			(unsigned long long)v[i]->total);
		for (int k = 0; k < ncols; k++)
			fprintf(fp, " %*u", colw(cols[k], width), v[i]->counts[cols[k]]);
		/* on a width the columns are all there is room for */
		if (a->by == TD_BY_PROCESS && v[i]->id && !width) {
			char who[2048];

			/* The label is comm[pid]: who it is after the counts. */
			view_proc_str(view_proc_get((int)v[i]->id), VIEW_PROC_USER, 60, who,
				      sizeof(who));
			if (who[0])
				fprintf(fp, "  %s", who);
		}
		fputc('\n', fp);
	}
	if (shown < n) {
		snprintf(buf, sizeof(buf), "(%zu other)", n - shown);
		fprintf(fp, "%s%-*s %9llu", td_style_dim(c), keyw, buf,
			(unsigned long long)other_total);
		for (int k = 0; k < ncols; k++)
			fprintf(fp, " %*u", colw(cols[k], width), other[cols[k]]);
		fprintf(fp, "%s\n", td_style_reset(c));
	}
	fprintf(fp, "%s%-*s %9llu", td_style_bold(c), keyw, "TOTAL", (unsigned long long)a->total);
	for (int k = 0; k < ncols; k++)
		fprintf(fp, " %*llu", colw(cols[k], width), (unsigned long long)a->counts[cols[k]]);
	fprintf(fp, "%s\n", td_style_reset(c));
}

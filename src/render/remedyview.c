/* Tables of the commands that act; see remedyview.h. The process name
 * gives way first; then addresses are elided in the middle, keeping the
 * port (--json has them whole, and the plan's own command line acts on
 * the filter, not on the text shown). */
#include "render/remedyview.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "render/escape.h"
#include "render/style.h"
#include "render/wrap.h"
#include "state.h"

#define MIN_WIDTH 60
#define MAX_WIDTH 200

int view_width(void)
{
	return td_term_width(MIN_WIDTH, MAX_WIDTH);
}

static int shown(int state)
{
	return state == TD_NEW_SYN_RECV ? TD_SYN_RECV : state;
}

static void local_str(const struct td_sock *s, char *buf, size_t len)
{
	td_endpoint_str(s->family, s->laddr, s->lport, buf, len);
}

static void peer_str(const struct td_sock *s, char *buf, size_t len)
{
	if (shown(s->state) == TD_LISTEN)
		snprintf(buf, len, "%s", s->family == AF_INET6 ? "[::]:*" : "0.0.0.0:*");
	else
		td_endpoint_str(s->family, s->raddr, s->rport, buf, len);
}

/* "comm[pid]" (comm escaped, cut to fit room), "+N" for more holders. */
static void owner_str(const struct td_owner *o, int room, char *buf, size_t len)
{
	char comm[16 * TD_ESC_MAX_PER_BYTE], pid[32];
	int more = 0, keep;

	if (!o) {
		snprintf(buf, len, "-");
		return;
	}
	for (const struct td_owner *x = o->next; x; x = x->next)
		more++;
	td_esc(o->comm, comm, sizeof(comm));
	if (more)
		snprintf(pid, sizeof(pid), "[%d]+%d", (int)o->pid, more);
	else
		snprintf(pid, sizeof(pid), "[%d]", (int)o->pid);
	/* a cut name ends in an ellipsis (one column) */
	keep = room - (int)strlen(pid) - ((int)strlen(comm) > room - (int)strlen(pid));
	if (keep < 1)
		keep = 1;
	/* Cut on a whole escape or UTF-8 sequence: never half a character. */
	if ((int)strlen(comm) > keep) {
		int k = 0;

		while (k < keep && comm[k]) {
			size_t step = comm[k] == '\\' && comm[k + 1] == 'x' ? 4
				      : comm[k] == '^'			    ? 2
				      : (unsigned char)comm[k] >= 0x80
					      ? td_utf8_len((const unsigned char *)comm + k,
							    strlen(comm + k))
					      : 1;

			if (!step || k + (int)step > keep)
				break;
			k += (int)step;
		}
		comm[k] = '\0';
		snprintf(buf, len, "%s\u2026%s", comm, pid);
		return;
	}
	snprintf(buf, len, "%s%s", comm, pid);
}

static int widest(const struct td_sock *const *s, size_t n, bool peer, int min)
{
	char buf[64];
	int w = min;

	for (size_t i = 0; i < n; i++) {
		if (peer)
			peer_str(s[i], buf, sizeof(buf));
		else
			local_str(s[i], buf, sizeof(buf));
		if ((int)strlen(buf) > w)
			w = (int)strlen(buf);
	}
	return w;
}

/* Shrink the two address columns (wl, wr) so that fixed more columns fit
 * width, neither below 15. */
static void fit_addrs(int width, int fixed, int *wl, int *wr)
{
	while (*wl + *wr + fixed > width && (*wl > 15 || *wr > 15)) {
		if (*wl >= *wr && *wl > 15)
			(*wl)--;
		else
			(*wr)--;
	}
}

/* An address padded to cols columns, elided when longer. */
static void put_addr(FILE *fp, const char *a, int cols)
{
	char e[96];

	td_elide(a, cols, e, sizeof(e));
	fprintf(fp, "%-*s", cols + (int)(strlen(e) - (size_t)td_text_cols(e, strlen(e))), e);
}

void view_kill_table(FILE *fp, bool color, const struct view_kill_row *rows, size_t n, int width)
{
	const struct td_sock **s = calloc(n + 1, sizeof(*s));
	char l[64], r[64], own[96];
	int wl, wr, room;

	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		s[i] = rows[i].s;
	wl = widest(s, n, false, 5);
	wr = widest(s, n, true, 4);
	free(s);
	fit_addrs(width, 9 + 1 + 11 + 1 + 1 + 1 + 12, &wl, &wr);
	room = width - (9 + 1 + 11 + 1 + wl + 1 + wr + 1);
	if (room < 10)
		room = 10;
	fprintf(fp, "%s%-9s %-11s %-*s %-*s %s%s\n", td_style_bold(color), "ACTION", "STATE", wl,
		"LOCAL", wr, "PEER", "PROCESS", td_style_reset(color));
	for (size_t i = 0; i < n; i++) {
		int st = shown(rows[i].s->state);

		local_str(rows[i].s, l, sizeof(l));
		peer_str(rows[i].s, r, sizeof(r));
		owner_str(rows[i].o, room, own, sizeof(own));
		fprintf(fp, "%-9s %s%-11s%s ", rows[i].what, td_style_state(color, st),
			td_state_name(st), td_style_reset(color));
		put_addr(fp, l, wl);
		fputc(' ', fp);
		put_addr(fp, r, wr);
		fprintf(fp, " %s\n", own);
		if (rows[i].why) {
			fprintf(fp, "%10s", "");
			td_wrap(fp, rows[i].why, 10, 10, width);
		}
	}
}

void view_ka_table(FILE *fp, bool color, const struct view_ka_row *rows, size_t n,
		   const char *then_title, int width)
{
	const struct td_sock **s = calloc(n + 1, sizeof(*s));
	char l[64], r[64];
	int wl, wr;

	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		s[i] = rows[i].s;
	wl = widest(s, n, false, 5);
	wr = widest(s, n, true, 4);
	free(s);
	fit_addrs(width, 4 + 1 + 11 + 1 + 1 + 1 + 13 + 1 + 13, &wl, &wr);
	fprintf(fp, "%s%4s %-11s %-*s %-*s %-13s %s%s\n", td_style_bold(color), "FD", "STATE", wl,
		"LOCAL", wr, "PEER", "KEEPALIVE", then_title, td_style_reset(color));
	for (size_t i = 0; i < n; i++) {
		int st = shown(rows[i].s->state);

		local_str(rows[i].s, l, sizeof(l));
		peer_str(rows[i].s, r, sizeof(r));
		fprintf(fp, "%4d %s%-11s%s ", rows[i].fd, td_style_state(color, st),
			td_state_name(st), td_style_reset(color));
		put_addr(fp, l, wl);
		fputc(' ', fp);
		put_addr(fp, r, wr);
		fprintf(fp, " %-13s %s\n", rows[i].now, rows[i].then);
		if (rows[i].why) {
			fprintf(fp, "%5s", "");
			td_wrap(fp, rows[i].why, 5, 5, width);
		}
	}
}

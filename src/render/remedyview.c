/* Tables of the commands that act; see remedyview.h. Addresses are never
 * cut (an operator copies them); the process name gives way first, then
 * the table goes past the width rather than lie. */
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
		/* Fits: comm was cut to the room left beside pid. */
		if (snprintf(buf, len, "%s\u2026%s", comm, pid) >= (int)len)
			buf[len - 1] = '\0';
		return;
	}
	if (snprintf(buf, len, "%s%s", comm, pid) >= (int)len)
		buf[len - 1] = '\0';
}

/* The columns both tables share: [NETNS] LEAD STATE LOCAL PEER, as wide as
 * their widest value (a namespace name cut at 40). */
struct layout {
	int wn, wl, wr; /* wn 0: no NETNS column */
};

static struct layout layout_of(const struct td_sock *const *s, const char *const *netns, size_t n)
{
	struct layout lo = { 0, 5, 4 };
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		local_str(s[i], buf, sizeof(buf));
		if ((int)strlen(buf) > lo.wl)
			lo.wl = (int)strlen(buf);
		peer_str(s[i], buf, sizeof(buf));
		if ((int)strlen(buf) > lo.wr)
			lo.wr = (int)strlen(buf);
		if (netns[i]) {
			char esc[400];
			int w = (int)strlen(td_esc(netns[i], esc, sizeof(esc)));

			if (w < 5)
				w = 5;
			if (w > lo.wn)
				lo.wn = w > 40 ? 40 : w;
		}
	}
	return lo;
}

static void head_titles(FILE *fp, bool color, const struct layout *lo, int lead_w, const char *lead)
{
	fputs(td_style_bold(color), fp);
	if (lo->wn)
		fprintf(fp, "%-*s ", lo->wn, "NETNS");
	fprintf(fp, "%-*s %-11s %-*s %-*s ", lead_w, lead, "STATE", lo->wl, "LOCAL", lo->wr,
		"PEER");
}

/* Shrink the address columns so that fixed more columns fit width (the
 * terminal's, render/wrap.h), neither below 15: the addresses are then
 * elided in the middle, keeping the port (--json has them whole). */
static void fit_layout(struct layout *lo, int width, int fixed)
{
	while (lo->wl + lo->wr + fixed > width && (lo->wl > 15 || lo->wr > 15)) {
		if (lo->wl >= lo->wr && lo->wl > 15)
			lo->wl--;
		else
			lo->wr--;
	}
}

static void head_row(FILE *fp, bool color, const struct layout *lo, const char *netns, int lead_w,
		     const char *lead, const struct td_sock *s)
{
	char l[64], r[64], le[96], re[96], esc[400];
	int st = shown(s->state);

	if (lo->wn)
		fprintf(fp, "%-*s ", lo->wn, netns ? td_esc(netns, esc, sizeof(esc)) : "-");
	local_str(s, l, sizeof(l));
	peer_str(s, r, sizeof(r));
	td_elide(l, lo->wl, le, sizeof(le));
	td_elide(r, lo->wr, re, sizeof(re));
	/* the ellipsis is 3 bytes and one column */
	fprintf(fp, "%-*s %s%-11s%s %-*s %-*s ", lead_w, lead, td_style_state(color, st),
		td_state_name(st), td_style_reset(color),
		lo->wl + (int)(strlen(le) - (size_t)td_text_cols(le, strlen(le))), le,
		lo->wr + (int)(strlen(re) - (size_t)td_text_cols(re, strlen(re))), re);
}

/* The reason under a row, indented past the lead column. */
static void why_line(FILE *fp, const struct layout *lo, int lead_w, const char *why)
{
	if (why)
		fprintf(fp, "%*s%s\n", (lo->wn ? lo->wn + 1 : 0) + lead_w + 1, "", why);
}

void view_kill_table(FILE *fp, bool color, const struct view_kill_row *rows, size_t n, int width)
{
	const struct td_sock **s = calloc(n + 1, sizeof(*s));
	const char **ns = calloc(n + 1, sizeof(*ns));
	char own[96];
	struct layout lo;
	int room;

	if (!s || !ns) {
		free(s);
		free(ns);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		s[i] = rows[i].s;
		ns[i] = rows[i].netns;
	}
	lo = layout_of(s, ns, n);
	free(s);
	free(ns);
	fit_layout(&lo, width, (lo.wn ? lo.wn + 1 : 0) + 9 + 1 + 11 + 1 + 1 + 1 + 12);
	room = width - ((lo.wn ? lo.wn + 1 : 0) + 9 + 1 + 11 + 1 + lo.wl + 1 + lo.wr + 1);
	if (room < 10)
		room = 10;
	head_titles(fp, color, &lo, 9, "ACTION");
	fprintf(fp, "%s%s\n", "PROCESS", td_style_reset(color));
	for (size_t i = 0; i < n; i++) {
		head_row(fp, color, &lo, rows[i].netns, 9, rows[i].what, rows[i].s);
		owner_str(rows[i].o, room, own, sizeof(own));
		fprintf(fp, "%s\n", own);
		why_line(fp, &lo, 9, rows[i].why);
	}
}

void view_ka_table(FILE *fp, bool color, const struct view_ka_row *rows, size_t n,
		   const char *then_title, int width)
{
	const struct td_sock **s = calloc(n + 1, sizeof(*s));
	const char **ns = calloc(n + 1, sizeof(*ns));
	struct layout lo;

	if (!s || !ns) {
		free(s);
		free(ns);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		s[i] = rows[i].s;
		ns[i] = rows[i].netns;
	}
	lo = layout_of(s, ns, n);
	free(s);
	free(ns);
	fit_layout(&lo, width, (lo.wn ? lo.wn + 1 : 0) + 4 + 1 + 11 + 1 + 1 + 1 + 13 + 1 + 13);
	head_titles(fp, color, &lo, 4, "  FD");
	fprintf(fp, "%-13s %s%s\n", "KEEPALIVE", then_title, td_style_reset(color));
	for (size_t i = 0; i < n; i++) {
		char fd[16];

		snprintf(fd, sizeof(fd), "%4d", rows[i].fd);
		head_row(fp, color, &lo, rows[i].netns, 4, fd, rows[i].s);
		fprintf(fp, "%-13s %s\n", rows[i].now, rows[i].then);
		why_line(fp, &lo, 4, rows[i].why);
	}
}

static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-./:=,@%+[]",
			    *s))
			return false;
	return true;
}

void view_argv(FILE *fp, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *esc;

		if (i)
			fputc(' ', fp);
		if (plain_word(v[i])) {
			fputs(v[i], fp);
			continue;
		}
		esc = malloc(strlen(v[i]) * TD_ESC_MAX_PER_BYTE + 1);
		if (!esc)
			continue;
		td_esc(v[i], esc, strlen(v[i]) * TD_ESC_MAX_PER_BYTE + 1);
		fputc('\'', fp);
		for (const char *p = esc; *p; p++) {
			if (*p == '\'')
				fputs("'\\''", fp);
			else
				fputc(*p, fp);
		}
		fputc('\'', fp);
		free(esc);
	}
}

void view_act_line(FILE *fp, const char *const *act, size_t n)
{
	fputs("\nTo act: ", fp);
	view_argv(fp, act, n);
	fputc('\n', fp);
}

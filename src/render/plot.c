/* `history --png`: gnuplot run without a shell (fork/exec), the script and
 * the points written inline to its stdin, its exit status and the PNG
 * signature of the file it wrote both checked before we say it worked. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "render/plot.h"

static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* The terminal: pngcairo when this gnuplot has it (gnuplot-nox does), else
 * libgd's png. noenhanced: in enhanced text "CLOSE_WAIT" would print the W
 * as a subscript. */
static const char terminal[] = "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
			       "{ set terminal pngcairo noenhanced size 900,300 } "
			       "else { set terminal png noenhanced size 900,300 }\n";

/* A gnuplot single-quoted string: nothing is special inside but ' itself,
 * written twice. A line break would end the command: titles get a space
 * (plot_png refuses a file name with one). */
static void put_quoted(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', fp);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, fp);
	}
	fputc('\'', fp);
}

/* gnuplot's time axis has no time zone (it formats as UTC): shift each
 * point by its own UTC offset (DST included) so the axis shows the local
 * time that `history` prints. */
static double local_seconds(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	return (double)ms / 1000 + (double)tm.tm_gmtoff;
}

static void write_script(FILE *fp, const char *out, const char *title, const char *ylabel,
			 const int64_t *ts_ms, const double *v, size_t n)
{
	double lo = v[0];

	for (size_t i = 1; i < n; i++)
		if (v[i] < lo)
			lo = v[i];
	fputs(terminal, fp);
	fputs("set output ", fp);
	put_quoted(fp, out);
	fputs("\nset title ", fp);
	put_quoted(fp, title);
	fputs("\nset ylabel ", fp);
	put_quoted(fp, ylabel);
	fputs("\nset xdata time\nset timefmt '%s'\n", fp);
	/* The hour and minute, unless they would repeat along the axis. */
	if (ts_ms[n - 1] - ts_ms[0] > 86400 * 1000)
		fputs("set format x '%m-%d %H:%M'\n", fp);
	else if (ts_ms[n - 1] - ts_ms[0] < 600 * 1000)
		fputs("set format x '%H:%M:%S'\n", fp);
	else
		fputs("set format x '%H:%M'\n", fp);
	if (lo >= 0)
		fputs("set yrange [0:*]\n", fp);
	/* Room above the largest value: a flat line would hide in the border. */
	fputs("set offsets 0, 0, graph 0.1, 0\n", fp);
	fputs("set grid\nset key off\n"
	      "plot '-' using 1:2 with linespoints pt 7 ps 0.4 lw 2\n",
	      fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%.3f %.17g\n", local_seconds(ts_ms[i]), v[i]);
	fputs("e\n", fp);
}

/* gnuplot's error, as it wrote it on stderr: the echoed command and the
 * caret are noise; the first other line says what went wrong. */
static void first_error(FILE *errf, char *buf, size_t len)
{
	char line[256];

	buf[0] = '\0';
	rewind(errf);
	while (fgets(line, sizeof(line), errf)) {
		char *s = line + strspn(line, " \t");

		s[strcspn(s, "\r\n")] = '\0';
		if (!*s || *s == '^' || !strncmp(s, "gnuplot>", 8))
			continue;
		snprintf(buf, len, "%s", s);
		return;
	}
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* An SVG gnuplot finished: the root element and its end. */
static bool is_svg(const char *path)
{
	char buf[4096];
	FILE *fp = fopen(path, "r");
	bool start = false, end = false;

	if (!fp)
		return false;
	while (fgets(buf, sizeof(buf), fp)) {
		if (strstr(buf, "<svg"))
			start = true;
		if (strstr(buf, "</svg>"))
			end = true;
	}
	fclose(fp);
	return start && end;
}

static bool is_png(const char *path)
{
	unsigned char head[sizeof(png_magic)];
	FILE *fp = fopen(path, "rb");
	bool ok;

	if (!fp)
		return false;
	ok = fread(head, 1, sizeof(head), fp) == sizeof(head) &&
	     !memcmp(head, png_magic, sizeof(head));
	fclose(fp);
	return ok;
}

/* Run gnuplot with the script script() writes (out: the output file name
 * as gnuplot must see it), check it wrote a PNG (or an SVG), and say what
 * went wrong otherwise. */
static int run_gnuplot(const char *path, bool svg, void (*script)(FILE *, const char *, void *),
		       void *ctx, struct td_err *err)
{
	const char *opt = svg ? "--svg" : "--png";
	char *const argv[] = { "gnuplot", NULL };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int in[2], report[2], child_errno = 0, status, fd;
	char out[4096], msg[256];
	FILE *errf, *fp;
	ssize_t got;
	pid_t pid;

	if (!*path || strpbrk(path, "\r\n"))
		return td_err_set(err, -TD_EPARSE, "%s: the file name is empty or has a line break",
				  opt);
	/* gnuplot reads "|cmd" as a pipe to a shell and expands "~": a relative
	 * name goes as "./name", so it is always the file we opened. */
	if (snprintf(out, sizeof(out), "%s%s", path[0] == '/' ? "" : "./", path) >=
	    (int)sizeof(out))
		return td_err_set(err, -TD_EPARSE, "%s: the file name is too long", opt);

	errf = tmpfile();
	if (!errf)
		return td_err_set(err, -EIO, "%s: temporary file for gnuplot's errors: %s", opt,
				  strerror(errno));
	fcntl(fileno(errf), F_SETFD, FD_CLOEXEC); /* gnuplot gets it as fd 2 only */
	if (pipe2(in, O_CLOEXEC) < 0) {
		fclose(errf);
		return td_err_set(err, -EIO, "%s: pipe: %s", opt, strerror(errno));
	}
	/* The child writes execvp's errno here; exec closes it (O_CLOEXEC), so
	 * end of file means gnuplot is running. */
	if (pipe2(report, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		fclose(errf);
		return td_err_set(err, -EIO, "%s: pipe: %s", opt, strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		/* gnuplot writes the plot to stdout when `set output` fails. */
		if (devnull >= 0 && dup2(in[0], 0) >= 0 && dup2(devnull, 1) >= 0 &&
		    dup2(fileno(errf), 2) >= 0)
			execvp(argv[0], argv);
		child_errno = errno;
		if (write(report[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(126);
		_exit(127);
	}
	close(in[0]);
	close(report[1]);
	if (pid < 0) {
		close(in[1]);
		close(report[0]);
		fclose(errf);
		return td_err_set(err, -EIO, "%s: fork: %s", opt, strerror(errno));
	}
	do
		got = read(report[0], &child_errno, sizeof(child_errno));
	while (got < 0 && errno == EINTR);
	close(report[0]);
	if (got > 0) {
		close(in[1]);
		wait_child(pid);
		fclose(errf);
		if (child_errno == ENOENT)
			return td_err_set(err, -EIO,
					  "%s needs gnuplot (apt-get install gnuplot-nox)", opt);
		return td_err_set(err, -EIO, "%s: cannot run gnuplot: %s", opt,
				  strerror(child_errno));
	}

	/* Truncate (or create) the file first: a clean error for a bad path, and
	 * an old PNG left there cannot pass the signature check below. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;

		close(in[1]); /* gnuplot sees end of input and exits 0 */
		wait_child(pid);
		fclose(errf);
		return td_err_set(err, -TD_EPARSE, "%s %s: %s", opt, path, strerror(e));
	}
	close(fd);

	/* gnuplot may die before reading it all: EPIPE, not a signal. */
	sigaction(SIGPIPE, &ign, &old);
	fp = fdopen(in[1], "w");
	if (fp) {
		script(fp, out, ctx);
		fclose(fp);
	} else {
		close(in[1]);
	}
	status = wait_child(pid);
	sigaction(SIGPIPE, &old, NULL);

	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		first_error(errf, msg, sizeof(msg));
		fclose(errf);
		unlink(path);
		if (status >= 0 && WIFSIGNALED(status))
			return td_err_set(err, -EIO, "%s %s: gnuplot killed by signal %d", opt,
					  path, WTERMSIG(status));
		return td_err_set(err, -EIO, "%s %s: gnuplot failed (exit %d): %s", opt, path,
				  status >= 0 ? WEXITSTATUS(status) : -1,
				  msg[0] ? msg : "no message");
	}
	fclose(errf);
	if (svg ? !is_svg(path) : !is_png(path)) {
		unlink(path);
		return td_err_set(err, -EIO, "%s %s: gnuplot exited 0 but wrote no %s", opt, path,
				  svg ? "SVG" : "PNG");
	}
	return 0;
}

struct line_args {
	const char *title, *ylabel;
	const int64_t *ts_ms;
	const double *v;
	size_t n;
};

static void write_line(FILE *fp, const char *out, void *ctx)
{
	const struct line_args *a = ctx;

	write_script(fp, out, a->title, a->ylabel, a->ts_ms, a->v, a->n);
}

int plot_png(const char *path, const char *title, const char *ylabel, const int64_t *ts_ms,
	     const double *v, size_t n, struct td_err *err)
{
	struct line_args a = { title, ylabel, ts_ms, v, n };

	if (!n)
		return td_err_set(err, -TD_EPARSE, "--png %s: no sample to plot", path);
	return run_gnuplot(path, false, write_line, &a, err);
}

static void write_chart(FILE *fp, const char *out, void *ctx)
{
	const struct plot_chart *c = ctx;
	int w = c->width > 0 ? c->width : 1200, h = c->height > 0 ? c->height : 800;
	bool first = true;

	if (c->svg_) {
		fprintf(fp, "set terminal svg noenhanced size %d,%d dynamic background '#ffffff'\n",
			w, h);
	} else {
		fprintf(fp,
			"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
			"{ set terminal pngcairo noenhanced size %d,%d } "
			"else { set terminal png noenhanced size %d,%d }\n",
			w, h, w, h);
	}
	fputs("set output ", fp);
	put_quoted(fp, out);
	fputs("\nset title ", fp);
	put_quoted(fp, c->title);
	if (c->note) {
		fputs("\nset label 1 ", fp);
		put_quoted(fp, c->note);
		fputs(" at graph 0.01, graph 0.97 left front", fp);
	}
	fputs("\nset xlabel ", fp);
	put_quoted(fp, c->xlabel);
	fputs("\nset ylabel ", fp);
	put_quoted(fp, c->ylabel);
	fputs("\nset grid\nset key outside bottom center horizontal\n", fp);
	if (c->yformat) {
		fputs("set format y ", fp);
		put_quoted(fp, c->yformat);
		fputc('\n', fp);
	}
	for (size_t i = 0; i < c->nseries; i++) {
		const struct plot_series *p = &c->series[i];

		if (!p->n)
			continue;
		fprintf(fp, "$D%zu << EOD\n", i);
		for (size_t k = 0; k < p->n; k++) {
			if (p->style == PLOT_BARS)
				fprintf(fp, "%.9f %.17g %.17g\n", p->x[k], p->y[k], p->dy[k]);
			else
				fprintf(fp, "%.9f %.17g\n", p->x[k], p->y[k]);
		}
		fputs("EOD\n", fp);
	}
	fputs("plot ", fp);
	for (size_t i = 0; i < c->nseries; i++) {
		const struct plot_series *p = &c->series[i];
		static const char *const how[] = {
			[PLOT_LINES] = "using 1:2 with lines lw 2",
			[PLOT_STEPS] = "using 1:2 with steps lw 2",
			[PLOT_POINTS] = "using 1:2 with points pt 7 ps 0.6",
			[PLOT_BARS] = "using 1:2:(0):3 with vectors nohead lw 2",
		};

		if (!p->n)
			continue;
		fprintf(fp, "%s$D%zu %s lc rgb ", first ? "" : ", ", i, how[p->style]);
		put_quoted(fp, p->color);
		fputs(" title ", fp);
		put_quoted(fp, p->name);
		first = false;
	}
	fputc('\n', fp);
}

int plot_chart(const char *path, bool svg, const struct plot_chart *c, struct td_err *err)
{
	struct plot_chart copy = *c;
	size_t points = 0;

	for (size_t i = 0; i < c->nseries; i++)
		points += c->series[i].n;
	if (!points)
		return td_err_set(err, -TD_EPARSE, "%s %s: nothing to draw",
				  svg ? "--svg" : "--png", path);
	copy.svg_ = svg;
	return run_gnuplot(path, svg, write_chart, &copy, err);
}

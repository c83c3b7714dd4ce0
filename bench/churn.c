/* Connection-churn generator for the `trace` load test: W worker processes,
 * each connecting to its own listeners on 127.0.0.1 and accepting and closing
 * the other end itself, as fast as it can for D seconds. Prints connections/s.
 * Loopback in a bench-owned network namespace only (bench/trace/run). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHURN_MAX_WORKERS 64
/* Listener ports and source addresses per worker: 16 x 64 (saddr, dport)
 * pairs of ~64k ephemeral ports each, so a 4-tuple comes back only after
 * ~67M connections, long after its TIME_WAIT (if any) expired. */
#define CHURN_PORTS 16
#define CHURN_SADDRS 64
#define CHURN_BACKLOG 4096

enum close_mode {
	CLOSE_FIN, /* client close() first, then the server: the full FIN exchange */
	CLOSE_RST, /* client close() with SO_LINGER 0: a RST, no FIN_WAIT/TIME_WAIT */
};

struct churn_opts {
	int workers;
	double seconds;
	enum close_mode mode;
	int base_port;
};

struct worker_result {
	unsigned long long conns, errors;
	double seconds;
};

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int len;

	len = snprintf(line, sizeof(line), "churn[%d]: ", getpid());
	va_start(ap, fmt);
	len += vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)len) < 0)
		_exit(1);
	_exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: churn [-w WORKERS] [-d SECONDS] [-m fin|rst] [-p BASE_PORT]\n"
		"  W processes (default 2), each connecting to %d listeners of its own on\n"
		"  127.0.0.1 (ports BASE + w*%d ..., default BASE 20000) from %d source\n"
		"  addresses 127.(10+w).0.x, accepting and closing the other end itself,\n"
		"  for D seconds (default 5). -m fin (default): the client closes first, then\n"
		"  the server (full FIN exchange); -m rst: the client closes with SO_LINGER 0.\n"
		"  Prints: churn: workers W mode M seconds S connections N per_second R errors E\n",
		CHURN_PORTS, CHURN_PORTS, CHURN_SADDRS);
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd, one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("SO_REUSEADDR: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind 127.0.0.1:%d: %s", port, strerror(errno));
	if (listen(fd, CHURN_BACKLOG) < 0)
		die("listen 127.0.0.1:%d: %s", port, strerror(errno));
	return fd;
}

/* The accepted end of the connection just made: over loopback the handshake
 * completes inside connect() (the SYN-ACK is processed in our own softirq),
 * so the child is almost always queued already. */
static int accept_one(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	for (int tries = 0; tries < 100; tries++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			return fd;
		poll(&p, 1, 10);
	}
	errno = ETIMEDOUT;
	return -1;
}

static struct worker_result run_worker(const struct churn_opts *o, int w, int start_fd)
{
	static const struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
	struct worker_result r = { 0 };
	int lfd[CHURN_PORTS], one = 1;
	double t0, deadline;
	unsigned long long n = 0;
	char go;

	for (int i = 0; i < CHURN_PORTS; i++)
		lfd[i] = listen_on(o->base_port + w * CHURN_PORTS + i);
	/* Ready; wait for the parent's start so every worker runs the same D. */
	if (read(start_fd, &go, 1) != 1)
		_exit(1);
	t0 = now_s();
	deadline = t0 + o->seconds;
	for (;;) {
		struct sockaddr_in src = { .sin_family = AF_INET };
		struct sockaddr_in dst = { .sin_family = AF_INET };
		int port_i = (int)(n % CHURN_PORTS);
		int cfd, sfd;

		/* The clock every 256 connections: ~1% of a connection's cost. */
		if (!(n & 255) && now_s() >= deadline)
			break;
		n++;
		src.sin_addr.s_addr = htonl((127u << 24) | ((10u + (unsigned)w) << 16) |
					    (1u + (unsigned)((n / CHURN_PORTS) % CHURN_SADDRS)));
		dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		dst.sin_port = htons((uint16_t)(o->base_port + w * CHURN_PORTS + port_i));
		cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cfd < 0)
			die("socket: %s", strerror(errno));
		/* Port chosen at connect(), per 4-tuple, not at bind(). */
		if (setsockopt(cfd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) < 0 ||
		    bind(cfd, (struct sockaddr *)&src, sizeof(src)) < 0)
			die("bind %s: %s", inet_ntoa(src.sin_addr), strerror(errno));
		if (connect(cfd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			r.errors++;
			close(cfd);
			continue;
		}
		sfd = accept_one(lfd[port_i]);
		if (sfd < 0) {
			r.errors++;
			close(cfd);
			continue;
		}
		if (o->mode == CLOSE_RST &&
		    setsockopt(cfd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close)) < 0)
			die("SO_LINGER: %s", strerror(errno));
		close(cfd);
		close(sfd);
		r.conns++;
	}
	r.seconds = now_s() - t0;
	for (int i = 0; i < CHURN_PORTS; i++)
		close(lfd[i]);
	return r;
}

static void parse_args(int argc, char **argv, struct churn_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "w:d:m:p:h")) != -1) {
		char *end;

		switch (c) {
		case 'w':
			o->workers = (int)strtol(optarg, &end, 10);
			if (*end || o->workers < 1 || o->workers > CHURN_MAX_WORKERS)
				die("-w '%s': 1 to %d workers", optarg, CHURN_MAX_WORKERS);
			break;
		case 'd':
			o->seconds = strtod(optarg, &end);
			if (*end || !(o->seconds > 0 && o->seconds <= 3600))
				die("-d '%s': seconds, more than 0, at most 3600", optarg);
			break;
		case 'm':
			if (!strcmp(optarg, "fin"))
				o->mode = CLOSE_FIN;
			else if (!strcmp(optarg, "rst"))
				o->mode = CLOSE_RST;
			else
				die("-m '%s': fin or rst", optarg);
			break;
		case 'p':
			o->base_port = (int)strtol(optarg, &end, 10);
			if (*end || o->base_port < 1024 ||
			    o->base_port + CHURN_MAX_WORKERS * CHURN_PORTS > 65535)
				die("-p '%s': 1024 to %d", optarg,
				    65535 - CHURN_MAX_WORKERS * CHURN_PORTS);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct churn_opts o = { .workers = 2, .seconds = 5, .mode = CLOSE_FIN, .base_port = 20000 };
	struct worker_result total = { 0 };
	int start[2], results[2];
	pid_t pids[CHURN_MAX_WORKERS];
	double longest = 0;

	parse_args(argc, argv, &o);
	if (pipe(start) < 0 || pipe(results) < 0)
		die("pipe: %s", strerror(errno));
	for (int w = 0; w < o.workers; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			die("fork: %s", strerror(errno));
		if (!pids[w]) {
			struct worker_result r;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(start[1]);
			close(results[0]);
			r = run_worker(&o, w, start[0]);
			/* A struct this small is written atomically to a pipe. */
			if (write(results[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
				_exit(1);
			_exit(0);
		}
	}
	close(start[0]);
	close(results[1]);
	/* Each worker binds its listeners, then waits here: its D seconds start
	 * at this byte. */
	for (int w = 0; w < o.workers; w++)
		if (write(start[1], "g", 1) != 1)
			die("start pipe: %s", strerror(errno));
	for (int w = 0; w < o.workers; w++) {
		struct worker_result r;

		if (read(results[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
			die("a worker died before reporting (see its error above)");
		total.conns += r.conns;
		total.errors += r.errors;
		if (r.seconds > longest)
			longest = r.seconds;
	}
	for (int w = 0; w < o.workers; w++) {
		int status;

		if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			die("worker %d failed", w);
	}
	printf("churn: workers %d mode %s seconds %.3f connections %llu per_second %.0f "
	       "errors %llu\n",
	       o.workers, o.mode == CLOSE_FIN ? "fin" : "rst", longest, total.conns,
	       longest > 0 ? (double)total.conns / longest : 0.0, total.errors);
	return 0;
}

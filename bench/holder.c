/* Socket holder for the benchmarks: listens and accepts (server), opens and keeps
 * connections (client), leaves TIME_WAIT sockets behind (tw), or reports the peak
 * RSS of a command (rss). Loopback in a bench-owned network namespace only. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

/* RLIMIT_NOFILE is capped at 20,000 on the bench machine; each process keeps
 * below 9,900 so two of them never crowd one limit, whatever the split. */
#define HOLDER_MAX_FDS 9900
#define HOLDER_MAX_ENDPOINTS 256
#define LISTEN_BACKLOG 65535
/* Half of HOLDER_MAX_FDS: a tw batch holds both ends of each connection. */
#define TW_BATCH 4000
/* A client started before its server listens retries for this long. */
#define CONNECT_RETRY_MS 10000

struct endpoints {
	struct sockaddr_in addr[HOLDER_MAX_ENDPOINTS];
	size_t count;
};

static const char *holder_mode = "holder";

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int len;

	len = snprintf(line, sizeof(line), "holder %s[%d]: ", holder_mode, getpid());
	va_start(ap, fmt);
	len += vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)len) < 0)
		_exit(1);
	exit(1);
}

/* One write() per line, so many holders can share one O_APPEND log. */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (len < 0 || len > (int)sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	line[len++] = '\n';
	if (write(STDOUT_FILENO, line, (size_t)len) < 0)
		die("stdout: %s", strerror(errno));
}

static long parse_long(const char *text, long min, long max, const char *what)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < min || value > max)
		die("%s \"%s\": want a number in %ld..%ld", what, text, min, max);
	return value;
}

/* "A[,A...]" x "PORT[-PORT]" -> every address with every port. */
static void parse_endpoints(const char *addrs, const char *ports, struct endpoints *ep)
{
	char list[1024], *save = NULL, *tok;
	long lo, hi, port;
	const char *dash;
	struct in_addr ip;

	dash = strchr(ports, '-');
	if (dash) {
		char first[16];
		size_t n = (size_t)(dash - ports);

		if (n == 0 || n >= sizeof(first))
			die("port range \"%s\": want PORT or LO-HI", ports);
		memcpy(first, ports, n);
		first[n] = '\0';
		lo = parse_long(first, 1, 65535, "port");
		hi = parse_long(dash + 1, lo, 65535, "port");
	} else {
		lo = hi = parse_long(ports, 1, 65535, "port");
	}
	if (snprintf(list, sizeof(list), "%s", addrs) >= (int)sizeof(list))
		die("address list too long");
	ep->count = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (inet_pton(AF_INET, tok, &ip) != 1)
			die("address \"%s\": want IPv4 dotted quad (127.x.y.z)", tok);
		for (port = lo; port <= hi; port++) {
			if (ep->count == HOLDER_MAX_ENDPOINTS)
				die("more than %d address:port pairs", HOLDER_MAX_ENDPOINTS);
			ep->addr[ep->count].sin_family = AF_INET;
			ep->addr[ep->count].sin_port = htons((uint16_t)port);
			ep->addr[ep->count].sin_addr = ip;
			ep->count++;
		}
	}
	if (!ep->count)
		die("no address given");
}

static void raise_fd_limit(long needed)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit: %s", strerror(errno));
	if ((long)rl.rlim_cur < needed)
		die("need %ld fds, RLIMIT_NOFILE hard limit is %ld: split over more processes",
		    needed, (long)rl.rlim_cur);
}

/* Die with the parent (the bench script), so no holder outlives a bench run. */
static void follow_parent(void)
{
	pid_t parent = getppid();

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	if (getppid() != parent)
		exit(1);
}

static int listen_on(const struct sockaddr_in *sin, bool nonblock)
{
	int one = 1, fd;
	char ip[INET_ADDRSTRLEN];

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0)
		die("bind %s:%u: %s", ip, ntohs(sin->sin_port), strerror(errno));
	/* The kernel clamps the backlog to net.core.somaxconn (the script raises it). */
	if (listen(fd, LISTEN_BACKLOG) < 0)
		die("listen %s:%u: %s", ip, ntohs(sin->sin_port), strerror(errno));
	return fd;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Blocking connect from @src (port left to connect(), so the 4-tuple, not the
 * source port alone, has to be unique). Loopback connects finish within the
 * syscall, so this is as fast as a non-blocking batch and much simpler. */
static int connect_to(const struct sockaddr_in *src, const struct sockaddr_in *dst)
{
	char ip[INET_ADDRSTRLEN];
	int waited = 0, one = 1, fd;

	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (src) {
			setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
			if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0)
				die("bind source: %s", strerror(errno));
		}
		if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) == 0)
			return fd;
		close(fd);
		if (errno == EINTR)
			continue;
		if (errno == ECONNREFUSED && waited < CONNECT_RETRY_MS) {
			msleep(50);
			waited += 50;
			continue;
		}
		inet_ntop(AF_INET, &dst->sin_addr, ip, sizeof(ip));
		die("connect %s:%u: %s%s", ip, ntohs(dst->sin_port), strerror(errno),
		    errno == EADDRNOTAVAIL ? " (4-tuples used up: more addresses or ports)" : "");
	}
}

static void parse_source(const char *text, struct sockaddr_in *src)
{
	memset(src, 0, sizeof(*src));
	src->sin_family = AF_INET;
	if (inet_pton(AF_INET, text, &src->sin_addr) != 1)
		die("source \"%s\": want an IPv4 address", text);
}

/* server [-m MAXFDS] [-e EXPECT] ADDR[,ADDR...] PORT[-PORT] */
static int run_server(int argc, char **argv)
{
	struct pollfd fds[HOLDER_MAX_ENDPOINTS];
	long max_fds = HOLDER_MAX_FDS - 16, expect = 0, held = 0;
	struct endpoints ep;
	bool told = false;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "+m:e:")) != -1) {
		switch (opt) {
		case 'm':
			max_fds = parse_long(optarg, 1, HOLDER_MAX_FDS, "-m");
			break;
		case 'e':
			expect = parse_long(optarg, 1, HOLDER_MAX_FDS, "-e");
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2)
		die("usage: server [-m MAXFDS] [-e EXPECT] ADDR[,ADDR...] PORT[-PORT]");
	parse_endpoints(argv[optind], argv[optind + 1], &ep);
	if ((long)ep.count + max_fds > HOLDER_MAX_FDS)
		die("%zu listeners + %ld accepted > %d fds", ep.count, max_fds, HOLDER_MAX_FDS);
	raise_fd_limit((long)ep.count + max_fds + 8);
	for (i = 0; i < ep.count; i++) {
		fds[i].fd = listen_on(&ep.addr[i], true);
		fds[i].events = POLLIN;
	}
	say("listening %zu", ep.count);

	while (held < max_fds) {
		if (poll(fds, ep.count, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < ep.count && held < max_fds; i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			while (held < max_fds) {
				int fd = accept4(fds[i].fd, NULL, NULL, SOCK_CLOEXEC);

				if (fd < 0) {
					if (errno == EAGAIN || errno == EINTR)
						break;
					if (errno == ECONNABORTED)
						continue;
					die("accept: %s", strerror(errno));
				}
				held++;
			}
		}
		if (expect && !told && held >= expect) {
			say("ready %ld", held);
			told = true;
		}
	}
	/* Full: later connections stay ESTABLISHED in the accept queue, unowned. */
	if (!told)
		say("ready %ld", held);
	for (;;)
		pause();
}

/* client [-s SRC[,SRC...]] [-w HALF] -n COUNT ADDR[,ADDR...] PORT[-PORT]
 * -w: shut down the sending side of the first HALF connections once all are
 * up, which leaves the server's end in CLOSE_WAIT and ours in FIN_WAIT2 (a
 * socket that is still open does not time out of FIN_WAIT2). */
static int run_client(int argc, char **argv)
{
	struct sockaddr_in srcs[HOLDER_MAX_ENDPOINTS];
	char srclist[1024], *save = NULL, *tok;
	size_t nsrc = 0;
	struct endpoints ep;
	long count = 0, half = 0, i;
	int opt, *fds;

	while ((opt = getopt(argc, argv, "+s:n:w:")) != -1) {
		switch (opt) {
		case 's':
			snprintf(srclist, sizeof(srclist), "%s", optarg);
			for (tok = strtok_r(srclist, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (nsrc == HOLDER_MAX_ENDPOINTS)
					die("more than %d sources", HOLDER_MAX_ENDPOINTS);
				parse_source(tok, &srcs[nsrc++]);
			}
			break;
		case 'n':
			count = parse_long(optarg, 1, HOLDER_MAX_FDS - 16, "-n");
			break;
		case 'w':
			half = parse_long(optarg, 0, HOLDER_MAX_FDS - 16, "-w");
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2 || !count)
		die("usage: client [-s SRC[,SRC...]] [-w HALF] -n COUNT ADDR[,ADDR...] "
		    "PORT[-PORT]");
	if (half > count)
		die("-w %ld: more than the %ld connections", half, count);
	parse_endpoints(argv[optind], argv[optind + 1], &ep);
	raise_fd_limit(count + 8);
	fds = calloc((size_t)count, sizeof(*fds));
	if (!fds)
		die("out of memory");
	for (i = 0; i < count; i++)
		fds[i] = connect_to(nsrc ? &srcs[(size_t)i % nsrc] : NULL,
				    &ep.addr[(size_t)i % ep.count]);
	for (i = 0; i < half; i++)
		if (shutdown(fds[i], SHUT_WR) < 0)
			die("shutdown: %s", strerror(errno));
	say("ready %ld", count);
	for (;;)
		pause();
}

/* Close every accepted socket once its peer's FIN has arrived, so the client
 * side, which closed first, is the one left in TIME_WAIT (RFC 9293 3.6). */
static void close_after_peer(int *fds, size_t n)
{
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	size_t left = n, i;

	if (!pfd)
		die("out of memory");
	for (i = 0; i < n; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLRDHUP | POLLIN;
	}
	while (left) {
		int ready = poll(pfd, n, 5000);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			die("poll: %s", strerror(errno));
		if (ready == 0)
			die("%zu peers did not close within 5 s", left);
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			close(pfd[i].fd);
			pfd[i].fd = -1; /* poll() skips negative fds */
			left--;
		}
	}
	free(pfd);
}

static int count_tw_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(long *)data)++;
	return MNL_CB_OK;
}

/* IPv4 TIME_WAIT sockets in this namespace: one sock_diag dump filtered on the
 * state in the kernel, cheap enough to run before every timed run. */
static long count_time_wait(void)
{
	static char buf[1 << 20];
	struct inet_diag_req_v2 *req;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq = (unsigned int)time(NULL);
	long count = 0;
	ssize_t len;
	int ret;

	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("sock_diag socket: %s", strerror(errno));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 1u << 6; /* TCP_TIME_WAIT */
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("sock_diag request: %s", strerror(errno));
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			die("sock_diag dump: %s", strerror(errno));
		ret = mnl_cb_run(buf, (size_t)len, seq, mnl_socket_get_portid(nl), count_tw_cb,
				 &count);
		if (ret < 0)
			die("sock_diag dump: %s", strerror(errno));
	} while (ret != MNL_CB_STOP);
	mnl_socket_close(nl);
	return count;
}

/* tw [-t] [-s SRC] -n COUNT ADDR PORT: leave COUNT sockets in TIME_WAIT (with -t:
 * only as many as it takes to have COUNT in the namespace) and exit.
 * TIME_WAIT sockets belong to no process and live TCP_TIMEWAIT_LEN (60 s, fixed
 * in the kernel): `tw -t` as hyperfine's --prepare keeps the count up through
 * a long run. Without -s, the source address changes every second, so each
 * batch has a fresh 4-tuple space next to the ones still in TIME_WAIT. */
static int run_tw(int argc, char **argv)
{
	static int clients[TW_BATCH], servers[TW_BATCH];
	long count = 0, done = 0, batch, i;
	bool top_up = false;
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct endpoints ep;
	int opt, lfd;

	src.sin_addr.s_addr = htonl(0x7f040001u + (uint32_t)(time(NULL) % 60000));
	while ((opt = getopt(argc, argv, "+ts:n:")) != -1) {
		switch (opt) {
		case 't':
			top_up = true;
			break;
		case 's':
			parse_source(optarg, &src);
			break;
		case 'n':
			count = parse_long(optarg, 1, 100000000, "-n");
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2 || !count)
		die("usage: tw [-t] [-s SRC] -n COUNT ADDR PORT");
	parse_endpoints(argv[optind], argv[optind + 1], &ep);
	if (ep.count != 1)
		die("tw takes one address and one port");
	if (top_up) {
		count -= count_time_wait();
		if (count <= 0) {
			say("ready 0");
			return 0;
		}
	}
	raise_fd_limit(2 * TW_BATCH + 16);
	lfd = listen_on(&ep.addr[0], false);

	while (done < count) {
		batch = count - done < TW_BATCH ? count - done : TW_BATCH;
		for (i = 0; i < batch; i++) {
			clients[i] = connect_to(&src, &ep.addr[0]);
			servers[i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (servers[i] < 0)
				die("accept: %s", strerror(errno));
		}
		for (i = 0; i < batch; i++)
			close(clients[i]);
		close_after_peer(servers, (size_t)batch);
		done += batch;
	}
	close(lfd);
	say("ready %ld", done);
	return 0;
}

/* rss CMD [ARG...]: run CMD, then print "maxrss_kib N" (its peak RSS) on stderr. */
static int run_rss(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2)
		die("usage: rss CMD [ARG...]");
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		die("exec %s: %s", argv[1], strerror(errno));
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	fprintf(stderr, "maxrss_kib %ld\n", ru.ru_maxrss);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	bool follows_parent;
	const char *usage;
} holder_modes[] = {
	{ "server", run_server, true,
	  "server [-m MAXFDS] [-e EXPECT] ADDR[,ADDR...] PORT[-PORT]  accept and keep" },
	{ "client", run_client, true,
	  "client [-s SRC[,SRC...]] [-w HALF] -n COUNT ADDR[,ADDR...] PORT[-PORT]  connect and "
	  "keep (-w: half-close HALF of them)" },
	{ "tw", run_tw, true,
	  "tw [-t] [-s SRC] -n COUNT ADDR PORT  leave COUNT TIME_WAIT (-t: up to COUNT), exit" },
	{ "rss", run_rss, false, "rss CMD [ARG...]  run CMD, print its peak RSS (KiB)" },
};

int main(int argc, char **argv)
{
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; argc > 1 && i < sizeof(holder_modes) / sizeof(holder_modes[0]); i++) {
		if (strcmp(argv[1], holder_modes[i].name))
			continue;
		holder_mode = holder_modes[i].name;
		if (holder_modes[i].follows_parent)
			follow_parent();
		return holder_modes[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "usage:\n");
	for (i = 0; i < sizeof(holder_modes) / sizeof(holder_modes[0]); i++)
		fprintf(stderr, "  holder %s\n", holder_modes[i].usage);
	fprintf(stderr, "Readiness: one line \"listening N\" / \"ready N\" on stdout.\n");
	return 2;
}

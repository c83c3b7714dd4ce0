/* Lab actors: forked tcpdoctor processes that act inside a namespace and
 * report what the socket API told them through a pipe. Ready-made: a server
 * (listen, accept or not, close or not, reset) and a client (connect, send,
 * read, write, close). Scenarios may spawn their own functions too. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/lab_int.h"
#include "capture/pcapsrc.h"

/* ---- spawning --------------------------------------------------------------------- */

static int keep_fd = -1;

/* --keep: outlive the parent (no parent-death signal), leave its session
 * so no terminal signal reaches us, and end in an hour at the latest. */
static void on_keep(int sig)
{
	struct td_lab_wire w = { 0 };
	int saved = errno;

	(void)sig;
	prctl(PR_SET_PDEATHSIG, 0);
	setsid();
	alarm(TD_LAB_KEEP_SECONDS);
	memcpy(w.tag, TD_LAB_KEPT_TAG, sizeof(TD_LAB_KEPT_TAG));
	if (write(keep_fd, &w, sizeof(w)) < 0)
		errno = saved;
	errno = saved;
}

void td_lab_say(struct td_lab_actor_ctx *a, const char *tag, int err, long value)
{
	struct td_lab_wire w = { 0 };

	w.err = err;
	w.value = value;
	snprintf(w.tag, sizeof(w.tag), "%s", tag);
	/* Nobody to tell if the parent is gone: ignore the error. */
	if (write(a->report_fd, &w, sizeof(w)) < 0)
		return;
}

void td_lab_wait_go(struct td_lab_actor_ctx *a)
{
	sigset_t go;
	int sig;

	(void)a;
	sigemptyset(&go);
	sigaddset(&go, TD_LAB_GO_SIGNAL);
	while (sigwait(&go, &sig) != 0)
		;
}

int td_lab_go(struct td_lab *lab, int actor)
{
	struct td_err e = { 0 };

	if (actor < 0 || (size_t)actor >= lab->nactors || lab->actors[actor].pid <= 0)
		return td_lab_setup_failed(
			lab, td_err_set(&e, -EINVAL, "lab: go: no actor %d", actor), &e);
	if (kill(lab->actors[actor].pid, TD_LAB_GO_SIGNAL) < 0)
		return td_lab_setup_failed(lab,
					   td_err_set(&e, -errno, "lab: go: actor %s: %s",
						      lab->actors[actor].name, strerror(errno)),
					   &e);
	return 0;
}

/* Close every fd but keep (the actor's report pipe) and also (-1: none). */
static void close_other_fds(int keep, int also)
{
	int k[2] = { keep < also ? keep : also, keep < also ? also : keep };
	unsigned from = 3;

	for (size_t i = 0; i < 2; i++) {
		if (k[i] < (int)from)
			continue; /* -1 */
		if ((unsigned)k[i] > from)
			close_range(from, (unsigned)k[i] - 1, 0);
		from = (unsigned)k[i] + 1;
	}
	close_range(from, ~0U, 0);
}

static __attribute__((noreturn)) void actor_main(struct td_lab_actor_ctx *ctx, int nsfd,
						 pid_t parent, const char *comm, td_lab_actor_fn fn,
						 void *arg, int inherit_fd)
{
	struct sigaction sa = { .sa_handler = on_keep };
	int devnull;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The parent may have died before prctl took effect. */
	if (getppid() != parent)
		_exit(0);
	td_lab_signals_child();
	signal(SIGPIPE, SIG_IGN);
	/* "lab-server" in ps, ss -p and `states --by process`. */
	prctl(PR_SET_NAME, comm);
	keep_fd = ctx->report_fd;
	sigemptyset(&sa.sa_mask);
	sigaction(TD_LAB_KEEP_SIGNAL, &sa, NULL);
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		td_lab_say(ctx, "setns", errno, 0);
		_exit(1);
	}
	close(nsfd);
	close_other_fds(ctx->report_fd, inherit_fd);
	/* stdio on /dev/null: a kept actor must not hold the caller's
	 * terminal or a pipe someone is reading to EOF. */
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		if (devnull > 2)
			close(devnull);
	}
	fn(ctx, arg);
	/* Hold every socket the function left open until killed. */
	for (;;)
		pause();
}

/* Fork fn(arg) into role's namespace as process comm, as actor number index;
 * inherit_fd (-1: none) stays open in it. */
static int fork_actor(struct td_lab *lab, const char *role, const char *name, const char *comm,
		      int index, td_lab_actor_fn fn, void *arg, int inherit_fd, pid_t *pid_out,
		      int *report_fd)
{
	struct td_err e = { 0 };
	char path[128];
	const char *ns = td_lab_ns(lab, role);
	pid_t parent = getpid(), pid;
	sigset_t go, oldmask;
	int p[2], nsfd, rc;

	if (!ns)
		return td_lab_setup_failed(lab,
					   td_err_set(&e, -ENOENT,
						      "lab: actor %s: no "
						      "namespace for role '%s'",
						      name, role),
					   &e);
	snprintf(path, sizeof(path), TD_LABNET_RUN_DIR "/%s", ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return td_lab_setup_failed(lab,
					   td_err_set(&e, -errno,
						      "lab: actor %s: cannot "
						      "open %s: %s",
						      name, path, strerror(errno)),
					   &e);
	if (pipe2(p, O_CLOEXEC) < 0) {
		rc = td_err_set(&e, -errno, "lab: actor %s: pipe: %s", name, strerror(errno));
		close(nsfd);
		return td_lab_setup_failed(lab, rc, &e);
	}
	fflush(NULL);
	/* The child starts with the go signal blocked (see td_lab_wait_go), so
	 * a td_lab_go() that comes before it waits is kept pending, not fatal. */
	sigemptyset(&go);
	sigaddset(&go, TD_LAB_GO_SIGNAL);
	sigprocmask(SIG_BLOCK, &go, &oldmask);
	pid = fork();
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	if (pid < 0) {
		rc = td_err_set(&e, -errno, "lab: actor %s: fork: %s", name, strerror(errno));
		close(nsfd);
		close(p[0]);
		close(p[1]);
		return td_lab_setup_failed(lab, rc, &e);
	}
	if (pid == 0) {
		struct td_lab_actor_ctx ctx = { p[1], index };

		close(p[0]);
		actor_main(&ctx, nsfd, parent, comm, fn, arg, inherit_fd);
	}
	close(nsfd);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	td_lab_emergency_pid(pid);
	*pid_out = pid;
	*report_fd = p[0];
	return 0;
}

int td_lab_spawn(struct td_lab *lab, const char *role, const char *name, td_lab_actor_fn fn,
		 void *arg)
{
	struct td_lab_actor *a;
	struct td_err e = { 0 };
	char comm[16];
	pid_t pid;
	int rc, rfd;

	if (lab->nactors >= TD_LAB_MAX_ACTORS)
		return td_lab_setup_failed(
			lab, td_err_set(&e, -ENOSPC, "lab: more than %d actors", TD_LAB_MAX_ACTORS),
			&e);
	snprintf(comm, sizeof(comm), "lab-%s", role);
	rc = fork_actor(lab, role, name, comm, (int)lab->nactors, fn, arg, -1, &pid, &rfd);
	if (rc < 0)
		return rc;
	a = &lab->actors[lab->nactors];
	memset(a, 0, sizeof(*a));
	snprintf(a->role, sizeof(a->role), "%s", role);
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->pid = pid;
	a->report_fd = rfd;
	return (int)lab->nactors++;
}

int td_lab_spawn_aside(struct td_lab *lab, const char *role, const char *comm, td_lab_actor_fn fn,
		       void *arg, int inherit_fd, pid_t *pid, int *report_fd)
{
	return fork_actor(lab, role, comm, comm, -1, fn, arg, inherit_fd, pid, report_fd);
}

/* ---- the --pcap capture ----------------------------------------------------------- */

static struct td_pcapsrc *capture_src;
static volatile sig_atomic_t capture_stop;

static void on_capture_stop(int sig)
{
	(void)sig;
	capture_stop = 1;
	td_pcapsrc_break(capture_src);
}

static int capture_count(const struct td_pkt *p, uint64_t pkt_no, void *ctx)
{
	(void)p;
	(void)pkt_no;
	(void)ctx;
	return 0;
}

int td_lab_pcap_main(struct td_lab_actor_ctx *a, void *arg)
{
	const struct td_lab_pcap_arg *c = arg;
	const struct td_pcap_live_opts o = { .dev = c->dev,
					     .snaplen = TD_LAB_PCAP_SNAPLEN,
					     .filter = TD_LAB_PCAP_FILTER };
	struct sigaction sa = { .sa_handler = on_capture_stop };
	struct td_pcap_counts n = { 0 };
	struct td_pcap_kstats ks = { 0 };
	struct td_err e = { 0 };
	int rc, idle = 0, broke = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(TD_LAB_PCAP_STOP_SIGNAL, &sa, NULL);
	rc = td_pcapsrc_open_live(&capture_src, &o, &e);
	if (!rc)
		rc = td_pcapsrc_dump_fd(capture_src, c->fd, &e);
	if (rc < 0) {
		/* Only an errno crosses the pipe: TD_E* codes (a filter libpcap
		 * refuses, an unknown link type) become EINVAL. */
		td_lab_say(a, TD_LAB_PCAP_TAG, -rc >= TD_EPARSE ? EINVAL : -rc, 0);
		_exit(1);
	}
	td_lab_say(a, TD_LAB_PCAP_TAG, 0, 0);
	while (!capture_stop) {
		struct pollfd p = { td_pcapsrc_fd(capture_src), POLLIN, 0 };

		/* A stop between the test and poll() waits at most this long. */
		poll(&p, 1, 200);
		rc = td_pcapsrc_dispatch(capture_src, 0, capture_count, NULL, &n, &e);
		if (rc < 0) {
			broke = EIO; /* the interface went away, say */
			break;
		}
		/* Flushed as it goes: a run killed by a signal leaves a
		 * readable file up to its last packets. */
		td_pcapsrc_dump_flush(capture_src, NULL);
	}
	/* What is queued when the stop came: the first dispatch may only
	 * return the pending pcap_breakloop, so stop at two empty reads. */
	while (!broke && idle < 2) {
		rc = td_pcapsrc_dispatch(capture_src, 0, capture_count, NULL, &n, &e);
		if (rc < 0)
			break;
		idle = rc > 0 ? 0 : idle + 1;
	}
	td_pcapsrc_kstats(capture_src, &ks, NULL);
	if (td_pcapsrc_dump_flush(capture_src, NULL) < 0)
		broke = EIO;
	td_pcapsrc_close(capture_src);
	td_lab_say(a, TD_LAB_PCAP_DROP_TAG, 0, (long)(ks.dropped + ks.if_dropped));
	td_lab_say(a, TD_LAB_PCAP_TAG, broke, (long)n.packets);
	_exit(0);
}
/* ---- sockets ---------------------------------------------------------------------- */

static socklen_t make_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return 0;
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return 0;
		return sizeof(*s4);
	}
}

static int listen_on(const char *addr, uint16_t port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(addr, port, &ss);
	int one = 1, fd, e;

	if (!len)
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

#define SERVER_MAX_FDS 128

enum { FD_LISTENER = 1, FD_CONN };

static int server_main(struct td_lab_actor_ctx *a, void *arg)
{
	const struct td_lab_server *srv = arg;
	struct pollfd p[SERVER_MAX_FDS];
	int kind[SERVER_MAX_FDS];
	size_t n = 0;

	for (size_t i = 0; i < 2 && srv->addr[i]; i++) {
		int fd = listen_on(srv->addr[i], srv->port, srv->backlog ? srv->backlog : 128);

		td_lab_say(a, "listen", fd < 0 ? -fd : 0, srv->port);
		if (fd < 0)
			continue;
		p[n] = (struct pollfd){ fd, POLLIN, 0 };
		kind[n++] = FD_LISTENER;
	}
	if (srv->mode == TD_LAB_SRV_NO_ACCEPT)
		return 0;
	for (;;) {
		size_t cur = n;

		if (poll(p, n, -1) < 0)
			continue; /* EINTR (the keep signal) */
		for (size_t i = 0; i < cur; i++) {
			char buf[4096];
			ssize_t r;
			int c, pending = 0;

			if (!p[i].revents || p[i].fd < 0)
				continue;
			if (kind[i] == FD_LISTENER) {
				c = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);
				td_lab_say(a, "accept", c < 0 ? errno : 0, 0);
				if (c < 0)
					continue;
				if (srv->mode == TD_LAB_SRV_CLOSE_FIRST) {
					/* The server is the active closer: its FIN
					 * leaves before the client has sent anything. */
					close(c);
					td_lab_say(a, "close", 0, 0);
					continue;
				}
				if (n < SERVER_MAX_FDS) {
					p[n] = (struct pollfd){ c, POLLIN, 0 };
					kind[n++] = FD_CONN;
				}
				continue;
			}
			if (srv->mode == TD_LAB_SRV_RESET_UNREAD) {
				/* Closing with unread data in the receive queue
				 * makes the kernel send a RST, not a FIN (RFC 9293
				 * 3.6.1 allows it; Linux counts TCPAbortOnClose). */
				ioctl(p[i].fd, FIONREAD, &pending);
				close(p[i].fd);
				p[i].fd = -1;
				td_lab_say(a, "close", 0, pending);
				continue;
			}
			r = read(p[i].fd, buf, sizeof(buf));
			if (r > 0 && srv->mode == TD_LAB_SRV_RESET_LINGER) {
				/* Linger on with a zero timeout: close() aborts
				 * the connection with a RST (tcp_close ->
				 * tcp_disconnect), even with nothing unread. */
				struct linger lg = { 1, 0 };

				setsockopt(p[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
				close(p[i].fd);
				p[i].fd = -1;
				td_lab_say(a, "close", 0, 0);
				continue;
			}
			if (r > 0)
				continue;
			td_lab_say(a, "read", r < 0 ? errno : 0, (long)r);
			if (srv->mode == TD_LAB_SRV_CLOSE) {
				close(p[i].fd);
				td_lab_say(a, "close", 0, 0);
			}
			/* TD_LAB_SRV_HOLD: the leak. The fd stays open, the
			 * socket stays in CLOSE_WAIT. */
			p[i].fd = -1;
		}
	}
	return 0;
}

int td_lab_server(struct td_lab *lab, const char *role, const struct td_lab_server *srv)
{
	char name[32];

	snprintf(name, sizeof(name), "server:%u", srv->port);
	return td_lab_spawn(lab, role, name, server_main, (void *)srv);
}

static const char hello[] = "hello\n";

/* Wait (up to 3 s) until the socket's FIN is acknowledged: FIN_WAIT2.
 * Why a scenario would: an orphan (closed before that ACK) whose ACK the
 * kernel processes while close() still holds the socket lock gets a
 * keepalive timer instead of a FIN_WAIT2 timewait entry, and that timer
 * ends it with a RST (tcp_rcv_state_process's FIN_WAIT1 case, then
 * tcp_keepalive_timer). Closing once in FIN_WAIT2 ends it silently. */
static int fin_acked(int fd)
{
	uint64_t deadline = td_lab_now_ms() + 3000;

	do {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
			return errno;
		if (ti.tcpi_state == TCP_FIN_WAIT2)
			return 0;
		usleep(1000);
	} while (td_lab_now_ms() < deadline);
	return ETIMEDOUT;
}

/* A connected socket: its steps, each reported. */
static void client_steps(struct td_lab_actor_ctx *a, const struct td_lab_clients *cli, int fd)
{
	struct timeval tv = { 5, 0 };
	char buf[256];
	ssize_t r;

	td_lab_say(a, "connect", 0, 0);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (cli->steps & TD_LAB_CLI_SEND) {
		r = send(fd, hello, sizeof(hello) - 1, MSG_NOSIGNAL);
		td_lab_say(a, "send", r < 0 ? errno : 0, (long)r);
	}
	if (cli->steps & TD_LAB_CLI_READ) {
		r = read(fd, buf, sizeof(buf));
		td_lab_say(a, "read", r < 0 ? errno : 0, (long)r);
	}
	if (cli->steps & TD_LAB_CLI_WRITE) {
		r = send(fd, hello, sizeof(hello) - 1, MSG_NOSIGNAL);
		td_lab_say(a, "write", r < 0 ? errno : 0, (long)r);
	}
	if (cli->steps & TD_LAB_CLI_SHUT_WR) {
		int e = shutdown(fd, SHUT_WR) < 0 ? errno : fin_acked(fd);

		td_lab_say(a, "shutdown", e, 0);
	}
	if (cli->steps & TD_LAB_CLI_CLOSE) {
		close(fd);
		td_lab_say(a, "close", 0, 0);
	}
}

/* The outcome of a non-blocking connect, from SO_ERROR. */
static int connect_result(int fd)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return errno;
	return e;
}

#define CLIENT_MAX_PENDING 256

static int client_main(struct td_lab_actor_ctx *a, void *arg)
{
	const struct td_lab_clients *cli = arg;
	struct pollfd pend[CLIENT_MAX_PENDING];
	struct sockaddr_storage ss;
	socklen_t len = make_addr(cli->addr, cli->port, &ss);
	int wait_ms = cli->connect_wait_ms ? cli->connect_wait_ms : 5000;
	size_t npend = 0, left;

	if (!len) {
		td_lab_say(a, "connect", EINVAL, 0);
		return -EINVAL;
	}
	for (int i = 0; i < cli->count; i++) {
		struct pollfd p;
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), e;

		if (fd < 0) {
			td_lab_say(a, "connect", errno, 0);
			continue;
		}
		if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
			client_steps(a, cli, fd);
			continue;
		}
		if (errno != EINPROGRESS) {
			/* Failed at once: no route, a local blackhole. */
			td_lab_say(a, "connect", errno, 0);
			close(fd);
			continue;
		}
		p = (struct pollfd){ fd, POLLOUT, 0 };
		while (poll(&p, 1, wait_ms) < 0 && errno == EINTR)
			;
		if (!p.revents) {
			/* Still in SYN_SENT: watch it later, go on. */
			if (npend < CLIENT_MAX_PENDING)
				pend[npend++] = p;
			continue;
		}
		e = connect_result(fd);
		if (e) {
			td_lab_say(a, "connect", e, 0);
			close(fd);
		} else {
			client_steps(a, cli, fd);
		}
	}
	/* The pending ones end when the kernel gives up (tcp_syn_retries) or
	 * the handshake completes after all. */
	for (left = npend; left;) {
		if (poll(pend, npend, -1) < 0)
			continue;
		for (size_t i = 0; i < npend; i++) {
			int e;

			if (pend[i].fd < 0 || !pend[i].revents)
				continue;
			e = connect_result(pend[i].fd);
			if (e) {
				td_lab_say(a, "connect", e, 0);
				close(pend[i].fd);
			} else {
				client_steps(a, cli, pend[i].fd);
			}
			pend[i].fd = -1;
			left--;
		}
	}
	return 0;
}

int td_lab_clients(struct td_lab *lab, const char *role, const struct td_lab_clients *cli)
{
	char name[32];

	snprintf(name, sizeof(name), strchr(cli->addr, ':') ? "client->[%s]:%u" : "client->%s:%u",
		 cli->addr, cli->port);
	return td_lab_spawn(lab, role, name, client_main, (void *)cli);
}

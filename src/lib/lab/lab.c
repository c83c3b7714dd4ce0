/* The lab framework (see lab.h): the scenario table, a run's life (namespaces,
 * actors, signals, teardown), views, and the checks that compare what a
 * scenario expects with tcpdoctor's model and with `ss`. Actors are in
 * actors.c, one file per scenario group in scenarios/. */
#include "lab/lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sockets/agg.h"
#include "sockets/filter.h"
#include "lab/lab_int.h"
#include "lab/scenarios/scenario.h"
#include "sockets/source.h"

static const struct td_lab_scenario scenarios[] = {
#define TD_LAB_SCENARIO(name, fn, summary) { name, summary, fn },
#include "lab/scenarios/scenarios.def"
#undef TD_LAB_SCENARIO
};

const struct td_lab_scenario *td_lab_scenarios(size_t *n)
{
	*n = sizeof(scenarios) / sizeof(scenarios[0]);
	return scenarios;
}

const struct td_lab_scenario *td_lab_scenario_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

/* ---- small things ------------------------------------------------------------ */

uint64_t td_lab_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const struct {
	int e;
	const char *name;
} errno_names[] = {
	{ 0, "0" },
	{ EPERM, "EPERM" },
	{ ENOENT, "ENOENT" },
	{ EINTR, "EINTR" },
	{ EIO, "EIO" },
	{ EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },
	{ EACCES, "EACCES" },
	{ EINVAL, "EINVAL" },
	{ EPIPE, "EPIPE" },
	{ ENOTCONN, "ENOTCONN" },
	{ EADDRINUSE, "EADDRINUSE" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" },
	{ ENETDOWN, "ENETDOWN" },
	{ ENETUNREACH, "ENETUNREACH" },
	{ ENETRESET, "ENETRESET" },
	{ ECONNABORTED, "ECONNABORTED" },
	{ ECONNRESET, "ECONNRESET" },
	{ EISCONN, "EISCONN" },
	{ ETIMEDOUT, "ETIMEDOUT" },
	{ ECONNREFUSED, "ECONNREFUSED" },
	{ EHOSTDOWN, "EHOSTDOWN" },
	{ EHOSTUNREACH, "EHOSTUNREACH" },
	{ EALREADY, "EALREADY" },
	{ EINPROGRESS, "EINPROGRESS" },
	{ EPROTO, "EPROTO" },
	{ EMSGSIZE, "EMSGSIZE" },
	{ ENOBUFS, "ENOBUFS" },
	{ ENOMEM, "ENOMEM" },
	{ EMFILE, "EMFILE" },
};

const char *td_lab_errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].e == e)
			return errno_names[i].name;
	return "E?";
}

bool td_lab_id_ok(const char *id)
{
	size_t n = 0;

	if (!id)
		return false;
	for (; id[n]; n++)
		if (!((id[n] >= 'a' && id[n] <= 'z') || (id[n] >= 'A' && id[n] <= 'Z') ||
		      (id[n] >= '0' && id[n] <= '9') || id[n] == '_'))
			return false;
	return n >= 1 && n <= TD_LAB_ID_MAX;
}

static bool role_ok(const char *role)
{
	size_t n = 0;

	for (; role[n]; n++)
		if (!((role[n] >= 'a' && role[n] <= 'z') || (role[n] >= '0' && role[n] <= '9')))
			return false;
	return n >= 1 && n <= TD_LAB_ROLE_MAX;
}

const char *td_lab_netns_name(const char *id, const char *role, char *buf, size_t len)
{
	if (id && *id)
		snprintf(buf, len, TD_LABNET_PREFIX "%s-%s", id, role);
	else
		snprintf(buf, len, TD_LABNET_PREFIX "%s", role);
	return buf;
}

/* Capability bits in /proc/self/status CapEff (linux/capability.h). */
#define CAP_BIT_NET_ADMIN 12
#define CAP_BIT_NET_RAW 13
#define CAP_BIT_SYS_ADMIN 21

int td_lab_check_privileges(struct td_err *err)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *fp;
	unsigned long long need = (1ULL << CAP_BIT_NET_ADMIN) | (1ULL << CAP_BIT_NET_RAW) |
				  (1ULL << CAP_BIT_SYS_ADMIN);

	fp = fopen("/proc/self/status", "re");
	if (fp) {
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		fclose(fp);
	}
	if ((eff & need) == need)
		return 0;
	/* Making namespaces needs CAP_SYS_ADMIN (mount, setns), links and
	 * routes CAP_NET_ADMIN, spoofing scenarios CAP_NET_RAW. */
	return td_err_set(err, -EPERM,
			  "lab needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN and "
			  "CAP_NET_RAW) to build network namespaces: run it with sudo");
}

void td_lab_story(struct td_lab *lab, const char *fmt, ...)
{
	va_list ap;

	if (lab->nstory >= TD_LAB_MAX_STORY)
		return;
	va_start(ap, fmt);
	vsnprintf(lab->story[lab->nstory++], sizeof(lab->story[0]), fmt, ap);
	va_end(ap);
}

/* A setup step failed: keep its error for the caller. */
int td_lab_setup_failed(struct td_lab *lab, int rc, const struct td_err *e)
{
	if (!lab->err.code) {
		if (e && e->code)
			lab->err = *e;
		else
			td_err_set(&lab->err, rc, "lab setup: %s", strerror(-rc));
	}
	return rc < 0 ? rc : -EIO;
}

/* Every check that waits polls its condition and returns as soon as it
 * holds; its deadline is only how long a failure takes to be declared. On a
 * loaded machine (CPU hogs, a busy hypervisor, softirqs deferred to
 * ksoftirqd) actors and packets run late, so each wait gets this much more
 * than the scenario asks for: an idle run never spends it. */
static uint64_t lab_deadline(uint64_t t0, int timeout_ms)
{
	return t0 + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) + TD_LAB_SLACK_MS;
}

static struct td_lab_check *add_check(struct td_lab *lab, enum td_lab_check_kind kind, bool ok,
				      uint32_t elapsed_ms)
{
	static struct td_lab_check overflow;
	struct td_lab_check *c;

	if (lab->nchecks >= TD_LAB_MAX_CHECKS) {
		c = &overflow;
	} else {
		c = &lab->checks[lab->nchecks++];
	}
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->ok = ok;
	c->elapsed_ms = elapsed_ms;
	return c;
}

/* Record the first failure as the run's reason. */
static int check_failed(struct td_lab *lab, const struct td_lab_check *c)
{
	if (!lab->reason[0])
		snprintf(lab->reason, sizeof(lab->reason), "expected %.190s; saw %.300s", c->what,
			 c->seen);
	return -TD_ELABCHECK;
}

/* ---- signals: never leave a namespace behind ------------------------------------ */

/* What the handler needs, written before it is needed, read only by the
 * handler (async-signal-safe: kill, umount2, unlink, sigaction, raise). */
static struct {
	volatile sig_atomic_t armed;
	pid_t owner;
	size_t nns, npids;
	char paths[TD_LAB_MAX_NS][96];
	pid_t pids[TD_LAB_MAX_ACTORS];
} emergency;

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved_actions[3];

static void on_fatal_signal(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* Actors inherit the handler until they reset it: only the run's
	 * own process cleans up. */
	if (emergency.armed && getpid() == emergency.owner) {
		for (size_t i = 0; i < emergency.npids; i++)
			if (emergency.pids[i] > 0)
				kill(emergency.pids[i], SIGKILL);
		for (size_t i = 0; i < emergency.nns; i++) {
			umount2(emergency.paths[i], MNT_DETACH);
			unlink(emergency.paths[i]);
		}
		emergency.armed = 0;
	}
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

static void signals_arm(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal };

	sigemptyset(&sa.sa_mask);
	emergency.owner = getpid();
	emergency.nns = emergency.npids = 0;
	emergency.armed = 1;
	for (size_t i = 0; i < 3; i++)
		sigaction(cleanup_signals[i], &sa, &saved_actions[i]);
}

static void signals_disarm(void)
{
	emergency.armed = 0;
	for (size_t i = 0; i < 3; i++)
		sigaction(cleanup_signals[i], &saved_actions[i], NULL);
}

void td_lab_signals_child(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	for (size_t i = 0; i < 3; i++)
		sigaction(cleanup_signals[i], &dfl, NULL);
}

void td_lab_emergency_pid(pid_t pid)
{
	if (emergency.npids < TD_LAB_MAX_ACTORS) {
		emergency.pids[emergency.npids] = pid;
		emergency.npids++;
	}
}

/* ---- namespaces and topology ----------------------------------------------------- */

const char *td_lab_ns(const struct td_lab *lab, const char *role)
{
	for (size_t i = 0; i < lab->nns; i++)
		if (!strcmp(lab->ns[i].role, role))
			return lab->ns[i].name;
	return NULL;
}

int td_lab_add_netns(struct td_lab *lab, const char *role)
{
	struct td_lab_ns *ns;
	struct td_err e = { 0 };
	int rc;

	if (!role_ok(role))
		return td_lab_setup_failed(lab,
					   td_err_set(&e, -EINVAL,
						      "lab: bad role name '%s' "
						      "(a-z, 0-9, at most %d)",
						      role, TD_LAB_ROLE_MAX),
					   &e);
	if (td_lab_ns(lab, role))
		return td_lab_setup_failed(
			lab, td_err_set(&e, -EEXIST, "lab: role '%s' twice", role), &e);
	if (lab->nns >= TD_LAB_MAX_NS)
		return td_lab_setup_failed(lab,
					   td_err_set(&e, -ENOSPC,
						      "lab: more than %d "
						      "namespaces",
						      TD_LAB_MAX_NS),
					   &e);
	ns = &lab->ns[lab->nns];
	memset(ns, 0, sizeof(*ns));
	snprintf(ns->role, sizeof(ns->role), "%s", role);
	td_lab_netns_name(lab->id, role, ns->name, sizeof(ns->name));
	/* Known to the signal handler before it exists: a Ctrl-C between the
	 * file and the bind mount still removes the file. */
	snprintf(emergency.paths[lab->nns], sizeof(emergency.paths[0]), TD_LABNET_RUN_DIR "/%s",
		 ns->name);
	rc = td_labnet_netns_add(ns->name, &e);
	if (rc < 0)
		return td_lab_setup_failed(lab, rc, &e);
	ns->created = true;
	lab->nns++;
	emergency.nns = lab->nns;
	return 0;
}

static const char *need_ns(struct td_lab *lab, const char *role, int *rc)
{
	const char *name = td_lab_ns(lab, role);
	struct td_err e = { 0 };

	*rc = 0;
	if (!name)
		*rc = td_lab_setup_failed(lab,
					  td_err_set(&e, -ENOENT,
						     "lab: no namespace for "
						     "role '%s'",
						     role),
					  &e);
	return name;
}

int td_lab_sysctl(struct td_lab *lab, const char *role, const char *key, const char *value)
{
	struct td_err e = { 0 };
	int rc;
	const char *ns = need_ns(lab, role, &rc);

	if (!ns)
		return rc;
	rc = td_labnet_sysctl_set(ns, key, value, &e);
	return rc < 0 ? td_lab_setup_failed(lab, rc, &e) : 0;
}

int td_lab_route(struct td_lab *lab, const char *role, bool add, const char *dst,
		 enum td_route_kind kind, const char *gw, const char *dev)
{
	struct td_err e = { 0 };
	int rc;
	const char *ns = need_ns(lab, role, &rc);

	if (!ns)
		return rc;
	rc = td_labnet_route(ns, add, dst, kind, gw, dev, &e);
	return rc < 0 ? td_lab_setup_failed(lab, rc, &e) : 0;
}

int td_lab_link(struct td_lab *lab, const char *role, const char *ifname, bool up)
{
	struct td_err e = { 0 };
	int rc;
	const char *ns = need_ns(lab, role, &rc);

	if (!ns)
		return rc;
	rc = td_labnet_link_set(ns, ifname, up, &e);
	return rc < 0 ? td_lab_setup_failed(lab, rc, &e) : 0;
}

int td_lab_nft(struct td_lab *lab, const char *role, const char *script)
{
	static const char *const argv[] = { "nft", "-f", "-", NULL };
	struct td_err e = { 0 };
	char errbuf[400];
	int rc, status = 0;
	const char *ns = need_ns(lab, role, &rc);

	if (!ns)
		return rc;
	rc = td_labnet_run(ns, argv, script, NULL, 0, errbuf, sizeof(errbuf), &status, &e);
	if (rc == -ENOENT)
		td_err_set(&e, rc,
			   "lab: this scenario needs nft (nftables): apt-get install "
			   "nftables, or scripts/deps");
	if (rc < 0)
		return td_lab_setup_failed(lab, rc, &e);
	if (status) {
		errbuf[strcspn(errbuf, "\n")] = '\0';
		td_err_set(&e, -EINVAL, "lab: nft in %s failed (exit %d): %s", ns, status, errbuf);
		return td_lab_setup_failed(lab, -EINVAL, &e);
	}
	return 0;
}

int td_lab_counter(struct td_lab *lab, const char *role, const char *name, uint64_t *value)
{
	struct td_err e = { 0 };
	int rc;
	const char *ns = need_ns(lab, role, &rc);

	if (!ns)
		return rc;
	rc = td_labnet_counter(ns, name, value, &e);
	return rc < 0 ? td_lab_setup_failed(lab, rc, &e) : 0;
}

/* Timers short enough that a whole scenario takes seconds: connect() gives
 * up after 7 s (1+2+4; with tcp_syn_linear_timeouts the retries inside that
 * time come 1 s apart), a SYN-ACK is retried twice, and an orphaned
 * FIN_WAIT2 lasts 10 s instead of 60. */
static const struct {
	const char *key, *value;
} lab_sysctls[] = {
	{ "net.ipv4.tcp_syn_retries", "2" },
	{ "net.ipv4.tcp_synack_retries", "2" },
	{ "net.ipv4.tcp_fin_timeout", "10" },
};

/* Until the kernel's linkwatch work activates a new veth's qdisc, packets
 * are dropped; a dropped ARP/ND probe delays the first SYN by a second or
 * more, and that RTT sample inflates the RTO, and with it every timer
 * derived from it (an orphan FIN_WAIT2 lives max(tcp_fin_timeout, 3.5 RTO)).
 * So: knock on a closed port of the peer until its RST comes back fast. */
static int probe_path(const char *ns, const char *addr, struct td_err *err)
{
	struct sockaddr_storage ss = { 0 };
	uint64_t deadline = td_lab_now_ms() + 5000;
	socklen_t len;
	int saved, rc, last = 0;

	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(TD_LAB_PROBE_PORT);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(TD_LAB_PROBE_PORT);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	}
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0)
		return rc;
	while (td_lab_now_ms() < deadline) {
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		struct pollfd p = { fd, POLLOUT, 0 };
		socklen_t el = sizeof(last);

		if (fd < 0) {
			last = errno;
			break;
		}
		if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
			last = errno;
		} else if (poll(&p, 1, 100) == 1) {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &last, &el);
		} else {
			last = ETIMEDOUT;
		}
		close(fd);
		if (last == ECONNREFUSED)
			break;
		poll(NULL, 0, 20);
	}
	td_labnet_leave(saved, NULL);
	if (last != ECONNREFUSED)
		return td_err_set(err, -EHOSTUNREACH,
				  "lab: %s cannot reach %s over the veth "
				  "(%s)",
				  ns, addr, strerror(last));
	return 0;
}

/* ---- --pcap: a capture actor on the server's veth end ------------------------------ */

/* Read the capture actor's reports, waiting up to wait_ms for the first;
 * true at EOF (it has exited). */
static bool pcap_collect(struct td_lab_pcap *pc, int wait_ms, bool *started)
{
	struct pollfd p = { pc->report_fd, POLLIN, 0 };
	struct td_lab_wire w;
	ssize_t got;

	if (poll(&p, 1, wait_ms) <= 0)
		return false;
	while ((got = read(pc->report_fd, &w, sizeof(w))) == (ssize_t)sizeof(w)) {
		w.tag[sizeof(w.tag) - 1] = '\0';
		if (!strcmp(w.tag, TD_LAB_PCAP_DROP_TAG)) {
			pc->dropped = (uint64_t)w.value;
		} else if (!strcmp(w.tag, TD_LAB_PCAP_TAG) && !*started) {
			*started = true;
			pc->error = w.err;
		} else if (!strcmp(w.tag, TD_LAB_PCAP_TAG)) {
			pc->stopped = true;
			pc->packets = (uint64_t)w.value;
			pc->error = w.err;
		}
	}
	return got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR);
}

/* Wait for the capture actor to exit (SIGKILL after wait_ms) and forget it. */
static void pcap_reap(struct td_lab_pcap *pc, int wait_ms)
{
	uint64_t deadline = td_lab_now_ms() + (uint64_t)wait_ms;
	bool started = true, eof = false;

	while (!eof && td_lab_now_ms() < deadline)
		eof = pcap_collect(pc, (int)(deadline - td_lab_now_ms()), &started);
	if (!eof)
		kill(pc->pid, SIGKILL);
	while (waitpid(pc->pid, NULL, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < emergency.npids; i++)
		if (emergency.pids[i] == pc->pid)
			emergency.pids[i] = 0;
	close(pc->report_fd);
	pc->report_fd = -1;
	pc->pid = 0;
}

static int pcap_start(struct td_lab *lab)
{
	struct td_lab_pcap *pc = &lab->pcap;
	struct td_lab_pcap_arg arg = { TD_LAB_SERVER_IF, pc->fd };
	uint64_t deadline = td_lab_now_ms() + 5000;
	bool started = false;
	struct td_err e = { 0 };
	int rc;

	/* The server's end sees both directions, and what the server's nft
	 * rules drop on input (they act after the capture tap). */
	rc = td_lab_spawn_aside(lab, "server", "lab-capture", td_lab_pcap_main, &arg, pc->fd,
				&pc->pid, &pc->report_fd);
	close(pc->fd); /* the actor has its own */
	pc->fd = -1;
	if (rc < 0)
		return rc;
	while (!started && td_lab_now_ms() < deadline)
		if (pcap_collect(pc, (int)(deadline - td_lab_now_ms()), &started))
			break;
	if (started && !pc->error) {
		pc->started = true;
		td_lab_story(lab,
			     "A capture in %s on %s (filter '%s', snap length %d) writes "
			     "every segment of the scenario to %s.",
			     td_lab_ns(lab, "server"), TD_LAB_SERVER_IF, TD_LAB_PCAP_FILTER,
			     TD_LAB_PCAP_SNAPLEN, pc->file);
		return 0;
	}
	pcap_reap(pc, 0);
	if (!started)
		rc = td_err_set(&e, -ETIMEDOUT,
				"lab --pcap: the capture in %s on %s did not "
				"start within 5 s",
				td_lab_ns(lab, "server"), TD_LAB_SERVER_IF);
	else
		rc = td_err_set(&e, -pc->error, "lab --pcap: cannot capture in %s on %s: %s%s",
				td_lab_ns(lab, "server"), TD_LAB_SERVER_IF, strerror(pc->error),
				pc->error == EPERM ? " (capturing needs CAP_NET_RAW)" : "");
	return td_lab_setup_failed(lab, rc, &e);
}

/* Stop the capture cleanly (it reads what is queued, flushes and closes
 * the file), before anything is killed: the kills would add their own
 * FINs and RSTs to the story. A check says whether every packet was kept. */
static void pcap_stop(struct td_lab *lab)
{
	struct td_lab_pcap *pc = &lab->pcap;
	uint64_t t0 = td_lab_now_ms();
	struct td_lab_check *c;

	if (pc->pid <= 0)
		return;
	kill(pc->pid, TD_LAB_PCAP_STOP_SIGNAL);
	pcap_reap(pc, 5000);
	c = add_check(lab, TD_LAB_CHECK_OTHER, pc->stopped && !pc->error && !pc->dropped,
		      (uint32_t)(td_lab_now_ms() - t0));
	snprintf(c->what, sizeof(c->what),
		 "capture %s/%s -> %.120s: stopped cleanly, no "
		 "packet lost",
		 td_lab_ns(lab, "server"), TD_LAB_SERVER_IF, pc->file);
	if (!pc->stopped)
		snprintf(c->seen, sizeof(c->seen),
			 "the capture did not stop within 5 s: killed, "
			 "the file may lack its last packets");
	else if (pc->error)
		snprintf(c->seen, sizeof(c->seen), "%llu packets, then the capture broke: %s",
			 (unsigned long long)pc->packets, strerror(pc->error));
	else
		snprintf(c->seen, sizeof(c->seen),
			 "%llu packets written, %llu dropped by the "
			 "kernel",
			 (unsigned long long)pc->packets, (unsigned long long)pc->dropped);
	if (!c->ok)
		check_failed(lab, c);
}

int td_lab_topology(struct td_lab *lab)
{
	static const struct {
		const char *role, *ifname, *addr4, *addr6;
	} sides[] = {
		{ "client", TD_LAB_CLIENT_IF, TD_LAB_CLIENT4 "/24", TD_LAB_CLIENT6 "/64" },
		{ "server", TD_LAB_SERVER_IF, TD_LAB_SERVER4 "/24", TD_LAB_SERVER6 "/64" },
	};
	struct td_err e = { 0 };
	int rc;

	for (size_t i = 0; i < 2; i++) {
		rc = td_lab_add_netns(lab, sides[i].role);
		if (rc < 0)
			return rc;
	}
	rc = td_labnet_veth_add(td_lab_ns(lab, "client"), TD_LAB_CLIENT_IF,
				td_lab_ns(lab, "server"), TD_LAB_SERVER_IF, &e);
	if (rc < 0)
		return td_lab_setup_failed(lab, rc, &e);
	for (size_t i = 0; i < 2; i++) {
		const char *ns = td_lab_ns(lab, sides[i].role);

		rc = td_labnet_addr_add(ns, sides[i].ifname, sides[i].addr4, &e);
		if (!rc)
			rc = td_labnet_addr_add(ns, sides[i].ifname, sides[i].addr6, &e);
		if (!rc)
			rc = td_labnet_link_set(ns, sides[i].ifname, true, &e);
		for (size_t k = 0; !rc && k < sizeof(lab_sysctls) / sizeof(lab_sysctls[0]); k++)
			rc = td_labnet_sysctl_set(ns, lab_sysctls[k].key, lab_sysctls[k].value, &e);
		if (rc < 0)
			return td_lab_setup_failed(lab, rc, &e);
	}
	for (size_t i = 0; i < 2; i++) {
		const char *addr = i ? TD_LAB_SERVER6 : TD_LAB_SERVER4;

		rc = probe_path(td_lab_ns(lab, "client"), addr, &e);
		if (rc < 0)
			return td_lab_setup_failed(lab, rc, &e);
	}
	td_lab_story(lab,
		     "Namespaces %s (%s, %s) and %s (%s, %s), joined by a veth pair; no "
		     "default route.",
		     td_lab_ns(lab, "client"), TD_LAB_CLIENT4, TD_LAB_CLIENT6,
		     td_lab_ns(lab, "server"), TD_LAB_SERVER4, TD_LAB_SERVER6);
	/* After the warm-up knocks, before any scenario traffic: the file
	 * holds the scenario and nothing else. */
	if (lab->pcap.file[0] && !lab->pcap.started)
		return pcap_start(lab);
	return 0;
}

/* ---- model and oracle ------------------------------------------------------------ */

struct model_ctx {
	struct td_lab_counts *c;
	struct td_lab_view *v;
};

static int model_cb(const struct td_sock *s, void *data)
{
	struct model_ctx *m = data;
	int st = td_agg_state(s->state);

	if (st < 1 || st > TD_STATE_MAX)
		return 0;
	m->c->states[st]++;
	if (s->family == AF_INET6)
		m->c->v6[st]++;
	else
		m->c->v4[st]++;
	m->c->total++;
	if (st == TD_LISTEN) {
		m->c->listen_queue += s->rqueue;
		if ((s->flags & TD_SOCK_HAS_BACKLOG) && s->wqueue > m->c->listen_backlog)
			m->c->listen_backlog = s->wqueue;
	}
	if (m->v) {
		if (m->v->nsocks < TD_LAB_MAX_VIEW_SOCKS)
			m->v->socks[m->v->nsocks++] = *s;
		m->v->all_socks++;
	}
	return 0;
}

/* tcpdoctor's own view of a namespace: the same source `states` uses. */
int td_lab_model(const char *ns, struct td_lab_counts *c, struct td_lab_view *v, struct td_err *err)
{
	struct model_ctx m = { c, v };
	struct td_source src;
	struct td_filter f;
	int saved, rc;

	memset(c, 0, sizeof(*c));
	td_source_init(&src);
	td_filter_init(&f);
	rc = td_labnet_enter(ns, &saved, err);
	if (rc < 0)
		return rc;
	rc = td_source_dump(&src, &f, 0, model_cb, &m, err);
	if (td_labnet_leave(saved, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

int td_lab_ss_parse(const char *text, struct td_lab_counts *c, struct td_err *err)
{
	const char *line = text;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	while (*line) {
		char state[32];
		unsigned long rq, sq;
		uint32_t mask;
		int st = 0, n = 0;
		const char *end = strchr(line, '\n');

		lineno++;
		if (sscanf(line, "%31s %lu %lu%n", state, &rq, &sq, &n) < 3) {
			if (line[strspn(line, " \t")] == '\n' || !line[strspn(line, " \t")])
				goto next;
			return td_err_set(err, -TD_EPARSE,
					  "ss output line %d: expected STATE "
					  "RECV-Q SEND-Q ...",
					  lineno);
		}
		/* ss prints a closed (unhashed but bound) socket as UNCONN. */
		if (!strcmp(state, "UNCONN"))
			st = TD_CLOSE;
		else if (td_state_parse(state, &mask, NULL) == 0)
			for (int b = 1; b <= TD_STATE_MAX && !st; b++)
				if (mask & TD_STATE_BIT(b))
					st = b;
		if (st < 1 || st > TD_STATE_MAX)
			return td_err_set(err, -TD_EPARSE,
					  "ss output line %d: unknown state "
					  "'%s'",
					  lineno, state);
		if (st == TD_NEW_SYN_RECV)
			st = TD_SYN_RECV;
		c->states[st]++;
		c->total++;
		if (st == TD_LISTEN) {
			c->listen_queue += (uint32_t)rq;
			if (sq > c->listen_backlog)
				c->listen_backlog = (uint32_t)sq;
		}
	next:
		if (!end)
			break;
		line = end + 1;
	}
	return 0;
}

static int ss_counts(const char *ns, struct td_lab_counts *c, struct td_err *err)
{
	static const char *const argv[] = { "ss", "-Htan", NULL };
	char out[65536], errbuf[256];
	int status = 0, rc;

	rc = td_labnet_run(ns, argv, NULL, out, sizeof(out), errbuf, sizeof(errbuf), &status, err);
	if (rc == -ENOENT)
		return td_err_set(err, rc,
				  "lab: the oracle needs ss (iproute2): apt-get install "
				  "iproute2");
	if (rc < 0)
		return rc;
	if (status)
		return td_err_set(err, -EIO, "ss in %s failed (exit %d): %.200s", ns, status,
				  errbuf);
	return td_lab_ss_parse(out, c, err);
}

/* ---- expectations ------------------------------------------------------------------ */

enum spec_key { KEY_STATES, KEY_TOTAL, KEY_LQ, KEY_BACKLOG };

struct spec_term {
	char role[TD_LAB_ROLE_MAX + 1];
	enum spec_key key;
	uint32_t mask;
	char op; /* '=', '>' (>=), '<' (<=) */
	uint32_t n;
	char text[40];
};

/* Parse the next word of a spec. Returns 1 with *t filled for a term, 2
 * for a role word (t->role updated), 0 at the end, or -TD_EPARSE. */
static int spec_next(const char **p, struct spec_term *t, struct td_err *err)
{
	char word[64], *op, *end;
	size_t len;
	unsigned long n;

	*p += strspn(*p, " \t\n,;");
	if (!**p)
		return 0;
	len = strcspn(*p, " \t\n,;");
	if (len >= sizeof(word))
		return td_err_set(err, -TD_EPARSE, "lab spec: word too long: '%.*s'", (int)len, *p);
	memcpy(word, *p, len);
	word[len] = '\0';
	*p += len;
	op = strpbrk(word, "=<>");
	if (!op) {
		if (!role_ok(word))
			return td_err_set(err, -TD_EPARSE,
					  "lab spec: '%s' is neither a role "
					  "(a-z0-9) nor STATE=N",
					  word);
		snprintf(t->role, sizeof(t->role), "%.12s", word);
		return 2;
	}
	if (!t->role[0])
		return td_err_set(err, -TD_EPARSE, "lab spec: '%s' before any role name", word);
	snprintf(t->text, sizeof(t->text), "%.39s", word);
	if (op[0] == '=') {
		t->op = '=';
		end = op + 1;
	} else if ((op[0] == '>' || op[0] == '<') && op[1] == '=') {
		t->op = op[0];
		end = op + 2;
	} else {
		return td_err_set(err, -TD_EPARSE,
				  "lab spec: '%s': operator must be =, >= or <=", word);
	}
	*op = '\0';
	errno = 0;
	n = strtoul(end, &op, 10);
	if (errno || op == end || *op || n > UINT32_MAX)
		return td_err_set(err, -TD_EPARSE, "lab spec: '%s': expected a count", t->text);
	t->n = (uint32_t)n;
	if (!strcmp(word, "total")) {
		t->key = KEY_TOTAL;
	} else if (!strcmp(word, "lq")) {
		t->key = KEY_LQ;
	} else if (!strcmp(word, "backlog")) {
		t->key = KEY_BACKLOG;
	} else {
		t->key = KEY_STATES;
		if (td_state_parse(word, &t->mask, NULL) < 0)
			return td_err_set(err, -TD_EPARSE, "lab spec: '%s': unknown state '%s'",
					  t->text, word);
		/* Request sockets are counted as SYN_RECV already. */
		t->mask &= ~TD_STATE_BIT(TD_NEW_SYN_RECV);
	}
	return 1;
}

static uint32_t term_value(const struct spec_term *t, const struct td_lab_counts *c)
{
	uint32_t v = 0;

	switch (t->key) {
	case KEY_TOTAL:
		return c->total;
	case KEY_LQ:
		return c->listen_queue;
	case KEY_BACKLOG:
		return c->listen_backlog;
	case KEY_STATES:
		for (int st = 1; st <= TD_STATE_MAX; st++)
			if (t->mask & TD_STATE_BIT(st))
				v += c->states[st];
	}
	return v;
}

static bool term_holds(const struct spec_term *t, const struct td_lab_counts *c)
{
	uint32_t v = term_value(t, c);

	return t->op == '=' ? v == t->n : t->op == '>' ? v >= t->n : v <= t->n;
}

int td_lab_spec_check(const char *spec, struct td_err *err)
{
	struct spec_term t = { 0 };
	const char *p = spec;
	int rc, terms = 0;

	while ((rc = spec_next(&p, &t, err)) > 0)
		terms += rc == 1;
	if (rc < 0)
		return rc;
	if (!terms)
		return td_err_set(err, -TD_EPARSE, "lab spec '%s': nothing to expect", spec);
	return 0;
}

bool td_lab_spec_match(const char *spec, const char *role, const struct td_lab_counts *c)
{
	struct spec_term t = { 0 };
	const char *p = spec;
	int rc;

	while ((rc = spec_next(&p, &t, NULL)) > 0)
		if (rc == 1 && !strcmp(t.role, role) && !term_holds(&t, c))
			return false;
	return rc == 0;
}

/* The order states are listed in: the life of a connection. */
static const int state_order[] = {
	TD_LISTEN,  TD_SYN_SENT,  TD_SYN_RECV,	 TD_ESTABLISHED, TD_FIN_WAIT1, TD_FIN_WAIT2,
	TD_CLOSING, TD_TIME_WAIT, TD_CLOSE_WAIT, TD_LAST_ACK,	 TD_CLOSE,
};

/* "CLOSE_WAIT=4 LISTEN=2" (non-zero states, plus lq/backlog when any). */
static void counts_str(const struct td_lab_counts *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < sizeof(state_order) / sizeof(state_order[0]); k++) {
		int st = state_order[k];

		if (c->states[st] && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%u", off ? " " : "",
						td_state_name(st), c->states[st]);
	}
	if (c->states[TD_LISTEN] && off < len)
		off += (size_t)snprintf(buf + off, len - off, " lq=%u backlog=%u", c->listen_queue,
					c->listen_backlog);
	if (!off)
		snprintf(buf, len, "no sockets");
}

/* The roles a spec names, in order, without repeats. */
static size_t spec_roles(const char *spec, char roles[][TD_LAB_ROLE_MAX + 1], size_t max)
{
	struct spec_term t = { 0 };
	const char *p = spec;
	size_t n = 0;
	int rc;

	while ((rc = spec_next(&p, &t, NULL)) > 0) {
		bool dup = false;

		if (rc != 2)
			continue;
		for (size_t i = 0; i < n; i++)
			dup |= !strcmp(roles[i], t.role);
		if (!dup && n < max)
			snprintf(roles[n++], TD_LAB_ROLE_MAX + 1, "%s", t.role);
	}
	return n;
}

int td_lab_expect_states(struct td_lab *lab, const char *spec, int timeout_ms)
{
	char roles[TD_LAB_MAX_NS][TD_LAB_ROLE_MAX + 1];
	struct td_lab_counts model[TD_LAB_MAX_NS], ss[TD_LAB_MAX_NS];
	bool have_ss[TD_LAB_MAX_NS] = { false };
	uint64_t t0 = td_lab_now_ms(), deadline = lab_deadline(t0, timeout_ms);
	struct td_lab_check *c;
	struct td_err e = { 0 };
	size_t nroles, off;
	bool model_ok = false, ss_ok = false;
	int rc;

	rc = td_lab_spec_check(spec, &e);
	if (rc < 0)
		return td_lab_setup_failed(lab, rc, &e);
	nroles = spec_roles(spec, roles, TD_LAB_MAX_NS);
	for (size_t i = 0; i < nroles; i++)
		if (!need_ns(lab, roles[i], &rc))
			return rc;
	/* Poll: the model first (cheap, in-process); when it holds, the
	 * oracle must agree at that moment too. States in transit (a FIN in
	 * flight) settle within a poll or two. */
	for (;;) {
		model_ok = true;
		for (size_t i = 0; i < nroles; i++) {
			rc = td_lab_model(td_lab_ns(lab, roles[i]), &model[i], NULL, &e);
			if (rc < 0)
				return td_lab_setup_failed(lab, rc, &e);
			model_ok &= td_lab_spec_match(spec, roles[i], &model[i]);
		}
		if (model_ok) {
			ss_ok = true;
			for (size_t i = 0; i < nroles; i++) {
				rc = ss_counts(td_lab_ns(lab, roles[i]), &ss[i], &e);
				if (rc < 0)
					return td_lab_setup_failed(lab, rc, &e);
				have_ss[i] = true;
				ss_ok &= td_lab_spec_match(spec, roles[i], &ss[i]);
			}
			if (ss_ok)
				break;
		}
		if (td_lab_now_ms() >= deadline)
			break;
		td_lab_pause(lab, 50);
	}
	if (!model_ok || !ss_ok) {
		/* Show the oracle's view of the failure as well. */
		for (size_t i = 0; i < nroles; i++)
			if (!have_ss[i] && ss_counts(td_lab_ns(lab, roles[i]), &ss[i], NULL) == 0)
				have_ss[i] = true;
	}
	c = add_check(lab, TD_LAB_CHECK_STATES, model_ok && ss_ok,
		      (uint32_t)(td_lab_now_ms() - t0));
	snprintf(c->what, sizeof(c->what), "%s", spec);
	off = 0;
	for (size_t i = 0; i < nroles && off < sizeof(c->seen); i++) {
		char m[200], s[200];

		counts_str(&model[i], m, sizeof(m));
		if (have_ss[i])
			counts_str(&ss[i], s, sizeof(s));
		else
			snprintf(s, sizeof(s), "not asked");
		off += (size_t)snprintf(c->seen + off, sizeof(c->seen) - off, "%s%s: %s (ss: %s)",
					i ? "; " : "", roles[i], m, s);
	}
	if (!c->ok) {
		if (model_ok && !ss_ok) {
			size_t l = strlen(c->seen);

			snprintf(c->seen + l, sizeof(c->seen) - l, " — model and ss disagree");
		}
		return check_failed(lab, c);
	}
	return 0;
}

/* ---- reports from actors ------------------------------------------------------------- */

/* Read whatever the actors have said, waiting at most wait_ms for the first
 * word. An actor whose pipe is at EOF has exited. */
void td_lab_collect(struct td_lab *lab, int wait_ms)
{
	struct pollfd p[TD_LAB_MAX_ACTORS];
	size_t idx[TD_LAB_MAX_ACTORS], n = 0;
	int r;

	for (size_t i = 0; i < lab->nactors; i++) {
		if (lab->actors[i].done || lab->actors[i].report_fd < 0)
			continue;
		p[n] = (struct pollfd){ lab->actors[i].report_fd, POLLIN, 0 };
		idx[n++] = i;
	}
	if (!n) {
		if (wait_ms > 0)
			poll(NULL, 0, wait_ms);
		return;
	}
	r = poll(p, n, wait_ms);
	if (r <= 0)
		return;
	for (size_t k = 0; k < n; k++) {
		struct td_lab_actor *a = &lab->actors[idx[k]];
		struct td_lab_wire w;
		ssize_t got;

		if (!p[k].revents)
			continue;
		/* Records are smaller than PIPE_BUF: each arrives whole. */
		while ((got = read(a->report_fd, &w, sizeof(w))) == (ssize_t)sizeof(w)) {
			struct td_lab_report *rep;

			if (lab->nreports >= TD_LAB_MAX_REPORTS)
				continue;
			rep = &lab->reports[lab->nreports++];
			memset(rep, 0, sizeof(*rep));
			rep->actor = (int)idx[k];
			memcpy(rep->tag, w.tag, sizeof(rep->tag));
			rep->tag[sizeof(rep->tag) - 1] = '\0';
			rep->err = w.err;
			rep->value = (long)w.value;
		}
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			a->done = true;
	}
}

void td_lab_pause(struct td_lab *lab, int ms)
{
	uint64_t end = td_lab_now_ms() + (uint64_t)(ms > 0 ? ms : 0);
	uint64_t now;

	while ((now = td_lab_now_ms()) < end)
		td_lab_collect(lab, (int)(end - now));
}

int td_lab_expect_errno(struct td_lab *lab, int actor, const char *tag, int want, int count,
			int timeout_ms)
{
	uint64_t t0 = td_lab_now_ms(), deadline = lab_deadline(t0, timeout_ms);
	int found = 0, bad = 0, bad_err = 0;
	struct td_lab_check *c;
	struct td_err e = { 0 };
	size_t off;

	if (actor < 0 || (size_t)actor >= lab->nactors)
		return td_lab_setup_failed(lab, td_err_set(&e, -EINVAL, "lab: no actor %d", actor),
					   &e);
	for (;;) {
		found = 0;
		for (size_t i = 0; i < lab->nreports; i++)
			if (lab->reports[i].actor == actor && !lab->reports[i].used &&
			    !strcmp(lab->reports[i].tag, tag))
				found++;
		if (found >= count || lab->actors[actor].done || td_lab_now_ms() >= deadline)
			break;
		td_lab_collect(lab, 50);
	}
	/* Take the oldest count reports. */
	found = 0;
	for (size_t i = 0; i < lab->nreports && found < count; i++) {
		struct td_lab_report *r = &lab->reports[i];

		if (r->actor != actor || r->used || strcmp(r->tag, tag))
			continue;
		r->used = true;
		found++;
		if (r->err != want) {
			if (!bad)
				bad_err = r->err;
			bad++;
		}
	}
	c = add_check(lab, TD_LAB_CHECK_ERRNO, found == count && !bad,
		      (uint32_t)(td_lab_now_ms() - t0));
	snprintf(c->what, sizeof(c->what), "%s: %d x %s() -> %s", lab->actors[actor].name, count,
		 tag, want ? td_lab_errno_name(want) : "ok");
	off = (size_t)snprintf(c->seen, sizeof(c->seen), "%d x %s() reported", found, tag);
	if (bad)
		snprintf(c->seen + off, sizeof(c->seen) - off, ", %d of them %s (%s)", bad,
			 bad_err ? td_lab_errno_name(bad_err) : "ok",
			 bad_err ? strerror(bad_err) : "no error");
	else if (found < count)
		snprintf(c->seen + off, sizeof(c->seen) - off, "%s after %llu ms",
			 lab->actors[actor].done ? ", then the actor exited" : "",
			 (unsigned long long)(td_lab_now_ms() - t0));
	else
		snprintf(c->seen + off, sizeof(c->seen) - off, ", each %s",
			 want ? td_lab_errno_name(want) : "ok");
	return c->ok ? 0 : check_failed(lab, c);
}

/* A counter moves when the kernel processes the packet that makes it, in
 * softirq, maybe after the state the scenario waited for (a flood's last
 * SYNs are still in the backlog queue when the request queue is seen full):
 * poll it. Counters only grow, so waiting cannot undo a pass. */
int td_lab_expect_counter(struct td_lab *lab, const char *role, const char *name, uint64_t before,
			  uint64_t min)
{
	uint64_t t0 = td_lab_now_ms(), deadline = lab_deadline(t0, TD_LAB_COUNTER_WAIT_MS);
	struct td_lab_check *c;
	uint64_t now = 0;
	int rc;

	for (;;) {
		rc = td_lab_counter(lab, role, name, &now);
		if (rc < 0)
			return rc;
		if (now >= before + min || td_lab_now_ms() >= deadline)
			break;
		td_lab_pause(lab, 20);
	}
	c = add_check(lab, TD_LAB_CHECK_COUNTER, now >= before + min,
		      (uint32_t)(td_lab_now_ms() - t0));
	snprintf(c->what, sizeof(c->what), "%s: %s grows by >= %llu", role, name,
		 (unsigned long long)min);
	snprintf(c->seen, sizeof(c->seen), "%llu -> %llu (+%llu)", (unsigned long long)before,
		 (unsigned long long)now, (unsigned long long)(now - before));
	return c->ok ? 0 : check_failed(lab, c);
}

int td_lab_expect_that(struct td_lab *lab, bool ok, const char *what, const char *fmt, ...)
{
	struct td_lab_check *c = add_check(lab, TD_LAB_CHECK_COUNTER, ok, 0);
	va_list ap;

	snprintf(c->what, sizeof(c->what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(c->seen, sizeof(c->seen), fmt, ap);
	va_end(ap);
	return ok ? 0 : check_failed(lab, c);
}

/* ---- timers of one socket -------------------------------------------------------------- */

/* The port of an ss address column: "192.0.2.1:5050", "[2001:db8::1]:80", "*:*". */
static int ss_port(const char *col, uint16_t *port)
{
	const char *c = strrchr(col, ':');
	char *end;
	unsigned long v;

	if (!c)
		return -TD_EPARSE;
	if (!strcmp(c + 1, "*")) {
		*port = 0;
		return 0;
	}
	errno = 0;
	v = strtoul(c + 1, &end, 10);
	if (errno || end == c + 1 || v > 65535)
		return -TD_EPARSE;
	*port = (uint16_t)v;
	return 0;
}

int td_lab_ss_timer_parse(const char *line, int *state, uint16_t *lport, uint16_t *rport,
			  int *timer, unsigned *retrans)
{
	char st[32], local[80], peer[80], kind[24];
	const char *t;
	uint32_t mask;
	unsigned long rq, sq;
	int n;

	*state = 0;
	*timer = TD_TIMER_NONE;
	*retrans = 0;
	if (sscanf(line, "%31s %lu %lu %79s %79s", st, &rq, &sq, local, peer) != 5)
		return -TD_EPARSE;
	if (td_state_parse(st, &mask, NULL) < 0)
		return -TD_EPARSE;
	for (int b = 1; b <= TD_STATE_MAX && !*state; b++)
		if (mask & TD_STATE_BIT(b))
			*state = b == TD_NEW_SYN_RECV ? TD_SYN_RECV : b;
	if (!*state || ss_port(local, lport) < 0 || ss_port(peer, rport) < 0)
		return -TD_EPARSE;
	/* timer:(on,1.2sec,3): kind, time left, how often it fired. */
	t = strstr(line, "timer:(");
	if (!t)
		return 0;
	if (sscanf(t, "timer:(%23[a-z],%*[^,],%u)%n", kind, retrans, &n) != 2)
		return -TD_EPARSE;
	for (int k = TD_TIMER_RETRANS; k <= TD_TIMER_PROBE0; k++)
		if (!strcmp(kind, td_timer_name(k)))
			*timer = k;
	return *timer == TD_TIMER_NONE ? -TD_EPARSE : 0;
}

/* ss -Htano in ns: the most retransmits among sockets in state on port with timer
 * (-1 if there is none); what it saw of that socket in seen. */
static int ss_timer(const char *ns, int state, uint16_t port, int timer, long *best, char *seen,
		    size_t len, struct td_err *err)
{
	static const char *const argv[] = { "ss", "-Htano", NULL };
	char out[65536], errbuf[256];
	const char *line = out;
	int status = 0, rc;

	*best = -1;
	snprintf(seen, len, "none");
	rc = td_labnet_run(ns, argv, NULL, out, sizeof(out), errbuf, sizeof(errbuf), &status, err);
	if (rc < 0)
		return rc;
	if (status)
		return td_err_set(err, -EIO, "ss in %s failed (exit %d): %.200s", ns, status,
				  errbuf);
	while (*line) {
		const char *end = strchr(line, '\n');
		uint16_t lp, rp;
		unsigned n;
		int st, tm;

		if (td_lab_ss_timer_parse(line, &st, &lp, &rp, &tm, &n) == 0 && st == state &&
		    (!port || lp == port || rp == port)) {
			snprintf(seen, len, "%s timer %s, %u retransmits", td_state_name(st),
				 td_timer_name(tm), n);
			if (tm == timer && (long)n > *best)
				*best = n;
		}
		if (!end)
			break;
		line = end + 1;
	}
	return 0;
}

int td_lab_expect_timer(struct td_lab *lab, const char *role, int state, uint16_t port, int timer,
			unsigned min_retrans, int timeout_ms)
{
	static struct td_lab_view v; /* large: one run at a time */
	uint64_t t0 = td_lab_now_ms(), deadline = lab_deadline(t0, timeout_ms);
	char mseen[160] = "none", sseen[160] = "not asked";
	struct td_lab_counts c;
	struct td_lab_check *chk;
	struct td_err e = { 0 };
	bool model_ok = false, ss_ok = false;
	const char *ns;
	int rc;

	ns = need_ns(lab, role, &rc);
	if (!ns)
		return rc;
	for (;;) {
		long best = -1;

		memset(&v, 0, sizeof(v));
		rc = td_lab_model(ns, &c, &v, &e);
		if (rc < 0)
			return td_lab_setup_failed(lab, rc, &e);
		model_ok = false;
		for (size_t i = 0; i < v.nsocks; i++) {
			const struct td_sock *s = &v.socks[i];

			if (td_agg_state(s->state) != state ||
			    (port && s->lport != port && s->rport != port))
				continue;
			snprintf(mseen, sizeof(mseen), "%s timer %s, %u retransmits",
				 td_state_name(state), td_timer_name(s->timer), s->retrans);
			if (s->timer == timer && s->retrans >= min_retrans) {
				model_ok = true;
				break;
			}
		}
		if (model_ok) {
			rc = ss_timer(ns, state, port, timer, &best, sseen, sizeof(sseen), &e);
			if (rc < 0)
				return td_lab_setup_failed(lab, rc, &e);
			ss_ok = best >= (long)min_retrans;
			if (ss_ok)
				break;
		}
		if (td_lab_now_ms() >= deadline)
			break;
		td_lab_pause(lab, 50);
	}
	chk = add_check(lab, TD_LAB_CHECK_STATES, model_ok && ss_ok,
			(uint32_t)(td_lab_now_ms() - t0));
	if (port)
		snprintf(chk->what, sizeof(chk->what),
			 "%s: %s on port %u, timer %s, >= %u "
			 "retransmits",
			 role, td_state_name(state), port, td_timer_name(timer), min_retrans);
	else
		snprintf(chk->what, sizeof(chk->what), "%s: %s, timer %s, >= %u retransmits", role,
			 td_state_name(state), td_timer_name(timer), min_retrans);
	snprintf(chk->seen, sizeof(chk->seen), "%s (ss: %s)%s", mseen, sseen,
		 model_ok && !ss_ok ? " — model and ss disagree" : "");
	return chk->ok ? 0 : check_failed(lab, chk);
}

/* ---- a run ----------------------------------------------------------------------------- */

static void take_views(struct td_lab *lab)
{
	lab->nviews = 0;
	for (size_t i = 0; i < lab->nns && i < TD_LAB_MAX_NS; i++) {
		struct td_lab_view *v = &lab->views[lab->nviews];

		memset(v, 0, sizeof(*v));
		snprintf(v->role, sizeof(v->role), "%s", lab->ns[i].role);
		snprintf(v->netns, sizeof(v->netns), "%s", lab->ns[i].name);
		if (td_lab_model(lab->ns[i].name, &v->model, v, NULL) < 0)
			continue;
		v->have_ss = ss_counts(lab->ns[i].name, &v->ss, NULL) == 0;
		lab->nviews++;
	}
}

static void kill_actors(struct td_lab *lab)
{
	for (size_t i = 0; i < lab->nactors; i++)
		if (lab->actors[i].pid > 0)
			kill(lab->actors[i].pid, SIGKILL);
	for (size_t i = 0; i < lab->nactors; i++) {
		if (lab->actors[i].pid > 0)
			while (waitpid(lab->actors[i].pid, NULL, 0) < 0 && errno == EINTR)
				;
		lab->actors[i].pid = 0;
	}
}

/* --keep: every actor drops its parent-death signal and says so before
 * we exit (else the kernel might kill it as we go). */
static void detach_actors(struct td_lab *lab)
{
	uint64_t deadline = td_lab_now_ms() + 2000;

	for (size_t i = 0; i < lab->nactors; i++)
		if (lab->actors[i].pid > 0)
			kill(lab->actors[i].pid, TD_LAB_KEEP_SIGNAL);
	for (;;) {
		size_t kept = 0, alive = 0;

		for (size_t i = 0; i < lab->nactors; i++) {
			if (lab->actors[i].pid <= 0 || lab->actors[i].done)
				continue;
			alive++;
			for (size_t k = 0; k < lab->nreports; k++)
				if (lab->reports[k].actor == (int)i &&
				    !strcmp(lab->reports[k].tag, TD_LAB_KEPT_TAG)) {
					kept++;
					break;
				}
		}
		if (kept >= alive || td_lab_now_ms() >= deadline)
			break;
		td_lab_collect(lab, 20);
	}
}

static void close_actor_fds(struct td_lab *lab)
{
	for (size_t i = 0; i < lab->nactors; i++) {
		if (lab->actors[i].report_fd >= 0)
			close(lab->actors[i].report_fd);
		lab->actors[i].report_fd = -1;
	}
}

static void delete_namespaces(struct td_lab *lab)
{
	for (size_t i = lab->nns; i-- > 0;) {
		/* Anything left inside (a grandchild of an actor) goes too. */
		td_labnet_kill(lab->ns[i].name, SIGKILL, 1000, NULL, NULL);
		td_labnet_netns_del(lab->ns[i].name, NULL);
		lab->ns[i].created = false;
	}
}

int td_lab_run(const struct td_lab_scenario *sc, const struct td_lab_opts *o, struct td_lab *lab,
	       struct td_err *err)
{
	bool keep = o && o->keep;
	int rc;

	memset(lab, 0, sizeof(*lab));
	lab->sc = sc;
	lab->keep = keep;
	lab->pcap.fd = lab->pcap.report_fd = -1;
	if (o && o->id) {
		if (!td_lab_id_ok(o->id))
			return td_err_set(err, -EINVAL,
					  "lab: --id '%s': use 1 to %d letters, "
					  "digits or '_'",
					  o->id, TD_LAB_ID_MAX);
		snprintf(lab->id, sizeof(lab->id), "%s", o->id);
	}
	rc = td_lab_check_privileges(err);
	if (rc < 0)
		return rc;
	if (o && o->pcap) {
		if (strlen(o->pcap) >= sizeof(lab->pcap.file))
			return td_err_set(err, -ENAMETOOLONG,
					  "lab: --pcap: a path of at most %zu "
					  "bytes, please",
					  sizeof(lab->pcap.file) - 1);
		snprintf(lab->pcap.file, sizeof(lab->pcap.file), "%s", o->pcap);
		/* Opened here, by the caller's process: the path means what it
		 * means to the caller, and a bad one fails before any namespace. */
		lab->pcap.fd = open(o->pcap, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (lab->pcap.fd < 0)
			return td_err_set(err, -errno, "lab: --pcap %s: %s", o->pcap,
					  strerror(errno));
	}
	lab->start_ms = td_lab_now_ms();
	signals_arm();
	rc = sc->run(lab);
	td_lab_collect(lab, 0);
	if (rc < 0 && rc != -TD_ELABCHECK && !lab->err.code)
		td_err_set(&lab->err, rc, "lab %s: %s", sc->name, strerror(-rc));
	lab->pass = rc == 0;
	for (size_t i = 0; i < lab->nchecks; i++)
		lab->pass &= lab->checks[i].ok;
	if (!lab->pass && !lab->reason[0] && lab->err.code)
		snprintf(lab->reason, sizeof(lab->reason), "%s", lab->err.msg);
	take_views(lab);
	/* Even with --keep: the file is complete when the command ends. */
	pcap_stop(lab);
	if (lab->pcap.fd >= 0)
		close(lab->pcap.fd); /* the scenario failed before its topology */
	lab->pcap.fd = -1;
	for (size_t i = 0; i < lab->nchecks; i++)
		lab->pass &= lab->checks[i].ok;
	if (keep && lab->err.code == 0) {
		detach_actors(lab);
		close_actor_fds(lab);
	} else {
		kill_actors(lab);
		close_actor_fds(lab);
		delete_namespaces(lab);
	}
	signals_disarm();
	lab->duration_ms = (uint32_t)(td_lab_now_ms() - lab->start_ms);
	if (lab->err.code) {
		if (err)
			*err = lab->err;
		return lab->err.code < 0 ? lab->err.code : -EIO;
	}
	return 0;
}

/* ---- clean ----------------------------------------------------------------------------------- */

struct clean_ctx {
	const char *prefix;
	bool by_id;
	td_lab_clean_cb cb;
	void *data;
	struct td_err *err;
	int failed;
};

static int clean_one(const char *name, void *data)
{
	struct clean_ctx *c = data;
	size_t killed = 0;
	int rc;

	/* With an id, only td-lab-ID-ROLE: roles have no '-', so id "a" never
	 * takes the namespaces of id "a_b" or of a role-less name. */
	if (c->by_id && strchr(name + strlen(c->prefix), '-'))
		return 0;
	rc = td_labnet_kill(name, SIGKILL, 2000, &killed, c->err);
	if (rc == 0)
		rc = td_labnet_netns_del(name, c->err);
	if (rc < 0 && rc != -TD_ENOTFOUND) {
		c->failed = rc;
		return 0;
	}
	if (c->cb)
		c->cb(name, killed, c->data);
	return 0;
}

int td_lab_clean(const char *id, td_lab_clean_cb cb, void *data, struct td_err *err)
{
	char prefix[64];
	struct clean_ctx c = { prefix, id != NULL, cb, data, err, 0 };
	int rc;

	if (id && !td_lab_id_ok(id))
		return td_err_set(err, -EINVAL,
				  "lab: --id '%s': use 1 to %d letters, digits or "
				  "'_'",
				  id, TD_LAB_ID_MAX);
	rc = td_lab_check_privileges(err);
	if (rc < 0)
		return rc;
	if (id)
		snprintf(prefix, sizeof(prefix), TD_LABNET_PREFIX "%s-", id);
	else
		snprintf(prefix, sizeof(prefix), TD_LABNET_PREFIX);
	rc = td_labnet_list(prefix, clean_one, &c, err);
	if (rc < 0)
		return rc;
	return c.failed;
}

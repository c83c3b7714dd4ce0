/* Unit tests for labnet.c: name checks, counter parsing and argument errors
 * everywhere; as root, real namespaces: create (ip-netns compatible), veth
 * with addresses, routes of each kind and the errno a connect() meets, sysctls
 * that stay inside, counters, programs run inside, finding and killing the
 * processes of a namespace, and deletion. Root-only tests skip otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "skip.h"

#include "lab/labnet.h"

static char ns_a[64], ns_b[64];

static const char netstat_text[] =
	"TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops\n"
	"TcpExt: 3 0 17 18\n"
	"IpExt: InNoRoutes InTruncatedPkts\n"
	"IpExt: 0 5\n";

static const char snmp_text[] = "Ip: Forwarding DefaultTTL\n"
				"Ip: 2 64\n"
				"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens OutRsts\n"
				"Tcp: 1 200 120000 -1 42 7\n";

static void test_name_ok(void **state)
{
	char longname[NAME_MAX + 2];

	(void)state;
	assert_true(td_labnet_name_ok("td-lab-server"));
	assert_true(td_labnet_name_ok("a"));
	assert_false(td_labnet_name_ok(NULL));
	assert_false(td_labnet_name_ok(""));
	assert_false(td_labnet_name_ok("."));
	assert_false(td_labnet_name_ok(".."));
	assert_false(td_labnet_name_ok("a/b"));
	assert_false(td_labnet_name_ok("../etc"));
	memset(longname, 'x', NAME_MAX);
	longname[NAME_MAX] = '\0';
	assert_true(td_labnet_name_ok(longname));
	longname[NAME_MAX] = 'x';
	longname[NAME_MAX + 1] = '\0';
	assert_false(td_labnet_name_ok(longname));
}

static void test_counter_parse(void **state)
{
	struct td_err err = { 0 };
	uint64_t v = 99;

	(void)state;
	assert_int_equal(td_labnet_counter_parse(netstat_text, "TcpExt.ListenOverflows", &v, &err),
			 0);
	assert_int_equal(v, 17);
	assert_int_equal(td_labnet_counter_parse(netstat_text, "TcpExt.ListenDrops", &v, &err), 0);
	assert_int_equal(v, 18);
	assert_int_equal(td_labnet_counter_parse(netstat_text, "TcpExt.SyncookiesSent", &v, &err),
			 0);
	assert_int_equal(v, 3);
	assert_int_equal(td_labnet_counter_parse(netstat_text, "IpExt.InTruncatedPkts", &v, &err),
			 0);
	assert_int_equal(v, 5);
	assert_int_equal(td_labnet_counter_parse(snmp_text, "Tcp.OutRsts", &v, &err), 0);
	assert_int_equal(v, 7);
	/* A signed counter before the one asked for must not derail the walk. */
	assert_int_equal(td_labnet_counter_parse(snmp_text, "Tcp.ActiveOpens", &v, &err), 0);
	assert_int_equal(v, 42);
	assert_int_equal(td_labnet_counter_parse(snmp_text, "Tcp.MaxConn", &v, &err), 0);
	assert_int_equal((int64_t)v, -1);

	/* A prefix of a name is not the name; a group must match exactly. */
	v = 99;
	assert_int_equal(td_labnet_counter_parse(netstat_text, "TcpExt.Listen", &v, &err),
			 -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "TcpExt.Listen"));
	assert_int_equal(td_labnet_counter_parse(netstat_text, "Tcp.ListenDrops", &v, &err),
			 -TD_ENOTFOUND);
	assert_int_equal(td_labnet_counter_parse(snmp_text, "Ip.InTruncatedPkts", &v, &err),
			 -TD_ENOTFOUND);
	assert_int_equal(v, 99);
	assert_int_equal(td_labnet_counter_parse(netstat_text, "ListenDrops", &v, &err), -EINVAL);
	assert_int_equal(td_labnet_counter_parse(netstat_text, "TcpExt.", &v, &err), -EINVAL);
	assert_int_equal(td_labnet_counter_parse(netstat_text, ".x", &v, &err), -EINVAL);
	/* Truncated input: a name line without its values line. */
	assert_int_equal(td_labnet_counter_parse("TcpExt: A B\n", "TcpExt.A", &v, &err),
			 -TD_ENOTFOUND);
	assert_int_equal(td_labnet_counter_parse("TcpExt: A B\nTcpExt: 1\n", "TcpExt.B", &v, &err),
			 -TD_ENOTFOUND);
	assert_int_equal(td_labnet_counter_parse("", "TcpExt.A", &v, &err), -TD_ENOTFOUND);
	/* No trailing newline. */
	assert_int_equal(td_labnet_counter_parse("TcpExt: A B\nTcpExt: 1 2", "TcpExt.B", &v, &err),
			 0);
	assert_int_equal(v, 2);
}

static void test_bad_arguments(void **state)
{
	struct td_err err = { 0 };
	char buf[64];
	int saved = 5;

	(void)state;
	assert_int_equal(td_labnet_netns_add("a/b", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "a/b"));
	assert_int_equal(td_labnet_netns_del("..", &err), -EINVAL);
	assert_int_equal(td_labnet_enter(NULL, &saved, &err), 0);
	assert_int_equal(saved, -1);
	assert_int_equal(td_labnet_leave(-1, &err), 0);
	assert_int_equal(td_labnet_sysctl_set(NULL, "../../etc/passwd", "1", &err), -EINVAL);
	assert_int_equal(td_labnet_sysctl_get(NULL, "", buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(td_labnet_sysctl_get(NULL, "/net/ipv4/x", buf, sizeof(buf), &err),
			 -EINVAL);
	assert_int_equal(td_labnet_route(NULL, true, "198.51.100.0/33", TD_ROUTE_BLACKHOLE, NULL,
					 NULL, &err),
			 -EINVAL);
	assert_int_equal(
		td_labnet_route(NULL, true, "nonsense", TD_ROUTE_BLACKHOLE, NULL, NULL, &err),
		-EINVAL);
	assert_int_equal(td_labnet_route(NULL, true, "198.51.100.0/24", TD_ROUTE_BLACKHOLE,
					 "192.0.2.1", NULL, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "blackhole"));
	assert_int_equal(
		td_labnet_route(NULL, true, "198.51.100.0/24", TD_ROUTE_UNICAST, NULL, NULL, &err),
		-EINVAL);
	assert_int_equal(td_labnet_route(NULL, true, "198.51.100.0/24", TD_ROUTE_UNICAST,
					 "2001:db8::1", NULL, &err),
			 -EINVAL);
	assert_int_equal(td_labnet_route(NULL, true, "198.51.100.0/24", (enum td_route_kind)42,
					 NULL, NULL, &err),
			 -EINVAL);
	assert_int_equal(td_labnet_addr_add(NULL, "lo", "192.0.2.1", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "prefix length"));
	assert_int_equal(td_labnet_veth_add(NULL, "a-name-that-is-too-long", NULL, "b", &err),
			 -EINVAL);
	assert_false(td_labnet_netns_exists("td-labnet-test-does-not-exist"));
}

static void test_run_here(void **state)
{
	const char *cat[] = { "cat", NULL };
	const char *sh[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	const char *none[] = { "/nonexistent/td-labnet-no-such-program", NULL };
	char out[16], errbuf[64];
	struct td_err err = { 0 };
	int status = -1;

	(void)state;
	assert_int_equal(
		td_labnet_run(NULL, cat, "hello\n", out, sizeof(out), NULL, 0, &status, &err), 0);
	assert_string_equal(out, "hello\n");
	assert_int_equal(status, 0);
	/* Output longer than the buffer is cut, not overflowed. */
	assert_int_equal(td_labnet_run(NULL, cat, "0123456789abcdefghij", out, sizeof(out), NULL, 0,
				       &status, &err),
			 0);
	assert_string_equal(out, "0123456789abcde");
	assert_int_equal(td_labnet_run(NULL, sh, NULL, out, sizeof(out), errbuf, sizeof(errbuf),
				       &status, &err),
			 0);
	assert_string_equal(out, "out\n");
	assert_string_equal(errbuf, "err\n");
	assert_int_equal(status, 3);
	assert_int_equal(td_labnet_run(NULL, none, NULL, out, sizeof(out), NULL, 0, &status, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "td-labnet-no-such-program"));
}

/* ---- root only ------------------------------------------------------------ */

static int need_root(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip_because("needs root");
	return 0;
}

static int teardown_ns(void **state)
{
	(void)state;
	td_labnet_kill(ns_a, SIGKILL, 500, NULL, NULL);
	td_labnet_kill(ns_b, SIGKILL, 500, NULL, NULL);
	td_labnet_netns_del(ns_a, NULL);
	td_labnet_netns_del(ns_b, NULL);
	return 0;
}

static void test_netns_lifecycle(void **state)
{
	struct td_err err = { 0 };
	struct stat st_ns, st_self;
	char path[PATH_MAX], out[8192];
	const char *ipnetns[] = { "ip", "netns", "list", NULL };
	int saved, status;

	need_root(state);
	snprintf(path, sizeof(path), TD_LABNET_RUN_DIR "/%s", ns_a);
	assert_int_equal(td_labnet_netns_add(ns_a, &err), 0);
	assert_true(td_labnet_netns_exists(ns_a));
	assert_int_equal(td_labnet_netns_add(ns_a, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "lab clean"));
	/* A real namespace, not ours. */
	assert_int_equal(stat(path, &st_ns), 0);
	assert_int_equal(stat("/proc/self/ns/net", &st_self), 0);
	assert_int_equal(st_ns.st_dev, st_self.st_dev);
	assert_int_not_equal(st_ns.st_ino, st_self.st_ino);
	/* `ip netns` sees it (ip is optional on a build machine). */
	if (td_labnet_run(NULL, ipnetns, NULL, out, sizeof(out), NULL, 0, &status, NULL) == 0)
		assert_non_null(strstr(out, ns_a));
	/* Entering and leaving moves this thread and brings it back. */
	assert_int_equal(td_labnet_enter(ns_a, &saved, &err), 0);
	assert_int_equal(stat("/proc/thread-self/ns/net", &st_self), 0);
	assert_int_equal(st_self.st_ino, st_ns.st_ino);
	assert_int_equal(td_labnet_leave(saved, &err), 0);
	assert_int_equal(stat("/proc/thread-self/ns/net", &st_self), 0);
	assert_int_not_equal(st_self.st_ino, st_ns.st_ino);
	/* Loopback is up inside: 127.0.0.1 answers with a RST. */
	{
		const char *sh[] = { "sh", "-c",
				     "cat /sys/class/net/lo/operstate 2>/dev/null; "
				     "ip -o link show lo",
				     NULL };

		assert_int_equal(
			td_labnet_run(ns_a, sh, NULL, out, sizeof(out), NULL, 0, &status, &err), 0);
		assert_non_null(strstr(out, "UP"));
	}
	assert_int_equal(td_labnet_netns_del(ns_a, &err), 0);
	assert_false(td_labnet_netns_exists(ns_a));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(td_labnet_netns_del(ns_a, &err), -TD_ENOTFOUND);
	assert_int_equal(td_labnet_enter(ns_a, &saved, &err), -TD_ENOTFOUND);
}

/* connect() from inside ns to addr:port; the errno (0 if it connected). */
static int connect_errno(const char *ns, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int saved, fd, rc;
	struct timeval tv = { 3, 0 };

	if (td_labnet_enter(ns, &saved, NULL) < 0)
		return -1;
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	rc = connect(fd, (struct sockaddr *)&ss, len) ? errno : 0;
	close(fd);
	td_labnet_leave(saved, NULL);
	return rc;
}

static void test_veth_routes_sysctls(void **state)
{
	struct td_err err = { 0 };
	char buf[64], here[64];
	uint64_t v0, v1;

	need_root(state);
	assert_int_equal(td_labnet_netns_add(ns_a, &err), 0);
	assert_int_equal(td_labnet_netns_add(ns_b, &err), 0);
	assert_int_equal(td_labnet_veth_add(ns_a, "ta", ns_b, "tb", &err), 0);
	assert_int_equal(td_labnet_veth_add(ns_a, "ta", ns_b, "tb2", &err), -EEXIST);
	assert_int_equal(td_labnet_addr_add(ns_a, "ta", "192.0.2.1/24", &err), 0);
	assert_int_equal(td_labnet_addr_add(ns_a, "ta", "2001:db8::1/64", &err), 0);
	assert_int_equal(td_labnet_addr_add(ns_b, "tb", "192.0.2.2/24", &err), 0);
	assert_int_equal(td_labnet_addr_add(ns_b, "tb", "2001:db8::2/64", &err), 0);
	assert_int_equal(td_labnet_addr_add(ns_b, "nope", "192.0.2.3/24", &err), -ENODEV);
	assert_non_null(strstr(err.msg, "nope"));
	assert_int_equal(td_labnet_link_set(ns_a, "ta", true, &err), 0);
	assert_int_equal(td_labnet_link_set(ns_b, "tb", true, &err), 0);

	/* Nothing listens on the peer: a RST at once, in both families (the
	 * IPv6 address is usable immediately thanks to NODAD). */
	assert_int_equal(connect_errno(ns_a, "192.0.2.2", 9), ECONNREFUSED);
	assert_int_equal(connect_errno(ns_a, "2001:db8::2", 9), ECONNREFUSED);
	/* No default route. */
	assert_int_equal(connect_errno(ns_a, "198.51.100.1", 9), ENETUNREACH);
	/* A local blackhole route fails the connect with EINVAL (the kernel's
	 * fib error for RTN_BLACKHOLE), unreachable with EHOSTUNREACH,
	 * prohibit with EACCES. */
	assert_int_equal(td_labnet_route(ns_a, true, "198.51.100.0/24", TD_ROUTE_BLACKHOLE, NULL,
					 NULL, &err),
			 0);
	assert_int_equal(td_labnet_route(ns_a, true, "203.0.113.0/25", TD_ROUTE_UNREACHABLE, NULL,
					 NULL, &err),
			 0);
	assert_int_equal(td_labnet_route(ns_a, true, "203.0.113.128/25", TD_ROUTE_PROHIBIT, NULL,
					 NULL, &err),
			 0);
	assert_int_equal(td_labnet_route(ns_a, true, "2001:db8:1::/48", TD_ROUTE_UNICAST,
					 "2001:db8::2", "ta", &err),
			 0);
	assert_int_equal(connect_errno(ns_a, "198.51.100.1", 9), EINVAL);
	assert_int_equal(connect_errno(ns_a, "203.0.113.1", 9), EHOSTUNREACH);
	assert_int_equal(connect_errno(ns_a, "203.0.113.200", 9), EACCES);
	assert_int_equal(td_labnet_route(ns_a, true, "198.51.100.0/24", TD_ROUTE_BLACKHOLE, NULL,
					 NULL, &err),
			 -EEXIST);
	assert_int_equal(td_labnet_route(ns_a, false, "198.51.100.0/24", TD_ROUTE_BLACKHOLE, NULL,
					 NULL, &err),
			 0);
	assert_int_equal(connect_errno(ns_a, "198.51.100.1", 9), ENETUNREACH);
	assert_int_equal(td_labnet_route(ns_a, false, "198.51.100.0/24", TD_ROUTE_BLACKHOLE, NULL,
					 NULL, &err),
			 -ESRCH);
	/* A link down: the on-link route goes with it. */
	assert_int_equal(td_labnet_link_set(ns_a, "ta", false, &err), 0);
	assert_int_equal(connect_errno(ns_a, "192.0.2.2", 9), ENETUNREACH);
	assert_int_equal(td_labnet_link_set(ns_a, "ta", true, &err), 0);

	/* Sysctls: written inside, the root namespace untouched. */
	assert_int_equal(
		td_labnet_sysctl_get(NULL, "net.ipv4.tcp_fin_timeout", here, sizeof(here), &err),
		0);
	assert_int_equal(td_labnet_sysctl_set(ns_a, "net.ipv4.tcp_fin_timeout", "7", &err), 0);
	assert_int_equal(
		td_labnet_sysctl_get(ns_a, "net/ipv4/tcp_fin_timeout", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "7");
	assert_int_equal(
		td_labnet_sysctl_get(ns_b, "net.ipv4.tcp_fin_timeout", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "60");
	assert_int_equal(
		td_labnet_sysctl_get(NULL, "net.ipv4.tcp_fin_timeout", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, here);
	assert_int_equal(td_labnet_sysctl_set(ns_a, "net.ipv4.tcp_no_such_thing", "1", &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "tcp_no_such_thing"));
	assert_int_equal(td_labnet_sysctl_set(ns_a, "net.ipv4.tcp_fin_timeout", "x", &err),
			 -EINVAL);

	/* Counters of the namespace move with what happens inside it. */
	assert_int_equal(td_labnet_counter(ns_b, "Tcp.OutRsts", &v0, &err), 0);
	assert_int_equal(connect_errno(ns_a, "192.0.2.2", 9), ECONNREFUSED);
	assert_int_equal(td_labnet_counter(ns_b, "Tcp.OutRsts", &v1, &err), 0);
	assert_int_equal(v1, v0 + 1);
	assert_int_equal(td_labnet_counter(ns_b, "TcpExt.ListenOverflows", &v0, &err), 0);
	assert_int_equal(v0, 0);
	assert_int_equal(td_labnet_counter(ns_b, "TcpExt.NoSuchCounter", &v0, &err), -TD_ENOTFOUND);
}

struct names {
	char seen[8][64];
	int n;
};

static int collect(const char *name, void *ctx)
{
	struct names *nm = ctx;

	if (nm->n < 8)
		snprintf(nm->seen[nm->n], sizeof(nm->seen[0]), "%s", name);
	nm->n++;
	return 0;
}

static int stop_at_first(const char *name, void *ctx)
{
	(void)name;
	(void)ctx;
	return 42;
}

static void test_list_pids_kill(void **state)
{
	struct td_err err = { 0 };
	struct names nm = { 0 };
	char prefix[64];
	pid_t pids[4], child;
	size_t n = 9, killed = 0;
	int pfd[2], st;
	char c;

	need_root(state);
	assert_int_equal(td_labnet_netns_add(ns_b, &err), 0);
	assert_int_equal(td_labnet_netns_add(ns_a, &err), 0);
	snprintf(prefix, sizeof(prefix), "td-labnet-test-%d-", (int)getpid());
	assert_int_equal(td_labnet_list(prefix, collect, &nm, &err), 0);
	assert_int_equal(nm.n, 2);
	/* Sorted, whatever the creation order. */
	assert_string_equal(nm.seen[0], ns_a);
	assert_string_equal(nm.seen[1], ns_b);
	assert_int_equal(td_labnet_list(prefix, stop_at_first, NULL, &err), 42);

	/* Nobody inside yet (we only visited it). */
	assert_int_equal(td_labnet_pids(ns_a, pids, 4, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int saved;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (td_labnet_enter(ns_a, &saved, NULL) < 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	close(pfd[1]);
	assert_int_equal(td_labnet_pids(ns_a, pids, 4, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], child);
	/* The other namespace has nobody: nothing outside is ever matched. */
	assert_int_equal(td_labnet_pids(ns_b, pids, 4, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(td_labnet_kill(ns_b, SIGKILL, 100, &killed, &err), 0);
	assert_int_equal(killed, 0);
	assert_int_equal(kill(child, 0), 0);
	/* The zombie still counts until reaped: reap it from here while
	 * kill waits. A SIGKILL with a short wait, then reap. */
	assert_int_equal(td_labnet_kill(ns_a, SIGKILL, 50, &killed, &err), 0);
	assert_true(killed >= 1);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_int_equal(td_labnet_pids(ns_a, pids, 4, &n, &err), 0);
	assert_int_equal(n, 0);
	/* A deleted namespace has no processes, and is not an error. */
	assert_int_equal(td_labnet_netns_del(ns_a, &err), 0);
	assert_int_equal(td_labnet_pids(ns_a, pids, 4, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void test_run_inside(void **state)
{
	const char *sh[] = { "sh", "-c", "readlink /proc/self/ns/net", NULL };
	char out[128], want[128];
	struct stat st;
	struct td_err err = { 0 };
	int status;

	need_root(state);
	assert_int_equal(td_labnet_netns_add(ns_a, &err), 0);
	snprintf(want, sizeof(want), TD_LABNET_RUN_DIR "/%s", ns_a);
	assert_int_equal(stat(want, &st), 0);
	snprintf(want, sizeof(want), "net:[%lu]\n", (unsigned long)st.st_ino);
	assert_int_equal(td_labnet_run(ns_a, sh, NULL, out, sizeof(out), NULL, 0, &status, &err),
			 0);
	assert_string_equal(out, want);
	assert_int_equal(status, 0);
	assert_int_equal(td_labnet_run("td-labnet-test-missing", sh, NULL, out, sizeof(out), NULL,
				       0, &status, &err),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_ok),
		cmocka_unit_test(test_counter_parse),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_run_here),
		cmocka_unit_test_teardown(test_netns_lifecycle, teardown_ns),
		cmocka_unit_test_teardown(test_veth_routes_sysctls, teardown_ns),
		cmocka_unit_test_teardown(test_list_pids_kill, teardown_ns),
		cmocka_unit_test_teardown(test_run_inside, teardown_ns),
	};

	snprintf(ns_a, sizeof(ns_a), "td-labnet-test-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "td-labnet-test-%d-b", (int)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for netns.c: spec-to-path mapping, the errors users meet (no such
 * namespace, not a namespace file, not root), and, as root, really entering
 * a namespace a child made with unshare(CLONE_NEWNET). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "skip.h"

#include "sockets/netns.h"

static void test_path_mapping(void **state)
{
	char buf[PATH_MAX], name[NAME_MAX + 2];

	(void)state;
	assert_string_equal(td_netns_path("123", buf, sizeof(buf)), "/proc/123/ns/net");
	assert_ptr_equal(td_netns_path("1", buf, sizeof(buf)), buf);
	assert_string_equal(buf, "/proc/1/ns/net");
	/* /proc has no "007": the pid is normalised. */
	assert_string_equal(td_netns_path("007", buf, sizeof(buf)), "/proc/7/ns/net");
	assert_string_equal(td_netns_path("blue", buf, sizeof(buf)), "/run/netns/blue");
	assert_string_equal(td_netns_path("web-1.prod", buf, sizeof(buf)), "/run/netns/web-1.prod");
	assert_string_equal(td_netns_path("12a", buf, sizeof(buf)), "/run/netns/12a");
	assert_string_equal(td_netns_path("/var/run/netns/x", buf, sizeof(buf)),
			    "/var/run/netns/x");
	assert_string_equal(td_netns_path("a/b", buf, sizeof(buf)), "a/b");
	assert_string_equal(td_netns_path("../x", buf, sizeof(buf)), "../x");

	assert_null(td_netns_path(NULL, buf, sizeof(buf)));
	assert_null(td_netns_path("", buf, sizeof(buf)));
	assert_null(td_netns_path(".", buf, sizeof(buf)));
	assert_null(td_netns_path("..", buf, sizeof(buf)));
	assert_null(td_netns_path("0", buf, sizeof(buf)));
	assert_null(td_netns_path("99999999999", buf, sizeof(buf)));
	assert_null(td_netns_path("blue", NULL, 0));
	assert_null(td_netns_path("blue", buf, 0));
	/* Buffer one byte short of "/run/netns/blue". */
	assert_null(td_netns_path("blue", buf, 15));
	assert_non_null(td_netns_path("blue", buf, 16));

	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	assert_non_null(td_netns_path(name, buf, sizeof(buf)));
	name[NAME_MAX] = 'n';
	name[NAME_MAX + 1] = '\0';
	assert_null(td_netns_path(name, buf, sizeof(buf)));
}

static void test_enter_missing(void **state)
{
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_netns_enter("td-no-such-netns-x", &err), -TD_ENOTFOUND);
	assert_int_equal(err.code, -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "'td-no-such-netns-x'"));
	assert_non_null(strstr(err.msg, "/run/netns/td-no-such-netns-x"));
	assert_non_null(strstr(err.msg, "ip netns list"));

	/* Above any pid_max (at most 2^22). */
	assert_int_equal(td_netns_enter("999999999", &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "999999999"));
	assert_non_null(strstr(err.msg, "/proc/999999999/ns/net"));
	assert_non_null(strstr(err.msg, "no such process"));

	assert_int_equal(td_netns_enter("/nonexistent/td/ns", &err), -TD_ENOTFOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/td/ns"));

	/* NULL err is allowed. */
	assert_int_equal(td_netns_enter("td-no-such-netns-x", NULL), -TD_ENOTFOUND);
}

static void test_enter_invalid(void **state)
{
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_netns_enter("..", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'..'"));
	assert_int_equal(td_netns_enter("", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(td_netns_enter(NULL, &err), -EINVAL);
}

static void test_enter_not_a_netns(void **state)
{
	char path[] = "/tmp/td_netns_XXXXXX";
	struct td_err err = { 0 };
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	/* setns() checks the file type before any capability: EINVAL for
	 * root and non-root alike. */
	assert_int_equal(td_netns_enter(path, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "not a network namespace"));
	unlink(path);

	/* A namespace, but not a network one. */
	assert_int_equal(td_netns_enter("/proc/self/ns/uts", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a network namespace"));
}

struct perm_result {
	int by_pid; /* enter "1": cannot even open another user's ns */
	int own;    /* enter our own ns: setns wants CAP_SYS_ADMIN */
	char msg[512];
};

static void measure_perm(struct perm_result *r)
{
	struct td_err err = { 0 };

	r->by_pid = td_netns_enter("1", NULL);
	r->own = td_netns_enter("/proc/self/ns/net", &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

static void test_enter_needs_root(void **state)
{
	struct perm_result r = { 0 };
	struct stat st;
	int pfd[2], status;
	pid_t child;

	(void)state;
	if (geteuid() != 0) {
		measure_perm(&r);
	} else {
		/* Root bypasses the checks: drop to "nobody" in a child. */
		assert_int_equal(pipe(pfd), 0);
		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			close(pfd[0]);
			if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(2);
			measure_perm(&r);
			_exit(write(pfd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 3);
		}
		close(pfd[1]);
		assert_int_equal(read(pfd[0], &r, sizeof(r)), sizeof(r));
		close(pfd[0]);
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	if (stat("/proc/1", &st) == 0 && st.st_uid != (geteuid() == 0 ? 65534 : getuid()))
		assert_int_equal(r.by_pid, -EPERM);
	assert_int_equal(r.own, -EPERM);
	assert_non_null(strstr(r.msg, "needs root (CAP_SYS_ADMIN)"));
	assert_non_null(strstr(r.msg, "'/proc/self/ns/net'"));
}

static ino_t ns_inode(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return 0;
	return st.st_ino;
}

/* In a child (so this process stays put): enter spec, then report the
 * inode of the namespace the child is in. */
static void enter_in_child(const char *spec, int *ret, ino_t *ino)
{
	struct {
		int ret;
		ino_t ino;
	} res = { -1, 0 };
	int pfd[2], status;
	pid_t child;

	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pfd[0]);
		res.ret = td_netns_enter(spec, NULL);
		res.ino = ns_inode("/proc/self/ns/net");
		_exit(write(pfd[1], &res, sizeof(res)) == sizeof(res) ? 0 : 3);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &res, sizeof(res)), sizeof(res));
	close(pfd[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	*ret = res.ret;
	*ino = res.ino;
}

static void test_enter_real(void **state)
{
	char spec[32], path[64];
	int ready[2], status, ret;
	ino_t mine, target, got;
	pid_t holder;
	char c = 0;

	(void)state;
	if (geteuid() != 0) {
		skip_because("needs root");
		return;
	}
	/* A child that makes a fresh namespace and waits in it. */
	assert_int_equal(pipe(ready), 0);
	holder = fork();
	assert_true(holder >= 0);
	if (holder == 0) {
		close(ready[0]);
		c = unshare(CLONE_NEWNET) ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1)
			_exit(3);
		close(ready[1]);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	if (c != 'y') {
		kill(holder, SIGKILL);
		waitpid(holder, &status, 0);
		skip_because("kernel: unshare(CLONE_NEWNET) refused (no network namespaces, or a "
			     "seccomp sandbox)");
		return;
	}
	snprintf(spec, sizeof(spec), "%d", (int)holder);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)holder);
	mine = ns_inode("/proc/self/ns/net");
	target = ns_inode(path);

	enter_in_child(spec, &ret, &got);
	kill(holder, SIGKILL);
	waitpid(holder, &status, 0);
	assert_true(mine != 0 && target != 0);
	assert_true(mine != target);
	assert_int_equal(ret, 0);
	assert_int_equal(got, target);
	/* This process did not move. */
	assert_int_equal(ns_inode("/proc/self/ns/net"), mine);

	/* By path, into this process's namespace: a no-op that succeeds. */
	enter_in_child("/proc/self/ns/net", &ret, &got);
	assert_int_equal(ret, 0);
	assert_int_equal(got, mine);
}

/* Following a name: the same namespace, gone (no file, a plain file, NULL),
 * back, and a namespace that cannot be entered. As root, in a child: another
 * namespace under the path is entered (NEW), and a second thread joins it. */
static void test_watch(void **state)
{
	char path[] = "/tmp/td_netns_XXXXXX";
	struct td_netns_watch w;
	struct td_err err = { 0 };
	int fd, status;
	pid_t pid;

	(void)state;
	assert_int_equal(td_netns_watch_init(&w, "/proc/self/ns/net", &err), 0);
	assert_int_equal(td_netns_watch_poll(&w, "/proc/self/ns/net", &err), TD_NETNS_SAME);
	assert_int_equal(td_netns_watch_poll(&w, NULL, &err), TD_NETNS_GONE);
	assert_int_equal(w.gone, 1);
	assert_int_equal(td_netns_watch_poll(&w, "/nonexistent/td", &err), TD_NETNS_GONE);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* a stale /run/netns entry: an empty file, no namespace behind it */
	assert_int_equal(td_netns_watch_poll(&w, path, &err), TD_NETNS_GONE);
	unlink(path);
	assert_int_equal(td_netns_watch_poll(&w, "/proc/self/ns/net", &err), TD_NETNS_BACK);
	assert_int_equal(w.gone, 0);
	assert_int_equal(td_netns_watch_join(&w), 0);
	/* nsfs, but not a network namespace: cannot be entered */
	assert_true(td_netns_watch_poll(&w, "/proc/self/ns/uts", &err) < 0);
	assert_true(err.msg[0] != 0);
	if (geteuid() != 0)
		return;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct stat st;
		int p[2], ret = 0;
		pid_t other;
		char other_ns[64], c;

		if (pipe(p) < 0)
			_exit(10);
		other = fork();
		if (other == 0) { /* holds a new namespace until the pipe closes */
			close(p[1]);
			if (unshare(CLONE_NEWNET) < 0)
				_exit(1);
			if (read(p[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		close(p[0]);
		snprintf(other_ns, sizeof(other_ns), "/proc/%d/ns/net", (int)other);
		if (td_netns_watch_init(&w, "/proc/self/ns/net", &err) < 0)
			_exit(11);
		/* wait for the unshare: its ns file differs from ours */
		for (int i = 0; i < 2000; i++) {
			if (stat(other_ns, &st) == 0 && st.st_ino != w.ino)
				break;
			usleep(1000);
		}
		ret = td_netns_watch_poll(&w, other_ns, &err);
		if (ret == TD_NETNS_NEW && stat("/proc/thread-self/ns/net", &st) == 0 &&
		    st.st_ino == w.ino)
			ret = 0;
		else
			ret = 12;
		close(p[1]);
		waitpid(other, NULL, 0);
		_exit(ret);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_mapping),
		cmocka_unit_test(test_enter_missing),
		cmocka_unit_test(test_enter_invalid),
		cmocka_unit_test(test_enter_not_a_netns),
		cmocka_unit_test(test_enter_needs_root),
		cmocka_unit_test(test_enter_real),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for owners.c: a fake /proc tree in a temporary directory (fd
 * symlinks, comm, status, vanished and unreadable processes), then the live
 * /proc with a socket this test process holds; as root, the BPF walk against
 * the /proc walk. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
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

#include "sockets/owners.h"

#define HUGE_INODE 18446744073709551615ULL

static char tree[64];

static void mkpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkpath(const char *fmt, ...)
{
	char rel[256], path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void mkfile(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static void mklink(const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void chmod_rel(const char *rel, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	assert_int_equal(chmod(path, mode), 0);
}

/* The fake /proc:
 *   100  nginx, uid 1000: fd 3 and 20..40 -> socket 555 (dup), pipe, /dev/null
 *   200  "worker one", real uid 33 (effective 44): 555 (after fork), 777 on
 *        fd 8 and 41..60
 *   300  comm with quotes and a newline, no status: huge inode, malformed
 *        links, 888
 *   400  vanished: no fd directory
 *   500  long comm (truncated at 15), uid 1000: 999
 *   600  fd directory mode 000 (unreadable unless root)
 *   700  kernel thread (PF_KTHREAD in stat), fd mode 000: not counted
 *   800  zombie (state Z), fd mode 000: not counted
 *   self -> 100, net/fd/3 and 12abc/fd/3 -> socket 4242: not processes */
static int setup_tree(void **state)
{
	char name[64];
	int i;

	(void)state;
	snprintf(tree, sizeof(tree), "%s", "/tmp/td_owners_XXXXXX");
	assert_non_null(mkdtemp(tree));
	/* Readable by "nobody" for the unreadable-process test run as root. */
	assert_int_equal(chmod(tree, 0755), 0);

	mkpath("100");
	mkpath("100/fd");
	mkfile("100/comm", "nginx\n");
	mkfile("100/status", "Name:\tnginx\nUmask:\t0022\nState:\tS (sleeping)\n"
			     "Uid:\t1000\t1000\t1000\t1000\n"
			     "Gid:\t1000\t1000\t1000\t1000\n");
	/* Dups of 555 made before fd 3: readdir order here is the file
	 * system's hash order, so the lowest fd is rarely found first. */
	for (i = 40; i >= 20; i--) {
		snprintf(name, sizeof(name), "100/fd/%d", i);
		mklink(name, "socket:[555]");
	}
	mklink("100/fd/3", "socket:[555]");
	mklink("100/fd/4", "pipe:[9]");
	mklink("100/fd/5", "/dev/null");

	mkpath("200");
	mkpath("200/fd");
	mkfile("200/comm", "worker one\n");
	mkfile("200/status", "Name:\tworker one\nUid:\t33\t44\t44\t44\n");
	mklink("200/fd/7", "socket:[555]");
	for (i = 60; i >= 41; i--) {
		snprintf(name, sizeof(name), "200/fd/%d", i);
		mklink(name, "socket:[777]");
	}
	mklink("200/fd/8", "socket:[777]");

	mkpath("300");
	mkpath("300/fd");
	mkfile("300/comm", "a\"b\nc'd\n");
	mklink("300/fd/0", "socket:[18446744073709551615]");
	mklink("300/fd/1", "socket:[abc]");
	mklink("300/fd/2", "socket:[");
	mklink("300/fd/3", "socket:[123");
	mklink("300/fd/4", "socket:[18446744073709551616]");
	mklink("300/fd/5", "socket:[]");
	mklink("300/fd/6", "socket:[12]3]");
	mklink("300/fd/7", "Socket:[124]");
	mklink("300/fd/8", "socket:[18446744073709552171]"); /* 2^64 + 555 */
	mklink("300/fd/9", "socket:[888]");

	mkpath("400");
	mkfile("400/comm", "gone\n");

	mkpath("500");
	mkpath("500/fd");
	mkfile("500/comm", "averyveryverylongname\n");
	mkfile("500/status", "Uid:\t1000\t1000\t1000\t1000\n");
	mklink("500/fd/10", "socket:[999]");

	mkpath("600");
	mkpath("600/fd");
	mkfile("600/stat", "600 (secret) S 1 600 600 0 -1 4194560 0 0\n");
	mklink("600/fd/1", "socket:[31337]");
	chmod_rel("600/fd", 0);

	mkpath("700");
	mkpath("700/fd");
	mkfile("700/stat", "700 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0\n");
	chmod_rel("700/fd", 0);

	mkpath("800");
	mkpath("800/fd");
	mkfile("800/stat", "800 (a) (b)) Z 1 800 800 0 -1 4194564 0 0\n");
	chmod_rel("800/fd", 0);

	mklink("self", "100");
	mkpath("net");
	mkpath("net/fd");
	mklink("net/fd/3", "socket:[4242]");
	mkpath("12abc");
	mkpath("12abc/fd");
	mklink("12abc/fd/3", "socket:[4242]");
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown_tree(void **state)
{
	(void)state;
	chmod_rel("600/fd", 0755);
	chmod_rel("700/fd", 0755);
	chmod_rel("800/fd", 0755);
	assert_int_equal(nftw(tree, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	return 0;
}

static const struct td_owner *owner_of_pid(const struct td_owner *w, pid_t pid)
{
	for (; w; w = w->next)
		if (w->pid == pid)
			return w;
	return NULL;
}

static size_t list_len(const struct td_owner *w)
{
	size_t n = 0;

	for (; w; w = w->next)
		n++;
	return n;
}

static void test_wanted_owners(void **state)
{
	struct td_owners *o = td_owners_new();
	const struct td_owner *w, *a, *b;
	struct td_err err = { 0 };

	(void)state;
	assert_non_null(o);
	assert_int_equal(td_owners_want(o, 555), 0);
	assert_int_equal(td_owners_want(o, 777), 0);
	assert_int_equal(td_owners_want(o, 999), 0);
	assert_int_equal(td_owners_want(o, 31337), 0);	/* only in unreadable 600 */
	assert_int_equal(td_owners_want(o, 424242), 0); /* nowhere */
	assert_int_equal(td_owners_missing(o), 5);

	assert_int_equal(td_owners_resolve(o, tree, false, NULL, 0, &err), 0);
	assert_int_equal(err.code, 0);

	/* 555: two processes (fork), each once, 100 with its lowest dup fd. */
	w = td_owners_get(o, 555);
	assert_int_equal(list_len(w), 2);
	a = owner_of_pid(w, 100);
	b = owner_of_pid(w, 200);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->fd, 3);
	assert_string_equal(a->comm, "nginx");
	assert_int_equal(a->uid, 1000);
	assert_int_equal(b->fd, 7);
	assert_string_equal(b->comm, "worker one");
	assert_int_equal(b->uid, 33); /* the real uid, not the effective 44 */

	w = td_owners_get(o, 777);
	assert_int_equal(list_len(w), 1);
	assert_int_equal(w->pid, 200);
	assert_int_equal(w->fd, 8);
	assert_int_equal(w->uid, 33);

	w = td_owners_get(o, 999);
	assert_int_equal(list_len(w), 1);
	assert_int_equal(w->pid, 500);
	assert_int_equal(w->fd, 10);
	assert_string_equal(w->comm, "averyveryverylo");

	/* Not wanted: not recorded. */
	assert_null(td_owners_get(o, 888));
	assert_null(td_owners_get(o, HUGE_INODE));
	assert_null(td_owners_get(o, 0));

	if (geteuid() == 0) {
		/* Root reads 600's fd directory despite mode 000. */
		w = td_owners_get(o, 31337);
		assert_non_null(w);
		assert_int_equal(w->pid, 600);
		assert_int_equal(td_owners_missing(o), 1);
		assert_int_equal(td_owners_unreadable(o), 0);
	} else {
		assert_null(td_owners_get(o, 31337));
		assert_int_equal(td_owners_missing(o), 2);
		assert_int_equal(td_owners_unreadable(o), 1);
	}
	assert_null(td_owners_get(o, 424242));
	td_owners_free(o);
}

static void test_want_all(void **state)
{
	struct td_owners *o = td_owners_new();
	const struct td_owner *w;
	struct stat st;
	char path[512];

	(void)state;
	assert_non_null(o);
	assert_int_equal(td_owners_resolve(o, tree, true, NULL, 0, NULL), 0);
	assert_int_equal(list_len(td_owners_get(o, 555)), 2);
	assert_int_equal(list_len(td_owners_get(o, 777)), 1);
	assert_int_equal(list_len(td_owners_get(o, 888)), 1);
	assert_int_equal(list_len(td_owners_get(o, 999)), 1);

	/* Largest inode; comm kept byte for byte; no status: dir owner. */
	w = td_owners_get(o, HUGE_INODE);
	assert_non_null(w);
	assert_null(w->next);
	assert_int_equal(w->pid, 300);
	assert_int_equal(w->fd, 0);
	assert_string_equal(w->comm, "a\"b\nc'd");
	snprintf(path, sizeof(path), "%s/300", tree);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(w->uid, st.st_uid);
	assert_int_equal(td_owners_get(o, 888)->pid, 300);
	assert_int_equal(td_owners_get(o, 888)->fd, 9);

	/* Malformed or overflowing links are not sockets (2^64 + 555 on 300
	 * would otherwise wrap to a third owner of 555). */
	assert_null(owner_of_pid(td_owners_get(o, 555), 300));
	assert_null(td_owners_get(o, 123));
	assert_null(td_owners_get(o, 12));
	assert_null(td_owners_get(o, 124));
	assert_null(td_owners_get(o, 1844674407370955161ULL));
	/* Non-numeric entries ("self", "net", "12abc") are not processes. */
	assert_null(td_owners_get(o, 4242));
	/* Nothing was wanted, so nothing is missing. */
	assert_int_equal(td_owners_missing(o), 0);
	td_owners_free(o);
}

static void test_early_stop(void **state)
{
	struct td_owners *o = td_owners_new();
	const struct td_owner *w;

	(void)state;
	assert_non_null(o);
	/* 555 lives in 100 and 200: whichever comes first ends the walk, so
	 * exactly one owner is found (readdir order of the fake tree is the
	 * file system's, not pid order). */
	assert_int_equal(td_owners_want(o, 555), 0);
	assert_int_equal(td_owners_resolve(o, tree, false, NULL, 0, NULL), 0);
	w = td_owners_get(o, 555);
	assert_non_null(w);
	assert_null(w->next);
	assert_true(w->pid == 100 || w->pid == 200);
	assert_int_equal(td_owners_missing(o), 0);
	td_owners_free(o);
}

static void test_want_ignores_zero_and_duplicates(void **state)
{
	struct td_owners *o = td_owners_new();
	uint64_t i;

	(void)state;
	assert_non_null(o);
	assert_int_equal(td_owners_want(NULL, 5), -EINVAL);
	assert_int_equal(td_owners_want(o, 0), 0);
	assert_int_equal(td_owners_missing(o), 0);
	/* Nothing wanted, nothing to walk: even a bad procdir is not read. */
	assert_int_equal(td_owners_resolve(o, "/nonexistent/proc", false, NULL, 0, NULL), 0);
	assert_int_equal(td_owners_want(o, 555), 0);
	assert_int_equal(td_owners_want(o, 555), 0);
	assert_int_equal(td_owners_missing(o), 1);
	/* Enough inodes to grow the table many times over. */
	for (i = 1; i <= 50000; i++)
		assert_int_equal(td_owners_want(o, i * 7919), 0);
	for (i = 1; i <= 50000; i++)
		assert_int_equal(td_owners_want(o, i * 7919), 0);
	assert_int_equal(td_owners_missing(o), 50001);
	assert_null(td_owners_get(o, 7919));
	assert_int_equal(td_owners_resolve(o, tree, false, NULL, 0, NULL), 0);
	assert_int_equal(list_len(td_owners_get(o, 555)), 2);
	assert_int_equal(td_owners_missing(o), 50000);
	td_owners_free(o);
	td_owners_free(NULL);
}

static void test_pid_filter(void **state)
{
	const pid_t pids[] = { 200, 999999, 200, 400, -1, 0 };
	const pid_t only300[] = { 300 };
	struct td_owners *o = td_owners_new();
	const struct td_owner *w;

	(void)state;
	assert_non_null(o);
	assert_int_equal(td_owners_want(o, 555), 0);
	assert_int_equal(td_owners_want(o, 999), 0);
	assert_int_equal(td_owners_resolve(o, tree, false, pids, 6, NULL), 0);
	w = td_owners_get(o, 555);
	assert_non_null(w);
	assert_null(w->next); /* the duplicate 200 is walked once */
	assert_int_equal(w->pid, 200);
	assert_null(td_owners_get(o, 999));
	assert_int_equal(td_owners_missing(o), 1);
	td_owners_free(o);

	o = td_owners_new();
	assert_non_null(o);
	assert_int_equal(td_owners_resolve(o, tree, true, only300, 1, NULL), 0);
	assert_non_null(td_owners_get(o, HUGE_INODE));
	assert_non_null(td_owners_get(o, 888));
	assert_null(td_owners_get(o, 555));
	assert_null(td_owners_get(o, 999));
	td_owners_free(o);
}

static void test_rescan(void **state)
{
	struct td_owners *o = td_owners_new();

	(void)state;
	assert_non_null(o);
	assert_int_equal(td_owners_want(o, 555), 0);
	assert_int_equal(td_owners_want(o, 424242), 0);
	assert_int_equal(td_owners_resolve(o, tree, false, NULL, 0, NULL), 0);
	assert_int_equal(list_len(td_owners_get(o, 555)), 2);
	assert_int_equal(td_owners_missing(o), 1);
	/* A second resolve starts over: no duplicated records or counts. */
	assert_int_equal(td_owners_resolve(o, tree, false, NULL, 0, NULL), 0);
	assert_int_equal(list_len(td_owners_get(o, 555)), 2);
	assert_int_equal(td_owners_missing(o), 1);
	/* After a want_all walk, wanting a recorded inode finds it at once. */
	assert_int_equal(td_owners_resolve(o, tree, true, NULL, 0, NULL), 0);
	assert_int_equal(td_owners_want(o, 777), 0);
	assert_int_equal(td_owners_missing(o), 1);
	assert_int_equal(list_len(td_owners_get(o, 777)), 1);
	td_owners_free(o);
}

static void test_bad_procdir(void **state)
{
	struct td_owners *o = td_owners_new();
	struct td_err err = { 0 };
	char path[512];

	(void)state;
	assert_non_null(o);
	assert_int_equal(td_owners_want(o, 555), 0);
	assert_int_equal(td_owners_resolve(o, "/nonexistent/proc", false, NULL, 0, &err), -ENOENT);
	assert_int_equal(err.code, -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/proc"));
	/* A file where the directory should be. */
	snprintf(path, sizeof(path), "%s/100/comm", tree);
	assert_int_equal(td_owners_resolve(o, path, false, NULL, 0, &err), -ENOTDIR);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(td_owners_resolve(NULL, tree, false, NULL, 0, &err), -EINVAL);
	td_owners_free(o);
}

struct unreadable_result {
	int ret;
	size_t unreadable;
	size_t missing;
	size_t live1; /* pid 1 of the live /proc, if not ours */
	size_t live_kthread;
};

/* /proc/PID/status "Kthread:\t1" (kernel >= 6.x), an oracle independent of
 * the stat flags owners.c reads. */
static bool is_kthread(pid_t pid)
{
	char path[64], line[256];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "Kthread:\t1\n"))
			yes = true;
	fclose(f);
	return yes;
}

static void measure_unreadable(struct unreadable_result *r)
{
	struct td_owners *o = td_owners_new();
	const pid_t one = 1, two = 2;

	r->ret = -ENOMEM;
	if (!o)
		return;
	td_owners_want(o, 424242); /* never found: the whole tree is walked */
	r->ret = td_owners_resolve(o, tree, false, NULL, 0, NULL);
	r->unreadable = td_owners_unreadable(o);
	r->missing = td_owners_missing(o);
	td_owners_resolve(o, NULL, false, &one, 1, NULL);
	r->live1 = td_owners_unreadable(o);
	td_owners_resolve(o, NULL, false, &two, 1, NULL);
	r->live_kthread = td_owners_unreadable(o);
	td_owners_free(o);
}

/* As root, permissions do not apply: measure as "nobody" in a child. */
static void test_unreadable(void **state)
{
	struct unreadable_result r = { 0 };
	struct stat st;
	int pfd[2], status;
	pid_t child;

	(void)state;
	if (geteuid() != 0) {
		measure_unreadable(&r);
	} else {
		assert_int_equal(pipe(pfd), 0);
		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			close(pfd[0]);
			if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(2);
			measure_unreadable(&r);
			_exit(write(pfd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 3);
		}
		close(pfd[1]);
		assert_int_equal(read(pfd[0], &r, sizeof(r)), sizeof(r));
		close(pfd[0]);
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(r.ret, 0);
	/* 600 counts; the kernel thread 700 and the zombie 800 do not. */
	assert_int_equal(r.unreadable, 1);
	assert_int_equal(r.missing, 1);
	if (stat("/proc/1", &st) == 0 && st.st_uid != (geteuid() == 0 ? 65534 : getuid()))
		assert_int_equal(r.live1, 1);
	if (is_kthread(2))
		assert_int_equal(r.live_kthread, 0);
}

static void read_own_comm(char *comm, size_t len)
{
	FILE *f = fopen("/proc/self/comm", "r");

	assert_non_null(f);
	assert_non_null(fgets(comm, (int)len, f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
}

static void check_live_owner(const struct td_owners *o, uint64_t inode, int fd, const char *comm)
{
	const struct td_owner *w = owner_of_pid(td_owners_get(o, inode), getpid());

	assert_non_null(w);
	assert_int_equal(w->fd, fd);
	assert_int_equal(w->uid, getuid());
	assert_string_equal(w->comm, comm);
}

static void test_live(void **state)
{
	struct td_owners *o;
	char comm[32];
	pid_t self = getpid();
	struct stat st;
	int sock, dupfd;

	(void)state;
	read_own_comm(comm, sizeof(comm));
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(sock >= 0);
	assert_int_equal(fstat(sock, &st), 0);
	/* A dup with a higher number: the lowest fd is the one reported. */
	dupfd = fcntl(sock, F_DUPFD_CLOEXEC, sock + 10);
	assert_true(dupfd > sock);

	o = td_owners_new();
	assert_non_null(o);
	assert_int_equal(td_owners_want(o, st.st_ino), 0);
	assert_int_equal(td_owners_resolve(o, NULL, false, &self, 1, NULL), 0);
	assert_int_equal(td_owners_missing(o), 0);
	check_live_owner(o, st.st_ino, sock, comm);
	assert_null(td_owners_get(o, st.st_ino)->next);

	assert_int_equal(td_owners_resolve(o, NULL, false, NULL, 0, NULL), 0);
	assert_int_equal(td_owners_missing(o), 0);
	check_live_owner(o, st.st_ino, sock, comm);
	td_owners_free(o);

	o = td_owners_new();
	assert_non_null(o);
	assert_int_equal(td_owners_resolve(o, NULL, true, &self, 1, NULL), 0);
	check_live_owner(o, st.st_ino, sock, comm);
	td_owners_free(o);
	close(dupfd);
	close(sock);
}

/* Thousands of sockets in one process: every one found, table growth. */
static void test_live_many(void **state)
{
	enum { N = 2000 };
	static int fds[N];
	struct td_owners *o = td_owners_new();
	pid_t self = getpid();
	struct stat st;
	int i;

	(void)state;
	assert_non_null(o);
	for (i = 0; i < N; i++) {
		fds[i] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		assert_true(fds[i] >= 0);
		if (i % 2) {
			assert_int_equal(fstat(fds[i], &st), 0);
			assert_int_equal(td_owners_want(o, st.st_ino), 0);
		}
	}
	assert_int_equal(td_owners_resolve(o, NULL, false, &self, 1, NULL), 0);
	assert_int_equal(td_owners_missing(o), 0);
	for (i = 0; i < N; i++) {
		const struct td_owner *w;

		assert_int_equal(fstat(fds[i], &st), 0);
		w = td_owners_get(o, st.st_ino);
		if (i % 2) {
			assert_non_null(w);
			assert_int_equal(w->fd, fds[i]);
		} else {
			assert_null(w);
		}
	}
	td_owners_free(o);
	for (i = 0; i < N; i++)
		close(fds[i]);
}

/* The BPF walk against the /proc walk, inode by inode, on sockets of this
 * process (one dup'ed to a higher fd), of a forked child with another comm
 * and real uid that shares one of them, and of a thread with an fd table of
 * its own (unshare(CLONE_FILES)): /proc/PID/fd shows the leader's table only,
 * so that thread's socket has no owner in either walk. Root only. */
enum { BPF_NSOCK = 4 };

struct files_thread {
	int ready[2]; /* the thread writes its socket's inode */
	int done[2];  /* the test writes a byte when it has looked */
};

static void *own_table_thread(void *arg)
{
	struct files_thread *ft = arg;
	uint64_t ino = 0;
	struct stat st;
	char c;
	int fd = -1;

	if (unshare(CLONE_FILES) == 0) {
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && fstat(fd, &st) == 0)
			ino = st.st_ino;
	}
	if (write(ft->ready[1], &ino, sizeof(ino)) != sizeof(ino))
		ino = 0;
	/* One byte, not EOF: this thread's own table holds the write end too. */
	if (read(ft->done[0], &c, 1) != 1)
		ino = 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int resolve_with(const char *mode, struct td_owners *o, bool want_all, const pid_t *pids,
			size_t npids, struct td_err *err)
{
	int ret;

	assert_int_equal(setenv("TD_OWNERS", mode, 1), 0);
	ret = td_owners_resolve(o, NULL, want_all, pids, npids, err);
	unsetenv("TD_OWNERS");
	return ret;
}

static void assert_same_owners(const struct td_owner *a, const struct td_owner *b)
{
	for (; a && b; a = a->next, b = b->next) {
		assert_int_equal(a->pid, b->pid);
		assert_int_equal(a->fd, b->fd);
		assert_int_equal(a->uid, b->uid);
		assert_string_equal(a->comm, b->comm);
	}
	assert_null(a);
	assert_null(b);
}

static void test_bpf_matches_proc(void **state)
{
	struct files_thread ft;
	struct td_owners *bpf, *proc;
	struct td_err err = { 0 };
	uint64_t ino[BPF_NSOCK], thread_ino = 0;
	int fds[BPF_NSOCK + 1], gate[2], status, dupfd, ret;
	const struct td_owner *w;
	pid_t self = getpid(), child;
	pthread_t tid;
	struct stat st;
	char comm[32], c;

	(void)state;
	if (geteuid() != 0)
		skip_because("needs root");
#ifndef TD_HAVE_BPF
	skip_because("built without BPF: clang and bpftool missing (scripts/deps)");
#endif
	/* Root, but no BTF, an old kernel or a child PID namespace. */
	bpf = td_owners_new();
	assert_non_null(bpf);
	ret = resolve_with("bpf", bpf, true, &self, 1, &err);
	td_owners_free(bpf);
	if (ret == -TD_EUNSUPP)
		skip_because("kernel: no BTF or BPF iterators, or a child PID namespace");
	assert_int_equal(ret, 0);

	read_own_comm(comm, sizeof(comm));
	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fds[1] = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, &fds[2]), 0);
	for (int i = 0; i < BPF_NSOCK; i++) {
		assert_true(fds[i] >= 0);
		assert_int_equal(fstat(fds[i], &st), 0);
		ino[i] = st.st_ino;
	}
	dupfd = fcntl(fds[1], F_DUPFD_CLOEXEC, fds[1] + 20);
	assert_true(dupfd > fds[1]);

	/* The child keeps fds[0] (inherited), closes the rest, renames itself
	 * and drops its real uid, then waits for the gate to close. */
	assert_int_equal(pipe(gate), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(gate[1]);
		for (int i = 1; i < BPF_NSOCK; i++)
			close(fds[i]);
		close(dupfd);
		prctl(PR_SET_NAME, "td owners kid");
		if (setresuid(65534, 0, 0))
			_exit(2);
		while (read(gate[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(gate[0]);

	assert_int_equal(pipe(ft.ready), 0);
	assert_int_equal(pipe(ft.done), 0);
	assert_int_equal(pthread_create(&tid, NULL, own_table_thread, &ft), 0);
	assert_int_equal(read(ft.ready[0], &thread_ino, sizeof(thread_ino)), sizeof(thread_ino));
	assert_true(thread_ino != 0);
	/* The child's setresuid must have happened before looking. */
	for (int i = 0; i < 200; i++) {
		char path[64], buf[512];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)child);
		f = fopen(path, "r");
		assert_non_null(f);
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
		if (strstr(buf, "\nUid:\t65534\t"))
			break;
		usleep(10000);
	}

	/* Every socket of every process, then only the wanted ones. */
	for (int pass = 0; pass < 2; pass++) {
		bool want_all = pass == 0;

		bpf = td_owners_new();
		proc = td_owners_new();
		assert_non_null(bpf);
		assert_non_null(proc);
		if (!want_all) {
			for (int i = 0; i < BPF_NSOCK; i++) {
				assert_int_equal(td_owners_want(bpf, ino[i]), 0);
				assert_int_equal(td_owners_want(proc, ino[i]), 0);
			}
			assert_int_equal(td_owners_want(bpf, thread_ino), 0);
			assert_int_equal(td_owners_want(proc, thread_ino), 0);
			td_owners_set_complete(bpf, true);
			td_owners_set_complete(proc, true);
		}
		assert_int_equal(resolve_with("bpf", bpf, want_all, NULL, 0, &err), 0);
		assert_int_equal(resolve_with("proc", proc, want_all, NULL, 0, &err), 0);
		for (int i = 0; i < BPF_NSOCK; i++)
			assert_same_owners(td_owners_get(bpf, ino[i]), td_owners_get(proc, ino[i]));
		assert_null(td_owners_get(bpf, thread_ino));
		assert_null(td_owners_get(proc, thread_ino));
		assert_int_equal(td_owners_unreadable(bpf), 0);
		assert_int_equal(td_owners_missing(bpf), want_all ? 0 : 1);
		assert_int_equal(td_owners_missing(proc), want_all ? 0 : 1);

		/* Not just equal: right. fds[0] is ours and the child's. */
		w = td_owners_get(bpf, ino[0]);
		assert_int_equal(list_len(w), 2);
		assert_int_equal(w->pid, self < child ? self : child);
		check_live_owner(bpf, ino[0], fds[0], comm);
		w = owner_of_pid(td_owners_get(bpf, ino[0]), child);
		assert_non_null(w);
		assert_int_equal(w->fd, fds[0]);
		assert_int_equal(w->uid, 65534);
		assert_string_equal(w->comm, "td owners kid");
		assert_int_equal(list_len(td_owners_get(bpf, ino[1])), 1);
		check_live_owner(bpf, ino[1], fds[1], comm); /* the lowest, not dupfd */
		check_live_owner(bpf, ino[3], fds[3], comm);
		td_owners_free(bpf);
		td_owners_free(proc);
	}

	/* The pid filter: only this process, so fds[0] has one owner. */
	bpf = td_owners_new();
	assert_non_null(bpf);
	assert_int_equal(resolve_with("bpf", bpf, true, &self, 1, &err), 0);
	assert_int_equal(list_len(td_owners_get(bpf, ino[0])), 1);
	check_live_owner(bpf, ino[0], fds[0], comm);
	assert_null(owner_of_pid(td_owners_get(bpf, ino[0]), child));
	td_owners_free(bpf);

	assert_int_equal(write(ft.done[1], "x", 1), 1);
	assert_int_equal(pthread_join(tid, NULL), 0);
	close(ft.done[1]);
	close(ft.done[0]);
	close(ft.ready[0]);
	close(ft.ready[1]);
	close(gate[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(dupfd);
	for (int i = 0; i < BPF_NSOCK; i++)
		close(fds[i]);
}

/* A procdir is a test's fake /proc: walked whatever TD_OWNERS says. */
static void test_env_keeps_procdir(void **state)
{
	struct td_owners *o = td_owners_new();
	struct td_err err = { 0 };
	int ret;

	(void)state;
	assert_non_null(o);
	assert_int_equal(td_owners_want(o, 555), 0);
	td_owners_set_complete(o, true);
	assert_int_equal(setenv("TD_OWNERS", "bpf", 1), 0);
	ret = td_owners_resolve(o, tree, false, NULL, 0, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(list_len(td_owners_get(o, 555)), 2);
#ifndef TD_HAVE_BPF
	/* Forced, but not built in: an error, not a silent /proc walk. */
	ret = td_owners_resolve(o, NULL, false, NULL, 0, &err);
	assert_int_equal(ret, -TD_EUNSUPP);
	assert_non_null(strstr(err.msg, "TD_OWNERS"));
#endif
	unsetenv("TD_OWNERS");
	td_owners_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted_owners),
		cmocka_unit_test(test_want_all),
		cmocka_unit_test(test_early_stop),
		cmocka_unit_test(test_want_ignores_zero_and_duplicates),
		cmocka_unit_test(test_pid_filter),
		cmocka_unit_test(test_rescan),
		cmocka_unit_test(test_bad_procdir),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_live_many),
		cmocka_unit_test(test_bpf_matches_proc),
		cmocka_unit_test(test_env_keeps_procdir),
	};

	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}

/* Unit tests for nsall.c: finding a namespace by the names --netns takes,
 * --netns-filter globs, and discovery over a fake proc tree whose ns/net
 * links point at this process's own namespace (so it needs no root). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockets/nsall.h"

static struct td_ns mk(uint64_t inode, enum td_ns_kind kind, const char *name)
{
	struct td_ns ns;

	memset(&ns, 0, sizeof(ns));
	ns.inode = inode;
	ns.kind = kind;
	snprintf(ns.name, sizeof(ns.name), "%s", name);
	return ns;
}

static void test_find(void **state)
{
	struct td_ns v[4];
	struct td_nslist l = { .v = v, .n = 4, .cap = 4 };

	(void)state;
	v[0] = mk(4026531840, TD_NS_HOST, "host");
	v[1] = mk(4026532001, TD_NS_CONTAINER, "docker:web1");
	snprintf(v[1].container, sizeof(v[1].container), "docker:web1");
	snprintf(v[1].container_id, sizeof(v[1].container_id), "4f1b8e2c9a7d6b3e");
	snprintf(v[1].ip_netns, sizeof(v[1].ip_netns), "blue");
	v[2] = mk(4026532002, TD_NS_POD, "pod:default/api-7f9c");
	snprintf(v[2].pod, sizeof(v[2].pod), "default/api-7f9c");
	snprintf(v[2].unit, sizeof(v[2].unit), "nginx.service");
	v[3] = mk(4026532003, TD_NS_UNIT, "unit:nginx.service");
	snprintf(v[3].unit, sizeof(v[3].unit), "nginx.service");

	assert_ptr_equal(td_nsall_find(&l, "host"), &v[0]);
	assert_ptr_equal(td_nsall_find(&l, "net:[4026531840]"), &v[0]);
	assert_ptr_equal(td_nsall_find(&l, "docker:web1"), &v[1]);
	assert_ptr_equal(td_nsall_find(&l, "container:web1"), &v[1]);
	assert_ptr_equal(td_nsall_find(&l, "container:docker:web1"), &v[1]);
	assert_ptr_equal(td_nsall_find(&l, "container:4f1b8e2c"), &v[1]);
	assert_ptr_equal(td_nsall_find(&l, "web1"), &v[1]); /* a bare container name */
	assert_null(td_nsall_find(&l, "container:4f1"));    /* too short a prefix */
	assert_null(td_nsall_find(&l, "container:"));
	assert_ptr_equal(td_nsall_find(&l, "pod:default/api-7f9c"), &v[2]);
	assert_ptr_equal(td_nsall_find(&l, "pod:api-7f9c"), &v[2]);
	/* The name wins over another namespace's unit field. */
	assert_ptr_equal(td_nsall_find(&l, "unit:nginx.service"), &v[3]);
	assert_null(td_nsall_find(&l, "net:[1]"));
	assert_null(td_nsall_find(&l, "unit:sshd.service"));

	assert_true(td_nsall_match(&v[1], "docker:*"));
	assert_true(td_nsall_match(&v[1], "bl*"));     /* the ip netns name */
	assert_true(td_nsall_match(&v[2], "*nginx*")); /* the unit */
	assert_false(td_nsall_match(&v[0], "docker:*"));
	assert_true(td_nsall_match(&v[0], "docker:*,host"));
	assert_true(td_nsall_match(&v[1], ",,docker:*,"));
	assert_false(td_nsall_match(&v[0], ""));

	assert_true(td_nsall_is_spec("container:x"));
	assert_true(td_nsall_is_spec("net:[1]"));
	assert_false(td_nsall_is_spec("blue"));
	assert_string_equal(td_ns_kind_name(TD_NS_FD), "fd");
	assert_string_equal(td_ns_kind_name(TD_NS_NAMED), "netns");
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "we");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A fake tree: pids 100 and 101 in one namespace (ours), 102 gone (a
 * dangling link), "self" and junk ignored; cgroup fixtures name it. */
static void test_discover_fake(void **state)
{
	char dir[] = "/tmp/td-nsall-XXXXXX", p[PATH_MAX + 64];
	struct td_nslist l;
	struct td_err err = { 0 };
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	for (int pid = 100; pid <= 102; pid++) {
		snprintf(p, sizeof(p), "%s/%d", dir, pid);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/%d/ns", dir, pid);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/%d/ns/net", dir, pid);
		assert_int_equal(symlink(pid == 102 ? "/nonexistent/ns" : "/proc/self/ns/net", p),
				 0);
	}
	snprintf(p, sizeof(p), "%s/101/cgroup", dir);
	write_file(p, "0::/system.slice/docker-4f1b8e2c9a7d6b3e5f0a1c2d3e4f5a6b.scope\n");
	snprintf(p, sizeof(p), "%s/100/cgroup", dir);
	write_file(p, "0::/system.slice/sshd.service\n");
	snprintf(p, sizeof(p), "%s/self", dir);
	mkdir(p, 0700);

	assert_int_equal(td_nsall_discover(&l, dir, "/nonexistent", &err), 0);
	{
		const struct td_ns *ns = NULL;

		for (size_t i = 0; i < l.n; i++)
			if (l.v[i].inode == st.st_ino)
				ns = &l.v[i];
		assert_non_null(ns);
		assert_int_equal(ns->npids, 2);
		assert_int_equal(ns->pids[0], 100);
		assert_int_equal(ns->pids[1], 101);
		/* The first process in a container names it, not sshd's unit. */
		assert_int_equal(ns->kind, TD_NS_CONTAINER);
		assert_string_equal(ns->name, "docker:4f1b8e2c9a7d");
		assert_ptr_equal(td_nsall_find(&l, "container:4f1b8e2c9a7d"), ns);
		{
			int fd = td_nsall_open(ns, dir);

			assert_true(fd >= 0);
			close(fd);
		}
	}
	td_nsall_free(&l);
	assert_int_equal(td_nsall_discover(&l, "/nonexistent-proc", NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent-proc"));

	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* A namespace whose every holder is gone cannot be opened: -ENOENT. */
static void test_open_gone(void **state)
{
	struct td_ns ns = mk(12345, TD_NS_MOUNT, "net:[12345]");
	pid_t pids[1] = { 999999 };

	(void)state;
	snprintf(ns.mount, sizeof(ns.mount), "/nonexistent/mount");
	assert_int_equal(td_nsall_open(&ns, NULL), -ENOENT);
	ns.pids = pids;
	ns.npids = 1;
	ns.fd_pid = 999999;
	ns.fd = 3;
	assert_int_equal(td_nsall_open(&ns, NULL), -ENOENT);
	/* An inode that does not match (the pid now in another namespace). */
	pids[0] = getpid();
	assert_int_equal(td_nsall_open(&ns, NULL), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_discover_fake),
		cmocka_unit_test(test_open_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

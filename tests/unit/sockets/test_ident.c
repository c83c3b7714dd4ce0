/* Unit tests for ident.c: every runtime's /proc/PID/cgroup spelling
 * (tests/data/cgroup, formats in its README) and the runtimes' state files
 * under tests/data/cgroup/root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sockets/ident.h"

#define ID "4f1b8e2c9a7d6b3e5f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
#define ID2 "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
#define POD "5b8f0c2e-1d3a-4b6c-9e7f-0a1b2c3d4e5f"

static const char *srcdir(void)
{
	const char *d = getenv("TD_SRCDIR");

	return d && *d ? d : ".";
}

static void load(const char *name, struct td_ident *id)
{
	char path[512], buf[8192];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/cgroup/%s", srcdir(), name);
	fp = fopen(path, "re");
	if (!fp)
		fail_msg("cannot open %s (set TD_SRCDIR?)", path);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	td_ident_parse(buf, n, id);
}

struct want {
	const char *file;
	enum td_runtime rt;
	const char *id, *pod, *qos, *unit;
	long user;
};

static const struct want wants[] = {
	{ "docker-cgroupfs-v1", TD_RT_DOCKER, ID, "", "", "", -1 },
	{ "docker-cgroupfs-v2", TD_RT_DOCKER, ID, "", "", "", -1 },
	{ "docker-systemd-v1", TD_RT_DOCKER, ID, "", "", "docker-" ID ".scope", -1 },
	{ "docker-systemd-v2", TD_RT_DOCKER, ID, "", "", "docker-" ID ".scope", -1 },
	{ "k8s-containerd-systemd-burstable-v2", TD_RT_CONTAINERD, ID, POD, "burstable",
	  "cri-containerd-" ID ".scope", -1 },
	{ "k8s-containerd-systemd-besteffort-v1", TD_RT_CONTAINERD, ID, POD, "besteffort",
	  "cri-containerd-" ID ".scope", -1 },
	{ "k8s-containerd-systemd-guaranteed-v2", TD_RT_CONTAINERD, ID, POD, "guaranteed",
	  "cri-containerd-" ID ".scope", -1 },
	{ "k8s-containerd-cgroupfs-burstable-v1", TD_RT_CONTAINERD, ID, POD, "burstable", "", -1 },
	{ "k8s-containerd-cgroupfs-guaranteed-v2", TD_RT_CONTAINERD, ID, POD, "guaranteed", "",
	  -1 },
	{ "k8s-docker-systemd-v1", TD_RT_DOCKER, ID, POD, "besteffort", "docker-" ID ".scope", -1 },
	{ "crio-systemd-v2", TD_RT_CRIO, ID, POD, "burstable", "crio-" ID ".scope", -1 },
	{ "crio-cgroupfs-v1", TD_RT_CRIO, ID, POD, "besteffort", "", -1 },
	{ "crio-conmon-v2", TD_RT_NONE, "", "", "", "crio-conmon-" ID ".scope", -1 },
	{ "podman-systemd-v2", TD_RT_PODMAN, ID2, "", "", "libpod-" ID2 ".scope", -1 },
	{ "podman-systemd-v1", TD_RT_PODMAN, ID2, "", "", "libpod-" ID2 ".scope", -1 },
	{ "podman-rootless-v2", TD_RT_PODMAN, ID2, "", "", "libpod-" ID2 ".scope", 1000 },
	{ "podman-cgroupfs-v2", TD_RT_PODMAN, ID2, "", "", "", -1 },
	{ "podman-conmon-v2", TD_RT_NONE, "", "", "", "libpod-conmon-" ID2 ".scope", -1 },
	{ "lxc-v1", TD_RT_LXC, "web-01", "", "", "", -1 },
	{ "lxc-payload-v1", TD_RT_LXC, "web-01", "", "", "", -1 },
	{ "lxc-payload-v2", TD_RT_LXC, "web-01", "", "", "init.scope", -1 },
	{ "nspawn-service-v2", TD_RT_NSPAWN, "db-1", "", "", "postgresql.service", -1 },
	{ "nspawn-scope-v2", TD_RT_NSPAWN, "db-1", "", "", "machine-db-1.scope", -1 },
	{ "systemd-service-v1", TD_RT_NONE, "", "", "", "nginx.service", -1 },
	{ "systemd-service-v2", TD_RT_NONE, "", "", "", "nginx.service", -1 },
	{ "user-session-v2", TD_RT_NONE, "", "", "", "session-3.scope", 1000 },
	{ "user-app-v2", TD_RT_NONE, "", "", "", "app-gnome-firefox-1234.scope", 1000 },
	{ "init-v2", TD_RT_NONE, "", "", "", "init.scope", -1 },
	{ "host-plain-v1", TD_RT_NONE, "", "", "", "", -1 },
};

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];
		struct td_ident id;

		load(w->file, &id);
		if (id.runtime != w->rt || strcmp(id.id, w->id) || strcmp(id.pod_uid, w->pod) ||
		    strcmp(id.qos, w->qos) || strcmp(id.unit, w->unit) || id.user != w->user)
			fail_msg("%s: got runtime %d id '%s' pod '%s' qos '%s' unit '%s' user %ld",
				 w->file, id.runtime, id.id, id.pod_uid, id.qos, id.unit, id.user);
	}
}

static void test_names(void **state)
{
	struct td_ident id;
	char buf[256];

	(void)state;
	load("docker-systemd-v2", &id);
	assert_string_equal(td_ident_container(&id, buf, sizeof(buf)), "docker:4f1b8e2c9a7d");
	assert_string_equal(td_ident_pod(&id, buf, sizeof(buf)), "");
	load("lxc-v1", &id);
	assert_string_equal(td_ident_container(&id, buf, sizeof(buf)), "lxc:web-01");
	load("systemd-service-v2", &id);
	assert_string_equal(td_ident_container(&id, buf, sizeof(buf)), "");
	load("crio-systemd-v2", &id);
	assert_string_equal(td_ident_pod(&id, buf, sizeof(buf)), POD);
	assert_string_equal(td_runtime_name(TD_RT_CRIO), "cri-o");
	assert_null(td_runtime_name(TD_RT_NONE));
}

static void test_metadata(void **state)
{
	char root[512], buf[256];
	struct td_ident id;

	(void)state;
	snprintf(root, sizeof(root), "%s/tests/data/cgroup/root", srcdir());
	load("docker-systemd-v1", &id);
	td_ident_metadata(&id, root);
	assert_string_equal(id.name, "web1");
	assert_string_equal(td_ident_container(&id, buf, sizeof(buf)), "docker:web1");

	load("k8s-containerd-systemd-burstable-v2", &id);
	td_ident_metadata(&id, root);
	assert_string_equal(id.name, "api");
	assert_string_equal(td_ident_pod(&id, buf, sizeof(buf)), "default/api-7f9c");

	/* cgroupfs driver, no containerd task dir for a guessed runtime: the
	 * kubelet's etc-hosts still names the pod. */
	load("k8s-containerd-cgroupfs-guaranteed-v2", &id);
	id.runtime = TD_RT_DOCKER; /* no docker metadata for it */
	id.id[0] = 'f';
	td_ident_metadata(&id, root);
	assert_string_equal(id.pod_name, "api-7f9c");

	/* A hostile namespace (a quote) comes back as bytes; views escape. */
	load("crio-systemd-v2", &id);
	td_ident_metadata(&id, root);
	assert_string_equal(id.name, "db");
	assert_string_equal(td_ident_pod(&id, buf, sizeof(buf)), "prod\"x/db-0");

	load("podman-systemd-v2", &id);
	td_ident_metadata(&id, root);
	assert_string_equal(td_ident_container(&id, buf, sizeof(buf)), "podman:redis-cache");

	/* No metadata at all: names stay empty, nothing fails. */
	load("docker-cgroupfs-v2", &id);
	td_ident_metadata(&id, "/nonexistent");
	assert_string_equal(id.name, "");
}

static void test_hostile(void **state)
{
	struct td_ident id;
	const char *evil = "0::/system.slice/docker-../../etc.scope\n"
			   "1:name=systemd:/lxc/../../x\n";

	(void)state;
	load("hostile-v1", &id);
	/* The container comes from the v2 line; the unit's bytes are kept
	 * (escaping is the view's job). */
	assert_int_equal(id.runtime, TD_RT_DOCKER);
	assert_string_equal(id.unit, "evil\n\033[31m.service");
	/* A path-like id is not an id; an LXC name with '/' cannot be one. */
	td_ident_parse(evil, strlen(evil), &id);
	assert_int_not_equal(id.runtime, TD_RT_DOCKER);
	td_ident_metadata(&id, "/"); /* ".." ids never reach a path */
	/* Garbage and empty input. */
	assert_false(td_ident_parse("", 0, &id));
	assert_false(td_ident_parse("no colons here\n::\n", 18, &id));
}

/* td_ident_read on a fake proc tree: the cgroup of pid 42 says pod, no
 * runtime metadata, its root's /etc/hostname names the pod. */
static void test_read_hostname(void **state)
{
	char dir[] = "/tmp/td-ident-XXXXXX", p[600], cmd[700];
	struct td_ident id;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/42/root/etc", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/42/cgroup", dir);
	fp = fopen(p, "we");
	assert_non_null(fp);
	fputs("0::/kubepods/besteffort/pod" POD "/" ID "\n", fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s/42/root/etc/hostname", dir);
	fp = fopen(p, "we");
	assert_non_null(fp);
	fputs("web-6d4b9c-x2x\n", fp);
	fclose(fp);
	assert_int_equal(td_ident_read(dir, 42, "/nonexistent", &id), 0);
	assert_int_equal(id.runtime, TD_RT_CONTAINERD);
	assert_string_equal(id.pod_name, "web-6d4b9c-x2x");
	/* A hostname that is not a DNS label is not trusted as a name. */
	fp = fopen(p, "we");
	fputs("evil\x1b[31m\n", fp);
	fclose(fp);
	assert_int_equal(td_ident_read(dir, 42, "/nonexistent", &id), 0);
	assert_string_equal(id.pod_name, "");
	assert_int_equal(td_ident_read(dir, 43, NULL, &id), -ENOENT);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),      cmocka_unit_test(test_names),
		cmocka_unit_test(test_metadata),      cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_read_hostname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

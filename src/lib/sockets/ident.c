/* Process identity from /proc/PID/cgroup and runtime state files; see
 * ident.h and tests/data/cgroup/README.md for the formats recognised. */
#include "sockets/ident.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Container ids are 64 hex digits; accept shortened ones from 12. */
static bool is_hex_id(const char *s, size_t n)
{
	if (n < 12 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static void copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* systemd escapes '-' in unit names as \x2d (systemd.unit(5), "String
 * Escaping"); other \xNN too. */
static void copy_unescaped(char *dst, size_t cap, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    isxdigit((unsigned char)s[i + 2]) && isxdigit((unsigned char)s[i + 3])) {
			char hex[3] = { s[i + 2], s[i + 3], 0 };

			dst[o++] = (char)strtol(hex, NULL, 16);
			i += 3;
		} else {
			dst[o++] = s[i];
		}
	}
	dst[o] = '\0';
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && !memcmp(s, prefix, p);
}

static bool ends(const char *s, size_t n, const char *suffix)
{
	size_t p = strlen(suffix);

	return n >= p && !memcmp(s + n - p, suffix, p);
}

/* "PREFIXhex.scope" or "PREFIXhex" (cgroupfs): the id, or false. */
static bool prefixed_id(const char *c, size_t n, const char *prefix, const char **id, size_t *idn)
{
	size_t p = strlen(prefix);

	if (!starts(c, n, prefix))
		return false;
	c += p;
	n -= p;
	if (ends(c, n, ".scope"))
		n -= 6;
	if (!is_hex_id(c, n))
		return false;
	*id = c;
	*idn = n;
	return true;
}

static void set_container(struct td_ident *id, enum td_runtime rt, const char *s, size_t n)
{
	id->runtime = rt;
	copy(id->id, sizeof(id->id), s, n);
}

/* Kubernetes pod uid: "pod<uid>" (cgroupfs, dashes) or
 * "kubepods[-QOS]-pod<uid>.slice" (systemd, dashes turned to '_'). */
static bool pod_component(const char *c, size_t n, struct td_ident *id)
{
	const char *u = NULL;
	size_t un = 0;

	if (starts(c, n, "pod") && n > 3 && !ends(c, n, ".slice")) {
		u = c + 3;
		un = n - 3;
	} else if (starts(c, n, "kubepods") && ends(c, n, ".slice")) {
		const char *p = memmem(c, n, "-pod", 4);

		if (!p)
			return false;
		u = p + 4;
		un = (size_t)(c + n - 6 - u);
	}
	if (!u || un < 8 || un >= sizeof(id->pod_uid))
		return false;
	for (size_t i = 0; i < un; i++)
		if (!isxdigit((unsigned char)u[i]) && u[i] != '-' && u[i] != '_')
			return false;
	copy(id->pod_uid, sizeof(id->pod_uid), u, un);
	for (char *p = id->pod_uid; *p; p++)
		if (*p == '_')
			*p = '-';
	return true;
}

static void qos_component(const char *c, size_t n, struct td_ident *id)
{
	static const char *const q[] = { "burstable", "besteffort" };

	for (size_t i = 0; i < 2; i++) {
		char slice[40];

		snprintf(slice, sizeof(slice), "kubepods-%s.slice", q[i]);
		if ((n == strlen(q[i]) && !memcmp(c, q[i], n)) ||
		    (n == strlen(slice) && !memcmp(c, slice, n)))
			snprintf(id->qos, sizeof(id->qos), "%s", q[i]);
	}
}

/* One cgroup path ("/kubepods.slice/.../cri-containerd-ID.scope"). */
static void parse_path(const char *path, size_t len, struct td_ident *id)
{
	const char *p = path, *end = path + len, *prev = NULL;
	size_t prevn = 0;
	bool kube = false;

	while (p < end) {
		const char *c, *cid;
		size_t n, cidn;

		while (p < end && *p == '/')
			p++;
		c = p;
		while (p < end && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (!n)
			break;
		if ((n == 8 && !memcmp(c, "kubepods", 8)) ||
		    (n == 14 && !memcmp(c, "kubepods.slice", 14)))
			kube = true;
		if (kube) {
			qos_component(c, n, id);
			pod_component(c, n, id);
		}
		if (starts(c, n, "user-") && ends(c, n, ".slice")) {
			char num[16];

			copy(num, sizeof(num), c + 5, n - 11);
			if (*num && strspn(num, "0123456789") == strlen(num))
				id->user = strtol(num, NULL, 10);
		}
		if (ends(c, n, ".service") || ends(c, n, ".scope"))
			copy_unescaped(id->unit, sizeof(id->unit), c, n);

		/* The monitors (conmon) are not the container. */
		if (starts(c, n, "crio-conmon-") || starts(c, n, "libpod-conmon-")) {
			/* nothing */
		} else if (prefixed_id(c, n, "docker-", &cid, &cidn)) {
			set_container(id, TD_RT_DOCKER, cid, cidn);
		} else if (prefixed_id(c, n, "cri-containerd-", &cid, &cidn)) {
			set_container(id, TD_RT_CONTAINERD, cid, cidn);
		} else if (prefixed_id(c, n, "crio-", &cid, &cidn)) {
			set_container(id, TD_RT_CRIO, cid, cidn);
		} else if (prefixed_id(c, n, "libpod-", &cid, &cidn)) {
			set_container(id, TD_RT_PODMAN, cid, cidn);
		} else if (prev && prevn == 6 && !memcmp(prev, "docker", 6) && is_hex_id(c, n)) {
			set_container(id, TD_RT_DOCKER, c, n);
		} else if (kube && is_hex_id(c, n) && id->pod_uid[0]) {
			/* cgroupfs driver: a bare id under the pod; containerd
			 * is the runtime kubelet uses by default. */
			set_container(id, TD_RT_CONTAINERD, c, n);
		} else if (starts(c, n, "lxc.payload.")) {
			set_container(id, TD_RT_LXC, c + 12, n - 12);
		} else if (prev && ((prevn == 3 && !memcmp(prev, "lxc", 3)) ||
				    (prevn == 11 && !memcmp(prev, "lxc.payload", 11)))) {
			if (!id->runtime)
				set_container(id, TD_RT_LXC, c, n);
		} else if (starts(c, n, "machine-") && ends(c, n, ".scope") && !id->runtime) {
			id->runtime = TD_RT_NSPAWN;
			copy_unescaped(id->id, sizeof(id->id), c + 8, n - 14);
		} else if (starts(c, n, "systemd-nspawn@") && ends(c, n, ".service") &&
			   !id->runtime) {
			id->runtime = TD_RT_NSPAWN;
			copy_unescaped(id->id, sizeof(id->id), c + 15, n - 23);
		}
		prev = c;
		prevn = n;
	}
	if (id->pod_uid[0] && !id->qos[0])
		snprintf(id->qos, sizeof(id->qos), "guaranteed");
}

bool td_ident_parse(const char *text, size_t len, struct td_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->user = -1;
	/* Pass 0: the v2 line ("0::") and systemd's own v1 hierarchy
	 * ("N:name=systemd:"), which carry the units; pass 1: the controllers,
	 * for a container the first pass did not show. */
	for (int pass = 0; pass < 2; pass++) {
		const char *p = text, *end = text + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end, *c1, *c2;
			bool main_line;

			c1 = memchr(p, ':', (size_t)(le - p));
			c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
			if (c2) {
				main_line = c2 == c1 + 1 || (c2 - c1 - 1 == 12 &&
							     !memcmp(c1 + 1, "name=systemd", 12));
				if (main_line == !pass) {
					struct td_ident t;

					memset(&t, 0, sizeof(t));
					t.user = -1;
					parse_path(c2 + 1, (size_t)(le - c2 - 1), &t);
					if (!id->runtime && t.runtime) {
						id->runtime = t.runtime;
						memcpy(id->id, t.id, sizeof(id->id));
						memcpy(id->pod_uid, t.pod_uid, sizeof(id->pod_uid));
						memcpy(id->qos, t.qos, sizeof(id->qos));
					}
					if (!pass && !id->unit[0] && t.unit[0])
						memcpy(id->unit, t.unit, sizeof(id->unit));
					if (id->user < 0)
						id->user = t.user;
				}
			}
			p = le + 1;
		}
	}
	return id->runtime || id->unit[0];
}

/* ---- runtime metadata -------------------------------------------------------------- */

static char *slurp(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	buf = malloc(max + 1);
	while (buf && n < max) {
		ssize_t r = read(fd, buf + n, max - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* The string value of the first "key": "value" in a JSON text, unescaped
 * (\uXXXX beyond ASCII becomes '?'). Good enough for the flat keys of the
 * runtimes' state files; no JSON parser needed. */
static bool json_str(const char *text, const char *key, char *out, size_t cap)
{
	char pat[160];
	const char *p;
	size_t o = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(text, pat);
	if (!p)
		return false;
	p += strlen(pat);
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p++ != ':')
		return false;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p++ != '"')
		return false;
	for (; *p && *p != '"' && o + 1 < cap; p++) {
		char c = *p;

		if (c == '\\' && p[1]) {
			p++;
			switch (*p) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'u': {
				char hex[5] = { 0 };

				for (int i = 0; i < 4 && p[1]; i++)
					hex[i] = *++p;
				long v = strtol(hex, NULL, 16);
				c = v > 0 && v < 0x80 ? (char)v : '?';
				break;
			}
			default:
				c = *p;
			}
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return o > 0;
}

static void docker_meta(struct td_ident *id, const char *root)
{
	char path[PATH_MAX], *t;

	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json", root,
		 id->id);
	t = slurp(path, 1 << 20);
	if (!t)
		return;
	if (json_str(t, "Name", id->name, sizeof(id->name)) && id->name[0] == '/')
		memmove(id->name, id->name + 1, strlen(id->name));
	/* dockershim put the pod into the labels. */
	json_str(t, "io.kubernetes.pod.name", id->pod_name, sizeof(id->pod_name));
	json_str(t, "io.kubernetes.pod.namespace", id->pod_ns, sizeof(id->pod_ns));
	free(t);
}

/* The OCI bundle's config.json: containerd's and CRI-O's annotations. */
static bool oci_meta(struct td_ident *id, const char *path, const char *cname, const char *pname,
		     const char *pns)
{
	char *t = slurp(path, 4 << 20);

	if (!t)
		return false;
	json_str(t, cname, id->name, sizeof(id->name));
	json_str(t, pname, id->pod_name, sizeof(id->pod_name));
	json_str(t, pns, id->pod_ns, sizeof(id->pod_ns));
	free(t);
	return true;
}

static void podman_meta(struct td_ident *id, const char *root)
{
	static const char *const dirs[] = { "var/lib/containers/storage",
					    "run/containers/storage" };
	char path[PATH_MAX], pat[100], *t;

	for (size_t i = 0; i < 2; i++) {
		const char *p;

		snprintf(path, sizeof(path), "%s/%s/overlay-containers/containers.json", root,
			 dirs[i]);
		t = slurp(path, 8 << 20);
		if (!t)
			continue;
		snprintf(pat, sizeof(pat), "\"id\":\"%s\"", id->id);
		p = strstr(t, pat);
		if (p) {
			const char *names = strstr(p, "\"names\"");
			const char *next = strstr(p + 1, "\"id\":\"");

			if (names && (!next || names < next)) {
				const char *q = strchr(names, '[');

				if (q) {
					char tmp[200];

					snprintf(tmp, sizeof(tmp), "{\"n\":%s", q + 1);
					json_str(tmp, "n", id->name, sizeof(id->name));
				}
			}
		}
		free(t);
		if (id->name[0])
			return;
	}
}

/* The kubelet's etc-hosts of the pod ends with "IP<tab>HOSTNAME", and a
 * pod's hostname is its name unless the spec sets another. */
static void kubelet_meta(struct td_ident *id, const char *root)
{
	char path[PATH_MAX], *t, *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/var/lib/kubelet/pods/%s/etc-hosts", root, id->pod_uid);
	t = slurp(path, 64 << 10);
	if (!t)
		return;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char ip[64], host[128];

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %127s", ip, host) == 2 && strcmp(host, "localhost") &&
		    strncmp(host, "ip6-", 4))
			snprintf(id->pod_name, sizeof(id->pod_name), "%s", host);
	}
	free(t);
}

void td_ident_metadata(struct td_ident *id, const char *rootdir)
{
	char path[PATH_MAX];
	const char *root;

	if (!rootdir)
		rootdir = getenv("TD_ROOTDIR"); /* a DaemonSet's /host */
	root = rootdir && *rootdir && strcmp(rootdir, "/") ? rootdir : "";

	if (!id->runtime || !id->id[0] || strchr(id->id, '/') || id->id[0] == '.')
		return;
	switch (id->runtime) {
	case TD_RT_DOCKER:
		docker_meta(id, root);
		break;
	case TD_RT_CONTAINERD:
		snprintf(path, sizeof(path),
			 "%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/config.json",
			 root, id->id);
		oci_meta(id, path, "io.kubernetes.cri.container-name",
			 "io.kubernetes.cri.sandbox-name", "io.kubernetes.cri.sandbox-namespace");
		break;
	case TD_RT_CRIO:
		snprintf(path, sizeof(path),
			 "%s/run/containers/storage/overlay-containers/%s/userdata/config.json",
			 root, id->id);
		if (!oci_meta(id, path, "io.kubernetes.container.name", "io.kubernetes.pod.name",
			      "io.kubernetes.pod.namespace")) {
			snprintf(path, sizeof(path),
				 "%s/var/lib/containers/storage/overlay-containers/%s/userdata/"
				 "config.json",
				 root, id->id);
			oci_meta(id, path, "io.kubernetes.container.name", "io.kubernetes.pod.name",
				 "io.kubernetes.pod.namespace");
		}
		break;
	case TD_RT_PODMAN:
		podman_meta(id, root);
		break;
	default:
		break;
	}
	if (id->pod_uid[0] && !id->pod_name[0] && !strchr(id->pod_uid, '/'))
		kubelet_meta(id, root);
}

/* A pod's hostname is its name unless the spec sets another (Kubernetes'
 * "Pod's hostname"): the container's /etc/hostname, through its root. */
static void pod_from_hostname(const char *procdir, pid_t pid, struct td_ident *id)
{
	char path[PATH_MAX], *t, *nl;

	snprintf(path, sizeof(path), "%s/%d/root/etc/hostname", procdir, (int)pid);
	t = slurp(path, 256);
	if (!t)
		return;
	nl = strchr(t, '\n');
	if (nl)
		*nl = '\0';
	if (t[0] && strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789-.") == strlen(t))
		snprintf(id->pod_name, sizeof(id->pod_name), "%s", t);
	free(t);
}

int td_ident_read(const char *procdir, pid_t pid, const char *rootdir, struct td_ident *id)
{
	char path[PATH_MAX], buf[8192];
	ssize_t n;
	int fd;

	memset(id, 0, sizeof(*id));
	id->user = -1;
	if (!procdir)
		procdir = getenv("TD_PROCDIR"); /* tests: a fake proc tree */
	if (!procdir || !*procdir)
		procdir = "/proc";
	snprintf(path, sizeof(path), "%s/%d/cgroup", procdir, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	td_ident_parse(buf, (size_t)n, id);
	td_ident_metadata(id, rootdir);
	if (id->pod_uid[0] && !id->pod_name[0])
		pod_from_hostname(procdir, pid, id);
	return 0;
}

const char *td_ident_cmdline(const char *procdir, pid_t pid, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (!len)
		return buf;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/cmdline", procdir ? procdir : "/proc", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		buf[0] = '\0';
		return buf;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return buf;
}

const char *td_runtime_name(enum td_runtime rt)
{
	switch (rt) {
	case TD_RT_DOCKER:
		return "docker";
	case TD_RT_CONTAINERD:
		return "containerd";
	case TD_RT_CRIO:
		return "cri-o";
	case TD_RT_PODMAN:
		return "podman";
	case TD_RT_LXC:
		return "lxc";
	case TD_RT_NSPAWN:
		return "nspawn";
	default:
		return NULL;
	}
}

const char *td_ident_container(const struct td_ident *id, char *buf, size_t len)
{
	const char *rt = td_runtime_name(id->runtime);

	if (!rt) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	if (id->name[0])
		snprintf(buf, len, "%s:%s", rt, id->name);
	else if (is_hex_id(id->id, strlen(id->id)))
		snprintf(buf, len, "%s:%.12s", rt, id->id);
	else
		snprintf(buf, len, "%s:%s", rt, id->id);
	return buf;
}

const char *td_ident_pod(const struct td_ident *id, char *buf, size_t len)
{
	if (id->pod_name[0])
		snprintf(buf, len, "%s/%s", id->pod_ns[0] ? id->pod_ns : "?", id->pod_name);
	else
		snprintf(buf, len, "%s", id->pod_uid);
	return buf;
}

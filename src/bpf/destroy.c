/* Loader of destroy.bpf.c: put the target cookies in the map, load, walk
 * the socket tables once through an iterator fd (the program destroys as it
 * goes), read each target's result back. See tdbpf.h. */
#include "bpf/tdbpf.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "bpf/destroy.h"
#include "bpf/load.h"

static const char what[] = "the BPF socket destroyer (bpf_sock_destroy)";

#ifdef TD_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "destroy.skel.h"

int td_bpf_destroy(const uint64_t *cookies, size_t n, int *results, struct td_err *err)
{
	struct destroy_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	int iter_fd = -1, map_fd, rc;
	char buf[64];
	ssize_t got;

	if (!n)
		return 0;
	if (n > TD_DSTR_BPF_MAX)
		return td_err_set(err, -E2BIG, "%s takes at most %d sockets at a time", what,
				  TD_DSTR_BPF_MAX);
	rc = td_bpf_precheck(what, err);
	if (rc < 0)
		return rc;
	td_bpf_quiet();
	skel = destroy_bpf__open();
	if (!skel)
		return td_bpf_fail(err, -errno, what, "opening the program");
	bpf_map__set_max_entries(skel->maps.targets, (__u32)n);
	rc = destroy_bpf__load(skel);
	if (rc < 0) {
		/* A kernel without the kfunc fails here, in the verifier or at
		 * ksym resolution. */
		rc = td_bpf_fail(err, rc, what, "loading (needs Linux 6.5+ with BTF)");
		goto out;
	}
	map_fd = bpf_map__fd(skel->maps.targets);
	for (size_t i = 0; i < n; i++) {
		__s32 v = TD_DSTR_BPF_UNSEEN;

		if (bpf_map_update_elem(map_fd, &cookies[i], &v, BPF_ANY) < 0) {
			rc = td_bpf_fail(err, -errno, what, "filling the targets");
			goto out;
		}
	}
	/* The iterator walks the network namespace of the task that creates
	 * its fd: after --netns, the target's. */
	link = bpf_program__attach_iter(skel->progs.destroy_tcp, NULL);
	if (!link) {
		rc = td_bpf_fail(err, -errno, what, "attaching the iterator");
		goto out;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		rc = td_bpf_fail(err, -errno, what, "creating the iterator");
		goto out;
	}
	while ((got = read(iter_fd, buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR))
		;
	if (got < 0) {
		rc = td_err_set(err, -errno, "%s: reading the iterator: %s", what, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		__s32 v = TD_DSTR_BPF_UNSEEN;

		if (bpf_map_lookup_elem(map_fd, &cookies[i], &v) < 0)
			v = TD_DSTR_BPF_UNSEEN;
		results[i] = v;
	}
	rc = 0;
out:
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
	destroy_bpf__destroy(skel);
	return rc;
}
#else
int td_bpf_destroy(const uint64_t *cookies, size_t n, int *results, struct td_err *err)
{
	(void)cookies;
	(void)n;
	(void)results;
	return td_bpf_precheck(what, err);
}
#endif

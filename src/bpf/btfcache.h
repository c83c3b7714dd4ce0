/* Start-up without the whole kernel BTF. libbpf parses all of
 * /sys/kernel/btf/vmlinux (5+ MB, ~40 ms, +11 MiB of peak RSS here) to find
 * an iterator's attach target and to relocate field accesses (CO-RE). The
 * count and owners programs instead get (1) a minimized copy of the kernel
 * BTF holding only the types they name, with pointers cut to void * (CO-RE
 * compares pointers without their pointees), as `bpftool gen min_core_btf`
 * makes, and (2) the kernel's BTF id of their iterator target. Both are made
 * once per kernel build id and program type set, kept in a cache file:
 * /var/cache/tcpdoctor/btf as root, else $XDG_CACHE_HOME/tcpdoctor/btf
 * (~/.cache), or TD_BTF_CACHE=DIR; TD_BTF_CACHE=off parses the full BTF
 * every time. A cache directory or file not owned by us or writable by
 * others is ignored; a load that fails with the cached BTF is retried with
 * the full one and the file is dropped. Their programs use the section
 * "tditer/TARGET" (an "iter/TARGET" loaded through our handler, which sets
 * the attach id instead of libbpf's lookup in the full BTF). Internal to
 * src/bpf/. */
#ifndef TD_BPF_BTFCACHE_H
#define TD_BPF_BTFCACHE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef TD_HAVE_BPF
#include <bpf/libbpf.h>

struct td_btf_use {
	int fd;		/* the minimized BTF (cache file or memfd), -1 = none */
	char path[40];	/* /proc/self/fd/N, for btf_custom_path */
	char file[512]; /* the cache file it came from ("" = not cached) */
};

/* Register the "tditer/" section handler (once per process). 0 or -errno. */
int td_btf_handlers(void);

/* For an object opened once without options (its own BTF names the kernel
 * types it reads): find or make the minimized BTF and set
 * opts->btf_custom_path. Returns true when opts now point at one; false:
 * open without (libbpf parses the full BTF). u->fd is closed by
 * td_btf_done(). */
bool td_btf_prepare(struct bpf_object *probe, const char *name, struct bpf_object_open_opts *opts,
		    struct td_btf_use *u);

/* After a load with the minimized BTF failed: drop its cache file. */
void td_btf_reject(struct td_btf_use *u);

void td_btf_done(struct td_btf_use *u);

/* A skeleton as td_btf_open_load() drives it: open(oo, arg) opens it with
 * these options (NULL: the full kernel BTF) and sets its configuration from
 * arg; obj gives its bpf_object. */
struct td_btf_skel {
	const char *name; /* the cache's name for the program set */
	void *(*open)(const struct bpf_object_open_opts *oo, void *arg);
	struct bpf_object *(*obj)(void *skel);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
};

/* Register the section handler, open and load a skeleton with the cached
 * minimized BTF when there is one, and once more with the full BTF when
 * opening or loading with the minimized one fails (its cache file is then
 * dropped). 0 and *out, or a negative errno with *step naming what failed
 * ("registering the iterator section", "opening the program", "loading").
 * ns[0]/ns[1] (ns may be NULL): the time spent opening and loading. */
int td_btf_open_load(const struct td_btf_skel *k, void *arg, void **out, const char **step,
		     uint64_t ns[2]);
#endif

#endif

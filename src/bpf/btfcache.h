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
#endif

#endif

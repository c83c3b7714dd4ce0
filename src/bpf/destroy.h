/* Shared by destroy.bpf.c (the kernel side) and destroy.c (the loader): the
 * values of the targets map (socket cookie -> result). Plain __s32 only: the
 * BPF side sees vmlinux.h, the user side <linux/types.h>. */
#ifndef TD_BPF_DESTROY_H
#define TD_BPF_DESTROY_H

/* A target's value before the iterator reaches its socket; still there
 * after the walk: the socket was not found (closed meanwhile). */
#define TD_DSTR_BPF_UNSEEN 1
/* A timewait or request socket: bpf_sock_destroy() needs a full socket. */
#define TD_DSTR_BPF_NOTFULL 2
/* Otherwise the value is what bpf_sock_destroy() returned: 0 or -errno. */

#define TD_DSTR_BPF_MAX 65536 /* targets one run can take */

#endif

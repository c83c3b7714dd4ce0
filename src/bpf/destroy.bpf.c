// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Destroying chosen TCP sockets from inside the kernel, where SOCK_DESTROY
 * is missing (CONFIG_INET_DIAG_DESTROY=n): an iter/tcp program visits every
 * socket of the caller's network namespace, looks its cookie up in the
 * targets map, and calls the bpf_sock_destroy() kfunc (Linux 6.5+) on the
 * ones found, recording the result in place. The iterator holds the socket
 * lock of a full socket while the program runs, which the kfunc needs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "destroy.h"

#define AF_INET 2
#define AF_INET6 10
#define TCP_TIME_WAIT 6
#define TCP_NEW_SYN_RECV 12

char LICENSE[] SEC("license") = "Dual MIT/GPL";

int bpf_sock_destroy(struct sock_common *sk) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* the loader sizes it to the targets */
	__type(key, __u64);	/* socket cookie */
	__type(value, __s32);	/* TD_DSTR_BPF_* or the kfunc's result */
} targets SEC(".maps");

SEC("iter/tcp")
int destroy_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	__u64 cookie;
	__s32 *res;
	int state;

	if (!skc)
		return 0;
	if (skc->skc_family != AF_INET && skc->skc_family != AF_INET6)
		return 0;
	cookie = bpf_get_socket_cookie(skc);
	res = bpf_map_lookup_elem(&targets, &cookie);
	if (!res || *res != TD_DSTR_BPF_UNSEEN)
		return 0;
	state = skc->skc_state;
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV) {
		*res = TD_DSTR_BPF_NOTFULL;
		return 0;
	}
	*res = bpf_sock_destroy(skc);
	return 0;
}

/* Loader helpers shared by count.c and trace.c; see load.h. */
#include "bpf/load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef TD_HAVE_BPF
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <sys/syscall.h>

static char last_msg[256];

/* libbpf prints the verifier log and warnings line by line; keep the last
 * meaningful one for the error message. TD_BPF_LOG=1 also shows them all on
 * stderr (=debug: libbpf's debug lines too), for a load that fails. */
static int keep_last(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *log = getenv("TD_BPF_LOG");
	char line[256];
	size_t n;

	if (log && *log && (level != LIBBPF_DEBUG || !strcmp(log, "debug"))) {
		va_list copy;

		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (n)
		memcpy(last_msg, line, n + 1);
	return 0;
}

void td_bpf_quiet(void)
{
	libbpf_set_print(keep_last);
	last_msg[0] = '\0';
}

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool have_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

int td_bpf_precheck(const char *what, struct td_err *err)
{
	if (!have_cap(CAP_SYS_ADMIN) && !have_cap(CAP_BPF))
		return td_err_set(
			err, -EPERM,
			"%s needs root (CAP_BPF and CAP_PERFMON) to load its eBPF program", what);
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return td_err_set(err, -TD_EUNSUPP,
				  "%s needs a kernel with BTF (/sys/kernel/btf/vmlinux missing: "
				  "CONFIG_DEBUG_INFO_BTF)",
				  what);
	return 0;
}

int td_bpf_fail(struct td_err *err, int rc, const char *what, const char *step)
{
	if (rc == -EPERM || rc == -EACCES)
		return td_err_set(err, rc,
				  "%s: %s refused (%s): needs root (CAP_BPF, CAP_PERFMON)%s%s",
				  what, step, strerror(-rc), last_msg[0] ? ": " : "", last_msg);
	if (rc == -ENOENT || rc == -EINVAL || rc == -EOPNOTSUPP || rc == -ENOTSUP || rc == -E2BIG ||
	    rc == -ESRCH)
		return td_err_set(err, -TD_EUNSUPP,
				  "%s: %s failed (%s): this kernel lacks a feature it needs (5.9+ "
				  "with BTF)%s%s",
				  what, step, strerror(-rc), last_msg[0] ? ": " : "", last_msg);
	return td_err_set(err, rc, "%s: %s failed: %s%s%s", what, step, strerror(-rc),
			  last_msg[0] ? ": " : "", last_msg);
}
#else
void td_bpf_quiet(void)
{
}

int td_bpf_precheck(const char *what, struct td_err *err)
{
	return td_err_set(err, -TD_EUNSUPP,
			  "%s: this tcpdoctor was built without eBPF (clang, bpftool or libbpf-dev "
			  "missing at build time: run scripts/deps, then make)",
			  what);
}

int td_bpf_fail(struct td_err *err, int rc, const char *what, const char *step)
{
	return td_err_set(err, rc, "%s: %s failed: %s", what, step, strerror(-rc));
}
#endif

uint64_t td_bpf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

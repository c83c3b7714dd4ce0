/* What the BPF loaders share: libbpf kept quiet (the library never prints;
 * its last complaint is kept for the error message), and libbpf failures
 * turned into one line saying why and what to do. Internal to src/bpf/. */
#ifndef TD_BPF_LOAD_H
#define TD_BPF_LOAD_H

#include <stdint.h>

#include "err.h"

/* Route libbpf's messages into a buffer instead of stderr. Idempotent. */
void td_bpf_quiet(void);

/* Before opening anything: -EPERM if this process cannot load BPF (not
 * root / no CAP_BPF), -TD_EUNSUPP without kernel BTF; err says so. */
int td_bpf_precheck(const char *what, struct td_err *err);

/* err for a failed libbpf step (rc < 0): permission, missing kernel
 * feature, or the verifier's last line. Returns the code it set. */
int td_bpf_fail(struct td_err *err, int rc, const char *what, const char *step);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t td_bpf_now_ns(void);

#endif

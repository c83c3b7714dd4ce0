/* Shared between the lab's own files (lab.c, lab_actors.c): the report
 * record on the actor pipes and the run's internals. Scenarios use lab.h. */
#ifndef TD_LAB_INT_H
#define TD_LAB_INT_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "lab/lab.h"

/* One report on an actor's pipe; smaller than PIPE_BUF, so atomic. */
struct td_lab_wire {
	int32_t err;
	int32_t pad;
	int64_t value;
	char tag[24];
};

/* Sent to actors at the end of a --keep run: drop PR_SET_PDEATHSIG, start
 * the one-hour alarm, answer with a TD_LAB_KEPT_TAG report. */
#define TD_LAB_KEEP_SIGNAL SIGUSR1
#define TD_LAB_KEPT_TAG "kept"
#define TD_LAB_KEEP_SECONDS 3600
/* td_lab_go(): blocked in every actor from the fork on, taken by sigwait(). */
#define TD_LAB_GO_SIGNAL SIGUSR2

/* --pcap: the capture actor stops on this signal (pcap_breakloop, read what
 * is queued, flush, close), then reports TD_LAB_PCAP_TAG and exits. */
#define TD_LAB_PCAP_STOP_SIGNAL SIGTERM
#define TD_LAB_PCAP_TAG                                                                            \
	"capture"			     /* err: at start, 0 once capturing; at the end,
				     * value = packets written (err: why it broke) */
#define TD_LAB_PCAP_DROP_TAG "capture-drops" /* value: lost by the kernel */

struct td_lab_pcap_arg {
	const char *dev; /* the interface, in the actor's namespace */
	int fd;		 /* the file, opened by the lab's process */
};
/* The capture actor (lab_actors.c). */
int td_lab_pcap_main(struct td_lab_actor_ctx *a, void *arg);

/* Fork an actor like td_lab_spawn, named comm, that is not one of the
 * scenario's (not in lab->actors); inherit_fd (>= 0) stays open in it. */
int td_lab_spawn_aside(struct td_lab *lab, const char *role, const char *comm, td_lab_actor_fn fn,
		       void *arg, int inherit_fd, pid_t *pid, int *report_fd);

uint64_t td_lab_now_ms(void);
/* Record a setup error in lab->err (e, or rc's strerror); returns rc. */
int td_lab_setup_failed(struct td_lab *lab, int rc, const struct td_err *e);
/* Read pending actor reports, waiting up to wait_ms for the first. */
void td_lab_collect(struct td_lab *lab, int wait_ms);
/* In a freshly forked child: SIGINT/SIGTERM/SIGHUP back to default. */
void td_lab_signals_child(void);
/* Let the signal handler know of an actor to kill. */
void td_lab_emergency_pid(pid_t pid);

#endif

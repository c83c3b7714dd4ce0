/* The lab: reproduce a TCP state or failure between private network
 * namespaces, then prove it with tcpdoctor's own model (sock_diag in the
 * namespace) and with `ss` as an independent oracle. A scenario is one row
 * in lab_scenarios.def plus one function built from the helpers below; the
 * outcome is data (story, checks, errnos, counters, views) that a command
 * renders. The library never prints. */
#ifndef TD_LAB_H
#define TD_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "lab/labnet.h"
#include "sockets/sock.h"
#include "state.h"

/* The standard topology: two namespaces joined by a veth, no default route. */
#define TD_LAB_CLIENT4 "192.0.2.1"
#define TD_LAB_SERVER4 "192.0.2.2"
#define TD_LAB_CLIENT6 "2001:db8::1"
#define TD_LAB_SERVER6 "2001:db8::2"
#define TD_LAB_CLIENT_IF "to-server" /* in the client namespace */
#define TD_LAB_SERVER_IF "to-client" /* in the server namespace */
/* td_lab_topology knocks on this closed port of the server to make sure
 * the path works before any scenario traffic: leave it closed. */
#define TD_LAB_PROBE_PORT 9

#define TD_LAB_MAX_NS 4
#define TD_LAB_MAX_ACTORS 16
#define TD_LAB_MAX_STORY 24
#define TD_LAB_MAX_CHECKS 32
#define TD_LAB_MAX_REPORTS 128
#define TD_LAB_MAX_VIEW_SOCKS 32
#define TD_LAB_ID_MAX 16
#define TD_LAB_ROLE_MAX 12

struct td_lab;

/* One row of the scenario table (lab_scenarios.def). */
struct td_lab_scenario {
	const char *name;    /* "close-wait-leak" */
	const char *summary; /* one line for `lab list`: what it shows */
	int (*run)(struct td_lab *lab);
};

/* Every scenario, in table order. */
const struct td_lab_scenario *td_lab_scenarios(size_t *n);
/* By name; NULL if there is none. */
const struct td_lab_scenario *td_lab_scenario_find(const char *name);

/* What a namespace looked like at one moment, by tcpdoctor's model (or by
 * ss for the oracle: then no sockets and no families). */
struct td_lab_counts {
	uint32_t states[TD_STATE_MAX + 1]; /* request sockets folded into SYN_RECV */
	uint32_t v4[TD_STATE_MAX + 1], v6[TD_STATE_MAX + 1];
	uint32_t total;
	uint32_t listen_queue;	 /* sum of LISTEN Recv-Q: connections waiting for accept() */
	uint32_t listen_backlog; /* largest LISTEN Send-Q: the backlog */
};

struct td_lab_view {
	char role[TD_LAB_ROLE_MAX + 1];
	char netns[64];
	struct td_lab_counts model, ss;
	bool have_ss;
	size_t nsocks; /* sockets kept (up to TD_LAB_MAX_VIEW_SOCKS) */
	size_t all_socks;
	struct td_sock socks[TD_LAB_MAX_VIEW_SOCKS];
};

enum td_lab_check_kind {
	TD_LAB_CHECK_STATES,  /* model and ss reached the expected counts */
	TD_LAB_CHECK_ERRNO,   /* an actor saw the expected errno */
	TD_LAB_CHECK_COUNTER, /* a kernel counter moved */
	TD_LAB_CHECK_OTHER,
};

struct td_lab_check {
	enum td_lab_check_kind kind;
	bool ok;
	uint32_t elapsed_ms; /* time it took to hold (or the deadline) */
	char what[192];	     /* the expectation, readable */
	char seen[512];	     /* what model and ss (or the actor) showed */
};

/* What one actor said: "connect" failed with ECONNREFUSED, "read" got 0... */
struct td_lab_report {
	int actor;
	char tag[24];
	int err;    /* errno, 0 for success */
	long value; /* bytes, count... */
	bool used;  /* consumed by an expectation */
};

struct td_lab_ns {
	char role[TD_LAB_ROLE_MAX + 1];
	char name[64];
	bool created;
};

struct td_lab_actor {
	char role[TD_LAB_ROLE_MAX + 1]; /* namespace it runs in */
	char name[32];
	pid_t pid;
	int report_fd; /* read end (parent) */
	bool done;     /* report pipe at EOF */
};

struct td_lab_opts {
	const char *id;	  /* NULL: td-lab-ROLE; else td-lab-ID-ROLE */
	bool keep;	  /* leave namespaces and actors up */
	const char *pcap; /* capture the run's TCP on the veth into this file (NULL: no) */
};

/* --pcap: a capture actor on the server's veth end (it sees both directions)
 * from the end of td_lab_topology() until the run ends, even with --keep. */
#define TD_LAB_PCAP_SNAPLEN 256
#define TD_LAB_PCAP_FILTER "tcp"

struct td_lab_pcap {
	char file[256];	  /* as the caller gave it; "" when not asked */
	int fd;		  /* opened by td_lab_run in the caller's process; -1 after */
	pid_t pid;	  /* the capture actor while it runs, else 0 */
	int report_fd;	  /* its report pipe (read end), -1 when none */
	bool started;	  /* the capture was running before scenario traffic */
	bool stopped;	  /* it stopped on our signal and said how many packets */
	uint64_t packets; /* written to file */
	uint64_t dropped; /* lost by the kernel (ps_drop + ps_ifdrop) */
	int error;	  /* errno of a capture that failed mid-run, else 0 */
};

struct td_lab {
	const struct td_lab_scenario *sc;
	char id[TD_LAB_ID_MAX + 1];
	bool keep;
	uint64_t start_ms;
	uint32_t duration_ms;

	size_t nns;
	struct td_lab_ns ns[TD_LAB_MAX_NS];
	size_t nactors;
	struct td_lab_actor actors[TD_LAB_MAX_ACTORS];
	struct td_lab_pcap pcap;

	/* Outcome. */
	bool pass;
	char reason[512]; /* the first failed check, or the setup error */
	size_t nstory;
	char story[TD_LAB_MAX_STORY][400];
	size_t nchecks;
	struct td_lab_check checks[TD_LAB_MAX_CHECKS];
	size_t nreports;
	struct td_lab_report reports[TD_LAB_MAX_REPORTS];
	size_t nviews;
	struct td_lab_view views[TD_LAB_MAX_NS];
	struct td_err err; /* setup error, when td_lab_run returned < 0 */
};

/* ---- running ---------------------------------------------------------------- */

/* Can this process run the lab (root, or CAP_SYS_ADMIN + CAP_NET_ADMIN +
 * CAP_NET_RAW)? -EPERM with a one-line message if not. */
int td_lab_check_privileges(struct td_err *err);

/* Is id usable ([A-Za-z0-9_], 1..TD_LAB_ID_MAX)? */
bool td_lab_id_ok(const char *id);

/* Run one scenario: set up, act, check, take a view of every namespace,
 * tear down (unless keep). SIGINT/SIGTERM/SIGHUP during the run delete the
 * namespaces and kill the actors, then the signal is re-raised. Returns 0
 * when the scenario ran (lab->pass says whether every check held, and
 * lab->reason why not), or a negative error when it could not run (not
 * root, a namespace already there, netlink refused...) with err filled.
 * lab is filled in both cases (allocate it: it is large). */
int td_lab_run(const struct td_lab_scenario *sc, const struct td_lab_opts *o, struct td_lab *lab,
	       struct td_err *err);

/* Namespace name of a role in this run: "td-lab-server", "td-lab-k1-server". */
const char *td_lab_netns_name(const char *id, const char *role, char *buf, size_t len);

/* Remove what lab runs left: every /run/netns/td-lab-* (only td-lab-ID-*
 * with id), after killing every process inside. cb (may be NULL) hears of
 * each namespace removed and how many processes were killed. */
typedef void (*td_lab_clean_cb)(const char *netns, size_t killed, void *ctx);
int td_lab_clean(const char *id, td_lab_clean_cb cb, void *ctx, struct td_err *err);

/* ---- helpers for scenario functions ----------------------------------------------
 * Each returns 0 or a negative value. A failed *check* records itself (and
 * lab->reason) and returns -TD_ELABCHECK; a failed *setup* step fills lab->err
 * and returns its error. Either way the scenario just returns the value. */

#define TD_ELABCHECK 1100

/* Two namespaces, "client" and "server", veth to-server <-> to-client,
 * 192.0.2.1/24 + 2001:db8::1/64 and .2 / ::2, links up; short TCP timers
 * (tcp_syn_retries 2, tcp_synack_retries 2, tcp_fin_timeout 10). */
int td_lab_topology(struct td_lab *lab);
/* One more namespace with only loopback (connect it with td_lab_link). */
int td_lab_add_netns(struct td_lab *lab, const char *role);
/* Name of a role's namespace in this run (NULL if there is none). */
const char *td_lab_ns(const struct td_lab *lab, const char *role);

/* Plumbing inside a role's namespace (thin wrappers over labnet). */
int td_lab_sysctl(struct td_lab *lab, const char *role, const char *key, const char *value);
int td_lab_route(struct td_lab *lab, const char *role, bool add, const char *dst,
		 enum td_route_kind kind, const char *gw, const char *dev);
int td_lab_link(struct td_lab *lab, const char *role, const char *ifname, bool up);
/* Run `nft -f -` with script inside role's namespace (e.g. to drop pure
 * ACKs in one direction); nft's complaint becomes the error. */
int td_lab_nft(struct td_lab *lab, const char *role, const char *script);
/* Read a counter ("TcpExt.ListenOverflows", "Tcp.OutRsts") in a role. */
int td_lab_counter(struct td_lab *lab, const char *role, const char *name, uint64_t *value);

/* One line of the story (printf-style): what was done, what each side is
 * in and why. */
void td_lab_story(struct td_lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- actors ---------------------------------------------------------------------
 * An actor is a forked tcpdoctor process inside a role's namespace, with
 * PR_SET_PDEATHSIG(SIGKILL), stdio on /dev/null and SIGPIPE ignored. Its
 * function does its part, reporting with td_lab_say(); when it returns, the
 * process lives on holding every socket it opened, until the run ends (or,
 * with --keep, until `lab clean`, at most an hour). */

struct td_lab_actor_ctx {
	int report_fd;
	int index;
};

typedef int (*td_lab_actor_fn)(struct td_lab_actor_ctx *a, void *arg);

/* Start fn(arg) in role's namespace; the actor's index (>= 0) or an error. */
int td_lab_spawn(struct td_lab *lab, const char *role, const char *name, td_lab_actor_fn fn,
		 void *arg);
/* In an actor: report tag with an errno (0 = success) and a value. */
void td_lab_say(struct td_lab_actor_ctx *a, const char *tag, int err, long value);
/* In an actor: wait until the lab calls td_lab_go() for it, so that the lab
 * can check a state before the actor's next step (a write into CLOSE_WAIT). */
void td_lab_wait_go(struct td_lab_actor_ctx *a);
/* Let an actor waiting in td_lab_wait_go() go on (one go per wait). */
int td_lab_go(struct td_lab *lab, int actor);

enum td_lab_server_mode {
	TD_LAB_SRV_NO_ACCEPT,	 /* listen, never accept */
	TD_LAB_SRV_HOLD,	 /* accept, read until EOF ("read" 0), never close */
	TD_LAB_SRV_CLOSE,	 /* accept, read until EOF, close */
	TD_LAB_SRV_RESET_UNREAD, /* accept, wait for data, close without reading it: RST */
	TD_LAB_SRV_RESET_LINGER, /* accept, read the first data, SO_LINGER {1, 0}, close: RST */
	TD_LAB_SRV_CLOSE_FIRST,	 /* accept and close() at once: the server's FIN goes first */
};

struct td_lab_server {
	const char *addr[2]; /* one listener per address (NULL ends) */
	uint16_t port;
	int backlog; /* 0: 128 */
	enum td_lab_server_mode mode;
};

/* A listening server in role's namespace. Reports "listen" (per address),
 * "accept" and, by mode, "read" (0 = EOF) or "close". */
int td_lab_server(struct td_lab *lab, const char *role, const struct td_lab_server *srv);

enum td_lab_client_step {
	TD_LAB_CLI_SEND = 1 << 0,  /* write "hello\n" after connecting; reports "send" */
	TD_LAB_CLI_READ = 1 << 1,  /* then read (up to 5 s); reports "read" (0 = EOF) */
	TD_LAB_CLI_WRITE = 1 << 2, /* then write again; reports "write" */
	TD_LAB_CLI_CLOSE = 1 << 3, /* then close(); reports "close" */
	/* before CLOSE: shutdown(SHUT_WR), then wait (up to 3 s) for the ACK
	 * of that FIN (FIN_WAIT2); reports "shutdown" (ETIMEDOUT: no ACK) */
	TD_LAB_CLI_SHUT_WR = 1 << 4,
};

struct td_lab_clients {
	const char *addr; /* server address */
	uint16_t port;
	int count;	     /* connections, one after the other */
	unsigned steps;	     /* enum td_lab_client_step */
	int connect_wait_ms; /* a connect not done by then is left pending (0: 5000);
			       * pending ones report "connect" when they finish */
};

/* Clients in role's namespace. Each connect reports "connect" (0 or the
 * errno, e.g. ECONNREFUSED, ETIMEDOUT from SO_ERROR), then its steps. */
int td_lab_clients(struct td_lab *lab, const char *role, const struct td_lab_clients *cli);

/* ---- checks --------------------------------------------------------------------- */

/* Wait (polling, up to timeout_ms) until every namespace named in spec has
 * the expected counts, by the model and then by ss. spec is a list of
 * words: a role switches the namespace, "STATE=N", "STATE>=N", "STATE<=N"
 * compare a count (any state spelling or group td_state_parse() knows:
 * CLOSE_WAIT, ESTAB, connected...), and "total", "lq" (LISTEN Recv-Q: the
 * accept queue) and "backlog" (LISTEN Send-Q) can stand for STATE.
 * Example: "server CLOSE_WAIT=4 LISTEN=2 client FIN_WAIT2=4". */
int td_lab_expect_states(struct td_lab *lab, const char *spec, int timeout_ms);

/* Wait up to timeout_ms for count reports tag from actor, and check that
 * each carries errno want (0 = success). They are marked used. */
int td_lab_expect_errno(struct td_lab *lab, int actor, const char *tag, int want, int count,
			int timeout_ms);

/* Every waiting check (states, errno, timer, counter) polls its condition
 * and passes as soon as it holds; it fails only after its timeout plus this
 * slack, which is there for loaded machines and never spent by a pass. */
#define TD_LAB_SLACK_MS 10000
/* How long td_lab_expect_counter polls (plus the slack). */
#define TD_LAB_COUNTER_WAIT_MS 2000

/* Check that counter name in role grew by at least min from before, polling
 * it until it has (counters move in softirq, after the packets that make
 * them). */
int td_lab_expect_counter(struct td_lab *lab, const char *role, const char *name, uint64_t before,
			  uint64_t min);

/* Record a check the scenario computed itself (a relation between counters):
 * what is the expectation, fmt (printf) what was seen. 0 when ok, else
 * -TD_ELABCHECK (and the run's reason). */
int td_lab_expect_that(struct td_lab *lab, bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Sleep for ms while collecting actor reports. */
void td_lab_pause(struct td_lab *lab, int ms);

/* Parse a spec for td_lab_expect_states without running it: 0, or
 * -TD_EPARSE with err saying which word is wrong. For tests. */
int td_lab_spec_check(const char *spec, struct td_err *err);

/* Count states from `ss -Htan` output (State Recv-Q Send-Q ... per line). */
int td_lab_ss_parse(const char *text, struct td_lab_counts *c, struct td_err *err);

/* Does c satisfy the counts for role in spec? Unnamed roles are ignored. */
bool td_lab_spec_match(const char *spec, const char *role, const struct td_lab_counts *c);

/* tcpdoctor's model of namespace ns right now (the source `states` uses):
 * counts, and, when v is not NULL, the first sockets into v. */
int td_lab_model(const char *ns, struct td_lab_counts *c, struct td_lab_view *v,
		 struct td_err *err);

/* Symbolic name of an errno: "ECONNREFUSED"; "0" for 0, "E?" unknown. */
const char *td_lab_errno_name(int e);

/* Wait up to timeout_ms until role holds a socket in state (enum td_state)
 * with port as its local or remote port (0: any) whose running timer is
 * timer (enum td_timer) and has fired at least min_retrans times
 * (td_sock.retrans: a FIN or SYN-ACK being retransmitted), by the model;
 * at that moment `ss -Htano` must show it too (timer:(KIND,EXPIRY,N)). */
int td_lab_expect_timer(struct td_lab *lab, const char *role, int state, uint16_t port, int timer,
			unsigned min_retrans, int timeout_ms);

/* One line of `ss -Htano` output: state, ports and timer:(kind,expiry,n)
 * (timer TD_TIMER_NONE and retrans 0 without one). 0 or -TD_EPARSE. */
int td_lab_ss_timer_parse(const char *line, int *state, uint16_t *lport, uint16_t *rport,
			  int *timer, unsigned *retrans);

#endif

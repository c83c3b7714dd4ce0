/* Unit tests for the lab framework's pure parts: the scenario table, ids and
 * namespace names, the expectation language of td_lab_expect_states, the ss
 * oracle's parser, errno names, and the privilege check (as nobody). Whole
 * scenarios run in tests/e2e/test_lab.sh. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "skip.h"

#include "lab/lab.h"

static void test_scenario_table(void **state)
{
	size_t n;
	const struct td_lab_scenario *sc = td_lab_scenarios(&n);

	(void)state;
	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(sc[i].name);
		assert_non_null(sc[i].run);
		/* `lab list` prints one line per scenario: no newline inside. */
		assert_null(strchr(sc[i].summary, '\n'));
		assert_true(strlen(sc[i].summary) >= 20);
		/* Names are what users type: lower case and dashes. */
		assert_int_equal(strspn(sc[i].name, "abcdefghijklmnopqrstuvwxyz0123456789-"),
				 strlen(sc[i].name));
		assert_ptr_equal(td_lab_scenario_find(sc[i].name), &sc[i]);
		for (size_t k = i + 1; k < n; k++)
			assert_string_not_equal(sc[i].name, sc[k].name);
	}
	assert_non_null(td_lab_scenario_find("close-wait-leak"));
	assert_non_null(td_lab_scenario_find("accept-queue-overflow"));
	assert_non_null(td_lab_scenario_find("reset"));
	assert_non_null(td_lab_scenario_find("refused"));
	assert_non_null(td_lab_scenario_find("unreachable"));
	/* The names the issue asks for (tests/e2e/test_lab.sh runs them). */
	assert_non_null(td_lab_scenario_find("half-open"));
	assert_non_null(td_lab_scenario_find("simultaneous-open"));
	assert_non_null(td_lab_scenario_find("server-terminated-prematurely"));
	assert_non_null(td_lab_scenario_find("connect-timeout"));
	assert_non_null(td_lab_scenario_find("connect-in-progress"));
	assert_null(td_lab_scenario_find("close-wait"));
	assert_null(td_lab_scenario_find(""));
	assert_null(td_lab_scenario_find(NULL));
}

static void test_ids_and_names(void **state)
{
	char buf[64];

	(void)state;
	assert_true(td_lab_id_ok("k1"));
	assert_true(td_lab_id_ok("Run_2"));
	assert_true(td_lab_id_ok("1234567890123456"));
	assert_false(td_lab_id_ok("12345678901234567"));
	assert_false(td_lab_id_ok(""));
	assert_false(td_lab_id_ok(NULL));
	/* '-' would let `lab clean --id a` take id "a-b"'s namespaces. */
	assert_false(td_lab_id_ok("a-b"));
	assert_false(td_lab_id_ok("a/b"));
	assert_false(td_lab_id_ok("a b"));
	assert_false(td_lab_id_ok(".."));
	assert_string_equal(td_lab_netns_name(NULL, "server", buf, sizeof(buf)), "td-lab-server");
	assert_string_equal(td_lab_netns_name("", "client", buf, sizeof(buf)), "td-lab-client");
	assert_string_equal(td_lab_netns_name("k1", "server", buf, sizeof(buf)),
			    "td-lab-k1-server");
}

static void test_spec_parse(void **state)
{
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_lab_spec_check("server CLOSE_WAIT=4 LISTEN=2 client FIN_WAIT2=4", &err),
			 0);
	assert_int_equal(td_lab_spec_check("server ESTAB>=1 syn-recv<=3, client total=0; "
					   "server lq=3 backlog=2 connected=4",
					   &err),
			 0);
	assert_int_equal(td_lab_spec_check("server", &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "nothing to expect"));
	assert_int_equal(td_lab_spec_check("", &err), -TD_EPARSE);
	assert_int_equal(td_lab_spec_check("CLOSE_WAIT=4", &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "before any role"));
	assert_int_equal(td_lab_spec_check("server CLOSE_WAIT=x", &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "CLOSE_WAIT=x"));
	assert_int_equal(td_lab_spec_check("server CLOSE_WAIT=", &err), -TD_EPARSE);
	assert_int_equal(td_lab_spec_check("server CLOSE_WAIT=-1", &err), -TD_EPARSE);
	assert_int_equal(td_lab_spec_check("server CLOSE_WAIT>4", &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "operator"));
	assert_int_equal(td_lab_spec_check("server FOO=1", &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "FOO"));
	assert_int_equal(td_lab_spec_check("Server LISTEN=1", &err), -TD_EPARSE);
	assert_int_equal(td_lab_spec_check("server LISTEN=99999999999", &err), -TD_EPARSE);
}

static void test_spec_match(void **state)
{
	struct td_lab_counts c = { 0 };

	(void)state;
	c.states[TD_CLOSE_WAIT] = 4;
	c.states[TD_LISTEN] = 2;
	c.states[TD_SYN_RECV] = 1;
	c.total = 7;
	c.listen_queue = 3;
	c.listen_backlog = 2;
	assert_true(td_lab_spec_match("server CLOSE_WAIT=4 LISTEN=2", "server", &c));
	assert_false(td_lab_spec_match("server CLOSE_WAIT=3", "server", &c));
	/* Other roles' terms are not this namespace's business. */
	assert_true(td_lab_spec_match("server CLOSE_WAIT=4 client CLOSE_WAIT=0", "server", &c));
	assert_false(td_lab_spec_match("server CLOSE_WAIT=4 client CLOSE_WAIT=0", "client", &c));
	assert_true(td_lab_spec_match("client FIN_WAIT2=9", "server", &c));
	/* Any spelling of a state. */
	assert_true(
		td_lab_spec_match("server close-wait=4 CLOSE-WAIT>=4 closewait<=4", "server", &c));
	assert_true(td_lab_spec_match("server SYN_RCVD=1 syn-recv=1", "server", &c));
	assert_true(td_lab_spec_match("server ESTAB=0 established<=0", "server", &c));
	/* Groups sum their states: connected = all but LISTEN and CLOSE. */
	assert_true(td_lab_spec_match("server connected=5 all=7", "server", &c));
	assert_false(td_lab_spec_match("server connected=4", "server", &c));
	assert_true(td_lab_spec_match("server total=7 lq=3 backlog=2", "server", &c));
	assert_false(td_lab_spec_match("server lq>=4", "server", &c));
	assert_true(td_lab_spec_match("server lq<=3 backlog>=2", "server", &c));
	/* A spec that does not parse never matches. */
	assert_false(td_lab_spec_match("server CLOSE_WAIT=4 FOO=1", "server", &c));
}

static void test_ss_parse(void **state)
{
	static const char out[] =
		"LISTEN     3      2             192.0.2.2:5001         0.0.0.0:*\n"
		"LISTEN     0      128    [2001:db8::2]:5001            [::]:*\n"
		"ESTAB      0      0             192.0.2.2:5001       192.0.2.1:40000\n"
		"SYN-RECV   0      0             192.0.2.2:5001       192.0.2.1:40001\n"
		"SYN-SENT   0      1             192.0.2.1:40002      192.0.2.2:5001\n"
		"FIN-WAIT-1 0      1             192.0.2.1:1      192.0.2.2:5001\n"
		"FIN-WAIT-2 0      0             192.0.2.1:2      192.0.2.2:5001\n"
		"TIME-WAIT  0      0             192.0.2.1:3      192.0.2.2:5001\n"
		"CLOSE-WAIT 1      0             192.0.2.1:4      192.0.2.2:5001\n"
		"LAST-ACK   1      1             192.0.2.1:5      192.0.2.2:5001\n"
		"CLOSING    1      1             192.0.2.1:6      192.0.2.2:5001\n"
		"UNCONN     0      0             192.0.2.1:7      0.0.0.0:*\n"
		"\n";
	struct td_lab_counts c;
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_lab_ss_parse(out, &c, &err), 0);
	assert_int_equal(c.total, 12);
	assert_int_equal(c.states[TD_LISTEN], 2);
	assert_int_equal(c.states[TD_ESTABLISHED], 1);
	assert_int_equal(c.states[TD_SYN_RECV], 1);
	assert_int_equal(c.states[TD_NEW_SYN_RECV], 0);
	assert_int_equal(c.states[TD_SYN_SENT], 1);
	assert_int_equal(c.states[TD_FIN_WAIT1], 1);
	assert_int_equal(c.states[TD_FIN_WAIT2], 1);
	assert_int_equal(c.states[TD_TIME_WAIT], 1);
	assert_int_equal(c.states[TD_CLOSE_WAIT], 1);
	assert_int_equal(c.states[TD_LAST_ACK], 1);
	assert_int_equal(c.states[TD_CLOSING], 1);
	assert_int_equal(c.states[TD_CLOSE], 1);
	/* LISTEN queues: Recv-Q summed, the largest Send-Q (backlog). */
	assert_int_equal(c.listen_queue, 3);
	assert_int_equal(c.listen_backlog, 128);

	assert_int_equal(td_lab_ss_parse("", &c, &err), 0);
	assert_int_equal(c.total, 0);
	assert_int_equal(td_lab_ss_parse("ESTAB 0 0 a:1 b:2", &c, &err), 0);
	assert_int_equal(c.states[TD_ESTABLISHED], 1);
	assert_int_equal(td_lab_ss_parse("ESTAB 0 0 a:1 b:2\nWEIRD 0 0 a:1 b:2\n", &c, &err),
			 -TD_EPARSE);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "WEIRD"));
	assert_int_equal(td_lab_ss_parse("ESTAB x y\n", &c, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "line 1"));
}

/* td_lab_ss_timer_parse: ss -Htano lines, the oracle of td_lab_expect_timer. */
static void test_ss_timer_parse(void **state)
{
	uint16_t lp, rp;
	unsigned n;
	int st, tm;

	(void)state;
	assert_int_equal(td_lab_ss_timer_parse("FIN-WAIT-1 0      1        192.0.2.1:33070   "
					       "192.0.2.2:5050 timer:(on,380ms,3)",
					       &st, &lp, &rp, &tm, &n),
			 0);
	assert_int_equal(st, TD_FIN_WAIT1);
	assert_int_equal(lp, 33070);
	assert_int_equal(rp, 5050);
	assert_int_equal(tm, TD_TIMER_RETRANS);
	assert_int_equal(n, 3);
	assert_int_equal(td_lab_ss_timer_parse("TIME-WAIT 0 0 [2001:db8::2]:5051 "
					       "[2001:db8::1]:40000 timer:(timewait,56sec,0)",
					       &st, &lp, &rp, &tm, &n),
			 0);
	assert_int_equal(st, TD_TIME_WAIT);
	assert_int_equal(lp, 5051);
	assert_int_equal(rp, 40000);
	assert_int_equal(tm, TD_TIMER_TIMEWAIT);
	assert_int_equal(n, 0);
	/* A request socket is SYN_RECV; persist is the zero-window probe. */
	assert_int_equal(td_lab_ss_timer_parse("SYN-RECV 0 0 192.0.2.2:5060 198.51.100.1:20000 "
					       "timer:(on,980ms,2)",
					       &st, &lp, &rp, &tm, &n),
			 0);
	assert_int_equal(st, TD_SYN_RECV);
	assert_int_equal(n, 2);
	assert_int_equal(td_lab_ss_timer_parse("CLOSING 0 1 192.0.2.2:5034 192.0.2.1:1 "
					       "timer:(persist,1.2sec,7)",
					       &st, &lp, &rp, &tm, &n),
			 0);
	assert_int_equal(st, TD_CLOSING);
	assert_int_equal(tm, TD_TIMER_PROBE0);
	assert_int_equal(n, 7);
	/* No timer: none, 0; a listener's peer port is '*'. */
	assert_int_equal(td_lab_ss_timer_parse("LISTEN 0 128 0.0.0.0:5030 0.0.0.0:*", &st, &lp, &rp,
					       &tm, &n),
			 0);
	assert_int_equal(st, TD_LISTEN);
	assert_int_equal(lp, 5030);
	assert_int_equal(rp, 0);
	assert_int_equal(tm, TD_TIMER_NONE);
	assert_int_equal(n, 0);
	/* What is not an ss line. */
	assert_int_equal(td_lab_ss_timer_parse("", &st, &lp, &rp, &tm, &n), -TD_EPARSE);
	assert_int_equal(td_lab_ss_timer_parse("WEIRD 0 0 a:1 b:2", &st, &lp, &rp, &tm, &n),
			 -TD_EPARSE);
	assert_int_equal(td_lab_ss_timer_parse("ESTAB 0 0 a:x b:2", &st, &lp, &rp, &tm, &n),
			 -TD_EPARSE);
	assert_int_equal(td_lab_ss_timer_parse("ESTAB 0 0 a:1 b:70000", &st, &lp, &rp, &tm, &n),
			 -TD_EPARSE);
	assert_int_equal(
		td_lab_ss_timer_parse("ESTAB 0 0 a:1 b:2 timer:(on,1s)", &st, &lp, &rp, &tm, &n),
		-TD_EPARSE);
	assert_int_equal(td_lab_ss_timer_parse("ESTAB 0 0 a:1 b:2 timer:(bogus,1s,1)", &st, &lp,
					       &rp, &tm, &n),
			 -TD_EPARSE);
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(td_lab_errno_name(0), "0");
	assert_string_equal(td_lab_errno_name(ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(td_lab_errno_name(ECONNRESET), "ECONNRESET");
	assert_string_equal(td_lab_errno_name(EPIPE), "EPIPE");
	assert_string_equal(td_lab_errno_name(ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(td_lab_errno_name(EHOSTUNREACH), "EHOSTUNREACH");
	assert_string_equal(td_lab_errno_name(ENETUNREACH), "ENETUNREACH");
	assert_string_equal(td_lab_errno_name(EADDRNOTAVAIL), "EADDRNOTAVAIL");
	assert_string_equal(td_lab_errno_name(EINPROGRESS), "EINPROGRESS");
	assert_string_equal(td_lab_errno_name(EALREADY), "EALREADY");
	assert_string_equal(td_lab_errno_name(EISCONN), "EISCONN");
	assert_string_equal(td_lab_errno_name(-1), "E?");
	assert_string_equal(td_lab_errno_name(100000), "E?");
}

/* td_lab_go wakes an actor in td_lab_wait_go, even when it comes before the
 * actor waits (the signal is blocked from the fork on, so it stays pending
 * instead of killing the child); a bad actor index is a setup error. */
static void test_go(void **state)
{
	struct td_lab *lab = calloc(1, sizeof(*lab));
	sigset_t go, old;
	pid_t pid;
	int st;

	(void)state;
	assert_non_null(lab);
	assert_int_equal(td_lab_go(lab, 0), -EINVAL);
	assert_int_equal(lab->err.code, -EINVAL);
	assert_int_equal(td_lab_go(lab, -1), -EINVAL);
	memset(&lab->err, 0, sizeof(lab->err));

	sigemptyset(&go);
	sigaddset(&go, SIGUSR2); /* TD_LAB_GO_SIGNAL, as td_lab_spawn blocks it */
	sigprocmask(SIG_BLOCK, &go, &old);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct td_lab_actor_ctx ctx = { -1, 0 };

		alarm(10); /* no go: SIGALRM kills us and the test fails, not hangs */
		sleep(1);  /* the go is already pending when we wait */
		td_lab_wait_go(&ctx);
		_exit(7);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	lab->nactors = 1;
	lab->actors[0].pid = pid;
	snprintf(lab->actors[0].name, sizeof(lab->actors[0].name), "unit");
	assert_int_equal(td_lab_go(lab, 0), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 7);
	assert_int_equal(td_lab_go(lab, 1), -EINVAL);
	free(lab);
}

/* As nobody, every entry point that needs privileges says so and builds
 * nothing. */
static void test_needs_root(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	if (geteuid() != 0)
		skip_because("needs root"); /* to become nobody; the e2e test covers a plain user */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct td_err err = { 0 };
		struct td_lab *lab = calloc(1, sizeof(*lab));
		struct td_lab_opts o = { "unit", false };

		if (!lab || setgid(65534) || setuid(65534))
			_exit(10);
		if (td_lab_check_privileges(&err) != -EPERM || !strstr(err.msg, "root"))
			_exit(11);
		if (td_lab_run(td_lab_scenario_find("refused"), &o, lab, &err) != -EPERM)
			_exit(12);
		if (td_lab_clean("unit", NULL, NULL, &err) != -EPERM)
			_exit(13);
		if (access("/run/netns/td-lab-unit-client", F_OK) == 0)
			_exit(14);
		free(lab);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_bad_id(void **state)
{
	struct td_err err = { 0 };
	struct td_lab *lab = calloc(1, sizeof(*lab));
	struct td_lab_opts o = { "bad-id", false };

	(void)state;
	assert_non_null(lab);
	assert_int_equal(td_lab_run(td_lab_scenario_find("refused"), &o, lab, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "bad-id"));
	assert_int_equal(td_lab_clean("x/y", NULL, NULL, &err), -EINVAL);
	free(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_table), cmocka_unit_test(test_ids_and_names),
		cmocka_unit_test(test_spec_parse),     cmocka_unit_test(test_spec_match),
		cmocka_unit_test(test_ss_parse),       cmocka_unit_test(test_ss_timer_parse),
		cmocka_unit_test(test_errno_names),    cmocka_unit_test(test_go),
		cmocka_unit_test(test_needs_root),     cmocka_unit_test(test_bad_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

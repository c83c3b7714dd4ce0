/* Unit tests for destroy.c: the plan (listeners, sockets without a cookie,
 * --max), the SOCK_DESTROY request (type, flags, 4-tuple in network order,
 * cookie words, interface), the names, and (as root) one run against the
 * kernel on a loopback listener of our own. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockets/destroy.h"
#include "sockets/filter.h"
#include "sockets/sockdiag.h"
#include "state.h"

static struct td_sock sock4(int state, const char *l, uint16_t lport, const char *r, uint16_t rport,
			    uint64_t cookie)
{
	struct td_sock s = { .family = AF_INET,
			     .state = (uint8_t)state,
			     .lport = lport,
			     .rport = rport,
			     .cookie = cookie,
			     .flags = TD_SOCK_HAS_COOKIE };

	assert_int_equal(inet_pton(AF_INET, l, s.laddr), 1);
	assert_int_equal(inet_pton(AF_INET, r, s.raddr), 1);
	return s;
}

static void test_plan_listeners(void **state)
{
	struct td_destroy_item v[3] = {
		{ .s = sock4(TD_LISTEN, "192.0.2.1", 80, "0.0.0.0", 0, 1) },
		{ .s = sock4(TD_CLOSE_WAIT, "192.0.2.1", 80, "192.0.2.2", 40000, 2) },
		{ .s = sock4(TD_ESTABLISHED, "192.0.2.1", 80, "192.0.2.2", 40001, 3) },
	};
	struct td_destroy_opts o = { .listeners = false, .max = 100 };
	struct td_err err = { 0 };

	(void)state;
	assert_int_equal(td_destroy_plan(v, 3, &o, &err), 2);
	assert_int_equal(v[0].outcome, TD_DSTR_REFUSED);
	assert_non_null(strstr(v[0].why, "--listeners"));
	assert_int_equal(v[1].outcome, TD_DSTR_PLANNED);
	assert_int_equal(v[2].outcome, TD_DSTR_PLANNED);

	memset(&v[0].outcome, 0, sizeof(v[0].outcome));
	v[0].why = NULL;
	o.listeners = true;
	assert_int_equal(td_destroy_plan(v, 3, &o, &err), 3);
	assert_int_equal(v[0].outcome, TD_DSTR_PLANNED);
}

static void test_plan_no_cookie(void **state)
{
	struct td_destroy_item v[1] = {
		{ .s = sock4(TD_ESTABLISHED, "192.0.2.1", 80, "192.0.2.2", 40001, 0) },
	};
	struct td_destroy_opts o = { .max = 100 };

	(void)state;
	v[0].s.flags = 0; /* from /proc: no cookie */
	assert_int_equal(td_destroy_plan(v, 1, &o, NULL), 0);
	assert_int_equal(v[0].outcome, TD_DSTR_REFUSED);
	assert_non_null(strstr(v[0].why, "cookie"));
}

static void test_plan_max(void **state)
{
	struct td_destroy_item v[5];
	struct td_destroy_opts o = { .max = 4 };
	struct td_err err = { 0 };

	(void)state;
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 5; i++)
		v[i].s = sock4(TD_ESTABLISHED, "192.0.2.1", 80, "192.0.2.2", (uint16_t)(40000 + i),
			       (uint64_t)i + 1);
	assert_int_equal(td_destroy_plan(v, 5, &o, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "5 sockets match, more than --max 4"));
	assert_non_null(strstr(err.msg, "raise --max to 5"));
	o.max = 5;
	assert_int_equal(td_destroy_plan(v, 5, &o, &err), 5);
	/* Refused listeners do not count against --max. */
	v[4].s.state = TD_LISTEN;
	o.max = 4;
	assert_int_equal(td_destroy_plan(v, 5, &o, &err), 4);
}

static void test_req_v4(void **state)
{
	struct td_sock s = sock4(TD_CLOSE_WAIT, "192.0.2.1", 8080, "198.51.100.7", 40000,
				 0x1122334455667788ull);
	unsigned char buf[256];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct inet_diag_req_v2 *req = NLMSG_DATA(nlh);
	int len;

	(void)state;
	s.ifindex = 3;
	memset(buf, 0xaa, sizeof(buf));
	len = td_destroy_req_build(&s, 42, buf, sizeof(buf));
	assert_int_equal(len, (int)NLMSG_LENGTH(sizeof(*req)));
	assert_int_equal(nlh->nlmsg_len, len);
	assert_int_equal(nlh->nlmsg_type, SOCK_DESTROY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 42);
	assert_int_equal(req->sdiag_family, AF_INET);
	assert_int_equal(req->sdiag_protocol, IPPROTO_TCP);
	assert_int_equal(req->id.idiag_sport, htons(8080));
	assert_int_equal(req->id.idiag_dport, htons(40000));
	assert_memory_equal(req->id.idiag_src, s.laddr, 4);
	assert_memory_equal(req->id.idiag_dst, s.raddr, 4);
	/* Only the first word of an IPv4 address; the rest zero, not 0xaa. */
	assert_int_equal(req->id.idiag_src[1] | req->id.idiag_src[2] | req->id.idiag_src[3], 0);
	assert_int_equal(req->id.idiag_if, 3);
	assert_int_equal(req->id.idiag_cookie[0], 0x55667788u);
	assert_int_equal(req->id.idiag_cookie[1], 0x11223344u);
	assert_int_not_equal(req->idiag_states, 0);
}

static void test_req_v6_and_short(void **state)
{
	struct td_sock s = { .family = AF_INET6,
			     .state = TD_ESTABLISHED,
			     .lport = 443,
			     .rport = 50000,
			     .cookie = 7,
			     .flags = TD_SOCK_HAS_COOKIE };
	unsigned char buf[256];
	const struct inet_diag_req_v2 *req = NLMSG_DATA((const struct nlmsghdr *)buf);

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", s.laddr), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", s.raddr), 1);
	assert_true(td_destroy_req_build(&s, 1, buf, sizeof(buf)) > 0);
	assert_int_equal(req->sdiag_family, AF_INET6);
	assert_memory_equal(req->id.idiag_src, s.laddr, 16);
	assert_memory_equal(req->id.idiag_dst, s.raddr, 16);
	assert_int_equal(td_destroy_req_build(&s, 1, buf, 20), -ENOSPC);
}

static int find_port(const struct td_sock *s, void *ctx)
{
	struct td_sock *out = ctx;

	if (s->state == TD_LISTEN && s->lport == out->lport) {
		*out = *s;
		return 1;
	}
	return 0;
}

/* Against the kernel, on a loopback listener of our own: a wrong cookie is
 * "gone" (the kernel's cookie check), the right one destroys it. As root
 * only: SOCK_DESTROY needs CAP_NET_ADMIN. */
/* A loopback listener of our own, and its dump record. */
static int own_listener(struct td_sock *found)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct td_filter f;
	struct td_err err = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	td_filter_init(&f);
	assert_int_equal(td_filter_add_state(&f, "listen", &err), 0);
	f.family = AF_INET;
	memset(found, 0, sizeof(*found));
	found->lport = ntohs(sin.sin_port);
	assert_int_equal(td_sockdiag_dump(&f, 0, -1, find_port, found, &err), 1);
	return fd;
}

/* The same through bpf_sock_destroy(), where this build and kernel have it. */
static void test_run_bpf(void **state)
{
	struct td_destroy_item it[2] = { 0 };
	struct td_sock found;
	enum td_destroy_via used;
	struct td_err err = { 0 };
	int fd, rc;

	(void)state;
	if (geteuid() != 0)
		skip();
	fd = own_listener(&found);
	it[0].s = found;
	it[1].s = found;
	it[1].s.cookie ^= 0x5a5a; /* a socket the walk never meets */
	rc = td_destroy_run(it, 2, TD_VIA_BPF, &used, &err);
	if (rc == -TD_EUNSUPP) {
		close(fd);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_int_equal(used, TD_VIA_BPF);
	assert_int_equal(it[0].outcome, TD_DSTR_DESTROYED);
	assert_int_equal(it[1].outcome, TD_DSTR_GONE);
	assert_int_equal(accept(fd, NULL, NULL), -1);
	close(fd);
}

static void test_run_netlink(void **state)
{
	struct td_destroy_item it = { 0 };
	struct td_sock found;
	enum td_destroy_via used;
	struct td_err err = { 0 };
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	fd = own_listener(&found);
	it.s = found;
	it.s.cookie ^= 0x5a5a;
	assert_int_equal(td_destroy_run(&it, 1, TD_VIA_NETLINK, &used, &err), 0);
	assert_int_equal(used, TD_VIA_NETLINK);
	assert_int_equal(it.outcome, TD_DSTR_GONE);

	memset(&it, 0, sizeof(it));
	it.s = found;
	assert_int_equal(td_destroy_run(&it, 1, TD_VIA_NETLINK, &used, &err), 0);
	assert_int_equal(it.outcome, TD_DSTR_DESTROYED);
	/* The owner's next call says so. */
	assert_int_equal(accept(fd, NULL, NULL), -1);
	assert_true(errno == EINVAL || errno == ECONNABORTED);
	close(fd);
}

static void test_names(void **state)
{
	enum td_destroy_via via;
	struct td_err err = { 0 };

	(void)state;
	assert_string_equal(td_destroy_outcome_name(TD_DSTR_DESTROYED), "destroyed");
	assert_string_equal(td_destroy_outcome_name(TD_DSTR_GONE), "gone");
	assert_string_equal(td_destroy_outcome_name(TD_DSTR_REFUSED), "refused");
	assert_string_equal(td_destroy_outcome_name((enum td_destroy_outcome)99), "?");
	assert_int_equal(td_destroy_via_parse("bpf", &via, &err), 0);
	assert_int_equal(via, TD_VIA_BPF);
	assert_int_equal(td_destroy_via_parse("netlink", &via, &err), 0);
	assert_int_equal(via, TD_VIA_NETLINK);
	assert_string_equal(td_destroy_via_name(via), "netlink");
	assert_int_equal(td_destroy_via_parse("ebpf", &via, &err), -TD_EPARSE);
	assert_non_null(strstr(err.msg, "auto, netlink or bpf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_listeners),	 cmocka_unit_test(test_plan_no_cookie),
		cmocka_unit_test(test_plan_max),	 cmocka_unit_test(test_req_v4),
		cmocka_unit_test(test_req_v6_and_short), cmocka_unit_test(test_run_netlink),
		cmocka_unit_test(test_run_bpf),		 cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

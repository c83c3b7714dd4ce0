/* Tests for the names of the kernel's RST reasons (trace.c): taken from
 * `enum sk_rst_reason` in BTF, whose numbering changes between kernels,
 * with 6.18's table when there is none. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bpf/tdbpf.h"

#ifdef TD_HAVE_BPF
#include <bpf/btf.h>
#endif

static void test_builtin_is_618(void **state)
{
	struct td_tr_reasons r;

	(void)state;
	td_tr_reasons_builtin(&r);
	assert_false(r.from_btf);
	assert_string_equal(td_tr_reason_name(&r, 0), "NOT_SPECIFIED");
	assert_string_equal(td_tr_reason_name(&r, 1), "NO_SOCKET");
	assert_string_equal(td_tr_reason_name(&r, 9), "TCP_TIMEWAIT_SOCKET");
	assert_string_equal(td_tr_reason_name(&r, 11), "TCP_ABORT_ON_CLOSE");
	assert_string_equal(td_tr_reason_name(&r, 16), "TCP_DISCONNECT_WITH_DATA");
	assert_string_equal(td_tr_reason_name(&r, 17), "MPTCP_RST_EUNSPEC");
	assert_string_equal(td_tr_reason_name(&r, 24), "ERROR");
	/* SK_RST_REASON_MAX is a count, not a reason */
	assert_null(td_tr_reason_name(&r, 25));
	assert_null(td_tr_reason_name(&r, 63));
	assert_null(td_tr_reason_name(&r, 64));
	assert_null(td_tr_reason_name(&r, UINT32_MAX));
}

static void test_null_table_is_builtin(void **state)
{
	(void)state;
	assert_string_equal(td_tr_reason_name(NULL, 1), "NO_SOCKET");
	assert_string_equal(td_tr_reason_name(NULL, 24), "ERROR");
	assert_null(td_tr_reason_name(NULL, 25));
}

#ifdef TD_HAVE_BPF
/* An older kernel's numbering: 6.10 had no TCP_ABORT_ON_* yet, and a
 * kernel may add values anywhere. The names follow the BTF, not 6.18. */
static void test_from_btf_other_numbering(void **state)
{
	struct btf *btf = btf__new_empty();
	struct td_tr_reasons r;
	int id;

	(void)state;
	assert_non_null(btf);
	assert_true(btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0);
	id = btf__add_enum(btf, "sk_rst_reason", 4);
	assert_true(id > 0);
	assert_int_equal(btf__add_enum_value(btf, "SK_RST_REASON_NOT_SPECIFIED", 0), 0);
	assert_int_equal(btf__add_enum_value(btf, "SK_RST_REASON_NO_SOCKET", 1), 0);
	assert_int_equal(btf__add_enum_value(btf, "SK_RST_REASON_TCP_STATE", 2), 0);
	assert_int_equal(btf__add_enum_value(btf, "SK_RST_REASON_NEW_ONE", 11), 0);
	assert_int_equal(btf__add_enum_value(btf, "SK_RST_REASON_ERROR", 12), 0);
	assert_int_equal(btf__add_enum_value(btf, "SK_RST_REASON_MAX", 13), 0);

	td_tr_reasons_builtin(&r);
	assert_int_equal(td_tr_reasons_from_btf(&r, btf), 0);
	assert_true(r.from_btf);
	assert_string_equal(td_tr_reason_name(&r, 1), "NO_SOCKET");
	assert_string_equal(td_tr_reason_name(&r, 2), "TCP_STATE");
	assert_string_equal(td_tr_reason_name(&r, 11), "NEW_ONE");
	assert_string_equal(td_tr_reason_name(&r, 12), "ERROR");
	assert_null(td_tr_reason_name(&r, 3));	/* a hole: no name, not 6.18's */
	assert_null(td_tr_reason_name(&r, 13)); /* MAX */
	btf__free(btf);
}

static void test_from_btf_without_the_enum(void **state)
{
	struct btf *btf = btf__new_empty();
	struct td_tr_reasons r;

	(void)state;
	assert_non_null(btf);
	assert_true(btf__add_enum(btf, "other", 4) > 0);
	assert_int_equal(btf__add_enum_value(btf, "SK_RST_REASON_NO_SOCKET", 7), 0);
	td_tr_reasons_builtin(&r);
	assert_int_equal(td_tr_reasons_from_btf(&r, btf), -ENOENT);
	assert_false(r.from_btf); /* left as it was */
	assert_string_equal(td_tr_reason_name(&r, 1), "NO_SOCKET");
	assert_int_equal(td_tr_reasons_from_btf(&r, NULL), -ENOENT);
	btf__free(btf);
}
#endif

/* Whatever the running kernel says (its BTF or the fallback), 1 is
 * NO_SOCKET: it has been since enum sk_rst_reason appeared (6.10). */
static void test_load_running_kernel(void **state)
{
	struct td_tr_reasons r;

	(void)state;
	td_tr_reasons_load(&r);
	assert_string_equal(td_tr_reason_name(&r, 1), "NO_SOCKET");
	assert_string_equal(td_tr_reason_name(&r, 0), "NOT_SPECIFIED");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_is_618),
		cmocka_unit_test(test_null_table_is_builtin),
#ifdef TD_HAVE_BPF
		cmocka_unit_test(test_from_btf_other_numbering),
		cmocka_unit_test(test_from_btf_without_the_enum),
#endif
		cmocka_unit_test(test_load_running_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

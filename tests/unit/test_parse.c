#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "parse.h"
#include "testutil.h"
#include "util.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)
#define TiB (GiB * 1024)

struct size_case {
    const char *in;
    int ret;
    uint64_t bytes;
    bool unlimited;
};

static void test_parse_size_table(void **state)
{
    static const struct size_case cases[] = {
        { "1024", 0, 1024, false },
        { "512M", 0, 512 * MiB, false },
        { "512m", 0, 512 * MiB, false },
        { "2G", 0, 2 * GiB, false },
        { "2GB", 0, 2 * GiB, false },
        { "2GiB", 0, 2 * GiB, false },
        { "2gib", 0, 2 * GiB, false },
        { "1.5G", 0, GiB + GiB / 2, false },
        { "0.5K", 0, 512, false },
        { "1T", 0, TiB, false },
        { "64k", 0, 64 * KiB, false },
        { "100B", 0, 100, false },
        { "unlimited", 0, UINT64_MAX, true },
        { "max", 0, UINT64_MAX, true },
        { "-1", 0, UINT64_MAX, true },
        { "", -1, 0, false },
        { "0", -1, 0, false },
        { "0G", -1, 0, false },
        { "-5", -1, 0, false },
        { "1X", -1, 0, false },
        { "1MX", -1, 0, false },
        { "1iB", -1, 0, false },
        { " 1", -1, 0, false },
        { "1 ", -1, 0, false },
        { "+1", -1, 0, false },
        { "1.5", -1, 0, false },
        { "1.", -1, 0, false },
        { ".5G", -1, 0, false },
        { "99999999999999999999G", -1, 0, false },
        { "99999999999999999999", -1, 0, false },
        { "17179869184G", -1, 0, false },
        { "G", -1, 0, false },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct size_case *c = &cases[i];
        lxcf_err err = LXCF_ERR_INIT;
        uint64_t bytes = 42;
        bool unl = false;
        int r = lxcf_parse_size(c->in, &bytes, &unl, &err);

        if (r != c->ret)
            fail_msg("lxcf_parse_size(\"%s\") returned %d, wanted %d (%s)", c->in, r, c->ret,
                     err.msg);
        if (r == 0) {
            assert_int_equal(bytes, c->bytes);
            assert_int_equal(unl, c->unlimited);
        } else {
            assert_int_equal(err.code, LXCF_EXIT_USAGE);
            assert_int_equal(bytes, 42);
            /* The message names the value (or says it is empty). */
            if (*c->in)
                assert_non_null(strstr(err.msg, c->in));
        }
    }
}

struct list_case {
    const char *in;
    unsigned max;
    int ret;
    const char *norm;
};

static void test_parse_cpulist_table(void **state)
{
    static const struct list_case cases[] = {
        { "0", 2, 0, "0" },
        { "0-1,3", 4, 0, "0-1,3" },
        { "3,0-1", 4, 0, "0-1,3" },
        { "0,1,2,5,6", 8, 0, "0-2,5-6" },
        { "1-1", 2, 0, "1" },
        { "0-3,2-5", 8, 0, "0-5" },
        { "4095", 4096, 0, "4095" },
        { "", 4, -1, NULL },
        { "2-1", 4, -1, NULL },
        { "3-1", 4, -1, NULL },
        { "0-", 4, -1, NULL },
        { "-1", 4, -1, NULL },
        { "1,,2", 4, -1, NULL },
        { "1,", 4, -1, NULL },
        { ",1", 4, -1, NULL },
        { "a", 4, -1, NULL },
        { " 1", 4, -1, NULL },
        { "1 ", 4, -1, NULL },
        { "2", 2, -1, NULL },
        { "0-2", 2, -1, NULL },
        { "99999999999999999999", 4, -1, NULL },
        { "1-2-3", 4, -1, NULL },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct list_case *c = &cases[i];
        lxcf_err err = LXCF_ERR_INIT;
        lxcf_bitmap b;
        int r;

        lxcf_bitmap_clear(&b);
        lxcf_bitmap_set(&b, 7);
        r = lxcf_parse_cpulist(c->in, c->max, &b, &err);
        if (r != c->ret)
            fail_msg("lxcf_parse_cpulist(\"%s\", %u) returned %d, wanted %d (%s)", c->in,
                     c->max, r, c->ret, err.msg);
        if (r == 0) {
            _cleanup_free_ char *s = lxcf_bitmap_format(&b);
            assert_string_equal(s, c->norm);
        } else {
            assert_int_equal(err.code, LXCF_EXIT_USAGE);
            assert_true(lxcf_bitmap_test(&b, 7));  /* output untouched */
            assert_int_equal(lxcf_bitmap_count(&b), 1);
        }
    }
}

static void test_bitmap_ops(void **state)
{
    lxcf_bitmap a, b;
    _cleanup_free_ char *empty = NULL;

    lxcf_bitmap_clear(&a);
    assert_int_equal(lxcf_bitmap_last(&a), -1);
    empty = lxcf_bitmap_format(&a);
    assert_string_equal(empty, "");
    lxcf_bitmap_set(&a, 1);
    lxcf_bitmap_set(&a, 130);
    lxcf_bitmap_set(&a, LXCF_BITMAP_BITS);  /* ignored: out of range */
    assert_int_equal(lxcf_bitmap_count(&a), 2);
    assert_int_equal(lxcf_bitmap_last(&a), 130);
    lxcf_bitmap_clear(&b);
    lxcf_bitmap_set(&b, 1);
    assert_true(lxcf_bitmap_subset(&b, &a));
    assert_false(lxcf_bitmap_subset(&a, &b));
}

struct pct_case {
    const char *in;
    int ret;
    unsigned pct;
};

static void test_parse_percent_table(void **state)
{
    static const struct pct_case cases[] = {
        { "1", 0, 1 }, { "50", 0, 50 }, { "100", 0, 100 }, { "25%", 0, 25 },
        { "0", -1, 0 }, { "101", -1, 0 }, { "", -1, 0 }, { "-5", -1, 0 },
        { "5x", -1, 0 }, { " 5", -1, 0 }, { "5%%", -1, 0 }, { "99999999999999999999", -1, 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lxcf_err err = LXCF_ERR_INIT;
        unsigned pct = 77;
        int r = lxcf_parse_percent(cases[i].in, &pct, &err);

        if (r != cases[i].ret)
            fail_msg("lxcf_parse_percent(\"%s\") returned %d (%s)", cases[i].in, r, err.msg);
        assert_int_equal(pct, r == 0 ? cases[i].pct : 77);
        if (r < 0)
            assert_int_equal(err.code, LXCF_EXIT_USAGE);
    }
}

struct rate_case {
    const char *in;
    bool iops;
    int ret;
    uint64_t v;
};

static void test_parse_rate_and_iops_table(void **state)
{
    static const struct rate_case cases[] = {
        { "1048576", false, 0, MiB },
        { "10M", false, 0, 10 * MiB },
        { "10mb", false, 0, 10 * MiB },
        { "1G", false, 0, GiB },
        { "unlimited", false, 0, LXCF_RATE_UNLIMITED },
        { "max", false, 0, LXCF_RATE_UNLIMITED },
        { "0", false, -1, 0 },
        { "", false, -1, 0 },
        { "-5", false, -1, 0 },
        { "1X", false, -1, 0 },
        { "1.5M", false, -1, 0 },
        { " 1", false, -1, 0 },
        { "99999999999999999999G", false, -1, 0 },
        { "16777216T", false, -1, 0 },
        { "500", true, 0, 500 },
        { "unlimited", true, 0, LXCF_RATE_UNLIMITED },
        { "1K", true, -1, 0 },
        { "0", true, -1, 0 },
        { "abc", true, -1, 0 },
        { "", true, -1, 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rate_case *c = &cases[i];
        lxcf_err err = LXCF_ERR_INIT;
        uint64_t v = 42;
        int r = c->iops ? lxcf_parse_iops(c->in, &v, &err) : lxcf_parse_rate(c->in, &v, &err);

        if (r != c->ret)
            fail_msg("parse %s(\"%s\") returned %d (%s)", c->iops ? "iops" : "rate", c->in, r,
                     err.msg);
        assert_int_equal(v, r == 0 ? c->v : 42);
        if (r < 0)
            assert_int_equal(err.code, LXCF_EXIT_USAGE);
    }
}

/* ---- host facts from a fake sysfs ---- */

static void test_host_online_reads_fake_sysfs(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_bitmap b;
    _cleanup_free_ char *cpus = NULL, *nodes = NULL;

    lxcf_test_write_file(root, "sys/devices/system/cpu/online", "0-3,6\n");
    lxcf_test_write_file(root, "sys/devices/system/node/online", "0-1\n");
    assert_int_equal(lxcf_host_online_cpus(root, &b, &err), 0);
    cpus = lxcf_bitmap_format(&b);
    assert_string_equal(cpus, "0-3,6");
    assert_int_equal(lxcf_host_online_nodes(root, &b, &err), 0);
    nodes = lxcf_bitmap_format(&b);
    assert_string_equal(nodes, "0-1");
    lxcf_test_rmrf(root);
}

static void test_host_online_nodes_missing_is_node0(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_bitmap b;
    _cleanup_free_ char *nodes = NULL;

    assert_int_equal(lxcf_host_online_nodes(root, &b, &err), 0);
    nodes = lxcf_bitmap_format(&b);
    assert_string_equal(nodes, "0");
    lxcf_test_rmrf(root);
}

static void test_host_online_cpus_missing_or_garbage_fails(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_bitmap b;

    assert_int_equal(lxcf_host_online_cpus(root, &b, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    lxcf_error_clear(&err);
    lxcf_test_write_file(root, "sys/devices/system/cpu/online", "zz\n");
    assert_int_equal(lxcf_host_online_cpus(root, &b, &err), -1);
    assert_non_null(strstr(err.msg, "cpu/online"));
    lxcf_test_rmrf(root);
}

static void test_host_online_cpus_real_host(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_bitmap b;

    assert_int_equal(lxcf_host_online_cpus(NULL, &b, &err), 0);
    assert_true(lxcf_bitmap_count(&b) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_size_table, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_parse_cpulist_table, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_bitmap_ops, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_parse_percent_table, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_parse_rate_and_iops_table, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_host_online_reads_fake_sysfs, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_host_online_nodes_missing_is_node0, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_host_online_cpus_missing_or_garbage_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_host_online_cpus_real_host, lxcf_test_base_setup, lxcf_test_base_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static uint32_t ip(const char *s)
{
    uint32_t a = 0;
    assert_int_equal(lxcf_ipv4_parse(s, &a, NULL), 0);
    return a;
}

static lxcf_pool pool_of(const char *cidr, const char *start, const char *end)
{
    lxcf_pool p;
    lxcf_err err = LXCF_ERR_INIT;
    assert_int_equal(lxcf_pool_parse(cidr, start, end, &p, &err), 0);
    return p;
}

static void test_parse_format_roundtrip(void **state)
{
    const char *good[] = { "0.0.0.0", "1.2.3.4", "192.168.125.1", "255.255.255.255" };
    char buf[LXCF_IPV4_STRLEN];

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        lxcf_ipv4_format(ip(good[i]), buf);
        assert_string_equal(buf, good[i]);
    }
    assert_int_equal(ip("192.168.125.1"), 0xc0a87d01u);
}

static void test_parse_garbage(void **state)
{
    const char *bad[] = { "256.1.1.1", "1.2.3", "1.2.3.4x", "", "1.2.3.4.5", "01.2.3.4",
                          "1..2.3", " 1.2.3.4", "1.2.3.4 ", "-1.2.3.4", "1.2.3.1000", "a.b.c.d" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lxcf_err err = LXCF_ERR_INIT;
        uint32_t a = 42;
        assert_int_equal(lxcf_ipv4_parse(bad[i], &a, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        assert_non_null(strstr(err.msg, "not an IPv4 address"));
        assert_int_equal(a, 42);
    }
}

static void test_net_parse(void **state)
{
    lxcf_ipv4_net n;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_ipv4_net_parse("192.168.125.1/24", &n, &err), 0);
    assert_int_equal(n.addr, ip("192.168.125.1"));
    assert_int_equal(n.prefix, 24);
    assert_int_equal(lxcf_ipv4_net_network(&n), ip("192.168.125.0"));
    assert_int_equal(lxcf_ipv4_net_broadcast(&n), ip("192.168.125.255"));
    assert_int_equal(lxcf_ipv4_netmask(24), ip("255.255.255.0"));
    assert_true(lxcf_ipv4_net_contains(&n, ip("192.168.125.200")));
    assert_false(lxcf_ipv4_net_contains(&n, ip("192.168.126.2")));
}

static void test_bad_cidr(void **state)
{
    const char *bad[] = { "192.168.125.1", "192.168.125.1/", "192.168.125.1/33",
                          "192.168.125.1/31", "192.168.125.1/0", "192.168.125.1/24x",
                          "300.168.125.1/24", "/24", "192.168.125.0/24", "192.168.125.255/24" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lxcf_err err = LXCF_ERR_INIT;
        lxcf_ipv4_net n = { 7, 7 };
        assert_int_equal(lxcf_ipv4_net_parse(bad[i], &n, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        assert_non_null(strstr(err.msg, bad[i]));
        assert_int_equal(n.addr, 7);
    }
}

static void test_pool_outside_subnet(void **state)
{
    lxcf_pool p = { { 0, 0 }, 0, 0 };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_pool_parse("192.168.125.1/24", "192.168.125.2", "192.168.126.10", &p, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_non_null(strstr(err.msg, "outside the network"));
    assert_int_equal(p.start, 0);
}

static void test_pool_bad_ends(void **state)
{
    struct { const char *start, *end, *want; } cases[] = {
        { "192.168.125.0", "192.168.125.9", "network address" },
        { "192.168.125.2", "192.168.125.255", "broadcast address" },
        { "192.168.125.1", "192.168.125.9", "gateway address" },
        { "192.168.125.9", "192.168.125.2", "start is after end" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lxcf_pool p;
        lxcf_err err = LXCF_ERR_INIT;
        assert_int_equal(lxcf_pool_parse("192.168.125.1/24", cases[i].start, cases[i].end, &p, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_CONFIG);
        assert_non_null(strstr(err.msg, cases[i].want));
    }
}

static void test_pick_lowest_free(void **state)
{
    lxcf_pool p = pool_of("192.168.125.1/24", "192.168.125.2", "192.168.125.254");
    uint32_t a = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_addr_pick(&p, NULL, 0, &a, &err), 0);
    assert_int_equal(a, ip("192.168.125.2"));
}

static void test_pick_skips_used(void **state)
{
    lxcf_pool p = pool_of("192.168.125.1/24", "192.168.125.2", "192.168.125.254");
    /* Unsorted, with a duplicate and an address outside the pool. */
    uint32_t used[] = { ip("192.168.125.4"), ip("192.168.125.2"), ip("10.0.0.1"),
                        ip("192.168.125.3"), ip("192.168.125.2"), ip("192.168.125.6") };
    uint32_t a = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_addr_pick(&p, used, 6, &a, &err), 0);
    assert_int_equal(a, ip("192.168.125.5"));
}

static void test_pick_skips_gateway(void **state)
{
    /* The gateway sits inside the range here. */
    lxcf_pool p = pool_of("10.0.0.5/24", "10.0.0.3", "10.0.0.9");
    uint32_t used[] = { ip("10.0.0.3"), ip("10.0.0.4") };
    uint32_t a = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_addr_pick(&p, used, 2, &a, &err), 0);
    assert_int_equal(a, ip("10.0.0.6"));
}

static void test_pick_full_pool(void **state)
{
    lxcf_pool p = pool_of("192.168.125.1/24", "192.168.125.10", "192.168.125.12");
    uint32_t used[] = { ip("192.168.125.10"), ip("192.168.125.11"), ip("192.168.125.12") };
    uint32_t a = 99;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_addr_pick(&p, used, 3, &a, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_string_equal(err.msg,
                        "address pool 192.168.125.10-192.168.125.12 is full (3 addresses in use)");
    assert_int_equal(a, 99);
}

static void test_slash30_edges(void **state)
{
    /* 10.0.0.0/30: .0 network, .1 gateway, .2 the only host, .3 broadcast. */
    lxcf_pool p = pool_of("10.0.0.1/30", "10.0.0.2", "10.0.0.2");
    lxcf_pool bad;
    uint32_t a = 0, used[] = { ip("10.0.0.2") };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_addr_pick(&p, NULL, 0, &a, &err), 0);
    assert_int_equal(a, ip("10.0.0.2"));
    assert_int_equal(lxcf_addr_pick(&p, used, 1, &a, &err), -1);
    assert_non_null(strstr(err.msg, "is full (1 addresses in use)"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_pool_parse("10.0.0.1/30", "10.0.0.2", "10.0.0.3", &bad, &err), -1);
    assert_non_null(strstr(err.msg, "broadcast"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_pool_parse("10.0.0.2/30", "10.0.0.1", "10.0.0.1", &bad, &err), 0);
}

static void test_outside_fills_around_the_pool(void **state)
{
    lxcf_ipv4_range r[LXCF_POOL_OUTSIDE_MAX];
    lxcf_pool all = pool_of("192.168.125.1/24", "192.168.125.2", "192.168.125.254");
    lxcf_pool mid = pool_of("192.168.125.1/24", "192.168.125.10", "192.168.125.250");
    /* The gateway in the middle of the part below the pool splits it. */
    lxcf_pool split = pool_of("10.0.0.5/24", "10.0.0.100", "10.0.0.254");
    /* The gateway inside the pool: nothing to take out around it. */
    lxcf_pool gwin = pool_of("10.0.0.5/24", "10.0.0.3", "10.0.0.9");

    assert_int_equal(lxcf_pool_outside(&all, r), 0);
    assert_int_equal(lxcf_pool_outside(&mid, r), 2);
    assert_int_equal(r[0].start, ip("192.168.125.2"));
    assert_int_equal(r[0].end, ip("192.168.125.9"));
    assert_int_equal(r[1].start, ip("192.168.125.251"));
    assert_int_equal(r[1].end, ip("192.168.125.254"));
    assert_int_equal(lxcf_pool_outside(&split, r), 2);
    assert_int_equal(r[0].start, ip("10.0.0.1"));
    assert_int_equal(r[0].end, ip("10.0.0.4"));
    assert_int_equal(r[1].start, ip("10.0.0.6"));
    assert_int_equal(r[1].end, ip("10.0.0.99"));
    assert_int_equal(lxcf_pool_outside(&gwin, r), 2);
    assert_int_equal(r[0].start, ip("10.0.0.1"));
    assert_int_equal(r[0].end, ip("10.0.0.2"));
    assert_int_equal(r[1].start, ip("10.0.0.10"));
    assert_int_equal(r[1].end, ip("10.0.0.254"));
}

static void test_outside_never_meets_the_pool(void **state)
{
    /* Every pool of a /28 (gateway .1): the ranges outside it, with the
     * pool, cover each usable address exactly once, the gateway never. */
    for (unsigned s = 2; s <= 14; s++) {
        for (unsigned e = s; e <= 14; e++) {
            lxcf_pool p = { { ip("10.9.0.1"), 28 }, ip("10.9.0.0") + s, ip("10.9.0.0") + e };
            lxcf_ipv4_range r[LXCF_POOL_OUTSIDE_MAX], in = { p.start, p.end };
            size_t n = lxcf_pool_outside(&p, r);
            unsigned seen[16] = { 0 };

            for (size_t i = 0; i < n; i++) {
                assert_false(lxcf_ipv4_range_overlap(&r[i], &in));
                for (uint32_t a = r[i].start; a <= r[i].end; a++)
                    seen[a - ip("10.9.0.0")]++;
            }
            for (unsigned a = s; a <= e; a++)
                seen[a]++;
            assert_int_equal(seen[0], 0);
            assert_int_equal(seen[1], 0);
            assert_int_equal(seen[15], 0);
            for (unsigned a = 2; a <= 14; a++)
                assert_int_equal(seen[a], 1);
        }
    }
}

static void test_range_overlap(void **state)
{
    lxcf_ipv4_range a = { 10, 20 }, b = { 20, 30 }, c = { 21, 30 }, d = { 0, 100 };

    assert_true(lxcf_ipv4_range_overlap(&a, &b));
    assert_true(lxcf_ipv4_range_overlap(&b, &a));
    assert_false(lxcf_ipv4_range_overlap(&a, &c));
    assert_false(lxcf_ipv4_range_overlap(&c, &a));
    assert_true(lxcf_ipv4_range_overlap(&a, &d));
}

static void test_mac_random_format(void **state)
{
    char a[LXCF_MAC_STRLEN], b[LXCF_MAC_STRLEN];
    unsigned x[6];
    int end = 0;

    lxcf_mac_random(a);
    assert_int_equal(strlen(a), 17);
    assert_true(strncmp(a, "52:54:00:", 9) == 0);
    assert_int_equal(sscanf(a, "%2x:%2x:%2x:%2x:%2x:%2x%n", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &end), 6);
    assert_int_equal(end, 17);
    /* Two in a row differ (1 in 2^24 chance of a false failure, tried 3 times). */
    for (int i = 0; i < 3; i++) {
        lxcf_mac_random(b);
        if (strcmp(a, b) != 0)
            return;
    }
    fail_msg("lxcf_mac_random returned %s three times", a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format_roundtrip),
        cmocka_unit_test(test_parse_garbage),
        cmocka_unit_test(test_net_parse),
        cmocka_unit_test(test_bad_cidr),
        cmocka_unit_test(test_pool_outside_subnet),
        cmocka_unit_test(test_pool_bad_ends),
        cmocka_unit_test(test_pick_lowest_free),
        cmocka_unit_test(test_pick_skips_used),
        cmocka_unit_test(test_pick_skips_gateway),
        cmocka_unit_test(test_pick_full_pool),
        cmocka_unit_test(test_slash30_edges),
        cmocka_unit_test(test_outside_fills_around_the_pool),
        cmocka_unit_test(test_outside_never_meets_the_pool),
        cmocka_unit_test(test_range_overlap),
        cmocka_unit_test(test_mac_random_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

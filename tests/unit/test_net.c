#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libvirt/virterror.h>

#include "addr.h"
#include "cleanup.h"
#include "net.h"
#include "testutil.h"
#include "util.h"

#define GOLDEN LXCF_TEST_DATADIR "/net/lxcfn1.xml"
#define WITH_HOSTS LXCF_TEST_DATADIR "/net/with-hosts.xml"
#define GOLDEN_RANGES LXCF_TEST_DATADIR "/net/lxcfn1-ranges.xml"

static const lxcf_net_conf conf = {
    .name = "lxcfn1",
    .bridge = "virbr1",
    .address = "192.168.125.1/24",
    .pool_start = "192.168.125.2",
    .pool_end = "192.168.125.254",
};

/* libvirt's test driver keeps "test:///default" state only while a
 * connection to it is open, so one connection serves the whole run. */
static virConnectPtr conn;

static void lxcf_test_silent(void *data, virErrorPtr e)
{
}

static int setup(void **state)
{
    virSetErrorFunc(NULL, lxcf_test_silent);
    conn = virConnectOpen("test:///default");
    return lxcf_test_base_setup(state) == 0 && conn ? 0 : -1;
}

static int teardown(void **state)
{
    if (conn)
        virConnectClose(conn);
    return lxcf_test_base_teardown(state);
}

static char *slurp(const char *path)
{
    char *s = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    if (lxcf_read_file(path, &s, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    return s;
}

static uint32_t ip(const char *s)
{
    uint32_t a = 0;
    assert_int_equal(lxcf_ipv4_parse(s, &a, NULL), 0);
    return a;
}

/* ---- XML, no libvirt ---------------------------------------------------- */

static void test_build_matches_golden_file(void **state)
{
    _cleanup_free_ char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_build(&conf, &xml, &err), 0);
    lxcf_test_golden(GOLDEN, xml);
}

/* A pool that leaves room in the subnet: DHCP gets the rest, never the
 * pool. */
static const lxcf_net_conf conf_mid = {
    .name = "lxcfn1",
    .bridge = "virbr1",
    .address = "192.168.125.1/24",
    .pool_start = "192.168.125.10",
    .pool_end = "192.168.125.250",
};

static void test_build_gives_dhcp_only_outside_the_pool(void **state)
{
    _cleanup_free_ char *xml = NULL;
    lxcf_net_status st;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_build(&conf_mid, &xml, &err), 0);
    lxcf_test_golden(GOLDEN_RANGES, xml);
    assert_int_equal(lxcf_netxml_parse(xml, &st, &err), 0);
    assert_int_equal(st.n_ranges, 2);
    assert_string_equal(st.ranges[0].start, "192.168.125.2");
    assert_string_equal(st.ranges[0].end, "192.168.125.9");
    assert_string_equal(st.ranges[1].start, "192.168.125.251");
    assert_string_equal(st.ranges[1].end, "192.168.125.254");
    lxcf_net_status_clear(&st);
    /* The pool fills the subnet: no range, no dynamic address at all. */
    free(xml);
    xml = NULL;
    assert_int_equal(lxcf_netxml_build(&conf, &xml, &err), 0);
    assert_int_equal(lxcf_netxml_parse(xml, &st, &err), 0);
    assert_int_equal(st.n_ranges, 0);
    assert_null(st.range_start);
    lxcf_net_status_clear(&st);
}

static void test_build_validates_with_virt_xml_validate(void **state)
{
    _cleanup_free_ char *path = lxcf_xasprintf("%s/net.xml", lxcf_test_base);
    const lxcf_net_conf *confs[] = { &conf, &conf_mid };
    char *argv[] = { "virt-xml-validate", path, "network", NULL };

    lxcf_test_need_program("virt-xml-validate", "libvirt-clients");
    for (size_t i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
        _cleanup_free_ char *xml = NULL, *out = NULL;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(lxcf_netxml_build(confs[i], &xml, &err), 0);
        assert_int_equal(lxcf_write_file_atomic(path, xml, strlen(xml), 0644, false, &err), 0);
        if (lxcf_test_run(argv, &out) != 0)
            fail_msg("generated network XML does not validate:\n%s", out);
    }
}

static void test_build_rejects_bad_config(void **state)
{
    struct { lxcf_net_conf nc; const char *want; } cases[] = {
        { { "lxcfn1", "virbr1", "192.168.125.1", "192.168.125.2", "192.168.125.9" }, "not an address with a prefix" },
        { { "lxcfn1", "virbr1", "192.168.125.1/24", "192.168.126.2", "192.168.125.9" }, "outside the network" },
        { { "lxcfn1", "virbr1-much-too-long", "192.168.125.1/24", "192.168.125.2", "192.168.125.9" }, "invalid network bridge" },
        { { "lxcf n1", "virbr1", "192.168.125.1/24", "192.168.125.2", "192.168.125.9" }, "invalid network name" },
        { { "", "virbr1", "192.168.125.1/24", "192.168.125.2", "192.168.125.9" }, "network name is empty" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *xml = NULL;
        lxcf_err err = LXCF_ERR_INIT;
        assert_int_equal(lxcf_netxml_build(&cases[i].nc, &xml, &err), -1);
        assert_null(xml);
        assert_int_not_equal(err.code, 0);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("\"%s\" lacks \"%s\"", err.msg, cases[i].want);
    }
}

static void test_parse_reads_network_fields(void **state)
{
    _cleanup_free_ char *xml = slurp(WITH_HOSTS);
    lxcf_net_status st;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_parse(xml, &st, &err), 0);
    assert_string_equal(st.name, "lxcfn1");
    assert_string_equal(st.bridge, "virbr1");
    assert_string_equal(st.address, "192.168.125.1/24");
    assert_string_equal(st.range_start, "192.168.125.2");
    assert_string_equal(st.range_end, "192.168.125.254");
    assert_int_equal(st.n_dhcp_hosts, 3);  /* the IPv6 one is not counted */
    assert_string_equal(st.dhcp_hosts[1].name, "batch");
    assert_string_equal(st.dhcp_hosts[1].mac, "52:54:00:aa:bb:10");
    assert_int_equal(st.n_dns_hosts, 4);   /* one pair per hostname */
    lxcf_net_status_clear(&st);
}

static void test_in_dhcp_range(void **state)
{
    _cleanup_free_ char *xml = slurp(WITH_HOSTS);
    const char *two = "<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp>"
                      "<range start='10.0.0.2' end='10.0.0.9'/><range start='10.0.0.200' end='10.0.0.254'/>"
                      "</dhcp></ip></network>";
    const char *bad = "<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp>"
                      "<range start='10.0.0.x' end='10.0.0.9'/></dhcp></ip></network>";
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_in_dhcp_range(xml, "192.168.125.2", &err), 1);
    assert_int_equal(lxcf_netxml_in_dhcp_range(xml, "192.168.125.254", &err), 1);
    assert_int_equal(lxcf_netxml_in_dhcp_range(xml, "192.168.125.255", &err), 0);
    assert_int_equal(lxcf_netxml_in_dhcp_range(two, "10.0.0.9", &err), 1);
    assert_int_equal(lxcf_netxml_in_dhcp_range(two, "10.0.0.10", &err), 0);
    assert_int_equal(lxcf_netxml_in_dhcp_range(two, "10.0.0.199", &err), 0);
    assert_int_equal(lxcf_netxml_in_dhcp_range(two, "10.0.0.200", &err), 1);
    /* No range at all: nothing is lent. */
    assert_int_equal(lxcf_netxml_in_dhcp_range("<network><ip address='10.0.0.1' prefix='24'/></network>",
                                               "10.0.0.5", &err), 0);
    /* A range that does not parse may hold anything. */
    assert_int_equal(lxcf_netxml_in_dhcp_range(bad, "10.0.0.100", &err), 1);
    assert_int_equal(lxcf_netxml_in_dhcp_range(two, "10.0.0", &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
}

static void test_parse_reads_prefix_attribute(void **state)
{
    lxcf_net_status st;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_parse("<network><name>n</name><ip address='10.1.0.1' prefix='16'/></network>",
                                       &st, &err), 0);
    assert_string_equal(st.address, "10.1.0.1/16");
    assert_null(st.bridge);
    lxcf_net_status_clear(&st);
}

static void test_used_addrs_from_dhcp_and_dns_hosts(void **state)
{
    _cleanup_free_ char *xml = slurp(WITH_HOSTS);
    _cleanup_free_ uint32_t *a = NULL;
    size_t n = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_used_addrs(xml, &a, &n, &err), 0);
    assert_int_equal(n, 4);  /* sorted, .3 once, IPv6 left out */
    assert_int_equal(a[0], ip("192.168.125.2"));
    assert_int_equal(a[1], ip("192.168.125.3"));
    assert_int_equal(a[2], ip("192.168.125.7"));
    assert_int_equal(a[3], ip("192.168.125.10"));
}

static void test_used_addrs_rejects_bad_xml(void **state)
{
    uint32_t *a = NULL;
    size_t n = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_used_addrs("<network><ip", &a, &n, &err), -1);
    assert_true(lxcf_startswith(err.msg, "network XML: cannot parse it"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_netxml_used_addrs("<domain/>", &a, &n, &err), -1);
    assert_string_equal(err.msg, "network XML: the root element is not <network>");
    assert_null(a);
}

static void test_has_dhcp_host_identical_absent_conflict(void **state)
{
    _cleanup_free_ char *xml = slurp(WITH_HOSTS);
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_has_dhcp_host(xml, "web1", "52:54:00:AA:BB:03", "192.168.125.3", &err), 1);
    assert_int_equal(lxcf_netxml_has_dhcp_host(xml, "web9", "52:54:00:aa:bb:99", "192.168.125.99", &err), 0);
    assert_int_equal(lxcf_netxml_has_dhcp_host(xml, "web1", "52:54:00:aa:bb:04", "192.168.125.3", &err), -1);
    assert_string_equal(err.msg, "web1: network lxcfn1 already has a DHCP host "
                                 "name=web1 mac=52:54:00:aa:bb:03 ip=192.168.125.3");
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_netxml_has_dhcp_host(xml, "new", "52:54:00:aa:bb:77", "192.168.125.10", &err), -1);
    assert_non_null(strstr(err.msg, "name=batch"));
}

static void test_has_dns_host_identical_absent_conflict(void **state)
{
    _cleanup_free_ char *xml = slurp(WITH_HOSTS);
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_netxml_has_dns_host(xml, "db", "192.168.125.7", &err), 1);
    assert_int_equal(lxcf_netxml_has_dns_host(xml, "web9", "192.168.125.99", &err), 0);
    assert_int_equal(lxcf_netxml_has_dns_host(xml, "web9", "192.168.125.3", &err), -1);
    assert_string_equal(err.msg, "web9: network lxcfn1 already has a DNS host web1 at 192.168.125.3");
}

/* ---- libvirt's test driver (no daemon) ---------------------------------- */

static size_t count_hosts(virConnectPtr c, size_t *ndns)
{
    lxcf_net_status st;
    lxcf_err err = LXCF_ERR_INIT;
    size_t n;

    if (lxcf_net_info(c, "lxcfn1", &st, &err) < 0)
        fail_msg("%s", err.msg);
    n = st.n_dhcp_hosts;
    *ndns = st.n_dns_hosts;
    lxcf_net_status_clear(&st);
    return n;
}

static void test_libvirt_ensure_creates_then_finds(void **state)
{
    virConnectPtr c = conn;
    lxcf_net_status st;
    lxcf_err err = LXCF_ERR_INIT;
    bool created = false;

    assert_int_equal(lxcf_net_ensure(c, &conf, &created, &err), 0);
    assert_true(created);
    assert_int_equal(lxcf_net_ensure(c, &conf, &created, &err), 0);
    assert_false(created);
    assert_int_equal(lxcf_net_info(c, "lxcfn1", &st, &err), 0);
    assert_true(st.active);
    assert_true(st.autostart);
    assert_true(st.persistent);
    assert_string_equal(st.bridge, "virbr1");
    assert_string_equal(st.address, "192.168.125.1/24");
    assert_int_equal(st.n_dhcp_hosts, 0);
    lxcf_net_status_clear(&st);
}

static void test_libvirt_ensure_refuses_different_network(void **state)
{
    virConnectPtr c = conn;
    lxcf_net_conf other = conf;
    lxcf_err err = LXCF_ERR_INIT;
    bool created = true;

    /* The test driver's own "default" network: virbr0, 192.168.122.1/24. */
    other.name = "default";
    assert_int_equal(lxcf_net_ensure(c, &other, &created, &err), -1);
    assert_false(created);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_true(lxcf_startswith(err.msg, "network default: it exists with bridge virbr0 "
                                         "and address 192.168.122.1/24"));
}

static void test_libvirt_host_add_is_idempotent(void **state)
{
    virConnectPtr c = conn;
    lxcf_err err = LXCF_ERR_INIT;
    bool created;
    size_t ndns = 0;

    assert_int_equal(lxcf_net_ensure(c, &conf, &created, &err), 0);
    assert_int_equal(lxcf_net_host_add(c, "lxcfn1", "web1", "52:54:00:00:00:02", "192.168.125.2", &err), 0);
    assert_int_equal(lxcf_net_host_add(c, "lxcfn1", "web1", "52:54:00:00:00:02", "192.168.125.2", &err), 0);
    assert_int_equal(lxcf_net_host_add(c, "lxcfn1", "web2", "52:54:00:00:00:03", "192.168.125.3", &err), 0);
    assert_int_equal(count_hosts(c, &ndns), 2);
    assert_int_equal(ndns, 2);
}

static void test_libvirt_host_add_conflict_fails(void **state)
{
    virConnectPtr c = conn;
    lxcf_err err = LXCF_ERR_INIT;
    size_t ndns = 0;

    assert_int_equal(lxcf_net_host_add(c, "lxcfn1", "web3", "52:54:00:00:00:09", "192.168.125.2", &err), -1);
    assert_non_null(strstr(err.msg, "web3: network lxcfn1 already has a DHCP host name=web1"));
    assert_int_equal(count_hosts(c, &ndns), 2);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_net_host_add(c, "nosuchnet", "web3", "52:54:00:00:00:09", "192.168.125.9", &err), -1);
    assert_true(lxcf_startswith(err.msg, "network nosuchnet: cannot look it up: "));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_net_host_add(c, "lxcfn1", "web3", "52:54:00:00:00", "192.168.125.9", &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
}

static void test_libvirt_used_addrs_sees_hosts(void **state)
{
    virConnectPtr c = conn;
    _cleanup_free_ uint32_t *a = NULL;
    size_t n = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_net_used_addrs(c, "lxcfn1", &a, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(a[0], ip("192.168.125.2"));
    assert_int_equal(a[1], ip("192.168.125.3"));
}

static void test_libvirt_ensure_used_gives_the_same_addresses(void **state)
{
    virConnectPtr c = conn;
    _cleanup_free_ uint32_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    lxcf_err err = LXCF_ERR_INIT;
    bool created = true;

    assert_int_equal(lxcf_net_used_addrs(c, "lxcfn1", &a, &na, &err), 0);
    assert_int_equal(lxcf_net_ensure_used(c, &conf, &created, &b, &nb, &err), 0);
    assert_false(created);
    assert_int_equal(nb, na);
    assert_int_equal(nb, 2);
    assert_memory_equal(a, b, na * sizeof(*a));
}

static void test_libvirt_host_remove(void **state)
{
    virConnectPtr c = conn;
    _cleanup_free_ uint32_t *a = NULL;
    size_t n = 0, ndns = 0;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_net_host_remove(c, "lxcfn1", "web1", &err), 0);
    assert_int_equal(lxcf_net_host_remove(c, "lxcfn1", "web1", &err), 0);  /* no-op */
    assert_int_equal(count_hosts(c, &ndns), 1);
    assert_int_equal(ndns, 1);
    assert_int_equal(lxcf_net_used_addrs(c, "lxcfn1", &a, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(a[0], ip("192.168.125.3"));
}

/* An older lxcf's network: one range, the pool. */
static void test_libvirt_dhcp_off_pool(void **state)
{
    lxcf_net_conf nc3 = { "lxcfn3", "virbr3", "192.168.127.1/24", "192.168.127.10",
                          "192.168.127.250" };
    const char *old = "<network><name>lxcfn3</name><forward mode='nat'/><bridge name='virbr3'/>"
                      "<ip address='192.168.127.1' netmask='255.255.255.0'><dhcp>"
                      "<range start='192.168.127.10' end='192.168.127.250'/>"
                      "<host mac='52:54:00:00:03:02' name='web1' ip='192.168.127.10'/>"
                      "</dhcp></ip></network>";
    virNetworkPtr net = virNetworkDefineXML(conn, old);
    lxcf_net_status st;
    lxcf_err err = LXCF_ERR_INIT;
    bool moved = false;

    assert_non_null(net);
    assert_int_equal(lxcf_net_dhcp_off_pool(conn, &nc3, &moved, &err), 0);
    assert_true(moved);
    assert_int_equal(lxcf_net_info(conn, "lxcfn3", &st, &err), 0);
    assert_int_equal(st.n_ranges, 2);
    assert_string_equal(st.ranges[0].start, "192.168.127.2");
    assert_string_equal(st.ranges[0].end, "192.168.127.9");
    assert_string_equal(st.ranges[1].start, "192.168.127.251");
    assert_string_equal(st.ranges[1].end, "192.168.127.254");
    assert_int_equal(st.n_dhcp_hosts, 1);  /* reservations stay */
    lxcf_net_status_clear(&st);
    /* Once off the pool, nothing more to move. */
    assert_int_equal(lxcf_net_dhcp_off_pool(conn, &nc3, &moved, &err), 0);
    assert_false(moved);
    assert_int_equal(virNetworkUndefine(net), 0);
    virNetworkFree(net);
}

static void test_libvirt_host_add_on_inactive_network(void **state)
{
    lxcf_net_conf nc2 = { "lxcfn2", "virbr2", "192.168.126.1/24", "192.168.126.2", "192.168.126.9" };
    virNetworkPtr net;
    lxcf_net_status st;
    lxcf_err err = LXCF_ERR_INIT;
    bool created;

    assert_int_equal(lxcf_net_ensure(conn, &nc2, &created, &err), 0);
    net = virNetworkLookupByName(conn, "lxcfn2");
    assert_non_null(net);
    assert_int_equal(virNetworkDestroy(net), 0);
    assert_int_equal(lxcf_net_host_add(conn, "lxcfn2", "web1", "52:54:00:00:01:02", "192.168.126.2", &err), 0);
    assert_int_equal(lxcf_net_host_add(conn, "lxcfn2", "web1", "52:54:00:00:01:02", "192.168.126.2", &err), 0);
    assert_int_equal(lxcf_net_info(conn, "lxcfn2", &st, &err), 0);
    assert_false(st.active);
    assert_int_equal(st.n_dhcp_hosts, 1);
    assert_int_equal(st.n_dns_hosts, 1);
    lxcf_net_status_clear(&st);
    /* ensure starts it again, with the host in it. */
    assert_int_equal(lxcf_net_ensure(conn, &nc2, &created, &err), 0);
    assert_int_equal(lxcf_net_info(conn, "lxcfn2", &st, &err), 0);
    assert_true(st.active);
    assert_int_equal(st.n_dhcp_hosts, 1);
    lxcf_net_status_clear(&st);
    assert_int_equal(lxcf_net_host_remove(conn, "lxcfn2", "web1", &err), 0);
    assert_int_equal(lxcf_net_info(conn, "lxcfn2", &st, &err), 0);
    assert_int_equal(st.n_dhcp_hosts, 0);
    assert_int_equal(st.n_dns_hosts, 0);
    lxcf_net_status_clear(&st);
    virNetworkFree(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_matches_golden_file),
        cmocka_unit_test(test_build_gives_dhcp_only_outside_the_pool),
        cmocka_unit_test(test_build_validates_with_virt_xml_validate),
        cmocka_unit_test(test_build_rejects_bad_config),
        cmocka_unit_test(test_parse_reads_network_fields),
        cmocka_unit_test(test_parse_reads_prefix_attribute),
        cmocka_unit_test(test_in_dhcp_range),
        cmocka_unit_test(test_used_addrs_from_dhcp_and_dns_hosts),
        cmocka_unit_test(test_used_addrs_rejects_bad_xml),
        cmocka_unit_test(test_has_dhcp_host_identical_absent_conflict),
        cmocka_unit_test(test_has_dns_host_identical_absent_conflict),
        /* In order: they share the test driver's state within this process. */
        cmocka_unit_test(test_libvirt_ensure_creates_then_finds),
        cmocka_unit_test(test_libvirt_ensure_refuses_different_network),
        cmocka_unit_test(test_libvirt_host_add_is_idempotent),
        cmocka_unit_test(test_libvirt_host_add_conflict_fails),
        cmocka_unit_test(test_libvirt_used_addrs_sees_hosts),
        cmocka_unit_test(test_libvirt_ensure_used_gives_the_same_addresses),
        cmocka_unit_test(test_libvirt_host_remove),
        cmocka_unit_test(test_libvirt_dhcp_off_pool),
        cmocka_unit_test(test_libvirt_host_add_on_inactive_network),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

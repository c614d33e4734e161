/* Proves the test harness: a real libvirtd answers, and an LXC domain
 * defined and started through the C API runs.  Needs root and a libvirtd
 * (scripts/test starts scripts/libvirtd-harness first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libvirt/libvirt.h>

#include "cleanup.h"
#include "util.h"
#include "virt.h"

#define LXCF_TEST_DOMAIN "lxcf-test-harness"

static virConnectPtr conn;

static int setup(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    const char *uri = getenv("LXCF_TEST_URI");

    if (lxcf_virt_open(uri ? uri : "lxc:///", &conn, &err) < 0) {
        fprintf(stderr, "cannot reach libvirtd: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    virDomainPtr d = virDomainLookupByName(conn, LXCF_TEST_DOMAIN);
    if (d) {
        virDomainDestroy(d);
        virDomainUndefine(d);
        virDomainFree(d);
    }
    virConnectClose(conn);
    return 0;
}

/* A domain whose init only sleeps, sharing the host's root: the smallest
 * thing the LXC driver will run. */
static void test_trivial_lxc_domain_runs(void **state)
{
    const char *xml =
        "<domain type='lxc'>"
        "  <name>" LXCF_TEST_DOMAIN "</name>"
        "  <memory unit='MiB'>64</memory>"
        "  <os><type>exe</type><init>/bin/sleep</init><initarg>600</initarg></os>"
        "  <devices><console type='pty'/></devices>"
        "</domain>";
    virDomainPtr d;
    int st = 0, reason = 0;

    d = virDomainDefineXML(conn, xml);
    assert_non_null(d);
    if (virDomainCreate(d) < 0)
        fail_msg("start failed: %s", lxcf_virt_last_error());
    assert_int_equal(virDomainGetState(d, &st, &reason, 0), 0);
    assert_int_equal(st, VIR_DOMAIN_RUNNING);
    /* The running domain's id is the controller's pid, a live process. */
    {
        _cleanup_free_ char *p = lxcf_xasprintf("/proc/%u", virDomainGetID(d));
        assert_int_equal(access(p, F_OK), 0);
    }
    assert_int_equal(virDomainDestroy(d), 0);
    assert_int_equal(virDomainGetState(d, &st, &reason, 0), 0);
    assert_int_equal(st, VIR_DOMAIN_SHUTOFF);
    assert_int_equal(virDomainUndefine(d), 0);
    virDomainFree(d);
    assert_null(virDomainLookupByName(conn, LXCF_TEST_DOMAIN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trivial_lxc_domain_runs),
    };
    if (geteuid() != 0) {
        printf("SKIP: the libvirt harness test needs root\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* lib/console: console and enter need a running LXC domain (its pty, its
 * namespaces), which only the integration tests and the VM lane have.
 * What holds without one, against libvirt's in-process test driver: both
 * refuse a container that is not running, say which one and why, and run
 * nothing on the host instead.  The escape-key handling is static in
 * console.c, reached only through a real domain; how a failure in the
 * entering child comes back is lib/base/spawn's (test_spawn), and enter's
 * own steps are checked in tests/integration/test_containers.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "console.h"
#include "domxml.h"
#include "testutil.h"
#include "util.h"
#include "virt.h"

static virConnectPtr conn;

static void lxcf_t_silent(void *opaque, virErrorPtr e)
{
}

static int setup(void **state)
{
    _cleanup_(lxcf_container_freep) lxcf_container *c = lxcf_container_new();
    _cleanup_free_ char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    virDomainPtr d;

    virSetErrorFunc(NULL, lxcf_t_silent);
    conn = virConnectOpen("test:///default");
    if (!conn || lxcf_test_base_setup(state) < 0)
        return -1;
    c->name = lxcf_xstrdup("idle1");
    c->model = LXCF_MODEL_SEPARATE;
    c->root = lxcf_xstrdup("/srv/idle1");
    if (lxcf_domxml_build(c, &xml, &err) < 0)
        return -1;
    d = virDomainDefineXML(conn, xml);
    if (!d)
        return -1;
    virDomainFree(d);
    return 0;
}

static int teardown(void **state)
{
    if (conn)
        virConnectClose(conn);
    return lxcf_test_base_teardown(state);
}

static void test_attach_to_a_stopped_container_fails_naming_it(void **state)
{
    _cleanup_domain_ virDomainPtr d = virDomainLookupByName(conn, "idle1");
    lxcf_err err = LXCF_ERR_INIT;

    assert_non_null(d);
    assert_int_equal(lxcf_console_attach(conn, d, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    /* libvirt's reason follows, whatever its words. */
    assert_true(lxcf_startswith(err.msg, "idle1: opening the console failed: "));
    assert_true(strlen(err.msg) > strlen("idle1: opening the console failed: "));
}

static void test_enter_into_a_stopped_container_runs_nothing(void **state)
{
    _cleanup_domain_ virDomainPtr d = virDomainLookupByName(conn, "idle1");
    _cleanup_free_ char *dir = lxcf_test_subtree();
    _cleanup_free_ char *marker = lxcf_test_path(dir, "ran");
    char *argv[] = { "touch", marker, NULL };
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    /* A usage error (the user named a stopped container), and the
     * command must not run anywhere, least of all on the host. */
    assert_non_null(d);
    assert_int_equal(lxcf_enter(d, argv, &status, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_string_equal(err.msg, "idle1: is not running");
    assert_int_equal(status, -1);
    assert_false(lxcf_test_exists(dir, "ran"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach_to_a_stopped_container_fails_naming_it),
        cmocka_unit_test(test_enter_into_a_stopped_container_runs_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

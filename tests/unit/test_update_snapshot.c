/* Tests for lib/core/update_snapshot: snapshot and rollback of fake guest
 * trees in temp dirs under /var/tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "testutil.h"
#include "update_snapshot.h"
#include "util.h"

static char *t_guest(const char *d)
{
    char *g = lxcf_xasprintf("%s/guest", d);
    _cleanup_free_ char *keep = lxcf_test_path(g, "etc/keep.conf");

    lxcf_test_write_file(g, "etc/keep.conf", "keep\n");
    lxcf_test_write_file(g, "etc/doomed.conf", "CMD deletes me\n");
    lxcf_test_write_file(g, "var/lib/dpkg/status", "Package: a\n");
    lxcf_test_write_file(g, "usr/bin/tool", "v1\n");
    assert_int_equal(chmod(keep, 0640), 0);
    lxcf_test_symlink("keep.conf", g, "etc/link");
    return g;
}

static void t_run_cmd(const char *g)
{
    _cleanup_free_ char *doomed = lxcf_test_path(g, "etc/doomed.conf");

    /* What a package command does: delete, add, change, in etc/var/usr. */
    assert_int_equal(unlink(doomed), 0);
    lxcf_test_write_file(g, "etc/added.conf", "new\n");
    lxcf_test_write_file(g, "var/lib/dpkg/status", "Package: a\nPackage: b\n");
    lxcf_test_mkdirs(g, "var/lib/new");
    lxcf_test_write_file(g, "usr/bin/tool", "v2\n");
}

static void test_rollback_restores_etc_var_exactly(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    _cleanup_free_ char *etc = lxcf_xasprintf("%s/etc", g);
    _cleanup_free_ char *var = lxcf_xasprintf("%s/var", g);
    _cleanup_free_ char *etc0 = lxcf_test_tree_snapshot(etc), *var0 = lxcf_test_tree_snapshot(var);
    _cleanup_free_ char *etc1 = NULL, *var1 = NULL, *tool = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, false, &err), 0);
    assert_true(lxcf_test_exists(snap, "etc/doomed.conf"));
    assert_false(lxcf_test_exists(snap, "usr"));  /* joint: usr is the host's */
    t_run_cmd(g);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    etc1 = lxcf_test_tree_snapshot(etc);
    var1 = lxcf_test_tree_snapshot(var);
    assert_string_equal(etc0, etc1);
    assert_string_equal(var0, var1);
    assert_true(lxcf_test_exists(g, "etc/doomed.conf"));
    assert_false(lxcf_test_exists(g, "etc/added.conf"));
    assert_false(lxcf_test_exists(d, "snapshot"));
    tool = lxcf_test_read_file(g, "usr/bin/tool");
    assert_string_equal(tool, "v2\n");  /* joint: not snapshotted */
    lxcf_test_rmrf(d);
}

static void test_rollback_separate_restores_usr(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    _cleanup_free_ char *tool = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, true, &err), 0);
    t_run_cmd(g);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    tool = lxcf_test_read_file(g, "usr/bin/tool");
    assert_string_equal(tool, "v1\n");
    lxcf_test_rmrf(d);
}

static void test_rollback_is_idempotent(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    _cleanup_free_ char *etc = lxcf_xasprintf("%s/etc", g);
    _cleanup_free_ char *etc0 = lxcf_test_tree_snapshot(etc), *etc1 = NULL;
    _cleanup_free_ char *svar = lxcf_xasprintf("%s/var", snap);
    _cleanup_free_ char *gvar = lxcf_xasprintf("%s/var", g);
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, false, &err), 0);
    t_run_cmd(g);
    /* A crash after etc was restored and the guest's var removed. */
    lxcf_test_rmrf(etc);
    lxcf_test_rmrf(gvar);
    assert_int_equal(rename(svar, gvar), 0);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    etc1 = lxcf_test_tree_snapshot(etc);
    assert_string_equal(etc0, etc1);
    assert_false(lxcf_test_exists(g, "etc/added.conf"));
    lxcf_test_rmrf(d);
}

static void test_rollback_of_erased_guest_discards_snapshot(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, false, &err), 0);
    lxcf_test_rmrf(g);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    assert_false(lxcf_test_exists(d, "snapshot"));
    assert_false(lxcf_test_exists(d, "guest"));
    lxcf_test_rmrf(d);
}


static void test_remove_if_exists(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *t = lxcf_xasprintf("%s/tree", d);
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(t, "a/b", "b\n");
    assert_int_equal(lxcf_update_remove_if_exists(t, &err), 0);
    assert_false(lxcf_test_exists(d, "tree"));
    assert_int_equal(lxcf_update_remove_if_exists(t, &err), 0);
    assert_int_equal(err.code, 0);
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollback_restores_etc_var_exactly),
        cmocka_unit_test(test_rollback_separate_restores_usr),
        cmocka_unit_test(test_rollback_is_idempotent),
        cmocka_unit_test(test_rollback_of_erased_guest_discards_snapshot),
        cmocka_unit_test(test_remove_if_exists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

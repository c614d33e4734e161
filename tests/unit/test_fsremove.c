/* Tests for lib/base/fsremove: every test works in its own temp dir under
 * /var/tmp and removes it.  Mount tests run in a forked child inside a
 * private mount namespace, so nothing they mount is ever visible to the
 * machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "fsremove.h"
#include "testutil.h"
#include "util.h"

static void test_remove_tree_does_not_follow_symlinks(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *tree = lxcf_test_path(d, "tree"), *of = lxcf_test_path(d, "outside/file");
    _cleanup_free_ char *od = lxcf_test_path(d, "outside");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "outside/file", "precious");
    lxcf_test_write_file(tree, "a/b/f", "x");
    lxcf_test_symlink(of, tree, "a/lfile");
    lxcf_test_symlink(od, tree, "a/b/ldir");
    lxcf_test_symlink("/", tree, "slash");
    assert_int_equal(lxcf_fs_remove_tree(tree, &err), 0);
    assert_false(lxcf_test_exists(d, "tree"));
    assert_true(lxcf_test_exists(d, "outside/file"));
    lxcf_test_rmrf(d);
}

static void test_remove_tree_of_symlink_removes_only_link(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *od = lxcf_test_path(d, "outside"), *l = lxcf_test_path(d, "l");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "outside/file", "precious");
    lxcf_test_symlink(od, d, "l");
    assert_int_equal(lxcf_fs_remove_tree(l, &err), 0);
    assert_false(lxcf_test_exists(d, "l"));
    assert_true(lxcf_test_exists(d, "outside/file"));
    lxcf_test_rmrf(d);
}

static void test_remove_tree_missing_is_notfound(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *p = lxcf_test_path(d, "none");
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_fs_remove_tree(p, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_non_null(strstr(err.msg, "none"));
    lxcf_test_rmrf(d);
}

/* In the child: 0 pass, other codes say which check failed. */
static int t_child_remove_mount(const char *d)
{
    _cleanup_free_ char *tree = lxcf_test_path(d, "tree");
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_fs_remove_tree(tree, &err) != -1)
        return 2;
    if (!strstr(err.msg, "tree/usr") || !strstr(err.msg, "mount point"))
        return 3;
    if (!lxcf_test_exists(d, "hostusr/bin/sh") || !lxcf_test_exists(d, "tree/usr/bin/sh"))
        return 4;
    if (lxcf_test_exists(d, "tree/etc") || lxcf_test_exists(d, "tree/var"))
        return 5;
    return 0;
}

static void test_remove_tree_stops_at_mount_point(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();

    lxcf_test_write_file(d, "hostusr/bin/sh", "host shell");
    lxcf_test_write_file(d, "tree/etc/hostname", "g");
    lxcf_test_write_file(d, "tree/var/lib/x", "g");
    lxcf_test_mkdirs(d, "tree/usr");
    assert_int_equal(lxcf_test_in_mountns_bound(d, "hostusr", "tree/usr", 0, t_child_remove_mount), 0);
    assert_true(lxcf_test_exists(d, "hostusr/bin/sh"));
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remove_tree_does_not_follow_symlinks),
        cmocka_unit_test(test_remove_tree_of_symlink_removes_only_link),
        cmocka_unit_test(test_remove_tree_missing_is_notfound),
        cmocka_unit_test(test_remove_tree_stops_at_mount_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lxcfs: where it is looked for, and why it counts as not running.  A fake
 * tree has no FUSE mount, so only the negative answers can be checked
 * here; the integration test `guest` checks a real one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "lxcfs.h"
#include "testutil.h"
#include "util.h"

static void test_files_are_absolute_and_under_proc_or_sys(void **state)
{
    assert_true(lxcf_lxcfs_nfiles >= 8);
    for (size_t i = 0; i < lxcf_lxcfs_nfiles; i++)
        assert_true(lxcf_startswith(lxcf_lxcfs_files[i], "/proc/") ||
                    lxcf_startswith(lxcf_lxcfs_files[i], "/sys/"));
    assert_non_null(strstr(lxcf_lxcfs_missing_note(), "systemctl enable --now lxcfs"));
}

static void test_missing_directory(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree(), *why = NULL;

    lxcf_test_mkdirs(r, "proc");
    assert_false(lxcf_lxcfs_running(r, LXCF_LXCFS_DIR, &why));
    assert_non_null(strstr(why, "/var/lib/lxcfs: No such file"));
    lxcf_test_rmrf(r);
}

static void test_plain_directory_is_not_lxcfs(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree(), *why = NULL;

    lxcf_test_write_file(r, "var/lib/lxcfs/proc/meminfo", "MemTotal: 1 kB\n");
    assert_false(lxcf_lxcfs_running(r, LXCF_LXCFS_DIR, &why));
    assert_non_null(strstr(why, "nothing is mounted on /var/lib/lxcfs"));
    assert_null(strstr(why, "libvirt's daemon"));
    lxcf_test_rmrf(r);
}

static void test_looks_where_libvirts_daemon_sees_it(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree(), *why = NULL;

    /* The daemon's root (its mount namespace) has no lxcfs, whatever ours has. */
    lxcf_test_write_file(r, "proc/321/comm", "virtlxcd\n");
    lxcf_test_mkdirs(r, "proc/321/root/var/lib/lxcfs");
    assert_false(lxcf_lxcfs_running(r, LXCF_LXCFS_DIR, &why));
    assert_non_null(strstr(why, "where libvirt's daemon sees it"));
    lxcf_test_rmrf(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_are_absolute_and_under_proc_or_sys),
        cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_plain_directory_is_not_lxcfs),
        cmocka_unit_test(test_looks_where_libvirts_daemon_sees_it),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

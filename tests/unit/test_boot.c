/* boot: what a probe's status means, the console tail and the hint that
 * names a host limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "boot.h"
#include "cleanup.h"
#include "testutil.h"
#include "util.h"

static void test_status_means_up_pending_or_failed(void **state)
{
    _cleanup_free_ char *st = NULL, *why = NULL;

    assert_int_equal(lxcf_boot_from_status(10, &st, &why), LXCF_BOOT_UP);
    assert_string_equal(st, "running");
    assert_int_equal(lxcf_boot_from_status(11, &st, &why), LXCF_BOOT_UP);
    assert_string_equal(st, "degraded");
    assert_int_equal(lxcf_boot_from_status(20, &st, &why), LXCF_BOOT_UP);
    assert_int_equal(lxcf_boot_from_status(12, &st, &why), LXCF_BOOT_PENDING);
    assert_string_equal(st, "starting");
    assert_null(why);
    /* A shell that could not run the probe says nothing about the state. */
    assert_int_equal(lxcf_boot_from_status(127, &st, &why), LXCF_BOOT_PENDING);
    assert_string_equal(st, "starting");
    assert_int_equal(lxcf_boot_from_status(13, &st, &why), LXCF_BOOT_FAILED);
    assert_string_equal(st, "maintenance");
    assert_non_null(strstr(why, "emergency"));
}

static void test_tail_keeps_the_last_bytes(void **state)
{
    lxcf_boot b = { 0 };
    char big[6000];

    memset(big, 'a', sizeof(big));
    lxcf_boot_tail_add(&b, "first\n", 6);
    assert_int_equal(b.tail_len, 6);
    lxcf_boot_tail_add(&b, big, sizeof(big) - 1);
    assert_int_equal(b.tail_len, sizeof(b.tail));
    lxcf_boot_tail_add(&b, "last\n", 5);
    assert_int_equal(b.tail_len, sizeof(b.tail));
    assert_memory_equal(b.tail + sizeof(b.tail) - 5, "last\n", 5);
    assert_int_equal(b.tail[0], 'a');
}

static void test_console_lines_without_escapes(void **state)
{
    const char *con = "Welcome\r\n\x1b[0;1;31mFailed to allocate manager object: Too many open "
                      "files\x1b[0m\r\n\r\n  \r\n[!!!!!!] Failed to allocate manager object.\r\n"
                      "Freezing execution.\r\n\r\n";
    _cleanup_free_ char *l = lxcf_boot_console_lines(con, strlen(con), 3);
    _cleanup_free_ char *one = lxcf_boot_console_lines(con, strlen(con), 1);

    assert_string_equal(l, "Failed to allocate manager object: Too many open files | "
                           "[!!!!!!] Failed to allocate manager object. | Freezing execution.");
    assert_string_equal(one, "Freezing execution.");
    assert_null(lxcf_boot_console_lines("\r\n \n", 4, 3));
    assert_null(lxcf_boot_console_lines("", 0, 3));
}

static void fake_proc(const char *root, const char *max, int ninotify)
{
    lxcf_test_write_file(root, "proc/sys/fs/inotify/max_user_instances", max);
    lxcf_test_mkdirs(root, "proc/4242/fd");
    for (int i = 0; i < ninotify; i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf("proc/4242/fd/%d", i + 3);
        lxcf_test_symlink("anon_inode:inotify", root, rel);
    }
    lxcf_test_symlink("/dev/null", root, "proc/4242/fd/0");
    lxcf_test_symlink("anon_inode:[eventpoll]", root, "proc/4242/fd/1");
}

static void test_limit_hint_when_inotify_is_nearly_used_up(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *hint = NULL;

    fake_proc(root, "20\n", 14);
    hint = lxcf_boot_limit_hint(root);
    assert_non_null(hint);
    assert_non_null(strstr(hint, "14 of fs.inotify.max_user_instances=20"));
    lxcf_test_rmrf(root);
}

static void test_no_hint_far_from_the_limit(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();

    fake_proc(root, "128\n", 14);
    assert_null(lxcf_boot_limit_hint(root));
    lxcf_test_rmrf(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_means_up_pending_or_failed),
        cmocka_unit_test(test_tail_keeps_the_last_bytes),
        cmocka_unit_test(test_console_lines_without_escapes),
        cmocka_unit_test(test_limit_hint_when_inotify_is_nearly_used_up),
        cmocka_unit_test(test_no_hint_far_from_the_limit),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

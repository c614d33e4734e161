/* lib/caps: lxcf asks for capabilities, not for uid 0.  Each case runs in
 * a child that first narrows its own effective set (dropping what one has
 * is always allowed), so the parent keeps its privileges and the test does
 * not depend on who runs it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "err.h"
#include "testutil.h"
#include "util.h"

typedef struct {
    int r;
    int code;
    char msg[sizeof(((lxcf_err *)0)->msg)];
} lxcf_t_result;

/* Every capability lxcf's table names. */
static const cap_value_t lxcf_t_all[] = {
    CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_CHOWN, CAP_FOWNER,
    CAP_FSETID, CAP_MKNOD, CAP_SYS_ADMIN, CAP_SYS_CHROOT,
};
#define LXCF_T_NALL (sizeof(lxcf_t_all) / sizeof(lxcf_t_all[0]))

/* The caps of KEEP that this process may have in its effective set. */
static bool lxcf_t_permitted(const cap_value_t *keep, size_t n)
{
    cap_t caps = cap_get_proc();
    bool ok = caps != NULL;

    for (size_t i = 0; ok && i < n; i++) {
        cap_flag_value_t v = CAP_CLEAR;
        ok = cap_get_flag(caps, keep[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET;
    }
    if (caps)
        cap_free(caps);
    return ok;
}

static void lxcf_t_need_permitted(const cap_value_t *keep, size_t n)
{
    if (!lxcf_t_permitted(keep, n)) {
        /* Said out loud: a quietly passing test would prove nothing. */
        print_message("this process may not raise the capabilities the case needs "
                      "(run the unit tests as root to cover it): skipped\n");
        skip();
    }
}

typedef struct {
    const cap_value_t *keep;
    size_t n;
    unsigned need;
    const char *what;
} lxcf_t_case;

static int lxcf_t_check_child(void *arg, int fd)
{
    const lxcf_t_case *c = arg;
    lxcf_t_result res = { 0 };
    lxcf_err err = LXCF_ERR_INIT;
    cap_t caps = cap_get_proc();

    if (!caps || cap_clear_flag(caps, CAP_EFFECTIVE) < 0 ||
        (c->n && cap_set_flag(caps, CAP_EFFECTIVE, (int)c->n, c->keep, CAP_SET) < 0) ||
        cap_set_proc(caps) < 0)
        return 100;
    cap_free(caps);
    res.r = lxcf_caps_check(c->need, c->what, &err);
    res.code = err.code;
    memcpy(res.msg, err.msg, sizeof(res.msg));
    return write(fd, &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 101;
}

/* lxcf_caps_check(NEED, WHAT) in a child whose effective set is KEEP. */
static lxcf_t_result lxcf_t_check_with(const cap_value_t *keep, size_t n, unsigned need,
                                       const char *what)
{
    lxcf_t_case c = { keep, n, need, what };
    lxcf_t_result res = { 0 };

    lxcf_test_reap(lxcf_test_fork_reporting(lxcf_t_check_child, &c, &res, sizeof(res)), 0);
    return res;
}

static void test_need_none_always_passes(void **state)
{
    lxcf_t_result res = lxcf_t_check_with(NULL, 0, LXCF_NEED_NONE, "list");

    assert_int_equal(res.r, 0);
    assert_int_equal(res.code, 0);
}

static void test_without_capabilities_each_set_names_its_first(void **state)
{
    struct { unsigned need; const char *cap; } cases[] = {
        { LXCF_NEED_FILES, "cap_dac_override" },
        { LXCF_NEED_MOUNT, "cap_sys_admin" },
        { LXCF_NEED_CGROUP, "cap_dac_override" },
        /* The table's order decides which one a combined set names. */
        { LXCF_NEED_MOUNT | LXCF_NEED_CGROUP, "cap_sys_admin" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lxcf_t_result res = lxcf_t_check_with(NULL, 0, cases[i].need, "sysgen");
        _cleanup_free_ char *want = lxcf_xasprintf(
            "sysgen needs the %s capability: run it as root (e.g. with sudo)", cases[i].cap);

        assert_int_equal(res.r, -1);
        assert_int_equal(res.code, LXCF_EXIT_NOPERM);
        assert_string_equal(res.msg, want);
    }
}

static void test_all_capabilities_pass_every_set(void **state)
{
    lxcf_t_result res;

    lxcf_t_need_permitted(lxcf_t_all, LXCF_T_NALL);
    res = lxcf_t_check_with(lxcf_t_all, LXCF_T_NALL,
                            LXCF_NEED_FILES | LXCF_NEED_MOUNT | LXCF_NEED_CGROUP, "update");
    assert_int_equal(res.r, 0);
    assert_string_equal(res.msg, "");
}

static void test_one_missing_file_capability_is_named(void **state)
{
    /* All of FILES but CAP_MKNOD: copying a tree with device nodes would
     * fail halfway, so the check must name exactly that one. */
    const cap_value_t keep[] = { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_CHOWN, CAP_FOWNER,
                                 CAP_FSETID, CAP_SYS_ADMIN, CAP_SYS_CHROOT };
    lxcf_t_result res;

    lxcf_t_need_permitted(keep, sizeof(keep) / sizeof(keep[0]));
    res = lxcf_t_check_with(keep, sizeof(keep) / sizeof(keep[0]), LXCF_NEED_FILES, "clone");
    assert_int_equal(res.r, -1);
    assert_int_equal(res.code, LXCF_EXIT_NOPERM);
    assert_string_equal(res.msg, "clone needs the cap_mknod capability: run it as root (e.g. with sudo)");
    /* The sets it does not need are not asked about. */
    res = lxcf_t_check_with(keep, sizeof(keep) / sizeof(keep[0]),
                            LXCF_NEED_MOUNT | LXCF_NEED_CGROUP, "update");
    assert_int_equal(res.r, 0);
}

static void test_mount_set_needs_chroot_as_well(void **state)
{
    const cap_value_t keep[] = { CAP_SYS_ADMIN };
    lxcf_t_result res;

    lxcf_t_need_permitted(keep, 1);
    res = lxcf_t_check_with(keep, 1, LXCF_NEED_MOUNT, "update");
    assert_int_equal(res.r, -1);
    assert_non_null(strstr(res.msg, "the cap_sys_chroot capability"));
}

static void test_cgroup_set_needs_only_dac_override(void **state)
{
    const cap_value_t keep[] = { CAP_DAC_OVERRIDE };
    lxcf_t_result res;

    lxcf_t_need_permitted(keep, 1);
    res = lxcf_t_check_with(keep, 1, LXCF_NEED_CGROUP, "resource");
    assert_int_equal(res.r, 0);
    res = lxcf_t_check_with(keep, 1, LXCF_NEED_FILES, "sysgen");
    assert_int_equal(res.r, -1);
    assert_non_null(strstr(res.msg, "the cap_dac_read_search capability"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_need_none_always_passes),
        cmocka_unit_test(test_without_capabilities_each_set_names_its_first),
        cmocka_unit_test(test_all_capabilities_pass_every_set),
        cmocka_unit_test(test_one_missing_file_capability_is_named),
        cmocka_unit_test(test_mount_set_needs_chroot_as_well),
        cmocka_unit_test(test_cgroup_set_needs_only_dac_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

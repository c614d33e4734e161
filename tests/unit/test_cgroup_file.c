/* cgroup_file.c: the cgroupfs reads and writes the cgroup modules share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_cgroup_trees.h"

static void assert_strv(char **got, const char *const *want, size_t n)
{
    assert_int_equal(lxcf_strv_len(got), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got[i], want[i]);
}

static void test_split_drops_empty_fields(void **state)
{
    static const char *const abc[] = { "a", "b", "c" };
    static const char *const words[] = { "cpu", "io", "memory" };
    _cleanup_strv_ char **v1 = lxcf_cg_split(",a,,b,c,", ",");
    _cleanup_strv_ char **v2 = lxcf_cg_split("cpu io\tmemory\n", " \t\n");
    _cleanup_strv_ char **none = lxcf_cg_split("", ",");

    assert_strv(v1, abc, 3);
    assert_strv(v2, words, 3);
    assert_non_null(none);
    assert_null(none[0]);
}

static void test_read_cuts_trailing_blanks_only(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *buf = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, "cpu.max", " max 100000 \n\n");
    assert_int_equal(lxcf_cg_read(root, "cpu.max", &buf, &err), 0);
    assert_string_equal(buf, " max 100000");
    lxcf_test_rmrf(root);
}

static void test_read_missing_names_the_file(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_path_join(root, "memory.max");
    char *buf = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_cg_read(root, "memory.max", &buf, &err), -1);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_non_null(strstr(err.msg, path));
    assert_null(buf);
    lxcf_test_rmrf(root);
}

static void test_exists(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();

    lxcf_test_write_file(root, "memory.swap.max", "max\n");
    assert_true(lxcf_cg_exists(root, "memory.swap.max"));
    assert_false(lxcf_cg_exists(root, "memory.memsw.limit_in_bytes"));
    lxcf_test_rmrf(root);
}

static void test_write_replaces_the_value(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_path_join(root, "cpu.max");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, "cpu.max", "max 100000\n");
    assert_int_equal(lxcf_cg_write_path(path, "50000 100000", false, &err), 0);
    assert_file(root, "cpu.max", "50000 100000");
    lxcf_test_rmrf(root);
}

static void test_write_creates_only_when_asked(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_path_join(root, "cgroup.procs");
    lxcf_err err = LXCF_ERR_INIT;

    /* A cgroup file that is not there is an error, never a new file. */
    assert_int_equal(lxcf_cg_write_path(path, "1\n", false, &err), -1);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_non_null(strstr(err.msg, path));
    assert_false(lxcf_test_exists(root, "cgroup.procs"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_cg_write_path(path, "1\n", true, &err), 0);
    assert_file(root, "cgroup.procs", "1");
    lxcf_test_rmrf(root);
}

static void test_write_refuses_a_symlink(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *target = lxcf_path_join(root, "elsewhere");
    _cleanup_free_ char *path = lxcf_path_join(root, "memory.max");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, "elsewhere", "keep\n");
    lxcf_test_symlink(target, root, "memory.max");
    assert_int_equal(lxcf_cg_write_path(path, "1", false, &err), -1);
    assert_int_equal(err.sys_errno, ELOOP);
    assert_file(root, "elsewhere", "keep");
    lxcf_test_rmrf(root);
}

struct seen {
    char *path, *value;
    int refuse;
};

static int hook(const char *path, const char *value, void *data)
{
    struct seen *s = data;

    free(s->path);
    free(s->value);
    s->path = lxcf_xstrdup(path);
    s->value = lxcf_xstrdup(value);
    return s->refuse;
}

static void test_write_hook_sees_and_may_refuse_every_write(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_path_join(root, "memory.max");
    struct seen s = { NULL, NULL, 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, "memory.max", "max\n");
    lxcf_cgroup_set_write_hook(hook, &s);
    assert_int_equal(lxcf_cg_write_path(path, "1024", false, &err), 0);
    assert_string_equal(s.path, path);
    assert_string_equal(s.value, "1024");
    assert_file(root, "memory.max", "1024");
    /* A refusal is the kernel's: its errno, the value and the file named,
     * and nothing written. */
    s.refuse = EINVAL;
    assert_int_equal(lxcf_cg_write_path(path, "2048", false, &err), -1);
    assert_int_equal(err.sys_errno, EINVAL);
    assert_non_null(strstr(err.msg, "'2048'"));
    assert_non_null(strstr(err.msg, path));
    assert_file(root, "memory.max", "1024");
    lxcf_error_clear(&err);
    lxcf_cgroup_set_write_hook(NULL, NULL);
    assert_int_equal(lxcf_cg_write_path(path, "4096", false, &err), 0);
    assert_file(root, "memory.max", "4096");
    free(s.path);
    free(s.value);
    lxcf_test_rmrf(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_split_drops_empty_fields, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_read_cuts_trailing_blanks_only, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_read_missing_names_the_file, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_exists, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_write_replaces_the_value, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_write_creates_only_when_asked, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_write_refuses_a_symlink, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_write_hook_sees_and_may_refuse_every_write, lxcf_test_base_setup, lxcf_test_base_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

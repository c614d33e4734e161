/* cgroup.c: the layout of the cgroup mounts, from mountinfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_cgroup_trees.h"

/* Mount point of the controller's hierarchy, or NULL. */
static const char *t_mount(const lxcf_cgroup_layout *l, lxcf_cgroup_ctrl c)
{
    return l->ctrl[c] < 0 ? NULL : l->hier[l->ctrl[c]].mount;
}

static void assert_ctrl(const char *root, const lxcf_cgroup_layout *l, lxcf_cgroup_ctrl c,
                        int version, const char *mount)
{
    _cleanup_free_ char *want = mount ? lxcf_path_join(root, mount) : NULL;
    assert_int_equal(lxcf_cgroup_version(l, c), version);
    if (!want)
        assert_null(t_mount(l, c));
    else
        assert_string_equal(t_mount(l, c), want);
}

/* ---- layout ---- */

static void test_layout_pure_v1(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v1", root);

    assert_ctrl(root, l, LXCF_CG_CPU, 1, "/sys/fs/cgroup/cpu,cpuacct");
    assert_ctrl(root, l, LXCF_CG_CPUACCT, 1, "/sys/fs/cgroup/cpu,cpuacct");
    assert_ctrl(root, l, LXCF_CG_CPUSET, 1, "/sys/fs/cgroup/cpuset");
    /* The second (bind) mount of the memory hierarchy is ignored. */
    assert_ctrl(root, l, LXCF_CG_MEMORY, 1, "/sys/fs/cgroup/memory");
    assert_ctrl(root, l, LXCF_CG_IO, 1, "/sys/fs/cgroup/blkio");
    assert_ctrl(root, l, LXCF_CG_PIDS, 1, "/sys/fs/cgroup/pids");
    assert_ctrl(root, l, LXCF_CG_DEVICES, 1, "/sys/fs/cgroup/devices");
    assert_ctrl(root, l, LXCF_CG_FREEZER, 1, "/sys/fs/cgroup/freezer");
    assert_ctrl(root, l, LXCF_CG_SYSTEMD, 1, "/sys/fs/cgroup/systemd");
    assert_int_equal(l->unified, -1);
    assert_int_equal(l->nhier, 11);
    lxcf_test_rmrf(root);
}

static void test_layout_pure_v2(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = v2_layout(root, "cpuset cpu io memory hugetlb pids rdma misc\n");

    for (int c = LXCF_CG_CPU; c <= LXCF_CG_PIDS; c++)
        assert_ctrl(root, l, c, 2, "/sys/fs/cgroup");
    assert_ctrl(root, l, LXCF_CG_SYSTEMD, 2, "/sys/fs/cgroup");
    assert_ctrl(root, l, LXCF_CG_DEVICES, 0, NULL);
    assert_ctrl(root, l, LXCF_CG_FREEZER, 0, NULL);
    assert_int_equal(l->unified, 0);
    lxcf_test_rmrf(root);
}

static void test_layout_v2_lists_only_enabled_controllers(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = v2_layout(root, "memory pids\n");

    assert_ctrl(root, l, LXCF_CG_MEMORY, 2, "/sys/fs/cgroup");
    assert_ctrl(root, l, LXCF_CG_CPU, 0, NULL);
    assert_ctrl(root, l, LXCF_CG_IO, 0, NULL);
    lxcf_test_rmrf(root);
}

static void test_layout_hybrid_like_this_machine(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_layout(root, "\n");

    assert_ctrl(root, l, LXCF_CG_CPU, 1, "/sys/fs/cgroup/cpu");
    assert_ctrl(root, l, LXCF_CG_CPUACCT, 1, "/sys/fs/cgroup/cpuacct");
    assert_ctrl(root, l, LXCF_CG_CPUSET, 1, "/sys/fs/cgroup/cpuset");
    assert_ctrl(root, l, LXCF_CG_MEMORY, 1, "/sys/fs/cgroup/memory");
    assert_ctrl(root, l, LXCF_CG_IO, 1, "/sys/fs/cgroup/blkio");
    assert_ctrl(root, l, LXCF_CG_PIDS, 1, "/sys/fs/cgroup/pids");
    assert_ctrl(root, l, LXCF_CG_SYSTEMD, 1, "/sys/fs/cgroup/systemd");
    /* The empty cgroup2 mount is known but provides nothing. */
    assert_true(l->unified >= 0);
    assert_int_equal(l->hier[l->unified].version, 2);
    assert_null(l->hier[l->unified].names[0]);
    lxcf_test_rmrf(root);
}

static void test_layout_missing_mountinfo_fails(void **state)
{
    lxcf_cgroup_layout *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_cgroup_layout_load("/nonexistent/mountinfo", NULL, &l, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_null(l);
}

static void test_layout_without_cgroup_mounts_fails(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *mi = lxcf_path_join(root, "mountinfo");
    lxcf_cgroup_layout *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, "mountinfo", "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/sda rw\ngarbage\n");
    assert_int_equal(lxcf_cgroup_layout_load(mi, root, &l, &err), -1);
    assert_non_null(strstr(err.msg, "no cgroup"));
    lxcf_test_rmrf(root);
}

static void test_layout_and_of_pid_on_real_host_read_only(void **state)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_cgroup_layout_load(NULL, NULL, &l, &err), 0);
    assert_int_equal(lxcf_cgroup_of_pid(l, NULL, getpid(), &p, &err), 0);
    assert_non_null(p.dir[LXCF_CG_SYSTEMD]);
    assert_true(lxcf_startswith(p.dir[LXCF_CG_SYSTEMD], "/"));
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout_pure_v1, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_pure_v2, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_v2_lists_only_enabled_controllers, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_hybrid_like_this_machine, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_missing_mountinfo_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_without_cgroup_mounts_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_and_of_pid_on_real_host_read_only, lxcf_test_base_setup, lxcf_test_base_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

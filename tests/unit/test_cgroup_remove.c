/* cgroup_remove.c: the groups a stopped container leaves. */
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

static void test_remove_empty_removes_only_stale_empty_groups(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    _cleanup_free_ char *alive = lxcf_xasprintf("sys/fs/cgroup/pids/machine/lxc-%d-web1.libvirt-lxc",
                                                (int)getpid());
    lxcf_err err = LXCF_ERR_INIT;

    /* PIDs above the kernel's pid_max (4194304) are never alive. */
    lxcf_test_mkdirs(root, "sys/fs/cgroup/systemd/machine/lxc-99999999-web1.libvirt-lxc/init.scope");
    lxcf_test_mkdirs(root, "sys/fs/cgroup/systemd/machine/lxc-99999999-web1.libvirt-lxc/system.slice/a.service");
    lxcf_test_mkdirs(root, "sys/fs/cgroup/pids/machine/lxc-99999998-web1.libvirt-lxc/init.scope");
    lxcf_test_write_file(root, "sys/fs/cgroup/pids/machine/lxc-99999998-web1.libvirt-lxc/busy/cgroup.procs", "1\n");
    lxcf_test_mkdirs(root, "sys/fs/cgroup/pids/machine/lxc-99999999-web10.libvirt-lxc");
    lxcf_test_mkdirs(root, "sys/fs/cgroup/pids/machine/lxc-99999999-web1.libvirt-qemu");
    lxcf_test_mkdirs(root, alive);
    assert_int_equal(lxcf_cgroup_remove_empty(l, "web1", &err), 0);
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/systemd/machine/lxc-99999999-web1.libvirt-lxc"));
    assert_true(lxcf_test_exists(root, "sys/fs/cgroup/systemd/machine"));
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/pids/machine/lxc-99999998-web1.libvirt-lxc/init.scope"));
    assert_true(lxcf_test_exists(root, "sys/fs/cgroup/pids/machine/lxc-99999998-web1.libvirt-lxc/busy"));
    assert_true(lxcf_test_exists(root, "sys/fs/cgroup/pids/machine/lxc-99999999-web10.libvirt-lxc"));
    assert_true(lxcf_test_exists(root, "sys/fs/cgroup/pids/machine/lxc-99999999-web1.libvirt-qemu"));
    assert_true(lxcf_test_exists(root, alive));
    lxcf_test_rmrf(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_remove_empty_removes_only_stale_empty_groups, lxcf_test_base_setup, lxcf_test_base_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cgroup_proc.c: a process's groups, placing, joining, confinement. */
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

/* ---- cgroup_of_pid ---- */

static void test_of_pid_v1(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    _cleanup_free_ char *mem = lxcf_path_join(root, "/sys/fs/cgroup/memory" GROUP);
    _cleanup_free_ char *cpu = lxcf_path_join(root, "/sys/fs/cgroup/cpu,cpuacct" GROUP);
    _cleanup_free_ char *sd = lxcf_path_join(root, "/sys/fs/cgroup/systemd/system.slice/libvirtd.service");

    assert_string_equal(p.dir[LXCF_CG_MEMORY], mem);
    assert_string_equal(p.dir[LXCF_CG_CPU], cpu);
    assert_string_equal(p.dir[LXCF_CG_CPUACCT], cpu);
    assert_string_equal(p.dir[LXCF_CG_SYSTEMD], sd);
    assert_string_equal(p.rel[LXCF_CG_PIDS], "/system.slice/libvirtd.service");
    assert_int_equal(p.version[LXCF_CG_IO], 1);
    lxcf_test_rmrf(root);
}

static void test_of_pid_v2(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = v2_layout(root, "cpu memory pids\n");
    _cleanup_free_ char *want =
        lxcf_path_join(root, "/sys/fs/cgroup/machine.slice/machine-lxc\\x2d100\\x2dweb1.scope");

    of_pid_from(l, root, 4242, DATA "proc-cgroup-v2", &p);
    assert_string_equal(p.dir[LXCF_CG_MEMORY], want);
    assert_string_equal(p.dir[LXCF_CG_SYSTEMD], want);
    assert_int_equal(p.version[LXCF_CG_CPU], 2);
    assert_null(p.dir[LXCF_CG_CPUSET]);  /* not enabled */
    assert_null(p.dir[LXCF_CG_DEVICES]);
    lxcf_test_rmrf(root);
}

static void test_of_pid_hybrid(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_layout(root, "");
    _cleanup_free_ char *mem =
        lxcf_path_join(root, "/sys/fs/cgroup/memory/process_api/934f6ea745394ac1cdc483b6515342ba");
    _cleanup_free_ char *sd = lxcf_path_join(root, "/sys/fs/cgroup/systemd");

    of_pid_from(l, root, 7, DATA "proc-cgroup-hybrid", &p);
    assert_string_equal(p.dir[LXCF_CG_MEMORY], mem);
    assert_string_equal(p.dir[LXCF_CG_SYSTEMD], sd);
    assert_string_equal(p.rel[LXCF_CG_CPU], "/");
    lxcf_test_rmrf(root);
}

static void test_of_pid_maps_subtree_mounts_and_escapes(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *mi = lxcf_path_join(root, "mountinfo");
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, "mountinfo",
        "30 24 0:26 /docker/abc /sys/fs/cgroup/mem\\040ory rw - cgroup cgroup rw,memory\n"
        "31 24 0:27 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n");
    lxcf_test_write_file(root, "proc/9/cgroup", "2:memory:/docker/abc/sub\n1:pids:/elsewhere\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(mi, root);
    _cleanup_free_ char *want = lxcf_path_join(root, "/sys/fs/cgroup/mem ory/sub");

    assert_int_equal(lxcf_cgroup_of_pid(l, root, 9, &p, &err), 0);
    assert_string_equal(p.dir[LXCF_CG_MEMORY], want);
    assert_null(p.dir[LXCF_CG_PIDS]);  /* not visible through the mount */
    lxcf_test_rmrf(root);
}

static void test_of_pid_missing_or_malformed_fails(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = v2_layout(root, "memory\n");

    assert_int_equal(lxcf_cgroup_of_pid(l, root, 5, &p, &err), -1);
    assert_int_equal(err.sys_errno, ENOENT);
    lxcf_error_clear(&err);
    lxcf_test_write_file(root, "proc/5/cgroup", "0:garbage\n");
    assert_int_equal(lxcf_cgroup_of_pid(l, root, 5, &p, &err), -1);
    assert_non_null(strstr(err.msg, "malformed"));
    lxcf_test_rmrf(root);
}

/* ---- names and cpu rate ---- */

static void test_machine_group_matches_libvirt(void **state)
{
    _cleanup_free_ char *a = lxcf_cgroup_machine_group(1234, "web1");
    _cleanup_free_ char *b = lxcf_cgroup_machine_group(7, "a--b.c_d-");
    _cleanup_free_ char *c = lxcf_cgroup_machine_group(
        1234567, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc");

    assert_string_equal(a, "machine/lxc-1234-web1.libvirt-lxc");
    assert_string_equal(b, "machine/lxc-7-a-b.cd.libvirt-lxc");
    /* libvirt stops at 64 characters of machine name. */
    assert_string_equal(c, "machine/lxc-1234567-abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijab"
                           ".libvirt-lxc");
}

/* ---- confinement ---- */

/* One confinement check on the hybrid layout: the container's init is pid
 * 100, its groups in C; OK starts as the opposite of what the test wants,
 * so a check that never sets it fails. */
struct confinement {
    char *root;
    lxcf_cgroup_layout *l;
    lxcf_cgroup_paths c;
    char *why;
    bool ok;
};

static struct confinement confinement_new(bool ok_before)
{
    struct confinement f = { .root = lxcf_test_subtree(), .ok = ok_before };

    f.l = hybrid_tree(f.root);
    return f;
}

static void confinement_clear(struct confinement *f)
{
    free(f->root);
    lxcf_cgroup_layout_freep(&f->l);
    lxcf_cgroup_paths_clear(&f->c);
    free(f->why);
}

/* The container (pid 100) and its guest's init (101) in the groups named
 * as write_membership takes them. */
static void container_and_guest(struct confinement *f, const char *cont_groups, const char *cont_systemd,
                                const char *guest_groups, const char *guest_systemd)
{
    lxcf_err err = LXCF_ERR_INIT;

    write_membership(f->root, "100", cont_groups, cont_systemd);
    write_membership(f->root, "101", guest_groups, guest_systemd);
    assert_int_equal(lxcf_cgroup_of_pid(f->l, f->root, 100, &f->c, &err), 0);
}

static int confined(struct confinement *f, pid_t guest)
{
    lxcf_err err = LXCF_ERR_INIT;

    free(f->why);
    f->why = NULL;
    return lxcf_cgroup_confined(f->l, f->root, guest, &f->c, &f->ok, &f->why, &err);
}

static void test_confined_true_when_guest_below_container(void **state)
{
    _cleanup_(confinement_clear) struct confinement f = confinement_new(false);

    container_and_guest(&f, GROUP, GROUP, GROUP "/init.scope", GROUP "/init.scope");
    assert_int_equal(confined(&f, 101), 0);
    assert_true(f.ok);
    assert_null(f.why);
    lxcf_test_rmrf(f.root);
}

static void test_confined_false_when_guest_escaped(void **state)
{
    _cleanup_(confinement_clear) struct confinement f = confinement_new(true);

    /* What was measured here: the guest's systemd moved to /init.scope. */
    container_and_guest(&f, GROUP, GROUP, "/init.scope", "/init.scope");
    assert_int_equal(confined(&f, 101), 0);
    assert_false(f.ok);
    assert_non_null(f.why);
    assert_true(lxcf_startswith(f.why, "memory: "));
    assert_non_null(strstr(f.why, "/init.scope"));
    /* A sibling with a common prefix is not inside. */
    write_membership(f.root, "101", GROUP "x", GROUP "x");
    assert_int_equal(confined(&f, 101), 0);
    assert_false(f.ok);
    lxcf_test_rmrf(f.root);
}

static void test_confined_false_when_container_at_root(void **state)
{
    _cleanup_(confinement_clear) struct confinement f = confinement_new(true);

    /* libvirt without machined: no group in name=systemd. */
    container_and_guest(&f, GROUP, "/", GROUP "/init.scope", "/init.scope");
    assert_int_equal(confined(&f, 101), 0);
    assert_false(f.ok);
    assert_true(lxcf_startswith(f.why, "name=systemd: "));
    lxcf_test_rmrf(f.root);
}

static void test_confined_missing_guest_fails(void **state)
{
    _cleanup_(confinement_clear) struct confinement f = confinement_new(true);

    assert_int_equal(confined(&f, 555), -1);
    assert_false(f.ok);
    assert_null(f.why);
    lxcf_test_rmrf(f.root);
}

static void test_place_self_hybrid(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    _cleanup_free_ char *pid = lxcf_xasprintf("%d", (int)getpid());
    lxcf_err err = LXCF_ERR_INIT;
    static const char *const placed[] = { "cpu", "cpuacct", "cpuset", "devices", "freezer",
                                          "blkio", "pids", "systemd", "unified" };

    /* This machine: memory already in a group of its own, all else at /. */
    copy_in(root, "proc/self/cgroup", DATA "proc-cgroup-hybrid");
    lxcf_test_write_file(root, "sys/fs/cgroup/cpuset/cpuset.cpus", "0-1\n");
    lxcf_test_write_file(root, "sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
    if (lxcf_cgroup_place_self(l, root, "machine/lxc-1234-web1.libvirt-lxc", &err) < 0)
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < sizeof(placed) / sizeof(placed[0]); i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf(
            "sys/fs/cgroup/%s/machine/lxc-1234-web1.libvirt-lxc/cgroup.procs", placed[i]);
        assert_file(root, rel, pid);
    }
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/memory/machine"));
    /* A fresh v1 cpuset group gets its parent's sets, or it refuses tasks. */
    assert_file(root, "sys/fs/cgroup/cpuset/machine/cpuset.cpus", "0-1");
    assert_file(root, "sys/fs/cgroup/cpuset/machine/lxc-1234-web1.libvirt-lxc/cpuset.mems", "0");
    lxcf_test_rmrf(root);
}

static void test_place_self_systemd_and_pids_even_below_root(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    lxcf_err err = LXCF_ERR_INIT;

    write_membership(root, "self", "/system.slice/libvirtd.service", "/system.slice/libvirtd.service");
    assert_int_equal(lxcf_cgroup_place_self(l, root, "machine/x", &err), 0);
    assert_true(lxcf_test_exists(root, "sys/fs/cgroup/systemd/machine/x/cgroup.procs"));
    assert_true(lxcf_test_exists(root, "sys/fs/cgroup/pids/machine/x/cgroup.procs"));
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/memory/machine"));
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/cpu/machine"));
    /* The unified tree, where we sit at /, is placed too. */
    assert_true(lxcf_test_exists(root, "sys/fs/cgroup/unified/machine/x/cgroup.procs"));
    lxcf_test_rmrf(root);
}

static void test_place_self_pure_v2_below_root_does_nothing(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = v2_layout(root, "cpu memory pids\n");

    lxcf_test_write_file(root, "proc/self/cgroup", "0::/system.slice/libvirtd.service\n");
    assert_int_equal(lxcf_cgroup_place_self(l, root, "machine/x", &err), 0);
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/machine"));
    lxcf_test_rmrf(root);
}

static void test_place_self_leaves_machined_scopes_alone(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    lxcf_err err = LXCF_ERR_INIT;
    const char *scope = "/machine.slice/machine-lxc\\x2d5\\x2dweb1.scope";

    /* A hybrid host with machined: libvirt registered the container. */
    write_membership(root, "self", scope, scope);
    assert_int_equal(lxcf_cgroup_place_self(l, root, "machine/lxc-5-web1.libvirt-lxc", &err), 0);
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/systemd/machine"));
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/pids/machine"));
    lxcf_test_rmrf(root);
}

static void test_place_self_bad_group_fails(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    lxcf_err err = LXCF_ERR_INIT;

    copy_in(root, "proc/self/cgroup", DATA "proc-cgroup-hybrid");
    assert_int_equal(lxcf_cgroup_place_self(l, root, "machine/../../escape", &err), -1);
    assert_non_null(strstr(err.msg, "invalid cgroup name"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_cgroup_place_self(l, root, "/abs", &err), -1);
    assert_false(lxcf_test_exists(root, "escape"));
    lxcf_test_rmrf(root);
}

static void test_join_hybrid_lands_in_the_guest_init_groups(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    _cleanup_free_ char *pid = lxcf_xasprintf("%d", (int)getpid());
    lxcf_err err = LXCF_ERR_INIT;
    static const char *const hier[] = { "cpu", "cpuacct", "cpuset", "memory", "devices",
                                        "freezer", "blkio", "pids", "systemd" };

    write_membership(root, "101", GROUP "/init.scope", GROUP "/init.scope");
    for (size_t i = 0; i < sizeof(hier) / sizeof(hier[0]); i++) {
        _cleanup_free_ char *rel =
            lxcf_xasprintf("sys/fs/cgroup/%s" GROUP "/init.scope/cgroup.procs", hier[i]);
        lxcf_test_write_file(root, rel, "");
    }
    lxcf_test_write_file(root, "sys/fs/cgroup/unified/cgroup.procs", "");
    if (lxcf_cgroup_join(l, root, 101, &err) < 0)
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < sizeof(hier) / sizeof(hier[0]); i++) {
        _cleanup_free_ char *rel =
            lxcf_xasprintf("sys/fs/cgroup/%s" GROUP "/init.scope/cgroup.procs", hier[i]);
        assert_file(root, rel, pid);
    }
    lxcf_test_rmrf(root);
}

static void test_join_v2_lands_in_the_init_leaf(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_free_ char *pid = lxcf_xasprintf("%d", (int)getpid());
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = v2_layout(root, "cpu memory pids\n");
    const char *leaf = "sys/fs/cgroup/machine.slice/machine-lxc\\x2d7\\x2dweb1.scope/libvirt/init.scope";
    _cleanup_free_ char *procs = lxcf_xasprintf("%s/cgroup.procs", leaf);

    lxcf_test_write_file(root, "proc/101/cgroup",
                         "0::/machine.slice/machine-lxc\\x2d7\\x2dweb1.scope/libvirt/init.scope\n");
    lxcf_test_write_file(root, procs, "");
    if (lxcf_cgroup_join(l, root, 101, &err) < 0)
        fail_msg("%s", err.msg);
    assert_file(root, procs, pid);
    /* Not the container's top group, which v2 would refuse (EBUSY). */
    assert_false(lxcf_test_exists(root, "sys/fs/cgroup/machine.slice/machine-lxc\\x2d7\\x2dweb1.scope/libvirt/cgroup.procs"));
    lxcf_test_rmrf(root);
}

static void test_join_failure_names_the_group(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = v2_layout(root, "cpu memory pids\n");

    lxcf_test_write_file(root, "proc/101/cgroup", "0::/gone/init.scope\n");
    assert_int_equal(lxcf_cgroup_join(l, root, 101, &err), -1);
    assert_non_null(strstr(err.msg, "gone/init.scope/cgroup.procs"));
    assert_int_equal(lxcf_cgroup_join(l, root, 102, &err), -1);
    lxcf_test_rmrf(root);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_of_pid_v1, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_v2, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_hybrid, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_maps_subtree_mounts_and_escapes, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_missing_or_malformed_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_machine_group_matches_libvirt, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_confined_true_when_guest_below_container, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_confined_false_when_guest_escaped, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_confined_false_when_container_at_root, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_confined_missing_guest_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_place_self_hybrid, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_place_self_systemd_and_pids_even_below_root, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_place_self_pure_v2_below_root_does_nothing, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_place_self_leaves_machined_scopes_alone, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_place_self_bad_group_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_join_hybrid_lands_in_the_guest_init_groups, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_join_v2_lands_in_the_init_leaf, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_join_failure_names_the_group, lxcf_test_base_setup, lxcf_test_base_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

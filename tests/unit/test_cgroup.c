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

#include "cgroup.h"
#include "cleanup.h"
#include "testutil.h"
#include "util.h"

#define DATA LXCF_TEST_DATADIR "/cgroup/"
#define GROUP "/machine/lxc-100-web1.libvirt-lxc"
#define GiB (UINT64_C(1) << 30)

/* ---- fake trees ---- */

static void copy_in(const char *root, const char *rel, const char *datafile)
{
    _cleanup_free_ char *buf = lxcf_test_read_file(NULL, datafile);
    lxcf_test_write_file(root, rel, buf);
}

/* File content without the trailing newline. */
static char *get(const char *root, const char *rel)
{
    char *buf = lxcf_test_read_file(root, rel);
    size_t len = strlen(buf);

    while (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    return buf;
}

static void assert_file(const char *root, const char *rel, const char *want)
{
    _cleanup_free_ char *got = get(root, rel);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", rel, got, want);
}

static lxcf_cgroup_layout *load(const char *mountinfo, const char *root)
{
    lxcf_cgroup_layout *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    if (lxcf_cgroup_layout_load(mountinfo, root, &l, &err) < 0)
        fail_msg("%s", err.msg);
    return l;
}

static void assert_ctrl(const char *root, const lxcf_cgroup_layout *l, lxcf_cgroup_ctrl c,
                        int version, const char *mount)
{
    _cleanup_free_ char *want = mount ? lxcf_path_join(root, mount) : NULL;
    assert_int_equal(lxcf_cgroup_version(l, c), version);
    if (!want)
        assert_null(lxcf_cgroup_mount(l, c));
    else
        assert_string_equal(lxcf_cgroup_mount(l, c), want);
}

/* A v1 tree like a RHEL host's, with the container's group made by libvirt. */
static void v1_tree(const char *root, lxcf_cgroup_paths *p)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v1", root);
    lxcf_err err = LXCF_ERR_INIT;
    const char *g = "sys/fs/cgroup/%s" GROUP "/%s";
    static const char *const files[][3] = {
        { "cpu,cpuacct", "cpu.cfs_period_us", "100000" },
        { "cpu,cpuacct", "cpu.cfs_quota_us", "-1" },
        { "cpu,cpuacct", "cpuacct.usage", "123456789" },
        { "cpuset", "cpuset.cpus", "0-3" },
        { "cpuset", "cpuset.mems", "0" },
        { "memory", "memory.limit_in_bytes", "9223372036854771712" },
        { "memory", "memory.memsw.limit_in_bytes", "9223372036854771712" },
        { "memory", "memory.usage_in_bytes", "1048576" },
        { "blkio", "blkio.throttle.read_bps_device", "" },
        { "blkio", "blkio.throttle.write_bps_device", "" },
        { "blkio", "blkio.throttle.read_iops_device", "" },
        { "blkio", "blkio.throttle.write_iops_device", "" },
    };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf(g, files[i][0], files[i][1]);
        lxcf_test_write_file(root, rel, files[i][2]);
    }
    copy_in(root, "proc/100/cgroup", DATA "proc-cgroup-v1");
    if (lxcf_cgroup_of_pid(l, root, 100, p, &err) < 0)
        fail_msg("%s", err.msg);
}

static void v2_tree(const char *root, lxcf_cgroup_paths *p)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    static const char *const files[][2] = {
        { "cpu.max", "max 100000" },
        { "cpu.stat", "usage_usec 5000\nuser_usec 3000\nsystem_usec 2000" },
        { "cpuset.cpus", "" },
        { "cpuset.cpus.effective", "0-7" },
        { "cpuset.mems", "0" },
        { "memory.max", "max" },
        { "memory.swap.max", "max" },
        { "memory.current", "2097152" },
        { "io.max", "" },
    };

    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
    l = load(DATA "mountinfo-v2", root);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf("sys/fs/cgroup" GROUP "/%s", files[i][0]);
        lxcf_test_write_file(root, rel, files[i][1]);
    }
    lxcf_test_write_file(root, "proc/100/cgroup", "0::" GROUP "\n");
    if (lxcf_cgroup_of_pid(l, root, 100, p, &err) < 0)
        fail_msg("%s", err.msg);
}

#define V1(ctrl, file) "sys/fs/cgroup/" ctrl GROUP "/" file
#define V2(file) "sys/fs/cgroup" GROUP "/" file

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
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v2", root);

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
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "memory pids\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v2", root);

    assert_ctrl(root, l, LXCF_CG_MEMORY, 2, "/sys/fs/cgroup");
    assert_ctrl(root, l, LXCF_CG_CPU, 0, NULL);
    assert_ctrl(root, l, LXCF_CG_IO, 0, NULL);
    lxcf_test_rmrf(root);
}

static void test_layout_hybrid_like_this_machine(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    lxcf_test_write_file(root, "sys/fs/cgroup/unified/cgroup.controllers", "\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l =
        load(DATA "mountinfo-hybrid", root);

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
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v2", root);
    _cleanup_free_ char *want =
        lxcf_path_join(root, "/sys/fs/cgroup/machine.slice/machine-lxc\\x2d100\\x2dweb1.scope");

    copy_in(root, "proc/4242/cgroup", DATA "proc-cgroup-v2");
    assert_int_equal(lxcf_cgroup_of_pid(l, root, 4242, &p, &err), 0);
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
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_test_write_file(root, "sys/fs/cgroup/unified/cgroup.controllers", "");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l =
        load(DATA "mountinfo-hybrid", root);
    _cleanup_free_ char *mem =
        lxcf_path_join(root, "/sys/fs/cgroup/memory/process_api/934f6ea745394ac1cdc483b6515342ba");
    _cleanup_free_ char *sd = lxcf_path_join(root, "/sys/fs/cgroup/systemd");

    copy_in(root, "proc/7/cgroup", DATA "proc-cgroup-hybrid");
    assert_int_equal(lxcf_cgroup_of_pid(l, root, 7, &p, &err), 0);
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
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "memory\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v2", root);

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

static void test_cpu_quota_is_share_of_all_cpus(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    uint64_t q;

    assert_int_equal(lxcf_cgroup_cpu_quota(50, 2, 100000, &q, &err), 0);
    assert_int_equal(q, 100000);
    assert_int_equal(lxcf_cgroup_cpu_quota(100, 4, 100000, &q, &err), 0);
    assert_int_equal(q, 400000);
    assert_int_equal(lxcf_cgroup_cpu_quota(1, 1, 1000, &q, &err), 0);
    assert_int_equal(q, 1000);  /* kernel minimum */
    assert_int_equal(lxcf_cgroup_cpu_percent(100000, 100000, 2), 50);
    assert_int_equal(lxcf_cgroup_cpu_percent(LXCF_CG_UNLIMITED, 100000, 2), 100);
    assert_int_equal(lxcf_cgroup_cpu_quota(0, 2, 100000, &q, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_cgroup_cpu_quota(101, 2, 100000, &q, &err), -1);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_cgroup_cpu_quota(50, 2, 10, &q, &err), -1);
}

/* ---- limits ---- */

static int set(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim, lxcf_err *err)
{
    int r = lxcf_cgroup_set(p, lim, err);
    if (r < 0 && err->code == 0)
        fail_msg("failure without an error set");
    return r;
}

static void test_set_cpu_v1_writes_period_and_quota(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_CPU, .cpu = { 150000, 100000 } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("cpu,cpuacct", "cpu.cfs_quota_us"), "150000");
    assert_file(root, V1("cpu,cpuacct", "cpu.cfs_period_us"), "100000");
    lim.cpu.quota_us = LXCF_CG_UNLIMITED;
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("cpu,cpuacct", "cpu.cfs_quota_us"), "-1");
    lxcf_test_rmrf(root);
}

static void test_set_cpu_v2_writes_cpu_max(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v2_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_CPU, .cpu = { 50000, 100000 } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V2("cpu.max"), "50000 100000");
    lim.cpu.quota_us = LXCF_CG_UNLIMITED;
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V2("cpu.max"), "max 100000");
    lxcf_test_rmrf(root);
}

static void test_set_cpu_bad_values_change_nothing(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_CPU, .cpu = { 50000, 10 } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_error_clear(&err);
    lim.cpu = (typeof(lim.cpu)){ 999, 100000 };  /* below the kernel's 1 ms */
    assert_int_equal(set(&p, &lim, &err), -1);
    assert_file(root, V1("cpu,cpuacct", "cpu.cfs_quota_us"), "-1");
    assert_file(root, V1("cpu,cpuacct", "cpu.cfs_period_us"), "100000");
    lxcf_test_rmrf(root);
}

static void test_set_cpuset_v1_and_v2(void **state)
{
    _cleanup_free_ char *r1 = lxcf_test_subtree(), *r2 = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p1 = { 0 }, p2 = { 0 };
    v1_tree(r1, &p1);
    v2_tree(r2, &p2);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_CPUSET };
    lxcf_err err = LXCF_ERR_INIT;

    lim.cpuset.set_cpus = true;
    assert_int_equal(lxcf_parse_cpulist("3,0-1", 4, &lim.cpuset.cpus, &err), 0);
    assert_int_equal(set(&p1, &lim, &err), 0);
    assert_file(r1, V1("cpuset", "cpuset.cpus"), "0-1,3");
    assert_file(r1, V1("cpuset", "cpuset.mems"), "0");  /* untouched */
    lim.cpuset.set_mems = true;
    assert_int_equal(lxcf_parse_cpulist("0", 1, &lim.cpuset.mems, &err), 0);
    assert_int_equal(set(&p2, &lim, &err), 0);
    assert_file(r2, V2("cpuset.cpus"), "0-1,3");
    assert_file(r2, V2("cpuset.mems"), "0");
    lxcf_test_rmrf(r1);
    lxcf_test_rmrf(r2);
}

static void test_set_cpuset_empty_changes_nothing(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_CPUSET };
    lxcf_err err = LXCF_ERR_INIT;

    lim.cpuset.set_cpus = true;  /* with an empty bitmap */
    assert_int_equal(set(&p, &lim, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_file(root, V1("cpuset", "cpuset.cpus"), "0-3");
    lxcf_test_rmrf(root);
}

static void test_set_memory_v2_writes_max_and_swap(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v2_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_MEMORY, .memory = { GiB, 3 * GiB } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V2("memory.max"), "1073741824");
    assert_file(root, V2("memory.swap.max"), "2147483648");  /* memsw - mem */
    /* memsw alone: the swap share is computed from the current memory.max. */
    lim.memory = (typeof(lim.memory)){ 0, 2 * GiB };
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V2("memory.max"), "1073741824");
    assert_file(root, V2("memory.swap.max"), "1073741824");
    lim.memory = (typeof(lim.memory)){ LXCF_CG_UNLIMITED, LXCF_CG_UNLIMITED };
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V2("memory.max"), "max");
    assert_file(root, V2("memory.swap.max"), "max");
    lxcf_test_rmrf(root);
}

static void test_set_memory_v1_writes_limits(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_MEMORY, .memory = { 512 << 20, 0 } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("memory", "memory.limit_in_bytes"), "536870912");
    assert_file(root, V1("memory", "memory.memsw.limit_in_bytes"), "9223372036854771712");
    lim.memory.mem = LXCF_CG_UNLIMITED;
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("memory", "memory.limit_in_bytes"), "-1");
    lxcf_test_rmrf(root);
}

/* The v1 kernel rule, which a fake file cannot enforce: after every write,
 * memory.limit_in_bytes <= memory.memsw.limit_in_bytes. */
struct v1_kernel {
    const char *dir;
    int writes;
};

static uint64_t v1_value(const char *s)
{
    return lxcf_streq(s, "-1") ? UINT64_MAX : strtoull(s, NULL, 10);
}

static int v1_kernel_hook(const char *path, const char *value, void *data)
{
    struct v1_kernel *k = data;
    bool is_memsw = lxcf_endswith(path, "/memory.memsw.limit_in_bytes");
    bool is_mem = lxcf_endswith(path, "/memory.limit_in_bytes");
    _cleanup_free_ char *other = NULL;

    k->writes++;
    if (!is_mem && !is_memsw)
        return 0;
    other = get(k->dir, is_mem ? "memory.memsw.limit_in_bytes" : "memory.limit_in_bytes");
    if (is_mem && v1_value(value) > v1_value(other))
        return EINVAL;
    if (is_memsw && v1_value(value) < v1_value(other))
        return EINVAL;
    return 0;
}

static void test_set_memory_v1_orders_writes(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    struct v1_kernel k = { p.dir[LXCF_CG_MEMORY], 0 };
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_MEMORY, .memory = { GiB, 2 * GiB } };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, V1("memory", "memory.memsw.limit_in_bytes"), "1073741824");
    lxcf_test_write_file(root, V1("memory", "memory.limit_in_bytes"), "536870912");
    lxcf_cgroup_set_write_hook(v1_kernel_hook, &k);
    /* Raise both past the current memsw: memsw must go first. */
    lim.memory = (typeof(lim.memory)){ 3 * GiB, 4 * GiB };
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("memory", "memory.limit_in_bytes"), "3221225472");
    assert_file(root, V1("memory", "memory.memsw.limit_in_bytes"), "4294967296");
    /* Lower both below the current limit: the limit must go first. */
    lim.memory = (typeof(lim.memory)){ GiB, 2 * GiB };
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("memory", "memory.limit_in_bytes"), "1073741824");
    assert_file(root, V1("memory", "memory.memsw.limit_in_bytes"), "2147483648");
    /* Unlimited both. */
    lim.memory = (typeof(lim.memory)){ LXCF_CG_UNLIMITED, LXCF_CG_UNLIMITED };
    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("memory", "memory.limit_in_bytes"), "-1");
    assert_file(root, V1("memory", "memory.memsw.limit_in_bytes"), "-1");
    assert_int_equal(k.writes, 6);
    lxcf_cgroup_set_write_hook(NULL, NULL);
    if (err.code)
        fail_msg("%s", err.msg);
    lxcf_test_rmrf(root);
}

static void test_set_memory_v1_bad_combination_changes_nothing(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_MEMORY, .memory = { 2 * GiB, GiB } };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, V1("memory", "memory.memsw.limit_in_bytes"), "1073741824");
    lxcf_test_write_file(root, V1("memory", "memory.limit_in_bytes"), "536870912");
    assert_int_equal(set(&p, &lim, &err), -1);  /* memsw below mem */
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_error_clear(&err);
    lim.memory = (typeof(lim.memory)){ 2 * GiB, 0 };  /* above the current memsw */
    assert_int_equal(set(&p, &lim, &err), -1);
    assert_non_null(strstr(err.msg, "set both"));
    lxcf_error_clear(&err);
    lim.memory = (typeof(lim.memory)){ 0, 0 };
    assert_int_equal(set(&p, &lim, &err), -1);
    assert_file(root, V1("memory", "memory.limit_in_bytes"), "536870912");
    assert_file(root, V1("memory", "memory.memsw.limit_in_bytes"), "1073741824");
    lxcf_test_rmrf(root);
}

static void test_set_memory_swap_accounting_off_changes_nothing(void **state)
{
    _cleanup_free_ char *r1 = lxcf_test_subtree(), *r2 = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p1 = { 0 }, p2 = { 0 };
    v1_tree(r1, &p1);
    v2_tree(r2, &p2);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_MEMORY, .memory = { GiB, 2 * GiB } };
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_free_ char *sw1 = lxcf_path_join(r1, V1("memory", "memory.memsw.limit_in_bytes"));
    _cleanup_free_ char *sw2 = lxcf_path_join(r2, V2("memory.swap.max"));

    assert_int_equal(unlink(sw1), 0);
    assert_int_equal(unlink(sw2), 0);
    assert_int_equal(set(&p1, &lim, &err), -1);
    assert_non_null(strstr(err.msg, "swap accounting"));
    lxcf_error_clear(&err);
    assert_int_equal(set(&p2, &lim, &err), -1);
    assert_non_null(strstr(err.msg, "swap accounting"));
    assert_file(r1, V1("memory", "memory.limit_in_bytes"), "9223372036854771712");
    assert_file(r2, V2("memory.max"), "max");
    lxcf_test_rmrf(r1);
    lxcf_test_rmrf(r2);
}

static void test_set_write_failure_names_file_and_errno(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v2_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_CPU, .cpu = { 50000, 100000 } };
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_free_ char *f = lxcf_path_join(root, V2("cpu.max"));

    /* A missing file is found before anything is written. */
    assert_int_equal(unlink(f), 0);
    assert_int_equal(set(&p, &lim, &err), -1);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_non_null(strstr(err.msg, f));
    lxcf_test_rmrf(root);
}

static void test_set_missing_controller_fails(void **state)
{
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_MEMORY, .memory = { GiB, 0 } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), -1);
    assert_non_null(strstr(err.msg, "memory controller"));
}

static void test_set_io_v1_writes_throttle_files(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_IO,
                              .io = { 8, 0, 1048576, LXCF_CG_UNLIMITED, 0, 200 } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V1("blkio", "blkio.throttle.read_bps_device"), "8:0 1048576");
    assert_file(root, V1("blkio", "blkio.throttle.write_bps_device"), "8:0 0");
    assert_file(root, V1("blkio", "blkio.throttle.read_iops_device"), "");
    assert_file(root, V1("blkio", "blkio.throttle.write_iops_device"), "8:0 200");
    lxcf_test_rmrf(root);
}

static void test_set_io_v2_writes_io_max(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v2_tree(root, &p);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_IO,
                              .io = { 253, 1, 1048576, LXCF_CG_UNLIMITED, 0, 200 } };
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(set(&p, &lim, &err), 0);
    assert_file(root, V2("io.max"), "253:1 rbps=1048576 wbps=max wiops=200");
    lim.io = (typeof(lim.io)){ 253, 1, 0, 0, 0, 0 };
    assert_int_equal(set(&p, &lim, &err), -1);
    assert_file(root, V2("io.max"), "253:1 rbps=1048576 wbps=max wiops=200");
    lxcf_test_rmrf(root);
}

/* ---- get ---- */

static void test_get_v1_values(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v1_tree(root, &p);
    _cleanup_(lxcf_cgroup_values_clear) lxcf_cgroup_values v = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, V1("memory", "memory.limit_in_bytes"), "536870912\n");
    lxcf_test_write_file(root, V1("blkio", "blkio.throttle.read_bps_device"), "8:0 1048576\n8:16 2048\n");
    lxcf_test_write_file(root, V1("blkio", "blkio.throttle.write_iops_device"), "8:0 200\n");
    assert_int_equal(lxcf_cgroup_get(&p, &v, &err), 0);
    assert_true(v.has_cpu);
    assert_int_equal(v.cpu_quota_us, LXCF_CG_UNLIMITED);
    assert_int_equal(v.cpu_period_us, 100000);
    assert_true(v.has_cpu_usage);
    assert_int_equal(v.cpu_usage_ns, 123456789);
    assert_string_equal(v.cpus, "0-3");
    assert_string_equal(v.mems, "0");
    assert_int_equal(v.mem_limit, 536870912);
    assert_int_equal(v.mem_usage, 1048576);
    assert_true(v.has_memsw);
    assert_int_equal(v.memsw_limit, LXCF_CG_UNLIMITED);
    assert_int_equal(v.n_io, 2);
    assert_int_equal(v.io[0].major, 8);
    assert_int_equal(v.io[0].rbps, 1048576);
    assert_int_equal(v.io[0].wiops, 200);
    assert_int_equal(v.io[0].wbps, LXCF_CG_UNLIMITED);
    assert_int_equal(v.io[1].minor, 16);
    assert_int_equal(v.io[1].rbps, 2048);
    lxcf_test_rmrf(root);
}

static void test_get_v2_values(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v2_tree(root, &p);
    _cleanup_(lxcf_cgroup_values_clear) lxcf_cgroup_values v = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, V2("cpu.max"), "50000 100000\n");
    lxcf_test_write_file(root, V2("memory.max"), "1073741824\n");
    lxcf_test_write_file(root, V2("memory.swap.max"), "1073741824\n");
    lxcf_test_write_file(root, V2("io.max"), "253:1 rbps=1048576 wbps=max riops=max wiops=200\n");
    assert_int_equal(lxcf_cgroup_get(&p, &v, &err), 0);
    assert_int_equal(v.cpu_quota_us, 50000);
    assert_int_equal(v.cpu_usage_ns, 5000000);
    assert_string_equal(v.cpus, "0-7");  /* effective, as none is set */
    assert_int_equal(v.mem_limit, GiB);
    assert_int_equal(v.mem_usage, 2097152);
    assert_int_equal(v.memsw_limit, 2 * GiB);
    assert_int_equal(v.n_io, 1);
    assert_int_equal(v.io[0].rbps, 1048576);
    assert_int_equal(v.io[0].wbps, LXCF_CG_UNLIMITED);
    assert_int_equal(v.io[0].wiops, 200);
    lxcf_test_rmrf(root);
}

static void test_get_garbage_fails(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    v2_tree(root, &p);
    _cleanup_(lxcf_cgroup_values_clear) lxcf_cgroup_values v = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(root, V2("memory.max"), "lots\n");
    assert_int_equal(lxcf_cgroup_get(&p, &v, &err), -1);
    assert_non_null(strstr(err.msg, "memory.max"));
    assert_null(v.cpus);
    lxcf_test_rmrf(root);
}

/* ---- confinement ---- */

static lxcf_cgroup_layout *hybrid_tree(const char *root)
{
    lxcf_cgroup_layout *l;

    lxcf_test_write_file(root, "sys/fs/cgroup/unified/cgroup.controllers", "");
    l = load(DATA "mountinfo-hybrid", root);
    for (size_t i = 0; i < l->nhier; i++)
        lxcf_test_mkdirs(l->hier[i].mount, "");
    return l;
}

static void write_membership(const char *root, const char *who, const char *memory_and_more,
                             const char *systemd)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("proc/%s/cgroup", who);
    _cleanup_free_ char *s = lxcf_xasprintf(
        "9:name=systemd:%s\n8:pids:%s\n7:blkio:%s\n6:freezer:%s\n5:devices:%s\n"
        "4:memory:%s\n3:cpuset:%s\n2:cpuacct:%s\n1:cpu:%s\n0::/\n",
        systemd, memory_and_more, memory_and_more, memory_and_more, memory_and_more,
        memory_and_more, memory_and_more, memory_and_more, memory_and_more);
    lxcf_test_write_file(root, rel, s);
}

static void test_confined_true_when_guest_below_container(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths c = { 0 };
    _cleanup_free_ char *why = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    bool ok = false;

    write_membership(root, "100", GROUP, GROUP);
    write_membership(root, "101", GROUP "/init.scope", GROUP "/init.scope");
    assert_int_equal(lxcf_cgroup_of_pid(l, root, 100, &c, &err), 0);
    assert_int_equal(lxcf_cgroup_confined(l, root, 101, &c, &ok, &why, &err), 0);
    assert_true(ok);
    assert_null(why);
    lxcf_test_rmrf(root);
}

static void test_confined_false_when_guest_escaped(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths c = { 0 };
    _cleanup_free_ char *why = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    bool ok = true;

    /* What was measured here: the guest's systemd moved to /init.scope. */
    write_membership(root, "100", GROUP, GROUP);
    write_membership(root, "101", "/init.scope", "/init.scope");
    assert_int_equal(lxcf_cgroup_of_pid(l, root, 100, &c, &err), 0);
    assert_int_equal(lxcf_cgroup_confined(l, root, 101, &c, &ok, &why, &err), 0);
    assert_false(ok);
    assert_non_null(why);
    assert_true(lxcf_startswith(why, "memory: "));
    assert_non_null(strstr(why, "/init.scope"));
    /* A sibling with a common prefix is not inside. */
    free(why);
    why = NULL;
    write_membership(root, "101", GROUP "x", GROUP "x");
    assert_int_equal(lxcf_cgroup_confined(l, root, 101, &c, &ok, &why, &err), 0);
    assert_false(ok);
    lxcf_test_rmrf(root);
}

static void test_confined_false_when_container_at_root(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths c = { 0 };
    _cleanup_free_ char *why = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    bool ok = true;

    /* libvirt without machined: no group in name=systemd. */
    write_membership(root, "100", GROUP, "/");
    write_membership(root, "101", GROUP "/init.scope", "/init.scope");
    assert_int_equal(lxcf_cgroup_of_pid(l, root, 100, &c, &err), 0);
    assert_int_equal(lxcf_cgroup_confined(l, root, 101, &c, &ok, &why, &err), 0);
    assert_false(ok);
    assert_true(lxcf_startswith(why, "name=systemd: "));
    lxcf_test_rmrf(root);
}

static void test_confined_missing_guest_fails(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = hybrid_tree(root);
    lxcf_cgroup_paths c = { 0 };
    char *why = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    bool ok = true;

    assert_int_equal(lxcf_cgroup_confined(l, root, 555, &c, &ok, &why, &err), -1);
    assert_false(ok);
    assert_null(why);
    lxcf_test_rmrf(root);
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
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v2", root);

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
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v2", root);
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
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v2", root);

    lxcf_test_write_file(root, "proc/101/cgroup", "0::/gone/init.scope\n");
    assert_int_equal(lxcf_cgroup_join(l, root, 101, &err), -1);
    assert_non_null(strstr(err.msg, "gone/init.scope/cgroup.procs"));
    assert_int_equal(lxcf_cgroup_join(l, root, 102, &err), -1);
    lxcf_test_rmrf(root);
}

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
        cmocka_unit_test_setup_teardown(test_layout_pure_v1, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_pure_v2, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_v2_lists_only_enabled_controllers, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_hybrid_like_this_machine, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_missing_mountinfo_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_without_cgroup_mounts_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_layout_and_of_pid_on_real_host_read_only, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_v1, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_v2, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_hybrid, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_maps_subtree_mounts_and_escapes, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_of_pid_missing_or_malformed_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_machine_group_matches_libvirt, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_cpu_quota_is_share_of_all_cpus, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_cpu_v1_writes_period_and_quota, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_cpu_v2_writes_cpu_max, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_cpu_bad_values_change_nothing, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_cpuset_v1_and_v2, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_cpuset_empty_changes_nothing, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_memory_v2_writes_max_and_swap, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_memory_v1_writes_limits, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_memory_v1_orders_writes, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_memory_v1_bad_combination_changes_nothing, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_memory_swap_accounting_off_changes_nothing, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_write_failure_names_file_and_errno, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_missing_controller_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_io_v1_writes_throttle_files, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_set_io_v2_writes_io_max, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_get_v1_values, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_get_v2_values, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_get_garbage_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
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
        cmocka_unit_test_setup_teardown(test_remove_empty_removes_only_stale_empty_groups, lxcf_test_base_setup, lxcf_test_base_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

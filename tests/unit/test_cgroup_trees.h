/* The fake cgroup trees the cgroup modules' tests share: mount tables
 * from tests/data/cgroup joined under a per-test root, and a container's
 * group in v1, v2 and hybrid layouts.  Static inline, so that each test
 * program takes what it uses without an unused-function warning. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup.h"
#include "cleanup.h"
#include "testutil.h"
#include "util.h"

#define DATA LXCF_TEST_DATADIR "/cgroup/"
#define GROUP "/machine/lxc-100-web1.libvirt-lxc"
#define GiB (UINT64_C(1) << 30)

static inline void copy_in(const char *root, const char *rel, const char *datafile)
{
    _cleanup_free_ char *buf = lxcf_test_read_file(NULL, datafile);
    lxcf_test_write_file(root, rel, buf);
}

/* File content without the trailing newline. */
static inline char *get(const char *root, const char *rel)
{
    char *buf = lxcf_test_read_file(root, rel);
    size_t len = strlen(buf);

    while (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    return buf;
}

static inline void assert_file(const char *root, const char *rel, const char *want)
{
    _cleanup_free_ char *got = get(root, rel);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", rel, got, want);
}

static inline lxcf_cgroup_layout *load(const char *mountinfo, const char *root)
{
    lxcf_cgroup_layout *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    if (lxcf_cgroup_layout_load(mountinfo, root, &l, &err) < 0)
        fail_msg("%s", err.msg);
    return l;
}

/* The v2 mount table under ROOT, its root group offering CONTROLLERS. */
static inline lxcf_cgroup_layout *v2_layout(const char *root, const char *controllers)
{
    lxcf_test_write_file(root, "sys/fs/cgroup/cgroup.controllers", controllers);
    return load(DATA "mountinfo-v2", root);
}

/* The hybrid mount table under ROOT, the unified tree offering CONTROLLERS. */
static inline lxcf_cgroup_layout *hybrid_layout(const char *root, const char *controllers)
{
    lxcf_test_write_file(root, "sys/fs/cgroup/unified/cgroup.controllers", controllers);
    return load(DATA "mountinfo-hybrid", root);
}

/* PID's groups under ROOT into *P, its /proc/PID/cgroup copied from DATAFILE. */
static inline void of_pid_from(const lxcf_cgroup_layout *l, const char *root, int pid, const char *datafile,
                               lxcf_cgroup_paths *p)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("proc/%d/cgroup", pid);
    lxcf_err err = LXCF_ERR_INIT;

    copy_in(root, rel, datafile);
    assert_int_equal(lxcf_cgroup_of_pid(l, root, pid, p, &err), 0);
}

/* A v1 tree like a RHEL host's, with the container's group made by libvirt. */
static inline void v1_tree(const char *root, lxcf_cgroup_paths *p)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = load(DATA "mountinfo-v1", root);
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
    of_pid_from(l, root, 100, DATA "proc-cgroup-v1", p);
}

static inline void v2_tree(const char *root, lxcf_cgroup_paths *p)
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

    l = v2_layout(root, "cpuset cpu io memory hugetlb pids rdma misc\n");
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

/* This machine's hybrid layout, every mount point made. */
static inline lxcf_cgroup_layout *hybrid_tree(const char *root)
{
    lxcf_cgroup_layout *l = hybrid_layout(root, "");

    for (size_t i = 0; i < l->nhier; i++)
        lxcf_test_mkdirs(l->hier[i].mount, "");
    return l;
}

/* PROC_ROOT/proc/WHO/cgroup on the hybrid layout: SYSTEMD in name=systemd,
 * MEMORY_AND_MORE in every v1 controller, / in the unified tree. */
static inline void write_membership(const char *root, const char *who,
                                    const char *memory_and_more, const char *systemd)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("proc/%s/cgroup", who);
    _cleanup_free_ char *s = lxcf_xasprintf(
        "9:name=systemd:%s\n8:pids:%s\n7:blkio:%s\n6:freezer:%s\n5:devices:%s\n"
        "4:memory:%s\n3:cpuset:%s\n2:cpuacct:%s\n1:cpu:%s\n0::/\n",
        systemd, memory_and_more, memory_and_more, memory_and_more, memory_and_more,
        memory_and_more, memory_and_more, memory_and_more, memory_and_more);
    lxcf_test_write_file(root, rel, s);
}

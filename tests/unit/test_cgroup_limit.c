/* cgroup_limit.c: checking, writing and reading limits. */
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

/* ---- cpu rate ---- */

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


/* `list` reads memory.current (v2) or memory.usage_in_bytes (v1) alone. */
static void test_mem_usage_reads_the_memory_in_use(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    uint64_t bytes = 0;

    l = v2_layout(root, "cpu memory pids\n");
    lxcf_test_write_file(root, "proc/100/cgroup", "0::" GROUP "\n");
    lxcf_test_write_file(root, V2("memory.current"), "2097152\n");
    assert_int_equal(lxcf_cgroup_mem_usage(l, root, 100, &bytes, &err), 0);
    assert_int_equal(bytes, 2097152);
    lxcf_test_write_file(root, V2("memory.current"), "lots\n");
    assert_int_equal(lxcf_cgroup_mem_usage(l, root, 100, &bytes, &err), -1);
    assert_non_null(strstr(err.msg, "memory.current"));
    lxcf_test_rmrf(root);
}

static void test_mem_usage_without_memory_controller_fails(void **state)
{
    _cleanup_free_ char *root = lxcf_test_subtree();
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    uint64_t bytes = 0;

    l = v2_layout(root, "cpu pids\n");
    lxcf_test_write_file(root, "proc/100/cgroup", "0::" GROUP "\n");
    assert_int_equal(lxcf_cgroup_mem_usage(l, root, 100, &bytes, &err), -1);
    assert_non_null(strstr(err.msg, "no memory cgroup"));
    lxcf_test_rmrf(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
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
        cmocka_unit_test_setup_teardown(test_mem_usage_reads_the_memory_in_use, lxcf_test_base_setup, lxcf_test_base_teardown),
        cmocka_unit_test_setup_teardown(test_mem_usage_without_memory_controller_fails, lxcf_test_base_setup, lxcf_test_base_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

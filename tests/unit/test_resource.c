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
#include "resource.h"
#include "testutil.h"
#include "util.h"

#define DOMXML LXCF_TEST_DATADIR "/domxml/joint.xml"
#define GROUP "machine/lxc-100-web1.libvirt-lxc"
#define V1_UNSET "9223372036854771712"

/* ---- fake trees ---- */

static char *sys_root;  /* fake sys/devices/system and sys/dev/block */

/* Everything lives below lxcf_test_base, removed by the teardown. */
static void put(const char *rel, const char *content)
{
    lxcf_test_write_file(lxcf_test_base, rel, content);
}

static char *get(const char *rel)
{
    return lxcf_test_read_file(lxcf_test_base, rel);
}

static void symlink_in(const char *target, const char *rel)
{
    lxcf_test_symlink(target, lxcf_test_base, rel);
}

static void make_sys(void)
{
    put("sys/devices/system/cpu/online", "0-3\n");
    put("sys/devices/system/node/online", "0-1\n");
    put("sys/devices/pci0/block/sda/dev", "8:0\n");
    put("sys/devices/pci0/block/sda/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n");
    put("sys/devices/pci0/block/sda/sda1/dev", "8:1\n");
    put("sys/devices/pci0/block/sda/sda1/partition", "1\n");
    put("sys/devices/pci0/block/sda/sda1/uevent", "MAJOR=8\nMINOR=1\nDEVNAME=sda1\n");
    put("sys/dev/block/.keep", "");
    symlink_in("../../devices/pci0/block/sda", "sys/dev/block/8:0");
    symlink_in("../../devices/pci0/block/sda/sda1", "sys/dev/block/8:1");
}

static int setup(void **state)
{
    if (lxcf_test_base_setup(state) < 0)
        return -1;
    sys_root = lxcf_xstrdup(lxcf_test_base);
    make_sys();
    return 0;
}

static int teardown(void **state)
{
    lxcf_cgroup_set_write_hook(NULL, NULL);
    free(sys_root);
    sys_root = NULL;
    return lxcf_test_base_teardown(state);
}

static void put_group(const char *top, const char *ctrl, const char *file, const char *v)
{
    _cleanup_free_ char *rel = ctrl ? lxcf_xasprintf("%s/%s/" GROUP "/%s", top, ctrl, file)
                                    : lxcf_xasprintf("%s/" GROUP "/%s", top, file);
    put(rel, v);
}

/* A v1 group in every controller, with the kernel's defaults. */
static void make_v1(const char *top, lxcf_cgroup_paths *p)
{
    static const struct {
        lxcf_cgroup_ctrl c;
        const char *name;
    } ctrls[] = { { LXCF_CG_CPU, "cpu" }, { LXCF_CG_CPUACCT, "cpuacct" },
                  { LXCF_CG_CPUSET, "cpuset" }, { LXCF_CG_MEMORY, "memory" },
                  { LXCF_CG_IO, "blkio" } };
#define F(ctrl, file, v) put_group(top, ctrl, file, v)

    F("cpu", "cpu.cfs_quota_us", "-1\n");
    F("cpu", "cpu.cfs_period_us", "100000\n");
    F("cpuacct", "cpuacct.usage", "123456789\n");
    F("cpuset", "cpuset.cpus", "0-3\n");
    F("cpuset", "cpuset.mems", "0-1\n");
    F("memory", "memory.limit_in_bytes", "536870912\n");
    F("memory", "memory.memsw.limit_in_bytes", V1_UNSET "\n");
    F("memory", "memory.usage_in_bytes", "1048576\n");
    F("blkio", "blkio.throttle.read_bps_device", "");
    F("blkio", "blkio.throttle.write_bps_device", "");
    F("blkio", "blkio.throttle.read_iops_device", "");
    F("blkio", "blkio.throttle.write_iops_device", "");
#undef F
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf("%s/%s/" GROUP, top, ctrls[i].name);
        p->dir[ctrls[i].c] = lxcf_path_join(lxcf_test_base, rel);
        p->rel[ctrls[i].c] = lxcf_xstrdup("/" GROUP);
        p->version[ctrls[i].c] = 1;
    }
}

static void make_v2(const char *top, lxcf_cgroup_paths *p)
{
    static const lxcf_cgroup_ctrl ctrls[] = { LXCF_CG_CPU, LXCF_CG_CPUACCT, LXCF_CG_CPUSET,
                                              LXCF_CG_MEMORY, LXCF_CG_IO };
#define F(file, v) put_group(top, NULL, file, v)

    F("cpu.max", "max 100000\n");
    F("cpu.stat", "usage_usec 5000\n");
    F("cpuset.cpus", "\n");
    F("cpuset.mems", "\n");
    F("cpuset.cpus.effective", "0-3\n");
    F("cpuset.mems.effective", "0-1\n");
    F("memory.max", "max\n");
    F("memory.swap.max", "max\n");
    F("memory.current", "4096\n");
    F("io.max", "");
#undef F
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf("%s/" GROUP, top);
        p->dir[ctrls[i]] = lxcf_path_join(lxcf_test_base, rel);
        p->rel[ctrls[i]] = lxcf_xstrdup("/" GROUP);
        p->version[ctrls[i]] = 2;
    }
}

/* Everything under TOP: "nothing changed" checks. */
static char *tree_state(const char *top)
{
    _cleanup_free_ char *dir = lxcf_path_join(lxcf_test_base, top);
    return lxcf_test_tree_snapshot(dir);
}

static char *sample_xml(void)
{
    lxcf_err err = LXCF_ERR_INIT;
    char *xml = NULL;

    assert_int_equal(lxcf_read_file(DOMXML, &xml, NULL, &err), 0);
    return xml;
}

static void req(lxcf_res_kind k, const char *value, const char *dev, lxcf_res_req *r)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_res_parse(k, value, dev, sys_root, r, &err) < 0)
        fail_msg("%s %s: %s", lxcf_res_kind_name(k), value, err.msg);
}

static void io_req(lxcf_res_kind k, const char *value, lxcf_res_req *r)
{
    req(k, value, NULL, r);
    r->device = lxcf_xstrdup("/dev/sda");
    r->major = 8;
    r->minor = 0;
}

/* ---- parsing against the host ---- */

static void test_parse_cpurate_is_share_of_all_cpus(void **state)
{
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };

    (void)state;
    req(LXCF_RES_CPURATE, "50", NULL, &r);
    assert_int_equal(r.ncpus, 4);
    assert_int_equal(r.period_us, 100000);
    assert_int_equal(r.quota_us, 200000);
}

static void test_parse_rejects_bad_values(void **state)
{
    static const struct {
        lxcf_res_kind k;
        const char *v;
    } bad[] = {
        { LXCF_RES_CPURATE, "0" },   { LXCF_RES_CPURATE, "101" }, { LXCF_RES_CPURATE, "abc" },
        { LXCF_RES_MEM, "0" },       { LXCF_RES_MEM, "12Q" },     { LXCF_RES_MEM, "-5" },
        { LXCF_RES_MEMSW, "" },      { LXCF_RES_CPUN, "4" },      { LXCF_RES_CPUN, "3-1" },
        { LXCF_RES_CPUN, "" },       { LXCF_RES_NUMA, "2" },      { LXCF_RES_NUMA, "0,7" },
        { LXCF_RES_RBPS, "0" },      { LXCF_RES_WIOPS, "1M" },    { LXCF_RES_MEM, "9000000T" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lxcf_res_req r;
        lxcf_err err = LXCF_ERR_INIT;
        if (lxcf_res_parse(bad[i].k, bad[i].v, NULL, sys_root, &r, &err) != -1)
            fail_msg("%s '%s' was accepted", lxcf_res_kind_name(bad[i].k), bad[i].v);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        assert_null(strchr(err.msg, '\n'));
    }
}

static void test_parse_lists_and_sizes(void **state)
{
    _cleanup_(lxcf_res_req_clear) lxcf_res_req a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
    _cleanup_free_ char *s = NULL;

    (void)state;
    req(LXCF_RES_CPUN, "0-1,3", NULL, &a);
    s = lxcf_bitmap_format(&a.set);
    assert_string_equal(s, "0-1,3");
    req(LXCF_RES_NUMA, "1", NULL, &b);
    assert_true(lxcf_bitmap_test(&b.set, 1));
    assert_int_equal(lxcf_bitmap_count(&b.set), 1);
    req(LXCF_RES_MEM, "256M", NULL, &c);
    assert_int_equal(c.value, 268435456);
    req(LXCF_RES_MEMSW, "1000", NULL, &d);  /* whole KiB, as libvirt keeps it */
    assert_int_equal(d.value, 1024);
}

static void test_whole_disk_of_partition_is_its_disk(void **state)
{
    _cleanup_free_ char *dev = NULL, *dev2 = NULL;
    unsigned maj = 0, min = 0;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_res_whole_disk(sys_root, 8, 1, &dev, &maj, &min, &err), 0);
    assert_string_equal(dev, "/dev/sda");
    assert_int_equal(maj, 8);
    assert_int_equal(min, 0);
    assert_int_equal(lxcf_res_whole_disk(sys_root, 8, 0, &dev2, &maj, &min, &err), 0);
    assert_string_equal(dev2, "/dev/sda");
}

static void test_device_must_be_a_block_device(void **state)
{
    _cleanup_free_ char *dev = NULL;
    _cleanup_free_ char *file = lxcf_path_join(lxcf_test_base, "sys/devices/system/cpu/online");
    unsigned maj, min;
    lxcf_err err = LXCF_ERR_INIT, err2 = LXCF_ERR_INIT, err3 = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_res_device(sys_root, "/dev/null", &dev, &maj, &min, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "not a block device"));
    assert_int_equal(lxcf_res_device(sys_root, file, &dev, &maj, &min, &err2), -1);
    assert_int_equal(err2.code, LXCF_EXIT_USAGE);
    assert_int_equal(lxcf_res_device(sys_root, "/dev/lxcf-no-such", &dev, &maj, &min, &err3), -1);
    assert_int_equal(err3.code, LXCF_EXIT_USAGE);
    assert_null(dev);
}

static void test_unknown_major_minor_is_an_error(void **state)
{
    _cleanup_free_ char *dev = NULL;
    unsigned maj, min;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_res_whole_disk(sys_root, 9, 9, &dev, &maj, &min, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_null(dev);
}

/* ---- the kernel side ---- */

static void apply_ok(const lxcf_cgroup_paths *p, const lxcf_res_req *r,
                     const lxcf_res_conf *conf)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_res_apply_cgroup(p, r, conf, &err) < 0)
        fail_msg("%s: %s", lxcf_res_kind_name(r->kind), err.msg);
}

static void expect_file(const char *rel, const char *want)
{
    _cleanup_free_ char *got = get(rel);
    assert_string_equal(got, want);
}

/* One limit after the other on the same group, each checked in its file
 * (and in FILE2 where one limit writes two). */
typedef struct {
    lxcf_res_kind kind;
    const char *value;
    bool io;  /* on /dev/sda, 8:0 */
    const char *file, *want;
    const char *file2, *want2;
} lxcf_t_limit;

static void apply_each(const char *top, const lxcf_cgroup_paths *p, const lxcf_t_limit *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
        _cleanup_free_ char *file = lxcf_xasprintf("%s/%s", top, v[i].file);

        if (v[i].io)
            io_req(v[i].kind, v[i].value, &r);
        else
            req(v[i].kind, v[i].value, NULL, &r);
        apply_ok(p, &r, NULL);
        expect_file(file, v[i].want);
        if (v[i].file2) {
            _cleanup_free_ char *file2 = lxcf_xasprintf("%s/%s", top, v[i].file2);
            expect_file(file2, v[i].want2);
        }
    }
}

static void test_v1_each_limit_writes_its_file(void **state)
{
    static const lxcf_t_limit v[] = {
        { LXCF_RES_CPURATE, "50", false, "cpu/" GROUP "/cpu.cfs_quota_us", "200000",
          "cpu/" GROUP "/cpu.cfs_period_us", "100000" },
        { LXCF_RES_CPUN, "0-1,3", false, "cpuset/" GROUP "/cpuset.cpus", "0-1,3", NULL, NULL },
        { LXCF_RES_NUMA, "1", false, "cpuset/" GROUP "/cpuset.mems", "1", NULL, NULL },
        { LXCF_RES_MEM, "256M", false, "memory/" GROUP "/memory.limit_in_bytes", "268435456",
          NULL, NULL },
        { LXCF_RES_MEMSW, "512M", false, "memory/" GROUP "/memory.memsw.limit_in_bytes",
          "536870912", NULL, NULL },
        { LXCF_RES_WBPS, "1M", true, "blkio/" GROUP "/blkio.throttle.write_bps_device",
          "8:0 1048576", NULL, NULL },
        { LXCF_RES_RIOPS, "300", true, "blkio/" GROUP "/blkio.throttle.read_iops_device",
          "8:0 300", NULL, NULL },
    };
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p;

    (void)state;
    make_v1("v1", &p);
    apply_each("v1", &p, v, sizeof(v) / sizeof(v[0]));
}

static void test_v2_each_limit_writes_its_file(void **state)
{
    static const lxcf_t_limit v[] = {
        { LXCF_RES_CPURATE, "25", false, GROUP "/cpu.max", "100000 100000", NULL, NULL },
        { LXCF_RES_CPUN, "2", false, GROUP "/cpuset.cpus", "2", NULL, NULL },
        { LXCF_RES_NUMA, "0-1", false, GROUP "/cpuset.mems", "0-1", NULL, NULL },
        { LXCF_RES_MEM, "1G", false, GROUP "/memory.max", "1073741824", NULL, NULL },
        { LXCF_RES_MEMSW, "1536M", false, GROUP "/memory.swap.max", "536870912", NULL, NULL },
        { LXCF_RES_RBPS, "2M", true, GROUP "/io.max", "8:0 rbps=2097152", NULL, NULL },
    };
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p;

    (void)state;
    make_v2("v2", &p);
    apply_each("v2", &p, v, sizeof(v) / sizeof(v[0]));
}

/* Hybrid: the layout comes from mountinfo, the group from /proc/PID/cgroup
 * of the controller, as lxcf_res_set finds it. */
static void test_hybrid_group_from_pid_gets_the_limit(void **state)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 }, fake;
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
    _cleanup_free_ char *mi = lxcf_path_join(lxcf_test_base, "mountinfo");
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    make_v1("sys/fs/cgroup", &fake);
    put("sys/fs/cgroup/unified/cgroup.controllers", "");
    put("mountinfo",
        "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "38 31 0:35 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
    put("proc/100/cgroup", "7:blkio:/" GROUP "\n4:memory:/" GROUP "\n3:cpuset:/" GROUP
                           "\n2:cpuacct:/" GROUP "\n1:cpu:/" GROUP "\n0::/\n");
    assert_int_equal(lxcf_cgroup_layout_load(mi, lxcf_test_base, &l, &err), 0);
    assert_int_equal(lxcf_cgroup_of_pid(l, lxcf_test_base, 100, &p, &err), 0);
    req(LXCF_RES_MEM, "256M", NULL, &r);
    apply_ok(&p, &r, NULL);
    expect_file("sys/fs/cgroup/memory/" GROUP "/memory.limit_in_bytes", "268435456");
}

static void test_memlimit_unlimited_writes_the_memory_size(void **state)
{
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p;
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
    lxcf_res_conf conf = { .memory_kib = 2097152 };

    (void)state;
    make_v1("v1u", &p);
    req(LXCF_RES_MEM, "unlimited", NULL, &r);
    apply_ok(&p, &r, &conf);
    expect_file("v1u/memory/" GROUP "/memory.limit_in_bytes", "2147483648");
}

static void test_v1_memsw_below_memory_changes_nothing(void **state)
{
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p;
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
    _cleanup_free_ char *before = NULL, *after = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    make_v1("v1b", &p);  /* memory limit 512M */
    before = tree_state("v1b");
    req(LXCF_RES_MEMSW, "256M", NULL, &r);
    assert_int_equal(lxcf_res_apply_cgroup(&p, &r, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    after = tree_state("v1b");
    assert_string_equal(before, after);
}

static int refuse_all(const char *path, const char *value, void *data)
{
    (void)path;
    (void)value;
    (void)data;
    return EBUSY;
}

static void test_kernel_refusal_changes_nothing(void **state)
{
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p;
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
    _cleanup_free_ char *before = NULL, *after = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    make_v1("v1r", &p);
    before = tree_state("v1r");
    req(LXCF_RES_MEM, "1M", NULL, &r);
    lxcf_cgroup_set_write_hook(refuse_all, NULL);
    assert_int_equal(lxcf_res_apply_cgroup(&p, &r, NULL, &err), -1);
    lxcf_cgroup_set_write_hook(NULL, NULL);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    after = tree_state("v1r");
    assert_string_equal(before, after);
}

/* A kernel that ends up with another value than the one written (here it
 * resets the period once the quota arrives) must be reported, not trusted. */
static int kernel_resets_period(const char *path, const char *value, void *data)
{
    (void)value;
    (void)data;
    if (lxcf_endswith(path, "/cpu.cfs_quota_us")) {
        _cleanup_free_ char *dir = lxcf_xstrndup(path, (size_t)(strrchr(path, '/') - path));
        _cleanup_free_ char *period = lxcf_path_join(dir, "cpu.cfs_period_us");
        FILE *f = fopen(period, "w");
        if (!f)
            return EIO;
        fputs("50000\n", f);
        fclose(f);
    }
    return 0;
}

static void test_value_not_read_back_is_an_error(void **state)
{
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p;
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    make_v1("v1v", &p);
    req(LXCF_RES_CPURATE, "50", NULL, &r);
    lxcf_cgroup_set_write_hook(kernel_resets_period, NULL);
    assert_int_equal(lxcf_res_apply_cgroup(&p, &r, NULL, &err), -1);
    lxcf_cgroup_set_write_hook(NULL, NULL);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "kernel"));
}

/* ---- the domain definition ---- */

static char *apply_xml_ok(const char *xml, const lxcf_res_req *r)
{
    lxcf_err err = LXCF_ERR_INIT;
    char *out = NULL;

    if (lxcf_res_apply_xml(xml, r, &out, &err) < 0)
        fail_msg("%s: %s", lxcf_res_kind_name(r->kind), err.msg);
    return out;
}

static void expect_in(const char *xml, const char *want)
{
    if (!strstr(xml, want))
        fail_msg("missing %s in:\n%s", want, xml);
}

static void test_xml_each_limit_gives_its_element(void **state)
{
    static const struct {
        lxcf_res_kind k;
        const char *v;
        const char *want[3];
    } cases[] = {
        { LXCF_RES_CPUN, "0-1,3", { "cpuset=\"0-1,3\">2</vcpu>" } },
        { LXCF_RES_NUMA, "1", { "<numatune>", "<memory mode=\"strict\" nodeset=\"1\"/>" } },
        { LXCF_RES_MEM, "256M", { "<memtune>", "<hard_limit unit=\"KiB\">262144</hard_limit>" } },
        { LXCF_RES_MEMSW, "3G", { "<swap_hard_limit unit=\"KiB\">3145728</swap_hard_limit>" } },
    };
    _cleanup_free_ char *xml = sample_xml();

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
        _cleanup_free_ char *out = NULL;

        if (lxcf_res_kind_is_io(cases[i].k))
            io_req(cases[i].k, cases[i].v, &r);
        else
            req(cases[i].k, cases[i].v, NULL, &r);
        out = apply_xml_ok(xml, &r);
        for (int j = 0; j < 3 && cases[i].want[j]; j++)
            expect_in(out, cases[i].want[j]);
        expect_in(out, "<name>web1</name>");
        expect_in(out, "<lxcf:root>/opt/lxcf/web1</lxcf:root>");
    }
}

/* libvirt's setters store these: the XML edit has nothing for them. */
static void test_xml_refuses_what_libvirt_stores(void **state)
{
    static const lxcf_res_kind kinds[] = { LXCF_RES_CPURATE, LXCF_RES_WBPS, LXCF_RES_RIOPS };
    _cleanup_free_ char *xml = sample_xml();

    (void)state;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
        char *out = NULL;
        lxcf_err err = LXCF_ERR_INIT;

        if (lxcf_res_kind_is_io(kinds[i]))
            io_req(kinds[i], "200", &r);
        else
            req(kinds[i], "50", NULL, &r);
        assert_int_equal(lxcf_res_apply_xml(xml, &r, &out, &err), -1);
        assert_null(out);
        assert_non_null(strstr(err.msg, "libvirt's setter"));
    }
}

static void test_xml_memsw_below_memory_is_refused(void **state)
{
    _cleanup_(lxcf_res_req_clear) lxcf_res_req m = { 0 }, s = { 0 }, big = { 0 };
    _cleanup_free_ char *xml = sample_xml(), *with_mem = NULL, *copy = NULL;
    char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT, err2 = LXCF_ERR_INIT, err3 = LXCF_ERR_INIT;

    (void)state;
    copy = lxcf_xstrdup(xml);
    /* Without a hard limit, <memory> (2G) is what libvirt enforces. */
    req(LXCF_RES_MEMSW, "1G", NULL, &s);
    assert_int_equal(lxcf_res_apply_xml(xml, &s, &out, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_null(out);
    assert_string_equal(xml, copy);
    req(LXCF_RES_MEM, "512M", NULL, &m);
    with_mem = apply_xml_ok(xml, &m);
    assert_int_equal(lxcf_res_apply_xml(with_mem, &s, &out, &err2), 0);  /* 1G >= 512M */
    free(out);
    out = NULL;
    req(LXCF_RES_MEMSW, "256M", NULL, &big);
    assert_int_equal(lxcf_res_apply_xml(with_mem, &big, &out, &err3), -1);
    assert_int_equal(err3.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err3.msg, "below the memory limit"));
    assert_null(out);
}

static void test_xml_memory_above_memsw_is_refused(void **state)
{
    _cleanup_(lxcf_res_req_clear) lxcf_res_req s = { 0 }, m = { 0 };
    _cleanup_free_ char *xml = sample_xml(), *with_sw = NULL;
    char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    req(LXCF_RES_MEMSW, "3G", NULL, &s);
    with_sw = apply_xml_ok(xml, &s);
    req(LXCF_RES_MEM, "4G", NULL, &m);
    assert_int_equal(lxcf_res_apply_xml(with_sw, &m, &out, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_null(out);
}

static void test_xml_io_without_device_is_refused(void **state)
{
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
    _cleanup_free_ char *xml = sample_xml();
    char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    req(LXCF_RES_WBPS, "1M", NULL, &r);
    assert_int_equal(lxcf_res_apply_xml(xml, &r, &out, &err), -1);
    assert_null(out);
}

static void test_conf_parse_reads_back_every_limit(void **state)
{
    static const struct {
        lxcf_res_kind k;
        const char *v;
    } steps[] = {
        { LXCF_RES_CPUN, "0,2" }, { LXCF_RES_NUMA, "0-1" }, { LXCF_RES_MEM, "256M" },
        { LXCF_RES_MEMSW, "512M" },
    };
    _cleanup_free_ char *xml = sample_xml();
    _cleanup_(lxcf_res_conf_clear) lxcf_res_conf c = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    /* What the XML edit writes ... */
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
        char *next;
        req(steps[i].k, steps[i].v, NULL, &r);
        next = apply_xml_ok(xml, &r);
        free(xml);
        xml = next;
    }
    assert_int_equal(lxcf_res_conf_parse(xml, &c, &err), 0);
    assert_int_equal(c.memory_kib, 2097152);
    assert_string_equal(c.cpuset, "0,2");
    assert_string_equal(c.nodeset, "0-1");
    assert_int_equal(c.mem_hard_kib, 262144);
    assert_int_equal(c.swap_hard_kib, 524288);
    lxcf_res_conf_clear(&c);
    free(xml);
    /* ... and every limit as libvirt's setters leave the definition. */
    assert_int_equal(lxcf_read_file(LXCF_TEST_DATADIR "/domxml/limits.xml", &xml, NULL, &err), 0);
    assert_int_equal(lxcf_res_conf_parse(xml, &c, &err), 0);
    assert_int_equal(c.memory_kib, 2097152);
    assert_int_equal(c.cpu_period_us, 100000);
    assert_int_equal(c.cpu_quota_us, 200000);
    assert_string_equal(c.cpuset, "0,2");
    assert_string_equal(c.nodeset, "0-1");
    assert_int_equal(c.mem_hard_kib, 262144);
    assert_int_equal(c.swap_hard_kib, 524288);
    assert_int_equal(c.n_blkdevs, 1);
    assert_string_equal(c.blkdevs[0].path, "/dev/sda");
    assert_int_equal(c.blkdevs[0].wbps, 1048576);
    assert_int_equal(c.blkdevs[0].wiops, 100);
    assert_int_equal(c.blkdevs[0].rbps, 0);
}

static void test_conf_unlimited_memory_reads_as_unset(void **state)
{
    _cleanup_(lxcf_res_req_clear) lxcf_res_req a = { 0 }, b = { 0 };
    _cleanup_free_ char *xml = sample_xml(), *x1 = NULL, *x2 = NULL;
    _cleanup_(lxcf_res_conf_clear) lxcf_res_conf c = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    req(LXCF_RES_MEM, "256M", NULL, &a);
    x1 = apply_xml_ok(xml, &a);
    req(LXCF_RES_MEM, "unlimited", NULL, &b);
    x2 = apply_xml_ok(x1, &b);
    expect_in(x2, "<hard_limit unit=\"KiB\">9007199254740991</hard_limit>");
    assert_int_equal(lxcf_res_conf_parse(x2, &c, &err), 0);
    assert_int_equal(c.mem_hard_kib, 0);
}

static void test_conf_parse_rejects_malformed_xml(void **state)
{
    lxcf_res_conf c;
    lxcf_err err = LXCF_ERR_INIT, err2 = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_res_conf_parse("<domain><memtune>", &c, &err), -1);
    assert_int_equal(lxcf_res_conf_parse(
                         "<domain><memtune><hard_limit>x</hard_limit></memtune></domain>", &c,
                         &err2),
                     -1);
}

static void test_size_str(void **state)
{
    static const struct {
        uint64_t v;
        const char *s;
    } cases[] = { { 268435456, "256M" }, { 1536ULL << 20, "1536M" }, { 1000, "1000" },
                  { 1024, "1K" },        { 1ULL << 40, "1T" },        { LXCF_CG_UNLIMITED, "unlimited" } };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        _cleanup_free_ char *s = lxcf_res_size_str(cases[i].v);
        assert_string_equal(s, cases[i].s);
    }
}

static void test_kind_names_are_the_subcommands(void **state)
{
    (void)state;
    for (int k = LXCF_RES_CPURATE; k <= LXCF_RES_WIOPS; k++) {
        const char *name = lxcf_res_kind_name((lxcf_res_kind)k);
        assert_string_not_equal(name, "?");
        for (int j = LXCF_RES_CPURATE; j < k; j++)
            assert_string_not_equal(lxcf_res_kind_name((lxcf_res_kind)j), name);
    }
    assert_string_equal(lxcf_res_kind_name(LXCF_RES_CPURATE), "cpurate");
    assert_string_equal(lxcf_res_kind_name(LXCF_RES_WIOPS), "blkioiops_w");
    assert_string_equal(lxcf_res_kind_name((lxcf_res_kind)(LXCF_RES_WIOPS + 1)), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_parse_cpurate_is_share_of_all_cpus),
        T(test_parse_rejects_bad_values),
        T(test_parse_lists_and_sizes),
        T(test_whole_disk_of_partition_is_its_disk),
        T(test_device_must_be_a_block_device),
        T(test_unknown_major_minor_is_an_error),
        T(test_v1_each_limit_writes_its_file),
        T(test_v2_each_limit_writes_its_file),
        T(test_hybrid_group_from_pid_gets_the_limit),
        T(test_memlimit_unlimited_writes_the_memory_size),
        T(test_v1_memsw_below_memory_changes_nothing),
        T(test_kernel_refusal_changes_nothing),
        T(test_value_not_read_back_is_an_error),
        T(test_xml_each_limit_gives_its_element),
        T(test_xml_refuses_what_libvirt_stores),
        T(test_xml_memsw_below_memory_is_refused),
        T(test_xml_memory_above_memsw_is_refused),
        T(test_xml_io_without_device_is_refused),
        T(test_conf_parse_reads_back_every_limit),
        T(test_conf_unlimited_memory_reads_as_unset),
        T(test_conf_parse_rejects_malformed_xml),
        T(test_size_str),
        T(test_kind_names_are_the_subcommands),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* check: each item from a fake /proc and cgroup tree; libvirt is absent
 * (the command passes the connection, a unit test has none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "check.h"
#include "cleanup.h"
#include "config.h"
#include "testutil.h"
#include "util.h"

#define DATA LXCF_TEST_DATADIR "/cgroup/"

typedef struct fake {
    char *root;
    lxcf_config cfg;
    lxcf_check_report r;
} fake;

static void copy_in(const char *root, const char *rel, const char *src)
{
    _cleanup_free_ char *data = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_read_file(src, &data, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    lxcf_test_write_file(root, rel, data);
}

/* A pure v2 systemd host with machined and the kernel's default limits. */
static void fake_host(fake *f)
{
    static const char *const ns[] = { "mnt", "uts", "ipc", "pid", "net", "cgroup", "user" };

    f->root = lxcf_test_subtree();
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf("proc/self/ns/%s", ns[i]);
        lxcf_test_write_file(f->root, rel, "");
    }
    copy_in(f->root, "proc/self/mountinfo", DATA "mountinfo-v2");
    lxcf_test_write_file(f->root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
    lxcf_test_write_file(f->root, "proc/1/comm", "systemd\n");
    lxcf_test_write_file(f->root, "proc/77/comm", "systemd-machine\n");
    lxcf_test_write_file(f->root, "proc/sys/fs/inotify/max_user_instances", "128\n");
    lxcf_test_write_file(f->root, "proc/sys/fs/inotify/max_user_watches", "122880\n");
    lxcf_test_write_file(f->root, "proc/sys/kernel/keys/root_maxkeys", "1000000\n");
    lxcf_test_write_file(f->root, "proc/sys/kernel/keys/root_maxbytes", "25000000\n");
    lxcf_test_write_file(f->root, "proc/sys/kernel/keys/maxkeys", "200\n");
    lxcf_test_write_file(f->root, "proc/sys/kernel/keys/maxbytes", "20000\n");
    lxcf_test_write_file(f->root, "proc/sys/kernel/pid_max", "4194304\n");
    lxcf_test_write_file(f->root, "proc/sys/kernel/threads-max", "191000\n");
    lxcf_test_write_file(f->root, "proc/sys/net/ipv4/neigh/default/gc_thresh3", "1024\n");
    lxcf_test_mkdirs(f->root, "proc/4242/fd");
    for (int i = 0; i < 20; i++) {
        _cleanup_free_ char *rel = lxcf_xasprintf("proc/4242/fd/%d", i);
        lxcf_test_symlink("anon_inode:inotify", f->root, rel);
    }
    lxcf_config_defaults(&f->cfg);
}

static void run(fake *f)
{
    _cleanup_free_ char *roots = lxcf_path_join(f->root, "opt/lxcf");
    _cleanup_free_ char *dropin = lxcf_path_join(f->root, "usr/lib/sysctl.d/60-lxcf.conf");
    lxcf_check_opts o = { .proc_root = f->root, .cfg = &f->cfg, .roots_dir = roots,
                          .conn_error = "cannot connect to libvirt", .dropin = dropin };
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_check_report_clear(&f->r);
    if (lxcf_check_run(&o, &f->r, &err) < 0)
        fail_msg("%s", err.msg);
}

static const lxcf_check_item *item(const fake *f, const char *name)
{
    for (size_t i = 0; i < f->r.n; i++)
        if (lxcf_streq(f->r.items[i].name, name))
            return &f->r.items[i];
    fail_msg("no item %s", name);
    return NULL;
}

static void done(fake *f)
{
    lxcf_check_report_clear(&f->r);
    lxcf_config_clear(&f->cfg);
    lxcf_test_rmrf(f->root);
    free(f->root);
}

static void test_v2_systemd_host_with_machined(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    run(&f);
    assert_int_equal(item(&f, "kernel.namespaces")->status, LXCF_CHECK_OK);
    assert_int_equal(item(&f, "cgroup.layout")->status, LXCF_CHECK_OK);
    assert_string_equal(item(&f, "cgroup.layout")->value, "v2 (cpu cpuset memory io pids)");
    assert_int_equal(item(&f, "host.init")->status, LXCF_CHECK_OK);
    assert_string_equal(item(&f, "host.machined")->value, "running");
    done(&f);
}

static void test_hybrid_host_without_systemd(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    copy_in(f.root, "proc/self/mountinfo", DATA "mountinfo-hybrid");
    lxcf_test_write_file(f.root, "sys/fs/cgroup/unified/cgroup.controllers", "");
    lxcf_test_write_file(f.root, "proc/1/comm", "process_api\n");
    lxcf_test_write_file(f.root, "proc/77/comm", "sshd\n");
    run(&f);
    assert_non_null(strstr(item(&f, "cgroup.layout")->value, "hybrid ("));
    assert_int_equal(item(&f, "host.init")->status, LXCF_CHECK_INFO);
    assert_string_equal(item(&f, "host.machined")->value, "not running");
    done(&f);
}

static void test_no_libvirt_is_a_failure(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    run(&f);
    assert_int_equal(item(&f, "libvirt")->status, LXCF_CHECK_FAIL);
    assert_non_null(strstr(item(&f, "libvirt")->note, "cannot connect"));
    assert_true(lxcf_check_failed(&f.r));
    done(&f);
}

static void test_missing_namespace_fails(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    lxcf_test_unlink(f.root, "proc/self/ns/net");
    run(&f);
    assert_int_equal(item(&f, "kernel.namespaces")->status, LXCF_CHECK_FAIL);
    assert_non_null(strstr(item(&f, "kernel.namespaces")->note, "missing net"));
    done(&f);
}

static void test_default_inotify_limit_warns_and_names_the_fix(void **state)
{
    fake f = { 0 };
    const lxcf_check_item *it;

    fake_host(&f);
    run(&f);
    it = item(&f, "fs.inotify.max_user_instances");
    assert_int_equal(it->status, LXCF_CHECK_WARN);
    assert_string_equal(it->value, "128");
    /* 20 in use: (128 - 20) / 12 */
    assert_int_equal(it->guests, (128 - 20) / LXCF_GUEST_INOTIFY_INSTANCES);
    assert_non_null(strstr(it->note, "sysctl -w fs.inotify.max_user_instances=8192"));
    assert_non_null(strstr(it->note, "60-lxcf.conf"));
    assert_ptr_equal(lxcf_check_cap(&f.r), it);
    done(&f);
}

static void test_raised_limits_are_ok(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    lxcf_test_write_file(f.root, "proc/sys/fs/inotify/max_user_instances", "8192\n");
    lxcf_test_write_file(f.root, "proc/sys/kernel/keys/maxkeys", "2000\n");
    run(&f);
    assert_int_equal(item(&f, "fs.inotify.max_user_instances")->status, LXCF_CHECK_OK);
    assert_int_equal(item(&f, "kernel.keys.maxkeys")->guests, 1000);
    assert_int_equal(item(&f, "kernel.pid_max")->status, LXCF_CHECK_OK);
    done(&f);
}

static void test_missing_sysctl_is_info(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    lxcf_test_unlink(f.root, "proc/sys/kernel/keys/maxbytes");
    run(&f);
    assert_int_equal(item(&f, "kernel.keys.maxbytes")->status, LXCF_CHECK_INFO);
    assert_int_equal(item(&f, "kernel.keys.maxbytes")->guests, -1);
    done(&f);
}

static void test_pool_counts_free_addresses(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    free(f.cfg.net_address);
    free(f.cfg.net_pool_start);
    free(f.cfg.net_pool_end);
    f.cfg.net_address = lxcf_xstrdup("192.168.125.5/24");
    f.cfg.net_pool_start = lxcf_xstrdup("192.168.125.2");
    f.cfg.net_pool_end = lxcf_xstrdup("192.168.125.10");
    run(&f);
    /* The gateway .5 lies in the range and is never handed out. */
    assert_int_equal(item(&f, "network.pool")->guests, 8);
    done(&f);
}

static void test_dropin_and_disk(void **state)
{
    fake f = { 0 };

    fake_host(&f);
    run(&f);
    assert_int_equal(item(&f, "sysctl.dropin")->status, LXCF_CHECK_INFO);
    /* The roots directory does not exist yet: its ancestors answer. */
    assert_true(item(&f, "disk.roots")->guests >= 0);
    lxcf_test_write_file(f.root, "usr/lib/sysctl.d/60-lxcf.conf", "fs.inotify.max_user_instances = 8192\n");
    run(&f);
    assert_int_equal(item(&f, "sysctl.dropin")->status, LXCF_CHECK_OK);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_systemd_host_with_machined),
        cmocka_unit_test(test_hybrid_host_without_systemd),
        cmocka_unit_test(test_no_libvirt_is_a_failure),
        cmocka_unit_test(test_missing_namespace_fails),
        cmocka_unit_test(test_default_inotify_limit_warns_and_names_the_fix),
        cmocka_unit_test(test_raised_limits_are_ok),
        cmocka_unit_test(test_missing_sysctl_is_info),
        cmocka_unit_test(test_pool_counts_free_addresses),
        cmocka_unit_test(test_dropin_and_disk),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

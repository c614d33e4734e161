/* Tests for lib/guest, on a small fake root in a temp dir with symlinks
 * planted the way a hostile guest would plant them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "guest.h"
#include "testutil.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

static bool t_is_reg(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    struct stat st;
    return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The usr part of a systemd guest, under USR (a root's usr/ or the host's). */
static void t_fake_usr(const char *usr, bool networkd)
{
    if (networkd) {
        lxcf_test_write_file(usr, "lib/systemd/systemd-networkd", "elf");
        lxcf_test_write_file(usr, "lib/systemd/system/systemd-networkd.service", "[Unit]\n");
        lxcf_test_write_file(usr, "lib/systemd/system/systemd-networkd.socket", "[Unit]\n");
    }
    lxcf_test_write_file(usr, "lib/systemd/system/console-getty.service", "[Unit]\n");
    lxcf_test_write_file(usr, "bin/ssh-keygen", "elf");
}

static void t_fake_root(const char *d, const char *r)
{
    _cleanup_free_ char *outside = lxcf_test_path(d, "host-hostname");

    lxcf_test_write_file(d, "host-hostname", "the host's own name\n");
    lxcf_test_mkdirs(r, "etc");
    lxcf_test_symlink(outside, r, "etc/hostname");
    lxcf_test_write_file(r, "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    lxcf_test_write_file(r, "var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n");
    lxcf_test_write_file(r, "etc/fstab", "/dev/sda1 / ext4 defaults 0 1\n");
    lxcf_test_write_file(r, "etc/ssh/ssh_host_rsa_key", "private");
    lxcf_test_write_file(r, "etc/ssh/ssh_host_rsa_key.pub", "public");
    lxcf_test_write_file(r, "etc/ssh/ssh_host_ed25519_key", "private");
    lxcf_test_write_file(r, "etc/ssh/sshd_config", "Port 22\n");
    lxcf_test_write_file(r, "etc/securetty", "tty1");
    lxcf_test_write_file(r, "etc/network/interfaces", "source /etc/network/interfaces.d/*\n");
    lxcf_test_symlink("../run/systemd/resolve/stub-resolv.conf", r, "etc/resolv.conf");
    lxcf_test_write_file(r, "var/lib/systemd/random-seed", "seed");
    lxcf_test_mkdirs(r, "usr");
}

static const lxcf_guest_conf t_conf = {
    .name = "web1", .ipv4 = "192.168.125.10", .prefix = 24, .gateway = "192.168.125.1",
};

/* t_fake_root with a systemd usr of its own. */
static void t_fake_systemd_root(const char *d, const char *r, bool networkd)
{
    _cleanup_free_ char *usr = lxcf_test_path(r, "usr");

    t_fake_root(d, r);
    t_fake_usr(usr, networkd);
}

/* Customise R, failing the test when that fails: for the tests of what
 * it wrote. */
static void t_customise(const char *r, const char *hostusr, const lxcf_guest_conf *gc)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_guest_customise(r, hostusr, gc, &err) < 0)
        fail_msg("customise: %s", err.msg);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_customise_writes_identity_not_through_links(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root");
    _cleanup_free_ char *host = NULL, *name = NULL, *mid = NULL, *dbus = NULL, *fstab = NULL;

    t_fake_systemd_root(d, r, true);
    t_customise(r, NULL, &t_conf);
    host = lxcf_test_read_file(d, "host-hostname");
    assert_string_equal(host, "the host's own name\n");
    assert_true(t_is_reg(r, "etc/hostname"));
    name = lxcf_test_read_file(r, "etc/hostname");
    assert_string_equal(name, "web1\n");
    mid = lxcf_test_read_file(r, "etc/machine-id");
    assert_int_equal(strlen(mid), 33);
    for (int i = 0; i < 32; i++)
        assert_true(isxdigit((unsigned char)mid[i]) && !isupper((unsigned char)mid[i]));
    assert_int_equal(mid[32], '\n');
    assert_string_not_equal(mid, "0123456789abcdef0123456789abcdef\n");
    dbus = lxcf_test_read_file(r, "var/lib/dbus/machine-id");
    assert_string_equal(dbus, mid);
    fstab = lxcf_test_read_file(r, "etc/fstab");
    assert_true(fstab[0] == '#');
    assert_null(strstr(fstab, "/dev/sda1"));
    lxcf_test_rmrf(d);
}

static void test_customise_gives_a_new_machine_id_each_time(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *a = NULL, *b = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_guest_conf gc = { .name = "web1" };

    lxcf_test_write_file(r, "etc/machine-id", "");
    lxcf_test_mkdirs(r, "usr");
    lxcf_test_mkdirs(r, "var/lib/dbus");
    lxcf_test_symlink("/etc/machine-id", r, "var/lib/dbus/machine-id");
    assert_int_equal(lxcf_guest_customise(r, NULL, &gc, &err), 0);
    a = lxcf_test_read_file(r, "etc/machine-id");
    assert_int_equal(lxcf_guest_customise(r, NULL, &gc, &err), 0);
    b = lxcf_test_read_file(r, "etc/machine-id");
    assert_string_not_equal(a, b);
    /* the dbus link follows /etc/machine-id by itself: left as it is */
    _cleanup_free_ char *l = lxcf_test_readlink(r, "var/lib/dbus/machine-id");
    assert_string_equal(l, "/etc/machine-id");
    lxcf_test_rmrf(d);
}

static void test_customise_configures_networkd(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *net = NULL, *l = NULL;
    _cleanup_free_ char *resolv = NULL;

    t_fake_systemd_root(d, r, true);
    t_customise(r, NULL, &t_conf);
    net = lxcf_test_read_file(r, "etc/systemd/network/50-lxcf-eth0.network");
    assert_non_null(strstr(net, "[Match]\nName=eth0\n"));
    assert_non_null(strstr(net, "Address=192.168.125.10/24\n"));
    assert_non_null(strstr(net, "Gateway=192.168.125.1\n"));
    assert_non_null(strstr(net, "DNS=192.168.125.1\n"));
    l = lxcf_test_readlink(r, "etc/systemd/system/multi-user.target.wants/systemd-networkd.service");
    assert_string_equal(l, "/usr/lib/systemd/system/systemd-networkd.service");
    assert_true(lxcf_test_exists(r, "etc/systemd/system/sockets.target.wants/systemd-networkd.socket"));
    /* networkd present: ifupdown is left alone */
    assert_false(lxcf_test_exists(r, "etc/network/interfaces.d/lxcf-eth0"));
    /* the resolved stub link does not work without resolved: replaced */
    assert_true(t_is_reg(r, "etc/resolv.conf"));
    resolv = lxcf_test_read_file(r, "etc/resolv.conf");
    assert_non_null(strstr(resolv, "nameserver 192.168.125.1\n"));
    lxcf_test_rmrf(d);
}

static void test_customise_joint_finds_units_in_usr_root(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *hostusr = lxcf_test_path(d, "hostusr"), *l = NULL;

    t_fake_root(d, r);
    t_fake_usr(hostusr, true);
    lxcf_test_symlink("usr/lib", r, "lib");
    t_customise(r, hostusr, &t_conf);
    assert_true(lxcf_test_exists(r, "etc/systemd/network/50-lxcf-eth0.network"));
    l = lxcf_test_readlink(r, "etc/systemd/system/getty.target.wants/console-getty.service");
    assert_string_equal(l, "/usr/lib/systemd/system/console-getty.service");
    lxcf_test_rmrf(d);
}

static void test_customise_uses_ifupdown_without_networkd(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *st = NULL;

    t_fake_systemd_root(d, r, false);
    t_customise(r, NULL, &t_conf);
    assert_false(lxcf_test_exists(r, "etc/systemd/network/50-lxcf-eth0.network"));
    st = lxcf_test_read_file(r, "etc/network/interfaces.d/lxcf-eth0");
    assert_non_null(strstr(st, "iface eth0 inet static\n"));
    assert_non_null(strstr(st, "address 192.168.125.10/24\n"));
    assert_non_null(strstr(st, "gateway 192.168.125.1\n"));
    lxcf_test_rmrf(d);
}

static void test_customise_writes_ifcfg(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *cfg = NULL;
    lxcf_guest_conf gc = t_conf;

    gc.dns = "9.9.9.9";
    lxcf_test_mkdirs(d, "root/etc/sysconfig/network-scripts");
    lxcf_test_mkdirs(d, "root/usr");
    t_customise(r, NULL, &gc);
    cfg = lxcf_test_read_file(r, "etc/sysconfig/network-scripts/ifcfg-eth0");
    assert_non_null(strstr(cfg, "BOOTPROTO=none\n"));
    assert_non_null(strstr(cfg, "IPADDR=192.168.125.10\n"));
    assert_non_null(strstr(cfg, "PREFIX=24\n"));
    assert_non_null(strstr(cfg, "GATEWAY=192.168.125.1\n"));
    assert_non_null(strstr(cfg, "DNS1=9.9.9.9\n"));
    assert_non_null(strstr(cfg, "ONBOOT=yes\n"));
    lxcf_test_rmrf(d);
}

static void test_customise_masks_units_and_enables_console(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *l = NULL;

    t_fake_systemd_root(d, r, true);
    lxcf_test_write_file(r, "etc/systemd/system/systemd-timesyncd.service", "admin's own copy");
    t_customise(r, NULL, &t_conf);
    for (const char *const *u = lxcf_guest_masked_units; *u; u++) {
        _cleanup_free_ char *rel = lxcf_xasprintf("etc/systemd/system/%s", *u);
        _cleanup_free_ char *t = lxcf_test_readlink(r, rel);
        assert_string_equal(t, "/dev/null");
    }
    l = lxcf_test_readlink(r, "etc/systemd/system/getty.target.wants/console-getty.service");
    assert_string_equal(l, "/usr/lib/systemd/system/console-getty.service");
    lxcf_test_rmrf(d);
}

static void test_customise_fixes_securetty(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *s = NULL;

    t_fake_root(d, r);
    t_customise(r, NULL, &t_conf);
    s = lxcf_test_read_file(r, "etc/securetty");
    assert_string_equal(s, "tty1\nconsole\npts/0\n");
    lxcf_test_rmrf(d);
}

static void test_customise_renames_the_host_in_etc_hosts(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *hosts = NULL;

    t_fake_root(d, r);
    lxcf_test_unlink(r, "etc/hostname");
    lxcf_test_write_file(r, "etc/hostname", "myhost\n");
    lxcf_test_write_file(r, "etc/hosts",
                         "127.0.0.1\tlocalhost\n127.0.1.1\tmyhost.example.com myhost\n"
                         "# myhost is the build server\n10.0.0.5 myhostdb\n");
    t_customise(r, NULL, &t_conf);
    hosts = lxcf_test_read_file(r, "etc/hosts");
    assert_string_equal(hosts, "127.0.0.1\tlocalhost\n127.0.1.1\tweb1.example.com web1\n"
                               "# myhost is the build server\n10.0.0.5 myhostdb\n");
    lxcf_test_rmrf(d);
}

static void test_customise_removes_host_state(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *u = NULL, *l = NULL;

    t_fake_root(d, r);
    t_customise(r, NULL, &t_conf);
    assert_false(lxcf_test_exists(r, "etc/ssh/ssh_host_rsa_key"));
    assert_false(lxcf_test_exists(r, "etc/ssh/ssh_host_rsa_key.pub"));
    assert_false(lxcf_test_exists(r, "etc/ssh/ssh_host_ed25519_key"));
    assert_true(lxcf_test_exists(r, "etc/ssh/sshd_config"));
    assert_false(lxcf_test_exists(r, "var/lib/systemd/random-seed"));
    u = lxcf_test_read_file(r, "etc/systemd/system/lxcf-ssh-keygen.service");
    assert_non_null(strstr(u, "ssh-keygen -A"));
    l = lxcf_test_readlink(r, "etc/systemd/system/multi-user.target.wants/lxcf-ssh-keygen.service");
    assert_string_equal(l, "/etc/systemd/system/lxcf-ssh-keygen.service");
    lxcf_test_rmrf(d);
}

static void test_customise_resolv_conf_kept_or_replaced(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *a = NULL, *b = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_mkdirs(r, "usr");
    lxcf_test_write_file(r, "etc/resolv.conf", "nameserver 10.1.1.1\n");
    assert_int_equal(lxcf_guest_customise(r, NULL, &t_conf, &err), 0);
    a = lxcf_test_read_file(r, "etc/resolv.conf");
    assert_string_equal(a, "nameserver 10.1.1.1\n");
    lxcf_test_write_file(r, "etc/resolv.conf", "nameserver 127.0.0.53\n");
    assert_int_equal(lxcf_guest_customise(r, NULL, &t_conf, &err), 0);
    b = lxcf_test_read_file(r, "etc/resolv.conf");
    assert_non_null(strstr(b, "nameserver 192.168.125.1\n"));
    lxcf_test_rmrf(d);
}

static void test_customise_refuses_symlinked_unit_dir(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *out = lxcf_test_path(d, "hostsystemd");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_mkdirs(d, "hostsystemd/system");
    lxcf_test_mkdirs(r, "etc");
    lxcf_test_mkdirs(r, "usr");
    lxcf_test_symlink(out, r, "etc/systemd");
    assert_int_equal(lxcf_guest_customise(r, NULL, &t_conf, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "symlink"));
    assert_non_null(strstr(err.msg, "web1"));
    assert_true(lxcf_test_dir_empty(out, "system"));
    lxcf_test_rmrf(d);
}

static void test_customise_rejects_bad_conf_and_changes_nothing(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *name = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_guest_conf bad[4] = { t_conf, t_conf, t_conf, t_conf };

    bad[0].name = "-bad";
    bad[1].ipv4 = "192.168.125.300";
    bad[2].prefix = 33;
    bad[3].gateway = "gw";
    lxcf_test_write_file(r, "etc/hostname", "old\n");
    lxcf_test_mkdirs(r, "usr");
    for (size_t i = 0; i < 4; i++) {
        lxcf_error_clear(&err);
        assert_int_equal(lxcf_guest_customise(r, NULL, &bad[i], &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
    }
    assert_int_equal(lxcf_guest_customise(r, NULL, NULL, &err), -1);
    name = lxcf_test_read_file(r, "etc/hostname");
    assert_string_equal(name, "old\n");
    assert_false(lxcf_test_exists(r, "etc/machine-id"));
    lxcf_test_rmrf(d);
}

static void test_customise_missing_root_fails(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "none");
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_guest_customise(r, NULL, &t_conf, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_non_null(strstr(err.msg, "none"));
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customise_writes_identity_not_through_links),
        cmocka_unit_test(test_customise_gives_a_new_machine_id_each_time),
        cmocka_unit_test(test_customise_configures_networkd),
        cmocka_unit_test(test_customise_joint_finds_units_in_usr_root),
        cmocka_unit_test(test_customise_uses_ifupdown_without_networkd),
        cmocka_unit_test(test_customise_writes_ifcfg),
        cmocka_unit_test(test_customise_masks_units_and_enables_console),
        cmocka_unit_test(test_customise_fixes_securetty),
        cmocka_unit_test(test_customise_removes_host_state),
        cmocka_unit_test(test_customise_renames_the_host_in_etc_hosts),
        cmocka_unit_test(test_customise_resolv_conf_kept_or_replaced),
        cmocka_unit_test(test_customise_refuses_symlinked_unit_dir),
        cmocka_unit_test(test_customise_rejects_bad_conf_and_changes_nothing),
        cmocka_unit_test(test_customise_missing_root_fails),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

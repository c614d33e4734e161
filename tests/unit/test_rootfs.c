/* Tests for lib/rootfs, on a small fake host tree made in a temp dir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "rootfs.h"
#include "testutil.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

/* A merged-/usr host in miniature, with the awkward cases in it. */
static void t_fake_host(const char *h)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    _cleanup_free_ char *sock = lxcf_test_path(h, "var/spool/sock");
    int s;

    lxcf_test_write_file(h, "etc/hostname", "host\n");
    lxcf_test_write_file(h, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    lxcf_test_write_file(h, "var/cache/apt/archives/big.deb", "deb");
    lxcf_test_write_file(h, "var/cache/debconf/config.dat", "answers");
    lxcf_test_write_file(h, "var/cache/stray", "x");
    lxcf_test_write_file(h, "var/log/syslog", "lots of log");
    lxcf_test_write_file(h, "var/log/syslog.1", "old");
    lxcf_test_write_file(h, "var/log/dpkg.log.2.gz", "old");
    lxcf_test_write_file(h, "var/log/apt/history.log", "history");
    lxcf_test_write_file(h, "var/log/journal/0123/system.journal", "journal");
    lxcf_test_write_file(h, "var/lib/dpkg/status", "Package: x\n");
    lxcf_test_write_file(h, "var/lib/lxcf/roots/other/etc/x", "another container");
    lxcf_test_write_file(h, "var/tmp/junk", "junk");
    lxcf_test_symlink("/run", h, "var/run");
    lxcf_test_mkdirs(h, "var/spool");
    strcpy(sa.sun_path, sock);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    close(s);
    lxcf_test_write_file(h, "usr/bin/sh", "shell");
    lxcf_test_write_file(h, "usr/lib/libc.so", "libc");
    lxcf_test_mkdirs(h, "usr/sbin");
    lxcf_test_mkdirs(h, "usr/lib64");
    lxcf_test_symlink("usr/bin", h, "bin");
    lxcf_test_symlink("usr/sbin", h, "sbin");
    lxcf_test_symlink("usr/lib", h, "lib");
    lxcf_test_symlink("usr/lib64", h, "lib64");
    lxcf_test_write_file(h, "root/.bashrc", "bashrc");
    lxcf_test_write_file(h, "root/.profile", "profile");
    lxcf_test_write_file(h, "root/secret", "secret");
    lxcf_test_write_file(h, "home/user/file", "x");
    lxcf_test_write_file(h, "boot/vmlinuz", "kernel");
    lxcf_test_write_file(h, "opt/app/x", "x");
    lxcf_test_write_file(h, "tmp/x", "x");
}

/* What the command leaves out of a build: its own state. */
static const char *const t_exclude[] = { "var/lib/lxcf", NULL };

static int t_build(const char *host, const char *dest, lxcf_model m, lxcf_err *err)
{
    return lxcf_rootfs_build(host, dest, m, t_exclude, NULL, NULL, NULL, err);
}

/* Build DEST from HOST (leaving out t_exclude when asked), failing the
 * test when that fails. */
static void t_build_ok(const char *host, const char *dest, lxcf_model m, bool exclude, lxcf_copy_stats *st)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_rootfs_build(host, dest, m, exclude ? t_exclude : NULL, NULL, NULL, st, &err) < 0)
        fail_msg("build: %s", err.msg);
}

/* ---- model ----------------------------------------------------------------- */

static void test_model_strings_round_trip(void **state)
{
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_model m = LXCF_MODEL_JOINT;

    assert_int_equal(lxcf_model_from_string("separate", &m, &err), 0);
    assert_int_equal(m, LXCF_MODEL_SEPARATE);
    assert_string_equal(lxcf_model_to_string(m), "separate");
    assert_int_equal(lxcf_model_from_string("joint", &m, &err), 0);
    assert_string_equal(lxcf_model_to_string(m), "joint");
    assert_int_equal(lxcf_model_from_string("shared", &m, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "shared"));
    assert_int_equal(m, LXCF_MODEL_JOINT);
}

/* ---- build ----------------------------------------------------------------- */

static void test_build_joint_follows_the_layout(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "root");
    _cleanup_free_ char *s1 = NULL, *s2 = NULL, *s3 = NULL, *l = NULL;

    t_fake_host(h);
    t_build_ok(h, r, LXCF_MODEL_JOINT, true, NULL);
    s1 = lxcf_test_read_file(r, "etc/hostname");
    assert_string_equal(s1, "host\n");
    /* var */
    assert_true(lxcf_test_dir_empty(r, "var/cache/apt/archives"));
    assert_false(lxcf_test_exists(r, "var/cache/stray"));
    s2 = lxcf_test_read_file(r, "var/cache/debconf/config.dat");
    assert_string_equal(s2, "answers");
    assert_int_equal(lxcf_test_lstat(r, "var/log/syslog").st_size, 0);
    assert_int_equal(lxcf_test_lstat(r, "var/log/apt/history.log").st_size, 0);
    assert_false(lxcf_test_exists(r, "var/log/syslog.1"));
    assert_false(lxcf_test_exists(r, "var/log/dpkg.log.2.gz"));
    assert_true(lxcf_test_dir_empty(r, "var/log/journal"));
    s3 = lxcf_test_read_file(r, "var/lib/dpkg/status");
    assert_string_equal(s3, "Package: x\n");
    assert_false(lxcf_test_exists(r, "var/lib/lxcf"));
    assert_true(lxcf_test_dir_empty(r, "var/tmp"));
    l = lxcf_test_readlink(r, "var/run");
    assert_string_equal(l, "/run");
    assert_false(lxcf_test_exists(r, "var/spool/sock"));
    /* usr and the lib links */
    assert_true(lxcf_test_dir_empty(r, "usr"));
    free(l);
    l = lxcf_test_readlink(r, "bin");
    assert_string_equal(l, "usr/bin");
    assert_true(S_ISLNK(lxcf_test_lstat(r, "lib64").st_mode));
    assert_false(lxcf_test_exists(r, "lib32"));
    /* empty dirs */
    const char *empty[] = { "dev", "proc", "sys", "run", "tmp", "boot", "home", "media",
                            "mnt", "opt", "srv", NULL };
    for (const char **e = empty; *e; e++)
        assert_true(lxcf_test_dir_empty(r, *e));
    assert_int_equal(lxcf_test_lstat(r, "tmp").st_mode & 07777, 01777);
    /* root's home */
    assert_int_equal(lxcf_test_lstat(r, "root").st_mode & 07777, 0700);
    assert_true(lxcf_test_exists(r, "root/.bashrc"));
    assert_true(lxcf_test_exists(r, "root/.profile"));
    assert_false(lxcf_test_exists(r, "root/secret"));
    assert_false(lxcf_rootfs_is_partial(r));
    assert_false(lxcf_test_exists(r, LXCF_ROOTFS_MARKER));
    lxcf_test_rmrf(d);
}

static void test_build_separate_copies_usr(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "root"), *sh = NULL;
    lxcf_copy_stats st = { 0 };

    t_fake_host(h);
    t_build_ok(h, r, LXCF_MODEL_SEPARATE, false, &st);
    sh = lxcf_test_read_file(r, "usr/bin/sh");
    assert_string_equal(sh, "shell");
    assert_true(lxcf_test_exists(r, "usr/lib/libc.so"));
    assert_true(lxcf_test_exists(r, "etc/passwd"));
    assert_true(st.files > 5);
    assert_true(st.bytes > 0);
    lxcf_test_rmrf(d);
}

/* The host's /etc/hosts is replaced by lxcf itself through a temp file
 * beside it; a build that runs meanwhile must not clone that temp file. */
static void test_build_skips_lxcf_temp_files(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "root");
    lxcf_copy_stats st = { 0 };

    t_fake_host(h);
    lxcf_test_write_file(h, "etc/hosts.lxcf-tmp.AbC123", "half written");
    lxcf_test_write_file(h, "var/lib/x.lxcf-tmp.XyZ789", "half written");
    t_build_ok(h, r, LXCF_MODEL_JOINT, false, &st);
    assert_false(lxcf_test_exists(r, "etc/hosts.lxcf-tmp.AbC123"));
    assert_false(lxcf_test_exists(r, "var/lib/x.lxcf-tmp.XyZ789"));
    assert_true(lxcf_test_exists(r, "etc/passwd"));
    lxcf_test_rmrf(d);
}

static void test_build_copies_real_lib_dirs(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "root");

    lxcf_test_write_file(h, "etc/hostname", "h\n");
    lxcf_test_write_file(h, "bin/sh", "non-merged shell");
    lxcf_test_write_file(h, "lib/libc.so", "libc");
    t_build_ok(h, r, LXCF_MODEL_JOINT, true, NULL);
    assert_true(S_ISDIR(lxcf_test_lstat(r, "bin").st_mode));
    assert_true(lxcf_test_exists(r, "bin/sh"));
    assert_true(lxcf_test_exists(r, "lib/libc.so"));
    assert_false(lxcf_test_exists(r, "sbin"));
    lxcf_test_rmrf(d);
}

static void test_build_excludes_dest_inside_host(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "host/var/lib/roots/web1");

    t_fake_host(h);
    lxcf_test_mkdirs(h, "var/lib/roots");
    t_build_ok(h, r, LXCF_MODEL_JOINT, false, NULL);
    assert_true(lxcf_test_exists(r, "var/lib/dpkg/status"));
    assert_true(lxcf_test_dir_empty(r, "var/lib/roots"));
    lxcf_test_rmrf(d);
}

static void test_build_refuses_nonempty_dest(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "root");
    lxcf_err err = LXCF_ERR_INIT;

    t_fake_host(h);
    lxcf_test_write_file(r, "keep", "x");
    assert_int_equal(t_build(h, r, LXCF_MODEL_JOINT, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, r));
    assert_false(lxcf_test_exists(r, "etc"));
    assert_false(lxcf_test_exists(r, LXCF_ROOTFS_MARKER));
    lxcf_test_rmrf(d);
}

static void test_build_refuses_host_without_etc(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "root");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(h, "usr/bin/sh", "x");
    assert_int_equal(t_build(h, r, LXCF_MODEL_JOINT, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_false(lxcf_test_exists(d, "root"));
    lxcf_test_rmrf(d);
}

static void test_is_partial_sees_marker(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();

    assert_false(lxcf_rootfs_is_partial(d));
    lxcf_test_write_file(d, LXCF_ROOTFS_MARKER, "");
    assert_true(lxcf_rootfs_is_partial(d));
    lxcf_test_rmrf(d);
}

/* ---- clone ----------------------------------------------------------------- */

static void test_clone_copies_a_root(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *h = lxcf_test_path(d, "host"), *r = lxcf_test_path(d, "root"), *c = lxcf_test_path(d, "clone");
    lxcf_err err = LXCF_ERR_INIT;

    t_fake_host(h);
    t_build_ok(h, r, LXCF_MODEL_JOINT, true, NULL);
    if (lxcf_rootfs_clone(r, c, NULL, NULL, NULL, &err) < 0)
        fail_msg("clone: %s", err.msg);
    lxcf_test_assert_same_tree(r, c);
    assert_true(lxcf_test_dir_empty(c, "usr"));
    assert_int_equal(lxcf_test_lstat(c, "tmp").st_mode & 07777, 01777);
    assert_false(lxcf_rootfs_is_partial(c));
    lxcf_test_rmrf(d);
}

static void test_clone_refuses_partial_source(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "root"), *c = lxcf_test_path(d, "clone");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(r, "etc/hostname", "x");
    lxcf_test_write_file(r, LXCF_ROOTFS_MARKER, "");
    assert_int_equal(lxcf_rootfs_clone(r, c, NULL, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "partial"));
    assert_false(lxcf_test_exists(d, "clone"));
    lxcf_test_rmrf(d);
}

/* ---- erase ----------------------------------------------------------------- */

static void test_erase_removes_direct_child(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *roots = lxcf_test_path(d, "roots"), *r = lxcf_test_path(d, "roots/web1");
    _cleanup_free_ char *out = lxcf_test_path(d, "outside");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "outside/f", "keep");
    lxcf_test_write_file(r, "etc/hostname", "web1");
    lxcf_test_symlink(out, r, "etc/link");
    assert_int_equal(lxcf_rootfs_erase(roots, r, &err), 0);
    assert_false(lxcf_test_exists(d, "roots/web1"));
    assert_true(lxcf_test_exists(d, "roots"));
    assert_true(lxcf_test_exists(d, "outside/f"));
    lxcf_test_rmrf(d);
}

static void test_erase_refuses_path_not_directly_under_roots(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *roots = lxcf_test_path(d, "roots");
    _cleanup_free_ char *deep = lxcf_test_path(d, "roots/web1/etc"), *other = lxcf_test_path(d, "other");
    _cleanup_free_ char *dotdot = lxcf_test_path(d, "roots/../other"), *link = lxcf_test_path(d, "roots/lnk");
    lxcf_err err = LXCF_ERR_INIT;
    const char *bad[] = { deep, other, dotdot, roots, link };

    lxcf_test_write_file(d, "roots/web1/etc/hostname", "x");
    lxcf_test_write_file(d, "other/f", "x");
    lxcf_test_symlink(other, roots, "lnk");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lxcf_error_clear(&err);
        assert_int_equal(lxcf_rootfs_erase(roots, bad[i], &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        assert_non_null(strstr(err.msg, "refusing"));
    }
    assert_true(lxcf_test_exists(d, "roots/web1/etc/hostname"));
    assert_true(lxcf_test_exists(d, "other/f"));
    assert_true(lxcf_test_exists(d, "roots/lnk"));
    lxcf_test_rmrf(d);
}

static void test_erase_missing_is_notfound(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *r = lxcf_test_path(d, "none");
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_rootfs_erase(d, r, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    lxcf_test_rmrf(d);
}

static int t_child_erase_mounted(const char *d)
{
    _cleanup_free_ char *roots = lxcf_test_path(d, "roots"), *r = lxcf_test_path(d, "roots/web1");
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_rootfs_erase(roots, r, &err) != -1)
        return 2;
    if (!strstr(err.msg, "web1/usr") || !strstr(err.msg, "mount point"))
        return 3;
    if (!lxcf_test_exists(d, "hostusr/bin/sh") || lxcf_test_exists(d, "roots/web1/etc"))
        return 4;
    return 0;
}

static void test_erase_never_crosses_a_mount_point(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();

    lxcf_test_write_file(d, "hostusr/bin/sh", "host");
    lxcf_test_write_file(d, "roots/web1/etc/hostname", "x");
    lxcf_test_mkdirs(d, "roots/web1/usr");
    assert_int_equal(lxcf_test_in_mountns_bound(d, "hostusr", "roots/web1/usr", MS_RDONLY,
                                                t_child_erase_mounted), 0);
    assert_true(lxcf_test_exists(d, "hostusr/bin/sh"));
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_strings_round_trip),
        cmocka_unit_test(test_build_joint_follows_the_layout),
        cmocka_unit_test(test_build_separate_copies_usr),
        cmocka_unit_test(test_build_skips_lxcf_temp_files),
        cmocka_unit_test(test_build_copies_real_lib_dirs),
        cmocka_unit_test(test_build_excludes_dest_inside_host),
        cmocka_unit_test(test_build_refuses_nonempty_dest),
        cmocka_unit_test(test_build_refuses_host_without_etc),
        cmocka_unit_test(test_is_partial_sees_marker),
        cmocka_unit_test(test_clone_copies_a_root),
        cmocka_unit_test(test_clone_refuses_partial_source),
        cmocka_unit_test(test_erase_removes_direct_child),
        cmocka_unit_test(test_erase_refuses_path_not_directly_under_roots),
        cmocka_unit_test(test_erase_missing_is_notfound),
        cmocka_unit_test(test_erase_never_crosses_a_mount_point),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

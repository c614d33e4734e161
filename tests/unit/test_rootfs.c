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
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

static char *t_tmpdir(void)
{
    char *d = lxcf_xstrdup("/var/tmp/lxcf-test-rootfs-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void t_rm_rf(char *d)
{
    _cleanup_free_ char *cmd = lxcf_xasprintf("rm -rf --one-file-system -- '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

static char *t_path(const char *root, const char *rel)
{
    return lxcf_xasprintf("%s/%s", root, rel);
}

static void t_mkdirs(const char *root, const char *rel)
{
    _cleanup_free_ char *cmd = lxcf_xasprintf("mkdir -p -- '%s/%s'", root, rel);
    assert_int_equal(system(cmd), 0);
}

static void t_put(const char *root, const char *rel, const char *text)
{
    _cleanup_free_ char *p = t_path(root, rel);
    _cleanup_free_ char *dir = lxcf_xstrdup(p);
    FILE *f;

    *strrchr(dir, '/') = '\0';
    t_mkdirs(dir, ".");
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *t_slurp(const char *root, const char *rel)
{
    _cleanup_free_ char *p = t_path(root, rel);
    char *out = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_read_file(p, &out, NULL, &err) < 0)
        return NULL;
    return out;
}

static void t_ln(const char *target, const char *root, const char *rel)
{
    _cleanup_free_ char *p = t_path(root, rel);
    assert_int_equal(symlink(target, p), 0);
}

static struct stat t_lstat(const char *root, const char *rel)
{
    _cleanup_free_ char *p = t_path(root, rel);
    struct stat st;
    if (lstat(p, &st) < 0)
        fail_msg("%s: %s", p, strerror(errno));
    return st;
}

static bool t_exists(const char *root, const char *rel)
{
    _cleanup_free_ char *p = t_path(root, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static bool t_empty_dir(const char *root, const char *rel)
{
    _cleanup_free_ char *p = t_path(root, rel);
    _cleanup_closedir_ DIR *d = opendir(p);
    struct dirent *de;

    assert_non_null(d);
    while ((de = readdir(d)))
        if (!lxcf_streq(de->d_name, ".") && !lxcf_streq(de->d_name, ".."))
            return false;
    return true;
}

static char *t_readlink(const char *root, const char *rel)
{
    _cleanup_free_ char *p = t_path(root, rel);
    char buf[512];
    ssize_t n = readlink(p, buf, sizeof buf - 1);

    assert_true(n > 0);
    buf[n] = '\0';
    return lxcf_xstrdup(buf);
}

/* A merged-/usr host in miniature, with the awkward cases in it. */
static void t_fake_host(const char *h)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    _cleanup_free_ char *sock = t_path(h, "var/spool/sock");
    int s;

    t_put(h, "etc/hostname", "host\n");
    t_put(h, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    t_put(h, "var/cache/apt/archives/big.deb", "deb");
    t_put(h, "var/cache/debconf/config.dat", "answers");
    t_put(h, "var/cache/stray", "x");
    t_put(h, "var/log/syslog", "lots of log");
    t_put(h, "var/log/syslog.1", "old");
    t_put(h, "var/log/dpkg.log.2.gz", "old");
    t_put(h, "var/log/apt/history.log", "history");
    t_put(h, "var/log/journal/0123/system.journal", "journal");
    t_put(h, "var/lib/dpkg/status", "Package: x\n");
    t_put(h, "var/lib/lxcf/roots/other/etc/x", "another container");
    t_put(h, "var/tmp/junk", "junk");
    t_ln("/run", h, "var/run");
    t_mkdirs(h, "var/spool");
    strcpy(sa.sun_path, sock);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    close(s);
    t_put(h, "usr/bin/sh", "shell");
    t_put(h, "usr/lib/libc.so", "libc");
    t_mkdirs(h, "usr/sbin");
    t_mkdirs(h, "usr/lib64");
    t_ln("usr/bin", h, "bin");
    t_ln("usr/sbin", h, "sbin");
    t_ln("usr/lib", h, "lib");
    t_ln("usr/lib64", h, "lib64");
    t_put(h, "root/.bashrc", "bashrc");
    t_put(h, "root/.profile", "profile");
    t_put(h, "root/secret", "secret");
    t_put(h, "home/user/file", "x");
    t_put(h, "boot/vmlinuz", "kernel");
    t_put(h, "opt/app/x", "x");
    t_put(h, "tmp/x", "x");
}

static int t_build(const char *host, const char *dest, lxcf_model m, lxcf_err *err)
{
    static const char *const ex[] = { "var/lib/lxcf", NULL };
    return lxcf_rootfs_build(host, dest, m, ex, NULL, NULL, NULL, err);
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
    char *d = t_tmpdir();
    _cleanup_free_ char *h = t_path(d, "host"), *r = t_path(d, "root");
    _cleanup_free_ char *s1 = NULL, *s2 = NULL, *s3 = NULL, *l = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    t_fake_host(h);
    if (t_build(h, r, LXCF_MODEL_JOINT, &err) < 0)
        fail_msg("build: %s", err.msg);
    s1 = t_slurp(r, "etc/hostname");
    assert_string_equal(s1, "host\n");
    /* var */
    assert_true(t_empty_dir(r, "var/cache/apt/archives"));
    assert_false(t_exists(r, "var/cache/stray"));
    s2 = t_slurp(r, "var/cache/debconf/config.dat");
    assert_string_equal(s2, "answers");
    assert_int_equal(t_lstat(r, "var/log/syslog").st_size, 0);
    assert_int_equal(t_lstat(r, "var/log/apt/history.log").st_size, 0);
    assert_false(t_exists(r, "var/log/syslog.1"));
    assert_false(t_exists(r, "var/log/dpkg.log.2.gz"));
    assert_true(t_empty_dir(r, "var/log/journal"));
    s3 = t_slurp(r, "var/lib/dpkg/status");
    assert_string_equal(s3, "Package: x\n");
    assert_false(t_exists(r, "var/lib/lxcf"));
    assert_true(t_empty_dir(r, "var/tmp"));
    l = t_readlink(r, "var/run");
    assert_string_equal(l, "/run");
    assert_false(t_exists(r, "var/spool/sock"));
    /* usr and the lib links */
    assert_true(t_empty_dir(r, "usr"));
    free(l);
    l = t_readlink(r, "bin");
    assert_string_equal(l, "usr/bin");
    assert_true(S_ISLNK(t_lstat(r, "lib64").st_mode));
    assert_false(t_exists(r, "lib32"));
    /* empty dirs */
    const char *empty[] = { "dev", "proc", "sys", "run", "tmp", "boot", "home", "media",
                            "mnt", "opt", "srv", NULL };
    for (const char **e = empty; *e; e++)
        assert_true(t_empty_dir(r, *e));
    assert_int_equal(t_lstat(r, "tmp").st_mode & 07777, 01777);
    /* root's home */
    assert_int_equal(t_lstat(r, "root").st_mode & 07777, 0700);
    assert_true(t_exists(r, "root/.bashrc"));
    assert_true(t_exists(r, "root/.profile"));
    assert_false(t_exists(r, "root/secret"));
    assert_false(lxcf_rootfs_is_partial(r));
    assert_false(t_exists(r, LXCF_ROOTFS_MARKER));
    t_rm_rf(d);
}

static void test_build_separate_copies_usr(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *h = t_path(d, "host"), *r = t_path(d, "root"), *sh = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_copy_stats st = { 0 };

    t_fake_host(h);
    if (lxcf_rootfs_build(h, r, LXCF_MODEL_SEPARATE, NULL, NULL, NULL, &st, &err) < 0)
        fail_msg("build: %s", err.msg);
    sh = t_slurp(r, "usr/bin/sh");
    assert_string_equal(sh, "shell");
    assert_true(t_exists(r, "usr/lib/libc.so"));
    assert_true(t_exists(r, "etc/passwd"));
    assert_true(st.files > 5);
    assert_true(st.bytes > 0);
    t_rm_rf(d);
}

static void test_build_copies_real_lib_dirs(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *h = t_path(d, "host"), *r = t_path(d, "root");
    lxcf_err err = LXCF_ERR_INIT;

    t_put(h, "etc/hostname", "h\n");
    t_put(h, "bin/sh", "non-merged shell");
    t_put(h, "lib/libc.so", "libc");
    if (t_build(h, r, LXCF_MODEL_JOINT, &err) < 0)
        fail_msg("build: %s", err.msg);
    assert_true(S_ISDIR(t_lstat(r, "bin").st_mode));
    assert_true(t_exists(r, "bin/sh"));
    assert_true(t_exists(r, "lib/libc.so"));
    assert_false(t_exists(r, "sbin"));
    t_rm_rf(d);
}

static void test_build_excludes_dest_inside_host(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *h = t_path(d, "host"), *r = t_path(d, "host/var/lib/roots/web1");
    lxcf_err err = LXCF_ERR_INIT;

    t_fake_host(h);
    t_mkdirs(h, "var/lib/roots");
    if (lxcf_rootfs_build(h, r, LXCF_MODEL_JOINT, NULL, NULL, NULL, NULL, &err) < 0)
        fail_msg("build: %s", err.msg);
    assert_true(t_exists(r, "var/lib/dpkg/status"));
    assert_true(t_empty_dir(r, "var/lib/roots"));
    t_rm_rf(d);
}

static void test_build_refuses_nonempty_dest(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *h = t_path(d, "host"), *r = t_path(d, "root");
    lxcf_err err = LXCF_ERR_INIT;

    t_fake_host(h);
    t_put(r, "keep", "x");
    assert_int_equal(t_build(h, r, LXCF_MODEL_JOINT, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, r));
    assert_false(t_exists(r, "etc"));
    assert_false(t_exists(r, LXCF_ROOTFS_MARKER));
    t_rm_rf(d);
}

static void test_build_refuses_host_without_etc(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *h = t_path(d, "host"), *r = t_path(d, "root");
    lxcf_err err = LXCF_ERR_INIT;

    t_put(h, "usr/bin/sh", "x");
    assert_int_equal(t_build(h, r, LXCF_MODEL_JOINT, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_false(t_exists(d, "root"));
    t_rm_rf(d);
}

static void test_is_partial_sees_marker(void **state)
{
    char *d = t_tmpdir();

    assert_false(lxcf_rootfs_is_partial(d));
    t_put(d, LXCF_ROOTFS_MARKER, "");
    assert_true(lxcf_rootfs_is_partial(d));
    t_rm_rf(d);
}

/* ---- clone ----------------------------------------------------------------- */

static void test_clone_copies_a_root(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *h = t_path(d, "host"), *r = t_path(d, "root"), *c = t_path(d, "clone");
    _cleanup_free_ char *cmd = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    t_fake_host(h);
    if (t_build(h, r, LXCF_MODEL_JOINT, &err) < 0)
        fail_msg("build: %s", err.msg);
    if (lxcf_rootfs_clone(r, c, NULL, NULL, NULL, &err) < 0)
        fail_msg("clone: %s", err.msg);
    cmd = lxcf_xasprintf("diff -r --no-dereference '%s' '%s' >/dev/null", r, c);
    assert_int_equal(system(cmd), 0);
    assert_true(t_empty_dir(c, "usr"));
    assert_int_equal(t_lstat(c, "tmp").st_mode & 07777, 01777);
    assert_false(lxcf_rootfs_is_partial(c));
    t_rm_rf(d);
}

static void test_clone_refuses_partial_source(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *r = t_path(d, "root"), *c = t_path(d, "clone");
    lxcf_err err = LXCF_ERR_INIT;

    t_put(r, "etc/hostname", "x");
    t_put(r, LXCF_ROOTFS_MARKER, "");
    assert_int_equal(lxcf_rootfs_clone(r, c, NULL, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "partial"));
    assert_false(t_exists(d, "clone"));
    t_rm_rf(d);
}

/* ---- erase ----------------------------------------------------------------- */

static void test_erase_removes_direct_child(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *roots = t_path(d, "roots"), *r = t_path(d, "roots/web1");
    _cleanup_free_ char *out = t_path(d, "outside");
    lxcf_err err = LXCF_ERR_INIT;

    t_put(d, "outside/f", "keep");
    t_put(r, "etc/hostname", "web1");
    t_ln(out, r, "etc/link");
    assert_int_equal(lxcf_rootfs_erase(roots, r, &err), 0);
    assert_false(t_exists(d, "roots/web1"));
    assert_true(t_exists(d, "roots"));
    assert_true(t_exists(d, "outside/f"));
    t_rm_rf(d);
}

static void test_erase_refuses_path_not_directly_under_roots(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *roots = t_path(d, "roots");
    _cleanup_free_ char *deep = t_path(d, "roots/web1/etc"), *other = t_path(d, "other");
    _cleanup_free_ char *dotdot = t_path(d, "roots/../other"), *link = t_path(d, "roots/lnk");
    lxcf_err err = LXCF_ERR_INIT;
    const char *bad[] = { deep, other, dotdot, roots, link };

    t_put(d, "roots/web1/etc/hostname", "x");
    t_put(d, "other/f", "x");
    t_ln(other, roots, "lnk");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lxcf_error_clear(&err);
        assert_int_equal(lxcf_rootfs_erase(roots, bad[i], &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        assert_non_null(strstr(err.msg, "refusing"));
    }
    assert_true(t_exists(d, "roots/web1/etc/hostname"));
    assert_true(t_exists(d, "other/f"));
    assert_true(t_exists(d, "roots/lnk"));
    t_rm_rf(d);
}

static void test_erase_missing_is_notfound(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *r = t_path(d, "none");
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_rootfs_erase(d, r, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    t_rm_rf(d);
}

static int t_child_erase_mounted(void *arg)
{
    const char *d = arg;
    _cleanup_free_ char *roots = t_path(d, "roots"), *r = t_path(d, "roots/web1");
    _cleanup_free_ char *usr = t_path(d, "roots/web1/usr"), *hostusr = t_path(d, "hostusr");
    lxcf_err err = LXCF_ERR_INIT;

    if (mount(hostusr, usr, "none", MS_BIND | MS_RDONLY, NULL) < 0)
        return 1;
    if (lxcf_rootfs_erase(roots, r, &err) != -1)
        return 2;
    if (!strstr(err.msg, "web1/usr") || !strstr(err.msg, "mount point"))
        return 3;
    if (!t_exists(d, "hostusr/bin/sh") || t_exists(d, "roots/web1/etc"))
        return 4;
    umount2(usr, MNT_DETACH);
    return 0;
}

static void test_erase_never_crosses_a_mount_point(void **state)
{
    char *d = t_tmpdir();
    pid_t pid;
    int status;

    t_put(d, "hostusr/bin/sh", "host");
    t_put(d, "roots/web1/etc/hostname", "x");
    t_mkdirs(d, "roots/web1/usr");
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
            _exit(100);
        _exit(t_child_erase_mounted(d));
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(t_exists(d, "hostusr/bin/sh"));
    t_rm_rf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_strings_round_trip),
        cmocka_unit_test(test_build_joint_follows_the_layout),
        cmocka_unit_test(test_build_separate_copies_usr),
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
    return cmocka_run_group_tests(tests, NULL, NULL);
}

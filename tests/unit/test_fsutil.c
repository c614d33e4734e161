/* Tests for lib/fsutil: every test works in its own temp dir under /var/tmp
 * and removes it.  Mount tests run in a forked child inside a private mount
 * namespace, so nothing they mount is ever visible to the machine. */
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
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

static char *t_tmpdir(void)
{
    char *d = lxcf_xstrdup("/var/tmp/lxcf-test-fs-XXXXXX");
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
    assert_int_equal(lstat(p, &st), 0);
    return st;
}

static bool t_exists(const char *root, const char *rel)
{
    _cleanup_free_ char *p = t_path(root, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

/* Run FN in a child with its own private mount namespace; the child's exit
 * code (0 = pass) says how it went. */
static int t_in_mountns(int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0) {
        if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
            _exit(100);
        _exit(fn(arg));
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Each path test runs twice: with openat2 and with the O_NOFOLLOW walk. */
static int t_setup_openat2(void **state)
{
    lxcf_fs_set_openat2_disabled(false);
    return 0;
}

static int t_setup_fallback(void **state)
{
    lxcf_fs_set_openat2_disabled(true);
    return 0;
}

static int t_teardown(void **state)
{
    lxcf_fs_set_openat2_disabled(false);
    return 0;
}

/* ---- beneath ------------------------------------------------------------- */

static void test_openat_beneath_refuses_symlink_component(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *root = t_path(d, "root");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    t_put(d, "outside/secret", "host");
    t_mkdirs(root, "etc");
    _cleanup_free_ char *out = t_path(d, "outside");
    t_ln(out, root, "etc/x");
    t_ln("secret2", root, "etc/last");
    rfd = lxcf_fs_open_root(root, &err);
    assert_true(rfd >= 0);
    assert_int_equal(lxcf_fs_openat_beneath(rfd, "etc/x/secret", O_RDONLY, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "symlink"));
    assert_non_null(strstr(err.msg, "etc/x/secret"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_fs_openat_beneath(rfd, "etc/last", O_RDONLY, 0, &err), -1);
    assert_non_null(strstr(err.msg, "symlink"));
    t_rm_rf(d);
}

static void test_openat_beneath_refuses_dotdot(void **state)
{
    char *d = t_tmpdir();
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    t_put(d, "a/f", "x");
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_openat_beneath(rfd, "a/../a/f", O_RDONLY, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    t_rm_rf(d);
}

static void test_openat_beneath_opens_plain_path(void **state)
{
    char *d = t_tmpdir();
    _cleanup_close_ int rfd = -1, fd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    char buf[8] = "";

    t_put(d, "a/b/f", "hello");
    rfd = lxcf_fs_open_root(d, &err);
    fd = lxcf_fs_openat_beneath(rfd, "/a//./b/f", O_RDONLY, 0, &err);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, buf, sizeof buf - 1), 5);
    assert_string_equal(buf, "hello");
    t_rm_rf(d);
}

static void test_openat_in_root_clamps_links_to_root(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *root = t_path(d, "root");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    char buf[16];

    t_put(d, "f", "host");
    t_put(root, "f", "guest");
    t_mkdirs(root, "usr/lib");
    t_put(root, "usr/lib/unit", "unit");
    t_ln("usr/lib", root, "lib");
    t_ln("/f", root, "abs");
    t_ln("../../../../../f", root, "rel");
    rfd = lxcf_fs_open_root(root, &err);
    const char *links[] = { "abs", "rel" };
    for (size_t i = 0; i < 2; i++) {
        _cleanup_close_ int fd = lxcf_fs_openat_in_root(rfd, links[i], O_RDONLY, 0, &err);
        assert_true(fd >= 0);
        memset(buf, 0, sizeof buf);
        assert_int_equal(read(fd, buf, sizeof buf - 1), 5);
        assert_string_equal(buf, "guest");
    }
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "lib/unit", LXCF_FS_IN_ROOT, NULL, &err), 1);
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "lib/unit", LXCF_FS_NOFOLLOW, NULL, &err), -1);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "lib/none", LXCF_FS_IN_ROOT, NULL, &err), 0);
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "nodir/x", LXCF_FS_NOFOLLOW, NULL, &err), 0);
    t_rm_rf(d);
}

static void test_write_beneath_replaces_symlink_not_target(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *root = t_path(d, "root"), *outside = t_path(d, "shadow");
    _cleanup_free_ char *got = NULL, *kept = NULL;
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    t_put(d, "shadow", "host secret\n");
    t_mkdirs(root, "etc");
    t_ln(outside, root, "etc/hosts");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "etc/hosts", "guest\n", 6, 0644, &err), 0);
    kept = t_slurp(d, "shadow");
    assert_string_equal(kept, "host secret\n");
    st = t_lstat(root, "etc/hosts");
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0644);
    got = t_slurp(root, "etc/hosts");
    assert_string_equal(got, "guest\n");
    t_rm_rf(d);
}

static void test_write_beneath_refuses_symlinked_parent(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *root = t_path(d, "root"), *outside = t_path(d, "hostetc");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    t_mkdirs(d, "hostetc");
    t_mkdirs(root, ".");
    t_ln(outside, root, "etc");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "etc/hostname", "x\n", 2, 0644, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "symlink"));
    assert_false(t_exists(d, "hostetc/hostname"));
    t_rm_rf(d);
}

static void test_write_beneath_keeps_owner_and_mode(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *p = t_path(d, "f"), *got = NULL;
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    t_put(d, "f", "old");
    assert_int_equal(chown(p, 1234, 5678), 0);
    assert_int_equal(chmod(p, 0640), 0);
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "f", "new", 3, 0600, &err), 0);
    st = t_lstat(d, "f");
    assert_int_equal(st.st_uid, 1234);
    assert_int_equal(st.st_gid, 5678);
    assert_int_equal(st.st_mode & 07777, 0640);
    got = t_slurp(d, "f");
    assert_string_equal(got, "new");
    t_rm_rf(d);
}

static void test_write_beneath_refuses_directory(void **state)
{
    char *d = t_tmpdir();
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    t_mkdirs(d, "dir/sub");
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "dir", "x", 1, 0644, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "dir"));
    assert_true(S_ISDIR(t_lstat(d, "dir").st_mode));
    assert_true(t_exists(d, "dir/sub"));
    t_rm_rf(d);
}

static void test_read_beneath_reads_file_refuses_link(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *got = NULL;
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    size_t len = 0;

    t_put(d, "a/f", "content");
    t_ln("f", d, "a/l");
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_read_beneath(rfd, "a/f", &got, &len, &err), 0);
    assert_string_equal(got, "content");
    assert_int_equal(len, 7);
    free(lxcf_steal_ptr(got));
    assert_int_equal(lxcf_fs_read_beneath(rfd, "a/l", &got, &len, &err), -1);
    assert_null(got);
    assert_non_null(strstr(err.msg, "symlink"));
    t_rm_rf(d);
}

static void test_mkdir_p_beneath_creates_and_refuses_link(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *out = t_path(d, "out");
    _cleanup_free_ char *root = t_path(d, "root");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    t_mkdirs(d, "out");
    t_mkdirs(root, "a");
    t_ln(out, root, "a/l");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_mkdir_p_beneath(rfd, "a/b/c", 0750, &err), 0);
    assert_true(S_ISDIR(t_lstat(root, "a/b/c").st_mode));
    assert_int_equal(lxcf_fs_mkdir_p_beneath(rfd, "a/b/c", 0750, &err), 0);
    assert_int_equal(lxcf_fs_mkdir_p_beneath(rfd, "a/l/x", 0755, &err), -1);
    assert_non_null(strstr(err.msg, "symlink"));
    assert_false(t_exists(d, "out/x"));
    t_rm_rf(d);
}

static void test_symlink_beneath_replaces_file(void **state)
{
    char *d = t_tmpdir();
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    char buf[64];
    ssize_t n;
    _cleanup_free_ char *p = t_path(d, "u");

    t_put(d, "u", "unit");
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_symlink_beneath(rfd, "/dev/null", "u", &err), 0);
    n = readlink(p, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "/dev/null");
    assert_int_equal(lxcf_fs_symlink_beneath(rfd, "/other", "u", &err), 0);
    n = readlink(p, buf, sizeof buf - 1);
    buf[n] = '\0';
    assert_string_equal(buf, "/other");
    t_mkdirs(d, "dir");
    assert_int_equal(lxcf_fs_symlink_beneath(rfd, "/x", "dir", &err), -1);
    assert_true(S_ISDIR(t_lstat(d, "dir").st_mode));
    t_rm_rf(d);
}

static void test_unlink_beneath_removes_link_not_target(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *root = t_path(d, "root"), *target = t_path(d, "keep");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    t_put(d, "keep", "k");
    t_mkdirs(root, ".");
    t_ln(target, root, "l");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_unlink_beneath(rfd, "l", &err), 1);
    assert_false(t_exists(root, "l"));
    assert_true(t_exists(d, "keep"));
    assert_int_equal(lxcf_fs_unlink_beneath(rfd, "l", &err), 0);
    assert_int_equal(lxcf_fs_unlink_beneath(rfd, "no/such", &err), 0);
    t_rm_rf(d);
}

/* ---- remove_tree ----------------------------------------------------------- */

static void test_remove_tree_does_not_follow_symlinks(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *tree = t_path(d, "tree"), *of = t_path(d, "outside/file");
    _cleanup_free_ char *od = t_path(d, "outside");
    lxcf_err err = LXCF_ERR_INIT;

    t_put(d, "outside/file", "precious");
    t_put(tree, "a/b/f", "x");
    t_ln(of, tree, "a/lfile");
    t_ln(od, tree, "a/b/ldir");
    t_ln("/", tree, "slash");
    assert_int_equal(lxcf_fs_remove_tree(tree, &err), 0);
    assert_false(t_exists(d, "tree"));
    assert_true(t_exists(d, "outside/file"));
    t_rm_rf(d);
}

static void test_remove_tree_of_symlink_removes_only_link(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *od = t_path(d, "outside"), *l = t_path(d, "l");
    lxcf_err err = LXCF_ERR_INIT;

    t_put(d, "outside/file", "precious");
    t_ln(od, d, "l");
    assert_int_equal(lxcf_fs_remove_tree(l, &err), 0);
    assert_false(t_exists(d, "l"));
    assert_true(t_exists(d, "outside/file"));
    t_rm_rf(d);
}

static void test_remove_tree_missing_is_notfound(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *p = t_path(d, "none");
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_fs_remove_tree(p, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_non_null(strstr(err.msg, "none"));
    t_rm_rf(d);
}

/* In the child: 0 pass, other codes say which check failed. */
static int t_child_remove_mount(void *arg)
{
    const char *d = arg;
    _cleanup_free_ char *tree = t_path(d, "tree"), *mnt = t_path(d, "tree/usr");
    _cleanup_free_ char *src = t_path(d, "hostusr");
    lxcf_err err = LXCF_ERR_INIT;

    if (mount(src, mnt, "none", MS_BIND, NULL) < 0)
        return 1;
    if (lxcf_fs_remove_tree(tree, &err) != -1)
        return 2;
    if (!strstr(err.msg, "tree/usr") || !strstr(err.msg, "mount point"))
        return 3;
    if (!t_exists(d, "hostusr/bin/sh") || !t_exists(d, "tree/usr/bin/sh"))
        return 4;
    if (t_exists(d, "tree/etc") || t_exists(d, "tree/var"))
        return 5;
    umount2(mnt, MNT_DETACH);
    return 0;
}

static void test_remove_tree_stops_at_mount_point(void **state)
{
    char *d = t_tmpdir();

    t_put(d, "hostusr/bin/sh", "host shell");
    t_put(d, "tree/etc/hostname", "g");
    t_put(d, "tree/var/lib/x", "g");
    t_mkdirs(d, "tree/usr");
    assert_int_equal(t_in_mountns(t_child_remove_mount, d), 0);
    assert_true(t_exists(d, "hostusr/bin/sh"));
    t_rm_rf(d);
}

/* ---- copy_tree ------------------------------------------------------------- */

static void t_copy(const char *src, const char *dst, const lxcf_copy_opts *o, lxcf_copy_stats *st)
{
    lxcf_err err = LXCF_ERR_INIT;
    int r = lxcf_fs_copy_tree(src, dst, o, st, &err);
    if (r < 0)
        fail_msg("copy failed: %s", err.msg);
}

static void test_copy_tree_preserves_hard_links(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *a = t_path(src, "a/f"), *b = t_path(src, "b/g");
    lxcf_copy_stats st = { 0 };

    t_put(src, "a/f", "data");
    t_mkdirs(src, "b");
    assert_int_equal(link(a, b), 0);
    t_copy(src, dst, NULL, &st);
    assert_int_equal(t_lstat(dst, "a/f").st_ino, t_lstat(dst, "b/g").st_ino);
    assert_int_not_equal(t_lstat(dst, "a/f").st_ino, t_lstat(src, "a/f").st_ino);
    assert_int_equal(t_lstat(dst, "a/f").st_nlink, 2);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.hardlinks, 1);
    t_rm_rf(d);
}

static void test_copy_tree_copies_symlinks_unfollowed(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *od = t_path(d, "outside"), *lp = NULL;
    char buf[256];
    ssize_t n;

    t_put(d, "outside/big", "not to be copied");
    t_mkdirs(src, ".");
    t_ln(od, src, "ldir");
    t_ln("../dangling", src, "lbad");
    t_copy(src, dst, NULL, NULL);
    assert_true(S_ISLNK(t_lstat(dst, "ldir").st_mode));
    lp = t_path(dst, "ldir");
    n = readlink(lp, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, od);
    assert_true(S_ISLNK(t_lstat(dst, "lbad").st_mode));
    t_rm_rf(d);
}

static void test_copy_tree_copies_user_xattrs(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *f = t_path(src, "f"), *g = t_path(dst, "f");
    _cleanup_free_ char *sd = t_path(src, "dir"), *dd = t_path(dst, "dir");
    char buf[32] = "";

    t_put(src, "f", "x");
    t_mkdirs(src, "dir");
    if (setxattr(f, "user.lxcf", "v1", 2, 0) < 0) {
        print_message("skipped: %s has no user xattrs: %s\n", d, strerror(errno));
        t_rm_rf(d);
        skip();
    }
    assert_int_equal(setxattr(sd, "user.dirattr", "dv", 2, 0), 0);
    t_copy(src, dst, NULL, NULL);
    assert_int_equal(getxattr(g, "user.lxcf", buf, sizeof buf), 2);
    assert_memory_equal(buf, "v1", 2);
    assert_int_equal(getxattr(dd, "user.dirattr", buf, sizeof buf), 2);
    assert_memory_equal(buf, "dv", 2);
    t_rm_rf(d);
}

static void test_copy_tree_preserves_times_owner_mode(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *f = t_path(src, "dir/f"), *sd = t_path(src, "dir");
    _cleanup_free_ char *l = t_path(src, "dir/l");
    struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
    struct timespec lts[2] = { { 1100000000, 111 }, { 1100000000, 222 } };
    struct stat a, b;

    t_put(src, "dir/f", "x");
    t_ln("f", src, "dir/l");
    assert_int_equal(chown(f, 4321, 8765), 0);
    assert_int_equal(chmod(f, 04751), 0);
    assert_int_equal(lchown(l, 111, 222), 0);
    assert_int_equal(utimensat(AT_FDCWD, l, lts, AT_SYMLINK_NOFOLLOW), 0);
    assert_int_equal(utimensat(AT_FDCWD, f, ts, 0), 0);
    assert_int_equal(chmod(sd, 0710), 0);
    assert_int_equal(utimensat(AT_FDCWD, sd, ts, 0), 0);
    t_copy(src, dst, NULL, NULL);
    a = t_lstat(src, "dir/f");
    b = t_lstat(dst, "dir/f");
    assert_int_equal(b.st_mtim.tv_sec, a.st_mtim.tv_sec);
    assert_int_equal(b.st_mtim.tv_nsec, a.st_mtim.tv_nsec);
    assert_int_equal(b.st_atim.tv_nsec, a.st_atim.tv_nsec);
    assert_int_equal(a.st_atim.tv_nsec, 123456789); /* the copy left the source's atime */
    assert_int_equal(b.st_uid, 4321);
    assert_int_equal(b.st_gid, 8765);
    assert_int_equal(b.st_mode & 07777, 04751);
    b = t_lstat(dst, "dir");
    assert_int_equal(b.st_mode & 07777, 0710);
    assert_int_equal(b.st_mtim.tv_nsec, 987654321);
    b = t_lstat(dst, "dir/l");
    assert_int_equal(b.st_uid, 111);
    assert_int_equal(b.st_mtim.tv_nsec, 222);
    t_rm_rf(d);
}

static void test_copy_tree_copies_fifo_and_device(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *fifo = t_path(src, "fifo"), *dev = t_path(src, "null");
    lxcf_copy_stats st = { 0 };
    struct stat b;

    t_mkdirs(src, ".");
    assert_int_equal(mkfifo(fifo, 0640), 0);
    assert_int_equal(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
    assert_int_equal(chmod(dev, 0666), 0);
    assert_int_equal(chmod(fifo, 0640), 0);
    t_copy(src, dst, NULL, &st);
    b = t_lstat(dst, "fifo");
    assert_true(S_ISFIFO(b.st_mode));
    assert_int_equal(b.st_mode & 07777, 0640);
    b = t_lstat(dst, "null");
    assert_true(S_ISCHR(b.st_mode));
    assert_int_equal(b.st_rdev, makedev(1, 3));
    assert_int_equal(b.st_mode & 07777, 0666);
    assert_int_equal(st.specials, 2);
    t_rm_rf(d);
}

static void test_copy_tree_skips_sockets(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *sp = t_path(src, "sock");
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    lxcf_copy_stats st = { 0 };
    int s;

    t_mkdirs(src, ".");
    assert_true(strlen(sp) < sizeof sa.sun_path);
    strcpy(sa.sun_path, sp);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    close(s);
    t_put(src, "f", "x");
    t_copy(src, dst, NULL, &st);
    assert_false(t_exists(dst, "sock"));
    assert_true(t_exists(dst, "f"));
    assert_int_equal(st.skipped, 1);
    t_rm_rf(d);
}

static void test_copy_tree_keeps_data_and_holes(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *sp = t_path(src, "sparse"), *big = t_path(src, "big");
    _cleanup_free_ char *cmd = NULL;
    lxcf_copy_stats st = { 0 };
    struct stat b;
    int fd;

    t_mkdirs(src, ".");
    fd = open(sp, O_WRONLY | O_CREAT, 0644);
    assert_int_equal(pwrite(fd, "head", 4, 0), 4);
    assert_int_equal(pwrite(fd, "tail", 4, 64 << 20), 4);
    close(fd);
    cmd = lxcf_xasprintf("head -c 3000000 /dev/urandom > '%s'", big);
    assert_int_equal(system(cmd), 0);
    t_copy(src, dst, NULL, &st);
    b = t_lstat(dst, "sparse");
    assert_int_equal(b.st_size, (64 << 20) + 4);
    assert_true(b.st_blocks * 512 < 1 << 20);
    free(cmd);
    cmd = lxcf_xasprintf("cmp -s '%s' '%s/sparse' && cmp -s '%s' '%s/big'", sp, dst, big, dst);
    assert_int_equal(system(cmd), 0);
    assert_true(st.bytes >= 3000000);
    t_rm_rf(d);
}

static void test_copy_tree_refuses_dst_inside_src(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "src/sub/copy");
    lxcf_err err = LXCF_ERR_INIT;

    t_put(src, "sub/f", "x");
    assert_int_equal(lxcf_fs_copy_tree(src, dst, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "inside"));
    assert_false(t_exists(src, "sub/copy"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_fs_copy_tree(src, src, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    t_rm_rf(d);
}

static void test_copy_tree_allows_dst_inside_excluded_part(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "src/roots/copy");
    const char *ex[] = { "roots", NULL };
    lxcf_copy_opts o = { .exclude = ex };

    t_put(src, "etc/f", "x");
    t_mkdirs(src, "roots");
    t_copy(src, dst, &o, NULL);
    assert_true(t_exists(dst, "etc/f"));
    assert_false(t_exists(dst, "roots"));
    t_rm_rf(d);
}

static void test_copy_tree_refuses_nonempty_dst(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *got = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    t_put(src, "f", "new");
    t_put(dst, "f", "old");
    assert_int_equal(lxcf_fs_copy_tree(src, dst, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "not empty"));
    got = t_slurp(dst, "f");
    assert_string_equal(got, "old");
    t_rm_rf(d);
}

static lxcf_copy_action t_filter(const char *rel, const struct stat *st, void *opaque)
{
    (*(int *)opaque)++;
    return lxcf_streq(rel, "keep/log") ? LXCF_COPY_NO_CONTENTS : LXCF_COPY_ENTRY;
}

static void test_copy_tree_exclude_and_no_contents(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    const char *ex[] = { "/skip/", NULL }, *nc[] = { "cache", NULL };
    int calls = 0;
    lxcf_copy_opts o = { .exclude = ex, .no_contents = nc, .filter = t_filter,
                         .filter_opaque = &calls };
    lxcf_copy_stats st = { 0 };

    t_put(src, "skip/f", "x");
    t_put(src, "cache/sub/f", "x");
    t_put(src, "keep/log", "long log");
    t_put(src, "keep/f", "x");
    t_copy(src, dst, &o, &st);
    assert_false(t_exists(dst, "skip"));
    assert_true(S_ISDIR(t_lstat(dst, "cache").st_mode));
    assert_false(t_exists(dst, "cache/sub"));
    assert_int_equal(t_lstat(dst, "keep/log").st_size, 0);
    assert_int_equal(t_lstat(dst, "keep/f").st_size, 1);
    assert_true(calls >= 2);
    assert_int_equal(st.skipped, 1);
    t_rm_rf(d);
}

static void t_progress(uint64_t bytes, uint64_t files, void *opaque)
{
    uint64_t *last = opaque;
    last[0]++;
    last[1] = bytes;
    last[2] = files;
}

static void test_copy_tree_reports_progress(void **state)
{
    char *d = t_tmpdir();
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    uint64_t seen[3] = { 0 };
    lxcf_copy_opts o = { .progress = t_progress, .progress_opaque = seen };

    t_put(src, "a", "12345");
    t_put(src, "b/c", "678");
    t_copy(src, dst, &o, NULL);
    assert_true(seen[0] >= 1 && seen[0] <= 2);
    assert_int_equal(seen[1], 8);
    assert_int_equal(seen[2], 2);
    t_rm_rf(d);
}

static int t_child_copy_mount(void *arg)
{
    const char *d = arg;
    _cleanup_free_ char *src = t_path(d, "src"), *dst = t_path(d, "dst");
    _cleanup_free_ char *mnt = t_path(d, "src/usr"), *other = t_path(d, "other");
    lxcf_copy_opts o = { .one_file_system = true };
    lxcf_err err = LXCF_ERR_INIT;

    if (mount(other, mnt, "none", MS_BIND, NULL) < 0)
        return 1;
    if (lxcf_fs_copy_tree(src, dst, &o, NULL, &err) < 0)
        return 2;
    if (!t_exists(d, "dst/usr") || t_exists(d, "dst/usr/bin") || !t_exists(d, "dst/etc/f"))
        return 3;
    umount2(mnt, MNT_DETACH);
    return 0;
}

static void test_copy_tree_one_file_system_skips_mounts(void **state)
{
    char *d = t_tmpdir();

    t_put(d, "other/bin/sh", "host");
    t_put(d, "src/etc/f", "x");
    t_mkdirs(d, "src/usr");
    assert_int_equal(t_in_mountns(t_child_copy_mount, d), 0);
    t_rm_rf(d);
}

#define T_PATH_TEST(f)                                                  \
    cmocka_unit_test_setup_teardown(f, t_setup_openat2, t_teardown),     \
    cmocka_unit_test_setup_teardown(f, t_setup_fallback, t_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T_PATH_TEST(test_openat_beneath_refuses_symlink_component),
        T_PATH_TEST(test_openat_beneath_refuses_dotdot),
        T_PATH_TEST(test_openat_beneath_opens_plain_path),
        T_PATH_TEST(test_openat_in_root_clamps_links_to_root),
        T_PATH_TEST(test_write_beneath_replaces_symlink_not_target),
        T_PATH_TEST(test_write_beneath_refuses_symlinked_parent),
        T_PATH_TEST(test_write_beneath_keeps_owner_and_mode),
        T_PATH_TEST(test_write_beneath_refuses_directory),
        T_PATH_TEST(test_read_beneath_reads_file_refuses_link),
        T_PATH_TEST(test_mkdir_p_beneath_creates_and_refuses_link),
        T_PATH_TEST(test_symlink_beneath_replaces_file),
        T_PATH_TEST(test_unlink_beneath_removes_link_not_target),
        cmocka_unit_test(test_remove_tree_does_not_follow_symlinks),
        cmocka_unit_test(test_remove_tree_of_symlink_removes_only_link),
        cmocka_unit_test(test_remove_tree_missing_is_notfound),
        cmocka_unit_test(test_remove_tree_stops_at_mount_point),
        cmocka_unit_test(test_copy_tree_preserves_hard_links),
        cmocka_unit_test(test_copy_tree_copies_symlinks_unfollowed),
        cmocka_unit_test(test_copy_tree_copies_user_xattrs),
        cmocka_unit_test(test_copy_tree_preserves_times_owner_mode),
        cmocka_unit_test(test_copy_tree_copies_fifo_and_device),
        cmocka_unit_test(test_copy_tree_skips_sockets),
        cmocka_unit_test(test_copy_tree_keeps_data_and_holes),
        cmocka_unit_test(test_copy_tree_refuses_dst_inside_src),
        cmocka_unit_test(test_copy_tree_allows_dst_inside_excluded_part),
        cmocka_unit_test(test_copy_tree_refuses_nonempty_dst),
        cmocka_unit_test(test_copy_tree_exclude_and_no_contents),
        cmocka_unit_test(test_copy_tree_reports_progress),
        cmocka_unit_test(test_copy_tree_one_file_system_skips_mounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

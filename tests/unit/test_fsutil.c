/* Tests for lib/base/fsutil: every test works in its own temp dir under
 * /var/tmp and removes it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "testutil.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

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
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *root = lxcf_test_path(d, "root");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "outside/secret", "host");
    lxcf_test_mkdirs(root, "etc");
    _cleanup_free_ char *out = lxcf_test_path(d, "outside");
    lxcf_test_symlink(out, root, "etc/x");
    lxcf_test_symlink("secret2", root, "etc/last");
    rfd = lxcf_fs_open_root(root, &err);
    assert_true(rfd >= 0);
    assert_int_equal(lxcf_fs_openat_beneath(rfd, "etc/x/secret", O_RDONLY, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "symlink"));
    assert_non_null(strstr(err.msg, "etc/x/secret"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_fs_openat_beneath(rfd, "etc/last", O_RDONLY, 0, &err), -1);
    assert_non_null(strstr(err.msg, "symlink"));
    lxcf_test_rmrf(d);
}

static void test_openat_beneath_refuses_dotdot(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "a/f", "x");
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_openat_beneath(rfd, "a/../a/f", O_RDONLY, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    lxcf_test_rmrf(d);
}

static void test_openat_beneath_opens_plain_path(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_close_ int rfd = -1, fd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    char buf[8] = "";

    lxcf_test_write_file(d, "a/b/f", "hello");
    rfd = lxcf_fs_open_root(d, &err);
    fd = lxcf_fs_openat_beneath(rfd, "/a//./b/f", O_RDONLY, 0, &err);
    assert_true(fd >= 0);
    assert_int_equal(read(fd, buf, sizeof buf - 1), 5);
    assert_string_equal(buf, "hello");
    lxcf_test_rmrf(d);
}

static void test_stat_in_root_clamps_links_to_root(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *root = lxcf_test_path(d, "root");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st, guest;

    lxcf_test_write_file(d, "f", "host");
    lxcf_test_write_file(root, "f", "guest");
    lxcf_test_mkdirs(root, "usr/lib");
    lxcf_test_write_file(root, "usr/lib/unit", "unit");
    lxcf_test_symlink("usr/lib", root, "lib");
    lxcf_test_symlink("/f", root, "abs");
    lxcf_test_symlink("../../../../../f", root, "rel");
    rfd = lxcf_fs_open_root(root, &err);
    guest = lxcf_test_lstat(root, "f");
    const char *links[] = { "abs", "rel" };
    for (size_t i = 0; i < 2; i++) {
        /* Both land on the guest's f, never the host's. */
        assert_int_equal(lxcf_fs_stat_beneath(rfd, links[i], LXCF_FS_IN_ROOT, &st, &err), 1);
        assert_int_equal(st.st_ino, guest.st_ino);
    }
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "lib/unit", LXCF_FS_IN_ROOT, NULL, &err), 1);
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "lib/unit", LXCF_FS_NOFOLLOW, NULL, &err), -1);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "lib/none", LXCF_FS_IN_ROOT, NULL, &err), 0);
    assert_int_equal(lxcf_fs_stat_beneath(rfd, "nodir/x", LXCF_FS_NOFOLLOW, NULL, &err), 0);
    lxcf_test_rmrf(d);
}

static void test_write_beneath_replaces_symlink_not_target(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *root = lxcf_test_path(d, "root"), *outside = lxcf_test_path(d, "shadow");
    _cleanup_free_ char *got = NULL, *kept = NULL;
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    lxcf_test_write_file(d, "shadow", "host secret\n");
    lxcf_test_mkdirs(root, "etc");
    lxcf_test_symlink(outside, root, "etc/hosts");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "etc/hosts", "guest\n", 6, 0644, &err), 0);
    kept = lxcf_test_read_file(d, "shadow");
    assert_string_equal(kept, "host secret\n");
    st = lxcf_test_lstat(root, "etc/hosts");
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0644);
    got = lxcf_test_read_file(root, "etc/hosts");
    assert_string_equal(got, "guest\n");
    lxcf_test_rmrf(d);
}

static void test_write_beneath_refuses_symlinked_parent(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *root = lxcf_test_path(d, "root"), *outside = lxcf_test_path(d, "hostetc");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_mkdirs(d, "hostetc");
    lxcf_test_mkdirs(root, ".");
    lxcf_test_symlink(outside, root, "etc");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "etc/hostname", "x\n", 2, 0644, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "symlink"));
    assert_false(lxcf_test_exists(d, "hostetc/hostname"));
    lxcf_test_rmrf(d);
}

static void test_write_beneath_keeps_owner_and_mode(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *p = lxcf_test_path(d, "f"), *got = NULL;
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    lxcf_test_write_file(d, "f", "old");
    assert_int_equal(chown(p, 1234, 5678), 0);
    assert_int_equal(chmod(p, 0640), 0);
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "f", "new", 3, 0600, &err), 0);
    st = lxcf_test_lstat(d, "f");
    assert_int_equal(st.st_uid, 1234);
    assert_int_equal(st.st_gid, 5678);
    assert_int_equal(st.st_mode & 07777, 0640);
    got = lxcf_test_read_file(d, "f");
    assert_string_equal(got, "new");
    lxcf_test_rmrf(d);
}

static void test_write_beneath_refuses_directory(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_mkdirs(d, "dir/sub");
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_write_beneath(rfd, "dir", "x", 1, 0644, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "dir"));
    assert_true(S_ISDIR(lxcf_test_lstat(d, "dir").st_mode));
    assert_true(lxcf_test_exists(d, "dir/sub"));
    lxcf_test_rmrf(d);
}

static void test_stage_beneath_shows_nothing_until_commit(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *got = NULL, *hosts = lxcf_test_path(d, "etc/hosts");
    _cleanup_close_ int rfd = -1;
    lxcf_fs_staged sf = LXCF_FS_STAGED_INIT, dropped = LXCF_FS_STAGED_INIT;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "etc/hosts", "old\n");
    assert_int_equal(chmod(hosts, 0640), 0);
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_stage_beneath(rfd, "etc/hosts", "new\n", 4, 0644, &sf, &err), 0);
    got = lxcf_test_read_file(d, "etc/hosts");
    assert_string_equal(got, "old\n");
    assert_int_equal(lxcf_fs_staged_commit(&sf, &err), 0);
    assert_int_equal(sf.dirfd, -1);
    free(got);
    got = lxcf_test_read_file(d, "etc/hosts");
    assert_string_equal(got, "new\n");
    assert_int_equal(lxcf_test_lstat(d, "etc/hosts").st_mode & 07777, 0640);
    /* Dropped before its commit: the file stays, the temp file goes. */
    assert_int_equal(lxcf_fs_stage_beneath(rfd, "etc/hosts", "x\n", 2, 0644, &dropped, &err), 0);
    lxcf_fs_staged_clear(&dropped);
    lxcf_fs_staged_clear(&dropped);
    free(got);
    got = lxcf_test_read_file(d, "etc/hosts");
    assert_string_equal(got, "new\n");
    lxcf_test_unlink(d, "etc/hosts");
    assert_true(lxcf_test_dir_empty(d, "etc"));
    /* What write_beneath refuses, stage refuses too, staging nothing. */
    lxcf_test_mkdirs(d, "etc/dir");
    assert_int_equal(lxcf_fs_stage_beneath(rfd, "etc/dir", "x", 1, 0644, &sf, &err), -1);
    assert_int_equal(sf.dirfd, -1);
    assert_true(lxcf_test_dir_empty(d, "etc/dir"));
    lxcf_test_rmrf(d);
}

static void test_read_beneath_reads_file_refuses_link(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *got = NULL;
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    size_t len = 0;

    lxcf_test_write_file(d, "a/f", "content");
    lxcf_test_symlink("f", d, "a/l");
    rfd = lxcf_fs_open_root(d, &err);
    assert_int_equal(lxcf_fs_read_beneath(rfd, "a/f", &got, &len, &err), 0);
    assert_string_equal(got, "content");
    assert_int_equal(len, 7);
    free(lxcf_steal_ptr(got));
    assert_int_equal(lxcf_fs_read_beneath(rfd, "a/l", &got, &len, &err), -1);
    assert_null(got);
    assert_non_null(strstr(err.msg, "symlink"));
    lxcf_test_rmrf(d);
}

static void test_mkdir_p_beneath_creates_and_refuses_link(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *out = lxcf_test_path(d, "out");
    _cleanup_free_ char *root = lxcf_test_path(d, "root");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_mkdirs(d, "out");
    lxcf_test_mkdirs(root, "a");
    lxcf_test_symlink(out, root, "a/l");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_mkdir_p_beneath(rfd, "a/b/c", 0750, &err), 0);
    assert_true(S_ISDIR(lxcf_test_lstat(root, "a/b/c").st_mode));
    assert_int_equal(lxcf_fs_mkdir_p_beneath(rfd, "a/b/c", 0750, &err), 0);
    assert_int_equal(lxcf_fs_mkdir_p_beneath(rfd, "a/l/x", 0755, &err), -1);
    assert_non_null(strstr(err.msg, "symlink"));
    assert_false(lxcf_test_exists(d, "out/x"));
    lxcf_test_rmrf(d);
}

static void test_symlink_beneath_replaces_file(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    char buf[64];
    ssize_t n;
    _cleanup_free_ char *p = lxcf_test_path(d, "u");

    lxcf_test_write_file(d, "u", "unit");
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
    lxcf_test_mkdirs(d, "dir");
    assert_int_equal(lxcf_fs_symlink_beneath(rfd, "/x", "dir", &err), -1);
    assert_true(S_ISDIR(lxcf_test_lstat(d, "dir").st_mode));
    lxcf_test_rmrf(d);
}

static void test_unlink_beneath_removes_link_not_target(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *root = lxcf_test_path(d, "root"), *target = lxcf_test_path(d, "keep");
    _cleanup_close_ int rfd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "keep", "k");
    lxcf_test_mkdirs(root, ".");
    lxcf_test_symlink(target, root, "l");
    rfd = lxcf_fs_open_root(root, &err);
    assert_int_equal(lxcf_fs_unlink_beneath(rfd, "l", &err), 1);
    assert_false(lxcf_test_exists(root, "l"));
    assert_true(lxcf_test_exists(d, "keep"));
    assert_int_equal(lxcf_fs_unlink_beneath(rfd, "l", &err), 0);
    assert_int_equal(lxcf_fs_unlink_beneath(rfd, "no/such", &err), 0);
    lxcf_test_rmrf(d);
}

/* ---- mount identity ------------------------------------------------------ */

static void test_ident_tells_mounts_apart_and_never_follows(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_close_ int dfd = -1, pfd = -1;
    lxcf_fs_id top, f, l, proc;

    lxcf_test_write_file(d, "f", "x");
    lxcf_test_symlink("/proc", d, "l");
    dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    pfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dfd >= 0 && pfd >= 0);
    assert_int_equal(lxcf_fs_ident(dfd, "", &top), 0);
    assert_int_equal(lxcf_fs_ident(dfd, "f", &f), 0);
    assert_int_equal(lxcf_fs_ident(dfd, "l", &l), 0);
    assert_int_equal(lxcf_fs_ident(pfd, "", &proc), 0);
    assert_true(S_ISDIR(top.mode));
    assert_true(S_ISREG(f.mode));
    assert_int_equal(f.ino, lxcf_test_lstat(d, "f").st_ino);
    assert_true(S_ISLNK(l.mode));
    assert_true(lxcf_fs_same_mount(&top, &f));
    assert_true(lxcf_fs_same_mount(&top, &l));
    assert_false(lxcf_fs_same_mount(&top, &proc));
    assert_int_equal(lxcf_fs_ident(dfd, "none", &f), -1);
    assert_int_equal(errno, ENOENT);
    lxcf_test_rmrf(d);
}

/* Both kinds of sync succeed on a directory, and a missing one is one
 * error naming it, not a crash on the bad descriptor. */
static void test_sync_dir_syncs_or_names_the_directory(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *none = lxcf_test_path(d, "none");
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_fs_sync_dir(d, false, &err), 0);
    assert_int_equal(lxcf_fs_sync_dir(d, true, &err), 0);
    assert_int_equal(lxcf_fs_sync_dir(none, true, &err), -1);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_non_null(strstr(err.msg, none));
    lxcf_test_rmrf(d);
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
        T_PATH_TEST(test_stat_in_root_clamps_links_to_root),
        T_PATH_TEST(test_write_beneath_replaces_symlink_not_target),
        T_PATH_TEST(test_write_beneath_refuses_symlinked_parent),
        T_PATH_TEST(test_write_beneath_keeps_owner_and_mode),
        T_PATH_TEST(test_write_beneath_refuses_directory),
        T_PATH_TEST(test_stage_beneath_shows_nothing_until_commit),
        T_PATH_TEST(test_read_beneath_reads_file_refuses_link),
        T_PATH_TEST(test_mkdir_p_beneath_creates_and_refuses_link),
        T_PATH_TEST(test_symlink_beneath_replaces_file),
        T_PATH_TEST(test_unlink_beneath_removes_link_not_target),
        cmocka_unit_test(test_ident_tells_mounts_apart_and_never_follows),
        cmocka_unit_test(test_sync_dir_syncs_or_names_the_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

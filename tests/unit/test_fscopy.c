/* Tests for lib/base/fscopy: every test works in its own temp dir under
 * /var/tmp and removes it.  Mount tests run in a forked child inside a
 * private mount namespace, so nothing they mount is ever visible to the
 * machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy.h"
#include "testutil.h"
#include "util.h"

static void t_copy(const char *src, const char *dst, const lxcf_copy_opts *o, lxcf_copy_stats *st)
{
    lxcf_err err = LXCF_ERR_INIT;
    int r = lxcf_fs_copy_tree(src, dst, o, st, &err);
    if (r < 0)
        fail_msg("copy failed: %s", err.msg);
}

static bool t_same_bytes(const char *a, const char *b, const char *rel)
{
    _cleanup_free_ char *x = lxcf_test_path(a, rel), *y = lxcf_test_path(b, rel);
    _cleanup_free_ char *dx = NULL, *dy = NULL;
    _cleanup_close_ int fx = open(x, O_RDONLY | O_CLOEXEC), fy = open(y, O_RDONLY | O_CLOEXEC);
    size_t nx = 0, ny = 0;

    if (fx < 0 || fy < 0 || lxcf_read_fd(fx, &dx, &nx) < 0 || lxcf_read_fd(fy, &dy, &ny) < 0)
        return false;
    return nx == ny && memcmp(dx, dy, nx) == 0;
}

static void test_copy_tree_preserves_hard_links(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *a = lxcf_test_path(src, "a/f"), *b = lxcf_test_path(src, "b/g");
    lxcf_copy_stats st = { 0 };

    lxcf_test_write_file(src, "a/f", "data");
    lxcf_test_mkdirs(src, "b");
    assert_int_equal(link(a, b), 0);
    t_copy(src, dst, NULL, &st);
    assert_int_equal(lxcf_test_lstat(dst, "a/f").st_ino, lxcf_test_lstat(dst, "b/g").st_ino);
    assert_int_not_equal(lxcf_test_lstat(dst, "a/f").st_ino, lxcf_test_lstat(src, "a/f").st_ino);
    assert_int_equal(lxcf_test_lstat(dst, "a/f").st_nlink, 2);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.hardlinks, 1);
    lxcf_test_rmrf(d);
}

static void test_copy_tree_copies_symlinks_unfollowed(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *od = lxcf_test_path(d, "outside"), *lp = NULL;
    char buf[256];
    ssize_t n;

    lxcf_test_write_file(d, "outside/big", "not to be copied");
    lxcf_test_mkdirs(src, ".");
    lxcf_test_symlink(od, src, "ldir");
    lxcf_test_symlink("../dangling", src, "lbad");
    t_copy(src, dst, NULL, NULL);
    assert_true(S_ISLNK(lxcf_test_lstat(dst, "ldir").st_mode));
    lp = lxcf_test_path(dst, "ldir");
    n = readlink(lp, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, od);
    assert_true(S_ISLNK(lxcf_test_lstat(dst, "lbad").st_mode));
    lxcf_test_rmrf(d);
}

static void test_copy_tree_copies_user_xattrs(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *f = lxcf_test_path(src, "f"), *g = lxcf_test_path(dst, "f");
    _cleanup_free_ char *sd = lxcf_test_path(src, "dir"), *dd = lxcf_test_path(dst, "dir");
    char buf[32] = "";

    lxcf_test_write_file(src, "f", "x");
    lxcf_test_mkdirs(src, "dir");
    if (setxattr(f, "user.lxcf", "v1", 2, 0) < 0) {
        print_message("skipped: %s has no user xattrs: %s\n", d, strerror(errno));
        lxcf_test_rmrf(d);
        skip();
    }
    assert_int_equal(setxattr(sd, "user.dirattr", "dv", 2, 0), 0);
    t_copy(src, dst, NULL, NULL);
    assert_int_equal(getxattr(g, "user.lxcf", buf, sizeof buf), 2);
    assert_memory_equal(buf, "v1", 2);
    assert_int_equal(getxattr(dd, "user.dirattr", buf, sizeof buf), 2);
    assert_memory_equal(buf, "dv", 2);
    lxcf_test_rmrf(d);
}

static void test_copy_tree_preserves_times_owner_mode(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *f = lxcf_test_path(src, "dir/f"), *sd = lxcf_test_path(src, "dir");
    _cleanup_free_ char *l = lxcf_test_path(src, "dir/l");
    struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
    struct timespec lts[2] = { { 1100000000, 111 }, { 1100000000, 222 } };
    struct stat a, b;

    lxcf_test_write_file(src, "dir/f", "x");
    lxcf_test_symlink("f", src, "dir/l");
    assert_int_equal(chown(f, 4321, 8765), 0);
    assert_int_equal(chmod(f, 04751), 0);
    assert_int_equal(lchown(l, 111, 222), 0);
    assert_int_equal(utimensat(AT_FDCWD, l, lts, AT_SYMLINK_NOFOLLOW), 0);
    assert_int_equal(utimensat(AT_FDCWD, f, ts, 0), 0);
    assert_int_equal(chmod(sd, 0710), 0);
    assert_int_equal(utimensat(AT_FDCWD, sd, ts, 0), 0);
    t_copy(src, dst, NULL, NULL);
    a = lxcf_test_lstat(src, "dir/f");
    b = lxcf_test_lstat(dst, "dir/f");
    assert_int_equal(b.st_mtim.tv_sec, a.st_mtim.tv_sec);
    assert_int_equal(b.st_mtim.tv_nsec, a.st_mtim.tv_nsec);
    assert_int_equal(b.st_atim.tv_nsec, a.st_atim.tv_nsec);
    assert_int_equal(a.st_atim.tv_nsec, 123456789); /* the copy left the source's atime */
    assert_int_equal(b.st_uid, 4321);
    assert_int_equal(b.st_gid, 8765);
    assert_int_equal(b.st_mode & 07777, 04751);
    b = lxcf_test_lstat(dst, "dir");
    assert_int_equal(b.st_mode & 07777, 0710);
    assert_int_equal(b.st_mtim.tv_nsec, 987654321);
    b = lxcf_test_lstat(dst, "dir/l");
    assert_int_equal(b.st_uid, 111);
    assert_int_equal(b.st_mtim.tv_nsec, 222);
    lxcf_test_rmrf(d);
}

static void test_copy_tree_copies_fifo_and_device(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *fifo = lxcf_test_path(src, "fifo"), *dev = lxcf_test_path(src, "null");
    lxcf_copy_stats st = { 0 };
    struct stat b;

    lxcf_test_mkdirs(src, ".");
    assert_int_equal(mkfifo(fifo, 0640), 0);
    assert_int_equal(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
    assert_int_equal(chmod(dev, 0666), 0);
    assert_int_equal(chmod(fifo, 0640), 0);
    t_copy(src, dst, NULL, &st);
    b = lxcf_test_lstat(dst, "fifo");
    assert_true(S_ISFIFO(b.st_mode));
    assert_int_equal(b.st_mode & 07777, 0640);
    b = lxcf_test_lstat(dst, "null");
    assert_true(S_ISCHR(b.st_mode));
    assert_int_equal(b.st_rdev, makedev(1, 3));
    assert_int_equal(b.st_mode & 07777, 0666);
    assert_int_equal(st.specials, 2);
    lxcf_test_rmrf(d);
}

static void test_copy_tree_skips_sockets(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *sp = lxcf_test_path(src, "sock");
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    lxcf_copy_stats st = { 0 };
    int s;

    lxcf_test_mkdirs(src, ".");
    assert_true(strlen(sp) < sizeof sa.sun_path);
    strcpy(sa.sun_path, sp);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    close(s);
    lxcf_test_write_file(src, "f", "x");
    t_copy(src, dst, NULL, &st);
    assert_false(lxcf_test_exists(dst, "sock"));
    assert_true(lxcf_test_exists(dst, "f"));
    assert_int_equal(st.skipped, 1);
    lxcf_test_rmrf(d);
}

static void test_copy_tree_keeps_data_and_holes(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *sp = lxcf_test_path(src, "sparse"), *big = lxcf_test_path(src, "big");
    _cleanup_free_ char *data = NULL;
    const size_t bigsz = 3000000;
    lxcf_copy_stats st = { 0 };
    struct stat b;
    int fd;

    lxcf_test_mkdirs(src, ".");
    fd = open(sp, O_WRONLY | O_CREAT, 0644);
    assert_int_equal(pwrite(fd, "head", 4, 0), 4);
    assert_int_equal(pwrite(fd, "tail", 4, 64 << 20), 4);
    close(fd);
    data = lxcf_xmalloc(bigsz);
    for (size_t i = 0; i < bigsz; i++)
        data[i] = (char)(i * 2654435761u >> 13);
    fd = open(big, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(lxcf_write_all(fd, data, bigsz), 0);
    close(fd);
    t_copy(src, dst, NULL, &st);
    b = lxcf_test_lstat(dst, "sparse");
    assert_int_equal(b.st_size, (64 << 20) + 4);
    assert_true(b.st_blocks * 512 < 1 << 20);
    assert_true(t_same_bytes(src, dst, "sparse") && t_same_bytes(src, dst, "big"));
    assert_true(st.bytes >= 3000000);
    lxcf_test_rmrf(d);
}

static void test_copy_tree_refuses_dst_inside_src(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "src/sub/copy");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(src, "sub/f", "x");
    assert_int_equal(lxcf_fs_copy_tree(src, dst, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "inside"));
    assert_false(lxcf_test_exists(src, "sub/copy"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_fs_copy_tree(src, src, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_test_rmrf(d);
}

static void test_copy_tree_allows_dst_inside_excluded_part(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "src/roots/copy");
    const char *ex[] = { "roots", NULL };
    lxcf_copy_opts o = { .exclude = ex };

    lxcf_test_write_file(src, "etc/f", "x");
    lxcf_test_mkdirs(src, "roots");
    t_copy(src, dst, &o, NULL);
    assert_true(lxcf_test_exists(dst, "etc/f"));
    assert_false(lxcf_test_exists(dst, "roots"));
    lxcf_test_rmrf(d);
}

static void test_copy_tree_refuses_nonempty_dst(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *got = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(src, "f", "new");
    lxcf_test_write_file(dst, "f", "old");
    assert_int_equal(lxcf_fs_copy_tree(src, dst, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "not empty"));
    got = lxcf_test_read_file(dst, "f");
    assert_string_equal(got, "old");
    lxcf_test_rmrf(d);
}

static lxcf_copy_action t_filter(const char *rel, const struct stat *st, void *opaque)
{
    (*(int *)opaque)++;
    return lxcf_streq(rel, "keep/log") ? LXCF_COPY_NO_CONTENTS : LXCF_COPY_ENTRY;
}

static void test_copy_tree_exclude_and_no_contents(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    const char *ex[] = { "/skip/", NULL }, *nc[] = { "cache", NULL };
    int calls = 0;
    lxcf_copy_opts o = { .exclude = ex, .no_contents = nc, .filter = t_filter,
                         .filter_opaque = &calls };
    lxcf_copy_stats st = { 0 };

    lxcf_test_write_file(src, "skip/f", "x");
    lxcf_test_write_file(src, "cache/sub/f", "x");
    lxcf_test_write_file(src, "keep/log", "long log");
    lxcf_test_write_file(src, "keep/f", "x");
    t_copy(src, dst, &o, &st);
    assert_false(lxcf_test_exists(dst, "skip"));
    assert_true(S_ISDIR(lxcf_test_lstat(dst, "cache").st_mode));
    assert_false(lxcf_test_exists(dst, "cache/sub"));
    assert_int_equal(lxcf_test_lstat(dst, "keep/log").st_size, 0);
    assert_int_equal(lxcf_test_lstat(dst, "keep/f").st_size, 1);
    assert_true(calls >= 2);
    assert_int_equal(st.skipped, 1);
    lxcf_test_rmrf(d);
}

static void t_progress(uint64_t bytes, uint64_t files, void *opaque)
{
    uint64_t *last = opaque;
    last[0]++;
    last[1] = bytes;
    last[2] = files;
}

/* A tree wide enough that several workers fill it at once: NDIRS
 * directories of NFILES files, a symlink and a fifo in each, and an inode
 * with names in every directory.  Every directory gets its own mtime
 * (its atime the copy's readdir may move), so a directory an entry was
 * created in after its metadata was set would show. */
#define T_NDIRS 12
#define T_NFILES 40

static void t_wide_tree(const char *src)
{
    char rel[64], rel2[64];

    for (int i = 0; i < T_NDIRS; i++) {
        for (int j = 0; j < T_NFILES; j++) {
            snprintf(rel, sizeof rel, "d%d/f%d", i, j);
            lxcf_test_write_file(src, rel, rel);
        }
        snprintf(rel, sizeof rel, "d%d/l", i);
        lxcf_test_symlink("f0", src, rel);
        snprintf(rel, sizeof rel, "d%d/sub/deeper", i);
        lxcf_test_write_file(src, rel, "x");
        snprintf(rel, sizeof rel, "%s/d%d/p", src, i);
        assert_int_equal(mkfifo(rel, 0640), 0);
    }
    /* d0/f1 has a name in every directory, the top included. */
    for (int i = 1; i < T_NDIRS; i++) {
        snprintf(rel, sizeof rel, "%s/d0/f1", src);
        snprintf(rel2, sizeof rel2, "%s/d%d/h", src, i);
        assert_int_equal(link(rel, rel2), 0);
    }
    snprintf(rel, sizeof rel, "%s/d0/f1", src);
    snprintf(rel2, sizeof rel2, "%s/h", src);
    assert_int_equal(link(rel, rel2), 0);
    for (int i = 0; i < T_NDIRS; i++) {
        struct timespec ts[2] = { { 1000000000 + i, 1000 + i }, { 1100000000 + i, 2000 + i } };
        snprintf(rel, sizeof rel, "%s/d%d/sub", src, i);
        assert_int_equal(utimensat(AT_FDCWD, rel, ts, 0), 0);
        snprintf(rel, sizeof rel, "%s/d%d", src, i);
        assert_int_equal(chmod(rel, 0700 + i % 8), 0);
        assert_int_equal(utimensat(AT_FDCWD, rel, ts, 0), 0);
    }
    assert_int_equal(utimensat(AT_FDCWD, src, (struct timespec[2]){ { 5, 6 }, { 7, 8 } }, 0), 0);
}

static void t_same_dir_times(const char *a, const char *b, const char *rel)
{
    struct stat x = lxcf_test_lstat(a, rel), y = lxcf_test_lstat(b, rel);

    assert_int_equal(y.st_mtim.tv_sec, x.st_mtim.tv_sec);
    assert_int_equal(y.st_mtim.tv_nsec, x.st_mtim.tv_nsec);
    assert_int_equal(y.st_mode, x.st_mode);
}

/* Workers or not, the same copy: names, types, modes, bytes, links, the
 * times of every directory, the counters. */
static void test_copy_tree_workers_copy_the_same(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *one = lxcf_test_path(d, "one");
    _cleanup_free_ char *many = lxcf_test_path(d, "many");
    _cleanup_free_ char *s1 = NULL, *s2 = NULL;
    lxcf_copy_stats a = { 0 }, b = { 0 };
    lxcf_copy_opts o1 = { .workers = 1 }, o4 = { .workers = 4 };
    char rel[64];

    t_wide_tree(src);
    t_copy(src, one, &o1, &a);
    t_copy(src, many, &o4, &b);
    lxcf_test_assert_same_tree(one, many);
    lxcf_test_assert_same_tree(src, many);
    s1 = lxcf_test_tree_snapshot(one);
    s2 = lxcf_test_tree_snapshot(many);
    assert_string_equal(s1, s2);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(b.files, T_NDIRS * (T_NFILES + 1));
    assert_int_equal(b.hardlinks, T_NDIRS);
    assert_int_equal(b.dirs, 1 + 2 * T_NDIRS);
    assert_int_equal(b.specials, T_NDIRS);
    assert_int_equal(lxcf_test_lstat(many, "h").st_nlink, T_NDIRS + 1);
    assert_int_equal(lxcf_test_lstat(many, "h").st_ino, lxcf_test_lstat(many, "d0/f1").st_ino);
    assert_int_equal(lxcf_test_lstat(many, "h").st_ino, lxcf_test_lstat(many, "d7/h").st_ino);
    t_same_dir_times(src, many, ".");
    for (int i = 0; i < T_NDIRS; i++) {
        snprintf(rel, sizeof rel, "d%d", i);
        t_same_dir_times(src, many, rel);
        snprintf(rel, sizeof rel, "d%d/sub", i);
        t_same_dir_times(src, many, rel);
    }
    lxcf_test_rmrf(d);
}

static void t_count_progress(uint64_t bytes, uint64_t files, void *opaque)
{
    uint64_t *seen = opaque;
    seen[0] = bytes;
    seen[1] = files;
}

/* The counters the workers add reach the caller's stats (added to what
 * they held) and the last progress call. */
static void test_copy_tree_workers_count_into_stats_and_progress(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    uint64_t seen[2] = { 0 };
    lxcf_copy_stats st = { .files = 1000, .bytes = 7 };
    lxcf_copy_opts o = { .workers = 3, .progress = t_count_progress, .progress_opaque = seen };

    t_wide_tree(src);
    t_copy(src, dst, &o, &st);
    assert_int_equal(st.files, 1000 + T_NDIRS * (T_NFILES + 1));
    assert_int_equal(seen[1], st.files);
    assert_int_equal(seen[0], st.bytes);
    lxcf_test_rmrf(d);
}

/* One worker fails (a clash in a merge): that failure is the copy's
 * error, named by its path, and the copy stops. */
static void test_copy_tree_worker_failure_is_the_error(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *want = lxcf_test_path(src, "t17: cannot create the copy of");
    _cleanup_free_ char *kept = NULL;
    lxcf_copy_opts o = { .workers = 4, .merge = true };
    lxcf_err err = LXCF_ERR_INIT;
    char rel[16];

    for (int i = 0; i < 40; i++) {
        snprintf(rel, sizeof rel, "t%d", i);
        lxcf_test_write_file(src, rel, rel);
    }
    lxcf_test_write_file(dst, "t17", "in the way");
    assert_int_equal(lxcf_fs_copy_tree(src, dst, &o, NULL, &err), -1);
    assert_true(lxcf_startswith(err.msg, want));
    assert_int_equal(err.sys_errno, EEXIST);
    kept = lxcf_test_read_file(dst, "t17");
    assert_string_equal(kept, "in the way");
    lxcf_test_rmrf(d);
}

static void test_copy_tree_reports_progress(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    uint64_t seen[3] = { 0 };
    lxcf_copy_opts o = { .progress = t_progress, .progress_opaque = seen };

    lxcf_test_write_file(src, "a", "12345");
    lxcf_test_write_file(src, "b/c", "678");
    t_copy(src, dst, &o, NULL);
    assert_true(seen[0] >= 1 && seen[0] <= 2);
    assert_int_equal(seen[1], 8);
    assert_int_equal(seen[2], 2);
    lxcf_test_rmrf(d);
}

static int t_child_copy_mount(const char *d)
{
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    lxcf_copy_opts o = { .one_file_system = true };
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_fs_copy_tree(src, dst, &o, NULL, &err) < 0)
        return 2;
    if (!lxcf_test_exists(d, "dst/usr") || lxcf_test_exists(d, "dst/usr/bin") || !lxcf_test_exists(d, "dst/etc/f"))
        return 3;
    return 0;
}

static void test_copy_tree_one_file_system_skips_mounts(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();

    lxcf_test_write_file(d, "other/bin/sh", "host");
    lxcf_test_write_file(d, "src/etc/f", "x");
    lxcf_test_mkdirs(d, "src/usr");
    assert_int_equal(lxcf_test_in_mountns_bound(d, "other", "src/usr", 0, t_child_copy_mount), 0);
    lxcf_test_rmrf(d);
}

/* ---- copy_tree on reflink filesystems ------------------------------------ */

/* Each test makes a filesystem on a sparse image in its temp dir and mounts
 * it in a child's private mount namespace, on a loop device that detaches
 * itself when that mount goes (with the namespace, if the child dies).
 * The child uses no cmocka calls: it answers by exit code. */

typedef struct t_reflink {
    const char *dir;    /* the test's temp dir: image and mount point in it */
    const char *fstype; /* "xfs" or "btrfs" */
    bool nocow_first;   /* btrfs: a NOCOW file first in the source */
} t_reflink;

/* Attach IMG to a free loop device (autoclear) and mount it on MNT. */
static int t_loop_mount(const char *img, const char *mnt, const char *fstype)
{
    _cleanup_close_ int ctl = -1, ifd = -1;

    ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    ifd = open(img, O_RDWR | O_CLOEXEC);
    if (ctl < 0 || ifd < 0)
        return -1;
    /* Another process may take the free device between the two calls. */
    for (int tries = 0; tries < 10; tries++) {
        struct loop_info64 info = { .lo_flags = LO_FLAGS_AUTOCLEAR };
        _cleanup_close_ int lfd = -1;
        char dev[64];
        int n = ioctl(ctl, LOOP_CTL_GET_FREE);

        if (n < 0)
            return -1;
        snprintf(dev, sizeof dev, "/dev/loop%d", n);
        lfd = open(dev, O_RDWR | O_CLOEXEC);
        if (lfd < 0)
            return -1;
        if (ioctl(lfd, LOOP_SET_FD, ifd) < 0) {
            if (errno == EBUSY)
                continue;
            return -1;
        }
        if (ioctl(lfd, LOOP_SET_STATUS64, &info) < 0 || mount(dev, mnt, fstype, 0, NULL) < 0) {
            ioctl(lfd, LOOP_CLR_FD, 0);
            return -1;
        }
        return 0; /* closing lfd leaves the mount holding the device */
    }
    return -1;
}

static int t_put(const char *root, const char *rel, const char *data, size_t len, bool nocow)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    _cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int flags = 0;

    if (fd < 0)
        return -1;
    /* NOCOW only takes on a file that has no data yet. */
    if (nocow && (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ||
                  (flags |= FS_NOCOW_FL, ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)))
        return -1;
    return lxcf_write_all(fd, data, len) < 0 ? -1 : 0;
}

/* 1: every extent of ROOT/REL is shared with another file; 0: not; -1. */
static int t_all_shared(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
    _cleanup_free_ struct fiemap *fm = NULL;
    const unsigned max = 64;

    if (fd < 0)
        return -1;
    fm = lxcf_xcalloc(1, sizeof *fm + max * sizeof(struct fiemap_extent));
    fm->fm_length = FIEMAP_MAX_OFFSET;
    fm->fm_flags = FIEMAP_FLAG_SYNC;
    fm->fm_extent_count = max;
    if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0 || fm->fm_mapped_extents == 0)
        return -1;
    for (unsigned i = 0; i < fm->fm_mapped_extents; i++)
        if (!(fm->fm_extents[i].fe_flags & FIEMAP_EXTENT_SHARED))
            return 0;
    return 1;
}

static uint64_t t_free_bytes(const char *path)
{
    struct statfs sf;

    return statfs(path, &sf) < 0 ? 0 : (uint64_t)sf.f_bfree * (uint64_t)sf.f_bsize;
}

/* In the child: 0 pass, 77 the filesystem could not be mounted here,
 * other codes say which check failed. */
static int t_child_reflink(void *arg)
{
    const t_reflink *t = arg;
    _cleanup_free_ char *img = lxcf_test_path(t->dir, "fs.img"), *mnt = lxcf_test_path(t->dir, "mnt");
    _cleanup_free_ char *src = lxcf_test_path(mnt, "src"), *dst = lxcf_test_path(mnt, "dst");
    _cleanup_free_ char *big = NULL, *link_a = NULL, *link_b = NULL, *sub = NULL;
    _cleanup_close_ int mfd = -1;
    const size_t bigsz = (8u << 20) + 3000; /* not a multiple of any block size */
    lxcf_copy_stats st = { 0 };
    lxcf_err err = LXCF_ERR_INIT;
    uint64_t before, after;
    int r = 0;

    if (t_loop_mount(img, mnt, t->fstype) < 0)
        return 77;
    big = lxcf_xmalloc(bigsz);
    for (size_t i = 0; i < bigsz; i++)
        big[i] = (char)(i * 2654435761u >> 13);
    sub = lxcf_test_path(src, "etc");
    link_a = lxcf_test_path(src, "etc/big");
    link_b = lxcf_test_path(src, "big-link");
    if (mkdir(src, 0755) < 0 || mkdir(sub, 0755) < 0)
        r = 1;
    /* btrfs reads a directory in creation order: the NOCOW file is met
     * first, so a FICLONE refusal that stuck would cost every later file. */
    else if (t->nocow_first && t_put(src, "etc/nocow", big, 1 << 20, true) < 0)
        r = 2;
    else if (t_put(src, "etc/big", big, bigsz, false) < 0 ||
             t_put(src, "etc/small", "x=1\n", 4, false) < 0 ||
             t_put(src, "etc/empty", "", 0, false) < 0 || link(link_a, link_b) < 0)
        r = 3;
    mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r == 0 && (mfd < 0 || syncfs(mfd) < 0))
        r = 4;
    before = t_free_bytes(mnt);
    if (r == 0 && lxcf_fs_copy_tree(src, dst, NULL, &st, &err) < 0)
        r = 5;
    if (r == 0 && syncfs(mfd) < 0)
        r = 4;
    after = t_free_bytes(mnt);
    if (r == 0 && (st.files != 3u + t->nocow_first || st.hardlinks != 1))
        r = 6;
    /* Every non-empty file but the NOCOW one, which btrfs must copy. */
    else if (r == 0 && st.cloned != 2)
        r = 7;
    else if (r == 0 && t_all_shared(dst, "etc/big") != 1)
        r = 8;
    else if (r == 0 && (!t_same_bytes(src, dst, "etc/big") || !t_same_bytes(src, dst, "etc/small") ||
                        (t->nocow_first && !t_same_bytes(src, dst, "etc/nocow"))))
        r = 9;
    /* The 8 MiB were shared, not written again (the NOCOW MiB is). */
    else if (r == 0 && (int64_t)(before - after) >= (t->nocow_first ? 3 << 20 : 2 << 20))
        r = 10;
    if (r)
        fprintf(stderr, "reflink %s: check %d failed: cloned %llu files %llu, %lld bytes used: %s\n",
                t->fstype, r, (unsigned long long)st.cloned, (unsigned long long)st.files,
                (long long)(int64_t)(before - after), err.msg);
    lxcf_closep(&mfd);
    umount2(mnt, MNT_DETACH);
    return r;
}

static void t_reflink_case(const char *fstype, bool nocow_first)
{
    _cleanup_free_ char *d = NULL, *img = NULL, *mnt = NULL, *mkfs = NULL, *out = NULL;
    t_reflink t = { .fstype = fstype, .nocow_first = nocow_first };
    int fd, r;

    mkfs = lxcf_xasprintf("mkfs.%s", fstype);
    if (geteuid() != 0) {
        print_message("not root (loop devices, mount): skipped\n");
        skip();
    }
    lxcf_test_need_program(mkfs, lxcf_streq(fstype, "xfs") ? "xfsprogs" : "btrfs-progs");
    d = lxcf_test_mkdtemp();
    img = lxcf_test_path(d, "fs.img");
    mnt = lxcf_test_path(d, "mnt");
    lxcf_test_mkdirs(d, "mnt");
    /* Sparse: XFS wants 300 MiB at least, the image costs a few MiB. */
    fd = open(img, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 512 << 20), 0);
    close(fd);
    if (lxcf_streq(fstype, "xfs"))
        r = lxcf_test_run((char *[]){ mkfs, "-q", "-m", "reflink=1", img, NULL }, &out);
    else
        r = lxcf_test_run((char *[]){ mkfs, "-q", img, NULL }, &out);
    if (r != 0)
        fail_msg("%s failed: %s", mkfs, out);
    t.dir = d;
    r = lxcf_test_in_mountns(t_child_reflink, &t);
    lxcf_test_rmrf(d);
    if (r == 77) {
        print_message("cannot mount a %s loop filesystem here: skipped\n", fstype);
        skip();
    }
    assert_int_equal(r, 0);
}

static void test_copy_tree_reflinks_every_file_on_xfs(void **state)
{
    t_reflink_case("xfs", false);
}

static void test_copy_tree_reflinks_every_file_on_btrfs(void **state)
{
    t_reflink_case("btrfs", false);
}

/* A file btrfs refuses to clone (EINVAL) does not stop the others. */
static void test_copy_tree_reflinks_after_a_refused_file(void **state)
{
    t_reflink_case("btrfs", true);
}

/* One entry into a directory fd, with replace: a file and a link that
 * are there are replaced (a new inode, no temp left), a directory that is
 * there is merged into; a name with a slash is refused. */
static void test_copy_entry_replaces_and_merges(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *src = lxcf_test_path(d, "src"), *dst = lxcf_test_path(d, "dst");
    _cleanup_free_ char *f = NULL, *l = NULL, *x = NULL, *y = NULL;
    _cleanup_close_ int dfd = -1;
    lxcf_copy_opts o = { .replace = true };
    lxcf_err err = LXCF_ERR_INIT;
    ino_t old;

    (void)state;
    lxcf_test_write_file(src, "f", "new\n");
    lxcf_test_symlink("f", src, "l");
    lxcf_test_write_file(src, "dir/x", "x\n");
    lxcf_test_write_file(dst, "f", "old\n");
    lxcf_test_symlink("/etc/shadow", dst, "l");
    lxcf_test_write_file(dst, "dir/y", "y\n");
    old = lxcf_test_lstat(dst, "f").st_ino;
    dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dfd >= 0);
    for (const char *const *n = (const char *const[]){ "f", "l", "dir", NULL }; *n; n++)
        if (lxcf_fs_copy_entry(src, *n, dfd, &o, NULL, &err) < 0)
            fail_msg("%s: %s", *n, err.msg);
    f = lxcf_test_read_file(dst, "f");
    assert_string_equal(f, "new\n");
    assert_int_not_equal(lxcf_test_lstat(dst, "f").st_ino, old);
    l = lxcf_test_readlink(dst, "l");
    assert_string_equal(l, "f");
    x = lxcf_test_read_file(dst, "dir/x");
    y = lxcf_test_read_file(dst, "dir/y");
    assert_string_equal(x, "x\n");
    assert_string_equal(y, "y\n");
    assert_int_equal(lxcf_test_lstat(dst, "f").st_mtim.tv_sec, lxcf_test_lstat(src, "f").st_mtim.tv_sec);
    {
        _cleanup_free_ char *listing = lxcf_test_tree_snapshot(dst);
        assert_null(strstr(listing, LXCF_TMP_INFIX));
    }
    assert_int_equal(lxcf_fs_copy_entry(src, "dir/x", dfd, &o, NULL, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
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
        cmocka_unit_test(test_copy_tree_workers_copy_the_same),
        cmocka_unit_test(test_copy_tree_workers_count_into_stats_and_progress),
        cmocka_unit_test(test_copy_tree_worker_failure_is_the_error),
        cmocka_unit_test(test_copy_tree_one_file_system_skips_mounts),
        cmocka_unit_test(test_copy_tree_reflinks_every_file_on_xfs),
        cmocka_unit_test(test_copy_tree_reflinks_every_file_on_btrfs),
        cmocka_unit_test(test_copy_tree_reflinks_after_a_refused_file),
        cmocka_unit_test(test_copy_entry_replaces_and_merges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

#define LXCF_FS_MAX_SYMLINKS 40

static bool lxcf_fs_openat2_off;

void lxcf_fs_set_openat2_disabled(bool disabled)
{
    lxcf_fs_openat2_off = disabled;
}

/* ---- names for messages ------------------------------------------------ */

/* The path behind FD joined with REL, for error messages only. */
static char *lxcf_fs_describe(int fd, const char *rel)
{
    char link[64], buf[PATH_MAX];
    ssize_t n;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, buf, sizeof buf - 1);
    if (n <= 0)
        snprintf(buf, sizeof buf, "<fd %d>", fd), n = (ssize_t)strlen(buf);
    buf[n] = '\0';
    if (!rel || !*rel)
        return lxcf_xstrdup(buf);
    while (*rel == '/')
        rel++;
    return lxcf_xasprintf("%s%s%s", buf, lxcf_endswith(buf, "/") ? "" : "/", rel);
}

static int lxcf_fs_fail(lxcf_err *err, int e, int fd, const char *rel, const char *what)
{
    _cleanup_free_ char *p = lxcf_fs_describe(fd, rel);

    if (e == ELOOP)
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: cannot %s: a path component is a symlink, refusing to follow it",
                          p, what);
    if (e == EXDEV)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: cannot %s: the path leaves its root", p, what);
    return lxcf_error_errno(err, LXCF_EXIT_FAIL, e, "%s: cannot %s", p, what);
}

/* ---- path resolution ----------------------------------------------------- */

/* ".." is never needed by lxcf's callers and is where escapes start: refuse
 * it outright instead of reasoning about clamping. */
static bool lxcf_fs_has_dotdot(const char *rel)
{
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
        while (*p == '/')
            p++;
    }
    return false;
}

static int lxcf_fs_openat2(int dirfd, const char *rel, int flags, mode_t mode, uint64_t resolve)
{
    struct open_how how = {
        .flags = (uint64_t)(unsigned)flags,
        .mode = (flags & O_CREAT) == O_CREAT || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
        .resolve = resolve,
    };
    long r;

    /* EAGAIN: a concurrent rename raced the lookup; the kernel asks us to retry. */
    for (int i = 0; i < 16; i++) {
        r = syscall(SYS_openat2, dirfd, *rel ? rel : ".", &how, sizeof how);
        if (r >= 0 || errno != EAGAIN)
            break;
    }
    return (int)r;
}

/* Pop the next component of *P into COMP (NUL-terminated in place). */
static char *lxcf_fs_next(char **p)
{
    char *s = *p, *e;

    for (;;) {
        while (*s == '/')
            s++;
        if (!*s)
            return *p = s, NULL;
        e = s + strcspn(s, "/");
        if (*e)
            *e++ = '\0';
        if (strcmp(s, ".") != 0)
            break;
        s = e;
    }
    *p = e;
    return s;
}

static bool lxcf_fs_more(const char *p)
{
    for (; *p; p++)
        if (*p != '/' && !(p[0] == '.' && (p[1] == '/' || p[1] == '\0')))
            return true;
    return false;
}

/* Fallback walk for kernels without openat2, one component at a time.
 * FOLLOW false: any symlink is ELOOP.  FOLLOW true: symlinks are resolved
 * with ROOTFD as "/" and ".." clamped there (we only ever descend through
 * real directories, so a real parent is still beneath the root). */
static int lxcf_fs_walk(int rootfd, const char *rel, int flags, mode_t mode, bool follow)
{
    _cleanup_free_ char *todo = lxcf_xstrdup(rel);
    _cleanup_close_ int owned = -1;
    char *p = todo, *comp;
    int cur = rootfd, depth = 0, links = 0;

    while ((comp = lxcf_fs_next(&p))) {
        bool last = !lxcf_fs_more(p);
        struct stat st;
        int nfd;

        if (strcmp(comp, "..") == 0) {
            if (depth == 0)
                continue;
            nfd = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (nfd < 0)
                return -1;
            lxcf_closep(&owned);
            cur = owned = nfd;
            depth--;
            if (last)
                return openat(cur, ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
            continue;
        }
        if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT && last)
                return openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
            return -1;
        }
        if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
            char target[PATH_MAX];
            ssize_t n;

            if (!follow || ++links > LXCF_FS_MAX_SYMLINKS)
                return errno = ELOOP, -1;
            n = readlinkat(cur, comp, target, sizeof target - 1);
            if (n < 0)
                return -1;
            target[n] = '\0';
            char *rest = lxcf_xasprintf("%s/%s", target, p);
            free(todo);
            todo = p = rest;
            if (target[0] == '/') {
                lxcf_closep(&owned);
                owned = -1;
                cur = rootfd;
                depth = 0;
            }
            continue;
        }
        if (last)
            return openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (!S_ISDIR(st.st_mode))
            return errno = ENOTDIR, -1;
        nfd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0)
            return errno == ENOTDIR ? (errno = ELOOP, -1) : -1;
        lxcf_closep(&owned);
        cur = owned = nfd;
        depth++;
    }
    /* Empty path: the root itself (or where ".." clamped to). */
    return openat(cur, ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
}

/* fd, or -1 with errno. */
static int lxcf_fs_open_raw(int rootfd, const char *rel, int flags, mode_t mode, bool follow)
{
    uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd;

    if (lxcf_fs_has_dotdot(rel))
        return errno = EINVAL, -1;
    if (!follow) {
        resolve |= RESOLVE_NO_SYMLINKS;
        flags |= O_NOFOLLOW;
    }
    while (*rel == '/')
        rel++;
    fd = -1;
    if (!lxcf_fs_openat2_off) {
        fd = lxcf_fs_openat2(rootfd, rel, flags | O_CLOEXEC, mode, resolve);
        if (fd < 0 && errno == ENOSYS)
            lxcf_fs_openat2_off = true;
    }
    if (lxcf_fs_openat2_off)
        fd = lxcf_fs_walk(rootfd, rel, flags, mode, follow);
    /* O_DIRECTORY on a final symlink says ENOTDIR; say what it really is. */
    if (fd < 0 && errno == ENOTDIR && !follow && (flags & O_DIRECTORY)) {
        struct stat st;
        int pfd = lxcf_fs_open_raw(rootfd, rel, O_PATH, 0, false);
        bool link = pfd >= 0 && fstat(pfd, &st) == 0 && S_ISLNK(st.st_mode);
        if (pfd >= 0)
            close(pfd);
        errno = link ? ELOOP : ENOTDIR;
    }
    return fd;
}

int lxcf_fs_open_root(const char *path, lxcf_err *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return lxcf_error_errno(err, errno == ENOENT ? LXCF_EXIT_NOTFOUND : LXCF_EXIT_FAIL,
                                errno, "%s: cannot open directory", path);
    return fd;
}

int lxcf_fs_sync_dir(const char *path, bool whole_fs, lxcf_err *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || (whole_fs ? syncfs(fd) : fsync(fd)) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot sync", path);
    return 0;
}

int lxcf_fs_openat_beneath(int rootfd, const char *relpath, int flags, mode_t mode,
                           lxcf_err *err)
{
    int fd = lxcf_fs_open_raw(rootfd, relpath, flags, mode, false);

    if (fd < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "open");
    return fd;
}

/* Split RELPATH into its parent (opened, no symlinks) and its last name.
 * Returns the parent fd or -1 with errno; *BASE points into *BUF. */
static int lxcf_fs_parent(int rootfd, const char *relpath, char **buf, const char **base)
{
    char *slash, *b;
    size_t n;

    while (*relpath == '/')
        relpath++;
    *buf = b = lxcf_xstrdup(relpath);
    n = strlen(b);
    while (n > 0 && b[n - 1] == '/')
        b[--n] = '\0';
    slash = strrchr(b, '/');
    *base = slash ? slash + 1 : b;
    if (!**base || lxcf_streq(*base, ".") || lxcf_streq(*base, ".."))
        return errno = EINVAL, -1;
    if (slash)
        *slash = '\0';
    return lxcf_fs_open_raw(rootfd, slash ? b : "", O_RDONLY | O_DIRECTORY, 0, false);
}

int lxcf_fs_stat_beneath(int rootfd, const char *relpath, lxcf_fs_resolve how,
                         struct stat *st, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL;
    _cleanup_close_ int fd = -1;
    const char *base;
    struct stat tmp;
    int r;

    if (!st)
        st = &tmp;
    if (how == LXCF_FS_IN_ROOT) {
        fd = lxcf_fs_open_raw(rootfd, relpath, O_PATH, 0, true);
        r = fd < 0 ? -1 : fstat(fd, st);
    } else {
        fd = lxcf_fs_parent(rootfd, relpath, &buf, &base);
        r = fd < 0 ? -1 : fstatat(fd, base, st, AT_SYMLINK_NOFOLLOW);
    }
    if (r == 0)
        return 1;
    if (errno == ENOENT || errno == ENOTDIR)
        return 0;
    return lxcf_fs_fail(err, errno, rootfd, relpath, "stat");
}

int lxcf_fs_mkdir_p_beneath(int rootfd, const char *relpath, mode_t mode, lxcf_err *err)
{
    _cleanup_free_ char *todo = NULL;
    _cleanup_close_ int owned = -1;
    char *p, *comp;
    int cur = rootfd;

    if (lxcf_fs_has_dotdot(relpath))
        return lxcf_fs_fail(err, EINVAL, rootfd, relpath, "create directory");
    p = todo = lxcf_xstrdup(relpath);
    while ((comp = lxcf_fs_next(&p))) {
        int nfd;

        if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST)
            return lxcf_fs_fail(err, errno, rootfd, relpath, "create directory");
        nfd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0) {
            struct stat st;
            int e = errno;
            if (e == ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISLNK(st.st_mode))
                e = ELOOP;
            return lxcf_fs_fail(err, e, rootfd, relpath, "create directory");
        }
        lxcf_closep(&owned);
        cur = owned = nfd;
    }
    return 0;
}

int lxcf_fs_stage_beneath(int rootfd, const char *relpath, const char *data, size_t len,
                          mode_t mode, lxcf_fs_staged *sf, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL;
    _cleanup_close_ int pfd = -1;
    const char *base, *failed;
    struct stat st;
    bool keep = false;

    *sf = (lxcf_fs_staged)LXCF_FS_STAGED_INIT;
    pfd = lxcf_fs_parent(rootfd, relpath, &buf, &base);
    if (pfd < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "write");
    if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISREG(st.st_mode))
            keep = true;
        else if (!S_ISLNK(st.st_mode))
            return lxcf_fs_fail(err, S_ISDIR(st.st_mode) ? EISDIR : EEXIST, rootfd, relpath,
                                "replace it with a file");
    } else if (errno != ENOENT) {
        return lxcf_fs_fail(err, errno, rootfd, relpath, "stat");
    }
    if (lxcf_write_tmp_at(pfd, base, data, len, keep ? st.st_mode & 07777 : mode,
                          keep ? &st : NULL, &sf->tmp, &failed) < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, failed);
    sf->name = lxcf_xstrdup(base);
    sf->dirfd = lxcf_steal_fd(pfd);
    return 0;
}

int lxcf_fs_staged_commit(lxcf_fs_staged *sf, lxcf_err *err)
{
    int r = lxcf_rename_tmp_at(sf->dirfd, sf->tmp, sf->name);

    if (r < 0)
        lxcf_fs_fail(err, errno, sf->dirfd, sf->name, "replace");
    /* Renamed, or removed by the failed rename: nothing left to drop. */
    free(sf->tmp);
    sf->tmp = NULL;
    lxcf_fs_staged_clear(sf);
    return r;
}

void lxcf_fs_staged_clear(lxcf_fs_staged *sf)
{
    if (sf->tmp && sf->dirfd >= 0)
        (void)unlinkat(sf->dirfd, sf->tmp, 0);
    if (sf->dirfd >= 0)
        close(sf->dirfd);
    free(sf->tmp);
    free(sf->name);
    *sf = (lxcf_fs_staged)LXCF_FS_STAGED_INIT;
}

int lxcf_fs_write_beneath(int rootfd, const char *relpath, const char *data, size_t len,
                          mode_t mode, lxcf_err *err)
{
    lxcf_fs_staged sf;

    if (lxcf_fs_stage_beneath(rootfd, relpath, data, len, mode, &sf, err) < 0)
        return -1;
    return lxcf_fs_staged_commit(&sf, err);
}

int lxcf_fs_read_beneath(int rootfd, const char *relpath, char **out, size_t *len,
                         lxcf_err *err)
{
    _cleanup_close_ int fd = -1;
    struct stat st;

    fd = lxcf_fs_open_raw(rootfd, relpath, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, false);
    if (fd < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "read");
    if (fstat(fd, &st) < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "stat");
    if (!S_ISREG(st.st_mode))
        return lxcf_fs_fail(err, EINVAL, rootfd, relpath, "read a non-regular file");
    if (lxcf_read_fd(fd, out, len) < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "read");
    return 0;
}

int lxcf_fs_unlink_beneath(int rootfd, const char *relpath, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL;
    _cleanup_close_ int pfd = -1;
    const char *base;

    pfd = lxcf_fs_parent(rootfd, relpath, &buf, &base);
    if (pfd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return lxcf_fs_fail(err, errno, rootfd, relpath, "remove");
    }
    if (unlinkat(pfd, base, 0) < 0) {
        if (errno == ENOENT)
            return 0;
        return lxcf_fs_fail(err, errno, rootfd, relpath, "remove");
    }
    return 1;
}

int lxcf_fs_symlink_beneath(int rootfd, const char *target, const char *relpath,
                            lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL, *tmp = NULL;
    _cleanup_close_ int pfd = -1;
    const char *base;

    pfd = lxcf_fs_parent(rootfd, relpath, &buf, &base);
    if (pfd < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "create symlink");
    tmp = lxcf_tmp_name(base);
    if (symlinkat(target, pfd, tmp) < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "create symlink");
    if (lxcf_rename_tmp_at(pfd, tmp, base) < 0)
        return lxcf_fs_fail(err, errno, rootfd, relpath, "replace with a symlink");
    return 0;
}

/* ---- mount identity ------------------------------------------------------ */

/* st_dev alone misses a bind mount from the same filesystem (the joint
 * model's /usr is exactly that on many hosts), hence the mount id. */
int lxcf_fs_ident(int dirfd, const char *name, lxcf_fs_id *id)
{
    struct statx stx;
    int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (*name ? 0 : AT_EMPTY_PATH);

    if (statx(dirfd, name, flags, STATX_TYPE | STATX_MODE | STATX_INO | STATX_MNT_ID, &stx) < 0)
        return -1;
    id->mode = stx.stx_mode;
    id->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
    id->ino = stx.stx_ino;
    id->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
    if (!id->mnt_id && !S_ISLNK(id->mode)) {
        struct { struct file_handle fh; unsigned char buf[MAX_HANDLE_SZ]; } h;
        int mnt = 0;
        h.fh.handle_bytes = MAX_HANDLE_SZ;
        if (name_to_handle_at(dirfd, name, &h.fh, &mnt, *name ? 0 : AT_EMPTY_PATH) == 0)
            id->mnt_id = (uint64_t)mnt;
    }
    return 0;
}

bool lxcf_fs_same_mount(const lxcf_fs_id *a, const lxcf_fs_id *b)
{
    return a->dev == b->dev && (!a->mnt_id || !b->mnt_id || a->mnt_id == b->mnt_id);
}

#include "fscopy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "util.h"

typedef struct lxcf_cp_link {
    dev_t dev;
    ino_t ino;
    char *rel; /* NULL: free slot */
} lxcf_cp_link;

typedef struct lxcf_cp_ctx {
    const lxcf_copy_opts *o;
    lxcf_copy_stats *st;
    const char *src;
    lxcf_fs_id top;
    int dst_top;
    lxcf_cp_link *links;
    size_t nlinks, cap;
    /* FICLONE and copy_file_range refused for a reason of the filesystem
     * (not of one file): not asked again for files on that source device.
     * By device, because a copy without one_file_system crosses mounts and
     * one mount that cannot reflink says nothing about the others. */
    bool no_clone, no_cfr;
    dev_t no_clone_dev, no_cfr_dev;
    unsigned clone_einval; /* EINVALs from FICLONE since its last success */
    struct timespec last;
    char rel[PATH_MAX];
    size_t rel_len;
    lxcf_err *err;
} lxcf_cp_ctx;

static void lxcf_cp_ctx_free(lxcf_cp_ctx *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->links[i].rel);
    free(c->links);
}

static size_t lxcf_cp_hash(dev_t dev, ino_t ino, size_t cap)
{
    uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)ino * 0xc2b2ae3d27d4eb4fULL);
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static const char *lxcf_cp_link_find(lxcf_cp_ctx *c, const struct stat *st)
{
    if (!c->cap)
        return NULL;
    for (size_t i = lxcf_cp_hash(st->st_dev, st->st_ino, c->cap);; i = (i + 1) & (c->cap - 1)) {
        lxcf_cp_link *l = &c->links[i];
        if (!l->rel)
            return NULL;
        if (l->dev == st->st_dev && l->ino == st->st_ino)
            return l->rel;
    }
}

static void lxcf_cp_link_put(lxcf_cp_ctx *c, dev_t dev, ino_t ino, char *rel)
{
    if ((c->nlinks + 1) * 2 > c->cap) {
        lxcf_cp_link *old = c->links;
        size_t ocap = c->cap;
        c->cap = ocap ? ocap * 2 : 256;
        c->links = lxcf_xcalloc(c->cap, sizeof *c->links);
        c->nlinks = 0;
        for (size_t i = 0; i < ocap; i++)
            if (old[i].rel)
                lxcf_cp_link_put(c, old[i].dev, old[i].ino, old[i].rel);
        free(old);
    }
    size_t i = lxcf_cp_hash(dev, ino, c->cap);
    while (c->links[i].rel)
        i = (i + 1) & (c->cap - 1);
    c->links[i] = (lxcf_cp_link){ dev, ino, rel };
    c->nlinks++;
}

static int lxcf_cp_fail(lxcf_cp_ctx *c, int e, const char *what)
{
    return lxcf_error_errno(c->err, LXCF_EXIT_FAIL, e, "%s%s%s: cannot %s", c->src,
                            c->rel_len ? "/" : "", c->rel, what);
}

static void lxcf_cp_progress(lxcf_cp_ctx *c, bool force)
{
    struct timespec now;

    if (!c->o->progress)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!force && (now.tv_sec - c->last.tv_sec) * 1000000000LL + (now.tv_nsec - c->last.tv_nsec) <
                      500000000LL)
        return;
    c->last = now;
    c->o->progress(c->st->bytes, c->st->files, c->o->progress_opaque);
}

/* Options name paths loosely ("/var/log/", "var/log"): P without its
 * leading slashes, *N its length without the trailing ones. */
static const char *lxcf_cp_trim(const char *p, size_t *n)
{
    while (*p == '/')
        p++;
    *n = strlen(p);
    while (*n > 0 && p[*n - 1] == '/')
        (*n)--;
    return p;
}

static bool lxcf_cp_listed(const char *const *list, const char *rel)
{
    for (; list && *list; list++) {
        size_t n;
        const char *s = lxcf_cp_trim(*list, &n);
        if (n == strlen(rel) && strncmp(s, rel, n) == 0)
            return true;
    }
    return false;
}

static lxcf_copy_action lxcf_cp_decide(lxcf_cp_ctx *c, const struct stat *st)
{
    if (lxcf_cp_listed(c->o->exclude, c->rel))
        return LXCF_COPY_SKIP;
    if (lxcf_cp_listed(c->o->no_contents, c->rel))
        return LXCF_COPY_NO_CONTENTS;
    if (c->o->filter)
        return c->o->filter(c->rel, st, c->o->filter_opaque);
    return LXCF_COPY_ENTRY;
}

/* xattrs through an fd when we have one, else through /proc/self/fd/N/NAME
 * with the l* calls (fifos, devices and symlinks cannot be opened safely). */
typedef struct lxcf_xa_ref {
    int fd;
    char path[PATH_MAX];
} lxcf_xa_ref;

static void lxcf_xa_ref_init(lxcf_xa_ref *r, int fd, int dirfd, const char *name)
{
    r->fd = fd;
    r->path[0] = '\0';
    if (fd < 0)
        snprintf(r->path, sizeof r->path, "/proc/self/fd/%d/%s", dirfd, name);
}

static bool lxcf_xa_unsupported(int e)
{
    return e == ENOTSUP || e == EOPNOTSUPP;
}

static int lxcf_cp_xattrs(lxcf_cp_ctx *c, const lxcf_xa_ref *s, const lxcf_xa_ref *d)
{
    _cleanup_free_ char *names = NULL;
    ssize_t n;

    n = s->fd >= 0 ? flistxattr(s->fd, NULL, 0) : llistxattr(s->path, NULL, 0);
    if (n <= 0)
        return n < 0 && !lxcf_xa_unsupported(errno) ? lxcf_cp_fail(c, errno, "list xattrs of") : 0;
    names = lxcf_xmalloc((size_t)n + 1);
    n = s->fd >= 0 ? flistxattr(s->fd, names, (size_t)n) : llistxattr(s->path, names, (size_t)n);
    if (n < 0)
        return lxcf_cp_fail(c, errno, "list xattrs of");
    for (char *name = names; name < names + n; name += strlen(name) + 1) {
        _cleanup_free_ char *val = NULL;
        ssize_t vn = s->fd >= 0 ? fgetxattr(s->fd, name, NULL, 0) : lgetxattr(s->path, name, NULL, 0);
        int r;

        if (vn < 0) {
            if (errno == ENODATA)
                continue;
            return lxcf_cp_fail(c, errno, "read xattrs of");
        }
        val = lxcf_xmalloc((size_t)vn + 1);
        vn = s->fd >= 0 ? fgetxattr(s->fd, name, val, (size_t)vn)
                        : lgetxattr(s->path, name, val, (size_t)vn);
        if (vn < 0)
            return lxcf_cp_fail(c, errno, "read xattrs of");
        r = d->fd >= 0 ? fsetxattr(d->fd, name, val, (size_t)vn, 0)
                       : lsetxattr(d->path, name, val, (size_t)vn, 0);
        if (r < 0 && !lxcf_xa_unsupported(errno))
            return lxcf_cp_fail(c, errno, "copy xattrs of");
    }
    return 0;
}

/* Owner before mode (chown clears set-id bits), xattrs after both (chown
 * also drops security.capability), times last. */
static int lxcf_cp_meta_fd(lxcf_cp_ctx *c, int sfd, int dfd, const struct stat *st)
{
    lxcf_xa_ref s, d;
    struct timespec ts[2] = { st->st_atim, st->st_mtim };

    lxcf_xa_ref_init(&s, sfd, -1, "");
    lxcf_xa_ref_init(&d, dfd, -1, "");
    if (fchown(dfd, st->st_uid, st->st_gid) < 0)
        return lxcf_cp_fail(c, errno, "set the owner of the copy of");
    if (fchmod(dfd, st->st_mode & 07777) < 0)
        return lxcf_cp_fail(c, errno, "set the mode of the copy of");
    if (lxcf_cp_xattrs(c, &s, &d) < 0)
        return -1;
    if (futimens(dfd, ts) < 0)
        return lxcf_cp_fail(c, errno, "set the times of the copy of");
    return 0;
}

static int lxcf_cp_meta_at(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                           const struct stat *st)
{
    lxcf_xa_ref s, d;
    struct timespec ts[2] = { st->st_atim, st->st_mtim };

    lxcf_xa_ref_init(&s, -1, sdir, name);
    lxcf_xa_ref_init(&d, -1, ddir, name);
    if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return lxcf_cp_fail(c, errno, "set the owner of the copy of");
    /* Symlinks have no mode of their own; the others are fifos/devices we
     * just created, so fchmodat cannot be redirected. */
    if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
        return lxcf_cp_fail(c, errno, "set the mode of the copy of");
    if (lxcf_cp_xattrs(c, &s, &d) < 0)
        return -1;
    if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
        return lxcf_cp_fail(c, errno, "set the times of the copy of");
    return 0;
}

static int lxcf_cp_rw(lxcf_cp_ctx *c, int in, int out, off_t off, off_t len)
{
    static __thread char buf[1 << 17];

    while (len > 0) {
        ssize_t n = pread(in, buf, (size_t)(len < (off_t)sizeof buf ? len : (off_t)sizeof buf), off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lxcf_cp_fail(c, errno, "read");
        if (n == 0)
            break;
        for (ssize_t w = 0; w < n;) {
            ssize_t m = pwrite(out, buf + w, (size_t)(n - w), off + w);
            if (m < 0 && errno == EINTR)
                continue;
            if (m < 0)
                return lxcf_cp_fail(c, errno, "write the copy of");
            w += m;
        }
        c->st->bytes += (uint64_t)n;
        off += n;
        len -= n;
    }
    return 0;
}

static int lxcf_cp_range(lxcf_cp_ctx *c, int in, int out, dev_t dev, off_t off, off_t len)
{
    loff_t ioff = off, ooff = off;

    if (c->no_cfr && c->no_cfr_dev != dev)
        c->no_cfr = false;
    while (len > 0 && !c->no_cfr) {
        ssize_t n = copy_file_range(in, &ioff, out, &ooff, (size_t)len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                      errno == EOPNOTSUPP || errno == EBADF)) {
            c->no_cfr = true;
            c->no_cfr_dev = dev;
            break;
        }
        if (n < 0)
            return lxcf_cp_fail(c, errno, "copy");
        /* Some filesystems (procfs-like, some FUSE) answer 0 at once:
         * let read() decide whether this really is the end. */
        if (n == 0)
            break;
        c->st->bytes += (uint64_t)n;
        len -= n;
    }
    return len > 0 ? lxcf_cp_rw(c, in, out, ioff, len) : 0;
}

/* After this many EINVALs in a row without a success, FICLONE is taken to
 * be refused by the filesystem itself (one that answers EINVAL where it
 * means "not supported"), not file by file. */
#define LXCF_CP_CLONE_EINVAL_MAX 16

/* Share IN's data with OUT (both whole files).  true when done. */
static bool lxcf_cp_clone(lxcf_cp_ctx *c, int in, int out, const struct stat *st)
{
    if (c->no_clone && c->no_clone_dev == st->st_dev)
        return false;
    if (ioctl(out, FICLONE, in) == 0) {
        c->clone_einval = 0;
        c->st->bytes += (uint64_t)st->st_size;
        c->st->cloned++;
        return true;
    }
    switch (errno) {
    case EINVAL:
        /* A refusal of this one file: btrfs will not share a NOCOW file's
         * extents with a checksummed one (databases, VM images, journals
         * are NOCOW there), XFS not those of a DAX file.  Asking again for
         * the next file costs one syscall; not asking would leave every
         * file after it to copy_file_range, which shares extents only
         * where the kernel reflinks for it (5.3 and later, one fs). */
        if (++c->clone_einval < LXCF_CP_CLONE_EINVAL_MAX)
            break;
        /* fall through */
    case EOPNOTSUPP:
    case ENOTTY:
    case ENOSYS:
    case EXDEV: /* another filesystem, or on older kernels another mount of
                 * it (6.18 clones across bind mounts; where it does not,
                 * copy_file_range below still shares the extents) */
        c->no_clone = true;
        c->no_clone_dev = st->st_dev;
        break;
    default:
        break;
    }
    return false;
}

static int lxcf_cp_data(lxcf_cp_ctx *c, int in, int out, const struct stat *st)
{
    if (st->st_size == 0)
        return 0;
    if (lxcf_cp_clone(c, in, out, st))
        return 0;
    if ((off_t)st->st_blocks * 512 >= st->st_size)
        return lxcf_cp_range(c, in, out, st->st_dev, 0, st->st_size);
    /* Sparse: copy only the data extents, then set the size. */
    for (off_t off = 0; off < st->st_size;) {
        off_t data = lseek(in, off, SEEK_DATA), hole;
        if (data < 0) {
            if (errno == ENXIO)
                break;
            return lxcf_cp_range(c, in, out, st->st_dev, off, st->st_size - off);
        }
        hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0)
            hole = st->st_size;
        if (lxcf_cp_range(c, in, out, st->st_dev, data, hole - data) < 0)
            return -1;
        off = hole;
    }
    if (ftruncate(out, st->st_size) < 0)
        return lxcf_cp_fail(c, errno, "size the copy of");
    return 0;
}

static int lxcf_cp_dir(lxcf_cp_ctx *c, int sfd, int dfd);

static int lxcf_cp_subdir(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                          const struct stat *st, lxcf_copy_action act)
{
    _cleanup_close_ int sfd = -1, dfd = -1;
    lxcf_fs_id id;
    bool contents = act == LXCF_COPY_ENTRY;

    if (mkdirat(ddir, name, 0700) < 0 && !(c->o->replace && errno == EEXIST))
        return lxcf_cp_fail(c, errno, "create the copy of");
    sfd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    dfd = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0 || dfd < 0)
        return lxcf_cp_fail(c, errno, "open");
    if (lxcf_fs_ident(sfd, "", &id) < 0)
        return lxcf_cp_fail(c, errno, "stat");
    if (id.ino != st->st_ino)
        return lxcf_cp_fail(c, EBUSY, "copy (it changed during the copy)");
    if (c->o->one_file_system && !lxcf_fs_same_mount(&id, &c->top))
        contents = false;
    if (contents && lxcf_cp_dir(c, sfd, dfd) < 0)
        return -1;
    c->st->dirs++;
    return lxcf_cp_meta_fd(c, sfd, dfd, st);
}

static int lxcf_cp_file(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                        const struct stat *st, lxcf_copy_action act)
{
    _cleanup_close_ int sfd = -1, dfd = -1;
    struct stat st2;

    /* O_NOATIME: copying the host must not touch the host's atimes. */
    sfd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_NOATIME);
    if (sfd < 0 && errno == EPERM)
        sfd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    /* A live host keeps replacing files by rename (its own /etc/hosts
     * writes, package managers): one that vanished is skipped, one that
     * was replaced is copied as it is now, like cp and rsync do. */
    if (sfd < 0 && errno == ENOENT) {
        c->st->skipped++;
        return 0;
    }
    if (sfd < 0)
        return lxcf_cp_fail(c, errno, "open");
    if (fstat(sfd, &st2) < 0)
        return lxcf_cp_fail(c, errno, "stat");
    if (!S_ISREG(st2.st_mode)) {
        c->st->skipped++;
        return 0;
    }
    dfd = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (dfd < 0)
        return lxcf_cp_fail(c, errno, "create the copy of");
    if (act == LXCF_COPY_ENTRY && lxcf_cp_data(c, sfd, dfd, &st2) < 0)
        return -1;
    c->st->files++;
    return lxcf_cp_meta_fd(c, sfd, dfd, &st2);
}

static int lxcf_cp_other(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                         const struct stat *st)
{
    if (S_ISLNK(st->st_mode)) {
        _cleanup_free_ char *target = lxcf_xmalloc((size_t)st->st_size + 2);
        ssize_t n = readlinkat(sdir, name, target, (size_t)st->st_size + 1);
        if (n < 0)
            return lxcf_cp_fail(c, errno, "read the symlink");
        if (n > st->st_size)
            return lxcf_cp_fail(c, EBUSY, "copy (it changed during the copy)");
        target[n] = '\0';
        if (symlinkat(target, ddir, name) < 0)
            return lxcf_cp_fail(c, errno, "create the copy of");
        c->st->symlinks++;
    } else {
        if (mknodat(ddir, name, st->st_mode & (S_IFMT | 0600), st->st_rdev) < 0)
            return lxcf_cp_fail(c, errno, "create the copy of");
        c->st->specials++;
    }
    return lxcf_cp_meta_at(c, sdir, ddir, name, st);
}

static int lxcf_cp_replace(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                           const struct stat *st);

static int lxcf_cp_entry(lxcf_cp_ctx *c, int sdir, int ddir, const char *name)
{
    struct stat st;
    lxcf_copy_action act;
    const char *first;
    int r;

    if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : lxcf_cp_fail(c, errno, "stat");
    if (c->o->replace && !S_ISDIR(st.st_mode) &&
        fstatat(ddir, name, &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW) == 0)
        return lxcf_cp_replace(c, sdir, ddir, name, &st);
    /* readdir may return a name twice while the directory is renamed into
     * (a concurrent atomic replace); the first copy stands.  Merge copies
     * keep their clash check in the create calls. */
    if (!c->o->merge && !S_ISDIR(st.st_mode) &&
        fstatat(ddir, name, &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW) == 0) {
        c->st->skipped++;
        return 0;
    }
    act = lxcf_cp_decide(c, &st);
    if (act == LXCF_COPY_SKIP || S_ISSOCK(st.st_mode)) {
        c->st->skipped++;
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return lxcf_cp_subdir(c, sdir, ddir, name, &st, act);
    if (st.st_nlink > 1 && (first = lxcf_cp_link_find(c, &st))) {
        if (linkat(c->dst_top, first, ddir, name, 0) < 0)
            return lxcf_cp_fail(c, errno, "hard-link the copy of");
        c->st->hardlinks++;
        return 0;
    }
    if (S_ISREG(st.st_mode))
        r = lxcf_cp_file(c, sdir, ddir, name, &st, act);
    else
        r = lxcf_cp_other(c, sdir, ddir, name, &st);
    if (r == 0 && st.st_nlink > 1)
        lxcf_cp_link_put(c, st.st_dev, st.st_ino, lxcf_xstrdup(c->rel));
    lxcf_cp_progress(c, false);
    return r;
}

/* opts->replace, and NAME (not a directory, ST) is in DDIR: the copy is
 * made in a temp directory beside it, synced and renamed over it, so that
 * NAME is the old entry or the whole new one at every moment. */
static int lxcf_cp_replace(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                           const struct stat *st)
{
    _cleanup_free_ char *tmp = lxcf_tmp_name(name);
    _cleanup_close_ int tfd = -1;
    int r;

    if (mkdirat(ddir, tmp, 0700) < 0)
        return lxcf_cp_fail(c, errno, "make a temporary directory for");
    tfd = openat(ddir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    r = tfd < 0 ? lxcf_cp_fail(c, errno, "open a temporary directory for")
                : lxcf_cp_entry(c, sdir, tfd, name);
    if (r == 0) {
        _cleanup_close_ int fd = S_ISREG(st->st_mode)
            ? openat(tfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
        /* Nothing to rename: the filter left it out or it vanished. */
        if ((fd >= 0 && fsync(fd) < 0) || (renameat(tfd, name, ddir, name) < 0 && errno != ENOENT))
            r = lxcf_cp_fail(c, errno, "replace the copy of");
        else
            (void)fsync(ddir);
    }
    if (tfd >= 0)
        unlinkat(tfd, name, 0);
    unlinkat(ddir, tmp, AT_REMOVEDIR);
    return r;
}

static int lxcf_cp_dir(lxcf_cp_ctx *c, int sfd, int dfd)
{
    _cleanup_closedir_ DIR *d = lxcf_opendir_fd(sfd);
    struct dirent *de;

    if (!d)
        return lxcf_cp_fail(c, errno, "read the directory");
    while ((errno = 0, de = readdir(d))) {
        size_t old = c->rel_len, n = strlen(de->d_name);
        int r;

        if (lxcf_streq(de->d_name, ".") || lxcf_streq(de->d_name, ".."))
            continue;
        if (old + 1 + n >= sizeof c->rel)
            return lxcf_cp_fail(c, ENAMETOOLONG, "copy");
        if (old)
            c->rel[c->rel_len++] = '/';
        memcpy(c->rel + c->rel_len, de->d_name, n + 1);
        c->rel_len += n;
        r = lxcf_cp_entry(c, sfd, dfd, de->d_name);
        c->rel_len = old;
        c->rel[old] = '\0';
        if (r < 0)
            return -1;
    }
    if (errno)
        return lxcf_cp_fail(c, errno, "read the directory");
    return 0;
}

/* DST (or, when it does not exist yet, its parent + name) must not be SRC
 * or below it, or the copy would feed on itself, unless EXCLUDE leaves the
 * part holding DST out (a host copied into /var/lib/lxcf/... is that). */
static int lxcf_cp_check_nesting(const char *src, const char *dst, const char *const *exclude,
                                 lxcf_err *err)
{
    _cleanup_free_ char *rs = realpath(src, NULL), *rd = realpath(dst, NULL);
    const char *inner = NULL;

    if (!rs)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot resolve", src);
    if (!rd) {
        _cleanup_free_ char *dir = lxcf_xstrdup(dst), *rdir = NULL;
        char *slash;
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            dir[--n] = '\0';
        slash = strrchr(dir, '/');
        if (slash == dir)
            rdir = lxcf_xstrdup("/");
        else {
            if (slash)
                *slash = '\0';
            rdir = realpath(slash ? dir : ".", NULL);
        }
        if (!rdir)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot resolve", dst);
        rd = lxcf_xasprintf("%s%s%s", rdir, lxcf_streq(rdir, "/") ? "" : "/",
                            slash ? slash + 1 : dir);
    }
    if (lxcf_streq(rs, rd))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is the source itself, refusing to copy", dst);
    if (lxcf_streq(rs, "/"))
        inner = rd + 1;
    else if (lxcf_startswith(rd, rs) && rd[strlen(rs)] == '/')
        inner = rd + strlen(rs) + 1;
    if (!inner)
        return 0;
    /* Inside the source is fine only when the copy leaves that part out. */
    for (const char *const *e = exclude; e && *e; e++) {
        size_t n;
        const char *x = lxcf_cp_trim(*e, &n);
        if (n && strncmp(inner, x, n) == 0 && (inner[n] == '\0' || inner[n] == '/'))
            return 0;
    }
    return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is inside the source %s, refusing to copy",
                      dst, src);
}

static int lxcf_cp_is_empty(int fd)
{
    _cleanup_closedir_ DIR *d = lxcf_opendir_fd(fd);
    struct dirent *de;

    if (!d)
        return -1;
    while ((de = readdir(d)))
        if (!lxcf_streq(de->d_name, ".") && !lxcf_streq(de->d_name, ".."))
            return 0;
    return 1;
}

/* Open (creating when missing) the destination top. */
static int lxcf_cp_open_dst(const char *dst, bool merge, lxcf_err *err)
{
    _cleanup_close_ int fd = -1;
    struct stat st;

    if (lstat(dst, &st) < 0) {
        if (errno != ENOENT)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat", dst);
        if (mkdir(dst, 0700) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", dst);
    } else if (!S_ISDIR(st.st_mode)) {
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: exists and is not a directory", dst);
    }
    fd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", dst);
    if (!merge) {
        int r = lxcf_cp_is_empty(fd);
        if (r < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot read", dst);
        if (r == 0)
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: exists and is not empty", dst);
    }
    return lxcf_steal_fd(fd);
}

static void lxcf_cp_init(lxcf_cp_ctx *c, const char *src, const lxcf_copy_opts *opts,
                         lxcf_copy_stats *stats, lxcf_copy_stats *dummy, lxcf_err *err)
{
    static const lxcf_copy_opts no_opts;

    c->o = opts ? opts : &no_opts;
    c->st = stats ? stats : dummy;
    c->src = src;
    c->err = err;
}

int lxcf_fs_copy_tree(const char *src, const char *dst, const lxcf_copy_opts *opts,
                      lxcf_copy_stats *stats, lxcf_err *err)
{
    lxcf_copy_stats dummy = { 0 };
    _cleanup_(lxcf_cp_ctx_free) lxcf_cp_ctx c = { 0 };
    _cleanup_close_ int sfd = -1, dfd = -1;
    struct stat st;

    lxcf_cp_init(&c, src, opts, stats, &dummy, err);
    if (lstat(src, &st) < 0)
        return lxcf_error_errno(err, errno == ENOENT ? LXCF_EXIT_NOTFOUND : LXCF_EXIT_FAIL,
                                errno, "%s: cannot copy", src);
    if (!S_ISDIR(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is not a directory, cannot copy it", src);
    if (lxcf_cp_check_nesting(src, dst, c.o->exclude, err) < 0)
        return -1;
    sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", src);
    if (fstat(sfd, &st) < 0 || lxcf_fs_ident(sfd, "", &c.top) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat", src);
    dfd = lxcf_cp_open_dst(dst, c.o->merge, err);
    if (dfd < 0)
        return -1;
    c.dst_top = dfd;
    clock_gettime(CLOCK_MONOTONIC, &c.last);
    if (lxcf_cp_dir(&c, sfd, dfd) < 0 || lxcf_cp_meta_fd(&c, sfd, dfd, &st) < 0)
        return -1;
    c.st->dirs++;
    if (fsync(dfd) < 0 && errno != EINVAL)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot sync", dst);
    lxcf_cp_progress(&c, true);
    return 0;
}

int lxcf_fs_copy_entry(const char *src_dir, const char *name, int dst_dirfd,
                       const lxcf_copy_opts *opts, lxcf_copy_stats *stats, lxcf_err *err)
{
    lxcf_copy_stats dummy = { 0 };
    _cleanup_(lxcf_cp_ctx_free) lxcf_cp_ctx c = { 0 };
    _cleanup_close_ int sfd = -1;
    size_t n = strlen(name);

    lxcf_cp_init(&c, src_dir, opts, stats, &dummy, err);
    if (n == 0 || n >= sizeof c.rel || strchr(name, '/') || lxcf_streq(name, ".") ||
        lxcf_streq(name, ".."))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: '%s' is not a name in it, cannot copy it",
                          src_dir, name);
    sfd = open(src_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sfd < 0 || lxcf_fs_ident(sfd, "", &c.top) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", src_dir);
    memcpy(c.rel, name, n + 1);
    c.rel_len = n;
    c.dst_top = dst_dirfd;
    clock_gettime(CLOCK_MONOTONIC, &c.last);
    if (lxcf_cp_entry(&c, sfd, dst_dirfd, name) < 0)
        return -1;
    lxcf_cp_progress(&c, true);
    return 0;
}

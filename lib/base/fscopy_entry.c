/* One entry of a tree copy: its data (FICLONE, copy_file_range, holes),
 * owner, mode, xattrs and times. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy_impl.h"
#include "util.h"

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
int lxcf_cp_meta_fd(lxcf_cp_ctx *c, int sfd, int dfd, const struct stat *st)
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

/* A create failed with E.  Without merge a name already there is left
 * as it is (1): in a new tree, readdir returned it twice while the
 * directory was renamed into (a concurrent atomic replace), and the first
 * copy stands. */
int lxcf_cp_created(lxcf_cp_ctx *c, int e, const char *what)
{
    if (e == EEXIST && !c->o->merge) {
        c->st->skipped++;
        return 1;
    }
    return lxcf_cp_fail(c, e, what);
}

int lxcf_cp_file(lxcf_cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st,
                 lxcf_copy_action act)
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
        return lxcf_cp_created(c, errno, "create the copy of");
    if (act == LXCF_COPY_ENTRY && lxcf_cp_data(c, sfd, dfd, &st2) < 0)
        return -1;
    c->st->files++;
    return lxcf_cp_meta_fd(c, sfd, dfd, &st2);
}

int lxcf_cp_other(lxcf_cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st)
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
            return lxcf_cp_created(c, errno, "create the copy of");
        c->st->symlinks++;
    } else {
        if (mknodat(ddir, name, st->st_mode & (S_IFMT | 0600), st->st_rdev) < 0)
            return lxcf_cp_created(c, errno, "create the copy of");
        c->st->specials++;
    }
    return lxcf_cp_meta_at(c, sdir, ddir, name, st);
}

#include "fsremove.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "util.h"

typedef struct lxcf_rm_ctx {
    lxcf_fs_id top;
    char *mount;      /* first mount point left in place */
    unsigned nmounts;
    char *bad;        /* first path that could not be removed */
    int bad_errno;
} lxcf_rm_ctx;

static void lxcf_rm_note(lxcf_rm_ctx *c, const char *dir, const char *name, int e)
{
    if (!c->bad) {
        c->bad = lxcf_xasprintf("%s/%s", dir, name);
        c->bad_errno = e;
    }
}

/* Remove what is in DFD (owned, closed here); *KEPT is set when something
 * had to stay, so that the caller does not try to rmdir it. */
static void lxcf_rm_contents(lxcf_rm_ctx *c, int dfd, const char *path, bool *kept)
{
    _cleanup_closedir_ DIR *d = fdopendir(dfd);
    struct dirent *de;

    if (!d) {
        close(dfd);
        lxcf_rm_note(c, path, ".", errno);
        *kept = true;
        return;
    }
    while ((errno = 0, de = readdir(d))) {
        const char *name = de->d_name;
        lxcf_fs_id id;

        if (lxcf_streq(name, ".") || lxcf_streq(name, ".."))
            continue;
        if (lxcf_fs_ident(dirfd(d), name, &id) < 0) {
            if (errno != ENOENT)
                lxcf_rm_note(c, path, name, errno), *kept = true;
            continue;
        }
        if (!lxcf_fs_same_mount(&id, &c->top)) {
            if (!c->mount)
                c->mount = lxcf_xasprintf("%s/%s", path, name);
            c->nmounts++;
            *kept = true;
            continue;
        }
        if (S_ISDIR(id.mode)) {
            _cleanup_free_ char *sub = lxcf_xasprintf("%s/%s", path, name);
            int cfd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            lxcf_fs_id cid;
            bool ckept = false;

            if (cfd < 0) {
                lxcf_rm_note(c, path, name, errno), *kept = true;
                continue;
            }
            /* Re-check through the fd: the entry may have been swapped
             * for a mount or a link since the statx above. */
            if (lxcf_fs_ident(cfd, "", &cid) < 0 || !lxcf_fs_same_mount(&cid, &c->top) ||
                cid.ino != id.ino) {
                close(cfd);
                lxcf_rm_note(c, path, name, EBUSY), *kept = true;
                continue;
            }
            lxcf_rm_contents(c, cfd, sub, &ckept);
            if (ckept)
                *kept = true;
            else if (unlinkat(dirfd(d), name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                lxcf_rm_note(c, path, name, errno), *kept = true;
        } else if (unlinkat(dirfd(d), name, 0) < 0 && errno != ENOENT) {
            lxcf_rm_note(c, path, name, errno), *kept = true;
        }
    }
    if (errno)
        lxcf_rm_note(c, path, ".", errno), *kept = true;
}

int lxcf_fs_remove_tree(const char *path, lxcf_err *err)
{
    lxcf_rm_ctx c = { 0 };
    _cleanup_free_ char *mount = NULL, *bad = NULL;
    struct stat st;
    bool kept = false;
    int fd;

    if (lstat(path, &st) < 0)
        return lxcf_error_errno(err, errno == ENOENT ? LXCF_EXIT_NOTFOUND : LXCF_EXIT_FAIL,
                                errno, "%s: cannot remove", path);
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot remove", path);
        return 0;
    }
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", path);
    if (lxcf_fs_ident(fd, "", &c.top) < 0) {
        int e = errno;
        close(fd);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, e, "%s: cannot stat", path);
    }
    lxcf_rm_contents(&c, fd, path, &kept);
    mount = c.mount;
    bad = c.bad;
    if (mount) {
        if (c.nmounts > 1)
            return lxcf_error(err, LXCF_EXIT_FAIL,
                              "%s: is a mount point, left in place (and %u more); "
                              "everything else was removed", mount, c.nmounts - 1);
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: is a mount point, left in place; everything else was removed",
                          mount);
    }
    if (bad)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, c.bad_errno, "%s: cannot remove", bad);
    if (rmdir(path) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot remove", path);
    return 0;
}

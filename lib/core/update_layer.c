#include "update_layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy.h"
#include "fsremove.h"
#include "fsutil.h"
#include "spawn.h"
#include "update_snapshot.h"
#include "util.h"

/* Inside SNAPDIR, beside the trees: this snapshot is layered. */
#define LXCF_LAYER_MARK ".layered"
/* The overlay's own xattrs (origin, impure, opaque, uuid, ...): meaningful
 * to an upper layer only, never carried into the guest's tree. */
#define LXCF_OVL_XATTR "trusted.overlay."

static bool lxcf_layer_takes(const char *root, const char *name, bool separate,
                             struct stat *st)
{
    _cleanup_free_ char *p = lxcf_path_join(root, name);

    return lxcf_update_snap_takes(root, name, separate) && lstat(p, st) == 0;
}

bool lxcf_update_layer_possible(const char *root, const char *gdir, bool separate)
{
    struct stat rst, gst, st;

    if (lstat(root, &rst) < 0 || lstat(gdir, &gst) < 0 || rst.st_dev != gst.st_dev)
        return false;
    for (const char *const *d = lxcf_update_snap_dirs; *d; d++)
        if (lxcf_layer_takes(root, *d, separate, &st) && st.st_dev != rst.st_dev)
            return false;
    return true;
}

/* Only the top directory of a copy: its owner, mode, times and xattrs. */
static lxcf_copy_action lxcf_layer_top_only(const char *rel, const struct stat *st, void *opaque)
{
    (void)rel;
    (void)st;
    (void)opaque;
    return LXCF_COPY_SKIP;
}

int lxcf_update_layer_snapshot(const char *root, const char *snapdir, bool separate,
                               lxcf_err *err)
{
    lxcf_copy_opts top = { .filter = lxcf_layer_top_only };
    _cleanup_free_ char *mark = lxcf_path_join(snapdir, LXCF_LAYER_MARK);
    _cleanup_close_ int mfd = -1;
    struct stat st;

    /* A tree an earlier run left there may be a guest's only copy. */
    if (mkdir(snapdir, 0700) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", snapdir);
    mfd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (mfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", mark);
    for (const char *const *d = lxcf_update_snap_dirs; *d; d++) {
        _cleanup_free_ char *src = lxcf_path_join(root, *d);
        _cleanup_free_ char *dst = lxcf_path_join(snapdir, *d);

        if (!lxcf_layer_takes(root, *d, separate, &st))
            continue;
        if (rename(src, dst) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot move to %s", src, dst);
        lxcf_crashpoint("update-layer-moved");
        if (lxcf_fs_copy_tree(dst, src, &top, NULL, err) < 0)
            return -1;
    }
    /* The renames are the snapshot: on disk before CMD writes anything, in
     * every directory they changed (SNAPDIR got the trees, its parent got
     * SNAPDIR, the guest's root lost the trees and got the empty ones):
     * ext4's fast commits and btrfs's log keep only what was synced. */
    _cleanup_free_ char *parent = lxcf_path_join(snapdir, "..");
    if (lxcf_fs_sync_dir(snapdir, false, err) < 0 || lxcf_fs_sync_dir(parent, false, err) < 0)
        return -1;
    return lxcf_fs_sync_dir(root, false, err);
}

bool lxcf_update_layered(const char *snapdir)
{
    return lxcf_path_has(snapdir, LXCF_LAYER_MARK);
}

/* ---- the overlays ------------------------------------------------------- */

const char *lxcf_update_layer_base(const char *root, const char *snapdir, const char *path)
{
    _cleanup_free_ char *top = lxcf_xstrndup(path + strspn(path, "/"),
                                             strcspn(path + strspn(path, "/"), "/"));
    _cleanup_free_ char *lower = lxcf_path_join(snapdir, top);
    struct stat st;

    return top[0] && lstat(lower, &st) == 0 && S_ISDIR(st.st_mode) ? snapdir : root;
}

void lxcf_update_layers_clear(lxcf_update_layers *l)
{
    lxcf_strv_free(l->target);
    lxcf_strv_free(l->opts);
    lxcf_strv_free(l->opts_old);
    lxcf_strv_free(l->work);
    *l = (lxcf_update_layers){ 0 };
}

int lxcf_update_layers_prepare(const char *root, const char *snapdir, const char *scratch,
                               lxcf_update_layers *l, lxcf_err *err)
{
    *l = (lxcf_update_layers){ .target = lxcf_xcalloc(1, sizeof(char *)),
                               .opts = lxcf_xcalloc(1, sizeof(char *)),
                               .opts_old = lxcf_xcalloc(1, sizeof(char *)),
                               .work = lxcf_xcalloc(1, sizeof(char *)) };
    for (const char *const *d = lxcf_update_snap_dirs; *d; d++) {
        _cleanup_free_ char *lower = lxcf_path_join(snapdir, *d);
        _cleanup_free_ char *upper = lxcf_path_join(root, *d);
        _cleanup_free_ char *base = lxcf_xasprintf("layer-%s.work", *d);
        _cleanup_free_ char *work = lxcf_path_join(scratch, base);
        struct stat st;

        if (lstat(lower, &st) < 0)
            continue;
        if (strpbrk(lower, ",:") || strpbrk(upper, ",:") || strpbrk(work, ",:"))
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s, %s or %s: ',' or ':' cannot be used in an "
                              "overlay", lower, upper, work);
        if (lxcf_update_remove_if_exists(work, err) < 0)
            return -1;
        if (mkdir(work, 0700) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", work);
        /* The commit knows whiteouts and opaque directories: a renamed
         * directory (redirect), a shared index or data left in the lower
         * layer (metacopy) must never reach the upper one. */
        lxcf_strv_push(&l->opts_old, lxcf_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,"
                                                    "redirect_dir=off,index=off",
                                                    lower, upper, work));
        lxcf_strv_push(&l->opts, lxcf_xasprintf("%s,metacopy=off", l->opts_old[l->n]));
        lxcf_strv_push(&l->target, lxcf_steal_ptr(upper));
        lxcf_strv_push(&l->work, lxcf_steal_ptr(work));
        l->n++;
    }
    return 0;
}

int lxcf_update_layers_mount(const lxcf_update_layers *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (mount("overlay", l->target[i], "overlay", 0, l->opts[i]) == 0)
            continue;
        if (errno != EINVAL || mount("overlay", l->target[i], "overlay", 0, l->opts_old[i]) < 0)
            return -1;
    }
    return 0;
}

int lxcf_update_layers_end(lxcf_update_layers *l, lxcf_err *err)
{
    int r = 0;

    for (size_t i = 0; i < l->n; i++)
        if (r == 0 && lxcf_update_remove_if_exists(l->work[i], err) < 0)
            r = -1;
    lxcf_update_layers_clear(l);
    return r;
}

/* ---- the view ------------------------------------------------------------ */

typedef struct lxcf_view_child {
    const lxcf_update_layers *l;
    pid_t parent;
    int ready[2], hold[2];
} lxcf_view_child;

/* After fork: system calls only.  Reports 0 or an errno, then waits for
 * the parent to close its end of HOLD (or to die). */
static __attribute__((noreturn)) void lxcf_view_child_run(const lxcf_view_child *c)
{
    int e = 0;
    char b;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->parent)
        _exit(127);
    /* The parent's ends: HOLD must see the end of file when it closes its. */
    close(c->ready[0]);
    close(c->hold[1]);
    /* Views of other guests open at once in other threads: their HOLD
     * ends copied here would keep those views alive, and this one too. */
    lxcf_close_fds_except(c->ready[1], c->hold[0]);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        lxcf_update_layers_mount(c->l) < 0)
        e = errno ? errno : EIO;
    if (write(c->ready[1], &e, sizeof(e)) != (ssize_t)sizeof(e) || e)
        _exit(1);
    while (read(c->hold[0], &b, 1) < 0 && errno == EINTR)
        ;
    _exit(0);
}

int lxcf_update_view_open(const lxcf_update_layers *l, const char *root, lxcf_update_view *v,
                          lxcf_err *err)
{
    lxcf_view_child c = { .l = l, .parent = getpid() };
    int *ready = c.ready, *hold = c.hold, e = 0;
    ssize_t n;

    *v = (lxcf_update_view){ .pid = -1, .hold = -1 };
    if (pipe2(ready, O_CLOEXEC) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create a pipe");
    if (pipe2(hold, O_CLOEXEC) < 0) {
        close(ready[0]);
        close(ready[1]);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create a pipe");
    }
    v->pid = fork();
    if (v->pid == 0)
        lxcf_view_child_run(&c);
    close(ready[1]);
    close(hold[0]);
    v->hold = hold[1];
    if (v->pid < 0) {
        close(ready[0]);
        lxcf_update_view_close(v);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot fork");
    }
    do
        n = read(ready[0], &e, sizeof(e));
    while (n < 0 && errno == EINTR);
    close(ready[0]);
    if (n != (ssize_t)sizeof(e) || e) {
        lxcf_update_view_close(v);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, n == (ssize_t)sizeof(e) ? e : EIO,
                                "%s: cannot mount the overlay that shows the update", root);
    }
    v->root = lxcf_xasprintf("/proc/%d/root%s", (int)v->pid, root);
    v->ns = lxcf_xasprintf("/proc/%d/ns/mnt", (int)v->pid);
    return 0;
}

void lxcf_update_view_close(lxcf_update_view *v)
{
    if (v->hold >= 0)
        close(v->hold);
    while (v->pid > 0 && waitpid(v->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    free(v->root);
    free(v->ns);
    *v = (lxcf_update_view){ .pid = -1, .hold = -1 };
}

/* ---- the commit ------------------------------------------------------------ */

/* An upper layer's entry, reached through its directory's descriptor:
 * the guest's root user wrote that tree, so no path through it is ever
 * followed. */
typedef struct lxcf_layer_ent {
    int dirfd;
    const char *name;
    char proc[64 + NAME_MAX];  /* /proc/self/fd/DIRFD/NAME, for the l*xattr calls */
} lxcf_layer_ent;

static void lxcf_layer_ent_init(lxcf_layer_ent *e, int dirfd, const char *name)
{
    e->dirfd = dirfd;
    e->name = name;
    snprintf(e->proc, sizeof(e->proc), "/proc/self/fd/%d/%s", dirfd, name);
}

static bool lxcf_xattr_unsupported(int e)
{
    return e == ENOTSUP || e == EOPNOTSUPP;
}

/* The names of xattrs of FD (or, FD < 0, of PATH), NUL-separated, into
 * *NAMES; their total length, 0 when none or unsupported, -1 on error. */
static ssize_t lxcf_layer_xattr_names(int fd, const char *path, char **names)
{
    ssize_t n = fd >= 0 ? flistxattr(fd, NULL, 0) : llistxattr(path, NULL, 0);

    *names = NULL;
    if (n <= 0)
        return n < 0 && lxcf_xattr_unsupported(errno) ? 0 : n;
    *names = lxcf_xcalloc(1, (size_t)n + 1);
    n = fd >= 0 ? flistxattr(fd, *names, (size_t)n) : llistxattr(path, *names, (size_t)n);
    return n < 0 && lxcf_xattr_unsupported(errno) ? 0 : n;
}

static bool lxcf_layer_xattr_is(int fd, const char *path, const char *name, char want)
{
    char v[4] = { 0 };
    ssize_t n = fd >= 0 ? fgetxattr(fd, name, v, sizeof(v)) : lgetxattr(path, name, v, sizeof(v));

    return n >= 1 && v[0] == want;
}

/* Remove the overlay's xattrs of one entry (FD for a directory). */
static int lxcf_layer_strip_one(int fd, const char *path, const char *shown, lxcf_err *err)
{
    _cleanup_free_ char *names = NULL;
    ssize_t n = lxcf_layer_xattr_names(fd, path, &names);

    if (n < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot list xattrs", shown);
    for (char *x = names; x && x < names + n; x += strlen(x) + 1) {
        if (!lxcf_startswith(x, LXCF_OVL_XATTR))
            continue;
        if ((fd >= 0 ? fremovexattr(fd, x) : lremovexattr(path, x)) < 0 && errno != ENODATA)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot remove xattr %s",
                                    shown, x);
    }
    return 0;
}

/* The names in the directory FD, read whole: the commit changes it. */
static int lxcf_layer_names(int fd, char ***names, const char *shown, lxcf_err *err)
{
    _cleanup_closedir_ DIR *d = lxcf_opendir_fd(fd);
    struct dirent *de;

    if (!d)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot read", shown);
    *names = lxcf_xcalloc(1, sizeof(char *));
    errno = 0;
    while ((de = readdir(d)))
        if (!lxcf_streq(de->d_name, ".") && !lxcf_streq(de->d_name, ".."))
            lxcf_strv_push(names, lxcf_xstrdup(de->d_name));
    if (errno)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot read", shown);
    return 0;
}

static int lxcf_layer_open_dir(int dirfd, const char *name, const char *shown, lxcf_err *err)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", shown);
    return fd;
}

/* A tree that moves whole into the guest (new, or replacing what was
 * there) leaves the overlay's xattrs behind, at every level. */
static int lxcf_layer_strip_tree(const lxcf_layer_ent *e, bool dir, const char *shown,
                                 lxcf_err *err)
{
    _cleanup_close_ int fd = -1;
    _cleanup_strv_ char **names = NULL;

    if (!dir)
        return lxcf_layer_strip_one(-1, e->proc, shown, err);
    fd = lxcf_layer_open_dir(e->dirfd, e->name, shown, err);
    if (fd < 0 || lxcf_layer_strip_one(fd, NULL, shown, err) < 0 ||
        lxcf_layer_names(fd, &names, shown, err) < 0)
        return -1;
    for (char **n = names; *n; n++) {
        _cleanup_free_ char *sub = lxcf_path_join(shown, *n);
        lxcf_layer_ent c;
        struct stat st;

        lxcf_layer_ent_init(&c, fd, *n);
        if (fstatat(fd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat", sub);
        if (lxcf_layer_strip_tree(&c, S_ISDIR(st.st_mode), sub, err) < 0)
            return -1;
    }
    return 0;
}

/* Directory LFD takes the xattrs of UFD (the overlay's own aside), then
 * its owner, mode and times, as CMD left them. */
static int lxcf_layer_meta(int ufd, int lfd, const struct stat *ust, const char *shown,
                           lxcf_err *err)
{
    _cleanup_free_ char *unames = NULL, *lnames = NULL;
    ssize_t un = lxcf_layer_xattr_names(ufd, NULL, &unames);
    ssize_t ln = lxcf_layer_xattr_names(lfd, NULL, &lnames);
    struct timespec ts[2] = { ust->st_atim, ust->st_mtim };

    if (un < 0 || ln < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot list xattrs", shown);
    if (fchown(lfd, ust->st_uid, ust->st_gid) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot set the owner", shown);
    for (char *x = lnames; x && x < lnames + ln; x += strlen(x) + 1)
        if (fgetxattr(ufd, x, NULL, 0) < 0 && errno == ENODATA && fremovexattr(lfd, x) < 0 &&
            errno != ENODATA)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot remove xattr %s",
                                    shown, x);
    for (char *x = unames; x && x < unames + un; x += strlen(x) + 1) {
        if (lxcf_startswith(x, LXCF_OVL_XATTR))
            continue;
        ssize_t vn = fgetxattr(ufd, x, NULL, 0);
        _cleanup_free_ char *val = vn > 0 ? lxcf_xcalloc(1, (size_t)vn) : NULL;
        if (vn < 0 || (vn > 0 && (vn = fgetxattr(ufd, x, val, (size_t)vn)) < 0) ||
            fsetxattr(lfd, x, val ? val : "", (size_t)vn, 0) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot copy xattr %s",
                                    shown, x);
    }
    if (fchmod(lfd, ust->st_mode & 07777) < 0 || futimens(lfd, ts) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot set mode and times", shown);
    return 0;
}

static bool lxcf_layer_whiteout(const struct stat *st, const lxcf_layer_ent *e)
{
    if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
        return true;
    /* The form an overlay uses where it cannot make a device node. */
    return S_ISREG(st->st_mode) && st->st_size == 0 &&
           lxcf_layer_xattr_is(-1, e->proc, LXCF_OVL_XATTR "whiteout", 'y');
}

/* Remove the lower layer's entry E (shown as LSUB) through its directory's
 * descriptor: a path through the guest's tree could have been turned into
 * a link out of it since that directory was opened. */
static int lxcf_layer_remove(const lxcf_layer_ent *e, const char *lsub, lxcf_err *err)
{
    if (lxcf_fs_remove_tree(e->proc, err) < 0)
        return lxcf_error_prefix(err, "%s: ", lsub);
    return 0;
}

static int lxcf_layer_apply(int ufd, int lfd, const char *lpath, lxcf_err *err);

/* One entry NAME of the upper directory UFD onto the lower one LFD (at
 * LPATH, a path lxcf made). */
static int lxcf_layer_apply_one(int ufd, int lfd, const char *lpath, const char *name,
                                lxcf_err *err)
{
    _cleanup_free_ char *lsub = lxcf_path_join(lpath, name);
    lxcf_layer_ent e, l;
    struct stat ust, lst;
    bool lexists, merge;

    lxcf_layer_ent_init(&e, ufd, name);
    lxcf_layer_ent_init(&l, lfd, name);
    if (fstatat(ufd, name, &ust, AT_SYMLINK_NOFOLLOW) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat its update", lsub);
    lexists = fstatat(lfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0;
    if (!lexists && errno != ENOENT)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat", lsub);
    if (lxcf_layer_whiteout(&ust, &e)) {
        if (lexists && lxcf_layer_remove(&l, lsub, err) < 0)
            return -1;
        lxcf_crashpoint("update-layer-removed");
        if (unlinkat(ufd, name, 0) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot remove its whiteout",
                                    lsub);
        return 0;
    }
    merge = S_ISDIR(ust.st_mode) && lexists && S_ISDIR(lst.st_mode) &&
            !lxcf_layer_xattr_is(-1, e.proc, LXCF_OVL_XATTR "opaque", 'y');
    if (merge) {
        _cleanup_close_ int cu = lxcf_layer_open_dir(ufd, name, lsub, err);
        _cleanup_close_ int cl = cu < 0 ? -1 : lxcf_layer_open_dir(lfd, name, lsub, err);
        if (cl < 0 || lxcf_layer_apply(cu, cl, lsub, err) < 0 ||
            lxcf_layer_meta(cu, cl, &ust, lsub, err) < 0)
            return -1;
        lxcf_crashpoint("update-layer-merged");
        if (unlinkat(ufd, name, AT_REMOVEDIR) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot remove its update",
                                    lsub);
        return 0;
    }
    /* rename() replaces a non-directory only. */
    if (lexists && (S_ISDIR(lst.st_mode) || S_ISDIR(ust.st_mode)) &&
        lxcf_layer_remove(&l, lsub, err) < 0)
        return -1;
    if (lxcf_layer_strip_tree(&e, S_ISDIR(ust.st_mode), lsub, err) < 0)
        return -1;
    lxcf_crashpoint("update-layer-replacing");
    if (renameat(ufd, name, lfd, name) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot move its update in place",
                                lsub);
    return 0;
}

static int lxcf_layer_apply(int ufd, int lfd, const char *lpath, lxcf_err *err)
{
    _cleanup_strv_ char **names = NULL;

    if (lxcf_layer_names(ufd, &names, lpath, err) < 0)
        return -1;
    for (char **n = names; *n; n++)
        if (lxcf_layer_apply_one(ufd, lfd, lpath, *n, err) < 0)
            return -1;
    return 0;
}

/* The tree NAME: its upper layer (ROOT/NAME) into the snapshot's, which
 * then goes back to ROOT/NAME (lxcf_update_snap_fn). */
static int lxcf_layer_commit_one(const char *root, const char *snapdir, const char *name,
                                 lxcf_err *err)
{
    _cleanup_free_ char *upper = lxcf_path_join(root, name);
    _cleanup_free_ char *lower = lxcf_path_join(snapdir, name);
    struct stat ust;

    if (lstat(upper, &ust) == 0 && S_ISDIR(ust.st_mode)) {
        _cleanup_close_ int ufd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int lfd = open(lower, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (ufd < 0 || lfd < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s or %s: cannot open", upper,
                                    lower);
        if (lxcf_layer_apply(ufd, lfd, lower, err) < 0 ||
            lxcf_layer_meta(ufd, lfd, &ust, lower, err) < 0)
            return lxcf_error_prefix(err, "committing the update: ");
    }
    if (lxcf_update_remove_if_exists(upper, err) < 0)
        return -1;
    lxcf_crashpoint("update-layer-back");
    if (rename(lower, upper) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot move back to %s", lower,
                                upper);
    return 0;
}

int lxcf_update_layer_commit(const char *root, const char *snapdir, lxcf_err *err)
{
    return lxcf_update_snap_each(root, snapdir, lxcf_layer_commit_one, err);
}

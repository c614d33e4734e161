#include "rootfs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsremove.h"
#include "fsutil.h"
#include "util.h"

/* ---- var filter ---------------------------------------------------------- */

/* Rotated or compressed logs: history of the host, useless in a new guest. */
static bool lxcf_rootfs_is_rotated(const char *name)
{
    static const char *const sfx[] = { ".gz", ".xz", ".bz2", ".zst", ".old", NULL };
    const char *p = name + strlen(name);
    size_t digits = 0;

    for (const char *const *s = sfx; *s; s++)
        if (lxcf_endswith(name, *s))
            return true;
    while (p > name && isdigit((unsigned char)p[-1]))
        p--, digits++;
    if (digits == 0 || p == name)
        return false;
    /* syslog.1, and logrotate's dateext: messages-20240101 */
    return p[-1] == '.' || (p[-1] == '-' && digits == 8);
}

/* RELPATH is relative to var/. */
/* lxcf's own atomic writes (the host's /etc/hosts) leave a temp file
 * beside their target for a moment: never clone one into a guest. */
static bool lxcf_rootfs_is_lxcf_tmp(const char *rel)
{
    const char *base = strrchr(rel, '/');
    return strstr(base ? base + 1 : rel, LXCF_TMP_INFIX) != NULL;
}

static lxcf_copy_action lxcf_rootfs_etc_filter(const char *rel, const struct stat *st,
                                               void *opaque)
{
    return lxcf_rootfs_is_lxcf_tmp(rel) ? LXCF_COPY_SKIP : LXCF_COPY_ENTRY;
}

static lxcf_copy_action lxcf_rootfs_var_filter(const char *rel, const struct stat *st,
                                               void *opaque)
{
    const char *sub;

    if (lxcf_rootfs_is_lxcf_tmp(rel))
        return LXCF_COPY_SKIP;

    if (lxcf_startswith(rel, "cache/")) {
        sub = rel + strlen("cache/");
        if (lxcf_streq(sub, "debconf") || lxcf_startswith(sub, "debconf/"))
            return LXCF_COPY_ENTRY; /* debconf's answers live here: not a cache */
        /* Keep the skeleton (apt/archives/partial owned by _apt, man's
         * dirs owned by man): programs expect it and few recreate it. */
        return S_ISDIR(st->st_mode) ? LXCF_COPY_ENTRY : LXCF_COPY_SKIP;
    }
    if (lxcf_streq(rel, "log/journal"))
        return LXCF_COPY_NO_CONTENTS; /* per machine-id, and the guest gets a new one */
    if (lxcf_startswith(rel, "log/") && S_ISREG(st->st_mode)) {
        const char *base = strrchr(rel, '/') + 1;
        /* Keep current logs as empty files: daemons expect e.g. wtmp, btmp
         * and lastlog to exist with their owner and mode. */
        return lxcf_rootfs_is_rotated(base) ? LXCF_COPY_SKIP : LXCF_COPY_NO_CONTENTS;
    }
    if ((lxcf_streq(rel, "tmp") || lxcf_streq(rel, "crash") || lxcf_streq(rel, "run") ||
         lxcf_streq(rel, "lock")) && S_ISDIR(st->st_mode))
        return LXCF_COPY_NO_CONTENTS;
    return LXCF_COPY_ENTRY;
}

/* ---- helpers --------------------------------------------------------------- */

/* DIR/NAME for a real directory DIR, "/" included (lxcf_path_join treats a
 * "/" root as no prefix at all, which would make "etc" relative). */
static char *lxcf_rootfs_join(const char *dir, const char *name)
{
    return lxcf_xasprintf("%s%s%s", dir, lxcf_endswith(dir, "/") ? "" : "/", name);
}

/* The entries of EXCLUDE (relative to the host root) that lie below TOP,
 * made relative to TOP; *WHOLE is set when TOP itself is excluded. */
static char **lxcf_rootfs_sub_excludes(const char *const *exclude, const char *top, bool *whole)
{
    char **out = lxcf_xcalloc(1, sizeof *out);
    size_t n = strlen(top);

    *whole = false;
    for (; exclude && *exclude; exclude++) {
        const char *e = *exclude;
        while (*e == '/')
            e++;
        if (strncmp(e, top, n) != 0)
            continue;
        if (e[n] == '\0' || (e[n] == '/' && e[n + 1] == '\0'))
            *whole = true;
        else if (e[n] == '/')
            lxcf_strv_push(&out, lxcf_xstrdup(e + n + 1));
    }
    return out;
}

/* Make DEST (absent or an empty directory) and put the marker in it. */
static int lxcf_rootfs_begin(const char *dest, lxcf_err *err)
{
    _cleanup_close_ int fd = -1, mfd = -1;
    struct stat st;

    if (lstat(dest, &st) == 0) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        if (!S_ISDIR(st.st_mode))
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: exists and is not a directory", dest);
        d = opendir(dest);
        if (!d)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot read", dest);
        while ((de = readdir(d)))
            if (!lxcf_streq(de->d_name, ".") && !lxcf_streq(de->d_name, ".."))
                return lxcf_error(err, LXCF_EXIT_USAGE, "%s: already exists and is not empty",
                                  dest);
    } else if (errno != ENOENT) {
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat", dest);
    } else if (mkdir(dest, 0755) < 0) {
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", dest);
    }
    fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", dest);
    mfd = openat(fd, LXCF_ROOTFS_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0600);
    if (mfd < 0 || fsync(mfd) < 0 || fsync(fd) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot mark as being built",
                                dest);
    return lxcf_steal_fd(fd);
}

/* Everything copied reaches the disk before the marker goes away, so a
 * root without the marker is complete even after a power cut. */
static int lxcf_rootfs_end(int destfd, const char *dest, lxcf_err *err)
{
    if (syncfs(destfd) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot sync", dest);
    if (unlinkat(destfd, LXCF_ROOTFS_MARKER, 0) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot remove the build marker",
                                dest);
    (void)fsync(destfd);
    return 0;
}

static int lxcf_rootfs_empty_dir(int destfd, const char *dest, const char *name, mode_t mode,
                                 lxcf_err *err)
{
    if (mkdirat(destfd, name, mode) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s/%s: cannot create", dest, name);
    /* mkdir is subject to the umask; tmp needs its sticky 1777 exactly. */
    if (fchmodat(destfd, name, mode, 0) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s/%s: cannot chmod", dest, name);
    return 0;
}

typedef struct lxcf_rootfs_job {
    const char *host_root;
    const char *dest;
    int hostfd;
    int destfd;
    const char *const *exclude;
    lxcf_copy_progress_fn progress;
    void *opaque;
    lxcf_copy_stats *stats;
} lxcf_rootfs_job;

/* Copy HOST_ROOT/NAME (a directory) to DEST/NAME with FILTER. */
static int lxcf_rootfs_copy_dir(lxcf_rootfs_job *j, const char *name, lxcf_copy_filter_fn filter,
                                lxcf_err *err)
{
    _cleanup_free_ char *src = lxcf_rootfs_join(j->host_root, name);
    _cleanup_free_ char *dst = lxcf_rootfs_join(j->dest, name);
    _cleanup_strv_ char **ex = NULL;
    bool whole;
    lxcf_copy_opts o = {
        .one_file_system = true,
        .filter = filter,
        .progress = j->progress,
        .progress_opaque = j->opaque,
        .no_sync = true, /* lxcf_rootfs_end syncs the filesystem */
    };

    ex = lxcf_rootfs_sub_excludes(j->exclude, name, &whole);
    /* A small host may lack var (or usr): the guest still gets the dir. */
    if (whole || faccessat(j->hostfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
        return lxcf_rootfs_empty_dir(j->destfd, j->dest, name, 0755, err);
    o.exclude = (const char *const *)ex;
    return lxcf_fs_copy_tree(src, dst, &o, j->stats, err);
}

/* bin, sbin, lib*: a symlink is reproduced, a real directory copied. */
static int lxcf_rootfs_copy_libdir(lxcf_rootfs_job *j, const char *name, lxcf_err *err)
{
    struct stat st;
    char target[4096];
    ssize_t n;

    if (fstatat(j->hostfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s/%s: cannot stat", j->host_root,
                                name);
    }
    if (S_ISDIR(st.st_mode))
        return lxcf_rootfs_copy_dir(j, name, NULL, err);
    if (!S_ISLNK(st.st_mode))
        return 0;
    n = readlinkat(j->hostfd, name, target, sizeof target - 1);
    if (n < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s/%s: cannot read the symlink",
                                j->host_root, name);
    target[n] = '\0';
    if (symlinkat(target, j->destfd, name) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s/%s: cannot create", j->dest, name);
    j->stats->symlinks++;
    return 0;
}

/* /root: a fresh home with only the shell start-up files. */
static int lxcf_rootfs_root_home(lxcf_rootfs_job *j, lxcf_err *err)
{
    static const char *const files[] = { "root/.bashrc", "root/.profile", NULL };

    if (lxcf_rootfs_empty_dir(j->destfd, j->dest, "root", 0700, err) < 0)
        return -1;
    for (const char *const *f = files; *f; f++) {
        _cleanup_free_ char *data = NULL;
        struct stat st;
        size_t len;
        int r = lxcf_fs_stat_beneath(j->hostfd, *f, LXCF_FS_NOFOLLOW, &st, err);

        if (r < 0)
            return -1;
        if (r == 0 || !S_ISREG(st.st_mode))
            continue;
        /* No fsync of its own: lxcf_rootfs_end syncs the filesystem. */
        bool was = lxcf_sync_defer(true);
        r = lxcf_fs_read_beneath(j->hostfd, *f, &data, &len, err) < 0 ||
            lxcf_fs_write_beneath(j->destfd, *f, data, len, st.st_mode & 07777, err) < 0;
        lxcf_sync_defer(was);
        if (r)
            return -1;
        j->stats->files++;
        j->stats->bytes += len;
    }
    return 0;
}

/* When DEST lies under HOST_ROOT (roots in /var/lib/lxcf on a real host),
 * leave DEST out of the copy, whatever the caller's exclude list says. */
static char *lxcf_rootfs_dest_rel(const char *host_root, const char *dest)
{
    _cleanup_free_ char *rh = realpath(host_root, NULL), *rd = realpath(dest, NULL);
    size_t n;

    if (!rh || !rd)
        return NULL;
    n = strlen(rh);
    if (lxcf_streq(rh, "/"))
        return lxcf_xstrdup(rd + 1);
    if (strncmp(rd, rh, n) == 0 && rd[n] == '/')
        return lxcf_xstrdup(rd + n + 1);
    return NULL;
}

static int lxcf_rootfs_fill(lxcf_rootfs_job *j, lxcf_model model, lxcf_err *err)
{
    static const char *const libdirs[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32",
                                           NULL };
    static const char *const empty[] = { "dev", "proc", "sys", "run", "boot", "home",
                                         "media", "mnt", "opt", "srv", NULL };

    if (lxcf_rootfs_copy_dir(j, "etc", lxcf_rootfs_etc_filter, err) < 0 ||
        lxcf_rootfs_copy_dir(j, "var", lxcf_rootfs_var_filter, err) < 0)
        return -1;
    if (model == LXCF_MODEL_SEPARATE) {
        if (lxcf_rootfs_copy_dir(j, "usr", NULL, err) < 0)
            return -1;
    } else if (lxcf_rootfs_empty_dir(j->destfd, j->dest, "usr", 0755, err) < 0) {
        return -1;
    }
    for (const char *const *l = libdirs; *l; l++)
        if (lxcf_rootfs_copy_libdir(j, *l, err) < 0)
            return -1;
    for (const char *const *e = empty; *e; e++)
        if (lxcf_rootfs_empty_dir(j->destfd, j->dest, *e, 0755, err) < 0)
            return -1;
    if (lxcf_rootfs_empty_dir(j->destfd, j->dest, "tmp", 01777, err) < 0)
        return -1;
    return lxcf_rootfs_root_home(j, err);
}

int lxcf_rootfs_build(const char *host_root, const char *dest, lxcf_model model,
                      const char *const *exclude, lxcf_copy_progress_fn progress, void *opaque,
                      lxcf_copy_stats *stats, lxcf_err *err)
{
    _cleanup_close_ int hostfd = -1, destfd = -1;
    _cleanup_strv_ char **ex = NULL;
    _cleanup_free_ char *self = NULL;
    lxcf_copy_stats dummy = { 0 };
    struct stat st;

    if (!lxcf_model_to_string(model))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unknown model %d", dest, (int)model);
    hostfd = lxcf_fs_open_root(host_root, err);
    if (hostfd < 0)
        return -1;
    if (fstatat(hostfd, "etc", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: has no etc directory, not a system root",
                          host_root);
    destfd = lxcf_rootfs_begin(dest, err);
    if (destfd < 0)
        return -1;
    ex = lxcf_xcalloc(1, sizeof *ex);
    for (const char *const *e = exclude; e && *e; e++)
        lxcf_strv_push(&ex, lxcf_xstrdup(*e));
    self = lxcf_rootfs_dest_rel(host_root, dest);
    if (self)
        lxcf_strv_push(&ex, lxcf_steal_ptr(self));
    lxcf_rootfs_job j = {
        .host_root = host_root,
        .dest = dest,
        .hostfd = hostfd,
        .destfd = destfd,
        .exclude = (const char *const *)ex,
        .progress = progress,
        .opaque = opaque,
        .stats = stats ? stats : &dummy,
    };
    if (lxcf_rootfs_fill(&j, model, err) < 0) {
        lxcf_error_prefix(err, "%s: build failed, the partial root can only be erased: ", dest);
        return -1;
    }
    return lxcf_rootfs_end(destfd, dest, err);
}

bool lxcf_rootfs_is_partial(const char *dest)
{
    return lxcf_path_has(dest, LXCF_ROOTFS_MARKER);
}

int lxcf_rootfs_clone(const char *src_root, const char *dest, lxcf_copy_progress_fn progress,
                      void *opaque, lxcf_copy_stats *stats, lxcf_err *err)
{
    static const char *const exclude[] = { LXCF_ROOTFS_MARKER, NULL };
    _cleanup_close_ int destfd = -1;
    struct stat st;
    lxcf_copy_opts o = {
        .one_file_system = true,
        .merge = true, /* DEST holds only our marker, which the source never has */
        .exclude = exclude,
        .progress = progress,
        .progress_opaque = opaque,
        .no_sync = true, /* lxcf_rootfs_end syncs the filesystem */
    };

    if (lstat(src_root, &st) < 0)
        return lxcf_error_errno(err, errno == ENOENT ? LXCF_EXIT_NOTFOUND : LXCF_EXIT_FAIL,
                                errno, "%s: cannot clone", src_root);
    if (!S_ISDIR(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is not a directory, cannot clone it",
                          src_root);
    if (lxcf_rootfs_is_partial(src_root))
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: is a partially built root (a crashed build), cannot clone it",
                          src_root);
    destfd = lxcf_rootfs_begin(dest, err);
    if (destfd < 0)
        return -1;
    if (lxcf_fs_copy_tree(src_root, dest, &o, stats, err) < 0) {
        lxcf_error_prefix(err, "%s: clone failed, the partial root can only be erased: ", dest);
        return -1;
    }
    return lxcf_rootfs_end(destfd, dest, err);
}

int lxcf_rootfs_erase(const char *roots_dir, const char *dest, lxcf_err *err)
{
    _cleanup_free_ char *rroots = NULL, *rdest = NULL;
    struct stat st;
    char *slash;

    if (lstat(dest, &st) < 0)
        return lxcf_error_errno(err, errno == ENOENT ? LXCF_EXIT_NOTFOUND : LXCF_EXIT_FAIL,
                                errno, "%s: cannot erase", dest);
    if (S_ISLNK(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is a symlink, refusing to erase it", dest);
    if (!S_ISDIR(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is not a directory, refusing to erase it",
                          dest);
    rroots = realpath(roots_dir, NULL);
    if (!rroots)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot resolve", roots_dir);
    rdest = realpath(dest, NULL);
    if (!rdest)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot resolve", dest);
    slash = strrchr(rdest, '/');
    if (!slash || slash[1] == '\0' || (size_t)(slash - rdest) != strlen(rroots) ||
        strncmp(rdest, rroots, strlen(rroots)) != 0 || lxcf_streq(rroots, "/"))
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: is not directly inside %s, refusing to erase it", dest, roots_dir);
    return lxcf_fs_remove_tree(rdest, err);
}

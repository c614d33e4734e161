#include "update_snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy.h"
#include "fsremove.h"
#include "fsutil.h"
#include "util.h"


/* What a package command may write outside /usr.  usr itself is only a
 * guest's own in the separate model; real bin/lib directories (hosts
 * without merged /usr) are copies in both models. */
const char *const lxcf_update_snap_dirs[] = {
    "etc", "var", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", NULL
};

bool lxcf_update_snap_takes(const char *root, const char *name, bool separate)
{
    _cleanup_free_ char *p = lxcf_path_join(root, name);
    struct stat st;

    if (lxcf_streq(name, "usr") && !separate)
        return false;
    return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int lxcf_update_remove_if_exists(const char *path, lxcf_err *err)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s", path);
    return lxcf_fs_remove_tree(path, err);
}

static int lxcf_update_snapshot_fill(const char *root, const char *snapdir, bool separate,
                                     lxcf_err *err)
{
    lxcf_copy_opts opts = { .one_file_system = true };

    for (const char *const *d = lxcf_update_snap_dirs; *d; d++) {
        _cleanup_free_ char *src = lxcf_path_join(root, *d);
        _cleanup_free_ char *dst = lxcf_path_join(snapdir, *d);

        if (!lxcf_update_snap_takes(root, *d, separate))
            continue;
        if (lxcf_fs_copy_tree(src, dst, &opts, NULL, err) < 0)
            return -1;
    }
    /* The journal will call this snapshot complete: it must be on disk. */
    return lxcf_fs_sync_dir(snapdir, true, err);
}

int lxcf_update_snapshot(const char *root, const char *snapdir, bool separate, lxcf_err *err)
{
    if (lxcf_update_remove_if_exists(snapdir, err) < 0)
        return -1;
    if (mkdir(snapdir, 0700) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", snapdir);
    if (lxcf_update_snapshot_fill(root, snapdir, separate, err) == 0)
        return 0;
    /* No journal names this copy yet, and the guest's trees are untouched:
     * a partial copy left here would make lxcf start refuse the guest
     * (lxcf_update_holds) with nothing for --recover to do. */
    lxcf_update_remove_if_exists(snapdir, NULL);
    return -1;
}

static int lxcf_restore_one(const char *root, const char *snapdir, const char *name,
                            lxcf_err *err)
{
    _cleanup_free_ char *src = lxcf_path_join(snapdir, name);
    _cleanup_free_ char *dst = lxcf_path_join(root, name);

    if (lxcf_update_remove_if_exists(dst, err) < 0)
        return -1;
    if (rename(src, dst) == 0)
        return 0;
    if (errno != EXDEV)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot move back to %s", src, dst);
    /* The guest's root is another filesystem than the roots directory. */
    if (lxcf_fs_copy_tree(src, dst, NULL, NULL, err) < 0)
        return -1;
    return lxcf_fs_remove_tree(src, err);
}

int lxcf_update_snap_each(const char *root, const char *snapdir, lxcf_update_snap_fn *fn,
                          lxcf_err *err)
{
    struct stat rst;

    /* A guest erased since its snapshot has nothing left to restore. */
    if (lstat(root, &rst) < 0 && errno == ENOENT)
        return lxcf_update_remove_if_exists(snapdir, err);
    for (const char *const *d = lxcf_update_snap_dirs; *d; d++) {
        _cleanup_free_ char *src = lxcf_path_join(snapdir, *d);
        struct stat st;

        /* Missing: not snapshotted, or already restored by an earlier try. */
        if (lstat(src, &st) < 0)
            continue;
        if (fn(root, snapdir, *d, err) < 0)
            return -1;
    }
    /* The trees put back (and, from a commit, every rename into them) are
     * on disk before the snapshot that held them, and then the journal,
     * go: btrfs and ext4's fast commits keep only what was synced. */
    if (lxcf_fs_sync_dir(root, true, err) < 0)
        return -1;
    return lxcf_update_remove_if_exists(snapdir, err);
}

int lxcf_update_rollback(const char *root, const char *snapdir, lxcf_err *err)
{
    return lxcf_update_snap_each(root, snapdir, lxcf_restore_one, err);
}

/* Safe file operations beneath a root directory.
 *
 * A guest's root user is not trusted: it may have planted symlinks anywhere
 * in its tree (etc/hosts -> /etc/shadow, var/x -> /).  Everything here that
 * works inside a guest tree resolves paths relative to a directory fd and
 * never lets a path leave it: openat2(RESOLVE_IN_ROOT) where the kernel has
 * it (5.6+), a component-by-component walk with O_NOFOLLOW where it does not
 * (RHEL 8).  Removing and copying trees never follow symlinks and never cross
 * into another mount. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"

/* Open PATH (a directory) as the root of later *_beneath calls. */
int lxcf_fs_open_root(const char *path, lxcf_err *err);

/* Open RELPATH beneath ROOTFD.  No component may be a symlink (ELOOP, named
 * in the message), "..", or leave ROOTFD.  FLAGS/MODE as for openat();
 * O_NOFOLLOW and O_CLOEXEC are added.  "" or "." opens the root itself. */
int lxcf_fs_openat_beneath(int rootfd, const char *relpath, int flags, mode_t mode,
                           lxcf_err *err);

/* Like lxcf_fs_openat_beneath, but symlinks are followed as if ROOTFD were
 * "/" (a chroot that cannot be escaped): for reading a guest's own view of
 * its files, e.g. lib/systemd/... through a lib -> usr/lib link. */
int lxcf_fs_openat_in_root(int rootfd, const char *relpath, int flags, mode_t mode,
                           lxcf_err *err);

/* How lxcf_fs_stat_beneath resolves RELPATH. */
typedef enum lxcf_fs_resolve {
    LXCF_FS_NOFOLLOW, /* no symlink in the parents; the last one is lstat'ed */
    LXCF_FS_IN_ROOT,  /* symlinks followed, clamped to the root */
} lxcf_fs_resolve;

/* Stat RELPATH: 1 and *ST filled when it exists, 0 when it does not (or a
 * parent is not a directory), -1 on any other error. ST may be NULL. */
int lxcf_fs_stat_beneath(int rootfd, const char *relpath, lxcf_fs_resolve how,
                         struct stat *st, lxcf_err *err);

/* Create RELPATH and its missing parents with MODE; existing directories are
 * kept as they are; a symlink on the way is an error. */
int lxcf_fs_mkdir_p_beneath(int rootfd, const char *relpath, mode_t mode, lxcf_err *err);

/* Replace RELPATH atomically (temp file beside it, fsync, renameat, fsync of
 * the directory).  An existing regular file keeps its owner and mode (MODE is
 * used for a new file); an existing symlink is replaced by the file, never
 * written through; anything else (directory, fifo, device) is an error. */
int lxcf_fs_write_beneath(int rootfd, const char *relpath, const char *data, size_t len,
                          mode_t mode, lxcf_err *err);

/* Read the regular file RELPATH (no symlinks) into a NUL-terminated buffer. */
int lxcf_fs_read_beneath(int rootfd, const char *relpath, char **out, size_t *len,
                         lxcf_err *err);

/* Remove the non-directory RELPATH (a symlink itself, never its target).
 * Returns 1 when removed, 0 when it did not exist. */
int lxcf_fs_unlink_beneath(int rootfd, const char *relpath, lxcf_err *err);

/* Make RELPATH a symlink to TARGET, atomically replacing an existing file or
 * link (not a directory). TARGET is stored as given, never resolved. */
int lxcf_fs_symlink_beneath(int rootfd, const char *target, const char *relpath,
                            lxcf_err *err);

/* Remove the tree at PATH with openat/unlinkat only.  Symlinks are removed,
 * never followed.  A directory (or file) below PATH that is another mount
 * (st_dev or mount id differs from PATH's) is left in place, everything else
 * removable is removed, and the call then fails naming it. A PATH that is a
 * symlink or a file is unlinked. */
int lxcf_fs_remove_tree(const char *path, lxcf_err *err);

/* What a copy filter decides for one entry. */
typedef enum lxcf_copy_action {
    LXCF_COPY_ENTRY = 0, /* copy it (a directory with its contents) */
    LXCF_COPY_SKIP,      /* leave it out entirely */
    LXCF_COPY_NO_CONTENTS, /* directory: create it, skip what is in it; regular
                            * file: create it empty; other types: copy */
} lxcf_copy_action;

/* RELPATH is relative to the copy's source top ("var/log/syslog"). */
typedef lxcf_copy_action (*lxcf_copy_filter_fn)(const char *relpath, const struct stat *st,
                                                void *opaque);
typedef void (*lxcf_copy_progress_fn)(uint64_t bytes, uint64_t files, void *opaque);

typedef struct lxcf_copy_opts {
    bool one_file_system;  /* a mount below src is recreated as an empty dir */
    bool merge;            /* dst may already hold entries (a clash then fails) */
    const char *const *exclude;     /* NULL-terminated relpaths left out */
    const char *const *no_contents; /* NULL-terminated relpaths: see NO_CONTENTS */
    lxcf_copy_filter_fn filter;     /* asked after exclude/no_contents */
    void *filter_opaque;
    lxcf_copy_progress_fn progress; /* at most every ~0.5 s, and once at the end */
    void *progress_opaque;
} lxcf_copy_opts;

/* Counters are ADDED to, so one struct can sum several copies. */
typedef struct lxcf_copy_stats {
    uint64_t files;     /* regular files created (not hard links) */
    uint64_t dirs;
    uint64_t symlinks;
    uint64_t specials;  /* fifos, device nodes */
    uint64_t hardlinks; /* extra names linked to an already copied inode */
    uint64_t skipped;   /* sockets and filtered entries */
    uint64_t bytes;     /* file data copied (or shared) */
    uint64_t cloned;    /* regular files whose data FICLONE shared whole */
} lxcf_copy_stats;

/* Copy the tree SRC to DST preserving owner, mode, ns timestamps, xattrs
 * (security.* included), hard links, symlinks (as links), fifos and device
 * nodes; sockets are skipped.  Data is reflinked when the filesystem can
 * (FICLONE, asked for every non-empty file until the filesystem says it
 * cannot), else copied in the kernel (copy_file_range, which still shares
 * extents within one filesystem), holes kept.  DST must not
 * exist or be empty (unless opts->merge) and must not lie inside SRC.
 * OPTS and STATS may be NULL. */
int lxcf_fs_copy_tree(const char *src, const char *dst, const lxcf_copy_opts *opts,
                      lxcf_copy_stats *stats, lxcf_err *err);

/* Test hook: behave as on a kernel without openat2 (exercises the fallback). */
void lxcf_fs_set_openat2_disabled(bool disabled);

/* Safe file operations beneath a root directory.
 *
 * A guest's root user is not trusted: it may have planted symlinks anywhere
 * in its tree (etc/hosts -> /etc/shadow, var/x -> /).  Everything here that
 * works inside a guest tree resolves paths relative to a directory fd and
 * never lets a path leave it: openat2(RESOLVE_IN_ROOT) where the kernel has
 * it (5.6+), a component-by-component walk with O_NOFOLLOW where it does not
 * (RHEL 8).  Removing a tree is fsremove.h, copying one fscopy.h. */
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

/* How lxcf_fs_stat_beneath resolves RELPATH. */
typedef enum lxcf_fs_resolve {
    LXCF_FS_NOFOLLOW, /* no symlink in the parents; the last one is lstat'ed */
    LXCF_FS_IN_ROOT,  /* symlinks followed as if the root were "/" (a chroot
                       * that cannot be escaped): a guest's own view, e.g.
                       * lib/systemd/... through a lib -> usr/lib link */
} lxcf_fs_resolve;

/* Stat RELPATH: 1 and *ST filled when it exists, 0 when it does not (or a
 * parent is not a directory), -1 on any other error. ST may be NULL. */
int lxcf_fs_stat_beneath(int rootfd, const char *relpath, lxcf_fs_resolve how,
                         struct stat *st, lxcf_err *err);

/* Create RELPATH and its missing parents with MODE; existing directories are
 * kept as they are; a symlink on the way is an error. */
int lxcf_fs_mkdir_p_beneath(int rootfd, const char *relpath, mode_t mode, lxcf_err *err);

/* Make what was written under the directory PATH durable: its entries
 * (fsync of the directory, enough after renames), or WHOLE_FS, every file
 * of its filesystem (syncfs: after a tree copy, one journal commit instead
 * of a fsync per file). */
int lxcf_fs_sync_dir(const char *path, bool whole_fs, lxcf_err *err);

/* Replace RELPATH atomically (temp file beside it, fsync, renameat, fsync of
 * the directory).  An existing regular file keeps its owner and mode (MODE is
 * used for a new file); an existing symlink is replaced by the file, never
 * written through; anything else (directory, fifo, device) is an error. */
int lxcf_fs_write_beneath(int rootfd, const char *relpath, const char *data, size_t len,
                          mode_t mode, lxcf_err *err);

/* lxcf_fs_write_beneath in two steps, for a batch of files made durable
 * together: stage writes each new content to a temp file beside its
 * RELPATH (fsync'ed unless the thread defers syncs, lxcf_sync_defer), the
 * caller syncs their filesystems, then commit renames each over its
 * RELPATH (the directory fsync'ed unless deferred), and a last sync makes
 * the renames durable.  A crash at any point leaves each file old or new,
 * never torn, and at most a temp file beside it.  Clear drops what was
 * staged and not committed. */
typedef struct lxcf_fs_staged {
    int dirfd;   /* RELPATH's directory; -1: nothing staged */
    char *tmp;   /* the temp file's name in it */
    char *name;  /* RELPATH's last component */
} lxcf_fs_staged;
#define LXCF_FS_STAGED_INIT { .dirfd = -1 }

int lxcf_fs_stage_beneath(int rootfd, const char *relpath, const char *data, size_t len,
                          mode_t mode, lxcf_fs_staged *sf, lxcf_err *err);
int lxcf_fs_staged_commit(lxcf_fs_staged *sf, lxcf_err *err);
void lxcf_fs_staged_clear(lxcf_fs_staged *sf);

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

/* Mount identity: where an entry lives, for walks that must not cross
 * into another mount (fsremove, fscopy). */
typedef struct lxcf_fs_id {
    mode_t mode;
    dev_t dev;
    ino_t ino;
    uint64_t mnt_id; /* 0: unknown (kernel without STATX_MNT_ID) */
} lxcf_fs_id;

/* Identify NAME in DIRFD without following a final symlink ("" is DIRFD
 * itself); -1 with errno. */
int lxcf_fs_ident(int dirfd, const char *name, lxcf_fs_id *id);
/* A and B are on the same mount (the mount id is compared when both have one). */
bool lxcf_fs_same_mount(const lxcf_fs_id *a, const lxcf_fs_id *b);

/* Test hook: behave as on a kernel without openat2 (exercises the fallback). */
void lxcf_fs_set_openat2_disabled(bool disabled);

/* Build, clone and erase a container's root directory: pure filesystem
 * work (no libvirt), on top of fsutil. */
#pragma once

#include <stdbool.h>

#include "err.h"
#include "fscopy.h"
#include "model.h"

/* Present in a root while it is being built or cloned, removed last: a root
 * that still has it was left by a crash and can only be erased. */
#define LXCF_ROOTFS_MARKER ".lxcf-building"

/* Build the root DEST from HOST_ROOT (the directory playing the host's "/":
 * "/" in production) following DESIGN.md's table:
 *  - etc copied whole; var copied except: var/cache keeps its directories
 *    but no files (var/cache/debconf is copied: debconf's database, not a cache),
 *    var/log keeps its dirs and its current log files as empty files (owner
 *    and mode kept, rotated logs and var/log/journal contents dropped),
 *    var/tmp, var/crash and a real var/run or var/lock emptied, sockets skipped;
 *  - usr copied (separate) or an empty mount point (joint);
 *  - bin sbin lib lib32 lib64 libx32 reproduced as the host has them
 *    (symlinks into usr, or real directories copied in both models);
 *  - dev proc sys run tmp (1777) boot home media mnt opt srv empty;
 *  - root (0700) with only .bashrc and .profile.
 * Mounts below HOST_ROOT are never entered (recreated as empty dirs).
 * EXCLUDE: NULL-terminated paths relative to HOST_ROOT left out entirely
 * (e.g. "var/lib/lxcf" where the roots live).  DEST must not exist or be
 * empty.  PROGRESS may be NULL; STATS (may be NULL) is added to. */
int lxcf_rootfs_build(const char *host_root, const char *dest, lxcf_model model,
                      const char *const *exclude, lxcf_copy_progress_fn progress, void *opaque,
                      lxcf_copy_stats *stats, lxcf_err *err);

/* Copy the existing container root SRC_ROOT to DEST (both models: a joint
 * root's usr is an empty mount point and stays one; a mounted usr is never
 * entered).  Refuses a partial SRC_ROOT. */
int lxcf_rootfs_clone(const char *src_root, const char *dest, lxcf_copy_progress_fn progress,
                      void *opaque, lxcf_copy_stats *stats, lxcf_err *err);

/* True when DEST holds the build marker (a crashed build or clone). */
bool lxcf_rootfs_is_partial(const char *dest);

/* Remove DEST, which must be a real directory (not a symlink) directly inside
 * ROOTS_DIR (compared after realpath).  Never follows a symlink, never
 * crosses a mount point (a mounted usr of a running container stays, and
 * the call fails naming it).  A missing DEST fails with LXCF_EXIT_NOTFOUND. */
int lxcf_rootfs_erase(const char *roots_dir, const char *dest, lxcf_err *err);

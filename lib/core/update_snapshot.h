/* Snapshot and rollback of a guest's root around an update: what the
 * package command may change, copied aside before it runs and put back
 * when any guest fails. */
#pragma once

#include <stdbool.h>

#include "err.h"

/* What a package command may write outside /usr, as names in a root
 * (NULL-terminated): etc, var, bin, sbin, lib, lib32, lib64, libx32, usr. */
extern const char *const lxcf_update_snap_dirs[];
/* A snapshot of ROOT holds ROOT/NAME (one of lxcf_update_snap_dirs): a
 * real directory (not a symlink), usr only when SEPARATE. */
bool lxcf_update_snap_takes(const char *root, const char *name, bool separate);

/* Copy what CMD may change in the guest ROOT into SNAPDIR (removed first if
 * a crash left one): etc and var, real (not symlinked) bin sbin lib lib32
 * lib64 libx32, and usr when SEPARATE.  Reflinked where the filesystem
 * can. */
int lxcf_update_snapshot(const char *root, const char *snapdir, bool separate, lxcf_err *err);
/* FN(ROOT, SNAPDIR, NAME) for each tree NAME that SNAPDIR holds (one
 * missing was not snapshotted, or is done by an earlier try), then SNAPDIR
 * removed; a ROOT erased since only has SNAPDIR removed. */
typedef int lxcf_update_snap_fn(const char *root, const char *snapdir, const char *name,
                                lxcf_err *err);
int lxcf_update_snap_each(const char *root, const char *snapdir, lxcf_update_snap_fn *fn,
                          lxcf_err *err);

/* Put every tree in SNAPDIR back into ROOT (the tree in ROOT is removed,
 * the snapshot's renamed in place), then remove SNAPDIR.  Idempotent: a
 * rollback interrupted half-way can simply be run again. */
int lxcf_update_rollback(const char *root, const char *snapdir, lxcf_err *err);

/* Remove the tree (or file) at PATH; nothing there is no error. */
int lxcf_update_remove_if_exists(const char *path, lxcf_err *err);

/* Snapshot and rollback of a guest's root around an update: what the
 * package command may change, copied aside before it runs and put back
 * when any guest fails. */
#pragma once

#include <stdbool.h>

#include "err.h"

/* Copy what CMD may change in the guest ROOT into SNAPDIR (removed first if
 * a crash left one): etc and var, real (not symlinked) bin sbin lib lib32
 * lib64 libx32, and usr when SEPARATE.  Reflinked where the filesystem
 * can. */
int lxcf_update_snapshot(const char *root, const char *snapdir, bool separate, lxcf_err *err);
/* Put every tree in SNAPDIR back into ROOT (the tree in ROOT is removed,
 * the snapshot's renamed in place), then remove SNAPDIR.  Idempotent: a
 * rollback interrupted half-way can simply be run again. */
int lxcf_update_rollback(const char *root, const char *snapdir, lxcf_err *err);

/* Remove the tree (or file) at PATH; nothing there is no error. */
int lxcf_update_remove_if_exists(const char *path, lxcf_err *err);

/* Layered snapshots: a guest's trees set aside by rename, not by copy.
 *
 * A copied snapshot costs every file and byte of a guest's etc and var
 * (and usr when separate), to write, to sync and to remove again: on a
 * filesystem without reflink (ext4) that is most of an update's time, and
 * it grows with the guest.  Where the guest's root and the update's
 * scratch directory share a filesystem, each such tree is instead renamed
 * into the snapshot directory, and an empty directory with the tree's
 * owner, mode, times and xattrs takes its place.  CMD sees the tree
 * through an overlay whose lower layer is the snapshot and whose upper
 * layer is that directory: what CMD writes lands at the guest's own path,
 * the original stays untouched beside it.
 *
 * Rolling back is lxcf_update_rollback (update_snapshot.h), as for a copy:
 * the upper tree is removed and the original renamed back.  Committing
 * moves the upper layer into the original (a rename per changed entry; a
 * whiteout removes, an opaque directory replaces, a merged directory takes
 * the upper one's owner, mode, xattrs and times) and renames the result
 * back: its cost is what CMD changed, not the size of the guest.  Both are
 * idempotent, so recovery can repeat either after a crash. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Whether the trees a snapshot of ROOT holds (SEPARATE: usr too) can be
 * renamed into a snapshot under GDIR: one filesystem, no mount between. */
bool lxcf_update_layer_possible(const char *root, const char *gdir, bool separate);

/* Create SNAPDIR (it must not exist) marked as layered and move every tree
 * of ROOT a snapshot holds into it, each replaced in ROOT by an empty
 * directory with its metadata.  The journal must name the guest touched
 * before: from the first rename on, only a rollback or a commit brings
 * the guest's tree back together. */
int lxcf_update_layer_snapshot(const char *root, const char *snapdir, bool separate,
                               lxcf_err *err);

/* SNAPDIR was made by lxcf_update_layer_snapshot. */
bool lxcf_update_layered(const char *snapdir);

/* Where a directory at the absolute guest path PATH is made before CMD
 * runs, so that the overlay shows it at PATH: SNAPDIR when PATH lies in
 * one of its trees, else ROOT (one of the two arguments). */
const char *lxcf_update_layer_base(const char *root, const char *snapdir, const char *path);

/* The overlays that show each tree of a layered snapshot merged with what
 * CMD changed, at the tree's own path in ROOT. */
typedef struct lxcf_update_layers {
    size_t n;
    char **target;   /* ROOT/NAME: the upper layer, and where the merge is mounted */
    char **opts;     /* the overlay's options ... */
    char **opts_old; /* ... and the same for kernels before 4.19 (no metacopy) */
    char **work;     /* SCRATCH/layer-NAME.work, the overlay's work directory */
} lxcf_update_layers;

/* Fill *L for the layered snapshot SNAPDIR of ROOT and make its work
 * directories, empty, in SCRATCH (a directory on ROOT's filesystem). */
int lxcf_update_layers_prepare(const char *root, const char *snapdir, const char *scratch,
                               lxcf_update_layers *l, lxcf_err *err);
/* Mount the overlays of L, in a child with a mount namespace of its own:
 * system calls only.  0, or -1 with errno set. */
int lxcf_update_layers_mount(const lxcf_update_layers *l);
/* Remove L's work directories (once no mount of it is left) and clear L. */
int lxcf_update_layers_end(lxcf_update_layers *l, lxcf_err *err);
void lxcf_update_layers_clear(lxcf_update_layers *l);

/* A process that holds L's overlays mounted in a namespace of its own, so
 * that ROOT can be read as CMD left it (the package database, before the
 * commit): files through ROOT, programs in NS (a program may resolve
 * /proc/PID/root as the link it is: sqlite does). */
typedef struct lxcf_update_view {
    pid_t pid;
    int hold;   /* closing it lets the process end */
    char *root; /* /proc/PID/root/ROOT */
    char *ns;   /* /proc/PID/ns/mnt (update_exec_opts.ns) */
} lxcf_update_view;

int lxcf_update_view_open(const lxcf_update_layers *l, const char *root, lxcf_update_view *v,
                          lxcf_err *err);
void lxcf_update_view_close(lxcf_update_view *v);

/* Move what CMD changed (the upper layer at each tree's path in ROOT) into
 * the layered snapshot SNAPDIR's trees, put them back in ROOT and remove
 * SNAPDIR.  Interrupted, it can be run again. */
int lxcf_update_layer_commit(const char *root, const char *snapdir, lxcf_err *err);

/* The dummy-/usr update cycle (`lxcf update CMD`) and `lxcf deploy`.
 *
 * A package command run on the host changes /usr (shared by every joint
 * guest) and the host's /etc and /var; each guest needs the same /etc and
 * /var changes (package database, conffiles, scriptlet effects) without a
 * second write to the shared /usr.  So CMD runs first chrooted in every
 * guest, in a private mount namespace where the guest's /usr is a throw-away
 * overlay over the host's (joint) or the guest's own /usr (separate), then
 * once on the host.  A failure in any guest rolls every touched guest back
 * from a snapshot and the host step never runs.  A journal lets
 * `lxcf update --recover` (or the next run) finish or undo a crashed run.
 * Nothing here prints: progress goes through lxcf_report. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "ctx.h"
#include "err.h"
#include "virt.h"

/* Scratch directory under the roots directory: journal, per-guest
 * snapshot, overlay upper/work and log. */
#define LXCF_UPDATE_DIR ".lxcf-update"
/* Where host files named in CMD appear inside the chroot (a tmpfs). */
#define LXCF_UPDATE_FILES_DIR "/run/lxcf-update"

typedef struct lxcf_update_guest {
    char *name;
    char *root;     /* absolute host path of the guest's root */
    lxcf_model model;
    bool running;
} lxcf_update_guest;

typedef struct lxcf_update_plan {
    lxcf_update_guest *g;
    size_t n;
    char **skipped;  /* containers still "building": never touched */
} lxcf_update_plan;

/* The guests of an update or deploy: every container of L whose root lies
 * directly in ROOTS_DIR (others belong to another host tree served by the
 * same libvirtd, e.g. another --root, and are never touched), or only
 * those named in ONLY (names or UUIDs; an unknown one is
 * LXCF_EXIT_NOTFOUND, a building one named there is LXCF_EXIT_USAGE).
 * Sorted as L is. */
int lxcf_update_plan_build(const lxcf_virt_list *l, const char *roots_dir, char *const *only,
                           lxcf_update_plan *plan, lxcf_err *err);
void lxcf_update_plan_clear(lxcf_update_plan *plan);

/* CMD as given, and as run inside a chroot: every argument that names an
 * existing regular host file (it contains a '/' or a '.') is replaced by
 * LXCF_UPDATE_FILES_DIR/I/BASENAME, where the file is copied. */
typedef struct lxcf_update_cmd {
    char **argv;        /* as given */
    char **chroot_argv; /* with host files rewritten */
    char **files;       /* absolute host paths of the rewritten arguments */
    char **dests;       /* their paths inside the chroot, parallel to files */
} lxcf_update_cmd;

int lxcf_update_cmd_prepare(char *const *argv, lxcf_update_cmd *cmd, lxcf_err *err);
void lxcf_update_cmd_clear(lxcf_update_cmd *cmd);

typedef enum lxcf_update_phase {
    LXCF_UPDATE_PHASE_GUESTS, /* guests being updated: a crash rolls them back */
    LXCF_UPDATE_PHASE_HOST,   /* the host step started: guests keep the update */
    LXCF_UPDATE_PHASE_DONE,   /* only cleanup and restarts remain */
} lxcf_update_phase;

const char *lxcf_update_phase_name(lxcf_update_phase p);

typedef struct lxcf_update_journal {
    lxcf_update_phase phase;
    char **touched;  /* guests with a complete snapshot: CMD may have run */
    char **stopped;  /* guests lxcf stopped and must start again */
} lxcf_update_journal;

/* Written atomically (temp + fsync + rename). */
int lxcf_update_journal_write(const char *path, const lxcf_update_journal *j, lxcf_err *err);
/* 1 and *J filled, 0 when PATH does not exist, -1 on a malformed file. */
int lxcf_update_journal_read(const char *path, lxcf_update_journal *j, lxcf_err *err);
void lxcf_update_journal_clear(lxcf_update_journal *j);

/* Copy what CMD may change in the guest ROOT into SNAPDIR (removed first if
 * a crash left one): etc and var, real (not symlinked) bin sbin lib lib32
 * lib64 libx32, and usr when SEPARATE.  Reflinked where the filesystem
 * can. */
int lxcf_update_snapshot(const char *root, const char *snapdir, bool separate, lxcf_err *err);
/* Put every tree in SNAPDIR back into ROOT (the tree in ROOT is removed,
 * the snapshot's renamed in place), then remove SNAPDIR.  Idempotent: a
 * rollback interrupted half-way can simply be run again. */
int lxcf_update_rollback(const char *root, const char *snapdir, lxcf_err *err);

/* How to run CMD once. */
typedef struct lxcf_update_exec_opts {
    const char *root;       /* chroot into it in a private mount namespace; NULL: run here */
    const char *usr_lower;  /* overlay this (the host's usr) on ROOT/usr; NULL: none */
    const char *scratch;    /* with usr_lower or view: holds their upper and work dirs */
    int out_fd;             /* CMD's stdout/stderr (stdin is /dev/null); -1: inherit all */
    char *const *sources;   /* with root: host directories (lxcf_pkgsrc_find) bind-mounted
                               read-only at the same path in ROOT */
    const char *host_root;  /* where SOURCES and VIEW lie (the --root prefix; NULL: /) */
    const char *view;       /* with root: a host directory shown at the same path in ROOT
                               through an overlay whose upper layer (in SCRATCH) is thrown
                               away: CMD may write there, the host's copy never changes */
} lxcf_update_exec_opts;

/* Run CMD as O says; *STATUS gets its exit status (128+N for signal N).
 * -1 only when CMD could not be started (a mount or the chroot failed). */
int lxcf_update_exec(const lxcf_update_cmd *cmd, const lxcf_update_exec_opts *o, int *status,
                     lxcf_err *err);

/* The last NLINES lines of the file PATH ("" when missing). */
char *lxcf_update_log_tail(const char *path, unsigned nlines);

typedef struct lxcf_update_opts {
    char *const *only;  /* NULL: every guest */
    bool dry_run;
    unsigned jobs;      /* guests at once; 0: online CPUs */
} lxcf_update_opts;

/* The whole cycle for CMD under the host lock (taken at once, or
 * LXCF_EXIT_BUSY).  A journal left by a crash is recovered first. */
int lxcf_update_run(lxcf_ctx *ctx, char *const *argv, const lxcf_update_opts *o,
                    const lxcf_report *rep, lxcf_err *err);

/* Finish or undo a crashed update (no-op without a journal); takes the
 * lock unless HAVE_LOCK. */
int lxcf_update_recover(lxcf_ctx *ctx, bool have_lock, const lxcf_report *rep, lxcf_err *err);

/* PATHS made absolute (into *ABS, a strv), each checked under HOST_ROOT
 * (NULL: /): it exists and holds only files, directories and symlinks that
 * stay inside it.  Relative paths are refused under a HOST_ROOT. */
int lxcf_deploy_check(const char *host_root, char *const *paths, char ***abs, lxcf_err *err);

/* Copy HOST_ROOT/ABS[i] (owner and mode kept) to ABS[i] inside the guest
 * G, never following a symlink inside the guest. */
int lxcf_deploy_guest(const lxcf_update_guest *g, const char *host_root, char *const *abs,
                      lxcf_err *err);

/* deploy: check PATHS, then under the lock copy them into every guest (or
 * those in ONLY), reporting each.  A joint guest refuses paths under /usr,
 * before anything is copied.  *NDONE and *NFAILED count the guests. */
int lxcf_deploy(lxcf_ctx *ctx, char *const *paths, char *const *only, const lxcf_report *rep,
                size_t *ndone, size_t *nfailed, lxcf_err *err);

/* The dummy-/usr update cycle (`lxcf update CMD`).
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
 * Nothing here prints: progress goes through lxcf_report.
 *
 * The parts: update_plan (which guests, the command as each runs it),
 * update_journal (what a crash leaves), update_snapshot (snapshot and
 * rollback), update_exec (running CMD once), update_download (download
 * once), update_recover (finishing a crashed run); this module runs the
 * cycle and checks that joint guests agree on every version. */
#pragma once

#include <stdbool.h>

#include "container.h"
#include "ctx.h"
#include "err.h"

typedef struct lxcf_update_opts {
    char *const *only;  /* NULL: every guest */
    bool dry_run;
    unsigned jobs;      /* guests at once; 0: two per online CPU */
} lxcf_update_opts;

/* The whole cycle for CMD under the host lock (taken at once, or
 * LXCF_EXIT_BUSY).  A journal left by a crash is recovered first. */
int lxcf_update_run(lxcf_ctx *ctx, char *const *argv, const lxcf_update_opts *o,
                    const lxcf_report *rep, lxcf_err *err);

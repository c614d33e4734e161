/* Running the package command once: here, or chrooted in a guest's (or
 * the host tree's) root in a private mount namespace, with the dummy /usr,
 * the local package sources and the host files it names. */
#pragma once

#include "ctx.h"
#include "err.h"
#include "update_plan.h"

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
    const char *layers;     /* with root: a layered snapshot of ROOT (update_layer.h), its
                               trees shown merged with CMD's changes at their paths in ROOT
                               (work directories in SCRATCH) */
    const char *ns;         /* without root: run CMD in the mount namespace of this file
                               (/proc/PID/ns/mnt, e.g. of an update_layer.h view) */
} lxcf_update_exec_opts;

/* Run CMD as O says; *STATUS gets its exit status (128+N for signal N).
 * -1 only when CMD could not be started (a mount or the chroot failed). */
int lxcf_update_exec(const lxcf_update_cmd *cmd, const lxcf_update_exec_opts *o, int *status,
                     lxcf_err *err);

/* The host step: CMD on the host (chrooted in the host tree under --root),
 * with lxcf's own stdout and stderr; an exit status other than 0 is an
 * error that says the guests keep the update. */
int lxcf_update_exec_host(lxcf_ctx *ctx, const lxcf_update_cmd *cmd, lxcf_err *err);

/* The last NLINES lines of the file PATH ("" when missing). */
char *lxcf_update_log_tail(const char *path, unsigned nlines);

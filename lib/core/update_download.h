/* Download once: where the host fetches packages, an update first
 * downloads what CMD installs into a directory of lxcf's, on the host and
 * before any guest is stopped; every guest and then the host install that
 * very set (see pkgsrc.h for the tools' options). */
#pragma once

#include <stdbool.h>

#include "container.h"
#include "ctx.h"
#include "err.h"
#include "pkgsrc.h"
#include "update_plan.h"

typedef struct lxcf_update_dl {
    lxcf_pkgsrc_tool tool; /* NONE: CMD fetches nothing first */
    char *dir;             /* the packages downloaded once, as the tools see it ... */
    char *host;            /* ... and as lxcf reaches it */
    char **argv;           /* the download step */
} lxcf_update_dl;

/* Where the host fetches packages (REMOTE, from lxcf_pkgsrc_find) and ARGV
 * installs or upgrades with apt or dnf: the download into
 * ROOTS/.lxcf-update/.download (a dot name: never a guest's scratch
 * directory beside it).  Otherwise DL->tool is NONE. */
void lxcf_update_dl_init(lxcf_update_dl *dl, const lxcf_ctx *ctx, char *const *argv,
                         bool remote);
void lxcf_update_dl_clear(lxcf_update_dl *dl);

/* Run the download step on the host (chrooted in the host tree under
 * --root), its output in SCRATCH/download.log, reporting it to REP as
 * "host".  Nothing has been stopped yet: a failure is one line (with the
 * tool's own reason) and nothing to undo. */
int lxcf_update_dl_fetch(const lxcf_update_dl *dl, const lxcf_ctx *ctx, const char *scratch,
                         const lxcf_report *rep, lxcf_err *err);

/* ARGV as every guest and the host run it after the download, into *CMD;
 * apt's guests see the directory read-only through the package sources'
 * bind mounts (it is added to *SOURCES), dnf's through the overlay of
 * lxcf_update_exec_opts.view. */
int lxcf_update_dl_offline(const lxcf_update_dl *dl, char *const *argv, char ***sources,
                           lxcf_update_cmd *cmd, lxcf_err *err);

/* Remove the downloaded packages (nothing there is no error). */
int lxcf_update_dl_remove(const lxcf_update_dl *dl, lxcf_err *err);

/* `lxcf deploy`: host files and trees copied into every guest (or those
 * named) at the same path, with owner and mode, never through a link a
 * guest planted. */
#pragma once

#include <stddef.h>

#include "container.h"
#include "ctx.h"
#include "err.h"
#include "update_plan.h"

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

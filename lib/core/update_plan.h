/* The guests an update or deploy touches, and the package command as the
 * host and each chroot run it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "model.h"
#include "virt.h"

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

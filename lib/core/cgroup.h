/* Where a container's cgroups are, on cgroup v1, v2 and hybrid hosts: the
 * controllers, the mounted hierarchies, and a group in every controller.
 *
 * Nothing assumes a layout: the hierarchies come from a mountinfo file and
 * every mount point is joined under a root prefix, so that tests run on
 * fake trees.  On hybrid hosts (v1 controllers plus a cgroup2 mount) a
 * controller is v2 only when the cgroup2 mount's cgroup.controllers lists
 * it.
 *
 * The rest of the cgroup API lives in one module a concern and comes with
 * this header (see the end): cgroup_proc (a process's groups, moving into
 * them, confinement), cgroup_limit (reading and writing limits),
 * cgroup_remove (the groups a stopped container leaves) and cgroup_file
 * (the cgroupfs file access they share). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "err.h"

typedef enum lxcf_cgroup_ctrl {
    LXCF_CG_CPU,
    LXCF_CG_CPUACCT,  /* v2: cpu.stat of the unified tree */
    LXCF_CG_CPUSET,
    LXCF_CG_MEMORY,
    LXCF_CG_IO,       /* "blkio" on v1, "io" on v2 */
    LXCF_CG_PIDS,
    LXCF_CG_DEVICES,  /* v1 only (v2 uses BPF) */
    LXCF_CG_FREEZER,  /* v1 only */
    LXCF_CG_SYSTEMD,  /* v1 name=systemd, else the unified tree */
    LXCF_CG_NCTRL
} lxcf_cgroup_ctrl;

/* The v1 name of a controller ("cpu", "blkio", "name=systemd", ...). */
const char *lxcf_cgroup_ctrl_name(lxcf_cgroup_ctrl c);

/* One mounted hierarchy. */
typedef struct lxcf_cgroup_hier {
    int version;       /* 1 or 2 */
    char *mount;       /* mount point, joined under the root prefix */
    char *mount_root;  /* cgroup path seen at the mount point ("/" usually) */
    char **names;      /* v1: controllers and "name=X" it carries; v2: its cgroup.controllers */
} lxcf_cgroup_hier;

typedef struct lxcf_cgroup_layout {
    size_t nhier;
    lxcf_cgroup_hier *hier;
    int ctrl[LXCF_CG_NCTRL];  /* index into hier; -1: controller unavailable */
    int unified;              /* index of the cgroup2 mount; -1: none */
} lxcf_cgroup_layout;

/* Parse MOUNTINFO (NULL: /proc/self/mountinfo) and join its cgroup mount
 * points under ROOT (NULL or "/": the real host). */
int lxcf_cgroup_layout_load(const char *mountinfo, const char *root,
                            lxcf_cgroup_layout **out, lxcf_err *err);
void lxcf_cgroup_layout_free(lxcf_cgroup_layout *l);
LXCF_DEFINE_CLEANUP_FUNC(lxcf_cgroup_layout_freep, lxcf_cgroup_layout *, lxcf_cgroup_layout_free)
/* 1 or 2, or 0 when the controller is unavailable. */
int lxcf_cgroup_version(const lxcf_cgroup_layout *l, lxcf_cgroup_ctrl c);

/* A process's (or a container's) cgroup in every controller. */
typedef struct lxcf_cgroup_paths {
    int version[LXCF_CG_NCTRL];  /* 0 where dir is NULL */
    char *rel[LXCF_CG_NCTRL];    /* path inside the hierarchy, e.g. "/machine/x" */
    char *dir[LXCF_CG_NCTRL];    /* absolute directory */
} lxcf_cgroup_paths;

void lxcf_cgroup_paths_clear(lxcf_cgroup_paths *p);

/* The rest of the API, so that a caller includes cgroup.h alone.  Each of
 * these includes this header for the types above and needs nothing of the
 * others, so they may come in any order. */
#include "cgroup_file.h"
#include "cgroup_proc.h"
#include "cgroup_limit.h"
#include "cgroup_remove.h"

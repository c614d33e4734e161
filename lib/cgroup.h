/* Find a container's cgroups and read/write its resource limits on cgroup
 * v1, v2 and hybrid hosts, and keep the guest confined to them.
 *
 * Nothing assumes a layout: the hierarchies come from a mountinfo file and
 * every mount point is joined under a root prefix, so that tests run on
 * fake trees.  On hybrid hosts (v1 controllers plus a cgroup2 mount) a
 * controller is v2 only when the cgroup2 mount's cgroup.controllers lists
 * it.
 *
 * CPU rate semantics (as in the original lxcf): a percentage of the whole
 * machine, i.e. of all online CPUs: quota = period * ncpus * pct / 100. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cleanup.h"
#include "err.h"
#include "parse.h"

/* "No limit" for every limit value below. */
#define LXCF_CG_UNLIMITED UINT64_MAX
/* The CFS period lxcf uses unless told otherwise (the kernel default). */
#define LXCF_CG_CPU_PERIOD_US 100000u

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
/* Mount point of the controller's hierarchy, or NULL. */
const char *lxcf_cgroup_mount(const lxcf_cgroup_layout *l, lxcf_cgroup_ctrl c);

/* A process's (or a container's) cgroup in every controller. */
typedef struct lxcf_cgroup_paths {
    int version[LXCF_CG_NCTRL];  /* 0 where dir is NULL */
    char *rel[LXCF_CG_NCTRL];    /* path inside the hierarchy, e.g. "/machine/x" */
    char *dir[LXCF_CG_NCTRL];    /* absolute directory */
} lxcf_cgroup_paths;

void lxcf_cgroup_paths_clear(lxcf_cgroup_paths *p);

/* Read PROC_ROOT/proc/PID/cgroup (PROC_ROOT NULL or "/": the real /proc).
 * Controllers whose group is not visible through the mounts stay NULL. */
int lxcf_cgroup_of_pid(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                       lxcf_cgroup_paths *out, lxcf_err *err);

/* "machine/lxc-PID-NAME.libvirt-lxc": the group libvirt makes for an LXC
 * domain without systemd-machined (NAME cleaned up and truncated as libvirt
 * does for machine names).  Malloc'ed. */
char *lxcf_cgroup_machine_group(pid_t pid, const char *name);

/* quota = period * ncpus * pct / 100 (at least the kernel's 1 ms). */
int lxcf_cgroup_cpu_quota(unsigned pct, unsigned ncpus, uint64_t period_us,
                          uint64_t *quota_us, lxcf_err *err);
/* The reverse, rounded, for display: 100 when unlimited. */
unsigned lxcf_cgroup_cpu_percent(uint64_t quota_us, uint64_t period_us, unsigned ncpus);

typedef enum lxcf_cgroup_limit_kind {
    LXCF_LIMIT_CPU,     /* CFS bandwidth */
    LXCF_LIMIT_CPUSET,
    LXCF_LIMIT_MEMORY,
    LXCF_LIMIT_IO,
} lxcf_cgroup_limit_kind;

typedef struct lxcf_cgroup_limit {
    lxcf_cgroup_limit_kind kind;
    union {
        struct {
            uint64_t quota_us;   /* LXCF_CG_UNLIMITED: no limit */
            uint64_t period_us;  /* 1000..1000000 */
        } cpu;
        struct {
            bool set_cpus, set_mems;
            lxcf_bitmap cpus, mems;
        } cpuset;
        /* 0: leave unchanged.  memsw is memory+swap, as on v1 (v2 gets
         * memory.swap.max = memsw - memory). */
        struct {
            uint64_t mem, memsw;
        } memory;
        /* Per block device; each value 0: leave unchanged,
         * LXCF_CG_UNLIMITED: remove the limit. */
        struct {
            unsigned major, minor;
            uint64_t rbps, wbps, riops, wiops;
        } io;
    };
} lxcf_cgroup_limit;

/* Check LIM completely (values, the files to write, current values that
 * constrain the order of v1 memory writes), then write it.  Nothing is
 * written when the check fails. */
int lxcf_cgroup_set(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim, lxcf_err *err);

typedef struct lxcf_cgroup_io {
    unsigned major, minor;
    uint64_t rbps, wbps, riops, wiops;  /* LXCF_CG_UNLIMITED when unset */
} lxcf_cgroup_io;

/* Current limits and usage; has_* say which parts could be read. */
typedef struct lxcf_cgroup_values {
    bool has_cpu;
    uint64_t cpu_quota_us, cpu_period_us;   /* quota LXCF_CG_UNLIMITED */
    bool has_cpu_usage;
    uint64_t cpu_usage_ns;
    bool has_cpuset;
    char *cpus, *mems;                      /* effective sets on v2 when unset */
    bool has_memory;
    uint64_t mem_limit, mem_usage;          /* limit LXCF_CG_UNLIMITED */
    bool has_memsw;
    uint64_t memsw_limit;                   /* memory+swap */
    size_t n_io;
    lxcf_cgroup_io *io;
} lxcf_cgroup_values;

int lxcf_cgroup_get(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err);
/* Only the memory in use by PID's group (what `lxcf list` shows): two
 * small reads instead of every limit file. */
int lxcf_cgroup_mem_usage(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                          uint64_t *bytes, lxcf_err *err);
void lxcf_cgroup_values_clear(lxcf_cgroup_values *v);

/* Move the calling process into GROUP_REL (e.g. lxcf_cgroup_machine_group())
 * below the mount point of every v1 name=systemd or pids hierarchy, and of
 * any other hierarchy where it sits at the root: that keeps a guest's
 * systemd from escaping on hosts without systemd-machined.  A hierarchy in
 * which it is under /machine.slice/ (machined's scope) is left alone.
 * Tries every hierarchy and reports the first failure. */
int lxcf_cgroup_place_self(const lxcf_cgroup_layout *l, const char *proc_root,
                           const char *group_rel, lxcf_err *err);

/* Move the calling process into PID's group in every hierarchy that shows
 * it.  `enter` joins the guest init's group: a leaf inside the container's
 * own tree on every layout (init.scope under a guest systemd), where
 * libvirt's virDomainLxcEnterCGroup picks the container's top group, which
 * cgroup v2 refuses (EBUSY: it has children with controllers). */
int lxcf_cgroup_join(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                     lxcf_err *err);

/* Is GUEST_INIT's group at or below CONTAINER's in every hierarchy?  A
 * container group that is a hierarchy root confines nothing.  On false,
 * *WHY (malloc'ed) names the first hierarchy that does not confine. */
int lxcf_cgroup_confined(const lxcf_cgroup_layout *l, const char *proc_root,
                         pid_t guest_init, const lxcf_cgroup_paths *container,
                         bool *confined, char **why, lxcf_err *err);

/* After container NAME stopped: rmdir, depth-first, the empty groups
 * machine/lxc-PID-NAME.libvirt-lxc (and empty children) in every
 * hierarchy, skipping those whose PID is still alive.  Non-empty groups are
 * left alone silently. */
int lxcf_cgroup_remove_empty(const lxcf_cgroup_layout *l, const char *name, lxcf_err *err);

/* Test seam: a fake cgroupfs cannot enforce the kernel's rules (such as
 * v1's limit <= memsw limit), so tests install a hook that sees every
 * cgroup file write before it happens and may refuse it by returning an
 * errno value (0 lets it through).  NULL removes the hook. */
typedef int (*lxcf_cgroup_write_hook)(const char *path, const char *value, void *data);
void lxcf_cgroup_set_write_hook(lxcf_cgroup_write_hook fn, void *data);

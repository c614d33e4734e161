/* A container's resource limits in its cgroups: checked and written
 * (lxcf_cgroup_set), and read back with the usage (lxcf_cgroup_get), in
 * the files of v1 or v2 as each controller's version says.
 *
 * CPU rate semantics (as in the original lxcf): a percentage of the whole
 * machine, i.e. of all online CPUs: quota = period * ncpus * pct / 100. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "err.h"
#include "parse.h"

/* "No limit" for every limit value below. */
#define LXCF_CG_UNLIMITED UINT64_MAX
/* The CFS period lxcf uses unless told otherwise (the kernel default). */
#define LXCF_CG_CPU_PERIOD_US 100000u

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

/* Resource limits of a container (cpurate, cpun, memlimit, memswlimit,
 * numa, blkio_*) and the facts `lxcf show` prints.
 *
 * A limit is parsed and checked completely (against the host's CPUs, nodes
 * and block devices, and against the other limits in the domain) before
 * anything is written.  It is then stored in the domain's persistent
 * definition, so that libvirt applies it at every start, and for a running
 * container also written to the container's cgroups at once and read back
 * from the kernel.
 *
 * The pieces below work on strings and directories so that tests can run
 * them on sample XML and fake cgroup trees; lxcf_res_set() and
 * lxcf_res_info_get() put them together against libvirt. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "ctx.h"
#include "domxml.h"
#include "err.h"
#include "parse.h"

typedef enum lxcf_res_kind {
    LXCF_RES_CPURATE,
    LXCF_RES_CPUN,
    LXCF_RES_MEM,
    LXCF_RES_MEMSW,
    LXCF_RES_NUMA,
    LXCF_RES_RBPS,
    LXCF_RES_WBPS,
    LXCF_RES_RIOPS,
    LXCF_RES_WIOPS,
} lxcf_res_kind;

/* The subcommand of a kind ("cpurate", "blkio_w", ...). */
const char *lxcf_res_kind_name(lxcf_res_kind k);
bool lxcf_res_kind_is_io(lxcf_res_kind k);

/* One requested limit, parsed and checked against the host. */
typedef struct lxcf_res_req {
    lxcf_res_kind kind;
    unsigned pct;            /* CPURATE: 1..100 of all online CPUs */
    unsigned ncpus;          /* CPURATE: online CPUs it was computed for */
    uint64_t quota_us, period_us;  /* CPURATE */
    lxcf_bitmap set;         /* CPUN: cpus, NUMA: memory nodes */
    uint64_t value;          /* bytes, bytes/s or IOPS; LXCF_CG_UNLIMITED */
    char *device;            /* io: whole-disk device path, e.g. "/dev/vda" */
    unsigned major, minor;   /* io: its numbers */
} lxcf_res_req;

void lxcf_res_req_clear(lxcf_res_req *r);

/* Parse VALUE for KIND; SYS_ROOT (NULL: "/") holds sys/devices/system and
 * sys/dev/block.  DEVICE (io only, may be NULL) is checked by
 * lxcf_res_device(); io requests without one need lxcf_res_default_device()
 * before use. */
int lxcf_res_parse(lxcf_res_kind kind, const char *value, const char *device,
                   const char *sys_root, lxcf_res_req *r, lxcf_err *err);

/* The whole disk holding block device MAJ:MIN (itself, or a partition's
 * parent), from SYS_ROOT/sys/dev/block: its numbers and "/dev/DEVNAME". */
int lxcf_res_whole_disk(const char *sys_root, unsigned maj, unsigned min, char **dev_path,
                        unsigned *wmaj, unsigned *wmin, lxcf_err *err);
/* PATH must be a block device; gives its whole disk. */
int lxcf_res_device(const char *sys_root, const char *path, char **dev_path, unsigned *maj,
                    unsigned *min, lxcf_err *err);
/* The whole disk holding the file system of directory ROOT_DIR. */
int lxcf_res_default_device(const char *sys_root, const char *root_dir, char **dev_path,
                            unsigned *maj, unsigned *min, lxcf_err *err);

/* The domain's limits as read back (lxcf_res_conf, lxcf_res_conf_parse)
 * are domxml.h's: domxml reads and writes the domain XML. */

/* Check R against the domain's other limits (memory+swap >= memory), then
 * write R into DOMAIN_XML giving *OUT: how lxcf_res_set stores what
 * libvirt's setters do not take (cpun, numa, memory limits out of
 * libvirt's order).  cpurate and the block I/O limits are refused: only
 * libvirt stores them.  Nothing is returned on failure. */
int lxcf_res_apply_xml(const char *domain_xml, const lxcf_res_req *r, char **out,
                       lxcf_err *err);

/* Write R to the container's cgroups P, then read the kernel's value back
 * and fail unless it is what was asked.  CONF is the domain's definition
 * (after the change): "memlimit unlimited" writes the domain's <memory>
 * size, which is what libvirt applies at start without a hard limit. */
int lxcf_res_apply_cgroup(const lxcf_cgroup_paths *p, const lxcf_res_req *r,
                          const lxcf_res_conf *conf, lxcf_err *err);

/* What a limit change did, for the command's message. */
typedef struct lxcf_res_result {
    bool running;    /* applied to the cgroups now (and stored) */
    char *shown;     /* the value in words, e.g. "256M", "50% (100000/100000us)" */
} lxcf_res_result;

/* After libvirt started DOM: put right what libvirt writes wrongly on
 * cgroup v2.  It copies the domain's swap_hard_limit (memory+swap, as the
 * domain XML means it) into memory.swap.max, which is swap alone there;
 * and it leaves cpuset.mems empty whatever <numatune> says. */
int lxcf_res_after_start(virDomainPtr dom, lxcf_err *err);

void lxcf_res_result_clear(lxcf_res_result *res);

/* Set limit KIND of container NAME to VALUE (DEVICE: io only, NULL for the
 * disk holding the container's root). */
int lxcf_res_set(lxcf_ctx *ctx, const char *name, lxcf_res_kind kind, const char *device,
                 const char *value, lxcf_res_result *res, lxcf_err *err);

/* Everything `lxcf show` prints. */
typedef struct lxcf_res_info {
    lxcf_container *c;
    int state;                /* virDomainState */
    int id;                   /* controller pid, -1 when stopped */
    bool autostart;
    int hosts_entry;          /* host's /etc/hosts has "ADDR NAME": 1, 0, -1 unknown */
    unsigned ncpus;           /* online CPUs of the host */
    lxcf_res_conf conf;
    bool has_kernel;          /* running: the values below were read */
    lxcf_cgroup_values kernel;
    int confined;             /* 1, 0, or -1 when unknown (not running) */
    char *confined_why;
} lxcf_res_info;

int lxcf_res_info_get(lxcf_ctx *ctx, const char *name, lxcf_res_info *info, lxcf_err *err);
void lxcf_res_info_clear(lxcf_res_info *info);

/* "256M"-style binary size for people ("unlimited" for LXCF_CG_UNLIMITED);
 * malloc'ed. */
char *lxcf_res_size_str(uint64_t bytes);

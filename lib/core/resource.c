#include "resource.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "container.h"
#include "hosts.h"
#include "lock.h"
#include "util.h"
#include "virt.h"

static const char *const lxcf_res_names[] = {
    [LXCF_RES_CPURATE] = "cpurate", [LXCF_RES_CPUN] = "cpun",
    [LXCF_RES_MEM] = "memlimit",    [LXCF_RES_MEMSW] = "memswlimit",
    [LXCF_RES_NUMA] = "numa",       [LXCF_RES_RBPS] = "blkio_r",
    [LXCF_RES_WBPS] = "blkio_w",    [LXCF_RES_RIOPS] = "blkioiops_r",
    [LXCF_RES_WIOPS] = "blkioiops_w",
};
#define LXCF_RES_NKINDS (sizeof(lxcf_res_names) / sizeof(lxcf_res_names[0]))

const char *lxcf_res_kind_name(lxcf_res_kind k)
{
    return (unsigned)k < LXCF_RES_NKINDS ? lxcf_res_names[k] : "?";
}

bool lxcf_res_kind_is_io(lxcf_res_kind k)
{
    return k == LXCF_RES_RBPS || k == LXCF_RES_WBPS || k == LXCF_RES_RIOPS ||
           k == LXCF_RES_WIOPS;
}

void lxcf_res_req_clear(lxcf_res_req *r)
{
    free(r->device);
    memset(r, 0, sizeof(*r));
}

char *lxcf_res_size_str(uint64_t bytes)
{
    static const char units[] = "KMGT";
    int u = -1;

    if (bytes == LXCF_CG_UNLIMITED)
        return lxcf_xstrdup("unlimited");
    while (u < 3 && bytes && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    if (u < 0)
        return lxcf_xasprintf("%" PRIu64, bytes);
    return lxcf_xasprintf("%" PRIu64 "%c", bytes, units[u]);
}

/* ---- parsing and host checks ------------------------------------------- */

static int lxcf_res_parse_set(const char *value, bool nodes, const char *sys_root,
                              lxcf_bitmap *set, lxcf_err *err)
{
    const char *what = nodes ? "memory node" : "cpu";
    lxcf_bitmap online;
    _cleanup_free_ char *have = NULL;

    if ((nodes ? lxcf_host_online_nodes(sys_root, &online, err)
               : lxcf_host_online_cpus(sys_root, &online, err)) < 0)
        return -1;
    have = lxcf_bitmap_format(&online);
    if (lxcf_parse_cpulist(value, (unsigned)lxcf_bitmap_last(&online) + 1, set, err) < 0) {
        lxcf_error_prefix(err, "%s list: ", what);
        return -1;
    }
    if (!lxcf_bitmap_subset(set, &online))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s list '%s': only %s %s online", what,
                          value, have, lxcf_bitmap_count(&online) == 1 ? "is" : "are");
    return 0;
}

static int lxcf_res_parse_cpurate(const char *value, const char *sys_root, lxcf_res_req *r,
                                  lxcf_err *err)
{
    lxcf_bitmap online;

    if (lxcf_parse_percent(value, &r->pct, err) < 0 ||
        lxcf_host_online_cpus(sys_root, &online, err) < 0)
        return -1;
    r->ncpus = lxcf_bitmap_count(&online);
    r->period_us = LXCF_CG_CPU_PERIOD_US;
    return lxcf_cgroup_cpu_quota(r->pct, r->ncpus, r->period_us, &r->quota_us, err);
}

/* libvirt keeps memory limits in KiB below its "unlimited" value: round up
 * to whole KiB so that the domain and the kernel get the same number. */
static int lxcf_res_parse_mem(const char *value, lxcf_res_req *r, lxcf_err *err)
{
    bool unlimited;
    uint64_t bytes, kib;

    if (lxcf_parse_size(value, &bytes, &unlimited, err) < 0)
        return -1;
    if (unlimited) {
        r->value = LXCF_CG_UNLIMITED;
        return 0;
    }
    kib = bytes / 1024 + (bytes % 1024 != 0);
    if (kib >= LXCF_DOMXML_UNLIMITED_KIB)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': size too large", value);
    r->value = kib * 1024;
    return 0;
}

int lxcf_res_parse(lxcf_res_kind kind, const char *value, const char *device,
                   const char *sys_root, lxcf_res_req *r, lxcf_err *err)
{
    int rc;

    memset(r, 0, sizeof(*r));
    r->kind = kind;
    switch (kind) {
    case LXCF_RES_CPURATE:
        return lxcf_res_parse_cpurate(value, sys_root, r, err);
    case LXCF_RES_CPUN:
    case LXCF_RES_NUMA:
        return lxcf_res_parse_set(value, kind == LXCF_RES_NUMA, sys_root, &r->set, err);
    case LXCF_RES_MEM:
    case LXCF_RES_MEMSW:
        return lxcf_res_parse_mem(value, r, err);
    case LXCF_RES_RBPS:
    case LXCF_RES_WBPS:
        rc = lxcf_parse_rate(value, &r->value, err);
        break;
    case LXCF_RES_RIOPS:
    case LXCF_RES_WIOPS:
        rc = lxcf_parse_iops(value, &r->value, err);
        break;
    default:
        return lxcf_error(err, LXCF_EXIT_USAGE, "unknown limit kind %d", (int)kind);
    }
    if (rc < 0)
        return -1;
    if (device && lxcf_res_device(sys_root, device, &r->device, &r->major, &r->minor, err) < 0) {
        lxcf_res_req_clear(r);
        return -1;
    }
    return 0;
}

/* ---- block devices ----------------------------------------------------- */

static int lxcf_res_read_trimmed(const char *dir, const char *file, char **out, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, file);
    size_t len;

    if (lxcf_read_file(path, out, &len, err) < 0)
        return -1;
    while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
        (*out)[--len] = '\0';
    return 0;
}

static int lxcf_res_devname(const char *dir, char **dev_path, lxcf_err *err)
{
    _cleanup_free_ char *uevent = NULL;
    char *save = NULL;

    if (lxcf_res_read_trimmed(dir, "uevent", &uevent, err) < 0)
        return -1;
    for (char *l = strtok_r(uevent, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *name = l + strlen("DEVNAME=");

        if (!lxcf_startswith(l, "DEVNAME="))
            continue;
        if (!*name || strstr(name, ".."))
            break;
        *dev_path = lxcf_xasprintf("/dev/%s", name);
        return 0;
    }
    return lxcf_error(err, LXCF_EXIT_FAIL, "%s/uevent: no device name", dir);
}

int lxcf_res_whole_disk(const char *sys_root, unsigned maj, unsigned min, char **dev_path,
                        unsigned *wmaj, unsigned *wmin, lxcf_err *err)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("/sys/dev/block/%u:%u", maj, min);
    _cleanup_free_ char *link = lxcf_path_join(sys_root, rel);
    _cleanup_free_ char *dir = realpath(link, NULL);
    _cleanup_free_ char *part = NULL, *dev = NULL;

    if (!dir)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%u:%u: not a known block device",
                                maj, min);
    part = lxcf_path_join(dir, "partition");
    /* A partition's directory sits in its disk's: throttling is per disk. */
    if (access(part, F_OK) == 0)
        *strrchr(dir, '/') = '\0';
    if (lxcf_res_read_trimmed(dir, "dev", &dev, err) < 0)
        return -1;
    if (sscanf(dev, "%u:%u", wmaj, wmin) != 2)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s/dev: unexpected '%s'", dir, dev);
    return lxcf_res_devname(dir, dev_path, err);
}

int lxcf_res_device(const char *sys_root, const char *path, char **dev_path, unsigned *maj,
                    unsigned *min, lxcf_err *err)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s", path);
    if (!S_ISBLK(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not a block device", path);
    return lxcf_res_whole_disk(sys_root, major(st.st_rdev), minor(st.st_rdev), dev_path, maj,
                               min, err);
}

int lxcf_res_default_device(const char *sys_root, const char *root_dir, char **dev_path,
                            unsigned *maj, unsigned *min, lxcf_err *err)
{
    struct stat st;

    if (!root_dir || stat(root_dir, &st) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, root_dir ? errno : ENOENT,
                                "cannot find the container's root %s", root_dir ? root_dir : "");
    /* Anonymous devices (tmpfs, overlayfs, btrfs subvolumes) have major 0. */
    if (major(st.st_dev) == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s is not on a block device: name the DEVICE to limit", root_dir);
    return lxcf_res_whole_disk(sys_root, major(st.st_dev), minor(st.st_dev), dev_path, maj,
                               min, err);
}

/* ---- the domain definition --------------------------------------------- */

/* The memory limit libvirt applies at start: the hard limit, else the
 * domain's memory size; 0 when neither is set. */
static uint64_t lxcf_res_effective_mem_kib(const lxcf_res_conf *c)
{
    return c->mem_hard_kib ? c->mem_hard_kib : c->memory_kib;
}

static int lxcf_res_check_memsw(const lxcf_res_req *r, const lxcf_res_conf *c, lxcf_err *err)
{
    uint64_t mem_kib, sw_kib;

    if (r->kind == LXCF_RES_MEM) {
        mem_kib = r->value == LXCF_CG_UNLIMITED ? c->memory_kib : r->value / 1024;
        sw_kib = c->swap_hard_kib;
    } else {
        mem_kib = lxcf_res_effective_mem_kib(c);
        sw_kib = r->value == LXCF_CG_UNLIMITED ? 0 : r->value / 1024;
    }
    if (!sw_kib || !mem_kib || sw_kib >= mem_kib)
        return 0;
    _cleanup_free_ char *a = lxcf_res_size_str(sw_kib * 1024);
    _cleanup_free_ char *b = lxcf_res_size_str(mem_kib * 1024);
    if (r->kind == LXCF_RES_MEM)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "memory limit %s is above the memory+swap limit %s: raise memswlimit first",
                          b, a);
    return lxcf_error(err, LXCF_EXIT_USAGE,
                      "memory+swap limit %s is below the memory limit %s", a, b);
}

/* R as the edit of the domain XML lxcf_domxml_set_tune makes; cpurate
 * and the block I/O limits have none (libvirt's setters store them). */
static int lxcf_res_fill_tune(const lxcf_res_req *r, lxcf_tune *t, char **set_str,
                              lxcf_err *err)
{
    unsigned long long kib =
        r->value == LXCF_CG_UNLIMITED ? LXCF_DOMXML_UNLIMITED_KIB : r->value / 1024;

    switch (r->kind) {
    case LXCF_RES_CPUN:
        *set_str = lxcf_bitmap_format(&r->set);
        t->cpuset = *set_str;
        return 0;
    case LXCF_RES_NUMA:
        *set_str = lxcf_bitmap_format(&r->set);
        t->numa_nodeset = *set_str;
        return 0;
    case LXCF_RES_MEM:
        t->has_mem_hard_limit = true;
        t->mem_hard_limit_kib = kib;
        return 0;
    case LXCF_RES_MEMSW:
        t->has_swap_hard_limit = true;
        t->swap_hard_limit_kib = kib;
        return 0;
    default:
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s is stored with libvirt's setter, not by "
                          "editing the domain XML", lxcf_res_kind_name(r->kind));
    }
}

/* R against the domain's limits C, before anything is written. */
static int lxcf_res_check(const lxcf_res_req *r, const lxcf_res_conf *c, lxcf_err *err)
{
    if (lxcf_res_kind_is_io(r->kind) && !r->device)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: no block device given",
                          lxcf_res_kind_name(r->kind));
    if (r->kind == LXCF_RES_MEM || r->kind == LXCF_RES_MEMSW)
        return lxcf_res_check_memsw(r, c, err);
    return 0;
}

int lxcf_res_apply_xml(const char *domain_xml, const lxcf_res_req *r, char **out,
                       lxcf_err *err)
{
    _cleanup_(lxcf_res_conf_clear) lxcf_res_conf c = { 0 };
    _cleanup_free_ char *set_str = NULL;
    lxcf_tune t = { 0 };

    if (lxcf_res_conf_parse(domain_xml, &c, err) < 0 || lxcf_res_check(r, &c, err) < 0 ||
        lxcf_res_fill_tune(r, &t, &set_str, err) < 0)
        return -1;
    return lxcf_domxml_set_tune(domain_xml, &t, out, err);
}

/* ---- the kernel side --------------------------------------------------- */

static void lxcf_res_fill_limit(const lxcf_res_req *r, const lxcf_res_conf *conf,
                                lxcf_cgroup_limit *lim)
{
    uint64_t *io[] = { &lim->io.rbps, &lim->io.wbps, &lim->io.riops, &lim->io.wiops };

    memset(lim, 0, sizeof(*lim));
    switch (r->kind) {
    case LXCF_RES_CPURATE:
        lim->kind = LXCF_LIMIT_CPU;
        lim->cpu.quota_us = r->quota_us;
        lim->cpu.period_us = r->period_us;
        break;
    case LXCF_RES_CPUN:
    case LXCF_RES_NUMA:
        lim->kind = LXCF_LIMIT_CPUSET;
        lim->cpuset.set_cpus = r->kind == LXCF_RES_CPUN;
        lim->cpuset.set_mems = r->kind == LXCF_RES_NUMA;
        lim->cpuset.cpus = lim->cpuset.mems = r->set;
        break;
    case LXCF_RES_MEM:
        lim->kind = LXCF_LIMIT_MEMORY;
        lim->memory.mem = r->value;
        if (r->value == LXCF_CG_UNLIMITED && conf && conf->memory_kib)
            lim->memory.mem = conf->memory_kib * 1024;
        /* v2 keeps swap apart (memory.swap.max = memsw - mem): a new memory
         * limit moves it. */
        if (conf && conf->swap_hard_kib)
            lim->memory.memsw = conf->swap_hard_kib * 1024;
        break;
    case LXCF_RES_MEMSW:
        lim->kind = LXCF_LIMIT_MEMORY;
        lim->memory.memsw = r->value;
        break;
    default:
        lim->kind = LXCF_LIMIT_IO;
        lim->io.major = r->major;
        lim->io.minor = r->minor;
        *io[r->kind - LXCF_RES_RBPS] = r->value;
    }
}

/* The kernel rounds memory limits down to whole pages. */
static bool lxcf_res_mem_match(uint64_t want, uint64_t got)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

    if (want == LXCF_CG_UNLIMITED || got == LXCF_CG_UNLIMITED)
        return want == got;
    return got <= want && want - got < page;
}

static bool lxcf_res_set_match(const char *got, const lxcf_bitmap *want)
{
    lxcf_bitmap b;

    if (!got || lxcf_parse_cpulist(got, LXCF_BITMAP_BITS, &b, NULL) < 0)
        return false;
    return memcmp(&b, want, sizeof(b)) == 0;
}

static uint64_t lxcf_res_io_value(const lxcf_cgroup_values *v, const lxcf_cgroup_limit *lim)
{
    for (size_t i = 0; i < v->n_io; i++) {
        const lxcf_cgroup_io *e = &v->io[i];
        if (e->major != lim->io.major || e->minor != lim->io.minor)
            continue;
        return lim->io.rbps ? e->rbps : lim->io.wbps ? e->wbps : lim->io.riops ? e->riops : e->wiops;
    }
    return LXCF_CG_UNLIMITED;
}

static int lxcf_res_verify(const lxcf_cgroup_limit *lim, const lxcf_cgroup_values *v,
                           const char *dir, lxcf_err *err)
{
    bool ok;

    switch (lim->kind) {
    case LXCF_LIMIT_CPU:
        ok = v->has_cpu && v->cpu_quota_us == lim->cpu.quota_us &&
             v->cpu_period_us == lim->cpu.period_us;
        break;
    case LXCF_LIMIT_CPUSET:
        ok = v->has_cpuset &&
             (!lim->cpuset.set_cpus || lxcf_res_set_match(v->cpus, &lim->cpuset.cpus)) &&
             (!lim->cpuset.set_mems || lxcf_res_set_match(v->mems, &lim->cpuset.mems));
        break;
    case LXCF_LIMIT_MEMORY:
        ok = v->has_memory && (!lim->memory.mem || lxcf_res_mem_match(lim->memory.mem, v->mem_limit)) &&
             (!lim->memory.memsw ||
              (v->has_memsw && lxcf_res_mem_match(lim->memory.memsw, v->memsw_limit)));
        break;
    default: {
        uint64_t want = lim->io.rbps | lim->io.wbps | lim->io.riops | lim->io.wiops;
        ok = lxcf_res_io_value(v, lim) == want;
    }
    }
    if (!ok)
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: the kernel does not show the new limit after it was written", dir);
    return 0;
}

int lxcf_res_apply_cgroup(const lxcf_cgroup_paths *p, const lxcf_res_req *r,
                          const lxcf_res_conf *conf, lxcf_err *err)
{
    static const lxcf_cgroup_ctrl ctrl_of[] = {
        [LXCF_LIMIT_CPU] = LXCF_CG_CPU, [LXCF_LIMIT_CPUSET] = LXCF_CG_CPUSET,
        [LXCF_LIMIT_MEMORY] = LXCF_CG_MEMORY, [LXCF_LIMIT_IO] = LXCF_CG_IO,
    };
    _cleanup_(lxcf_cgroup_values_clear) lxcf_cgroup_values v = { 0 };
    lxcf_cgroup_limit lim;

    lxcf_res_fill_limit(r, conf, &lim);
    if (lxcf_cgroup_set(p, &lim, err) < 0 || lxcf_cgroup_get(p, &v, err) < 0)
        return -1;
    return lxcf_res_verify(&lim, &v, p->dir[ctrl_of[lim.kind]], err);
}

/* ---- libvirt's setters -------------------------------------------------- */

/* Which libvirt call carries a limit into a domain definition: the live
 * one (what `virsh dumpxml` and virt-manager show) with
 * VIR_DOMAIN_AFFECT_LIVE, the persistent one with _CONFIG. */
typedef enum lxcf_res_api {
    LXCF_RES_API_NONE,
    LXCF_RES_API_MEMORY,
    LXCF_RES_API_SCHED,
    LXCF_RES_API_BLKIO,
    LXCF_RES_API_NUMA,
} lxcf_res_api;

typedef struct lxcf_res_call {
    lxcf_res_api api;
    virTypedParameterPtr params;
    int n, max;
    const char *why_not;     /* LXCF_RES_API_NONE: the reason */
} lxcf_res_call;

static void lxcf_res_call_clear(lxcf_res_call *l)
{
    virTypedParamsFree(l->params, l->n);
    memset(l, 0, sizeof(*l));
}

static unsigned long long lxcf_res_param_kib(uint64_t bytes)
{
    return bytes == LXCF_CG_UNLIMITED ? VIR_DOMAIN_MEMORY_PARAM_UNLIMITED : bytes / 1024;
}

/* libvirt's own rule for the memory limits it sets, with R in CONF: the
 * memory limit at most the memory+swap limit, an unset one counting as
 * unlimited.  (libvirt checks the running domain's live definition, which
 * lxcf keeps alike.) */
static bool lxcf_res_mem_in_order(const lxcf_res_req *r, const lxcf_res_conf *conf)
{
    uint64_t v = r->value == LXCF_CG_UNLIMITED ? UINT64_MAX : r->value / 1024;
    uint64_t hard = conf->mem_hard_kib ? conf->mem_hard_kib : UINT64_MAX;
    uint64_t sw = conf->swap_hard_kib ? conf->swap_hard_kib : UINT64_MAX;

    if (r->kind == LXCF_RES_MEM)
        hard = v;
    else
        sw = v;
    return hard <= sw;
}

static int lxcf_res_param_blkio(const lxcf_res_req *r, lxcf_res_call *l)
{
    static const char *const field[] = {
        VIR_DOMAIN_BLKIO_DEVICE_READ_BPS, VIR_DOMAIN_BLKIO_DEVICE_WRITE_BPS,
        VIR_DOMAIN_BLKIO_DEVICE_READ_IOPS, VIR_DOMAIN_BLKIO_DEVICE_WRITE_IOPS,
    };
    /* As in blkiotune, 0 removes the device's limit. */
    _cleanup_free_ char *v = lxcf_xasprintf(
        "%s,%" PRIu64, r->device, r->value == LXCF_CG_UNLIMITED ? 0 : r->value);

    l->api = LXCF_RES_API_BLKIO;
    return virTypedParamsAddString(&l->params, &l->n, &l->max, field[r->kind - LXCF_RES_RBPS], v);
}

/* The typed parameters for R with FLAGS, or LXCF_RES_API_NONE with the
 * reason.  libvirt-LXC (9.0) takes VIR_DOMAIN_AFFECT_CONFIG in its
 * memory, scheduler and blkio setters; it has no call for the cpuset, and
 * no virDomainSetNumaParameters at all (tried live all the same: its
 * error is the note's reason). */
static int lxcf_res_call_params(const lxcf_res_req *r, const lxcf_res_conf *conf,
                                unsigned flags, lxcf_res_call *l)
{
    _cleanup_free_ char *set = NULL;

    memset(l, 0, sizeof(*l));
    switch (r->kind) {
    case LXCF_RES_CPURATE:
        l->api = LXCF_RES_API_SCHED;
        return virTypedParamsAddULLong(&l->params, &l->n, &l->max,
                                       VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, r->period_us) < 0 ||
                       virTypedParamsAddLLong(&l->params, &l->n, &l->max,
                                              VIR_DOMAIN_SCHEDULER_VCPU_QUOTA,
                                              (long long)r->quota_us) < 0
                   ? -1
                   : 0;
    case LXCF_RES_CPUN:
        l->why_not = "libvirt-LXC has no call to change a running container's cpuset";
        return 0;
    case LXCF_RES_MEM:
    case LXCF_RES_MEMSW:
        /* "memlimit unlimited" under a memory+swap limit (libvirt would
         * lift the limit altogether; lxcf keeps the domain's <memory>), or
         * a memory+swap limit while the memory limit is unset. */
        if (!lxcf_res_mem_in_order(r, conf)) {
            l->why_not = r->kind == LXCF_RES_MEM
                             ? "libvirt refuses an unlimited hard limit under a memory+swap limit"
                             : "libvirt refuses a memory+swap limit without a memory limit";
            return 0;
        }
        l->api = LXCF_RES_API_MEMORY;
        return virTypedParamsAddULLong(&l->params, &l->n, &l->max,
                                       r->kind == LXCF_RES_MEM ? VIR_DOMAIN_MEMORY_HARD_LIMIT
                                                               : VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT,
                                       lxcf_res_param_kib(r->value));
    case LXCF_RES_NUMA:
        if (flags & VIR_DOMAIN_AFFECT_CONFIG) {
            l->why_not = "libvirt-LXC has no call to change a container's memory nodes";
            return 0;
        }
        set = lxcf_bitmap_format(&r->set);
        l->api = LXCF_RES_API_NUMA;
        return virTypedParamsAddString(&l->params, &l->n, &l->max, VIR_DOMAIN_NUMA_NODESET, set);
    default:
        return lxcf_res_param_blkio(r, l);
    }
}

static int lxcf_res_call_do(virDomainPtr dom, const lxcf_res_call *l, unsigned flags)
{
    switch (l->api) {
    case LXCF_RES_API_MEMORY:
        return virDomainSetMemoryParameters(dom, l->params, l->n, flags);
    case LXCF_RES_API_SCHED:
        return virDomainSetSchedulerParametersFlags(dom, l->params, l->n, flags);
    case LXCF_RES_API_BLKIO:
        return virDomainSetBlkioParameters(dom, l->params, l->n, flags);
    default:
        return virDomainSetNumaParameters(dom, l->params, l->n, flags);
    }
}

static int lxcf_res_params_error(lxcf_err *err)
{
    return lxcf_error(err, LXCF_EXIT_FAIL, "preparing libvirt's parameters: %s",
                      lxcf_virt_last_error());
}

/* Store R in DOM's persistent definition, which libvirt applies at every
 * start: with libvirt's setter where it takes it, else by editing the
 * definition OLD_XML (cpun, numa, and memory limits out of libvirt's
 * order).  CONF: OLD_XML's limits, R checked against them. */
static int lxcf_res_store(virDomainPtr dom, const lxcf_res_req *r, const char *old_xml,
                          const lxcf_res_conf *conf, lxcf_err *err)
{
    _cleanup_(lxcf_res_call_clear) lxcf_res_call l = { 0 };
    _cleanup_domain_ virDomainPtr defined = NULL;
    _cleanup_free_ char *new_xml = NULL;
    /* The name first: the call would clear the error of the one before. */
    const char *name = virDomainGetName(dom);

    if (lxcf_res_call_params(r, conf, VIR_DOMAIN_AFFECT_CONFIG, &l) < 0)
        return lxcf_res_params_error(err);
    if (l.api != LXCF_RES_API_NONE) {
        if (lxcf_res_call_do(dom, &l, VIR_DOMAIN_AFFECT_CONFIG) < 0)
            return lxcf_virt_error(err, name, "storing the limit in the domain");
        return 0;
    }
    if (lxcf_res_apply_xml(old_xml, r, &new_xml, err) < 0) {
        lxcf_error_prefix(err, "%s: ", name);
        return -1;
    }
    defined = virDomainDefineXML(virDomainGetConnect(dom), new_xml);
    if (!defined)
        return lxcf_virt_error(err, name, "storing the limit in the domain");
    return 0;
}

/* Errors that mean "this driver cannot do that live", not "it went wrong". */
static bool lxcf_res_live_unsupported(void)
{
    const virError *e = virGetLastError();

    return e && (e->code == VIR_ERR_NO_SUPPORT || e->code == VIR_ERR_ARGUMENT_UNSUPPORTED ||
                 e->code == VIR_ERR_OPERATION_UNSUPPORTED ||
                 e->code == VIR_ERR_CONFIG_UNSUPPORTED);
}

/* Put R into the running domain's live definition.  The kernel and the
 * stored definition have it already, so a driver that cannot take it live
 * only earns a note (*NOTE); other errors say where the limit does apply.
 * Returns 1 when libvirt applied it, 0 when it could not, -1 on error. */
static int lxcf_res_apply_live(virDomainPtr dom, const lxcf_res_req *r,
                               const lxcf_res_conf *conf, char **note, lxcf_err *err)
{
    _cleanup_(lxcf_res_call_clear) lxcf_res_call l = { 0 };
    const char *why;

    if (lxcf_res_call_params(r, conf, VIR_DOMAIN_AFFECT_LIVE, &l) < 0)
        return lxcf_res_params_error(err);
    if (l.api != LXCF_RES_API_NONE && lxcf_res_call_do(dom, &l, VIR_DOMAIN_AFFECT_LIVE) == 0)
        return 1;
    if (l.api != LXCF_RES_API_NONE && !lxcf_res_live_unsupported())
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "the new limit is in force and stored for every start, but libvirt "
                          "failed to update the running domain's definition (virsh dumpxml "
                          "shows the old value until the next start): %s",
                          lxcf_virt_last_error());
    why = l.api == LXCF_RES_API_NONE ? l.why_not : lxcf_virt_last_error();
    *note = lxcf_xasprintf("libvirt's live definition shows it after the next start (%s)", why);
    return 0;
}

/* ---- against libvirt --------------------------------------------------- */

void lxcf_res_result_clear(lxcf_res_result *res)
{
    free(res->shown);
    memset(res, 0, sizeof(*res));
}

static char *lxcf_res_shown(const lxcf_res_req *r)
{
    _cleanup_free_ char *dev = NULL;

    switch (r->kind) {
    case LXCF_RES_CPURATE:
        return lxcf_xasprintf("%u%% of %u cpus (quota %" PRIu64 "us per %" PRIu64 "us)", r->pct,
                              r->ncpus, r->quota_us, r->period_us);
    case LXCF_RES_CPUN:
    case LXCF_RES_NUMA:
        return lxcf_bitmap_format(&r->set);
    case LXCF_RES_MEM:
    case LXCF_RES_MEMSW:
        return lxcf_res_size_str(r->value);
    default:
        dev = r->value == LXCF_CG_UNLIMITED ? lxcf_xstrdup("unlimited")
                                            : lxcf_xasprintf("%" PRIu64, r->value);
        return lxcf_xasprintf("%s%s on %s (%u:%u)", dev,
                              r->kind == LXCF_RES_RBPS || r->kind == LXCF_RES_WBPS ? " bytes/s"
                                                                                   : " iops",
                              r->device, r->major, r->minor);
    }
}

/* Write R to the running container's groups; on failure put the old
 * definition back so that nothing changed.  Then libvirt's live definition
 * (see lxcf_res_apply_live; *NOTE when it cannot be updated). */
static int lxcf_res_apply_running(virDomainPtr dom, const lxcf_res_req *r,
                                  const char *new_xml, const char *old_xml, char **note,
                                  lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    _cleanup_(lxcf_res_conf_clear) lxcf_res_conf conf = { 0 };
    int id = (int)virDomainGetID(dom), live;

    if (id <= 0 || lxcf_cgroup_layout_load(NULL, NULL, &l, err) < 0 ||
        lxcf_cgroup_of_pid(l, NULL, id, &p, err) < 0 || lxcf_res_conf_parse(new_xml, &conf, err) < 0 ||
        lxcf_res_apply_cgroup(&p, r, &conf, err) < 0) {
        if (id <= 0)
            lxcf_error(err, LXCF_EXIT_FAIL, "the container stopped meanwhile");
        virDomainPtr back = virDomainDefineXML(virDomainGetConnect(dom), old_xml);
        if (back)
            virDomainFree(back);
        return -1;
    }
    live = lxcf_res_apply_live(dom, r, &conf, note, err);
    if (live < 0)
        return -1;
    /* libvirt may have undone part of it: an unlimited memory limit lifts
     * the domain's <memory> too, and on v2 it writes memory+swap into
     * memory.swap.max, which is swap alone there. */
    if (live == 1 && (r->kind == LXCF_RES_MEM || r->kind == LXCF_RES_MEMSW))
        return lxcf_res_apply_cgroup(&p, r, &conf, err);
    return 0;
}

int lxcf_res_after_start(virDomainPtr dom, lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    _cleanup_(lxcf_res_conf_clear) lxcf_res_conf conf = { 0 };
    /* The name first: the call would clear the error of the one before. */
    const char *name = virDomainGetName(dom);
    _cleanup_free_ char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    lxcf_cgroup_limit lim = { .kind = LXCF_LIMIT_MEMORY };
    int id;

    if (!xml)
        return lxcf_virt_error(err, name, "reading the domain definition");
    id = (int)virDomainGetID(dom);
    if (lxcf_res_conf_parse(xml, &conf, err) < 0)
        return -1;
    if ((!conf.swap_hard_kib && !conf.nodeset) || id <= 0)
        return 0;
    if (lxcf_cgroup_layout_load(NULL, NULL, &l, err) < 0 ||
        lxcf_cgroup_of_pid(l, NULL, id, &p, err) < 0)
        return -1;
    if (conf.swap_hard_kib && p.version[LXCF_CG_MEMORY] == 2) {
        lim.memory.memsw = conf.swap_hard_kib * 1024;
        if (lxcf_cgroup_set(&p, &lim, err) < 0)
            return -1;
    }
    /* On v2 libvirt-LXC leaves cpuset.mems empty at start, whatever the
     * domain's <numatune> says (seen in the VM lane): write it. */
    if (conf.nodeset && p.version[LXCF_CG_CPUSET] == 2) {
        lxcf_cgroup_limit mems = { .kind = LXCF_LIMIT_CPUSET };
        if (lxcf_parse_cpulist(conf.nodeset, LXCF_BITMAP_BITS, &mems.cpuset.mems, err) < 0)
            return -1;
        mems.cpuset.set_mems = true;
        return lxcf_cgroup_set(&p, &mems, err);
    }
    return 0;
}

static int lxcf_res_prepare(lxcf_ctx *ctx, const char *name, lxcf_res_req *r, const char *device,
                            virDomainPtr *dom, lxcf_container **c, lxcf_err *err)
{
    if (lxcf_virt_lookup(ctx->conn, name, dom, c, err) < 0)
        return -1;
    if (!lxcf_res_kind_is_io(r->kind) || device)
        return 0;
    return lxcf_res_default_device(NULL, (*c)->root, &r->device, &r->major, &r->minor, err);
}

int lxcf_res_set(lxcf_ctx *ctx, const char *name, lxcf_res_kind kind, const char *device,
                 const char *value, lxcf_res_result *res, lxcf_err *err)
{
    _cleanup_(lxcf_res_req_clear) lxcf_res_req r = { 0 };
    _cleanup_(lxcf_lock_release) int lock = -1;
    _cleanup_domain_ virDomainPtr dom = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    _cleanup_(lxcf_res_conf_clear) lxcf_res_conf old = { 0 };
    _cleanup_free_ char *old_xml = NULL, *new_xml = NULL, *note = NULL;

    memset(res, 0, sizeof(*res));
    /* Host checks first: bad input needs neither libvirt nor the lock. */
    if (lxcf_res_parse(kind, value, device, NULL, &r, err) < 0) {
        lxcf_error_prefix(err, "%s: ", name);
        return -1;
    }
    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    lock = lxcf_container_lock(ctx, err);
    if (lock < 0 || lxcf_res_prepare(ctx, name, &r, device, &dom, &c, err) < 0)
        return -1;
    old_xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    if (!old_xml)
        return lxcf_virt_error(err, c->name, "reading the domain definition");
    if (lxcf_res_conf_parse(old_xml, &old, err) < 0 || lxcf_res_check(&r, &old, err) < 0) {
        lxcf_error_prefix(err, "%s: ", c->name);
        return -1;
    }
    if (lxcf_res_store(dom, &r, old_xml, &old, err) < 0)
        return -1;
    /* The definition as libvirt stored it, for the steps below. */
    new_xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    if (!new_xml)
        return lxcf_virt_error(err, c->name, "reading the domain definition");
    res->running = virDomainIsActive(dom) == 1;
    if (res->running && lxcf_res_apply_running(dom, &r, new_xml, old_xml, &note, err) < 0) {
        lxcf_error_prefix(err, "%s: ", c->name);
        return -1;
    }
    res->shown = lxcf_res_shown(&r);
    /* The result has no field of its own for it: the command prints shown. */
    if (note) {
        char *s = lxcf_xasprintf("%s; %s", res->shown, note);
        free(res->shown);
        res->shown = s;
    }
    return 0;
}

/* ---- show -------------------------------------------------------------- */

void lxcf_res_info_clear(lxcf_res_info *info)
{
    lxcf_container_free(info->c);
    lxcf_res_conf_clear(&info->conf);
    lxcf_cgroup_values_clear(&info->kernel);
    free(info->confined_why);
    memset(info, 0, sizeof(*info));
}

static int lxcf_res_hosts_entry(lxcf_ctx *ctx, const lxcf_container *c)
{
    _cleanup_free_ char *path = lxcf_ctx_path(ctx, "/etc/hosts"), *buf = NULL;
    _cleanup_free_ lxcf_hosts_entry *e = NULL;
    size_t n = 0;

    if (!c->ipv4 || lxcf_read_file(path, &buf, NULL, NULL) < 0 ||
        lxcf_hosts_parse_block(buf, &e, &n, NULL) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (lxcf_streq(e[i].name, c->name) && lxcf_streq(e[i].addr, c->ipv4))
            return 1;
    return 0;
}

static int lxcf_res_info_kernel(virDomainPtr dom, lxcf_res_info *info, lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    pid_t init = 0;
    bool confined = false;

    if (lxcf_cgroup_layout_load(NULL, NULL, &l, err) < 0 ||
        lxcf_cgroup_of_pid(l, NULL, info->id, &p, err) < 0 ||
        lxcf_cgroup_get(&p, &info->kernel, err) < 0)
        return -1;
    info->has_kernel = true;
    if (lxcf_virt_init_pid(dom, &init, err) < 0)
        return -1;
    if (init > 0 && lxcf_cgroup_confined(l, NULL, init, &p, &confined, &info->confined_why,
                                         err) < 0)
        return -1;
    info->confined = init > 0 ? confined : -1;
    return 0;
}

int lxcf_res_info_get(lxcf_ctx *ctx, const char *name, lxcf_res_info *info, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr dom = NULL;
    _cleanup_free_ char *xml = NULL;
    lxcf_bitmap online;
    int reason, autostart = 0;

    memset(info, 0, sizeof(*info));
    info->id = -1;
    info->confined = -1;
    if (lxcf_ctx_connect(ctx, err) < 0 || lxcf_virt_lookup(ctx->conn, name, &dom, &info->c, err) < 0)
        return -1;
    if (virDomainGetState(dom, &info->state, &reason, 0) < 0 ||
        virDomainGetAutostart(dom, &autostart) < 0 ||
        !(xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)))
        return lxcf_virt_error(err, info->c->name, "reading the domain");
    info->autostart = autostart != 0;
    info->hosts_entry = lxcf_res_hosts_entry(ctx, info->c);
    info->ncpus = lxcf_host_online_cpus(NULL, &online, NULL) < 0 ? 0 : lxcf_bitmap_count(&online);
    if (lxcf_res_conf_parse(xml, &info->conf, err) < 0)
        return -1;
    if (virDomainIsActive(dom) == 1)
        info->id = (int)virDomainGetID(dom);
    if (info->id > 0 && lxcf_res_info_kernel(dom, info, err) < 0) {
        lxcf_error_prefix(err, "%s: ", info->c->name);
        return -1;
    }
    return 0;
}

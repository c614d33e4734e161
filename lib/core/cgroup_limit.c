#include "cgroup_limit.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_file.h"
#include "cleanup.h"
#include "util.h"

/* v1 memory limits read back as PAGE_COUNTER_MAX * PAGE_SIZE (just under
 * 2^63, depending on the page size) when unset: anything this large is no
 * limit. */
#define LXCF_CG_V1_UNLIMITED_MIN (UINT64_C(1) << 62)

/* ---- cpu rate ---------------------------------------------------------- */

int lxcf_cgroup_cpu_quota(unsigned pct, unsigned ncpus, uint64_t period_us,
                          uint64_t *quota_us, lxcf_err *err)
{
    uint64_t q;

    if (pct < 1 || pct > 100)
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpu rate %u%%: must be 1..100", pct);
    if (ncpus < 1 || ncpus > LXCF_BITMAP_BITS)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%u: invalid number of cpus", ncpus);
    if (period_us < 1000 || period_us > 1000000)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "cpu period %" PRIu64 "us: must be 1000..1000000", period_us);
    q = period_us * ncpus * pct / 100;
    *quota_us = q < 1000 ? 1000 : q;
    return 0;
}

unsigned lxcf_cgroup_cpu_percent(uint64_t quota_us, uint64_t period_us, unsigned ncpus)
{
    uint64_t whole;

    if (quota_us == LXCF_CG_UNLIMITED || period_us == 0 || ncpus == 0)
        return 100;
    whole = period_us * ncpus;
    if (quota_us >= whole)
        return 100;
    return (unsigned)((quota_us * 100 + whole / 2) / whole);
}

/* ---- values ---------------------------------------------------------- */

/* A limit value: "max" (v2) / "-1" (v1) or a decimal number. */
static int lxcf_cg_parse_value(const char *path, const char *s, uint64_t *v, lxcf_err *err)
{
    if (lxcf_streq(s, "max") || lxcf_streq(s, "-1")) {
        *v = LXCF_CG_UNLIMITED;
        return 0;
    }
    return lxcf_parse_u64(s, LXCF_NUM_TRAILING | LXCF_NUM_DATA, 0, UINT64_MAX, path, v, err);
}

static int lxcf_cg_read_value(const char *dir, const char *file, uint64_t *v, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL, *path = NULL;

    if (lxcf_cg_read(dir, file, &buf, err) < 0)
        return -1;
    path = lxcf_path_join(dir, file);
    return lxcf_cg_parse_value(path, buf, v, err);
}

static int lxcf_cg_read_limit(const char *dir, const char *file, uint64_t *v, lxcf_err *err)
{
    if (lxcf_cg_read_value(dir, file, v, err) < 0)
        return -1;
    if (*v >= LXCF_CG_V1_UNLIMITED_MIN)
        *v = LXCF_CG_UNLIMITED;
    return 0;
}
/* ---- set --------------------------------------------------------------- */

/* The writes of one limit, checked in full before the first one. */
#define LXCF_CG_PLAN_MAX 4
typedef struct lxcf_cg_plan {
    size_t n;
    char *path[LXCF_CG_PLAN_MAX];
    char *value[LXCF_CG_PLAN_MAX];
} lxcf_cg_plan;

static void lxcf_cg_plan_clear(lxcf_cg_plan *pl)
{
    for (size_t i = 0; i < pl->n; i++) {
        free(pl->path[i]);
        free(pl->value[i]);
    }
    pl->n = 0;
}

static void lxcf_cg_plan_add(lxcf_cg_plan *pl, const char *dir, const char *file, char *value)
{
    pl->path[pl->n] = lxcf_path_join(dir, file);
    pl->value[pl->n] = value;
    pl->n++;
}

static int lxcf_cg_plan_run(const lxcf_cg_plan *pl, lxcf_err *err)
{
    for (size_t i = 0; i < pl->n; i++)
        if (access(pl->path[i], W_OK) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot write %s",
                                    pl->path[i]);
    for (size_t i = 0; i < pl->n; i++)
        if (lxcf_cg_write_path(pl->path[i], pl->value[i], false, err) < 0)
            return -1;
    return 0;
}

static char *lxcf_cg_fmt(uint64_t v, int version)
{
    if (v == LXCF_CG_UNLIMITED)
        return lxcf_xstrdup(version == 2 ? "max" : "-1");
    return lxcf_xasprintf("%" PRIu64, v);
}

static const char *lxcf_cg_need(const lxcf_cgroup_paths *p, lxcf_cgroup_ctrl c, lxcf_err *err)
{
    if (!p->dir[c])
        lxcf_error(err, LXCF_EXIT_FAIL, "the %s controller is not available for this cgroup",
                   lxcf_cgroup_ctrl_name(c));
    return p->dir[c];
}

static int lxcf_cg_plan_cpu(const char *dir, int version, const lxcf_cgroup_limit *lim,
                            lxcf_cg_plan *pl, lxcf_err *err)
{
    uint64_t q = lim->cpu.quota_us, per = lim->cpu.period_us;

    if (per < 1000 || per > 1000000)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "cpu period %" PRIu64 "us: must be 1000..1000000", per);
    if (q != LXCF_CG_UNLIMITED && (q < 1000 || q > INT64_MAX / 2))
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpu quota %" PRIu64 "us: out of range", q);
    if (version == 2) {
        lxcf_cg_plan_add(pl, dir, "cpu.max",
                         q == LXCF_CG_UNLIMITED ? lxcf_xasprintf("max %" PRIu64, per)
                                                : lxcf_xasprintf("%" PRIu64 " %" PRIu64, q, per));
        return 0;
    }
    lxcf_cg_plan_add(pl, dir, "cpu.cfs_period_us", lxcf_xasprintf("%" PRIu64, per));
    lxcf_cg_plan_add(pl, dir, "cpu.cfs_quota_us", lxcf_cg_fmt(q, 1));
    return 0;
}

static int lxcf_cg_plan_cpuset(const char *dir, int version, const lxcf_cgroup_limit *lim,
                               lxcf_cg_plan *pl, lxcf_err *err)
{
    (void)version;  /* the same file names in v1 and v2 */
    if (!lim->cpuset.set_cpus && !lim->cpuset.set_mems)
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpuset: nothing to set");
    if ((lim->cpuset.set_cpus && lxcf_bitmap_count(&lim->cpuset.cpus) == 0) ||
        (lim->cpuset.set_mems && lxcf_bitmap_count(&lim->cpuset.mems) == 0))
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpuset: empty cpu or node list");
    if (lim->cpuset.set_cpus)
        lxcf_cg_plan_add(pl, dir, "cpuset.cpus", lxcf_bitmap_format(&lim->cpuset.cpus));
    if (lim->cpuset.set_mems)
        lxcf_cg_plan_add(pl, dir, "cpuset.mems", lxcf_bitmap_format(&lim->cpuset.mems));
    return 0;
}

static char *lxcf_cg_size_str(uint64_t v)
{
    return v == LXCF_CG_UNLIMITED ? lxcf_xstrdup("unlimited") : lxcf_xasprintf("%" PRIu64, v);
}

static int lxcf_cg_plan_memory_v2(const char *dir, uint64_t mem, uint64_t memsw,
                                  lxcf_cg_plan *pl, lxcf_err *err)
{
    uint64_t cur_mem;

    if (memsw) {
        if (!lxcf_cg_exists(dir, "memory.swap.max"))
            return lxcf_error(err, LXCF_EXIT_FAIL,
                              "%s: no memory.swap.max (swap accounting is off)", dir);
        if (!mem && lxcf_cg_read_limit(dir, "memory.max", &cur_mem, err) < 0)
            return -1;
        uint64_t m = mem ? mem : cur_mem;
        if (memsw != LXCF_CG_UNLIMITED && (m == LXCF_CG_UNLIMITED || memsw < m)) {
            _cleanup_free_ char *a = lxcf_cg_size_str(memsw), *b = lxcf_cg_size_str(m);
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "memory+swap limit %s is below the memory limit %s", a, b);
        }
        if (mem)
            lxcf_cg_plan_add(pl, dir, "memory.max", lxcf_cg_fmt(mem, 2));
        lxcf_cg_plan_add(pl, dir, "memory.swap.max",
                         lxcf_cg_fmt(memsw == LXCF_CG_UNLIMITED ? memsw : memsw - m, 2));
        return 0;
    }
    lxcf_cg_plan_add(pl, dir, "memory.max", lxcf_cg_fmt(mem, 2));
    return 0;
}

/* v1 insists on limit <= memsw limit after every single write: raise memsw
 * first when it grows past the current limit, otherwise lower the limit
 * first. */
static int lxcf_cg_plan_memory_v1(const char *dir, uint64_t mem, uint64_t memsw,
                                  lxcf_cg_plan *pl, lxcf_err *err)
{
    bool has_memsw = lxcf_cg_exists(dir, "memory.memsw.limit_in_bytes");
    uint64_t cur_mem, cur_memsw = LXCF_CG_UNLIMITED;

    if (memsw && !has_memsw)
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: no memory.memsw.limit_in_bytes (swap accounting is off)", dir);
    if (lxcf_cg_read_limit(dir, "memory.limit_in_bytes", &cur_mem, err) < 0)
        return -1;
    if (has_memsw && lxcf_cg_read_limit(dir, "memory.memsw.limit_in_bytes", &cur_memsw, err) < 0)
        return -1;
    uint64_t new_mem = mem ? mem : cur_mem;
    uint64_t new_memsw = memsw ? memsw : cur_memsw;
    if (new_memsw < new_mem) {
        _cleanup_free_ char *a = lxcf_cg_size_str(new_memsw), *b = lxcf_cg_size_str(new_mem);
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "memory+swap limit %s is below the memory limit %s%s", a, b,
                          memsw ? "" : " (set both)");
    }
    bool memsw_first = memsw && new_memsw >= cur_mem;
    if (memsw && memsw_first)
        lxcf_cg_plan_add(pl, dir, "memory.memsw.limit_in_bytes", lxcf_cg_fmt(memsw, 1));
    if (mem)
        lxcf_cg_plan_add(pl, dir, "memory.limit_in_bytes", lxcf_cg_fmt(mem, 1));
    if (memsw && !memsw_first)
        lxcf_cg_plan_add(pl, dir, "memory.memsw.limit_in_bytes", lxcf_cg_fmt(memsw, 1));
    return 0;
}

static int lxcf_cg_plan_memory(const char *dir, int version, const lxcf_cgroup_limit *lim,
                               lxcf_cg_plan *pl, lxcf_err *err)
{
    uint64_t mem = lim->memory.mem, memsw = lim->memory.memsw;

    if (!mem && !memsw)
        return lxcf_error(err, LXCF_EXIT_USAGE, "memory: nothing to set");
    if (mem && memsw && memsw < mem) {
        _cleanup_free_ char *a = lxcf_cg_size_str(memsw), *b = lxcf_cg_size_str(mem);
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "memory+swap limit %s is below the memory limit %s", a, b);
    }
    if (version == 2)
        return lxcf_cg_plan_memory_v2(dir, mem, memsw, pl, err);
    return lxcf_cg_plan_memory_v1(dir, mem, memsw, pl, err);
}

static void lxcf_cg_io_v2_key(char **line, const char *key, uint64_t v)
{
    char *old = *line;
    if (!v)
        return;
    if (v == LXCF_CG_UNLIMITED)
        *line = lxcf_xasprintf("%s %s=max", old, key);
    else
        *line = lxcf_xasprintf("%s %s=%" PRIu64, old, key, v);
    free(old);
}

static int lxcf_cg_plan_io(const char *dir, int version, const lxcf_cgroup_limit *lim,
                           lxcf_cg_plan *pl, lxcf_err *err)
{
    static const char *const v1_files[] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
    };
    static const char *const v2_keys[] = { "rbps", "wbps", "riops", "wiops" };
    uint64_t v[4] = { lim->io.rbps, lim->io.wbps, lim->io.riops, lim->io.wiops };
    unsigned maj = lim->io.major, min = lim->io.minor;

    if (!v[0] && !v[1] && !v[2] && !v[3])
        return lxcf_error(err, LXCF_EXIT_USAGE, "%u:%u: no i/o limit to set", maj, min);
    if (version == 2) {
        char *line = lxcf_xasprintf("%u:%u", maj, min);
        for (int i = 0; i < 4; i++)
            lxcf_cg_io_v2_key(&line, v2_keys[i], v[i]);
        lxcf_cg_plan_add(pl, dir, "io.max", line);
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        if (!v[i])
            continue;
        /* v1 removes a throttle rule when given 0. */
        lxcf_cg_plan_add(pl, dir, v1_files[i],
                         lxcf_xasprintf("%u:%u %" PRIu64, maj, min,
                                        v[i] == LXCF_CG_UNLIMITED ? 0 : v[i]));
    }
    return 0;
}

/* Each kind of limit: the controller it is written to, and its planner. */
typedef int (*lxcf_cg_planner)(const char *dir, int version, const lxcf_cgroup_limit *lim,
                               lxcf_cg_plan *pl, lxcf_err *err);
static const struct {
    lxcf_cgroup_ctrl ctrl;
    lxcf_cg_planner plan;
} lxcf_cg_kinds[] = {
    [LXCF_LIMIT_CPU] = { LXCF_CG_CPU, lxcf_cg_plan_cpu },
    [LXCF_LIMIT_CPUSET] = { LXCF_CG_CPUSET, lxcf_cg_plan_cpuset },
    [LXCF_LIMIT_MEMORY] = { LXCF_CG_MEMORY, lxcf_cg_plan_memory },
    [LXCF_LIMIT_IO] = { LXCF_CG_IO, lxcf_cg_plan_io },
};

int lxcf_cgroup_set(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim, lxcf_err *err)
{
    _cleanup_(lxcf_cg_plan_clear) lxcf_cg_plan pl = { 0 };
    lxcf_cgroup_ctrl c;
    const char *dir;

    if ((unsigned)lim->kind >= sizeof(lxcf_cg_kinds) / sizeof(lxcf_cg_kinds[0]))
        return lxcf_error(err, LXCF_EXIT_FAIL, "unknown limit kind %d", (int)lim->kind);
    c = lxcf_cg_kinds[lim->kind].ctrl;
    dir = lxcf_cg_need(p, c, err);
    if (!dir || lxcf_cg_kinds[lim->kind].plan(dir, p->version[c], lim, &pl, err) < 0)
        return -1;
    return lxcf_cg_plan_run(&pl, err);
}

/* ---- get --------------------------------------------------------------- */

void lxcf_cgroup_values_clear(lxcf_cgroup_values *v)
{
    free(v->cpus);
    free(v->mems);
    free(v->io);
    memset(v, 0, sizeof(*v));
}

static int lxcf_cg_get_cpu(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_CPU];

    if (!dir)
        return 0;
    if (p->version[LXCF_CG_CPU] == 2) {
        _cleanup_free_ char *buf = NULL, *path = lxcf_path_join(dir, "cpu.max");
        char q[32];

        if (!lxcf_cg_exists(dir, "cpu.max"))
            return 0;
        if (lxcf_cg_read(dir, "cpu.max", &buf, err) < 0)
            return -1;
        if (sscanf(buf, "%31s %" SCNu64, q, &v->cpu_period_us) != 2 ||
            lxcf_cg_parse_value(path, q, &v->cpu_quota_us, err) < 0)
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unexpected value '%s'", path, buf);
    } else {
        if (!lxcf_cg_exists(dir, "cpu.cfs_quota_us"))
            return 0;
        if (lxcf_cg_read_limit(dir, "cpu.cfs_quota_us", &v->cpu_quota_us, err) < 0 ||
            lxcf_cg_read_value(dir, "cpu.cfs_period_us", &v->cpu_period_us, err) < 0)
            return -1;
    }
    v->has_cpu = true;
    return 0;
}

static int lxcf_cg_get_cpu_usage(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v,
                                 lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_CPUACCT];
    _cleanup_free_ char *buf = NULL;

    if (!dir)
        return 0;
    if (p->version[LXCF_CG_CPUACCT] == 1) {
        if (!lxcf_cg_exists(dir, "cpuacct.usage"))
            return 0;
        if (lxcf_cg_read_value(dir, "cpuacct.usage", &v->cpu_usage_ns, err) < 0)
            return -1;
        v->has_cpu_usage = true;
        return 0;
    }
    if (!lxcf_cg_exists(dir, "cpu.stat"))
        return 0;
    if (lxcf_cg_read(dir, "cpu.stat", &buf, err) < 0)
        return -1;
    for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        uint64_t us;
        if (sscanf(l, "usage_usec %" SCNu64, &us) == 1) {
            v->cpu_usage_ns = us * 1000;
            v->has_cpu_usage = true;
        }
    }
    return 0;
}

static int lxcf_cg_get_cpuset(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_CPUSET];

    if (!dir || !lxcf_cg_exists(dir, "cpuset.cpus"))
        return 0;
    if (lxcf_cg_read(dir, "cpuset.cpus", &v->cpus, err) < 0 ||
        lxcf_cg_read(dir, "cpuset.mems", &v->mems, err) < 0)
        return -1;
    /* An empty v2 set means "inherited": show what applies. */
    if (!*v->cpus && lxcf_cg_exists(dir, "cpuset.cpus.effective")) {
        free(v->cpus);
        v->cpus = NULL;
        if (lxcf_cg_read(dir, "cpuset.cpus.effective", &v->cpus, err) < 0)
            return -1;
    }
    if (!*v->mems && lxcf_cg_exists(dir, "cpuset.mems.effective")) {
        free(v->mems);
        v->mems = NULL;
        if (lxcf_cg_read(dir, "cpuset.mems.effective", &v->mems, err) < 0)
            return -1;
    }
    v->has_cpuset = true;
    return 0;
}

static int lxcf_cg_get_memory(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_MEMORY];
    bool v2 = p->version[LXCF_CG_MEMORY] == 2;
    const char *limit = v2 ? "memory.max" : "memory.limit_in_bytes";
    const char *usage = v2 ? "memory.current" : "memory.usage_in_bytes";
    const char *sw = v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";

    if (!dir || !lxcf_cg_exists(dir, limit))
        return 0;
    if (lxcf_cg_read_limit(dir, limit, &v->mem_limit, err) < 0 ||
        lxcf_cg_read_value(dir, usage, &v->mem_usage, err) < 0)
        return -1;
    v->has_memory = true;
    if (!lxcf_cg_exists(dir, sw))
        return 0;
    if (lxcf_cg_read_limit(dir, sw, &v->memsw_limit, err) < 0)
        return -1;
    if (v2 && v->memsw_limit != LXCF_CG_UNLIMITED)
        v->memsw_limit = v->mem_limit == LXCF_CG_UNLIMITED ? LXCF_CG_UNLIMITED
                                                           : v->memsw_limit + v->mem_limit;
    v->has_memsw = true;
    return 0;
}

int lxcf_cgroup_mem_usage(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                          uint64_t *bytes, lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    const char *dir;

    if (lxcf_cgroup_of_pid(l, proc_root, pid, &p, err) < 0)
        return -1;
    dir = p.dir[LXCF_CG_MEMORY];
    if (!dir)
        return lxcf_error(err, LXCF_EXIT_FAIL, "pid %d: no memory cgroup", (int)pid);
    return lxcf_cg_read_value(dir, p.version[LXCF_CG_MEMORY] == 2 ? "memory.current"
                                                                  : "memory.usage_in_bytes",
                              bytes, err);
}

static lxcf_cgroup_io *lxcf_cg_io_entry(lxcf_cgroup_values *v, unsigned maj, unsigned min)
{
    for (size_t i = 0; i < v->n_io; i++)
        if (v->io[i].major == maj && v->io[i].minor == min)
            return &v->io[i];
    v->io = lxcf_xrealloc(v->io, (v->n_io + 1) * sizeof(*v->io));
    v->io[v->n_io] = (lxcf_cgroup_io){ maj, min, LXCF_CG_UNLIMITED, LXCF_CG_UNLIMITED,
                                       LXCF_CG_UNLIMITED, LXCF_CG_UNLIMITED };
    return &v->io[v->n_io++];
}

static int lxcf_cg_get_io_v2(const char *dir, lxcf_cgroup_values *v, lxcf_err *err)
{
    static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
    _cleanup_free_ char *buf = NULL, *path = lxcf_path_join(dir, "io.max");
    char *save = NULL;

    if (lxcf_cg_read(dir, "io.max", &buf, err) < 0)
        return -1;
    for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        unsigned maj, min;
        int n = 0;
        if (sscanf(l, "%u:%u%n", &maj, &min, &n) != 2)
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unexpected line '%s'", path, l);
        lxcf_cgroup_io *e = lxcf_cg_io_entry(v, maj, min);
        uint64_t *f[] = { &e->rbps, &e->wbps, &e->riops, &e->wiops };
        _cleanup_strv_ char **kv = lxcf_cg_split(l + n, " ");
        for (char **t = kv; *t; t++) {
            char *eq = strchr(*t, '=');
            for (int i = 0; eq && i < 4; i++)
                if ((size_t)(eq - *t) == strlen(keys[i]) && !strncmp(*t, keys[i], strlen(keys[i])) &&
                    lxcf_cg_parse_value(path, eq + 1, f[i], err) < 0)
                    return -1;
        }
    }
    return 0;
}

static int lxcf_cg_get_io_v1(const char *dir, lxcf_cgroup_values *v, lxcf_err *err)
{
    static const char *const files[] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
    };

    for (int i = 0; i < 4; i++) {
        _cleanup_free_ char *buf = NULL, *path = lxcf_path_join(dir, files[i]);
        char *save = NULL;

        if (!lxcf_cg_exists(dir, files[i]))
            continue;
        if (lxcf_cg_read(dir, files[i], &buf, err) < 0)
            return -1;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            unsigned maj, min;
            uint64_t n;
            if (sscanf(l, "%u:%u %" SCNu64, &maj, &min, &n) != 3)
                return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unexpected line '%s'", path, l);
            lxcf_cgroup_io *e = lxcf_cg_io_entry(v, maj, min);
            uint64_t *f[] = { &e->rbps, &e->wbps, &e->riops, &e->wiops };
            *f[i] = n;
        }
    }
    return 0;
}

static int lxcf_cg_get_io(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_IO];

    if (!dir)
        return 0;
    if (p->version[LXCF_CG_IO] == 2)
        return lxcf_cg_exists(dir, "io.max") ? lxcf_cg_get_io_v2(dir, v, err) : 0;
    return lxcf_cg_get_io_v1(dir, v, err);
}

int lxcf_cgroup_get(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    memset(v, 0, sizeof(*v));
    if (lxcf_cg_get_cpu(p, v, err) < 0 || lxcf_cg_get_cpu_usage(p, v, err) < 0 ||
        lxcf_cg_get_cpuset(p, v, err) < 0 || lxcf_cg_get_memory(p, v, err) < 0 ||
        lxcf_cg_get_io(p, v, err) < 0) {
        lxcf_cgroup_values_clear(v);
        return -1;
    }
    return 0;
}

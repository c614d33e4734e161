/* `lxcf show NAME [--json]`: a container's facts, network, and every limit
 * as the domain defines it and as the kernel has it now. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "out.h"
#include "container.h"
#include "resource.h"
#include "util.h"
#include "virt.h"

/* ---- JSON -------------------------------------------------------------- */

/* Unset and unlimited are both null. */
static void lxcf_show_json_u64(lxcf_json *j, const char *key, bool has, uint64_t v)
{
    lxcf_json_uint(j, key, has && v != LXCF_CG_UNLIMITED, v);
}

/* One device's four limits; V: read and write bytes/s, read and write iops. */
static void lxcf_show_json_io(lxcf_json *j, const char *device, const uint64_t v[4], bool zero_is_unset)
{
    static const char *const key[] = { "read_bps", "write_bps", "read_iops", "write_iops" };

    lxcf_json_object(j, NULL, false);
    lxcf_json_string(j, "device", device);
    for (int k = 0; k < 4; k++)
        lxcf_show_json_u64(j, key[k], !zero_is_unset || v[k] != 0, v[k]);
    lxcf_json_close(j);
}

static void lxcf_show_json_conf(lxcf_json *j, const lxcf_res_info *i)
{
    const lxcf_res_conf *c = &i->conf;
    bool quota = c->cpu_quota_us > 0;
    uint64_t period = c->cpu_period_us ? c->cpu_period_us : LXCF_CG_CPU_PERIOD_US;

    lxcf_json_object(j, "config", false);
    lxcf_show_json_u64(j, "cpu_quota_us", quota, (uint64_t)c->cpu_quota_us);
    lxcf_show_json_u64(j, "cpu_period_us", c->cpu_period_us != 0, c->cpu_period_us);
    lxcf_show_json_u64(j, "cpurate", quota && i->ncpus,
                       lxcf_cgroup_cpu_percent((uint64_t)c->cpu_quota_us, period, i->ncpus));
    lxcf_json_string(j, "cpus", c->cpuset);
    lxcf_json_string(j, "mems", c->nodeset);
    lxcf_show_json_u64(j, "memory_bytes", c->memory_kib != 0, c->memory_kib * 1024);
    lxcf_show_json_u64(j, "memory_limit", c->mem_hard_kib != 0, c->mem_hard_kib * 1024);
    lxcf_show_json_u64(j, "memsw_limit", c->swap_hard_kib != 0, c->swap_hard_kib * 1024);
    lxcf_json_array(j, "blkio", false);
    for (size_t k = 0; k < c->n_blkdevs; k++) {
        const lxcf_res_blkdev *b = &c->blkdevs[k];
        const uint64_t v[] = { b->rbps, b->wbps, b->riops, b->wiops };
        lxcf_show_json_io(j, b->path, v, true);
    }
    lxcf_json_close(j);
    lxcf_json_close(j);
}

static void lxcf_show_json_kernel(lxcf_json *j, const lxcf_res_info *i)
{
    const lxcf_cgroup_values *v = &i->kernel;

    if (!i->has_kernel) {
        lxcf_json_null(j, "kernel");
        lxcf_json_null(j, "usage");
        return;
    }
    lxcf_json_object(j, "kernel", false);
    lxcf_show_json_u64(j, "cpu_quota_us", v->has_cpu, v->cpu_quota_us);
    lxcf_show_json_u64(j, "cpu_period_us", v->has_cpu, v->cpu_period_us);
    lxcf_show_json_u64(j, "cpurate", v->has_cpu && v->cpu_quota_us != LXCF_CG_UNLIMITED && i->ncpus,
                       lxcf_cgroup_cpu_percent(v->cpu_quota_us, v->cpu_period_us, i->ncpus));
    lxcf_json_string(j, "cpus", v->has_cpuset ? v->cpus : NULL);
    lxcf_json_string(j, "mems", v->has_cpuset ? v->mems : NULL);
    lxcf_show_json_u64(j, "memory_limit", v->has_memory, v->mem_limit);
    lxcf_show_json_u64(j, "memsw_limit", v->has_memsw, v->memsw_limit);
    lxcf_json_array(j, "blkio", false);
    for (size_t k = 0; k < v->n_io; k++) {
        const lxcf_cgroup_io *b = &v->io[k];
        const uint64_t io[] = { b->rbps, b->wbps, b->riops, b->wiops };
        char dev[24];
        snprintf(dev, sizeof(dev), "%u:%u", b->major, b->minor);
        lxcf_show_json_io(j, dev, io, false);
    }
    lxcf_json_close(j);
    lxcf_json_close(j);
    lxcf_json_object(j, "usage", false);
    lxcf_show_json_u64(j, "memory_bytes", v->has_memory, v->mem_usage);
    lxcf_show_json_u64(j, "cpu_ns", v->has_cpu_usage, v->cpu_usage_ns);
    lxcf_json_close(j);
}

static void lxcf_show_json(FILE *f, const lxcf_res_info *i)
{
    const lxcf_container *c = i->c;
    lxcf_json j;

    lxcf_json_init(&j, f);
    lxcf_json_object(&j, NULL, true);
    lxcf_json_string(&j, "name", c->name);
    lxcf_json_string(&j, "uuid", c->uuid);
    lxcf_json_string(&j, "state", lxcf_container_state(c, i->state));
    lxcf_json_string(&j, "model", lxcf_model_to_string(c->model));
    lxcf_json_string(&j, "root", c->root);
    lxcf_json_string(&j, "created", c->created);
    lxcf_json_string(&j, "lxcfs", c->lxcfs);
    lxcf_json_bool(&j, "autostart", i->autostart);
    lxcf_json_object(&j, "network", false);
    lxcf_json_string(&j, "name", c->network);
    lxcf_json_string(&j, "mac", c->mac);
    lxcf_json_string(&j, "address", c->ipv4);
    lxcf_json_uint(&j, "prefix", true, c->ipv4_prefix);
    lxcf_json_bool(&j, "hosts_entry", i->hosts_entry);
    lxcf_json_close(&j);
    lxcf_json_uint(&j, "ncpus", true, i->ncpus);
    lxcf_show_json_conf(&j, i);
    lxcf_show_json_kernel(&j, i);
    lxcf_json_bool(&j, "confined", i->confined);
    lxcf_json_string(&j, "confined_why", i->confined_why);
    lxcf_json_close(&j);
}

/* ---- text -------------------------------------------------------------- */

static char *lxcf_show_size(bool has, uint64_t bytes)
{
    return has ? lxcf_res_size_str(bytes) : lxcf_xstrdup("-");
}

static char *lxcf_show_rate(bool has, uint64_t quota, uint64_t period, unsigned ncpus)
{
    if (!has)
        return lxcf_xstrdup("-");
    if (quota == LXCF_CG_UNLIMITED)
        return lxcf_xstrdup("unlimited");
    return lxcf_xasprintf("%u%% (%" PRIu64 "/%" PRIu64 "us)",
                          lxcf_cgroup_cpu_percent(quota, period, ncpus), quota, period);
}

static void lxcf_show_row(FILE *f, const char *what, const char *conf, const char *kern)
{
    fprintf(f, "  %-22s %-26s %s\n", what, conf ? conf : "-", kern ? kern : "-");
}

static char *lxcf_show_io_val(uint64_t v)
{
    return v && v != LXCF_CG_UNLIMITED ? lxcf_xasprintf("%" PRIu64, v) : lxcf_xstrdup("-");
}

static void lxcf_show_io(FILE *f, const lxcf_res_info *i)
{
    static const char *const what[] = { "read bytes/s", "write bytes/s", "read iops",
                                        "write iops" };

    for (size_t k = 0; k < i->conf.n_blkdevs; k++) {
        const lxcf_res_blkdev *b = &i->conf.blkdevs[k];
        const uint64_t v[] = { b->rbps, b->wbps, b->riops, b->wiops };
        for (int j = 0; j < 4; j++) {
            _cleanup_free_ char *s = lxcf_show_io_val(v[j]);
            _cleanup_free_ char *label = lxcf_xasprintf("%s %s", b->path, what[j]);
            if (v[j])
                lxcf_show_row(f, label, s, NULL);
        }
    }
    for (size_t k = 0; i->has_kernel && k < i->kernel.n_io; k++) {
        const lxcf_cgroup_io *b = &i->kernel.io[k];
        const uint64_t v[] = { b->rbps, b->wbps, b->riops, b->wiops };
        for (int j = 0; j < 4; j++) {
            _cleanup_free_ char *s = lxcf_show_io_val(v[j]);
            _cleanup_free_ char *label = lxcf_xasprintf("%u:%u %s", b->major, b->minor, what[j]);
            if (v[j] != LXCF_CG_UNLIMITED)
                lxcf_show_row(f, label, NULL, s);
        }
    }
}

static void lxcf_show_limits(FILE *f, const lxcf_res_info *i)
{
    const lxcf_res_conf *c = &i->conf;
    const lxcf_cgroup_values *v = &i->kernel;
    bool k = i->has_kernel;
    _cleanup_free_ char *cr = lxcf_show_rate(c->cpu_quota_us != 0,
                                             c->cpu_quota_us < 0 ? LXCF_CG_UNLIMITED
                                                                 : (uint64_t)c->cpu_quota_us,
                                             c->cpu_period_us ? c->cpu_period_us
                                                              : LXCF_CG_CPU_PERIOD_US,
                                             i->ncpus);
    _cleanup_free_ char *kr = lxcf_show_rate(k && v->has_cpu, v->cpu_quota_us,
                                             v->cpu_period_us, i->ncpus);
    _cleanup_free_ char *cm = lxcf_show_size(c->mem_hard_kib != 0, c->mem_hard_kib * 1024);
    _cleanup_free_ char *km = lxcf_show_size(k && v->has_memory, v->mem_limit);
    _cleanup_free_ char *cs = lxcf_show_size(c->swap_hard_kib != 0, c->swap_hard_kib * 1024);
    _cleanup_free_ char *ks = lxcf_show_size(k && v->has_memsw, v->memsw_limit);

    fprintf(f, "limits:   (configured: applied at start; kernel: in force now)\n");
    lxcf_show_row(f, "", "configured", "kernel");
    lxcf_show_row(f, "cpurate", cr, kr);
    lxcf_show_row(f, "cpus", c->cpuset, k && v->has_cpuset ? v->cpus : NULL);
    lxcf_show_row(f, "numa nodes", c->nodeset, k && v->has_cpuset ? v->mems : NULL);
    if (c->memory_kib) {
        _cleanup_free_ char *size = lxcf_res_size_str(c->memory_kib * 1024);
        lxcf_show_row(f, "memory size", size, NULL);
    }
    lxcf_show_row(f, "memory", cm, km);
    lxcf_show_row(f, "memory+swap", cs, ks);
    lxcf_show_io(f, i);
}

static void lxcf_show_text(FILE *f, const lxcf_res_info *i)
{
    const lxcf_container *c = i->c;

    lxcf_field(f, "name", c->name);
    lxcf_field(f, "uuid", c->uuid);
    lxcf_field(f, "state", lxcf_container_state(c, i->state));
    lxcf_field(f, "model", lxcf_model_to_string(c->model));
    lxcf_field(f, "root", c->root);
    lxcf_field(f, "created", c->created);
    if (c->lxcfs)
        lxcf_fieldf(f, "lxcfs", "yes (%s)", c->lxcfs);
    else
        lxcf_field(f, "lxcfs", "no (free, ps and top in the guest need it: see 'lxcf check')");
    lxcf_field(f, "autostart", i->autostart ? "yes" : "no");
    lxcf_field(f, "network", c->network);
    lxcf_field(f, "mac", c->mac);
    if (c->ipv4)
        lxcf_fieldf(f, "address", "%s/%u", c->ipv4, c->ipv4_prefix);
    else
        lxcf_field(f, "address", NULL);
    lxcf_field(f, "hosts", i->hosts_entry < 0 ? "unknown"
                           : i->hosts_entry ? "yes (in the host's /etc/hosts)"
                                            : "no (missing from the host's /etc/hosts)");
    if (i->confined >= 0)
        lxcf_fieldf(f, "confined", "%s%s%s%s", i->confined ? "yes" : "no",
                    i->confined_why ? " (" : "", i->confined_why ? i->confined_why : "",
                    i->confined_why ? ")" : "");
    lxcf_show_limits(f, i);
    if (i->has_kernel) {
        char mem[16] = "-", cpu[48] = "";
        if (i->kernel.has_memory)
            lxcf_human_kib(i->kernel.mem_usage / 1024, mem);
        if (i->kernel.has_cpu_usage)
            snprintf(cpu, sizeof(cpu), ", cpu time %.2fs", (double)i->kernel.cpu_usage_ns / 1e9);
        lxcf_fieldf(f, "usage", "memory %s%s", mem, cpu);
    }
}

int lxcf_cmd_show(lxcf_cli *cli, lxcf_err *err)
{
    _cleanup_(lxcf_res_info_clear) lxcf_res_info info = { 0 };

    if (lxcf_cli_ctx(cli, err) < 0 || lxcf_res_info_get(&cli->ctx, cli->argv[0], &info, err) < 0)
        return -1;
    if (cli->json)
        lxcf_show_json(cli->out, &info);
    else
        lxcf_show_text(cli->out, &info);
    return 0;
}

#include "check.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "addr.h"
#include "cgroup.h"
#include "cleanup.h"
#include "lxcfs.h"
#include "net.h"
#include "util.h"

const char *lxcf_check_status_name(lxcf_check_status s)
{
    static const char *const names[] = { "ok", "info", "warn", "fail" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static __attribute__((format(printf, 6, 7))) void
lxcf_check_add(lxcf_check_report *r, const char *name, lxcf_check_status st, const char *value,
               long guests, const char *fmt, ...)
{
    lxcf_check_item *it;
    va_list ap;

    r->items = realloc(r->items, (r->n + 1) * sizeof(*r->items));
    if (!r->items)
        abort();
    it = &r->items[r->n++];
    it->name = lxcf_xstrdup(name);
    it->status = st;
    it->value = lxcf_xstrdup(value ? value : "");
    it->guests = guests;
    va_start(ap, fmt);
    if (vasprintf(&it->note, fmt, ap) < 0)
        abort();
    va_end(ap);
}

void lxcf_check_report_clear(lxcf_check_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].name);
        free(r->items[i].value);
        free(r->items[i].note);
    }
    free(r->items);
    r->items = NULL;
    r->n = 0;
}

bool lxcf_check_failed(const lxcf_check_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].status == LXCF_CHECK_FAIL)
            return true;
    return false;
}

const lxcf_check_item *lxcf_check_cap(const lxcf_check_report *r)
{
    const lxcf_check_item *best = NULL;

    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].guests >= 0 && (!best || r->items[i].guests < best->guests))
            best = &r->items[i];
    return best;
}

/* PROC/sys/KEY with the dots as slashes; -1 when unreadable. */
long long lxcf_check_sysctl(const char *proc_root, const char *key)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("/proc/sys/%s", key), *path = NULL, *buf = NULL;
    int64_t v;

    for (char *p = rel + strlen("/proc/sys/"); *p; p++)
        if (*p == '.')
            *p = '/';
    path = lxcf_path_join(proc_root, rel);
    if (lxcf_read_file(path, &buf, NULL, NULL) < 0 ||
        lxcf_parse_i64(buf, LXCF_NUM_TRAILING | LXCF_NUM_DATA, 0, INT64_MAX, path, &v, NULL) < 0)
        return -1;
    return v;
}

unsigned long lxcf_check_inotify_in_use(const char *proc_root)
{
    _cleanup_free_ char *proc = lxcf_path_join(proc_root, "/proc");
    _cleanup_closedir_ DIR *d = opendir(proc);
    unsigned long n = 0;
    struct dirent *e;

    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        _cleanup_free_ char *pdir = lxcf_xasprintf("%s/%s", proc, e->d_name);
        _cleanup_free_ char *fdir = lxcf_xasprintf("%s/fd", pdir);
        struct stat st;
        if (stat(pdir, &st) < 0 || st.st_uid != geteuid())
            continue;
        _cleanup_closedir_ DIR *fds = opendir(fdir);
        struct dirent *f;
        while (fds && (f = readdir(fds))) {
            char link[64];
            ssize_t l = readlinkat(dirfd(fds), f->d_name, link, sizeof(link) - 1);
            if (l <= 0)
                continue;
            link[l] = '\0';
            if (strcmp(link, "anon_inode:inotify") == 0)
                n++;
        }
    }
    return n;
}

/* A kernel limit that caps the number of guests: each takes PER_GUEST of
 * it, USED is taken already; WANT is what the drop-in sets. */
static void lxcf_check_limit(lxcf_check_report *r, const lxcf_check_opts *o,
                             const char *key, unsigned long long per_guest,
                             unsigned long long used, unsigned long long want)
{
    long long v = lxcf_check_sysctl(o->proc_root, key);
    _cleanup_free_ char *value = NULL;
    long guests;

    if (v < 0) {
        lxcf_check_add(r, key, LXCF_CHECK_INFO, "-", -1, "not available on this kernel");
        return;
    }
    value = lxcf_xasprintf("%lld", v);
    guests = (unsigned long long)v > used ? (long)(((unsigned long long)v - used) / per_guest) : 0;
    if (guests >= LXCF_CHECK_MANY) {
        lxcf_check_add(r, key, LXCF_CHECK_OK, value, guests, "about %ld guests (%llu each%s)",
                       guests, per_guest, used ? ", after what runs now" : "");
        return;
    }
    lxcf_check_add(r, key, LXCF_CHECK_WARN, value, guests,
                   "about %ld guests (%llu each%s): raise it to %llu with 'sysctl -w %s=%llu' "
                   "and keep it with %s",
                   guests, per_guest, used ? ", after what runs now" : "", want, key, want,
                   o->dropin);
}

static void lxcf_check_namespaces(lxcf_check_report *r, const char *proc)
{
    static const char *const need[] = { "mnt", "uts", "ipc", "pid", "net" };
    static const char *const want[] = { "cgroup", "user" };
    _cleanup_free_ char *have = lxcf_xstrdup(""), *missing = lxcf_xstrdup("");
    bool fail = false, warn = false;

    for (size_t i = 0; i < 7; i++) {
        const char *ns = i < 5 ? need[i] : want[i - 5];
        _cleanup_free_ char *rel = lxcf_xasprintf("self/ns/%s", ns);
        _cleanup_free_ char *path = lxcf_path_join(proc, rel);
        char **into = access(path, F_OK) == 0 ? &have : &missing;
        char *s = lxcf_xasprintf("%s%s%s", *into, **into ? " " : "", ns);
        free(*into);
        *into = s;
        if (into == &missing)
            *(i < 5 ? &fail : &warn) = true;
    }
    if (fail)
        lxcf_check_add(r, "kernel.namespaces", LXCF_CHECK_FAIL, have, -1,
                       "missing %s: libvirt-LXC needs mount, uts, ipc, pid and net namespaces",
                       missing);
    else
        lxcf_check_add(r, "kernel.namespaces", warn ? LXCF_CHECK_WARN : LXCF_CHECK_OK, have, -1,
                       "%s%s", warn ? "missing: " : "all that libvirt-LXC uses",
                       warn ? missing : "");
}

static void lxcf_check_cgroups(lxcf_check_report *r, const char *proc_root, const char *proc)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    _cleanup_free_ char *mi = lxcf_path_join(proc, "self/mountinfo");
    _cleanup_free_ char *ctrls = lxcf_xstrdup(""), *value = NULL;
    lxcf_err e = LXCF_ERR_INIT;
    bool v1 = false, v2 = false;
    const char *layout;

    if (lxcf_cgroup_layout_load(mi, proc_root, &l, &e) < 0) {
        lxcf_check_add(r, "cgroup.layout", LXCF_CHECK_FAIL, "-", -1, "%s", e.msg);
        return;
    }
    for (size_t i = 0; i < l->nhier; i++)
        *(l->hier[i].version == 1 ? &v1 : &v2) = true;
    for (int c = 0; c < LXCF_CG_NCTRL; c++) {
        int ver = lxcf_cgroup_version(l, (lxcf_cgroup_ctrl)c);
        /* The kernel's names: v2 has io, and cpuacct is part of cpu. */
        if (!ver || c == LXCF_CG_SYSTEMD || (ver == 2 && c == LXCF_CG_CPUACCT))
            continue;
        char *s = lxcf_xasprintf("%s%s%s", ctrls, *ctrls ? " " : "",
                                 ver == 2 && c == LXCF_CG_IO
                                     ? "io"
                                     : lxcf_cgroup_ctrl_name((lxcf_cgroup_ctrl)c));
        free(ctrls);
        ctrls = s;
    }
    layout = v1 && v2 ? "hybrid" : v1 ? "v1" : v2 ? "v2" : "none";
    value = lxcf_xasprintf("%s (%s)", layout, *ctrls ? ctrls : "no controllers");
    if (!lxcf_cgroup_version(l, LXCF_CG_MEMORY) || !lxcf_cgroup_version(l, LXCF_CG_CPU))
        lxcf_check_add(r, "cgroup.layout", LXCF_CHECK_FAIL, value, -1,
                       "the memory and cpu controllers are needed for the limits");
    else
        lxcf_check_add(r, "cgroup.layout", LXCF_CHECK_OK, value, -1,
                       "lxcf reads and writes v1, hybrid and v2 alike");
}

static void lxcf_check_init(lxcf_check_report *r, const char *proc)
{
    _cleanup_free_ char *path = lxcf_path_join(proc, "1/comm"), *comm = NULL;

    if (lxcf_read_file(path, &comm, NULL, NULL) < 0)
        comm = lxcf_xstrdup("?");
    comm[strcspn(comm, "\n")] = '\0';
    if (lxcf_streq(comm, "systemd"))
        lxcf_check_add(r, "host.init", LXCF_CHECK_OK, comm, -1, "systemd is PID 1");
    else
        lxcf_check_add(r, "host.init", LXCF_CHECK_INFO, comm, -1,
                       "PID 1 is not systemd: lxcf-emulator keeps each guest's systemd in the "
                       "container's cgroups");
    static const char *const machined[] = { "systemd-machine", NULL };

    if (lxcf_proc_find(proc, machined))
        lxcf_check_add(r, "host.machined", LXCF_CHECK_OK, "running", -1,
                       "libvirt registers each container with machined (machinectl list)");
    else
        lxcf_check_add(r, "host.machined", LXCF_CHECK_INFO, "not running", -1,
                       "libvirt places containers under machine/ in each hierarchy itself");
}

static void lxcf_check_libvirt(lxcf_check_report *r, const lxcf_check_opts *o)
{
    unsigned long ver = 0;
    const char *type;
    _cleanup_free_ char *value = NULL;

    if (!o->conn) {
        lxcf_check_add(r, "libvirt", LXCF_CHECK_FAIL, "unreachable", -1, "%s",
                       o->conn_error ? o->conn_error : "no connection");
        return;
    }
    type = virConnectGetType(o->conn);
    virConnectGetLibVersion(o->conn, &ver);
    value = lxcf_xasprintf("%s driver, libvirt %lu.%lu.%lu", type ? type : "?", ver / 1000000,
                           ver / 1000 % 1000, ver % 1000);
    if (!type || strcasecmp(type, "LXC") != 0)
        lxcf_check_add(r, "libvirt", LXCF_CHECK_FAIL, value, -1,
                       "the connection is not to libvirt's LXC driver (use lxc:///)");
    else
        lxcf_check_add(r, "libvirt", LXCF_CHECK_OK, value, -1, "reachable");
}

/* The DHCP ranges of the network as it runs (else as defined), against
 * the pool. */
static void lxcf_check_dhcp(lxcf_check_report *r, const lxcf_net_status *st, const lxcf_pool *pool)
{
    lxcf_ipv4_range in = { pool->start, pool->end };
    _cleanup_free_ char *value = NULL;

    if (st->n_ranges == 0)
        value = lxcf_xstrdup("none");
    else
        value = lxcf_xasprintf("%s-%s%s", st->ranges[0].start ? st->ranges[0].start : "?",
                               st->ranges[0].end ? st->ranges[0].end : "?",
                               st->n_ranges > 1 ? " ..." : "");
    if (lxcf_net_ranges_meet(st, &in))
        lxcf_check_add(r, "network.dhcp", LXCF_CHECK_WARN, value, -1,
                       "dnsmasq may lend pool addresses, so every reservation must reach it "
                       "at once: each sysgen and erase reloads the network's firewall (about "
                       "0.5 s); 'lxcf net repair' moves the range off the pool, from the "
                       "network's next start");
    else
        lxcf_check_add(r, "network.dhcp", LXCF_CHECK_OK, value, -1,
                       "outside the pool: dnsmasq never lends a container's address, which is "
                       "reserved in the definition (live from the network's next start)");
}

static void lxcf_check_network(lxcf_check_report *r, const lxcf_check_opts *o)
{
    const lxcf_config *cfg = o->cfg;
    lxcf_pool pool;
    lxcf_net_status st = { 0 };
    _cleanup_free_ uint32_t *used = NULL;
    _cleanup_free_ char *value = NULL;
    size_t nused = 0;
    lxcf_err e = LXCF_ERR_INIT;
    bool defined = false, have_st = false;
    long size, avail;

    if (o->conn) {
        virNetworkPtr net = virNetworkLookupByName(o->conn, cfg->net_name);
        virResetLastError();
        defined = net != NULL;
        if (net)
            virNetworkFree(net);
    }
    if (!o->conn) {
        lxcf_check_add(r, "network", LXCF_CHECK_INFO, cfg->net_name, -1, "not checked (no libvirt)");
    } else if (!defined) {
        lxcf_check_add(r, "network", LXCF_CHECK_INFO, cfg->net_name, -1,
                       "not defined yet: the first sysgen defines it");
    } else if (lxcf_net_info(o->conn, cfg->net_name, &st, &e) < 0) {
        lxcf_check_add(r, "network", LXCF_CHECK_WARN, cfg->net_name, -1, "%s", e.msg);
    } else {
        value = lxcf_xasprintf("%s %s, %s", cfg->net_name, st.active ? "active" : "inactive",
                               st.address ? st.address : "-");
        lxcf_check_add(r, "network", st.active ? LXCF_CHECK_OK : LXCF_CHECK_WARN, value, -1, "%s",
                       st.active ? "the NAT bridge guests attach to"
                                 : "inactive: 'lxcf net repair' starts it");
        have_st = true;
    }
    lxcf_error_clear(&e);
    if (lxcf_pool_parse(cfg->net_address, cfg->net_pool_start, cfg->net_pool_end, &pool, &e) < 0) {
        lxcf_net_status_clear(&st);
        lxcf_check_add(r, "network.pool", LXCF_CHECK_FAIL, "-", 0, "%s", e.msg);
        return;
    }
    if (have_st)
        lxcf_check_dhcp(r, &st, &pool);
    lxcf_net_status_clear(&st);
    if (defined && lxcf_net_used_addrs(o->conn, cfg->net_name, &used, &nused, &e) < 0)
        nused = 0;
    size = (long)(pool.end - pool.start + 1);
    if (pool.net.addr >= pool.start && pool.net.addr <= pool.end)
        size--;
    avail = size - (long)nused;
    if (avail < 0)
        avail = 0;
    free(value);
    value = lxcf_xasprintf("%s-%s", cfg->net_pool_start, cfg->net_pool_end);
    lxcf_check_add(r, "network.pool", avail ? LXCF_CHECK_OK : LXCF_CHECK_FAIL, value, avail,
                   "%ld free of %ld addresses%s", avail, size,
                   avail ? "" : ": widen [Network] pool_start/pool_end");
}

static void lxcf_check_lxcfs(lxcf_check_report *r, const char *proc_root)
{
    _cleanup_free_ char *why = NULL;

    if (lxcf_lxcfs_running(proc_root, LXCF_LXCFS_DIR, &why))
        lxcf_check_add(r, "lxcfs", LXCF_CHECK_OK, "running", -1,
                       "guests get their own meminfo, cpuinfo, stat and uptime");
    else
        lxcf_check_add(r, "lxcfs", LXCF_CHECK_WARN, "not running", -1, "%s (%s)",
                       lxcf_lxcfs_missing_note(), why);
}

static void lxcf_check_disk(lxcf_check_report *r, const char *roots)
{
    _cleanup_free_ char *dir = lxcf_xstrdup(roots), *value = NULL;
    struct statvfs sv;
    unsigned long long free_mib;
    long guests;

    /* The roots directory may not exist yet: its nearest ancestor will
     * hold it. */
    while (statvfs(dir, &sv) < 0) {
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            if (statvfs("/", &sv) < 0) {
                lxcf_check_add(r, "disk.roots", LXCF_CHECK_WARN, "-", -1, "%s: %s", roots,
                               strerror(errno));
                return;
            }
            break;
        }
        *slash = '\0';
    }
    free_mib = (unsigned long long)sv.f_bavail * sv.f_frsize / (1024 * 1024);
    guests = (long)(free_mib / LXCF_GUEST_JOINT_MIB);
    value = lxcf_xasprintf("%llu MiB free", free_mib);
    lxcf_check_add(r, "disk.roots", guests < 1 ? LXCF_CHECK_FAIL : LXCF_CHECK_OK, value, guests,
                   "%s: about %ld joint guests (%d MiB each; a separate one copies /usr too)",
                   roots, guests, LXCF_GUEST_JOINT_MIB);
}

static void lxcf_check_dropin(lxcf_check_report *r, const lxcf_check_opts *o)
{
    if (access(o->dropin, R_OK) == 0)
        lxcf_check_add(r, "sysctl.dropin", LXCF_CHECK_OK, o->dropin, -1,
                       "installed: applied at boot (now: systemd-sysctl %s)", o->dropin);
    else
        lxcf_check_add(r, "sysctl.dropin", LXCF_CHECK_INFO, "not installed", -1,
                       "lxcf's package installs %s with limits for hundreds of guests",
                       o->dropin);
}

int lxcf_check_run(const lxcf_check_opts *o, lxcf_check_report *r, lxcf_err *err)
{
    _cleanup_free_ char *proc = lxcf_path_join(o->proc_root, "/proc");

    memset(r, 0, sizeof(*r));
    if (!o->cfg || !o->roots_dir || !o->dropin)
        return lxcf_error(err, LXCF_EXIT_USAGE, "check: incomplete options");
    lxcf_check_namespaces(r, proc);
    lxcf_check_cgroups(r, o->proc_root, proc);
    lxcf_check_init(r, proc);
    lxcf_check_libvirt(r, o);
    lxcf_check_network(r, o);
    lxcf_check_lxcfs(r, o->proc_root);
    lxcf_check_disk(r, o->roots_dir);
    /* Guests share root's counts: lxcf runs them without user namespaces. */
    lxcf_check_limit(r, o, "fs.inotify.max_user_instances", LXCF_GUEST_INOTIFY_INSTANCES,
                     lxcf_check_inotify_in_use(o->proc_root), 8192);
    lxcf_check_limit(r, o, "fs.inotify.max_user_watches", LXCF_GUEST_INOTIFY_WATCHES, 0,
                     1048576);
    lxcf_check_limit(r, o, "kernel.keys.root_maxkeys", LXCF_GUEST_KEYS, 0, 1000000);
    lxcf_check_limit(r, o, "kernel.keys.root_maxbytes", LXCF_GUEST_KEY_BYTES, 0, 25000000);
    /* Without user namespaces a service user (systemd-network, ...) is one
     * uid in every guest, so its keys add up across guests too. */
    lxcf_check_limit(r, o, "kernel.keys.maxkeys", LXCF_GUEST_USER_KEYS, 0, 2000);
    lxcf_check_limit(r, o, "kernel.keys.maxbytes", LXCF_GUEST_USER_KEY_BYTES, 0, 2000000);
    lxcf_check_limit(r, o, "kernel.pid_max", LXCF_GUEST_TASKS, 0, 4194304);
    lxcf_check_limit(r, o, "kernel.threads-max", LXCF_GUEST_TASKS, 0, 4194304);
    lxcf_check_limit(r, o, "net.ipv4.neigh.default.gc_thresh3", LXCF_GUEST_NEIGH, 0, 8192);
    lxcf_check_dropin(r, o);
    return 0;
}

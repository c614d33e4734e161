#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cgroup.h"
#include "cleanup.h"
#include "fsutil.h"
#include "guest.h"
#include "hosts.h"
#include "lock.h"
#include "lxcf-build.h"
#include "lxcfs.h"
#include "net.h"
#include "resource.h"
#include "rootfs.h"
#include "update_journal.h"
#include "util.h"
#include "virt.h"

#define LXCF_LOCK_TIMEOUT_MS (10 * 60 * 1000)

lxcf_container *lxcf_container_new(void)
{
    return lxcf_xcalloc(1, sizeof(lxcf_container));
}

void lxcf_container_free(lxcf_container *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->uuid);
    free(c->root);
    free(c->usr_source);
    free(c->emulator);
    free(c->network);
    free(c->mac);
    free(c->ipv4);
    free(c->created);
    free(c->state_note);
    free(c->lxcfs);
    free(c);
}

void lxcf_container_freep(lxcf_container **c)
{
    lxcf_container_free(*c);
    *c = NULL;
}

void lxcf_report_msg(const lxcf_report *rep, const char *name, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    if (!rep || !rep->fn)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    rep->fn(rep->opaque, name, buf);
}

int lxcf_container_lock(lxcf_ctx *ctx, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_ctx_path(ctx, LXCF_LOCK_PATH);
    return lxcf_lock_take(path, LXCF_LOCK_TIMEOUT_MS, err);
}

char *lxcf_container_emulator(void)
{
    const char *env = getenv("LXCF_EMULATOR");
    char self[PATH_MAX];
    ssize_t n;

    if (env)
        return *env ? lxcf_xstrdup(env) : NULL;
    /* Beside the running lxcf first: a build tree's lxcf must use its own
     * wrapper, not an older installed one. */
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            _cleanup_free_ char *dir = lxcf_xstrndup(self, (size_t)(slash - self));
            _cleanup_free_ char *p = lxcf_xasprintf("%s/lxcf-emulator", dir);
            if (access(p, X_OK) == 0)
                return lxcf_steal_ptr(p);
        }
    }
    if (access(LXCF_LIBEXECDIR "/lxcf-emulator", X_OK) == 0)
        return lxcf_xstrdup(LXCF_LIBEXECDIR "/lxcf-emulator");
    return NULL;
}

static void lxcf_net_conf_of(const lxcf_ctx *ctx, lxcf_net_conf *nc)
{
    nc->name = ctx->cfg.net_name;
    nc->bridge = ctx->cfg.net_bridge;
    nc->address = ctx->cfg.net_address;
    nc->pool_start = ctx->cfg.net_pool_start;
    nc->pool_end = ctx->cfg.net_pool_end;
}

/* Addresses taken: the network's reservations (already in *USED) and
 * every container's metadata, so that a container whose reservation a
 * crash lost still keeps its address. */
static void lxcf_used_addrs(const lxcf_virt_list *l, uint32_t **used, size_t *nused)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t a;

        if (!l->e[i].c->ipv4 || lxcf_ipv4_parse(l->e[i].c->ipv4, &a, NULL) < 0)
            continue;
        *used = lxcf_xrealloc(*used, (*nused + 1) * sizeof(**used));
        (*used)[(*nused)++] = a;
    }
}

int lxcf_container_sync_hosts(lxcf_ctx *ctx, const lxcf_report *rep, lxcf_err *err)
{
    lxcf_virt_list l;
    _cleanup_free_ lxcf_hosts_entry *ents = NULL;
    _cleanup_free_ lxcf_hosts_guest *guests = NULL;
    _cleanup_free_ const char **names = NULL;
    _cleanup_free_ char *hosts = lxcf_ctx_path(ctx, "/etc/hosts");
    size_t n = 0, ng = 0;
    int r;

    /* Every sync rewrites the blocks of all guests: once per container of
     * a batch would make erase-n and sysgen-n quadratic. */
    if (ctx->hosts_batch) {
        ctx->hosts_dirty = true;
        return 0;
    }
    /* The metadata holds all a hosts line needs; the full XML of every
     * domain would cost a parse each.  A line's address and the root never
     * change for a domain: what this process read already (in the
     * reservation, say) is not asked again. */
    if (lxcf_virt_list_meta_cached(ctx->conn, &ctx->meta_cache, &l, err) < 0)
        return -1;
    ents = lxcf_xcalloc(l.n ? l.n : 1, sizeof(*ents));
    names = lxcf_xcalloc(l.n ? l.n : 1, sizeof(*names));
    for (size_t i = 0; i < l.n; i++)
        if (l.e[i].c->ipv4 &&
            lxcf_hosts_entry_set(&ents[n], l.e[i].c->name, l.e[i].c->ipv4, NULL) == 0)
            n++;
    r = lxcf_hosts_update_file(hosts, ents, n, err);
    guests = lxcf_xcalloc(l.n ? l.n : 1, sizeof(*guests));
    for (size_t i = 0; r == 0 && i < l.n; i++) {
        struct stat st;

        if (!l.e[i].c->root || lstat(l.e[i].c->root, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        guests[ng] = (lxcf_hosts_guest){ .root = l.e[i].c->root, .err = LXCF_ERR_INIT };
        names[ng++] = l.e[i].c->name;
    }
    lxcf_hosts_update_guests(guests, ng, ents, n);
    for (size_t i = 0; i < ng; i++)
        if (lxcf_error_isset(&guests[i].err))
            lxcf_report_msg(rep, names[i], "warning: /etc/hosts not updated: %s",
                            guests[i].err.msg);
    lxcf_virt_list_clear(&l);
    return r;
}

int lxcf_container_hosts_flush(lxcf_ctx *ctx, const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = -1;

    ctx->hosts_batch = false;
    if (!ctx->hosts_dirty)
        return 0;
    ctx->hosts_dirty = false;
    lock = lxcf_container_lock(ctx, err);
    if (lock < 0)
        return -1;
    return lxcf_container_sync_hosts(ctx, rep, err);
}

static char *lxcf_now_iso8601(void)
{
    char buf[32];
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return lxcf_xstrdup(buf);
}

/* Refuse a name that is taken by any libvirt domain or by a directory in
 * the roots directory (a crashed sysgen's leftovers are the user's call). */
static int lxcf_name_free(lxcf_ctx *ctx, const char *name, lxcf_err *err)
{
    _cleanup_free_ char *root = NULL;
    virDomainPtr d;
    struct stat st;

    if (lxcf_name_check(name, err) < 0)
        return -1;
    d = virDomainLookupByName(ctx->conn, name);
    if (d) {
        virDomainFree(d);
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: a libvirt domain of that name exists already",
                          name);
    }
    root = lxcf_ctx_container_root(ctx, name);
    if (lstat(root, &st) == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: %s exists already (left by an interrupted sysgen? "
                          "'lxcf erase %s' removes it)", name, root, name);
    return 0;
}

/* Phase one of sysgen and clone, under the lock: claim the name, an
 * address and a MAC by defining the domain marked as building.  From here
 * on a crash leaves a container that list shows and erase removes. */
static int lxcf_reserve(lxcf_ctx *ctx, lxcf_container *c, virDomainPtr *dom, lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = -1;
    _cleanup_free_ uint32_t *used = NULL;
    lxcf_virt_list l;
    lxcf_net_conf nc;
    lxcf_pool pool;
    size_t nused = 0;
    uint32_t a;
    char ip[LXCF_IPV4_STRLEN], mac[LXCF_MAC_STRLEN];
    bool created = false;

    lock = lxcf_container_lock(ctx, err);
    if (lock < 0)
        return -1;
    lxcf_crashpoint("reserve-locked");
    if (lxcf_name_free(ctx, c->name, err) < 0)
        return -1;
    lxcf_net_conf_of(ctx, &nc);
    if (lxcf_pool_parse(nc.address, nc.pool_start, nc.pool_end, &pool, err) < 0 ||
        lxcf_pool_check(&pool, err) < 0)
        return -1;
    if (lxcf_net_ensure_used(ctx->conn, &nc, &created, &used, &nused, err) < 0 ||
        lxcf_virt_list_meta(ctx->conn, &ctx->meta_cache, &l, err) < 0)
        return -1;
    lxcf_used_addrs(&l, &used, &nused);
    lxcf_virt_list_clear(&l);
    if (lxcf_addr_pick(&pool, used, nused, &a, err) < 0) {
        lxcf_error_prefix(err, "%s: ", c->name);
        return -1;
    }
    lxcf_ipv4_format(a, ip);
    lxcf_mac_random(mac);
    free(c->ipv4);
    c->ipv4 = lxcf_xstrdup(ip);
    c->ipv4_prefix = pool.net.prefix;
    free(c->mac);
    c->mac = lxcf_xstrdup(mac);
    free(c->network);
    c->network = lxcf_xstrdup(ctx->cfg.net_name);
    free(c->state_note);
    c->state_note = lxcf_xstrdup(LXCF_STATE_BUILDING);
    if (lxcf_virt_define(ctx->conn, c, dom, err) < 0)
        return -1;
    lxcf_crashpoint("reserve-defined");
    lxcf_crashpoint("reserve-done");
    return 0;
}

/* The network's DHCP and DNS entries for a reserved container.  The DNS
 * entry has dnsmasq re-read its hosts; a DHCP entry that must reach the
 * running network reloads its whole firewall, half a second (when it must:
 * lxcf_net_host_add).  So they are added by a thread beside the copy,
 * outside the lock.  The address is safe meanwhile: the domain's metadata
 * holds it, and lxcf_used_addrs counts that. */
typedef struct lxcf_net_job {
    pthread_t th;
    bool running;
    virConnectPtr conn;
    const lxcf_container *c;
    int rc;
    lxcf_err err;
} lxcf_net_job;

static void *lxcf_net_job_run(void *opaque)
{
    lxcf_net_job *j = opaque;

    j->rc = lxcf_net_host_add(j->conn, j->c->network, j->c->name, j->c->mac, j->c->ipv4,
                              &j->err);
    return NULL;
}

static void lxcf_net_job_start(lxcf_net_job *j, lxcf_ctx *ctx, const lxcf_container *c)
{
    *j = (lxcf_net_job){ .conn = ctx->conn, .c = c, .err = LXCF_ERR_INIT };
    j->running = pthread_create(&j->th, NULL, lxcf_net_job_run, j) == 0;
    if (!j->running)
        lxcf_net_job_run(j);
}

/* Wait for the entries; their error, if any, becomes ERR (when ERR is
 * still clear: an earlier failure is the one to report). */
static int lxcf_net_job_join(lxcf_net_job *j, lxcf_err *err)
{
    if (j->running)
        pthread_join(j->th, NULL);
    j->running = false;
    if (j->rc < 0)
        lxcf_error_move(err, &j->err);
    return j->rc;
}

/* Cleanup: no return path may leave the thread using a freed record. */
static void lxcf_net_job_joinp(lxcf_net_job *j)
{
    lxcf_net_job_join(j, NULL);
}

/* Phase three: the root is complete; drop the building mark (only the
 * metadata changes: whatever else the domain got meanwhile stays) and
 * publish the name in /etc/hosts (host and guests). */
static int lxcf_finish(lxcf_ctx *ctx, lxcf_container *c, virDomainPtr d, const lxcf_report *rep,
                       lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = lxcf_container_lock(ctx, err);

    if (lock < 0)
        return -1;
    lxcf_crashpoint("finish-locked");
    free(c->state_note);
    c->state_note = NULL;
    if (lxcf_virt_set_meta(d, c, err) < 0)
        return -1;
    lxcf_crashpoint("finish-defined");
    return lxcf_container_sync_hosts(ctx, rep, err);
}

typedef struct {
    const lxcf_report *rep;
    const char *name;
} lxcf_copy_report;

static void lxcf_copy_progress(uint64_t bytes, uint64_t files, void *opaque)
{
    lxcf_copy_report *cr = opaque;
    lxcf_report_msg(cr->rep, cr->name, "copying: %llu MiB, %llu files",
                    (unsigned long long)(bytes >> 20), (unsigned long long)files);
}

static lxcf_container *lxcf_container_template(lxcf_ctx *ctx, const char *name,
                                                lxcf_model model)
{
    lxcf_container *c = lxcf_container_new();
    _cleanup_free_ char *why = NULL;

    c->name = lxcf_xstrdup(name);
    c->model = model;
    c->root = lxcf_ctx_container_root(ctx, name);
    if (model == LXCF_MODEL_JOINT)
        c->usr_source = lxcf_ctx_path(ctx, "/usr");
    c->emulator = lxcf_container_emulator();
    if (lxcf_lxcfs_running(NULL, LXCF_LXCFS_DIR, &why))
        c->lxcfs = lxcf_xstrdup(LXCF_LXCFS_DIR);
    c->memory_kib = (unsigned long long)ctx->cfg.memory_mib * 1024ULL;
    c->vcpus = (unsigned)ctx->cfg.vcpus;
    c->created = lxcf_now_iso8601();
    return c;
}

static int lxcf_customise(lxcf_ctx *ctx, const lxcf_container *c, lxcf_err *err)
{
    _cleanup_free_ char *usr = NULL, *gw = NULL;
    const char *slash = strchr(ctx->cfg.net_address, '/');
    lxcf_guest_conf gc = {
        .name = c->name,
        .ipv4 = c->ipv4,
        .prefix = c->ipv4_prefix,
        .mac = c->mac,
    };

    gw = slash ? lxcf_xstrndup(ctx->cfg.net_address, (size_t)(slash - ctx->cfg.net_address))
               : lxcf_xstrdup(ctx->cfg.net_address);
    gc.gateway = gw;
    gc.dns = gw;
    usr = c->model == LXCF_MODEL_JOINT ? lxcf_xstrdup(c->usr_source)
                                       : lxcf_path_join(c->root, "/usr");
    return lxcf_guest_customise(c->root, usr, &gc, err);
}

static int lxcf_start_dom(lxcf_ctx *ctx, const char *name, const lxcf_report *rep,
                          lxcf_err *err);

/* The steps sysgen and clone share once the root is copied. */
static int lxcf_complete(lxcf_ctx *ctx, lxcf_container *c, virDomainPtr d, const lxcf_create_opts *o,
                         const lxcf_report *rep, lxcf_err *err)
{
    if (lxcf_customise(ctx, c, err) < 0)
        return -1;
    lxcf_crashpoint("customised");
    if (lxcf_finish(ctx, c, d, rep, err) < 0)
        return -1;
    if (o->no_start)
        return 0;
    if (lxcf_start_dom(ctx, c->name, rep, err) < 0)
        return -1;
    lxcf_report_msg(rep, c->name, "started");
    return 0;
}

/* Wait for turn T (see lxcf_turns); lxcf_turn_pass hands on to the next,
 * once, whether the reservation worked or not. */
static void lxcf_turn_wait(lxcf_turns *turns, size_t t)
{
    if (!turns)
        return;
    pthread_mutex_lock(&turns->mu);
    while (turns->next < t)
        pthread_cond_wait(&turns->cv, &turns->mu);
    pthread_mutex_unlock(&turns->mu);
}

static void lxcf_turn_pass(lxcf_turns *turns, size_t t)
{
    if (!turns || t >= turns->n)
        return;
    pthread_mutex_lock(&turns->mu);
    turns->done[t] = true;
    while (turns->next < turns->n && turns->done[turns->next])
        turns->next++;
    pthread_cond_broadcast(&turns->cv);
    pthread_mutex_unlock(&turns->mu);
}

typedef struct lxcf_turn_guard {
    lxcf_turns *turns;
    size_t t;
} lxcf_turn_guard;

static void lxcf_turn_guard_pass(lxcf_turn_guard *g)
{
    lxcf_turn_pass(g->turns, g->t);
}

int lxcf_container_create(lxcf_ctx *ctx, const char *name, const lxcf_create_opts *o,
                          const lxcf_report *rep, lxcf_err *err)
{
    /* Handed on at the latest when this function returns, on any path. */
    _cleanup_(lxcf_turn_guard_pass) lxcf_turn_guard turn = { o->turns, o->turn };
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    _cleanup_domain_ virDomainPtr dom = NULL;
    _cleanup_(lxcf_net_job_joinp) lxcf_net_job nj = { 0 };
    _cleanup_free_ char *host_root = NULL, *roots_rel = NULL, *roots = NULL;
    const char *exclude[2] = { NULL, NULL };
    lxcf_copy_stats stats = { 0 };
    lxcf_copy_report cr = { rep, name };
    lxcf_model model;
    struct timespec t0, t1;

    if (lxcf_name_check(name, err) < 0)
        return -1;
    if (lxcf_model_from_string(o->model ? o->model : ctx->cfg.model, &model, err) < 0)
        return -1;
    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    roots = lxcf_ctx_roots_dir(ctx);
    if (mkdir(roots, 0700) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create %s", roots);

    c = lxcf_container_template(ctx, name, model);
    lxcf_turn_wait(o->turns, o->turn);
    if (lxcf_reserve(ctx, c, &dom, err) < 0)
        return -1;
    lxcf_turn_pass(o->turns, o->turn);
    lxcf_net_job_start(&nj, ctx, c);
    lxcf_report_msg(rep, name, "defined (%s, %s/%u), building the root", lxcf_model_to_string(model),
                    c->ipv4, c->ipv4_prefix);

    /* The roots directory may live under /var (or /etc): never copy it into
     * a container. */
    host_root = lxcf_xstrdup(ctx->root ? ctx->root : "/");
    roots_rel = lxcf_xstrdup(ctx->cfg.roots + 1);
    exclude[0] = roots_rel;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (lxcf_rootfs_build(host_root, c->root, model, exclude, lxcf_copy_progress, &cr, &stats,
                          err) < 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    lxcf_crashpoint("root-built");
    lxcf_report_msg(rep, name, "root built: %llu MiB in %llu files, %.1f s",
                    (unsigned long long)(stats.bytes >> 20), (unsigned long long)stats.files,
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (lxcf_net_job_join(&nj, err) < 0)
        return -1;
    return lxcf_complete(ctx, c, dom, o, rep, err);
}

int lxcf_container_clone(lxcf_ctx *ctx, const char *src, const char *name,
                         const lxcf_create_opts *o, const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr sd = NULL, dom = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *s = NULL, *c = NULL;
    _cleanup_(lxcf_net_job_joinp) lxcf_net_job nj = { 0 };
    lxcf_copy_stats stats = { 0 };
    lxcf_copy_report cr = { rep, name };

    if (lxcf_name_check(name, err) < 0)
        return -1;
    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    if (lxcf_virt_lookup(ctx->conn, src, &sd, &s, err) < 0)
        return -1;
    if (virDomainIsActive(sd) == 1)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: is running; stop it first ('lxcf stop %s') so its root is consistent",
                          src, src);
    if (s->state_note)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is not completely built; erase it", src);
    c = lxcf_container_template(ctx, name, s->model);
    c->memory_kib = s->memory_kib;
    c->vcpus = s->vcpus;
    if (lxcf_reserve(ctx, c, &dom, err) < 0)
        return -1;
    lxcf_net_job_start(&nj, ctx, c);
    lxcf_report_msg(rep, name, "defined (%s, %s/%u), copying %s", lxcf_model_to_string(s->model),
                    c->ipv4, c->ipv4_prefix, src);
    if (lxcf_rootfs_clone(s->root, c->root, lxcf_copy_progress, &cr, &stats, err) < 0)
        return -1;
    lxcf_crashpoint("root-built");
    lxcf_report_msg(rep, name, "root copied: %llu MiB in %llu files",
                    (unsigned long long)(stats.bytes >> 20), (unsigned long long)stats.files);
    if (lxcf_net_job_join(&nj, err) < 0)
        return -1;
    return lxcf_complete(ctx, c, dom, o, rep, err);
}

static void lxcf_cgroup_cleanup(const char *name)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;

    /* Best effort: empty groups left by a stopped container are harmless
     * apart from clutter, and must never make stop or erase fail. */
    if (lxcf_cgroup_layout_load("/proc/self/mountinfo", NULL, &l, NULL) == 0)
        lxcf_cgroup_remove_empty(l, name, NULL);
}

static bool lxcf_hosts_names(const lxcf_ctx *ctx, const char *name)
{
    _cleanup_free_ char *path = lxcf_ctx_path(ctx, "/etc/hosts"), *buf = NULL;
    _cleanup_free_ lxcf_hosts_entry *ents = NULL;
    size_t n = 0;

    if (lxcf_read_file(path, &buf, NULL, NULL) < 0 ||
        lxcf_hosts_parse_block(buf, &ents, &n, NULL) < 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lxcf_streq(ents[i].name, name))
            return true;
    return false;
}

/* NAME has no domain (NOTFOUND says so).  What a crash of an earlier
 * erase can leave is still ours to clean: a root in our roots directory,
 * a line in the hosts blocks.  Anything else named NAME stays the
 * NOTFOUND error. */
static int lxcf_erase_leftovers(lxcf_ctx *ctx, const char *name, lxcf_err *notfound,
                                const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr foreign = virDomainLookupByName(ctx->conn, name);
    _cleanup_free_ char *roots = lxcf_ctx_roots_dir(ctx);
    _cleanup_free_ char *root = lxcf_ctx_container_root(ctx, name);
    bool found = false;
    struct stat st;

    if (foreign || lxcf_name_check(name, NULL) < 0)
        return lxcf_error_move(err, notfound);
    if (lstat(root, &st) == 0) {
        if (lxcf_rootfs_erase(roots, root, err) < 0)
            return -1;
        lxcf_report_msg(rep, name, "removed the leftover root %s", root);
        found = true;
    }
    if (lxcf_hosts_names(ctx, name)) {
        lxcf_report_msg(rep, name, "removed the leftover /etc/hosts entry");
        found = true;
    }
    if (!found)
        return lxcf_error_move(err, notfound);
    return lxcf_container_sync_hosts(ctx, rep, err);
}

/* SIGKILL to the guest's init, which ends every process of its PID
 * namespace, and a short wait for it to go.  By pidfd, so that a PID
 * reused meanwhile is never hit.  Best effort: destroy follows anyway. */
static void lxcf_kill_init(virDomainPtr d)
{
    pid_t init = 0, again = 0;
    _cleanup_close_ int fd = -1;
    struct pollfd pfd;

    if (lxcf_virt_init_pid(d, &init, NULL) < 0 || init <= 0)
        return;
    fd = (int)syscall(SYS_pidfd_open, init, 0);
    if (fd < 0 || lxcf_virt_init_pid(d, &again, NULL) < 0 || again != init)
        return;
    if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
        return;
    pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
    poll(&pfd, 1, 3000);
}

/* Stop D if it runs.  The container is about to be deleted, so it is
 * killed, not shut down: libvirt's destroy alone sends SIGTERM, which
 * systemd takes as "re-execute", and waits some 1.6 s before its SIGKILL.
 * A destroy that fails because the domain stopped meanwhile is no
 * failure. */
static int lxcf_erase_stop(virDomainPtr d, const char *name, const lxcf_report *rep,
                           lxcf_err *err)
{
    if (virDomainIsActive(d) != 1)
        return 0;
    lxcf_kill_init(d);
    if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0 && virDomainIsActive(d) == 1)
        return lxcf_virt_error(err, name, "stopping");
    lxcf_report_msg(rep, name, "stopped");
    return 0;
}

/* Remove what is NAME's alone: its root (first: until the domain is gone,
 * a crash leaves a container that list shows and a second erase
 * finishes) and its network entries (its address stays held by the
 * domain's metadata).  Called twice: without the lock, where the slow
 * work happens, so that erase-n -j runs several at once, and under it,
 * to finish what a start or a crash in between left. */
static int lxcf_erase_own(lxcf_ctx *ctx, virDomainPtr d, const lxcf_container *c,
                          const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_free_ char *roots = lxcf_ctx_roots_dir(ctx);
    struct stat st;

    if (lxcf_erase_stop(d, c->name, rep, err) < 0)
        return -1;
    lxcf_crashpoint("erase-stopped");
    if (c->root && lstat(c->root, &st) == 0 && lxcf_rootfs_erase(roots, c->root, err) < 0)
        return -1;
    lxcf_crashpoint("erase-root-removed");
    if (c->network && lxcf_net_host_remove(ctx->conn, c->network, c->name, err) < 0)
        return -1;
    lxcf_crashpoint("erase-unreserved");
    return 0;
}

int lxcf_container_erase(lxcf_ctx *ctx, const char *name, const lxcf_report *rep,
                         lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = -1;
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    lxcf_err lookup = LXCF_ERR_INIT;

    if (lxcf_ref_check(name, err) < 0)
        return -1;
    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    /* A name that is not ours (or not there) is left to the locked part,
     * which says so. */
    if (lxcf_virt_lookup(ctx->conn, name, &d, &c, NULL) == 0) {
        if (lxcf_erase_own(ctx, d, c, rep, err) < 0)
            return -1;
        virDomainFree(d);
        d = NULL;
        lxcf_container_freep(&c);
    }
    lock = lxcf_container_lock(ctx, err);
    if (lock < 0)
        return -1;
    if (lxcf_virt_lookup(ctx->conn, name, &d, &c, &lookup) < 0) {
        if (!lxcf_error_is(&lookup, LXCF_EXIT_NOTFOUND))
            return lxcf_error_move(err, &lookup);
        return lxcf_erase_leftovers(ctx, name, &lookup, rep, err);
    }
    if (lxcf_erase_own(ctx, d, c, rep, err) < 0)
        return -1;
    if (virDomainUndefine(d) < 0)
        return lxcf_virt_error(err, c->name, "undefining");
    lxcf_crashpoint("erase-undefined");
    lxcf_cgroup_cleanup(c->name);
    return lxcf_container_sync_hosts(ctx, rep, err);
}

/* The lxcfs mounts follow the host: a definition that names lxcfs while
 * it is not running would not start at all, and one made while it was
 * down should get it once it runs. */
static int lxcf_sync_lxcfs(lxcf_ctx *ctx, virDomainPtr d, const lxcf_container *c,
                           const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_free_ char *why = NULL;
    bool running = lxcf_lxcfs_running(NULL, LXCF_LXCFS_DIR, &why);

    if (!running && !ctx->lxcfs_told) {
        lxcf_report_msg(rep, c->name, "%s (%s)", lxcf_lxcfs_missing_note(), why);
        ctx->lxcfs_told = true;
    }
    if (running == (c->lxcfs != NULL))
        return 0;
    return lxcf_virt_set_lxcfs(d, running ? LXCF_LXCFS_DIR : NULL, err);
}

/* libvirt 9.0's LXC driver now and then loses the monitor connection of
 * one of two containers started at the same moment: that controller logs
 * "End of file while reading data" 0.1 s after "starting up", never hears
 * from libvirtd again, and the guest's init is never let go, while
 * libvirt says it runs (seen three times in one day, in start-n and
 * sysgen-n with two jobs, always in a pair of starts a few ms apart).  So
 * the starts of one lxcf process are made one at a time; the waits for
 * systemd, the slow part, still overlap. */
static pthread_mutex_t lxcf_create_mu = PTHREAD_MUTEX_INITIALIZER;

static int lxcf_create_one_at_a_time(virDomainPtr d)
{
    int r;

    pthread_mutex_lock(&lxcf_create_mu);
    r = virDomainCreate(d);
    pthread_mutex_unlock(&lxcf_create_mu);
    return r;
}

static int lxcf_start_dom(lxcf_ctx *ctx, const char *name, const lxcf_report *rep,
                          lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;

    if (lxcf_virt_lookup(ctx->conn, name, &d, &c, err) < 0)
        return -1;
    if (c->state_note)
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: is not completely built (an interrupted sysgen?); erase it and create it again",
                          c->name);
    /* Its etc and var would be only what the update's command wrote. */
    if (lxcf_update_holds(ctx, c->name))
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: an interrupted update holds its trees aside; run lxcf update "
                          "--recover first", c->name);
    if (virDomainIsActive(d) == 1)
        return 0;
    lxcf_cgroup_cleanup(c->name);
    if (lxcf_sync_lxcfs(ctx, d, c, rep, err) < 0)
        return -1;
    if (lxcf_create_one_at_a_time(d) < 0)
        return lxcf_virt_error(err, c->name, "starting");
    if (lxcf_res_after_start(d, err) < 0) {
        lxcf_error_prefix(err, "%s: started, but ", c->name);
        return -1;
    }
    return 0;
}

int lxcf_container_start(lxcf_ctx *ctx, const char *name, const lxcf_report *rep,
                         lxcf_err *err)
{
    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    return lxcf_start_dom(ctx, name, rep, err);
}

int lxcf_container_stop(lxcf_ctx *ctx, const char *name, unsigned timeout, bool *forced,
                        lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    struct timespec t0, now;

    *forced = false;
    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    if (lxcf_virt_lookup(ctx->conn, name, &d, &c, err) < 0)
        return -1;
    if (virDomainIsActive(d) != 1)
        return 0;
    /* initctl, not a signal: systemd takes SIGTERM as "re-execute".  A
     * guest still booting may not listen on initctl yet, so keep asking
     * until it accepts or the timeout is over. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    time_t last_ask = -1000;
    while (virDomainIsActive(d) == 1) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec >= (time_t)timeout) {
            *forced = true;
            break;
        }
        /* A request that reaches a booting systemd can be lost: repeat it. */
        if (now.tv_sec - last_ask >= 3) {
            virDomainShutdownFlags(d, VIR_DOMAIN_SHUTDOWN_INITCTL);
            last_ask = now.tv_sec;
        }
        usleep(200 * 1000);
    }
    if (*forced && virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0)
        return lxcf_virt_error(err, c->name, "stopping");
    lxcf_cgroup_cleanup(c->name);
    return 0;
}

int lxcf_container_autostart(lxcf_ctx *ctx, const char *name, bool on, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;

    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    if (lxcf_virt_lookup(ctx->conn, name, &d, NULL, err) < 0)
        return -1;
    if (virDomainSetAutostart(d, on ? 1 : 0) < 0)
        return lxcf_virt_error(err, name, on ? "enabling autostart" : "disabling autostart");
    return 0;
}

int lxcf_container_net_repair(lxcf_ctx *ctx, const lxcf_report *rep, bool *created,
                              lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = -1;
    lxcf_virt_list l;
    lxcf_net_conf nc;
    bool moved = false;
    int r = 0;

    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    lock = lxcf_container_lock(ctx, err);
    if (lock < 0)
        return -1;
    lxcf_net_conf_of(ctx, &nc);
    if (lxcf_net_ensure(ctx->conn, &nc, created, err) < 0 ||
        lxcf_net_dhcp_off_pool(ctx->conn, &nc, &moved, err) < 0)
        return -1;
    if (moved)
        lxcf_report_msg(rep, nc.name, "DHCP range moved off the pool %s-%s (from the network's "
                        "next start)", nc.pool_start, nc.pool_end);
    if (lxcf_virt_list_all(ctx->conn, &l, err) < 0)
        return -1;
    for (size_t i = 0; r == 0 && i < l.n; i++) {
        const lxcf_container *c = l.e[i].c;
        if (!c->ipv4 || !c->mac || !lxcf_streq(c->network, nc.name))
            continue;
        r = lxcf_net_host_add(ctx->conn, nc.name, c->name, c->mac, c->ipv4, err);
        if (r == 0)
            lxcf_report_msg(rep, c->name, "%s %s in %s", c->ipv4, c->mac, nc.name);
    }
    lxcf_virt_list_clear(&l);
    if (r < 0)
        return -1;
    return lxcf_container_sync_hosts(ctx, rep, err);
}

const char *lxcf_container_state(const lxcf_container *c, int virstate)
{
    struct stat st;

    /* A half-built or half-erased container must never look usable. */
    if (c->state_note)
        return c->state_note;
    if (c->root && lstat(c->root, &st) < 0)
        return "no-root";
    return lxcf_virt_state_name(virstate);
}

#include "virt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <libvirt/virterror.h>

#include "cgroup.h"
#include "cleanup.h"
#include "util.h"

/* libvirt prints every error to stderr unless a handler is set; lxcf
 * reports errors itself, once. */
static void lxcf_virt_silent(void *opaque, virErrorPtr e)
{
}

const char *lxcf_virt_last_error(void)
{
    const char *m = virGetLastErrorMessage();
    return m ? m : "unknown libvirt error";
}

int lxcf_virt_errorf(lxcf_err *err, const char *fmt, ...)
{
    _cleanup_free_ char *what = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&what, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    return lxcf_error(err, LXCF_EXIT_FAIL, "%s: %s", what, lxcf_virt_last_error());
}

int lxcf_virt_error(lxcf_err *err, const char *object, const char *what)
{
    return lxcf_virt_errorf(err, "%s: %s failed", object, what);
}

int lxcf_virt_open(const char *uri, virConnectPtr *conn, lxcf_err *err)
{
    virSetErrorFunc(NULL, lxcf_virt_silent);
    *conn = virConnectOpen(uri);
    if (!*conn)
        return lxcf_error(err, LXCF_EXIT_LIBVIRT,
                          "cannot connect to libvirt at %s: %s (start libvirtd: "
                          "'systemctl start libvirtd', or 'scripts/libvirtd-harness start' "
                          "on a machine without a libvirt service)",
                          uri, lxcf_virt_last_error());
    return 0;
}

/* The --root of this process, or NULL.  One lxcf process works on one host
 * root, and a throw-away root (as in tests, or `dnf --installroot`) must
 * see and touch only the containers whose roots lie beneath it, even
 * though libvirt holds the domains of every root. */
static char *lxcf_virt_scope;

void lxcf_virt_set_scope(const char *root)
{
    free(lxcf_virt_scope);
    lxcf_virt_scope = root ? lxcf_xasprintf("%s/", root) : NULL;
}

static bool lxcf_virt_in_scope(const lxcf_container *c)
{
    return !lxcf_virt_scope || (c->root && lxcf_startswith(c->root, lxcf_virt_scope));
}

int lxcf_virt_describe(virDomainPtr dom, lxcf_container **info, lxcf_err *err)
{
    /* The name first: the call would clear the error of the one before. */
    const char *name = virDomainGetName(dom);
    _cleanup_free_ char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    int r;

    *info = NULL;
    if (!xml)
        return lxcf_virt_error(err, name, "reading the domain XML");
    r = lxcf_domxml_parse(xml, info, err);
    if (r < 0)
        lxcf_error_prefix(err, "%s: ", name);
    if (r == 1 && !lxcf_virt_in_scope(*info)) {
        lxcf_container_free(*info);
        *info = NULL;
        return 0;
    }
    return r;
}

int lxcf_virt_define(virConnectPtr conn, lxcf_container *c, virDomainPtr *dom, lxcf_err *err)
{
    _cleanup_free_ char *xml = NULL;
    _cleanup_domain_ virDomainPtr d = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (lxcf_domxml_build(c, &xml, err) < 0)
        return -1;
    d = virDomainDefineXML(conn, xml);
    if (!d)
        return lxcf_virt_error(err, c->name, "defining the domain");
    if (!c->uuid && virDomainGetUUIDString(d, uuid) == 0)
        c->uuid = lxcf_xstrdup(uuid);
    if (dom)
        *dom = lxcf_steal_ptr(d);
    return 0;
}

int lxcf_virt_set_lxcfs(virDomainPtr dom, const char *dir, lxcf_err *err)
{
    /* The name first: the call would clear the error of the one before. */
    const char *name = virDomainGetName(dom);
    _cleanup_free_ char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE |
                                                            VIR_DOMAIN_XML_SECURE);
    _cleanup_free_ char *fixed = NULL;
    _cleanup_domain_ virDomainPtr back = NULL;

    if (!xml)
        return lxcf_virt_error(err, name, "reading the domain definition");
    if (lxcf_domxml_set_lxcfs(xml, dir, &fixed, err) < 0)
        return -1;
    back = virDomainDefineXML(virDomainGetConnect(dom), fixed);
    if (!back)
        return lxcf_virt_error(err, name, "updating the lxcfs mounts");
    return 0;
}

int lxcf_virt_set_meta(virDomainPtr dom, const lxcf_container *c, lxcf_err *err)
{
    _cleanup_free_ char *meta = NULL;
    unsigned flags = VIR_DOMAIN_AFFECT_CONFIG;

    if (lxcf_domxml_meta_build(c, &meta, err) < 0)
        return -1;
    if (virDomainIsActive(dom) == 1)
        flags |= VIR_DOMAIN_AFFECT_LIVE;
    if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, meta, LXCF_XMLNS_PREFIX,
                             LXCF_XMLNS, flags) < 0)
        return lxcf_virt_error(err, c->name, "updating the lxcf metadata");
    return 0;
}

int lxcf_virt_lookup(virConnectPtr conn, const char *name, virDomainPtr *dom,
                     lxcf_container **info, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    int r;

    d = virDomainLookupByName(conn, name);
    if (!d && lxcf_uuid_like(name))
        d = virDomainLookupByUUIDString(conn, name);
    if (!d) {
        virErrorPtr e = virGetLastError();
        if (e && e->code != VIR_ERR_NO_DOMAIN)
            return lxcf_virt_error(err, name, "looking up the container");
        return lxcf_error(err, LXCF_EXIT_NOTFOUND, "%s: no such container", name);
    }
    r = lxcf_virt_describe(d, &c, err);
    if (r < 0)
        return -1;
    if (r == 0 && lxcf_virt_scope)
        return lxcf_error(err, LXCF_EXIT_NOTFOUND, "%s: no such container under %.*s", name,
                          (int)strlen(lxcf_virt_scope) - 1, lxcf_virt_scope);
    if (r == 0)
        return lxcf_error(err, LXCF_EXIT_NOTFOUND,
                          "%s: this libvirt domain is not an lxcf container", name);
    *dom = lxcf_steal_ptr(d);
    if (info)
        *info = lxcf_steal_ptr(c);
    return 0;
}

static int lxcf_virt_entry_cmp(const void *a, const void *b)
{
    const lxcf_virt_entry *x = a, *y = b;
    return strcmp(x->c->name, y->c->name);
}

/* The UUIDs of the domains libvirt lists with FLAGS, for a membership test
 * that costs one call for all of them. */
static char **lxcf_virt_uuids(virConnectPtr conn, unsigned flags)
{
    virDomainPtr *doms = NULL;
    char **v = lxcf_xcalloc(1, sizeof(char *));
    int n = virConnectListAllDomains(conn, &doms, flags);

    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        if (virDomainGetUUIDString(doms[i], uuid) == 0)
            lxcf_strv_push(&v, lxcf_xstrdup(uuid));
        virDomainFree(doms[i]);
    }
    free(doms);
    return v;
}

/* Metadata read before, by domain UUID ("" meta: the domain has no lxcf
 * element). */
typedef struct lxcf_virt_cache_entry {
    char uuid[VIR_UUID_STRING_BUFLEN];
    char *meta;
} lxcf_virt_cache_entry;

struct lxcf_virt_cache {
    lxcf_virt_cache_entry *e;
    size_t n;
};

void lxcf_virt_cache_free(lxcf_virt_cache *cache)
{
    for (size_t i = 0; cache && i < cache->n; i++)
        free(cache->e[i].meta);
    if (cache)
        free(cache->e);
    free(cache);
}

static lxcf_virt_cache_entry *lxcf_virt_cache_find(lxcf_virt_cache *cache, const char *uuid)
{
    for (size_t i = 0; cache && i < cache->n; i++)
        if (lxcf_streq(cache->e[i].uuid, uuid))
            return &cache->e[i];
    return NULL;
}

static void lxcf_virt_cache_put(lxcf_virt_cache **cache, const char *uuid, const char *meta)
{
    lxcf_virt_cache_entry *e;

    if (!*cache)
        *cache = lxcf_xcalloc(1, sizeof(**cache));
    e = lxcf_virt_cache_find(*cache, uuid);
    if (!e) {
        (*cache)->e = lxcf_xrealloc((*cache)->e, ((*cache)->n + 1) * sizeof(*e));
        e = &(*cache)->e[(*cache)->n++];
        snprintf(e->uuid, sizeof(e->uuid), "%s", uuid);
    } else {
        free(e->meta);
    }
    e->meta = lxcf_xstrdup(meta);
}

/* The lxcf metadata element of DOM (NULL: none, or it could not be read),
 * from *CACHE when REUSE and it holds DOM's, else from libvirt, kept in
 * *CACHE when CACHE.  Only a domain that has no element is remembered as
 * foreign: a failed call is not an answer. */
static char *lxcf_virt_meta(virDomainPtr dom, const char *uuid, lxcf_virt_cache **cache,
                            bool reuse)
{
    lxcf_virt_cache_entry *hit = reuse && cache ? lxcf_virt_cache_find(*cache, uuid) : NULL;
    char *meta;

    if (hit)
        return *hit->meta ? lxcf_xstrdup(hit->meta) : NULL;
    meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, LXCF_XMLNS,
                                VIR_DOMAIN_AFFECT_CONFIG);
    if (cache && *uuid && (meta || virGetLastErrorCode() == VIR_ERR_NO_DOMAIN_METADATA))
        lxcf_virt_cache_put(cache, uuid, meta ? meta : "");
    return meta;
}

/* The record from the lxcf metadata element alone: one small call where
 * the full description reads and parses the whole domain XML. */
static int lxcf_virt_describe_brief(virDomainPtr dom, lxcf_virt_cache **cache, bool reuse,
                                    lxcf_container **info)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    _cleanup_free_ char *meta = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;

    *info = NULL;
    (void)virDomainGetUUIDString(dom, uuid);
    meta = lxcf_virt_meta(dom, uuid, cache, reuse);
    /* No lxcf element: a foreign domain. */
    if (!meta)
        return 0;
    c = lxcf_container_new();
    c->name = lxcf_xstrdup(virDomainGetName(dom));
    if (*uuid)
        c->uuid = lxcf_xstrdup(uuid);
    if (lxcf_domxml_meta_parse(meta, c, NULL) < 0 || !lxcf_virt_in_scope(c))
        return 0;
    *info = lxcf_steal_ptr(c);
    return 1;
}

/* How much a list reads: the full XML of each domain, or its metadata
 * with the state and usage (list), or its metadata alone. */
typedef enum lxcf_virt_depth {
    LXCF_VIRT_FULL,
    LXCF_VIRT_BRIEF,
    LXCF_VIRT_META,
} lxcf_virt_depth;

static int lxcf_virt_list_domains(virConnectPtr conn, lxcf_virt_depth depth,
                                  lxcf_virt_cache **cache, bool reuse, lxcf_virt_list *out,
                                  lxcf_err *err)
{
    bool brief = depth != LXCF_VIRT_FULL;
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *cg = NULL;
    _cleanup_strv_ char **autostart = NULL, **paused = NULL, **transient = NULL;
    virDomainPtr *doms = NULL;
    int n;

    memset(out, 0, sizeof(*out));
    n = virConnectListAllDomains(conn, &doms, 0);
    if (n < 0)
        return lxcf_virt_error(err, "libvirt", "listing domains");
    if (depth == LXCF_VIRT_BRIEF) {
        /* A few calls for all domains instead of several per domain. */
        autostart = lxcf_virt_uuids(conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART);
        paused = lxcf_virt_uuids(conn, VIR_CONNECT_LIST_DOMAINS_PAUSED);
        transient = lxcf_virt_uuids(conn, VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
        if (lxcf_cgroup_layout_load(NULL, NULL, &cg, NULL) < 0)
            cg = NULL;
    }
    out->e = lxcf_xcalloc((size_t)n + 1, sizeof(*out->e));
    for (int i = 0; i < n; i++) {
        lxcf_container *c = NULL;
        lxcf_virt_entry *e = &out->e[out->n];
        virDomainInfo di;
        int state = 0, reason, autos = 0, r;

        /* A domain that vanished or is not ours is simply not listed. */
        r = brief ? lxcf_virt_describe_brief(doms[i], cache, reuse, &c)
                  : lxcf_virt_describe(doms[i], &c, NULL);
        if (r <= 0 || !c) {
            virDomainFree(doms[i]);
            continue;
        }
        e->c = c;
        e->id = (int)virDomainGetID(doms[i]);
        if (brief) {
            uint64_t bytes = 0;
            e->state = e->id > 0 ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_SHUTOFF;
            if (lxcf_strv_contains(paused, c->uuid))
                e->state = VIR_DOMAIN_PAUSED;
            e->autostart = lxcf_strv_contains(autostart, c->uuid);
            e->persistent = !lxcf_strv_contains(transient, c->uuid);
            if (e->id > 0 && cg && lxcf_cgroup_mem_usage(cg, NULL, e->id, &bytes, NULL) == 0)
                e->mem_used_kib = bytes / 1024;
        } else {
            if (virDomainGetState(doms[i], &state, &reason, 0) < 0)
                state = VIR_DOMAIN_NOSTATE;
            virDomainGetAutostart(doms[i], &autos);
            e->state = state;
            e->autostart = autos != 0;
            e->persistent = virDomainIsPersistent(doms[i]) == 1;
            if (state == VIR_DOMAIN_RUNNING && virDomainGetInfo(doms[i], &di) == 0)
                e->mem_used_kib = di.memory;
        }
        out->n++;
        virDomainFree(doms[i]);
    }
    free(doms);
    qsort(out->e, out->n, sizeof(*out->e), lxcf_virt_entry_cmp);
    return 0;
}

int lxcf_virt_list_all(virConnectPtr conn, lxcf_virt_list *out, lxcf_err *err)
{
    return lxcf_virt_list_domains(conn, LXCF_VIRT_FULL, NULL, false, out, err);
}

int lxcf_virt_list_brief(virConnectPtr conn, lxcf_virt_list *out, lxcf_err *err)
{
    return lxcf_virt_list_domains(conn, LXCF_VIRT_BRIEF, NULL, false, out, err);
}

int lxcf_virt_list_meta(virConnectPtr conn, lxcf_virt_cache **cache, lxcf_virt_list *out,
                        lxcf_err *err)
{
    return lxcf_virt_list_domains(conn, LXCF_VIRT_META, cache, false, out, err);
}

int lxcf_virt_list_meta_cached(virConnectPtr conn, lxcf_virt_cache **cache, lxcf_virt_list *out,
                               lxcf_err *err)
{
    return lxcf_virt_list_domains(conn, LXCF_VIRT_META, cache, true, out, err);
}

void lxcf_virt_list_clear(lxcf_virt_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        lxcf_container_free(l->e[i].c);
    free(l->e);
    memset(l, 0, sizeof(*l));
}

const char *lxcf_virt_state_name(int state)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "blocked";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "shutting-down";
    case VIR_DOMAIN_SHUTOFF: return "stopped";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "suspended";
    default: return "unknown";
    }
}

int lxcf_virt_init_pid(virDomainPtr dom, pid_t *pid, lxcf_err *err)
{
    _cleanup_free_ char *path = NULL, *buf = NULL;
    const char *end;
    uint64_t first;
    int id;

    *pid = 0;
    if (virDomainIsActive(dom) != 1)
        return 0;
    /* A running LXC domain's id is the libvirt_lxc controller's pid; the
     * guest's init is its only child. */
    id = (int)virDomainGetID(dom);
    if (id <= 0)
        return 0;
    path = lxcf_xasprintf("/proc/%d/task/%d/children", id, id);
    if (lxcf_read_file(path, &buf, NULL, err) < 0)
        return -1;
    /* The file holds "PID " for each child. */
    if (lxcf_scan_u64(buf, &first, &end) > 0 && (*end == ' ' || *end == '\n' || !*end) &&
        first <= INT32_MAX)
        *pid = (pid_t)first;
    if (*pid <= 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: the container's init process was not found",
                          virDomainGetName(dom));
    return 0;
}

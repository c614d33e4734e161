#include "virt.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <libvirt/virterror.h>

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

int lxcf_virt_error(lxcf_err *err, const char *object, const char *what)
{
    return lxcf_error(err, LXCF_EXIT_FAIL, "%s: %s failed: %s", object, what,
                      lxcf_virt_last_error());
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

void lxcf_virt_domain_freep(virDomainPtr *dom)
{
    if (*dom)
        virDomainFree(*dom);
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
    _cleanup_free_ char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    int r;

    *info = NULL;
    if (!xml)
        return lxcf_virt_error(err, virDomainGetName(dom), "reading the domain XML");
    r = lxcf_domxml_parse(xml, info, err);
    if (r < 0)
        lxcf_error_prefix(err, "%s: ", virDomainGetName(dom));
    if (r == 1 && !lxcf_virt_in_scope(*info)) {
        lxcf_container_free(*info);
        *info = NULL;
        return 0;
    }
    return r;
}

int lxcf_virt_lookup(virConnectPtr conn, const char *name, virDomainPtr *dom,
                     lxcf_container **info, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    _cleanup_(lxcf_container_freep) lxcf_container *c = NULL;
    int r;

    d = virDomainLookupByName(conn, name);
    if (!d && strlen(name) == VIR_UUID_STRING_BUFLEN - 1)
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

int lxcf_virt_list_all(virConnectPtr conn, lxcf_virt_list *out, lxcf_err *err)
{
    virDomainPtr *doms = NULL;
    int n;

    memset(out, 0, sizeof(*out));
    n = virConnectListAllDomains(conn, &doms, 0);
    if (n < 0)
        return lxcf_virt_error(err, "libvirt", "listing domains");
    out->e = lxcf_xcalloc((size_t)n, sizeof(*out->e));
    for (int i = 0; i < n; i++) {
        lxcf_container *c = NULL;
        lxcf_virt_entry *e = &out->e[out->n];
        virDomainInfo di;
        int state = 0, reason, autostart = 0;
        lxcf_err ignore = LXCF_ERR_INIT;

        /* A domain that vanished or is not ours is simply not listed. */
        if (lxcf_virt_describe(doms[i], &c, &ignore) <= 0 || !c) {
            virDomainFree(doms[i]);
            continue;
        }
        if (virDomainGetState(doms[i], &state, &reason, 0) < 0)
            state = VIR_DOMAIN_NOSTATE;
        virDomainGetAutostart(doms[i], &autostart);
        e->c = c;
        e->state = state;
        e->id = (int)virDomainGetID(doms[i]);
        e->autostart = autostart != 0;
        e->persistent = virDomainIsPersistent(doms[i]) == 1;
        if (state == VIR_DOMAIN_RUNNING && virDomainGetInfo(doms[i], &di) == 0)
            e->mem_used_kib = di.memory;
        out->n++;
        virDomainFree(doms[i]);
    }
    free(doms);
    qsort(out->e, out->n, sizeof(*out->e), lxcf_virt_entry_cmp);
    return 0;
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
    *pid = (pid_t)strtol(buf, NULL, 10);
    if (*pid <= 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: the container's init process was not found",
                          virDomainGetName(dom));
    return 0;
}

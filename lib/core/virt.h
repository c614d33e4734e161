/* The libvirt connection and lxcf's view of domains. */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "cleanup.h"
#include "domxml.h"
#include "err.h"

/* Open URI with libvirt's own error printing silenced (the command reports
 * each error once), and a message that says what to start when libvirtd
 * cannot be reached. */
int lxcf_virt_open(const char *uri, virConnectPtr *conn, lxcf_err *err);

/* The last libvirt error message of this thread, never NULL. */
const char *lxcf_virt_last_error(void);

/* Limit lookups and lists to containers whose root lies beneath ROOT (the
 * --root prefix; NULL: every lxcf container).  lxcf_ctx_connect sets it. */
void lxcf_virt_set_scope(const char *root);

/* Report a failed libvirt call: the message FMT gives, then libvirt's own.
 * Every libvirt call clears libvirt's last error, virDomainGetName() and
 * virNetworkGetName() too: take names for the message before the call that
 * failed, never in these arguments. */
int lxcf_virt_errorf(lxcf_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same as "OBJECT: WHAT failed" (e.g. "web1", "starting"). */
int lxcf_virt_error(lxcf_err *err, const char *object, const char *what);

LXCF_DEFINE_CLEANUP_FUNC(lxcf_virt_domain_freep, virDomainPtr, virDomainFree)
#define _cleanup_domain_ _cleanup_(lxcf_virt_domain_freep)

/* Find the lxcf container NAME (a name or a UUID).  A libvirt domain that
 * is not an lxcf container is reported as such, never acted upon. */
int lxcf_virt_lookup(virConnectPtr conn, const char *name, virDomainPtr *dom,
                     lxcf_container **info, lxcf_err *err);

/* The container facts of DOM (NULL in *info when DOM is not lxcf's). */
int lxcf_virt_describe(virDomainPtr dom, lxcf_container **info, lxcf_err *err);

/* Define C (lxcf_domxml_build).  The UUID libvirt chose is kept in C, so
 * that later steps find this very domain; *DOM (when DOM) is its handle,
 * which names it by that UUID too. */
int lxcf_virt_define(virConnectPtr conn, lxcf_container *c, virDomainPtr *dom, lxcf_err *err);

/* Replace DOM's lxcf metadata element with C's (virDomainSetMetadata), in
 * its persistent definition and, while it runs, its live one; the rest of
 * the domain stays as libvirt has it. */
int lxcf_virt_set_meta(virDomainPtr dom, const lxcf_container *c, lxcf_err *err);

/* Redefine DOM with the lxcfs mounts from DIR, or without any when DIR is
 * NULL (lxcf_domxml_set_lxcfs); libvirt has no call for mounts. */
int lxcf_virt_set_lxcfs(virDomainPtr dom, const char *dir, lxcf_err *err);

/* Domains' lxcf metadata as one process read it (lxcf_virt_list_meta). */
typedef struct lxcf_virt_cache lxcf_virt_cache;

typedef struct lxcf_virt_entry {
    lxcf_container *c;
    int state;          /* virDomainState */
    int id;             /* -1 when not running */
    bool autostart;
    bool persistent;
    unsigned long long mem_used_kib;  /* 0 when unknown */
} lxcf_virt_entry;

typedef struct lxcf_virt_list {
    lxcf_virt_entry *e;
    size_t n;
} lxcf_virt_list;

/* Every lxcf container known to libvirt, sorted by name. */
int lxcf_virt_list_all(virConnectPtr conn, lxcf_virt_list *out, lxcf_err *err);
/* The same from the lxcf metadata alone (model, address, root, state
 * mark), with the memory in use read from the cgroup files: what `list`
 * shows, at about the cost of `virsh list`.  The full record's devices
 * (root and /usr as libvirt mounts them, network, MAC) are not read. */
int lxcf_virt_list_brief(virConnectPtr conn, lxcf_virt_list *out, lxcf_err *err);
/* The metadata alone, for the address pick and the hosts blocks: the
 * running state as libvirt's list gives it (id > 0), no autostart, pause
 * or persistence (those are left false, persistent true) and no memory
 * in use: three calls and the cgroup reads fewer than list_brief.  Each
 * domain's metadata is read afresh, and kept in *CACHE (when CACHE;
 * created when *CACHE is NULL). */
int lxcf_virt_list_meta(virConnectPtr conn, lxcf_virt_cache **cache, lxcf_virt_list *out,
                        lxcf_err *err);
/* The same, reading only the metadata of domains *CACHE does not hold yet
 * (by UUID; the domains and their names are always libvirt's of now).
 * For facts that never change for a UUID, the address and the root (the
 * hosts blocks): the state mark may be an older one. */
int lxcf_virt_list_meta_cached(virConnectPtr conn, lxcf_virt_cache **cache, lxcf_virt_list *out,
                               lxcf_err *err);
void lxcf_virt_cache_free(lxcf_virt_cache *cache);
LXCF_DEFINE_CLEANUP_FUNC(lxcf_virt_cache_freep, lxcf_virt_cache *, lxcf_virt_cache_free)
void lxcf_virt_list_clear(lxcf_virt_list *l);

const char *lxcf_virt_state_name(int state);

/* PID of the running container's init as the host sees it (the libvirt_lxc
 * controller's child), or 0 when it is not running. */
int lxcf_virt_init_pid(virDomainPtr dom, pid_t *pid, lxcf_err *err);

/* The context of one lxcf invocation: host root prefix, configuration and
 * (lazily) the libvirt connection. */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "config.h"
#include "err.h"

typedef struct lxcf_ctx {
    char *root;          /* canonical --root prefix; NULL means the real "/" */
    lxcf_config cfg;
    char *uri;           /* effective libvirt URI (-c beats the config) */
    virConnectPtr conn;  /* NULL until lxcf_ctx_connect() */
    bool lxcfs_told;     /* "lxcfs is not running" was reported once already */
    /* A batch (sysgen-n, erase-n, -j): /etc/hosts is synced once, by
     * lxcf_container_hosts_flush, when the batch ends.  Written under the
     * container lock; read after the jobs are joined. */
    bool hosts_batch;
    bool hosts_dirty;
    /* The domains' metadata this process read (virt.h), so that a hosts
     * sync asks libvirt only about domains it has not seen.  Used under
     * the container lock only. */
    struct lxcf_virt_cache *meta_cache;
} lxcf_ctx;

/* ROOT: the --root option or NULL; CONFIG: --config or NULL for
 * ROOT/etc/lxcf/lxcf.conf (optional); URI: --connect or NULL. */
int lxcf_ctx_init(lxcf_ctx *ctx, const char *root, const char *config, const char *uri,
                  lxcf_err *err);
void lxcf_ctx_clear(lxcf_ctx *ctx);

/* A host path as lxcf must use it: beneath --root when one was given. */
char *lxcf_ctx_path(const lxcf_ctx *ctx, const char *host_path);

/* The directory holding every container root, and one container's root. */
char *lxcf_ctx_roots_dir(const lxcf_ctx *ctx);
char *lxcf_ctx_container_root(const lxcf_ctx *ctx, const char *name);

int lxcf_ctx_connect(lxcf_ctx *ctx, lxcf_err *err);

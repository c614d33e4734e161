#include "ctx.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "util.h"
#include "virt.h"
#include "xml.h"

int lxcf_ctx_init(lxcf_ctx *ctx, const char *root, const char *config, const char *uri,
                  lxcf_err *err)
{
    _cleanup_free_ char *cfgpath = NULL;

    memset(ctx, 0, sizeof(*ctx));
    /* Here, in the one thread a command has before its jobs start. */
    lxcf_xml_init();
    lxcf_config_defaults(&ctx->cfg);
    if (root && *root && !lxcf_streq(root, "/")) {
        char buf[PATH_MAX];
        struct stat st;

        /* Canonical, because the prefix ends up in domain XML that libvirt
         * resolves on its own, from another working directory. */
        if (!realpath(root, buf))
            return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "--root %s", root);
        if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
            return lxcf_error(err, LXCF_EXIT_USAGE, "--root %s: not a directory", root);
        if (!lxcf_streq(buf, "/"))
            ctx->root = lxcf_xstrdup(buf);
    }
    if (config) {
        if (lxcf_config_load(&ctx->cfg, config, true, err) < 0)
            return -1;
    } else {
        cfgpath = lxcf_ctx_path(ctx, LXCF_CONFIG_PATH);
        if (lxcf_config_load(&ctx->cfg, cfgpath, false, err) < 0)
            return -1;
    }
    ctx->uri = lxcf_xstrdup(uri ? uri : ctx->cfg.uri);
    return 0;
}

void lxcf_ctx_clear(lxcf_ctx *ctx)
{
    if (ctx->conn) {
        virConnectClose(ctx->conn);
        lxcf_virt_set_scope(NULL);
    }
    lxcf_virt_cache_free(ctx->meta_cache);
    free(ctx->root);
    free(ctx->uri);
    lxcf_config_clear(&ctx->cfg);
    memset(ctx, 0, sizeof(*ctx));
}

char *lxcf_ctx_path(const lxcf_ctx *ctx, const char *host_path)
{
    return lxcf_path_join(ctx->root, host_path);
}

char *lxcf_ctx_roots_dir(const lxcf_ctx *ctx)
{
    return lxcf_ctx_path(ctx, ctx->cfg.roots);
}

char *lxcf_ctx_container_root(const lxcf_ctx *ctx, const char *name)
{
    _cleanup_free_ char *dir = lxcf_ctx_roots_dir(ctx);
    return lxcf_path_join(dir, name);
}

int lxcf_ctx_connect(lxcf_ctx *ctx, lxcf_err *err)
{
    if (ctx->conn)
        return 0;
    lxcf_virt_set_scope(ctx->root);
    return lxcf_virt_open(ctx->uri, &ctx->conn, err);
}

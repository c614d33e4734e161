#include "deploy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy.h"
#include "fsutil.h"
#include "lock.h"
#include "util.h"
#include "virt.h"

/* PATH made absolute and clean; ".." is refused (the same path must name
 * the same place in every guest). */
static int lxcf_deploy_abs(const char *host_root, const char *path, char **out, lxcf_err *err)
{
    char cwd[PATH_MAX];
    _cleanup_free_ char *full = NULL;

    /* The current directory is the real host's, not a path of the tree
     * under --root. */
    if (path[0] != '/' && host_root)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: give an absolute path: with --root it names a path of the host "
                          "tree there", path);
    if (path[0] == '/')
        full = lxcf_xstrdup(path);
    else if (getcwd(cwd, sizeof(cwd)))
        full = lxcf_xasprintf("%s/%s", cwd, path);
    else
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot get the current directory");
    *out = lxcf_path_clean(full);
    if (!*out)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: '..' is not allowed in a deploy path", path);
    if (lxcf_streq(*out, "/")) {
        free(*out);
        *out = NULL;
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: cannot deploy /", path);
    }
    return 0;
}

/* Does the link at TOP/REL with TARGET resolve inside TOP (an absolute
 * guest path)?  Lexically, as the guest will resolve it; an absolute
 * target counts as it is. */
static bool lxcf_deploy_link_inside(const char *top, const char *rel, const char *target)
{
    _cleanup_free_ char *dir = lxcf_xstrdup(rel), *joined = NULL, *norm = NULL;
    char *slash = strrchr(dir, '/'), *save = NULL;
    size_t len = 0;

    if (slash)
        *slash = '\0';
    joined = target[0] == '/' ? lxcf_xstrdup(target)
                              : lxcf_xasprintf("%s/%s/%s", top, slash ? dir : "", target);
    norm = lxcf_xcalloc(strlen(joined) + 2, 1);
    for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (lxcf_streq(c, "."))
            continue;
        if (lxcf_streq(c, "..")) {
            while (len > 0 && norm[--len] != '/')
                ;
            norm[len] = '\0';
            continue;
        }
        len += (size_t)sprintf(norm + len, "/%s", c);
    }
    return lxcf_path_under(norm, top);
}

/* A walk of a host tree being deployed: TOP is its absolute path (as in
 * every guest), SRC where it lies on the host; REL is an entry's path
 * below TOP ("" for TOP itself). */
typedef struct lxcf_deploy_walk {
    const char *top;
    int rootfd;  /* the guest's root, when it is the guest being checked */
} lxcf_deploy_walk;

/* What a walk does at one entry ST: -1 on error, 0 to go no deeper, 1 to
 * walk the directory's entries. */
typedef int lxcf_deploy_visit_fn(const lxcf_deploy_walk *w, const char *src, const char *rel,
                                 const struct stat *st, lxcf_err *err);

/* TOP/REL as the admin named it, for messages. */
static char *lxcf_deploy_shown(const lxcf_deploy_walk *w, const char *rel)
{
    return *rel ? lxcf_xasprintf("%s/%s", w->top, rel) : lxcf_xstrdup(w->top);
}

static int lxcf_deploy_walk_at(const lxcf_deploy_walk *w, const char *src, const char *rel,
                               lxcf_deploy_visit_fn *visit, lxcf_err *err)
{
    _cleanup_free_ char *shown = lxcf_deploy_shown(w, rel);
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *de;
    struct stat st;
    int r;

    if (lstat(src, &st) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s", shown);
    r = visit(w, src, rel, &st, err);
    if (r <= 0)
        return r;
    d = opendir(src);
    if (!d)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s: cannot open", shown);
    while ((de = readdir(d))) {
        if (lxcf_streq(de->d_name, ".") || lxcf_streq(de->d_name, ".."))
            continue;
        _cleanup_free_ char *s = lxcf_xasprintf("%s/%s", src, de->d_name);
        _cleanup_free_ char *r2 = *rel ? lxcf_xasprintf("%s/%s", rel, de->d_name)
                                       : lxcf_xstrdup(de->d_name);
        if (lxcf_deploy_walk_at(w, s, r2, visit, err) < 0)
            return -1;
    }
    return 0;
}

/* The host's input: only files, directories and links that stay inside
 * the top. */
static int lxcf_deploy_check_entry(const lxcf_deploy_walk *w, const char *src, const char *rel,
                                   const struct stat *st, lxcf_err *err)
{
    _cleanup_free_ char *shown = NULL;

    if (S_ISREG(st->st_mode))
        return 0;
    if (S_ISDIR(st->st_mode))
        return 1;
    shown = lxcf_deploy_shown(w, rel);
    if (S_ISLNK(st->st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(src, target, sizeof(target) - 1);
        if (n < 0)
            return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s", shown);
        target[n] = '\0';
        /* The top itself may be a link: the admin named it. */
        if (*rel && !lxcf_deploy_link_inside(w->top, rel, target))
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "%s: a symlink to '%s', out of the directory being deployed", shown,
                              target);
        return 0;
    }
    return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not a file, directory or symlink", shown);
}

/* Where the copy goes in the guest: a symlink is refused.  Replacing it
 * would be safe (the copier replaces a link, never follows it), but a
 * guest that planted one is up to something the admin should see. */
static int lxcf_deploy_check_dest(const lxcf_deploy_walk *w, const char *src, const char *rel,
                                  const struct stat *st, lxcf_err *err)
{
    _cleanup_free_ char *grel = *rel ? lxcf_xasprintf("%s/%s", w->top + 1, rel)
                                     : lxcf_xstrdup(w->top + 1);
    struct stat gst;
    int r = lxcf_fs_stat_beneath(w->rootfd, grel, LXCF_FS_NOFOLLOW, &gst, err);

    (void)src;
    if (r <= 0)
        return r;  /* nothing there, nor below it */
    if (S_ISLNK(gst.st_mode))
        return lxcf_error(err, LXCF_EXIT_FAIL, "/%s is a symlink in the guest; not replaced", grel);
    return S_ISDIR(st->st_mode) && S_ISDIR(gst.st_mode);
}

/* HOST_ROOT/ABS into the guest at ROOTFD: its parents made (a symlink on
 * the way is an error), then the tree copied by the one copier (owner,
 * mode, times, xattrs, reflinked data), into the parent opened beneath
 * the root; an existing directory is merged into, a file or link replaced
 * atomically. */
static int lxcf_deploy_one(int rootfd, const char *host_root, const char *abs, lxcf_err *err)
{
    _cleanup_free_ char *parent = lxcf_xstrdup(abs), *src = lxcf_path_join(host_root, abs);
    _cleanup_free_ char *src_dir = NULL;
    _cleanup_close_ int pfd = -1;
    lxcf_deploy_walk w = { .top = abs, .rootfd = rootfd };
    lxcf_copy_opts opts = { .replace = true };
    char *slash = strrchr(parent, '/');

    *slash = '\0';
    if (*parent && lxcf_fs_mkdir_p_beneath(rootfd, parent + 1, 0755, err) < 0)
        return -1;
    if (lxcf_deploy_walk_at(&w, src, "", lxcf_deploy_check_dest, err) < 0)
        return -1;
    pfd = lxcf_fs_openat_beneath(rootfd, *parent ? parent + 1 : "", O_RDONLY | O_DIRECTORY, 0, err);
    if (pfd < 0)
        return -1;
    src_dir = lxcf_path_join(host_root, *parent ? parent : "/");
    return lxcf_fs_copy_entry(src_dir, slash + 1, pfd, &opts, NULL, err);
}

int lxcf_deploy_guest(const lxcf_update_guest *g, const char *host_root, char *const *abs,
                      lxcf_err *err)
{
    _cleanup_close_ int rootfd = lxcf_fs_open_root(g->root, err);

    if (rootfd < 0)
        return -1;
    for (char *const *p = abs; p && *p; p++)
        if (lxcf_deploy_one(rootfd, host_root, *p, err) < 0)
            return -1;
    return 0;
}

int lxcf_deploy_check(const char *host_root, char *const *paths, char ***abs, lxcf_err *err)
{
    _cleanup_strv_ char **out = NULL;
    size_t n = 0;

    for (char *const *p = paths; p && *p; p++)
        n++;
    out = lxcf_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        if (lxcf_deploy_abs(host_root, paths[i], &out[i], err) < 0)
            return -1;
        _cleanup_free_ char *src = lxcf_path_join(host_root, out[i]);
        lxcf_deploy_walk w = { .top = out[i], .rootfd = -1 };
        if (lxcf_deploy_walk_at(&w, src, "", lxcf_deploy_check_entry, err) < 0)
            return -1;
    }
    *abs = lxcf_steal_ptr(out);
    return 0;
}

int lxcf_deploy(lxcf_ctx *ctx, char *const *paths, char *const *only, const lxcf_report *rep,
                size_t *ndone, size_t *nfailed, lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = -1;
    _cleanup_(lxcf_update_plan_clear) lxcf_update_plan plan = { 0 };
    _cleanup_strv_ char **abs = NULL;
    _cleanup_free_ char *roots = NULL;
    lxcf_virt_list l = { 0 };
    int r;

    *ndone = *nfailed = 0;
    /* Everything that can be wrong with the input, before any guest. */
    if (lxcf_deploy_check(ctx->root, paths, &abs, err) < 0)
        return -1;
    if (lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    lock = lxcf_container_lock(ctx, err);
    if (lock < 0 || lxcf_virt_list_all(ctx->conn, &l, err) < 0)
        return -1;
    roots = lxcf_ctx_roots_dir(ctx);
    r = lxcf_update_plan_build(&l, roots, only, &plan, err);
    lxcf_virt_list_clear(&l);
    if (r < 0)
        return -1;
    for (size_t i = 0; i < plan.n; i++)
        for (char **a = abs; *a; a++)
            if (plan.g[i].model == LXCF_MODEL_JOINT && lxcf_path_under(*a, "/usr"))
                return lxcf_error(err, LXCF_EXIT_USAGE,
                                  "%s: is under /usr, which the joint guest %s shares read-only "
                                  "with the host", *a, plan.g[i].name);
    for (size_t i = 0; i < plan.n; i++) {
        lxcf_err e = LXCF_ERR_INIT;

        if (lxcf_deploy_guest(&plan.g[i], ctx->root, abs, &e) < 0) {
            (*nfailed)++;
            lxcf_report_msg(rep, plan.g[i].name, "FAILED: %s", e.msg);
            continue;
        }
        (*ndone)++;
        lxcf_report_msg(rep, plan.g[i].name, "deployed");
    }
    if (*nfailed)
        return lxcf_error(err, LXCF_EXIT_FAIL, "deploy: %zu of %zu guests failed", *nfailed, plan.n);
    return 0;
}

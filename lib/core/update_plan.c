#include "update_plan.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "container.h"
#include "util.h"

/* ---- the plan ---------------------------------------------------------- */

static bool lxcf_entry_named(const lxcf_container *c, const char *name)
{
    return lxcf_streq(c->name, name) || (c->uuid && strcasecmp(c->uuid, name) == 0);
}

static void lxcf_plan_add(lxcf_update_plan *plan, const lxcf_virt_entry *e)
{
    lxcf_update_guest *g;

    plan->g = lxcf_xrealloc(plan->g, (plan->n + 1) * sizeof(*plan->g));
    g = &plan->g[plan->n++];
    g->name = lxcf_xstrdup(e->c->name);
    g->root = lxcf_xstrdup(e->c->root ? e->c->root : "");
    g->model = e->c->model;
    g->running = e->id >= 0;
}

static bool lxcf_same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];

    if (lxcf_streq(a, b))
        return true;
    return realpath(a, ra) && realpath(b, rb) && lxcf_streq(ra, rb);
}

static bool lxcf_entry_ours(const lxcf_container *c, const char *roots_dir)
{
    _cleanup_free_ char *parent = NULL;
    char *slash;

    if (!c->root || c->root[0] != '/')
        return false;
    parent = lxcf_xstrdup(c->root);
    while ((slash = strrchr(parent, '/')) && slash[1] == '\0' && slash != parent)
        *slash = '\0';
    slash = strrchr(parent, '/');
    if (slash == parent)
        slash[1] = '\0';
    else
        *slash = '\0';
    return lxcf_same_dir(parent, roots_dir);
}

static int lxcf_only_check(const lxcf_virt_list *l, const char *roots_dir, char *const *only,
                           lxcf_err *err)
{
    for (char *const *o = only; o && *o; o++) {
        size_t i;

        for (i = 0; i < l->n && !(lxcf_entry_named(l->e[i].c, *o) &&
                                  lxcf_entry_ours(l->e[i].c, roots_dir)); i++)
            ;
        if (i == l->n)
            return lxcf_error(err, LXCF_EXIT_NOTFOUND, "%s: no such container", *o);
        if (l->e[i].c->state_note)
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is still %s; erase it or finish it first",
                              *o, l->e[i].c->state_note);
    }
    return 0;
}

int lxcf_update_plan_build(const lxcf_virt_list *l, const char *roots_dir, char *const *only,
                           lxcf_update_plan *plan, lxcf_err *err)
{
    memset(plan, 0, sizeof(*plan));
    if (lxcf_only_check(l, roots_dir, only, err) < 0)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        const lxcf_virt_entry *e = &l->e[i];
        bool wanted = !only || !*only;

        if (!lxcf_entry_ours(e->c, roots_dir))
            continue;
        for (char *const *o = only; o && *o && !wanted; o++)
            wanted = lxcf_entry_named(e->c, *o);
        if (!wanted)
            continue;
        if (e->c->state_note || !e->c->root) {
            lxcf_strv_push(&plan->skipped, lxcf_xstrdup(e->c->name));
            continue;
        }
        lxcf_plan_add(plan, e);
    }
    return 0;
}

static void lxcf_guest_clear(lxcf_update_guest *g)
{
    free(g->name);
    free(g->root);
}

void lxcf_update_plan_clear(lxcf_update_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++)
        lxcf_guest_clear(&plan->g[i]);
    free(plan->g);
    lxcf_strv_free(plan->skipped);
    memset(plan, 0, sizeof(*plan));
}

/* ---- the command and its host files ------------------------------------ */

/* A package name like "vim" or an option never names a file here; a path
 * ("./x.deb", "/tmp/x.rpm") or a file name with a dot ("x.deb") may. */
static bool lxcf_arg_is_host_file(const char *a)
{
    struct stat st;

    if (a[0] == '-' || (!strchr(a, '/') && !strchr(a, '.')))
        return false;
    return stat(a, &st) == 0 && S_ISREG(st.st_mode);
}

int lxcf_update_cmd_prepare(char *const *argv, lxcf_update_cmd *cmd, lxcf_err *err)
{
    memset(cmd, 0, sizeof(*cmd));
    if (!argv || !argv[0] || !*argv[0])
        return lxcf_error(err, LXCF_EXIT_USAGE, "update: no command given");
    cmd->argv = lxcf_xcalloc(1, sizeof(char *));
    cmd->chroot_argv = lxcf_xcalloc(1, sizeof(char *));
    for (size_t i = 0; argv[i]; i++) {
        char real[PATH_MAX];

        lxcf_strv_push(&cmd->argv, lxcf_xstrdup(argv[i]));
        /* argv[0] is the program: the guest's own, found by PATH. */
        if (i == 0 || !lxcf_arg_is_host_file(argv[i])) {
            lxcf_strv_push(&cmd->chroot_argv, lxcf_xstrdup(argv[i]));
            continue;
        }
        if (!realpath(argv[i], real)) {
            int e = errno;
            lxcf_update_cmd_clear(cmd);
            return lxcf_error_errno(err, LXCF_EXIT_USAGE, e, "%s: cannot resolve", argv[i]);
        }
        const char *base = strrchr(real, '/') + 1;
        char *dest = lxcf_xasprintf(LXCF_UPDATE_FILES_DIR "/%zu/%s", lxcf_strv_len(cmd->files), base);
        lxcf_strv_push(&cmd->files, lxcf_xstrdup(real));
        lxcf_strv_push(&cmd->dests, lxcf_xstrdup(dest));
        lxcf_strv_push(&cmd->chroot_argv, dest);
    }
    return 0;
}

void lxcf_update_cmd_clear(lxcf_update_cmd *cmd)
{
    lxcf_strv_free(cmd->argv);
    lxcf_strv_free(cmd->chroot_argv);
    lxcf_strv_free(cmd->files);
    lxcf_strv_free(cmd->dests);
    memset(cmd, 0, sizeof(*cmd));
}

#include "cgroup_proc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_file.h"
#include "cleanup.h"
#include "util.h"

/* ---- membership -------------------------------------------------------- */

/* The directory of cgroup REL of hierarchy H, or NULL when the mount does
 * not show it (the mount exposes only the subtree at mount_root). */
static char *lxcf_cg_dir(const lxcf_cgroup_hier *h, const char *rel)
{
    size_t n = strlen(h->mount_root);

    if (lxcf_streq(h->mount_root, "/"))
        return lxcf_path_join(h->mount, rel);
    if (strncmp(rel, h->mount_root, n) != 0 || (rel[n] != '/' && rel[n] != '\0'))
        return NULL;
    return lxcf_path_join(h->mount, rel[n] ? rel + n : "/");
}

static int lxcf_cg_find_hier(const lxcf_cgroup_layout *l, int id, const char *ctrls)
{
    if (id == 0 && !*ctrls)
        return l->unified;
    _cleanup_strv_ char **names = lxcf_cg_split(ctrls, ",");
    for (size_t i = 0; i < l->nhier; i++) {
        if (l->hier[i].version != 1)
            continue;
        for (char **n = names; *n; n++)
            if (lxcf_strv_contains(l->hier[i].names, *n))
                return (int)i;
    }
    return -1;
}

static void lxcf_cg_membership_free(const lxcf_cgroup_layout *l, char **paths)
{
    for (size_t i = 0; paths && i < l->nhier; i++)
        free(paths[i]);
    free(paths);
}

/* PROC_ROOT/proc/WHO/cgroup as one cgroup path per hierarchy of L
 * (NULL where the process's group is not listed). */
static int lxcf_cg_read_membership(const lxcf_cgroup_layout *l, const char *proc_root,
                                   const char *who, char ***out, lxcf_err *err)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("/proc/%s/cgroup", who);
    _cleanup_free_ char *path = lxcf_path_join(proc_root, rel);
    _cleanup_free_ char *buf = NULL;
    char **paths, *save = NULL;

    if (lxcf_read_file(path, &buf, NULL, err) < 0)
        return -1;
    paths = lxcf_xcalloc(l->nhier + 1, sizeof(char *));
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        uint64_t id;
        int h;

        if (!c2 || c2[1] != '/') {
            lxcf_cg_membership_free(l, paths);
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: malformed line '%s'", path, line);
        }
        *c1 = *c2 = '\0';
        h = lxcf_parse_u64(line, LXCF_NUM_DATA, 0, INT32_MAX, path, &id, NULL) < 0
                ? -1
                : lxcf_cg_find_hier(l, (int)id, c1 + 1);
        if (h >= 0 && !paths[h])
            paths[h] = lxcf_xstrdup(c2 + 1);
    }
    /* The array has holes: free it element by element, not as a strv. */
    *out = paths;
    return 0;
}

static int lxcf_cg_of(const lxcf_cgroup_layout *l, const char *proc_root, const char *who,
                      lxcf_cgroup_paths *out, lxcf_err *err)
{
    char **rels = NULL;

    memset(out, 0, sizeof(*out));
    if (lxcf_cg_read_membership(l, proc_root, who, &rels, err) < 0)
        return -1;
    for (int c = 0; c < LXCF_CG_NCTRL; c++) {
        int h = l->ctrl[c];
        if (h < 0 || !rels[h])
            continue;
        out->dir[c] = lxcf_cg_dir(&l->hier[h], rels[h]);
        if (!out->dir[c])
            continue;
        out->rel[c] = lxcf_xstrdup(rels[h]);
        out->version[c] = l->hier[h].version;
    }
    lxcf_cg_membership_free(l, rels);
    return 0;
}

int lxcf_cgroup_of_pid(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                       lxcf_cgroup_paths *out, lxcf_err *err)
{
    char who[32];

    snprintf(who, sizeof(who), "%d", (int)pid);
    return lxcf_cg_of(l, proc_root, who, out, err);
}

char *lxcf_cgroup_machine_group(pid_t pid, const char *name)
{
    /* libvirt's virDomainMachineNameAppendValid: hostname characters only,
     * no repeated or leading '-'/'.', at most 64 characters, no trailing
     * '-'/'.'. */
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "lxc-%d-", (int)pid);
    bool skip = true;

    for (const char *s = name; *s && n < 64; s++) {
        if (*s == '.' || *s == '-') {
            if (!skip) {
                buf[n++] = *s;
                skip = true;
            }
            continue;
        }
        if (!strchr(ok, *s))
            continue;
        buf[n++] = *s;
        skip = false;
    }
    while (n > 0 && (buf[n - 1] == '-' || buf[n - 1] == '.'))
        n--;
    buf[n] = '\0';
    return lxcf_xasprintf("machine/%s.libvirt-lxc", buf);
}
/* ---- confinement ------------------------------------------------------- */

/* A fresh v1 cpuset group has empty cpus/mems and refuses tasks: give it
 * its parent's, as libvirt does. */
static int lxcf_cg_cpuset_inherit(const char *parent, const char *dir, lxcf_err *err)
{
    static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

    for (int i = 0; i < 2; i++) {
        _cleanup_free_ char *cur = NULL, *up = NULL, *path = NULL;

        if (lxcf_cg_exists(dir, files[i]) && lxcf_cg_read(dir, files[i], &cur, err) < 0)
            return -1;
        if (cur && *cur)
            continue;
        if (lxcf_cg_read(parent, files[i], &up, err) < 0)
            return -1;
        path = lxcf_path_join(dir, files[i]);
        if (lxcf_cg_write_path(path, up, true, err) < 0)
            return -1;
    }
    return 0;
}

static int lxcf_cg_place_one(const lxcf_cgroup_hier *h, const char *group_rel, lxcf_err *err)
{
    _cleanup_free_ char *dir = lxcf_xstrdup(h->mount), *procs = NULL, *pid = NULL;
    _cleanup_strv_ char **parts = lxcf_cg_split(group_rel, "/");
    bool cpuset = h->version == 1 && lxcf_strv_contains(h->names, "cpuset");

    for (char **c = parts; *c; c++) {
        _cleanup_free_ char *parent = lxcf_steal_ptr(dir);

        dir = lxcf_path_join(parent, *c);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create %s", dir);
        if (cpuset && lxcf_cg_cpuset_inherit(parent, dir, err) < 0)
            return -1;
    }
    procs = lxcf_path_join(dir, "cgroup.procs");
    pid = lxcf_xasprintf("%d\n", (int)getpid());
    return lxcf_cg_write_path(procs, pid, true, err);
}

/* GROUP_REL is joined under every mount point: it must stay below it. */
static int lxcf_cg_check_rel(const char *group_rel, lxcf_err *err)
{
    _cleanup_strv_ char **parts = NULL;

    if (!group_rel || !*group_rel || group_rel[0] == '/')
        return lxcf_error(err, LXCF_EXIT_FAIL, "'%s': invalid cgroup name",
                          group_rel ? group_rel : "");
    parts = lxcf_cg_split(group_rel, "/");
    for (char **c = parts; *c; c++)
        if (lxcf_streq(*c, "..") || lxcf_streq(*c, "."))
            return lxcf_error(err, LXCF_EXIT_FAIL, "'%s': invalid cgroup name", group_rel);
    return 0;
}

int lxcf_cgroup_place_self(const lxcf_cgroup_layout *l, const char *proc_root,
                           const char *group_rel, lxcf_err *err)
{
    char **rels = NULL;
    int r = 0;

    if (lxcf_cg_check_rel(group_rel, err) < 0)
        return -1;
    if (lxcf_cg_read_membership(l, proc_root, "self", &rels, err) < 0)
        return -1;
    for (size_t i = 0; i < l->nhier; i++) {
        const lxcf_cgroup_hier *h = &l->hier[i];
        bool always = h->version == 1 && (lxcf_strv_contains(h->names, "name=systemd") ||
                                          lxcf_strv_contains(h->names, "pids"));

        if (!rels[i] || !(always || lxcf_streq(rels[i], "/")))
            continue;
        /* systemd-machined registered the container: its scope is the
         * container's group already, and leaving it would undo that. */
        if (lxcf_startswith(rels[i], "/machine.slice/"))
            continue;
        /* Keep going: every hierarchy we confine is one less for the guest's
         * systemd to escape through. */
        if (lxcf_cg_place_one(h, group_rel, err) < 0)
            r = -1;
    }
    lxcf_cg_membership_free(l, rels);
    return r;
}

int lxcf_cgroup_join(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                     lxcf_err *err)
{
    _cleanup_free_ char *who = lxcf_xasprintf("%d", (int)pid);
    _cleanup_free_ char *self = lxcf_xasprintf("%d\n", (int)getpid());
    char **rels = NULL;
    int r = 0;

    if (lxcf_cg_read_membership(l, proc_root, who, &rels, err) < 0)
        return -1;
    for (size_t i = 0; i < l->nhier && r == 0; i++) {
        _cleanup_free_ char *dir = rels[i] ? lxcf_cg_dir(&l->hier[i], rels[i]) : NULL;
        _cleanup_free_ char *procs = dir ? lxcf_path_join(dir, "cgroup.procs") : NULL;

        if (procs && lxcf_cg_write_path(procs, self, false, err) < 0)
            r = -1;
    }
    lxcf_cg_membership_free(l, rels);
    return r;
}

int lxcf_cgroup_confined(const lxcf_cgroup_layout *l, const char *proc_root,
                         pid_t guest_init, const lxcf_cgroup_paths *container,
                         bool *confined, char **why, lxcf_err *err)
{
    /* The hierarchies the guest's systemd escapes through come first. */
    static const lxcf_cgroup_ctrl order[] = {
        LXCF_CG_MEMORY, LXCF_CG_DEVICES, LXCF_CG_PIDS, LXCF_CG_SYSTEMD, LXCF_CG_CPU,
        LXCF_CG_CPUACCT, LXCF_CG_CPUSET, LXCF_CG_IO, LXCF_CG_FREEZER,
    };
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths g = { 0 };

    *confined = false;
    *why = NULL;
    if (lxcf_cgroup_of_pid(l, proc_root, guest_init, &g, err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        lxcf_cgroup_ctrl c = order[i];
        const char *top = container->rel[c];

        if (!top)
            continue;
        if (lxcf_streq(top, "/")) {
            *why = lxcf_xasprintf("%s: the container's group is the hierarchy root",
                                  lxcf_cgroup_ctrl_name(c));
            return 0;
        }
        if (!g.rel[c] || !lxcf_path_under(g.rel[c], top)) {
            *why = lxcf_xasprintf("%s: guest init (pid %d) is in %s, outside %s",
                                  lxcf_cgroup_ctrl_name(c), (int)guest_init,
                                  g.rel[c] ? g.rel[c] : "an unknown group", top);
            return 0;
        }
    }
    *confined = true;
    return 0;
}

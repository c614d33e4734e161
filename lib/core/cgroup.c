#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_file.h"
#include "util.h"

static const char *const lxcf_cg_names[LXCF_CG_NCTRL] = {
    [LXCF_CG_CPU] = "cpu",
    [LXCF_CG_CPUACCT] = "cpuacct",
    [LXCF_CG_CPUSET] = "cpuset",
    [LXCF_CG_MEMORY] = "memory",
    [LXCF_CG_IO] = "blkio",
    [LXCF_CG_PIDS] = "pids",
    [LXCF_CG_DEVICES] = "devices",
    [LXCF_CG_FREEZER] = "freezer",
    [LXCF_CG_SYSTEMD] = "name=systemd",
};

const char *lxcf_cgroup_ctrl_name(lxcf_cgroup_ctrl c)
{
    return (unsigned)c < LXCF_CG_NCTRL ? lxcf_cg_names[c] : "?";
}

/* ---- layout ------------------------------------------------------------ */

void lxcf_cgroup_layout_free(lxcf_cgroup_layout *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nhier; i++) {
        free(l->hier[i].mount);
        free(l->hier[i].mount_root);
        lxcf_strv_free(l->hier[i].names);
    }
    free(l->hier);
    free(l);
}

int lxcf_cgroup_version(const lxcf_cgroup_layout *l, lxcf_cgroup_ctrl c)
{
    return l->ctrl[c] < 0 ? 0 : l->hier[l->ctrl[c]].version;
}

/* mountinfo escapes blanks and backslashes as \ooo. */
static void lxcf_cg_unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}
/* v1 super options mix controllers with mount options: keep what names a
 * controller or a named hierarchy. */
static char **lxcf_cg_v1_names(const char *superopts)
{
    static const char *const not_names[] = {
        "rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", NULL,
    };
    _cleanup_strv_ char **opts = lxcf_cg_split(superopts, ",");
    char **v = lxcf_xcalloc(1, sizeof(char *));

    for (char **o = opts; *o; o++) {
        if (lxcf_strv_contains((char *const *)not_names, *o) ||
            lxcf_startswith(*o, "release_agent="))
            continue;
        lxcf_strv_push(&v, lxcf_xstrdup(*o));
    }
    return v;
}

static char **lxcf_cg_v2_names(const char *mount)
{
    _cleanup_free_ char *path = lxcf_path_join(mount, "cgroup.controllers");
    _cleanup_free_ char *buf = NULL;

    /* An unreadable list means no usable controllers, as an empty one. */
    if (lxcf_read_file(path, &buf, NULL, NULL) < 0)
        return lxcf_xcalloc(1, sizeof(char *));
    return lxcf_cg_split(buf, " \t\n");
}

static void lxcf_cg_add_hier(lxcf_cgroup_layout *l, int version, const char *root,
                             const char *mnt, const char *mnt_root, const char *superopts)
{
    lxcf_cgroup_hier *h;

    l->hier = lxcf_xrealloc(l->hier, (l->nhier + 1) * sizeof(*l->hier));
    h = &l->hier[l->nhier];
    h->version = version;
    h->mount = lxcf_path_join(root, mnt);
    h->mount_root = lxcf_xstrdup(mnt_root);
    h->names = version == 1 ? lxcf_cg_v1_names(superopts) : lxcf_cg_v2_names(h->mount);
    l->nhier++;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNT OPTS [TAGS...] - TYPE SRC SUPER".
 * Returns the hierarchy's version, 0 if the line is no cgroup mount. */
static int lxcf_cg_mountinfo_line(char *line, char **dev, char **root, char **mnt,
                                  char **superopts)
{
    char *f[6], *save = NULL, *t, *type;
    int i;

    for (i = 0; i < 6 && (t = strtok_r(i ? NULL : line, " \n", &save)); i++)
        f[i] = t;
    if (i < 6)
        return 0;
    while ((t = strtok_r(NULL, " \n", &save)) && !lxcf_streq(t, "-"))
        ;
    if (!t || !(type = strtok_r(NULL, " \n", &save)) || !strtok_r(NULL, " \n", &save))
        return 0;
    *superopts = strtok_r(NULL, " \n", &save);
    if (!*superopts)
        *superopts = "";
    *dev = f[2];
    *root = f[3];
    *mnt = f[4];
    lxcf_cg_unescape(*root);
    lxcf_cg_unescape(*mnt);
    if (lxcf_streq(type, "cgroup"))
        return 1;
    if (lxcf_streq(type, "cgroup2"))
        return 2;
    return 0;
}

static void lxcf_cg_map_controllers(lxcf_cgroup_layout *l)
{
    static const char *const v2_ctrl[] = {
        [LXCF_CG_CPU] = "cpu", [LXCF_CG_CPUSET] = "cpuset", [LXCF_CG_MEMORY] = "memory",
        [LXCF_CG_IO] = "io", [LXCF_CG_PIDS] = "pids",
    };

    for (int c = 0; c < LXCF_CG_NCTRL; c++)
        l->ctrl[c] = -1;
    /* A controller bound to a v1 hierarchy cannot be active in v2, so v1
     * wins whatever a (fake) cgroup.controllers says. */
    for (size_t i = 0; i < l->nhier; i++) {
        if (l->hier[i].version != 1)
            continue;
        for (int c = 0; c < LXCF_CG_NCTRL; c++)
            if (l->ctrl[c] < 0 && lxcf_strv_contains(l->hier[i].names, lxcf_cg_names[c]))
                l->ctrl[c] = (int)i;
    }
    if (l->unified < 0)
        return;
    char **v2 = l->hier[l->unified].names;
    for (size_t c = 0; c < sizeof(v2_ctrl) / sizeof(v2_ctrl[0]); c++)
        if (v2_ctrl[c] && l->ctrl[c] < 0 && lxcf_strv_contains(v2, v2_ctrl[c]))
            l->ctrl[c] = l->unified;
    /* cpu.stat (usage) exists in every v2 group of a tree in use. */
    if (l->ctrl[LXCF_CG_CPUACCT] < 0 && v2[0])
        l->ctrl[LXCF_CG_CPUACCT] = l->unified;
    if (l->ctrl[LXCF_CG_SYSTEMD] < 0)
        l->ctrl[LXCF_CG_SYSTEMD] = l->unified;
}

int lxcf_cgroup_layout_load(const char *mountinfo, const char *root,
                            lxcf_cgroup_layout **out, lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;
    _cleanup_fclose_ FILE *f = NULL;
    _cleanup_free_ char *line = NULL;
    _cleanup_strv_ char **devs = lxcf_xcalloc(1, sizeof(char *));
    size_t cap = 0;

    if (!mountinfo)
        mountinfo = "/proc/self/mountinfo";
    f = fopen(mountinfo, "re");
    if (!f)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot open %s", mountinfo);
    l = lxcf_xcalloc(1, sizeof(*l));
    l->unified = -1;
    while (getline(&line, &cap, f) > 0) {
        char *dev, *mroot, *mnt, *superopts;
        int version = lxcf_cg_mountinfo_line(line, &dev, &mroot, &mnt, &superopts);

        /* The same hierarchy mounted twice (bind mounts) keeps its first
         * mount point. */
        if (!version || lxcf_strv_contains(devs, dev))
            continue;
        lxcf_strv_push(&devs, lxcf_xstrdup(dev));
        if (version == 2) {
            if (l->unified >= 0)
                continue;
            l->unified = (int)l->nhier;
        }
        lxcf_cg_add_hier(l, version, root, mnt, mroot, superopts);
    }
    if (ferror(f))
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot read %s", mountinfo);
    if (l->nhier == 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: no cgroup file system is mounted",
                          mountinfo);
    lxcf_cg_map_controllers(l);
    *out = lxcf_steal_ptr(l);
    return 0;
}

/* ---- paths ------------------------------------------------------------- */

void lxcf_cgroup_paths_clear(lxcf_cgroup_paths *p)
{
    for (int c = 0; c < LXCF_CG_NCTRL; c++) {
        free(p->rel[c]);
        free(p->dir[c]);
        p->rel[c] = p->dir[c] = NULL;
        p->version[c] = 0;
    }
}

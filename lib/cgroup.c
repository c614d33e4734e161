#include "cgroup.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

/* v1 memory limits read back as PAGE_COUNTER_MAX * PAGE_SIZE (just under
 * 2^63, depending on the page size) when unset: anything this large is no
 * limit. */
#define LXCF_CG_V1_UNLIMITED_MIN (UINT64_C(1) << 62)

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

const char *lxcf_cgroup_mount(const lxcf_cgroup_layout *l, lxcf_cgroup_ctrl c)
{
    return l->ctrl[c] < 0 ? NULL : l->hier[l->ctrl[c]].mount;
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

static char **lxcf_cg_split(const char *s, const char *sep)
{
    _cleanup_free_ char *copy = lxcf_xstrdup(s);
    char **v = lxcf_xcalloc(1, sizeof(char *));
    char *save = NULL;

    for (char *t = strtok_r(copy, sep, &save); t; t = strtok_r(NULL, sep, &save))
        lxcf_strv_push(&v, lxcf_xstrdup(t));
    return v;
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
    lxcf_err ignored = LXCF_ERR_INIT;

    /* An unreadable list means no usable controllers, as an empty one. */
    if (lxcf_read_file(path, &buf, NULL, &ignored) < 0)
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
        int h;

        if (!c2 || c2[1] != '/') {
            lxcf_cg_membership_free(l, paths);
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: malformed line '%s'", path, line);
        }
        *c1 = *c2 = '\0';
        h = lxcf_cg_find_hier(l, atoi(line), c1 + 1);
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

/* ---- cpu rate ---------------------------------------------------------- */

int lxcf_cgroup_cpu_quota(unsigned pct, unsigned ncpus, uint64_t period_us,
                          uint64_t *quota_us, lxcf_err *err)
{
    uint64_t q;

    if (pct < 1 || pct > 100)
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpu rate %u%%: must be 1..100", pct);
    if (ncpus < 1 || ncpus > LXCF_BITMAP_BITS)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%u: invalid number of cpus", ncpus);
    if (period_us < 1000 || period_us > 1000000)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "cpu period %" PRIu64 "us: must be 1000..1000000", period_us);
    q = period_us * ncpus * pct / 100;
    *quota_us = q < 1000 ? 1000 : q;
    return 0;
}

unsigned lxcf_cgroup_cpu_percent(uint64_t quota_us, uint64_t period_us, unsigned ncpus)
{
    uint64_t whole;

    if (quota_us == LXCF_CG_UNLIMITED || period_us == 0 || ncpus == 0)
        return 100;
    whole = period_us * ncpus;
    if (quota_us >= whole)
        return 100;
    return (unsigned)((quota_us * 100 + whole / 2) / whole);
}

/* ---- file access ------------------------------------------------------- */

static int lxcf_cg_read(const char *dir, const char *file, char **out, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, file);
    size_t len;

    if (lxcf_read_file(path, out, &len, err) < 0)
        return -1;
    while (len && isspace((unsigned char)(*out)[len - 1]))
        (*out)[--len] = '\0';
    return 0;
}

static bool lxcf_cg_exists(const char *dir, const char *file)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, file);
    return access(path, F_OK) == 0;
}

/* A limit value: "max" (v2) / "-1" (v1) or a decimal number. */
static int lxcf_cg_parse_value(const char *path, const char *s, uint64_t *v, lxcf_err *err)
{
    char *end;

    if (lxcf_streq(s, "max") || lxcf_streq(s, "-1")) {
        *v = LXCF_CG_UNLIMITED;
        return 0;
    }
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (!isdigit((unsigned char)*s) || errno || (*end && !isspace((unsigned char)*end)))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unexpected value '%s'", path, s);
    *v = n;
    return 0;
}

static int lxcf_cg_read_value(const char *dir, const char *file, uint64_t *v, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL, *path = NULL;

    if (lxcf_cg_read(dir, file, &buf, err) < 0)
        return -1;
    path = lxcf_path_join(dir, file);
    return lxcf_cg_parse_value(path, buf, v, err);
}

static int lxcf_cg_read_limit(const char *dir, const char *file, uint64_t *v, lxcf_err *err)
{
    if (lxcf_cg_read_value(dir, file, v, err) < 0)
        return -1;
    if (*v >= LXCF_CG_V1_UNLIMITED_MIN)
        *v = LXCF_CG_UNLIMITED;
    return 0;
}

static lxcf_cgroup_write_hook lxcf_cg_hook;
static void *lxcf_cg_hook_data;

void lxcf_cgroup_set_write_hook(lxcf_cgroup_write_hook fn, void *data)
{
    lxcf_cg_hook = fn;
    lxcf_cg_hook_data = data;
}

/* cgroupfs takes one value per write(2).  CREATE is for cgroup.procs of a
 * group we just made: kernfs ignores O_CREAT on its existing files, and it
 * lets the fake trees of the tests behave like the kernel. */
static int lxcf_cg_write_path(const char *path, const char *value, bool create, lxcf_err *err)
{
    _cleanup_close_ int fd = -1;
    size_t len = strlen(value);
    ssize_t w;
    int e;

    if (lxcf_cg_hook && (e = lxcf_cg_hook(path, value, lxcf_cg_hook_data)) != 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, e, "cannot write '%s' to %s", value, path);
    fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0644);
    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot open %s", path);
    w = write(fd, value, len);
    if (w < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot write '%s' to %s",
                                value, path);
    if ((size_t)w != len)
        return lxcf_error(err, LXCF_EXIT_FAIL, "short write of '%s' to %s", value, path);
    return 0;
}

/* ---- set --------------------------------------------------------------- */

/* The writes of one limit, checked in full before the first one. */
#define LXCF_CG_PLAN_MAX 4
typedef struct lxcf_cg_plan {
    size_t n;
    char *path[LXCF_CG_PLAN_MAX];
    char *value[LXCF_CG_PLAN_MAX];
} lxcf_cg_plan;

static void lxcf_cg_plan_clear(lxcf_cg_plan *pl)
{
    for (size_t i = 0; i < pl->n; i++) {
        free(pl->path[i]);
        free(pl->value[i]);
    }
    pl->n = 0;
}

static void lxcf_cg_plan_add(lxcf_cg_plan *pl, const char *dir, const char *file, char *value)
{
    pl->path[pl->n] = lxcf_path_join(dir, file);
    pl->value[pl->n] = value;
    pl->n++;
}

static int lxcf_cg_plan_run(const lxcf_cg_plan *pl, lxcf_err *err)
{
    for (size_t i = 0; i < pl->n; i++)
        if (access(pl->path[i], W_OK) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot write %s",
                                    pl->path[i]);
    for (size_t i = 0; i < pl->n; i++)
        if (lxcf_cg_write_path(pl->path[i], pl->value[i], false, err) < 0)
            return -1;
    return 0;
}

static char *lxcf_cg_fmt(uint64_t v, int version)
{
    if (v == LXCF_CG_UNLIMITED)
        return lxcf_xstrdup(version == 2 ? "max" : "-1");
    return lxcf_xasprintf("%" PRIu64, v);
}

static const char *lxcf_cg_need(const lxcf_cgroup_paths *p, lxcf_cgroup_ctrl c, lxcf_err *err)
{
    if (!p->dir[c])
        lxcf_error(err, LXCF_EXIT_FAIL, "the %s controller is not available for this cgroup",
                   lxcf_cg_names[c]);
    return p->dir[c];
}

static int lxcf_cg_plan_cpu(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim,
                            lxcf_cg_plan *pl, lxcf_err *err)
{
    const char *dir = lxcf_cg_need(p, LXCF_CG_CPU, err);
    uint64_t q = lim->cpu.quota_us, per = lim->cpu.period_us;

    if (!dir)
        return -1;
    if (per < 1000 || per > 1000000)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "cpu period %" PRIu64 "us: must be 1000..1000000", per);
    if (q != LXCF_CG_UNLIMITED && (q < 1000 || q > INT64_MAX / 2))
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpu quota %" PRIu64 "us: out of range", q);
    if (p->version[LXCF_CG_CPU] == 2) {
        lxcf_cg_plan_add(pl, dir, "cpu.max",
                         q == LXCF_CG_UNLIMITED ? lxcf_xasprintf("max %" PRIu64, per)
                                                : lxcf_xasprintf("%" PRIu64 " %" PRIu64, q, per));
        return 0;
    }
    lxcf_cg_plan_add(pl, dir, "cpu.cfs_period_us", lxcf_xasprintf("%" PRIu64, per));
    lxcf_cg_plan_add(pl, dir, "cpu.cfs_quota_us", lxcf_cg_fmt(q, 1));
    return 0;
}

static int lxcf_cg_plan_cpuset(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim,
                               lxcf_cg_plan *pl, lxcf_err *err)
{
    const char *dir = lxcf_cg_need(p, LXCF_CG_CPUSET, err);

    if (!dir)
        return -1;
    if (!lim->cpuset.set_cpus && !lim->cpuset.set_mems)
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpuset: nothing to set");
    if ((lim->cpuset.set_cpus && lxcf_bitmap_count(&lim->cpuset.cpus) == 0) ||
        (lim->cpuset.set_mems && lxcf_bitmap_count(&lim->cpuset.mems) == 0))
        return lxcf_error(err, LXCF_EXIT_USAGE, "cpuset: empty cpu or node list");
    /* Same file names in v1 and v2. */
    if (lim->cpuset.set_cpus)
        lxcf_cg_plan_add(pl, dir, "cpuset.cpus", lxcf_bitmap_format(&lim->cpuset.cpus));
    if (lim->cpuset.set_mems)
        lxcf_cg_plan_add(pl, dir, "cpuset.mems", lxcf_bitmap_format(&lim->cpuset.mems));
    return 0;
}

static char *lxcf_cg_size_str(uint64_t v)
{
    return v == LXCF_CG_UNLIMITED ? lxcf_xstrdup("unlimited") : lxcf_xasprintf("%" PRIu64, v);
}

static int lxcf_cg_plan_memory_v2(const char *dir, uint64_t mem, uint64_t memsw,
                                  lxcf_cg_plan *pl, lxcf_err *err)
{
    uint64_t cur_mem;

    if (memsw) {
        if (!lxcf_cg_exists(dir, "memory.swap.max"))
            return lxcf_error(err, LXCF_EXIT_FAIL,
                              "%s: no memory.swap.max (swap accounting is off)", dir);
        if (!mem && lxcf_cg_read_limit(dir, "memory.max", &cur_mem, err) < 0)
            return -1;
        uint64_t m = mem ? mem : cur_mem;
        if (memsw != LXCF_CG_UNLIMITED && (m == LXCF_CG_UNLIMITED || memsw < m)) {
            _cleanup_free_ char *a = lxcf_cg_size_str(memsw), *b = lxcf_cg_size_str(m);
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "memory+swap limit %s is below the memory limit %s", a, b);
        }
        if (mem)
            lxcf_cg_plan_add(pl, dir, "memory.max", lxcf_cg_fmt(mem, 2));
        lxcf_cg_plan_add(pl, dir, "memory.swap.max",
                         lxcf_cg_fmt(memsw == LXCF_CG_UNLIMITED ? memsw : memsw - m, 2));
        return 0;
    }
    lxcf_cg_plan_add(pl, dir, "memory.max", lxcf_cg_fmt(mem, 2));
    return 0;
}

/* v1 insists on limit <= memsw limit after every single write: raise memsw
 * first when it grows past the current limit, otherwise lower the limit
 * first. */
static int lxcf_cg_plan_memory_v1(const char *dir, uint64_t mem, uint64_t memsw,
                                  lxcf_cg_plan *pl, lxcf_err *err)
{
    bool has_memsw = lxcf_cg_exists(dir, "memory.memsw.limit_in_bytes");
    uint64_t cur_mem, cur_memsw = LXCF_CG_UNLIMITED;

    if (memsw && !has_memsw)
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: no memory.memsw.limit_in_bytes (swap accounting is off)", dir);
    if (lxcf_cg_read_limit(dir, "memory.limit_in_bytes", &cur_mem, err) < 0)
        return -1;
    if (has_memsw && lxcf_cg_read_limit(dir, "memory.memsw.limit_in_bytes", &cur_memsw, err) < 0)
        return -1;
    uint64_t new_mem = mem ? mem : cur_mem;
    uint64_t new_memsw = memsw ? memsw : cur_memsw;
    if (new_memsw < new_mem) {
        _cleanup_free_ char *a = lxcf_cg_size_str(new_memsw), *b = lxcf_cg_size_str(new_mem);
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "memory+swap limit %s is below the memory limit %s%s", a, b,
                          memsw ? "" : " (set both)");
    }
    bool memsw_first = memsw && new_memsw >= cur_mem;
    if (memsw && memsw_first)
        lxcf_cg_plan_add(pl, dir, "memory.memsw.limit_in_bytes", lxcf_cg_fmt(memsw, 1));
    if (mem)
        lxcf_cg_plan_add(pl, dir, "memory.limit_in_bytes", lxcf_cg_fmt(mem, 1));
    if (memsw && !memsw_first)
        lxcf_cg_plan_add(pl, dir, "memory.memsw.limit_in_bytes", lxcf_cg_fmt(memsw, 1));
    return 0;
}

static int lxcf_cg_plan_memory(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim,
                               lxcf_cg_plan *pl, lxcf_err *err)
{
    const char *dir = lxcf_cg_need(p, LXCF_CG_MEMORY, err);
    uint64_t mem = lim->memory.mem, memsw = lim->memory.memsw;

    if (!dir)
        return -1;
    if (!mem && !memsw)
        return lxcf_error(err, LXCF_EXIT_USAGE, "memory: nothing to set");
    if (mem && memsw && memsw < mem) {
        _cleanup_free_ char *a = lxcf_cg_size_str(memsw), *b = lxcf_cg_size_str(mem);
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "memory+swap limit %s is below the memory limit %s", a, b);
    }
    if (p->version[LXCF_CG_MEMORY] == 2)
        return lxcf_cg_plan_memory_v2(dir, mem, memsw, pl, err);
    return lxcf_cg_plan_memory_v1(dir, mem, memsw, pl, err);
}

static void lxcf_cg_io_v2_key(char **line, const char *key, uint64_t v)
{
    char *old = *line;
    if (!v)
        return;
    if (v == LXCF_CG_UNLIMITED)
        *line = lxcf_xasprintf("%s %s=max", old, key);
    else
        *line = lxcf_xasprintf("%s %s=%" PRIu64, old, key, v);
    free(old);
}

static int lxcf_cg_plan_io(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim,
                           lxcf_cg_plan *pl, lxcf_err *err)
{
    static const char *const v1_files[] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
    };
    static const char *const v2_keys[] = { "rbps", "wbps", "riops", "wiops" };
    const char *dir = lxcf_cg_need(p, LXCF_CG_IO, err);
    uint64_t v[4] = { lim->io.rbps, lim->io.wbps, lim->io.riops, lim->io.wiops };
    unsigned maj = lim->io.major, min = lim->io.minor;

    if (!dir)
        return -1;
    if (!v[0] && !v[1] && !v[2] && !v[3])
        return lxcf_error(err, LXCF_EXIT_USAGE, "%u:%u: no i/o limit to set", maj, min);
    if (p->version[LXCF_CG_IO] == 2) {
        char *line = lxcf_xasprintf("%u:%u", maj, min);
        for (int i = 0; i < 4; i++)
            lxcf_cg_io_v2_key(&line, v2_keys[i], v[i]);
        lxcf_cg_plan_add(pl, dir, "io.max", line);
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        if (!v[i])
            continue;
        /* v1 removes a throttle rule when given 0. */
        lxcf_cg_plan_add(pl, dir, v1_files[i],
                         lxcf_xasprintf("%u:%u %" PRIu64, maj, min,
                                        v[i] == LXCF_CG_UNLIMITED ? 0 : v[i]));
    }
    return 0;
}

int lxcf_cgroup_set(const lxcf_cgroup_paths *p, const lxcf_cgroup_limit *lim, lxcf_err *err)
{
    _cleanup_(lxcf_cg_plan_clear) lxcf_cg_plan pl = { 0 };
    int r;

    switch (lim->kind) {
    case LXCF_LIMIT_CPU:
        r = lxcf_cg_plan_cpu(p, lim, &pl, err);
        break;
    case LXCF_LIMIT_CPUSET:
        r = lxcf_cg_plan_cpuset(p, lim, &pl, err);
        break;
    case LXCF_LIMIT_MEMORY:
        r = lxcf_cg_plan_memory(p, lim, &pl, err);
        break;
    case LXCF_LIMIT_IO:
        r = lxcf_cg_plan_io(p, lim, &pl, err);
        break;
    default:
        r = lxcf_error(err, LXCF_EXIT_FAIL, "unknown limit kind %d", (int)lim->kind);
    }
    if (r < 0)
        return -1;
    return lxcf_cg_plan_run(&pl, err);
}

/* ---- get --------------------------------------------------------------- */

void lxcf_cgroup_values_clear(lxcf_cgroup_values *v)
{
    free(v->cpus);
    free(v->mems);
    free(v->io);
    memset(v, 0, sizeof(*v));
}

static int lxcf_cg_get_cpu(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_CPU];

    if (!dir)
        return 0;
    if (p->version[LXCF_CG_CPU] == 2) {
        _cleanup_free_ char *buf = NULL, *path = lxcf_path_join(dir, "cpu.max");
        char q[32];

        if (!lxcf_cg_exists(dir, "cpu.max"))
            return 0;
        if (lxcf_cg_read(dir, "cpu.max", &buf, err) < 0)
            return -1;
        if (sscanf(buf, "%31s %" SCNu64, q, &v->cpu_period_us) != 2 ||
            lxcf_cg_parse_value(path, q, &v->cpu_quota_us, err) < 0)
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unexpected value '%s'", path, buf);
    } else {
        if (!lxcf_cg_exists(dir, "cpu.cfs_quota_us"))
            return 0;
        if (lxcf_cg_read_limit(dir, "cpu.cfs_quota_us", &v->cpu_quota_us, err) < 0 ||
            lxcf_cg_read_value(dir, "cpu.cfs_period_us", &v->cpu_period_us, err) < 0)
            return -1;
    }
    v->has_cpu = true;
    return 0;
}

static int lxcf_cg_get_cpu_usage(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v,
                                 lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_CPUACCT];
    _cleanup_free_ char *buf = NULL;

    if (!dir)
        return 0;
    if (p->version[LXCF_CG_CPUACCT] == 1) {
        if (!lxcf_cg_exists(dir, "cpuacct.usage"))
            return 0;
        if (lxcf_cg_read_value(dir, "cpuacct.usage", &v->cpu_usage_ns, err) < 0)
            return -1;
        v->has_cpu_usage = true;
        return 0;
    }
    if (!lxcf_cg_exists(dir, "cpu.stat"))
        return 0;
    if (lxcf_cg_read(dir, "cpu.stat", &buf, err) < 0)
        return -1;
    for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        uint64_t us;
        if (sscanf(l, "usage_usec %" SCNu64, &us) == 1) {
            v->cpu_usage_ns = us * 1000;
            v->has_cpu_usage = true;
        }
    }
    return 0;
}

static int lxcf_cg_get_cpuset(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_CPUSET];

    if (!dir || !lxcf_cg_exists(dir, "cpuset.cpus"))
        return 0;
    if (lxcf_cg_read(dir, "cpuset.cpus", &v->cpus, err) < 0 ||
        lxcf_cg_read(dir, "cpuset.mems", &v->mems, err) < 0)
        return -1;
    /* An empty v2 set means "inherited": show what applies. */
    if (!*v->cpus && lxcf_cg_exists(dir, "cpuset.cpus.effective")) {
        free(v->cpus);
        v->cpus = NULL;
        if (lxcf_cg_read(dir, "cpuset.cpus.effective", &v->cpus, err) < 0)
            return -1;
    }
    if (!*v->mems && lxcf_cg_exists(dir, "cpuset.mems.effective")) {
        free(v->mems);
        v->mems = NULL;
        if (lxcf_cg_read(dir, "cpuset.mems.effective", &v->mems, err) < 0)
            return -1;
    }
    v->has_cpuset = true;
    return 0;
}

static int lxcf_cg_get_memory(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_MEMORY];
    bool v2 = p->version[LXCF_CG_MEMORY] == 2;
    const char *limit = v2 ? "memory.max" : "memory.limit_in_bytes";
    const char *usage = v2 ? "memory.current" : "memory.usage_in_bytes";
    const char *sw = v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";

    if (!dir || !lxcf_cg_exists(dir, limit))
        return 0;
    if (lxcf_cg_read_limit(dir, limit, &v->mem_limit, err) < 0 ||
        lxcf_cg_read_value(dir, usage, &v->mem_usage, err) < 0)
        return -1;
    v->has_memory = true;
    if (!lxcf_cg_exists(dir, sw))
        return 0;
    if (lxcf_cg_read_limit(dir, sw, &v->memsw_limit, err) < 0)
        return -1;
    if (v2 && v->memsw_limit != LXCF_CG_UNLIMITED)
        v->memsw_limit = v->mem_limit == LXCF_CG_UNLIMITED ? LXCF_CG_UNLIMITED
                                                           : v->memsw_limit + v->mem_limit;
    v->has_memsw = true;
    return 0;
}

int lxcf_cgroup_mem_usage(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                          uint64_t *bytes, lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_paths_clear) lxcf_cgroup_paths p = { 0 };
    const char *dir;

    if (lxcf_cgroup_of_pid(l, proc_root, pid, &p, err) < 0)
        return -1;
    dir = p.dir[LXCF_CG_MEMORY];
    if (!dir)
        return lxcf_error(err, LXCF_EXIT_FAIL, "pid %d: no memory cgroup", (int)pid);
    return lxcf_cg_read_value(dir, p.version[LXCF_CG_MEMORY] == 2 ? "memory.current"
                                                                  : "memory.usage_in_bytes",
                              bytes, err);
}

static lxcf_cgroup_io *lxcf_cg_io_entry(lxcf_cgroup_values *v, unsigned maj, unsigned min)
{
    for (size_t i = 0; i < v->n_io; i++)
        if (v->io[i].major == maj && v->io[i].minor == min)
            return &v->io[i];
    v->io = lxcf_xrealloc(v->io, (v->n_io + 1) * sizeof(*v->io));
    v->io[v->n_io] = (lxcf_cgroup_io){ maj, min, LXCF_CG_UNLIMITED, LXCF_CG_UNLIMITED,
                                       LXCF_CG_UNLIMITED, LXCF_CG_UNLIMITED };
    return &v->io[v->n_io++];
}

static int lxcf_cg_get_io_v2(const char *dir, lxcf_cgroup_values *v, lxcf_err *err)
{
    static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
    _cleanup_free_ char *buf = NULL, *path = lxcf_path_join(dir, "io.max");
    char *save = NULL;

    if (lxcf_cg_read(dir, "io.max", &buf, err) < 0)
        return -1;
    for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        unsigned maj, min;
        int n = 0;
        if (sscanf(l, "%u:%u%n", &maj, &min, &n) != 2)
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unexpected line '%s'", path, l);
        lxcf_cgroup_io *e = lxcf_cg_io_entry(v, maj, min);
        uint64_t *f[] = { &e->rbps, &e->wbps, &e->riops, &e->wiops };
        _cleanup_strv_ char **kv = lxcf_cg_split(l + n, " ");
        for (char **t = kv; *t; t++) {
            char *eq = strchr(*t, '=');
            for (int i = 0; eq && i < 4; i++)
                if ((size_t)(eq - *t) == strlen(keys[i]) && !strncmp(*t, keys[i], strlen(keys[i])) &&
                    lxcf_cg_parse_value(path, eq + 1, f[i], err) < 0)
                    return -1;
        }
    }
    return 0;
}

static int lxcf_cg_get_io_v1(const char *dir, lxcf_cgroup_values *v, lxcf_err *err)
{
    static const char *const files[] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
    };

    for (int i = 0; i < 4; i++) {
        _cleanup_free_ char *buf = NULL, *path = lxcf_path_join(dir, files[i]);
        char *save = NULL;

        if (!lxcf_cg_exists(dir, files[i]))
            continue;
        if (lxcf_cg_read(dir, files[i], &buf, err) < 0)
            return -1;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            unsigned maj, min;
            uint64_t n;
            if (sscanf(l, "%u:%u %" SCNu64, &maj, &min, &n) != 3)
                return lxcf_error(err, LXCF_EXIT_FAIL, "%s: unexpected line '%s'", path, l);
            lxcf_cgroup_io *e = lxcf_cg_io_entry(v, maj, min);
            uint64_t *f[] = { &e->rbps, &e->wbps, &e->riops, &e->wiops };
            *f[i] = n;
        }
    }
    return 0;
}

static int lxcf_cg_get_io(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    const char *dir = p->dir[LXCF_CG_IO];

    if (!dir)
        return 0;
    if (p->version[LXCF_CG_IO] == 2)
        return lxcf_cg_exists(dir, "io.max") ? lxcf_cg_get_io_v2(dir, v, err) : 0;
    return lxcf_cg_get_io_v1(dir, v, err);
}

int lxcf_cgroup_get(const lxcf_cgroup_paths *p, lxcf_cgroup_values *v, lxcf_err *err)
{
    memset(v, 0, sizeof(*v));
    if (lxcf_cg_get_cpu(p, v, err) < 0 || lxcf_cg_get_cpu_usage(p, v, err) < 0 ||
        lxcf_cg_get_cpuset(p, v, err) < 0 || lxcf_cg_get_memory(p, v, err) < 0 ||
        lxcf_cg_get_io(p, v, err) < 0) {
        lxcf_cgroup_values_clear(v);
        return -1;
    }
    return 0;
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
                                  lxcf_cg_names[c]);
            return 0;
        }
        if (!g.rel[c] || !lxcf_path_under(g.rel[c], top)) {
            *why = lxcf_xasprintf("%s: guest init (pid %d) is in %s, outside %s",
                                  lxcf_cg_names[c], (int)guest_init,
                                  g.rel[c] ? g.rel[c] : "an unknown group", top);
            return 0;
        }
    }
    *confined = true;
    return 0;
}

/* ---- removal ----------------------------------------------------------- */

static bool lxcf_cg_is_dir(int dfd, const struct dirent *de)
{
    struct stat st;

    if (lxcf_streq(de->d_name, ".") || lxcf_streq(de->d_name, ".."))
        return false;
    if (de->d_type != DT_UNKNOWN)
        return de->d_type == DT_DIR;
    return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Depth-first rmdir of DIR's subdirectories and then DIR itself.  A
 * cgroup still in use refuses (EBUSY/ENOTEMPTY): that is the point. */
static int lxcf_cg_rmdir_tree(int parent_fd, const char *name, const char *path, lxcf_err *err)
{
    int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *de;
    int r = 0;

    if (fd < 0)
        return errno == ENOENT ? 0
                               : lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot open %s", path);
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot read %s", path);
    }
    while ((de = readdir(d))) {
        if (!lxcf_cg_is_dir(dirfd(d), de))
            continue;
        _cleanup_free_ char *sub = lxcf_path_join(path, de->d_name);
        if (lxcf_cg_rmdir_tree(dirfd(d), de->d_name, sub, err) < 0)
            r = -1;
    }
    if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != EBUSY && errno != ENOTEMPTY &&
        errno != ENOENT)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot remove %s", path);
    return r;
}

static bool lxcf_cg_pid_zombie(pid_t pid)
{
    _cleanup_free_ char *path = lxcf_xasprintf("/proc/%d/stat", (int)pid);
    _cleanup_free_ char *buf = NULL;
    lxcf_err ignore = LXCF_ERR_INIT;
    char *paren;

    if (lxcf_read_file(path, &buf, NULL, &ignore) < 0)
        return false;
    /* "PID (comm) S ...": the comm may hold spaces and parentheses. */
    paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* Is ENTRY "lxc-PID-NAME.libvirt-lxc" for NAME, with a PID no longer alive? */
static bool lxcf_cg_stale_group(const char *entry, const char *name)
{
    _cleanup_free_ char *want = NULL;
    char *end;
    long pid;

    if (!lxcf_startswith(entry, "lxc-") || !isdigit((unsigned char)entry[4]))
        return false;
    errno = 0;
    pid = strtol(entry + 4, &end, 10);
    if (errno || *end != '-' || pid <= 0 || pid > INT32_MAX)
        return false;
    want = lxcf_cgroup_machine_group((pid_t)pid, name);
    if (!lxcf_streq(want + strlen("machine/"), entry))
        return false;
    if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return true;
    /* A controller that exited but libvirtd has not reaped yet is as dead
     * as one that is gone: stop runs cleanup right at that moment. */
    return lxcf_cg_pid_zombie((pid_t)pid);
}

int lxcf_cgroup_remove_empty(const lxcf_cgroup_layout *l, const char *name, lxcf_err *err)
{
    int r = 0;

    for (size_t i = 0; i < l->nhier; i++) {
        _cleanup_free_ char *machine = lxcf_path_join(l->hier[i].mount, "machine");
        _cleanup_closedir_ DIR *d = opendir(machine);
        struct dirent *de;

        if (!d) {
            if (errno != ENOENT)
                r = lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot read %s", machine);
            continue;
        }
        while ((de = readdir(d))) {
            if (!lxcf_cg_is_dir(dirfd(d), de) || !lxcf_cg_stale_group(de->d_name, name))
                continue;
            _cleanup_free_ char *path = lxcf_path_join(machine, de->d_name);
            if (lxcf_cg_rmdir_tree(dirfd(d), de->d_name, path, err) < 0)
                r = -1;
        }
    }
    return r;
}

#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "domxml.h"
#include "fscopy.h"
#include "fsremove.h"
#include "fsutil.h"
#include "lock.h"
#include "pkgdb.h"
#include "pkgsrc.h"
#include "util.h"

extern char **environ;

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

void lxcf_update_plan_clear(lxcf_update_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        free(plan->g[i].name);
        free(plan->g[i].root);
    }
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

/* ---- the journal -------------------------------------------------------- */

#define LXCF_JOURNAL_MAGIC "lxcf-update-journal 1"

static const char *const lxcf_phase_names[] = { "guests", "host", "done" };

const char *lxcf_update_phase_name(lxcf_update_phase p)
{
    return (unsigned)p < 3 ? lxcf_phase_names[p] : "?";
}

int lxcf_update_journal_write(const char *path, const lxcf_update_journal *j, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot build the journal", path);
    fprintf(f, "%s\nphase %s\n", LXCF_JOURNAL_MAGIC, lxcf_update_phase_name(j->phase));
    for (char **p = j->touched; p && *p; p++)
        fprintf(f, "touched %s\n", *p);
    for (char **p = j->stopped; p && *p; p++)
        fprintf(f, "stopped %s\n", *p);
    fclose(f);
    return lxcf_write_file_atomic(path, buf, len, 0600, false, err);
}

static int lxcf_journal_line(lxcf_update_journal *j, const char *line, lxcf_err *err)
{
    const char *sp = strchr(line, ' ');
    const char *val = sp ? sp + 1 : "";

    if (lxcf_startswith(line, "phase ")) {
        for (int p = 0; p < 3; p++)
            if (lxcf_streq(val, lxcf_phase_names[p])) {
                j->phase = (lxcf_update_phase)p;
                return 0;
            }
    } else if (lxcf_startswith(line, "touched ") && *val) {
        lxcf_strv_push(&j->touched, lxcf_xstrdup(val));
        return 0;
    } else if (lxcf_startswith(line, "stopped ") && *val) {
        lxcf_strv_push(&j->stopped, lxcf_xstrdup(val));
        return 0;
    }
    return lxcf_error(err, LXCF_EXIT_FAIL, "malformed line '%s'", line);
}

int lxcf_update_journal_read(const char *path, lxcf_update_journal *j, lxcf_err *err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    char *save = NULL;

    memset(j, 0, sizeof(*j));
    if (access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    if (lxcf_read_file(path, &buf, &len, err) < 0)
        return -1;
    char *line = strtok_r(buf, "\n", &save);
    if (!line || !lxcf_streq(line, LXCF_JOURNAL_MAGIC))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: not an lxcf update journal", path);
    while ((line = strtok_r(NULL, "\n", &save))) {
        if (lxcf_journal_line(j, line, err) < 0) {
            lxcf_update_journal_clear(j);
            lxcf_error_prefix(err, "%s: ", path);
            return -1;
        }
    }
    return 1;
}

void lxcf_update_journal_clear(lxcf_update_journal *j)
{
    lxcf_strv_free(j->touched);
    lxcf_strv_free(j->stopped);
    memset(j, 0, sizeof(*j));
}

/* ---- snapshot and rollback ---------------------------------------------- */

/* What a package command may write outside /usr.  usr itself is only a
 * guest's own in the separate model; real bin/lib directories (hosts
 * without merged /usr) are copies in both models. */
static const char *const lxcf_snap_dirs[] = {
    "etc", "var", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", NULL
};

static int lxcf_remove_if_exists(const char *path, lxcf_err *err)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s", path);
    return lxcf_fs_remove_tree(path, err);
}

int lxcf_update_snapshot(const char *root, const char *snapdir, bool separate, lxcf_err *err)
{
    lxcf_copy_opts opts = { .one_file_system = true };
    _cleanup_close_ int fd = -1;

    if (lxcf_remove_if_exists(snapdir, err) < 0)
        return -1;
    if (mkdir(snapdir, 0700) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", snapdir);
    for (const char *const *d = lxcf_snap_dirs; *d; d++) {
        _cleanup_free_ char *src = lxcf_path_join(root, *d);
        _cleanup_free_ char *dst = lxcf_path_join(snapdir, *d);
        struct stat st;

        if (lxcf_streq(*d, "usr") && !separate)
            continue;
        if (lstat(src, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (lxcf_fs_copy_tree(src, dst, &opts, NULL, err) < 0)
            return -1;
    }
    /* The journal will call this snapshot complete: it must be on disk. */
    fd = open(snapdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot sync", snapdir);
    return 0;
}

static int lxcf_restore_one(const char *root, const char *snapdir, const char *name,
                            lxcf_err *err)
{
    _cleanup_free_ char *src = lxcf_path_join(snapdir, name);
    _cleanup_free_ char *dst = lxcf_path_join(root, name);

    if (lxcf_remove_if_exists(dst, err) < 0)
        return -1;
    if (rename(src, dst) == 0)
        return 0;
    if (errno != EXDEV)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot move back to %s", src, dst);
    /* The guest's root is another filesystem than the roots directory. */
    if (lxcf_fs_copy_tree(src, dst, NULL, NULL, err) < 0)
        return -1;
    return lxcf_fs_remove_tree(src, err);
}

int lxcf_update_rollback(const char *root, const char *snapdir, lxcf_err *err)
{
    struct stat rst;

    /* A guest erased since its snapshot has nothing left to restore. */
    if (lstat(root, &rst) < 0 && errno == ENOENT)
        return lxcf_remove_if_exists(snapdir, err);
    for (const char *const *d = lxcf_snap_dirs; *d; d++) {
        _cleanup_free_ char *src = lxcf_path_join(snapdir, *d);
        struct stat st;

        /* Missing: not snapshotted, or already restored by an earlier try. */
        if (lstat(src, &st) < 0)
            continue;
        if (lxcf_restore_one(root, snapdir, *d, err) < 0)
            return -1;
    }
    return lxcf_remove_if_exists(snapdir, err);
}

/* ---- running CMD -------------------------------------------------------- */

/* Everything the child needs is prepared before fork(): between fork and
 * exec only system calls run (other threads may hold malloc's locks). */
typedef struct lxcf_child {
    const char *root;
    char *mnt_usr, *overlay_opts;
    char *mnt_proc, *mnt_sys, *mnt_dev, *mnt_run, *mnt_tmp;
    char **exe;        /* candidate program paths */
    char **argv;
    char **envp;
    int *src_fds;      /* host files, parallel to cmd->dests */
    char **dest_dirs;
    char *const *dests;
    size_t nfiles;
    char **src_host;   /* local package sources: host paths ... */
    char **src_mnt;    /* ... and their mount points in the root */
    char **src_made;   /* mount point directories we created (removed after) */
    char *view_mnt, *view_opts;  /* the writable view of the downloaded packages */
    int out_fd;
    int err_fd;        /* write end of the error pipe */
    pid_t parent;
} lxcf_child;

enum {
    LXCF_STEP_UNSHARE = 1, LXCF_STEP_PRIVATE, LXCF_STEP_OVERLAY, LXCF_STEP_PROC, LXCF_STEP_SYS,
    LXCF_STEP_DEV, LXCF_STEP_RUN, LXCF_STEP_TMP, LXCF_STEP_CHROOT, LXCF_STEP_FILES,
    LXCF_STEP_STDIO, LXCF_STEP_EXEC, LXCF_STEP_SOURCES, LXCF_STEP_VIEW,
};

static const char *lxcf_step_name(int step)
{
    static const char *const names[] = {
        "?", "cannot unshare the mount namespace", "cannot make mounts private",
        "cannot mount the overlay on usr", "cannot bind-mount /proc", "cannot bind-mount /sys",
        "cannot bind-mount /dev", "cannot mount a tmpfs on run", "cannot mount a tmpfs on tmp",
        "cannot chroot", "cannot copy the command's files", "cannot set up stdin/stdout",
        "cannot execute the command", "cannot bind-mount a local package source",
        "cannot mount the overlay on the downloaded packages",
    };
    return step > 0 && step <= LXCF_STEP_VIEW ? names[step] : names[0];
}

static void lxcf_child_fail(const lxcf_child *c, int step)
{
    int msg[2] = { step, errno };

    (void)!write(c->err_fd, msg, sizeof(msg));
    _exit(127);
}

static int lxcf_child_copy(int src, const char *dst)
{
    char buf[65536];
    off_t off = 0;
    ssize_t n;
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    while ((n = pread(src, buf, sizeof(buf), off)) > 0) {
        for (ssize_t w = 0; w < n;) {
            ssize_t r = write(fd, buf + w, (size_t)(n - w));
            if (r < 0)
                return -1;
            w += r;
        }
        off += n;
    }
    close(fd);
    return n < 0 ? -1 : 0;
}

static void lxcf_child_mounts(const lxcf_child *c)
{
    if (unshare(CLONE_NEWNS) < 0)
        lxcf_child_fail(c, LXCF_STEP_UNSHARE);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        lxcf_child_fail(c, LXCF_STEP_PRIVATE);
    if (c->overlay_opts && mount("overlay", c->mnt_usr, "overlay", 0, c->overlay_opts) < 0)
        lxcf_child_fail(c, LXCF_STEP_OVERLAY);
    if (mount("/proc", c->mnt_proc, NULL, MS_BIND | MS_REC, NULL) < 0)
        lxcf_child_fail(c, LXCF_STEP_PROC);
    if (mount("/sys", c->mnt_sys, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, c->mnt_sys, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
        lxcf_child_fail(c, LXCF_STEP_SYS);
    if (mount("/dev", c->mnt_dev, NULL, MS_BIND | MS_REC, NULL) < 0)
        lxcf_child_fail(c, LXCF_STEP_DEV);
    /* tmpfs: what CMD leaves in /run and /tmp never reaches the tree. */
    if (mount("tmpfs", c->mnt_run, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
        lxcf_child_fail(c, LXCF_STEP_RUN);
    if (mount("tmpfs", c->mnt_tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
        lxcf_child_fail(c, LXCF_STEP_TMP);
    /* Read-only: an update must not change the repository it reads. */
    for (size_t i = 0; c->src_host && c->src_host[i]; i++)
        if (mount(c->src_host[i], c->src_mnt[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
            mount(NULL, c->src_mnt[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
            lxcf_child_fail(c, LXCF_STEP_SOURCES);
    if (c->view_opts && mount("overlay", c->view_mnt, "overlay", 0, c->view_opts) < 0)
        lxcf_child_fail(c, LXCF_STEP_VIEW);
    if (chroot(c->root) < 0 || chdir("/") < 0)
        lxcf_child_fail(c, LXCF_STEP_CHROOT);
    if (c->nfiles && mkdir(LXCF_UPDATE_FILES_DIR, 0755) < 0)
        lxcf_child_fail(c, LXCF_STEP_FILES);
    for (size_t i = 0; i < c->nfiles; i++)
        if (mkdir(c->dest_dirs[i], 0755) < 0 || lxcf_child_copy(c->src_fds[i], c->dests[i]) < 0)
            lxcf_child_fail(c, LXCF_STEP_FILES);
}

static __attribute__((noreturn)) void lxcf_child_run(const lxcf_child *c)
{
    /* CMD must not outlive a killed lxcf: recovery would roll back a tree
     * it is still writing. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->parent)
        _exit(127);
    if (c->root)
        lxcf_child_mounts(c);
    if (c->out_fd >= 0) {
        int nul = open("/dev/null", O_RDONLY);
        if (nul < 0 || dup2(nul, 0) < 0 || dup2(c->out_fd, 1) < 0 || dup2(c->out_fd, 2) < 0)
            lxcf_child_fail(c, LXCF_STEP_STDIO);
    }
    if (!c->root)
        execvpe(c->argv[0], c->argv, c->envp);
    for (char **e = c->exe; e && *e; e++)
        execve(*e, c->argv, c->envp);
    lxcf_child_fail(c, LXCF_STEP_EXEC);
    _exit(127);
}

static void lxcf_child_clear(lxcf_child *c)
{
    free(c->mnt_usr);
    free(c->overlay_opts);
    free(c->mnt_proc);
    free(c->mnt_sys);
    free(c->mnt_dev);
    free(c->mnt_run);
    free(c->mnt_tmp);
    lxcf_strv_free(c->exe);
    lxcf_strv_free(c->envp);
    lxcf_strv_free(c->dest_dirs);
    lxcf_strv_free(c->src_host);
    lxcf_strv_free(c->src_mnt);
    lxcf_strv_free(c->src_made);
    free(c->view_mnt);
    free(c->view_opts);
    for (size_t i = 0; i < c->nfiles; i++)
        if (c->src_fds[i] >= 0)
            close(c->src_fds[i]);
    free(c->src_fds);
}

/* The mount points CMD needs must be real directories of ROOT: a symlink
 * planted there would point a mount elsewhere. */
static int lxcf_check_mount_points(const char *root, bool usr, lxcf_err *err)
{
    static const char *const dirs[] = { "proc", "sys", "dev", "run", "tmp", "usr", NULL };

    for (const char *const *d = dirs; *d; d++) {
        _cleanup_free_ char *p = lxcf_path_join(root, *d);
        struct stat st;

        if (!usr && lxcf_streq(*d, "usr"))
            continue;
        if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s is not a directory (a symlink or missing)", p);
    }
    return 0;
}

/* Our environment without LXCF_CRASH_AT (the crash hook is lxcf's, not
 * CMD's); in a chroot with a PATH that does not depend on the host's. */
static char **lxcf_child_env(bool chroot_path)
{
    char **env = lxcf_xcalloc(1, sizeof(char *));

    for (char **e = environ; e && *e; e++)
        if (!lxcf_startswith(*e, "LXCF_CRASH_AT=") && !(chroot_path && lxcf_startswith(*e, "PATH=")))
            lxcf_strv_push(&env, lxcf_xstrdup(*e));
    if (chroot_path)
        lxcf_strv_push(&env, lxcf_xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    return env;
}

static char **lxcf_child_exe(const char *prog)
{
    static const char *const path[] = {
        "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", NULL
    };
    char **v = lxcf_xcalloc(1, sizeof(char *));

    if (strchr(prog, '/')) {
        lxcf_strv_push(&v, lxcf_xstrdup(prog));
        return v;
    }
    for (const char *const *p = path; *p; p++)
        lxcf_strv_push(&v, lxcf_xasprintf("%s/%s", *p, prog));
    return v;
}

/* The mount point SRC (an absolute path) made beneath the root ROOTFD (a
 * link a guest planted on the way is refused); the outermost directory we
 * create is remembered in C, to be removed afterwards. */
static int lxcf_child_mount_point(int rootfd, const char *src, lxcf_child *c, lxcf_err *err)
{
    _cleanup_free_ char *rel = lxcf_xstrdup(src + 1);
    struct stat st;

    for (char *p = rel;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char was = *p;
        *p = '\0';
        int r = lxcf_fs_stat_beneath(rootfd, rel, LXCF_FS_NOFOLLOW, &st, err);
        if (r < 0)
            return -1;
        if (r == 0) {
            lxcf_strv_push(&c->src_made, lxcf_xstrdup(rel));
            break;
        }
        if (!S_ISDIR(st.st_mode))
            return lxcf_error(err, LXCF_EXIT_FAIL,
                              "/%s in the guest is not a directory: the package source %s "
                              "cannot be mounted there", rel, src);
        *p = was;
        if (!was)
            break;
    }
    return lxcf_fs_mkdir_p_beneath(rootfd, src + 1, 0755, err);
}

/* Mount points for the local package sources and the view of the
 * downloaded packages, made beneath ROOT. */
static int lxcf_child_sources(const lxcf_update_exec_opts *o, lxcf_child *c, lxcf_err *err)
{
    _cleanup_close_ int rootfd = -1;

    c->src_host = lxcf_xcalloc(1, sizeof(char *));
    c->src_mnt = lxcf_xcalloc(1, sizeof(char *));
    c->src_made = lxcf_xcalloc(1, sizeof(char *));
    if ((!o->sources || !o->sources[0]) && !o->view)
        return 0;
    rootfd = lxcf_fs_open_root(o->root, err);
    if (rootfd < 0)
        return -1;
    for (char *const *src = o->sources; src && *src; src++) {
        if (lxcf_child_mount_point(rootfd, *src, c, err) < 0)
            return -1;
        lxcf_strv_push(&c->src_host, lxcf_path_join(o->host_root, *src));
        lxcf_strv_push(&c->src_mnt, lxcf_path_join(o->root, *src));
    }
    if (!o->view)
        return 0;
    _cleanup_free_ char *lower = lxcf_path_join(o->host_root, o->view);
    if (strpbrk(lower, ",:") || strpbrk(o->scratch, ",:"))
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s or %s: ',' or ':' cannot be used in an overlay",
                          lower, o->scratch);
    if (lxcf_child_mount_point(rootfd, o->view, c, err) < 0)
        return -1;
    c->view_mnt = lxcf_path_join(o->root, o->view);
    c->view_opts = lxcf_xasprintf("lowerdir=%s,upperdir=%s/view-upper,workdir=%s/view-work",
                                  lower, o->scratch, o->scratch);
    return 0;
}

/* Remove the mount points lxcf_child_sources made (empty once the child's
 * mount namespace is gone). */
static int lxcf_child_sources_remove(const lxcf_update_exec_opts *o, const lxcf_child *c,
                                     lxcf_err *err)
{
    for (char **m = c->src_made; m && *m; m++) {
        _cleanup_free_ char *path = lxcf_path_join(o->root, *m);
        if (lxcf_fs_remove_tree(path, err) < 0)
            return -1;
    }
    return 0;
}

static int lxcf_child_prepare(const lxcf_update_cmd *cmd, const lxcf_update_exec_opts *o,
                              lxcf_child *c, lxcf_err *err)
{
    c->root = o->root;
    c->out_fd = o->out_fd;
    c->argv = o->root ? cmd->chroot_argv : cmd->argv;
    c->parent = getpid();
    c->envp = lxcf_child_env(o->root != NULL);
    if (!o->root)
        return 0;
    if (lxcf_check_mount_points(o->root, o->usr_lower != NULL, err) < 0)
        return -1;
    c->mnt_usr = lxcf_path_join(o->root, "usr");
    c->mnt_proc = lxcf_path_join(o->root, "proc");
    c->mnt_sys = lxcf_path_join(o->root, "sys");
    c->mnt_dev = lxcf_path_join(o->root, "dev");
    c->mnt_run = lxcf_path_join(o->root, "run");
    c->mnt_tmp = lxcf_path_join(o->root, "tmp");
    if (lxcf_child_sources(o, c, err) < 0)
        return -1;
    if (o->usr_lower) {
        if (strpbrk(o->usr_lower, ",:") || strpbrk(o->scratch, ",:"))
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s or %s: ',' or ':' cannot be used in an overlay",
                              o->usr_lower, o->scratch);
        c->overlay_opts = lxcf_xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work",
                                         o->usr_lower, o->scratch, o->scratch);
    }
    c->exe = lxcf_child_exe(c->argv[0]);
    c->nfiles = lxcf_strv_len(cmd->files);
    c->dests = cmd->dests;
    c->src_fds = lxcf_xcalloc(c->nfiles + 1, sizeof(int));
    c->dest_dirs = lxcf_xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < c->nfiles; i++)
        c->src_fds[i] = -1;
    for (size_t i = 0; i < c->nfiles; i++) {
        c->src_fds[i] = open(cmd->files[i], O_RDONLY | O_CLOEXEC);
        if (c->src_fds[i] < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", cmd->files[i]);
        lxcf_strv_push(&c->dest_dirs, lxcf_xasprintf(LXCF_UPDATE_FILES_DIR "/%zu", i));
    }
    return 0;
}

/* The upper and work directories of the overlays O asks for: on usr
 * (upper, work) and on the downloaded packages (view-upper, view-work). */
static const char *const lxcf_scratch_names[] = { "upper", "work", "view-upper", "view-work",
                                                  NULL };

static bool lxcf_scratch_wanted(const lxcf_update_exec_opts *o, size_t i)
{
    return i < 2 ? o->usr_lower != NULL : o->view != NULL;
}

/* Remove the scratch directories this run wants, and with CREATE make
 * them again, empty. */
static int lxcf_scratch_reset(const lxcf_update_exec_opts *o, bool create, lxcf_err *err)
{
    for (size_t i = 0; lxcf_scratch_names[i]; i++) {
        if (!lxcf_scratch_wanted(o, i))
            continue;
        _cleanup_free_ char *p = lxcf_path_join(o->scratch, lxcf_scratch_names[i]);
        if (lxcf_remove_if_exists(p, err) < 0)
            return -1;
        if (create && mkdir(p, 0700) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", p);
    }
    return 0;
}

static int lxcf_child_wait(pid_t pid, int errfd, int *status, lxcf_err *err)
{
    int msg[2] = { 0, 0 };
    ssize_t n;
    int st;

    do
        n = read(errfd, msg, sizeof(msg));
    while (n < 0 && errno == EINTR);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot wait for the command");
    if (n == (ssize_t)sizeof(msg))
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, msg[1], "%s", lxcf_step_name(msg[0]));
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}

int lxcf_update_exec(const lxcf_update_cmd *cmd, const lxcf_update_exec_opts *o, int *status,
                     lxcf_err *err)
{
    lxcf_child c = { .err_fd = -1 };
    lxcf_err e2 = LXCF_ERR_INIT;
    int pfd[2];
    pid_t pid;
    int r;

    if (lxcf_child_prepare(cmd, o, &c, err) < 0 || (o->root && lxcf_scratch_reset(o, true, err) < 0)) {
        lxcf_child_sources_remove(o, &c, &e2);
        lxcf_child_clear(&c);
        return -1;
    }
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        lxcf_child_sources_remove(o, &c, &e2);
        lxcf_child_clear(&c);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create a pipe");
    }
    c.err_fd = pfd[1];
    pid = fork();
    if (pid == 0)
        lxcf_child_run(&c);
    close(pfd[1]);
    if (pid < 0) {
        close(pfd[0]);
        lxcf_child_sources_remove(o, &c, &e2);
        lxcf_child_clear(&c);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot fork");
    }
    r = lxcf_child_wait(pid, pfd[0], status, err);
    close(pfd[0]);
    /* The namespace died with the child: only the upper/work dirs and the
     * sources' mount points remain. */
    if ((o->root && lxcf_scratch_reset(o, false, &e2) < 0) ||
        lxcf_child_sources_remove(o, &c, &e2) < 0) {
        if (r == 0) {
            *err = e2;
            r = -1;
        }
    }
    lxcf_child_clear(&c);
    return r;
}

char *lxcf_update_log_tail(const char *path, unsigned nlines)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    lxcf_err e = LXCF_ERR_INIT;
    unsigned seen = 0;

    if (lxcf_read_file(path, &buf, &len, &e) < 0)
        return lxcf_xstrdup("");
    while (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    for (size_t i = len; i > 0; i--)
        if (buf[i - 1] == '\n' && ++seen == nlines)
            return lxcf_xstrdup(buf + i);
    return lxcf_xstrdup(buf);
}

/* ---- the cycle ---------------------------------------------------------- */

/* In the scratch directory; a dot name can never be a guest's. */
#define LXCF_UPD_HOST_CMD ".host-command"

typedef struct lxcf_upd_job {
    const lxcf_update_guest *g;
    bool stopped, touched;
    lxcf_err err;
} lxcf_upd_job;

typedef struct lxcf_upd {
    lxcf_ctx *ctx;
    const lxcf_update_cmd *cmd;
    const lxcf_report *rep;
    char *dir;            /* ROOTS/.lxcf-update */
    char *journal_path;
    char *host_usr;
    char **sources;       /* the host's local package sources (pkgsrc.h) */
    lxcf_pkgsrc_tool dl_tool;  /* NONE: CMD fetches nothing first */
    char *dl_dir;         /* the packages downloaded once, as the tools see it ... */
    char *dl_host;        /* ... and as lxcf reaches it */
    char **dl_argv;       /* the download step */
    lxcf_pkgdb_kind db_kind;
    char **changed;       /* packages the guests' step changed in joint guests */
    lxcf_pkgdb *after;    /* each job's database after the guests' step */
    lxcf_update_journal j;
    lxcf_upd_job *jobs;
    size_t n, next;
    bool failed;
    pthread_mutex_t mu;   /* jobs, journal and reporting */
} lxcf_upd;

static void lxcf_upd_clear(lxcf_upd *u)
{
    free(u->dir);
    free(u->journal_path);
    free(u->host_usr);
    lxcf_strv_free(u->sources);
    free(u->dl_dir);
    free(u->dl_host);
    lxcf_strv_free(u->dl_argv);
    lxcf_strv_free(u->changed);
    for (size_t i = 0; u->after && i < u->n; i++)
        lxcf_pkgdb_clear(&u->after[i]);
    free(u->after);
    free(u->jobs);
    lxcf_update_journal_clear(&u->j);
}

static void lxcf_upd_report(lxcf_upd *u, const char *name, const char *msg)
{
    pthread_mutex_lock(&u->mu);
    if (u->rep && u->rep->fn)
        u->rep->fn(u->rep->opaque, name, msg);
    pthread_mutex_unlock(&u->mu);
}

/* Record NAME in LIST of the journal and write it, before the step it
 * announces, so that a crash never hides a step that happened. */
static int lxcf_upd_journal_add(lxcf_upd *u, char ***list, const char *name, lxcf_err *err)
{
    int r;

    pthread_mutex_lock(&u->mu);
    lxcf_strv_push(list, lxcf_xstrdup(name));
    r = lxcf_update_journal_write(u->journal_path, &u->j, err);
    pthread_mutex_unlock(&u->mu);
    return r;
}

static int lxcf_upd_set_phase(lxcf_upd *u, lxcf_update_phase p, lxcf_err *err)
{
    u->j.phase = p;
    return lxcf_update_journal_write(u->journal_path, &u->j, err);
}

static int lxcf_upd_stop(lxcf_upd *u, lxcf_upd_job *jb, lxcf_err *err)
{
    bool forced = false;

    lxcf_upd_report(u, jb->g->name, "stopping");
    if (lxcf_upd_journal_add(u, &u->j.stopped, jb->g->name, err) < 0)
        return -1;
    jb->stopped = true;
    if (lxcf_container_stop(u->ctx, jb->g->name, (unsigned)u->ctx->cfg.stop_timeout,
                            &forced, err) < 0)
        return -1;
    lxcf_crashpoint("update-guest-stopped");
    return 0;
}

static int lxcf_upd_cmd_failed(lxcf_upd *u, const lxcf_update_guest *g, const char *log,
                               int status, lxcf_err *err)
{
    _cleanup_free_ char *tail = lxcf_update_log_tail(log, 8);
    _cleanup_free_ char *msg = NULL;

    msg = lxcf_xasprintf("FAILED (exit %d): %s\n%s", status, u->cmd->argv[0], tail);
    lxcf_upd_report(u, g->name, msg);
    return lxcf_error(err, LXCF_EXIT_FAIL, "%s: %s failed with exit status %d (log: %s)",
                      g->name, u->cmd->argv[0], status, log);
}

static int lxcf_upd_guest(lxcf_upd *u, lxcf_upd_job *jb, lxcf_err *err)
{
    const lxcf_update_guest *g = jb->g;
    _cleanup_free_ char *gdir = lxcf_path_join(u->dir, g->name);
    _cleanup_free_ char *snap = lxcf_path_join(gdir, "snapshot");
    _cleanup_free_ char *log = lxcf_path_join(gdir, "log");
    _cleanup_close_ int logfd = -1;
    bool joint = g->model == LXCF_MODEL_JOINT;
    lxcf_update_exec_opts o = { .root = g->root, .usr_lower = joint ? u->host_usr : NULL,
                                .scratch = gdir, .sources = u->sources,
                                .host_root = u->ctx->root,
                                .view = u->dl_tool == LXCF_PKGSRC_DNF ? u->dl_dir : NULL };
    int status = 0;

    if (mkdir(gdir, 0700) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", gdir);
    if (g->running && lxcf_upd_stop(u, jb, err) < 0)
        return -1;
    lxcf_upd_report(u, g->name, "updating");
    if (lxcf_update_snapshot(g->root, snap, !joint, err) < 0 ||
        lxcf_upd_journal_add(u, &u->j.touched, g->name, err) < 0)
        return -1;
    jb->touched = true;
    lxcf_crashpoint("update-snapshotted");
    logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (logfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", log);
    o.out_fd = logfd;
    if (lxcf_update_exec(u->cmd, &o, &status, err) < 0)
        return -1;
    if (status != 0)
        return lxcf_upd_cmd_failed(u, g, log, status, err);
    lxcf_crashpoint("update-guest-done");
    lxcf_upd_report(u, g->name, "ok");
    return 0;
}

static void *lxcf_upd_worker(void *opaque)
{
    lxcf_upd *u = opaque;

    for (;;) {
        lxcf_upd_job *jb;

        pthread_mutex_lock(&u->mu);
        /* After a failure no new guest is started: all will be undone. */
        jb = u->next < u->n && !u->failed ? &u->jobs[u->next++] : NULL;
        pthread_mutex_unlock(&u->mu);
        if (!jb)
            return NULL;
        if (lxcf_upd_guest(u, jb, &jb->err) < 0) {
            pthread_mutex_lock(&u->mu);
            u->failed = true;
            pthread_mutex_unlock(&u->mu);
            if (!lxcf_startswith(jb->err.msg, jb->g->name)) {
                _cleanup_free_ char *msg = lxcf_xasprintf("FAILED: %s", jb->err.msg);
                lxcf_upd_report(u, jb->g->name, msg);
            }
        }
    }
}

static void lxcf_upd_parallel(lxcf_upd *u, unsigned jobs)
{
    pthread_t *t = lxcf_xcalloc(jobs + 1, sizeof(pthread_t));
    unsigned started = 0;

    for (; started < jobs; started++)
        if (pthread_create(&t[started], NULL, lxcf_upd_worker, u) != 0)
            break;
    if (started == 0)
        lxcf_upd_worker(u);
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
}

static int lxcf_upd_restart(lxcf_upd *u, lxcf_err *err)
{
    int r = 0;

    for (size_t i = 0; i < u->n; i++) {
        lxcf_err e = LXCF_ERR_INIT;

        if (!u->jobs[i].stopped)
            continue;
        if (lxcf_container_start(u->ctx, u->jobs[i].g->name, u->rep, &e) < 0) {
            _cleanup_free_ char *msg = lxcf_xasprintf("FAILED to start again: %s", e.msg);
            lxcf_upd_report(u, u->jobs[i].g->name, msg);
            r = lxcf_error(err, LXCF_EXIT_FAIL, "%s: not started again: %s", u->jobs[i].g->name, e.msg);
            continue;
        }
        lxcf_upd_report(u, u->jobs[i].g->name, "started again");
    }
    return r;
}

/* A guest failed: every touched guest goes back to its snapshot, the host
 * step never runs.  The logs stay for the administrator. */
static int lxcf_upd_undo(lxcf_upd *u, lxcf_err *err)
{
    const lxcf_upd_job *bad = NULL;
    int r = 0;

    for (size_t i = 0; i < u->n; i++) {
        lxcf_upd_job *jb = &u->jobs[i];
        _cleanup_free_ char *snap = lxcf_xasprintf("%s/%s/snapshot", u->dir, jb->g->name);
        lxcf_err e = LXCF_ERR_INIT;

        if (!bad && lxcf_error_isset(&jb->err))
            bad = jb;
        if (!jb->touched)
            continue;
        if (lxcf_update_rollback(jb->g->root, snap, &e) < 0) {
            _cleanup_free_ char *msg = lxcf_xasprintf("FAILED to roll back: %s", e.msg);
            lxcf_upd_report(u, jb->g->name, msg);
            r = -1;
            continue;
        }
        lxcf_upd_report(u, jb->g->name, "rolled back");
        lxcf_crashpoint("update-rollback");
    }
    if (r == 0 && unlink(u->journal_path) < 0 && errno != ENOENT)
        r = -1;
    lxcf_upd_restart(u, &(lxcf_err)LXCF_ERR_INIT);
    if (bad)
        *err = bad->err;
    else
        lxcf_error(err, LXCF_EXIT_FAIL, "update failed");
    if (r < 0)
        lxcf_error_prefix(err, "rollback incomplete, run lxcf update --recover; ");
    else
        lxcf_error_prefix(err, "every guest rolled back, host not updated: ");
    return -1;
}

/* Once the host step may have started, the guests keep the update, so a
 * crash can only be recovered by running CMD on the host (again): record
 * it, host files as absolute paths, NUL-separated. */
static int lxcf_upd_save_cmd(lxcf_upd *u, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(u->dir, LXCF_UPD_HOST_CMD);
    _cleanup_free_ char *buf = NULL;
    size_t len = 0, file = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot build", path);
    for (size_t i = 0; u->cmd->argv[i]; i++) {
        bool rewritten = !lxcf_streq(u->cmd->argv[i], u->cmd->chroot_argv[i]);
        fputs(rewritten ? u->cmd->files[file++] : u->cmd->argv[i], f);
        fputc('\0', f);
    }
    fclose(f);
    return lxcf_write_file_atomic(path, buf, len, 0600, false, err);
}

static int lxcf_upd_host_exec(lxcf_ctx *ctx, const lxcf_update_cmd *cmd, lxcf_err *err)
{
    lxcf_update_exec_opts o = { .root = ctx->root, .out_fd = -1 };
    int status = 0;

    fflush(NULL);
    if (lxcf_update_exec(cmd, &o, &status, err) < 0) {
        lxcf_error_prefix(err, "host: ");
        return -1;
    }
    if (status != 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "host: %s failed with exit status %d; the guests keep the update, "
                          "repeat it on the host", cmd->argv[0], status);
    return 0;
}

static int lxcf_upd_host(lxcf_upd *u, lxcf_err *err)
{
    if (lxcf_upd_save_cmd(u, err) < 0 || lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_HOST, err) < 0)
        return -1;
    lxcf_crashpoint("update-before-host");
    lxcf_upd_report(u, "host", u->ctx->root ? "updating (chroot)" : "updating");
    if (lxcf_upd_host_exec(u->ctx, u->cmd, err) < 0)
        return -1;
    /* At once: recovery must not run CMD on the host a second time. */
    if (lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_DONE, err) < 0)
        return -1;
    lxcf_crashpoint("update-host-done");
    lxcf_upd_report(u, "host", "ok");
    return 0;
}

/* The guests' databases now match what the host step did (or tried). */
static int lxcf_upd_finish(lxcf_upd *u, lxcf_err *err)
{
    lxcf_err e = LXCF_ERR_INIT;
    int r = lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_DONE, &e);

    if (lxcf_upd_restart(u, &e) < 0)
        r = -1;
    /* Anything unfinished keeps the journal for --recover (or the next run). */
    if (r == 0 && lxcf_fs_remove_tree(u->dir, &e) < 0)
        r = -1;
    if (r < 0 && !lxcf_error_isset(err))
        *err = e;
    return lxcf_error_isset(err) ? -1 : 0;
}

static char *lxcf_upd_join(char *const *argv)
{
    char *s = lxcf_xstrdup("");

    for (size_t i = 0; argv && argv[i]; i++) {
        char *t = lxcf_xasprintf("%s%s%s", s, i ? " " : "", argv[i]);
        free(s);
        s = t;
    }
    return s;
}

static void lxcf_upd_dry_download(lxcf_upd *u)
{
    _cleanup_strv_ char **off = NULL;
    _cleanup_free_ char *dl = NULL, *inst = NULL, *m1 = NULL, *m2 = NULL;

    if (u->dl_tool == LXCF_PKGSRC_NONE)
        return;
    off = lxcf_pkgsrc_offline_argv(u->cmd->argv, u->dl_dir, !u->sources || !u->sources[0]);
    dl = lxcf_upd_join(u->dl_argv);
    inst = lxcf_upd_join(off);
    m1 = lxcf_xasprintf("would first download, once and before any guest is touched, the "
                        "packages the command needs (the host fetches them): %s", dl);
    m2 = lxcf_xasprintf("every guest and the host would then install that same set, %s at the "
                        "same path in each guest: %s",
                        u->dl_tool == LXCF_PKGSRC_DNF ? "through a throw-away overlay"
                                                      : "read-only", inst);
    lxcf_upd_report(u, "host", m1);
    lxcf_upd_report(u, "update", m2);
}

static void lxcf_upd_dry(lxcf_upd *u, const lxcf_update_plan *plan, bool pending)
{
    if (pending)
        lxcf_upd_report(u, "update", "an interrupted update would be recovered first");
    for (char **s = plan->skipped; s && *s; s++)
        lxcf_upd_report(u, *s, "skipped (still building)");
    for (char **src = u->sources; src && *src; src++) {
        _cleanup_free_ char *m = lxcf_xasprintf("local package source %s is mounted read-only "
                                                "at the same path in each guest", *src);
        lxcf_upd_report(u, "update", m);
    }
    lxcf_upd_dry_download(u);
    for (size_t i = 0; i < lxcf_strv_len(u->cmd->files); i++) {
        _cleanup_free_ char *m = lxcf_xasprintf("%s is copied into each chroot as %s",
                                                u->cmd->files[i], u->cmd->dests[i]);
        lxcf_upd_report(u, "update", m);
    }
    for (size_t i = 0; i < plan->n; i++) {
        const lxcf_update_guest *g = &plan->g[i];
        bool joint = g->model == LXCF_MODEL_JOINT;
        _cleanup_free_ char *m = lxcf_xasprintf(
            "would %ssnapshot, run the command %s%s", g->running ? "stop, " : "",
            joint ? "with a throw-away overlay over the host's /usr (joint)"
                  : "on its own /usr (separate)",
            g->running ? ", start again" : " (shut off: stays so)");
        lxcf_upd_report(u, g->name, m);
    }
    lxcf_upd_report(u, "host", u->ctx->root ? "would then run the command chrooted in the host tree"
                                             : "would then run the command on the host");
}

static int lxcf_upd_init(lxcf_upd *u, lxcf_ctx *ctx, const lxcf_update_plan *plan,
                         const lxcf_update_cmd *cmd, const lxcf_report *rep)
{
    _cleanup_free_ char *roots = lxcf_ctx_roots_dir(ctx);

    memset(u, 0, sizeof(*u));
    pthread_mutex_init(&u->mu, NULL);
    u->ctx = ctx;
    u->cmd = cmd;
    u->rep = rep;
    u->dir = lxcf_path_join(roots, LXCF_UPDATE_DIR);
    u->journal_path = lxcf_path_join(u->dir, "journal");
    u->host_usr = lxcf_ctx_path(ctx, "/usr");
    u->db_kind = lxcf_pkgdb_kind_for(cmd->argv[0], ctx->root);
    u->n = plan->n;
    u->jobs = lxcf_xcalloc(plan->n + 1, sizeof(*u->jobs));
    for (size_t i = 0; i < plan->n; i++)
        u->jobs[i].g = &plan->g[i];
    return 0;
}

/* ROOT's rpm database, as the machine's rpm prints it. */
static int lxcf_upd_rpm_read(const char *root, const char *dbpath, lxcf_pkgdb *db,
                             lxcf_err *err)
{
    _cleanup_strv_ char **argv = lxcf_pkgdb_rpm_query(root, dbpath);
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_close_ int fd = memfd_create("lxcf-rpm-query", MFD_CLOEXEC);
    _cleanup_free_ char *out = NULL;
    lxcf_update_exec_opts o = { .out_fd = fd };
    int status = 0;

    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create a memfd");
    if (lxcf_update_cmd_prepare(argv, &cmd, err) < 0 || lxcf_update_exec(&cmd, &o, &status, err) < 0) {
        lxcf_error_prefix(err, "%s: cannot run rpm to read its database: ", root);
        return -1;
    }
    if (lseek(fd, 0, SEEK_SET) < 0 || lxcf_read_fd(fd, &out, NULL) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot read rpm's output", root);
    if (status != 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: rpm -qa --dbpath=%s failed with exit status %d: %.*s",
                          root, dbpath, status, (int)strcspn(out, "\n"), out);
    if (lxcf_pkgdb_parse_rpm(out, db, err) < 0) {
        lxcf_error_prefix(err, "%s: ", root);
        return -1;
    }
    return 0;
}

/* ROOT's database of the kind CMD changes; found false when ROOT has none
 * of its own. */
static int lxcf_upd_db_read(const lxcf_upd *u, const char *root, lxcf_pkgdb *db, lxcf_err *err)
{
    _cleanup_free_ char *dbpath = NULL;

    if (u->db_kind == LXCF_PKGDB_DPKG)
        return lxcf_pkgdb_read(root, db, err);
    memset(db, 0, sizeof(*db));
    dbpath = lxcf_pkgdb_rpm_dbpath(root);
    return dbpath ? lxcf_upd_rpm_read(root, dbpath, db, err) : 0;
}

/* The database of the joint guest JB before (its snapshot) and after. */
static int lxcf_upd_dbs(const lxcf_upd *u, const lxcf_upd_job *jb, lxcf_pkgdb *before,
                        lxcf_pkgdb *after, lxcf_err *err)
{
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/%s/snapshot", u->dir, jb->g->name);

    if (lxcf_upd_db_read(u, snap, before, err) < 0)
        return -1;
    if (lxcf_upd_db_read(u, jb->g->root, after, err) < 0) {
        lxcf_pkgdb_clear(before);
        return -1;
    }
    return 0;
}

static bool lxcf_upd_joint(const lxcf_upd_job *jb)
{
    return jb->touched && jb->g->model == LXCF_MODEL_JOINT;
}

/* The first joint guest whose database names another version of NAME
 * than the joint guest before it: it fails, and U->failed rolls every
 * guest back. */
static void lxcf_upd_agree_on(lxcf_upd *u, const char *name)
{
    const lxcf_upd_job *first = NULL;
    const char *v0 = NULL;

    for (size_t i = 0; i < u->n; i++) {
        if (!lxcf_upd_joint(&u->jobs[i]) || !u->after[i].found)
            continue;
        const char *v = lxcf_pkgdb_version(&u->after[i], name);
        if (!first) {
            first = &u->jobs[i];
            v0 = v;
        } else if (!lxcf_streq(v, v0)) {
            lxcf_error(&u->jobs[i].err, LXCF_EXIT_FAIL,
                       "%s: %s is at %s where joint guest %s has %s: joint guests share "
                       "the host's /usr and must agree (a pin, hold or exclude in one of them?)",
                       u->jobs[i].g->name, name, v ? v : "(not installed)", first->g->name,
                       v0 ? v0 : "(not installed)");
            u->failed = true;
            return;
        }
    }
}

/* Joint guests run the host's /usr: the packages CMD changed must end at
 * one version in all of them, or the host step would leave some guests'
 * databases naming what their /usr does not hold.  Puts the changed names
 * into U->changed and each database into U->after; a disagreement (or an
 * unreadable database) fails the guest concerned. */
static void lxcf_upd_versions_agree(lxcf_upd *u)
{
    int r = 0;

    u->after = lxcf_xcalloc(u->n + 1, sizeof(*u->after));
    u->changed = lxcf_xcalloc(1, sizeof(char *));
    for (size_t i = 0; r == 0 && i < u->n; i++) {
        lxcf_pkgdb before = { 0 };
        if (!lxcf_upd_joint(&u->jobs[i]))
            continue;
        r = lxcf_upd_dbs(u, &u->jobs[i], &before, &u->after[i], &u->jobs[i].err);
        if (r == 0)
            lxcf_pkgdb_changed(&before, &u->after[i], &u->changed);
        else
            u->failed = true;
        lxcf_pkgdb_clear(&before);
    }
    for (char **p = u->changed; r == 0 && !u->failed && *p; p++)
        lxcf_upd_agree_on(u, *p);
}

/* After the host step: each joint guest's database (unchanged since the
 * guests' step) names the host's version of every package that step
 * changed. */
static int lxcf_upd_versions_match_host(lxcf_upd *u, lxcf_err *err)
{
    lxcf_pkgdb host = { 0 };
    int r = lxcf_upd_db_read(u, u->ctx->root ? u->ctx->root : "/", &host, err);

    for (size_t i = 0; r == 0 && host.found && i < u->n; i++) {
        const lxcf_pkgdb *g = &u->after[i];
        if (!lxcf_upd_joint(&u->jobs[i]))
            continue;
        for (char **p = u->changed; r == 0 && g->found && p && *p; p++) {
            const char *hv = lxcf_pkgdb_version(&host, *p), *gv = lxcf_pkgdb_version(g, *p);
            if (!lxcf_streq(hv, gv))
                r = lxcf_error(err, LXCF_EXIT_FAIL,
                               "%s: %s is at %s on the host but at %s in this joint guest, "
                               "which runs the host's /usr: repeat the update with --only %s",
                               u->jobs[i].g->name, *p, hv ? hv : "(not installed)",
                               gv ? gv : "(not installed)", u->jobs[i].g->name);
        }
    }
    lxcf_pkgdb_clear(&host);
    return r;
}

static int lxcf_upd_cycle(lxcf_upd *u, unsigned jobs, lxcf_err *err)
{
    if (mkdir(u->dir, 0700) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", u->dir);
    if (lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_GUESTS, err) < 0)
        return -1;
    lxcf_crashpoint("update-journal-written");
    lxcf_upd_parallel(u, lxcf_jobs_for(jobs, u->n));
    if (!u->failed)
        lxcf_upd_versions_agree(u);
    if (u->failed)
        return lxcf_upd_undo(u, err);
    if (lxcf_upd_host(u, err) < 0 || lxcf_upd_versions_match_host(u, err) < 0) {
        lxcf_upd_finish(u, err);
        return -1;
    }
    return lxcf_upd_finish(u, err);
}

static int lxcf_upd_lock(lxcf_ctx *ctx, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_ctx_path(ctx, LXCF_LOCK_PATH);
    /* A second update must not queue behind the first: it would re-run CMD
     * on a state the admin has not looked at. */
    return lxcf_lock_take(path, 0, err);
}

static bool lxcf_upd_pending(lxcf_ctx *ctx)
{
    _cleanup_free_ char *roots = lxcf_ctx_roots_dir(ctx);
    _cleanup_free_ char *j = lxcf_xasprintf("%s/%s/journal", roots, LXCF_UPDATE_DIR);
    return access(j, F_OK) == 0;
}

/* ---- downloading once --------------------------------------------------- */

/* Where the host fetches packages, CMD installs or upgrades with apt or dnf
 * and there is nothing to say otherwise: download once, into a directory
 * of lxcf's. */
static void lxcf_upd_dl_init(lxcf_upd *u, char *const *argv, bool remote)
{
    u->dl_tool = remote ? lxcf_pkgsrc_fetcher(argv) : LXCF_PKGSRC_NONE;
    if (u->dl_tool == LXCF_PKGSRC_NONE)
        return;
    _cleanup_free_ char *roots = lxcf_path_clean(u->ctx->cfg.roots);
    u->dl_dir = lxcf_path_join(roots ? roots : u->ctx->cfg.roots, LXCF_UPDATE_DIR "/download");
    u->dl_host = lxcf_ctx_path(u->ctx, u->dl_dir);
    u->dl_argv = lxcf_pkgsrc_download_argv(argv, u->dl_dir);
}

/* The line of the tool's log that says why it failed: its first error
 * ("E: ..." from apt, "Error: ..." from dnf, with the line after it when
 * it ends in ':'), or its last line. */
static char *lxcf_upd_log_reason(const char *log)
{
    _cleanup_free_ char *text = NULL;
    lxcf_err e = LXCF_ERR_INIT;
    char *save = NULL;

    if (lxcf_read_file(log, &text, NULL, &e) < 0)
        return lxcf_xstrdup("(no output)");
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!lxcf_startswith(l, "E: ") && !lxcf_startswith(l, "Error"))
            continue;
        char *next = lxcf_endswith(l, ":") ? strtok_r(NULL, "\n", &save) : NULL;
        return next ? lxcf_xasprintf("%s %s", l, next + strspn(next, " ")) : lxcf_xstrdup(l);
    }
    return lxcf_update_log_tail(log, 1);
}

/* How many package files DIR (recursively) holds, and their bytes. */
static void lxcf_upd_dl_count(const char *dir, size_t *n, unsigned long long *bytes)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;

    while (d && (de = readdir(d))) {
        _cleanup_free_ char *p = lxcf_path_join(dir, de->d_name);
        struct stat st;
        if (de->d_name[0] == '.' || lstat(p, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            lxcf_upd_dl_count(p, n, bytes);
        } else if (S_ISREG(st.st_mode) &&
                   (lxcf_endswith(de->d_name, ".deb") || lxcf_endswith(de->d_name, ".rpm"))) {
            (*n)++;
            *bytes += (unsigned long long)st.st_size;
        }
    }
}

/* What of the host's dnf cache the download starts from: the metadata, so
 * that dnf fetches only what it would fetch on the host anyway (not
 * packages, nor a lock a running dnf holds). */
static lxcf_copy_action lxcf_upd_seed_filter(const char *rel, const struct stat *st,
                                             void *opaque)
{
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;

    (void)opaque;
    if ((S_ISDIR(st->st_mode) && lxcf_streq(base, "packages")) || lxcf_endswith(base, "lock.pid"))
        return LXCF_COPY_SKIP;
    return LXCF_COPY_ENTRY;
}

static int lxcf_upd_dnf_seed(const lxcf_upd *u, lxcf_err *err)
{
    _cleanup_free_ char *cache = lxcf_ctx_path(u->ctx, "/var/cache/dnf");
    lxcf_copy_opts opts = { .one_file_system = true, .filter = lxcf_upd_seed_filter };
    struct stat st;

    if (u->dl_tool != LXCF_PKGSRC_DNF || lstat(cache, &st) < 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (lxcf_fs_copy_tree(cache, u->dl_host, &opts, NULL, err) < 0) {
        lxcf_error_prefix(err, "host: cannot start the download from dnf's cache: ");
        return -1;
    }
    return 0;
}

static int lxcf_upd_dl_remove(const lxcf_upd *u, lxcf_err *err)
{
    return u->dl_host ? lxcf_remove_if_exists(u->dl_host, err) : 0;
}

/* Run the download step on the host (chrooted in the host tree under
 * --root), its output in ROOTS/.lxcf-update/download.log.  Nothing has
 * been stopped yet: a failure is one line and nothing to undo. */
static int lxcf_upd_download(lxcf_upd *u, lxcf_err *err)
{
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_free_ char *log = lxcf_path_join(u->dir, "download.log");
    _cleanup_close_ int logfd = -1;
    lxcf_update_exec_opts o = { .root = u->ctx->root };
    unsigned long long bytes = 0;
    size_t n = 0;
    int status = 0;

    if (mkdir(u->dir, 0700) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", u->dir);
    if (lxcf_upd_dl_remove(u, err) < 0 || lxcf_update_cmd_prepare(u->dl_argv, &cmd, err) < 0)
        return -1;
    if (mkdir(u->dl_host, 0755) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", u->dl_host);
    if (lxcf_upd_dnf_seed(u, err) < 0)
        return -1;
    logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (logfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", log);
    o.out_fd = logfd;
    lxcf_upd_report(u, "host", "downloading the packages once, for every guest and the host");
    if (lxcf_update_exec(&cmd, &o, &status, err) < 0) {
        lxcf_error_prefix(err, "host: the download step: ");
        return -1;
    }
    if (status != 0) {
        _cleanup_free_ char *why = lxcf_upd_log_reason(log);
        return lxcf_error(err, LXCF_EXIT_FAIL, "host: downloading the packages failed, no guest "
                          "was touched: %s exited with %d: %s (log: %s)", cmd.argv[0], status,
                          why, log);
    }
    lxcf_upd_dl_count(u->dl_host, &n, &bytes);
    _cleanup_free_ char *m = lxcf_xasprintf("downloaded %zu package file%s (%llu KiB): every "
                                            "guest and the host install these", n,
                                            n == 1 ? "" : "s", (bytes + 1023) / 1024);
    lxcf_upd_report(u, "host", m);
    return 0;
}

/* CMD as every guest and the host run it after the download, into *CMD;
 * apt's guests see the directory read-only through the package sources'
 * bind mounts, dnf's through the overlay of lxcf_update_exec_opts.view. */
static int lxcf_upd_offline(lxcf_upd *u, char *const *argv, lxcf_update_cmd *cmd, lxcf_err *err)
{
    bool only_dir = !u->sources || !u->sources[0];
    _cleanup_strv_ char **off = lxcf_pkgsrc_offline_argv(argv, u->dl_dir, only_dir);

    if (lxcf_update_cmd_prepare(off, cmd, err) < 0)
        return -1;
    if (u->dl_tool == LXCF_PKGSRC_APT)
        lxcf_strv_push(&u->sources, lxcf_xstrdup(u->dl_dir));
    u->cmd = cmd;
    return 0;
}

/* Download, run the cycle from what was downloaded, remove it (also when
 * anything failed). */
static int lxcf_upd_cycle_once(lxcf_upd *u, char *const *argv, unsigned jobs, lxcf_err *err)
{
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd off = { 0 };
    lxcf_err e = LXCF_ERR_INIT;
    int r = lxcf_upd_download(u, err);

    if (r == 0)
        r = lxcf_upd_offline(u, argv, &off, err);
    if (r == 0)
        r = lxcf_upd_cycle(u, jobs, err);
    u->cmd = NULL;
    if (lxcf_upd_dl_remove(u, &e) < 0 && r == 0) {
        *err = e;
        r = -1;
    }
    return r;
}

int lxcf_update_run(lxcf_ctx *ctx, char *const *argv, const lxcf_update_opts *o,
                    const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = -1;
    _cleanup_(lxcf_update_plan_clear) lxcf_update_plan plan = { 0 };
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_(lxcf_upd_clear) lxcf_upd u = { 0 };
    _cleanup_free_ char *roots = NULL;
    _cleanup_strv_ char **sources = NULL;
    lxcf_virt_list l = { 0 };
    bool remote = false;
    int r;

    /* A missing repository is bad input: found before any guest stops. */
    if (lxcf_update_cmd_prepare(argv, &cmd, err) < 0 ||
        lxcf_pkgsrc_find(ctx->root, argv, &sources, &remote, err) < 0)
        return -1;
    lock = lxcf_upd_lock(ctx, err);
    if (lock < 0 || lxcf_ctx_connect(ctx, err) < 0)
        return -1;
    lxcf_crashpoint("update-locked");
    if (!o->dry_run && lxcf_update_recover(ctx, true, rep, err) < 0)
        return -1;
    if (lxcf_virt_list_all(ctx->conn, &l, err) < 0)
        return -1;
    roots = lxcf_ctx_roots_dir(ctx);
    r = lxcf_update_plan_build(&l, roots, o->only, &plan, err);
    lxcf_virt_list_clear(&l);
    if (r < 0)
        return -1;
    lxcf_upd_init(&u, ctx, &plan, &cmd, rep);
    u.sources = lxcf_steal_ptr(sources);
    lxcf_upd_dl_init(&u, argv, remote);
    if (o->dry_run) {
        lxcf_upd_dry(&u, &plan, lxcf_upd_pending(ctx));
        return 0;
    }
    if (u.dl_tool != LXCF_PKGSRC_NONE)
        return lxcf_upd_cycle_once(&u, argv, o->jobs, err);
    return lxcf_upd_cycle(&u, o->jobs, err);
}

/* ---- recovery ----------------------------------------------------------- */

static void lxcf_rec_msg(const lxcf_report *rep, const char *name, const char *msg)
{
    if (rep && rep->fn)
        rep->fn(rep->opaque, name, msg);
}

static int lxcf_rec_guest(lxcf_ctx *ctx, const char *dir, const char *name,
                          const lxcf_update_journal *j, const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/%s/snapshot", dir, name);
    _cleanup_free_ char *root = lxcf_ctx_container_root(ctx, name);
    struct stat st;

    if (lstat(snap, &st) < 0)
        return 0;
    /* Only a complete snapshot of a guest CMD may have changed is put back;
     * after the host step started, the guests already match the host. */
    if (j->phase == LXCF_UPDATE_PHASE_GUESTS && lxcf_strv_contains(j->touched, name)) {
        if (lxcf_update_rollback(root, snap, err) < 0) {
            lxcf_error_prefix(err, "%s: ", name);
            return -1;
        }
        lxcf_rec_msg(rep, name, "rolled back");
        lxcf_crashpoint("update-recover-guest");
        return 0;
    }
    if (lxcf_fs_remove_tree(snap, err) < 0)
        return -1;
    lxcf_rec_msg(rep, name, "snapshot discarded");
    lxcf_crashpoint("update-recover-guest");
    return 0;
}

/* The host step was interrupted (or ran just before the crash): the guests
 * have the update, so the host must get it too.  Package commands are made
 * to be run again. */
static int lxcf_rec_host(lxcf_ctx *ctx, const char *dir, lxcf_update_journal *j,
                         const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, LXCF_UPD_HOST_CMD);
    _cleanup_free_ char *jpath = lxcf_path_join(dir, "journal");
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_strv_ char **argv = lxcf_xcalloc(1, sizeof(char *));
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;

    if (lxcf_read_file(path, &buf, &len, err) < 0) {
        lxcf_error_prefix(err, "host: the interrupted host step cannot be repeated, repeat it by hand: ");
        return -1;
    }
    for (size_t off = 0; off < len; off += strlen(buf + off) + 1)
        lxcf_strv_push(&argv, lxcf_xstrndup(buf + off, len - off));
    if (lxcf_update_cmd_prepare(argv, &cmd, err) < 0)
        return -1;
    lxcf_rec_msg(rep, "host", "running the interrupted host step again");
    if (lxcf_upd_host_exec(ctx, &cmd, err) < 0)
        return -1;
    j->phase = LXCF_UPDATE_PHASE_DONE;
    if (lxcf_update_journal_write(jpath, j, err) < 0)
        return -1;
    lxcf_crashpoint("update-recover-host");
    lxcf_rec_msg(rep, "host", "ok");
    return 0;
}

static int lxcf_rec_guests(lxcf_ctx *ctx, const char *dir, const lxcf_update_journal *j,
                           const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", dir);
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || lxcf_streq(de->d_name, "journal"))
            continue;
        if (lxcf_rec_guest(ctx, dir, de->d_name, j, rep, err) < 0)
            return -1;
    }
    return 0;
}

static void lxcf_rec_restart(lxcf_ctx *ctx, const lxcf_update_journal *j, const lxcf_report *rep)
{
    for (char **s = j->stopped; s && *s; s++) {
        lxcf_err e = LXCF_ERR_INIT;

        if (lxcf_container_start(ctx, *s, rep, &e) < 0) {
            _cleanup_free_ char *m = lxcf_xasprintf("warning: not started again: %s", e.msg);
            lxcf_rec_msg(rep, *s, m);
            continue;
        }
        lxcf_rec_msg(rep, *s, "started again");
    }
}

int lxcf_update_recover(lxcf_ctx *ctx, bool have_lock, const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_(lxcf_lock_release) int lock = -1;
    _cleanup_(lxcf_update_journal_clear) lxcf_update_journal j = { 0 };
    _cleanup_free_ char *roots = lxcf_ctx_roots_dir(ctx);
    _cleanup_free_ char *dir = lxcf_path_join(roots, LXCF_UPDATE_DIR);
    _cleanup_free_ char *jpath = lxcf_path_join(dir, "journal");
    _cleanup_free_ char *msg = NULL;
    lxcf_err host_err = LXCF_ERR_INIT;
    int r;

    if (!have_lock && (lock = lxcf_upd_lock(ctx, err)) < 0)
        return -1;
    r = lxcf_update_journal_read(jpath, &j, err);
    if (r <= 0)
        return r;
    msg = lxcf_xasprintf("recovering an interrupted update (phase %s)", lxcf_update_phase_name(j.phase));
    lxcf_rec_msg(rep, "update", msg);
    /* A failed host step is reported like in a normal run: the guests keep
     * the update and the rest of the recovery goes on. */
    if (j.phase == LXCF_UPDATE_PHASE_HOST)
        (void)lxcf_rec_host(ctx, dir, &j, rep, &host_err);
    if (lxcf_rec_guests(ctx, dir, &j, rep, err) < 0)
        return -1;
    lxcf_rec_restart(ctx, &j, rep);
    if (lxcf_fs_remove_tree(dir, err) < 0)
        return -1;
    if (lxcf_error_isset(&host_err)) {
        *err = host_err;
        return -1;
    }
    return 0;
}

/* ---- deploy ------------------------------------------------------------- */

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

static int lxcf_deploy_owner(int rootfd, const char *rel, const struct stat *st, bool dir,
                             lxcf_err *err)
{
    _cleanup_close_ int fd = lxcf_fs_openat_beneath(rootfd, rel, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY,
                                                    0, err);

    if (fd < 0)
        return -1;
    if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "/%s: cannot set owner and mode", rel);
    return 0;
}

/* Refuse a symlink where the copy goes: replacing it would be safe, but a
 * guest that planted one is up to something the admin should see. */
static int lxcf_deploy_check_dest(int rootfd, const char *rel, lxcf_err *err)
{
    struct stat st;
    int r = lxcf_fs_stat_beneath(rootfd, rel, LXCF_FS_NOFOLLOW, &st, err);

    if (r < 0)
        return -1;
    if (r == 1 && S_ISLNK(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_FAIL, "/%s is a symlink in the guest; not replaced", rel);
    return 0;
}

static int lxcf_deploy_tree(int rootfd, const char *src, const char *rel, lxcf_err *err);

static int lxcf_deploy_dir(int rootfd, const char *src, const char *rel, const struct stat *st,
                           lxcf_err *err)
{
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *de;

    if (lxcf_fs_mkdir_p_beneath(rootfd, rel, st->st_mode & 07777, err) < 0 ||
        lxcf_deploy_owner(rootfd, rel, st, true, err) < 0)
        return -1;
    d = opendir(src);
    if (!d)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", src);
    while ((de = readdir(d))) {
        if (lxcf_streq(de->d_name, ".") || lxcf_streq(de->d_name, ".."))
            continue;
        _cleanup_free_ char *s = lxcf_xasprintf("%s/%s", src, de->d_name);
        _cleanup_free_ char *r = lxcf_xasprintf("%s/%s", rel, de->d_name);
        if (lxcf_deploy_tree(rootfd, s, r, err) < 0)
            return -1;
    }
    return 0;
}

static int lxcf_deploy_link(int rootfd, const char *src, const char *rel, const struct stat *st,
                            lxcf_err *err)
{
    char target[PATH_MAX];
    ssize_t n = readlink(src, target, sizeof(target) - 1);
    _cleanup_free_ char *parent = lxcf_xstrdup(rel);
    char *slash = strrchr(parent, '/');
    _cleanup_close_ int pfd = -1;

    if (n < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot read the link", src);
    target[n] = '\0';
    if (lxcf_fs_symlink_beneath(rootfd, target, rel, err) < 0)
        return -1;
    if (slash)
        *slash = '\0';
    pfd = lxcf_fs_openat_beneath(rootfd, slash ? parent : "", O_RDONLY | O_DIRECTORY, 0, err);
    if (pfd < 0)
        return -1;
    if (fchownat(pfd, slash ? slash + 1 : rel, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "/%s: cannot set the owner", rel);
    return 0;
}

static int lxcf_deploy_file(int rootfd, const char *src, const char *rel, const struct stat *st,
                            lxcf_err *err)
{
    _cleanup_free_ char *data = NULL;
    size_t len = 0;

    if (lxcf_read_file(src, &data, &len, err) < 0 ||
        lxcf_fs_write_beneath(rootfd, rel, data, len, st->st_mode & 07777, err) < 0)
        return -1;
    return lxcf_deploy_owner(rootfd, rel, st, false, err);
}

static int lxcf_deploy_tree(int rootfd, const char *src, const char *rel, lxcf_err *err)
{
    struct stat st;

    if (lstat(src, &st) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s", src);
    if (lxcf_deploy_check_dest(rootfd, rel, err) < 0)
        return -1;
    if (S_ISDIR(st.st_mode))
        return lxcf_deploy_dir(rootfd, src, rel, &st, err);
    if (S_ISREG(st.st_mode))
        return lxcf_deploy_file(rootfd, src, rel, &st, err);
    if (S_ISLNK(st.st_mode))
        return lxcf_deploy_link(rootfd, src, rel, &st, err);
    return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not a file, directory or symlink", src);
}

static int lxcf_deploy_one(int rootfd, const char *host_root, const char *abs, lxcf_err *err)
{
    _cleanup_free_ char *parent = lxcf_xstrdup(abs + 1), *src = lxcf_path_join(host_root, abs);
    char *slash = strrchr(parent, '/');

    if (slash) {
        *slash = '\0';
        if (lxcf_fs_mkdir_p_beneath(rootfd, parent, 0755, err) < 0)
            return -1;
    }
    return lxcf_deploy_tree(rootfd, src, abs + 1, err);
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

/* SRC (its REL below the deployed top) holds only files, directories and
 * links that stay inside the top. */
static int lxcf_deploy_check_tree(const char *src, const char *top, const char *rel,
                                  const char *shown, lxcf_err *err)
{
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *de;
    struct stat st;

    if (lstat(src, &st) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s", shown);
    if (S_ISREG(st.st_mode))
        return 0;
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(src, target, sizeof(target) - 1);
        if (n < 0)
            return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s", shown);
        target[n] = '\0';
        /* The top itself may be a link: the admin named it. */
        if (*rel && !lxcf_deploy_link_inside(top, rel, target))
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "%s: a symlink to '%s', out of the directory being deployed", shown,
                              target);
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not a file, directory or symlink", shown);
    d = opendir(src);
    if (!d)
        return lxcf_error_errno(err, LXCF_EXIT_USAGE, errno, "%s: cannot open", shown);
    while ((de = readdir(d))) {
        if (lxcf_streq(de->d_name, ".") || lxcf_streq(de->d_name, ".."))
            continue;
        _cleanup_free_ char *s = lxcf_xasprintf("%s/%s", src, de->d_name);
        _cleanup_free_ char *r = *rel ? lxcf_xasprintf("%s/%s", rel, de->d_name)
                                      : lxcf_xstrdup(de->d_name);
        _cleanup_free_ char *sh = lxcf_xasprintf("%s/%s", shown, de->d_name);
        if (lxcf_deploy_check_tree(s, top, r, sh, err) < 0)
            return -1;
    }
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
        if (lxcf_deploy_check_tree(src, out[i], "", out[i], err) < 0)
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

#include "update_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsremove.h"
#include "fsutil.h"
#include "spawn.h"
#include "update_layer.h"
#include "update_snapshot.h"
#include "util.h"

extern char **environ;


/* The mount points CMD needs in the root, in the order they are checked. */
enum { LXCF_MNT_PROC, LXCF_MNT_SYS, LXCF_MNT_DEV, LXCF_MNT_RUN, LXCF_MNT_TMP, LXCF_MNT_USR,
       LXCF_MNT_N };
static const char *const lxcf_mnt_names[LXCF_MNT_N] = { "proc", "sys", "dev", "run", "tmp",
                                                        "usr" };

/* Everything the child needs is prepared before fork(): between fork and
 * exec only system calls run (other threads may hold malloc's locks). */
typedef struct lxcf_child {
    const char *root;
    char *mnt[LXCF_MNT_N];  /* the mount points above, as host paths */
    char *overlay_opts;
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
    lxcf_update_layers layers;   /* the trees of a layered snapshot, merged */
    int ns_fd;         /* a mount namespace to enter, or -1 */
    int out_fd;
    pid_t parent;
} lxcf_child;

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

static int lxcf_child_mounts(const lxcf_child *c, lxcf_spawn_fail *fail)
{
    if (unshare(CLONE_NEWNS) < 0)
        return lxcf_spawn_failed(fail, "cannot unshare the mount namespace", errno);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return lxcf_spawn_failed(fail, "cannot make mounts private", errno);
    /* First: the mount points below are made in the snapshot's trees. */
    if (lxcf_update_layers_mount(&c->layers) < 0)
        return lxcf_spawn_failed(fail, "cannot mount the overlay of the snapshot", errno);
    if (c->overlay_opts &&
        mount("overlay", c->mnt[LXCF_MNT_USR], "overlay", 0, c->overlay_opts) < 0)
        return lxcf_spawn_failed(fail, "cannot mount the overlay on usr", errno);
    if (mount("/proc", c->mnt[LXCF_MNT_PROC], NULL, MS_BIND | MS_REC, NULL) < 0)
        return lxcf_spawn_failed(fail, "cannot bind-mount /proc", errno);
    if (mount("/sys", c->mnt[LXCF_MNT_SYS], NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, c->mnt[LXCF_MNT_SYS], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
        return lxcf_spawn_failed(fail, "cannot bind-mount /sys", errno);
    if (mount("/dev", c->mnt[LXCF_MNT_DEV], NULL, MS_BIND | MS_REC, NULL) < 0)
        return lxcf_spawn_failed(fail, "cannot bind-mount /dev", errno);
    /* tmpfs: what CMD leaves in /run and /tmp never reaches the tree. */
    if (mount("tmpfs", c->mnt[LXCF_MNT_RUN], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
        return lxcf_spawn_failed(fail, "cannot mount a tmpfs on run", errno);
    if (mount("tmpfs", c->mnt[LXCF_MNT_TMP], "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
        return lxcf_spawn_failed(fail, "cannot mount a tmpfs on tmp", errno);
    /* Read-only: an update must not change the repository it reads. */
    for (size_t i = 0; c->src_host && c->src_host[i]; i++)
        if (mount(c->src_host[i], c->src_mnt[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
            mount(NULL, c->src_mnt[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
            return lxcf_spawn_failed(fail, "cannot bind-mount a local package source", errno);
    if (c->view_opts && mount("overlay", c->view_mnt, "overlay", 0, c->view_opts) < 0)
        return lxcf_spawn_failed(fail, "cannot mount the overlay on the downloaded packages",
                                 errno);
    if (chroot(c->root) < 0 || chdir("/") < 0)
        return lxcf_spawn_failed(fail, "cannot chroot", errno);
    if (c->nfiles && mkdir(LXCF_UPDATE_FILES_DIR, 0755) < 0)
        return lxcf_spawn_failed(fail, "cannot copy the command's files", errno);
    for (size_t i = 0; i < c->nfiles; i++)
        if (mkdir(c->dest_dirs[i], 0755) < 0 || lxcf_child_copy(c->src_fds[i], c->dests[i]) < 0)
            return lxcf_spawn_failed(fail, "cannot copy the command's files", errno);
    return 0;
}

/* Between fork and exec (lxcf_spawn_setup_fn): system calls only. */
static int lxcf_child_setup(void *opaque, lxcf_spawn_fail *fail)
{
    const lxcf_child *c = opaque;

    /* CMD must not outlive a killed lxcf: recovery would roll back a tree
     * it is still writing. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->parent)
        _exit(127);
    if (c->root && lxcf_child_mounts(c, fail) < 0)
        return -1;
    if (c->ns_fd >= 0 && setns(c->ns_fd, CLONE_NEWNS) < 0)
        return lxcf_spawn_failed(fail, "cannot enter the mount namespace", errno);
    if (c->out_fd >= 0) {
        int nul = open("/dev/null", O_RDONLY);
        if (nul < 0 || dup2(nul, 0) < 0 || dup2(c->out_fd, 1) < 0 || dup2(c->out_fd, 2) < 0)
            return lxcf_spawn_failed(fail, "cannot set up stdin/stdout", errno);
    }
    return 0;
}

static void lxcf_child_clear(lxcf_child *c)
{
    for (size_t i = 0; i < LXCF_MNT_N; i++)
        free(c->mnt[i]);
    free(c->overlay_opts);
    lxcf_strv_free(c->exe);
    lxcf_strv_free(c->envp);
    lxcf_strv_free(c->dest_dirs);
    lxcf_strv_free(c->src_host);
    lxcf_strv_free(c->src_mnt);
    lxcf_strv_free(c->src_made);
    free(c->view_mnt);
    free(c->view_opts);
    lxcf_update_layers_clear(&c->layers);
    if (c->ns_fd >= 0)
        close(c->ns_fd);
    for (size_t i = 0; i < c->nfiles; i++)
        if (c->src_fds[i] >= 0)
            close(c->src_fds[i]);
    free(c->src_fds);
}

/* The mount points CMD needs must be real directories of ROOT: a symlink
 * planted there would point a mount elsewhere. */
static int lxcf_child_mount_points(const lxcf_update_exec_opts *o, lxcf_child *c, lxcf_err *err)
{
    for (size_t i = 0; i < LXCF_MNT_N; i++) {
        struct stat st;

        c->mnt[i] = lxcf_path_join(o->root, lxcf_mnt_names[i]);
        if (i == LXCF_MNT_USR && !o->usr_lower)
            continue;
        if (lstat(c->mnt[i], &st) < 0 || !S_ISDIR(st.st_mode))
            return lxcf_error(err, LXCF_EXIT_FAIL, "%s is not a directory (a symlink or missing)",
                              c->mnt[i]);
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

/* The mount point SRC (an absolute path) made beneath the root, or beneath
 * a layered snapshot's tree that the overlay shows at SRC (a link a guest
 * planted on the way is refused); the outermost directory we create is
 * remembered in C, to be removed afterwards. */
static int lxcf_child_mount_point(const lxcf_update_exec_opts *o, const char *src, lxcf_child *c,
                                  lxcf_err *err)
{
    const char *base = o->layers ? lxcf_update_layer_base(o->root, o->layers, src) : o->root;
    _cleanup_close_ int rootfd = lxcf_fs_open_root(base, err);
    _cleanup_free_ char *rel = lxcf_xstrdup(src + 1);
    struct stat st;

    if (rootfd < 0)
        return -1;
    for (char *p = rel;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char was = *p;
        *p = '\0';
        int r = lxcf_fs_stat_beneath(rootfd, rel, LXCF_FS_NOFOLLOW, &st, err);
        if (r < 0)
            return -1;
        if (r == 0) {
            lxcf_strv_push(&c->src_made, lxcf_path_join(base, rel));
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
    c->src_host = lxcf_xcalloc(1, sizeof(char *));
    c->src_mnt = lxcf_xcalloc(1, sizeof(char *));
    c->src_made = lxcf_xcalloc(1, sizeof(char *));
    if ((!o->sources || !o->sources[0]) && !o->view)
        return 0;
    for (char *const *src = o->sources; src && *src; src++) {
        if (lxcf_child_mount_point(o, *src, c, err) < 0)
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
    if (lxcf_child_mount_point(o, o->view, c, err) < 0)
        return -1;
    c->view_mnt = lxcf_path_join(o->root, o->view);
    c->view_opts = lxcf_xasprintf("lowerdir=%s,upperdir=%s/view-upper,workdir=%s/view-work",
                                  lower, o->scratch, o->scratch);
    return 0;
}

/* Remove the mount points lxcf_child_sources made (empty once the child's
 * mount namespace is gone). */
static int lxcf_child_sources_remove(const lxcf_child *c, lxcf_err *err)
{
    for (char **m = c->src_made; m && *m; m++)
        if (lxcf_fs_remove_tree(*m, err) < 0)
            return -1;
    return 0;
}

static int lxcf_child_prepare(const lxcf_update_cmd *cmd, const lxcf_update_exec_opts *o,
                              lxcf_child *c, lxcf_err *err)
{
    c->root = o->root;
    c->out_fd = o->out_fd;
    c->ns_fd = o->ns ? open(o->ns, O_RDONLY | O_CLOEXEC) : -1;
    if (o->ns && c->ns_fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", o->ns);
    c->argv = o->root ? cmd->chroot_argv : cmd->argv;
    c->parent = getpid();
    c->envp = lxcf_child_env(o->root != NULL);
    if (!o->root)
        return 0;
    if (lxcf_child_mount_points(o, c, err) < 0 || lxcf_child_sources(o, c, err) < 0)
        return -1;
    if (o->layers && lxcf_update_layers_prepare(o->root, o->layers, o->scratch, &c->layers, err) < 0)
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
        if (lxcf_update_remove_if_exists(p, err) < 0)
            return -1;
        if (create && mkdir(p, 0700) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", p);
    }
    return 0;
}

int lxcf_update_exec(const lxcf_update_cmd *cmd, const lxcf_update_exec_opts *o, int *status,
                     lxcf_err *err)
{
    lxcf_child c = { 0 };
    lxcf_spawn_opts so = { .exec_step = "cannot execute the command",
                           .setup = lxcf_child_setup, .opaque = &c };
    int r;

    if (lxcf_child_prepare(cmd, o, &c, err) < 0 || (o->root && lxcf_scratch_reset(o, true, err) < 0)) {
        lxcf_child_sources_remove(&c, NULL);
        lxcf_update_layers_end(&c.layers, NULL);
        lxcf_child_clear(&c);
        return -1;
    }
    /* Without a root, argv[0] is looked up in our PATH (exe is NULL). */
    so.argv = c.argv;
    so.envp = c.envp;
    so.exe = c.exe;
    r = lxcf_spawn(&so, status, err);
    /* The namespace died with the child: only the upper/work dirs and the
     * sources' mount points remain.  A failed command's error stays the
     * one reported (the first error wins). */
    if ((o->root && lxcf_scratch_reset(o, false, err) < 0) ||
        lxcf_child_sources_remove(&c, err) < 0 || lxcf_update_layers_end(&c.layers, err) < 0)
        r = -1;
    lxcf_child_clear(&c);
    return r;
}

char *lxcf_update_log_tail(const char *path, unsigned nlines)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    unsigned seen = 0;

    if (lxcf_read_file(path, &buf, &len, NULL) < 0)
        return lxcf_xstrdup("");
    while (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    for (size_t i = len; i > 0; i--)
        if (buf[i - 1] == '\n' && ++seen == nlines)
            return lxcf_xstrdup(buf + i);
    return lxcf_xstrdup(buf);
}

int lxcf_update_exec_host(lxcf_ctx *ctx, const lxcf_update_cmd *cmd, lxcf_err *err)
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

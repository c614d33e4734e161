#include "fscopy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy_impl.h"
#include "util.h"


static void lxcf_cp_ctx_free(lxcf_cp_ctx *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->links[i].rel);
    free(c->links);
}

/* One file, link, fifo or device node for a worker to create in DIR. */
typedef struct lxcf_cp_job {
    lxcf_cp_node *dir;
    char *rel; /* its last component is the name */
    struct stat st;
    lxcf_copy_action act;
} lxcf_cp_job;

/* Enough to keep the workers busy; small, as each job's directory keeps
 * two fds open until the job is done. */
#define LXCF_CP_QUEUE 64
#define LXCF_CP_WORKERS_MAX 8

typedef struct lxcf_cp_worker {
    lxcf_cp_ctx c;
    lxcf_err err;
    lxcf_copy_stats st; /* of the job at hand */
    pthread_t tid;
} lxcf_cp_worker;

struct lxcf_cp_pool {
    pthread_mutex_t lock;
    pthread_cond_t more, room;
    lxcf_cp_job q[LXCF_CP_QUEUE];
    size_t head, n;
    bool closing;
    atomic_bool stop; /* a failure: the walk ends, queued jobs are dropped */
    lxcf_err err;     /* the first failure, whichever thread had it */
    lxcf_err walk_err; /* the walk's, before it is moved to err */
    lxcf_copy_stats st; /* what the workers' finished jobs did */
    lxcf_cp_worker w[LXCF_CP_WORKERS_MAX];
    unsigned nw;
};

static void lxcf_cp_stats_add(lxcf_copy_stats *to, const lxcf_copy_stats *s)
{
    to->files += s->files;
    to->dirs += s->dirs;
    to->symlinks += s->symlinks;
    to->specials += s->specials;
    to->hardlinks += s->hardlinks;
    to->skipped += s->skipped;
    to->bytes += s->bytes;
    to->cloned += s->cloned;
}

static size_t lxcf_cp_hash(dev_t dev, ino_t ino, size_t cap)
{
    uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)ino * 0xc2b2ae3d27d4eb4fULL);
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static const char *lxcf_cp_link_find(lxcf_cp_ctx *c, const struct stat *st)
{
    if (!c->cap)
        return NULL;
    for (size_t i = lxcf_cp_hash(st->st_dev, st->st_ino, c->cap);; i = (i + 1) & (c->cap - 1)) {
        lxcf_cp_link *l = &c->links[i];
        if (!l->rel)
            return NULL;
        if (l->dev == st->st_dev && l->ino == st->st_ino)
            return l->rel;
    }
}

static void lxcf_cp_link_put(lxcf_cp_ctx *c, dev_t dev, ino_t ino, char *rel)
{
    if ((c->nlinks + 1) * 2 > c->cap) {
        lxcf_cp_link *old = c->links;
        size_t ocap = c->cap;
        c->cap = ocap ? ocap * 2 : 256;
        c->links = lxcf_xcalloc(c->cap, sizeof *c->links);
        c->nlinks = 0;
        for (size_t i = 0; i < ocap; i++)
            if (old[i].rel)
                lxcf_cp_link_put(c, old[i].dev, old[i].ino, old[i].rel);
        free(old);
    }
    size_t i = lxcf_cp_hash(dev, ino, c->cap);
    while (c->links[i].rel)
        i = (i + 1) & (c->cap - 1);
    c->links[i] = (lxcf_cp_link){ dev, ino, rel };
    c->nlinks++;
}

/* With a pool, the first failure of any thread is the copy's; it stops
 * the others. */
int lxcf_cp_fail(lxcf_cp_ctx *c, int e, const char *what)
{
    lxcf_error_errno(c->err, LXCF_EXIT_FAIL, e, "%s%s%s: cannot %s", c->src,
                     c->rel_len ? "/" : "", c->rel, what);
    if (c->pool) {
        pthread_mutex_lock(&c->pool->lock);
        lxcf_error_move(&c->pool->err, c->err);
        atomic_store(&c->pool->stop, true);
        pthread_mutex_unlock(&c->pool->lock);
    }
    return -1;
}

static void lxcf_cp_progress(lxcf_cp_ctx *c, bool force)
{
    struct timespec now;
    lxcf_copy_stats t;

    if (!c->o->progress)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!force && (now.tv_sec - c->last.tv_sec) * 1000000000LL + (now.tv_nsec - c->last.tv_nsec) <
                      500000000LL)
        return;
    c->last = now;
    t = *c->st;
    if (c->pool) {
        pthread_mutex_lock(&c->pool->lock);
        lxcf_cp_stats_add(&t, &c->pool->st);
        pthread_mutex_unlock(&c->pool->lock);
    }
    c->o->progress(t.bytes, t.files, c->o->progress_opaque);
}

/* Options name paths loosely ("/var/log/", "var/log"): P without its
 * leading slashes, *N its length without the trailing ones. */
static const char *lxcf_cp_trim(const char *p, size_t *n)
{
    while (*p == '/')
        p++;
    *n = strlen(p);
    while (*n > 0 && p[*n - 1] == '/')
        (*n)--;
    return p;
}

static bool lxcf_cp_listed(const char *const *list, const char *rel)
{
    for (; list && *list; list++) {
        size_t n;
        const char *s = lxcf_cp_trim(*list, &n);
        if (n == strlen(rel) && strncmp(s, rel, n) == 0)
            return true;
    }
    return false;
}

static lxcf_copy_action lxcf_cp_decide(lxcf_cp_ctx *c, const struct stat *st)
{
    if (lxcf_cp_listed(c->o->exclude, c->rel))
        return LXCF_COPY_SKIP;
    if (lxcf_cp_listed(c->o->no_contents, c->rel))
        return LXCF_COPY_NO_CONTENTS;
    if (c->o->filter)
        return c->o->filter(c->rel, st, c->o->filter_opaque);
    return LXCF_COPY_ENTRY;
}


static int lxcf_cp_dir(lxcf_cp_ctx *c, int sfd, int dfd);



/* Takes SFD and DFD; one reference, the walk's. */
static lxcf_cp_node *lxcf_cp_node_new(int sfd, int dfd, const struct stat *st, const char *rel)
{
    lxcf_cp_node *n = lxcf_xcalloc(1, sizeof *n);

    n->sfd = sfd;
    n->dfd = dfd;
    n->st = *st;
    n->rel = lxcf_xstrdup(rel);
    atomic_init(&n->refs, 1);
    return n;
}

static int lxcf_cp_node_put(lxcf_cp_ctx *c, lxcf_cp_node *n)
{
    int r = 0;

    if (atomic_fetch_sub(&n->refs, 1) != 1)
        return 0;
    if (!atomic_load(&c->pool->stop)) {
        c->rel_len = strlen(n->rel);
        memcpy(c->rel, n->rel, c->rel_len + 1);
        r = lxcf_cp_meta_fd(c, n->sfd, n->dfd, &n->st);
        c->st->dirs++;
    }
    close(n->sfd);
    close(n->dfd);
    free(n->rel);
    free(n);
    return r;
}

static void lxcf_cp_run(lxcf_cp_worker *w, lxcf_cp_job *j)
{
    lxcf_cp_ctx *c = &w->c;

    if (!atomic_load(&c->pool->stop)) {
        const char *slash = strrchr(j->rel, '/'), *name = slash ? slash + 1 : j->rel;
        c->rel_len = strlen(j->rel);
        memcpy(c->rel, j->rel, c->rel_len + 1);
        if (S_ISREG(j->st.st_mode))
            lxcf_cp_file(c, j->dir->sfd, j->dir->dfd, name, &j->st, j->act);
        else
            lxcf_cp_other(c, j->dir->sfd, j->dir->dfd, name, &j->st);
    }
    lxcf_cp_node_put(c, j->dir);
    free(j->rel);
}

static void *lxcf_cp_work(void *arg)
{
    lxcf_cp_worker *w = arg;
    lxcf_cp_pool *p = w->c.pool;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        lxcf_cp_job j;
        while (!p->n && !p->closing)
            pthread_cond_wait(&p->more, &p->lock);
        if (!p->n)
            break;
        j = p->q[p->head];
        p->head = (p->head + 1) % LXCF_CP_QUEUE;
        /* The walk, waiting on a full queue, refills half of it at once. */
        if (--p->n == LXCF_CP_QUEUE / 2)
            pthread_cond_signal(&p->room);
        pthread_mutex_unlock(&p->lock);
        w->st = (lxcf_copy_stats){ 0 };
        lxcf_cp_run(w, &j);
        pthread_mutex_lock(&p->lock);
        lxcf_cp_stats_add(&p->st, &w->st);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* The entry at the walk's c->rel, in the walk's directory, for a worker. */
static void lxcf_cp_dispatch(lxcf_cp_ctx *c, const struct stat *st, lxcf_copy_action act)
{
    lxcf_cp_pool *p = c->pool;

    atomic_fetch_add(&c->cur->refs, 1);
    pthread_mutex_lock(&p->lock);
    while (p->n == LXCF_CP_QUEUE)
        pthread_cond_wait(&p->room, &p->lock);
    p->q[(p->head + p->n) % LXCF_CP_QUEUE] =
        (lxcf_cp_job){ .dir = c->cur, .rel = lxcf_xstrdup(c->rel), .st = *st, .act = act };
    p->n++;
    pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->lock);
}

/* One per CPU by default into DFD's filesystem: on XFS that made the
 * copy of a system's etc and var a fifth faster, on ext4 it cost nothing
 * (more than one per CPU did).  None on btrfs, where every create and
 * clone in one subvolume takes the locks of the same b-tree: there
 * workers made that copy a fifth slower. */
static unsigned lxcf_cp_nworkers(const lxcf_copy_opts *o, int dfd)
{
    struct statfs sf;
    unsigned n = lxcf_jobs_for(o->workers, LXCF_CP_WORKERS_MAX);

    if (o->replace || n <= 1)
        return 0;
    if (!o->workers && fstatfs(dfd, &sf) == 0 && sf.f_type == BTRFS_SUPER_MAGIC)
        return 0;
    return n;
}

/* Start up to N workers copying for C; false when none could start. */
static bool lxcf_cp_pool_start(lxcf_cp_ctx *c, lxcf_cp_pool *p, unsigned n)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->more, NULL);
    pthread_cond_init(&p->room, NULL);
    atomic_init(&p->stop, false);
    for (unsigned i = 0; i < n; i++) {
        lxcf_cp_worker *w = &p->w[p->nw];
        w->c = (lxcf_cp_ctx){ .o = c->o, .pool = p, .st = &w->st, .src = c->src,
                              .top = c->top, .dst_top = c->dst_top, .err = &w->err };
        if (pthread_create(&w->tid, NULL, lxcf_cp_work, w) != 0)
            break;
        p->nw++;
    }
    if (!p->nw)
        return false;
    c->pool = p;
    c->err = &p->walk_err;
    return true;
}

/* Wait for the workers; the first failure goes to ERR. */
static int lxcf_cp_pool_end(lxcf_cp_ctx *c, lxcf_cp_pool *p, lxcf_err *err)
{
    pthread_mutex_lock(&p->lock);
    p->closing = true;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nw; i++)
        pthread_join(p->w[i].tid, NULL);
    pthread_cond_destroy(&p->more);
    pthread_cond_destroy(&p->room);
    pthread_mutex_destroy(&p->lock);
    lxcf_cp_stats_add(c->st, &p->st);
    c->pool = NULL;
    c->err = err;
    return atomic_load(&p->stop) ? lxcf_error_move(err, &p->err) : 0;
}

static int lxcf_cp_subdir(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                          const struct stat *st, lxcf_copy_action act)
{
    _cleanup_close_ int sfd = -1, dfd = -1;
    lxcf_fs_id id;
    bool contents = act == LXCF_COPY_ENTRY;

    if (mkdirat(ddir, name, 0700) < 0 && !(c->o->replace && errno == EEXIST))
        return lxcf_cp_fail(c, errno, "create the copy of");
    sfd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    dfd = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0 || dfd < 0)
        return lxcf_cp_fail(c, errno, "open");
    if (lxcf_fs_ident(sfd, "", &id) < 0)
        return lxcf_cp_fail(c, errno, "stat");
    if (id.ino != st->st_ino)
        return lxcf_cp_fail(c, EBUSY, "copy (it changed during the copy)");
    if (c->o->one_file_system && !lxcf_fs_same_mount(&id, &c->top))
        contents = false;
    if (c->pool) {
        lxcf_cp_node *n = lxcf_cp_node_new(lxcf_steal_fd(sfd), lxcf_steal_fd(dfd), st, c->rel),
                     *up = c->cur;
        int r;
        c->cur = n;
        r = contents ? lxcf_cp_dir(c, n->sfd, n->dfd) : 0;
        c->cur = up;
        return lxcf_cp_node_put(c, n) < 0 ? -1 : r;
    }
    if (contents && lxcf_cp_dir(c, sfd, dfd) < 0)
        return -1;
    c->st->dirs++;
    return lxcf_cp_meta_fd(c, sfd, dfd, st);
}

static int lxcf_cp_replace(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                           const struct stat *st);

static int lxcf_cp_entry(lxcf_cp_ctx *c, int sdir, int ddir, const char *name)
{
    struct stat st;
    lxcf_copy_action act;
    const char *first;
    int r;

    if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : lxcf_cp_fail(c, errno, "stat");
    if (c->o->replace && !S_ISDIR(st.st_mode) &&
        fstatat(ddir, name, &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW) == 0)
        return lxcf_cp_replace(c, sdir, ddir, name, &st);
    act = lxcf_cp_decide(c, &st);
    if (act == LXCF_COPY_SKIP || S_ISSOCK(st.st_mode)) {
        c->st->skipped++;
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return lxcf_cp_subdir(c, sdir, ddir, name, &st, act);
    if (st.st_nlink > 1 && (first = lxcf_cp_link_find(c, &st))) {
        if (linkat(c->dst_top, first, ddir, name, 0) < 0)
            return lxcf_cp_created(c, errno, "hard-link the copy of") < 0 ? -1 : 0;
        c->st->hardlinks++;
        return 0;
    }
    /* A second name must find its first one in the table: an inode with
     * several is copied here, in the walk. */
    if (c->pool && st.st_nlink == 1) {
        lxcf_cp_dispatch(c, &st, act);
        r = 0;
    } else if (S_ISREG(st.st_mode)) {
        r = lxcf_cp_file(c, sdir, ddir, name, &st, act);
    } else {
        r = lxcf_cp_other(c, sdir, ddir, name, &st);
    }
    if (r == 0 && st.st_nlink > 1)
        lxcf_cp_link_put(c, st.st_dev, st.st_ino, lxcf_xstrdup(c->rel));
    lxcf_cp_progress(c, false);
    return r < 0 ? -1 : 0;
}

/* opts->replace, and NAME (not a directory, ST) is in DDIR: the copy is
 * made in a temp directory beside it, synced and renamed over it, so that
 * NAME is the old entry or the whole new one at every moment. */
static int lxcf_cp_replace(lxcf_cp_ctx *c, int sdir, int ddir, const char *name,
                           const struct stat *st)
{
    _cleanup_free_ char *tmp = lxcf_tmp_name(name);
    _cleanup_close_ int tfd = -1;
    int r;

    if (mkdirat(ddir, tmp, 0700) < 0)
        return lxcf_cp_fail(c, errno, "make a temporary directory for");
    tfd = openat(ddir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    r = tfd < 0 ? lxcf_cp_fail(c, errno, "open a temporary directory for")
                : lxcf_cp_entry(c, sdir, tfd, name);
    if (r == 0) {
        _cleanup_close_ int fd = S_ISREG(st->st_mode)
            ? openat(tfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
        /* Nothing to rename: the filter left it out or it vanished. */
        if ((fd >= 0 && fsync(fd) < 0) || (renameat(tfd, name, ddir, name) < 0 && errno != ENOENT))
            r = lxcf_cp_fail(c, errno, "replace the copy of");
        else
            (void)fsync(ddir);
    }
    if (tfd >= 0)
        unlinkat(tfd, name, 0);
    unlinkat(ddir, tmp, AT_REMOVEDIR);
    return r;
}

static int lxcf_cp_dir(lxcf_cp_ctx *c, int sfd, int dfd)
{
    _cleanup_closedir_ DIR *d = lxcf_opendir_fd(sfd);
    struct dirent *de;

    if (!d)
        return lxcf_cp_fail(c, errno, "read the directory");
    while ((errno = 0, de = readdir(d))) {
        size_t old = c->rel_len, n = strlen(de->d_name);
        int r;

        if (c->pool && atomic_load(&c->pool->stop))
            return -1;
        if (lxcf_streq(de->d_name, ".") || lxcf_streq(de->d_name, ".."))
            continue;
        if (old + 1 + n >= sizeof c->rel)
            return lxcf_cp_fail(c, ENAMETOOLONG, "copy");
        if (old)
            c->rel[c->rel_len++] = '/';
        memcpy(c->rel + c->rel_len, de->d_name, n + 1);
        c->rel_len += n;
        r = lxcf_cp_entry(c, sfd, dfd, de->d_name);
        c->rel_len = old;
        c->rel[old] = '\0';
        if (r < 0)
            return -1;
    }
    if (errno)
        return lxcf_cp_fail(c, errno, "read the directory");
    return 0;
}

/* DST (or, when it does not exist yet, its parent + name) must not be SRC
 * or below it, or the copy would feed on itself, unless EXCLUDE leaves the
 * part holding DST out (a host copied into /var/lib/lxcf/... is that). */
static int lxcf_cp_check_nesting(const char *src, const char *dst, const char *const *exclude,
                                 lxcf_err *err)
{
    _cleanup_free_ char *rs = realpath(src, NULL), *rd = realpath(dst, NULL);
    const char *inner = NULL;

    if (!rs)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot resolve", src);
    if (!rd) {
        _cleanup_free_ char *dir = lxcf_xstrdup(dst), *rdir = NULL;
        char *slash;
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            dir[--n] = '\0';
        slash = strrchr(dir, '/');
        if (slash == dir)
            rdir = lxcf_xstrdup("/");
        else {
            if (slash)
                *slash = '\0';
            rdir = realpath(slash ? dir : ".", NULL);
        }
        if (!rdir)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot resolve", dst);
        rd = lxcf_xasprintf("%s%s%s", rdir, lxcf_streq(rdir, "/") ? "" : "/",
                            slash ? slash + 1 : dir);
    }
    if (lxcf_streq(rs, rd))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is the source itself, refusing to copy", dst);
    if (lxcf_streq(rs, "/"))
        inner = rd + 1;
    else if (lxcf_startswith(rd, rs) && rd[strlen(rs)] == '/')
        inner = rd + strlen(rs) + 1;
    if (!inner)
        return 0;
    /* Inside the source is fine only when the copy leaves that part out. */
    for (const char *const *e = exclude; e && *e; e++) {
        size_t n;
        const char *x = lxcf_cp_trim(*e, &n);
        if (n && strncmp(inner, x, n) == 0 && (inner[n] == '\0' || inner[n] == '/'))
            return 0;
    }
    return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is inside the source %s, refusing to copy",
                      dst, src);
}

static int lxcf_cp_is_empty(int fd)
{
    _cleanup_closedir_ DIR *d = lxcf_opendir_fd(fd);
    struct dirent *de;

    if (!d)
        return -1;
    while ((de = readdir(d)))
        if (!lxcf_streq(de->d_name, ".") && !lxcf_streq(de->d_name, ".."))
            return 0;
    return 1;
}

/* Open (creating when missing) the destination top. */
static int lxcf_cp_open_dst(const char *dst, bool merge, lxcf_err *err)
{
    _cleanup_close_ int fd = -1;
    struct stat st;

    if (lstat(dst, &st) < 0) {
        if (errno != ENOENT)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat", dst);
        if (mkdir(dst, 0700) < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", dst);
    } else if (!S_ISDIR(st.st_mode)) {
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: exists and is not a directory", dst);
    }
    fd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", dst);
    if (!merge) {
        int r = lxcf_cp_is_empty(fd);
        if (r < 0)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot read", dst);
        if (r == 0)
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: exists and is not empty", dst);
    }
    return lxcf_steal_fd(fd);
}

/* What is below the top SFD/DFD (ST), then the top's metadata. */
static int lxcf_cp_top(lxcf_cp_ctx *c, int sfd, int dfd, const struct stat *st, lxcf_err *err)
{
    _cleanup_free_ lxcf_cp_pool *p = NULL;
    unsigned n = lxcf_cp_nworkers(c->o, dfd);
    int s2, d2, r = -1;

    if (n)
        p = lxcf_xcalloc(1, sizeof *p);
    if (!p || !lxcf_cp_pool_start(c, p, n)) {
        if (lxcf_cp_dir(c, sfd, dfd) < 0 || lxcf_cp_meta_fd(c, sfd, dfd, st) < 0)
            return -1;
        c->st->dirs++;
        return 0;
    }
    s2 = fcntl(sfd, F_DUPFD_CLOEXEC, 3);
    d2 = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
    if (s2 < 0 || d2 < 0) {
        lxcf_cp_fail(c, errno, "open");
        if (s2 >= 0)
            close(s2);
        if (d2 >= 0)
            close(d2);
    } else {
        c->cur = lxcf_cp_node_new(s2, d2, st, "");
        r = lxcf_cp_dir(c, s2, d2);
        if (lxcf_cp_node_put(c, c->cur) < 0)
            r = -1;
        c->cur = NULL;
    }
    return lxcf_cp_pool_end(c, p, err) < 0 || r < 0 ? -1 : 0;
}

static void lxcf_cp_init(lxcf_cp_ctx *c, const char *src, const lxcf_copy_opts *opts,
                         lxcf_copy_stats *stats, lxcf_copy_stats *dummy, lxcf_err *err)
{
    static const lxcf_copy_opts no_opts;

    c->o = opts ? opts : &no_opts;
    c->st = stats ? stats : dummy;
    c->src = src;
    c->err = err;
}

int lxcf_fs_copy_tree(const char *src, const char *dst, const lxcf_copy_opts *opts,
                      lxcf_copy_stats *stats, lxcf_err *err)
{
    lxcf_copy_stats dummy = { 0 };
    _cleanup_(lxcf_cp_ctx_free) lxcf_cp_ctx c = { 0 };
    _cleanup_close_ int sfd = -1, dfd = -1;
    struct stat st;

    lxcf_cp_init(&c, src, opts, stats, &dummy, err);
    if (lstat(src, &st) < 0)
        return lxcf_error_errno(err, errno == ENOENT ? LXCF_EXIT_NOTFOUND : LXCF_EXIT_FAIL,
                                errno, "%s: cannot copy", src);
    if (!S_ISDIR(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is not a directory, cannot copy it", src);
    if (lxcf_cp_check_nesting(src, dst, c.o->exclude, err) < 0)
        return -1;
    sfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", src);
    if (fstat(sfd, &st) < 0 || lxcf_fs_ident(sfd, "", &c.top) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot stat", src);
    dfd = lxcf_cp_open_dst(dst, c.o->merge, err);
    if (dfd < 0)
        return -1;
    c.dst_top = dfd;
    clock_gettime(CLOCK_MONOTONIC, &c.last);
    if (lxcf_cp_top(&c, sfd, dfd, &st, err) < 0)
        return -1;
    if (!c.o->no_sync && fsync(dfd) < 0 && errno != EINVAL)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot sync", dst);
    lxcf_cp_progress(&c, true);
    return 0;
}

int lxcf_fs_copy_entry(const char *src_dir, const char *name, int dst_dirfd,
                       const lxcf_copy_opts *opts, lxcf_copy_stats *stats, lxcf_err *err)
{
    lxcf_copy_stats dummy = { 0 };
    _cleanup_(lxcf_cp_ctx_free) lxcf_cp_ctx c = { 0 };
    _cleanup_close_ int sfd = -1;
    size_t n = strlen(name);

    lxcf_cp_init(&c, src_dir, opts, stats, &dummy, err);
    if (n == 0 || n >= sizeof c.rel || strchr(name, '/') || lxcf_streq(name, ".") ||
        lxcf_streq(name, ".."))
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: '%s' is not a name in it, cannot copy it",
                          src_dir, name);
    sfd = open(src_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sfd < 0 || lxcf_fs_ident(sfd, "", &c.top) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot open", src_dir);
    memcpy(c.rel, name, n + 1);
    c.rel_len = n;
    c.dst_top = dst_dirfd;
    clock_gettime(CLOCK_MONOTONIC, &c.last);
    if (lxcf_cp_entry(&c, sfd, dst_dirfd, name) < 0)
        return -1;
    lxcf_cp_progress(&c, true);
    return 0;
}

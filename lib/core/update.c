#include "update.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsremove.h"
#include "fsutil.h"
#include "lock.h"
#include "pkgdb.h"
#include "pkgsrc.h"
#include "update_download.h"
#include "update_exec.h"
#include "update_journal.h"
#include "update_layer.h"
#include "update_plan.h"
#include "update_recover.h"
#include "update_snapshot.h"
#include "util.h"

/* ---- the cycle ---------------------------------------------------------- */

typedef struct lxcf_upd_job {
    const lxcf_update_guest *g;
    bool stopped, touched;
    bool autostart; /* lxcf turned its autostart off: on again once settled */
    bool layered;  /* its snapshot is layered (update_layer.h), not a copy */
    bool reported; /* its FAILED line is out already (with the log's tail) */
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
    lxcf_update_dl dl;    /* download once (update_download.h) */
    lxcf_pkgdb_kind db_kind;
    char **changed;       /* packages the guests' step changed in joint guests */
    lxcf_pkgdb *before;   /* each joint guest's database before its step ... */
    lxcf_pkgdb *after;    /* ... and after it */
    lxcf_update_journal j;
    lxcf_upd_job *jobs;
    size_t n, next;
    bool failed;
    bool unsettled;       /* a guest's update is not in place: keep the journal */
    pthread_mutex_t mu;   /* jobs, journal and reporting */
} lxcf_upd;

static void lxcf_upd_clear(lxcf_upd *u)
{
    free(u->dir);
    free(u->journal_path);
    free(u->host_usr);
    lxcf_strv_free(u->sources);
    lxcf_update_dl_clear(&u->dl);
    lxcf_strv_free(u->changed);
    for (size_t i = 0; u->after && i < u->n; i++) {
        lxcf_pkgdb_clear(&u->before[i]);
        lxcf_pkgdb_clear(&u->after[i]);
    }
    free(u->before);
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

/* libvirtd starts an autostart guest at host boot without asking lxcf:
 * after a crash it would boot one whose trees are aside, and --recover
 * would then merge what it wrote over the originals.  So autostart is off
 * from before the guest is stopped until its update is in place. */
static int lxcf_upd_autostart_off(lxcf_upd *u, lxcf_upd_job *jb, lxcf_err *err)
{
    _cleanup_domain_ virDomainPtr d = NULL;
    int on = 0;

    if (lxcf_virt_lookup(u->ctx->conn, jb->g->name, &d, NULL, err) < 0)
        return -1;
    if (virDomainGetAutostart(d, &on) < 0)
        return lxcf_virt_error(err, jb->g->name, "reading autostart");
    if (!on)
        return 0;
    if (lxcf_upd_journal_add(u, &u->j.autostart, jb->g->name, err) < 0)
        return -1;
    jb->autostart = true;
    if (virDomainSetAutostart(d, 0) < 0)
        return lxcf_virt_error(err, jb->g->name, "disabling autostart");
    return 0;
}

/* A guest whose update is not in place stays stopped and keeps autostart
 * off until --recover has finished it; true when its FAILED line must say
 * that autostart is off. */
static bool lxcf_upd_held(lxcf_upd_job *jb)
{
    bool off = jb->autostart;

    jb->stopped = false;
    jb->autostart = false;
    return off;
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

static int lxcf_upd_cmd_failed(lxcf_upd *u, lxcf_upd_job *jb, const char *log, int status,
                               lxcf_err *err)
{
    const lxcf_update_guest *g = jb->g;
    _cleanup_free_ char *tail = lxcf_update_log_tail(log, 8);
    _cleanup_free_ char *msg = NULL;

    msg = lxcf_xasprintf("FAILED (exit %d): %s\n%s", status, u->cmd->argv[0], tail);
    lxcf_upd_report(u, g->name, msg);
    jb->reported = true;
    return lxcf_error(err, LXCF_EXIT_FAIL, "%s: %s failed with exit status %d (log: %s)",
                      g->name, u->cmd->argv[0], status, log);
}

/* The guest's snapshot, and the journal naming it touched: before a
 * layered one, whose first rename leaves the guest whole again only
 * through a rollback or a commit; after a copy, which is put back only
 * when complete.  A copy where the guest's trees cannot be renamed into
 * GDIR (another filesystem). */
static int lxcf_upd_snapshot(lxcf_upd *u, lxcf_upd_job *jb, const char *gdir, const char *snap,
                             lxcf_err *err)
{
    bool separate = jb->g->model != LXCF_MODEL_JOINT;
    struct stat st;

    /* One no journal records (recovery removed all it knew) may hold the
     * guest's only originals: a rollback of this run must never put it
     * over the guest's trees, nor a copy replace it. */
    if (lstat(snap, &st) == 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: a snapshot no update journal records, "
                          "perhaps the guest's originals: see what it holds and remove it", snap);
    jb->layered = lxcf_update_layer_possible(jb->g->root, gdir, separate);
    if (jb->layered) {
        if (lxcf_upd_journal_add(u, &u->j.touched, jb->g->name, err) < 0)
            return -1;
        jb->touched = true;
        return lxcf_update_layer_snapshot(jb->g->root, snap, separate, err);
    }
    if (lxcf_update_snapshot(jb->g->root, snap, separate, err) < 0 ||
        lxcf_upd_journal_add(u, &u->j.touched, jb->g->name, err) < 0)
        return -1;
    jb->touched = true;
    return 0;
}

static int lxcf_upd_dbs(const lxcf_upd *u, const lxcf_upd_job *jb, lxcf_pkgdb *before,
                        lxcf_pkgdb *after, lxcf_err *err);

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
                                .view = u->dl.tool == LXCF_PKGSRC_DNF ? u->dl.dir : NULL };
    int status = 0;

    if (mkdir(gdir, 0700) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", gdir);
    lxcf_upd_report(u, g->name, "updating");
    if (lxcf_upd_snapshot(u, jb, gdir, snap, err) < 0)
        return -1;
    lxcf_crashpoint("update-snapshotted");
    o.layers = jb->layered ? snap : NULL;
    logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (logfd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", log);
    o.out_fd = logfd;
    if (lxcf_update_exec(u->cmd, &o, &status, err) < 0)
        return -1;
    if (status != 0)
        return lxcf_upd_cmd_failed(u, jb, log, status, err);
    lxcf_crashpoint("update-guest-done");
    /* Read here, beside the other guests' steps: the version check only
     * compares. */
    if (joint && lxcf_upd_dbs(u, jb, &u->before[jb - u->jobs], &u->after[jb - u->jobs], err) < 0)
        return -1;
    lxcf_upd_report(u, g->name, "ok");
    return 0;
}

/* The next job for a worker, NULL when none is left; after a failure no
 * new guest is started (unless ALWAYS): all will be undone. */
static lxcf_upd_job *lxcf_upd_next(lxcf_upd *u, bool always)
{
    lxcf_upd_job *jb;

    pthread_mutex_lock(&u->mu);
    jb = u->next < u->n && (always || !u->failed) ? &u->jobs[u->next++] : NULL;
    pthread_mutex_unlock(&u->mu);
    return jb;
}

static void lxcf_upd_fail(lxcf_upd *u, lxcf_upd_job *jb)
{
    pthread_mutex_lock(&u->mu);
    u->failed = true;
    pthread_mutex_unlock(&u->mu);
    if (!jb->reported) {
        /* The line already names the guest: not twice. */
        size_t n = strlen(jb->g->name);
        const char *m = jb->err.msg;
        _cleanup_free_ char *msg = NULL;

        if (strncmp(m, jb->g->name, n) == 0 && m[n] == ':' && m[n + 1] == ' ')
            m += n + 2;
        msg = lxcf_xasprintf("FAILED: %s", m);
        lxcf_upd_report(u, jb->g->name, msg);
        jb->reported = true;
    }
}

/* Every running guest is stopped before any is touched, so that a crash
 * later in the update never leaves a guest half shut down. */
static void *lxcf_upd_stop_worker(void *opaque)
{
    lxcf_upd *u = opaque;
    lxcf_upd_job *jb;

    while ((jb = lxcf_upd_next(u, false)))
        if (lxcf_upd_autostart_off(u, jb, &jb->err) < 0 ||
            (jb->g->running && lxcf_upd_stop(u, jb, &jb->err) < 0))
            lxcf_upd_fail(u, jb);
    return NULL;
}

static void *lxcf_upd_worker(void *opaque)
{
    lxcf_upd *u = opaque;
    lxcf_upd_job *jb;

    while ((jb = lxcf_upd_next(u, false)))
        if (lxcf_upd_guest(u, jb, &jb->err) < 0)
            lxcf_upd_fail(u, jb);
    return NULL;
}

/* JOBS threads running FN(U) over U's jobs from U->next on. */
typedef struct lxcf_upd_pool {
    lxcf_upd *u;
    void *(*fn)(void *);
    pthread_t *t;
    unsigned started;
} lxcf_upd_pool;

static void lxcf_upd_pool_start(lxcf_upd_pool *p, lxcf_upd *u, unsigned jobs, void *(*fn)(void *))
{
    *p = (lxcf_upd_pool){ .u = u, .fn = fn, .t = lxcf_xcalloc(jobs + 1, sizeof(pthread_t)) };
    for (; p->started < jobs; p->started++)
        if (pthread_create(&p->t[p->started], NULL, fn, u) != 0)
            break;
}

static void lxcf_upd_pool_join(lxcf_upd_pool *p)
{
    /* No thread to be had: the jobs run here, in turn. */
    if (p->started == 0)
        p->fn(p->u);
    for (unsigned i = 0; i < p->started; i++)
        pthread_join(p->t[i], NULL);
    free(p->t);
}

/* FN over every job, JOBS at a time. */
static void lxcf_upd_parallel(lxcf_upd *u, unsigned jobs, void *(*fn)(void *))
{
    lxcf_upd_pool p;

    u->next = 0;
    lxcf_upd_pool_start(&p, u, jobs, fn);
    lxcf_upd_pool_join(&p);
}

/* From the host step on the guests keep the update: a layered snapshot
 * is committed (the update put in place), a copied one dropped.  A guest
 * whose commit fails stays stopped, its journal kept for --recover. */
static void *lxcf_upd_settle_worker(void *opaque)
{
    lxcf_upd *u = opaque;

    for (lxcf_upd_job *jb; (jb = lxcf_upd_next(u, true));) {
        _cleanup_free_ char *snap = lxcf_xasprintf("%s/%s/snapshot", u->dir, jb->g->name);
        _cleanup_free_ char *msg = NULL;

        if (!jb->touched ||
            (jb->layered ? lxcf_update_layer_commit(jb->g->root, snap, &jb->err)
                         : lxcf_update_remove_if_exists(snap, &jb->err)) == 0)
            continue;
        pthread_mutex_lock(&u->mu);
        u->unsettled = true;
        msg = lxcf_xasprintf("FAILED to put the update in place (run lxcf update --recover%s): %s",
                             lxcf_upd_held(jb) ? "; autostart stays off until then" : "",
                             jb->err.msg);
        pthread_mutex_unlock(&u->mu);
        lxcf_upd_report(u, jb->g->name, msg);
    }
    return NULL;
}

/* -1 when a guest's update is not in place, the first such into ERR. */
static int lxcf_upd_settled(lxcf_upd *u, lxcf_err *err)
{
    for (size_t i = 0; u->unsettled && i < u->n; i++)
        if (lxcf_error_isset(&u->jobs[i].err)) {
            lxcf_error_prefix(&u->jobs[i].err, "%s: the update is not in place, run lxcf update "
                              "--recover: ", u->jobs[i].g->name);
            lxcf_error_move(err, &u->jobs[i].err);
            break;
        }
    return u->unsettled ? -1 : 0;
}

/* Every guest whose update is in place gets back the autostart lxcf
 * turned off, while the journal still names it (a crash before then
 * leaves it to --recover). */
static int lxcf_upd_autostart_on(lxcf_upd *u, lxcf_err *err)
{
    int r = 0;

    for (size_t i = 0; i < u->n; i++) {
        const char *name = u->jobs[i].g->name;
        lxcf_err e = LXCF_ERR_INIT;

        if (u->jobs[i].autostart && lxcf_container_autostart(u->ctx, name, true, &e) < 0) {
            _cleanup_free_ char *msg = lxcf_xasprintf("FAILED to turn autostart on again: %s", e.msg);
            lxcf_upd_report(u, name, msg);
            r = lxcf_error(err, LXCF_EXIT_FAIL, "%s: autostart not turned on again: %s", name, e.msg);
        }
    }
    return r;
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
    lxcf_upd_job *bad = NULL;
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
            /* Half put back: it starts once --recover has finished it. */
            _cleanup_free_ char *msg = lxcf_xasprintf(
                "FAILED to roll back%s: %s",
                lxcf_upd_held(jb) ? " (autostart stays off until lxcf update --recover)" : "", e.msg);
            lxcf_upd_report(u, jb->g->name, msg);
            r = -1;
            continue;
        }
        lxcf_upd_report(u, jb->g->name, "rolled back");
        lxcf_crashpoint("update-rollback");
    }
    if (lxcf_upd_autostart_on(u, NULL) < 0)
        r = -1;
    if (r == 0 && unlink(u->journal_path) < 0 && errno != ENOENT)
        r = -1;
    lxcf_upd_restart(u, NULL);
    if (bad)
        lxcf_error_move(err, &bad->err);
    else
        lxcf_error(err, LXCF_EXIT_FAIL, "update failed");
    if (r < 0)
        lxcf_error_prefix(err, "rollback incomplete, run lxcf update --recover; ");
    else
        lxcf_error_prefix(err, "every guest rolled back, host not updated: ");
    return -1;
}

/* From the phase "host" on, recovery keeps what CMD wrote in the guests
 * (it commits a layered snapshot): all of it must be on disk first, not
 * only what the package tool synced itself. */
static int lxcf_upd_sync_guests(const lxcf_upd *u, lxcf_err *err)
{
    _cleanup_free_ dev_t *done = lxcf_xcalloc(u->n + 1, sizeof(dev_t));
    size_t nd = 0;

    for (size_t i = 0; i < u->n; i++) {
        struct stat st;
        size_t k = 0;

        if (!u->jobs[i].touched || lstat(u->jobs[i].g->root, &st) < 0)
            continue;
        /* One syncfs a file system: the guests' roots mostly share one. */
        while (k < nd && done[k] != st.st_dev)
            k++;
        if (k < nd)
            continue;
        done[nd++] = st.st_dev;
        if (lxcf_fs_sync_dir(u->jobs[i].g->root, true, err) < 0)
            return -1;
    }
    return 0;
}

static int lxcf_upd_host(lxcf_upd *u, unsigned jobs, lxcf_err *err)
{
    lxcf_upd_pool settle;
    int r;

    if (lxcf_upd_sync_guests(u, err) < 0 || lxcf_update_host_cmd_write(u->dir, u->cmd, err) < 0 ||
        lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_HOST, err) < 0)
        return -1;
    lxcf_crashpoint("update-before-host");
    lxcf_upd_report(u, "host", u->ctx->root ? "updating (chroot)" : "updating");
    /* The guests' trees and the host's are apart: both at once. */
    u->next = 0;
    lxcf_upd_pool_start(&settle, u, jobs, lxcf_upd_settle_worker);
    r = lxcf_update_exec_host(u->ctx, u->cmd, err);
    lxcf_upd_pool_join(&settle);
    if (r < 0)
        return -1;
    /* At once: recovery must not run CMD on the host a second time. */
    if (lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_DONE, err) < 0)
        return -1;
    lxcf_crashpoint("update-host-done");
    lxcf_upd_report(u, "host", "ok");
    return 0;
}

/* The guests' databases now match what the host step did (or tried).
 * After a failed host step ERR holds that failure, which stays the one
 * reported. */
static int lxcf_upd_finish(lxcf_upd *u, lxcf_err *err)
{
    int r = lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_DONE, err);

    if (lxcf_upd_autostart_on(u, err) < 0)
        r = -1;
    if (lxcf_upd_restart(u, err) < 0 || lxcf_upd_settled(u, err) < 0)
        r = -1;
    /* Anything unfinished keeps the journal for --recover (or the next run). */
    if (r == 0 && lxcf_fs_remove_tree(u->dir, err) < 0)
        r = -1;
    return r;
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

    if (u->dl.tool == LXCF_PKGSRC_NONE)
        return;
    off = lxcf_pkgsrc_offline_argv(u->cmd->argv, u->dl.dir, !u->sources || !u->sources[0]);
    dl = lxcf_upd_join(u->dl.argv);
    inst = lxcf_upd_join(off);
    m1 = lxcf_xasprintf("would first download, once and before any guest is touched, the "
                        "packages the command needs (the host fetches them): %s", dl);
    m2 = lxcf_xasprintf("every guest and the host would then install that same set, %s at the "
                        "same path in each guest: %s",
                        u->dl.tool == LXCF_PKGSRC_DNF ? "through a throw-away overlay"
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
    u->before = lxcf_xcalloc(plan->n + 1, sizeof(*u->before));
    u->after = lxcf_xcalloc(plan->n + 1, sizeof(*u->after));
    for (size_t i = 0; i < plan->n; i++)
        u->jobs[i].g = &plan->g[i];
    return 0;
}

/* ROOT's rpm database, as the machine's rpm prints it (in the mount
 * namespace NS, when not NULL). */
static int lxcf_upd_rpm_read(const char *root, const char *dbpath, const char *ns,
                             lxcf_pkgdb *db, lxcf_err *err)
{
    _cleanup_strv_ char **argv = lxcf_pkgdb_rpm_query(root, dbpath);
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_close_ int fd = memfd_create("lxcf-rpm-query", MFD_CLOEXEC);
    _cleanup_free_ char *out = NULL;
    lxcf_update_exec_opts o = { .out_fd = fd, .ns = ns };
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

/* ROOT's database of the kind CMD changes, as the view V shows ROOT when
 * not NULL; found false when ROOT has none of its own. */
static int lxcf_upd_db_read(const lxcf_upd *u, const lxcf_update_view *v, const char *root,
                            lxcf_pkgdb *db, lxcf_err *err)
{
    const char *files = v ? v->root : root;
    _cleanup_free_ char *dbpath = NULL;

    if (u->db_kind == LXCF_PKGDB_DPKG)
        return lxcf_pkgdb_read(files, db, err);
    memset(db, 0, sizeof(*db));
    dbpath = lxcf_pkgdb_rpm_dbpath(files);
    return dbpath ? lxcf_upd_rpm_read(root, dbpath, v ? v->ns : NULL, db, err) : 0;
}

/* The database of the joint guest JB before (its snapshot) and after:
 * as CMD left it, which for a layered snapshot not yet committed only a
 * view of the overlay shows. */
static int lxcf_upd_dbs(const lxcf_upd *u, const lxcf_upd_job *jb, lxcf_pkgdb *before,
                        lxcf_pkgdb *after, lxcf_err *err)
{
    _cleanup_free_ char *gdir = lxcf_path_join(u->dir, jb->g->name);
    _cleanup_free_ char *snap = lxcf_path_join(gdir, "snapshot");
    lxcf_update_layers l = { 0 };
    lxcf_update_view v = { .pid = -1, .hold = -1 };
    int r = 0;

    if (lxcf_upd_db_read(u, NULL, snap, before, err) < 0)
        return -1;
    if (jb->layered && (lxcf_update_layers_prepare(jb->g->root, snap, gdir, &l, err) < 0 ||
                        lxcf_update_view_open(&l, jb->g->root, &v, err) < 0))
        r = -1;
    if (r == 0)
        r = lxcf_upd_db_read(u, jb->layered ? &v : NULL, jb->g->root, after, err);
    lxcf_update_view_close(&v);
    if (lxcf_update_layers_end(&l, err) < 0)
        r = -1;
    if (r < 0)
        lxcf_pkgdb_clear(before);
    return r;
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
 * into U->changed (from the databases each guest's step read into
 * U->before and U->after); a disagreement fails the guest concerned. */
static void lxcf_upd_versions_agree(lxcf_upd *u)
{
    u->changed = lxcf_xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < u->n; i++)
        if (lxcf_upd_joint(&u->jobs[i]))
            lxcf_pkgdb_changed(&u->before[i], &u->after[i], &u->changed);
    for (char **p = u->changed; !u->failed && *p; p++)
        lxcf_upd_agree_on(u, *p);
}

/* After the host step: each joint guest's database (unchanged since the
 * guests' step) names the host's version of every package that step
 * changed. */
static int lxcf_upd_versions_match_host(lxcf_upd *u, lxcf_err *err)
{
    lxcf_pkgdb host = { 0 };
    int r = lxcf_upd_db_read(u, NULL, u->ctx->root ? u->ctx->root : "/", &host, err);

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

/* Guests at once by default, per CPU: a guest's step waits on the disk
 * (the package manager's fsyncs, the journal's) about as long as it
 * computes; two per CPU took 8 joint guests 13% less time than one
 * (scripts/bench-update, ext4, 2 CPUs). */
#define LXCF_UPDATE_JOBS_PER_CPU 2

static int lxcf_upd_cycle(lxcf_upd *u, unsigned jobs, lxcf_err *err)
{
    jobs = lxcf_jobs_for(jobs ? jobs : LXCF_UPDATE_JOBS_PER_CPU * lxcf_jobs_for(0, SIZE_MAX), u->n);
    if (mkdir(u->dir, 0700) < 0 && errno != EEXIST)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot create", u->dir);
    if (lxcf_upd_set_phase(u, LXCF_UPDATE_PHASE_GUESTS, err) < 0)
        return -1;
    lxcf_crashpoint("update-journal-written");
    lxcf_upd_parallel(u, jobs, lxcf_upd_stop_worker);
    if (!u->failed)
        lxcf_upd_parallel(u, jobs, lxcf_upd_worker);
    if (!u->failed)
        lxcf_upd_versions_agree(u);
    if (u->failed)
        return lxcf_upd_undo(u, err);
    if (lxcf_upd_host(u, jobs, err) < 0 ||
        lxcf_upd_versions_match_host(u, err) < 0) {
        /* Failed before the phase "host" was recorded: no guest is
         * committed, so every one is rolled back, as recovery would.
         * Finishing would remove the snapshots holding their originals. */
        if (u->j.phase == LXCF_UPDATE_PHASE_GUESTS)
            return lxcf_upd_undo(u, err);
        lxcf_upd_finish(u, err);
        return -1;
    }
    return lxcf_upd_finish(u, err);
}

static bool lxcf_upd_pending(lxcf_ctx *ctx)
{
    _cleanup_free_ char *roots = lxcf_ctx_roots_dir(ctx);
    _cleanup_free_ char *j = lxcf_xasprintf("%s/%s/journal", roots, LXCF_UPDATE_DIR);
    return access(j, F_OK) == 0;
}

/* Download, run the cycle from what was downloaded, remove it (also when
 * anything failed). */
static int lxcf_upd_cycle_once(lxcf_upd *u, char *const *argv, unsigned jobs, lxcf_err *err)
{
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd off = { 0 };
    int r = lxcf_update_dl_fetch(&u->dl, u->ctx, u->dir, u->rep, err);

    if (r == 0)
        r = lxcf_update_dl_offline(&u->dl, argv, &u->sources, &off, err);
    if (r == 0) {
        u->cmd = &off;
        r = lxcf_upd_cycle(u, jobs, err);
    }
    u->cmd = NULL;
    /* After a failure ERR holds it; a failed removal is the error only
     * of a run that went well otherwise. */
    if (lxcf_update_dl_remove(&u->dl, err) < 0)
        r = -1;
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
    lock = lxcf_update_lock(ctx, err);
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
    lxcf_update_dl_init(&u.dl, ctx, argv, remote);
    if (o->dry_run) {
        lxcf_upd_dry(&u, &plan, lxcf_upd_pending(ctx));
        return 0;
    }
    if (u.dl.tool != LXCF_PKGSRC_NONE)
        return lxcf_upd_cycle_once(&u, argv, o->jobs, err);
    return lxcf_upd_cycle(&u, o->jobs, err);
}

#include "update_recover.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fsremove.h"
#include "lock.h"
#include "update_exec.h"
#include "update_journal.h"
#include "update_layer.h"
#include "update_plan.h"
#include "update_snapshot.h"
#include "util.h"

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
    const char *done;
    struct stat st;
    bool layered;
    int r;

    if (lstat(snap, &st) < 0)
        return 0;
    layered = lxcf_update_layered(snap);
    /* Only a complete snapshot of a guest CMD may have changed is put back
     * (a layered one holds the guest's originals from its first rename);
     * after the host step started, the guests already match the host, and
     * a layered snapshot still has to take their changes. */
    if (j->phase == LXCF_UPDATE_PHASE_GUESTS && (layered || lxcf_strv_contains(j->touched, name))) {
        r = lxcf_update_rollback(root, snap, err);
        done = "rolled back";
    } else if (layered) {
        r = lxcf_update_layer_commit(root, snap, err);
        done = "update put in place";
    } else {
        r = lxcf_fs_remove_tree(snap, err);
        done = "snapshot discarded";
    }
    if (r < 0)
        return lxcf_error_prefix(err, "%s: ", name);
    lxcf_rec_msg(rep, name, done);
    lxcf_crashpoint("update-recover-guest");
    return 0;
}

/* The host step was interrupted (or ran just before the crash): the guests
 * have the update, so the host must get it too.  Package commands are made
 * to be run again. */
static int lxcf_rec_host(lxcf_ctx *ctx, const char *dir, lxcf_update_journal *j,
                         const lxcf_report *rep, lxcf_err *err)
{
    _cleanup_free_ char *jpath = lxcf_path_join(dir, "journal");
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_strv_ char **argv = NULL;

    if (lxcf_update_host_cmd_read(dir, &argv, err) < 0) {
        lxcf_error_prefix(err, "host: the interrupted host step cannot be repeated, repeat it by hand: ");
        return -1;
    }
    if (lxcf_update_cmd_prepare(argv, &cmd, err) < 0)
        return -1;
    lxcf_rec_msg(rep, "host", "running the interrupted host step again");
    if (lxcf_update_exec_host(ctx, &cmd, err) < 0)
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

static int lxcf_rec_autostart_on(lxcf_ctx *ctx, const char *name, const lxcf_report *rep,
                                 lxcf_err *err)
{
    (void)rep;
    return lxcf_container_autostart(ctx, name, true, err);
}

/* FN over each guest of NAMES, each reported with DONE or, failed, with a
 * warning that says what is NOT done. */
static void lxcf_rec_each(lxcf_ctx *ctx, char **names, const lxcf_report *rep,
                          int (*fn)(lxcf_ctx *, const char *, const lxcf_report *, lxcf_err *),
                          const char *done, const char *not_done)
{
    for (char **s = names; s && *s; s++) {
        lxcf_err e = LXCF_ERR_INIT;

        if (fn(ctx, *s, rep, &e) < 0) {
            _cleanup_free_ char *m = lxcf_xasprintf("warning: %s: %s", not_done, e.msg);
            lxcf_rec_msg(rep, *s, m);
            continue;
        }
        lxcf_rec_msg(rep, *s, done);
    }
}

/* Every guest is settled: those whose autostart the update turned off get
 * it back (before the journal goes), the stopped ones start again. */
static void lxcf_rec_restart(lxcf_ctx *ctx, const lxcf_update_journal *j, const lxcf_report *rep)
{
    lxcf_rec_each(ctx, j->autostart, rep, lxcf_rec_autostart_on, "autostart on again",
                  "autostart not turned on again");
    lxcf_rec_each(ctx, j->stopped, rep, lxcf_container_start, "started again", "not started again");
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

    if (!have_lock && (lock = lxcf_update_lock(ctx, err)) < 0)
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
    if (lxcf_error_isset(&host_err))
        return lxcf_error_move(err, &host_err);
    return 0;
}

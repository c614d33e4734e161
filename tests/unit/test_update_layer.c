/* Tests for lib/core/update_layer: layered snapshots of fake guest trees
 * under /var/tmp.  The commit is checked against the same changes made to
 * a plain copy; as root, through a real overlay (whiteouts, opaque
 * directories and copied-up files are the kernel's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <signal.h>
#include <unistd.h>

#include "cleanup.h"
#include "fscopy.h"
#include "testutil.h"
#include "update_exec.h"
#include "update_layer.h"
#include "update_plan.h"
#include "update_snapshot.h"
#include "util.h"

static char *t_guest(const char *d, const char *name)
{
    char *g = lxcf_path_join(d, name);

    lxcf_test_write_file(g, "etc/a", "a\n");
    lxcf_test_write_file(g, "etc/b", "b\n");
    lxcf_test_write_file(g, "etc/r1", "r\n");
    lxcf_test_write_file(g, "etc/f", "file that becomes a dir\n");
    lxcf_test_write_file(g, "etc/sub/c", "c\n");
    lxcf_test_write_file(g, "etc/sub/deep/e", "e\n");
    lxcf_test_write_file(g, "etc/d/x", "dir that becomes a file\n");
    lxcf_test_write_file(g, "etc/keep/k", "k\n");
    lxcf_test_symlink("a", g, "etc/link");
    lxcf_test_write_file(g, "var/lib/dpkg/status", "Package: a\n");
    lxcf_test_write_file(g, "var/log/untouched", "log\n");
    lxcf_test_write_file(g, "usr/bin/tool", "v1\n");
    return g;
}

static void t_chmod(const char *root, const char *rel, mode_t mode)
{
    _cleanup_free_ char *p = lxcf_path_join(root, rel);

    assert_int_equal(chmod(p, mode), 0);
}

static void t_rename(const char *root, const char *from, const char *to)
{
    _cleanup_free_ char *a = lxcf_path_join(root, from), *b = lxcf_path_join(root, to);

    assert_int_equal(rename(a, b), 0);
}

/* The steps of t_cmd: 0 or -1, never a cmocka assertion (t_cmd also runs
 * in a forked child). */
enum { T_WRITE, T_APPEND, T_LINK, T_UNLINK, T_RMDIR, T_MKDIR, T_RENAME, T_CHMOD };

static int t_op(const char *g, int op, const char *rel, const char *arg)
{
    _cleanup_free_ char *p = lxcf_path_join(g, rel);
    _cleanup_free_ char *q = arg ? lxcf_path_join(g, arg) : NULL;
    _cleanup_close_ int fd = -1;

    switch (op) {
    case T_WRITE:
    case T_APPEND:
        fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | (op == T_APPEND ? O_APPEND : O_TRUNC), 0644);
        return fd >= 0 && write(fd, arg, strlen(arg)) == (ssize_t)strlen(arg) ? 0 : -1;
    case T_LINK: return link(p, q);
    case T_UNLINK: return unlink(p);
    case T_RMDIR: return rmdir(p);
    case T_MKDIR: return mkdir(p, 0755);
    case T_RENAME: return rename(p, q);
    default: return chmod(p, 0700);
    }
}

/* What a package command does, in the tree G: change, add, remove and
 * replace files and directories.  Run once through the overlay and once
 * on a plain copy, the two results must be the same. */
static int t_cmd(const char *g)
{
    static const struct { int op; const char *rel, *arg; } steps[] = {
        { T_APPEND, "etc/a", "appended in place\n" },
        { T_LINK, "etc/a", "etc/a2" },
        { T_UNLINK, "etc/b", NULL },
        { T_RENAME, "etc/r1", "etc/r2" },
        { T_UNLINK, "etc/sub/c", NULL },
        { T_UNLINK, "etc/sub/deep/e", NULL },
        { T_RMDIR, "etc/sub/deep", NULL },
        { T_RMDIR, "etc/sub", NULL },
        { T_MKDIR, "etc/sub", NULL },
        { T_WRITE, "etc/sub/new", "new\n" },
        { T_MKDIR, "etc/newdir", NULL },
        { T_MKDIR, "etc/newdir/x", NULL },
        { T_WRITE, "etc/newdir/x/y", "y\n" },
        { T_CHMOD, "etc/keep", NULL },
        { T_WRITE, "etc/keep/z", "z\n" },
        { T_UNLINK, "etc/f", NULL },
        { T_MKDIR, "etc/f", NULL },
        { T_WRITE, "etc/f/inner", "inner\n" },
        { T_UNLINK, "etc/d/x", NULL },
        { T_RMDIR, "etc/d", NULL },
        { T_WRITE, "etc/d", "now a file\n" },
        { T_WRITE, "var/lib/dpkg/status.new", "Package: a\nPackage: b\n" },
        { T_RENAME, "var/lib/dpkg/status.new", "var/lib/dpkg/status" },
    };

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (t_op(g, steps[i].op, steps[i].rel, steps[i].arg) < 0)
            return -1;
    return 0;
}

static char *t_state(const char *g)
{
    _cleanup_free_ char *etc = lxcf_path_join(g, "etc"), *var = lxcf_path_join(g, "var");
    _cleanup_free_ char *usr = lxcf_path_join(g, "usr");
    _cleanup_free_ char *e = lxcf_test_tree_snapshot(etc), *v = lxcf_test_tree_snapshot(var);
    _cleanup_free_ char *u = lxcf_test_tree_snapshot(usr);

    return lxcf_xasprintf("etc\n%svar\n%susr\n%s", e, v, u);
}

static void test_snapshot_moves_the_trees(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *etc = lxcf_path_join(g, "etc"), *setc = lxcf_path_join(snap, "etc");
    lxcf_err err = LXCF_ERR_INIT;
    struct stat a, b;

    (void)state;
    t_chmod(g, "etc", 0751);
    assert_true(lxcf_update_layer_possible(g, d, false));
    assert_int_equal(lxcf_update_layer_snapshot(g, snap, false, &err), 0);
    assert_true(lxcf_update_layered(snap));
    assert_true(lxcf_test_exists(snap, "etc/sub/deep/e"));
    assert_true(lxcf_test_exists(snap, "var/lib/dpkg/status"));
    assert_false(lxcf_test_exists(snap, "usr"));  /* joint: usr is the host's */
    assert_true(lxcf_test_dir_empty(g, "etc"));
    assert_true(lxcf_test_dir_empty(g, "var"));
    assert_true(lxcf_test_exists(g, "usr/bin/tool"));
    assert_int_equal(lstat(etc, &a), 0);
    assert_int_equal(lstat(setc, &b), 0);
    assert_int_equal(a.st_mode, b.st_mode);
    assert_int_equal(a.st_uid, b.st_uid);
    /* A second snapshot never replaces what may be a guest's only copy. */
    assert_int_equal(lxcf_update_layer_snapshot(g, snap, false, &err), -1);
    lxcf_test_rmrf(d);
}

static void test_rollback_puts_the_originals_back(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *before = t_state(g), *after = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_layer_snapshot(g, snap, true, &err), 0);
    assert_true(lxcf_test_exists(snap, "usr/bin/tool"));  /* separate: usr too */
    /* What CMD leaves in the upper layers. */
    lxcf_test_write_file(g, "etc/added", "new\n");
    lxcf_test_write_file(g, "var/lib/dpkg/status", "Package: b\n");
    lxcf_test_write_file(g, "usr/bin/tool", "v2\n");
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    after = t_state(g);
    assert_string_equal(before, after);
    assert_false(lxcf_test_exists(d, "snapshot"));
    lxcf_test_rmrf(d);
}

/* The upper layer as an overlay leaves it for a few changes, made by hand
 * (no whiteout or opaque directory: those need root), and the same
 * changes in WANT. */
static void t_upper_by_hand(const char *g, const char *snap, const char *want)
{
    _cleanup_free_ char *a = lxcf_test_read_file(snap, "etc/a");
    _cleanup_free_ char *a1 = lxcf_xasprintf("%sappended in place\n", a);
    const char *const roots[] = { g, want };

    for (size_t i = 0; i < 2; i++) {
        lxcf_test_write_file(roots[i], "etc/a", a1);
        lxcf_test_write_file(roots[i], "etc/newdir/x/y", "y\n");
        lxcf_test_write_file(roots[i], "etc/keep/z", "z\n");
        lxcf_test_write_file(roots[i], "var/lib/dpkg/status", "Package: a\nPackage: b\n");
    }
    /* Copied up, then changed: the upper directory has the new mode. */
    t_chmod(g, "etc/keep", 0700);
    t_chmod(want, "etc/keep", 0700);
}

static void test_commit_merges_new_and_changed_entries(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest"), *want = t_guest(d, "want");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *got = NULL, *expected = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_layer_snapshot(g, snap, false, &err), 0);
    t_upper_by_hand(g, snap, want);
    assert_int_equal(lxcf_update_layer_commit(g, snap, &err), 0);
    got = t_state(g);
    expected = t_state(want);
    assert_string_equal(got, expected);
    assert_false(lxcf_test_exists(d, "snapshot"));
    /* Run again (a recovery after a crash that came after it): nothing to do. */
    assert_int_equal(lxcf_update_layer_commit(g, snap, &err), 0);
    lxcf_test_rmrf(d);
}

static void test_commit_interrupted_is_finished_again(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest"), *want = t_guest(d, "want");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *getc = lxcf_path_join(g, "etc");
    _cleanup_free_ char *got = NULL, *expected = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_layer_snapshot(g, snap, false, &err), 0);
    lxcf_test_write_file(g, "etc/added", "new\n");
    lxcf_test_write_file(g, "var/lib/added", "new\n");
    lxcf_test_write_file(want, "etc/added", "new\n");
    lxcf_test_write_file(want, "var/lib/added", "new\n");
    /* A crash after etc was committed (its upper layer moved in, removed,
     * the result not yet renamed back). */
    t_rename(g, "etc/added", "../snapshot/etc/added");
    lxcf_test_rmrf(getc);
    assert_int_equal(lxcf_update_layer_commit(g, snap, &err), 0);
    got = t_state(g);
    expected = t_state(want);
    assert_string_equal(got, expected);
    lxcf_test_rmrf(d);
}

static void test_commit_of_erased_guest_discards_snapshot(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_layer_snapshot(g, snap, false, &err), 0);
    lxcf_test_rmrf(g);
    assert_int_equal(lxcf_update_layer_commit(g, snap, &err), 0);
    assert_false(lxcf_test_exists(d, "snapshot"));
    lxcf_test_rmrf(d);
}

static void test_not_possible_across_filesystems(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest");

    (void)state;
    assert_true(lxcf_update_layer_possible(g, d, true));
    /* /proc is another filesystem than /var/tmp. */
    assert_false(lxcf_update_layer_possible(g, "/proc", false));
    assert_false(lxcf_update_layer_possible("/nonexistent", d, false));
    lxcf_test_rmrf(d);
}

/* FN(ARG) in a child killed by lxcf_crashpoint(AT), as by a power cut
 * there: it must die by SIGKILL, never finish. */
static void t_killed_at(const char *at, void (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    int status = 0;

    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("LXCF_CRASH_AT", at, 1);
        fn(arg);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

typedef struct t_layer_args {
    const char *g, *snap;
} t_layer_args;

static void t_snapshot_child(void *opaque)
{
    const t_layer_args *a = opaque;
    lxcf_err err = LXCF_ERR_INIT;

    (void)lxcf_update_layer_snapshot(a->g, a->snap, false, &err);
}

static void t_commit_child(void *opaque)
{
    const t_layer_args *a = opaque;
    lxcf_err err = LXCF_ERR_INIT;

    (void)lxcf_update_layer_commit(a->g, a->snap, &err);
}

static void test_snapshot_killed_after_a_rename_rolls_back(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *before = t_state(g), *after = NULL;
    t_layer_args a = { .g = g, .snap = snap };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    /* etc is in the snapshot and nothing at the guest's path yet. */
    t_killed_at("update-layer-moved", t_snapshot_child, &a);
    assert_false(lxcf_test_exists(g, "etc"));
    assert_true(lxcf_test_exists(snap, "etc/sub/deep/e"));
    assert_true(lxcf_update_layered(snap));
    /* The journal names the guest touched: recovery rolls it back. */
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    after = t_state(g);
    assert_string_equal(before, after);
    assert_false(lxcf_test_exists(d, "snapshot"));
    lxcf_test_rmrf(d);
}

/* What `cat ROOT/REL` prints, run in the mount namespace NS. */
static const char *t_cat_in(const char *ns, const char *root, const char *rel)
{
    static char out[256];
    _cleanup_free_ char *path = lxcf_path_join(root, rel);
    char *argv[] = { "cat", path, NULL };
    _cleanup_(lxcf_update_cmd_clear) lxcf_update_cmd cmd = { 0 };
    _cleanup_close_ int fd = memfd_create("t-cat", MFD_CLOEXEC);
    lxcf_update_exec_opts o = { .out_fd = fd, .ns = ns };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;
    ssize_t n;

    assert_true(fd >= 0);
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_exec(&cmd, &o, &status, &err), 0);
    assert_int_equal(status, 0);
    n = pread(fd, out, sizeof(out) - 1, 0);
    assert_true(n >= 0);
    out[n] = '\0';
    return out;
}

typedef struct t_ovl {
    const lxcf_update_layers *l;
    const char *g;
    int (*cmd)(const char *g);
} t_ovl;

/* In a mount namespace of its own: O's command through the overlays. */
static int t_cmd_in_overlay(void *opaque)
{
    const t_ovl *o = opaque;

    if (lxcf_update_layers_mount(o->l) < 0)
        return 10;
    return o->cmd(o->g) < 0 ? 11 : 0;
}

/* The guest G of the temp dir D snapshotted into SNAP and CMD run over it
 * through the overlays of *L (still to be ended), as an update does. */
static void t_update_through_overlay(const char *d, const char *g, const char *snap,
                                     int (*cmd)(const char *g), lxcf_update_layers *l)
{
    _cleanup_free_ char *scratch = lxcf_path_join(d, "scratch");
    lxcf_err err = LXCF_ERR_INIT;
    t_ovl o = { .l = l, .g = g, .cmd = cmd };

    lxcf_test_mkdirs(d, "scratch");
    assert_int_equal(lxcf_update_layer_snapshot(g, snap, false, &err), 0);
    assert_int_equal(lxcf_update_layers_prepare(g, snap, scratch, l, &err), 0);
    assert_int_equal(l->n, 2);
    assert_int_equal(lxcf_test_in_mountns(t_cmd_in_overlay, &o), 0);
}

static void test_overlay_commit_equals_plain_run(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest"), *want = t_guest(d, "want");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *got = NULL, *expected = NULL, *seen = NULL;
    _cleanup_free_ char *status = NULL, *wanted = NULL;
    lxcf_update_layers l = { 0 };
    lxcf_update_view v = { .pid = -1, .hold = -1 };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    if (geteuid() != 0)
        skip();
    t_update_through_overlay(d, g, snap, t_cmd, &l);
    assert_int_equal(t_cmd(want), 0);
    /* What the overlay left: a whiteout, an opaque directory. */
    struct stat st = lxcf_test_lstat(g, "etc/b");
    assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
    /* The view shows the update before the commit. */
    assert_int_equal(lxcf_update_view_open(&l, g, &v, &err), 0);
    status = lxcf_test_read_file(v.root, "var/lib/dpkg/status");
    assert_string_equal(status, "Package: a\nPackage: b\n");
    seen = lxcf_test_read_file(v.root, "etc/keep/k");
    assert_string_equal(seen, "k\n");
    assert_false(lxcf_test_exists(v.root, "etc/b"));
    /* A program run in the view's namespace sees the merge at the guest's
     * own path (rpm's sqlite resolves /proc/PID/root to it). */
    assert_string_equal(t_cat_in(v.ns, g, "etc/keep/k"), "k\n");
    lxcf_update_view_close(&v);
    assert_int_equal(lxcf_update_layers_end(&l, &err), 0);
    assert_int_equal(lxcf_update_layer_commit(g, snap, &err), 0);
    got = t_state(g);
    expected = t_state(want);
    assert_string_equal(got, expected);
    /* The overlay's own xattrs stay behind. */
    _cleanup_free_ char *a = lxcf_path_join(g, "etc/a");
    assert_true(getxattr(a, "trusted.overlay.origin", NULL, 0) < 0);
    wanted = lxcf_test_read_file(g, "etc/a2");
    assert_string_equal(wanted, "a\nappended in place\n");
    assert_int_equal(lxcf_test_lstat(g, "etc/a").st_ino, lxcf_test_lstat(g, "etc/a2").st_ino);
    lxcf_test_rmrf(d);
}

/* A commit killed at AT, as by a power cut, and run again by recovery
 * ends as one that was never interrupted: as the same CMD on a plain copy. */
static void t_commit_killed_at(const char *at)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest"), *want = t_guest(d, "want");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *got = NULL, *expected = NULL;
    lxcf_update_layers l = { 0 };
    lxcf_err err = LXCF_ERR_INIT;
    t_layer_args a = { .g = g, .snap = snap };

    t_update_through_overlay(d, g, snap, t_cmd, &l);
    assert_int_equal(lxcf_update_layers_end(&l, &err), 0);
    assert_int_equal(t_cmd(want), 0);
    t_killed_at(at, t_commit_child, &a);
    assert_true(lxcf_test_exists(d, "snapshot"));
    assert_int_equal(lxcf_update_layer_commit(g, snap, &err), 0);
    got = t_state(g);
    expected = t_state(want);
    assert_string_equal(got, expected);
    assert_false(lxcf_test_exists(d, "snapshot"));
    lxcf_test_rmrf(d);
}

static void test_commit_killed_anywhere_is_finished_again(void **state)
{
    /* After a lower entry went for a whiteout, before the whiteout; after a
     * merged directory's entries and metadata, before its upper one goes;
     * after a replaced tree went and its upper one was stripped, before the
     * rename; with the guest's etc away, before the merge comes back. */
    static const char *const at[] = { "update-layer-removed", "update-layer-merged",
                                      "update-layer-replacing", "update-layer-back" };

    (void)state;
    if (geteuid() != 0)
        skip();
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
        t_commit_killed_at(at[i]);
}

/* Known differences from the same command run on a plain tree: both from
 * the overlay's redirect_dir=off and index=off, which the commit needs. */
static int t_cmd_link_and_dir_rename(const char *g)
{
    _cleanup_free_ char *sub = lxcf_path_join(g, "etc/sub");
    _cleanup_free_ char *sub2 = lxcf_path_join(g, "etc/sub2");

    /* A directory of the lower layer cannot be renamed (mv copies). */
    if (rename(sub, sub2) == 0 || errno != EXDEV)
        return -1;
    return t_op(g, T_APPEND, "etc/h1", "appended in place\n");
}

static void test_overlay_breaks_old_hard_links_and_dir_renames(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d, "guest");
    _cleanup_free_ char *snap = lxcf_path_join(d, "snapshot");
    _cleanup_free_ char *h1 = lxcf_path_join(g, "etc/h1"), *h2 = lxcf_path_join(g, "etc/h2");
    _cleanup_free_ char *c1 = NULL, *c2 = NULL;
    lxcf_update_layers l = { 0 };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    if (geteuid() != 0)
        skip();
    lxcf_test_write_file(g, "etc/h1", "linked\n");
    assert_int_equal(link(h1, h2), 0);
    t_update_through_overlay(d, g, snap, t_cmd_link_and_dir_rename, &l);
    assert_int_equal(lxcf_update_layers_end(&l, &err), 0);
    assert_int_equal(lxcf_update_layer_commit(g, snap, &err), 0);
    /* Only the name written to was copied up: the other keeps the old
     * inode and content, where on the host both names would change. */
    c1 = lxcf_test_read_file(g, "etc/h1");
    c2 = lxcf_test_read_file(g, "etc/h2");
    assert_string_equal(c1, "linked\nappended in place\n");
    assert_string_equal(c2, "linked\n");
    assert_int_not_equal(lxcf_test_lstat(g, "etc/h1").st_ino, lxcf_test_lstat(g, "etc/h2").st_ino);
    assert_int_equal(lxcf_test_lstat(g, "etc/h2").st_nlink, 1);
    assert_true(lxcf_test_exists(g, "etc/sub/deep/e"));
    assert_false(lxcf_test_exists(g, "etc/sub2"));
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_moves_the_trees),
        cmocka_unit_test(test_rollback_puts_the_originals_back),
        cmocka_unit_test(test_commit_merges_new_and_changed_entries),
        cmocka_unit_test(test_commit_interrupted_is_finished_again),
        cmocka_unit_test(test_commit_of_erased_guest_discards_snapshot),
        cmocka_unit_test(test_not_possible_across_filesystems),
        cmocka_unit_test(test_overlay_commit_equals_plain_run),
        cmocka_unit_test(test_snapshot_killed_after_a_rename_rolls_back),
        cmocka_unit_test(test_commit_killed_anywhere_is_finished_again),
        cmocka_unit_test(test_overlay_breaks_old_hard_links_and_dir_renames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

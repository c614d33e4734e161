/* Tests for lib/update: the pure parts of the update cycle and deploy, on
 * fake guest trees in temp dirs under /var/tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "domxml.h"
#include "update.h"
#include "testutil.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

static void t_sh(const char *fmt, const char *a)
{
    _cleanup_free_ char *cmd = lxcf_xasprintf(fmt, a, a, a, a);
    assert_int_equal(system(cmd), 0);
}

/* A listing of a tree (names, modes, owners, link targets, contents). */
static char *t_tree(const char *dir)
{
    _cleanup_free_ char *cmd = lxcf_xasprintf(
        "cd '%s' && (find . -printf '%%p %%m %%U %%G %%l\\n' | LC_ALL=C sort; "
        "find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r md5sum) | md5sum", dir);
    FILE *f = popen(cmd, "r");
    char buf[128] = "";

    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    assert_int_equal(pclose(f), 0);
    return lxcf_xstrdup(buf);
}

static char *t_guest(const char *d);

/* ---- plan ---------------------------------------------------------------- */

static lxcf_container *t_c(const char *name, const char *uuid, int model, const char *note)
{
    lxcf_container *c = lxcf_container_new();
    c->name = lxcf_xstrdup(name);
    c->uuid = lxcf_xstrdup(uuid);
    c->model = model;
    c->root = lxcf_xasprintf("/opt/lxcf/%s", name);
    c->state_note = note ? lxcf_xstrdup(note) : NULL;
    return c;
}

static void t_list(lxcf_virt_list *l)
{
    l->n = 4;
    l->e = lxcf_xcalloc(4, sizeof(*l->e));
    l->e[0] = (lxcf_virt_entry){ .c = t_c("a1", "00000000-0000-0000-0000-0000000000a1", LXCF_MODEL_JOINT, NULL), .id = 12 };
    l->e[1] = (lxcf_virt_entry){ .c = t_c("b1", "00000000-0000-0000-0000-0000000000b1", LXCF_MODEL_SEPARATE, NULL), .id = -1 };
    l->e[2] = (lxcf_virt_entry){ .c = t_c("c1", "00000000-0000-0000-0000-0000000000c1", LXCF_MODEL_JOINT, "building"), .id = -1 };
    l->e[3] = (lxcf_virt_entry){ .c = t_c("d1", "00000000-0000-0000-0000-0000000000d1", LXCF_MODEL_JOINT, NULL), .id = -1 };
}

static void test_plan_all_guests_skips_building(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_list(&l);
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", NULL, &p, &err), 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.g[0].name, "a1");
    assert_true(p.g[0].running);
    assert_int_equal(p.g[0].model, LXCF_MODEL_JOINT);
    assert_string_equal(p.g[1].name, "b1");
    assert_false(p.g[1].running);
    assert_int_equal(p.g[1].model, LXCF_MODEL_SEPARATE);
    assert_string_equal(p.g[1].root, "/opt/lxcf/b1");
    assert_string_equal(p.g[2].name, "d1");
    assert_int_equal(lxcf_strv_len(p.skipped), 1);
    assert_string_equal(p.skipped[0], "c1");
    lxcf_update_plan_clear(&p);
    lxcf_virt_list_clear(&l);
}

static void test_plan_only_by_name_and_uuid(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;
    char *only[] = { "d1", "00000000-0000-0000-0000-0000000000A1", "d1", NULL };

    (void)state;
    t_list(&l);
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", only, &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.g[0].name, "a1");
    assert_string_equal(p.g[1].name, "d1");
    lxcf_update_plan_clear(&p);
    lxcf_virt_list_clear(&l);
}

static void test_plan_only_unknown_is_notfound(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;
    char *only[] = { "a1", "zz9", NULL };

    (void)state;
    t_list(&l);
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", only, &p, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    assert_non_null(strstr(err.msg, "zz9"));
    assert_int_equal(p.n, 0);
    lxcf_virt_list_clear(&l);
}

static void test_plan_only_building_is_usage(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;
    char *only[] = { "c1", NULL };

    (void)state;
    t_list(&l);
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", only, &p, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "c1"));
    lxcf_virt_list_clear(&l);
}

static void test_plan_leaves_out_other_host_trees(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;
    char *only[] = { "x1", NULL };

    (void)state;
    t_list(&l);
    free(l.e[3].c->root);
    l.e[3].c->root = lxcf_xstrdup("/var/tmp/other/opt/lxcf/d1");
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", NULL, &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.g[1].name, "b1");
    lxcf_update_plan_clear(&p);
    only[0] = "d1";
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", only, &p, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    lxcf_virt_list_clear(&l);
}

static void test_rollback_of_erased_guest_discards_snapshot(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, false, &err), 0);
    t_sh("rm -rf '%s'", g);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    assert_false(lxcf_test_exists(d, "snapshot"));
    assert_false(lxcf_test_exists(d, "guest"));
    lxcf_test_rmrf(d);
}

/* ---- command arguments ---------------------------------------------------- */

static void test_cmd_rewrites_host_files_only(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *deb = lxcf_xasprintf("%s/pkg.deb", d);
    _cleanup_free_ char *rpm = lxcf_xasprintf("%s/x.rpm", d);
    char cwd[4096];
    lxcf_update_cmd cmd;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(d, "pkg.deb", "deb");
    lxcf_test_write_file(d, "x.rpm", "rpm");
    lxcf_test_write_file(d, "vim", "not a package file");
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(d), 0);
    {
        char *argv[] = { "dpkg", "-i", deb, "vim", "x.rpm", "missing.deb", "-y", NULL };
        assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(cmd.argv[2], deb);
    assert_string_equal(cmd.chroot_argv[0], "dpkg");
    assert_string_equal(cmd.chroot_argv[1], "-i");
    assert_string_equal(cmd.chroot_argv[2], LXCF_UPDATE_FILES_DIR "/0/pkg.deb");
    assert_string_equal(cmd.chroot_argv[3], "vim");
    assert_string_equal(cmd.chroot_argv[4], LXCF_UPDATE_FILES_DIR "/1/x.rpm");
    assert_string_equal(cmd.chroot_argv[5], "missing.deb");
    assert_string_equal(cmd.chroot_argv[6], "-y");
    assert_null(cmd.chroot_argv[7]);
    assert_int_equal(lxcf_strv_len(cmd.files), 2);
    assert_string_equal(cmd.files[0], deb);
    assert_string_equal(cmd.files[1], rpm);
    assert_string_equal(cmd.dests[1], LXCF_UPDATE_FILES_DIR "/1/x.rpm");
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}

static void test_cmd_empty_is_usage(void **state)
{
    lxcf_update_cmd cmd;
    lxcf_err err = LXCF_ERR_INIT;
    char *argv[] = { NULL };

    (void)state;
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_null(cmd.argv);
}

/* ---- journal -------------------------------------------------------------- */

static void test_journal_roundtrip(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *p = lxcf_xasprintf("%s/journal", d);
    lxcf_update_journal j = { .phase = LXCF_UPDATE_PHASE_HOST }, r;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    (void)state;
    lxcf_strv_push(&j.touched, lxcf_xstrdup("web1"));
    lxcf_strv_push(&j.touched, lxcf_xstrdup("db1"));
    lxcf_strv_push(&j.stopped, lxcf_xstrdup("web1"));
    assert_int_equal(lxcf_update_journal_write(p, &j, &err), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(lxcf_update_journal_read(p, &r, &err), 1);
    assert_int_equal(r.phase, LXCF_UPDATE_PHASE_HOST);
    assert_int_equal(lxcf_strv_len(r.touched), 2);
    assert_string_equal(r.touched[1], "db1");
    assert_int_equal(lxcf_strv_len(r.stopped), 1);
    assert_string_equal(r.stopped[0], "web1");
    lxcf_update_journal_clear(&j);
    lxcf_update_journal_clear(&r);
    lxcf_test_rmrf(d);
}

static void test_journal_missing_is_zero(void **state)
{
    lxcf_update_journal r;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_journal_read("/var/tmp/lxcf-no-such-journal", &r, &err), 0);
    assert_int_equal(err.code, 0);
}

static void test_journal_malformed_fails(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    lxcf_update_journal r;
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_free_ char *p = lxcf_xasprintf("%s/journal", d);

    (void)state;
    lxcf_test_write_file(d, "journal", "lxcf-update-journal 1\nphase sideways\n");
    assert_int_equal(lxcf_update_journal_read(p, &r, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "sideways"));
    lxcf_error_clear(&err);
    lxcf_test_write_file(d, "journal", "something else\n");
    assert_int_equal(lxcf_update_journal_read(p, &r, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    lxcf_test_rmrf(d);
}

/* ---- snapshot and rollback ------------------------------------------------ */

static char *t_guest(const char *d)
{
    char *g = lxcf_xasprintf("%s/guest", d);

    lxcf_test_write_file(g, "etc/keep.conf", "keep\n");
    lxcf_test_write_file(g, "etc/doomed.conf", "CMD deletes me\n");
    lxcf_test_write_file(g, "var/lib/dpkg/status", "Package: a\n");
    lxcf_test_write_file(g, "usr/bin/tool", "v1\n");
    t_sh("chmod 0640 '%s/etc/keep.conf' && ln -s keep.conf '%s/etc/link'", g);
    return g;
}

static void t_run_cmd(const char *g)
{
    /* What a package command does: delete, add, change, in etc/var/usr. */
    t_sh("cd '%s' && rm etc/doomed.conf && echo new > etc/added.conf && "
         "echo 'Package: b' >> var/lib/dpkg/status && mkdir var/lib/new && echo v2 > usr/bin/tool", g);
}

static void test_rollback_restores_etc_var_exactly(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    _cleanup_free_ char *etc = lxcf_xasprintf("%s/etc", g);
    _cleanup_free_ char *var = lxcf_xasprintf("%s/var", g);
    _cleanup_free_ char *etc0 = t_tree(etc), *var0 = t_tree(var);
    _cleanup_free_ char *etc1 = NULL, *var1 = NULL, *tool = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, false, &err), 0);
    assert_true(lxcf_test_exists(snap, "etc/doomed.conf"));
    assert_false(lxcf_test_exists(snap, "usr"));  /* joint: usr is the host's */
    t_run_cmd(g);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    etc1 = t_tree(etc);
    var1 = t_tree(var);
    assert_string_equal(etc0, etc1);
    assert_string_equal(var0, var1);
    assert_true(lxcf_test_exists(g, "etc/doomed.conf"));
    assert_false(lxcf_test_exists(g, "etc/added.conf"));
    assert_false(lxcf_test_exists(d, "snapshot"));
    tool = lxcf_test_read_file(g, "usr/bin/tool");
    assert_string_equal(tool, "v2\n");  /* joint: not snapshotted */
    lxcf_test_rmrf(d);
}

static void test_rollback_separate_restores_usr(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    _cleanup_free_ char *tool = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, true, &err), 0);
    t_run_cmd(g);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    tool = lxcf_test_read_file(g, "usr/bin/tool");
    assert_string_equal(tool, "v1\n");
    lxcf_test_rmrf(d);
}

static void test_rollback_is_idempotent(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = t_guest(d);
    _cleanup_free_ char *snap = lxcf_xasprintf("%s/snapshot", d);
    _cleanup_free_ char *etc = lxcf_xasprintf("%s/etc", g);
    _cleanup_free_ char *etc0 = t_tree(etc), *etc1 = NULL;
    _cleanup_free_ char *svar = lxcf_xasprintf("%s/var", snap);
    _cleanup_free_ char *gvar = lxcf_xasprintf("%s/var", g);
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_snapshot(g, snap, false, &err), 0);
    t_run_cmd(g);
    /* A crash after etc was restored and the guest's var removed. */
    t_sh("rm -rf '%s/etc' '%s/var'", g);
    assert_int_equal(rename(svar, gvar), 0);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    assert_int_equal(lxcf_update_rollback(g, snap, &err), 0);
    etc1 = t_tree(etc);
    assert_string_equal(etc0, etc1);
    assert_false(lxcf_test_exists(g, "etc/added.conf"));
    lxcf_test_rmrf(d);
}

/* ---- exec ----------------------------------------------------------------- */

static void test_exec_reports_exit_status_and_log(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *log = lxcf_xasprintf("%s/log", d);
    _cleanup_free_ char *tail = NULL;
    _cleanup_close_ int fd = open(log, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    char *argv[] = { "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; exit 3", NULL };
    lxcf_update_cmd cmd;
    lxcf_update_exec_opts o = { .out_fd = fd };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;

    (void)state;
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_exec(&cmd, &o, &status, &err), 0);
    assert_int_equal(status, 3);
    tail = lxcf_update_log_tail(log, 2);
    assert_string_equal(tail, "line4\nline5");
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}

static void test_exec_refuses_symlinked_mount_point(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/g", d);
    char *argv[] = { "true", NULL };
    lxcf_update_cmd cmd;
    lxcf_update_exec_opts o = { .root = g, .out_fd = -1 };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;

    (void)state;
    t_sh("mkdir -p '%s/proc' '%s/sys' '%s/dev' '%s/tmp'", g);
    t_sh("ln -s /etc '%s/run'", g);
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_exec(&cmd, &o, &status, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "/run is not a directory"));
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}

/* The view of the downloaded packages is an overlay: a path overlayfs
 * cannot take is refused before anything is mounted, and the mount point
 * made for it in the guest is gone again. */
static void test_exec_refuses_view_overlay_cannot_take(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/g", d), *s = lxcf_xasprintf("%s/s", d);
    char *argv[] = { "true", NULL };
    lxcf_update_cmd cmd;
    lxcf_update_exec_opts o = { .root = g, .out_fd = -1, .scratch = s, .host_root = d,
                                .view = "/opt/lxcf/.lxcf-update/dl:x" };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;

    (void)state;
    t_sh("mkdir -p '%s/proc' '%s/sys' '%s/dev' '%s/tmp'", g);
    t_sh("mkdir -p '%s/run'", g);
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_exec(&cmd, &o, &status, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "cannot be used in an overlay"));
    assert_false(lxcf_test_exists(g, "opt"));
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}

/* ---- deploy --------------------------------------------------------------- */

static void test_deploy_copies_file_with_mode_and_owner(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/guest", d);
    _cleanup_free_ char *src = lxcf_xasprintf("%s/src/app.conf", d);
    _cleanup_free_ char *dst = lxcf_xasprintf("%s%s", g, src);
    _cleanup_free_ char *rel = NULL, *text = NULL;
    lxcf_update_guest guest = { .name = "g1", .root = g, .model = LXCF_MODEL_JOINT };
    char *paths[] = { src, NULL };
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    (void)state;
    t_sh("mkdir -p '%s'", g);
    lxcf_test_write_file(d, "src/app.conf", "x=1\n");
    assert_int_equal(chmod(src, 0640), 0);
    assert_int_equal(chown(src, 12, 34), 0);
    assert_int_equal(lxcf_deploy_guest(&guest, NULL, paths, &err), 0);
    assert_int_equal(lstat(dst, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_uid, 12);
    assert_int_equal(st.st_gid, 34);
    text = lxcf_test_read_file(g, src + 1);
    assert_string_equal(text, "x=1\n");
    lxcf_test_rmrf(d);
}

static void test_deploy_refuses_planted_symlink(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/guest", d);
    _cleanup_free_ char *src = lxcf_xasprintf("%s/src/target", d);
    _cleanup_free_ char *victim = lxcf_xasprintf("%s/victim", d);
    _cleanup_free_ char *planted = lxcf_xasprintf("%s%s", g, src);
    _cleanup_free_ char *text = NULL;
    lxcf_update_guest guest = { .name = "g1", .root = g, .model = LXCF_MODEL_SEPARATE };
    char *paths[] = { src, NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(d, "src/target", "new\n");
    lxcf_test_write_file(d, "victim", "host secret\n");
    t_sh("mkdir -p \"$(dirname '%s')\"", planted);
    assert_int_equal(symlink(victim, planted), 0);
    assert_int_equal(lxcf_deploy_guest(&guest, NULL, paths, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "symlink"));
    text = lxcf_test_read_file(d, "victim");
    assert_string_equal(text, "host secret\n");
    lxcf_test_rmrf(d);
}

static void test_deploy_refuses_symlinked_parent(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/guest", d);
    _cleanup_free_ char *src = lxcf_xasprintf("%s/src/sub/f", d);
    _cleanup_free_ char *pdir = lxcf_xasprintf("%s%s/src/sub", g, d);
    _cleanup_free_ char *out = lxcf_xasprintf("%s/outside", d);
    lxcf_update_guest guest = { .name = "g1", .root = g, .model = LXCF_MODEL_SEPARATE };
    char *paths[] = { src, NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(d, "src/sub/f", "f\n");
    t_sh("mkdir -p '%s'", out);
    t_sh("mkdir -p \"$(dirname '%s')\"", pdir);
    assert_int_equal(symlink(out, pdir), 0);
    assert_int_equal(lxcf_deploy_guest(&guest, NULL, paths, &err), -1);
    assert_false(lxcf_test_exists(out, "f"));
    lxcf_test_rmrf(d);
}

static void test_deploy_check_reads_under_the_root(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *h = lxcf_xasprintf("%s/host", d);
    _cleanup_strv_ char **abs = NULL;
    char *paths[] = { "/etc/app.conf", "/srv/tree/", NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(h, "etc/app.conf", "x=1\n");
    lxcf_test_write_file(h, "srv/tree/a", "a\n");
    lxcf_test_symlink("a", h, "srv/tree/in");
    lxcf_test_symlink("../tree/a", h, "srv/tree/also-in");
    if (lxcf_deploy_check(h, paths, &abs, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(abs[0], "/etc/app.conf");
    assert_string_equal(abs[1], "/srv/tree");
    assert_null(abs[2]);
    lxcf_test_rmrf(d);
}

static void test_deploy_check_refuses_bad_input(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *h = lxcf_xasprintf("%s/host", d);
    _cleanup_free_ char *fifo = lxcf_xasprintf("%s/srv/fifo", h);
    lxcf_err err = LXCF_ERR_INIT;
    struct {
        const char *path, *msg;
    } bad[] = {
        { "/srv/missing", "No such file" },
        { "srv/relative", "give an absolute path" },
        { "/srv/out", "out of the directory being deployed" },
        { "/srv/abs", "out of the directory being deployed" },
        { "/srv/fifo", "not a file, directory or symlink" },
        { "/srv/../etc", "'..' is not allowed" },
    };

    (void)state;
    lxcf_test_write_file(h, "srv/out/a", "a\n");
    lxcf_test_symlink("../../etc/shadow", h, "srv/out/escape");
    lxcf_test_write_file(h, "srv/abs/a", "a\n");
    lxcf_test_symlink("/etc/shadow", h, "srv/abs/l");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        _cleanup_strv_ char **abs = NULL;
        char *paths[] = { (char *)bad[i].path, NULL };

        lxcf_error_clear(&err);
        assert_int_equal(lxcf_deploy_check(h, paths, &abs, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("%s: '%s' does not say '%s'", bad[i].path, err.msg, bad[i].msg);
        assert_null(abs);
    }
    lxcf_test_rmrf(d);
}

static void test_deploy_copies_from_under_the_root(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/guest", d), *h = lxcf_xasprintf("%s/host", d);
    _cleanup_free_ char *text = NULL;
    lxcf_update_guest guest = { .name = "g1", .root = g, .model = LXCF_MODEL_JOINT };
    char *abs[] = { "/etc/motd", NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_sh("mkdir -p '%s'", g);
    lxcf_test_write_file(h, "etc/motd", "from the test host\n");
    assert_int_equal(lxcf_deploy_guest(&guest, h, abs, &err), 0);
    text = lxcf_test_read_file(g, "etc/motd");
    assert_string_equal(text, "from the test host\n");
    lxcf_test_rmrf(d);
}

static void test_deploy_copies_directory_tree(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/guest", d);
    _cleanup_free_ char *src = lxcf_xasprintf("%s/tree", d);
    _cleanup_free_ char *dst = lxcf_xasprintf("%s%s", g, src);
    _cleanup_free_ char *h0 = NULL, *h1 = NULL;
    lxcf_update_guest guest = { .name = "g1", .root = g, .model = LXCF_MODEL_SEPARATE };
    char *paths[] = { src, NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_sh("mkdir -p '%s'", g);
    lxcf_test_write_file(d, "tree/a", "a\n");
    lxcf_test_write_file(d, "tree/sub/b", "b\n");
    t_sh("chmod 0700 '%s/sub' && ln -s a '%s/l' && chmod 0600 '%s/a' && true '%s'", src);
    h0 = t_tree(src);
    assert_int_equal(lxcf_deploy_guest(&guest, NULL, paths, &err), 0);
    h1 = t_tree(dst);
    assert_string_equal(h0, h1);
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_all_guests_skips_building),
        cmocka_unit_test(test_plan_only_by_name_and_uuid),
        cmocka_unit_test(test_plan_only_unknown_is_notfound),
        cmocka_unit_test(test_plan_only_building_is_usage),
        cmocka_unit_test(test_plan_leaves_out_other_host_trees),
        cmocka_unit_test(test_cmd_rewrites_host_files_only),
        cmocka_unit_test(test_cmd_empty_is_usage),
        cmocka_unit_test(test_journal_roundtrip),
        cmocka_unit_test(test_journal_missing_is_zero),
        cmocka_unit_test(test_journal_malformed_fails),
        cmocka_unit_test(test_rollback_restores_etc_var_exactly),
        cmocka_unit_test(test_rollback_separate_restores_usr),
        cmocka_unit_test(test_rollback_is_idempotent),
        cmocka_unit_test(test_rollback_of_erased_guest_discards_snapshot),
        cmocka_unit_test(test_exec_reports_exit_status_and_log),
        cmocka_unit_test(test_exec_refuses_symlinked_mount_point),
        cmocka_unit_test(test_exec_refuses_view_overlay_cannot_take),
        cmocka_unit_test(test_deploy_copies_file_with_mode_and_owner),
        cmocka_unit_test(test_deploy_refuses_planted_symlink),
        cmocka_unit_test(test_deploy_refuses_symlinked_parent),
        cmocka_unit_test(test_deploy_check_reads_under_the_root),
        cmocka_unit_test(test_deploy_check_refuses_bad_input),
        cmocka_unit_test(test_deploy_copies_from_under_the_root),
        cmocka_unit_test(test_deploy_copies_directory_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

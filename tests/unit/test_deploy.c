/* Tests for lib/core/deploy: the checks of the host paths and the copy
 * into fake guest trees in temp dirs under /var/tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "deploy.h"
#include "testutil.h"
#include "util.h"

/* mkdir -p of PATH's parent directory. */
static void t_mkdir_parent(const char *path)
{
    _cleanup_free_ char *dir = lxcf_xstrdup(path);

    *strrchr(dir, '/') = '\0';
    lxcf_test_mkdirs(dir, "");
}

/* A temp dir D holding the guest's root G (not made yet) and what is
 * deployed, D/SRC_REL; DST is where SRC lands in the guest. */
typedef struct t_deploy {
    char *d, *g, *src, *dst;
    lxcf_update_guest guest;
    char *paths[2];
} t_deploy;

static t_deploy t_deploy_new(const char *src_rel, lxcf_model model)
{
    t_deploy t = { .d = lxcf_test_mkdtemp() };

    t.g = lxcf_xasprintf("%s/guest", t.d);
    t.src = lxcf_xasprintf("%s/%s", t.d, src_rel);
    t.dst = lxcf_xasprintf("%s%s", t.g, t.src);
    t.guest = (lxcf_update_guest){ .name = "g1", .root = t.g, .model = model };
    t.paths[0] = t.src;
    return t;
}

static void t_deploy_clear(t_deploy *t)
{
    free(t->d);
    free(t->g);
    free(t->src);
    free(t->dst);
}

static void test_deploy_copies_file_with_mode_and_owner(void **state)
{
    _cleanup_(t_deploy_clear) t_deploy t = t_deploy_new("src/app.conf", LXCF_MODEL_JOINT);
    _cleanup_free_ char *text = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    struct stat st;

    (void)state;
    lxcf_test_mkdirs(t.g, "");
    lxcf_test_write_file(t.d, "src/app.conf", "x=1\n");
    assert_int_equal(chmod(t.src, 0640), 0);
    assert_int_equal(chown(t.src, 12, 34), 0);
    assert_int_equal(lxcf_deploy_guest(&t.guest, NULL, t.paths, &err), 0);
    assert_int_equal(lstat(t.dst, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_uid, 12);
    assert_int_equal(st.st_gid, 34);
    text = lxcf_test_read_file(t.g, t.src + 1);
    assert_string_equal(text, "x=1\n");
    lxcf_test_rmrf(t.d);
}

static void test_deploy_refuses_planted_symlink(void **state)
{
    _cleanup_(t_deploy_clear) t_deploy t = t_deploy_new("src/target", LXCF_MODEL_SEPARATE);
    _cleanup_free_ char *victim = lxcf_xasprintf("%s/victim", t.d);
    _cleanup_free_ char *text = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(t.d, "src/target", "new\n");
    lxcf_test_write_file(t.d, "victim", "host secret\n");
    t_mkdir_parent(t.dst);
    assert_int_equal(symlink(victim, t.dst), 0);
    assert_int_equal(lxcf_deploy_guest(&t.guest, NULL, t.paths, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "symlink"));
    text = lxcf_test_read_file(t.d, "victim");
    assert_string_equal(text, "host secret\n");
    lxcf_test_rmrf(t.d);
}

static void test_deploy_refuses_symlinked_parent(void **state)
{
    _cleanup_(t_deploy_clear) t_deploy t = t_deploy_new("src/sub/f", LXCF_MODEL_SEPARATE);
    _cleanup_free_ char *pdir = lxcf_xasprintf("%s%s/src/sub", t.g, t.d);
    _cleanup_free_ char *out = lxcf_xasprintf("%s/outside", t.d);
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(t.d, "src/sub/f", "f\n");
    lxcf_test_mkdirs(out, "");
    t_mkdir_parent(pdir);
    assert_int_equal(symlink(out, pdir), 0);
    assert_int_equal(lxcf_deploy_guest(&t.guest, NULL, t.paths, &err), -1);
    assert_false(lxcf_test_exists(out, "f"));
    lxcf_test_rmrf(t.d);
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

/* SRC is the host's root here: the paths deployed are under it. */
static void test_deploy_copies_from_under_the_root(void **state)
{
    _cleanup_(t_deploy_clear) t_deploy t = t_deploy_new("host", LXCF_MODEL_JOINT);
    _cleanup_free_ char *text = NULL;
    char *abs[] = { "/etc/motd", NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_mkdirs(t.g, "");
    lxcf_test_write_file(t.src, "etc/motd", "from the test host\n");
    assert_int_equal(lxcf_deploy_guest(&t.guest, t.src, abs, &err), 0);
    text = lxcf_test_read_file(t.g, "etc/motd");
    assert_string_equal(text, "from the test host\n");
    lxcf_test_rmrf(t.d);
}

static void test_deploy_copies_directory_tree(void **state)
{
    _cleanup_(t_deploy_clear) t_deploy t = t_deploy_new("tree", LXCF_MODEL_SEPARATE);
    _cleanup_free_ char *sub = lxcf_xasprintf("%s/sub", t.src), *a = lxcf_xasprintf("%s/a", t.src);
    _cleanup_free_ char *h0 = NULL, *h1 = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_mkdirs(t.g, "");
    lxcf_test_write_file(t.d, "tree/a", "a\n");
    lxcf_test_write_file(t.d, "tree/sub/b", "b\n");
    assert_int_equal(chmod(sub, 0700), 0);
    lxcf_test_symlink("a", t.src, "l");
    assert_int_equal(chmod(a, 0600), 0);
    h0 = lxcf_test_tree_snapshot(t.src);
    assert_int_equal(lxcf_deploy_guest(&t.guest, NULL, t.paths, &err), 0);
    h1 = lxcf_test_tree_snapshot(t.dst);
    assert_string_equal(h0, h1);
    lxcf_test_rmrf(t.d);
}


/* A second deploy replaces the file it made (a new inode: never written
 * in place), merges into the directory, and keeps what the copier keeps:
 * times and extended attributes. */
static void test_deploy_again_replaces_and_keeps_times_and_xattrs(void **state)
{
    _cleanup_(t_deploy_clear) t_deploy t = t_deploy_new("tree", LXCF_MODEL_SEPARATE);
    _cleanup_free_ char *conf = lxcf_xasprintf("%s/tree/app.conf", t.d), *text = NULL;
    const char *gtop = t.dst;
    struct timespec ts[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
    lxcf_err err = LXCF_ERR_INIT;
    char val[8] = "";
    ino_t first;

    (void)state;
    lxcf_test_mkdirs(t.g, "");
    lxcf_test_write_file(t.src, "app.conf", "v1\n");
    assert_int_equal(lxcf_deploy_guest(&t.guest, NULL, t.paths, &err), 0);
    first = lxcf_test_lstat(gtop, "app.conf").st_ino;
    lxcf_test_write_file(gtop, "guest-own", "kept\n");
    lxcf_test_write_file(t.src, "app.conf", "v2\n");
    assert_int_equal(utimensat(AT_FDCWD, conf, ts, 0), 0);
    if (setxattr(conf, "user.lxcf-test", "yes", 3, 0) < 0)
        print_message("no user xattrs here: that part is not checked\n");
    assert_int_equal(lxcf_deploy_guest(&t.guest, NULL, t.paths, &err), 0);
    text = lxcf_test_read_file(gtop, "app.conf");
    assert_string_equal(text, "v2\n");
    assert_int_not_equal(lxcf_test_lstat(gtop, "app.conf").st_ino, first);
    assert_int_equal(lxcf_test_lstat(gtop, "app.conf").st_mtim.tv_sec, 1000000000);
    assert_true(lxcf_test_exists(gtop, "guest-own"));
    if (getxattr(conf, "user.lxcf-test", val, sizeof(val)) == 3) {
        _cleanup_free_ char *gconf = lxcf_xasprintf("%s/app.conf", gtop);
        memset(val, 0, sizeof(val));
        assert_int_equal(getxattr(gconf, "user.lxcf-test", val, sizeof(val)), 3);
        assert_string_equal(val, "yes");
    }
    lxcf_test_rmrf(t.d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deploy_copies_file_with_mode_and_owner),
        cmocka_unit_test(test_deploy_refuses_planted_symlink),
        cmocka_unit_test(test_deploy_refuses_symlinked_parent),
        cmocka_unit_test(test_deploy_check_reads_under_the_root),
        cmocka_unit_test(test_deploy_check_refuses_bad_input),
        cmocka_unit_test(test_deploy_copies_from_under_the_root),
        cmocka_unit_test(test_deploy_copies_directory_tree),
        cmocka_unit_test(test_deploy_again_replaces_and_keeps_times_and_xattrs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

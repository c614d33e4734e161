/* Tests for lib/core/update_exec: running the command once, here or
 * (refused before anything is mounted) in a fake guest root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "testutil.h"
#include "update_exec.h"
#include "util.h"

/* The mount points of a guest root but run, which each test makes itself. */
static void t_mount_points(const char *g)
{
    static const char *const dirs[] = { "proc", "sys", "dev", "tmp", NULL };

    for (const char *const *d = dirs; *d; d++)
        lxcf_test_mkdirs(g, *d);
}

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
    t_mount_points(g);
    lxcf_test_symlink("/etc", g, "run");
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
    t_mount_points(g);
    lxcf_test_mkdirs(g, "run");
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_exec(&cmd, &o, &status, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "cannot be used in an overlay"));
    assert_false(lxcf_test_exists(g, "opt"));
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}


static void test_exec_host_failure_says_guests_keep_it(void **state)
{
    char *argv[] = { "false", NULL };
    lxcf_update_cmd cmd;
    lxcf_ctx ctx = { .root = NULL };
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_exec_host(&ctx, &cmd, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "host: false failed with exit status 1"));
    assert_non_null(strstr(err.msg, "the guests keep the update"));
    lxcf_update_cmd_clear(&cmd);
}

static void test_log_tail_of_missing_file_is_empty(void **state)
{
    _cleanup_free_ char *tail = lxcf_update_log_tail("/var/tmp/lxcf-no-such-log", 3);

    (void)state;
    assert_string_equal(tail, "");
}

/* A program that is not there is an error, not an exit status: here, and
 * in a root after its mounts (in the child's own mount namespace). */
static void test_exec_missing_program_is_an_error(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *g = lxcf_xasprintf("%s/g", d);
    char *argv[] = { "lxcf-no-such-program", NULL };
    lxcf_update_cmd cmd;
    lxcf_update_exec_opts here = { .out_fd = -1 };
    lxcf_update_exec_opts in_root = { .root = g, .out_fd = -1 };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;

    (void)state;
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    assert_int_equal(lxcf_update_exec(&cmd, &here, &status, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_non_null(strstr(err.msg, "cannot execute the command: No such file or directory"));
    assert_int_equal(status, -1);
    if (geteuid() == 0) {
        lxcf_error_clear(&err);
        t_mount_points(g);
        lxcf_test_mkdirs(g, "run");
        assert_int_equal(lxcf_update_exec(&cmd, &in_root, &status, &err), -1);
        assert_non_null(strstr(err.msg, "cannot execute the command: No such file or directory"));
        assert_true(lxcf_test_dir_empty(g, "proc"));
    }
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_reports_exit_status_and_log),
        cmocka_unit_test(test_exec_refuses_symlinked_mount_point),
        cmocka_unit_test(test_exec_refuses_view_overlay_cannot_take),
        cmocka_unit_test(test_exec_host_failure_says_guests_keep_it),
        cmocka_unit_test(test_log_tail_of_missing_file_is_empty),
        cmocka_unit_test(test_exec_missing_program_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lib/spawn: the one fork-and-exec.  What matters: the caller's set-up runs
 * in the child before the command, a failed step or exec comes back as
 * one error with its errno (never as an exit status the command could
 * have chosen), the command's own status is returned as it is, and the
 * report pipe never reaches the command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "spawn.h"
#include "testutil.h"
#include "util.h"

/* Run ARGV through lxcf_spawn with FLAGS and the set-up SETUP(ARG). */
static int lxcf_t_spawn(char *const *argv, unsigned flags, lxcf_spawn_setup_fn *setup, void *arg,
                        int *status, lxcf_err *err)
{
    lxcf_spawn_opts o = { .argv = argv, .setup = setup, .opaque = arg, .flags = flags };

    return lxcf_spawn(&o, status, err);
}

static int lxcf_t_chdir(void *opaque, lxcf_spawn_fail *fail)
{
    if (chdir(opaque) < 0)
        return lxcf_spawn_failed(fail, "cannot change to the directory", errno);
    return 0;
}

static int lxcf_t_refuse(void *opaque, lxcf_spawn_fail *fail)
{
    return lxcf_spawn_failed_because(fail, "cannot take the label", opaque);
}

static int lxcf_t_silent_failure(void *opaque, lxcf_spawn_fail *fail)
{
    return -1;
}

static void test_returns_the_commands_own_status(void **state)
{
    char *argv[] = { "sh", "-c", "exit 7", NULL };
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_t_spawn(argv, 0, NULL, NULL, &status, &err), 0);
    assert_int_equal(status, 7);
    assert_int_equal(err.code, 0);
}

static void test_a_killed_command_is_128_plus_its_signal(void **state)
{
    char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_t_spawn(argv, 0, NULL, NULL, &status, &err), 0);
    assert_int_equal(status, 128 + 9);
    /* Through the middle process too. */
    assert_int_equal(lxcf_t_spawn(argv, LXCF_SPAWN_FORK_AGAIN, NULL, NULL, &status, &err), 0);
    assert_int_equal(status, 128 + 9);
}

/* A command that exits 127 itself is a status, not a failure to start. */
static void test_a_command_exiting_127_is_no_error(void **state)
{
    char *argv[] = { "sh", "-c", "exit 127", NULL };
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_t_spawn(argv, LXCF_SPAWN_SHELL_STATUS, NULL, NULL, &status, &err), 0);
    assert_int_equal(status, 127);
}

static void test_setup_runs_in_the_child_before_the_command(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *here = lxcf_test_path(d, "here");
    char *argv[] = { "touch", "here", NULL };
    char before[4096], after[4096];
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    assert_non_null(getcwd(before, sizeof(before)));
    for (unsigned flags = 0; flags <= LXCF_SPAWN_FORK_AGAIN; flags++) {
        assert_int_equal(lxcf_t_spawn(argv, flags, lxcf_t_chdir, d, &status, &err), 0);
        assert_int_equal(status, 0);
        assert_true(lxcf_test_exists(d, "here"));
        assert_int_equal(unlink(here), 0);
    }
    /* The parent stays where it was. */
    assert_non_null(getcwd(after, sizeof(after)));
    assert_string_equal(before, after);
}

static void test_a_failed_step_is_its_name_and_errno_and_runs_nothing(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *missing = lxcf_test_path(d, "missing");
    char *argv[] = { "touch", "ran", NULL };

    for (unsigned flags = 0; flags <= LXCF_SPAWN_FORK_AGAIN; flags++) {
        lxcf_err err = LXCF_ERR_INIT;
        int status = -1;

        assert_int_equal(lxcf_t_spawn(argv, flags, lxcf_t_chdir, missing, &status, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_FAIL);
        assert_int_equal(err.sys_errno, ENOENT);
        assert_string_equal(err.msg, "cannot change to the directory: No such file or directory");
        assert_int_equal(status, -1);
        assert_false(lxcf_test_exists(d, "ran"));
    }
}

static void test_a_failed_step_with_a_reason_says_it(void **state)
{
    char *argv[] = { "true", NULL };
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_t_spawn(argv, 0, lxcf_t_refuse, "Unable to join domain namespace",
                                  &status, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_int_equal(err.sys_errno, 0);
    assert_string_equal(err.msg, "cannot take the label: Unable to join domain namespace");
}

static void test_a_step_that_fails_without_a_word_is_still_an_error(void **state)
{
    char *argv[] = { "true", NULL };
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_t_spawn(argv, 0, lxcf_t_silent_failure, NULL, &status, &err), -1);
    assert_string_equal(err.msg, "the child's set-up failed");
    assert_int_equal(status, -1);
}

static void test_a_missing_program_names_it(void **state)
{
    char *argv[] = { "/nonexistent-lxcf-prog", NULL };

    for (unsigned flags = 0; flags <= LXCF_SPAWN_FORK_AGAIN; flags++) {
        lxcf_err err = LXCF_ERR_INIT;
        int status = -1;

        assert_int_equal(lxcf_t_spawn(argv, flags, NULL, NULL, &status, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_FAIL);
        assert_int_equal(err.sys_errno, ENOENT);
        assert_string_equal(err.msg, "cannot run '/nonexistent-lxcf-prog': No such file or directory");
        assert_int_equal(status, -1);
    }
}

static void test_shell_status_tells_missing_from_refused(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *plain = lxcf_test_path(d, "plain");
    char *missing[] = { "/nonexistent-lxcf-prog", NULL };
    char *refused[] = { plain, NULL };
    lxcf_spawn_opts o = { .argv = refused, .exec_step = "cannot run it in the container",
                          .flags = LXCF_SPAWN_SHELL_STATUS | LXCF_SPAWN_FORK_AGAIN };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;

    lxcf_test_write_file(d, "plain", "not a program\n");
    assert_int_equal(lxcf_t_spawn(missing, LXCF_SPAWN_SHELL_STATUS, NULL, NULL, &status, &err), -1);
    assert_int_equal(err.code, 127);
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_spawn(&o, &status, &err), -1);
    assert_int_equal(err.code, 126);
    assert_int_equal(err.sys_errno, EACCES);
    assert_string_equal(err.msg, "cannot run it in the container: Permission denied");
}

static void test_exe_candidates_are_tried_in_turn_with_envp(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *nothere = lxcf_test_path(d, "sh");
    char *argv[] = { "sh", "-c", "[ \"$LXCF_T\" = yes ] && [ -z \"$HOME\" ]", NULL };
    char *envp[] = { "LXCF_T=yes", NULL };
    char *exe[] = { nothere, "/bin/sh", NULL };
    lxcf_spawn_opts o = { .argv = argv, .envp = envp, .exe = exe };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;

    assert_int_equal(lxcf_spawn(&o, &status, &err), 0);
    assert_int_equal(status, 0);
    /* The environment is ENVP also when $PATH finds the program. */
    o.exe = NULL;
    assert_int_equal(lxcf_spawn(&o, &status, &err), 0);
    assert_int_equal(status, 0);
}

static void test_exe_candidates_all_missing_is_one_error(void **state)
{
    char *argv[] = { "lxcf-t-prog", NULL };
    char *exe[] = { "/nonexistent/a/lxcf-t-prog", "/nonexistent/b/lxcf-t-prog", NULL };
    lxcf_spawn_opts o = { .argv = argv, .exe = exe, .exec_step = "cannot execute the command" };
    lxcf_err err = LXCF_ERR_INIT;
    int status = -1;

    assert_int_equal(lxcf_spawn(&o, &status, &err), -1);
    assert_string_equal(err.msg, "cannot execute the command: No such file or directory");
}

static void test_fork_again_runs_the_command_in_a_grandchild(void **state)
{
    _cleanup_free_ char *script = lxcf_xasprintf("[ $PPID != %ld ] && exit 9", (long)getpid());
    char *argv[] = { "sh", "-c", script, NULL };
    int status = -1;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_t_spawn(argv, LXCF_SPAWN_FORK_AGAIN, NULL, NULL, &status, &err), 0);
    assert_int_equal(status, 9);
}

/* The middle process holds nothing but stdio while the command runs: in a
 * process with threads a descriptor it kept could be another spawn's
 * report pipe (KEEP here), and that spawn would wait for this command's
 * end. */
static void test_fork_again_middle_keeps_no_descriptor(void **state)
{
    int status = -1, keep[2];
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(pipe(keep), 0);
    _cleanup_free_ char *script = lxcf_xasprintf(
        "for i in $(seq 50); do [ -e /proc/$PPID/fd/%d ] || exit 0; sleep 0.1; done; exit 1",
        keep[1]);
    char *argv[] = { "sh", "-c", script, NULL };

    assert_int_equal(lxcf_t_spawn(argv, LXCF_SPAWN_FORK_AGAIN, NULL, NULL, &status, &err), 0);
    close(keep[0]);
    close(keep[1]);
    assert_int_equal(status, 0);
}

/* A command that leaves a process behind returns at its own exit: the
 * report pipe is closed at exec, so nothing the command starts holds it. */
static void test_the_report_pipe_does_not_reach_the_command(void **state)
{
    char *argv[] = { "sh", "-c", "sleep 3 </dev/null >/dev/null 2>&1 & exit 0", NULL };
    struct timespec t0, t1;

    for (unsigned flags = 0; flags <= LXCF_SPAWN_FORK_AGAIN; flags++) {
        lxcf_err err = LXCF_ERR_INIT;
        int status = -1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(lxcf_t_spawn(argv, flags, NULL, NULL, &status, &err), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_int_equal(status, 0);
        assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
    }
}

/* In a forked child: after closing all but the two kept numbers, only
 * those (and stdio) are still open. */
static void test_close_fds_except_keeps_only_the_two(void **state)
{
    int a[2], b[2], c[2];
    pid_t pid;
    int st = 0;

    assert_int_equal(pipe(a), 0);
    assert_int_equal(pipe(b), 0);
    assert_int_equal(pipe(c), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        lxcf_close_fds_except(b[1], a[0]);
        _exit(fcntl(a[0], F_GETFD) < 0 || fcntl(b[1], F_GETFD) < 0 ? 1 :
              fcntl(a[1], F_GETFD) >= 0 || fcntl(b[0], F_GETFD) >= 0 ? 2 :
              fcntl(c[0], F_GETFD) >= 0 || fcntl(c[1], F_GETFD) >= 0 ? 3 :
              fcntl(2, F_GETFD) < 0 ? 4 : 0);
    }
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    for (size_t i = 0; i < 2; i++) {
        close(a[i]);
        close(b[i]);
        close(c[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_returns_the_commands_own_status),
        cmocka_unit_test(test_a_killed_command_is_128_plus_its_signal),
        cmocka_unit_test(test_a_command_exiting_127_is_no_error),
        cmocka_unit_test(test_setup_runs_in_the_child_before_the_command),
        cmocka_unit_test(test_a_failed_step_is_its_name_and_errno_and_runs_nothing),
        cmocka_unit_test(test_a_failed_step_with_a_reason_says_it),
        cmocka_unit_test(test_a_step_that_fails_without_a_word_is_still_an_error),
        cmocka_unit_test(test_a_missing_program_names_it),
        cmocka_unit_test(test_shell_status_tells_missing_from_refused),
        cmocka_unit_test(test_exe_candidates_are_tried_in_turn_with_envp),
        cmocka_unit_test(test_exe_candidates_all_missing_is_one_error),
        cmocka_unit_test(test_fork_again_runs_the_command_in_a_grandchild),
        cmocka_unit_test(test_fork_again_middle_keeps_no_descriptor),
        cmocka_unit_test(test_the_report_pipe_does_not_reach_the_command),
        cmocka_unit_test(test_close_fds_except_keeps_only_the_two),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

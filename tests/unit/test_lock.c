/* lib/lock: the one host lock, an flock on a file under a temp dir here.
 * What matters: it excludes a second holder (in this process or another),
 * it times out with the holder's pid, and it is free again the moment its
 * holder dies, with no stale-lock heuristics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "lock.h"
#include "testutil.h"
#include "util.h"

static long lxcf_t_ms_since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

typedef struct {
    const char *path;
    int hold_ms;
} lxcf_t_hold;

static int lxcf_t_hold_lock(void *arg, int fd)
{
    const lxcf_t_hold *h = arg;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_lock_take(h->path, 0, &err) < 0)
        return 1;
    (void)!write(fd, "L", 1);
    if (h->hold_ms < 0)
        for (;;)
            pause();
    usleep((useconds_t)h->hold_ms * 1000);
    return 0;
}

/* A child that takes the lock at PATH, says so on the pipe, then holds it
 * for HOLD_MS (or until killed when HOLD_MS < 0) and exits. */
static pid_t lxcf_t_holder(const char *path, int hold_ms)
{
    lxcf_t_hold h = { path, hold_ms };
    char c = 0;

    return lxcf_test_fork_reporting(lxcf_t_hold_lock, &h, &c, 1);
}

static void test_take_creates_missing_dirs_and_writes_pid(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "run/lxcf/deep/lxcf.lock");
    _cleanup_free_ char *pid = NULL, *want = lxcf_xasprintf("%ld\n", (long)getpid());
    _cleanup_(lxcf_lock_release) int fd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    fd = lxcf_lock_take(path, 0, &err);
    if (fd < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(lxcf_test_lstat(d, "run/lxcf/deep/lxcf.lock").st_mode & 07777, 0600);
    assert_true(S_ISDIR(lxcf_test_lstat(d, "run/lxcf/deep").st_mode));
    pid = lxcf_test_read_file(d, "run/lxcf/deep/lxcf.lock");
    assert_string_equal(pid, want);
}

static void test_lock_fd_is_close_on_exec(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock");
    _cleanup_(lxcf_lock_release) int fd = -1;
    lxcf_err err = LXCF_ERR_INIT;

    /* A program lxcf runs (dpkg in an update) must not keep the host
     * locked after lxcf is gone. */
    fd = lxcf_lock_take(path, 0, &err);
    assert_true(fd >= 0);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static void test_second_take_in_same_process_is_busy(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock");
    _cleanup_(lxcf_lock_release) int fd = -1;
    _cleanup_free_ char *want = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    /* flock excludes per open file, so two threads or two contexts of
     * one lxcf exclude each other too. */
    fd = lxcf_lock_take(path, 0, &err);
    assert_true(fd >= 0);
    assert_int_equal(lxcf_lock_take(path, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_BUSY);
    want = lxcf_xasprintf("another lxcf (pid %ld) is changing the host; try again later (lock %s)",
                          (long)getpid(), path);
    assert_string_equal(err.msg, want);
}

static void test_busy_names_the_holding_process(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock"), *want = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    pid_t holder = lxcf_t_holder(path, -1);

    assert_int_equal(lxcf_lock_take(path, 0, &err), -1);
    kill(holder, SIGKILL);
    waitpid(holder, NULL, 0);
    assert_int_equal(err.code, LXCF_EXIT_BUSY);
    want = lxcf_xasprintf("another lxcf (pid %ld)", (long)holder);
    assert_true(lxcf_startswith(err.msg, want));
}

static void test_take_waits_up_to_the_timeout(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock");
    _cleanup_(lxcf_lock_release) int fd = -1;
    struct timespec t0;
    lxcf_err err = LXCF_ERR_INIT;
    long ms;

    fd = lxcf_lock_take(path, 0, &err);
    assert_true(fd >= 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(lxcf_lock_take(path, 300, &err), -1);
    ms = lxcf_t_ms_since(&t0);
    assert_int_equal(err.code, LXCF_EXIT_BUSY);
    assert_true(ms >= 300);
    /* It gives up soon after: its retry step is 50 ms. */
    assert_true(ms < 3000);
}

static void test_take_succeeds_once_the_holder_exits(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock");
    _cleanup_(lxcf_lock_release) int fd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    pid_t holder = lxcf_t_holder(path, 300);

    /* Waiting (no timeout), not failing: the holder lets go by itself. */
    fd = lxcf_lock_take(path, -1, &err);
    if (fd < 0)
        fail_msg("%s", err.msg);
    lxcf_test_reap(holder, 0);
}

static void test_lock_of_a_killed_holder_is_free_at_once(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock");
    _cleanup_(lxcf_lock_release) int fd = -1;
    lxcf_err err = LXCF_ERR_INIT;
    pid_t holder = lxcf_t_holder(path, -1);
    int st = 0;

    assert_int_equal(kill(holder, SIGKILL), 0);
    assert_int_equal(waitpid(holder, &st, 0), holder);
    assert_true(WIFSIGNALED(st));
    /* The file and the dead pid in it stay; the lock does not. */
    assert_true(lxcf_test_exists(d, "lxcf.lock"));
    fd = lxcf_lock_take(path, 0, &err);
    if (fd < 0)
        fail_msg("%s", err.msg);
}

static void test_release_frees_the_lock_and_resets_the_fd(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock");
    lxcf_err err = LXCF_ERR_INIT;
    int fd = lxcf_lock_take(path, 0, &err), again;

    assert_true(fd >= 0);
    lxcf_lock_release(&fd);
    assert_int_equal(fd, -1);
    /* Twice, or on a lock never taken: nothing happens. */
    lxcf_lock_release(&fd);
    assert_int_equal(fd, -1);
    again = lxcf_lock_take(path, 0, &err);
    assert_true(again >= 0);
    lxcf_lock_release(&again);
}

static void test_take_refuses_a_symlink(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "lxcf.lock");
    _cleanup_free_ char *target = lxcf_test_path(d, "elsewhere");
    lxcf_err err = LXCF_ERR_INIT;

    /* Someone who can write the lock's dir must not make lxcf create or
     * truncate a file of their choosing. */
    lxcf_test_symlink(target, d, "lxcf.lock");
    assert_int_equal(lxcf_lock_take(path, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_int_equal(err.sys_errno, ELOOP);
    assert_true(lxcf_startswith(err.msg, "cannot open the lock "));
    assert_false(lxcf_test_exists(d, "elsewhere"));
}

static void test_take_fails_when_a_parent_is_a_file(void **state)
{
    _cleanup_free_ char *d = lxcf_test_subtree();
    _cleanup_free_ char *path = lxcf_test_path(d, "run/lxcf/lxcf.lock");
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(d, "run", "not a dir");
    assert_int_equal(lxcf_lock_take(path, 0, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_FAIL);
    assert_true(lxcf_startswith(err.msg, "cannot create the directory of "));
    assert_int_equal(err.sys_errno, ENOTDIR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_take_creates_missing_dirs_and_writes_pid),
        cmocka_unit_test(test_lock_fd_is_close_on_exec),
        cmocka_unit_test(test_second_take_in_same_process_is_busy),
        cmocka_unit_test(test_busy_names_the_holding_process),
        cmocka_unit_test(test_take_waits_up_to_the_timeout),
        cmocka_unit_test(test_take_succeeds_once_the_holder_exits),
        cmocka_unit_test(test_lock_of_a_killed_holder_is_free_at_once),
        cmocka_unit_test(test_release_frees_the_lock_and_resets_the_fd),
        cmocka_unit_test(test_take_refuses_a_symlink),
        cmocka_unit_test(test_take_fails_when_a_parent_is_a_file),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

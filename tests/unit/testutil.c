#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "err.h"
#include "testutil.h"
#include "util.h"

char *lxcf_test_base;

/* Named after the program, so a dir left by a crash says who left it. */
char *lxcf_test_mkdtemp(void)
{
    char *d = lxcf_xasprintf("/var/tmp/lxcf-%s-XXXXXX", program_invocation_short_name);

    if (!mkdtemp(d))
        fail_msg("%s: %s", d, strerror(errno));
    return d;
}

/* --one-file-system: a mount left behind by a failed test must survive. */
static int lxcf_test_rm(const char *dir)
{
    _cleanup_free_ char *cmd = lxcf_xasprintf("rm -rf --one-file-system -- '%s'", dir);
    return system(cmd);
}

void lxcf_test_rmrf(const char *dir)
{
    assert_int_equal(lxcf_test_rm(dir), 0);
}

char *lxcf_test_path(const char *root, const char *rel)
{
    return lxcf_path_join(root, rel);
}

void lxcf_test_mkdirs(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    _cleanup_free_ char *cmd = lxcf_xasprintf("mkdir -p -- '%s'", p);
    assert_int_equal(system(cmd), 0);
}

/* Makes the missing parent dirs too: fake trees are written leaf by leaf. */
void lxcf_test_write_file(const char *root, const char *rel, const char *text)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    _cleanup_free_ char *dir = lxcf_xstrdup(p);
    _cleanup_fclose_ FILE *f = NULL;

    *strrchr(dir, '/') = '\0';
    lxcf_test_mkdirs(dir, "");
    f = fopen(p, "w");
    if (!f)
        fail_msg("%s: %s", p, strerror(errno));
    assert_true(fputs(text, f) >= 0);
}

char *lxcf_test_read_file(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    lxcf_err err = LXCF_ERR_INIT;
    char *out = NULL;

    if (lxcf_read_file(p, &out, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    return out;
}

void lxcf_test_symlink(const char *target, const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    assert_int_equal(symlink(target, p), 0);
}

bool lxcf_test_exists(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

struct stat lxcf_test_lstat(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    struct stat st;

    if (lstat(p, &st) < 0)
        fail_msg("%s: %s", p, strerror(errno));
    return st;
}

char *lxcf_test_readlink(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    char buf[512];
    ssize_t n = readlink(p, buf, sizeof buf - 1);

    if (n <= 0)
        fail_msg("%s: not a symlink", p);
    buf[n] = '\0';
    return lxcf_xstrdup(buf);
}

/* Runs FN in a child with its own private mount namespace, so nothing it
 * mounts is ever visible to the machine; returns the child's exit code
 * (0 = pass, 100 = no namespace). */
int lxcf_test_in_mountns(int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0) {
        if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
            _exit(100);
        _exit(fn(arg));
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

int lxcf_test_base_setup(void **state)
{
    (void)state;
    lxcf_test_base = lxcf_test_mkdtemp();
    return 0;
}

int lxcf_test_base_teardown(void **state)
{
    int r = lxcf_test_rm(lxcf_test_base);

    (void)state;
    free(lxcf_test_base);
    lxcf_test_base = NULL;
    return r == 0 ? 0 : -1;
}

char *lxcf_test_subtree(void)
{
    char *d = lxcf_xasprintf("%s/t.XXXXXX", lxcf_test_base);

    if (!mkdtemp(d))
        fail_msg("%s: %s", d, strerror(errno));
    return d;
}

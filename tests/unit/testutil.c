#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "domxml.h"
#include "err.h"
#include "spawn.h"
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

static int lxcf_test_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        return rmdir(path) < 0 ? -1 : 0;
    /* A directory nftw could not read: removing what is left fails below. */
    if (type == FTW_DNR)
        return rmdir(path) < 0 ? -1 : 0;
    return unlink(path) < 0 ? -1 : 0;
}

/* Depth first, never through a symlink, and never across a mount point
 * (FTW_MOUNT, like rm --one-file-system): a mount left behind by a failed
 * test must survive, so its parent stays and the removal fails loudly.
 * 0, or -1 with errno. */
static int lxcf_test_rm(const char *dir)
{
    struct stat st;

    if (lstat(dir, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(dir, lxcf_test_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0 ? 0 : -1;
}

void lxcf_test_rmrf(const char *dir)
{
    if (lxcf_test_rm(dir) < 0)
        fail_msg("cannot remove %s: %s", dir, strerror(errno));
}

char *lxcf_test_path(const char *root, const char *rel)
{
    return lxcf_path_join(root, rel);
}

/* mkdir -p: every missing component, 0777 less the umask as mkdir(1). */
void lxcf_test_mkdirs(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);

    for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
        if (s)
            *s = '\0';
        if (*p && mkdir(p, 0777) < 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", p, strerror(errno));
        if (!s)
            break;
        *s = '/';
    }
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

void lxcf_test_unlink(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);

    if (unlink(p) < 0)
        fail_msg("unlink %s: %s", p, strerror(errno));
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

bool lxcf_test_dir_empty(const char *root, const char *rel)
{
    _cleanup_free_ char *p = lxcf_test_path(root, rel);
    _cleanup_closedir_ DIR *d = opendir(p);
    struct dirent *de;

    if (!d)
        fail_msg("%s: %s", p, strerror(errno));
    while ((de = readdir(d)))
        if (!lxcf_streq(de->d_name, ".") && !lxcf_streq(de->d_name, ".."))
            return false;
    return true;
}

/* The names in DIR, sorted, so two trees compare entry by entry. */
static char **lxcf_test_names(const char *dir)
{
    struct dirent **list = NULL;
    char **v = lxcf_xcalloc(1, sizeof(char *));
    int n = scandir(dir, &list, NULL, alphasort);

    if (n < 0)
        fail_msg("%s: %s", dir, strerror(errno));
    for (int i = 0; i < n; i++) {
        if (!lxcf_streq(list[i]->d_name, ".") && !lxcf_streq(list[i]->d_name, ".."))
            lxcf_strv_push(&v, lxcf_xstrdup(list[i]->d_name));
        free(list[i]);
    }
    free(list);
    return v;
}

static void lxcf_test_same_node(const char *a, const char *b)
{
    struct stat sa = lxcf_test_lstat(a, ""), sb = lxcf_test_lstat(b, "");

    if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT))
        fail_msg("%s and %s are not of the same type", a, b);
    if ((sa.st_mode & 07777) != (sb.st_mode & 07777))
        fail_msg("%s has mode %04o, %s %04o", a, (unsigned)(sa.st_mode & 07777), b,
                 (unsigned)(sb.st_mode & 07777));
    if (S_ISLNK(sa.st_mode)) {
        _cleanup_free_ char *ta = lxcf_test_readlink(a, ""), *tb = lxcf_test_readlink(b, "");
        if (!lxcf_streq(ta, tb))
            fail_msg("%s -> %s but %s -> %s", a, ta, b, tb);
    } else if (S_ISREG(sa.st_mode)) {
        _cleanup_free_ char *da = NULL, *db = NULL;
        size_t la = 0, lb = 0;
        lxcf_err err = LXCF_ERR_INIT;

        if (lxcf_read_file(a, &da, &la, &err) < 0 || lxcf_read_file(b, &db, &lb, &err) < 0)
            fail_msg("%s", err.msg);
        if (la != lb || memcmp(da, db, la) != 0)
            fail_msg("%s and %s differ", a, b);
    } else if (S_ISDIR(sa.st_mode)) {
        _cleanup_strv_ char **na = lxcf_test_names(a);
        _cleanup_strv_ char **nb = lxcf_test_names(b);

        for (size_t i = 0; na[i] || nb[i]; i++) {
            if (!lxcf_streq(na[i], nb[i]))
                fail_msg("only in %s: %s", na[i] && (!nb[i] || strcmp(na[i], nb[i]) < 0) ? a : b,
                         na[i] && (!nb[i] || strcmp(na[i], nb[i]) < 0) ? na[i] : nb[i]);
            _cleanup_free_ char *ca = lxcf_path_join(a, na[i]), *cb = lxcf_path_join(b, nb[i]);
            lxcf_test_same_node(ca, cb);
        }
    }
}

void lxcf_test_assert_same_tree(const char *a, const char *b)
{
    lxcf_test_same_node(a, b);
}

static void lxcf_test_snapshot_into(const char *top, const char *rel, char **out)
{
    _cleanup_free_ char *p = lxcf_path_join(top, rel);
    struct stat st = lxcf_test_lstat(p, "");
    _cleanup_free_ char *what = NULL;
    char *line;

    if (S_ISLNK(st.st_mode)) {
        what = lxcf_test_readlink(p, "");
    } else if (S_ISREG(st.st_mode)) {
        lxcf_err err = LXCF_ERR_INIT;
        if (lxcf_read_file(p, &what, NULL, &err) < 0)
            fail_msg("%s", err.msg);
    }
    line = lxcf_xasprintf("%s%s %o %u:%u %s\n", *out, *rel ? rel : ".", (unsigned)st.st_mode,
                          (unsigned)st.st_uid, (unsigned)st.st_gid, what ? what : "");
    free(*out);
    *out = line;
    if (S_ISDIR(st.st_mode)) {
        _cleanup_strv_ char **names = lxcf_test_names(p);
        for (size_t i = 0; names[i]; i++) {
            _cleanup_free_ char *child = *rel ? lxcf_xasprintf("%s/%s", rel, names[i])
                                              : lxcf_xstrdup(names[i]);
            lxcf_test_snapshot_into(top, child, out);
        }
    }
}

char *lxcf_test_tree_snapshot(const char *dir)
{
    char *out = lxcf_xstrdup("");

    lxcf_test_snapshot_into(dir, "", &out);
    return out;
}

void lxcf_test_golden(const char *path, const char *actual)
{
    _cleanup_free_ char *expected = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_streq(getenv(LXCF_TEST_REGENERATE_ENV), "1")) {
        if (lxcf_write_file_atomic(path, actual, strlen(actual), 0644, false, &err) < 0)
            fail_msg("%s", err.msg);
        print_message("regenerated %s\n", path);
        return;
    }
    if (lxcf_read_file(path, &expected, NULL, &err) < 0)
        fail_msg("%s (a new golden file? run with %s=1)", err.msg, LXCF_TEST_REGENERATE_ENV);
    assert_string_equal(actual, expected);
}

bool lxcf_test_have_program(const char *name)
{
    _cleanup_free_ char *path = lxcf_xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    char *save = NULL;

    for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        _cleanup_free_ char *p = lxcf_path_join(d, name);
        if (access(p, X_OK) == 0)
            return true;
    }
    return false;
}

void lxcf_test_need_program(const char *name, const char *package)
{
    if (!lxcf_test_have_program(name)) {
        print_message("%s not found (install %s): skipped\n", name, package);
        skip();
    }
}

static int lxcf_test_output_to(void *opaque, lxcf_spawn_fail *fail)
{
    int fd = *(const int *)opaque;

    if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
        return lxcf_spawn_failed(fail, "cannot redirect the output", errno);
    return 0;
}

int lxcf_test_run(char *const *argv, char **output)
{
    _cleanup_free_ char *path = lxcf_xasprintf("/var/tmp/lxcf-%s-out-XXXXXX",
                                               program_invocation_short_name);
    _cleanup_free_ char *out = NULL;
    _cleanup_close_ int fd = mkostemp(path, O_CLOEXEC);
    lxcf_spawn_opts o = { .argv = argv, .setup = lxcf_test_output_to, .opaque = &fd };
    lxcf_err err = LXCF_ERR_INIT;
    int status = 0;

    if (fd < 0)
        fail_msg("%s: %s", path, strerror(errno));
    /* A file, not a pipe: lxcf_spawn waits, and a chatty child must never
     * block on a full pipe meanwhile.  Open, it needs no name. */
    unlink(path);
    if (lxcf_spawn(&o, &status, &err) < 0)
        fail_msg("%s", err.msg);
    if (lseek(fd, 0, SEEK_SET) < 0 || lxcf_read_fd(fd, &out, NULL) < 0)
        fail_msg("reading the output of %s: %s", argv[0], strerror(errno));
    if (output)
        *output = lxcf_steal_ptr(out);
    return status;
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

struct lxcf_test_bound {
    const char *d, *from, *onto;
    unsigned long flags;
    int (*fn)(const char *d);
};

static int lxcf_test_bound_child(void *arg)
{
    const struct lxcf_test_bound *b = arg;
    _cleanup_free_ char *from = lxcf_test_path(b->d, b->from), *onto = lxcf_test_path(b->d, b->onto);
    int r;

    if (mount(from, onto, "none", MS_BIND | b->flags, NULL) < 0)
        return 1;
    r = b->fn(b->d);
    umount2(onto, MNT_DETACH);
    return r;
}

int lxcf_test_in_mountns_bound(const char *d, const char *from, const char *onto, unsigned long flags,
                               int (*fn)(const char *d))
{
    struct lxcf_test_bound b = { .d = d, .from = from, .onto = onto, .flags = flags, .fn = fn };

    return lxcf_test_in_mountns(lxcf_test_bound_child, &b);
}

void lxcf_test_define(virConnectPtr conn, const struct lxcf_container *c)
{
    _cleanup_free_ char *xml = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    virDomainPtr d;

    if (lxcf_domxml_build(c, &xml, &err) < 0)
        fail_msg("%s", err.msg);
    d = virDomainDefineXML(conn, xml);
    if (!d)
        fail_msg("define %s: %s", c->name, virGetLastErrorMessage());
    virDomainFree(d);
}

pid_t lxcf_test_fork_reporting(int (*fn)(void *arg, int fd), void *arg, void *buf, size_t len)
{
    int pfd[2];
    size_t got = 0;
    pid_t pid;

    assert_int_equal(pipe(pfd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        _exit(fn(arg, pfd[1]));
    }
    close(pfd[1]);
    while (got < len) {
        ssize_t n = read(pfd[0], (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(pfd[0]);
    if (got != len)
        fail_msg("the child (pid %ld) sent %zu of %zu bytes", (long)pid, got, len);
    return pid;
}

void lxcf_test_reap(pid_t pid, int want_status)
{
    int st = 0;

    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), want_status);
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
    char *d;

    /* Without the group's base, "%s" would make a "(null)" directory in
     * the build tree's working directory. */
    if (!lxcf_test_base)
        fail_msg("lxcf_test_subtree: the group has no lxcf_test_base_setup");
    d = lxcf_xasprintf("%s/t.XXXXXX", lxcf_test_base);
    if (!mkdtemp(d))
        fail_msg("%s: %s", d, strerror(errno));
    return d;
}

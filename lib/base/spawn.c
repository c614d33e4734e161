#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"

extern char **environ;

/* Everything from here to lxcf_spawn_child runs in the child: strnlen,
 * memcpy and system calls only (all async-signal-safe). */
static void lxcf_spawn_append(char *buf, size_t size, const char *s)
{
    size_t n = strnlen(buf, size - 1);
    size_t k = strnlen(s, size - 1 - n);

    memcpy(buf + n, s, k);
    buf[n + k] = '\0';
}

int lxcf_spawn_failed(lxcf_spawn_fail *fail, const char *step, int errnum)
{
    fail->errnum = errnum;
    fail->what[0] = '\0';
    lxcf_spawn_append(fail->what, sizeof(fail->what), step);
    return -1;
}

int lxcf_spawn_failed_because(lxcf_spawn_fail *fail, const char *step, const char *reason)
{
    lxcf_spawn_failed(fail, step, 0);
    lxcf_spawn_append(fail->what, sizeof(fail->what), ": ");
    lxcf_spawn_append(fail->what, sizeof(fail->what), reason);
    return -1;
}

static int lxcf_spawn_status(int wst)
{
    return WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
}

/* Returns only when every exec failed. */
static int lxcf_spawn_exec(const lxcf_spawn_opts *o, lxcf_spawn_fail *fail)
{
    char *const *envp = o->envp ? o->envp : environ;
    int errnum = ENOENT;

    if (!o->exe) {
        execvpe(o->argv[0], o->argv, envp);
        errnum = errno;
    }
    for (char *const *e = o->exe; e && *e; e++) {
        execve(*e, o->argv, envp);
        /* As execvp: a program that is there and refused says more than
         * the candidates that are not there. */
        if (errnum == ENOENT)
            errnum = errno;
    }
    if (o->exec_step) {
        lxcf_spawn_failed(fail, o->exec_step, errnum);
    } else {
        lxcf_spawn_failed(fail, "cannot run '", errnum);
        lxcf_spawn_append(fail->what, sizeof(fail->what), o->argv[0]);
        lxcf_spawn_append(fail->what, sizeof(fail->what), "'");
    }
    fail->exec = 1;
    return -1;
}

static _Noreturn void lxcf_spawn_report(int fd, const lxcf_spawn_fail *fail)
{
    /* One write below PIPE_BUF: the parent reads all of it or nothing. */
    (void)!write(fd, fail, sizeof(*fail));
    _exit(127);
}

/* Close [FROM, TO). */
static void lxcf_close_range(unsigned from, unsigned to)
{
    if (to <= from)
        return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, from, to - 1, 0U) == 0)
        return;
#endif
    for (unsigned fd = from; fd < to && fd < 65536; fd++)
        close((int)fd);
}

void lxcf_close_fds_except(int keep_a, int keep_b)
{
    int keep[2] = { keep_a < keep_b ? keep_a : keep_b, keep_a < keep_b ? keep_b : keep_a };
    unsigned from = 3;

    for (size_t i = 0; i < 2; i++) {
        /* -1, stdio and a second copy of the same number keep nothing more. */
        if (keep[i] < (int)from)
            continue;
        lxcf_close_range(from, (unsigned)keep[i]);
        from = (unsigned)keep[i] + 1;
    }
    lxcf_close_range(from, ~0U);
}

/* The middle process of LXCF_SPAWN_FORK_AGAIN. */
static _Noreturn void lxcf_spawn_relay(pid_t pid)
{
    int wst = 0;

    /* Only the command's copy of the report pipe is left then: its exec
     * is the parent's EOF.  Every other descriptor goes too: in a process
     * with threads it may be the report pipe of another spawn, whose
     * parent would wait for this command's end. */
    lxcf_close_fds_except(-1, -1);
    while (waitpid(pid, &wst, 0) < 0)
        if (errno != EINTR)
            _exit(127);
    _exit(lxcf_spawn_status(wst));
}

static _Noreturn void lxcf_spawn_child(const lxcf_spawn_opts *o, int fd)
{
    lxcf_spawn_fail fail = { 0 };

    if (o->setup && o->setup(o->opaque, &fail) < 0)
        lxcf_spawn_report(fd, &fail);
    if (o->flags & LXCF_SPAWN_FORK_AGAIN) {
        pid_t pid = fork();

        if (pid < 0) {
            lxcf_spawn_failed(&fail, "cannot fork", errno);
            lxcf_spawn_report(fd, &fail);
        }
        if (pid > 0)
            lxcf_spawn_relay(pid);
    }
    lxcf_spawn_exec(o, &fail);
    lxcf_spawn_report(fd, &fail);
}

/* The child's report, or false at EOF: the command was exec'ed. */
static bool lxcf_spawn_read_report(int fd, lxcf_spawn_fail *fail)
{
    size_t got = 0;

    while (got < sizeof(*fail)) {
        ssize_t n = read(fd, (char *)fail + got, sizeof(*fail) - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got == sizeof(*fail);
}

static int lxcf_spawn_error(const lxcf_spawn_opts *o, lxcf_spawn_fail *fail, lxcf_err *err)
{
    int code = LXCF_EXIT_FAIL;

    fail->what[sizeof(fail->what) - 1] = '\0';
    if (fail->exec && (o->flags & LXCF_SPAWN_SHELL_STATUS))
        code = fail->errnum == ENOENT ? 127 : 126;
    return lxcf_error_errno(err, code, fail->errnum, "%s",
                            fail->what[0] ? fail->what : "the child's set-up failed");
}

int lxcf_spawn(const lxcf_spawn_opts *o, int *status, lxcf_err *err)
{
    _cleanup_close_ int rfd = -1, wfd = -1;
    lxcf_spawn_fail fail = { 0 };
    int pfd[2], wst = 0;
    bool failed;
    pid_t pid;

    if (pipe2(pfd, O_CLOEXEC) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create a pipe");
    rfd = pfd[0];
    wfd = pfd[1];
    pid = fork();
    if (pid < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot fork");
    if (pid == 0) {
        close(rfd);
        lxcf_spawn_child(o, wfd);
    }
    /* Ours closed, the child's copy is the only writer left. */
    close(lxcf_steal_fd(wfd));
    failed = lxcf_spawn_read_report(rfd, &fail);
    while (waitpid(pid, &wst, 0) < 0)
        if (errno != EINTR)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot wait for the command");
    if (failed)
        return lxcf_spawn_error(o, &fail, err);
    *status = lxcf_spawn_status(wst);
    return 0;
}

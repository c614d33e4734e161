#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <libvirt/libvirt-lxc.h>

#include "cgroup.h"
#include "cleanup.h"
#include "util.h"
#include "virt.h"

#define LXCF_ESCAPE 0x1d /* ^] as in virsh */

typedef struct {
    virStreamPtr st;
    volatile bool done;
} lxcf_console;

/* stdin -> console, in its own thread so the main thread can block in
 * virStreamRecv. */
static void *lxcf_console_input(void *opaque)
{
    lxcf_console *c = opaque;
    char buf[1024];

    while (!c->done) {
        struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
        int r = poll(&pfd, 1, 200);
        if (r <= 0)
            continue;
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n <= 0)
            break;
        char *esc = memchr(buf, LXCF_ESCAPE, (size_t)n);
        if (esc)
            n = esc - buf;
        if (n > 0 && virStreamSend(c->st, buf, (size_t)n) < 0)
            break;
        if (esc)
            break;
    }
    c->done = true;
    virStreamAbort(c->st);
    return NULL;
}

int lxcf_console_attach(virConnectPtr conn, virDomainPtr dom, lxcf_err *err)
{
    lxcf_console c = { 0 };
    struct termios saved, raw;
    bool tty = isatty(STDIN_FILENO) == 1;
    pthread_t th;
    char buf[4096];

    c.st = virStreamNew(conn, 0);
    if (!c.st)
        return lxcf_virt_error(err, virDomainGetName(dom), "opening a stream");
    if (virDomainOpenConsole(dom, NULL, c.st, 0) < 0) {
        virStreamFree(c.st);
        return lxcf_virt_error(err, virDomainGetName(dom), "opening the console");
    }
    if (tty) {
        tcgetattr(STDIN_FILENO, &saved);
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    }
    pthread_create(&th, NULL, lxcf_console_input, &c);
    while (!c.done) {
        int n = virStreamRecv(c.st, buf, sizeof(buf));
        if (n <= 0)
            break;
        if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
            break;
    }
    c.done = true;
    pthread_join(th, NULL);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    virStreamFree(c.st);
    return 0;
}

/* What the entering child tells the parent before it dies; nothing at
 * all (EOF on the CLOEXEC pipe) once the command has been exec'ed. */
typedef struct lxcf_enter_msg {
    int status;  /* the exit status to report: 127 when the command is not there */
    char text[sizeof(((lxcf_err *)0)->msg)];
} lxcf_enter_msg;

static _Noreturn void lxcf_enter_fail(int fd, int status, const char *text)
{
    lxcf_enter_msg m = { .status = status };

    snprintf(m.text, sizeof(m.text), "%s", text);
    if (write(fd, &m, sizeof(m)) < 0)
        _exit(status);
    _exit(status);
}

typedef struct lxcf_enter_ctx {
    virDomainPtr dom;
    const lxcf_cgroup_layout *cg;
    pid_t init;
    int nfds;
    int *fds;
    virSecurityModel secmodel;
    virSecurityLabelPtr seclabel;
    char *const *argv;
    int msg_fd;
} lxcf_enter_ctx;

/* The child: cgroup, label, namespaces, in virsh lxc-enter-namespace's
 * order; then fork again so the command is a real member of the pid ns. */
static _Noreturn void lxcf_enter_child(const lxcf_enter_ctx *c)
{
    lxcf_err e = LXCF_ERR_INIT;
    pid_t child;
    int cst = 0;

    if (lxcf_cgroup_join(c->cg, NULL, c->init, &e) < 0) {
        lxcf_error_prefix(&e, "cannot join the container's cgroup: ");
        lxcf_enter_fail(c->msg_fd, LXCF_EXIT_FAIL, e.msg);
    }
    if (c->seclabel && virDomainLxcEnterSecurityLabel((virSecurityModelPtr)&c->secmodel,
                                                      c->seclabel, NULL, 0) < 0) {
        lxcf_error(&e, LXCF_EXIT_FAIL, "cannot take the container's security label: %s",
                   lxcf_virt_last_error());
        lxcf_enter_fail(c->msg_fd, LXCF_EXIT_FAIL, e.msg);
    }
    if (virDomainLxcEnterNamespace(c->dom, (unsigned)c->nfds, c->fds, NULL, NULL, 0) < 0) {
        lxcf_error(&e, LXCF_EXIT_FAIL, "cannot enter the container's namespaces: %s",
                   lxcf_virt_last_error());
        lxcf_enter_fail(c->msg_fd, LXCF_EXIT_FAIL, e.msg);
    }
    child = fork();
    if (child < 0) {
        lxcf_error_errno(&e, LXCF_EXIT_FAIL, errno, "cannot fork inside the container");
        lxcf_enter_fail(c->msg_fd, LXCF_EXIT_FAIL, e.msg);
    }
    if (child == 0) {
        if (chdir("/") < 0) {
            lxcf_error_errno(&e, LXCF_EXIT_FAIL, errno, "cannot change to / in the container");
            lxcf_enter_fail(c->msg_fd, LXCF_EXIT_FAIL, e.msg);
        }
        execvp(c->argv[0], c->argv);
        lxcf_error_errno(&e, 127, errno, "cannot run '%s' in the container", c->argv[0]);
        lxcf_enter_fail(c->msg_fd, errno == ENOENT ? 127 : 126, e.msg);
    }
    close(c->msg_fd);
    while (waitpid(child, &cst, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFEXITED(cst) ? WEXITSTATUS(cst) : 128 + WTERMSIG(cst));
}

static void lxcf_enter_ctx_clear(lxcf_enter_ctx *c)
{
    for (int i = 0; i < c->nfds; i++)
        close(c->fds[i]);
    free(c->fds);
    free(c->seclabel);
}

/* Read the child's message (if any) and its exit status. */
static int lxcf_enter_wait(const char *name, pid_t pid, int fd, int *status, lxcf_err *err)
{
    lxcf_enter_msg m;
    ssize_t n;
    int wst = 0;

    do
        n = read(fd, &m, sizeof(m));
    while (n < 0 && errno == EINTR);
    while (waitpid(pid, &wst, 0) < 0)
        if (errno != EINTR)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "waitpid");
    if (n == (ssize_t)sizeof(m)) {
        m.text[sizeof(m.text) - 1] = '\0';
        lxcf_error(err, LXCF_EXIT_FAIL, "%s: %s", name, m.text);
        /* The shell's convention, so scripts can tell "not there" apart. */
        err->code = m.status;
        return -1;
    }
    *status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
    return 0;
}

int lxcf_enter(virDomainPtr dom, char *const *argv, int *status, lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *cg = NULL;
    lxcf_enter_ctx c = { .dom = dom, .argv = argv, .msg_fd = -1 };
    const char *name = virDomainGetName(dom);
    int pfd[2], r;
    pid_t pid;

    if (virDomainIsActive(dom) != 1)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is not running", name);
    if (lxcf_cgroup_layout_load(NULL, NULL, &cg, err) < 0 ||
        lxcf_virt_init_pid(dom, &c.init, err) < 0)
        return -1;
    if (c.init <= 0)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: the container's init process was not found",
                          name);
    c.cg = cg;
    c.nfds = virDomainLxcOpenNamespace(dom, &c.fds, 0);
    if (c.nfds < 0) {
        c.nfds = 0;
        return lxcf_virt_error(err, name, "opening the namespaces");
    }
    if (virNodeGetSecurityModel(virDomainGetConnect(dom), &c.secmodel) == 0 &&
        c.secmodel.model[0]) {
        c.seclabel = calloc(1, sizeof(*c.seclabel));
        if (c.seclabel && virDomainGetSecurityLabel(dom, c.seclabel) < 0) {
            free(c.seclabel);
            c.seclabel = NULL;
        }
    }
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        lxcf_enter_ctx_clear(&c);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create a pipe");
    }
    c.msg_fd = pfd[1];
    pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        lxcf_enter_child(&c);
    }
    close(pfd[1]);
    lxcf_enter_ctx_clear(&c);
    if (pid < 0) {
        close(pfd[0]);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "fork");
    }
    r = lxcf_enter_wait(name, pid, pfd[0], status, err);
    close(pfd[0]);
    return r;
}

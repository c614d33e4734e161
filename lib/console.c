#include "console.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <libvirt/libvirt-lxc.h>

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

int lxcf_enter(virDomainPtr dom, char *const *argv, int *status, lxcf_err *err)
{
    _cleanup_free_ int *fds = NULL;
    virSecurityLabelPtr seclabel = NULL;
    virSecurityModel secmodel;
    int nfds, wst = 0;
    pid_t pid;

    if (virDomainIsActive(dom) != 1)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: is not running", virDomainGetName(dom));
    nfds = virDomainLxcOpenNamespace(dom, &fds, 0);
    if (nfds < 0)
        return lxcf_virt_error(err, virDomainGetName(dom), "opening the namespaces");
    memset(&secmodel, 0, sizeof(secmodel));
    if (virNodeGetSecurityModel(virDomainGetConnect(dom), &secmodel) == 0 && secmodel.model[0]) {
        seclabel = calloc(1, sizeof(*seclabel));
        if (seclabel && virDomainGetSecurityLabel(dom, seclabel) < 0) {
            free(seclabel);
            seclabel = NULL;
        }
    }
    pid = fork();
    if (pid < 0) {
        for (int i = 0; i < nfds; i++)
            close(fds[i]);
        free(seclabel);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "fork");
    }
    if (pid == 0) {
        /* Order as virsh lxc-enter-namespace: cgroup, label, namespaces;
         * then fork again so the command is a real member of the pid ns. */
        if (virDomainLxcEnterCGroup(dom, 0) < 0 ||
            (seclabel && virDomainLxcEnterSecurityLabel(&secmodel, seclabel, NULL, 0) < 0) ||
            virDomainLxcEnterNamespace(dom, (unsigned)nfds, fds, NULL, NULL, 0) < 0)
            _exit(125);
        pid_t child = fork();
        if (child < 0)
            _exit(125);
        if (child == 0) {
            if (chdir("/") < 0)
                _exit(125);
            execvp(argv[0], argv);
            _exit(127);
        }
        int cst = 0;
        while (waitpid(child, &cst, 0) < 0 && errno == EINTR)
            ;
        _exit(WIFEXITED(cst) ? WEXITSTATUS(cst) : 128 + WTERMSIG(cst));
    }
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    free(seclabel);
    while (waitpid(pid, &wst, 0) < 0) {
        if (errno != EINTR)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "waitpid");
    }
    *status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
    if (*status == 125)
        return lxcf_error(err, LXCF_EXIT_FAIL, "%s: cannot enter the container's namespaces",
                          virDomainGetName(dom));
    return 0;
}

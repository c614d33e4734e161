#include "console.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <libvirt/libvirt-lxc.h>

#include "cgroup.h"
#include "cleanup.h"
#include "spawn.h"
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
    /* The name first: the call would clear the error of the one before. */
    const char *name = virDomainGetName(dom);
    lxcf_console c = { 0 };
    struct termios saved, raw;
    bool tty = isatty(STDIN_FILENO) == 1;
    pthread_t th;
    char buf[4096];

    c.st = virStreamNew(conn, 0);
    if (!c.st)
        return lxcf_virt_error(err, name, "opening a stream");
    if (virDomainOpenConsole(dom, NULL, c.st, 0) < 0) {
        virStreamFree(c.st);
        return lxcf_virt_error(err, name, "opening the console");
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

typedef struct lxcf_enter_ctx {
    virDomainPtr dom;
    const lxcf_cgroup_layout *cg;
    pid_t init;
    int nfds;
    int *fds;
    virSecurityModel secmodel;
    virSecurityLabelPtr seclabel;
} lxcf_enter_ctx;

/* In the child: cgroup, label, namespaces, in virsh lxc-enter-namespace's
 * order (enter runs in lxcf's one thread, so libvirt may allocate).  The
 * spawn forks again after it, so the command is a real member of the pid
 * namespace. */
static int lxcf_enter_setup(void *opaque, lxcf_spawn_fail *fail)
{
    const lxcf_enter_ctx *c = opaque;
    lxcf_err e = LXCF_ERR_INIT;

    if (lxcf_cgroup_join(c->cg, NULL, c->init, &e) < 0)
        return lxcf_spawn_failed_because(fail, "cannot join the container's cgroup", e.msg);
    if (c->seclabel && virDomainLxcEnterSecurityLabel((virSecurityModelPtr)&c->secmodel,
                                                      c->seclabel, NULL, 0) < 0)
        return lxcf_spawn_failed_because(fail, "cannot take the container's security label",
                                         lxcf_virt_last_error());
    if (virDomainLxcEnterNamespace(c->dom, (unsigned)c->nfds, c->fds, NULL, NULL, 0) < 0)
        return lxcf_spawn_failed_because(fail, "cannot enter the container's namespaces",
                                         lxcf_virt_last_error());
    if (chdir("/") < 0)
        return lxcf_spawn_failed(fail, "cannot change to / in the container", errno);
    return 0;
}

static void lxcf_enter_ctx_clear(lxcf_enter_ctx *c)
{
    for (int i = 0; i < c->nfds; i++)
        close(c->fds[i]);
    free(c->fds);
    free(c->seclabel);
}

int lxcf_enter(virDomainPtr dom, char *const *argv, int *status, lxcf_err *err)
{
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *cg = NULL;
    _cleanup_free_ char *run = lxcf_xasprintf("cannot run '%s' in the container", argv[0]);
    lxcf_enter_ctx c = { .dom = dom };
    /* The shell's 127 and 126, so scripts can tell "not there" apart. */
    lxcf_spawn_opts o = { .argv = argv, .exec_step = run, .setup = lxcf_enter_setup,
                          .opaque = &c, .flags = LXCF_SPAWN_FORK_AGAIN | LXCF_SPAWN_SHELL_STATUS };
    const char *name = virDomainGetName(dom);
    int r;

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
    r = lxcf_spawn(&o, status, err);
    lxcf_enter_ctx_clear(&c);
    if (r < 0)
        return lxcf_error_prefix(err, "%s: ", name);
    return 0;
}

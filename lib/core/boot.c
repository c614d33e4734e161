#include "boot.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "check.h"
#include "cleanup.h"
#include "console.h"
#include "util.h"
#include "virt.h"

/* Run through the container; its exit status says what the guest's init
 * is doing.  /proc/1/comm tells a systemd that is not talking yet from an
 * init that is not systemd at all. */
#define LXCF_BOOT_PROBE                                                            \
    "exec >/dev/null 2>&1; read c </proc/1/comm; [ \"$c\" = systemd ] || exit 20; " \
    "case $(systemctl is-system-running) in running) exit 10;; degraded) exit 11;; " \
    "maintenance) exit 13;; stopping) exit 14;; *) exit 12;; esac"

/* How often each container is probed. */
#define LXCF_BOOT_PROBE_EVERY_MS 1000
#define LXCF_BOOT_POLL_MS 200

lxcf_boot_state lxcf_boot_from_status(int status, char **init_state, char **reason)
{
    const char *st = NULL;
    lxcf_boot_state r = LXCF_BOOT_PENDING;

    switch (status) {
    case 10: st = "running"; r = LXCF_BOOT_UP; break;
    case 11: st = "degraded"; r = LXCF_BOOT_UP; break;
    case 20: st = "not systemd"; r = LXCF_BOOT_UP; break;
    case 12: st = "starting"; break;
    case 13:
        st = "maintenance";
        r = LXCF_BOOT_FAILED;
        free(*reason);
        *reason = lxcf_xstrdup("systemd is in maintenance (emergency or rescue mode): "
                               "'lxcf console' shows why");
        break;
    case 14: st = "stopping"; break;
    default: break;
    }
    if (st) {
        free(*init_state);
        *init_state = lxcf_xstrdup(st);
    }
    return r;
}

void lxcf_boot_tail_add(lxcf_boot *b, const char *buf, size_t len)
{
    if (len >= sizeof(b->tail)) {
        memcpy(b->tail, buf + len - sizeof(b->tail), sizeof(b->tail));
        b->tail_len = sizeof(b->tail);
        return;
    }
    if (b->tail_len + len > sizeof(b->tail)) {
        size_t drop = b->tail_len + len - sizeof(b->tail);
        memmove(b->tail, b->tail + drop, b->tail_len - drop);
        b->tail_len -= drop;
    }
    memcpy(b->tail + b->tail_len, buf, len);
    b->tail_len += len;
}

/* Console text without terminal escapes and control characters. */
static char *lxcf_boot_plain(const char *s, size_t len)
{
    char *out = lxcf_xcalloc(len + 1, 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1b) {
            /* CSI: ESC [ parameters final-byte; other escapes: two bytes. */
            if (i + 1 < len && s[i + 1] == '[') {
                i += 2;
                while (i < len && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e))
                    i++;
            } else {
                i++;
            }
            continue;
        }
        if (c == '\n' || c == '\t' || c >= 0x20)
            out[o++] = c == '\t' ? ' ' : (char)c;
    }
    out[o] = '\0';
    return out;
}

static bool lxcf_boot_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

char *lxcf_boot_console_lines(const char *tail, size_t len, unsigned nlines)
{
    _cleanup_free_ char *plain = lxcf_boot_plain(tail, len);
    const char *pick[16];
    unsigned n = 0;
    char *out = NULL;

    if (nlines > 16)
        nlines = 16;
    /* From the end backwards, skipping blank lines. */
    for (char *end = plain + strlen(plain); end > plain && n < nlines;) {
        char *nl;
        *end = '\0';
        nl = strrchr(plain, '\n');
        char *line = nl ? nl + 1 : plain;
        while (*line == ' ')
            line++;
        if (!lxcf_boot_blank(line))
            pick[n++] = line;
        if (!nl)
            break;
        end = nl;
    }
    for (unsigned i = n; i > 0; i--) {
        char *s = out ? lxcf_xasprintf("%s | %s", out, pick[i - 1]) : lxcf_xstrdup(pick[i - 1]);
        free(out);
        out = s;
    }
    return out;
}

char *lxcf_boot_limit_hint(const char *proc_root)
{
    long long lim = lxcf_check_sysctl(proc_root, "fs.inotify.max_user_instances");
    unsigned long max = lim > 0 ? (unsigned long)lim : 0, used;

    if (!max)
        return NULL;
    used = lxcf_check_inotify_in_use(proc_root);
    /* Each guest's systemd needs a handful at once: "near" is within one
     * guest's worth. */
    if (used + 8 < max)
        return NULL;
    return lxcf_xasprintf("root has %lu of fs.inotify.max_user_instances=%lu inotify instances "
                          "in use: raise it ('lxcf check' says how)",
                          used, max);
}

static double lxcf_boot_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void lxcf_boot_console_open(virConnectPtr conn, lxcf_boot *b)
{
    b->console = virStreamNew(conn, VIR_STREAM_NONBLOCK);
    if (b->console && virDomainOpenConsole(b->dom, NULL, b->console, 0) < 0) {
        /* Someone else has it (lxcf console, virsh console): no tail. */
        virStreamFree(b->console);
        b->console = NULL;
    }
    virResetLastError();
}

static void lxcf_boot_console_close(lxcf_boot *b)
{
    if (!b->console)
        return;
    virStreamAbort(b->console);
    virStreamFree(b->console);
    b->console = NULL;
    virResetLastError();
}

static void lxcf_boot_console_drain(lxcf_boot *b)
{
    char buf[1024];

    while (b->console) {
        int n = virStreamRecv(b->console, buf, sizeof(buf));
        if (n > 0) {
            lxcf_boot_tail_add(b, buf, (size_t)n);
            continue;
        }
        if (n != -2)  /* end of stream or an error: nothing more to read */
            lxcf_boot_console_close(b);
        break;
    }
}

/* Reason, console lines and the limit hint in one line. */
static void lxcf_boot_fail(lxcf_boot *b, const char *why, double t0)
{
    _cleanup_free_ char *lines = NULL, *hint = NULL;
    _cleanup_free_ char *base = b->reason ? lxcf_steal_ptr(b->reason) : lxcf_xstrdup(why);

    lxcf_boot_console_drain(b);
    lines = lxcf_boot_console_lines(b->tail, b->tail_len, 3);
    hint = lxcf_boot_limit_hint(NULL);
    b->reason = lxcf_xasprintf("%s%s%s%s%s%s%s", base, lines ? "; its console: " : "",
                               lines ? lines : "", hint ? "; " : "", hint ? hint : "",
                               !lines && b->last_probe_error ? "; " : "",
                               !lines && b->last_probe_error ? b->last_probe_error : "");
    b->state = LXCF_BOOT_FAILED;
    b->seconds = lxcf_boot_now() - t0;
    lxcf_boot_console_close(b);
}

static void lxcf_boot_probe(lxcf_boot *b, double t0)
{
    char *argv[] = { "/bin/sh", "-c", LXCF_BOOT_PROBE, NULL };
    lxcf_err e = LXCF_ERR_INIT;
    int status = 0;

    if (lxcf_enter(b->dom, argv, &status, &e) < 0) {
        /* Early in the boot there may be no init to enter yet. */
        free(b->last_probe_error);
        b->last_probe_error = lxcf_xstrdup(e.msg);
        return;
    }
    b->state = lxcf_boot_from_status(status, &b->init_state, &b->reason);
    if (b->state == LXCF_BOOT_FAILED) {
        lxcf_boot_fail(b, b->reason, t0);
        return;
    }
    if (b->state == LXCF_BOOT_UP) {
        b->seconds = lxcf_boot_now() - t0;
        lxcf_boot_console_close(b);
    }
}

int lxcf_boot_wait(virConnectPtr conn, lxcf_boot *b, size_t n, unsigned timeout_s,
                   lxcf_err *err)
{
    double t0 = lxcf_boot_now();
    size_t pending = n, failed = 0;
    double next_probe = t0;

    for (size_t i = 0; i < n; i++) {
        b[i].state = LXCF_BOOT_PENDING;
        b[i].dom = virDomainLookupByName(conn, b[i].name);
        if (!b[i].dom)
            return lxcf_virt_error(err, b[i].name, "looking up the domain");
        lxcf_boot_console_open(conn, &b[i]);
    }
    while (pending) {
        double now = lxcf_boot_now();
        bool probe = now >= next_probe;

        if (probe)
            next_probe = now + LXCF_BOOT_PROBE_EVERY_MS / 1000.0;
        for (size_t i = 0; i < n; i++) {
            if (b[i].state != LXCF_BOOT_PENDING)
                continue;
            lxcf_boot_console_drain(&b[i]);
            int active = virDomainIsActive(b[i].dom);
            if (active < 0)
                return lxcf_virt_error(err, b[i].name, "reading the domain's state");
            if (!active)
                lxcf_boot_fail(&b[i], "the container stopped while its init was starting", t0);
            else if (now - t0 >= (double)timeout_s) {
                _cleanup_free_ char *why = lxcf_xasprintf(
                    "its init was not up after %u s (systemd: %s; [Container] start_timeout)",
                    timeout_s, b[i].init_state ? b[i].init_state : "not reachable");
                lxcf_boot_fail(&b[i], why, t0);
            } else if (probe)
                lxcf_boot_probe(&b[i], t0);
            if (b[i].state != LXCF_BOOT_PENDING) {
                pending--;
                failed += b[i].state == LXCF_BOOT_FAILED;
            }
        }
        if (pending)
            usleep(LXCF_BOOT_POLL_MS * 1000);
    }
    return (int)failed;
}

void lxcf_boot_clear(lxcf_boot *b)
{
    lxcf_boot_console_close(b);
    if (b->dom)
        virDomainFree(b->dom);
    free(b->init_state);
    free(b->reason);
    free(b->last_probe_error);
    b->dom = NULL;
    b->init_state = b->reason = b->last_probe_error = NULL;
}

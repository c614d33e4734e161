/* Waiting for started containers to come up: a start is only "done" when
 * the guest's init is, and a guest that dies or stays down is a failure
 * with its reason. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>

#include "err.h"

/* What one probe through the container saw. */
typedef enum lxcf_boot_state {
    LXCF_BOOT_PENDING,  /* still starting (or not reachable yet) */
    LXCF_BOOT_UP,       /* systemd running or degraded, or an init that is not systemd */
    LXCF_BOOT_FAILED,
} lxcf_boot_state;

typedef struct lxcf_boot {
    const char *name;
    lxcf_boot_state state;
    char *init_state;   /* "running", "degraded", "not systemd", ... (malloc'ed) */
    char *reason;       /* when FAILED (malloc'ed) */
    double seconds;     /* from the start of the wait until up or failed */
    /* internal */
    virDomainPtr dom;
    virStreamPtr console;
    char tail[4096];    /* the last console output, for the reason */
    size_t tail_len;
    char *last_probe_error;
} lxcf_boot;

/* Wait until every one of the N started containers B[i] (name set by the
 * caller) is up or failed, at most TIMEOUT_S seconds in all.  The waits
 * overlap.  Returns the number that failed, or -1 on an error that stops
 * everything (libvirt gone). */
int lxcf_boot_wait(virConnectPtr conn, lxcf_boot *b, size_t n, unsigned timeout_s,
                   lxcf_err *err);
void lxcf_boot_clear(lxcf_boot *b);

/* Exposed for the unit tests. */

/* The state the probe's exit status encodes (see boot.c). */
lxcf_boot_state lxcf_boot_from_status(int status, char **init_state, char **reason);
/* Keep the last bytes of console output in B->tail. */
void lxcf_boot_tail_add(lxcf_boot *b, const char *buf, size_t len);
/* The last few meaningful lines of console output TAIL, escape sequences
 * and carriage returns removed, joined with " | "; NULL when none. */
char *lxcf_boot_console_lines(const char *tail, size_t len, unsigned nlines);
/* A hint naming the host limit a failed guest probably hit: our (root's) inotify
 * instances in use against fs.inotify.max_user_instances, read under
 * PROC_ROOT (NULL: /).  NULL when no limit is near. */
char *lxcf_boot_limit_hint(const char *proc_root);

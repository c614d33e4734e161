/* `lxcf check`: is this host ready for lxcf, and how many guests will its
 * limits let run?  Like lxc-checkconfig and `incus info`, but each item
 * also says what it allows and how to fix it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <libvirt/libvirt.h>

#include "config.h"
#include "err.h"

/* What one running guest takes of the host limits, measured on booted
 * joint guests (a Debian minbase systemd: 8 inotify instances, 27 watches,
 * 7 tasks, 2 keys) with headroom for a full server's services. */
#define LXCF_GUEST_INOTIFY_INSTANCES 12
#define LXCF_GUEST_INOTIFY_WATCHES 200
#define LXCF_GUEST_TASKS 64
#define LXCF_GUEST_KEYS 10
#define LXCF_GUEST_KEY_BYTES 2000
/* Keys of one non-root uid in one guest (measured: 2 keys, 18 bytes). */
#define LXCF_GUEST_USER_KEYS 2
#define LXCF_GUEST_USER_KEY_BYTES 200
#define LXCF_GUEST_NEIGH 1
#define LXCF_GUEST_JOINT_MIB 100
/* A host "fits many guests" from this many on; fewer is a warning. */
#define LXCF_CHECK_MANY 100

typedef enum lxcf_check_status {
    LXCF_CHECK_OK,
    LXCF_CHECK_INFO,  /* a fact about the host, nothing to do */
    LXCF_CHECK_WARN,  /* works, but limits or degrades the guests */
    LXCF_CHECK_FAIL,  /* sysgen cannot work until it is fixed */
} lxcf_check_status;

typedef struct lxcf_check_item {
    char *name;      /* "fs.inotify.max_user_instances", "cgroup.layout", ... */
    lxcf_check_status status;
    char *value;     /* what the host has */
    long guests;     /* about how many guests this allows; -1: not a cap */
    char *note;      /* what it means, and the fix when there is one */
} lxcf_check_item;

typedef struct lxcf_check_report {
    lxcf_check_item *items;
    size_t n;
} lxcf_check_report;

typedef struct lxcf_check_opts {
    const char *proc_root;     /* NULL: the real /proc and /sys (tests: a fake tree) */
    const lxcf_config *cfg;
    const char *roots_dir;     /* where the containers' roots live */
    virConnectPtr conn;        /* NULL: libvirt is not reachable ... */
    const char *conn_error;    /* ... and this says why */
    const char *dropin;        /* the sysctl drop-in lxcf installs */
} lxcf_check_opts;

/* Run every check.  Fails only when it cannot check at all. */
int lxcf_check_run(const lxcf_check_opts *o, lxcf_check_report *r, lxcf_err *err);
void lxcf_check_report_clear(lxcf_check_report *r);
bool lxcf_check_failed(const lxcf_check_report *r);
const char *lxcf_check_status_name(lxcf_check_status s);
/* The item that caps the number of guests lowest, or NULL. */
const lxcf_check_item *lxcf_check_cap(const lxcf_check_report *r);

/* The kernel limit KEY ("fs.inotify.max_user_instances") as PROC_ROOT's
 * /proc/sys shows it; -1 when this kernel has none. */
long long lxcf_check_sysctl(const char *proc_root, const char *key);

/* inotify instances held by processes of our user (root: the guests too,
 * as they share root's count without user namespaces), under PROC_ROOT. */
unsigned long lxcf_check_inotify_in_use(const char *proc_root);

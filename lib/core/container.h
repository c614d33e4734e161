/* The container record, and its life cycle: the steps of sysgen, clone,
 * erase, start and stop across rootfs, guest, domxml, net, hosts and virt.
 * The command calls these and prints; nothing here prints. */
#pragma once

#include <pthread.h>

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "err.h"
#include "model.h"

/* The container record: what lxcf knows of one container, whether read
 * from libvirt (domxml.h parses it, virt.h looks it up) or about to be
 * defined.  Here rather than in domxml.h because every layer above the XML
 * (life cycle, update, resource, the commands) passes it around. */
typedef struct lxcf_container {
    char *name;
    char *uuid;          /* NULL = let libvirt generate (builder omits <uuid>) */
    lxcf_model model;
    char *root;          /* absolute host path of the container's root dir */
    char *usr_source;    /* joint: absolute host path bind-mounted read-only as /usr */
    char *emulator;      /* NULL = libvirt default; else path of the lxcf emulator wrapper */
    char *network;       /* libvirt network name, e.g. "lxcfn1"; NULL = no interface */
    char *mac;           /* "52:54:00:xx:xx:xx"; NULL = libvirt picks one */
    char *ipv4;          /* the container's fixed address, kept in metadata */
    unsigned ipv4_prefix;
    unsigned long long memory_kib;  /* domain <memory>; LXCF_DOMXML_DEFAULT_MEMORY_KIB when 0 */
    unsigned vcpus;      /* LXCF_DOMXML_DEFAULT_VCPUS when 0 */
    char *created;       /* ISO-8601 creation time, metadata */
    char *state_note;    /* metadata: e.g. "building" while sysgen runs, NULL when complete */
    char *lxcfs;         /* lxcfs directory whose files are mounted over /proc/...; NULL: none */
} lxcf_container;

lxcf_container *lxcf_container_new(void);
void lxcf_container_free(lxcf_container *c);   /* frees members and c; NULL ok */
void lxcf_container_freep(lxcf_container **c);

/* Progress of long jobs: the command prints "NAME: MSG". */
typedef struct lxcf_report {
    void (*fn)(void *opaque, const char *name, const char *msg);
    void *opaque;
} lxcf_report;

void lxcf_report_msg(const lxcf_report *rep, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parallel sysgen: the reservations (name, address) are made in the order
 * the names were given, whatever order the jobs run in, so that sysgen a b
 * gives a the lower address as it always did. */
typedef struct lxcf_turns {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;         /* every turn before it is over */
    size_t n;
    bool *done;          /* N flags: a job may end before its turn comes */
} lxcf_turns;

typedef struct lxcf_create_opts {
    const char *model;   /* a name of model.h; NULL: the configured model */
    bool no_start;
    lxcf_turns *turns;   /* NULL: no ordering (one job) */
    size_t turn;         /* this container's place among them */
} lxcf_create_opts;

/* The metadata state of a container whose sysgen or clone has not finished
 * (crashed, or still running): list shows it, start refuses it, erase
 * removes it. */
#define LXCF_STATE_BUILDING "building"

int lxcf_container_create(lxcf_ctx *ctx, const char *name, const lxcf_create_opts *o,
                          const lxcf_report *rep, lxcf_err *err);
int lxcf_container_clone(lxcf_ctx *ctx, const char *src, const char *name,
                         const lxcf_create_opts *o, const lxcf_report *rep, lxcf_err *err);
int lxcf_container_erase(lxcf_ctx *ctx, const char *name, const lxcf_report *rep,
                         lxcf_err *err);
int lxcf_container_start(lxcf_ctx *ctx, const char *name, const lxcf_report *rep,
                         lxcf_err *err);
/* Clean shutdown for up to TIMEOUT seconds, then destroy; *FORCED tells
 * which.  A stopped container is not an error. */
int lxcf_container_stop(lxcf_ctx *ctx, const char *name, unsigned timeout, bool *forced,
                        lxcf_err *err);
int lxcf_container_autostart(lxcf_ctx *ctx, const char *name, bool on, lxcf_err *err);

/* Rewrite the lxcf block of the host's /etc/hosts and of every guest's
 * from libvirt's list of containers.  Caller holds the lock.  A guest
 * whose hosts file cannot be written safely is reported, not fatal. */
int lxcf_container_sync_hosts(lxcf_ctx *ctx, const lxcf_report *rep, lxcf_err *err);
/* End a batch (ctx->hosts_batch): sync /etc/hosts once if anything in it
 * changed, under the lock. */
int lxcf_container_hosts_flush(lxcf_ctx *ctx, const lxcf_report *rep, lxcf_err *err);

/* Define and start the network if missing, re-add every container's DHCP
 * and DNS entry, and rebuild the hosts blocks: what `lxcf net repair`
 * does after someone edited or removed the network by hand.  *CREATED
 * tells whether the network had to be defined again. */
int lxcf_container_net_repair(lxcf_ctx *ctx, const lxcf_report *rep, bool *created,
                              lxcf_err *err);

/* What list and show call C's state: "building" for an interrupted
 * sysgen, "no-root" for an interrupted erase, else libvirt's VIRSTATE. */
const char *lxcf_container_state(const lxcf_container *c, int virstate);

/* The emulator wrapper domains are defined with, or NULL if none is
 * installed (libvirt's own controller is used then). */
char *lxcf_container_emulator(void);

/* Take the host lock (ROOT/run/lxcf/lxcf.lock). */
int lxcf_container_lock(lxcf_ctx *ctx, lxcf_err *err);

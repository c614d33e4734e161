/* What an update leaves on disk for `lxcf update --recover` (or the next
 * run) to finish or undo a crashed run: the journal of its phase and of
 * the guests it touched and stopped, the command the host step runs, and
 * the lock that keeps a second update away from them. */
#pragma once

#include <stdbool.h>

#include "ctx.h"
#include "err.h"
#include "update_plan.h"

/* Scratch directory under the roots directory: journal, per-guest
 * snapshot, overlay upper/work and log. */
#define LXCF_UPDATE_DIR ".lxcf-update"

typedef enum lxcf_update_phase {
    LXCF_UPDATE_PHASE_GUESTS, /* guests being updated: a crash rolls them back */
    LXCF_UPDATE_PHASE_HOST,   /* the host step started: guests keep the update */
    LXCF_UPDATE_PHASE_DONE,   /* only cleanup and restarts remain */
} lxcf_update_phase;

const char *lxcf_update_phase_name(lxcf_update_phase p);

typedef struct lxcf_update_journal {
    lxcf_update_phase phase;
    char **touched;  /* guests with a complete snapshot: CMD may have run */
    char **stopped;  /* guests lxcf stopped and must start again */
    char **autostart; /* guests whose autostart lxcf turned off: libvirtd
                       * must not boot them at host start with their trees
                       * aside; on again once each is settled.  A journal
                       * of an older lxcf has no such line. */
} lxcf_update_journal;

/* Written atomically (temp + fsync + rename). */
int lxcf_update_journal_write(const char *path, const lxcf_update_journal *j, lxcf_err *err);
/* 1 and *J filled, 0 when PATH does not exist, -1 on a malformed file. */
int lxcf_update_journal_read(const char *path, lxcf_update_journal *j, lxcf_err *err);
void lxcf_update_journal_clear(lxcf_update_journal *j);

/* Once the host step may have started, the guests keep the update, so a
 * crash can only be recovered by running CMD on the host (again): it is
 * recorded in DIR, host files as absolute paths, NUL-separated. */
int lxcf_update_host_cmd_write(const char *dir, const lxcf_update_cmd *cmd, lxcf_err *err);
/* The recorded command as a strv into *ARGV. */
int lxcf_update_host_cmd_read(const char *dir, char ***argv, lxcf_err *err);

/* The host lock, taken at once or LXCF_EXIT_BUSY: the lock fd. */
int lxcf_update_lock(lxcf_ctx *ctx, lxcf_err *err);

/* An update interrupted while it had the guest NAME's trees aside (its
 * snapshot still there): until --recover has run, NAME must not start. */
bool lxcf_update_holds(const lxcf_ctx *ctx, const char *name);

/* Running a program in a child that the caller prepares: the one way lxcf
 * forks and execs, with one error protocol.
 *
 * The child runs the caller's SETUP (join a cgroup, enter namespaces,
 * mount, chroot, ...) and then execs.  When a step of it, or the exec,
 * fails, the child writes what failed and its errno to a CLOEXEC pipe
 * and exits; the parent turns that into one lxcf_err.  An exec that
 * succeeds closes the pipe unwritten, so no exit status is ever taken
 * for an error: the command's own status is the caller's to judge.
 *
 * This header hides libc's <spawn.h> from everything built with lib/base
 * on its include path: lxcf has this one way to start a program, not
 * posix_spawn beside it. */
#pragma once

#include "err.h"

/* Why a step in the child failed.  Filled only by lxcf_spawn_failed*(),
 * which copy bytes and nothing else: the parent adds strerror(). */
typedef struct lxcf_spawn_fail {
    int errnum;       /* errno of the failed step, or 0 */
    int exec;         /* the exec itself failed (see LXCF_SPAWN_SHELL_STATUS) */
    char what[768];   /* "cannot unshare the mount namespace" */
} lxcf_spawn_fail;

/* STEP failed with ERRNUM (0: nothing to add); returns -1, so that a
 * setup step reads `return lxcf_spawn_failed(fail, "cannot chroot", errno)`. */
int lxcf_spawn_failed(lxcf_spawn_fail *fail, const char *step, int errnum);
/* STEP failed, REASON (a message already made, e.g. libvirt's) says why. */
int lxcf_spawn_failed_because(lxcf_spawn_fail *fail, const char *step, const char *reason);

/* Runs in the child between fork and exec: 0, or -1 after
 * lxcf_spawn_failed*().  In a process with threads only async-signal-safe
 * calls belong here (another thread may have held malloc's lock at the
 * fork): prepare every path, string and descriptor before the spawn. */
typedef int lxcf_spawn_setup_fn(void *opaque, lxcf_spawn_fail *fail);

enum {
    /* Fork once more after SETUP and exec in the grandchild, the middle
     * process (holding no descriptor but stdio) waiting for it and
     * exiting with its status: setns() into a pid namespace takes effect
     * for children only. */
    LXCF_SPAWN_FORK_AGAIN = 1 << 0,
    /* A failed exec's err->code is the shell's: 127 when the program is
     * not there, 126 when it cannot be run (LXCF_EXIT_FAIL otherwise). */
    LXCF_SPAWN_SHELL_STATUS = 1 << 1,
};

typedef struct lxcf_spawn_opts {
    char *const *argv;        /* the command; argv[0] is looked up in $PATH */
    char *const *envp;        /* its environment; NULL: this process's */
    /* NULL, or the paths to try for argv[0] in turn, instead of $PATH
     * (for a chroot, whose PATH search must not depend on the host's). */
    char *const *exe;
    /* What a failed exec says; NULL: "cannot run 'ARGV0'". */
    const char *exec_step;
    lxcf_spawn_setup_fn *setup;   /* NULL: none */
    void *opaque;                 /* SETUP's argument */
    unsigned flags;               /* LXCF_SPAWN_* */
} lxcf_spawn_opts;

/* Run the command O describes and wait for it: 0 with its exit status in
 * *STATUS (128+signal when killed), or -1 when it could not be started,
 * with what failed in ERR (a child's step as "STEP: strerror"). */
int lxcf_spawn(const lxcf_spawn_opts *o, int *status, lxcf_err *err);

/* In a child forked from a process with threads, and not exec'ing: close
 * every descriptor from 3 up but KEEP_A and KEEP_B (-1: none).  Another
 * thread's pipe end copied into this child would keep that pipe's reader
 * from ever seeing its end of file.  System calls only. */
void lxcf_close_fds_except(int keep_a, int keep_b);

/* Private to fscopy.c (the walk, the workers) and fscopy_entry.c (one
 * entry's data and metadata). */
#pragma once

#include <limits.h>
#include <stdatomic.h>
#include <time.h>

#include "fscopy.h"
#include "fsutil.h"

typedef struct lxcf_cp_link {
    dev_t dev;
    ino_t ino;
    char *rel; /* NULL: free slot */
} lxcf_cp_link;

typedef struct lxcf_cp_pool lxcf_cp_pool;

/* A destination directory being filled while workers run: its metadata
 * (times last) is set by whoever drops its last reference, the walk's or
 * that of the last job creating an entry in it. */
typedef struct lxcf_cp_node {
    int sfd, dfd;
    struct stat st;
    char *rel;
    atomic_uint refs;
} lxcf_cp_node;

typedef struct lxcf_cp_ctx {
    const lxcf_copy_opts *o;
    lxcf_cp_pool *pool; /* NULL: one thread */
    lxcf_cp_node *cur;  /* the walk's directory, with a pool */
    lxcf_copy_stats *st;
    const char *src;
    lxcf_fs_id top;
    int dst_top;
    lxcf_cp_link *links;
    size_t nlinks, cap;
    /* FICLONE and copy_file_range refused for a reason of the filesystem
     * (not of one file): not asked again for files on that source device.
     * By device, because a copy without one_file_system crosses mounts and
     * one mount that cannot reflink says nothing about the others. */
    bool no_clone, no_cfr;
    dev_t no_clone_dev, no_cfr_dev;
    unsigned clone_einval; /* EINVALs from FICLONE since its last success */
    struct timespec last;
    char rel[PATH_MAX];
    size_t rel_len;
    lxcf_err *err;
} lxcf_cp_ctx;

/* Set the error (shared with the pool's other threads) naming c->rel; -1. */
int lxcf_cp_fail(lxcf_cp_ctx *c, int e, const char *what);
/* A create failed with E: -1, or 1 when the name is left as it is. */
int lxcf_cp_created(lxcf_cp_ctx *c, int e, const char *what);
int lxcf_cp_meta_fd(lxcf_cp_ctx *c, int sfd, int dfd, const struct stat *st);
/* Copy the regular file NAME (ST) of SDIR into DDIR, or only create it
 * empty when ACT is NO_CONTENTS. */
int lxcf_cp_file(lxcf_cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st,
                 lxcf_copy_action act);
/* A symlink, fifo or device node. */
int lxcf_cp_other(lxcf_cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st);

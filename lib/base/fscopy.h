/* The tree copier: a whole tree with owner, mode, times, xattrs and hard
 * links, data reflinked (FICLONE) or copied in the kernel
 * (copy_file_range), a filter deciding entry by entry.  Symlinks are copied
 * as links, never followed. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "err.h"

/* What a copy filter decides for one entry. */
typedef enum lxcf_copy_action {
    LXCF_COPY_ENTRY = 0, /* copy it (a directory with its contents) */
    LXCF_COPY_SKIP,      /* leave it out entirely */
    LXCF_COPY_NO_CONTENTS, /* directory: create it, skip what is in it; regular
                            * file: create it empty; other types: copy */
} lxcf_copy_action;

/* RELPATH is relative to the copy's source top ("var/log/syslog"). */
typedef lxcf_copy_action (*lxcf_copy_filter_fn)(const char *relpath, const struct stat *st,
                                                void *opaque);
typedef void (*lxcf_copy_progress_fn)(uint64_t bytes, uint64_t files, void *opaque);

typedef struct lxcf_copy_opts {
    bool one_file_system;  /* a mount below src is recreated as an empty dir */
    bool merge;            /* dst may already hold entries (a clash then fails) */
    /* An entry already at the destination is no clash: a directory is
     * entered (and gets the source's metadata), anything else is replaced
     * atomically by the copy (made beside it, renamed over it).  A symlink
     * there is replaced, never followed. */
    bool replace;
    const char *const *exclude;     /* NULL-terminated relpaths left out */
    const char *const *no_contents; /* NULL-terminated relpaths: see NO_CONTENTS */
    lxcf_copy_filter_fn filter;     /* asked after exclude/no_contents */
    void *filter_opaque;
    lxcf_copy_progress_fn progress; /* at most every ~0.5 s, and once at the end */
    void *progress_opaque;
    /* Threads creating files beside the one walking the tree (copy_tree
     * only, not with replace): 0 = one per CPU (at most 8; none on
     * btrfs, where they slow it down), 1 = none.
     * The filter and progress are only ever called from the caller's
     * thread. */
    unsigned workers;
    /* The caller syncs the whole filesystem (syncfs) before it relies on
     * the copy: the top is not fsynced. */
    bool no_sync;
} lxcf_copy_opts;

/* Counters are ADDED to, so one struct can sum several copies. */
typedef struct lxcf_copy_stats {
    uint64_t files;     /* regular files created (not hard links) */
    uint64_t dirs;
    uint64_t symlinks;
    uint64_t specials;  /* fifos, device nodes */
    uint64_t hardlinks; /* extra names linked to an already copied inode */
    uint64_t skipped;   /* sockets and filtered entries */
    uint64_t bytes;     /* file data copied (or shared) */
    uint64_t cloned;    /* regular files whose data FICLONE shared whole */
} lxcf_copy_stats;

/* Copy the tree SRC to DST preserving owner, mode, ns timestamps, xattrs
 * (security.* included), hard links, symlinks (as links), fifos and device
 * nodes; sockets are skipped.  Data is reflinked when the filesystem can
 * (FICLONE, asked for every non-empty file until the filesystem says it
 * cannot), else copied in the kernel (copy_file_range, which still shares
 * extents within one filesystem), holes kept.  DST must not
 * exist or be empty (unless opts->merge) and must not lie inside SRC.
 * OPTS and STATS may be NULL. */
int lxcf_fs_copy_tree(const char *src, const char *dst, const lxcf_copy_opts *opts,
                      lxcf_copy_stats *stats, lxcf_err *err);

/* Copy the entry NAME of the directory SRC_DIR (a file, a link, a
 * directory with its tree, ...) into the directory DST_DIRFD, under the
 * same name, as lxcf_fs_copy_tree copies what is below its top (the
 * relpaths the filter sees start with NAME).  Nothing above DST_DIRFD is
 * looked at: a caller copying into an untrusted tree opens it beneath that
 * tree's root (lxcf_fs_openat_beneath). */
int lxcf_fs_copy_entry(const char *src_dir, const char *name, int dst_dirfd,
                       const lxcf_copy_opts *opts, lxcf_copy_stats *stats, lxcf_err *err);

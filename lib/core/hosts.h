/* The lxcf block in an /etc/hosts file.
 *
 * lxcf owns exactly the lines between the two marker lines below and
 * nothing else: every byte outside the block (comments, blank lines, CRLF
 * line ends, even other lines that happen to mention a container name) is
 * kept as it is.  Inside the block there is one "ADDR<TAB>NAME" line per
 * container, sorted by address (numerically), then by name.
 *
 * The same render step serves the host's /etc/hosts (lxcf_hosts_update_file)
 * and the guests' (written by the guest module through a root fd). */
#pragma once

#include <stddef.h>

#include "addr.h"
#include "err.h"
#include "util.h"

#define LXCF_HOSTS_BEGIN "# BEGIN lxcf managed block: do not edit"
#define LXCF_HOSTS_END "# END lxcf managed block"

typedef struct lxcf_hosts_entry {
    char addr[LXCF_IPV4_STRLEN];
    char name[LXCF_NAME_MAX + 1];
} lxcf_hosts_entry;

/* Return in *NEW_CONTENT (malloc'ed) OLD_CONTENT with its block replaced
 * by ENTRIES: in place when there is one, appended at the end when there is
 * none, removed when N == 0.
 *
 * When we append after a last line that has no newline, that line gets one
 * and the block's END line is left without one instead, so that removing the
 * block later gives back the original bytes exactly.
 *
 * Refused (nothing returned): a BEGIN without END, an END without BEGIN, two
 * blocks, an invalid address or name, a name twice. */
int lxcf_hosts_render(const char *old_content, const lxcf_hosts_entry *entries, size_t n,
                      char **new_content, lxcf_err *err);

/* The entries of CONTENT's block (none when there is no block), in file
 * order, as a malloc'ed array.  A line in the block that is not
 * "ADDR NAME" is an error: someone edited the block and we do not guess. */
int lxcf_hosts_parse_block(const char *content, lxcf_hosts_entry **entries, size_t *n,
                           lxcf_err *err);

/* Render PATH and replace it atomically if that changes it, keeping its
 * owner and mode.  A missing PATH is created 0644 holding only the block
 * (not created at all when N == 0).  A symlink is refused.  Concurrent lxcf
 * runs must be serialised by the caller (the lxcf lock). */
int lxcf_hosts_update_file(const char *path, const lxcf_hosts_entry *entries, size_t n,
                           lxcf_err *err);

/* One guest of lxcf_hosts_update_guests. */
typedef struct lxcf_hosts_guest {
    const char *root;  /* the guest's root directory */
    lxcf_err err;      /* set when its file could not be updated */
} lxcf_hosts_guest;

/* Render the block of each guest's ROOT/etc/hosts (a missing file counts
 * as one holding only localhost) and replace the files that change,
 * beneath each root (never through a link the guest planted), keeping
 * owner and mode.  Durable on return, for two syncfs per filesystem
 * instead of two fsyncs per guest (lxcf_fs_stage_beneath).  A guest that
 * fails gets its ERR set; the others go on. */
void lxcf_hosts_update_guests(lxcf_hosts_guest *g, size_t ng, const lxcf_hosts_entry *entries,
                              size_t n);

/* Fill an entry, validating both parts. */
int lxcf_hosts_entry_set(lxcf_hosts_entry *e, const char *name, const char *addr,
                         lxcf_err *err);

/* CONTENT with the host names OLD and OLD.DOMAIN outside the block renamed
 * to NEW_NAME and NEW_NAME.DOMAIN: a guest copied from a host (or cloned
 * from another guest) must not resolve the old name to itself. */
int lxcf_hosts_rename(const char *content, const char *old, const char *new_name, char **out,
                      lxcf_err *err);

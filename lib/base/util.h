/* Small helpers shared by every module: allocation, strings, names. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"

/* Allocation failure aborts: lxcf is a short-lived command and there is no
 * sensible recovery from a failed small allocation (libvirt does the same). */
void *lxcf_xmalloc(size_t n);
void *lxcf_xcalloc(size_t n, size_t size);
void *lxcf_xrealloc(void *p, size_t n);
char *lxcf_xstrdup(const char *s);
char *lxcf_xstrndup(const char *s, size_t n);
char *lxcf_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ROOT + PATH with exactly one slash between them; ROOT NULL or "" gives
 * PATH itself, ROOT "/" gives "/PATH".  Used for the --root prefix. */
char *lxcf_path_join(const char *root, const char *path);
/* NAME exists in DIR (as anything: a marker file, a dangling link). */
bool lxcf_path_has(const char *dir, const char *name);
/* PATH is TOP or lies below it: "/a/b" is under "/a", "/ab" is not. */
bool lxcf_path_under(const char *path, const char *top);
/* How many jobs work on N items at once: ASKED, or the online CPUs when
 * ASKED is 0; never more than N. */
unsigned lxcf_jobs_for(unsigned asked, size_t n);
/* ABS ("/a//b/./c/") cleaned to "/a/b/c"; NULL when it is not absolute or
 * holds "..". */
char *lxcf_path_clean(const char *abs);
/* The first process under PROC (a /proc) whose command name is one of
 * COMMS; 0 when none runs. */
pid_t lxcf_proc_find(const char *proc, const char *const *comms);

bool lxcf_streq(const char *a, const char *b);
bool lxcf_startswith(const char *s, const char *prefix);
bool lxcf_endswith(const char *s, const char *suffix);

/* strv: NULL-terminated arrays of malloc'ed strings (freed with
 * lxcf_strv_free from cleanup.h). */
size_t lxcf_strv_len(char *const *v);
void lxcf_strv_push(char ***v, char *s);  /* takes ownership of s */
bool lxcf_strv_contains(char *const *v, const char *s);
/* PROG (a command's argv[0], maybe a path) is one of the NULL-ended
 * NAMES by its base name: /usr/bin/apt-get is apt-get. */
bool lxcf_prog_is(const char *prog, const char *const *names);

/* A container name must also be a valid hostname label: 1..63 characters of
 * [A-Za-z0-9-], not starting or ending with '-', not all digits (so it can
 * never be mistaken for an id). */
#define LXCF_NAME_MAX 63
int lxcf_name_check(const char *name, lxcf_err *err);
/* Shaped like a UUID string (36 hex digits and dashes): libvirt's other
 * name for a domain, which every command accepts where a name goes. */
bool lxcf_uuid_like(const char *s);
/* A container reference: a valid name or a UUID. */
int lxcf_ref_check(const char *ref, lxcf_err *err);

/* Whole numbers: the one parser for lxcf.  Decimal digits only (no '+', no
 * base prefix, no blanks unless FLAGS allow them) and overflow is an error,
 * where strtoul and its kin take signs, blanks and partial input quietly.
 * Errors: "WHAT: 'S' is not a number" (no digits), "... is not a valid
 * number" (overflow, anything after the digits), "WHAT: N is out of range
 * MIN..MAX". */
enum {
    LXCF_NUM_STRICT = 0,        /* the digits alone; a bad one is the user's (LXCF_EXIT_USAGE) */
    LXCF_NUM_TRAILING = 1 << 0, /* blanks may follow: a kernel file's "42\n" */
    LXCF_NUM_LEADING = 1 << 1,  /* blanks may lead */
    LXCF_NUM_BLANKS = LXCF_NUM_LEADING | LXCF_NUM_TRAILING, /* XML text */
    LXCF_NUM_DATA = 1 << 2,     /* read from the system, not typed: LXCF_EXIT_FAIL */
};
int lxcf_parse_u64(const char *s, unsigned flags, uint64_t min, uint64_t max, const char *what,
                   uint64_t *out, lxcf_err *err);
/* The same with an optional '-' before the digits. */
int lxcf_parse_i64(const char *s, unsigned flags, int64_t min, int64_t max, const char *what,
                   int64_t *out, lxcf_err *err);
/* lxcf_parse_u64(S, LXCF_NUM_STRICT, ...) for an unsigned long. */
int lxcf_parse_ulong(const char *s, unsigned long min, unsigned long max,
                     const char *what, unsigned long *out, lxcf_err *err);
/* The digits at S (no sign, no blanks): how many (0 when S does not start
 * with one, -1 on overflow), their value in *V and what follows in *END.
 * For numbers inside a larger text ("lxc-1234-web1", "0-3,8"). */
int lxcf_scan_u64(const char *s, uint64_t *v, const char **end);

/* write(2) all of DATA, retrying short writes and EINTR; -1 with errno. */
int lxcf_write_all(int fd, const char *data, size_t len);

/* A DIR reading the directory FD through a duplicate of it (FD stays the
 * caller's; the two share the read position).  NULL with errno. */
DIR *lxcf_opendir_fd(int fd);

/* Read all of FD into a NUL-terminated buffer; -1 with errno. */
int lxcf_read_fd(int fd, char **out, size_t *len);

/* Read a whole (small) file into a NUL-terminated buffer. */
int lxcf_read_file(const char *path, char **out, size_t *len, lxcf_err *err);

/* Every atomic replace writes a temp file beside its target, named
 * NAME.lxcf-tmp. and LXCF_TMP_RANDOM random letters and digits: a copy of
 * a live tree knows them by LXCF_TMP_INFIX and leaves them out. */
#define LXCF_TMP_INFIX ".lxcf-tmp."
#define LXCF_TMP_RANDOM 6
/* A fresh temp name for NAME (the caller creates it, exclusively). */
char *lxcf_tmp_name(const char *name);
/* Rename TMP over NAME in DIRFD and fsync DIRFD; TMP is removed when the
 * rename fails.  -1 with errno. */
int lxcf_rename_tmp_at(int dirfd, const char *tmp, const char *name);

/* While the calling thread defers syncs, lxcf_rename_tmp_at and
 * lxcf_write_at leave out their fsyncs.  For a batch of writes into a tree
 * nothing reads until the caller has made the whole batch durable at once
 * (syncfs): a fsync each costs a journal commit each.  Returns the
 * thread's previous setting, to restore. */
bool lxcf_sync_defer(bool on);

/* The one atomic write: NAME in the directory DIRFD is replaced by a temp
 * file holding DATA, given OWNER's uid and gid (when OWNER) and MODE,
 * fsync'ed, renamed over NAME; then DIRFD is fsync'ed.  A crash at any
 * point leaves the old or the new file, never a torn one.  CRASHPOINT
 * (or NULL) is passed to lxcf_crashpoint just before the rename.  -1 with
 * errno and *FAILED naming the step ("write", ...) for the caller's
 * message; no temp file is left. */
int lxcf_write_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                  const struct stat *owner, const char *crashpoint, const char **failed);

/* lxcf_write_at up to its rename: *TMP (malloc'ed), beside NAME in
 * DIRFD, holds DATA with OWNER and MODE, fsync'ed unless the thread
 * defers syncs; NAME is untouched.  lxcf_rename_tmp_at completes it. */
int lxcf_write_tmp_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                      const struct stat *owner, char **tmp, const char **failed);

/* Replace PATH with lxcf_write_at, in MODE (or the existing file's mode and
 * owner when KEEP_OWNER); a symlink or other non-file at PATH is refused,
 * never written through.  Temp files a killed writer left beside PATH are
 * removed first: callers hold the lock. */
int lxcf_write_file_atomic(const char *path, const char *data, size_t len,
                           mode_t mode, bool keep_owner, lxcf_err *err);

/* A named step where a test may kill lxcf as kill -9 would (environment
 * LXCF_CRASH_AT=NAME): how the crash-safety test proves that every step
 * leaves a state that list shows and erase or a re-run completes. */
void lxcf_crashpoint(const char *name);

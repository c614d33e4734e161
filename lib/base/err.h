/* lxcf error convention.
 *
 * Every fallible library function takes an `lxcf_err *err` as its last
 * argument and returns 0 (or a non-negative value) on success and -1 on
 * failure.  The function that first sees the failure fills `err` exactly
 * once; callers above it pass -1 up, adding context on the way
 * (lxcf_error_prefix).  The command prints err->msg as "lxcf: MSG" and
 * exits with err->code.  Library code never prints.
 *
 * A caller that does not care why something failed passes NULL: nothing
 * is recorded, and no scratch error is needed.  The caller's err is
 * written once and never cleared or overwritten: a function that must
 * look at a failure to decide (lxcf_error_is: "no such container" is
 * fine here) does so in an lxcf_err of its own, and passes it on with
 * lxcf_error_move when it is a failure after all. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

/* Exit codes, documented in the README and in `lxcf help`. */
enum {
    LXCF_EXIT_OK = 0,
    LXCF_EXIT_FAIL = 1,      /* the operation failed (or part of a batch did) */
    LXCF_EXIT_USAGE = 2,     /* bad arguments or bad input: nothing was changed */
    LXCF_EXIT_CONFIG = 3,    /* the configuration file is unreadable or wrong */
    LXCF_EXIT_NOPERM = 4,    /* missing privilege (capabilities) */
    LXCF_EXIT_LIBVIRT = 5,   /* libvirt cannot be reached */
    LXCF_EXIT_NOTFOUND = 6,  /* no such container */
    LXCF_EXIT_UNIMPL = 7,    /* the subcommand is planned but not implemented */
    LXCF_EXIT_BUSY = 8,      /* another lxcf holds the lock */
};

typedef struct lxcf_err {
    int code;       /* one of LXCF_EXIT_*; 0 while no error is set */
    int sys_errno;  /* errno behind the failure, or 0 */
    char msg[1024];
} lxcf_err;

#define LXCF_ERR_INIT { 0, 0, "" }

/* Set the error (if not already set) and return -1, so that callers can
 * write `return lxcf_error(err, LXCF_EXIT_USAGE, "...")`. */
int lxcf_error(lxcf_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like lxcf_error, appending ": strerror(errnum)". */
int lxcf_error_errno(lxcf_err *err, int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

int lxcf_verror(lxcf_err *err, int code, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Wrap a set error in context ("NAME: " before its message), once per
 * level; its code and errno stay the cause's.  Returns -1, so that
 * `return lxcf_error_prefix(err, "%s: ", name);` passes the failure on. */
int lxcf_error_prefix(lxcf_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Re-classify a set error with exit code CODE (a bad number in the
 * configuration file is a configuration error).  Returns -1. */
int lxcf_error_recode(lxcf_err *err, int code);

/* Fail with exit status CODE and no message, for a failure that was shown
 * already (a table, the command's own output).  Returns -1. */
int lxcf_error_silent(lxcf_err *err, int code);

/* Pass the error SRC holds on to DST, which takes it unless it holds one
 * already (the first error wins there too); only the message's bytes are
 * copied.  SRC is clear afterwards, so an error is reported once.  DST
 * may be NULL.  Returns -1: `return lxcf_error_move(err, &e);`. */
int lxcf_error_move(lxcf_err *dst, lxcf_err *src);

void lxcf_error_clear(lxcf_err *err);

static inline int lxcf_error_isset(const lxcf_err *err)
{
    return err && err->code != 0;
}

/* Is ERR set with exit code CODE? */
static inline bool lxcf_error_is(const lxcf_err *err, int code)
{
    return lxcf_error_isset(err) && err->code == code;
}

/* Is ERR set, caused by errno ERRNUM (ENOENT: the file is not there)? */
static inline bool lxcf_error_is_errno(const lxcf_err *err, int errnum)
{
    return lxcf_error_isset(err) && err->sys_errno == errnum;
}

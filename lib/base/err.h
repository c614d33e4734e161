/* lxcf error convention.
 *
 * Every fallible library function takes an `lxcf_err *err` as its last
 * argument and returns 0 (or a non-negative value) on success and -1 on
 * failure.  The function that first sees the failure fills `err` exactly
 * once; callers above it only pass -1 up.  The command prints err->msg as
 * "lxcf: MSG" and exits with err->code.  Library code never prints. */
#pragma once

#include <stdarg.h>

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

/* Prefix an already set message with context ("NAME: "), once per level. */
void lxcf_error_prefix(lxcf_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void lxcf_error_clear(lxcf_err *err);

static inline int lxcf_error_isset(const lxcf_err *err)
{
    return err && err->code != 0;
}

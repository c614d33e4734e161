#include "err.h"

#include <stdio.h>
#include <string.h>

int lxcf_verror(lxcf_err *err, int code, int errnum, const char *fmt, va_list ap)
{
    /* The first failure is the cause; later ones are consequences. */
    if (!err || err->code != 0)
        return -1;
    err->code = code ? code : LXCF_EXIT_FAIL;
    err->sys_errno = errnum;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    if (errnum) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
    }
    /* One error is one line, whatever a user's argument contained. */
    for (char *p = err->msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}

int lxcf_error(lxcf_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lxcf_verror(err, code, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int lxcf_error_errno(lxcf_err *err, int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lxcf_verror(err, code, errnum, fmt, ap);
    va_end(ap);
    return -1;
}

int lxcf_error_prefix(lxcf_err *err, const char *fmt, ...)
{
    char pre[256], old[sizeof(err->msg)];
    va_list ap;

    if (!err || err->code == 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    /* Truncation of a very long message is acceptable; it stays one line. */
    size_t pl = strlen(pre);
    if (pl >= sizeof(err->msg))
        pl = sizeof(err->msg) - 1;
    memcpy(err->msg, pre, pl);
    size_t ol = strlen(old);
    if (ol > sizeof(err->msg) - 1 - pl)
        ol = sizeof(err->msg) - 1 - pl;
    memcpy(err->msg + pl, old, ol);
    err->msg[pl + ol] = '\0';
    return -1;
}

int lxcf_error_recode(lxcf_err *err, int code)
{
    if (lxcf_error_isset(err) && code)
        err->code = code;
    return -1;
}

int lxcf_error_silent(lxcf_err *err, int code)
{
    return lxcf_error(err, code, "%s", "");
}

int lxcf_error_move(lxcf_err *dst, lxcf_err *src)
{
    if (!src || dst == src)
        return -1;
    if (lxcf_error_isset(src) && dst && !lxcf_error_isset(dst)) {
        dst->code = src->code;
        dst->sys_errno = src->sys_errno;
        memcpy(dst->msg, src->msg, strlen(src->msg) + 1);
    }
    lxcf_error_clear(src);
    return -1;
}

void lxcf_error_clear(lxcf_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->sys_errno = 0;
    err->msg[0] = '\0';
}

/* Scope-bound cleanup, the one cleanup style of lxcf: declare a variable
 * with one of these attributes and it is released when it leaves scope.
 * Hand ownership on with lxcf_steal_ptr()/lxcf_steal_fd(). */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Define NAME(TYPE *p), the cleanup of a handle of TYPE: FREEFN(*p) unless
 * *p is NULL.  Every "release this library object" cleanup has this one
 * shape, so each is one line and none can forget the NULL test (most
 * libraries' destructors, unlike free(), do not accept NULL). */
#define LXCF_DEFINE_CLEANUP_FUNC(name, type, freefn) \
    static inline void name(type *p)                 \
    {                                                \
        if (*p)                                      \
            freefn(*p);                              \
    }

static inline void lxcf_freep(void *p)
{
    free(*(void **)p);
}

static inline void lxcf_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

LXCF_DEFINE_CLEANUP_FUNC(lxcf_fclosep, FILE *, fclose)
LXCF_DEFINE_CLEANUP_FUNC(lxcf_closedirp, DIR *, closedir)

/* A NULL-terminated array of strings, each malloc'ed. */
static inline void lxcf_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

LXCF_DEFINE_CLEANUP_FUNC(lxcf_strv_freep, char **, lxcf_strv_free)

#define _cleanup_free_ _cleanup_(lxcf_freep)
#define _cleanup_close_ _cleanup_(lxcf_closep)
#define _cleanup_fclose_ _cleanup_(lxcf_fclosep)
#define _cleanup_closedir_ _cleanup_(lxcf_closedirp)
#define _cleanup_strv_ _cleanup_(lxcf_strv_freep)

#define lxcf_steal_ptr(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define lxcf_steal_fd(fd) ({ int _t = (fd); (fd) = -1; _t; })

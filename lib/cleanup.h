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

static inline void lxcf_fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}

static inline void lxcf_closedirp(DIR **d)
{
    if (*d)
        closedir(*d);
}

/* A NULL-terminated array of strings, each malloc'ed. */
static inline void lxcf_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

static inline void lxcf_strv_freep(char ***v)
{
    lxcf_strv_free(*v);
}

#define _cleanup_free_ _cleanup_(lxcf_freep)
#define _cleanup_close_ _cleanup_(lxcf_closep)
#define _cleanup_fclose_ _cleanup_(lxcf_fclosep)
#define _cleanup_closedir_ _cleanup_(lxcf_closedirp)
#define _cleanup_strv_ _cleanup_(lxcf_strv_freep)

#define lxcf_steal_ptr(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define lxcf_steal_fd(fd) ({ int _t = (fd); (fd) = -1; _t; })

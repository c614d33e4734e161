/* Privilege checks: lxcf needs capabilities, not uid 0 as such. */
#pragma once

#include <stdbool.h>

#include "err.h"

/* Capability sets a subcommand may need (combined with |). */
enum {
    LXCF_NEED_NONE = 0,
    LXCF_NEED_FILES = 1 << 0,   /* copy and own files of any user */
    LXCF_NEED_MOUNT = 1 << 1,   /* namespaces, mounts, chroot */
    LXCF_NEED_CGROUP = 1 << 2,  /* write cgroup files */
};

/* Fail with LXCF_EXIT_NOPERM naming the first missing capability. */
int lxcf_caps_check(unsigned need, const char *what, lxcf_err *err);

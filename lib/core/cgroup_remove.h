/* The cgroups a stopped container leaves behind. */
#pragma once

#include "cgroup.h"
#include "err.h"

/* After container NAME stopped: rmdir, depth-first, the empty groups
 * machine/lxc-PID-NAME.libvirt-lxc (and empty children) in every
 * hierarchy, skipping those whose PID is still alive.  Non-empty groups are
 * left alone silently. */
int lxcf_cgroup_remove_empty(const lxcf_cgroup_layout *l, const char *name, lxcf_err *err);

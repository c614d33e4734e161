/* A process's cgroups: which they are (from /proc/PID/cgroup), moving the
 * calling process into a group, and whether a guest stays confined to its
 * container's groups. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "err.h"

/* Read PROC_ROOT/proc/PID/cgroup (PROC_ROOT NULL or "/": the real /proc).
 * Controllers whose group is not visible through the mounts stay NULL. */
int lxcf_cgroup_of_pid(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                       lxcf_cgroup_paths *out, lxcf_err *err);

/* "machine/lxc-PID-NAME.libvirt-lxc": the group libvirt makes for an LXC
 * domain without systemd-machined (NAME cleaned up and truncated as libvirt
 * does for machine names).  Malloc'ed. */
char *lxcf_cgroup_machine_group(pid_t pid, const char *name);

/* Move the calling process into GROUP_REL (e.g. lxcf_cgroup_machine_group())
 * below the mount point of every v1 name=systemd or pids hierarchy, and of
 * any other hierarchy where it sits at the root: that keeps a guest's
 * systemd from escaping on hosts without systemd-machined.  A hierarchy in
 * which it is under /machine.slice/ (machined's scope) is left alone.
 * Tries every hierarchy and reports the first failure. */
int lxcf_cgroup_place_self(const lxcf_cgroup_layout *l, const char *proc_root,
                           const char *group_rel, lxcf_err *err);

/* Move the calling process into PID's group in every hierarchy that shows
 * it.  `enter` joins the guest init's group: a leaf inside the container's
 * own tree on every layout (init.scope under a guest systemd), where
 * libvirt's virDomainLxcEnterCGroup picks the container's top group, which
 * cgroup v2 refuses (EBUSY: it has children with controllers). */
int lxcf_cgroup_join(const lxcf_cgroup_layout *l, const char *proc_root, pid_t pid,
                     lxcf_err *err);

/* Is GUEST_INIT's group at or below CONTAINER's in every hierarchy?  A
 * container group that is a hierarchy root confines nothing.  On false,
 * *WHY (malloc'ed) names the first hierarchy that does not confine. */
int lxcf_cgroup_confined(const lxcf_cgroup_layout *l, const char *proc_root,
                         pid_t guest_init, const lxcf_cgroup_paths *container,
                         bool *confined, char **why, lxcf_err *err);

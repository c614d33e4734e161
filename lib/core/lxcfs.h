/* lxcfs: the FUSE filesystem that gives a container its own /proc/meminfo,
 * cpuinfo, stat, uptime, ... (LXD, Incus and Proxmox mount it the same
 * way).  Without it procps 4 (free, ps, top, vmstat) fails in the guest:
 * libvirt's own FUSE meminfo refuses lseek. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Where the lxcfs packages of Debian and Fedora mount it. */
#define LXCF_LXCFS_DIR "/var/lib/lxcfs"

/* The guest paths lxcf mounts from under the lxcfs directory (the same
 * relative path there). */
extern const char *const lxcf_lxcfs_files[];
extern const size_t lxcf_lxcfs_nfiles;

/* Is lxcfs serving DIR where libvirt's daemon (libvirtd or virtlxcd) sees
 * it, i.e. in the daemon's mount namespace?  PROC_ROOT is NULL for the real
 * /proc (a test passes a fake tree).  On false, *WHY (malloc'ed) says what
 * is missing. */
bool lxcf_lxcfs_running(const char *proc_root, const char *dir, char **why);

/* What a guest lacks without lxcfs, and the fix: one line for the user. */
const char *lxcf_lxcfs_missing_note(void);

#include "lxcfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

#define LXCF_FUSE_SUPER_MAGIC 0x65735546

const char *const lxcf_lxcfs_files[] = {
    "/proc/cpuinfo", "/proc/diskstats", "/proc/loadavg", "/proc/meminfo",
    "/proc/stat",    "/proc/swaps",     "/proc/uptime",  "/sys/devices/system/cpu/online",
};
const size_t lxcf_lxcfs_nfiles = sizeof(lxcf_lxcfs_files) / sizeof(lxcf_lxcfs_files[0]);

const char *lxcf_lxcfs_missing_note(void)
{
    return "lxcfs is not running: free, ps, top and vmstat fail in the guest and uptime and "
           "/proc/cpuinfo show the host's (install lxcfs and start it: systemctl enable --now "
           "lxcfs; then restart the container)";
}

bool lxcf_lxcfs_running(const char *proc_root, const char *dir, char **why)
{
    _cleanup_free_ char *proc = lxcf_path_join(proc_root, "/proc");
    _cleanup_free_ char *base = NULL, *meminfo = NULL;
    /* libvirt's daemon for LXC: monolithic or modular.  None here (a
     * remote libvirt): then our own view is all we have. */
    static const char *const daemons[] = { "libvirtd", "virtlxcd", NULL };
    pid_t daemon = lxcf_proc_find(proc, daemons);
    struct statfs sf;
    char byte;
    int fd;

    *why = NULL;
    if (daemon > 0) {
        _cleanup_free_ char *r = lxcf_xasprintf("%s/%d/root", proc, (int)daemon);
        base = lxcf_path_join(r, dir);
    } else {
        base = lxcf_path_join(proc_root, dir);
    }
    if (statfs(base, &sf) < 0) {
        *why = lxcf_xasprintf("%s: %s", dir, strerror(errno));
        return false;
    }
    if (sf.f_type != LXCF_FUSE_SUPER_MAGIC) {
        *why = lxcf_xasprintf("nothing is mounted on %s%s", dir,
                              daemon > 0 ? " where libvirt's daemon sees it" : "");
        return false;
    }
    /* A FUSE mount whose lxcfs died answers ENOTCONN. */
    meminfo = lxcf_path_join(base, "/proc/meminfo");
    fd = open(meminfo, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &byte, 1) != 1) {
        *why = lxcf_xasprintf("%s/proc/meminfo is not readable: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}

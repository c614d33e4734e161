#include "cgroup_remove.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

static bool lxcf_cg_is_dir(int dfd, const struct dirent *de)
{
    struct stat st;

    if (lxcf_streq(de->d_name, ".") || lxcf_streq(de->d_name, ".."))
        return false;
    if (de->d_type != DT_UNKNOWN)
        return de->d_type == DT_DIR;
    return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Depth-first rmdir of DIR's subdirectories and then DIR itself.  A
 * cgroup still in use refuses (EBUSY/ENOTEMPTY): that is the point. */
static int lxcf_cg_rmdir_tree(int parent_fd, const char *name, const char *path, lxcf_err *err)
{
    int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *de;
    int r = 0;

    if (fd < 0)
        return errno == ENOENT ? 0
                               : lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot open %s", path);
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot read %s", path);
    }
    while ((de = readdir(d))) {
        if (!lxcf_cg_is_dir(dirfd(d), de))
            continue;
        _cleanup_free_ char *sub = lxcf_path_join(path, de->d_name);
        if (lxcf_cg_rmdir_tree(dirfd(d), de->d_name, sub, err) < 0)
            r = -1;
    }
    if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != EBUSY && errno != ENOTEMPTY &&
        errno != ENOENT)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot remove %s", path);
    return r;
}

static bool lxcf_cg_pid_zombie(pid_t pid)
{
    _cleanup_free_ char *path = lxcf_xasprintf("/proc/%d/stat", (int)pid);
    _cleanup_free_ char *buf = NULL;
    char *paren;

    if (lxcf_read_file(path, &buf, NULL, NULL) < 0)
        return false;
    /* "PID (comm) S ...": the comm may hold spaces and parentheses. */
    paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* Is ENTRY "lxc-PID-NAME.libvirt-lxc" for NAME, with a PID no longer alive? */
static bool lxcf_cg_stale_group(const char *entry, const char *name)
{
    _cleanup_free_ char *want = NULL;
    const char *end;
    uint64_t pid;

    if (!lxcf_startswith(entry, "lxc-") || lxcf_scan_u64(entry + 4, &pid, &end) <= 0 ||
        *end != '-' || pid == 0 || pid > INT32_MAX)
        return false;
    want = lxcf_cgroup_machine_group((pid_t)pid, name);
    if (!lxcf_streq(want + strlen("machine/"), entry))
        return false;
    if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return true;
    /* A controller that exited but libvirtd has not reaped yet is as dead
     * as one that is gone: stop runs cleanup right at that moment. */
    return lxcf_cg_pid_zombie((pid_t)pid);
}

int lxcf_cgroup_remove_empty(const lxcf_cgroup_layout *l, const char *name, lxcf_err *err)
{
    int r = 0;

    for (size_t i = 0; i < l->nhier; i++) {
        _cleanup_free_ char *machine = lxcf_path_join(l->hier[i].mount, "machine");
        _cleanup_closedir_ DIR *d = opendir(machine);
        struct dirent *de;

        if (!d) {
            if (errno != ENOENT)
                r = lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot read %s", machine);
            continue;
        }
        while ((de = readdir(d))) {
            if (!lxcf_cg_is_dir(dirfd(d), de) || !lxcf_cg_stale_group(de->d_name, name))
                continue;
            _cleanup_free_ char *path = lxcf_path_join(machine, de->d_name);
            if (lxcf_cg_rmdir_tree(dirfd(d), de->d_name, path, err) < 0)
                r = -1;
        }
    }
    return r;
}

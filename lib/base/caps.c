#include "caps.h"

#include <errno.h>
#include <stddef.h>
#include <sys/capability.h>

#include "cleanup.h"

typedef struct {
    unsigned need;
    cap_value_t cap;
    const char *name;
} lxcf_cap_req;

/* Why each one: copying a host tree needs to read and recreate files of
 * every owner with their owners, modes and device nodes; the update cycle
 * needs mount namespaces and chroot; cgroup files are root-owned. */
static const lxcf_cap_req lxcf_cap_reqs[] = {
    { LXCF_NEED_FILES, CAP_DAC_OVERRIDE, "cap_dac_override" },
    { LXCF_NEED_FILES, CAP_DAC_READ_SEARCH, "cap_dac_read_search" },
    { LXCF_NEED_FILES, CAP_CHOWN, "cap_chown" },
    { LXCF_NEED_FILES, CAP_FOWNER, "cap_fowner" },
    { LXCF_NEED_FILES, CAP_FSETID, "cap_fsetid" },
    { LXCF_NEED_FILES, CAP_MKNOD, "cap_mknod" },
    { LXCF_NEED_MOUNT, CAP_SYS_ADMIN, "cap_sys_admin" },
    { LXCF_NEED_MOUNT, CAP_SYS_CHROOT, "cap_sys_chroot" },
    { LXCF_NEED_CGROUP, CAP_DAC_OVERRIDE, "cap_dac_override" },
};

LXCF_DEFINE_CLEANUP_FUNC(lxcf_cap_freep, cap_t, cap_free)

int lxcf_caps_check(unsigned need, const char *what, lxcf_err *err)
{
    _cleanup_(lxcf_cap_freep) cap_t caps = NULL;

    if (!need)
        return 0;
    caps = cap_get_proc();
    if (!caps)
        return lxcf_error_errno(err, LXCF_EXIT_NOPERM, errno, "cannot read this process' capabilities");
    for (size_t i = 0; i < sizeof(lxcf_cap_reqs) / sizeof(lxcf_cap_reqs[0]); i++) {
        cap_flag_value_t v = CAP_CLEAR;

        if (!(need & lxcf_cap_reqs[i].need))
            continue;
        if (cap_get_flag(caps, lxcf_cap_reqs[i].cap, CAP_EFFECTIVE, &v) < 0 || v != CAP_SET)
            return lxcf_error(err, LXCF_EXIT_NOPERM,
                              "%s needs the %s capability: run it as root (e.g. with sudo)", what,
                              lxcf_cap_reqs[i].name);
    }
    return 0;
}

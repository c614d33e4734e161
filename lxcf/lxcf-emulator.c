/* lxcf-emulator: the <emulator> of every lxcf domain.
 *
 * libvirt starts it with the libvirt_lxc controller's arguments.  Before
 * exec'ing the real controller it moves itself into
 * machine/lxc-PID-NAME.libvirt-lxc of the name=systemd and pids hierarchies
 * (and of any hierarchy where it sits at the root).  Without
 * systemd-machined, libvirt leaves those out, and the guest's systemd then
 * takes the host's hierarchy root as its own and escapes the container's
 * limits.  exec keeps our PID, so the group name matches libvirt's others.
 *
 * When it acts: on hosts without machined (the v1 or hybrid layout, PID 1
 * not systemd, or systemd without machined).  Where machined registered the
 * container (every systemd + cgroup v2 host, and hybrid hosts with
 * machined), the controller already sits in machine.slice/machine-lxc-...
 * .scope in every hierarchy, not at a root: it changes nothing and only
 * execs the controller.
 *
 * A failure to confine is reported on stderr (libvirt logs it) but never
 * stops the container: refusing to start is worse than a weaker limit.
 *
 * Environment (for tests): LXCF_LIBVIRT_LXC overrides the controller path;
 * LXCF_EMULATOR_ROOT, when set, is a fake root holding proc/self/mountinfo,
 * proc/self/cgroup and the cgroup mount points. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "lxcf-build.h"
#include "util.h"

static const char *lxcf_emulator_name(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (lxcf_streq(argv[i], "--name") && i + 1 < argc)
            return argv[i + 1];
        if (lxcf_startswith(argv[i], "--name="))
            return argv[i] + strlen("--name=");
    }
    return NULL;
}

static int lxcf_emulator_confine(const char *name, lxcf_err *err)
{
    const char *root = getenv("LXCF_EMULATOR_ROOT");
    _cleanup_free_ char *mountinfo = lxcf_path_join(root, "/proc/self/mountinfo");
    _cleanup_free_ char *group = lxcf_cgroup_machine_group(getpid(), name);
    _cleanup_(lxcf_cgroup_layout_freep) lxcf_cgroup_layout *l = NULL;

    if (lxcf_cgroup_layout_load(mountinfo, root, &l, err) < 0)
        return -1;
    return lxcf_cgroup_place_self(l, root, group, err);
}

int main(int argc, char **argv)
{
    const char *lxc = getenv("LXCF_LIBVIRT_LXC");
    const char *name = lxcf_emulator_name(argc, argv);
    lxcf_err err = LXCF_ERR_INIT;

    if (!lxc || !*lxc)
        lxc = LXCF_LIBVIRT_LXC;
    if (!name)
        fprintf(stderr, "lxcf-emulator: no --name argument: the container's cgroups are "
                        "not confined (its systemd may escape its limits)\n");
    else if (lxcf_emulator_confine(name, &err) < 0)
        fprintf(stderr, "lxcf-emulator: %s: cannot confine the container's cgroups, starting "
                        "it anyway (its systemd may escape its limits): %s\n",
                name, err.msg);
    argv[0] = (char *)lxc;
    execv(lxc, argv);
    fprintf(stderr, "lxcf-emulator: cannot execute %s: %s\n", lxc, strerror(errno));
    return 127;
}

/* The subcommand table: the one source of `lxcf help`, `lxcf CMD --help`
 * and the man page (`lxcf help --man`). */
#include "cli.h"

#include <string.h>

#include "caps.h"

#define OPTS(...) ((const int[]){ __VA_ARGS__, 0 })

#define G_CONT "Containers"
#define G_BATCH "Batches of containers"
#define G_RES "Resource control"
#define G_NET "Network"
#define G_UPD "Updates"
#define G_MISC "Other"

#define LXCF_JOBS_HELP                                                                   \
    "-j N works on N containers at once (default: the number of CPUs); the lxcf lock is " \
    "held only for the short steps that change shared state."

#define LXCF_WAIT_HELP                                                                    \
    "A start is done when the guest's systemd is running or degraded (read through the " \
    "container, every second, all containers at once), at most [Container] "              \
    "start_timeout seconds.  A guest that stops, stays in emergency mode or is not up "    \
    "in time is FAILED, with the last lines of its console and the host limit it "         \
    "probably hit; the exit status is then 1.  --no-wait returns once libvirt started it."

#define LXCF_BLKIO_HELP                                                         \
    "DEVICE (a block device; a partition means its disk) defaults to the disk " \
    "holding the container's root.  'unlimited' removes the limit."

const lxcf_cmd lxcf_commands[] = {
    { "sysgen", G_CONT, "NAME...", "create containers cloned from this host and start them",
      "Builds each container's root under the roots directory (joint: /etc and /var are "
      "copied and /usr is the host's, read-only; separate: /usr is copied too), defines it "
      "as a libvirt LXC domain, gives it a fixed address on the lxcf network, adds it to "
      "/etc/hosts and starts it.  " LXCF_WAIT_HELP,
      OPTS(LXCF_OPT_MODEL, LXCF_OPT_NO_START, LXCF_OPT_NO_WAIT, LXCF_OPT_JOBS), 1, -1, false, LXCF_NEED_FILES,
      lxcf_cmd_each },
    { "clone", G_CONT, "SRC NEW", "create NEW as a copy of the stopped container SRC",
      "Copies SRC's root and gives NEW its own UUID, MAC, address, hostname and machine-id.",
      OPTS(LXCF_OPT_NO_START, LXCF_OPT_NO_WAIT), 2, 2, false, LXCF_NEED_FILES, lxcf_cmd_clone },
    { "erase", G_CONT, "NAME...", "stop and remove containers",
      "Stops the container, undefines the domain, removes its root directory and releases "
      "its address and /etc/hosts entry.  Never removes anything outside the container's "
      "own root, never crosses a mount point, never follows a symlink.",
      OPTS(LXCF_OPT_JOBS), 1, -1, false, LXCF_NEED_FILES, lxcf_cmd_each },
    { "start", G_CONT, "NAME...", "start containers and wait until their systemd is up",
      LXCF_WAIT_HELP, OPTS(LXCF_OPT_NO_WAIT, LXCF_OPT_JOBS), 1, -1, false, LXCF_NEED_CGROUP,
      lxcf_cmd_each },
    { "stop", G_CONT, "NAME...", "stop containers (clean shutdown, then forced)",
      "Asks the container's init to shut down and waits up to --timeout seconds "
      "(default: [container] stop_timeout), then destroys it.",
      OPTS(LXCF_OPT_TIMEOUT, LXCF_OPT_JOBS), 1, -1, false, LXCF_NEED_CGROUP, lxcf_cmd_each },
    { "restart", G_CONT, "NAME...", "stop and start containers", NULL,
      OPTS(LXCF_OPT_TIMEOUT, LXCF_OPT_NO_WAIT, LXCF_OPT_JOBS), 1, -1, false, LXCF_NEED_CGROUP,
      lxcf_cmd_each },
    { "sysstart", G_CONT, "NAME", "start a container when the host boots (or not, with -d)",
      NULL, OPTS(LXCF_OPT_DISABLE), 1, 1, false, LXCF_NEED_NONE, lxcf_cmd_sysstart },
    { "list", G_CONT, "", "list lxcf containers",
      "One line per container: name, state, model, address, autostart and memory in use. "
      "Other libvirt domains are not shown.  --json prints a JSON array.",
      OPTS(LXCF_OPT_JSON), 0, 0, false, LXCF_NEED_NONE, lxcf_cmd_list },
    { "show", G_CONT, "NAME", "show a container's details, network and limits",
      "Name, UUID, state, model, root, creation time, autostart, network (name, MAC, "
      "address, and whether the host's /etc/hosts has it), and every limit twice: as the "
      "domain defines it (applied at each start) and as the kernel has it now, with the "
      "memory and CPU time in use and whether the guest's init is confined to the "
      "container's cgroups.  --json prints one JSON object.",
      OPTS(LXCF_OPT_JSON), 1, 1, false, LXCF_NEED_NONE, lxcf_cmd_show },
    { "console", G_CONT, "NAME", "attach to a container's console", NULL,
      NULL, 1, 1, false, LXCF_NEED_NONE, lxcf_cmd_console },
    { "enter", G_CONT, "NAME [CMD [ARG...]]", "run a command (default: a login shell) inside a running container",
      NULL, NULL, 1, -1, true, LXCF_NEED_MOUNT, lxcf_cmd_enter },

    { "sysgen-n", G_BATCH, "PREFIX COUNT", "create PREFIX0001..PREFIXnnnn",
      "One line per container as each finishes and a summary; a failure does not stop "
      "the rest, and the exit status is 1 if any failed.  " LXCF_JOBS_HELP,
      OPTS(LXCF_OPT_MODEL, LXCF_OPT_NO_START, LXCF_OPT_NO_WAIT, LXCF_OPT_JOBS), 2, 2, false, LXCF_NEED_FILES,
      lxcf_cmd_each },
    { "erase-n", G_BATCH, "PREFIX COUNT", "erase PREFIX0001..PREFIXnnnn", LXCF_JOBS_HELP,
      OPTS(LXCF_OPT_JOBS), 2, 2, false, LXCF_NEED_FILES, lxcf_cmd_each },
    { "start-n", G_BATCH, "PREFIX COUNT", "start PREFIX0001..PREFIXnnnn", LXCF_WAIT_HELP,
      OPTS(LXCF_OPT_NO_WAIT, LXCF_OPT_JOBS), 2, 2, false, LXCF_NEED_CGROUP, lxcf_cmd_each },
    { "stop-n", G_BATCH, "PREFIX COUNT", "stop PREFIX0001..PREFIXnnnn", LXCF_JOBS_HELP,
      OPTS(LXCF_OPT_TIMEOUT, LXCF_OPT_JOBS), 2, 2, false, LXCF_NEED_CGROUP, lxcf_cmd_each },

    { "cpurate", G_RES, "NAME PERCENT", "limit CPU bandwidth to PERCENT of the whole host",
      "PERCENT (1..100) is a share of all online CPUs together: on a host with 4 CPUs, "
      "100 lets the container use all 4 and 25 the time of one.  It becomes a CFS quota "
      "of period x CPUs x PERCENT / 100 per 100 ms period.  Like every limit, it is "
      "written to the running container's cgroups at once and stored in the domain, "
      "so libvirt applies it again at each start; a stopped container gets it at its "
      "next start.", NULL, 2, 2, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "cpun", G_RES, "NAME CPULIST", "pin a container to CPUs (e.g. 0-1,3)",
      "CPULIST must name online CPUs of this host (cpuset.cpus; <vcpu cpuset> in the domain).",
      NULL, 2, 2, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "memlimit", G_RES, "NAME SIZE", "limit memory (K/M/G/T suffix, or unlimited)",
      "SIZE in bytes or with a binary suffix (256M, 1.5G).  'unlimited' removes the limit; "
      "the domain's memory size then applies, as libvirt sets it at start.  Must not "
      "exceed the memory+swap limit (memswlimit).",
      NULL, 2, 2, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "memswlimit", G_RES, "NAME SIZE", "limit memory plus swap",
      "SIZE counts memory and swap together, so it must be at least the memory limit.  "
      "Needs swap accounting in the kernel.",
      NULL, 2, 2, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "numa", G_RES, "NAME NODELIST", "bind a container's memory to NUMA nodes",
      "NODELIST must name online memory nodes of this host (cpuset.mems; <numatune> "
      "strict in the domain).",
      NULL, 2, 2, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "blkio_r", G_RES, "NAME [DEVICE] BYTES_PER_SEC", "limit read bandwidth",
      LXCF_BLKIO_HELP, NULL, 2, 3, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "blkio_w", G_RES, "NAME [DEVICE] BYTES_PER_SEC", "limit write bandwidth",
      LXCF_BLKIO_HELP, NULL, 2, 3, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "blkioiops_r", G_RES, "NAME [DEVICE] IOPS", "limit read operations per second",
      LXCF_BLKIO_HELP, NULL, 2, 3, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },
    { "blkioiops_w", G_RES, "NAME [DEVICE] IOPS", "limit write operations per second",
      LXCF_BLKIO_HELP, NULL, 2, 3, false, LXCF_NEED_CGROUP, lxcf_cmd_resource },

    { "net", G_NET, "[show|repair]", "show the lxcf network, or define and start it again",
      "'show' (the default) prints the network's bridge, address, pool, DHCP ranges "
      "and host reservations.  'repair' defines and starts the network if it is missing, "
      "moves its DHCP range off the pool (in the definition, from the network's next "
      "start), re-adds every container's DHCP and DNS entry and rebuilds the /etc/hosts "
      "blocks of the host and the guests.", OPTS(LXCF_OPT_JSON), 0, 1, false, LXCF_NEED_NONE, lxcf_cmd_net },

    { "update", G_UPD, "CMD [ARG...]", "run a package command on every guest, then the host",
      "Runs CMD chrooted in each guest with a throw-away overlay over the host's /usr "
      "(joint) so that each guest's /etc and /var are updated, then runs CMD on the host. "
      "All or nothing: a failure in any guest rolls every guest back and skips the host.",
      OPTS(LXCF_OPT_ONLY, LXCF_OPT_DRY_RUN, LXCF_OPT_JOBS, LXCF_OPT_RECOVER), 0, -1, true,
      LXCF_NEED_FILES | LXCF_NEED_MOUNT, lxcf_cmd_update },
    { "deploy", G_UPD, "PATH...", "copy host files into every guest (or --to NAME)", NULL,
      OPTS(LXCF_OPT_TO), 1, -1, false, LXCF_NEED_FILES, lxcf_cmd_deploy },

    { "check", G_MISC, "", "check that this host is ready, and how many guests it can run",
      "Checks the kernel's namespaces, the cgroup layout and controllers, whether PID 1 is "
      "systemd and machined runs, libvirt and its LXC driver, the lxcf network and its free "
      "addresses, lxcfs, the disk under the roots directory, and the kernel limits that cap "
      "how many guests can run (fs.inotify.*, kernel.keys.*, pids, the neighbour table).  "
      "Each line gives the value, about how many guests it allows and the fix.  The exit "
      "status is 1 when something sysgen needs is missing (a 'fail' line).  --json prints "
      "one JSON object.", OPTS(LXCF_OPT_JSON), 0, 0, false, LXCF_NEED_NONE, lxcf_cmd_check },
    { "help", G_MISC, "[SUBCOMMAND]", "show help for lxcf or one subcommand", NULL,
      OPTS(LXCF_OPT_MAN), 0, 1, false, LXCF_NEED_NONE, lxcf_cmd_help },
    { "version", G_MISC, "", "print the version", NULL,
      NULL, 0, 0, false, LXCF_NEED_NONE, lxcf_cmd_version },
};

const size_t lxcf_ncommands = sizeof(lxcf_commands) / sizeof(lxcf_commands[0]);

const lxcf_cmd *lxcf_cli_find(const char *name)
{
    for (size_t i = 0; i < lxcf_ncommands; i++)
        if (strcmp(lxcf_commands[i].name, name) == 0)
            return &lxcf_commands[i];
    return NULL;
}

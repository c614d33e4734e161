#!/usr/bin/env bash
# A guest like bare metal on a real host: lxcfs (a service here) mounted
# into the guest, what free, ps, top, vmstat, uptime and nproc say there,
# the guest's /etc/hosts naming the guest, lxcf check before and after the
# sysctl drop-in, and a start that waits for systemd.
. "$(dirname "$0")/lib.sh"

G=vg1
ok "lxcfs runs as a service on this host" systemctl is-active --quiet lxcfs
ok "sysgen $G says its systemd is up" bash -c "out=\$(lxcf sysgen $G) && echo \"\$out\" && echo \"\$out\" | grep -qE '^$G: up \\(systemd (running|degraded), '"
ok "$G: the domain mounts lxcfs over /proc/meminfo, and show says so" bash -c "
    vsh dumpxml $G | grep -q \"<source dir='/var/lib/lxcfs/proc/meminfo'/>\" &&
    lxcf show $G | grep -qx 'lxcfs:      yes (/var/lib/lxcfs)'"
ok "$G: memlimit 300M" lxcf memlimit $G 300M
ok "$G: free -m works and its total is the limit (250..300)" bash -c "
    out=\$(t_in $G free -m) && echo \"\$out\" && t=\$(echo \"\$out\" | awk '/^Mem:/ {print \$2}') &&
    [ -n \"\$t\" ] && [ \"\$t\" -le 300 ] && [ \"\$t\" -ge 250 ]"
ok "$G: ps aux works and shows the guest's init as PID 1" bash -c "out=\$(t_in $G ps aux) && echo \"\$out\" | awk '\$2 == 1' | grep -qE '/sbin/init|systemd'"
ok "$G: top -bn1 and vmstat work" bash -c "t_in $G top -bn1 | grep -q '^MiB Mem' && t_in $G vmstat 1 1 | tail -1 | grep -qE '^ *[0-9]'"
ok "$G: uptime is the guest's, not the VM's" bash -c "
    g=\$(t_in $G cut -d. -f1 /proc/uptime) && h=\$(cut -d. -f1 /proc/uptime) && echo \"guest \$g s, host \$h s\" &&
    [ \"\$g\" -lt \"\$h\" ]"
# nproc counts the CPUs the process may run on, which its cgroup decides:
# through lxcf enter (the guest's cgroup), not t_in (namespaces only).
ok "$G: cpun 0 and a restart: nproc says 1" bash -c "lxcf cpun $G 0 && lxcf restart $G >/dev/null && n=\$(lxcf enter $G nproc) && echo \$n && [ \"\$n\" = 1 ]"
ok "$G: its /etc/hosts names the guest, not this host" bash -c "
    h=\$(hostname); grep -n \"\$h\" $ROOTS/$G/etc/hosts | grep -v 'lxcf managed' && exit 1
    t_in $G getent hosts $G | grep -q ."

# lxcf check on a real host: systemd, machined, v2, lxcfs; inotify at the
# kernel's default until the drop-in is applied.
ok "lxcf check: systemd as PID 1, machined, cgroup v2 and lxcfs are ok" bash -c "
    out=\$(lxcf check); echo \"\$out\" | head -12
    echo \"\$out\" | grep -qE '^ok +host.init +systemd' && echo \"\$out\" | grep -qE '^ok +host.machined' &&
    echo \"\$out\" | grep -qE '^ok +cgroup.layout +v2 ' && echo \"\$out\" | grep -qE '^ok +lxcfs '"
ok "the sysctl drop-in is installed, and once applied the inotify line is ok" bash -c "
    [ -f /usr/lib/sysctl.d/60-lxcf.conf ] || exit 1
    saved=\$(for k in \$(awk -F' *= *' '/^[a-z]/ {print \$1}' /usr/lib/sysctl.d/60-lxcf.conf); do echo \"\$k=\$(sysctl -n \$k)\"; done)
    /usr/lib/systemd/systemd-sysctl /usr/lib/sysctl.d/60-lxcf.conf
    out=\$(lxcf check --json); echo \"\$out\" | jq -c '.items[] | select(.item == \"fs.inotify.max_user_instances\")'
    st=\$(echo \"\$out\" | jq -r '.items[] | select(.item == \"fs.inotify.max_user_instances\") | .status')
    for kv in \$saved; do sysctl -qw \"\$kv\"; done
    [ \"\$st\" = ok ]"
ok "erase $G" lxcf erase $G

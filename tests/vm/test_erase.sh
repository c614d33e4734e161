#!/usr/bin/env bash
# clone a stopped guest, then erase every guest: no domain, no root, no
# machine, no hosts line is left.
. "$(dirname "$0")/lib.sh"
CL=vc1

ok "$J2 exists and runs systemd" t_have $J2 joint
ok "stop $J2" lxcf stop $J2
ok "clone $J2 $CL" lxcf clone $J2 $CL
ok "$CL: systemd runs in the clone" t_wait_systemd $CL
ok "$CL: its own hostname" bash -c "[ \"\$(t_in $CL hostname)\" = $CL ]"
ok "$CL: its own machine-id" bash -c "[ \"\$(cat $ROOTS/$CL/etc/machine-id)\" != \"\$(cat $ROOTS/$J2/etc/machine-id)\" ]"
ok "$CL: its own address" bash -c "
    a=\$(lxcf show --json $CL | jq -r .network.address) && b=\$(lxcf show --json $J2 | jq -r .network.address) &&
    echo \"\$a \$b\" && [ \"\$a\" != \"\$b\" ]"
ok "$CL: in machinectl" t_machine $CL

for name in $J1 $J2 $S1 $CL; do
    vsh dominfo $name >/dev/null 2>&1 || continue
    ok "erase $name" lxcf erase $name
    ok "$name: no domain" bash -c "! vsh dominfo $name"
    ok "$name: no root" test ! -e $ROOTS/$name
    ok "$name: no machine" bash -c "! t_machine $name"
    ok "$name: no line in /etc/hosts" bash -c "! grep -wq $name /etc/hosts"
done
ok "lxcf list is empty" bash -c "[ \"\$(lxcf list --json | jq length)\" = 0 ]"
ok "no machine is left" bash -c "[ -z \"\$(machinectl list --no-legend --no-pager)\" ]"
ok "no group is left under machine.slice" bash -c "
    ls -d /sys/fs/cgroup/machine.slice/*/ 2>/dev/null; [ -z \"\$(ls -d /sys/fs/cgroup/machine.slice/*/ 2>/dev/null)\" ]"

#!/usr/bin/env bash
# sysstart: a container marked to start with the host comes back when the
# VM reboots, with systemd, in machined and in its machine's scope; one not
# marked stays off.  tests/vm/run runs this twice: LXCF_VM_PHASE=before,
# then it reboots the VM, then LXCF_VM_PHASE=after.
. "$(dirname "$0")/lib.sh"

if [ "${LXCF_VM_PHASE:-before}" = before ]; then
    ok "$J1 exists and runs systemd" t_have $J1 joint
    ok "$J2 exists and runs systemd" t_have $J2 joint
    ok "sysstart $J1" lxcf sysstart $J1
    ok "$J1: libvirt marks it autostart" bash -c "vsh dominfo $J1 | grep -E '^Autostart: +enable'"
    ok "$J1: show --json says autostart" t_json $J1 .autostart true
    ok "$J2: not autostart" t_json $J2 .autostart false
    exit
fi

ok "after the reboot: $J1 runs" bash -c "
    for i in \$(seq 1 120); do [ \"\$(vsh domstate $J1)\" = running ] && exit 0; sleep 1; done; exit 1"
ok "after the reboot: systemd runs in $J1" t_wait_systemd $J1
ok "after the reboot: $J1 is in machinectl, its init in the machine's scope" t_ancestors $J1
ok "after the reboot: $J1 reaches the gateway" t_in $J1 ping -c 1 -W 5 192.168.125.1
ok "after the reboot: $J2 (not sysstart) is shut off" bash -c "[ \"\$(vsh domstate $J2)\" = 'shut off' ]"
ok "sysstart -d $J1" lxcf sysstart -d $J1
ok "$J1: no longer autostart" t_json $J1 .autostart false

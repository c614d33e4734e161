#!/usr/bin/env bash
# sysgen of the VM's own root, joint and separate: systemd in the guest
# reaches running (or degraded), libvirt registered the container with
# machined, the guest's init sits inside the machine's scope, the guest is
# usable like bare metal (free, ps), list and show agree.
. "$(dirname "$0")/lib.sh"

ok "the host runs systemd with pure cgroup v2" bash -c \
    '[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && [ -d /run/systemd/system ]'
ok "libvirtd, systemd-machined and lxcfs are there" bash -c \
    'virsh -c lxc:/// uri && systemctl is-active lxcfs && machinectl list --no-pager >/dev/null'

for c in "$J1 joint" "$S1 separate"; do
    set -- $c
    name=$1 model=$2
    t0=$(date +%s)
    ok "sysgen --model $model $name" lxcf sysgen --model "$model" "$name"
    echo "# sysgen $model: $(($(date +%s) - t0)) s"
    ok "$name: the domain runs" bash -c "[ \"\$(vsh domstate $name)\" = running ]"
    ok "$name: systemd in the guest is running or degraded (asked in its namespaces)" t_wait_systemd "$name"
    ok "$name: machinectl lists the container" t_machine "$name"
    ok "$name: the guest's init is inside the machine's scope" t_ancestors "$name"
    ok "$name: machinectl's leader is the guest's init" bash -c "
        m=\$(t_machine $name) && l=\$(machinectl show \$m -p Leader --value) &&
        p=\$(t_init_pid $name) && echo \"leader \$l, init \$p\" && [ \"\$l\" = \"\$p\" ]"
    ok "$name: its emulator is lxcf-emulator, which made no group of its own beside machined's" bash -c "
        vsh dumpxml $name | grep -E '<emulator>.*/lxcf-emulator</emulator>' &&
        echo \"controller: \$(t_cgdir \$(vsh domid $name))\" && [ ! -e /sys/fs/cgroup/machine ]"
    ok "$name: the guest's root is the container's root" bash -c "
        p=\$(t_init_pid $name) && [ \"\$(stat -Lc %d:%i /proc/\$p/root/etc)\" = \"\$(stat -c %d:%i $ROOTS/$name/etc)\" ]"
    ok "$name: the guest's hostname is its name" bash -c "[ \"\$(t_in $name hostname)\" = $name ]"
    ok "$name: list shows it running as $model" bash -c "
        lxcf list --json | jq -e '.[] | select(.name == \"$name\") | select(.state == \"running\" and .model == \"$model\")'"
    ok "$name: show --json says it is confined" t_json "$name" .confined true
    ok "$name: free works in the guest" t_in "$name" free
    ok "$name: ps aux works in the guest" t_in "$name" ps aux
done
ok "$J1: /usr is the host's, read-only" bash -c "
    t_in $J1 touch /usr/lxcf-vm-probe 2>&1 | grep -q 'Read-only file system' &&
    [ \"\$(t_in $J1 stat -c %i /usr/bin/env)\" = \"\$(stat -c %i /usr/bin/env)\" ]"
ok "$S1: /usr is its own copy" bash -c "
    [ \"\$(t_in $S1 stat -c %i /usr/bin/env)\" != \"\$(stat -c %i /usr/bin/env)\" ] &&
    [ -x $ROOTS/$S1/usr/bin/env ]"

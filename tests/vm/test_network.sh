#!/usr/bin/env bash
# The network: guests reach each other by name and the gateway; the lxcf
# block of /etc/hosts is the same on the host and in every guest, and names
# every container with its address.
. "$(dirname "$0")/lib.sh"

GW=$(sed -n 's/^address *= *\([0-9.]*\)\/.*/\1/p' /etc/lxcf/lxcf.conf)
GW=${GW:-192.168.125.1}

ok "$J1 exists and runs systemd" t_have $J1 joint
ok "$J2 exists and runs systemd" t_have $J2 joint
ok "$S1 exists and runs systemd" t_have $S1 separate
ok "the lxcf network is active" bash -c "lxcf net show && virsh -c $URI net-list --name | grep -qx lxcfn1"

for name in $J1 $J2 $S1; do
    addr=$(lxcf show --json $name | jq -r .network.address)
    ok "$name: has an address ($addr)" test -n "$addr" -a "$addr" != null
    ok "$name: eth0 has it" bash -c "t_in $name ip -4 -o addr show | grep -q ' $addr/'"
    ok "$name: the host's /etc/hosts block names it" bash -c \
        "t_hosts_block /etc/hosts | grep -E '^$addr[[:space:]]+$name([[:space:]]|\$)'"
    ok "$name: its /etc/hosts has the host's block" bash -c \
        "diff <(t_hosts_block /etc/hosts) <(t_in $name cat /etc/hosts | sed -n '/^# BEGIN lxcf managed block/,/^# END lxcf managed block/p')"
    ok "$name: reaches the gateway $GW" t_in $name ping -c 1 -W 5 $GW
done
ok "$J1 reaches $J2 by name" t_in $J1 ping -c 1 -W 5 $J2
ok "$J2 reaches $J1 by name" t_in $J2 ping -c 1 -W 5 $J1
ok "$J1 reaches $S1 by name" t_in $J1 ping -c 1 -W 5 $S1
ok "$S1 reaches $J2 by name" t_in $S1 ping -c 1 -W 5 $J2
ok "the host reaches $J1 by name" ping -c 1 -W 5 $J1
ok "the host's own lines outside the block are kept" grep -qE '^127\.0\.1\.1[[:space:]]+lxcf-vm' /etc/hosts

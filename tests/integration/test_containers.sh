#!/usr/bin/env bash
# Containers from a real host tree booting real systemd under real libvirt:
# sysgen (joint and separate), start/stop, clone, erase, sysgen-n/erase-n.
. "$(dirname "$0")/lib.sh"
t_init containers 1 131

H=$T_ROOT/host
usr_before=$(t_tree_hash "$H/usr")

# sysgen waits for the guest's systemd and says so.
up_re='\(systemd (running|degraded), [0-9.]+ s\)'
ok "sysgen a joint container: it says its systemd is up" bash -c "out=\$(lxcf sysgen --model joint lxcft-j1) && echo \"\$out\" && echo \"\$out\" | grep -qE '^lxcft-j1: up $up_re\$'"
ok "sysgen a separate container: it says its systemd is up" bash -c "out=\$(lxcf sysgen --model separate lxcft-s1) && echo \"\$out\" && echo \"\$out\" | grep -qE '^lxcft-s1: up $up_re\$'"
ok "virt-manager's title and description say what the domain is" bash -c "vsh desc --title lxcft-j1 | grep -qx 'lxcf joint container lxcft-j1' && vsh desc lxcft-s1 | grep -q '^lxcf separate container (its own /usr), address 192.168.131.'"
ok "sysgen's 'up' is true: systemd in the guest is running or degraded" bash -c "st=\$(lxcf enter lxcft-j1 systemctl is-system-running); echo \$st; [ \"\$st\" = running ] || [ \"\$st\" = degraded ]"

for c in lxcft-j1 lxcft-s1; do
    ok "$c: the domain XML is valid for libvirt" bash -c "virsh -q -c $URI dumpxml $c > $T_ROOT/$c.xml && virt-xml-validate $T_ROOT/$c.xml domain"
    ok "$c: is running in libvirt" bash -c "[ \"\$(virsh -q -c $URI domstate $c)\" = running ]"
    ok "$c: systemd reaches running or degraded" t_wait_systemd "$c"
    ok "$c: hostname is the container name" bash -c "[ \"\$('$LXCF_BIN' --root $H enter $c hostname)\" = $c ]"
    for ctrl in memory devices pids name=systemd cpu; do
        ok "$c: init is inside the container's $ctrl group" t_confined "$c" "$ctrl"
    done
    ok "$c: eth0 has the address lxcf list shows" bash -c "
        ip=\$('$LXCF_BIN' --root $H list --json | python3 -c 'import json,sys; print([c[\"address\"] for c in json.load(sys.stdin) if c[\"name\"]==\"$c\"][0])')
        '$LXCF_BIN' --root $H enter $c ip -4 -o addr show eth0 | grep -q \" \$ip/24 \""
done

ok "joint: /usr is read-only in the guest" bash -c "! '$LXCF_BIN' --root $H enter lxcft-j1 touch /usr/lxcf-probe && '$LXCF_BIN' --root $H enter lxcft-j1 sh -c 'touch /usr/x 2>&1' | grep -q 'Read-only'"
ok "separate: /usr is writable in the guest" lxcf enter lxcft-s1 sh -c 'touch /usr/lxcf-probe && rm /usr/lxcf-probe'
ok "separate: the guest's /usr is its own copy" test -x "$H/opt/lxcf/lxcft-s1/usr/bin/env"
ok "joint: the root holds no copy of /usr" bash -c "[ -z \"\$(ls -A $H/opt/lxcf/lxcft-j1/usr)\" ]"
ok "console reaches a login prompt (left with ^])" bash -c "(sleep 2; printf '\\r'; sleep 3; printf '\\035') | timeout 30 '$LXCF_BIN' --root $H console lxcft-j1 | tr -d '\\r' | grep -q 'lxcft-j1 login:'"
ok "list shows both, running, with their models" bash -c "lxcf_out=\$('$LXCF_BIN' --root $H list); echo \"\$lxcf_out\"; echo \"\$lxcf_out\" | grep -qE '^lxcft-j1 +running +joint' && echo \"\$lxcf_out\" | grep -qE '^lxcft-s1 +running +separate'"
ok "host /etc/hosts has both containers and keeps the admin's lines" bash -c "grep -qP '^192\.168\.131\.\d+\tlxcft-j1$' $H/etc/hosts && grep -qP '\tlxcft-s1$' $H/etc/hosts && grep -q '^10.1.1.1	dbserver$' $H/etc/hosts && grep -q '^# a line of the administrator$' $H/etc/hosts"
ok "each guest's /etc/hosts names the other" bash -c "grep -q 'lxcft-s1' $H/opt/lxcf/lxcft-j1/etc/hosts && grep -q 'lxcft-j1' $H/opt/lxcf/lxcft-s1/etc/hosts"

ok "stop shuts a booted container down cleanly (not forced)" bash -c "out=\$(lxcf stop lxcft-j1) && echo \"\$out\" && [ \"\$out\" = 'lxcft-j1: stopped' ]"
ok "stop removes the container's empty cgroups" bash -c "! ls -d /sys/fs/cgroup/*/machine/lxc-*-lxcft-j1.libvirt-lxc 2>/dev/null | grep -q ."
ok "stopped container shows as stopped" bash -c "[ \"\$(virsh -q -c $URI domstate lxcft-j1)\" = 'shut off' ]"
not_ok "clone refuses a running source" lxcf clone lxcft-s1 lxcft-c1
ok "clone a stopped container" lxcf clone lxcft-j1 lxcft-c1
ok "clone: systemd runs in the clone" t_wait_systemd lxcft-c1
ok "clone: its own hostname" bash -c "[ \"\$('$LXCF_BIN' --root $H enter lxcft-c1 hostname)\" = lxcft-c1 ]"
ok "clone: its own machine-id" bash -c "! cmp -s $H/opt/lxcf/lxcft-j1/etc/machine-id $H/opt/lxcf/lxcft-c1/etc/machine-id"
ok "clone: its own UUID, MAC and address" bash -c "
    a=\$(virsh -q -c $URI dumpxml lxcft-j1); b=\$(virsh -q -c $URI dumpxml lxcft-c1)
    [ \"\$(echo \"\$a\" | grep -o '<uuid>.*</uuid>')\" != \"\$(echo \"\$b\" | grep -o '<uuid>.*</uuid>')\" ] &&
    [ \"\$(echo \"\$a\" | grep -o \"mac address='[^']*'\")\" != \"\$(echo \"\$b\" | grep -o \"mac address='[^']*'\")\" ] &&
    [ \"\$(echo \"\$a\" | grep -o '<lxcf:ipv4[^<]*')\" != \"\$(echo \"\$b\" | grep -o '<lxcf:ipv4[^<]*')\" ]"
ok "start a stopped container: it says its systemd is up" bash -c "out=\$(lxcf start lxcft-j1) && echo \"\$out\" && echo \"\$out\" | grep -qE '^lxcft-j1: up $up_re\$'"
ok "restarted container boots systemd again" t_wait_systemd lxcft-j1

ok "erase a running joint container" lxcf erase lxcft-j1
ok "erase: no domain left" bash -c "! virsh -q -c $URI dominfo lxcft-j1"
ok "erase: no root directory left" test ! -e "$H/opt/lxcf/lxcft-j1"
ok "erase: no hosts line left" bash -c "! grep -q 'lxcft-j1' $H/etc/hosts"
ok "erase: no DHCP/DNS entry left in the network" bash -c "! virsh -q -c $URI net-dumpxml $T_NET | grep -q lxcft-j1 && ! virsh -q -c $URI net-dumpxml --inactive $T_NET | grep -q lxcft-j1"
ok "erase: the host's /usr is byte-for-byte unchanged" bash -c "[ \"\$(t_tree_hash $H/usr)\" = '$usr_before' ]"
# enter: the command lands in the guest init's cgroups (a leaf inside the
# container's tree on every layout), and a failure says why.
ok "enter: the entered process is in the guest init's cgroup in every hierarchy" bash -c "a=\$(lxcf enter lxcft-s1 cat /proc/self/cgroup) && b=\$(lxcf enter lxcft-s1 cat /proc/1/cgroup) && echo \"\$a\" && [ -n \"\$a\" ] && [ \"\$a\" = \"\$b\" ]"
ok "enter: seen from the host, the entered process is inside the container's memory group" bash -c "
    '$LXCF_BIN' --root $H enter lxcft-s1 sleep 20 & sleep 3
    ctl=\$(virsh -q -c $URI domid lxcft-s1)
    c=\$(pgrep -P \$!) && pid=\$(pgrep -P \$c) && grep -E '^[0-9]+:memory:' /proc/\$pid/cgroup | tee /dev/stderr | grep -q \":/machine/lxc-\$ctl-lxcft-s1.libvirt-lxc/\"
    r=\$?; kill \$pid 2>/dev/null; wait; exit \$r"
ok "enter: a missing command exits 127 with one line naming it" bash -c "lxcf enter lxcft-s1 /nonexistent-cmd 2>$T_ROOT/enter.err; rc=\$?; cat $T_ROOT/enter.err; [ \$rc = 127 ] && [ \$(wc -l < $T_ROOT/enter.err) = 1 ] && grep -q \"lxcft-s1: cannot run '/nonexistent-cmd' in the container: No such file or directory\" $T_ROOT/enter.err"
# A step of the entering child that fails (here the cgroup join, with the
# cgroup file systems read-only in a mount namespace of this test's own)
# says which step and why, in one line, and runs nothing.
ok "enter: a failure inside the entering child is one line with its real reason" bash -c "
    unshare --mount --propagation private bash -c 'for m in \$(findmnt -rn -R -o TARGET /sys/fs/cgroup); do mount -o remount,bind,ro \$m || exit 99; done; lxcf enter lxcft-s1 touch /lxcf-entered' 2>$T_ROOT/enter-ro.err
    rc=\$?; cat $T_ROOT/enter-ro.err
    [ \$rc = 1 ] && [ \$(wc -l < $T_ROOT/enter-ro.err) = 1 ] &&
    grep -qE \"^lxcf: lxcft-s1: cannot join the container's cgroup: .*cgroup\\.procs: Read-only file system\$\" $T_ROOT/enter-ro.err &&
    ! lxcf enter lxcft-s1 test -e /lxcf-entered"
ok "enter: the command's own exit status is lxcf's" bash -c "lxcf enter lxcft-s1 sh -c 'exit 7'; [ \$? = 7 ]"

# A start that tells the truth: a guest whose systemd stays in emergency
# mode is a failure with its reason, and --no-wait keeps the old way.
ok "stop for the --no-wait start" lxcf stop lxcft-s1
ok "start --no-wait ends at 'started', and waits for nothing" bash -c "out=\$(lxcf start --no-wait lxcft-s1) && echo \"\$out\" && [ \"\$(echo \"\$out\" | tail -n 1)\" = 'lxcft-s1: started' ] && ! echo \"\$out\" | grep -q ': up '"
ok "sysgen --no-start a guest that boots into emergency mode" bash -c "lxcf sysgen --no-start lxcft-e1 && ln -sf /lib/systemd/system/emergency.target $H/opt/lxcf/lxcft-e1/etc/systemd/system/default.target"
ok "start of the emergency-mode guest fails, exit 1, with the reason" bash -c "lxcf start lxcft-e1 2>$T_ROOT/e1.err; rc=\$?; cat $T_ROOT/e1.err; [ \$rc = 1 ] && grep -q '^lxcf: lxcft-e1: started, but its init did not come up: systemd is in maintenance' $T_ROOT/e1.err"
ok "start-n style batch: the emergency guest is FAILED, the good one up, exit 1" bash -c "lxcf stop lxcft-e1 >/dev/null; out=\$(lxcf start lxcft-e1 lxcft-s1); rc=\$?; echo \"\$out\"; [ \$rc = 1 ] && echo \"\$out\" | grep -q '^lxcft-e1: FAILED: started, but its init did not come up: systemd is in maintenance' && echo \"\$out\" | grep -qE '^lxcft-s1: up ' && echo \"\$out\" | grep -qx 'start: 1 of 2 done, 1 failed'"
ok "erase the others" lxcf erase lxcft-s1 lxcft-c1 lxcft-e1
not_ok "erase of a missing container fails" lxcf erase lxcft-j1

ok "sysgen-n 5 (not started)" lxcf sysgen-n lxcft-b 5 --no-start
ok "sysgen-n: 5 containers listed" bash -c "[ \$('$LXCF_BIN' --root $H list | grep -c '^lxcft-b000[1-5] ') = 5 ]"
ok "sysgen-n: 5 distinct addresses" bash -c "[ \$(lxcf list --json | python3 -c 'import json,sys; print(len({c[\"address\"] for c in json.load(sys.stdin) if c[\"name\"].startswith(\"lxcft-b\")}))') = 5 ]"
ok "start-n 5: five up lines and the summary" bash -c "out=\$(lxcf start-n lxcft-b 5); rc=\$?; echo \"\$out\"; [ \$rc = 0 ] && [ \$(echo \"\$out\" | grep -cE '^lxcft-b000[1-5]: up $up_re\$') = 5 ] && echo \"\$out\" | grep -qx 'start-n: 5 of 5 done, 0 failed'"
ok "erase-n 5" lxcf erase-n lxcft-b 5
ok "erase-n: nothing left" bash -c "[ -z \"\$(ls -A $H/opt/lxcf)\" ] && ! grep -q lxcft-b $H/etc/hosts && [ -z \"\$(t_domains)\" ]"
ok "the host's /usr is still unchanged" bash -c "[ \"\$(t_tree_hash $H/usr)\" = '$usr_before' ]"

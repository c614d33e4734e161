#!/usr/bin/env bash
# A guest like bare metal: what an administrator's tools see inside it.
# lxcfs (started by the harness in libvirtd's mount namespace) gives the
# guest its own meminfo, cpuinfo, stat, uptime, ...; without it procps 4
# fails.  Also: a host without lxcfs still starts guests and says so once.
. "$(dirname "$0")/lib.sh"
t_init guest 10 140

H=$T_ROOT/host
HARNESS="$LXCF_SRC/scripts/libvirtd-harness"
G=lxcft-g1
# Whatever happens, the later tests get the harness' lxcfs back.
trap '"$HARNESS" lxcfs-start >/dev/null 2>&1; t_cleanup' EXIT

"$HARNESS" lxcfs-pid >/dev/null 2>&1 || skip_all "the harness runs no lxcfs (is the lxcfs package installed? scripts/install-deps --test)"

# The host names itself in /etc/hosts, as Debian's installer writes it.
echo testhost > "$H/etc/hostname"
printf '127.0.1.1\ttesthost.example.org testhost\n' >> "$H/etc/hosts"

ok "sysgen a joint guest" lxcf sysgen $G
ok "the guest's /etc/hosts names the guest where the host's named the host" bash -c "grep -P '^127\.0\.1\.1\t$G\.example\.org $G\$' $H/opt/lxcf/$G/etc/hosts && ! grep -q testhost $H/opt/lxcf/$G/etc/hosts"
ok "the guest resolves its own name, and the host's lines outside the block are kept" bash -c "lxcf enter $G getent hosts $G | grep -q '^127\.0\.1\.1 ' && grep -q '^10.1.1.1	dbserver\$' $H/opt/lxcf/$G/etc/hosts"
ok "the domain mounts lxcfs over /proc/meminfo" bash -c "vsh dumpxml $G | grep -q \"<source dir='/var/lib/lxcfs/proc/meminfo'/>\""
ok "show says the guest has lxcfs" bash -c "lxcf show $G | grep -qx 'lxcfs:      yes (/var/lib/lxcfs)' && lxcf show --json $G | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"lxcfs\"] == \"/var/lib/lxcfs\"'"
ok "memlimit 300M" lxcf memlimit $G 300M
ok "free -m: works, and its total is the memory limit (<= 300)" bash -c "out=\$(lxcf enter $G free -m) && echo \"\$out\" && t=\$(echo \"\$out\" | awk '/^Mem:/ {print \$2}') && [ -n \"\$t\" ] && [ \"\$t\" -le 300 ] && [ \"\$t\" -ge 250 ]"
ok "ps aux works and lists the guest's own init as PID 1" bash -c "out=\$(lxcf enter $G ps aux) && echo \"\$out\" | head -3 && echo \"\$out\" | awk '\$2 == 1' | grep -qE '/sbin/init|systemd'"
ok "top -bn1 works" bash -c "lxcf enter $G top -bn1 | grep -q '^MiB Mem'"
ok "vmstat works" bash -c "lxcf enter $G vmstat 1 1 | tail -1 | grep -qE '^ *[0-9]'"
ok "uptime is the guest's (minutes, not the host's)" bash -c "
    g=\$(lxcf enter $G cut -d. -f1 /proc/uptime) && h=\$(cut -d. -f1 /proc/uptime) && echo \"guest \$g s, host \$h s\" &&
    [ \"\$g\" -lt 600 ] && [ \"\$g\" -lt \"\$h\" ] && lxcf enter $G uptime | grep -q 'load average'"
ok "cpun 0: nproc in the guest says 1" bash -c "lxcf cpun $G 0 && lxcf restart $G >/dev/null && n=\$(lxcf enter $G nproc) && echo \$n && [ \"\$n\" = 1 ]"
ok "/proc/cpuinfo in the guest lists one processor after cpun 0" bash -c "[ \$(lxcf enter $G grep -c '^processor' /proc/cpuinfo) = 1 ]"

# A host without lxcfs: guests still start, and lxcf says once what they lack.
ok "stop the harness' lxcfs" "$HARNESS" lxcfs-stop
ok "sysgen-n 2 without lxcfs: both up, the note printed once" bash -c "
    out=\$(lxcf sysgen-n lxcft-n 2) && echo \"\$out\" &&
    [ \$(echo \"\$out\" | grep -c 'lxcfs is not running') = 1 ] &&
    [ \$(echo \"\$out\" | grep -cE '^lxcft-n000[12]: up ') = 2 ]"
ok "without lxcfs the domain has no lxcfs mounts, and show says so" bash -c "! vsh dumpxml lxcft-n0001 | grep -q lxcfs && lxcf show lxcft-n0001 | grep -q '^lxcfs:      no '"
ok "restart of a guest defined with lxcfs works without it, and drops the mounts" bash -c "lxcf restart $G && ! vsh dumpxml $G | grep -q /var/lib/lxcfs"
ok "start the harness' lxcfs again" "$HARNESS" lxcfs-start
ok "restart with lxcfs back: the mounts come back, free works again" bash -c "lxcf restart lxcft-n0001 >/dev/null && vsh dumpxml lxcft-n0001 | grep -q \"<source dir='/var/lib/lxcfs/proc/meminfo'/>\" && lxcf enter lxcft-n0001 free -m | grep -q '^Mem:'"
ok "erase them all" lxcf erase $G lxcft-n0001 lxcft-n0002

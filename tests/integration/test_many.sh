#!/usr/bin/env bash
# Many guests on one host: the kernel's default inotify limit lets about 15
# boot; lxcf check names it, a start past it fails with the reason, and with
# the limits of lxcf's sysctl drop-in 60 joint guests run at once.  Every
# limit changed here is restored at the end.
. "$(dirname "$0")/lib.sh"
t_init many 11 141

H=$T_ROOT/host
N=${LXCF_TEST_MANY:-60}
echo "start_timeout = 90" >> "$H/etc/lxcf/lxcf.conf"

# inotify instances of root's processes now (the guests share root's count).
in_use() {
    local n=0 p f
    for p in /proc/[0-9]*; do
        [ "$(stat -c %u "$p" 2>/dev/null)" = 0 ] || continue
        for f in "$p"/fd/*; do
            [ "$(readlink "$f" 2>/dev/null)" = anon_inode:inotify ] && n=$((n + 1))
        done
    done
    echo $n
}
# The inotify instances held by the processes of the running guest $1.
guest_inotify() {
    local ctl p n=0 f
    ctl=$(vsh domid "$1") || return 1
    for p in $(t_descendants "$ctl"); do
        for f in /proc/$p/fd/*; do
            [ "$(readlink "$f" 2>/dev/null)" = anon_inode:inotify ] && n=$((n + 1))
        done
    done
    echo $n
}
t_descendants() {
    local c
    echo "$1"
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do t_descendants "$c"; done
}
export -f in_use guest_inotify t_descendants

t_sysctl fs.inotify.max_user_instances 128
ok "lxcf check: the inotify line is a warning naming the fix" bash -c "out=\$(lxcf check) ; echo \"\$out\" | grep -E 'fs.inotify.max_user_instances' | tee /dev/stderr | grep -qE '^warn .*sysctl -w fs.inotify.max_user_instances=8192'"

# Room for about one guest: the later ones must fail, and say why.
t_sysctl fs.inotify.max_user_instances $(( $(in_use) + 14 ))
ok "sysgen-n 4 --no-start" lxcf sysgen-n lxcft-l 4 --no-start
ok "start-n 4 past the inotify limit: FAILED lines name the limit, exit 1" bash -c "
    out=\$(lxcf start-n lxcft-l 4); rc=\$?; echo \"\$out\"
    [ \$rc = 1 ] && echo \"\$out\" | grep -E '^lxcft-l000[1-4]: FAILED: started, but its init did not come up: ' | grep -q 'fs.inotify.max_user_instances' &&
    ! echo \"\$out\" | grep -q 'start-n: 4 of 4 done'"
ok "erase-n 4" lxcf erase-n lxcft-l 4

t_sysctl fs.inotify.max_user_instances 8192
t_sysctl fs.inotify.max_user_watches 1048576
ok "with the drop-in's limits, lxcf check's inotify line is ok" bash -c "lxcf check --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
it = [i for i in r[\"items\"] if i[\"item\"] == \"fs.inotify.max_user_instances\"][0]
print(it)
assert it[\"status\"] == \"ok\" and it[\"guests\"] >= 100'"
ok "sysgen-n $N: every guest up, $N of $N done" bash -c "
    out=\$(lxcf sysgen-n lxcft-m $N); rc=\$?; echo \"\$out\" | tail -3
    [ \$rc = 0 ] && [ \$(echo \"\$out\" | grep -cE '^lxcft-m[0-9]{4}: up \\(systemd (running|degraded), ') = $N ] &&
    echo \"\$out\" | grep -qx 'sysgen-n: $N of $N done, 0 failed'"
ok "all $N are running in libvirt" bash -c "[ \$(vsh list --name | grep -c '^lxcft-m') = $N ]"
ok "systemd in each of the $N, asked again, is running or degraded" bash -c "
    bad=0
    for i in \$(seq -f %04g 1 $N); do
        st=\$(lxcf enter lxcft-m\$i systemctl is-system-running 2>/dev/null)
        case \$st in running|degraded) ;; *) echo \"lxcft-m\$i: '\$st'\"; bad=\$((bad + 1)) ;; esac
    done
    [ \$bad = 0 ]"
ok "each guest holds no more inotify instances than lxcf check counts on (12)" bash -c "
    max=0
    for i in \$(seq -f %04g 1 $N); do
        n=\$(guest_inotify lxcft-m\$i) || exit 1
        [ \$n -gt \$max ] && max=\$n
    done
    echo \"most inotify instances in one guest: \$max\"; [ \$max -le 12 ]"
ok "erase-n $N" lxcf erase-n lxcft-m $N
ok "nothing of them is left" bash -c "[ -z \"\$(t_domains)\" ] && [ -z \"\$(ls -A $H/opt/lxcf)\" ] && ! grep -q lxcft-m $H/etc/hosts"

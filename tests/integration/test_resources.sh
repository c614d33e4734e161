#!/usr/bin/env bash
# Resource limits on real containers: cpurate, memlimit, memswlimit, cpun,
# numa, blkio_w on a running joint container (kernel files of its cgroups,
# the guest's view, the stored and the live domain definition), kept across
# restart, shown by `show --json`; a stopped container gets its limit at
# start; bad input changes nothing.
. "$(dirname "$0")/lib.sh"
t_init resources 3 133

H=$T_ROOT/host
C=lxcft-r1
S=lxcft-r2

# t_cg NAME CTRL FILE: a file of NAME's group in CTRL, found from the
# libvirt_lxc controller's /proc/PID/cgroup.
t_cg() {
    local id rel
    id=$(vsh domid "$1") || return 1
    rel=$(grep -E "^[0-9]+:([^:]*,)?$2(,[^:]*)?:" "/proc/$id/cgroup" | cut -d: -f3)
    [ -n "$rel" ] || return 1
    cat "/sys/fs/cgroup/$2$rel/$3"
}
# t_cg_is NAME CTRL FILE EXPECTED
t_cg_is() {
    local got
    got=$(t_cg "$1" "$2" "$3") || return 1
    echo "$2/$3 = '$got', expected '$4'"
    [ "$got" = "$4" ]
}
# The whole disk under the container's root, as MAJ:MIN.
t_root_disk() {
    local d
    d=$(stat -c '%Hd:%Ld' "$H/opt/lxcf/$1") || return 1
    [ -e "/sys/dev/block/$d/partition" ] && d=$(cat "$(readlink -f "/sys/dev/block/$d")/../dev")
    echo "$d"
}
# t_live NAME PATTERN: the running domain's live definition (what virsh and
# virt-manager show) has a line matching PATTERN.
t_live() {
    local x
    x=$(vsh dumpxml "$1") || return 1
    echo "$x" | grep -qE "$2" || { echo "live definition lacks '$2':"; echo "$x" | grep -A8 -E 'tune>|<vcpu'; return 1; }
}
export -f t_cg t_cg_is t_root_disk t_live
export H

NCPU=$(nproc --all)
QUOTA=$((100000 * NCPU * 50 / 100))
DISK=""

ok "sysgen a joint container" lxcf sysgen --model joint $C
ok "systemd runs in it" t_wait_systemd $C
DISK=$(t_root_disk $C)
ok "the container's root is on a block device ($DISK)" test -n "$DISK"

ok "cpurate 50" lxcf cpurate $C 50
ok "cpurate: cpu.cfs_period_us is 100000" t_cg_is $C cpu cpu.cfs_period_us 100000
ok "cpurate: cpu.cfs_quota_us is 50% of $NCPU cpus ($QUOTA)" t_cg_is $C cpu cpu.cfs_quota_us $QUOTA
ok "cpurate: live definition has <quota>$QUOTA</quota>" t_live $C "<quota>$QUOTA</quota>"
ok "cpurate: live definition has <period>100000</period>" t_live $C '<period>100000</period>'
ok "cpurate: virsh schedinfo shows the quota and period" bash -c "
    out=\$(vsh schedinfo $C) && echo \"\$out\" &&
    echo \"\$out\" | grep -qE '^vcpu_quota *: *$QUOTA\$' &&
    echo \"\$out\" | grep -qE '^vcpu_period *: *100000\$'"

ok "memlimit 256M" lxcf memlimit $C 256M
ok "memlimit: memory.limit_in_bytes is 268435456" t_cg_is $C memory memory.limit_in_bytes 268435456
ok "memlimit: live definition has the hard limit" t_live $C "<hard_limit unit='KiB'>262144</hard_limit>"
ok "memlimit: virsh memtune shows it" bash -c \
    "vsh memtune $C | grep -E '^hard_limit *: *262144\$'"
ok "memlimit: the guest's init is inside the limited memory group" t_confined $C memory
ok "memlimit: the guest's /proc/meminfo shows 262144 kB" bash -c \
    "lxcf enter $C cat /proc/meminfo | grep -E '^MemTotal: +262144 kB$'"

SWAP=yes
if ! t_cg $C memory memory.memsw.limit_in_bytes >/dev/null 2>&1; then
    SWAP=""
    echo "# swap accounting is off (no memory.memsw.limit_in_bytes): skipping memswlimit"
fi
if [ -n "$SWAP" ]; then
    ok "memswlimit 512M" lxcf memswlimit $C 512M
    ok "memswlimit: memory.memsw.limit_in_bytes is 536870912" t_cg_is $C memory memory.memsw.limit_in_bytes 536870912
    ok "memswlimit: live definition has the swap hard limit" t_live $C "<swap_hard_limit unit='KiB'>524288</swap_hard_limit>"
fi

# libvirt-LXC cannot change a running container's cpuset or nodeset: lxcf
# says so.
ok "cpun 0 says the live definition follows at the next start" bash -c \
    "lxcf cpun $C 0 | tee /dev/stderr | grep -q \"live definition shows it after the next start\""
sed 's/^/# /' "$T_ROOT/last.out" | sort -u
ok "cpun: cpuset.cpus is 0" t_cg_is $C cpuset cpuset.cpus 0
ok "numa 0 says the live definition follows at the next start" bash -c \
    "lxcf numa $C 0 | tee /dev/stderr | grep -q \"live definition shows it after the next start\""
sed 's/^/# /' "$T_ROOT/last.out" | sort -u
ok "numa: cpuset.mems is 0" t_cg_is $C cpuset cpuset.mems 0
ok "blkio_w 10M on the root's disk" lxcf blkio_w $C 10M
ok "blkio_w: write_bps_device has '$DISK 10485760'" bash -c \
    "t_cg $C blkio blkio.throttle.write_bps_device | grep -qx '$DISK 10485760'"
ok "blkio_w: live definition has <write_bytes_sec>10485760</write_bytes_sec>" \
    t_live $C '<write_bytes_sec>10485760</write_bytes_sec>'
ok "blkio_w: virsh blkiotune shows it" bash -c \
    "vsh blkiotune $C | grep -E '^device_write_bytes_sec *: *[^ ]+,10485760\$'"

# Every limit as the kernel has it now (used again after restart).
t_check_all() {
    t_cg_is $C cpu cpu.cfs_quota_us $QUOTA &&
    t_cg_is $C cpu cpu.cfs_period_us 100000 &&
    t_cg_is $C memory memory.limit_in_bytes 268435456 &&
    { [ -z "$SWAP" ] || t_cg_is $C memory memory.memsw.limit_in_bytes 536870912; } &&
    t_cg_is $C cpuset cpuset.cpus 0 &&
    t_cg_is $C cpuset cpuset.mems 0 &&
    t_cg $C blkio blkio.throttle.write_bps_device | grep -qx "$DISK 10485760"
}
export -f t_check_all
export C QUOTA SWAP DISK

ok "the domain definition holds every limit" bash -c "
    x=\$(vsh dumpxml --inactive $C)
    echo \"\$x\" | grep -q '<quota>$QUOTA</quota>' &&
    echo \"\$x\" | grep -q '<period>100000</period>' &&
    echo \"\$x\" | grep -q \"<hard_limit unit='KiB'>262144</hard_limit>\" &&
    echo \"\$x\" | grep -q \"cpuset='0'\" &&
    echo \"\$x\" | grep -q \"nodeset='0'\" &&
    echo \"\$x\" | grep -q '<write_bytes_sec>10485760</write_bytes_sec>'"

ok "show --json agrees with the kernel files" bash -c "
    lxcf show --json $C > \$T_ROOT/show.json || exit 1
    python3 - \$T_ROOT/show.json <<'EOP'
import json, os, subprocess, sys
j = json.load(open(sys.argv[1]))
def cg(ctrl, f):
    return subprocess.run(['bash', '-c', 't_cg %s %s %s' % (os.environ['C'], ctrl, f)],
                          capture_output=True, text=True, check=True).stdout.strip()
k, c = j['kernel'], j['config']
assert j['name'] == os.environ['C'] and j['state'] == 'running', j
assert k['cpu_quota_us'] == int(cg('cpu', 'cpu.cfs_quota_us')), k
assert k['cpu_period_us'] == int(cg('cpu', 'cpu.cfs_period_us')), k
assert k['cpurate'] == 50 and c['cpurate'] == 50, (k, c)
assert k['memory_limit'] == int(cg('memory', 'memory.limit_in_bytes')) == 268435456, k
assert c['memory_limit'] == 268435456, c
if os.environ['SWAP']:
    assert k['memsw_limit'] == int(cg('memory', 'memory.memsw.limit_in_bytes')) == c['memsw_limit'], (k, c)
assert k['cpus'] == cg('cpuset', 'cpuset.cpus') == c['cpus'] == '0', (k, c)
assert k['mems'] == cg('cpuset', 'cpuset.mems') == c['mems'] == '0', (k, c)
dev = [b for b in k['blkio'] if b['device'] == os.environ['DISK']]
assert dev and dev[0]['write_bps'] == 10485760, k
assert c['blkio'][0]['write_bps'] == 10485760, c
assert j['usage']['memory_bytes'] > 0 and j['usage']['cpu_ns'] > 0, j['usage']
assert j['confined'] is True, j
assert j['network']['address'] and j['network']['mac'] and j['network']['hosts_entry'] is True, j
EOP"
ok "show (text) prints the limits and confinement" bash -c "
    out=\$(lxcf show $C) && echo \"\$out\" && echo \"\$out\" | grep -q '^confined: *yes' &&
    echo \"\$out\" | grep -qE '^  memory +256M +256M'"

# ---- bad input: exit 2 (6 for an unknown container), one line, nothing changed
t_state() {
    vsh dumpxml --inactive $C | md5sum
    for f in "cpu cpu.cfs_quota_us" "cpu cpu.cfs_period_us" "memory memory.limit_in_bytes" \
             "memory memory.memsw.limit_in_bytes" "cpuset cpuset.cpus" "cpuset cpuset.mems" \
             "blkio blkio.throttle.read_bps_device" "blkio blkio.throttle.write_bps_device"; do
        t_cg $C $f 2>/dev/null
    done
}
# t_bad RC ARGS...: lxcf ARGS exits with RC, prints one line, changes nothing.
t_bad() {
    local want=$1 rc before after
    shift
    before=$(t_state)
    lxcf "$@" > "$T_ROOT/bad.out" 2> "$T_ROOT/bad.err"
    rc=$?
    after=$(t_state)
    cat "$T_ROOT/bad.err"
    [ "$rc" = "$want" ] || { echo "exit $rc, expected $want"; return 1; }
    [ "$(wc -l < "$T_ROOT/bad.err")" = 1 ] || { echo "not one line"; return 1; }
    [ ! -s "$T_ROOT/bad.out" ] || { echo "stdout not empty"; return 1; }
    [ "$before" = "$after" ] || { echo "something changed"; return 1; }
}
export -f t_state t_bad
for args in "cpurate $C 0" "cpurate $C 101" "cpurate $C abc" "memlimit $C -1" \
            "memlimit $C 0" "memlimit $C 12Q" "memswlimit $C 128M" "cpun $C 99" \
            "cpun $C 3-1" "numa $C 7" "blkio_r $C /dev/null 1M"; do
    # shellcheck disable=SC2086
    ok "refused, nothing changed: $args" t_bad 2 $args
done
ok "refused, nothing changed: memlimit of an unknown container (exit 6)" t_bad 6 memlimit lxcft-rnone 1G

ok "restart" lxcf restart $C
ok "systemd runs again" t_wait_systemd $C
ok "after restart the new controller's groups have every limit" t_check_all
ok "after restart the guest's init is still confined (memory)" t_confined $C memory

# ---- a stopped container: stored in the domain, applied at start
ok "sysgen a stopped container" lxcf sysgen --no-start $S
ok "memlimit on a stopped container says it is stored" bash -c \
    "lxcf memlimit $S 300M | grep -q 'stored; applied when the container starts'"
ok "virsh dumpxml shows the memtune" bash -c \
    "vsh dumpxml $S | grep -q \"<hard_limit unit='KiB'>307200</hard_limit>\""
ok "cpurate on a stopped container" lxcf cpurate $S 25
ok "start it" lxcf start $S
ok "systemd runs in it" t_wait_systemd $S
ok "started: memory.limit_in_bytes is 314572800" t_cg_is $S memory memory.limit_in_bytes 314572800
ok "started: cpu.cfs_quota_us is 25% of $NCPU cpus" t_cg_is $S cpu cpu.cfs_quota_us $((100000 * NCPU / 4))
# libvirt lifts the limit for "unlimited"; lxcf keeps <memory> (512M), as
# libvirt itself does at start.
ok "memlimit unlimited on the running container" lxcf memlimit $S unlimited
ok "unlimited: memory.limit_in_bytes is the domain's memory (536870912)" \
    t_cg_is $S memory memory.limit_in_bytes 536870912
ok "unlimited: the live definition has no hard limit any more" bash -c \
    "x=\$(vsh dumpxml $S) && ! echo \"\$x\" | grep -q '<hard_limit'"

ok "erase both" lxcf erase $C $S
ok "nothing left: domains, roots, cgroups" bash -c "
    [ -z \"\$(t_domains)\" ] && [ -z \"\$(ls -A $H/opt/lxcf)\" ] &&
    ! ls -d /sys/fs/cgroup/*/machine/lxc-*-lxcft-r[12].libvirt-lxc 2>/dev/null | grep -q ."

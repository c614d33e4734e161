#!/usr/bin/env bash
# Every limit on a running joint guest, read back from the kernel's cgroup
# v2 files of the guest init's ancestors (up to the machine's scope): cpurate
# -> cpu.max, cpun -> cpuset.cpus, numa -> cpuset.mems, memlimit ->
# memory.max, memswlimit -> memory.swap.max = memsw - mem, blkio_r/w and
# blkioiops_r/w -> io.max; enforced (a guest process allocating past
# memlimit is OOM-killed); kept across stop/start; show --json prints the
# kernel's values with the same meaning as the configured ones.
. "$(dirname "$0")/lib.sh"

C=$J1
NCPU=$(nproc --all)
QUOTA=$((100000 * NCPU * 50 / 100))
MEM=$((256 * 1024 * 1024))
MEMSW=$((512 * 1024 * 1024))
DISK=$(t_disk_of "$ROOTS" 2>/dev/null || t_disk_of /)
RBPS=1048576 WBPS=2097152 RIOPS=100 WIOPS=200

ok "$C: the guest exists and runs systemd" t_have $C joint

ok "cpurate 50" lxcf cpurate $C 50
ok "cpun 0" lxcf cpun $C 0
ok "numa 0" lxcf numa $C 0
ok "memlimit 256M" lxcf memlimit $C 256M
ok "memswlimit 512M" lxcf memswlimit $C 512M
ok "blkio_r $RBPS" lxcf blkio_r $C $RBPS
ok "blkio_w $WBPS" lxcf blkio_w $C $WBPS
ok "blkioiops_r $RIOPS" lxcf blkioiops_r $C $RIOPS
ok "blkioiops_w $WIOPS" lxcf blkioiops_w $C $WIOPS

kernel_checks() {  # kernel_checks WHEN
    local w=$1
    ok "$w: cpu.max is '$QUOTA 100000' (50% of $NCPU CPUs)" t_anc_is $C cpu.max "$QUOTA 100000"
    ok "$w: cpuset.cpus is 0" t_anc_is $C cpuset.cpus 0
    ok "$w: the CPUs the init may use (cpuset.cpus.effective) are 0" t_effective $C cpuset.cpus.effective 0
    ok "$w: cpuset.mems is 0" t_anc_is $C cpuset.mems 0
    ok "$w: memory.max is $MEM" t_anc_is $C memory.max $MEM
    ok "$w: memory.swap.max is memsw - mem = $((MEMSW - MEM))" t_anc_is $C memory.swap.max $((MEMSW - MEM))
    ok "$w: io.max of $DISK has all four limits" t_anc_line $C io.max \
        "$DISK rbps=$RBPS wbps=$WBPS riops=$RIOPS wiops=$WIOPS"
    ok "$w: show --json kernel cpurate 50" t_json $C .kernel.cpurate 50
    ok "$w: show --json kernel cpus 0, mems 0" t_json $C '"\(.kernel.cpus) \(.kernel.mems)"' "0 0"
    ok "$w: show --json kernel memory_limit $MEM" t_json $C .kernel.memory_limit $MEM
    ok "$w: show --json kernel memsw_limit $MEMSW (memory plus swap)" t_json $C .kernel.memsw_limit $MEMSW
    ok "$w: show --json config memsw_limit $MEMSW" t_json $C .config.memsw_limit $MEMSW
    ok "$w: show --json kernel io of $DISK" t_json $C \
        ".kernel.blkio[] | select(.device == \"$DISK\") | \"\(.read_bps) \(.write_bps) \(.read_iops) \(.write_iops)\"" \
        "$RBPS $WBPS $RIOPS $WIOPS"
    ok "$w: show --json says the init is confined" t_json $C .confined true
    ok "$w: show prints memory 256M and memory+swap 512M, configured and in the kernel" bash -c "
        out=\$(lxcf show $C) && echo \"\$out\" | grep -E '^  memory' &&
        echo \"\$out\" | grep -qE '^  memory +256M +256M\$' &&
        echo \"\$out\" | grep -qE '^  memory\+swap +512M +512M\$'"
    ok "$w: show prints cpurate 50% configured and in the kernel" bash -c "
        lxcf show $C | grep -E '^  cpurate +50% .* 50% '"
    ok "$w: the guest's /proc/meminfo shows the limit" bash -c \
        "t_in $C cat /proc/meminfo | grep -E '^MemTotal: +262144 kB\$'"
}
kernel_checks "live"

# A process of the guest (its namespaces, a new leaf group beside the init's)
# that allocates 600M past the 256M limit is killed by the kernel.
# oom_kill of memory.events in the innermost ancestor with memory.max set
# (the leaf below need not have the memory controller: it is charged there).
t_oom_kills() {
    local d
    for d in $(t_ancestors $C); do
        if [ -f "$d/memory.max" ] && [ "$(cat "$d/memory.max")" != max ]; then
            sed -n 's/^oom_kill //p' "$d/memory.events"
            return
        fi
    done
    echo 0
}
t_oom() {
    local pid d st before after
    before=$(t_oom_kills)
    pid=$(t_init_pid $C) || return 1
    d=$(dirname "$(t_cgdir "$pid")")/lxcf-vm-oom
    mkdir "$d" || return 1
    bash -c 'echo $$ > "$1/cgroup.procs" &&
        exec nsenter -t "$2" -m -u -i -n -p sh -c "head -c 600M /dev/zero | tail >/dev/null"' _ "$d" "$pid"
    st=$?
    rmdir "$d"
    after=$(t_oom_kills)
    echo "the allocation ended with status $st; oom_kill in the limited group: $before -> $after"
    [ "$st" != 0 ] && [ "$after" -gt "$before" ]
}
export -f t_oom t_oom_kills
export C
ok "a guest process allocating 600M past memlimit 256M is OOM-killed" t_oom

ok "memswlimit below memlimit is refused with one line" bash -c "
    out=\$(lxcf memswlimit $C 128M 2>&1); st=\$?; echo \"\$out\"
    [ \$st = 2 ] && [ \$(echo \"\$out\" | wc -l) = 1 ]"
ok "memlimit 300M keeps memsw 512M: memory.swap.max follows (212M)" bash -c "
    lxcf memlimit $C 300M && t_anc_is $C memory.swap.max $((MEMSW - 300 * 1024 * 1024))"
ok "memlimit 256M again" lxcf memlimit $C 256M

t0=$(date +%s)
ok "stop" lxcf stop $C
ok "start" lxcf start $C
ok "systemd runs again" t_wait_systemd $C
echo "# stop/start: $(($(date +%s) - t0)) s"
kernel_checks "after stop/start"

ok "memswlimit, memlimit unlimited and cpurate 100 undo the limits (memory.max: max or the container's memory)" bash -c "
    lxcf memswlimit $C unlimited && lxcf memlimit $C unlimited && lxcf cpurate $C 100 &&
    m=\$(lxcf show --json $C | jq -r .config.memory_bytes) &&
    { t_anc_is $C memory.max max || t_anc_is $C memory.max \$m; }"

# Shared helpers of the VM tests (bash, TAP output), run by tests/vm/run as
# root inside the VM of scripts/vm-lane.  The VM is the host: lxcf is the
# installed /usr/sbin/lxcf, used without --root, against the VM's own
# libvirtd service, systemd-machined and cgroup v2 tree.  Every check looks
# from outside the guest: the libvirt API (virsh), machinectl, the kernel's
# cgroup files of the guest init and its ancestors, the guest's files, and
# the guest's namespaces entered with nsenter (not with lxcf enter, which
# has tests of its own).

set -uo pipefail

LXCF_BIN=${LXCF_BIN:-/usr/sbin/lxcf}
URI=lxc:///
ROOTS=/opt/lxcf
# The containers the tests share: two joint, one separate.
J1=vj1
J2=vj2
S1=vs1
T_N=0
T_FAILED=0
T_TMP=$(mktemp -d /var/tmp/lxcf-vm-test.XXXXXX)

lxcf() { "$LXCF_BIN" "$@"; }
vsh() { virsh -q -c "$URI" "$@"; }

t_end() {
    rm -rf "$T_TMP"
    echo "1..$T_N"
    [ "$T_FAILED" = 0 ]
}
trap t_end EXIT

ok() {  # ok DESCRIPTION COMMAND...
    local desc=$1
    shift
    T_N=$((T_N + 1))
    if "$@" >"$T_TMP/last.out" 2>&1; then
        echo "ok $T_N - $desc"
    else
        T_FAILED=$((T_FAILED + 1))
        echo "not ok $T_N - $desc"
        sed 's/^/# /' "$T_TMP/last.out" | head -n 25
    fi
}
not_ok() { local desc=$1; shift; ok "$desc" bash -c '! "$@"' _ "$@"; }

# PID of the running container's init, seen from the host: the child of
# the libvirt_lxc controller.
t_init_pid() {
    local ctl
    ctl=$(vsh domid "$1") || return 1
    [ -n "$ctl" ] && [ "$ctl" != - ] || return 1
    tr -d ' \n' <"/proc/$ctl/task/$ctl/children"
}
# Run a command in the guest's namespaces (not its cgroup).
t_in() {
    local name=$1 pid
    shift
    pid=$(t_init_pid "$name") || return 1
    nsenter -t "$pid" -m -u -i -n -p -- "$@"
}
# systemd in NAME is running or degraded, asked in its own namespaces.
t_wait_systemd() {
    local name=$1 i st=""
    for i in $(seq 1 180); do
        st=$(t_in "$name" systemctl is-system-running 2>/dev/null) || true
        case "$st" in running|degraded) echo "$st"; return 0 ;; esac
        sleep 1
    done
    echo "systemd in $name did not come up: '$st'"
    t_in "$name" systemctl --failed --no-legend || true
    return 1
}
# The machine libvirt registered for NAME with machined.
t_machine() {
    machinectl list --no-legend --no-pager 2>/dev/null | awk '{print $1}' |
        grep -E "^lxc-[0-9]+-$1\$"
}
# Absolute cgroup v2 directory of a PID.
t_cgdir() {
    local rel
    rel=$(sed -n 's/^0:://p' "/proc/$1/cgroup") || return 1
    [ -n "$rel" ] || return 1
    echo "/sys/fs/cgroup$rel"
}
# The guest init's cgroup directory and its ancestors up to the machine's
# scope, innermost first.  Fails when the init is not inside the scope.
t_ancestors() {
    local name=$1 pid m unit d
    pid=$(t_init_pid "$name") || return 1
    m=$(t_machine "$name") || { echo "no machine for $name"; return 1; }
    unit=$(machinectl show "$m" -p Unit --value) || return 1
    d=$(t_cgdir "$pid") || return 1
    case $d in */machine.slice/"$unit"/*|*/machine.slice/"$unit") ;; *)
        echo "init $pid of $name is in $d, not in machine.slice/$unit"; return 1 ;; esac
    while :; do
        echo "$d"
        [ "${d##*/}" = "$unit" ] && return 0
        d=${d%/*}
    done
}
# t_anc_is NAME FILE VALUE: one of the init's ancestors has FILE = VALUE,
# and none has a different value set (other than max/empty).
t_anc_is() {
    local name=$1 file=$2 want=$3 d v found=1 ancs
    ancs=$(t_ancestors "$name") || { echo "$ancs"; return 1; }
    for d in $ancs; do
        [ -f "$d/$file" ] || continue
        v=$(cat "$d/$file")
        echo "${d#/sys/fs/cgroup}/$file = '$v'"
        if [ "$v" = "$want" ]; then found=0
        elif [ -n "$v" ] && [ "$v" != max ] && [ "$v" != "max 100000" ]; then
            echo "  a different value: expected '$want'"; return 1
        fi
    done
    [ $found = 0 ] || echo "no ancestor has $file = '$want'"
    return $found
}
# t_anc_line NAME FILE LINE: one ancestor's FILE has the line LINE.
t_anc_line() {
    local name=$1 file=$2 want=$3 d ancs
    ancs=$(t_ancestors "$name") || { echo "$ancs"; return 1; }
    for d in $ancs; do
        [ -f "$d/$file" ] || continue
        echo "${d#/sys/fs/cgroup}/$file:"; sed 's/^/  /' "$d/$file"
        grep -qxF "$want" "$d/$file" && return 0
    done
    echo "no ancestor has the line '$want' in $file"
    return 1
}
# Make sure NAME exists and runs systemd (an earlier test makes it; a test
# run alone makes it itself).
t_have() {
    local name=$1 model=$2
    if ! vsh dominfo "$name" >/dev/null 2>&1; then
        lxcf sysgen --model "$model" "$name" || return 1
    fi
    [ "$(vsh domstate "$name")" = running ] || lxcf start "$name" || return 1
    t_wait_systemd "$name"
}
# The whole disk under a path, as MAJ:MIN.
t_disk_of() {
    local d
    d=$(stat -c '%Hd:%Ld' "$1") || return 1
    [ -e "/sys/dev/block/$d/partition" ] && d=$(cat "$(readlink -f "/sys/dev/block/$d")/../dev")
    echo "$d"
}
# t_json NAME JQ-EXPR EXPECTED: show --json NAME | jq -r EXPR is EXPECTED.
t_json() {
    local got
    got=$(lxcf show --json "$1" | jq -r "$2") || return 1
    echo "show --json $1: $2 = '$got', expected '$3'"
    [ "$got" = "$3" ]
}
# The lxcf block of an /etc/hosts file.
t_hosts_block() {
    sed -n '/^# BEGIN lxcf managed block/,/^# END lxcf managed block/p' "$1"
}

export -f lxcf vsh t_init_pid t_in t_wait_systemd t_machine t_cgdir t_ancestors \
    t_anc_is t_anc_line t_have t_disk_of t_json t_hosts_block
export LXCF_BIN URI ROOTS J1 J2 S1
# t_effective NAME FILE VALUE: the innermost of the init's group and its
# ancestors that has FILE (e.g. cpuset.cpus.effective) says VALUE.
t_effective() {
    local d v ancs
    ancs=$(t_ancestors "$1") || { echo "$ancs"; return 1; }
    for d in $ancs; do
        [ -f "$d/$2" ] || continue
        v=$(cat "$d/$2")
        echo "${d#/sys/fs/cgroup}/$2 = '$v', expected '$3'"
        [ "$v" = "$3" ]
        return
    done
    echo "no group has $2"
    return 1
}
export -f t_effective

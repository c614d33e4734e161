#!/usr/bin/env bash
# kill -9 of lxcf at every step of sysgen, clone, erase and a hosts edit
# (LXCF_CRASH_AT=STEP, and at random moments) must leave a state that list
# shows truthfully and that erase or a re-run completes: /etc/hosts whole,
# no address used twice, nothing outside a container root removed, no
# mount left behind.
. "$(dirname "$0")/lib.sh"
t_init crash 5 135

H=$T_ROOT/host
etc_before=$(cd "$H/etc" && find . ! -name 'hosts*' -printf '%p %s %m\n' | LC_ALL=C sort | md5sum)
usr_before=$(t_tree_hash "$H/usr")
lxcf sysgen --no-start lxcft-keep >/dev/null 2>&1

invariants() {  # invariants STEP: the checks every crash must pass
    local step=$1
    ok "$step: list still works" lxcf list
    ok "$step: /etc/hosts has one whole block (or none) and the admin's lines" bash -c "
        b=\$(grep -c '^# BEGIN lxcf' $H/etc/hosts); e=\$(grep -c '^# END lxcf' $H/etc/hosts)
        [ \$b = \$e ] && [ \$b -le 1 ] && grep -q '^10.1.1.1	dbserver$' $H/etc/hosts && grep -q lxcft-keep $H/etc/hosts"
    ok "$step: no address is used twice" bash -c "
        lxcf list --json | python3 -c 'import json,sys; a=[c[\"address\"] for c in json.load(sys.stdin) if c[\"address\"]]; assert len(a)==len(set(a)), a' &&
        for view in '' --inactive; do
            [ -z \"\$(vsh net-dumpxml \$view $T_NET | grep -o \"name='[^']*' ip='[^']*'\" | cut -d\"'\" -f4 | sort | uniq -d)\" ] || exit 1
        done"
    ok "$step: no mount left under the test root" bash -c "! grep -q '$T_ROOT' /proc/self/mountinfo /proc/$LXCF_HARNESS_PID/mountinfo"
    ok "$step: the host's /usr and /etc are intact" bash -c "
        [ \"\$(t_tree_hash $H/usr)\" = '$usr_before' ] &&
        [ \"\$(cd $H/etc && find . ! -name 'hosts*' -printf '%p %s %m\n' | LC_ALL=C sort | md5sum)\" = '$etc_before' ]"
    ok "$step: the untouched container is intact" bash -c "lxcf list | grep -qE '^lxcft-keep +stopped' && [ -f $H/opt/lxcf/lxcft-keep/etc/hostname ]"
}

# state NAME: what list says of NAME, or "absent"
state_of() { lxcf list | awk -v n="$1" '$1==n {print $2; f=1} END {if (!f) print "absent"}'; }
export -f state_of

# erase completes whatever the crash left; afterwards nothing of NAME is left.
completes() {
    local step=$1 name=$2
    ok "$step: erase completes it" bash -c "lxcf erase $name || [ \$? = 6 -a \"\$(state_of $name)\" = absent -a ! -e $H/opt/lxcf/$name ]"
    ok "$step: nothing of it is left" bash -c "
        [ \"\$(state_of $name)\" = absent ] && [ ! -e $H/opt/lxcf/$name ] && ! grep -qP '\\t$name\$' $H/etc/hosts &&
        ! vsh net-dumpxml $T_NET | grep -q \"'$name'\" && ! vsh net-dumpxml --inactive $T_NET | grep -q \"'$name'\" && ! vsh dominfo $name"
}

for step in reserve-locked reserve-defined reserve-done root-built customised finish-locked finish-defined atomic-write-before-rename; do
    ok "sysgen killed at $step" bash -c "LXCF_CRASH_AT=$step lxcf sysgen --no-start lxcft-k; [ \$? = 137 ]"
    ok "$step: list shows the container truthfully" bash -c "
        s=\$(state_of lxcft-k); echo \"state: \$s\"
        case $step in
            reserve-locked) [ \$s = absent ] ;;
            finish-defined|atomic-write-before-rename) [ \$s = stopped ] ;;
            *) [ \$s = building ] ;;
        esac"
    not_ok "$step: start refuses a half-built container" bash -c "[ \"\$(state_of lxcft-k)\" = building ] && lxcf start lxcft-k"
    invariants "sysgen@$step"
    completes "sysgen@$step" lxcft-k
done

ok "sysgen a source for clone" lxcf sysgen --no-start lxcft-src
for step in reserve-defined root-built finish-defined; do
    ok "clone killed at $step" bash -c "LXCF_CRASH_AT=$step lxcf clone --no-start lxcft-src lxcft-kc; [ \$? = 137 ]"
    invariants "clone@$step"
    completes "clone@$step" lxcft-kc
done

for step in erase-stopped erase-root-removed erase-unreserved erase-undefined atomic-write-before-rename; do
    lxcf sysgen --no-start lxcft-e >/dev/null 2>&1
    ok "erase killed at $step" bash -c "LXCF_CRASH_AT=$step lxcf erase lxcft-e; [ \$? = 137 ]"
    ok "$step: list shows it truthfully" bash -c "
        s=\$(state_of lxcft-e); echo \"state: \$s\"
        case $step in
            erase-stopped) [ \$s = stopped ] ;;
            erase-root-removed|erase-unreserved) [ \$s = no-root ] ;;
            *) [ \$s = absent ] ;;
        esac"
    invariants "erase@$step"
    completes "erase@$step" lxcft-e
done

# kill -9 at random moments of a sysgen.  The binary itself, not the lxcf
# function: $! of a function run in the background is a subshell, and
# killing that would leave lxcf copying on while erase runs.
for delay in 0.05 0.15 0.3 0.5; do
    "$LXCF_BIN" --root "$T_ROOT/host" sysgen --no-start lxcft-r >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    invariants "sysgen killed after ${delay}s"
    completes "sysgen killed after ${delay}s" lxcft-r
done

ok "after all that, sysgen of the same name works" bash -c "lxcf sysgen --no-start lxcft-k && [ \"\$(state_of lxcft-k)\" = stopped ]"
ok "and the pool hands out distinct addresses" bash -c "lxcf list --json | python3 -c 'import json,sys; a=[c[\"address\"] for c in json.load(sys.stdin)]; assert len(a)==len(set(a))==3, a'"

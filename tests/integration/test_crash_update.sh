#!/usr/bin/env bash
# kill -9 of lxcf at every step of an update (LXCF_CRASH_AT=STEP), and of
# the recovery itself, must leave a state that list shows truthfully and
# that `lxcf update --recover` completes: no mount left, the scratch
# directory gone, the stopped guests running again, and the package in
# every guest and the host tree or in none of them, never a mix.  A re-run
# of the update then succeeds.
. "$(dirname "$0")/lib.sh"
t_init_update crashupd 9 139

GUESTS="lxcft-c1 lxcft-c2 lxcft-c3"
# A guest still booting may ignore the shutdown request: do not wait long.
sed -i 's/^stop_timeout = .*/stop_timeout = 10/' "$H/etc/lxcf/lxcf.conf"

# good and bad: the same package, lxcf-test-pkg; bad refuses one guest.
t_mkdeb good lxcf-test-pkg ':' "lxcf update crash test package"
t_mkdeb bad lxcf-test-pkg 'if [ "$(cat /etc/hostname)" = lxcft-c2 ]; then echo "bad refuses lxcft-c2" >&2; exit 1; fi' \
    "lxcf update crash test package"

# pkg ADMINDIR: installed, absent, or dpkg's status of a half-done package
pkg() {
    local s
    s=$(dpkg-query --admindir="$1" -W -f '${Status}' lxcf-test-pkg 2>/dev/null) || s=""
    case "$s" in
        "install ok installed") echo installed ;;
        "" | *" not-installed") echo absent ;;
        *) echo "'$s'" ;;
    esac
}
running() { [ "$(virsh -q -c "$URI" domstate "$1")" = running ]; }
# every guest and the host tree have the package (EXPECT=installed) or none
# has it (absent); a /usr file exists exactly where the database says so.
consistent() {
    local expect=$1 g s host bad=0
    for g in $GUESTS; do
        s=$(pkg "$R/$g/var/lib/dpkg"); echo "$g: $s"
        [ "$s" = "$expect" ] || bad=1
    done
    host=$(pkg "$H/var/lib/dpkg"); echo "host: $host"
    [ "$host" = "$expect" ] || bad=1
    [ -f "$H/usr/share/lxcf-test-pkg/hello" ] && [ "$host" != installed ] && { echo "host /usr file without the package"; bad=1; }
    [ ! -f "$H/usr/share/lxcf-test-pkg/hello" ] && [ "$host" = installed ] && { echo "host package without its /usr file"; bad=1; }
    [ -f "$R/lxcft-c3/usr/share/lxcf-test-pkg/hello" ] && [ "$(pkg "$R/lxcft-c3/var/lib/dpkg")" != installed ] && { echo "lxcft-c3: /usr file without the package"; bad=1; }
    [ "$bad" = 0 ]
}
no_mounts_left() {
    ! grep -F "$T_ROOT" /proc/self/mountinfo && ! grep -F "$R/.lxcf-update" "/proc/$LXCF_HARNESS_PID/mountinfo" &&
    ! grep -E "overlay .*$T_ROOT" "/proc/$LXCF_HARNESS_PID/mountinfo"
}
# list names every guest, with the state libvirt reports
list_truthful() {
    local out g s
    out=$(lxcf list) || return 1
    echo "$out"
    for g in $GUESTS; do
        s=$(echo "$out" | awk -v n="$g" '$1==n {print $2}')
        if running "$g"; then [ "$s" = running ] || return 1; else [ "$s" = stopped ] || return 1; fi
    done
}
etc_hashes() { local g; for g in $GUESTS; do t_tree_hash "$R/$g/etc"; done; }
# lxcf start refuses every guest whose trees a snapshot still holds aside
held_not_started() {
    local g out n=0
    for g in $GUESTS; do
        [ -e "$R/.lxcf-update/$g/snapshot" ] || continue
        n=$((n + 1))
        out=$(lxcf start "$g" 2>&1) && { echo "$g started: $out"; return 1; }
        echo "$out"
        [[ $out == *"$g: an interrupted update holds its trees aside"* ]] || return 1
    done
    echo "$n held"
}
# autostart_is on|off: lxcft-c1 alone has autostart (on), or no guest has
# it (off): an unfinished update keeps it off, lest libvirtd boot the guest
# with its trees aside
autostart_is() {
    local a
    a=$(virsh -q -c "$URI" list --all --autostart --name | grep '^lxcft-c' | tr '\n' ' ')
    echo "autostart: '$a'"
    if [ "$1" = on ]; then [ "$a" = 'lxcft-c1 ' ]; else [ -z "$a" ]; fi
}
export -f pkg running consistent no_mounts_left list_truthful etc_hashes held_not_started autostart_is
export H R P GUESTS

ok "sysgen a running joint guest" lxcf sysgen --model joint lxcft-c1
ok "sysgen a stopped joint guest" lxcf sysgen --no-start --model joint lxcft-c2
ok "sysgen a stopped separate guest" lxcf sysgen --no-start --model separate lxcft-c3
ok "nothing has the package yet" consistent absent
ok "lxcft-c1: autostart on" bash -c "virsh -c '$URI' autostart lxcft-c1 && autostart_is on"

after_crash() {  # after_crash WHAT: what every crash must leave
    ok "$1: list shows every guest truthfully" list_truthful
    ok "$1: no overlay or bind mount is left" no_mounts_left
    ok "$1: lxcf start refuses a guest whose snapshot is left" held_not_started
}
recovered() {  # recovered WHAT EXPECT: --recover completes it
    ok "$1: update --recover" lxcf update --recover
    ok "$1: the scratch directory is gone" test ! -e "$R/.lxcf-update"
    ok "$1: lxcft-c1 runs again, the others stay stopped" bash -c "running lxcft-c1 && ! running lxcft-c2 && ! running lxcft-c3"
    ok "$1: lxcft-c1 has its autostart again" autostart_is on
    ok "$1: package everywhere or nowhere ($2)" consistent "$2"
    ok "$1: no mount left after recovery" no_mounts_left
}

# Steps before the host step roll back; from the host step on, complete.
# update-layer-moved: a guest's etc renamed into its snapshot, nothing at
# its place yet; update-layer-back: a commit beside the host step removed
# a guest's upper etc and has not renamed the merged one back.
for step in update-locked update-journal-written update-guest-stopped update-layer-moved \
            update-snapshotted update-guest-done update-before-host update-layer-back \
            update-host-done; do
    case $step in
        update-before-host | update-layer-back | update-host-done) expect=installed ;;
        *) expect=absent ;;
    esac
    # Autostart goes off just before lxcft-c1 is stopped.
    case $step in update-locked | update-journal-written) auto=on ;; *) auto=off ;; esac
    t_wait_systemd lxcft-c1 >/dev/null
    ok "update killed at $step" bash -c "LXCF_CRASH_AT=$step lxcf update dpkg -i $P/good.deb; rc=\$?; echo rc=\$rc; [ \$rc = 137 ]"
    after_crash "$step"
    ok "$step: lxcft-c1's autostart is $auto after the crash" autostart_is $auto
    if [ "$step" = update-before-host ]; then
        ok "$step: --recover killed after re-running the host step" bash -c "
            LXCF_CRASH_AT=update-recover-host lxcf update --recover; rc=\$?; echo rc=\$rc; [ \$rc = 137 ]"
        after_crash "$step+update-recover-host"
        ok "$step+update-recover-host: lxcft-c1's autostart is still off" autostart_is off
    fi
    recovered "$step" "$expect"
    t_wait_systemd lxcft-c1 >/dev/null
    ok "$step: a re-run succeeds" lxcf update dpkg -i "$P/good.deb"
    ok "$step: after the re-run everything has the package" consistent installed
    ok "$step: the re-run keeps lxcft-c1's autostart" autostart_is on
    t_wait_systemd lxcft-c1 >/dev/null
    ok "$step: purge it again" bash -c "lxcf update dpkg --purge lxcf-test-pkg && consistent absent"
done

# A failing update killed while rolling back, and the recovery killed too.
t_wait_systemd lxcft-c1 >/dev/null
etc_before=$(etc_hashes)
ok "failing update killed at update-rollback" bash -c "LXCF_CRASH_AT=update-rollback lxcf update dpkg -i $P/bad.deb; rc=\$?; echo rc=\$rc; [ \$rc = 137 ]"
after_crash "update-rollback"
ok "update-rollback: lxcft-c1's autostart is off after the crash" autostart_is off
ok "update-rollback: --recover killed after its first guest" bash -c "
    LXCF_CRASH_AT=update-recover-guest lxcf update --recover; rc=\$?; echo rc=\$rc; [ \$rc = 137 ]"
after_crash "update-rollback+update-recover-guest"
ok "update-rollback+update-recover-guest: lxcft-c1's autostart is still off" autostart_is off
recovered "update-rollback" absent
ok "update-rollback: every guest's /etc is as before" bash -c "[ \"\$(etc_hashes)\" = '$etc_before' ]"

ok "erase the guests" lxcf erase $GUESTS

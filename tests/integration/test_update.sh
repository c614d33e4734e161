#!/usr/bin/env bash
# The dummy-/usr update cycle with real containers under real libvirt: a
# .deb built on the spot is installed in two joint guests, one separate
# guest and the host tree; a failing one rolls every guest back; a second
# update is refused while one runs; a crash is recovered; deploy copies
# files and refuses planted symlinks.
. "$(dirname "$0")/lib.sh"
t_init_update update 2 132

GUESTS="lxcft-u1 lxcft-u2 lxcft-u3"

t_mkdeb lxcf-test-pkg lxcf-test-pkg ':' "lxcf update test package"
t_mkdeb lxcf-test-bad lxcf-test-bad 'if [ "$(cat /etc/hostname)" = lxcft-u2 ]; then echo "lxcf-test-bad refuses lxcft-u2" >&2; exit 1; fi' \
    "lxcf update test package"

installed() {  # installed ADMINDIR PKG
    [ "$(dpkg-query --admindir="$1" -W -f '${Status}' "$2" 2>/dev/null)" = "install ok installed" ]
}
running() { [ "$(virsh -q -c "$URI" domstate "$1")" = running ]; }
no_mounts_left() {
    ! grep -F "$T_ROOT" /proc/self/mountinfo && ! grep -F "$T_ROOT/host/opt/lxcf/.lxcf-update" "/proc/$LXCF_HARNESS_PID/mountinfo" &&
    ! grep -E "overlay .*$T_ROOT" "/proc/$LXCF_HARNESS_PID/mountinfo"
}
state_hash() {  # every guest's dpkg status and etc tree, and the host's usr
    local g
    for g in $GUESTS; do md5sum < "$R/$g/var/lib/dpkg/status"; t_tree_hash "$R/$g/etc"; done
    t_tree_hash "$H/usr"
    md5sum < "$H/var/lib/dpkg/status"
}
# this test's guests whose domain libvirtd would start at host boot, sorted,
# each followed by a space
autostarted() { virsh -q -c "$URI" list --all --autostart --name | grep '^lxcft-u' | sort | tr '\n' ' '; }
export -f installed running no_mounts_left state_hash autostarted
export H R P GUESTS

ok "sysgen two joint guests" lxcf sysgen --model joint lxcft-u1 lxcft-u2
ok "sysgen a separate guest" lxcf sysgen --model separate lxcft-u3
for g in $GUESTS; do ok "$g: systemd runs" t_wait_systemd "$g"; done

before=$(state_hash)
ok "dry run prints the plan" bash -c "out=\$(lxcf update --dry-run dpkg -i $P/lxcf-test-pkg.deb) && echo \"\$out\" &&
    echo \"\$out\" | grep -q 'lxcft-u1: would stop, snapshot, run the command with a throw-away overlay' &&
    echo \"\$out\" | grep -q 'lxcft-u3: .*own /usr (separate)' && echo \"\$out\" | grep -q '^host: would then run'"
ok "dry run changes nothing" bash -c "[ \"\$(state_hash)\" = '$before' ] && [ ! -e $R/.lxcf-update ] && running lxcft-u1"
not_ok "update without a command is refused" lxcf update

ok "lxcft-u1: autostart on" bash -c "virsh -c '$URI' autostart lxcft-u1 && [ \"\$(autostarted)\" = 'lxcft-u1 ' ]"
ok "update dpkg -i PKG.deb" bash -c "cd $P && lxcf update dpkg -i lxcf-test-pkg.deb"
ok "lxcft-u1 keeps its autostart after the update, the others have none" bash -c "a=\$(autostarted); echo \"\$a\"; [ \"\$a\" = 'lxcft-u1 ' ]"
for g in $GUESTS; do
    ok "$g: its dpkg database lists the package" installed "$R/$g/var/lib/dpkg" lxcf-test-pkg
    ok "$g: the conffile is in its /etc" test -f "$R/$g/etc/lxcf-test-pkg.conf"
    ok "$g: the postinst ran in its /var" test -f "$R/$g/var/lib/lxcf-test-pkg/stamp"
    ok "$g: is running again" running "$g"
done
ok "host tree: the dpkg database lists the package" installed "$H/var/lib/dpkg" lxcf-test-pkg
ok "host tree: the /usr file is there" test -f "$H/usr/share/lxcf-test-pkg/hello"
ok "joint guests kept an empty usr mount point" bash -c "[ -z \"\$(ls -A $R/lxcft-u1/usr)\" ] && [ -z \"\$(ls -A $R/lxcft-u2/usr)\" ]"
ok "separate guest: the /usr file is in its own /usr" test -f "$R/lxcft-u3/usr/share/lxcf-test-pkg/hello"
for g in lxcft-u1 lxcft-u3; do
    ok "$g: sees the /usr file from inside" bash -c "for i in \$(seq 60); do lxcf enter $g cat /usr/share/lxcf-test-pkg/hello && exit 0; sleep 0.5; done; exit 1"
done
ok "no overlay or bind mount is left" no_mounts_left
ok "the scratch directory is gone" test ! -e "$R/.lxcf-update"

for g in $GUESTS; do ok "$g: systemd runs again" t_wait_systemd "$g"; done
before=$(state_hash)
ok "a failing update names the guest and fails" bash -c "out=\$(lxcf update dpkg -i $P/lxcf-test-bad.deb 2>&1); rc=\$?; echo \"\$out\"; [ \$rc -ne 0 ] &&
    echo \"\$out\" | grep -q 'lxcf: every guest rolled back, host not updated: lxcft-u2: dpkg failed' &&
    echo \"\$out\" | grep -q 'lxcf-test-bad refuses lxcft-u2'"
ok "after the failure every guest's status and etc, and the host, are unchanged" bash -c "[ \"\$(state_hash)\" = '$before' ]"
ok "after the failure the guests run again" bash -c "for g in $GUESTS; do running \$g || exit 1; done"
ok "after the failure no mount is left" no_mounts_left
ok "after the rolled-back update lxcft-u1 keeps its autostart, the others have none" bash -c "a=\$(autostarted); echo \"\$a\"; [ \"\$a\" = 'lxcft-u1 ' ]"

ok "a concurrent update is refused with exit 8, at once" bash -c "
    '$LXCF_BIN' --root $H update --only lxcft-u3 sleep 4 > $T_ROOT/bg.out 2>&1 & bg=\$!
    for i in \$(seq 100); do [ -e $R/.lxcf-update/journal ] && break; sleep 0.1; done
    t0=\$(date +%s); lxcf update true; rc=\$?; t1=\$(date +%s)
    wait \$bg; bgrc=\$?; cat $T_ROOT/bg.out
    echo \"second: rc=\$rc in \$((t1 - t0)) s; first: rc=\$bgrc\"
    [ \$rc = 8 ] && [ \$((t1 - t0)) -le 2 ] && [ \$bgrc = 0 ]"

ok "lxcft-u3: systemd runs again" t_wait_systemd lxcft-u3
ok "a crashed update is rolled back by --recover" bash -c "
    '$LXCF_BIN' --root $H update --only lxcft-u3 sh -c 'echo crash > /etc/lxcf-crash; sleep 60' > $T_ROOT/crash.out 2>&1 & bg=\$!
    for i in \$(seq 600); do [ -e $R/lxcft-u3/etc/lxcf-crash ] && break; sleep 0.1; done
    [ -e $R/lxcft-u3/etc/lxcf-crash ] || exit 1
    kids=\$(cat /proc/\$bg/task/*/children)
    kill -9 \$bg; wait \$bg; for k in \$kids; do kill -9 \$k; done
    sleep 0.5
    grep -q '^phase guests' $R/.lxcf-update/journal && grep -q '^stopped lxcft-u3' $R/.lxcf-update/journal || exit 1
    lxcf update --recover && [ ! -e $R/lxcft-u3/etc/lxcf-crash ] && [ ! -e $R/.lxcf-update ] && running lxcft-u3"
ok "after the crash no mount is left" no_mounts_left

# deploy reads the host tree under --root: D is a path of the host (and the
# guests), HD where it lies here.
D=/srv/lxcf-deploy
HD=$H$D
mkdir -p "$HD/dir/sub"
echo "app = 1" > "$HD/app.conf"; chmod 0640 "$HD/app.conf"; chown 1234:5678 "$HD/app.conf"
echo b > "$HD/dir/sub/b"; chmod 0700 "$HD/dir/sub"
ok "deploy reads the host tree under --root, not the caller's /" bash -c "[ ! -e $D ] && lxcf deploy $D/app.conf $D/dir"
for g in $GUESTS; do
    ok "$g: deployed file with owner and mode" bash -c "[ \"\$(stat -c '%a %u %g' $R/$g$D/app.conf)\" = '640 1234 5678' ] && cmp $HD/app.conf $R/$g$D/app.conf"
    ok "$g: deployed directory" bash -c "[ \"\$(stat -c %a $R/$g$D/dir/sub)\" = 700 ] && cmp $HD/dir/sub/b $R/$g$D/dir/sub/b"
done
ok "deploy --to one guest" bash -c "echo v2 > $HD/only.conf && lxcf deploy --to lxcft-u2 $D/only.conf && [ -f $R/lxcft-u2$D/only.conf ] && [ ! -e $R/lxcft-u1$D/only.conf ]"
guests_hash() { for g in $GUESTS; do t_tree_hash "$R/$g$D"; done | md5sum; }
export -f guests_hash; export GUESTS R D
before=$(guests_hash)
ok "deploy of a missing file: one line, exit 2, no guest changed" bash -c "out=\$(lxcf deploy $D/app.conf $D/missing 2>&1); rc=\$?; echo \"\$out\"; [ \$rc = 2 ] && [ \$(echo \"\$out\" | wc -l) = 1 ] && echo \"\$out\" | grep -q \"^lxcf: $D/missing: No such file\" && [ \"\$(guests_hash)\" = '$before' ]"
mkdir -p "$HD/leaky"; echo x > "$HD/leaky/x"; ln -s ../../../etc/shadow "$HD/leaky/escape"
ok "deploy of a directory with a link out of it: refused, no guest changed" bash -c "out=\$(lxcf deploy $D/leaky 2>&1); rc=\$?; echo \"\$out\"; [ \$rc = 2 ] && echo \"\$out\" | grep -q 'out of the directory being deployed' && [ \"\$(guests_hash)\" = '$before' ]"
mkfifo "$HD/fifo"
ok "deploy of a FIFO: refused" bash -c "out=\$(lxcf deploy $D/fifo 2>&1); [ \$? = 2 ] && echo \"\$out\" | grep -q 'not a file, directory or symlink'"
ok "deploy refuses a relative path under --root" bash -c "out=\$(cd $HD && lxcf deploy app.conf 2>&1); [ \$? = 2 ] && echo \"\$out\" | grep -q 'give an absolute path'"
echo "host secret" > "$T_ROOT/victim"
echo new > "$HD/target"
ln -s "$T_ROOT/victim" "$R/lxcft-u1$D/target"
ok "deploy refuses a planted symlink, names the guest" bash -c "out=\$(lxcf deploy $D/target 2>&1); rc=\$?; echo \"\$out\"; [ \$rc -ne 0 ] &&
    echo \"\$out\" | grep -q '^lxcft-u1: FAILED: .*symlink' && echo \"\$out\" | grep -q '2 of 3 guests done'"
ok "deploy: the host file the link points to is untouched" bash -c "[ \"\$(cat $T_ROOT/victim)\" = 'host secret' ] && [ -L $R/lxcft-u1$D/target ]"
ok "deploy: the other guests got the file" bash -c "cmp $HD/target $R/lxcft-u2$D/target && cmp $HD/target $R/lxcft-u3$D/target"
ok "deploy refuses /usr for joint guests" bash -c "out=\$(lxcf deploy --to lxcft-u1 /usr/bin/env 2>&1); echo \"\$out\"; echo \"\$out\" | grep -q 'read-only with the host'"

ok "erase the guests" lxcf erase $GUESTS

#!/usr/bin/env bash
# update dpkg -i PKG.deb over two joint guests, one separate guest and the
# host: the package is installed in every package database, its files are
# in the host's /usr (which the joint guests share) and in the separate
# guest's own /usr, and running guests run again.  A failing update changes
# nothing anywhere, and leaves running guests running and stopped ones off.
. "$(dirname "$0")/lib.sh"

mkdeb() {  # mkdeb NAME PREINST-STATUS
    local d=$T_TMP/$1
    mkdir -p "$d/DEBIAN" "$d/usr/share/$1"
    printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: lxcf tests <root@localhost>\nDescription: lxcf VM lane probe\n' "$1" >"$d/DEBIAN/control"
    printf '#!/bin/sh\nexit %s\n' "$2" >"$d/DEBIAN/preinst"
    printf '#!/bin/sh\necho installed > /etc/%s.state\n' "$1" >"$d/DEBIAN/postinst"
    chmod 755 "$d/DEBIAN/preinst" "$d/DEBIAN/postinst"
    echo "hello from $1" >"$d/usr/share/$1/hello"
    dpkg-deb --root-owner-group --build "$d" "$T_TMP/$1.deb" >/dev/null
}
installed() {  # installed ROOT PKG
    dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Status}' "$2" 2>/dev/null | grep -q "install ok installed"
}
db_hash() {
    local r
    for r in / $ROOTS/$J1 $ROOTS/$J2 $ROOTS/$S1; do md5sum "$r/var/lib/dpkg/status"; done
}
export -f installed mkdeb db_hash
export T_TMP

ok "$J1 exists and runs systemd" t_have $J1 joint
ok "$J2 exists and runs systemd" t_have $J2 joint
ok "$S1 exists and runs systemd" t_have $S1 separate
ok "build lxcf-vm-good.deb and lxcf-vm-bad.deb (its preinst fails)" bash -c \
    "mkdeb lxcf-vm-good 0 && mkdeb lxcf-vm-bad 1"

t0=$(date +%s)
ok "update dpkg -i lxcf-vm-good.deb" lxcf update dpkg -i "$T_TMP/lxcf-vm-good.deb"
echo "# update over 3 guests and the host: $(($(date +%s) - t0)) s"
ok "the host has it installed" installed / lxcf-vm-good
ok "the host's /usr has its file" test -f /usr/share/lxcf-vm-good/hello
for name in $J1 $J2 $S1; do
    ok "$name: its package database has it installed" installed $ROOTS/$name lxcf-vm-good
    ok "$name: its postinst ran in the guest's /etc" test -f $ROOTS/$name/etc/lxcf-vm-good.state
    ok "$name: runs again, with systemd" t_wait_systemd $name
    ok "$name: sees the package's file" t_in $name cat /usr/share/lxcf-vm-good/hello
done
ok "$S1: the file is in its own /usr" test -f $ROOTS/$S1/usr/share/lxcf-vm-good/hello

# The failing update with $S1 stopped: its state (off) must be restored as
# well, and the lane saves a start of a separate guest.
ok "stop $S1" lxcf stop $S1
db_hash >"$T_TMP/before"
not_ok "update dpkg -i lxcf-vm-bad.deb fails" lxcf update dpkg -i "$T_TMP/lxcf-vm-bad.deb"
ok "the failed update changed no package database" bash -c "db_hash | diff $T_TMP/before -"
ok "the bad package is nowhere" bash -c "
    ! installed / lxcf-vm-bad && ! installed $ROOTS/$J1 lxcf-vm-bad &&
    ! installed $ROOTS/$J2 lxcf-vm-bad && ! installed $ROOTS/$S1 lxcf-vm-bad && [ ! -e /usr/share/lxcf-vm-bad ]"
for name in $J1 $J2; do
    ok "$name: runs again after the failed update" t_wait_systemd $name
done
ok "$S1: is still shut off after the failed update" bash -c "[ \"\$(vsh domstate $S1)\" = 'shut off' ]"

#!/usr/bin/env bash
# An offline host's apt cycle on a real host: a local file: repository
# under /srv (made with apt-ftparchive), the only source in sources.list.
# update apt-get update, apt-get install -y PKG, then a newer version in
# the repository and update apt-get update + apt-get upgrade -y reach the
# two joint guests, the separate guest and the host: every package
# database, the separate guest's own /usr, the files each running guest
# sees.  The VM's own sources are put back afterwards.
. "$(dirname "$0")/lib.sh"

REPO=/srv/lxcf-vm-repo
PKG=lxcf-vm-offline
SAVE=$T_TMP/apt-saved

mkpkg() {  # mkpkg VERSION: into the repository, and index it
    local d=$T_TMP/$PKG-$1
    mkdir -p "$d/DEBIAN" "$d/etc" "$d/usr/share/$PKG"
    printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: lxcf tests <root@localhost>\nDescription: lxcf VM lane offline probe\n' \
        "$PKG" "$1" >"$d/DEBIAN/control"
    echo "version $1" >"$d/etc/$PKG.conf"
    echo "version $1" >"$d/usr/share/$PKG/version"
    dpkg-deb --root-owner-group --build "$d" "$REPO/${PKG}_$1_all.deb" >/dev/null &&
        (cd "$REPO" && apt-ftparchive packages . >Packages)
}
at() {  # at ROOT VERSION: ROOT's package database has PKG at VERSION
    local got
    got=$(dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Status} ${Version}' "$PKG" 2>&1)
    echo "$1: $got"
    [ "$got" = "install ok installed $2" ] && grep -qx "version $2" "$1/etc/$PKG.conf"
}
everywhere() {  # everywhere VERSION: the host, every guest's database and what it sees
    local g
    at / "$1" && grep -qx "version $1" /usr/share/$PKG/version || return 1
    for g in $J1 $J2 $S1; do
        at $ROOTS/$g "$1" || return 1
        t_wait_systemd $g >/dev/null || return 1
        [ "$(t_in $g cat /usr/share/$PKG/version)" = "version $1" ] || { echo "$g sees another /usr"; return 1; }
    done
    grep -qx "version $1" $ROOTS/$S1/usr/share/$PKG/version
}
restore() {
    rm -rf /etc/apt/sources.list.d && cp -a "$SAVE/sources.list.d" /etc/apt/ &&
        { [ ! -e "$SAVE/sources.list" ] || cp -a "$SAVE/sources.list" /etc/apt/; }
}
export -f at everywhere mkpkg
export PKG REPO

ok "$J1 exists and runs systemd" t_have $J1 joint
ok "$J2 exists and runs systemd" t_have $J2 joint
ok "$S1 exists and runs systemd" t_have $S1 separate
ok "apt-ftparchive is there to index a repository" command -v apt-ftparchive
ok "a local repository under /srv with $PKG 1.0" bash -c "mkdir -p $REPO && mkpkg 1.0"
mkdir -p "$SAVE"
cp -a /etc/apt/sources.list.d "$SAVE/"
[ -e /etc/apt/sources.list ] && cp -a /etc/apt/sources.list "$SAVE/"
rm -f /etc/apt/sources.list.d/*
printf '# an offline host\ndeb [trusted=yes] file:%s ./\n' $REPO >/etc/apt/sources.list

ok "update --dry-run names the local source" bash -c \
    "lxcf update --dry-run apt-get update | grep -q 'local package source $REPO is mounted read-only'"
t0=$(date +%s)
ok "update apt-get update: every guest and the host read the repository" lxcf update apt-get update
echo "# update apt-get update over 3 running guests and the host: $(($(date +%s) - t0)) s"
ok "update apt-get install -y $PKG" lxcf update apt-get install -y $PKG
ok "1.0 on the host, in every guest's database, and what each guest sees" everywhere 1.0
ok "no guest keeps the repository's mount point" bash -c \
    "for g in $J1 $J2 $S1; do [ ! -e $ROOTS/\$g$REPO ] || exit 1; done"

ok "a newer version, 2.0, in the repository" mkpkg 2.0
ok "update apt-get update" lxcf update apt-get update
t0=$(date +%s)
ok "update apt-get upgrade -y" lxcf update apt-get upgrade -y
echo "# update apt-get upgrade over 3 running guests and the host: $(($(date +%s) - t0)) s"
ok "2.0 on the host, in every guest's database, and what each guest sees" everywhere 2.0
ok "the VM's own apt sources put back" restore

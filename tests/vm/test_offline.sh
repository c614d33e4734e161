#!/usr/bin/env bash
# An offline host's apt cycle on a real host: a local file: repository
# under /srv (made with apt-ftparchive), the only source in sources.list.
# update apt-get update, apt-get install -y PKG, then a newer version in
# the repository and update apt-get update + apt-get upgrade -y reach the
# two joint guests, the separate guest and the host: every package
# database, the separate guest's own /usr, and what each guest sees once
# started.  The guests are updated shut off (test_update covers the stop
# and start around a running guest; under TCG each costs minutes).
# sources.list reaches the guests with lxcf deploy; the VM's own is put
# back afterwards.
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
everywhere() {  # everywhere VERSION: the host's and every guest's database
    local g
    at / "$1" && grep -qx "version $1" /usr/share/$PKG/version || return 1
    for g in $J1 $J2 $S1; do
        at $ROOTS/$g "$1" || return 1
    done
    grep -qx "version $1" $ROOTS/$S1/usr/share/$PKG/version
}
seen() {  # seen VERSION: what each running guest sees in its /usr
    local g v
    for g in $J1 $J2 $S1; do
        t_wait_systemd $g >/dev/null || return 1
        v=$(t_in $g cat /usr/share/$PKG/version)
        echo "$g: $v"
        [ "$v" = "version $1" ] || return 1
    done
}
restore() {  # the VM's sources, on the host and (deploy copies them) in the guests
    rm -rf /etc/apt/sources.list.d && cp -a "$SAVE/sources.list.d" /etc/apt/ &&
        { [ ! -e "$SAVE/sources.list" ] || cp -a "$SAVE/sources.list" /etc/apt/; } &&
        lxcf deploy /etc/apt/sources.list
}
export -f at everywhere seen mkpkg
export PKG REPO

ok "$J1 exists and runs systemd" t_have $J1 joint
ok "$J2 exists and runs systemd" t_have $J2 joint
ok "$S1 exists and runs systemd" t_have $S1 separate
ok "stop the three guests" lxcf stop $J1 $J2 $S1
ok "apt-ftparchive is there to index a repository" command -v apt-ftparchive
ok "a local repository under /srv with $PKG 1.0" bash -c "mkdir -p $REPO && mkpkg 1.0"
mkdir -p "$SAVE"
cp -a /etc/apt/sources.list.d "$SAVE/"
[ -e /etc/apt/sources.list ] && cp -a /etc/apt/sources.list "$SAVE/"
rm -f /etc/apt/sources.list.d/*
printf '# an offline host\ndeb [trusted=yes] file:%s ./\n' $REPO >/etc/apt/sources.list
# Each guest has its own /etc (the image has nothing in sources.list.d).
ok "deploy the offline sources.list to the guests" lxcf deploy /etc/apt/sources.list

ok "update --dry-run names the local source" bash -c \
    "lxcf update --dry-run apt-get update | grep -q 'local package source $REPO is mounted read-only'"
t0=$(date +%s)
ok "update apt-get update: every guest and the host read the repository" lxcf update apt-get update
echo "# update apt-get update over 3 guests and the host: $(($(date +%s) - t0)) s"
ok "update apt-get install -y $PKG" lxcf update apt-get install -y $PKG
ok "1.0 on the host and in every guest's database" everywhere 1.0
ok "no guest keeps the repository's mount point" bash -c \
    "for g in $J1 $J2 $S1; do [ ! -e $ROOTS/\$g$REPO ] || exit 1; done"

ok "a newer version, 2.0, in the repository" mkpkg 2.0
ok "update apt-get update" lxcf update apt-get update
t0=$(date +%s)
ok "update apt-get upgrade -y" lxcf update apt-get upgrade -y
echo "# update apt-get upgrade over 3 guests and the host: $(($(date +%s) - t0)) s"
ok "2.0 on the host and in every guest's database" everywhere 2.0
ok "the VM's own apt sources put back, on the host and in the guests" restore
ok "start the three guests" lxcf start $J1 $J2 $S1
ok "each guest sees 2.0 in /usr (the joint ones the host's, the separate its own)" seen 2.0
